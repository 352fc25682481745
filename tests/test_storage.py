"""Storage on both backends: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) by URL.

The PostgreSQL cases run on a temporary server (tests/pg_support.py); they skip where none can
be started, and fail instead when REQUIRE_POSTGRES is set, as it is in CI (.ci/run).
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import user_rows
from conftest import open_empty_storage
from sqlalchemy import BigInteger, Column, ForeignKey, Integer, MetaData, Table, text
from sqlalchemy import inspect as sa_inspect

from bot.storage.conversation import KEEP_TURNS
from bot.storage.migrations import schema_0001
from bot.storage.migrations.schema_0001 import ADDED_COLUMNS
from bot.storage.store import Storage

UTC = dt.UTC


@pytest.fixture(params=["sqlite", "postgresql"])
async def storage(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'pathway.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = await open_empty_storage(url)
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

        from bot.storage.models import Turn

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
    assert (await user_rows.rows_about(storage, 3))["feedback.user_id"] == 1


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


async def test_credential_cycle_start_and_entry_tags_are_stored(storage):
    exp, since = dt.date(2027, 3, 31), dt.date(2025, 2, 10)
    await storage.set_credential(5, "ptcb-cpht", exp, cycle_start=since)
    assert (await storage.credentials(5))[0].cycle_start == since
    await storage.set_credential(5, "ptcb-cpht", exp)  # same cycle: the start is kept
    assert (await storage.credentials(5))[0].cycle_start == since
    await storage.set_credential(5, "ptcb-cpht", dt.date(2029, 3, 31))  # renewed: a new cycle
    assert (await storage.credentials(5))[0].cycle_start is None
    await storage.add_entry(5, hours=1, topic="law", audience="T",
                            completed_on=dt.date(2026, 3, 1), title="", uan=None,
                            delivery=None, tags="tx-law accredited")
    (row,) = await storage.entries(5)
    assert row.to_entry().tags == ("tx-law", "accredited")


def _schema_before_the_added_columns() -> MetaData:
    """The tables as they were before the columns of ADDED_COLUMNS existed (the frozen schema
    of the last release before migrations, less those columns)."""
    old = MetaData()
    for table in schema_0001.metadata.sorted_tables:
        Table(table.name, old, *[c._copy() for c in table.columns
                                 if (table.name, c.name) not in ADDED_COLUMNS])
    return old


async def _drop_everything(store: Storage) -> None:
    """An empty database: on the session's shared PostgreSQL, what earlier tests left (tables
    and the migrations' version stamp) is dropped."""
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_init_adds_new_columns_to_an_older_database_and_keeps_its_rows(
        request, tmp_path, backend):
    url = (f"sqlite+aiosqlite:///{tmp_path / 'old.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    old = _schema_before_the_added_columns()
    store = Storage(url)
    await _drop_everything(store)
    async with store.engine.begin() as conn:
        await conn.run_sync(old.create_all)
        then = dt.datetime(2026, 1, 5, 12)
        await conn.execute(old.tables["users"].insert().values(
            id=1, chat_id=1, interests=[], timezone="America/New_York", nudges_enabled=True,
            active=True, created_at=then, updated_at=then))
        await conn.execute(old.tables["ce_credentials"].insert().values(
            user_id=1, credential="ptcb-cpht", expiration=dt.date(2027, 3, 31)))
        await conn.execute(old.tables["ce_entries"].insert().values(
            user_id=1, hours=2.0, topic="law", audience="T", completed_on=dt.date(2026, 1, 5),
            title="Old row", created_at=then))
    try:
        for _ in range(2):  # a restart runs it again: nothing more to add, no error
            await store.init()
        async with store.engine.connect() as conn:
            columns = await conn.run_sync(lambda c: {
                (t, col["name"]) for t, _ in ADDED_COLUMNS
                for col in sa_inspect(c).get_columns(t)})
        assert set(ADDED_COLUMNS) <= columns
        (record,) = await store.credentials(1)
        assert (record.expiration, record.cycle_start) == (dt.date(2027, 3, 31), None)
        (row,) = await store.entries(1)
        assert (row.title, row.to_entry().tags) == ("Old row", ())
        async with store.session() as s:  # stamped and upgraded: its next nudge is known
            due = (await s.execute(text("SELECT next_nudge_due FROM ce_credentials"))).scalar()
        assert str(due).startswith("2026-12-31 13:00:00")  # d90, 08:00 in New York
        await store.set_credential(1, "ptcb-cpht", dt.date(2027, 3, 31),
                                   cycle_start=dt.date(2025, 2, 10))
        assert (await store.credentials(1))[0].cycle_start == dt.date(2025, 2, 10)
    finally:
        await store.close()


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
        await inbox_row(storage, user * 100, user, "done")  # handled before payloads were blanked
        await inbox_row(storage, user * 100 + 1, user, "processing")  # the /forget itself
    before = await user_rows.rows_about(storage, 7)
    assert not user_rows.tables_without_rows(before), (
        "fill every table that refers to a user before testing forget()", before)
    other_before = await user_rows.rows_about(storage, 8)
    await storage.forget(7)
    assert await user_rows.rows_about(storage, 7) == dict.fromkeys(before, 0)
    assert await user_rows.rows_about(storage, 8) == other_before


async def inbox_row(storage, update_id: int, chat_id: int, state: str) -> None:
    """A webhook inbox row of the user's private chat, with the user's text in it."""
    from bot.service.inbox import UpdateInboxRow

    payload = {"update_id": update_id, "message": {
        "message_id": 1, "date": 0, "text": "my name is Tess and I work at Walgreens",
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Tess", "username": "tess"}}}
    async with storage.session() as s:
        s.add(UpdateInboxRow(update_id=update_id, chat_id=chat_id, payload=payload,
                             received_at=dt.datetime.now(UTC), state=state, attempts=1))


def test_user_columns_come_from_the_schema():
    found = {f"{c.table.name}.{c.name}" for c in user_rows.user_columns()}
    assert {"users.id", "turns.user_id", "feedback.user_id", "ce_credentials.user_id",
            "ce_entries.user_id", "sent_nudges.user_id", "update_inbox.chat_id"} <= found
    assert "feedback.turn_id" not in found and "users.chat_id" not in found
    # a column is recognised by its foreign key to users, or by its name without one
    metadata = MetaData()
    users = Table("users", metadata, Column("id", BigInteger, primary_key=True))
    notes = Table("notes", metadata, Column("id", Integer, primary_key=True),
                  Column("author", ForeignKey("users.id")), Column("user_id", BigInteger),
                  Column("reviewer_user_id", BigInteger), Column("turn_id", Integer))
    assert [c.name for c in notes.columns if user_rows._refers_to_a_user(c, users)] == [
        "author", "user_id", "reviewer_user_id"]


async def test_naive_datetimes_are_refused(storage):
    await storage.touch_user(9, chat_id=9)
    with pytest.raises(Exception, match="naive datetime"):
        await storage.snooze(9, "ptcb-cpht", dt.datetime(2027, 1, 1, 9))


def test_postgres_binaries_are_found_in_debians_versioned_folder(monkeypatch):
    import pg_support

    monkeypatch.setattr(pg_support.shutil, "which", lambda name: None)
    found = ["/usr/lib/postgresql/9.6/bin/initdb", "/usr/lib/postgresql/15/bin/initdb",
             "/usr/lib/postgresql/13/bin/initdb"]
    monkeypatch.setattr(pg_support.glob, "glob", lambda pattern: list(found))
    assert pg_support._bin("initdb") == "/usr/lib/postgresql/15/bin/initdb"


def test_without_postgres_the_tests_skip_or_fail_when_it_is_required(monkeypatch):
    import pg_support

    monkeypatch.setattr(pg_support, "_bin", lambda name: None)
    monkeypatch.setenv(pg_support.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_POSTGRES is set, but PostgreSQL"):
        pg_support.start_postgres_for_tests()
    for unset in ("", "0"):
        monkeypatch.setenv(pg_support.REQUIRE_ENV, unset)
        with pytest.raises(pytest.skip.Exception, match="initdb, pg_ctl"):
            pg_support.start_postgres_for_tests()
