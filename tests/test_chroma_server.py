"""Chroma as a server (issue 11): ingest and the bot against a real ``chroma run``.

Every replica reads the same store: passages, their vectors, ingest's manifest and the
cached scope/opening vectors all live on the server, and the BM25 side is built from the
server's passages, so nothing on the bot's machine but the model's ONNX export is needed.
"""

from __future__ import annotations

import pytest
from chroma_support import ChromaServer
from conftest import make_settings

import ingest
from bot.answers.compose import Replier
from bot.answers.retrieval import (
    CACHE_COLLECTION,
    STORE_FORMAT,
    Retriever,
    StoreMissingError,
    connect,
    read_manifest,
)

QUESTIONS = [
    "how many CE hours do i need to renew my cpht",
    "do i need to be certified in utah",
    "im moving from nevada to oregon what do i do about my license",
    "what is usp 800 in plain words",
    "i feel like giving up on everything",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server_settings(server, tmp_path_factory, store_settings, embeddings):
    # an empty local folder: anything the bot needed from it would fail loudly
    local = tmp_path_factory.mktemp("replica")
    settings = make_settings(local, onnx_path=store_settings.onnx_dir(),
                             **server.settings_overrides())
    summary = ingest.run(settings, quiet=True, embeddings=embeddings)
    assert summary.embedded == summary.chunks > 300
    return settings


def test_ingest_writes_store_and_manifest_to_the_server_and_nothing_local(server_settings):
    manifest = read_manifest(connect(server_settings))
    assert manifest["format"] == STORE_FORMAT and manifest["chunks"] > 300
    assert not server_settings.chroma_path.exists()


def test_second_ingest_against_the_server_embeds_nothing(server_settings, embeddings):
    again = ingest.run(server_settings, quiet=True, embeddings=embeddings)
    assert again.embedded == 0 and again.unchanged == again.chunks


def test_answers_from_the_server_equal_the_embedded_stores(server_settings, replier):
    remote = Replier(Retriever(server_settings))
    for question in QUESTIONS:
        here, there = replier.answer(question), remote.answer(question)
        assert there.kind == here.kind, question
        assert there.to_text() == here.to_text(), question
        assert there.to_json()["sources"] == here.to_json()["sources"], question
    # the BM25 side was built from the server's passages: same ids as the embedded store's
    assert remote.retriever.lexical_ids == replier.retriever.lexical_ids
    # the cached vectors went to the server, not to a local file
    assert not server_settings.chroma_path.exists()
    cached = connect(server_settings).get_collection(CACHE_COLLECTION).count()
    assert cached >= len(remote.heading_vectors)


def test_a_second_replica_reads_the_cache_instead_of_embedding(server_settings):
    first = Retriever(server_settings)
    Replier(first)

    second = Retriever(server_settings)
    embedded: list[int] = []
    original = second.embed
    second.embed = lambda texts: embedded.append(len(texts)) or original(texts)
    Replier(second)
    assert embedded == []


def test_a_server_that_is_down_is_a_clear_error_and_ping_fails(tmp_path, store_settings):
    server = ChromaServer(tmp_path / "data").start()
    settings = make_settings(tmp_path / "replica", onnx_path=store_settings.onnx_dir(),
                             **server.settings_overrides())
    with pytest.raises(StoreMissingError, match="No knowledge store at the Chroma server"):
        Retriever(settings)
    retrieval_client = connect(settings)
    assert retrieval_client.heartbeat()
    server.stop()
    with pytest.raises(StoreMissingError, match=f"Cannot reach the Chroma server at "
                                                 f"http://127.0.0.1:{server.port}"):
        Retriever(settings)


def test_ping_counts_records_and_fails_while_the_server_is_down(server_settings, server):
    retriever = Retriever(server_settings)
    assert retriever.ping() == read_manifest(connect(server_settings))["chunks"]
    server.stop()
    try:
        with pytest.raises(Exception):  # noqa: B017 - chromadb raises httpx/ValueError by version
            retriever.ping()
    finally:
        server.start()
    assert retriever.ping() > 300
