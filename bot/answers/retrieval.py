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
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.answers.errors import StoreMissingError
from bot.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

log = logging.getLogger(__name__)

COLLECTION = "knowledge"
# ingest's record of what the store holds, and embeddings cached between starts: in the store
# (embedded or server) so every replica sees the same
MANIFEST_COLLECTION = "pathway-manifest"
MANIFEST_ID = "manifest"
CACHE_COLLECTION = "pathway-vector-cache"
STORE_FORMAT = 4
RRF_K = 60
CANDIDATES = 20
#: Reciprocal rank fusion: what the passage at each rank of a list adds to its score.
RRF_WEIGHTS = tuple(1.0 / (RRF_K + rank + 1) for rank in range(CANDIDATES))


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
    asked: tuple[str, ...] = ()  # the section's "asked as" phrasings (the document's front matter)

    @cached_property
    def section(self) -> str:
        """``path#heading``: the section this passage belongs to (read dozens of times per
        question, so made once)."""
        return f"{self.path}#{self.heading}"

    def rescored(self, score: float, dense: float, lexical: float) -> Passage:
        """A copy of the passage with this question's scores (everything else shared: the
        blocks and sources are read, never changed). Per question this is done for every
        candidate, so the copy skips the dataclass ``__init__`` and its 19 keywords."""
        copy = object.__new__(Passage)
        copy.__dict__.update(self.__dict__)
        copy.score, copy.dense, copy.lexical = score, dense, lexical
        return copy


@dataclass
class Retrieval:
    query: str
    vector: np.ndarray
    passages: list[Passage] = field(default_factory=list)
    #: what the search gave every passage it scored, also those left out of ``passages``:
    #: passage id -> (fused, cosine, BM25), so a section that joins the candidates later (by
    #: its "asked as" phrasings) is scored as the search scored it
    scored: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    @property
    def best_dense(self) -> float:
        return max((p.dense for p in self.passages), default=0.0)


def load_embeddings(settings: Settings, backend: str | None = None) -> Embeddings:
    """The embedding model, from local files only, for EMBEDDING_BACKEND (or `backend`).

    onnx: the export ``ingest.py`` made, run by onnxruntime (no torch import); raises
    embedding.ExportMissingError when there is none. torch: sentence-transformers.
    """
    if (backend or settings.embedding_backend) == "onnx":
        from bot.answers.embedding import OnnxEmbeddings

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
    # Python-level imports here, not concurrently in the thread
    import onnxruntime  # noqa: F401

    import bot.answers.embedding  # noqa: F401

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-embeddings")
    future = pool.submit(load_embeddings, settings)
    pool.shutdown(wait=False)  # the thread ends when the load does
    return future.result


def single_threaded_blas() -> None:
    """Run numpy's matrix products on one thread, for the whole process.

    The question path's products are small (one question against a few thousand vectors:
    well under a millisecond on one core). OpenBLAS splits them over its worker threads, whose
    wake-up and spinning cost more than the product and compete with onnxruntime's threads:
    on 2 busy cores a product of a question against the 1,343 "asked as" phrasings took
    5-8 ms threaded and 0.1 ms on one thread. The model itself runs in onnxruntime (or torch),
    which keeps its own threads.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


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
    """The Chroma client, telemetry off: a ``chromadb.HttpClient`` for the server at
    CHROMA_HOST:CHROMA_PORT (``chroma run``; several bot replicas share it), else the
    embedded store at CHROMA_PATH."""
    import chromadb

    chroma_settings = chromadb.config.Settings(anonymized_telemetry=False)
    if not settings.chroma_host:
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    headers = {}
    if settings.chroma_auth_token is not None:
        token = settings.chroma_auth_token.get_secret_value()
        header = settings.chroma_auth_header
        headers[header] = f"Bearer {token}" if header.lower() == "authorization" else token
    return chromadb.HttpClient(
        host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl,
        headers=headers or None, settings=chroma_settings,
    )


def connect(settings: Settings) -> ClientAPI:
    """:func:`open_client`, with a server that cannot be reached reported as
    :class:`StoreMissingError` naming it (chromadb raises a bare ValueError)."""
    try:
        return open_client(settings)
    except ValueError as exc:
        if not settings.chroma_host:
            raise
        raise StoreMissingError(f"Cannot reach {store_location(settings)}: {exc}") from exc


def store_location(settings: Settings) -> str:
    """Where the store is, for messages: the server's address or the folder."""
    if settings.chroma_host:
        scheme = "https" if settings.chroma_ssl else "http"
        return f"the Chroma server at {scheme}://{settings.chroma_host}:{settings.chroma_port}"
    return str(settings.chroma_path)


