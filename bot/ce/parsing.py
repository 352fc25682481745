"""Reading what the user typed after ``/ce``: activity dates and expiration dates in the forms
people write them, ACPE UANs, hours, topics and ``+tags``, and the arguments of ``/ce add`` and
``/ce edit``. Every problem is a :class:`~bot.ce.model.CEInputError` whose message is ready to
show, with an example to copy.

Pure: nothing here does I/O or reads a clock; "today" is an argument. About 740 lines,
kept whole: one cohesive thing, the grammar of ``/ce`` input, whose parts (the tokenizer, the
date and UAN readers, the add and edit forms, and the day of an activity as said in a chat,
:func:`parse_spoken_date`) call one another and share their examples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import MAXYEAR, MINYEAR, date, timedelta

from bot.ce.model import (
    AUDIENCES,
    CORE_TAGS,
    TOPICS,
    CEEntry,
    CEInputError,
    _last_day_of_month,
    _r2,
    add_years,
    topic_for_code,
    topic_label,
)
from bot.text import quote_input

MAX_HOURS_PER_ACTIVITY = 40
MAX_ACTIVITY_AGE_YEARS = 6
MAX_TITLE_CHARS = 200

ADD_EXAMPLE = '/ce add 2 law "Federal pharmacy law update" 2026-03-14'
UAN_EXAMPLE = "0009-0000-25-005-H05-T"
UAN_ADD_EXAMPLE = f'/ce add {UAN_EXAMPLE} 1.25 "Medication error prevention"'
_TOPIC_CHOICES = (
    "law, patient-safety (or ps), general, drug-therapy, hiv-aids, compounding, opioids, tx-law "
    "(Texas pharmacy law) or human-trafficking, or an ACPE topic designator such as 03 or 07"
)
_DELIVERY = {"L": "live", "H": "home study", "B": "blended"}


@dataclass(frozen=True)
class Uan:
    """A parsed ACPE Universal Activity Number such as 0009-0000-25-005-H05-T (or, from a
    jointly accredited provider, JA4008164-0000-24-027-H03-P)."""

    provider: str
    year: int
    number: str
    delivery: str
    topic: str
    audience: str
    text: str = ""


def _quoted(text: str) -> str:
    """What the user typed, quoted back in a message: a short prefix only (a 4,000-character
    word must not make the reply too long for Telegram)."""
    return f"\u201c{quote_input(text)}\u201d"


_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_NAME_DATE = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.IGNORECASE)
_DAY_NAME_DATE = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_US_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$")
_NAME_MONTH = re.compile(r"^([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)

_DATE_FORMS = "2026-03-14, 3/14/2026, 03/14/26 or March 14 2026"
_EXPIRATION_FORMS = "2027-03-31, 3/31/2027, March 2027, 03/2027 or 2027-03"


def _make_date(year: int, month: int, day: int, raw: str, forms: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CEInputError(
            f"{_quoted(raw)} isn't a real date. I read dates as year-month-day (2026-03-14) or "
            f"month/day/year (3/14/2026). Try one of: {forms}."
        ) from None


def _month_number(name: str) -> int | None:
    return _MONTHS.get(name.lower().rstrip("."))


def _parse_full_date(text: str, forms: str) -> date | None:
    """A full calendar date in any accepted form; ``None`` if the text isn't date-shaped."""
    if m := _ISO_DATE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text, forms)
    if m := _US_DATE.match(text):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _make_date(year, int(m[1]), int(m[2]), text, forms)
    if (m := _NAME_DATE.match(text)) and (month := _month_number(m[1])):
        return _make_date(int(m[3]), month, int(m[2]), text, forms)
    if (m := _DAY_NAME_DATE.match(text)) and (month := _month_number(m[2])):
        return _make_date(int(m[3]), month, int(m[1]), text, forms)
    return None


def _looks_like_activity_date(text: str) -> bool:
    cleaned = " ".join(text.split())
    if cleaned.lower() in ("today", "yesterday"):
        return True
    if _ISO_DATE.match(cleaned) or _US_DATE.match(cleaned):
        return True
    for pattern, group in ((_NAME_DATE, 1), (_DAY_NAME_DATE, 2)):
        if (m := pattern.match(cleaned)) and _month_number(m[group]):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Parsing user input
# --------------------------------------------------------------------------------------------


