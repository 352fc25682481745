"""Two webhook replicas on one PostgreSQL, as real processes behind the stub's round-robin
"load balancer": every update answered once and in order per chat, also when a replica is
SIGKILLed mid-load; a POST without the secret refused; nudges dispatched by two processes at
once sent once.

Marked ``replicas`` (run by default, so CI runs it; ``-m "not replicas"`` skips it locally).
PostgreSQL comes from tests/pg_support.py: skipped where it cannot start, failed when
REQUIRE_POSTGRES is set (CI).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from botapi_stub import BotApiStub
from chroma_support import ChromaServer
from conftest import make_settings
from service_support import SECRET, BotProcess, bot_env, free_port, get, post_update, wait_ready
from sqlalchemy import select

import ingest
from bot.service.inbox import UpdateInboxRow
from bot.storage.models import Turn
from bot.storage.store import Storage

pytestmark = pytest.mark.replicas

USERS = 300
FIRST_USER = 2_000_000
QUESTIONS = (
    "How do I become a pharmacy technician?",
    "What is the PTCE exam like?",
    "How do I renew my CPhT?",
)
WEBHOOK_URL = "https://bot.example.org/telegram"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory, store_settings, embeddings):
    """A `chroma run` server with the knowledge base ingested into it once."""
    tmp = tmp_path_factory.mktemp("chroma")
    server = ChromaServer(tmp / "data").start()
    try:
        ingest.run(make_settings(tmp / "ingest", onnx_path=store_settings.onnx_dir(),
                                 **server.settings_overrides()), quiet=True, embeddings=embeddings)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def replica_vector_store(chroma_server, store_settings, tmp_path_factory) -> dict[str, str]:
    """How the replicas reach the knowledge base: the Chroma server, nothing local but the
    model's ONNX export (each machine's own) and an empty CHROMA_PATH."""
    return {"CHROMA_HOST": chroma_server.host, "CHROMA_PORT": str(chroma_server.port),
            "CHROMA_PATH": str(tmp_path_factory.mktemp("no-local-store") / "chroma"),
            "ONNX_PATH": str(store_settings.onnx_dir())}


@pytest.fixture(scope="module")
async def replica_database(postgres_url) -> str:
    """A database of its own on the session's PostgreSQL server, with the schema."""
    server = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(server)
    try:
        await conn.execute("DROP DATABASE IF EXISTS replicas")
        await conn.execute("CREATE DATABASE replicas")
    finally:
        await conn.close()
    url = postgres_url.rsplit("/", 1)[0] + "/replicas"
    storage = Storage(url)
    await storage.init()  # the replicas then start on an up-to-date schema
    await storage.close()
    return url


@dataclass
class Replica:
    process: BotProcess
    base: str
    status: str  # METRICS_PORT: the detailed readiness and /metrics

    @property
    def webhook(self) -> str:
        return f"{self.base}/telegram"


@dataclass
class Cluster:
    stub: BotApiStub
    database_url: str
    replicas: list[Replica]
    env: dict[str, str]
    tmp: Path


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory, replica_database, replica_vector_store):
    tmp = tmp_path_factory.mktemp("replicas")
    stub = BotApiStub()
    await stub.start()
    common = {
        "bot_mode": "webhook", "webhook_secret": SECRET, "webhook_listen": "127.0.0.1",
        "webhook_url": WEBHOOK_URL, "database_url": replica_database, "history_turns": 0,
        "nudge_interval_minutes": 60, "shutdown_grace_seconds": 5,
    }
    replicas = []
    for name in ("replica-a", "replica-b"):
        port, status_port = free_port(), free_port()
        env = bot_env(stub, webhook_port=port, metrics_port=status_port,
                      metrics_listen="127.0.0.1", **common)
        env.update(replica_vector_store)
        replicas.append(Replica(BotProcess(name, env, tmp / name), f"http://127.0.0.1:{port}",
                                f"http://127.0.0.1:{status_port}"))
    try:
        await asyncio.gather(*(r.process.start() for r in replicas))
        await asyncio.gather(*(wait_ready(r.process, r.base) for r in replicas))
        stub.set_webhook(WEBHOOK_URL, secret_token=SECRET, max_connections=40)
        stub.set_webhook_targets([r.webhook for r in replicas])
        yield Cluster(stub, replica_database, replicas, bot_env(stub, **common), tmp)
    finally:
        for replica in replicas:
            replica.process.signal(signal.SIGTERM)
        for replica in replicas:
            try:
                await replica.process.wait(20)
            except TimeoutError:
                pass
            await replica.process.stop()
        await stub.stop()


