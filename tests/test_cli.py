"""The command line, run as `python -m bot ...` subprocesses against the session store.

Each subprocess that answers questions loads the model (~5 s), so those few are started
together once per module and their results shared.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

from bot.answers import templates

JSON_Q = "how many CE hours do i need to renew my CPhT"
TEXT_Q = "how do i get into sterile compounding?? been retail 2 yrs"
LONG_Q = ("how do i renew my cpht after it expired? " * 250)[:10_000]
STDIN_QS = [
    "what is the passing score for the PTCE",
    "can i take my lisinopril with advil",
    LONG_Q,
    "quiero suicidarme",
    "como puedo ser tecnico de farmacia certificado",
]


def _env(chroma_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CHROMA_PATH", "KNOWLEDGE_PATH")}
    env.update(
        CHROMA_PATH=str(chroma_path), TELEGRAM_BOT_TOKEN="", HF_HUB_OFFLINE="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


def _start(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT, env=env, text=True, encoding="utf-8",
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    proc.input_text = stdin or ""
    return proc


def _finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = proc.communicate(proc.input_text, timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def runs(store_settings) -> dict[str, subprocess.CompletedProcess]:
    env = _env(store_settings.chroma_path)
    jobs = {
        "text": (["ask", TEXT_Q], None),
        "json": (["ask", "--json", JSON_Q], None),
        "stdin": (["ask", "--json", "-"], "\n".join(STDIN_QS) + "\n"),
        "empty": (["ask", "--json", ""], None),
    }
    started = {name: _start(args, env, stdin) for name, (args, stdin) in jobs.items()}
    return {name: _finish(proc) for name, proc in started.items()}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], check=False, cwd=ROOT, env=env, capture_output=True,
        text=True, encoding="utf-8", timeout=120,
    )


def test_ask_prints_the_reply_with_sources(runs, replier):
    done = runs["text"]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    expected = replier.answer(TEXT_Q)
    assert done.stdout == expected.to_text() + "\n"
    assert "\n\nSources:\n[1] " in done.stdout


def test_ask_json_prints_one_object(runs, replier):
    done = runs["json"]
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert list(data) == [
        "question", "kind", "in_scope", "answer", "parts", "sources", "followups", "safety",
        "lang", "latency_ms",
    ]
    assert data["safety"] == "none" and data["lang"] == "en"
    assert data["question"] == JSON_Q
    assert data["kind"] == "answer" and data["in_scope"] is True
    assert isinstance(data["latency_ms"], (int, float)) and data["latency_ms"] > 0
    assert "20 hours" in data["answer"]
    # parts in display order, each citing sources by number
    assert data["parts"][0]["role"] == "lead"
    for part in data["parts"]:
        assert list(part) == ["role", "text", "section", "topic", "cites", "item"]
        assert part["cites"] and set(part["cites"]) <= {s["n"] for s in data["sources"]}
        assert f"{part['text']} " + "".join(f"[{n}]" for n in part["cites"]) in data["answer"]
    # sources: the cited ones, numbered in order of first appearance
    first_seen = list(dict.fromkeys(n for p in data["parts"] for n in p["cites"]))
    assert [s["n"] for s in data["sources"]] == first_seen == list(
        range(1, len(data["sources"]) + 1))
    for src in data["sources"]:
        assert list(src) == ["n", "title", "url", "as_of", "topic", "path"]
        assert src["url"].startswith(("http://", "https://"))
    listing = data["answer"].split("Sources:\n", 1)[1].splitlines()
    assert listing == [
        f"[{s['n']}] {s['title']} ({s['as_of']}) — {s['url']}" for s in data["sources"]
    ]
    expected = replier.answer(JSON_Q)
    assert data["answer"] == expected.to_text()


def test_ask_json_from_stdin_prints_one_line_per_question(runs):
    done = runs["stdin"]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 5
    assert done.stdout.endswith("\n") and done.stdout.count("\n") == 5
    rows = [json.loads(line) for line in lines]
    assert [r["question"] for r in rows] == STDIN_QS
    assert [r["in_scope"] for r in rows] == [True, False, True, False, True]
    # Spanish: the crisis reply in Spanish, 988 first; a career question never "off_topic"
    assert (rows[3]["kind"], rows[3]["safety"], rows[3]["lang"]) == ("crisis", "crisis", "es")
    assert rows[3]["answer"] == templates.CRISIS_REPLY_ES
    assert (rows[4]["kind"], rows[4]["lang"]) == ("language", "es")
    assert "1,400" in rows[0]["answer"]
    assert rows[1]["answer"] == templates.MEDICATION_REDIRECT and rows[1]["sources"] == []
    # the 10,000-character question is answered from its first part
    assert templates.LONG_QUESTION_NOTE in rows[2]["answer"]
    assert rows[2]["sources"]


def test_ask_json_with_an_empty_question(runs):
    done = runs["empty"]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stdout.splitlines()
    data = json.loads(line)
    latency = data.pop("latency_ms")
    # a measured duration: a JSON number, never negative, and (no model call for an empty
    # question) less than the same command took for a real question
    assert type(latency) in (int, float) and latency >= 0, latency
    real = json.loads(runs["json"].stdout.splitlines()[0])["latency_ms"]
    assert latency < real, (latency, real)
    assert data == {
        "question": "",
        "kind": "empty",
        "in_scope": True,
        "answer": templates.EMPTY_QUESTION,
        "parts": [],
        "sources": [],
        "followups": [],
        "safety": "none",
        "lang": "en",
    }


def test_no_store_exits_2_and_says_how_to_build_it(tmp_path):
    done = _run(["ask", "how do i renew my cpht"], _env(tmp_path / "empty"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "python ingest.py" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_token_explains_how_to_set_it(tmp_path):
    # polling mode without a token runs the local chat page (tests/test_local_*.py); webhook
    # mode needs Telegram
    done = _run([], {**_env(tmp_path / "empty"), "BOT_MODE": "webhook"})
    assert done.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in done.stderr
    assert re.search(r"TELEGRAM_BOT_TOKEN=\S+", done.stderr)  # how to set it
    assert "@BotFather" in done.stderr
    assert "python -m bot chat" in done.stderr
    assert "Traceback" not in done.stderr
