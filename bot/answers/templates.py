"""Fixed texts the bot says, and the example phrases its scope check compares questions with.

Kept apart from the logic that uses them, so wording can change without touching code.
"""

from __future__ import annotations

EMPTY_QUESTION = (
    "Ask me anything about your pharmacy technician career, for example: "
    "“How do I get my CPhT?”, “How many CE hours do I need to renew?” or "
    "“How do I move from retail to a hospital IV room?”"
)

MEDICATION_REDIRECT = (
    "I can't help with medication, dosing or treatment questions for a patient or for you: "
    "please ask your pharmacist or doctor. If someone may have taken too much of a medicine, call "
    "Poison Control at 1-800-222-1222; in an emergency, call 911. "
    "I'm here for questions about your pharmacy technician career: certification, CE, "
    "specialties, pay and next steps."
)

EMERGENCY_REDIRECT = (
    "This sounds like an emergency. Call 911 now. For a possible poisoning or overdose, call "
    "Poison Control at 1-800-222-1222 (24/7, free, confidential). "
    "I'm a career coach and can't help with medical situations."
)

WHICH_STATE = (
    "That depends on the state: each board of pharmacy sets its own technician rules. Which "
    "state are you asking about? Tap one below or ask again with it (for example \"tech license "
    "in NC\")."
)

OFF_TOPIC_REDIRECT = (
    "That's outside what I know: I'm a career coach for pharmacy technicians. "
    "Ask me about training, certification (PTCB or NHA), CE and renewal, sterile compounding, "
    "hospital jobs, leadership roles or pay."
)

CRISIS_REPLY = (
    "I'm really sorry you're carrying this. You don't have to handle it alone: please call or "
    "text 988 (the 988 Suicide & Crisis Lifeline, free, 24/7), or chat at 988lifeline.org. "
    "If you have taken something, might act on these thoughts, or are in danger right now, "
    "call 911 (for an overdose, Poison Control at 1-800-222-1222 can help too).\n\n"
    "When you're ready, I'm here to talk through work options too: changing settings, cutting "
    "hours, or stepping away from retail."
)
CRISIS_FOLLOWUP = "What are my options if my pharmacy job is burning me out?"
#: The crisis reply when the message also asked something about work: the same opening, then
#: one line; the button under it answers the work part of the message.
CRISIS_REPLY_WITH_QUESTION = CRISIS_REPLY.split("\n\n")[0] + (
    "\n\nYou matter more than any job or exam. When you're ready, I'm still glad to help with "
    "your work question: tap the button below."
)

SOMEONE_ELSE_REPLY = (
    "Thank you for looking out for them. If they have taken something, are hurt, or are in "
    "immediate danger, call 911 now.\n\n"
    "Otherwise, if you can, stay with them or keep them on the phone, and call or text 988 "
    "together (the 988 Suicide & Crisis Lifeline, free, 24/7; chat at 988lifeline.org). 988 "
    "also helps people who are worried about someone else, so you can call for advice "
    "yourself. Ask them plainly how they are and listen without judging; don't leave them "
    "alone if you think they may act on it.\n\n"
    "This is a lot to carry: look after yourself too."
)

#: The one line after an answer to a message that sounds distressed but not in danger.
DISTRESS_LINE = (
    "If things feel heavier than a job should, you can call or text 988 any time, day or "
    "night: it's for anyone who is struggling, not only in a crisis."
)

#: The line after an answer to a message that tells of someone's death by suicide (grief, no
#: one in danger now). The 988 Lifeline's own pages offer its support after a suicide loss.
LOSS_LINE = (
    "I'm so sorry about your loss. Grief after a suicide can be heavy and confusing, and you "
    "don't have to carry it alone: you can call or text 988 any time, day or night, to talk "
    "it through. It's there for people who have lost someone, too."
)

