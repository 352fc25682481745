"""The career model's content files (bot/career/data/): each edit a maintainer could get wrong
is rejected on load, naming the file and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.career import model as career
from bot.career.loader import DATA_DIR, CareerDataError, load_career_data


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "career_data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new), "utf-8")


def problems(root: Path) -> list[str]:
    with pytest.raises(CareerDataError) as info:
        load_career_data(root)
    return str(info.value).splitlines()


def test_the_files_are_the_model_the_bot_uses() -> None:
    loaded = load_career_data()
    assert [s.id for s in loaded.stages] == [s.id for s in career.STAGES]
    assert list(loaded.paths) == list(career.CREDENTIAL_PATHS)
    assert set(loaded.sources) == set(career.SOURCES)
    assert {s for s in career.SOURCES.values()} == set(career.all_sources())


def test_a_fact_written_once_is_the_same_everywhere_it_is_shown() -> None:
    fee = career.PTCB_RENEWAL_FEE
    assert fee in career.CREDENTIAL_PATHS["ptcb-cpht"].fees
    assert fee in career.CREDENTIAL_PATHS["cpht-adv"].fees
    assert career.CSPT_EXPERIENCE_RULE in career.CREDENTIAL_PATHS["cspt"].requirements
    hospital = career.build_roadmap(career.Profile("working", "hospital")).step("experience")
    assert career.CSPT_EXPERIENCE_RULE in hospital.requirements
    assert hospital.detail.endswith("counts toward the CSPT later.")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("paths/cspt.yaml", "source: ptcb-cspt-2018", "source: ptcb-cspt-2019",
         "paths/cspt.yaml: requirements.5: no source 'ptcb-cspt-2019' in "),
        ("paths/cspt.yaml", "ask: How do I become a CSPT?",
         "ask: How do I become a Certified Compounded Sterile Preparation Technician?",
         "paths/cspt.yaml: ask: String should have at most 60 characters"),
        ("paths/cspt.yaml", "stage: specialization", "stage: mastery",
         "paths/cspt.yaml: stage: Input should be"),
        ("paths/cpht-adv.yaml", "  - ref: ptcb-renewal-fee", "  - ref: ptcb-renewal-fees",
         "paths/cpht-adv.yaml: fees.1: ref 'ptcb-renewal-fees' names no fact"),
        ("paths/nha-cpht.yaml", "    source: nha-renew\n", "    source: nha-renew\n    fee: 1\n",
         "paths/nha-cpht.yaml: fees.0.fee: unknown field"),
        ("stages/leadership.yaml", "credential_ids: [cpht-adv, cpted]",
         "credential_ids: [cpht-adv, cpted-x]",
         "stages/leadership.yaml: steps.default.credential_ids: no path 'cpted-x'"),
        ("stages/experience.yaml", "    extends: default\n", "    extends: hospitals\n",
         "stages/experience.yaml: steps.hospital.extends: 'hospitals' is not a step of its own"),
        ("stages/leadership.yaml", "number: 5", "number: 6", "the stages must be foundation"),
        ("sources.yaml", "nha-faq:\n", "nha-faqs:\n", "sources.yaml: nha-faqs: cited by no fact"),
    ],
)
def test_a_broken_file_is_rejected_naming_the_file_and_field(data, file, old, new,
                                                             expected) -> None:
    edit(data / file, old, new)
    found = problems(data)
    assert any(expected in p for p in found), found


def test_a_missing_step_text_stops_the_import_with_its_file(data) -> None:
    """bot/career/model.py checks at import that every step text it shows is in the files."""
    assert career._step_text("specialization", "nuclear").ask == (
        "How do I train for nuclear pharmacy?")
    with pytest.raises(career.CareerDataError, match=r"stages/specialization.yaml: "
                                                      r"steps.pottery: missing"):
        career._step_text("specialization", "pottery")
