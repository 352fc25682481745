"""Reading a message before answering it: safety first, then its scope.

Safety is read on the message alone, clause by clause, and is never outvoted by how well the
knowledge base matches the rest of the message (:meth:`ScopeReader.read_safety`): the phrase
layer (:mod:`bot.answers.safety`), the clause embeddings compared with crisis and hyperbole
examples, and the nearest examples in a labelled bank (``safety_examples.jsonl``, tuning data
only; :mod:`bot.answers.safety_bank`) with the knowledge base's own question headings as what a career question looks like,
and a classifier learned from the same examples (:class:`SafetyClassifier`), read on the whole
message.
Then the scope of what is left (:meth:`ScopeReader.decide_scope`): career, medication,
emergency or unrelated, from the question's embedding and how well the knowledge base matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.answers import safety, safety_who, templates
from bot.answers.language import ENGLISH, SPANISH, LanguageReader
from bot.answers.retrieval import Retrieval, Retriever
from bot.answers.safety_bank import KNN_FLOOR, KNN_SHARE, ExampleBank, cached_vectors
from bot.answers.safety_classifier import CLASSES
from bot.content import states as state_rules
from bot.settings import Settings

# Scope thresholds (cosine similarity), tuned on tests/data/eval_questions.jsonl and the tune
# half of tests/data/safety_messages.jsonl.
MIN_EVIDENCE = 0.22  # below this, nothing in the knowledge base is about the question
CRISIS_AT = 0.32  # a message this close to the crisis examples gets the 988 reply ...
CRISIS_MARGIN = 0.02  # ... unless another scope is clearly closer (err towards showing it)
EMERGENCY_MARGIN = 0.03  # an emergency wins over medication and career when this close
SAFETY = ("crisis", "emergency", "medical")
# The clause check (see ScopeReader.read_safety). A message of several clauses has them embedded
# one by one (in one batch for all questions) when the message as a whole is this close to the
# crisis examples, or when a clause has a word that can carry a crisis ("die", "pills").
CLAUSE_GATE = 0.25
CLAUSE_GATE_LEARNED = 0.75  # ... or when the classifier gives the whole message this much crisis
CLAUSE_CRISIS_AT = 0.50  # a clause this close to the crisis examples is a crisis ...
CLAUSE_CRISIS_OVER_DISTRESS = 0.0  # ... when it is closer to them than to the hyperbole ones
CLAUSE_CRISIS_SURE = 0.58  # ... or whatever the hyperbole examples say
CLAUSE_DISTRESS_AT = 0.45  # a clause this close gets the 988 line after the answer
CLAUSE_EMERGENCY_AT = 0.60  # a clause this close to the emergency examples is an emergency
CLAUSE_MIN_WORDS = 3  # shorter clauses ("nights", "pls help") are read by the phrase layer only
# The learned reading (bot/answers/safety_classifier.py): a softmax regression on the same
# examples, by class, read on the whole message (its thresholds are there).
#: The whole message: the learned reading at this probability of crisis and this share of
#: its nearest examples crisis (with no floor on how close they are) agree on a crisis.
AGREED_AT = (0.85, 0.9)
#: A crisis read from the whole message's scope alone needs the learned reading to give crisis
#: and someone else together at least this much, or the nearest examples to lean that way.
SCOPE_UNSUPPORTED_BELOW = 0.35
#: Each clause of a message whose clauses were embedded (the vectors are already there: no new
#: model run), so that a crisis said in the second or third clause of a long career question is
#: read on its own words: a clause the learned reading puts at this probability of crisis,
#: whose nearest examples lean crisis this much (the share, and the similarity of the closest
#: crisis example), is a crisis. On the clauses of the 239 in-scope questions the classifier
#: alone reaches 0.96, with crisis neighbours no closer than 0.40.
CLAUSE_CLASSIFIER_AT = 0.90
CLAUSE_CLASSIFIER_NEAR = (0.6, 0.48)
#: How close a clause's closest crisis or someone-else example must be for either clause reading
#: above: a clause with no example that close is read by neither (no nearest-examples vote).
CLAUSE_FLOORS = {"crisis": min(KNN_FLOOR["crisis"], CLAUSE_CLASSIFIER_NEAR[1]),
                 "someone_else": KNN_FLOOR["someone_else"]}
#: A message with no phrase that the learned reading is this sure is venting: the embeddings'
#: weaker crisis readings (a clause, the nearest examples, the whole message's scope) give the
#: line, not 988 first ("i cant stop crying since my pharmacist yelled at me").
CLASSIFIER_CALM = {"distress": 0.85, "crisis": 0.08, "someone_else": 0.05}
#: ... and a message it is this sure is venting gets the line whatever the phrases say (none of
#: the 239 in-scope questions reaches 0.8)
CLASSIFIER_DISTRESS_AT = 0.85
#: An emergency read from the whole message alone that the learned reading takes this surely
#: for someone else in crisis gets the how-to-help reply (it names 911 as well).
CLASSIFIER_OTHER_NEAR = 0.90
#: ... and so does one where someone else in crisis is the learned reading's first class, at
#: this much, while it gives an emergency next to nothing ("dad called me crying sayin hes gonna
#: end it tonite", "a lady asked how many tylenol it takes to die"), with the nearest examples
#: voting for a crisis too (not "a boss who makes me want to scream"): what was said is a
#: crisis to help with, not a body in danger in front of the writer
OTHER_TOP_AT = 0.4
OTHER_TOP_EMERGENCY_BELOW = 0.2
#: A crisis read from the whole message's scope is someone else's when the learned reading
#: gives someone else this much (and more than the writer's own crisis) and the nearest
#: examples lean that way, or this much alone.
OTHER_LEARNED = (0.5, 0.9)
#: Phrase outcomes that decide alone (the embeddings' grief exception leaves them be).
REDIRECTED = (safety.CRISIS, safety.SOMEONE_ELSE, safety.EMERGENCY, safety.MEDICAL)
#: The rest of a crisis message is offered as a button when it asks something (those clauses),
#: or else names what the bot knows about (a credential, an exam, pay, school).
ASKS = re.compile(
    r"\?|^(?:so |and |but |also |like )?(?:how|what|whats|should|can|could|is|are|do|does|where"
    r"|when|which|any|will|would|who|why|pls|please|help me)\b", re.IGNORECASE)
ABOUT_WORK = re.compile(
    r"\b(?:ptce|ptcb|cpht|nha|exam|cert\w*|renew\w*|license|licence|ce|pay|paid|school"
    r"|program|hospital|hire|hiring|externship|transfer|raise|retake)\b", re.IGNORECASE)
#: A state's rules for technicians asked ("whats the ratio in ky"): with a state named, the
#: model's medication reading of "ratio" or "license" alone is not a medication question.
STATE_RULE_ASKED = re.compile(r"\b(?:ratio|licen[cs]\w*|regist\w*|board|rules|laws|renew\w*)\b",
                              re.IGNORECASE)
CE_WORK = re.compile(r"\b(?:\d+(?:\.\d+)? ?(?:hours?|hrs?|h)\b.*\bce|ce (?:hours?|credits?|course)"
                     r"|continuing education)\b", re.IGNORECASE)
# The safety net: words that can carry a crisis said indirectly; with the nearest examples
# leaning that way, the answer ends with the line naming 988.
SAFETY_NET_WORDS = re.compile(
    r"\b(?:die|dying|dead|death|alive|living|hurt|pills?|meds|gone|disappear\w*|hopeless"
    r"|worthless|burden|goodbye|bye|bridge|gun|rope|lighter|burn\w*|scratch\w*|blade|razor"
    r"|permanently|forever|for good|last|after i|anymore|saved up|stash\w*|lease|will|insurance"
    r"|arrangements|set it all up|check out|exit|countdown|counting down|pointless|numb|empty"
    r"|cant do this|cant go on|give up|giving up)\b",
    re.IGNORECASE,
)
SAFETY_NET_SHARE = 0.4
WITHOUT_ME = re.compile(r"\b(?:without me|sin mi)\b")
#: A figure of speech the phrase layer found explains a death word in it ("killing me").
FIGURE_WORDS = re.compile(r"\b(?:die|dying|died|dead|death|kill\w*|murder\w*|suicide|end me|muert\w*"
                          r"|overdos\w*"
                          r"|morir\w*|muero|mat\w+)\b")
RISK_WORDS = re.compile(
    r"\b(?:die|dying|dead|death|alive|live|living|end|ending|point|hurt|pills?|kill|gone"
    r"|disappear|hopeless|worthless|burden|goodbye|suicid\w*|cut|cutting|overdose|od|sleep"
    r"|wake|pain|exist|existing|tired of|anymore|over|stop|jump|bridge|gun|rope|meds|seiz\w*"
    r"|collaps\w*|unconscious|breathing|breathe|swallow\w*|bleeding|passed out|poison\w*"
    r"|blue|ambulance|911|faint\w*|wont be around|not be around|wont be here|wont need)\b",
    re.IGNORECASE,
)


@dataclass
class SafetyReading:
    """One message's safety reading: the phrase layer and the clause embeddings combined."""

    outcome: str  # crisis | someone_else | emergency | medical | distress | none
    lang: str
    phrases: safety.PhraseReading
    flagged: set[int] = field(default_factory=set)  # clauses that carry the crisis
    #: each clause's (crisis, distress, emergency) similarity, when the clauses were embedded
    clause_scores: list[tuple[float, float, float]] = field(default_factory=list)
    #: a "distress" reading that is grief for someone's suicide: its line speaks of the loss
    loss: bool = False

    def career_part(self) -> str:
        """The message without its crisis clauses, when what is left asks something."""
        if not self.flagged:
            return ""
        rest = [c for i, c in enumerate(self.phrases.clauses) if i not in self.flagged]
        asks = [c for c in rest if ASKS.search(c.strip())] or [
            c for c in rest if ABOUT_WORK.search(c)]
        rest = " ".join(asks).strip()
        return rest if len(rest.split()) >= 3 else ""


