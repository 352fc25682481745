"""CE in plain words in a private chat: personal CE questions answered from the user's own log,
and activities and expirations logged from a sentence after the user confirms.

The reading is :func:`bot.ce.wording.read_message` (pure); this module only turns it into
replies and buttons. It runs after the message's safety reading (the ``Reply`` the answer path
built carries it): a crisis, emergency or medication message is never read here.

Nothing is written before the user taps "Log it" or "Save it". The proposal lives in the
buttons' callback data (``cw:...``, at most 64 bytes): ``cw:<act>:<hours>:<topic or
UAN>:<yyyymmdd>:<T|P>:<title>`` for an activity (``-`` for a piece not known yet), ``cw:s:<credential>:<yyyymmdd>``
to save an expiration. A title too long for a button is left out, and the reply says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.answers.reply import Reply
from bot.ce import credentials as ce_credentials
from bot.ce import model as ce_model
from bot.ce import parsing as ce_parsing
from bot.ce import wording
from bot.telegram.formatting import esc
from bot.telegram.handlers import ce as ce_chat
from bot.telegram.sending import edit_or_send, send_html
from bot.telegram.services import services

log = logging.getLogger(__name__)

PREFIX = "cw"
MAX_CALLBACK_BYTES = 64
#: Replies from the safety reading that are never read as CE.
_NOT_READ = ("crisis", "emergency", "language")
TRACK_LINE = "Tell me your credential and expiration date and I'll track it."
HOUR_CHOICES = ("0.5", "1", "1.5", "2", "3")
TOPIC_CHOICES = (
    ("law", "Law"), ("patient-safety", "Patient safety"), ("general", "General"),
    ("drug-therapy", "Drug therapy"), ("compounding", "Compounding"), ("opioids", "Opioids"),
    ("hiv-aids", "HIV/AIDS"), ("tx-law", "Texas law"), ("human-trafficking", "Human trafficking"),
)  # fmt: skip


@dataclass
class Outcome:
    """What reading the message did: ``handled`` (a personal reply was sent; the knowledge
    answer is not), or a line and a button to add to the knowledge answer."""

    handled: bool = False
    note: str = ""
    button: InlineKeyboardButton | None = None


def may_read(reply: Reply) -> bool:
    """Never a crisis, someone else in crisis or an emergency; English only."""
    return reply.kind not in _NOT_READ and reply.safety in ("none", "distress", "medical")


def _medical_but_ce(question: str, reading: wording.Reading) -> bool:
    """A medication redirect that is really the user's own CE ("did 2 hours opioid ce"):
    read as CE only when it asks for a personal CE action and names CE itself."""
    return reading.intent in wording.PERSONAL and wording.names_ce(question)


# --- the proposal in callback data -----------------------------------------------------------


def encode(act: str, p: wording.LogProposal, with_title: bool = True) -> str:
    hours = ce_model.format_hours(p.hours) if p.hours is not None else "-"
    what = p.uan or p.topic or "-"
    day = p.completed_on.strftime("%Y%m%d") if p.completed_on else "-"
    data = f"{PREFIX}:{act}:{hours}:{what}:{day}:{p.audience}"
    if with_title and p.title:
        data += ":" + p.title
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return encode(act, p, with_title=False)
    return data


def decode(parts: list[str], today: dt.date) -> wording.LogProposal:
    """The proposal of ``cw:<act>:...`` (``parts`` after the act), checked with the same
    parsers as typed input; ValueError (a stale or forged button) if it doesn't read."""
    hours, what, day, audience, *title = parts
    if audience not in ce_model.AUDIENCES:
        raise ValueError("bad audience")
    try:
        p = wording.LogProposal(
            hours=ce_parsing.parse_hours(hours) if hours != "-" else None,
            completed_on=dt.datetime.strptime(day, "%Y%m%d").date() if day != "-" else None,
            audience=audience, title=":".join(title))
        if what.count("-") >= 3:
            uan = ce_parsing.parse_uan(what)
            return replace(p, uan=uan.text, topic=uan.topic, audience=uan.audience,
                           delivery=uan.delivery)
        return replace(p, topic=ce_parsing.parse_topic(what) if what != "-" else None)
    except ce_model.CEInputError as exc:
        raise ValueError(str(exc)) from None


def add_command(p: wording.LogProposal) -> str:
    """The ``/ce add`` line of a complete proposal, to copy and change."""
    hours = ce_model.format_hours(p.hours)
    head = f"/ce add {p.uan} {hours}" if p.uan else f"/ce add {hours} {p.topic}"
    title = f' "{p.title}"' if p.title else ""
    audience = " P" if p.audience == "P" and not p.uan else ""
    return f"{head}{title} {p.completed_on.isoformat()}{audience}"


# --- replies ------------------------------------------------------------------------------------


def _status_button() -> InlineKeyboardButton:
    return InlineKeyboardButton("📋 Full /ce status", callback_data=f"{PREFIX}:st")


