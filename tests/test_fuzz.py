"""Fuzzing: hostile and random input never reaches the generic apology or a traceback.

Two layers (issue 10, "Done when"):

* property-based tests (hypothesis) of the pure CE parsers: whatever the user types, they
  either return a value or raise :class:`CEInputError` with a short message; never another
  exception, never a message that quotes the whole input back;
* a seeded generator of random updates sent through the real handlers: the real
  Application polls the local Bot API stub (tests/botapi_stub.py) with a real SQLite file.
  Commands (/ce set|add|edit|delete|list|export|status|tag|tags, /settings timezone, /state,
  /nudges), random text and random button data, with a few injected 502s. Afterwards no reply
  is the generic apology, no traceback or ERROR was logged, and the stub refused nothing
  (no message too long, no HTML it could not parse).

``FUZZ_SEED`` and ``FUZZ_UPDATES`` (environment) pick another seed or a longer run; a failure
prints the seed and the updates of the chats that went wrong.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import time
from zoneinfo import ZoneInfo

import pytest
from e2e_support import running_bot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answers.templates import APOLOGY
from bot.ce import credentials as ce_credentials
from bot.ce import parsing as ce_parsing
from bot.ce.model import CEEntry, CEInputError
from bot.telegram.app import NUDGE_JOB

TODAY = dt.date(2026, 4, 1)
MAX_MESSAGE = 1000  # an error message is at most this long, whatever was typed

# --- the pure parsers (hypothesis) -----------------------------------------------------------

MONTHS = ["jan", "Feb", "march", "Sept.", "dec", "December", "mayo"]
WORDS = [
    "law", "ps", "general", "P", "T", "today", "yesterday", "+tx-law", "+accredited", "-tx-law",
    "+nope", "--since", "—since", "since", "hours", "date", "title", "topic", "uan", "none",
    "audience", '"', "\u201c", "\u201d", "'", "=1+1", "<b>", "&amp;", "h", "hrs", "0", "-1",
    ".5", "1.25", "40", "41", "1e9", "0009-0000-25-005-H05-T", "JA4008164-0000-24-027-H03-P",
    "0009-0000-25-005-X05-T", "----", "\u200b", "\U0001f600", "\u202e", "٣", "１２",
]


@st.composite
def date_like(draw) -> str:
    """Text shaped like the dates people type, with any numbers in each slot."""
    year = draw(st.sampled_from(["0000", "0001", "1999", "2026", "9999", "10000", "26", "0"]))
    month = draw(st.sampled_from(["0", "00", "1", "02", "12", "13", "99"]))
    day = draw(st.sampled_from(["0", "1", "29", "30", "31", "32"]))
    name = draw(st.sampled_from(MONTHS))
    return draw(st.sampled_from([
        f"{year}-{month}", f"{year}-{month}-{day}", f"{month}/{year}", f"{month}/{day}/{year}",
        f"{name} {year}", f"{name} {day} {year}", f"{day} {name} {year}", f"{name}, {year}",
        f"{year}\u2013{month}", f"{name} {day}th, {year}",
    ]))


free_text = st.one_of(
    st.text(max_size=60),
    date_like(),
    st.lists(st.one_of(st.sampled_from(WORDS), date_like(), st.text(max_size=8)), max_size=8)
    .map(" ".join),
    # the words of /ce edit, in any order: a field, a value, a tag, a field with no value...
    st.lists(st.one_of(st.sampled_from(sorted(ce_parsing.EDIT_FIELDS)), st.sampled_from(WORDS),
                       date_like()), min_size=1, max_size=6).map(" ".join),
    st.integers(min_value=1, max_value=3000).map(lambda n: "x" * n),
)
arg_lists = free_text.map(str.split)

SAMPLE_ENTRY = CEEntry(hours=1, topic="law", audience="T", completed_on=dt.date(2025, 6, 1),
                       title="Texas law", uan="0384-0000-24-003-H03-T", delivery="home study",
                       tags=("tx-law",))
PLAIN_ENTRY = CEEntry(hours=2, topic="general", audience="P", completed_on=dt.date(2026, 1, 5))
PARSERS = {
    "expiration": lambda text: ce_parsing.parse_expiration(text, TODAY),
    "activity date": lambda text: ce_parsing.parse_ce_date(text, TODAY),
    "cycle start": lambda text: ce_parsing.parse_cycle_start(text, dt.date(2027, 3, 31), TODAY),
    "uan": ce_parsing.parse_uan,
    "topic": ce_parsing.parse_topic,
    "hours": ce_parsing.parse_hours,
    "tag": lambda text: ce_parsing.parse_tag(text, ce_credentials.all_tags()),
    "add": lambda text: ce_parsing.parse_add_args(text.split(), TODAY, ce_credentials.all_tags()),
    "edit (UAN)": lambda text: ce_parsing.parse_edit_args(text.split(), SAMPLE_ENTRY, TODAY,
                                                          ce_credentials.all_tags()),
    "edit": lambda text: ce_parsing.parse_edit_args(text.split(), PLAIN_ENTRY, TODAY,
                                                    ce_credentials.all_tags()),
}
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


@pytest.mark.parametrize("parser", list(PARSERS))
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=free_text)
def test_parsers_answer_any_input_with_a_value_or_a_short_clear_error(parser, text):
    try:
        PARSERS[parser](text)
    except CEInputError as exc:
        message = str(exc)
        assert message and len(message) <= MAX_MESSAGE, (len(message), message[:200])
        assert "x" * 60 not in message


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(args=arg_lists)
def test_an_edit_keeps_every_field_it_does_not_name(args):
    try:
        after = ce_parsing.parse_edit_args(args, PLAIN_ENTRY, TODAY, ce_credentials.all_tags())
    except CEInputError:
        return
    named = " ".join(args).lower()
    if "date" not in named and not any(ce_parsing._looks_like_activity_date(" ".join(args[i:j]))
                                       for i in range(len(args)) for j in range(i + 1,
                                                                                 len(args) + 1)):
        assert after.completed_on == PLAIN_ENTRY.completed_on, args


# --- the real handlers (seeded generator) ---------------------------------------------------

SEED = int(os.environ.get("FUZZ_SEED", "20261110"))
UPDATES = int(os.environ.get("FUZZ_UPDATES", "3000"))
USERS = 24
BLIP_GAP = 5.0  # s: longer than the bot's whole retry schedule (0.5 + 1 + 2 s of backoff)
NY = ZoneInfo("America/New_York")

CREDENTIAL_KEYS = [*ce_credentials.CREDENTIALS, "fl-tech", "ca-tech", "ar-tech", "zz-tech", "cna",
                   "PTCB-CPHT"]
TOPIC_WORDS = ["law", "ps", "patient-safety", "general", "07", "00", "acpe-12", "cooking",
               "tx-law", "human-trafficking", "drug_therapy"]
ZONES = ["America/Chicago", "Mars/Olympus", "America", "UTC", "../../etc/passwd", "",
         "Europe/Berlin", "America/Argentina/Buenos_Aires", "\x00", "Etc/GMT+14", "posixrules"]
STATES = ["TX", "tx", "Texas", "new york", "ZZ", "Puerto Rico", "Cal", "", "1"]
CALLBACK_PREFIXES = ["ob", "pf", "pa", "pq", "tp", "tq", "fb", "fu", "fg", "snz", "nudges",
                     "tz", "ce", "zz", ""]


def _chaos(rng: random.Random, size: int) -> str:
    alphabet = ("abcxyz019 -/+=@:\"'\u201c\u201d<>&;#\n\t\u00e9\u4e2d\U0001f600\u200b\u202e"
                "\u0000\ufeff\\")
    return "".join(rng.choice(alphabet) for _ in range(size))


def _some_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return "x" * rng.randint(200, 3900)
    if roll < 0.35:
        return _chaos(rng, rng.randint(1, 40))
    return rng.choice(WORDS)


def _date_text(rng: random.Random) -> str:
    today = dt.datetime.now(NY).date()
    roll = rng.random()
    if roll < 0.4:
        day = today + dt.timedelta(days=rng.randint(-900, 1200))
        return rng.choice([day.isoformat(), f"{day.month}/{day.day}/{day.year}",
                           f"{day:%B %Y}", f"{day:%b %d %Y}", f"{day.month:02d}/{day.year}"])
    if roll < 0.8:
        year = rng.choice(["0000", "0001", "9999", "10000", "2027", "99"])
        month = rng.choice(["0", "1", "02", "12", "12", "13"])
        day = rng.choice(["0", "1", "29", "31", "32"])
        return rng.choice([f"{year}-{month}", f"{year}-{month}-{day}", f"{month}/{year}",
                           f"{month}/{day}/{year}", f"Dec {year}", f"March {day} {year}"])
    return _some_text(rng)


def _entry_number(rng: random.Random, ids: list[int]) -> str:
    if ids and rng.random() < 0.7:
        return str(rng.choice(ids))
    return rng.choice(["0", "-1", "99999", "9" * rng.randint(20, 3000), "two", "", "1.5",
                       "\u0663", "#1"])


def _ce_command(rng: random.Random, ids: list[int]) -> str:
    sub = rng.choice(["set", "set", "add", "add", "add", "edit", "edit", "delete", "list",
                      "export", "status", "tag", "tags", "help", _some_text(rng)])
    if sub == "set":
        parts = [rng.choice(CREDENTIAL_KEYS) if rng.random() < 0.8 else _some_text(rng)]
        if rng.random() < 0.9:
            parts.append(_date_text(rng))
        if rng.random() < 0.25:
            parts += [rng.choice(["--since", "since", "\u2014since"]), _date_text(rng)]
        return "/ce set " + " ".join(parts)
    if sub == "add":
        if rng.random() < 0.3:
            uan = rng.choice(["0009-0000-25-005-H05-T", "JA4008164-0000-24-027-H03-P",
                              "0384-0000-24-003-H03-T", "0009-0000-25-005-X05-T"])
            parts = [uan, rng.choice(["1", "1.5", "0", "41", "x"])]
        else:
            parts = [rng.choice(["1", "2", "0.25", "1.255", "0", "40", "h", "3hrs"]),
                     rng.choice(TOPIC_WORDS)]
        if rng.random() < 0.5:
            parts.append(rng.choice(['"', "\u201c"]) + _some_text(rng)[:300]
                         + rng.choice(['"', "\u201d", ""]))
        if rng.random() < 0.6:
            parts.append(_date_text(rng))
        if rng.random() < 0.3:
            parts.append(rng.choice(["P", "T", "+tx-law", "+accredited", "+nope",
                                     "+fl-hiv-aids"]))
        return "/ce add " + " ".join(parts)
    if sub == "edit":
        fields = []
        for _ in range(rng.randint(0, 3)):
            field = rng.choice(["hours", "date", "title", "topic", "uan", "audience", "+tx-law",
                                "-tx-law", "+accredited", "1", "2 law", _some_text(rng)])
            value = {"hours": lambda: rng.choice(["3", "0", "x", "41", "1.25"]),
                     "date": lambda: _date_text(rng),
                     "title": lambda: rng.choice(['""', '"=HYPERLINK(1)"', _some_text(rng)]),
                     "topic": lambda: rng.choice(TOPIC_WORDS),
                     "uan": lambda: rng.choice(["none", "0009-0000-25-005-L01-P", "x"]),
                     "audience": lambda: rng.choice(["T", "P", "Q"])}.get(field, lambda: "")()
            fields += [field, value]
        return f"/ce edit {_entry_number(rng, ids)} " + " ".join(fields)
    if sub == "delete":
        return f"/ce {rng.choice(['delete', 'del', 'remove'])} {_entry_number(rng, ids)}"
    if sub == "tag":
        tags = [rng.choice(["+tx-law", "-tx-law", "+accredited", "+nope", "tx-law", "-", "+",
                            _some_text(rng)]) for _ in range(rng.randint(0, 2))]
        return f"/ce tag {_entry_number(rng, ids)} " + " ".join(tags)
    return f"/ce {sub}"


def _command(rng: random.Random, ids: list[int]) -> str:
    roll = rng.random()
    if roll < 0.55:
        return _ce_command(rng, ids)
    if roll < 0.65:
        zone = rng.choice(ZONES) if rng.random() < 0.8 else _some_text(rng)
        return rng.choice([f"/settings timezone {zone}", f"/settings tz {zone}", "/settings",
                           f"/settings {zone}"])
    if roll < 0.72:
        return f"/state {rng.choice(STATES) if rng.random() < 0.7 else _some_text(rng)}"
    if roll < 0.78:
        return f"/nudges {rng.choice(['on', 'off', '', 'OFF', _some_text(rng)])}"
    if roll < 0.82:
        return rng.choice(["/start", "/help", "/profile", "/topics", "/path", "/forget",
                           "/nope", "/ce@pathway_test_bot list"])
    return _some_text(rng)[:4000]


def _button_data(rng: random.Random, real: list[str]) -> str:
    if real and rng.random() < 0.5:
        return rng.choice(real)
    prefix = rng.choice(CALLBACK_PREFIXES)
    parts = [rng.choice(["", "1", "-1", "yes", "no", "set", "undo", "ptcb-cpht", "999999999999",
                         "9" * 30, "x", "o", "state", "TX", str(int(time.time()) - 700),
                         _chaos(rng, 3)]) for _ in range(rng.randint(0, 3))]
    data = ":".join([prefix, *parts])
    while len(data.encode("utf-8")) > 64:  # Telegram's limit for callback_data
        data = data[:-1]
    return data or "x"


def _failure_report(stub, chats: set[int]) -> str:
    lines = []
    for update in stub.updates:
        body = update.get("message") or update.get("callback_query") or {}
        chat = (body.get("chat") or (body.get("message") or {}).get("chat") or {}).get("id")
        if chat in chats:
            what = body.get("text") if "text" in body else f"[button] {body.get('data')!r}"
            lines.append(f"  update {update['update_id']} chat {chat}: {str(what)[:120]!r}")
    return "\n".join(lines[-80:])


async def test_random_updates_through_the_real_handlers_get_no_apology_and_no_traceback(
        tmp_path, replier, caplog):
    rng = random.Random(SEED)
    caplog.set_level(logging.INFO)
    async with running_bot(tmp_path, replier) as rb:
        for job in rb.app.job_queue.get_jobs_by_name(NUDGE_JOB):
            job.schedule_removal()
        stub = rb.stub
        users = [4_000_000 + i for i in range(USERS)]
        # most users start with a credential and a few entries, so edits and deletes have targets
        exp = (dt.datetime.now(NY).date() + dt.timedelta(days=200)).isoformat()
        for user in users[: USERS * 3 // 4]:
            stub.user_message(user, f"/ce set ptcb-cpht {exp}")
            stub.user_message(user, f'/ce add 1 law "Law {user}"')
            stub.user_message(user, "/ce add 0009-0000-25-005-H05-T 1.5 +accredited")
        sent_updates = 3 * (USERS * 3 // 4)
        for user in users:
            await stub.wait_idle(user, quiet=0.05, timeout=120)

        started = time.monotonic()
        while sent_updates < UPDATES:
            if rng.random() < 0.15:  # a Bot API blip: the send is retried, not apologised for
                method = rng.choice(["sendMessage", "sendPhoto", "sendDocument"])
                # a blip, not an outage: one at a time per method, and not before the retries
                # of the last one are over (a chat waiting in backoff looks idle to the rounds,
                # so blips of consecutive rounds would otherwise hit the same send each time)
                served = [e["time"] for e in stub.injected
                          if e["method"].lower() == method.lower()]
                if not stub.pending_injections(method) and (
                        not served or time.monotonic() - served[-1] > BLIP_GAP):
                    stub.inject_error(method, 502)
            for user in rng.sample(users, k=rng.randint(4, USERS)):
                ids = [e.id for e in await rb.storage.entries(user)]
                bot_messages = [m for m in stub.messages(user, bot_only=True)]
                for _ in range(rng.randint(1, 3)):
                    if bot_messages and rng.random() < 0.2:
                        message = rng.choice(bot_messages)
                        real = [b["callback_data"] for row in
                                (message.get("reply_markup") or {}).get("inline_keyboard", [])
                                for b in row if "callback_data" in b]
                        stub.press_button(user, message, _button_data(rng, real))
                    else:
                        stub.user_message(user, _command(rng, ids))
                    sent_updates += 1
            for user in users:
                await stub.wait_idle(user, quiet=0.05, timeout=120)
        elapsed = time.monotonic() - started

    apologies = [r for r in stub.sent if r.get("plain_text") == APOLOGY
                 or r.get("text") == APOLOGY]
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    # refused by the stub, apart from the injected 502s and the 409 of the last poll at shutdown
    refused = [e for e in stub.errors if e["status"] != 502 and e["method"] != "getUpdates"]
    print(f"\nfuzz: seed {SEED}, {sent_updates} updates from {USERS} users in {elapsed:.1f} s; "
          f"{len(stub.sent)} bot records, {len(stub.injected)} injected 502s, "
          f"{len(apologies)} apologies, {len(tracebacks)} tracebacks, {len(refused)} refused")
    bad_chats = {r["chat_id"] for r in apologies}
    problems = []
    if apologies:
        problems.append(f"{len(apologies)} generic apologies")
    if tracebacks:
        problems.append("logged errors:\n" + "\n".join(
            f"  {r.name}: {r.getMessage()[:200]} ({r.exc_info[1]!r})" if r.exc_info
            else f"  {r.name}: {r.getMessage()[:200]}" for r in tracebacks[:10]))
    if refused:
        problems.append("the stub refused:\n" + "\n".join(
            f"  {e['method']} {e['status']}: {e['description'][:150]}" for e in refused[:10]))
        bad_chats |= {e["params"].get("chat_id") for e in refused}
    assert not problems, (f"seed {SEED}: " + "\n".join(problems)
                          + "\nupdates of the chats concerned:\n"
                          + _failure_report(stub, {int(c) for c in bad_chats if c}))