def language_cache_dir(settings: Settings) -> Path | None:
    """Where the language model's table is mapped from: beside the ONNX export (local to each
    machine, whichever store), else beside an embedded store; None when neither exists."""
    for directory in (settings.onnx_dir(), None if settings.chroma_host else settings.chroma_path):
        if directory is not None and directory.is_dir():
            return directory
    return None


class ScopeReader(ExampleBank):
    """The safety and scope reading of messages, with the example vectors it compares with
    (embedded once, cached in the store; the example bank: :mod:`bot.answers.safety_bank`)."""

    def __init__(self, retriever: Retriever):
        self.retriever = retriever
        self.language = LanguageReader(cache_dir=language_cache_dir(retriever.settings))
        self.scope_vectors = self._scope_vectors()
        clause_examples = cached_vectors(retriever, "clauses", {
            "crisis": [*templates.SCOPE_EXAMPLES["crisis"], *templates.CRISIS_CLAUSE_EXAMPLES],
            "distress": list(templates.DISTRESS_EXAMPLES),
        })
        self.crisis_clause_vectors = clause_examples["crisis"]
        self.distress_vectors = clause_examples["distress"]
        self.bank_vectors, self.bank_labels = self._safety_bank()
        self._urgent = self._urgent_bank()
        self.classifier = self._classifier()

    def _scope_vectors(self) -> dict[str, np.ndarray]:
        return cached_vectors(self.retriever, 
            "scope", {label: list(texts) for label, texts in templates.SCOPE_EXAMPLES.items()}
        )

    # --- scope -----------------------------------------------------------------------------

    def scope_scores(self, vector: np.ndarray, best_dense: float) -> dict[str, float]:
        scores = {
            label: top2_mean(vectors @ vector)
            for label, vectors in self.scope_vectors.items()
        }
        scores["career"] = max(scores["career"], best_dense)
        return scores

    def decide_scope(self, retrieval: Retrieval) -> tuple[str, dict[str, float]]:
        """The scope of one message, from its own embedding and how well the knowledge base
        matches it; safety scopes first."""
        scores = self.scope_scores(retrieval.vector, retrieval.best_dense)
        others = {k: v for k, v in scores.items() if k != "crisis"}
        if scores["crisis"] >= CRISIS_AT and scores["crisis"] >= max(others.values()) - CRISIS_MARGIN:
            return "crisis", scores
        if scores["emergency"] >= max(scores["medical"], scores["career"]) - EMERGENCY_MARGIN and (
            scores["emergency"] >= scores["off_topic"]
        ):
            return "emergency", scores
        label = max(others, key=others.get)
        if label == "career" and retrieval.best_dense < MIN_EVIDENCE:
            label = "off_topic"
        return label, scores

    # --- safety, clause by clause ----------------------------------------------------------

    def needs_clause_check(self, text: str, lang: str, phrases: safety.PhraseReading,
                           vector: np.ndarray) -> bool:
        """Whether the clauses of an English message are embedded one by one: it has several,
        the phrases did not already find a crisis, and the whole message leans that way or a
        clause has a word that can carry one."""
        if lang != ENGLISH or len(phrases.clauses) < 2 or phrases.outcome in (
                safety.CRISIS, safety.SOMEONE_ELSE):
            return False
        if self._leans_by_words(text, vector):
            return True
        # ... or the learned reading leans crisis on the whole ("giving my stuff away" has no
        # risk word): its clauses are read one by one, by the learned reading only
        return float(self.classifier.probabilities(vector)[0][CLASSES.index(safety.CRISIS)]) >= (
            CLAUSE_GATE_LEARNED)

    def _leans_by_words(self, text: str, vector: np.ndarray) -> bool:
        """Whether the whole message is close to the crisis or emergency examples, or has a
        word that can carry a crisis."""
        if RISK_WORDS.search(text):  # (the words first: then no product is needed)
            return True
        crisis = top2_mean(self.scope_vectors["crisis"] @ vector)
        emergency = top2_mean(self.scope_vectors["emergency"] @ vector)
        return max(crisis, emergency) >= CLAUSE_GATE

    def clause_scores(self, vectors: np.ndarray) -> list[tuple[float, float, float]]:
        """(crisis, distress, emergency) similarity of each clause vector: the mean of its two
        closest examples of each."""
        def top2(examples: np.ndarray) -> list[float]:
            return np.sort(vectors @ examples.T, axis=1)[:, -2:].mean(axis=1).tolist()

        return list(zip(top2(self.crisis_clause_vectors), top2(self.distress_vectors),
                        top2(self.scope_vectors["emergency"]), strict=True))

    def read_safety(
        self, lang: str, phrases: safety.PhraseReading, scope: str,
        clause_scores: list[tuple[float, float, float]] | None = None,
        message_vector: np.ndarray | None = None,
        clause_vectors: np.ndarray | None = None,
    ) -> SafetyReading:
        """:meth:`read_embedded`, where a someone-else reading the embeddings alone give to a
        message about someone's grief or injury ("how do i help my coworker whos grieving") is
        the answer with the line: no phrase says anyone is in danger. So is someone's death by
        suicide told of in the past, with the line for that loss (``SafetyReading.loss``)."""
        reading = self.read_embedded(lang, phrases, scope, clause_scores, message_vector,
                                     clause_vectors)
        if (reading.outcome == safety.SOMEONE_ELSE and lang == ENGLISH
                and phrases.outcome not in REDIRECTED and phrases.grief()):
            reading.outcome = safety.DISTRESS
        elif (reading.outcome in (safety.SOMEONE_ELSE, safety.NONE, safety.DISTRESS)
              and lang in (ENGLISH, SPANISH)
              and phrases.loss(reading.flagged, spanish=lang == SPANISH)):
            # "my coworker killed herself last year, how do people cope at work": a loss to
            # suicide, grieved; no one to stay with now. The answer, with the line for the loss
            reading.outcome, reading.loss = safety.DISTRESS, True
        return reading

    def read_embedded(
        self, lang: str, phrases: safety.PhraseReading, scope: str,
        clause_scores: list[tuple[float, float, float]] | None = None,
        message_vector: np.ndarray | None = None,
        clause_vectors: np.ndarray | None = None,
    ) -> SafetyReading:
        """Combine the phrase layer, the clause embeddings and the whole message's scope into
        one outcome. Career relevance never enters: a crisis clause is a crisis whatever the
        other clauses say. ``scope`` is :meth:`decide_scope` on the whole message (English
        only: on other languages the English model's reading is noise)."""
        reading = SafetyReading(outcome=phrases.outcome, lang=lang, phrases=phrases,
                                flagged=phrases.flagged_clauses(),
                                clause_scores=clause_scores or [])
        if reading.outcome in (safety.CRISIS, safety.SOMEONE_ELSE):
            return reading
        if reading.outcome == safety.NONE and CHAT_NOISE.fullmatch(
                " ".join(phrases.folded_clauses()).lower()):
            # "ugh", "ok", "lol": a sound, not a sentence; what the model reads into one word
            # with no meaning is noise (one word that means something, "overdose", is read)
            return reading
        denied = phrases.negated_clauses()
        if len(phrases.clauses) == 1 and any(FIGURE_WORDS.search(h.phrase)
                                             for h in phrases.found(safety.DISTRESS)):
            # one clause whose death word is a figure of speech ("flu season is the death of
            # me"): the phrase explains the words the embeddings would read as a crisis
            denied = {0}
        # clauses whose crisis reading the phrases explain: denied ("im not suicidal") or a
        # figure of speech ("this job is killing me"); the embeddings read the other clauses
        figures = {h.clause for h in phrases.found(safety.DISTRESS)}
        figures |= {i for i, clause in enumerate(phrases.clauses) if safety.WORK_TASK.search(clause)}
        # ... and a clause that goes on from a figure without a subject of its own ("i want to
        # run away and never look at a pill bottle again")
        folded = phrases.folded_clauses()
        figures |= {i for i in range(1, len(folded)) if i - 1 in figures
                    and not _has_subject(folded[i])}
        explained = denied | figures
        # whether a clause the phrases do not explain leans crisis: without one, a figure of
        # speech explains what the whole message's embedding reads as a crisis
        crisis_elsewhere = any(
            crisis >= CLAUSE_DISTRESS_AT for i, (crisis, _d, _e) in enumerate(reading.clause_scores)
            if i not in explained and i < len(phrases.clauses)
            and len(phrases.clauses[i].split()) >= CLAUSE_MIN_WORDS)
        figure_explains = bool(figures) and not crisis_elsewhere
        english = lang == ENGLISH  # the model carries no meaning in other languages
        probabilities = (self.classifier.probabilities(message_vector)[0]
                         if english and message_vector is not None else None)
        # venting the learned reading is sure of, with no phrase: the embeddings' weaker crisis
        # readings (a clause, the nearest examples, the whole message's scope) give the line
        calm = probabilities is not None and phrases.outcome == safety.NONE and all(
            float(probabilities[CLASSES.index(k)]) >= v if k == "distress"
            else float(probabilities[CLASSES.index(k)]) <= v for k, v in CLASSIFIER_CALM.items())
        # nearest examples: the whole message, then each clause (when they were embedded);
        # the whole message's vote is taken when a reading below asks for it (most career
        # questions need none: see ExampleBank.may_vote_urgent)
        voted = english and message_vector is not None
        vote: list[tuple[str, float, float]] = []

        def nearest() -> tuple[str, float, float]:
            if not vote:
                vote.append(self.nearest_labels(message_vector[None, :])[0])
            return vote[0]

        if (voted and not denied and not phrases.professional
                and self.may_vote_urgent(message_vector)):
            label, share, closest = nearest()
            if label in (safety.CRISIS, safety.SOMEONE_ELSE) and share >= KNN_SHARE and (
                    closest >= KNN_FLOOR[label]) and not (
                    label == safety.CRISIS and (calm or figure_explains)):
                # "a classmate said he has a gun and a plan": every clause is about someone else
                reading.outcome = (safety.SOMEONE_ELSE if label == safety.CRISIS
                                   and _all_about_others(phrases) else label)
                reading.flagged = set(range(len(phrases.clauses)))
                return reading
        learned = (self.classifier.reads(message_vector, probabilities)
                   if probabilities is not None and not denied
                   and not phrases.professional else None)
        if (learned is None and probabilities is not None and voted
                and not denied and not phrases.professional and not calm
                and float(probabilities[CLASSES.index(safety.CRISIS)]) >= AGREED_AT[0]
                and nearest()[0] == safety.CRISIS and nearest()[1] >= AGREED_AT[1]):
            # the learned reading nearly sure, and the nearest examples almost all crisis
            # (however far they are): the two readings agree
            learned = safety.CRISIS
        if learned == safety.CRISIS and figure_explains:
            learned = None  # "so stressed i cant sleep": the figure explains it
        if learned is not None:
            reading.outcome = (safety.SOMEONE_ELSE if learned == safety.CRISIS
                               and _all_about_others(phrases) else learned)
            reading.flagged = set(range(len(phrases.clauses)))
            return reading
        # clauses embedded only because the learned reading leaned crisis on the whole (see
        # needs_clause_check): read by the learned reading and the nearest examples together,
        # not by either alone ("... so i can start working?? trying to plan")
        learned_gate = (clause_vectors is not None and message_vector is not None
                        and not self._leans_by_words(" ".join(phrases.clauses), message_vector))
        if clause_vectors is not None and english and not denied and any(self.may_vote_urgent(
                clause_vectors, CLAUSE_FLOORS)[:len(phrases.clauses)]):
            clause_crisis = self.classifier.probabilities(clause_vectors)[
                :, CLASSES.index(safety.CRISIS)]
            for i, (label, share, closest) in enumerate(self.nearest_labels(clause_vectors)):
                if i >= len(phrases.clauses) or label not in (safety.CRISIS, safety.SOMEONE_ELSE):
                    continue
                if i in explained:
                    continue
                if len(phrases.clauses[i].split()) < CLAUSE_MIN_WORDS:
                    continue  # "... weekends and nights": one word's embedding is noise
                if calm and label == safety.CRISIS:
                    continue
                if share >= KNN_SHARE and closest >= KNN_FLOOR[label] and not learned_gate:
                    reading.outcome = (safety.SOMEONE_ELSE if label == safety.CRISIS
                                       and _all_about_others(phrases) else label)
                    reading.flagged = {i}
                    return reading
                if (label == safety.CRISIS and not phrases.professional
                        and float(clause_crisis[i]) >= CLAUSE_CLASSIFIER_AT
                        and share >= CLAUSE_CLASSIFIER_NEAR[0]
                        and closest >= CLAUSE_CLASSIFIER_NEAR[1]):
                    # the learned reading and the nearest examples agree on this clause alone
                    reading.outcome = (safety.SOMEONE_ELSE if _clause_about_other(
                        phrases, folded, i) else safety.CRISIS)
                    reading.flagged = {i}
                    return reading
        gray = False
        emergency_clause = False
        for i, (crisis, distress, emergency) in enumerate(reading.clause_scores):
            if i in denied or i >= len(phrases.clauses) or (
                    len(phrases.clauses[i].split()) < CLAUSE_MIN_WORDS):
                continue
            # a figure of speech in this clause, or a denial anywhere in the message ("im not
            # suicidal, ..., just want a break"), stands: the clause scores give the gentle
            # line at most (a phrase still said after the denial is the phrase layer's to read;
            # measured: reading only this clause's denial lost 10 negation rows over the sets)
            if i in explained or denied:
                gray = gray or crisis >= CLAUSE_DISTRESS_AT
                continue
            emergency_clause = emergency_clause or emergency >= CLAUSE_EMERGENCY_AT
            sure = crisis >= CLAUSE_CRISIS_SURE
            if calm:  # the learned reading is sure it is venting: the line at most
                gray = gray or crisis >= CLAUSE_DISTRESS_AT
                continue
            if learned_gate:  # the learned reading alone opened the clauses: not these scores
                continue
            if sure or (crisis >= CLAUSE_CRISIS_AT
                        and crisis >= distress + CLAUSE_CRISIS_OVER_DISTRESS):
                reading.outcome = (safety.SOMEONE_ELSE if _clause_about_other(
                    phrases, folded, i) else safety.CRISIS)
                reading.flagged = {i}
                return reading
            gray = gray or crisis >= CLAUSE_DISTRESS_AT
        if lang == ENGLISH and scope == "crisis" and phrases.professional:
            scope = "career"  # "suicide prevention training for CE": about the work
        if lang == ENGLISH and emergency_clause and scope not in SAFETY:
            scope = "emergency"  # "studying for the ptce and my roommate started seizing"
        if (lang == ENGLISH and scope == "emergency" and not phrases.found(safety.EMERGENCY)
                and (phrases.professional or CE_WORK.search(" ".join(phrases.clauses)))):
            # "knocked out 2 hours of ce last night", "do pill cutters count as dme": an emergency
            # the model alone reads into a message about the work; an emergency said plainly
            # has its phrase
            scope = "career"
        if (lang == ENGLISH and scope == "medical" and not phrases.found(safety.MEDICAL)
                and STATE_RULE_ASKED.search(" ".join(phrases.clauses))
                and state_rules.find_states(" ".join(phrases.clauses), state_rules.all_states())):
            scope = "career"  # "whats the ratio in ky": a state's rules, not a dose
        if (lang == ENGLISH and scope in ("emergency", "medical") and explained
                and not emergency_clause and not phrases.found(safety.EMERGENCY)
                and (denied or any(FIGURE_WORDS.search(h.phrase)
                                   for h in phrases.found(safety.DISTRESS)))):
            # "the drive thru is the death of me", "im not in danger, just low": the death
            # words the whole message was read by are explained
            reading.outcome = safety.DISTRESS
            return reading
        if (lang == ENGLISH and scope == "emergency" and not emergency_clause
                and not phrases.found(safety.EMERGENCY)
                and any(h.negated and h.reach == "none" for h in phrases.hits)):
            # "dont worry about me, im safe, i just needed to rant": the writer says they are
            # safe, and no phrase or clause says an emergency is happening
            reading.outcome = safety.DISTRESS
            return reading
        if (lang == ENGLISH and scope == "emergency" and not emergency_clause
                and not phrases.found(safety.EMERGENCY) and probabilities is not None
                and (float(probabilities[CLASSES.index("someone_else")]) >= CLASSIFIER_OTHER_NEAR
                     or (_top_other(probabilities) and voted
                         and nearest()[0] in (safety.CRISIS, safety.SOMEONE_ELSE)))):
            # "my friend texted me 'thanks for everything, im sorry' and wont answer": the
            # whole message reads as an emergency, the learned reading as someone in crisis;
            # the how-to-help reply names 911 too
            reading.outcome = safety.SOMEONE_ELSE
            reading.flagged = set(range(len(phrases.clauses)))
            return reading
        if lang == ENGLISH and scope in SAFETY:
            # the whole message's scope alone, with neither learned reading behind it ("is it
            # career suicide to leave after 3 months", "im dead after that 14 hour shift"):
            # venting or a figure, not a crisis
            unsupported = (probabilities is not None and voted
                           and float(probabilities[CLASSES.index(safety.CRISIS)])
                           + float(probabilities[CLASSES.index(safety.SOMEONE_ELSE)])
                           < SCOPE_UNSUPPORTED_BELOW
                           and nearest()[0] not in (safety.CRISIS, safety.SOMEONE_ELSE))
            if scope == "crisis" and (denied or (explained and not crisis_elsewhere) or calm
                                      or unsupported):
                # "i'm not suicidal, just ...", "kill me now, they scheduled me 6 days": the
                # whole message leans crisis by the words the phrases explain
                reading.outcome = safety.DISTRESS
            elif scope == "crisis":
                # whose: every clause about someone else, or both learned readings say it is
                # someone else's ("i cant stop worrying about my sister, she said she has a
                # plan": the writer's worry, the sister's crisis)
                reading.outcome = (safety.SOMEONE_ELSE if _all_about_others(phrases)
                                   or _learned_about_other(probabilities,
                                                           nearest if voted else None)
                                   else safety.CRISIS)
                reading.flagged = set(range(len(phrases.clauses)))
            elif reading.outcome not in (safety.EMERGENCY, safety.MEDICAL):
                reading.outcome = scope
            return reading
        venting = probabilities is not None and float(
            probabilities[CLASSES.index("distress")]) >= CLASSIFIER_DISTRESS_AT
        if reading.outcome == safety.NONE and (gray or venting or (
                voted and _leans_crisis(phrases, nearest))):
            reading.outcome = safety.DISTRESS  # the safety net: one line naming 988
        return reading


