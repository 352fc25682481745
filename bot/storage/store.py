"""All database access in one object: :class:`Storage` combines the queries of each concern
(users and profiles, the conversation, the CE tracker, renewal nudges) over one engine.
"""

from __future__ import annotations

from bot.storage.ce import CEStore
from bot.storage.conversation import ConversationStore


class Storage(CEStore, ConversationStore):
    """All database access. One instance per process, shared by handlers and jobs."""
