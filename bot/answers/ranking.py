"""Which sections a reply may lead with: each section's vectors and term weights (read at
start), the sections found by the ways people ask for them, and the ranking of the candidate
sections for one question. :class:`bot.answers.compose.Replier` is built on it."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.answers.intent import Intent
from bot.answers.leading import terms, text_sentences
from bot.answers.retrieval import Passage, Retrieval, Retriever
from bot.answers.safety_bank import cached_vectors

HEADING_WEIGHT = 0.1  # share of the question's words found in a section's heading
FUSED_WEIGHT = 0.35  # reciprocal-rank fusion of dense and BM25, normalised to the best
QUESTION_WEIGHT = 1.0  # cosine between the question and the section's heading (a question)
FOCUS_WEIGHT = 1.0  # a follow-up's own reading, beside the reading with its context
LEXICAL_WEIGHT = 0.1  # BM25 score, normalised to the best: rare exact terms ("CPTEd") count
CONTINUITY_WEIGHT = 0.2  # a follow-up's bonus for the document its context is about
ASKED_CANDIDATES = 3  # sections found by their "asked as" phrasings, added to the search's
ASKED_FLOOR = 0.6  # ... when the closest phrasing is at least this close
#: A question that is, near word for word, one of the ways the document says people ask for a
#: section ("how early can i renew cpht" and the deadline section) gets that section first,
#: even when the search ranks a broader sibling higher. Chosen on the tune halves: 0.85 moved
#: the intent set's tune half down, 0.9 left it and the main eval unchanged.
ASKED_AS_SAID = 0.9
ASKED_AS_SAID_BONUS = 0.3
STATE_WEIGHT = 0.3  # the named state's own record, found by name rather than by search


@dataclass
class SectionHit:
    passage: Passage  # the best-scoring chunk of the section (carries the whole section)
    score: float
    dense: float

    @property
    def key(self) -> str:
        return self.passage.section


class SectionRanking:
    """The candidate sections and their ranking, for the Replier (which sets ``retriever`` and
    the caches, and loads what the methods below read)."""

    retriever: Retriever
    _texts: dict[str, str]
    heading_index: tuple[dict[str, int], np.ndarray]  # from _heading_index
    asked_positions: dict[str, int]  # each section's place in asked_index
    _asked_cache: tuple[np.ndarray, np.ndarray] | None  # (question vector, _asked_best of it)
    sentence_rows: dict[str, int]  # from _sentence_vectors: each sentence's row
    sentence_matrix: np.ndarray

    # --- loading -----------------------------------------------------------------------------

    def _heading_vectors(self) -> dict[str, np.ndarray]:
        """Each section's heading with its opening paragraph, embedded: headings are
        questions and openings answer them, so this is what the lead of a reply would say."""
        sections: dict[str, str] = {}
        for p in self.retriever.passages.values():
            opening = p.blocks[0]["text"] if p.blocks else ""
            sections.setdefault(p.section, f"{p.heading} {opening}")
        keys = sorted(sections)
        texts = [sections[k] for k in keys]
        vectors = cached_vectors(self.retriever, "openings", {"openings": texts})["openings"]
        return dict(zip(keys, vectors, strict=True))

    def _asked_vectors(self) -> dict[str, np.ndarray]:
        """Each section's "asked as" phrasings, embedded (read at start, cached in the store):
        a question is matched to the questions people ask for a section as well as to its
        heading."""
        asked: dict[str, tuple[str, ...]] = {}
        for p in self.retriever.passages.values():
            if p.asked:
                asked.setdefault(p.section, p.asked)
        keys = sorted(asked)
        texts = [t for k in keys for t in asked[k]]
        if not texts:
            return {}
        flat = cached_vectors(self.retriever, "asked", {"asked": texts})["asked"]
        out, start = {}, 0
        for k in keys:
            out[k] = flat[start:start + len(asked[k])]
            start += len(asked[k])
        return out

    def _sentence_vectors(self) -> tuple[dict[str, int], np.ndarray]:
        """Every sentence of the knowledge base's sections, embedded (read at start, cached in
        the store; float16, 2 MB), with each sentence's row: how close a section's sentences
        are to a question decides which one a reply shows first (``leading``)."""
        texts = sorted({s for p in self.retriever.passages.values() for b in p.blocks
                        for s in text_sentences(b["text"])})
        if not texts:
            return {}, np.zeros((0, 1), dtype=np.float16)
        vectors = cached_vectors(self.retriever, "sentences", {"sentences": texts})["sentences"]
        return {t: i for i, t in enumerate(texts)}, vectors.astype(np.float16)

    def closeness(self, vector: np.ndarray | None) -> Callable[[str], float] | None:
        """How close each sentence of the knowledge base is to the question's ``vector``."""
        if vector is None or not self.sentence_rows:
            return None
        rows, matrix = self.sentence_rows, self.sentence_matrix

        def close(sentence: str) -> float:
            at = rows.get(sentence)
            return 0.0 if at is None else float(matrix[at].astype(np.float32) @ vector)

        return close

    def _asked_index(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every phrasing in one matrix, with where each section's rows start (for finding
        the sections people ask that way, whatever the search found)."""
        keys = sorted(self.asked_vectors)
        if not keys:
            return [], np.zeros((0, 1), dtype=np.float32), np.zeros(0, dtype=np.int64)
        starts = np.cumsum([0, *(len(self.asked_vectors[k]) for k in keys[:-1])])
        return keys, np.vstack([self.asked_vectors[k] for k in keys]), starts

    def _heading_index(self) -> tuple[dict[str, int], np.ndarray]:
        """The heading-with-opening vectors in one matrix, with each section's row."""
        keys = sorted(self.heading_vectors)
        if not keys:
            return {}, np.zeros((0, 1), dtype=np.float32)
        return ({k: i for i, k in enumerate(keys)},
                np.vstack([self.heading_vectors[k] for k in keys]))

    def _with_asked_sections(self, retrieval: Retrieval) -> Retrieval:
        """The sections whose "asked as" phrasings are closest to the question join the
        candidates, so "how do i renew my cpht" finds PTCB's renewal section even when the
        search ranked other renewals higher."""
        keys = self.asked_index[0]
        if not keys:
            return retrieval
        best = self._asked_best(retrieval.vector)
        present = {p.section for p in retrieval.passages}
        extra = []
        for i in np.argsort(-best)[:ASKED_CANDIDATES]:
            section = keys[int(i)]
            if best[i] < ASKED_FLOOR or section in present:
                continue
            path, _, heading = section.partition("#")
            p = self.sections_by_path.get(path, {}).get(heading)
            if p is None:
                continue
            extra.append(p)
        return self._joined(retrieval, extra)

    def _joined(self, retrieval: Retrieval, sections: list[Passage]) -> Retrieval:
        """The retrieval with ``sections`` (first chunks the search did not return) added as
        candidates, each with the scores the search gave it if it scored it (a chunk BM25
        ranked high but the fusion left out), else its own cosine to the question."""
        if not sections:
            return retrieval
        extra = []
        for p in sections:
            fused, cosine, lexical = retrieval.scored.get(p.id, (0.0, 0.0, 0.0))
            if not cosine:
                cosine = float(self.retriever.vectors[p.id] @ retrieval.vector)
            extra.append(p.rescored(fused, cosine, lexical))
        return Retrieval(query=retrieval.query, vector=retrieval.vector,
                         passages=[*retrieval.passages, *extra], scored=retrieval.scored)

    def _asked_best(self, vector: np.ndarray) -> np.ndarray:
        """The closest phrasing of each section with phrasings (``asked_index`` order) to a
        question's vector, computed once per question: adding the sections people ask that
        way and ranking the candidates both read it."""
        cached = self._asked_cache
        if cached is not None and cached[0] is vector:
            return cached[1]
        _, matrix, starts = self.asked_index
        best = np.maximum.reduceat(matrix @ vector, starts)
        self._asked_cache = (vector, best)
        return best

    def question_matches(self, sections: list[str], vector: np.ndarray) -> dict[str, float]:
        """How closely the question matches what each section answers: its heading with
        opening, or the closest of the ways people ask for it (one product for the openings)."""
        index, matrix = self.heading_index
        openings = matrix[[index[s] for s in sections]] @ vector
        best = self._asked_best(vector) if self.asked_positions else None
        out = {}
        for section, opening in zip(sections, openings.tolist(), strict=True):
            at = self.asked_positions.get(section)
            out[section] = opening if at is None else max(opening, float(best[at]))
        return out

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
        intent = Intent.of(question)
        matches = self.question_matches(
            list(dict.fromkeys(p.section for p in retrieval.passages if not p.next_step)),
            retrieval.vector)
        for p in retrieval.passages:
            if p.next_step:
                continue
            head = sum(self.idf.get(t, 1.0) for t in q_terms & p.heading_terms) / q_weight
            asked = matches[p.section]
            # a chunk only BM25 found scores by its own cosine, not 0: a new section taking
            # its place among the closest chunks must not push it out of the lead
            vector = self.retriever.vectors.get(p.id)
            cosine = p.dense
            if not cosine and vector is not None:
                cosine = float(vector @ retrieval.vector)
            score = (cosine + FUSED_WEIGHT * p.score / top_fused + HEADING_WEIGHT * head
                     + QUESTION_WEIGHT * asked + LEXICAL_WEIGHT * p.lexical / top_lexical)
            if focus is not None and vector is not None:
                score += FOCUS_WEIGHT * float(vector @ focus)
            if p.path == about:
                score += CONTINUITY_WEIGHT
            if p.path == state_path:
                score += STATE_WEIGHT
            score -= intent.penalty(p.topic, p.heading, self._section_text(p))
            if asked >= ASKED_AS_SAID:
                score += ASKED_AS_SAID_BONUS  # asked in so many words as the section says
            hit = best.get(p.section)
            if hit is None or score > hit.score:
                # evidence that the section answers: the chunk's own cosine (also for a chunk
                # only BM25 found: "whats a cat 2 csp") or the closest way people ask for it
                dense = cosine
                if asked >= ASKED_FLOOR:
                    dense = max(dense, asked)
                best[p.section] = SectionHit(passage=p, score=score, dense=dense)
        return sorted(best.values(), key=lambda h: h.score, reverse=True)

    def _section_text(self, passage: Passage) -> str:
        """A section's whole text, joined once (intent rules look for figures in it)."""
        text = self._texts.get(passage.section)
        if text is None:
            text = self._texts[passage.section] = " ".join(b["text"] for b in passage.blocks)
        return text

