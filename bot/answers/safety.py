"""Reading one message for safety, clause by clause: the phrase layer.

A message is read on its own, before anything else, and the reading is never outvoted by how
well the rest of the message matches the knowledge base. This module is the high-precision
half: explicit phrasing people use in chats (English and Spanish), read per clause, with
negation ("I'm not suicidal") and who it is about (me, or a coworker, a patient, a friend).
The other half, meaning carried by embeddings, is in :mod:`bot.answers.compose`, which embeds the
clauses of a message in one batch and combines both readings (:func:`combine`).

Outcomes, most urgent first:

- ``crisis``: the writer may be thinking of suicide or self-harm: 988 first, nothing else;
- ``someone_else``: another person is: how to help (988 together, 911 if in danger);
- ``emergency`` and ``medical`` (Spanish phrases here; English ones come from embeddings);
- ``distress``: hyperbole, venting or a denial ("this job is killing me lol", "not
  suicidal, just tired"): the answer, then one line naming 988;
- ``none``.

Everything here is pure: text in, a :class:`PhraseReading` out.
"""

# ruff: noqa: SIM905
# (the word lists read as text)
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from bot.answers import safety_phrases as phrases
from bot.answers import safety_phrases_es as phrases_es
from bot.answers.language import fold as without_accents

CRISIS = "crisis"
SOMEONE_ELSE = "someone_else"
EMERGENCY = "emergency"
MEDICAL = "medical"
DISTRESS = "distress"
NONE = "none"
DENIAL = "denial"
RETRACTION = "retraction"  # "i didnt mean it", "jk": takes back what the clause before said
REASSURANCE = "reassurance"  # "im safe", "im fine": the gentle line, and it denies nothing
RISK = "risk"  # the wider Spanish layer: a crisis unless the clause is a figure of speech
RISK_WEAK = "risk_weak"  # ... and unless a medication or emergency phrase explains it  # a phrase that denies danger: read as a negated crisis
#: Outcomes that replace the answer, most urgent first.
REDIRECTS = (CRISIS, SOMEONE_ELSE, EMERGENCY, MEDICAL)

# --- text ------------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "", "'": "", "`": "", "´": ""})
_REPEATS = re.compile(r"([a-z])\1{2,}")
_NON_WORD = re.compile(r"[^a-z0-9ñ]+")


def fold(text: str) -> str:
    """Lowercase words without accents, apostrophes or punctuation, repeated letters cut to
    two ("I'm soooo DONE!!" -> "im soo done"), single spaces."""
    text = _REPEATS.sub(r"\1\1", without_accents(text.translate(_APOSTROPHES)))
    return " ".join(_NON_WORD.sub(" ", text).split())


# Clause boundaries: sentence ends, commas, dashes, line breaks, and the conjunctions that join
# two thoughts ("and", "but", "so i", "because"; Spanish "y", "pero", "porque"...). "so" only
# before a subject, so that "so done" and "so tired" stay whole.
CLAUSE_SPLIT = re.compile(
    r"[.!?;:\n…]+|,|\s[-–—~]+\s|[-–—]{2,}|\s\((?=\s*\w)|\)\s"
    r"|\s(?:and|but|because|cuz|bc|cause|coz|then|plus|also|though|although|after|since"
    r"|and then|ever since|pero|porque|aunque|entonces|desde que|ya que|pq|xq|y)\s"
    r"|\sso(?=\s(?:i|im|ive|id|my|now|what|he|she|they|we|it|its|yeah|yea|idk|anyway|yo|ya)\b)",
    re.IGNORECASE,
)
MIN_CLAUSE_CHARS = 3


def clauses(text: str) -> list[str]:
    """The message's clauses, as written (for embedding); at least the message itself."""
    parts = [p.strip(" ,.-") for p in CLAUSE_SPLIT.split(text) if p]
    parts = [p for p in parts if len(p) >= MIN_CLAUSE_CHARS and any(c.isalpha() for c in p)]
    return parts or [text.strip()]


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
REPORTING_WINDOW = 8  # words between a reporting verb and the phrase it reports