#: Messages that are only chat sounds and acknowledgements (any number of them).
CHAT_NOISE = re.compile(
    r"(?:(?:u+g+h+|m+e+h+|s+i+g+h+|l+o+l+|l+m+a+o+|(?:h+a+){2,}|h+m+|o+k+(?:a+y+)?|k+|o+m+g+|w+t+f+"
    r"|b+r+u+h+|s+m+h+|yes|yeah|yep|yup|no|nope|nah|thanks|thank you|thx|ty|cool|nice|wow|oh|ah"
    r"|uh|um+|huh|welp|oof|yikes|same|fr|bet|alright|sure)\s*)+")


def top2_mean(similarities: np.ndarray) -> float:
    """The mean of the two highest similarities (float32), to the bit what
    ``np.sort(similarities)[-2:].mean()`` gives (a float32 sum, halved), without numpy's
    mean machinery (a fifth of the scope reading's time)."""
    top = np.sort(similarities)[-2:]
    return float((top[0] + top[1]) / 2)


def _all_about_others(phrases: safety.PhraseReading) -> bool:
    """Whether each clause's subject is someone other than the writer (and none says how
    they would be without the writer: "they'd be lighter without me")."""
    folded = phrases.folded_clauses()
    if any(WITHOUT_ME.search(clause) for clause in folded):
        return False
    return bool(folded) and all(_clause_about_other(phrases, folded, i)
                                for i in range(len(folded)))


