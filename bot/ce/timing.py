"""Which renewal nudge is due for whom at a given instant. Pure: the caller passes the clock.

A user with a credential expiring on some date gets at most one nudge per milestone
("d90" ... "d1" days before expiration, "window" when the renewal window opens, "expired" on the
expiration date). Nudges are sent only outside the user's local quiet hours (21:00-08:00), never
while snoozed, and after downtime only the most recent due milestone is sent, never a burst of
stale ones, and never an earlier milestone after a later one.

``sent_keys`` are the milestone keys that must not be sent (again) *for this expiration date*:
sent, perhaps delivered, being sent, or waiting for a retry (see ``Storage.sent_keys``); storage
scopes them by (user, credential, expiration) so that a renewed credential starts afresh.

:func:`next_nudge_due` turns the same rules around: given a credential's claims (what was sent,
is being sent, waits for a retry) and its snooze, the first instant at which
:func:`due_milestone` will return a milestone. Storage keeps it on each credential row, so a
dispatcher tick reads only the rows due now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ce.model import Credential

DEFAULT_TIMEZONE = "America/New_York"
QUIET_START = time(21)
QUIET_END = time(8)
SNOOZE_SEND_AT = time(9)

#: Days before expiration of the countdown milestones.
COUNTDOWN_DAYS: dict[str, int] = {"d90": 90, "d60": 60, "d30": 30, "d14": 14, "d7": 7, "d1": 1}

#: Fixed order of milestones that fall on the same day: the later one in this tuple is the one
#: sent (it is "more recent"), e.g. "window" wins over "d60" for PTCB, whose window opens 60 days
#: before expiration.
MILESTONE_ORDER: tuple[str, ...] = ("d90", "d60", "window", "d30", "d14", "d7", "d1", "expired")

#: A milestone whose due date is more than this many days before the user's local today is stale.
STALE_AFTER_DAYS = 30

#: A send that surely did not reach Telegram is retried after RETRY_FIRST, then after twice as
#: long each time, at most RETRY_MAX apart (and never sooner than Telegram's ``retry_after``).
RETRY_FIRST = timedelta(minutes=5)
RETRY_MAX = timedelta(hours=2)

#: A claim still "claimed" this long after it was made belongs to a dispatcher that died
#: between claiming and sending (a send takes seconds): the next dispatcher may take it over.
STALE_CLAIM_AFTER = timedelta(minutes=10)

#: Claim statuses of a nudge that is never sent again (but see ``Storage.snooze``).
SETTLED_STATUSES: tuple[str, ...] = ("sent", "unconfirmed", "failed", "blocked")


@dataclass(frozen=True)
class ClaimState:
    """One ``sent_nudges`` row of a credential's current expiration, as far as timing cares."""

    milestone: str
    status: str
    claimed_at: datetime | None = None
    next_try_at: datetime | None = None

    def blocks_until(self) -> datetime | None:
        """Until when this claim keeps its milestone from being sent: :data:`FOREVER` when it
        is settled, the end of a live claim or the time of a retry, ``None`` when it does not
        (a snoozed nudge: the snooze holds it back; a retry without a time)."""
        if self.status in SETTLED_STATUSES or self.status == "sending":
            return FOREVER  # "sending": it may have been delivered, never sent again
        if self.status == "claimed":
            return FOREVER if self.claimed_at is None else self.claimed_at + STALE_CLAIM_AFTER
        if self.status == "retry":
            return self.next_try_at
        return None


#: "Never", as an instant: later than any real one.
FOREVER = datetime.max.replace(tzinfo=UTC)


def blocked_keys(claims: Iterable[ClaimState], now_utc: datetime) -> set[str]:
    """The milestones that must not be sent at ``now_utc``: the ``sent_keys`` of
    :func:`due_milestone` (settled, being sent, or waiting for a retry that is not due)."""
    out = set()
    for claim in claims:
        until = claim.blocks_until()
        if until is not None and now_utc < until:
            out.add(claim.milestone)
    return out


@dataclass(frozen=True)
class Milestone:
    key: str
    due: date


def _sort_key(milestone: Milestone) -> tuple[date, int]:
    return milestone.due, MILESTONE_ORDER.index(milestone.key)


def milestones(credential: Credential, expiration: date) -> list[Milestone]:
    """All nudge milestones for a credential expiring on ``expiration``, by due date then by
    :data:`MILESTONE_ORDER`."""
    items = [
        Milestone(key, expiration - timedelta(days=days)) for key, days in COUNTDOWN_DAYS.items()
    ]
    if credential.renewal_window_days is not None:
        items.append(
            Milestone("window", expiration - timedelta(days=credential.renewal_window_days))
        )
    items.append(Milestone("expired", expiration))
    return sorted(items, key=_sort_key)


def resolve_timezone(name: str | None) -> ZoneInfo:
    """The IANA zone called ``name``, or :data:`DEFAULT_TIMEZONE` if it is missing or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return ZoneInfo(DEFAULT_TIMEZONE)


def _require_aware(now_utc: datetime) -> None:
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be a timezone-aware datetime (UTC)")


def local_now(now_utc: datetime, tz_name: str | None) -> datetime:
    """``now_utc`` as wall-clock time in the user's zone."""
    _require_aware(now_utc)
    return now_utc.astimezone(resolve_timezone(tz_name))


def in_quiet_hours(now_utc: datetime, tz_name: str | None) -> bool:
    """Whether it is 21:00 or later, or before 08:00, in the user's zone."""
    wall = local_now(now_utc, tz_name).time()
    return wall >= QUIET_START or wall < QUIET_END