def answers(stub: BotApiStub, chat_id: int) -> list[str]:
    return [r["text"] for r in stub.sent
            if r["chat_id"] == chat_id and r["method"] == "sendMessage"]


async def test_a_post_without_the_secret_is_refused(cluster):
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "hi",
                                          "chat": {"id": 1, "type": "private"}}}
    for replica in cluster.replicas:
        assert await post_update(replica.webhook, update, None) == 401
        assert await post_update(replica.webhook, update, "not-the-secret") == 401
    status, body = await get(f"{cluster.replicas[0].base}/readyz")
    assert status == 200, body


async def test_a_replica_stays_ready_while_chroma_is_down_and_says_so(cluster, chroma_server):
    """Answers need no Chroma call (everything is read at start): a replica that can answer is
    ready. The internal detail reports the Chroma server's outage; the public port says only
    "ok"."""
    replica = cluster.replicas[-1]
    status, body = await get(f"{replica.base}/readyz")
    assert (status, body.strip()) == (200, "ok")
    chroma_server.stop()
    try:
        await asyncio.sleep(2.5)  # past the cached result
        status, body = await get(f"{replica.status}/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"]["vector_store_server"] != "ok", body
        status, body = await get(f"{replica.base}/readyz")
        assert (status, body.strip()) == (200, "ok")
        cluster.stub.user_message(FIRST_USER - 7, QUESTIONS[0])
        await cluster.stub.wait_for_messages(FIRST_USER - 7, 1, method="sendMessage",
                                             timeout=60)
    finally:
        chroma_server.start()
    deadline = time.monotonic() + 30
    while json.loads((await get(f"{replica.status}/readyz"))[1])["checks"][
            "vector_store_server"] != "ok":
        assert time.monotonic() < deadline, "the detail did not recover after Chroma came back"
        await asyncio.sleep(0.5)


