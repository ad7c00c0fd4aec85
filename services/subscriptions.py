"""Subscriptions to announcements of new events: what a user wants to hear about (kinds of
events, whose events, grades, a school), with sensible defaults by role; unsubscribing at once
(what is still queued for them is dropped in the same transaction) and «Вернуть», which
restores the same choice. Publishing an event announces it to the subscribers it fits
(`announce`, called in the transaction that publishes it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from content.catalogue import OrganisationKind
from db.calendar import Moment
from db.models import ALL_KINDS, AUDIENCE_BITS, GRADES, KIND_BITS, EventStatus, Role, grade_bits
from db.records import EventRecord, OrganisationRecord, SubscriptionRecord, UserRecord
from db.repositories.outbox import Outcome
from db.uow import UnitOfWork
from services import profile
from services.errors import NotAllowed, NotFound, ServiceError
from services.outbox_kinds import SUBSCRIBED_KINDS, OutboxKind

#: Every grade a subscription can name, and every audience.
ALL_GRADES = grade_bits(GRADES)
ALL_AUDIENCES = sum(AUDIENCE_BITS.values())
#: A parent hears of events for parents and for school students (their child).
PARENT_AUDIENCES = AUDIENCE_BITS[Role.PARENT] | AUDIENCE_BITS[Role.STUDENT]


class Part(StrEnum):
    """What a toggle changes."""

    KIND = "kind"
    AUDIENCE = "audience"
    GRADE = "grade"


class NothingLeft(ServiceError):
    """The toggle would leave no kind (or no audience) chosen: refused, nothing changes."""

    def __init__(self, part: Part) -> None:
        super().__init__(part)
        self.part = part


@dataclass(frozen=True, slots=True)
class Choice:
    """What a subscription asks for (see `SubscriptionRecord`)."""

    kinds: int
    audiences: int
    grades: int
    organisation_id: int | None


@dataclass(frozen=True, slots=True)
class Overview:
    """A user's subscription (None: never subscribed) and the name of its school, if one."""

    subscription: SubscriptionRecord | None
    school: str | None


def asks_for_child(user: UserRecord) -> bool:
    """A parent first says their child's grade(s) and school; everyone else is subscribed at
    once with the defaults of their role."""
    return user.role == Role.PARENT


def valid_grades(grades: int) -> bool:
    """Only grades a subscription can name (a forged mask may hold other bits)."""
    return not grades & ~ALL_GRADES


def defaults_for(user: UserRecord, year: int) -> Choice:
    """Every kind of event, for the user's own group: a school student also their own grade
    and school; a parent events for parents and school students (grades and school asked)."""
    role = user.role or ""
    if role == Role.PARENT:
        return Choice(ALL_KINDS, PARENT_AUDIENCES, 0, None)
    audiences = AUDIENCE_BITS.get(role, ALL_AUDIENCES)
    if role != Role.STUDENT:
        return Choice(ALL_KINDS, audiences, 0, None)
    grade = profile.current_grade(user, year)
    grades = 1 << grade if grade is not None and grade in GRADES else 0
    return Choice(ALL_KINDS, audiences, grades, user.organisation_id)


async def overview(uow: UnitOfWork, user_id: int) -> Overview:
    subscription = await uow.subscriptions.get(user_id)
    school = None
    if subscription is not None and subscription.organisation_id is not None:
        organisation = await uow.organisations.get(subscription.organisation_id)
        school = organisation.short_name if organisation is not None else None
    await uow.end_read()
    return Overview(subscription, school)


async def schools(uow: UnitOfWork) -> list[OrganisationRecord]:
    """The catalogue's schools, in its order: what a subscription can be narrowed to."""
    found = await uow.organisations.list_active(OrganisationKind.SCHOOL)
    await uow.end_read()
    return found


async def _save(uow: UnitOfWork, user_id: int, choice: Choice, now: datetime) -> SubscriptionRecord:
    """Inside a write transaction: store the choice, switched on."""
    subscription = SubscriptionRecord(
        user_id=user_id,
        active=True,
        kinds=choice.kinds,
        audiences=choice.audiences,
        grades=choice.grades,
        organisation_id=choice.organisation_id,
        created_at=now,
        updated_at=now,
    )
    await uow.subscriptions.save(subscription)
    saved = await uow.subscriptions.get(user_id)
    assert saved is not None
    return saved


async def subscribe(uow: UnitOfWork, user: UserRecord, moment: Moment) -> SubscriptionRecord:
    """Subscribe with the defaults of the user's role; a choice kept from before (the user
    unsubscribed) is switched on again as it was."""
    async with uow.write():
        existing = await uow.subscriptions.get(user.id, for_update=True)
        if existing is not None:
            if not existing.active:
                await uow.subscriptions.set_active(user.id, True, moment.now)
            return (await uow.subscriptions.get(user.id)) or existing
        return await _save(uow, user.id, defaults_for(user, moment.academic_year), moment.now)


