"""Reading one message for safety, clause by clause: the phrase layer.

A message is read on its own, before anything else, and the reading is never outvoted by how
well the rest of the message matches the knowledge base. This module is the high-precision
half: explicit phrasing people use in chats (English and Spanish), read per clause, with
negation ("I'm not suicidal") and who it is about (me, or a coworker, a patient, a friend).
The other half, meaning carried by embeddings, is in :mod:`bot.answers.scope`
(``ScopeReader.read_safety``); the replier embeds the clauses of every message that needs it in
one batch, and the reader combines both readings.

Outcomes, most urgent first:

- ``crisis``: the writer may be thinking of suicide or self-harm: 988 first, nothing else;
- ``someone_else``: another person is: how to help (988 together, 911 if in danger);
- ``emergency`` and ``medical`` (Spanish phrases here; English ones come from embeddings);
- ``distress``: hyperbole, venting or a denial ("this job is killing me lol", "not
  suicidal, just tired"): the answer, then one line naming 988;
- ``none``.

Everything here is pure: text in, a :class:`PhraseReading` out. The text it reads (folding,
clauses, which clauses are Spanish) is made in :mod:`bot.answers.safety_text`; who a phrase is
about is read in :mod:`bot.answers.safety_who`.
"""

# ruff: noqa: SIM905
# (the word lists read as text)
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from bot.answers import safety_phrases as phrases
from bot.answers import safety_phrases_es as phrases_es
from bot.answers.safety_text import SPANISH_WORDS, clauses, fold, spanish_clause, spell_es
from bot.answers.safety_who import (
    ADVERBS,
    DROPPED_I,
    GOES_ON,
    POINTS_BACK,
    _quoted_es,
    _reported,
    _reported_quotes_en,
    _reported_quotes_es,
    _who_es,
    who,
    who_points_back,
)

CRISIS = "crisis"
SOMEONE_ELSE = "someone_else"
EMERGENCY = "emergency"
MEDICAL = "medical"
DISTRESS = "distress"
NONE = "none"
DENIAL = "denial"  # a phrase that denies danger: read as a negated crisis
RETRACTION = "retraction"  # "i didnt mean it", "jk": takes back what the clause before said
REASSURANCE = "reassurance"  # "im safe", "im fine": the gentle line, and it denies nothing
RISK = "risk"  # the wider Spanish layer: a crisis unless the clause is a figure of speech
RISK_WEAK = "risk_weak"  # ... and unless a medication or emergency phrase explains it
#: Outcomes that replace the answer, most urgent first.
REDIRECTS = (CRISIS, SOMEONE_ELSE, EMERGENCY, MEDICAL)

# --- phrases (bot/answers/safety_phrases.py) -------------------------------------------------

# Talking about the work, not about oneself: "suicide prevention training for CE", "how do I
# help a patient who is suicidal". Such a message is not read as a crisis from its embedding
# alone (the phrase layer still reads every clause).
PROFESSIONAL = re.compile(
    r"\b(?:suicide|overdose|opioid|naloxone|narcan|crisis|mental health first aid) (?:prevention"
    r"|awareness|training|course|ce|module|certificate|response|first aid|screening)\b"
    r"|\b(?:counts? (?:as|for|toward) ce|ce credit|ce hours|continuing education)\b"
    # ... or how the work handles it: "is there training for that"
    r"|\bis there (?:any |a )?training\b"
)
# A task of the work whose words the embeddings read as self-harm: tablets are cut or split in
# half ("i cut pills all day at work"). A clause saying it is explained, as a figure of speech
# is: the embeddings read the message's other clauses.
WORK_TASK = re.compile(
    r"\b(?:cut|cuts|cutting|split|splits|splitting|halve|halving) (?:\w+ )?(?:pills?|tablets?"
    r"|tabs|meds|scored tablets?)\b|\bpill (?:cutters?|splitters?)\b"
    r"|\bcut(?:s|ting)? corners\b"  # ... and corners cut ("caught me cutting corners on counts")
)

