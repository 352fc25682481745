"""Retrieval: the embedder, the Chroma collection, the BM25 index, and their fusion.

Per question the work is one query embedding (shared by dense search and the scope check)
plus index look-ups; everything computable per passage was computed by ``ingest.py``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

log = logging.getLogger(__name__)

COLLECTION = "knowledge"
LEXICAL_DIR = "lexical"
MANIFEST = "manifest.json"
STORE_FORMAT = 3
RRF_K = 60
CANDIDATES = 20


class StoreMissingError(RuntimeError):
    """No usable store at CHROMA_PATH: the user must run `python ingest.py`."""


@dataclass
class Passage:
    id: str
    text: str
    title: str
    heading: str
    topic: str
    stage: str
    path: str
    sources: list[dict[str, str]]
    blocks: list[dict[str, Any]]  # the whole section: {"kind", "text", "cites": [source ids]}
    heading_terms: frozenset[str]
    stage_overview: bool = False
    next_step: bool = False
    seq: int = 0  # position of the chunk in its document
    score: float = 0.0  # fused (reciprocal rank) score
    dense: float = 0.0  # cosine similarity to the query, 0 when only BM25 found it
    lexical: float = 0.0  # BM25 score for the query, 0 when only the dense search found it

    @property
    def section(self) -> str:
        """``path#heading``: the section this passage belongs to."""
        return f"{self.path}#{self.heading}"


@dataclass
class Retrieval:
    query: str
    vector: np.ndarray
    passages: list[Passage] = field(default_factory=list)

    @property
    def best_dense(self) -> float:
        return max((p.dense for p in self.passages), default=0.0)


def load_embeddings(settings: Settings, backend: str | None = None) -> Embeddings:
    """The embedding model, from local files only, for EMBEDDING_BACKEND (or `backend`).

    onnx: the export ``ingest.py`` made, run by onnxruntime (no torch import); raises
    embedding.ExportMissingError when there is none. torch: sentence-transformers.
    """
    if (backend or settings.embedding_backend) == "onnx":
        from bot.embedding import OnnxEmbeddings

        return OnnxEmbeddings.load(settings)
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=settings.model_path(),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )


def start_loading_embeddings(settings: Settings) -> Callable[[], Embeddings]:
    """Start loading the embedder; the returned function waits for it (and raises its error).

    onnx: onnxruntime builds its session in C++ without holding the GIL, so it is built in a
    thread while the caller opens Chroma and the lexical index (about 0.4 s less start-up on
    2 cores). torch: loaded here, before returning.
    """
    if settings.embedding_backend != "onnx":
        loaded = load_embeddings(settings)
        return lambda: loaded
    import bot.embedding  # noqa: F401 - Python-level imports here, not concurrently in the thread

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-embeddings")
    future = pool.submit(load_embeddings, settings)
    pool.shutdown(wait=False)  # the thread ends when the load does
    return future.result


