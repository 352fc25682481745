"""`/ce` in the chat: the CE log and renewal status. Parsing lives in bot.ce.parsing and the
rules in bot.ce.rules; this module only turns commands into storage calls and replies."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot.ce import credentials as ce_credentials
from bot.ce import model as ce_model
from bot.ce import parsing as ce_parsing
from bot.ce import rules as ce_rules
from bot.ce.timing import local_now
from bot.storage.models import CEEntryRow
from bot.storage.store import Storage
from bot.telegram.formatting import esc, split_messages
from bot.telegram.sending import edit_or_send, send_html, send_retrying
from bot.text import quote_input

#: How long the Undo button of ``/ce delete`` works.
UNDO_SECONDS = 60

#: ``--since`` in ``/ce set`` (also "since", and the dash a phone makes of "--": "—since").
_SINCE_FLAG = re.compile(r"(?:^|\s)(?:[-\u2010-\u2014]{1,2})?since(?:[:=]|\s|$)", re.IGNORECASE)


def usage_text() -> str:
    """The /ce help (HTML)."""
    national = ", ".join(ce_credentials.CREDENTIALS)
    states = ", ".join(ce_credentials.state_credentials())
    return (
        "<b>Your CE log</b>\n"
        "/ce set &lt;credential&gt; &lt;expiration&gt; [--since &lt;date&gt;] — e.g. "
        "/ce set ptcb-cpht 2027-03-31 (also 3/31/2027 or March 2027). PTCB starts your cycle "
        "the day it approved your last recertification: add that day with --since, e.g. "
        "/ce set ptcb-cpht 2027-03-31 --since 2025-02-10\n"
        "/ce add &lt;hours&gt; &lt;topic&gt; [\"title\"] [date] [P] [+tag] — e.g. /ce add 2 law "
        "\"Federal pharmacy law update\"\n"
        "/ce add &lt;UAN&gt; &lt;hours&gt; [\"title\"] [date] [+tag] — e.g. "
        "/ce add 0009-0000-25-005-H05-T 1.5 (UANs starting with JA work too)\n"
        "Tags say which requirement an activity meets beyond its topic: +tx-law for a Texas "
        "pharmacy law course logged by its UAN (…-H03-T), +human-trafficking for the Texas "
        "human trafficking course, +accredited for accredited CE logged without its UAN, and "
        "one per required state topic (/ce tags lists yours). /ce tag &lt;n&gt; +tag adds one "
        "to an entry later, /ce tag &lt;n&gt; -tag removes it.\n"
        "/ce list shows each entry with its number (#12); that number stays the entry's "
        "own. /ce delete &lt;n&gt; (with an Undo button for a minute) · /ce edit &lt;n&gt; "
        "changes only what you name: /ce edit 12 hours 3, /ce edit 12 date 2026-03-14, "
        "/ce edit 12 title \"New title\", topic, uan (or uan none), audience, +tag, -tag\n"
        "/ce status — what is done and missing, with a chart · /ce export — CSV · /ce tags\n"
        "/ce import — fill the log from your CPE Monitor transcript (the PDF from your NABP "
        "e-Profile, or its text pasted)\n"
        "Topics: law, patient-safety, general, drug-therapy, hiv-aids, compounding, opioids, "
        "tx-law, human-trafficking (or an ACPE topic designator: 01, 03, 07…).\n"
        f"Credentials: {national}. States: {states} (other states: not confirmed yet)."
    )


def _storage(context: ContextTypes.DEFAULT_TYPE) -> Storage:
    return context.application.bot_data["services"].storage


async def _send(context, chat_id: int, html_text: str, **kwargs) -> None:
    await send_html(context, chat_id, html_text, **kwargs)


async def _send_file(context, chat_id: int, kind: str, data: bytes, filename: str,
                     caption: str) -> None:
    """A photo or a document, through the one retrying send path (a 502 is sent again, not
    answered with the apology). ``kind``: "photo" or "document"."""
    send = context.bot.send_photo if kind == "photo" else context.bot.send_document
    # a fresh InputFile per attempt: an upload reads its file
    await send_retrying(context, chat_id, lambda: send(
        chat_id, InputFile(io.BytesIO(data), filename=filename), caption=caption))


async def user_today(storage: Storage, user_id: int, now: dt.datetime | None = None) -> dt.date:
    user = await storage.get_user(user_id)
    return local_now(now or dt.datetime.now(dt.UTC), user.timezone if user else None).date()


def entry_fields(entry: ce_model.CEEntry) -> dict:
    return {
        "hours": entry.hours, "topic": entry.topic, "audience": entry.audience,
        "completed_on": entry.completed_on, "title": entry.title, "uan": entry.uan,
        "delivery": entry.delivery, "tags": " ".join(entry.tags) or None,
    }


async def _check_cycle(storage: Storage, user_id: int, entry: ce_model.CEEntry) -> list[str]:
    """An entry must fall in the cycle of at least one of the user's credentials. Returns the
    notices of the credentials that accept it but won't count it yet (a PTCB cycle start the
    user hasn't given)."""
    accepted, notices, problems = False, [], []
    for record in await storage.credentials(user_id):
        credential = ce_credentials.find(record.credential)
        if credential is None:
            continue
        try:
            notice = ce_rules.check_entry_for(
                credential, record.expiration, entry, since=record.cycle_start)
        except ce_model.CEInputError as exc:
            problems.append(exc)
            continue
        accepted = True
        if notice:
            notices.append(notice)
    if not accepted and problems:
        raise problems[0]
    return notices


