"""The career model: stages, credential paths and a personal roadmap.

Plain data plus pure functions; no I/O of any kind. Every fact carries its source as a
:class:`Requirement`, taken from ``shared/reference/pharmtech-facts.md`` (archived copies, so
``as_of`` is the date or version the source states). Facts the reference marks uncertain or
third-party carry ``uncertain=True``. Fees and rules change often: the bot should always point
users to ``confirm_at`` (PTCB, NHA or their state board of pharmacy).

Stage decisions (see :func:`current_stage`):

* ``None`` (unknown), ``"exploring"`` and ``"training"`` -> ``foundation``
* ``"working"`` (working, not certified) -> ``experience``
* ``"certified"`` -> ``certification`` (reached; the next stage is ``specialization``)
* ``"specialist"`` -> ``specialization``; ``"leading"`` -> ``leadership``

The path is read as linear: a stage before the current one is "done". Continuing education runs
alongside once certified, so its step is "current" together with the user's stage from
certification on, and "later" before that. The step right after the current stage (among the
first five) is "next"; a user at ``leadership`` has no "next" step.
"""

from __future__ import annotations

from dataclasses import dataclass

# Source(title, url, as_of) is shared with the CE rules, so a source both modules cite is equal.
from bot.ce_rules import Source
from bot.states import (
    BOARD_ID,
    Jurisdiction,
    credential_sentence,
    renewal_sentence,
    state_sources,
)

# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Stage:
    id: str
    number: int
    name: str
    summary: str  # one sentence
    milestones: tuple[str, ...]


@dataclass(frozen=True)
class Requirement:
    """One sourced fact; ``uncertain`` when the reference marks it uncertain or third-party."""

    text: str
    source: Source
    uncertain: bool = False


@dataclass(frozen=True)
class CredentialPath:
    id: str
    name: str
    body: str
    stage: str  # a Stage.id
    summary: str
    requirements: tuple[Requirement, ...]
    # named pathways, e.g. ("Pathway 1", (...)), ("Pathway 2", (...))
    alternatives: tuple[tuple[str, tuple[Requirement, ...]], ...]
    fees: tuple[Requirement, ...]
    ask: str  # a question the user can tap to ask the bot more
    confirm_at: str  # URL where the user confirms current rules and fees


@dataclass(frozen=True)
class Profile:
    status: str | None
    setting: str | None
    interests: tuple[str, ...] = ()
    state: str | None = None  # two-letter code, e.g. "TX"

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUS_LABELS:
            raise ValueError(f"unknown status {self.status!r}")
        if self.setting is not None and self.setting not in SETTING_LABELS:
            raise ValueError(f"unknown setting {self.setting!r}")
        for interest in self.interests:
            if interest not in INTEREST_LABELS:
                raise ValueError(f"unknown interest {interest!r}")


@dataclass(frozen=True)
class RoadmapStep:
    stage: Stage
    title: str
    status: str  # "done" | "current" | "next" | "later"
    detail: str
    requirements: tuple[Requirement, ...]
    ask: str  # button text, <= 60 characters
    credential_ids: tuple[str, ...] = ()  # keys of CREDENTIAL_PATHS this step is about


@dataclass(frozen=True)
class Roadmap:
    profile: Profile
    current: Stage
    next_milestone: str
    steps: tuple[RoadmapStep, ...]
    notes: tuple[str, ...] = ()
    board: tuple[str, str] | None = None  # (name, url) of the profile state's board

    def step(self, stage_id: str) -> RoadmapStep:
        """The step for one stage id."""
        for s in self.steps:
            if s.stage.id == stage_id:
                return s
        raise KeyError(stage_id)


STEP_STATUSES: tuple[str, ...] = ("done", "current", "next", "later")
ASK_MAX_CHARS = 60

# --------------------------------------------------------------------------- labels

STATUS_LABELS: dict[str, str] = {
    "exploring": "Just exploring",
    "training": "In training",
    "working": "Working, not certified yet",
    "certified": "Certified (CPhT)",
    "specialist": "Certified and specialized",
    "leading": "Leading or training others",
}

SETTING_LABELS: dict[str, str] = {
    "retail": "Retail / community",
    "hospital": "Hospital",
    "other": "Another setting",
}

INTEREST_LABELS: dict[str, str] = {
    "sterile": "Sterile compounding (IV)",
    "oncology": "Oncology / hazardous drugs",
    "informatics": "Informatics and automation",
    "nuclear": "Nuclear pharmacy",
    "leadership": "Leading a team",
    "pharmacy_school": "Pharmacy school",
    "pay": "Pay and raises",
}

US_STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
}

# --------------------------------------------------------------------------- stages

STAGES: tuple[Stage, ...] = (
    Stage(
        id="foundation",
        number=1,
        name="Foundation — learning the work",
        summary="You learn what pharmacy technicians do, on the job or in a training program, "
        "and check what your state asks of you before you start.",
        milestones=(
            "Learn what the work involves",
            "Choose on-the-job training or a training program",
            "Check your state board of pharmacy's rules",
        ),
    ),
    Stage(
        id="experience",
        number=2,
        name="Experience — building your hours",
        summary="Every shift builds skill and counts toward certification, so keep track of "
        "your hours.",
        milestones=(
            "Work as a technician or technician trainee",
            "Learn your setting's workflow and safety checks",
            "Keep a record of your hours",
        ),
    ),
    Stage(
        id="certification",
        number=3,
        name="Certification — earning your CPhT",
        summary="A national certification (PTCB or NHA) shows what you know and opens the "
        "door to advanced credentials.",
        milestones=(
            "Choose PTCB or NHA",
            "Pass the PTCE or the ExCPT",
            "Update your state registration if your state requires it",
        ),
    ),
    Stage(
        id="specialization",
        number=4,
        name="Specialization — finding your focus",
        summary="You pick an area you enjoy, such as sterile compounding, hazardous drugs, "
        "informatics or nuclear pharmacy, and earn a credential that proves it.",
        milestones=(
            "Pick a focus area",
            "Get experience in it",
            "Earn the credential or certificates that prove it",
        ),
    ),
    Stage(
        id="leadership",
        number=5,
        name="Leadership — guiding and teaching others",
        summary="You lead, train or buy for a team as a lead tech, supervisor, buyer or "
        "educator.",
        milestones=(
            "Mentor newer technicians",
            "Take on a lead, supervisor, buyer or educator role",
            "Back it with CPhT-Adv or CPTEd",
        ),
    ),
    Stage(
        id="continuing_education",
        number=6,
        name="Continuing education — staying current",
        summary="Once you are certified, continuing education runs alongside every other "
        "stage and keeps your credential active.",
        milestones=(
            "Earn CE hours in every renewal cycle",
            "Include the required law and patient-safety hours",
            "Renew on time and keep proof of completion",
        ),
    ),
)