def _track_button() -> InlineKeyboardButton:
    return InlineKeyboardButton("Track my CE (/ce set)", callback_data=f"{PREFIX}:set")


def _ask(p: wording.LogProposal, today: dt.date) -> tuple[str, InlineKeyboardMarkup]:
    """The next question about a proposal, or the confirmation once nothing is missing."""
    cancel = InlineKeyboardButton("Cancel", callback_data=f"{PREFIX}:x")
    understood = _understood(p)
    if "hours" in p.missing:
        row = [InlineKeyboardButton(h, callback_data=encode("a", replace(
            p, hours=float(h)))) for h in HOUR_CHOICES]
        text = (f"{understood}How many hours was it? Tap one, or send the whole line, e.g. "
                f"{esc(ce_parsing.ADD_EXAMPLE)}")
        return text, InlineKeyboardMarkup([row, [cancel]])
    if "topic" in p.missing:
        buttons = [InlineKeyboardButton(label, callback_data=encode("a", replace(p, topic=key)))
                   for key, label in TOPIC_CHOICES]
        rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
        return f"{understood}Which topic was it?", InlineKeyboardMarkup([*rows, [cancel]])
    if "date" in p.missing:
        text = (f"{understood}When did you finish it? (Or send it all again with the date, "
                "e.g. \u201c2 hrs of law ce on march 14\u201d.)")
        days = [InlineKeyboardButton(label, callback_data=encode("a", replace(
            p, completed_on=today - dt.timedelta(days=back))))
            for label, back in (("Today", 0), ("Yesterday", 1))]
        return text, InlineKeyboardMarkup([days, [cancel]])
    entry = p.entry()
    text = f"Log this?\n{esc(ce_model.describe_entry(entry))}"
    if p.title and not encode("y", p).endswith(":" + p.title):
        text += ("\n(The title is too long to keep in a button; to log it with its title, send "
                 f"<code>{esc(add_command(p))}</code>)")
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ Log it", callback_data=encode("y", p)),
        InlineKeyboardButton("✏️ Edit", callback_data=encode("e", p)),
        cancel,
    ]])
    return text, keyboard


def _understood(p: wording.LogProposal) -> str:
    parts = []
    if p.hours is not None:
        parts.append(f"{ce_model.format_hours(p.hours)} h")
    if p.uan:
        parts.append(f"UAN {p.uan}")
    elif p.topic:
        parts.append(ce_model.topic_label(p.topic))
    if p.completed_on:
        parts.append(p.completed_on.isoformat())
    if p.title:
        parts.append(f"\u201c{p.title}\u201d")
    return f"To log: {esc(' · '.join(parts))}\n" if parts else "Let's log that CE.\n"


def _set_keyboard(proposal: wording.SetProposal) -> InlineKeyboardMarkup:
    day = proposal.expiration.strftime("%Y%m%d")
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("✅ Save it", callback_data=f"{PREFIX}:s:{proposal.credential}:{day}"),
        InlineKeyboardButton("✏️ Other credential", callback_data=f"{PREFIX}:se:{day}"),
        InlineKeyboardButton("Cancel", callback_data=f"{PREFIX}:x"),
    ]])


def _set_text(proposal: wording.SetProposal) -> str:
    credential = ce_credentials.find(proposal.credential)
    return (f"Track this?\n{esc(credential.name)}: expires "
            f"{proposal.expiration.isoformat()}\nI'll remind you before renewal deadlines.")


# --- the entry from the question handler ------------------------------------------------------


async def route(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int, question: str,
                reply: Reply) -> Outcome:
    """Read a private message for the CE tracker, after its safety reading (``reply``)."""
    if not may_read(reply):
        return Outcome()
    storage = services(context).storage
    today = await ce_chat.user_today(storage, user_id)
    reading = wording.read_message(question, today)
    if (reply.kind == "medical" or reply.safety == "medical") and not _medical_but_ce(
            question, reading):
        return Outcome()
    distress = f"\n\n{esc(templates.DISTRESS_LINE)}" if reply.safety == "distress" else ""
    if reading.intent in ("log", "set"):
        if reading.problem:
            text = "⚠️ " + esc(reading.problem) + "\nNothing was saved."
            await send_html(context, chat_id, text + distress)
            return Outcome(handled=True)
        if reading.log is not None:
            text, keyboard = _ask(reading.log, today)
        else:
            text, keyboard = _set_text(reading.set), _set_keyboard(reading.set)
        await send_html(context, chat_id, text + distress, reply_markup=keyboard)
        return Outcome(handled=True)
    if reading.intent not in ("status", "question"):
        return Outcome()
    statuses = await ce_chat.statuses_for(storage, user_id, today)
    if not statuses:
        if reading.intent == "status":
            return Outcome(note=TRACK_LINE, button=_track_button())
        return Outcome()
    if reading.intent == "question":
        return Outcome(note=" ".join(wording.to_go_line(s) for s in statuses))
    text = "\n\n".join(esc(wording.status_sentences(s)) for s in statuses)
    await send_html(context, chat_id, text + distress,
                    reply_markup=InlineKeyboardMarkup([[_status_button()]]))
    return Outcome(handled=True)


