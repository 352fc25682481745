"""What a question asks, beside its subject, and which sections it therefore does not want to
lead with (issue 22): a section about leaving the technician role for a technician's question,
a "Should I …?" section for a question that does not weigh a choice, a "How long …?" section for
a question not about time, a section about one credential for a question about another.

Each rule is a pair of patterns (what marks such a section, what marks a question that wants
it) and a penalty subtracted from the section's score in ``Replier.rank_sections``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: Sections about leaving the technician role (pharmacy school, nursing) answer a question only
#: when it names the other role or leaving: "what schooling do i need to be a tech" is not the
#: pharmacist's PharmD timeline.
OTHER_ROLES_TOPIC = "beyond_tech"
OTHER_ROLE_WORDS = re.compile(
    r"\b(?:pharmacists?|r\.?ph|pharm ?d|pharmacy school|pharm school|nurs\w*|lpn|lvn|rn|np|pa school"
    r"|physician|doctor|medical school|med school|quit\w*|leav\w*|career change|change careers?"
    r"|other careers?|new career|beyond|instead of being a tech|out of pharmacy|move on|next step"
    r"|after tech|advance|nclex|pcat)\b", re.IGNORECASE)
OTHER_ROLE_PENALTY = 0.3
#: ... twice over when the question names the technician's own training ("tech school worth
#: it?" is not pharmacy school, which the model reads it as)
TECH_TRAINING = re.compile(r"\b(?:tech|techs|technician|pharm tech|pharmacy tech) (?:school|program"
                           r"|course|training|classes)\b", re.IGNORECASE)
#: The intent "should I / worth it": a decision section ("Should I get the CSPT?") leads only a
#: question that weighs a choice; "how do i ..." wants the steps.
DECISION_HEADING = re.compile(r"^(?:Should I\b|Is .+\bworth\b)", re.IGNORECASE)
DECIDING_WORDS = re.compile(
    r"\b(?:should i|should we|worth|is it smart|good idea|bad idea|right for me|or nah|or not"
    r"|vs\.?|versus|or should|which one|which is better|pick|choose|better option|thinking about"
    r"|thinking of|considering|debating|torn|pros and cons|is it good(?! for\s*\??\s*$)|is it bad"
    # "cpht-adv any point", "is the cspt smart if im in retail", "a realistic move for me"
    r"|any point|pointless|point in|smart|realistic|good move|right move|bother\w*|money grab"
    r"|waste of (?:time|money)|even need it|is it necessary|better than|better off|or stay\w*"
    r"|(?:easier|harder|tougher|quicker|faster|cheaper) than"
    # "keeps telling me to go for the cpht-adv ... what does it actually get me"
    r"|what (?:does|would|will) (?:it|that|this) (?:\w+ )?get me)\b",
    re.IGNORECASE)
#: "go for the cpht-adv" weighs a choice; "where do i go for the ptce" asks a place.
GO_FOR = re.compile(r"\bgo for (?:it|the|a|an)\b", re.IGNORECASE)
GO_FOR_PLACE = re.compile(r"\b(?:where|who|which \w+)\b[^.?!,]*\bgo for\b", re.IGNORECASE)
DECISION_PENALTY = 0.3
#: The subject "which credential": a section whose heading is about one credential leads a
#: question that names credentials only if it names that one ("renew my cpht" is not how the
#: CPhT-Adv is renewed).
CREDENTIALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cpht-adv", re.compile(r"\bcpht[- ]?adv\w*|\badvanced (?:cpht|certified pharmacy tech\w*)"
                            r"|\badv\b", re.IGNORECASE)),
    ("cspt", re.compile(r"\bcspts?\b|\bsterile compounding (?:cert\w*|credential)", re.IGNORECASE)),
    ("cpted", re.compile(r"\bcpted\b|\beducator (?:cert\w*|credential)", re.IGNORECASE)),
    ("nha", re.compile(r"\bnha\b|\bexcpt\b", re.IGNORECASE)),
    ("cpht", re.compile(r"(?<!nha )\bcphts?\b(?![- ]?adv)|\bptce\b", re.IGNORECASE)),
)
CREDENTIAL_PENALTY = 0.2
PTCB_NAMED = re.compile(r"\bptcb\b|\bptce\b", re.IGNORECASE)
#: What a heading sets aside is not its subject ("How do I prepare for the NHA ExCPT instead of
#: the PTCE?" is about the ExCPT).
INSTEAD_OF = re.compile(r"\b(?:instead of|rather than)(?: the)? [\w-]+", re.IGNORECASE)


@lru_cache(maxsize=8192)
def heading_credentials(heading: str) -> frozenset[str]:
    """The credentials a section's heading is about: an NHA heading's "CPhT" is NHA's
    ("How do I submit CE to NHA for CPhT renewal?"), unless it names PTCB's too."""
    named = credentials_named(INSTEAD_OF.sub(" ", heading))
    if "nha" in named and "cpht" in named and not PTCB_NAMED.search(heading):
        return named - {"cpht"}
    return named



