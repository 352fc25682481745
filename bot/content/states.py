"""Technician rules of every US state, DC and Puerto Rico, as sourced data.

One YAML file per jurisdiction in ``states/`` (``CO.yaml``). Every fact names the source that
settles it; a fact no source settles is ``null`` (unknown), and the bot then says "not
confirmed, check with <board>" with the board's link. Ingest, the bot and the tests load the
files through :func:`load_states`, so a file the tests reject is rejected everywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.content.documents import Source, load_yaml

STATES_DIR = Path(__file__).resolve().parents[2] / "states"

Credential = Literal["registration", "license", "certification", "permit", "none"]


class Fact(BaseModel):
    """One fact with the source that settles it. ``value: null`` means unknown."""

    model_config = ConfigDict(extra="forbid")

    value: str | int | bool | None = None
    source: str | None = None
    note: str | None = None  # a short qualification ("for technicians hired after 2020")

    @model_validator(mode="after")
    def _known_facts_cite(self) -> Fact:
        if self.value is not None and not self.source:
            raise ValueError("a known value needs a source id")
        return self

    @property
    def known(self) -> bool:
        return self.value is not None


class CeTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    hours: float | None = None  # None: required, hours not stated


class Renewal(BaseModel):
    """Renewal of the state credential; ``cycle_months``/``ce_hours`` null when unknown."""

    model_config = ConfigDict(extra="forbid")

    cycle_months: int | None = Field(default=None, ge=1, le=60)
    ce_hours: float | None = Field(default=None, ge=0, le=100)
    ce_topics: list[CeTopic] = []
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _cite(self) -> Renewal:
        if (self.cycle_months is not None or self.ce_hours is not None) and not self.source:
            raise ValueError("renewal figures need a source id")
        return self


class Board(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=5)
    url: str = Field(pattern=r"^https?://")  # the board's technician page where one exists


class Jurisdiction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    board: Board
    credential: Fact  # value: one of Credential, what a technician needs to start work
    trainee_category: Fact  # value: true/false (a trainee/intern registration exists)
    minimum_age: Fact  # value: int
    education: Fact  # value: text ("high school diploma or GED")
    national_certification: Fact  # value: text ("required within 1 year", "not required")
    training: Fact  # value: text (board-approved training, hours where set)
    ratio: Fact  # value: text ("1 pharmacist : 4 technicians")
    renewal: Renewal
    sources: list[Source] = Field(min_length=1)
    reviewed: str

    FACT_FIELDS: tuple[str, ...] = (
        "credential", "trainee_category", "minimum_age", "education",
        "national_certification", "training", "ratio",
    )

    @model_validator(mode="after")
    def _sources_line_up(self) -> Jurisdiction:
        ids = [s.id for s in self.sources]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate source id")
        cited = {getattr(self, f).source for f in self.FACT_FIELDS} | {self.renewal.source}
        cited.discard(None)
        unknown = cited - set(ids)
        if unknown:
            raise ValueError(f"facts cite sources that are not listed: {sorted(unknown)}")
        unused = set(ids) - cited
        if unused:
            raise ValueError(f"sources cited by no fact: {sorted(unused)}")
        value = self.credential.value
        if value is not None and value not in Credential.__args__:
            raise ValueError(f"credential must be one of {Credential.__args__}, not {value!r}")
        return self

    def source(self, source_id: str | None) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


class StateDataError(ValueError):
    pass


def load_states(directory: Path = STATES_DIR) -> dict[str, Jurisdiction]:
    """Every jurisdiction file, validated; raises StateDataError listing every problem."""
    states: dict[str, Jurisdiction] = {}
    problems: list[str] = []
    for file in sorted(directory.glob("*.yaml")):
        try:
            raw = load_yaml(file.read_text(encoding="utf-8"))
            record = Jurisdiction.model_validate(raw)
        except (yaml.YAMLError, ValidationError) as exc:
            problems.append(f"{file.name}: {exc}")
            continue
        if record.code != file.stem:
            problems.append(f"{file.name}: code {record.code} does not match the file name")
        states[record.code] = record
    if problems:
        raise StateDataError("\n".join(problems))
    return states


@lru_cache(maxsize=1)
def all_states() -> dict[str, Jurisdiction]:
    return load_states()


# --- the state layer as documents and cards -------------------------------------------------

BOARD_ID = "board"
FACT_LABELS: dict[str, str] = {
    "minimum_age": "Minimum age",
    "education": "Education",
    "national_certification": "National certification (PTCB or NHA)",
    "trainee_category": "Trainee category",
    "training": "Training",
    "ratio": "Pharmacist-to-technician ratio",
}
CREDENTIAL_PHRASES: dict[str, str] = {
    "registration": "register with the {board}",
    "license": "hold a pharmacy technician license from the {board}",
    "certification": "hold a state pharmacy technician certification from the {board}",
    "permit": "hold a pharmacy technician permit from the {board}",
}


def requirement_heading(record: Jurisdiction) -> str:
    return f"What do I need to work as a pharmacy technician in {record.name}?"


def renewal_heading(record: Jurisdiction) -> str:
    return f"What are the pharmacy technician renewal and CE requirements in {record.name}?"


STATE_DOCUMENTS = "states/"


def document_path(code: str) -> str:
    return f"{STATE_DOCUMENTS}{code.lower()}.md"


#: What a question about a state's rules asks, by the fact of the state's card that answers it
#: ("16 yr old tech in ky allowed?" -> the minimum age). A reply shows those lines first.
FACT_ASKED: dict[str, re.Pattern[str]] = {
    "minimum_age": re.compile(
        r"\b(?:age|ages|aged|old|older|young|younger|minors?|teens?|teenagers?|under 18"
        r"|\d{2} ?(?:yo|y/o|yrs?|years?)(?: old)?|in high school|high schooler"
        r"|(?:i'?m|im|is|she'?s|he'?s|turning|turn|at) 1[3-9])\b", re.IGNORECASE),
    "education": re.compile(
        r"\b(?:diploma|ged|high school|hs|education|degree|graduat\w*)\b", re.IGNORECASE),
    "national_certification": re.compile(
        r"\b(?:ptcb|nha|cpht|excpt|ptce|national(?:ly)? cert\w*|certified|certification"
        r"|certs?|exam)\b", re.IGNORECASE),
    "trainee_category": re.compile(
        r"\b(?:trainees?|in[- ]training|interns?|internship|permit|students?|before (?:i'?m |im )?"
        r"(?:certified|registered|licensed))\b", re.IGNORECASE),
    "training": re.compile(
        r"\b(?:training|train|programs?|course|courses|school|hours|hrs|ojt|on the job)\b",
        re.IGNORECASE),
    "ratio": re.compile(r"\b(?:ratio|how many techs|techs per|technicians per)\b", re.IGNORECASE),
}


def asked_facts(question: str) -> set[str]:
    """The facts of a state's card that ``question`` asks about (names of FACT_LABELS)."""
    return {name for name, pattern in FACT_ASKED.items() if pattern.search(question)}


