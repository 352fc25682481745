"""The roadmap's eligibility facts (bot/career/data/) and the CE rules (bot/ce/data/) must agree
with the knowledge base the bot answers from. (The CE rule files also name, for each figure,
the knowledge section that states it, and loading them checks that: tests/test_ce_data.py.
The checks here are independent of those names: by source.)

Every figure a rule states must appear as a whole number (not inside a year such as 2025, a
longer number, a decimal or a code such as a UAN) in the knowledge documents that cite the
rule's own source: a document whose front matter lists the same URL, or a page under it when
the rule cites a site or a help center as a whole. CE rules are checked more closely: their
figures must stand in a paragraph or list item that cites one of the credential's sources,
because a credential's hours are easily "found" in a sentence about another credential
(the CPhT-Adv's 25 hours sit beside the CPhT's 20 in the same documents).
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from bot.career import model as career
from bot.ce import credentials as ce_credentials
from bot.ce import model as ce_model
from bot.content.documents import Document, load_documents

NUMBER = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?")
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return load_documents([ROOT / "knowledge"])


def figures(text: str) -> set[str]:
    """Figures worth checking: money, percentages and numbers of 2+ digits (not years)."""
    out = set()
    for raw in NUMBER.findall(THOUSANDS.sub("", text)):
        value = raw.rstrip(",")
        digits = value.strip("$%")
        if value.startswith("$") or value.endswith("%") or (
            len(digits.replace(".", "")) >= 2
            and not (len(digits) == 4 and digits.startswith(("19", "20")))
        ):
            out.add(value)
    return out


def states(figure: str, text: str) -> bool:
    """Whether ``text`` states ``figure`` as a whole number: "20 hours" states 20, while
    "2025", "$20", "20%", "1.20", "120" and "0009-0000-20-005-H05-T" do not."""
    before = r"(?<![\w$])" if figure.startswith("$") else r"(?<![\w$.])(?<!\d-)"
    pattern = before + re.escape(figure) + r"(?![\w%]|[.,]\d|-\d)"
    return re.search(pattern, THOUSANDS.sub("", text)) is not None


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").lower()


def cites(rule_url: str, document_url: str) -> bool:
    """The same page, or a page under the site or help center a rule cites as a whole."""
    rule, page = _url_key(rule_url), _url_key(document_url)
    return page == rule or page.startswith((rule + "/", rule + "?"))


def documents_citing(documents: list[Document], urls: list[str]) -> list[Document]:
    return [d for d in documents
            if any(cites(url, s.url) for url in urls for s in d.meta.sources)]


def passages_citing(documents: list[Document], urls: list[str]) -> list[str]:
    """Paragraphs and list items whose own citation markers name one of ``urls``."""
    return [
        block.text
        for d in documents for section in d.sections for block in section.blocks
        if any(cites(url, d.source(c).url) for url in urls for c in block.cites)
    ]


def missing_figures(stated: str, texts: list[str]) -> set[str]:
    return {f for f in figures(stated) if not any(states(f, t) for t in texts)}


@pytest.mark.parametrize("path_id", sorted(career.CREDENTIAL_PATHS))
def test_roadmap_figures_appear_in_the_documents_their_source_backs(path_id, documents):
    path = career.CREDENTIAL_PATHS[path_id]
    problems = []
    for req in career.flatten_path(path) + path.fees:
        if not figures(req.text):
            continue
        cited = documents_citing(documents, [req.source.url])
        if not cited:
            problems.append(f"no knowledge document cites {req.source.url} ({req.text!r})")
            continue
        missing = missing_figures(req.text, [d.body for d in cited])
        if missing:
            problems.append(f"{sorted(missing)} of {req.text!r} not in "
                            f"{[d.path for d in cited]}")
    assert not problems, f"{path_id}:\n" + "\n".join(problems)


def stated_figures(cred: ce_model.Credential) -> str:
    hours = [cred.total_hours, cred.min_technician_hours or 0]
    return " ".join([cred.late_fee, cred.renewal_fee, cred.reinstatement,
                     *(f"{h:g} hours" for h in hours if h >= 10)])


@pytest.mark.parametrize("credential_id", sorted(ce_credentials.CREDENTIALS))
def test_ce_rule_figures_appear_in_passages_citing_the_credentials_sources(
        credential_id, documents):
    cred = ce_credentials.CREDENTIALS[credential_id]
    passages = passages_citing(documents, [s.url for s in cred.sources])
    assert passages, f"{credential_id}: no knowledge passage cites any of its sources"
    missing = missing_figures(stated_figures(cred), passages)
    assert not missing, f"{credential_id}: figures in no passage citing its sources: {missing}"


def test_whole_numbers_only():
    assert states("20", "PTCB requires 20 hours of CE") and states("20", "a 20-hour rule")
    for text in ("in 2025", "$20 fee", "20% of items", "1.20 units", "120 questions",
                 "UAN 0009-0000-20-005-H05-T", "20.5 hours"):
        assert not states("20", text), text
    assert states("1200", "about 1,200 hours") and states("$129", "($129 in total)")
    assert not states("$12", "$129") and not states("25", "$25 late fee")
    assert figures("20 hours by 2025 for $55 (75%), 1,200 hours or 1.5 hours") == {
        "20", "$55", "75%", "1200", "1.5"}


def test_the_check_covers_real_figures(documents):
    checked = {
        f for path in career.CREDENTIAL_PATHS.values()
        for req in career.flatten_path(path) + path.fees for f in figures(req.text)
    }
    assert {"500", "$129", "$149", "30", "$89"} <= checked
    ptcb = ce_credentials.CREDENTIALS["ptcb-cpht"]
    assert {"20", "15", "$95", "$55"} <= figures(stated_figures(ptcb))
    # 25 hours are stated in the same documents, for the CPhT-Adv, but in no passage citing
    # the CPhT's sources: a CPhT rule saying 25 would be caught
    cpht_docs = documents_citing(documents, [s.url for s in ptcb.sources])
    assert any(states("25", d.body) for d in cpht_docs)
    assert missing_figures("25 hours", passages_citing(documents,
                                                       [s.url for s in ptcb.sources]))
    assert not any("$1234" in d.body for d in documents)  # a made-up fee would be caught


# --- issue 9: current figures and the corrections to them ------------------------------------

SUPERSEDED_BLS = {"$40,300": ("$43,460", "May 2024"), "$19.37": ("$43,460", "May 2024"),
                  "463,900": ("490,400", "2024"), "47,400": ("49,000", "2024")}


def _section(documents: list[Document], path: str, heading: str):
    doc = next(d for d in documents if d.path == path)
    return doc, next(s for s in doc.sections if s.heading == heading)


def _section_text(section) -> str:
    return " ".join(b.text for b in section.blocks)


def test_no_document_quotes_the_superseded_bls_figures_as_current(documents):
    """The May 2023 BLS edition ($40,300 median, 463,900 jobs) is superseded by the May 2024
    figures ($43,460, 490,400 jobs); an older figure may appear only dated to its edition and
    beside the newer one."""
    problems, newest = [], 0
    for d in documents:
        newest += "$43,460" in d.body
        for section in d.sections:
            text = _section_text(section)
            for block in section.blocks:
                for old, (new, year) in SUPERSEDED_BLS.items():
                    if old not in block.text:
                        continue
                    if "2023" not in block.text:
                        problems.append(f"{d.path}: {old} without its 2023 date")
                    if new not in text or year not in text:
                        problems.append(f"{d.path} / {section.heading}: {old} without {new}")
    assert not problems, "\n".join(problems)
    assert newest >= 3  # the pay document, the job overview and the raise document


def test_the_median_pay_answer_opens_with_the_newest_figure(documents):
    doc, section = _section(documents, "pay_outlook/pay-and-job-outlook.md",
                            "How much do pharmacy technicians make (median pay)?")
    first, second = section.blocks[0], section.blocks[1]
    assert "$43,460" in first.text and "$40,300" not in first.text
    assert "May 2024" in first.text and "bls.gov" in first.text
    assert {doc.source(c).url for c in first.cites} == {
        "https://tradecolleges.org/careers/pharmacy-technicians"}
    assert doc.source("tradecolleges-2024").reliability == "3rd-party"  # and it says so
    assert "third-party" in first.text
    # the superseded official figure follows, as the previous edition
    assert "$40,300" in second.text and "previous edition" in second.text
    assert {doc.source(c).url for c in second.cites} == {
        "https://www.bls.gov/ooh/healthcare/pharmacy-technicians.htm"}


def test_the_job_outlook_answer_gives_the_2024_34_projection(documents):
    _, section = _section(documents, "pay_outlook/pay-and-job-outlook.md",
                          "How many pharmacy technician jobs are there, and is the field growing?")
    first = section.blocks[0].text
    assert "2024 to 2034" in first and "6.4%" in first and "49,000" in first


def test_texas_sterile_compounding_ce_names_the_usp_797_categories(documents):
    doc, section = _section(documents, "ce_renewal/texas-technician-ce-and-renewal.md",
                            "Do Texas sterile compounding technicians need extra CE?")
    text = _section_text(section)
    for name in ("Category 1", "Category 2", "Category 3", "USP <797>", "§291.133"):
        assert name in text, name
    # the old risk levels appear only as the old wording, next to the categories
    for block in section.blocks:
        if re.search(r"low-|medium-|high-risk", block.text):
            assert "old USP <797>" in block.text or "Category" in block.text, block.text
    assert "not confirmed" in section.blocks[0].text
    cited = {doc.source(c).url for b in section.blocks for c in b.cites}
    assert "https://www.arlok.com/news/USPUpdates" in cited  # official since Nov 1, 2023
    # no other document or state record presents Texas risk levels as the rule
    for d in documents:
        for s in d.sections:
            for b in s.blocks:
                if "Texas" in b.text and re.search(r"(low|medium|high)-risk", b.text):
                    assert "Category" in _section_text(s), f"{d.path}: {b.text[:80]}"
    tx = (ROOT / "states" / "TX.yaml").read_text(encoding="utf-8")
    assert not re.search(r"(low|medium|high)-risk", tx)


def test_ptcb_reinstatement_ce_window_is_stated_with_ptcb_sources(documents):
    returned_ce = ("https://ptcb.zendesk.com/hc/en-us/articles/360044126732-My-renewal-"
                   "application-was-returned-Can-I-still-complete-the-required-CEs")
    doc, section = _section(documents, "ce_renewal/ptcb-deadlines-reinstatement-audits.md",
                            "What happens if my PTCB CPhT expires?")
    block = next(b for b in section.blocks if "after your expiration date" in b.text)
    assert "last recertification cycle" in block.text and "one year" in block.text
    assert returned_ce in {doc.source(c).url for c in block.cites}
    assert all(doc.source(c).reliability == "official" for c in block.cites)
    doc, section = _section(documents, "ce_renewal/ptcb-cpht-renewal-ce-rules.md",
                            "When must CE hours be earned for PTCB CPhT renewal?")
    assert "reinstatement" in section.blocks[0].text
    assert returned_ce in {doc.source(c).url for c in section.blocks[0].cites}


def test_ptce_retake_figures_are_marked_unconfirmed(documents):
    """PTCB's own retake page is not in our sources: every passage giving PTCE waiting periods
    says they are not confirmed and points to PTCB's Candidate Guidebook."""
    found = 0
    for d in documents:
        for s in d.sections:
            for b in s.blocks:
                if "180 days" in b.text and "60 days" in b.text:
                    found += 1
                    text = _section_text(s)
                    assert "not confirmed" in text, d.path
                    assert "ptcb.org/guidebook" in text, d.path
                    cited = {d.source(c).url for blk in s.blocks for c in blk.cites}
                    assert "https://www.ptcb.org/guidebook/" in cited, d.path
    assert found >= 2


def test_the_2025_prep_act_and_acip_changes_are_sourced_and_flagged(documents):
    doc, changes = _section(documents, "pay_outlook/expanding-technician-roles.md",
                            "What changed in 2025 for pharmacy technicians who give vaccines?")
    text = _section_text(changes)
    for fact in ("June 9, 2025", "September 19, 2025", "December 31, 2029", "26 states"):
        assert fact in text, fact
    _, still = _section(
        documents, "pay_outlook/expanding-technician-roles.md",
        "Can pharmacy technicians still give COVID-19 and flu shots after the 2025 ACIP changes?")
    assert still.blocks[0].text.startswith("Not confirmed")
    last = still.blocks[-1]
    assert "state board" in last.text
    assert "https://aspr.hhs.gov/legal/PREPact/Pages/default.aspx" in {
        doc.source(c).url for c in last.cites}


def test_arkansas_core_requirement_is_from_the_board_rule():
    from bot.content.states import load_states

    records = load_states()
    arkansas = records["AR"]
    assert arkansas.source(arkansas.credential.source).reliability == "official"
    official = [c for c, r in records.items()
                if r.credential.value is not None
                and r.source(r.credential.source).reliability == "official"]
    assert len(official) >= 35
