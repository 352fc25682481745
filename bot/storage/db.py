"""The database connection: the engine and its sessions, SQLite through aiosqlite by default,
PostgreSQL through asyncpg by URL. Nothing in storage knows about Telegram objects.

The schema is owned by the Alembic migrations in :mod:`bot.storage.migrations`:
:meth:`Database.init` applies the pending ones (under a lock).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


#: Seconds one statement may run on PostgreSQL (DATABASE_STATEMENT_TIMEOUT_SECONDS).
STATEMENT_TIMEOUT = 30.0


def timeout_args(url: str, statement_timeout: float = STATEMENT_TIMEOUT) -> dict:
    """asyncpg's connect arguments that bound every statement: the server cancels one running
    longer than ``statement_timeout`` (``statement_timeout``), and the client gives up on a
    server that stops answering altogether a little later (``command_timeout``). Nothing for
    other drivers. Migrations use connections of their own, without these."""
    if not url.startswith("postgresql+asyncpg"):
        return {}
    return {"command_timeout": statement_timeout + 5,
            "server_settings": {"statement_timeout": str(int(statement_timeout * 1000))}}


class Database:
    """The engine and the sessions every query of :class:`~bot.storage.store.Storage` runs in."""

    def __init__(self, url: str, *, statement_timeout: float = STATEMENT_TIMEOUT):
        self.url = url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(
            url, pool_pre_ping=True, connect_args=timeout_args(url, statement_timeout))
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def init(self) -> None:
        """Apply the pending migrations (:func:`bot.storage.migrations.upgrade`, under its lock, so
        processes starting together do not race): an empty database gets the whole schema, one
        made before migrations is stamped ``0001_initial`` and upgraded in place."""
        from bot.storage import migrations

        await migrations.upgrade(self.url, engine=self.engine)

    async def ping(self) -> None:
        """Raise if the database cannot be reached (for a readiness check): one ``SELECT 1``
        on a pooled connection (``pool_pre_ping`` replaces one the server has closed)."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session, session.begin():
            yield session