STAGE_BY_ID: dict[str, Stage] = {s.id: s for s in STAGES}
_STAGE_INDEX: dict[str, int] = {s.id: i for i, s in enumerate(STAGES)}
_LINEAR_STAGE_IDS: tuple[str, ...] = tuple(s.id for s in STAGES[:5])  # CE runs alongside

# --------------------------------------------------------------------------- sources

_PTCB_HELP = "https://ptcb.zendesk.com/hc/en-us"
_PTCB = "https://www.ptcb.org"

BLS_OOH = Source(
    "BLS Occupational Outlook Handbook: Pharmacy Technicians",
    "https://www.bls.gov/ooh/healthcare/pharmacy-technicians.htm",
    "May 2023 wage data, 2023–33 projections",
)
BLS_OOH_OLDER = Source(
    "BLS Occupational Outlook Handbook: Pharmacy Technicians, How to Become One "
    "(older edition, blsmon1.bls.gov mirror)",
    "https://www.bls.gov/ooh/healthcare/pharmacy-technicians.htm",
    "older edition, undated",
)
PTCB_CPHT_PAGE = Source(
    "PTCB: Certified Pharmacy Technician (CPhT)",
    "https://www.ptcb.org/credentials/certified-pharmacy-technician",
    "undated",
)
PTCB_HELP_PATHWAY1 = Source(
    "PTCB Help Center: I have not yet completed an education/training program…",
    _PTCB_HELP,
    "undated",
)
PTCB_HELP_WORK = Source(
    "PTCB Help Center: How do I become certified as a CPhT / What is considered work "
    "experience?",
    _PTCB_HELP,
    "undated",
)
PTCB_HELP_MISCONDUCT = Source(
    "PTCB Help Center: I have a misconduct record. Am I eligible…?",
    _PTCB_HELP,
    "undated (newer version)",
)
PTCB_HELP_APPLY = Source(
    "PTCB Help Center: How to Apply for CPhT Certification", _PTCB_HELP, "undated"
)
PTCB_HELP_OUTSIDE_US = Source(
    "PTCB Help Center: Eligibility Policy for Applicants Outside of the US",
    _PTCB_HELP,
    "v1.4, Dec 2025",
)
PTCB_REFUND = Source("PTCB Help Center: What is PTCB's Refund Policy", _PTCB_HELP, "undated")
# The next five carry exactly the values bot/ce_rules.py uses for the same pages.
PTCB_HELP_RENEW_FEE = Source(
    "PTCB Help Center: What is the cost to renew my Certification",
    "https://ptcb.zendesk.com/hc/en-us/articles/"
    "207090057-What-is-the-cost-to-renew-my-Certification",
    "undated (newest version: $55 renewal, $95 reinstatement)",
)
PTCB_HELP_RECERT = Source(
    "PTCB Help Center: How do I recertify my CPhT Certification? (newer version)",
    "https://ptcb.zendesk.com/hc/en-us/articles/"
    "206879047-How-do-I-recertify-my-CPhT-Certification",
    "undated (newer version)",
)
PTCB_HELP_LICENSE = Source(
    "PTCB Help Center: How can I obtain a state license?", _PTCB_HELP, "April 2016"
)
PTCB_HELP_CSPT = Source(
    "PTCB Help Center: What are the requirements for becoming a CSPT?", _PTCB_HELP, "undated"
)
PTCB_CSPT_PAGES = Source("PTCB: CSPT credential pages", _PTCB, "undated")
PTCB_CSPT_2018 = Source(
    "PTCB: CSPT Program Requirements and Fees (www2.ptcb.org, launch-era page)",
    "https://www2.ptcb.org/get-certified/cspt/program-requirements-and-fees",
    "circa 2018",
)
PTCB_HELP_CSPT_RENEWAL = Source(
    "PTCB Help Center: CSPT renewal (older and newer versions)", _PTCB_HELP, "undated"
)
PTCB_CPHT_ADV = Source(
    "PTCB Guidebook: Advanced Certified Pharmacy Technician (CPhT-Adv) Program",
    "https://www.ptcb.org/guidebook/advanced-certified-pharmacy-technician-cpht-adv-program",
    "undated",
)
PTCB_CPHT_ADV_CLAIM = Source(
    "PTCB Help Center: How do I claim the CPhT-Adv Certification once I become eligible?",
    "https://ptcb.zendesk.com/hc/en-us/articles/"
    "360052873632-How-do-I-claim-the-CPhT-Adv-Certification-once-I-become-eligible",
    "undated",
)
PTCB_CERTIFICATE_PAGES_HISTORY = Source(
    "PTCB certificate pages, older (about 2020–2022) and newer versions", _PTCB, "undated"
)
PTCB_CPTED = Source(
    "PTCB Guidebook: CPTEd Program", "https://www.ptcb.org/guidebook/cpted-program", "undated"
)
PTCB_CERTIFICATE_LIST = Source(
    "PTCB Help Center: When did the Assessment-Based Certificate Program Exams become "
    "available?",
    _PTCB_HELP,
    "undated",
)
PTCB_CREDENTIAL_PAGES = Source("PTCB credential pages", _PTCB, "undated")
PTCB_HD_PAGES = Source("PTCB: Hazardous Drug Management certificate pages", _PTCB, "undated")
PTCB_TPV_PAGES = Source(
    "PTCB: Technician Product Verification certificate pages; PTCB Help Center: state "
    "board-approved validation program",
    _PTCB,
    "undated",
)
CERTIFICATES_NO_EXPIRY_3P = Source(
    "pharmacytechnicianschools.com (citing PTCB); vivian.com",
    "https://www.pharmacytechnicianschools.com",
    "undated",
)
TPV_STATE_COUNTS_3P = Source(
    "LegalClarity: Which States Allow Tech-Check-Tech?",
    "https://legalclarity.org/which-states-allow-tech-check-tech",
    "undated",
)
NHA_FAQ = Source("NHA FAQ", "https://info.nhanow.com/faqs", "undated")
NHA_EXCPT_BLOG = Source(
    "NHA blog: The ExCPT exam — what to expect and how to prepare",
    "https://info.nhanow.com",
    "undated",
)
NHA_RENEW = Source(
    "NHA: Renew your Certified Pharmacy Technician certification",
    "https://www.nhanow.com/certifications/pharmacy-technician/renew",
    "undated (newer version)",
)
EXCPT_PATHWAYS_3P = Source(
    "TrueLearn: Your personal roadmap to success for the NHA CPhT exam",
    "https://truelearn.com/resource-library/your-personal-roadmap-to-success-for-the-nha-cpht-exam/",
    "undated",
)
TX_OCC_568_002 = Source(
    "Texas Occupations Code §568.002 (FindLaw copy)",
    "https://codes.findlaw.com/tx/occupations-code/occ-sect-568-002/",
    "current as of Jan 1, 2024",
)
COLLIN_COLLEGE = Source(
    "Collin College: Pharmacy Technician Licensing and Certifications",
    "https://www.collin.edu",
    "undated",
)
TSBP_CE = Source(
    "TSBP: Continuing Education — Pharmacy Technicians (FAQ)",
    "https://www.pharmacy.texas.gov/licensees/ce-tech-faq.asp",
    "undated",
)
DOL_LEAD_TECH = Source(
    "US DOL RAPIDS: Lead Pharmacy Technician, Retail apprenticeship (CVS Health)",
    "https://www.rapidskillsgenerator.org",
    "2021-07-16",
)
SUPERVISOR_POSTING = Source(
    "Tennessee hospital job posting: pharmacy technician supervisor (sca.talent.com)",
    "https://sca.talent.com",
    "undated",
)
ASHP_PURCHASER = Source(
    "ASHP: Pharmacy Purchaser (advanced role)", "https://www.ashp.org", "undated"
)
BECKERS_ADVANCED_ROLES = Source(
    "Becker's Hospital Review: technicians in advanced roles",
    "https://www.beckershospitalreview.com",
    "2024",
)
RESUMECAT = Source("resumecat.com: pharmacy career roles", "https://resumecat.com", "undated")
ASHP_INFORMATICS = Source(
    "ASHP: Pharmacy Technician Informatics Specialist", "https://www.ashp.org", "undated"
)
NUCLEAR_ROLE_3P = Source(
    "alliedhealthnetwork.org; bestpharmacytechtraining.com: nuclear pharmacy technician",
    "https://alliedhealthnetwork.org",
    "undated",
)
NUCLEAR_EDUCATION_ONLINE = Source(
    "Nuclear Education Online: Nuclear Pharmacy Technician syllabus (UNM-affiliated)",
    "https://www.nuclearonline.org",
    "undated",
)
RXCE_ONCOLOGY = Source(
    "rxce.com: How to Become an Oncology Pharmacy Technician", "https://www.rxce.com", "undated"
)

