"""Nudge timing: milestones, quiet hours, DST, snooze, de-duplication and downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.ce import timing as nudge_timing
from bot.ce.credentials import CREDENTIALS
from bot.ce.model import Credential
from bot.ce.timing import (
    DEFAULT_TIMEZONE,
    QUIET_END,
    QUIET_START,
    Milestone,
    due_milestone,
    in_quiet_hours,
    milestones,
    next_send_time,
    resolve_timezone,
    snooze_until,
)

PTCB = CREDENTIALS["ptcb-cpht"]
NHA = CREDENTIALS["nha-cpht"]
EXP = date(2027, 3, 31)
NY = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(day: date, at: time, tz: str = NY) -> datetime:
    """A wall-clock time in ``tz`` as a UTC instant."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def due_key(
    now: datetime,
    sent: set[str] | None = None,
    snoozed: datetime | None = None,
    credential: Credential = PTCB,
    expiration: date = EXP,
    tz: str = NY,
) -> str | None:
    found = due_milestone(credential, expiration, now, tz, sent or set(), snoozed)
    return found.key if found else None


# --- milestones -------------------------------------------------------------------------------


def test_milestones_for_2027_03_31() -> None:
    assert milestones(PTCB, EXP) == [
        Milestone("d90", date(2026, 12, 31)),
        Milestone("d60", date(2027, 1, 30)),
        Milestone("window", date(2027, 1, 30)),
        Milestone("d30", date(2027, 3, 1)),
        Milestone("d14", date(2027, 3, 17)),
        Milestone("d7", date(2027, 3, 24)),
        Milestone("d1", date(2027, 3, 30)),
        Milestone("expired", date(2027, 3, 31)),
    ]


def test_no_window_milestone_without_a_renewal_window() -> None:
    keys = [m.key for m in milestones(NHA, EXP)]
    assert keys == ["d90", "d60", "d30", "d14", "d7", "d1", "expired"]


@pytest.mark.parametrize("milestone", milestones(NHA, EXP), ids=lambda m: m.key)
def test_each_milestone_due_at_0800_local_not_0759(milestone: Milestone) -> None:
    order = [m.key for m in milestones(NHA, EXP)]
    earlier = set(order[: order.index(milestone.key)])
    at_0759 = local(milestone.due, time(7, 59))
    at_0800 = local(milestone.due, time(8, 0))
    assert due_key(at_0759, earlier, credential=NHA) is None
    assert due_key(at_0800, earlier, credential=NHA) == milestone.key
    # The evening before (last non-quiet minute) the previous milestone is already sent: nothing.
    assert (
        due_key(local(milestone.due - timedelta(days=1), time(20, 59)), earlier, credential=NHA)
        is None
    )


def test_window_and_d60_same_day_sends_window_once() -> None:
    at = local(date(2027, 1, 30), time(8))
    assert due_key(at, {"d90"}) == "window"
    assert due_key(at + timedelta(hours=1), {"d90", "window"}) is None
    # d60 is never sent after "window" (same day, same or later milestone already sent).
    assert due_key(local(date(2027, 2, 5), time(12)), {"d90", "window"}) is None
    # If d60 was somehow sent, "window" isn't sent on top of it the same day.
    assert due_key(at, {"d90", "d60"}) is None


def test_nothing_due_before_the_first_milestone() -> None:
    assert due_key(local(date(2026, 12, 30), time(12))) is None


# --- quiet hours ------------------------------------------------------------------------------


def test_quiet_hours_constants() -> None:
    assert (QUIET_START, QUIET_END) == (time(21), time(8))


@pytest.mark.parametrize(
    ("tz", "now", "quiet"),
    [
        # New York in summer (UTC-4) and winter (UTC-5).
        (NY, utc(2026, 7, 1, 0, 59), False),  # 20:59 EDT
        (NY, utc(2026, 7, 1, 1, 0), True),  # 21:00 EDT
        (NY, utc(2026, 7, 1, 11, 59), True),  # 07:59 EDT
        (NY, utc(2026, 7, 1, 12, 0), False),  # 08:00 EDT
        (NY, utc(2026, 1, 15, 12, 30), True),  # 07:30 EST
        (NY, utc(2026, 1, 15, 13, 0), False),  # 08:00 EST
        # Los Angeles (UTC-7 in summer).
        ("America/Los_Angeles", utc(2026, 7, 1, 3, 59), False),  # 20:59 PDT
        ("America/Los_Angeles", utc(2026, 7, 1, 4, 0), True),  # 21:00 PDT
        ("America/Los_Angeles", utc(2026, 7, 1, 14, 59), True),  # 07:59 PDT
        ("America/Los_Angeles", utc(2026, 7, 1, 15, 0), False),  # 08:00 PDT
        # Honolulu (UTC-10, no DST).
        ("Pacific/Honolulu", utc(2026, 7, 1, 6, 59), False),  # 20:59 HST
        ("Pacific/Honolulu", utc(2026, 7, 1, 7, 0), True),  # 21:00 HST
        ("Pacific/Honolulu", utc(2026, 7, 1, 17, 59), True),  # 07:59 HST
        ("Pacific/Honolulu", utc(2026, 7, 1, 18, 0), False),  # 08:00 HST
        # Tokyo (UTC+9).
        ("Asia/Tokyo", utc(2026, 7, 1, 11, 59), False),  # 20:59 JST
        ("Asia/Tokyo", utc(2026, 7, 1, 12, 0), True),  # 21:00 JST
        ("Asia/Tokyo", utc(2026, 7, 1, 22, 59), True),  # 07:59 JST next day
        ("Asia/Tokyo", utc(2026, 7, 1, 23, 0), False),  # 08:00 JST next day
    ],
)
def test_in_quiet_hours(tz: str, now: datetime, quiet: bool) -> None:
    assert in_quiet_hours(now, tz) is quiet


