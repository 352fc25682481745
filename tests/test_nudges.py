"""Renewal nudges end to end: real SQLite file, real ``telegram.Bot`` talking HTTP to the local
Bot API stub, real ``python -m bot nudges dispatch`` processes.

The claim race (two dispatchers at once, in one process and in two), releasing a claim for a
retry (429, 5xx, connection refused), keeping an ambiguous one (a timeout after sending), taking
over a claim abandoned by a crash, snoozing a sent nudge and finishing one (sent, blocked) also
run on PostgreSQL (``backend_storage``), whose locking and unique-violation errors differ from
SQLite's.

The pure timing rules are covered by test_nudge_timing.py; these tests check what the
dispatcher does with them: who gets which message when, exactly once, across restarts,
concurrent dispatchers, time zones, snoozes, opt-outs, blocked users and Bot API errors.
The clock is always injected (``now``); nothing here sleeps to wait for a nudge.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from botapi_stub import BotApiStub
from conftest import open_empty_storage
from e2e_support import TOKEN, running_bot
from sqlalchemy import select
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import CallbackContext
from telegram.request import HTTPXRequest
from user_rows import rows_about

from bot.ce import credentials as ce_credentials
from bot.ce.timing import STALE_AFTER_DAYS, snooze_until
from bot.storage.models import SentNudge
from bot.storage.store import Storage
from bot.telegram import app as telegram_app
from bot.telegram import nudges
from bot.telegram.handlers import settings as settings_handlers

ROOT = Path(__file__).resolve().parents[1]

NY, LA, TYO, CHI = "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "America/Chicago"
EXP = date(2027, 3, 31)  # PTCB cycle 2025-04-01 .. 2027-03-31; d90 = 2026-12-31
IN_CYCLE = date(2026, 6, 1)

BUTTONS = ["Snooze 1 day", "Snooze 1 week", "Stop these reminders"]

# 2 h law (T) + 3 h general (P): law done, the rest missing.
PARTIAL_LOG = [
    {"hours": 2.0, "topic": "law", "audience": "T", "completed_on": IN_CYCLE,
     "title": "Federal pharmacy law update"},
    {"hours": 3.0, "topic": "general", "audience": "P", "completed_on": IN_CYCLE},
]
PARTIAL_MISSING = (
    "Still needed: 15 more hours in total; 13 more technician-specific (T) hours; "
    "1 hour of patient safety (ACPE topic 05)."
)
# 20 h with 1 law and 1 patient safety: complete for NHA (and for PTCB: 20 T hours).
COMPLETE_LOG = [
    {"hours": 18.0, "topic": "general", "audience": "T", "completed_on": IN_CYCLE},
    {"hours": 1.0, "topic": "law", "audience": "T", "completed_on": IN_CYCLE},
    {"hours": 1.0, "topic": "patient-safety", "audience": "T", "completed_on": IN_CYCLE},
]
COMPLETE = "You're complete \u2014 submit your renewal."


def local(day: date, hour: int, minute: int = 0, tz: str = NY) -> datetime:
    """Wall-clock ``hour:minute`` on ``day`` in ``tz``, as an aware UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- fixtures and helpers ---------------------------------------------------------------------


def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'nudges.db'}"


@pytest.fixture
async def storage(tmp_path):
    s = Storage(db_url(tmp_path))
    await s.init()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def backend_storage(request, tmp_path):
    """An empty database on SQLite, then on PostgreSQL (skipped where there is none, failed
    instead when REQUIRE_POSTGRES is set)."""
    url = db_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    s = await open_empty_storage(url)
    try:
        yield s
    finally:
        await s.close()


def make_bot(stub: BotApiStub) -> Bot:
    return Bot(TOKEN, base_url=stub.base_url, base_file_url=stub.base_file_url)


@pytest.fixture
async def tg(stub):
    bot = make_bot(stub)
    async with bot:
        yield bot


async def add_user(
    storage: Storage,
    stub: BotApiStub,
    uid: int,
    *,
    credential: str = "ptcb-cpht",
    expiration: date = EXP,
    tz: str = NY,
    log: list[dict] | tuple = (),
) -> None:
    """A user who has talked to the bot (private chat known), with one credential."""
    await storage.touch_user(uid, chat_id=uid, first_name="Tess")
    await storage.update_profile(uid, timezone=tz)
    await storage.set_credential(uid, credential, expiration)
    for fields in log:
        await storage.add_entry(uid, **fields)
    stub.add_chat(uid)


def sent_to(stub: BotApiStub, chat_id: int) -> list[dict]:
    return [r for r in stub.sent if r["method"] == "sendMessage" and r["chat_id"] == chat_id]


def send_attempts(stub: BotApiStub, chat_id: int) -> int:
    """sendMessage requests for the chat, including failed ones."""
    return sum(1 for m, p in stub.requests if m == "sendMessage" and p.get("chat_id") == chat_id)


async def claims(storage: Storage, uid: int) -> dict[str, str]:
    """milestone -> claim status, for the user."""
    async with storage.session() as s:
        rows = (await s.execute(select(SentNudge).where(SentNudge.user_id == uid))).scalars()
        return {r.milestone: r.status for r in rows}


def outcomes(results: list[nudges.DispatchResult]) -> dict[int, tuple[str, str]]:
    return {r.nudge.user_id: (r.nudge.milestone, r.outcome) for r in results}


def check_keyboard(record: dict, credential: str) -> None:
    rows = record["reply_markup"]["inline_keyboard"]
    buttons = [b for row in rows for b in row]
    assert [b["text"] for b in buttons] == BUTTONS
    data = [b["callback_data"] for b in buttons]
    assert data == [f"snz:1:{credential}", f"snz:7:{credential}", "nudges:off"]
    assert all(0 < len(d.encode()) < 64 for d in data)


# --- each milestone on its day, with the right content ------------------------------------------


def expected_head(name: str, milestone: str, days: int) -> str:
    if milestone == "expired":
        return f"\u23f0 Your {name} expires today (March 31, 2027)."
    when = "tomorrow" if days == 1 else f"in {days} days"
    return f"\u23f0 Your {name} expires {when} (March 31, 2027)."


