"""CE in plain words: what a chat message asks of the CE tracker, and the proposal it makes.

:func:`read_message` reads one message, with "today" passed in, and says what it is:

- ``status``: a question about the writer's own CE, renewal or expiry ("how many hours do i
  still need", "when does my cpht expire", "am i on track");
- ``log``: an activity to log ("did 2 hrs of law ce yesterday", "log <UAN> 1.25"), with the
  proposed entry read by the CE package's own parsers (hours, topic, UAN, date, quoted title);
- ``set``: a credential's expiration ("my cpht expires march 2027");
- ``question``: a general question about CE or renewal, which the knowledge base answers;
- ``mention``: CE named without a request ("i hate doing ce"); ``none``: not about CE.

It reads the structure of the message rather than a list of phrases: who it is about (first
person), what it is about (CE, renewal, a credential), whether it asks (a question form) or
asks how something is done (procedural), whether it reports something done (a completion verb
and an amount of hours) or asks to record it (a log verb), and whether it carries a UAN or an
expiration date. The texts of the personal replies are here too, built from
:func:`bot.ce.rules.ce_status`. Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.ce import credentials as ce_credentials
from bot.ce.model import CEEntry, CEInputError, _hours_phrase, format_hours
from bot.ce.parsing import (
    MAX_TITLE_CHARS,
    parse_expiration,
    parse_hours,
    parse_spoken_date,
    parse_topic,
    parse_uan,
)
from bot.ce.rules import CEStatus
from bot.content.states import all_states

Intent = Literal["status", "log", "set", "question", "mention", "none"]
#: Intents answered from the user's own data instead of the knowledge base.
PERSONAL = ("status", "log", "set")


@dataclass(frozen=True)
class LogProposal:
    """An activity as understood from a message; ``None`` fields were not said."""

    hours: float | None = None
    topic: str | None = None
    completed_on: date | None = None
    uan: str | None = None
    title: str = ""
    audience: str = "T"
    delivery: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """What must still be asked, in the order it is asked: hours, topic, date."""
        return tuple(name for name, value in (
            ("hours", self.hours), ("topic", self.topic), ("date", self.completed_on))
            if value is None)

    def entry(self) -> CEEntry:
        """The entry to write (only once nothing is missing)."""
        if self.missing:
            raise ValueError(f"the proposal still misses {', '.join(self.missing)}")
        return CEEntry(hours=self.hours, topic=self.topic, audience=self.audience,
                       completed_on=self.completed_on, title=self.title, uan=self.uan,
                       delivery=self.delivery)


@dataclass(frozen=True)
class SetProposal:
    """A credential and its expiration as understood from a message."""

    credential: str
    expiration: date


@dataclass(frozen=True)
class Reading:
    intent: Intent
    log: LogProposal | None = None
    set: SetProposal | None = None
    problem: str = ""  # why what was written can't be used as is (a CEInputError message)


# --- the words a reading looks at --------------------------------------------------------------

_FIRST_PERSON = {"i", "im", "ive", "id", "ill", "me", "my", "mine", "myself"}
_CE_NOUNS = {
    "ce", "ces", "ceu", "ceus", "cpe", "cpd", "continuing", "credits", "credit", "uan", "acpe",
}  # fmt: skip
_RENEWAL = {
    "renew", "renewal", "renewing", "renewed", "recert", "recertification", "recertify",
    "recertifying", "expire", "expires", "expiring", "expired", "expiration", "exp", "deadline",
    "lapse", "lapsed", "reinstate", "late",
}  # fmt: skip
_CREDENTIAL = {
    "cpht", "cert", "certification", "certificate", "license", "licence", "registration",
    "ptcb", "nha", "excpt", "credential", "cphtadv",
}  # fmt: skip
#: What one's own CE state is called after "my" (my ce, my renewal, my law hour, my deadline).
_OWN_STATE = _CE_NOUNS | _RENEWAL | _CREDENTIAL | {
    "hours", "hour", "hrs", "status", "progress", "date", "log", "window",
}
_STILL = {"still", "left", "more", "remaining", "yet", "far", "already", "enough", "missing"}
_QUESTION_STARTS = {
    "how", "when", "whens", "what", "whats", "which", "where", "who", "why", "am", "do", "does",
    "did", "is", "are", "have", "has", "will", "can", "could", "should", "would", "r", "isnt",
    "hows", "wheres",
}  # fmt: skip
_REQUESTS = re.compile(r"\b(?:tell me|show me|check|let me know|remind me|pull up|look up)\b")
#: Asking how something is done, or what a rule is: a knowledge question even with "my".
_PROCEDURAL = re.compile(
    r"\b(?:how (?:do|can|should|would|does|did) (?:i|you|u|one|we|techs?)\b(?! (?:still|have|"
    r"need|got))|where (?:do|can|should) (?:i|you|u)|what happens|(?<!when )(?:can|should) i\b|"
    r"what (?:is|are) (?:a|an|the)\b|whats (?:a|an|the)\b|is it\b|how often|how early|how late)"
)
_QUANTITY = re.compile(r"\bhow (?:many|much)\b")
_OWN_SUBJECT = re.compile(
    r"\b(?:do|did|have|am|should) i\b|\bi (?:still |have |got |need|ve |am )|\bive\b|\bim\b|"
    r"\bi(?:ll| will) (?:make|be|finish)|\bam i\b|\bi got\b"
)
_WHEN_MINE = re.compile(r"\bwhen (?:do|can|should|will|must) i\b")
_COMPLETED = {
    "did", "done", "finished", "finish", "completed", "complete", "took", "taken", "earned",
    "watched", "attended", "passed", "wrapped", "knocked", "got", "logged", "just",
}  # fmt: skip
_LOG_VERBS = {
    "log", "logging", "add", "adding", "record", "put", "enter", "save", "track", "count",
}  # fmt: skip
#: Someone else did it: "my coworker did 2 hours of law ce".
_SOMEONE_ELSE = {
    "he", "she", "they", "coworker", "coworkers", "friend", "manager", "boss", "wife",
    "husband", "sister", "brother", "mom", "dad", "everyone", "someone", "pharmacist",
}  # fmt: skip
#: Something still to do, not done: "i have to do 20 hours".
_OBLIGATION = re.compile(
    r"\b(?:need to|have to|has to|gotta|got to|going to|gonna|will|should|want to|wanna|"
    r"planning|plan to|left|to go|remaining|more)\b"
)
_EXPIRES = re.compile(
    r"\b(?:expires?|expiring|expiration|exp|good (?:thru|through|until|till)|valid (?:thru|"
    r"through|until|till)|renewal date|renew by|due (?:on|by|in)?|is up)\b"
)

# --- finding the pieces ------------------------------------------------------------------------

_QUOTED = re.compile(r"[\"\u201c\u201e\u201d]([^\"\u201c\u201d]{1,300})[\"\u201d]")
_UAN_LIKE = re.compile(r"\b(?:ja)?[0-9a-z]{2,9}(?:[-\u2010-\u2014][0-9a-z]{1,4}){3,6}\b",
                       re.IGNORECASE)
_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
_HOURS_UNIT = re.compile(
    rf"(?<![\w./-]){_NUMBER}\s*-?\s*(?:(?:ce|contact|credit|cpe)\s+)?(?:hours?|hrs?|h)\b"
    r"(?:\s+and\s+a\s+half)?")
_AND_A_HALF = re.compile(rf"(?<![\w./-]){_NUMBER}\s+and\s+a\s+half\s+(?:hours?|hrs?)\b")
_WORD_HOURS = re.compile(
    r"\b(?:(an?|one|two|three|four|five|six)\s+(?:(?:ce|contact)\s+)?(?:hours?|hrs?)"
    r"(?:\s+and\s+a\s+half)?|half\s+(?:an\s+)?hour|(an?|one)\s+hour\s+and\s+a\s+half)\b")
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_BARE_NUMBER = re.compile(rf"(?<![\w./:-]){_NUMBER}(?![\w/:-]|\.\d)")
_MONTH_WORDS = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
)
_ACTIVITY_DATES = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
    rf"|{_MONTH_WORDS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_WORDS}(?:,?\s+\d{{4}})?"
    r"|(?:last\s+|this\s+past\s+)?(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*"
    r"|today|tomorrow|tonight|this morning|this afternoon|this evening|earlier today|yesterday"
    r"(?: morning| afternoon)?|last night|(?:\d{1,2}|a|one|two|three|four|five|six) days? ago)\b"
)
_EXPIRATION_DATES = re.compile(
    r"\b(?:\d{4}-\d{1,2}(?:-\d{1,2})?|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}"
    rf"|{_MONTH_WORDS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|{_MONTH_WORDS},?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+{_MONTH_WORDS},?\s+\d{{4}})\b"
)
#: Topic words the ``/ce`` topics don't spell out, as people say them (-> a ``/ce`` topic word).
_SPOKEN_TOPICS = {
    "med-safety": "patient-safety", "medication-safety": "patient-safety",
    "med-error": "patient-safety", "med-errors": "patient-safety",
    "medication-error": "patient-safety", "medication-errors": "patient-safety",
    "opioid": "opioids", "controlled-substance": "opioids", "pharmacology": "drug-therapy",
    "tx-pharmacy-law": "tx-law", "texas-pharmacy-law": "tx-law", "hiv/aids": "hiv-aids",
}  # fmt: skip
#: Single words too common to mean a topic on their own in a sentence.
_NOT_TOPIC_ALONE = {"drug", "gen", "ps", "aids"}


def _words(lowered: str) -> list[str]:
    return re.findall(r"[a-z]+|\d+(?:\.\d+)?", lowered.replace("'", "").replace("\u2019", ""))


def _cut(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " + text[span[1]:]


def find_title(text: str) -> tuple[str, str]:
    """The title in quotes, and the text without it."""
    match = _QUOTED.search(text)
    if match is None:
        return "", text
    title = " ".join(match[1].split())[:MAX_TITLE_CHARS]
    return title, _cut(text, match.span())


def find_uan(text: str):
    """The UAN in the text (parsed, :class:`CEInputError` if malformed) and the text without
    it; ``(None, text)`` when there is none."""
    match = _UAN_LIKE.search(text)
    if match is None or not any(c.isdigit() for c in match[0]) or len(match[0]) < 18:
        return None, text
    return parse_uan(match[0]), _cut(text, match.span())


def find_activity_date(text: str, today: date) -> tuple[date | None, str]:
    """The day an activity was done, as said in the text, and the text without it."""
    for match in _ACTIVITY_DATES.finditer(text):
        parsed = parse_spoken_date(match[0], today)
        if parsed is not None:
            return parsed, _cut(text, match.span())
    return None, text


def find_hours(text: str, bare: bool = False) -> float | None:
    """The hours the text states ("2 hrs", "1.5 hour", "an hour and a half", "half an hour";
    with ``bare``, a lone number such as the 1.25 after a UAN), read by :func:`parse_hours`."""
    if m := _AND_A_HALF.search(text):
        return parse_hours(str(float(m[1]) + 0.5))
    if m := _HOURS_UNIT.search(text):
        half = 0.5 if m[0].endswith("half") else 0
        return parse_hours(str(float(m[1]) + half) if half else m[1])
    if m := _WORD_HOURS.search(text):
        if m[0].startswith("half"):
            return 0.5
        count = _WORD_NUMBERS[m[1] or m[2]]
        return parse_hours(str(count + (0.5 if m[0].endswith("half") else 0)))
    if bare:
        numbers = _BARE_NUMBER.findall(text)
        if len(numbers) == 1:
            return parse_hours(numbers[0])
    return None


def find_topic(words: list[str]) -> str | None:
    """The CE topic the words name, longest phrase first ("texas law" before "law"), read by
    :func:`bot.ce.parsing.parse_topic`; "topic 03" or "acpe 05" gives the ACPE designator."""
    for i, word in enumerate(words[:-1]):
        if word in ("topic", "acpe") and re.fullmatch(r"\d{2}", words[i + 1]):
            return parse_topic(words[i + 1])
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            key = "-".join(words[i:i + size])
            if size == 1 and (key in _NOT_TOPIC_ALONE or key.isdigit()):
                continue
            key = _SPOKEN_TOPICS.get(key, key)
            try:
                return parse_topic(key)
            except CEInputError:
                continue
    return None


def _state_credential(lowered: str) -> str | None:
    """A state named in full ("texas"), or by its code only right before what it is ("tx tech
    registration": a bare "in" or "me" is a word, not Indiana or Maine)."""
    for code, record in all_states().items():
        patterns = (rf"\b{re.escape(record.name.lower())}\b",
                    rf"\b{code.lower()}\s+(?:pharmacy\s+)?(?:tech|technician|registration|license)")
        if any(re.search(p, lowered) for p in patterns):
            key = ce_credentials.state_key(code)
            if ce_credentials.find(key) is not None:
                return key
    return None


def find_credential(lowered: str, words: list[str]) -> str | None:
    """Which credential the text names; a plain "cpht" or "cert" is PTCB's, the most common."""
    if re.search(r"\bcpht[- ]?adv|\badvanced\b", lowered):
        return "ptcb-cpht-adv"
    if {"nha", "excpt"} & set(words):
        return "nha-cpht"
    if {"registration", "license", "licence"} & set(words) or "tech" in words:
        state = _state_credential(lowered)
        if state is not None:
            return state
    if {"cpht", "ptcb", "cert", "certification", "certificate"} & set(words):
        return "ptcb-cpht"
    return None


def find_expiration(text: str, today: date) -> date | None:
    """The first expiration-shaped date in the text (a month and year at least)."""
    match = _EXPIRATION_DATES.search(text)
    return parse_expiration(match[0], today) if match else None


# --- reading a message -------------------------------------------------------------------------


_CE_ACTIVITIES = _CE_NOUNS | {"course", "courses", "module", "modules", "webinar", "lesson"}


def names_ce(text: str) -> bool:
    """Whether the message names CE itself (CE, a course, a UAN...), not only hours."""
    lowered = text.lower()
    return bool(_CE_ACTIVITIES & set(_words(lowered))) or _UAN_LIKE.search(lowered) is not None


def _is_question(lowered: str, words: list[str]) -> bool:
    """Asked as a question: a question mark, a question word first (but "did 2 hrs of law" is a
    report with its "i" left out), "how many", "when", or "tell me"."""
    asks_first = bool(words) and words[0] in _QUESTION_STARTS and not (
        len(words) > 1 and (words[1][0].isdigit() or words[1] in _WORD_NUMBERS))
    return ("?" in lowered or asks_first
            or bool(_QUANTITY.search(lowered)) or bool(re.search(r"\bwhen\b|\bwhens\b", lowered))
            or bool(_REQUESTS.search(lowered)))


def _owns_state(words: list[str]) -> bool:
    """"my" followed within three words by a name of one's CE state (my ce, my cpht, my law
    hour, my late fee deadline)."""
    return any(w == "my" and _OWN_STATE & set(words[i + 1:i + 4]) for i, w in enumerate(words))


def _is_status(lowered: str, words: list[str], procedural: bool) -> bool:
    first_person = bool(_FIRST_PERSON & set(words))
    if not first_person or not _is_question(lowered, words) or procedural:
        return False
    about_ce = bool((_CE_NOUNS | _RENEWAL | _CREDENTIAL | {"hours", "hrs", "hour"}) & set(words))
    if not about_ce:
        return False
    if _owns_state(words) or _WHEN_MINE.search(lowered):
        return True
    if _QUANTITY.search(lowered) and _OWN_SUBJECT.search(lowered):
        return True
    return bool(_STILL & set(words)) or bool(re.search(r"\b(?:am|have|did) i\b", lowered))


#: Words before "log" or "add" that make it a noun or not a request ("my ce log", "the add").
_NOT_A_VERB_AFTER = {"my", "your", "the", "a", "ce", "this", "that", "of", "in"}


def _has_log_verb(words: list[str]) -> bool:
    """A request to record: "log it", "pls add 2 hrs", "can you log" (not "my ce log")."""
    return any(w in _LOG_VERBS and (i == 0 or words[i - 1] not in _NOT_A_VERB_AFTER)
               for i, w in enumerate(words))


def read_message(text: str, today: date) -> Reading:
    """What the message asks of the CE tracker (see the module's docstring)."""
    cased = " ".join(text.replace("\u2019", "'").split())
    lowered = cased.lower()
    words = _words(lowered)
    if not words:
        return Reading("none")
    word_set = set(words)
    procedural = bool(_PROCEDURAL.search(lowered.replace("'", "")))
    question = _is_question(lowered, words)
    try:
        title, rest = find_title(cased)
        uan, rest = find_uan(rest)
    except CEInputError as exc:
        return Reading("log", problem=str(exc))
    rest = rest.lower()
    about_ce = bool((_CE_NOUNS | _RENEWAL | _CREDENTIAL) & word_set)

    # an expiration to track: a credential, an expiry word and a date with its year
    credential = find_credential(lowered, words)
    if uan is None and credential and _EXPIRES.search(lowered) and not (
            question and re.search(r"\bwhen\b|\bwhat\b", lowered)):
        try:
            expiration = find_expiration(rest, today)
        except CEInputError as exc:
            return Reading("set", problem=str(exc))
        if expiration is not None:
            return Reading("set", set=SetProposal(credential, expiration))

    someone_else = bool(_SOMEONE_ELSE & word_set) and not ({"i", "im", "ive", "id"} & word_set)
    completed = bool(_COMPLETED & word_set) and not someone_else
    log_verb = _has_log_verb(words) and not procedural
    try:
        completed_on, rest = find_activity_date(rest, today)
        hours = find_hours(rest, bare=uan is not None or log_verb)
    except CEInputError as exc:
        if uan is not None or log_verb or completed:
            return Reading("log", problem=str(exc))
        hours, completed_on = None, None
    obligation = bool(_OBLIGATION.search(lowered))
    still_to_do = bool(re.search(r"\b(?:left|to go|remaining|more)\b", lowered))
    said = hours is not None and not (question and not log_verb)
    is_log = uan is not None or (said and (
        log_verb or (not obligation and not someone_else and (
            completed or completed_on is not None or find_topic(_words(rest)) is not None)))
    ) or (log_verb and about_ce and not question and not still_to_do)
    if is_log:
        topic = uan.topic if uan is not None else find_topic(_words(rest))
        audience = uan.audience if uan is not None else ("P" if "pharmacist" in word_set else "T")
        return Reading("log", log=LogProposal(
            hours=hours, topic=topic, completed_on=completed_on,
            uan=uan.text if uan is not None else None, title=title, audience=audience,
            delivery=uan.delivery if uan is not None else None))
    if _is_status(lowered, words, procedural):
        return Reading("status")
    if about_ce or (question and {"hours", "hrs"} & word_set):
        return Reading("question" if question else "mention")
    return Reading("none")


# --- the personal replies ----------------------------------------------------------------------


def _gap(status: CEStatus, key: str) -> float:
    try:
        rule = status.rule(key)
    except KeyError:
        return 0.0
    return max(0.0, round(rule.needed - rule.done, 2)) if rule.kind == "min" else 0.0


def to_go_line(status: CEStatus) -> str:
    """One personal line under a general answer: "You have 18 hours to go by 2027-06-30 for
    your PTCB ... (CPhT)."."""
    name, exp = status.credential.name, status.expiration.isoformat()
    if status.complete:
        return f"Your CE for your {name} is complete; it expires {exp}."
    total = _gap(status, "total")
    if total:
        return f"You have {format_hours(total)} to go by {exp} for your {name}."
    return f"Still needed for your {name} by {exp}: {'; '.join(status.missing)}."


def status_sentences(status: CEStatus) -> str:
    """The status in a few sentences: the date, the hours to go by requirement, the renewal
    window and late-fee date, and the next step (the full one is ``/ce status``)."""
    cred = status.credential
    days = status.days_to_expiration
    when = f"{days} days from today" if days >= 0 else f"{-days} days ago"
    lines = [f"Your {cred.name} expires on {status.expiration.isoformat()} ({when})."]
    if status.complete:
        lines.append(f"Your logged CE covers it: {format_hours(status.rule('total').done)} "
                     f"of {format_hours(status.rule('total').needed)} hours.")
    else:
        total = _gap(status, "total")
        parts = [m for m in status.missing if not m.endswith("in total")]
        head = (f"You need {_hours_phrase(total, True)} by {status.expiration.isoformat()}"
                if total else f"You still need, by {status.expiration.isoformat()}")
        lines.append(head + (": " + "; ".join(parts) if parts else "") + ".")
    dates = []
    if status.renewal_window_opens is not None and status.phase == "cycle":
        dates.append(f"the renewal window opens {status.renewal_window_opens.isoformat()}")
    if status.late_fee_deadline is not None and status.phase in ("cycle", "window_open"):
        dates.append(f"apply by {status.late_fee_deadline.isoformat()} to avoid the late fee")
    if dates:
        text = "; ".join(dates)
        lines.append(text[:1].upper() + text[1:] + ".")
    lines.append(f"Next step: {status.next_step}")
    return " ".join(lines)