# Who the clause is about: the nearest subject before the phrase.
FIRST_PERSON = {
    "en": frozenset("i im ive id ill me myself mine".split()),
    # Spanish drops the subject: the verb's first-person form says who ("no veo sentido")
    "es": frozenset("""yo me estoy soy quiero kiero qiero tengo he estado voy veo encuentro aguanto
    puedo siento pienso creo ando sigo llevo necesito odio vivo hago digo hice tome deje escribi
    regale compre decidi pense quise perdi reprobe intente junte guarde estuve fui""".split()),
}
#: Spanish verbs in the third person: with a person named before them ("mi hermana dice q no
#: le ve sentido a nada y q quiere desaparecer"), the clause is about that person.
#: (Only forms that cannot be the first person or another word: not "queria", "esta", "regalo".)
THIRD_VERBS_ES = frozenset("""quiere kiere piensa dice dijo anda tiene necesita encuentra aguanta
siente hizo escribio decidio penso perdio reprobo vive habla amenaza amenazo quiso intento
trato""".split())
#: Verbs that report someone's words, read by :func:`who`, :func:`_reported` and the Spanish
#: quote rules.
REPORTING = frozenset("said says told texted wrote whispered posted posting messaged saying yelled "
                      "screamed shouted tweeted commented dmed snapped mentioned admitted cried "
                      "keeps texts writes posts goes tells telling texting confessed "
                      "confided admits whispers yells emailed dmd typed replied joked asked asks "
                      "dijo dice escribio conto comento confeso menciono mando publico subio "
                      "escribe cuenta platico aviso dijeron".split())
#: "me" counts as the subject only right before the phrase ("makes me want to die"), not as
#: an object further back ("texted me a goodbye message").
OBJECT_PRONOUNS = frozenset({"me", "him", "her", "them", "his", "their", "le", "les", "lo", "la"})
_THIRD = frozenset("""
he she they hes shes theyre theyve hed shed him her them his their
coworker coworkers cowoker co worker colleague friend friends bestie bff bf gf boyfriend
girlfriend husband hubby wife partner mom mother mum dad father brother bro sister sis son
daughter kid kids child teen teenager patient patients pt customer customer client roommate
cousin pharmacist manager boss someone somebody person guy girl lady man woman student
classmate classmates roomate roomie bestfriend aunt uncle grandma grandpa neighbor neighbour tech coworkers niece nephew fiance
buddy ex stepdad stepmom stepfather stepmother stepsister stepbrother mentor trainee cashier
cashiers instructor teacher nurse roommates fiancee grandmother grandfather rph pic stepson
stepdaughter granddaughter grandson twin sibling siblings preceptor coworkr hire
el ella ellos ellas companero companera compañero compañera amigo amiga esposo esposa novio
novia mama papa hermano hermana hijo hija paciente cliente clienta primo prima jefe jefa tia tio
abuela abuelo abuelita abuelito mami papi hermanita hermanito vecino vecina alguien techs pharmacists managers patients customers friends señor señora senor senora muchacho muchacha chava chavo
farmaceutico farmaceutica compa sobrina sobrino parce pana cuate carnal morra
chamo mija mijo repartidor gerente supervisor supervisora dad grandpa grandma husband wife
""".split())
_THIRD_ES = frozenset("""
nino nina niño niña bebe chamaco chamaca nene nena morro pareja ex suegra suegro cunado cunada
nieto nieta padrastro madrastra tecnica tecnico doctor doctora enfermera enfermero maestra
maestro profe compas companeros companeras
""".split())
_PRONOUNS = frozenset("he she they hes shes theyre theyve hed shed him her them his their".split())
# ... and an English noun with its apostrophe folded away ("my sister's been posting" -> "my
# sisters been posting")
_POSSESSIVE = frozenset(w + "s" for w in _THIRD - _PRONOUNS if w.isascii() and not w.endswith("s"))
THIRD_PERSON = {"en": (_THIRD | _POSSESSIVE) - {"el"},
                "es": (_THIRD | _THIRD_ES) - {"he", "me", "el"}}


