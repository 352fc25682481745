"""The local Telegram as a product: the Bot API of :mod:`bot.local.botapi` plus the chat page
(``/``, static files from ``bot/local/static``) and the small JSON API the page and the
terminal chat use (``/api/...``).

Nothing here has a login, so it is locked to the machine: it binds 127.0.0.1 unless told
otherwise, answers only requests whose ``Host`` is this server, refuses any request that
carries another ``Origin`` (a web page elsewhere posting to it), wants this start's page token
on every ``/api`` call and this start's bot token on the Bot API, and serves the page under a
Content-Security-Policy that runs only its own script.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.local.botapi import (
    BOT_ID,
    BOT_USERNAME,
    BotApiStub,
    UploadedFile,
    _ApiError,
    _bad_request,
    _Notifier,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TOKEN_HEADER = "X-Local-Token"
#: How long a "typing…" from sendChatAction shows, as in Telegram (or until the bot sends).
TYPING_SECONDS = 5.0
#: Messages of a chat the page gets (the newest).
PAGE_MESSAGES = 300
MAX_TEXT = 4096
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")

#: Clock control: called with the instant to act as now; returns a line saying what happened.
Clock = Callable[[dt.datetime], Awaitable[str]]


@dataclass(frozen=True)
class Persona:
    """A way of talking to the bot on the page: a user in a chat."""

    key: str
    label: str
    user_id: int
    chat_id: int
    first_name: str
    chat_type: str = "private"
    title: str | None = None

    def to_json(self) -> dict:
        return {"key": self.key, "label": self.label, "user_id": self.user_id,
                "chat_id": self.chat_id, "chat_type": self.chat_type,
                "first_name": self.first_name, "title": self.title}


GROUP_ID = -100_100
GROUP_TITLE = "Pharmacy team"
PERSONAS = (
    Persona("tess", "Tess (private chat)", 1001, 1001, "Tess"),
    Persona("sam", "Sam (private chat)", 1002, 1002, "Sam"),
    Persona("group-tess", f"{GROUP_TITLE} (group), as Tess", 1001, GROUP_ID, "Tess",
            "supergroup", GROUP_TITLE),
    Persona("group-sam", f"{GROUP_TITLE} (group), as Sam", 1002, GROUP_ID, "Sam",
            "supergroup", GROUP_TITLE),
)


class BindRefused(ValueError):
    """The address is not the loopback and LOCAL_CHAT_ALLOW_REMOTE is not set."""


def check_bind_address(host: str, allow_remote: bool) -> str | None:
    """None for a loopback address; for any other address a warning to print when
    ``allow_remote`` is set, else :class:`BindRefused`."""
    if host in LOOPBACK:
        return None
    if not allow_remote:
        raise BindRefused(
            f"refusing to serve the local chat on {host}: the page has no login, so anyone "
            "who can reach it can talk as your users and read their CE logs. Use 127.0.0.1, "
            "or set LOCAL_CHAT_ALLOW_REMOTE=true if you really mean it.")
    return (f"WARNING: the local chat is served on {host} with no login: anyone who can reach "
            "this address can use it as any user.")


class LocalTelegram(BotApiStub):
    """The Bot API server the real Application polls, with the chat page on top."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 8080,
                 allow_remote: bool = False) -> None:
        self.warning = check_bind_address(host, allow_remote)
        super().__init__(host=host, port=port, strict_chats=True)
        self.allow_remote = allow_remote
        #: the Bot API token the Application uses, new at each start
        self.bot_token = f"{BOT_ID}:{secrets.token_urlsafe(24)}"
        #: the page's token (sent by the page as X-Local-Token), new at each start
        self.page_token = secrets.token_urlsafe(24)
        self.clock: Clock | None = None
        self.version = 0
        self._changed = _Notifier()
        self._typing: dict[int, float] = {}  # chat_id -> monotonic time of the chat action
        for persona in PERSONAS:
            self.add_chat(persona.user_id, chat_id=persona.chat_id, chat_type=persona.chat_type,
                          first_name=persona.first_name, title=persona.title)

    # ------------------------------------------------------------------ addresses

    @property
    def page_url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}/"

    @property
    def bot_username(self) -> str:
        return BOT_USERNAME

    # ------------------------------------------------------------------ changes

    def _bump(self, chat_id: int | None = None) -> None:
        self.version += 1
        self._changed.notify()

    def _record(self, state: dict, msg: dict, record: dict) -> None:
        super()._record(state, msg, record)
        self._typing.pop(state["chat"]["id"], None)  # a message ends "typing…"
        self._bump()

    def _enqueue(self, body: dict, chat_id: int | None) -> dict:
        update = super()._enqueue(body, chat_id)
        self._bump()
        return update

    async def _send_chat_action(self, params: dict) -> bool:
        result = await super()._send_chat_action(params)
        if params.get("action") == "typing":
            self._typing[self._chat_state(params)["chat"]["id"]] = time.monotonic()
        self._bump()
        return result

    async def _delete_message(self, params: dict) -> bool:
        result = await super()._delete_message(params)
        self._bump()
        return result

    async def _answer_callback_query(self, params: dict) -> bool:
        result = await super()._answer_callback_query(params)
        self._bump()
        return result

    async def _set_my_commands(self, params: dict) -> bool:
        result = await super()._set_my_commands(params)
        self._bump()
        return result

    async def stop(self) -> None:
        self._changed.notify()
        await super().stop()

    # ------------------------------------------------------------------ the page's view

    def typing_left(self, chat_id: int) -> float:
        since = self._typing.get(chat_id)
        if since is None:
            return 0.0
        return max(0.0, TYPING_SECONDS - (time.monotonic() - since))

    def menu(self) -> list[dict]:
        """The command menu setMyCommands registered (default scope, any language)."""
        for (scope, _lang), commands in self.commands.items():
            if json.loads(scope).get("type") == "default":
                return commands
        return []

    def chat_view(self, chat_id: int) -> dict:
        messages = self.messages(chat_id)[-PAGE_MESSAGES:]
        answers = [{"n": n, "text": a["text"], "show_alert": bool(a.get("show_alert"))}
                   for n, a in enumerate(self.callback_answers)
                   if a["chat_id"] == chat_id and a.get("text")]
        return {"version": self.version, "chat_id": chat_id, "messages": messages,
                "typing": round(self.typing_left(chat_id), 2), "commands": self.menu(),
                "answers": answers}

    def file_info(self, file_id: str) -> dict | None:
        base = self._lookup_file(file_id)
        return None if base is None else self._files[base]

    def persona_document(self, persona: Persona, upload: UploadedFile,
                      caption: str | None = None) -> dict:
        """A user sends a file (the bot takes text only, and says so)."""
        fid = self._register_file(upload.data, upload.filename, "documents",
                                  upload.content_type)
        info = self._files[fid]
        document = {"file_id": fid, "file_unique_id": info["file_unique_id"],
                    "file_size": len(upload.data)}
        if upload.filename:
            document["file_name"] = upload.filename
        if upload.content_type:
            document["mime_type"] = upload.content_type
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
        return self._enqueue_user_message(
            persona.user_id, extra, chat_id=persona.chat_id, chat_type=persona.chat_type,
            first_name=persona.first_name)

    # ------------------------------------------------------------------ HTTP

    def web_app(self) -> web.Application:
        app = super().web_app()
        app.middlewares.append(self._guard)
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC, show_index=False)
        api = (("GET", "/api/config", self._api_config), ("GET", "/api/state", self._api_state),
               ("POST", "/api/send", self._api_send), ("POST", "/api/press", self._api_press),
               ("POST", "/api/upload", self._api_upload), ("POST", "/api/clock", self._api_clock),
               ("GET", "/api/files/{file_id}", self._api_file))
        for method, path, handler in api:
            app.router.add_route(method, path, handler)
        return app

    def _allowed_hosts(self) -> set[str]:
        port = self.port
        return {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]", self._host)}

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        if not self.allow_remote and host not in self._allowed_hosts():
            return _forbidden("unknown Host: this server answers only to its own address")
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            return _forbidden("cross-origin request refused")
        path = request.path
        if path.startswith("/api/"):
            given = request.headers.get(TOKEN_HEADER) or (
                request.query.get("token") if path.startswith("/api/files/") else None)
            if not given or not secrets.compare_digest(given, self.page_token):
                return _forbidden("missing or wrong page token: reload the page")
        elif path.startswith(("/bot", "/file/bot")):
            token = request.match_info.get("token", "")
            if not secrets.compare_digest(token, self.bot_token):
                return web.json_response({"ok": False, "error_code": 401,
                                          "description": "Unauthorized"}, status=401)
        response = await handler(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _index(self, request: web.Request) -> web.Response:
        page = (STATIC / "index.html").read_text("utf-8")
        page = page.replace("{{PAGE_TOKEN}}", self.page_token)
        return web.Response(text=page, content_type="text/html", headers={
            "Content-Security-Policy": CSP, "X-Frame-Options": "DENY"})

    async def _api_config(self, request: web.Request) -> web.Response:
        return web.json_response({
            "bot": {"id": BOT_ID, "name": self.bot_user["first_name"],
                    "username": BOT_USERNAME},
            "personas": [p.to_json() for p in PERSONAS],
            "clock": self.clock is not None,
        })

    async def _api_state(self, request: web.Request) -> web.Response:
        try:
            chat_id = int(request.query.get("chat", ""))
            since = int(request.query.get("since", "-1"))
            wait = min(max(float(request.query.get("wait", "0")), 0.0), 25.0)
        except ValueError:
            return _bad("chat, since and wait are numbers")
        deadline = time.monotonic() + wait
        while self.version == since and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self._changed.wait(remaining)
        return web.json_response(self.chat_view(chat_id))

    async def _json_body(self, request: web.Request) -> dict:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            raise _bad_request("the body is not JSON") from None
        if not isinstance(body, dict):
            raise _bad_request("the body is not a JSON object")
        return body

    @staticmethod
    def _persona(key: Any) -> Persona:
        for persona in PERSONAS:
            if persona.key == key:
                return persona
        raise _bad_request(f"unknown persona {key!r}")

    async def _api_send(self, request: web.Request) -> web.Response:
        try:
            body = await self._json_body(request)
            persona = self._persona(body.get("persona"))
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                raise _bad_request("message text is empty")
            if len(text) > MAX_TEXT:
                raise _bad_request(f"message is too long (at most {MAX_TEXT} characters)")
            reply_to = body.get("reply_to")
            if reply_to is not None and (
                    not isinstance(reply_to, int)
                    or reply_to not in self._chats[persona.chat_id]["messages"]):
                raise _bad_request("the message replied to is not in this chat")
        except _ApiError as exc:
            return _bad(exc.description)
        update = self.user_message(persona.user_id, text, chat_id=persona.chat_id,
                                   chat_type=persona.chat_type, first_name=persona.first_name,
                                   reply_to_message_id=reply_to)
        return web.json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _api_press(self, request: web.Request) -> web.Response:
        try:
            body = await self._json_body(request)
            persona = self._persona(body.get("persona"))
            message = self._chats[persona.chat_id]["messages"].get(body.get("message_id"))
            if message is None:
                raise _bad_request("that message is gone")
            buttons = [b for row in (message.get("reply_markup") or {}).get(
                "inline_keyboard", []) for b in row]
            data = body.get("data")
            if not any(b.get("callback_data") == data for b in buttons):
                raise _bad_request("that button is not on the message any more")
        except _ApiError as exc:
            return _bad(exc.description)
        self.press_button(persona.user_id, message, data)
        return web.json_response({"ok": True})

    async def _api_upload(self, request: web.Request) -> web.Response:
        try:
            form = await request.post()
        except ValueError:
            return _bad("expected a multipart form")
        try:
            persona = self._persona(form.get("persona"))
        except _ApiError as exc:
            return _bad(exc.description)
        part = form.get("file")
        if not hasattr(part, "file"):
            return _bad("no file in the form")
        data = part.file.read()
        if not data:
            return _bad("the file is empty")
        caption = form.get("caption")
        update = self.persona_document(
            persona, UploadedFile(part.filename, part.content_type, data),
            caption if isinstance(caption, str) and caption.strip() else None)
        return web.json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _api_clock(self, request: web.Request) -> web.Response:
        if self.clock is None:
            return _bad("no bot is attached to move the clock for")
        try:
            body = await self._json_body(request)
            raw = str(body.get("now") or "")
            instant = dt.datetime.fromisoformat(raw)
        except _ApiError as exc:
            return _bad(exc.description)
        except ValueError:
            return _bad("give the time as 2027-03-01T15:00 (UTC)")
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=dt.UTC)
        summary = await self.clock(instant.astimezone(dt.UTC))
        return web.json_response({"ok": True, "summary": summary})

    async def _api_file(self, request: web.Request) -> web.StreamResponse:
        info = self.file_info(request.match_info["file_id"])
        if info is None or not info["data"]:
            return web.json_response({"ok": False, "description": "no such file"}, status=404)
        mime = info.get("mime_type") or "application/octet-stream"
        headers = {}
        if not mime.startswith("image/"):
            name = (info.get("filename") or "file").replace('"', "")
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return web.Response(body=info["data"], content_type=mime, headers=headers)


def _forbidden(description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": 403,
                              "description": f"Forbidden: {description}"}, status=403)


def _bad(description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": 400, "description": description},
                             status=400)

