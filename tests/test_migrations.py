"""Upgrades without loss: the Alembic migrations in bot/storage/migrations, on SQLite and
PostgreSQL.

"A database from the last release" is built from tests/data/schema_0001_{sqlite,postgresql}.sql:
the DDL ``Base.metadata.create_all`` ran for the models of the release before migrations,
frozen, so these tests keep meaning the same thing after the models change. Rows are written
with the frozen 0001 tables (the column types of that release, so stored the way it stored
them).

- Revision 0001 makes exactly those tables (SQLite: the same CREATE statements; PostgreSQL: the
  same columns, defaults, sequences, indexes and constraints in the catalog).
- A last-release database full of rows is stamped 0001 and upgraded in place by
  ``Storage.init``: every row of every table is still there, equal, ``next_nudge_due`` holds
  what 0002's backfill computes, and the schema is the same as a new database's.
- A database older than that (before the columns of ADDED_COLUMNS) gets them too.
- Several processes starting at once on one database all succeed (the upgrade lock).
- The models and the migrations agree (Alembic's autogenerate finds nothing to do).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.storage import migrations
from bot.storage.migrations import schema_0001
from bot.storage.models import model_metadata
from bot.storage.store import Storage

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
UTC = dt.UTC
T = schema_0001.metadata.tables


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request, tmp_path):
    """An empty database: a new SQLite file, or the session's PostgreSQL emptied."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'pathway.db'}"
    url = request.getfixturevalue("postgres_url")
    await wipe(url)
    return url