async def test_every_update_answered_once_in_order_with_a_replica_killed(cluster):
    stub = cluster.stub
    replica_a, replica_b = cluster.replicas

    # what each question is answered with (HISTORY_TURNS=0: the same for every user)
    reference: dict[str, list[str]] = {}
    probe = FIRST_USER - 1
    for question in QUESTIONS:
        before = len(answers(stub, probe))
        stub.user_message(probe, question)
        await stub.wait_for_messages(probe, before + 1, method="sendMessage", timeout=60)
        await stub.wait_idle(probe, quiet=0.5)  # a reply may be more than one message
        reference[question] = answers(stub, probe)[before:]
    expected = [text for q in QUESTIONS for text in reference[q]]
    users = range(FIRST_USER, FIRST_USER + USERS)

    started = time.monotonic()
    # two questions per user now, the third once replica A is dead
    update_ids = [stub.user_message(uid, q)["update_id"] for q in QUESTIONS[:2] for uid in users]

    seen = {"index": 0, "count": 0}
    user_set = set(users)

    def answered() -> int:  # incremental: the stub serves from this same event loop
        for record in stub.sent[seen["index"]:]:
            if record["method"] == "sendMessage" and record["chat_id"] in user_set:
                seen["count"] += 1
        seen["index"] = len(stub.sent)
        return seen["count"]

    while answered() < USERS * len(expected) // 3:
        await asyncio.sleep(0.1)
    # mid-load: hold the sends for a moment, so every answer replica A has begun to send has
    # reached the Bot API (as Telegram would deliver a request it has received), then kill A
    stub.hold("sendMessage")
    await asyncio.sleep(2.5)
    replica_a.process.signal(signal.SIGKILL)
    await replica_a.process.wait(10)
    killed_at = time.monotonic()
    stub.release("sendMessage")
    update_ids += [stub.user_message(uid, QUESTIONS[2])["update_id"] for uid in users]

    deadline = time.monotonic() + 300
    while answered() < USERS * len(expected):
        assert time.monotonic() < deadline, (
            f"{answered()} of {USERS * len(expected)} answers after 300 s:\n"
            f"{replica_b.process.tail()}")
        assert replica_b.process.proc.returncode is None, replica_b.process.tail()
        await asyncio.sleep(0.25)
    elapsed = time.monotonic() - started
    await asyncio.sleep(4)  # two sweeps: a duplicate would show up now

    by_chat: dict[int, list[str]] = {}
    for record in stub.sent:
        if record["method"] == "sendMessage" and record["chat_id"] in user_set:
            by_chat.setdefault(record["chat_id"], []).append(record["text"])
    wrong = {uid: by_chat.get(uid) for uid in users if by_chat.get(uid) != expected}
    assert not wrong, f"{len(wrong)} chats answered wrongly, e.g. {next(iter(wrong.items()))}"

    storage = Storage(cluster.database_url)
    try:
        async with storage.session() as s:
            rows = {r.update_id: r for r in (await s.execute(
                select(UpdateInboxRow).where(UpdateInboxRow.update_id.in_(update_ids))
            )).scalars()}
            turns = (await s.execute(
                select(Turn.user_id, Turn.question).where(Turn.user_id.in_(list(users)))
                .order_by(Turn.id))).all()
    finally:
        await storage.close()
    assert set(rows) == set(update_ids)  # every update acknowledged and stored once
    states = Counter(r.state for r in rows.values())
    assert set(states) <= {"done", "unconfirmed"}, states
    handled_by = Counter(r.replica.split(":")[-1] for r in rows.values())
    assert str(replica_a.process.pid) in handled_by and str(replica_b.process.pid) in handled_by
    # handled in order per chat (a re-handled update may repeat its turn, never reorder it)
    asked: dict[int, list[str]] = {}
    for uid, question in turns:
        if not asked.setdefault(uid, []) or asked[uid][-1] != question:
            asked[uid].append(question)
    assert all(asked[uid] == list(QUESTIONS) for uid in users)
    # the stub retried what replica A no longer answered on replica B
    refused = [a for a in stub.webhook_attempts
               if a["target"] == replica_a.webhook and a["time"] > killed_at]
    assert refused and all(a["status"] is None for a in refused)
    print(f"\n{USERS} users x {len(QUESTIONS)} questions in {elapsed:.1f} s; states {dict(states)}"
          f"; handled by {dict(handled_by)}; {len(refused)} attempts refused by the dead replica")


async def test_nudges_dispatched_by_two_processes_at_once_go_out_once(cluster):
    stub = cluster.stub
    now = dt.datetime.now(dt.UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    instant = now + dt.timedelta(days=730)  # far enough that the replicas' own job never sends
    expiration = instant.date() + dt.timedelta(days=30)
    users = range(3_000_000, 3_000_040)
    storage = Storage(cluster.database_url)
    try:
        for uid in users:
            await storage.touch_user(uid, chat_id=uid, first_name="Tess")
            await storage.set_credential(uid, "ptcb-cpht", expiration)
            stub.add_chat(uid)
    finally:
        await storage.close()
    env = dict(cluster.env)
    dispatchers = [await BotProcess(f"dispatch-{i}", env, cluster.tmp / f"dispatch-{i}",
                                    "nudges", "dispatch", "--now", instant.isoformat()).start()
                   for i in range(2)]
    try:
        codes = await asyncio.gather(*(d.wait(120) for d in dispatchers))
    finally:
        for d in dispatchers:
            await d.stop()
    assert codes == [0, 0], "\n".join(d.tail() for d in dispatchers)
    nudged = Counter(r["chat_id"] for r in stub.sent
                     if r["method"] == "sendMessage" and r["chat_id"] in users)
    assert nudged == {uid: 1 for uid in users}
