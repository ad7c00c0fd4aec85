"""Consultation requests to the employment centre or a college.

A person (registered, consent current) names the organisation, the topic (an empty one is
refused), a preferred time and how to be reached: through the bot, or a phone number they
chose to share (their own contact card, or typed where there is no contact button). The
organisation's coordinators (and the committee's) see new requests, take one (of two who
take it at once, one wins), and mark it held or not held. The person is told of each change
through the outbox; a held consultation is a monitoring step."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from db.calendar import Moment
from db.models import ConsultationStatus, StepKind
from db.records import ConsultationRecord, OrganisationRecord
from db.uow import UnitOfWork
from services import coordinators
from services.coordinators import Manager, Staff
from services.errors import NotAllowed, NotFound, NotPermitted, NotRegistered, ServiceError
from services.outbox_kinds import OutboxKind
from services.steps import step_of

#: The times a person may prefer (buttons).
TIMES = ("morning", "day", "evening", "any")
#: Organisations that take requests: these kinds, in town (a college elsewhere is far away).
KINDS = ("employment_centre", "college")
MAX_TOPIC = 500
#: Requests shown on one screen of the coordinator's queue.
QUEUE_SIZE = 10

_PHONE_CHARS = re.compile(r"[\s()\-]")


class EmptyTopic(ServiceError):
    """The topic is empty (or only spaces)."""


class TopicTooLong(ServiceError):
    pass


class BadPhone(ServiceError):
    """A typed phone number that is not a Russian one."""


@dataclass(frozen=True, slots=True)
class Draft:
    organisation_id: int
    topic: str
    preferred: str
    phone: str | None
    #: One per draft: sending it twice (a double tap) makes one request.
    token: str


def new_token() -> str:
    return secrets.token_hex(8)


def check_topic(text: str) -> str:
    topic = " ".join(text.split())
    if not topic:
        raise EmptyTopic
    if len(topic) > MAX_TOPIC:
        raise TopicTooLong
    return topic


def phone_number(text: str) -> str:
    """+7XXXXXXXXXX from a typed or shared number (8…, +7…, 7…, with spaces and dashes)."""
    digits = _PHONE_CHARS.sub("", text.strip())
    digits = digits.removeprefix("+")
    if digits.isdigit() and len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if digits.isdigit() and len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    raise BadPhone


def takes_requests(organisation: OrganisationRecord) -> bool:
    return (
        organisation.kind in KINDS
        and organisation.in_town
        and not organisation.code.endswith("-other")
    )


async def places(uow: UnitOfWork) -> list[OrganisationRecord]:
    """Where one can ask for a consultation: the employment centre first, then the town's
    colleges."""
    found = [o for o in await uow.organisations.list_active() if takes_requests(o)]
    await uow.end_read()
    found.sort(key=lambda o: KINDS.index(o.kind))
    return found


async def submit(uow: UnitOfWork, user_id: int, draft: Draft, now: datetime) -> ConsultationRecord:
    """Write the request (once per draft)."""
    topic = check_topic(draft.topic)
    if draft.preferred not in TIMES:
        raise NotAllowed
    async with uow.write():
        if await uow.users.get(user_id) is None:
            raise NotRegistered
        organisation = await uow.organisations.get(draft.organisation_id)
        if organisation is None or not takes_requests(organisation):
            raise NotAllowed
        return await uow.consultations.create(
            user_id=user_id,
            organisation_id=organisation.id,
            topic=topic,
            preferred=draft.preferred,
            phone=draft.phone,
            token=draft.token,
            now=now,
        )


async def sent(uow: UnitOfWork, user_id: int, token: str) -> ConsultationRecord | None:
    """The request the user already sent from the draft `token` (a second tap on «Отправить»)."""
    if not token:
        return None
    found = await uow.consultations.by_token(user_id, token)
    await uow.end_read()
    return found


async def mine(uow: UnitOfWork, user_id: int) -> list[ConsultationRecord]:
    found = await uow.consultations.of_user(user_id)
    await uow.end_read()
    return found


# --- coordinators -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Queue:
    manager: Manager
    new: list[ConsultationRecord]
    taken: list[ConsultationRecord]


async def queue(uow: UnitOfWork, staff: Staff) -> Queue:
    """New and taken requests of the coordinator's organisation (the committee's: all)."""
    manager = await coordinators.require_manager(uow, staff)
    org = manager.organisation_id
    new = await uow.consultations.queue(org, (ConsultationStatus.NEW,), QUEUE_SIZE)
    taken = await uow.consultations.queue(org, (ConsultationStatus.TAKEN,), QUEUE_SIZE)
    await uow.end_read()
    return Queue(manager, new, taken)


async def count_new(uow: UnitOfWork, manager: Manager) -> int:
    found = await uow.consultations.count_new(manager.organisation_id)
    await uow.end_read()
    return found


async def one(uow: UnitOfWork, staff: Staff, consultation_id: int) -> ConsultationRecord:
    """A request, for a coordinator who runs its organisation."""
    manager = await coordinators.require_manager(uow, staff)
    found = await uow.consultations.get(consultation_id)
    await uow.end_read()
    if found is None:
        raise NotFound(consultation_id)
    if not manager.runs(found.organisation_id):
        raise NotPermitted(staff.user_id)
    return found


@dataclass(frozen=True, slots=True)
class Change:
    consultation: ConsultationRecord
    #: False: someone else changed it first (taken by another coordinator, closed already).
    done: bool


async def take(uow: UnitOfWork, staff: Staff, consultation_id: int, now: datetime) -> Change:
    async with uow.write():
        found = await _managed(uow, staff, consultation_id)
        # An administrator need not be a registered user: then the request names nobody.
        taker = staff.user_id if await uow.users.get(staff.user_id) is not None else None
        done = await uow.consultations.take(consultation_id, taker, now)
        if done:
            await _tell(uow, found, ConsultationStatus.TAKEN, now)
        after = await uow.consultations.get(consultation_id)
    assert after is not None
    return Change(after, done)


async def close(
    uow: UnitOfWork, staff: Staff, consultation_id: int, *, held: bool, moment: Moment
) -> Change:
    status = ConsultationStatus.HELD if held else ConsultationStatus.NOT_HELD
    async with uow.write():
        found = await _managed(uow, staff, consultation_id)
        done = await uow.consultations.close(consultation_id, status, moment.now)
        if done:
            await _tell(uow, found, status, moment.now)
            person = await uow.users.get(found.user_id)
            if held and person is not None:
                detail = {"organisation_id": found.organisation_id}
                step = step_of(person, StepKind.CONSULTATION, str(found.id), moment, detail)
                await uow.steps.log(step)
        after = await uow.consultations.get(consultation_id)
    assert after is not None
    return Change(after, done)


async def _managed(uow: UnitOfWork, staff: Staff, consultation_id: int) -> ConsultationRecord:
    """The request, if the sender (read now, in this transaction) runs its organisation."""
    manager = await coordinators.require_manager(uow, staff)
    found = await uow.consultations.get(consultation_id)
    if found is None:
        raise NotFound(consultation_id)
    if not manager.runs(found.organisation_id):
        raise NotPermitted(staff.user_id)
    return found


async def _tell(uow: UnitOfWork, found: ConsultationRecord, status: str, now: datetime) -> None:
    await uow.outbox.add(
        found.user_id,
        f"consultation:{found.id}:{status}",
        OutboxKind.CONSULTATION,
        {
            "consultation_id": found.id,
            "status": status,
            "organisation": found.organisation_name,
            "topic": found.topic[:100],
            "preferred": found.preferred,
        },
        now,
    )
