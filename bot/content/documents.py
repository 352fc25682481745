"""The knowledge-base contract: document front matter, sections, citations, validation.

`ingest.py` and the tests use this module, so a document the tests reject is the
same document ingest rejects, with the same ``file: problem`` message.

Citation format (also described in ``knowledge/README.md``):

* every source in the front matter has a short ``id`` (lowercase letters, digits and
  hyphens, unique within the document), e.g. ``id: ptcb-cspt-req``;
* the body is split into ``## `` sections, each headed by the question it answers;
* every paragraph and every list item ends with one or more markers ``[^id]`` naming the
  sources that support it, e.g. ``... a $149 exam fee.[^ptcb-refund][^ptcb-cspt]``;
* markers stand only at the end of a paragraph or item; each must name a source of the
  document, and every source must be cited at least once.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TOPICS: dict[str, str] = {
    "start": "Starting out",
    "registration": "State registration and licensure",
    "certification": "Certification (PTCB and NHA)",
    "ce_renewal": "CE and renewal",
    "sterile_compounding": "Sterile compounding",
    "oncology_hazardous": "Oncology and hazardous drugs",
    "informatics": "Informatics and automation",
    "nuclear": "Nuclear pharmacy",
    "settings": "Practice settings",
    "leadership": "Leadership roles",
    "pay_outlook": "Pay and job outlook",
    "beyond_tech": "Beyond the technician role",
    "wellbeing": "Wellbeing at work",
}

STAGES: tuple[str, ...] = (
    "foundation",
    "experience",
    "certification",
    "specialization",
    "leadership",
    "continuing_education",
)

Topic = Literal[
    "start", "registration", "certification", "ce_renewal", "sterile_compounding",
    "oncology_hazardous", "informatics", "nuclear", "settings", "leadership",
    "pay_outlook", "beyond_tech", "wellbeing",
]
Stage = Literal[
    "foundation", "experience", "certification", "specialization", "leadership",
    "continuing_education",
]


FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)


SOURCE_ID_RE = r"^[a-z0-9][a-z0-9-]{0,47}$"
MARKER_RE = re.compile(r"\[\^([^\]\s]*)\]")
TRAILING_MARKERS_RE = re.compile(r"(?:\s*\[\^[^\]\s]*\])+\s*$")
BULLET_RE = re.compile(r"^(?:[-*•]|\d+[.)])\s+")


class Source(BaseModel):
    """One source a document's facts trace to."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SOURCE_ID_RE, description="short id used by [^id] markers")
    title: str = Field(min_length=3)
    url: str
    as_of: str = Field(min_length=1, description="Date or version the source states, or 'undated'")
    reliability: Literal["official", "assoc", "3rd-party"] = "official"

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of_to_text(cls, value: object) -> object:
        return value.isoformat() if isinstance(value, dt.date) else value


