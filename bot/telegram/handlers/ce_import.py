"""``/ce import``: fill the CE log from the CPE Monitor transcript in one step.

The user sends the transcript PDF from their NABP e-Profile as a document (fetched with
``getFile`` from the Bot API's file URL, read in a child process by
:mod:`bot.telegram.transcript_pdf`), or pastes the transcript text after ``/ce import``, in as
many messages as it takes, and taps Preview. The preview (:mod:`bot.ce.transcript_import`)
comes with Import / Cancel; Import adds everything in one transaction, and its Undo removes
exactly that import. Nothing is written before Import; the file is processed in memory and not
stored, and a preview waiting for its button is kept in memory only.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import secrets
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot.answers import templates
from bot.ce import credentials as ce_credentials
from bot.ce.model import _sum_hours
from bot.ce.transcript import parse_transcript
from bot.ce.transcript_import import (
    ImportPlan,
    imported_text,
    plan_import,
    preview_text,
)
from bot.storage.store import Storage
from bot.telegram import transcript_pdf
from bot.telegram.formatting import split_messages
from bot.telegram.handlers.ce import entry_fields, user_today
from bot.telegram.sending import edit_or_send, send_html

log = logging.getLogger(__name__)

#: How long after ``/ce import`` pasted messages are collected as the transcript.
PASTE_WINDOW_SECONDS = 15 * 60
MAX_PASTED_MESSAGES = 60
#: How long a preview's Import button works.
PREVIEW_SECONDS = 60 * 60

_PASTING = "ce_import_paste"  # user_data: {"since": monotonic, "texts": [...]}
_PENDING = "ce_import_pending"  # user_data: {"token", "plan", "since"}
_COMMAND = re.compile(r"\A\s*/ce(?:@\w+)?\s+import\b", re.IGNORECASE)
#: The messages :func:`cmd_import` handles (a handler group before ``/ce``'s own).
IMPORT_COMMAND = filters.Regex(_COMMAND)

HOW_TO = (
    "<b>Import your CPE Monitor transcript</b>\n"
    "Two ways:\n"
    "1. <b>PDF</b>: in your NABP e-Profile open CPE Monitor, download your transcript as a "
    "PDF, and send that file here.\n"
    "2. <b>Text</b>: open the transcript on the e-Profile page, select the whole table "
    "(with its heading row), copy it and paste it here. A long transcript can take several "
    "messages: send them all, then tap Preview.\n"
    "I show what I found before anything is saved, then you tap Import (and Undo removes it "
    "again). The file is read in memory and not kept."
)


def _storage(context: ContextTypes.DEFAULT_TYPE) -> Storage:
    return context.application.bot_data["services"].storage


def _paste_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("\U0001f50e Preview", callback_data="cei:pv:0"),
        InlineKeyboardButton("Cancel", callback_data="cei:no:0")]])


def _preview_keyboard(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("\u2705 Import", callback_data=f"cei:go:{token}"),
        InlineKeyboardButton("Cancel", callback_data=f"cei:no:{token}")]])


def _undo_keyboard(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("\u21a9\ufe0f Undo import", callback_data=f"cei:undo:{token}")]])


async def cmd_import(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/ce import`` alone explains both ways and starts collecting pasted text; with text
    after it (the transcript pasted into the same message), that text is the first part."""
    text = update.effective_message.text or ""
    context.user_data[_PASTING] = {"since": time.monotonic(), "texts": []}
    command = _COMMAND.match(text)
    rest = text[command.end():] if command else ""
    await _storage(context).touch_user(update.effective_user.id,
                                       chat_id=update.effective_chat.id,
                                       first_name=update.effective_user.first_name)
    if rest.strip():
        await _collect(update, context, rest)
    else:
        await send_html(context, update.effective_chat.id, HOW_TO)
    raise ApplicationHandlerStop


