"""Storage on both backends: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) by URL."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from pg_support import start_postgres

from bot.storage import KEEP_TURNS, Base, Storage

UTC = dt.UTC


@pytest.fixture(scope="session")
def postgres_url():
    server, reason = start_postgres()
    if server is None:
        pytest.skip(reason)
    yield server.url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
async def storage(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'pathway.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = Storage(url)
    if request.param == "postgresql":  # one server for the session: start each test empty
        async with store.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
    await store.init()
    yield store
    await store.close()


async def test_profile_survives_a_restart(storage):
    await storage.touch_user(1, chat_id=1, first_name="Ana")
    await storage.update_profile(1, status="certified", setting="hospital", interests=["sterile"],
                                 state="TX", timezone="America/Chicago")
    again = Storage(storage.url)  # a new process would do exactly this
    await again.init()
    user = await again.get_user(1)
    await again.close()
    assert (user.status, user.setting, user.interests, user.state, user.timezone) == (
        "certified", "hospital", ["sterile"], "TX", "America/Chicago")
    assert user.created_at.tzinfo is not None and user.active and user.nudges_enabled


async def test_unknown_profile_field_is_refused(storage):
    with pytest.raises(ValueError, match="unknown profile fields"):
        await storage.update_profile(1, favourite_colour="blue")


async def test_recent_questions_are_bounded_and_forgotten_after_silence(storage):
    await storage.touch_user(2, chat_id=2)
    for i in range(KEEP_TURNS + 5):
        await storage.add_turn(2, f"question {i}", "answer", [], [])
    async with storage.session() as s:
        from sqlalchemy import func, select

        from bot.storage import Turn

        count = (await s.execute(select(func.count()).where(Turn.user_id == 2))).scalar_one()
    assert count == KEEP_TURNS
    now = dt.datetime.now(UTC)
    recent = await storage.recent_questions(2, now, dt.timedelta(minutes=30), 3)
    assert recent == [f"question {KEEP_TURNS + 2}", f"question {KEEP_TURNS + 3}",
                      f"question {KEEP_TURNS + 4}"]
    later = now + dt.timedelta(minutes=31)
    assert await storage.recent_questions(2, later, dt.timedelta(minutes=30), 3) == []


async def test_feedback_is_stored_once_per_turn(storage):
    await storage.touch_user(3, chat_id=3)
    turn = await storage.add_turn(3, "how do i renew", "answer", [{"path": "a.md"}], ["x?"])
    assert await storage.add_feedback(3, turn, 1)
    assert await storage.add_feedback(3, turn, -1)  # a second tap changes the rating
    assert not await storage.add_feedback(3, turn + 999, 1)  # stale button
    assert not await storage.add_feedback(4, turn, 1)  # someone else's turn
    assert (await storage.rows_about(3))["feedback"] == 1


async def test_ce_credentials_and_entries(storage):
    await storage.set_credential(5, "ptcb-cpht", dt.date(2027, 3, 31))
    await storage.set_credential(5, "ptcb-cpht", dt.date(2027, 4, 30))  # updated, not added
    await storage.set_credential(5, "tx-tech", dt.date(2027, 6, 30))
    assert [(c.credential, c.expiration) for c in await storage.credentials(5)] == [
        ("ptcb-cpht", dt.date(2027, 4, 30)), ("tx-tech", dt.date(2027, 6, 30))]
    first = await storage.add_entry(5, hours=1.25, topic="law", audience="T",
                                    completed_on=dt.date(2026, 3, 1), title="Law", uan=None,
                                    delivery=None)
    await storage.add_entry(5, hours=2, topic="general", audience="P",
                            completed_on=dt.date(2026, 2, 1), title="", uan=None, delivery=None)
    assert [e.hours for e in await storage.entries(5)] == [2, 1.25]  # by date
    assert await storage.replace_entry(5, first, hours=3.0)
    assert await storage.delete_entry(5, first)
    assert not await storage.delete_entry(5, first)
    assert [e.hours for e in await storage.entries(5)] == [2]


async def test_a_nudge_can_be_claimed_once_even_concurrently(storage):
    await storage.touch_user(6, chat_id=6)
    now = dt.datetime.now(UTC)
    others = [Storage(storage.url) for _ in range(3)]
    claims = await asyncio.gather(*(
        s.claim_nudge(6, "ptcb-cpht", dt.date(2027, 3, 31), "d30", now)
        for s in [storage, *others] for _ in range(3)
    ))
    for s in others:
        await s.close()
    assert sum(c is not None for c in claims) == 1
    assert await storage.sent_keys(6, "ptcb-cpht", dt.date(2027, 3, 31)) == {"d30"}
    claim = next(c for c in claims if c is not None)
    await storage.release_nudge(claim)
    assert await storage.claim_nudge(6, "ptcb-cpht", dt.date(2027, 3, 31), "d30", now)


async def test_forget_deletes_everything_about_one_user(storage):
    for user in (7, 8):
        await storage.touch_user(user, chat_id=user)
        turn = await storage.add_turn(user, "q", "answer", [], [])
        await storage.add_feedback(user, turn, 1)
        await storage.set_credential(user, "nha-cpht", dt.date(2027, 1, 31))
        await storage.add_entry(user, hours=1, topic="law", audience="T",
                                completed_on=dt.date(2026, 1, 5), title="", uan=None,
                                delivery=None)
        await storage.claim_nudge(user, "nha-cpht", dt.date(2027, 1, 31), "d90",
                                  dt.datetime.now(UTC))
    await storage.forget(7)
    assert set((await storage.rows_about(7)).values()) == {0}
    assert set((await storage.rows_about(8)).values()) == {1}


async def test_naive_datetimes_are_refused(storage):
    await storage.touch_user(9, chat_id=9)
    with pytest.raises(Exception, match="naive datetime"):
        await storage.snooze(9, "ptcb-cpht", dt.datetime(2027, 1, 1, 9))