def parse_ce_date(text: str, today: date) -> date:
    """The date an activity was completed. Rejects impossible, future and too-old dates."""
    cleaned = " ".join(text.translate(_DASHES).split())
    lowered = cleaned.lower()
    if lowered == "today":
        parsed: date | None = today
    elif lowered == "yesterday":
        parsed = today - timedelta(days=1)
    else:
        parsed = _parse_full_date(cleaned, _DATE_FORMS)
    if parsed is None:
        raise CEInputError(
            f"I couldn't read {_quoted(text)} as a date. Write the day you finished the "
            f"activity like {_DATE_FORMS}. Try: {ADD_EXAMPLE}"
        )
    if parsed > today:
        raise CEInputError(
            f"{parsed.isoformat()} is in the future. Log CE once you've finished it, with the date "
            f"you completed it (today is {today.isoformat()}). Try: {ADD_EXAMPLE}"
        )
    oldest = add_years(today, -MAX_ACTIVITY_AGE_YEARS)
    if parsed < oldest:
        raise CEInputError(
            f"{parsed.isoformat()} is more than {MAX_ACTIVITY_AGE_YEARS} years ago, so it can't "
            f"count toward a current renewal. Check the year on your certificate. "
            f"Try: {ADD_EXAMPLE}"
        )
    return parsed


def parse_expiration(text: str, today: date) -> date:
    """A credential's expiration date. A month alone ("March 2027") means its last day."""
    cleaned = " ".join(text.translate(_DASHES).split())
    parsed = _parse_full_date(cleaned, _EXPIRATION_FORMS)
    if parsed is None:
        year = month = None
        if m := _ISO_MONTH.match(cleaned):
            year, month = int(m[1]), int(m[2])
        elif m := _US_MONTH.match(cleaned):
            year, month = int(m[2]), int(m[1])
        elif (m := _NAME_MONTH.match(cleaned)) and (number := _month_number(m[1])):
            year, month = int(m[2]), number
        if year is not None and month is not None:
            if not 1 <= month <= 12:
                raise CEInputError(
                    f"{_quoted(text)} has no month {month}. Write the expiration date "
                    f"on your certificate like {_EXPIRATION_FORMS}."
                )
            if not MINYEAR <= year <= MAXYEAR:
                raise CEInputError(
                    f"{_quoted(text)} isn't a real date: there is no year {year:04d}. Write the "
                    f"expiration date on your certificate like {_EXPIRATION_FORMS}."
                )
            parsed = _last_day_of_month(year, month)
    if parsed is None:
        raise CEInputError(
            f"I couldn't read {_quoted(text)} as an expiration date. Write the date on "
            f"your certificate like {_EXPIRATION_FORMS} (a month alone means its last day)."
        )
    if parsed > add_years(today, 3):
        raise CEInputError(
            f"{parsed.isoformat()} is more than 3 years away, but these credentials renew every 2 "
            f"years. Check the expiration date on your certificate and try again, e.g. March 2027."
        )
    if parsed < add_years(today, -10):
        raise CEInputError(
            f"{parsed.isoformat()} is more than 10 years ago. Check the expiration date on your "
            f"certificate and try again, e.g. March 2027."
        )
    return parsed


def parse_cycle_start(text: str, expiration: date, today: date, body: str = "PTCB") -> date:
    """The day the current cycle started: for PTCB, the day it approved the last
    recertification. It can't be in the future, on or after the expiration date, or more than 3
    years before it (a cycle is about 2 years)."""
    cleaned = " ".join(text.translate(_DASHES).split())
    parsed = _parse_full_date(cleaned, _DATE_FORMS)
    example = f"--since {add_years(expiration, -2).replace(day=1).isoformat()}"
    if parsed is None:
        raise CEInputError(
            f"I couldn't read {_quoted(text)} as the day your cycle started. Write the "
            f"day {body} approved your last recertification like {_DATE_FORMS}, e.g. {example}."
        )
    if parsed > today:
        raise CEInputError(
            f"{parsed.isoformat()} is in the future. Your cycle started the day {body} approved "
            f"your last recertification; give that date, e.g. {example}."
        )
    if parsed >= expiration:
        raise CEInputError(
            f"{parsed.isoformat()} isn't before your expiration date ({expiration.isoformat()}). "
            f"Give the day {body} approved your last recertification, e.g. {example}."
        )
    if parsed < add_years(expiration, -3):
        raise CEInputError(
            f"{parsed.isoformat()} is more than 3 years before your expiration date "
            f"({expiration.isoformat()}), but a cycle lasts about 2 years. Check the date {body} "
            f"approved your last recertification, e.g. {example}."
        )
    return parsed


