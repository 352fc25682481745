"""The CE rule files (bot/ce/data/*.yaml): their shape, and their agreement with the knowledge
base. Each test edits a copy of the files (and, where it says so, of the knowledge base) the
way a content maintainer would, and loads the copy."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

from bot.ce.credentials import CREDENTIALS
from bot.ce.loader import DATA_DIR, RuleDataError, load_credentials
from bot.content.figures import figures, states, states_with_unit

KB = ROOT / "knowledge"
RULES_DOC = "knowledge/ce_renewal/ptcb-cpht-renewal-ce-rules.md"
DEADLINES_DOC = "knowledge/ce_renewal/ptcb-deadlines-reinstatement-audits.md"
HOURS_SECTION = 'section "How many CE hours does PTCB require to renew a CPhT?"'
COST_SECTION = 'section "How much does PTCB CPhT renewal cost, and when does the late fee apply?"'


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new), "utf-8")


def problems(data_dir: Path, knowledge: Path | None = KB) -> list[str]:
    with pytest.raises(RuleDataError) as info:
        load_credentials(data_dir, knowledge)
    return str(info.value).splitlines()


# --- the files as shipped --------------------------------------------------------------------


def test_the_files_are_the_credentials_the_bot_uses() -> None:
    assert load_credentials() == CREDENTIALS
    assert list(CREDENTIALS) == ["ptcb-cpht", "ptcb-cpht-adv", "nha-cpht", "tx-tech"]
    assert sorted(p.stem for p in DATA_DIR.glob("*.yaml")) == sorted(CREDENTIALS)


def test_the_adv_file_extends_the_cpht_file() -> None:
    cpht, adv = CREDENTIALS["ptcb-cpht"], CREDENTIALS["ptcb-cpht-adv"]
    assert (adv.total_hours, adv.max_pharmacist_hours) == (25, 10)
    for name in ("cycle_months", "min_technician_hours", "law_hours", "renewal_window_days",
                 "late_fee_deadline_rule", "late_fee", "after_lapse", "reinstatement_years"):
        assert getattr(adv, name) == getattr(cpht, name), name


def test_the_data_files_are_installed_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert {"bot", "bot.ce", "bot.career"} <= set(config["packages"])
    data = config["package-data"]
    ce_files = {p for pattern in data["bot.ce"] for p in (ROOT / "bot" / "ce").glob(pattern)}
    assert ce_files == set(DATA_DIR.glob("*.yaml"))
    career_files = {p for pattern in data["bot.career"]
                    for p in (ROOT / "bot" / "career").glob(pattern)}
    assert career_files == set((ROOT / "bot" / "career" / "data").rglob("*.yaml"))
    assert len(career_files) > 10


# --- figures that contradict the knowledge base ----------------------------------------------


def test_an_hour_count_the_knowledge_base_does_not_state_is_rejected(data) -> None:
    """The knowledge base says PTCB requires 20 hours; a file saying 25 is rejected, naming
    the file, the field and the document (25 hours are stated elsewhere in that document, for
    the CPhT-Adv: only the named section counts)."""
    edit(data / "ptcb-cpht.yaml", "total_hours:\n  value: 20\n", "total_hours:\n  value: 25\n")
    assert problems(data) == [
        (f"{data / 'ptcb-cpht.yaml'}: total_hours: 25 is not stated in {RULES_DOC}, "
        f"{HOURS_SECTION}")
    ]


def test_a_fee_the_knowledge_base_does_not_state_is_rejected(data) -> None:
    edit(data / "ptcb-cpht.yaml", "text: $55 (CPhT or CPhT-Adv).", "text: $60 (CPhT or CPhT-Adv).")
    (line,) = problems(data)
    assert line.startswith(f"{data / 'ptcb-cpht.yaml'}: renewal_fee: $60 in ")
    assert line.endswith(f"is not stated in {DEADLINES_DOC}, {COST_SECTION}")


def test_an_inherited_figure_is_reported_once_in_the_file_that_writes_it(data) -> None:
    edit(data / "ptcb-cpht.yaml", "    $25 if you apply", "    $30 if you apply")
    (line,) = problems(data)  # ptcb-cpht-adv.yaml inherits the late fee: still one problem
    assert line.startswith(f"{data / 'ptcb-cpht.yaml'}: late_fee: $30 in ")


def test_a_cycle_length_the_knowledge_base_does_not_state_is_rejected(data) -> None:
    edit(data / "nha-cpht.yaml", "cycle_months:\n  value: 24\n", "cycle_months:\n  value: 12\n")
    assert problems(data) == [
        (f"{data / 'nha-cpht.yaml'}: cycle_months: 12 months is not stated in "
        f"knowledge/ce_renewal/nha-cpht-renewal.md, section \"What does NHA require to renew an "
        f"NHA CPhT?\"")
    ]


def test_a_required_topic_hour_and_a_window_the_knowledge_base_does_not_state(data) -> None:
    edit(data / "tx-tech.yaml", "\nlaw_hours:\n  value: 1\n", "\nlaw_hours:\n  value: 2\n")
    edit(data / "ptcb-cpht.yaml", "renewal_window_days:\n  value: 60\n",
         "renewal_window_days:\n  value: 90\n")
    found = problems(data)
    assert any(p.startswith(f"{data / 'tx-tech.yaml'}: law_hours: 2 is not stated in "
                            f"knowledge/ce_renewal/texas-technician-ce-and-renewal.md")
               for p in found), found
    assert any(p.startswith(f"{data / 'ptcb-cpht.yaml'}: renewal_window_days: 90 days is not "
                            f"stated in {DEADLINES_DOC}") for p in found), found


def test_late_fee_timing_must_be_stated_in_the_section_it_names(data) -> None:
    edit(data / "ptcb-cpht.yaml",
         "  rule: first-of-expiration-month  # the 1st day of the month the certification expires"
         "\n  doc: ce_renewal/ptcb-deadlines-reinstatement-audits.md\n"
         "  section: How much does PTCB CPhT renewal cost, and when does the late fee apply?",
         "  rule: first-of-expiration-month\n"
         "  doc: ce_renewal/ptcb-deadlines-reinstatement-audits.md\n"
         "  section: What happens if my PTCB CPhT expires?")
    assert problems(data) == [
        (f"{data / 'ptcb-cpht.yaml'}: late_fee_deadline: first-of-expiration-month needs "
        f"\u201c1st day of the month\u201d, which is not stated in {DEADLINES_DOC}, section "
        f"\"What happens if my PTCB CPhT expires?\"")
    ]


def test_a_figure_that_disagrees_with_the_state_record_is_rejected(data) -> None:
    edit(data / "tx-tech.yaml", "cycle_months:\n  value: 24\n", "cycle_months:\n  value: 12\n")
    assert problems(data) == [
        (f"{data / 'tx-tech.yaml'}: cycle_months: 12 is not what states/TX.yaml says "
        f"(renewal.cycle_months: 24)")
    ]


def test_a_section_or_document_that_does_not_exist_is_named(data) -> None:
    edit(data / "nha-cpht.yaml", "section: Why do my 20 NHA CE hours show as 10 credits?",
         "section: Why do my NHA hours show as credits?")
    edit(data / "ptcb-cpht.yaml", "cycle_months:\n  value: 24\n  doc: ce_renewal/ptcb-cpht",
         "cycle_months:\n  value: 24\n  doc: ce_renewal/ptcb-cpht-typo")
    found = problems(data)
    assert any("nha-cpht.yaml: notes.1: knowledge/ce_renewal/nha-cpht-renewal.md has no "
               "section \"Why do my NHA hours show as credits?\" (its sections: " in p
               for p in found), found
    assert any(p.endswith("ptcb-cpht.yaml: cycle_months: knowledge/ce_renewal/"
                          "ptcb-cpht-typo-renewal-ce-rules.md does not exist") for p in found)


def test_a_corrected_figure_loads_once_the_knowledge_base_states_it(data, tmp_path) -> None:
    """A maintainer's fee change: the knowledge document first, then the rule file."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KB, knowledge)
    edit(data / "nha-cpht.yaml", "text: $55 per 2-year cycle.", "text: $60 per 2-year cycle.")
    assert any("renewal_fee: $60" in p for p in problems(data, knowledge))
    edit(knowledge / "ce_renewal" / "nha-cpht-renewal.md",
         "NHA's renewal page lists the fee as $55 every two years.",
         "NHA's renewal page lists the fee as $60 every two years.")
    assert load_credentials(data, knowledge)["nha-cpht"].renewal_fee == "$60 per 2-year cycle."