class FrontMatter(BaseModel):
    """The YAML front matter every knowledge document carries."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3)
    topic: Topic
    stage: Stage
    sources: list[Source] = Field(min_length=1)
    reviewed: dt.date
    stage_overview: bool = False
    #: how technicians ask for each section, in their own words: heading -> 3 to 6 phrasings
    #: (short, lowercase, slangy), embedded beside the heading so questions match questions
    asked: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("asked")
    @classmethod
    def _asked_shape(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for heading, phrasings in value.items():
            if not ASKED_MIN <= len(phrasings) <= ASKED_MAX:
                raise ValueError(f"asked[{heading!r}]: give {ASKED_MIN} to {ASKED_MAX} phrasings,"
                                 f" not {len(phrasings)}")
            for phrasing in phrasings:
                if not isinstance(phrasing, str) or not 3 <= len(phrasing.strip()) <= ASKED_CHARS:
                    raise ValueError(f"asked[{heading!r}]: {phrasing!r} must be a question of 3 to"
                                     f" {ASKED_CHARS} characters")
            if len({p.strip().lower() for p in phrasings}) < len(phrasings):
                raise ValueError(f"asked[{heading!r}]: a phrasing is repeated")
        return value


ASKED_MIN, ASKED_MAX, ASKED_CHARS = 3, 6, 120


@dataclass(frozen=True)
class Block:
    """A paragraph or one list item of a section, with the ids of the sources it cites."""

    kind: Literal["paragraph", "item"]
    text: str  # as written, markers removed
    cites: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    path: str  # relative to its knowledge root, with forward slashes
    meta: FrontMatter
    body: str
    sections: tuple[Section, ...] = ()

    def source(self, source_id: str) -> Source:
        return next(s for s in self.meta.sources if s.id == source_id)



# libyaml's loader when PyYAML was built with it (the wheels are): 10x faster than the pure
# Python one, which was most of a no-op ingest and of the bot's start-up
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str):
    """``yaml.safe_load`` with libyaml when available (same results, same errors)."""
    return yaml.load(text, Loader=_YAML_LOADER)


def _block(kind: Literal["paragraph", "item"], lines: list[str]) -> tuple[Block, list[str]]:
    """One block from its lines; returns it with the problems found in it."""
    text = " ".join(line.strip() for line in lines)
    problems: list[str] = []
    trailing = TRAILING_MARKERS_RE.search(text)
    cites = tuple(MARKER_RE.findall(trailing.group(0))) if trailing else ()
    content = text[: trailing.start()].rstrip() if trailing else text
    if MARKER_RE.search(content):
        problems.append("a [^id] marker stands inside the text (markers go at the end)")
    if not cites:
        problems.append("no [^id] source marker at its end")
    return Block(kind=kind, text=content, cites=cites), problems


def parse_sections(body: str) -> tuple[list[Section], list[str]]:
    """Split a body into ``## `` sections of paragraphs and list items.

    Returns the sections and a list of problems, each naming the section and the start of
    the block it is about.
    """
    sections: list[Section] = []
    problems: list[str] = []
    heading: str | None = None
    blocks: list[Block] = []
    lines: list[str] = []
    kind: Literal["paragraph", "item"] = "paragraph"

    def end_block() -> None:
        nonlocal lines
        if lines:
            block, found = _block(kind, lines)
            where = f"section {heading!r}" if heading else "text before the first heading"
            problems.extend(f"{where}: {p}: {block.text[:60]!r}" for p in found)
            blocks.append(block)
        lines = []

    def end_section() -> None:
        nonlocal blocks
        end_block()
        if heading is not None:
            if not blocks:
                problems.append(f"section {heading!r} is empty")
            sections.append(Section(heading=heading, blocks=tuple(blocks)))
        elif blocks:
            problems.append("text before the first '## ' heading (put it under a heading)")
        blocks = []

    for raw in body.splitlines():
        line = raw.rstrip()
        if line.startswith("#"):
            if not line.startswith("## "):
                problems.append(f"heading {line[:60]!r}: use '## ' headings only")
                continue
            end_section()
            heading = line[3:].strip()
            continue
        if not line.strip():
            end_block()
            continue
        bullet = BULLET_RE.match(line)
        if bullet:
            end_block()
            kind = "item"
            lines = [line[bullet.end():]]
        elif lines and kind == "item" and raw[:1].isspace():
            lines.append(line)  # continuation of a list item
        else:
            if lines and kind == "item":
                end_block()
            if not lines:
                kind = "paragraph"
            lines.append(line)
    end_section()
    return sections, problems


def citation_problems(meta: FrontMatter, sections: list[Section]) -> list[str]:
    """Markers that name no source, sources no marker cites, duplicate source ids."""
    problems: list[str] = []
    ids = [s.id for s in meta.sources]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"source id {dup!r} is used by more than one source")
    cited: set[str] = set()
    for section in sections:
        for block in section.blocks:
            for cite in block.cites:
                cited.add(cite)
                if cite not in ids:
                    problems.append(
                        f"section {section.heading!r}: marker [^{cite}] names no source "
                        f"(sources: {', '.join(ids)})"
                    )
    for unused in (i for i in ids if i not in cited):
        problems.append(f"source {unused!r} is cited by no paragraph")
    return problems


class DocumentError(ValueError):
    """A document that breaks the contract; ``str()`` is ``file: problem``."""


def _pydantic_problem(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "front matter"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field"
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def parse_document(text: str, path: str) -> Document:
    """Parse one Markdown document with YAML front matter, or raise DocumentError."""
    text = text.removeprefix("\ufeff")
    match = FRONT_MATTER_RE.match(text)
    if match is None:
        if not text.startswith("---"):
            raise DocumentError(f"{path}: no YAML front matter (the file must start with ---)")
        raise DocumentError(f"{path}: front matter is not closed with ---")
    header, body = match.group(1), text[match.end():]
    try:
        raw = load_yaml(header)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise DocumentError(f"{path}: front matter is not valid YAML{where} ({problem})") from None
    if not isinstance(raw, dict):
        raise DocumentError(f"{path}: front matter must be a mapping of fields")
    try:
        meta = FrontMatter.model_validate(raw)
    except ValidationError as exc:
        raise DocumentError(f"{path}: {_pydantic_problem(exc)}") from None
    body = body.strip()
    if not body:
        raise DocumentError(f"{path}: empty body")
    if not any(line.startswith("## ") for line in body.splitlines()):
        raise DocumentError(f"{path}: no '## ' heading in the body")
    sections, problems = parse_sections(body)
    problems.extend(citation_problems(meta, sections))
    headings = {section.heading for section in sections}
    problems.extend(f"asked: {heading!r} is not a '## ' heading of this document"
                    for heading in meta.asked if heading not in headings)
    if problems:
        raise DocumentError("\n".join(f"{path}: {p}" for p in problems))
    return Document(path=path, meta=meta, body=body, sections=tuple(sections))


def load_documents(roots: list[Path]) -> list[Document]:
    """Load and validate every ``*.md`` under the roots.

    Raises DocumentError listing every problem (one ``file: problem`` per line), so a bad
    knowledge base is rejected whole before anything is written.
    """
    documents: list[Document] = []
    problems: list[str] = []
    for root in roots:
        if not root.is_dir():
            problems.append(f"{root}: not a directory")
            continue
        for file in sorted(root.rglob("*.md")):
            rel = file.relative_to(root).as_posix()
            if rel.lower() == "readme.md":
                continue
            label = rel if root == roots[0] else f"{root.name}/{rel}"
            try:
                text = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                problems.append(f"{label}: not UTF-8 text")
                continue
            try:
                documents.append(parse_document(text, label))
            except DocumentError as exc:
                problems.append(str(exc))
    seen: dict[str, str] = {}
    for doc in documents:
        key = doc.meta.title.strip().lower()
        if key in seen:
            problems.append(f"{doc.path}: duplicate title {doc.meta.title!r} (also in {seen[key]})")
        else:
            seen[key] = doc.path
    if problems:
        raise DocumentError("\n".join(problems))
    return documents


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.content.documents [DIR ...]`: validate documents, print counts per topic."""
    args = argv if argv is not None else sys.argv[1:]
    roots = [Path(a) for a in args] or [Path("knowledge")]
    try:
        docs = load_documents(roots)
    except DocumentError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = {t: 0 for t in TOPICS}
    for d in docs:
        counts[d.meta.topic] += 1
    print(f"{len(docs)} documents valid")
    for topic, n in counts.items():
        print(f"  {topic}: {n}")
    overviews = sorted(d.meta.stage for d in docs if d.meta.stage_overview)
    print(f"  stage overviews: {', '.join(overviews) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