def _uan_error(text: str, reason: str = "") -> CEInputError:
    lead = f"I couldn't read {_quoted(text)} as an ACPE UAN."
    if reason:
        lead = f"{lead} {reason}"
    return CEInputError(
        f"{lead} A UAN has six parts separated by dashes, like {UAN_EXAMPLE}: the provider number "
        f"(4 digits, or JA and 7 digits for a jointly accredited provider), 4 more digits, the "
        f"year (2 digits), the activity number (3 digits), L (live), H (home study) or B "
        f"(blended) followed by the 2-digit topic (03 law, 05 patient safety, 07 compounding...), "
        f"and T (technician) or P (pharmacist). Try: {UAN_ADD_EXAMPLE}"
    )


def parse_uan(text: str) -> Uan:
    """Parse an ACPE UAN ``PPPP-SSSS-YY-NNN-XTT-A``, where a jointly accredited provider's
    number is ``JA`` and 7 digits and the topic ``TT`` is any ACPE designator from 01 up;
    raise :class:`CEInputError` if malformed."""
    raw = text.strip()
    parts = raw.translate(_DASHES).upper().split("-")
    if len(parts) != 6:
        raise _uan_error(raw, f"It should have 6 parts separated by dashes; I found {len(parts)}.")
    provider, joint, year, number, kind, audience = parts
    if not re.fullmatch(r"\d{4}|JA\d{7}", provider):
        if provider.startswith("JA"):
            reason = (
                "A jointly accredited provider's number (the first part) is JA and 7 digits, "
                "like JA4008164."
            )
        else:
            reason = (
                "The provider number (the first part) must be 4 digits, or JA and 7 digits for a "
                "jointly accredited provider."
            )
        raise _uan_error(raw, reason)
    if not re.fullmatch(r"\d{4}", joint):
        raise _uan_error(raw, "The second part must be 4 digits.")
    if not re.fullmatch(r"\d{2}", year):
        raise _uan_error(raw, "The third part (the year) must be 2 digits.")
    if not re.fullmatch(r"\d{3}", number):
        raise _uan_error(raw, "The fourth part (the activity number) must be 3 digits.")
    if not re.fullmatch(r"[A-Z]\d{2}", kind):
        raise _uan_error(raw, "The fifth part must be a letter and a 2-digit topic, like H05.")
    if kind[0] not in _DELIVERY:
        raise _uan_error(
            raw, f"The letter in the fifth part must be L, H or B, not {_quoted(kind[0])}."
        )
    topic = topic_for_code(kind[1:])
    if topic is None:
        raise _uan_error(raw, f"{_quoted(kind[1:])} isn't an ACPE topic; topics start at 01.")
    if audience not in AUDIENCES:
        raise _uan_error(
            raw,
            f"The last part must be T (technician) or P (pharmacist), not {_quoted(audience)}.",
        )
    return Uan(
        provider=provider,
        year=2000 + int(year),
        number=number,
        delivery=_DELIVERY[kind[0]],
        topic=topic,
        audience=audience,
        text=f"{provider}-{joint}-{year}-{number}-{kind}-{audience}",
    )


def parse_topic(text: str) -> str:
    """A user's topic word -> canonical topic; :class:`CEInputError` listing topics if unknown."""
    key = re.sub(r"[\s_]+", "-", text.strip().lower())
    if key in TOPICS:
        return TOPICS[key]
    code = key.removeprefix("acpe-")
    if (topic := topic_for_code(code)) is not None:
        return topic
    raise CEInputError(
        f"I don't know the CE topic {_quoted(text)}. Use one of: {_TOPIC_CHOICES}. "
        f"Try: {ADD_EXAMPLE}"
    )


_HOURS = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)\s*(?:h|hr|hrs|hour|hours)?$", re.IGNORECASE)


