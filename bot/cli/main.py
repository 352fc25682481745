"""Command line: `python -m bot [run|ask|chat|eval|bench [nudges|transcript]|db upgrade|current|
nudges dispatch|webhook set|delete|ce import|undo-import]`.

`python -m bot` (or `run`) starts the bot in BOT_MODE: polling (the default) or webhook."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path

from bot.settings import get_settings

log = logging.getLogger(__name__)

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so the Telegram bot cannot start.

  1. Create a bot with @BotFather in Telegram and copy its token.
  2. Put it in .env:   TELEGRAM_BOT_TOKEN=123456:ABC...   (see .env.example)
  3. Run:              python -m bot

Without a token, `python -m bot` (BOT_MODE=polling) runs the same bot on a local Telegram:
a chat page at http://127.0.0.1:8080/, or `python -m bot chat` in the terminal.
"""

NO_STORE_EXIT = 2


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "chromadb", "sentence_transformers", "urllib3", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _load_replier():
    from bot.answers.engine import load_replier
    from bot.answers.errors import StoreMissingError

    try:
        return load_replier(get_settings())
    except StoreMissingError as exc:
        print(f"{exc}", file=sys.stderr)
        print("The knowledge store is built by: python ingest.py", file=sys.stderr)
        raise SystemExit(NO_STORE_EXIT) from None


def cmd_ask(args: argparse.Namespace) -> int:
    replier = _load_replier()
    if args.question == ["-"]:
        for line in sys.stdin:
            question = line.rstrip("\n")
            if not question.strip():
                continue
            reply = replier.answer(question)
            if args.json:
                print(json.dumps(reply.to_json(), ensure_ascii=False), flush=True)
            else:
                print(reply.to_text() + "\n", flush=True)
        return 0
    reply = replier.answer(" ".join(args.question))
    print(json.dumps(reply.to_json(), ensure_ascii=False) if args.json else reply.to_text())
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.cli.polling import run_terminal_chat

    return run_terminal_chat(get_settings())


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.cli.evaluation import (
        evaluate,
        evaluate_ce_words,
        evaluate_safety,
        evaluate_sections,
        false_alarms,
        load_jsonl,
        load_questions,
    )

    replier = _load_replier()
    rows = load_questions(Path(args.file))
    result = evaluate(replier, rows)
    if not args.verbose:
        result.misses = []
    print(result.report())
    print(false_alarms(replier, rows).report())
    for path in args.sections:
        sections = evaluate_sections(replier, load_jsonl(Path(path)), Path(path).name)
        if not args.verbose:
            sections.misses = []
        print(sections.report())
    for path in args.safety:
        if not Path(path).exists():
            continue
        safety = evaluate_safety(replier, load_jsonl(Path(path)), Path(path).name)
        if not args.verbose:
            safety.misses = []
        print(safety.report())
    if Path(args.ce).exists():
        ce_words = evaluate_ce_words(load_jsonl(Path(args.ce)))
        if not args.verbose:
            ce_words.misses = []
        print(ce_words.report())
    return 0


def cmd_ce(args: argparse.Namespace) -> int:
    from bot.cli.ce_import import run

    return run(get_settings(), args)


def cmd_gaps(args: argparse.Namespace) -> int:
    import asyncio

    from bot.cli.gaps import find_gaps, report
    from bot.storage.store import Storage

    since = None
    if args.since:
        try:
            since = dt.datetime.fromisoformat(args.since).replace(tzinfo=dt.UTC)
        except ValueError:
            print(f"--since {args.since!r}: give a date as YYYY-MM-DD", file=sys.stderr)
            return 2

    async def stored() -> list:
        store = Storage(get_settings().database_url)
        try:
            await store.init()  # the schema, as the bot makes it on start
            return await store.questions_since(since)
        finally:
            await store.close()

    asked = asyncio.run(stored())
    print(report(find_gaps(_load_replier(), asked, args.limit) if asked else [], len(asked)))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.what == "transcript":
        from bot.cli.bench import run_transcript_bench

        return run_transcript_bench()
    if args.what == "nudges":
        from bot.cli.bench_nudges import run_cli

        return run_cli(users=args.users, due=args.due, database_url=args.database_url)
    from bot.cli.bench import run_bench

    return run_bench(
        get_settings(), Path(args.questions), rounds=args.rounds, burst=args.burst,
        cold_runs=args.cold_runs, limit=args.limit, ingest=args.ingest,
    )


def cmd_db(args: argparse.Namespace) -> int:
    """`db upgrade` applies the pending migrations (under the upgrade lock, as the bot does on
    start); `db current` prints the revision the database is at."""
    import asyncio

    from bot.storage import migrations

    url = get_settings().database_url
    if args.action == "upgrade":
        result = asyncio.run(migrations.upgrade(url))
        if result.adopted:
            print(f"database from before migrations stamped {migrations.BASELINE}"
                  + (f" (added {', '.join(result.added)})" if result.added else ""))
        if result.before == result.after:
            print(f"database already at {result.after}")
        else:
            print(f"database upgraded from {result.before or 'empty'} to {result.after}")
        return 0
    revision = asyncio.run(migrations.current(url))
    head = migrations.head_revision()
    print(revision or "none (empty, or made before migrations)")
    if revision != head:
        print(f"pending: upgrade to {head} with: python -m bot db upgrade")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.telegram_bot_token is None and settings.bot_mode == "polling":
        from bot.cli.polling import run_local

        return run_local(settings)  # the chat page on a local Telegram
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 1
    if settings.bot_mode == "webhook":
        from bot.service.web import run_webhook

        return run_webhook(settings)
    from bot.cli.polling import run_polling

    return run_polling(settings)


