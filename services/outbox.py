"""The outbox: everything the bot sends unasked (questionnaire and event reminders, event
notices, announcements, broadcasts). A message is written to the database before anything is
sent; the sender claims a few due messages immediately before sending them, and records how
each ended.

What may and may not happen to a message, whatever stops the bot when:
- it is sent at most once. A claim is the mark "its request may have left": a claim that was
  never finished (the process was killed mid-request) is not sent again, because Telegram may
  have delivered it; it ends as failed, "interrupted". Only the few messages in flight at that
  moment can end so; everything not yet claimed is sent by the next process.
- it always ends: sent, blocked (the user blocked the bot), failed (with Telegram's reason, or
  after a bounded number of passing failures), dropped (it no longer applied), cancelled (its
  broadcast was), or unsubscribed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from db.records import AttemptRecord, BroadcastRecord, EventRecord, OutboxRecord
from db.repositories.outbox import Outcome
from db.uow import UnitOfWork
from services.outbox_kinds import OutboxKind

#: The least time between two messages to one chat (Telegram: about one a second).
PER_CHAT_GAP = timedelta(seconds=1)
#: How much of Telegram's description of a failure is kept.
ERROR_CHARS = 200


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How passing failures (5xx, timeouts, network errors) are retried: after `first`, then
    twice as long each time, `attempts` tries in all; then the message has failed."""

    attempts: int = 5
    first: timedelta = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one try of a message ended: an `outcome` (over), or none (`retry_at`: again then;
    a retry that does not `count` towards the policy's limit, as after a flood wait)."""

    message: OutboxRecord
    outcome: Outcome | None
    error: str | None = None
    retry_at: datetime | None = None
    counts: bool = True


def sent(message: OutboxRecord) -> Delivery:
    return Delivery(message, Outcome.SENT)


def dropped(message: OutboxRecord) -> Delivery:
    return Delivery(message, Outcome.DROPPED)


def blocked(message: OutboxRecord) -> Delivery:
    return Delivery(message, Outcome.BLOCKED)


def rejected(message: OutboxRecord, reason: str) -> Delivery:
    """Refused for a reason that will not change (chat not found, bad markup): failed at once."""
    return Delivery(message, Outcome.FAILED, reason[:ERROR_CHARS])


def flood_wait(message: OutboxRecord, seconds: float, now: datetime) -> Delivery:
    """429: the same message again once the wait is over; it does not count as a failure."""
    retry_at = now + timedelta(seconds=seconds)
    return Delivery(message, None, "flood control", retry_at, counts=False)


def postponed(message: OutboxRecord, seconds: float, reason: str, now: datetime) -> Delivery:
    """Not sendable yet for a reason that is nobody's failure (its file is being carried to
    the recipient's messenger elsewhere): again after `seconds`, not counted as a try."""
    retry_at = now + timedelta(seconds=seconds)
    return Delivery(message, None, reason[:ERROR_CHARS], retry_at, counts=False)


def passing_failure(
    message: OutboxRecord, reason: str, now: datetime, policy: RetryPolicy
) -> Delivery:
    """5xx, a timeout, a network error: again after a growing pause, or failed when the tries
    run out. `message.attempts` is the count before this try."""
    tries = message.attempts + 1
    if tries >= policy.attempts:
        return Delivery(message, Outcome.FAILED, reason[:ERROR_CHARS])
    return Delivery(message, None, reason[:ERROR_CHARS], now + policy.first * 2 ** (tries - 1))


async def queue_event_reminders(uow: UnitOfWork, hours: Sequence[int], now: datetime) -> int:
    """Queue the reminders that are due: for everyone confirmed, `h` hours before each event,
    for each `h` in `hours`. A reminder due while the bot was stopped is queued late rather
    than never, unless the event has begun; each is queued once."""
    queued = 0
    async with uow.write():
        for h in hours:
            queued += await uow.outbox.queue_event_reminders(h, now, OutboxKind.REMINDER)
            # A copy for each parent who asked for their child's reminders.
            queued += await uow.family.queue_child_reminders(h, now, OutboxKind.CHILD_REMINDER)
    return queued


async def claim(
    uow: UnitOfWork,
    now: datetime,
    limit: int,
    lease: timedelta,
    interrupted: set[int] | None = None,
) -> list[OutboxRecord]:
    """Up to `limit` messages to send now (one per chat, none to a chat written to within the
    last second). Claims older than `lease` that were never finished end as interrupted; the
    broadcasts they belong to are added to `interrupted` (one may be over by that alone)."""
    return await record_and_claim(uow, (), now, limit=limit, lease=lease, interrupted=interrupted)


async def record_and_claim(  # noqa: PLR0913 - one transaction of the sender's round
    uow: UnitOfWork,
    deliveries: Sequence[Delivery],
    now: datetime,
    *,
    limit: int,
    lease: timedelta,
    interrupted: set[int] | None = None,
) -> list[OutboxRecord]:
    """`record` the outcomes of one round and `claim` the next in one write transaction (one
    commit, so one disk flush, per round of the sender instead of two)."""
    async with uow.write():
        await _record(uow, deliveries, now)
        if limit <= 0:
            return []
        swept = await uow.outbox.sweep_interrupted(now - lease, now)
        if interrupted is not None:
            interrupted.update(swept)
        return await uow.outbox.claim(now, now - PER_CHAT_GAP, limit)


@dataclass
class Batch:
    """What the claimed messages are about, read once for all of them."""

    events: dict[int, tuple[EventRecord, str]] = field(default_factory=dict)
    broadcasts: dict[int, BroadcastRecord] = field(default_factory=dict)
    attempts: dict[int, AttemptRecord] = field(default_factory=dict)


async def read_batch(uow: UnitOfWork, messages: Sequence[OutboxRecord]) -> Batch:
    """The events (with their organisers) and broadcasts the messages are about, as they are
    now: a message shows the event as it is when it goes out."""
    batch = Batch()
    event_ids = {int(m.payload["event_id"]) for m in messages if "event_id" in m.payload}
    for event_id in event_ids:
        found = await uow.events.with_organiser(event_id=event_id)
        if found is not None:
            batch.events[event_id] = found
    for attempt_id in {int(m.payload["attempt_id"]) for m in messages if "attempt_id" in m.payload}:
        attempt = await uow.attempts.get(attempt_id)
        if attempt is not None:
            batch.attempts[attempt_id] = attempt
    broadcast_ids = {m.broadcast_id for m in messages if m.broadcast_id is not None}
    batch.broadcasts = await uow.broadcasts.many(broadcast_ids)
    await uow.end_read()
    return batch


async def record(uow: UnitOfWork, deliveries: Sequence[Delivery], now: datetime) -> None:
    """How each try ended, in one transaction. A user who blocked the bot is marked, and
    nothing more that waits for them is sent."""
    async with uow.write():
        await _record(uow, deliveries, now)


async def _record(uow: UnitOfWork, deliveries: Sequence[Delivery], now: datetime) -> None:
    await uow.outbox.finish_many(
        [(d.message.id, d.outcome, d.error) for d in deliveries if d.outcome is not None],
        now,
    )
    await uow.outbox.retry_many(
        [
            (d.message.id, d.retry_at or now, d.error or "", d.counts)
            for d in deliveries
            if d.outcome is None
        ]
    )
    for delivery in deliveries:
        if delivery.outcome is Outcome.BLOCKED:
            user_id = delivery.message.user_id
            await uow.users.mark_blocked(user_id, now)
            await uow.outbox.drop_pending_of(user_id, Outcome.BLOCKED, now)
