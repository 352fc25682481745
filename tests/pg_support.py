"""A throwaway PostgreSQL server for storage tests, started from the machine's own binaries.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
``initdb``/``pg_ctl`` are looked up on PATH, then in Debian's /usr/lib/postgresql/<version>/bin
(the newest version), where the `postgresql` package puts them without linking them on PATH.

Where PostgreSQL cannot be started the tests skip, saying why, unless REQUIRE_POSTGRES is set
(CI sets it: see .ci/run): then they fail, so the PostgreSQL tests never skip silently there.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

REQUIRE_ENV = "REQUIRE_POSTGRES"
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin/{name}"


def _version_key(path: str) -> tuple[int, ...]:
    """(15,) for /usr/lib/postgresql/15/bin/initdb, (9, 6) for .../9.6/...: newest sorts last."""
    match = re.search(r"/postgresql/([0-9.]+)/bin/", path)
    return tuple(int(p) for p in match.group(1).split(".") if p) if match else ()


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(DEBIAN_BIN_GLOB.format(name=name)), key=_version_key)
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
            runuser = (shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
                       or "runuser")
            self.as_user = [runuser, "-u", "postgres", "--"]

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
    except KeyError:
        return None, "running as root and there is no `postgres` user to run the server as"
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip()
        return None, f"could not start a temporary PostgreSQL: {exc}: {detail}"
    except OSError as exc:
        return None, f"could not start a temporary PostgreSQL: {exc}"
    return server, ""


def postgres_required() -> bool:
    """True when REQUIRE_POSTGRES is set to anything but "", "0", "false" or "no"."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def start_postgres_for_tests() -> TempPostgres:
    """A started server, or skip the test (fail it when REQUIRE_POSTGRES is set)."""
    server, reason = start_postgres()
    if server is None:
        if postgres_required():
            pytest.fail(f"{REQUIRE_ENV} is set, but {reason}", pytrace=False)
        pytest.skip(reason)
    return server
