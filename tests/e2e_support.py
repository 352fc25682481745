"""Running the real bot Application against the local Bot API stub, for end-to-end tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from botapi_stub import BotApiStub
from conftest import make_settings

from bot.storage.store import Storage
from bot.telegram.app import build_application, startup

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"


@dataclass
class RunningBot:
    stub: BotApiStub
    app: object
    storage: Storage
    settings: object


@contextlib.asynccontextmanager
async def running_bot(tmp: Path, replier, **overrides) -> AsyncIterator[RunningBot]:
    stub = BotApiStub()
    await stub.start()
    settings = make_settings(
        tmp,
        chroma_path=replier.retriever.settings.chroma_path,
        telegram_bot_token=TOKEN,
        telegram_base_url=stub.base_url,
        telegram_base_file_url=stub.base_file_url,
        **overrides,
    )
    storage = Storage(settings.database_url)
    app = build_application(settings, replier, storage)
    await app.initialize()
    await startup(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=["message",
                                    "edited_message", "callback_query", "my_chat_member"])
    try:
        yield RunningBot(stub, app, storage, settings)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await storage.close()
        await stub.stop()
