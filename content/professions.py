"""Loader and schema of `professions.toml`: the profession bank.

Each profession has its interest types, a short description, where to study it in the town and
the region (organisation codes of the catalogue, and the programme's name there) and whether it
is in demand in Zima and the region. Pure data: no Telegram, no database.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from content.catalogue import INTEREST_TYPES, Catalogue
from content.problems import Problem, defer_checks, raise_problems

DEFAULT_PATH = Path(__file__).with_name("professions.toml")
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BankProfession(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=2, max_length=100)
    types: tuple[str, ...] = Field(min_length=1)
    about: str = Field(min_length=10, max_length=600)
    #: Catalogue codes of the organisations where one learns it (in town first, by the catalogue).
    study: tuple[str, ...] = ()
    #: The programme or course it is learnt in there, as the organisation names it.
    programme: str = Field(default="", max_length=200)
    demanded: bool = False
    #: Other names it is searched by («сварщик» for «электрогазосварщик»).
    aliases: tuple[str, ...] = ()
    sample: bool = False


class ProfessionBank(_Strict):
    professions: tuple[BankProfession, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> ProfessionBank:
        if not defer_checks(info):
            raise_problems(self.problems(None))
        return self

    def problems(self, catalogue: Catalogue | None) -> list[Problem]:
        """What a schema cannot say: unique codes and titles, known interest types, places that
        the catalogue has (when given)."""
        found: list[Problem] = []
        codes: set[str] = set()
        titles: set[str] = set()
        for index, p in enumerate(self.professions):
            loc: tuple[Any, ...] = ("professions", index)
            if p.code in codes:
                found.append(Problem.at((*loc, "code"), f"codes must be unique: {p.code!r} again"))
            codes.add(p.code)
            if p.title.lower() in titles:
                found.append(
                    Problem.at((*loc, "title"), f"titles must be unique: {p.title!r} again")
                )
            titles.add(p.title.lower())
            unknown = sorted(set(p.types) - set(INTEREST_TYPES))
            if unknown:
                found.append(Problem.at((*loc, "types"), f"unknown interest types {unknown}"))
            if catalogue is not None:
                missing = [code for code in p.study if code not in catalogue.by_code]
                if missing:
                    found.append(
                        Problem.at(
                            (*loc, "study"), f"organisations not in the catalogue: {missing}"
                        )
                    )
        return found

    @cached_property
    def by_code(self) -> dict[str, BankProfession]:
        return {p.code: p for p in self.professions}

    def of_type(self, interest_type: str) -> list[BankProfession]:
        return [p for p in self.professions if interest_type in p.types]

    def titled(self, titles: Iterable[str]) -> list[BankProfession]:
        """The bank's entries with these titles (the catalogue's example professions), in order."""
        by_title = {p.title.lower(): p for p in self.professions}
        return [by_title[t.lower()] for t in titles if t.lower() in by_title]

    @property
    def has_samples(self) -> bool:
        return any(p.sample for p in self.professions)


def load_professions(path: Path = DEFAULT_PATH) -> ProfessionBank:
    with path.open("rb") as fh:
        return ProfessionBank.model_validate(tomllib.load(fh))
