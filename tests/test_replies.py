"""Replies: scope decisions, grounded answers, citations and odd input, on the real store."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

from bot import templates
from bot.knowledge import load_documents
from bot.replies import MAX_POINTS, Reply

CAREER_Q = "how do i get into sterile compounding?? been retail 2 yrs"
MEDICAL_QS = ["how much ibuprofen can i give my 4 year old", "can i take my lisinopril with advil"]
EMERGENCY_Q = "my kid swallowed a bunch of pills what do i do"
OFF_TOPIC_QS = ["whats the weather in chicago", "write me a poem about cats"]
PREGNANT_Q = "im pregnant and they want me in the chemo room, can i refuse?"


@pytest.fixture(scope="module")
def career(replier) -> Reply:
    return replier.answer(CAREER_Q)


def _all_sentences(replier) -> set[str]:
    return {s for p in replier.retriever.passages.values() for s in p.sentences}


def assert_well_formed_answer(replier, reply: Reply, min_points: int = 2) -> None:
    """The structural and grounding contract every answer keeps."""
    assert reply.kind == "answer"
    assert reply.in_scope is True
    assert reply.lead
    assert min_points <= len(reply.points) <= MAX_POINTS
    # sources numbered 1..n, each with a title and an http(s) URL
    assert [s.number for s in reply.sources] == list(range(1, len(reply.sources) + 1))
    assert len({s.path for s in reply.sources}) == len(reply.sources)
    for s in reply.sources:
        assert len(s.title) >= 3
        assert s.url and s.url.startswith(("http://", "https://"))
    # every point cites an existing source
    assert {p.source for p in reply.points} <= {s.number for s in reply.sources}
    # every cited source is used by the lead (source 1) or a point
    assert {1, *(p.source for p in reply.points)} == {s.number for s in reply.sources}
    # groundedness: the lead and every point are sentences of a retrieved passage of the
    # document they cite
    retrieved = reply.retrieval.passages
    by_number = {s.number: s.path for s in reply.sources}
    cited = [(reply.lead, 1), *((p.text, p.source) for p in reply.points)]
    for text, number in cited:
        assert any(
            p.path == by_number[number] and text in p.sentences for p in retrieved
        ), f"not grounded in source [{number}]: {text!r}"
    # the next step is the "Next step" section of the lead's document
    if reply.next_step:
        assert any(
            p.path == by_number[1] and p.next_step and p.sentences[0] == reply.next_step
            for p in replier.retriever.passages.values()
        )
        assert reply.next_step in _all_sentences(replier)
    # no repeated points
    texts = [reply.lead, *(p.text for p in reply.points)]
    assert len(set(texts)) == len(texts)
    # the plain text shows exactly these parts
    text = reply.to_text()
    assert text.startswith(reply.lead + "\n\n")
    for p in reply.points:
        assert f"• {p.text} [{p.source}]" in text
    listing = text.split("Sources:\n", 1)[1].splitlines()
    assert listing == [f"[{s.number}] {s.title} — {s.url}" for s in reply.sources]


# --- career answers ---------------------------------------------------------------------------


def test_career_question_gets_a_grounded_answer(replier, career):
    assert_well_formed_answer(replier, career)
    assert career.query_used == CAREER_Q
    assert career.sources[0].topic == "sterile_compounding"
    assert all(s.topic == "sterile_compounding" for s in career.sources)
    assert career.next_step
    assert f"Next step: {career.next_step}" in career.to_text()
    assert career.notes == []


def test_sentences_come_verbatim_from_the_knowledge_documents(replier, career):
    """Sentences in the store are the documents' own words (modulo bold and whitespace)."""
    bodies = {
        d.path: " ".join(d.body.replace("**", "").split())
        for d in load_documents([ROOT / "knowledge"])
    }
    body = bodies[career.sources[0].path]
    assert career.lead in body
    assert career.next_step in body


def test_renewal_hours_keep_the_number(replier):
    reply = replier.answer("how many CE hours do i need to renew my CPhT")
    assert_well_formed_answer(replier, reply)
    assert re.search(r"\b20 hours\b", reply.lead)
    assert reply.sources[0].topic == "ce_renewal"


def test_ptce_passing_score_keeps_the_number(replier):
    reply = replier.answer("what is the passing score for the PTCE")
    assert reply.kind == "answer"
    assert "1,400" in reply.lead
    assert reply.sources[0].path == "certification/ptce-exam.md"
    assert "Confirm current rules and fees with PTCB (ptcb.org)." in reply.to_text()


# --- refusals and redirects ---------------------------------------------------------------------


@pytest.mark.parametrize("question", MEDICAL_QS)
def test_medication_questions_are_redirected(replier, question):
    reply = replier.answer(question)
    assert reply.kind == "medical"
    assert reply.in_scope is False
    assert reply.sources == [] and reply.points == []
    assert reply.to_text() == templates.MEDICATION_REDIRECT
    assert "pharmacist or doctor" in reply.to_text()
    assert reply.to_json()["sources"] == []


def test_emergency_is_redirected_to_911_and_poison_control(replier):
    reply = replier.answer(EMERGENCY_Q)
    assert reply.kind == "emergency"
    assert reply.in_scope is False
    assert reply.sources == []
    text = reply.to_text()
    assert "911" in text and "1-800-222-1222" in text


@pytest.mark.parametrize("question", OFF_TOPIC_QS)
def test_unrelated_questions_are_off_topic(replier, question):
    reply = replier.answer(question)
    assert reply.kind == "off_topic"
    assert reply.in_scope is False
    assert reply.sources == []
    assert reply.to_text() == templates.OFF_TOPIC_REDIRECT


