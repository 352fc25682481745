"""The Telegram front end's wiring: handlers stay thin and call the answer engine, storage and
rules.

Wiring follows python-telegram-bot's own examples: small `async def handler(update, context)`
functions (one module per feature in :mod:`bot.telegram.handlers`), one `build_application`
that registers them, one router for every button, one error handler, and a named repeating
job for renewal nudges (its state lives in the database, so a restart resumes it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.answers import templates
from bot.answers.compose import Replier
from bot.settings import Settings
from bot.storage.store import Storage
from bot.telegram import metrics, nudges
from bot.telegram.bot_api import SEND_JOURNAL, BotApiRequest, LostChat
from bot.telegram.handlers import ce as ce_chat
from bot.telegram.handlers import ce_import, ce_words
from bot.telegram.handlers.feedback import on_feedback, on_followup
from bot.telegram.handlers.forget import cmd_forget, on_forget
from bot.telegram.handlers.groups import on_group_text
from bot.telegram.handlers.onboarding import (
    cmd_help,
    cmd_profile,
    cmd_start,
    on_onboarding,
    on_profile_change,
)
from bot.telegram.handlers.path import cmd_path, cmd_state, on_path_ask, on_path_step
from bot.telegram.handlers.questions import on_not_text, on_private_text, on_unknown_command
from bot.telegram.handlers.settings import (
    cmd_nudges,
    cmd_settings,
    on_nudges_off,
    on_snooze,
    on_timezone,
)
from bot.telegram.handlers.topics import cmd_topics, on_topic, on_topic_question
from bot.telegram.sending import TOO_LONG
from bot.telegram.services import BotServices, services, utcnow

log = logging.getLogger(__name__)

NUDGE_JOB = "renewal-nudges"
#: The update kinds the handlers use: what `python -m bot webhook set` asks Telegram for.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


@dataclass
class _ChatLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # updates holding or waiting for the lock


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat are handled in order; different chats are handled concurrently
    (up to `max_concurrent_updates`). A slow answer for one user never delays another, and a
    user's "/ce add" is always logged before their next "/ce status".

    The chat's lock is taken *before* a concurrency slot, so updates queued behind a busy chat
    wait without holding slots other chats need; a lock is dropped only when no update holds or
    waits for it, so the table stays bounded and never splits one chat in two."""

    def __init__(self, max_concurrent_updates: int, update_timeout: float = 60.0):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, _ChatLock] = {}
        self.update_timeout = update_timeout  # UPDATE_TIMEOUT_SECONDS
        self.bot = None  # set by build_application: tells the user an update took too long

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else None
        entry = self._locks.setdefault(key, _ChatLock())
        entry.users += 1
        try:
            async with entry.lock, self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            entry.users -= 1
            if entry.users == 0 and self._locks.get(key) is entry:
                del self._locks[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """The update's handling, bounded by UPDATE_TIMEOUT_SECONDS: a hung call must not hold
        the chat and a slot until restart. Then the user is asked to try again."""
        try:
            await asyncio.wait_for(coroutine, self.update_timeout)
        except TimeoutError:
            update_id = update.update_id if isinstance(update, Update) else None
            log.error("update %s took over %.0f s: given up", update_id, self.update_timeout)
            metrics.count_update("timeout")
            chat = update.effective_chat if isinstance(update, Update) else None
            if chat is not None and self.bot is not None:
                try:
                    await self.bot.send_message(chat.id, TOO_LONG)
                except TelegramError as exc:
                    log.warning("could not say update %s took too long: %s", update_id, exc)

    @property
    def tracked_chats(self) -> int:
        return len(self._locks)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


# --- callbacks, membership, errors ---------------------------------------------------------

CALLBACKS = {
    "ob": on_onboarding,
    "pf": on_profile_change,
    "pa": on_path_step,
    "pq": on_path_ask,
    "tp": on_topic,
    "tq": on_topic_question,
    "fb": on_feedback,
    "fu": on_followup,
    "fg": on_forget,
    "snz": on_snooze,
    "nudges": on_nudges_off,
    "tz": on_timezone,
    "ce": ce_chat.on_callback,
    "cw": ce_words.on_callback,
    "cei": ce_import.on_callback,
}


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One entry for every button: route by prefix; anything malformed or stale gets a short
    note instead of an error."""
    query = update.callback_query
    prefix, _, rest = (query.data or "").partition(":")
    handler = CALLBACKS.get(prefix)
    try:
        if handler is None:
            raise ValueError(f"unknown button {prefix!r}")
        await handler(update, context, rest.split(":") if rest else [])
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
        await query.answer()  # a double tap: the message already shows this
    except (ValueError, IndexError, KeyError, OverflowError) as exc:
        log.info("stale or malformed button %r: %s", query.data, exc)
        try:
            await query.answer(templates.STALE_BUTTON)
        except BadRequest:
            pass  # the query itself is too old to answer


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change.chat.type != ChatType.PRIVATE:
        return
    blocked = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    await services(context).storage.set_active(change.from_user.id, not blocked)
    log.info("user %s %s the bot", change.from_user.id, "blocked" if blocked else "unblocked")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update is None and isinstance(context.error, (NetworkError, TimedOut)) and not isinstance(
            context.error, (BadRequest, Forbidden)):
        # getUpdates failed (502, a timeout): python-telegram-bot retries with a growing delay
        # (1 s, then x1.5 up to 30 s); one line, not a traceback each time
        log.warning("polling: Bot API error (%s); retrying in up to 30 s", context.error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, LostChat):  # another replica has the update: stay silent
        log.warning("update %s: %s", update_id, context.error)
        return
    journal = SEND_JOURNAL.get()
    if journal is not None:
        journal.failed = True  # the inbox settles it as failed, not handled
    metrics.count_update("failed")
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, templates.APOLOGY)
        except TelegramError:  # the apology is best effort; the error is already logged
            log.warning("could not send the apology for update %s", update_id)


# --- nudge job -----------------------------------------------------------------------------


async def nudge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    svc.nudge_task = asyncio.current_task()
    try:
        results = await nudges.dispatch(svc.storage, context.bot, utcnow(),
                                        stop=svc.nudge_stop)
    finally:
        svc.nudge_task = None
    for result in results:
        if result.outcome not in ("skipped", "dry-run"):
            metrics.count_nudge("claimed")
        metrics.count_nudge(result.outcome)
    if results:
        log.info("nudge job: %d due, %d sent", len(results),
                 sum(r.outcome == "sent" for r in results))


def schedule_nudges(application: Application, interval_s: float, first_s: float = 10) -> None:
    """One named repeating job; scheduling again replaces it, never duplicates it."""
    for job in application.job_queue.get_jobs_by_name(NUDGE_JOB):
        job.schedule_removal()
    application.job_queue.run_repeating(nudge_job, interval=interval_s, first=first_s, name=NUDGE_JOB)


# --- wiring --------------------------------------------------------------------------------


def build_application(settings: Settings, replier: Replier, storage: Storage) -> Application:
    """The one Application of both modes. Webhook mode (BOT_MODE=webhook) builds it without an
    Updater: bot/service/web.py receives the updates and bot/service/inbox.py hands them to
    ``process_update`` in order per chat."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .request(BotApiRequest(connection_pool_size=256))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(16, settings.update_timeout_seconds))
        .post_init(startup)
        .post_shutdown(shutdown)
    )
    if settings.bot_mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    application.update_processor.bot = application.bot
    application.bot_data["services"] = BotServices(settings, replier, storage)
    not_edited = filters.UpdateType.MESSAGE  # edited messages get silence
    private = filters.ChatType.PRIVATE & not_edited
    groups = filters.ChatType.GROUPS & not_edited
    add = application.add_handler
    add(CommandHandler("start", cmd_start, filters=private))
    add(CommandHandler("help", cmd_help, filters=not_edited))
    add(CommandHandler("path", cmd_path, filters=private))
    add(CommandHandler("state", cmd_state, filters=not_edited))
    add(CommandHandler("topics", cmd_topics, filters=not_edited))
    add(CommandHandler("profile", cmd_profile, filters=private))
    add(CommandHandler("forget", cmd_forget, filters=private))
    add(CommandHandler("nudges", cmd_nudges, filters=private))
    add(CommandHandler("settings", cmd_settings, filters=private))
    add(CommandHandler("ce", ce_chat.cmd_ce, filters=private))
    add(CallbackQueryHandler(on_callback))
    add(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    add(MessageHandler(private & filters.COMMAND, on_unknown_command))
    add(MessageHandler(private & filters.TEXT, on_private_text))
    add(MessageHandler(groups & filters.TEXT & ~filters.COMMAND, on_group_text))
    add(MessageHandler(private & filters.Document.ALL, ce_import.on_document))
    add(MessageHandler(private & ~filters.TEXT, on_not_text))
    # /ce import, and the transcript pasted after it, before /ce and the questions
    add(CommandHandler("ce", ce_import.cmd_import, filters=private & ce_import.IMPORT_COMMAND),
        group=-1)
    add(MessageHandler(private & filters.TEXT & ~filters.COMMAND, ce_import.on_pasted_text),
        group=-1)
    application.add_error_handler(on_error)
    return application


async def startup(application: Application) -> None:
    """Schema, command menu and the nudge job; run once the bot is initialized."""
    svc: BotServices = application.bot_data["services"]
    await svc.storage.init()
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in templates.COMMANDS])
    schedule_nudges(application, svc.settings.nudge_interval_minutes * 60)
    log.info("bot @%s ready", application.bot.username)


async def shutdown(application: Application) -> None:
    svc: BotServices = application.bot_data["services"]
    await svc.batcher.close()
    await svc.storage.close()