async def test_each_milestone_sent_once_on_its_day_at_a_daytime_hour(storage, stub, tg):
    """Walk day by day from 95 days before expiration to 3 days after, dispatching at 07:30
    (quiet) and 10:00 local each day: every milestone arrives on its day, once, with what is
    missing (or "complete"), reinstatement terms on "expired", and the three buttons.

    PTCB has a renewal window opening 60 days out, so "window" replaces "d60" that day; NHA has
    no window, so it gets "d60"."""
    ptcb, nha = 101, 102
    await add_user(storage, stub, ptcb, credential="ptcb-cpht", log=PARTIAL_LOG)
    await add_user(storage, stub, nha, credential="nha-cpht", log=COMPLETE_LOG)

    got: dict[int, dict[date, str]] = {ptcb: {}, nha: {}}
    day = EXP - timedelta(days=95)
    while day <= EXP + timedelta(days=3):
        assert await nudges.dispatch(storage, tg, local(day, 7, 30)) == [], day
        for result in await nudges.dispatch(storage, tg, local(day, 10)):
            assert result.outcome == "sent", result
            assert day not in got[result.nudge.user_id]
            got[result.nudge.user_id][day] = result.nudge.milestone
        day += timedelta(days=1)

    def on(days_before: int) -> date:
        return EXP - timedelta(days=days_before)

    assert got[ptcb] == {
        on(90): "d90", on(60): "window", on(30): "d30", on(14): "d14", on(7): "d7",
        on(1): "d1", on(0): "expired",
    }
    assert got[nha] == {
        on(90): "d90", on(60): "d60", on(30): "d30", on(14): "d14", on(7): "d7",
        on(1): "d1", on(0): "expired",
    }
    assert await claims(storage, ptcb) == dict.fromkeys(got[ptcb].values(), "sent")
    assert await claims(storage, nha) == dict.fromkeys(got[nha].values(), "sent")

    for uid, credential in ((ptcb, "ptcb-cpht"), (nha, "nha-cpht")):
        cred = ce_credentials.CREDENTIALS[credential]
        records = sent_to(stub, uid)
        assert len(records) == 7
        for (day, milestone), record in zip(sorted(got[uid].items()), records, strict=True):
            text = record["plain_text"]
            assert record["parse_mode"] == "HTML"
            assert text.startswith(expected_head(cred.name, milestone, (EXP - day).days)), text
            assert f"Confirm with {cred.body}: {cred.confirm_at}" in text
            assert ("Your renewal window is open from today." in text) == (milestone == "window")
            assert (cred.reinstatement in text) == (milestone == "expired")
            if uid == ptcb:
                assert PARTIAL_MISSING in text and COMPLETE not in text
            else:
                assert COMPLETE in text and "Still needed" not in text
            check_keyboard(record, credential)


async def test_expired_milestone_for_tx_tech_gives_late_renewal_terms(storage, stub, tg):
    await add_user(storage, stub, 111, credential="tx-tech", tz=CHI)
    results = await nudges.dispatch(storage, tg, local(EXP, 12, tz=CHI))
    assert outcomes(results) == {111: ("expired", "sent")}
    (record,) = sent_to(stub, 111)
    text = record["plain_text"]
    assert "Texas pharmacy technician registration expires today" in text
    assert "1.5 times the renewal fee" in text and "human trafficking" in text
    assert "Still needed: 20 more hours in total; 1 hour of Texas pharmacy law;" in text
    check_keyboard(record, "tx-tech")


def test_nudge_keyboard_callback_data_fits_for_every_credential():
    for key in ce_credentials.CREDENTIALS:
        markup = nudges.nudge_keyboard(key).to_dict()
        data = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        assert all(1 <= len(d.encode()) < 64 for d in data), data


# --- at most once, restarts, downtime -----------------------------------------------------------


async def test_dispatch_twice_and_after_a_restart_sends_nothing_more(backend_storage, stub, tg):
    storage = backend_storage
    await add_user(storage, stub, 201, log=PARTIAL_LOG)
    await add_user(storage, stub, 202, tz=LA)
    now = local(date(2027, 1, 5), 12)  # 12:00 NY, 09:00 LA; d90 (2026-12-31) is due

    first = await nudges.dispatch(storage, tg, now)
    assert outcomes(first) == {201: ("d90", "sent"), 202: ("d90", "sent")}
    assert await nudges.dispatch(storage, tg, now) == []
    assert await nudges.dispatch(storage, tg, now + timedelta(hours=3)) == []

    # "restart": a new Storage on the same database and a new Bot
    again = Storage(storage.url)
    await again.init()
    try:
        async with make_bot(stub) as bot:
            assert await nudges.dispatch(again, bot, now) == []
            assert await nudges.dispatch(again, bot, now + timedelta(days=1)) == []
    finally:
        await again.close()
    assert len(sent_to(stub, 201)) == 1 and len(sent_to(stub, 202)) == 1


async def test_after_downtime_only_the_most_recent_milestone_is_sent(storage, stub, tg):
    await add_user(storage, stub, 301, log=PARTIAL_LOG)
    d30, d7 = EXP - timedelta(days=30), EXP - timedelta(days=7)
    assert outcomes(await nudges.dispatch(storage, tg, local(d30, 10))) == {301: ("d30", "sent")}

    # the dispatcher is down from d30 until the d7 day (d14 is missed)
    results = await nudges.dispatch(storage, tg, local(d7, 11))
    assert outcomes(results) == {301: ("d7", "sent")}
    records = sent_to(stub, 301)
    assert len(records) == 2
    assert "expires in 7 days" in records[1]["plain_text"]
    assert await claims(storage, 301) == {"d30": "sent", "d7": "sent"}
    # d14 is never sent afterwards, not even later the same day or the next day
    assert await nudges.dispatch(storage, tg, local(d7, 15)) == []
    assert await nudges.dispatch(storage, tg, local(d7 + timedelta(days=1), 10)) == []

    # down again from 4 days before expiration until the expiration day: d1 is skipped
    assert await nudges.dispatch(storage, tg, local(EXP - timedelta(days=4), 10)) == []
    assert outcomes(await nudges.dispatch(storage, tg, local(EXP, 9))) == {
        301: ("expired", "sent")
    }
    assert len(sent_to(stub, 301)) == 3