def test_quiet_hours_block_a_due_milestone() -> None:
    day = date(2027, 3, 1)  # d30
    assert due_key(local(day, time(20, 59)), {"d90", "window"}) == "d30"
    assert due_key(local(day, time(21, 0)), {"d90", "window"}) is None


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError):
        in_quiet_hours(datetime(2026, 7, 1, 12), NY)


# --- DST --------------------------------------------------------------------------------------


def test_dst_spring_forward_new_york() -> None:
    # 2026-03-08: clocks go from 02:00 EST to 03:00 EDT; 08:00 local is 12:00 UTC that day
    # and 13:00 UTC the day before.
    exp = date(2026, 4, 7)  # d30 falls on 2026-03-08
    sent = {"d90", "d60"}
    assert due_key(utc(2026, 3, 8, 11, 59), sent, credential=NHA, expiration=exp) is None
    assert due_key(utc(2026, 3, 8, 12, 0), sent, credential=NHA, expiration=exp) == "d30"
    assert next_send_time(utc(2026, 3, 8, 6, 0), NY) == utc(2026, 3, 8, 12, 0)
    assert next_send_time(utc(2026, 3, 7, 6, 0), NY) == utc(2026, 3, 7, 13, 0)
    # From 22:00 EST on Mar 7 the next send time is 08:00 EDT on Mar 8.
    assert next_send_time(utc(2026, 3, 8, 3, 0), NY) == utc(2026, 3, 8, 12, 0)


def test_dst_fall_back_new_york() -> None:
    # 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST; 08:00 local is 13:00 UTC.
    exp = date(2026, 11, 8)  # d7 falls on 2026-11-01
    sent = {"d90", "d60", "d30", "d14"}
    assert due_key(utc(2026, 11, 1, 12, 59), sent, credential=NHA, expiration=exp) is None
    assert due_key(utc(2026, 11, 1, 13, 0), sent, credential=NHA, expiration=exp) == "d7"
    assert next_send_time(utc(2026, 11, 1, 2, 0), NY) == utc(2026, 11, 1, 13, 0)
    assert next_send_time(utc(2026, 10, 31, 5, 0), NY) == utc(2026, 10, 31, 12, 0)


def test_next_send_time_outside_quiet_hours_is_now() -> None:
    now = utc(2026, 7, 1, 16, 30, 5)
    assert next_send_time(now, NY) == now


def test_next_send_time_tokyo_evening() -> None:
    # 21:30 JST on Jun 1 -> 08:00 JST on Jun 2 = 23:00 UTC on Jun 1.
    assert next_send_time(utc(2026, 6, 1, 12, 30), "Asia/Tokyo") == utc(2026, 6, 1, 23, 0)


# --- snooze -----------------------------------------------------------------------------------


def test_snooze_until_is_0900_local_and_dst_correct() -> None:
    # 10:00 EST on Mar 7 + 1 day -> 09:00 EDT on Mar 8 = 13:00 UTC.
    assert snooze_until(utc(2026, 3, 7, 15, 0), NY, 1) == utc(2026, 3, 8, 13, 0)
    # 10:00 EDT on Oct 31 + 1 day -> 09:00 EST on Nov 1 = 14:00 UTC.
    assert snooze_until(utc(2026, 10, 31, 14, 0), NY, 1) == utc(2026, 11, 1, 14, 0)
    # 22:30 EST on Mar 7 (03:30 UTC Mar 8): the local date is still Mar 7.
    assert snooze_until(utc(2026, 3, 8, 3, 30), NY, 1) == utc(2026, 3, 8, 13, 0)
    # 22:00 HST on May 31 + 7 days -> 09:00 HST on Jun 7 = 19:00 UTC.
    assert snooze_until(utc(2026, 6, 1, 8, 0), "Pacific/Honolulu", 7) == utc(2026, 6, 7, 19, 0)


