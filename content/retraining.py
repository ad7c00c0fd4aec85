"""Loader and schema of `retraining.toml`: retraining and further-training programmes offered
through the employment centre and the colleges, and the trades in demand in the town and the
region. Pure data: no Telegram, no database."""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from content.catalogue import Catalogue
from content.problems import Problem, defer_checks, raise_problems

DEFAULT_PATH = Path(__file__).with_name("retraining.toml")
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}$"


class Group(StrEnum):
    """Who may be sent to a programme by the employment centre."""

    UNEMPLOYED = "unemployed"
    DISMISSAL_RISK = "dismissal_risk"
    AGE_50_PLUS = "age_50_plus"
    PRE_PENSION = "pre_pension"
    CHILDCARE_LEAVE = "childcare_leave"
    PARENTS_OF_PRESCHOOLERS = "parents_of_preschoolers"
    DISABLED = "disabled"
    ANYONE = "anyone"


class Format(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    MIXED = "mixed"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetrainingProgramme(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=3, max_length=150)
    #: The catalogue code of who teaches it (the college, the employment centre's partner).
    provider: str
    #: «2 месяца (256 часов)»: as the provider puts it.
    duration: str = Field(min_length=2, max_length=80)
    format: Format
    groups: tuple[Group, ...] = Field(min_length=1)
    about: str = Field(min_length=10, max_length=600)
    #: How to apply for this programme, when it differs from the usual way (the locale's text).
    apply: str = Field(default="", max_length=600)
    #: The profession bank's code of what it leads to, if the bank has it.
    profession: str = ""
    sample: bool = False


class DemandedTrade(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=2, max_length=100)
    about: str = Field(min_length=10, max_length=600)
    #: Catalogue codes of where one learns it locally.
    where: tuple[str, ...] = ()
    profession: str = ""
    sample: bool = False


class Retraining(_Strict):
    programmes: tuple[RetrainingProgramme, ...] = ()
    trades: tuple[DemandedTrade, ...] = ()

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Retraining:
        if not defer_checks(info):
            raise_problems(self.problems(None))
        return self

    def problems(self, catalogue: Catalogue | None) -> list[Problem]:
        found: list[Problem] = []
        sections: tuple[tuple[str, str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
            ("programmes", "provider", tuple((p.code, (p.provider,)) for p in self.programmes)),
            ("trades", "where", tuple((t.code, t.where) for t in self.trades)),
        )
        for section, key, entries in sections:
            codes: set[str] = set()
            for index, (code, places) in enumerate(entries):
                loc: tuple[Any, ...] = (section, index)
                if code in codes:
                    found.append(
                        Problem.at((*loc, "code"), f"codes must be unique: {code!r} again")
                    )
                codes.add(code)
                if catalogue is None:
                    continue
                missing = [c for c in places if c not in catalogue.by_code]
                if missing:
                    found.append(
                        Problem.at((*loc, key), f"organisations not in the catalogue: {missing}")
                    )
        return found

    @cached_property
    def programme_by_code(self) -> dict[str, RetrainingProgramme]:
        return {p.code: p for p in self.programmes}

    @cached_property
    def trade_by_code(self) -> dict[str, DemandedTrade]:
        return {t.code: t for t in self.trades}

    @property
    def has_samples(self) -> bool:
        return any(p.sample for p in self.programmes) or any(t.sample for t in self.trades)


def load_retraining(path: Path = DEFAULT_PATH) -> Retraining:
    with path.open("rb") as fh:
        return Retraining.model_validate(tomllib.load(fh))
