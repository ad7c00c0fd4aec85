"""The town's catalogue as data: organisations, where to study, professions by interest type."""

from content.catalogue import (
    Catalogue,
    Organisation,
    OrganisationKind,
    Profession,
    Programme,
    load_catalogue,
)

__all__ = [
    "Catalogue",
    "Organisation",
    "OrganisationKind",
    "Profession",
    "Programme",
    "load_catalogue",
]