def card_answers(record: Jurisdiction, question: str) -> bool:
    """Whether the state's card states something the question asks about: false when every
    fact it asks for (the minimum age, say) is one the record leaves unconfirmed, so that a
    section that does state it can lead instead."""
    asked = asked_facts(question)
    return not asked or any(getattr(record, name).value is not None for name in asked)


def fact_line(name: str, record: Jurisdiction, fact: Fact) -> str:
    """One line of a state's generated document: "Minimum age in Kentucky: 16 years." (the
    state's name in the line, so it reads on its own when a reply shows it first)."""
    return f"{FACT_LABELS[name]} in {record.name}: {fact_value(name, fact)}."


def fact_of_line(text: str) -> str | None:
    """Which fact a line written by :func:`fact_line` states, if it is one."""
    for name, label in FACT_LABELS.items():
        if text.startswith(f"{label} in "):
            return name
    return None


UNCONFIRMED_LINE = "Not confirmed in our sources: "


def unconfirmed_facts(text: str) -> set[str]:
    """The facts a card's "Not confirmed in our sources: ..." line names (none for other lines)."""
    if not text.startswith(UNCONFIRMED_LINE):
        return set()
    named = text[len(UNCONFIRMED_LINE):].split(";", 1)[0]
    return {name for name, label in FACT_LABELS.items() if label.lower() in named.split(", ")}


