"""Which block of a section a reply shows first: the one that states what the question asks for.

A section is shown as written, but its opening is not always the fact a question wants: "cspt
test length?" wants the block with the number of questions and the time, "16 yr old tech in ky
allowed?" the line of Kentucky's card with the minimum age. These functions reorder a section's
own blocks (each keeps its citations); they never write text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from bot.answers.field_words import spell_out
from bot.answers.intent import DECIDING_WORDS, DECISION_HEADING, asked_figure, credentials_named
from bot.answers.retrieval import Passage, lexical_terms
from bot.content import states as state_rules
from bot.text import split_sentences

FIGURE_WITHIN = 300  # characters: where a reader looks for the figure they asked for
#: Sentence promotion (``carrying_sentence_first``): how many of the section's blocks are read,
#: what stating the kind of figure asked for is worth beside the question's own terms, and by
#: how much a later sentence must out-score every sentence a reader already sees.
CARRY_BLOCKS = 10
CARRY_FIGURE = 2.0
CARRY_MARGIN = 2.0
CARRY_TERMS = 2  # without a figure asked for, a sentence needs two of the question's own terms
CARRY_RARE = 4.0  # ... or terms this rare (their summed weight: one term in about 1 passage in 50)
#: ... and how close the sentence is to the question in meaning (the embeddings' cosine, read
#: from ``CARRY_CLOSE_FROM`` up, ``CARRY_CLOSE`` per unit): "failed nha exam, is the retake
#: free" and "you pay the exam fee again" share one word and the sense of the question.
CARRY_CLOSE = 10.0
CARRY_CLOSE_FROM = 0.3


def terms(text: str) -> frozenset[str]:
    """Stemmed content words of a text (the same analysis BM25 uses)."""
    return frozenset(lexical_terms(text))


#: Words a question and a section's sentence use for the same thing ("is a cpht a must" and
#: "many PBMs require..."; "is the retake free" and "pay the exam fee again"): each stem is
#: read as the first of its group when sentences are matched to a question.
SAME_SENSE = (
    ("requir", "must", "need", "mandatori"),
    ("cost", "fee", "price", "charg", "free"),
    ("contact", "call"),
    ("keep", "retain", "hang"),
    ("educ", "instructor", "teacher"),
    ("prescript", "script", "rx"),
    ("exam", "test", "ptce", "excpt"),
)
_SENSE = {stem: group[0] for group in SAME_SENSE for stem in group[1:]}


def senses(found: frozenset[str]) -> frozenset[str]:
    """Terms with each word of a `SAME_SENSE` group read as its group's first."""
    return frozenset(_SENSE.get(t, t) for t in found)


@lru_cache(maxsize=16384)
def text_terms(text: str) -> frozenset[str]:
    """`terms` of the knowledge base's own text (a heading, a block, a sentence), cached: the
    documents are fixed while the bot runs, and each section is read again for every question
    it answers. Questions are analysed afresh (`terms`)."""
    return terms(text)


@lru_cache(maxsize=16384)
def sentence_terms(text: str) -> frozenset[str]:
    """`text_terms` read by sense (`senses`), for matching a question's sentence by sentence."""
    return senses(text_terms(text))


@lru_cache(maxsize=4096)
def text_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a block of the knowledge base, cached as `text_terms` is."""
    return tuple(split_sentences(text))


#: Words people fill a question with ("how do i even become a tech", "is it actually worth
#: it", "my options besides quitting"): rare in the documents, so weighty by rarity, yet they
#: ask for nothing a sentence could carry (stems, as ``terms`` gives them).
FILLERS = frozenset({
    "even", "actual", "ok", "okay", "ever", "super", "probabl", "like", "realli", "just", "liter",
    "honest", "pretti", "definit", "mayb", "kinda", "lol", "tho", "gonna", "anyway", "find",
    "yet", "besid", "im", "ive", "tbh", "idk", "rn", "ngl", "lowkey", "ur", "pls", "plz", "though",
    "basic", "els", "otherwis",
})


def question_terms(question: str) -> frozenset[str]:
    """A question's terms with its shorthand spelled out as for the search ("2 yrs" ->
    "years", "cert" -> "certification"), so they meet the documents' words; fillers left out."""
    return senses(terms(spell_out(question, context=False))) - FILLERS


#: Sentences that open by pointing back to the one before ("It", "This", "They" ...).
POINTS_BACK = re.compile(r"(?:It|Its|It's|This|That|These|Those|They|Their|He|She|His|Her)\b")