# Negation: a crisis phrase preceded by one of these, with only filler words between ("I'm
# not suicidal", "would never kill myself", "no thoughts of suicide", "no quiero matarme").
NEGATORS = frozenset("not never no nt wont wouldnt dont didnt isnt arent aint nunca jamas ni "
                     "nope nah zero couldnt havent hasnt nott nvr nevr neva nobody noone "
                     "none".split())
FILLERS = frozenset("""
i im am are is be being been was going gonna to ever really actually thinking think thought
thoughts about of abt want wanna planning plan trying feeling feel that a any at all would will
do have had anything like or and you worry worried in the it just even literally actually
that im quiero voy a es que estoy pensando en me lo haria pienso tengo ganas de para nada
voy yo se ni he
saying say sayin q digo diciendo quiera plans
way id ill once desire intention intentions urge urges gunna gona tryna tryin goin having
here
remotely currently necessarily exactly seriously honestly definitely def totally even super
in way any at all wanting feeling
""".split())
NEGATION_WINDOW = 6


#: A Spanish figure of speech that can explain a crisis phrase it overlaps has a word of dying
#: or killing in it ("me muero de la pena", "este trabajo me mata").
DEATH_FIGURE_ES = re.compile(r"\b(?:mor\w*|muer\w*|mat\w*|suicid\w*|muerte|desaparec\w*)\b")


PAST_EN = re.compile(phrases.PAST_EN)
ASKED_AND_ANSWERED_EN = re.compile(phrases.ASKED_AND_ANSWERED_EN)
#: The English figures of speech that can run across a clause boundary ("curl up and die").
DISTRESS_ACROSS = re.compile("|".join(
    f"(?:{p})" for p in phrases.DISTRESS_EN
    if re.search(r"\b(?:and|but|then|after|since|because|plus|also)\b", p)))


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    """One alternation per layer: a message is scanned once per layer, not once per pattern."""
    return [re.compile("|".join(f"(?:{p})" for p in patterns))]


LAYERS: dict[str, dict[str, list[re.Pattern[str]]]] = {
    "en": {CRISIS: _compile(phrases.SELF_EN), SOMEONE_ELSE: _compile(phrases.OTHER_EN),
           EMERGENCY: _compile(phrases.EMERGENCY_EN),
           DISTRESS: _compile(phrases.DISTRESS_EN), DENIAL: _compile(phrases.DENIAL_EN)},
    "es": {CRISIS: _compile(phrases_es.SELF_ES), SOMEONE_ELSE: _compile(phrases_es.OTHER_ES),
           EMERGENCY: _compile(phrases_es.EMERGENCY_ES), MEDICAL: _compile(phrases_es.MEDICAL_ES),
           DISTRESS: _compile(phrases_es.DISTRESS_ES), RISK: _compile(phrases_es.RISK_ES),
           DENIAL: _compile(phrases_es.DENIAL_ES), RISK_WEAK: _compile(phrases_es.RISK_WEAK_ES)},
}


# English only: taking back what was said, and saying one is safe (see Hit.reach)
LAYERS["en"].update({RETRACTION: _compile(phrases.RETRACTION_EN),
                     REASSURANCE: _compile(phrases.REASSURANCE_EN)})
#: Without one of these words a message has no English denial, retraction or reassurance to
#: find (those layers are skipped: most messages are questions with none).
DENIAL_CUES = re.compile(
    r"\b(?:not|nott|never|nvr|nevr|neva|no|nah|nope|nt|dont|didnt|doesnt|wont|wouldnt|couldnt|aint"
    r"|isnt|wasnt|werent|zero|none|nothing|nobody|jk|jkjk|j|kidding|joking|joke|joked|kid|serious"
    r"|literal\w*|figur\w*|metaphor\w*|hyperbole|safe|fine|ok|okay|alright|good|better|well|988"
    r"|worry|panic|freaks?|counsel+or|therapist|doctor|mean|used|had|struggled|dealt|said|attempted"
    r"|clean)\b")