def _with_note(text: str, fact_note: str | None) -> str:
    return f"{text} ({fact_note.rstrip('.')})" if fact_note else text


def fact_value(name: str, fact: Fact) -> str:
    value = fact.value
    if name == "trainee_category":
        value = "a trainee registration exists" if value else "no separate trainee category"
    elif name == "minimum_age":
        value = f"{value} years"
    return _with_note(str(value), fact.note)


def board_sentence(record: Jurisdiction) -> str:
    return f"check with the {record.board.name} ({record.board.url})"


def credential_sentence(record: Jurisdiction) -> str:
    """The core requirement in one sentence, or what is not confirmed."""
    fact = record.credential
    if fact.value is None:
        return (f"Whether {record.name} requires a technician registration, license or "
                f"certification is not confirmed in our sources: {board_sentence(record)}.")
    if fact.value == "none":
        text = (f"{record.name} does not issue a pharmacy technician registration or license, "
                f"according to our sources")
        return _with_note(text, fact.note) + f"; {board_sentence(record)}."
    phrase = CREDENTIAL_PHRASES[str(fact.value)].format(board=record.board.name)
    return _with_note(f"To work as a pharmacy technician in {record.name} you must {phrase}",
                      fact.note) + "."


def renewal_sentence(record: Jurisdiction) -> str:
    r = record.renewal
    if r.cycle_months is None and r.ce_hours is None:
        text = f"{record.name}'s technician renewal cycle and CE hours are not confirmed in our sources"
        return _with_note(text, r.note) + f": {board_sentence(record)}."
    parts: list[str] = []
    if r.cycle_months is not None:
        years = r.cycle_months / 12
        cycle = f"every {years:g} year{'s' if years != 1 else ''}" if r.cycle_months % 12 == 0 \
            else f"every {r.cycle_months} months"
        parts.append(f"renews {cycle}")
    else:
        parts.append("has a renewal cycle that is not confirmed in our sources")
    if r.ce_hours is not None:
        hours = f"{r.ce_hours:g}"
        unit = "hour" if r.ce_hours == 1 else "hours"
        ce = f"with {hours} {unit} of continuing education" if r.ce_hours else "with no CE hours set"
        if r.ce_topics:
            topics = ", ".join(
                f"{t.hours:g} hour{'s' if t.hours != 1 else ''} of {t.name}" if t.hours else t.name
                for t in r.ce_topics
            )
            ce += f", including {topics}"
        parts.append(ce)
    else:
        parts.append("with CE hours that are not confirmed in our sources")
    text = f"In {record.name}, a technician's state credential {' '.join(parts)}"
    return _with_note(text, r.note) + "."


def _renewal_cites(record: Jurisdiction) -> tuple[str, ...]:
    r = record.renewal
    known = r.cycle_months is not None or r.ce_hours is not None
    if r.source and known:
        return (r.source,)
    return (r.source, BOARD_ID) if r.source else (BOARD_ID,)


def state_sources(record: Jurisdiction) -> list[Source]:
    board = Source(id=BOARD_ID, title=record.board.name, url=record.board.url,
                   as_of="undated", reliability="official")
    return [*record.sources, board]


def state_document(record: Jurisdiction):
    """The record as a knowledge document, so retrieval finds it and replies cite it."""
    import datetime as dt

    from bot.content.documents import Block, Document, FrontMatter, Section

    cred = record.credential
    opening = Block("paragraph", credential_sentence(record),
                    (cred.source,) if cred.value is not None else (BOARD_ID,))
    blocks = [opening]
    unknown: list[str] = []
    for name, label in FACT_LABELS.items():
        fact: Fact = getattr(record, name)
        if fact.value is None:
            unknown.append(label.lower())
            continue
        blocks.append(Block("item", fact_line(name, record, fact), (str(fact.source),)))
    if unknown:
        blocks.append(Block(
            "item", f"{UNCONFIRMED_LINE}{', '.join(unknown)}; "
            f"{board_sentence(record)}.", (BOARD_ID,)))
    renewal = Block("paragraph", renewal_sentence(record), _renewal_cites(record))
    step = Block("paragraph", f"Check the {record.board.name} technician page "
                 f"({record.board.url}) for current forms, fees and rules before you apply "
                 "or renew.", (BOARD_ID,))
    sections = (
        Section(requirement_heading(record), tuple(blocks)),
        Section(renewal_heading(record), (renewal,)),
        Section("Next step", (step,)),
    )
    meta = FrontMatter(
        title=f"Pharmacy technician rules in {record.name}",
        topic="registration", stage="foundation", sources=state_sources(record),
        reviewed=dt.date.fromisoformat(str(record.reviewed)),
    )
    return Document(path=document_path(record.code), meta=meta, body="", sections=sections)


