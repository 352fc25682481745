"""Which block of a section a reply shows first: the one that states what the question asks for.

A section is shown as written, but its opening is not always the fact a question wants: "cspt
test length?" wants the block with the number of questions and the time, "16 yr old tech in ky
allowed?" the line of Kentucky's card with the minimum age. These functions reorder a section's
own blocks (each keeps its citations); they never write text.
"""

from __future__ import annotations

import re

from bot.answers.retrieval import Passage, lexical_terms
from bot.content import states as state_rules

#: What kind of figure a question asks for, and how that figure is written in a section:
#: "how much" wants a dollar amount ("how much time" a duration), "how long" a duration, "how
#: many" a count, a ratio a ratio.
_DURATION = re.compile(
    r"\b\d+(?:\.\d+)?(?:\s*(?:-|to|–)\s*\d+)?\s*(?:minutes?|hours?|days?|weeks?|months?|years?)\b"
    r"|\b(?:one|two|three|four|five|six|twelve) (?:minutes?|hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE)
ASKED_FIGURES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"\b(?:how much (?:time|experience|training|schooling|school)|how long|length"
                r"|long is|wait|till|until|how soon|timeline|how many "
                r"(?:years|months|weeks|days|hours|hrs|minutes))\b", re.IGNORECASE), _DURATION),
    (re.compile(r"\b(?:how much|cost|costs|fee|fees|price|pay|paid|salary|wage|make|\$)",
                re.IGNORECASE), re.compile(r"\$\s?\d")),
    (re.compile(r"\bratio\b", re.IGNORECASE),
     re.compile(r"\b\d+\s*(?::|to)\s*\d+\b|\d+ (?:pharmacy )?technicians?\b", re.IGNORECASE)),
    (re.compile(r"\bhow many\b", re.IGNORECASE), re.compile(r"\b\d+\b")),
)
FIGURE_WITHIN = 300  # characters: where a reader looks for the figure they asked for


def terms(text: str) -> frozenset[str]:
    """Stemmed content words of a text (the same analysis BM25 uses)."""
    return frozenset(lexical_terms(text))


def asked_figure_first(blocks: list[dict], question: str) -> list[dict]:
    """The section's blocks, with the one that states the figure the question asks for moved
    first when the opening does not state it ("cspt test length?" -> the block with "75
    questions" and the time)."""
    wanted = next((figure for asks, figure in ASKED_FIGURES if asks.search(question)), None)
    if wanted is None or not blocks or wanted.search(blocks[0]["text"][:FIGURE_WITHIN]):
        return blocks
    q_terms = terms(question)
    best, best_overlap = None, -1
    for i, block in enumerate(blocks[1:], start=1):
        if block["text"].rstrip().endswith(":") or not wanted.search(block["text"]):
            continue
        overlap = len(q_terms & terms(block["text"]))
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    if best is None or best_overlap < 1:
        return blocks
    return [blocks[best], *blocks[:best], *blocks[best + 1:]]


def state_facts_first(blocks: list[dict], question: str) -> list[dict]:
    """A state card's lines about what the question asks (its age, its certification rule, its
    training...) before the card's opening sentence, in the card's order."""
    asked = state_rules.asked_facts(question)
    if not asked:
        return blocks
    first = [b for b in blocks if state_rules.fact_of_line(b["text"]) in asked]
    return [*first, *(b for b in blocks if b not in first)] if first else blocks


def asked_first(passage: Passage, question: str) -> list[dict]:
    """The blocks of ``passage`` in the order a reply to ``question`` shows them."""
    blocks = passage.blocks
    if passage.path.startswith(state_rules.STATE_DOCUMENTS):
        blocks = state_facts_first(blocks, question)
    return asked_figure_first(blocks, question)

