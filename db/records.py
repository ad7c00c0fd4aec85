"""Plain values that repositories hand out: no lazy loading, no session attached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    id: int
    code: str
    kind: str
    name: str
    short_name: str
    in_town: bool
    is_sample: bool


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    role: str | None
    organisation_id: int | None
    grade: int | None
    grade_year: int | None
    consent_version: str
    consent_at: datetime
    blocked_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    id: int
    user_id: int
    quiz_id: str
    quiz_version: str
    answers: tuple[str | None, ...]
    position: int
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    scores: dict[str, int] | None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None
