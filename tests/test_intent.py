"""What a question asks decides which section leads (issue 22): states written the way people
write them, two states compared rather than a move, a section about how long something takes
only for a question about time, and the knowledge base's own "asked as" phrasings answered.

The phrasings here are written for these tests, not taken from the eval sets."""

from __future__ import annotations

import pytest

from bot.answers import safety
from bot.answers.intent import Intent, credentials_named
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
    ("heard all pa techs have to register now", ["PA"]),  # a code right before "techs"
    ("does our ga tech license cover iv work", ["GA"]),
    ("my co techs never do their ce", []),  # coworkers, not Colorado
    ("az trainee how long can i work", ["AZ"]),  # a code before "trainee"
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


# --- what a question asks, read as people write it (pure) ------------------------------------
# The phrasings are written for these tests, not taken from the eval sets.

@pytest.mark.parametrize("question", [
    "is the cpht-adv any point for a retail tech",
    "is getting a cert smart if my state doesnt care",
    "would oncology be a realistic move for me",
    "ptcb certificates, money grab or not",
])
def test_a_choice_weighed_in_everyday_words_is_read_as_deciding(question):
    from bot.answers.intent import Intent

    assert Intent.of(question).deciding


def test_plural_credential_names_and_phone_shorthand_for_time_are_read():
    from bot.answers.intent import Intent, asked_figure, credentials_named

    assert credentials_named("are cphts paid better") == {"cpht"}
    assert credentials_named("how many cspts at your hospital") == {"cspt"}
    figure = asked_figure("yrs of sterile work before the cspt")
    assert figure is not None and figure.search("after 1 year of work")
    assert Intent.of("how many mos before i can test").timing


def test_the_work_the_asker_does_is_context_when_they_weigh_a_choice():
    from bot.answers.intent import Intent

    assert Intent.of("is the cspt smart if im only in retail").roles == frozenset()
    assert Intent.of("i work retail, is the cpht-adv worth it").roles == frozenset()
    # ... but it is the subject of a question about that work
    assert Intent.of("what does a retail tech do all day").roles == {"retail"}
    assert Intent.of("im in retail, should i try hospital").roles == {"hospital"}


def test_what_to_bring_prefers_a_section_that_says_what_to_bring():
    from bot.answers.intent import Intent

    asking = Intent.of("what do i need to bring to the test center")
    assert asking.bringing and Intent.of("which id for pearson vue").bringing
    assert not Intent.of("id like to know the ptce fee").bringing  # "I'd like"
    assert not Intent.of("tech license in ID").bringing  # Idaho
    id_rules = asking.penalty("certification", "What identification rules apply on exam day?",
                              "On exam day, bring your identification (ID).")
    reschedule = asking.penalty("certification", "How do I reschedule my exam?",
                                "Reschedule at least 24 hours ahead. " + "x" * 300
                                + " Lacking valid ID forfeits fees.")
    assert id_rules < reschedule


def test_a_move_between_kinds_of_work_prefers_the_section_about_moving():
    from bot.answers.intent import Intent

    moving = Intent.of("cvs to hospital, where do i start")
    assert moving.moving and not Intent.of("retail vs hospital pay").moving
    shared = moving.penalty("settings", "What do retail and hospital pharmacy work have in common?")
    move = moving.penalty("settings", "How do I move from a retail job to a hospital job?")
    assert move < shared


def test_a_choice_weighed_does_not_lead_with_the_steps():
    from bot.answers.intent import Intent

    weighing = Intent.of("cspt any point if i never touch iv bags")
    steps = weighing.penalty("sterile_compounding", "How do I get the CSPT?")
    decision = weighing.penalty("sterile_compounding", "Is the CSPT worth it for me?")
    assert decision < steps
    asking_how = Intent.of("is it smart to get the cspt and how do i apply")
    assert asking_how.penalty("sterile_compounding", "How do I get the CSPT?") == 0.0


def test_a_choice_weighed_prefers_the_decision_to_what_the_credential_is():
    from bot.answers.intent import Intent

    weighing = Intent.of("cspt any point if my store never asks for it")
    what_is = weighing.penalty("sterile_compounding", "What is the CSPT?")
    decision = weighing.penalty("sterile_compounding", "Is the CSPT worth it for me?")
    assert decision < what_is
    assert Intent.of("what even is the cspt").penalty(
        "sterile_compounding", "What is the CSPT?") == 0.0


