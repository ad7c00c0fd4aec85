"""The shipped town catalogue and the rules that protect it from malformed edits."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from content import Catalogue, OrganisationKind, load_catalogue
from content.catalogue import INTEREST_TYPES

LEVELS = {"специалист среднего звена", "квалифицированный рабочий", "профессиональное обучение"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


# --- the shipped catalogue ----------------------------------------------------------------------


def test_shipped_catalogue_loads(catalogue: Catalogue) -> None:
    assert catalogue.of_kind(OrganisationKind.SCHOOL)
    assert catalogue.of_kind(OrganisationKind.COLLEGE)
    assert catalogue.programmes
    assert catalogue.professions


def test_organisation_codes_are_unique(catalogue: Catalogue) -> None:
    codes = [o.code for o in catalogue.organisations]
    assert len(codes) == len(set(codes))


def test_short_names_are_distinguishable_on_buttons(catalogue: Catalogue) -> None:
    short_names = [o.short_name for o in catalogue.organisations]
    assert len(short_names) == len(set(short_names))


def test_schools_come_first(catalogue: Catalogue) -> None:
    kinds = [o.kind for o in catalogue.organisations]
    n_schools = kinds.count(OrganisationKind.SCHOOL)
    assert n_schools > 0
    assert all(kind == OrganisationKind.SCHOOL for kind in kinds[:n_schools])


def test_every_school_offers_valid_grades_including_8_and_9(catalogue: Catalogue) -> None:
    for school in catalogue.of_kind(OrganisationKind.SCHOOL):
        assert school.grades, school.code
        assert all(1 <= grade <= 11 for grade in school.grades), school.code
        assert len(school.grades) == len(set(school.grades)), school.code
        assert {8, 9} <= set(school.grades), school.code
        assert school.in_town, school.code


def test_only_schools_have_grades(catalogue: Catalogue) -> None:
    for organisation in catalogue.organisations:
        if organisation.kind != OrganisationKind.SCHOOL:
            assert organisation.grades == (), organisation.code


@pytest.mark.parametrize("interest_type", INTEREST_TYPES)
def test_every_interest_type_has_professions_and_programmes(
    catalogue: Catalogue, interest_type: str
) -> None:
    assert len(catalogue.professions_for(interest_type)) >= 5
    assert len(catalogue.programmes_for(interest_type)) >= 2


def test_profession_titles_are_unique(catalogue: Catalogue) -> None:
    titles = [p.title for p in catalogue.professions]
    assert len(titles) == len(set(titles))


def test_programmes_use_known_levels_and_are_offered_by_colleges(catalogue: Catalogue) -> None:
    for programme in catalogue.programmes:
        assert programme.level in LEVELS, programme.title
        organisation = catalogue.by_code[programme.organisation]
        assert organisation.kind == OrganisationKind.COLLEGE, programme.title


@pytest.mark.parametrize("interest_type", INTEREST_TYPES)
def test_programmes_in_town_are_listed_first(catalogue: Catalogue, interest_type: str) -> None:
    in_town = [
        catalogue.by_code[p.organisation].in_town for p in catalogue.programmes_for(interest_type)
    ]
    assert in_town == sorted(in_town, reverse=True)


def test_shipped_catalogue_mixes_town_and_region_programmes(catalogue: Catalogue) -> None:
    # Otherwise the ordering test above would be trivially true for every type.
    mixed = [
        t
        for t in INTEREST_TYPES
        if len({catalogue.by_code[p.organisation].in_town for p in catalogue.programmes_for(t)})
        == 2
    ]
    assert mixed


def test_town_college_and_employment_centre_are_real(catalogue: Catalogue) -> None:
    zhdt = catalogue.by_code["zhdt"]
    assert zhdt.kind == OrganisationKind.COLLEGE
    assert zhdt.in_town
    assert not zhdt.sample
    assert zhdt.short_name == "ЗЖДТ"

    czn = catalogue.by_code["czn"]
    assert czn.kind == OrganisationKind.EMPLOYMENT_CENTRE
    assert czn.in_town
    assert not czn.sample


def test_town_college_offers_programmes(catalogue: Catalogue) -> None:
    assert sum(p.organisation == "zhdt" for p in catalogue.programmes) >= 6


# --- ordering and validation on hand-made catalogues --------------------------------------------


def _org(code: str, *, in_town: bool = True, kind: str = "college") -> dict[str, Any]:
    return {
        "code": code,
        "kind": kind,
        "name": f"Организация {code}",
        "short_name": code,
        "in_town": in_town,
    }


def test_programmes_for_sorts_even_when_file_lists_region_first() -> None:
    catalogue = Catalogue.model_validate(
        {
            "organisations": [_org("far", in_town=False), _org("near")],
            "programmes": [
                {
                    "organisation": "far",
                    "title": "Далёкая",
                    "level": "квалифицированный рабочий",
                    "types": ["art"],
                },
                {
                    "organisation": "near",
                    "title": "Ближняя",
                    "level": "квалифицированный рабочий",
                    "types": ["art"],
                },
                {
                    "organisation": "far",
                    "title": "Другая",
                    "level": "квалифицированный рабочий",
                    "types": ["sign"],
                },
            ],
        }
    )
    assert [p.title for p in catalogue.programmes_for("art")] == ["Ближняя", "Далёкая"]
    assert [p.title for p in catalogue.programmes_for("sign")] == ["Другая"]
    assert catalogue.programmes_for("nature") == []


def test_places_are_those_offering_programmes_and_the_employment_centre_town_first() -> None:
    catalogue = Catalogue.model_validate(
        {
            "organisations": [
                _org("school-1", kind="school"),
                _org("far", in_town=False),
                _org("idle"),
                _org("czn", kind="employment_centre"),
                _org("near"),
            ],
            "programmes": [
                {
                    "organisation": code,
                    "title": f"Программа {code}",
                    "level": "квалифицированный рабочий",
                    "types": ["art"],
                }
                for code in ("far", "near")
            ],
        }
    )
    assert [o.code for o in catalogue.places()] == ["czn", "near", "far"]
    assert [p.title for p in catalogue.programmes_of("near")] == ["Программа near"]


def test_minimal_valid_catalogue_is_accepted() -> None:
    catalogue = Catalogue.model_validate({"organisations": [_org("school-1", kind="school")]})
    assert catalogue.by_code["school-1"].kind == OrganisationKind.SCHOOL


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {
                "organisations": [_org("zhdt")],
                "programmes": [
                    {
                        "organisation": "nowhere",
                        "title": "Сварщик",
                        "level": "квалифицированный рабочий",
                        "types": ["technic"],
                    }
                ],
            },
            "unknown organisation",
            id="programme-unknown-organisation",
        ),
        pytest.param(
            {
                "organisations": [_org("zhdt")],
                "programmes": [
                    {
                        "organisation": "zhdt",
                        "title": "Сварщик",
                        "level": "квалифицированный рабочий",
                        "types": ["technics"],
                    }
                ],
            },
            "unknown interest types",
            id="programme-unknown-type",
        ),
        pytest.param(
            {
                "organisations": [_org("zhdt")],
                "programmes": [
                    {
                        "organisation": "zhdt",
                        "title": "Сварщик",
                        "level": "рабочий",
                        "types": ["technic"],
                    }
                ],
            },
            "level must be one of",
            id="programme-unknown-level",
        ),
        pytest.param(
            {
                "organisations": [_org("zhdt")],
                "professions": [{"title": "художник", "types": ["artistic"]}],
            },
            "unknown interest types",
            id="profession-unknown-type",
        ),
        pytest.param(
            {"organisations": [_org("school-1"), _org("school-1")]},
            "unique",
            id="duplicate-code",
        ),
        pytest.param(
            {"organisations": [_org("School 1")]},
            "pattern",
            id="bad-code",
        ),
        pytest.param(
            {"organisations": [{**_org("zhdt"), "short_name": "Ж" * 41}]},
            "40 characters",
            id="short-name-too-long",
        ),
        pytest.param(
            {"organisations": [_org("zhdt", kind="university")]},
            "kind",
            id="unknown-kind",
        ),
        pytest.param(
            {"organisations": [{**_org("zhdt"), "phone": "123"}]},
            "Extra inputs",
            id="unknown-field",
        ),
    ],
)
def test_malformed_catalogue_is_rejected(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Catalogue.model_validate(data)