async def test_milestones_older_than_the_stale_limit_are_not_sent(storage, stub, tg):
    """A credential that expired more than STALE_AFTER_DAYS ago gets no "expired" nudge when
    the user (or the dispatcher) turns up; one that expired within the limit does."""
    now = local(date(2027, 6, 1), 12)
    await add_user(storage, stub, 302, expiration=now.date() - timedelta(days=STALE_AFTER_DAYS + 1))
    await add_user(storage, stub, 304, expiration=now.date() - timedelta(days=STALE_AFTER_DAYS))
    assert outcomes(await nudges.dispatch(storage, tg, now)) == {304: ("expired", "sent")}
    assert sent_to(stub, 302) == [] and await claims(storage, 302) == {}


async def test_expired_nudge_sent_after_downtime_says_it_has_expired(storage, stub, tg):
    await add_user(storage, stub, 303)
    two_days_later = EXP + timedelta(days=2)
    assert outcomes(await nudges.dispatch(storage, tg, local(two_days_later, 10))) == {
        303: ("expired", "sent")
    }
    text = sent_to(stub, 303)[0]["plain_text"]
    # On April 2 the credential expired two days ago; "expires today" is false.
    assert "expires today" not in text
    assert "expired" in text.split("\n")[0]


# --- quiet hours across time zones and DST -------------------------------------------------------

QUIET_CASES = [
    # UTC instant, {user: local wall time}, who gets it
    (utc(2027, 1, 10, 12, 30), "NY 07:30, LA 04:30, Tokyo 21:30", set()),
    (utc(2027, 1, 10, 13, 0), "NY 08:00, LA 05:00, Tokyo 22:00", {NY}),
    (utc(2027, 1, 10, 16, 0), "NY 11:00, LA 08:00, Tokyo 01:00", {NY, LA}),
    (utc(2027, 1, 10, 23, 30), "NY 18:30, LA 15:30, Tokyo 08:30", {NY, LA, TYO}),
    (utc(2027, 1, 11, 2, 0), "NY 21:00, LA 18:00, Tokyo 11:00", {LA, TYO}),
    (utc(2027, 1, 11, 5, 0), "NY 00:00, LA 21:00, Tokyo 14:00", {TYO}),
]


@pytest.mark.parametrize(("now", "wall", "expected"), QUIET_CASES, ids=[c[1] for c in QUIET_CASES])
async def test_quiet_hours_across_time_zones(storage, stub, tg, now, wall, expected):
    users = {NY: 401, LA: 402, TYO: 403}
    for tz, uid in users.items():
        await add_user(storage, stub, uid, tz=tz)  # d90 (2026-12-31) is due in every zone
    results = await nudges.dispatch(storage, tg, now)
    assert {r.nudge.user_id for r in results} == {users[tz] for tz in expected}, wall
    assert all(r.outcome == "sent" and r.nudge.milestone == "d90" for r in results)
    for tz, uid in users.items():
        assert len(sent_to(stub, uid)) == (tz in expected)
        wall_time = now.astimezone(ZoneInfo(tz)).time()
        assert (time(8) <= wall_time < time(21)) == (tz in expected)


async def test_dst_fall_back_day_new_york(storage, stub, tg):
    """2026-11-01: clocks go back at 02:00 EDT. 12:30 UTC is 07:30 EST (quiet; it would be
    08:30 under EDT), 13:00 UTC is 08:00 EST."""
    exp = date(2026, 11, 1) + timedelta(days=90)  # d90 falls on the DST day
    await add_user(storage, stub, 501, expiration=exp)
    assert await nudges.dispatch(storage, tg, utc(2026, 11, 1, 12, 30)) == []
    assert await nudges.dispatch(storage, tg, utc(2026, 11, 1, 12, 59)) == []
    assert outcomes(await nudges.dispatch(storage, tg, utc(2026, 11, 1, 13, 0))) == {
        501: ("d90", "sent")
    }


async def test_dst_spring_forward_day_new_york(storage, stub, tg):
    """2027-03-14: clocks go forward at 02:00 EST. 12:00 UTC is 08:00 EDT (it would be
    07:00 under EST), 11:59 UTC is 07:59 EDT."""
    exp = date(2027, 3, 14) + timedelta(days=90)
    await add_user(storage, stub, 502, expiration=exp)
    assert await nudges.dispatch(storage, tg, utc(2027, 3, 14, 11, 59)) == []
    assert outcomes(await nudges.dispatch(storage, tg, utc(2027, 3, 14, 12, 0))) == {
        502: ("d90", "sent")
    }


# --- snooze, opt-out, blocked, forget -----------------------------------------------------------


async def test_snoozed_until_a_time_then_sent(storage, stub, tg):
    await add_user(storage, stub, 601)
    now = local(date(2027, 1, 4), 10)
    until = local(date(2027, 1, 6), 9)
    assert await storage.snooze(601, "ptcb-cpht", until)
    assert await nudges.dispatch(storage, tg, now) == []
    assert await nudges.dispatch(storage, tg, until - timedelta(minutes=1)) == []
    assert sent_to(stub, 601) == []
    assert outcomes(await nudges.dispatch(storage, tg, until)) == {601: ("d90", "sent")}
    assert len(sent_to(stub, 601)) == 1
    assert not await storage.snooze(601, "nha-cpht", until)  # no such credential


async def test_opted_out_user_gets_nothing_until_opted_in(storage, stub, tg):
    await add_user(storage, stub, 602)
    await storage.update_profile(602, nudges_enabled=False)
    now = local(date(2027, 1, 4), 10)
    assert await nudges.dispatch(storage, tg, now) == []
    assert await nudges.dispatch(storage, tg, now + timedelta(days=1)) == []
    assert sent_to(stub, 602) == [] and await claims(storage, 602) == {}
    await storage.update_profile(602, nudges_enabled=True)
    assert outcomes(await nudges.dispatch(storage, tg, now + timedelta(days=2))) == {
        602: ("d90", "sent")
    }


