"""Imported CE entries in the database, on SQLite and PostgreSQL: one import is one
transaction (all or nothing) carrying its batch id, Undo removes exactly that import, the next
nudge is computed again, /forget removes imported entries too; and `python -m bot ce import`."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from conftest import ROOT, open_empty_storage
from sqlalchemy import select, update

from bot.cli.transcript_sample import render_pdf, render_text, sample_activities
from bot.storage.models import CECredential, CEEntryRow
from bot.storage.store import Storage

TODAY = dt.date.today()


@pytest.fixture(params=["sqlite", "postgresql"])
async def storage(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'pathway.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = await open_empty_storage(url)
    yield store
    await store.close()


def row(n: int, **extra) -> dict:
    return {"hours": 1.0 + n / 4, "topic": "law", "audience": "T",
            "completed_on": TODAY - dt.timedelta(days=n), "title": f"Course {n}",
            "uan": f"0009-0000-25-{n:03d}-H03-T", "delivery": "home study", "tags": None,
            "provider": "FreeCE", **extra}


async def log_of(storage, user: int) -> list[tuple]:
    return [(r.title, r.hours, r.import_batch) for r in await storage.entries(user)]


async def test_undo_removes_exactly_that_import(storage):
    await storage.add_entry(7, **{k: v for k, v in row(0).items() if k != "provider"})
    assert await storage.import_entries(7, "first", [row(1), row(2)]) == 2
    assert await storage.import_entries(7, "second", [row(3)]) == 1
    await storage.import_entries(8, "first", [row(4)])  # another user's batch of that name
    before_second = await log_of(storage, 7)
    assert [r.provider for r in await storage.entries(7)] == ["FreeCE"] * 3 + [None]
    assert await storage.undo_import(7, "first") == 2
    assert await log_of(storage, 7) == [t for t in before_second if t[2] != "first"]
    assert await log_of(storage, 8) == [("Course 4", 2.0, "first")]
    assert await storage.undo_import(7, "first") == 0


async def test_an_import_is_all_or_nothing(storage):
    await storage.import_entries(9, "ok", [row(1)])
    with pytest.raises(Exception):  # noqa: B017 - the database refuses the row, whatever its error
        await storage.import_entries(9, "broken", [row(2), row(3, hours=None), row(4)])
    assert await log_of(storage, 9) == [("Course 1", 1.25, "ok")]


async def test_import_creates_the_user_and_computes_the_next_nudge_again(storage):
    assert await storage.get_user(11) is None
    await storage.touch_user(11, chat_id=11)
    await storage.set_credential(11, "ptcb-cpht", TODAY + dt.timedelta(days=120))
    async with storage.session() as s:
        await s.execute(update(CECredential).values(next_nudge_due=None))
    await storage.import_entries(11, "b", [row(1)])
    async with storage.session() as s:
        due = (await s.execute(select(CECredential.next_nudge_due))).scalar_one()
    assert due is not None
    await storage.import_entries(12, "b", [row(1)])
    assert (await storage.get_user(12)) is not None


async def test_forget_removes_imported_entries(storage):
    await storage.import_entries(13, "b", [row(1), row(2)])
    await storage.forget(13)
    async with storage.session() as s:
        left = (await s.execute(select(CEEntryRow).where(CEEntryRow.user_id == 13))).all()
    assert left == []


# --- python -m bot ce import ---------------------------------------------------------------


def run_cli(tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], check=False, cwd=tmp_path, capture_output=True,
        text=True, input=stdin,
        env={**os.environ, "PYTHONPATH": str(ROOT),
             "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
             "CHROMA_PATH": str(tmp_path / "chroma"), "LOG_LEVEL": "WARNING"},
        timeout=120)


async def test_ce_import_command_previews_asks_and_imports(tmp_path):
    activities = sample_activities(12, end=TODAY)
    (tmp_path / "transcript.pdf").write_bytes(render_pdf(activities))
    (tmp_path / "pasted.txt").write_text(render_text(activities, wrap=25))
    (tmp_path / "photo.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    (tmp_path / "notes.txt").write_text("renew my cpht by march\n")

    declined = run_cli(tmp_path, "ce", "import", "transcript.pdf", "--user", "42", stdin="n\n")
    assert declined.returncode == 1, declined.stderr
    assert "Found 12 activities with a UAN; 12 new" in declined.stdout
    assert "Nothing imported." in declined.stdout
    done = run_cli(tmp_path, "ce", "import", "transcript.pdf", "--user", "42", stdin="y\n")
    assert done.returncode == 0, done.stderr
    assert "Imported 12 activities" in done.stdout
    total = round(sum(a.hours for a in activities), 2)
    store = Storage(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    try:
        rows = await store.entries(42)
        assert round(sum(r.hours for r in rows), 2) == total
        assert sorted(r.uan for r in rows) == sorted(a.uan for a in activities)
    finally:
        await store.close()

    twice = run_cli(tmp_path, "ce", "import", "pasted.txt", "--user", "42", "--yes")
    assert twice.returncode == 2 and "in your log already" in twice.stderr
    batch = done.stdout.split("Import ")[-1].split(".")[0]
    undone = run_cli(tmp_path, "ce", "undo-import", batch, "--user", "42")
    assert undone.returncode == 0 and "Removed the 12 entries" in undone.stdout
    again = run_cli(tmp_path, "ce", "import", "pasted.txt", "--user", "42", "--yes")
    assert again.returncode == 0 and "Imported 12 activities" in again.stdout

    for name, reason in (("photo.pdf", "isn't a PDF"), ("notes.txt", "doesn't look like a CPE"),
                         ("missing.pdf", "can't read missing.pdf")):
        bad = run_cli(tmp_path, "ce", "import", name, "--user", "43", "--yes")
        assert bad.returncode == 2 and reason in bad.stderr, (name, bad.stderr)
