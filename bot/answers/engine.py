"""Loading the answer engine once: settings -> retriever -> replier."""

from __future__ import annotations

import logging

from bot.answers.compose import Replier
from bot.answers.memory import keep_loaded_objects, release_free_memory
from bot.answers.retrieval import Retriever
from bot.settings import Settings

log = logging.getLogger(__name__)


def load_replier(settings: Settings) -> Replier:
    """Raises errors.StoreMissingError when there is no store yet."""
    replier = Replier(Retriever(settings))
    keep_loaded_objects()
    release_free_memory()  # what reading the store left in the C heap: about 15 MB
    return replier