async def test_blocked_user_is_marked_inactive_and_never_retried(backend_storage, stub, tg):
    storage = backend_storage
    await add_user(storage, stub, 603)
    await add_user(storage, stub, 604)
    stub.block(603)
    now = local(date(2027, 1, 4), 10)
    assert outcomes(await nudges.dispatch(storage, tg, now)) == {
        603: ("d90", "blocked"), 604: ("d90", "sent"),
    }
    assert (await storage.get_user(603)).active is False
    assert (await storage.get_user(604)).active is True
    assert await claims(storage, 603) == {"d90": "blocked"}
    assert any(e["status"] == 403 for e in stub.errors)
    assert send_attempts(stub, 603) == 1

    # later runs, even on the next milestone's day, do not try the blocked user again
    assert await nudges.dispatch(storage, tg, now + timedelta(hours=2)) == []
    assert outcomes(await nudges.dispatch(storage, tg, local(EXP - timedelta(days=60), 10))) == {
        604: ("window", "sent")
    }
    assert send_attempts(stub, 603) == 1 and sent_to(stub, 603) == []


async def test_forget_removes_everything(storage, stub, tg):
    await add_user(storage, stub, 605, log=PARTIAL_LOG)
    await storage.set_credential(605, "tx-tech", EXP)
    await storage.add_turn(605, "How do I renew?", "answer", [], [])
    now = local(date(2027, 1, 4), 10)
    assert len(await nudges.dispatch(storage, tg, now)) == 2  # one per credential
    before = await rows_about(storage, 605)
    assert before["ce_entries.user_id"] == 2 and before["sent_nudges.user_id"] == 2
    assert before["users.id"] == 1
    await storage.forget(605)
    assert await rows_about(storage, 605) == dict.fromkeys(before, 0)
    assert await nudges.dispatch(storage, tg, now + timedelta(days=60)) == []


# --- concurrent dispatchers ---------------------------------------------------------------------

CONCURRENT_USERS = range(7001, 7021)
CONCURRENT_NOW = "2027-01-04T15:00:00Z"  # 10:00 EST, d90 of 2027-03-31 due


async def add_concurrent_users(storage: Storage, stub: BotApiStub) -> None:
    for i, uid in enumerate(CONCURRENT_USERS):
        await add_user(storage, stub, uid, credential=("ptcb-cpht", "nha-cpht")[i % 2],
                       log=PARTIAL_LOG if i % 3 == 0 else ())


def assert_exactly_one_each(stub: BotApiStub) -> None:
    per_chat = Counter(r["chat_id"] for r in stub.sent if r["method"] == "sendMessage")
    assert per_chat == dict.fromkeys(CONCURRENT_USERS, 1)


async def test_two_dispatchers_in_one_process_send_each_nudge_once(backend_storage, stub):
    storage = backend_storage
    await add_concurrent_users(storage, stub)
    second = Storage(storage.url)
    now = nudges.parse_now(CONCURRENT_NOW)
    try:
        async with make_bot(stub) as bot1, make_bot(stub) as bot2:
            r1, r2 = await asyncio.gather(
                nudges.dispatch(storage, bot1, now), nudges.dispatch(second, bot2, now)
            )
    finally:
        await second.close()
    outcome_counts = Counter(r.outcome for r in r1 + r2)
    assert outcome_counts["sent"] == len(CONCURRENT_USERS)
    assert set(outcome_counts) <= {"sent", "skipped"}
    assert_exactly_one_each(stub)
    for uid in CONCURRENT_USERS:
        assert await claims(storage, uid) == {"d90": "sent"}


def cli_env(tmp_path: Path, stub: BotApiStub, database_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url or db_url(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": stub.base_url,
        "TELEGRAM_BASE_FILE_URL": stub.base_file_url,
        "CHROMA_PATH": str(tmp_path / "chroma"),
        "HF_HUB_OFFLINE": "1",
        "LOG_LEVEL": "INFO",
    })
    return env


