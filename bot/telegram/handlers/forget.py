"""/forget: delete everything stored about the user, after a confirmation that expires."""

from __future__ import annotations

import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.telegram.formatting import esc
from bot.telegram.sending import edit_or_send, send_html
from bot.telegram.services import services

FORGET_CONFIRM_SECONDS = 600  # a /forget confirmation button works for 10 minutes


async def cmd_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    asked = int(time.time())
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton("Yes, delete everything", callback_data=f"fg:yes:{asked}"),
        InlineKeyboardButton("No, keep it", callback_data=f"fg:no:{asked}"),
    ]])
    await send_html(context, update.effective_chat.id, esc(templates.FORGET_CONFIRM),
                    reply_markup=keyboard)


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    answer, asked = parts  # a button without its time (an old one) is malformed: stale note
    query = update.callback_query
    if answer not in ("yes", "no"):
        raise ValueError("malformed forget button")
    if time.time() - int(asked) > FORGET_CONFIRM_SECONDS:
        await query.answer()
        await edit_or_send(update, context, esc(templates.FORGET_EXPIRED))
        return
    if answer == "yes":
        svc = services(context)
        await svc.storage.forget(update.effective_user.id)
        svc.limiter.forget(update.effective_user.id)
        await query.answer("Deleted")
        await edit_or_send(update, context, esc(templates.FORGET_DONE))
    else:
        await query.answer()
        await edit_or_send(update, context, esc(templates.FORGET_CANCELLED))
