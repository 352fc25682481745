"""Retrieval and scope quality on tests/data/eval_questions.jsonl, and `python -m bot eval`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT

from bot.evaluation import OUT_OF_SCOPE, EvalResult, evaluate, load_questions
from bot.knowledge import TOPICS

QUESTIONS = ROOT / "tests" / "data" / "eval_questions.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module")
def result(replier, rows) -> EvalResult:
    return evaluate(replier, rows)


def test_question_file_covers_every_topic(rows):
    counts = Counter(r["topic"] for r in rows)
    assert set(counts) == {*TOPICS, OUT_OF_SCOPE}
    assert sum(n for t, n in counts.items() if t != OUT_OF_SCOPE) >= 100
    assert counts[OUT_OF_SCOPE] >= 15
    assert min(counts[t] for t in TOPICS) >= 5
    # no question asked twice
    assert len({r["q"].strip().lower() for r in rows}) == len(rows)


def test_load_questions_rejects_a_bad_line(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"q": "fine", "topic": "start"}\n\n{"q": "no topic"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl:3: each line needs string fields q and topic"):
        load_questions(bad)


def test_counts(result, rows):
    counts = Counter(r["topic"] == OUT_OF_SCOPE for r in rows)
    assert (result.n_in_scope, result.n_out_of_scope) == (counts[False], counts[True])
    assert set(result.per_topic_hit3) == set(TOPICS)


def test_retrieval_hit_at_3(result):
    assert result.hit3 >= 0.90, result.report()
    assert result.hit1 <= result.hit3
    assert result.hit1 <= result.mrr <= 1.0


def test_out_of_scope_recall(result):
    assert result.oos_recall >= 0.90, result.report()


def test_false_refusals(result):
    assert result.false_refusals <= 0.05, result.report()


def test_every_topic_is_found(result):
    weak = {t: v for t, v in result.per_topic_hit3.items() if v < 0.7}
    assert weak == {}, result.report()


def test_eval_command_prints_the_report(store_settings, result):
    env = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_PATH"}
    env.update(
        CHROMA_PATH=str(store_settings.chroma_path), TELEGRAM_BOT_TOKEN="", HF_HUB_OFFLINE="1"
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "eval"], check=False, cwd=ROOT, env=env, capture_output=True,
        text=True, encoding="utf-8", timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"in-scope questions: {result.n_in_scope}, out-of-scope: {result.n_out_of_scope}" in out
    match = re.search(r"hit@1 (\d\.\d{3})  hit@3 (\d\.\d{3})  MRR (\d\.\d{3})", out)
    assert match, out
    assert [float(x) for x in match.groups()] == [
        round(result.hit1, 3), round(result.hit3, 3), round(result.mrr, 3)
    ]
    match = re.search(r"out-of-scope recall (\d\.\d{3})  in-scope false refusals (\d\.\d{3})", out)
    assert match, out
    assert [float(x) for x in match.groups()] == [
        round(result.oos_recall, 3), round(result.false_refusals, 3)
    ]
    assert "per-topic hit@3:" in out
    for topic, value in result.per_topic_hit3.items():
        assert re.search(rf"^  {topic}\s+{value:.3f}$", out, re.MULTILINE), topic
    assert "misses:" not in out  # only with --verbose
