"""Every credential the CE tracker knows, by the key users type in ``/ce set``.

The national certifications and Texas are written by hand, one YAML file each in
``bot/ce/data/`` (with their fees, deadlines and reinstatement rules, each figure checked
against the knowledge base by :mod:`bot.ce.loader`): :data:`CREDENTIALS`, loaded on import.

Every other state whose renewal CE the state data sources (``states/*.yaml``:
``renewal.cycle_months`` and ``renewal.ce_hours`` both known) becomes an ``xx-tech`` credential
here, built from its record: the board is who to confirm with, the record's renewal source is
the rule's source, and each required topic becomes a rule that entries meet when the user marks
them with the topic's tag (``+fl-hiv-aids``). A state whose CE is unknown gets
:func:`unconfirmed_message` instead, naming its board and link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.career.loader import Source
from bot.ce import model as ce_model
from bot.ce.loader import load_credentials
from bot.ce.model import Credential, TopicRule
from bot.content.states import Jurisdiction, all_states

#: The credentials written by hand (ptcb-cpht, ptcb-cpht-adv, nha-cpht, tx-tech), by key, in
#: their order; a rule file that contradicts the knowledge base stops the import here.
CREDENTIALS: dict[str, Credential] = load_credentials()

STATE_SUFFIX = "-tech"
_STATE_KEY = re.compile(r"([a-z]{2})" + re.escape(STATE_SUFFIX))
_TAG_STOPWORDS = {
    "a", "acpe", "an", "and", "approved", "as", "board", "by", "for", "if", "in", "of", "on",
    "only", "or", "related", "the", "to", "with",
}  # fmt: skip
#: A topic whose name says it applies only to some technicians: shown, not required.
_CONDITIONAL = re.compile(r"\b(only|if|proposed|one-time)\b", re.IGNORECASE)
_CREDENTIAL_WORDS = {"registration", "license", "certification", "permit"}


def state_key(code: str) -> str:
    """``"FL"`` -> ``"fl-tech"``."""
    return code.lower() + STATE_SUFFIX


def topic_tag(code: str, name: str) -> str:
    """The tag of a state's required topic: the state code and up to three words of the name
    without its parenthesis, e.g. ``fl-prevention-medication-errors``, ``fl-hiv-aids``; a human
    trafficking course is ``xx-human-trafficking``, like Texas's ``+human-trafficking``."""
    if "human trafficking" in name.lower():
        return f"{code.lower()}-human-trafficking"
    words = re.findall(r"[a-z0-9]+", re.sub(r"\([^)]*\)", " ", name).lower())
    kept = [w for w in words if w not in _TAG_STOPWORDS][:3]
    return "-".join([code.lower(), *kept])


def state_topic_rules(record: Jurisdiction) -> tuple[TopicRule, ...]:
    return tuple(
        TopicRule(
            key=topic_tag(record.code, topic.name),
            label=topic.name,
            hours=topic.hours,
            conditional=bool(_CONDITIONAL.search(topic.name)),
            live=topic.name.strip().lower().startswith("live"),
        )
        for topic in record.renewal.ce_topics
    )


def _the(board: str) -> str:
    return board if board.lower().startswith("the ") else f"the {board}"


