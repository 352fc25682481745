"""Questions in a private chat: the answer, its buttons and how it is sent; questions asked by
tapping a button; messages that are not questions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.answers.reply import Reply
from bot.ce.timing import quiet_after_crisis
from bot.telegram import metrics
from bot.telegram.formatting import esc, reply_blocks, split_messages
from bot.telegram.handlers import ce_words
from bot.telegram.sending import send_html
from bot.telegram.services import services, utcnow

log = logging.getLogger(__name__)


# --- sending -------------------------------------------------------------------------------


async def send_reply(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    reply: Reply,
    keyboard: InlineKeyboardMarkup | None,
    reply_to: int | None = None,
) -> None:
    messages = split_messages(reply_blocks(reply))
    for i, text in enumerate(messages):
        last = i == len(messages) - 1
        kwargs = {"reply_markup": keyboard} if last and keyboard else {}
        if i == 0 and reply_to:
            kwargs["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        await send_html(context, chat_id, text, **kwargs)


# --- questions -----------------------------------------------------------------------------


def answer_keyboard(
    turn_id: int, followups: list[str], feedback: bool = True
) -> InlineKeyboardMarkup:
    """👍/👎 (answers only) and up to three follow-up questions as buttons."""
    rows = [[
        InlineKeyboardButton("👍", callback_data=f"fb:{turn_id}:1"),
        InlineKeyboardButton("👎", callback_data=f"fb:{turn_id}:-1"),
    ]] if feedback else []
    rows.extend(
        [InlineKeyboardButton(text[:60], callback_data=f"fu:{turn_id}:{i}")]
        for i, text in enumerate(followups[:3])
    )
    return InlineKeyboardMarkup(rows)


TYPING_AFTER_SECONDS = 1.0


async def show_typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int | None) -> None:
    """Best effort: a failing "typing" indicator never stops an answer. A 403 marks the user
    inactive only in their own private chat (``user_id`` given), never from a group."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except Forbidden:
        if user_id is not None:
            log.info("chat %s blocked the bot; marking inactive", chat_id)
            await services(context).storage.set_active(user_id, False)
    except TelegramError as exc:
        log.warning("typing indicator for chat %s failed: %s", chat_id, exc)


async def answer_question(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    question: str,
    *,
    private: bool = True,
    reply_to: int | None = None,
) -> None:
    svc = services(context)
    started = time.monotonic()
    history: list[str] = []
    home_state = None
    if private:
        history = await svc.storage.recent_questions(
            user_id, utcnow(), dt.timedelta(minutes=svc.settings.history_ttl_minutes),
            svc.settings.history_turns,
        )
        user = await svc.storage.get_user(user_id)
        home_state = user.state if user is not None else None
    answering = asyncio.ensure_future(svc.batcher.answer(question, history, home_state))
    # "typing" only when the answer is slow: the Bot API budget goes to answers, not indicators
    done, _ = await asyncio.wait({answering}, timeout=TYPING_AFTER_SECONDS)
    if not done:
        await show_typing(context, chat_id, user_id if private else None)
    reply = await answering
    keyboard = None
    # CE in plain words: after the safety reading, private chats only (a group never sees
    # anyone's CE log)
    personal = await ce_words.route(context, chat_id, user_id, question, reply) if private \
        else ce_words.Outcome()
    if personal.handled:
        metrics.observe_answer("ce_words", time.monotonic() - started)
        return
    if personal.note:
        reply.notes.append(personal.note)
    if private:  # groups: nothing stored beyond the reply itself
        turn_id = await svc.storage.add_turn(
            user_id, question, reply.kind,
            [{"title": s.title, "path": s.path, "url": s.url} for s in reply.sources],
            reply.followups,
        )
        if reply.kind == "crisis":  # nothing unasked (nudges) reaches this chat for a day
            await svc.storage.set_quiet_until(user_id, quiet_after_crisis(utcnow()))
        if reply.kind == "answer":
            keyboard = answer_keyboard(turn_id, reply.followups)
        elif reply.followups:  # crisis: talk about work options; no match: closest topics
            keyboard = answer_keyboard(turn_id, reply.followups, feedback=False)
        if personal.button is not None:
            rows = list(keyboard.inline_keyboard) if keyboard is not None else []
            keyboard = InlineKeyboardMarkup([*rows, [personal.button]])
    log.info("answered %s question in %.0f ms (%d sources)", reply.kind, reply.latency_ms,
             len(reply.sources))
    await send_reply(context, chat_id, reply, keyboard, reply_to)
    metrics.observe_answer(reply.kind, time.monotonic() - started)


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    allowed, tell = await svc.limiter.admit(user.id)
    if not allowed:
        if tell:  # once per window; then silence until the window ends
            await send_html(context, chat.id, esc(templates.RATE_LIMITED))
        return
    await svc.storage.touch_user(user.id, chat_id=chat.id, first_name=user.first_name)
    await answer_question(context, chat.id, user.id, message.text)


async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(context, update.effective_chat.id, esc(templates.NOT_TEXT))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(context, update.effective_chat.id, esc(templates.UNKNOWN_COMMAND))


async def ask_from_button(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    chat, user = update.effective_chat, update.effective_user
    svc = services(context)
    allowed, tell = await svc.limiter.admit(user.id)
    if not allowed:
        if tell:  # once per window; then silence until the window ends
            await send_html(context, chat.id, esc(templates.RATE_LIMITED))
        return
    if chat.type == ChatType.PRIVATE:
        await svc.storage.touch_user(user.id, chat_id=chat.id, first_name=user.first_name)
    await send_html(context, chat.id, f"❓ <i>{esc(question)}</i>")
    await answer_question(context, chat.id, user.id, question, private=chat.type == ChatType.PRIVATE)
