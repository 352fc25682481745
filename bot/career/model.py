"""The career model: stages, credential paths and a personal roadmap.

The content is data: the stages (with the texts of their roadmap steps), the credential paths
and their sources are YAML files in ``bot/career/data/``, read and validated once on import by
:mod:`bot.career.loader`; this module turns them into plain dataclasses and holds the pure
functions that pick, for a profile, which of them the roadmap shows. Every fact carries its
source as a :class:`Requirement`, taken from ``shared/reference/pharmtech-facts.md`` (archived
copies, so ``as_of`` is the date or version the source states). Facts the reference marks uncertain or
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
from bot.career.loader import (
    CareerData,
    CareerDataError,
    FactData,
    Source,
    StageFile,
    load_career_data,
)
from bot.content.states import (
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

# --------------------------------------------------------------------------- data

#: The content of bot/career/data/, validated on load (bot/career/loader.py): a file that
#: breaks the contract stops the import with a message naming the file and the field.
_DATA: CareerData = load_career_data()

#: Every source the model cites, by its id in bot/career/data/sources.yaml.
SOURCES: dict[str, Source] = {
    key: Source(s.title, s.url, s.as_of) for key, s in _DATA.sources.items()
}


def _facts(facts: list[FactData]) -> tuple[Requirement, ...]:
    return tuple(Requirement(f.text or "", SOURCES[f.source or ""], f.uncertain) for f in facts)


def _stage_file(stage_id: str) -> StageFile:
    return next(s for s in _DATA.stages if s.id == stage_id)


def _group(stage_id: str, name: str) -> tuple[Requirement, ...]:
    """The facts of ``requirements.<name>`` in ``stages/<stage_id>.yaml``."""
    facts = _stage_file(stage_id).requirements.get(name)
    if facts is None:
        raise CareerDataError(f"bot/career/data/stages/{stage_id}.yaml: requirements.{name}: "
                              f"missing (bot/career/model.py shows it)")
    return _facts(facts)


def _fact(fact_id: str) -> Requirement:
    """The fact written with ``id: <fact_id>``."""
    if fact_id not in _DATA.facts_by_id:
        raise CareerDataError(f"bot/career/data: no fact with id {fact_id!r} "
                              f"(bot/career/model.py shows it)")
    return _facts([_DATA.facts_by_id[fact_id]])[0]


STAGES: tuple[Stage, ...] = tuple(
    Stage(id=s.id, number=s.number, name=s.name, summary=s.summary,
          milestones=tuple(s.milestones))
    for s in _DATA.stages
)
STAGE_BY_ID: dict[str, Stage] = {s.id: s for s in STAGES}
_STAGE_INDEX: dict[str, int] = {s.id: i for i, s in enumerate(STAGES)}
_LINEAR_STAGE_IDS: tuple[str, ...] = tuple(s.id for s in STAGES[:5])  # CE runs alongside

CREDENTIAL_PATHS: dict[str, CredentialPath] = {
    key: CredentialPath(
        id=p.id,
        name=p.name,
        body=p.body,
        stage=p.stage,
        summary=p.summary,
        requirements=_facts(p.requirements),
        alternatives=tuple((a.name, _facts(a.requirements)) for a in p.alternatives),
        fees=_facts(p.fees),
        ask=p.ask,
        confirm_at=p.confirm_at,
    )
    for key, p in _DATA.paths.items()
}

# The groups of facts the steps show (see each stage's file for the texts).
ENTRY_REQUIREMENTS = _group("foundation", "entry")  # entry into the field (BLS, PTCB)
TEXAS_REQUIREMENTS = dict(CREDENTIAL_PATHS["state-registration"].alternatives)["Texas example"]
CSPT_EXPERIENCE_RULE = _fact("cspt-experience-window")
ADVANCED_NEED_PTCB = _fact("advanced-need-ptcb")  # advanced PTCB credentials need a PTCB CPhT
PTCB_RENEWAL_FEE = _fact("ptcb-renewal-fee")
CE_REQUIREMENTS = _group("continuing_education", "national")
TEXAS_CE_REQUIREMENTS = _group("continuing_education", "texas")
LEADERSHIP_REQUIREMENTS = _group("leadership", "roles")
INFORMATICS_REQUIREMENTS = _group("specialization", "informatics")
NUCLEAR_REQUIREMENTS = _group("specialization", "nuclear")
ONCOLOGY_REQUIREMENTS = _group("specialization", "oncology")
CERTIFICATE_REQUIREMENTS = _group("specialization", "certificates")


@dataclass(frozen=True)
class _StepText:
    title: str
    detail: str
    ask: str
    credential_ids: tuple[str, ...]


def _step_text(stage_id: str, variant: str) -> _StepText:
    """The texts of one variant of a stage's roadmap step (``steps.<variant>`` in its file);
    a variant that ``extends`` another takes its title, ask and credential ids and adds its
    detail after the other's."""
    steps = _stage_file(stage_id).steps
    if variant not in steps:
        raise CareerDataError(f"bot/career/data/stages/{stage_id}.yaml: steps.{variant}: "
                              f"missing (bot/career/model.py shows it)")
    step = steps[variant]
    base = steps[step.extends] if step.extends else step
    detail = f"{base.detail} {step.detail}" if step.extends else step.detail
    return _StepText(
        title=step.title or base.title or "",
        detail=detail,
        ask=step.ask or base.ask or "",
        credential_ids=tuple(step.credential_ids if step.credential_ids is not None
                             else base.credential_ids or ()),
    )