def test_the_day_of_a_named_kind_of_work_prefers_its_own_section_to_the_general_one():
    from bot.answers.intent import Intent

    hospital = Intent.of("what do hospital techs do all shift")
    general = hospital.penalty("start", "What does a pharmacy technician do on a typical shift?")
    own = hospital.penalty("settings", "What does a hospital pharmacy technician do?")
    assert general > 0.0 and own < general
    anyone = Intent.of("what do techs do all shift")
    assert anyone.penalty("start", "What does a pharmacy technician do on a typical shift?") == 0.0


def test_everyday_wordings_lead_with_the_section_they_ask_for(replier):
    """A choice weighed from where the asker works, what to bring, and a move between kinds of
    work, each led by its own section."""
    cases = {
        "thinking cspt but im just in retail rn, smart or nah":
            "sterile_compounding/becoming-a-cspt.md#Is the CSPT worth it for me?",
        "what id do they check at the ptce":
            "certification/exam-day-logistics.md#What identification rules apply on PTCB exam day?",
        # found by its "asked as" phrasings and by BM25, not by the dense search: it keeps the
        # search's scores, and the study sections (nothing about what to bring) give way
        "what am i supposed to bring for ptce test day":
            "certification/exam-day-logistics.md#What identification rules apply on PTCB exam day?",
        "retail to hospital, how do people do it": "settings/moving-from-retail-to-hospital.md#"
            "How do I move from a retail pharmacy job to a hospital pharmacy job?",
    }
    got = {q: replier.answer(q).parts[0].section for q in cases}
    assert got == cases


@pytest.mark.parametrize(("question", "stated", "other"), [
    ("nha or ptcb, which one is cheaper", "PTCB charges $129", "after 500 hours"),
    ("is the cpted worth the money", "a fee of $50", "within 12 months"),
    ("how fast does nha grade the exam", "within 2 days", "costs $125"),
    # a share: the percentage, not the other figures beside it
    ("ptcb billing certificate, what % of my shift has to be claims", "at least 50% of",
     "6 months of experience"),
    ("what percentage of the ptce is math", "about 12.5 percent", "90 questions"),
    ("how much of my time goes to compounding", "40% of the day", "$20 an hour"),
])
def test_a_price_compared_or_weighed_and_how_fast_ask_for_a_figure(question, stated, other):
    from bot.answers.intent import asked_figure

    figure = asked_figure(question)
    assert figure is not None and figure.search(stated) and not figure.search(other)


def test_the_states_own_renewal_card_does_not_keep_its_requirements_card_from_leading(replier):
    """"michigan tech license age": Michigan's card (its age is not confirmed, and the card
    says so first), not the general minimum-age section with its list of other states."""
    reply = replier.answer("michigan tech license age")
    assert reply.parts[0].section == (
        "states/mi.md#What do I need to work as a pharmacy technician in Michigan?")
    assert "minimum age" in reply.parts[0].text.lower()


def test_a_task_that_names_a_state_is_answered_by_the_tasks_section(replier):
    """"name change fee texas board" is how to report a name change (Texas's $20), not Texas's
    requirements card, which scores far below it; a question about the state's own rules still
    gets the card."""
    task = replier.answer("name change fee for the texas board")
    assert task.parts[0].section.startswith("certification/verifying-certification")
    rules = replier.answer("how old to be a tech in florida")
    assert rules.parts[0].section.startswith("states/fl.md#")


def test_a_state_trainee_question_gets_the_states_card_with_its_trainee_line(replier):
    reply = replier.answer("az trainee, how long can i work on that")
    assert reply.parts[0].section.startswith("states/az.md#")
    assert reply.parts[0].text.startswith("Trainee category in Arizona")


@pytest.mark.parametrize("question", ["what are the rules for techs in ohio",
                                      "ohio laws for pharmacy techs"])
def test_a_question_for_nothing_but_a_states_rules_gets_its_card(replier, question):
    """Ohio's break and shift rules name Ohio and "require", but a question that asks only for
    the state's rules for techs gets Ohio's card; one that names breaks keeps the breaks."""
    reply = replier.answer(question)
    assert reply.parts[0].section == (
        "states/oh.md#What do I need to work as a pharmacy technician in Ohio?")
    breaks = replier.answer("ohio break rules for techs")
    assert breaks.parts[0].section.startswith("wellbeing/workload-breaks-and-staffing.md#")


