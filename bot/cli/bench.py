"""`python -m bot bench`: speed and memory of the question path, both embedding backends in
one run, with the ratios computed from that run's own numbers (so they mean the same on any
machine).

Per backend (EMBEDDING_BACKEND=onnx, then torch), each in fresh processes:

* cold start: wall time of a whole process from spawn to exit, for one embedding and for
  ``python -m bot ask`` (start-up, first answer, exit), with that process's peak RSS;
* in one worker process: RSS when idle after start-up, single-question latency interleaved
  with one bare encode of the same question, throughput one at a time / 32 in flight batched /
  through the bot's batcher, RSS after a burst of 2,000 questions through the batcher, and
  (unless --no-ingest) a full ingest into a temporary store vs bare encoding of its chunks;
* a no-op re-ingest as a whole process.

The worker is this module run as ``python -m bot.cli.bench --worker BACKEND ...``; it prints its
figures as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.settings import Settings

IN_FLIGHT = 32
BURST = 2000
CHARTS = 300  # /ce status charts rendered after the burst, for the RSS they leave
BACKENDS = ("onnx", "torch")
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers")
TARGETS = {
    "start_to_first_answer_s": 2.5,
    "rss_after_burst_mb": 350,
    "warm_to_bare_onnx_encode": 1.3,
    "warm_onnx_to_torch": 0.5,
    "full_ingest_to_bare_encode": 1.5,
    "noop_reingest_s": 2.0,
}


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "mean": statistics.fmean(values) * 1000,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
    }


def _rss_mb() -> dict[str, float]:
    """Current and peak resident set size of this process (Linux /proc; else peak only)."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
        return {
            "current": int(fields["VmRSS"].split()[0]) / 1024,
            "peak": int(fields["VmHWM"].split()[0]) / 1024,
        }
    except (OSError, KeyError, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"current": peak, "peak": peak}


def _env(settings: Settings, backend: str) -> dict[str, str]:
    return {
        **os.environ,
        "EMBEDDING_BACKEND": backend,
        "CHROMA_PATH": str(settings.chroma_path.resolve()),
        "KNOWLEDGE_PATH": str(settings.knowledge_path.resolve()),
        "ONNX_PATH": str(settings.onnx_dir().resolve()),
        "ONNX_THREADS": str(settings.onnx_threads),
        "EMBEDDING_MODEL": settings.embedding_model,
        "TELEGRAM_BOT_TOKEN": "",
        "LOG_LEVEL": "WARNING",
    }