async def _inbox_open_count(settings) -> int:
    """Updates the webhook inbox holds and has not handled (0 when it cannot be read)."""
    from bot.service.inbox import open_count
    from bot.storage.store import Storage

    storage = Storage(settings.database_url)
    try:
        return await open_count(storage)
    except Exception as exc:  # noqa: BLE001 - reported, the webhook is deleted anyway
        print(f"inbox: could not be read ({type(exc).__name__}): check it with "
              "python -m bot webhook info", file=sys.stderr)
        return 0
    finally:
        await storage.close()


def cmd_webhook(args: argparse.Namespace) -> int:
    """`webhook set|delete|info`: register WEBHOOK_URL with Telegram once, for all replicas
    (they never call setWebhook themselves, so starting several cannot race), or go back to
    polling."""
    import asyncio

    from telegram import Bot
    from telegram.error import TelegramError

    from bot.service.web import webhook_secret_problem
    from bot.telegram.app import ALLOWED_UPDATES
    from bot.telegram.redaction import install_token_redaction

    settings = get_settings()
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 1
    token = settings.telegram_bot_token.get_secret_value()
    install_token_redaction(token)
    if args.action == "set":
        problem = webhook_secret_problem(settings) or (
            None if settings.webhook_url else "WEBHOOK_URL is not set")
        if problem:
            print(f"webhook set: {problem}", file=sys.stderr)
            return 2
        if not settings.webhook_url.startswith("https://"):
            print("webhook set: note: Telegram accepts only https:// webhook URLs",
                  file=sys.stderr)

    async def main() -> int:
        async with Bot(token, base_url=settings.telegram_base_url,
                       base_file_url=settings.telegram_base_file_url) as bot:
            if args.action == "set":
                await bot.set_webhook(
                    settings.webhook_url,
                    secret_token=settings.webhook_secret.get_secret_value(),
                    allowed_updates=ALLOWED_UPDATES,
                    max_connections=settings.webhook_max_connections,
                    drop_pending_updates=args.drop_pending_updates,
                )
                print(f"webhook set: {settings.webhook_url}")
            elif args.action == "delete":
                await bot.delete_webhook(drop_pending_updates=args.drop_pending_updates)
                print("webhook deleted: the bot can poll again (BOT_MODE=polling)")
                waiting = await _inbox_open_count(settings)
                if waiting:
                    print(f"inbox: {waiting} update(s) received by webhook are not handled yet;"
                          " polling does not handle them: keep one webhook replica running "
                          "until this says 0 (python -m bot webhook info)")
            info = await bot.get_webhook_info()
        if args.action == "info":
            waiting = await _inbox_open_count(settings)
            print(f"inbox: {waiting} update(s) received and not handled yet")
        print(f"url: {info.url or '(none)'}")
        print(f"pending updates: {info.pending_update_count}")
        if info.url:
            print(f"allowed updates: {', '.join(info.allowed_updates or ()) or '(default)'}")
            print(f"max connections: {info.max_connections}")
        if info.last_error_message:
            print(f"last error: {info.last_error_message} ({info.last_error_date})")
        return 0

    try:
        return asyncio.run(main())
    except TelegramError as exc:
        print(f"webhook {args.action}: the Bot API refused: {exc}", file=sys.stderr)
        return 2