def test_career_health_question_is_answered_not_refused(replier):
    reply = replier.answer(PREGNANT_Q)
    assert reply.kind == "answer"
    assert reply.in_scope is True
    assert reply.sources
    text = reply.to_text().lower()
    assert "occupational health" in text or "doctor" in text
    assert templates.MEDICATION_REDIRECT not in reply.to_text()


def test_career_health_answer_cites_the_hazardous_drug_documents(replier):
    reply = replier.answer(PREGNANT_Q)
    assert "oncology_hazardous" in {s.topic for s in reply.sources}
    assert reply.sources[0].path == (
        "oncology_hazardous/hazardous-drugs-pregnancy-reproductive-health.md"
    )
    assert "nuclear" not in reply.next_step.lower()


# --- odd input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "?!...", "🙂🙂", "\x00\x07\u202e", "\n\t"])
def test_empty_input_asks_for_a_question(replier, question):
    reply = replier.answer(question)
    assert reply.kind == "empty"
    assert reply.in_scope is True
    assert reply.question == question
    assert reply.sources == []
    assert reply.to_text() == templates.EMPTY_QUESTION
    assert json.loads(json.dumps(reply.to_json()))["answer"] == templates.EMPTY_QUESTION


@pytest.mark.parametrize(
    "question",
    ["كيف أصبح فني صيدلة في مستشفى؟", "איך אני הופך לטכנאי רוקחות?"],
    ids=["arabic", "hebrew"],
)
def test_right_to_left_text_gets_a_reply(replier, question):
    reply = replier.answer(question)
    assert reply.kind in {"answer", "no_match", "off_topic", "medical", "emergency"}
    assert reply.to_text().strip()
    assert reply.question == question


def test_control_characters_are_stripped_before_answering(replier):
    plain = replier.answer("how do i renew my cpht")
    noisy = replier.answer("how do i renew\x00\x07 my \u202ecpht")
    assert noisy.kind == plain.kind == "answer"
    assert noisy.query_used == "how do i renew my cpht"
    assert [s.path for s in noisy.sources] == [s.path for s in plain.sources]
    assert noisy.lead == plain.lead


def test_very_long_question_is_answered_from_its_first_part(replier):
    question = ("how many CE hours do i need to renew my CPhT? " * 250)[:10_000]
    assert len(question) == 10_000
    reply = replier.answer(question)
    assert_well_formed_answer(replier, reply)
    assert reply.question == question
    assert len(reply.query_used) <= 1000
    assert reply.notes[0] == templates.LONG_QUESTION_NOTE
    assert templates.LONG_QUESTION_NOTE in reply.to_text()
    assert "20" in reply.lead


# --- context and batching ----------------------------------------------------------------------


def test_follow_up_uses_the_previous_question(replier):
    follow = replier.answer("how long does that take?", history=["how do i become a CSPT"])
    assert follow.kind == "answer"
    assert follow.query_used == "how do i become a CSPT how long does that take?"
    assert follow.sources[0].topic == "sterile_compounding"
    assert "CSPT" in follow.to_text()
    alone = replier.answer("how long does that take?")
    assert alone.query_used == "how long does that take?"


def test_answer_many_equals_answer_one_by_one(replier):
    questions = [
        CAREER_Q,
        "how many CE hours do i need to renew my CPhT",
        MEDICAL_QS[0],
        EMERGENCY_Q,
        OFF_TOPIC_QS[0],
        "",
        "what does a nuclear pharmacy tech do",
        "how do i become a lead tech",
    ]
    many = replier.answer_many(questions)
    one = [replier.answer(q) for q in questions]
    assert len(many) == len(questions)
    assert [r.question for r in many] == questions
    assert [r.kind for r in many] == [r.kind for r in one] == [
        "answer", "answer", "medical", "emergency", "off_topic", "empty", "answer", "answer",
    ]
    assert [[s.path for s in r.sources] for r in many] == [[s.path for s in r.sources] for r in one]
    assert [r.lead for r in many] == [r.lead for r in one]


def test_answer_many_with_histories_matches_answer(replier):
    questions = ["how long does that take?", "how long does that take?"]
    histories = [["how do i become a CSPT"], []]
    many = replier.answer_many(questions, histories)
    assert [r.query_used for r in many] == [
        replier.answer(q, h).query_used for q, h in zip(questions, histories, strict=True)
    ]
    assert many[0].query_used == "how do i become a CSPT how long does that take?"


def test_to_json_shape(replier, career):
    data = career.to_json()
    assert list(data) == ["question", "in_scope", "answer", "sources", "latency_ms"]
    assert data["question"] == CAREER_Q
    assert data["in_scope"] is True
    assert data["answer"] == career.to_text()
    assert [s["path"] for s in data["sources"]] == [s.path for s in career.sources]
    for item in data["sources"]:
        assert list(item) == ["title", "topic", "stage", "path", "url", "score"]
    assert data["latency_ms"] > 0
    json.dumps(data)  # serializable


@pytest.mark.parametrize("question", [
    "how do i get into sterile compounding?? been retail 2 yrs",
    "how much do pharmacy techs make",
    "what happens if i miss my renewal deadline",
])
def test_sources_are_numbered_in_rank_order(replier, question):
    reply = replier.answer(question)
    scores = [s.score for s in reply.sources]
    assert [s.number for s in reply.sources] == list(range(1, len(reply.sources) + 1))
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert {p.source for p in reply.points} <= {s.number for s in reply.sources}
