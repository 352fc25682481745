"""The fixed examples the safety reading compares a message with, embedded once and cached in
the store (:func:`cached_vectors`, which the Replier's section vectors use too): the labelled
example bank (``safety_examples.jsonl``, tuning data only, with the knowledge base's own
question headings as what a career question looks like), its nearest-labels vote, and the
classifier fitted on the same examples. :class:`bot.answers.scope.ScopeReader` is built on it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from bot.answers import safety, templates
from bot.answers.field_words import spell_out
from bot.answers.language import ENGLISH
from bot.answers.retrieval import Retriever
from bot.answers.safety_classifier import CLASSES, SafetyClassifier
from bot.content.split import half

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
#: How far apart two float32 products of the same unit vectors can come out when numpy adds
#: them in another order (384 terms: at most 384 x 2^-24 x |a||b| each, about 2.3e-5), with
#: room to spare: a bound on a similarity read from another product than the bank's own.
PRODUCT_SLACK = 1e-4
CRISIS_SECTION = re.compile(r"\b(?:crisis|suicid\w*)", re.IGNORECASE)


def cached_vectors(retriever: Retriever, name: str,
                   groups: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Embeddings of fixed texts, cached in the store (keyed by model and texts)."""
    key = name + "-" + hashlib.sha256(
        json.dumps([retriever.manifest.get("model"), groups], sort_keys=True).encode()
    ).hexdigest()[:16]
    cached = retriever.cache.load(key, list(groups))
    if cached is not None:
        return cached
    vectors = {label: retriever.embed(list(texts)) for label, texts in groups.items()}
    retriever.cache.save(key, vectors)
    return vectors


def _example_rows() -> list[dict]:
    """The labelled rows of the example bank (bot/answers/safety_examples.jsonl)."""
    return [json.loads(line) for line in SAFETY_EXAMPLES_FILE.read_text(
        encoding="utf-8").splitlines() if line.strip()]