async def wipe(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        await conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        await conn.execute(sa.text("CREATE SCHEMA public"))
    await engine.dispose()


def dialect_of(url: str) -> str:
    return sa.make_url(url).get_backend_name()


def last_release_ddl(dialect: str, *, without: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The frozen DDL of the last release, one statement each; ``without`` leaves columns out
    (a database from before they were added)."""
    text = "\n".join(line for line in (DATA / f"schema_0001_{dialect}.sql").read_text()
                     .splitlines() if not line.startswith("--"))
    statements = [s.strip() for s in re.split(r";\s*$", text, flags=re.MULTILINE) if s.strip()]
    out = []
    for statement in statements:
        table = re.match(r"CREATE TABLE (\w+)", statement)
        if table:
            lines = statement.splitlines()
            statement = "\n".join(
                line for line in lines
                if not any(table.group(1) == t and re.match(rf"\s+{c} ", line)
                           for t, c in without))
        out.append(statement)
    return out


async def run_sql(url: str, statements: list[str]) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        for statement in statements:
            await conn.exec_driver_sql(statement)
    await engine.dispose()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args)  # naive UTC, as the last release stored times


CREATED = at(2026, 1, 5, 12)
EXP = dt.date(2027, 3, 31)

def row(**values) -> dict:
    return values


ROWS: dict[str, list[dict]] = {
    "users": [
        row(id=1, chat_id=1, first_name="Ana", status="certified", setting="hospital",
             interests=["sterile", "leadership"], state="TX", timezone="America/New_York",
             nudges_enabled=True, active=True),
        row(id=2, chat_id=2, first_name="Ben", status="student", setting=None, interests=[],
             state=None, timezone="America/New_York", nudges_enabled=False, active=True),
        row(id=3, chat_id=3, first_name="Cy", status=None, setting="retail", interests=[],
             state="CA", timezone="America/Los_Angeles", nudges_enabled=True, active=False),
        row(id=4, chat_id=None, first_name=None, status=None, setting=None, interests=[],
             state=None, timezone="America/New_York", nudges_enabled=True, active=True),
        row(id=5, chat_id=5, first_name="Dee \u00e9\u00e8 \U0001f600", status="certified",
             setting="hospital", interests=["compounding"], state="IL",
             timezone="America/Chicago", nudges_enabled=True, active=True),
        row(id=6, chat_id=6, first_name="Eve", status=None, setting=None, interests=[],
             state=None, timezone="America/New_York", nudges_enabled=True, active=True),
    ],
    "turns": [
        row(id=1, user_id=1, question="how do i renew?", kind="answer",
             sources=[{"path": "ce_renewal/ptcb.md", "title": "PTCB renewal"}],
             followups=["What counts as CE?"], created_at=at(2026, 1, 5, 12, 1)),
        row(id=2, user_id=1, question="thanks", kind="smalltalk", sources=[], followups=[],
             created_at=at(2026, 1, 5, 12, 2)),
        row(id=3, user_id=5, question="sterile compounding?", kind="answer", sources=[],
             followups=[], created_at=at(2026, 2, 1, 9)),
    ],
    "feedback": [
        row(id=1, user_id=1, turn_id=1, rating=1, question="how do i renew?",
             sources=[{"path": "ce_renewal/ptcb.md"}], created_at=at(2026, 1, 5, 12, 3)),
        row(id=2, user_id=5, turn_id=3, rating=-1, question="sterile compounding?",
             sources=[], created_at=at(2026, 2, 1, 9, 1)),
    ],
    "ce_credentials": [
        row(id=1, user_id=1, credential="ptcb-cpht", expiration=EXP,
             snoozed_until=None, cycle_start=dt.date(2025, 4, 1)),
        row(id=2, user_id=1, credential="tx-tech", expiration=dt.date(2027, 6, 30),
             snoozed_until=at(2027, 4, 5, 14), cycle_start=None),
        row(id=3, user_id=2, credential="nha-cpht", expiration=EXP, snoozed_until=None,
             cycle_start=None),
        row(id=4, user_id=3, credential="ptcb-cpht", expiration=EXP, snoozed_until=None,
             cycle_start=None),
        row(id=5, user_id=4, credential="ptcb-cpht", expiration=EXP, snoozed_until=None,
             cycle_start=None),
        row(id=6, user_id=5, credential="nha-cpht", expiration=EXP, snoozed_until=None,
             cycle_start=None),
        row(id=7, user_id=6, credential="zz-retired", expiration=EXP, snoozed_until=None,
             cycle_start=None),
    ],
    "ce_entries": [
        row(id=1, user_id=1, hours=2.0, topic="law", audience="T",
             completed_on=dt.date(2026, 1, 2), title="Federal law update", uan="0000-1",
             delivery="home", tags="tx-law accredited", created_at=CREATED, deleted_at=None),
        row(id=2, user_id=1, hours=1.25, topic="general", audience="P",
             completed_on=dt.date(2026, 1, 3), title="", uan=None, delivery=None, tags=None,
             created_at=CREATED, deleted_at=at(2026, 1, 4, 8)),
        row(id=3, user_id=5, hours=3.0, topic="patient-safety", audience="T",
             completed_on=dt.date(2026, 2, 2), title="Safety", uan=None, delivery="live",
             tags=None, created_at=CREATED, deleted_at=None),
    ],
    "sent_nudges": [
        row(id=1, user_id=1, credential="ptcb-cpht", expiration=EXP, milestone="d90",
             status="sent", claimed_at=at(2026, 12, 31, 13, 5), attempts=None,
             next_try_at=None),
        row(id=2, user_id=1, credential="tx-tech", expiration=dt.date(2027, 6, 30),
             milestone="d90", status="snoozed", claimed_at=at(2027, 4, 1, 15), attempts=None,
             next_try_at=None),
        row(id=3, user_id=5, credential="nha-cpht", expiration=EXP, milestone="d90",
             status="retry", claimed_at=at(2027, 1, 2, 15, 10), attempts=2,
             next_try_at=at(2027, 1, 2, 15, 30)),
        row(id=4, user_id=3, credential="ptcb-cpht", expiration=dt.date(2025, 3, 31),
             milestone="expired", status="blocked", claimed_at=at(2025, 3, 31, 13),
             attempts=None, next_try_at=None),
    ],
}
for user in ROWS["users"]:
    user.update(created_at=CREATED, updated_at=CREATED)

#: next_nudge_due after the upgrade, by credential row id (UTC).
EXPECTED_DUE = {
    1: dt.datetime(2027, 1, 30, 13, tzinfo=UTC),  # d90 sent: the window, 08:00 New York
    2: dt.datetime(2027, 4, 5, 14, tzinfo=UTC),  # d90 snoozed: the reminder when it ends
    3: None,  # nudges off
    4: None,  # blocked the bot
    5: None,  # no private chat
    6: dt.datetime(2027, 1, 2, 15, 30, tzinfo=UTC),  # a retry of d90, at its time
    7: None,  # a credential this release does not know
}


async def fill(url: str, *, without: tuple[tuple[str, str], ...] = ()) -> None:
    """Every table of the last release, with the rows above (sequences moved past them)."""
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        for name in ("users", "turns", "feedback", "ce_credentials", "ce_entries",
                     "sent_nudges"):
            columns = [c for c in T[name].columns if (name, c.name) not in without]
            rows = [{k: v for k, v in row.items() if (name, k) not in without}
                    for row in ROWS[name]]
            table = sa.table(name, *[sa.column(c.name, c.type) for c in columns])
            await conn.execute(sa.insert(table), rows)
            if conn.dialect.name == "postgresql":
                await conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"))
    await engine.dispose()


async def all_rows(url: str, *, without: tuple[tuple[str, str], ...] = ()) -> dict:
    """Every row of every last-release table, in the last release's columns."""
    engine = create_async_engine(url, poolclass=NullPool)
    out = {}
    async with engine.connect() as conn:
        for name, table in T.items():
            columns = [c for c in table.columns if (name, c.name) not in without]
            out[name] = [tuple(r) for r in await conn.execute(
                sa.select(*columns).order_by(table.c.id))]
    await engine.dispose()
    return out


async def schema_of(url: str) -> list[tuple]:
    """The schema as the database describes it, without the migrations' version table."""
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = await conn.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master "
                "WHERE tbl_name != 'alembic_version' ORDER BY type, name")
            out = [tuple(r) for r in rows]
        else:
            out = []
            for query in (
                ("SELECT table_name, column_name, ordinal_position, data_type, "
                 "character_maximum_length, is_nullable, column_default "
                 "FROM information_schema.columns WHERE table_schema = 'public' "
                 "AND table_name != 'alembic_version' ORDER BY 1, 3"),
                ("SELECT tablename, indexname, indexdef FROM pg_indexes "
                 "WHERE schemaname = 'public' AND tablename != 'alembic_version' ORDER BY 2"),
                ("SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
                 "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                 "AND conrelid::regclass::text != 'alembic_version' ORDER BY 2"),
                ("SELECT sequence_name, data_type, start_value, increment "
                 "FROM information_schema.sequences WHERE sequence_schema = 'public' ORDER BY 1"),
            ):
                out += [tuple(r) for r in await conn.exec_driver_sql(query)]
    await engine.dispose()
    return out


async def next_dues(url: str) -> dict[int, dt.datetime | None]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT id, next_nudge_due FROM ce_credentials"))
        out = {}
        for row_id, due in rows:
            if isinstance(due, str):  # SQLite through text(): the stored form
                due = dt.datetime.fromisoformat(due)
            out[row_id] = due.replace(tzinfo=UTC) if due is not None else None
    await engine.dispose()
    return out


async def build_last_release(url: str, **kwargs) -> None:
    await run_sql(url, last_release_ddl(dialect_of(url), **kwargs))
    await fill(url, **kwargs)


# --- revision 0001 is the last release ----------------------------------------------------------


async def test_0001_makes_exactly_the_tables_of_the_last_release(url):
    await run_sql(url, last_release_ddl(dialect_of(url)))
    last_release = await schema_of(url)
    assert len(last_release) > 10
    if dialect_of(url) == "postgresql":
        await wipe(url)
    else:
        url = url.replace("pathway.db", "fresh.db")
    result = await migrations.upgrade(url, "0001_initial")
    assert (result.before, result.after, result.adopted) == (None, "0001_initial", False)
    assert await schema_of(url) == last_release


# --- a database of the last release, full of rows ----------------------------------------------


async def test_a_database_of_the_last_release_upgrades_and_keeps_every_row(url, caplog):
    await build_last_release(url)
    before = await all_rows(url)
    assert all(before.values()), "fill every table"
    assert await migrations.current(url) is None

    storage = Storage(url)
    with caplog.at_level("INFO", logger="bot.storage.migrations"):
        await storage.init()
    assert "database from before migrations stamped 0001_initial" in caplog.text
    assert await migrations.current(url) == migrations.head_revision()
    assert await all_rows(url) == before
    assert await next_dues(url) == EXPECTED_DUE

    # what the bot reads through its models is what was written
    user = await storage.get_user(5)
    assert (user.first_name, user.interests, user.timezone) == (
        "Dee \u00e9\u00e8 \U0001f600", ["compounding"], "America/Chicago")
    assert user.created_at == CREATED.replace(tzinfo=UTC)
    assert [(c.credential, c.snoozed_until) for c in await storage.credentials(1)] == [
        ("ptcb-cpht", None), ("tx-tech", dt.datetime(2027, 4, 5, 14, tzinfo=UTC))]
    assert [e.to_entry().tags for e in await storage.entries(1)] == [("tx-law", "accredited")]
    assert await storage.sent_keys(1, "ptcb-cpht", EXP) == {"d90"}
    # and it goes on working: ids continue after the old rows
    assert await storage.add_turn(1, "next question", "answer", [], []) == 4
    await storage.close()

    # a restart finds nothing to do
    again = await migrations.upgrade(url)
    assert not again.changed and again.after == migrations.head_revision()

    # the same schema as a database the migrations made from nothing
    upgraded = await schema_of(url)
    if dialect_of(url) == "postgresql":
        await wipe(url)
        fresh_url = url
    else:
        fresh_url = url.replace("pathway.db", "fresh.db")
    await migrations.upgrade(fresh_url)
    assert await schema_of(fresh_url) == upgraded


async def test_a_database_from_before_the_added_columns_gets_them(url):
    added = schema_0001.ADDED_COLUMNS
    await build_last_release(url, without=added)
    before = await all_rows(url, without=added)
    result = await migrations.upgrade(url)
    assert result.adopted and sorted(result.added) == sorted(f"{t}.{c}" for t, c in added)
    assert result.after == migrations.head_revision()
    assert await all_rows(url, without=added) == before
    everything = await all_rows(url)
    for table, column in added:  # present, and NULL on the old rows
        index = [c.name for c in T[table].columns].index(column)
        assert {row[index] for row in everything[table]} == {None}
    assert (await next_dues(url))[1] is not None


async def test_downgrade_to_0001_and_upgrade_again(url):
    await build_last_release(url)
    await migrations.upgrade(url)
    before = await all_rows(url)
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(migrations.alembic_config(c),
                                                        "0001_initial"))
    await engine.dispose()
    assert await migrations.current(url) == "0001_initial"
    assert await all_rows(url) == before
    await migrations.upgrade(url)
    assert await next_dues(url) == EXPECTED_DUE


async def test_a_version_stamp_without_its_tables_builds_them_again(url):
    await migrations.upgrade(url)
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.begin() as conn:  # dropped by hand; alembic_version left behind
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        for name in set(names) - {"alembic_version"}:
            await conn.execute(sa.text(f"DROP TABLE {name} CASCADE" if "postgresql" in url
                                       else f"DROP TABLE {name}"))
    await engine.dispose()
    assert await migrations.current(url) == migrations.head_revision()
    storage = Storage(url)
    await storage.init()
    await storage.touch_user(1, chat_id=1)
    assert (await storage.get_user(1)).chat_id == 1
    await storage.close()


# --- starting together ---------------------------------------------------------------------------

STARTER = """
import asyncio, sys, time
from bot.storage.store import Storage

async def main(url, start_at):
    storage = Storage(url)
    time.sleep(max(0.0, start_at - time.time()))
    await storage.init()
    await storage.close()

asyncio.run(main(sys.argv[1], float(sys.argv[2])))
"""


@pytest.mark.parametrize("existing", [False, True], ids=["empty", "last-release"])
async def test_processes_starting_together_all_upgrade(url, tmp_path, existing):
    if existing:
        await build_last_release(url)
        before = await all_rows(url)
    start_at = time.time() + 4  # after every process has imported the bot
    procs = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", STARTER, url, str(start_at), cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE) for _ in range(3)]
    done = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
    for proc, (_out, err) in zip(procs, done, strict=True):
        assert proc.returncode == 0, err.decode()
    assert await migrations.current(url) == migrations.head_revision()
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        stamps = (await conn.execute(sa.text("SELECT count(*) FROM alembic_version"))).scalar()
    await engine.dispose()
    assert stamps == 1
    if existing:
        assert await all_rows(url) == before
        assert await next_dues(url) == EXPECTED_DUE


async def test_two_storages_initialised_at_once_in_one_process(url):
    stores = [Storage(url) for _ in range(2)]
    await asyncio.gather(*(s.init() for s in stores))
    for s in stores:
        await s.ping()
        await s.close()
    assert await migrations.current(url) == migrations.head_revision()


# --- the models and the migrations agree -------------------------------------------------------


async def test_the_models_and_the_migrations_agree(url):
    metadata = model_metadata()
    assert {"users", "ce_credentials", "sent_nudges"} <= set(metadata.tables)
    await migrations.upgrade(url)
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(
            MigrationContext.configure(c, opts={"compare_type": True}), metadata))
    await engine.dispose()
    assert diff == [], "the models changed without a migration (or the other way round)"


