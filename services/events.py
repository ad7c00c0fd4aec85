"""Events and professional trials: drafting, publishing, changing and cancelling them
(coordinators), finding them, signing up with a waiting list, and attendance."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from content.catalogue import INTEREST_TYPES
from db.calendar import LAST_GRADE, Moment
from db.models import (
    AUDIENCE_BITS,
    LONGEST_EVENT,
    EventKind,
    EventStatus,
    RegistrationStatus,
    Role,
    StepKind,
)
from db.records import EventDraft, EventRecord, RegistrationRecord, UserRecord
from db.repositories.events import SEATED, EventFilter
from db.uow import UnitOfWork
from services import profile, steps, subscriptions
from services.coordinators import Manager, Staff, require_manager
from services.errors import (
    ConsentOutdated,
    NotFound,
    NotPermitted,
    NotRegistered,
    ProfileIncomplete,
    ServiceError,
)
from services.event_files import CalendarEntry
from services.outbox_kinds import OutboxKind

#: Who may be in an event's audience: the roles with a bit in `Event.audience` (coordinators and
#: admins are not an audience).
AUDIENCE_ROLES = tuple(AUDIENCE_BITS)
GRADES = range(1, LAST_GRADE + 1)
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_PLACE = 300
MAX_PROFESSION = 120
MAX_CAPACITY = 10_000
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_CODE = 32


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a draft cannot be stored: a locale key (`event-problem-<name>`) and its arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"event-problem-{self.name}"


def new_code() -> str:
    """A deep-link name nobody has to type: 7 letters and digits that cannot be confused."""
    return "e" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def valid_code(code: str) -> bool:
    """Deep-link payloads allow A-Z, a-z, 0-9, _ and - (at most 64); codes are lower case."""
    return 0 < len(code) <= MAX_CODE and set(code) <= CODE_CHARS


def check_draft(
    draft: EventDraft,
    now: datetime,
    *,
    existing_start: datetime | None = None,
    seats_taken: int = 0,
) -> list[Problem]:
    """Everything wrong with an event as filled in, in the order of the form; empty if none.

    `existing_start`: when editing a published event, its start as stored (an event that has
    already started may be changed without its start being "in the past"). `seats_taken`: the
    seats its confirmed sign-ups hold now; fewer seats than that are refused (nobody is dropped
    or kept over capacity without a word).
    """
    problems = [
        *_check_texts(draft),
        *_check_times(draft, now, moved=draft.starts_at != existing_start),
        *_check_audience(draft),
    ]
    if draft.capacity is not None and 0 < draft.capacity < seats_taken:
        problems.append(Problem("capacity-below-taken", {"taken": seats_taken}))
    return problems


def _check_texts(draft: EventDraft) -> list[Problem]:
    problems: list[Problem] = []
    if draft.kind not in set(EventKind):
        problems.append(Problem("kind", {"kind": draft.kind}))
    if not draft.title.strip():
        problems.append(Problem("title-empty"))
    limits = {
        "title": (draft.title, MAX_TITLE),
        "description": (draft.description, MAX_DESCRIPTION),
        "place": (draft.place, MAX_PLACE),
        "profession": (draft.profession, MAX_PROFESSION),
    }
    problems.extend(
        Problem("too-long", {"field": name, "max": limit})
        for name, (value, limit) in limits.items()
        if len(value) > limit
    )
    if not draft.place.strip() and not draft.link.strip():
        problems.append(Problem("no-place"))
    if draft.link and not draft.link.startswith(("https://", "http://")):
        problems.append(Problem("link"))
    if draft.code is not None and not valid_code(draft.code):
        problems.append(Problem("code", {"max": MAX_CODE}))
    return problems


def _check_times(draft: EventDraft, now: datetime, *, moved: bool) -> list[Problem]:
    problems: list[Problem] = []
    if moved and draft.starts_at <= now:
        problems.append(Problem("start-past"))
    if draft.ends_at <= draft.starts_at:
        problems.append(Problem("end-before-start"))
    elif draft.ends_at - draft.starts_at > LONGEST_EVENT:
        problems.append(Problem("too-long-event"))
    if draft.capacity is not None and not 0 < draft.capacity <= MAX_CAPACITY:
        problems.append(Problem("capacity", {"max": MAX_CAPACITY}))
    if draft.signup_deadline is not None:
        if draft.signup_deadline > draft.starts_at:
            problems.append(Problem("deadline-after-start"))
        elif moved and draft.signup_deadline <= now:
            problems.append(Problem("deadline-past"))
    return problems


def _check_audience(draft: EventDraft) -> list[Problem]:
    problems: list[Problem] = []
    if not draft.roles:
        problems.append(Problem("no-audience"))
    elif not set(draft.roles) <= set(AUDIENCE_ROLES):
        problems.append(Problem("roles"))
    problems.extend(
        Problem("grade", {"grade": grade})
        for grade in (draft.grade_min, draft.grade_max)
        if grade is not None and grade not in GRADES
    )
    low, high = draft.grade_min, draft.grade_max
    if low is not None and high is not None and low > high:
        problems.append(Problem("grades-order"))
    if not set(draft.interest_types) <= set(INTEREST_TYPES):
        problems.append(Problem("interest-types"))
    return problems


class DraftRejected(ServiceError):
    """The event as filled in cannot be stored; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(p.name for p in problems))
        self.problems = problems