async def subscribe_for_child(
    uow: UnitOfWork, user: UserRecord, grades: int, school_id: int | None, now: datetime
) -> SubscriptionRecord:
    """A parent's subscription: events for parents and school students of these grades (0:
    any), of this school and the town's (`school_id` None: every school's)."""
    if not valid_grades(grades):
        raise NotAllowed(grades)
    async with uow.write():
        if school_id is not None:
            await _require_school(uow, school_id)
        existing = await uow.subscriptions.get(user.id, for_update=True)
        kinds = existing.kinds if existing is not None else ALL_KINDS
        audiences = existing.audiences if existing is not None else PARENT_AUDIENCES
        return await _save(uow, user.id, Choice(kinds, audiences, grades, school_id), now)


async def _require_school(uow: UnitOfWork, school_id: int) -> None:
    schools_on_offer = await uow.organisations.list_active(OrganisationKind.SCHOOL)
    if school_id not in {school.id for school in schools_on_offer}:
        raise NotAllowed(school_id)


async def _require_active(uow: UnitOfWork, user_id: int) -> SubscriptionRecord:
    """The user's subscription, locked, if it is on (NotFound otherwise: a button of a screen
    from before they unsubscribed)."""
    subscription = await uow.subscriptions.get(user_id, for_update=True)
    if subscription is None or not subscription.active:
        raise NotFound(user_id)
    return subscription


def _bit(part: Part, value: str) -> int:
    """The bit a toggle flips; NotAllowed for a value that is not on offer."""
    if part == Part.KIND:
        bit = KIND_BITS.get(value)
    elif part == Part.AUDIENCE:
        bit = AUDIENCE_BITS.get(value)
    else:
        bit = 1 << int(value) if value.isdigit() and int(value) in GRADES else None
    if bit is None:
        raise NotAllowed(value)
    return bit


def toggled(subscription: SubscriptionRecord, part: Part, value: str) -> Choice:
    """The choice with one kind, audience or grade switched; NothingLeft when it would leave
    no kind or no audience (no grade is fine: any grade)."""
    bit = _bit(part, value)
    kinds, audiences, grades = subscription.kinds, subscription.audiences, subscription.grades
    if part == Part.KIND:
        kinds ^= bit
    elif part == Part.AUDIENCE:
        audiences ^= bit
    else:
        grades ^= bit
    if not kinds & ALL_KINDS or not audiences & ALL_AUDIENCES:
        raise NothingLeft(part)
    return Choice(kinds, audiences, grades, subscription.organisation_id)


async def toggle(
    uow: UnitOfWork, user_id: int, part: Part, value: str, now: datetime
) -> SubscriptionRecord:
    """Switch one kind, audience or grade of an active subscription."""
    async with uow.write():
        subscription = await _require_active(uow, user_id)
        return await _save(uow, user_id, toggled(subscription, part, value), now)


async def choose_school(
    uow: UnitOfWork, user_id: int, school_id: int | None, now: datetime
) -> SubscriptionRecord:
    """Narrow an active subscription to one school's events (and the town's), or, with None,
    widen it to every school's."""
    async with uow.write():
        subscription = await _require_active(uow, user_id)
        if school_id is not None:
            await _require_school(uow, school_id)
        choice = Choice(subscription.kinds, subscription.audiences, subscription.grades, school_id)
        return await _save(uow, user_id, choice, now)


async def unsubscribe(uow: UnitOfWork, user_id: int, now: datetime) -> bool:
    """Stop every announcement (and topic broadcast) at once: the subscription is switched off,
    its choice kept, and what is queued for the user and not yet being sent is dropped, in the
    same transaction. True if it was on."""
    async with uow.write():
        subscription = await uow.subscriptions.get(user_id, for_update=True)
        was_on = subscription is not None and subscription.active
        if was_on:
            await uow.subscriptions.set_active(user_id, False, now)
        await uow.outbox.drop_pending_of(user_id, Outcome.UNSUBSCRIBED, now, kinds=SUBSCRIBED_KINDS)
    return was_on


async def resubscribe(uow: UnitOfWork, user_id: int, now: datetime) -> SubscriptionRecord:
    """«Вернуть»: the choice the user had, switched on again (NotFound if they never had one)."""
    async with uow.write():
        if not await uow.subscriptions.set_active(user_id, True, now):
            raise NotFound(user_id)
        subscription = await uow.subscriptions.get(user_id)
    assert subscription is not None
    return subscription


async def announce(uow: UnitOfWork, events: Sequence[EventRecord], now: datetime) -> int:
    """Queue the announcement of newly published events to every subscriber each fits (a
    school's own event only to those who chose that school or every school). Call it inside
    the write transaction that publishes them; each event is announced once, whatever
    happens to it later. Returns how many messages were queued."""
    organiser_kinds: dict[int, str | None] = {}
    queued = 0
    for event in events:
        if event.status != EventStatus.PUBLISHED:
            continue
        if event.organisation_id not in organiser_kinds:
            organiser = await uow.organisations.get(event.organisation_id)
            organiser_kinds[event.organisation_id] = organiser.kind if organiser else None
        school_event = organiser_kinds[event.organisation_id] == OrganisationKind.SCHOOL
        queued += await uow.outbox.announce(
            event, OutboxKind.ANNOUNCEMENT, now, school_event=school_event
        )
    return queued
