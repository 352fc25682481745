"""``python -m bot gaps``: what users asked that the bot answered badly, grouped by the section
nearest to each question, so the next document to write is obvious.

Reads only what is stored (the conversation turns and their 👍/👎; /forget removes a user's);
each question is matched again against today's knowledge base to find its nearest section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answers.compose import Replier
from bot.answers.field_words import spell_out
from bot.storage.conversation import AskedQuestion

NO_MATCH = "no answer"
THUMBS_DOWN = "👎"
WEAK = "weak match"
WEAK_SHARE = 0.2  # of the answered, unrated questions: the weakest fifth count as weak


@dataclass
class Gap:
    section: str  # the nearest section, "path#heading", or "(nothing near)"
    count: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    example: str = ""
    closeness: float = 1.0  # the best match among its questions (lower: a wider gap)


def find_gaps(replier: Replier, asked: list[AskedQuestion], limit: int = 20) -> list[Gap]:
    """Group the badly answered questions by their nearest section: no answer, 👎, and the
    weakest matches among the rest. Most questions first."""
    if not asked:
        return []
    scored = []
    for item in asked:
        retrieval = replier.retriever.retrieve(spell_out(item.question))
        *_, hits = replier.candidates(item.question, retrieval)  # as a reply would rank them
        section = hits[0].passage.section if hits else "(nothing near)"
        closeness = hits[0].dense if hits else 0.0
        scored.append((item, section, closeness))
    answered = sorted((s for s in scored if s[0].kind == "answer" and s[0].rating is None),
                      key=lambda s: s[2])
    weak = {id(s[0]) for s in answered[:max(1, int(len(answered) * WEAK_SHARE))]} if (
        answered) else set()
    groups: dict[str, Gap] = {}
    for item, section, closeness in scored:
        if item.rating is not None and item.rating < 0:
            reason = THUMBS_DOWN
        elif item.kind == "no_match":
            reason = NO_MATCH
        elif id(item) in weak:
            reason = WEAK
        else:
            continue
        gap = groups.setdefault(section, Gap(section=section))
        gap.count += 1
        gap.reasons[reason] = gap.reasons.get(reason, 0) + 1
        if not gap.example or closeness < gap.closeness:
            gap.example, gap.closeness = item.question, closeness
    ranked = sorted(groups.values(), key=lambda g: (-g.count, g.closeness))
    return ranked[:limit]


def report(gaps: list[Gap], n_questions: int) -> str:
    if not gaps:
        return f"{n_questions} stored questions: no gaps found."
    lines = [f"{n_questions} stored questions; badly answered, by nearest section:"]
    for gap in gaps:
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(gap.reasons.items()))
        lines.append(f"{gap.count:>4}  {gap.section}  ({reasons}; closest {gap.closeness:.2f})")
        lines.append(f"      e.g. {gap.example!r}")
    return "\n".join(lines)
