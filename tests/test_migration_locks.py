"""A migration never queues live replicas behind its lock (issue 18, item 12): on PostgreSQL,
a migration that needs a table lock held by a long reader gives up after its ``lock_timeout``
instead of waiting (while every query of the live replicas waits behind it)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
import sqlalchemy as sa
from test_migrations import wipe

from bot.storage import migrations


async def test_an_upgrade_behind_a_long_reader_gives_up_instead_of_queueing(postgres_url):
    await wipe(postgres_url)
    await migrations.upgrade(postgres_url, "0001_initial")
    reader = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://",
                                                        "postgresql://"))
    try:
        tx = reader.transaction()
        await tx.start()
        await reader.fetch("SELECT * FROM ce_credentials LIMIT 1")  # a long report, say
        with pytest.raises(sa.exc.DBAPIError, match="lock timeout"):
            await asyncio.wait_for(migrations.upgrade(postgres_url), 30)
        await tx.rollback()
    finally:
        await reader.close()
    assert await migrations.current(postgres_url) == "0001_initial"  # nothing half-done
    await migrations.upgrade(postgres_url)  # the reader gone: it goes through
    assert await migrations.current(postgres_url) == migrations.head_revision()
