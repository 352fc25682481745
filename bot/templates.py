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

OFF_TOPIC_REDIRECT = (
    "That's outside what I know: I'm a career coach for pharmacy technicians. "
    "Ask me about training, certification (PTCB or NHA), CE and renewal, sterile compounding, "
    "hospital jobs, leadership roles or pay."
)

NO_MATCH = (
    "I don't have a sourced answer for that in my knowledge base yet, and I'd rather not guess. "
    "For certification rules check ptcb.org or nhanow.com; for state rules, your state board "
    "of pharmacy. Try /topics to see what I can answer."
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
    ),
    "emergency": (
        "my child swallowed a bottle of pills",
        "someone overdosed and is not breathing",
        "my friend took too many pills what do I do",
        "a coworker collapsed and is unconscious",
        "I think I was poisoned",
        "someone is having a seizure right now",
        "chest pain and can't breathe",
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
    ),
}
