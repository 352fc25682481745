"""The Telegram front end: handlers stay thin and call the answer engine, storage and rules.

Wiring follows python-telegram-bot's own examples: small `async def handler(update, context)`
functions, one `build_application` that registers them, one error handler, and a named
repeating job for renewal nudges (its state lives in the database, so a restart resumes it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sys
import time
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import career, metrics, states, templates
from bot.batching import AnswerBatcher
from bot.ce import chat as ce_chat
from bot.ce import nudges
from bot.ce.timing import quiet_after_crisis, snooze_until
from bot.formatting import esc, link, quote_input, reply_blocks, split_messages
from bot.inbox import BotApiRequest
from bot.knowledge import TOPICS
from bot.replies import Replier, Reply
from bot.sending import edit_or_send, send_html
from bot.settings import Settings
from bot.storage import Storage, User

log = logging.getLogger(__name__)

NUDGE_JOB = "renewal-nudges"
#: The update kinds the handlers use: what `python -m bot webhook set` asks Telegram for.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
TIMEZONE_CHOICES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
)


class QuestionRateLimiter:
    """At most `limit` questions per user in any `window` seconds; memory stays bounded.

    :meth:`check` also says whether to tell the user to wait: once per window, so a flood of
    messages never draws a flood of "please wait" replies."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit, self.window = limit, window
        self._seen: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}

    def allow(self, user_id: int, now: float) -> bool:
        times = self._seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        if len(self._seen) > 10_000:
            self._seen = {u: t for u, t in self._seen.items() if t and now - t[-1] < self.window}
            self._told = {u: t for u, t in self._told.items() if now - t < self.window}
        return True

    def check(self, user_id: int, now: float) -> tuple[bool, bool]:
        """(allowed, tell the user to wait)."""
        if self.allow(user_id, now):
            return True, False
        told = self._told.get(user_id)
        if told is not None and now - told < self.window:
            return False, False
        self._told[user_id] = now
        return False, True

    def forget(self, user_id: int) -> None:
        self._seen.pop(user_id, None)
        self._told.pop(user_id, None)

    async def admit(self, user_id: int) -> tuple[bool, bool]:
        """:meth:`check` now; the same call as the webhook mode's limiter across replicas
        (:class:`bot.inbox.SharedQuestionLimiter`)."""
        return self.check(user_id, time.monotonic())


