"""Load the CE rules from ``bot/ce/data/*.yaml`` and check them against the knowledge base.

One YAML file per credential (``ptcb-cpht.yaml``...). A file is read in two passes:

1. **Shape** (pydantic): every field present, of the right type, no unknown field; each figure
   (hours, fees, cycle length, renewal window, late-fee timing, reinstatement period...) names
   where it comes from.
2. **Agreement with the knowledge base**: each figure names a knowledge document (a path under
   ``knowledge/``) and the ``## `` section that states it, and the figure must stand in that
   section's text (:mod:`bot.content.figures`). Prose fields (fees, reinstatement, notes) name the
   sections that state their figures, and every figure in the prose must stand in one of them.
   A figure the knowledge base reaches only by adding two of its figures says so
   (``derived: 5 + 5``); a figure the knowledge base doesn't state but the state data does
   names the state record instead (``state: TX``, ``field: renewal.cycle_months``).

Every problem is reported at once, one ``file: field: problem`` per line, in a
:class:`RuleDataError`; the bot refuses to start on one (the rules are loaded on import of
:mod:`bot.ce.credentials`). Without a ``knowledge/`` folder (an install without the checkout)
the second pass is skipped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.career.loader import (  # one shape for a source and its problems in every data file
    Source,
    SourceData,
    read_data_file,
    validation_problems,
)
from bot.ce.model import Credential, LateFeeRule, TopicRule, topic_label
from bot.content.figures import KnowledgeSections, figures, number_text, states, states_with_unit

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"

#: What a knowledge section must say for each late-fee deadline rule.
LATE_FEE_RULE_PHRASES: dict[str, str] = {
    "first-of-expiration-month": "1st day of the month",
}


class RuleDataError(ValueError):
    """Rule data that can't be used; ``str()`` is one ``file: field: problem`` per line."""


# --------------------------------------------------------------------------------------------
# The shape of a file
# --------------------------------------------------------------------------------------------

_Strict = ConfigDict(extra="forbid")


class KnowledgeRef(BaseModel):
    """A ``## `` section of a knowledge document."""

    model_config = _Strict

    doc: str = Field(description="path under knowledge/, e.g. ce_renewal/nha-cpht-renewal.md")
    section: str = Field(min_length=3, description="the section's heading, without the ##")


class _Cited(BaseModel):
    """Something that names the knowledge sections stating its figures: ``doc`` and
    ``section`` for one, ``docs`` (a list of both) for several."""

    model_config = _Strict

    doc: str | None = None
    section: str | None = None
    docs: list[KnowledgeRef] = []

    @model_validator(mode="after")
    def _one_way_of_citing(self) -> _Cited:
        if (self.doc is None) != (self.section is None):
            raise ValueError("doc and section go together: name the document and its section")
        if self.doc is not None and self.docs:
            raise ValueError("use doc and section, or docs, not both")
        return self

    @property
    def refs(self) -> list[KnowledgeRef]:
        if self.doc is not None and self.section is not None:
            return [KnowledgeRef(doc=self.doc, section=self.section)]
        return list(self.docs)


_SUM = re.compile(r"^\s*\d+(?:\.\d+)?(?:\s*\+\s*\d+(?:\.\d+)?)+\s*$")


def _addends(expression: str) -> list[float]:
    return [float(part) for part in expression.split("+")]


class Figure(_Cited):
    """A number with the knowledge section that states it. ``derived: "5 + 5"``: the section(s)
    state the addends, not the sum. ``state``/``field``: the figure is read from
    ``states/<state>.yaml`` (for a figure the knowledge base doesn't state). A plain ``0``
    needs no source: "no such requirement"."""

    value: float = Field(ge=0)
    derived: str | None = Field(default=None, pattern=_SUM.pattern)
    state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    field: str | None = None
    note: str | None = None  # for the maintainer: why the figure is what it is

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, data: Any) -> Any:
        return {"value": data} if isinstance(data, int | float) and not isinstance(
            data, bool) else data

    @model_validator(mode="after")
    def _names_its_source(self) -> Figure:
        if (self.state is None) != (self.field is None):
            raise ValueError("state and field go together, e.g. state: TX, field: "
                             "renewal.cycle_months")
        if self.state is not None and self.refs:
            raise ValueError("name a knowledge section or a state record, not both")
        if self.value != 0 and not self.refs and self.state is None:
            raise ValueError(f"{number_text(self.value)} names no knowledge section: add doc "
                             f"and section")
        if self.derived is not None:
            if not self.refs:
                raise ValueError("a derived figure names the sections stating its parts")
            if abs(sum(_addends(self.derived)) - self.value) > 1e-9:
                raise ValueError(f"derived: {self.derived} is not {number_text(self.value)}")
        return self