def start_cli(tmp_path: Path, stub: BotApiStub, *args: str,
              database_url: str | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "nudges", "dispatch", *args],
        cwd=tmp_path,  # no stray .env from the checkout
        env=cli_env(tmp_path, stub, database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    """Wait for the process without blocking the event loop (the stub serves it)."""
    out, err = await asyncio.to_thread(proc.communicate, timeout=timeout)
    return proc.returncode, out, err


async def run_cli(tmp_path: Path, stub: BotApiStub, *args: str) -> tuple[int, str, str]:
    return await finish(start_cli(tmp_path, stub, *args))


async def test_two_dispatch_processes_send_each_nudge_once(tmp_path, backend_storage, stub):
    storage = backend_storage
    await add_concurrent_users(storage, stub)
    procs = [start_cli(tmp_path, stub, "--now", CONCURRENT_NOW, database_url=storage.url)
             for _ in range(2)]
    done = await asyncio.gather(*(finish(p) for p in procs))
    sent_lines = []
    for code, out, err in done:
        assert code == 0, (out, err)
        assert "nudges dispatch at 2027-01-04T15:00:00+00:00:" in out
        sent_lines += [line for line in out.splitlines() if line.startswith("sent ")]
    assert len(sent_lines) == len(CONCURRENT_USERS)
    assert_exactly_one_each(stub)
    for uid in CONCURRENT_USERS:
        assert await claims(storage, uid) == {"d90": "sent"}


async def test_dispatch_cli_real_run_for_three_users(tmp_path, storage, stub):
    now = "2027-01-01T18:00:00Z"  # 13:00 New York, 12:00 Chicago, 10:00 Los Angeles
    await add_user(storage, stub, 801, credential="ptcb-cpht", expiration=EXP, tz=NY,
                   log=PARTIAL_LOG)
    await add_user(storage, stub, 802, credential="nha-cpht", expiration=date(2027, 1, 31),
                   tz=CHI, log=COMPLETE_LOG)
    await add_user(storage, stub, 803, credential="tx-tech", expiration=date(2027, 1, 8), tz=LA)
    code, out, err = await run_cli(tmp_path, stub, "--now", now)
    print(f"\n$ python -m bot nudges dispatch --now {now}\n{out}")
    assert code == 0, err
    assert out.splitlines() == [
        "sent     user=801 ptcb-cpht expires=2027-03-31 milestone=d90",
        "sent     user=802 nha-cpht expires=2027-01-31 milestone=d30",
        "sent     user=803 tx-tech expires=2027-01-08 milestone=d7",
        "nudges dispatch at 2027-01-01T18:00:00+00:00: 3 due, 3 sent",
    ]
    assert TOKEN not in out + err
    for uid in (801, 802, 803):
        (record,) = sent_to(stub, uid)
        assert record["reply_markup"]["inline_keyboard"]
    assert "expires in 7 days (January 8, 2027)" in sent_to(stub, 803)[0]["plain_text"]
    assert COMPLETE in sent_to(stub, 802)[0]["plain_text"]
    # a second run at the same instant sends nothing
    code, out, _ = await run_cli(tmp_path, stub, "--now", now)
    assert code == 0 and out.splitlines() == [f"nudges dispatch at {now[:-1]}+00:00: 0 due, 0 sent"]


async def test_dispatch_cli_dry_run_lists_due_nudges_and_sends_nothing(tmp_path, storage, stub):
    now = "2027-01-01T15:00:00Z"  # 10:00 New York, 09:00 Chicago, 07:00 Los Angeles (quiet)
    await add_user(storage, stub, 811, tz=NY)
    await add_user(storage, stub, 812, credential="nha-cpht", tz=CHI)
    await add_user(storage, stub, 813, tz=LA)
    due = await nudges.due_nudges(storage, nudges.parse_now(now))
    assert {n.user_id for n in due} == {811, 812}

    code, out, err = await run_cli(tmp_path, stub, "--dry-run", "--now", now)
    print(f"\n$ python -m bot nudges dispatch --dry-run --now {now}\n{out}")
    assert code == 0, err
    lines = out.splitlines()
    assert lines == [
        "dry-run  user=811 ptcb-cpht expires=2027-03-31 milestone=d90",
        "dry-run  user=812 nha-cpht expires=2027-03-31 milestone=d90",
        "nudges dispatch at 2027-01-01T15:00:00+00:00: 2 due, 0 sent",
    ]
    assert [m for m, _ in stub.requests if m == "sendMessage"] == []
    assert await claims(storage, 811) == {} and await claims(storage, 812) == {}


@pytest.mark.parametrize("now", ["2027-01-01T15:00:00", "2027-01-01 15:00"])
async def test_dispatch_cli_now_without_time_zone_exits_2(tmp_path, storage, stub, now):
    await add_user(storage, stub, 821)
    code, out, err = await run_cli(tmp_path, stub, "--now", now)
    assert code == 2, (out, err)
    assert "--now needs a time zone, e.g. 2027-01-01T14:00:00Z" in out
    assert stub.requests == []


# --- Bot API errors: what surely did not arrive is retried with backoff, the ambiguous is not ----


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def silent_server() -> AsyncIterator[tuple[int, list[bytes]]]:
    """An HTTP server that reads each request and never answers: the request arrived, and
    whether Telegram acted on it is unknown (a timeout after sending)."""
    received: list[bytes] = []
    closing = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(65536))
        await closing.wait()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], received
    finally:
        closing.set()
        server.close()
        await server.wait_closed()


async def claim_row(storage: Storage, uid: int, milestone: str) -> SentNudge:
    async with storage.session() as s:
        return (await s.execute(select(SentNudge).where(
            SentNudge.user_id == uid, SentNudge.milestone == milestone))).scalar_one()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB-internal
async def test_flood_limit_defers_the_nudge_until_retry_after_then_sends_it(
        backend_storage, stub, tg):
    storage = backend_storage
    await add_user(storage, stub, 901)
    await add_user(storage, stub, 902)
    now = local(date(2027, 1, 4), 10)
    stub.inject_error("sendMessage", 429, retry_after=3600)
    assert outcomes(await nudges.dispatch(storage, tg, now)) == {
        901: ("d90", "deferred"), 902: ("d90", "sent"),
    }
    assert stub.injected[0]["status"] == 429
    row = await claim_row(storage, 901, "d90")
    assert (row.status, row.attempts) == ("retry", 1)
    assert timedelta(hours=1) <= row.next_try_at - now < timedelta(hours=1, minutes=1)
    # Telegram asked for an hour: the ticks before that leave it alone
    assert await nudges.dispatch(storage, tg, now + timedelta(minutes=15)) == []
    assert await nudges.dispatch(storage, tg, now + timedelta(minutes=45)) == []
    assert send_attempts(stub, 901) == 1
    later = row.next_try_at
    assert outcomes(await nudges.dispatch(storage, tg, later)) == {901: ("d90", "sent")}
    assert len(sent_to(stub, 901)) == 1 and len(sent_to(stub, 902)) == 1
    assert await claims(storage, 901) == {"d90": "sent"}
    assert await nudges.dispatch(storage, tg, later + timedelta(minutes=15)) == []