#: A Spanish figure of speech that can explain a crisis phrase it overlaps has a word of dying
#: or killing in it ("me muero de la pena", "este trabajo me mata").
DEATH_FIGURE_ES = re.compile(r"\b(?:mor\w*|muer\w*|mat\w*|suicid\w*|muerte|desaparec\w*)\b")

#: In a message read as English, the Spanish layers run where a clause is Spanish (see
#: :func:`spanish_clause`) or one of these words is in it: Spanish words that English chat
#: rarely uses, and the stems of the Spanish crisis and emergency phrases ("sigo lastimandome a
#: escondidas", which the language model takes for English).
SPANISH_WORDS = re.compile(
    r"\b(?:me|mi|mis|se|no|ya|quiero|kiero|quiere|que|q|de|la|el|lo|los|las|su|sus|y|pa|para"
    r"|estoy|estar|soy|tengo|mato|morir\w*|muert\w*|matar\w*|suicid\w*|vida|vivir|pastillas"
    r"|sobre ?dosis|ojala|nadie|todos|carta|cortar\w*|tomar\w*|tome|tomo|hijo|hija|nino|bebe"
    r"|respira|desmay\w*|dosis|puedo|cuanto\w*|estaria\w*|seguro|regal\w*|ahorcar\w*|tirar\w*"
    r"|sigo|lastim\w*|herir\w*|colg\w*|ahorc\w*|envenen\w*|tiro|balazo|despedi\w*|adios"
    r"|cartas?|mejor|viv[oa]|ganas|venas|puente|vias|soga|cuerda|veneno|k|xq|pq|ni|una|en|es"
    r"|esta|voy|ando|hoy|noche|manana|si|con|mas|pero|porque|cuando|aqui|aventar\w*"
    r"|quisiera|queria|desaparecer|sangr\w*|hinch\w*|convuls\w*|inconsciente|pecho)\b")


#: Spanish words that English chat almost never uses: two of them make a clause Spanish.
SPANISH_CLAUSE_WORDS = frozenset("""que q de la el los las mi mis ya estoy quiero kiero tengo pero
por para pa con una es esta muy mas se lo le del al como porque xq pq nada todo todos vida siento
ando neta puedo voy soy estar eso esto nadie nunca aqui hoy""".split())


#: Words that are Spanish whatever else the clause says: one is enough in a short clause
#: ("mejor morir", "me ahorco hoy"). Not "pa", "mi", "de", "la": English uses them too.
SPANISH_STRONG_WORDS = frozenset("""que ya estoy quiero kiero tengo pero para una esta muy mas nada
todos vida siento ando neta puedo voy soy estar eso esto nadie nunca aqui hoy vale pena mejor
morir vivir muerte matar ganas mato muero porque xq pq como cuando donde ahorco corto""".split())


def spanish_clause(folded: str) -> bool:
    """Whether a folded clause is written in Spanish: two distinct Spanish words, or one
    unmistakable one in a clause of five words or fewer."""
    words = folded.split()
    return len(set(words) & SPANISH_CLAUSE_WORDS) >= 2 or (
        len(words) <= 5 and bool(set(words) & SPANISH_STRONG_WORDS))


