"""CE requirement rules: credentials, parsing of user input, cycles, phases and status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.ce.credentials import CREDENTIALS
from bot.ce.model import TOPICS, CEEntry, CEInputError, TopicRule, describe_entry, format_hours
from bot.ce.parsing import (
    parse_add_args,
    parse_ce_date,
    parse_cycle_start,
    parse_expiration,
    parse_uan,
)
from bot.ce.rules import ce_status, check_entry_for, cycle_start, entry_in_cycle, status_text

TODAY = date(2026, 4, 1)
EXP = date(2027, 3, 31)  # cycle 2025-04-01 .. 2027-03-31
IN_CYCLE = date(2026, 1, 15)

PTCB = CREDENTIALS["ptcb-cpht"]
ADV = CREDENTIALS["ptcb-cpht-adv"]
NHA = CREDENTIALS["nha-cpht"]
TX = CREDENTIALS["tx-tech"]


def entry(
    hours: float, topic: str = "general", audience: str = "T", on: date = IN_CYCLE
) -> CEEntry:
    return CEEntry(hours=hours, topic=topic, audience=audience, completed_on=on)


def ptcb_complete_log() -> list[CEEntry]:
    """1 law + 1 patient safety + 13 general T + 5 P = 20 h, 15 T, 5 P."""
    return [entry(1, "law"), entry(1, "patient-safety"), entry(13), entry(5, audience="P")]


# --- the credential table ------------------------------------------------------------------


def test_credential_table_has_exactly_the_four_credentials() -> None:
    assert set(CREDENTIALS) == {"ptcb-cpht", "ptcb-cpht-adv", "nha-cpht", "tx-tech"}
    for key, credential in CREDENTIALS.items():
        assert credential.id == key
        assert credential.sources, key
        assert all(s.url.startswith("https://") and s.as_of for s in credential.sources), key
        assert credential.confirm_at.startswith("https://"), key


def test_ptcb_numbers() -> None:
    assert (PTCB.cycle_months, PTCB.total_hours) == (24, 20)
    assert (PTCB.min_technician_hours, PTCB.max_pharmacist_hours) == (15, 5)
    assert (PTCB.law_hours, PTCB.patient_safety_hours, PTCB.reinstatement_law_hours) == (1, 1, 2)
    assert PTCB.renewal_window_days == 60
    assert PTCB.late_fee_deadline_rule == "first-of-expiration-month"
    assert PTCB.cycle_starts_at_approval and not NHA.cycle_starts_at_approval
    assert "$25" in PTCB.late_fee and "1st day of your expiration month" in PTCB.late_fee
    assert "$55" in PTCB.renewal_fee
    assert "$95" in PTCB.reinstatement and "2 hours of pharmacy law" in PTCB.reinstatement
    assert PTCB.uncertain[0] == (
        "PTCB's renewal fee article puts the late-fee deadline on the 1st day of your expiration "
        "month, and this tracker uses that date; its \u201cHow do I recertify\u201d article says "
        "30 days before expiration. Apply early and confirm the date in your PTCB account."
    )
    assert PTCB.site == "ptcb.org"


def test_adv_nha_texas_numbers() -> None:
    assert (ADV.total_hours, ADV.min_technician_hours, ADV.max_pharmacist_hours) == (25, 15, 10)
    assert (NHA.total_hours, NHA.min_technician_hours, NHA.max_pharmacist_hours) == (20, None, None)
    assert "$55" in NHA.renewal_fee
    assert any("ACPE" in note for note in NHA.uncertain)
    assert (TX.total_hours, TX.law_label, TX.law_topics) == (20, "Texas pharmacy law", ("tx-law",))
    assert TX.topic_rules == (
        TopicRule("human-trafficking", "Texas HHSC-approved human trafficking prevention course"),
    )
    assert TX.accredited_only_topics == ("human-trafficking",)
    assert "1.5 times" in TX.late_fee and "2 times" in TX.late_fee
    assert any("first registration period" in note for note in TX.uncertain)


def test_topic_words() -> None:
    assert TOPICS["ps"] == TOPICS["safety"] == TOPICS["05"] == "patient-safety"
    assert TOPICS["gen"] == TOPICS["04"] == "general"
    assert TOPICS["01"] == "drug-therapy" and TOPICS["02"] == "hiv-aids" and TOPICS["03"] == "law"
    assert parse_add_args(["1", "patient_safety"], TODAY).topic == "patient-safety"


def test_patient_safety_underscore_and_case() -> None:
    assert parse_add_args(["1", "PATIENT_SAFETY"], TODAY).topic == "patient-safety"
    assert parse_add_args(["1", "Law"], TODAY).topic == "law"


# --- complete logs ---------------------------------------------------------------------------


def test_ptcb_complete_log_is_complete() -> None:
    status = ce_status(PTCB, EXP, ptcb_complete_log(), TODAY)
    assert status.complete is True
    assert status.missing == []
    assert [(r.key, r.done, r.needed, r.met, r.kind) for r in status.rules] == [
        ("total", 20, 20, True, "min"),
        ("technician", 15, 15, True, "min"),
        ("pharmacist", 5, 5, True, "max"),
        ("law", 1, 1, True, "min"),
        ("patient-safety", 1, 1, True, "min"),
    ]
    assert status.next_step == (
        "You're complete \u2014 submit your renewal on ptcb.org (the window opens 2027-01-30)."
    )
    assert status.notes == PTCB.uncertain


def test_adv_needs_25_hours() -> None:
    log = ptcb_complete_log()
    status = ce_status(ADV, EXP, log, TODAY)
    assert status.complete is False
    assert status.missing == ["5 more hours in total"]
    status = ce_status(ADV, EXP, [*log, entry(5, "drug-therapy")], TODAY)
    assert status.complete is True
    assert status.rule("total").done == 25


def test_nha_complete_and_counts_p_hours_fully() -> None:
    log = [entry(1, "law"), entry(1, "patient-safety"), entry(8), entry(10, audience="P")]
    status = ce_status(NHA, EXP, log, TODAY)
    assert status.complete is True
    assert [r.key for r in status.rules] == ["total", "law", "patient-safety"]
    assert status.rule("total").done == 20
    assert (
        status.next_step
        == "You're complete \u2014 submit your renewal on nhanow.com before 2027-03-31."
    )


def test_texas_complete() -> None:
    log = [entry(1, "tx-law"), entry(1, "human-trafficking"), entry(19)]
    status = ce_status(TX, EXP, log, TODAY)
    assert status.complete is True
    assert [r.key for r in status.rules] == ["total", "law", "human-trafficking"]
    assert status.rule("total").done == 20  # the course, logged without a UAN, adds no hours


# --- each missing rule -----------------------------------------------------------------------


def test_missing_total() -> None:
    log = [entry(1, "law"), entry(1, "patient-safety"), entry(15)]
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.complete is False
    assert status.missing == ["3 more hours in total"]
    assert status.next_step.startswith(
        "Earn 3 more hours of CE with a UAN ending in T, in any pharmacy topic."
    )


def test_missing_technician_minimum() -> None:
    log = [entry(1, "law"), entry(1, "patient-safety"), entry(12), entry(5, audience="P")]
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.rule("technician").done == 14
    assert status.missing == ["1 more hour in total", "1 more technician-specific (T) hour"]
    assert status.next_step.startswith("Earn 1 more technician-specific hour (UAN ending in T).")


def test_p_cap_six_p_hours_only_five_count() -> None:
    log = [entry(1, "law"), entry(1, "patient-safety"), entry(12), entry(6, audience="P")]
    status = ce_status(PTCB, EXP, log, TODAY)
    pharmacist = status.rule("pharmacist")
    assert (pharmacist.done, pharmacist.submitted, pharmacist.needed) == (5, 6, 5)
    assert pharmacist.met is True
    assert status.rule("total").done == 19
    assert status.missing == ["1 more hour in total", "1 more technician-specific (T) hour"]
    assert "5 counted of 6 logged" in status_text(status)


def test_p_cap_does_not_block_completion() -> None:
    log = [entry(1, "law"), entry(1, "patient-safety"), entry(13), entry(6, audience="P")]
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.rule("total").done == 20
    assert status.complete is True


def test_missing_law() -> None:
    log = [entry(1, "patient-safety"), entry(19)]
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.missing == ["1 hour of pharmacy law (ACPE topic 03)"]
    assert status.next_step == (
        "Earn 1 hour of CE in pharmacy law (ACPE topic 03) with a UAN ending in T. "
        "Your cycle ends on 2027-03-31 (364 days left)."
    )


def test_partial_law_hours() -> None:
    log = [entry(0.5, "law"), entry(1, "patient-safety"), entry(18.5)]
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.missing == ["0.5 hours of pharmacy law (ACPE topic 03)"]


def test_missing_patient_safety() -> None:
    log = [entry(1, "law"), entry(19)]
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.missing == ["1 hour of patient safety (ACPE topic 05)"]
    assert status.next_step.startswith(
        "Earn 1 hour of patient safety CE (ACPE topic 05) with a UAN ending in T."
    )


def test_texas_law_counts_as_law_for_ptcb() -> None:
    log = [entry(1, "tx-law"), entry(1, "patient-safety"), entry(18)]
    assert ce_status(PTCB, EXP, log, TODAY).complete is True


def test_federal_law_does_not_satisfy_texas_law() -> None:
    log = [entry(1, "law"), entry(1, "human-trafficking"), entry(19)]
    status = ce_status(TX, EXP, log, TODAY)
    assert status.rule("law").done == 0
    assert status.rule("total").done == 20
    assert status.missing == ["1 hour of Texas pharmacy law"]
    assert status.next_step.startswith(
        "Earn 1 hour of CE in Texas pharmacy law (general or federal law courses don't count)."
    )


def test_missing_human_trafficking_course() -> None:
    log = [entry(1, "tx-law"), entry(19)]
    status = ce_status(TX, EXP, log, TODAY)
    rule = status.rule("human-trafficking")
    assert (rule.done, rule.needed, rule.met) == (0, 1, False)
    assert status.missing == ["Texas HHSC-approved human trafficking prevention course"]
    assert status.next_step.startswith(
        "Complete the Texas HHSC-approved human trafficking prevention course, then log it with "
        "/ce add <hours> human-trafficking."
    )


def test_decimal_hours_add_up_exactly() -> None:
    # 0.7 + 0.2 + 0.1 is 0.9999999999999999 in plain float arithmetic.
    log = [entry(0.7, "law"), entry(0.2, "law"), entry(0.1, "law"), entry(1, "patient-safety")]
    log += [entry(0.1)] * 180
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.rule("law").done == 1
    assert status.rule("total").done == 20
    assert status.complete is True


# --- cycle ----------------------------------------------------------------------------------


def test_cycle_start() -> None:
    assert cycle_start(PTCB, EXP) == date(2025, 4, 1)
    assert cycle_start(PTCB, date(2028, 2, 29)) == date(2026, 3, 1)
    assert cycle_start(PTCB, date(2027, 12, 31)) == date(2026, 1, 1)


def test_out_of_cycle_entries_ignored() -> None:
    before = entry(5, on=date(2025, 1, 29))  # before any day PTCB could have approved a renewal
    log = [*ptcb_complete_log()[:3], before]
    status = ce_status(PTCB, EXP, log, TODAY)
    assert status.rule("total").done == 15
    assert status.entries_ignored == 1
    assert "Ignored (outside the cycle): 1 entry\n" in status_text(status)
    assert entry_in_cycle(PTCB, EXP, before) is False
    assert entry_in_cycle(PTCB, EXP, entry(5, on=date(2025, 3, 31))) is False
    assert entry_in_cycle(PTCB, EXP, entry(5, on=date(2025, 4, 1))) is True
    assert entry_in_cycle(PTCB, EXP, entry(5, on=EXP)) is True


def test_check_entry_for_rejects_out_of_cycle() -> None:
    with pytest.raises(CEInputError) as err:
        check_entry_for(NHA, EXP, entry(2, on=date(2025, 3, 31)))
    message = str(err.value)
    assert "2025-03-31" in message
    assert "(2025-04-01 to 2027-03-31)" in message
    assert "NHA counts only hours earned inside the cycle" in message
    assert check_entry_for(NHA, EXP, entry(2, on=date(2025, 4, 1))) is None
    assert check_entry_for(PTCB, EXP, entry(2, on=date(2025, 4, 1))) is None
    with pytest.raises(CEInputError, match=r"\(2025-04-01 \(assumed\) to 2027-03-31\)"):
        check_entry_for(PTCB, EXP, entry(2, on=date(2025, 1, 29)))


def test_check_entry_for_accepts_reinstatement_ce_after_expiration() -> None:
    assert check_entry_for(PTCB, EXP, entry(1, "law", on=date(2027, 5, 1))) is None
    with pytest.raises(CEInputError):
        check_entry_for(PTCB, EXP, entry(1, "law", on=date(2028, 3, 31)))


# --- phases and days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "phase", "days_to_exp", "days_to_deadline"),
    [
        (date(2027, 1, 29), "cycle", 61, 31),
        (date(2027, 1, 30), "window_open", 60, 30),
        (date(2027, 3, 1), "window_open", 30, 0),
        (date(2027, 3, 2), "late", 29, -1),
        (date(2027, 3, 31), "late", 0, -30),
        (date(2027, 4, 1), "expired_reinstatable", -1, -31),
        (date(2028, 3, 30), "expired_reinstatable", -365, -395),
        (date(2028, 3, 31), "lapsed", -366, -396),
    ],
)
def test_ptcb_phases(today: date, phase: str, days_to_exp: int, days_to_deadline: int) -> None:
    status = ce_status(PTCB, EXP, ptcb_complete_log(), today)
    assert status.phase == phase
    assert status.days_to_expiration == days_to_exp
    assert status.renewal_window_opens == date(2027, 1, 30)
    assert status.late_fee_deadline == date(2027, 3, 1)
    assert status.days_to_late_fee_deadline == days_to_deadline


def test_next_step_in_window_and_late() -> None:
    window = ce_status(PTCB, EXP, ptcb_complete_log(), date(2027, 2, 10))
    assert window.next_step == (
        "You're complete \u2014 submit your renewal on ptcb.org now; apply by 2027-03-01 to avoid "
        "the late fee."
    )
    late = ce_status(PTCB, EXP, ptcb_complete_log(), date(2027, 3, 10))
    assert late.next_step == (
        "You're complete \u2014 submit your renewal on ptcb.org before 2027-03-31; the late fee "
        "now applies."
    )


def test_expired_reinstatable_needs_two_law_hours() -> None:
    today = date(2027, 6, 1)
    status = ce_status(PTCB, EXP, ptcb_complete_log(), today)
    assert status.phase == "expired_reinstatable"
    law = status.rule("law")
    assert (law.done, law.needed, law.met) == (1, 2, False)
    assert status.complete is False
    assert status.missing == ["1 hour of pharmacy law (ACPE topic 03)"]
    assert status.reinstatement_deadline == date(2028, 3, 30)
    assert status.next_step.startswith(
        "Your PTCB Certified Pharmacy Technician (CPhT) expired on 2027-03-31. You have 1 year "
        "after expiration to reinstate: 20 CE hours that include 2 hours of pharmacy law"
    )
    assert "$95" in status.next_step
    assert "Apply by 2028-03-30." in status.next_step

    # A law hour earned after expiration counts toward reinstatement.
    log = [*ptcb_complete_log(), entry(1, "law", on=date(2027, 5, 1))]
    status = ce_status(PTCB, EXP, log, today)
    assert status.rule("law").done == 2
    assert status.complete is True
    assert status.next_step.endswith("Your logged CE covers it, so apply on ptcb.org now.")


def test_post_expiration_entries_do_not_count_before_expiry() -> None:
    # Before expiration only in-cycle hours count (the later entry can't exist yet anyway,
    # but the status must not count it).
    log = [*ptcb_complete_log()[:3], entry(5, on=date(2027, 4, 15))]
    assert ce_status(PTCB, EXP, log, date(2027, 3, 1)).rule("total").done == 15


def test_lapsed_after_one_year() -> None:
    status = ce_status(PTCB, EXP, ptcb_complete_log(), date(2028, 4, 15))
    assert status.phase == "lapsed"
    assert status.next_step == (
        "Your PTCB Certified Pharmacy Technician (CPhT) expired on 2027-03-31 and the 1-year "
        "reinstatement period ended on 2028-03-30. To be certified again you must retake and pass "
        "the PTCE. Confirm on ptcb.org."
    )


def test_texas_late_renewal_fee_tiers() -> None:
    log = [entry(1, "tx-law"), entry(1, "human-trafficking"), entry(18)]
    early = ce_status(TX, EXP, log, date(2027, 6, 29))  # 90 days after expiration
    assert early.phase == "expired_reinstatable"
    assert "Renewing now costs 1.5 times the renewal fee." in early.next_step
    later = ce_status(TX, EXP, log, date(2027, 6, 30))  # 91 days
    assert "Renewing now costs 2 times the renewal fee." in later.next_step
    gone = ce_status(TX, EXP, log, date(2028, 4, 1))
    assert gone.phase == "lapsed"
    assert "register again with TSBP as a new applicant" in gone.next_step


def test_nha_has_no_window_or_late_fee_deadline() -> None:
    status = ce_status(NHA, EXP, [], date(2027, 3, 20))
    assert status.phase == "cycle"
    assert status.renewal_window_opens is None
    assert status.late_fee_deadline is None
    assert status.days_to_late_fee_deadline is None
    assert status.missing == [
        "20 more hours in total",
        "1 hour of pharmacy law",
        "1 hour of patient safety (ACPE topic 05)",
    ]


# --- UAN parsing ------------------------------------------------------------------------------


def test_parse_uan_example() -> None:
    uan = parse_uan("0009-0000-25-005-H05-T")
    assert (uan.provider, uan.year, uan.number) == ("0009", 2025, "005")
    assert (uan.topic, uan.delivery, uan.audience) == ("patient-safety", "home study", "T")
    assert uan.text == "0009-0000-25-005-H05-T"


def test_parse_uan_live_law_pharmacist_and_lowercase() -> None:
    uan = parse_uan("0197-0000-17-001-L03-P")
    assert (uan.topic, uan.delivery, uan.audience, uan.year) == ("law", "live", "P", 2017)
    lower = parse_uan(" 0197-0000-17-001-l03-p ")
    assert (lower.topic, lower.delivery, lower.audience) == ("law", "live", "P")
    assert parse_uan("0197-0000-17-001-B04-T").delivery == "blended"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0009-0000-25-005-H05", "6 parts separated by dashes; I found 5"),
        ("0009-0000-25-005H05-T", "6 parts separated by dashes; I found 5"),
        ("0009-0000-2025-005-H05-T", "the year) must be 2 digits"),
        ("0009-0000-25-005-H00-T", "\u201c00\u201d isn't an ACPE topic"),
        ("0009-0000-25-005-H05-X", "must be T (technician) or P (pharmacist), not \u201cX\u201d"),
        ("00A9-0000-25-005-H05-T", "provider number (the first part) must be 4 digits"),
        ("0009-0000-25-005-C05-T", "must be L, H or B, not \u201cC\u201d"),
    ],
)
def test_parse_uan_malformed(text: str, reason: str) -> None:
    with pytest.raises(CEInputError) as err:
        parse_uan(text)
    message = str(err.value)
    assert reason in message
    assert "like 0009-0000-25-005-H05-T" in message


# --- /ce add arguments ------------------------------------------------------------------------


def test_add_quoted_title_defaults() -> None:
    args = ["2", "law", '"Federal', "pharmacy", "law", 'update"']
    got = parse_add_args(args, TODAY)
    assert got == CEEntry(2, "law", "T", TODAY, "Federal pharmacy law update")


def test_add_curly_quotes_date_and_audience() -> None:
    args = ["1.5", "ps", "\u201cLook-alike", "sound-alike", "drugs\u201d", "2026-03-01", "P"]
    got = parse_add_args(args, TODAY)
    assert got == CEEntry(
        1.5, "patient-safety", "P", date(2026, 3, 1), "Look-alike sound-alike drugs"
    )


def test_add_quoted_title_that_looks_like_a_date_stays_a_title() -> None:
    got = parse_add_args(["1", "law", '"Law', "update", '2026-03-14"'], TODAY)
    assert (got.title, got.completed_on) == ("Law update 2026-03-14", TODAY)


def test_add_unquoted_title_and_multi_word_date() -> None:
    got = parse_add_args(["1", "gen", "Pharmacist's", "role", "Mar", "14,", "2026"], TODAY)
    assert got == CEEntry(1, "general", "T", date(2026, 3, 14), "Pharmacist's role")


def test_add_with_uan() -> None:
    got = parse_add_args(["0009-0000-25-005-H05-T", "1.25", '"Med', 'errors"', "3/1/2026"], TODAY)
    assert got == CEEntry(
        hours=1.25,
        topic="patient-safety",
        audience="T",
        completed_on=date(2026, 3, 1),
        title="Med errors",
        uan="0009-0000-25-005-H05-T",
        delivery="home study",
    )


def test_add_with_uan_rejects_conflicting_audience() -> None:
    with pytest.raises(CEInputError, match="ends in T"):
        parse_add_args(["0009-0000-25-005-H05-T", "1", "P"], TODAY)


def test_add_with_malformed_uan() -> None:
    with pytest.raises(CEInputError, match="isn't an ACPE topic"):
        parse_add_args(["0009-0000-25-005-H00-T", "1"], TODAY)


@pytest.mark.parametrize("hours", ["0", "-1", "40.5", "abc", "1.255", "0.00"])
def test_add_bad_hours(hours: str) -> None:
    with pytest.raises(CEInputError) as err:
        parse_add_args([hours, "law"], TODAY)
    message = str(err.value)
    assert message.startswith(f"I couldn't read \u201c{hours}\u201d as hours.")
    assert message.endswith('Try: /ce add 2 law "Federal pharmacy law update" 2026-03-14')


def test_zero_hours_message_exact() -> None:
    with pytest.raises(CEInputError) as err:
        parse_add_args(["0", "law"], TODAY)
    assert str(err.value) == (
        "I couldn't read \u201c0\u201d as hours. Hours must be more than 0 and at most 40 for one "
        'activity. Try: /ce add 2 law "Federal pharmacy law update" 2026-03-14'
    )


@pytest.mark.parametrize(("hours", "value"), [("40", 40.0), ("0.25", 0.25), ("2h", 2.0)])
def test_add_good_hours(hours: str, value: float) -> None:
    assert parse_add_args([hours, "law"], TODAY).hours == value


def test_add_unknown_topic_lists_topics() -> None:
    with pytest.raises(CEInputError) as err:
        parse_add_args(["2", "pharmacology"], TODAY)
    message = str(err.value)
    assert "\u201cpharmacology\u201d" in message
    for word in ("law", "patient-safety", "general", "drug-therapy", "tx-law", "human-trafficking"):
        assert word in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026-02-30", "\u201c2026-02-30\u201d isn't a real date"),
        ("13/45/2026", "\u201c13/45/2026\u201d isn't a real date"),
        ("2026-04-02", "2026-04-02 is in the future"),
        ("2020-03-31", "2020-03-31 is more than 6 years ago"),
    ],
)
def test_add_bad_dates(text: str, fragment: str) -> None:
    with pytest.raises(CEInputError) as err:
        parse_add_args(["1", "law", text], TODAY)
    assert fragment in str(err.value)


def test_add_missing_parts_and_unclosed_quote() -> None:
    with pytest.raises(CEInputError, match="Tell me the hours and the topic"):
        parse_add_args([], TODAY)
    with pytest.raises(CEInputError, match="tell me the topic"):
        parse_add_args(["2"], TODAY)
    with pytest.raises(CEInputError, match="no closing one"):
        parse_add_args(["2", "law", '"Federal', "law"], TODAY)


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2026-03-14", "3/14/2026", "03/14/26", "March 14 2026", "Mar 14, 2026", "14 March 2026"],
)
def test_activity_date_formats(text: str) -> None:
    assert parse_ce_date(text, TODAY) == date(2026, 3, 14)


def test_activity_date_keywords_and_edges() -> None:
    assert parse_ce_date("today", TODAY) == TODAY
    assert parse_ce_date("yesterday", TODAY) == date(2026, 3, 31)
    assert parse_ce_date("2020-04-01", TODAY) == date(2020, 4, 1)  # exactly 6 years
    with pytest.raises(CEInputError, match="couldn't read"):
        parse_ce_date("last week", TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 2027", date(2027, 3, 31)),
        ("Mar 2027", date(2027, 3, 31)),
        ("03/2027", date(2027, 3, 31)),
        ("2027-03", date(2027, 3, 31)),
        ("2/2028", date(2028, 2, 29)),
        ("Feb 2027", date(2027, 2, 28)),
        ("2027-03-15", date(2027, 3, 15)),
        ("3/15/2027", date(2027, 3, 15)),
        ("April 30, 2027", date(2027, 4, 30)),
    ],
)
def test_expiration_formats(text: str, expected: date) -> None:
    assert parse_expiration(text, TODAY) == expected


@pytest.mark.parametrize("text", ["13/2027", "2027-02-30", "soon", "March 2035", "March 2010"])
def test_expiration_rejects(text: str) -> None:
    with pytest.raises(CEInputError):
        parse_expiration(text, TODAY)


# --- describing -------------------------------------------------------------------------------


def test_describe_entry() -> None:
    e = CEEntry(1.5, "patient-safety", "T", date(2026, 3, 1), delivery="home study")
    assert describe_entry(e) == (
        "1.5 h \u00b7 patient safety (ACPE 05) \u00b7 technician (T) \u00b7 home study "
        "\u00b7 2026-03-01"
    )
    e = CEEntry(2, "law", "P", date(2026, 3, 14), "Federal law", "0197-0000-17-001-L03-P", "live")
    assert describe_entry(e) == (
        "2 h \u00b7 pharmacy law (ACPE 03) \u00b7 pharmacist (P) \u00b7 live \u00b7 2026-03-14 "
        "\u00b7 \u201cFederal law\u201d \u00b7 UAN 0197-0000-17-001-L03-P"
    )


def test_format_hours() -> None:
    assert [format_hours(h) for h in (2.0, 1.5, 1.25, 0.1 + 0.2)] == ["2", "1.5", "1.25", "0.3"]


def test_entry_validates_topic_and_audience() -> None:
    with pytest.raises(ValueError):
        CEEntry(1, "pharmacology", "T", TODAY)
    with pytest.raises(ValueError):
        CEEntry(1, "law", "X", TODAY)


# --- corrections of issue 9 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "provider", "topic", "label"),
    [
        ("0384-9999-21-104-H07-T", "0384", "compounding", "compounding (ACPE 07, unconfirmed)"),
        ("0384-9999-21-104-H08-T", "0384", "opioids",
         "opioids and controlled substances (ACPE 08)"),
        ("JA4008164-0000-24-027-H03-P", "JA4008164", "law", "pharmacy law (ACPE 03)"),
        ("ja4008164-0000-24-027-l12-t", "JA4008164", "acpe-12", "ACPE topic 12"),
        ("0009-0000-25-005-B06-T", "0009", "acpe-06", "ACPE topic 06"),
    ],
)
def test_uan_topics_beyond_05_and_jointly_accredited_providers_are_accepted(
    text: str, provider: str, topic: str, label: str
) -> None:
    uan = parse_uan(text)
    assert (uan.provider, uan.topic, uan.text) == (provider, topic, text.upper())
    got = parse_add_args([text, "1.5", '"Sterile', 'basics"'], TODAY)
    assert (got.topic, got.uan, got.hours) == (topic, text.upper(), 1.5)
    assert f" \u00b7 {label} \u00b7 " in describe_entry(got)
    # an activity on another topic counts toward the total like any other
    status = ce_status(NHA, EXP, [*[entry(1, t) for t in ("law", "patient-safety")],
                                  CEEntry(18, topic, "T", IN_CYCLE)], TODAY)
    assert status.rule("total").done == 20


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("JA40-0000-24-027-H03-P", "JA and 7 digits"),
        ("0009-0000-25-005-H00-T", "\u201c00\u201d isn't an ACPE topic"),
    ],
)
def test_uan_formats_that_are_still_wrong(text: str, reason: str) -> None:
    with pytest.raises(CEInputError, match=reason):
        parse_uan(text)


def test_ptcb_cycle_starts_the_day_the_last_recertification_was_approved() -> None:
    since = date(2025, 2, 10)  # approved before the old rule's start (2025-04-01)
    early = entry(2, on=date(2025, 3, 1))
    assert check_entry_for(PTCB, EXP, early, since=since) is None
    status = ce_status(PTCB, EXP, [*ptcb_complete_log()[:3], early], TODAY, since=since)
    assert (status.cycle_start, status.cycle_start_assumed) == (since, False)
    assert status.rule("total").done == 17 and status.entries_ignored == 0
    text = status_text(status)
    assert "Cycle: 2025-02-10 to 2027-03-31 \u00b7 phase: cycle\n" in text
    assert "assumed" not in text
    with pytest.raises(CEInputError, match="started on 2025-02-10"):
        check_entry_for(PTCB, EXP, entry(1, on=date(2025, 2, 9)), since=since)
    # a cycle start after the old rule's start leaves out what came before it
    late = ce_status(PTCB, EXP, [entry(1, on=date(2025, 4, 2))], TODAY, since=date(2025, 5, 1))
    assert late.rule("total").done == 0 and late.entries_ignored == 1


def test_ptcb_assumed_cycle_start_is_said_and_ce_of_the_real_cycle_is_never_refused() -> None:
    early = entry(2, on=date(2025, 3, 1))  # in the cycle if PTCB approved before March 2025
    notice = check_entry_for(PTCB, EXP, early)
    assert notice is not None and "/ce set ptcb-cpht 2027-03-31 --since" in notice
    status = ce_status(PTCB, EXP, [*ptcb_complete_log(), early], TODAY)
    assert (status.cycle_start, status.cycle_start_assumed) == (date(2025, 4, 1), True)
    assert status.rule("total").done == 20  # not counted until the real start is known
    text = status_text(status)
    assert "Cycle: 2025-04-01 (assumed) to 2027-03-31" in text
    assert (
        "Cycle start assumed: PTCB's cycle starts the day it approved your last "
        "recertification. If you know that date, set it: "
        "/ce set ptcb-cpht 2027-03-31 --since YYYY-MM-DD" in text
    )
    assert "Not counted until you set the cycle start: 1 entry dated before 2025-04-01" in text
    # only dates no renewal approval can reach are refused: the window opened 2025-01-30
    assert check_entry_for(PTCB, EXP, entry(1, on=date(2025, 1, 30))) is not None
    with pytest.raises(CEInputError, match="--since"):
        check_entry_for(PTCB, EXP, entry(1, on=date(2025, 1, 29)))
    # the other credentials' cycles are fixed by their expiration date
    assert not ce_status(NHA, EXP, [], TODAY).cycle_start_assumed
    assert "assumed" not in status_text(ce_status(TX, EXP, [], TODAY))


def test_parse_cycle_start() -> None:
    assert parse_cycle_start("2025-02-10", EXP, TODAY) == date(2025, 2, 10)
    assert parse_cycle_start("2/10/2025", EXP, TODAY) == date(2025, 2, 10)
    for text, reason in [
        ("2026-04-02", "in the future"),
        ("2024-03-30", "more than 3 years before"),
        ("soon", "couldn't read"),
    ]:
        with pytest.raises(CEInputError, match=reason):
            parse_cycle_start(text, EXP, TODAY)


def test_adv_five_extra_hours_may_be_pharmacist_specific() -> None:
    assert (ADV.min_technician_hours, ADV.max_pharmacist_hours) == (15, 10)
    log = [*ptcb_complete_log(), entry(5, audience="P")]  # 15 T + 10 P
    status = ce_status(ADV, EXP, log, TODAY)
    assert status.complete is True
    assert status.rule("total").done == 25
    assert (status.rule("pharmacist").done, status.rule("pharmacist").needed) == (10, 10)
    over = ce_status(ADV, EXP, [*log, entry(1, audience="P")], TODAY)
    assert (over.rule("pharmacist").done, over.rule("pharmacist").submitted) == (10, 11)
    assert "at most 10 count: 10 counted of 11 logged" in status_text(over)
    # the CPhT keeps its own cap of 5
    assert ce_status(PTCB, EXP, log, TODAY).rule("pharmacist").done == 5
    assert not any("still counts at most 5 P hours" in note for note in ADV.uncertain)


def test_texas_law_course_logged_by_uan_counts_as_the_texas_law_hour_when_marked() -> None:
    uan = "0384-0000-24-003-H03-T"
    marked = parse_add_args([uan, "1", '"Texas', 'pharmacy', 'law"', "+tx-law"], TODAY)
    assert (marked.topic, marked.tags, marked.title) == ("law", ("tx-law",), "Texas pharmacy law")
    assert describe_entry(marked).endswith("UAN 0384-0000-24-003-H03-T \u00b7 +tx-law")
    log = [marked, entry(1, "human-trafficking"), entry(19)]
    assert ce_status(TX, EXP, log, TODAY).rule("law").done == 1
    assert ce_status(PTCB, EXP, [marked], TODAY).rule("law").done == 1  # still ACPE 03 for PTCB
    unmarked = parse_add_args([uan, "1"], TODAY)
    assert ce_status(TX, EXP, [unmarked], TODAY).rule("law").done == 0
    assert parse_add_args(["1", "law", "+Texas-Law"], TODAY).tags == ("tx-law",)
    with pytest.raises(CEInputError, match="\u201c\\+cooking\u201d"):
        parse_add_args(["1", "law", "+cooking"], TODAY)


def test_texas_trafficking_course_counts_toward_the_hours_only_if_it_is_accredited_ce() -> None:
    course = entry(1, "human-trafficking")  # logged without a UAN: not known to be accredited
    status = ce_status(TX, EXP, [entry(1, "tx-law"), course, entry(18)], TODAY)
    assert status.rule("human-trafficking").met is True
    assert status.rule("total").done == 19
    assert status.missing == ["1 more hour in total"]
    assert (
        "Not counted toward the total: 1 h of Texas HHSC-approved human trafficking prevention "
        "course not logged as accredited CE" in status_text(status)
    )
    accredited = [
        parse_add_args(["0009-0000-24-011-H04-T", "1", "+human-trafficking"], TODAY),
        parse_add_args(["1", "human-trafficking", "+accredited"], TODAY),
    ]
    for course in accredited:
        status = ce_status(TX, EXP, [entry(1, "tx-law"), course, entry(18)], TODAY)
        assert status.complete is True, course
        assert status.rule("total").done == 20
    assert not any("this tracker counts it." in note for note in TX.uncertain)


def test_ptcb_late_fee_deadline_is_the_first_day_of_the_expiration_month() -> None:
    for expiration, deadline in [
        (date(2027, 2, 28), date(2027, 2, 1)),
        (date(2027, 3, 15), date(2027, 3, 1)),
        (date(2027, 4, 30), date(2027, 4, 1)),
    ]:
        status = ce_status(PTCB, expiration, [], date(2027, 1, 5))
        assert status.late_fee_deadline == deadline
        assert ce_status(ADV, expiration, [], date(2027, 1, 5)).late_fee_deadline == deadline
    status = ce_status(PTCB, date(2027, 4, 30), ptcb_complete_log(), date(2027, 4, 2))
    assert status.phase == "late"
    assert (
        "Late-fee deadline: 2027-04-01, the 1st day of your expiration month (PTCB's renewal "
        "fee article) \u00b7 passed\n" in status_text(status)
    )
    early = status_text(ce_status(PTCB, date(2027, 4, 30), [], date(2027, 3, 6)))
    assert "Late-fee deadline: 2027-04-01, the 1st day of your expiration month" in early
    assert "(PTCB's renewal fee article) \u00b7 26 days left\n" in early
    assert ce_status(PTCB, date(2027, 4, 30), [], date(2027, 4, 1)).phase == "window_open"


# --- state credentials from the state data ------------------------------------------------------


def _ce_sourced(record) -> bool:
    return record.renewal.cycle_months is not None and record.renewal.ce_hours is not None


def test_every_state_with_sourced_ce_yields_a_working_credential() -> None:
    from bot.ce import credentials as ce_credentials
    from bot.ce.model import add_months
    from bot.content.states import all_states

    states = all_states()
    sourced = sorted(code for code, record in states.items() if _ce_sourced(record))
    assert len(sourced) >= 10
    assert {"FL", "TX"} <= set(sourced)
    all_keys = ce_credentials.all_credentials()
    for code in sourced:
        record, key = states[code], f"{code.lower()}-tech"
        cred = ce_credentials.find(key)
        assert cred is not None and cred.id == key and key in all_keys, key
        assert ce_credentials.find(key.upper()) is cred
        assert cred.cycle_months == record.renewal.cycle_months, key
        assert cred.total_hours == record.renewal.ce_hours, key
        if code == "TX":  # written by hand, with its richer rules
            assert cred is TX
            continue
        source = record.source(record.renewal.source)
        assert cred.state == code and cred.body == record.board.name
        assert cred.confirm_at == record.board.url
        assert [s.url for s in cred.sources] == [source.url]
        assert any(record.board.url in note for note in cred.uncertain), key
        assert [r.label for r in cred.topic_rules] == [t.name for t in record.renewal.ce_topics]
        tags = [r.key for r in cred.topic_rules]
        assert len(set(tags)) == len(tags) and all(t.startswith(code.lower() + "-") for t in tags)

        expiration = add_months(date(2026, 12, 31), record.renewal.cycle_months)
        today = date(2027, 1, 10)
        empty = ce_status(cred, expiration, [], today)
        assert empty.cycle_start == add_months(expiration, -cred.cycle_months) + timedelta(1)
        assert empty.complete is (cred.total_hours == 0 and not any(
            not r.conditional for r in cred.topic_rules)), key
        text = status_text(empty)
        assert text.startswith(f"{cred.name}: expires {expiration.isoformat()}"), key
        for rule in cred.topic_rules:
            assert f"+{rule.key}" in text, (key, rule.key)

        # one entry tagged for each required topic, and general hours up to the total: complete
        on = expiration - timedelta(days=31)
        log = [CEEntry(r.hours or 1, "general", "T", on, tags=(r.key,))
               for r in cred.topic_rules if not r.conditional]
        topic_hours = sum(e.hours for e in log)
        if cred.total_hours > topic_hours:
            log.append(CEEntry(cred.total_hours - topic_hours, "general", "T", on))
        done = ce_status(cred, expiration, log, expiration - timedelta(days=10))
        assert done.complete is True, (key, status_text(done))
        for tag in tags:  # every topic's tag can be typed on /ce add
            got = parse_add_args(["1", "general", f"+{tag}"], on, tags=ce_credentials.all_tags())
            assert got.tags == (tag,)


def test_state_rules_read_from_the_record() -> None:
    from bot.ce import credentials as ce_credentials

    fl = ce_credentials.find("fl-tech")
    assert fl.name == "Florida pharmacy technician registration"
    assert [(r.key, r.hours, r.conditional, r.live) for r in fl.topic_rules] == [
        ("fl-live-presentation", 4, False, True),
        ("fl-prevention-medication-errors", 2, False, False),
        ("fl-hiv-aids", 1, True, False),
    ]
    exp = date(2027, 1, 31)
    live = parse_add_args(["0009-0000-25-007-L05-T", "4"], date(2026, 5, 1))  # an L UAN
    errors = parse_add_args(["2", "ps", "+fl-prevention-medication-errors"], date(2026, 5, 1),
                            tags=ce_credentials.all_tags())
    status = ce_status(fl, exp, [live, errors, entry(14, on=date(2026, 5, 1))], date(2026, 6, 1))
    assert status.complete is True  # the HIV/AIDS hour applies only at a first renewal
    assert status.rule("fl-hiv-aids").kind == "if-applies"
    assert "\u2717 HIV/AIDS (first renewal only): 0 of 1 \u00b7 mark entries +fl-hiv-aids \u00b7 only " \
        "if it applies to you" in status_text(status)
    missing = ce_status(fl, exp, [entry(20, on=date(2026, 5, 1))], date(2026, 6, 1))
    assert missing.missing == ["4 hours of live presentation",
                               "2 hours of prevention of medication errors"]
    assert missing.next_step.startswith("Earn 4 hours of live presentation CE: activities logged "
                                        "with a live (L) UAN count by themselves")
    # a state record names no late-renewal terms: after expiration, ask the board
    expired = ce_status(fl, exp, [], date(2027, 2, 5))
    assert expired.phase == "expired" and expired.reinstatement_deadline is None
    assert expired.next_step == (
        "Your Florida pharmacy technician registration expired on 2027-01-31. My Florida record "
        "doesn't say how late renewal or reinstatement works; ask the Florida Board of "
        "Pharmacy: http://floridaspharmacy.gov/licensing/registered-pharmacy-technician/"
    )
    with pytest.raises(CEInputError):  # no reinstatement period to log CE for
        check_entry_for(fl, exp, entry(1, on=date(2027, 2, 1)))
    nc = ce_credentials.find("nc-tech")
    assert nc.total_hours == 0
    assert "\u2713 No CE hours required to renew" in status_text(
        ce_status(nc, date(2026, 12, 31), [], date(2026, 6, 1)))
    # the hand-written Texas rule agrees with the Texas record
    from bot.content.states import all_states

    tx = all_states()["TX"].renewal
    assert (TX.cycle_months, TX.total_hours, TX.law_hours) == (
        tx.cycle_months, tx.ce_hours, tx.ce_topics[0].hours)


def test_a_state_without_sourced_ce_says_not_confirmed_with_its_board_and_link() -> None:
    from bot.ce import credentials as ce_credentials
    from bot.content.states import all_states

    unsourced = [r for r in all_states().values() if not _ce_sourced(r)]
    assert unsourced
    for record in unsourced:
        key = f"{record.code.lower()}-tech"
        assert ce_credentials.find(key) is None
        message = ce_credentials.unconfirmed_message(key)
        assert message is not None, key
        assert "not confirmed" in message
        assert f"Check with the {record.board.name}: {record.board.url}" in message or (
            f"Check with {record.board.name}: {record.board.url}" in message), message
    assert ce_credentials.unconfirmed_message("fl-tech") is None
    assert ce_credentials.unconfirmed_message("zz-tech") is None
    assert ce_credentials.unconfirmed_message("ptcb-cpht") is None


# --- issue 10: impossible years, bounded quotes, partial edits ------------------------------


@pytest.mark.parametrize("text", ["0000-03", "9999-12", "12/9999", "Dec 9999", "March 0000",
                                  "0000-01", "1/0000", "10000-01", "0000-02-29"])
def test_impossible_years_in_an_expiration_are_a_clear_bad_date(text: str) -> None:
    with pytest.raises(CEInputError) as info:
        parse_expiration(text, TODAY)
    message = str(info.value)
    assert "2027-03-31, 3/31/2027, March 2027" in message or "Check the expiration" in message


@pytest.mark.parametrize("text", ["0000-03-14", "1/1/0000", "March 3 0000", "9999-12-31"])
def test_impossible_years_in_an_activity_date_are_a_clear_bad_date(text: str) -> None:
    with pytest.raises(CEInputError):
        parse_ce_date(text, TODAY)
    with pytest.raises(CEInputError):
        parse_cycle_start(text, EXP, TODAY)


LONG = "x" * 4000


@pytest.mark.parametrize("call", [
    lambda: parse_expiration(LONG, TODAY),
    lambda: parse_expiration(f"{LONG} 2027", TODAY),
    lambda: parse_ce_date(LONG, TODAY),
    lambda: parse_cycle_start(LONG, EXP, TODAY),
    lambda: parse_uan(f"0009-0000-25-005-H05-{LONG}"),
    lambda: parse_uan(LONG + "-1-2-3-4-5"),
    lambda: parse_add_args(["2", LONG], TODAY),
    lambda: parse_add_args([LONG, "law"], TODAY),
    lambda: parse_add_args(["1", "law", "+" + LONG], TODAY),
    lambda: parse_add_args(["1", "law", LONG[:250]], TODAY),
])
def test_error_messages_quote_only_a_short_prefix_of_the_input(call) -> None:
    with pytest.raises(CEInputError) as info:
        call()
    message = str(info.value)
    assert len(message) < 1000, len(message)
    assert "x" * 60 not in message


def edited(args: str, before: CEEntry, today: date = TODAY):
    from bot.ce.parsing import parse_edit_args

    return parse_edit_args(args.split(), before, today)


UAN_ENTRY = CEEntry(hours=1, topic="law", audience="T", completed_on=date(2025, 6, 1),
                    title="Texas law", uan="0384-0000-24-003-H03-T", delivery="home study",
                    tags=("tx-law",))


def test_edit_changes_only_the_fields_given() -> None:
    from dataclasses import replace

    assert edited("hours 3", UAN_ENTRY) == replace(UAN_ENTRY, hours=3)
    assert edited("h 2.5", UAN_ENTRY) == replace(UAN_ENTRY, hours=2.5)
    assert edited("date 2025-06-02", UAN_ENTRY) == replace(
        UAN_ENTRY, completed_on=date(2025, 6, 2))
    assert edited("date March 3 2026", UAN_ENTRY).completed_on == date(2026, 3, 3)
    assert edited('title "New title" hours 2', UAN_ENTRY) == replace(
        UAN_ENTRY, title="New title", hours=2)
    assert edited("title Law and ethics update", UAN_ENTRY).title == "Law and ethics update"
    assert edited('title ""', UAN_ENTRY).title == ""
    assert edited("+accredited", UAN_ENTRY).tags == ("tx-law", "accredited")
    assert edited("-tx-law", UAN_ENTRY).tags == ()
    assert edited("uan 0384-0000-24-004-L05-P", UAN_ENTRY) == replace(
        UAN_ENTRY, uan="0384-0000-24-004-L05-P", topic="patient-safety", audience="P",
        delivery="live")
    no_uan = edited("uan none", UAN_ENTRY)
    assert (no_uan.uan, no_uan.delivery, no_uan.topic) == (None, None, "law")
    assert edited("topic general audience P", no_uan) == replace(
        no_uan, topic="general", audience="P")
    # the old positional form: what it names changes, the date, title, UAN and tags stay
    plain = replace(no_uan, tags=("accredited",))
    assert edited("3 general", plain) == replace(plain, hours=3, topic="general")
    assert edited("2", plain) == replace(plain, hours=2)


@pytest.mark.parametrize("args, fragment", [
    ("", "Tell me what to change"),
    ("topic general", "uan none"),  # the UAN says law
    ("audience P", "uan none"),
    ("3 general", "uan none"),
    ("hours 0", "as hours"),
    ("hours", "Tell me the new hours"),
    ("date 2030-01-01", "in the future"),
    ("colour red", "I can change"),
    ("+accredited 1", "I can change"),
    ('"title" hours 1', "I can change"),
    ("hours 2 0009-0000-25-005-H05-T", "as hours"),
    ("+nope", "I don't know the tag"),
])
def test_edit_refuses_what_it_cannot_apply(args: str, fragment: str) -> None:
    with pytest.raises(CEInputError) as info:
        edited(args, UAN_ENTRY)
    assert fragment in str(info.value)


def test_spreadsheet_cells_that_would_be_formulas_are_neutralised() -> None:
    from bot.telegram.handlers.ce import spreadsheet_cell

    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =1+1", "\uff1d1+1"):
        assert spreadsheet_cell(text) == "'" + text, text
    for text in ("Law update", "", "1.5", "2026-03-01", "a=b", "0009-0000-25-005-H05-T"):
        assert spreadsheet_cell(text) == text, text
