"""Tests for the career model (bot/career/model.py, its content in bot/career/data/)."""

from __future__ import annotations

import pytest

from bot.career import model as career
from bot.career.model import (
    CREDENTIAL_PATHS,
    INTEREST_LABELS,
    SETTING_LABELS,
    STAGES,
    STATUS_LABELS,
    Profile,
    Requirement,
    Roadmap,
    all_requirements,
    all_sources,
    build_roadmap,
    current_stage,
    flatten_path,
    roadmap_as_text,
)

STAGE_IDS = (
    "foundation",
    "experience",
    "certification",
    "specialization",
    "leadership",
    "continuing_education",
)


def _texts(reqs: tuple[Requirement, ...]) -> list[str]:
    return [r.text for r in reqs]


def _find(reqs: tuple[Requirement, ...], fragment: str) -> Requirement:
    hits = [r for r in reqs if fragment in r.text]
    assert len(hits) == 1, f"{fragment!r} matched {len(hits)} requirements: {_texts(reqs)}"
    return hits[0]


def _statuses(roadmap: Roadmap) -> dict[str, str]:
    return {s.stage.id: s.status for s in roadmap.steps}


# --------------------------------------------------------------------------- stages


def test_six_stages_in_order_with_unique_ids() -> None:
    assert tuple(s.id for s in STAGES) == STAGE_IDS
    assert [s.number for s in STAGES] == [1, 2, 3, 4, 5, 6]
    assert len({s.id for s in STAGES}) == 6
    assert STAGES[0].name == "Foundation — learning the work"
    for stage in STAGES:
        assert stage.summary.endswith(".")
        assert stage.summary.count(". ") == 0, "summary must be one sentence"
        assert stage.milestones, stage.id


def test_stage_ids_match_knowledge_contract() -> None:
    from bot.content.documents import STAGES as KNOWLEDGE_STAGES

    assert tuple(s.id for s in STAGES) == KNOWLEDGE_STAGES


# --------------------------------------------------------------------------- credentials


def test_credential_path_ids() -> None:
    assert set(CREDENTIAL_PATHS) == {
        "ptcb-cpht", "nha-cpht", "cspt", "cpht-adv", "cpted", "hd-certificate",
        "tpv-certificate", "state-registration",
    }
    for key, path in CREDENTIAL_PATHS.items():
        assert path.id == key
        assert path.stage in STAGE_IDS
        assert path.confirm_at.startswith("https://")
        assert 0 < len(path.ask) <= 60


def test_every_requirement_has_an_https_source() -> None:
    reqs = all_requirements()
    assert len(reqs) > 60
    for req in reqs:
        assert req.text.strip(), req
        assert req.source.url.startswith("https://"), req
        assert req.source.title.strip() and req.source.as_of.strip(), req
    for path in CREDENTIAL_PATHS.values():
        for req in flatten_path(path) + path.fees:
            assert req.source.url.startswith("https://"), (path.id, req.text)


def test_diploma_item_is_uncertain() -> None:
    req = _find(CREDENTIAL_PATHS["ptcb-cpht"].requirements, "High school diploma")
    assert req.uncertain is True
    assert req.source.url == "https://www.ptcb.org/credentials/certified-pharmacy-technician"
    # the official, current items are not flagged
    assert _find(CREDENTIAL_PATHS["ptcb-cpht"].requirements, "Pass the PTCE").uncertain is False


def test_tpv_medication_history_item_is_uncertain() -> None:
    req = _find(CREDENTIAL_PATHS["cpht-adv"].requirements, "Medication History")
    assert req.uncertain is True
    assert "Technician Product Verification (TPV)" in req.text
    assert _find(CREDENTIAL_PATHS["cpht-adv"].requirements, "3 years").uncertain is False


def test_third_party_items_are_uncertain() -> None:
    nha = dict(CREDENTIAL_PATHS["nha-cpht"].alternatives)
    assert _find(nha["Work experience"], "1,200 hours").uncertain is True
    assert _find(nha["Work experience"], "1 year of supervised").uncertain is False
    assert all(r.uncertain for r in nha["Apprenticeship"])


