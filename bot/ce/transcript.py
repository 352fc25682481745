"""Reading a CPE Monitor transcript: the text of the PDF a technician downloads from their
NABP e-Profile, or the text they copy from the e-Profile page, as lines. Pure: the text comes
in (PDF text extraction is done at the edge), activities come out, with the rows that could
not be read and why.

Every activity is anchored on its ACPE UAN (read by :func:`bot.ce.parsing.parse_uan`, so every
topic designator, L/H/B and P/T). The layout may vary:

* columns in any order, found from the heading row (``Activity Title``, ``Provider``,
  ``UAN``, ``Date of Participation``, ``Contact Hours``, ``CEUs``; a heading may itself wrap),
  cells separated by tabs (copied from a web page) or by runs of spaces (a PDF's layout);
  without a heading row, the fields are told apart by their shapes;
* a row wrapped over several lines (a long title or provider, even a UAN broken at a dash):
  the lines after a row's first line belong to it until a blank line, a heading or the next row;
* the heading repeated on every page, page headers and footers, a totals line;
* dates as ``03/14/2026``, ``2026-03-14`` or ``Mar 14, 2026``; credit as contact hours
  (``1.25``) or CEUs (``0.125``, times 10);
* or each activity as a card, one field a line (``UAN: ...``, ``Date: ...``).

Known limit: in a table whose rows have no space between them and whose shorter cells are
centred beside a wrapped title, a title line above a row's UAN can't be told from the row
above's; the UAN, date and hours are still read right.

Rows without a UAN (non-ACPE credit the user uploaded) are returned as not imported, and rows
that look like activities but can't be read come back with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.ce.model import CEEntry, CEInputError, _r2
from bot.ce.parsing import MAX_HOURS_PER_ACTIVITY, parse_ce_date, parse_uan

FIELDS = ("title", "provider", "uan", "date", "hours", "ceus")

#: Bounds on what one transcript may be (a pasted text or a PDF's extracted text).
MAX_LINES = 20_000
MAX_LINE_CHARS = 1_000
MAX_CHARS = 2_000_000

_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2010": "-",
                         "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u2212": "-", "\r": ""})
_UAN = re.compile(r"(?<![\w-])(?:JA\d{7}|\d{4})-\d{4}-\d{2}-\d{3}-[A-Z]\d{2}-[A-Z](?![\w-])",
                  re.IGNORECASE)
#: Something a UAN was meant to be: a provider number and a dash, then digits and dashes.
_UAN_START = re.compile(r"(?<![\w-])(?:JA\d{5,9}|\d{3,5})-[0-9A-Z]{1,4}-", re.IGNORECASE)
_UAN_LIKE = re.compile(r"(?<![\w-])(?:JA\d{5,9}|\d{3,5})(?:-[0-9A-Z]{1,5}){2,6}-?",
                       re.IGNORECASE)
_DATE = re.compile(
    r"(?<![\w/-])(?:\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})"
    r"(?![\w/-])", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,4})?$")
_DECIMAL = re.compile(r"(?<![\w./-])\d{1,3}\.\d{1,4}(?![\w./-])")
_CELL_GAP = re.compile(r"\S+(?: \S+)*")  # runs of words separated by single spaces
_WORD = re.compile(r"\S+")
_TOTAL = re.compile(r"^\s*(?:grand\s+)?totals?\b", re.IGNORECASE)
_NOISE = re.compile(
    r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|.*\be-?profile\s+id\b.*|.*\bcpe\s+monitor\b.*|"
    r".*\btranscript\b.*|name\s*:.*|printed\s+(?:on|at)\b.*|date\s+range\b.*|"
    r"(?:uploaded\s+)?non-acpe\b.*|acpe\s+(?:credit|activities)\s*)$", re.IGNORECASE)
_EPROFILE = re.compile(r"e-?profile\s+id\s*[:#]?\s*(\d{5,9})", re.IGNORECASE)
_NAME = re.compile(r"\bname\s*:\s*(.+?)(?:\s{2,}|\t|$|\s+(?:nabp|e-?profile)\b)", re.IGNORECASE)

#: Heading words, by the field they name. A heading is classified by the first field in this
#: order whose words it contains ("Activity Number" is the UAN, "Credits (CEU)" the CEUs).
_HEADING_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("uan", ("uan", "universal activity", "activity number", "activity #", "acpe #",
             "acpe number", "program number")),
    ("ceus", ("ceu",)),
    ("hours", ("hour", "contact", "credit", "hrs")),
    ("date", ("date", "participation", "completed", "completion")),
    ("provider", ("provider", "sponsor")),
    ("title", ("title", "activity", "program", "course")),
)
_HEADING_WORDS = {
    "activity", "title", "provider", "uan", "universal", "number", "date", "of",
    "participation", "contact", "hours", "hour", "ceus", "ceu", "credit", "credits", "acpe",
    "#", "completed", "completion", "program", "course", "sponsor", "name", "(ceu)", "(ceus)",
    "hrs", "units", "ce", "format", "type", "status", "delivery", "location", "activity's",
    "provided", "by", "awarded", "earned", "cpe", "id", "no", "total", "credit(s)",
}


@dataclass(frozen=True)
class TranscriptActivity:
    """One ACPE activity read from a transcript."""

    title: str
    provider: str
    uan: str
    completed_on: date
    hours: float

    def entry(self) -> CEEntry:
        uan = parse_uan(self.uan)
        return CEEntry(hours=self.hours, topic=uan.topic, audience=uan.audience,
                       completed_on=self.completed_on, title=self.title[:200], uan=uan.text,
                       delivery=uan.delivery)


@dataclass(frozen=True)
class SkippedRow:
    """A row not imported: ``no-uan`` (credit without an ACPE UAN, which ``/ce add`` can log)
    or ``unreadable`` (it looked like an activity, but ``reason`` says what is wrong)."""

    text: str
    reason: str
    kind: Literal["no-uan", "unreadable"]


@dataclass(frozen=True)
class Transcript:
    activities: tuple[TranscriptActivity, ...]
    skipped: tuple[SkippedRow, ...]
    name: str | None = None
    eprofile_id: str | None = None
    stated_total_hours: float | None = None  # the totals line, if the transcript has one
    has_headings: bool = False

    @property
    def not_imported(self) -> tuple[SkippedRow, ...]:
        return tuple(s for s in self.skipped if s.kind == "no-uan")

    @property
    def unreadable(self) -> tuple[SkippedRow, ...]:
        return tuple(s for s in self.skipped if s.kind == "unreadable")

    @property
    def looks_like_transcript(self) -> bool:
        """Some row has a UAN (readable or not), or the text has a transcript's heading row
        or e-Profile ID: a row with a date and no UAN alone is not enough."""
        return bool(self.activities or self.unreadable) or (
            self.has_headings or self.eprofile_id is not None)


# --------------------------------------------------------------------------------------------
# Lines -> cells -> columns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    start: int
    text: str


def _cells(line: str) -> list[_Cell]:
    """Cells of a line: separated by tabs (positions are the cell's index, times 1000) or by
    two or more spaces (positions are character columns)."""
    if "\t" in line:
        return [_Cell(i * 1000, " ".join(part.split())) for i, part in enumerate(line.split("\t"))
                if part.strip()]
    return [_Cell(m.start(), m.group()) for m in _CELL_GAP.finditer(line)]


def _heading_field(text: str) -> str | None:
    lowered = text.lower()
    for name, keys in _HEADING_KEYS:
        if any(key in lowered for key in keys):
            return name
    return None


def _name_columns(texts: list[str]) -> list[str | None]:
    """The field of each heading (``None``: unknown, or a field an earlier heading has). Of two
    hours headings, the one saying hours or contact wins over a mere credit (``Credit Type``)."""
    names = [_heading_field(t.replace("\n", " ")) or _heading_field(t.replace("\n", ""))
             for t in texts]
    strong = [k for k, (t, n) in enumerate(zip(texts, names, strict=True))
              if n == "hours" and re.search(r"hour|contact|hrs", t, re.IGNORECASE)]
    if strong:
        names = [None if n == "hours" and k != strong[0] else n for k, n in enumerate(names)]
    seen: set[str] = set()
    for k, name in enumerate(names):
        if name in seen:
            names[k] = None
        elif name is not None:
            seen.add(name)
    return names


def _is_heading_word(word: str, pieces: bool) -> bool:
    """A heading word, or (``pieces``) a piece of one that a narrow column broke (``Conta`` +
    ``ct``)."""
    return word in _HEADING_WORDS or (pieces and word.isalpha() and any(
        h.startswith(word) or h.endswith(word) for h in _HEADING_WORDS if len(h) > 3))


def _is_heading_words(text: str, pieces: bool = True) -> bool:
    words = [w.strip("()[]:.,#") for w in text.lower().replace("/", " ").split()]
    return bool(words) and not any(c.isdigit() for c in text) and all(
        _is_heading_word(w, pieces) for w in words if w)


@dataclass
class _Columns:
    """Where each field's column starts on the line (positions of its heading cells)."""

    starts: list[tuple[int, str | None]]  # (position, field or None: unknown), by position
    tabbed: bool
    texts: list[str] = field(default_factory=list)  # each column's heading, as read so far

    def extend(self, line: str) -> None:
        """A heading row wrapped onto ``line``: its words join the headings above them, and
        the columns are named again (``Date of`` + ``Participation``, ``Conta`` + ``ct``)."""
        if self.tabbed:
            return
        for m in _WORD.finditer(line):
            i = max((k for k, (start, _) in enumerate(self.starts) if m.start() >= start - 2),
                    default=0)
            self.texts[i] += "\n" + m.group()
        for k, name in enumerate(_name_columns(self.texts)):
            self.starts[k] = (self.starts[k][0], name)

    @property
    def names(self) -> set[str]:
        return {name for _, name in self.starts if name is not None}

    def field_at(self, position: int) -> str | None:
        if self.tabbed:
            return next((f for p, f in self.starts if p == position), None)
        chosen = self.starts[0][1]
        for start, name in self.starts:
            if position >= start - 2:
                chosen = name
        return chosen


def _read_headings(line: str) -> _Columns | None:
    """The columns, if ``line`` is a heading row: at least three fields named, one of them the
    UAN, and nothing but heading words."""
    cells = _cells(line)
    if len(cells) < 3 or not all(_is_heading_words(c.text) for c in cells):
        return None
    names = _name_columns([c.text for c in cells])
    starts = [(c.start, name) for c, name in zip(cells, names, strict=True)]
    seen = {name for name in names if name is not None}
    if len(seen) < 3 or "uan" not in seen:
        return None
    return _Columns(starts, "\t" in line, [c.text for c in cells])


def _split_by_column(line: str, columns: _Columns | None) -> dict[str, str]:
    """A line's text by field (``"_"``: no columns known, everything together)."""
    if columns is None:
        return {"_": "\t".join(c.text for c in _cells(line))}
    out: dict[str, list[str]] = {}
    cells = _cells(line)
    if columns.tabbed or len(cells) == len(columns.starts):
        # tabs, or a cell under every heading (aligned or not, e.g. pasted with spaces)
        for c, (_, name) in zip(cells, columns.starts, strict=False):
            if columns.tabbed:
                name = columns.field_at(c.start)
            if name is not None:
                out.setdefault(name, []).append(c.text)
    else:
        for m in _WORD.finditer(line):
            name = columns.field_at(m.start())
            if name is not None:
                out.setdefault(name, []).append(m.group())
    return {k: " ".join(v) for k, v in out.items()}


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass
class _Row:
    parts: list[dict[str, str]] = field(default_factory=list)  # one per line
    columns: _Columns | None = None

    def text(self, name: str) -> str:
        joined = ""
        for part in self.parts:
            piece = part.get(name, "")
            if not piece:
                continue
            if not joined:
                joined = piece
            elif (name in ("uan", "date", "hours", "ceus")
                  and (joined.endswith(("-", "/")) or piece.startswith(("-", "/")))) or (
                    re.search(r"\w-$", joined) and piece[:1].isalpha()):
                joined += piece  # a UAN or date broken at its dash, a word at its hyphen
            else:
                joined += " " + piece
        return joined

    def raw(self) -> str:
        return " ".join(" ".join(p.values()).replace("\t", " ") for p in self.parts)


def _starts_row(part: dict[str, str], columns: _Columns | None) -> bool:
    if columns is None:
        text = part["_"]
        return bool(_UAN_START.search(text) or _DATE.search(text))
    names = columns.names
    if part.get("uan") and _UAN_START.search(part["uan"] + "-"):
        return True
    if "date" in names and part.get("date") and _DATE.search(part["date"]):
        return True
    if "date" not in names:
        return any(part.get(n) and _NUMBER.match(part[n]) for n in ("hours", "ceus"))
    return False


def _completes(row: _Row | None, part: dict[str, str]) -> bool:
    """Whether ``part`` is the rest of ``row`` rather than a new row: the row has the start of
    a UAN and no date yet (a UAN cell wrapped above the row's middle), and ``part`` starts no
    UAN of its own."""
    if row is None or row.columns is None or "date" not in row.columns.names:
        return False
    uan = row.text("uan").replace(" ", "")
    return (bool(_UAN_START.search(uan + "-")) and not _UAN.search(uan)
            and not row.text("date") and not _UAN_START.search(part.get("uan", "") + "-"))


def _short(message: str) -> str:
    """A parsing error's message without its ``Try: /ce add ...`` example."""
    return message.split(" Try:")[0].split(" A UAN has six parts")[0].strip()


def _credit(hours_text: str, ceus_text: str) -> float:
    """Contact hours of a row: its hours, or its CEUs times 10 (the first of them that is a
    number: a column named like credit may hold words)."""
    cells = [(t.strip(), f, label) for t, f, label in (
        (hours_text, 1, "contact hours"), (ceus_text, 10, "CEUs")) if t.strip()]
    numeric = [c for c in cells if _NUMBER.match(c[0])]
    if cells and not numeric:
        text, _, label = cells[0]
        raise CEInputError(f"I couldn't read \u201c{text[:40]}\u201d as {label}.")
    for text, factor, label in numeric[:1]:
        hours = _r2(float(text) * factor)
        if not 0 < hours <= MAX_HOURS_PER_ACTIVITY:
            raise CEInputError(
                f"{text} {label} is not between 0 and {MAX_HOURS_PER_ACTIVITY} hours.")
        return hours
    raise CEInputError("I found no contact hours or CEUs in it.")


def _fields_without_columns(row: _Row) -> dict[str, str]:
    """Title, provider, UAN, date, hours and CEUs of a row whose columns are unknown, from the
    shapes of its parts: text cells are the title, then the provider."""
    text = "\t".join(p["_"] for p in row.parts)
    out = {"uan": "", "date": "", "hours": "", "ceus": "", "title": "", "provider": ""}
    if m := (_UAN.search(text) or _UAN_LIKE.search(text)):
        out["uan"] = m.group()
        text = text[:m.start()] + "\t" + text[m.end():]
    if m := _DATE.search(text):
        out["date"] = m.group()
        text = text[:m.start()] + "\t" + text[m.end():]
    numbers = [m for m in _DECIMAL.finditer(text)]
    values = [float(m.group()) for m in numbers]
    if len(values) >= 2 and abs(values[0] - values[1] * 10) < 0.006:
        out["hours"], out["ceus"] = numbers[0].group(), numbers[1].group()
    elif len(values) >= 2 and abs(values[1] - values[0] * 10) < 0.006:
        out["hours"], out["ceus"] = numbers[1].group(), numbers[0].group()
    elif values:
        key = "ceus" if len(numbers[-1].group().split(".")[1]) == 3 else "hours"
        out[key] = numbers[-1].group()
    for m in reversed(numbers[:2] if len(values) >= 2 else numbers[-1:]):
        text = text[:m.start()] + "\t" + text[m.end():]
    cells = [" ".join(c.split()) for c in text.split("\t") if c.strip()]
    if cells:
        out["title"] = cells[0]
    if len(cells) > 1:
        out["provider"] = cells[1]
    return out


def _read_row(row: _Row, today: date) -> TranscriptActivity | SkippedRow:
    raw = " ".join(row.raw().split())
    if row.columns is None:
        values = _fields_without_columns(row)
    else:
        values = {name: row.text(name) for name in FIELDS}
    uan_text = values["uan"].replace(" ", "")
    found = _UAN.search(uan_text)
    if found is None:
        if not (_UAN_LIKE.search(uan_text) or _UAN_START.search(uan_text)):
            return SkippedRow(raw, "no ACPE UAN (not ACPE-accredited credit)", "no-uan")
        return SkippedRow(raw, _short(str(_uan_error(uan_text))), "unreadable")
    try:
        uan = parse_uan(found.group())
    except CEInputError as exc:
        return SkippedRow(raw, _short(str(exc)), "unreadable")
    try:
        if not values["date"].strip():
            raise CEInputError("I found no date of participation in it.")
        completed_on = parse_ce_date(values["date"], today)
        hours = _credit(values["hours"], values["ceus"])
    except CEInputError as exc:
        return SkippedRow(raw, _short(str(exc)), "unreadable")
    return TranscriptActivity(title=" ".join(values["title"].split()),
                              provider=" ".join(values["provider"].split()), uan=uan.text,
                              completed_on=completed_on, hours=hours)


def _uan_error(text: str) -> CEInputError:
    candidate = (_UAN_LIKE.search(text) or _UAN_START.search(text))
    try:
        parse_uan(candidate.group().rstrip("-") if candidate else text)
    except CEInputError as exc:
        return exc
    return CEInputError(f"\u201c{text[:40]}\u201d is not a whole UAN.")


def _stated_total(line: str) -> float | None:
    numbers = _DECIMAL.findall(line) or re.findall(r"\b\d{1,3}\b", line)
    if not numbers:
        return None
    lowered = line.lower()
    if "hour" in lowered or "ceu" not in lowered:
        return _r2(float(numbers[0]))
    return _r2(float(numbers[0]) * 10)


def _bounded(lines: Iterable[str]) -> list[str]:
    """The lines, normalised (dashes, odd spaces), within :data:`MAX_LINES` and
    :data:`MAX_CHARS`."""
    out: list[str] = []
    size = 0
    for raw_line in lines:
        line = raw_line[:MAX_LINE_CHARS].translate(_SPACES).rstrip()
        size += len(line)
        if len(out) >= MAX_LINES or size > MAX_CHARS:
            break
        out.append(line)
    return out


_LABELLED = re.compile(r"^\s*([A-Za-z][A-Za-z ()#'/.-]{1,40}?)\s*:\s*(\S.*)$")
_RECORD_FIELDS = {"uan", "date", "hours", "ceus", "provider", "title"}


def _label(line: str) -> tuple[str, str] | None:
    """``("uan", "0009-...")`` for a line like ``UAN: 0009-...``: a heading, a colon, a value."""
    m = _LABELLED.match(line)
    if m is None or not _is_heading_words(m[1], pieces=False):
        return None
    name = _heading_field(m[1])
    return (name, m[2].strip()) if name in _RECORD_FIELDS else None


def _labelled_records(lines: list[str]) -> list[_Row] | None:
    """Activities written as records, one field a line (``UAN: ...``, ``Date: ...``, the
    title first, alone or as ``Activity Title: ...``), as a page of cards copies; ``None`` when
    no line gives a UAN that way."""
    if not any((found := _label(line)) and found[0] == "uan" for line in lines):
        return None
    columns = _Columns([(i, name) for i, name in enumerate(FIELDS)], True)
    records: list[dict[str, str]] = []
    record: dict[str, str] | None = None
    for line in lines:
        text = " ".join(line.split())
        if not text or _TOTAL.match(text) or _NOISE.match(text):
            record = None if record is None or "uan" in record else record
            continue
        found = _label(text)
        if found is None:  # an unlabelled line: the title of the next activity
            if record is not None and set(record) == {"title"}:
                record["title"] += " " + text
            else:
                record = {"title": text}
                records.append(record)
            continue
        name, value = found
        if name in ("hours", "ceus") and (m := _DECIMAL.search(value) or re.search(
                r"\b\d{1,2}\b", value)):
            value = m.group()
        if record is None or name in record:
            record = {}
            records.append(record)
        record[name] = value
    return [_Row([r], columns) for r in records if set(r) - {"title"}]


def parse_transcript(lines: Iterable[str], today: date) -> Transcript:
    """The activities of a transcript given as lines of text. ``today`` bounds the dates (a
    date in the future, or more than six years ago, can't count: that row is unreadable)."""
    columns: _Columns | None = None
    rows: list[_Row] = []
    current: _Row | None = None
    pending: list[dict[str, str]] = []
    name = eprofile_id = None
    stated_total = None
    has_headings = False
    after_headings = False
    clean = _bounded(lines)
    record_rows = _labelled_records(clean)
    for line in clean:
        if eprofile_id is None and (m := _EPROFILE.search(line)):
            eprofile_id = m[1]
        if name is None and (m := _NAME.search(line)):
            name = " ".join(m[1].split()) or None
        if not line.strip() or line.strip() == "\f":
            current, after_headings = None, False
            continue
        if record_rows is not None:  # fields by label: only the header and totals from here
            if _TOTAL.match(line) and stated_total is None:
                stated_total = _stated_total(line)
            continue
        headings = _read_headings(line)
        if headings is not None:
            columns, current, pending = headings, None, []
            has_headings = after_headings = True
            continue
        if after_headings and _is_heading_words(line):
            columns.extend(line)  # the second line of a wrapped heading row
            continue
        after_headings = False
        if len(line.split()) >= 4 and _is_heading_words(line, pieces=False):
            # headings run together (a paste that lost its tabs): nothing to place by column
            current, pending = None, []
            continue
        if _TOTAL.match(line):
            stated_total = _stated_total(line) if stated_total is None else stated_total
            current, pending = None, []
            continue
        if len(line) < 200 and _NOISE.match(line) and not _UAN_START.search(line):
            current, pending = None, []
            continue
        part = _split_by_column(line, columns)
        if _starts_row(part, columns) and not _completes(current, part):
            current = _Row(pending + [part], columns)
            rows.append(current)
            pending = []
        elif current is not None:
            current.parts.append(part)
        else:
            pending.append(part)
    activities: list[TranscriptActivity] = []
    skipped: list[SkippedRow] = []
    for row in rows if record_rows is None else record_rows:
        result = _read_row(row, today)
        (activities if isinstance(result, TranscriptActivity) else skipped).append(result)
    return Transcript(tuple(activities), tuple(skipped), name, eprofile_id, stated_total,
                      has_headings)


def parse_transcript_text(text: str, today: date) -> Transcript:
    """:func:`parse_transcript` of a whole text (pages separated by form feeds)."""
    return parse_transcript(text.replace("\f", "\n\n").splitlines(), today)
