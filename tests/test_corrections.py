"""Corrections from the fact check (issue 9), asked the way a technician would: the answer the
bot gives says what the source says, and cites it. (The CE tracker's corrections are tested in
tests/test_ce_rules.py and tests/test_ce_chat.py.)"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from bot.cli.evaluation import CitationChecker
from bot.content.documents import load_documents
from bot.content.states import all_documents, card_lines, load_states


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


# --- issue 22: corrections from the fact audit against stored official pages -----------------
# These read the knowledge documents and the state records directly (no retrieval), and each
# fails on the figure the audit found wrong.

FL_RULE_URL = "flrules.elaws.us/fac/64b16-26.351"
PTCB_REFUND_URL = "ptcb.zendesk.com/hc/en-us/articles/16138486529421"


@pytest.fixture(scope="module")
def documents():
    return load_documents([ROOT / "knowledge"])


@pytest.fixture(scope="module")
def records():
    return load_states()


def _blocks(documents, path: str | None = None):
    """(document, block) for every paragraph and list item, of one document or all."""
    return [(d, b) for d in documents if path is None or d.path == path
            for s in d.sections for b in s.blocks]


def _cited_urls(doc, block) -> set[str]:
    return {doc.source(c).url for c in block.cites}


@pytest.mark.parametrize("path", ["start/choosing-a-training-program.md",
                                  "registration/registration-licensure-certification.md"])
def test_florida_training_is_the_2019_rule_not_the_2011_text(documents, path):
    florida = [(d, b) for d, b in _blocks(documents, path) if "Florida" in b.text]
    assert florida, path
    for doc, block in florida:
        assert not re.search(r"\b160\b|6 months|January 1, 2011", block.text), block.text
    rule = [(d, b) for d, b in florida if "64B16-26.351" in b.text]
    assert rule, path
    for doc, block in rule:
        assert "December 1, 2018" in block.text and "Secretary of Education" in block.text
        assert "armed-services" in block.text and "public-school" in block.text
        assert any(FL_RULE_URL in u for u in _cited_urls(doc, block)), block.cites
        assert all(doc.source(c).reliability == "official" for c in block.cites)


def test_florida_state_record_gives_the_2019_rule(records):
    fl = records["FL"]
    text = str(fl.training.value)
    assert not re.search(r"\b160\b|6 months", text), text
    assert "December 1, 2018" in text and "64B16-26.351" in text
    source = fl.source(fl.training.source)
    assert FL_RULE_URL in source.url and source.reliability == "official"
    assert "2019" in source.as_of


def test_ptcb_withdrawal_fee_is_50_dollars_everywhere(documents):
    fee_passages = [(d, b) for d, b in _blocks(documents)
                    if re.search(r"administrative fee", b.text, re.IGNORECASE)]
    assert fee_passages
    for doc, block in fee_passages:
        assert "$25" not in block.text, (doc.path, block.text)
        assert "$50" in block.text, (doc.path, block.text)
    refund = [(d, b) for d, b in _blocks(documents, "start/choosing-a-training-program.md")
              if "withdraw" in b.text and "$50" in b.text]
    assert refund and all("$79" in b.text and "$129" in b.text for _, b in refund)
    assert all(any(PTCB_REFUND_URL in u for u in _cited_urls(d, b)) for d, b in refund)


def test_ptcb_withdrawal_fee_is_not_25_dollars_in_bot_data():
    for folder in ("bot/ce/data", "bot/content", "bot/career/data"):
        for file in (ROOT / folder).rglob("*"):
            if file.suffix in {".yaml", ".yml", ".py", ".md"}:
                text = file.read_text(encoding="utf-8")
                assert not re.search(r"\$25 admin", text, re.IGNORECASE), file


def test_washington_renewal_is_20_ce_hours_every_two_years(records):
    wa = records["WA"]
    assert (wa.renewal.cycle_months, wa.renewal.ce_hours) == (24, 20)
    source = wa.source(wa.renewal.source)
    assert "23-05-010" in source.url and source.reliability == "official"
    assert "ACPE-accredited" in wa.renewal.note and "December 1, 2021" in wa.renewal.note
    renewal = next(line for line, _ in card_lines(wa) if "renews" in line)
    assert "every 2 years with 20 hours" in renewal, renewal


def test_california_cancellation_window_gives_both_board_figures(documents):
    doc = next(d for d in documents
               if d.path == "registration/registration-licensure-certification.md")
    windows = [b for _, b in _blocks([doc]) if "cancel" in b.text]
    assert len(windows) == 1, [b.text for b in windows]
    block = windows[0]
    assert re.search(r"\b90 days\b", block.text) and re.search(r"\b60 days\b", block.text)
    urls = _cited_urls(doc, block)
    assert any("pharmacy.ca.gov" in u for u in urls), urls  # the board's page: 90 days
    assert any("Renewal-Application" in u for u in urls), urls  # the board's form: 60 days


def test_california_2026_ratio_is_not_stated_as_confirmed(records, documents):
    ca = records["CA"]
    assert ca.ratio.value is None  # only a third-party site gives it
    assert ca.source(ca.ratio.source).reliability == "3rd-party"
    assert "not confirmed" in ca.ratio.note
    ratio = next(line for line, _ in card_lines(ca) if line.startswith("Pharmacist-to-tech"))
    assert "not confirmed" in ratio and "1 pharmacist : 3" not in ratio
    for doc, block in _blocks(documents):
        if "California" in block.text:
            assert not re.search(r"1\s*:\s*3|three technicians", block.text), doc.path


def test_new_jersey_renewal_cites_the_renewal_section(records):
    nj = records["NJ"]
    source = nj.source(nj.renewal.source)
    assert "13:39-6.13" in source.title and "renewal" in source.title.lower()
    assert "reactivation" not in (source.title + source.url).lower()
    assert "6-14" not in source.url and "614" not in source.url


def test_wisconsin_renewal_is_june_1_of_even_years(records):
    wi = records["WI"]
    assert wi.renewal.cycle_months == 24
    assert "June 1 of each even-numbered year" in wi.renewal.note
    source = wi.source(wi.renewal.source)
    assert source.reliability == "official" and "legis.wisconsin.gov" in source.url


def test_acpe_topic_07_is_marked_unconfirmed(documents):
    passages = [(d, b) for d, b in _blocks(documents) if re.search(r"\b07\b", b.text)
                and re.search(r"designator|topic", b.text, re.IGNORECASE)]
    assert passages
    for doc, block in passages:
        assert "not confirmed" in block.text, (doc.path, block.text)
        assert not re.search(r"07 (is|for|means) compounding", block.text), block.text


@pytest.mark.parametrize(("question", "must", "source"), [
    ("how many ce hours does a washington tech need to renew",
     r"20 hours", r"23-05-010"),
    ("does florida accept any pharmacy tech program for registration",
     r"December 1, 2018", r"64b16-26\.351"),
])
def test_the_audited_state_rules_are_answered_with_their_sources(replier, checker, question,
                                                                 must, source):
    reply = replier.answer(question)
    assert reply.kind == "answer"
    text = " ".join(p.text for p in reply.parts)
    assert re.search(must, text), text
    assert not re.search(r"\b160 hours\b|10 hours a year", text), text
    cited = [reply.sources[n - 1].url for p in reply.parts if re.search(must, p.text)
             for n in p.cites]
    assert any(re.search(source, url) for url in cited), cited
    assert checker.problems(reply) == []