def next_send_time(now_utc: datetime, tz_name: str | None) -> datetime:
    """The first instant at or after ``now_utc`` outside quiet hours, in UTC."""
    local = local_now(now_utc, tz_name)
    if not in_quiet_hours(now_utc, tz_name):
        return now_utc.astimezone(UTC)
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_START else local.date()
    return datetime.combine(day, QUIET_END, tzinfo=local.tzinfo).astimezone(UTC)


def snooze_until(now_utc: datetime, tz_name: str | None, days: int) -> datetime:
    """09:00 local time ``days`` days after the user's local today, in UTC."""
    if days < 0:
        raise ValueError("days must not be negative")
    local = local_now(now_utc, tz_name)
    day = local.date() + timedelta(days=days)
    return datetime.combine(day, SNOOZE_SEND_AT, tzinfo=local.tzinfo).astimezone(UTC)


def due_milestone(
    credential: Credential,
    expiration: date,
    now_utc: datetime,
    tz_name: str | None,
    sent_keys: set[str],
    snoozed_until: datetime | None,
) -> Milestone | None:
    """The one milestone to send now, or ``None``.

    It is the most recent milestone due on or before the user's local date, provided that it
    is not stale (due more than :data:`STALE_AFTER_DAYS` days ago), that neither it nor any
    milestone due on the same day or later has been sent, that it is not quiet hours, and that
    the user is not snoozed.
    """
    _require_aware(now_utc)
    if snoozed_until is not None and now_utc < snoozed_until:
        return None
    if in_quiet_hours(now_utc, tz_name):
        return None
    today = local_now(now_utc, tz_name).date()
    due = [m for m in milestones(credential, expiration) if m.due <= today]
    if not due:
        return None
    latest = due[-1]
    if (today - latest.due).days > STALE_AFTER_DAYS:
        return None
    already_sent = any(
        m.key in sent_keys and m.due >= latest.due for m in milestones(credential, expiration)
    )
    return None if already_sent else latest


def retry_delay(attempts: int, retry_after: timedelta | None = None) -> timedelta:
    """How long to wait before trying a nudge again after its ``attempts``-th failed send:
    :data:`RETRY_FIRST` doubled per earlier failure, at most :data:`RETRY_MAX`, and at least
    the ``retry_after`` Telegram asked for."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    delay = min(RETRY_FIRST * 2 ** min(attempts - 1, 16), RETRY_MAX)
    return max(delay, retry_after) if retry_after is not None else delay


def next_nudge_due(
    credential: Credential,
    expiration: date,
    tz_name: str | None,
    claims: Iterable[ClaimState],
    snoozed_until: datetime | None,
    after: datetime | None = None,
) -> datetime | None:
    """The first instant (UTC), at or after ``after`` if given, at which :func:`due_milestone`
    returns a milestone for this credential, assuming its claims and snooze stay as they are
    until then; ``None`` if there is none (everything sent, or stale).

    Time alone changes what is due: a local day begins (a milestone becomes the latest), quiet
    hours end, a snooze ends, a claim goes stale or a retry falls due, a milestone goes stale.
    Anything else (a claim, a snooze, a new expiration, a new time zone) changes the inputs,
    and the caller computes again. Between two milestone days the latest milestone stays the
    same, so each stretch is checked once: the earliest instant in it after every gate (its
    08:00 start, the snooze, the claims of it and of every later milestone, ``after``), moved
    out of quiet hours, counts if it is still inside the stretch and not stale."""
    if after is not None:
        _require_aware(after)
    gates: dict[str, datetime] = {}
    for claim in claims:
        until = claim.blocks_until()
        if until is not None:
            gates[claim.milestone] = max(until, gates.get(claim.milestone, until))
    zone = resolve_timezone(tz_name)
    tz_key = zone.key
    items = milestones(credential, expiration)
    days = sorted({m.due for m in items})
    for i, day in enumerate(days):
        last_day = day + timedelta(days=STALE_AFTER_DAYS)
        if i + 1 < len(days):
            last_day = min(last_day, days[i + 1] - timedelta(days=1))
        start = datetime.combine(day, QUIET_END, tzinfo=zone).astimezone(UTC)
        bounds = [start]
        bounds += [gates[m.key] for m in items if m.due >= day and m.key in gates]
        if snoozed_until is not None:
            bounds.append(snoozed_until)
        if after is not None:
            bounds.append(after)
        earliest = max(bounds)
        if earliest >= FOREVER:
            continue
        when = next_send_time(earliest, tz_key)
        if local_now(when, tz_key).date() <= last_day:
            return when
    return None


def find_credential(key: str) -> Credential | None:
    """The credential users call ``key`` (``ptcb-cpht``, ``tx-tech``...), or None."""
    from bot.ce.credentials import find  # not at the top: it loads every credential's rules

    return find(key)


def next_nudge_due_for(
    key: str,
    expiration: date,
    tz_name: str | None,
    claims: Iterable[ClaimState],
    snoozed_until: datetime | None,
    after: datetime | None = None,
) -> datetime | None:
    """:func:`next_nudge_due` for the credential called ``key``; None for a key no longer
    known (nothing can be sent for it)."""
    credential = find_credential(key)
    if credential is None:
        return None
    return next_nudge_due(credential, expiration, tz_name, claims, snoozed_until, after)


#: After a crisis reply, no nudge or promotion reaches that chat for this long.
CRISIS_QUIET = timedelta(hours=24)


def quiet_after_crisis(at: datetime) -> datetime:
    """Until when a user who got a crisis reply at ``at`` is sent nothing unasked."""
    return at + CRISIS_QUIET


def held_by_quiet(quiet_until: datetime | None, now: datetime) -> bool:
    """Whether a nudge due at ``now`` must wait for the user's quiet period to end."""
    return quiet_until is not None and now < quiet_until