def _timed_process(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time from spawning a process to its exit, and its peak RSS in MB."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            text = err.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(args[:4])} failed ({proc.returncode}):\n{text[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def _cold_start(settings: Settings, backend: str, question: str, runs: int) -> dict[str, Any]:
    """Whole processes: start to first embedding, and `python -m bot ask` (start to answer)."""
    env = _env(settings, backend)
    probe = (
        "import sys; from bot.settings import get_settings;"
        "from bot.answers.retrieval import load_embeddings;"
        "load_embeddings(get_settings()).embed_query(sys.argv[1])"
    )
    # untimed: fills the OS file cache and the replier's vector caches beside the store
    _timed_process([sys.executable, "-m", "bot", "ask", question], env)
    encode, answer, encode_rss, answer_rss = [], [], [], []
    for _ in range(runs):  # interleaved so both see the same machine state
        seconds, rss = _timed_process([sys.executable, "-c", probe, question], env)
        encode.append(seconds)
        encode_rss.append(rss)
        seconds, rss = _timed_process([sys.executable, "-m", "bot", "ask", question], env)
        answer.append(seconds)
        answer_rss.append(rss)
    return {
        "runs": runs,
        "to_first_encode_s": statistics.median(encode),
        "to_first_answer_s": statistics.median(answer),
        "to_first_answer_all_s": answer,
        "peak_rss_first_encode_mb": max(encode_rss),
        "peak_rss_first_answer_mb": max(answer_rss),
    }


# --- the worker: one backend, one process -------------------------------------------------


def _render_charts(n: int) -> dict[str, float]:
    """Render the /ce status chart ``n`` times, as the bot does for a user with two credentials
    and a dozen entries: matplotlib is what a busy bot holds besides the model. Returns the
    mean render time and the RSS after the first and after all of them."""
    import datetime as dt

    from bot.ce import credentials, model, rules
    from bot.ce.chart import status_chart_png

    today = dt.date(2026, 6, 1)
    entries = [model.CEEntry(hours=1.0 + (i % 3), topic=("law", "patient-safety", "general")[i % 3],
                             audience="T", completed_on=today - dt.timedelta(days=20 * i))
               for i in range(12)]
    statuses = [rules.ce_status(credentials.find(key), today + dt.timedelta(days=200), entries,
                                today) for key in ("ptcb-cpht", "tx-tech")]
    t = time.perf_counter()
    status_chart_png(statuses)
    first = time.perf_counter() - t
    after_first = _rss_mb()["current"]
    t = time.perf_counter()
    for _ in range(n - 1):
        status_chart_png(statuses)
    return {"n": n, "first_s": first, "mean_ms": 1000 * (time.perf_counter() - t) / max(1, n - 1),
            "rss_after_first_mb": after_first}


def ce_words_figures(path: Path = Path("tests/data/ce_messages.jsonl"),
                     rounds: int = 20) -> dict[str, float]:
    """What reading a message for the CE tracker (bot.ce.wording) adds to the answer path:
    mean and p95 per personal CE message (status, log, set), in ms."""
    import datetime as dt

    from bot.ce.wording import read_message

    texts = [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["intent"] in ("status", "log", "set")]
    today = dt.date(2026, 4, 10)
    for text in texts:  # warm: the state records load on the first message
        read_message(text, today)
    times = []
    for _ in range(rounds):
        for text in texts:
            t = time.perf_counter()
            read_message(text, today)
            times.append(time.perf_counter() - t)
    return {"messages": len(texts), **_ms(times)}


def _worker(args: argparse.Namespace) -> int:
    from bot.answers.batching import AnswerBatcher
    from bot.answers.engine import load_replier
    from bot.settings import get_settings

    settings = get_settings()
    questions = _questions(Path(args.questions), args.limit)
    started = time.perf_counter()
    replier = load_replier(settings)
    replier.answer(questions[0])
    first_answer_in_process = time.perf_counter() - started
    idle = _rss_mb()
    model = replier.retriever.model
    for q in questions[:8]:  # warm up both paths
        model.encode([q], normalize_embeddings=True)
        replier.answer(q)

    bare, warm = [], []
    for _ in range(args.rounds):  # interleaved so both see the same machine state
        for q in questions:
            t = time.perf_counter()
            model.encode([q], normalize_embeddings=True)
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            replier.answer(q)
            warm.append(time.perf_counter() - t)

    t = time.perf_counter()
    for q in questions:
        replier.answer(q)
    sequential_qps = len(questions) / (time.perf_counter() - t)
    t = time.perf_counter()
    for start in range(0, len(questions), IN_FLIGHT):
        replier.answer_many(questions[start : start + IN_FLIGHT])
    batched_qps = len(questions) / (time.perf_counter() - t)

    async def through_batcher(n: int) -> float:
        batcher = AnswerBatcher(replier, max_batch=IN_FLIGHT)
        t0 = time.perf_counter()
        await asyncio.gather(*(batcher.answer(questions[i % len(questions)]) for i in range(n)))
        elapsed = time.perf_counter() - t0
        await batcher.close()
        return n / elapsed

    burst_qps = asyncio.run(through_batcher(args.burst))
    safety_figures = _safety_figures(replier, questions)
    after_burst = _rss_mb()
    charts = _render_charts(CHARTS)
    after_charts = _rss_mb()

    result: dict[str, Any] = {
        "backend": settings.embedding_backend,
        "in_process_first_answer_s": first_answer_in_process,
        "bare_encode_ms": _ms(bare),
        "warm_ask_ms": _ms(warm),
        "throughput_qps": {
            "one_at_a_time": sequential_qps,
            "batched_32_in_flight": batched_qps,
            "burst_through_batcher": burst_qps,
        },
        "rss_mb": {
            "idle": idle["current"],
            "after_burst": after_burst["current"],
            "after_charts": after_charts["current"],
            "peak": after_charts["peak"],
        },
        "charts": charts,
        "safety": safety_figures,
        "burst": args.burst,
        "heavy_modules_loaded": sorted(m for m in HEAVY_MODULES if m in sys.modules),
    }
    if args.ingest_dir:
        result["ingest"] = _ingest_figures(settings, replier.retriever, Path(args.ingest_dir))
    print(json.dumps(result), flush=True)
    return 0


def _safety_figures(replier: Any, questions: list[str]) -> dict[str, float]:
    """What reading a message for safety costs: language identification and the phrase layer
    per message, and how many of the questions had their clauses embedded one by one."""
    from bot.answers import safety
    from bot.answers.compose import clean_question

    texts = [clean_question(q)[0] for q in questions]
    t = time.perf_counter()
    langs = [replier.language.detect(x) for x in texts]
    language_ms = (time.perf_counter() - t) * 1000 / len(texts)
    t = time.perf_counter()
    readings = [safety.read_phrases(x, spanish=lang == "es") for x, lang in zip(texts, langs,
                                                                              strict=True)]
    phrases_ms = (time.perf_counter() - t) * 1000 / len(texts)
    vectors = replier.retriever.embed(texts)
    checked = sum(replier.scope.needs_clause_check(x, lang, reading, vector) for x, lang, reading, vector
                  in zip(texts, langs, readings, vectors, strict=True))
    return {"language_id_ms": language_ms, "phrase_layer_ms": phrases_ms,
            "clause_check_share": checked / len(texts)}


def _ingest_figures(settings: Settings, retriever: Any, directory: Path) -> dict[str, Any]:
    """A full ingest into a new store with this backend's embeddings, vs bare encoding of the
    same chunks. The existing export is reused, so no export is timed here."""
    import ingest
    from bot.answers.retrieval import COLLECTION, open_client

    store = settings.model_copy(update={
        "chroma_path": directory / f"chroma-{settings.embedding_backend}",
        "onnx_path": settings.onnx_dir(),
    })
    t = time.perf_counter()
    summary = ingest.run(store, quiet=True, embeddings=retriever.embeddings)
    full = time.perf_counter() - t
    texts = open_client(store).get_collection(COLLECTION).get(include=["documents"])["documents"]
    texts.sort(key=len)  # as ingest batches them
    t = time.perf_counter()
    retriever.model.encode(texts, batch_size=ingest.BATCH, normalize_embeddings=True)
    bare = time.perf_counter() - t
    return {"chunks": summary.embedded, "bare_encode_s": bare, "full_ingest_s": full,
            "chroma_path": str(store.chroma_path)}


def _questions(path: Path, limit: int | None) -> list[str]:
    from bot.cli.evaluation import load_questions

    questions = [row["q"] for row in load_questions(path)]
    return questions[:limit] if limit else questions


def _run_worker(settings: Settings, backend: str, args: argparse.Namespace,
                ingest_dir: Path | None) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bot.cli.bench", "--worker", "--questions", str(args.questions),
            "--rounds", str(args.rounds), "--burst", str(args.burst)]
    if args.limit:
        argv += ["--limit", str(args.limit)]
    if ingest_dir is not None:
        argv += ["--ingest-dir", str(ingest_dir)]
    done = subprocess.run(argv, env=_env(settings, backend), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {backend} bench worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report ---------------------------------------------------------------------------


def run_bench(settings: Settings, questions_file: Path, rounds: int = 2, *, burst: int = BURST,
              cold_runs: int = 3, limit: int | None = None, ingest: bool = True) -> int:
    from bot.answers.embedding import export_status
    from bot.answers.errors import StoreMissingError
    from bot.answers.retrieval import connect, read_manifest, store_location

    try:
        manifest = read_manifest(connect(settings))
    except StoreMissingError as exc:
        print(exc, file=sys.stderr)
        return 2
    if manifest is None:
        print(f"No knowledge store at {store_location(settings)}. Run: python ingest.py",
              file=sys.stderr)
        return 2
    current, reason = export_status(settings)
    if not current:
        print(f"{reason}. Run: python ingest.py", file=sys.stderr)
        return 2
    args = argparse.Namespace(questions=questions_file, rounds=rounds, burst=burst, limit=limit)
    questions = _questions(questions_file, limit)
    report: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "questions": len(questions),
        "rounds": rounds,
        "burst": burst,
        "onnx_threads": settings.onnx_thread_count(),
        "backends": {},
    }
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        for backend in BACKENDS:
            cold = _cold_start(settings, backend, questions[0], cold_runs)
            worker = _run_worker(settings, backend, args, tmp if ingest else None)
            report["backends"][backend] = {"cold_start": cold, **worker}
        if ingest:
            # a whole `python ingest.py` process over a store that is up to date
            env = _env(settings, "onnx")
            env["CHROMA_PATH"] = report["backends"]["torch"]["ingest"]["chroma_path"]
            t = time.perf_counter()
            subprocess.run([sys.executable, "ingest.py", "--quiet"], env=env, check=True,
                           capture_output=True, cwd=Path(__file__).resolve().parents[2])
            report["noop_reingest_process_s"] = time.perf_counter() - t
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report["ratios"] = ratios(report)
    report["ce_words_ms"] = ce_words_figures()
    print(format_report(report))
    ce = report["ce_words_ms"]
    print(f"Recognising a personal CE message (bot.ce.wording, {ce['messages']} messages): "
          f"mean {ce['mean']:.3f} ms, p95 {ce['p95']:.3f} ms (target < 1 ms beyond the answer)")
    try:
        print("\n" + format_transcript(transcript_figures(runs=5)))
    except ImportError:  # fpdf2 makes the sample PDF: the dev extra
        print("\ntranscript import: skipped (needs the dev extra, fpdf2)")
    print(json.dumps(report), file=sys.stderr)
    return 0


