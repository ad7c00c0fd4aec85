"""One reminder about an unfinished questionnaire, claimed in the database before it is sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.records import AttemptRecord
from db.uow import UnitOfWork


async def claim(
    uow: UnitOfWork, idle_for: timedelta, now: datetime, limit: int = 200
) -> list[AttemptRecord]:
    async with uow.write():
        return await uow.attempts.claim_due_reminders(now - idle_for, now, limit)


async def release(uow: UnitOfWork, attempt_id: int) -> None:
    """The message did not go out for a passing reason: try again on a later tick."""
    async with uow.write():
        await uow.attempts.release_reminder(attempt_id)


async def user_blocked_bot(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """Telegram said 403: stop writing to this user, keep their data."""
    async with uow.write():
        await uow.users.mark_blocked(user_id, now)