@lru_cache(maxsize=8192)  # headings are read again for every question
def _names(table: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> frozenset[str]:
    """The names of ``table`` whose pattern the text matches."""
    return frozenset(name for name, pattern in table if pattern.search(text))


#: PTCB's assessment-based certificates (TPV, Billing and Reimbursement...), a credential of
#: their own ("are ptcb certificates worth it"); not a school's certificate program.
CERTIFICATES = re.compile(r"\bcertificates?\b(?! programs?)|\bassessment[- ]based\b",
                          re.IGNORECASE)
#: Being certified, said with no credential named ("is certification worth it if my state
#: doesnt require it"): the national CPhT, not one of the certificates.
CERTIFIED = re.compile(
    r"\b(?:get|getting|got|be|being|become|becoming|stay|staying|im|i am|not) certified\b"
    r"|(?:^|\b(?:national|my|your|tech|technician|pharmacy technician|getting|get|a|the|is|does"
    r"|worth|after|before|of) )(?:certification|certifcation|cert)\b(?! (?:for|in) (?!the\b))",
    re.IGNORECASE)


@lru_cache(maxsize=8192)
def credentials_named(text: str) -> frozenset[str]:
    named = _names(CREDENTIALS, text)
    if CERTIFICATES.search(text):
        return named | {"certificate"}
    if not named and CERTIFIED.search(text):
        return frozenset({"cpht"})
    return named


#: The subject "which role or setting": a section whose heading is about one kind of technician
#: work leads a question that names such work only if it names that one ("what does a hospital
#: tech do all day" is not the informatics technician's day, "certs for retail techs" not the
#: buyer's credential).
ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("retail", re.compile(r"\bretail\b|\bcvs\b|walgreens|\bdrive[- ]?thr\w*|\bcommunity pharm\w*",
                          re.IGNORECASE)),
    ("hospital", re.compile(r"\bhospitals?\b|\binpatient\b|\bhealth[- ]?systems?\b", re.IGNORECASE)),
    ("informatics", re.compile(r"\binformatics?\b", re.IGNORECASE)),
    ("nuclear", re.compile(r"\bnuc(?:lear)?\b|\bradiopharm\w*", re.IGNORECASE)),
    ("oncology", re.compile(r"\bonc(?:ology)?\b|\bchemo\w*", re.IGNORECASE)),
    ("buyer", re.compile(r"\bbuyers?\b|\bpurchas(?:er|ing)\b", re.IGNORECASE)),
    ("educator", re.compile(r"\beducators?\b|\binstructors?\b|\bteach\w*", re.IGNORECASE)),
    ("lead", re.compile(r"\blead (?:pharmacy )?tech\w*|\blead role|\bsupervis\w*|\bleadership\b"
                        r"|\bmanagers?\b", re.IGNORECASE)),
    ("pharmacist", re.compile(r"\b(?:become|becoming|be) an? pharmacist\b|\bpharm ?d\b|\br\.?ph\b"
                              r"|\bpharm(?:acy)? school\b", re.IGNORECASE)),
    ("long_term_care", re.compile(r"\blong[- ]term care\b|\bltc\b|\bnursing homes?\b",
                                  re.IGNORECASE)),
    ("infusion", re.compile(r"\binfusion\b", re.IGNORECASE)),
    ("telepharmacy", re.compile(r"\btelepharm\w*", re.IGNORECASE)),
    ("specialty", re.compile(r"\bspecialty pharm\w*", re.IGNORECASE)),
    ("pbm", re.compile(r"\bpbms?\b|\bpharmacy benefits? manag\w*", re.IGNORECASE)),
    ("prior_auth", re.compile(r"\bprior auth\w*|\bpa techs?\b", re.IGNORECASE)),
)
ROLE_PENALTY = 0.2
ROLE_MATCH = 0.1  # ... and a heading about the very work it names suits it better than a general one
#: ... and a question about what the work is that names no kind of work is about technicians
#: in general ("what does a tech do" is not the informatics specialist's day): a section about
#: one kind answers it less well than a general one
ROLE_UNASKED = 0.1
#: "what does a hospital tech do day to day": the day of the work it names, not the general one
DUTIES_GENERAL = 0.1
#: ... and "how do i become a pharmacy tech instructor" wants the steps into that work, not how
#: to become a technician at all
HOW_TO_GENERAL = 0.1
#: "is oncology a good move for a tech" weighs a choice: the section that weighs it leads the
#: others about the same work
DECIDING_OTHER = 0.05
SHOULD_I = re.compile(r"\bshould (?:i|we)\b", re.IGNORECASE)  # "what should i be working on"
#: "how long is the nha exam" is not how long to wait for a retake
WAIT_HEADING = re.compile(r"\bwait\b|\bretake\b", re.IGNORECASE)
WAIT_PENALTY = 0.1
#: Work the question sets aside ("roles besides lead tech") is not the work it asks about.
SET_ASIDE = re.compile(r"\b(?:besides|other than|apart from|except(?: for)?|instead of|not|unlike"
                       r"|as opposed to)\s+"
                       r"(?:an?\s+|the\s+)?\w+(?:[- ]\w+)?(?:\s+(?:pharmacy\s+)?tech\w*)?",
                       re.IGNORECASE)