def state_credential(record: Jurisdiction) -> Credential | None:
    """The ``xx-tech`` credential of a state whose renewal cycle and CE hours are sourced;
    ``None`` when either is unknown."""
    renewal = record.renewal
    source = record.source(renewal.source)
    if renewal.cycle_months is None or renewal.ce_hours is None or source is None:
        return None
    board, url = record.board.name, record.board.url
    word = record.credential.value if record.credential.value in _CREDENTIAL_WORDS else "credential"
    ask = f"ask {_the(board)}: {url}"
    notes = []
    if renewal.note:
        notes.append(f"{record.name}: {renewal.note[:1].upper()}{renewal.note[1:]}.")
    third_party = " (a third-party summary, not the board's own page)" \
        if source.reliability == "3rd-party" else ""
    notes.append(
        f"These rules come from \u201c{source.title}\u201d ({source.as_of}){third_party}; "
        f"confirm them with {_the(board)}: {url}"
    )
    rules = state_topic_rules(record)
    if rules:
        notes.append(
            f"Mark an activity that meets a required {record.name} topic with its tag when you log "
            f"it, e.g. /ce add 2 general \u201cCourse title\u201d +{rules[0].key} "
            f"(/ce tags lists them), or later with /ce tag <n> +{rules[0].key}."
        )
    return Credential(
        id=state_key(record.code),
        name=f"{record.name} pharmacy technician {word}",
        body=board,
        cycle_months=renewal.cycle_months,
        total_hours=renewal.ce_hours,
        min_technician_hours=None,
        max_pharmacist_hours=None,
        law_hours=0,
        law_label="",
        patient_safety_hours=0,
        topic_rules=rules,
        renewal_window_days=None,
        late_fee_deadline_rule=None,
        late_fee=f"Not in my {record.name} record; {ask}",
        renewal_fee=f"Not in my {record.name} record; {ask}",
        reinstatement=(
            f"My {record.name} record doesn't say how late renewal or reinstatement works; "
            f"{ask}"
        ),
        reinstatement_law_hours=0,
        uncertain=tuple(notes),
        confirm_at=url,
        sources=(Source(source.title, source.url, source.as_of),),
        law_topics=(),
        reinstatement_years=None,
        state=record.code,
    )


@lru_cache(maxsize=1)
def state_credentials() -> dict[str, Credential]:
    """``xx-tech`` credentials from the state data, by state code; states written by hand in
    bot/ce/data (``tx-tech``) keep their own rules."""
    out: dict[str, Credential] = {}
    for code, record in sorted(all_states().items()):
        key = state_key(code)
        if key in CREDENTIALS:
            continue
        credential = state_credential(record)
        if credential is not None:
            out[key] = credential
    return out


def all_credentials() -> dict[str, Credential]:
    """Hand-written credentials first (ptcb-cpht, ptcb-cpht-adv, nha-cpht, tx-tech), then the
    states, by code."""
    return {**CREDENTIALS, **state_credentials()}


def find(key: str) -> Credential | None:
    key = key.strip().lower()
    return CREDENTIALS.get(key) or state_credentials().get(key)


def state_record(key: str) -> Jurisdiction | None:
    """The state record behind ``xx-tech`` (``None`` for other keys)."""
    match = _STATE_KEY.fullmatch(key.strip().lower())
    return all_states().get(match[1].upper()) if match else None


def unconfirmed_message(key: str) -> str | None:
    """For ``xx-tech`` of a state whose renewal CE the data doesn't source: that the rule is
    not confirmed, with the board's name and link (``None`` for every other key)."""
    record = state_record(key)
    if record is None or find(key) is not None:
        return None
    text = (
        f"{record.name}: the technician renewal CE rule is not confirmed in my state data, so I "
        f"can't track it. Check with {_the(record.board.name)}: {record.board.url}"
    )
    if record.renewal.note:
        text += f"\nWhat my record says: {record.renewal.note}."
    return text


def all_tags() -> dict[str, str]:
    """Every tag a user may put on an entry (alias -> tag): the core ones and each state
    topic's."""
    tags = dict(ce_model.CORE_TAGS)
    for credential in state_credentials().values():
        tags.update({rule.key: rule.key for rule in credential.topic_rules})
    return tags


def tag_lines(credentials: Iterable[Credential]) -> list[str]:
    """``+tag — what it marks`` for the tags that matter to these credentials."""
    lines: list[str] = []
    for credential in credentials:
        if credential.id == "tx-tech":
            lines += [f"+{tag} \u2014 {ce_model.TAG_LABELS[tag]}"
                      for tag in ("tx-law", "human-trafficking", "accredited")]
            continue
        for rule in credential.topic_rules:
            hours = f"{ce_model.format_hours(rule.hours)} h" if rule.hours is not None else "course"
            extra = " (if it applies to you)" if rule.conditional else ""
            lines.append(f"+{rule.key} \u2014 {credential.name}: {rule.label}, {hours}{extra}")
    return list(dict.fromkeys(lines))
