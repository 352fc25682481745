"""/start, the onboarding questions and /profile (one keyboard serves both: the onboarding
chain, or one answer changed from /profile); /help.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.career import model as career
from bot.storage.models import User
from bot.telegram.formatting import esc
from bot.telegram.sending import edit_or_send, send_html
from bot.telegram.services import services

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
        await edit_or_send(update, context,
                           f"<b>{esc(templates.ONBOARD_QUESTIONS[following])}</b>",
                           reply_markup=onboarding_keyboard(following, mode))
    elif mode == "o":
        await edit_or_send(update, context, esc(templates.ONBOARDING_DONE))
    else:
        user = await svc.storage.get_user(user_id)
        await edit_or_send(update, context, profile_text(user), reply_markup=profile_keyboard())


async def on_profile_change(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    (step,) = parts
    if step not in ONBOARD_CHOICES:
        raise ValueError("malformed profile button")
    await update.callback_query.answer()
    await edit_or_send(update, context, f"<b>{esc(templates.ONBOARD_QUESTIONS[step])}</b>",
                       reply_markup=onboarding_keyboard(step, "p"))


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_html(context, update.effective_chat.id, templates.HELP)