# --- the fresh set's classes (eligibility, who pays, "rph", states as alternatives) ---------
# The phrasings are written for these tests, not taken from the eval sets.

def test_am_i_eligible_prefers_the_section_on_who_is_eligible():
    from bot.answers.intent import Intent

    asking = Intent.of("do i qualify for the cpht-adv yet")
    assert asking.eligible and not Intent.of("how do i get the cspt").eligible
    assert (asking.penalty("certification", "Who is eligible for the PTCB CPhT-Adv?")
            < asking.penalty("certification", "How do I claim the CPhT-Adv?"))
    # "... can i take it yet", "do i have enough hours": whether the asker qualifies
    assert Intent.of("did 2 yrs in the iv room, can i take the cspt yet").eligible
    assert Intent.of("do i have enough hours for pathway 2").eligible
    assert not Intent.of("can i take the cspt online").eligible


def test_who_pays_is_not_what_it_costs():
    from bot.answers.intent import Intent

    asking = Intent.of("does my employer cover the ptce fee")
    assert asking.employer_pays and not Intent.of("how much does the ptce cost").employer_pays
    covering = asking.penalty("start", "Will an employer cover my PTCB exam fee or training?",
                              "Some employers pay the $129 fee.")
    costing = asking.penalty("certification", "How much does the PTCB CPhT cost?",
                             "The PTCB CPhT costs $129.")
    assert covering < costing


def test_rph_is_the_pharmacist_and_go_for_it_weighs_a_choice():
    from bot.answers.intent import Intent

    assert Intent.of("how many years to go from tech to rph").leaving
    assert Intent.of("my pharmacist says go for the cspt, what would it get me").deciding
    assert not Intent.of("where do i go for the ptce").deciding


def test_states_named_as_alternatives_are_compared_not_moved_to(records):
    assert states.alternatives("moving to oregon or nevada, where is tech pay better", records)
    assert states.alternatives("relocating, AZ vs NV for techs?", records)
    assert not states.alternatives("moving from ohio to texas next month", records)


def test_the_state_moved_to_is_the_destination_not_the_one_registered_in(records):
    text = "licensed in ohio, relocating to nevada soon, what do i need"
    assert states.destination(text, ["OH", "NV"], records) == "NV"


def test_moving_to_one_of_two_states_searches_the_topic(replier):
    reply = replier.answer("moving to oregon or nevada, which state has more tech job growth")
    assert reply.parts[0].section == (
        "pay_outlook/pay-and-job-outlook.md#How does pharmacy technician job growth differ by state?")


def test_a_move_that_asks_about_an_expiry_gets_the_expiry_section(replier):
    reply = replier.answer("moved from ohio to texas and my texas tech registration expired last "
                           "month, is there a late fee")
    assert reply.parts[0].section == ("ce_renewal/texas-technician-ce-and-renewal.md#"
                                      "What happens if my Texas technician registration expires?")


def test_a_section_that_joins_the_candidates_keeps_the_searchs_scores(replier):
    """A chunk the search scored but the fusion left out of the top k, added back as a
    candidate (by its "asked as" phrasings or a state name), keeps its fused and BM25 scores
    rather than starting from nothing."""
    retriever = replier.retriever
    question = "what am i supposed to bring for ptce test day"
    retrieval = retriever.search_many([question], retriever.embed([question]), 10)[0]
    shown = {p.id for p in retrieval.passages}
    left_out = [pid for pid, (_fused, _cos, bm25) in retrieval.scored.items()
                if pid not in shown and bm25 > 0]
    assert left_out, "the search scored more passages than it returned"
    joined = replier._joined(retrieval, [retriever.passages[left_out[0]]])
    added = joined.passages[-1]
    fused, _cosine, bm25 = retrieval.scored[left_out[0]]
    assert (added.score, added.lexical) == (fused, bm25) and fused > 0
    assert added.dense == pytest.approx(
        float(retriever.vectors[added.id] @ retrieval.vector), abs=1e-5)
    # ... which serve composing only: a reply does not keep them (2,000 replies in flight
    # kept 8 MB of them)
    reply = replier.answer(question)
    assert reply.retrieval is not None and reply.retrieval.passages
    assert reply.retrieval.scored == {}


