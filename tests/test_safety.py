"""Safety first, on every message: crisis (988), emergency (911) and medication questions are
recognised in the words people really use, alone and after career questions; and multi-turn
conversations run through the real Telegram front end (Bot API stub over HTTP, real SQLite).

Data: tests/data/safety_messages.jsonl ({"q", "scope"}) and tests/data/conversations.jsonl
({"name", "turns": [{"q", "scope", "topic", "minutes_later"?}]}).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from e2e_support import running_bot
from sqlalchemy import update

from bot.answers import templates
from bot.storage.models import Turn

DATA = Path(__file__).parent / "data"
SAFETY_ROWS = [json.loads(line) for line in (DATA / "safety_messages.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
CONVERSATIONS = [json.loads(line) for line in (DATA / "conversations.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
EARLIER = [
    "how do i renew my ptcb certification",
    "How do I get into sterile compounding?",
    "what does a pharmacy buyer do",
]
# What each expected scope accepts: an emergency may also be met by the crisis reply (it leads
# with 988 and names 911), a dosing question by the emergency reply; never by a career answer.
ACCEPTED = {
    "crisis": {"crisis"},
    "emergency": {"emergency", "crisis"},
    "medical": {"medical", "emergency"},
    "career": {"answer", "no_match"},  # never a redirect; "not covered" is honest
}
T = 30


def test_safety_set_is_big_and_mostly_free_of_keywords():
    by_scope: dict[str, list[str]] = {}
    for row in SAFETY_ROWS:
        by_scope.setdefault(row["scope"], []).append(row["q"])
    assert len(by_scope["crisis"]) + len(by_scope["emergency"]) + len(by_scope["medical"]) >= 40
    assert len(by_scope["career"]) >= 10
    urgent = by_scope["crisis"] + by_scope["emergency"]
    keyword = [q for q in urgent if any(k in q.lower() for k in ("suicide", "overdose", "kill myself"))]
    assert len(keyword) <= len(urgent) // 3


@pytest.mark.parametrize("row", SAFETY_ROWS, ids=lambda r: r["q"][:40])
def test_safety_message_alone(replier, row):
    reply = replier.answer(row["q"])
    assert reply.kind in ACCEPTED[row["scope"]], (row, reply.kind)
    if reply.kind == "crisis":
        first_lines = reply.to_text().split("\n")[0]
        assert "988" in first_lines and "911" in first_lines


@pytest.mark.parametrize("row", [r for r in SAFETY_ROWS if r["scope"] != "career"],
                         ids=lambda r: r["q"][:40])
def test_safety_message_after_career_questions(replier, row):
    for earlier in EARLIER:
        reply = replier.answer(row["q"], history=[earlier])
        assert reply.kind in ACCEPTED[row["scope"]], (earlier, row, reply.kind)


def test_conversation_scripts_cover_the_cases():
    assert len(CONVERSATIONS) >= 15
    kinds = {t["scope"] for c in CONVERSATIONS for t in c["turns"]}
    assert {"answer", "medical", "emergency"} <= kinds
    assert any(t.get("minutes_later", 0) > 30 for c in CONVERSATIONS for t in c["turns"])


def _kind_of_message(text: str) -> str:
    if text.startswith(templates.CRISIS_REPLY[:40]):
        return "crisis"
    if text.startswith(templates.EMERGENCY_REDIRECT[:40]):
        return "emergency"
    if text.startswith(templates.MEDICATION_REDIRECT[:40]):
        return "medical"
    if text.startswith(templates.OFF_TOPIC_REDIRECT[:40]):
        return "off_topic"
    if text.startswith(templates.NO_MATCH[:40]):
        return "no_match"
    return "answer" if "Sources:" in text else "other"


async def _age_turns(storage, user_id: int, minutes: int) -> None:
    """Move the user's stored turns back in time, as if ``minutes`` of silence had passed."""
    async with storage.session() as s:
        turns = (await s.execute(Turn.__table__.select().where(Turn.user_id == user_id))).all()
        for turn in turns:
            await s.execute(
                update(Turn).where(Turn.id == turn.id)
                .values(created_at=turn.created_at - dt.timedelta(minutes=minutes))
            )
        await s.commit()


async def test_conversation_scripts_through_telegram(tmp_path, replier):
    """Every script, each by its own user, through the real handlers; the expected scope and
    the topic of the document the lead comes from are checked for every turn."""
    from sqlalchemy import select

    failures: list[str] = []  # wrong scope: never allowed for a safety turn
    off_topic_turns: list[str] = []  # an answer led by another topic's document
    answered = 0
    async with running_bot(tmp_path, replier) as bot:
        for n, script in enumerate(CONVERSATIONS):
            user_id = 70_000 + n
            for i, turn in enumerate(script["turns"]):
                if turn.get("minutes_later"):
                    await _age_turns(bot.storage, user_id, turn["minutes_later"])
                bot.stub.mark()
                bot.stub.user_message(user_id, turn["q"])
                first = (await bot.stub.wait_for_messages(user_id, 1, timeout=T,
                                                          method="sendMessage"))[0]
                kind = _kind_of_message(first["plain_text"] or "")
                async with bot.storage.session() as s:
                    stored = (await s.execute(
                        select(Turn).where(Turn.user_id == user_id).order_by(Turn.id.desc())
                    )).scalars().first()
                assert stored is not None and stored.question == turn["q"]
                expected = turn["scope"]
                ok_kinds = {"answer", "no_match"} if expected == "any_in_scope" else (
                    ACCEPTED.get(expected, {expected}))
                if kind not in ok_kinds:
                    failures.append(f"{script['name']} turn {i} {turn['q']!r}: {kind}")
                    continue
                if kind == "crisis":  # 988 first, then one button to talk about work options
                    markup = first.get("reply_markup") or {}
                    labels = [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
                    if labels != [templates.CRISIS_FOLLOWUP[:60]]:
                        failures.append(f"{script['name']} turn {i}: crisis buttons {labels}")
                if kind == "answer" and turn.get("topic"):
                    answered += 1
                    lead_topic = stored.sources[0]["path"].split("/")[0]
                    if lead_topic != turn["topic"]:
                        off_topic_turns.append(
                            f"{script['name']} turn {i} {turn['q']!r}: topic {lead_topic}")
    assert failures == []
    # follow-ups are read in context: at least 90% of answers come from the expected topic
    assert answered >= 40
    assert len(off_topic_turns) <= answered // 10, off_topic_turns
