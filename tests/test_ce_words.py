"""CE in plain words, the pure part (bot/ce/wording.py): the labelled messages of
tests/data/ce_messages.jsonl scored on their held-out half, the pieces a proposal is read
from, and the personal status sentences built from the same rules as /ce status."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.ce import credentials as ce_credentials
from bot.ce import rules as ce_rules
from bot.ce.model import CEEntry, CEInputError
from bot.ce.parsing import parse_spoken_date
from bot.ce.wording import read_message, status_sentences, to_go_line
from bot.cli.evaluation import CE_EVAL_TODAY, evaluate_ce_words, load_jsonl
from bot.telegram.handlers import ce_words

DATA = Path(__file__).parent / "data" / "ce_messages.jsonl"
TODAY = date.fromisoformat(CE_EVAL_TODAY)  # a Friday
PTCB = ce_credentials.CREDENTIALS["ptcb-cpht"]


def test_the_set_has_what_the_issue_asks_for():
    rows = load_jsonl(DATA)
    counts = {k: sum(r["intent"] == k for r in rows)
              for k in ("status", "log", "set", "question", "mention")}
    assert counts == {"status": 40, "log": 50, "set": 15, "question": 30, "mention": 15}
    assert len({r["q"].lower() for r in rows}) == len(rows)


def test_held_out_half_meets_the_targets():
    result = evaluate_ce_words(load_jsonl(DATA))
    print(result.report())
    assert result.rows["held-out"] > 60
    assert result.intent_accuracy("held-out") >= 0.95, result.report()
    assert result.entries_right("held-out") >= 0.95, result.report()
    assert result.hijacked.get("held-out", 0) == 0, result.report()
    assert result.hijacked.get("tune", 0) == 0, result.report()


@pytest.mark.parametrize(("text", "expected"), [
    ("today", date(2026, 4, 10)), ("last night", date(2026, 4, 9)),
    ("march 14", date(2026, 3, 14)), ("14th of march", date(2026, 3, 14)),
    ("3/28", date(2026, 3, 28)), ("dec 12", date(2025, 12, 12)),  # the latest one, last year
    ("monday", date(2026, 4, 6)), ("friday", date(2026, 4, 10)),
    ("last friday", date(2026, 4, 3)), ("2 days ago", date(2026, 4, 8)),
    ("3/20/2026", date(2026, 3, 20)), ("on april 2", date(2026, 4, 2)),
    ("banana", None),
])
def test_spoken_dates_resolve_against_the_clock(text, expected):
    assert parse_spoken_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["tomorrow", "2026-05-01", "feb 30", "2019-01-01"])
def test_spoken_dates_that_cannot_be_logged_say_why(text):
    with pytest.raises(CEInputError):
        parse_spoken_date(text, TODAY)


@pytest.mark.parametrize(("text", "intent", "fields"), [
    # wording not in the data set
    ("an hour and a half of law ce today", "log", (1.5, "law", date(2026, 4, 10), None)),
    ("half an hour of med safety ce 3 days ago", "log",
     (0.5, "patient-safety", date(2026, 4, 7), None)),
    ("i told my coworker i did 2 hrs texas law ce wednesday", "log",
     (2, "tx-law", date(2026, 4, 8), None)),
    ("my coworker did 2 hours of law ce yesterday", "mention", None),
    ("i have 2 hours of law left", "none", None),
    ("ugh i have to do 20 hours of ce before june", "mention", None),
    ("how many ce hours should a tech do per year", "question", None),
    ("how do i add ce to my log", "question", None),
    ("is my cpht still active", "status", None),
    ("wait how many hrs am i missing", "status", None),
    ("i need to log my law ce", "log", (None, "law", None, None)),
    ("your ce log is empty", "mention", None),
    ("is there a way to log ce here", "question", None),
])
def test_unseen_wording(text, intent, fields):
    reading = read_message(text, TODAY)
    assert reading.intent == intent, reading
    if fields is not None:
        p = reading.log
        assert (p.hours, p.topic, p.completed_on, p.uan) == fields


@pytest.mark.parametrize(("text", "credential"), [
    ("my tx tech registration expires 8/31/2027", "tx-tech"),
    ("my license in texas expires 8/31/2027", "tx-tech"),
    ("my license expires 8/31/2027 in texas", "tx-tech"),
    ("my tech license in nj expires 8/31/2027", None),  # "in" is not Indiana
    ("my florida technician registration expires 12/31/2027", "fl-tech"),
])
def test_a_state_is_named_in_full_or_by_its_code_before_what_it_is(text, credential):
    reading = read_message(text, TODAY)
    assert (reading.set.credential if reading.set is not None else None) == credential, reading


def test_a_quoted_title_keeps_its_case_and_a_bad_uan_or_date_is_a_problem_not_a_guess():
    reading = read_message('add 2 hrs law "Federal Law Update" on 3/14', TODAY)
    assert reading.log.title == "Federal Law Update"
    assert reading.log.completed_on == date(2026, 3, 14)
    for text in ("log 0009-0000-25-005-X05-T 1", "did 2 hours of law tomorrow",
                 "did 60 hours of general today"):
        reading = read_message(text, TODAY)
        assert reading.intent == "log" and reading.log is None and reading.problem, text


def test_status_sentences_say_what_the_issue_example_needs():
    """PTCB CPhT expiring 2027-06-30, 2 hours of law logged: 18 more, 13 technician-specific."""
    exp = date(2027, 6, 30)
    entries = [CEEntry(hours=2, topic="law", audience="T", completed_on=date(2026, 3, 1))]
    status = ce_rules.ce_status(PTCB, exp, entries, TODAY, since=date(2025, 7, 1))
    text = status_sentences(status)
    assert text.startswith("Your PTCB Certified Pharmacy Technician (CPhT) expires on 2027-06-30")
    assert "18 more hours by 2027-06-30" in text
    assert "13 more technician-specific (T) hours" in text
    assert "1 hour of patient safety" in text
    assert "renewal window opens" in text and "2027-06-01 to avoid the late fee" in text
    assert "Next step: " in text
    assert to_go_line(status).startswith("You have 18 to go by 2027-06-30")


def test_the_proposal_fits_in_a_button_and_reads_back():
    reading = read_message("log JA4008164-0000-24-027-H03-T 1.25 yesterday", TODAY)
    data = ce_words.encode("y", reading.log)
    assert len(data.encode()) <= 64
    assert ce_words.decode(data.split(":")[2:], TODAY) == reading.log
    long = read_message('did 2 hrs law "' + "A very long course title " * 4 + '" today', TODAY)
    data = ce_words.encode("y", long.log)
    assert len(data.encode()) <= 64 and long.log.title not in data
    with pytest.raises(ValueError):
        ce_words.decode(["2", "not-a-topic", "20260409", "T"], TODAY)

