"""`python -m bot chat` driven as a person would, in a pseudo-terminal (pexpect): the real bot on
the local Telegram, with commands, buttons as numbered choices and the chart saved to a file."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys

import pytest
from conftest import ROOT

pexpect = pytest.importorskip("pexpect")

T = 120
PROMPT = "you> "


def choice(shown: str, label: str) -> str:
    """The number printed before the button ``label`` in what the bot just showed."""
    found = re.findall(r"\[(\d+)\] " + re.escape(label) + r"\r?\n", shown)
    assert found, f"no choice {label!r} in: {shown[-800:]}"
    return found[-1]


def say(child, line: str, expect: str = PROMPT) -> str:
    """Type ``line``; wait for ``expect`` and then the prompt; return what was printed."""
    child.sendline(line)
    child.expect(expect, timeout=T)
    seen = child.before + child.after
    if expect != PROMPT:
        child.expect_exact(PROMPT, timeout=T)
        seen += child.before + child.after
    return seen


def test_the_terminal_chat_runs_the_same_bot(tmp_path, store_settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHROMA_", "LOCAL_CHAT"))}
    env.update(CHROMA_PATH=str(store_settings.chroma_path), KNOWLEDGE_PATH=str(ROOT / "knowledge"),
               DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
               TELEGRAM_BOT_TOKEN="", LOCAL_CHAT_PORT="0", PYTHONPATH=str(ROOT),
               PYTHONIOENCODING="utf-8", LOG_LEVEL="WARNING")
    child = pexpect.spawn(sys.executable, ["-m", "bot", "chat"], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=T, dimensions=(50, 200))
    child.logfile_read = (tmp_path / "session.log").open("w", encoding="utf-8")
    try:
        child.expect_exact(PROMPT, timeout=T)
        assert "button's number" in child.before

        # /start, then the onboarding by numbers
        shown = say(child, "/start", r"\[\d+\] Certified \(CPhT\)\r?\n")
        for label, following in (("Certified (CPhT)", "Hospital"),
                                 ("Hospital", "Sterile compounding (IV)"),
                                 ("Sterile compounding (IV)", "TX")):
            number = choice(shown, label)
            shown = say(child, number, r"\[\d+\] " + re.escape(following) + r"\r?\n")
            assert "(pressed: " + label + ")" in shown and "(Saved)" in shown
        shown = say(child, choice(shown, "TX"), "All set")
        assert "bot (edited)> " in shown

        # a question: the answer with its sources and their addresses
        shown = say(child, "how do i renew my cpht", "Sources")
        assert re.search(r"<https?://\S+>", shown)

        shown = say(child, "/path", "Your roadmap")
        assert re.search(r"\[\d+\] 1\. Foundation", shown)

        expires = (dt.date.today() + dt.timedelta(days=300)).isoformat()
        say(child, f"/ce set ptcb-cpht {expires}")
        shown = say(child, '/ce add 2 law "Federal pharmacy law update"')
        assert "Federal pharmacy law update" in shown

        shown = say(child, "/ce status", r"\[photo saved: (\S+)\]")
        paths = re.findall(r"\[photo saved: (\S+)\]", shown)
        chart = tmp_path / paths[-1]
        assert chart.is_relative_to(tmp_path / "data" / "local")
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 5000

        child.sendline("")
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close()
    assert child.exitstatus == 0, (tmp_path / "session.log").read_text("utf-8")[-3000:]


def test_make_run_without_a_token_serves_the_page_and_stops_on_ctrl_c(tmp_path, store_settings):
    import signal
    import urllib.request

    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHROMA_", "LOCAL_CHAT"))}
    env.update(CHROMA_PATH=str(store_settings.chroma_path), KNOWLEDGE_PATH=str(ROOT / "knowledge"),
               DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
               TELEGRAM_BOT_TOKEN="", LOCAL_CHAT_PORT="0", PYTHONPATH=str(ROOT),
               BOT_MODE="polling", LOG_LEVEL="WARNING")
    child = pexpect.spawn(sys.executable, ["-m", "bot"], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=T)
    try:
        child.expect(r"Open the chat:\s+(http://127\.0\.0\.1:\d+/)", timeout=T)
        url = child.match.group(1)
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        assert "chat.js" in page and response.headers["Content-Security-Policy"]
        child.kill(signal.SIGINT)
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close()
    assert child.exitstatus == 0
