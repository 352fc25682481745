"""Replies: scope decisions, then grounded answers built from whole sections of the knowledge base.

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

import hashlib
import json
import logging
import math
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from bot.answers import safety, templates
from bot.answers.language import ENGLISH, SPANISH, LanguageReader
from bot.answers.retrieval import Passage, Retrieval, Retriever, lexical_terms
from bot.content import states as state_rules

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# Scope thresholds (cosine similarity), tuned on tests/data/eval_questions.jsonl and
# tests/data/safety_messages.jsonl.
MIN_EVIDENCE = 0.22  # below this, nothing in the knowledge base is about the question
ANSWER_EVIDENCE = 0.25  # below this an in-scope question gets NO_MATCH instead of weak passages
HEALTH_NOTE_AT = 0.45  # a career question this close to a medication question gets HEALTH_NOTE
CRISIS_AT = 0.32  # a message this close to the crisis examples gets the 988 reply ...
CRISIS_MARGIN = 0.02  # ... unless another scope is clearly closer (err towards showing it)
EMERGENCY_MARGIN = 0.03  # an emergency wins over medication and career when this close
SAFETY = ("crisis", "emergency", "medical")
# The clause check (see Replier.read_safety). A message of several clauses has them embedded
# one by one (in one batch for all questions) when the message as a whole is this close to the
# crisis examples, or when a clause has a word that can carry a crisis ("die", "pills").
CLAUSE_GATE = 0.22
CLAUSE_CRISIS_AT = 0.50  # a clause this close to the crisis examples is a crisis ...
CLAUSE_CRISIS_OVER_DISTRESS = 0.0  # ... when it is closer to them than to the hyperbole ones
CLAUSE_CRISIS_SURE = 0.58  # ... or whatever the hyperbole examples say
CLAUSE_DISTRESS_AT = 0.45  # a clause this close gets the 988 line after the answer
CLAUSE_EMERGENCY_AT = 0.60  # a clause this close to the emergency examples is an emergency
# The example bank (bot/answers/safety_examples.jsonl with the fixed examples and the
# knowledge base's own question headings): a message, or a clause of it, whose nearest examples
# are mostly crisis (or someone else in crisis) is read so, when the closest of them is close
# enough.
KNN_K = 10
KNN_SHARE = 0.6  # similarity-weighted share of the neighbours with that label
KNN_FLOOR = {"crisis": 0.55, "someone_else": 0.65}  # similarity of the closest such neighbour
BANK_MAX_WORDS = 20
SAFETY_EXAMPLES_FILE = Path(__file__).parent / "safety_examples.jsonl"
BANK_LABELS = ("crisis", "someone_else", "emergency", "other")
#: The rest of a crisis message is offered as a button when it asks something (those clauses),
#: or else names what the bot knows about (a credential, an exam, pay, school).
ASKS = re.compile(
    r"\?|^(?:so |and |but |also |like )?(?:how|what|whats|should|can|could|is|are|do|does|where"
    r"|when|which|any|will|would|who|why|pls|please|help me)\b", re.IGNORECASE)
ABOUT_WORK = re.compile(
    r"\b(?:ptce|ptcb|cpht|nha|exam|cert\w*|renew\w*|license|licence|ce|pay|paid|school"
    r"|program|hospital|hire|hiring|externship|transfer|raise|retake)\b", re.IGNORECASE)
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
RISK_WORDS = re.compile(
    r"\b(?:die|dying|dead|death|alive|live|living|end|ending|point|hurt|pills?|kill|gone"
    r"|disappear|hopeless|worthless|burden|goodbye|suicid\w*|cut|cutting|overdose|od|sleep"
    r"|wake|pain|exist|existing|tired of|anymore|over|stop|jump|bridge|gun|rope|meds|seiz\w*"
    r"|collaps\w*|unconscious|breathing|breathe|swallow\w*|bleeding|passed out|poison\w*"
    r"|blue|ambulance|911|faint\w*)\b",
    re.IGNORECASE,
)

CANDIDATE_PASSAGES = 10  # passages retrieved per question; sections are ranked from them
BODY_WORDS = 170  # the best section is shortened to about this many words
LEAD_WORDS = 45  # the bold opening; the rest of its paragraph follows as a paragraph
SECOND_WORDS = 45  # the opening taken from a second document's section
SECOND_MARGIN = 0.10  # a second section is shown when it scores this close to the best
HEADING_WEIGHT = 0.1  # share of the question's words found in a section's heading
FUSED_WEIGHT = 0.35
QUESTION_WEIGHT = 0.3  # cosine between the question and the section's heading (a question)  # reciprocal-rank fusion of dense and BM25, normalised to the best
FOCUS_WEIGHT = 1.0  # a follow-up's own reading, beside the reading with its context
LEXICAL_WEIGHT = 0.1  # BM25 score, normalised to the best: rare exact terms ("CPTEd") count
CONTINUITY_WEIGHT = 0.2  # a follow-up's bonus for the document its context is about
STATE_WEIGHT = 0.3  # the named state's own record, found by name rather than by search
MAX_FOLLOWUPS = 3
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
SENTENCE_RE = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[A-Z0-9“\"($])")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class SourceRef:
    number: int
    title: str
    url: str
    as_of: str
    topic: str  # of the document that cites it
    path: str


@dataclass
class Part:
    """One paragraph or list item shown in a reply, with the numbers of the sources it cites."""

    role: str  # lead | point | next_step
    text: str
    section: str  # path#heading
    topic: str
    cites: list[int]
    item: bool = False  # a list item (shown as a bullet)


@dataclass
class Reply:
    question: str
    kind: str  # answer | no_match | empty | crisis | emergency | medical | off_topic | language
    lead: str = ""
    parts: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    confirm: str = ""
    sources: list[SourceRef] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    query_used: str = ""
    retrieval: Retrieval | None = field(default=None, repr=False)
    #: what the safety reading found: crisis | someone_else | emergency | medical | distress |
    #: none (a "distress" answer ends with the 988 line)
    safety: str = "none"
    lang: str = ENGLISH  # the message's language (ISO 639-1)

    @property
    def in_scope(self) -> bool:
        return self.kind in ("answer", "no_match", "empty", "language")

    @property
    def body(self) -> list[Part]:
        return [p for p in self.parts if p.role != "next_step"]

    @property
    def next_step(self) -> Part | None:
        return next((p for p in self.parts if p.role == "next_step"), None)

    @staticmethod
    def cite_marks(part: Part) -> str:
        return "".join(f"[{n}]" for n in part.cites)

    def paragraphs(self) -> list[list[Part]]:
        """The body as displayed: each paragraph alone, consecutive list items together."""
        groups: list[list[Part]] = []
        for part in self.body:
            if part.item and groups and groups[-1][-1].item:
                groups[-1].append(part)
            else:
                groups.append([part])
        return groups

    def to_text(self) -> str:
        """Plain-text rendering (console, CLI, JSON "answer")."""
        if self.kind != "answer":
            return "\n\n".join([self.lead, *self.notes])
        paragraphs = [
            "\n".join(f"{'• ' if p.item else ''}{p.text} {self.cite_marks(p)}" for p in group)
            for group in self.paragraphs()
        ]
        step = self.next_step
        if step is not None:
            paragraphs.append(f"Next step: {step.text} {self.cite_marks(step)}")
        paragraphs.extend(self.notes)
        if self.confirm:
            paragraphs.append(self.confirm)
        paragraphs.append(
            "Sources:\n"
            + "\n".join(f"[{s.number}] {s.title} ({s.as_of}) — {s.url}" for s in self.sources)
        )
        return "\n\n".join(paragraphs)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "kind": self.kind,
            "in_scope": self.in_scope,
            "answer": self.to_text(),
            "parts": [
                {"role": p.role, "text": p.text, "section": p.section, "topic": p.topic,
                 "cites": p.cites, "item": p.item}
                for p in self.parts
            ],
            "sources": [
                {"n": s.number, "title": s.title, "url": s.url, "as_of": s.as_of,
                 "topic": s.topic, "path": s.path}
                for s in self.sources
            ],
            "followups": self.followups,
            "safety": self.safety,
            "lang": self.lang,
            "latency_ms": round(self.latency_ms, 2),
        }


@dataclass
class SectionHit:
    passage: Passage  # the best-scoring chunk of the section (carries the whole section)
    score: float
    dense: float

    @property
    def key(self) -> str:
        return self.passage.section


def clean_question(raw: str) -> tuple[str, bool]:
    """Normalize user text: strip control and direction characters, collapse whitespace,
    and cut very long input. Returns (text, was_truncated)."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = CONTROL_RE.sub(" ", text)
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUESTION_CHARS
    if truncated:
        cut = text[:MAX_QUESTION_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut[200:] else cut
    return text, truncated


SHORTHAND_RE = re.compile(
    r"(?<![\w$/])("
    + "|".join(re.escape(k) for k in sorted(templates.SHORTHAND, key=len, reverse=True))
    + r")(?![\w$/])",
    re.IGNORECASE,
)


def spell_out(text: str) -> str:
    """Expand phone shorthand ("pharm tech", "2 yrs", "$$") into words the model knows."""
    expanded = SHORTHAND_RE.sub(lambda m: templates.SHORTHAND[m.group(0).lower()], text)
    return " ".join(expanded.split())


def has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def terms(text: str) -> frozenset[str]:
    """Stemmed content words of a text (the same analysis BM25 uses)."""
    return frozenset(lexical_terms(text))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_RE.split(text) if s.strip()]


