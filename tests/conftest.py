"""Shared fixtures: the real model, the real knowledge base ingested into a temporary Chroma.

The store is built once per test session; tests that change a store build their own copy.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # tests/botapi_stub.py

from bot.settings import Settings


def make_settings(tmp: Path, **overrides) -> Settings:
    values = {
        "chroma_path": tmp / "chroma",
        "knowledge_path": ROOT / "knowledge",
        "database_url": f"sqlite+aiosqlite:///{tmp / 'pathway.db'}",
        "telegram_bot_token": None,
        "log_level": "INFO",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def embeddings():
    """The reference model (sentence-transformers, torch): what ingest embeds chunks with and
    exports to ONNX."""
    from bot.answers.retrieval import load_embeddings

    return load_embeddings(Settings(_env_file=None), backend="torch")


@pytest.fixture(scope="session")
def store_settings(tmp_path_factory, embeddings) -> Settings:
    """Settings whose CHROMA_PATH holds the real knowledge base, ingested once."""
    import ingest

    settings = make_settings(tmp_path_factory.mktemp("store"))
    ingest.run(settings, quiet=True, embeddings=embeddings)
    return settings


@pytest.fixture(scope="session")
def replier(store_settings):
    """The question path as the bot runs it: ONNX embeddings from the export ingest made."""
    from bot.answers.compose import Replier
    from bot.answers.retrieval import Retriever

    return Replier(Retriever(store_settings))


@pytest.fixture(scope="session")
def postgres_url():
    """A temporary PostgreSQL server for the session (tests/pg_support.py); skipped where
    PostgreSQL cannot be started, failed instead when REQUIRE_POSTGRES is set (CI)."""
    from pg_support import start_postgres_for_tests

    server = start_postgres_for_tests()
    yield server.url
    server.stop()


async def open_empty_storage(url: str):
    """A Storage on ``url`` with an empty schema: the session's PostgreSQL server is shared,
    so each test drops what the previous one left."""
    from sqlalchemy import text

    from bot.storage.store import Storage

    store = Storage(url)
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as conn:  # every table, the migration stamp too
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await store.init()
    return store


@pytest.fixture
async def stub():
    """A running local Bot API stub (tests/botapi_stub.py), stopped after the test."""
    from botapi_stub import BotApiStub

    server = BotApiStub()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
