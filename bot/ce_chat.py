"""`/ce` in the chat: the CE log and renewal status. Parsing and rules live in ce_rules; this
module only turns commands into storage calls and replies."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import ce_rules
from bot.ce_chart import status_chart_png
from bot.formatting import esc, split_messages
from bot.nudge_timing import local_now
from bot.storage import CEEntryRow, Storage

log = logging.getLogger(__name__)

USAGE = (
    "<b>Your CE log</b>\n"
    "/ce set &lt;credential&gt; &lt;expiration&gt; — e.g. /ce set ptcb-cpht 2027-03-31 "
    "(also 3/31/2027 or March 2027)\n"
    "/ce add &lt;hours&gt; &lt;topic&gt; [\"title\"] [date] [P] — e.g. /ce add 2 law "
    "\"Federal pharmacy law update\"\n"
    "/ce add &lt;UAN&gt; &lt;hours&gt; — e.g. /ce add 0009-0000-25-005-H05-T 1.5\n"
    "/ce list · /ce delete &lt;n&gt; · /ce edit &lt;n&gt; &lt;hours&gt; &lt;topic&gt; ...\n"
    "/ce status — what is done and missing, with a chart · /ce export — CSV\n"
    "Topics: law, patient-safety, general, drug-therapy, hiv-aids, tx-law, human-trafficking "
    "(or ACPE 01–05). Credentials: " + ", ".join(ce_rules.CREDENTIALS) + "."
)


def _storage(context: ContextTypes.DEFAULT_TYPE) -> Storage:
    return context.application.bot_data["services"].storage


async def _send(context, chat_id: int, html_text: str, **kwargs) -> None:
    from bot.telegram_app import send_html

    await send_html(context, chat_id, html_text, **kwargs)


async def user_today(storage: Storage, user_id: int, now: dt.datetime | None = None) -> dt.date:
    user = await storage.get_user(user_id)
    return local_now(now or dt.datetime.now(dt.UTC), user.timezone if user else None).date()


def entry_fields(entry: ce_rules.CEEntry) -> dict:
    return {
        "hours": entry.hours, "topic": entry.topic, "audience": entry.audience,
        "completed_on": entry.completed_on, "title": entry.title, "uan": entry.uan,
        "delivery": entry.delivery,
    }


async def _check_cycle(storage: Storage, user_id: int, entry: ce_rules.CEEntry) -> None:
    """An entry must fall in the cycle of at least one of the user's credentials."""
    records = await storage.credentials(user_id)
    problems = []
    for record in records:
        credential = ce_rules.CREDENTIALS[record.credential]
        try:
            ce_rules.check_entry_for(credential, record.expiration, entry)
            return
        except ce_rules.CEInputError as exc:
            problems.append(exc)
    if problems:
        raise problems[0]


async def cmd_ce(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id, user = update.effective_chat.id, update.effective_user
    storage = _storage(context)
    await storage.touch_user(user.id, chat_id=chat_id, first_name=user.first_name)
    args = list(context.args or [])
    sub = args.pop(0).lower() if args else ""
    try:
        if sub == "set":
            await ce_set(update, context, args)
        elif sub == "add":
            entry = ce_rules.parse_add_args(args, await user_today(storage, user.id))
            await _check_cycle(storage, user.id, entry)
            await storage.add_entry(user.id, **entry_fields(entry))
            await _send(context, chat_id, "✅ Logged: " + esc(ce_rules.describe_entry(entry))
                        + "\n/ce status shows what is still missing.")
        elif sub == "list":
            await ce_list(update, context)
        elif sub in ("delete", "del", "remove"):
            row = await _nth_entry(storage, user.id, args[:1])
            await storage.delete_entry(user.id, row.id)
            await _send(context, chat_id, "🗑 Deleted: " + esc(ce_rules.describe_entry(row.to_entry())))
        elif sub == "edit":
            row = await _nth_entry(storage, user.id, args[:1])
            entry = ce_rules.parse_add_args(args[1:], await user_today(storage, user.id))
            await _check_cycle(storage, user.id, entry)
            await storage.replace_entry(user.id, row.id, **entry_fields(entry))
            await _send(context, chat_id, "✏️ Updated entry " + esc(args[0]) + ": "
                        + esc(ce_rules.describe_entry(entry)))
        elif sub == "status":
            await send_status(update, context)
        elif sub == "export":
            await ce_export(update, context)
        else:
            await _send(context, chat_id, USAGE)
    except ce_rules.CEInputError as exc:
        await _send(context, chat_id, "⚠️ " + esc(str(exc)))


async def _nth_entry(storage: Storage, user_id: int, args: list[str]) -> CEEntryRow:
    rows = await storage.entries(user_id)
    try:
        n = int(args[0])
    except (IndexError, ValueError):
        raise ce_rules.CEInputError(
            "Tell me which entry by its number in /ce list, e.g. /ce delete 2 or "
            "/ce edit 2 1.5 law."
        ) from None
    if not 1 <= n <= len(rows):
        raise ce_rules.CEInputError(
            f"There is no entry {n}: your log has {len(rows)} "
            f"entr{'y' if len(rows) == 1 else 'ies'}. /ce list shows the numbers."
        )
    return rows[n - 1]


def credential_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(c.name[:60], callback_data=f"ce:set:{key}")]
        for key, c in ce_rules.CREDENTIALS.items()
    ])