def test_snoozed_milestone_not_due_before_snoozed_until_but_after() -> None:
    sent = {"d90", "window"}
    seen_at = local(date(2027, 3, 1), time(10))  # d30 is due
    assert due_key(seen_at, sent) == "d30"
    until = snooze_until(seen_at, NY, 1)
    assert until == local(date(2027, 3, 2), time(9))
    assert due_key(local(date(2027, 3, 1), time(12)), sent, until) is None
    assert due_key(local(date(2027, 3, 2), time(8, 59)), sent, until) is None
    assert due_key(local(date(2027, 3, 2), time(9, 0)), sent, until) == "d30"


# --- de-duplication and downtime ---------------------------------------------------------------


def test_sent_keys_stop_resending() -> None:
    sent = {"d90", "window"}
    day = date(2027, 3, 1)
    assert due_key(local(day, time(9)), sent) == "d30"
    sent.add("d30")
    assert due_key(local(day, time(10)), sent) is None
    for offset in range(1, 16):  # every day until d14 comes due
        assert due_key(local(day + timedelta(days=offset), time(12)), sent) is None
    assert due_key(local(date(2027, 3, 17), time(12)), sent) == "d14"


def test_downtime_sends_only_the_most_recent_and_never_an_older_one() -> None:
    sent = {"d90", "window"}
    back_online = local(date(2027, 3, 25), time(9))  # d30, d14 and d7 were all missed
    assert due_key(back_online, sent) == "d7"
    sent.add("d7")
    sent_later: list[str] = []
    day = date(2027, 3, 25)
    while day <= date(2027, 4, 30):
        for at in (time(8), time(13), time(20, 59)):
            key = due_key(local(day, at), sent)
            if key:
                sent.add(key)
                sent_later.append(key)
        day += timedelta(days=1)
    assert sent_later == ["d1", "expired"]
    assert "d30" not in sent and "d14" not in sent


def test_earlier_milestone_never_sent_after_a_later_one() -> None:
    # d14 was sent (e.g. by an older deployment) but d30 never was: d30 must not follow.
    assert due_key(local(date(2027, 3, 20), time(12)), {"d90", "window", "d14"}) is None


def test_stale_milestones_are_skipped() -> None:
    # Milestones more than 30 days old are not sent; the expired nudge stays due for 30 days.
    assert due_key(local(date(2027, 4, 30), time(12)), {"d90", "window", "d30"}) == "expired"
    assert due_key(local(date(2027, 5, 1), time(12)), {"d90", "window", "d30"}) is None
    assert due_key(local(date(2028, 1, 1), time(12))) is None
    # Milestones are at most 30 days apart, so before expiration the most recent one is never
    # stale; after a long outage past expiration nothing older is sent either.
    assert due_key(local(date(2027, 5, 1), time(12)), {"d90", "window"}) is None


def test_expired_milestone_on_expiration_day() -> None:
    assert due_key(local(EXP, time(8)), {"d90", "window", "d30", "d14", "d7", "d1"}) == "expired"


def test_user_local_date_decides_the_day() -> None:
    # 2027-03-01 03:00 UTC is still Feb 28 in New York but already Mar 1 noon in Tokyo.
    sent = {"d90", "window"}
    assert due_key(utc(2027, 3, 1, 3, 0), sent, tz="Asia/Tokyo") == "d30"
    assert due_key(utc(2027, 3, 1, 3, 0), sent, tz=NY) is None


# --- time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", None, "../etc/passwd", "EST5EDT-bad"])
def test_invalid_timezone_falls_back_to_new_york(name: str | None) -> None:
    assert DEFAULT_TIMEZONE == "America/New_York"
    assert resolve_timezone(name) == ZoneInfo("America/New_York")
    # 01:00 UTC in July is 21:00 in New York (quiet) but 18:00 in Los Angeles (not quiet).
    assert in_quiet_hours(utc(2026, 7, 1, 1, 0), name) is True


def test_valid_timezone_is_used() -> None:
    assert resolve_timezone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    assert in_quiet_hours(utc(2026, 7, 1, 1, 0), "America/Los_Angeles") is False


# --- retries ----------------------------------------------------------------------------------


def test_retry_delay_doubles_from_five_minutes_up_to_two_hours() -> None:
    delays = [nudge_timing.retry_delay(n) for n in range(1, 9)]
    assert delays == [timedelta(minutes=m) for m in (5, 10, 20, 40, 80, 120, 120, 120)]


def test_retry_delay_is_never_sooner_than_telegrams_retry_after() -> None:
    assert nudge_timing.retry_delay(1, timedelta(seconds=3)) == timedelta(minutes=5)
    assert nudge_timing.retry_delay(2, timedelta(minutes=30)) == timedelta(minutes=30)
    assert nudge_timing.retry_delay(9, timedelta(hours=3)) == timedelta(hours=3)


def test_a_claim_is_abandoned_after_ten_minutes() -> None:
    assert nudge_timing.STALE_CLAIM_AFTER == timedelta(minutes=10)
