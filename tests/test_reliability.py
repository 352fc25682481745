"""Nothing lost, nothing leaked: /forget confirmations expire, a button on a message Telegram no
longer has still completes its action, polling blips are one warning line, and the token never
reaches the output of any entry point. Real bot, real Bot API stub over HTTP, real SQLite."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from types import SimpleNamespace

from botapi_stub import BotApiStub
from conftest import ROOT
from e2e_support import TOKEN, running_bot
from telegram.error import NetworkError, TimedOut

from bot.answers import templates
from bot.telegram import app as telegram_app
from bot.telegram.handlers import forget

T = 30


async def _forget_prompt(stub, user: int) -> dict:
    stub.mark()
    stub.user_message(user, "/forget")
    (confirm,) = await stub.wait_for_messages(user, 1, timeout=T, method="sendMessage")
    assert confirm["plain_text"] == templates.FORGET_CONFIRM
    return confirm


async def test_an_old_forget_confirmation_expires_and_deletes_nothing(tmp_path, replier,
                                                                       monkeypatch):
    user = 9101
    async with running_bot(tmp_path, replier) as rb:
        stub, storage = rb.stub, rb.storage
        await storage.touch_user(user, chat_id=user, first_name="A")
        await storage.update_profile(user, state="TX")
        confirm = await _forget_prompt(stub, user)
        monkeypatch.setattr(forget, "FORGET_CONFIRM_SECONDS", -1)  # the tap comes late
        stub.mark()
        stub.press_button_text(user, confirm, "Yes, delete everything")
        edited = await stub.wait_for(
            lambda r: r["chat_id"] == user and r["method"] == "editMessageText", timeout=T)
        assert edited["plain_text"] == templates.FORGET_EXPIRED
        kept = await storage.get_user(user)
        assert kept is not None and kept.state == "TX"


async def test_a_button_on_a_vanished_message_still_completes_its_action(tmp_path, replier):
    user = 9102
    async with running_bot(tmp_path, replier) as rb:
        stub, storage = rb.stub, rb.storage
        await storage.touch_user(user, chat_id=user, first_name="B")
        confirm = await _forget_prompt(stub, user)
        stub.inject_error("editMessageText", 400,
                          description="Bad Request: message to edit not found")
        stub.mark()
        stub.press_button_text(user, confirm, "Yes, delete everything")
        sent = await stub.wait_for(
            lambda r: r["chat_id"] == user and r["method"] == "sendMessage", timeout=T)
        assert sent["plain_text"] == templates.FORGET_DONE  # not the apology
        await stub.wait_idle(user, timeout=T)
        texts = [r["plain_text"] for r in stub.since_mark(user) if r["method"] == "sendMessage"]
        assert templates.APOLOGY not in texts
        assert await storage.get_user(user) is None


async def test_polling_blips_are_one_warning_line_each(caplog):
    caplog.set_level(logging.INFO, logger="bot.telegram.app")
    for error in (NetworkError("Bad Gateway"), TimedOut()):
        await telegram_app.on_error(None, SimpleNamespace(error=error))
    records = [r for r in caplog.records if r.name == "bot.telegram.app"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    assert all(r.exc_info is None for r in records)
    assert "Bad Gateway" in records[0].getMessage() and "retrying" in records[0].getMessage()


async def test_a_rejected_token_never_reaches_stderr(store_settings):
    """A typo in TELEGRAM_BASE_URL: the Bot API answers 404, python-telegram-bot raises
    InvalidToken with the token in its message; the bot exits 2 and prints it nowhere."""
    stub = BotApiStub()
    await stub.start()
    try:
        env = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_PATH"}
        env.update(
            CHROMA_PATH=str(store_settings.chroma_path), TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=stub.base_url.replace("/bot", "/typo/bot"), HF_HUB_OFFLINE="1",
            DATABASE_URL=f"sqlite+aiosqlite:///{store_settings.chroma_path.parent / 'tok.db'}",
        )
        done = await _run(env)
    finally:
        await stub.stop()
    output = done.stdout + done.stderr
    assert done.returncode == 2, output[-2000:]
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "rejected the token" in done.stderr


async def test_nudges_dispatch_redacts_the_token(tmp_path):
    """A nudge is due, and the Bot API rejects the token: the dispatcher's output (DEBUG logs
    and any traceback) never shows it."""
    import datetime as dt

    from bot.storage.store import Storage

    url = f"sqlite+aiosqlite:///{tmp_path / 'n.db'}"
    storage = Storage(url)
    await storage.init()
    await storage.touch_user(9201, chat_id=9201, first_name="N")
    await storage.set_credential(9201, "ptcb-cpht", dt.date(2027, 1, 31))
    await storage.close()
    stub = BotApiStub()
    await stub.start()
    try:
        env = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_PATH"}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, DATABASE_URL=url, LOG_LEVEL="DEBUG",
                   TELEGRAM_BASE_URL=stub.base_url.replace("/bot", "/typo/bot"))
        done = await _run(env, ["nudges", "dispatch", "--now", "2027-01-01T18:00:00Z"])
    finally:
        await stub.stop()
    output = done.stdout + done.stderr
    assert done.returncode == 2 and "rejected the token" in done.stderr, output[-1500:]
    assert TOKEN.split(":")[1] not in output, output[-1500:]


async def _run(env: dict, args: list[str] | None = None) -> subprocess.CompletedProcess:
    import asyncio

    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot", *(args or [])], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )
