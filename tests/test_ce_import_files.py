"""The transcript PDF as a hostile file: random bytes, truncated PDFs, huge page counts,
deeply nested objects, a decompression bomb, encryption, a scan, too many pages or bytes. Each
gets its clear error from the bounded child process (bot/telegram/transcript_pdf.py) within
the time limit; what is slow is stopped at the limit."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transcript_files import good_pdf, hostile_files, slow_pdf

from bot.telegram import transcript_pdf
from bot.telegram.transcript_pdf import MESSAGES, TranscriptFileError, extract_lines

FILES = hostile_files()


@pytest.mark.parametrize("name", list(FILES))
async def test_hostile_files_get_a_clear_error_within_the_limit(name):
    data, codes = FILES[name]
    started = time.monotonic()
    with pytest.raises(TranscriptFileError) as refused:
        await extract_lines(data)
    assert refused.value.code in codes
    assert str(refused.value) == MESSAGES[refused.value.code]
    assert time.monotonic() - started < transcript_pdf.TIME_LIMIT_S + 2


def test_the_messages_say_what_to_do_instead():
    assert "copy the text from the e-Profile page instead" in MESSAGES["no-text"].replace(
        "Copy", "copy")
    for code in ("not-pdf", "encrypted", "too-big", "too-many-pages", "damaged", "too-slow"):
        assert "e-Profile" in MESSAGES[code]


async def test_a_slow_pdf_is_stopped_at_the_time_limit():
    started = time.monotonic()
    with pytest.raises(TranscriptFileError) as refused:
        await extract_lines(slow_pdf(), time_limit=1.5)
    assert refused.value.code == "too-slow"
    assert 1.4 < time.monotonic() - started < 4


async def test_an_owner_password_alone_does_not_stop_reading():
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(good_pdf()))
    writer.encrypt("", "owner-only", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    lines = await extract_lines(out.getvalue())
    assert any("Activity Title" in line for line in lines)


@settings(max_examples=12, deadline=None)
@given(st.binary(min_size=0, max_size=4000), st.integers(0, 100))
def test_random_bytes_and_truncations_are_refused_cleanly(noise, cut):
    good = good_pdf()
    for data in (b"%PDF-1.5\n" + noise, good[: len(good) * cut // 100] + noise):
        try:
            lines = transcript_pdf.extract_lines_sync(data)
        except TranscriptFileError as exc:
            assert exc.code in MESSAGES
        else:  # a truncation that kept whole pages: their text, nothing else
            assert isinstance(lines, list)
