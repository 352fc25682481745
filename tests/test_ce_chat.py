"""`/ce` (the CE log and renewal status), /nudges, /settings and /forget, end to end: the real
bot Application polls the local Bot API stub; the user types commands and the tests read the
replies the stub recorded and the rows in the SQLite database.

The handlers read the real clock (the user's local "today"), so every date here is relative
to today in America/New_York, the default time zone of a new user.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from e2e_support import running_bot
from user_rows import rows_about

from bot.answers.templates import APOLOGY
from bot.ce import credentials as ce_credentials
from bot.ce import model as ce_model
from bot.ce import rules as ce_rules
from bot.telegram.app import NUDGE_JOB

NY = "America/New_York"
PTCB = ce_credentials.CREDENTIALS["ptcb-cpht"]
TX = ce_credentials.CREDENTIALS["tx-tech"]
UAN = "0009-0000-25-005-H05-T"
SAMPLE_PNG = Path("/tmp/ce-status-sample.png")


def today_ny() -> date:
    return datetime.now(ZoneInfo(NY)).date()


def last_day_of_month_ahead(today: date, months: int) -> date:
    year, month = divmod(today.month - 1 + months, 12)
    first_next = date(today.year + year + (month == 11), (month + 1) % 12 + 1, 1)
    return first_next - timedelta(days=1)


TODAY = today_ny()
EXP = last_day_of_month_ahead(TODAY, 4)  # e.g. 2027-03-31 when run in November 2026
EXP_TX = last_day_of_month_ahead(TODAY, 10)
CYCLE_START = ce_rules.cycle_start(PTCB, EXP)


def us(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


@pytest.fixture
async def rb(tmp_path, replier):
    async with running_bot(tmp_path, replier) as running:
        # The nudge job runs on the real clock; these tests are about commands only.
        for job in running.app.job_queue.get_jobs_by_name(NUDGE_JOB):
            job.schedule_removal()
        yield running


async def say(rb, user: int, text: str, n: int = 1, method: str = "sendMessage") -> list[dict]:
    """The user sends ``text``; returns the bot's first ``n`` records (of ``method``)."""
    rb.stub.mark()
    rb.stub.user_message(user, text)
    return await rb.stub.wait_for_messages(user, n, timeout=60, method=method)


async def reply(rb, user: int, text: str) -> str:
    return (await say(rb, user, text))[0]["plain_text"]


async def entries(rb, user: int) -> list[tuple]:
    return [
        (e.hours, e.topic, e.audience, e.completed_on, e.title, e.uan, e.delivery)
        for e in await rb.storage.entries(user)
    ]


async def credentials(rb, user: int) -> list[tuple[str, date]]:
    return [(c.credential, c.expiration) for c in await rb.storage.credentials(user)]


# --- /ce set -----------------------------------------------------------------------------------


async def test_ce_set_date_forms_and_several_credentials(rb):
    user = 3101
    mid = EXP.replace(day=15)
    text = await reply(rb, user, f"/ce set ptcb-cpht {mid.isoformat()}")
    assert text.startswith(f"\u2705 {PTCB.name}: expires {mid.isoformat()}."), text
    assert await credentials(rb, user) == [("ptcb-cpht", mid)]

    day_before = EXP - timedelta(days=1)
    text = await reply(rb, user, f"/ce set ptcb-cpht {us(day_before)}")
    assert f"expires {day_before.isoformat()}" in text
    assert await credentials(rb, user) == [("ptcb-cpht", day_before)]

    # a month alone means its last day
    text = await reply(rb, user, f"/ce set PTCB-CPhT {EXP:%B %Y}")
    assert f"expires {EXP.isoformat()}" in text
    assert await credentials(rb, user) == [("ptcb-cpht", EXP)]

    text = await reply(rb, user, f"/ce set tx-tech {EXP_TX.isoformat()}")
    assert text.startswith(f"\u2705 {TX.name}: expires {EXP_TX.isoformat()}.")
    assert await credentials(rb, user) == [("ptcb-cpht", EXP), ("tx-tech", EXP_TX)]


