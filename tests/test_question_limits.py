"""The in-memory question limiter stays cheap and bounded with many users (issue 18, item 10)."""

from __future__ import annotations

from bot.telegram import limits
from bot.telegram.limits import QuestionRateLimiter


def test_many_users_in_the_window_cost_no_rebuild_and_memory_stays_bounded(monkeypatch):
    limiter = QuestionRateLimiter(limit=2, window=60.0)
    table = limiter._seen
    for user in range(20_000):  # more than 10,000 users inside one window
        assert limiter.allow(user, now=user * 0.001)
    assert limiter._seen is table  # the same table: never rebuilt on a call
    assert len(table) == 20_000  # everyone still inside the window is remembered
    assert limiter.allow(7, now=20.0) and not limiter.allow(7, now=20.0)  # limit 2
    # users whose last question left the window are dropped as time goes on
    assert limiter.allow(1, now=200.0)
    assert len(table) == 1
    # and the table never grows past MAX_USERS, least recently active first
    monkeypatch.setattr(limits, "MAX_USERS", 100)
    for user in range(1_000):
        limiter.allow(100_000 + user, now=300.0)
    assert len(limiter._seen) == 100 and 100_999 in limiter._seen
