"""Reading CPE Monitor transcripts (bot/ce/transcript.py) and planning the import
(bot/ce/transcript_import.py): transcripts made here in the NABP layout, as the PDF (fpdf2, read
by the bot's own bounded pypdf extraction) and as pasted text; the parsed activities must equal
the source rows exactly."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ce import credentials as ce_credentials
from bot.ce.model import CEEntry
from bot.ce.transcript import parse_transcript, parse_transcript_text
from bot.ce.transcript_import import NO_UANS, NOT_A_TRANSCRIPT, plan_import, preview_text
from bot.cli.transcript_sample import (
    DATE_FORMS,
    NABP_ORDER,
    SampleActivity,
    render_cards,
    render_pdf,
    render_text,
    sample_activities,
)
from bot.telegram.transcript_pdf import extract_lines_sync

TODAY = date(2026, 12, 1)
PTCB = ce_credentials.CREDENTIALS["ptcb-cpht"]


def as_rows(activities) -> list[tuple]:
    return [(a.title, a.provider, a.uan, a.completed_on, a.hours) for a in activities]


@pytest.fixture(scope="module")
def forty():
    return sample_activities(40, seed=11)


@pytest.fixture(scope="module")
def pdf_lines(forty):
    data = render_pdf(forty, non_acpe=[("State law live seminar", "Board of Pharmacy",
                                        date(2026, 2, 3), 2.0)])
    return extract_lines_sync(data)


def test_the_nabp_pdf_parses_to_exactly_its_rows(forty, pdf_lines):
    text = "\n".join(pdf_lines)
    assert text.count("Activity Title") >= 4  # 3+ pages, the heading repeated on each
    assert "Page 3 of" in text
    assert any(len(a.title) > 45 for a in forty)  # titles wrap in their cell
    transcript = parse_transcript(pdf_lines, TODAY)
    assert as_rows(transcript.activities) == as_rows(forty)
    assert transcript.name == "Tess Tech" and transcript.eprofile_id == "1234567"
    assert transcript.stated_total_hours == round(sum(a.hours for a in forty), 2)
    (no_uan,) = transcript.not_imported
    assert "State law live seminar" in no_uan.text and "no ACPE UAN" in no_uan.reason
    assert transcript.unreadable == ()


def test_a_jointly_accredited_uan_broken_over_two_lines_is_read_whole():
    activity = SampleActivity("Sterile compounding refresher for technicians in the IV room",
                              "American Society of Health-System Pharmacists",
                              "JA4008164-0000-25-027-H07-T", date(2025, 9, 29), 2.0)
    lines = extract_lines_sync(render_pdf([activity]))
    assert any("-H07- " in line for line in lines)  # the UAN cell wrapped at a dash
    assert as_rows(parse_transcript(lines, TODAY).activities) == as_rows([activity])


@pytest.mark.parametrize("columns", [NABP_ORDER, ("uan", "date", "hours", "ceus", "title",
                                                  "provider")])
@pytest.mark.parametrize("date_form", DATE_FORMS)
def test_pdf_in_other_column_orders_and_date_forms(forty, columns, date_form):
    lines = extract_lines_sync(render_pdf(forty[:12], columns, date_form=date_form))
    assert as_rows(parse_transcript(lines, TODAY).activities) == as_rows(forty[:12])


@pytest.mark.parametrize(("v_align", "padding"), [("TOP", 3), ("MIDDLE", 1.5), ("MIDDLE", 3)])
def test_pdf_with_padded_cells_centred_rows_and_headings_broken_mid_word(forty, v_align,
                                                                         padding):
    lines = extract_lines_sync(render_pdf(forty, v_align=v_align, padding=padding))
    if padding == 3:
        assert any("Conta" in line.split() for line in lines)  # "Contact" broken in two
    transcript = parse_transcript(lines, TODAY)
    assert as_rows(transcript.activities) == as_rows(forty)
    assert transcript.skipped == ()


def test_centred_rows_without_padding_still_get_every_uan_date_and_hours(forty):
    """With no space between rows, a centred row's title lines above its UAN can't be told
    from the row above's: the titles may mix, but every activity's UAN, date and hours are
    read (a known limit of reading text without the table's lines)."""
    lines = extract_lines_sync(render_pdf(forty, v_align="MIDDLE"))
    got = parse_transcript(lines, TODAY).activities
    assert [(a.uan, a.completed_on, a.hours) for a in got] == [
        (a.uan, a.completed_on, a.hours) for a in forty]


@pytest.mark.parametrize("how", ["tabs", "spaces", "wrapped"])
def test_pasted_text_of_the_same_data(forty, how):
    text = {
        "tabs": render_text(forty),
        "spaces": render_text(forty, separator="   "),
        "wrapped": render_text(forty, wrap=22, date_form="%b %d, %Y"),
    }[how]
    transcript = parse_transcript_text(text, TODAY)
    assert as_rows(transcript.activities) == as_rows(forty)
    assert transcript.skipped == ()


def test_credit_in_ceus_only_is_converted_to_contact_hours(forty):
    text = render_text(forty[:5], ("title", "provider", "uan", "date", "ceus"))
    assert [a.hours for a in parse_transcript_text(text, TODAY).activities] == [
        a.hours for a in forty[:5]]


def test_rows_without_headings_are_told_apart_by_their_shapes():
    text = ("Federal pharmacy law update\tFreeCE\t0009-0000-25-005-H03-T\t03/14/2026\t1.25\t0.125\n"
            "Look-alike names\tProCE, Inc.\tJA4008164-0000-24-027-B05-P\t2025-06-01\t0.200\n")
    got = parse_transcript_text(text, TODAY).activities
    assert as_rows(got) == [
        ("Federal pharmacy law update", "FreeCE", "0009-0000-25-005-H03-T", date(2026, 3, 14),
         1.25),
        ("Look-alike names", "ProCE, Inc.", "JA4008164-0000-24-027-B05-P", date(2025, 6, 1), 2.0),
    ]
    assert [a.entry().topic for a in got] == ["law", "patient-safety"]
    assert [a.entry().audience for a in got] == ["T", "P"]


def test_rows_that_cannot_be_read_come_back_with_the_reason(forty):
    good = forty[:3]
    bad = [
        SampleActivity("Topic zero", "FreeCE", "0009-0000-25-005-H00-T", date(2026, 1, 5), 1.0),
        SampleActivity("Wrong kind letter", "FreeCE", "0009-0000-25-005-X05-T", date(2026, 1, 5),
                       1.0),
        SampleActivity("From the future", "FreeCE", "0009-0000-26-006-H05-T", TODAY + timedelta(3),
                       1.0),
        SampleActivity("Far too long ago", "FreeCE", "0009-0000-15-006-H05-T", date(2015, 1, 5),
                       1.0),
        SampleActivity("Too many hours", "FreeCE", "0009-0000-25-007-H05-T", date(2026, 1, 5),
                       99.0),
    ]
    transcript = parse_transcript_text(render_text(good + bad), TODAY)
    assert as_rows(transcript.activities) == as_rows(good)
    reasons = {row.text.split(" FreeCE")[0]: row.reason for row in transcript.unreadable}
    assert set(reasons) == {a.title for a in bad}
    assert "topics start at 01" in reasons["Topic zero"]
    assert "L, H or B" in reasons["Wrong kind letter"]
    assert "in the future" in reasons["From the future"]
    assert "6 years ago" in reasons["Far too long ago"]
    assert "99.00 contact hours" in reasons["Too many hours"]


def test_what_is_not_a_transcript_says_so():
    for text in ("how do i renew my cpht?", "I did a law course on 03/14/2026, 2 hours",
                 "lol\n\n\n"):
        transcript = parse_transcript_text(text, TODAY)
        assert not transcript.looks_like_transcript
        assert plan_import(transcript, []).problem == NOT_A_TRANSCRIPT
    headings_only = render_text([])
    assert plan_import(parse_transcript_text(headings_only, TODAY), []).problem == NO_UANS


def test_duplicates_of_the_log_are_skipped_and_a_second_import_says_so(forty):
    transcript = parse_transcript_text(render_text(forty), TODAY)
    first = forty[0]
    log = [CEEntry(hours=first.hours, topic="law", audience="T",
                   completed_on=first.completed_on, uan=first.uan)]
    plan = plan_import(transcript, log)
    assert len(plan.new) == len(forty) - 1 and as_rows(plan.duplicates) == as_rows([first])
    assert plan.problem is None
    everything = [a.entry() for a in transcript.activities]
    again = plan_import(transcript, everything)
    assert again.new == () and "in your log already" in again.problem


def test_preview_counts_hours_by_topic_audience_and_cycle(forty):
    transcript = parse_transcript_text(render_text(forty), TODAY)
    plan = plan_import(transcript, [])
    expiration = date(2027, 3, 31)
    text = preview_text(plan, [(PTCB, expiration, None)])
    assert f"Found {len(forty)} activities" in text
    law = sum(a.hours for a in forty if "-H03-" in a.uan or "-L03-" in a.uan
              or "-B03-" in a.uan)
    if law:
        assert f"pharmacy law (ACPE 03) {law:g} h" in text
    start = date(2025, 4, 1)
    inside = [a for a in forty if start <= a.completed_on <= expiration]
    assert f"cycle {start.isoformat()} (assumed) to 2027-03-31: {len(inside)} activities" in text
    assert "technician (T)" in text
    topics = text.split("By topic: ")[1].split("\n")[0]
    labels = [part.rsplit(" ", 2)[0] for part in topics.split(" \u00b7 ")]
    codes = [label.split("ACPE ")[-1].rstrip(")") for label in labels]
    first = [c for c in codes if c in ("03", "05")]
    assert codes[:len(first)] == first and codes[len(first):] == sorted(codes[len(first):])
    texas = preview_text(plan, [(ce_credentials.CREDENTIALS["tx-tech"], expiration, None)])
    assert "(assumed)" not in texas  # a cycle set by the expiration alone


# --- property: any column order, any wrapping ------------------------------------------------

_WORDS = st.sampled_from(["Medication", "safety", "law", "update", "Sterile", "IV", "USP",
                          "<797>", "Tech's", "opioid", "A&B", "Look-Alike", "2025", "part",
                          "(live)", "review", "Pharmacy", "insulin"])
_TEXT = st.lists(_WORDS, min_size=1, max_size=9).map(" ".join)


@st.composite
def activity(draw, number: int) -> SampleActivity:
    provider = draw(st.one_of(st.integers(1, 9999).map(lambda n: f"{n:04d}"),
                              st.integers(0, 9_999_999).map(lambda n: f"JA{n:07d}")))
    day = TODAY - timedelta(days=draw(st.integers(0, 2000)))
    kind = draw(st.sampled_from("LHB")) + f"{draw(st.integers(1, 20)):02d}"
    uan = f"{provider}-{draw(st.integers(0, 9999)):04d}-{day.year % 100:02d}-{number:03d}-" \
          f"{kind}-{draw(st.sampled_from('TP'))}"
    hours = draw(st.integers(1, 160)) / 4  # 0.25 .. 40, as CEUs exactly three decimals
    return SampleActivity(draw(_TEXT), draw(_TEXT), uan, day, hours)


@st.composite
def transcripts(draw):
    n = draw(st.integers(1, 12))
    activities = [draw(activity(i)) for i in range(n)]
    columns = draw(st.permutations(["title", "provider", "uan", "date", "hours", "ceus"]))
    if draw(st.booleans()):  # credit given in one column only: hours or CEUs
        dropped = draw(st.sampled_from(["hours", "ceus"]))
        columns = [c for c in columns if c != dropped]
    return activities, tuple(columns), draw(st.sampled_from([0, 0, 12, 18, 30])), \
        draw(st.sampled_from(["\t", "  ", "    "])), draw(st.sampled_from(DATE_FORMS))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transcripts())