PLAIN_EN = {k: v for k, v in LAYERS["en"].items() if k not in (DENIAL, RETRACTION, REASSURANCE)}


@dataclass(frozen=True)
class Hit:
    outcome: str  # crisis | someone_else | emergency | medical | distress | risk
    clause: int  # index of the clause it was found in
    phrase: str
    negated: bool = False
    span: tuple[int, int] = (0, 0)  # where in the folded clause
    #: how far a denial reaches: "back" (its clause and the one before: "i said i want to die
    #: but i didnt mean it"; "retract" the same, from the English retraction layer), "here"
    #: (the wording it denies, and what comes before it in its clause: "im not suicidal"
    #: denies nothing said after it, "i just dont want to wake up"; English messages), or
    #: "none" ("im safe": the message gets the gentle line; the embeddings still read it)
    reach: str = "back"
    other: bool = False  # a wide-layer word said of someone else
    lang: str = "en"  # the layer that found it


@dataclass
class PhraseReading:
    """What the phrase layer found in a message."""

    clauses: list[str]
    hits: list[Hit] = field(default_factory=list)
    professional: bool = False  # the message is about the work (see PROFESSIONAL)
    #: clauses inside words quoted from someone else (English): about that person
    quoted: set[int] = field(default_factory=set)
    #: the clauses folded (:func:`fold`), as the phrases were read in them
    folded: list[str] = field(default_factory=list)

    def folded_clauses(self) -> list[str]:
        """Each clause folded (:func:`fold`): those the phrases were read in."""
        if len(self.folded) != len(self.clauses):
            self.folded = [fold(c) for c in self.clauses]
        return self.folded

    def found(self, outcome: str, *, negated: bool = False) -> list[Hit]:
        return [h for h in self.hits if h.outcome == outcome and h.negated == negated]

    @property
    def outcome(self) -> str:
        """The most urgent outcome the phrases alone give."""
        if not self.hits:  # most messages: no phrase, nothing to weigh
            return NONE
        if self.found(CRISIS) or self.risky_clauses():
            return CRISIS
        if self.found(SOMEONE_ELSE) or self.risky_other_clauses():
            return SOMEONE_ELSE
        for outcome in REDIRECTS:
            if self.found(outcome):
                return outcome
        if self.found(DISTRESS) or self.found(CRISIS, negated=True) or self.found(
                SOMEONE_ELSE, negated=True):
            return DISTRESS
        return NONE

    def risky_clauses(self) -> set[int]:
        """Clauses where the wider Spanish layer found death or self-harm words and nothing
        explains them away (a figure of speech, a denial, another person, an emergency, a
        medication question)."""
        risks = (RISK, RISK_WEAK)
        others = [h for h in self.hits if h.outcome not in risks]
        whole_clause = {h.clause for h in others if h.outcome == SOMEONE_ELSE or h.negated}
        health = {h.clause for h in others if h.outcome in (MEDICAL, EMERGENCY)}

        def explained(risk: Hit) -> bool:
            if risk.clause in whole_clause or (risk.outcome == RISK_WEAK and risk.clause in health):
                return True
            return any(h.clause == risk.clause and h.span[0] < risk.span[1]
                       and risk.span[0] < h.span[1] for h in others)

        return {h.clause for h in self.hits
                if h.outcome in risks and not explained(h) and not h.other and not h.negated}

    def risky_other_clauses(self) -> set[int]:
        """The same, where the words are said of someone else."""
        risks = (RISK, RISK_WEAK)
        others = [h for h in self.hits if h.outcome not in risks]
        health = {h.clause for h in others if h.outcome in (MEDICAL, EMERGENCY)}
        return {h.clause for h in self.hits if h.outcome in risks and h.other and not h.negated
                and not (h.outcome == RISK_WEAK and h.clause in health)
                and not any(o.clause == h.clause and o.span[0] < h.span[1]
                            and h.span[0] < o.span[1] for o in others)}

    def grief(self) -> bool:
        """Whether someone's death or injury is told of, in the past ("her dad passed", "cut
        her hand on a vial"), with no word of danger (English; see GRIEF_EN). Read only when
        asked: the embeddings alone read someone else in crisis."""
        whole = fold(" ".join(self.clauses))
        return bool(GRIEF_EN.search(whole)) and not NOT_GRIEF_EN.search(whole)

    def loss(self, flagged: set[int], spanish: bool = False) -> bool:
        """Whether what reads as someone else in crisis is a death by suicide told of in the
        past ("my coworker killed herself last year, how do people cope at work"), with nothing
        saying the writer or anyone living is in danger (see LOSS_EN, LOSS_ES): the clauses
        ``flagged`` are those clauses, or else all of them, and no other phrase is urgent."""
        told, danger = (LOSS_ES, NOT_LOSS_ES) if spanish else (LOSS_EN, NOT_LOSS_EN)
        folded = [c.lower() for c in self.folded_clauses()]
        lost = {i for i, clause in enumerate(folded) if told.search(clause)}
        if not lost or self.found(CRISIS) or self.risky_clauses():
            return False
        if not (flagged <= lost or flagged == set(range(len(folded)))):
            return False
        urgent = {h.clause for h in self.hits if not h.negated and h.outcome in (
            SOMEONE_ELSE, EMERGENCY, MEDICAL, RISK, RISK_WEAK)}
        if not urgent <= lost:
            return False
        rest = " ".join(told.sub(" ", clause) for clause in folded)
        return danger.search(rest) is None

    def negated_clauses(self) -> set[int]:
        """Clauses whose crisis wording is denied ("i'm not suicidal")."""
        return {h.clause for h in self.hits if h.negated and h.reach != "none"}

    def flagged_clauses(self) -> set[int]:
        """Clauses with a crisis or someone-else phrase (not denied)."""
        return {h.clause for h in self.hits if h.outcome in (CRISIS, SOMEONE_ELSE)
                and not h.negated} | self.risky_clauses()


