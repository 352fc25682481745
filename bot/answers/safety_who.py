"""Who a phrase the phrase layer found (:mod:`bot.answers.safety`) is about: the writer
("me") or someone else ("other"), from the nearest subject before it, a verb's person, a
reporting verb ("my friend said ..."), or words quoted from someone else, in English and
Spanish. Pure: folded text in, "me" or "other" out."""

# ruff: noqa: SIM905
# (the word lists read as text)
from __future__ import annotations

import re

from bot.answers.safety_text import fold

#: A report's words end where another sentence of the writer's own begins: a second "i"
#: after the reporting verb ("my manager told me i was fired today i want to die": the wish is
#: the writer's). Reported words and the writer's own run together without quotes are read as
#: the writer's, the safe reading when a crisis is at stake.
I_SUBJECTS = frozenset("i im ive id ill".split())
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
stepdaughter granddaughter grandson twin sibling siblings preceptor coworkr hire freind frend frnd
dude dudes
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


#: English verbs in the third person that open a clause going on from its subject.
GOES_ON = frozenset("wants keeps says is has talks tries needs doesnt hasnt isnt thinks feels "
                    "plans cuts hurts texts posts wishes".split())
#: A clause opened by a word standing for something named before it ("gf sent me a screenshot
#: of her notes app and its a goodbye letter") is read with the message before it.
POINTS_BACK = frozenset("its it thats this theres".split())
OWNERS = frozenset("my his her their".split())
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


#: Places a means is taken from ("the bottle of oxy from my dads cabinet"): the person who
#: owns the place is not the one who takes it (English). Only "from": what is found *in*
#: someone's things is theirs ("a note in my cousins backpack").
PLACES_TAKEN_FROM = frozenset("cabinet medicine purse bag drawer nightstand room house car safe "
                              "stash closet bathroom dresser".split())
_DETERMINERS = frozenset("my his her their our the a".split())


def _in_phrase_of_place(words: list[str], i: int) -> bool:
    """Whether the person word ``words[i]`` is a possessive in "from my dads cabinet"."""
    return (i + 1 < len(words) and i >= 2 and words[i - 1] in _DETERMINERS
            and words[i - 2] == "from" and words[i + 1] in PLACES_TAKEN_FROM
            and words[i].endswith("s") and words[i] not in _PRONOUNS)


_DETERMINERS_EN = frozenset("a an the some this that one".split())


def _object_of_mine(words: list[str], i: int) -> bool:
    """Whether the person at ``words[i]`` is the object of the writer's own verb, with only
    a determiner between them and the phrase ("i wrote my coworkers a goodbye text", "i sent my
    mom the letter"): "i <verb> my <person>", not "i think my sister wrote a goodbye note"."""
    return (i >= 3 and words[i - 1] in ("my", "our") and words[i - 3] in I_SUBJECTS
            and words[i - 2] not in FIRST_PERSON["en"] and words[i - 2] not in THIRD_PERSON["en"]
            and all(w in _DETERMINERS_EN for w in words[i + 1:]))


def who_points_back(prefix: str) -> str:
    """Who a clause opened by "its", "thats"... (``POINTS_BACK``) is about: the owner of the
    last thing named before it ("her notes app" -> someone else, "my journal" -> the writer),
    else the nearest subject before it. A possessive before a person ("my coworker") names no
    thing."""
    words = prefix.split()
    for i in range(len(words) - 2, -1, -1):
        if words[i] in OWNERS and words[i + 1] not in THIRD_PERSON["en"]:
            return "me" if words[i] == "my" else "other"
    return who(prefix, len(prefix)) if prefix else "me"


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
    if reporting and lang == "en" and sum(
            w in I_SUBJECTS for w in before[reporting[-1] + 1:]) >= 2:
        reporting = []
    if reporting and who(" ".join(before[:reporting[-1]]), len(" ".join(
            before[:reporting[-1]])), lang=lang) == "other" and any(
            w in third for w in before[:reporting[-1]]):
        return "other"
    theirs = False  # a possessive of someone else's passed on the way back ("all his stuff")
    for distance, word in enumerate(reversed(before)):
        if word in OBJECT_PRONOUNS and distance > 0:
            theirs = theirs or word in third
            continue
        if word in first:
            return "me"
        if word in third and not _in_phrase_of_place(before, len(before) - 1 - distance):
            if lang == "en" and _object_of_mine(before, len(before) - 1 - distance):
                return "me"  # "i wrote my coworkers a goodbye text": they are who it is for
            return "other"
        if word == "my" and distance > 0 and not theirs and (
                before[len(before) - distance] not in third):
            return "me"  # the writer's own thing ("asking for my plan b bc plan a is not being
            # alive"), not a person of theirs ("my sister")
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
