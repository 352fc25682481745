"""CE requirement rules: the types of a credential's rules, and pure functions over them.

Nothing here does I/O or reads a clock: every function that needs "today" takes it as an
argument, so the handlers, the CLI and the tests decide what "today" is.

The rules themselves are data: one YAML file per credential in ``bot/ce/data/``, each figure
naming the knowledge document and section that states it, loaded and checked by
:mod:`bot.ce.loader`; :mod:`bot.ce.credentials` holds every credential the tracker knows. Fees
and deadlines change; each credential carries its sources, an ``as_of`` for each, and
plain-English ``uncertain`` notes that the bot shows next to the numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import MAXYEAR, MINYEAR, date, timedelta
from typing import Literal
from urllib.parse import urlparse

from bot.telegram.formatting import quote_input

#: How a credential's late-fee deadline is set: PTCB's renewal fee article gives the 1st day of
#: the month the certification expires.
LateFeeRule = Literal["first-of-expiration-month"]

# --------------------------------------------------------------------------------------------
# Types: credentials
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A page a rule comes from. ``as_of`` is the date or version the stored copy states."""

    title: str
    url: str
    as_of: str


@dataclass(frozen=True)
class TopicRule:
    """A required topic or course beyond law and patient safety, e.g. Florida's 2 hours on
    preventing medication errors or the Texas human trafficking course.

    An entry counts toward it when it carries ``key`` as its topic or as a tag (``+key`` in
    ``/ce add``); a ``live`` rule also counts activities logged with a live (L) UAN.
    ``hours`` ``None``: a course to complete, no hours set. ``conditional``: the rule applies only
    to some technicians (a first renewal, those who immunize, a proposed rule): the status shows
    it but does not require it.
    """

    key: str
    label: str
    hours: float | None = None
    conditional: bool = False
    live: bool = False


@dataclass(frozen=True)
class Credential:
    """The renewal rules of one credential.

    Hours are CE contact hours per renewal cycle. ``None`` means "no such rule".
    ``law_topics`` are the canonical topics (or tags) that satisfy the law requirement.
    ``reinstatement_years`` is how long after expiration the credential can still be reinstated
    (or, for a state registration, renewed late); the last such day is the day before the
    anniversary of the expiration date; ``None``: our sources don't say.
    ``late_renewal_fee_tiers`` is ``(max days expired, fee)`` for state-style late renewal after
    expiration. ``cycle_starts_at_approval``: the CE cycle starts the day the last renewal was
    approved (PTCB), which the user may tell us; otherwise it is assumed from the expiration.
    ``accredited_only_topics``: topics (or tags) whose hours count toward the total only when the
    activity is accredited CE (logged with its UAN, or tagged ``+accredited``).
    """

    id: str
    name: str
    body: str
    cycle_months: int
    total_hours: float
    min_technician_hours: float | None
    max_pharmacist_hours: float | None
    law_hours: float
    law_label: str
    patient_safety_hours: float
    topic_rules: tuple[TopicRule, ...]
    renewal_window_days: int | None
    late_fee_deadline_rule: LateFeeRule | None
    late_fee: str
    renewal_fee: str
    reinstatement: str
    reinstatement_law_hours: float
    uncertain: tuple[str, ...]
    confirm_at: str
    sources: tuple[Source, ...]
    law_topics: tuple[str, ...] = ("law", "tx-law")
    reinstatement_years: int | None = 1
    after_lapse: str = ""
    late_renewal_fee_tiers: tuple[tuple[int, str], ...] = ()
    cycle_starts_at_approval: bool = False
    accredited_only_topics: tuple[str, ...] = ()
    state: str | None = None  # the jurisdiction code of a state credential, e.g. "FL"

    @property
    def site(self) -> str:
        """The certifying body's site as a short name, e.g. ``ptcb.org``."""
        host = urlparse(self.confirm_at).netloc
        return host.removeprefix("www.")


# --------------------------------------------------------------------------------------------
# Data: topics
# --------------------------------------------------------------------------------------------

#: Accepted user words (after lower-casing, ``_``/space -> ``-``) -> canonical topic.
TOPICS: dict[str, str] = {
    "drug-therapy": "drug-therapy",
    "drug": "drug-therapy",
    "01": "drug-therapy",
    "hiv-aids": "hiv-aids",
    "hiv": "hiv-aids",
    "aids": "hiv-aids",
    "02": "hiv-aids",
    "law": "law",
    "pharmacy-law": "law",
    "03": "law",
    "general": "general",
    "gen": "general",
    "04": "general",
    "patient-safety": "patient-safety",
    "ps": "patient-safety",
    "safety": "patient-safety",
    "05": "patient-safety",
    "compounding": "compounding",
    "07": "compounding",
    "opioids": "opioids",
    "controlled-substances": "opioids",
    "08": "opioids",
    "tx-law": "tx-law",
    "texas-law": "tx-law",
    "human-trafficking": "human-trafficking",
    "trafficking": "human-trafficking",
}