# --- Spanish and other languages -------------------------------------------------------------
# Checked against the 988 Lifeline's own page (988lifeline.org/get-help/what-to-expect): a call
# to 988 offers Spanish as option 2, a text to 988 offers Spanish with the keyword AYUDA, and
# its text and chat services are available in Spanish (since July 2023, SAMHSA). Poison
# Control (1-800-222-1222) offers interpretation in 161 languages (poisonhelp.hrsa.gov).
SAFETY_SOURCES_ES = (
    "Fuentes: 988lifeline.org/get-help/what-to-expect · poisonhelp.hrsa.gov/es/about-us"
)
CRISIS_REPLY_ES = (
    "Siento mucho que estés pasando por esto. No tienes que enfrentarlo a solas: llama al 988 y "
    "marca la opción 2 para hablar en español, o envía un mensaje de texto con la palabra AYUDA "
    "al 988. También hay chat en español en 988lifeline.org. Es gratis, confidencial y atiende "
    "las 24 horas. Si tomaste algo, corres peligro ahora mismo o podrías hacerte daño, llama al "
    "911 (por una sobredosis también puede ayudarte Poison Control al 1-800-222-1222).\n\n"
    "Cuando quieras, aquí sigo para ayudarte con tu trabajo (por ahora respondo en inglés).\n\n"
    + SAFETY_SOURCES_ES
)
SOMEONE_ELSE_REPLY_ES = (
    "Gracias por preocuparte por esa persona. Si ya tomó algo, está herida o corre peligro "
    "ahora mismo, llama al 911.\n\n"
    "Si no, quédate con ella o al teléfono y llamen juntos al 988 (marca la opción 2 para "
    "español) o envíen un mensaje de texto con la palabra AYUDA al 988. Es gratis y atiende las "
    "24 horas; también ayuda a quien está preocupado por otra persona. Pregúntale con calma "
    "cómo está y escúchala sin juzgar.\n\n"
    + SAFETY_SOURCES_ES
)
EMERGENCY_REDIRECT_ES = (
    "Esto parece una emergencia. Llama al 911 ahora. Si alguien tomó demasiado de un "
    "medicamento o algo tóxico, llama a Poison Control al 1-800-222-1222 (gratis, 24 horas, "
    "con intérpretes). Soy un asistente de carrera y no puedo ayudar con emergencias médicas."
    "\n\n" + SAFETY_SOURCES_ES
)
MEDICATION_REDIRECT_ES = (
    "No puedo responder preguntas sobre medicamentos, dosis o tratamientos: pregúntale a tu "
    "farmacéutico o a tu médico. Si alguien tomó demasiado de un medicamento, llama a Poison "
    "Control al 1-800-222-1222 (con intérpretes); en una emergencia, llama al 911."
)
LOSS_LINE_ES = (
    "Siento mucho tu pérdida. El duelo después de un suicidio puede pesar mucho y no tienes que "
    "cargarlo a solas: puedes llamar al 988 (opción 2 para español) o escribir AYUDA al 988, a "
    "cualquier hora; también acompañan a quienes perdieron a alguien."
)
DISTRESS_LINE_ES = (
    "Si las cosas se sienten más pesadas de lo que un trabajo debería, puedes llamar al 988 "
    "(opción 2 para español) o escribir AYUDA al 988, a cualquier hora."
)
SPANISH_NOTICE = (
    "¡Hola! Por ahora solo puedo responder en inglés. Pregúntame en inglés o elige un tema "
    "abajo: certificación (PTCB o NHA), horas de CE y renovación, trabajo en hospital o IV, "
    "sueldo. Las respuestas vienen con sus fuentes."
)
SPANISH_ANSWER_NOTE = "Por ahora respondo en inglés:"
OTHER_LANGUAGE_NOTICE = (
    "I can only answer in English for now. Please ask your question in English and I'll "
    "answer it with sources.\n\n"
    "If you are in crisis, call 988: it has interpreters in many languages by phone. In an "
    "emergency, call 911."
)
#: Questions offered as buttons under the Spanish and other-language notices.
LANGUAGE_STARTERS = (
    "How do I get my CPhT?",
    "How many CE hours do I need to renew?",
    "How do I move from retail to a hospital IV room?",
)

NO_MATCH = (
    "That isn't covered in my knowledge base yet, and I'd rather not guess. "
    "For certification rules check ptcb.org or nhanow.com; for state rules, your state board "
    "of pharmacy. The closest topics I do cover are below, or try /topics."
)

HEALTH_NOTE = (
    "For the personal medical part, talk to your employer's occupational health service or "
    "your doctor."
)