def test_ptcb_cpht_facts() -> None:
    path = CREDENTIAL_PATHS["ptcb-cpht"]
    assert path.body == "PTCB"
    assert path.stage == "certification"
    assert [name for name, _ in path.alternatives] == ["Pathway 1", "Pathway 2"]
    pathways = dict(path.alternatives)
    assert "500 hours" in pathways["Pathway 2"][0].text
    assert "60 days" in pathways["Pathway 1"][1].text
    assert path.fees[0].text.startswith("$129 for application plus exam")
    assert _find(path.requirements, "Live in the US").text == "Live in the US or its territories."
    assert path.ask == "How do I get my PTCB CPhT?"


def test_cspt_facts() -> None:
    path = CREDENTIAL_PATHS["cspt"]
    pathways = dict(path.alternatives)
    assert list(pathways) == ["Pathway 1", "Pathway 2"]
    assert "sterile compounding education/training program" in pathways["Pathway 1"][0].text
    assert "1 year of full-time, continuous" in pathways["Pathway 1"][1].text
    assert pathways["Pathway 2"][0].text == (
        "3 years of full-time, continuous sterile compounding work."
    )
    assert _find(path.requirements, "30 hours a week").text == (
        "Full-time means at least 30 hours a week."
    )
    assert "within the last 8 years" in _find(path.requirements, "8 years").text
    assert "USP <797>/<800>" in _find(path.requirements, "8 years").text
    assert _find(path.requirements, "Competency Attestation").uncertain is False
    assert "1-year candidacy window" in _find(path.requirements, "candidacy").text
    assert _texts(path.fees) == [
        "$50 application fee (once per candidacy window).",
        "$149 exam fee.",
    ]


def test_cpted_and_hd_facts() -> None:
    cpted = CREDENTIAL_PATHS["cpted"]
    assert [n for n, _ in cpted.alternatives] == ["PTCB CPhT", "NHA CPhT or pharmacy degree"]
    assert "85-question" in cpted.requirements[0].text
    assert "written exam" in cpted.requirements[0].text
    assert _texts(cpted.fees) == ["Application fee: $50 for PTEC members, $99 for others."]
    hd = CREDENTIAL_PATHS["hd-certificate"]
    assert _texts(hd.fees) == ["$89, non-refundable."]
    assert hd.requirements[0].text == "An active PTCB CPhT."
    adv = CREDENTIAL_PATHS["cpht-adv"]
    assert [n for n, _ in adv.alternatives] == ["4 certificates", "3 certificates + CSPT"]
    assert "No exam and no fee" in adv.requirements[2].text


def test_state_registration_path() -> None:
    path = CREDENTIAL_PATHS["state-registration"]
    assert path.stage == "foundation"
    texas = dict(path.alternatives)["Texas example"]
    assert texas[0].text.startswith("In Texas you must register with the Texas State Board")
    assert texas[0].source.url == "https://codes.findlaw.com/tx/occupations-code/occ-sect-568-002/"


def test_all_sources_deduplicated_and_complete() -> None:
    sources = all_sources()
    assert len(sources) == len(set(sources))
    cited = {r.source for r in all_requirements()}
    assert set(sources) == cited
    assert career.SOURCES["bls-ooh"] in sources
    assert career.SOURCES["tx-occ-568-002"] in sources


def test_sources_shared_with_ce_rules_are_identical() -> None:
    from bot.ce import credentials as ce_credentials
    from bot.ce import model as ce_model

    assert career.Source is ce_model.Source
    ce_sources = {s.url: s for c in ce_credentials.CREDENTIALS.values() for s in c.sources}
    shared = [s for s in all_sources() if s.url in ce_sources]
    assert {s.url for s in shared} >= {
        career.SOURCES["ptcb-help-recert"].url,
        "https://www.nhanow.com/certifications/pharmacy-technician/renew",
        "https://www.pharmacy.texas.gov/licensees/ce-tech-faq.asp",
        "https://www.ptcb.org/guidebook/advanced-certified-pharmacy-technician-cpht-adv-program",
    }
    for source in shared:
        assert source == ce_sources[source.url]