def _learned_about_other(probabilities: np.ndarray | None,
                         nearest: Callable[[], tuple[str, float, float]] | None) -> bool:
    """Whether the learned reading gives someone else in crisis at least ``OTHER_LEARNED[0]``
    and more than the writer's own crisis, with the nearest examples leaning someone else
    too, or is sure of it (``OTHER_LEARNED[1]``) alone."""
    if probabilities is None or nearest is None:
        return False
    other = float(probabilities[CLASSES.index(safety.SOMEONE_ELSE)])
    return other >= OTHER_LEARNED[1] or (
        other >= OTHER_LEARNED[0] and other > float(probabilities[CLASSES.index(safety.CRISIS)])
        and nearest()[0] == safety.SOMEONE_ELSE)


#: The writer's own worry about, or sight of, someone named right after it ("i caught my
#: daughter cutting", "worried sick about my brother"): the clause is about that person.
CONCERN_FOR = re.compile(
    r"^(?:(?:i|im|i m|ive|i ve|so|ok|omg|just|honestly|really|literally) )*"
    r"(?:caught|found|saw|noticed|heard|worried(?: sick)?(?: about)?|scared(?: for| about)?"
    r"|afraid(?: for)?|terrified(?: for)?|worrying about|watching)\s+(?:that\s+)?(\w+)\s+(\w+)")


