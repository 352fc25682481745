"""Corrections from the fact check (issue 9), asked the way a technician would: the answer the
bot gives says what the source says, and cites it. (The CE tracker's corrections are tested in
tests/test_ce_rules.py and tests/test_ce_chat.py.)"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from bot.cli.evaluation import CitationChecker
from bot.content.states import all_documents


@pytest.fixture(scope="module")
def checker():
    return CitationChecker(all_documents([ROOT / "knowledge"]))


@pytest.mark.parametrize(("question", "must", "source"), [
    # 4. California accepts NHA's ExCPT too, except certificates earned before 1 Jan 2017
    ("does california take the nha excpt or only ptcb for a tech license",
     r"ExCPT.*(before|prior to) January 1, 2017", "pharmacy.ca.gov"),
    # 5. the NRC fetal dose limit applies to a pregnancy declared in writing
    ("im a nuclear pharmacy tech and pregnant, is there a dose limit for the baby",
     r"declare.*in writing|in writing", "nrc.gov"),
    # 8. the diploma requirement was replaced by the two pathways on 1 Jan 2020
    ("do i need a high school diploma to sit for the ptcb",
     r"January 1, 2020", "ptcb.org"),
    # 8. the CSPT renews every year
    ("how often do i renew my cspt", r"every year|yearly|annual", "ptcb"),
])
def test_the_answer_says_the_corrected_fact_and_cites_it(replier, checker, question, must,
                                                         source):
    reply = replier.answer(question)
    assert reply.kind == "answer"
    text = " ".join(p.text for p in reply.parts)
    assert re.search(must, text, re.IGNORECASE | re.DOTALL), text
    cited = [reply.sources[n - 1].url for p in reply.parts if re.search(must, p.text, re.IGNORECASE)
             for n in p.cites]
    assert any(source in url for url in cited), cited
    assert checker.problems(reply) == []


@pytest.mark.parametrize(("question", "must", "source"), [
    # BLS: the newest median in the stored sources (May 2024), not the May 2023 one
    ("how much do pharmacy techs make now, whats the newest median pay",
     r"\$43,460", r"tradecolleges\.org"),
    # Texas sterile compounding CE: the USP <797> categories, not only the old risk levels
    ("tx tech here doing sterile compounding in the iv room, how many extra ce hours do i need",
     r"Category 1, Category 2 and Category 3", r"arlok\.com|cravecompliance\.com"),
    # PTCB reinstatement: CE from the cycle or after expiration, within the year
    ("my ptcb cert expired, can ce i did after it expired count toward reinstating it",
     r"after your expiration date", r"ptcb\.zendesk\.com/hc/en-us/articles/360044126732"),
    # 2025 PREP Act / ACIP: what technicians may give now is not confirmed; ask the board
    ("can techs still give covid shots after the 2025 acip changes",
     r"state board.*PREP Act page", r"aspr\.hhs\.gov"),
    # Arkansas: registration before work, from the board's own rule
    ("do i have to register with the arkansas board before working as a tech",
     r"certificate of registration", r"studylib\.net"),
])
def test_the_updated_figures_and_rules_are_answered_with_their_sources(
        replier, checker, question, must, source):
    reply = replier.answer(question)
    assert reply.kind == "answer"
    text = " ".join(p.text for p in reply.parts)
    assert re.search(must, text, re.IGNORECASE | re.DOTALL), text
    cited = [reply.sources[n - 1].url for p in reply.parts
             if re.search(must, p.text, re.IGNORECASE | re.DOTALL) for n in p.cites]
    assert any(re.search(source, url) for url in cited), cited
    assert "$40,300" not in text or "$43,460" in text
    assert checker.problems(reply) == []
