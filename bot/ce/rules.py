"""CE renewal rules: the cycle a credential is in, the phase of its renewal, whether an entry
counts, and the status with what is still missing and the next step. Pure functions over the
types of :mod:`bot.ce.model`.

Nothing here does I/O or reads a clock: every function that needs "today" takes it as an
argument, so the handlers, the CLI and the tests decide what "today" is. About 600 lines, kept
whole: the status is built from the cycle, phase and counting rules above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.ce.model import (
    ACCREDITED_TAG,
    TOPIC_LABELS,
    CEEntry,
    CEInputError,
    Credential,
    TopicRule,
    _hours_phrase,
    _r2,
    _sum_hours,
    add_months,
    add_years,
    format_hours,
    topic_label,
)

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
