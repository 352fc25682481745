"""Webhook mode on one replica: the real ASGI app and inbox on SQLite, the real Application and
model, the Bot API stub delivering (or the test POSTing) over real HTTP; and the graceful stop
on SIGTERM of real `python -m bot` processes in both modes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import signal
import sys
from pathlib import Path

import pytest
from conftest import make_settings
from service_support import (
    SECRET,
    TOKEN,
    BotProcess,
    bot_env,
    free_port,
    get,
    post_update,
    wait_ready,
)
from sqlalchemy import select

from bot.service.inbox import PROCESSING, Inbox, UpdateInboxRow, advisory_key
from bot.service.web import Readiness, WebhookService
from bot.storage.models import AskedQuestion, Turn
from bot.storage.store import Storage
from bot.telegram.limits import QuestionRateLimiter, SharedQuestionLimiter, asker_key

QUESTIONS = (
    "How do I become a pharmacy technician?",
    "What is the PTCE exam like?",
    "How do I renew my CPhT?",
    "What does a hospital pharmacy technician do?",
    "How much do pharmacy technicians make?",
)


@contextlib.asynccontextmanager
async def webhook_service(tmp: Path, replier, stub, *, deliver: bool = True, **overrides):
    settings = make_settings(
        tmp, chroma_path=replier.retriever.settings.chroma_path, telegram_bot_token=TOKEN,
        telegram_base_url=stub.base_url, telegram_base_file_url=stub.base_file_url,
        bot_mode="webhook", webhook_secret=SECRET, webhook_listen="127.0.0.1", webhook_port=0,
        webhook_url="https://bot.example.org/telegram", shutdown_grace_seconds=10,
        metrics_port=free_port(), metrics_listen="127.0.0.1", **overrides)
    service = WebhookService(settings, replier, Storage(settings.database_url))
    await service.start()
    base = f"http://127.0.0.1:{service.port}"
    if deliver:
        stub.set_webhook("https://bot.example.org/telegram", secret_token=SECRET)
        stub.set_webhook_targets([f"{base}/telegram"])
    try:
        yield service, base
    finally:
        await service.stop()


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text page (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    key = f"{name}{{{want}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(key + " "):
            return float(line.split()[-1])
    return 0.0


async def inbox_rows(storage: Storage) -> dict[int, UpdateInboxRow]:
    async with storage.session() as s:
        return {r.update_id: r for r in (await s.execute(select(UpdateInboxRow))).scalars()}


async def settled_rows(storage: Storage, timeout: float = 10) -> dict[int, UpdateInboxRow]:
    """The inbox once no row is open (an answer is sent just before its row is settled)."""
    for _ in range(int(timeout / 0.1)):
        rows = await inbox_rows(storage)
        if all(r.state not in ("pending", PROCESSING) for r in rows.values()):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"open rows left: {rows}")


async def test_a_post_without_the_secret_gets_401(tmp_path, replier, stub):
    async with webhook_service(tmp_path, replier, stub, deliver=False) as (service, base):
        update = stub.user_message(501, "/help")
        assert await post_update(f"{base}/telegram", update, None) == 401
        assert await post_update(f"{base}/telegram", update, "wrong-secret") == 401
        assert await post_update(f"{base}/telegram", update, SECRET[:-1]) == 401
        assert await inbox_rows(service.storage) == {}
        assert await post_update(f"{base}/telegram", update, SECRET) == 200
        await stub.wait_for_messages(501, 1)
        assert await post_update(f"{base}/telegram", {"no": "update"}, SECRET) == 400


def status_base(service: WebhookService) -> str:
    """The internal METRICS_PORT: the detailed readiness and /metrics."""
    return f"http://127.0.0.1:{service.status_port}"


async def test_a_redelivered_update_is_handled_once(tmp_path, replier, stub):
    """Telegram redelivers an update whose 200 it did not get: the copy is acknowledged and
    skipped, even when both copies arrive at once."""
    async with webhook_service(tmp_path, replier, stub, deliver=False) as (service, base):
        _, before = await get(f"{status_base(service)}/metrics")
        update = stub.user_message(502, QUESTIONS[0])
        statuses = await asyncio.gather(*(post_update(f"{base}/telegram", update, SECRET)
                                          for _ in range(3)))
        assert statuses == [200, 200, 200]
        await stub.wait_for_messages(502, 1, method="sendMessage")
        await asyncio.sleep(1.0)
        assert await post_update(f"{base}/telegram", update, SECRET) == 200  # later, too
        await asyncio.sleep(0.5)
        assert len([r for r in stub.sent if r["chat_id"] == 502]) == 1
        rows = await settled_rows(service.storage)
        assert rows[update["update_id"]].state == "done"
        _, after = await get(f"{status_base(service)}/metrics")
        assert (metric(after, "pathway_updates_total", outcome="duplicate")
                - metric(before, "pathway_updates_total", outcome="duplicate")) == 3


async def test_updates_of_a_chat_in_order_and_a_busy_chat_delays_no_other(tmp_path, replier,
                                                                          stub):
    async with webhook_service(tmp_path, replier, stub) as (service, _base):
        for question in QUESTIONS:
            stub.user_message(601, question)
        stub.user_message(602, "/help")
        await stub.wait_for_messages(602, 1)
        answered_601 = len([r for r in stub.sent if r["chat_id"] == 601
                            and r["method"] == "sendMessage"])
        assert answered_601 < len(QUESTIONS)  # /help of chat 602 did not wait for all five
        await stub.wait_for_messages(601, len(QUESTIONS), method="sendMessage", timeout=60)
        async with service.storage.session() as s:
            asked = list((await s.execute(
                select(Turn.question).where(Turn.user_id == 601).order_by(Turn.id))).scalars())
        assert asked == list(QUESTIONS)
        assert all(r.state == "done" for r in (await settled_rows(service.storage)).values())


async def test_health_readiness_and_metrics(tmp_path, replier, stub):
    async with webhook_service(tmp_path, replier, stub) as (service, base):
        status, body = await get(f"{base}/healthz")
        assert (status, body.strip()) == (200, "ok")
        status, body = await get(f"{base}/readyz")
        assert (status, body.strip()) == (200, "ok")  # the public port: no details
        status, _ = await get(f"{base}/metrics")
        assert status in (404, 405)  # /metrics is internal only
        status, body = await get(f"{status_base(service)}/readyz")
        assert status == 200, body
        assert json.loads(body) == {"ready": True, "checks": {
            "database": "ok", "knowledge": "ok", "model": "ok", "vector_store_server": "ok"}}
        _, before = await get(f"{status_base(service)}/metrics")
        stub.inject_error("sendMessage", 502)  # the send path retries it
        stub.user_message(701, QUESTIONS[1])
        await stub.wait_for_messages(701, 1, method="sendMessage", timeout=30)
        await settled_rows(service.storage)
        _, after = await get(f"{status_base(service)}/metrics")
    for name in ("pathway_answers_total", "pathway_answer_latency_seconds",
                 "pathway_updates_total", "pathway_nudges_total",
                 "pathway_bot_api_errors_total", "pathway_webhook_requests_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in after, name

    def delta(name: str, **labels: str) -> float:
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert delta("pathway_answers_total", kind="answer") == 1
    assert delta("pathway_answer_latency_seconds_count") == 1
    assert delta("pathway_updates_total", outcome="handled") == 1
    assert delta("pathway_bot_api_errors_total", method="sendMessage", code="502") == 1
    assert delta("pathway_webhook_requests_total", status="200") == 1


async def test_readiness_fails_while_the_database_is_unreachable(replier):
    storage = Storage("postgresql+asyncpg://nobody@127.0.0.1:9/none")
    try:
        ready, checks = await Readiness(storage, replier).check()
    finally:
        await storage.close()
    assert not ready
    assert checks["database"] != "ok" and checks["knowledge"] == "ok"


async def test_updates_left_by_a_dead_replica_are_recovered_once(tmp_path, replier, stub):
    """Rows a replica acknowledged and then died on: a pending one is handled; one that was
    being handled and had not sent anything is handled again; one that had sent something is
    not (it may have been delivered): marked unconfirmed."""
    settings = make_settings(tmp_path)
    storage = Storage(settings.database_url)
    await storage.init()
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
    pending = stub.user_message(801, QUESTIONS[0])
    started = stub.user_message(802, QUESTIONS[1])
    sent = stub.user_message(803, QUESTIONS[2])
    async with storage.session() as s:
        s.add_all([
            UpdateInboxRow(update_id=pending["update_id"], chat_id=801, payload=pending,
                           received_at=now, state="pending", attempts=0),
            UpdateInboxRow(update_id=started["update_id"], chat_id=802, payload=started,
                           received_at=now, state=PROCESSING, attempts=1),
            UpdateInboxRow(update_id=sent["update_id"], chat_id=803, payload=sent,
                           received_at=now, state=PROCESSING, attempts=1, sent_at=now),
        ])
    await storage.close()
    async with webhook_service(tmp_path, replier, stub, deliver=False) as (service, _):
        await stub.wait_for_messages(801, 1, method="sendMessage")
        await stub.wait_for_messages(802, 1, method="sendMessage")
        rows = await settled_rows(service.storage)
        assert {uid: r.state for uid, r in rows.items()} == {
            pending["update_id"]: "done", started["update_id"]: "done",
            sent["update_id"]: "unconfirmed"}
        assert not [r for r in stub.sent if r["chat_id"] == 803]


async def test_handled_updates_are_pruned_after_the_keep_time(tmp_path):
    storage = Storage(make_settings(tmp_path).database_url)
    await storage.init()
    now = dt.datetime.now(dt.UTC)
    old, new = now - dt.timedelta(hours=25), now - dt.timedelta(hours=1)
    rows = {1: ("done", old), 2: ("unconfirmed", old), 3: ("failed", old), 4: ("pending", old),
            5: (PROCESSING, old), 6: ("done", new)}
    async with storage.session() as s:
        s.add_all([UpdateInboxRow(update_id=uid, chat_id=1, payload={"update_id": uid},
                                  received_at=at, state=state, attempts=0)
                   for uid, (state, at) in rows.items()])
    inbox = Inbox(storage, None, keep=dt.timedelta(hours=24))
    try:
        assert await inbox.prune() == 3
        assert sorted(await inbox_rows(storage)) == [4, 5, 6]  # open rows are never pruned
    finally:
        await inbox.locks.close()
        await storage.close()


async def test_the_question_limit_holds_across_replicas(tmp_path):
    """Two replicas' limiters on one database: questions admitted by either count for both;
    questions older than a minute do not; /forget (which deletes the user's turns) does not
    reset the count."""
    storage = Storage(make_settings(tmp_path).database_url)
    await storage.init()
    replica_a = SharedQuestionLimiter(storage, QuestionRateLimiter(limit=3))
    replica_b = SharedQuestionLimiter(storage, QuestionRateLimiter(limit=3))
    try:
        await storage.touch_user(41)
        async with storage.session() as s:
            s.add(AskedQuestion(asker=asker_key(41),
                                asked_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)))
        for limiter in (replica_a, replica_b, replica_a):
            assert await limiter.admit(41) == (True, False)
            await storage.add_turn(41, "q", "answer", [], [])
        await storage.forget(41)
        replica_b.forget(41)
        assert await replica_b.admit(41) == (False, True)  # told once...
        assert await replica_b.admit(41) == (False, False)  # ...then silence
        assert await replica_a.admit(42) == (True, False)  # per user
        async with storage.session() as s:  # a hash, not the user id
            askers = set((await s.execute(select(AskedQuestion.asker))).scalars())
        assert askers == {asker_key(41), asker_key(42)}
    finally:
        await storage.close()


def test_advisory_lock_keys_are_the_chat_ids_64_bits():
    chats = [0, 1, -1, 2**31, 2**32 + 5, 7_000_000_000, -1_001_234_567_890, 2**63 - 1, -2**63]
    keys = [advisory_key(c) for c in chats]
    assert len(set(keys)) == len(chats)
    assert all(-2**31 <= k < 2**31 for pair in keys for k in pair)
    assert advisory_key(5) == (0, 5) and advisory_key(-1) == (-1, -1)


async def test_webhook_set_info_and_delete_commands(tmp_path, stub):
    env = bot_env(stub, webhook_url="https://bot.example.org/hook", webhook_secret=SECRET,
                  webhook_max_connections=12)

    async def cli(*args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "webhook", *args, cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        return proc.returncode, out.decode()

    code, out = await cli("set")
    assert code == 0, out
    assert stub.webhook == {"url": "https://bot.example.org/hook", "secret_token": SECRET,
                            "allowed_updates": ["message", "edited_message", "callback_query",
                                                "my_chat_member"],
                            "max_connections": 12}
    assert "url: https://bot.example.org/hook" in out
    code, out = await cli("info")
    assert code == 0 and "pending updates: 0" in out, out
    code, out = await cli("delete")
    assert code == 0, out
    assert stub.webhook is None
    env["WEBHOOK_SECRET"] = "not allowed!"
    code, out = await cli("set")
    assert code == 2 and "WEBHOOK_SECRET" in out


async def test_sigterm_in_webhook_mode_finishes_the_update_in_hand(tmp_path, store_settings,
                                                                   stub):
    """SIGTERM while an answer is being sent: new POSTs get 503, the answer goes out, its
    update is settled, and the process exits 0."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = bot_env(stub, bot_mode="webhook", webhook_secret=SECRET, webhook_listen="127.0.0.1",
                  webhook_port=port, webhook_url="https://bot.example.org/telegram",
                  chroma_path=store_settings.chroma_path,
                  database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    bot = await BotProcess("webhook", env, tmp_path).start()
    try:
        await wait_ready(bot, base)
        stub.set_webhook("https://bot.example.org/telegram", secret_token=SECRET)
        stub.set_webhook_targets([f"{base}/telegram"])
        stub.hold("sendMessage")
        stub.user_message(901, QUESTIONS[3])
        for _ in range(300):
            if stub.held("sendMessage"):
                break
            await asyncio.sleep(0.05)
        assert stub.held("sendMessage") == 1, bot.tail()
        bot.signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert await post_update(f"{base}/telegram", stub.user_message(902, "/help"),
                                 SECRET) == 503
        status, _ = await get(f"{base}/readyz")
        assert status == 503
        stub.release("sendMessage")
        assert await bot.wait(30) == 0, bot.tail()
    finally:
        stub.release("sendMessage")
        await bot.stop()
    assert len([r for r in stub.sent if r["chat_id"] == 901]) == 1
    storage = Storage(env["DATABASE_URL"])
    try:
        states = {r.chat_id: r.state for r in (await inbox_rows(storage)).values()}
    finally:
        await storage.close()
    assert states[901] == "done"
    assert "stopped" in bot.log_text()


async def test_sigterm_in_polling_mode_finishes_the_update_in_hand(tmp_path, store_settings,
                                                                   stub):
    """Polling with METRICS_PORT: the status endpoints answer; SIGTERM while an answer is
    being sent lets it go out, then the process exits 0."""
    port = free_port()
    env = bot_env(stub, metrics_port=port, metrics_listen="127.0.0.1",
                  chroma_path=store_settings.chroma_path,
                  database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    bot = await BotProcess("polling", env, tmp_path).start()
    try:
        await wait_ready(bot, f"http://127.0.0.1:{port}")
        status, body = await get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "pathway_answers_total" in body
        stub.hold("sendMessage")
        stub.user_message(951, QUESTIONS[4])
        for _ in range(300):
            if stub.held("sendMessage"):
                break
            await asyncio.sleep(0.05)
        assert stub.held("sendMessage") == 1, bot.tail()
        bot.signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        stub.release("sendMessage")
        assert await bot.wait(30) == 0, bot.tail()
    finally:
        stub.release("sendMessage")
        await bot.stop()
    assert len([r for r in stub.sent if r["chat_id"] == 951]) == 1


def daytime_zone() -> str:
    """A time zone where it is not quiet hours now, so a due nudge is sent at once."""
    from bot.ce.timing import in_quiet_hours

    now = dt.datetime.now(dt.UTC)
    zones = ("America/New_York", "Europe/London", "Asia/Kolkata", "Asia/Tokyo",
             "Australia/Sydney", "America/Los_Angeles", "Pacific/Honolulu")
    return next(z for z in zones if not in_quiet_hours(now + dt.timedelta(minutes=2), z))


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_sigterm_during_a_nudge_send_exits_within_the_shutdown_grace(
        mode, tmp_path, store_settings, stub):
    """Issue 18, item 6: SIGTERM while the nudge tick's send waits out Telegram's flood
    control (the stub answers 429 with retry_after 60, and the rate limiter sleeps before it
    retries). The process does not wait for the send (up to two minutes with retries): it
    cancels the tick once SHUTDOWN_GRACE_SECONDS have passed and exits 0. The nudge stays
    "sending" (never sent twice) and nothing reached the user."""
    from test_nudges import add_user, claims

    database_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    storage = Storage(database_url)
    try:
        await storage.init()
        await add_user(storage, stub, 961, expiration=dt.date.today() + dt.timedelta(days=20),
                       tz=daytime_zone())
    finally:
        await storage.close()
    port = free_port()
    settings: dict[str, object] = {"shutdown_grace_seconds": 3, "metrics_port": port,
                                   "metrics_listen": "127.0.0.1"}
    if mode == "webhook":
        settings.update(bot_mode="webhook", webhook_secret=SECRET, webhook_listen="127.0.0.1",
                        webhook_port=free_port(), webhook_url="https://bot.example.org/telegram")
    env = bot_env(stub, chroma_path=store_settings.chroma_path, database_url=database_url,
                  **settings)
    stub.inject_error("sendMessage", 429, count=5, retry_after=60)
    bot = await BotProcess(f"nudge-{mode}", env, tmp_path).start()
    try:
        await wait_ready(bot, f"http://127.0.0.1:{port}")
        for _ in range(600):  # the first tick runs about 10 s after the start
            if stub.pending_injections("sendMessage") < 5:
                break
            await asyncio.sleep(0.05)
        assert stub.pending_injections("sendMessage") == 4, bot.tail()
        await asyncio.sleep(1)
        bot.signal(signal.SIGTERM)
        started = asyncio.get_running_loop().time()
        assert await bot.wait(20) == 0, bot.tail()
        assert asyncio.get_running_loop().time() - started < 15
    finally:
        await bot.stop()
    assert "the nudge tick outlasted the shutdown grace" in bot.log_text(), bot.tail()
    assert [r for r in stub.sent if r["chat_id"] == 961] == []
    storage = Storage(database_url)
    try:
        assert set((await claims(storage, 961)).values()) == {"sending"}
    finally:
        await storage.close()