#: ACPE topic designator of each named canonical topic (``None``: not an ACPE topic of its own).
#: ACPE has more designators than these (knowledge/ce_renewal/acpe-uan-and-cpe-monitor.md): any
#: other one is kept as the topic ``acpe-NN`` ("ACPE topic NN").
TOPIC_CODES: dict[str, str | None] = {
    "drug-therapy": "01",
    "hiv-aids": "02",
    "law": "03",
    "general": "04",
    "patient-safety": "05",
    "compounding": "07",
    "opioids": "08",
    "tx-law": None,
    "human-trafficking": None,
}

TOPIC_LABELS: dict[str, str] = {
    "drug-therapy": "drug therapy (ACPE 01)",
    "hiv-aids": "HIV/AIDS (ACPE 02)",
    "law": "pharmacy law (ACPE 03)",
    "general": "general pharmacy (ACPE 04)",
    "patient-safety": "patient safety (ACPE 05)",
    "compounding": "compounding (ACPE 07)",
    "opioids": "opioids and controlled substances (ACPE 08)",
    "tx-law": "Texas pharmacy law",
    "human-trafficking": "human trafficking prevention course",
}

AUDIENCES: dict[str, str] = {"T": "technician (T)", "P": "pharmacist (P)"}

_CODE_TO_TOPIC = {code: topic for topic, code in TOPIC_CODES.items() if code is not None}
_OTHER_ACPE_TOPIC = re.compile(r"acpe-(\d{2})")
_DELIVERY = {"L": "live", "H": "home study", "B": "blended"}

#: Tags a user can put on an entry with ``+tag`` (alias -> tag), saying which requirement it
#: meets beyond its topic: a Texas law course logged by its UAN (topic 03) is ``+tx-law``, a
#: human trafficking course logged by its UAN is ``+human-trafficking``, and a course logged
#: without a UAN that is accredited CE is ``+accredited``. State credentials add one tag per
#: required topic (bot/ce/credentials.py).
CORE_TAGS: dict[str, str] = {
    "tx-law": "tx-law",
    "texas-law": "tx-law",
    "human-trafficking": "human-trafficking",
    "trafficking": "human-trafficking",
    "accredited": "accredited",
}
TAG_LABELS: dict[str, str] = {
    "tx-law": "a course on Texas pharmacy laws or rules (the Texas law hour)",
    "human-trafficking": "the Texas HHSC-approved human trafficking prevention course",
    "accredited": "accredited CE logged without its UAN",
}
ACCREDITED_TAG = "accredited"
_TAG = re.compile(r"[a-z0-9][a-z0-9-]*")

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


def topic_for_code(code: str) -> str | None:
    """The canonical topic of an ACPE topic designator (``"07"`` -> ``"compounding"``,
    ``"12"`` -> ``"acpe-12"``); ``None`` unless it is two digits from 01 up."""
    if not re.fullmatch(r"\d{2}", code) or code == "00":
        return None
    return _CODE_TO_TOPIC.get(code, f"acpe-{code}")


def is_topic(topic: str) -> bool:
    match = _OTHER_ACPE_TOPIC.fullmatch(topic)
    return topic in TOPIC_LABELS or (match is not None and match[1] != "00")


def topic_label(topic: str) -> str:
    """``"law"`` -> ``"pharmacy law (ACPE 03)"``, ``"acpe-12"`` -> ``"ACPE topic 12"``."""
    if topic in TOPIC_LABELS:
        return TOPIC_LABELS[topic]
    match = _OTHER_ACPE_TOPIC.fullmatch(topic)
    return f"ACPE topic {match[1]}" if match else topic

# --------------------------------------------------------------------------------------------
# Entries and errors
# --------------------------------------------------------------------------------------------


class CEInputError(ValueError):
    """A user's CE input could not be used. The message is ready to show to the user."""