def parse_hours(text: str, example: str = ADD_EXAMPLE) -> float:
    """Hours of one activity: a number above 0 and at most 40, with at most 2 decimals."""
    raw = text.strip()
    limits = f"Hours must be more than 0 and at most {MAX_HOURS_PER_ACTIVITY} for one activity."
    match = _HOURS.match(raw)
    if not match:
        raise CEInputError(f"I couldn't read {_quoted(raw)} as hours. {limits} Try: {example}")
    number = match[1]
    decimals = number.split(".")[1] if "." in number else ""
    if len(decimals.rstrip("0")) > 2:
        raise CEInputError(
            f"I couldn't read {_quoted(raw)} as hours. Use at most 2 decimal places, like 1.25. "
            f"Try: {example}"
        )
    hours = _r2(float(number))
    if not 0 < hours <= MAX_HOURS_PER_ACTIVITY:
        raise CEInputError(f"I couldn't read {_quoted(raw)} as hours. {limits} Try: {example}")
    return hours


@dataclass(frozen=True)
class _Token:
    value: str
    quoted: bool


_OPEN_QUOTES = {'"': '"', "\u201c": "\u201d", "\u201e": "\u201d", "\u201d": "\u201d"}


def _tokenize(text: str) -> list[_Token]:
    """Split on whitespace, keeping double-quoted runs (straight or curly quotes) together.

    Apostrophes are ordinary characters, so titles like Pharmacist's work unquoted.
    """
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _OPEN_QUOTES:
            closers = {_OPEN_QUOTES[ch], '"'} if ch != '"' else {'"', "\u201d"}
            end = next((j for j in range(i + 1, n) if text[j] in closers), -1)
            if end == -1:
                raise CEInputError(
                    "I found an opening quote but no closing one. Put the title between two "
                    f"quotes. Try: {ADD_EXAMPLE}"
                )
            tokens.append(_Token(" ".join(text[i + 1 : end].split()), True))
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in _OPEN_QUOTES:
            j += 1
        tokens.append(_Token(text[i:j], False))
        i = j
    return [t for t in tokens if t.value or t.quoted]


def _pop_date(rest: list[_Token], today: date) -> date | None:
    """Take a trailing date (1 to 3 unquoted tokens) off ``rest``; ``None`` if there is none."""
    for size in (3, 2, 1):
        if len(rest) < size:
            continue
        tail = rest[-size:]
        if any(t.quoted for t in tail):
            continue
        text = " ".join(t.value for t in tail)
        if _looks_like_activity_date(text):
            parsed = parse_ce_date(text, today)
            del rest[-size:]
            return parsed
    return None


def _pop_audience(rest: list[_Token]) -> str | None:
    if rest and not rest[-1].quoted and rest[-1].value.upper() in AUDIENCES:
        return rest.pop().value.upper()
    return None


def _title(rest: list[_Token]) -> str:
    title = " ".join(t.value for t in rest).strip()
    if len(title) > MAX_TITLE_CHARS:
        raise CEInputError(
            f"That title is {len(title)} characters long; please keep it under "
            f"{MAX_TITLE_CHARS}. Try: {ADD_EXAMPLE}"
        )
    return title


def _looks_like_uan(value: str) -> bool:
    return value.translate(_DASHES).count("-") >= 3


def _is_tag_token(token: _Token) -> bool:
    return not token.quoted and len(token.value) > 1 and token.value.startswith("+")


def parse_tag(text: str, known: Mapping[str, str]) -> str:
    """``+Texas-Law`` -> ``tx-law``; :class:`CEInputError` if ``known`` has no such tag."""
    key = re.sub(r"[\s_]+", "-", text.strip().removeprefix("+").lower())
    if key in known:
        return known[key]
    raise CEInputError(
        f"I don't know the tag {_quoted(text)}. A tag says which requirement an "
        f"activity meets, e.g. +tx-law for a Texas pharmacy law course logged by its UAN; "
        f"/ce tags lists the tags of your credentials."
    )


def _pop_tags(rest: list[_Token], known: Mapping[str, str]) -> tuple[str, ...]:
    """Take every ``+tag`` word out of ``rest`` (wherever it is); in order, without repeats."""
    tags = [parse_tag(t.value, known) for t in rest if _is_tag_token(t)]
    rest[:] = [t for t in rest if not _is_tag_token(t)]
    return tuple(dict.fromkeys(tags))


