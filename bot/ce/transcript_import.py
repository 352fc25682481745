"""What importing a transcript would do, before anything is written: which activities are new
and which the log has already (same UAN and date), the hours by topic and by audience, how many
fall in each credential's cycle, and what could not be read. Pure: the log and the credentials
come in as arguments; the preview is plain text (the chat escapes it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from bot.ce import rules
from bot.ce.model import (
    AUDIENCES,
    TOPIC_CODES,
    CEEntry,
    Credential,
    _sum_hours,
    format_hours,
    topic_label,
)
from bot.ce.transcript import SkippedRow, Transcript, TranscriptActivity

#: Rows listed one by one in a preview (the rest are counted).
SHOWN_ROWS = 8
#: The order topics are listed in: law and patient safety first, as the rules ask for them.
_TOPIC_ORDER = ("law", "patient-safety")

NOT_A_TRANSCRIPT = (
    "That doesn't look like a CPE Monitor transcript: I found no activity with an ACPE UAN "
    "(like 0009-0000-25-005-H05-T) in it. Send the transcript PDF from your NABP e-Profile, or "
    "copy the transcript text from the e-Profile page (with its heading row) and paste it here."
)
NO_UANS = (
    "I found no ACPE UANs in that transcript, so there is nothing I can import. Activities "
    "without a UAN can be logged one by one with /ce add, e.g. "
    '/ce add 2 law "State law seminar" 2026-03-14'
)


@dataclass(frozen=True)
class CycleLine:
    credential: Credential
    start: date
    expiration: date
    count: int
    hours: float
    assumed: bool = False  # the start is a guess: a PTCB cycle without its approval date


@dataclass(frozen=True)
class ImportPlan:
    transcript: Transcript
    new: tuple[TranscriptActivity, ...]
    duplicates: tuple[TranscriptActivity, ...]

    @property
    def entries(self) -> list[CEEntry]:
        return [a.entry() for a in self.new]

    @property
    def problem(self) -> str | None:
        """Why there is nothing to import, or ``None``."""
        t = self.transcript
        if not t.looks_like_transcript:
            return NOT_A_TRANSCRIPT
        if not t.activities and not t.unreadable:
            return NO_UANS
        if not self.new and self.duplicates and not t.unreadable:
            return (f"Everything in this transcript is in your log already: all "
                    f"{_activities(len(self.duplicates))} have the same UAN and date as an "
                    "entry you have. Nothing new to import; /ce list shows your log.")
        return None


def _activities(n: int) -> str:
    return f"{n} activit{'y' if n == 1 else 'ies'}"


def plan_import(transcript: Transcript, log: list[CEEntry]) -> ImportPlan:
    """Split the transcript's activities into new ones and duplicates: the same UAN and date
    as an entry in the log, or as an earlier row of the transcript."""
    seen = {(e.uan, e.completed_on) for e in log if e.uan}
    new, duplicates = [], []
    for activity in transcript.activities:
        key = (activity.uan, activity.completed_on)
        (duplicates if key in seen else new).append(activity)
        seen.add(key)
    return ImportPlan(transcript, tuple(new), tuple(duplicates))


def cycle_lines(
    plan: ImportPlan, credentials: list[tuple[Credential, date, date | None]]
) -> list[CycleLine]:
    """For each of the user's credentials (with its expiration and cycle start, if given):
    how many of the new activities fall in its current cycle, and their hours."""
    out = []
    entries = plan.entries
    for credential, expiration, since in credentials:
        inside = [e for e in entries if rules.entry_in_cycle(credential, expiration, e, since)]
        out.append(CycleLine(credential, rules.cycle_start(credential, expiration, since),
                             expiration, len(inside), _sum_hours([e.hours for e in inside]),
                             rules.cycle_start_assumed(credential, since)))
    return out


def _row_line(row: SkippedRow) -> str:
    text = row.text if len(row.text) <= 90 else row.text[:89] + "\u2026"
    return f"\u2022 {text} \u2014 {row.reason}"


def preview_text(
    plan: ImportPlan, credentials: list[tuple[Credential, date, date | None]]
) -> str:
    """The preview of an import, as plain text."""
    t = plan.transcript
    lines = []
    who = " of " + t.name if t.name else ""
    if t.eprofile_id:
        who += f" (e-Profile ID {t.eprofile_id})"
    entries = plan.entries
    total = _sum_hours([e.hours for e in entries])
    lines.append(f"\U0001f4c4 CPE Monitor transcript{who}")
    lines.append(f"Found {_activities(len(t.activities))} with a UAN; "
                 f"{len(entries)} new ({format_hours(total)} h) to import.")
    if entries:
        by_topic: Counter[str] = Counter()
        by_audience: Counter[str] = Counter()
        for e in entries:
            by_topic[e.topic] += e.hours
            by_audience[e.audience] += e.hours
        order = sorted(by_topic, key=lambda k: (
            _TOPIC_ORDER.index(k) if k in _TOPIC_ORDER else len(_TOPIC_ORDER),
            TOPIC_CODES.get(k) or k.removeprefix("acpe-")))
        lines.append("By topic: " + " \u00b7 ".join(
            f"{topic_label(k)} {format_hours(by_topic[k])} h" for k in order))
        lines.append("By audience: " + " \u00b7 ".join(
            f"{AUDIENCES[k]} {format_hours(by_audience[k])} h" for k in ("T", "P")
            if k in by_audience))
    for c in cycle_lines(plan, credentials):
        outside = len(entries) - c.count
        lines.append(
            f"{c.credential.name}, cycle {c.start.isoformat()}{' (assumed)' if c.assumed else ''}"
            f" to {c.expiration.isoformat()}: "
            f"{_activities(c.count)} ({format_hours(c.hours)} h) in it"
            + (f"; {outside} outside it (kept in your log, not counted)" if outside else "")
            + ".")
    if not credentials and entries:
        lines.append("Tell me your credential (/ce set) and /ce status will count these "
                     "toward its cycle.")
    if plan.duplicates:
        lines.append(f"Already in your log (same UAN and date), skipped: "
                     f"{_activities(len(plan.duplicates))}.")
    if t.stated_total_hours is not None:
        read = _sum_hours([a.hours for a in t.activities])
        if abs(read - t.stated_total_hours) > 0.005:
            lines.append(f"\u26a0\ufe0f The transcript's total says "
                         f"{format_hours(t.stated_total_hours)} h; I read "
                         f"{format_hours(read)} h from its rows. Check the rows below.")
    for rows, heading in (
        (t.not_imported, "Not imported, no ACPE UAN (log them with /ce add if they count):"),
        (t.unreadable, "Could not read (nothing of these is imported):"),
    ):
        if rows:
            lines.append(f"{heading} {len(rows)}")
            lines += [_row_line(r) for r in rows[:SHOWN_ROWS]]
            if len(rows) > SHOWN_ROWS:
                lines.append(f"\u2026 and {len(rows) - SHOWN_ROWS} more")
    if entries:
        lines.append(f"Import {_activities(len(entries))}? Nothing is written until you tap "
                     "Import.")
    else:
        lines.append("Nothing to import.")
    return "\n".join(lines)


def imported_text(count: int, hours: float) -> str:
    return (f"\u2705 Imported {_activities(count)} ({format_hours(hours)} h). /ce status shows "
            "where you stand; Undo removes exactly this import.")