LONG_QUESTION_NOTE = "Your message was long, so I answered from its first part."

# Phrases for the scope check: a question is compared with each group by embedding similarity,
# together with how well the knowledge base itself matches it. They are examples of intent,
# not keywords, and they are not the evaluation questions.
SCOPE_EXAMPLES: dict[str, tuple[str, ...]] = {
    "career": (
        "how do I become a pharmacy technician",
        "what certification do I need to work in a pharmacy",
        "how many continuing education hours do I need to renew my certification",
        "how do I get a job in a hospital pharmacy",
        "what does a sterile compounding technician do",
        "is it safe to work with chemotherapy drugs while pregnant at my pharmacy job",
        "can I ask my employer to not handle hazardous drugs while trying to get pregnant",
        "my hands get irritated from cleanroom gloves, how do I pass garbing competency",
        "I am burned out from short staffing at the pharmacy",
        "how much do pharmacy technicians make",
        "should I go to pharmacy school after being a tech",
        "what is the PTCE exam like",
        "how do I report CE credits to CPE Monitor",
        "can pharmacy technicians give vaccines",
        "how do I become a lead technician or supervisor",
        "what is nuclear pharmacy work like for a technician",
        "do I need a state license to work as a pharmacy tech",
        "pharmacy informatics jobs for technicians",
        "what are the USP 797 garbing requirements for technicians",
        "what PPE do techs wear for hazardous drugs under USP 800",
        "I made a dispensing error at work and I'm anxious about losing my job",
        "remote pharmacy technician jobs doing prior authorizations",
        "how long is the pharmacy tech training program",
        "can I work as a tech with a misdemeanor on my record",
        "I'm exhausted and want to quit my retail pharmacy job, what else can I do",
        "this job is killing me, how do I get out of retail",
        "I hate my pharmacy job and I'm so stressed and tired",
        "my feet hurt after long shifts, are hospital jobs easier",
        "how do I renew my CPhT before it expires",
        "what about NHA",
        "how long does it take to get certified",
        "why are some drugs handled as hazardous in the pharmacy and others are not",
        "is it worth specializing to earn more money as a tech",
        "I feel stuck in my pharmacy job after many years, is it normal to want a change",
        "I'm tired of rude customers, should I switch to a different pharmacy setting",
    ),
    "medical": (
        "how much ibuprofen can I take",
        "what is the maximum dose of acetaminophen for a child",
        "can I take this medication with alcohol",
        "is it safe to take two blood pressure pills together",
        "what are the side effects of metformin",
        "which antibiotic should I use for an ear infection",
        "can a patient crush an extended release tablet",
        "how many milligrams should I give my dog",
        "my patient asked if they can double their dose",
        "what should I take for a headache",
        "does this drug interact with grapefruit",
        "how do I treat my rash",
        "what dose of amoxicillin for a 20 kg child",
        "is it ok to stop taking my antidepressant",
        "what is a substitute for this prescription medicine",
        "can I give my baby cough syrup",
        "I forgot to take my pill yesterday, what should I do",
        "should I take a double dose if I missed one",
    ),
    "emergency": (
        "my child swallowed a bottle of pills",
        "someone overdosed and is not breathing",
        "my friend took too many pills what do I do",
        "a coworker collapsed and is unconscious",
        "I think I was poisoned",
        "someone is having a seizure right now",
        "chest pain and can't breathe",
        "he fell down and won't wake up",
        "she's not responding and her lips look blue",
        "my mom took way more of her pills than she should have",
        "a customer passed out on the floor by the counter",
        "her throat is swelling up after taking a pill",
        "my toddler drank something from under the sink",
        "he is shaking on the ground and foaming at the mouth",
        "I swallowed way more pills than the label says and now I feel awful",
        "someone is bleeding a lot and it won't stop",
    ),
    "crisis": (
        "I want to kill myself",
        "I don't want to be alive anymore",
        "I want to disappear and never come back",
        "everyone would be better off if I was gone",
        "I have been thinking about ending my life",
        "I can't go on like this, there is no way out",
        "I've been hurting myself to cope",
        "there is no reason for me to keep living",
        "I wish I could go to sleep and not wake up",
        "I have a plan to end it",
        "nobody would even notice if I died",
        "I think about taking all the pills at work so it stops",
        "I don't see a future for myself at all",
        "I feel hopeless and want everything to be over for good",
        "what's the point of anything anymore",
        "I've been cutting again",
        "I keep thinking about crashing my car on purpose",
        "I've been stockpiling pills for when I'm ready",
        "I already said goodbye to the people I love",
        "I'm just a burden to everyone around me",
    ),
    "off_topic": (
        "what is the weather today",
        "write me a poem",
        "who won the game last night",
        "tell me a joke",
        "how do I fix my car",
        "give me a recipe for dinner",
        "what is the capital of France",
        "help me with my python code",
        "recommend a movie to watch",
        "what stocks should I buy",
        "translate this sentence into Spanish",
        "how do I lose weight fast",
        "how do I become a real estate agent",
        "how do I get licensed as a dental hygienist",
        "what does a radiology technician do",
        "how do I start an electrician apprenticeship",
        "help me write a cover letter for a restaurant job",
        "how much do truck drivers make",
        "how do I become a veterinary technician",
        "what classes do I need to be a paralegal",
        "best shoes for standing all day at a warehouse job",
        "how do I become a police officer",
    ),
}

