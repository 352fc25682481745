"""Questions per user per minute: in memory (one process), or counted in the database across
webhook replicas.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import OrderedDict, deque

from sqlalchemy import delete, func, select

from bot.storage.models import AskedQuestion
from bot.storage.store import Storage

#: Users the in-memory limiter keeps at most (the least recently active are dropped first).
MAX_USERS = 100_000
PRUNE_EVERY = 60.0  # seconds between prunes of asked_questions older than the window


class QuestionRateLimiter:
    """At most `limit` questions per user in any `window` seconds; memory stays bounded.

    Users are kept in order of their last question (an ``OrderedDict``): each call drops the
    users whose last question left the window from the front, so a call costs O(1) amortized
    however many users there are, and at most :data:`MAX_USERS` are kept (the least recent go
    first).

    :meth:`check` also says whether to tell the user to wait: once per window, so a flood of
    messages never draws a flood of "please wait" replies."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit, self.window = limit, window
        self._seen: OrderedDict[int, deque[float]] = OrderedDict()
        self._told: OrderedDict[int, float] = OrderedDict()

    def _expire(self, now: float) -> None:
        seen, told = self._seen, self._told
        while seen:
            times = next(iter(seen.values()))
            if times and now - times[-1] < self.window and len(seen) <= MAX_USERS:
                break
            seen.popitem(last=False)
        while told:
            at = next(iter(told.values()))
            if now - at < self.window and len(told) <= MAX_USERS:
                break
            told.popitem(last=False)

    def allow(self, user_id: int, now: float) -> bool:
        times = self._seen.get(user_id)
        if times is None:
            times = self._seen[user_id] = deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        self._seen.move_to_end(user_id)
        self._expire(now)
        return True

    def check(self, user_id: int, now: float) -> tuple[bool, bool]:
        """(allowed, tell the user to wait)."""
        if self.allow(user_id, now):
            return True, False
        told = self._told.get(user_id)
        if told is not None and now - told < self.window:
            return False, False
        self._told[user_id] = now
        self._told.move_to_end(user_id)
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


def asker_key(user_id: int) -> str:
    """How asked_questions names a user: a hash of the id, not the id."""
    return hashlib.sha256(f"pathway-asker:{user_id}".encode()).hexdigest()


class SharedQuestionLimiter:
    """QUESTIONS_PER_MINUTE per user across all replicas (webhook mode), counted in the
    database: each private question admitted is a row of ``asked_questions`` (a hash of the
    user id and the time, no text), pruned once older than the window. ``/forget`` leaves
    those rows, so forgetting does not reset the limit. A chat's updates are handled one at a
    time in order, so the count includes every earlier question.

    The "please wait" note is sent at most once per minute per replica. Questions in groups
    fall back to the in-memory limiter of each replica: there the limit is per replica."""

    def __init__(self, storage: Storage, local: QuestionRateLimiter, window: float = 60.0):
        self.storage, self.local = storage, local
        self.limit, self.window = local.limit, window
        self._told: OrderedDict[int, float] = OrderedDict()
        self._last_prune = -PRUNE_EVERY

    async def asked_recently(self, user_id: int, now: dt.datetime) -> int:
        since = now - dt.timedelta(seconds=self.window)
        async with self.storage.session() as s:
            return (await s.execute(
                select(func.count()).select_from(AskedQuestion)
                .where(AskedQuestion.asker == asker_key(user_id),
                       AskedQuestion.asked_at > since)
            )).scalar_one()

    async def _record(self, user_id: int, now: dt.datetime) -> None:
        async with self.storage.session() as s:
            s.add(AskedQuestion(asker=asker_key(user_id), asked_at=now))
            if time.monotonic() - self._last_prune >= PRUNE_EVERY:
                self._last_prune = time.monotonic()
                await s.execute(delete(AskedQuestion).where(
                    AskedQuestion.asked_at <= now - dt.timedelta(seconds=self.window)))

    async def admit(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, tell the user to wait) for a private question."""
        now = utcnow()
        if await self.asked_recently(user_id, now) < self.limit:
            await self._record(user_id, now)
            return True, False
        mono = time.monotonic()
        told = self._told.get(user_id)
        if told is not None and mono - told < self.window:
            return False, False
        while self._told and (mono - next(iter(self._told.values())) >= self.window
                              or len(self._told) > MAX_USERS):
            self._told.popitem(last=False)
        self._told[user_id] = mono
        self._told.move_to_end(user_id)
        return False, True

    def allow(self, user_id: int, now: float) -> bool:
        """Group questions: the per-replica in-memory limit."""
        return self.local.allow(user_id, now)

    def check(self, user_id: int, now: float) -> tuple[bool, bool]:
        return self.local.check(user_id, now)

    def forget(self, user_id: int) -> None:
        """``/forget``: the in-memory group limit only; the shared count is kept."""
        self.local.forget(user_id)