def test_labels() -> None:
    assert list(STATUS_LABELS) == [
        "exploring", "training", "working", "certified", "specialist", "leading",
    ]
    assert STATUS_LABELS["working"] == "Working, not certified yet"
    assert list(SETTING_LABELS) == ["retail", "hospital", "other"]
    assert list(INTEREST_LABELS) == [
        "sterile", "oncology", "informatics", "nuclear", "leadership", "pharmacy_school", "pay",
    ]
    for label in [*STATUS_LABELS.values(), *SETTING_LABELS.values(), *INTEREST_LABELS.values()]:
        assert 0 < len(label) <= 30


def test_profile_rejects_unknown_values() -> None:
    with pytest.raises(ValueError, match="status"):
        Profile("retired", None)
    with pytest.raises(ValueError, match="setting"):
        Profile("working", "mall")
    with pytest.raises(ValueError, match="interest"):
        Profile("working", "retail", ("cooking",))


# --------------------------------------------------------------------------- current stage


@pytest.mark.parametrize(
    ("status", "stage_id"),
    [
        (None, "foundation"),
        ("exploring", "foundation"),
        ("training", "foundation"),
        ("working", "experience"),
        ("certified", "certification"),
        ("specialist", "specialization"),
        ("leading", "leadership"),
    ],
)
def test_current_stage(status: str | None, stage_id: str) -> None:
    assert current_stage(Profile(status, None)).id == stage_id


# --------------------------------------------------------------------------- roadmaps


def test_retail_working_sterile() -> None:
    rm = build_roadmap(Profile("working", "retail", ("sterile",)))
    assert rm.current.id == "experience"
    assert rm.next_milestone == "Earn your PTCB CPhT"
    assert _statuses(rm) == {
        "foundation": "done",
        "experience": "current",
        "certification": "next",
        "specialization": "later",
        "leadership": "later",
        "continuing_education": "later",
    }
    cert = rm.step("certification")
    assert cert.title == "Earn your PTCB CPhT"
    assert cert.ask == "How do I get my PTCB CPhT?"
    texts = _texts(cert.requirements)
    assert "Live in the US or its territories." in texts
    assert any(t.startswith("Pathway 2: At least 500 hours") for t in texts)
    assert any(t.startswith("$129") for t in texts)
    spec = rm.step("specialization")
    assert spec.credential_ids == ("cspt",)
    assert spec.title == "Specialize in sterile compounding: the CSPT"
    assert any(t.startswith("Pathway 1: ") for t in _texts(spec.requirements))
    assert any(t.startswith("Pathway 2: ") for t in _texts(spec.requirements))
    assert rm.notes[0] == (
        "Sterile compounding hours usually come from hospital or infusion IV work; from retail "
        "or another setting, an inpatient or infusion pharmacy job is the usual bridge."
    )


def test_certified_hospital_sterile_next_is_cspt() -> None:
    rm = build_roadmap(Profile("certified", "hospital", ("sterile",)))
    assert rm.current.id == "certification"
    assert rm.next_milestone == "Earn the CSPT (sterile compounding)"
    statuses = _statuses(rm)
    assert statuses["specialization"] == "next"
    assert statuses["continuing_education"] == "current"
    assert [s.stage.id for s in rm.steps if s.status == "next"] == ["specialization"]
    spec = rm.step("specialization")
    texts = _texts(spec.requirements)
    assert "Pathway 1: Complete (or be enrolled in) a PTCB-recognized sterile compounding " \
        "education/training program." in texts
    assert "Pathway 1: Plus 1 year of full-time, continuous sterile compounding work." in texts
    assert "Pathway 2: 3 years of full-time, continuous sterile compounding work." in texts
    assert "Full-time means at least 30 hours a week." in texts
    assert any("within the last 8 years" in t for t in texts)
    assert "30+ hours a week" in spec.detail and "last 8 years" in spec.detail
    assert spec.ask == "How do I become a CSPT?"
    assert rm.notes[0] == (
        "Sterile compounding hours usually come from hospital or infusion IV work: ask about "
        "IV-room (cleanroom) shifts where you work."
    )
    cert = rm.step("certification")
    assert cert.title == "You hold a CPhT: keep it active"


