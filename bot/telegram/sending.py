"""The one way the bot sends to Telegram: a send retried on network errors, 5xx and flood
limits; HTML messages; a button's message edited in place or, when Telegram no longer has it,
sent anew.

Every handler (:mod:`bot.telegram.handlers`) and the wiring (:mod:`bot.telegram.app`) send
through here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

Sent = TypeVar("Sent")  # what a Bot API send returns (a Message)

SEND_ATTEMPTS = 4
#: What the user is told when handling their update took longer than UPDATE_TIMEOUT_SECONDS.
TOO_LONG = "Sorry, that took too long. Please ask again."
#: An edit the message no longer allows: it is gone, too old, or has no text to edit (a chart
#: sent as a photo): the result is sent as a new message instead.
GONE_MESSAGE = ("message to edit not found", "message can't be edited", "message is not found",
                "there is no text in the message to edit")


async def send_retrying(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, send: Callable[[], Awaitable[Sent]]
) -> Sent | None:
    """The one send path: ``send()`` makes one Bot API call to ``chat_id`` (a message, a
    photo, a document...) and is called again for each retry, so an upload builds its file
    afresh. Network errors and Bot API 5xx are retried with backoff, a flood-limit refusal
    after its delay (the AIORateLimiter retries those first); a user who blocked the bot is
    marked inactive and ``None`` returned."""
    delay = 0.5
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await send()
        except Forbidden:
            log.info("chat %s blocked the bot; marking inactive", chat_id)
            await context.application.bot_data["services"].storage.set_active(chat_id, False)
            return None
        except RetryAfter as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(float(exc.retry_after.total_seconds()
                                      if isinstance(exc.retry_after, dt.timedelta)
                                      else exc.retry_after))
        except (NetworkError, TimedOut) as exc:
            if isinstance(exc, BadRequest) or attempt == SEND_ATTEMPTS:
                raise
            log.warning("send to %s failed (%s); retry %d in %.1fs", chat_id, exc, attempt, delay)
            await asyncio.sleep(delay)
            delay *= 2
    return None


async def send_html(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str, **kwargs
) -> Message | None:
    """Send one HTML message through :func:`send_retrying`."""
    return await send_retrying(context, chat_id, lambda: context.bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, link_preview_options={"is_disabled": True},
        **kwargs,
    ))


async def edit_or_send(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, **kwargs: Any
) -> None:
    """Show ``text`` in place of the button's message; if Telegram no longer has that
    message, send it as a new one. An action that succeeded is never reported as failed."""
    try:
        await update.callback_query.edit_message_text(text, parse_mode=ParseMode.HTML, **kwargs)
    except BadRequest as exc:
        if not any(gone in str(exc).lower() for gone in GONE_MESSAGE):
            raise
        log.info("button message is gone (%s); sending a new one", exc)
        await send_html(context, update.effective_chat.id, text, **kwargs)
