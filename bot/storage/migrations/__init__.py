"""Database migrations: Alembic, configured here in code and shipped inside the package, so an
installed bot upgrades its database without an ``alembic.ini`` or a checkout.

:func:`upgrade` is what ``Storage.init`` and ``python -m bot db upgrade`` run. It holds a lock
for the whole upgrade, so replicas starting together do not race: the second waits, then finds
nothing left to do.

- PostgreSQL: ``pg_advisory_xact_lock(LOCK_KEY)`` taken first in the upgrade's transaction and
  held until it commits. DDL is transactional there, so an upgrade that fails leaves nothing
  half done.
- SQLite: the upgrade runs in one ``BEGIN IMMEDIATE`` transaction, which takes the database's
  write lock at once; another process's ``BEGIN IMMEDIATE`` waits for it (busy timeout
  :data:`SQLITE_LOCK_WAIT_MS`) and then sees the upgraded schema.

A database made before migrations existed (the tables are there, no ``alembic_version``) is
brought up to ``0001_initial`` in place (tables or columns an older release lacked are added,
nothing is dropped or recreated), stamped ``0001_initial``, then upgraded like any other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.storage.migrations import schema_0001

log = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).resolve().parent
BASELINE = "0001_initial"
#: The advisory lock key upgrades hold on PostgreSQL ("pathway" in ASCII, as a bigint).
LOCK_KEY = 0x70617468776179
#: How long a process waits for another one's upgrade on SQLite.
SQLITE_LOCK_WAIT_MS = 300_000


@dataclass
class UpgradeResult:
    before: str | None  # the revision found (None: an empty database; 0001 when adopted)
    after: str | None
    adopted: bool = False  # a database from before migrations, stamped 0001_initial
    added: list[str] = field(default_factory=list)  # what bringing it up to 0001 added

    @property
    def changed(self) -> bool:
        return self.adopted or self.before != self.after


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, without an ini file. With ``connection``, env.py migrates on
    it (in the caller's transaction)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads ({heads}); expected one")
    return heads[0]


def _is_memory(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _sqlite_connect(dbapi_connection, _record) -> None:
    # the driver must not open transactions itself: "begin" below opens them, IMMEDIATE
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_MS}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _migration_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


async def upgrade(url: str, revision: str = "head", *,
                  engine: AsyncEngine | None = None) -> UpgradeResult:
    """Bring the database at ``url`` to ``revision`` under the upgrade lock. ``engine`` is
    used instead of a connection of its own only for an in-memory SQLite database (which
    exists only on that engine's connection)."""
    alembic_log = logging.getLogger("alembic")
    if alembic_log.level == logging.NOTSET:  # its per-start chatter; the outcome is logged below
        alembic_log.setLevel(logging.WARNING)
    parsed = sa.make_url(url)
    own = engine is None or not _is_memory(parsed)
    use = _migration_engine(url) if own else engine
    try:
        async with use.connect() as conn:
            result = await conn.run_sync(_upgrade_locked, revision)
            await conn.commit()
    finally:
        if own:
            await use.dispose()
    if result.adopted:
        log.info("database from before migrations stamped %s%s", BASELINE,
                 f" (added {', '.join(result.added)})" if result.added else "")
    if result.before != result.after:
        log.info("database upgraded from %s to %s", result.before or "empty", result.after)
    return result


async def current(url: str) -> str | None:
    """The revision the database at ``url`` is at (None: empty, or from before 0001)."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()


def _upgrade_locked(conn: Connection, revision: str) -> UpgradeResult:
    """One transaction: lock, find what the database holds, adopt a pre-migration database,
    upgrade. The caller commits."""
    conn.begin()  # SQLite: BEGIN IMMEDIATE (the "begin" event), the write lock
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
    before = MigrationContext.configure(conn).get_current_revision()
    ours = schema_0001.TABLES & set(sa.inspect(conn).get_table_names())
    config = alembic_config(conn)
    adopted, added = False, []
    if before is not None and not ours:
        # a version stamp outliving the tables it describes (they were dropped by hand): the
        # schema is built again from the start
        log.warning("alembic_version says %s but the tables are gone: building them again",
                    before)
        command.stamp(config, "base", purge=True)
        before = None
    elif before is None and ours:
        added = schema_0001.bring_up_to_0001(conn)
        command.stamp(config, BASELINE)
        adopted, before = True, BASELINE
    command.upgrade(config, revision)
    after = MigrationContext.configure(conn).get_current_revision()
    return UpgradeResult(before=before, after=after, adopted=adopted, added=added)