#: Work the asker describes as their own ("i work retail", "im only in retail", "been at cvs 3
#: yrs") is where they stand, not what they ask about, when they weigh a choice or name a
#: credential ("is the cspt smart if im only in retail" is the CSPT's decision section).
OWN_WORK = re.compile(r"\b(?:i'?m|i am|i work|i'?ve been|ive been|been|working)\s+"
                      r"(?:(?:only|just|still|currently|working|in|at|a|an|the)\s+){0,3}"
                      r"(?:retail|hospital|cvs|walgreens|community pharm\w*|inpatient)\b"
                      r"(?:\s+(?:pharmacy\s+)?techs?\b)?", re.IGNORECASE)


#: ... and a workplace the asker calls theirs ("ce from my hospital's inservices"): where they
#: work, not the work they ask about, whatever the question
MY_WORK = re.compile(r"\b(?:my|our)\s+(?:own\s+)?(?:retail|hospital|cvs|walgreens|inpatient"
                     r"|community pharm\w*)(?:'?s)?\b(?!\s+(?:techs?|technicians?|jobs?|work|pay))",
                     re.IGNORECASE)


def roles_named(text: str) -> frozenset[str]:
    return _names(ROLES, text)


def roles_asked(question: str, deciding: bool, credentials: frozenset[str]) -> frozenset[str]:
    """The work a question asks about: not work it sets aside, nor, when it weighs a choice or
    names a credential, the work the asker says they do."""
    text = MY_WORK.sub(" ", SET_ASIDE.sub(" ", question))
    if deciding or credentials:
        text = OWN_WORK.sub(" ", text)
    return roles_named(text)


#: A move from one kind of work to another ("retail to hospital how", "from cvs into a
#: hospital"): a section about both kinds of work that says nothing of moving between them
#: ("What do retail and hospital pharmacy work have in common?") answers it less well than the
#: one about the move.
_WORK = (r"(?:retail|hospital|cvs|walgreens|community|inpatient|informatics|nuclear|nuc|oncology"
         r"|onc|ltc|long[- ]term care|infusion|specialty|lead)")
ROLE_MOVE = re.compile(rf"\b{_WORK}\b(?:\s+(?:pharmacy|pharm|tech|techs|job|work))*\s+(?:to|into|->|→)"
                       rf"\s+(?:an?\s+|the\s+)?{_WORK}\b", re.IGNORECASE)