# --------------------------------------------------------------------------- requirements

_R = Requirement

# Foundation: entry into the field (BLS, PTCB).
ENTRY_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("The usual minimum is a high school diploma or equivalent; no prior work experience "
       "is needed.", BLS_OOH),
    _R("Most technicians learn on the job, with training set by the employer; others "
       "complete a pharmacy technology program at a vocational school or community college.",
       BLS_OOH),
    _R("Most programs award a certificate in a year or less and include hands-on experience "
       "in a pharmacy; some longer ones lead to an associate degree.", BLS_OOH_OLDER),
    _R("PTCB lists more than 1,400 recognized education/training programs.", PTCB_CPHT_PAGE),
)

CSPT_EXPERIENCE_RULE = _R(
    "The experience must fall within the last 8 years, in a US facility subject to USP "
    "<797>/<800>; roles only partly devoted to sterile compounding can qualify.",
    PTCB_HELP_CSPT,
)

# Advanced PTCB credentials need a PTCB CPhT.
ADVANCED_NEED_PTCB = _R(
    "PTCB's advanced credentials (CSPT, CPhT-Adv and all assessment-based certificates) need "
    "an active PTCB CPhT; an NHA CPhT alone does not qualify (CPTEd is the exception).",
    PTCB_CREDENTIAL_PAGES,
)
PTCB_RENEWAL_FEE = _R(
    "PTCB renewal fee: $55 every 2 years for CPhT or CPhT-Adv, plus a $25 late fee if you "
    "miss the deadline; older pages list $49. Apply early and check ptcb.org.",
    PTCB_HELP_RENEW_FEE,
    uncertain=True,
)

CE_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("PTCB CPhT: renew every 2 years with 20 CE hours earned in the current cycle, at "
       "least 15 technician-specific (\"T\"), including 1 hour of pharmacy law and 1 hour "
       "of patient safety.", PTCB_HELP_RECERT),
    _R("NHA CPhT: renew every 2 years with at least 20 CE hours, including 1 hour of "
       "pharmacy law and 1 hour of patient safety; the fee is $55.", NHA_RENEW),
)
TEXAS_CE_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("Texas registration: 20 CE hours per 2-year renewal with at least 1 hour on Texas "
       "pharmacy law or rules, plus an HHSC-approved human trafficking prevention course.",
       TSBP_CE),
)

TEXAS_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("In Texas you must register with the Texas State Board of Pharmacy before you start "
       "work as a pharmacy technician or technician trainee.", TX_OCC_568_002),
    _R("Texas colleges describe the order as trainee registration during training, then "
       "national certification (PTCB or NHA), then technician registration.",
       COLLIN_COLLEGE, uncertain=True),
)

LEADERSHIP_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("Lead technician: a DOL-registered apprenticeship describes it as a role built on the "
       "technician job, focused on mentoring and guiding support staff, with team building, "
       "conflict resolution and delegation.", DOL_LEAD_TECH),
    _R("Technician supervisor (one hospital posting): schedules, supervises and evaluates "
       "technicians; asked for 5 years' experience, or 4 years plus state-approved "
       "certification.", SUPERVISOR_POSTING, uncertain=True),
    _R("Pharmacy buyer/purchaser: manages wholesaler and specialty orders, par levels, "
       "controlled-substance ordering, DSCSA records and drug shortages.", ASHP_PURCHASER),
    _R("PTCB's CEO said in 2024 that over 90% of health-system technicians in advanced roles "
       "work in supply chain or inventory.", BECKERS_ADVANCED_ROLES, uncertain=True),
    _R("Technician educator: PTCB's CPTEd (launched March 2025) is the first national "
       "credential for technician educators.", PTCB_CPTED),
    _R("CPhT-Adv: an active PTCB CPhT, 3 years' experience in the last 8, and 4 PTCB "
       "certificates (or 3 plus the CSPT); no exam and no fee.", PTCB_CPHT_ADV),
    _R("A pharmacy manager or pharmacist-in-charge is normally a licensed pharmacist; "
       "technicians usually lead as lead tech, supervisor, buyer, coordinator or educator.",
       RESUMECAT, uncertain=True),
)

