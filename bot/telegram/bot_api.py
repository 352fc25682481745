"""The bot's HTTP client for Bot API calls (both modes): failed calls counted for /metrics, and
in webhook mode the send journal written before the first call of an update a user would see.
"""

from __future__ import annotations

import contextvars
from typing import Any, Protocol

from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.telegram import metrics

#: Bot API methods that change nothing a user sees, so a handler that made only these may be
#: run again after a crash (everything starting with "get" is in this class too).
UNSEEN_METHODS = frozenset({
    "sendchataction", "setmycommands", "deletemycommands", "setwebhook", "deletewebhook",
    "logout", "close",
})


def seen_by_user(method: str) -> bool:
    name = method.lower()
    return not name.startswith("get") and name not in UNSEEN_METHODS


class LostChat(RuntimeError):
    """Raised before a send of an update whose inbox row is no longer this replica's (its chat
    lock was lost and another replica took the update over): nothing more is sent for it."""


class SendJournal(Protocol):
    """What :data:`SEND_JOURNAL` holds: :class:`bot.service.inbox.SendJournal` in webhook mode."""

    failed: bool  # set by the error handler: the update's handler raised

    async def before_send(self) -> None: ...


#: The journal of the update the current task is handling (set by the inbox's drainer).
SEND_JOURNAL: contextvars.ContextVar[SendJournal | None] = contextvars.ContextVar(
    "pathway_send_journal", default=None)


class BotApiRequest(HTTPXRequest):
    """The bot's HTTP client for Bot API calls (both modes): counts failed calls by method and
    code for /metrics, and in webhook mode writes the send journal before the first call of an
    update that a user would see."""

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any
                         ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        journal = SEND_JOURNAL.get()
        if journal is not None and seen_by_user(name):
            await journal.before_send()
        try:
            code, payload = await super().do_request(url, method, *args, **kwargs)
        except TimedOut:
            metrics.count_bot_api_error(name, "timeout")
            raise
        except NetworkError:
            metrics.count_bot_api_error(name, "network")
            raise
        if not 200 <= code < 300:
            metrics.count_bot_api_error(name, code)
        return code, payload