MOVE_HEADING = re.compile(r"\b(?:move|moving|switch\w*|transition\w*|bridge|from|into|toward"
                          r"|get into|become)\b", re.IGNORECASE)
MOVE_PENALTY = 0.2
#: The intent "should I": a section with the steps ("How do I claim the CPhT-Adv?") answers a
#: question weighing a choice less well than one that weighs it.
PROCEDURE_HEADING = re.compile(r"^How (?:do|can|should) I\b", re.IGNORECASE)
PROCEDURE_PENALTY = 0.1

#: The intent "how long": a section about how long something takes leads only a question that
#: asks about time.
DURATION_HEADING = re.compile(r"^How long\b", re.IGNORECASE)
ASKS_DURATION = re.compile(
    r"\b(?:how long|how much time|how many (?:years|months|weeks|days|yrs|hrs|hours)|how soon"
    r"|how fast|how quick\w*|take[sn]?|took|timeline|time ?frame|when|till|until|deadline"
    r"|wait|long is|length|duration|years?|months?|weeks?|days?|yrs?|mos|wks?)\b", re.IGNORECASE)
DURATION_PENALTY = 0.15

#: What kind of figure a question asks for, and how that figure is written in a section:
#: "how much" wants a dollar amount ("how much time" a duration), "how long" a duration, "how
#: many" a count, a ratio a ratio.
_DURATION = re.compile(
    r"\b\d+(?:\.\d+)?(?:\s*(?:-|to|–)\s*\d+)?[\s-]*(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|sixty|ninety|a few|several)[\s-](?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE)
_MONTHS = (r"January|February|March|April|May|June|July|August|September|October|November"
           r"|December")
ASKED_FIGURES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    # "how much ce", "ce hrs for renewal": hours of CE, not dollars
    (re.compile(r"\b(?:how much (?:ce|continuing ed\w*|credits?|ceus?)|ce (?:hours|hrs|credits?)"
                r"|hours of ce|ce requirement\w*)\b", re.IGNORECASE), _DURATION),
    # "psi number to reschedule", "phone # for ptcb": a phone number
    (re.compile(r"\b(?:(?:phone|contact|call|support|customer service|help ?line|psi|ptcb|nha"
                r"|pearson|board)(?: \w+)? (?:number|no|#)|number to call|who (?:do i|to) call)",
                re.IGNORECASE), re.compile(r"\b(?:1-)?\(?\d{3}\)?[-. ]\d{3}-\d{4}\b")),
    # "what % of my shift", "what percentage of the exam", "how much of my time": a share
    (re.compile(r"\b(?:what|which|how much) (?:%|percent\w*|share|portion|part of)"
                r"|\bwhat (?:%|percent\w*)|%\s*of\b|\bpercent(?:age)? of\b"
                r"|\bhow much of (?:my|the|your|their|a)\b", re.IGNORECASE),
     re.compile(r"\d+(?:\.\d+)?\s?%|\b\d+ percent\b", re.IGNORECASE)),
    # "how old", "min age": an age
    (re.compile(r"\b(?:how old|min(?:imum)? age|age (?:limit|requirement)|what age)\b",
                re.IGNORECASE), re.compile(r"\b1[4-9]\b|\b[1-2]\d(?:-year| years?)\b")),
    # "passing score": the score
    (re.compile(r"\b(?:passing score|score (?:to|do i need to) pass|pass(?:ing)? mark|what score)\b",
                re.IGNORECASE), re.compile(r"\b\d[\d,]{2,}\b")),
    # "how often": a cycle
    (re.compile(r"\b(?:how often|how frequently|every how)\b", re.IGNORECASE),
     re.compile(r"\bevery\b|\bannual\w*|\byearly\b|\bbiennial\w*|\b(?:each|per|a) (?:calendar )?year\b"
                r"|\b(?:once|twice|(?:one|two|three) times?) (?:a|per|each) (?:day|week|month|year)\b"
                r"|\b(?:daily|weekly|monthly|quarterly)\b"
                r"|" + _DURATION.pattern, re.IGNORECASE)),
    (re.compile(r"\b(?:how much (?:time|experience|training|schooling|school)|how long|length"
                r"|long is|wait|till|until|how soon|how (?:quick|fast)\w*|timeline|how many "
                r"(?:years|yrs|months|mos|weeks|wks|days|hours|hrs|minutes)"
                # "yrs of iv experience needed": an amount of time asked for
                r"|(?:years|yrs|months|mos) of)\b", re.IGNORECASE), _DURATION),
    # "which is cheaper", "worth the money": a price compared or weighed
    (re.compile(r"\b(?:how much|cost|costs|fee|fees|price|pay|paid|salary|wage|make|cheap\w*"
                r"|pricey|pricier|expensive|afford\w*|the money|\$)",
                re.IGNORECASE), re.compile(r"\$\s?\d")),
    (re.compile(r"\bratio\b", re.IGNORECASE),
     re.compile(r"\b\d+\s*(?::|to)\s*\d+\b|\d+ (?:pharmacy )?technicians?\b", re.IGNORECASE)),
    # "when is the deadline", "is 825 in effect yet": a date (or how long before or after)
    (re.compile(r"\b(?:when (?:is|does|do|did|was|will|must)|deadline|what date|due date|effective"
                r"|in effect|take effect|took effect)\b", re.IGNORECASE),
     re.compile(rf"\b(?:{_MONTHS})\b|\b(?:19|20)\d\d\b|" + _DURATION.pattern, re.IGNORECASE)),
    (re.compile(r"\bhow many\b", re.IGNORECASE), re.compile(r"\b\d+\b")),
)
#: A section that states no figure of the kind asked for ("how much is ..." and a section
#: without a dollar amount) leads only if nothing that states one comes close.
FIGURE_PENALTY = 0.1