def test_burnt_out_is_the_documents_burnout(replier):
    """"burnt out" and "burned out" are read as the documents' "burnout" by the lexical search,
    so "what do i do" about it is the section on what to do, not the list of warning signs."""
    from bot.answers.retrieval import lexical_terms

    assert lexical_terms("so burnt out") == lexical_terms("so burned out") == lexical_terms(
        "so burnout")
    lead = replier.answer("so burned out rn what am i supposed to do about it").parts[0]
    assert lead.section == ("wellbeing/burnout-signs-and-help.md#What can I do when I notice "
                            "burnout in myself or a coworker?")


def test_what_the_work_is_wants_a_section_that_says_what_someone_does(replier):
    """"what do techs do", "day to day": a section saying what someone does, and for a question
    that names no kind of work, the general one rather than one kind of technician's."""
    from bot.answers.intent import Intent

    asking = Intent.of("nuc tech what do they do day to day")
    assert asking.duties and Intent.of("what do pharm techs do all shift").duties
    assert not Intent.of("what do i do first to become a tech").duties  # the asker's steps
    assert (asking.penalty("nuclear", "What does a nuclear pharmacy technician do?")
            < asking.penalty("nuclear", "What does a nuclear pharmacy technician training "
                                        "program require?"))
    general = Intent.of("so what do pharm techs actually do")
    assert (general.penalty("start", "What does a pharmacy technician do on a typical shift?")
            < general.penalty("settings", "What does a hospital pharmacy technician do?"))
    got = {q: replier.answer(q).parts[0].section for q in (
        "so what do pharm techs actually do", "nuc tech what do they do day to day")}
    assert got == {
        "so what do pharm techs actually do":
            "start/what-the-job-is.md#What does a pharmacy technician do on a typical shift?",
        "nuc tech what do they do day to day":
            "nuclear/what-a-nuclear-pharmacy-technician-does.md#What does a nuclear pharmacy "
            "technician do?",
    }


def test_more_phone_shorthand_is_spelled_out():
    from bot.answers.field_words import spell_out

    assert spell_out("cahims with just a hs diploma?") == "cahims with just a high school diploma?"
    assert spell_out("how many yrs from tech to rph") == (
        "how many years from pharmacy technician to pharmacist")
    assert spell_out("hosp techs vs onc techs") == (
        "hospital pharmacy technicians vs oncology pharmacy technicians")


@pytest.mark.parametrize("question, lapsed", [
    ("my cpht expired like 2 months ago, am i screwed", True),
    ("let my registration lapse over the summer, now what", True),
    ("cert already lapsed can i get it back", True),
    ("when does my cpht expire", False),
    ("what happens if my cpht expires next year", False),
])
def test_a_credential_that_already_lapsed_is_read(question, lapsed):
    from bot.answers.intent import Intent

    reading = Intent.of(question)
    assert reading.lapsed is lapsed
    expiry = reading.penalty("ce_renewal", "What happens if my PTCB CPhT expires?")
    on_time = reading.penalty("ce_renewal", "When can I renew my PTCB CPhT, and when is the deadline?")
    assert (expiry < on_time) is lapsed


def test_paying_said_of_the_asker_is_a_cost_not_earnings():
    for question in ("do i have to pay again if i fail the ptce", "would i pay extra to reschedule",
                     "we gotta pay for the background check?"):
        intent = Intent.of(question)
        assert intent.costing and not intent.earning, question
    for question in ("does pbm work pay more than retail", "how much do hospitals pay techs"):
        intent = Intent.of(question)
        assert intent.earning and not intent.costing, question


def test_pbm_and_prior_auth_work_are_kinds_of_work():
    assert Intent.of("is a cpht required for pbm jobs").roles == {"pbm"}
    assert Intent.of("what do prior auth techs do all day").roles == {"prior_auth"}
    intent = Intent.of("what do pbm techs do")
    assert intent.penalty("settings", "What does a PBM technician do?") < intent.penalty(
        "settings", "What does a prior authorization technician do?")


def test_nhas_cpht_is_nhas_credential_not_ptcbs():
    assert credentials_named("What if my NHA CPhT has already expired?") == {"nha"}
    assert credentials_named("my cpht expired 3 months ago") == {"cpht"}
    intent = Intent.of("my cpht expired 3 months ago, what now")
    assert intent.penalty("ce_renewal", "What happens if my PTCB CPhT expires?") < intent.penalty(
        "ce_renewal", "What if my NHA CPhT has already expired?")


