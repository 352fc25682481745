"""`python -m bot bench nudges`: what one nudge tick costs at scale.

Seeds a database (a fresh SQLite file by default, or ``--database-url``, which must be empty)
with ``--users`` users, most with one credential and some with two, expirations spread over two
years, a few with nudges off or inactive, and ``--due`` of them whose 90-day milestone falls on
the bench day. The rows are bulk-inserted with ``next_nudge_due`` empty, then filled by the
backfill of migration 0002 (timed too). Then:

1. a tick at 11:00 UTC, night in every US zone, when nothing is due;
2. a tick at 20:00 UTC, day in every US zone, when the ``--due`` nudges are due (sent to a fake
   bot that records the calls);
3. the same tick again: nothing left.

For each: wall time, SQL statements executed (SQLAlchemy's ``before_cursor_execute``), rows
returned to the bot and, on PostgreSQL, rows the server read (``pg_stat_user_tables``:
sequential tuples read + index tuples fetched). For comparison, the first query of the tick
before ``next_nudge_due`` (every candidate user and credential) is timed on the same data, and
the query plan of the due-rows query is shown.

Before the ticks the CE rules are loaded and a connection is open, as in a running bot.
This is a bench: it prints figures and asserts nothing (tests/test_nudge_scale.py holds the
tick to its bounds at a smaller size).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.ce.timing import find_credential
from bot.storage.migrations.reschedule import reschedule_all
from bot.storage.models import CECredential, CEEntryRow, SentNudge, User
from bot.storage.store import Storage
from bot.telegram import nudges

#: Zones the users live in: at 11:00 UTC it is night in all of them, at 20:00 UTC day.
TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
             "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu")
QUIET_TICK = dt.time(11)
BUSY_TICK = dt.time(20)
DEFAULT_DAY = dt.date(2027, 1, 12)
CHUNK = 10_000


class FakeBot:
    """Records what would have been sent; never fails."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **_kwargs) -> None:
        self.sent.append((chat_id, text))


class SQLCounter:
    """Counts the SQL statements an engine executes, and the rows they return to Python
    (the async drivers' adapters fetch a result whole when it is executed), while active."""

    def __init__(self, engine) -> None:
        self.engine = engine.sync_engine
        self.statements = 0
        self.rows = 0
        self.executed: list[tuple[str, object]] = []

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements += 1
        if len(self.executed) < 50:
            self.executed.append((statement, parameters))

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        fetched = getattr(cursor, "_rows", None)
        if fetched is not None and cursor.description is not None:
            self.rows += len(fetched)

    def __enter__(self) -> Self:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


@dataclass
class SeedResult:
    users: int
    credentials: int
    entries: int
    claims: int
    due_users: list[int]
    insert_s: float = 0.0
    backfill_s: float = 0.0


@dataclass
class TickFigures:
    label: str
    wall_s: float
    statements: int
    rows: int
    outcomes: Counter = field(default_factory=Counter)
    server_rows: int | None = None

    def line(self) -> str:
        sent = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items())) or "nothing sent"
        server = (f", {self.server_rows:,} rows read by the server"
                  if self.server_rows is not None else "")
        return (f"{self.label}: {self.wall_s * 1000:,.1f} ms, {self.statements:,} SQL statements, "
                f"{self.rows:,} rows returned to the bot{server}; {sent}")