def test_any_column_order_and_wrapping_parses_back_to_the_same_set(case):
    activities, columns, wrap, separator, date_form = case
    text = render_text(activities, columns, separator=separator, wrap=wrap, date_form=date_form)
    transcript = parse_transcript_text(text, TODAY)
    assert sorted(as_rows(transcript.activities)) == sorted(as_rows(activities))
    assert transcript.skipped == ()


def test_every_acpe_topic_designator_delivery_and_audience_is_read():
    rows = [SampleActivity(f"Course {i}", "FreeCE", f"0009-0000-25-{i:03d}-{k}{t:02d}-{a}",
                           date(2026, 1, 1), 1.0)
            for i, (k, t, a) in enumerate(itertools.product("LHB", (1, 3, 5, 7, 8, 12, 99),
                                                            "TP"))]
    got = parse_transcript_text(render_text(rows), TODAY).activities
    assert as_rows(got) == as_rows(rows)


_JUNK = st.lists(st.sampled_from(list("0123456789-/. \tJAHLBTPx:,\n") + [
    "UAN", "Date", "Hours", "CEUs", "0009-0000-25-005-H05-T", "Mar 14, 2026", "  "]),
    max_size=300).map("".join)


@settings(max_examples=200, deadline=None)
@given(_JUNK)
def test_any_text_parses_without_error(text):
    transcript = parse_transcript_text(text, TODAY)
    for a in transcript.activities:
        assert a.entry().hours > 0


