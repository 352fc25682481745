"""A throwaway PostgreSQL server for storage tests, started from the machine's own binaries.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
Returns None (and the tests skip, saying why) where no PostgreSQL binaries are installed.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        self.dir = Path(tempfile.mkdtemp(prefix="pathway-pg-"))
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            pwd.getpwnam("postgres")  # KeyError if there is no postgres user
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        data = self.dir / "data"
        subprocess.run([*self.as_user, self.initdb, "-D", str(data), "-A", "trust", "-U",
                        "postgres"], check=True, capture_output=True)
        subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(data), "-w", "-l", str(self.dir / "log"),
             "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
             "start"],
            check=True, capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.dir / "data"), "-m", "fast",
                        "stop"], check=False, capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_postgres() -> tuple[TempPostgres | None, str]:
    """(server, "") when started, or (None, reason) when it cannot be."""
    if _bin("initdb") is None or _bin("pg_ctl") is None:
        return None, "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    try:
        server = TempPostgres()
        server.start()
    except (KeyError, subprocess.CalledProcessError, OSError) as exc:
        return None, f"could not start a temporary PostgreSQL: {exc}"
    return server, ""
