"""The roadmap's eligibility facts (bot/career.py) and the CE rules (bot/ce_rules.py) must agree
with the knowledge base the bot answers from: every figure they state appears in a document."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from bot import career, ce_rules
from bot.knowledge import load_documents

NUMBER = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?")


@pytest.fixture(scope="module")
def knowledge_text() -> str:
    docs = load_documents([ROOT / "knowledge"])
    return "\n".join(d.body for d in docs).replace(",", "")


def figures(text: str) -> set[str]:
    """Figures worth checking: money, percentages and numbers of 2+ digits (not years)."""
    out = set()
    for raw in NUMBER.findall(text):
        value = raw.replace(",", "")
        digits = value.strip("$%")
        if value.startswith("$") or value.endswith("%") or (
            len(digits) >= 2 and not (len(digits) == 4 and digits.startswith(("19", "20")))
        ):
            out.add(value)
    return out


@pytest.mark.parametrize("path_id", sorted(career.CREDENTIAL_PATHS))
def test_roadmap_figures_appear_in_the_knowledge_base(path_id, knowledge_text):
    path = career.CREDENTIAL_PATHS[path_id]
    missing = {
        figure
        for req in career.flatten_path(path) + path.fees
        for figure in figures(req.text)
        if figure not in knowledge_text
    }
    assert not missing, f"{path_id}: figures not in any knowledge document: {sorted(missing)}"


@pytest.mark.parametrize("credential_id", sorted(ce_rules.CREDENTIALS))
def test_ce_rule_figures_appear_in_the_knowledge_base(credential_id, knowledge_text):
    cred = ce_rules.CREDENTIALS[credential_id]
    stated = f"{cred.late_fee} {cred.renewal_fee} {cred.reinstatement}"
    hours = {f"{cred.total_hours:g}", f"{cred.min_technician_hours or 0:g}"} - {"0"}
    missing = {f for f in figures(stated) | hours if f not in knowledge_text}
    assert not missing, f"{credential_id}: figures not in any knowledge document: {sorted(missing)}"


def test_the_check_covers_real_figures(knowledge_text):
    checked = {
        f for path in career.CREDENTIAL_PATHS.values()
        for req in career.flatten_path(path) + path.fees for f in figures(req.text)
    }
    assert {"500", "$129", "$149", "30", "$89"} <= checked
    assert "$1234" not in knowledge_text  # a made-up fee would be caught