#: The intents "how much do techs make" and "how much does it cost": a section about what a
#: credential or school costs does not answer what the work pays, and the other way round.
EARNING_WORDS = re.compile(r"\b(?:make|makes|making|earn\w*|salary|salaries|wages?|paid|pay(?! for)"
                           r"|pays|hourly|an hour|per hour|/hr|raise)\b", re.IGNORECASE)
COST_WORDS = re.compile(r"\b(?:cost|costs|fee|fees|price|tuition|pay for|expensive|cheap\w*"
                        r"|afford\w*|refund\w*)\b", re.IGNORECASE)
#: "pay" said of the asker paying ("do i have to pay again if i fail"): a cost, not earnings
PAYING = re.compile(r"\b(?:(?:i|u|you|we)(?: (?:have|need|got) to| gotta| must| still| would| will"
                    r"| do| dont| don t)? pay|pay (?:again|extra|twice|it back|back))\b",
                    re.IGNORECASE)
#: ... and "paid" said of a kind of training ("are there paid apprenticeships"): what it is,
#: not what it earns
PAID_KIND = re.compile(r"\bpaid (?:apprenticeships?|training|programs?|internships?|externships?"
                       r"|courses?|classes|time off|pto|sick|leave)\b", re.IGNORECASE)
#: ... and in a heading, the words of pay, and people making ("What kinds of preparations does
#: a nuclear pharmacy make?" is not about earnings)
EARNING_HEADING = re.compile(r"\b(?:earn\w*|salary|salaries|wages?|paid|pay|pays|hourly"
                             r"|raises?|income|(?:techs?|technicians?|cphts?|you|i|we|they)"
                             r" make)\b", re.IGNORECASE)
MONEY_PENALTY = 0.2
#: ... and "do hospitals pay more than retail" wants a section about pay, not one about the two
#: kinds of work that happens to state a wage
EARNING_UNNAMED_PENALTY = 0.25
#: The intent "how to / steps": a section that says what a thing is answers "how do i get
#: the cpht-adv" less well than the section with the steps.
HOW_TO_WORDS = re.compile(r"\b(?:how (?:do|can|would|should) (?:i|u|you|we)|how to|steps?|apply)\b",
                          re.IGNORECASE)
WHAT_IS_HEADING = re.compile(r"^What (?:is|are)\b", re.IGNORECASE)
HOW_TO_PENALTY = 0.05
#: ... and "cpht-adv any point" wants the decision section, not what the credential is (a
#: heading that only names a thing: not "What are the warning signs that a program ...?")
DEFINITION_HEADING = re.compile(r"^What (?:is|are) (?:\S+ ){0,3}\S+\?$", re.IGNORECASE)
DECIDING_WHAT_IS = 0.1