def words(text: str) -> int:
    return len(text.split())


def leading_sentences(text: str, budget: int) -> str:
    """The first sentences of a paragraph within about ``budget`` words (at least one)."""
    taken: list[str] = []
    used = 0
    for sentence in split_sentences(text):
        n = words(sentence)
        if taken and used + n > budget:
            break
        taken.append(sentence)
        used += n
    return " ".join(taken)


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


@dataclass
class SafetyReading:
    """One message's safety reading: the phrase layer and the clause embeddings combined."""

    outcome: str  # crisis | someone_else | emergency | medical | distress | none
    lang: str
    phrases: safety.PhraseReading
    flagged: set[int] = field(default_factory=set)  # clauses that carry the crisis
    clause_scores: list[tuple[float, float, float]] = field(default_factory=list)  # (crisis, distress)

    def career_part(self) -> str:
        """The message without its crisis clauses, when what is left asks something."""
        if not self.flagged:
            return ""
        rest = [c for i, c in enumerate(self.phrases.clauses) if i not in self.flagged]
        asks = [c for c in rest if ASKS.search(c.strip())] or [
            c for c in rest if ABOUT_WORK.search(c)]
        rest = " ".join(asks).strip()
        return rest if len(rest.split()) >= 3 else ""


def _domain(url: str | None) -> str:
    host = urlparse(url or "").hostname or ""
    return host.removeprefix("www.")


