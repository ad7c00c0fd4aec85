"""Loader and schema of `catalogue.toml`: the town's organisations, study programmes, professions.

Pure data: no Telegram, no database. The bot copies organisations into the database at start-up
(so that users and monitoring steps can refer to them); everything else is read from here.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from content.problems import Problem, defer_checks, raise_problems

DEFAULT_PATH = Path(__file__).with_name("catalogue.toml")

#: Interest types of the Klimov questionnaire; professions and programmes are tagged with them.
INTEREST_TYPES = ("nature", "technic", "human", "sign", "art")
#: Levels of a study programme, longest first; a place's programmes are shown in this order.
LEVELS = ("специалист среднего звена", "квалифицированный рабочий", "профессиональное обучение")


class OrganisationKind(StrEnum):
    SCHOOL = "school"
    COLLEGE = "college"
    EMPLOYMENT_CENTRE = "employment_centre"
    COMMITTEE = "committee"
    YOUTH_DEPARTMENT = "youth_department"
    ENTERPRISE = "enterprise"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,38}$")
    kind: OrganisationKind
    name: str = Field(min_length=2, max_length=200)
    short_name: str = Field(min_length=2, max_length=40)
    in_town: bool = True
    sample: bool = False
    grades: tuple[int, ...] = ()
    about: str = ""


class Programme(_Strict):
    organisation: str
    title: str = Field(min_length=3)
    level: str
    types: tuple[str, ...] = Field(min_length=1)
    sample: bool = False
    #: A trade the region needs (the education committee's list): a school leaver who goes on
    #: to study it at a college of the region counts for «local continuation».
    demanded: bool = False


class Profession(_Strict):
    title: str = Field(min_length=2)
    types: tuple[str, ...] = Field(min_length=1)


class Catalogue(_Strict):
    organisations: tuple[Organisation, ...]
    programmes: tuple[Programme, ...] = ()
    professions: tuple[Profession, ...] = ()

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Catalogue:
        if not defer_checks(info):
            raise_problems(self.problems())
        return self

    def problems(self) -> list[Problem]:
        """What the schema cannot say: unique codes, known organisations, levels and interest
        types; each with where it is in the file."""
        found: list[Problem] = []
        codes: set[str] = set()
        for index, organisation in enumerate(self.organisations):
            if organisation.code in codes:
                found.append(
                    Problem.at(
                        ("organisations", index, "code"),
                        f"organisation codes must be unique: {organisation.code!r} again",
                    )
                )
            codes.add(organisation.code)
        kinds = {organisation.code: organisation.kind for organisation in self.organisations}
        for index, programme in enumerate(self.programmes):
            loc = ("programmes", index)
            if programme.organisation not in codes:
                found.append(
                    Problem.at(
                        (*loc, "organisation"),
                        f"programme {programme.title!r}: unknown organisation"
                        f" {programme.organisation!r}",
                    )
                )
            if programme.level not in LEVELS:
                found.append(
                    Problem.at(
                        (*loc, "level"),
                        f"programme {programme.title!r}: level must be one of {LEVELS}",
                    )
                )
            kind = kinds.get(programme.organisation)
            if programme.demanded and kind is not None and kind != OrganisationKind.COLLEGE:
                found.append(
                    Problem.at(
                        (*loc, "demanded"),
                        f"programme {programme.title!r}: only a college's can be demanded",
                    )
                )
        tagged = [
            *(("programmes", i, p.types) for i, p in enumerate(self.programmes)),
            *(("professions", i, p.types) for i, p in enumerate(self.professions)),
        ]
        for section, index, types in tagged:
            unknown = set(types) - set(INTEREST_TYPES)
            if unknown:
                found.append(
                    Problem.at(
                        (section, index, "types"), f"unknown interest types {sorted(unknown)}"
                    )
                )
        return found

    @cached_property
    def by_code(self) -> dict[str, Organisation]:
        return {o.code: o for o in self.organisations}

    def of_kind(self, kind: OrganisationKind) -> list[Organisation]:
        return [o for o in self.organisations if o.kind == kind]

    def professions_for(self, interest_type: str) -> list[Profession]:
        return [p for p in self.professions if interest_type in p.types]

    def programmes_for(self, interest_type: str) -> list[Programme]:
        """Programmes of this type, those in town first."""
        found = [p for p in self.programmes if interest_type in p.types]
        return sorted(found, key=lambda p: not self.by_code[p.organisation].in_town)

    def programmes_of(self, code: str) -> list[Programme]:
        return [p for p in self.programmes if p.organisation == code]

    def places(self) -> list[Organisation]:
        """Where one can study or get help choosing a trade: every organisation that offers a
        programme, and the employment centre; those in town first, otherwise in file order."""
        offering = {p.organisation for p in self.programmes}
        found = [
            o
            for o in self.organisations
            if o.code in offering or o.kind == OrganisationKind.EMPLOYMENT_CENTRE
        ]
        return sorted(found, key=lambda o: not o.in_town)

    @property
    def has_samples(self) -> bool:
        return any(o.sample for o in self.organisations) or any(p.sample for p in self.programmes)


def load_catalogue(path: Path = DEFAULT_PATH) -> Catalogue:
    with path.open("rb") as fh:
        return Catalogue.model_validate(tomllib.load(fh))