class Prose(_Cited):
    """Text shown to users. Every figure in it must be stated by one of its sections (or be
    ``derived`` from figures that are: ``derived: {"10": "5 + 5"}``). A plain string is
    accepted for text without figures."""

    text: str = Field(min_length=1)
    derived: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: Any) -> Any:
        return {"text": data} if isinstance(data, str) else data

    @field_validator("text")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @model_validator(mode="after")
    def _figures_name_sections(self) -> Prose:
        found = figures(self.text)
        if found and not self.refs:
            raise ValueError(f"states {', '.join(found)} but names no knowledge section: add "
                             f"doc and section (or docs)")
        for figure, expression in self.derived.items():
            if not _SUM.match(expression):
                raise ValueError(f"derived {figure}: write it as a sum, e.g. 5 + 5")
            if figure not in found:
                raise ValueError(f"derived {figure}: the text doesn't state {figure}")
            if abs(sum(_addends(expression)) - float(figure.strip("$%"))) > 1e-9:
                raise ValueError(f"derived {figure}: {expression} is not {figure}")
        return self


class LateFeeDeadline(_Cited):
    """When the late fee starts; the section must state it (see LATE_FEE_RULE_PHRASES)."""

    rule: LateFeeRule


class TopicRuleData(BaseModel):
    model_config = _Strict

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    label: str = Field(min_length=3)
    hours: Figure | None = None  # None: a course to complete, no hours set
    conditional: bool = False
    live: bool = False


class LateRenewalFee(_Cited):
    """One tier of late renewal after expiration: up to ``max_days_expired`` days after it
    (``null``: until late renewal ends), the fee is ``fee``."""

    max_days_expired: int | None = Field(ge=1)
    fee: str = Field(min_length=3)


class CredentialFile(BaseModel):
    """One ``bot/ce/data/<id>.yaml``."""

    model_config = _Strict

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    order: int = Field(ge=1, description="place in lists and in /ce set's buttons")
    name: str = Field(min_length=5)
    body: str = Field(min_length=2)
    confirm_at: str = Field(pattern=r"^https://")
    state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    sources: list[SourceData] = Field(min_length=1)

    cycle_months: Figure
    cycle_starts_at_approval: bool = False
    total_hours: Figure
    min_technician_hours: Figure | None = None
    max_pharmacist_hours: Figure | None = None
    law_hours: Figure
    law_label: str = ""
    law_topics: list[str] = ["law", "tx-law"]
    patient_safety_hours: Figure
    topic_rules: list[TopicRuleData] = []
    accredited_only_topics: list[str] = []
    renewal_window_days: Figure | None = None
    late_fee_deadline: LateFeeDeadline | None = None
    late_fee: Prose
    renewal_fee: Prose
    reinstatement: Prose
    reinstatement_law_hours: Figure
    reinstatement_years: Figure | None = None
    late_renewal_fees: list[LateRenewalFee] = []
    after_lapse: Prose | None = None
    notes: list[Prose] = []

    @model_validator(mode="after")
    def _consistent(self) -> CredentialFile:
        for name in ("cycle_months", "renewal_window_days", "reinstatement_years"):
            figure = getattr(self, name)
            if figure is not None and figure.value != int(figure.value):
                raise ValueError(f"{name}: must be a whole number")
        if self.law_hours.value and not self.law_label:
            raise ValueError("law_label: say what the law hours are, e.g. pharmacy law")
        keys = [rule.key for rule in self.topic_rules]
        if len(set(keys)) != len(keys):
            raise ValueError("topic_rules: two rules have the same key")
        if self.late_renewal_fees and self.reinstatement_years is None:
            raise ValueError("late_renewal_fees: need reinstatement_years (how long late "
                             "renewal lasts)")
        return self


# --------------------------------------------------------------------------------------------
# Reading the files
# --------------------------------------------------------------------------------------------


