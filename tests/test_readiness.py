"""Readiness, the status endpoints and the webhook port under faults (issue 18, items 1, 8, 13,
16 and 17): a Chroma server that accepts and never answers stops no answer; the public port
says only ok/unavailable; a database refusing connections at start is reported as such;
unauthenticated POSTs are logged sparingly and bodies are capped; uvicorn's loggers redact the
token.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time

import chromadb
import httpx
import pytest
from chroma_support import ChromaServer, HangingProxy
from conftest import make_settings
from service_support import SECRET, TOKEN, free_port
from starlette.applications import Starlette
from starlette.routing import Route

from bot.answers.batching import AnswerBatcher
from bot.service import web
from bot.service.web import CannotStart, Readiness, WebhookEndpoint, WebhookService, status_routes
from bot.storage.store import Storage
from bot.telegram import redaction

UNREACHABLE_DB = "postgresql+asyncpg://secretrole@127.0.0.1:9/secretdb"


@pytest.fixture
async def sqlite_storage(tmp_path):
    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    await storage.init()
    try:
        yield storage
    finally:
        await storage.close()


# --- item 1: a hung Chroma server stops no answer ----------------------------------------------


async def test_readyz_against_a_hung_chroma_server_stops_no_answer(tmp_path, replier,
                                                                   sqlite_storage):
    """Many GET /readyz while the Chroma server accepts and never answers: answers are still
    computed at once (the probes have a thread of their own), every check returns within its
    timeout, the replica stays ready (it can answer) and the detail names the Chroma server."""
    server = ChromaServer(tmp_path / "chroma").start()
    proxy = await HangingProxy(server.port).start()
    try:
        def connect():  # blocking calls: off the loop the proxy runs on
            client = chromadb.HttpClient(host="127.0.0.1", port=proxy.port)
            collection = client.get_or_create_collection("probe")
            collection.add(ids=["a"], embeddings=[[0.1, 0.2, 0.3]], documents=["a passage"])
            return collection

        collection = await asyncio.to_thread(connect)
        # the replica as it runs: everything in memory, the Chroma server behind the proxy
        remote = copy.copy(replier)
        remote.retriever = copy.copy(replier.retriever)
        remote.retriever.collection = collection
        readiness = Readiness(sqlite_storage, remote)
        ready, checks = await readiness.check()
        assert ready and checks["vector_store_server"] == "ok", checks

        proxy.hang = True
        await asyncio.sleep(web.CHECK_CACHE + 0.1)
        started = time.monotonic()
        probes = [asyncio.create_task(readiness.check()) for _ in range(40)]
        await asyncio.sleep(0.2)
        batcher = AnswerBatcher(replier)
        try:
            reply = await asyncio.wait_for(batcher.answer("how do i renew my cpht"), 20)
        finally:
            await batcher.close()
        answered_in = time.monotonic() - started
        results = await asyncio.wait_for(asyncio.gather(*probes), 10)
        assert reply is not None and answered_in < 10, answered_in
        assert all(ready for ready, _ in results), results[0]
        assert results[0][1]["vector_store_server"] != "ok"
        # later checks come back within the timeout too, the stuck count not started again
        await asyncio.sleep(web.CHECK_CACHE + 0.1)
        again = time.monotonic()
        ready, checks = await readiness.check()
        assert ready and time.monotonic() - again < web.CHECK_TIMEOUT + 1
        readiness.close()
    finally:
        await proxy.close()
        server.stop()


# --- item 8: the public port says ok or unavailable, nothing more ------------------------------


async def test_the_public_readyz_shows_no_database_details(replier):
    storage = Storage(UNREACHABLE_DB)
    readiness = Readiness(storage, replier)
    public = Starlette(routes=status_routes(readiness, detailed=False))
    internal = Starlette(routes=status_routes(readiness))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=public),
                                     base_url="http://replica") as client:
            response = await client.get("/readyz")
            assert (response.status_code, response.text.strip()) == (503, "unavailable")
            assert (await client.get("/metrics")).status_code == 404
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=internal),
                                     base_url="http://replica") as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["database"] != "ok"
            assert (await client.get("/metrics")).status_code == 200
    finally:
        readiness.close()
        await storage.close()


# --- item 13: a database refusing connections at start ---------------------------------------


async def test_a_database_refusing_connections_at_start_is_reported_as_such(tmp_path, replier):
    settings = make_settings(
        tmp_path, telegram_bot_token=TOKEN, bot_mode="webhook", webhook_secret=SECRET,
        webhook_listen="127.0.0.1", webhook_port=free_port(), database_url=UNREACHABLE_DB)
    service = WebhookService(settings, replier, Storage(settings.database_url))
    with pytest.raises(CannotStart, match="database") as raised:
        await service.start()
    assert "cannot serve" not in str(raised.value)
    await service.storage.close()
    service._socket.close()


# --- item 16: unauthenticated POSTs: one log line a minute, bodies capped ------------------------


async def test_unauthenticated_posts_are_logged_sparingly_and_bodies_are_capped(caplog):
    endpoint = WebhookEndpoint(application=None, inbox=None, secret=SECRET)
    app = Starlette(routes=[Route("/telegram", endpoint.handle, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://replica") as client:
        with caplog.at_level(logging.WARNING, logger="bot.service.web"):
            for _ in range(50):
                response = await client.post("/telegram", json={"update_id": 1})
                assert response.status_code == 401
        refused = [r for r in caplog.records if "secret token" in r.getMessage()]
        assert len(refused) == 1
        big = b'{"update_id": 1, "x": "' + b"a" * (web.MAX_BODY_BYTES + 10) + b'"}'
        response = await client.post("/telegram", content=big,
                                      headers={web.SECRET_HEADER: SECRET,
                                               "content-type": "application/json"})
        assert response.status_code == 413
    server = web._uvicorn_server(app)
    assert server.config.limit_concurrency == web.CONCURRENCY_LIMIT


# --- item 17: uvicorn's loggers redact the token ----------------------------------------------


def test_uvicorn_loggers_redact_the_token(capfd):
    token = "123456:SECRET-token-value"
    redaction.install_token_redaction(token)
    web._uvicorn_server(Starlette())  # uvicorn configures its loggers (propagate=False)
    logging.getLogger("uvicorn.error").error("request to /bot%s/getMe failed", token)
    err = capfd.readouterr().err
    assert "[token]" in err and token not in err