#: How long after an event its coordinator still finds it in the cabinet, to mark attendance.
MARKING_WINDOW = timedelta(days=14)
#: Who is told when an event changes or is cancelled.
SIGNED_UP = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
PAGE_SIZE = 5
#: Fields whose change is announced to everyone signed up.
ANNOUNCED = ("title", "place", "link", "starts_at", "ends_at", "description")


# --- coordinators: drafting, publishing, changing, cancelling ----------------------------------


async def create_event(
    uow: UnitOfWork, staff: Staff, draft: EventDraft, now: datetime
) -> EventRecord:
    """Publish a new event (the coordinator has seen its preview) and announce it to the
    subscribers it fits, in one transaction. A code the coordinator chose that is taken (even
    at this very moment, by another process) is a problem to fix; a made-up one is made up
    again."""
    problems = check_draft(draft, now)
    if problems:
        raise DraftRejected(problems)
    async with uow.write():
        await require_manager(uow, staff, draft.organisation_id)
        while True:
            code = draft.code or new_code()
            event = await uow.events.create(draft, code, EventStatus.PUBLISHED, staff.user_id, now)
            if event is not None:
                await subscriptions.announce(uow, [event], now)
                return event
            if draft.code is not None:
                raise DraftRejected([Problem("code-taken", {"code": draft.code})])


def draft_of(event: EventRecord) -> EventDraft:
    """The event as a draft, to edit."""
    names = {f.name for f in fields(EventDraft)}
    return EventDraft(**{name: getattr(event, name) for name in names})


def changes(before: EventRecord, after: EventDraft) -> list[str]:
    """The announced fields that differ."""
    return [name for name in ANNOUNCED if getattr(before, name) != getattr(after, name)]


async def _lock_managed(uow: UnitOfWork, staff: Staff, event_id: int) -> EventRecord:
    """The event, locked, if the user runs its organisation (NotPermitted otherwise; a stranger
    learns nothing, not even whether it exists). Inside a write transaction."""
    manager = await require_manager(uow, staff)
    event = await uow.events.get(event_id, for_update=True)
    if event is None:
        raise NotFound(event_id)
    if not manager.runs(event.organisation_id):
        raise NotPermitted(staff.user_id)
    return event