# --- buttons ------------------------------------------------------------------------------------


async def _already_logged(storage, user_id: int, entry: ce_model.CEEntry) -> bool:
    """The same activity written in the last two minutes: a second tap on "Log it"."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    for row in await storage.entries(user_id):
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(
            tzinfo=dt.UTC)
        if created >= since and row.to_entry() == entry:
            return True
    return False


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE,
                      parts: list[str]) -> None:
    act, rest = parts[0], parts[1:]
    query = update.callback_query
    storage = services(context).storage
    user_id = update.effective_user.id
    if act == "x":
        await query.answer()
        await edit_or_send(update, context, "Cancelled \u2014 nothing was logged.")
        return
    if act == "st":
        await query.answer()
        await ce_chat.send_status(update, context)
        return
    if act == "set":
        await query.answer()
        await ce_chat.ce_set(update, context, [])
        return
    if act == "s":
        key, day = rest
        if ce_credentials.find(key) is None:
            raise ValueError("unknown credential")
        expiration = dt.datetime.strptime(day, "%Y%m%d").date()
        await query.answer()
        await edit_or_send(update, context, f"Saving: {esc(key)} expires {expiration.isoformat()}")
        try:
            await ce_chat.ce_set(update, context, [key, expiration.isoformat()])
        except ce_model.CEInputError as exc:
            await send_html(context, update.effective_chat.id, "⚠️ " + esc(str(exc)))
        return
    if act == "se":
        (day,) = rest
        expiration = dt.datetime.strptime(day, "%Y%m%d").date()
        await query.answer()
        user = await storage.get_user(user_id)
        keys = list(ce_credentials.CREDENTIALS)
        state = ce_credentials.state_key(user.state) if user is not None and user.state else None
        if state and state not in keys and ce_credentials.find(state) is not None:
            keys.append(state)
        rows = [[InlineKeyboardButton(ce_credentials.find(k).name[:60],
                                      callback_data=f"{PREFIX}:s:{k}:{day}")] for k in keys]
        await edit_or_send(update, context,
                           f"Which credential expires on {expiration.isoformat()}?",
                           reply_markup=InlineKeyboardMarkup(rows))
        return
    today = await ce_chat.user_today(storage, user_id)
    proposal = decode(rest, today)
    if act == "a":
        await query.answer()
        text, keyboard = _ask(proposal, today)
        await edit_or_send(update, context, text, reply_markup=keyboard)
        return
    if act == "e":
        await query.answer()
        await _edit(update, context, proposal, today)
        return
    if act != "y":
        raise ValueError(f"unknown CE words button {act!r}")
    entry = proposal.entry()
    if await _already_logged(storage, user_id, entry):
        await query.answer("That activity is already in your log.")
        return
    try:
        entry = replace(entry, completed_on=ce_parsing.parse_ce_date(
            entry.completed_on.isoformat(), today))
        notices = await ce_chat._check_cycle(storage, user_id, entry)
    except ce_model.CEInputError as exc:
        await query.answer()
        await edit_or_send(update, context, "⚠️ " + esc(str(exc)) + "\nNothing was logged.")
        return
    await storage.add_entry(user_id, **ce_chat.entry_fields(entry))
    await query.answer("Logged")
    await edit_or_send(
        update, context,
        "✅ Logged: " + esc(ce_model.describe_entry(entry)) + "".join(
            f"\nℹ️ {esc(n)}" for n in notices),
        reply_markup=InlineKeyboardMarkup([[_status_button()]]))


async def _edit(update: Update, context: ContextTypes.DEFAULT_TYPE,
                p: wording.LogProposal, today: dt.date) -> None:
    """Change one piece with a tap (the topic, the day, the hours), or copy the ``/ce add``
    line, fix it and send it."""
    rows = []
    if not p.uan:
        buttons = [InlineKeyboardButton(label, callback_data=encode("a", replace(p, topic=key)))
                   for key, label in TOPIC_CHOICES if key != p.topic]
        rows += [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append([InlineKeyboardButton(f"{h} h", callback_data=encode("a", replace(
        p, hours=float(h)))) for h in HOUR_CHOICES if float(h) != p.hours])
    rows.append([
        InlineKeyboardButton("Today", callback_data=encode("a", replace(p, completed_on=today))),
        InlineKeyboardButton("Yesterday", callback_data=encode("a", replace(
            p, completed_on=today - dt.timedelta(days=1)))),
        InlineKeyboardButton("Cancel", callback_data=f"{PREFIX}:x")])
    await edit_or_send(
        update, context,
        f"{_understood(p)}Tap what to change, or copy this line, fix it and send it:\n"
        f"<code>{esc(add_command(p))}</code>",
        reply_markup=InlineKeyboardMarkup(rows))