#: Common Spanish misspellings, undone before the Spanish layers read a clause: "kiero" and
#: "qiero" (quiero), "kitarme" (quitarme), "bida" and "bivir" (vida, vivir), "aserme"
#: (hacerme), "aorcarme" (ahorcarme), "matarce" (matarse), "aveces" (a veces).
_SPELLING_ES = [
    (re.compile(r"k(?=[ie])"), "qu"),
    (re.compile(r"\bqi(?=[eas])"), "qui"),
    (re.compile(r"\b[bv]i[bv](?=ir\b|iendo\b|o\b|a\b)"), "viv"),
    (re.compile(r"\bbida(?=s?\b)"), "vida"),
    (re.compile(r"\b(?:aser|acer|haser)(?=(?:me|se|lo|la)?\b)"), "hacer"),
    (re.compile(r"\baorc(?=ar)"), "ahorc"),
    (re.compile(r"(?<=[a-z]ar)ce\b"), "se"),
    (re.compile(r"\baveces\b"), "a veces"),
    (re.compile(r"\bdesapares(?=er\b)"), "desaparec"),
    (re.compile(r"\bmorirce\b"), "morirse"),
    (re.compile("ñ"), "n"),  # the phrases are written without it ("munecas", "dano")
    # keys missed and letters swapped in the words that matter ("quero", "vivr", "morrir")
    (re.compile(r"\b(?:quero|quieo|qero|quiero|quiro|quieor)\b"), "quiero"),
    (re.compile(r"\bvivr\b"), "vivir"),
    (re.compile(r"\bmor+i+r+"), "morir"),
    # h and y dropped or added ("me ago dano", "no ay salida", "asta")
    (re.compile(r"\bago\b"), "hago"),
    (re.compile(r"\bay\b"), "hay"),
    (re.compile(r"\basta\b"), "hasta"),
    # Caribbean -ao for -ado ("toy cansao de vivir")
    (re.compile(r"\b(cans|agot|quem|desesper|acab|jod)ao\b"), r"\1ado"),
    (re.compile(r"\btoy\b"), "estoy"),
    # letters drawn out ("quierooo morirrr", folded to "quieroo morirr"): no Spanish word ends
    # in a doubled letter but "cree" and "lee", and "aa", "ii", "uu" are not Spanish at all
    (re.compile(r"(?<!\bcr)(?<!\bl)([a-z])\1\b"), r"\1"),
    (re.compile(r"([aiu])\1"), r"\1"),
]


def spell_es(folded: str) -> str:
    """Folded Spanish with its common misspellings undone (see _SPELLING_ES)."""
    for pattern, fixed in _SPELLING_ES:
        folded = pattern.sub(fixed, folded)
    return folded


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
    r"|worry|panic|freaks?|counsel+or|therapist|doctor|mean|used|had|struggled|dealt|said|attempted)\b")
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

    def found(self, outcome: str, *, negated: bool = False) -> list[Hit]:
        return [h for h in self.hits if h.outcome == outcome and h.negated == negated]

    @property
    def outcome(self) -> str:
        """The most urgent outcome the phrases alone give."""
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


def who(folded: str, start: int, end: int | None = None, lang: str = "en",
        clause_start: int = 0) -> str:
    """Whether the clause is about the writer ("me") or about someone else ("other"): the
    nearest subject before ``start``, else a person named after the phrase ("a goodbye letter
    from my husband"); "me" when nothing says."""
    if lang == "es":
        return _who_es(folded, start, end)
    before = folded[:start].split()
    first, third = FIRST_PERSON[lang], THIRD_PERSON[lang]
    # reported speech: "my coworker said 'i wont be here next week'" is about the coworker
    # (only a reporting verb close before the phrase: "my boss says im the reason. i want to
    # die" is the writer's own wish)
    reporting = [i for i, w in enumerate(before) if w in REPORTING
                 and len(before) - i <= REPORTING_WINDOW]
    # ... but a report that says its words in its own clause ends there: "my friend said hi, i
    # want to die" is the writer's own wish (``clause_start``: where the phrase's clause begins)
    own = len(folded[:clause_start].split())
    if reporting and reporting[-1] < own and any(
            w not in _REPORT_GLUE for w in before[reporting[-1] + 1:own]):
        reporting = []
    if reporting and who(" ".join(before[:reporting[-1]]), len(" ".join(
            before[:reporting[-1]])), lang=lang) == "other" and any(
            w in third for w in before[:reporting[-1]]):
        return "other"
    for distance, word in enumerate(reversed(before)):
        if word in OBJECT_PRONOUNS and distance > 0:
            continue
        if word in first:
            return "me"
        if word in third:
            return "other"
    after = folded[end:].split()[:5] if end is not None else []
    if after and after[0] in ("from", "by", "de", "del") and any(w in third for w in after[1:]):
        return "other"
    return "me"