@dataclass
class _ChatLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # updates holding or waiting for the lock


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat are handled in order; different chats are handled concurrently
    (up to `max_concurrent_updates`). A slow answer for one user never delays another, and a
    user's "/ce add" is always logged before their next "/ce status".

    The chat's lock is taken *before* a concurrency slot, so updates queued behind a busy chat
    wait without holding slots other chats need; a lock is dropped only when no update holds or
    waits for it, so the table stays bounded and never splits one chat in two."""

    def __init__(self, max_concurrent_updates: int):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, _ChatLock] = {}

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else None
        entry = self._locks.setdefault(key, _ChatLock())
        entry.users += 1
        try:
            async with entry.lock, self._semaphore:
                await self.do_process_update(update, coroutine)
        finally:
            entry.users -= 1
            if entry.users == 0 and self._locks.get(key) is entry:
                del self._locks[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    @property
    def tracked_chats(self) -> int:
        return len(self._locks)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


@dataclass
class BotServices:
    """What handlers need, built once per process and kept in `application.bot_data`."""

    settings: Settings
    replier: Replier
    storage: Storage
    limiter: QuestionRateLimiter = field(init=False)
    batcher: AnswerBatcher = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = QuestionRateLimiter(self.settings.questions_per_minute)
        if self.settings.bot_mode == "webhook":  # replicas: count questions in the database
            from bot.inbox import SharedQuestionLimiter

            self.limiter = SharedQuestionLimiter(self.storage, self.limiter)
        self.batcher = AnswerBatcher(self.replier)


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data["services"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(context, update.effective_chat.id, esc(templates.NOT_TEXT))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(context, update.effective_chat.id, esc(templates.UNKNOWN_COMMAND))


# --- /start, onboarding and /profile --------------------------------------------------------

ONBOARD_ORDER = ("status", "setting", "interest", "state")
ONBOARD_CHOICES: dict[str, dict[str, str]] = {
    "status": career.STATUS_LABELS,
    "setting": career.SETTING_LABELS,
    "interest": career.INTEREST_LABELS,
    "state": career.US_STATE_NAMES,
}


def onboarding_keyboard(step: str, mode: str) -> InlineKeyboardMarkup:
    """mode "o": the onboarding chain; mode "p": change one answer from /profile."""
    choices = ONBOARD_CHOICES[step]
    per_row = 6 if step == "state" else 2
    buttons = [
        InlineKeyboardButton(code if step == "state" else label, callback_data=f"ob:{mode}:{step}:{code}")
        for code, label in choices.items()
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    rows.append([InlineKeyboardButton("Skip", callback_data=f"ob:{mode}:{step}:-")])
    return InlineKeyboardMarkup(rows)


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, chat = update.effective_user, update.effective_chat
    await services(context).storage.touch_user(user.id, chat_id=chat.id, first_name=user.first_name)
    name = f", {user.first_name}" if user.first_name else ""
    await send_html(context, chat.id, esc(templates.WELCOME.format(name=name)))
    await send_html(
        context, chat.id,
        f"{esc(templates.ONBOARDING_INTRO)}\n\n<b>{esc(templates.ONBOARD_QUESTIONS['status'])}</b>",
        reply_markup=onboarding_keyboard("status", "o"),
    )


def profile_text(user: User | None) -> str:
    def label(step: str, value: str | None) -> str:
        return ONBOARD_CHOICES[step].get(value or "", "not set")

    interests = ", ".join(label("interest", i) for i in (user.interests if user else [])) or "not set"
    lines = [
        "<b>Your profile</b>",
        f"Where you are: {esc(label('status', user and user.status))}",
        f"Setting: {esc(label('setting', user and user.setting))}",
        f"Interests: {esc(interests)}",
        f"State: {esc(label('state', user and user.state))}",
        f"Time zone: {esc(user.timezone if user else 'America/New_York')}",
        f"Renewal reminders: {'on' if (user is None or user.nudges_enabled) else 'off'}",
    ]
    return "\n".join(lines)


def profile_keyboard() -> InlineKeyboardMarkup:
    names = {"status": "Where I am", "setting": "Setting", "interest": "Interest", "state": "State"}
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(f"Change: {names[s]}", callback_data=f"pf:{s}") for s in ONBOARD_ORDER[:2]],
        [InlineKeyboardButton(f"Change: {names[s]}", callback_data=f"pf:{s}") for s in ONBOARD_ORDER[2:]],
    ])


async def cmd_profile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = await services(context).storage.get_user(update.effective_user.id)
    await send_html(context, update.effective_chat.id, profile_text(user),
                    reply_markup=profile_keyboard())


async def on_onboarding(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    mode, step, value = parts
    if mode not in ("o", "p") or step not in ONBOARD_CHOICES or (
        value != "-" and value not in ONBOARD_CHOICES[step]
    ):
        raise ValueError("malformed onboarding button")
    svc, query = services(context), update.callback_query
    user_id = update.effective_user.id
    if value != "-":
        field_value = [value] if step == "interest" else value
        field_name = "interests" if step == "interest" else step
        await svc.storage.update_profile(user_id, **{field_name: field_value})
    await query.answer("Saved" if value != "-" else "Skipped")
    nxt = ONBOARD_ORDER.index(step) + 1
    if mode == "o" and nxt < len(ONBOARD_ORDER):
        following = ONBOARD_ORDER[nxt]
        await query.edit_message_text(
            f"<b>{esc(templates.ONBOARD_QUESTIONS[following])}</b>", parse_mode=ParseMode.HTML,
            reply_markup=onboarding_keyboard(following, mode),
        )
    elif mode == "o":
        await edit_or_send(update, context, esc(templates.ONBOARDING_DONE))
    else:
        user = await svc.storage.get_user(user_id)
        await query.edit_message_text(profile_text(user), parse_mode=ParseMode.HTML,
                                      reply_markup=profile_keyboard())


async def on_profile_change(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    (step,) = parts
    if step not in ONBOARD_CHOICES:
        raise ValueError("malformed profile button")
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(
        f"<b>{esc(templates.ONBOARD_QUESTIONS[step])}</b>", parse_mode=ParseMode.HTML,
        reply_markup=onboarding_keyboard(step, "p"),
    )


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
    from bot.replies import split_sentences

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


# --- /help, /forget, /nudges, /settings ------------------------------------------------------


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(context, update.effective_chat.id, templates.HELP)


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


async def set_nudges(update: Update, context: ContextTypes.DEFAULT_TYPE, enabled: bool) -> str:
    user = update.effective_user
    await services(context).storage.touch_user(user.id, chat_id=update.effective_chat.id)
    await services(context).storage.update_profile(user.id, nudges_enabled=enabled)
    return ("Renewal reminders are on. I'll remind you 90, 60, 30, 14, 7 and 1 days before "
            "expiration, between 08:00 and 21:00 your time." if enabled else
            "Renewal reminders are off. /nudges on turns them back on.")


async def cmd_nudges(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    arg = (context.args[0].lower() if context.args else "")
    if arg not in ("on", "off"):
        user = await services(context).storage.get_user(update.effective_user.id)
        state = "on" if (user is None or user.nudges_enabled) else "off"
        await send_html(context, update.effective_chat.id,
                        f"Renewal reminders are {state}. Use /nudges on or /nudges off.")
        return
    await send_html(context, update.effective_chat.id, esc(await set_nudges(update, context, arg == "on")))


async def on_nudges_off(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    if parts != ["off"]:
        raise ValueError("malformed nudges button")
    text = await set_nudges(update, context, False)
    await update.callback_query.answer("Reminders off")
    await send_html(context, update.effective_chat.id, esc(text))


async def on_snooze(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    days, credential = int(parts[0]), parts[1]
    if days not in (1, 7):
        raise ValueError("malformed snooze button")
    svc = services(context)
    user = await svc.storage.get_user(update.effective_user.id)
    tz = user.timezone if user else None
    until = snooze_until(utcnow(), tz, days)
    ok = await svc.storage.snooze(update.effective_user.id, credential, until)
    await update.callback_query.answer(
        f"Snoozed for {'1 day' if days == 1 else '1 week'}" if ok else templates.STALE_BUTTON
    )


async def cmd_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    svc = services(context)
    user_id = update.effective_user.id
    args = context.args or []
    if len(args) == 2 and args[0].lower() in ("timezone", "tz"):
        try:
            ZoneInfo(args[1])
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a zone folder
            await send_html(context, update.effective_chat.id, esc(
                f"“{quote_input(args[1])}” is not a time zone I know. Use an IANA name such as "
                "America/Chicago, or tap one below."), reply_markup=timezone_keyboard())
            return
        await svc.storage.update_profile(user_id, timezone=args[1])
    user = await svc.storage.get_user(user_id)
    await send_html(
        context, update.effective_chat.id,
        f"{profile_text(user)}\n\nTo change the time zone for reminders: /settings timezone "
        "America/Chicago, or tap one below.",
        reply_markup=timezone_keyboard(),
    )


def timezone_keyboard() -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(tz.split("/")[-1].replace("_", " "), callback_data=f"tz:{tz}")
               for tz in TIMEZONE_CHOICES]
    return InlineKeyboardMarkup([buttons[i : i + 4] for i in range(0, len(buttons), 4)])


async def on_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    tz = ":".join(parts)
    if tz not in TIMEZONE_CHOICES:
        raise ValueError("malformed time zone button")
    await services(context).storage.update_profile(update.effective_user.id, timezone=tz)
    await update.callback_query.answer(f"Time zone set to {tz}")
    user = await services(context).storage.get_user(update.effective_user.id)
    await edit_or_send(update, context, profile_text(user))


# --- callbacks, membership, errors ---------------------------------------------------------

CALLBACKS = {
    "ob": on_onboarding,
    "pf": on_profile_change,
    "pa": on_path_step,
    "pq": on_path_ask,
    "tp": on_topic,
    "tq": on_topic_question,
    "fb": on_feedback,
    "fu": on_followup,
    "fg": on_forget,
    "snz": on_snooze,
    "nudges": on_nudges_off,
    "tz": on_timezone,
    "ce": ce_chat.on_callback,
}


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One entry for every button: route by prefix; anything malformed or stale gets a short
    note instead of an error."""
    query = update.callback_query
    prefix, _, rest = (query.data or "").partition(":")
    handler = CALLBACKS.get(prefix)
    try:
        if handler is None:
            raise ValueError(f"unknown button {prefix!r}")
        await handler(update, context, rest.split(":") if rest else [])
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
        await query.answer()  # a double tap: the message already shows this
    except (ValueError, IndexError, KeyError, OverflowError) as exc:
        log.info("stale or malformed button %r: %s", query.data, exc)
        try:
            await query.answer(templates.STALE_BUTTON)
        except BadRequest:
            pass  # the query itself is too old to answer


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change.chat.type != ChatType.PRIVATE:
        return
    blocked = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    await services(context).storage.set_active(change.from_user.id, not blocked)
    log.info("user %s %s the bot", change.from_user.id, "blocked" if blocked else "unblocked")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update is None and isinstance(context.error, (NetworkError, TimedOut)) and not isinstance(
            context.error, (BadRequest, Forbidden)):
        # getUpdates failed (502, a timeout): python-telegram-bot retries with a growing delay
        # (1 s, then x1.5 up to 30 s); one line, not a traceback each time
        log.warning("polling: Bot API error (%s); retrying in up to 30 s", context.error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, templates.APOLOGY)
        except TelegramError:  # the apology is best effort; the error is already logged
            log.warning("could not send the apology for update %s", update_id)


