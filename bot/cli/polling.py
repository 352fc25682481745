"""Polling mode (``python -m bot`` without BOT_MODE=webhook): the Application fetches its own
updates; with METRICS_PORT set, the status endpoints are served beside it.

Without TELEGRAM_BOT_TOKEN the same Application polls the local Telegram instead
(:mod:`bot.local`): ``run_local`` serves the chat page, ``python -m bot chat`` the terminal
chat. The same ``build_application``, handlers, storage, job queue and nudges; only the Bot
API's address and token differ.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
import sys
import threading
from dataclasses import dataclass
from typing import Self

from pydantic import SecretStr
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application

from bot.local.server import BindRefused, LocalTelegram
from bot.settings import Settings
from bot.storage.store import Storage
from bot.telegram import nudges
from bot.telegram.app import ALLOWED_UPDATES, build_application, shutdown, startup
from bot.telegram.redaction import install_token_redaction

log = logging.getLogger(__name__)


def schedule_inbox_prune(application, settings: Settings) -> None:
    """Polling mode prunes the webhook inbox too: rows left from webhook mode (settled ones
    older than INBOX_KEEP_HOURS) are deleted, as the replicas' sweeper would."""
    import datetime as dt

    from bot.service.inbox import PRUNE_EVERY, prune_settled

    async def prune(context) -> None:
        pruned = await prune_settled(context.application.bot_data["services"].storage,
                                     dt.timedelta(hours=settings.inbox_keep_hours))
        if pruned:
            log.info("inbox: pruned %d handled update(s) left from webhook mode", pruned)

    application.job_queue.run_repeating(prune, interval=PRUNE_EVERY, first=60,
                                        name="inbox-prune")


def stop_nudges_on_signal(application, grace_seconds: float) -> None:
    """SIGTERM/SIGINT also tell a running nudge tick to stop before its next nudge (then the
    Application stops as python-telegram-bot's own handler would, with ``stop_running``).
    The wait for that tick is bounded by ``grace_seconds`` (SHUTDOWN_GRACE_SECONDS): a tick
    still running then is cancelled, and a nudge cut mid-send stays "sending", never sent
    twice (the webhook mode's equivalent is ``WebhookService._stop_application``)."""
    import asyncio
    import signal

    started_hook = application.post_init

    async def post_init(app) -> None:
        if started_hook is not None:
            await started_hook(app)
        services = app.bot_data["services"]

        def cancel_late_tick() -> None:
            task = services.nudge_task
            if task is not None and not task.done():
                log.warning("stopping: the nudge tick outlasted the shutdown grace; cancelled")
                task.cancel()

        def on_signal() -> None:
            first = not services.nudge_stop.is_set()
            services.nudge_stop.set()
            app.stop_running()
            if first:
                loop.call_later(grace_seconds, cancel_late_tick)

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, on_signal)
            except (NotImplementedError, RuntimeError):  # no signals here: PTB's own stay
                return

    application.post_init = post_init


def run_polling(settings: Settings) -> int:
    from bot.answers.engine import load_replier
    from bot.answers.errors import StoreMissingError

    token = settings.telegram_bot_token.get_secret_value()
    install_token_redaction(token)
    try:
        replier = load_replier(settings)
    except StoreMissingError as exc:
        log.error("%s", exc)
        return 2
    application = build_application(settings, replier, Storage(settings.database_url))
    schedule_inbox_prune(application, settings)
    stop_nudges_on_signal(application, settings.shutdown_grace_seconds)
    if settings.metrics_port:
        from bot.service.web import attach_status_server

        attach_status_server(application, settings)
    try:
        # SIGTERM/SIGINT: stop fetching, finish the updates in hand, shut down, return 0
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        log.error("the Bot API rejected the token: check TELEGRAM_BOT_TOKEN and "
                  "TELEGRAM_BASE_URL (%s)", settings.telegram_base_url.replace(token, "[token]"))
        return 2
    return 0


# --- the local Telegram ----------------------------------------------------------------------


@dataclass
class LocalBot:
    """The local Telegram server and the real Application polling it."""

    server: LocalTelegram
    application: Application
    storage: Storage


def local_server(settings: Settings, port: int | None = None) -> LocalTelegram:
    """The local Telegram at LOCAL_CHAT_HOST:LOCAL_CHAT_PORT (raises BindRefused)."""
    return LocalTelegram(host=settings.local_chat_host,
                         port=settings.local_chat_port if port is None else port,
                         allow_remote=settings.local_chat_allow_remote)