@dataclass(frozen=True)
class CEEntry:
    """One completed CE activity as logged by the user."""

    hours: float
    topic: str
    audience: str
    completed_on: date
    title: str = ""
    uan: str | None = None
    delivery: str | None = None
    tags: tuple[str, ...] = ()  # requirements it meets beyond its topic, e.g. ("tx-law",)

    def __post_init__(self) -> None:
        if not is_topic(self.topic):
            raise ValueError(f"unknown CE topic {self.topic!r}")
        if not all(_TAG.fullmatch(tag) for tag in self.tags):
            raise ValueError(f"malformed CE tags {self.tags!r}")
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown CE audience {self.audience!r}")
        if not self.hours > 0:
            raise ValueError(f"CE hours must be positive, got {self.hours!r}")


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


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _r2(value: float) -> float:
    """Round hours to 2 decimals so that 0.1 + 0.2 compares equal to 0.3."""
    return round(value + 0.0, 2)


def _sum_hours(values: list[float]) -> float:
    return _r2(math.fsum(values))


def format_hours(hours: float) -> str:
    """``2.0`` -> ``"2"``, ``1.5`` -> ``"1.5"``, ``1.25`` -> ``"1.25"``."""
    text = f"{_r2(hours):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _hours_phrase(hours: float, more: bool = False, kind: str = "") -> str:
    """``1`` -> "1 hour", ``2`` -> "2 hours"; with ``more``/``kind``: "3 more T hours"."""
    words = [format_hours(hours)]
    if more:
        words.append("more")
    if kind:
        words.append(kind)
    words.append("hour" if _r2(hours) == 1 else "hours")
    return " ".join(words)


def add_years(day: date, years: int) -> date:
    """Same month and day ``years`` later (or earlier); Feb 29 becomes Feb 28 in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later (or earlier), or the last day of that month if it is shorter."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, _last_day_of_month(year, month0 + 1).day))


def _last_day_of_month(year: int, month: int) -> date:
    if month == 12:  # December 9999 has a last day, though 10000-01-01 does not exist
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


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


#: The fields of an entry, in the order an edit lists its changes.
_CHANGE_FIELDS = ("hours", "topic", "audience", "completed_on", "title", "uan", "delivery", "tags")


def describe_changes(before: CEEntry, after: CEEntry) -> list[str]:
    """``["hours: 1 → 3", "date: 2025-06-01 → 2025-06-02"]``: what an edit changed."""

    def shown(name: str, entry: CEEntry) -> str:
        value = getattr(entry, name)
        if name == "hours":
            return format_hours(value)
        if name == "topic":
            return topic_label(value)
        if name == "audience":
            return AUDIENCES[value]
        if name == "completed_on":
            return value.isoformat()
        if name == "title":
            return f"\u201c{value}\u201d" if value else "none"
        if name == "tags":
            return " ".join(f"+{t}" for t in value) or "none"
        return value or "none"

    labels = {"completed_on": "date", "uan": "UAN"}
    return [
        f"{labels.get(name, name)}: {shown(name, before)} \u2192 {shown(name, after)}"
        for name in _CHANGE_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]


def describe_entry(entry: CEEntry) -> str:
    """One plain line of what was understood, e.g.
    ``1.5 h · patient safety (ACPE 05) · technician (T) · home study · 2026-03-01``."""
    parts = [f"{format_hours(entry.hours)} h", topic_label(entry.topic), AUDIENCES[entry.audience]]
    if entry.delivery:
        parts.append(entry.delivery)
    parts.append(entry.completed_on.isoformat())
    if entry.title:
        parts.append(f"\u201c{entry.title}\u201d")
    if entry.uan:
        parts.append(f"UAN {entry.uan}")
    if entry.tags:
        parts.append(" ".join(f"+{tag}" for tag in entry.tags))
    return " \u00b7 ".join(parts)


# --------------------------------------------------------------------------------------------
# Cycle, phase and status
# --------------------------------------------------------------------------------------------

Phase = Literal["cycle", "window_open", "late", "expired", "expired_reinstatable", "lapsed"]

#: How each late-fee rule is explained next to its date.
LATE_FEE_RULE_TEXT: dict[str, str] = {
    "first-of-expiration-month": (
        "the 1st day of your expiration month (PTCB's renewal fee article)"
    ),
}


def cycle_start_assumed(credential: Credential, since: date | None) -> bool:
    """Whether the cycle start is a guess: the credential's cycle starts on an approval date
    the user hasn't given."""
    return credential.cycle_starts_at_approval and since is None


def cycle_start(credential: Credential, expiration: date, since: date | None = None) -> date:
    """First day of the cycle ending on ``expiration``.

    For a credential whose cycle starts when the last renewal was approved (PTCB), that is
    ``since`` when the user gave it. Otherwise, and by default, it is the day after the same date
    ``cycle_months`` earlier (a day the shorter month lacks counts as its last day)."""
    if since is not None and credential.cycle_starts_at_approval:
        return since
    return add_months(expiration, -credential.cycle_months) + timedelta(days=1)