def _negated(folded: str, start: int) -> bool:
    before = folded[:start].split()[-NEGATION_WINDOW:]
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if word in NEGATORS:
            return True
        if word not in FILLERS:
            return False
    return False


# (taken or being taken: "gonna swallow everything in the medicine cabinet" is a threat, not yet
# an emergency)
_PILLS_TAKEN = re.compile(rf"\b(?:taking|took|taken|swallowed|swallowing|downed|downing)\b.*\b"
                          rf"(?:{phrases.PILLS}|(?:whole|entire) (?:month|bottle|supply))")
_WHOLE_SUPPLY_TAKEN = re.compile(r"\b(?:took|taken|swallowed|downed|injected)\b.*\b(?:whole|entire"
                                 r"|all of|all) ")
# "its" that stands for nothing named before ("my roommate is gone this weekend so its a good
# time to finally do it"): the clause is read like any other.
_DUMMY_IT = re.compile(r"(?:its|it s|thats|that s) (?:a |the )?(?:good |right |perfect |best |only )?"
                       r"(?:time|night|day|chance|moment|way|point)\b")
_INTENT = re.compile(r"\b(?:on purpose|to die|end it|kill|suicid\w*|wants? to|goodbye|be done"
                     r"|wake up|sleep forever)\b")
_FIRST_PERSON_PHRASE = re.compile(
    # (and a Spanish verb with "me" on it, "matarme", "cortandome"; not "time" or "home")
    r"\b(?:my ?self|my|me|mi|i|im|i m|ive|id|ill)\b|(?:[aeií]rme|ndome|rme)\b"
    # a Spanish verb in the first person says who, whoever was named before ("mi jefe me
    # grito hoy. ya no quiero vivir")
    r"|\b(?:quiero|kiero|qiero|quisiera|tengo|estoy|soy|voy|puedo|aguanto|pienso|siento|veo"
    r"|encuentro|sigo|ando|necesito|hago|hice|deje|escribi|regale|decidi|pense|intente|yo)\b")


