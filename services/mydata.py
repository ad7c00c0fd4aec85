"""Everything stored about a user, section by section, for `/mydata`'s file (152-ФЗ).

Each repository that keeps something about a user has one `personal_data(user_id)` method;
`SECTIONS` names them. A feature adds its own section with one line here (the section's name,
which also names its heading in the locale: `mydata-section`) and its labels in `mydata-field`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from db.personal import PersonalRows
from db.uow import UnitOfWork

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
