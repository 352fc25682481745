"""Which renewal nudge is due for whom at a given instant. Pure: the caller passes the clock.

A user with a credential expiring on some date gets at most one nudge per milestone
("d90" ... "d1" days before expiration, "window" when the renewal window opens, "expired" on the
expiration date). Nudges are sent only outside the user's local quiet hours (21:00-08:00), never
while snoozed, and after downtime only the most recent due milestone is sent, never a burst of
stale ones, and never an earlier milestone after a later one.

``sent_keys`` are the milestone keys that must not be sent (again) *for this expiration date*:
sent, perhaps delivered, being sent, or waiting for a retry (see ``Storage.sent_keys``); storage
scopes them by (user, credential, expiration) so that a renewed credential starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ce.rules import Credential

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
