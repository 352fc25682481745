"""The buttons under an answer: 👍/👎 and the follow-up questions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.telegram.handlers.questions import ask_from_button
from bot.telegram.services import services

# --- feedback and follow-ups ---------------------------------------------------------------


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    turn_id, rating = int(parts[0]), int(parts[1])
    if rating not in (1, -1):
        raise ValueError("malformed feedback button")
    stored = await services(context).storage.add_feedback(update.effective_user.id, turn_id, rating)
    await update.callback_query.answer(
        ("Thanks for the feedback!" if rating == 1 else "Thanks — I'll use this to improve.")
        if stored else templates.STALE_BUTTON
    )


async def on_followup(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    turn_id, index = int(parts[0]), int(parts[1])
    turn = await services(context).storage.get_turn(update.effective_user.id, turn_id)
    if turn is None or not 0 <= index < len(turn.followups):
        await update.callback_query.answer(templates.STALE_BUTTON)
        return
    await update.callback_query.answer()
    await ask_from_button(update, context, turn.followups[index])
