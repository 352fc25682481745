"""A reply as the bot gives it: its parts (paragraphs and list items, each citing its sources
by number), the sources numbered in order of first appearance, follow-ups, and what the safety
reading found; rendered as plain text (console, ``ask``) and JSON (``ask --json``). The HTML
for Telegram is :mod:`bot.telegram.formatting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.answers.language import ENGLISH

if TYPE_CHECKING:
    from bot.answers.retrieval import Retrieval


@dataclass
class SourceRef:
    number: int
    title: str
    url: str
    as_of: str
    topic: str  # of the document that cites it
    path: str


@dataclass
class Part:
    """One paragraph or list item shown in a reply, with the numbers of the sources it cites."""

    role: str  # lead | point | next_step
    text: str
    section: str  # path#heading
    topic: str
    cites: list[int]
    item: bool = False  # a list item (shown as a bullet)


@dataclass
class Reply:
    question: str
    kind: str  # answer | no_match | empty | crisis | emergency | medical | off_topic | language
    lead: str = ""
    parts: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confirm: str = ""
    sources: list[SourceRef] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    query_used: str = ""
    retrieval: Retrieval | None = field(default=None, repr=False)
    #: what the safety reading found: crisis | someone_else | emergency | medical | distress |
    #: none (a "distress" answer ends with the 988 line)
    safety: str = "none"
    lang: str = ENGLISH  # the message's language (ISO 639-1)

    @property
    def in_scope(self) -> bool:
        return self.kind in ("answer", "no_match", "empty", "language")

    @property
    def body(self) -> list[Part]:
        return [p for p in self.parts if p.role != "next_step"]

    @property
    def next_step(self) -> Part | None:
        return next((p for p in self.parts if p.role == "next_step"), None)

    @staticmethod
    def cite_marks(part: Part) -> str:
        return "".join(f"[{n}]" for n in part.cites)

    def paragraphs(self) -> list[list[Part]]:
        """The body as displayed: each paragraph alone, consecutive list items together."""
        groups: list[list[Part]] = []
        for part in self.body:
            if part.item and groups and groups[-1][-1].item:
                groups[-1].append(part)
            else:
                groups.append([part])
        return groups

    def to_text(self) -> str:
        """Plain-text rendering (console, CLI, JSON "answer")."""
        if self.kind != "answer":
            return "\n\n".join([self.lead, *self.notes])
        paragraphs = [
            "\n".join(f"{'• ' if p.item else ''}{p.text} {self.cite_marks(p)}" for p in group)
            for group in self.paragraphs()
        ]
        step = self.next_step
        if step is not None:
            paragraphs.append(f"Next step: {step.text} {self.cite_marks(step)}")
        paragraphs.extend(self.notes)
        if self.confirm:
            paragraphs.append(self.confirm)
        paragraphs.append(
            "Sources:\n"
            + "\n".join(f"[{s.number}] {s.title} ({s.as_of}) — {s.url}" for s in self.sources)
        )
        return "\n\n".join(paragraphs)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "kind": self.kind,
            "in_scope": self.in_scope,
            "answer": self.to_text(),
            "parts": [
                {"role": p.role, "text": p.text, "section": p.section, "topic": p.topic,
                 "cites": p.cites, "item": p.item}
                for p in self.parts
            ],
            "sources": [
                {"n": s.number, "title": s.title, "url": s.url, "as_of": s.as_of,
                 "topic": s.topic, "path": s.path}
                for s in self.sources
            ],
            "followups": self.followups,
            "safety": self.safety,
            "lang": self.lang,
            "latency_ms": round(self.latency_ms, 2),
        }


