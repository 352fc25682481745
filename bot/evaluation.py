"""Retrieval and scope evaluation over a JSONL file of {"q": ..., "topic": ...} lines."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.replies import Replier

OUT_OF_SCOPE = "out_of_scope"


@dataclass
class EvalResult:
    n_in_scope: int = 0
    n_out_of_scope: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr: float = 0.0
    oos_recall: float = 0.0
    false_refusals: float = 0.0
    per_topic_hit3: dict[str, float] = field(default_factory=dict)
    misses: list[dict] = field(default_factory=list)

    def report(self) -> str:
        lines = [
            f"in-scope questions: {self.n_in_scope}, out-of-scope: {self.n_out_of_scope}",
            f"hit@1 {self.hit1:.3f}  hit@3 {self.hit3:.3f}  MRR {self.mrr:.3f}",
            f"out-of-scope recall {self.oos_recall:.3f}  "
            + f"in-scope false refusals {self.false_refusals:.3f}",
            "per-topic hit@3:",
            *(f"  {t:<20} {v:.3f}" for t, v in sorted(self.per_topic_hit3.items())),
        ]
        if self.misses:
            lines.append("misses:")
            lines.extend(f"  [{m['topic']}] {m['q']!r} -> {m['got']}" for m in self.misses)
        return "\n".join(lines)


def load_questions(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if not isinstance(row.get("q"), str) or not isinstance(row.get("topic"), str):
                raise ValueError(f"{path}:{n}: each line needs string fields q and topic")
            rows.append(row)
    return rows


def evaluate(replier: Replier, rows: list[dict]) -> EvalResult:
    result = EvalResult()
    replies = []
    for start in range(0, len(rows), 32):
        batch = rows[start : start + 32]
        replies.extend(replier.answer_many([r["q"] for r in batch]))
    hits1 = hits3 = rr = 0.0
    oos_ok = refusals = 0
    topic_total: dict[str, int] = defaultdict(int)
    topic_hit3: dict[str, int] = defaultdict(int)
    for row, reply in zip(rows, replies, strict=True):
        if row["topic"] == OUT_OF_SCOPE:
            result.n_out_of_scope += 1
            if not reply.in_scope:
                oos_ok += 1
            else:
                result.misses.append({**row, "got": f"answered ({reply.kind})"})
            continue
        result.n_in_scope += 1
        topic_total[row["topic"]] += 1
        if not reply.in_scope:
            refusals += 1
            result.misses.append({**row, "got": f"refused ({reply.kind})"})
        topics = [p.topic for p in reply.retrieval.passages] if reply.retrieval else []
        if topics[:1] == [row["topic"]]:
            hits1 += 1
        if row["topic"] in topics[:3]:
            hits3 += 1
            topic_hit3[row["topic"]] += 1
        elif reply.in_scope:
            result.misses.append({**row, "got": topics[:3]})
        if row["topic"] in topics:
            rr += 1.0 / (topics.index(row["topic"]) + 1)
    n = max(1, result.n_in_scope)
    result.hit1, result.hit3, result.mrr = hits1 / n, hits3 / n, rr / n
    result.oos_recall = oos_ok / max(1, result.n_out_of_scope)
    result.false_refusals = refusals / n
    result.per_topic_hit3 = {t: topic_hit3[t] / topic_total[t] for t in topic_total}
    return result
