"""Alembic's environment for the bot's database.

Run through :func:`bot.storage.migrations.upgrade` (``Storage.init``, ``python -m bot db upgrade``),
which hands over a connection in an open transaction holding the upgrade lock: the migrations
run in that transaction, and the caller commits. Run by the ``alembic`` command itself (a
developer writing a migration: ``alembic -c <ini with script_location = bot/storage/migrations and
sqlalchemy.url> revision --autogenerate -m "..."``), it connects to ``sqlalchemy.url`` and
compares with the models; an ``alembic upgrade`` from there takes no lock, so databases in
service are upgraded with ``python -m bot db upgrade`` (or by starting the bot).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.storage.models import model_metadata

config = context.config


def run_on(connection: Connection, target_metadata=None) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_standalone() -> None:
    async def main() -> None:
        engine = create_async_engine(config.get_main_option("sqlalchemy.url"),
                                     poolclass=NullPool)
        try:
            async with engine.begin() as conn:
                # the models, for `revision --autogenerate` and `check`
                await conn.run_sync(run_on, model_metadata())
        finally:
            await engine.dispose()

    asyncio.run(main())


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: 0002 computes values "
                     "from the data; run `python -m bot db upgrade`")
connection = config.attributes.get("connection")
if connection is not None:  # upgrading: the migrations say what to do, the models are not needed
    run_on(connection)
else:
    run_standalone()
