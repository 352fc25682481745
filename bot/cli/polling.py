"""Polling mode (``python -m bot`` without BOT_MODE=webhook): the Application fetches its own
updates; with METRICS_PORT set, the status endpoints are served beside it.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import InvalidToken

from bot.settings import Settings
from bot.storage.store import Storage
from bot.telegram.app import build_application
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


def stop_nudges_on_signal(application) -> None:
    """SIGTERM/SIGINT also tell a running nudge tick to stop before its next nudge (then the
    Application stops as python-telegram-bot's own handler would, with ``stop_running``)."""
    import asyncio
    import signal

    started_hook = application.post_init

    async def post_init(app) -> None:
        if started_hook is not None:
            await started_hook(app)

        def on_signal() -> None:
            app.bot_data["services"].nudge_stop.set()
            app.stop_running()

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
    stop_nudges_on_signal(application)
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