def parse_add_args(
    args: list[str], today: date, tags: Mapping[str, str] | None = None
) -> CEEntry:
    """The words after ``/ce add`` -> a :class:`CEEntry`.

    Two forms (the title, the date and the tags are optional; the date defaults to ``today``)::

        <hours> <topic> ["title"] [date] [T|P] [+tag]  /ce add 2 law "Federal law update" 2026-03-14
        <UAN> <hours> ["title"] [date] [+tag]          /ce add 0009-0000-25-005-H05-T 1.25

    Words left over after the hours, topic, date, audience and ``+tags`` become the title, so
    quotes are needed only when the title itself ends in something that looks like a date, T or
    P. ``tags`` maps the tags a user may give (alias -> tag); by default :data:`CORE_TAGS`.
    Whether the date falls in the user's renewal cycle is checked by :func:`check_entry_for`.
    """
    known_tags = CORE_TAGS if tags is None else tags
    tokens = _tokenize(" ".join(args))
    if not tokens:
        raise CEInputError(
            "Tell me the hours and the topic of the activity, then optionally its title and the "
            f"date you finished it. Try: {ADD_EXAMPLE} (or with a UAN: {UAN_ADD_EXAMPLE})"
        )
    first = tokens[0]
    if not first.quoted and _looks_like_uan(first.value):
        uan = parse_uan(first.value)
        if len(tokens) < 2:
            raise CEInputError(
                f"After the UAN, tell me how many hours the activity was. Try: {UAN_ADD_EXAMPLE}"
            )
        hours = parse_hours(tokens[1].value, UAN_ADD_EXAMPLE)
        rest = list(tokens[2:])
        entry_tags = _pop_tags(rest, known_tags)
        audience = _pop_audience(rest)
        completed_on = _pop_date(rest, today)
        audience = audience or _pop_audience(rest)
        if audience is not None and audience != uan.audience:
            raise CEInputError(
                f"The UAN {uan.text} ends in {uan.audience}, so the activity is for "
                f"{AUDIENCES[uan.audience]}; leave out the {audience}. Try: {UAN_ADD_EXAMPLE}"
            )
        return CEEntry(
            hours=hours,
            topic=uan.topic,
            audience=uan.audience,
            completed_on=completed_on or today,
            title=_title(rest),
            uan=uan.text,
            delivery=uan.delivery,
            tags=entry_tags,
        )

    hours = parse_hours(first.value)
    if len(tokens) < 2:
        raise CEInputError(
            f"After the hours, tell me the topic: {_TOPIC_CHOICES}. Try: {ADD_EXAMPLE}"
        )
    topic = parse_topic(tokens[1].value)
    rest = list(tokens[2:])
    entry_tags = _pop_tags(rest, known_tags)
    audience = _pop_audience(rest)
    completed_on = _pop_date(rest, today)
    audience = audience or _pop_audience(rest)
    return CEEntry(
        hours=hours,
        topic=topic,
        audience=audience or "T",
        completed_on=completed_on or today,
        title=_title(rest),
        tags=entry_tags,
    )


#: The words of ``/ce edit <n> <field> <value>`` (alias -> field).
EDIT_FIELDS: dict[str, str] = {
    "hours": "hours", "hour": "hours", "h": "hours", "hrs": "hours",
    "date": "date", "on": "date", "day": "date",
    "title": "title", "name": "title",
    "topic": "topic",
    "uan": "uan",
    "audience": "audience", "for": "audience",
}
_NO_UAN = ("none", "no", "-", "remove", "delete")
_TAG_CHANGE = re.compile(r"[+-][^\W\d_]", re.UNICODE)


def edit_examples(number: str = "<n>") -> str:
    return (
        f"/ce edit {number} hours 3 · /ce edit {number} date 2026-03-14 · "
        f'/ce edit {number} title "New title" · /ce edit {number} topic law · '
        f"/ce edit {number} uan {UAN_EXAMPLE} (or uan none) · /ce edit {number} audience P · "
        f"/ce edit {number} +tag -tag"
    )


def _is_tag_change(token: _Token) -> bool:
    return not token.quoted and _TAG_CHANGE.match(token.value) is not None