def tick_instants(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """(nothing due, due) instants of the bench day."""
    return (dt.datetime.combine(day, QUIET_TICK, tzinfo=dt.UTC),
            dt.datetime.combine(day, BUSY_TICK, tzinfo=dt.UTC))


def _due_ids(users: int, due: int) -> list[int]:
    if due <= 0:
        return []
    step = max(1, users // due)
    return [1 + k * step for k in range(min(due, users))]


async def seed(storage: Storage, users: int, due: int, day: dt.date = DEFAULT_DAY,
               *, backfill: bool = True) -> SeedResult:
    """Fill an empty database (schema already there) with ``users`` users; ``due`` of them
    have a 90-day nudge due on ``day`` from 08:00 local. The rest are due later or never.
    ``next_nudge_due`` is filled by migration 0002's backfill (``backfill``)."""
    due_ids = set(_due_ids(users, due))
    created = dt.datetime.combine(day - dt.timedelta(days=400), dt.time(12), tzinfo=dt.UTC)
    counts = Counter()
    started = time.perf_counter()
    async with storage.engine.begin() as conn:
        for first in range(1, users + 1, CHUNK):
            ids = range(first, min(users, first + CHUNK - 1) + 1)
            user_rows, cred_rows, entry_rows, claim_rows = [], [], [], []
            for i in ids:
                is_due = i in due_ids
                user_rows.append({
                    "id": i, "chat_id": i, "first_name": f"user{i}", "interests": [],
                    "timezone": TIMEZONES[i % len(TIMEZONES)],
                    "nudges_enabled": is_due or i % 50 != 7,
                    "active": is_due or i % 97 != 5,
                    "created_at": created, "updated_at": created,
                })
                key = ("ptcb-cpht", "nha-cpht")[i % 2]
                expiration = (day + dt.timedelta(days=90) if is_due
                              else day + dt.timedelta(days=91 + (i * 7919) % 730))
                cred_rows.append({"user_id": i, "credential": key, "expiration": expiration})
                if i % 4 == 0:
                    cred_rows.append({"user_id": i, "credential": "tx-tech",
                                      "expiration": day + dt.timedelta(days=120 + i % 365)})
                if is_due or i % 10 == 0:
                    entry_rows.append({
                        "user_id": i, "hours": 2.0, "topic": "law", "audience": "T",
                        "completed_on": day - dt.timedelta(days=30), "title": "Law update",
                        "created_at": created})
                if not is_due and i % 5 == 0:  # the last cycle's "expired" nudge, sent
                    claim_rows.append({
                        "user_id": i, "credential": key,
                        "expiration": expiration - dt.timedelta(days=730),
                        "milestone": "expired", "status": "sent",
                        "claimed_at": created})
            for table, rows in ((User, user_rows), (CECredential, cred_rows),
                                (CEEntryRow, entry_rows), (SentNudge, claim_rows)):
                if rows:
                    await conn.execute(insert(table.__table__), rows)
                    counts[table.__tablename__] += len(rows)
    insert_s = time.perf_counter() - started
    backfill_s = 0.0
    if backfill:
        started = time.perf_counter()
        async with storage.engine.begin() as conn:
            await conn.run_sync(reschedule_all)
        backfill_s = time.perf_counter() - started
    async with storage.engine.begin() as conn:  # a database in service has statistics
        await conn.execute(text("ANALYZE"))
    return SeedResult(users=counts["users"], credentials=counts["ce_credentials"],
                      entries=counts["ce_entries"], claims=counts["sent_nudges"],
                      due_users=sorted(due_ids), insert_s=insert_s, backfill_s=backfill_s)


async def server_rows_read(url: str) -> int | None:
    """PostgreSQL: tuples read so far in user tables (sequential + fetched by index), as the
    statistics collector counts them; None on SQLite. Backends report when they end, so close
    the connections whose reads should count first."""
    engine = create_async_engine(url, poolclass=NullPool)
    if engine.dialect.name != "postgresql":
        await engine.dispose()
        return None
    try:
        last = None
        for _ in range(20):  # until the reports of ended backends have all arrived
            async with engine.connect() as conn:
                value = (await conn.execute(text(
                    "SELECT coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0) "
                    "FROM pg_stat_user_tables"))).scalar_one()
            if value == last:
                return int(value)
            last = value
            await asyncio.sleep(0.2)
        return int(last)
    finally:
        await engine.dispose()


async def timed_tick(storage: Storage, now: dt.datetime, bot, label: str,
                     *, server_rows: bool = False) -> tuple[TickFigures, SQLCounter]:
    before = None
    if server_rows:
        await storage.engine.dispose()
        before = await server_rows_read(storage.url)
        await storage.ping()  # a connection open again, as in a running bot
    with SQLCounter(storage.engine) as counter:
        started = time.perf_counter()
        results = await nudges.dispatch(storage, bot, now)
        wall = time.perf_counter() - started
    figures = TickFigures(label, wall, counter.statements, counter.rows,
                          Counter(r.outcome for r in results))
    if server_rows:
        await storage.engine.dispose()
        after = await server_rows_read(storage.url)
        if before is not None and after is not None:
            figures.server_rows = after - before
    return figures, counter


async def query_plan(storage: Storage, statement: str, parameters) -> list[str]:
    """The plan of one statement the tick executed, as the database describes it."""
    async with storage.engine.connect() as conn:
        if storage.engine.dialect.name == "postgresql":
            rows = await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}",
                                              parameters)
            return [r[0] for r in rows]
        rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [r[-1] for r in rows]


