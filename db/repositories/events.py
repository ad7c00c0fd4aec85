"""Events and sign-ups. The capacity rule lives in `services.events`; this module gives it the
locked reads and the writes it needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    SmallInteger,
    String,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.connection import connection_of
from db.dialect import insert_ignoring_conflicts, insert_many_returning_ids
from db.models import (
    AUDIENCE_BITS,
    LONGEST_EVENT,
    Event,
    EventStatus,
    Organisation,
    Registration,
    RegistrationStatus,
    User,
)
from db.personal import PersonalRows, personal_rows
from db.records import EventDraft, EventRecord, RegistrationRecord, SeatContext, UserRecord
from db.repositories.users import USER_COLUMNS

_EVENT_COLUMNS = (
    Event.id,
    Event.code,
    Event.kind,
    Event.status,
    Event.title,
    Event.description,
    Event.organisation_id,
    Event.place,
    Event.link,
    Event.starts_at,
    Event.ends_at,
    Event.capacity,
    Event.seats_taken,
    Event.signup_deadline,
    Event.audience,
    Event.grade_min,
    Event.grade_max,
    Event.interest_types,
    Event.profession,
    Event.revision,
    Event.created_by,
    Event.created_at,
    Event.updated_at,
)
_REGISTRATION_COLUMNS = (
    Registration.id,
    Registration.event_id,
    Registration.user_id,
    Registration.status,
    Registration.display_name,
    Registration.queued_at,
    Registration.created_at,
    Registration.updated_at,
)
#: Statuses that hold a seat.
SEATED = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)


_WAITING = aliased(Registration)


#: Signing up reads everything it needs in one query (built once: the busiest write of all).
#: On SQLite the writer already holds the database lock; PostgreSQL locks the event row first
#: (`_LOCK_EVENT`), so that this query, a new statement, sees what committed before the lock.
def _upcoming(*columns: Any) -> Select[*tuple[Any, ...]]:
    """Published events still going on at :now (none lasts longer than `LONGEST_EVENT`, so
    the start index skips every event long over), for the audience bit :bit (None: anyone's),
    a student's :grade (None: any), of one :kind and :organisation_id (None: all)."""
    bit = bindparam("bit", type_=Integer)
    grade = bindparam("grade", type_=SmallInteger)
    kind = bindparam("kind", type_=String)
    organisation = bindparam("organisation_id", type_=Integer)
    return select(*columns).where(
        Event.status == EventStatus.PUBLISHED,
        Event.starts_at > bindparam("since", type_=Event.starts_at.type),
        Event.ends_at > bindparam("now", type_=Event.ends_at.type),
        or_(bit.is_(None), Event.audience.op("&")(bit) != 0),
        or_(
            grade.is_(None),
            and_(
                or_(Event.grade_min.is_(None), Event.grade_min <= grade),
                or_(Event.grade_max.is_(None), Event.grade_max >= grade),
            ),
        ),
        or_(kind.is_(None), Event.kind == kind),
        or_(organisation.is_(None), Event.organisation_id == organisation),
    )


_COUNT_UPCOMING = _upcoming(func.count())
_UPCOMING_PAGE = (
    _upcoming(*_EVENT_COLUMNS)
    .order_by(Event.starts_at, Event.id)
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)
_LOCK_EVENT = select(Event.id).where(Event.id == bindparam("event_id")).with_for_update()
_SEAT_CONTEXT = (
    select(
        *_EVENT_COLUMNS,
        Organisation.name,
        *_REGISTRATION_COLUMNS,
        *USER_COLUMNS,
        select(func.count())
        .where(
            _WAITING.event_id == Event.id,
            _WAITING.status == RegistrationStatus.WAITLISTED,
        )
        .scalar_subquery(),
    )
    .join(Organisation, Organisation.id == Event.organisation_id)
    .outerjoin(
        Registration,
        and_(Registration.event_id == Event.id, Registration.user_id == bindparam("user_id")),
    )
    .outerjoin(User, User.id == bindparam("user_id"))
    .where(Event.id == bindparam("event_id"))
)
_NEW_REGISTRATION = insert(Registration).values(
    event_id=bindparam("event_id"),
    user_id=bindparam("user_id"),
    status=bindparam("status"),
    display_name=bindparam("display_name"),
    queued_at=bindparam("now"),
    created_at=bindparam("now"),
    updated_at=bindparam("now"),
)
_ADD_SEATS = (
    update(Event)
    .where(Event.id == bindparam("event_id"))
    .values(seats_taken=Event.seats_taken + bindparam("delta"))
)


def audience_mask(roles: Sequence[str]) -> int:
    return sum(AUDIENCE_BITS[role] for role in set(roles))


def audience_roles(mask: int) -> tuple[str, ...]:
    return tuple(role for role, bit in AUDIENCE_BITS.items() if mask & bit)


def _event(row: Sequence[Any]) -> EventRecord:
    values = list(row)
    values[14] = audience_roles(values[14])
    values[17] = tuple(values[17])
    return EventRecord(*values)


def _registration(row: Sequence[Any]) -> RegistrationRecord:
    return RegistrationRecord(*row)


def _draft_values(draft: EventDraft) -> dict[str, Any]:
    return {
        "kind": draft.kind,
        "title": draft.title.strip(),
        "description": draft.description.strip(),
        "organisation_id": draft.organisation_id,
        "place": draft.place.strip(),
        "link": draft.link.strip(),
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "capacity": draft.capacity,
        "signup_deadline": draft.signup_deadline,
        "audience": audience_mask(draft.roles),
        "grade_min": draft.grade_min,
        "grade_max": draft.grade_max,
        "interest_types": list(draft.interest_types),
        "profession": draft.profession.strip(),
    }


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which upcoming events a user is shown: those for their role (and grade), of one kind if
    chosen, still going on at `now`."""

    now: datetime
    role: str | None = None
    grade: int | None = None
    kind: str | None = None
    organisation_id: int | None = None


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, query: Select[*tuple[Any, ...]]) -> EventRecord | None:
        row = (await self._session.execute(query)).first()
        return _event(row) if row is not None else None

    async def create(
        self, draft: EventDraft, code: str, status: str, created_by: int | None, now: datetime
    ) -> EventRecord | None:
        """The new event; None if `code` is taken (also by another process at this moment)."""
        values = {
            **_draft_values(draft),
            "code": code,
            "status": status,
            "seats_taken": 0,
            "revision": 0,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
        }
        statement = insert_ignoring_conflicts(
            self._session,
            Event.__table__,  # type: ignore[arg-type]
            values,
        )
        new_id = await self._session.scalar(statement.returning(Event.id))
        return await self.get(new_id) if new_id is not None else None

    async def many_with_organisers(self, event_ids: Sequence[int]) -> list[tuple[EventRecord, str]]:
        """These events (those that exist), each with its organiser's name, soonest first."""
        if not event_ids:
            return []
        rows = await self._session.execute(
            select(*_EVENT_COLUMNS, Organisation.name)
            .join(Organisation, Organisation.id == Event.organisation_id)
            .where(Event.id.in_(event_ids))
            .order_by(Event.starts_at, Event.id)
        )
        return [(_event(row[:-1]), str(row[-1])) for row in rows]

    async def get(self, event_id: int, *, for_update: bool = False) -> EventRecord | None:
        query = select(*_EVENT_COLUMNS).where(Event.id == event_id)
        return await self._one(query.with_for_update() if for_update else query)

    async def with_organiser(
        self, *, event_id: int | None = None, code: str | None = None, for_update: bool = False
    ) -> tuple[EventRecord, str] | None:
        """The event with this id (or code) and its organiser's name, in one query; locked
        (the event row only) when `for_update`."""
        where = Event.id == event_id if code is None else Event.code == code
        query = (
            select(*_EVENT_COLUMNS, Organisation.name)
            .join(Organisation, Organisation.id == Event.organisation_id)
            .where(where)
        )
        if for_update:
            query = query.with_for_update(of=Event)
        row = (await self._session.execute(query)).first()
        return (_event(row[:-1]), str(row[-1])) if row is not None else None

    async def create_many(
        self, drafts: Sequence[EventDraft], status: str, created_by: int | None, now: datetime
    ) -> list[int]:
        """Insert the drafts (each with its `code`) in multi-row statements; a code that exists
        already (even one another process inserts at the same moment) is skipped. Returns the
        ids of the events created."""
        rows = [
            {
                **_draft_values(draft),
                "code": draft.code,
                "status": status,
                "seats_taken": 0,
                "revision": 0,
                "created_by": created_by,
                "created_at": now,
                "updated_at": now,
            }
            for draft in drafts
        ]
        return await insert_many_returning_ids(
            self._session,
            Event.__table__,  # type: ignore[arg-type]
            rows,
        )

    async def update(self, event_id: int, draft: EventDraft, now: datetime) -> None:
        values = _draft_values(draft)
        await self._session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(**values, revision=Event.revision + 1, updated_at=now)
        )

    async def set_status(self, event_id: int, status: str, now: datetime) -> None:
        await self._session.execute(
            update(Event).where(Event.id == event_id).values(status=status, updated_at=now)
        )

    async def add_seats(self, event_id: int, delta: int) -> None:
        connection = await connection_of(self._session)
        await connection.execute(_ADD_SEATS, {"event_id": event_id, "delta": delta})

    async def seat_context(self, event_id: int, user_id: int) -> SeatContext | None:
        """For signing up (inside a write transaction): the event, locked, with its organiser,
        the user (None: not registered), their registration and the length of the waiting
        list; None: no such event."""
        connection = await connection_of(self._session)
        if connection.dialect.name == "postgresql":
            await connection.execute(_LOCK_EVENT, {"event_id": event_id})
        row: Sequence[Any] | None = (
            await connection.execute(_SEAT_CONTEXT, {"event_id": event_id, "user_id": user_id})
        ).first()
        if row is None:
            return None
        events = len(_EVENT_COLUMNS)
        users = events + 1 + len(_REGISTRATION_COLUMNS)
        registration = row[events + 1 : users]
        user = row[users : users + len(USER_COLUMNS)]
        return SeatContext(
            _event(row[:events]),
            str(row[events]),
            UserRecord(*user) if user[0] is not None else None,
            _registration(registration) if registration[0] is not None else None,
            int(row[-1]),
        )

    async def list_upcoming(
        self, where: EventFilter, *, offset: int = 0, limit: int = 5
    ) -> tuple[list[EventRecord], int]:
        """A page of the upcoming events that fit, soonest first, and how many fit in all.
        Two prebuilt statements (every user's list is the same SQL with other values): the
        count reads the index alone (`ix_events_listing`)."""
        connection = await connection_of(self._session)
        values = {
            "since": where.now - LONGEST_EVENT,
            "now": where.now,
            "bit": AUDIENCE_BITS.get(where.role) if where.role is not None else None,
            "grade": where.grade,
            "kind": where.kind,
            "organisation_id": where.organisation_id,
        }
        total = (await connection.execute(_COUNT_UPCOMING, values)).scalar_one()
        rows = await connection.execute(
            _UPCOMING_PAGE, {**values, "offset": offset, "limit": limit}
        )
        return [_event(row) for row in rows], int(total)

    async def list_managed(
        self, organisation_id: int | None, ended_after: datetime, *, offset: int = 0, limit: int = 5
    ) -> tuple[list[EventRecord], int]:
        """A coordinator's events (all organisations' when `organisation_id` is None) that end
        after `ended_after`, soonest first."""
        query = select(*_EVENT_COLUMNS).where(Event.ends_at > ended_after)
        if organisation_id is not None:
            query = query.where(Event.organisation_id == organisation_id)
        total = await self._session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self._session.execute(
            query.order_by(Event.starts_at, Event.id).offset(offset).limit(limit)
        )
        return [_event(row) for row in rows], int(total or 0)


class RegistrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(
        self, event_id: int, user_id: int, *, for_update: bool = False
    ) -> RegistrationRecord | None:
        query = select(*_REGISTRATION_COLUMNS).where(
            Registration.event_id == event_id, Registration.user_id == user_id
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _registration(row) if row is not None else None

    async def create(
        self, event_id: int, user_id: int, status: str, display_name: str, now: datetime
    ) -> RegistrationRecord:
        connection = await connection_of(self._session)
        inserted = await connection.execute(
            _NEW_REGISTRATION,
            {
                "event_id": event_id,
                "user_id": user_id,
                "status": status,
                "display_name": display_name,
                "now": now,
            },
        )
        # SQLite's last row id (no result rows to fetch); PostgreSQL returns it.
        key = inserted.inserted_primary_key
        assert key is not None
        new_id = int(key[0])
        return RegistrationRecord(new_id, event_id, user_id, status, display_name, now, now, now)

    async def set_status(
        self, registration_id: int, status: str, now: datetime, *, requeue: bool = False
    ) -> None:
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if requeue:
            values["queued_at"] = now
        await self._session.execute(
            update(Registration).where(Registration.id == registration_id).values(**values)
        )

    async def first_waiting(self, event_id: int, limit: int | None) -> list[RegistrationRecord]:
        """The first `limit` in the waiting list (None: all of them), in order, locked."""
        rows = await self._session.execute(
            select(*_REGISTRATION_COLUMNS)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.queued_at, Registration.id)
            .limit(limit)
            .with_for_update()
        )
        return [_registration(row) for row in rows]

    async def confirm(self, registration_ids: Sequence[int], now: datetime) -> None:
        """Give these (waiting) registrations a seat."""
        await self._session.execute(
            update(Registration)
            .where(Registration.id.in_(registration_ids))
            .values(status=RegistrationStatus.CONFIRMED, updated_at=now)
        )

    async def waiting_position(self, registration: RegistrationRecord) -> int:
        """1 for the first in line."""
        ahead = await self._session.scalar(
            select(func.count()).where(
                Registration.event_id == registration.event_id,
                Registration.status == RegistrationStatus.WAITLISTED,
                (Registration.queued_at < registration.queued_at)
                | (
                    (Registration.queued_at == registration.queued_at)
                    & (Registration.id < registration.id)
                ),
            )
        )
        return int(ahead or 0) + 1

    async def people_of(self, event_id: int) -> list[tuple[RegistrationRecord, UserRecord, str]]:
        """Everyone who signed up for the event, in the order they did, each with their user
        record and their organisation's short name ("" if none), in one query."""
        rows = await self._session.execute(
            select(*_REGISTRATION_COLUMNS, *USER_COLUMNS, Organisation.short_name)
            .join(User, User.id == Registration.user_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(Registration.event_id == event_id)
            .order_by(Registration.queued_at, Registration.id)
        )
        users = len(_REGISTRATION_COLUMNS)
        people = []
        for row in rows:
            values: Sequence[Any] = row
            user = UserRecord(*values[users : users + len(USER_COLUMNS)])
            people.append((_registration(values[:users]), user, str(values[-1] or "")))
        return people

    async def list_for_event(
        self, event_id: int, statuses: Sequence[str] | None = None
    ) -> list[RegistrationRecord]:
        query = select(*_REGISTRATION_COLUMNS).where(Registration.event_id == event_id)
        if statuses is not None:
            query = query.where(Registration.status.in_(statuses))
        rows = await self._session.execute(query.order_by(Registration.queued_at, Registration.id))
        return [_registration(row) for row in rows]

    async def statuses_for(self, user_id: int, event_ids: Sequence[int]) -> dict[int, str]:
        if not event_ids:
            return {}
        rows = await self._session.execute(
            select(Registration.event_id, Registration.status).where(
                Registration.user_id == user_id, Registration.event_id.in_(event_ids)
            )
        )
        return {row[0]: row[1] for row in rows}

    async def plans(
        self, user_id: int, since: datetime, limit: int = 20
    ) -> list[tuple[RegistrationRecord, EventRecord]]:
        """The user's sign-ups for events not long over, soonest first."""
        rows = await self._session.execute(
            select(*_REGISTRATION_COLUMNS, *_EVENT_COLUMNS)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.user_id == user_id, Event.ends_at > since)
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
        width = len(_REGISTRATION_COLUMNS)
        return [(_registration(row[:width]), _event(row[width:])) for row in rows]

    async def seated_upcoming(self, user_id: int, now: datetime) -> list[int]:
        """The events not begun in which the user holds a seat, by id (the order to lock them
        in)."""
        rows = await self._session.execute(
            select(Registration.event_id)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.user_id == user_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Event.starts_at > now,
            )
            .order_by(Registration.event_id)
        )
        return [int(row[0]) for row in rows]

    async def count_for_user(self, user_id: int) -> int:
        return int(
            await self._session.scalar(select(func.count()).where(Registration.user_id == user_id))
            or 0
        )

    async def personal_data(self, user_id: int) -> PersonalRows:
        """Every sign-up with its event, for /mydata's file."""
        query = (
            select(
                Event.title.label("event"),
                Event.starts_at,
                Registration.status,
                Registration.display_name,
                Registration.created_at,
                Registration.updated_at,
            )
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.user_id == user_id)
            .order_by(Event.starts_at)
        )
        return await personal_rows(self._session, query)
