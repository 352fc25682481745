"""The question path's embedder: the sentence-transformers model exported to ONNX.

`ingest.py` exports the model (sentence-transformers is the reference implementation, and
exporting needs torch) into ``Settings.onnx_dir()`` -- by default ``onnx/`` beside
``CHROMA_PATH`` -- together with the tokenizer and a record of the model it came from. The
bot, ``ask``, ``chat``, ``eval`` and ``bench`` then embed with onnxruntime and the model's own
``tokenizer.json`` through `OnnxEmbeddings`, and never import torch, transformers or
sentence-transformers.

The exported graph is the whole sentence-transformers pipeline after tokenization: the
transformer, mean pooling over the attention mask and L2 normalisation (opset 17, dynamic
batch and sequence axes). Texts are truncated at the model's ``max_seq_length`` and padded to
the longest text of each batch, as sentence-transformers does.

An export is current when its record matches the model's files (content hashes, re-hashed
only when a file's size or modification time changed) and this module's `EXPORT_FORMAT`;
otherwise ingest rebuilds it and the bot refuses to start on it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.embeddings import Embeddings
from tokenizers import Tokenizer

from bot.answers.errors import StoreMissingError
from bot.answers.memory import release_free_memory
from bot.settings import Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1  # bump when the exported graph or the tokenizer set-up changes
OPSET = 17
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
RECORD_FILE = "export.json"
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "sentence_embedding"
BATCH_SIZE = 32
# Texts per onnxruntime run. On 2 cores a run of 32 short questions is no faster than four runs
# of 8, and onnxruntime's memory arena keeps what its largest run needed: measured after 2,000
# questions, +30 MB with runs of 32 and +9 MB with runs of 8.
MAX_RUN = 8
# files of a model folder that do not change what the model computes
IGNORED_MODEL_FILES = {"README.md", ".gitattributes"}
CHUNK = 1 << 20


class ExportMissingError(StoreMissingError):
    """No current ONNX export of the model: the user must run `python ingest.py`."""


# --- the model's identity ----------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def model_files(model_path: str | Path, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every file of the model folder with its size, modification time and content hash.

    A file whose size and modification time match its entry in ``known`` keeps that entry's
    hash instead of being read again, so checking an unchanged 90 MB model costs a few stats.
    """
    root = Path(model_path)
    if not root.is_dir():
        raise ExportMissingError(f"The embedding model folder {root} does not exist.")
    known = known or {}
    files: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or path.name in IGNORED_MODEL_FILES or rel.startswith("."):
            continue
        stat = path.stat()
        entry = known.get(rel)
        if entry and entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
            files[rel] = entry
        else:
            files[rel] = {
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "sha256": _sha256(path),
            }
    return files