def test_a_lapsed_state_registration_gets_the_states_own_expiry_section(replier):
    # the card says how to renew on time; the question says it already lapsed
    reply = replier.answer("my texas registration lapsed last month, can i still renew it or not")
    assert reply.parts[0].section == ("ce_renewal/texas-technician-ce-and-renewal.md#"
                                      "What happens if my Texas technician registration expires?")
    # ... and renewing on time is not about expiry
    on_time = replier.answer("texas tech renewal requirements")
    assert "expire" not in on_time.parts[0].section


def test_a_credential_asked_as_what_work_requires_leads_with_the_work(replier):
    """"is a cpht required for pbm work" asks what PBM work requires: it had led with who may
    sit for the CPhT."""
    from bot.answers.intent import Intent

    asked = Intent.of("is a cpht required for pbm work")
    assert asked.required_for and not Intent.of("what is required for the cpht").required_for
    assert asked.penalty("certification", "Who is eligible for the PTCB CPhT?") > asked.penalty(
        "settings", "What does a PBM technician do?")
    reply = replier.answer("is a cpht required for pbm work")
    assert reply.parts[0].section == (
        "settings/non-dispensing-pbm-prior-auth-telepharmacy-billing.md#What does a PBM technician do?")


@pytest.mark.parametrize(("question", "retaking"), [
    ("do i have to pay again if i flunk the nha test", True),
    ("bombed the ptce, when can i take it again", True),
    ("how many times can i retake the ptce", True),
    ("i failed to renew my cpht on time", False),
    ("my cpht expired 2 years ago do i have to retake the exam", False),  # lapsed: its own reading
])
def test_an_exam_failed_asks_for_the_retake_rules(question, retaking):
    import dataclasses

    from bot.answers.intent import RETAKE_PENALTY, WAIT_PENALTY, Intent

    reading = Intent.of(question)
    assert reading.retaking is retaking
    unread = dataclasses.replace(reading, retaking=False)
    retake = "How long must I wait to retake the PTCE or the NHA exam?"
    renewal = "What does NHA require to renew an NHA CPhT?"
    assert reading.penalty("certification", retake) == pytest.approx(
        unread.penalty("certification", retake) - (WAIT_PENALTY if retaking else 0.0))
    assert reading.penalty("ce_renewal", renewal) == pytest.approx(
        unread.penalty("ce_renewal", renewal) + (RETAKE_PENALTY if retaking else 0.0))


def test_a_flunked_exam_leads_with_the_retake_rules(replier):
    # it had led with NHA's renewal requirements
    reply = replier.answer("do i have to pay again if i flunk the nha test")
    assert reply.parts[0].section == (
        "certification/exam-day-logistics.md#How long must I wait to retake the PTCE or the NHA exam?")


def test_a_chain_or_they_paying_for_the_exam_asks_about_the_employer(replier):
    from bot.answers.intent import Intent

    assert Intent.of("i work at walgreens do they pay for the ptce").employer_pays
    assert Intent.of("does cvs pay for the cert").employer_pays
    assert not Intent.of("does cvs pay techs more than walgreens").employer_pays
    reply = replier.answer("i work at walgreens do they pay for the ptce")  # had led with the steps
    assert reply.parts[0].section == ("start/choosing-a-training-program.md#"
                                      "Will an employer cover my PTCB exam fee or pharmacy technician training?")


def test_a_pay_question_leads_with_a_section_about_pay(replier):
    from bot.answers.intent import Intent

    asked = Intent.of("do hospitals pay more than retail for techs")
    assert asked.earning and not Intent.of("are there paid apprenticeships for techs").earning
    assert asked.penalty("settings", "What do retail and hospital pharmacy work have in common?") > (
        asked.penalty("pay_outlook", "Does changing pharmacy setting or state change a technician's pay?"))
    # it had led with what the two kinds of work have in common
    reply = replier.answer("do hospitals pay more than retail for techs")
    assert reply.parts[0].topic == "pay_outlook"


