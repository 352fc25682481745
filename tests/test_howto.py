"""Everyday "how do i ..." and "how long ..." questions open with the knowledge base's
step-by-step section for that journey (issue 22), with the asked-for fact up front and the
whole list of steps in the reply.

The phrasings here are written for these tests, not taken from the eval sets or from the
documents' own "asked" lists."""

from __future__ import annotations

import pytest

STEPS = "start/stage-1-foundation.md#How do I become a pharmacy technician, step by step?"
HOW_LONG = "start/stage-1-foundation.md#How long does it take to become a pharmacy technician?"
RETAIL = ("settings/moving-from-retail-to-hospital.md"
          "#How do I move from a retail pharmacy job to a hospital pharmacy job?")
LEAD = "leadership/lead-technician-and-supervisor.md#How do I become a lead pharmacy technician?"


@pytest.mark.parametrize(("question", "section", "facts"), [
    ("how do u become a pharmacy technician", STEPS, ["PTCE", "ExCPT", "2 years"]),
    ("what steps do i take to become a pharmacy tech", STEPS, ["PTCE", "state"]),
    ("how long does it take to get certified as a tech from nothing", HOW_LONG,
     ["a year or less", "500 hours", "90 days"]),
    ("how long does pharm tech training take", HOW_LONG, ["a year or less"]),
    ("im at walgreens how do i get a hospital tech job", RETAIL, ["certified", "retail"]),
    ("how to transfer from a retail tech job to hosp", RETAIL, ["certified"]),
    ("how can i get promoted to lead pharmacy tech", LEAD, ["1,000 hours"]),
    ("want to be lead tech at my store what do i do", LEAD, ["1,000 hours"]),
])
def test_how_to_questions_open_with_the_steps(replier, question, section, facts):
    reply = replier.answer(question)
    assert reply.kind == "answer"
    assert reply.parts[0].section == section
    opening = reply.to_text()[:300]
    for fact in facts:
        assert fact in opening, (fact, opening)


def test_the_whole_list_of_steps_is_shown(replier):
    """The step-by-step section is short enough that the reply keeps every step, from the
    basic requirements to renewal."""
    text = replier.answer("how do i get started as a pharm tech").to_text()
    assert "Meet the basics" in text
    assert "Renew every 2 years" in text


def test_a_section_found_only_by_its_words_keeps_the_lead(replier):
    """The program-length answer is found by BM25 alone once the new sections fill the
    closest chunks by meaning; it scores by its own cosine, not 0, and still leads."""
    reply = replier.answer("does ptcb require a minimum program length")
    assert reply.parts[0].section.startswith('start/training-routes.md#What do "accredited"')