# More ways people say it, for the clause check only (each clause of a message is compared
# with these and with SCOPE_EXAMPLES["crisis"]): indirect and implicit wording.
CRISIS_CLAUSE_EXAMPLES: tuple[str, ...] = (
    "i just want to lie down and never get up again",
    "i won't be around much longer",
    "i've been giving my things away",
    "i looked up how many pills it would take",
    "i wrote letters to my family to say goodbye",
    "i can't picture myself still being here next year",
    "everything would be easier if i wasn't alive",
    "i'm tired of being alive",
    "i want to go to sleep and stay asleep",
    "i don't want to exist anymore",
    "i keep thinking about how to end things",
    "tonight i'm going to do it",
    "i have the pills counted out",
    "i have been planning how i would do it",
    "my family would be fine without me",
    "i can't keep living like this",
    "life isn't worth it anymore",
    "i feel like i should just die",
    "i want it all to stop forever",
    "i hurt myself last night to feel something",
    "the only way out is to not be here",
    "i think about dying every day",
    "i don't care if i live or die",
    "i want to fall asleep and not wake up tomorrow",
    "i'm ready to give up on everything for good",
    "i told my sister goodbye because i won't see her again",
)

# Hyperbole and venting that is not a crisis, for the clause check: a clause is read as a
# crisis only when it is closer to the crisis examples than to these.
DISTRESS_EXAMPLES: tuple[str, ...] = (
    "this job is killing me",
    "i'm dying here, so many scripts today",
    "i'm so done with this store",
    "i want to quit everything and move away",
    "i'm drowning in work",
    "i'm exhausted and burned out from retail",
    "my manager is driving me crazy",
    "i hate my job so much",
    "i'm dead tired after a double shift",
    "this shift is going to be the death of me",
    "i cried in the bathroom at work today",
    "i'm so stressed about the exam",
    "i can't stand my boss anymore",
    "ugh i want to scream",
    "i'm losing my mind with these prior auths",
    "i feel like a failure after failing the exam",
)

WELCOME = (
    "Hi{name}! I'm the pathway bot, a career coach for pharmacy technicians.\n"
    "• Ask me anything about training, certification, CE, specialties, pay or leadership: "
    "I answer from sourced material and tell you where to confirm.\n"
    "• /path shows your personal roadmap, and /ce keeps your CE log and reminds you before "
    "your renewal deadline."
)
ONBOARDING_INTRO = "Four quick taps make your roadmap personal (each can be skipped)."
ONBOARD_QUESTIONS = {
    "status": "1/4 · Where are you now?",
    "setting": "2/4 · Where do you work (or want to)?",
    "interest": "3/4 · What interests you most?",
    "state": "4/4 · Which state do you work in? (optional)",
}
ONBOARDING_DONE = (
    "All set. Try /path for your roadmap, /topics to browse, or just ask a question."
)

