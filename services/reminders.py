"""One reminder about an unfinished questionnaire: claimed in the database before it is sent,
marked once sent. A claim that is never marked (the process stopped in between) lapses after
`LEASE` and the reminder is sent by a later tick: a restart loses no reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from db.records import AttemptRecord
from db.uow import UnitOfWork

#: Longer than any batch takes to send (Telegram's flood waits included: the retry middleware
#: waits at most 3 x 30 s per message before giving up, and the first give-up ends the batch), so
#: that a second bot process never takes over a claim that is still being worked on.
LEASE = timedelta(minutes=30)
#: Reminders claimed at a time; the scheduler claims again until none are due. Small, so that
#: even at the slowest (every message waiting out flood control) a batch takes minutes, not LEASE.
BATCH = 5


async def claim(
    uow: UnitOfWork, idle_for: timedelta, consent_version: str, now: datetime
) -> list[AttemptRecord]:
    """Up to `BATCH` reminders due now, claimed for this process. Users who have not agreed to
    the current consent text are not written to until they open the bot again."""
    async with uow.write():
        return await uow.attempts.claim_due_reminders(
            now - idle_for, now - LEASE, consent_version, now, BATCH
        )


async def done(uow: UnitOfWork, attempt_id: int, now: datetime) -> None:
    """Sent, or refused for good (a malformed chat, an outdated questionnaire): never again."""
    async with uow.write():
        await uow.attempts.mark_reminded(attempt_id, now)


async def release(uow: UnitOfWork, attempt_ids: list[int]) -> None:
    """These did not go out (Telegram failed for a passing reason): a later tick tries again."""
    async with uow.write():
        await uow.attempts.release_reminders(attempt_ids)


async def user_blocked_bot(uow: UnitOfWork, attempt_id: int, user_id: int, now: datetime) -> None:
    """Telegram said 403: stop writing to this user, keep their data; this reminder is over."""
    async with uow.write():
        await uow.users.mark_blocked(user_id, now)
        await uow.attempts.mark_reminded(attempt_id, now)
