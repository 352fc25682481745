"""/path and /state: the roadmap with a button per step, and a state's technician rules."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.answers.compose import Replier
from bot.career import model as career
from bot.content import states
from bot.storage.models import User
from bot.telegram.formatting import esc, link, split_messages
from bot.telegram.handlers import ce as ce_chat
from bot.telegram.handlers.questions import ask_from_button
from bot.telegram.sending import send_html
from bot.telegram.services import BotServices, services
from bot.text import quote_input, split_sentences

# --- /state --------------------------------------------------------------------------------


def state_card_html(record: states.Jurisdiction) -> str:
    """A state's rules: each line with its numbered sources, then the source list."""
    numbers: dict[str, int] = {}
    cited: list[states.Source] = []
    lines = [f"<b>Pharmacy technician rules in {esc(record.name)}</b>",
             f"Board: {link(record.board.name, record.board.url)}"]
    for text, sources in states.card_lines(record):
        marks = []
        for src in sources:
            if src.url not in numbers:
                numbers[src.url] = len(numbers) + 1
                cited.append(src)
            marks.append(f"[{numbers[src.url]}]")
        lines.append(f"• {esc(text)} {''.join(dict.fromkeys(marks))}")
    lines.append("")
    lines.append("Sources:")
    lines.extend(f"[{n}] {link(src.title, src.url)} ({esc(src.as_of)})"
                 for n, src in enumerate(cited, 1))
    return "\n".join(lines)


def resolve_state(text: str) -> str | None:
    """A two-letter code or a state's name, as typed after /state."""
    text = text.strip()
    records = states.all_states()
    if text.upper() in records:
        return text.upper()
    found = states.find_states(text, records)
    return found[0] if found else None


async def cmd_state(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/state [name]: a state's technician rules; no argument: the profile's state."""
    svc = services(context)
    chat_id = update.effective_chat.id
    arg = " ".join(context.args or [])
    if arg:
        code = resolve_state(arg)
        if code is None:
            await send_html(context, chat_id, esc(templates.UNKNOWN_STATE.format(
                typed=quote_input(arg))))
            return
    else:
        user = await svc.storage.get_user(update.effective_user.id)
        code = user.state if user is not None else None
        if code not in states.all_states():
            await send_html(context, chat_id, esc(templates.STATE_NOT_SET),
                            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(
                                "Set my state", callback_data="pf:state")]]))
            return
    for chunk in split_messages(state_card_html(states.all_states()[code]).split("\n\n")):
        await send_html(context, chat_id, chunk)


# --- /path ---------------------------------------------------------------------------------

STEP_MARKS = {"done": "✅", "current": "📍", "next": "➡️", "later": "▫️"}


def user_profile(user: User | None) -> career.Profile:
    if user is None:
        return career.Profile(status=None, setting=None)
    return career.Profile(
        status=user.status if user.status in career.STATUS_LABELS else None,
        setting=user.setting if user.setting in career.SETTING_LABELS else None,
        interests=tuple(i for i in (user.interests or []) if i in career.INTEREST_LABELS),
        state=user.state,
    )


def stage_overview_line(replier: Replier, stage_id: str) -> str:
    """The first sentence of the knowledge base's overview document for a stage."""
    overview = [
        p for p in replier.retriever.passages.values()
        if p.stage_overview and p.stage == stage_id and p.blocks
    ]
    if not overview:
        return ""
    first = min(overview, key=lambda p: p.seq).blocks[0]["text"]
    return split_sentences(first)[0]


def roadmap_html(roadmap: career.Roadmap, overview: str) -> str:
    """The roadmap at a glance (well under 1,200 visible characters on a phone): where you
    are, the next milestone, one line per stage; each step's detail is behind its button."""
    lines = [
        "<b>Your roadmap</b>",
        f"📍 You are at: <b>{esc(roadmap.current.name)}</b>",
        f"➡️ Next milestone: <b>{esc(roadmap.next_milestone)}</b>",
    ]
    if overview:
        lines.append(f"<i>{esc(overview)}</i>")
    lines.append("")
    for step in roadmap.steps:
        line = f"{STEP_MARKS[step.status]} {step.stage.number}. {esc(step.title)}"
        if step.stage.id == "foundation" and roadmap.board is not None:
            line += f" — {link(*roadmap.board)}"  # the registration step names the board
        lines.append(line)
    if roadmap.notes:
        lines.append("")
        lines.append(f"<i>{esc(roadmap.notes[0])}</i>")
    lines.append("")
    lines.append("Tap a step for what it takes, with sources.")
    return "\n".join(lines)


def step_html(step: career.RoadmapStep) -> str:
    """One step in full: what it asks, each requirement with its source."""
    lines = [(f"{STEP_MARKS[step.status]} <b>{step.stage.number}. {esc(step.stage.name)}</b>"
             f" — {esc(step.title)}")]
    if step.detail:
        lines.append(esc(step.detail))
    for req in step.requirements[:8]:
        flag = " (unconfirmed)" if req.uncertain else ""
        lines.append(f"• {esc(req.text)}{flag} — {link(req.source.title, req.source.url)}"
                     f" ({esc(req.source.as_of)})")
    return "\n".join(lines)


def roadmap_keyboard(roadmap: career.Roadmap) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(f"{step.stage.number}. {step.stage.name}"[:60],
                              callback_data=f"pa:{step.stage.id}")]
        for step in roadmap.steps
    ])


async def user_roadmap(svc: BotServices, user_id: int) -> career.Roadmap:
    user = await svc.storage.get_user(user_id)
    profile = user_profile(user)
    return career.build_roadmap(profile, states.all_states().get(profile.state or ""))


async def cmd_path(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    roadmap = await user_roadmap(svc, update.effective_user.id)
    text = roadmap_html(roadmap, stage_overview_line(svc.replier, roadmap.current.id))
    chunks = split_messages(text.split("\n\n"))
    for i, chunk in enumerate(chunks):
        kwargs = {"reply_markup": roadmap_keyboard(roadmap)} if i == len(chunks) - 1 else {}
        await send_html(context, update.effective_chat.id, chunk, **kwargs)


async def on_path_step(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    """A roadmap step's button: the step in full, with a button to ask about it."""
    (stage_id,) = parts
    if stage_id not in career.STAGE_BY_ID:
        raise ValueError("malformed roadmap button")
    await update.callback_query.answer()
    step = (await user_roadmap(services(context), update.effective_user.id)).step(stage_id)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        f"❓ {step.ask}"[:60], callback_data=f"pq:{stage_id}")]])
    for chunk in split_messages(step_html(step).split("\n\n")):
        await send_html(context, update.effective_chat.id, chunk, reply_markup=keyboard)


async def on_path_ask(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    (stage_id,) = parts
    if stage_id not in career.STAGE_BY_ID:
        raise ValueError("malformed roadmap button")
    svc = services(context)
    await update.callback_query.answer()
    step = (await user_roadmap(svc, update.effective_user.id)).step(stage_id)
    if step.ask.startswith("/ce"):
        await ce_chat.send_status(update, context)
        return
    await ask_from_button(update, context, step.ask)
