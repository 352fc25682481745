"""Ingest: knowledge/ -> validated documents -> chunks -> embeddings -> Chroma.

    python ingest.py [--source DIR ...] [--rebuild] [--quiet] [--export-only]

The store is the embedded one at CHROMA_PATH, or the Chroma server at CHROMA_HOST. The BM25
side is built by the bot at start from the stored passages, so nothing else is written.
The model's ONNX export (the question path) is written on this machine, beside CHROMA_PATH or
at ONNX_PATH; `--export-only` writes just that, for a bot replica whose store is a server
that another machine ingested into.

Incremental: chunks are keyed by a hash of the embedding model and their text, so a re-run
with nothing changed embeds nothing, an edited file re-embeds only its changed chunks, and a
deleted file's chunks are removed. Every document is validated before anything is written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.answers.embedding import ensure_export
from bot.answers.errors import StoreMissingError
from bot.answers.retrieval import (
    CACHE_COLLECTION,
    COLLECTION,
    MANIFEST_COLLECTION,
    STORE_FORMAT,
    LazyEmbeddings,
    connect,
    drop_snapshot,
    load_embeddings,
    open_store,
    read_manifest,
    snapshot_path,
    write_manifest,
    write_snapshot,
)
from bot.content.documents import Document, DocumentError, Section
from bot.content.states import all_documents
from bot.settings import Settings, get_settings

log = logging.getLogger("ingest")

CHUNK_SIZE = 900
CHUNK_OVERLAP = 120
BATCH = 32


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str  # what is embedded and indexed: title and heading, then the content
    metadata: dict[str, Any]


@dataclass
class Summary:
    files: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    embedded: int = 0
    exported: bool = False  # the ONNX export of the model was (re)built

    def line(self) -> str:
        return (
            f"ingest: {self.files} files, {self.chunks} chunks "
            f"(added {self.added}, updated {self.updated}, removed {self.removed}, "
            f"unchanged {self.unchanged}) in {self.seconds:.2f} s"
        )


def section_text(section: Section) -> str:
    """A section's text as a reader sees it: markers removed, list items as bullets."""
    lines: list[str] = []
    for block in section.blocks:
        if block.kind == "item":
            lines.append(f"- {block.text}")
        else:
            if lines:
                lines.append("")
            lines.append(block.text)
    return "\n".join(lines)


def model_identity(settings: Settings) -> str:
    return Path(settings.model_path()).name if not settings.embedding_model else settings.embedding_model


