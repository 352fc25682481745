"""/settings and /nudges: the time zone for reminders, reminders on and off, and the snooze
buttons under a nudge.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.answers import templates
from bot.ce.timing import snooze_until
from bot.telegram.formatting import esc
from bot.telegram.handlers.onboarding import profile_text
from bot.telegram.sending import edit_or_send, send_html
from bot.telegram.services import services, utcnow
from bot.text import quote_input

TIMEZONE_CHOICES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
)


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
