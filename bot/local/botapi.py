"""A local Telegram Bot API: the tests' stub, and under the chat page (:mod:`bot.local.server`)
what ``make run`` uses without a token.

``BotApiStub`` is a real aiohttp HTTP server on 127.0.0.1 that a real python-telegram-bot
``Application`` talks to::

    stub = BotApiStub()
    await stub.start()
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .base_url(stub.base_url)
        .base_file_url(stub.base_file_url)
        .build()
    )

Tests drive it from the same event loop: ``stub.user_message(...)`` enqueues updates that
the bot fetches with ``getUpdates`` long polling, and everything the bot sends is recorded in
``stub.sent`` / ``stub.requests``, with ``wait_for*`` helpers to await it.

Webhook delivery: after ``setWebhook`` (or ``stub.set_webhook(url, secret_token=...)``) the
stub POSTs each update to the webhook instead of serving ``getUpdates`` (which then answers 409,
like Telegram), with the ``X-Telegram-Bot-Api-Secret-Token`` header. Like Telegram it sends a
chat's next update only after the previous one was acknowledged (2xx), different chats at
once (up to ``max_connections``), and retries an update that got a timeout, a connection error
or any other status, with backoff. ``stub.set_webhook_targets([url1, url2])`` plays the load
balancer in front of several replicas: attempts go round-robin over them, and the retry of a
failed attempt goes to the next one. ``stub.webhook_attempts`` records every attempt;
``getWebhookInfo`` reports the pending count and the last error. ``stub.hold(method)`` makes
calls of a Bot API method wait (received, not yet answered) until ``stub.release(method)``.

It enforces some of Telegram's checks so that bugs which would fail in production fail in the
tests too: Telegram HTML parsing, the 4096 limit (UTF-16 code units), empty text, callback_data of
1-64 bytes, blocked users (403), unknown chats, "message is not modified", editing a message
that doesn't exist, and a few more (see ``_send_message`` / ``_edit_message_text``).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import mimetypes
import re
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
from aiohttp import web

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "BotApiStub",
    "EntityParseError",
    "StubTimeoutError",
    "UploadedFile",
    "parse_telegram_html",
]

BOT_ID = 1000
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BOT_USERNAME = "pathway_test_bot"
BOT_FIRST_NAME = "Pathway"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

# Methods whose records count as a "reply" for latency measurement.
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})

# Form fields that are plain strings and must never be JSON-decoded (PTB sends str values raw
# and JSON-encodes everything else, so "123" as text must stay a string).
_RAW_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "action", "language_code", "url",
    "inline_message_id", "business_connection_id", "message_effect_id", "photo", "document",
    "description", "short_description", "name", "title", "quote", "quote_parse_mode",
    "emoji", "sticker", "voice", "audio", "video", "animation", "thumbnail", "file_id",
    "secret_token", "ip_address",
})


# --------------------------------------------------------------------------------------------
# Errors and small helpers
# --------------------------------------------------------------------------------------------


class StubTimeoutError(AssertionError):
    """Raised by the ``wait_*`` helpers when the awaited condition never happened."""


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML."""


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    def __repr__(self) -> str:  # keep `stub.requests` printable
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


@dataclass
class _Injection:
    status: int
    remaining: int
    retry_after: int | None
    description: str | None