HELP = (
    "<b>What I can do</b>\n"
    "Ask any question about your pharmacy technician career in your own words, e.g. "
    "“how do I get my CPhT?”\n\n"
    "/path — your personal roadmap through the six stages\n"
    "/topics — browse topics with example questions\n"
    "/state — your state's technician rules (or /state Ohio)\n"
    "/profile — see or change your answers\n"
    "/ce — your CE log: /ce set, /ce add, /ce list, /ce status, /ce export\n"
    "/nudges on|off — renewal reminders\n"
    "/settings — your time zone for reminders\n"
    "/forget — delete everything I store about you\n\n"
    "I'm not a pharmacist: for medication questions ask your pharmacist or doctor."
)

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and a quick set-up"),
    ("path", "Your personal career roadmap"),
    ("state", "Your state's technician rules"),
    ("topics", "Browse topics and example questions"),
    ("ce", "Your CE log and renewal status"),
    ("profile", "See or change your profile"),
    ("nudges", "Turn renewal reminders on or off"),
    ("settings", "Time zone for reminders"),
    ("help", "What the bot can do"),
    ("forget", "Delete everything stored about you"),
)

UNKNOWN_STATE = (
    "I don't know a state called “{typed}”. Try /state Texas or /state TX "
    "(all 50 states, DC and Puerto Rico)."
)
STATE_NOT_SET = (
    "Which state? Try /state Ohio, or set your state in your profile and /state will show it."
)

RATE_LIMITED = "You're asking faster than I can keep up. Please wait a minute and ask again."
NOT_TEXT = "I can only read text messages. Type your question and I'll answer it."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STALE_BUTTON = "That button is from an older message. Please try again from a new one."
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
FORGET_CONFIRM = (
    "This deletes everything I store about you: your profile, conversation history, feedback, "
    "CE log, credentials and reminder history. It cannot be undone. Delete it all?"
)
FORGET_DONE = "Done. I deleted everything I stored about you. /start begins afresh any time."
FORGET_CANCELLED = "OK, nothing was deleted."
FORGET_EXPIRED = (
    "That confirmation has expired, so nothing was deleted. Send /forget again if you still "
    "want everything deleted."
)

TOPIC_OVERVIEWS: dict[str, tuple[str, tuple[str, str, str]]] = {
    "start": (
        ("What the job is, whether it suits you, and how people get trained:\n"
        "programs, on-the-job training and apprenticeships."),
        ("What does a pharmacy tech do all day?", "Do I need a training program?",
         "How do apprenticeships work?"),
    ),
    "registration": (
        ("State board registration and licensure, background checks,\n"
        "and what changes when you move to another state."),
        ("Do I need a state license?", "Can I work with a past misdemeanor?",
         "What if I move to another state?"),
    ),
    "certification": (
        ("PTCB's CPhT and NHA's ExCPT: who can apply, the exams, fees,\n"
        "retakes, how to prepare, and the CPhT-Adv."),
        ("How do I get my CPhT?", "PTCB or NHA: which should I take?",
         "What is the PTCE passing score?"),
    ),
    "ce_renewal": (
        ("Renewal cycles and the 20 CE hours: law and patient-safety hours,\n"
        "CPE Monitor, deadlines, late fees and reinstatement."),
        ("How many CE hours do I need to renew?", "What is a UAN?",
         "What happens if I miss my renewal?"),
    ),
    "sterile_compounding": (
        ("IV room and cleanroom work: USP <797>, garbing and competency tests,\n"
        "and the CSPT credential."),
        ("How do I become a CSPT?", "How do I get into IV room work from retail?",
         "How often are media fills done?"),
    ),
    "oncology_hazardous": (
        ("Chemo and hazardous drugs: USP <800>, the NIOSH list and PPE,\n"
        "and what to ask your employer about exposure and pregnancy."),
        ("What is USP 800?", "What PPE is needed for chemo?",
         "I'm pregnant: can I avoid hazardous drugs?"),
    ),
    "informatics": (
        ("Pharmacy informatics and automation roles for technicians:\n"
        "what they do, skills to build and credentials."),
        ("What does an informatics tech do?", "How do I get into pharmacy informatics?",
         "Are there informatics certifications?"),
    ),
    "nuclear": (
        ("Nuclear pharmacy: preparing radiopharmaceuticals under a nuclear pharmacist,\n"
        "training and radiation safety."),
        ("What does a nuclear pharmacy tech do?", "How do I train for nuclear pharmacy?",
         "Is nuclear pharmacy work safe?"),
    ),
    "settings": (
        ("Retail, hospital, long-term care, mail-order, specialty, compounding\n"
        "and remote roles, and moving from retail to hospital."),
        ("Retail vs hospital: what's different?", "How do I move from retail to a hospital?",
         "Are there remote pharmacy tech jobs?"),
    ),
    "leadership": (
        ("Lead technician, supervisor, buyer and educator roles,\n"
        "and the credentials that support them."),
        ("What does a lead pharmacy tech do?", "How do I become a pharmacy buyer?",
         "What is the CPTEd?"),
    ),
    "pay_outlook": (
        ("Pay with its year and source, the job outlook,\n"
        "and what tends to raise pay, including expanding roles."),
        ("How much do pharmacy techs make?", "How can I raise my pay?",
         "Can pharmacy techs give vaccines?"),
    ),
    "beyond_tech": (
        ("Moving on: pharmacy school, nursing and other health careers,\n"
        "and how tech experience helps."),
        ("How do I get into pharmacy school?", "Can I go from pharmacy tech to nursing?",
         "How does tech experience help later?"),
    ),
    "wellbeing": (
        ("Workload, breaks and burnout, deciding whether to change setting\n"
        "or career, and where to find support."),
        ("I'm burned out. What can I do?", "Do pharmacy techs get breaks?",
         "Should I change settings or careers?"),
    ),
}


