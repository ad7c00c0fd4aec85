"""The content in force: the catalogue, the profession bank and the retraining file, as one
snapshot that a process replaces as a whole when a coordinator's new version is accepted (or one
is restored), so a request sees either the old files or the new ones, never a mix."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from content.catalogue import Catalogue, load_catalogue
from content.professions import ProfessionBank, load_professions
from content.retraining import Retraining, load_retraining


class ContentKind(StrEnum):
    CATALOGUE = "catalogue"
    PROFESSIONS = "professions"
    RETRAINING = "retraining"


@dataclass(frozen=True, slots=True)
class Content:
    catalogue: Catalogue
    professions: ProfessionBank
    retraining: Retraining

    def with_file(self, model: Catalogue | ProfessionBank | Retraining) -> Content:
        if isinstance(model, Catalogue):
            return replace(self, catalogue=model)
        if isinstance(model, ProfessionBank):
            return replace(self, professions=model)
        return replace(self, retraining=model)


def shipped() -> Content:
    """The files that come with the code (`content/*.toml`)."""
    return Content(load_catalogue(), load_professions(), load_retraining())


@dataclass(slots=True)
class Library:
    """This process's content and the database versions it came from (0: the shipped file)."""

    content: Content
    versions: dict[ContentKind, int] = field(default_factory=dict)
    #: When the database was last asked for newer versions (time.monotonic()).
    checked_at: float = 0.0

    def install(
        self, kind: ContentKind, model: Catalogue | ProfessionBank | Retraining, version: int
    ) -> None:
        self.content = self.content.with_file(model)
        self.versions[kind] = version
