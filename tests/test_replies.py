"""Replies: scope decisions, whole-section answers, exact citations and odd input, on the real
store. Grounding is checked against the documents re-read from disk (bot.cli.evaluation's
CitationChecker), not against what the reply code computed."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT

from bot.answers import templates
from bot.answers.compose import BODY_WORDS, is_followup, usable_history
from bot.answers.reply import Reply
from bot.cli.evaluation import CitationChecker
from bot.content.states import all_documents

CAREER_Q = "how do i get into sterile compounding?? been retail 2 yrs"
MEDICAL_QS = ["how much ibuprofen can i give my 4 year old", "can i take my lisinopril with advil"]
EMERGENCY_Q = "my kid swallowed a bunch of pills what do i do"
OFF_TOPIC_QS = ["whats the weather in chicago", "write me a poem about cats"]
PREGNANT_Q = "im pregnant and they want me in the chemo room, can i refuse?"


@pytest.fixture(scope="module")
def documents():
    return all_documents([ROOT / "knowledge"])


@pytest.fixture(scope="module")
def checker(documents):
    return CitationChecker(documents)


@pytest.fixture(scope="module")
def career(replier) -> Reply:
    return replier.answer(CAREER_Q)


def assert_well_formed_answer(reply: Reply, checker: CitationChecker) -> None:
    """The contract every answer keeps: a lead from one section, parts in that section's order,
    each part text of the section it names and citing exactly its own paragraph's sources,
    sources numbered by first appearance with title, URL and as_of."""
    assert reply.kind == "answer" and reply.in_scope
    assert reply.parts[0].role == "lead" and reply.lead == reply.parts[0].text
    assert [p.role for p in reply.parts].count("lead") == 1
    assert [p.role for p in reply.parts].count("next_step") <= 1
    assert reply.parts[-1].role == "next_step" or reply.next_step is None
    assert checker.problems(reply) == []
    assert [s.number for s in reply.sources] == list(range(1, len(reply.sources) + 1))
    for s in reply.sources:
        assert len(s.title) >= 3 and s.url.startswith(("http://", "https://")) and s.as_of
    # the body stays readable: about BODY_WORDS from the best section, plus a second opening
    lead_section = [p for p in reply.body if p.section == reply.parts[0].section]
    assert sum(len(p.text.split()) for p in lead_section) <= BODY_WORDS + 10
    assert len({p.section for p in reply.body}) <= 2
    # the plain text shows every part with its citation numbers, and lists the sources
    text = reply.to_text()
    assert text.startswith(reply.lead)
    for p in reply.parts:
        assert f"{p.text} {reply.cite_marks(p)}" in text
    listing = text.split("Sources:\n", 1)[1].splitlines()
    assert listing == [f"[{s.number}] {s.title} ({s.as_of}) — {s.url}" for s in reply.sources]


# --- career answers ---------------------------------------------------------------------------


def test_headline_question_opens_with_how_to_get_in_and_cites_ptcb(career, checker):
    assert_well_formed_answer(career, checker)
    lead = career.parts[0]
    assert lead.topic == "sterile_compounding"
    assert "sterile compounding" in lead.text.lower()
    assert "CPhT" in lead.text
    assert not lead.text.lower().startswith(("put on", "wash", "garb"))
    cited = [career.sources[n - 1].url for n in lead.cites]
    assert any("ptcb" in url for url in cited)
    assert career.next_step is not None
    assert career.query_used == CAREER_Q
    assert career.notes == []


def test_parts_keep_the_sections_order_and_lists_intact(career, documents):
    """The lead section is shown as written: a prefix of its blocks, cut only between
    sentences or items, never ending on a list's introduction."""
    section = next(
        s for d in documents for s in d.sections
        if f"{d.path}#{s.heading}" == career.parts[0].section
    )
    shown = [p for p in career.body if p.section == career.parts[0].section]
    whole = " ".join(b.text for b in section.blocks)
    assert whole.startswith(" ".join(p.text for p in shown))
    assert not shown[-1].text.endswith(":")


