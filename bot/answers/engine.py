"""Loading the answer engine once: settings -> retriever -> replier."""

from __future__ import annotations

import logging

from bot.answers.compose import Replier
from bot.answers.retrieval import Retriever
from bot.settings import Settings

log = logging.getLogger(__name__)


def load_replier(settings: Settings) -> Replier:
    """Raises errors.StoreMissingError when there is no store yet."""
    return Replier(Retriever(settings))
