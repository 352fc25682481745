"""Renewal nudges under faults: a dispatcher that stops mid-send, a database connection that
drops while a row is evaluated, a stop signal during a tick (issue 18, items 3, 5 and 6).

Faults are injected at the boundary: the Bot API stub holds a send, a PostgreSQL backend is
terminated with ``pg_terminate_backend``; the dispatcher itself is the real one.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import asyncpg
import pytest
from conftest import open_empty_storage
from sqlalchemy import select
from test_nudges import add_user, claims, db_url, local, make_bot, send_attempts, sent_to

from bot.storage.models import CECredential
from bot.storage.store import Storage
from bot.telegram import metrics, nudges


@pytest.fixture(params=["sqlite", "postgresql"])
async def backend_storage(request, tmp_path):
    url = db_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    s = await open_empty_storage(url)
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def tg(stub):
    async with make_bot(stub) as bot:
        yield bot


def nudge_metric(outcome: str) -> float:
    return metrics.NUDGES.labels(outcome=outcome)._value.get()


async def wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


# --- item 3: a nudge is never sent twice -------------------------------------------------------


async def test_a_dispatcher_that_dies_mid_send_is_never_followed_by_a_second_send(
        backend_storage, stub):
    """Dispatcher A's send reached Telegram and A died before recording it (here: its task is
    cancelled while the stub holds the answer). Eleven minutes later (past the ten-minute
    takeover) another dispatcher does not send it again: the claim is "unconfirmed", logged
    and counted."""
    storage = backend_storage
    await add_user(storage, stub, 930)
    now = local(date(2027, 1, 4), 10)
    stub.hold("sendMessage")
    async with make_bot(stub) as bot_a, make_bot(stub) as bot_b:
        first = asyncio.create_task(nudges.dispatch(storage, bot_a, now))
        await wait_until(lambda: stub.held("sendMessage") == 1)
        first.cancel()  # the process dies with the send in flight
        await asyncio.gather(first, return_exceptions=True)
        stub.release("sendMessage")
        before = nudge_metric("unconfirmed")
        later = await asyncio.wait_for(
            nudges.dispatch(storage, bot_b, now + timedelta(minutes=11)), 20)
        assert later == []
        assert nudge_metric("unconfirmed") == before + 1
        assert await nudges.dispatch(storage, bot_b, now + timedelta(hours=2)) == []
    assert send_attempts(stub, 930) == 1
    assert await claims(storage, 930) == {"d90": "unconfirmed"}


async def test_a_send_held_past_the_takeover_window_is_not_sent_again(backend_storage, stub):
    """A send that takes longer than the takeover window (a rate limiter sleeping on repeated
    429s, a slow network): a second dispatcher running meanwhile does not take it over."""
    storage = backend_storage
    await add_user(storage, stub, 931)
    now = local(date(2027, 1, 4), 10)
    stub.hold("sendMessage")
    async with make_bot(stub) as bot_a, make_bot(stub) as bot_b:
        first = asyncio.create_task(nudges.dispatch(storage, bot_a, now))
        await wait_until(lambda: stub.held("sendMessage") == 1)
        other = await asyncio.wait_for(
            nudges.dispatch(storage, bot_b, now + timedelta(minutes=11)), 20)
        assert other == [] or {r.outcome for r in other} == {"skipped"}
        assert stub.held("sendMessage") == 1
        stub.release("sendMessage")
        results = await first
    assert [r.outcome for r in results] == ["sent"]
    assert send_attempts(stub, 931) == 1
    assert await claims(storage, 931) == {"d90": "sent"}


def test_a_send_is_bounded_far_inside_the_takeover_window():
    """The longest one send may take, retries of the rate limiter included."""
    from bot.ce.timing import STALE_CLAIM_AFTER

    assert nudges.SEND_LIMIT * 2 <= STALE_CLAIM_AFTER


# --- item 5: a transient database error does not cost a day -----------------------------------


@pytest.fixture
async def pg_storage(postgres_url):
    s = await open_empty_storage(postgres_url)
    try:
        yield s
    finally:
        await s.close()


def server_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def test_a_dropped_connection_leaves_the_row_due_for_the_next_tick(pg_storage, stub, tg):
    """The connection evaluating a row is terminated (``pg_terminate_backend``) while it reads
    the user's CE log: the row stays due, and the next tick sends the nudge."""
    storage = pg_storage
    await add_user(storage, stub, 940)
    now = local(date(2027, 1, 4), 10)
    locker = await asyncpg.connect(server_dsn(storage.url))
    try:
        tx = locker.transaction()
        await tx.start()
        await locker.execute("LOCK TABLE ce_entries IN ACCESS EXCLUSIVE MODE")
        tick = asyncio.create_task(nudges.dispatch(storage, tg, now))
        victim = None
        for _ in range(500):
            victim = await locker.fetchval(
                "SELECT pid FROM pg_locks WHERE relation = 'ce_entries'::regclass "
                "AND NOT granted LIMIT 1")
            if victim:
                break
            await asyncio.sleep(0.02)
        assert victim, "the dispatcher never waited on the CE log"
        await locker.fetchval("SELECT pg_terminate_backend($1)", victim)
        results = await asyncio.wait_for(tick, 20)
        await tx.rollback()
    finally:
        await locker.close()
    assert results == []  # nothing sent on this tick
    async with storage.session() as s:
        due = (await s.execute(select(CECredential.next_nudge_due)
                               .where(CECredential.user_id == 940))).scalar_one()
    assert due is not None and due <= now  # still due: not moved a day on
    again = await nudges.dispatch(storage, tg, now + timedelta(minutes=15))
    assert [(r.nudge.milestone, r.outcome) for r in again] == [("d90", "sent")]
    assert len(sent_to(stub, 940)) == 1


