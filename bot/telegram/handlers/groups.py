"""Questions in groups: answered only when the message mentions the bot or replies to it."""

from __future__ import annotations

import re
import time

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot.telegram.handlers.questions import answer_question
from bot.telegram.services import services


def _addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question in a group message if it is for the bot (mention or reply), else None."""
    text = message.text or ""
    mention = f"@{bot_username}".lower()
    if mention in text.lower():
        return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text.strip()
    return None


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    question = _addressed_text(message, context.bot.username, context.bot.id)
    if question is None:
        return
    svc = services(context)
    if not svc.limiter.allow(update.effective_user.id, time.monotonic()):
        return
    await answer_question(
        context, update.effective_chat.id, update.effective_user.id, question,
        private=False, reply_to=message.message_id,
    )