class Replier:
    """Turns a question into a Reply using a Retriever."""

    def __init__(self, retriever: Retriever, states: dict | None = None):
        self.retriever = retriever
        self.states = state_rules.all_states() if states is None else states
        self.language = LanguageReader()
        self.scope_vectors = self._scope_vectors()
        clause_examples = self._cached_vectors("clauses", {
            "crisis": [*templates.SCOPE_EXAMPLES["crisis"], *templates.CRISIS_CLAUSE_EXAMPLES],
            "distress": list(templates.DISTRESS_EXAMPLES),
        })
        self.crisis_clause_vectors = clause_examples["crisis"]
        self.distress_vectors = clause_examples["distress"]
        self.bank_vectors, self.bank_labels = self._safety_bank()
        self.idf = self._idf()
        self.sections_by_path = self._sections_by_path()
        self.heading_vectors = self._heading_vectors()

    # --- loading -----------------------------------------------------------------------------

    def _cached_vectors(self, name: str, groups: dict[str, list[str]]) -> dict[str, np.ndarray]:
        """Embeddings of fixed texts, cached in the store (keyed by model and texts)."""
        key = name + "-" + hashlib.sha256(
            json.dumps([self.retriever.manifest.get("model"), groups], sort_keys=True).encode()
        ).hexdigest()[:16]
        cached = self.retriever.cache.load(key, list(groups))
        if cached is not None:
            return cached
        vectors = {label: self.retriever.embed(list(texts)) for label, texts in groups.items()}
        self.retriever.cache.save(key, vectors)
        return vectors

    def _scope_vectors(self) -> dict[str, np.ndarray]:
        return self._cached_vectors(
            "scope", {label: list(texts) for label, texts in templates.SCOPE_EXAMPLES.items()}
        )

    def _safety_bank(self) -> tuple[np.ndarray, np.ndarray]:
        """The example bank for reading safety by nearest neighbours: labelled messages written
        the way people type (tuning data, never the held-out halves), the fixed examples, and
        every question heading of the knowledge base (what a career question looks like)."""
        rows = [json.loads(line) for line in SAFETY_EXAMPLES_FILE.read_text(
            encoding="utf-8").splitlines() if line.strip()]
        label_of = {"crisis": "crisis", "someone_else": "someone_else", "emergency": "emergency"}
        groups: dict[str, list[str]] = {label: [] for label in BANK_LABELS}
        for row in rows:  # short messages only: a long one is mostly about something else
            if len(row["q"].split()) <= BANK_MAX_WORDS:
                groups[label_of.get(row["class"], "other")].append(row["q"])
        groups["crisis"] += [*templates.SCOPE_EXAMPLES["crisis"],
                             *templates.CRISIS_CLAUSE_EXAMPLES]
        groups["emergency"] += list(templates.SCOPE_EXAMPLES["emergency"])
        groups["other"] += [*templates.SCOPE_EXAMPLES["career"],
                            *templates.SCOPE_EXAMPLES["off_topic"],
                            *templates.SCOPE_EXAMPLES["medical"], *templates.DISTRESS_EXAMPLES,
                            *sorted({p.heading for p in self.retriever.passages.values()
                                     if p.heading.endswith("?")})]
        vectors = self._cached_vectors("safety-bank", {k: [spell_out(t) or t for t in v]
                                                       for k, v in groups.items()})
        labels = np.concatenate([np.full(len(vectors[k]), i) for i, k in enumerate(BANK_LABELS)])
        return np.concatenate([vectors[k] for k in BANK_LABELS]), labels

    def nearest_labels(self, vectors: np.ndarray) -> list[tuple[str, float, float]]:
        """For each vector: the label its nearest examples vote for, the similarity-weighted
        share of that label, and the similarity of the closest example with it."""
        sims = vectors @ self.bank_vectors.T
        top = np.argpartition(-sims, KNN_K, axis=1)[:, :KNN_K]
        out = []
        for row, idx in zip(sims, top, strict=True):
            weights = np.clip(row[idx], 0.0, None)
            labels = self.bank_labels[idx]
            votes = np.bincount(labels, weights=weights, minlength=len(BANK_LABELS))
            best = int(votes.argmax())
            share = float(votes[best] / max(weights.sum(), 1e-9))
            closest = float(row[idx][labels == best].max()) if (labels == best).any() else 0.0
            out.append((BANK_LABELS[best], share, closest))
        return out

    def _heading_vectors(self) -> dict[str, np.ndarray]:
        """Each section's heading with its opening paragraph, embedded: headings are
        questions and openings answer them, so this is what the lead of a reply would say."""
        sections: dict[str, str] = {}
        for p in self.retriever.passages.values():
            opening = p.blocks[0]["text"] if p.blocks else ""
            sections.setdefault(p.section, f"{p.heading} {opening}")
        keys = sorted(sections)
        texts = [sections[k] for k in keys]
        vectors = self._cached_vectors("openings", {"openings": texts})["openings"]
        return dict(zip(keys, vectors, strict=True))

    def _idf(self) -> dict[str, float]:
        """Inverse document frequency of heading and text terms over passages."""
        df: Counter[str] = Counter()
        for pid, p in self.retriever.passages.items():
            df.update(set(self.retriever.terms(pid)) | p.heading_terms)
        n = len(self.retriever.passages)
        return {t: math.log(1 + n / c) for t, c in df.items()}

    def _sections_by_path(self) -> dict[str, dict[str, Passage]]:
        """Each document's sections in order: heading -> its first chunk."""
        out: dict[str, dict[str, Passage]] = {}
        for p in sorted(self.retriever.passages.values(), key=lambda p: (p.path, p.seq)):
            out.setdefault(p.path, {}).setdefault(p.heading, p)
        return out

    # --- scope -----------------------------------------------------------------------------

    def scope_scores(self, vector: np.ndarray, best_dense: float) -> dict[str, float]:
        scores = {
            label: float(np.sort(vectors @ vector)[-2:].mean())
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
        crisis = float(np.sort(self.scope_vectors["crisis"] @ vector)[-2:].mean())
        emergency = float(np.sort(self.scope_vectors["emergency"] @ vector)[-2:].mean())
        return max(crisis, emergency) >= CLAUSE_GATE or bool(RISK_WORDS.search(text))

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
        """Combine the phrase layer, the clause embeddings and the whole message's scope into
        one outcome. Career relevance never enters: a crisis clause is a crisis whatever the
        other clauses say. ``scope`` is :meth:`decide_scope` on the whole message (English
        only: on other languages the English model's reading is noise)."""
        reading = SafetyReading(outcome=phrases.outcome, lang=lang, phrases=phrases,
                                flagged=phrases.flagged_clauses(),
                                clause_scores=clause_scores or [])
        if reading.outcome in (safety.CRISIS, safety.SOMEONE_ELSE):
            return reading
        denied = phrases.negated_clauses()
        # nearest examples: the whole message, then each clause (when they were embedded)
        english = lang == ENGLISH  # the model carries no meaning in other languages
        if english and message_vector is not None and not denied and not phrases.professional:
            label, share, closest = self.nearest_labels(message_vector[None, :])[0]
            if label in (safety.CRISIS, safety.SOMEONE_ELSE) and share >= KNN_SHARE and (
                    closest >= KNN_FLOOR[label]):
                reading.outcome = label
                reading.flagged = set(range(len(phrases.clauses)))
                return reading
        if clause_vectors is not None and english and not denied:
            for i, (label, share, closest) in enumerate(self.nearest_labels(clause_vectors)):
                if i in denied or i >= len(phrases.clauses) or label not in (
                        safety.CRISIS, safety.SOMEONE_ELSE):
                    continue
                if share >= KNN_SHARE and closest >= KNN_FLOOR[label]:
                    reading.outcome = label
                    reading.flagged = {i}
                    return reading
        gray = False
        emergency_clause = False
        for i, (crisis, distress, emergency) in enumerate(reading.clause_scores):
            if i in denied or i >= len(phrases.clauses):
                continue
            emergency_clause = emergency_clause or emergency >= CLAUSE_EMERGENCY_AT
            sure = crisis >= CLAUSE_CRISIS_SURE
            if denied:  # "not suicidal, just ...": the denial stands; the gentle line
                gray = gray or crisis >= CLAUSE_DISTRESS_AT
                continue
            if sure or (crisis >= CLAUSE_CRISIS_AT
                        and crisis >= distress + CLAUSE_CRISIS_OVER_DISTRESS):
                prefix = " ".join(safety.fold(c) for c in phrases.clauses[:i])
                other = safety.who_in_clause(prefix, safety.fold(phrases.clauses[i])) == "other"
                reading.outcome = safety.SOMEONE_ELSE if other else safety.CRISIS
                reading.flagged = {i}
                return reading
            gray = gray or crisis >= CLAUSE_DISTRESS_AT
        if lang == ENGLISH and scope == "crisis" and phrases.professional:
            scope = "career"  # "suicide prevention training for CE": about the work
        if lang == ENGLISH and emergency_clause and scope not in SAFETY:
            scope = "emergency"  # "studying for the ptce and my roommate started seizing"
        if lang == ENGLISH and scope in SAFETY:
            if scope == "crisis" and denied:
                reading.outcome = safety.DISTRESS  # "i'm not suicidal, just ..."
            elif scope == "crisis":
                reading.outcome = safety.CRISIS
                reading.flagged = set(range(len(phrases.clauses)))
            elif reading.outcome not in (safety.EMERGENCY, safety.MEDICAL):
                reading.outcome = scope
            return reading
        if reading.outcome == safety.NONE and (gray or (
                english and message_vector is not None and self._leans_crisis(
                    phrases, message_vector))):
            reading.outcome = safety.DISTRESS  # the safety net: one line naming 988
        return reading

    def _leans_crisis(self, phrases: safety.PhraseReading, vector: np.ndarray) -> bool:
        """A message with a word that can carry a crisis ("bridge", "rope", "pills") whose
        nearest examples lean that way, without the majority the crisis reply needs."""
        text = " ".join(phrases.clauses)
        if not SAFETY_NET_WORDS.search(text):
            return False
        label, share, _closest = self.nearest_labels(vector[None, :])[0]
        return label in (safety.CRISIS, safety.SOMEONE_ELSE) and share >= SAFETY_NET_SHARE

    # --- ranking sections ------------------------------------------------------------------

    def rank_sections(
        self, question: str, retrieval: Retrieval, focus: np.ndarray | None = None,
        about: str | None = None, state_path: str | None = None,
    ) -> list[SectionHit]:
        """Sections of the retrieved passages, best first ("Next step" sections left out).

        A section scores by its best chunk's cosine, the fused dense+BM25 rank score, and how
        much of the question its heading contains; for a follow-up, also by the follow-up's own
        reading (``focus``), so "how long does that take?" finds the section about time, and
        by staying with the document the previous question was answered from (``about``).
        """
        q_terms = terms(question)
        q_weight = sum(self.idf.get(t, 1.0) for t in q_terms) or 1.0
        top_fused = max((p.score for p in retrieval.passages), default=0.0) or 1.0
        top_lexical = max((p.lexical for p in retrieval.passages), default=0.0) or 1.0
        best: dict[str, SectionHit] = {}
        for p in retrieval.passages:
            if p.next_step:
                continue
            head = sum(self.idf.get(t, 1.0) for t in q_terms & p.heading_terms) / q_weight
            asked = float(self.heading_vectors[p.section] @ retrieval.vector)
            score = (p.dense + FUSED_WEIGHT * p.score / top_fused + HEADING_WEIGHT * head
                     + QUESTION_WEIGHT * asked + LEXICAL_WEIGHT * p.lexical / top_lexical)
            if focus is not None:
                vector = self.retriever.vectors.get(p.id)
                if vector is not None:
                    score += FOCUS_WEIGHT * float(vector @ focus)
            if p.path == about:
                score += CONTINUITY_WEIGHT
            if p.path == state_path:
                score += STATE_WEIGHT
            hit = best.get(p.section)
            if hit is None or score > hit.score:
                best[p.section] = SectionHit(passage=p, score=score, dense=p.dense)
        return sorted(best.values(), key=lambda h: h.score, reverse=True)

    # --- composing ---------------------------------------------------------------------------

    def _with_state_sections(
        self, question: str, retrieval: Retrieval
    ) -> tuple[Retrieval, str | None]:
        """State records are not searched; a question that names a state gets that state's
        sections as candidates (the state moved to, when it names two). Returns the
        retrieval with them and the state's document path."""
        named = state_rules.find_states(question, self.states)
        if not named:
            return retrieval, None
        code = state_rules.destination(question, named, self.states)
        path = state_rules.document_path(code)
        extra = [
            Passage(**{**p.__dict__, "score": 0.0, "lexical": 0.0,
                       "dense": float(self.retriever.vectors[p.id] @ retrieval.vector)})
            for p in self.sections_by_path.get(path, {}).values() if not p.next_step
        ]
        return Retrieval(query=retrieval.query, vector=retrieval.vector,
                         passages=[*retrieval.passages, *extra]), path

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

    def compose(
        self, question: str, retrieval: Retrieval, focus: np.ndarray | None = None,
        about: str | None = None, home_state: str | None = None,
    ) -> Reply:
        retrieval, state_path = self._with_state_sections(question, retrieval)
        hits = self.rank_sections(question, retrieval, focus, about, state_path)
        named = state_rules.find_states(question, self.states)
        if len(named) > 1 and state_path is not None:
            # a move: the new state's requirements first, then how a move works (below)
            wanted = next((h for h in hits if h.passage.path == state_path
                           and h.passage.heading.startswith("What do I need")), None)
            if wanted is not None:
                hits = [wanted, *(h for h in hits if h is not wanted)]
        extra = self._home_state_renewal(hits, home_state, retrieval.vector) if (
            state_path is None) else None
        if not hits or hits[0].dense < ANSWER_EVIDENCE:
            return self.no_match(question, hits)
        lead_hit = hits[0]
        lead = lead_hit.passage
        numbering = _SourceNumbering()
        parts = self._section_parts(lead, numbering)
        shown = {lead.section}
        if extra is not None and extra.passage.blocks:
            block = extra.passage.blocks[0]
            parts.append(self._part("point", block["text"], extra.passage, block, numbering))
            shown.add(extra.key)
        if len(named) > 1:  # a move: that a registration does not transfer by itself
            move = self._move_section(retrieval.vector)
            if move is not None and move.blocks:
                block = move.blocks[0]
                parts.append(self._part("point", block["text"], move, block, numbering))
                shown.add(move.section)
        second = None if len(shown) > 1 else next(
            (h for h in hits[1:3]
             if (SECOND_SAME_DOC or h.passage.path != lead.path)
             and h.score >= lead_hit.score - SECOND_MARGIN
             and h.dense >= ANSWER_EVIDENCE and h.passage.blocks),
            None,
        )
        if second is not None:
            block = second.passage.blocks[0]
            text = leading_sentences(block["text"], SECOND_WORDS)
            if not text.endswith(":"):
                parts.append(self._part("point", text, second.passage, block, numbering))
                shown.add(second.key)
        step = self.next_step_part(lead.path, numbering)
        if step is not None:
            parts.append(step)
        return Reply(
            question=question, kind="answer", lead=parts[0].text, parts=parts,
            confirm=self._where_to_confirm(numbering.refs),
            sources=numbering.refs,
            followups=self._followups(hits, shown, lead.path),
        )

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

    def _section_parts(self, passage: Passage, numbering: _SourceNumbering) -> list[Part]:
        """The section as written, shortened at sentence or list-item boundaries."""
        blocks = passage.blocks
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
            slots.append((i, text, truncated, follow))
            texts.append(spell_out(text))
            if follow:
                texts.append(spell_out(" ".join([*context, text])))
                texts.append(spell_out(context[0]))  # what the conversation was about
        if slots:
            vectors = self.retriever.embed(texts)
            k = max(self.retriever.settings.top_k, CANDIDATE_PASSAGES)
            retrievals = self.retriever.search_many(texts, vectors, k)
            # the clauses of every message that needs the clause check, in one model run
            owns: dict[int, int] = {}
            checked: list[tuple[int, int, int]] = []  # (question, first clause row, count)
            clause_texts: list[str] = []
            j = 0
            for i, text, _truncated, follow in slots:
                owns[i] = j
                parts = phrase_readings[i].clauses
                if self.needs_clause_check(text, langs[i], phrase_readings[i], vectors[j]):
                    checked.append((i, len(clause_texts), len(parts)))
                    clause_texts.extend(spell_out(p) or p for p in parts)
                j += 3 if follow else 1
            scores: dict[int, list[tuple[float, float, float]]] = {}
            clause_vectors: dict[int, np.ndarray] = {}
            if clause_texts:
                embedded = self.retriever.embed(clause_texts)
                all_scores = self.clause_scores(embedded)
                scores = {i: all_scores[start:start + n] for i, start, n in checked}
                clause_vectors = {i: embedded[start:start + n] for i, start, n in checked}
            for i, text, truncated, follow in slots:
                j = owns[i]
                own = retrievals[j]
                own.query = text
                context = earlier = None
                if follow:
                    context, earlier = retrievals[j + 1], retrievals[j + 2]
                    context.query = " ".join([*usable_history(histories[i]), text])
                replies[i] = self._reply(questions[i], text, own, context, earlier, truncated,
                                         home_states[i], langs[i], phrase_readings[i],
                                         scores.get(i), clause_vectors.get(i))
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
        clause_vectors: np.ndarray | None = None,
    ) -> Reply:
        # Safety and scope are decided on the message alone, before any history is used.
        label, scores = self.decide_scope(own)
        phrases = phrases if phrases is not None else safety.read_phrases(text)
        reading = self.read_safety(lang, phrases, label, clause_scores, own.vector,
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
                reply.notes.append(templates.DISTRESS_LINE_ES if lang == SPANISH
                                   else templates.DISTRESS_LINE)
            return reply
        if label in SAFETY:  # the safety reading found none: the message is read as career
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
            reply.notes.append(templates.DISTRESS_LINE)
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
