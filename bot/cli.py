"""Command line: `python -m bot [run|ask|chat|eval|bench|nudges dispatch]`."""

from __future__ import annotations

import argparse
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

To try the bot right now without Telegram:  python -m bot chat
"""

NO_STORE_EXIT = 2


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _load_replier():
    from bot.engine import load_replier
    from bot.retrieval import StoreMissingError

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
    from bot.console import run_console

    return run_console(_load_replier(), get_settings())


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import evaluate, load_questions

    result = evaluate(_load_replier(), load_questions(Path(args.file)))
    if not args.verbose:
        result.misses = []
    print(result.report())
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.bench import run_bench

    return run_bench(
        get_settings(), Path(args.questions), rounds=args.rounds, burst=args.burst,
        cold_runs=args.cold_runs, limit=args.limit, ingest=args.ingest,
    )


def cmd_run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 1
    from bot.telegram_app import run_polling

    return run_polling(settings)


def cmd_nudges(args: argparse.Namespace) -> int:
    from bot.nudges import dispatch_cli
    from bot.telegram_app import install_token_redaction

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
    sub.add_parser("run", help="run the Telegram bot (the default)").set_defaults(func=cmd_run)
    ask = sub.add_parser("ask", help="answer one question ('-' reads one per line from stdin)")
    ask.add_argument("--json", action="store_true", help="print a JSON object per question")
    ask.add_argument("question", nargs="+")
    ask.set_defaults(func=cmd_ask)
    sub.add_parser("chat", help="chat with the bot in this terminal").set_defaults(func=cmd_chat)
    ev = sub.add_parser("eval", help="retrieval and scope evaluation")
    ev.add_argument("file", nargs="?", default="tests/data/eval_questions.jsonl")
    ev.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    ev.set_defaults(func=cmd_eval)
    bench = sub.add_parser(
        "bench", help="speed and memory of both embedding backends (onnx, torch) in one run"
    )
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
