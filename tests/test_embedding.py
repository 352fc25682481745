"""The ONNX question path: export by ingest, staleness, parity with sentence-transformers, and
that no question-path process loads torch.

The session store (conftest) is ingested with the torch model, which exports it to ONNX next
to the store; the session `replier` answers through that export.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, make_settings

import ingest
from bot.answers.compose import Replier
from bot.answers.embedding import (
    EXPORT_FORMAT,
    ExportMissingError,
    OnnxEmbeddings,
    export_status,
    identity_of,
    model_files,
    read_record,
)
from bot.answers.errors import StoreMissingError
from bot.answers.retrieval import Retriever, load_embeddings
from bot.cli.evaluation import evaluate, load_questions

HEAVY = ("torch", "sentence_transformers", "transformers", "langchain_huggingface")
NOT_AT_START = (*HEAVY, "langchain_chroma", "matplotlib")
QUESTION = "how do I renew my CPhT"
EVAL_FILE = ROOT / "tests" / "data" / "eval_questions.jsonl"
EDGE_TEXTS = [
    "",
    "   spaced    out\tquestion \n",
    "CPhT " * 400,  # far past max_seq_length: truncated at 256 tokens both ways
    "Ünïcödé — “quotes”, emoji 💊 and 日本語",
    "what's the PTCE's passing score?!",
]


def _env(chroma_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CHROMA_PATH", "KNOWLEDGE_PATH", "ONNX_PATH", "EMBEDDING_BACKEND")}
    env.update(CHROMA_PATH=str(chroma_path), TELEGRAM_BOT_TOKEN="", HF_HUB_OFFLINE="1",
               PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def _imported(importtime_stderr: str) -> set[str]:
    """Top-level package names from `python -X importtime` output."""
    names = set()
    for line in importtime_stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", line)
        if match:
            names.add(match.group(1).split(".")[0])
    return names


@pytest.fixture(scope="module")
def onnx_embeddings(store_settings) -> OnnxEmbeddings:
    return load_embeddings(store_settings, backend="onnx")


@pytest.fixture(scope="module")
def torch_replier(store_settings, embeddings) -> Replier:
    settings = store_settings.model_copy(update={"embedding_backend": "torch"})
    return Replier(Retriever(settings, embeddings))


# --- the export --------------------------------------------------------------------------


def test_ingest_exports_the_model_next_to_the_store(store_settings):
    directory = store_settings.onnx_dir()
    assert directory == store_settings.chroma_path.parent / "onnx"
    names = {p.name for p in directory.iterdir()}
    # beside the export: the language identifier's tables, its automaton mapped from a file
    # and the rest read uncompressed, once a reader has started on this store (see
    # bot/answers/language.py)
    assert {n for n in names if not n.startswith(("langid-dfa-", "langid-model-"))} == {
        "model.onnx", "tokenizer.json", "export.json"}
    record = read_record(directory)
    files = model_files(store_settings.model_path())
    assert "model.safetensors" in files and "tokenizer.json" in files
    assert "README.md" not in files
    assert record["identity"] == identity_of(files)
    assert record["export_format"] == EXPORT_FORMAT
    assert record["max_seq_length"] == 256 and record["dimensions"] == 384
    assert record["opset"] == 17
    assert set(record["exported_with"]) == {"torch", "transformers", "onnx"}
    assert export_status(store_settings) == (True, f"the ONNX export at {directory} is current")


def test_the_graph_has_dynamic_batch_and_sequence_axes(store_settings, onnx_embeddings):
    session = onnx_embeddings.encoder.session
    inputs = {i.name: i.shape for i in session.get_inputs()}
    assert set(inputs) == {"input_ids", "attention_mask"}
    for shape in inputs.values():
        assert all(isinstance(dim, str) for dim in shape)  # symbolic: batch, sequence
    [output] = session.get_outputs()
    assert output.name == "sentence_embedding" and output.shape[1] == 384
    # pooling and normalisation are in the graph: unit vectors for any batch shape
    for texts in (["one"], ["a short one", "a much longer question about CE hours " * 5]):
        vectors = onnx_embeddings.encode(texts)
        assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert onnx_embeddings.encode([]).shape == (0, 384)


def test_export_is_rebuilt_when_the_model_or_the_exporter_changes(
    tmp_path, store_settings, embeddings
):
    # a copy of the packaged model whose big files are links, so it can be changed cheaply
    model = Path(store_settings.model_path())
    copy = tmp_path / "model"
    for path in model.rglob("*"):
        target = copy / path.relative_to(model)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.name == "config_sentence_transformers.json":
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    kb = tmp_path / "kb"
    (kb / "ce_renewal").mkdir(parents=True)
    shutil.copy(ROOT / "knowledge" / "ce_renewal" / "nha-cpht-renewal.md", kb / "ce_renewal")
    settings = make_settings(tmp_path, knowledge_path=kb, embedding_model=str(copy))
    onnx_dir = settings.onnx_dir()
    assert onnx_dir == tmp_path / "onnx"

    # no export yet: the question path refuses, naming the fix; ingest exports
    with pytest.raises(ExportMissingError, match=r"^No ONNX export .* Run: python ingest.py$"):
        OnnxEmbeddings.load(settings)
    first = ingest.run(settings, quiet=True, embeddings=embeddings)
    assert first.exported and export_status(settings)[0]
    identity = read_record(onnx_dir)["identity"]
    # a second run with the same model keeps the export
    again = ingest.run(settings, quiet=True, embeddings=embeddings)
    assert not again.exported and read_record(onnx_dir)["identity"] == identity

    # the same contents with new modification times: still current, nothing re-exported
    os.utime(copy / "config_sentence_transformers.json", ns=(1, 1))
    assert export_status(settings)[0]

    # a changed model file makes the export stale: the bot refuses it, ingest rebuilds it
    path = copy / "config_sentence_transformers.json"
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    current, reason = export_status(settings)
    assert not current and "different model" in reason
    with pytest.raises(ExportMissingError, match="different model.*Run: python ingest.py"):
        Retriever(settings)
    rebuilt = ingest.run(settings, quiet=True, embeddings=embeddings)
    assert rebuilt.exported and export_status(settings)[0]
    assert read_record(onnx_dir)["identity"] != identity

    # an export made by an older exporter is stale too
    record = read_record(onnx_dir)
    (onnx_dir / "export.json").write_text(json.dumps({**record, "export_format": 0}), "utf-8")
    current, reason = export_status(settings)
    assert not current and "another exporter version" in reason
    assert ingest.run(settings, quiet=True, embeddings=embeddings).exported
    assert read_record(onnx_dir)["export_format"] == EXPORT_FORMAT
    assert not list(tmp_path.glob(".onnx.tmp-*"))  # no half-written exports left behind


def test_export_missing_is_a_store_missing_error():
    assert issubclass(ExportMissingError, StoreMissingError)


def test_thread_count_comes_from_the_setting(store_settings):
    assert store_settings.onnx_threads == 0
    assert store_settings.onnx_thread_count() == (os.cpu_count() or 1)
    one = store_settings.model_copy(update={"onnx_threads": 1})
    assert OnnxEmbeddings.load(one).encoder.threads == 1


# --- parity with sentence-transformers ---------------------------------------------------


def test_parity_on_every_chunk_and_every_eval_question(embeddings, onnx_embeddings, replier):
    """Minimum cosine between the two backends' vectors, over every chunk of the knowledge
    base (torch side: the vectors ingest stored, made by the session's sentence-transformers
    model) and every eval question plus some edge cases (torch side: encoded here)."""
    passages, stored = replier.retriever.passages, replier.retriever.vectors
    ids = sorted(passages)
    questions = [row["q"] for row in load_questions(EVAL_FILE)] + EDGE_TEXTS
    assert len(ids) >= 300 and len(questions) >= 150

    def worst(reference: np.ndarray, onnx: np.ndarray, texts: list[str]) -> tuple[float, str]:
        assert reference.shape == onnx.shape
        cosines = np.sum(reference * onnx, axis=1)
        return float(cosines.min()), texts[int(np.argmin(cosines))][:80]

    chunk_texts = [passages[pid].text for pid in ids]
    chunks_onnx = onnx_embeddings.encode(chunk_texts)
    cosine, text = worst(np.stack([stored[pid] for pid in ids]), chunks_onnx, chunk_texts)
    assert cosine >= 0.9999, f"chunk cosine {cosine:.7f} for {text!r}"

    reference = embeddings._client.encode(questions, batch_size=32, normalize_embeddings=True)
    onnx = onnx_embeddings.encode(questions)
    cosine, text = worst(reference, onnx, questions)
    assert cosine >= 0.9999, f"question cosine {cosine:.7f} for {text!r}"
    # one at a time (as the bot embeds a lone question) gives the same vectors as in a batch
    alone = np.stack([onnx_embeddings.embed_query(q) for q in questions[:20]])
    assert np.allclose(alone, onnx[:20], atol=1e-5)


def test_retrieval_and_eval_are_identical_between_backends(replier, torch_replier):
    assert replier.retriever.settings.embedding_backend == "onnx"
    assert type(replier.retriever.embeddings).__name__ == "OnnxEmbeddings"
    assert type(torch_replier.retriever.embeddings).__name__ == "HuggingFaceEmbeddings"
    rows = load_questions(EVAL_FILE)
    questions = [row["q"] for row in rows]
    onnx_vectors = replier.retriever.embed(questions)
    torch_vectors = torch_replier.retriever.embed(questions)
    onnx_hits = replier.retriever.search_many(questions, onnx_vectors)
    torch_hits = torch_replier.retriever.search_many(questions, torch_vectors)
    for question, a, b in zip(questions, onnx_hits, torch_hits, strict=True):
        assert [p.id for p in a.passages] == [p.id for p in b.passages], question
        assert np.allclose([p.dense for p in a.passages], [p.dense for p in b.passages],
                           atol=1e-4)
    onnx_eval = evaluate(replier, rows)
    torch_eval = evaluate(torch_replier, rows)
    assert (onnx_eval.hit1, onnx_eval.hit3) == (torch_eval.hit1, torch_eval.hit3)
    assert onnx_eval.mrr == torch_eval.mrr
    assert onnx_eval.oos_recall == torch_eval.oos_recall
    for question in questions[:40]:
        assert replier.answer(question).to_text() == torch_replier.answer(question).to_text()


# --- the question path never loads torch -------------------------------------------------


def test_ask_in_a_fresh_process_never_imports_torch(store_settings):
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "ask", "--json", QUESTION],
        cwd=ROOT, env=_env(store_settings.chroma_path), capture_output=True, text=True,
        encoding="utf-8", timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["sources"]
    imported = _imported(done.stderr)
    assert {"onnxruntime", "tokenizers", "bm25s"} <= imported  # the check sees imports
    # the store is read from the snapshot ingest left beside it: no Chroma client at start
    assert "chromadb" not in imported
    assert not imported & set(NOT_AT_START), sorted(imported & set(NOT_AT_START))


def test_chat_and_eval_never_import_torch(store_settings, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(EVAL_FILE.read_text("utf-8").splitlines()[:5]) + "\n", "utf-8")
    env = _env(store_settings.chroma_path)
    for args, stdin in ((["chat"], f"{QUESTION}\n\n"), (["eval", str(questions)], None)):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "bot", *args], input=stdin, cwd=ROOT,
            env=env, capture_output=True, text=True, encoding="utf-8", timeout=180, check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Sources:" in done.stdout or "hit@1" in done.stdout
        imported = _imported(done.stderr)
        assert "onnxruntime" in imported
        assert not imported & set(NOT_AT_START), (args, sorted(imported & set(NOT_AT_START)))


BOT_PROCESS = """
import asyncio, json, sys
from bot.settings import get_settings
from bot.answers.engine import load_replier
from bot.storage.store import Storage
from bot.telegram.app import build_application
from bot.answers.batching import AnswerBatcher

