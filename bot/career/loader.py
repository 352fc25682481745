"""Load the career model's content from ``bot/career/data/`` and validate it.

The folder holds:

* ``sources.yaml`` — every page the career model cites, by id (``bls-ooh: {title, url,
  as_of}``); a source's ``as_of`` is the date or version the stored copy states;
* ``stages/<stage>.yaml`` — one file per stage of the career: its number, name, one-sentence
  summary and milestones, the texts of its roadmap step (``steps``: one per variant the roadmap
  picks, e.g. ``sterile`` or ``default``) and named groups of sourced facts it shows;
* ``paths/<credential>.yaml`` — one file per credential path: requirements, alternative
  pathways and fees, each fact with its source id.

A fact is ``{text, source, uncertain}`` (``uncertain: true`` when the reference marks it
uncertain or third-party). A fact written once and shown in several places has an ``id`` where
it is written, and ``ref: <id>`` wherever else it appears.

Pydantic checks the shape of every file (no unknown field, asks of at most 60 characters,
https links); the loader then checks what ties the files together: every source id and ``ref``
resolves, every source is cited, every path's stage and every step's credential ids exist, the
six stages are all there and numbered 1 to 6. Every problem is reported at once, one
``file: where: problem`` per line, in a :class:`CareerDataError`. The figures of the facts are
checked against the knowledge base by ``tests/test_facts_consistency.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.content.documents import STAGES, Stage, load_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
ASK_MAX_CHARS = 60
_ID = r"^[a-z0-9][a-z0-9-]*$"
_Strict = ConfigDict(extra="forbid")


class CareerDataError(ValueError):
    """Career data that can't be used; ``str()`` is one ``file: where: problem`` per line."""


class SourceData(BaseModel):
    model_config = _Strict

    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https://")
    as_of: str = Field(min_length=1)

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of_to_text(cls, value: object) -> object:
        return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Source:
    """A page a fact or a rule comes from, as the career model and the CE rules cite it (one
    type for both, so a source both cite is equal). ``as_of`` is the date or version the
    stored copy states."""

    title: str
    url: str
    as_of: str


