"""Telegram HTML: escaping every piece of text, and splitting long messages on paragraphs."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations
    from bot.answers.reply import Reply

TELEGRAM_LIMIT = 4096
TAG_RE = re.compile(r"<[^>]+>")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def link(title: str, url: str | None) -> str:
    if not url:
        return esc(title)
    return f'<a href="{html.escape(url, quote=True)}">{esc(title)}</a>'


def reply_blocks(reply: Reply) -> list[str]:
    """The reply as HTML paragraphs (each a unit that is never split mid-tag).

    Each paragraph or list item keeps its own citation numbers; consecutive list items form
    one block, so a list is never torn apart between messages unless it is too long alone.
    """
    if reply.kind != "answer":
        return [esc(reply.lead), *(esc(n) for n in reply.notes)]
    def line(part) -> str:
        text = f"<b>{esc(part.text)}</b>" if part.role == "lead" else esc(part.text)
        return f"{'• ' if part.item else ''}{text} {esc(reply.cite_marks(part))}"

    blocks = ["\n".join(line(p) for p in group) for group in reply.paragraphs()]
    step = reply.next_step
    if step is not None:
        blocks.append(f"<b>Next step:</b> {esc(step.text)} {esc(reply.cite_marks(step))}")
    blocks.extend(f"<i>{esc(n)}</i>" for n in reply.notes)
    if reply.confirm:
        blocks.append(esc(reply.confirm))
    sources = "\n".join(
        f"[{s.number}] {link(s.title, s.url)} ({esc(s.as_of)})" for s in reply.sources
    )
    blocks.append(f"Sources:\n{sources}")
    return blocks


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """UTF-16 length of what Telegram shows for ``html_text``: tags dropped, entities decoded."""
    return utf16_length(html.unescape(TAG_RE.sub("", html_text)))


def _chars_within(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 code units (at least one)."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return max(i, 1)
    return len(text)


def _split_plain(text: str, limit: int) -> list[str]:
    """Split plain text at the last newline, sentence end or space before the limit (in UTF-16
    code units, never inside a character)."""
    pieces: list[str] = []
    while utf16_length(text) > limit:
        end = _chars_within(text, limit)
        cut = max(text.rfind("\n", 0, end), text.rfind(". ", 0, end) + 1, text.rfind(" ", 0, end))
        if cut <= end // 2:
            cut = end
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def split_messages(blocks: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join HTML blocks with blank lines into messages under the limit, breaking only between
    blocks. A single block too long for one message loses its markup and is split as text.

    The limit counts what Telegram counts: UTF-16 code units of the text after entity parsing.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        if visible_length(block) > limit:
            plain = html.unescape(TAG_RE.sub("", block))
            parts = [esc(p) for p in _split_plain(plain, limit - 16)]
        else:
            parts = [block]
        for part in parts:
            candidate = f"{current}\n\n{part}" if current else part
            if visible_length(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = part
    if current:
        messages.append(current)
    return messages
