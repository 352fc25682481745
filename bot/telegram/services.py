"""What the handlers need, built once per process and kept in ``application.bot_data``."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field

from telegram.ext import ContextTypes

from bot.answers.batching import AnswerBatcher
from bot.answers.compose import Replier
from bot.settings import Settings
from bot.storage.store import Storage
from bot.telegram.limits import QuestionRateLimiter, SharedQuestionLimiter


@dataclass
class BotServices:
    """What handlers need, built once per process and kept in `application.bot_data`."""

    settings: Settings
    replier: Replier
    storage: Storage
    limiter: QuestionRateLimiter = field(init=False)
    batcher: AnswerBatcher = field(init=False)
    #: set when the process stops: a running nudge tick ends before its next nudge
    nudge_stop: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    #: the running nudge tick, if any (cancelled when it outlasts the shutdown grace)
    nudge_task: asyncio.Task | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.limiter = QuestionRateLimiter(self.settings.questions_per_minute)
        if self.settings.bot_mode == "webhook":  # replicas: count questions in the database
            self.limiter = SharedQuestionLimiter(self.storage, self.limiter)
        self.batcher = AnswerBatcher(self.replier)


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data["services"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