def earliest_cycle_start(credential: Credential, expiration: date) -> date:
    """The earliest day an approval-based cycle ending on ``expiration`` can have started, when
    the user hasn't said: the last renewal could be approved once its window opened, which was
    ``renewal_window_days`` before the previous expiration (the day before the assumed start)."""
    start = cycle_start(credential, expiration)
    if not credential.cycle_starts_at_approval:
        return start
    return start - timedelta(days=(credential.renewal_window_days or 0) + 1)


def renewal_window_opens(credential: Credential, expiration: date) -> date | None:
    if credential.renewal_window_days is None:
        return None
    return expiration - timedelta(days=credential.renewal_window_days)


def late_fee_deadline(credential: Credential, expiration: date) -> date | None:
    """Last day to apply without the late fee (``None`` if the credential has no such fee):
    for PTCB the 1st day of the expiration month (its renewal fee article)."""
    if credential.late_fee_deadline_rule == "first-of-expiration-month":
        return expiration.replace(day=1)
    return None


def reinstatement_deadline(credential: Credential, expiration: date) -> date | None:
    """Last day a lapsed credential can still be reinstated (or renewed late): the day before
    the anniversary of the expiration date, read conservatively from "within 1 year".
    ``None`` when our sources don't say."""
    if credential.reinstatement_years is None:
        return None
    return add_years(expiration, credential.reinstatement_years) - timedelta(days=1)


def renewal_phase(credential: Credential, expiration: date, today: date) -> Phase:
    if today > expiration:
        deadline_after = reinstatement_deadline(credential, expiration)
        if deadline_after is None:
            return "expired"
        if today <= deadline_after:
            return "expired_reinstatable"
        return "lapsed"
    deadline = late_fee_deadline(credential, expiration)
    if deadline is not None and today > deadline:
        return "late"
    opens = renewal_window_opens(credential, expiration)
    if opens is not None and today >= opens:
        return "window_open"
    return "cycle"


def entry_in_cycle(
    credential: Credential, expiration: date, entry: CEEntry, since: date | None = None
) -> bool:
    """Whether the entry falls in the cycle that ends on ``expiration`` (both ends included)."""
    return cycle_start(credential, expiration, since) <= entry.completed_on <= expiration


def _entry_in_reinstatement_period(
    credential: Credential, expiration: date, entry: CEEntry
) -> bool:
    deadline = reinstatement_deadline(credential, expiration)
    return deadline is not None and expiration < entry.completed_on <= deadline


def _set_since_hint(credential: Credential, expiration: date) -> str:
    return f"/ce set {credential.id} {expiration.isoformat()} --since YYYY-MM-DD"


def _before_assumed_start(
    credential: Credential, expiration: date, since: date | None, entry: CEEntry
) -> bool:
    """Dated before the assumed start of an approval-based cycle, but late enough that the real
    cycle may include it: such entries are kept, not counted until the user gives the start."""
    if not cycle_start_assumed(credential, since):
        return False
    start = cycle_start(credential, expiration)
    return earliest_cycle_start(credential, expiration) <= entry.completed_on < start


def check_entry_for(
    credential: Credential, expiration: date, entry: CEEntry, since: date | None = None
) -> str | None:
    """Raise :class:`CEInputError` if the entry can't count toward this renewal.

    In-cycle entries count. Entries dated after expiration (which only exist once the
    credential has expired) are accepted up to the reinstatement deadline, for reinstatement.
    CE of the real cycle is never refused: when the cycle starts at an approval date the user
    hasn't given, an entry that date could include is accepted, and the returned notice (else
    ``None``) says it won't count until the user gives the start.
    """
    if entry_in_cycle(credential, expiration, entry, since):
        return None
    if _entry_in_reinstatement_period(credential, expiration, entry):
        return None
    start = cycle_start(credential, expiration, since)
    hint = _set_since_hint(credential, expiration)
    if _before_assumed_start(credential, expiration, since, entry):
        return (
            f"It is dated before {start.isoformat()}, when I assume your {credential.body} "
            f"cycle started, so /ce status doesn't count it yet. Your cycle really starts the day "
            f"{credential.body} approved your last recertification: if that was on or before "
            f"{entry.completed_on.isoformat()}, tell me the date: {hint}"
        )
    if cycle_start_assumed(credential, since):
        cycle = f"{start.isoformat()} (assumed) to {expiration.isoformat()}"
        fix = (
            f" If {credential.body} approved your last recertification before "
            f"{entry.completed_on.isoformat()}, tell me the date first: {hint}"
        )
    elif since is not None and credential.cycle_starts_at_approval:
        cycle = f"{start.isoformat()} to {expiration.isoformat()}"
        fix = (
            f" Your cycle started on {start.isoformat()}, the day {credential.body} approved your "
            f"last recertification as you told me; if that date is wrong, set it again: {hint}"
        )
    else:
        cycle = f"{start.isoformat()} to {expiration.isoformat()}"
        fix = ""
    raise CEInputError(
        f"That activity is dated {entry.completed_on.isoformat()}, outside your current renewal "
        f"cycle ({cycle}). {credential.body} counts only hours earned inside the cycle, so I "
        f"didn't add it. If the date is a typo, add it again with the right date; if your "
        f"expiration date has changed, update it first.{fix}"
    )