async def test_server_errors_release_the_claim_and_retries_back_off(backend_storage, stub, tg):
    """502 then 503: the Bot API answered with an error, so the message was not delivered;
    each failure is counted on the claim row and the next try waits longer (5, then 10
    minutes), and a tick before that time does not try at all."""
    storage = backend_storage
    await add_user(storage, stub, 903)
    now = local(date(2027, 1, 4), 10)
    stub.inject_error("sendMessage", 502)
    stub.inject_error("sendMessage", 503)
    assert outcomes(await nudges.dispatch(storage, tg, now)) == {903: ("d90", "deferred")}
    first = await claim_row(storage, 903, "d90")
    assert (first.status, first.attempts) == ("retry", 1)
    assert timedelta(minutes=5) <= first.next_try_at - now < timedelta(minutes=6)
    assert (await storage.get_user(903)).active is True
    assert await nudges.dispatch(storage, tg, first.next_try_at - timedelta(seconds=1)) == []
    assert send_attempts(stub, 903) == 1

    t2 = first.next_try_at
    assert outcomes(await nudges.dispatch(storage, tg, t2)) == {903: ("d90", "deferred")}
    second = await claim_row(storage, 903, "d90")
    assert (second.status, second.attempts) == ("retry", 2)
    assert timedelta(minutes=10) <= second.next_try_at - t2 < timedelta(minutes=11)
    assert await nudges.dispatch(storage, tg, t2 + timedelta(minutes=9)) == []
    assert send_attempts(stub, 903) == 2

    assert outcomes(await nudges.dispatch(storage, tg, second.next_try_at)) == {
        903: ("d90", "sent")}
    assert [i["status"] for i in stub.injected] == [502, 503]
    assert len(sent_to(stub, 903)) == 1 and await claims(storage, 903) == {"d90": "sent"}
    assert await nudges.dispatch(storage, tg, second.next_try_at + timedelta(days=1)) == []
    assert send_attempts(stub, 903) == 3


async def test_connection_refused_releases_the_claim_and_a_later_tick_sends_it(
        backend_storage, stub, tg):
    """A refused connection (like a DNS failure, httpx's ConnectError): nothing reached
    Telegram, so one bad tick must not lose the nudge."""
    storage = backend_storage
    await add_user(storage, stub, 904)
    await add_user(storage, stub, 905)
    now = local(date(2027, 1, 4), 10)
    unreachable = Bot(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/bot")
    try:
        assert outcomes(await nudges.dispatch(storage, unreachable, now)) == {
            904: ("d90", "deferred"), 905: ("d90", "deferred"),
        }
    finally:
        await unreachable.shutdown()
    for uid in (904, 905):
        row = await claim_row(storage, uid, "d90")
        assert (row.status, row.attempts) == ("retry", 1)
    assert send_attempts(stub, 904) == 0 and send_attempts(stub, 905) == 0
    retry_at = (await claim_row(storage, 905, "d90")).next_try_at
    results = await nudges.dispatch(storage, tg, retry_at + timedelta(minutes=10))
    assert outcomes(results) == {904: ("d90", "sent"), 905: ("d90", "sent")}
    assert await claims(storage, 904) == {"d90": "sent"} == await claims(storage, 905)
    assert len(sent_to(stub, 904)) == 1 and len(sent_to(stub, 905)) == 1


async def test_timeout_after_sending_keeps_the_claim_and_the_next_milestone_still_comes(
        backend_storage, stub, tg):
    """The request reached the server and no answer came: it may have been delivered, so it
    is not sent again, but that milestone must not block the next one."""
    storage = backend_storage
    await add_user(storage, stub, 906)
    now = local(date(2027, 1, 4), 10)
    async with silent_server() as (port, received):
        silent = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot",
                     request=HTTPXRequest(read_timeout=0.3))
        try:
            assert outcomes(await nudges.dispatch(storage, silent, now)) == {
                906: ("d90", "unconfirmed")}
        finally:
            await silent.shutdown()
    assert len(received) == 1 and b"/sendMessage" in received[0]
    assert await claims(storage, 906) == {"d90": "unconfirmed"}
    # not sent again: not by the next tick, not the next day
    assert await nudges.dispatch(storage, tg, now + timedelta(minutes=15)) == []
    assert await nudges.dispatch(storage, tg, now + timedelta(days=1)) == []
    assert send_attempts(stub, 906) == 0
    # the next milestone (PTCB's renewal window, 60 days out) is sent on its day
    window_day = local(EXP - timedelta(days=60), 10)
    assert outcomes(await nudges.dispatch(storage, tg, window_day)) == {906: ("window", "sent")}
    assert await claims(storage, 906) == {"d90": "unconfirmed", "window": "sent"}
    assert len(sent_to(stub, 906)) == 1


def _caused_by(exc: Exception, cause: BaseException) -> Exception:
    exc.__cause__ = cause
    return exc


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB-internal
@pytest.mark.parametrize(("error", "not_delivered"), [
    # raised by python-telegram-bot's HTTPXRequest for these httpx errors
    (_caused_by(NetworkError("httpx.ConnectError: [Errno -2] Name or service not known"),
                httpx.ConnectError("[Errno -2] Name or service not known")), True),
    (_caused_by(TimedOut(), httpx.ConnectTimeout("connect")), True),
    (_caused_by(TimedOut("Pool timeout"), httpx.PoolTimeout("pool")), True),
    (_caused_by(TimedOut(), httpx.ReadTimeout("read")), False),
    (_caused_by(TimedOut(), httpx.WriteTimeout("write")), False),
    (_caused_by(NetworkError("httpx.RemoteProtocolError: Server disconnected"),
                httpx.RemoteProtocolError("Server disconnected")), False),
    (_caused_by(NetworkError("httpx.ReadError"), httpx.ReadError("reset")), False),
    (_caused_by(NetworkError("Unknown error in HTTP implementation"), RuntimeError()), False),
    # raised for an HTTP error response: 5xx, 429, a rejected token
    (NetworkError("Bad Gateway"), True),
    (_caused_by(NetworkError("Internal Server Error (500). Parsing the server response failed"),
                TelegramError("Invalid server response")), True),
    ("RetryAfter(30)", True),  # made in the test: PTB warns on construction
    (InvalidToken("Not Found"), True),
], ids=["dns", "connect-timeout", "pool-timeout", "read-timeout", "write-timeout",
        "disconnected", "read-error", "unknown", "5xx", "5xx-html", "429", "token"])
def test_which_errors_prove_the_message_was_not_delivered(error, not_delivered):
    if error == "RetryAfter(30)":
        error = RetryAfter(30)
    assert nudges.surely_not_delivered(error) is not_delivered


# --- a crash between claim and send --------------------------------------------------------------


