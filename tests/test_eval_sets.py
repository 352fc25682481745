"""The held-out evaluation sets written to be scored once and never tuned on.

tests/data/safety_messages_fresh3.jsonl: {"q", "class", "scope", "mixed", "lang"}, the class
one of the safety outcomes' labels. tests/data/eval_questions_fresh3.jsonl: {"q", "topic",
"style", "facts", "section", "intent", "class"}, each expected section a real heading of the
knowledge base (or a state card) and each key fact stated in it.

tests/data/eval_questions_deep.jsonl is a tuning set, not a held-out one: the same fields, with
class "deep" (110 rows asking for a fact a section states after its first 300 characters) or
"rank" (40 rows whose section is easy to confuse with a neighbouring one).

Every set in tests/data shares no message with any other set, and no eval question copies an
"asked" phrasing of a document, so a score on these files measures generalising, not recall.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.content.states import all_documents

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SAFETY = DATA / "safety_messages_fresh3.jsonl"
QUESTIONS = DATA / "eval_questions_fresh3.jsonl"
DEEP = DATA / "eval_questions_deep.jsonl"
#: Written on December 7 by a helper who saw neither the code nor the bot, about half of its
#: rows asking for a fact that its section states after its first lines; measured on both halves
#: before anything was tuned on its tune half (python -m bot eval --sections).
FRESH4 = DATA / "eval_questions_fresh4.jsonl"

SAFETY_COUNTS = {"crisis": 110, "someone_else": 45, "emergency": 20, "medical": 20,
                 "distress": 50, "negation": 25, "career": 50}
INTENTS = {"how_to", "should_i", "compare", "how_long", "how_much", "what_is", "what_to_bring",
           "eligible", "state_rules"}
CLASSES = {str(n) for n in range(1, 9)}  # the miss classes of the lead-section issue
DEEP_COUNTS = {"deep": 110, "rank": 40}


def read(path: Path, strict: bool = True) -> list[dict]:
    """The rows of a JSON-lines file; strict: each is an object with a non-empty string q."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            has_q = isinstance(row, dict) and isinstance(row.get("q"), str) and row["q"].strip()
            assert has_q or not strict, f"{path.name}:{n}: each line needs a non-empty string q"
            if has_q:
                rows.append(row)
    return rows


def norm(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def sections() -> dict[str, tuple[str, str]]:
    """'path#heading' -> (topic, section text) for every document and state card."""
    out = {}
    for doc in all_documents([ROOT / "knowledge"]):
        topic = str(getattr(doc.meta.topic, "value", doc.meta.topic))
        for section in doc.sections:
            out[f"{doc.path}#{section.heading}"] = (
                topic, "\n".join(block.text for block in section.blocks))
    return out


def test_safety_set_has_its_fields_labels_and_counts():
    rows = read(SAFETY)
    for row in rows:
        assert set(row) == {"q", "class", "scope", "mixed", "lang"}, row
        assert row["class"] in SAFETY_COUNTS and row["scope"] == row["class"], row
        assert isinstance(row["mixed"], bool) and row["lang"] == "en", row
    assert Counter(r["class"] for r in rows) == SAFETY_COUNTS
    assert sum(r["mixed"] for r in rows if r["class"] == "crisis") == 70
    assert len({norm(r["q"]) for r in rows}) == len(rows), "a message is repeated"


def check_rows_point_at_sections(rows: list[dict], sections: dict, classes) -> None:
    """Each row's fields and labels, every expected section exists, the first one's topic is
    the row's, and the sections state each of its facts; every intent and topic is asked."""
    for row in rows:
        assert set(row) == {"q", "topic", "style", "facts", "section", "intent", "class"}, row
        assert row["intent"] in INTENTS and row["class"] in classes, row
        assert row["style"] in ("forum", "plain"), row
        expected = [row["section"]] if isinstance(row["section"], str) else row["section"]
        assert expected and all(s in sections for s in expected), f"no such section: {row}"
        assert len(set(expected)) == len(expected), row
        assert sections[expected[0]][0] == row["topic"], f"topic is not the section's: {row}"
        text = "\n".join(sections[s][1] for s in expected)
        assert row["facts"], row
        for fact in row["facts"]:
            assert re.search(fact, text, re.IGNORECASE), f"{fact!r} not stated in {expected}"
    assert {r["intent"] for r in rows} == INTENTS
    assert {r["topic"] for r in rows} == {t for t, _ in sections.values()} - {""}


def check_mostly_short_slangy_and_says_tech(rows: list[dict], short_at_least: int) -> None:
    short = [r["q"] for r in rows if len(r["q"].split()) <= 8]
    assert len(short) >= short_at_least
    for q in short:
        assert q == q.lower() and "pharmacy technician" not in q, q
    assert sum(re.search(r"\btechs?\b", q) is not None for q in short) >= 30


def test_eval_set_rows_point_at_real_sections_that_state_their_facts(sections):
    rows = read(QUESTIONS)
    assert len(rows) == 100
    check_rows_point_at_sections(rows, sections, CLASSES)


def test_eval_set_is_mostly_short_slangy_and_says_tech():
    check_mostly_short_slangy_and_says_tech(read(QUESTIONS), 60)


def test_fourth_fresh_set_rows_point_at_real_sections_that_state_their_facts(sections):
    rows = read(FRESH4)
    assert len(rows) == 120
    check_rows_point_at_sections(rows, sections, CLASSES)
    check_mostly_short_slangy_and_says_tech(rows, 70)


def test_deep_set_rows_point_at_real_sections_that_state_their_facts(sections):
    rows = read(DEEP)
    assert Counter(r["class"] for r in rows) == DEEP_COUNTS
    check_rows_point_at_sections(rows, sections, DEEP_COUNTS)
    assert all(len(r["facts"]) <= 2 for r in rows)
    lead = Counter(r["section"] if isinstance(r["section"], str) else r["section"][0]
                   for r in rows if r["class"] == "deep")
    assert len(lead) >= 50 and max(lead.values()) <= 3, lead.most_common(3)


def test_deep_set_is_mostly_short_slangy_and_says_tech():
    check_mostly_short_slangy_and_says_tech(read(DEEP), 90)


def test_eval_questions_copy_no_asked_phrasing():
    asked = {norm(p) for doc in all_documents([ROOT / "knowledge"])
             for phrasings in doc.meta.asked.values() for p in phrasings}
    copied = [r["q"] for path in (QUESTIONS, DEEP, FRESH4) for r in read(path)
              if norm(r["q"]) in asked]
    assert copied == []


def test_these_sets_share_no_row_with_any_other_set():
    """A message of these files is in no other file of tests/data (case and spacing aside)."""
    ours = {path.name: {norm(r["q"]) for r in read(path)}
            for path in (SAFETY, QUESTIONS, DEEP, FRESH4)}
    shared = []
    for path in sorted(DATA.glob("*.jsonl")):
        theirs = {norm(r["q"]) for r in read(path, strict=False)}
        for name, qs in ours.items():
            if path.name != name:
                shared.extend((name, path.name, q) for q in sorted(qs & theirs))
    assert shared == []
