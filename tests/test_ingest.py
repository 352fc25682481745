"""Ingest: validation before writing, incremental sync, chunk contents, and the command line.

Every test that changes a store builds its own small one from a temp copy of four real
knowledge documents; the session's embedding model is passed in so it loads once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import ROOT, make_settings

import ingest
from bot.answers.retrieval import COLLECTION, STORE_FORMAT, Retriever, open_client, read_manifest
from bot.content.documents import DocumentError, load_documents
from bot.settings import get_settings

DOCS = [
    "sterile_compounding/becoming-a-cspt.md",
    "ce_renewal/nha-cpht-renewal.md",
    "start/training-routes.md",
    "nuclear/what-a-nuclear-pharmacy-technician-does.md",
]
EDITED = "ce_renewal/nha-cpht-renewal.md"
FEE_SENTENCE = "NHA's renewal page lists the fee as $55 every two years."

BAD_DOC = """\
---
title: "A broken document"
topic: cooking
stage: foundation
sources:
  - id: somewhere
    title: Somewhere
    url: https://example.org/
    as_of: undated
reviewed: 2026-01-01
---

## Heading

Body text that is long enough.[^somewhere]
"""

EXTRA_DOC = """\
---
title: "Extra folder document about float pool technicians"
topic: settings
stage: experience
sources:
  - id: example-careers
    title: Example hospital careers page
    url: https://example.org/careers
    as_of: "2026-01-01"
    reliability: 3rd-party
  - id: bls-ooh
    title: BLS Occupational Outlook Handbook
    url: https://www.bls.gov/ooh/healthcare/pharmacy-technicians.htm
    as_of: undated
reviewed: 2026-02-01
---

## What is a float pool technician?

A float pool technician covers shifts in several pharmacy areas of one hospital system.[^example-careers]

## How do I join a float pool?

Ask your pharmacy manager whether the system posts float pool openings for technicians.[^example-careers][^bls-ooh]
"""


def _copy_docs(dest: Path, rels: list[str]) -> None:
    for rel in rels:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "knowledge" / rel, target)


def _expected_chunks(settings, extra: list[Path] | None = None) -> list[ingest.Chunk]:
    docs = load_documents([settings.knowledge_path, *(extra or [])])
    return ingest.build_chunks(docs, ingest.model_identity(settings))


def _records(settings) -> dict[str, tuple[str, dict]]:
    got = open_client(settings).get_collection(COLLECTION).get(include=["documents", "metadatas"])
    return {
        pid: (doc, meta)
        for pid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    }


def _lexical_ids(settings, embeddings) -> list[str]:
    """What the bot's BM25 index holds, built from the store as the bot builds it."""
    return Retriever(settings, embeddings).lexical_ids