settings = get_settings()
replier = load_replier(settings)
build_application(settings, replier, Storage(settings.database_url))

async def ask():
    batcher = AnswerBatcher(replier)
    replies = await asyncio.gather(*(batcher.answer(q) for q in sys.argv[1:]))
    await batcher.close()
    return replies

replies = asyncio.run(ask())
print(json.dumps({"kinds": [r.kind for r in replies], "modules": sorted(sys.modules)}))
"""


def test_the_telegram_bot_process_never_imports_torch(store_settings, tmp_path):
    env = _env(store_settings.chroma_path, TELEGRAM_BOT_TOKEN="123456:TEST-TOKEN",
               DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    done = subprocess.run(
        [sys.executable, "-c", BOT_PROCESS, QUESTION, "what does a nuclear pharmacy tech do"],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["kinds"] == ["answer", "answer"]
    loaded = {m.split(".")[0] for m in result["modules"]}
    assert "onnxruntime" in loaded and "telegram" in loaded
    assert not loaded & set(NOT_AT_START), sorted(loaded & set(NOT_AT_START))


def test_no_export_exits_2_and_says_to_run_ingest(store_settings, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", QUESTION], cwd=ROOT,
        env=_env(store_settings.chroma_path, ONNX_PATH=str(tmp_path / "nothing-here")),
        capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "No ONNX export of the embedding model" in done.stderr
    assert "python ingest.py" in done.stderr
    assert "Traceback" not in done.stderr


def test_torch_backend_is_still_available(store_settings):
    code = (
        "import sys; from bot.settings import get_settings;"
        "from bot.answers.engine import load_replier;"
        "r = load_replier(get_settings()); print(type(r.retriever.embeddings).__name__);"
        "print(r.answer(sys.argv[1]).kind); print('torch' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, QUESTION],
        cwd=ROOT, env=_env(store_settings.chroma_path, EMBEDDING_BACKEND="torch"),
        capture_output=True, text=True, encoding="utf-8", timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["HuggingFaceEmbeddings", "answer", "True"]



def test_numpy_products_run_on_one_blas_thread_once_the_retriever_is_loaded(replier):
    """The question path's products are small; OpenBLAS's threads cost more than they save and
    compete with onnxruntime's (see retrieval.single_threaded_blas)."""
    from threadpoolctl import threadpool_info

    numpy_blas = [lib for lib in threadpool_info()
                  if lib["user_api"] == "blas" and "numpy" in lib["filepath"]]
    assert numpy_blas, threadpool_info()
    assert [lib["num_threads"] for lib in numpy_blas] == [1] * len(numpy_blas)


def test_a_rescored_passage_is_a_copy_with_the_questions_scores(replier):
    """Per question every candidate passage is copied with its scores; the copy carries every
    other field of the stored passage and leaves the stored one unchanged."""
    import dataclasses

    stored = next(iter(replier.retriever.passages.values()))
    before = dataclasses.asdict(stored)
    copy = stored.rescored(0.5, 0.25, 3.0)
    assert copy is not stored and (copy.score, copy.dense, copy.lexical) == (0.5, 0.25, 3.0)
    assert dataclasses.asdict(stored) == before
    assert {**dataclasses.asdict(copy), "score": 0.0, "dense": 0.0, "lexical": 0.0} == {
        **before, "score": 0.0, "dense": 0.0, "lexical": 0.0}
    assert copy.section == stored.section == f"{stored.path}#{stored.heading}"
