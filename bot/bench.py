"""`python -m bot bench`: speed figures measured in one run, as ratios to the model's own
encode time on the same questions (so they mean the same on any machine)."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.batching import AnswerBatcher
from bot.settings import Settings

IN_FLIGHT = 32


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "mean": statistics.fmean(values) * 1000,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
    }


def _cold_start(settings: Settings, question: str) -> tuple[float, float]:
    """Process start to the model's first encode, and process start to the first answer."""
    env = {**os.environ, "CHROMA_PATH": str(settings.chroma_path)}
    probe = (
        "import sys; from bot.settings import get_settings;"
        "from bot.retrieval import load_embeddings;"
        "load_embeddings(get_settings()).embed_query(sys.argv[1])"
    )
    answer = (
        "import sys; from bot.settings import get_settings;"
        "from bot.engine import load_replier; load_replier(get_settings()).answer(sys.argv[1])"
    )
    results = []
    for code in (probe, answer):  # wall time from spawning the process to its last step
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, question], env=env, capture_output=True,
                       check=True)
        results.append(time.perf_counter() - started)
    return results[0], results[1]


def run_bench(settings: Settings, questions_file: Path, rounds: int = 2) -> int:
    import ingest
    from bot.engine import load_replier
    from bot.evaluation import load_questions
    from bot.retrieval import StoreMissingError

    questions = [row["q"] for row in load_questions(questions_file)]
    try:
        replier = load_replier(settings)
    except StoreMissingError as exc:
        print(exc, file=sys.stderr)
        return 2
    model = replier.retriever.model
    for q in questions[:8]:  # warm up both paths
        model.encode(q)
        replier.answer(q)

    floor, warm = [], []
    for _ in range(rounds):  # interleaved so both see the same machine state
        for q in questions:
            t = time.perf_counter()
            model.encode(q, normalize_embeddings=True)
            floor.append(time.perf_counter() - t)
            t = time.perf_counter()
            replier.answer(q)
            warm.append(time.perf_counter() - t)
    floor_ms, warm_ms = _ms(floor), _ms(warm)

    t = time.perf_counter()
    for q in questions:
        replier.answer(q)
    sequential_qps = len(questions) / (time.perf_counter() - t)
    t = time.perf_counter()
    for start in range(0, len(questions), IN_FLIGHT):
        replier.answer_many(questions[start : start + IN_FLIGHT])
    batched_qps = len(questions) / (time.perf_counter() - t)
    async def through_batcher() -> float:
        batcher = AnswerBatcher(replier)
        limit = asyncio.Semaphore(IN_FLIGHT)

        async def one(q: str) -> None:
            async with limit:
                await batcher.answer(q)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(q) for q in questions))
        elapsed = time.perf_counter() - t0
        await batcher.close()
        return len(questions) / elapsed

    threaded_qps = asyncio.run(through_batcher())

    # ingest: full build into a temporary store vs bare encoding of the same chunks
    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        bench_settings = settings.model_copy(update={"chroma_path": tmp / "chroma"})
        embeddings = replier.retriever.embeddings
        docs = ingest.load_documents([settings.knowledge_path])
        chunks = ingest.build_chunks(docs, ingest.model_identity(settings))
        t = time.perf_counter()
        model.encode([c.text for c in chunks], batch_size=32, normalize_embeddings=True)
        bare_encode = time.perf_counter() - t
        t = time.perf_counter()
        ingest.run(bench_settings, quiet=True, embeddings=embeddings)
        full_ingest = time.perf_counter() - t
        env = {**os.environ, "CHROMA_PATH": str(bench_settings.chroma_path)}
        t = time.perf_counter()
        subprocess.run([sys.executable, "ingest.py", "--quiet"], env=env, check=True,
                       capture_output=True)
        noop_ingest = time.perf_counter() - t
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    cold_encode, cold_answer = _cold_start(settings, questions[0])
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    report = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "questions": len(questions),
        "rounds": rounds,
        "floor_encode_ms": floor_ms,
        "warm_ask_ms": warm_ms,
        "warm_ask_ratio_mean": warm_ms["mean"] / floor_ms["mean"],
        "warm_ask_ratio_p50": warm_ms["p50"] / floor_ms["p50"],
        "throughput_qps": {
            "one_at_a_time": sequential_qps,
            f"batched_{IN_FLIGHT}_in_flight": batched_qps,
            f"bot_batcher_{IN_FLIGHT}_in_flight": threaded_qps,
            "batched_speedup": batched_qps / sequential_qps,
        },
        "cold_start_s": {
            "to_first_encode": cold_encode,
            "to_first_answer": cold_answer,
            "ratio": cold_answer / cold_encode,
        },
        "ingest_s": {
            "chunks": len(chunks),
            "bare_encode": bare_encode,
            "full_ingest": full_ingest,
            "ratio": full_ingest / bare_encode,
            "noop_reingest_process": noop_ingest,
        },
        "peak_rss_mb": peak_rss_mb,
    }
    print(_format(report))
    print(json.dumps(report), file=sys.stderr)
    return 0


def _format(r: dict) -> str:
    f, w = r["floor_encode_ms"], r["warm_ask_ms"]
    tp, cs, ing = r["throughput_qps"], r["cold_start_s"], r["ingest_s"]
    batched = next(v for k, v in tp.items() if k.startswith("batched_") and k != "batched_speedup")
    threaded = next(v for k, v in tp.items() if k.startswith("bot_batcher_"))
    return "\n".join([
        (f"machine: {r['machine']['cores']} cores, Python {r['machine']['python']}; "
        f"{r['questions']} questions x {r['rounds']} rounds"),
        f"floor (model encode, one question): mean {f['mean']:.2f} ms, p50 {f['p50']:.2f} ms",
        (f"warm ask: mean {w['mean']:.2f} ms, p50 {w['p50']:.2f} ms, p95 {w['p95']:.2f} ms; "
        f"ratio to floor: mean {r['warm_ask_ratio_mean']:.2f}x, p50 {r['warm_ask_ratio_p50']:.2f}x"
        " (target <= 1.3)"),
        (f"throughput: one at a time {tp['one_at_a_time']:.1f} q/s; {IN_FLIGHT} in flight batched "
        f"{batched:.1f} q/s ({tp['batched_speedup']:.2f}x); {IN_FLIGHT} in flight through the bot's batcher {threaded:.1f} q/s"),
        (f"cold start: to first encode {cs['to_first_encode']:.2f} s, to first answer "
        f"{cs['to_first_answer']:.2f} s ({cs['ratio']:.2f}x)"),
        (f"ingest: {ing['chunks']} chunks, bare encode {ing['bare_encode']:.2f} s, full ingest "
        f"{ing['full_ingest']:.2f} s ({ing['ratio']:.2f}x, target <= 1.5); no-op re-ingest "
        f"{ing['noop_reingest_process']:.2f} s as a process (target < 2)"),
        f"peak RSS: {r['peak_rss_mb']:.0f} MB",
    ])