RuleKind = Literal["min", "max", "if-applies"]


@dataclass(frozen=True)
class RuleProgress:
    """Progress on one requirement. ``kind`` "min": needs at least ``needed``; "max": a cap,
    where ``done`` is what counts and ``submitted`` is what was logged; "if-applies": a
    requirement only some technicians have, shown but not required."""

    key: str
    label: str
    done: float
    needed: float
    met: bool
    kind: RuleKind = "min"
    submitted: float | None = None


@dataclass(frozen=True)
class CEStatus:
    credential: Credential
    expiration: date
    cycle_start: date
    rules: list[RuleProgress]
    days_to_expiration: int
    renewal_window_opens: date | None
    late_fee_deadline: date | None
    days_to_late_fee_deadline: int | None
    phase: Phase
    complete: bool
    missing: list[str]
    next_step: str
    notes: tuple[str, ...]
    reinstatement_deadline: date | None
    entries_counted: int = 0
    entries_ignored: int = 0
    cycle_start_assumed: bool = False
    entries_before_assumed_start: int = 0
    not_counted: tuple[str, ...] = ()  # why logged hours don't count toward the total

    def rule(self, key: str) -> RuleProgress:
        """The rule with this key (``KeyError`` if the credential has no such rule)."""
        for rule in self.rules:
            if rule.key == key:
                return rule
        raise KeyError(key)


def _t_hint(credential: Credential) -> str:
    return " with a UAN ending in T" if credential.min_technician_hours is not None else ""


def _topic_rule(credential: Credential, key: str) -> TopicRule | None:
    return next((r for r in credential.topic_rules if r.key == key), None)


def _action_for(credential: Credential, rule: RuleProgress) -> str:
    gap = _r2(rule.needed - rule.done)
    if rule.key == "law":
        text = f"Earn {_hours_phrase(gap)} of CE in {credential.law_label}{_t_hint(credential)}"
        if "law" not in credential.law_topics:
            text += " (general or federal law courses don't count)"
        return text + "."
    if rule.key == "patient-safety":
        return (
            f"Earn {_hours_phrase(gap)} of patient safety CE (ACPE topic 05){_t_hint(credential)}."
        )
    if rule.key == "technician":
        return f"Earn {_hours_phrase(gap, True, 'technician-specific')} (UAN ending in T)."
    if rule.key == "total":
        return f"Earn {_hours_phrase(gap, True)} of CE{_t_hint(credential)}, in any pharmacy topic."
    topic_rule = _topic_rule(credential, rule.key)
    if topic_rule is not None and topic_rule.hours is not None:
        if topic_rule.live:
            return (
                f"Earn {_hours_phrase(gap)} of {rule.label} CE: activities logged with a live (L) "
                f"UAN count by themselves; mark other live CE +{rule.key} when you log it."
            )
        return (
            f"Earn {_hours_phrase(gap)} of CE in {rule.label} and mark it +{rule.key} when you log "
            f"it."
        )
    if rule.key in TOPIC_LABELS:
        text = f"Complete the {rule.label}, then log it with /ce add <hours> {rule.key}."
        if rule.key in credential.accredited_only_topics:
            text += (
                f" If it is accredited CE, log it with its UAN and +{rule.key} so its hours count "
                f"toward the total too."
            )
        return text
    return f"Complete the {rule.label}, then log it with +{rule.key} on its /ce add line."