def asked_figure_first(blocks: list[dict], question: str) -> list[dict]:
    """The section's blocks, with the one that states the figure the question asks for moved
    first when the opening does not state it ("cspt test length?" -> the block with "75
    questions" and the time)."""
    wanted = asked_figure(question)
    if wanted is None or not blocks or wanted.search(blocks[0]["text"][:FIGURE_WITHIN]):
        return blocks
    q_terms = question_terms(question)
    best, best_overlap = None, -1
    for i, block in enumerate(blocks[1:], start=1):
        if block["text"].rstrip().endswith(":") or not wanted.search(block["text"]):
            continue
        overlap = len(q_terms & sentence_terms(block["text"]))
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    if best is None or best_overlap < 1:
        return blocks
    return [blocks[best], *blocks[:best], *blocks[best + 1:]]


def named_credential_first(blocks: list[dict], question: str) -> list[dict]:
    """The section's blocks, with the first one that names a credential the question names
    and the opening does not moved first ("if my cpht lapses do i lose my cspt too" -> the
    line about the CSPT)."""
    if not blocks:
        return blocks
    missing = credentials_named(question) - credentials_named(blocks[0]["text"][:FIGURE_WITHIN])
    if not missing:
        return blocks
    for i, block in enumerate(blocks[1:], start=1):
        if not block["text"].rstrip().endswith(":") and credentials_named(block["text"]) & missing:
            return [block, *blocks[:i], *blocks[i + 1:]]
    return blocks


def state_facts_first(blocks: list[dict], question: str) -> list[dict]:
    """A state card's lines about what the question asks (its age, its certification rule, its
    training...) before the card's opening sentence, in the card's order."""
    asked = state_rules.asked_facts(question)
    if not asked:
        return blocks
    first = [b for b in blocks if state_rules.fact_of_line(b["text"]) in asked]
    if not first:  # the card's line saying the asked fact is not confirmed ("ky tech ratio?")
        first = [b for b in blocks if state_rules.unconfirmed_facts(b["text"]) & asked]
    return [*first, *(b for b in blocks if b not in first)] if first else blocks