def _who_es(folded: str, start: int, end: int | None = None, clause_start: int = 0) -> str:
    """:func:`who` in Spanish, where the subject is often left out and the verb says who.
    ``clause_start``: where the phrase's clause begins in ``folded`` (the words before it are
    the message's earlier clauses). Someone else only when something links the phrase to
    them: a person in its own clause ("mi hermana no le ve sentido"), a third-person verb
    ("mi hermana... dice q quiere desaparecer"), or their words reported ("mi compa me dijo q
    ya no quiere vivir"); a person named in an earlier clause alone is not enough ("mi jefe me
    corrio y ya no le veo sentido a nada" is the writer's own). Errs towards the writer."""
    before = folded[:start].split()
    own = len(folded[:clause_start].split())  # words of the earlier clauses
    first, third = FIRST_PERSON["es"], THIRD_PERSON["es"]
    for i in range(len(before) - 1, max(-1, len(before) - 1 - REPORTING_WINDOW), -1):
        if before[i] in REPORTING:
            between = before[i + 1:]
            if any(w in third for w in before[:i]) and not any(
                    w in first and w not in OBJECT_PRONOUNS for w in between):
                return "other"
            break
    for distance, word in enumerate(reversed(before)):
        index = len(before) - distance - 1
        if word in OBJECT_PRONOUNS and distance > 0:
            continue
        if word in first:
            return "me"
        if word in third:
            return "other" if index >= own else "me"
        if word in THIRD_VERBS_ES and any(w in third for w in before[:index]):
            return "other"
    after = folded[end:].split()[:5] if end is not None else []
    if after and after[0] in ("de", "del") and any(w in third for w in after[1:]):
        return "other"
    return "me"


# (taken or being taken: "gonna swallow everything in the medicine cabinet" is a threat, not yet
# an emergency)
_PILLS_TAKEN = re.compile(rf"\b(?:taking|took|taken|swallowed|swallowing|downed|downing)\b.*\b"
                          rf"{phrases.PILLS}")
_INTENT = re.compile(r"\b(?:on purpose|to die|end it|kill|suicid\w*|wants? to|goodbye)\b")
_FIRST_PERSON_PHRASE = re.compile(
    # (and a Spanish verb with "me" on it, "matarme", "cortandome"; not "time" or "home")
    r"\b(?:my ?self|my|me|mi|i|im|i m|ive|id|ill)\b|(?:[aeií]rme|ndome|rme)\b"
    # a Spanish verb in the first person says who, whoever was named before ("mi jefe me
    # grito hoy. ya no quiero vivir")
    r"|\b(?:quiero|kiero|qiero|quisiera|tengo|estoy|soy|voy|puedo|aguanto|pienso|siento|veo"
    r"|encuentro|sigo|ando|necesito|hago|hice|deje|escribi|regale|decidi|pense|intente|yo)\b")


#: Words that may stand between a reporting verb and the words it quotes ("me dijo q ya").
QUOTE_GAP_ES = frozenset("q que k me le nos les ya asi bien como como que textual neta".split())


