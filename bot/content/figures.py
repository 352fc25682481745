"""Whether a figure in the bot's rule data is stated by the knowledge base.

Rule data (the CE rules in ``bot/ce/data/``) names, for each figure, the knowledge document
(a path under ``knowledge/``) and the ``## `` section that states it. This module reads those
sections with :mod:`bot.content.documents`'s parser and answers "does this section state 20 hours?".

A figure is stated when it stands in the section's text as a whole number: "20 CE hours"
states 20, while "2025", "$20", "20%", "1.20", "120" and "0009-0000-20-005-H05-T" do not.
Number words count as digits ("less than one year" states 1 year), thousands separators are
ignored (1,200 is 1200), and a figure with a unit (60 days, 1 year, 24 months) must stand
before that unit; a cycle in months is also stated in whole years ("every 2 years" states a
24-month cycle).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.documents import DocumentError, parse_document

#: The figures of a piece of prose: money, percentages, ordinals and plain numbers.
FIGURE = re.compile(r"\$?\d[\d,]*(?:\.\d+)?(?:%|st|nd|rd|th)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "first": "1st",
}  # fmt: skip
_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)

#: Units a figure may carry, with the words that name them in the documents.
UNITS: dict[str, str] = {"days": r"days?", "months": r"months?", "years": r"years?"}


def normalize(text: str) -> str:
    """Text as figures are looked up in: number words as digits, no thousands separators."""
    return _WORD.sub(lambda m: _NUMBER_WORDS[m[1].lower()], _THOUSANDS.sub("", text))


def figures(text: str) -> list[str]:
    """Every figure in ``text``, in order: ``"$25 ... 1st day ... ($80)"`` ->
    ``["$25", "1st", "$80"]``."""
    return [raw.rstrip(",") for raw in FIGURE.findall(_THOUSANDS.sub("", text))]


def number_text(value: float) -> str:
    """``20.0`` -> ``"20"``, ``1.5`` -> ``"1.5"``."""
    return f"{value:g}"


def _pattern(figure: str) -> str:
    before = r"(?<![\w$])" if figure.startswith("$") else r"(?<![\w$.])(?<!\d-)"
    return before + re.escape(figure) + r"(?![\w%]|[.,]\d|-\d)"


def states(figure: str, text: str) -> bool:
    """Whether ``text`` states ``figure`` as a whole number (see the module docstring)."""
    return re.search(_pattern(figure), normalize(text)) is not None


def states_with_unit(value: float, unit: str, text: str) -> bool:
    """Whether ``text`` states ``value`` followed by ``unit`` ("60 days", "a 2-year cycle");
    months are also found as whole years."""
    forms = [(number_text(value), UNITS[unit])]
    if unit == "months" and value % 12 == 0:
        forms.append((number_text(value / 12), UNITS["years"]))
    normalized = normalize(text)
    return any(
        re.search(_pattern(number) + r"[- ](?:[\w-]+ )?" + word + r"\b", normalized,
                  re.IGNORECASE)
        for number, word in forms
    )


@dataclass
class KnowledgeSections:
    """The ``## `` sections of the documents under ``root``, parsed on first use (only the
    documents a rule names are read)."""

    root: Path
    _documents: dict[str, dict[str, str]] = field(default_factory=dict)
    _unreadable: dict[str, str] = field(default_factory=dict)

    def _read(self, doc: str) -> None:
        path = self.root / doc
        if not doc.endswith(".md") or ".." in Path(doc).parts or not path.is_file():
            self._unreadable[doc] = f"knowledge/{doc} does not exist"
            return
        try:
            document = parse_document(path.read_text(encoding="utf-8"), doc)
        except (DocumentError, UnicodeDecodeError) as exc:
            self._unreadable[doc] = f"knowledge/{doc} can't be read: {exc}"
            return
        self._documents[doc] = {
            s.heading: "\n".join(b.text for b in s.blocks) for s in document.sections
        }

    def text(self, doc: str, section: str) -> str:
        """The text of one section; :class:`LookupError` saying what is missing."""
        if doc not in self._documents and doc not in self._unreadable:
            self._read(doc)
        if doc in self._unreadable:
            raise LookupError(self._unreadable[doc])
        sections = self._documents[doc]
        if section not in sections:
            headings = "; ".join(f'"{h}"' for h in sections)
            raise LookupError(
                f'knowledge/{doc} has no section "{section}" (its sections: {headings})'
            )
        return sections[section]