#: The intent "what the work is": "what does a tech do", "nuc tech day to day" want a section
#: that says what someone does ("What does a nuclear pharmacy technician do?"), not its training
#: or what it is called.
DUTIES_ASKED = re.compile(
    r"\bwhat (?:does|do) (?!i\b|we\b)(?:a |an |the )?(?:\w+ ){0,4}(?:do|doing)\b"
    r"(?! (?:to|for|if|when|with|about|after|before|first|next|now)\b)"
    r"|\bdo (?:on|all|during) (?:a |the |their |each )?shift\b"
    r"|\bday[- ]to[- ]day\b|\ball day\b|\b(?:typical|normal|average) (?:day|shift)\b"
    r"|\bday in the life\b|\bdaily (?:tasks|duties|work)\b|\bduties\b", re.IGNORECASE)
DUTIES_HEADING = re.compile(r"^What (?:does|do) .+\bdo\b|\bduties\b|\bday\b", re.IGNORECASE)
DUTIES_PENALTY = 0.3
#: The intent "what to bring": a question about what to bring or which ID to show wants a
#: section that says what to bring ("what to bring on ptce day" is the ID rules, not how to
#: reschedule). Lowercase "id" is the document ("ID" may be Idaho; "id like" is "I'd like").
BRING_ASKED = re.compile(r"\b(?:[Bb]ring\w*|[Ii]dentification|[Pp]hoto (?:id|ID)|IDs"
                         r"|ids?(?! (?:like|love|rather|be|have|want|need|prefer|say|think|go)\b))\b")
BRING_STATED = re.compile(r"\bbring\w*|\bidentification\b|\bID\b")
BRING_PENALTY = 0.3
BRING_WITHIN = 300  # ... in its opening, where a reader looks (not a passing "lacking valid ID")


#: The intent "am I eligible": a question whether the asker qualifies ("am i eligible yet",
#: "do i qualify") wants the section on who is eligible, not the steps or the timeline.
ELIGIBLE_ASKED = re.compile(r"\b(?:eligib\w*|qualif(?:y|ies|ied)|can i (?:even )?(?:sit|apply)"
                            r"(?: for)?|can i (?:\w+ ){1,4}yet|do i (?:have|meet) (?:enough|the)"
                            r" (?:hours|hrs|experience|years|yrs|requirements?))\b", re.IGNORECASE)
ELIGIBLE_HEADING = re.compile(r"\beligib\w*|\bqualif\w*", re.IGNORECASE)
ELIGIBLE_PENALTY = 0.1
#: A credential asked about as what a kind of work requires ("is a cpht required for pbm work",
#: "pbm jobs, is cpht a must?"): the work's section answers it, not the credential's own
#: eligibility or steps, which say what the credential requires.
REQUIRED_ASKED = re.compile(r"\b(?:requir\w*|need|needs|needed|must|mandatory|necessary"
                            r"|have to have|has to have)\b", re.IGNORECASE)
REQUIRED_FOR_PENALTY = 0.2
#: The intent "it already lapsed": "my cpht expired 3 months ago, can i still fix it" wants
#: what happens after expiry (reinstatement, its fee), not how to renew on time.
LAPSED_ASKED = re.compile(r"\b(?:(?:has|have|had|already|just|it|cert|cpht|registration|license)"
                          r" (?:\w+ )?(?:expired|lapsed)|let (?:my |it |the )?(?:\w+ ){0,3}(?:lapse|expire)"
                          r"|expired (?:\d+|a|an|two|three|few|like)\b)", re.IGNORECASE)
LAPSED_HEADING = re.compile(r"\bexpir\w*|\blaps\w*|\breinstat\w*", re.IGNORECASE)
LAPSED_PENALTY = 0.2
#: The intent "I failed the exam": "do i have to pay again if i flunk the nha test" wants the
#: retake rules, not the credential's renewal (an expired credential's exam is ``lapsed``).
RETAKE_ASKED = re.compile(
    r"\b(?:fail|fails|failed|failing|flunk\w*|bomb(?:ed)?|didnt pass|did not pass|dont pass"
    r"|do not pass|not pass|retake|retakes|retaking|retest|retesting|take it again|take the \w+ again"
    r"|second attempt|third attempt|another attempt)\b(?! to\b)", re.IGNORECASE)
