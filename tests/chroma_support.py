"""A real Chroma server for tests: ``chroma run`` (the CLI installed with chromadb) on a free
port with its own data folder, as a deployment runs it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chroma_cli() -> str:
    """The ``chroma`` command beside this interpreter (the venv's), else on PATH."""
    beside = Path(sys.executable).with_name("chroma")
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        raise RuntimeError("the chroma CLI (installed with chromadb) is missing")
    return found


class ChromaServer:
    def __init__(self, path: Path, port: int | None = None):
        self.path = path
        self.port = port or _free_port()
        self.host = "127.0.0.1"
        self.process: subprocess.Popen | None = None
        self.log = path.parent / f"chroma-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60) -> ChromaServer:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [chroma_cli(), "run", "--path", str(self.path), "--host", self.host,
                 "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"chroma run did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def settings_overrides(self) -> dict:
        return {"chroma_host": self.host, "chroma_port": self.port}


class HangingProxy:
    """A TCP proxy in front of a Chroma server that, once ``hang`` is set, accepts connections
    and reads requests but never answers (new connections and open ones alike): a Chroma server
    that hangs. ``close()`` drops every connection, which ends the calls still waiting."""

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.hang = False
        self.port = 0
        self._server = None
        self._writers: set = set()

    async def start(self) -> HangingProxy:
        import asyncio

        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _handle(self, reader, writer) -> None:
        import asyncio

        self._writers.add(writer)
        try:
            if self.hang:
                while await reader.read(65536):
                    pass  # read, never answer
                return
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            self._writers.add(up_writer)

            async def relay(src, dst) -> None:
                while data := await src.read(65536):
                    if self.hang:
                        continue  # swallowed: the caller waits for ever
                    dst.write(data)
                    await dst.drain()

            await asyncio.gather(relay(reader, up_writer), relay(up_reader, writer),
                                 return_exceptions=True)
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
