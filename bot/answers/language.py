"""Which language a message is written in, offline.

py3langid's naive Bayes model ships inside the package (nothing is downloaded), restricted to
the languages US pharmacy technicians most often write in besides English. It reads a message
in well under a millisecond. Its model is loaded on a background thread as soon as a
:class:`LanguageReader` is made, so start-up overlaps it with loading the embedding model.

Where the model is unsure (a short greeting, a message mostly made of acronyms), the message
is read as English: the English pipeline is the one that can answer it. Spanish is also
recognised from its own words when the model hesitates on a short or mixed message ("mi CPhT
expira, que hago").
"""

# ruff: noqa: SIM905
from __future__ import annotations

import hashlib
import logging
import mmap
import os
import re
import threading
import unicodedata
import zipfile
from array import array
from pathlib import Path

import numpy as np

from bot.answers.memory import release_free_memory

log = logging.getLogger(__name__)

ENGLISH = "en"
SPANISH = "es"
OTHER = "und"  # a language the model cannot name (ISO 639-2 "undetermined")
#: Languages the model chooses between. Only English and Spanish are read for meaning; the
#: others are here so that a Portuguese or Tagalog message is not taken for Spanish or English.
LANGUAGES = ("en", "es", "pt", "vi", "tl", "zh", "ar", "fr", "ru", "ht", "ko", "hi", "it",
             "pl", "ja", "de", "he", "fa", "ur", "pa", "bn", "gu", "ta", "uk", "el", "th", "km",
             "hy", "so", "am", "ne", "my", "lo", "tr", "ro")
#: How sure the model must be before a message is read as not English.
CONFIDENT = 0.80
#: A message with a Spanish marker word needs only this much for Spanish.
SPANISH_WITH_MARKERS = 0.50
#: Spanish marker words that make an unsure "English" reading Spanish.
ENGLISH_OUTVOTED_BY = 3

#: Words that are common in Spanish chat and rare in English (accents stripped).
SPANISH_MARKERS = frozenset("""
que como cuando donde porque quiero puedo necesito tengo estoy soy trabajo farmacia tecnico
tecnica certificacion certificado licencia examen ayuda hola gracias pero tambien mucho muy
para por con sin mas ya hago hacer saber cuanto cuantos cuantas horas ano anos mes meses
ser estar mi mis tu su los las del una unos unas esta este eso esto nada vida vivir morir
matarme suicidarme pastillas jefe chamba sueldo pagan pago renovar vence expira muerte muerto
muerta matar morirme cortarme lastimarme quitarme despedida carga sobredosis
el la es vale pena mejor peor aprender estudiar estudio sacar ganar gana ganan cuesta dinero
curso cursos escuela clases tiene tienen hay debo deberia puede pueden sirve bueno buena entre
despues antes ahora aqui donde cual cuales prueba reprobe pase tecnicos farmaceutico renuevo
renovacion trabajar quisiera alguien sobre cosas
""".split())

WORD_RE = re.compile(r"[a-zñ]+")
#: Short Spanish messages the model cannot be sure of on its own ("hola" reads as English).
SPANISH_SHORT = frozenset({
    "hola", "ayuda", "ayudame", "buenas", "buenos dias", "buenas tardes", "buenas noches",
    "gracias", "muchas gracias", "por favor", "que tal", "hola buenas", "necesito ayuda",
    "hola necesito ayuda", "espanol", "en espanol", "hablas espanol",
})


def fold(text: str) -> str:
    """Lowercase without accents ("Técnico" -> "tecnico"), keeping ñ."""
    if text.isascii() and "\0" not in text:  # most messages: nothing to decompose
        return text.lower()
    text = text.lower().replace("ñ", "\0")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch))
    return text.replace("\0", "ñ")


class LanguageReader:
    """Detects the language of a message; the model loads in the background.

    ``cache_dir``: where the model's byte automaton (a 39 MB transition table, of which a
    message touches a few rows) is kept as a file and mapped read-only, so only the pages
    messages reach are resident, and they are shared by every process on the machine. None
    keeps the table in memory.
    """

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self._identifier = None
        self._error: Exception | None = None
        self._loaded = threading.Event()
        threading.Thread(target=self._load, name="language-model", daemon=True).start()

    def _load(self) -> None:
        try:
            identifier = None
            if self.cache_dir is not None:
                identifier = cached_identifier(self.cache_dir)
            if identifier is None:
                identifier = packaged_identifier()
                if self.cache_dir is not None:
                    save_identifier(identifier, self.cache_dir)
                    identifier.tk_nextmove = mapped_table(
                        identifier.tk_nextmove, self.cache_dir, model_source())
            self._identifier = identifier
            del identifier
            release_free_memory()  # the decompressed model's full table and file buffers
        except Exception as exc:  # noqa: BLE001 -- reported on first use, in the caller's thread
            self._error = exc
        finally:
            self._loaded.set()

    def ready(self) -> bool:
        return self._loaded.is_set() and self._identifier is not None

    def scores(self, text: str) -> tuple[str, float]:
        """The model's best language and its probability."""
        self._loaded.wait()
        if self._identifier is None:
            raise RuntimeError("the language model could not be loaded") from self._error
        lang, confidence = self._identifier.classify(text)
        return lang, float(confidence)

    def detect(self, text: str) -> str:
        """ISO 639-1 code of the message's language; English when unsure."""
        letters = sum(map(str.isalpha, text))
        if letters == 0:
            return ENGLISH
        if " ".join(WORD_RE.findall(fold(text))) in SPANISH_SHORT:
            return SPANISH
        lang, confidence = self.scores(text)
        non_latin = 0 if text.isascii() else sum(ord(ch) > 0x24F for ch in text
                                                 if ch.isalpha())
        if non_latin * 2 > letters:  # mostly another script: surely not English
            return lang if lang != ENGLISH else OTHER
        if lang == ENGLISH and confidence >= CONFIDENT:
            return ENGLISH
        if lang == SPANISH or confidence < CONFIDENT:
            # unsure, or Spanish: Spanish words decide ("sterile compounding vale la pena?"
            # reads as Romanian to the model; an English message needs more than one of them)
            markers = spanish_markers(text)
            if lang == ENGLISH:
                return SPANISH if markers >= ENGLISH_OUTVOTED_BY else ENGLISH
            if lang == SPANISH and confidence >= CONFIDENT:
                return SPANISH
            if markers and (lang == SPANISH and confidence >= SPANISH_WITH_MARKERS
                            or markers >= 2):
                return SPANISH
            return ENGLISH
        if confidence >= CONFIDENT and letters >= 12:
            return lang
        return ENGLISH


