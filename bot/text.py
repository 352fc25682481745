"""Plain text that every layer writes: what the user typed, quoted back in a message (the CE
parsing's errors, the handlers' replies), and the sentences of a document's paragraph (a reply
is shortened at sentence boundaries).

Imports nothing of ours.
"""

from __future__ import annotations

import re


def quote_input(text: str, limit: int = 40) -> str:
    """What the user typed, quoted back in a message: a short prefix, never the whole thing."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


SENTENCE_RE = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[A-Z0-9“\"($])")
#: A period that ends an abbreviation, not a sentence: "N.J.A.C. 13:39", "Tex. Occ. Code",
#: and a single letter before a number: "F.S. 465.014", "(s. 440.08".
ABBREVIATION_END = re.compile(
    r"(?:^|[\s(])(?:(?:[A-Za-z]\.)+[A-Za-z]|Stat|Code|Admin|Occ|Tex|Sec|No|St|Ch|Art|Reg"
    r"|Rev|Ann|Gen|Bus|Prof|Fla|Ariz|Mich|Minn|Wis|Tenn|Okla|Colo|vs|approx|incl|Dept|Inc)\.$")
LETTER_END = re.compile(r"(?:^|[\s(])[A-Za-z]\.$")


def split_sentences(text: str) -> list[str]:
    """A paragraph's sentences (a citation's abbreviation does not end one)."""
    sentences: list[str] = []
    for piece in (s.strip() for s in SENTENCE_RE.split(text)):
        if sentences and piece and (ABBREVIATION_END.search(sentences[-1]) or (
                piece[0].isdigit() and LETTER_END.search(sentences[-1]))):
            sentences[-1] = f"{sentences[-1]} {piece}"  # "F.S." did not end the sentence
        elif piece:
            sentences.append(piece)
    return sentences


def words(text: str) -> int:
    return len(text.split())


def leading_sentences(text: str, budget: int) -> str:
    """The first sentences of a paragraph within about ``budget`` words (at least one)."""
    taken: list[str] = []
    used = 0
    for sentence in split_sentences(text):
        n = words(sentence)
        if taken and used + n > budget:
            break
        taken.append(sentence)
        used += n
    return " ".join(taken)