def test_leading_profile() -> None:
    rm = build_roadmap(Profile("leading", "hospital", ("leadership",)))
    assert rm.current.id == "leadership"
    assert rm.next_milestone == "Back your lead role with the CPhT-Adv or CPTEd"
    assert _statuses(rm) == {
        "foundation": "done",
        "experience": "done",
        "certification": "done",
        "specialization": "done",
        "leadership": "current",
        "continuing_education": "current",
    }
    lead = rm.step("leadership")
    joined = " ".join(_texts(lead.requirements)) + " " + lead.detail
    for word in ("lead tech", "supervisor", "buyer", "educator", "CPTEd", "CPhT-Adv"):
        assert word in joined, word
    assert any(t.startswith("PTCB CPhT: An active PTCB CPhT with at least 3 years")
               for t in _texts(lead.requirements))
    assert lead.credential_ids == ("cpht-adv", "cpted")


def test_unknown_profile_starts_at_foundation() -> None:
    rm = build_roadmap(Profile(None, None))
    assert rm.current.id == "foundation"
    assert rm.next_milestone == (
        "Choose a training route and check your state's registration rules"
    )
    assert _statuses(rm) == {
        "foundation": "current",
        "experience": "next",
        "certification": "later",
        "specialization": "later",
        "leadership": "later",
        "continuing_education": "later",
    }
    foundation = rm.step("foundation")
    assert foundation.credential_ids == ("state-registration",)
    assert any("Each state board of pharmacy sets its own technician rules" in t
               for t in _texts(foundation.requirements))
    # default specialization: certificates toward CPhT-Adv
    assert rm.step("specialization").credential_ids[0] == "cpht-adv"
    assert rm.notes[0].startswith("Tell me where you are")
    assert rm.notes[-1] == career.CONFIRM_NOTE


def test_exploring_pharmacy_school_note() -> None:
    rm = build_roadmap(Profile("exploring", None, ("pharmacy_school",)))
    assert rm.current.id == "foundation"
    assert rm.notes == (
        'Thinking about pharmacy school? Ask me: "How do I go from tech to pharmacy school?"',
        career.CONFIRM_NOTE,
    )


def test_pay_note() -> None:
    rm = build_roadmap(Profile("training", "retail", ("pay",)))
    assert rm.next_milestone == (
        "Finish your training and register with your state board if required"
    )
    assert 'Curious about pay? Ask me: "What do pharmacy techs earn, and what raises pay?"' \
        in rm.notes


def test_texas_note_and_requirements() -> None:
    rm = build_roadmap(Profile("working", "retail", (), "TX"))
    assert rm.notes == (
        (
            "Check the Texas board of pharmacy's technician rules (registration, training, "
            "exams, fees, background checks, CE) before you start work or change roles. In "
            "Texas you must register with the Texas State Board of Pharmacy before working as "
            "a technician or technician trainee."
        ),
        career.CONFIRM_NOTE,
    )
    foundation_texts = _texts(rm.step("foundation").requirements)
    assert career.TEXAS_REQUIREMENTS[0].text in foundation_texts
    ce_texts = _texts(rm.step("continuing_education").requirements)
    assert any("Texas pharmacy law" in t for t in ce_texts)
    # lower case and whitespace are accepted
    assert build_roadmap(Profile("working", "retail", (), " tx ")).notes == rm.notes


def test_other_state_note_has_no_texas_facts() -> None:
    rm = build_roadmap(Profile("working", "retail", (), "OH"))
    assert rm.notes[0].startswith("Check the Ohio board of pharmacy's technician rules")
    assert "Texas" not in " ".join(rm.notes)
    assert career.TEXAS_REQUIREMENTS[0] not in rm.step("foundation").requirements


@pytest.mark.parametrize(
    ("interests", "ids", "ask"),
    [
        (("sterile",), ("cspt",), "How do I become a CSPT?"),
        (("oncology",), ("cspt", "hd-certificate"), "How do I work in oncology pharmacy?"),
        (("sterile", "oncology"), ("cspt", "hd-certificate"),
         "How do I work in oncology pharmacy?"),
        (("nuclear", "informatics"), (), "How do I get into pharmacy informatics?"),
        (("informatics",), (), "How do I get into pharmacy informatics?"),
        (("nuclear",), (), "How do I train for nuclear pharmacy?"),
        ((), ("cpht-adv", "tpv-certificate", "hd-certificate", "cspt"),
         "Which PTCB certificates should I earn?"),
    ],
)
def test_specialization_by_interest(
    interests: tuple[str, ...], ids: tuple[str, ...], ask: str
) -> None:
    step = build_roadmap(Profile("certified", "hospital", interests)).step("specialization")
    assert step.credential_ids == ids
    assert step.ask == ask


