"""The text of a transcript PDF, read off the event loop: in a child process (``python -m
bot.telegram.transcript_pdf``, the PDF on its standard input) with a memory bound and a time
limit, so that a hostile PDF (a page tree claiming a million pages, objects nested thousands
deep, a decompression bomb) costs one child process and never stalls other chats. The file is
processed in memory and not stored.

pypdf (pure Python) extracts each page in its layout mode, which keeps the table's columns
apart by runs of spaces; :mod:`bot.ce.transcript` reads the lines.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 50
TIME_LIMIT_S = 10.0
MEMORY_LIMIT_BYTES = 768 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000
#: Child processes reading PDFs at once (one chat's files are read one at a time anyway).
MAX_CONCURRENT = 2
_running = asyncio.Semaphore(MAX_CONCURRENT)

_PASTE_INSTEAD = ("copy the text of your transcript from the e-Profile page (CPE Monitor) and "
                  "paste it here")
MESSAGES = {
    "not-pdf": "That file isn't a PDF. Send the transcript PDF you download from your NABP "
               f"e-Profile (CPE Monitor), or {_PASTE_INSTEAD}.",
    "too-big": f"That PDF is over {MAX_BYTES // (1024 * 1024)} MB, too big for a CPE Monitor "
               f"transcript. Send the transcript PDF from your NABP e-Profile, or "
               f"{_PASTE_INSTEAD}.",
    "too-many-pages": f"That PDF has more than {MAX_PAGES} pages, more than a CPE Monitor "
                      f"transcript. Send the transcript PDF from your NABP e-Profile, or "
                      f"{_PASTE_INSTEAD}.",
    "encrypted": "That PDF is encrypted (password-protected), so I can't read it. Download the "
                 f"transcript again from your NABP e-Profile, or {_PASTE_INSTEAD}.",
    "no-text": "That PDF has no text in it, only images (a scan or a photo), so I can't read "
               f"it. Copy the text from the e-Profile page instead: {_PASTE_INSTEAD}.",
    "damaged": "I couldn't read that PDF: it seems damaged or isn't a real PDF. Download the "
               f"transcript again from your NABP e-Profile, or {_PASTE_INSTEAD}.",
    "too-slow": f"That PDF took too long to read (over {TIME_LIMIT_S:g} seconds), so I stopped. "
                f"Download the transcript again from your NABP e-Profile, or {_PASTE_INSTEAD}.",
}


class TranscriptFileError(ValueError):
    """A transcript file that can't be read; ``str()`` is the message for the user and
    ``code`` a key of :data:`MESSAGES`."""

    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code])
        self.code = code


def precheck(data: bytes | None = None, size: int | None = None,
             file_name: str | None = None, mime_type: str | None = None) -> None:
    """What can be told without parsing: the size (from Telegram's ``file_size`` before the
    download, or the bytes) and the ``%PDF-`` signature."""
    size = len(data) if size is None and data is not None else size
    if size is not None and size > MAX_BYTES:
        raise TranscriptFileError("too-big")
    if data is not None and b"%PDF-" not in data[:1024]:
        raise TranscriptFileError("not-pdf")
    if data is None and mime_type and mime_type != "application/pdf" and not (
            (file_name or "").lower().endswith(".pdf")):
        raise TranscriptFileError("not-pdf")


def _command() -> list[str]:
    return [sys.executable, "-m", "bot.telegram.transcript_pdf"]


def _result(returncode: int | None, stdout: bytes) -> list[str]:
    try:
        answer = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        # killed by the memory bound (MemoryError may not even be printable) or crashed
        raise TranscriptFileError("damaged") from None
    if "error" in answer:
        raise TranscriptFileError(answer["error"] if answer["error"] in MESSAGES else "damaged")
    return answer["lines"]


async def extract_lines(data: bytes, time_limit: float | None = None) -> list[str]:
    """The lines of text of a PDF's pages (pages separated by an empty line); raises
    :class:`TranscriptFileError`. Runs in a child process, killed after ``time_limit``
    (default :data:`TIME_LIMIT_S`)."""
    precheck(data)
    time_limit = TIME_LIMIT_S if time_limit is None else time_limit
    async with _running:
        return await _extract(data, time_limit)


async def _extract(data: bytes, time_limit: float) -> list[str]:
    process = await asyncio.create_subprocess_exec(
        *_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL)
    try:
        stdout, _ = await asyncio.wait_for(process.communicate(data), time_limit)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise TranscriptFileError("too-slow") from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return _result(process.returncode, stdout)


def extract_lines_sync(data: bytes, time_limit: float | None = None) -> list[str]:
    """:func:`extract_lines` for the command line."""
    precheck(data)
    time_limit = TIME_LIMIT_S if time_limit is None else time_limit
    try:
        done = subprocess.run(_command(), input=data, capture_output=True, timeout=time_limit,
                              check=False)
    except subprocess.TimeoutExpired:
        raise TranscriptFileError("too-slow") from None
    return _result(done.returncode, done.stdout)


# --------------------------------------------------------------------------------------------
# The child process
# --------------------------------------------------------------------------------------------


def _read_pdf(data: bytes) -> dict:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.disable(logging.WARNING)  # pypdf warns about every oddity of a damaged file
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):  # only an owner password: readable as it is
                    return {"error": "encrypted"}
            except (DependencyError, FileNotDecryptedError, NotImplementedError):
                return {"error": "encrypted"}
        if len(reader.pages) > MAX_PAGES:
            return {"error": "too-many-pages"}
        lines: list[str] = []
        size = 0
        for page in reader.pages:
            text = page.extract_text(extraction_mode="layout")
            size += len(text)
            if size > MAX_TEXT_CHARS:
                break
            lines.extend(text.splitlines())
            lines.append("")
    except FileNotDecryptedError:
        return {"error": "encrypted"}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, AssertionError, OverflowError, ZeroDivisionError, OSError):
        return {"error": "damaged"}
    except MemoryError:
        return {"error": "damaged"}
    if not any(line.strip() for line in lines):
        return {"error": "no-text"}
    return {"lines": lines}


def _child() -> int:
    import resource

    for limit, value in ((resource.RLIMIT_AS, MEMORY_LIMIT_BYTES),
                         (resource.RLIMIT_CPU, int(TIME_LIMIT_S) + 1)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):  # a platform without it: the parent's timeout remains
            pass
    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    try:
        answer = _read_pdf(data)
    except Exception:  # noqa: BLE001 - whatever a hostile file provokes: a damaged file
        answer = {"error": "damaged"}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child())