async def ce_set(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    storage = _storage(context)
    if not args:
        await _send(context, chat_id, "Which credential? Tap it, then send its expiration date.",
                    reply_markup=credential_keyboard())
        return
    key = args[0].lower()
    credential = ce_rules.CREDENTIALS.get(key)
    if credential is None:
        raise ce_rules.CEInputError(
            f"I don't know the credential “{args[0]}”. I track: "
            + ", ".join(ce_rules.CREDENTIALS) + ". Try: /ce set ptcb-cpht 2027-03-31"
        )
    if len(args) < 2:
        raise ce_rules.CEInputError(
            f"Add the expiration date, e.g. /ce set {key} 2027-03-31 (or 3/31/2027, March 2027)."
        )
    expiration = ce_rules.parse_expiration(" ".join(args[1:]), await user_today(storage, user_id))
    await storage.set_credential(user_id, key, expiration)
    await _send(context, chat_id,
                f"✅ {esc(credential.name)}: expires {expiration.isoformat()}. "
                "I'll remind you before renewal deadlines (/nudges off to stop). "
                "Log CE with /ce add; /ce status shows progress.")


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    action, key = parts
    if action != "set" or key not in ce_rules.CREDENTIALS:
        raise ValueError("malformed CE button")
    await update.callback_query.answer()
    await _send(context, update.effective_chat.id,
                f"Send the expiration date of your {esc(ce_rules.CREDENTIALS[key].name)}: "
                f"/ce set {key} 2027-03-31 (or 3/31/2027, March 2027)")


async def ce_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rows = await _storage(context).entries(update.effective_user.id)
    if not rows:
        await _send(context, update.effective_chat.id,
                    "Your CE log is empty. Add an activity: /ce add 2 law \"Federal law update\"")
        return
    total = sum(r.hours for r in rows)
    lines = [f"<b>Your CE log</b> ({len(rows)} entries, {ce_rules.format_hours(total)} h)"]
    lines += [f"{i}. {esc(ce_rules.describe_entry(r.to_entry()))}" for i, r in enumerate(rows, 1)]
    for message in split_messages(lines):
        await _send(context, update.effective_chat.id, message)


async def statuses_for(storage: Storage, user_id: int, today: dt.date) -> list[ce_rules.CEStatus]:
    entries = [r.to_entry() for r in await storage.entries(user_id)]
    return [
        ce_rules.ce_status(ce_rules.CREDENTIALS[r.credential], r.expiration, entries, today)
        for r in await storage.credentials(user_id)
        if r.credential in ce_rules.CREDENTIALS
    ]


async def send_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    storage = _storage(context)
    statuses = await statuses_for(storage, user_id, await user_today(storage, user_id))
    if not statuses:
        await _send(context, chat_id,
                    "You haven't told me a credential yet. Start with /ce set ptcb-cpht "
                    "2027-03-31 (your expiration date), or tap /ce set to choose.")
        return
    blocks = [esc(ce_rules.status_text(s)) for s in statuses]
    for message in split_messages(blocks):
        await _send(context, chat_id, message)
    png = await asyncio.to_thread(status_chart_png, statuses)
    await context.bot.send_photo(chat_id, InputFile(io.BytesIO(png), filename="ce-status.png"),
                                 caption="Your CE progress")


async def ce_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rows = await _storage(context).entries(update.effective_user.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["n", "date", "hours", "topic", "audience", "delivery", "uan", "title"])
    for i, r in enumerate(rows, 1):
        writer.writerow([i, r.completed_on.isoformat(), f"{r.hours:g}", r.topic, r.audience,
                         r.delivery or "", r.uan or "", r.title or ""])
    data = buffer.getvalue().encode("utf-8")
    await context.bot.send_document(
        update.effective_chat.id, InputFile(io.BytesIO(data), filename="ce-log.csv"),
        caption=f"Your CE log: {len(rows)} entries",
    )