def ratios(report: dict[str, Any]) -> dict[str, float]:
    """Every ratio of the report, from the report's own figures."""
    onnx, torch = report["backends"]["onnx"], report["backends"]["torch"]
    bare = onnx["bare_encode_ms"]
    out = {
        "onnx_warm_to_bare_onnx_encode_mean": onnx["warm_ask_ms"]["mean"] / bare["mean"],
        "onnx_warm_to_bare_onnx_encode_p50": onnx["warm_ask_ms"]["p50"] / bare["p50"],
        "torch_warm_to_bare_torch_encode_mean": (
            torch["warm_ask_ms"]["mean"] / torch["bare_encode_ms"]["mean"]
        ),
        "torch_warm_to_bare_onnx_encode_mean": torch["warm_ask_ms"]["mean"] / bare["mean"],
        "onnx_warm_to_torch_warm_mean": onnx["warm_ask_ms"]["mean"] / torch["warm_ask_ms"]["mean"],
        "onnx_warm_to_torch_warm_p50": onnx["warm_ask_ms"]["p50"] / torch["warm_ask_ms"]["p50"],
        "onnx_to_torch_start_to_first_answer": (
            onnx["cold_start"]["to_first_answer_s"] / torch["cold_start"]["to_first_answer_s"]
        ),
        "onnx_to_torch_rss_after_burst": (
            onnx["rss_mb"]["after_burst"] / torch["rss_mb"]["after_burst"]
        ),
    }
    for name in BACKENDS:
        tp = report["backends"][name]["throughput_qps"]
        out[f"{name}_batched_speedup"] = tp["batched_32_in_flight"] / tp["one_at_a_time"]
        ing = report["backends"][name].get("ingest")
        if ing:
            out[f"{name}_full_ingest_to_bare_encode"] = ing["full_ingest_s"] / ing["bare_encode_s"]
    return out