def _notices_html(notices: list[str]) -> str:
    return "".join(f"\nℹ️ {esc(n)}" for n in notices)


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
            entry = ce_parsing.parse_add_args(args, await user_today(storage, user.id),
                                              tags=ce_credentials.all_tags())
            notices = await _check_cycle(storage, user.id, entry)
            await storage.add_entry(user.id, **entry_fields(entry))
            await _send(context, chat_id, "✅ Logged: " + esc(ce_model.describe_entry(entry))
                        + "\n/ce status shows what is still missing." + _notices_html(notices))
        elif sub == "list":
            await ce_list(update, context)
        elif sub in ("delete", "del", "remove"):
            await ce_delete(update, context, args)
        elif sub == "edit":
            await ce_edit(update, context, args)
        elif sub == "tag":
            await ce_tag(update, context, args)
        elif sub == "tags":
            await ce_tags(update, context)
        elif sub == "status":
            await send_status(update, context)
        elif sub == "export":
            await ce_export(update, context)
        else:
            await _send(context, chat_id, usage_text())
    except ce_model.CEInputError as exc:
        await _send(context, chat_id, "⚠️ " + esc(str(exc)))


async def _entry_by_number(storage: Storage, user_id: int, args: list[str]) -> CEEntryRow:
    """The entry whose own number (its id, shown in /ce list as #12) the user gave. The number
    never changes when entries are added, sorted or deleted."""
    typed = args[0].removeprefix("#") if args else ""
    try:
        number = int(typed)
    except ValueError:
        raise ce_model.CEInputError(
            "Tell me which entry by its number in /ce list, e.g. /ce delete 2 or "
            "/ce edit 2 hours 1.5."
        ) from None
    row = next((r for r in await storage.entries(user_id) if r.id == number), None)
    if row is None:
        raise ce_model.CEInputError(
            f"There is no entry #{quote_input(typed)} in your log. /ce list shows each entry's "
            "number."
        )
    return row


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def undo_keyboard(entry_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("↩️ Undo", callback_data=f"ce:undo:{entry_id}")]])