# --- nudge job -----------------------------------------------------------------------------


async def nudge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    results = await nudges.dispatch(services(context).storage, context.bot, utcnow())
    for result in results:
        if result.outcome not in ("skipped", "dry-run"):
            metrics.count_nudge("claimed")
        metrics.count_nudge(result.outcome)
    if results:
        log.info("nudge job: %d due, %d sent", len(results),
                 sum(r.outcome == "sent" for r in results))


def schedule_nudges(application: Application, interval_s: float, first_s: float = 10) -> None:
    """One named repeating job; scheduling again replaces it, never duplicates it."""
    for job in application.job_queue.get_jobs_by_name(NUDGE_JOB):
        job.schedule_removal()
    application.job_queue.run_repeating(nudge_job, interval=interval_s, first=first_s, name=NUDGE_JOB)


# --- wiring --------------------------------------------------------------------------------


def build_application(settings: Settings, replier: Replier, storage: Storage) -> Application:
    """The one Application of both modes. Webhook mode (BOT_MODE=webhook) builds it without an
    Updater: bot/web.py receives the updates and bot/inbox.py hands them to
    ``process_update`` in order per chat."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .request(BotApiRequest(connection_pool_size=256))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatUpdateProcessor(16))
        .post_init(startup)
        .post_shutdown(shutdown)
    )
    if settings.bot_mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["services"] = BotServices(settings, replier, storage)
    not_edited = filters.UpdateType.MESSAGE  # edited messages get silence
    private = filters.ChatType.PRIVATE & not_edited
    groups = filters.ChatType.GROUPS & not_edited
    add = application.add_handler
    add(CommandHandler("start", cmd_start, filters=private))
    add(CommandHandler("help", cmd_help, filters=not_edited))
    add(CommandHandler("path", cmd_path, filters=private))
    add(CommandHandler("state", cmd_state, filters=not_edited))
    add(CommandHandler("topics", cmd_topics, filters=not_edited))
    add(CommandHandler("profile", cmd_profile, filters=private))
    add(CommandHandler("forget", cmd_forget, filters=private))
    add(CommandHandler("nudges", cmd_nudges, filters=private))
    add(CommandHandler("settings", cmd_settings, filters=private))
    add(CommandHandler("ce", ce_chat.cmd_ce, filters=private))
    add(CallbackQueryHandler(on_callback))
    add(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    add(MessageHandler(private & filters.COMMAND, on_unknown_command))
    add(MessageHandler(private & filters.TEXT, on_private_text))
    add(MessageHandler(groups & filters.TEXT & ~filters.COMMAND, on_group_text))
    add(MessageHandler(private & ~filters.TEXT, on_not_text))
    application.add_error_handler(on_error)
    return application


async def startup(application: Application) -> None:
    """Schema, command menu and the nudge job; run once the bot is initialized."""
    svc: BotServices = application.bot_data["services"]
    await svc.storage.init()
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in templates.COMMANDS])
    schedule_nudges(application, svc.settings.nudge_interval_minutes * 60)
    log.info("bot @%s ready", application.bot.username)


async def shutdown(application: Application) -> None:
    svc: BotServices = application.bot_data["services"]
    await svc.batcher.close()
    await svc.storage.close()


class RedactToken(logging.Filter):
    """Never let the bot token reach a log line (URLs of Bot API calls contain it)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if self.token in message:
                record.msg, record.args = message.replace(self.token, "[token]"), ()
            if record.exc_info and not record.exc_text:  # tracebacks can quote request URLs
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text and self.token in record.exc_text:
                record.exc_text = record.exc_text.replace(self.token, "[token]")
        return True