class _Notifier:
    """Wake-up-all primitive usable from sync code running on the event loop."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future] = set()

    def notify(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float) -> bool:
        """Wait for the next ``notify()`` or ``timeout`` seconds. True if notified."""
        if timeout <= 0:
            return False
        fut = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            done, _ = await asyncio.wait({fut}, timeout=timeout)
        finally:
            self._waiters.discard(fut)
            if not fut.done():
                fut.cancel()
        return bool(done)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _now() -> int:
    return int(time.time())


# --------------------------------------------------------------------------------------------
# Telegram HTML parse mode
# --------------------------------------------------------------------------------------------

_TAG_ENTITY_TYPES = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler", "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_entity(match: re.Match) -> str | None:
    dec, hexa, named = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(dec) if dec is not None else int(hexa, 16)
    if code <= 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_attribute(raw: str) -> str:
    # Like Telegram, attribute values decode known entities and keep other '&' literally
    # (so href="https://x/?a=1&b=2" works).
    def repl(m: re.Match) -> str:
        ch = _decode_entity(m)
        return m.group(0) if ch is None else ch

    return _HTML_ENTITY_RE.sub(repl, raw)


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    offset: int  # UTF-16 offset in the visible text
    order: int = 0  # opening order, so entities with equal ranges are listed outer first
    entity: dict | None = None  # filled for <pre> so a nested <code class=...> can set language


def parse_telegram_html(text: str) -> tuple[str, list[dict]]:
    """Parse Telegram-flavoured HTML into (visible text, list of MessageEntity dicts).

    Raises EntityParseError with a Telegram-like message on invalid markup. Stricter than
    Telegram in one documented way: a bare '&' that does not start one of &lt; &gt; &amp;
    &quot; or a numeric entity is an error (Telegram's docs require escaping it).
    """

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    out: list[str] = []
    out16 = 0
    stack: list[_OpenTag] = []
    entities: list[tuple[int, dict]] = []
    opened = 0
    i, n = 0, len(text)

    def emit(s: str) -> None:
        nonlocal out16
        out.append(s)
        out16 += _utf16_len(s)

    while i < n:
        c = text[i]
        if c == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            decoded = _decode_entity(m) if m else None
            if decoded is None:
                raise EntityParseError(
                    f"Character '&' at byte offset {byte_offset(i)} is not part of a "
                    "supported HTML entity; it must be escaped as &amp;"
                )
            emit(decoded)
            i = m.end()
            continue
        if c != "<":
            j = i + 1
            while j < n and text[j] not in "<&":
                j += 1
            emit(text[i:j])
            i = j
            continue

        start = i
        if i + 1 < n and text[i + 1] == "/":
            # ---- end tag
            j = text.find(">", i + 2)
            if j == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(start)}")
            name = text[i + 2:j].strip().lower()
            if not stack:
                raise EntityParseError(
                    f'Unexpected end tag "</{name}>" at byte offset {byte_offset(start)}'
                )
            top = stack[-1]
            if name != top.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(start)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            stack.pop()
            length = out16 - top.offset
            etype = _TAG_ENTITY_TYPES[name]
            if name == "code" and stack and stack[-1].name == "pre" and stack[-1].entity:
                lang = top.attrs.get("class", "")
                if lang.startswith("language-") and stack[-1].offset == top.offset:
                    stack[-1].entity["language"] = lang[len("language-"):]
                    i = j + 1
                    continue
            if length > 0:
                ent = top.entity if top.entity is not None else {"type": etype}
                ent.update(offset=top.offset, length=length)
                if name == "a":
                    ent["url"] = top.attrs.get("href", "")
                elif name == "blockquote" and "expandable" in top.attrs:
                    ent["type"] = "expandable_blockquote"
                elif name == "tg-emoji":
                    ent["custom_emoji_id"] = top.attrs["emoji-id"]
                entities.append((top.order, ent))
            i = j + 1
            continue

        # ---- start tag
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(start)}")
        name = text[i + 1:j].lower()
        if name not in _TAG_ENTITY_TYPES:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(start)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(start)}")
            if text[j] == ">":
                j += 1
                break
            k = j
            while k < n and (text[k].isalnum() or text[k] in "-_"):
                k += 1
            if k == j:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset '
                    f"{byte_offset(start)}"
                )
            attr = text[j:k].lower()
            j = k
            while j < n and text[j].isspace():
                j += 1
            value = ""
            if j < n and text[j] == "=":
                j += 1
                while j < n and text[j].isspace():
                    j += 1
                if j >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {byte_offset(start)}"
                    )
                if text[j] in "\"'":
                    end = text.find(text[j], j + 1)
                    if end == -1:
                        raise EntityParseError(
                            f"Unclosed start tag at byte offset {byte_offset(start)}"
                        )
                    raw_value = text[j + 1:end]
                    j = end + 1
                else:
                    k = j
                    while k < n and not text[k].isspace() and text[k] != ">":
                        k += 1
                    raw_value = text[j:k]
                    j = k
                value = _unescape_attribute(raw_value)
            attrs[attr] = value
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(start)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{byte_offset(start)}"
            )
        tag = _OpenTag(name, attrs, out16, order=opened)
        opened += 1
        if name == "pre":
            tag.entity = {"type": "pre"}
        stack.append(tag)
        i = j

    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        )
    entities.sort(key=lambda oe: (oe[1]["offset"], -oe[1]["length"], oe[0]))
    return "".join(out), [ent for _, ent in entities]


def _strip_formatted(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Trim surrounding whitespace like Telegram does and shift/clip entities accordingly."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead16 = _utf16_len(text[: len(text) - len(text.lstrip())])
    total16 = _utf16_len(stripped)
    result = []
    for ent in entities:
        start = max(ent["offset"] - lead16, 0)
        end = min(ent["offset"] + ent["length"] - lead16, total16)
        if end > start:
            result.append({**ent, "offset": start, "length": end - start})
    return stripped, result


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/GIF/BMP/WEBP image, or None if not an image."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"BM" and len(data) >= 26:
        w, h = struct.unpack("<ii", data[18:26])
        return w, abs(h)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 512, 512  # good enough: dimensions are not needed for the tests
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker == 0xFF:
                i += 1
                continue
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (seg_len,) = struct.unpack(">H", data[i + 2:i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + seg_len
        return None
    return None


def _photo_sizes(file_id: str, unique: str, size: int, w: int, h: int) -> list[dict]:
    sizes = []
    for suffix, cap in (("s", 90), ("m", 320), ("x", 800), ("y", 1280)):
        scale = min(1.0, cap / max(w, h, 1))
        sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
        sizes.append({
            "file_id": f"{file_id}{suffix}", "file_unique_id": f"{unique}{suffix}",
            "width": sw, "height": sh, "file_size": max(1, round(size * scale * scale)),
        })
        if scale == 1.0:
            break
    return sizes


# Smallest valid PNG (1x1) used for photos the fake users send.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


# --------------------------------------------------------------------------------------------
# The stub
# --------------------------------------------------------------------------------------------


class BotApiStub:
    """A fake Telegram Bot API server. See the module docstring."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0,
                 strict_chats: bool = True) -> None:
        """``strict_chats``: sending to a chat the stub has never seen (no update from it and no
        ``add_chat``) fails with 400 "chat not found", like Telegram."""
        self._host = host
        self._port = port
        self.strict_chats = strict_chats
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._closing = False

        self.seen_tokens: list[str] = []
        self.requests: list[tuple[str, dict]] = []
        self.sent: list[dict] = []
        self.errors: list[dict] = []  # every non-ok response: method, status, description...
        self.injected: list[dict] = []  # injected failures that were served
        self.updates: list[dict] = []  # every update ever enqueued, in order
        self.commands: dict[tuple[str, str], list[dict]] = {}  # (scope json, lang) -> commands
        self.callback_answers: list[dict] = []
        self.blocked: set[int] = set()

        self._pending: list[dict] = []  # updates not yet confirmed via offset
        self._update_meta: dict[int, dict] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(4_611_686_018_427_387_904)
        self._file_ids = itertools.count(1)
        self._poll_generation = 0
        self._injections: dict[str, list[_Injection]] = {}
        self._users: dict[int, dict] = {}
        self._chats: dict[int, dict] = {}  # chat_id -> {"chat", "messages", "meta", "next_id"}
        self._files: dict[str, dict] = {}  # file_id -> {"data", "filename", "file_path", ...}
        self._callbacks: dict[str, dict] = {}
        self._last_delivered: dict[int, int] = {}  # chat_id -> update_id
        self._last_delivery_time: dict[int, float] = {}
        self._last_activity: dict[int, float] = {}
        self._mark = 0
        self._request_mark = 0
        self._updates_changed = _Notifier()
        self._sent_changed = _Notifier()

        # webhook delivery
        self.webhook_attempts: list[dict] = []  # every POST: update_id, target, status/error
        self.webhook_timeout = 10.0  # seconds an attempt may take before it counts as failed
        self.webhook_retry_base = 0.1  # first retry delay; doubled per failure of an update
        self.webhook_retry_cap = 2.0
        self._webhook: dict | None = None  # url, secret_token, allowed_updates, max_connections
        self._webhook_targets: list[str] | None = None
        self._webhook_rr = itertools.count()
        self._webhook_task: asyncio.Task | None = None
        self._webhook_last_error: tuple[int, str] | None = None
        self._holds: dict[str, asyncio.Event] = {}
        self._held: dict[str, int] = {}

        self._methods: dict[str, tuple[str, Callable]] = {}
        for name in (
            "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
            "setMyCommands", "getMyCommands",
            "deleteMyCommands", "sendMessage", "editMessageText", "editMessageReplyMarkup",
            "answerCallbackQuery", "sendChatAction", "sendPhoto", "sendDocument", "getFile",
            "deleteMessage",
        ):
            handler = getattr(self, "_" + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())
            self._methods[name.lower()] = (name, handler)

    # ---------------------------------------------------------------- lifecycle

    def web_app(self) -> web.Application:
        """The aiohttp application serving the Bot API (``/bot<token>/<method>``) and its
        files (``/file/bot<token>/<path>``); :mod:`bot.local.server` adds the chat page."""
        app = web.Application(client_max_size=MAX_DOCUMENT_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        return app

    async def start(self) -> None:
        app = self.web_app()
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self._bound_port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._updates_changed.notify()  # release pending long polls
        self._sent_changed.notify()
        for method in list(self._holds):
            self.release(method)
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise RuntimeError("BotApiStub is not started")
        return self._bound_port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    @property
    def bot_user(self) -> dict:
        return {"id": BOT_ID, "is_bot": True, "first_name": BOT_FIRST_NAME,
                "username": BOT_USERNAME}

    # ---------------------------------------------------------------- test side: users/chats

    def add_chat(self, user_id: int, *, chat_id: int | None = None, chat_type: str = "private",
                 first_name: str | None = None, username: str | None = None,
                 title: str | None = None) -> dict:
        """Make a chat known (so the bot may message it without a prior update). Returns it."""
        user = self._user(user_id, first_name, username)
        if chat_type == "private":
            chat_id = user_id if chat_id is None else chat_id
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if user.get("username"):
                chat["username"] = user["username"]
        else:
            if chat_id is None:
                raise ValueError("group chats need an explicit (negative) chat_id")
            chat = {"id": chat_id, "type": chat_type, "title": title or "Pathway Test Group"}
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = {"chat": chat, "messages": {}, "meta": {},
                                            "next_id": 1}
        elif title or chat_type == "private":
            state["chat"] = chat
        return copy.deepcopy(state["chat"])

    def user_message(self, user_id: int, text: str, *, chat_id: int | None = None,
                     chat_type: str = "private", first_name: str | None = None,
                     username: str | None = None, reply_to_message_id: int | None = None,
                     entities: list[dict] | None = None) -> dict:
        """Enqueue a text message from a user. ``first_name`` defaults to the user's previous
        name or "Tess". Commands and @pathway_test_bot mentions get entities automatically."""
        if entities is None:
            entities = self._auto_entities(text)
        extra: dict[str, Any] = {"text": text}
        if entities:
            extra["entities"] = entities
        return self._enqueue_user_message(
            user_id, extra, chat_id=chat_id, chat_type=chat_type, first_name=first_name,
            username=username, reply_to_message_id=reply_to_message_id)

    def user_sticker(self, user_id: int, *, emoji: str = "👍", **chat_kwargs: Any) -> dict:
        fid = self._register_file(b"RIFF\x00\x00\x00\x00WEBP", "sticker.webp", "stickers")
        sticker = {"file_id": fid, "file_unique_id": f"U{fid}", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False,
                   "emoji": emoji, "file_size": 12}
        return self._enqueue_user_message(user_id, {"sticker": sticker}, **chat_kwargs)

    def user_photo(self, user_id: int, *, caption: str | None = None,
                   **chat_kwargs: Any) -> dict:
        fid = self._register_file(_TINY_PNG, "photo.png", "photos")
        extra: dict[str, Any] = {"photo": _photo_sizes(fid, f"U{fid}", len(_TINY_PNG), 1, 1)}
        if caption is not None:
            extra["caption"] = caption
        return self._enqueue_user_message(user_id, extra, **chat_kwargs)

    def user_document(self, user_id: int, data: bytes, filename: str, *,
                      mime_type: str | None = "application/pdf", caption: str | None = None,
                      **chat_kwargs: Any) -> dict:
        """Enqueue a document (a file) sent by a user; the bot fetches it with getFile and
        the file URL, as from Telegram."""
        fid = self._register_file(data, filename, "documents", mime_type)
        document: dict[str, Any] = {"file_id": fid, "file_unique_id": f"U{fid}",
                                    "file_name": filename, "file_size": len(data)}
        if mime_type:
            document["mime_type"] = mime_type
        extra: dict[str, Any] = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self._enqueue_user_message(user_id, extra, **chat_kwargs)

    def user_voice(self, user_id: int, *, duration: int = 3, **chat_kwargs: Any) -> dict:
        data = b"OggS" + b"\x00" * 60
        fid = self._register_file(data, "voice.oga", "voice")
        voice = {"file_id": fid, "file_unique_id": f"U{fid}", "duration": duration,
                 "mime_type": "audio/ogg", "file_size": len(data)}
        return self._enqueue_user_message(user_id, {"voice": voice}, **chat_kwargs)

    def edited_message(self, user_id: int, text: str, *, message_id: int | None = None,
                       chat_id: int | None = None) -> dict:
        """Enqueue an ``edited_message`` update: the user edits their message ``message_id``
        (default: their latest text message in the chat)."""
        chat_id = user_id if chat_id is None else chat_id
        state = self._chats.get(chat_id)
        if state is None:
            raise AssertionError(f"chat {chat_id} has no messages to edit")
        candidates = [m for m in state["messages"].values()
                      if m.get("from", {}).get("id") == user_id and "text" in m
                      and (message_id is None or m["message_id"] == message_id)]
        if not candidates:
            raise AssertionError(f"no text message from user {user_id} to edit in {chat_id}")
        msg = candidates[-1]
        msg["text"] = text
        entities = self._auto_entities(text)
        if entities:
            msg["entities"] = entities
        else:
            msg.pop("entities", None)
        msg["edit_date"] = _now()
        return self._enqueue({"edited_message": copy.deepcopy(msg)}, chat_id)

    def press_button(self, user_id: int, message: dict, callback_data: str) -> dict:
        """Enqueue a callback_query from ``user_id`` pressing a button of a bot message.

        ``message`` is a record from ``stub.sent`` / the wait helpers, or a Message dict.
        The update carries the message as it currently is (after any edits)."""
        chat_id, message_id = self._message_ref(message)
        stored = self._chats.get(chat_id, {}).get("messages", {}).get(message_id)
        if stored is None:
            raise AssertionError(f"message {message_id} not found in chat {chat_id}")
        if not stored.get("from", {}).get("is_bot"):
            raise AssertionError("press_button needs a message sent by the bot")
        user = self._user(user_id, None, None)
        query_id = str(next(self._callback_ids))
        query = {"id": query_id, "from": copy.deepcopy(user),
                 "message": copy.deepcopy(stored),
                 "chat_instance": str(7_000_000_000 + abs(chat_id)),
                 "data": callback_data}
        self._callbacks[query_id] = {"answered": False, "user_id": user_id,
                                     "chat_id": chat_id, "message_id": message_id}
        return self._enqueue({"callback_query": query}, chat_id)

    def delete_message(self, message: dict) -> None:
        """The bot's message is gone (the user deleted it): editing it now fails with 400
        "message to edit not found", as on Telegram."""
        chat_id, message_id = self._message_ref(message)
        self._chats.get(chat_id, {}).get("messages", {}).pop(message_id, None)

    def press_button_text(self, user_id: int, message: dict, button_text: str) -> dict:
        """Press the inline button whose visible text is ``button_text`` (exact match, or the
        unique button containing it)."""
        chat_id, message_id = self._message_ref(message)
        stored = self._chats.get(chat_id, {}).get("messages", {}).get(message_id)
        # the user sees the message as it is now (edits may have replaced/removed buttons)
        markup = (stored if stored is not None else message).get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        matches = [b for b in buttons if b.get("text") == button_text]
        if not matches:
            matches = [b for b in buttons if button_text in b.get("text", "")]
        if len(matches) != 1:
            listing = [(b.get("text"), b.get("callback_data") or b.get("url")) for b in buttons]
            raise AssertionError(
                f"{'no' if not matches else 'ambiguous'} button {button_text!r} in message "
                f"{message_id} of chat {chat_id}; buttons: {listing}")
        button = matches[0]
        if "callback_data" not in button:
            raise AssertionError(f"button {button_text!r} has no callback_data: {button}")
        return self.press_button(user_id, message, button["callback_data"])

    def block(self, user_id: int) -> dict:
        """The user blocks the bot: sends to their private chat now fail with 403, and a
        my_chat_member update (member -> kicked) is enqueued."""
        self.blocked.add(user_id)
        return self._enqueue_my_chat_member(user_id, "member", "kicked")

    def unblock(self, user_id: int, *, notify: bool = True) -> dict | None:
        """The user unblocks the bot (Telegram then sends my_chat_member kicked -> member)."""
        self.blocked.discard(user_id)
        if notify:
            return self._enqueue_my_chat_member(user_id, "kicked", "member")
        return None

    def inject_error(self, method: str, status: int, *, count: int = 1,
                     retry_after: int | None = None, description: str | None = None) -> None:
        """The next ``count`` calls of ``method`` fail with ``status`` (429 carries
        ``parameters.retry_after``; 502 is a JSON "Bad Gateway" with HTTP 502)."""
        key = method.lower()
        if key not in self._methods:
            raise ValueError(f"unknown method {method!r}")
        if status == 429 and retry_after is None:
            retry_after = 1
        self._injections.setdefault(key, []).append(
            _Injection(status, count, retry_after, description))

    def pending_injections(self, method: str) -> int:
        """How many injected failures of ``method`` are still waiting to be served."""
        return sum(inj.remaining for inj in self._injections.get(method.lower(), []))

    # ---------------------------------------------------------------- test side: webhooks

    @property
    def webhook(self) -> dict | None:
        """The registered webhook (url, secret_token, allowed_updates, max_connections)."""
        return copy.deepcopy(self._webhook)

    def set_webhook(self, url: str, *, secret_token: str | None = None,
                    allowed_updates: list[str] | None = None, max_connections: int = 40) -> None:
        """What a successful setWebhook does: deliver updates to ``url`` from now on."""
        self._webhook = {"url": url, "secret_token": secret_token,
                         "allowed_updates": list(allowed_updates) if allowed_updates else None,
                         "max_connections": max_connections}
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_loop())
        self._updates_changed.notify()

    def set_webhook_targets(self, urls: list[str] | None) -> None:
        """The load balancer in front of the replicas: deliver to these URLs (round-robin)
        instead of the registered webhook URL. None: the registered URL again."""
        self._webhook_targets = list(urls) if urls else None
        self._updates_changed.notify()

    @property
    def pending_count(self) -> int:
        """Updates not yet fetched and confirmed (polling) or acknowledged (webhook)."""
        return len(self._pending)

    async def wait_acknowledged(self, timeout: float = 30) -> None:
        """Wait until every update enqueued so far was acknowledged (or confirmed)."""
        deadline = time.monotonic() + timeout
        while self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StubTimeoutError(f"{len(self._pending)} update(s) still unacknowledged "
                                       f"after {timeout}s")
            await self._updates_changed.wait(min(remaining, 0.2))

    def hold(self, method: str) -> None:
        """Calls of ``method`` from now on wait (received and recorded in ``requests``, not
        answered) until :meth:`release`."""
        self._holds.setdefault(method.lower(), asyncio.Event())

    def release(self, method: str) -> None:
        gate = self._holds.pop(method.lower(), None)
        if gate is not None:
            gate.set()

    def held(self, method: str) -> int:
        """How many calls of ``method`` are waiting at the hold now."""
        return self._held.get(method.lower(), 0)

    # ---------------------------------------------------------------- test side: observing

    def mark(self) -> int:
        """Only records sent after this point count for ``wait_for*``. Returns the index."""
        self._mark = len(self.sent)
        self._request_mark = len(self.requests)
        return self._mark

    def since_mark(self, chat_id: int | None = None) -> list[dict]:
        return [r for r in self.sent[self._mark:] if chat_id is None or r["chat_id"] == chat_id]

    async def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 30) -> dict:
        """Wait for a record in ``stub.sent`` (after the mark) satisfying ``predicate``."""
        deadline = time.monotonic() + timeout
        idx = self._mark
        while True:
            while idx < len(self.sent):
                rec = self.sent[idx]
                idx += 1
                if predicate(rec):
                    return rec
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                raise StubTimeoutError(
                    f"no matching record within {timeout}s; since mark: "
                    f"{self._describe(self.sent[self._mark:])}")
            await self._sent_changed.wait(remaining)

    async def wait_for_messages(self, chat_id: int, n: int = 1, timeout: float = 30,
                                method: str | Iterable[str] | None = None) -> list[dict]:
        """Wait until ``n`` records for ``chat_id`` (optionally only ``method``) exist after
        the mark; return the first ``n``. Does not move the mark."""
        methods = {method} if isinstance(method, str) else set(method) if method else None
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.sent[self._mark:] if r["chat_id"] == chat_id
                     and (methods is None or r["method"] in methods)]
            if len(found) >= n:
                return found[:n]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                raise StubTimeoutError(
                    f"expected {n} record(s) for chat {chat_id} (method={method}) within "
                    f"{timeout}s, got {len(found)}: {self._describe(found)}")
            await self._sent_changed.wait(remaining)

    async def wait_idle(self, chat_id: int, quiet: float = 0.5, timeout: float = 30) -> list[dict]:
        """Wait until every update for the chat was fetched by the bot and the bot then did
        nothing in the chat (no message, edit or chat action) for ``quiet`` seconds.
        Returns the chat's records since the mark."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            undelivered = any(self._update_meta[u["update_id"]]["chat_id"] == chat_id
                              and self._update_meta[u["update_id"]]["delivered_at"] is None
                              for u in self._pending)
            last = max(self._last_activity.get(chat_id, 0.0),
                       self._last_delivery_time.get(chat_id, 0.0))
            if not undelivered and now - last >= quiet:
                return self.since_mark(chat_id)
            if now >= deadline:
                raise StubTimeoutError(f"chat {chat_id} not idle for {quiet}s within {timeout}s")
            wait = 0.05 if undelivered else quiet - (now - last)
            await asyncio.sleep(max(0.01, min(wait, deadline - now)))

    async def wait_for_request(self, method: str,
                               predicate: Callable[[dict], bool] | None = None,
                               timeout: float = 30) -> dict:
        """Wait for a call of ``method`` (after the mark) whose params satisfy ``predicate``;
        returns the params. Useful for answerCallbackQuery / sendChatAction."""
        deadline = time.monotonic() + timeout
        while True:
            for name, params in self.requests[self._request_mark:]:
                if name == method and (predicate is None or predicate(params)):
                    return params
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                seen = [m for m, _ in self.requests[self._request_mark:]]
                raise StubTimeoutError(f"no {method} call within {timeout}s; calls: {seen}")
            await self._sent_changed.wait(remaining)

    def messages(self, chat_id: int, *, bot_only: bool = False) -> list[dict]:
        """Current state of the chat's messages (user and bot), by message_id."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        msgs = [copy.deepcopy(m) for _, m in sorted(state["messages"].items())]
        if bot_only:
            msgs = [m for m in msgs if m.get("from", {}).get("is_bot")]
        return msgs

    def latency_details(self) -> list[dict]:
        """For each user message/callback update: the first send that answered it."""
        sends = [r for r in self.sent if r["method"] in SEND_METHODS]
        details = []
        for meta in self._update_meta.values():
            if meta["chat_id"] is None or meta["kind"] not in (
                    "message", "edited_message", "callback_query"):
                continue
            for rec in sends:
                if (rec["chat_id"] == meta["chat_id"] and rec["time"] >= meta["enqueued_at"]
                        and (rec["update_id"] or 0) >= meta["update_id"]):
                    details.append({"update_id": meta["update_id"], "chat_id": meta["chat_id"],
                                    "kind": meta["kind"], "record": rec,
                                    "latency": rec["time"] - meta["enqueued_at"]})
                    break
        return details

    def latencies(self) -> list[float]:
        """Seconds from each update's enqueue time to the first sendMessage/sendPhoto/
        sendDocument in the same chat after the bot received it."""
        return [d["latency"] for d in self.latency_details()]

    # ---------------------------------------------------------------- internals: updates

    def _user(self, user_id: int, first_name: str | None, username: str | None) -> dict:
        user = self._users.get(user_id)
        if user is None:
            user = self._users[user_id] = {"id": user_id, "is_bot": False,
                                           "first_name": first_name or "Tess",
                                           "language_code": "en"}
        if first_name:
            user["first_name"] = first_name
        if username:
            user["username"] = username
        return user

    @staticmethod
    def _auto_entities(text: str) -> list[dict]:
        entities = []
        command_end = 0
        if text.startswith("/"):
            m = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
            if m:
                command_end = m.end()
                entities.append({"type": "bot_command", "offset": 0,
                                 "length": _utf16_len(m.group(0))})
        mention = "@" + BOT_USERNAME
        for m in re.finditer(re.escape(mention) + r"(?![A-Za-z0-9_])", text):
            if m.start() < command_end:
                continue
            entities.append({"type": "mention", "offset": _utf16_len(text[:m.start()]),
                             "length": _utf16_len(mention)})
        return entities

    def _enqueue_user_message(self, user_id: int, extra: dict, *, chat_id: int | None = None,
                              chat_type: str = "private", first_name: str | None = None,
                              username: str | None = None,
                              reply_to_message_id: int | None = None) -> dict:
        chat = self.add_chat(user_id, chat_id=chat_id, chat_type=chat_type,
                             first_name=first_name, username=username)
        chat_id = chat["id"]
        state = self._chats[chat_id]
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat_id),
                               "from": copy.deepcopy(self._users[user_id]),
                               "chat": chat, "date": _now()}
        if reply_to_message_id is not None:
            original = state["messages"].get(reply_to_message_id)
            if original is None:
                raise AssertionError(
                    f"reply_to_message_id {reply_to_message_id} not found in chat {chat_id}")
            replied = copy.deepcopy(original)
            replied.pop("reply_to_message", None)
            msg["reply_to_message"] = replied
        msg.update(copy.deepcopy(extra))
        state["messages"][msg["message_id"]] = msg
        return self._enqueue({"message": copy.deepcopy(msg)}, chat_id)

    def _enqueue_my_chat_member(self, user_id: int, old: str, new: str) -> dict:
        chat = self.add_chat(user_id)
        user = copy.deepcopy(self._users[user_id])
        new_member: dict[str, Any] = {"status": new, "user": self.bot_user}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": self.bot_user}
        if old == "kicked":
            old_member["until_date"] = 0
        update = {"my_chat_member": {"chat": chat, "from": user, "date": _now(),
                                     "old_chat_member": old_member,
                                     "new_chat_member": new_member}}
        return self._enqueue(update, chat["id"])

    def _enqueue(self, body: dict, chat_id: int | None) -> dict:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **body}
        self.updates.append(update)
        self._pending.append(update)
        self._update_meta[update_id] = {"update_id": update_id, "chat_id": chat_id,
                                        "kind": next(iter(body)),
                                        "enqueued_at": time.monotonic(), "delivered_at": None}
        self._updates_changed.notify()
        return update

    def _next_message_id(self, chat_id: int) -> int:
        state = self._chats[chat_id]
        mid = state["next_id"]
        state["next_id"] += 1
        return mid

    def _register_file(self, data: bytes, filename: str | None, folder: str,
                       mime_type: str | None = None) -> str:
        n = next(self._file_ids)
        file_id = f"AgACAgIAAxkBAA{n:06d}"
        ext = (filename or "").rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        self._files[file_id] = {"data": data, "filename": filename, "mime_type": mime_type,
                                "file_path": f"{folder}/file_{n}.{ext}",
                                "file_unique_id": f"AQAD{n:06d}"}
        return file_id

    @staticmethod
    def _message_ref(message: dict) -> tuple[int, int]:
        if "chat" in message:
            return message["chat"]["id"], message["message_id"]
        if "message" in message and isinstance(message["message"], dict):
            return message["message"]["chat"]["id"], message["message"]["message_id"]
        return message["chat_id"], message["message_id"]

    @staticmethod
    def _describe(records: list[dict]) -> str:
        parts = []
        for r in records[-10:]:
            body = r.get("text") if r.get("text") is not None else r.get("caption")
            parts.append(f"{r['method']}(chat={r['chat_id']}, id={r['message_id']}, "
                         f"{str(body)[:80]!r})")
        return "[" + ", ".join(parts) + "]" if parts else "[]"

    # ---------------------------------------------------------------- internals: HTTP

    async def _read_params(self, request: web.Request) -> dict:
        params: dict[str, Any] = {}
        raw: dict[str, Any] = dict(request.query)
        body_json = None
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if hasattr(value, "file") and hasattr(value, "filename"):
                        raw[key] = UploadedFile(value.filename, value.content_type,
                                                value.file.read())
                    else:
                        raw[key] = value
            else:
                data = await request.read()
                if data.strip():
                    try:
                        body_json = json.loads(data)
                    except ValueError as exc:
                        raise _bad_request("can't parse JSON request body") from exc
                    if not isinstance(body_json, dict):
                        raise _bad_request("JSON request body must be an object")
        for key, value in raw.items():
            if isinstance(value, str) and key not in _RAW_STRING_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            params[key] = value
        if body_json:
            params.update(body_json)
        # resolve attach://name references to their multipart parts
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                part = params.get(value[len("attach://"):])
                if isinstance(part, UploadedFile):
                    params[key] = part
        return params

    @staticmethod
    def _error_response(code: int, description: str,
                        parameters: dict | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.seen_tokens:
            self.seen_tokens.append(token)
        requested = request.match_info["method"]
        name, handler = self._methods.get(requested.lower(), (requested, None))
        try:
            params = await self._read_params(request)
        except _ApiError as exc:
            params = {}
            self.requests.append((name, params))
            return self._fail(name, params, exc)
        self.requests.append((name, params))
        self._sent_changed.notify()
        gate = self._holds.get(name.lower())
        if gate is not None:
            self._held[name.lower()] = self._held.get(name.lower(), 0) + 1
            try:
                await gate.wait()
            finally:
                self._held[name.lower()] -= 1
        if handler is None:
            return self._fail(name, params, _ApiError(404, "Not Found: method not found"))
        injected = self._take_injection(name, params)
        if injected is not None:
            return injected
        try:
            result = await handler(params)
        except _ApiError as exc:
            return self._fail(name, params, exc)
        return web.json_response({"ok": True, "result": result})

    def _fail(self, method: str, params: dict, exc: _ApiError) -> web.Response:
        self.errors.append({"method": method, "status": exc.code,
                            "description": exc.description, "params": params,
                            "time": time.monotonic()})
        return self._error_response(exc.code, exc.description, exc.parameters)

    def _take_injection(self, method: str, params: dict) -> web.Response | None:
        queue = self._injections.get(method.lower())
        if not queue:
            return None
        inj = queue[0]
        inj.remaining -= 1
        if inj.remaining <= 0:
            queue.pop(0)
        parameters = None
        if inj.status == 429:
            description = inj.description or f"Too Many Requests: retry after {inj.retry_after}"
            parameters = {"retry_after": inj.retry_after}
        else:
            description = inj.description or {
                400: "Bad Request: injected error", 403: "Forbidden: injected error",
                500: "Internal Server Error", 502: "Bad Gateway",
                503: "Service Unavailable", 504: "Gateway Timeout",
            }.get(inj.status, f"Injected error {inj.status}")
            if inj.retry_after is not None:
                parameters = {"retry_after": inj.retry_after}
        self.injected.append({"method": method, "status": inj.status,
                              "description": description, "params": params,
                              "time": time.monotonic()})
        return self._fail(method, params, _ApiError(inj.status, description, parameters))

    async def _handle_file(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in self.seen_tokens:
            self.seen_tokens.append(token)
        path = request.match_info["file_path"]
        for info in self._files.values():
            if info["file_path"] == path:
                return web.Response(body=info["data"],
                                    content_type=info["mime_type"] or "application/octet-stream")
        return self._error_response(404, "Not Found")

    # ---------------------------------------------------------------- internals: validation

    def _chat_state(self, params: dict) -> dict:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            try:
                chat_id = int(chat_id)
            except ValueError:
                matches = [s for s in self._chats.values()
                           if s["chat"].get("username") and "@" + s["chat"]["username"] == chat_id]
                if not matches:
                    raise _bad_request("chat not found") from None
                chat_id = matches[0]["chat"]["id"]
        state = self._chats.get(chat_id)
        if state is None:
            if self.strict_chats:
                raise _bad_request("chat not found")
            state = self._chats[chat_id] = {
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group",
                         **({"first_name": "Unknown"} if chat_id > 0 else {"title": "Unknown"})},
                "messages": {}, "meta": {}, "next_id": 1}
        if state["chat"]["type"] == "private" and chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return state

    def _formatted(self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False,
                   ) -> tuple[str, list[dict]]:
        """Validate text/caption and return (visible text, entities)."""
        what = "message caption" if caption else "message text"
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        text = "" if text is None else str(text)
        mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
        if mode == "html":
            try:
                plain, ents = parse_telegram_html(text)
            except EntityParseError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from None
        elif mode in ("", "markdown", "markdownv2"):
            # Markdown modes are not validated by this stub: visible text == raw text.
            plain, ents = text, []
        else:
            raise _bad_request("unsupported parse_mode")
        if isinstance(entities, list) and not mode:
            ents = entities
        plain, ents = _strip_formatted(plain, ents)
        if not plain and not caption:
            raise _bad_request(f"{what} is empty")
        if _utf16_len(plain) > limit:  # Telegram counts UTF-16 code units, after parsing
            raise _bad_request(f"{what} is too long" if caption else "message is too long")
        return plain, ents

    @staticmethod
    def _validate_markup(markup: Any) -> dict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup "
                                   "must be an Array of Arrays")
            actions = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                       "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                       "copy_text", "callback_game", "pay")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise _bad_request("can't parse inline keyboard button: "
                                           "Text must be a String")
                    present = [a for a in actions if a in button]
                    if not present:
                        raise _bad_request("can't parse inline keyboard button: "
                                           "Text buttons are unallowed in the inline keyboard")
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                            raise _bad_request("BUTTON_DATA_INVALID")
                    if "url" in button and not re.match(
                            r"(https?|tg)://\S+$", str(button["url"])):
                        raise _bad_request("BUTTON_URL_INVALID")
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad_request("field \"keyboard\" of the ReplyKeyboardMarkup must be an "
                                   "Array of Arrays")
        elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        return markup

    def _reply_to(self, state: dict, params: dict) -> dict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, str):
            try:
                reply = json.loads(reply)
            except ValueError:
                raise _bad_request("can't parse reply parameters JSON object") from None
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {"message_id": params["reply_to_message_id"],
                     "allow_sending_without_reply": params.get("allow_sending_without_reply")}
        if not reply:
            return None
        target_state = state
        if reply.get("chat_id") not in (None, state["chat"]["id"]):
            target_state = self._chats.get(reply["chat_id"]) or {"messages": {}}
        original = target_state["messages"].get(reply.get("message_id"))
        if original is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise _bad_request("message to be replied not found")
        replied = copy.deepcopy(original)
        replied.pop("reply_to_message", None)
        return replied

    # ---------------------------------------------------------------- internals: recording

    def _store_bot_message(self, state: dict, msg_fields: dict, record: dict) -> dict:
        chat_id = state["chat"]["id"]
        msg = {"message_id": self._next_message_id(chat_id), "from": self.bot_user,
               "chat": copy.deepcopy(state["chat"]), "date": _now(), **msg_fields}
        state["messages"][msg["message_id"]] = msg
        state["meta"][msg["message_id"]] = {"raw_text": record.get("text"),
                                            "parse_mode": record.get("parse_mode")}
        self._record(state, msg, record)
        return copy.deepcopy(msg)

    def _record(self, state: dict, msg: dict, record: dict) -> None:
        chat_id = state["chat"]["id"]
        now = time.monotonic()
        base = {"method": None, "chat_id": chat_id, "message_id": msg["message_id"],
                "text": None, "plain_text": msg.get("text"), "entities": msg.get("entities"),
                "parse_mode": None, "reply_markup": None, "reply_to_message_id": None,
                "link_preview_options": None, "disable_notification": None,
                "photo": None, "document": None, "filename": None, "caption": None,
                "time": now, "update_id": self._last_delivered.get(chat_id),
                "message": copy.deepcopy(msg), "params": None}
        base.update(record)
        self.sent.append(base)
        self._last_activity[chat_id] = now
        self._sent_changed.notify()

    @staticmethod
    def _apply_text(msg: dict, key: str, plain: str, entities: list[dict]) -> None:
        msg[key] = plain
        ent_key = "caption_entities" if key == "caption" else "entities"
        if entities:
            msg[ent_key] = entities
        else:
            msg.pop(ent_key, None)

    # ---------------------------------------------------------------- Bot API methods

    async def _get_me(self, params: dict) -> dict:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}

    async def _get_updates(self, params: dict) -> list[dict]:
        try:
            offset = int(params.get("offset") or 0)
            limit = int(params.get("limit") or 100)
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            raise _bad_request("wrong parameter in getUpdates request") from None
        limit = min(max(limit, 1), 100)
        if self._webhook is not None:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.notify()  # an older pending poll now gets 409 Conflict
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if self._closing:
                return []
            if generation != self._poll_generation:
                raise _ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                     "sure that only one bot instance is running")
            batch = self._pending[:limit]
            if batch:
                now = time.monotonic()
                for update in batch:
                    meta = self._update_meta[update["update_id"]]
                    if meta["delivered_at"] is None:
                        meta["delivered_at"] = now
                    if meta["chat_id"] is not None:
                        self._last_delivered[meta["chat_id"]] = max(
                            update["update_id"], self._last_delivered.get(meta["chat_id"], 0))
                        self._last_delivery_time[meta["chat_id"]] = now
                return copy.deepcopy(batch)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await self._updates_changed.wait(remaining)

    async def _delete_webhook(self, params: dict) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._webhook = None
        self._updates_changed.notify()  # the delivery loop ends
        return True

    async def _set_webhook(self, params: dict) -> bool:
        url = str(params.get("url") or "")
        if not url:  # Telegram: an empty URL removes the webhook
            return await self._delete_webhook(params)
        # Telegram wants https on port 443, 80, 88 or 8443; the stub takes http for local tests
        if not re.match(r"https?://[^/\s]+", url):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad_request("bad webhook: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if allowed is not None and not (isinstance(allowed, list)
                                        and all(isinstance(a, str) for a in allowed)):
            raise _bad_request("can't parse allowed updates")
        try:
            max_connections = int(params.get("max_connections") or 40)
        except (TypeError, ValueError):
            raise _bad_request("wrong parameter max_connections") from None
        if not 1 <= max_connections <= 100:
            raise _bad_request("bad webhook: max_connections must be between 1 and 100")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.set_webhook(url, secret_token=secret, allowed_updates=allowed,
                         max_connections=max_connections)
        return True

    async def _get_webhook_info(self, params: dict) -> dict:
        hook = self._webhook
        info: dict[str, Any] = {"url": hook["url"] if hook else "",
                                "has_custom_certificate": False,
                                "pending_update_count": len(self._pending)}
        if hook:
            info["max_connections"] = hook["max_connections"]
            if hook["allowed_updates"]:
                info["allowed_updates"] = hook["allowed_updates"]
        if self._webhook_last_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    # ---------------------------------------------------------------- internals: webhooks

    async def _webhook_loop(self) -> None:
        """Deliver pending updates: per chat one at a time and in order, chats at once."""
        in_flight: dict[Any, asyncio.Task] = {}
        async with aiohttp.ClientSession() as session:
            try:
                while self._webhook is not None and not self._closing:
                    hook = self._webhook
                    allowed = hook["allowed_updates"]
                    now = time.monotonic()
                    busy = set(in_flight)
                    next_due: float | None = None
                    for update in list(self._pending):
                        meta = self._update_meta[update["update_id"]]
                        if allowed and meta["kind"] not in allowed:
                            self._pending.remove(update)  # Telegram never sends it
                            continue
                        key = (meta["chat_id"] if meta["chat_id"] is not None
                               else ("update", update["update_id"]))
                        if key in busy:
                            continue  # an earlier update of the chat is not acknowledged yet
                        busy.add(key)
                        due = meta.get("retry_at", 0.0)
                        if due > now:
                            next_due = due if next_due is None else min(next_due, due)
                            continue
                        if len(in_flight) >= hook["max_connections"]:
                            break
                        in_flight[key] = asyncio.create_task(
                            self._post_update(session, hook, update, meta, key, in_flight))
                    wait = 1.0 if next_due is None else next_due - time.monotonic()
                    await self._updates_changed.wait(min(max(wait, 0.001), 1.0))
            finally:
                for task in in_flight.values():
                    task.cancel()
                await asyncio.gather(*in_flight.values(), return_exceptions=True)

    async def _post_update(self, session: aiohttp.ClientSession, hook: dict, update: dict,
                           meta: dict, key: Any, in_flight: dict) -> None:
        try:
            targets = self._webhook_targets or [hook["url"]]
            last = meta.get("target_index")
            index = (next(self._webhook_rr) if last is None else last + 1) % len(targets)
            meta["target_index"] = index
            target = targets[index]
            headers = {SECRET_HEADER: hook["secret_token"]} if hook["secret_token"] else {}
            attempt: dict[str, Any] = {"update_id": update["update_id"],
                                       "chat_id": meta["chat_id"], "target": target,
                                       "status": None, "error": None, "time": time.monotonic()}
            try:
                async with session.post(
                        target, json=update, headers=headers,
                        timeout=aiohttp.ClientTimeout(total=self.webhook_timeout)) as response:
                    await response.read()
                    attempt["status"] = response.status
                    reason = response.reason or ""
            except TimeoutError:
                attempt["error"] = "Read timeout expired"
            except aiohttp.ClientError as exc:
                attempt["error"] = (
                    "Connection refused" if isinstance(exc, aiohttp.ClientConnectorError)
                    else f"{type(exc).__name__}: {exc}")
            self.webhook_attempts.append(attempt)
            status = attempt["status"]
            if status is not None and 200 <= status < 300:
                if update in self._pending:
                    self._pending.remove(update)
                now = time.monotonic()
                meta["delivered_at"] = now
                meta["acknowledged_by"] = target
                if meta["chat_id"] is not None:
                    self._last_delivered[meta["chat_id"]] = max(
                        update["update_id"], self._last_delivered.get(meta["chat_id"], 0))
                    self._last_delivery_time[meta["chat_id"]] = now
                return
            meta["failures"] = meta.get("failures", 0) + 1
            meta["retry_at"] = time.monotonic() + min(
                self.webhook_retry_cap, self.webhook_retry_base * 2 ** (meta["failures"] - 1))
            message = (attempt["error"] if status is None
                       else f"Wrong response from the webhook: {status} {reason}".strip())
            self._webhook_last_error = (_now(), message)
        finally:
            if in_flight.get(key) is asyncio.current_task():
                del in_flight[key]
            self._updates_changed.notify()

    @staticmethod
    def _commands_key(params: dict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    async def _set_my_commands(self, params: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}",
                                                             str(cmd.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _get_my_commands(self, params: dict) -> list[dict]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: dict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: dict) -> dict:
        plain, entities = self._formatted(params.get("text"), params.get("parse_mode"),
                                          params.get("entities"))
        markup = self._validate_markup(params.get("reply_markup"))
        state = self._chat_state(params)
        replied = self._reply_to(state, params)
        fields: dict[str, Any] = {}
        if replied is not None:
            fields["reply_to_message"] = replied
        self._apply_text(fields, "text", plain, entities)
        if params.get("link_preview_options"):
            fields["link_preview_options"] = params["link_preview_options"]
        if markup and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        return self._store_bot_message(state, fields, {
            "method": "sendMessage", "text": params.get("text"),
            "parse_mode": params.get("parse_mode"), "reply_markup": markup,
            "reply_to_message_id": replied["message_id"] if replied else None,
            "link_preview_options": params.get("link_preview_options"),
            "disable_notification": params.get("disable_notification"), "params": params})

    def _message_to_edit(self, params: dict) -> tuple[dict, dict]:
        if params.get("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        state = self._chat_state(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        msg = state["messages"].get(message_id)
        if msg is None:
            raise _bad_request("message to edit not found")
        if not msg.get("from", {}).get("is_bot"):
            raise _bad_request("message can't be edited")
        return state, msg

    async def _edit_message_text(self, params: dict) -> dict:
        plain, entities = self._formatted(params.get("text"), params.get("parse_mode"),
                                          params.get("entities"))
        markup = self._validate_markup(params.get("reply_markup"))
        state, msg = self._message_to_edit(params)
        if "text" not in msg:
            raise _bad_request("there is no text in the message to edit")
        new_markup = markup if markup and "inline_keyboard" in markup else None
        if (msg["text"] == plain and msg.get("entities", []) == entities
                and msg.get("reply_markup") == new_markup
                and msg.get("link_preview_options") == params.get("link_preview_options")):
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
        self._apply_text(msg, "text", plain, entities)
        # Like Telegram: editing the text without reply_markup removes the inline keyboard.
        if new_markup is not None:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        if params.get("link_preview_options"):
            msg["link_preview_options"] = params["link_preview_options"]
        msg["edit_date"] = _now()
        state["meta"][msg["message_id"]] = {"raw_text": params.get("text"),
                                            "parse_mode": params.get("parse_mode")}
        self._record(state, msg, {"method": "editMessageText", "text": params.get("text"),
                                  "parse_mode": params.get("parse_mode"),
                                  "reply_markup": markup,
                                  "link_preview_options": params.get("link_preview_options"),
                                  "params": params})
        return copy.deepcopy(msg)

    async def _edit_message_reply_markup(self, params: dict) -> dict:
        markup = self._validate_markup(params.get("reply_markup"))
        state, msg = self._message_to_edit(params)
        new_markup = markup if markup and "inline_keyboard" in markup else None
        if msg.get("reply_markup") == new_markup:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
        if new_markup is not None:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = _now()
        meta = state["meta"].get(msg["message_id"], {})
        self._record(state, msg, {"method": "editMessageReplyMarkup",
                                  "text": meta.get("raw_text"),
                                  "parse_mode": meta.get("parse_mode"),
                                  "caption": msg.get("caption"),
                                  "reply_markup": markup, "params": params})
        return copy.deepcopy(msg)

    async def _delete_message(self, params: dict) -> bool:
        state = self._chat_state(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        if state["messages"].pop(message_id, None) is None:
            raise _bad_request("message to delete not found")
        state["meta"].pop(message_id, None)
        self._last_activity[state["chat"]["id"]] = time.monotonic()
        self._sent_changed.notify()
        return True

    async def _answer_callback_query(self, params: dict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        info = self._callbacks.get(query_id)
        if info is None:
            raise _bad_request("query is too old and response timeout expired or query ID is "
                               "invalid")
        if len(str(params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        info["answered"] = True
        self.callback_answers.append({"callback_query_id": query_id, **info,
                                      "text": params.get("text"),
                                      "show_alert": params.get("show_alert"),
                                      "time": time.monotonic()})
        return True

    async def _send_chat_action(self, params: dict) -> bool:
        state = self._chat_state(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self._last_activity[state["chat"]["id"]] = time.monotonic()
        return True

    def _input_file(self, value: Any, kind: str) -> tuple[str, dict]:
        """Resolve an uploaded part / file_id / URL to (file_id, file info)."""
        if isinstance(value, UploadedFile):
            if not value.data:
                raise _bad_request("file must be non-empty")
            limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_DOCUMENT_BYTES
            if len(value.data) > limit:
                raise _ApiError(413, "Request Entity Too Large")
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename or "")[0] or mime
            folder = "photos" if kind == "photo" else "documents"
            fid = self._register_file(value.data, value.filename, folder, mime)
            return fid, self._files[fid]
        if value is None or value == "":
            raise _bad_request(f"there is no {kind} in the request")
        value = str(value)
        known = self._lookup_file(value)
        if known is not None:
            return known, self._files[known]
        if re.match(r"https?://\S+$", value):
            fid = self._register_file(b"", value.rsplit("/", 1)[-1] or None,
                                      kind + "s", None)
            self._files[fid]["url"] = value
            return fid, self._files[fid]
        raise _bad_request("wrong file identifier/HTTP URL specified")

    async def _send_media(self, params: dict, kind: str) -> dict:
        caption, caption_entities = self._formatted(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"),
            caption=True)
        markup = self._validate_markup(params.get("reply_markup"))
        file_id, info = self._input_file(params.get(kind), kind)
        data = info["data"]
        fields: dict[str, Any] = {}
        if kind == "photo":
            size = _image_size(data) if data else (800, 600)
            if size is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            w, h = size
            if w <= 0 or h <= 0 or w + h > 10000 or max(w, h) / max(min(w, h), 1) > 20:
                raise _bad_request("PHOTO_INVALID_DIMENSIONS")
            fields["photo"] = _photo_sizes(file_id, info["file_unique_id"], len(data), w, h)
        else:
            doc = {"file_id": file_id, "file_unique_id": info["file_unique_id"],
                   "file_size": len(data)}
            if info.get("filename"):
                doc["file_name"] = info["filename"]
            if info.get("mime_type"):
                doc["mime_type"] = info["mime_type"]
            fields["document"] = doc
        state = self._chat_state(params)
        replied = self._reply_to(state, params)
        if replied is not None:
            fields["reply_to_message"] = replied
        if caption:
            self._apply_text(fields, "caption", caption, caption_entities)
        if markup and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        return self._store_bot_message(state, fields, {
            "method": method, kind: data, "filename": info.get("filename"),
            "caption": params.get("caption"), "parse_mode": params.get("parse_mode"),
            "reply_markup": markup,
            "reply_to_message_id": replied["message_id"] if replied else None,
            "disable_notification": params.get("disable_notification"), "params": params})

    async def _send_photo(self, params: dict) -> dict:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: dict) -> dict:
        return await self._send_media(params, "document")

    def _lookup_file(self, file_id: str) -> str | None:
        """The registered file_id for ``file_id`` (photo size ids carry a suffix)."""
        if file_id in self._files:
            return file_id
        if file_id[:-1] in self._files and file_id[-1:] in ("s", "m", "x", "y"):
            return file_id[:-1]
        return None

    async def _get_file(self, params: dict) -> dict:
        file_id = str(params.get("file_id") or "")
        base = self._lookup_file(file_id)
        if base is None:
            raise _bad_request("invalid file_id")
        info = self._files[base]
        return {"file_id": file_id, "file_unique_id": info["file_unique_id"],
                "file_size": len(info["data"]), "file_path": info["file_path"]}