# --- item 6: a tick stops between nudges ------------------------------------------------------


async def test_a_stop_signal_ends_the_tick_between_nudges(backend_storage, stub, tg):
    storage = backend_storage
    for uid in (950, 951, 952):
        await add_user(storage, stub, uid)
    now = local(date(2027, 1, 4), 10)
    stop = asyncio.Event()
    stub.hold("sendMessage")
    tick = asyncio.create_task(nudges.dispatch(storage, tg, now, stop=stop))
    await wait_until(lambda: stub.held("sendMessage") == 1)
    stop.set()
    stub.release("sendMessage")
    results = await asyncio.wait_for(tick, 20)
    assert [r.outcome for r in results] == ["sent"]  # the one in hand finished, no more
    assert sum(send_attempts(stub, uid) for uid in (950, 951, 952)) == 1
    rest = await nudges.dispatch(storage, tg, now + timedelta(minutes=15))
    assert sorted(r.outcome for r in rest) == ["sent", "sent"]  # still due, sent next tick


async def test_recording_a_sent_nudge_is_retried_when_the_database_is_busy(tmp_path, stub,
                                                                           caplog):
    """The send went out, then the database refuses the write (another process holds SQLite's
    write lock past the busy timeout): the outcome is recorded on a retry, not left behind."""
    import sqlite3

    storage = Storage(db_url(tmp_path))
    await storage.init()
    try:
        await add_user(storage, stub, 960)
        now = local(date(2027, 1, 4), 10)
        stub.hold("sendMessage")
        async with make_bot(stub) as bot:
            tick = asyncio.create_task(nudges.dispatch(storage, bot, now))
            await wait_until(lambda: stub.held("sendMessage") == 1)
            other = sqlite3.connect(tmp_path / "nudges.db", isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")  # another process writing for a long time
            stub.release("sendMessage")
            await wait_until(lambda: any("recording 'sent' failed" in r.getMessage()
                                         for r in caplog.records), timeout=40)
            other.execute("COMMIT")
            other.close()
            results = await asyncio.wait_for(tick, 30)
        assert [r.outcome for r in results] == ["sent"]
        assert await claims(storage, 960) == {"d90": "sent"}
    finally:
        await storage.close()
