"""`python -m bot bench`: a small run of the real command, both backends. Checks that the
report has every figure and that its ratios come from the same run's numbers; no timing is
asserted (benchmarks are commands that print numbers, not tests with time limits)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

KB_DOCS = ["ce_renewal/nha-cpht-renewal.md", "start/training-routes.md"]
BURST = 40
LIMIT = 6


@pytest.fixture(scope="module")
def bench_run(store_settings, tmp_path_factory):
    # the ingest figures are taken on a two-document knowledge base, to keep the run short
    kb = tmp_path_factory.mktemp("bench-kb")
    for rel in KB_DOCS:
        (kb / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "knowledge" / rel, kb / rel)
    env = {k: v for k, v in os.environ.items()
           if k not in ("ONNX_PATH", "EMBEDDING_BACKEND", "ONNX_THREADS")}
    env.update(CHROMA_PATH=str(store_settings.chroma_path), KNOWLEDGE_PATH=str(kb),
               TELEGRAM_BOT_TOKEN="", HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "bench", "--limit", str(LIMIT),
         "--burst", str(BURST), "--rounds", "1", "--cold-runs", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stderr.splitlines()
    report = json.loads(lines[-1])
    return done, report, lines[:-1]


def test_report_has_every_figure_for_both_backends(bench_run):
    _, r, _ = bench_run
    assert r["machine"]["cores"] == os.cpu_count()
    assert (r["questions"], r["rounds"], r["burst"]) == (LIMIT, 1, BURST)
    assert r["onnx_threads"] == os.cpu_count()
    assert set(r["backends"]) == {"onnx", "torch"}
    for name, b in r["backends"].items():
        assert b["backend"] == name
        cold = b["cold_start"]
        assert cold["runs"] == 1 and len(cold["to_first_answer_all_s"]) == 1
        assert cold["to_first_answer_s"] == cold["to_first_answer_all_s"][0] > 0
        assert cold["to_first_encode_s"] > 0
        assert cold["peak_rss_first_answer_mb"] > 0 and cold["peak_rss_first_encode_mb"] > 0
        assert 0 < b["rss_mb"]["idle"] <= b["rss_mb"]["peak"]
        assert 0 < b["rss_mb"]["after_burst"] <= b["rss_mb"]["peak"]
        assert b["burst"] == BURST
        for key in ("bare_encode_ms", "warm_ask_ms"):
            assert set(b[key]) == {"mean", "p50", "p95"} and all(v > 0 for v in b[key].values())
        assert set(b["throughput_qps"]) == {
            "one_at_a_time", "batched_32_in_flight", "burst_through_batcher"
        }
        assert all(v > 0 for v in b["throughput_qps"].values())
        ingest = b["ingest"]
        assert ingest["chunks"] > 0 and ingest["bare_encode_s"] > 0 and ingest["full_ingest_s"] > 0
    assert r["noop_reingest_process_s"] > 0
    # the ONNX worker answered 2 x 6 questions and a burst without loading torch
    assert r["backends"]["onnx"]["heavy_modules_loaded"] == []
    assert "torch" in r["backends"]["torch"]["heavy_modules_loaded"]


def test_ratios_come_from_the_same_run(bench_run):
    _, r, _ = bench_run
    onnx, torch, q = r["backends"]["onnx"], r["backends"]["torch"], r["ratios"]
    expected = {
        "onnx_warm_to_bare_onnx_encode_mean":
            onnx["warm_ask_ms"]["mean"] / onnx["bare_encode_ms"]["mean"],
        "onnx_warm_to_bare_onnx_encode_p50":
            onnx["warm_ask_ms"]["p50"] / onnx["bare_encode_ms"]["p50"],
        "torch_warm_to_bare_torch_encode_mean":
            torch["warm_ask_ms"]["mean"] / torch["bare_encode_ms"]["mean"],
        "torch_warm_to_bare_onnx_encode_mean":
            torch["warm_ask_ms"]["mean"] / onnx["bare_encode_ms"]["mean"],
        "onnx_warm_to_torch_warm_mean": onnx["warm_ask_ms"]["mean"] / torch["warm_ask_ms"]["mean"],
        "onnx_warm_to_torch_warm_p50": onnx["warm_ask_ms"]["p50"] / torch["warm_ask_ms"]["p50"],
        "onnx_to_torch_start_to_first_answer":
            onnx["cold_start"]["to_first_answer_s"] / torch["cold_start"]["to_first_answer_s"],
        "onnx_to_torch_rss_after_burst":
            onnx["rss_mb"]["after_burst"] / torch["rss_mb"]["after_burst"],
    }
    for name, b in (("onnx", onnx), ("torch", torch)):
        tp = b["throughput_qps"]
        expected[f"{name}_batched_speedup"] = tp["batched_32_in_flight"] / tp["one_at_a_time"]
        expected[f"{name}_full_ingest_to_bare_encode"] = (
            b["ingest"]["full_ingest_s"] / b["ingest"]["bare_encode_s"]
        )
    assert set(q) == set(expected)
    for key, value in expected.items():
        assert q[key] == pytest.approx(value, rel=1e-12), key


def test_table_shows_the_reported_numbers(bench_run):
    done, r, _ = bench_run
    onnx, torch, q = r["backends"]["onnx"], r["backends"]["torch"], r["ratios"]
    out = done.stdout
    assert "| figure | onnx | torch |" in out
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines()
            if line.startswith("| ")}
    start = next(v for k, v in rows.items() if k.startswith("process start → first answer"))
    assert f"| {onnx['cold_start']['to_first_answer_s']:.2f} s |" in start
    assert f"| {torch['cold_start']['to_first_answer_s']:.2f} s |" in start
    ratio = next(v for k, v in rows.items() if k.startswith("warm `ask` ÷ one bare ONNX"))
    assert f"| {q['onnx_warm_to_bare_onnx_encode_mean']:.2f}x |" in ratio
    versus = next(v for k, v in rows.items() if k.startswith("warm `ask`, onnx ÷ torch"))
    assert f"| {q['onnx_warm_to_torch_warm_mean']:.2f}x |" in versus
    burst = next(v for k, v in rows.items() if k.startswith(f"RSS after {BURST} questions"))
    assert f"| {onnx['rss_mb']['after_burst']:.0f} MB |" in burst
    assert re.search(r"no-op re-ingest, whole process: \d+\.\d\d s", out)


def test_the_bench_process_itself_never_imports_torch(bench_run):
    _, _, importtime = bench_run
    imported = {
        m.group(1).split(".")[0]
        for line in importtime
        if (m := re.match(r"import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", line))
    }
    assert "bot" in imported
    assert not imported & {"torch", "sentence_transformers", "transformers", "matplotlib"}