#: What a phrase names as the writer's without saying who acted ("swallowed a bunch of my
#: ambien"): the writer's pills, not the writer as subject.
_MY_THING = re.compile(rf"\bmy (?:\w+ ){{0,2}}?{phrases.PILLS}\b")
_THIRD_WORD = re.compile(r"\b(?:her|his|their|she|he|they|him|them|hers|theirs)\b")
_THIRD_REFLEXIVE = re.compile(r"\b(?:herself|himself|themselves|themself)\b")

JOINS_IN_EN = re.compile(phrases.JOINS_IN_EN)
GRIEF_EN = re.compile(phrases.GRIEF_EN)
NOT_GRIEF_EN = re.compile(phrases.NOT_GRIEF_EN)
LOSS_EN = re.compile(phrases.LOSS_EN)
NOT_LOSS_EN = re.compile(phrases.NOT_LOSS_EN)
LOSS_ES = re.compile(phrases.LOSS_ES)
NOT_LOSS_ES = re.compile(phrases.NOT_LOSS_ES)


_WORD_START = re.compile(r"\b\w")


_GOODBYE = re.compile(phrases.GOODBYE_EN)


def _at_word_starts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose matches all begin a word (every Spanish
    pattern does): tried only where a word begins, which makes the long Spanish layers several
    times cheaper than trying them at every character."""
    end = 0
    for word in _WORD_START.finditer(text):
        if word.start() < end:
            continue
        match = pattern.match(text, word.start())
        if match:
            yield match
            end = max(match.end(), word.start() + 1)


def _scan(folded: str, clause: int, layers: dict[str, list[re.Pattern[str]]],
          lang: str, prefix: str = "", grammar: str | None = None) -> list[Hit]:
    """The hits of ``layers`` (phrases in ``lang``) in one folded clause. ``grammar``: the
    language the clause is written in, whose rules say who the phrase is about (a Spanish
    phrase in an English clause, "i think my coworker is suicidal", is read the English way);
    ``lang`` when not given."""
    grammar = grammar or lang
    hits: list[Hit] = []
    for outcome, patterns in layers.items():
        for pattern in patterns:
            for match in (_at_word_starts(pattern, folded) if lang == "es"
                          else pattern.finditer(folded)):
                span = match.span()
                if outcome in (RETRACTION, REASSURANCE):
                    hits.append(Hit(CRISIS, clause, match.group(0), negated=True, span=span,
                                    reach="retract" if outcome == RETRACTION else "none"))
                    continue
                if outcome == DENIAL:
                    hits.append(Hit(CRISIS, clause, match.group(0), negated=True, span=span,
                                    lang=lang))
                    continue
                negated = outcome in (CRISIS, SOMEONE_ELSE) and _negated(folded, match.start())
                found = outcome
                # the clause's own words decide; the message before it only when the phrase
                # opens its clause ("she wants to sleep and never wake up")
                words_before = folded[:match.start()].split()
                # ... or goes on from a subject named before, in the third person ("my brother
                # says hes a burden and wants to disappear for good"); an English clause that
                # opens with a verb in the first person has dropped its "i" ("my boss yelled at
                # me again. just want to die")
                verb = next((w for w in folded.split() if w not in ADVERBS), "")
                opens = (len(words_before) < 2 or (grammar == "en" and verb in GOES_ON)) and not (
                    grammar == "en" and verb in DROPPED_I)
                # (Spanish reads the whole message before the phrase: :func:`_who_es` weighs
                # what the earlier clauses say)
                context = f"{prefix} {folded}" if prefix and (opens or grammar == "es") else folded
                offset = len(context) - len(folded)
                if grammar == "es":
                    subject = _who_es(context, offset + match.start(), offset + match.end(),
                                      clause_start=offset)
                elif prefix and verb in POINTS_BACK and len(words_before) <= 3 and not (
                        _DUMMY_IT.match(folded)):
                    subject = who_points_back(prefix)  # "... her notes app and its a goodbye"
                else:
                    subject = who(context, offset + match.start(), offset + match.end(), grammar,
                                  clause_start=offset)
                said = _MY_THING.sub(" ", match.group(0))  # "my ambien" names no subject
                other = (outcome in (CRISIS, RISK, RISK_WEAK)
                         and not _FIRST_PERSON_PHRASE.search(said)
                         and subject == "other") or (
                    # "my 15 yr old is cutting herself": the phrase says whose
                    outcome in (CRISIS, RISK, RISK_WEAK) and grammar == "en"
                    and _THIRD_REFLEXIVE.search(said) is not None) or (
                    outcome in (CRISIS, RISK, RISK_WEAK) and grammar == "es"
                    and _quoted_es(context, offset + match.start())) or (
                    outcome == CRISIS and grammar == "en" and _reported(folded, match.start()))
                if outcome == SOMEONE_ELSE and _WHOLE_SUPPLY_TAKEN.search(match.group(0)):
                    found = EMERGENCY  # a whole supply taken (with intent: see read_phrases)
                if other and outcome == CRISIS:
                    # pills taken by someone else, with no word of intent: an emergency
                    found = EMERGENCY if _PILLS_TAKEN.search(match.group(0)) and not (
                        _INTENT.search(folded)) else SOMEONE_ELSE
                hits.append(Hit(found, clause, match.group(0), negated, span,
                                other=other and outcome != CRISIS, lang=lang))
    return hits


def read_phrases(text: str, spanish: bool = False) -> PhraseReading:
    """The phrase layer's reading of one message, clause by clause, in English and Spanish
    (a mixed message may say the urgent part in either). ``spanish``: the message is in
    Spanish, so the wider Spanish layer applies too."""
    parts = clauses(text)
    whole = fold(text)
    reading = PhraseReading(clauses=parts, professional=bool(
        PROFESSIONAL.search(whole) or WORK_TASK.search(whole)))
    layers = [("en", LAYERS["en"] if DENIAL_CUES.search(whole) else PLAIN_EN)]
    # (a message that is one clause folds as that clause: the ends clauses strips are not words)
    folded_parts = [whole if p in (text.strip(), text.strip(" ,.-")) else fold(p) for p in parts]
    reading.folded = list(folded_parts)
    in_spanish = [spanish_clause(f) for f in folded_parts]
    if spanish:
        layers.append(("es", LAYERS["es"]))
    elif any(in_spanish) or SPANISH_WORDS.search(whole):
        # English with some Spanish: its explicit phrases too
        layers.append(("es", {k: v for k, v in LAYERS["es"].items()
                              if k not in (RISK, RISK_WEAK)}))
    # (Spanish spellings are undone in Spanish clauses only: "coworker" is not "coworquer")
    spelled = {"en": folded_parts,
               "es": [spell_es(f) if spanish or in_spanish[i] else f
                      for i, f in enumerate(folded_parts)] if len(layers) > 1 else folded_parts}
    # a Spanish clause in a message read as English ("failed the ptce again y la neta ya no
    # le veo caso"): the wider Spanish layer reads that clause too
    wide = {RISK: LAYERS["es"][RISK], RISK_WEAK: LAYERS["es"][RISK_WEAK]}
    for i in range(len(folded_parts)):
        for lang, layer in layers:
            own = spelled[lang]
            reading.hits.extend(_scan(own[i], i, layer, lang, " ".join(own[:i]),
                                      "es" if lang == "es" and (spanish or in_spanish[i]) else "en"))
        if not spanish and in_spanish[i]:
            own = spelled["es"]
            reading.hits.extend(_scan(own[i], i, wide, "es", " ".join(own[:i])))
    # a whole supply taken by someone, with a word of intent anywhere in the message ("took
    # her whole month of metoprolol so she can be done"): their crisis, not only an emergency
    if _INTENT.search(whole):
        reading.hits = [replace(h, outcome=SOMEONE_ELSE) if h.outcome == EMERGENCY
                        and _WHOLE_SUPPLY_TAKEN.search(h.phrase) and h.lang == "en" else h
                        for h in reading.hits]
    # words quoted from someone else ('mi amigo me escribio "ya no puedo mas, adios"'): the
    # Spanish phrases in them are about that person
    quoted = _reported_quotes_es(text)
    if quoted:
        inside = {i for i, folded in enumerate(folded_parts)
                  if folded and any(folded in q for q in quoted)}
        reading.hits = [
            h if h.lang != "es" or h.clause not in inside or h.negated
            else replace(h, outcome=SOMEONE_ELSE) if h.outcome == CRISIS
            else replace(h, other=True) if h.outcome in (RISK, RISK_WEAK) else h
            for h in reading.hits]
    if not spanish and ('"' in text or "“" in text or "'" in text or "‘" in text):
        # English words quoted from someone else, over one clause or several: about them
        quoted_en = _reported_quotes_en(text)
        inside = {i for i, folded in enumerate(folded_parts)
                  if folded and any(folded in q for q in quoted_en)}
        # ... and a phrase inside a quote that is part of its clause ("coworker said 'if they
        # cut my hours again im gonna hang myself'")
        inside |= {h.clause for h in reading.hits if h.lang == "en" and h.outcome == CRISIS
                   and not h.negated and any(h.phrase in q for q in quoted_en)}
        reading.quoted = inside
        reading.hits = [replace(h, outcome=SOMEONE_ELSE)
                        if h.lang == "en" and h.clause in inside and h.outcome == CRISIS
                        and not h.negated else h for h in reading.hits]
    if not spanish:
        # a crisis word inside a longer phrase about someone else is theirs ("i found a note in
        # her locker that sounded like a suicide note")
        # (a phrase that names them: "took ... on purpose" says no one)
        others = [h for h in reading.hits if h.outcome == SOMEONE_ELSE and not h.negated
                  and _THIRD_WORD.search(h.phrase)]
        reading.hits = [replace(h, outcome=SOMEONE_ELSE) if h.outcome == CRISIS and not h.negated
                        and any(o.clause == h.clause and o.span[0] <= h.span[0]
                                and h.span[1] <= o.span[1] and o.span != h.span for o in others)
                        else h for h in reading.hits]
        # an English message: a denial reaches what it names (see Hit.reach)
        reading.hits = [replace(h, reach="here") if h.reach == "back" else h
                        for h in reading.hits]
    # a denial ("i didnt mean it", "i would never hurt myself") covers its clause and the one
    # before it ("i said i want to die but i didnt mean it")
    # (an English denial of intent reaches only the wording it denies and what comes before it
    # in its clause: "im not suicidal i just dont want to wake up" still says it); the past said
    # as past covers the clauses it spans
    spans = _clause_spans(whole, folded_parts)
    for past in (PAST_EN.search(whole), ASKED_AND_ANSWERED_EN.search(whole)) if (
            layers[0][1] is LAYERS["en"]) else ():
        if past:
            reading.hits += [Hit(CRISIS, i, past.group(0), negated=True)
                             for i, (folded, (start, end)) in enumerate(zip(
                                 folded_parts, spans, strict=True))
                             if folded and start < past.end() and past.start() < end]
    denials = {h.clause for h in reading.hits
               if h.outcome == CRISIS and h.negated and h.reach != "none"}
    back = {h.clause for h in reading.hits
            if h.outcome == CRISIS and h.negated and h.reach in ("back", "retract")}
    covered = back | {c - 1 for c in back}
    if not spanish:  # ... back to the writer's own words ("i said i wanted to die after that
        # shift but i didnt mean it"; not "she said she wants to die, then that she was joking")
        said = {h.clause for h in reading.hits if h.outcome == CRISIS and not h.negated}
        mine = {h.clause for h in reading.hits if h.outcome == CRISIS and h.negated
                and h.reach in ("back", "retract") and h.clause >= 0
                and who(folded_parts[h.clause], h.span[0]) == "me"}
        covered |= {max(earlier) for c in mine
                    if (earlier := [s for s in said if c - 3 <= s < c])}
    here = [h for h in reading.hits if h.outcome == CRISIS and h.negated and h.reach == "here"]

    def denied(hit: Hit) -> bool:
        return hit.clause in covered or any(
            d.clause == hit.clause and hit.span[0] < d.span[1] for d in here)

    reading.hits = [replace(h, negated=True)
                    if h.outcome in (CRISIS, SOMEONE_ELSE, RISK, RISK_WEAK) and denied(h) else h
                    for h in reading.hits]
    # phrases that span a clause boundary ("sleep and never wake up"), read on the whole text
    seen = {(h.outcome, h.negated) for h in reading.hits}
    if denials:
        seen |= {(CRISIS, True), (SOMEONE_ELSE, True)}
    for lang, layer in layers if len(parts) > 1 else []:
        urgent = {k: v for k, v in layer.items() if k in (CRISIS, SOMEONE_ELSE)}
        spanish_grammar = lang == "es" and (spanish or any(in_spanish))
        for hit in _scan(spell_es(whole) if spanish_grammar else whole, -1, urgent, lang,
                         grammar="es" if spanish_grammar else "en"):
            inside_one = any(hit.phrase in folded for folded in spelled[lang])
            if not inside_one and (hit.outcome, False) not in seen and (
                    hit.outcome, True) not in seen:
                reading.hits.append(hit)
    # ... and English figures of speech that do ("could curl up and die"), on each clause
    # they run through
    if len(parts) > 1:
        for match in DISTRESS_ACROSS.finditer(whole):
            if any(match.group(0) in folded for folded in folded_parts):
                continue
            for i, (start, end) in enumerate(spans):
                if start < match.end() and match.start() < end:
                    reading.hits.append(Hit(DISTRESS, i, match.group(0), span=(
                        max(0, match.start() - start), min(end, match.end()) - start)))
    # a figure of speech that covers a crisis phrase explains it ("gonna die if i have to count
    # one more z-pak", "me quiero morir de la pena")
    # (a Spanish figure only when it is one about dying or killing: "ya no puedo" inside "ya
    # no puedo seguir viviendo" explains nothing)
    figures = [h for h in reading.hits if h.outcome == DISTRESS and (
        h.lang != "es" or DEATH_FIGURE_ES.search(h.phrase))]
    reading.hits = [
        replace(h, outcome=DISTRESS)
        if h.outcome in (CRISIS, SOMEONE_ELSE) and not _GOODBYE.search(h.phrase) and any(
            f.clause == h.clause and f.span[0] < h.span[1] and h.span[0] < f.span[1]
            # ... not one that goes on past the figure to say more ("i want out" is a figure,
            # "i want out of life" is not)
            and not (h.lang == "en" and h.span[1] > f.span[1] + 2 and h.span[0] >= f.span[0])
            for f in figures) else h
        for h in reading.hits]
    if not spanish:
        # the writer joining in after someone else's crisis ("she said she wants to die and
        # honestly me too"): a crisis for the writer
        others = [h for h in reading.hits if h.outcome == SOMEONE_ELSE and not h.negated]
        if others:
            first = min(max(h.clause, 0) for h in others)
            for i in range(first, len(folded_parts)):
                joins = JOINS_IN_EN.search(folded_parts[i])
                if joins and not (i == first and all(
                        h.clause == i and joins.start() < h.span[0] for h in others)):
                    reading.hits.append(Hit(CRISIS, i, joins.group(0), span=joins.span()))
    return reading


def _clause_spans(whole: str, folded_parts: list[str]) -> list[tuple[int, int]]:
    """Where each folded clause stands in the folded message, in order ((-1, -1) if it cannot
    be found): what runs across clauses (the past said as past, a figure of speech) covers
    each clause whose span it shares text with."""
    spans, pos = [], 0
    for folded in folded_parts:
        start = whole.find(folded, pos)
        spans.append((start, start + len(folded)) if start >= 0 else (-1, -1))
        pos = max(pos, spans[-1][1])
    return spans