async def test_a_claim_left_by_a_crash_is_taken_over_after_ten_minutes(backend_storage, stub):
    storage = backend_storage
    await add_user(storage, stub, 910)
    crashed_at = local(date(2027, 1, 4), 10)
    # a dispatcher claimed the nudge and died before sending it
    assert await storage.claim_nudge(910, "ptcb-cpht", EXP, "d90", crashed_at)
    async with make_bot(stub) as bot:
        # while a send could still be under way, nobody else sends it
        assert await nudges.dispatch(storage, bot, crashed_at + timedelta(minutes=9)) == []
        assert send_attempts(stub, 910) == 0
        # later, two dispatchers at once: one takes the abandoned claim over and sends it
        later = crashed_at + timedelta(minutes=11)
        second = Storage(storage.url)
        try:
            async with make_bot(stub) as other:
                r1, r2 = await asyncio.gather(nudges.dispatch(storage, bot, later),
                                              nudges.dispatch(second, other, later))
        finally:
            await second.close()
        counts = Counter(r.outcome for r in r1 + r2)
        assert counts["sent"] == 1 and set(counts) <= {"sent", "skipped"}, counts
        assert len(sent_to(stub, 910)) == 1
        assert await claims(storage, 910) == {"d90": "sent"}
        assert await nudges.dispatch(storage, bot, later + timedelta(hours=1)) == []
    assert len(sent_to(stub, 910)) == 1


# --- snooze on a nudge that was sent -------------------------------------------------------------


async def test_snooze_one_day_on_the_30_day_nudge_reminds_once_then_the_schedule_goes_on(
        backend_storage, stub, tg):
    """The real sequence: the 30-day nudge is sent, the user taps "Snooze 1 day" (the storage
    call the button handler makes), one reminder comes the next morning at 09:00 local, and
    the 14-day nudge still comes on its day."""
    storage = backend_storage
    await add_user(storage, stub, 920, log=PARTIAL_LOG)
    d30, d14 = EXP - timedelta(days=30), EXP - timedelta(days=14)
    assert outcomes(await nudges.dispatch(storage, tg, local(d30, 10))) == {920: ("d30", "sent")}

    tapped = local(d30, 10, 5)
    until = snooze_until(tapped, NY, 1)
    assert until == local(d30 + timedelta(days=1), 9)
    assert await storage.snooze(920, "ptcb-cpht", until)

    assert await nudges.dispatch(storage, tg, local(d30, 15)) == []
    assert await nudges.dispatch(storage, tg, until - timedelta(minutes=1)) == []
    assert len(sent_to(stub, 920)) == 1
    assert outcomes(await nudges.dispatch(storage, tg, until)) == {920: ("d30", "sent")}
    reminder = sent_to(stub, 920)[-1]
    assert reminder["plain_text"].startswith(
        "\u23f0 Your PTCB Certified Pharmacy Technician (CPhT) expires in 29 days")
    assert PARTIAL_MISSING in reminder["plain_text"]
    check_keyboard(reminder, "ptcb-cpht")
    # exactly one reminder: not again that day, nor any day until the 14-day nudge
    assert await nudges.dispatch(storage, tg, until) == []
    day = d30 + timedelta(days=1)
    while day < d14:
        for hour in (9, 13, 20):
            assert await nudges.dispatch(storage, tg, local(day, hour)) == [], (day, hour)
        day += timedelta(days=1)
    assert len(sent_to(stub, 920)) == 2
    assert outcomes(await nudges.dispatch(storage, tg, local(d14, 10))) == {920: ("d14", "sent")}
    assert len(sent_to(stub, 920)) == 3
    assert await claims(storage, 920) == {"d30": "sent", "d14": "sent"}


async def test_a_snooze_ending_in_quiet_hours_reminds_the_next_morning(backend_storage, stub, tg):
    storage = backend_storage
    await add_user(storage, stub, 921)
    d30 = EXP - timedelta(days=30)
    assert outcomes(await nudges.dispatch(storage, tg, local(d30, 10))) == {921: ("d30", "sent")}
    # snoozed until 22:00 local (e.g. the user moved time zones since tapping)
    assert await storage.snooze(921, "ptcb-cpht", local(d30, 22))
    assert await nudges.dispatch(storage, tg, local(d30, 22)) == []
    assert await nudges.dispatch(storage, tg, local(d30 + timedelta(days=1), 7, 59)) == []
    assert outcomes(await nudges.dispatch(storage, tg, local(d30 + timedelta(days=1), 8))) == {
        921: ("d30", "sent")}
    assert len(sent_to(stub, 921)) == 2
    assert await nudges.dispatch(storage, tg, local(d30 + timedelta(days=1), 12)) == []


async def test_a_reminder_of_the_window_nudge_does_not_say_it_opens_today(storage, stub, tg):
    await add_user(storage, stub, 922)
    window_day = EXP - timedelta(days=60)
    assert outcomes(await nudges.dispatch(storage, tg, local(window_day, 10))) == {
        922: ("window", "sent")}
    assert "Your renewal window is open from today." in sent_to(stub, 922)[0]["plain_text"]
    assert await storage.snooze(922, "ptcb-cpht", snooze_until(local(window_day, 11), NY, 7))
    assert outcomes(await nudges.dispatch(storage, tg, local(window_day + timedelta(days=7), 9))
                    ) == {922: ("window", "sent")}
    text = sent_to(stub, 922)[1]["plain_text"]
    assert "open from today" not in text
    assert "Your renewal window has been open since January 30, 2027." in text


# --- quiet hours at the moment of sending --------------------------------------------------------


