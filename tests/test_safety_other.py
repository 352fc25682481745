"""Someone else in crisis, and denials: a coworker, a patient, a friend who says they want to
die or took pills on purpose gets the how-to-help reply before any career content; "i'm not
suicidal, just tired of retail" (the writer's own denial, or one reported of someone else) gets
the answer and the gentle line; a career question that names someone else with heavy words ("a
patient died on my shift") gets the answer.

tests/data/safety_messages_en_other.jsonl is this work's own labelled set (reported by
``python -m bot eval --safety`` per half like the others). The messages below are written for
this test; they are in neither the example bank nor any evaluation set.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.answers.scope import SAFETY_EXAMPLES_FILE
from bot.cli.evaluation import EXPECTED_SAFETY
from bot.content.split import half

DATA = Path(__file__).parent / "data"
OWN = DATA / "safety_messages_en_other.jsonl"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def test_own_set_shares_no_row_with_any_other_set_or_the_example_bank():
    ours = [_key(r["q"]) for r in _rows(OWN)]
    assert len(ours) == len(set(ours))
    others = {_key(r["q"]) for path in DATA.glob("*.jsonl") if path != OWN
              for r in _rows(path) if "q" in r}
    others |= {_key(r["q"]) for r in _rows(SAFETY_EXAMPLES_FILE)}
    assert not others & set(ours), sorted(others & set(ours))


def test_own_set_is_big_and_labelled_by_class():
    rows = _rows(OWN)
    assert len(rows) >= 250
    assert all(r["class"] in EXPECTED_SAFETY and r["q"] == r["q"].strip() for r in rows)
    by_class = {c: sum(r["class"] == c for r in rows) for c in EXPECTED_SAFETY}
    assert by_class["someone_else"] >= 120
    assert by_class["negation"] >= 60 and by_class["career"] >= 60
    assert {half(r["q"]) for r in rows} == {"tune", "held-out"}