def identity_of(files: dict[str, Any]) -> str:
    """What an export must match: the model's file contents and this module's export format."""
    payload = {
        "export_format": EXPORT_FORMAT,
        "opset": OPSET,
        "files": {rel: entry["sha256"] for rel, entry in files.items()},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def read_record(directory: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((directory / RECORD_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict) or not all(
        (directory / name).is_file() for name in (MODEL_FILE, TOKENIZER_FILE)
    ):
        return None
    return record


def export_status(settings: Settings) -> tuple[bool, str]:
    """(current, reason): whether the export in `settings.onnx_dir()` matches the model."""
    directory = settings.onnx_dir()
    record = read_record(directory)
    if record is None:
        return False, f"no ONNX export of the embedding model at {directory}"
    if record.get("export_format") != EXPORT_FORMAT:
        return False, f"the ONNX export at {directory} was made by another exporter version"
    files = model_files(settings.model_path(), record.get("files"))
    if identity_of(files) != record.get("identity"):
        return False, f"the ONNX export at {directory} was made from a different model"
    if files != record.get("files"):  # same contents, new stats (e.g. a reinstalled venv)
        _write_record(directory, {**record, "files": files})
    return True, f"the ONNX export at {directory} is current"


def _write_record(directory: Path, record: dict[str, Any]) -> None:
    tmp = directory / (RECORD_FILE + ".tmp")
    try:
        tmp.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(directory / RECORD_FILE)
    except OSError:  # a read-only deployment: the hashes are simply computed again next time
        log.debug("could not update %s", directory / RECORD_FILE)


# --- export (ingest only: imports torch) -------------------------------------------------


def ensure_export(settings: Settings, load_model: Callable[[], SentenceTransformer]) -> bool:
    """Export the model unless a current export exists. Returns whether it exported."""
    current, reason = export_status(settings)
    if current:
        return False
    log.info("%s: exporting the embedding model to ONNX", reason)
    export_model(load_model(), settings.onnx_dir(), settings.model_path())
    return True


def export_model(model: SentenceTransformer, directory: Path, model_path: str) -> dict[str, Any]:
    """Export a sentence-transformers model (transformer + mean pooling + L2 norm) to ONNX.

    Written into a temporary folder first and moved into place, so a reader never sees half
    an export. Returns the record written with it.
    """
    import onnx
    import torch
    import transformers

    started = time.perf_counter()
    transformer = model[0]
    max_seq_length = int(model.max_seq_length)
    files = model_files(model_path)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        graph = _pooled_encoder(transformer.auto_model)
        sample = transformer.tokenizer(
            ["an example question", "a longer example question to export"],
            padding=True, return_tensors="pt",
        )
        # the TorchScript exporter warns about traced shape checks that cannot change here
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                graph,
                (sample["input_ids"], sample["attention_mask"]),
                str(tmp / MODEL_FILE),
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    OUTPUT: {0: "batch"},
                },
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        onnx.checker.check_model(str(tmp / MODEL_FILE))
        tokenizer = Tokenizer.from_file(str(Path(model_path) / TOKENIZER_FILE))
        configure_tokenizer(tokenizer, max_seq_length)
        tokenizer.save(str(tmp / TOKENIZER_FILE))
        record = {
            "export_format": EXPORT_FORMAT,
            "identity": identity_of(files),
            "model_path": str(model_path),
            "files": files,
            "max_seq_length": max_seq_length,
            "dimensions": int(transformer.auto_model.config.hidden_size),
            "opset": OPSET,
            "exported_with": {
                "torch": torch.__version__,
                "transformers": transformers.__version__,
                "onnx": onnx.__version__,
            },
        }
        (tmp / RECORD_FILE).write_text(json.dumps(record, indent=2, sort_keys=True), "utf-8")
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported the embedding model to %s in %.1f s", directory,
             time.perf_counter() - started)
    return record


def _pooled_encoder(transformer: Any) -> Any:
    """Transformer, mean pooling over real tokens, L2 normalisation: one torch module."""
    import torch

    class PooledEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(dim=1) / torch.clamp(mask.sum(dim=1), min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    return PooledEncoder().eval()


# --- inference (the question path: no torch) ----------------------------------------------


def configure_tokenizer(tokenizer: Tokenizer, max_seq_length: int) -> None:
    """Truncate at the model's max_seq_length; pad to the longest text of each batch."""
    padding = tokenizer.padding or {}
    tokenizer.enable_truncation(max_length=max_seq_length)
    tokenizer.enable_padding(  # no fixed length: the longest text of the batch
        pad_id=padding.get("pad_id", 0),
        pad_type_id=padding.get("pad_type_id", 0),
        pad_token=padding.get("pad_token", "[PAD]"),
    )


class OnnxEncoder:
    """Tokenizer + onnxruntime session over an export. Thread-safe: onnxruntime sessions and
    `tokenizers` encoders may be called from several threads."""

    def __init__(self, directory: Path, threads: int):
        import onnxruntime  # here: ingest's no-op check of the export needs none of it

        self.directory = directory
        self.record = read_record(directory) or {}
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Worker threads spin between the operators of one run (lower latency), and stop
        # spinning when the run ends, so an idle bot burns no CPU between questions.
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        options.add_session_config_entry("session.force_spinning_stop", "1")
        self.session = onnxruntime.InferenceSession(
            str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        release_free_memory()  # loading parses the 90 MB model once more than it keeps
        self.threads = threads
        self.dimensions = int(self.record.get("dimensions") or self.session.get_outputs()[0].shape[1])

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text, in the order given.

        Texts are grouped by length (longest first) so each run pads little, as
        sentence-transformers does; a run holds at most `MAX_RUN` texts.
        """
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        step = max(1, min(batch_size, MAX_RUN))
        for start in range(0, len(order), step):
            chosen = order[start : start + step]
            out[chosen] = self._run([texts[i] for i in chosen])
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (vectors,) = self.session.run([OUTPUT], {"input_ids": ids, "attention_mask": mask})
        return vectors


class OnnxEmbeddings(Embeddings):
    """LangChain embeddings over the ONNX export (the default EMBEDDING_BACKEND).

    `encode` mirrors ``SentenceTransformer.encode`` for the calls the bot makes, so code that
    batches through ``Retriever.model`` works with either backend.
    """

    def __init__(self, encoder: OnnxEncoder):
        self.encoder = encoder

    @classmethod
    def load(cls, settings: Settings) -> OnnxEmbeddings:
        """Raises ExportMissingError when there is no current export."""
        current, reason = export_status(settings)
        if not current:
            raise ExportMissingError(f"{reason[0].upper()}{reason[1:]}. Run: python ingest.py")
        return cls(OnnxEncoder(settings.onnx_dir(), settings.onnx_thread_count()))

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = BATCH_SIZE,
        normalize_embeddings: bool = True,
        convert_to_numpy: bool = True,
        **_: Any,
    ) -> np.ndarray:
        # the graph always normalises; unnormalised vectors are not available from it
        single = isinstance(sentences, str)
        vectors = self.encoder.encode([sentences] if single else list(sentences), batch_size)
        return vectors[0] if single else vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encoder.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.encode([text])[0].tolist()