async def update_event(
    uow: UnitOfWork, staff: Staff, event_id: int, draft: EventDraft, now: datetime
) -> tuple[EventRecord, list[str]]:
    """Change an event; everyone signed up is told what changed (once per change)."""
    async with uow.write():
        event = await _lock_managed(uow, staff, event_id)
        if event.status == EventStatus.CANCELLED:
            raise NotFound(event_id)
        problems = check_draft(
            draft, now, existing_start=event.starts_at, seats_taken=event.seats_taken
        )
        if problems:
            raise DraftRejected(problems)
        changed = changes(event, draft)
        await uow.events.update(event.id, replace(draft, code=event.code), now)
        changed_event = replace(event, capacity=draft.capacity, starts_at=draft.starts_at)
        await _promote(uow, changed_event, now)
        updated = await uow.events.get(event.id)
        assert updated is not None
        if changed and updated.status == EventStatus.PUBLISHED:
            notice = Notice(OutboxKind.CHANGED, f"rev{updated.revision}", {"changed": changed})
            await _tell_signed_up(uow, updated, notice, now)
    return updated, changed


async def cancel_event(uow: UnitOfWork, staff: Staff, event_id: int, now: datetime) -> EventRecord:
    """Cancel an event; everyone signed up is told. Cancelling again changes nothing."""
    async with uow.write():
        event = await _lock_managed(uow, staff, event_id)
        if event.status != EventStatus.CANCELLED:
            await uow.events.set_status(event.id, EventStatus.CANCELLED, now)
            await _tell_signed_up(uow, event, Notice(OutboxKind.CANCELLED, "cancelled"), now)
        updated = await uow.events.get(event.id)
    assert updated is not None
    return updated


@dataclass(frozen=True, slots=True)
class Notice:
    """A message about an event to everyone signed up: its kind, what makes it unique for the
    event (`key`), and what the sender needs besides the event."""

    kind: OutboxKind
    key: str
    extra: dict[str, Any] = field(default_factory=dict)


async def _tell_signed_up(
    uow: UnitOfWork, event: EventRecord, notice: Notice, now: datetime
) -> None:
    registrations = await uow.registrations.list_for_event(event.id, SIGNED_UP)
    key = f"event:{event.id}:{notice.key}"
    messages = [_message(r.user_id, key, notice, event.id, now) for r in registrations]
    await uow.outbox.add_many(messages)


def _message(
    user_id: int, key: str, notice: Notice, event_id: int, now: datetime
) -> dict[str, Any]:
    """An outbox row about an event."""
    return {
        "user_id": user_id,
        "key": key,
        "kind": notice.kind,
        "payload": {"event_id": event_id, **notice.extra},
        "created_at": now,
        "not_before": now,
        "attempts": 0,
    }