def model_source() -> Path:
    """The model file py3langid ships."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def packaged_identifier():
    """py3langid's identifier read from its packaged model (an xz-compressed file: about half
    a second to decompress), restricted to ``LANGUAGES`` and laid out for reading."""
    from py3langid.langid import LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(model_source(), norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    # set_languages leaves the table column-major (a transposed copy): the 35 numbers of one
    # feature were 35 cache lines 200 KB apart, and a message reads a hundred features (cache
    # misses right after the model had run). Row-major, a feature's numbers are adjacent; the
    # same 7 MB (the column-major copy is dropped just below), the same scores to the bit.
    identifier.nb_ptc = np.ascontiguousarray(identifier.nb_ptc)
    # keep only the chosen languages' columns (the full table is 28 MB) and the DFA's outputs
    # as a compact array rather than a list of Python ints
    identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)
    identifier.tk_output = array("i", identifier.tk_output)
    identifier._rowbase = array("l", identifier._rowbase)  # not 104,583 int objects
    return identifier


def _model_key(source: Path, *parts: object) -> str:
    """A name for files made from the model ``source``: a new model gets new files."""
    stat = source.stat()
    text = "|".join(str(p) for p in (source.name, stat.st_size, stat.st_mtime_ns, *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _identifier_path(directory: Path) -> Path:
    return directory / f"langid-model-{_model_key(model_source(), *LANGUAGES)}.npz"


def save_identifier(identifier, directory: Path) -> None:
    """The identifier's tables as read (``packaged_identifier``), uncompressed, in
    ``directory``: the next start reads them in milliseconds instead of decompressing the
    packaged model. Its automaton is the mapped table (``mapped_table``) beside it."""
    path = _identifier_path(directory)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}.npz")
    try:
        np.savez(tmp, ptc=identifier.nb_ptc, pc=identifier.nb_pc,
                 classes=np.array(identifier.nb_classes),
                 output=np.frombuffer(identifier.tk_output, dtype=np.int32),
                 row=np.asarray(identifier.tk_row, dtype=np.int64),
                 nextmove_typecode=np.array(identifier.tk_nextmove.typecode),
                 nextmove_length=np.array(len(identifier.tk_nextmove)))
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:
        log.info("language model not cached (%s: %s)", path, exc)
        tmp.unlink(missing_ok=True)


def cached_identifier(directory: Path):
    """The identifier ``save_identifier`` kept in ``directory``, its automaton mapped from
    the file beside it; None when either is missing or unreadable."""
    from py3langid.langid import LanguageIdentifier

    path = _identifier_path(directory)
    try:
        with np.load(path, allow_pickle=False) as data:
            typecode = str(data["nextmove_typecode"])
            length = int(data["nextmove_length"])
            nextmove = _mapped_file(directory, typecode, length, model_source())
            if nextmove is None:
                return None
            identifier = LanguageIdentifier(
                data["ptc"], data["pc"], data["classes"].tolist(), nextmove,
                array("i", data["output"].tobytes()), norm_probs=True,
                tk_row=data["row"].tolist())
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        if not isinstance(exc, FileNotFoundError):
            log.info("language model cache unreadable (%s: %s)", path, exc)
        return None
    identifier._rowbase = array("l", identifier._rowbase)
    return identifier


def _table_path(directory: Path, typecode: str, nbytes: int, source: Path) -> Path:
    return directory / f"langid-dfa-{typecode}-{_model_key(source, nbytes)}.bin"


def _mapped_file(directory: Path, typecode: str, length: int,
                 source: Path) -> memoryview | None:
    """The mapped automaton file ``mapped_table`` wrote, if it is there whole."""
    nbytes = length * array(typecode).itemsize
    path = _table_path(directory, typecode, nbytes, source)
    try:
        if path.stat().st_size != nbytes:
            return None
        return _map(path, typecode)
    except (OSError, ValueError):
        return None


def _map(path: Path, typecode: str) -> memoryview:
    """The file at ``path``, mapped read-only, as integers of ``typecode``."""
    with path.open("rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(mapped).cast(typecode)


def mapped_table(table: array, directory: Path, source: Path) -> array | memoryview:
    """``table`` (read from the model file ``source``) as a read-only memory map of a file in
    ``directory``, written once and named after the model file (size, modification time) so
    a new model gets a new file; the table itself when the file cannot be written or mapped.
    Indexing the map gives the same integers as indexing the table."""
    data = memoryview(table).cast("B")
    path = _table_path(directory, table.typecode, len(data), source)
    try:
        if not path.is_file() or path.stat().st_size != len(data):
            tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return _map(path, table.typecode)
    except (OSError, ValueError) as exc:
        log.info("language model table kept in memory (%s: %s)", path, exc)
        return table


def spanish_markers(text: str) -> int:
    """How many distinct Spanish marker words the text has."""
    return len(set(WORD_RE.findall(fold(text))) & SPANISH_MARKERS)
