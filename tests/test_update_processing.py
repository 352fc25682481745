"""Per-chat ordering and the per-user rate limit, on the real classes with real asyncio."""

from __future__ import annotations

import asyncio
import time

from telegram import Chat, Message, Update, User

from bot.telegram.app import PerChatUpdateProcessor
from bot.telegram.limits import QuestionRateLimiter


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, "private")
    user = User(chat_id, "u", is_bot=False)
    return Update(update_id, message=Message(update_id, None, chat, from_user=user, text="x"))


async def test_a_flood_from_one_chat_costs_only_that_chat():
    """40 slow updates queued by one chat do not hold the concurrency slots: another chat's
    update runs at once (head-of-line blocking would make it wait for most of them)."""
    processor = PerChatUpdateProcessor(max_concurrent_updates=4)
    order: list[tuple[int, int]] = []

    async def work(chat: int, n: int, seconds: float) -> None:
        await asyncio.sleep(seconds)
        order.append((chat, n))

    flood = [asyncio.create_task(processor.process_update(_update(n, 1), work(1, n, 0.05)))
             for n in range(40)]
    await asyncio.sleep(0.01)
    started = time.monotonic()
    await processor.process_update(_update(100, 2), work(2, 0, 0.0))
    assert time.monotonic() - started < 0.5  # 40 x 0.05 s would be 2 s
    await asyncio.gather(*flood)
    assert [n for chat, n in order if chat == 1] == list(range(40))  # in order within a chat
    assert processor.tracked_chats == 0


async def test_a_lock_in_use_is_never_dropped_with_many_chats():
    """With more than 1,000 chats tracked, an update that arrives while an earlier one of the
    same chat waits still queues behind it: the two never run at once."""
    processor = PerChatUpdateProcessor(max_concurrent_updates=2000)
    release = asyncio.Event()
    running: list[str] = []
    overlaps: list[tuple[str, ...]] = []

    async def hold() -> None:
        await release.wait()

    async def work(name: str, seconds: float) -> None:
        running.append(name)
        if len(running) > 1:
            overlaps.append(tuple(running))
        await asyncio.sleep(seconds)
        running.remove(name)

    busy = [asyncio.create_task(processor.process_update(_update(i, 10_000 + i), hold()))
            for i in range(1100)]  # other chats keep the lock table large
    await asyncio.sleep(0.01)
    first = asyncio.create_task(processor.process_update(_update(1, 1), work("A", 0.01)))
    second = asyncio.create_task(processor.process_update(_update(2, 1), work("B", 0.05)))
    await first  # A is done; B has been woken but may not have started yet
    third = asyncio.create_task(processor.process_update(_update(3, 1), work("C", 0.0)))
    await asyncio.gather(second, third)
    release.set()
    await asyncio.gather(*busy)
    assert overlaps == []
    assert processor.tracked_chats == 0


def test_rate_limit_says_please_wait_once_per_window():
    limiter = QuestionRateLimiter(limit=2, window=60)
    results = [limiter.check(7, t) for t in (0, 1, 2, 3, 4)]
    assert results == [(True, False), (True, False), (False, True), (False, False), (False, False)]
    assert limiter.check(8, 5) == (True, False)  # per user
    assert limiter.check(7, 61) == (True, False)  # a new window
    assert limiter.check(7, 61.5) == (True, False)
    assert limiter.check(7, 62) == (False, True)  # told again, once, in the new window
    assert limiter.check(7, 63) == (False, False)