RETAKE_HEADING = re.compile(r"\b(?:retake|retest|fail|attempts?|again)\b", re.IGNORECASE)
RETAKE_PENALTY = 0.15
#: The intent "who pays": "will my job pay for my ptcb exam" asks whether an employer covers
#: a cost, not what it costs.
EMPLOYER_PAYS = re.compile(
    r"\b(?:my|the|your|an?)\s+(?:job|work|employer|company|store|hospital|pharmacy|boss)\s+"
    r"(?:\w+\s+)?(?:pay|pays|paying|cover|covers|covering|reimburs\w*)\b"
    # ... or a chain named, or "they" after it ("i work at walgreens do they pay for the ptce")
    r"|\b(?:cvs|walgreens|wags|walmart|rite aid|kroger|publix|costco|target|safeway|they)\s+"
    r"(?:\w+\s+)?(?:pay|cover|reimburs\w*)\s+(?:for|the|my|your)\b", re.IGNORECASE)
EMPLOYER_HEADING = re.compile(r"\bemployers?\b", re.IGNORECASE)
EMPLOYER_PENALTY = 0.2


@lru_cache(maxsize=8192)
def found(pattern: re.Pattern[str], text: str) -> bool:
    """Whether a section's heading or text has the pattern (a figure of the kind asked for,
    money words): sections are few, and read again for every question, so cached."""
    return pattern.search(text) is not None


def asked_figure(question: str) -> re.Pattern[str] | None:
    """How the figure the question asks for is written, if it asks for one."""
    return next((figure for asks, figure in ASKED_FIGURES if asks.search(question)), None)


