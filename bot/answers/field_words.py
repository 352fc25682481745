"""A message in this field's words: phone shorthand spelled out in words the embedding model
knows, and whether a message names this bot's field (a credential, CE, a pharmacy tech's work)
whatever its embedding says."""

from __future__ import annotations

import re

from bot.answers import templates

#: Words that put a message in this bot's field whatever the embedding says: a credential, CE,
#: or "tech" with a work, school, license, pay or renewal word (in this bot's world "tech" is a
#: pharmacy technician).
CREDENTIAL_WORDS = re.compile(
    r"\b(?:cpht(?:-?adv)?|ptcb|nha|excpt|cspt|ptce|ce hours?|ce credits?|continuing education"
    r"|pharm(?:acy)? ?techs?|pharmacy technicians?|board of pharmacy)\b", re.IGNORECASE)
TECH_WORK = re.compile(
    r"\btechs?\b.*\b(?:work|job|jobs|hired|hire|school|program|class|course|license|licensed"
    r"|licence|registration|register|registered|certif\w*|cert|pay|paid|salary|wage|hourly"
    r"|renew\w*|ce|exam|test|become|need|requirements?|hospital|retail|pharmacy)\b"
    r"|\b(?:work|job|become|becoming|school|license|licence|certified|pay|renew\w*)\b.*\btechs?\b",
    re.IGNORECASE)


OTHER_TECHS = re.compile(
    r"\b(?:vet|veterinary|x-?ray|radiolog\w*|rad|dental|surgical|surg|nail|lab|medical lab"
    r"|ultrasound|sono\w*|auto|hvac|it|computer|ekg|eeg|ct|mri|cardiac|cardio|ophthalmic|optometric"
    r"|dialysis|sterile processing|psych|behavioral|emergency room|er|pharmaceutical sales"
    r"|engineering|maintenance|avionics|aviation|diesel|electrical|network|field|lab animal)"
    r" techs?\b", re.IGNORECASE)


#: Other occupations a state licenses ("how do dental hygienists get licensed in ohio"): a
#: state's rules for them are not this bot's field.
OTHER_TRADES = re.compile(
    r"\b(?:dental hygien\w*|hygienists?|nurses?|nursing license|lpns?|cnas?|physicians?|doctors?"
    r"|dentists?|electricians?|plumbers?|cosmetolog\w*|barbers?|real estate|realtors?"
    r"|contractors?|teachers?|lawyers?|attorneys?|therapists?|paramedics?|emts?|massage"
    r"|nail|estheticians?|drivers?|cdl|counselors?|social workers?|psychologists?)\b",
    re.IGNORECASE)


def names_another_trade(text: str) -> bool:
    """Whether a message is about another occupation: another field's tech, or a trade a
    state licenses."""
    return bool(OTHER_TECHS.search(text) or OTHER_TRADES.search(text))


def names_the_field(text: str) -> bool:
    """Whether a message names this bot's field: a credential, CE, or a tech with a work word
    (not another field's tech)."""
    if CREDENTIAL_WORDS.search(text):
        return True
    if OTHER_TECHS.search(text):  # an x-ray tech, a vet tech: another field's technician
        return False
    return bool(TECH_WORK.search(text))


SHORTHAND_RE = re.compile(
    r"(?<![\w$/])("
    + "|".join(re.escape(k) for k in sorted(templates.SHORTHAND, key=len, reverse=True))
    + r")(?![\w$/])",
    re.IGNORECASE,
)


#: Shorthand whose expansion adds the field around the word ("walgreens" -> "Walgreens
#: pharmacy", "iv" -> "IV sterile compounding"): context for the model, not words the asker
#: used, so matching a question's words to a section's sentences leaves them as written.
CONTEXT_SHORTHAND = frozenset({
    "tech", "techs", "pharmacy tech", "pharmacy techs", "pharm tech", "pharm techs",
    "tech school", "cvs", "walgreens", "wags", "rite aid", "iv", "chemo", "$$", "$$$",
})


def spell_out(text: str, context: bool = True) -> str:
    """Expand phone shorthand ("pharm tech", "2 yrs", "$$") into words the model knows;
    without ``context``, only the words themselves (``CONTEXT_SHORTHAND`` stays as written)."""
    other_field = OTHER_TECHS.search(text) is not None  # an x-ray tech stays a technician

    def word(match: re.Match) -> str:
        key = match.group(0).lower()
        if not context and key in CONTEXT_SHORTHAND:
            return match.group(0)
        if other_field and key in ("tech", "techs"):
            return "technician" if key == "tech" else "technicians"
        return templates.SHORTHAND[key]

    expanded = MINUTES_RE.sub(r"\1 minutes", SHORTHAND_RE.sub(word, text))
    return " ".join(expanded.split())


#: Minutes written short after a number ("40 min late", "15mins"); "min" alone is as often a
#: minimum ("min age").
MINUTES_RE = re.compile(r"\b(\d+)\s?mins?\b", re.IGNORECASE)