def all_documents(roots: list[Path], states_dir: Path = STATES_DIR) -> list:
    """The knowledge documents and one generated document per jurisdiction; raises
    DocumentError listing every problem in either."""
    from bot.content.documents import DocumentError, load_documents

    documents = load_documents(roots)
    try:
        records = load_states(states_dir)
    except StateDataError as exc:
        raise DocumentError(str(exc)) from None
    return documents + [state_document(r) for r in records.values()]


def card_lines(record: Jurisdiction) -> list[tuple[str, list[Source]]]:
    """The /state card: (line, the sources it cites)."""
    sources = {s.id: s for s in state_sources(record)}
    lines: list[tuple[str, list[Source]]] = []
    cred = record.credential
    lines.append((credential_sentence(record),
                  [sources[cred.source or BOARD_ID]] if cred.value is not None else
                  [sources[BOARD_ID]]))
    for name, label in FACT_LABELS.items():
        fact: Fact = getattr(record, name)
        if fact.value is None:
            lines.append((f"{label}: not confirmed — {board_sentence(record)}.",
                          [sources[BOARD_ID]]))
        else:
            lines.append((f"{label}: {fact_value(name, fact)}.", [sources[str(fact.source)]]))
    lines.append((renewal_sentence(record), [sources[c] for c in _renewal_cites(record)]))
    return lines


STATE_ALIASES: dict[str, str] = {"washington dc": "DC", "washington d.c.": "DC", "d.c.": "DC",
                                 "dc": "DC", "tsbp": "TX"}  # the Texas State Board of Pharmacy


#: Postal codes that are also everyday words or common abbreviations ("in", "or", "me", "ok",
#: "md", "pa", "ct"...): read as a state only in capitals after a place word ("in OR").
AMBIGUOUS_CODES = frozenset(
    ["IN", "OR", "ME", "OH", "HI", "OK", "ID", "DE", "PA", "LA", "MA", "AL", "CO", "MS", "MD", "NE", "CT", "MT", "ND", "SD", "AR", "AS", "GA", "VA", "MO"])
OTHER_TRADE_CODES = frozenset({"CT", "CO", "MA", "MT", "MS", "MD"})  # "ct tech", "co techs"...
NAME_ONLY_CODES = frozenset({"LA"})  # "moving to LA" is Los Angeles more often than Louisiana
WORD_CODES = frozenset(["IN", "OR", "ME", "OH", "HI", "OK", "ID", "AS"])  # English words: capitals only
_PLACE_WORD = r"(?:in|from|to|into|for|of|at|about|the|state|move|moving|moved|relocating|than|vs|and|or)"
_FIELD_AFTER = re.compile(r"\s+(?:pharm\w*|techs?|technicians?|trainees?|board|license|licence"
                          r"|licensing|registration|registered|ce|renewal|ratio|rules?)\b",
                          re.IGNORECASE)
_FIELD_SOON = re.compile(r"(?:\s+[\w'-]+){0,2}" + _FIELD_AFTER.pattern, re.IGNORECASE)  # "tx late renewal"
_CODE = re.compile(r"(?<![\w.@/-])([A-Za-z]{2})(?![\w@/-]|\.\w)")