def _edit_value(field: str, tokens: list[_Token], today: date, number: str) -> dict:
    """The columns one ``<field> <value>`` of an edit sets."""
    text = " ".join(t.value for t in tokens).strip()
    if not tokens or (not text and field != "title"):
        what = {"hours": "hours", "date": "date", "title": "title, in quotes", "topic": "topic",
                "uan": "UAN", "audience": "audience (T or P)"}[field]
        raise CEInputError(
            f"Tell me the new {what} after \u201c{field}\u201d, e.g. {edit_examples(number)}"
        )
    if field == "hours":
        return {"hours": parse_hours(text, f"/ce edit {number} hours 1.5")}
    if field == "date":
        return {"completed_on": parse_ce_date(text, today)}
    if field == "title":
        return {"title": _title(tokens)}
    if field == "topic":
        return {"topic": parse_topic(text)}
    if field == "audience":
        if text.upper() not in AUDIENCES:
            raise CEInputError(
                f"The audience is T (technician) or P (pharmacist), not {_quoted(text)}. "
                f"Try: /ce edit {number} audience T"
            )
        return {"audience": text.upper()}
    if text.lower() in _NO_UAN:
        return {"uan": None, "delivery": None}
    uan = parse_uan(text)
    return {"uan": uan.text, "topic": uan.topic, "audience": uan.audience,
            "delivery": uan.delivery}


def _positional_edit(tokens: list[_Token], today: date, number: str) -> dict:
    """The form of ``/ce add`` (``<hours> [topic] ["title"] [date] [T|P]`` or ``<UAN>
    [hours] ...``): the columns it gives, and nothing else."""
    changes: dict = {}
    rest = list(tokens)
    first = rest.pop(0)
    if _looks_like_uan(first.value):
        changes.update(_edit_value("uan", [first], today, number))
        if rest and not rest[0].quoted and _HOURS.match(rest[0].value.strip()):
            changes["hours"] = parse_hours(rest.pop(0).value, UAN_ADD_EXAMPLE)
    else:
        changes["hours"] = parse_hours(first.value)
    audience = _pop_audience(rest)
    completed_on = _pop_date(rest, today)
    audience = audience or _pop_audience(rest)
    if audience is not None:
        changes["audience"] = audience
    if completed_on is not None:
        changes["completed_on"] = completed_on
    if rest and not rest[0].quoted and "uan" not in changes:
        changes["topic"] = parse_topic(rest.pop(0).value)
    if rest:
        changes["title"] = _title(rest)
    return changes


def parse_edit_args(
    args: list[str], entry: CEEntry, today: date, tags: Mapping[str, str] | None = None,
    number: str = "<n>",
) -> CEEntry:
    """The words after ``/ce edit <n>`` applied to ``entry``: only what they name changes, the
    rest of the entry is kept. ``number`` is the entry's number, for the examples in messages.

    Fields and values, in any order and any number::

        hours 3 · date 2026-03-14 · title "New title" · topic law · uan <UAN> · uan none ·
        audience P · +tag · -tag

    The form of ``/ce add`` works too and changes only what it gives: ``/ce edit 12 3 general``
    sets the hours and the topic and keeps the date, title, UAN and tags. A UAN decides the
    topic and the audience: changing either of them on an entry with a UAN is refused with the
    way out (a new UAN, or ``uan none``).
    """
    known_tags = CORE_TAGS if tags is None else tags
    tokens = _tokenize(" ".join(args))
    if not tokens:
        raise CEInputError(f"Tell me what to change, e.g. {edit_examples(number)}")
    changes: dict = {}
    entry_tags = list(entry.tags)
    named: set[str] = set()
    first = tokens[0]
    keyword_form = first.quoted is False and (
        first.value.lower() in EDIT_FIELDS or _is_tag_change(first))
    if not keyword_form and not first.quoted and (
            _looks_like_uan(first.value) or _HOURS.match(first.value.strip())):
        positional = [t for t in tokens if not _is_tag_change(t)]
        changes = _positional_edit(positional, today, number)
        named = set(changes)
        tokens = [t for t in tokens if _is_tag_change(t)]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _is_tag_change(token):
            tag = parse_tag("+" + token.value[1:], known_tags)
            entry_tags = [t for t in entry_tags if t != tag]
            if token.value.startswith("+"):
                entry_tags.append(tag)
            i += 1
            continue
        field = None if token.quoted else EDIT_FIELDS.get(token.value.lower())
        if field is None:
            raise CEInputError(
                f"I can change hours, date, title, topic, uan, audience and tags, not "
                f"{_quoted(token.value)}. Put the field before each new value, e.g. "
                f"{edit_examples(number)}"
            )
        end = i + 1
        while end < len(tokens) and not _is_tag_change(tokens[end]) and not (
                not tokens[end].quoted and tokens[end].value.lower() in EDIT_FIELDS):
            end += 1
        values = _edit_value(field, tokens[i + 1 : end], today, number)
        changes.update(values)
        named.add(field)
        i = end
    changes["tags"] = tuple(dict.fromkeys(entry_tags))
    if entry.uan is not None and "uan" not in named and (
            "topic" in changes or "audience" in changes):
        uan = parse_uan(entry.uan)
        for field, value, wanted in (("topic", changes.get("topic"), uan.topic),
                                     ("audience", changes.get("audience"), uan.audience)):
            if value is not None and value != wanted:
                raise CEInputError(
                    f"This entry has the UAN {uan.text}, and a UAN decides the {field} "
                    f"({topic_label(uan.topic) if field == 'topic' else AUDIENCES[uan.audience]})."
                    f" To change the {field}, give the right UAN (/ce edit {number} uan "
                    f"<UAN>) or remove it (/ce edit {number} uan none). To change the hours "
                    f"only: /ce edit {number} hours 3"
                )
    try:
        return replace(entry, **changes)
    except ValueError as exc:  # a combination the entry itself refuses
        raise CEInputError(f"I can't make that change: {exc}. {edit_examples(number)}") from None