for _stage_id, _variants in {
    "foundation": ("default",), "experience": ("default", "hospital"),
    "certification": ("reached", "default"),
    "specialization": ("sterile", "oncology", "informatics", "nuclear", "default"),
    "leadership": ("default",), "continuing_education": ("default",),
}.items():  # every step text the roadmap can show is there, or the import fails here
    for _variant in _variants:
        _step_text(_stage_id, _variant)

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


def _content(text: _StepText, requirements: tuple[Requirement, ...],
             detail: str | None = None) -> _StepContent:
    return _StepContent(title=text.title, detail=detail or text.detail,
                        requirements=requirements, ask=text.ask,
                        credential_ids=text.credential_ids)


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
    text = _step_text("foundation", "default")
    return _content(text, reqs, text.detail.replace("{board}", board))


def _experience(profile: Profile) -> _StepContent:
    ptcb = dict(CREDENTIAL_PATHS["ptcb-cpht"].alternatives)["Pathway 2"]
    nha = dict(CREDENTIAL_PATHS["nha-cpht"].alternatives)["Work experience"]
    reqs = ptcb + nha
    if profile.setting == "hospital":
        return _content(_step_text("experience", "hospital"),
                        reqs + _group("experience", "hospital"))
    return _content(_step_text("experience", "default"), reqs)


def _certification(profile: Profile, reached: bool) -> _StepContent:
    if reached:
        return _content(_step_text("certification", "reached"),
                        _group("certification", "keep-active"))
    ptcb = CREDENTIAL_PATHS["ptcb-cpht"]
    return _content(_step_text("certification", "default"),
                    flatten_path(ptcb) + ptcb.fees + (ADVANCED_NEED_PTCB,))


def _specialization(profile: Profile) -> _StepContent:
    focus = _focus(profile)
    text = _step_text("specialization", focus)
    cspt = CREDENTIAL_PATHS["cspt"]
    if focus == "sterile":
        return _content(text, flatten_path(cspt) + cspt.fees)
    if focus == "oncology":
        hd = CREDENTIAL_PATHS["hd-certificate"]
        return _content(text, ONCOLOGY_REQUIREMENTS + flatten_path(cspt) + cspt.fees
                        + flatten_path(hd) + hd.fees)
    if focus == "informatics":
        return _content(text, INFORMATICS_REQUIREMENTS)
    if focus == "nuclear":
        return _content(text, NUCLEAR_REQUIREMENTS)
    return _content(text, CERTIFICATE_REQUIREMENTS + flatten_path(CREDENTIAL_PATHS["cpht-adv"]))


def _leadership(profile: Profile) -> _StepContent:
    cpted = CREDENTIAL_PATHS["cpted"]
    reqs = LEADERSHIP_REQUIREMENTS
    if "leadership" in profile.interests or profile.status in ("specialist", "leading"):
        reqs += flatten_path(cpted) + cpted.fees
    return _content(_step_text("leadership", "default"), reqs)


def _continuing_education(profile: Profile) -> _StepContent:
    reqs = CE_REQUIREMENTS
    if _state_code(profile) == "TX":
        reqs += TEXAS_CE_REQUIREMENTS
    return _content(_step_text("continuing_education", "default"), reqs)


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
    ``state``: the record of the profile's state (bot/content/states.py), when there is one."""
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