def format_report(r: dict[str, Any]) -> str:
    """The report as a Markdown table, one column per backend."""
    onnx, torch, q, t = r["backends"]["onnx"], r["backends"]["torch"], r["ratios"], TARGETS

    def row(label: str, get, fmt: str) -> str:
        return f"| {label} | {fmt.format(get(onnx))} | {fmt.format(get(torch))} |"

    def ms3(b: dict, key: str) -> tuple[float, float, float]:
        return b[key]["mean"], b[key]["p50"], b[key]["p95"]

    burst = f"{r['burst']:,}"
    target_start = f"target ≤ {t['start_to_first_answer_s']} s"
    target_rss = f"target ≤ {t['rss_after_burst_mb']} MB"
    target_ratio = f"target ≤ {t['warm_to_bare_onnx_encode']}"
    target_torch = f"target ≤ {t['warm_onnx_to_torch']}"
    machine = (
        f"machine: {r['machine']['cores']} cores, Python {r['machine']['python']}; "
        f"{r['questions']} questions x {r['rounds']} rounds; "
        f"onnxruntime threads {r['onnx_threads']}"
    )
    lines = [
        machine,
        "",
        "| figure | onnx | torch |",
        "|---|---|---|",
        row("process start → first embedding (whole process)",
            lambda b: b["cold_start"]["to_first_encode_s"], "{:.2f} s"),
        row(f"process start → first answer, `python -m bot ask` ({target_start})",
            lambda b: b["cold_start"]["to_first_answer_s"], "{:.2f} s"),
        row("peak RSS of that `ask` process",
            lambda b: b["cold_start"]["peak_rss_first_answer_mb"], "{:.0f} MB"),
        row("RSS idle (loaded, one answer given)", lambda b: b["rss_mb"]["idle"], "{:.0f} MB"),
        row(f"RSS after {burst} questions through the batcher ({target_rss})",
            lambda b: b["rss_mb"]["after_burst"], "{:.0f} MB"),
        row("RSS after the first `/ce status` chart / after "
            f"{onnx.get('charts', {}).get('n', CHARTS)} of them",
            lambda b: (b["charts"]["rss_after_first_mb"], b["rss_mb"]["after_charts"]),
            "{0[0]:.0f} / {0[1]:.0f} MB"),
        row("`/ce status` chart render, mean",
            lambda b: b["charts"]["mean_ms"], "{:.1f} ms"),
        row("bare encode of one question: mean / p50 / p95",
            lambda b: ms3(b, "bare_encode_ms"), "{0[0]:.2f} / {0[1]:.2f} / {0[2]:.2f} ms"),
        row("warm `ask`, one question: mean / p50 / p95",
            lambda b: ms3(b, "warm_ask_ms"), "{0[0]:.2f} / {0[1]:.2f} / {0[2]:.2f} ms"),
        (f"| warm `ask` ÷ one bare ONNX encode, mean ({target_ratio}) "
         f"| {q['onnx_warm_to_bare_onnx_encode_mean']:.2f}x "
         f"| {q['torch_warm_to_bare_onnx_encode_mean']:.2f}x |"),
        (f"| warm `ask`, onnx ÷ torch, mean ({target_torch}) "
         f"| {q['onnx_warm_to_torch_warm_mean']:.2f}x | 1 |"),
        row("throughput, one at a time",
            lambda b: b["throughput_qps"]["one_at_a_time"], "{:.0f} q/s"),
        row("safety: language identification / phrase layer per message, mean",
            lambda b: (b["safety"]["language_id_ms"], b["safety"]["phrase_layer_ms"]),
            "{0[0]:.3f} / {0[1]:.3f} ms"),
        row("safety: questions whose clauses were embedded in a second run",
            lambda b: b["safety"]["clause_check_share"] * 100, "{:.1f} %"),
        row(f"throughput, {IN_FLIGHT} in flight, batched embeddings",
            lambda b: b["throughput_qps"]["batched_32_in_flight"], "{:.0f} q/s"),
        row(f"throughput of the {burst}-question burst through the bot's batcher",
            lambda b: b["throughput_qps"]["burst_through_batcher"], "{:.0f} q/s"),
    ]
    if "ingest" in onnx and "ingest" in torch:
        lines += [
            row(f"bare encode of the {onnx['ingest']['chunks']} chunks",
                lambda b: b["ingest"]["bare_encode_s"], "{:.2f} s"),
            (f"| full ingest into a new store, with that backend's embeddings "
             f"(target ≤ {t['full_ingest_to_bare_encode']}x the bare encode) "
             f"| {onnx['ingest']['full_ingest_s']:.2f} s "
             f"({q['onnx_full_ingest_to_bare_encode']:.2f}x) "
             f"| {torch['ingest']['full_ingest_s']:.2f} s "
             f"({q['torch_full_ingest_to_bare_encode']:.2f}x) |"),
        ]
    if "noop_reingest_process_s" in r:
        lines.append(
            f"\nno-op re-ingest, whole process: {r['noop_reingest_process_s']:.2f} s "
            f"(target < {t['noop_reingest_s']:.0f} s)"
        )
    return "\n".join(lines)


