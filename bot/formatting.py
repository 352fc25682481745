"""Telegram HTML: escaping every piece of text, and splitting long messages on paragraphs."""

from __future__ import annotations

import html
import re

from bot.replies import Reply

TELEGRAM_LIMIT = 4096
TAG_RE = re.compile(r"<[^>]+>")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def link(title: str, url: str | None) -> str:
    if not url:
        return esc(title)
    return f'<a href="{html.escape(url, quote=True)}">{esc(title)}</a>'


def reply_blocks(reply: Reply) -> list[str]:
    """The reply as HTML paragraphs (each a unit that is never split mid-tag)."""
    if reply.kind != "answer":
        return [esc(reply.lead), *(esc(n) for n in reply.notes)]
    blocks = [f"<b>{esc(reply.lead)}</b>"]
    if reply.points:
        blocks.append("\n".join(f"• {esc(p.text)} [{p.source}]" for p in reply.points))
    if reply.next_step:
        blocks.append(f"<b>Next step:</b> {esc(reply.next_step)}")
    blocks.extend(f"<i>{esc(n)}</i>" for n in reply.notes)
    if reply.confirm:
        blocks.append(esc(reply.confirm))
    sources = "\n".join(f"[{s.number}] {link(s.title, s.url)}" for s in reply.sources)
    blocks.append(f"Sources:\n{sources}")
    return blocks


def visible_length(html_text: str) -> int:
    return len(html.unescape(TAG_RE.sub("", html_text)))


def _split_plain(text: str, limit: int) -> list[str]:
    """Split plain text at the last newline, sentence end or space before the limit."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(". ", 0, limit) + 1, text.rfind(" ", 0, limit))
        if cut <= limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def split_messages(blocks: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join HTML blocks with blank lines into messages under the limit, breaking only between
    blocks. A single block too long for one message loses its markup and is split as text."""
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
