"""The roadmap's eligibility facts (bot/career.py) and the CE rules (bot/ce_rules.py) must agree
with the knowledge base the bot answers from.

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

from bot import career, ce_rules
from bot.knowledge import Document, load_documents

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


def stated_figures(cred: ce_rules.Credential) -> str:
    hours = [cred.total_hours, cred.min_technician_hours or 0]
    return " ".join([cred.late_fee, cred.renewal_fee, cred.reinstatement,
                     *(f"{h:g} hours" for h in hours if h >= 10)])


@pytest.mark.parametrize("credential_id", sorted(ce_rules.CREDENTIALS))
def test_ce_rule_figures_appear_in_passages_citing_the_credentials_sources(
        credential_id, documents):
    cred = ce_rules.CREDENTIALS[credential_id]
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
    ptcb = ce_rules.CREDENTIALS["ptcb-cpht"]
    assert {"20", "15", "$95", "$55"} <= figures(stated_figures(ptcb))
    # 25 hours are stated in the same documents, for the CPhT-Adv, but in no passage citing
    # the CPhT's sources: a CPhT rule saying 25 would be caught
    cpht_docs = documents_citing(documents, [s.url for s in ptcb.sources])
    assert any(states("25", d.body) for d in cpht_docs)
    assert missing_figures("25 hours", passages_citing(documents,
                                                       [s.url for s in ptcb.sources]))
    assert not any("$1234" in d.body for d in documents)  # a made-up fee would be caught