def read_manifest(client: ClientAPI) -> dict[str, Any] | None:
    """What ingest last wrote (format, model, files, chunks), stored in the store itself so
    every replica reads the same one; None when there is none (never ingested)."""
    from chromadb.errors import NotFoundError

    try:
        got = client.get_collection(MANIFEST_COLLECTION).get(ids=[MANIFEST_ID])
    except NotFoundError:
        return None
    try:
        return json.loads(got["documents"][0]) if got["documents"] else None
    except (json.JSONDecodeError, TypeError):
        return None


def write_manifest(client: ClientAPI, manifest: dict[str, Any]) -> None:
    collection = client.get_or_create_collection(MANIFEST_COLLECTION)
    # a placeholder vector: this collection is only read by id
    collection.upsert(ids=[MANIFEST_ID], documents=[json.dumps(manifest)], embeddings=[[0.0]])


class VectorCache:
    """Embeddings of fixed texts (scope examples, section openings) kept between starts,
    keyed by model and texts. Embedded store: an ``.npz`` file beside it. Chroma server: a
    collection on the server, so no replica depends on a file another machine wrote."""

    def __init__(self, settings: Settings, client: ClientAPI):
        self.settings = settings
        self.client = client

    def load(self, key: str, labels: list[str]) -> dict[str, np.ndarray] | None:
        if not self.settings.chroma_host:
            try:
                with np.load(self.settings.chroma_path / f"{key}.npz") as data:
                    return {label: data[label] for label in labels}
            except (FileNotFoundError, KeyError, ValueError, OSError):
                return None
        from chromadb.errors import NotFoundError

        try:
            got = self.client.get_collection(CACHE_COLLECTION).get(
                where={"key": key}, include=["embeddings", "metadatas"])
        except NotFoundError:  # no cache collection yet
            return None
        rows: dict[str, list[tuple[int, np.ndarray]]] = {label: [] for label in labels}
        for meta, vector in zip(got["metadatas"], got["embeddings"], strict=True):
            if meta.get("label") in rows:
                rows[meta["label"]].append((int(meta["i"]), np.asarray(vector, np.float32)))
        if any(not found or len(found) != _cache_count(got, label)
               for label, found in rows.items()):
            return None  # missing, or partly written by a replica that stopped midway
        return {label: np.stack([v for _, v in sorted(found, key=lambda r: r[0])])
                for label, found in rows.items()}

    def save(self, key: str, vectors: dict[str, np.ndarray]) -> None:
        if not self.settings.chroma_host:
            try:
                np.savez(self.settings.chroma_path / f"{key}.npz", **vectors)
            except OSError:
                log.warning("could not cache vectors at %s", self.settings.chroma_path)
            return
        collection = self.client.get_or_create_collection(CACHE_COLLECTION)
        for label, matrix in vectors.items():
            n = len(matrix)
            collection.upsert(
                ids=[f"{key}:{label}:{i}" for i in range(n)],
                embeddings=[row.tolist() for row in matrix],
                metadatas=[{"key": key, "label": label, "i": i, "n": n} for i in range(n)],
            )


def _cache_count(got: dict[str, Any], label: str) -> int:
    """How many rows the cached ``label`` had when it was saved."""
    return next((int(m["n"]) for m in got["metadatas"] if m.get("label") == label), -1)


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
        asked=tuple(json.loads(meta.get("asked", "[]"))),
    )


