"""Everything stored about a user, section by section, for `/mydata`'s file (152-ФЗ), and `forget`,
which erases it (`/forget`).

Each repository that keeps something about a user has one `personal_data(user_id)` method;
`SECTIONS` names them. A feature adds its own section with one line here (the section's name,
which also names its heading in the locale: `mydata-section`) and its labels in `mydata-field`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from db.personal import PersonalRows
from db.uow import UnitOfWork
from services import events

Exporter = Callable[[UnitOfWork, int], Awaitable[PersonalRows]]

#: (section name, what it reads), in the order of the file.
SECTIONS: list[tuple[str, Exporter]] = [
    ("profile", lambda uow, user_id: uow.users.personal_data(user_id)),
    ("coordinator", lambda uow, user_id: uow.coordinators.personal_data(user_id)),
    ("attempts", lambda uow, user_id: uow.attempts.personal_data(user_id)),
    ("registrations", lambda uow, user_id: uow.registrations.personal_data(user_id)),
    ("subscription", lambda uow, user_id: uow.subscriptions.personal_data(user_id)),
    ("family", lambda uow, user_id: uow.family.personal_data(user_id)),
    ("consultations", lambda uow, user_id: uow.consultations.personal_data(user_id)),
    ("steps", lambda uow, user_id: uow.steps.personal_data(user_id)),
    ("messages", lambda uow, user_id: uow.outbox.personal_data(user_id)),
    ("rejected", lambda uow, user_id: uow.rejected_updates.personal_data(user_id)),
]


#: What may be kept about a sender who is no user (never agreed, or forgotten since): the
#: updates from them the bot could not read (kept by sender, not by user: bot/rejected.py).
STRANGER_SECTIONS: list[tuple[str, Exporter]] = [
    ("rejected", lambda uow, user_id: uow.rejected_updates.personal_data(user_id)),
]


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    rows: PersonalRows


async def collect(uow: UnitOfWork, user_id: int) -> list[Section]:
    """Every section, in one read transaction (empty ones included: the file says «нет»)."""
    found = [Section(name, await read(uow, user_id)) for name, read in SECTIONS]
    await uow.end_read()
    return found


async def collect_stranger(uow: UnitOfWork, sender_id: int) -> list[Section]:
    """What is kept about a sender who is no user: only the sections that have rows (for
    almost everyone none, and /mydata says nothing is stored)."""
    found = [
        Section(name, rows)
        for name, read in STRANGER_SECTIONS
        if (rows := await read(uow, sender_id))
    ]
    await uow.end_read()
    return found


async def forget(uow: UnitOfWork, user_id: int, now: datetime) -> bool:
    """Erase everything personal (/forget), in one transaction; anonymous monitoring steps
    stay, unlinked from the user. A seat they held in an event not begun goes to the first in
    line, who is told, as if they had cancelled (their sign-ups go with them, the seat must
    not stay taken by nobody). False if there was no user (a sender who is no user may still
    have left something: an update the bot could not read, a link made for them)."""
    async with uow.write():
        await events.give_up_seats(uow, user_id, now)
        await uow.family.drop_invites(user_id)  # links made for them, or used by them
        await uow.rejected_updates.forget(user_id)  # what they sent that could not be read
        return await uow.users.delete(user_id)