def cmd_nudges(args: argparse.Namespace) -> int:
    from bot.telegram.nudges import dispatch_cli
    from bot.telegram.redaction import install_token_redaction

    settings = get_settings()
    token = settings.telegram_bot_token
    install_token_redaction(token.get_secret_value() if token else "")
    from telegram.error import InvalidToken

    try:
        return dispatch_cli(settings, now=args.now, dry_run=args.dry_run)
    except InvalidToken:
        print("nudges dispatch: the Bot API rejected the token: check TELEGRAM_BOT_TOKEN and "
              "TELEGRAM_BASE_URL", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the Telegram bot (the default); without a token, the local "
                   "chat page").set_defaults(func=cmd_run)
    ask = sub.add_parser("ask", help="answer one question ('-' reads one per line from stdin)")
    ask.add_argument("--json", action="store_true", help="print a JSON object per question")
    ask.add_argument("question", nargs="+")
    ask.set_defaults(func=cmd_ask)
    sub.add_parser("chat", help="the same bot in this terminal, on a local Telegram").set_defaults(func=cmd_chat)
    ev = sub.add_parser("eval", help="retrieval and scope evaluation")
    ev.add_argument("file", nargs="?", default="tests/data/eval_questions.jsonl")
    ev.add_argument("--safety", nargs="*", default=["tests/data/safety_messages.jsonl",
                                                    "tests/data/safety_messages_es.jsonl"],
                    help="labelled safety sets, reported per half (tune / held-out)")
    ev.add_argument("--sections", nargs="*", default=["tests/data/eval_questions_intent.jsonl"],
                    help="questions with an expected section: lead section and key facts in the"
                         " first 300 characters, per half (tune / held-out)")
    ev.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    ev.add_argument("--ce", default="tests/data/ce_messages.jsonl",
                    help="CE messages in plain words (intent and proposed entries)")
    ev.set_defaults(func=cmd_eval)
    gaps = sub.add_parser("gaps", help="what users asked that the bot answered badly, grouped by"
                          " the nearest section (reads only stored turns and ratings)")
    gaps.add_argument("--since", help="only questions asked on or after this date (YYYY-MM-DD)")
    gaps.add_argument("--limit", type=int, default=20, help="how many sections to list")
    gaps.set_defaults(func=cmd_gaps)
    bench = sub.add_parser(
        "bench", help="speed and memory of both embedding backends (onnx, torch) in one run; "
        "`bench nudges`: the cost of a nudge tick at scale"
    )
    bench.add_argument("what", nargs="?", choices=["nudges", "transcript"],
                       help="nudges: seed a database and time nudge ticks "
                       "(bot/cli/bench_nudges.py); transcript: read a 5-page, 60-activity "
                       "CPE Monitor transcript PDF")
    bench.add_argument("--users", type=int, default=100_000, help="bench nudges: users seeded")
    bench.add_argument("--due", type=int, default=None,
                       help="bench nudges: users with a nudge due (default: 1%% of them)")
    bench.add_argument("--database-url", default=None,
                       help="bench nudges: an empty database (default: a temporary SQLite file)")
    bench.add_argument("--questions", default="tests/data/eval_questions.jsonl")
    bench.add_argument("--rounds", type=int, default=2, help="timed passes over the questions")
    bench.add_argument("--burst", type=int, default=2000,
                       help="questions sent at once through the bot's batcher")
    bench.add_argument("--cold-runs", type=int, default=3,
                       help="whole-process start-up runs per backend (the median is shown)")
    bench.add_argument("--limit", type=int, default=None, help="use only the first N questions")
    bench.add_argument("--no-ingest", dest="ingest", action="store_false",
                       help="skip the full-ingest figures")
    bench.set_defaults(func=cmd_bench)
    webhook = sub.add_parser("webhook", help="register or remove the webhook (BOT_MODE=webhook)")
    wsub = webhook.add_subparsers(dest="action", required=True)
    for action, text in (("set", "setWebhook: WEBHOOK_URL, WEBHOOK_SECRET, allowed updates"),
                         ("delete", "deleteWebhook: back to polling"),
                         ("info", "getWebhookInfo: what Telegram has, and its last error")):
        parser_ = wsub.add_parser(action, help=text)
        if action != "info":
            parser_.add_argument("--drop-pending-updates", action="store_true",
                                 help="drop the updates Telegram holds for the bot")
        parser_.set_defaults(func=cmd_webhook, drop_pending_updates=False)
    db = sub.add_parser("db", help="the database schema (Alembic migrations)")
    dbsub = db.add_subparsers(dest="action", required=True)
    dbsub.add_parser("upgrade", help="apply the pending migrations (the bot does on start)"
                     ).set_defaults(func=cmd_db)
    dbsub.add_parser("current", help="print the revision the database is at"
                     ).set_defaults(func=cmd_db)
    # the `ce` commands (bot/cli/ce_import.py is imported only when one runs: `ask` and the
    # bot's start do not pay for the transcript import's imports)
    ce = sub.add_parser("ce", help="the CE log: import a CPE Monitor transcript")
    csub = ce.add_subparsers(dest="action", required=True)
    imp = csub.add_parser("import", help="import a transcript (PDF or text; - reads stdin)")
    imp.add_argument("file")
    imp.add_argument("--user", type=int, required=True, help="the user's Telegram id")
    imp.add_argument("--yes", action="store_true", help="import without asking")
    undo = csub.add_parser("undo-import", help="remove exactly one import")
    undo.add_argument("batch")
    undo.add_argument("--user", type=int, required=True, help="the user's Telegram id")
    for parser_ in (imp, undo):
        parser_.set_defaults(func=cmd_ce)
    nudges = sub.add_parser("nudges", help="renewal nudges")
    nsub = nudges.add_subparsers(dest="action", required=True)
    dispatch = nsub.add_parser("dispatch", help="send the nudges due now, then exit")
    dispatch.add_argument("--now", help="ISO-8601 instant to act as now (default: the clock)")
    dispatch.add_argument("--dry-run", action="store_true", help="show what would be sent")
    dispatch.set_defaults(func=cmd_nudges)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(get_settings().log_level)
    if args.command is None:
        return cmd_run(args)
    return args.func(args)