async def ce_delete(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """``/ce delete <n>``: by the entry's own number, with an Undo button for a minute."""
    user_id, storage = update.effective_user.id, _storage(context)
    row = await _entry_by_number(storage, user_id, args[:1])
    now = _utcnow()
    await storage.purge_deleted_entries(now - dt.timedelta(seconds=UNDO_SECONDS))
    await storage.delete_entry(user_id, row.id, now)
    await _send(context, update.effective_chat.id,
                f"🗑 Deleted #{row.id}: {esc(ce_model.describe_entry(row.to_entry()))}",
                reply_markup=undo_keyboard(row.id))


async def on_undo(update: Update, context: ContextTypes.DEFAULT_TYPE, entry_id: int) -> None:
    user_id, storage = update.effective_user.id, _storage(context)
    query = update.callback_query
    now = _utcnow()
    if await storage.restore_entry(user_id, entry_id, now - dt.timedelta(seconds=UNDO_SECONDS)):
        row = next(r for r in await storage.entries(user_id) if r.id == entry_id)
        await query.answer("Restored")
        await edit_or_send(update, context, f"↩️ Restored #{row.id}: "
                           + esc(ce_model.describe_entry(row.to_entry())))
        return
    if any(r.id == entry_id for r in await storage.entries(user_id)):
        await query.answer(f"Entry #{entry_id} is already back in your log.")
        return
    await storage.purge_deleted_entries(now - dt.timedelta(seconds=UNDO_SECONDS))
    await query.answer("Undo works only for a minute after deleting. Log the activity again "
                       "with /ce add.", show_alert=True)


async def ce_edit(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """``/ce edit <n> hours 3``: changes only what is named and shows before -> after."""
    user_id, storage = update.effective_user.id, _storage(context)
    row = await _entry_by_number(storage, user_id, args[:1])
    before = row.to_entry()
    after = ce_parsing.parse_edit_args(args[1:], before, await user_today(storage, user_id),
                                       tags=ce_credentials.all_tags(), number=str(row.id))
    if after == before:
        await _send(context, update.effective_chat.id,
                    f"Entry #{row.id} already says that: {esc(ce_model.describe_entry(after))}")
        return
    notices = []
    if after.completed_on != before.completed_on:
        notices = await _check_cycle(storage, user_id, after)
    old, new = entry_fields(before), entry_fields(after)
    await storage.replace_entry(user_id, row.id, **{k: v for k, v in new.items() if old[k] != v})
    lines = [f"✏️ Updated entry #{row.id}", *ce_model.describe_changes(before, after),
             f"Now: {ce_model.describe_entry(after)}"]
    await _send(context, update.effective_chat.id,
                esc("\n".join(lines)) + _notices_html(notices))


def credential_keyboard(profile_state: str | None = None) -> InlineKeyboardMarkup:
    """The national credentials and Texas, and the profile state's credential if it has one."""
    keys = list(ce_credentials.CREDENTIALS)
    if profile_state:
        key = ce_credentials.state_key(profile_state)
        if key not in keys and ce_credentials.find(key) is not None:
            keys.append(key)
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(ce_credentials.find(key).name[:60], callback_data=f"ce:set:{key}")]
        for key in keys
    ])


def _unknown_credential(word: str) -> ce_model.CEInputError:
    return ce_model.CEInputError(
        f"I don't know the credential “{quote_input(word)}”. I track: {', '.join(ce_credentials.CREDENTIALS)}, and "
        f"these state credentials: {', '.join(ce_credentials.state_credentials())}. "
        "Try: /ce set ptcb-cpht 2027-03-31"
    )


def split_since(words: list[str]) -> tuple[str, str | None]:
    """``["2027-03-31", "--since", "2025-02-10"]`` -> ``("2027-03-31", "2025-02-10")``."""
    text = " ".join(words)
    match = _SINCE_FLAG.search(text)
    if match is None:
        return text, None
    return text[:match.start()].strip(), text[match.end():].strip()


