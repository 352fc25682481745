"""/topics: a button per topic, then example questions to tap."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.content.documents import TOPICS
from bot.telegram.formatting import esc
from bot.telegram.handlers.questions import ask_from_button
from bot.telegram.sending import send_html

# --- /topics -------------------------------------------------------------------------------


async def cmd_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    buttons = [InlineKeyboardButton(label, callback_data=f"tp:{key}") for key, label in TOPICS.items()]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await send_html(context, update.effective_chat.id, "<b>Pick a topic</b>",
                    reply_markup=InlineKeyboardMarkup(rows))


async def on_topic(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    (topic,) = parts
    if topic not in templates.TOPIC_OVERVIEWS:
        raise ValueError("malformed topic button")
    overview, examples = templates.TOPIC_OVERVIEWS[topic]
    await update.callback_query.answer()
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(q, callback_data=f"tq:{topic}:{i}")] for i, q in enumerate(examples)]
    )
    await send_html(context, update.effective_chat.id,
                    f"<b>{esc(TOPICS[topic])}</b>\n{esc(overview)}", reply_markup=keyboard)


async def on_topic_question(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    topic, index = parts
    examples = templates.TOPIC_OVERVIEWS[topic][1]
    question = examples[int(index)]
    await update.callback_query.answer()
    await ask_from_button(update, context, question)