def _label(path: Path) -> str:
    """``bot/ce/data/ptcb-cpht.yaml`` for a file of the package, else the path as given."""
    try:
        return path.resolve().relative_to(DATA_DIR.parents[2]).as_posix()
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> dict | str:
    try:
        raw = read_data_file(path)
    except ValueError as exc:
        return str(exc)
    return raw if isinstance(raw, dict) else "must be a mapping of fields"


def read_credential_files(
    data_dir: Path = DATA_DIR,
) -> tuple[dict[str, tuple[CredentialFile, dict[str, str]]], list[str]]:
    """Every ``*.yaml`` of ``data_dir`` validated for shape: ``{id: (file, origins)}`` where
    ``origins`` maps each field to the file it is written in (a file that ``extends`` another
    takes every field it doesn't write from that one), and the problems found."""
    problems: list[str] = []
    raws: dict[str, tuple[str, dict]] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        label, raw = _label(path), _read_yaml(path)
        if isinstance(raw, str):
            problems.append(f"{label}: {raw}")
            continue
        if raw.get("id") != path.stem:
            problems.append(f"{label}: id: must be the file's name, {path.stem!r}")
            continue
        raws[path.stem] = (label, raw)

    out: dict[str, tuple[CredentialFile, dict[str, str]]] = {}
    for key, (label, raw) in raws.items():
        origins = dict.fromkeys(raw, label)
        merged = dict(raw)
        parent = merged.pop("extends", None)
        if parent is not None:
            if parent not in raws or "extends" in raws[parent][1]:
                problems.append(f"{label}: extends: {parent!r} is not a credential file of "
                                f"its own (files: {', '.join(sorted(raws))})")
                continue
            parent_label, parent_raw = raws[parent]
            inherited = {k: v for k, v in parent_raw.items() if k not in merged}
            origins.update(dict.fromkeys(inherited, parent_label))
            merged.update(inherited)
        origins.pop("extends", None)
        try:
            out[key] = (CredentialFile.model_validate(merged), origins)
        except ValidationError as exc:
            problems.extend(validation_problems(label, exc, origins))
    orders = [model.order for model, _ in out.values()]
    for order in sorted({o for o in orders if orders.count(o) > 1}):
        problems.append(f"{_label(data_dir)}: order {order} is used by more than one file")
    return out, problems


# --------------------------------------------------------------------------------------------
# Agreement with the knowledge base
# --------------------------------------------------------------------------------------------

_UNITS: dict[str, str] = {
    "cycle_months": "months",
    "renewal_window_days": "days",
    "reinstatement_years": "years",
}


def _where(ref: KnowledgeRef) -> str:
    return f'knowledge/{ref.doc}, section "{ref.section}"'


def _section_texts(
    sections: KnowledgeSections, refs: list[KnowledgeRef]
) -> tuple[list[str], list[str]]:
    texts, problems = [], []
    for ref in refs:
        try:
            texts.append(sections.text(ref.doc, ref.section))
        except LookupError as exc:
            problems.append(str(exc))
    return texts, problems


def _in_refs(refs: list[KnowledgeRef]) -> str:
    return " or ".join(_where(ref) for ref in refs)


def _check_figure(
    name: str, figure: Figure, sections: KnowledgeSections, states_data: Mapping[str, Any] | None
) -> Iterator[str]:
    shown = number_text(figure.value)
    if figure.state is not None:
        if states_data is None:
            return
        record = states_data.get(figure.state)
        if record is None:
            yield f"{name}: no state record states/{figure.state}.yaml"
            return
        value: Any = record
        for part in (figure.field or "").split("."):
            value = getattr(value, part, None)
        if value is None or float(value) != figure.value:
            yield (f"{name}: {shown} is not what states/{figure.state}.yaml says "
                   f"({figure.field}: {value})")
        return
    if not figure.refs:  # a plain 0: no such requirement
        return
    texts, problems = _section_texts(sections, figure.refs)
    yield from (f"{name}: {p}" for p in problems)
    if problems:
        return
    unit = _UNITS.get(name.split(".")[-1])
    parts = _addends(figure.derived) if figure.derived else [figure.value]
    for part in parts:
        text = number_text(part)
        if unit is not None:
            ok = any(states_with_unit(part, unit, t) for t in texts)
            text = f"{text} {unit}"
        else:
            ok = any(states(text, t) for t in texts)
        if not ok:
            what = f"{text} (a part of {shown})" if figure.derived else text
            yield f"{name}: {what} is not stated in {_in_refs(figure.refs)}"


