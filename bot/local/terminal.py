"""`python -m bot chat`: the local Telegram's chat in a terminal, through the same JSON API as
the chat page. Commands work as in Telegram; a message's buttons are numbered choices (type the
number); photos and documents are saved under ``data/local/`` and their paths printed."""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bot.local.server import PERSONAS, TOKEN_HEADER

BANNER = """\
Pathway bot, on a local Telegram (the same bot as in Telegram: commands, buttons, the CE log).
Type a message or a command (/start, /path, /ce, /help). When a message has buttons, type a
button's number to press it. An empty line, "quit" or Ctrl-D ends the chat."""
#: After the bot's last change, how long it must stay quiet before the prompt comes back.
QUIET_SECONDS = 1.2
REPLY_TIMEOUT = 60.0


def utf16_to_index(text: str) -> list[int]:
    """For each UTF-16 offset into ``text``, the str index it falls at."""
    index = []
    for i, ch in enumerate(text):
        index.extend([i] * (2 if ord(ch) > 0xFFFF else 1))
    index.append(len(text))
    return index


def plain_text(text: str, entities: list[dict] | None) -> str:
    """The message text with each link's address after it, as a terminal can show it."""
    if not entities:
        return text
    at = utf16_to_index(text)
    inserts = []
    for entity in entities:
        if entity.get("type") == "text_link" and entity.get("url"):
            end = at[min(entity["offset"] + entity["length"], len(at) - 1)]
            inserts.append((end, f" <{entity['url']}>"))
    for end, addition in sorted(inserts, reverse=True):
        text = text[:end] + addition + text[end:]
    return text


class TerminalChat:
    def __init__(self, page_url: str, token: str, *, persona: str = "tess",
                 files_dir: Path = Path("data/local"), out=None, inp=None) -> None:
        self.base = page_url.rstrip("/")
        self.token = token
        self.persona = next(p for p in PERSONAS if p.key == persona)
        self.files_dir = files_dir
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin
        self.shown: dict[int, str] = {}  # message_id -> what was printed (JSON)
        self.version = -1
        self.choices: list[tuple[int, dict]] = []  # (message_id, button)
        self.answers_seen = -1  # callback answers ("Saved") already shown

    # ------------------------------------------------------------------ HTTP

    def _call(self, path: str, body: dict | None = None, timeout: float = 30) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={
            TOKEN_HEADER: self.token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("description")
            except ValueError:
                detail = None
            raise RuntimeError(detail or str(exc)) from None

    def state(self, wait: float = 0) -> dict:
        query = urllib.parse.urlencode({"chat": self.persona.chat_id, "since": self.version,
                                        "wait": wait})
        return self._call(f"/api/state?{query}", timeout=wait + 30)

    def download(self, file_id: str, name: str) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"
        path = self.files_dir / safe
        request = urllib.request.Request(
            f"{self.base}/api/files/{urllib.parse.quote(file_id)}",
            headers={TOKEN_HEADER: self.token})
        with urllib.request.urlopen(request, timeout=30) as response:
            path.write_bytes(response.read())
        return path

    # ------------------------------------------------------------------ showing

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def show(self, message: dict, edited: bool) -> None:
        sender = message.get("from", {})
        if not sender.get("is_bot"):
            return  # what the user typed is on the screen already
        label = "bot (edited)" if edited else "bot"
        lines = []
        if message.get("photo"):
            size = message["photo"][-1]
            path = self.download(size["file_id"], f"photo-{message['message_id']}.png")
            lines.append(f"[photo saved: {path}]")
        if message.get("document"):
            doc = message["document"]
            name = f"{message['message_id']}-{doc.get('file_name') or 'file'}"
            path = self.download(doc["file_id"], name)
            lines.append(f"[document saved: {path}]")
        if "text" in message:
            lines.append(plain_text(message["text"], message.get("entities")))
        elif message.get("caption"):
            lines.append(plain_text(message["caption"], message.get("caption_entities")))
        self.print(f"\n{label}> " + "\n".join(lines))
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [b for row in keyboard for b in row]
        if buttons:
            self.choices = []
            for button in buttons:
                if "callback_data" in button:
                    self.choices.append((message["message_id"], button))
                    self.print(f"  [{len(self.choices)}] {button['text']}")
                elif button.get("url"):
                    self.print(f"  ({button['text']}: {button['url']})")

    def apply(self, state: dict) -> bool:
        """Print what the bot sent, edited or answered since the last look; True if anything."""
        self.version = state["version"]
        changed = False
        for message in state["messages"]:
            key = json.dumps(message, sort_keys=True)
            before = self.shown.get(message["message_id"])
            if before == key:
                continue
            self.shown[message["message_id"]] = key
            self.show(message, edited=before is not None)
            changed = changed or bool(message.get("from", {}).get("is_bot"))
        for answer in state.get("answers", []):
            if answer["n"] > self.answers_seen:
                self.answers_seen = answer["n"]
                self.print(f"  ({answer['text']})")
                changed = True
        return changed

    def wait_for_bot(self) -> None:
        """Wait until the bot has done something and then stayed quiet for a moment."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        heard = False
        while time.monotonic() < deadline:
            state = self.state(wait=QUIET_SECONDS)
            changed = self.apply(state)
            heard = heard or changed
            if heard and not changed and state["typing"] <= 0:
                return
        if not heard:
            self.print("(no answer from the bot)")

    # ------------------------------------------------------------------ the loop

    def run(self) -> int:
        self.print(BANNER)
        first = self.state()
        self.answers_seen = max((a["n"] for a in first.get("answers", [])), default=-1)
        for message in first["messages"]:  # earlier messages of this run are not repeated
            self.shown[message["message_id"]] = json.dumps(message, sort_keys=True)
        self.version = first["version"]
        while True:
            self.out.write("\nyou> ")
            self.out.flush()
            try:
                line = self.inp.readline()
            except KeyboardInterrupt:
                line = ""
            if not line or not line.strip() or line.strip().lower() in ("quit", "exit"):
                self.print()
                return 0
            line = line.strip()
            try:
                if line.isdigit() and self.choices:
                    number = int(line)
                    if not 1 <= number <= len(self.choices):
                        self.print(f"(choose 1 to {len(self.choices)})")
                        continue
                    message_id, button = self.choices[number - 1]
                    self.print(f"(pressed: {button['text']})")
                    self._call("/api/press", {"persona": self.persona.key,
                                              "message_id": message_id,
                                              "data": button["callback_data"]})
                else:
                    self.choices = []
                    self._call("/api/send", {"persona": self.persona.key, "text": line})
                self.wait_for_bot()
            except (RuntimeError, OSError) as exc:
                self.print(f"(not sent: {exc})")