async def on_pasted_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text in a private chat while ``/ce import`` waits for a pasted transcript (a handler
    group before the questions: the message goes no further)."""
    pasting = context.user_data.get(_PASTING) if context.user_data is not None else None
    if not pasting:
        return
    if time.monotonic() - pasting["since"] > PASTE_WINDOW_SECONDS:
        context.user_data.pop(_PASTING, None)
        return
    await _collect(update, context, update.effective_message.text or "")
    raise ApplicationHandlerStop


async def _collect(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    chat_id = update.effective_chat.id
    pasting = context.user_data[_PASTING]
    today = await user_today(_storage(context), update.effective_user.id)
    if not pasting["texts"]:
        found = await asyncio.to_thread(parse_transcript, text.splitlines(), today)
        if not found.looks_like_transcript:
            context.user_data.pop(_PASTING, None)
            await send_html(context, chat_id, html.escape(
                "That doesn't look like a CPE Monitor transcript: I found no ACPE UAN (like "
                "0009-0000-25-005-H05-T) in it, so I stopped waiting for one. Paste the "
                "transcript table copied from your NABP e-Profile after /ce import, or send "
                "the transcript PDF. Or just ask me a question."))
            return
    if len(pasting["texts"]) >= MAX_PASTED_MESSAGES:
        await send_html(context, chat_id, html.escape(
            f"That's {MAX_PASTED_MESSAGES} messages already; tap Preview to see what I found."),
            reply_markup=_paste_keyboard())
        return
    pasting["texts"].append(text)
    found = await asyncio.to_thread(
        parse_transcript, "\n".join(pasting["texts"]).splitlines(), today)
    n = len(found.activities)
    await send_html(
        context, chat_id,
        f"Got it: {n} activit{'y' if n == 1 else 'ies'} with a UAN so far. Send the rest of "
        "the transcript if there is more, then tap Preview.", reply_markup=_paste_keyboard())


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document in a private chat: the transcript PDF."""
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    document = update.effective_message.document
    allowed, tell = await context.application.bot_data["services"].limiter.admit(user_id)
    if not allowed:  # each file costs a child process: files count as questions do
        if tell:
            await send_html(context, chat_id, html.escape(templates.RATE_LIMITED))
        return
    await _storage(context).touch_user(user_id, chat_id=chat_id,
                                       first_name=update.effective_user.first_name)
    if context.user_data is not None:
        context.user_data.pop(_PASTING, None)
    try:
        transcript_pdf.precheck(size=document.file_size, file_name=document.file_name,
                                mime_type=document.mime_type)
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
        lines = await transcript_pdf.extract_lines(data)
    except transcript_pdf.TranscriptFileError as exc:
        log.info("transcript file refused: %s", exc.code)
        await send_html(context, chat_id, "\u26a0\ufe0f " + html.escape(str(exc)))
        return
    except TelegramError as exc:
        log.warning("could not fetch a document: %s", exc)
        await send_html(context, chat_id, html.escape(
            "I couldn't download that file from Telegram. Please send it again."))
        return
    await _preview(update, context, lines)


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, lines: list[str],
                   edit: bool = False) -> None:
    user_id = update.effective_user.id
    storage = _storage(context)
    today = await user_today(storage, user_id)
    transcript = await asyncio.to_thread(parse_transcript, lines, today)
    log_entries = [r.to_entry() for r in await storage.entries(user_id)]
    plan = plan_import(transcript, log_entries)
    if plan.problem is not None:
        await _show(update, context, "\u26a0\ufe0f " + html.escape(plan.problem), edit)
        return
    credentials = [(c, r.expiration, r.cycle_start) for r in await storage.credentials(user_id)
                   if (c := ce_credentials.find(r.credential)) is not None]
    text = html.escape(preview_text(plan, credentials))
    markup = None
    if plan.new:
        token = secrets.token_hex(8)
        context.user_data[_PENDING] = {"token": token, "plan": plan, "since": time.monotonic()}
        markup = _preview_keyboard(token)
    await _show(update, context, text, edit, markup)


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, edit: bool,
                markup: InlineKeyboardMarkup | None = None) -> None:
    parts = split_messages(text.split("\n"))
    for i, part in enumerate(parts):
        kwargs = {"reply_markup": markup} if markup and i == len(parts) - 1 else {}
        if edit and i == 0 and len(parts) == 1:
            await edit_or_send(update, context, part, **kwargs)
        else:
            await send_html(context, update.effective_chat.id, part, **kwargs)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    """The buttons: ``pv`` Preview the pasted text, ``go`` Import, ``no`` Cancel, ``undo``."""
    action, token = parts
    query = update.callback_query
    user_id = update.effective_user.id
    if action == "pv":
        pasting = context.user_data.pop(_PASTING, None)
        if not pasting or not pasting["texts"]:
            await query.answer("Paste the transcript after /ce import first.", show_alert=True)
            return
        await query.answer()
        await _preview(update, context, "\n".join(pasting["texts"]).splitlines(), edit=True)
        return
    if action == "no":
        context.user_data.pop(_PASTING, None)
        pending = context.user_data.get(_PENDING)
        if pending and pending["token"] == token:
            context.user_data.pop(_PENDING, None)
        await query.answer()
        await edit_or_send(update, context, "Cancelled: nothing was imported.")
        return
    if action == "go":
        pending = context.user_data.get(_PENDING)
        if (not pending or pending["token"] != token
                or time.monotonic() - pending["since"] > PREVIEW_SECONDS):
            await query.answer("This preview has expired: send the transcript again "
                               "(/ce import).", show_alert=True)
            return
        context.user_data.pop(_PENDING, None)
        await _import(update, context, token, pending["plan"])
        return
    if action == "undo":
        if not 0 < len(token) <= 32:
            raise ValueError("malformed import undo button")
        removed = await _storage(context).undo_import(user_id, token)
        if not removed:
            await query.answer("That import is already undone.")
            return
        await query.answer("Import undone")
        await edit_or_send(update, context, html.escape(
            f"\u21a9\ufe0f Undone: the {removed} imported entr{'y' if removed == 1 else 'ies'} "
            "are out of your log, which is as it was before the import."))
        return
    raise ValueError("malformed import button")


async def _import(update: Update, context: ContextTypes.DEFAULT_TYPE, token: str,
                  plan: ImportPlan) -> None:
    storage, user_id = _storage(context), update.effective_user.id
    # the log may have changed since the preview: what is there now is still skipped
    log_entries = [r.to_entry() for r in await storage.entries(user_id)]
    fresh = plan_import(plan.transcript, log_entries)
    if not fresh.new:
        await update.callback_query.answer()
        await edit_or_send(update, context, html.escape(
            fresh.problem or "Everything in this transcript is in your log already."))
        return
    rows = [{**entry_fields(a.entry()), "provider": a.provider[:200] or None} for a in fresh.new]
    await storage.import_entries(user_id, token, rows)
    await update.callback_query.answer("Imported")
    await edit_or_send(update, context, html.escape(imported_text(
        len(rows), _sum_hours([r["hours"] for r in rows]))), reply_markup=_undo_keyboard(token))
