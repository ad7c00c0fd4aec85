"""What a messenger tells the bot about a user outside any dialog (MAX's `bot_stopped`)."""

from __future__ import annotations

from datetime import datetime

from db.repositories.outbox import Outcome
from db.uow import UnitOfWork


async def user_stopped_the_bot(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """The user stopped or blocked the bot: marked as blocked (their data is kept), and what
    waits for them in the outbox is closed, as when sending to them is refused. Writing to the
    bot again clears the mark."""
    async with uow.write():
        await uow.users.mark_blocked(user_id, now)
        await uow.outbox.drop_pending_of(user_id, Outcome.BLOCKED, now)