def _quoted_es(folded: str, start: int) -> bool:
    """Whether the words at ``start`` are quoted from someone named before a reporting verb,
    with nothing of the writer's own between ('mi compa me dijo "ya no quiero vivir"')."""
    before = folded[:start].split()
    for i in range(len(before) - 1, max(-1, len(before) - 5), -1):
        word = before[i]
        if word in REPORTING:
            return any(w in THIRD_PERSON["es"] for w in before[:i])
        if word not in QUOTE_GAP_ES:
            return False
    return False


_QUOTE = re.compile(r"[\"“”«»]([^\"“”«»]{3,})[\"“”«»]")


def _reported_quotes_es(text: str) -> list[str]:
    """The folded words quoted after a reporting verb whose subject is someone else ('mi
    compa me dijo "ya no quiero vivir"')."""
    quotes = []
    for match in _QUOTE.finditer(text):
        before = fold(text[:match.start()]).split()
        gap = len(before)
        while gap and before[gap - 1] in QUOTE_GAP_ES:
            gap -= 1
        if gap and before[gap - 1] in REPORTING and any(
                w in THIRD_PERSON["es"] for w in before[:gap - 1]):
            quotes.append(fold(match.group(1)))
    return quotes


#: Words that may stand between an English reporting verb and the words it quotes.
QUOTE_REACH_EN = 4  # words between the reporting verb and the quote
#: English quoted in single quotes ('sorry for everything, love u'): opened after a space, closed
#: before one (an apostrophe inside a word, "won't", closes nothing)
_SINGLE_QUOTE = re.compile(r"(?:^|(?<=\s))['‘](.{3,}?)['’](?=\s|$|[.,!?;:)])")


def _reported_quotes_en(text: str) -> list[str]:
    """The folded words quoted after an English reporting verb whose subject is someone else
    ('my coworker texted me "i cant do this anymore, im gonna end it tonight"'): a quote may
    run over several clauses."""
    quotes = []
    for match in [*_QUOTE.finditer(text), *_SINGLE_QUOTE.finditer(text)]:
        before = fold(text[:match.start()]).split()
        # the reporting verb, with at most a few words of the writer's own after it ("posting
        # sad stuff like '...'"), none of them the writer
        for gap in range(len(before), max(0, len(before) - QUOTE_REACH_EN) - 1, -1):
            if gap and before[gap - 1] in REPORTING:
                subject = " ".join(before[:gap - 1])
                between = before[gap:]
                if subject and who(subject, len(subject)) == "other" and not any(
                        w in FIRST_PERSON["en"] and w not in OBJECT_PRONOUNS for w in between):
                    quotes.append(fold(match.group(1)))
                break
    return quotes


JOINS_IN_EN = re.compile(phrases.JOINS_IN_EN)
GRIEF_EN = re.compile(phrases.GRIEF_EN)
NOT_GRIEF_EN = re.compile(phrases.NOT_GRIEF_EN)


#: English verbs in the third person that open a clause going on from its subject.
GOES_ON = frozenset("wants keeps says is has talks tries needs doesnt hasnt isnt thinks feels "
                    "plans cuts hurts texts posts wishes".split())
#: ... and in the first person, with the "i" left out.
DROPPED_I = frozenset("want wanna wish cant dont keep think thinking feel feeling gonna going need "
                      "hate am been tired done".split())
#: ... and reporting verbs that a writer speaking of themselves would not leave the "i" off
GOES_ON_REPORTING = frozenset("said told asked asks texted wrote posted admitted mentioned "
                              "confessed tells texts writes posts".split())
ADVERBS = frozenset("just still also really now even literally so honestly lowkey ngl tbh "
                    "sometimes ugh".split())
#: Words that may stand between a reporting verb and the words it reports ("texted me that").
_REPORT_GLUE = frozenset("me to that like its it s".split())
REPORTED_GAP = 3  # words of the reported sentence before the phrase ("said im going to ...")