# --- CPE Monitor transcript import ---------------------------------------------------------

TRANSCRIPT_ACTIVITIES = 60
TRANSCRIPT_PAGES = 5


def transcript_figures(runs: int = 20) -> dict[str, Any]:
    """Reading a 5-page, 60-activity transcript PDF (made by fpdf2, the dev extra): the text
    parsed into activities, the text extracted by pypdf in this process, and the whole bounded
    child process the bot uses; medians over ``runs``."""
    import io
    from datetime import date

    from pypdf import PdfReader

    from bot.ce.transcript import parse_transcript
    from bot.cli.transcript_sample import render_pdf, sample_activities
    from bot.telegram.transcript_pdf import extract_lines_sync

    activities = sample_activities(TRANSCRIPT_ACTIVITIES, seed=3)
    data = render_pdf(activities, line_height=5.5)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    lines = extract_lines_sync(data)
    today = date(2026, 12, 1)

    def median(call) -> float:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    def extract() -> None:
        for page in PdfReader(io.BytesIO(data)).pages:
            page.extract_text(extraction_mode="layout")

    parsed = parse_transcript(lines, today)
    return {
        "pages": pages, "activities": len(activities), "parsed": len(parsed.activities),
        "parse_ms": median(lambda: parse_transcript(lines, today)),
        "extract_ms": median(extract),
        "child_process_ms": median(lambda: extract_lines_sync(data)),
    }


def format_transcript(f: dict[str, Any]) -> str:
    return (f"transcript import, {f['pages']} pages, {f['activities']} activities "
            f"({f['parsed']} read): parse {f['parse_ms']:.1f} ms, pypdf text "
            f"{f['extract_ms']:.0f} ms, whole bounded child process {f['child_process_ms']:.0f} ms")


def run_transcript_bench(runs: int = 20) -> int:
    try:
        figures = transcript_figures(runs)
    except ImportError as exc:
        print(f"transcript bench needs the dev extra (fpdf2): {exc}", file=sys.stderr)
        return 2
    print(format_transcript(figures))
    print(json.dumps({"transcript": figures}), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cli.bench")
    parser.add_argument("--worker", action="store_true", help="run one backend's figures")
    parser.add_argument("--questions", default="tests/data/eval_questions.jsonl")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--burst", type=int, default=BURST)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--ingest-dir", default=None)
    args = parser.parse_args(argv)
    if not args.worker:
        parser.error("run the bench as: python -m bot bench")
    return _worker(args)


if __name__ == "__main__":
    raise SystemExit(main())