@pytest.mark.parametrize(("question", "topic", "must"), [
    ("How long is the PTCB certification good for and what do I need to renew it?",
     "ce_renewal", r"2 years|two years|20"),
    ("How do I keep my CPhT active?", "ce_renewal", r"20"),
    ("I'm burned out in retail, what are my options?", "wellbeing", r""),
    ("how many CE hours do i need to renew my CPhT", "ce_renewal", r"\b20\b"),
    ("what is the passing score for the PTCE", "certification", r"1,400"),
])
def test_first_sentence_answers_the_question(replier, checker, question, topic, must):
    import re

    reply = replier.answer(question)
    assert_well_formed_answer(reply, checker)
    assert reply.parts[0].topic == topic
    assert re.search(must, reply.to_text())
    assert "CPhT-Adv" not in reply.parts[0].text or "Adv" in question


def test_burnout_lead_offers_options_not_a_statistic(replier):
    reply = replier.answer("I'm burned out in retail, what are my options?")
    assert reply.kind == "answer"
    lead = reply.parts[0].text
    assert "%" not in lead and "survey" not in lead.lower()
    assert "option" in lead.lower() or "setting" in lead.lower() or "hospital" in lead.lower()


def test_sources_shown_are_exactly_the_ones_cited(career):
    cited = {n for p in career.parts for n in p.cites}
    assert cited == {s.number for s in career.sources}


# --- safety: crisis, emergency, medication ----------------------------------------------------------


def test_crisis_message_gets_988_first_and_nothing_else(replier):
    reply = replier.answer("some days I just want to disappear for good, this job is too much")
    assert reply.kind == "crisis"
    assert reply.in_scope is False
    assert reply.to_text().startswith(templates.CRISIS_REPLY.split(".")[0])
    assert "988" in reply.lead.split("\n")[0] and "911" in reply.lead
    assert reply.sources == [] and reply.parts == []
    assert reply.followups == [templates.CRISIS_FOLLOWUP]


@pytest.mark.parametrize("question", MEDICAL_QS)
def test_medication_questions_are_redirected(replier, question):
    reply = replier.answer(question)
    assert reply.kind == "medical"
    assert reply.in_scope is False
    assert reply.sources == [] and reply.parts == []
    assert reply.to_text() == templates.MEDICATION_REDIRECT
    assert reply.to_json()["sources"] == []


def test_emergency_is_redirected_to_911_and_poison_control(replier):
    reply = replier.answer(EMERGENCY_Q)
    assert reply.kind == "emergency"
    text = reply.to_text()
    assert "911" in text and "1-800-222-1222" in text


@pytest.mark.parametrize("question", OFF_TOPIC_QS)
def test_unrelated_questions_are_off_topic(replier, question):
    reply = replier.answer(question)
    assert reply.kind == "off_topic"
    assert reply.sources == []
    assert reply.to_text() == templates.OFF_TOPIC_REDIRECT


def test_career_health_question_is_answered_not_refused(replier, checker):
    reply = replier.answer(PREGNANT_Q)
    assert_well_formed_answer(reply, checker)
    assert reply.parts[0].topic == "oncology_hazardous"
    assert templates.MEDICATION_REDIRECT not in reply.to_text()


@pytest.mark.parametrize("earlier", [
    "how do i renew my ptcb certification",
    "How do I get into sterile compounding?",
])
@pytest.mark.parametrize(("message", "kind"), [
    ("Can I take ibuprofen with amoxicillin?", "medical"),
    ("my coworker just collapsed and isn't breathing", "emergency"),
    ("my roommate took a whole bottle of her sleeping pills", "emergency"),
    ("honestly i dont want to be here anymore", "crisis"),
])
def test_history_never_overrides_safety(replier, earlier, message, kind):
    with_history = replier.answer(message, history=[earlier, "how long does that take?"])
    alone = replier.answer(message)
    assert with_history.kind == alone.kind == kind


# --- follow-ups -------------------------------------------------------------------------------


def test_follow_up_is_about_the_follow_up(replier, checker):
    reply = replier.answer("how long does that take?", history=["How do I get into sterile compounding?"])
    assert_well_formed_answer(reply, checker)
    assert reply.parts[0].topic == "sterile_compounding"
    assert reply.query_used == "How do I get into sterile compounding? how long does that take?"
    body = " ".join(p.text for p in reply.body[:3]).lower()
    assert "year" in body or "month" in body
    assert not reply.parts[0].text.lower().startswith(("put on", "wash"))


def test_follow_up_what_about_nha_after_ptcb_renewal(replier):
    reply = replier.answer("what about NHA?", history=["how do i renew my ptcb cpht"])
    assert reply.kind == "answer"
    assert reply.parts[0].section.startswith("ce_renewal/nha")