class ExampleBank:
    """The example bank and the classifier, for the ScopeReader (which sets ``retriever``
    and loads them)."""

    retriever: Retriever
    bank_vectors: np.ndarray
    bank_labels: np.ndarray
    _urgent: tuple[np.ndarray, np.ndarray]  # from _urgent_bank, set with the bank

    def _safety_bank(self) -> tuple[np.ndarray, np.ndarray]:
        """The example bank for reading safety by nearest neighbours: labelled messages written
        the way people type (tuning data, never the held-out halves), the fixed examples, and
        every question heading of the knowledge base (what a career question looks like)."""
        rows = _example_rows()
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
                            *self._question_headings()]
        vectors = cached_vectors(self.retriever, "safety-bank", {k: [spell_out(t) or t for t in v]
                                                       for k, v in groups.items()})
        labels = np.concatenate([np.full(len(vectors[k]), i) for i, k in enumerate(BANK_LABELS)])
        return np.concatenate([vectors[k] for k in BANK_LABELS]), labels

    def _classifier(self) -> SafetyClassifier:
        """The classifier, fitted on the class examples once and cached in the store beside
        their vectors (keyed by model, examples and fitting settings)."""
        groups = self._class_examples()
        key = "safety-classifier-" + hashlib.sha256(json.dumps(
            [self.retriever.manifest.get("model"), groups, SafetyClassifier.SETTINGS],
            sort_keys=True).encode()).hexdigest()[:16]
        cached = self.retriever.cache.load(key, ["fitted"])
        if cached is not None:
            return SafetyClassifier.unpack(cached["fitted"])
        vectors = cached_vectors(self.retriever, "safety-classes", groups)
        labels = np.concatenate([np.full(len(vectors[k]), i) for i, k in enumerate(CLASSES)])
        fitted = SafetyClassifier.fit(np.concatenate([vectors[k] for k in CLASSES]), labels)
        self.retriever.cache.save(key, {"fitted": fitted.pack()})
        return fitted

    def _class_examples(self) -> dict[str, list[str]]:
        """What the classifier learns from: the English rows of the example bank by class
        (a denial reads as distress, an unrelated request as career: not a safety matter), the
        fixed examples, the knowledge base's question
        headings as career, and the clauses of multi-clause career, distress and medication
        examples under their row's class (what a clause of an ordinary message looks like)."""
        rows = _example_rows()
        groups: dict[str, list[str]] = {label: [] for label in CLASSES}
        headings = self._question_headings()
        for row in rows:
            if row.get("lang", "en") != ENGLISH:
                continue  # the model carries no Spanish meaning
            label = {"negation": "distress", "off_topic": "career"}.get(row["class"], row["class"])
            if label not in groups:
                continue
            groups[label].append(row["q"])
            parts = safety.clauses(row["q"])
            if label in ("career", "distress", "medical") and len(parts) >= 2:
                groups[label] += [p for p in parts if len(p.split()) >= 2]
        groups["crisis"] += [*templates.SCOPE_EXAMPLES["crisis"],
                             *templates.CRISIS_CLAUSE_EXAMPLES]
        groups["emergency"] += list(templates.SCOPE_EXAMPLES["emergency"])
        groups["medical"] += list(templates.SCOPE_EXAMPLES["medical"])
        groups["distress"] += list(templates.DISTRESS_EXAMPLES)
        groups["career"] += [*templates.SCOPE_EXAMPLES["career"],
                             *templates.SCOPE_EXAMPLES["off_topic"], *headings,
                             *self._career_phrasings()]
        for heading in headings:
            parts = safety.clauses(heading)
            if len(parts) >= 2:
                groups["career"] += parts
        return {k: [spell_out(t) or t for t in v] for k, v in groups.items()}

    def _question_headings(self) -> list[str]:
        """Every question heading of the knowledge base: what a career question looks like."""
        return sorted({p.heading for p in self.retriever.passages.values()
                       if p.heading.endswith("?")})

    def _career_phrasings(self) -> list[str]:
        """The knowledge base's "asked as" phrasings (career questions as technicians post
        them: "my coworker seems burned out how do i help"), the tuning half only: the other
        half checks that career questions get no crisis reply. The crisis section's own
        phrasings are not career."""
        return sorted({a for p in self.retriever.passages.values()
                       if not CRISIS_SECTION.search(p.heading)
                       for a in p.asked if half(a) == "tune"})

    def _urgent_bank(self) -> tuple[np.ndarray, np.ndarray]:
        """The bank's crisis and someone-else rows (a third of the bank), and whether each is a
        crisis row. The bank holds them first (BANK_LABELS' order): they are its leading rows,
        not a copy, so a vote right after this check finds them still in the cache."""
        rows = np.isin(self.bank_labels, [BANK_LABELS.index(label) for label in KNN_FLOOR])
        count = int(rows.sum())
        urgent = (self.bank_vectors[:count] if rows[:count].all()
                  else np.ascontiguousarray(self.bank_vectors[rows]))
        self._floors_made: dict[tuple[float, float], np.ndarray] = {}  # (for these rows)
        return urgent, self.bank_labels[rows] == BANK_LABELS.index("crisis")

    def _urgent_floors(self, floors: dict[str, float]) -> np.ndarray:
        """Each urgent row's floor (its label's, less PRODUCT_SLACK), made once per floors."""
        key = (floors["crisis"], floors["someone_else"])
        made = self._floors_made
        if key not in made:
            made[key] = np.where(self._urgent[1], np.float32(key[0] - PRODUCT_SLACK),
                                 np.float32(key[1] - PRODUCT_SLACK))
        return made[key]

    def may_vote_urgent(self, vectors: np.ndarray,
                        floors: dict[str, float] = KNN_FLOOR) -> bool | np.ndarray:
        """False (for a vector; for a matrix of them, one bool each) when its nearest
        examples cannot vote for a crisis or someone else in crisis with their closest example
        at that label's floor (``floors``, KNN_FLOOR unless given): no example with either
        label is that close. Reads a third of the bank (its urgent rows); what
        :meth:`nearest_labels` gives such a vector is then no crisis reading."""
        rows = self._urgent[0]
        at = self._urgent_floors(floors)
        if vectors.ndim == 1:
            return bool(np.any(rows @ vectors >= at))
        return np.any(vectors @ rows.T >= at, axis=1)

    def nearest_labels(self, vectors: np.ndarray) -> list[tuple[str, float, float]]:
        """For each vector: the label its nearest examples vote for, the similarity-weighted
        share of that label, and the similarity of the closest example with it."""
        sims = vectors @ self.bank_vectors.T
        top = np.argpartition(-sims, KNN_K, axis=1)[:, :KNN_K]
        out = []
        for row, idx in zip(sims, top, strict=True):
            # ten neighbours: their votes added in plain Python, in the neighbours' order and
            # in double precision (what np.bincount does), their total as numpy adds float32
            near = row[idx]
            weights = np.maximum(near, 0.0)
            labels = self.bank_labels[idx].tolist()
            votes = [0.0] * len(BANK_LABELS)
            for label, weight in zip(labels, weights.tolist(), strict=True):
                votes[label] += weight
            best = max(range(len(BANK_LABELS)), key=votes.__getitem__)  # the first on a tie
            share = votes[best] / float(max(weights.sum(), 1e-9))
            closest = max((s for s, label in zip(near.tolist(), labels, strict=True)
                           if label == best), default=0.0)
            out.append((BANK_LABELS[best], share, closest))
        return out
