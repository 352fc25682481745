"""Nudges at scale: each credential row's ``next_nudge_due``, and a tick that reads only the
rows due now.

- :func:`bot.ce.timing.next_nudge_due` against :func:`due_milestone` itself (hypothesis):
  nothing is due before the instant it gives, and something is due at it.
- Storage keeps the column right through every change that moves it (credential, profile,
  activity, chat, claims, sends, retries, postponements, snoozes), on SQLite and PostgreSQL.
- At 5,000 users a tick with nothing due runs one SQL statement, returns no row, and the
  database answers it from the index (its own query plan says so; PostgreSQL's statistics
  count the rows its server read); a tick with nudges due costs per nudge, not per user.
- A bad row (a credential no longer known, rules that cannot handle its dates, an unknown time
  zone) is logged and skipped, and the rows after it go out.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import open_empty_storage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.ce.credentials import CREDENTIALS
from bot.ce.timing import (
    QUIET_END,
    STALE_AFTER_DAYS,
    ClaimState,
    blocked_keys,
    due_milestone,
    local_now,
    milestones,
    next_nudge_due,
)
from bot.cli import bench_nudges
from bot.storage.models import CECredential
from bot.storage.store import Storage
from bot.telegram import nudges

PTCB, NHA = CREDENTIALS["ptcb-cpht"], CREDENTIALS["nha-cpht"]
NY, LA = "America/New_York", "America/Los_Angeles"
EXP = date(2027, 3, 31)  # d90 2026-12-31, window (PTCB) 2027-01-30


def local(day: date, hour: int, minute: int = 0, tz: str = NY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz)).astimezone(UTC)


# --- the pure function against the rule it inverts ------------------------------------------

ZONES = [NY, LA, "Pacific/Honolulu", "Asia/Tokyo", "Europe/London", "Australia/Lord_Howe",
         "Not/AZone"]
STATUSES = ["sent", "unconfirmed", "failed", "blocked", "claimed", "retry", "snoozed"]
SPAN_MINUTES = 150 * 24 * 60


@st.composite
def nudge_states(draw):
    credential = draw(st.sampled_from([PTCB, NHA]))
    expiration = draw(st.dates(date(2026, 3, 1), date(2028, 12, 31)))
    tz = draw(st.sampled_from(ZONES))
    start = datetime.combine(expiration - timedelta(days=100), time(0), tzinfo=UTC)
    instant = st.integers(0, SPAN_MINUTES).map(lambda m: start + timedelta(minutes=m))
    claims = []
    for milestone in draw(st.lists(st.sampled_from(milestones(credential, expiration)),
                                   unique_by=lambda m: m.key, max_size=3)):
        status = draw(st.sampled_from(STATUSES))
        claimed_at = draw(instant)
        next_try = None
        if status == "retry" and draw(st.booleans()):
            next_try = claimed_at + timedelta(minutes=draw(st.integers(0, 5000)))
        claims.append(ClaimState(milestone.key, status, claimed_at, next_try))
    snoozed = draw(st.none() | instant)
    after = draw(st.none() | instant)
    return credential, expiration, tz, claims, snoozed, after


def _is_due(state, at: datetime) -> bool:
    credential, expiration, tz, claims, snoozed, _after = state
    return due_milestone(credential, expiration, at, tz, blocked_keys(claims, at),
                         snoozed) is not None


def _rising_edges(state, lo: datetime, hi: datetime) -> list[datetime]:
    """Every instant in [lo, hi) where "something is due" can turn true: 08:00 local each day,
    the end of the snooze, of each claim's hold, and ``lo`` itself. Between two of them it
    cannot (days begin in quiet hours; staleness and quiet hours only end what is due)."""
    _credential, expiration, tz, claims, snoozed, _after = state
    zone = ZoneInfo(tz) if tz != "Not/AZone" else ZoneInfo(NY)
    edges = {lo}
    day = local_now(lo, tz).date() - timedelta(days=1)
    last = local_now(hi, tz).date() if hi.year < 9999 else expiration + timedelta(days=40)
    while day <= last:
        edges.add(datetime.combine(day, QUIET_END, tzinfo=zone).astimezone(UTC))
        day += timedelta(days=1)
    edges |= {c.blocks_until() for c in claims if c.blocks_until() is not None}
    if snoozed is not None:
        edges.add(snoozed)
    return sorted(e for e in edges if lo <= e < hi)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nudge_states())
def test_next_nudge_due_is_the_first_instant_anything_is_due(state):
    credential, expiration, tz, claims, snoozed, after = state
    found = next_nudge_due(credential, expiration, tz, claims, snoozed, after)
    lo = after or datetime.combine(expiration - timedelta(days=100), time(0), tzinfo=UTC)
    hi = found or datetime.combine(expiration + timedelta(days=STALE_AFTER_DAYS + 2), time(0),
                                   tzinfo=UTC)
    if found is not None:
        assert after is None or found >= after
        assert _is_due(state, found), found
    for edge in _rising_edges(state, lo, hi):
        assert not _is_due(state, edge), (edge, found)


def test_next_nudge_due_examples():
    # nothing sent: the 90-day milestone, 08:00 New York
    assert next_nudge_due(PTCB, EXP, NY, [], None) == local(date(2026, 12, 31), 8)
    # d90 sent: the renewal window (PTCB), 60 days out; NHA has none: d60
    sent = [ClaimState("d90", "sent")]
    assert next_nudge_due(PTCB, EXP, NY, sent, None) == local(date(2027, 1, 30), 8)
    assert next_nudge_due(NHA, EXP, LA, sent, None) == local(date(2027, 1, 30), 8, tz=LA)
    # being sent: when the claim is stale; a retry: at its time
    at = local(date(2026, 12, 31), 10)
    assert next_nudge_due(PTCB, EXP, NY, [ClaimState("d90", "claimed", at)], None) == (
        at + timedelta(minutes=10))
    retry = ClaimState("d90", "retry", at, at + timedelta(minutes=20))
    assert next_nudge_due(PTCB, EXP, NY, [retry], None) == at + timedelta(minutes=20)
    # a snooze ending in quiet hours: the next morning
    snoozed = local(date(2027, 1, 2), 22)
    assert next_nudge_due(PTCB, EXP, NY, [ClaimState("d90", "snoozed", at)], snoozed) == (
        local(date(2027, 1, 3), 8))
    # after the tick at 21:30 found nothing: 08:00 the next day
    assert next_nudge_due(PTCB, EXP, NY, [], None, after=local(date(2026, 12, 31), 21, 30)) == (
        local(date(2027, 1, 1), 8))
    # everything sent, or long expired: never
    everything = [ClaimState("expired", "sent")]
    assert next_nudge_due(PTCB, EXP, NY, everything, None) is None
    assert next_nudge_due(PTCB, EXP, NY, [], None, after=local(date(2027, 6, 1), 12)) is None


# --- storage keeps the column right -----------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def storage(request, tmp_path):
    url = (f"sqlite+aiosqlite:///{tmp_path / 'nudges.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    store = await open_empty_storage(url)
    try:
        yield store
    finally:
        await store.close()


async def due_of(storage: Storage, user_id: int, credential: str = "ptcb-cpht"):
    async with storage.session() as s:
        return (await s.execute(select(CECredential.next_nudge_due).where(
            CECredential.user_id == user_id, CECredential.credential == credential))
        ).scalar_one()


async def test_next_nudge_due_follows_every_change(storage):
    d90, window = EXP - timedelta(days=90), EXP - timedelta(days=60)
    await storage.touch_user(1, chat_id=1)
    await storage.set_credential(1, "ptcb-cpht", EXP)
    assert await due_of(storage, 1) == local(d90, 8)
    await storage.update_profile(1, timezone=LA)  # 08:00 moves with the zone
    assert await due_of(storage, 1) == local(d90, 8, tz=LA)
    await storage.update_profile(1, nudges_enabled=False)
    assert await due_of(storage, 1) is None
    await storage.update_profile(1, nudges_enabled=True)
    assert await due_of(storage, 1) == local(d90, 8, tz=LA)
    await storage.set_active(1, False)  # blocked the bot
    assert await due_of(storage, 1) is None
    await storage.touch_user(1)  # wrote again
    assert await due_of(storage, 1) == local(d90, 8, tz=LA)

    at = local(d90, 10, tz=LA)
    claim = await storage.claim_nudge(1, "ptcb-cpht", EXP, "d90", at)
    assert await due_of(storage, 1) == at + timedelta(minutes=10)  # if the sender dies
    retry_at = await storage.release_nudge(claim, at)
    assert await due_of(storage, 1) == retry_at == at + timedelta(minutes=5)
    claim = await storage.claim_nudge(1, "ptcb-cpht", EXP, "d90", retry_at)
    await storage.postpone_nudge(claim, local(d90 + timedelta(days=1), 8, tz=LA))
    assert await due_of(storage, 1) == local(d90 + timedelta(days=1), 8, tz=LA)
    claim = await storage.claim_nudge(1, "ptcb-cpht", EXP, "d90",
                                      local(d90 + timedelta(days=1), 8, tz=LA))
    await storage.finish_nudge(claim, "sent")
    assert await due_of(storage, 1) == local(window, 8, tz=LA)
    until = local(d90 + timedelta(days=2), 9, tz=LA)
    assert await storage.snooze(1, "ptcb-cpht", until)  # one reminder when it ends
    assert await due_of(storage, 1) == until
    renewed = date(2029, 3, 31)
    await storage.set_credential(1, "ptcb-cpht", renewed)
    assert await due_of(storage, 1) == local(renewed - timedelta(days=90), 8, tz=LA)

    await storage.touch_user(2)  # no private chat known: nothing can be sent
    await storage.set_credential(2, "nha-cpht", EXP)
    assert await due_of(storage, 2, "nha-cpht") is None
    await storage.touch_user(2, chat_id=2)
    assert await due_of(storage, 2, "nha-cpht") == local(d90, 8)


async def test_a_row_read_too_early_is_moved_on_and_not_read_again(storage):
    """A credential that expired long ago is scheduled from its state alone (its first
    milestone, long past); the first tick finds nothing due and clears it for good."""
    now = local(date(2027, 1, 12), 12)
    await storage.touch_user(3, chat_id=3)
    await storage.set_credential(3, "ptcb-cpht", date(2025, 3, 31))
    assert await due_of(storage, 3) < now
    assert await nudges.dispatch(storage, bench_nudges.FakeBot(), now) == []
    assert await due_of(storage, 3) is None
    with bench_nudges.SQLCounter(storage.engine) as counter:
        assert await nudges.dispatch(storage, bench_nudges.FakeBot(), now) == []
    assert counter.statements == IDLE_STATEMENTS


# --- a tick at 5,000 users ----------------------------------------------------------------------

USERS, DUE = 5_000, 25
#: A tick with nothing due: the stale "sending" sweep and the due-row read, both by index.
IDLE_STATEMENTS = 2


async def plan_of(storage: Storage, statement: str, parameters) -> str:
    return "\n".join(await bench_nudges.query_plan(storage, statement, parameters))


async def test_a_tick_reads_only_the_rows_due(storage):
    seeded = await bench_nudges.seed(storage, USERS, DUE)
    assert seeded.credentials > USERS
    quiet, busy = bench_nudges.tick_instants(bench_nudges.DEFAULT_DAY)
    bot = bench_nudges.FakeBot()
    postgres = storage.engine.dialect.name == "postgresql"

    idle, counter = await bench_nudges.timed_tick(storage, quiet, bot, "idle",
                                                  server_rows=postgres)
    assert (idle.statements, idle.rows, sum(idle.outcomes.values())) == (IDLE_STATEMENTS, 0, 0)
    (sweep, sweep_parameters), (statement, parameters) = counter.executed
    # the first: stale "sending" claims settled (by index, whatever the size of sent_nudges)
    assert sweep.startswith("UPDATE sent_nudges") and "sent_nudges.status =" in sweep, sweep
    sweep_plan = await plan_of(storage, sweep, sweep_parameters)
    assert "ix_sent_nudges_status_claimed_at" in sweep_plan, sweep_plan
    # the second: the due rows only
    assert "ce_credentials.next_nudge_due <=" in statement and "users" not in statement
    plan = await plan_of(storage, statement, parameters)
    if postgres:
        assert "Index Scan using ix_ce_credentials_next_nudge_due" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert idle.server_rows is not None and idle.server_rows < 50, idle
    else:
        assert "SEARCH ce_credentials USING INDEX ix_ce_credentials_next_nudge_due" in plan, plan
        assert "SCAN" not in plan, plan

    busy_tick, _ = await bench_nudges.timed_tick(storage, busy, bot, "busy",
                                                 server_rows=postgres)
    assert busy_tick.outcomes == {"sent": DUE}
    assert sorted(chat for chat, _ in bot.sent) == seeded.due_users
    assert busy_tick.statements <= IDLE_STATEMENTS + 1 + 12 * DUE, busy_tick  # per nudge, not per user
    assert busy_tick.rows <= 10 * DUE, busy_tick
    if postgres:
        assert busy_tick.server_rows < 40 * DUE, busy_tick

    again, _ = await bench_nudges.timed_tick(storage, busy + timedelta(minutes=5), bot, "again")
    assert (again.statements, sum(again.outcomes.values())) == (IDLE_STATEMENTS, 0)
    assert len(bot.sent) == DUE


async def test_due_rows_come_in_batches_each_once(storage, monkeypatch):
    monkeypatch.setattr(nudges, "BATCH_SIZE", 7)
    seeded = await bench_nudges.seed(storage, 400, 30)
    _, busy = bench_nudges.tick_instants(bench_nudges.DEFAULT_DAY)
    batches = [batch async for batch in nudges.due_rows(storage, busy)]
    assert [len(b) for b in batches] == [7, 7, 7, 7, 2]
    assert sorted(r.user_id for b in batches for r in b) == seeded.due_users
    bot = bench_nudges.FakeBot()
    results = await nudges.dispatch(storage, bot, busy)
    assert [r.outcome for r in results] == ["sent"] * 30
    assert sorted(chat for chat, _ in bot.sent) == seeded.due_users


# --- one bad row never blocks the rest ----------------------------------------------------------


async def test_a_bad_row_is_logged_and_skipped_and_the_rest_go_out(storage, caplog):
    now = local(date(2027, 1, 4), 10)
    for uid in (21, 22, 23):
        await storage.touch_user(uid, chat_id=uid)
        await storage.set_credential(uid, "ptcb-cpht", EXP)
    await storage.touch_user(31, chat_id=31)
    await storage.set_credential(31, "zz-retired", EXP)  # a key this release no longer has
    await storage.touch_user(32, chat_id=32)
    await storage.set_credential(32, "nha-cpht", date(1, 1, 2))  # its milestones overflow
    await storage.touch_user(33, chat_id=33)
    await storage.update_profile(33, timezone="Mars/Olympus_Mons")
    await storage.set_credential(33, "ptcb-cpht", EXP)
    # the bad rows come first in the tick's order
    early = now - timedelta(days=30)
    async with storage.session() as s:
        await s.execute(update(CECredential).where(CECredential.user_id.in_([31, 32]))
                        .values(next_nudge_due=early))
    bot = bench_nudges.FakeBot()
    with caplog.at_level(logging.WARNING, logger="bot.telegram.nudges"):
        results = await nudges.dispatch(storage, bot, now)
    assert {r.nudge.user_id: r.outcome for r in results} == {
        21: "sent", 22: "sent", 23: "sent", 33: "sent"}
    assert sorted(chat for chat, _ in bot.sent) == [21, 22, 23, 33]
    logged = caplog.text
    assert "user 31: unknown credential 'zz-retired': skipped" in logged
    assert "nudge for user 32 nha-cpht (expires 0001-01-02) failed: skipped" in logged
    assert "user 33 has an unknown time zone 'Mars/Olympus_Mons': using America/New_York" in (
        logged)
    # tried again a day later, not on every tick
    assert await due_of(storage, 31, "zz-retired") == now + nudges.BAD_ROW_RETRY
    assert await due_of(storage, 32, "nha-cpht") == now + nudges.BAD_ROW_RETRY
    with bench_nudges.SQLCounter(storage.engine) as counter:
        assert await nudges.dispatch(storage, bot, now + timedelta(minutes=5)) == []
    assert counter.statements == IDLE_STATEMENTS
