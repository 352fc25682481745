"""What a question asks decides which section leads (issue 22): states written the way people
write them, two states compared rather than a move, a section about how long something takes
only for a question about time, and the knowledge base's own "asked as" phrasings answered.

The phrasings here are written for these tests, not taken from the eval sets."""

from __future__ import annotations

import pytest

from bot.answers import safety
from bot.content import states


@pytest.fixture(scope="module")
def records():
    return states.load_states()


@pytest.mark.parametrize(("text", "codes"), [
    ("new tx tech here, when is my first renewal", ["TX"]),
    ("got a ca tech license last year", ["CA"]),
    ("tx late renewal fee??", ["TX"]),
    ("does tsbp take nha", ["TX"]),
    ("mi cpht expira, que hago", []),  # Spanish "mi" (my), not Michigan
    ("i got into pa school", []),  # a physician assistant program, not Pennsylvania
    ("moving to cali, do i need a new tech license", ["CA"]),
    ("mass tech license without the ptce?", ["MA"]),
    ("got a mass email about ce from my boss", []),
])
def test_states_are_read_the_way_people_write_them(records, text, codes):
    assert states.find_states(text, records) == codes


def test_two_states_compared_get_both_cards_and_no_move_advice(replier, records):
    reply = replier.answer("how many ce hours do techs need in ohio vs michigan")
    sections = [p.section for p in reply.parts]
    assert sections[0] == f"states/oh.md#{states.renewal_heading(records['OH'])}"
    assert f"states/mi.md#{states.renewal_heading(records['MI'])}" in sections
    assert "transfer" not in reply.to_text().lower()


def test_a_move_between_two_states_still_leads_with_the_new_state(replier, records):
    reply = replier.answer("relocating from ohio to michigan, what do i need for my tech license")
    assert reply.parts[0].section == f"states/mi.md#{states.requirement_heading(records['MI'])}"


def test_a_how_long_section_leads_only_a_question_about_time(replier):
    reply = replier.answer("do pharmacy techs usually work weekends and evenings")
    assert not reply.parts[0].section.split("#")[1].startswith("How long")
    timed = replier.answer("how long does the experience stage usually take for a tech")
    assert timed.parts[0].section.split("#")[1].startswith("How long")


def test_a_one_word_clause_is_not_read_as_a_crisis(replier):
    """"... weekends and nights": the clause "nights" alone sits near crisis examples by
    chance; clauses this short are left to the phrase layer."""
    reply = replier.answer("do pharmacy techs have to work weekends and nights")
    assert reply.kind == "answer" and reply.safety == safety.NONE


def test_a_section_only_bm25_found_is_answered_not_refused(replier):
    """A chunk found by its exact terms, not among the closest by meaning, carries its own
    cosine as evidence (it used to count as 0 and the question was refused)."""
    reply = replier.answer("whats a cat 2 csp under 797")
    assert reply.kind == "answer"
    assert reply.parts[0].section.startswith("sterile_compounding/usp-797-basics")


def test_the_knowledge_bases_own_phrasings_are_answered(replier):
    """Every "asked as" phrasing of a section (written as technicians post) gets an answer,
    except the crisis section's own, which get the crisis reply, and at most three others."""
    phrasings = sorted({(p.section, a) for sections in replier.sections_by_path.values()
                        for p in sections.values() for a in p.asked})
    replies = replier.answer_many([a for _, a in phrasings])
    wrong = [(section, asked, r.kind) for (section, asked), r in zip(phrasings, replies)
             if r.kind != "answer" and not (r.kind == "crisis" and "suicide" in section)]
    assert len(phrasings) > 1000
    assert len(wrong) <= 3, wrong


def test_a_chains_name_reads_as_retail_pharmacy(replier):
    """"cvs" alone pulls the model toward shops; spelled out it is retail pharmacy work."""
    reply = replier.answer("im so burnt out at cvs")
    assert reply.kind == "answer"
    assert reply.parts[0].topic == "wellbeing"


def test_a_question_about_one_credential_is_not_answered_from_anothers_section(replier):
    """"keep my cpht" is PTCB CPhT renewal, not how CPhT-Adv holders use their CE."""
    reply = replier.answer("do i need ce to keep my cpht")
    assert "CPhT-Adv" not in reply.parts[0].section
    assert reply.parts[0].section.startswith("ce_renewal/ptcb-cpht-renewal")
    adv = replier.answer("how many ce hours for the cpht-adv renewal")
    assert "CPhT-Adv" in adv.parts[0].section