def _missing_line(credential: Credential, rule: RuleProgress) -> str:
    gap = _r2(rule.needed - rule.done)
    if rule.key == "total":
        return f"{_hours_phrase(gap, True)} in total"
    if rule.key == "technician":
        return _hours_phrase(gap, True, "technician-specific (T)")
    if rule.key == "law":
        return f"{_hours_phrase(gap)} of {credential.law_label}"
    if rule.key == "patient-safety":
        return f"{_hours_phrase(gap)} of patient safety (ACPE topic 05)"
    topic_rule = _topic_rule(credential, rule.key)
    if topic_rule is not None and topic_rule.hours is not None:
        return f"{_hours_phrase(gap)} of {rule.label}"
    return rule.label


def counts_as(entry: CEEntry) -> set[str]:
    """What an entry counts as: its topic and its tags."""
    return {entry.topic, *entry.tags}


def is_accredited(entry: CEEntry) -> bool:
    """Logged with an ACPE UAN, or marked +accredited by the user."""
    return entry.uan is not None or ACCREDITED_TAG in entry.tags


def _topic_rule_progress(
    credential: Credential, rule: TopicRule, counted: list[CEEntry]
) -> RuleProgress:
    matching = [
        e for e in counted
        if rule.key in counts_as(e) or (rule.live and e.delivery == "live")
    ]
    if rule.hours is None:
        done, needed = (1.0 if matching else 0.0), 1.0
    else:
        done, needed = _sum_hours([e.hours for e in matching]), _r2(rule.hours)
    kind: RuleKind = "if-applies" if rule.conditional else "min"
    return RuleProgress(rule.key, rule.label, done, needed, done >= needed, kind=kind)


def _not_counted_lines(credential: Credential, unaccredited: list[CEEntry]) -> tuple[str, ...]:
    lines = []
    for key in credential.accredited_only_topics:
        hours = _sum_hours([e.hours for e in unaccredited if key in counts_as(e)])
        if not hours:
            continue
        topic_rule = _topic_rule(credential, key)
        label = topic_rule.label if topic_rule else topic_label(key)
        lines.append(
            f"{format_hours(hours)} h of {label} not logged as accredited CE: "
            f"{credential.body} counts it toward the {format_hours(credential.total_hours)} hours "
            f"only if it is accredited. If it is, log it with its UAN and +{key}, or mark it: "
            f"/ce tag <n> +{ACCREDITED_TAG}"
        )
    return tuple(lines)


def ce_status(
    credential: Credential,
    expiration: date,
    entries: list[CEEntry],
    today: date,
    since: date | None = None,
) -> CEStatus:
    """Where a user stands on renewing ``credential`` (expiring on ``expiration``) on ``today``.

    ``since`` is the day the cycle started, where the user gave it (PTCB: the day it approved
    the last recertification); without it the start is assumed from the expiration date.
    Entries outside the cycle are ignored, except that once the credential has expired and can
    still be reinstated, entries up to today count toward reinstatement. Hours of topics that
    count only as accredited CE (the Texas human trafficking course) count toward the total only
    when the entry is accredited.
    """
    start = cycle_start(credential, expiration, since)
    assumed = cycle_start_assumed(credential, since)
    phase = renewal_phase(credential, expiration, today)
    reinstating = phase == "expired_reinstatable"
    counted = [
        e
        for e in entries
        if entry_in_cycle(credential, expiration, e, since)
        or (reinstating and _entry_in_reinstatement_period(credential, expiration, e))
    ]
    pending = [
        e for e in entries
        if e not in counted and _before_assumed_start(credential, expiration, since, e)
    ]
    accredited_only = set(credential.accredited_only_topics)
    unaccredited = [e for e in counted if counts_as(e) & accredited_only and not is_accredited(e)]
    hours_counted = [e for e in counted if not (counts_as(e) & accredited_only)
                     or is_accredited(e)]

    t_hours = _sum_hours([e.hours for e in hours_counted if e.audience == "T"])
    p_hours = _sum_hours([e.hours for e in hours_counted if e.audience == "P"])
    cap = credential.max_pharmacist_hours
    p_counted = min(p_hours, _r2(cap)) if cap is not None else p_hours
    total = _r2(t_hours + p_counted)

    total_needed = _r2(credential.total_hours)
    total_label = "total CE hours" if total_needed else "no CE hours required to renew"
    rules = [RuleProgress("total", total_label, total, total_needed, total >= total_needed)]
    if credential.min_technician_hours is not None:
        needed = _r2(credential.min_technician_hours)
        rules.append(
            RuleProgress(
                "technician", "technician-specific (T) hours", t_hours, needed, t_hours >= needed
            )
        )
    if cap is not None:
        rules.append(
            RuleProgress(
                "pharmacist",
                f"pharmacist-specific (P) hours, at most {format_hours(cap)} count",
                p_counted,
                _r2(cap),
                p_counted <= _r2(cap),
                kind="max",
                submitted=p_hours,
            )
        )
    law_needed = _r2(credential.reinstatement_law_hours if reinstating else credential.law_hours)
    if law_needed > 0:
        law_done = _sum_hours(
            [e.hours for e in counted if counts_as(e) & set(credential.law_topics)]
        )
        rules.append(
            RuleProgress("law", credential.law_label, law_done, law_needed, law_done >= law_needed)
        )
    if credential.patient_safety_hours > 0:
        needed = _r2(credential.patient_safety_hours)
        ps_done = _sum_hours([e.hours for e in counted if e.topic == "patient-safety"])
        rules.append(
            RuleProgress(
                "patient-safety",
                "patient safety (ACPE topic 05)",
                ps_done,
                needed,
                ps_done >= needed,
            )
        )
    rules.extend(_topic_rule_progress(credential, r, counted) for r in credential.topic_rules)

    unmet = [r for r in rules if not r.met and r.kind != "if-applies"]
    complete = not unmet
    missing = [_missing_line(credential, r) for r in unmet]

    opens = renewal_window_opens(credential, expiration)
    deadline = late_fee_deadline(credential, expiration)
    reinstate_by = reinstatement_deadline(credential, expiration)
    next_step = _next_step(
        credential, expiration, today, phase, rules, missing, opens, deadline, reinstate_by
    )
    return CEStatus(
        credential=credential,
        expiration=expiration,
        cycle_start=start,
        rules=rules,
        days_to_expiration=(expiration - today).days,
        renewal_window_opens=opens,
        late_fee_deadline=deadline,
        days_to_late_fee_deadline=(deadline - today).days if deadline is not None else None,
        phase=phase,
        complete=complete,
        missing=missing,
        next_step=next_step,
        notes=credential.uncertain,
        reinstatement_deadline=reinstate_by,
        entries_counted=len(counted),
        entries_ignored=len(entries) - len(counted) - len(pending),
        cycle_start_assumed=assumed,
        entries_before_assumed_start=len(pending),
        not_counted=_not_counted_lines(credential, unaccredited),
    )