# --------------------------------------------------------------------------------------------
# Dates as people say them in a chat (bot.ce.wording); /ce add keeps its own stricter forms
# --------------------------------------------------------------------------------------------

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5,
    "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_SAME_DAY = ("today", "tonight", "this morning", "this afternoon", "this evening", "earlier today")
_DAY_BEFORE = ("yesterday", "last night", "yesterday morning", "yesterday afternoon")
_DAYS_AGO = re.compile(r"^(\d{1,2}|a|one|two|three|four|five|six) days? ago$")
_SMALL_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?$")
_DAY_MONTH = re.compile(r"^(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?$")
_US_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})$")


def _latest_on_or_before(month: int, day: int, today: date, raw: str) -> date:
    """``month``/``day`` without a year: the latest such day on or before ``today``."""
    _make_date(2000, month, day, raw, _DATE_FORMS)  # a leap year: only impossible days fail
    year = today.year
    while True:
        try:
            parsed = date(year, month, day)
        except ValueError:  # Feb 29 in a common year
            parsed = None
        if parsed is not None and parsed <= today:
            return parsed
        year -= 1


def parse_spoken_date(text: str, today: date) -> date | None:
    """The day of an activity as written in a chat message: every form :func:`parse_ce_date`
    reads, plus "this morning", "last night", "3 days ago", a weekday ("monday", "last tue":
    the latest one on or before today, strictly before with "last") and a day without its year
    ("march 14", "14th of march", "3/14": the latest one on or before today).

    ``None`` if the text is not a date; :class:`CEInputError` (from :func:`parse_ce_date`) for
    a real date that can't be logged (in the future, or too old)."""
    cleaned = " ".join(text.translate(_DASHES).lower().replace(",", " ").split())
    cleaned = re.sub(r"^(?:on|from|since|this past|past)\s+", "", cleaned)
    if cleaned in _SAME_DAY:
        return today
    if cleaned in _DAY_BEFORE:
        return today - timedelta(days=1)
    if cleaned == "tomorrow":  # refused as a future date, with the way to log it
        return parse_ce_date((today + timedelta(days=1)).isoformat(), today)
    if m := _DAYS_AGO.match(cleaned):
        days = int(m[1]) if m[1].isdigit() else _SMALL_NUMBERS[m[1]]
        return parse_ce_date((today - timedelta(days=days)).isoformat(), today)
    strictly = cleaned.startswith("last ")
    word = cleaned.removeprefix("last ").removeprefix("this ")
    if word in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[word]) % 7 or (7 if strictly else 0)
        return today - timedelta(days=back)
    parsed: date | None = None
    if (m := _MONTH_DAY.match(cleaned)) and (month := _month_number(m[1])):
        parsed = _latest_on_or_before(month, int(m[2]), today, text)
    elif (m := _DAY_MONTH.match(cleaned)) and (month := _month_number(m[2])):
        parsed = _latest_on_or_before(month, int(m[1]), today, text)
    elif m := _US_DAY.match(cleaned):
        parsed = _latest_on_or_before(int(m[1]), int(m[2]), today, text)
    if parsed is not None:
        return parse_ce_date(parsed.isoformat(), today)
    if not _looks_like_activity_date(cleaned):
        return None
    return parse_ce_date(cleaned, today)