async def start_local(settings: Settings, replier, server: LocalTelegram) -> LocalBot:
    """Start ``server``, then the Application polling it (as ``run_polling`` would)."""
    await server.start()
    local = settings.model_copy(update={
        "telegram_bot_token": SecretStr(server.bot_token), "bot_mode": "polling",
        "telegram_base_url": server.base_url, "telegram_base_file_url": server.base_file_url})
    install_token_redaction(server.bot_token)
    storage = Storage(settings.database_url)
    application = build_application(local, replier, storage)

    async def clock(now: dt.datetime) -> str:
        results = await nudges.dispatch(storage, application.bot, now)
        sent = sum(r.outcome == "sent" for r in results)
        return (f"{now:%Y-%m-%d %H:%M} UTC: {len(results)} reminder(s) due, {sent} sent"
                if results else f"{now:%Y-%m-%d %H:%M} UTC: no reminder due then")

    try:
        await application.initialize()
        await startup(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=10,
                                                allowed_updates=ALLOWED_UPDATES)
    except BaseException:
        await server.stop()
        raise
    server.clock = clock
    return LocalBot(server, application, storage)


async def stop_local(bot: LocalBot) -> None:
    bot.server.clock = None
    if bot.application.updater.running:
        await bot.application.updater.stop()
    if bot.application.running:
        await bot.application.stop()
    await bot.application.shutdown()
    await shutdown(bot.application)
    await bot.server.stop()


def _prepare(settings: Settings, port: int | None = None):
    """(replier, server) or an exit code, with the reason printed."""
    from bot.answers.engine import load_replier
    from bot.answers.errors import StoreMissingError

    try:
        server = local_server(settings, port)
    except BindRefused as exc:
        print(exc, file=sys.stderr)
        return 2
    if server.warning:
        print(server.warning, file=sys.stderr)
    try:
        replier = load_replier(settings)
    except StoreMissingError as exc:
        print(f"{exc}\nThe knowledge store is built by: python ingest.py", file=sys.stderr)
        return 2
    return replier, server


def _port_in_use(settings: Settings, exc: OSError) -> int:
    print(f"cannot serve the local chat on {settings.local_chat_host}:"
          f"{settings.local_chat_port} ({exc.strerror or exc}); set LOCAL_CHAT_PORT to a free "
          "port (0 picks one)", file=sys.stderr)
    return 2


def run_local(settings: Settings) -> int:
    """`make run` without a token: the chat page, until Ctrl-C or SIGTERM."""
    prepared = _prepare(settings)
    if isinstance(prepared, int):
        return prepared
    replier, server = prepared

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            bot = await start_local(settings, replier, server)
        except OSError as exc:
            return _port_in_use(settings, exc)
        print(f"\nThe bot is running on a local Telegram (no TELEGRAM_BOT_TOKEN is set).\n"
              f"Open the chat:  {server.page_url}\n"
              f"(Ctrl-C stops it. To run it in Telegram, set TELEGRAM_BOT_TOKEN in .env.)\n",
              flush=True)
        try:
            await stop.wait()
        finally:
            await stop_local(bot)
        return 0

    return asyncio.run(main())


class LocalThread:
    """The local Telegram and the bot on an event loop of their own thread, for the terminal
    chat (which reads stdin on the main thread) and for tests that drive it from outside."""

    def __init__(self, settings: Settings, replier, server: LocalTelegram) -> None:
        self.settings, self.replier, self.server = settings, replier, server
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-telegram", daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def start(self, timeout: float = 300) -> LocalThread:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the local bot did not start in time")
        if self.error is not None:
            raise self.error
        return self

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            bot = await start_local(self.settings, self.replier, self.server)
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
            self.error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await stop_local(bot)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_terminal_chat(settings: Settings) -> int:
    """`python -m bot chat`: the same bot on the local Telegram, in this terminal (the page is
    served as well while it runs)."""
    from bot.local.terminal import TerminalChat

    prepared = _prepare(settings)
    if isinstance(prepared, int):
        return prepared
    replier, server = prepared
    runner = LocalThread(settings, replier, server)
    try:
        runner.start()
    except OSError as exc:  # e.g. `make run` has the port: take any free one
        print(f"port {settings.local_chat_port} is busy ({exc.strerror or exc}); using a free "
              "one", file=sys.stderr)
        server = local_server(settings, port=0)
        runner = LocalThread(settings, replier, server)
        runner.start()
    print(f"(the chat page is at {server.page_url} while this runs)", flush=True)
    try:
        return TerminalChat(server.page_url, server.page_token).run()
    finally:
        runner.stop()