def test_informatics_and_nuclear_point_to_the_bot() -> None:
    info = build_roadmap(Profile("certified", "other", ("informatics",))).step("specialization")
    assert info.detail.startswith("PTCB has no informatics credential.")
    assert "ASHP" in info.detail and "ask me" in info.detail
    nuclear = build_roadmap(Profile("certified", "other", ("nuclear",))).step("specialization")
    assert nuclear.detail.endswith("Ask me about nuclear pharmacy training.")


def test_oncology_includes_hd_certificate() -> None:
    step = build_roadmap(Profile("certified", "hospital", ("oncology",))).step("specialization")
    texts = _texts(step.requirements)
    assert "Pathway 2: 3 years of full-time, continuous sterile compounding work." in texts
    assert any("Hazardous Drug Management education/training program" in t for t in texts)
    assert _find(step.requirements, "No oncology-specific").uncertain is True


def test_secondary_interest_note() -> None:
    rm = build_roadmap(Profile("certified", "hospital", ("sterile", "informatics")))
    assert rm.step("specialization").credential_ids == ("cspt",)
    assert 'Also curious about informatics and automation? Ask me: "How do I get into ' \
        'pharmacy informatics?"' in rm.notes


def test_ce_step() -> None:
    step = build_roadmap(Profile("certified", "retail")).step("continuing_education")
    assert step.detail == "20 CE hours every 2 years incl. 1 law + 1 patient safety."
    assert step.ask == "/ce status"
    ptcb = step.requirements[0]
    assert ptcb.source == career.SOURCES["ptcb-help-recert"]
    assert "20 CE hours" in ptcb.text and "1 hour of pharmacy law" in ptcb.text
    assert "1 hour of patient safety" in ptcb.text


_ALL_PROFILES = [
    Profile(status, setting, interests, state)
    for status in [None, *STATUS_LABELS]
    for setting in [None, *SETTING_LABELS]
    for interests in [(), *((i,) for i in INTEREST_LABELS), ("sterile", "nuclear", "pay")]
    for state in (None, "TX")
]


def test_statuses_consistent_for_every_profile() -> None:
    known = set(all_requirements())
    for profile in _ALL_PROFILES:
        rm = build_roadmap(profile)
        assert tuple(s.stage.id for s in rm.steps) == STAGE_IDS
        linear = [s.status for s in rm.steps[:5]]
        cur = STAGE_IDS.index(rm.current.id)
        assert linear.count("current") == 1
        assert linear.index("current") == cur
        assert all(st == "done" for st in linear[:cur])
        expected_after = ["next", *["later"] * (4 - cur - 1)] if cur < 4 else []
        assert linear[cur + 1:] == expected_after
        assert rm.steps[5].status == ("current" if cur >= 2 else "later")
        for st in rm.steps:
            assert st.status in career.STEP_STATUSES
            assert 0 < len(st.ask) <= 60, st.ask
            assert st.requirements, (profile, st.stage.id)
            assert len(st.requirements) == len(set(st.requirements))
            assert set(st.requirements) <= known
            assert all(cid in CREDENTIAL_PATHS for cid in st.credential_ids)
        assert rm.next_milestone
        assert rm.notes[-1] == career.CONFIRM_NOTE


def test_roadmap_is_pure_and_deterministic() -> None:
    for profile in _ALL_PROFILES[::37]:
        assert build_roadmap(profile) == build_roadmap(profile)
    profile = Profile("working", "retail", ("sterile",), "TX")
    assert roadmap_as_text(build_roadmap(profile)) == roadmap_as_text(build_roadmap(profile))


def test_roadmap_as_text() -> None:
    text = roadmap_as_text(build_roadmap(Profile("working", "retail", ("sterile",))))
    lines = text.splitlines()
    assert lines[0] == "You are at: Experience — building your hours"
    assert lines[1] == "Next milestone: Earn your PTCB CPhT"
    assert "▶ 2. Experience — building your hours [current]" in lines
    assert "→ 3. Certification — earning your CPhT [next]" in lines
    assert "   Ask: /ce status" in lines