INFORMATICS_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("PTCB's list of 11 assessment-based certificates has no informatics certificate.",
       PTCB_CERTIFICATE_LIST),
    _R("ASHP describes the pharmacy technician informatics specialist: keeping order entry, "
       "automated dispensing and compounding systems running and accurate, training users "
       "and building reports.", ASHP_INFORMATICS),
    _R("ASHP advises learning analytics software, automation, barcode technology and "
       "electronic order entry, and points to its eLearning Pharmacy Informatics "
       "Certificate.", ASHP_INFORMATICS),
    _R("Demand is strong but there is no defined career path into informatics technician "
       "jobs.", BECKERS_ADVANCED_ROLES, uncertain=True),
)

NUCLEAR_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("Nuclear pharmacy technicians prepare and dispense radiopharmaceuticals under an "
       "authorized nuclear pharmacist, with quality-control tests and strict radiation "
       "safety.", NUCLEAR_ROLE_3P, uncertain=True),
    _R("Example training program: you must already work in a nuclear pharmacy, have at least "
       "90 days' experience as a nuclear pharmacy technician, an Authorized Nuclear "
       "Pharmacist as preceptor, and score at least 70% on a math review.",
       NUCLEAR_EDUCATION_ONLINE),
)

ONCOLOGY_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("Oncology technicians prepare and dispense chemotherapy and manage hazardous-drug "
       "inventory, usually in hospitals or infusion centers.", RXCE_ONCOLOGY, uncertain=True),
    _R("No oncology-specific technician certification appears in PTCB's list, and none "
       "turned up elsewhere in the sources searched; verify before relying on this.",
       PTCB_CERTIFICATE_LIST, uncertain=True),
)

CERTIFICATE_REQUIREMENTS: tuple[Requirement, ...] = (
    _R("PTCB offers 11 assessment-based certificates, among them Technician Product "
       "Verification, Medication History, Hazardous Drug Management, Billing and "
       "Reimbursement, Immunization Administration and Supply Chain and Inventory "
       "Management; each needs an active PTCB CPhT.", PTCB_CERTIFICATE_LIST),
    _R("PTCB certificate programs cost $89 each, non-refundable.", PTCB_REFUND),
)

# --------------------------------------------------------------------------- credentials