def test_without_a_knowledge_base_only_the_shape_is_checked(data, tmp_path) -> None:
    edit(data / "nha-cpht.yaml", "text: $55 per 2-year cycle.", "text: $60 per 2-year cycle.")
    loaded = load_credentials(data, tmp_path / "no-knowledge-here")
    assert loaded["nha-cpht"].renewal_fee == "$60 per 2-year cycle."


# --- the shape of a file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("nha-cpht.yaml", "law_label: pharmacy law\n", "law_label: pharmacy law\nlate_fees: 1\n",
         "nha-cpht.yaml: late_fees: unknown field"),
        ("ptcb-cpht.yaml", ("law_hours:\n  value: 1\n  doc: ce_renewal/ptcb-cpht-renewal-ce-rules"
         ".md\n  section: How many CE hours does PTCB require to renew a CPhT?\nlaw_label"),
         "law_hours:\n  value: 1\nlaw_label",
         "ptcb-cpht.yaml: law_hours: 1 names no knowledge section: add doc and section"),
        ("nha-cpht.yaml", ("late_fee: NHA's renew page (as stored) names no late fee; check "
         "nhanow.com."), "late_fee: A $10 late fee.",
         "nha-cpht.yaml: late_fee: states $10 but names no knowledge section"),
        ("ptcb-cpht-adv.yaml", "  value: 10\n  derived: 5 + 5\n", "  value: 12\n  derived: 5 + 5\n",
         "ptcb-cpht-adv.yaml: max_pharmacist_hours: derived: 5 + 5 is not 12"),
        ("ptcb-cpht-adv.yaml", "extends: ptcb-cpht\n", "extends: ptcb-cphtt\n",
         "ptcb-cpht-adv.yaml: extends: 'ptcb-cphtt' is not a credential file of its own"),
        ("tx-tech.yaml", "law_topics: [tx-law]", "law_topics: [tx-lawz]",
         "tx-tech.yaml: law_topics: 'tx-lawz' is no CE topic or topic rule"),
        ("tx-tech.yaml", "id: tx-tech\n", "id: texas\n",
         "tx-tech.yaml: id: must be the file's name, 'tx-tech'"),
        ("nha-cpht.yaml", "order: 3\n", "order: 1\n", "order 1 is used by more than one file"),
    ],
)
def test_a_malformed_file_is_rejected_naming_the_file_and_field(data, file, old, new,
                                                                expected) -> None:
    edit(data / file, old, new)
    found = problems(data)
    assert any(expected in p for p in found), found


# --- finding a figure in a section -----------------------------------------------------------


def test_figures_are_found_as_whole_numbers_with_their_units() -> None:
    assert figures("$25 if you apply after the 1st day ($80 in total), 1.5 times") == [
        "$25", "1st", "$80", "1.5"]
    assert states("20", "PTCB requires 20 hours") and states("1", "less than one year ago")
    for text in ("in 2020", "$20 fee", "120 questions", "UAN 0009-0000-20-005-H05-T", "20.5 h"):
        assert not states("20", text), text
    assert states("$1200", "about $1,200") and not states("$12", "$129")
    assert states_with_unit(24, "months", "renew it every 2 years")
    assert states_with_unit(24, "months", "a 2-year cycle")
    assert not states_with_unit(12, "months", "renew it every 2 years")
    assert states_with_unit(60, "days", "opens 60 days before") and not states_with_unit(
        60, "days", "60 hours")
    assert states_with_unit(1, "years", "expired less than one year ago")