async def test_ce_set_alone_offers_the_credentials_as_buttons(rb):
    user = 3102
    (offer,) = await say(rb, user, "/ce set")
    assert "Which credential?" in offer["plain_text"]
    buttons = [b for row in offer["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [f"ce:set:{k}" for k in ce_credentials.CREDENTIALS]
    assert [b["text"] for b in buttons] == [c.name for c in ce_credentials.CREDENTIALS.values()]

    rb.stub.mark()
    rb.stub.press_button_text(user, offer, TX.name)
    (hint,) = await rb.stub.wait_for_messages(user, 1, method="sendMessage")
    assert hint["plain_text"].startswith(f"Send the expiration date of your {TX.name}: ")
    assert "/ce set tx-tech 2027-03-31 (or 3/31/2027, March 2027)" in hint["plain_text"]
    assert await credentials(rb, user) == []


# --- /ce add -----------------------------------------------------------------------------------


async def test_ce_add_with_topic_title_uan_and_audience(rb):
    user = 3201
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    before = today_ny()

    text = await reply(rb, user, '/ce add 2 law "Federal pharmacy law update"')
    after = today_ny()
    assert text.startswith("\u2705 Logged: 2 h \u00b7 pharmacy law (ACPE 03) \u00b7 technician (T)")
    assert "\u201cFederal pharmacy law update\u201d" in text
    (row,) = await entries(rb, user)
    assert row[:3] == (2.0, "law", "T") and row[3] in (before, after)
    assert row[4:] == ("Federal pharmacy law update", None, None)

    text = await reply(rb, user, f"/ce add {UAN} 1.5")
    # it says what it understood from the UAN
    assert text.startswith("\u2705 Logged: 1.5 h \u00b7 patient safety (ACPE 05) \u00b7 "
                           "technician (T) \u00b7 home study \u00b7 "), text
    assert f"UAN {UAN}" in text
    rows = await entries(rb, user)
    assert len(rows) == 2
    uan_row = next(r for r in rows if r[5] == UAN)
    assert uan_row[:3] == (1.5, "patient-safety", "T") and uan_row[6] == "home study"

    text = await reply(rb, user, "/ce add 3 general P")
    assert "3 h \u00b7 general pharmacy (ACPE 04) \u00b7 pharmacist (P)" in text
    text = await reply(rb, user, "/ce add 0009-0000-25-006-L01-P 2")
    assert "2 h \u00b7 drug therapy (ACPE 01) \u00b7 pharmacist (P) \u00b7 live" in text

    past = TODAY - timedelta(days=30)
    text = await reply(rb, user, f"/ce add 1 ps Medication safety {us(past)}")
    assert f"{past.isoformat()} \u00b7 \u201cMedication safety\u201d" in text

    rows = await entries(rb, user)
    assert sorted((r[0], r[1], r[2], r[6]) for r in rows) == sorted([
        (2.0, "law", "T", None),
        (1.5, "patient-safety", "T", "home study"),
        (3.0, "general", "P", None),
        (2.0, "drug-therapy", "P", "live"),
        (1.0, "patient-safety", "T", None),
    ])
    assert rows[0] == (1.0, "patient-safety", "T", past, "Medication safety", None, None)


async def test_ce_title_with_html_characters_comes_back_as_typed(rb):
    """The user sees their title exactly as typed: not interpreted as markup (no bold, no
    rejected message), not shown escaped (`&lt;b&gt;&amp;`)."""
    user = 3202
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    titles = ["<b>&", "Law <i>&amp; ethics</i> & more"]
    for title in titles:
        (added,) = await say(rb, user, f'/ce add 1 law "{title}"')
        assert added["plain_text"].startswith("\u2705 Logged: 1 h"), added["plain_text"]
        assert f"\u201c{title}\u201d" in added["plain_text"], added["plain_text"]
        assert not added["entities"]  # nothing the user typed became formatting
    assert [r[4] for r in await entries(rb, user)] == titles

    (listed,) = await say(rb, user, "/ce list")
    lines = [line for line in listed["plain_text"].splitlines() if line]
    assert [line.rsplit(" \u00b7 ", 1)[1] for line in lines[1:]] == [
        f"\u201c{t}\u201d" for t in titles]
    # the only formatting in the list is the bot's own bold heading
    assert [(e["type"], e["offset"]) for e in listed["entities"]] == [("bold", 0)]


# --- /ce list, delete, edit ----------------------------------------------------------------------


async def add_sample_log(rb, user: int) -> tuple[date, date, date]:
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    d1, d2, d3 = (TODAY - timedelta(days=n) for n in (90, 60, 30))
    await reply(rb, user, f'/ce add 1 law "Law A" {d1.isoformat()}')
    await reply(rb, user, f'/ce add 2 general "General B" {us(d2)}')
    await reply(rb, user, f'/ce add 1.25 ps "Safety C" {d3.isoformat()}')
    return d1, d2, d3


async def ids_by_title(rb, user: int) -> dict[str, int]:
    return {e.title: e.id for e in await rb.storage.entries(user)}


async def test_ce_list_shows_each_entry_with_its_own_number(rb):
    user = 3301
    d1, d2, d3 = await add_sample_log(rb, user)
    ids = await ids_by_title(rb, user)
    text = await reply(rb, user, "/ce list")
    assert [line for line in text.splitlines() if line] == [
        "Your CE log (3 entries, 4.25 h)",
        (f"#{ids['Law A']} \u00b7 1 h \u00b7 pharmacy law (ACPE 03) \u00b7 technician (T) \u00b7 "
         f"{d1} \u00b7 \u201cLaw A\u201d"),
        (f"#{ids['General B']} \u00b7 2 h \u00b7 general pharmacy (ACPE 04) \u00b7 technician (T) "
         f"\u00b7 {d2} \u00b7 \u201cGeneral B\u201d"),
        (f"#{ids['Safety C']} \u00b7 1.25 h \u00b7 patient safety (ACPE 05) \u00b7 technician (T) "
         f"\u00b7 {d3} \u00b7 \u201cSafety C\u201d"),
    ]


async def test_ce_delete_by_the_number_in_an_older_list_deletes_that_entry(rb):
    """Issue 10 item 7: the user reads /ce list, then logs an older activity (which sorts
    first); "/ce delete <n>" from the list they read still deletes the entry they meant."""
    user = 3302
    await add_sample_log(rb, user)
    listed = await reply(rb, user, "/ce list")
    general_line = next(line for line in listed.splitlines() if "General B" in line)
    number = general_line.split(" ", 1)[0].removeprefix("#")
    await reply(rb, user, f'/ce add 1 law "Older D" {(TODAY - timedelta(days=100)).isoformat()}')

    (deleted,) = await say(rb, user, f"/ce delete {number}")
    assert deleted["plain_text"].startswith(
        f"\U0001f5d1 Deleted #{number}: 2 h \u00b7 general pharmacy (ACPE 04)"), deleted
    assert "General B" in deleted["plain_text"]
    assert sorted(r[4] for r in await entries(rb, user)) == ["Law A", "Older D", "Safety C"]
    # a number that is gone (or never was) is refused, and nothing else is touched
    again = await reply(rb, user, f"/ce delete {number}")
    assert again.startswith(f"\u26a0\ufe0f There is no entry #{number} in your log."), again
    assert len(await entries(rb, user)) == 3

    # a number is never given to another entry, even once the newest entry is gone for good
    newest = max(e.id for e in await rb.storage.entries(user))
    await reply(rb, user, f"/ce delete {newest}")
    assert await rb.storage.purge_deleted_entries(datetime.now(ZoneInfo("UTC"))) == 2
    await reply(rb, user, '/ce add 1 law "Newer E"')
    assert (await ids_by_title(rb, user))["Newer E"] > newest
    assert "There is no entry" in await reply(rb, user, f"/ce edit {newest} hours 2")


async def test_ce_delete_offers_an_undo_button_for_a_minute(rb):
    user = 3303
    await add_sample_log(rb, user)
    ids = await ids_by_title(rb, user)
    before = await entries(rb, user)

    (deleted,) = await say(rb, user, f"/ce delete {ids['General B']}")
    assert [b["text"] for row in deleted["reply_markup"]["inline_keyboard"] for b in row] == [
        "\u21a9\ufe0f Undo"]
    assert len(await entries(rb, user)) == 2
    rb.stub.mark()
    rb.stub.press_button_text(user, deleted, "Undo")
    (restored,) = await rb.stub.wait_for_messages(user, 1, method="editMessageText")
    assert restored["plain_text"].startswith(f"\u21a9\ufe0f Restored #{ids['General B']}: 2 h")
    assert await entries(rb, user) == before
    assert await ids_by_title(rb, user) == ids  # the same number as before

    # a minute later the button no longer restores anything
    (deleted,) = await say(rb, user, f"/ce delete {ids['Law A']}")
    async with rb.storage.session() as s:
        from sqlalchemy import update

        from bot.storage.models import CEEntryRow
        await s.execute(update(CEEntryRow).where(CEEntryRow.id == ids["Law A"]).values(
            deleted_at=datetime.now(ZoneInfo("UTC")) - timedelta(seconds=61)))
    rb.stub.mark()
    rb.stub.press_button_text(user, deleted, "Undo")
    answer = await rb.stub.wait_for_request("answerCallbackQuery")
    assert "only for a minute" in answer.get("text", ""), answer
    assert sorted(r[4] for r in await entries(rb, user)) == ["General B", "Safety C"]
    records = await rb.stub.wait_idle(user, quiet=0.3)
    assert all(r["plain_text"] != APOLOGY for r in records)


async def test_ce_edit_changes_only_what_is_given(rb):
    """Issue 10 item 6: "/ce edit <n> hours 3" changes the hours and keeps the date, the UAN,
    the title and the tags; each edit shows before -> after."""
    user = 3304
    await reply(rb, user, f"/ce set tx-tech {EXP_TX.isoformat()}")
    done = TODAY - timedelta(days=40)
    await reply(rb, user, f'/ce add 0384-0000-24-003-H03-T 1 "Texas law" {done.isoformat()} '
                          "+tx-law")
    (entry_id,) = (await ids_by_title(rb, user)).values()

    def row_of(rows):
        (row,) = rows
        return (row.hours, row.topic, row.audience, row.completed_on, row.title, row.uan,
                row.delivery, row.tags)

    original = (1.0, "law", "T", done, "Texas law", "0384-0000-24-003-H03-T", "home study",
                "tx-law")
    assert row_of(await rb.storage.entries(user)) == original

    text = await reply(rb, user, f"/ce edit {entry_id} hours 3")
    assert text.splitlines()[:2] == [f"\u270f\ufe0f Updated entry #{entry_id}", "hours: 1 \u2192 3"]
    assert row_of(await rb.storage.entries(user)) == (3.0, *original[1:])
    assert "Now: 3 h \u00b7 pharmacy law (ACPE 03)" in text and "+tx-law" in text

    new_day = done + timedelta(days=1)
    text = await reply(rb, user, f"/ce edit {entry_id} date {us(new_day)}")
    assert f"date: {done} \u2192 {new_day}" in text, text
    assert row_of(await rb.storage.entries(user)) == (3.0, "law", "T", new_day, *original[4:])

    text = await reply(rb, user, f'/ce edit {entry_id} title "Texas law & rules" -tx-law')
    assert "title: \u201cTexas law\u201d \u2192 \u201cTexas law & rules\u201d" in text, text
    assert "tags: +tx-law \u2192 none" in text, text
    assert row_of(await rb.storage.entries(user)) == (
        3.0, "law", "T", new_day, "Texas law & rules", *original[5:7], None)

    # the UAN decides the topic: a different topic needs a different UAN (or none)
    refused = await reply(rb, user, f"/ce edit {entry_id} topic general")
    assert refused.startswith("\u26a0\ufe0f"), refused
    assert "uan none" in refused
    text = await reply(rb, user, f"/ce edit {entry_id} uan 0384-0000-24-004-L05-T")
    assert "topic: pharmacy law (ACPE 03) \u2192 patient safety (ACPE 05)" in text, text
    assert row_of(await rb.storage.entries(user))[1:7] == (
        "patient-safety", "T", new_day, "Texas law & rules", "0384-0000-24-004-L05-T", "live")
    await reply(rb, user, f"/ce edit {entry_id} uan none")
    text = await reply(rb, user, f"/ce edit {entry_id} topic general +accredited")
    assert row_of(await rb.storage.entries(user)) == (
        3.0, "general", "T", new_day, "Texas law & rules", None, None, "accredited")

    # the old form "/ce edit <n> <hours> <topic>" changes those two and keeps the rest
    text = await reply(rb, user, f"/ce edit {entry_id} 2 law")
    assert row_of(await rb.storage.entries(user)) == (
        2.0, "law", "T", new_day, "Texas law & rules", None, None, "accredited")
    # a date outside the cycle is refused and nothing changes
    too_early = TODAY - timedelta(days=3 * 366)
    refused = await reply(rb, user, f"/ce edit {entry_id} date {too_early.isoformat()}")
    assert refused.startswith("\u26a0\ufe0f"), refused
    assert row_of(await rb.storage.entries(user))[3] == new_day
    assert "Tell me what to change" in await reply(rb, user, f"/ce edit {entry_id}")


# --- /ce status and /ce export -------------------------------------------------------------------


def status_lines(today: date) -> list[str]:
    days, days_tx = (EXP - today).days, (EXP_TX - today).days
    return [
        f"{PTCB.name}: expires {EXP} ({days} days from today)",
        f"Cycle: {CYCLE_START} (assumed) to {EXP} \u00b7 phase: cycle",
        ("Cycle start assumed: PTCB's cycle starts the day it approved your last "
         "recertification. If you know that date, set it: "
         f"/ce set ptcb-cpht {EXP} --since YYYY-MM-DD"),
        f"Renewal window opens: {EXP - timedelta(days=60)}",
        (f"Late-fee deadline: {EXP.replace(day=1)}, the 1st day of your expiration month "
         f"(PTCB's renewal fee article) \u00b7 {(EXP.replace(day=1) - today).days} days left"),
        "\u2717 Total CE hours: 7.5 of 20",
        "\u2717 Technician-specific (T) hours: 4.5 of 15",
        "\u2713 Pharmacist-specific (P) hours, at most 5 count: 3 counted of 3 logged",
        "\u2713 Pharmacy law (ACPE topic 03): 3 of 1",
        "\u2713 Patient safety (ACPE topic 05): 1.5 of 1",
        "Still needed: 12.5 more hours in total; 10.5 more technician-specific (T) hours",
        ("Next step: Earn 10.5 more technician-specific hours (UAN ending in T). Your cycle "
        f"ends on {EXP} ({days} days left)."),
        f"{TX.name}: expires {EXP_TX} ({days_tx} days from today)",
        "\u2717 Total CE hours: 7.5 of 20",
        "\u2713 Texas pharmacy law: 1 of 1",
        "\u2717 Texas HHSC-approved human trafficking prevention course: not done",
        ("Next step: Complete the Texas HHSC-approved human trafficking prevention course, then "
        "log it with /ce add <hours> human-trafficking. If it is accredited CE, log it with its "
        "UAN and +human-trafficking so its hours count toward the total too. Your cycle ends on "
        f"{EXP_TX} ({days_tx} days left)."),
    ]


async def log_sample(rb, user: int) -> None:
    await reply(rb, user, f"/ce set ptcb-cpht {EXP:%B %Y}")
    await reply(rb, user, f"/ce set tx-tech {EXP_TX.isoformat()}")
    await reply(rb, user, '/ce add 2 law "Federal pharmacy law update"')
    await reply(rb, user, f"/ce add {UAN} 1.5")
    await reply(rb, user, '/ce add 3 general "Pharmacist, patient & you" P')
    await reply(rb, user, "/ce add 1 tx-law")


async def test_ce_status_text_and_chart(rb, tmp_path):
    user = 3401
    await log_sample(rb, user)
    before = today_ny()
    rb.stub.mark()
    rb.stub.user_message(user, "/ce status")
    (photo,) = await rb.stub.wait_for_messages(user, 1, timeout=90, method="sendPhoto")
    after = today_ny()
    texts = [r["plain_text"] for r in rb.stub.since_mark(user) if r["method"] == "sendMessage"]
    assert texts and rb.stub.since_mark(user)[-1] is photo  # the chart follows the text
    text = "\n\n".join(texts)

    lines = text.splitlines()
    missing = [line for line in status_lines(before) if line not in lines]
    if missing and after != before:  # the command ran across midnight
        missing = [line for line in status_lines(after) if line not in lines]
    assert not missing, f"missing lines {missing} in:\n{text}"
    tx_block = text[text.index(TX.name + ": expires"):]
    assert "Late-fee deadline" not in tx_block and "Renewal window" not in tx_block
    for note in PTCB.uncertain + TX.uncertain:
        assert f"Note: {note}" in text

    png = photo["photo"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert photo["caption"] == "Your CE progress" and photo["filename"] == "ce-status.png"
    assert photo["message"]["photo"][-1]["width"] > 400

    (tmp_path / "ce-status-sample.txt").write_text(text, encoding="utf-8")
    (tmp_path / "ce-status-sample.png").write_bytes(png)
    SAMPLE_PNG.write_bytes(png)
    print(f"\n--- sample /ce status ({tmp_path / 'ce-status-sample.txt'}; chart {SAMPLE_PNG})"
          f" ---\n{text}\n---")


def test_status_chart_draws_nothing_past_the_image_edges():
    from matplotlib.image import imread

    from bot.ce.chart import status_chart_png

    today, exp, exp_tx = date(2026, 11, 25), date(2027, 3, 31), date(2027, 9, 30)
    log = [
        ce_model.CEEntry(2, "law", "T", today), ce_model.CEEntry(1.5, "patient-safety", "T", today),
        ce_model.CEEntry(3, "general", "P", today), ce_model.CEEntry(1, "tx-law", "T", today),
    ]
    png = status_chart_png([
        ce_rules.ce_status(PTCB, exp, log, today), ce_rules.ce_status(TX, exp_tx, log, today),
    ])
    pixels = imread(io.BytesIO(png))
    ink = pixels[:, :, :3].mean(axis=2) < 0.5  # dark pixels: text, axes
    edge = 6
    assert not ink[:, -edge:].any(), "something is cut off at the right edge"
    assert not ink[:, :edge].any() and not ink[:edge].any() and not ink[-edge:].any()


async def test_ce_status_without_credential_says_how_to_start(rb):
    text = await reply(rb, 3402, "/ce status")
    assert "You haven't told me a credential yet. Start with /ce set ptcb-cpht" in text


async def test_ce_export_sends_a_csv_with_one_row_per_entry(rb):
    user = 3501
    await log_sample(rb, user)
    (doc,) = await say(rb, user, "/ce export", method="sendDocument")
    assert doc["filename"] == "ce-log.csv"
    assert doc["caption"] == "Your CE log: 4 entries"
    rows = list(csv.reader(io.StringIO(doc["document"].decode("utf-8"))))
    assert rows[0] == ["id", "date", "hours", "topic", "audience", "delivery", "uan", "title",
                       "tags"]
    stored = await rb.storage.entries(user)
    assert len(rows) == 1 + len(stored) == 5
    for row, e in zip(rows[1:], stored, strict=True):  # the numbers /ce list shows
        assert row == [str(e.id), e.completed_on.isoformat(), f"{e.hours:g}", e.topic, e.audience,
                       e.delivery or "", e.uan or "", e.title or "", e.tags or ""]
    assert ["1.5", "patient-safety", "T", "home study", UAN] in [r[2:7] for r in rows]
    assert "Pharmacist, patient & you" in [r[7] for r in rows]


async def test_ce_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(rb):
    """Issue 10 item 9: a title typed as =HYPERLINK(...) (or starting with + - @) must reach
    the spreadsheet as text, not as a live formula."""
    user = 3502
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    typed = ['=HYPERLINK("http://x")', '"=HYPERLINK(A1)"', '"+1+2"', '"-2+3"', '"@SUM(A1)"',
             "Law =1+1 update"]
    for title in typed:
        assert (await reply(rb, user, f"/ce add 1 law {title}")).startswith("\u2705"), title
    stored = [r[4] for r in await entries(rb, user)]
    assert stored[1:] == ["=HYPERLINK(A1)", "+1+2", "-2+3", "@SUM(A1)", "Law =1+1 update"]
    assert stored[0].startswith("=HYPERLINK(")  # the log keeps the titles as typed
    (doc,) = await say(rb, user, "/ce export", method="sendDocument")
    rows = list(csv.reader(io.StringIO(doc["document"].decode("utf-8"))))
    assert [r[7] for r in rows[1:]] == ["'" + t for t in stored[:5]] + [stored[5]]
    for row in rows:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), row


async def test_ce_status_chart_and_export_are_sent_again_after_a_502(rb):
    """Issue 10 item 19: a 502 on sendPhoto / sendDocument is retried like a text message,
    not answered with the apology."""
    user = 3503
    await log_sample(rb, user)
    rb.stub.inject_error("sendPhoto", 502)
    rb.stub.mark()
    rb.stub.user_message(user, "/ce status")
    (photo,) = await rb.stub.wait_for_messages(user, 1, timeout=90, method="sendPhoto")
    assert photo["photo"].startswith(b"\x89PNG") and photo["caption"] == "Your CE progress"
    rb.stub.inject_error("sendDocument", 502)
    (doc,) = await say(rb, user, "/ce export", method="sendDocument")
    assert doc["document"].decode("utf-8").startswith("id,date,hours")
    assert [(i["method"], i["status"]) for i in rb.stub.injected] == [
        ("sendPhoto", 502), ("sendDocument", 502)]
    records = await rb.stub.wait_idle(user, quiet=0.3)
    assert [r for r in rb.stub.sent if r["plain_text"] == APOLOGY] == [], records


# --- bad input: a clear message with the accepted form, and nothing stored -----------------------

BAD_INPUTS = [
    ("/ce add 0 law", ["I couldn't read \u201c0\u201d as hours.",
                       "Hours must be more than 0 and at most 40", "Try: /ce add 2 law"]),
    ("/ce add -2 law", ["\u201c-2\u201d as hours", "Try: /ce add 2 law"]),
    ("/ce add 41 law", ["\u201c41\u201d as hours", "at most 40 for one activity"]),
    ("/ce add 2 cooking", ["I don't know the CE topic \u201ccooking\u201d.",
                           "Use one of: law, patient-safety", "Try: /ce add 2 law"]),
    ("/ce add 2", ["After the hours, tell me the topic", "Try: /ce add 2 law"]),
    ("/ce set cna-cpht 2027-03-31", ["I don't know the credential \u201ccna-cpht\u201d.",
                                     ("I track: ptcb-cpht, ptcb-cpht-adv, nha-cpht, tx-tech, and "
                                     "these state credentials: ak-tech, al-tech,"),
                                     "Try: /ce set ptcb-cpht 2027-03-31"]),
    ("/ce set nha-cpht 2027-03-31 --since 2025-04-01", ["leave out --since"]),
    ("/ce set ptcb-cpht 2027-03-31 --since someday", [("\u201csomeday\u201d as the day your "
                                                      "cycle started")]),
    ("/ce add 1 law +cooking", ["I don't know the tag \u201c+cooking\u201d.", "/ce tags"]),
    ("/ce tag 1 tx-law", ["Put + before a tag to add it or - to remove it"]),
    ("/ce set ptcb-cpht", ["Add the expiration date, e.g. /ce set ptcb-cpht 2027-03-31"]),
    ("/ce add 0009-0000-25-005-X05-T 1", ["as an ACPE UAN", "must be L, H or B",
                                          "like 0009-0000-25-005-H05-T"]),
    ("/ce add 0009-0000-25-005-H05 1", ["It should have 6 parts separated by dashes; I found 5.",
                                        "Try: /ce add 0009-0000-25-005-H05-T 1.25"]),
    ("/ce add 0009-0000-25-005-H00-T 1", ["\u201c00\u201d isn't an ACPE topic"]),
    ("/ce add JA40-0000-24-027-H03-P 1", ["JA and 7 digits"]),
    ("/ce add 1 law 2026-02-30", ["\u201c2026-02-30\u201d isn't a real date.",
                                  "Try one of: 2026-03-14, 3/14/2026"]),
    ("/ce set ptcb-cpht 2026-02-30", ["\u201c2026-02-30\u201d isn't a real date.",
                                      "2027-03-31, 3/31/2027, March 2027"]),
    (f"/ce set ptcb-cpht {(TODAY + timedelta(days=4 * 366)).isoformat()}",
     ["is more than 3 years away", "e.g. March 2027"]),
    (f"/ce add 1 law {(TODAY + timedelta(days=3)).isoformat()}",
     [f"{(TODAY + timedelta(days=3)).isoformat()} is in the future.", "Try: /ce add 2 law"]),
    (f"/ce add 1 law {(CYCLE_START - timedelta(days=70)).isoformat()}",
     ["outside your current renewal cycle", f"({CYCLE_START} (assumed) to {EXP})",
      "I didn't add it", f"/ce set ptcb-cpht {EXP} --since YYYY-MM-DD"]),
    ("/ce delete 99", ["There is no entry #99 in your log.",
                       "/ce list shows each entry's number."]),
    ("/ce delete two", ["Tell me which entry by its number in /ce list, e.g. /ce delete 2"]),
    ("/ce edit 99 1 law", ["There is no entry #99"]),
    ("/ce edit 1 0 law", ["\u201c0\u201d as hours"]),
]


async def test_bad_input_gets_a_clear_message_and_stores_nothing(rb):
    user = 3601
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    await reply(rb, user, '/ce add 2 law "Federal pharmacy law update"')
    creds, log = await credentials(rb, user), await entries(rb, user)
    for command, expected in BAD_INPUTS:
        text = await reply(rb, user, command)
        assert text.startswith("\u26a0\ufe0f "), (command, text)
        for fragment in expected:
            assert fragment in text, (command, fragment, text)
        assert await credentials(rb, user) == creds, command
        assert await entries(rb, user) == log, command
    records = await rb.stub.wait_idle(user, quiet=0.3)
    assert len(records) == 1  # one reply to the last command, nothing else
    assert await credentials(rb, user) == creds and await entries(rb, user) == log


IMPOSSIBLE_YEARS = ["0000-03", "9999-12", "12/9999", "Dec 9999", "March 0000", "0000-01",
                    "1/0000", "0000-02-29", "9999-12-31", "10000-01"]


async def test_impossible_years_get_the_clear_bad_date_message(rb):
    """Issue 10 items 10 and 17: years 0 and 9999 raised ValueError (generic apology)."""
    user = 3611
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    for typed in IMPOSSIBLE_YEARS:
        text = await reply(rb, user, f"/ce set ptcb-cpht {typed}")
        assert text.startswith("\u26a0\ufe0f "), (typed, text)
        assert "2027-03-31, 3/31/2027, March 2027" in text or "Check the expiration" in text, (
            typed, text)
        assert await credentials(rb, user) == [("ptcb-cpht", EXP)], typed
    for typed in ("0000-03-14", "1/1/0000", "March 3 0000"):
        text = await reply(rb, user, f"/ce add 1 law {typed}")
        assert text.startswith("\u26a0\ufe0f "), (typed, text)
    text = await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()} --since 0000-01-01")
    assert text.startswith("\u26a0\ufe0f "), text
    records = await rb.stub.wait_idle(user, quiet=0.3)
    assert [r for r in rb.stub.sent if r["plain_text"] == APOLOGY] == [], records


LONG = "x" * 4000


async def test_long_input_is_quoted_back_as_a_short_prefix(rb):
    """Issue 10 item 18: an error message quotes at most a short prefix of what was typed, so
    it is never too long for Telegram (a 4,122-character reply was rejected: apology)."""
    user = 3612
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    await reply(rb, user, "/ce add 1 law")
    commands = [
        f"/ce set {LONG} 2027-03-31", f"/ce set ptcb-cpht {LONG}",
        f"/ce set ptcb-cpht 2027-03-31 --since {LONG}", f"/ce add 2 {LONG}",
        f"/ce add {LONG} law", f"/ce add 0009-0000-25-005-H05-{LONG} 1",
        f"/ce add 1 law +{LONG}", f"/ce delete {'9' * 3000}", f"/ce tag 1 {LONG}",
        f"/ce edit 1 hours {LONG}", f"/ce edit 1 {LONG}", f"/ce set {LONG[:3000]}-tech 2027-01-01",
        f"/settings timezone {LONG}", f"/settings timezone America/{LONG[:200]}",
    ]
    for command in commands:
        text = await reply(rb, user, command)
        assert text != APOLOGY, command[:60]
        assert "xxx" in text or "999" in text, (command[:60], text)
        assert len(text) < 1200, (command[:60], len(text), text[:300])
        assert "x" * 60 not in text and "9" * 60 not in text, (command[:60], text)


async def test_dates_outside_every_cycle_are_refused_but_one_cycle_is_enough(rb):
    """With two credentials, an activity counts if it falls in either one's cycle."""
    user = 3602
    await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    early = CYCLE_START - timedelta(days=70)  # before any day PTCB could have approved
    assert "outside your current renewal cycle" in await reply(
        rb, user, f"/ce add 1 law {early.isoformat()}")
    assert await entries(rb, user) == []
    later_exp = EXP + timedelta(days=30)  # its cycle starts 30 days later; still not in it
    await reply(rb, user, f"/ce set nha-cpht {later_exp.isoformat()}")
    assert "outside" in await reply(rb, user, f"/ce add 1 law {early.isoformat()}")
    earlier_exp = EXP - timedelta(days=80)  # its cycle starts 80 days earlier: early is in it
    await reply(rb, user, f"/ce set nha-cpht {earlier_exp.isoformat()}")
    assert (await reply(rb, user, f"/ce add 1 law {early.isoformat()}")).startswith("\u2705")
    assert [r[3] for r in await entries(rb, user)] == [early]


# --- issue 9: PTCB cycle start, UANs, tags, state credentials --------------------------------------


async def status_text_of(rb, user: int) -> str:
    rb.stub.mark()
    rb.stub.user_message(user, "/ce status")
    await rb.stub.wait_for_messages(user, 1, timeout=90, method="sendPhoto")
    return "\n".join(r["plain_text"] for r in rb.stub.since_mark(user)
                     if r["method"] == "sendMessage")


async def test_ce_set_since_sets_the_ptcb_cycle_start_and_ce_of_the_real_cycle_is_kept(rb):
    user = 3603
    text = await reply(rb, user, f"/ce set ptcb-cpht {EXP.isoformat()}")
    assert f"Until you tell me, I assume {CYCLE_START}" in text, text
    assert f"/ce set ptcb-cpht {EXP} --since YYYY-MM-DD" in text

    early = CYCLE_START - timedelta(days=20)  # in the cycle if PTCB approved it by then
    added = await reply(rb, user, f"/ce add 1 law {early.isoformat()}")
    assert added.startswith("\u2705 Logged: 1 h \u00b7 pharmacy law"), added
    assert "so /ce status doesn't count it yet" in added and "--since YYYY-MM-DD" in added
    status = await status_text_of(rb, user)
    assert f"Cycle: {CYCLE_START} (assumed) to {EXP}" in status
    assert "\u2717 Pharmacy law (ACPE topic 03): 0 of 1" in status
    assert f"Not counted until you set the cycle start: 1 entry dated before {CYCLE_START}" \
        in status

    since = CYCLE_START - timedelta(days=30)
    text = await reply(rb, user, f"/ce set ptcb-cpht {us(EXP)} \u2014since {us(since)}")
    assert f"Your CE cycle: {since} to {EXP}." in text, text
    assert [(c.credential, c.expiration, c.cycle_start)
            for c in await rb.storage.credentials(user)] == [("ptcb-cpht", EXP, since)]
    status = await status_text_of(rb, user)
    assert f"Cycle: {since} to {EXP} \u00b7 phase: cycle" in status
    assert "assumed" not in status
    assert "\u2713 Pharmacy law (ACPE topic 03): 1 of 1" in status
    # before the given start: refused, saying which start it used
    refused = await reply(rb, user, f"/ce add 1 law {(since - timedelta(days=1)).isoformat()}")
    assert f"Your cycle started on {since}" in refused and len(await entries(rb, user)) == 1

    # the same expiration keeps the start; a new expiration (a renewal) drops it
    assert f"Your CE cycle: {since} to {EXP}." in await reply(
        rb, user, f"/ce set ptcb-cpht {EXP.isoformat()} ")
    later = last_day_of_month_ahead(TODAY, 16)
    assert "Until you tell me, I assume" in await reply(rb, user, f"/ce set ptcb-cpht {later}")
    assert (await rb.storage.credentials(user))[0].cycle_start is None


async def test_ce_add_uans_with_topics_beyond_05_and_from_jointly_accredited_providers(rb):
    user = 3604
    await reply(rb, user, f"/ce set nha-cpht {EXP.isoformat()}")
    text = await reply(rb, user, "/ce add JA4008164-0000-24-027-H03-P 1.5")
    assert text.startswith("\u2705 Logged: 1.5 h \u00b7 pharmacy law (ACPE 03) \u00b7 "
                           "pharmacist (P) \u00b7 home study"), text
    assert "UAN JA4008164-0000-24-027-H03-P" in text
    text = await reply(rb, user, '/ce add 0384-9999-21-104-H07-T 2 "Sterile compounding"')
    assert "2 h \u00b7 compounding (ACPE 07, unconfirmed) \u00b7 technician (T)" in text, text
    text = await reply(rb, user, "/ce add 0384-9999-21-105-L08-T 1")
    assert "opioids and controlled substances (ACPE 08)" in text, text
    assert sorted(r[1] for r in await entries(rb, user)) == ["compounding", "law", "opioids"]
    status = await status_text_of(rb, user)
    assert "\u2717 Total CE hours: 4.5 of 20" in status


async def test_texas_law_hour_by_uan_and_the_trafficking_course_only_if_accredited(rb):
    user = 3605
    await reply(rb, user, f"/ce set tx-tech {EXP_TX.isoformat()}")
    text = await reply(rb, user, '/ce add 0384-0000-24-003-H03-T 1 "Texas pharmacy law"')
    assert text.startswith("\u2705 Logged"), text
    assert "\u2717 Texas pharmacy law: 0 of 1" in await status_text_of(rb, user)

    text = await reply(rb, user, "/ce tag 1 +tx-law")
    assert text.startswith("\U0001f3f7 Entry #1: 1 h \u00b7 pharmacy law (ACPE 03)"), text
    assert text.endswith("UAN 0384-0000-24-003-H03-T \u00b7 +tx-law")
    assert (await rb.storage.entries(user))[0].tags == "tx-law"
    text = await reply(rb, user, "/ce add 1 human-trafficking")
    status = await status_text_of(rb, user)
    assert "\u2713 Texas pharmacy law: 1 of 1" in status
    assert "\u2713 Texas HHSC-approved human trafficking prevention course: done" in status
    assert "\u2717 Total CE hours: 1 of 20" in status  # the course isn't known to be accredited
    assert ("Not counted toward the total: 1 h of Texas HHSC-approved human trafficking "
            "prevention course not logged as accredited CE") in status

    await reply(rb, user, "/ce tag 2 +accredited")
    assert "\u2717 Total CE hours: 2 of 20" in await status_text_of(rb, user)
    text = await reply(rb, user, "/ce add 0009-0000-24-011-H04-T 1 +trafficking")
    assert text.endswith("\u00b7 +human-trafficking\n/ce status shows what is still missing."), text
    assert "\u2717 Total CE hours: 3 of 20" in await status_text_of(rb, user)
    await reply(rb, user, "/ce tag 1 -tx-law")
    assert (await rb.storage.entries(user))[0].tags is None

    tags = await reply(rb, user, "/ce tags")
    assert "+tx-law \u2014 a course on Texas pharmacy laws or rules" in tags
    assert "+accredited \u2014 accredited CE logged without its UAN" in tags
    help_text = await reply(rb, user, "/ce help")
    for fragment in ("--since 2025-02-10", ("+tx-law for a Texas pharmacy law course logged by "
                     "its UAN"), "+accredited", "/ce tag <n> +tag", "fl-tech", "JA"):
        assert fragment in help_text, fragment


async def test_state_credentials_come_from_the_state_data(rb):
    from bot.content.states import all_states
    from bot.telegram.handlers import ce as ce_chat

    user = 3606
    fl = ce_credentials.find("fl-tech")
    text = await reply(rb, user, f"/ce set fl-tech {EXP_TX.isoformat()}")
    assert text.startswith(f"\u2705 {fl.name}: expires {EXP_TX}."), text
    assert f"Confirm the rules with {fl.body}: {fl.confirm_at}" in text and "/ce tags" in text
    assert await credentials(rb, user) == [("fl-tech", EXP_TX)]
    text = await reply(rb, user, '/ce add 2 ps "Med errors" +fl-prevention-medication-errors')
    assert text.startswith("\u2705 Logged: 2 h \u00b7 patient safety (ACPE 05)"), text
    status = await status_text_of(rb, user)
    assert status.startswith(f"{fl.name}: expires {EXP_TX}")
    assert ("\u2713 Prevention of medication errors: 2 of 2 \u00b7 mark entries "
            "+fl-prevention-medication-errors") in status
    assert "\u2717 Live presentation: 0 of 4" in status
    assert "+fl-hiv-aids" in await reply(rb, user, "/ce tags")

    ar = all_states()["AR"]
    assert ar.renewal.ce_hours is None
    text = await reply(rb, user, f"/ce set ar-tech {EXP.isoformat()}")
    assert text.startswith("\u2139\ufe0f Arkansas: the technician renewal CE rule is not "
                           "confirmed"), text
    assert f"Check with the {ar.board.name}: {ar.board.url}" in text
    assert await credentials(rb, user) == [("fl-tech", EXP_TX)]

    # a user whose profile names a state is offered its credential with the national ones
    markup = ce_chat.credential_keyboard("FL").to_dict()["inline_keyboard"]
    assert [row[0]["callback_data"] for row in markup] == [
        *(f"ce:set:{k}" for k in ce_credentials.CREDENTIALS), "ce:set:fl-tech"]
    assert len(ce_chat.credential_keyboard("AR").to_dict()["inline_keyboard"]) == 4


# --- /nudges, /settings, /forget -----------------------------------------------------------------


async def test_nudges_off_and_on(rb):
    user = 3701
    assert "Renewal reminders are off." in await reply(rb, user, "/nudges off")
    assert (await rb.storage.get_user(user)).nudges_enabled is False
    assert "Renewal reminders are off. Use /nudges on" in await reply(rb, user, "/nudges")
    text = await reply(rb, user, "/nudges on")
    assert "Renewal reminders are on." in text and "between 08:00 and 21:00 your time" in text
    assert (await rb.storage.get_user(user)).nudges_enabled is True


async def test_settings_timezone(rb):
    user = 3702
    text = await reply(rb, user, "/settings timezone America/Chicago")
    assert "Time zone: America/Chicago" in text
    assert (await rb.storage.get_user(user)).timezone == "America/Chicago"

    (bad,) = await say(rb, user, "/settings timezone Mars/Olympus")
    assert bad["plain_text"].startswith(
        "\u201cMars/Olympus\u201d is not a time zone I know. Use an IANA name such as "
        "America/Chicago")
    assert bad["reply_markup"]["inline_keyboard"]  # the zone buttons
    assert (await rb.storage.get_user(user)).timezone == "America/Chicago"

    # a zone button
    rb.stub.mark()
    rb.stub.press_button_text(user, bad, "Denver")
    await rb.stub.wait_for_request("answerCallbackQuery")
    await rb.stub.wait_for_messages(user, 1, method="editMessageText")
    assert (await rb.storage.get_user(user)).timezone == "America/Denver"


async def test_settings_timezone_that_is_a_zone_folder_gets_the_clear_message(rb):
    user = 3703
    await reply(rb, user, "/nudges on")  # the user exists, with the default zone
    rb.stub.mark()
    rb.stub.user_message(user, "/settings timezone America")
    (answer,) = await rb.stub.wait_for_messages(user, 1)  # actually: the generic apology
    assert "is not a time zone I know" in (answer["plain_text"] or ""), answer["plain_text"]
    assert (await rb.storage.get_user(user)).timezone == NY


async def test_forget_removes_ce_data_too(rb):
    user = 3801
    await log_sample(rb, user)
    before = await rows_about(rb.storage, user)
    assert before["ce_credentials.user_id"] == 2 and before["ce_entries.user_id"] == 4
    assert before["users.id"] == 1

    (confirm,) = await say(rb, user, "/forget")
    rb.stub.mark()
    rb.stub.press_button_text(user, confirm, "Yes, delete everything")
    (done,) = await rb.stub.wait_for_messages(user, 1, method="editMessageText")
    assert "I deleted everything I stored about you" in done["plain_text"]
    assert await rows_about(rb.storage, user) == dict.fromkeys(before, 0)
    assert "Your CE log is empty" in await reply(rb, user, "/ce list")
