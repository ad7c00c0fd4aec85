"""Plain values that repositories hand out: no lazy loading, no session attached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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


@dataclass(frozen=True, slots=True)
class NewStep:
    """One completed step for the monitoring log, with the user's role, organisation and grade
    as they were when it happened (so that statistics per school and year stay true later)."""

    kind: str
    ref: str
    user_id: int | None
    role: str | None
    organisation_id: int | None
    grade: int | None
    academic_year: int
    created_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