async def test_quiet_hours_are_checked_right_before_each_send(backend_storage, stub, tg):
    """A tick starts at 20:57 New York with three nudges due, and each send takes two
    minutes: the third would go out at 21:01, so it waits for 08:00 the next morning."""
    storage = backend_storage
    for uid in (931, 932, 933):
        await add_user(storage, stub, uid)
    day = date(2027, 1, 4)
    start = local(day, 20, 57)

    def clock() -> datetime:  # advances two minutes with each sendMessage the stub receives
        return start + timedelta(minutes=2) * sum(m == "sendMessage" for m, _ in stub.requests)

    assert len(await nudges.due_nudges(storage, start)) == 3
    results = await nudges.dispatch(storage, tg, start, clock=clock)
    assert outcomes(results) == {
        931: ("d90", "sent"), 932: ("d90", "sent"), 933: ("d90", "quiet"),
    }
    assert sent_to(stub, 933) == [] and send_attempts(stub, 933) == 0
    assert await nudges.dispatch(storage, tg, local(day, 23)) == []
    assert await nudges.dispatch(storage, tg, local(day + timedelta(days=1), 7, 59)) == []
    assert outcomes(await nudges.dispatch(storage, tg, local(day + timedelta(days=1), 8))) == {
        933: ("d90", "sent")}
    for uid in (931, 932, 933):
        assert len(sent_to(stub, uid)) == 1
        assert await claims(storage, uid) == {"d90": "sent"}


# --- the JobQueue path inside the running bot ---------------------------------------------------


async def test_job_queue_job_sends_and_buttons_snooze_and_stop(tmp_path, replier, monkeypatch):
    now = local(date(2027, 1, 4), 10)  # Monday 10:00 EST
    monkeypatch.setattr(telegram_app, "utcnow", lambda: now)
    monkeypatch.setattr(settings_handlers, "utcnow", lambda: now)
    async with running_bot(tmp_path, replier) as rb:
        jobs = rb.app.job_queue.get_jobs_by_name(telegram_app.NUDGE_JOB)
        assert len(jobs) == 1
        assert jobs[0].job.trigger.interval == timedelta(
            minutes=rb.settings.nudge_interval_minutes)
        telegram_app.schedule_nudges(rb.app, 900)
        jobs = rb.app.job_queue.get_jobs_by_name(telegram_app.NUDGE_JOB)
        assert len(jobs) == 1 and jobs[0].job.trigger.interval == timedelta(seconds=900)
        assert len(rb.app.job_queue.jobs()) == 1

        uid = 950
        await add_user(rb.storage, rb.stub, uid, log=PARTIAL_LOG)
        await telegram_app.nudge_job(CallbackContext.from_job(jobs[0], rb.app))
        (nudge,) = await rb.stub.wait_for_messages(uid, 1, method="sendMessage")
        assert nudge["plain_text"].startswith(
            "\u23f0 Your PTCB Certified Pharmacy Technician (CPhT) expires in 86 days")
        assert PARTIAL_MISSING in nudge["plain_text"]
        check_keyboard(nudge, "ptcb-cpht")
        assert await claims(rb.storage, uid) == {"d90": "sent"}
        # running the job again at the same instant sends nothing
        await telegram_app.nudge_job(CallbackContext.from_job(jobs[0], rb.app))
        assert len(sent_to(rb.stub, uid)) == 1

        ny = ZoneInfo(NY)
        rb.stub.mark()
        rb.stub.press_button_text(uid, nudge, "Snooze 1 day")
        answer = await rb.stub.wait_for_request("answerCallbackQuery")
        assert answer.get("text") == "Snoozed for 1 day"
        (record,) = await rb.storage.credentials(uid)
        assert record.snoozed_until == datetime(2027, 1, 5, 9, tzinfo=ny).astimezone(UTC)
        # one reminder when the snooze ends, at 09:00 local the next day
        assert await nudges.dispatch(rb.storage, rb.app.bot, record.snoozed_until
                                     - timedelta(minutes=1)) == []
        reminded = await nudges.dispatch(rb.storage, rb.app.bot, record.snoozed_until)
        assert outcomes(reminded) == {uid: ("d90", "sent")}
        assert await nudges.dispatch(rb.storage, rb.app.bot, record.snoozed_until) == []
        assert len(sent_to(rb.stub, uid)) == 2

        rb.stub.mark()
        rb.stub.press_button_text(uid, nudge, "Snooze 1 week")
        answer = await rb.stub.wait_for_request("answerCallbackQuery")
        assert answer.get("text") == "Snoozed for 1 week"
        (record,) = await rb.storage.credentials(uid)
        assert record.snoozed_until == datetime(2027, 1, 11, 9, tzinfo=ny).astimezone(UTC)
        assert record.snoozed_until - now == timedelta(days=6, hours=23)
        assert record.snoozed_until.astimezone(ny).time() == time(9)

        rb.stub.mark()
        rb.stub.press_button_text(uid, nudge, "Stop these reminders")
        answer = await rb.stub.wait_for_request("answerCallbackQuery")
        assert answer.get("text") == "Reminders off"
        (off,) = await rb.stub.wait_for_messages(uid, 1, method="sendMessage")
        assert "Renewal reminders are off" in off["plain_text"]
        assert (await rb.storage.get_user(uid)).nudges_enabled is False
        # nothing more for this user, even on the window day
        results = await nudges.dispatch(rb.storage, rb.app.bot, local(EXP - timedelta(days=60), 10))
        assert results == []
        assert len(sent_to(rb.stub, uid)) == 3


async def test_no_nudge_for_a_day_after_a_crisis_reply_then_it_comes(storage, stub, tg):
    """A user who got a crisis reply is sent nothing unasked for 24 hours: the due nudge waits
    (its row is moved to the end of the quiet period, not lost) and then arrives once."""
    from bot.ce.timing import CRISIS_QUIET, quiet_after_crisis

    await add_user(storage, stub, 603)
    now = local(date(2027, 1, 4), 10)  # d90 is due
    await storage.set_quiet_until(603, quiet_after_crisis(now - timedelta(hours=1)))
    assert await nudges.dispatch(storage, tg, now) == []
    assert await nudges.dispatch(storage, tg, now + CRISIS_QUIET - timedelta(hours=2)) == []
    assert sent_to(stub, 603) == [] and await claims(storage, 603) == {}
    later = now + CRISIS_QUIET
    assert outcomes(await nudges.dispatch(storage, tg, later)) == {603: ("d90", "sent")}
    assert len(sent_to(stub, 603)) == 1
