"""The webhook inbox under faults (issue 18, items 2, 4, 7, 9, 14 and 15): a chat lock lost with
its PostgreSQL backend, payloads kept after handling, an update that hangs, a handler that
fails, the oldest chats swept first.

Faults are injected at the boundary: ``pg_terminate_backend`` on the real PostgreSQL, the Bot
API stub holding or failing a method. The inbox and the Application are the real ones.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
from conftest import make_settings, open_empty_storage
from e2e_support import TOKEN
from sqlalchemy import select
from telegram import Bot
from test_webhook import QUESTIONS, settled_rows, webhook_service

from bot.service.inbox import Inbox, UpdateInboxRow
from bot.storage.store import Storage
from bot.telegram import metrics
from bot.telegram.bot_api import BotApiRequest
from bot.telegram.sending import TOO_LONG


def updates_metric(outcome: str) -> float:
    return metrics.UPDATES.labels(outcome=outcome)._value.get()


async def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


# --- item 2: a lost chat lock -----------------------------------------------------------------


async def test_a_replica_that_lost_its_chat_lock_does_not_answer_too(postgres_url, stub):
    """Replica A handles an update; its lock connection's backend is terminated, so replica B
    takes the chat over and answers. When A's handler gets to its send, it is refused (the row
    is no longer A's): the user gets one answer, not two."""
    chat = 4242
    stub.add_chat(chat)
    storage_a = await open_empty_storage(postgres_url)
    storage_b = Storage(postgres_url)
    bot = Bot(TOKEN, base_url=stub.base_url, base_file_url=stub.base_file_url,
              request=BotApiRequest())
    gate, started = asyncio.Event(), asyncio.Event()

    async def handle_a(payload: dict) -> None:
        started.set()
        await gate.wait()
        await bot.send_message(chat, "answer from a")

    async def handle_b(payload: dict) -> None:
        await bot.send_message(chat, "answer from b")

    replica_a = Inbox(storage_a, handle_a, workers=2, replica="a")
    replica_b = Inbox(storage_b, handle_b, workers=2, replica="b")
    server = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://",
                                                        "postgresql://"))
    try:
        async with bot:
            update = stub.user_message(chat, "hi")
            await replica_a.accept(update["update_id"], chat, update)
            await asyncio.wait_for(started.wait(), 20)
            killed = await server.fetchval(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid = $1 AND granted", chat)
            assert killed
            for _ in range(200):  # the server drops the lock with the backend
                await replica_b.sweep(dt.timedelta(0))
                if [r for r in stub.sent if r["chat_id"] == chat]:
                    break
                await asyncio.sleep(0.05)
            await wait_until(lambda: replica_b.draining == 0)
            before = updates_metric("lost")
            gate.set()
            await wait_until(lambda: replica_a.draining == 0)
            assert updates_metric("lost") == before + 1
        texts = [r["text"] for r in stub.sent if r["chat_id"] == chat]
        assert texts == ["answer from b"]
        async with storage_b.session() as s:
            row = (await s.execute(select(UpdateInboxRow))).scalar_one()
        assert (row.state, row.replica) == ("done", "b")
    finally:
        await server.close()
        await replica_a.stop(1)
        await replica_b.stop(1)
        await storage_a.close()
        await storage_b.close()


# --- item 4: a handled update keeps no text --------------------------------------------------


async def test_handled_rows_keep_no_text_in_private_chats_or_groups(tmp_path, replier, stub):
    async with webhook_service(tmp_path, replier, stub) as (service, _base):
        stub.user_message(5101, "/help")
        stub.user_message(5102, "anyone here work nights at cvs", chat_id=-1005100,
                          chat_type="supergroup", username="nightowl")
        await stub.wait_for_messages(5101, 1)
        rows = await settled_rows(service.storage)
        await asyncio.sleep(0.3)
        rows = await settled_rows(service.storage)
        assert len(rows) == 2
        assert all(r.payload == {} for r in rows.values()), [r.payload for r in rows.values()]


# --- items 7 and 9: an update that hangs, a handler that fails -------------------------------


async def test_an_update_that_hangs_is_given_up_told_settled_failed_and_counted(
        tmp_path, replier, stub):
    async with webhook_service(tmp_path, replier, stub, update_timeout_seconds=2) as (
            service, _base):
        before = updates_metric("timeout")
        stub.hold("sendMessage")
        stub.user_message(5201, QUESTIONS[0])
        await wait_until(lambda: stub.held("sendMessage") == 1)
        await wait_until(lambda: stub.held("sendMessage") == 2, timeout=10)  # the note
        stub.release("sendMessage")
        note = await stub.wait_for(lambda r: r["chat_id"] == 5201 and r["text"] == TOO_LONG)
        assert note
        rows = await settled_rows(service.storage)
        assert [r.state for r in rows.values()] == ["failed"]
        assert updates_metric("timeout") == before + 1
        stub.mark()  # the chat is free again
        stub.user_message(5201, "/help")
        await stub.wait_for_messages(5201, 1, method="sendMessage")


async def test_a_handler_that_fails_is_counted_failed_not_handled(tmp_path, replier, stub):
    async with webhook_service(tmp_path, replier, stub) as (service, _base):
        failed, handled = updates_metric("failed"), updates_metric("handled")
        stub.inject_error("sendMessage", 400, count=10, description="Bad Request: chat not found")
        stub.user_message(5301, "/help")
        await wait_until(lambda: stub.pending_injections("sendMessage") < 10)
        rows = await settled_rows(service.storage)
        assert [r.state for r in rows.values()] == ["failed"]
        assert updates_metric("failed") == failed + 1
        assert updates_metric("handled") == handled


# --- item 15: the sweeper takes the oldest chats first ---------------------------------------


async def test_the_sweeper_takes_the_oldest_chats_first(tmp_path):
    storage = Storage(make_settings(tmp_path).database_url)
    await storage.init()
    now = dt.datetime.now(dt.UTC)
    async with storage.session() as s:
        s.add_all([UpdateInboxRow(update_id=uid, chat_id=uid, payload={"update_id": uid},
                                  received_at=now - dt.timedelta(minutes=uid), state="pending",
                                  attempts=0) for uid in range(1, 31)])
    handled: list[int] = []

    async def handle(payload: dict) -> None:
        handled.append(payload["update_id"])

    inbox = Inbox(storage, handle, workers=1)
    try:
        assert await inbox.sweep(dt.timedelta(0), limit=5) == 5
        await wait_until(lambda: inbox.draining == 0)
        assert sorted(handled) == [26, 27, 28, 29, 30]  # received longest ago
    finally:
        await inbox.stop(1)
        await storage.close()


# --- item 14: back to polling: open rows reported, settled rows pruned -----------------------


async def test_webhook_delete_reports_open_rows_and_polling_prunes_settled_ones(tmp_path, stub,
                                                                                replier):
    import sys

    from e2e_support import running_bot
    from service_support import bot_env

    from bot.cli.polling import schedule_inbox_prune

    url = f"sqlite+aiosqlite:///{tmp_path / 'pathway.db'}"
    storage = Storage(url)
    await storage.init()
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
    async with storage.session() as s:
        s.add_all([UpdateInboxRow(update_id=uid, chat_id=9, payload={}, received_at=old,
                                  state=state, attempts=1) for uid, state in
                   ((1, "pending"), (2, "done"), (3, "failed"))])
    await storage.close()
    env = bot_env(stub, database_url=url)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "webhook", "delete", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await asyncio.wait_for(proc.communicate(), 60))[0].decode()
    assert proc.returncode == 0, out
    assert "inbox: 1 update(s) received by webhook are not handled yet" in out, out

    async with running_bot(tmp_path, replier) as rb:  # polling, on the same database
        schedule_inbox_prune(rb.app, rb.settings)
        (job,) = rb.app.job_queue.get_jobs_by_name("inbox-prune")
        await job.run(rb.app)
        async with rb.storage.session() as s:
            left = list((await s.execute(select(UpdateInboxRow.update_id))).scalars())
    assert left == [1]


async def test_polling_mode_gives_up_an_update_that_hangs_too(tmp_path, replier):
    from e2e_support import running_bot

    async with running_bot(tmp_path, replier, update_timeout_seconds=2) as rb:
        stub = rb.stub
        before = updates_metric("timeout")
        stub.hold("sendMessage")
        stub.user_message(5401, "/help")
        await wait_until(lambda: stub.held("sendMessage") == 2, timeout=15)  # help, then note
        stub.release("sendMessage")
        await stub.wait_for(lambda r: r["chat_id"] == 5401 and r["text"] == TOO_LONG)
        assert updates_metric("timeout") == before + 1
        stub.mark()  # the chat is free again
        stub.user_message(5401, "/help")
        await stub.wait_for_messages(5401, 1, method="sendMessage")
