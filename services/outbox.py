"""The outbox: what the bot sends unasked about events (reminders, changes, cancellations, a
seat that came free, the questions after a trial). A message is written to the database before
it is sent, claimed for a lease while it is being sent, and marked once sent or given up: a
restart loses none and a second process sends none twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from db.records import EventRecord, OutboxRecord
from db.uow import UnitOfWork
from services.events import OutboxKind

#: A claim not marked within this time (the process stopped while sending) is taken up again.
LEASE = timedelta(minutes=10)
#: Messages claimed at a time.
BATCH = 20
#: After a passing failure (Telegram down, a long flood wait), the rest waits this long.
RETRY_AFTER = timedelta(minutes=1)


async def queue_event_reminders(uow: UnitOfWork, hours: Sequence[int], now: datetime) -> int:
    """Queue the reminders that are due: for everyone confirmed, `h` hours before each event,
    for each `h` in `hours`. A reminder due while the bot was stopped is queued late rather
    than never, unless the event has begun; each is queued once."""
    queued = 0
    async with uow.write():
        for h in hours:
            queued += await uow.outbox.queue_event_reminders(h, now, OutboxKind.REMINDER)
    return queued


async def claim(uow: UnitOfWork, now: datetime) -> list[OutboxRecord]:
    async with uow.write():
        return await uow.outbox.claim(now, now - LEASE, BATCH)


async def done(uow: UnitOfWork, message_id: int, outcome: str, now: datetime) -> None:
    """Sent ("sent"), or given up for good ("failed", "dropped"): never again."""
    async with uow.write():
        await uow.outbox.finish(message_id, outcome, now)


async def blocked(uow: UnitOfWork, message: OutboxRecord, now: datetime) -> None:
    """Telegram said 403: stop writing to this user, keep their data."""
    async with uow.write():
        await uow.users.mark_blocked(message.user_id, now)
        await uow.outbox.finish(message.id, "blocked", now)


async def later(uow: UnitOfWork, message_ids: Sequence[int], now: datetime) -> None:
    async with uow.write():
        await uow.outbox.retry_later(message_ids, now + RETRY_AFTER)


async def event_of(uow: UnitOfWork, message: OutboxRecord) -> tuple[EventRecord, str] | None:
    """The event a message is about, with its organiser's name (read when it is sent, so the
    message shows the event as it is then)."""
    event_id = message.payload.get("event_id")
    if event_id is None:
        return None
    found = await uow.events.with_organiser(event_id=int(event_id))
    await uow.end_read()
    return found