class Retriever:
    """Hybrid retrieval over the ingested knowledge base. Load once, query many times.

    Everything is read from the store once, at start: passages, their vectors, and the BM25
    index built from the searchable passages' text (about 40 ms; the same whether the store
    is embedded or a server, so no replica needs a file another machine wrote). Per question
    the dense search is an exact cosine over the searchable passages' vectors: one
    (questions x 384) @ (384 x passages) product, well under a millisecond for this knowledge
    base, where a Chroma query filtered to searchable passages cost 5-7 ms (state records
    share the collection and are injected by name, never searched).
    """

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None):
        loading = start_loading_embeddings(settings) if embeddings is None else None
        single_threaded_blas()
        self.settings = settings
        client = connect(settings)
        manifest = read_manifest(client)
        if manifest is None or manifest.get("format") != STORE_FORMAT or not manifest.get("chunks"):
            raise StoreMissingError(
                f"No knowledge store at {store_location(settings)}. Run: python ingest.py"
            )
        self.manifest = manifest
        self.cache = VectorCache(settings, client)
        self.collection = client.get_collection(COLLECTION)
        got = self.collection.get(include=["documents", "metadatas", "embeddings"])
        self.passages: dict[str, Passage] = {
            pid: passage_from_metadata(pid, text, meta)
            for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        if not self.passages:
            raise StoreMissingError(
                f"The knowledge store at {store_location(settings)} is empty. "
                "Run: python ingest.py"
            )
        # passage vectors, for scoring passages against a second query vector (follow-ups)
        self.vectors: dict[str, np.ndarray] = {
            pid: np.asarray(vec, dtype=np.float32)
            for pid, vec in zip(got["ids"], got["embeddings"], strict=True)
        }
        searchable = [
            pid for pid, meta in sorted(zip(got["ids"], got["metadatas"], strict=True),
                                        key=lambda r: (r[1]["path"], int(r[1].get("seq", 0))))
            if meta.get("searchable", True)
        ]
        self.searchable_ids: list[str] = searchable
        self._terms: dict[str, list[str]] = {}
        self.matrix = np.stack([self.vectors[pid] for pid in searchable])
        self._build_lexical(searchable)
        self.embeddings = embeddings if loading is None else loading()
        log.info("retriever ready: %d passages (%d searchable) from %s", len(self.passages),
                 len(searchable), store_location(settings))

    def _build_lexical(self, ids: list[str]) -> None:
        import bm25s

        self.bm25 = bm25s.BM25()
        self.bm25.index([self.terms(pid) for pid in ids], show_progress=False)
        self.lexical_ids = ids

    def terms(self, pid: str) -> list[str]:
        """The passage's text as :func:`lexical_terms`, computed once (BM25 and the reply's
        term weights both need it at start)."""
        cached = self._terms.get(pid)
        if cached is None:
            cached = self._terms[pid] = lexical_terms(self.passages[pid].text)
        return cached

    def ping(self) -> int:
        """How many records the store's knowledge collection holds now (raises when the store
        cannot be reached): for readiness checks."""
        return self.collection.count()

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
        """The ``n`` searchable passages closest to each vector (cosine: all unit length)."""
        sims = np.asarray(vectors, dtype=np.float32) @ self.matrix.T
        n = min(n, sims.shape[1])
        out = []
        ids = self.searchable_ids
        for row in sims:
            top = np.argpartition(-row, n - 1)[:n]
            top = top[np.argsort(-row[top], kind="stable")]
            out.append(list(zip([ids[i] for i in top.tolist()], row[top].tolist(), strict=True)))
        return out

    def _lexical(self, queries: list[str], n: int) -> list[list[tuple[str, float]]]:
        out = []
        for query in queries:
            tokens = [t for t in lexical_terms(query) if t in self.bm25.vocab_dict]
            if not tokens:
                out.append([])
                continue
            scores = self.bm25.get_scores(tokens)
            top = np.argsort(-scores)[:n]
            ids = self.lexical_ids
            out.append([(ids[i], score) for i, score in zip(top.tolist(), scores[top].tolist(),
                                                            strict=True) if score > 0])
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
            for hits in (dense_hits, lexical_hits):
                for (pid, _), weight in zip(hits, RRF_WEIGHTS):
                    fused[pid] = fused.get(pid, 0.0) + weight
            scored = {pid: (score, cosine.get(pid, 0.0), bm25.get(pid, 0.0))
                      for pid, score in fused.items()}
            passages = []
            for pid, _score in sorted(fused.items(), key=itemgetter(1), reverse=True)[:k]:
                base = self.passages.get(pid)
                if base is None:  # index and store out of step; skip rather than fail
                    continue
                passages.append(base.rescored(*scored[pid]))
            results.append(Retrieval(query=query, vector=vector, passages=passages,
                                     scored=scored))
        return results

    def retrieve(self, query: str, k: int | None = None) -> Retrieval:
        vectors = self.embed([query])
        return self.search_many([query], vectors, k)[0]


#: Words people split or spell two ways that the documents write as one ("burnt out" and
#: "burned out" are the documents' "burnout"): joined before the terms are read.
JOINED_RE = re.compile(r"\b(?:burnt|burned|burn) out\b")


def lexical_terms(text: str) -> list[str]:
    """Stemmed, stopword-free terms of a text: the one analysis used for the BM25 index, for
    queries, and for matching sentences in replies."""
    stop = _stopwords()
    text = JOINED_RE.sub("burnout", text.lower())
    return _stemmer().stemWords([t for t in TOKEN_RE.findall(text) if t not in stop])


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")
