"""Hostile and broken files for the transcript import: what a fuzzer or an attacker sends
instead of a CPE Monitor transcript PDF, made here (pypdf and fpdf2 for the real PDFs)."""

from __future__ import annotations

import io
import random
import zlib

from fpdf import FPDF
from pypdf import PdfWriter

from bot.cli.transcript_sample import render_pdf, sample_activities

_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>"


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF with these objects (1 is the catalog) and a correct cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return out


def _page(extra: bytes) -> bytes:
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + extra + b" >>"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return f"<< /Length {len(data)} ".encode() + extra + b" >>\nstream\n" + data + \
        b"\nendstream"


def good_pdf() -> bytes:
    return render_pdf(sample_activities(30))


def slow_pdf(operations: int = 400_000) -> bytes:
    """One page whose content is ``operations`` text-showing operators: slow to extract."""
    ops = b"BT /F1 12 Tf " + b"1 0 0 1 10 10 Tm (x) Tj " * operations + b"ET"
    return raw_pdf([_CATALOG, _PAGES,
                    _page(b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>"),
                    _stream(ops), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def hostile_files() -> dict[str, tuple[bytes, set[str]]]:
    """name -> (file, the error codes it may get)."""
    good = good_pdf()
    encrypted = PdfWriter(clone_from=io.BytesIO(good))
    encrypted.encrypt("secret", algorithm="RC4-128")
    encrypted_bytes = io.BytesIO()
    encrypted.write(encrypted_bytes)
    scan = FPDF()
    scan.add_page()
    scan.rect(10, 10, 80, 120, style="F")  # a page of drawing, no text layer
    many = FPDF()
    many.set_font("Helvetica")
    for _ in range(51):
        many.add_page()
        many.cell(0, 5, "Activity Title")
    bomb = zlib.compress(b"0 0 Td " * 30_000_000, 9)  # 210 MB of operators in 300 kB
    return {
        "random bytes": (random.Random(1).randbytes(5000), {"not-pdf"}),
        "random bytes after a PDF header": (
            b"%PDF-1.7\n" + random.Random(2).randbytes(5000), {"damaged", "no-text"}),
        "a truncated transcript": (good[: len(good) // 2], {"damaged", "no-text"}),
        "a page tree claiming 100 million pages": (
            raw_pdf([_CATALOG, b"<< /Type /Pages /Count 100000000 /Kids [2 0 R] >>"]),
            {"damaged", "too-many-pages"}),
        "arrays nested 200,000 deep": (
            raw_pdf([_CATALOG, _PAGES, _page(b"/Foo " + b"[" * 200_000 + b"]" * 200_000)]),
            {"damaged", "no-text"}),
        "dictionaries nested 50,000 deep": (
            raw_pdf([_CATALOG, _PAGES, _page(b"/Resources " + b"<< /A " * 50_000 + b"1"
                                             + b" >>" * 50_000)]), {"damaged", "no-text"}),
        "a decompression bomb": (
            raw_pdf([_CATALOG, _PAGES, _page(b"/Contents 4 0 R"),
                     _stream(bomb, b"/Filter /FlateDecode")]), {"damaged", "no-text"}),
        "an encrypted transcript": (encrypted_bytes.getvalue(), {"encrypted"}),
        "a scan without a text layer": (bytes(scan.output()), {"no-text"}),
        "51 pages": (bytes(many.output()), {"too-many-pages"}),
        "over 10 MB": (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), {"too-big"}),
    }