def test_a_huge_paste_is_bounded_and_quick():
    import time

    line = "0009-0000-25-005-H05-T 03/14/2026 1.25 " + "x " * 2000
    started = time.monotonic()
    transcript = parse_transcript([line] * 50_000, TODAY)
    assert time.monotonic() - started < 10
    assert 0 < len(transcript.activities) + len(transcript.skipped) <= 20_000


def test_columns_the_parser_does_not_know_are_left_out():
    text = (
        "Activity Title\tProvider\tFormat\tUAN\tCompleted\tCredit Type\tCredits (hours)\n"
        "Federal law update\tFreeCE\tHome Study\t0009-0000-25-005-H03-T\tMar 14, 2026\tACPE"
        "\t1.25\n"
        "IV room basics\tProCE, Inc.\tLive\t0010-0000-25-006-L07-T\t2026-04-02\tACPE\t2\n"
    )
    got = parse_transcript_text(text, TODAY)
    assert as_rows(got.activities) == [
        ("Federal law update", "FreeCE", "0009-0000-25-005-H03-T", date(2026, 3, 14), 1.25),
        ("IV room basics", "ProCE, Inc.", "0010-0000-25-006-L07-T", date(2026, 4, 2), 2.0),
    ]


def test_a_paste_whose_tabs_became_single_spaces_still_gives_uan_date_and_hours(forty):
    """A chat app that turns the tabs of a copied table into spaces leaves no cell borders:
    the title and provider run together, but every UAN, date and hours are read."""
    transcript = parse_transcript_text(render_text(forty).replace("\t", " "), TODAY)
    assert [(a.uan, a.completed_on, a.hours) for a in transcript.activities] == [
        (a.uan, a.completed_on, a.hours) for a in forty]
    assert [a.title for a in transcript.activities] == [
        f"{a.title} {a.provider}" for a in forty]


def test_activities_copied_as_cards_one_field_a_line(forty):
    transcript = parse_transcript_text(render_cards(forty, "%b %d, %Y"), TODAY)
    assert as_rows(transcript.activities) == as_rows(forty)
    assert transcript.eprofile_id == "1234567"
    text = ("Activity Title: IV room basics\nActivity Provider: ProCE, Inc.\n"
            "Universal Activity Number (UAN): JA4008164-0000-25-006-L07-T\nDate: 2026-04-02\n"
            "CEUs: 0.2\n\nState law seminar\nProvider: Board of Pharmacy\nDate: 2026-02-03\n"
            "Hours: 2\n")
    cards = parse_transcript_text(text, TODAY)
    assert as_rows(cards.activities) == [("IV room basics", "ProCE, Inc.",
                                          "JA4008164-0000-25-006-L07-T", date(2026, 4, 2), 2.0)]
    (no_uan,) = cards.not_imported
    assert no_uan.text.startswith("State law seminar")