CREDENTIAL_PATHS: dict[str, CredentialPath] = {
    "ptcb-cpht": CredentialPath(
        id="ptcb-cpht",
        name="Certified Pharmacy Technician (CPhT)",
        body="PTCB",
        stage="certification",
        summary="PTCB's national certification, earned through a recognized program or work "
        "experience plus the PTCE exam; the gate to every PTCB advanced credential.",
        requirements=(
            _R("Live in the US or its territories.", PTCB_CPHT_PAGE),
            _R("Complete a PTCB-Recognized Education/Training Program (REP) or have "
               "equivalent work experience.", PTCB_CPHT_PAGE),
            _R("Fully disclose any criminal history and any state board registration or "
               "licensure actions, and comply with PTCB policies.", PTCB_CPHT_PAGE),
            _R("A misconduct record does not disqualify you automatically: PTCB reviews each "
               "case and gives a written decision in about 4 weeks.", PTCB_HELP_MISCONDUCT),
            _R("Pass the PTCE (Pharmacy Technician Certification Exam).", PTCB_CPHT_PAGE),
            _R("After approval you have 90 days to schedule and take the PTCE.",
               PTCB_HELP_APPLY),
            _R("The PTCE is given at Pearson VUE test centers in the US; it cannot be taken "
               "online.", PTCB_HELP_OUTSIDE_US),
            _R("High school diploma: older PTCB materials and third-party guides list it, but "
               "PTCB's current eligibility list does not. Confirm with PTCB.",
               PTCB_CPHT_PAGE, uncertain=True),
        ),
        alternatives=(
            ("Pathway 1", (
                _R("Complete a PTCB-Recognized Education/Training Program.", PTCB_CPHT_PAGE),
                _R("You may apply and test within 60 days of finishing; certification is "
                   "granted once PTCB receives proof of completion.", PTCB_HELP_PATHWAY1),
            )),
            ("Pathway 2", (
                _R("At least 500 hours of work as a pharmacy technician at a US facility, "
                   "from any time period, complete when you apply.", PTCB_HELP_WORK),
                _R("Technician, technician-trainee and volunteer-technician roles count; you "
                   "attest to the hours yourself and PTCB may audit.", PTCB_HELP_WORK),
            )),
        ),
        fees=(
            _R("$129 for application plus exam; $79 is refunded if the application is "
               "withdrawn or denied.", PTCB_REFUND),
            _R("Optional Pre-PTCE practice exam: $29.", PTCB_REFUND),
            PTCB_RENEWAL_FEE,
        ),
        ask="How do I get my PTCB CPhT?",
        confirm_at="https://www.ptcb.org/credentials/certified-pharmacy-technician",
    ),
    "nha-cpht": CredentialPath(
        id="nha-cpht",
        name="Certified Pharmacy Technician (CPhT) via the ExCPT exam",
        body="NHA",
        stage="certification",
        summary="NHA's national certification, earned through training or supervised work "
        "plus the ExCPT exam; it does not qualify you for PTCB's advanced credentials.",
        requirements=(
            _R("A high school diploma, GED or equivalent, or be within 60 days of getting "
               "one.", NHA_FAQ),
            _R("Pass the ExCPT: 100 scored plus 20 pretest questions in 2 hours 10 minutes.",
               NHA_EXCPT_BLOG),
        ),
        alternatives=(
            ("Training", (
                _R("A pharmacy technician program from an accredited or state-recognized "
                   "provider, or US military medical training.", NHA_FAQ),
                _R("If your training ended 5 or more years before you apply, you also need "
                   "relevant work experience.", NHA_FAQ),
            )),
            ("Work experience", (
                _R("At least 1 year of supervised work in the field within the past 3 years.",
                   NHA_FAQ),
                _R("Third-party summaries put this at 1,200 hours of supervised pharmacy work "
                   "within the past 3 years.", EXCPT_PATHWAYS_3P, uncertain=True),
            )),
            ("Apprenticeship", (
                _R("Completing a US Department of Labor Registered Apprenticeship.",
                   EXCPT_PATHWAYS_3P, uncertain=True),
            )),
        ),
        fees=(
            _R("Renewal: $55 every 2 years.", NHA_RENEW),
        ),
        ask="How do I get the NHA CPhT (ExCPT)?",
        confirm_at="https://www.nhanow.com/certifications/pharmacy-technician/renew",
    ),
    "cspt": CredentialPath(
        id="cspt",
        name="Certified Compounded Sterile Preparation Technician (CSPT)",
        body="PTCB",
        stage="specialization",
        summary="PTCB's certification for sterile compounding (IV room and cleanroom work).",
        requirements=(
            _R("An active PTCB CPhT.", PTCB_HELP_CSPT),
            _R("Full-time means at least 30 hours a week.", PTCB_HELP_CSPT),
            CSPT_EXPERIENCE_RULE,
            _R("A supervisor completes PTCB's Competency Attestation Form.", PTCB_CSPT_PAGES),
            _R("Pass the CSPT exam within a 1-year candidacy window.", PTCB_CSPT_PAGES),
            _R("The exam has 75 questions in 2 hours.", PTCB_CSPT_2018),
            _R("Renewal cycle and required sterile-compounding CE hours are not confirmed for "
               "the current program (an older version says yearly renewal).",
               PTCB_HELP_CSPT_RENEWAL, uncertain=True),
        ),
        alternatives=(
            ("Pathway 1", (
                _R("Complete (or be enrolled in) a PTCB-recognized sterile compounding "
                   "education/training program.", PTCB_HELP_CSPT),
                _R("Plus 1 year of full-time, continuous sterile compounding work.",
                   PTCB_HELP_CSPT),
            )),
            ("Pathway 2", (
                _R("3 years of full-time, continuous sterile compounding work.",
                   PTCB_HELP_CSPT),
            )),
        ),
        fees=(
            _R("$50 application fee (once per candidacy window).", PTCB_REFUND),
            _R("$149 exam fee.", PTCB_REFUND),
        ),
        ask="How do I become a CSPT?",
        confirm_at=_PTCB,
    ),
    "cpht-adv": CredentialPath(
        id="cpht-adv",
        name="Advanced Certified Pharmacy Technician (CPhT-Adv)",
        body="PTCB",
        stage="specialization",
        summary="PTCB's advanced credential for experienced CPhTs who have built up several "
        "PTCB certificates.",
        requirements=(
            _R("An active PTCB CPhT.", PTCB_CPHT_ADV),
            _R("At least 3 years of technician experience within the past 8 years; "
               "experience as a technician educator counts.", PTCB_CPHT_ADV),
            _R("No exam and no fee to claim it.", PTCB_CPHT_ADV),
            _R("It replaces your CPhT, keeping the same certification number and renewal "
               "cycle.", PTCB_CPHT_ADV_CLAIM),
            _R("Renew every 2 years with 25 CE hours (the 20 CPhT hours plus 5 more).",
               PTCB_CPHT_ADV),
            _R("Older PTCB pages said the four certificates had to include Technician "
               "Product Verification (TPV) or Medication History; newer pages leave this "
               "out. Treat it as not required now, but verify.",
               PTCB_CERTIFICATE_PAGES_HISTORY, uncertain=True),
        ),
        alternatives=(
            ("4 certificates", (
                _R("At least 4 PTCB assessment-based certificates.", PTCB_CPHT_ADV),
            )),
            ("3 certificates + CSPT", (
                _R("At least 3 PTCB assessment-based certificates plus the CSPT.",
                   PTCB_CPHT_ADV),
            )),
        ),
        fees=(
            _R("No fee to claim the CPhT-Adv.", PTCB_CPHT_ADV_CLAIM),
            PTCB_RENEWAL_FEE,
        ),
        ask="How do I earn the CPhT-Adv?",
        confirm_at=_PTCB,
    ),
    "cpted": CredentialPath(
        id="cpted",
        name="Certified Pharmacy Technician Educator (CPTEd)",
        body="PTCB",
        stage="leadership",
        summary="PTCB's credential for technicians who teach and train other technicians.",
        requirements=(
            _R("Pass an 85-question multiple-choice exam (a 1 hour 30 minute appointment) and a "
               "written exam with 3 prompts, both within a 1-year candidacy window.", PTCB_CPTED),
            _R("Launched in March 2025 as the first national credential for technician "
               "educators.", PTCB_CPTED),
        ),
        alternatives=(
            ("PTCB CPhT", (
                _R("An active PTCB CPhT with at least 3 years of experience educating, "
                   "instructing or training in pharmacy.", PTCB_CPTED),
            )),
            ("NHA CPhT or pharmacy degree", (
                _R("An active NHA CPhT or a pharmacy degree, with at least 3 years of "
                   "experience educating, instructing or training in pharmacy.", PTCB_CPTED),
            )),
        ),
        fees=(
            _R("Application fee: $50 for PTEC members, $99 for others.", PTCB_REFUND),
        ),
        ask="How do I become a CPTEd?",
        confirm_at="https://www.ptcb.org/guidebook/cpted-program",
    ),
    "hd-certificate": CredentialPath(
        id="hd-certificate",
        name="Hazardous Drug Management Certificate",
        body="PTCB",
        stage="specialization",
        summary="A PTCB assessment-based certificate for handling hazardous drugs under "
        "USP <800>.",
        requirements=(
            _R("An active PTCB CPhT.", PTCB_CERTIFICATE_LIST),
            _R("Complete a PTCB-recognized Hazardous Drug Management education/training "
               "program.", PTCB_HD_PAGES),
            _R("The exam covers engineering controls (22%), facility cleaning (16%), PPE, "
               "transport and receiving, dispensing final dosage forms, and administrative "
               "topics.", PTCB_HD_PAGES),
            _R("Third-party sources citing PTCB say certificates do not expire and need no CE.",
               CERTIFICATES_NO_EXPIRY_3P, uncertain=True),
        ),
        alternatives=(),
        fees=(
            _R("$89, non-refundable.", PTCB_REFUND),
        ),
        ask="What is the Hazardous Drug Management certificate?",
        confirm_at=_PTCB,
    ),
    "tpv-certificate": CredentialPath(
        id="tpv-certificate",
        name="Technician Product Verification (TPV) Certificate",
        body="PTCB",
        stage="specialization",
        summary="A PTCB assessment-based certificate for technicians who do the final product "
        "check where state law allows it.",
        requirements=(
            _R("An active PTCB CPhT.", PTCB_CERTIFICATE_LIST),
            _R("The exam has 120 questions in 2 hours (1 h 45 min of testing), with a passing "
               "scaled score of 300, and simulates the final product check.", PTCB_TPV_PAGES),
            _R("Whether technicians may do the final check depends on state law: a third-party "
               "summary counts about 21 states allowing tech-check-tech, and ASHP found "
               "TPV-permitting language in 28; counts vary by source and year.",
               TPV_STATE_COUNTS_3P, uncertain=True),
        ),
        alternatives=(
            ("Recognized program", (
                _R("Complete a PTCB-recognized TPV education/training program.",
                   PTCB_TPV_PAGES),
            )),
            ("State validation program", (
                _R("Complete a state board-approved validation program; applications on "
                   "this route are reviewed.", PTCB_TPV_PAGES),
            )),
        ),
        fees=(
            _R("$89, non-refundable.", PTCB_REFUND),
        ),
        ask="What is the TPV certificate?",
        confirm_at=_PTCB,
    ),
    "state-registration": CredentialPath(
        id="state-registration",
        name="State registration or licensure",
        body="Your state board of pharmacy",
        stage="foundation",
        summary="Register with your state board of pharmacy before you start work where your "
        "state requires it; rules vary by state.",
        requirements=(
            _R("Each state board of pharmacy sets its own technician rules; some require a "
               "high school diploma or GED, a training program, an exam, fees, CE or a "
               "criminal background check.", BLS_OOH_OLDER),
            _R("Certification (PTCB, NHA) is voluntary; registration puts you on your state's "
               "list of technicians; licensure is the state's permission to practise. PTCB "
               "does not issue state licenses.", PTCB_HELP_LICENSE),
        ),
        alternatives=(("Texas example", TEXAS_REQUIREMENTS),),
        fees=(),
        ask="What does my state require to work as a tech?",
        confirm_at="https://nabp.pharmacy/",
    ),
}