async def run(url: str, users: int, due: int, day: dt.date = DEFAULT_DAY) -> int:
    storage = Storage(url)
    try:
        await storage.init()
        async with storage.session() as s:
            existing = (await s.execute(select(func.count()).select_from(User))).scalar_one()
        if existing:
            print(f"bench nudges: the database already has {existing:,} users; it seeds its own "
                  "into an empty database (leave out --database-url for a temporary file)")
            return 2
        backend = storage.engine.dialect.name
        print(f"nudge tick bench on {backend}: seeding {users:,} users, {due:,} due ...",
              flush=True)
        seeded = await seed(storage, users, due, day)
        print(f"seeded {seeded.users:,} users, {seeded.credentials:,} credentials, "
              f"{seeded.entries:,} CE entries, {seeded.claims:,} past nudges in "
              f"{seeded.insert_s:.1f} s (bulk insert); next_nudge_due filled by migration "
              f"0002's backfill in {seeded.backfill_s:.1f} s")
        async with storage.session() as s:
            scheduled = (await s.execute(select(func.count()).select_from(CECredential)
                                         .where(CECredential.next_nudge_due.is_not(None)))
                         ).scalar_one()
        print(f"credentials with a next nudge scheduled: {scheduled:,}")
        quiet, busy = tick_instants(day)
        pg = backend == "postgresql"
        # as in a running bot: the CE rules loaded, a connection open, the query compiled
        find_credential("ptcb-cpht")
        await storage.due_credentials(quiet - dt.timedelta(days=1))
        logging.getLogger("bot.telegram.nudges").setLevel(logging.WARNING)  # not a line per nudge
        bot = FakeBot()
        lines = []
        idle, idle_counter = await timed_tick(
            storage, quiet, bot, f"tick at {quiet:%Y-%m-%d %H:%M} UTC (nothing due)",
            server_rows=pg)
        lines.append(idle.line())
        busy_fig, _ = await timed_tick(
            storage, busy, bot, f"tick at {busy:%Y-%m-%d %H:%M} UTC ({due:,} due)",
            server_rows=pg)
        lines.append(busy_fig.line())
        sent = busy_fig.outcomes.get("sent", 0)
        if sent:
            lines.append(f"  per nudge sent: {busy_fig.wall_s / sent * 1000:.2f} ms, "
                         f"{busy_fig.statements / sent:.1f} statements")
        again, _ = await timed_tick(storage, busy + dt.timedelta(minutes=5), bot,
                                    "the same tick 5 minutes later", server_rows=pg)
        lines.append(again.line())
        for line in lines:
            print(line)
        print(f"fake bot received {len(bot.sent):,} messages "
              f"({len({chat for chat, _ in bot.sent}):,} chats)")
        started = time.perf_counter()
        candidates = await storage.nudge_candidates()
        print(f"for comparison, the query every tick ran before next_nudge_due "
              f"(every candidate): {len(candidates):,} rows in "
              f"{(time.perf_counter() - started) * 1000:,.0f} ms")
        if idle_counter.executed:
            statement, parameters = idle_counter.executed[0]
            print("plan of the due-rows query:")
            for line in await query_plan(storage, statement, parameters):
                print(f"  {line}")
        return 0
    finally:
        await storage.close()


def run_cli(*, users: int, due: int | None, database_url: str | None) -> int:
    """`python -m bot bench nudges --users N [--due N] [--database-url URL]`."""
    due = max(1, users // 100) if due is None else due
    if database_url:
        return asyncio.run(run(database_url, users, due))
    with tempfile.TemporaryDirectory(prefix="bench-nudges-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        return asyncio.run(run(url, users, due))
