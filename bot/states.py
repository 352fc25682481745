"""Technician rules of every US state, DC and Puerto Rico, as sourced data.

One YAML file per jurisdiction in ``states/`` (``CO.yaml``). Every fact names the source that
settles it; a fact no source settles is ``null`` (unknown), and the bot then says "not
confirmed, check with <board>" with the board's link. Ingest, the bot and the tests load the
files through :func:`load_states`, so a file the tests reject is rejected everywhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.knowledge import Source

STATES_DIR = Path(__file__).resolve().parent.parent / "states"

Credential = Literal["registration", "license", "certification", "permit", "none"]


class Fact(BaseModel):
    """One fact with the source that settles it. ``value: null`` means unknown."""

    model_config = ConfigDict(extra="forbid")

    value: str | int | bool | None = None
    source: str | None = None
    note: str | None = None  # a short qualification ("for technicians hired after 2020")

    @model_validator(mode="after")
    def _known_facts_cite(self) -> Fact:
        if self.value is not None and not self.source:
            raise ValueError("a known value needs a source id")
        return self

    @property
    def known(self) -> bool:
        return self.value is not None


class CeTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    hours: float | None = None  # None: required, hours not stated


class Renewal(BaseModel):
    """Renewal of the state credential; ``cycle_months``/``ce_hours`` null when unknown."""

    model_config = ConfigDict(extra="forbid")

    cycle_months: int | None = Field(default=None, ge=1, le=60)
    ce_hours: float | None = Field(default=None, ge=0, le=100)
    ce_topics: list[CeTopic] = []
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _cite(self) -> Renewal:
        if (self.cycle_months is not None or self.ce_hours is not None) and not self.source:
            raise ValueError("renewal figures need a source id")
        return self


class Board(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=5)
    url: str = Field(pattern=r"^https?://")  # the board's technician page where one exists


class Jurisdiction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    board: Board
    credential: Fact  # value: one of Credential, what a technician needs to start work
    trainee_category: Fact  # value: true/false (a trainee/intern registration exists)
    minimum_age: Fact  # value: int
    education: Fact  # value: text ("high school diploma or GED")
    national_certification: Fact  # value: text ("required within 1 year", "not required")
    training: Fact  # value: text (board-approved training, hours where set)
    ratio: Fact  # value: text ("1 pharmacist : 4 technicians")
    renewal: Renewal
    sources: list[Source] = Field(min_length=1)
    reviewed: str

    FACT_FIELDS: tuple[str, ...] = (
        "credential", "trainee_category", "minimum_age", "education",
        "national_certification", "training", "ratio",
    )

    @model_validator(mode="after")
    def _sources_line_up(self) -> Jurisdiction:
        ids = [s.id for s in self.sources]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate source id")
        cited = {getattr(self, f).source for f in self.FACT_FIELDS} | {self.renewal.source}
        cited.discard(None)
        unknown = cited - set(ids)
        if unknown:
            raise ValueError(f"facts cite sources that are not listed: {sorted(unknown)}")
        unused = set(ids) - cited
        if unused:
            raise ValueError(f"sources cited by no fact: {sorted(unused)}")
        value = self.credential.value
        if value is not None and value not in Credential.__args__:
            raise ValueError(f"credential must be one of {Credential.__args__}, not {value!r}")
        return self

    def source(self, source_id: str | None) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


class StateDataError(ValueError):
    pass


def load_states(directory: Path = STATES_DIR) -> dict[str, Jurisdiction]:
    """Every jurisdiction file, validated; raises StateDataError listing every problem."""
    states: dict[str, Jurisdiction] = {}
    problems: list[str] = []
    for file in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8"))
            record = Jurisdiction.model_validate(raw)
        except (yaml.YAMLError, ValidationError) as exc:
            problems.append(f"{file.name}: {exc}")
            continue
        if record.code != file.stem:
            problems.append(f"{file.name}: code {record.code} does not match the file name")
        states[record.code] = record
    if problems:
        raise StateDataError("\n".join(problems))
    return states


@lru_cache(maxsize=1)
def all_states() -> dict[str, Jurisdiction]:
    return load_states()
