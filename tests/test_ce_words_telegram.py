"""CE in plain words end to end: the real Application polls the Bot API stub, answers with the
real knowledge base and writes to a real SQLite file. The handlers read the real clock (the
user's "today" in America/New_York, the default time zone), so dates are relative to it."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from e2e_support import running_bot

from bot.answers import templates
from bot.cli.evaluation import half, load_jsonl
from bot.telegram.app import NUDGE_JOB

DATA = Path(__file__).parent / "data" / "ce_messages.jsonl"
T = 60


def today_ny() -> date:
    return datetime.now(ZoneInfo("America/New_York")).date()


def month_end_ahead(today: date, months: int) -> date:
    year, month = divmod(today.month - 1 + months + 1, 12)
    return date(today.year + year, month + 1, 1) - timedelta(days=1)


EXP = month_end_ahead(today_ny(), 14)


@pytest.fixture
async def rb(tmp_path, replier):
    async with running_bot(tmp_path, replier) as running:
        for job in running.app.job_queue.get_jobs_by_name(NUDGE_JOB):
            job.schedule_removal()
        yield running


async def say(rb, user: int, text: str, n: int = 1) -> list[dict]:
    rb.stub.mark()
    rb.stub.user_message(user, text)
    return await rb.stub.wait_for_messages(user, n, timeout=T, method="sendMessage")


def button_texts(record: dict) -> list[str]:
    markup = record.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def tap(rb, user: int, record: dict, text: str) -> dict:
    """Press a button; return the message the bot then shows in its place (or sends)."""
    rb.stub.mark()
    rb.stub.press_button_text(user, record, text)
    return await rb.stub.wait_for(lambda r: r["chat_id"] == user and r["method"] in (
        "editMessageText", "sendMessage"), timeout=T)


async def hours_logged(rb, user: int) -> list[tuple]:
    return [(e.hours, e.topic, e.completed_on, e.uan) for e in await rb.storage.entries(user)]


async def test_set_log_ask_log_in_words_confirm_and_status(rb):
    user = 8201
    await say(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    await say(rb, user, "/ce add 2 law")

    (mine,) = await say(rb, user, "how many ce hours do i still need")
    text = mine["plain_text"]
    assert "Sources:" not in text  # the personal answer, not the general rule
    assert f"expires on {EXP.isoformat()}" in text
    assert f"You need 18 more hours by {EXP.isoformat()}" in text
    assert "13 more technician-specific (T) hours" in text
    assert "Next step:" in text
    assert button_texts(mine) == ["📋 Full /ce status"]

    (offer,) = await say(rb, user, "i finished a 2 hour patient safety ce today, can you log it")
    assert offer["plain_text"].startswith("Log this?")
    assert "2 h · patient safety (ACPE 05)" in offer["plain_text"]
    assert button_texts(offer) == ["✅ Log it", "✏️ Edit", "Cancel"]
    assert len(await hours_logged(rb, user)) == 1  # nothing written before the tap

    done = await tap(rb, user, offer, "Log it")
    assert done["plain_text"].startswith("✅ Logged: 2 h · patient safety")
    assert (2.0, "patient-safety", today_ny(), None) in await hours_logged(rb, user)
    # a second tap on the same button writes nothing more
    rb.stub.mark()
    rb.stub.press_button(user, offer, offer["reply_markup"]["inline_keyboard"][0][0][
        "callback_data"])
    await rb.stub.wait_for_request("answerCallbackQuery", lambda p: True, timeout=T)
    assert len(await hours_logged(rb, user)) == 2

    (status, *_) = await say(rb, user, "/ce status")
    assert "Total CE hours: 4 of 20" in status["plain_text"]
    assert "Patient safety (ACPE topic 05): 2 of 1" in status["plain_text"]

    # a general question keeps the knowledge answer and gets one personal line
    (general,) = await say(rb, user, "how many ce hours does ptcb require")
    assert "Sources:" in general["plain_text"]
    assert f"You have 16 to go by {EXP.isoformat()}" in general["plain_text"]


async def test_missing_pieces_are_asked_with_buttons_and_edit_and_cancel_write_nothing(rb):
    user = 8202
    (offer,) = await say(rb, user, "just finished 2 hours of ce")
    assert "Which topic was it?" in offer["plain_text"]
    asked = await tap(rb, user, offer, "Law")
    assert "When did you finish it?" in asked["plain_text"]
    assert button_texts(asked) == ["Today", "Yesterday", "Cancel"]
    confirm = await tap(rb, user, asked, "Yesterday")
    yesterday = today_ny() - timedelta(days=1)
    assert f"2 h · pharmacy law (ACPE 03) · technician (T) · {yesterday}" in confirm["plain_text"]
    edit = await tap(rb, user, confirm, "Edit")
    assert f"/ce add 2 law {yesterday.isoformat()}" in edit["plain_text"]
    changed = await tap(rb, user, edit, "General")
    assert "general pharmacy (ACPE 04)" in changed["plain_text"]
    cancelled = await tap(rb, user, changed, "Cancel")
    assert cancelled["plain_text"] == "Cancelled \u2014 nothing was logged."
    assert await hours_logged(rb, user) == []


async def test_no_credential_gets_the_general_answer_and_an_offer_to_track_then_set_in_words(rb):
    user = 8203
    (answer,) = await say(rb, user, "how many ce hours do i still need")
    assert "Sources:" in answer["plain_text"]
    assert "Tell me your credential and expiration date and I'll track it." in answer[
        "plain_text"]
    assert "Track my CE (/ce set)" in button_texts(answer)
    choose = await tap(rb, user, answer, "Track my CE")
    assert "Which credential?" in choose["plain_text"]

    (offer,) = await say(rb, user, f"my cpht expires {EXP:%B %Y}")
    assert f"expires {EXP.isoformat()}" in offer["plain_text"]
    assert await rb.storage.credentials(user) == []
    await tap(rb, user, offer, "Save it")
    await rb.stub.wait_for(lambda r: r["chat_id"] == user and "✅ PTCB" in (
        r["plain_text"] or ""), timeout=T)
    assert [(c.credential, c.expiration) for c in await rb.storage.credentials(user)] == [
        ("ptcb-cpht", EXP)]


async def test_a_crisis_message_is_never_read_as_a_ce_log(rb):
    user = 8204
    await say(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    (reply,) = await say(rb, user, "i want to kill myself. did 2 hrs of law ce yesterday")
    assert "988" in reply["plain_text"]
    assert "Log this?" not in reply["plain_text"] and not any(
        "Log it" in b for b in button_texts(reply))
    await asyncio.sleep(0.5)
    assert not [r for r in rb.stub.since_mark(user) if "Log this?" in (r["plain_text"] or "")]
    # a medication message with hours in it is not CE
    (reply,) = await say(rb, user, "i took 2 hrs of oxycodone yesterday")
    assert not reply["plain_text"].startswith(("Log this?", "To log", "Let's log"))
    assert await hours_logged(rb, user) == []


async def test_two_users_at_once_see_only_their_own_log(rb):
    a, b = 8205, 8206
    other = month_end_ahead(today_ny(), 20)
    rb.stub.mark()
    rb.stub.user_message(a, f"/ce set ptcb-cpht {EXP.isoformat()}")
    rb.stub.user_message(b, f"/ce set nha-cpht {other.isoformat()}")
    await rb.stub.wait_for_messages(a, 1, timeout=T, method="sendMessage")
    await rb.stub.wait_for_messages(b, 1, timeout=T, method="sendMessage")
    rb.stub.mark()
    rb.stub.user_message(a, "did 3 hrs of law ce yesterday")
    rb.stub.user_message(b, "did 1.5 hours of general ce today")
    (offer_a,) = await rb.stub.wait_for_messages(a, 1, timeout=T, method="sendMessage")
    (offer_b,) = await rb.stub.wait_for_messages(b, 1, timeout=T, method="sendMessage")
    assert "3 h · pharmacy law" in offer_a["plain_text"]
    assert "1.5 h · general pharmacy" in offer_b["plain_text"]
    rb.stub.mark()
    rb.stub.press_button_text(a, offer_a, "Log it")
    rb.stub.press_button_text(b, offer_b, "Log it")
    for user in (a, b):
        await rb.stub.wait_for(lambda r, u=user: r["chat_id"] == u and r["method"] ==
                               "editMessageText", timeout=T)
    assert [h for h, *_ in await hours_logged(rb, a)] == [3.0]
    assert [h for h, *_ in await hours_logged(rb, b)] == [1.5]
    rb.stub.mark()
    rb.stub.user_message(a, "whats my ce status")
    rb.stub.user_message(b, "whats my ce status")
    (mine_a,) = await rb.stub.wait_for_messages(a, 1, timeout=T, method="sendMessage")
    (mine_b,) = await rb.stub.wait_for_messages(b, 1, timeout=T, method="sendMessage")
    assert "PTCB" in mine_a["plain_text"] and "NHA" not in mine_a["plain_text"]
    assert "17 more hours" in mine_a["plain_text"]
    assert "NHA" in mine_b["plain_text"] and "PTCB" not in mine_b["plain_text"]
    assert EXP.isoformat() not in mine_b["plain_text"]


async def test_held_out_log_and_set_messages_propose_and_write_nothing(rb):
    """Every held-out log and set request, through the whole answer path: each gets a
    proposal (or says what it can't use), and nothing is written until a tap."""
    rows = [r for r in load_jsonl(DATA) if r["intent"] in ("log", "set")
            and half(r["q"]) == "held-out"]
    users = range(8300, 8300 + len(rows))  # one user each: the rate limit is per user
    proposed = []
    for user, row in zip(users, rows, strict=True):
        (reply,) = await say(rb, user, row["q"])
        text = reply["plain_text"]
        proposed.append(bool(re.match(r"(Log this\?|To log:|Let.s log|Track this\?|⚠️)", text)))
        if not proposed[-1]:
            print("NOT PROPOSED", row["q"], "->", text[:100].replace("\n", " "))
        assert templates.CRISIS_REPLY not in text
    written = sum([len(await hours_logged(rb, u)) for u in users])
    credentials = sum([len(await rb.storage.credentials(u)) for u in users])
    print(f"held-out log/set messages: {len(rows)}, proposals {sum(proposed)}, "
          f"entries or credentials written without confirmation {written + credentials}")
    assert written == 0 and credentials == 0
    assert sum(proposed) / len(rows) >= 0.95