# --------------------------------------------------------------------------- functions

_STATUS_TO_STAGE: dict[str | None, str] = {
    None: "foundation",
    "exploring": "foundation",
    "training": "foundation",
    "working": "experience",
    "certified": "certification",
    "specialist": "specialization",
    "leading": "leadership",
}


def current_stage(profile: Profile) -> Stage:
    """The stage the user is in now (see the module docstring for the mapping)."""
    return STAGE_BY_ID[_STATUS_TO_STAGE[profile.status]]


def flatten_path(path: CredentialPath) -> tuple[Requirement, ...]:
    """A path's requirements followed by its pathways, each labelled ``"<name>: ..."``."""
    labelled = tuple(
        Requirement(f"{name}: {req.text}", req.source, req.uncertain)
        for name, reqs in path.alternatives
        for req in reqs
    )
    return path.requirements + labelled


def _unique(reqs: tuple[Requirement, ...]) -> tuple[Requirement, ...]:
    return tuple(dict.fromkeys(reqs))


def _state_code(profile: Profile) -> str | None:
    if not profile.state or not profile.state.strip():
        return None
    return profile.state.strip().upper()


def _state_name(code: str) -> str:
    return US_STATE_NAMES.get(code, code)


# Specialization focus: (interest that selects it, in priority order).
_FOCUS_ORDER: tuple[str, ...] = ("oncology", "sterile", "informatics", "nuclear")


def _focus(profile: Profile) -> str:
    for interest in _FOCUS_ORDER:
        if interest in profile.interests:
            return interest
    return "default"


@dataclass(frozen=True)
class _StepContent:
    title: str
    detail: str
    requirements: tuple[Requirement, ...]
    ask: str
    credential_ids: tuple[str, ...] = ()


def state_requirements(record: Jurisdiction) -> tuple[Requirement, ...]:
    """The state's core requirement and renewal rule, each with its source; a fact no source
    settles names the board to check with."""
    sources = {s.id: s for s in state_sources(record)}

    def cite(source_id: str | None) -> Source:
        src = sources[source_id or BOARD_ID]
        return Source(src.title, src.url, src.as_of)

    cred = record.credential
    first = Requirement(credential_sentence(record), cite(cred.source),
                        uncertain=cred.value is None or sources[cred.source or BOARD_ID]
                        .reliability == "3rd-party")
    renewal = Requirement(renewal_sentence(record), cite(record.renewal.source),
                          uncertain=record.renewal.ce_hours is None)
    return (first, renewal)


def _foundation(profile: Profile, state: Jurisdiction | None = None) -> _StepContent:
    reg = CREDENTIAL_PATHS["state-registration"]
    reqs = ENTRY_REQUIREMENTS + reg.requirements
    code = _state_code(profile)
    if state is not None:
        reqs = state_requirements(state) + reqs
    if code == "TX":
        reqs += TEXAS_REQUIREMENTS
    board = (f"the {state.board.name} ({state.board.url})" if state is not None
             else "your state board of pharmacy")
    return _StepContent(
        title="Learn the work and check your state's rules",
        detail="Most technicians learn on the job; others take a pharmacy technology "
        f"program. Check the rules of {board} before you start work.",
        requirements=reqs,
        ask="How do I become a pharmacy technician?",
        credential_ids=("state-registration",),
    )


def _experience(profile: Profile) -> _StepContent:
    ptcb = dict(CREDENTIAL_PATHS["ptcb-cpht"].alternatives)["Pathway 2"]
    nha = dict(CREDENTIAL_PATHS["nha-cpht"].alternatives)["Work experience"]
    reqs = ptcb + nha
    detail = ("Your hours count: PTCB's work pathway needs 500 hours as a technician; NHA's "
              "needs 1 year of supervised work in the past 3 years.")
    if profile.setting == "hospital":
        reqs += (CSPT_EXPERIENCE_RULE,)
        detail += (" In a hospital, ask about IV-room shifts: sterile compounding experience "
                   "counts toward the CSPT later.")
    return _StepContent(
        title="Build your hours on the job",
        detail=detail,
        requirements=reqs,
        ask="Do my work hours count toward the CPhT?",
        credential_ids=("ptcb-cpht", "nha-cpht"),
    )


