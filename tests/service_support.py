"""Running the bot as real processes (``python -m bot ...``) against the Bot API stub.

Everything here is async: the stub serves from the test's event loop, so a test must never
block it while a bot process talks to it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"
SECRET = "replica-test-secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

#: Settings a developer's environment might hold; a bot process under test gets only ours.
_CLEARED_PREFIXES = ("TELEGRAM_", "WEBHOOK_", "CHROMA_", "DATABASE_", "BOT_MODE", "METRICS_",
                     "ONNX_", "EMBEDDING_", "QUESTIONS_", "NUDGE_", "HISTORY_", "UPDATE_",
                     "INBOX_", "SHUTDOWN_", "LOG_LEVEL", "STATES_PATH", "KNOWLEDGE_PATH",
                     "TOP_K")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(stub, **settings: object) -> dict[str, str]:
    """The environment of a bot process talking to ``stub``; ``settings`` by field name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED_PREFIXES)}
    env.update({
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": stub.base_url,
        "TELEGRAM_BASE_FILE_URL": stub.base_file_url,
        "KNOWLEDGE_PATH": str(ROOT / "knowledge"),
        "LOG_LEVEL": "INFO",
        "ONNX_THREADS": "1",
    })
    env.update({key.upper(): str(value) for key, value in settings.items()})
    return env


class BotProcess:
    """``python -m bot <args>`` in ``cwd`` (so no developer .env is read), output in a log."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path, *args: str):
        self.name, self.env, self.cwd, self.args = name, env, cwd, args
        self.log_path = cwd / f"{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> BotProcess:
        self.cwd.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *self.args, cwd=self.cwd, env=self.env,
            stdout=log, stderr=asyncio.subprocess.STDOUT)
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(sig)

    async def wait(self, timeout: float) -> int:
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def stop(self) -> None:
        """Kill it if it still runs (test clean-up)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()


#: How long a bot process may take to answer /readyz. Two replicas starting at once on a
#: 2-core machine measured 100-105 s on a slower machine (December 7; 90 s had been enough on
#: the machines before), most of it after the retriever is ready.
READY_WITHIN = 240.0


async def wait_ready(process: BotProcess, base_url: str, timeout: float = READY_WITHIN) -> None:
    """Wait until ``GET base_url/readyz`` answers 200 (fail early if the process died)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            if process.proc.returncode is not None:
                raise AssertionError(f"{process.name} exited with {process.proc.returncode}:\n"
                                     f"{process.tail()}")
            try:
                async with session.get(f"{base_url}/readyz",
                                       timeout=aiohttp.ClientTimeout(total=5)) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{process.name} not ready within {timeout}s:\n"
                                     f"{process.tail()}")
            await asyncio.sleep(0.2)


async def post_update(url: str, update: dict, secret: str | None) -> int:
    """POST an update as Telegram would; returns the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session, session.post(
            url, json=update, headers=headers,
            timeout=aiohttp.ClientTimeout(total=10)) as response:
        await response.read()
        return response.status


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(
            url, timeout=aiohttp.ClientTimeout(total=10)) as response:
        return response.status, await response.text()