def test_a_new_question_is_not_glued_to_the_last(replier):
    reply = replier.answer(
        "what does a nuclear pharmacy technician do all day",
        history=["how do i renew my ptcb cpht"],
    )
    assert reply.query_used == "what does a nuclear pharmacy technician do all day"
    assert reply.parts[0].topic == "nuclear"


def test_long_earlier_questions_are_not_used_as_context():
    long_question = "how do i renew " + "really " * 60 + "my cpht"
    assert usable_history([long_question]) == []
    assert usable_history(["a", "how do i renew my cpht"]) == ["how do i renew my cpht"]
    assert is_followup("how long does that take?")
    assert is_followup("and nha?")
    assert not is_followup("what does a nuclear pharmacy technician do all day")


# --- not covered ------------------------------------------------------------------------------------


def test_weak_match_says_not_covered_with_closest_topics(replier):
    question = "zzqx quux frobnicate blorp"
    reply = replier.compose(question, replier.retriever.retrieve(question))
    assert reply.kind == "no_match"
    assert reply.lead == templates.NO_MATCH
    assert reply.sources == [] and reply.parts == []
    assert all(f.endswith("?") for f in reply.followups)


# --- odd input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "?!...", "🙂🙂", "\x00\x07\u202e", "\n\t"])
def test_empty_input_asks_for_a_question(replier, question):
    reply = replier.answer(question)
    assert reply.kind == "empty"
    assert reply.question == question
    assert reply.to_text() == templates.EMPTY_QUESTION
    assert json.loads(json.dumps(reply.to_json()))["answer"] == templates.EMPTY_QUESTION


@pytest.mark.parametrize(
    "question",
    ["كيف أصبح فني صيدلة في مستشفى؟", "איך אני הופך לטכנאי רוקחות?"],
    ids=["arabic", "hebrew"],
)
def test_right_to_left_text_is_declined_not_answered_with_a_guess(replier, question):
    """The model is English-only: a question it cannot read gets the notice that answers are in
    English for now (naming 988 and 911), never a career answer from a random section."""
    reply = replier.answer(question)
    assert reply.kind == "language" and reply.lead == templates.OTHER_LANGUAGE_NOTICE
    assert reply.sources == []
    assert reply.question == question


def test_control_characters_are_stripped_before_answering(replier):
    plain = replier.answer("how do i renew my cpht")
    noisy = replier.answer("how do i renew\x00\x07 my \u202ecpht")
    assert noisy.kind == plain.kind == "answer"
    assert noisy.query_used == "how do i renew my cpht"
    assert [p.section for p in noisy.parts] == [p.section for p in plain.parts]


def test_very_long_question_is_answered_from_its_first_part(replier, checker):
    question = ("how many CE hours do i need to renew my CPhT? " * 250)[:10_000]
    reply = replier.answer(question)
    assert_well_formed_answer(reply, checker)
    assert len(reply.query_used) <= 1000
    assert reply.notes[0] == templates.LONG_QUESTION_NOTE
    assert "20" in reply.to_text()


# --- batching and JSON --------------------------------------------------------------------------


def test_answer_many_equals_answer_one_by_one(replier):
    questions = [
        CAREER_Q, "how many CE hours do i need to renew my CPhT", MEDICAL_QS[0], EMERGENCY_Q,
        OFF_TOPIC_QS[0], "", "what does a nuclear pharmacy tech do", "how do i become a lead tech",
    ]
    many = replier.answer_many(questions)
    one = [replier.answer(q) for q in questions]
    assert [r.kind for r in many] == [r.kind for r in one] == [
        "answer", "answer", "medical", "emergency", "off_topic", "empty", "answer", "answer",
    ]
    assert [r.to_text() for r in many] == [r.to_text() for r in one]


def test_to_json_shape(career):
    data = career.to_json()
    assert list(data) == [
        "question", "kind", "in_scope", "answer", "parts", "sources", "followups", "safety",
        "lang", "latency_ms",
    ]
    assert data["answer"] == career.to_text()
    for part in data["parts"]:
        assert {"role", "text", "section", "topic", "cites"} <= set(part)
        assert part["role"] in {"lead", "point", "next_step"}
        assert "#" in part["section"]
    for n, source in enumerate(data["sources"], 1):
        assert list(source) == ["n", "title", "url", "as_of", "topic", "path"]
        assert source["n"] == n
    assert data["latency_ms"] > 0
    json.dumps(data)