async def ce_set(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    storage = _storage(context)
    if not args:
        user = await storage.get_user(user_id)
        await _send(context, chat_id,
                    "Which credential? Tap it, then send its expiration date. For a state "
                    "registration or license: /ce set &lt;state code&gt;-tech, e.g. "
                    "/ce set fl-tech 2027-12-31.",
                    reply_markup=credential_keyboard(user.state if user else None))
        return
    key = args[0].lower()
    credential = ce_credentials.find(key)
    if credential is None:
        unconfirmed = ce_credentials.unconfirmed_message(key)
        if unconfirmed is not None:
            await _send(context, chat_id, "ℹ️ " + esc(unconfirmed))
            return
        raise _unknown_credential(args[0])
    expiration_text, since_text = split_since(args[1:])
    if not expiration_text:
        raise ce_model.CEInputError(
            f"Add the expiration date, e.g. /ce set {key} 2027-03-31 (or 3/31/2027, March 2027)."
        )
    today = await user_today(storage, user_id)
    expiration = ce_parsing.parse_expiration(expiration_text, today)
    since = None
    if since_text is not None:
        if not credential.cycle_starts_at_approval:
            raise ce_model.CEInputError(
                f"The {credential.name} cycle is set by its expiration date, so leave out "
                f"--since: /ce set {key} {expiration.isoformat()}"
            )
        since = ce_parsing.parse_cycle_start(since_text, expiration, today, credential.body)
    await storage.set_credential(user_id, key, expiration, cycle_start=since)
    record = next(r for r in await storage.credentials(user_id) if r.credential == key)
    lines = [(f"✅ {esc(credential.name)}: expires {expiration.isoformat()}. "
              "I'll remind you before renewal deadlines (/nudges off to stop). "
              "Log CE with /ce add; /ce status shows progress.")]
    start = ce_rules.cycle_start(credential, expiration, record.cycle_start)
    if credential.cycle_starts_at_approval and record.cycle_start is not None:
        lines.append(f"Your CE cycle: {start.isoformat()} to {expiration.isoformat()}.")
    elif credential.cycle_starts_at_approval:
        lines.append(
            f"When did {esc(credential.body)} approve your last recertification? Your CE cycle "
            f"starts that day. Until you tell me, I assume {start.isoformat()}; if you know it, "
            f"send /ce set {key} {expiration.isoformat()} --since YYYY-MM-DD")
    if credential.topic_rules and credential.state != "TX":
        lines.append("Mark CE that meets a required topic with its tag: /ce tags.")
    if credential.state is not None:
        lines.append(f"Confirm the rules with {esc(credential.body)}: "
                     f"{esc(credential.confirm_at)}")
    await _send(context, chat_id, "\n".join(lines))


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    action, key = parts
    if action == "undo":
        entry_id = int(key)
        if not 0 < entry_id < 2**63:  # no such row; too big for the database's integers
            raise ValueError("malformed undo button")
        await on_undo(update, context, entry_id)
        return
    credential = ce_credentials.find(key)
    if action != "set" or credential is None:
        raise ValueError("malformed CE button")
    await update.callback_query.answer()
    await _send(context, update.effective_chat.id,
                f"Send the expiration date of your {esc(credential.name)}: "
                f"/ce set {key} 2027-03-31 (or 3/31/2027, March 2027)")


async def ce_tag(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """``/ce tag <n> +tag -tag``: add or remove tags on a logged entry."""
    user_id = update.effective_user.id
    storage = _storage(context)
    row = await _entry_by_number(storage, user_id, args[:1])
    changes = args[1:]
    if not changes:
        raise ce_model.CEInputError(
            "Tell me the tags to add (+tag) or remove (-tag), e.g. /ce tag 2 +tx-law. "
            "/ce tags lists the tags of your credentials."
        )
    known = ce_credentials.all_tags()
    tags = list(row.to_entry().tags)
    for word in changes:
        if word.startswith("+"):
            tag = ce_parsing.parse_tag(word, known)
            if tag not in tags:
                tags.append(tag)
        elif word.startswith("-") and len(word) > 1:
            tag = ce_parsing.parse_tag("+" + word[1:], known)
            tags = [t for t in tags if t != tag]
        else:
            raise ce_model.CEInputError(
                f"Put + before a tag to add it or - to remove it, e.g. /ce tag {row.id} +tx-law "
                f"(not “{quote_input(word)}”)."
            )
    entry = replace(row.to_entry(), tags=tuple(tags))
    await storage.replace_entry(user_id, row.id, tags=" ".join(tags) or None)
    await _send(context, update.effective_chat.id,
                f"🏷 Entry #{row.id}: {esc(ce_model.describe_entry(entry))}")


async def ce_tags(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The tags that matter to the user's credentials."""
    records = await _storage(context).credentials(update.effective_user.id)
    credentials = [c for r in records if (c := ce_credentials.find(r.credential)) is not None]
    lines = ce_credentials.tag_lines(credentials)
    if not lines:
        text = (
            "None of your credentials needs tags. A tag says which requirement an activity "
            "meets beyond its topic: +tx-law for a Texas pharmacy law course logged by its UAN, "
            "or a state's required topic such as +fl-hiv-aids. Set your state's credential "
            "first, e.g. /ce set fl-tech 2027-12-31."
        )
    else:
        text = (
            "<b>Tags for your credentials</b>\nPut one on the /ce add line, e.g. "
            "/ce add 1 general \"Course title\" +tag, or add it later: /ce tag &lt;n&gt; +tag\n"
            + "\n".join(esc(line) for line in lines)
        )
    await _send(context, update.effective_chat.id, text)


async def ce_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rows = await _storage(context).entries(update.effective_user.id)
    if not rows:
        await _send(context, update.effective_chat.id,
                    "Your CE log is empty. Add an activity: /ce add 2 law \"Federal law update\"")
        return
    total = sum(r.hours for r in rows)
    lines = [f"<b>Your CE log</b> ({len(rows)} entries, {ce_model.format_hours(total)} h)"]
    lines += [f"#{r.id} · {esc(ce_model.describe_entry(r.to_entry()))}" for r in rows]
    for message in split_messages(lines):
        await _send(context, update.effective_chat.id, message)


async def statuses_for(storage: Storage, user_id: int, today: dt.date) -> list[ce_rules.CEStatus]:
    entries = [r.to_entry() for r in await storage.entries(user_id)]
    return [
        ce_rules.ce_status(credential, r.expiration, entries, today, since=r.cycle_start)
        for r in await storage.credentials(user_id)
        if (credential := ce_credentials.find(r.credential)) is not None
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
    from bot.ce.chart import status_chart_png  # matplotlib: loaded by the first /ce status only

    png = await asyncio.to_thread(status_chart_png, statuses)
    await _send_file(context, chat_id, "photo", png, "ce-status.png", "Your CE progress")


#: A cell starting with one of these is run as a formula by spreadsheets (CSV injection):
#: = + - @, tab and carriage return, and their full-width forms.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows as text: a cell that would start a
    formula (even after leading spaces) gets a leading apostrophe, as OWASP recommends."""
    if text.lstrip(" ").startswith(_FORMULA_LEADS) or text.startswith(_FORMULA_LEADS):
        return "'" + text
    return text


async def ce_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The CE log as CSV; ``id`` is the entry's number in /ce list."""
    rows = await _storage(context).entries(update.effective_user.id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "date", "hours", "topic", "audience", "delivery", "uan", "title",
                     "tags"])
    for r in rows:
        writer.writerow([r.id, r.completed_on.isoformat(), f"{r.hours:g}", *(
            spreadsheet_cell(value or "") for value in (
                r.topic, r.audience, r.delivery, r.uan, r.title, r.tags))])
    data = buffer.getvalue().encode("utf-8")
    await _send_file(context, update.effective_chat.id, "document", data, "ce-log.csv",
                     f"Your CE log: {len(rows)} entries")