# Requirements that are easy to miss come first in the "next step".
_NEXT_STEP_ORDER = ("law", "patient-safety", "technician", "total")


def _first_action(credential: Credential, rules: list[RuleProgress]) -> str:
    unmet = {r.key: r for r in rules if not r.met and r.kind != "if-applies"}
    for key in _NEXT_STEP_ORDER[:2]:
        if key in unmet:
            return _action_for(credential, unmet[key])
    for topic_rule in credential.topic_rules:
        if topic_rule.key in unmet:
            return _action_for(credential, unmet[topic_rule.key])
    for key in _NEXT_STEP_ORDER[2:]:
        if key in unmet:
            return _action_for(credential, unmet[key])
    return ""


def _next_step(
    credential: Credential,
    expiration: date,
    today: date,
    phase: Phase,
    rules: list[RuleProgress],
    missing: list[str],
    opens: date | None,
    deadline: date | None,
    reinstate_by: date | None,
) -> str:
    site = credential.site
    exp = expiration.isoformat()
    complete = not missing
    if phase == "expired":
        return f"Your {credential.name} expired on {exp}. {credential.reinstatement}"
    if phase == "lapsed":
        return (
            f"Your {credential.name} expired on {exp} and the 1-year reinstatement period ended "
            f"on {reinstate_by.isoformat() if reinstate_by else ''}. {credential.after_lapse} "
            f"Confirm on {site}."
        )
    if phase == "expired_reinstatable":
        days_expired = (today - expiration).days
        fee = next(
            (text for limit, text in credential.late_renewal_fee_tiers if days_expired <= limit),
            None,
        )
        fee_text = f" Renewing now costs {fee}." if fee else ""
        head = (
            f"Your {credential.name} expired on {exp}. {credential.reinstatement}{fee_text} "
            f"Apply by {reinstate_by.isoformat() if reinstate_by else ''}."
        )
        if complete:
            return f"{head} Your logged CE covers it, so apply on {site} now."
        return f"{head} Still needed: {'; '.join(missing)}. {_first_action(credential, rules)}"

    if complete:
        if phase == "cycle" and opens is not None:
            return (
                f"You're complete \u2014 submit your renewal on {site} (the window opens "
                f"{opens.isoformat()})."
            )
        if phase == "window_open" and deadline is not None:
            return (
                f"You're complete \u2014 submit your renewal on {site} now; apply by "
                f"{deadline.isoformat()} to avoid the late fee."
            )
        if phase == "late":
            return (
                f"You're complete \u2014 submit your renewal on {site} before {exp}; the late fee "
                f"now applies."
            )
        return f"You're complete \u2014 submit your renewal on {site} before {exp}."

    action = _first_action(credential, rules)
    days_left = (expiration - today).days
    if phase == "late":
        timing = (
            f"The late-fee deadline ({deadline.isoformat() if deadline else ''}) has passed, so a "
            f"late fee applies; renew before {exp}."
        )
    elif phase == "window_open" and deadline is not None:
        timing = (
            f"Your renewal window is open; apply by {deadline.isoformat()} to avoid the late fee."
        )
    else:
        timing = f"Your cycle ends on {exp} ({days_left} days left)."
    return f"{action} {timing}"