def carrying_sentence_first(blocks: list[dict], question: str, heading: str,
                            idf: dict[str, float],
                            closeness: Callable[[str], float] | None = None) -> list[dict]:
    """The section's blocks, with the sentence that best carries what the question asks
    pulled to the front when a reader would not otherwise see it in the first
    ``FIGURE_WITHIN`` characters ("missed my ptce, my kid was in the er" -> the sentence on
    PTCB's emergency withdrawal, not the rescheduling rule the section opens with).

    A sentence is scored by the question's terms it contains that the heading does not
    (those the section already answers by its subject), weighted by rarity, plus
    ``CARRY_FIGURE`` when it states the kind of figure asked for, plus its closeness to the
    question in meaning (``closeness``: the cosine of their embeddings); the question's shorthand is
    spelled out first, as for the search ("hrs" meets "hours"). When a figure is asked for
    and no sentence in view states one, the best sentence that does leads if it shares a term
    with the question (as ``asked_figure_first`` does for blocks); when one in view does, a
    later one leads only as a sentence without a figure would, and by the margin over it
    ("how long do i get for the license" past "1 year of pharmacy work"); otherwise a sentence leads
    only when it holds ``CARRY_TERMS`` of those terms (or rare ones weighing ``CARRY_RARE``) and
    out-scores every sentence already in view by ``CARRY_MARGIN``. The sentences before it
    keep their order after it, each piece still the section's own text and citations."""
    if not blocks:
        return blocks
    wanted = asked_figure(question)
    q_terms = question_terms(question)
    extra = q_terms - sentence_terms(heading)
    if wanted is None and not extra:
        return blocks

    window = [(i, k, block["text"], sentence) for i, block in enumerate(blocks[:CARRY_BLOCKS])
              for k, sentence in enumerate(text_sentences(block["text"]))]
    seen, best, where = 0.0, 0.0, None
    figure_seen = None
    # sentences out of view that may lead: (block, sentence in it) -> (start, value)
    leads: dict[tuple[int, int], tuple[int, float]] = {}
    starts: dict[tuple[int, int], int] = {}  # where each sentence starts in its block
    offsets = [0]
    for block in blocks[:CARRY_BLOCKS]:
        offsets.append(offsets[-1] + len(block["text"]) + 1)
    for i, k, text, sentence in window:
        start = starts[(i, k)] = text.find(sentence)
        end = offsets[i] + start + len(sentence)
        s_terms = sentence_terms(sentence)
        states_figure = wanted is not None and wanted.search(sentence) is not None
        gate = sum(idf.get(t, 1.0) for t in extra & s_terms)
        close = CARRY_CLOSE * max(0.0, closeness(sentence) - CARRY_CLOSE_FROM) if (
            closeness) else 0.0
        value = gate + (CARRY_FIGURE if states_figure else 0.0) + close
        # what lets a sentence lead at all: the question's rare words, and its closeness in
        # meaning, except for a list item, which leaves its list's introduction behind ("Pathway
        # 1: ..." alone): the question's own words only
        if blocks[i]["kind"] != "item":
            gate += close
        if end <= FIGURE_WITHIN:
            if states_figure:  # a figure of the kind asked for is already in view
                figure_seen = max(figure_seen or 0.0, value)
            seen = max(seen, value)
        elif (start >= 0 and not sentence.rstrip().endswith(":")
              and (states_figure or (wanted is None and (
                  len(extra & s_terms) >= CARRY_TERMS or gate >= CARRY_RARE)))):
            leads[(i, k)] = (start, value)
            if value > best:
                best, where = value, (i, k, start, sentence, s_terms, gate)
    if where is None:
        return blocks
    if figure_seen is not None:  # ... so another leads only when it is plainly about more
        # of the question: by the margin, and with its terms as a sentence with no figure asked
        # for would need them ("how long do you get for the license" in a section that
        # opens with "1 year of pharmacy work")
        shared = len(extra & where[4])
        if best < figure_seen + CARRY_MARGIN or not (
                shared >= CARRY_TERMS or where[5] >= CARRY_RARE):
            return blocks
    elif wanted is not None:  # nothing in view states the figure: the sentence that does leads
        if not q_terms & where[4]:  # if it shares a term with the question
            return blocks
    elif best < seen + CARRY_MARGIN:
        return blocks
    i, k, start, sentence, _, _ = where
    if k > 0 and POINTS_BACK.match(sentence):
        # a sentence that points back ("It describes the format as ...") comes with the one
        # it points to
        at = starts[(i, k - 1)]
        if 0 <= at < start:
            sentence = blocks[i]["text"][at:start + len(sentence)]
            start, k = at, k - 1
    if wanted is None and figure_seen is None:
        # the sentences just before it in its block that could lead as well come with it, in
        # their order ("to reschedule, call PSI at least 24 hours before ...", then the rule for
        # a school's exam): the passage that answers, as written
        while (i, k - 1) in leads:
            at, value = leads[(i, k - 1)]
            if value < seen + CARRY_MARGIN or at >= start:
                break
            sentence = blocks[i]["text"][at:start + len(sentence)]
            start, k = at, k - 1
    block = blocks[i]
    before = block["text"][:start].strip()
    after = block["text"][start + len(sentence):].strip()
    pieces = [{**block, "text": t} for t in (before, after) if t]
    lead = [{**block, "text": sentence}]
    if block["kind"] == "item" and sentence[:1].islower():
        # an item that goes on from its list's introduction ("filling unit-dose cassettes
        # and ...") leads after that introduction's sentence, not alone
        intro = next((b for b in reversed(blocks[:i]) if b["text"].rstrip().endswith(":")), None)
        if intro is not None:
            lead.insert(0, {**intro, "text": text_sentences(intro["text"])[-1]})
    return [*lead, *blocks[:i], *pieces, *blocks[i + 1:]]


def asked_first(passage: Passage, question: str, idf: dict[str, float] | None = None,
                closeness: Callable[[str], float] | None = None) -> list[dict]:
    """The blocks of ``passage`` in the order a reply to ``question`` shows them."""
    blocks = passage.blocks
    card = passage.path.startswith(state_rules.STATE_DOCUMENTS)
    if card:
        blocks = state_facts_first(blocks, question)
    if asked_figure(question) is None:
        blocks = named_credential_first(blocks, question)
    else:
        blocks = asked_figure_first(blocks, question)
    if idf is None or card:  # a card's lines are ordered by what they state (above)
        return blocks
    if DECISION_HEADING.match(passage.heading) and DECIDING_WORDS.search(question):
        return blocks  # "is nuclear a good move": the verdict the decision section opens with
    return carrying_sentence_first(blocks, question, passage.heading, idf, closeness)


def about_other_state(text: str, asked: list[str], records: dict) -> bool:
    """Whether a block names a state and none of those the question asks about."""
    named = set(state_rules.find_states(text, records))
    return bool(named) and not named & set(asked)


def only_states_asked(blocks: list[dict], asked: list[str], records: dict) -> list[dict]:
    """The blocks after the first, without those about another state than the ones asked
    about ("is tech-check-tech allowed in michigan": not Arizona's rule as an example). A
    reply never shows another state's rules."""
    return blocks[:1] + [b for b in blocks[1:]
                         if not about_other_state(b["text"], asked, records)]
