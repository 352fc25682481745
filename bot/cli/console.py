"""`python -m bot chat`: the same answers in a terminal, with the same follow-up memory."""

from __future__ import annotations

import sys

from bot.answers.compose import Replier
from bot.answers.conversation import ConversationMemory
from bot.settings import Settings

BANNER = (
    "Pathway bot — a career coach for pharmacy technicians. Ask a question; "
    "an empty line or Ctrl-D quits."
)


def run_console(replier: Replier, settings: Settings) -> int:
    import time

    memory = ConversationMemory(settings.history_turns, settings.history_ttl_minutes * 60)
    print(BANNER)
    while True:
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line.strip():
            return 0
        now = time.monotonic()
        reply = replier.answer(line, memory.recent("console", now))
        if reply.kind == "answer":
            memory.add("console", line, now)
        print("\n" + reply.to_text() + "\n")
        if reply.followups:
            print("You could also ask: " + " | ".join(reply.followups) + "\n")
        sys.stdout.flush()