def _codes_named(text: str, codes: set[str]) -> list[tuple[int, str]]:
    """Two-letter postal codes used as a state: "tech license in nc?", "TX rules", "in fl".
    Capitals count anywhere, lowercase only after a place word or as the last word; codes
    that are everyday words count only in capitals after a place word. (Each test is made
    only when the ones before it leave the answer open: most two-letter words are "in", "to",
    "my".)"""
    found = []
    for match in _CODE.finditer(text):
        raw = match.group(1)
        code = raw.upper()
        if code not in codes or code in NAME_ONLY_CODES:
            continue
        start, end = match.start(), match.end()
        if code in WORD_CODES:
            ok = raw.isupper() and _after_place(text, start)
            # ... or, in lowercase, after "in" at the end of a message about the field ("do i
            # need a license in ok", "tech rules in me?")
            ok = ok or (code in WORD_CODES_AT_END and _AFTER_IN.search(text[:start]) is not None
                        and _AT_END.match(text[end:]) is not None
                        and _FIELD_WORDS.search(text) is not None)
        elif code in AMBIGUOUS_CODES:  # "registered in pa", "va tech license?", not "pa school"
            rest = text[end:]
            field_next = _FIELD_AFTER.match(rest) is not None
            ok = (_after_place(text, start) or not text[:start].strip()) and (
                raw.isupper() or _AT_END.match(rest) is not None or field_next)
            # "all pa techs must register": a code right before a word of the field, where
            # that pair is not another trade's ("ct tech", "mt", "ma") or a coworker ("co techs")
            ok = ok or (field_next and code not in OTHER_TRADE_CODES)
        else:
            # capitals, after a place word, the last word, or ("wa tech ce how many hours",
            # "new tx tech", "a ca tech license") a code before a word of the field
            rest = text[end:]
            ok = (raw.isupper() or _after_place(text, start) or _AT_END.match(rest) is not None
                  or _FIELD_SOON.match(rest) is not None)
        if ok:
            found.append((start, code))
    return found


_AFTER_PLACE = re.compile(rf"\b{_PLACE_WORD}$")
#: The end of a message: only punctuation and chat fillers after it ("in ga lol").
_AT_END = re.compile(r"(?:[\W_]+|(?:lol|lmao|tho|pls|plz|please|thx|thanks|haha|fr|tbh|rn)\b)*$",
                     re.IGNORECASE)
#: Everyday words that are read as a state in lowercase only after "in", at the end of a message
#: that names the field ("do i need a license in ok"); "in", "or" and "as" never are.
WORD_CODES_AT_END = frozenset({"OK", "ME", "OH", "HI", "ID"})
_AFTER_IN = re.compile(r"\bin\s+$", re.IGNORECASE)
_FIELD_WORDS = re.compile(r"\b(?:pharm\w*|techs?|technicians?|trainees?|board|licen[cs]\w*"
                          r"|regist\w*|ce|renew\w*|ratio|rules?|laws?|ptcb|nha|cpht|certif\w*)\b",
                          re.IGNORECASE)


def _after_place(text: str, start: int) -> bool:
    """Whether the word at ``start`` follows a place word ("in", "to", "moving"...)."""
    return _AFTER_PLACE.search(text[:start].rstrip().lower()) is not None


#: Names people use for a state that are not its name or code; they count only after a place
#: word or before a word of the field ("in cali", "mass tech license"), not "mass email".
INFORMAL_NAMES: dict[str, str] = {"cali": "CA", "mass": "MA", "jersey": "NJ", "wash": "WA",
                                  "penn": "PA", "jersy": "NJ", "tex": "TX", "flordia": "FL",
                                  "conn": "CT", "minn": "MN", "wisc": "WI", "mich": "MI"}
_INFORMAL = re.compile(r"\b(" + "|".join(INFORMAL_NAMES) + r")\b", re.IGNORECASE)
#: The same names, matched case-sensitively in lowercased ASCII text (same places, same names)
_INFORMAL_LOWERED = re.compile(_INFORMAL.pattern)


def _informal_named(text: str, codes: set[str]) -> list[tuple[int, str]]:
    """Informal names used as a state: "in cali", "mass tech license"."""
    found = []
    matches = (_INFORMAL_LOWERED.finditer(text.lower()) if text.isascii()
               else _INFORMAL.finditer(text))
    for match in matches:
        code = INFORMAL_NAMES[match.group(1).lower()]
        if code in codes and (_after_place(text, match.start())
                              or re.match(_FIELD_AFTER, text[match.end():])):
            found.append((match.start(), code))
    return found


