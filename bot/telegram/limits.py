"""Questions per user per minute: in memory (one process), or counted in the database across
webhook replicas.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque

from sqlalchemy import func, select

from bot.storage.conversation import KEEP_TURNS
from bot.storage.models import Turn
from bot.storage.store import Storage


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
        (:class:`SharedQuestionLimiter`)."""
        return self.check(user_id, time.monotonic())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- the question limit across replicas ----------------------------------------------------


class SharedQuestionLimiter:
    """QUESTIONS_PER_MINUTE per user across all replicas (webhook mode), counted in the
    database: the questions a user asked in the last minute are their conversation turns
    (``turns``, one per private question answered, with its time) of that minute. A chat's
    updates are handled one at a time in order, so the count includes every earlier question.

    The "please wait" note is sent at most once per minute per replica. Limits above
    ``KEEP_TURNS`` (20; storage keeps a user's last 20 turns, so more cannot be counted) and
    questions in groups (no turns are stored for them) fall back to the in-memory limiter of
    each replica: there the limit is per replica, multiplied out by the number of replicas.
    """

    def __init__(self, storage: Storage, local: QuestionRateLimiter, window: float = 60.0):
        self.storage, self.local = storage, local
        self.limit, self.window = local.limit, window
        self._told: dict[int, float] = {}

    async def asked_recently(self, user_id: int, now: dt.datetime) -> int:
        since = now - dt.timedelta(seconds=self.window)
        async with self.storage.session() as s:
            return (await s.execute(
                select(func.count()).select_from(Turn)
                .where(Turn.user_id == user_id, Turn.created_at > since)
            )).scalar_one()

    async def admit(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, tell the user to wait) for a private question."""
        if self.limit > KEEP_TURNS:
            return self.local.check(user_id, time.monotonic())
        if await self.asked_recently(user_id, utcnow()) < self.limit:
            return True, False
        now = time.monotonic()
        told = self._told.get(user_id)
        if told is not None and now - told < self.window:
            return False, False
        if len(self._told) > 10_000:
            self._told = {u: t for u, t in self._told.items() if now - t < self.window}
        self._told[user_id] = now
        return False, True

    def allow(self, user_id: int, now: float) -> bool:
        """Group questions: the per-replica in-memory limit."""
        return self.local.allow(user_id, now)

    def check(self, user_id: int, now: float) -> tuple[bool, bool]:
        return self.local.check(user_id, now)

    def forget(self, user_id: int) -> None:
        self.local.forget(user_id)
        self._told.pop(user_id, None)
