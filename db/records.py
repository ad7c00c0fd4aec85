"""Plain values that repositories hand out: no lazy loading, no session attached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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
    broadcast_id: int | None = None


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a broadcast goes to: everyone who meets every condition given (an empty one: any)."""

    roles: tuple[str, ...] = ()
    organisation_ids: tuple[int, ...] = ()
    #: Grades (students' current grade, or a college course).
    grades: tuple[int, ...] = ()
    #: Subscribers of any of these event kinds (a `KIND_BITS` mask; 0: not by subscription).
    kinds: int = 0
    #: People signed up for this event (confirmed, waiting or attended).
    event_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "roles": list(self.roles),
            "organisation_ids": list(self.organisation_ids),
            "grades": list(self.grades),
            "kinds": self.kinds,
            "event_id": self.event_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Audience:
        event_id = data.get("event_id")
        return cls(
            roles=tuple(str(r) for r in data.get("roles", ())),
            organisation_ids=tuple(int(o) for o in data.get("organisation_ids", ())),
            grades=tuple(int(g) for g in data.get("grades", ())),
            kinds=int(data.get("kinds", 0)),
            event_id=None if event_id is None else int(event_id),
        )


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    token: str
    organisation_id: int | None
    created_by: int
    status: str
    text: str
    media_kind: str | None
    media_file_id: str | None
    link_url: str
    event_id: int | None
    to_subscribers: bool
    audience: dict[str, Any]
    recipients: int
    send_at: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress_chat_id: int | None
    progress_message_id: int | None
    #: The messenger `media_file_id` belongs to; a document's name; where a MAX file can be
    #: downloaded (see db.models.Broadcast).
    media_channel: str = "telegram"
    media_name: str | None = None
    media_url: str | None = None


@dataclass(frozen=True, slots=True)
class BroadcastFileRecord:
    """A broadcast's file in the other messenger (`db.models.BroadcastFile`)."""

    broadcast_id: int
    channel: str
    file_id: str | None
    holder: str | None
    claimed_at: datetime | None
    error: str | None
    failed: bool
    retry_at: datetime | None


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """What a user wants to hear about (`db.models.Subscription`): bitmasks of event kinds
    (`KIND_BITS`), audiences (`AUDIENCE_BITS`) and grades (`1 << grade`, 0: any), and a school
    (None: every school). `active` off: unsubscribed, the choice kept for «Вернуть»."""

    user_id: int
    active: bool
    kinds: int
    audiences: int
    grades: int
    organisation_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ConsultationRecord:
    id: int
    user_id: int
    organisation_id: int
    organisation_name: str
    topic: str
    preferred: str
    phone: str | None
    status: str
    coordinator_id: int | None
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ContentFileRecord:
    """An accepted version of a content file (without its text)."""

    id: int
    kind: str
    entries: int
    uploaded_by: int | None
    restored_from: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CourseRecord:
    """A teacher's completed qualification course, as recorded in the monitoring log."""

    ref: str
    title: str
    hours: int
    completed_on: date
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class FamilyInviteRecord:
    id: int
    token: str
    child_id: int
    purpose: str
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class ParentLinkRecord:
    id: int
    parent_id: int
    child_id: int
    parent_name: str
    reminders: bool
    consent_by_parent: bool
    created_at: datetime