async def managed_events(uow: UnitOfWork, manager: Manager, now: datetime, page: int) -> EventPage:
    """The coordinator's events: drafts, upcoming and going on, and those that ended within
    `MARKING_WINDOW` (so that attendance can be marked after the event), soonest first."""
    events, total = await uow.events.list_managed(
        manager.organisation_id, now - MARKING_WINDOW, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    await uow.end_read()
    return EventPage(events, total, page, {})


@dataclass(frozen=True, slots=True)
class Attendee:
    """One person signed up, as the organiser's list shows them."""

    registration: RegistrationRecord
    role: str | None
    organisation: str
    grade: int | None


async def _manageable(uow: UnitOfWork, staff: Staff, event_id: int) -> tuple[EventRecord, str]:
    """The event and its organiser's name, if the user runs it (NotPermitted otherwise; a
    stranger learns nothing, not even whether it exists). Leaves the read open."""
    manager = await require_manager(uow, staff)
    found = await uow.events.with_organiser(event_id=event_id)
    if found is None:
        raise NotFound(event_id)
    if not manager.runs(found[0].organisation_id):
        raise NotPermitted(staff.user_id)
    return found


async def event_to_manage(uow: UnitOfWork, staff: Staff, event_id: int) -> EventRecord:
    """An event the user runs (for the editor)."""
    try:
        event, _ = await _manageable(uow, staff, event_id)
    finally:
        await uow.end_read()
    return event


async def seats_taken(uow: UnitOfWork, event_id: int) -> int:
    """The seats an event's confirmed sign-ups hold as stored now (0: no such event), for the
    preview of a change. Leaves the read open."""
    event = await uow.events.get(event_id)
    return event.seats_taken if event is not None else 0


@dataclass(frozen=True, slots=True)
class ManagedEvent:
    """An event in the coordinator's cabinet: with its organiser and everyone signed up."""

    event: EventRecord
    organiser: str
    attendees: list[Attendee]


async def managed_event(
    uow: UnitOfWork, staff: Staff, event_id: int, moment: Moment
) -> ManagedEvent:
    """An event the user runs, with everyone who signed up (in the order they did), each with
    their role, school and grade now; in one read."""
    try:
        event, organiser = await _manageable(uow, staff, event_id)
        people = await uow.registrations.people_of(event_id)
    finally:
        await uow.end_read()
    year = moment.academic_year
    attendees = [
        Attendee(registration, user.role, organisation, profile.current_grade(user, year))
        for registration, user, organisation in people
    ]
    return ManagedEvent(event, organiser, attendees)


async def mark_attendance(
    uow: UnitOfWork,
    staff: Staff,
    event_id: int,
    marks: dict[int, bool] | None,
    moment: Moment,
) -> int:
    """Mark who came and who did not (`marks`: user id -> came), or, with None, everyone still
    marked as signed up as present. Each attendance goes into the monitoring log once (a
    completed trial also as a trial, and its participant is asked two short questions).
    Returns how many were marked."""
    async with uow.write():
        event = await _lock_managed(uow, staff, event_id)
        if event.status != EventStatus.PUBLISHED or event.starts_at > moment.now:
            raise NotFound(event_id)  # attendance is for an event that has begun
        seated = [
            (registration, user)
            for registration, user, _ in await uow.registrations.people_of(event_id)
            if registration.status in SEATED
        ]
        if marks is None:
            marks = {r.user_id: True for r, _ in seated if r.status == RegistrationStatus.CONFIRMED}
        chosen = [(r, user) for r, user in seated if r.user_id in marks]
        for registration, user in chosen:
            came = marks[registration.user_id]
            status = RegistrationStatus.ATTENDED if came else RegistrationStatus.NO_SHOW
            await uow.registrations.set_status(registration.id, status, moment.now)
            if came:
                await _log_attendance(uow, event, user, moment)
    return len(chosen)


async def _log_attendance(
    uow: UnitOfWork, event: EventRecord, user: UserRecord, moment: Moment
) -> None:
    detail = {"event": event.id, "kind": event.kind, "organisation": event.organisation_id}
    ref = f"event:{event.id}:user:{user.id}"
    await uow.steps.log(steps.step_of(user, StepKind.EVENT_ATTENDED, ref, moment, detail))
    if event.kind == EventKind.TRIAL:
        trial = {**detail, "profession": event.profession, "types": list(event.interest_types)}
        await uow.steps.log(steps.step_of(user, StepKind.TRIAL_COMPLETED, ref, moment, trial))
        await uow.outbox.add(
            user.id,
            f"event:{event.id}:feedback",
            OutboxKind.TRIAL_FEEDBACK,
            {"event_id": event.id},
            moment.now,
        )


# --- everyone: finding events, signing up ---------------------------------------------------


class Refusal(StrEnum):
    """Why a sign-up is not possible (each has a text: `event-refused-<value>`)."""

    CANCELLED = "cancelled"
    STARTED = "started"
    CLOSED = "closed"
    NOT_FOR_ROLE = "role"
    NOT_FOR_GRADE = "grade"


class SignUp(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    #: Signed up already (a second tap): nothing changed.
    ALREADY = "already"


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[EventRecord]
    total: int
    page: int
    #: The user's status for each listed event they signed up for.
    statuses: dict[int, str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _school_grade(user: UserRecord, year: int) -> int | None:
    if user.role != Role.STUDENT:
        return None
    return profile.current_grade(user, year)


def refusal(
    event: EventRecord, user: UserRecord | None, now: datetime, year: int
) -> Refusal | None:
    """Why this user cannot sign up for this event now; None if they can."""
    if event.status == EventStatus.CANCELLED:
        return Refusal.CANCELLED
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now:
        return Refusal.STARTED
    if event.closes_at <= now:
        return Refusal.CLOSED
    return None if user is None else _misfit(event, user, year)


def _misfit(event: EventRecord, user: UserRecord, year: int) -> Refusal | None:
    """Why the event is not for this user (role, a student's grade); None if it is."""
    if user.role not in event.roles:
        return Refusal.NOT_FOR_ROLE
    grade = _school_grade(user, year)
    if grade is not None and not (
        (event.grade_min is None or event.grade_min <= grade)
        and (event.grade_max is None or grade <= event.grade_max)
    ):
        return Refusal.NOT_FOR_GRADE
    return None


def _filter(user: UserRecord | None, moment: Moment, kind: str | None) -> EventFilter:
    if user is None:
        return EventFilter(now=moment.now, kind=kind)
    return EventFilter(
        now=moment.now,
        role=user.role,
        grade=_school_grade(user, moment.academic_year),
        kind=kind,
    )


async def upcoming(
    uow: UnitOfWork, user: UserRecord | None, moment: Moment, *, kind: str | None, page: int
) -> EventPage:
    """A page of the upcoming events that fit the user (their role; a student's grade),
    soonest first; everyone's for a guest."""
    where = _filter(user, moment, kind)
    events, total = await uow.events.list_upcoming(
        where, offset=max(0, page) * PAGE_SIZE, limit=PAGE_SIZE
    )
    if not events and total and page > 0:  # the page emptied meanwhile: the last one
        last = (total - 1) // PAGE_SIZE
        events, total = await uow.events.list_upcoming(
            where, offset=last * PAGE_SIZE, limit=PAGE_SIZE
        )
        page = last
    statuses = await uow.registrations.statuses_for(user.id, [e.id for e in events]) if user else {}
    await uow.end_read()
    return EventPage(events, total, max(0, page), statuses)


async def suggestions(
    uow: UnitOfWork, user: UserRecord, moment: Moment, types: Sequence[str], limit: int = 3
) -> list[EventRecord]:
    """Upcoming events for the user that match any of the interest types (trials first)."""
    events, _ = await uow.events.list_upcoming(_filter(user, moment, None), limit=200)
    await uow.end_read()
    wanted = set(types)
    matching = [e for e in events if wanted & set(e.interest_types) and e.closes_at > moment.now]
    matching.sort(key=lambda e: (e.kind != EventKind.TRIAL, e.starts_at))
    return matching[:limit]


@dataclass(frozen=True, slots=True)
class EventView:
    """An event as one user sees it."""

    event: EventRecord
    organiser: str
    registration: RegistrationRecord | None
    #: Place in the waiting list (1: next), if waiting.
    position: int | None
    refusal: Refusal | None


async def event_for(
    uow: UnitOfWork, user: UserRecord | None, event_id: int, moment: Moment
) -> EventView:
    found = await uow.events.with_organiser(event_id=event_id)
    return await _view(uow, user, found, moment, event_id)


async def event_by_code(
    uow: UnitOfWork, user: UserRecord | None, code: str, moment: Moment
) -> EventView:
    found = await uow.events.with_organiser(code=code.lower())
    return await _view(uow, user, found, moment, code)


async def _view(
    uow: UnitOfWork,
    user: UserRecord | None,
    found: tuple[EventRecord, str] | None,
    moment: Moment,
    asked: object,
) -> EventView:
    if found is None or found[0].status == EventStatus.DRAFT:
        await uow.end_read()
        raise NotFound(asked)
    event, organiser = found
    registration = None
    position = None
    if user is not None:
        registration = await uow.registrations.get(event.id, user.id)
        if registration is not None and registration.status == RegistrationStatus.WAITLISTED:
            position = await uow.registrations.waiting_position(registration)
    await uow.end_read()
    return EventView(
        event,
        organiser,
        registration,
        position,
        refusal(event, user, moment.now, moment.academic_year),
    )


@dataclass(frozen=True, slots=True)
class Applicant:
    """Who signs up: their id, and the name from their Telegram profile (for the organiser's
    list)."""

    user_id: int
    name: str


async def sign_up(
    uow: UnitOfWork, applicant: Applicant, event_id: int, moment: Moment, *, consent_version: str
) -> tuple[SignUp, EventView]:
    """Take a seat, or a place in the waiting list when none is free; returns the outcome and
    the event as the user sees it now, read in the same transaction. The event row is locked
    for the whole transaction (SQLite: the write lock), so the seats counted are the seats
    there are: capacity is never exceeded, whatever the concurrency.

    Checks the user itself (the caller need not load them first): NotRegistered,
    ConsentOutdated, ProfileIncomplete; `SignUpRefused` with the reason when the event is not
    open to them."""
    now = moment.now
    user_id = applicant.user_id
    async with uow.write():
        found = await uow.events.seat_context(event_id, user_id)
        if found is None or found.event.status == EventStatus.DRAFT:
            raise NotFound(event_id)
        user = found.user
        if user is None:
            raise NotRegistered
        if not profile.consent_current(user, consent_version):
            raise ConsentOutdated
        if not profile.profile_complete(user):
            raise ProfileIncomplete
        if user.blocked_at is not None:  # they tapped a button: they can be reached again
            await uow.users.mark_reachable(user_id)
        event, organiser, existing = found.event, found.organiser, found.registration
        reason = refusal(event, user, now, moment.academic_year)
        if existing is not None and existing.status in (
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITLISTED,
            RegistrationStatus.ATTENDED,
        ):
            position = None
            if existing.status == RegistrationStatus.WAITLISTED:
                position = await uow.registrations.waiting_position(existing)
            return SignUp.ALREADY, EventView(event, organiser, existing, position, reason)
        if reason is not None:
            raise SignUpRefused(reason)
        seat = event.seats_left is None or event.seats_left > 0
        status = RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED
        if existing is None:
            registration = await uow.registrations.create(
                event_id, user_id, status, applicant.name[:130], now
            )
        else:  # signed up again after cancelling: to the end of the line
            await uow.registrations.set_status(existing.id, status, now, requeue=True)
            registration = replace(existing, status=status, queued_at=now, updated_at=now)
        position = None
        if seat:
            await uow.events.add_seats(event_id, 1)
            event = replace(event, seats_taken=event.seats_taken + 1)
        else:  # the newest in line is the last
            position = found.waiting + 1
    outcome = SignUp.CONFIRMED if seat else SignUp.WAITLISTED
    view = EventView(
        event, organiser, registration, position, refusal(event, user, now, moment.academic_year)
    )
    return outcome, view


class SignUpRefused(ServiceError):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason)
        self.reason = reason


async def cancel_sign_up(uow: UnitOfWork, user_id: int, event_id: int, now: datetime) -> bool:
    """Give up a seat or a place in line. A freed seat goes to the first in line, who is told.
    False if the user was not signed up (nothing changes)."""
    async with uow.write():
        event = await uow.events.get(event_id, for_update=True)
        if event is None:
            raise NotFound(event_id)
        registration = await uow.registrations.get(event_id, user_id, for_update=True)
        if registration is None or registration.status not in SIGNED_UP:
            return False
        if event.starts_at <= now:
            raise SignUpRefused(Refusal.STARTED)
        await _give_up(uow, event, registration, now)
    return True


async def give_up_seats(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """Inside the caller's write (the user erasing their data): each seat the user holds in an
    event not begun is given up as `cancel_sign_up` does, so the first in line gets it and is
    told."""
    for event_id in await uow.registrations.seated_upcoming(user_id, now):
        event = await uow.events.get(event_id, for_update=True)
        registration = await uow.registrations.get(event_id, user_id, for_update=True)
        if event is None or registration is None:
            continue
        if registration.status == RegistrationStatus.CONFIRMED and event.starts_at > now:
            await _give_up(uow, event, registration, now)


async def _give_up(
    uow: UnitOfWork, event: EventRecord, registration: RegistrationRecord, now: datetime
) -> None:
    """Cancel a sign-up (both locked); a seat it held goes to the first in line, who is told."""
    await uow.registrations.set_status(registration.id, RegistrationStatus.CANCELLED, now)
    if registration.status == RegistrationStatus.CONFIRMED:
        await uow.events.add_seats(event.id, -1)
        await _promote(uow, replace(event, seats_taken=event.seats_taken - 1), now)


async def _promote(uow: UnitOfWork, event: EventRecord, now: datetime) -> None:
    """Give the free seats of `event` (as it is now, inside its lock) to the first in line,
    and tell them: one read, one update and one insert of messages, however many move up."""
    if event.starts_at <= now or event.seats_left == 0:
        return
    promoted = await uow.registrations.first_waiting(event.id, event.seats_left)
    if not promoted:
        return
    await uow.registrations.confirm([r.id for r in promoted], now)
    await uow.events.add_seats(event.id, len(promoted))
    await uow.outbox.add_many(
        [
            _message(
                r.user_id,
                f"event:{event.id}:promoted:{r.id}:{now.timestamp():.0f}",
                Notice(OutboxKind.PROMOTED, ""),
                event.id,
                now,
            )
            for r in promoted
        ]
    )


async def plans(
    uow: UnitOfWork, user_id: int, now: datetime
) -> list[tuple[RegistrationRecord, EventRecord]]:
    """What the user signed up for, from events that ended up to a week ago on."""
    found = await uow.registrations.plans(user_id, now - timedelta(days=7))
    await uow.end_read()
    return found


async def record_feedback(
    uow: UnitOfWork, user_id: int, event_id: int, answers: dict[str, Any], moment: Moment
) -> bool:
    """The two questions after a trial (liked it; helped to choose), for the statistics; the
    user must have attended it. False if they had answered already."""
    async with uow.write():
        user = await uow.users.get(user_id)
        registration = await uow.registrations.get(event_id, user_id)
        if (
            user is None
            or registration is None
            or registration.status != RegistrationStatus.ATTENDED
        ):
            raise NotFound(event_id)
        ref = f"event:{event_id}:user:{user_id}"
        detail = {"event": event_id, **answers}
        step = steps.step_of(user, StepKind.TRIAL_FEEDBACK, ref, moment, detail)
        return await uow.steps.log(step)  # a second answer is not counted twice


async def calendar_entries(uow: UnitOfWork, event_ids: Sequence[int]) -> list[CalendarEntry]:
    """The events (not drafts) as entries of a calendar file."""
    entries = []
    for event, organiser in await uow.events.many_with_organisers(event_ids):
        if event.status == EventStatus.DRAFT:
            continue
        entries.append(
            CalendarEntry(
                id=event.id,
                title=event.title,
                description=event.description,
                place=event.place,
                link=event.link,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                cancelled=event.status == EventStatus.CANCELLED,
                organiser=organiser,
            )
        )
    await uow.end_read()
    return entries


async def count_registrations(uow: UnitOfWork, user_id: int) -> int:
    count = await uow.registrations.count_for_user(user_id)
    await uow.end_read()
    return count
