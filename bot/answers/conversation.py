"""Short-term conversation memory for reading follow-up questions.

Keeps the last few questions per chat, forgets them after a period of silence, and never grows
without bound. The clock is passed in.
"""

from __future__ import annotations

from collections import deque


class ConversationMemory:
    def __init__(self, turns: int, ttl_seconds: float, max_chats: int = 10_000):
        self.turns = turns
        self.ttl = ttl_seconds
        self.max_chats = max_chats
        self._chats: dict[object, tuple[float, deque[str]]] = {}

    def recent(self, chat: object, now: float) -> list[str]:
        entry = self._chats.get(chat)
        if entry is None:
            return []
        last, questions = entry
        if now - last > self.ttl:
            del self._chats[chat]
            return []
        return list(questions)

    def add(self, chat: object, question: str, now: float) -> None:
        if self.turns <= 0:
            return
        entry = self._chats.pop(chat, None)
        questions = entry[1] if entry and now - entry[0] <= self.ttl else deque(maxlen=self.turns)
        questions.append(question)
        self._chats[chat] = (now, questions)  # re-inserted: dict order is least recent first
        while len(self._chats) > self.max_chats:
            del self._chats[next(iter(self._chats))]

    def forget(self, chat: object) -> None:
        self._chats.pop(chat, None)