@dataclass(frozen=True)
class Intent:
    """What one question asks, read once, then applied to each candidate section."""

    leaving: bool
    deciding: bool
    timing: bool
    credentials: frozenset[str]
    roles: frozenset[str] = frozenset()
    figure: re.Pattern[str] | None = None
    earning: bool = False
    tech_training: bool = False
    costing: bool = False
    how_to: bool = False
    bringing: bool = False
    moving: bool = False
    eligible: bool = False
    employer_pays: bool = False
    lapsed: bool = False
    duties: bool = False
    required_for: bool = False
    retaking: bool = False
    weighing: bool = False  # deciding in words other than "should i" ("a good move", "worth it")

    @classmethod
    def of(cls, question: str) -> Intent:
        deciding = DECIDING_WORDS.search(question) is not None or (
            GO_FOR.search(question) is not None and GO_FOR_PLACE.search(question) is None)
        credentials = credentials_named(question)
        roles = roles_asked(question, deciding, credentials)
        lapsed = LAPSED_ASKED.search(question) is not None
        return cls(leaving=OTHER_ROLE_WORDS.search(question) is not None,
                   deciding=deciding,
                   timing=ASKS_DURATION.search(question) is not None,
                   credentials=credentials,
                   roles=roles,
                   figure=asked_figure(question),
                   earning=EARNING_WORDS.search(
                       PAID_KIND.sub(" ", PAYING.sub(" ", question))) is not None,
                   tech_training=TECH_TRAINING.search(question) is not None,
                   costing=(COST_WORDS.search(question) or PAYING.search(question)) is not None,
                   how_to=HOW_TO_WORDS.search(question) is not None,
                   bringing=BRING_ASKED.search(question) is not None,
                   moving=ROLE_MOVE.search(question) is not None,
                   eligible=ELIGIBLE_ASKED.search(question) is not None,
                   lapsed=lapsed,
                   weighing=DECIDING_WORDS.search(SHOULD_I.sub(" ", question)) is not None,
                   retaking=not lapsed and RETAKE_ASKED.search(question) is not None,
                   employer_pays=EMPLOYER_PAYS.search(question) is not None,
                   duties=DUTIES_ASKED.search(question) is not None,
                   required_for=bool(roles and credentials
                                     and REQUIRED_ASKED.search(question) is not None))

    def penalty(self, topic: str, heading: str, text: str | None = None) -> float:
        """How much less a section with this topic, heading and text suits the question."""
        total = 0.0
        if self.figure is not None and text is not None and not found(self.figure, text):
            total += FIGURE_PENALTY  # "how much is the cpht-adv": a section with a price
        if self.bringing and text is not None and not found(BRING_STATED, text[:BRING_WITHIN]):
            total += BRING_PENALTY  # "what to bring on ptce day": a section that says what
        if topic == OTHER_ROLES_TOPIC and not self.leaving:
            total += OTHER_ROLE_PENALTY  # a technician's question: not the pharmacist's path
            if self.tech_training:
                total += OTHER_ROLE_PENALTY
        if DURATION_HEADING.match(heading) and not self.timing:
            total += DURATION_PENALTY  # "what hours do techs work" is not how long a stage takes
        if self.credentials:
            named = heading_credentials(heading)
            if named and not named & self.credentials:
                total += CREDENTIAL_PENALTY  # "renew my cpht" is not the CPhT-Adv's renewal
        if self.roles:
            named = roles_named(heading)
            if named and not named & self.roles:
                total += ROLE_PENALTY  # a hospital tech's day is not the informatics tech's
            elif named:
                total -= ROLE_MATCH  # "a retail tech's day": the retail technician's section
                if self.moving and not MOVE_HEADING.search(heading):
                    total += MOVE_PENALTY  # "retail to hospital how": not what they share
            elif self.required_for and heading_credentials(heading) & self.credentials:
                total += REQUIRED_FOR_PENALTY  # "cpht required for pbm work": not its eligibility
        elif self.duties and not self.credentials and roles_named(heading) - {"pharmacist"}:
            # "what does a tech do": not one kind of technician's day (a credential named may
            # imply the work: the CPTEd is the educator's)
            total += ROLE_UNASKED
        if self.duties and not DUTIES_HEADING.search(heading):
            total += DUTIES_PENALTY  # "what does a tech do" wants what the work is
        if self.earning != self.costing:  # one of the two money questions, not both
            other = COST_WORDS if self.earning else EARNING_HEADING
            if found(other, heading):
                total += MONEY_PENALTY  # "how much do cphts make" is not what the CPhT costs
        if self.earning and not self.costing and not found(EARNING_HEADING, heading):
            total += EARNING_UNNAMED_PENALTY
        if self.how_to and WHAT_IS_HEADING.match(heading):
            total += HOW_TO_PENALTY  # "how do i get my cpht-adv" wants the steps
        if DECISION_HEADING.match(heading) and not self.deciding:
            total += DECISION_PENALTY  # "how do i become a lead tech" wants the steps
        if self.eligible and not ELIGIBLE_HEADING.search(heading):
            total += ELIGIBLE_PENALTY  # "am i eligible yet" wants who is eligible
        if self.lapsed and not LAPSED_HEADING.search(heading):
            total += LAPSED_PENALTY  # "it expired 3 months ago": not renewing on time
        if self.retaking and not RETAKE_HEADING.search(heading):
            total += RETAKE_PENALTY  # "pay again if i flunk the nha test": the retake rules
        if self.employer_pays and not EMPLOYER_HEADING.search(heading):
            total += EMPLOYER_PENALTY  # "will my job pay for it" is not what it costs
        if self.deciding and not self.how_to and DEFINITION_HEADING.match(heading):
            total += DECIDING_WHAT_IS  # "cpht-adv any point": whether, not what it is
        if self.duties and self.roles and not roles_named(heading):
            total += DUTIES_GENERAL  # "a hospital tech's day": not the general technician's
        if self.how_to and not self.duties and self.roles - {"retail", "hospital"} and not (
                roles_named(heading)):
            total += HOW_TO_GENERAL  # "become a tech instructor": not becoming a tech at all
        if self.weighing and not self.how_to and not DECISION_HEADING.match(heading):
            total += DECIDING_OTHER
        if not self.retaking and not self.lapsed and WAIT_HEADING.search(heading):
            total += WAIT_PENALTY  # "how long is the nha exam": not the wait for a retake
        if self.deciding and not self.how_to and PROCEDURE_HEADING.match(heading):
            total += PROCEDURE_PENALTY  # "cpht-adv any point" does not want how to claim it
        return total
