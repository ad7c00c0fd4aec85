"""A coordinator who asks to be forgotten first hands their role over to a colleague of the
same organisation, or simply drops it. Their events stay with their organisation either way."""

from __future__ import annotations

from dataclasses import dataclass

from db.records import CoordinatorRecord, OrganisationRecord
from db.uow import UnitOfWork
from services.errors import NotFound


@dataclass(frozen=True, slots=True)
class Leaving:
    organisation: OrganisationRecord
    #: The other coordinators of the organisation, who can take the role's events over.
    colleagues: list[CoordinatorRecord]
    #: Events the leaving coordinator created.
    events: int


async def coordinator_leaving(uow: UnitOfWork, user_id: int) -> Leaving | None:
    """What a coordinator leaves behind; None for someone who coordinates nothing."""
    organisation = await uow.coordinators.organisation_of(user_id)
    if organisation is None:
        await uow.end_read()
        return None
    colleagues = await uow.coordinators.colleagues(user_id)
    events = await uow.coordinators.count_events_by(user_id)
    await uow.end_read()
    return Leaving(organisation, colleagues, events)


async def hand_over(uow: UnitOfWork, user_id: int, to: int | None) -> bool:
    """Leave the role, handing its events to the colleague `to` (None: to nobody). False if
    the user coordinated nothing (any more); NotFound if `to` is not a colleague (now)."""
    async with uow.write():
        if await uow.coordinators.get(user_id) is None:
            return False
        if to is not None and to not in {
            c.user_id for c in await uow.coordinators.colleagues(user_id)
        }:
            raise NotFound(to)
        await uow.coordinators.hand_over(user_id, to)
    return True