def _one_line(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


class FactData(BaseModel):
    """A sourced fact, or ``ref`` to one written elsewhere (by its ``id``)."""

    model_config = _Strict

    id: str | None = Field(default=None, pattern=_ID)
    text: str | None = None
    source: str | None = None
    uncertain: bool = False
    ref: str | None = None

    @field_validator("text")
    @classmethod
    def _text_on_one_line(cls, value: str | None) -> str | None:
        return _one_line(value)

    @model_validator(mode="after")
    def _fact_or_ref(self) -> FactData:
        if self.ref is not None:
            if self.text is not None or self.source is not None or self.id is not None:
                raise ValueError("a ref stands alone: no text, source or id beside it")
        elif not self.text or not self.source:
            raise ValueError("a fact needs text and source (or ref: <id> of a fact)")
        return self


class Alternative(BaseModel):
    model_config = _Strict

    name: str = Field(min_length=2)
    requirements: list[FactData] = Field(min_length=1)


class PathFile(BaseModel):
    """``paths/<id>.yaml``: how to earn one credential."""

    model_config = _Strict

    id: str = Field(pattern=_ID)
    order: int = Field(ge=1, description="place in the list of paths")
    name: str = Field(min_length=5)
    body: str = Field(min_length=2)
    stage: Stage
    summary: str = Field(min_length=10)
    ask: str = Field(min_length=3, max_length=ASK_MAX_CHARS)
    confirm_at: str = Field(pattern=r"^https://")
    requirements: list[FactData] = Field(min_length=1)
    alternatives: list[Alternative] = []
    fees: list[FactData] = []

    @field_validator("summary")
    @classmethod
    def _summary_on_one_line(cls, value: str) -> str:
        return " ".join(value.split())


class StepVariant(BaseModel):
    """The texts of a roadmap step. ``extends: <variant>``: the title, ask and credential ids
    come from that variant, and ``detail`` is added after its detail."""

    model_config = _Strict

    title: str | None = None
    detail: str = Field(min_length=3)
    ask: str | None = Field(default=None, min_length=3, max_length=ASK_MAX_CHARS)
    credential_ids: list[str] | None = None
    extends: str | None = None

    @field_validator("detail")
    @classmethod
    def _detail_on_one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @model_validator(mode="after")
    def _complete(self) -> StepVariant:
        if self.extends is None and (self.title is None or self.ask is None):
            raise ValueError("a step needs a title and an ask (or extends: <variant>)")
        return self


class StageFile(BaseModel):
    """``stages/<id>.yaml``: one stage of the career."""

    model_config = _Strict

    id: Stage
    number: int = Field(ge=1, le=len(STAGES))
    name: str = Field(min_length=5)
    summary: str = Field(min_length=10)
    milestones: list[str] = Field(min_length=1)
    steps: dict[str, StepVariant] = Field(min_length=1)
    requirements: dict[str, list[FactData]] = {}

    @field_validator("summary")
    @classmethod
    def _summary_on_one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @model_validator(mode="after")
    def _variants(self) -> StageFile:
        for name, variant in self.steps.items():
            if variant.extends is not None and (variant.extends not in self.steps
                                                or self.steps[variant.extends].extends):
                raise ValueError(f"steps.{name}.extends: {variant.extends!r} is not a step of "
                                 f"its own here (steps: {', '.join(self.steps)})")
        return self


@dataclass(frozen=True)
class CareerData:
    """The validated files, with every ``ref`` replaced by the fact it names."""

    sources: dict[str, SourceData]
    stages: tuple[StageFile, ...]  # in number order
    paths: dict[str, PathFile]  # in order
    facts_by_id: dict[str, FactData]  # the facts written with an id


def _label(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve().parents[2]).as_posix()
    except ValueError:
        return str(path)


def read_data_file(path: Path) -> Any:
    """A YAML data file (career or CE rules); ValueError with a short reason if it is not."""
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid YAML ({getattr(exc, 'problem', None) or exc})") from None


def validation_problems(
    label: str, err: ValidationError, origins: Mapping[str, str] | None = None
) -> list[str]:
    """One line per pydantic error: ``label: field: problem``; with ``origins`` (top-level
    field -> file), a field is reported against the file it is written in."""
    out = []
    for e in err.errors():
        where = "".join(f"{p}: " for p in [".".join(str(p) for p in e["loc"])] if p)
        msg = "unknown field" if e["type"] == "extra_forbidden" else e["msg"]
        top = str(e["loc"][0]) if e["loc"] else ""
        out.append(f"{(origins or {}).get(top, label)}: {where}"
                   f"{msg.removeprefix('Value error, ')}")
    return out


def _facts(model: PathFile | StageFile) -> list[tuple[str, list[FactData]]]:
    """Every list of facts of a file, with where it is (for messages)."""
    if isinstance(model, PathFile):
        return [("requirements", model.requirements), ("fees", model.fees)] + [
            (f"alternatives.{i}.requirements", alt.requirements)
            for i, alt in enumerate(model.alternatives)
        ]
    return [(f"requirements.{name}", facts) for name, facts in model.requirements.items()]


def load_career_data(root: Path = DATA_DIR) -> CareerData:
    """Read and check everything under ``root``; :class:`CareerDataError` lists every
    problem."""
    problems: list[str] = []
    sources: dict[str, SourceData] = {}
    sources_file = root / "sources.yaml"
    try:
        raw_sources = read_data_file(sources_file)
    except (OSError, ValueError) as exc:
        raw_sources, problems = {}, [f"{_label(sources_file, root)}: {exc}"]
    if not isinstance(raw_sources, dict):
        problems.append(f"{_label(sources_file, root)}: must map source ids to sources")
        raw_sources = {}
    for key, value in raw_sources.items():
        try:
            sources[str(key)] = SourceData.model_validate(value)
        except ValidationError as exc:
            problems += validation_problems(f"{_label(sources_file, root)}: {key}", exc)

    files: list[tuple[str, PathFile | StageFile]] = []
    for folder, model_type in (("stages", StageFile), ("paths", PathFile)):
        for path in sorted((root / folder).glob("*.yaml")):
            label = _label(path, root)
            try:
                raw = read_data_file(path)
            except ValueError as exc:
                problems.append(f"{label}: {exc}")
                continue
            if not isinstance(raw, dict) or raw.get("id") != path.stem:
                problems.append(f"{label}: id: must be the file's name, {path.stem!r}")
                continue
            try:
                files.append((label, model_type.model_validate(raw)))
            except ValidationError as exc:
                problems += validation_problems(label, exc)

    stages = sorted((m for _, m in files if isinstance(m, StageFile)), key=lambda s: s.number)
    paths = sorted((m for _, m in files if isinstance(m, PathFile)), key=lambda p: p.order)
    if [s.id for s in stages] != list(STAGES) and not problems:
        problems.append(f"{_label(root / 'stages', root)}: the stages must be "
                        f"{', '.join(STAGES)}, numbered 1 to {len(STAGES)} in that order; "
                        f"found {', '.join(f'{s.number} {s.id}' for s in stages)}")
    orders = [p.order for p in paths]
    problems += [f"{_label(root / 'paths', root)}: order {o} is used by more than one file"
                 for o in sorted({o for o in orders if orders.count(o) > 1})]

    # facts with an id, and every source a fact cites
    by_id: dict[str, tuple[str, FactData]] = {}
    cited: set[str] = set()
    for label, model in files:
        for where, facts in _facts(model):
            for i, fact in enumerate(facts):
                if fact.id is not None:
                    if fact.id in by_id:
                        problems.append(f"{label}: {where}.{i}: id {fact.id!r} is also used in "
                                        f"{by_id[fact.id][0]}")
                    by_id[fact.id] = (label, fact)
                if fact.source is not None:
                    cited.add(fact.source)
                    if fact.source not in sources:
                        problems.append(f"{label}: {where}.{i}: no source {fact.source!r} in "
                                        f"{_label(sources_file, root)}")
    for unused in (s for s in sources if s not in cited):
        problems.append(f"{_label(sources_file, root)}: {unused}: cited by no fact")

    # refs, the stage of each path, the credential ids of each step
    path_ids = {p.id for p in paths}
    for label, model in files:
        for where, facts in _facts(model):
            for i, fact in enumerate(facts):
                if fact.ref is not None and fact.ref not in by_id:
                    problems.append(f"{label}: {where}.{i}: ref {fact.ref!r} names no fact "
                                    f"(ids: {', '.join(sorted(by_id))})")
                elif fact.ref is not None:
                    facts[i] = by_id[fact.ref][1]
        if isinstance(model, StageFile):
            for name, variant in model.steps.items():
                for key in variant.credential_ids or []:
                    if key not in path_ids:
                        problems.append(f"{label}: steps.{name}.credential_ids: no path "
                                        f"{key!r} (paths: {', '.join(sorted(path_ids))})")
    if problems:
        raise CareerDataError("\n".join(problems))
    return CareerData(sources=sources, stages=tuple(stages), paths={p.id: p for p in paths},
                      facts_by_id={key: fact for key, (_, fact) in by_id.items()})