def install_token_redaction(token: str) -> None:
    """Every log handler, and uncaught exceptions too, print "[token]" for the token."""
    redactor = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    if not token:
        return
    previous = sys.excepthook

    def redacting_hook(kind, value, tb) -> None:
        import traceback

        text = "".join(traceback.format_exception(kind, value, tb)).replace(token, "[token]")
        sys.stderr.write(text)

    if getattr(previous, "__name__", "") != "redacting_hook":
        sys.excepthook = redacting_hook


def run_polling(settings: Settings) -> int:
    from bot.engine import load_replier
    from bot.retrieval import StoreMissingError

    token = settings.telegram_bot_token.get_secret_value()
    install_token_redaction(token)
    try:
        replier = load_replier(settings)
    except StoreMissingError as exc:
        log.error("%s", exc)
        return 2
    application = build_application(settings, replier, Storage(settings.database_url))
    if settings.metrics_port:
        from bot.web import attach_status_server

        attach_status_server(application, settings)
    try:
        # SIGTERM/SIGINT: stop fetching, finish the updates in hand, shut down, return 0
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        log.error("the Bot API rejected the token: check TELEGRAM_BOT_TOKEN and "
                  "TELEGRAM_BASE_URL (%s)", settings.telegram_base_url.replace(token, "[token]"))
        return 2
    return 0