def _check_text(
    name: str, text: str, refs: list[KnowledgeRef], derived: Mapping[str, str],
    sections: KnowledgeSections,
) -> Iterator[str]:
    found = list(dict.fromkeys(figures(text)))
    if found and not refs:
        yield f"{name}: states {', '.join(found)} but names no knowledge section"
        return
    texts, problems = _section_texts(sections, refs)
    yield from (f"{name}: {p}" for p in problems)
    if problems:
        return
    for figure in found:
        parts = [number_text(p) for p in _addends(derived[figure])] \
            if figure in derived else [figure]
        for part in parts:
            if not any(states(part, t) for t in texts):
                yield (f"{name}: {part} in \u201c{text[:60]}\u2026\u201d is not stated in "
                       f"{_in_refs(refs)}")


def _check_prose(name: str, prose: Prose | None, sections: KnowledgeSections) -> Iterator[str]:
    if prose is not None:
        yield from _check_text(name, prose.text, prose.refs, prose.derived, sections)


def knowledge_problems(
    model: CredentialFile,
    origins: Mapping[str, str],
    sections: KnowledgeSections,
    states_data: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every figure of ``model`` the knowledge base doesn't state, as ``file: field: ...``."""
    found: list[tuple[str, str]] = []  # (top-level field, problem)

    def add(top: str, problems: Iterator[str]) -> None:
        found.extend((top, p) for p in problems)

    for name in ("cycle_months", "total_hours", "min_technician_hours", "max_pharmacist_hours",
                 "law_hours", "patient_safety_hours", "renewal_window_days",
                 "reinstatement_law_hours", "reinstatement_years"):
        figure = getattr(model, name)
        if figure is not None:
            add(name, _check_figure(name, figure, sections, states_data))
    for i, rule in enumerate(model.topic_rules):
        if rule.hours is not None:
            add("topic_rules", _check_figure(f"topic_rules.{i}.hours", rule.hours, sections,
                                             states_data))
    if model.late_fee_deadline is not None:
        deadline = model.late_fee_deadline
        phrase = LATE_FEE_RULE_PHRASES[deadline.rule]
        texts, problems = _section_texts(sections, deadline.refs)
        add("late_fee_deadline", (f"late_fee_deadline: {p}" for p in problems))
        if not deadline.refs:
            add("late_fee_deadline", iter(["late_fee_deadline: names no knowledge section"]))
        elif not problems and not any(phrase.lower() in t.lower() for t in texts):
            problem = (f"late_fee_deadline: {deadline.rule} needs \u201c{phrase}\u201d, which "
                       f"is not stated in {_in_refs(deadline.refs)}")
            add("late_fee_deadline", iter([problem]))
    for name in ("late_fee", "renewal_fee", "reinstatement", "after_lapse"):
        add(name, _check_prose(name, getattr(model, name), sections))
    for i, note in enumerate(model.notes):
        add("notes", _check_prose(f"notes.{i}", note, sections))
    for i, tier in enumerate(model.late_renewal_fees):
        text = f"{tier.max_days_expired} days: {tier.fee}" if tier.max_days_expired else tier.fee
        add("late_renewal_fees",
            _check_text(f"late_renewal_fees.{i}", text, tier.refs, {}, sections))
    return [f"{origins.get(top, model.id)}: {problem}" for top, problem in found]


# --------------------------------------------------------------------------------------------
# To the rules' types
# --------------------------------------------------------------------------------------------


def _number(value: float) -> float:
    """20.0 -> 20 (as the rules were written by hand), 1.5 stays 1.5."""
    return int(value) if value == int(value) else value


def _hours(figure: Figure | None) -> float | None:
    return None if figure is None else _number(figure.value)


def to_credential(model: CredentialFile) -> Credential:
    """The :class:`~bot.ce.model.Credential` a file describes."""
    years = int(model.reinstatement_years.value) if model.reinstatement_years else None
    tiers = tuple(
        (tier.max_days_expired if tier.max_days_expired is not None else 366 * (years or 1),
         tier.fee)
        for tier in model.late_renewal_fees
    )
    return Credential(
        id=model.id,
        name=model.name,
        body=model.body,
        cycle_months=int(model.cycle_months.value),
        total_hours=_number(model.total_hours.value),
        min_technician_hours=_hours(model.min_technician_hours),
        max_pharmacist_hours=_hours(model.max_pharmacist_hours),
        law_hours=_number(model.law_hours.value),
        law_label=model.law_label,
        patient_safety_hours=_number(model.patient_safety_hours.value),
        topic_rules=tuple(
            TopicRule(key=r.key, label=r.label, hours=_hours(r.hours),
                      conditional=r.conditional, live=r.live)
            for r in model.topic_rules
        ),
        renewal_window_days=(int(model.renewal_window_days.value)
                             if model.renewal_window_days else None),
        late_fee_deadline_rule=model.late_fee_deadline.rule if model.late_fee_deadline else None,
        late_fee=model.late_fee.text,
        renewal_fee=model.renewal_fee.text,
        reinstatement=model.reinstatement.text,
        reinstatement_law_hours=_number(model.reinstatement_law_hours.value),
        uncertain=tuple(note.text for note in model.notes),
        confirm_at=model.confirm_at,
        sources=tuple(Source(s.title, s.url, s.as_of) for s in model.sources),
        law_topics=tuple(model.law_topics),
        reinstatement_years=years,
        after_lapse=model.after_lapse.text if model.after_lapse else "",
        late_renewal_fee_tiers=tiers,
        cycle_starts_at_approval=model.cycle_starts_at_approval,
        accredited_only_topics=tuple(model.accredited_only_topics),
        state=model.state,
    )


def _topic_problems(label: str, model: CredentialFile) -> list[str]:
    """Topics a credential names that the rules don't know (a typo would match no entry)."""
    problems = []
    for name in ("law_topics", "accredited_only_topics"):
        for topic in getattr(model, name):
            if topic_label(topic) == topic and topic not in {r.key for r in model.topic_rules}:
                problems.append(f"{label}: {name}: {topic!r} is no CE topic or topic rule")
    return problems


def load_credentials(
    data_dir: Path = DATA_DIR,
    knowledge_dir: Path | None = KNOWLEDGE_DIR,
    states_data: Mapping[str, Any] | None = None,
) -> dict[str, Credential]:
    """The credentials of ``data_dir``, in their ``order``, checked against the knowledge
    base in ``knowledge_dir`` (``None``, or a folder that doesn't exist: not checked) and,
    for figures that name a state record, against ``states_data`` (by default the state
    files, :func:`bot.content.states.all_states`). :class:`RuleDataError` lists every problem."""
    files, problems = read_credential_files(data_dir)
    problems = list(dict.fromkeys(problems))  # an inherited field's problem, once
    if not files and not problems:
        problems.append(f"{_label(data_dir)}: no credential files (*.yaml)")
    check = knowledge_dir is not None and knowledge_dir.is_dir()
    if not check:
        log.info("no knowledge base at %s: CE rules not checked against it", knowledge_dir)
    sections = KnowledgeSections(knowledge_dir) if check else None
    if check and states_data is None and any(
            f.state is not None for model, _ in files.values() for f in _figures(model)):
        from bot.content.states import all_states

        states_data = all_states()
    for model, origins in files.values():
        problems.extend(_topic_problems(origins.get("id", model.id), model))
        if sections is not None:
            problems.extend(knowledge_problems(model, origins, sections, states_data))
    if problems:  # a problem in a field another file inherits is reported once
        raise RuleDataError("\n".join(dict.fromkeys(problems)))
    ordered = sorted(files.values(), key=lambda item: item[0].order)
    return {model.id: to_credential(model) for model, _ in ordered}


def _figures(model: CredentialFile) -> Iterator[Figure]:
    for name, value in model:
        if isinstance(value, Figure):
            yield value
    for rule in model.topic_rules:
        if rule.hours is not None:
            yield rule.hours


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.ce.loader [DIR]``: check the rule files; print the problems or a count."""
    import sys

    args = argv if argv is not None else sys.argv[1:]
    try:
        credentials = load_credentials(Path(args[0]) if args else DATA_DIR)
    except RuleDataError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{len(credentials)} credentials valid: {', '.join(credentials)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