def chunk_document(doc: Document, model_id: str) -> list[Chunk]:
    """One chunk per ``##`` section, split by size only when a section is long.

    Every chunk carries its whole section (paragraphs and list items with their source ids)
    in its metadata, so a reply presents the section as written and cites it exactly.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    by_size = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, separators=["\n\n", "\n", ". ", " "]
    )
    sources = [s.model_dump() for s in doc.meta.sources]
    chunks: list[Chunk] = []
    for section in doc.sections:
        blocks = [
            {"kind": b.kind, "text": b.text, "cites": list(b.cites)} for b in section.blocks
        ]
        for part in by_size.split_text(section_text(section)):
            content = part.strip()
            if not content:
                continue
            text = f"{doc.meta.title}\n{section.heading}\n\n{content}"
            digest = hashlib.sha256(f"{model_id}\n{doc.path}\n{text}".encode()).hexdigest()[:32]
            metadata = {
                "title": doc.meta.title,
                "heading": section.heading,
                "topic": doc.meta.topic,
                "stage": doc.meta.stage,
                "path": doc.path,
                "seq": len(chunks),
                "sources": json.dumps(sources, ensure_ascii=False),
                "blocks": json.dumps(blocks, ensure_ascii=False),
                "stage_overview": doc.meta.stage_overview,
                "next_step": section.heading.lower().startswith("next step"),
                # state records are found by the state's name, not by search
                # (bot/answers/compose.py)
                "searchable": not doc.path.startswith("states/"),
                "reviewed": doc.meta.reviewed.isoformat(),
                "asked": json.dumps(doc.meta.asked.get(section.heading, []), ensure_ascii=False),
            }
            chunks.append(Chunk(id=digest, text=text, metadata=metadata))
    return chunks


def build_chunks(documents: list[Document], model_id: str) -> list[Chunk]:
    return [c for doc in documents for c in chunk_document(doc, model_id)]


def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="chunk", desc="embedding", disable=quiet or not sys.stderr.isatty())


def reference_model(embeddings: Any, settings: Settings) -> Any:
    """The SentenceTransformer to export: the one ingest embeds with when it is one."""
    if isinstance(embeddings, LazyEmbeddings):
        embeddings = embeddings.loaded
    model = getattr(embeddings, "_client", None)
    if model is None or not hasattr(model, "max_seq_length"):
        model = load_embeddings(settings, backend="torch")._client
    return model


def run(
    settings: Settings,
    sources: list[Path] | None = None,
    *,
    rebuild: bool = False,
    quiet: bool = False,
    embeddings: Any = None,
) -> Summary:
    """Sync the store with the documents. Raises DocumentError before writing anything."""
    started = time.perf_counter()
    roots = [settings.knowledge_path, *(sources or [])]
    documents = all_documents(roots, settings.states_path)  # validates all first, states too
    model_id = model_identity(settings)
    chunks = build_chunks(documents, model_id)
    summary = Summary(files=len(documents), chunks=len(chunks))

    if rebuild and not settings.chroma_host and settings.chroma_path.exists():
        # Chroma caches one client per path in the process: drop it with the files.
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        shutil.rmtree(settings.chroma_path)
    if not settings.chroma_host:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
    client = connect(settings)
    if rebuild and settings.chroma_host:
        existing_names = {getattr(c, "name", c) for c in client.list_collections()}
        for name in (COLLECTION, MANIFEST_COLLECTION, CACHE_COLLECTION):
            if name in existing_names:
                client.delete_collection(name)
    embedder = embeddings or LazyEmbeddings(settings)
    # the raw collection to compare; LangChain's store (a second of imports) only to add
    existing = client.get_or_create_collection(
        COLLECTION, metadata={"hnsw:space": "cosine"}).get(include=["metadatas"])
    old_meta = dict(zip(existing["ids"], existing["metadatas"], strict=True))
    old_slots = {(m["path"], m["seq"]): pid for pid, m in old_meta.items()}
    new_by_id = {c.id: c for c in chunks}

    to_add = [c for c in chunks if c.id not in old_meta]
    to_remove = [pid for pid in old_meta if pid not in new_by_id]
    to_retag = [c for c in chunks if c.id in old_meta and old_meta[c.id] != c.metadata]
    new_slots = {(c.metadata["path"], c.metadata["seq"]) for c in chunks}
    replaced = sum(1 for c in to_add if (c.metadata["path"], c.metadata["seq"]) in old_slots)
    summary.updated = replaced + len(to_retag)
    summary.added = len(to_add) - replaced
    summary.removed = sum(1 for pid in to_remove if (old_meta[pid]["path"], old_meta[pid]["seq"]) not in new_slots)
    summary.unchanged = len(chunks) - len(to_add) - len(to_retag)

    manifest = {"format": STORE_FORMAT, "model": model_id, "files": len(documents),
                "chunks": len(chunks)}
    writes = bool(to_add or to_remove or to_retag) or read_manifest(client) != manifest
    if writes:
        drop_snapshot(settings)  # a snapshot that is there always matches the store
    if to_add:
        store = open_store(client, embedder)
        # Similar lengths in a batch waste less padding; Chroma does not care about order.
        to_add.sort(key=lambda c: len(c.text))
        with _progress(len(to_add), quiet) as bar:
            for start in range(0, len(to_add), BATCH):
                batch = to_add[start : start + BATCH]
                store.add_texts(
                    texts=[c.text for c in batch],
                    metadatas=[c.metadata for c in batch],
                    ids=[c.id for c in batch],
                )
                bar.update(len(batch))
        summary.embedded = len(to_add)
    if to_retag:
        client.get_collection(COLLECTION).update(
            ids=[c.id for c in to_retag], metadatas=[c.metadata for c in to_retag]
        )
    if to_remove:
        client.get_collection(COLLECTION).delete(ids=to_remove)

    if writes:
        write_manifest(client, manifest)
    # what the bot reads at start, in one file beside an embedded store: after any write, and
    # by a sync with nothing to change when there is none (a store made before snapshots)
    snapshot = snapshot_path(settings)
    if writes or (snapshot is not None and not snapshot.exists()):
        write_snapshot(settings, client)
    # the question path embeds with this export: rebuilt when missing or the model changed
    summary.exported = ensure_export(settings, lambda: reference_model(embedder, settings))
    summary.seconds = time.perf_counter() - started
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Embed knowledge/ into the Chroma store.")
    parser.add_argument("--source", action="append", type=Path, default=[], metavar="DIR",
                        help="another folder of documents (repeatable)")
    parser.add_argument("--rebuild", action="store_true", help="start from an empty store")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--export-only", action="store_true",
                        help="only write this machine's ONNX export of the model (a replica "
                        "whose store is a Chroma server another machine ingested into)")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "chromadb", "bm25s"):  # a line per request to a server
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.export_only:
        exported = ensure_export(settings, lambda: reference_model(None, settings))
        print(f"ingest: ONNX export at {settings.onnx_dir()} "
              + ("written" if exported else "already current"))
        return 0
    try:
        summary = run(settings, args.source, rebuild=args.rebuild, quiet=args.quiet)
    except DocumentError as exc:
        print("ingest: the knowledge base has problems; nothing was written:", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    except StoreMissingError as exc:
        print(f"ingest: {exc}", file=sys.stderr)
        return 1
    print(summary.line())
    if summary.added or summary.updated or summary.removed or summary.exported:
        started = time.perf_counter()
        warm_reader(settings)
        print(f"ingest: the answer reader's example vectors and safety classifier are cached "
              f"in the store ({time.perf_counter() - started:.1f} s)")
    return 0


def warm_reader(settings) -> None:
    """Load the bot's reader once, so that what it derives from the store (the vectors of the
    scope and safety examples, of the "asked as" phrasings and headings, the fitted safety
    classifier) is computed and cached here, not on the bot's first start."""
    from bot.answers.engine import load_replier

    load_replier(settings)


if __name__ == "__main__":
    raise SystemExit(main())