def test_one_head_and_a_linear_history():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    revisions = list(scripts.walk_revisions())  # newest first
    assert [r.revision for r in revisions][-2:] == ["0002_next_nudge_due", "0001_initial"]
    assert scripts.get_heads() == [revisions[0].revision]
    for newer, older in itertools.pairwise(revisions):
        assert newer.down_revision == older.revision


# --- ping, and the command line ----------------------------------------------------------------


async def test_ping_raises_when_the_database_is_unreachable(tmp_path):
    ok = Storage(f"sqlite+aiosqlite:///{tmp_path / 'ok.db'}")
    await ok.init()
    await ok.ping()
    await ok.close()
    gone = Storage("postgresql+asyncpg://postgres@127.0.0.1:1/postgres")
    with pytest.raises(OSError):
        await gone.ping()
    await gone.close()


def run_cli(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], check=False, cwd=tmp_path, capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
             "CHROMA_PATH": str(tmp_path / "chroma"), "LOG_LEVEL": "WARNING"},
        timeout=120,
    )


def test_db_upgrade_and_current_commands(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    head = migrations.head_revision()
    current = run_cli(tmp_path, url, "db", "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout.splitlines() == [
        "none (empty, or made before migrations)",
        f"pending: upgrade to {head} with: python -m bot db upgrade"]
    upgraded = run_cli(tmp_path, url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.splitlines() == [f"database upgraded from empty to {head}"]
    assert run_cli(tmp_path, url, "db", "current").stdout.splitlines() == [head]
    assert run_cli(tmp_path, url, "db", "upgrade").stdout.splitlines() == [
        f"database already at {head}"]


def test_db_upgrade_command_adopts_a_last_release_database(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    asyncio.run(build_last_release(url))
    upgraded = run_cli(tmp_path, url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.splitlines() == [
        "database from before migrations stamped 0001_initial",
        f"database upgraded from 0001_initial to {migrations.head_revision()}"]
