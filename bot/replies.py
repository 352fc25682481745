"""Replies: scope decisions and grounded replies composed from retrieved passages.

No language model writes text here: every sentence in an answer is a sentence of a retrieved
passage, chosen by how well it matches the question, and cited to its document's sources.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

import numpy as np

from bot import templates
from bot.retrieval import Passage, Retrieval, Retriever, lexical_terms

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
MIN_POINTS, MAX_POINTS = 2, 5
# Scope thresholds (cosine similarity), tuned on tests/data/eval_questions.jsonl.
MIN_EVIDENCE = 0.22  # below this, nothing in the knowledge base is about the question
ANSWER_EVIDENCE = 0.30  # below this an in-scope question gets NO_MATCH instead of weak passages
HEALTH_NOTE_AT = 0.45  # a career question this close to a medication question gets HEALTH_NOTE
ON_TOPIC_MARGIN = 0.12  # key points come from passages this close to the best one

CONFIRM_AT = {
    "ptcb.org": "PTCB (ptcb.org)",
    "nhanow.com": "NHA (nhanow.com)",
    "pharmacy.texas.gov": "the Texas State Board of Pharmacy",
    "bls.gov": "the BLS Occupational Outlook Handbook (bls.gov)",
    "usp.org": "USP (usp.org)",
    "ashp.org": "ASHP (ashp.org)",
}
QUANTITY_RE = re.compile(
    r"\b(how (much|many|long|often)|cost|fee|price|pay|salary|hours?|score|days?|years?|weeks?|"
    r"percent|deadline|when)\b",
    re.IGNORECASE,
)
WEAK_POINT = 0.5  # points scoring under half the lead's score are left out (beyond the minimum)
NOT_A_POINT = ("next step", "see also", "sources")
ANAPHORA = (
    "This ", "These ", "That ", "Those ", "It ", "They ", "Both ", "Such ", "He ", "She ",
    "His ", "Her ", "Its ", "Their ", "Another ", "Also ",
)
REFERS_ELSEWHERE = re.compile(r"\b(below|above|as follows|the following)\b", re.IGNORECASE)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Candidate:
    score: float
    sentence: str
    terms: frozenset[str]
    passage: Passage
    cover: float = 0.0  # share of the question's (idf-weighted) terms the sentence contains


@dataclass
class SourceRef:
    number: int
    title: str
    topic: str
    stage: str
    path: str
    url: str | None
    score: float


@dataclass
class Point:
    text: str
    source: int  # SourceRef.number


@dataclass
class Reply:
    question: str
    kind: str  # answer | no_match | empty | medical | emergency | off_topic
    lead: str = ""
    points: list[Point] = field(default_factory=list)
    next_step: str = ""
    notes: list[str] = field(default_factory=list)
    confirm: str = ""
    sources: list[SourceRef] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    query_used: str = ""
    retrieval: Retrieval | None = field(default=None, repr=False)

    @property
    def in_scope(self) -> bool:
        return self.kind in ("answer", "no_match", "empty")

    def to_text(self) -> str:
        """Plain-text rendering (console, CLI, JSON "answer")."""
        if self.kind != "answer":
            return "\n\n".join([self.lead, *self.notes])
        parts = [self.lead]
        parts.append("\n".join(f"• {p.text} [{p.source}]" for p in self.points))
        if self.next_step:
            parts.append(f"Next step: {self.next_step}")
        parts.extend(self.notes)
        if self.confirm:
            parts.append(self.confirm)
        parts.append(
            "Sources:\n"
            + "\n".join(f"[{s.number}] {s.title}" + (f" — {s.url}" if s.url else "") for s in self.sources)
        )
        return "\n\n".join(p for p in parts if p)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "in_scope": self.in_scope,
            "answer": self.to_text(),
            "sources": [
                {"title": s.title, "topic": s.topic, "stage": s.stage, "path": s.path,
                 "url": s.url, "score": round(s.score, 4)}
                for s in self.sources
            ],
            "latency_ms": round(self.latency_ms, 2),
        }


def clean_question(raw: str) -> tuple[str, bool]:
    """Normalize user text: strip control and direction characters, collapse whitespace,
    and cut very long input. Returns (text, was_truncated)."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = CONTROL_RE.sub(" ", text)
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUESTION_CHARS
    if truncated:
        cut = text[:MAX_QUESTION_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut[200:] else cut
    return text, truncated


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def terms(text: str) -> frozenset[str]:
    """Stemmed content words of a text (the same analysis BM25 uses)."""
    return frozenset(lexical_terms(text))


def _domain(url: str | None) -> str:
    if not url:
        return ""
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.")


class Replier:
    """Turns a question into a Reply using a Retriever."""

    def __init__(self, retriever: Retriever):
        self.retriever = retriever
        self.scope_vectors = self._scope_vectors()
        self.followups_by_path = self._followup_headings()
        self.idf = self._idf()
        self.next_step_by_path = self._next_steps()

    # --- scope -----------------------------------------------------------------------------

    def _scope_vectors(self) -> dict[str, np.ndarray]:
        examples = templates.SCOPE_EXAMPLES
        key = hashlib.sha256(
            json.dumps([self.retriever.manifest.get("model"), examples], sort_keys=True).encode()
        ).hexdigest()[:16]
        cache = self.retriever.settings.chroma_path / f"scope-{key}.npz"
        try:
            with np.load(cache) as data:
                return {label: data[label] for label in examples}
        except (FileNotFoundError, KeyError, ValueError, OSError):
            pass
        vectors = {label: self.retriever.embed(list(texts)) for label, texts in examples.items()}
        try:
            np.savez(cache, **vectors)
        except OSError:
            log.warning("could not cache scope examples at %s", cache)
        return vectors

    def scope_scores(self, vector: np.ndarray, best_dense: float) -> dict[str, float]:
        scores = {
            label: float(np.sort(vectors @ vector)[-2:].mean())
            for label, vectors in self.scope_vectors.items()
        }
        scores["career"] = max(scores["career"], best_dense)
        return scores

    def decide_scope(self, retrieval: Retrieval) -> tuple[str, dict[str, float]]:
        scores = self.scope_scores(retrieval.vector, retrieval.best_dense)
        label = max(scores, key=scores.get)
        if label == "career" and retrieval.best_dense < MIN_EVIDENCE:
            label = "off_topic"
        return label, scores

    # --- composing ---------------------------------------------------------------------------

    def _followup_headings(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.retriever.passages.values():
            head = p.heading.split(" > ")[0].strip()
            if head.endswith("?") and head not in out.setdefault(p.path, []):
                out[p.path].append(head)
        return out

    def _next_steps(self) -> dict[str, str]:
        """Each document's "Next step" sentence, by path."""
        return {
            p.path: p.sentences[0]
            for p in self.retriever.passages.values()
            if p.next_step and p.sentences
        }

    def _idf(self) -> dict[str, float]:
        """Inverse document frequency of each term over passages, for weighting overlaps."""
        df: Counter[str] = Counter()
        for p in self.retriever.passages.values():
            df.update(set().union(*p.sentence_terms, p.heading_terms))
        n = len(self.retriever.passages)
        return {t: math.log(1 + n / c) for t, c in df.items()}

    def _candidates(self, question: str, retrieval: Retrieval) -> list[Candidate]:
        """Every sentence of the on-topic passages, scored against the question."""
        passages = [p for p in retrieval.passages if not p.next_step] or retrieval.passages
        best = max(p.dense for p in passages)
        on_topic = [p for p in passages if p.dense >= best - ON_TOPIC_MARGIN]
        q_terms = terms(question)
        q_weight = sum(self.idf.get(t, 1.0) for t in q_terms) or 1.0
        wants_number = bool(QUANTITY_RE.search(question))
        out: list[Candidate] = []
        for rank, p in enumerate(on_topic):
            passage_weight = p.dense + 0.5 / (1 + rank)
            head = sum(self.idf.get(t, 1.0) for t in q_terms & p.heading_terms) / q_weight
            for i, (sentence, s_terms) in enumerate(zip(p.sentences, p.sentence_terms)):
                if sentence.endswith((":", "?")) or sentence.lower().startswith(NOT_A_POINT):
                    continue
                cover = sum(self.idf.get(t, 1.0) for t in q_terms & s_terms) / q_weight
                # A section's first sentence answers its heading: worth a bonus when the
                # passage is the best match overall or shares words with the question.
                first = 0.5 if i == 0 and (rank == 0 or cover > 0 or head > 0) else 0.0
                score = passage_weight * (1 + 1.5 * cover + 0.4 * head + first)
                if sentence.startswith(ANAPHORA) or REFERS_ELSEWHERE.search(sentence):
                    score *= 0.7  # leans on a sentence the reader will not see
                if len(sentence) < 30:
                    score *= 0.5
                if wants_number and any(ch.isdigit() for ch in sentence):
                    score *= 1.15
                out.append(Candidate(score, sentence, s_terms, p, cover))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def compose(self, question: str, retrieval: Retrieval) -> Reply:
        candidates = self._candidates(question, retrieval)
        chosen: list[Candidate] = []
        for c in candidates:
            if any(len(c.terms & o.terms) / max(1, len(c.terms | o.terms)) >= 0.6 for o in chosen):
                continue
            if chosen and c.cover == 0 and c.passage.path != chosen[0].passage.path:
                continue  # shares nothing with the question and is not about the lead's subject
            if chosen and len(chosen) > MIN_POINTS and c.score < chosen[0].score * WEAK_POINT:
                break
            chosen.append(c)
            if len(chosen) == 1 + MAX_POINTS:
                break
        if not chosen:
            return Reply(question=question, kind="no_match", lead=templates.NO_MATCH)
        # Sources in rank order: a document ranks by its best-scored retrieved passage.
        best_score: dict[str, float] = {}
        for p in retrieval.passages:
            best_score[p.path] = max(best_score.get(p.path, 0.0), p.score)
        cited = {c.passage.path: c.passage for c in chosen}
        ranked = sorted(cited, key=lambda path: best_score.get(path, 0.0), reverse=True)
        refs = {
            path: SourceRef(
                number=n, title=cited[path].title, topic=cited[path].topic,
                stage=cited[path].stage, path=path, url=cited[path].url,
                score=best_score.get(path, 0.0),
            )
            for n, path in enumerate(ranked, 1)
        }
        lead, rest = chosen[0], chosen[1:]
        points = [Point(text=c.sentence, source=refs[c.passage.path].number) for c in rest]
        next_step = self.next_step_by_path.get(lead.passage.path, "")
        if next_step in {c.sentence for c in chosen}:
            next_step = ""
        return Reply(
            question=question, kind="answer", lead=lead.sentence, points=points,
            next_step=next_step, confirm=self._where_to_confirm(chosen),
            sources=list(refs.values()),
            followups=self._followups(question, retrieval, {c.passage.heading for c in chosen}),
        )

    @staticmethod
    def _where_to_confirm(chosen: list[Candidate]) -> str:
        """Which certifying body or regulator to check with, from the cited sources."""
        names: list[str] = []
        for c in chosen:
            for src in c.passage.sources:
                domain = _domain(src.get("url"))
                for key, name in CONFIRM_AT.items():
                    if (domain == key or domain.endswith("." + key)) and name not in names:
                        names.append(name)
        if any(c.passage.topic == "registration" for c in chosen):
            names.insert(0, "your state board of pharmacy")
        return f"Confirm current rules and fees with {' or '.join(names[:3])}." if names else ""

    def _followups(self, question: str, retrieval: Retrieval, used: set[str]) -> list[str]:
        """Up to three question headings of the retrieved documents not already answered."""
        q_terms = terms(question)
        out: list[str] = []
        for path in dict.fromkeys(p.path for p in retrieval.passages):
            for head in self.followups_by_path.get(path, []):
                if head not in out and head not in used and terms(head) - q_terms:
                    out.append(head)
        return out[:3]

    # --- entry points ------------------------------------------------------------------------

    def answer(self, question: str, history: list[str] | None = None) -> Reply:
        return self.answer_many([question], [history or []])[0]

    def answer_many(
        self, questions: list[str], histories: list[list[str]] | None = None
    ) -> list[Reply]:
        """Answer several questions with one batched embedding call."""
        started = time.perf_counter()
        histories = histories or [[] for _ in questions]
        replies: list[Reply | None] = [None] * len(questions)
        texts: list[str] = []
        slots: list[tuple[int, str, bool]] = []  # (question index, cleaned, truncated)
        for i, raw in enumerate(questions):
            text, truncated = clean_question(raw)
            if not has_words(text):
                replies[i] = Reply(question=raw, kind="empty", lead=templates.EMPTY_QUESTION)
                continue
            slots.append((i, text, truncated))
            texts.append(text)
            if histories[i]:
                texts.append(f"{' '.join(histories[i][-2:])} {text}")
        if slots:
            vectors = self.retriever.embed(texts)
            retrievals = self.retriever.search_many(texts, vectors)
            j = 0
            for i, text, truncated in slots:
                retrieval = retrievals[j]
                j += 1
                if histories[i]:
                    with_context = retrievals[j]
                    j += 1
                    if with_context.best_dense > retrieval.best_dense:
                        retrieval = with_context
                replies[i] = self._reply(questions[i], text, retrieval, truncated)
        elapsed = (time.perf_counter() - started) * 1000 / max(1, len(questions))
        out = []
        for r in replies:
            assert r is not None
            r.latency_ms = elapsed
            out.append(r)
        return out

    def _reply(self, raw: str, text: str, retrieval: Retrieval, truncated: bool) -> Reply:
        reply = self._reply_for_scope(raw, text, retrieval, truncated)
        reply.retrieval = retrieval
        return reply

    def _reply_for_scope(
        self, raw: str, text: str, retrieval: Retrieval, truncated: bool
    ) -> Reply:
        label, scores = self.decide_scope(retrieval)
        log.debug("scope %s %s", label, {k: round(v, 3) for k, v in scores.items()})
        if label == "emergency":
            return Reply(question=raw, kind="emergency", lead=templates.EMERGENCY_REDIRECT)
        if label == "medical":
            return Reply(question=raw, kind="medical", lead=templates.MEDICATION_REDIRECT)
        if label == "off_topic":
            return Reply(question=raw, kind="off_topic", lead=templates.OFF_TOPIC_REDIRECT)
        if retrieval.best_dense < ANSWER_EVIDENCE or not retrieval.passages:
            return Reply(question=raw, kind="no_match", lead=templates.NO_MATCH)
        reply = self.compose(text, retrieval)
        reply.question = raw
        reply.query_used = retrieval.query
        if scores["medical"] >= HEALTH_NOTE_AT or scores["emergency"] >= HEALTH_NOTE_AT:
            reply.notes.append(templates.HEALTH_NOTE)
        if truncated:
            reply.notes.insert(0, templates.LONG_QUESTION_NOTE)
        return reply
