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


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    code: str
    kind: str
    status: str
    title: str
    description: str
    organisation_id: int
    place: str
    link: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    seats_taken: int
    signup_deadline: datetime | None
    roles: tuple[str, ...]
    grade_min: int | None
    grade_max: int | None
    interest_types: tuple[str, ...]
    profession: str
    revision: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def seats_left(self) -> int | None:
        """Free seats; None when the event has no limit."""
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)

    @property
    def closes_at(self) -> datetime:
        """When sign-up closes: the deadline, and at the latest the start."""
        if self.signup_deadline is None:
            return self.starts_at
        return min(self.signup_deadline, self.starts_at)


@dataclass(frozen=True, slots=True)
class EventDraft:
    """What a coordinator (or an imported CSV row) fills in for an event; validated by
    `services.events.check_draft` before it is stored."""

    kind: str
    title: str
    organisation_id: int
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    place: str = ""
    link: str = ""
    capacity: int | None = None
    signup_deadline: datetime | None = None
    roles: tuple[str, ...] = ()
    grade_min: int | None = None
    grade_max: int | None = None
    interest_types: tuple[str, ...] = ()
    profession: str = ""
    #: The deep-link name; None: the bot makes one up.
    code: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationRecord:
    id: int
    event_id: int
    user_id: int
    status: str
    display_name: str
    queued_at: datetime
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SeatContext:
    """What signing up reads, in one locked query: the event, its organiser's name, the user,
    their own registration if any, and how many are waiting."""

    event: EventRecord
    organiser: str
    user: UserRecord | None
    registration: RegistrationRecord | None
    waiting: int


@dataclass(frozen=True, slots=True)
class CoordinatorRecord:
    user_id: int
    organisation_id: int
    appointed_by: int
    appointed_at: datetime


@dataclass(frozen=True, slots=True)
class InviteRecord:
    id: int
    code: str
    organisation_id: int
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    id: int
    user_id: int
    key: str
    kind: str
    payload: dict[str, Any]
    not_before: datetime
    attempts: int
