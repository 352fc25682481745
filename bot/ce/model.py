"""The CE tracker's vocabulary: the types of a credential's rules, the topics and tags an
activity can carry, a logged entry, and the hour and date arithmetic the rules and the parsing
share. Pure: no I/O, no clock.

The rules themselves are data: one YAML file per credential in ``bot/ce/data/``, each figure
naming the knowledge document and section that states it, loaded and checked by
:mod:`bot.ce.loader`; :mod:`bot.ce.credentials` holds every credential the tracker knows. Fees
and deadlines change; each credential carries its sources, an ``as_of`` for each, and
plain-English ``uncertain`` notes that the bot shows next to the numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from urllib.parse import urlparse

from bot.career.loader import Source

#: How a credential's late-fee deadline is set: PTCB's renewal fee article gives the 1st day of
#: the month the certification expires.
LateFeeRule = Literal["first-of-expiration-month"]

# --------------------------------------------------------------------------------------------
# Types: credentials
# --------------------------------------------------------------------------------------------


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
    "compounding": "compounding (ACPE 07, unconfirmed)",
    "opioids": "opioids and controlled substances (ACPE 08)",
    "tx-law": "Texas pharmacy law",
    "human-trafficking": "human trafficking prevention course",
}

AUDIENCES: dict[str, str] = {"T": "technician (T)", "P": "pharmacist (P)"}

_CODE_TO_TOPIC = {code: topic for topic, code in TOPIC_CODES.items() if code is not None}
_OTHER_ACPE_TOPIC = re.compile(r"acpe-(\d{2})")
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