def _spots(text: str, records: dict[str, Jurisdiction]) -> list[tuple[int, str]]:
    """Where the text names a jurisdiction, and which: (start, code), in the text's order."""
    names, pattern, lowered = _names_of(tuple(records), tuple([r.name for r in records.values()]))
    if lowered is not None and text.isascii():
        # ASCII text: the names matched case-sensitively in the lowercased text (same length,
        # same places) are those the case-blind pattern finds in the text
        spots = [(m.start(), names[m.group(1)]) for m in lowered.finditer(text.lower())]
    else:
        spots = [(m.start(), names[m.group(1).lower()]) for m in pattern.finditer(text)]
    codes = set(records)
    spots += _codes_named(text, codes)
    spots += _informal_named(text, codes)
    return sorted(spots)


@lru_cache(maxsize=8)
def _names_of(codes: tuple[str, ...], names: tuple[str, ...],
              ) -> tuple[dict[str, str], re.Pattern, re.Pattern | None]:
    """:func:`_name_pattern` of the records' codes and names (keyed without sorting them
    each message), and the same pattern without IGNORECASE for lowercased ASCII text (None
    when a name is not ASCII)."""
    named, pattern = _name_pattern(tuple(sorted(zip(codes, names, strict=True))))
    lowered = re.compile(pattern.pattern) if all(n.isascii() for n in named) else None
    return named, pattern, lowered


_ALTERNATIVE = re.compile(r"\b(?:or|vs\.?|versus)\s*$", re.IGNORECASE)


def alternatives(text: str, records: dict[str, Jurisdiction]) -> bool:
    """Whether the text names states as alternatives ("moving to arizona or south carolina",
    "az vs sc"): one of them is weighed against the other, none is the one moved to."""
    spots = _spots(text, records)
    return any(_ALTERNATIVE.search(text[:start]) and code != spots[0][1]
               for start, code in spots[1:])


def find_states(text: str, records: dict[str, Jurisdiction]) -> list[str]:
    """Codes of the jurisdictions a text names, by name or postal code, in the order they
    appear."""
    spots = _spots(text, records)
    found: list[str] = []
    for _start, code in spots:
        if code not in found:
            found.append(code)
    return found


@lru_cache(maxsize=8)
def _name_pattern(named: tuple[tuple[str, str], ...]) -> tuple[dict[str, str], re.Pattern]:
    """One compiled pattern of every name (longest first), built once per set of records."""
    names = {name.lower(): code for code, name in named}
    codes = {code for code, _ in named}
    names.update({k: v for k, v in STATE_ALIASES.items() if v in codes})
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    return names, pattern


def destination(text: str, codes: list[str], records: dict[str, Jurisdiction]) -> str:
    """Of two named states, the one being moved to ("from Nevada to Oregon" -> OR)."""
    # "to"/"into" first: "my registration is in florida and im moving to georgia" -> GA
    for words in ("to|into", "in"):
        for code in codes:
            name = re.escape(records[code].name)
            if re.search(rf"\b(?:{words})\s+{name}\b", text, re.IGNORECASE):
                return code
    return codes[-1]


def spell_out_codes(text: str, records: dict[str, Jurisdiction]) -> str:
    """The text with each postal code or informal name used as a state written as the
    state's name ("is ptcb required in wa" -> "... in Washington"), for the embedding model
    and the keyword search, which know names better than codes. Other text is unchanged."""
    codes = set(records)
    spots = _codes_named(text, codes)
    informal = _informal_named(text, codes)
    if not spots and not informal:
        return text
    spans = [(start, start + 2, code) for start, code in spots]
    for start, code in informal:
        word = re.match(r"\w+", text[start:])
        spans.append((start, start + (len(word.group(0)) if word else 0), code))
    out, at = [], 0
    for start, end, code in sorted(spans):
        if start < at:
            continue
        out.append(text[at:start])
        out.append(records[code].name)
        at = end
    out.append(text[at:])
    return "".join(out)