def _clause_about_other(phrases: safety.PhraseReading, folded: list[str], i: int) -> bool:
    """Whether clause ``i`` (of the message's folded clauses) is about someone other than the
    writer: words quoted from someone else, a clause whose subject, read after the clauses
    before it, is someone else, or the writer's worry about or sight of someone named right
    after it."""
    if i in phrases.quoted or safety_who.who_in_clause(" ".join(folded[:i]),
                                                       folded[i]) == "other":
        return True
    concern = CONCERN_FOR.match(folded[i])
    third = safety_who.THIRD_PERSON[ENGLISH]
    return concern is not None and (concern.group(1) in third or concern.group(2) in third)


def _has_subject(folded_clause: str) -> bool:
    """Whether a clause names its own subject (a person word among its first words)."""
    subjects = safety_who.FIRST_PERSON[ENGLISH] | safety_who.THIRD_PERSON[ENGLISH]
    return any(w in subjects for w in folded_clause.split()[:4])


def _leans_crisis(phrases: safety.PhraseReading,
                  nearest: Callable[[], tuple[str, float, float]]) -> bool:
    """A message with a word that can carry a crisis ("bridge", "rope", "pills") whose nearest
    examples lean that way, without the majority the crisis reply needs. ``nearest``: the
    whole message's vote, taken only for a message with such a word."""
    if not SAFETY_NET_WORDS.search(" ".join(phrases.clauses)):
        return False
    label, share, _closest = nearest()
    return label in (safety.CRISIS, safety.SOMEONE_ELSE) and share >= SAFETY_NET_SHARE


def _top_other(probabilities: np.ndarray) -> bool:
    """Whether the learned reading puts someone else in crisis first, and surely enough,
    while it all but rules out an emergency (see ``OTHER_TOP_AT``)."""
    p = dict(zip(CLASSES, probabilities.tolist(), strict=True))
    return (p["someone_else"] >= OTHER_TOP_AT and p["emergency"] < OTHER_TOP_EMERGENCY_BELOW
            and p["someone_else"] == max(p.values()))