def _days_left(days: int) -> str:
    if days < 0:
        return "passed"
    if days == 0:
        return "today"
    return f"{days} day{'s' if days != 1 else ''} left"


def _rule_line(credential: Credential, rule: RuleProgress) -> str:
    mark = "\u2713" if rule.met else "\u2717"
    label = rule.label[:1].upper() + rule.label[1:]
    if rule.kind == "max":
        submitted = rule.submitted if rule.submitted is not None else rule.done
        return (
            f"{mark} {label}: {format_hours(rule.done)} counted of "
            f"{format_hours(submitted)} logged"
        )
    if rule.key == "total" and not rule.needed:
        return f"{mark} {label}"
    topic_rule = _topic_rule(credential, rule.key)
    if topic_rule is None:
        return f"{mark} {label}: {format_hours(rule.done)} of {format_hours(rule.needed)}"
    if topic_rule.hours is None:
        line = f"{mark} {label}: {'done' if rule.met else 'not done'}"
    else:
        line = f"{mark} {label}: {format_hours(rule.done)} of {format_hours(rule.needed)}"
    if rule.key not in TOPIC_LABELS:  # a state topic: say how to mark entries for it
        line += f" \u00b7 mark entries +{rule.key}"
        if topic_rule.live:
            line += " (live L UANs count by themselves)"
    if rule.kind == "if-applies":
        line += " \u00b7 only if it applies to you"
    return line


def status_text(status: CEStatus) -> str:
    """The status as plain text (no markup), one fact per line."""
    cred = status.credential
    assumed = " (assumed)" if status.cycle_start_assumed else ""
    lines = [
        (
            f"{cred.name}: expires {status.expiration.isoformat()} "
            f"({status.days_to_expiration} days from today)"
        ),
        (
            f"Cycle: {status.cycle_start.isoformat()}{assumed} to {status.expiration.isoformat()}"
            f" \u00b7 phase: {status.phase.replace('_', ' ')}"
        ),
    ]
    if status.cycle_start_assumed:
        lines.append(
            f"Cycle start assumed: {cred.body}'s cycle starts the day it approved your last "
            f"recertification. If you know that date, set it: "
            f"{_set_since_hint(cred, status.expiration)}"
        )
    if status.renewal_window_opens is not None:
        lines.append(f"Renewal window opens: {status.renewal_window_opens.isoformat()}")
    if status.late_fee_deadline is not None and status.days_to_late_fee_deadline is not None:
        basis = LATE_FEE_RULE_TEXT.get(cred.late_fee_deadline_rule or "", "")
        lines.append(
            f"Late-fee deadline: {status.late_fee_deadline.isoformat()}"
            + (f", {basis}" if basis else "")
            + f" \u00b7 {_days_left(status.days_to_late_fee_deadline)}"
        )
    lines.extend(_rule_line(cred, rule) for rule in status.rules)
    lines.extend(f"Not counted toward the total: {line}" for line in status.not_counted)
    if status.entries_before_assumed_start:
        n = status.entries_before_assumed_start
        lines.append(
            f"Not counted until you set the cycle start: {n} {'entry' if n == 1 else 'entries'} "
            f"dated before {status.cycle_start.isoformat()}"
        )
    if status.entries_ignored:
        noun = "entry" if status.entries_ignored == 1 else "entries"
        lines.append(f"Ignored (outside the cycle): {status.entries_ignored} {noun}")
    if status.missing:
        lines.append("Still needed: " + "; ".join(status.missing))
    lines.append(f"Next step: {status.next_step}")
    lines.extend(f"Note: {note}" for note in status.notes)
    return "\n".join(lines)
