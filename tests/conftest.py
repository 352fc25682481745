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
    from bot.retrieval import load_embeddings

    return load_embeddings(Settings(_env_file=None))


@pytest.fixture(scope="session")
def store_settings(tmp_path_factory, embeddings) -> Settings:
    """Settings whose CHROMA_PATH holds the real knowledge base, ingested once."""
    import ingest

    settings = make_settings(tmp_path_factory.mktemp("store"))
    ingest.run(settings, quiet=True, embeddings=embeddings)
    return settings


@pytest.fixture(scope="session")
def replier(store_settings, embeddings):
    from bot.replies import Replier
    from bot.retrieval import Retriever

    return Replier(Retriever(store_settings, embeddings))


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
