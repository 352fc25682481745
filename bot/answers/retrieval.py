"""Retrieval: the embedder, the Chroma collection, the BM25 index, and their fusion.

Per question the work is one query embedding (shared by dense search and the scope check)
plus index look-ups; everything computable per passage was computed by ``ingest.py``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path
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

    def __init__(self, settings: Settings, client: Callable[[], ClientAPI]):
        self.settings = settings
        self._client = client  # called only for a Chroma server

    @property
    def client(self) -> ClientAPI:
        return self._client()

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


#: An embedded store's contents as the question path reads them, in one file beside the store:
#: written by ``ingest.py`` after every sync, removed before it writes anything, so a file that
#: is there always matches the store. A start reads it in milliseconds and without importing
#: chromadb (about a second on 2 cores: its import, the client, its read of the collection).
SNAPSHOT_FILE = "knowledge-snapshot.npz"


@dataclass
class StoreContents:
    """What the question path reads from the store at start."""

    manifest: dict[str, Any]
    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]
    embeddings: np.ndarray  # one row per id, float32


def snapshot_path(settings: Settings) -> Path | None:
    """Where an embedded store's snapshot is; None for a Chroma server (each replica reads
    the server, and no replica depends on a file another machine wrote)."""
    return None if settings.chroma_host else settings.chroma_path / SNAPSHOT_FILE


def read_store(client: ClientAPI) -> StoreContents | None:
    """The manifest and the knowledge collection, read from Chroma; None when ingest has not
    written a store of this format."""
    manifest = read_manifest(client)
    if manifest is None or manifest.get("format") != STORE_FORMAT or not manifest.get("chunks"):
        return None
    got = client.get_collection(COLLECTION).get(
        include=["documents", "metadatas", "embeddings"])
    embeddings = np.asarray(got["embeddings"], dtype=np.float32)
    if not got["ids"]:
        embeddings = embeddings.reshape(0, 0)
    return StoreContents(manifest=manifest, ids=list(got["ids"]), documents=list(got["documents"]),
                         metadatas=list(got["metadatas"]), embeddings=embeddings)


def drop_snapshot(settings: Settings) -> None:
    """Remove the snapshot (ingest, before it writes to the store)."""
    path = snapshot_path(settings)
    if path is not None:
        path.unlink(missing_ok=True)


def write_snapshot(settings: Settings, client: ClientAPI) -> bool:
    """Write the snapshot of the store as it is now (ingest, after its last write); False
    for a Chroma server, or when there is no store of this format to snapshot."""
    path = snapshot_path(settings)
    contents = read_store(client) if path is not None else None
    if path is None or contents is None:
        return False
    records = json.dumps({"manifest": contents.manifest, "ids": contents.ids,
                          "documents": contents.documents, "metadatas": contents.metadatas})
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}.npz")
    np.savez(tmp, format=np.array(STORE_FORMAT), embeddings=contents.embeddings,
             records=np.frombuffer(records.encode("utf-8"), dtype=np.uint8))
    os.replace(tmp, path)
    return True


def read_snapshot(settings: Settings) -> StoreContents | None:
    """The snapshot ``write_snapshot`` left, if it is there and whole; None otherwise (the
    store is read from Chroma)."""
    path = snapshot_path(settings)
    if path is None:
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != STORE_FORMAT:
                return None
            records = json.loads(data["records"].tobytes().decode("utf-8"))
            embeddings = np.asarray(data["embeddings"], dtype=np.float32)
        contents = StoreContents(manifest=records["manifest"], ids=records["ids"],
                                 documents=records["documents"],
                                 metadatas=records["metadatas"], embeddings=embeddings)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("store snapshot %s unreadable, reading the store (%s)", path, exc)
        return None
    if not (len(contents.ids) == len(contents.documents) == len(contents.metadatas)
            == len(contents.embeddings)):
        log.warning("store snapshot %s is inconsistent, reading the store", path)
        return None
    return contents


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
        self._opened_client: ClientAPI | None = None  # opened on first need (`_client`)
        self._collection = None
        contents = read_snapshot(settings)
        if contents is None:
            contents = read_store(self._client())
        if contents is None:
            raise StoreMissingError(
                f"No knowledge store at {store_location(settings)}. Run: python ingest.py"
            )
        self.manifest = contents.manifest
        self.cache = VectorCache(settings, self._client)
        records = list(zip(contents.ids, contents.documents, contents.metadatas, strict=True))
        self.passages: dict[str, Passage] = {
            pid: passage_from_metadata(pid, text, meta) for pid, text, meta in records
        }
        if not self.passages:
            raise StoreMissingError(
                f"The knowledge store at {store_location(settings)} is empty. "
                "Run: python ingest.py"
            )
        # passage vectors, for scoring passages against a second query vector (follow-ups)
        self.vectors: dict[str, np.ndarray] = dict(
            zip(contents.ids, contents.embeddings, strict=True))
        searchable = [
            pid for pid, _, meta in sorted(records, key=lambda r: (r[2]["path"],
                                                                  int(r[2].get("seq", 0))))
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

    def _client(self) -> ClientAPI:
        """The Chroma client, opened on first need (a start from the snapshot opens none)."""
        if self._opened_client is None:
            self._opened_client = connect(self.settings)
        return self._opened_client

    @property
    def collection(self):
        """The knowledge collection in Chroma (readiness checks count it), opened on first use."""
        if self._collection is None:
            self._collection = self._client().get_collection(COLLECTION)
        return self._collection

    @collection.setter
    def collection(self, value) -> None:
        self._collection = value

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
