"""Memory stays bounded under load (issue 10, item 23).

A busy bot holds the model, the store, onnxruntime's buffers and matplotlib. What a question
or a chart leaves behind must not accumulate: after a warm-up, thousands more questions
through the bot's batcher and hundreds more `/ce status` charts may add only a few MB (the
allocator's slack), never memory proportional to the work. Measured in a fresh process, with
the real ONNX model, store and chart code; `python -m bot bench` reports the absolute figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import asyncio, datetime as dt, json, sys
from bot.answers.batching import AnswerBatcher
from bot.cli.bench import _questions, _rss_mb
from bot.ce import credentials, model, rules
from bot.ce.chart import status_chart_png
from bot.answers.engine import load_replier
from bot.settings import get_settings

questions = _questions(__import__("pathlib").Path(sys.argv[1]), None)
replier = load_replier(get_settings())

async def burst(n):
    batcher = AnswerBatcher(replier, max_batch=32)
    await asyncio.gather(*(batcher.answer(questions[i % len(questions)]) for i in range(n)))
    await batcher.close()

today = dt.date(2026, 6, 1)
entries = [model.CEEntry(hours=1.0 + i % 3, topic=("law", "patient-safety", "general")[i % 3],
                         audience="T", completed_on=today - dt.timedelta(days=20 * i))
           for i in range(12)]
statuses = [rules.ce_status(credentials.find(k), today + dt.timedelta(days=200), entries, today)
            for k in ("ptcb-cpht", "tx-tech")]
rss = {}
asyncio.run(burst(300)); rss["questions_warm"] = _rss_mb()["current"]
asyncio.run(burst(1500)); rss["questions_after"] = _rss_mb()["current"]
for _ in range(20): status_chart_png(statuses)
rss["charts_warm"] = _rss_mb()["current"]
for _ in range(200): status_chart_png(statuses)
rss["charts_after"] = _rss_mb()["current"]
print(json.dumps(rss))
"""


def test_questions_and_charts_leave_no_growing_memory(store_settings, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "CHROMA_PATH": str(store_settings.chroma_path), "TELEGRAM_BOT_TOKEN": "",
           "ONNX_PATH": str(store_settings.onnx_dir()), "LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "tests" / "data" / "eval_questions.jsonl")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rss = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nRSS (MB): {rss}")
    # 1,500 more questions after a 300-question warm-up: the slack of the allocator, not a leak
    assert rss["questions_after"] - rss["questions_warm"] < 20, rss
    # 200 more charts after 20: figures are freed, not kept by a pyplot registry
    assert rss["charts_after"] - rss["charts_warm"] < 15, rss


def test_the_loaded_engine_is_set_aside_from_garbage_collection():
    """After loading, what is alive is frozen (never walked again by the collector), garbage
    made while loading is collected first, and garbage made later is collected as usual."""
    import gc
    import weakref

    from bot.answers.memory import keep_loaded_objects

    class Node:
        pass

    kept, dropped = Node(), Node()
    kept.loop, dropped.loop = kept, dropped  # reference cycles: only the collector frees them
    gone_before = weakref.ref(dropped)
    del dropped
    frozen = gc.get_freeze_count()
    gc.disable()  # no collection may run between the del and the freeze but the freeze's own
    try:
        keep_loaded_objects()
        assert gone_before() is None
        assert gc.get_freeze_count() > frozen
        later = Node()
        later.loop = later
        gone_later = weakref.ref(later)
        del later
        gc.collect()
        assert gone_later() is None and kept.loop is kept
    finally:
        gc.enable()
        gc.unfreeze()
