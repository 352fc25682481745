"""Replies: grounded answers built from whole sections of the knowledge base, after the safety
and scope reading (:mod:`bot.answers.scope`).

No language model writes text here. Each knowledge document is made of ``##`` sections that
answer the question in their heading; an answer presents the best-matching section as written
(its opening first, lists intact, shortened only at sentence or list-item boundaries), maybe
followed by the opening of a second document's section that answers the same question. Every
paragraph and list item carries the ids of the sources that support it (``[^id]`` markers in
the documents), so each part of a reply cites exactly the pages that say it.

Safety comes first and is decided on the new message alone: a crisis, an emergency or a
medication question gets its redirect whatever the conversation was about before. History only
helps to retrieve for a short follow-up that refers back ("how long does that take?").
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from functools import lru_cache
from urllib.parse import urlparse

import numpy as np

from bot.answers import safety, templates
from bot.answers.field_words import names_another_trade, names_the_field, spell_out
from bot.answers.intent import LAPSED_ASKED
from bot.answers.language import ENGLISH, SPANISH
from bot.answers.leading import (
    about_other_state,
    asked_first,
    only_states_asked,
    terms,
    text_terms,
)
from bot.answers.ranking import SectionHit
from bot.answers.reply import Part, Reply, SourceRef
from bot.answers.retrieval import Passage, Retrieval, Retriever
from bot.answers.scope import MIN_EVIDENCE, SAFETY, SafetyReading, ScopeReader
from bot.answers.state_sections import StateSections
from bot.content import states as state_rules
from bot.text import leading_sentences, words

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# Scope thresholds (cosine similarity), tuned on tests/data/eval_questions.jsonl and
# tests/data/safety_messages.jsonl.
ANSWER_EVIDENCE = 0.25  # below this an in-scope question gets NO_MATCH instead of weak passages
HEALTH_NOTE_AT = 0.45  # a career question this close to a medication question gets HEALTH_NOTE
CANDIDATE_PASSAGES = 10  # passages retrieved per question; sections are ranked from them
BODY_WORDS = 170  # the best section is shortened to about this many words
LEAD_WORDS = 45  # the bold opening; the rest of its paragraph follows as a paragraph
SECOND_WORDS = 45  # the opening taken from a second document's section
SECOND_MARGIN = 0.10  # a second section is shown when it scores this close to the best
#: A question about a state's own rules (registration, certification requirement, renewal, CE,
#: age, background, ratio): the state's card leads. Other questions naming a state (a role, a
#: task) search the topic.
STATE_RULES = re.compile(
    r"\b(?:licen[cs]\w*|regist\w*|certif\w*|cert|ptcb|nha|required|require\w*|need|renew\w*"
    r"|ce|continuing education|age|old|background|felony|ratio|rules?|laws?|board|trainees?)\b",
    re.IGNORECASE)
#: Words of a state's rules for technicians: with a state named, a message is in scope.
STATE_RULE_WORDS = re.compile(
    r"\b(?:licen[cs]\w*|regist\w*|certif\w*|renew\w*|ce|continuing education|ratio|board"
    r"|trainees?|background checks?|felony|rules|laws|minimum age)\b", re.IGNORECASE)
RENEWAL_WORDS = re.compile(r"\b(?:renew\w*|ce|continuing education|expire\w*|cycle)\b",
                           re.IGNORECASE)
CARD_MARGIN = 0.4  # a state's card leads only when it scores this close to the best section
WHICH_STATE_MARGIN = 0.25  # another state's section this far ahead: ask which state instead
MAX_FOLLOWUPS = 3
#: Words every heading shares, which say nothing about what two sections have in common.
GENERIC_TERMS = terms("pharmacy pharmacist technician technicians tech state states work job do "
                      "does can what how which who when where why i my new")
SECOND_SAME_DOC = True  # the second section may come from the lead's own document

HISTORY_MAX_CHARS = 200  # longer earlier questions are not glued onto a follow-up
FOLLOWUP_MAX_WORDS = 5  # a message this short may be a follow-up even without "that"/"it"
OFF_TOPIC_FIRM = 0.10  # a message this much closer to off-topic than to career stays off topic
REFERRING_RE = re.compile(
    r"^(and|also|so|but|what about|how about|same|is that|does that|do those|for that)\b"
    r"|\b(that|this|it|its|those|these|them|they|their|there|then|same|ones?)\b",
    re.IGNORECASE,
)

CONFIRM_AT = {
    "ptcb.org": "PTCB (ptcb.org)",
    "ptcb.zendesk.com": "PTCB (ptcb.org)",
    "nhanow.com": "NHA (nhanow.com)",
    "pharmacy.texas.gov": "the Texas State Board of Pharmacy",
    "bls.gov": "the BLS Occupational Outlook Handbook (bls.gov)",
    "usp.org": "USP (usp.org)",
    "ashp.org": "ASHP (ashp.org)",
}
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_question(raw: str) -> tuple[str, bool]:
    """Normalize user text: strip control and direction characters, collapse whitespace,
    and cut very long input. Returns (text, was_truncated)."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = CONTROL_RE.sub(" ", text)
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUESTION_CHARS
    text = without_repeats(text)
    if len(text) > MAX_QUESTION_CHARS:
        cut = text[:MAX_QUESTION_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut[200:] else cut
    return text, truncated


def without_repeats(text: str) -> str:
    """The text with sentences that repeat an earlier one left out (a question pasted ten
    times reads as the question, not as something no one writes: the safety classifier read
    one such repeat as a crisis)."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    seen: set[str] = set()
    kept = [s for s in sentences if not (s.casefold() in seen or seen.add(s.casefold()))]
    return " ".join(kept) if len(kept) < len(sentences) else text


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def is_followup(text: str) -> bool:
    """Whether a message may lean on the previous question ("how long does that take?")."""
    return words(text) <= FOLLOWUP_MAX_WORDS or bool(REFERRING_RE.search(text))


def usable_history(history: list[str]) -> list[str]:
    """The recent questions that help read a follow-up: the last one, and the one before it
    when the last was itself a follow-up ("renew PTCB?" -> "what about NHA?" -> "and the
    fee?"). Only short questions: long ones would crowd the new message out."""
    recent = [h for h in history[-2:] if len(h) <= HISTORY_MAX_CHARS]
    if len(recent) == 2 and not is_followup(recent[1]):
        recent = recent[1:]
    return recent


@lru_cache(maxsize=1024)  # a reply's sources come from a few hundred fixed URLs
def _domain(url: str | None) -> str:
    host = urlparse(url or "").hostname or ""
    return host.removeprefix("www.")


class Replier(StateSections):
    """Turns a question into a Reply using a Retriever (the candidate sections and their
    ranking: :mod:`bot.answers.ranking` and :mod:`bot.answers.state_sections`)."""

    def __init__(self, retriever: Retriever, states: dict | None = None):
        self.retriever = retriever
        self.states = state_rules.all_states() if states is None else states
        self._states_of_section: dict[str, frozenset[str]] = {}
        self._texts: dict[str, str] = {}
        self.scope = ScopeReader(retriever)
        self.language = self.scope.language
        self.idf = self._idf()
        self.sections_by_path = self._sections_by_path()
        self.heading_vectors = self._heading_vectors()
        self.asked_vectors = self._asked_vectors()
        self.asked_index = self._asked_index()
        self.asked_positions = {k: i for i, k in enumerate(self.asked_index[0])}
        self.heading_index = self._heading_index()
        self.sentence_rows, self.sentence_matrix = self._sentence_vectors()
        self._asked_cache: tuple[np.ndarray, np.ndarray] | None = None

    # --- composing ---------------------------------------------------------------------------

    def candidates(
        self, question: str, retrieval: Retrieval, focus: np.ndarray | None = None,
        about: str | None = None,
    ) -> tuple[Retrieval, str | None, list[str], list[SectionHit]]:
        """The sections a reply may lead with, best first: the search's, the named state's,
        and those found by their "asked as" phrasings. Also returns the retrieval with them,
        the state's document path and the states the question names."""
        retrieval, state_path, named = self._with_state_sections(question, retrieval)
        retrieval = self._with_asked_sections(retrieval)
        hits = self.rank_sections(question, retrieval, focus, about, state_path)
        return retrieval, state_path, named, hits

    def compose(
        self, question: str, retrieval: Retrieval, focus: np.ndarray | None = None,
        about: str | None = None, home_state: str | None = None,
    ) -> Reply:
        retrieval, state_path, named, hits = self.candidates(question, retrieval, focus, about)
        hits, elsewhere = self._only_states_asked(hits, named or (
            [home_state] if home_state in self.states else []))
        if elsewhere and STATE_RULES.search(question) and elsewhere[0].dense >= (
                ANSWER_EVIDENCE) and (not hits or hits[0].dense < ANSWER_EVIDENCE
                                      or elsewhere[0].score > hits[0].score + WHICH_STATE_MARGIN):
            return self.which_state(question, elsewhere)
        renewal = RENEWAL_WORDS.search(question) is not None  # the renewal card, not the rules
        if state_path is not None and len(named) == 1 and STATE_RULES.search(question):
            # a question about the state's own rules gets the state's card first
            code = named[0]
            wanted = self._card_hit(code, renewal, hits)
            # ... unless a section of another document about that state, near the top,
            # matches the question more closely than the card (Texas CE has its own
            # document; how California licenses is not a California renewal question)
            bare = self._asks_only_rules(question, code)
            asked = state_rules.asked_facts(question)
            deeper = not bare and self._closer_elsewhere(
                code, wanted, state_path, hits, LAPSED_ASKED.search(question) is not None,
                renewal, facts=[state_rules.FACT_ASKED[name] for name in asked])
            # a fact the card leaves unconfirmed ("ky tech ratio?") is still the card's to say,
            # unless another section about that state, near the top, speaks of it
            elsewhere_about = self._elsewhere_about(code, asked, state_path, hits)
            # ... and only when it is near the top: a task that names a state ("name change
            # fee texas board") is answered by the task's section
            near = wanted is not None and hits and wanted.score >= hits[0].score - CARD_MARGIN
            answers = renewal or state_rules.card_answers(self.states[code], question)
            if wanted is not None and near and not deeper and (answers or elsewhere_about is None):
                hits = [wanted, *(h for h in hits if h is not wanted)]
            elif elsewhere_about is not None and not answers and not deeper:
                # "how old to be a tech in texas": the section on minimum ages, which names
                # Texas, before how Texas registers, which says nothing of age
                hits = [elsewhere_about, *(h for h in hits if h is not elsewhere_about)]
        if len(named) > 1 and state_path is not None:
            # a move: the new state's requirements first, then how a move works (below)
            wanted = next((h for h in hits if h.passage.path == state_path
                           and h.passage.heading.startswith("What do I need")), None)
            # ... unless a section of another document about the new state, near the top,
            # matches more closely ("moved to texas last year and my registration expired")
            code = state_rules.destination(question, named, self.states)
            if wanted is not None and not self._closer_elsewhere(code, wanted, state_path, hits,
                                                                 moving=True):
                hits = [wanted, *(h for h in hits if h is not wanted)]
        extra = self._home_state_renewal(hits, home_state, retrieval.vector) if (
            not named) else None
        compared = len(named) > 1 and state_path is None and STATE_RULES.search(question)
        if compared:
            # two states' rules compared ("ce hours in ohio vs michigan"): each one's card
            cards = [self._card_hit(code, renewal, hits) for code in named[:2]]
            if all(cards):
                hits = [cards[0], *(h for h in hits if h is not cards[0])]
                extra = cards[1]
        if not hits or hits[0].dense < ANSWER_EVIDENCE:
            return self.no_match(question, hits)
        lead_hit = hits[0]
        lead = lead_hit.passage
        numbering = _SourceNumbering()
        parts = self._section_parts(lead, numbering, question, named, retrieval.vector)
        shown = {lead.section}
        if extra is not None and extra.passage.blocks:
            block = asked_first(extra.passage, question)[0]
            parts.append(self._part("point", block["text"], extra.passage, block, numbering))
            shown.add(extra.key)
        if len(named) > 1 and state_path is not None:  # a move: a registration does not transfer
            move = self._move_section(retrieval.vector)
            if move is not None and move.blocks:
                block = move.blocks[0]
                parts.append(self._part("point", block["text"], move, block, numbering))
                shown.add(move.section)
        second = None if len(shown) > 1 else next(
            (h for h in hits[1:3]
             if (SECOND_SAME_DOC or h.passage.path != lead.path)
             and self._same_subject(lead, h.passage, question)
             and h.score >= lead_hit.score - SECOND_MARGIN
             and h.dense >= ANSWER_EVIDENCE and h.passage.blocks
             and not (named and about_other_state(h.passage.blocks[0]["text"], named,
                                                  self.states))),
            None,
        )
        if second is not None:
            block = second.passage.blocks[0]
            text = leading_sentences(block["text"], SECOND_WORDS)
            if not text.endswith(":"):
                parts.append(self._part("point", text, second.passage, block, numbering))
                shown.add(second.key)
        # a question about one state ends with that state's own next step (its board's page),
        # whichever document leads ("how old to be a tech in texas")
        step = self.next_step_part(state_path or lead.path, numbering)
        if step is not None:
            parts.append(step)
        return Reply(
            question=question, kind="answer", lead=parts[0].text, parts=parts,
            confirm=self._where_to_confirm(numbering.refs),
            sources=numbering.refs,
            followups=self._followups(hits, shown, lead.path),
        )

    def _same_subject(self, lead: Passage, other: Passage, question: str) -> bool:
        """Whether a second section may follow the lead in one reply: the same topic, and for
        a state's card only that state's own sections. Anything else is offered as a follow-up
        button instead (no tails from elsewhere: a nursing line under a state's card)."""
        if lead.path.startswith("states/") or other.path.startswith("states/"):
            return other.path == lead.path
        # and the same subject: its question shares a word beyond the field's own with the
        # lead's, or two with the question asked (a background check does not follow "do
        # duties differ between states"; "how do i get into IV room work" follows "is the
        # iv room worth it")
        other_terms = text_terms(other.heading) - GENERIC_TERMS
        return other.topic == lead.topic and (
            bool(text_terms(lead.heading) & other_terms) or len(terms(question) & other_terms) >= 2)

    def no_match(self, question: str, hits: list[SectionHit]) -> Reply:
        """The honest "not covered yet", with the closest question headings as buttons."""
        followups = [
            h.passage.heading for h in hits if h.passage.heading.endswith("?")
        ][:MAX_FOLLOWUPS]
        return Reply(question=question, kind="no_match", lead=templates.NO_MATCH,
                     followups=followups)

    def _part(
        self, role: str, text: str, passage: Passage, block: dict, numbering: _SourceNumbering
    ) -> Part:
        cites = [numbering.number(passage, cite) for cite in block["cites"]]
        return Part(
            role=role, text=text, section=passage.section, topic=passage.topic,
            cites=list(dict.fromkeys(cites)), item=block["kind"] == "item",
        )

    def _section_parts(self, passage: Passage, numbering: _SourceNumbering,
                       question: str | None = None, named: list[str] | None = None,
                       vector: np.ndarray | None = None) -> list[Part]:
        """The section as written, shortened at sentence or list-item boundaries; the block
        that states what the question asks for comes first, and for a question that names a
        state, no block about another state follows (see bot.answers.leading)."""
        blocks = asked_first(passage, question, self.idf, self.closeness(vector)) if (
            question) else passage.blocks
        if named:
            blocks = only_states_asked(blocks, named, self.states)
        chosen: list[tuple[dict, str]] = []
        used = 0
        for block in blocks:
            text = block["text"]
            n = words(text)
            if used + n <= BODY_WORDS or not chosen:
                if not chosen and n > BODY_WORDS:
                    text = leading_sentences(text, BODY_WORDS)
                chosen.append((block, text))
                used += words(text)
                continue
            if block["kind"] == "paragraph":
                partial = leading_sentences(text, BODY_WORDS - used)
                if words(partial) + used <= BODY_WORDS and partial != text:
                    chosen.append((block, partial))
            break
        while len(chosen) > 1 and chosen[-1][1].endswith(":"):
            chosen.pop()  # never end on a list's introduction without its items
        parts: list[Part] = []
        first_block, first_text = chosen[0]
        lead_text = leading_sentences(first_text, LEAD_WORDS)
        parts.append(self._part("lead", lead_text, passage, first_block, numbering))
        rest = first_text[len(lead_text):].strip()
        if rest:
            parts.append(self._part("point", rest, passage, first_block, numbering))
        for block, text in chosen[1:]:
            parts.append(self._part("point", text, passage, block, numbering))
        return parts

    def next_step_part(self, path: str, numbering: _SourceNumbering) -> Part | None:
        section = self.sections_by_path.get(path, {})
        passage = next((p for p in section.values() if p.next_step and p.blocks), None)
        if passage is None:
            return None
        block = passage.blocks[0]
        return self._part("next_step", block["text"], passage, block, numbering)

    @staticmethod
    def _where_to_confirm(refs: list[SourceRef]) -> str:
        """Which certifying body or regulator to check with, from the cited sources."""
        names: list[str] = []
        for ref in refs:
            domain = _domain(ref.url)
            for key, name in CONFIRM_AT.items():
                if (domain == key or domain.endswith("." + key)) and name not in names:
                    names.append(name)
        if any(ref.topic == "registration" for ref in refs):
            names.insert(0, "your state board of pharmacy")
        return f"Confirm current rules and fees with {' or '.join(names[:3])}." if names else ""

    def _followups(self, hits: list[SectionHit], shown: set[str], lead_path: str) -> list[str]:
        """Close sections not shown, by their question headings; then the lead document's."""
        out: list[str] = []
        candidates = [h.passage for h in hits] + list(self.sections_by_path.get(lead_path, {}).values())
        for p in candidates:
            head = p.heading
            if p.section in shown or p.next_step or not head.endswith("?") or head in out:
                continue
            out.append(head)
            if len(out) == MAX_FOLLOWUPS:
                break
        return out

    # --- entry points ------------------------------------------------------------------------

    def answer(
        self, question: str, history: list[str] | None = None, home_state: str | None = None
    ) -> Reply:
        return self.answer_many([question], [history or []], [home_state])[0]

    def answer_many(
        self, questions: list[str], histories: list[list[str]] | None = None,
        home_states: list[str | None] | None = None,
    ) -> list[Reply]:
        """Answer several questions with one batched embedding call. ``home_states``: each
        asker's state from their profile (two-letter code), if any."""
        started = time.perf_counter()
        histories = histories or [[] for _ in questions]
        home_states = home_states or [None for _ in questions]
        replies: list[Reply | None] = [None] * len(questions)
        texts: list[str] = []
        slots: list[tuple[int, str, bool, bool]] = []  # (index, cleaned, truncated, follow-up)
        langs: dict[int, str] = {}
        phrase_readings: dict[int, safety.PhraseReading] = {}
        for i, raw in enumerate(questions):
            text, truncated = clean_question(raw)
            if not has_words(text):
                replies[i] = Reply(question=raw, kind="empty", lead=templates.EMPTY_QUESTION)
                continue
            langs[i] = self.language.detect(text)
            phrase_readings[i] = safety.read_phrases(text, spanish=langs[i] == SPANISH)
            context = usable_history(histories[i])
            follow = bool(context) and is_followup(text)
            # a state's code or informal name as its name ("tech license in nc?" -> "... in
            # North Carolina?"): the model and the keyword search know names, not codes. The
            # safety reading keeps the message as written, so it gets its own row then
            plain = spell_out(text)
            named = state_rules.spell_out_codes(text, self.states)
            spelled = plain if named is text else spell_out(named)
            slots.append((i, text, truncated, follow, spelled != plain))
            texts.append(plain)
            if spelled != plain:
                texts.append(spelled)
            if follow:
                texts.append(spell_out(state_rules.spell_out_codes(
                    " ".join([*context, text]), self.states)))
                texts.append(spell_out(state_rules.spell_out_codes(context[0], self.states)))
        if slots:
            vectors = self.retriever.embed(texts)
            k = max(self.retriever.settings.top_k, CANDIDATE_PASSAGES)
            retrievals = self.retriever.search_many(texts, vectors, k)
            # the clauses of every message that needs the clause check, in one model run
            owns: dict[int, int] = {}
            checked: list[tuple[int, int, int]] = []  # (question, first clause row, count)
            clause_texts: list[str] = []
            j = 0
            for i, text, _truncated, follow, spelled in slots:
                owns[i] = j
                parts = phrase_readings[i].clauses
                if self.scope.needs_clause_check(text, langs[i], phrase_readings[i], vectors[j]):
                    checked.append((i, len(clause_texts), len(parts)))
                    clause_texts.extend(spell_out(p) or p for p in parts)
                j += (3 if follow else 1) + spelled
            scores: dict[int, list[tuple[float, float, float]]] = {}
            clause_vectors: dict[int, np.ndarray] = {}
            if clause_texts:
                embedded = self.retriever.embed(clause_texts)
                all_scores = self.scope.clause_scores(embedded)
                scores = {i: all_scores[start:start + n] for i, start, n in checked}
                clause_vectors = {i: embedded[start:start + n] for i, start, n in checked}
            for i, text, truncated, follow, spelled in slots:
                j = owns[i]
                as_written = retrievals[j] if spelled else None  # what safety reads
                j += spelled
                own = retrievals[j]
                own.query = text
                context = earlier = None
                if follow:
                    context, earlier = retrievals[j + 1], retrievals[j + 2]
                    context.query = " ".join([*usable_history(histories[i]), text])
                replies[i] = self._reply(questions[i], text, own, context, earlier, truncated,
                                         home_states[i], langs[i], phrase_readings[i],
                                         scores.get(i), clause_vectors.get(i), as_written)
            for retrieval in retrievals:
                # the scores of passages left out of the top k serve composing only; a reply
                # keeps its retrieval, and 2,000 replies in flight kept 8 MB of them
                retrieval.scored = {}
        elapsed = (time.perf_counter() - started) * 1000 / max(1, len(questions))
        out = []
        for r in replies:
            assert r is not None
            r.latency_ms = elapsed
            out.append(r)
        return out

    def _reply(
        self, raw: str, text: str, own: Retrieval, context: Retrieval | None,
        earlier: Retrieval | None, truncated: bool, home_state: str | None = None,
        lang: str = ENGLISH, phrases: safety.PhraseReading | None = None,
        clause_scores: list[tuple[float, float, float]] | None = None,
        clause_vectors: np.ndarray | None = None, as_written: Retrieval | None = None,
    ) -> Reply:
        # Safety and scope are decided on the message alone, before any history is used, and
        # on the message as written (``as_written``, when the search read a state's code as
        # its name)
        written = own if as_written is None else as_written
        label, scores = self.scope.decide_scope(written)
        phrases = phrases if phrases is not None else safety.read_phrases(text)
        reading = self.scope.read_safety(lang, phrases, label, clause_scores, written.vector,
                                   clause_vectors)
        log.debug("scope %s safety %s lang %s %s", label, reading.outcome, lang,
                  {k: round(v, 3) for k, v in scores.items()})
        reply = self._safety_reply(raw, reading)
        if reply is None and lang != ENGLISH:
            reply = self._language_reply(raw, text, lang, label, own, truncated, home_state)
        if reply is not None:
            reply.retrieval = own
            reply.safety, reply.lang = reading.outcome, lang
            if reading.outcome == safety.DISTRESS and reply.kind != "crisis":
                reply.notes.append(_distress_line(reading, lang))
            return reply
        if label in SAFETY:  # the safety reading found none: the message is read as career
            label = "career"
        if label == "off_topic" and (names_the_field(text) or (
                STATE_RULE_WORDS.search(text) and not names_another_trade(text)
                and state_rules.find_states(text, self.states))):
            # "what do i need to work as a tech in ohio": the field's own words; "whats the
            # ratio in ky": a state's rules
            label = "career"
        retrieval, focus, about = own, None, None
        if (label not in SAFETY and context is not None and context.best_dense >= MIN_EVIDENCE
                and scores["off_topic"] - scores["career"] < OFF_TOPIC_FIRM):
            retrieval = context  # scores against the question read with its context
            focus = own.vector
            label = "career"
            first = self.rank_sections(earlier.query, earlier) if earlier is not None else []
            about = first[0].passage.path if first else None
        reply = self._reply_for_scope(raw, text, label, scores, retrieval, focus, about,
                                      truncated, home_state)
        reply.retrieval = retrieval
        reply.safety, reply.lang = reading.outcome, lang
        if reading.outcome == safety.DISTRESS:
            reply.notes.append(_distress_line(reading, ENGLISH))
        return reply

    def _safety_reply(self, raw: str, reading: SafetyReading) -> Reply | None:
        """The redirect for a crisis, someone else in crisis, an emergency or a medication
        question, in the message's language; None for the others."""
        spanish = reading.lang == SPANISH
        if reading.outcome == safety.CRISIS:
            if spanish:
                return Reply(question=raw, kind="crisis", lead=templates.CRISIS_REPLY_ES,
                             followups=[templates.CRISIS_FOLLOWUP])
            career = reading.career_part() if reading.lang == ENGLISH else ""
            if career:
                return Reply(question=raw, kind="crisis",
                             lead=templates.CRISIS_REPLY_WITH_QUESTION, followups=[career])
            return Reply(question=raw, kind="crisis", lead=templates.CRISIS_REPLY,
                         followups=[templates.CRISIS_FOLLOWUP])
        if reading.outcome == safety.SOMEONE_ELSE:
            return Reply(question=raw, kind="crisis", lead=(
                templates.SOMEONE_ELSE_REPLY_ES if spanish else templates.SOMEONE_ELSE_REPLY))
        if reading.outcome == safety.EMERGENCY:
            return Reply(question=raw, kind="emergency", lead=(
                templates.EMERGENCY_REDIRECT_ES if spanish else templates.EMERGENCY_REDIRECT))
        if reading.outcome == safety.MEDICAL:
            return Reply(question=raw, kind="medical", lead=(
                templates.MEDICATION_REDIRECT_ES if spanish else templates.MEDICATION_REDIRECT))
        return None

    def _language_reply(
        self, raw: str, text: str, lang: str, label: str, own: Retrieval, truncated: bool,
        home_state: str | None,
    ) -> Reply:
        """A message in another language: never "outside what I know". Spanish that the
        knowledge base still matches well in English (a mixed "mi CPhT expira, que hago")
        gets the English answer under a Spanish note; otherwise a short notice, in Spanish for
        Spanish, with starter questions as buttons."""
        if lang == SPANISH and label == "career" and own.best_dense >= ANSWER_EVIDENCE:
            reply = self.compose(text, own, home_state=home_state)
            if reply.kind == "answer":
                reply.question = raw
                reply.query_used = own.query
                reply.notes.insert(0, templates.SPANISH_ANSWER_NOTE)
                return reply
        lead = templates.SPANISH_NOTICE if lang == SPANISH else templates.OTHER_LANGUAGE_NOTICE
        return Reply(question=raw, kind="language", lead=lead,
                     followups=list(templates.LANGUAGE_STARTERS))

    def _reply_for_scope(
        self, raw: str, text: str, label: str, scores: dict[str, float], retrieval: Retrieval,
        focus: np.ndarray | None, about: str | None, truncated: bool,
        home_state: str | None = None,
    ) -> Reply:
        if label == "crisis":
            return Reply(question=raw, kind="crisis", lead=templates.CRISIS_REPLY,
                         followups=[templates.CRISIS_FOLLOWUP])
        if label == "emergency":
            return Reply(question=raw, kind="emergency", lead=templates.EMERGENCY_REDIRECT)
        if label == "medical":
            return Reply(question=raw, kind="medical", lead=templates.MEDICATION_REDIRECT)
        if label == "off_topic":
            return Reply(question=raw, kind="off_topic", lead=templates.OFF_TOPIC_REDIRECT)
        reply = self.compose(text, retrieval, focus, about, home_state)
        reply.question = raw
        reply.query_used = retrieval.query
        if reply.kind == "answer" and (
            scores["medical"] >= HEALTH_NOTE_AT or scores["emergency"] >= HEALTH_NOTE_AT
        ):
            reply.notes.append(templates.HEALTH_NOTE)
        if truncated:
            reply.notes.insert(0, templates.LONG_QUESTION_NOTE)
        return reply


def _distress_line(reading: SafetyReading, lang: str) -> str:
    """The one line after an answer read as distress: for a loss to suicide, the line that
    speaks of the loss; in Spanish for a Spanish message."""
    if lang == SPANISH:
        return templates.LOSS_LINE_ES if reading.loss else templates.DISTRESS_LINE_ES
    return templates.LOSS_LINE if reading.loss else templates.DISTRESS_LINE


class _SourceNumbering:
    """Numbers sources in order of first appearance; one number per URL."""

    def __init__(self) -> None:
        self.refs: list[SourceRef] = []
        self._by_url: dict[str, int] = {}

    def number(self, passage: Passage, source_id: str) -> int:
        source = next(s for s in passage.sources if s.get("id") == source_id)
        url = source["url"]
        if url not in self._by_url:
            self._by_url[url] = len(self.refs) + 1
            self.refs.append(SourceRef(
                number=len(self.refs) + 1, title=source["title"], url=url,
                as_of=str(source.get("as_of", "")), topic=passage.topic, path=passage.path,
            ))
        return self._by_url[url]
