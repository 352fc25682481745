"""The states' own sections among a reply's candidates: those of a state the question names
(or the state moved to), the state's card, the sections about another state than the one
asked, and the question back when a question names no state."""

from __future__ import annotations

import re

import numpy as np

from bot.answers import templates
from bot.answers.intent import LAPSED_HEADING
from bot.answers.ranking import SectionHit, SectionRanking
from bot.answers.reply import Reply
from bot.answers.retrieval import Passage, Retrieval, lexical_terms
from bot.content import states as state_rules

#: Words that ask for nothing beyond "this state's rules for techs": a question made only of
#: these and the state's name ("what are the rules for techs in ohio", "oh tech laws") gets the
#: state's card, even when another section about that state (Ohio's breaks) scores higher.
BARE_RULE_TERMS = frozenset(lexical_terms(
    "what are the rules laws requirements regulations legal need needed to work be a pharmacy "
    "pharmacist tech techs technician technicians there any for in my state"))
#: Two states named in one question are a move only with words of moving; otherwise they are
#: compared ("tech pay in wa vs ca").
MOVE_WORDS = re.compile(
    r"\b(?:mov(?:e|es|ing|ed)|relocat\w*|transfer\w*|reciproc\w*|new state|another state"
    r"|from\b.+\bto\b|job offer|offered a job|got a job)", re.IGNORECASE)
#: A section about moving, by its heading (see ``_closer_elsewhere``).
MOVE_HEADING = re.compile(r"\b(?:transfer\w*|mov(?:e|es|ing)|new state|another state|reciproc\w*"
                          r"|relocat\w*|carry over)\b", re.IGNORECASE)


RENEWAL_HEADING = re.compile(r"\b(?:renew\w*|CE|continuing education|expir\w*)\b")