# How people write on their phones, spelled out before a question is embedded, so the model
# (trained on edited English) reads "nuc pharm tech w/ 2 yrs" as "nuclear pharmacy technician
# with 2 years". Whole words only; the question shown back to the user is not changed.
SHORTHAND: dict[str, str] = {
    "pharm": "pharmacy",
    "pharma": "pharmacy",
    # in this bot's world a tech is a pharmacy technician ("how do i become a tech")
    "tech": "pharmacy technician",
    "techs": "pharmacy technicians",
    "pharmacy tech": "pharmacy technician",
    "pharmacy techs": "pharmacy technicians",
    "pharm tech": "pharmacy technician",
    "pharm techs": "pharmacy technicians",
    "tech-check-tech": "tech-check-tech",
    "tech check tech": "tech-check-tech",
    "tech school": "pharmacy technician school",
    # the big chains, which the model alone reads as shops rather than as pharmacies
    "cvs": "CVS pharmacy",
    "walgreens": "Walgreens pharmacy",
    "wags": "Walgreens pharmacy",
    "rite aid": "Rite Aid pharmacy",
    "nuc": "nuclear",
    "nuke": "nuclear",
    "cert": "certification",
    "certs": "certifications",
    "certd": "certified",
    "yr": "year",
    "yrs": "years",
    "hr": "hour",
    "hrs": "hours",
    "mo": "month",
    "mos": "months",
    "w/": "with",
    "w/o": "without",
    "abt": "about",
    "rly": "really",
    "ppl": "people",
    "u": "you",
    "ur": "your",
    "r": "are",
    "bc": "because",
    "b/c": "because",
    "govt": "government",
    "hs": "high school",
    "rph": "pharmacist",
    "rphs": "pharmacists",
    "hosp": "hospital",
    "onc": "oncology",
    "req": "requirement",
    "reqs": "requirements",
    "ce's": "CE hours",
    "ces": "CE hours",
    "$$": "more pay money",
    "$$$": "more pay money",
    "iv": "IV sterile compounding",
    "ltc": "long-term care",  # "ltc pharmacy tech whats it like": the acronym alone says little
    "chemo": "chemotherapy hazardous drugs",
    "tct": "tech-check-tech",
    "lol": "",
    "lmao": "",
    "tbh": "",
    "eprofile": "e-Profile",
    "inservice": "in-service training",
    "inservices": "in-service trainings",
    "pearson vue": "Pearson VUE",
    "pearson": "Pearson VUE",
    "handwash": "hand wash",
    "handwashing": "hand washing",
    "flunk": "fail",
    "flunked": "failed",
    "flunking": "failing",
    "rn": "right now",
    "asap": "soon",
}