def _reported(folded: str, start: int) -> bool:
    """Whether an English phrase is someone else's words quoted in its clause: a reporting verb
    with a person named before it, a few words before the phrase ("my friend said im going to
    kill myself", "a customer yelled i should just kill myself")."""
    before = folded[:start].split()
    for i in range(len(before) - 1, max(-1, len(before) - REPORTED_GAP - 4), -1):
        if before[i] in REPORTING:
            gap = [w for w in before[i + 1:] if w not in _REPORT_GLUE]
            if len(gap) > REPORTED_GAP:
                return False
            for word in reversed(before[max(0, i - REPORTING_WINDOW):i]):  # its subject
                if word in OBJECT_PRONOUNS:
                    continue
                if word in FIRST_PERSON["en"]:
                    return False
                if word in THIRD_PERSON["en"]:
                    return True
            return False
    return False


def who_in_clause(prefix: str, clause: str, lang: str = "en") -> str:
    """Who a clause is about when no phrase says: its own subject (a person word among its
    first words), else the nearest subject before it in the message; "me" when nothing says."""
    first, third = FIRST_PERSON[lang], THIRD_PERSON[lang]
    # a clause that opens with a verb in the third person, or one that reports, goes on from
    # the subject before it ("a patient told me ... and asked if i thought it would hurt")
    verb = next((w for w in clause.split() if w not in ADVERBS), "")
    if lang == "en" and prefix and (verb in GOES_ON or verb in GOES_ON_REPORTING):
        return who(prefix, len(prefix), lang=lang)
    # ... and one that opens with a verb in the first person has left its "i" out ("my manager
    # wrote me up. want to disappear")
    if lang == "en" and verb in DROPPED_I:
        return "me"
    for word in clause.split()[:4]:
        if word in first and word not in OBJECT_PRONOUNS:
            return "me"
        if word in third:
            return "other"
    return who(prefix, len(prefix), lang=lang) if prefix else "me"


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
                else:
                    subject = who(context, offset + match.start(), offset + match.end(), grammar,
                                  clause_start=offset)
                other = (outcome in (CRISIS, RISK, RISK_WEAK)
                         and not _FIRST_PERSON_PHRASE.search(match.group(0))
                         and subject == "other") or (
                    outcome in (CRISIS, RISK, RISK_WEAK) and grammar == "es"
                    and _quoted_es(context, offset + match.start())) or (
                    outcome == CRISIS and grammar == "en" and _reported(folded, match.start()))
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
    reading = PhraseReading(clauses=parts, professional=bool(PROFESSIONAL.search(whole)))
    layers = [("en", LAYERS["en"] if DENIAL_CUES.search(whole) else PLAIN_EN)]
    folded_parts = [fold(p) for p in parts]
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
        reading.quoted = inside
        reading.hits = [replace(h, outcome=SOMEONE_ELSE)
                        if h.lang == "en" and h.clause in inside and h.outcome == CRISIS
                        and not h.negated else h for h in reading.hits]
    if not spanish:  # an English message: a denial reaches what it names (see Hit.reach)
        reading.hits = [replace(h, reach="here") if h.reach == "back" else h
                        for h in reading.hits]
    # a denial ("i didnt mean it", "i would never hurt myself") covers its clause and the one
    # before it ("i said i want to die but i didnt mean it")
    # (an English denial of intent reaches only the wording it denies and what comes before it
    # in its clause: "im not suicidal i just dont want to wake up" still says it); the past said
    # as past covers the clauses it spans
    for past in (PAST_EN.search(whole), ASKED_AND_ANSWERED_EN.search(whole)) if (
            layers[0][1] is LAYERS["en"]) else ():
        if past:
            reading.hits += [Hit(CRISIS, i, past.group(0), negated=True) for i, folded
                             in enumerate(folded_parts) if folded and folded in past.group(0)]
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
        spans, pos = [], 0
        for folded in folded_parts:
            start = whole.find(folded, pos)
            spans.append((start, start + len(folded)) if start >= 0 else (-1, -1))
            pos = max(pos, spans[-1][1])
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
