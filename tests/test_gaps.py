"""`python -m bot gaps`: badly answered questions, grouped by the nearest section, read from a
real database (SQLite file), with /forget respected."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from conftest import ROOT, open_empty_storage

from bot.cli.gaps import NO_MATCH, THUMBS_DOWN, WEAK, find_gaps, report

RENEW = "how do i renew my cpht"  # a well-answered question
NOT_COVERED = "can i work as a tech on a cruise ship pharmacy"  # the knowledge base has nothing


async def _stored(tmp_path):
    store = await open_empty_storage(f"sqlite+aiosqlite:///{tmp_path / 'pathway.db'}")
    for user in (1, 2):
        await store.touch_user(user, chat_id=user, first_name="T")
    await store.add_turn(1, NOT_COVERED, "no_match", [], [])
    await store.add_turn(2, NOT_COVERED.upper(), "no_match", [], [])  # asked twice: one gap
    disliked = await store.add_turn(1, "whats the cpht-adv cost", "answer", [], [])
    await store.add_feedback(1, disliked, -1)
    liked = await store.add_turn(2, RENEW, "answer", [], [])
    await store.add_feedback(2, liked, 1)
    for q in ("what is usp 797", "how much do hospital techs make", "what does a lead tech do",
              "how do i become a cspt", "what is the ptce"):
        await store.add_turn(2, q, "answer", [], [])
    return store


async def test_gaps_group_no_answers_and_thumbs_down_by_nearest_section(tmp_path, replier):
    store = await _stored(tmp_path)
    asked = await store.questions_since(None)
    assert len(asked) == 9
    gaps = find_gaps(replier, asked, limit=10)
    reasons = {r: sum(g.reasons.get(r, 0) for g in gaps) for r in (NO_MATCH, THUMBS_DOWN, WEAK)}
    assert reasons[NO_MATCH] == 2 and reasons[THUMBS_DOWN] == 1 and reasons[WEAK] == 1
    examples = {g.example for g in gaps}
    assert RENEW not in examples  # rated 👍: not a gap
    # the same question from two users is one gap: one line, counted twice
    cruise = [g for g in gaps if "cruise" in g.example.lower()]
    assert len(cruise) == 1 and cruise[0].count >= 2, gaps
    text = report(gaps, len(asked))
    assert "9 stored questions" in text and cruise[0].section in text
    # --since: nothing is newer than tomorrow
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert await store.questions_since(tomorrow) == []
    # /forget: the user's questions are no longer read
    await store.forget(1)
    left = await store.questions_since(None)
    assert NOT_COVERED not in {a.question for a in left} and len(left) == 7
    await store.close()


def test_gaps_command_reads_the_database_and_refuses_a_bad_date(tmp_path, store_settings):
    env_db = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    env = {"DATABASE_URL": env_db, "CHROMA_PATH": str(store_settings.chroma_path),
           "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "bot", "gaps"], cwd=ROOT, env=env, check=False,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and "0 stored questions" in ok.stdout, ok.stderr[-2000:]
    bad = subprocess.run([sys.executable, "-m", "bot", "gaps", "--since", "last tuesday"],
                         cwd=ROOT, env=env, check=False, capture_output=True, text=True,
                         timeout=300)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
