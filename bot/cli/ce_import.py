"""``python -m bot ce import FILE --user ID [--yes]``: a maintainer imports a CPE Monitor
transcript (the PDF, or its text in a file; ``-`` reads text from standard input) into a user's
CE log. It prints the same preview as the chat, asks before writing (``--yes`` does not ask),
creates the user's row if there is none, and exits non-zero with the reason on bad input.
``python -m bot ce undo-import BATCH --user ID`` removes exactly one import again.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import secrets
import sys
from pathlib import Path

from bot.ce import credentials as ce_credentials
from bot.ce.model import _sum_hours
from bot.ce.timing import local_now
from bot.ce.transcript import parse_transcript
from bot.ce.transcript_import import imported_text, plan_import, preview_text
from bot.settings import Settings
from bot.storage.store import Storage
from bot.telegram import transcript_pdf
from bot.telegram.handlers.ce import entry_fields

BAD_INPUT = 2
DECLINED = 1


def read_lines(path: str) -> list[str]:
    """The transcript's lines: a PDF's text (read in a bounded child process) or a text
    file's. Raises :class:`~bot.telegram.transcript_pdf.TranscriptFileError` or ``OSError``."""
    if path == "-":
        return sys.stdin.read().splitlines()
    file = Path(path)
    if file.stat().st_size > transcript_pdf.MAX_BYTES:
        raise transcript_pdf.TranscriptFileError("too-big")
    data = file.read_bytes()
    if b"%PDF-" in data[:1024] or file.suffix.lower() == ".pdf":
        return transcript_pdf.extract_lines_sync(data)
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise transcript_pdf.TranscriptFileError("not-pdf") from None


async def _import(settings: Settings, args: argparse.Namespace, lines: list[str]) -> int:
    storage = Storage(settings.database_url)
    try:
        await storage.init()
        user = await storage.get_user(args.user)
        today = local_now(dt.datetime.now(dt.UTC), user.timezone if user else None).date()
        transcript = parse_transcript(lines, today)
        log_entries = [r.to_entry() for r in await storage.entries(args.user)]
        plan = plan_import(transcript, log_entries)
        if plan.problem is not None:
            print(f"ce import: {plan.problem}", file=sys.stderr)
            return BAD_INPUT
        credentials = [(c, r.expiration, r.cycle_start)
                       for r in await storage.credentials(args.user)
                       if (c := ce_credentials.find(r.credential)) is not None]
        print(preview_text(plan, credentials))
        if not plan.new:
            return DECLINED
        if not args.yes:
            try:
                answer = input(f"Import into user {args.user}'s log? [y/N] ")
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing imported.")
                return DECLINED
        batch = secrets.token_hex(8)
        rows = [{**entry_fields(a.entry()), "provider": a.provider[:200] or None}
                for a in plan.new]
        await storage.import_entries(args.user, batch, rows)
        print(imported_text(len(rows), _sum_hours([r["hours"] for r in rows])))
        print(f"Import {batch}. To undo: python -m bot ce undo-import {batch} --user {args.user}")
        return 0
    finally:
        await storage.close()


async def _undo(settings: Settings, args: argparse.Namespace) -> int:
    storage = Storage(settings.database_url)
    try:
        await storage.init()
        removed = await storage.undo_import(args.user, args.batch)
    finally:
        await storage.close()
    if not removed:
        print(f"ce undo-import: user {args.user} has no entries of import {args.batch}",
              file=sys.stderr)
        return BAD_INPUT
    print(f"Removed the {removed} entries of import {args.batch}.")
    return 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "undo-import":
        return asyncio.run(_undo(settings, args))
    try:
        lines = read_lines(args.file)
    except transcript_pdf.TranscriptFileError as exc:
        print(f"ce import: {exc}", file=sys.stderr)
        return BAD_INPUT
    except OSError as exc:
        print(f"ce import: can't read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return BAD_INPUT
    return asyncio.run(_import(settings, args, lines))
