"""The text the phrase layer reads (:mod:`bot.answers.safety`): a message folded to plain
lowercase words, cut into clauses, and which of them are Spanish, with the common Spanish
misspellings undone. Pure: text in, text out."""

# ruff: noqa: SIM905
# (the word lists read as text)
from __future__ import annotations

import re

from bot.answers.language import fold as without_accents

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