def _certification(profile: Profile, reached: bool) -> _StepContent:
    if reached:
        return _StepContent(
            title="You hold a CPhT: keep it active",
            detail="Certification reached. PTCB's advanced credentials need an active PTCB "
            "CPhT, so renew on time.",
            requirements=(ADVANCED_NEED_PTCB, PTCB_RENEWAL_FEE),
            ask="How do I renew my CPhT?",
            credential_ids=("ptcb-cpht",),
        )
    ptcb = CREDENTIAL_PATHS["ptcb-cpht"]
    return _StepContent(
        title="Earn your PTCB CPhT",
        detail="PTCB's CPhT needs a recognized training program or 500 work hours, then the "
        "PTCE. NHA's CPhT (ExCPT exam) is the other national option, but PTCB's advanced "
        "credentials need the PTCB CPhT.",
        requirements=flatten_path(ptcb) + ptcb.fees + (ADVANCED_NEED_PTCB,),
        ask=ptcb.ask,
        credential_ids=("ptcb-cpht", "nha-cpht"),
    )


def _specialization(profile: Profile) -> _StepContent:
    focus = _focus(profile)
    cspt = CREDENTIAL_PATHS["cspt"]
    if focus == "sterile":
        return _StepContent(
            title="Specialize in sterile compounding: the CSPT",
            detail="The CSPT needs an active PTCB CPhT plus Pathway 1 (a recognized sterile "
            "compounding program and 1 year of full-time sterile compounding) or Pathway 2 "
            "(3 years full-time). Full-time means 30+ hours a week, within the last 8 years.",
            requirements=flatten_path(cspt) + cspt.fees,
            ask=cspt.ask,
            credential_ids=("cspt",),
        )
    if focus == "oncology":
        hd = CREDENTIAL_PATHS["hd-certificate"]
        return _StepContent(
            title="Specialize in oncology: CSPT and Hazardous Drug Management",
            detail="Oncology work centres on sterile and hazardous drugs: the CSPT covers "
            "sterile compounding and PTCB's Hazardous Drug Management certificate covers "
            "USP <800> handling. Both need an active PTCB CPhT.",
            requirements=ONCOLOGY_REQUIREMENTS + flatten_path(cspt) + cspt.fees
            + flatten_path(hd) + hd.fees,
            ask="How do I work in oncology pharmacy?",
            credential_ids=("cspt", "hd-certificate"),
        )
    if focus == "informatics":
        return _StepContent(
            title="Specialize in pharmacy informatics",
            detail="PTCB has no informatics credential. ASHP describes the technician "
            "informatics specialist role and offers an eLearning Pharmacy Informatics "
            "Certificate; ask me for ASHP informatics resources.",
            requirements=INFORMATICS_REQUIREMENTS,
            ask="How do I get into pharmacy informatics?",
        )
    if focus == "nuclear":
        return _StepContent(
            title="Specialize in nuclear pharmacy",
            detail="Nuclear pharmacy technicians work with radiopharmaceuticals under an "
            "authorized nuclear pharmacist; the example training program found expects you to "
            "already work in a nuclear pharmacy. Ask me about nuclear pharmacy training.",
            requirements=NUCLEAR_REQUIREMENTS,
            ask="How do I train for nuclear pharmacy?",
        )
    adv = CREDENTIAL_PATHS["cpht-adv"]
    return _StepContent(
        title="Specialize with PTCB certificates, toward the CPhT-Adv",
        detail="PTCB's assessment-based certificates build a specialty; 4 of them, or 3 plus "
        "the CSPT, with 3 years' experience in the last 8, earn the CPhT-Adv.",
        requirements=CERTIFICATE_REQUIREMENTS + flatten_path(adv),
        ask="Which PTCB certificates should I earn?",
        credential_ids=("cpht-adv", "tpv-certificate", "hd-certificate", "cspt"),
    )


def _leadership(profile: Profile) -> _StepContent:
    cpted = CREDENTIAL_PATHS["cpted"]
    reqs = LEADERSHIP_REQUIREMENTS
    if "leadership" in profile.interests or profile.status in ("specialist", "leading"):
        reqs += flatten_path(cpted) + cpted.fees
    return _StepContent(
        title="Lead: lead tech, supervisor, buyer or educator",
        detail="Technicians usually lead as a lead tech, supervisor, buyer or educator. "
        "CPhT-Adv backs an experienced technician; CPTEd backs trainers.",
        requirements=reqs,
        ask="What leadership roles can a tech grow into?",
        credential_ids=("cpht-adv", "cpted"),
    )


def _continuing_education(profile: Profile) -> _StepContent:
    reqs = CE_REQUIREMENTS
    if _state_code(profile) == "TX":
        reqs += TEXAS_CE_REQUIREMENTS
    return _StepContent(
        title="Keep it current: CE and renewal",
        detail="20 CE hours every 2 years incl. 1 law + 1 patient safety.",
        requirements=reqs,
        ask="/ce status",
        credential_ids=("ptcb-cpht", "nha-cpht"),
    )


def _step_status(stage_id: str, current: Stage) -> str:
    cur = _STAGE_INDEX[current.id]
    if stage_id == "continuing_education":
        return "current" if cur >= _STAGE_INDEX["certification"] else "later"
    idx = _STAGE_INDEX[stage_id]
    if idx < cur:
        return "done"
    if idx == cur:
        return "current"
    if idx == cur + 1:
        return "next"
    return "later"


_NEXT_MILESTONE_BY_FOCUS: dict[str, str] = {
    "sterile": "Earn the CSPT (sterile compounding)",
    "oncology": "Earn the CSPT and the Hazardous Drug Management certificate",
    "informatics": "Build informatics skills with ASHP resources",
    "nuclear": "Find a nuclear pharmacy training route",
    "default": "Earn PTCB certificates toward the CPhT-Adv",
}