class LazyEmbeddings(Embeddings):
    """The sentence-transformers model (the reference implementation ingest embeds with and
    exports to ONNX), loaded on first use so a no-op ingest never pays for loading it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._loaded: HuggingFaceEmbeddings | None = None

    @property
    def loaded(self) -> HuggingFaceEmbeddings:
        if self._loaded is None:
            self._loaded = load_embeddings(self.settings, backend="torch")
        return self._loaded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.loaded.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.loaded.embed_query(text)


def open_client(settings: Settings) -> ClientAPI:
    """A persistent Chroma client at CHROMA_PATH, telemetry off."""
    import chromadb

    return chromadb.PersistentClient(
        path=str(settings.chroma_path),
        settings=chromadb.config.Settings(anonymized_telemetry=False),
    )


def open_store(client: ClientAPI, embeddings: Embeddings | None = None) -> Chroma:
    """The LangChain handle on the knowledge collection (cosine space)."""
    from langchain_chroma import Chroma

    return Chroma(
        client=client,
        collection_name=COLLECTION,
        embedding_function=embeddings,
        collection_metadata={"hnsw:space": "cosine"},
    )


TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")




def passage_from_metadata(pid: str, text: str, meta: dict[str, Any]) -> Passage:
    return Passage(
        id=pid,
        text=text,
        title=meta["title"],
        heading=meta.get("heading", ""),
        topic=meta["topic"],
        stage=meta["stage"],
        path=meta["path"],
        sources=json.loads(meta.get("sources", "[]")),
        blocks=json.loads(meta.get("blocks", "[]")),
        heading_terms=frozenset(lexical_terms(meta.get("heading", ""))),
        stage_overview=bool(meta.get("stage_overview", False)),
        next_step=bool(meta.get("next_step", False)),
        seq=int(meta.get("seq", 0)),
    )


def read_manifest(chroma_path: Path) -> dict[str, Any] | None:
    try:
        return json.loads((chroma_path / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


class Retriever:
    """Hybrid retrieval over the ingested knowledge base. Load once, query many times."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None):
        manifest = read_manifest(settings.chroma_path)
        if manifest is None or manifest.get("format") != STORE_FORMAT or not manifest.get("chunks"):
            raise StoreMissingError(
                f"No knowledge store at {settings.chroma_path}. Run: python ingest.py"
            )
        self.settings = settings
        self.manifest = manifest
        loading = start_loading_embeddings(settings) if embeddings is None else None
        client = open_client(settings)
        # the raw collection (no langchain_chroma import on the question path): passages are
        # read once here, and a query by vector returns only ids and distances
        self.collection = client.get_collection(COLLECTION)
        got = self.collection.get(include=["documents", "metadatas", "embeddings"])
        self.passages: dict[str, Passage] = {
            pid: passage_from_metadata(pid, text, meta)
            for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        # passage vectors, for scoring passages against a second query vector (follow-ups)
        self.vectors: dict[str, np.ndarray] = {
            pid: np.asarray(vec, dtype=np.float32)
            for pid, vec in zip(got["ids"], got["embeddings"], strict=True)
        }
        if not self.passages:
            raise StoreMissingError(
                f"The knowledge store at {settings.chroma_path} is empty. Run: python ingest.py"
            )
        self._load_lexical(settings.chroma_path / LEXICAL_DIR)
        self.embeddings = embeddings if loading is None else loading()
        log.info("retriever ready: %d passages", len(self.passages))

    def _load_lexical(self, directory: Path) -> None:
        import bm25s

        try:
            self.bm25 = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
            self.lexical_ids: list[str] = json.loads(
                (directory / "ids.json").read_text(encoding="utf-8")
            )
        except (FileNotFoundError, json.JSONDecodeError) as exc:
            raise StoreMissingError(
                f"The lexical index under {directory} is missing. Run: python ingest.py"
            ) from exc

    @cached_property
    def model(self):
        """What `embed` calls: the SentenceTransformer behind the torch embeddings, or the
        ONNX embeddings themselves (same ``encode`` signature)."""
        return getattr(self.embeddings, "_client", self.embeddings)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalized embeddings, one batched model call."""
        return np.asarray(
            self.model.encode(
                texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
            ),
            dtype=np.float32,
        )

    def _dense(self, vectors: np.ndarray, n: int) -> list[list[tuple[str, float]]]:
        result = self.collection.query(
            query_embeddings=vectors, n_results=min(n, len(self.passages)),
            where={"searchable": True}, include=["distances"],
        )
        return [
            [(pid, 1.0 - float(dist)) for pid, dist in zip(ids, dists, strict=True)]
            for ids, dists in zip(result["ids"], result["distances"], strict=True)
        ]

    def _lexical(self, queries: list[str], n: int) -> list[list[tuple[str, float]]]:
        out = []
        for query in queries:
            tokens = [t for t in lexical_terms(query) if t in self.bm25.vocab_dict]
            if not tokens:
                out.append([])
                continue
            scores = self.bm25.get_scores(tokens)
            top = np.argsort(-scores)[:n]
            out.append([(self.lexical_ids[int(i)], float(scores[i])) for i in top if scores[i] > 0])
        return out

    def search_many(
        self, queries: list[str], vectors: np.ndarray, k: int | None = None
    ) -> list[Retrieval]:
        """Fuse dense and lexical candidates with reciprocal rank fusion."""
        k = k or self.settings.top_k
        dense = self._dense(vectors, CANDIDATES)
        lexical = self._lexical(queries, CANDIDATES)
        results = []
        for query, vector, dense_hits, lexical_hits in zip(
            queries, vectors, dense, lexical, strict=True
        ):
            fused: dict[str, float] = {}
            cosine = dict(dense_hits)
            bm25 = dict(lexical_hits)
            for rank, (pid, _) in enumerate(dense_hits):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
            for rank, (pid, _) in enumerate(lexical_hits):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
            ranked = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:k]
            passages = []
            for pid, score in ranked:
                base = self.passages.get(pid)
                if base is None:  # index and store out of step; skip rather than fail
                    continue
                p = Passage(**{**base.__dict__, "score": score, "dense": cosine.get(pid, 0.0),
                               "lexical": bm25.get(pid, 0.0)})
                passages.append(p)
            results.append(Retrieval(query=query, vector=vector, passages=passages))
        return results

    def retrieve(self, query: str, k: int | None = None) -> Retrieval:
        vectors = self.embed([query])
        return self.search_many([query], vectors, k)[0]


def lexical_terms(text: str) -> list[str]:
    """Stemmed, stopword-free terms of a text: the one analysis used for the BM25 index, for
    queries, and for matching sentences in replies."""
    stop = _stopwords()
    return _stemmer().stemWords([t for t in TOKEN_RE.findall(text.lower()) if t not in stop])


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")