def _tree_hash(folder: Path) -> dict[str, str]:
    return {
        f.relative_to(folder).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


@pytest.fixture
def small(tmp_path, embeddings, store_settings):
    """A four-document store, ingested once (sharing the session store's ONNX export)."""
    kb = tmp_path / "kb"
    _copy_docs(kb, DOCS)
    # a small knowledge base without the state records
    settings = make_settings(tmp_path, knowledge_path=kb, onnx_path=store_settings.onnx_dir(),
                             states_path=tmp_path / "no-states")
    first = ingest.run(settings, quiet=True, embeddings=embeddings)
    return SimpleNamespace(settings=settings, kb=kb, first=first, chunks=_expected_chunks(settings))


def test_first_run_adds_every_chunk(small, embeddings):
    chunks, s = small.chunks, small.first
    assert 4 <= len(chunks) <= 200
    assert (s.files, s.chunks) == (4, len(chunks))
    assert (s.added, s.updated, s.removed, s.unchanged) == (len(chunks), 0, 0, 0)
    assert s.embedded == len(chunks)
    records = _records(small.settings)
    assert open_client(small.settings).get_collection(COLLECTION).count() == len(chunks)
    assert set(records) == {c.id for c in chunks}
    assert sorted(_lexical_ids(small.settings, embeddings)) == sorted(records)
    manifest = read_manifest(open_client(small.settings))
    assert manifest == {
        "format": STORE_FORMAT,
        "model": ingest.model_identity(small.settings),
        "files": 4,
        "chunks": len(chunks),
    }
    assert s.line().startswith(
        f"ingest: 4 files, {len(chunks)} chunks (added {len(chunks)}, updated 0, removed 0, "
        "unchanged 0) in "
    )


def test_chunks_carry_title_heading_and_metadata(small):
    records = _records(small.settings)
    docs = {d.path: d for d in load_documents([small.kb])}
    for text, meta in records.values():
        doc = docs[meta["path"]]
        lines = text.split("\n")
        assert lines[0] == doc.meta.title == meta["title"]
        assert meta["heading"] and lines[1] == meta["heading"]
        assert lines[2] == ""
        assert meta["topic"] == doc.meta.topic
        assert meta["stage"] == doc.meta.stage
        sources = json.loads(meta["sources"])
        assert [s["url"] for s in sources] == [s.url for s in doc.meta.sources]
        assert "url" not in meta  # citations are per paragraph, in "blocks"
        assert meta["reviewed"] == doc.meta.reviewed.isoformat()
    by_heading = {
        (m["path"], m["heading"]): (t, m) for t, m in records.values()
    }
    text, meta = by_heading[(DOCS[0], "Who is eligible for the CSPT?")]
    assert text.startswith(
        "Becoming a Compounded Sterile Preparation Technician (CSPT)\n"
        "Who is eligible for the CSPT?\n\nTo be eligible for the CSPT"
    )
    assert (meta["topic"], meta["stage"]) == ("sterile_compounding", "specialization")
    assert meta["next_step"] is False
    text, meta = by_heading[(EDITED, "Next step")]
    assert meta["next_step"] is True
    # each chunk carries its whole section: paragraphs and items with their source ids
    text, meta = by_heading[(EDITED, "What does NHA require to renew an NHA CPhT?")]
    blocks = json.loads(meta["blocks"])
    assert [(b["kind"], b["cites"]) for b in blocks] == [
        ("paragraph", ["nha-renew"]), ("item", ["nha-renew"]), ("item", ["nha-renew"]),
        ("paragraph", ["nha-renew"]), ("paragraph", ["nha-renew-old", "nha-renew"]),
    ]
    assert blocks[1]["text"] == "at least 1 hour must be in pharmacy law;"
    assert FEE_SENTENCE in blocks[3]["text"] and "[^" not in text
    assert {s["id"] for s in json.loads(meta["sources"])} >= {"nha-renew", "nha-renew-old"}
    # each document's chunks are numbered 0..n-1 in order
    for path in DOCS:
        seqs = sorted(m["seq"] for _, m in records.values() if m["path"] == path)
        assert seqs == list(range(len(seqs))) and seqs


def test_second_run_with_nothing_changed_embeds_nothing_fast(small, embeddings):
    before = read_manifest(open_client(small.settings))
    started = time.perf_counter()
    s = ingest.run(small.settings, quiet=True, embeddings=embeddings)
    elapsed = time.perf_counter() - started
    n = len(small.chunks)
    assert s.embedded == 0
    assert (s.files, s.chunks, s.added, s.updated, s.removed, s.unchanged) == (4, n, 0, 0, 0, n)
    assert elapsed < 2.0
    assert read_manifest(open_client(small.settings)) == before
    assert set(_records(small.settings)) == {c.id for c in small.chunks}


def test_no_op_run_on_the_full_knowledge_base_is_fast(store_settings, embeddings):
    manifest = read_manifest(open_client(store_settings))
    started = time.perf_counter()
    s = ingest.run(store_settings, quiet=True, embeddings=embeddings)
    elapsed = time.perf_counter() - started
    assert (s.embedded, s.added, s.updated, s.removed) == (0, 0, 0, 0)
    assert s.unchanged == s.chunks == manifest["chunks"]
    assert s.files == manifest["files"] >= 40
    assert elapsed < 2.0


def test_editing_one_section_re_embeds_only_the_changed_chunk(small, embeddings):
    path = small.kb / EDITED
    text = path.read_text("utf-8")
    assert text.count(FEE_SENTENCE) == 1
    path.write_text(
        text.replace(FEE_SENTENCE, "NHA's renewal page lists the fee as $55 per two-year cycle."),
        "utf-8",
    )
    new_chunks = _expected_chunks(small.settings)
    old_ids = {c.id for c in small.chunks}
    changed = [c for c in new_chunks if c.id not in old_ids]
    assert len(changed) == 1 and changed[0].metadata["path"] == EDITED

    s = ingest.run(small.settings, quiet=True, embeddings=embeddings)
    n = len(new_chunks)
    assert s.embedded == len(changed) == 1
    assert (s.added, s.updated, s.removed, s.unchanged) == (0, 1, 0, n - 1)
    records = _records(small.settings)
    assert set(records) == {c.id for c in new_chunks}
    assert "per two-year cycle" in records[changed[0].id][0]
    assert sorted(_lexical_ids(small.settings, embeddings)) == sorted(records)


def test_front_matter_only_change_retags_without_embedding(small, embeddings):
    path = small.kb / EDITED
    text = path.read_text("utf-8")
    assert "reviewed: 2026-11-27" in text
    path.write_text(text.replace("reviewed: 2026-11-27", "reviewed: 2026-12-01"), "utf-8")
    in_doc = [c for c in small.chunks if c.metadata["path"] == EDITED]

    s = ingest.run(small.settings, quiet=True, embeddings=embeddings)
    n = len(small.chunks)
    assert s.embedded == 0
    assert (s.added, s.updated, s.removed, s.unchanged) == (0, len(in_doc), 0, n - len(in_doc))
    reviewed = {m["reviewed"] for _, m in _records(small.settings).values() if m["path"] == EDITED}
    assert reviewed == {"2026-12-01"}


def test_deleting_a_file_removes_its_chunks(small, embeddings):
    gone = DOCS[0]
    n_gone = sum(c.metadata["path"] == gone for c in small.chunks)
    assert n_gone > 0
    (small.kb / gone).unlink()

    s = ingest.run(small.settings, quiet=True, embeddings=embeddings)
    remaining = len(small.chunks) - n_gone
    assert (s.files, s.chunks) == (3, remaining)
    assert s.removed == n_gone
    assert (s.added, s.updated, s.embedded, s.unchanged) == (0, 0, 0, remaining)
    collection = open_client(small.settings).get_collection(COLLECTION)
    assert collection.get(where={"path": gone})["ids"] == []
    assert collection.count() == remaining
    records = _records(small.settings)
    assert all(m["path"] != gone for _, m in records.values())
    assert sorted(_lexical_ids(small.settings, embeddings)) == sorted(records)


def test_source_option_adds_documents_from_another_folder(small, embeddings, tmp_path):
    extra = tmp_path / "extra"
    (extra / "hospital").mkdir(parents=True)
    (extra / "hospital" / "float-pool.md").write_text(EXTRA_DOC, "utf-8")

    s = ingest.run(small.settings, [extra], quiet=True, embeddings=embeddings)
    expected = _expected_chunks(small.settings, [extra])
    added = [c for c in expected if c.metadata["path"] == "extra/hospital/float-pool.md"]
    assert len(added) == 2
    assert (s.files, s.chunks) == (5, len(small.chunks) + 2)
    assert (s.added, s.embedded, s.updated, s.removed) == (2, 2, 0, 0)
    records = _records(small.settings)
    assert set(records) == {c.id for c in expected}
    mine = sorted(
        (m["seq"], t, m) for t, m in records.values() if m["path"] == "extra/hospital/float-pool.md"
    )
    metas = [m for _, _, m in mine]
    assert [m["heading"] for m in metas] == [
        "What is a float pool technician?",
        "How do I join a float pool?",
    ]
    # each section cites exactly the sources its paragraphs are marked with
    assert [[b["cites"] for b in json.loads(m["blocks"])] for m in metas] == [
        [["example-careers"]], [["example-careers", "bls-ooh"]]
    ]
    assert {(m["topic"], m["stage"]) for m in metas} == {("settings", "experience")}
    assert mine[1][1].startswith(
        "Extra folder document about float pool technicians\n"
        "How do I join a float pool?\n\n"
    )


def test_bad_document_raises_and_leaves_the_store_unchanged(small, embeddings):
    before = _tree_hash(small.settings.chroma_path)
    (small.kb / "start" / "broken.md").write_text(BAD_DOC, "utf-8")
    (small.kb / "start" / "training-routes.md").write_text("no front matter\n", "utf-8")
    with pytest.raises(DocumentError) as info:
        ingest.run(small.settings, quiet=True, embeddings=embeddings)
    problems = str(info.value).splitlines()
    assert len(problems) == 2
    assert problems[0].startswith("start/broken.md: topic: Input should be")
    assert problems[1] == (
        "start/training-routes.md: no YAML front matter (the file must start with ---)"
    )
    assert _tree_hash(small.settings.chroma_path) == before
    assert set(_records(small.settings)) == {c.id for c in small.chunks}


@pytest.fixture
def env_settings(monkeypatch):
    def use(settings):
        monkeypatch.setenv("CHROMA_PATH", str(settings.chroma_path))
        monkeypatch.setenv("KNOWLEDGE_PATH", str(settings.knowledge_path))
        monkeypatch.setenv("STATES_PATH", str(settings.states_path))
        monkeypatch.setenv("ONNX_PATH", str(settings.onnx_dir()))
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def test_main_with_a_bad_document_exits_non_zero_with_the_problem(small, env_settings, capsys):
    env_settings(small.settings)
    before = _tree_hash(small.settings.chroma_path)
    (small.kb / "start" / "broken.md").write_text(BAD_DOC, "utf-8")
    assert ingest.main(["--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.splitlines()
    assert err[0] == "ingest: the knowledge base has problems; nothing was written:"
    assert err[1].startswith("start/broken.md: topic: Input should be")
    assert len(err) == 2
    assert _tree_hash(small.settings.chroma_path) == before


def test_main_with_nothing_changed_prints_the_summary(small, env_settings, capsys):
    env_settings(small.settings)
    assert ingest.main(["--quiet"]) == 0
    n = len(small.chunks)
    out = capsys.readouterr().out
    assert out.startswith(
        f"ingest: 4 files, {n} chunks (added 0, updated 0, removed 0, unchanged {n}) in "
    )
    assert out.endswith(" s\n")


def test_rebuild_starts_clean(small, tmp_path, embeddings):
    # a copy at a path this process never opened, rebuilt by the command line
    chroma = tmp_path / "copy" / "chroma"
    shutil.copytree(small.settings.chroma_path, chroma)
    (chroma / "stale.bin").write_bytes(b"left over")
    env = {
        **os.environ,
        "CHROMA_PATH": str(chroma),
        "KNOWLEDGE_PATH": str(small.kb),
        "STATES_PATH": str(small.settings.states_path),
        "HF_HUB_OFFLINE": "1",
        "TELEGRAM_BOT_TOKEN": "",
    }
    done = subprocess.run(
        [sys.executable, "ingest.py", "--rebuild", "--quiet"],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    n = len(small.chunks)
    assert done.stdout.startswith(
        f"ingest: 4 files, {n} chunks (added {n}, updated 0, removed 0, unchanged 0) in "
    )
    assert not (chroma / "stale.bin").exists()
    settings = make_settings(tmp_path / "copy", knowledge_path=small.kb,
                             states_path=tmp_path / "no-states")
    assert set(_records(settings)) == {c.id for c in small.chunks}
    assert sorted(_lexical_ids(settings, embeddings)) == sorted(c.id for c in small.chunks)


def test_rebuild_in_the_same_process_starts_clean(small, embeddings):
    n = len(small.chunks)
    s = ingest.run(small.settings, rebuild=True, quiet=True, embeddings=embeddings)
    assert (s.added, s.unchanged, s.embedded) == (n, 0, n)
    assert (small.settings.chroma_path / "chroma.sqlite3").exists()


def test_main_that_changed_the_store_caches_what_the_reader_derives_from_it(
        small, env_settings, capsys):
    """The reader's example vectors and fitted safety classifier are computed at ingest, not
    on the bot's first start (which took tens of seconds after a change); a run that changed
    nothing does not load the reader."""
    env_settings(small.settings)
    store = small.settings.chroma_path
    assert ingest.main(["--quiet"]) == 0
    assert "are cached" not in capsys.readouterr().out
    assert not list(store.glob("safety-classifier-*.npz"))
    doc = next((small.kb / "start").glob("*.md"))
    head, body = doc.read_text("utf-8").split("\n## ", 1)
    lines = body.split("\n")
    i = next(i for i, line in enumerate(lines) if i and " the " in line and line[:1].isalpha())
    lines[i] = lines[i].replace(" the ", " the very ", 1)  # a word in one paragraph
    doc.write_text(head + "\n## " + "\n".join(lines), "utf-8")
    assert ingest.main(["--quiet"]) == 0
    out = capsys.readouterr().out
    assert "updated 1" in out and "are cached in the store" in out
    assert list(store.glob("safety-classifier-*.npz"))
    assert list(store.glob("safety-bank-*.npz"))


def _assert_snapshot_is_the_store(settings) -> None:
    """The snapshot beside the store holds what Chroma holds, record for record."""
    import numpy as np

    from bot.answers.retrieval import read_snapshot, read_store

    snapshot, store = read_snapshot(settings), read_store(open_client(settings))
    assert snapshot is not None and store is not None
    assert (snapshot.manifest, snapshot.ids, snapshot.documents, snapshot.metadatas) == (
        store.manifest, store.ids, store.documents, store.metadatas)
    assert np.array_equal(snapshot.embeddings, store.embeddings)


def test_every_sync_leaves_the_snapshot_the_bot_starts_from(small, embeddings):
    """Ingest writes the store's snapshot after its last write; an edit is in the next one,
    and the bot's retriever reads it."""
    from bot.answers.retrieval import SNAPSHOT_FILE

    _assert_snapshot_is_the_store(small.settings)
    path = small.kb / EDITED
    path.write_text(path.read_text("utf-8").replace(
        FEE_SENTENCE, "NHA's renewal page lists the fee as $55 per two-year cycle."), "utf-8")
    ingest.run(small.settings, quiet=True, embeddings=embeddings)
    _assert_snapshot_is_the_store(small.settings)
    retriever = Retriever(small.settings, embeddings)
    assert any("per two-year cycle" in p.text for p in retriever.passages.values())
    # a store made before snapshots: a sync with nothing to change writes one
    (small.settings.chroma_path / SNAPSHOT_FILE).unlink()
    s = ingest.run(small.settings, quiet=True, embeddings=embeddings)
    assert (s.added, s.updated, s.removed) == (0, 0, 0)
    _assert_snapshot_is_the_store(small.settings)


def test_a_sync_stopped_midway_leaves_no_snapshot_and_the_bot_reads_the_store(
        small, embeddings, monkeypatch):
    """The snapshot is removed before ingest writes anything: a sync that stops midway
    leaves none, so the bot reads what Chroma holds, never an older snapshot."""
    from bot.answers.retrieval import SNAPSHOT_FILE, read_snapshot

    path = small.kb / EDITED
    path.write_text(path.read_text("utf-8").replace(
        FEE_SENTENCE, "NHA's renewal page lists the fee as $55 per two-year cycle."), "utf-8")

    def stopped(*_args, **_kwargs):
        raise RuntimeError("stopped before the manifest")

    monkeypatch.setattr(ingest, "write_manifest", stopped)
    with pytest.raises(RuntimeError, match="stopped"):
        ingest.run(small.settings, quiet=True, embeddings=embeddings)
    assert not (small.settings.chroma_path / SNAPSHOT_FILE).exists()
    assert read_snapshot(small.settings) is None
    retriever = Retriever(small.settings, embeddings)  # from Chroma: the edit is there
    assert any("per two-year cycle" in p.text for p in retriever.passages.values())


def test_a_snapshot_cut_short_is_read_as_none(small, embeddings):
    from bot.answers.retrieval import SNAPSHOT_FILE, read_snapshot

    whole = Retriever(small.settings, embeddings)
    snapshot = small.settings.chroma_path / SNAPSHOT_FILE
    snapshot.write_bytes(snapshot.read_bytes()[: snapshot.stat().st_size // 2])
    assert read_snapshot(small.settings) is None
    again = Retriever(small.settings, embeddings)  # read from Chroma
    assert set(again.passages) == set(whole.passages)
    assert all((again.vectors[k] == whole.vectors[k]).all() for k in whole.vectors)


def test_the_bot_starts_from_the_snapshot_without_chroma(small, tmp_path):
    """A start from the snapshot imports no chromadb (a second of imports, a client and a
    read on 2 cores); the readiness count still reaches the store when asked."""
    probe = (
        "import sys; from bot.answers.retrieval import Retriever;"
        "from bot.settings import get_settings; r = Retriever(get_settings());"
        "print(len(r.passages), 'chromadb' in sys.modules, flush=True);"
        "print(r.ping(), 'chromadb' in sys.modules)"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "CHROMA_PATH": str(small.settings.chroma_path), "TELEGRAM_BOT_TOKEN": "",
           "ONNX_PATH": str(small.settings.onnx_dir()), "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    loaded, counted = done.stdout.split("\n")[:2]
    assert loaded == f"{len(small.chunks)} False"
    assert counted == f"{len(small.chunks)} True"