def test_an_nha_headings_cpht_is_nhas():
    from bot.answers.intent import Intent, heading_credentials

    assert heading_credentials("How do I submit CE to NHA for CPhT renewal?") == {"nha"}
    assert heading_credentials("Do PTCB and NHA award the same CPhT credential?") == {"nha", "cpht"}
    assert heading_credentials("How long must I wait to retake the PTCE or the NHA exam?") == {
        "nha", "cpht"}
    asked = Intent.of("do i gotta do ce as a cpht")  # had led with NHA's way to submit CE
    assert asked.penalty("ce_renewal", "How do I submit CE to NHA for CPhT renewal?") > asked.penalty(
        "ce_renewal", "When must CE hours be earned for PTCB CPhT renewal?")


def test_what_a_pharmacy_makes_is_not_what_it_pays():
    from bot.answers.intent import Intent

    asked = Intent.of("how much do nuclear techs make")
    preparations = "What kinds of preparations does a nuclear pharmacy make?"
    assert asked.penalty("nuclear", preparations) > asked.penalty(
        "pay_outlook", "How much do pharmacy technicians earn?")
    assert Intent.of("how much does the cspt cost").penalty("nuclear", preparations) == 0.0


def test_one_exam_easier_than_another_is_a_comparison(replier):
    from bot.answers.intent import Intent

    assert Intent.of("is the nha exam easier than the ptce").deciding
    reply = replier.answer("is the nha exam easier than the ptce")  # had led with how to study
    assert reply.parts[0].section.startswith("certification/ptcb-vs-nha.md#")


def test_a_choice_weighed_leads_with_the_section_that_weighs_it(replier):
    # where oncology technicians work had led
    reply = replier.answer("is oncology pharmacy a good move for a tech")
    assert reply.parts[0].section.endswith("#Should I go into oncology or hazardous drug compounding work?")


def test_how_long_an_exam_is_is_not_how_long_to_wait_for_a_retake(replier):
    from bot.answers.intent import Intent

    asked = Intent.of("how long is the nha exam")
    wait = "How long must I wait to retake the PTCE or the NHA exam?"
    assert asked.penalty("certification", wait) > Intent.of(
        "how long do i wait to retake the nha exam").penalty("certification", wait)
    from bot.cli.evaluation import FIRST_CHARS, answer_text

    reply = replier.answer("how long is the nha exam")  # the wait for a retake had led
    assert "2 hours 10 minutes" in answer_text(reply)[:FIRST_CHARS]


def test_becoming_one_kind_of_tech_is_not_becoming_a_tech_at_all():
    from bot.answers.intent import Intent

    asked = Intent.of("how do i become a pharmacy tech instructor")
    assert asked.penalty("start", "How do I become a pharmacy technician, step by step?") > (
        asked.penalty("leadership", "What does a pharmacy technician educator do?"))


def test_a_workplace_the_asker_calls_theirs_is_not_the_work_asked_about(replier):
    from bot.answers.intent import Intent

    assert Intent.of("does ptcb accept ce from my hospital's inservices").roles == frozenset()
    assert Intent.of("what do my hospital techs make").roles == {"hospital"}
    # "inservices" spelled out; which credentials fit retail and hospital work had led
    reply = replier.answer("does ptcb accept ce from my hospital's inservices")
    assert reply.parts[0].section.endswith(
        "#Does workplace in-service training count for PTCB CPhT renewal?")


def test_what_a_heading_sets_aside_is_not_its_subject_and_certification_is_the_cphts():
    from bot.answers.intent import credentials_named, heading_credentials

    assert heading_credentials("How do I prepare for the NHA ExCPT instead of the PTCE?") == {"nha"}
    assert credentials_named("is certification even worth it if my state doesnt need it") == {
        "cpht"}
    assert credentials_named("are those ptcb certificates worth the money") == {"certificate"}
    assert credentials_named("hazardous drug certification worth it") == frozenset()


def test_tech_school_is_the_technicians_own_training_not_pharmacy_school(replier):
    """"tech school worth it?" had the pharmacist's PharmD decision: the model reads
    "pharmacy technician school" as "pharmacy school". The decision section on technician
    training leads it now, and pharmacy school asked for is still pharmacy school."""
    own, pharmd = replier.answer_many(["is tech school even worth paying for",
                                       "thinking about pharmacy school after a few yrs as a tech"])
    assert own.parts[0].section == (
        "start/choosing-a-training-program.md#Should I go to pharmacy technician school?")
    assert "500 hours" in own.parts[0].text
    assert pharmd.parts[0].section.startswith("beyond_tech/going-to-pharmacy-school.md#")