def _next_milestone(profile: Profile) -> str:
    status = profile.status
    if status in (None, "exploring"):
        return "Choose a training route and check your state's registration rules"
    if status == "training":
        return "Finish your training and register with your state board if required"
    if status == "working":
        return "Earn your PTCB CPhT"
    if status == "certified":
        return _NEXT_MILESTONE_BY_FOCUS[_focus(profile)]
    if status == "specialist":
        return "Step into a lead role: lead tech, supervisor, buyer or educator"
    return "Back your lead role with the CPhT-Adv or CPTEd"


_FOCUS_ASKS: dict[str, str] = {
    "oncology": "How do I work in oncology pharmacy?",
    "sterile": "How do I become a CSPT?",
    "informatics": "How do I get into pharmacy informatics?",
    "nuclear": "How do I train for nuclear pharmacy?",
}

PHARMACY_SCHOOL_ASK = "How do I go from tech to pharmacy school?"
PAY_ASK = "What do pharmacy techs earn, and what raises pay?"
CONFIRM_NOTE = ("Fees and rules change often: confirm on ptcb.org, nhanow.com or with your state "
                "board of pharmacy before you pay or apply.")


def _notes(profile: Profile) -> tuple[str, ...]:
    notes: list[str] = []
    if profile.status is None:
        notes.append("Tell me where you are (exploring, training, working or certified) and "
                     "I'll make this plan more specific.")
    interests = profile.interests
    if "sterile" in interests or "oncology" in interests:
        if profile.setting == "hospital":
            notes.append("Sterile compounding hours usually come from hospital or infusion IV "
                         "work: ask about IV-room (cleanroom) shifts where you work.")
        else:
            notes.append("Sterile compounding hours usually come from hospital or infusion IV "
                         "work; from retail or another setting, an inpatient or infusion "
                         "pharmacy job is the usual bridge.")
    focus = _focus(profile)
    for interest in _FOCUS_ORDER:
        if interest in interests and interest != focus:
            if focus == "oncology" and interest == "sterile":
                continue  # the oncology plan already includes the CSPT
            notes.append(f"Also curious about {INTEREST_LABELS[interest].lower()}? "
                         f"Ask me: \"{_FOCUS_ASKS[interest]}\"")
    if "leadership" in interests:
        notes.append("Leadership: technicians lead as lead tech, supervisor, buyer or "
                     "educator; see the leadership step for CPhT-Adv and CPTEd.")
    if "pharmacy_school" in interests:
        notes.append(f"Thinking about pharmacy school? Ask me: \"{PHARMACY_SCHOOL_ASK}\"")
    if "pay" in interests:
        notes.append(f"Curious about pay? Ask me: \"{PAY_ASK}\"")
    code = _state_code(profile)
    if code:
        name = _state_name(code)
        note = (f"Check the {name} board of pharmacy's technician rules (registration, "
                "training, exams, fees, background checks, CE) before you start work or "
                "change roles.")
        if code == "TX":
            note += (" In Texas you must register with the Texas State Board of Pharmacy "
                     "before working as a technician or technician trainee.")
        notes.append(note)
    notes.append(CONFIRM_NOTE)
    return tuple(notes)


def build_roadmap(profile: Profile, state: Jurisdiction | None = None) -> Roadmap:
    """One step per stage, in order, with statuses from the profile's current stage.
    ``state``: the record of the profile's state (bot/states.py), when there is one."""
    current = current_stage(profile)
    reached_certification = _STAGE_INDEX[current.id] >= _STAGE_INDEX["certification"]
    contents: dict[str, _StepContent] = {
        "foundation": _foundation(profile, state),
        "experience": _experience(profile),
        "certification": _certification(profile, reached_certification),
        "specialization": _specialization(profile),
        "leadership": _leadership(profile),
        "continuing_education": _continuing_education(profile),
    }
    steps = tuple(
        RoadmapStep(
            stage=stage,
            title=contents[stage.id].title,
            status=_step_status(stage.id, current),
            detail=contents[stage.id].detail,
            requirements=_unique(contents[stage.id].requirements),
            ask=contents[stage.id].ask,
            credential_ids=contents[stage.id].credential_ids,
        )
        for stage in STAGES
    )
    return Roadmap(
        profile=profile,
        current=current,
        next_milestone=_next_milestone(profile),
        steps=steps,
        notes=_notes(profile),
        board=(state.board.name, state.board.url) if state is not None else None,
    )


def all_requirements() -> tuple[Requirement, ...]:
    """Every Requirement the model can state, deduplicated, in definition order."""
    reqs: list[Requirement] = []
    for path in CREDENTIAL_PATHS.values():
        reqs.extend(flatten_path(path))
        for _name, alternative in path.alternatives:
            reqs.extend(alternative)  # steps may also quote a pathway unlabelled
        reqs.extend(path.fees)
    for group in (ENTRY_REQUIREMENTS, CE_REQUIREMENTS, TEXAS_CE_REQUIREMENTS,
                  TEXAS_REQUIREMENTS, LEADERSHIP_REQUIREMENTS, INFORMATICS_REQUIREMENTS,
                  NUCLEAR_REQUIREMENTS, ONCOLOGY_REQUIREMENTS, CERTIFICATE_REQUIREMENTS,
                  (ADVANCED_NEED_PTCB, PTCB_RENEWAL_FEE)):
        reqs.extend(group)
    return _unique(tuple(reqs))


def all_sources() -> list[Source]:
    """Every Source the model cites, deduplicated, in first-cited order."""
    return list(dict.fromkeys(req.source for req in all_requirements()))


_STATUS_MARKS: dict[str, str] = {"done": "✓", "current": "▶", "next": "→", "later": "·"}


def roadmap_as_text(roadmap: Roadmap) -> str:
    """Plain-text rendering (no markup) for logs, the CLI and tests."""
    lines = [f"You are at: {roadmap.current.name}", f"Next milestone: {roadmap.next_milestone}",
             ""]
    for step in roadmap.steps:
        lines.append(f"{_STATUS_MARKS[step.status]} {step.stage.number}. {step.stage.name} "
                     f"[{step.status}]")
        lines.append(f"   {step.title}")
        lines.append(f"   {step.detail}")
        for req in step.requirements:
            flag = " (uncertain)" if req.uncertain else ""
            lines.append(f"   - {req.text}{flag} [{req.source.title}, {req.source.as_of}]")
        lines.append(f"   Ask: {step.ask}")
        lines.append("")
    if roadmap.notes:
        lines.append("Notes:")
        lines.extend(f"- {note}" for note in roadmap.notes)
    return "\n".join(lines).rstrip() + "\n"