class StateSections(SectionRanking):
    """What the Replier knows of states: which sections are about which state, and which of
    them a reply may lead with."""

    states: dict
    _states_of_section: dict[str, frozenset[str]]

    def _with_state_sections(
        self, question: str, retrieval: Retrieval
    ) -> tuple[Retrieval, str | None, list[str]]:
        """State records are not searched; a question that names a state gets that state's
        sections as candidates (the state moved to, when it names two). Returns the
        retrieval with them, the state's document path, and the states the question names."""
        named = state_rules.find_states(question, self.states)
        if not named:
            return retrieval, None, named
        if len(named) > 1 and (not MOVE_WORDS.search(question)
                               or state_rules.alternatives(question, self.states)):
            # two states compared ("tech check tech in ohio and pa?", "moving to az or sc"): the
            # topic is searched, with both states' own sections among the candidates and
            # neither's card first
            sections = [p for code in named for p in self.sections_by_path.get(
                state_rules.document_path(code), {}).values() if not p.next_step]
            return self._joined(retrieval, sections), None, named
        code = state_rules.destination(question, named, self.states)
        path = state_rules.document_path(code)
        sections = [p for p in self.sections_by_path.get(path, {}).values() if not p.next_step]
        return self._joined(retrieval, sections), path, named


    def _move_section(self, vector: np.ndarray) -> Passage | None:
        """The knowledge base's answer to whether a registration transfers to a new state."""
        candidates = [
            p for path, sections in self.sections_by_path.items()
            if path.startswith("registration/") for p in sections.values()
            if "transfer" in p.heading.lower()
        ]
        return max(candidates, key=lambda p: float(self.heading_vectors[p.section] @ vector),
                   default=None)

    def _home_state_renewal(
        self, hits: list[SectionHit], home_state: str | None, vector: np.ndarray
    ) -> SectionHit | None:
        """For a renewal answer to a user whose profile names a state: that state's rules."""
        if home_state not in self.states or not hits or hits[0].passage.topic != "ce_renewal":
            return None
        record = self.states[home_state]
        section = self.sections_by_path.get(state_rules.document_path(home_state), {}).get(
            state_rules.renewal_heading(record))
        if section is None:
            return None
        dense = float(self.retriever.vectors[section.id] @ vector)
        return SectionHit(passage=section, score=dense, dense=dense)

    def _closer_elsewhere(self, code: str, wanted: SectionHit | None, state_path: str,
                          hits: list[SectionHit], lapsed: bool = False,
                          renewal: bool = False, moving: bool = False,
                          facts: list[re.Pattern[str]] | None = None) -> bool:
        """Whether a section of another document about the state, near the top, matches the
        question more closely than the state's card (``wanted``), or, when the question says
        the registration already lapsed (``lapsed``), is about what happens after it expires
        (the card says how to renew on time). For a question about renewal or CE
        (``renewal``) only a section about renewal counts ("do i need ce for my florida
        registration" is not how Florida approves training). For a move (``moving``) only a
        section about moving or a lapsed registration counts ("transfer my license from ca to az"
        is not Arizona's rule on technology-assisted verification)."""
        return wanted is not None and any(
            h.passage.path != state_path and (h.dense > wanted.dense or (
                lapsed and LAPSED_HEADING.search(h.passage.heading) is not None))
            and (not renewal or h.passage.topic == "ce_renewal"
                 or RENEWAL_HEADING.search(h.passage.heading) is not None)
            and (not moving or MOVE_HEADING.search(h.passage.heading) is not None
                 or LAPSED_HEADING.search(h.passage.heading) is not None)
            # ... and, for a fact of the card's asked ("whats the tech ratio in california"),
            # one that speaks of it (how California licenses says nothing of its ratio)
            and (not facts or any(p.search(self._section_text(h.passage)) for p in facts))
            and code in self._section_states(h.passage.section) for h in hits[:3])

    def _elsewhere_about(self, code: str, asked: set[str], state_path: str,
                         hits: list[SectionHit]) -> SectionHit | None:
        """A section of another document about the state near the top: when the question asks
        a fact the state's record leaves open (``asked``: the card facts it asks for), one that
        names the state and speaks of that fact ("18 in California" in the section on minimum
        ages; not how Texas registers, which says nothing of age)."""
        record = self.states[code]
        open_facts = [state_rules.FACT_ASKED[name] for name in asked
                      if getattr(record, name).value is None]
        for hit in hits[:3]:
            if hit.passage.path == state_path:
                continue
            if not open_facts:
                if code in self._section_states(hit.passage.section):
                    return hit
                continue
            text = self._section_text(hit.passage)
            if record.name in text and any(p.search(text) for p in open_facts):
                return hit
        return None

    def _asks_only_rules(self, question: str, code: str) -> bool:
        """Whether the question asks for nothing but the state's rules for technicians."""
        record = self.states[code]
        own = set(lexical_terms(f"{record.name} {code}"))
        return not set(lexical_terms(question)) - BARE_RULE_TERMS - own


    def _card_hit(self, code: str, renewal: bool, hits: list[SectionHit]) -> SectionHit | None:
        """The state's requirements card (or its renewal card) among the candidates."""
        record = self.states[code]
        heading = (state_rules.renewal_heading if renewal
                   else state_rules.requirement_heading)(record)
        path = state_rules.document_path(code)
        return next((h for h in hits if h.passage.path == path
                     and h.passage.heading == heading), None)


    def _section_states(self, section: str) -> frozenset[str]:
        """The states a section is about: a state record's own, or those its heading names."""
        codes = self._states_of_section.get(section)
        if codes is None:
            path, _, heading = section.partition("#")
            found = set(state_rules.find_states(heading, self.states))
            if path.startswith("states/"):
                found.add(path.removeprefix("states/").removesuffix(".md").upper())
            codes = self._states_of_section[section] = frozenset(found)
        return codes


    def _only_states_asked(
        self, hits: list[SectionHit], asked: list[str]
    ) -> tuple[list[SectionHit], list[SectionHit]]:
        """Hits split into those a reply may show and those about another state than the one
        asked about (every state's, when none is asked): a reply never shows another state's
        rules."""
        keep, elsewhere = [], []
        for hit in hits:
            codes = self._section_states(hit.passage.section)
            (elsewhere if codes and not codes & set(asked) else keep).append(hit)
        return keep, elsewhere

    def which_state(self, question: str, elsewhere: list[SectionHit]) -> Reply:
        """The question is about rules that differ by state and names none: ask which, with
        the states the best sections were about as buttons."""
        codes: list[str] = []
        for hit in elsewhere:
            for code in sorted(self._section_states(hit.passage.section)):
                if code not in codes:
                    codes.append(code)
        buttons = [state_rules.requirement_heading(self.states[c]) for c in codes[:3]]
        return Reply(question=question, kind="no_match", lead=templates.WHICH_STATE,
                     followups=buttons)

