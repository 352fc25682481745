"""`/ce import` end to end: the real bot Application polls the local Bot API stub, the user
sends the transcript PDF as a document (fetched with getFile and the file URL) or pastes its
text, sees the preview, taps Import, /ce status counts the hours, Undo puts the log back as it
was. Hostile files get their clear answer, and other chats are answered meanwhile."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from e2e_support import running_bot
from transcript_files import slow_pdf

from bot.ce import credentials as ce_credentials
from bot.ce import rules as ce_rules
from bot.ce.model import format_hours
from bot.cli.transcript_sample import render_pdf, render_text, sample_activities
from bot.telegram import transcript_pdf
from bot.telegram.app import NUDGE_JOB

PTCB = ce_credentials.CREDENTIALS["ptcb-cpht"]


def today_ny() -> date:
    return datetime.now(ZoneInfo("America/New_York")).date()


TODAY = today_ny()
EXP = TODAY + timedelta(days=150)
ACTIVITIES = sample_activities(40, seed=5, end=TODAY - timedelta(days=1))


@pytest.fixture
async def rb(tmp_path, replier):
    async with running_bot(tmp_path, replier) as running:
        for job in running.app.job_queue.get_jobs_by_name(NUDGE_JOB):
            job.schedule_removal()
        yield running


async def say(rb, user: int, text: str) -> dict:
    rb.stub.mark()
    rb.stub.user_message(user, text)
    (record,) = await rb.stub.wait_for_messages(user, 1, timeout=60, method="sendMessage")
    return record


async def send_document(rb, user: int, data: bytes, name: str, **kwargs) -> dict:
    rb.stub.mark()
    rb.stub.user_document(user, data, name, **kwargs)
    (record,) = await rb.stub.wait_for_messages(user, 1, timeout=60, method="sendMessage")
    return record


async def press(rb, user: int, record: dict, button: str) -> dict:
    rb.stub.mark()
    rb.stub.press_button_text(user, record, button)
    (edited,) = await rb.stub.wait_for_messages(user, 1, timeout=60, method="editMessageText")
    return edited


async def log_rows(rb, user: int) -> list[tuple]:
    return [(r.id, r.hours, r.topic, r.completed_on, r.title, r.uan)
            for r in await rb.storage.entries(user)]


async def status_text(rb, user: int) -> str:
    rb.stub.mark()
    rb.stub.user_message(user, "/ce status")
    await rb.stub.wait_for_messages(user, 1, timeout=90, method="sendPhoto")
    return "\n".join(r["plain_text"] for r in rb.stub.since_mark(user)
                     if r["method"] == "sendMessage")


async def test_pdf_upload_preview_import_status_and_undo(rb):
    user = 2001
    await say(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    first = ACTIVITIES[-1]
    await say(rb, user, f"/ce add {first.uan} {first.hours} {first.completed_on.isoformat()}")
    await say(rb, user, '/ce add 1 law "State law seminar"')
    before = await log_rows(rb, user)
    status_before = await status_text(rb, user)

    preview = await send_document(rb, user, render_pdf(ACTIVITIES), "transcript.pdf")
    text = preview["plain_text"]
    assert "CPE Monitor transcript of Tess Tech (e-Profile ID 1234567)" in text
    assert f"Found {len(ACTIVITIES)} activities with a UAN; {len(ACTIVITIES) - 1} new" in text
    assert "Already in your log (same UAN and date), skipped: 1 activity." in text
    start = ce_rules.cycle_start(PTCB, EXP)
    new = ACTIVITIES[:-1]
    inside = [a for a in new if start <= a.completed_on <= EXP]
    assert (f"{PTCB.name}, cycle {start.isoformat()} (assumed) to {EXP.isoformat()}: "
            f"{len(inside)} activities ({format_hours(sum(a.hours for a in inside))} h)") in text
    assert await log_rows(rb, user) == before  # nothing written before Import

    imported = await press(rb, user, preview, "Import")
    assert f"Imported {len(new)} activities" in imported["plain_text"]
    rows = await rb.storage.entries(user)
    assert sorted((r.uan, r.completed_on, r.hours, r.title, r.provider)
                  for r in rows if r.import_batch) == sorted(
        (a.uan, a.completed_on, a.hours, a.title, a.provider) for a in new)

    status = await status_text(rb, user)
    entries = [r.to_entry() for r in rows]
    expected = ce_rules.ce_status(PTCB, EXP, entries, today_ny())
    assert ce_rules.status_text(expected) in status and status != status_before
    total = next(r for r in expected.rules if r.key == "total")
    counted = [e for e in entries if ce_rules.entry_in_cycle(PTCB, EXP, e)]
    assert total.done == pytest.approx(min(sum(e.hours for e in counted), total.needed)) or \
        total.done == pytest.approx(sum(e.hours for e in counted))
    assert total.done > 1  # the imported hours count

    undone = await press(rb, user, imported, "Undo")
    assert f"the {len(new)} imported entries are out of your log" in undone["plain_text"]
    assert await log_rows(rb, user) == before
    assert await status_text(rb, user) == status_before

    again = await send_document(rb, user, render_pdf(ACTIVITIES), "transcript.pdf")
    imported_again = await press(rb, user, again, "Import")
    assert "Imported" in imported_again["plain_text"]
    twice = await send_document(rb, user, render_pdf(ACTIVITIES), "transcript (1).pdf")
    assert "Everything in this transcript is in your log already" in twice["plain_text"]
    assert not twice["reply_markup"]


async def test_pasted_text_over_several_messages_then_preview_cancel_and_import(rb):
    user = 2002
    text = render_text(ACTIVITIES, wrap=28)
    lines = text.splitlines()
    middle = next(i for i in range(len(lines) // 2, len(lines)) if not lines[i].startswith(" "))
    parts = ["\n".join(lines[:middle]), "\n".join(lines[middle:])]
    how = await say(rb, user, "/ce import")
    assert "PDF" in how["plain_text"] and "paste" in how["plain_text"]
    got = await say(rb, user, parts[0])
    assert "so far" in got["plain_text"]
    got = await say(rb, user, parts[1])
    assert f"Got it: {len(ACTIVITIES)} activities" in got["plain_text"]
    preview = await press(rb, user, got, "Preview")
    assert f"Found {len(ACTIVITIES)} activities with a UAN" in preview["plain_text"]
    cancelled = await press(rb, user, preview, "Cancel")
    assert "nothing was imported" in cancelled["plain_text"]
    assert await log_rows(rb, user) == []

    # the command and the transcript in one message
    preview = await say(rb, user, "/ce import\n" + render_text(ACTIVITIES[:5]))
    preview = await press(rb, user, preview, "Preview")
    done = await press(rb, user, preview, "Import")
    assert "Imported 5 activities" in done["plain_text"]
    assert sorted(r[5] for r in await log_rows(rb, user)) == sorted(a.uan for a in ACTIVITIES[:5])
    # after the import, text is a question again
    rb.stub.mark()
    rb.stub.user_message(user, "how do i renew my cpht")
    (answer,) = await rb.stub.wait_for_messages(user, 1, timeout=60, method="sendMessage")
    assert "Got it" not in answer["plain_text"]


async def test_bad_input_gets_a_clear_answer_and_writes_nothing(rb):
    user = 2003
    not_pdf = await send_document(rb, user, b"\x89PNG\r\n\x1a\n" + b"0" * 200, "scan.png",
                                  mime_type="image/png")
    assert "isn't a PDF" in not_pdf["plain_text"]
    renamed = await send_document(rb, user, b"GIF89a" + b"0" * 200, "transcript.pdf")
    assert "isn't a PDF" in renamed["plain_text"]
    await say(rb, user, "/ce import")
    pasted = await say(rb, user, "i did like 5 hours of CE last month lol")
    assert "doesn't look like a CPE Monitor transcript" in pasted["plain_text"]
    no_uans = await say(rb, user, "/ce import\n" + render_text([]))
    assert "so far" in no_uans["plain_text"]  # a heading row: a transcript's beginning
    preview = await press(rb, user, no_uans, "Preview")
    assert "found no ACPE UANs" in preview["plain_text"]
    assert await log_rows(rb, user) == []


async def test_a_hostile_pdf_is_refused_and_other_chats_are_answered_meanwhile(rb, monkeypatch):
    monkeypatch.setattr(transcript_pdf, "TIME_LIMIT_S", 4.0)
    attacker, other = 2004, 2005
    rb.stub.mark()
    rb.stub.user_document(attacker, slow_pdf(), "transcript.pdf")
    await asyncio.sleep(1.0)  # the child process is reading it
    rb.stub.user_message(other, "/ce list")
    (answer,) = await rb.stub.wait_for_messages(other, 1, timeout=30, method="sendMessage")
    assert "Your CE log is empty" in answer["plain_text"]
    assert not [r for r in rb.stub.since_mark(attacker) if r["method"] == "sendMessage"]
    (refused,) = await rb.stub.wait_for_messages(attacker, 1, timeout=30, method="sendMessage")
    assert "took too long to read" in refused["plain_text"]
    assert await log_rows(rb, attacker) == []
