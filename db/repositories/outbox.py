"""The outbox: messages the bot sends unasked, one row per recipient and purpose, written before
anything is sent. The sender claims due rows for a lease, sends, and marks them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Select,
    String,
    Table,
    bindparam,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.channels import MAX
from db.dialect import (
    insert_ignoring_conflicts,
    insert_many_ignoring_conflicts,
    insert_selected_ignoring_conflicts,
    json_object,
)
from db.models import (
    KIND_BITS,
    Event,
    EventStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Subscription,
    User,
    grade_bits,
)
from db.personal import PersonalRows, personal_rows
from db.records import EventRecord, OutboxRecord
from db.repositories.events import audience_mask

_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.user_id,
    OutboxMessage.key,
    OutboxMessage.kind,
    OutboxMessage.payload,
    OutboxMessage.not_before,
    OutboxMessage.attempts,
    OutboxMessage.broadcast_id,
)


@dataclass(frozen=True, slots=True)
class QueueStats:
    """The outbox's queue: messages due now, waiting for a later time, and the oldest due."""

    due: int
    waiting: int
    oldest_due: datetime | None


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        user_id: int,
        key: str,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> None:
        """Queue a message; the same (user, key) twice is queued once."""
        await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                OutboxMessage.__table__,  # type: ignore[arg-type]
                {
                    "user_id": user_id,
                    "key": key,
                    "kind": kind,
                    "payload": payload,
                    "created_at": now,
                    "not_before": now,
                    "attempts": 0,
                },
            )
        )

    async def queue_event_reminders(self, hours: int, now: datetime, kind: str) -> int:
        """Queue a reminder for everyone confirmed for a published event that starts within
        `hours` (and has not started). One INSERT ... SELECT made in the database, which skips
        what is queued already (NOT EXISTS on the unique (user, key), so a tick with nothing
        new due costs one index probe per sign-up); a race with a second process is settled by
        the unique key. Returns how many were queued."""
        window_end = now + timedelta(hours=hours)
        key = literal("event:") + cast(Registration.event_id, String) + literal(f":{hours}h")
        queued = OutboxMessage.__table__.alias("queued")
        due = (
            select(
                Registration.user_id,
                key,
                literal(kind),
                json_object(self._session, event_id=Registration.event_id, hours=hours),
                literal(now, OutboxMessage.created_at.type),
                literal(now, OutboxMessage.created_at.type),
                literal(0),
            )
            .join(Event, Event.id == Registration.event_id)
            .join(User, User.id == Registration.user_id)
            .where(
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at > now,
                Event.starts_at <= window_end,
                Registration.status == RegistrationStatus.CONFIRMED,
                User.blocked_at.is_(None),
                ~exists().where(queued.c.user_id == Registration.user_id, queued.c.key == key),
            )
        )
        return await insert_selected_ignoring_conflicts(
            self._session,
            OutboxMessage.__table__,  # type: ignore[arg-type]
            ["user_id", "key", "kind", "payload", "created_at", "not_before", "attempts"],
            due,
        )

    async def announce(
        self, event: EventRecord, kind: str, now: datetime, *, school_event: bool
    ) -> int:
        """Announce a published event to every active subscriber it fits, once (the key is the
        event's: an edit or a second import announces nothing more): the event's kind among
        theirs, its audience among theirs, a grade in common (when both name grades), and, for
        a school's own event (`school_event`), that school or «все школы». One INSERT ... SELECT.
        """
        event_grades = (
            grade_bits(range(event.grade_min or 1, (event.grade_max or 11) + 1))
            if event.grade_min is not None or event.grade_max is not None
            else 0
        )
        fits = [
            Subscription.active.is_(True),
            User.blocked_at.is_(None),
            Subscription.kinds.op("&")(KIND_BITS[event.kind]) != 0,
            Subscription.audiences.op("&")(audience_mask(event.roles)) != 0,
        ]
        if event_grades:
            fits.append(
                or_(Subscription.grades == 0, Subscription.grades.op("&")(event_grades) != 0)
            )
        if school_event:
            fits.append(
                or_(
                    Subscription.organisation_id.is_(None),
                    Subscription.organisation_id == event.organisation_id,
                )
            )
        if event.created_by is not None:
            fits.append(Subscription.user_id != event.created_by)
        recipients = (
            select(Subscription.user_id).join(User, User.id == Subscription.user_id).where(*fits)
        )
        return await self.queue_selected(
            recipients, f"announce:{event.id}", kind, now, payload={"event_id": event.id}
        )

    async def add_many(self, rows: list[dict[str, Any]]) -> int:
        return await insert_many_ignoring_conflicts(
            self._session,
            OutboxMessage.__table__,  # type: ignore[arg-type]
            rows,
        )

    async def sweep_interrupted(self, lapsed: datetime, now: datetime) -> set[int]:
        """Claims older than `lapsed` that were never finished: the process sending them was
        killed. Telegram may have delivered them, so they are not sent again: they end as
        failed, "interrupted" (a claim is made immediately before the request, so these are
        the few messages in flight at that moment). Returns the broadcasts they belong to
        (these may now be over)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.claimed_at.is_not(None),
                OutboxMessage.claimed_at < lapsed,
            )
            .values(sent_at=now, outcome=Outcome.FAILED, error=INTERRUPTED)
            .returning(OutboxMessage.broadcast_id)
        )
        return {int(b) for b in result.scalars() if b is not None}

    async def queue_stats(self, now: datetime) -> QueueStats:
        """What waits to be sent (for the metrics): one statement over the partial index of
        the rows neither sent nor being sent (`ix_outbox_due`)."""
        row = (await self._session.execute(_QUEUE_STATS, {"now": now})).one()
        oldest = row.oldest
        return QueueStats(
            int(row.due or 0), int(row.waiting or 0), oldest if oldest and oldest <= now else None
        )

    async def claim(self, now: datetime, recent: datetime, limit: int) -> list[OutboxRecord]:
        """Up to `limit` due messages, oldest first, claimed for sending now: at most one per
        user, and none to a user who was sent something (or is being sent something) since
        `recent`, so that no chat gets more than one message a second. Several processes share
        the work: PostgreSQL skips rows another one has locked; SQLite writers queue."""
        rows = list(
            await self._session.execute(_CLAIMABLE, {"now": now, "recent": recent, "n": limit})
        )
        chosen: list[OutboxRecord] = []
        users: set[int] = set()
        for row in rows:
            if row.user_id not in users:
                users.add(row.user_id)
                chosen.append(OutboxRecord(*row))
        if chosen:
            await self._session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([m.id for m in chosen]))
                .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
            )
        return chosen

    async def finish(
        self, message_id: int, outcome: str, now: datetime, error: str | None = None
    ) -> None:
        """Sent, or given up for good: never again."""
        await self.finish_many([(message_id, outcome, error)], now)

    async def finish_many(
        self, finished: Sequence[tuple[int, str, str | None]], now: datetime
    ) -> None:
        """(id, outcome, error) for each message that is over: one statement for them all."""
        if finished:
            await self._session.execute(
                _FINISH,
                [{"b_id": i, "b_outcome": o, "b_error": e, "b_now": now} for i, o, e in finished],
            )

    async def retry_many(self, retried: Sequence[tuple[int, datetime, str, bool]]) -> None:
        """(id, not before, error, counts) for each message to send again later: the claim is
        released; a retry that does not count (a flood wait) gives its attempt back."""
        if retried:
            await self._session.execute(
                _RETRY,
                [
                    {"b_id": i, "b_not_before": t, "b_error": e, "b_back": 0 if counts else 1}
                    for i, t, e, counts in retried
                ],
            )

    async def retry_later(self, message_ids: Sequence[int], not_before: datetime) -> None:
        """Not sent for a passing reason: release the claim, try again from `not_before`."""
        if not message_ids:
            return
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .values(claimed_at=None, not_before=not_before)
        )

    async def drop_pending_of(
        self, user_id: int, outcome: str, now: datetime, kinds: Sequence[str] | None = None
    ) -> int:
        """Give up what waits for a user (who blocked the bot, or unsubscribed: then only the
        `kinds` they unsubscribed from). A message already being sent is left to finish."""
        statement = update(OutboxMessage).where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.claimed_at.is_(None),
        )
        if kinds is not None:
            statement = statement.where(OutboxMessage.kind.in_(kinds))
        result = await self._session.execute(statement.values(sent_at=now, outcome=outcome))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drop_pending_of_broadcast(self, broadcast_id: int, now: datetime) -> int:
        """A cancelled broadcast: what has not gone out, never will (what is being sent this
        instant finishes)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.claimed_at.is_(None),
            )
            .values(sent_at=now, outcome=Outcome.CANCELLED)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def fail_pending_of_broadcast(
        self, broadcast_id: int, channel: str, reason: str, now: datetime
    ) -> int:
        """A broadcast whose file the recipients' messenger (`channel`) refused for good: what
        waits for that messenger's recipients fails with `reason` now, without being tried.
        What is being sent this instant finishes; rows another transaction holds locked
        (PostgreSQL: a claim under way) are skipped, so this never waits on one; they fail
        when their turn comes."""
        users = OutboxMessage.user_id
        waiting = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.claimed_at.is_(None),
                users < 0 if channel == MAX else users >= 0,
            )
            .with_for_update(skip_locked=True)
        )
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(waiting))
            .values(sent_at=now, outcome=Outcome.FAILED, error=reason)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def queue_selected(
        self, recipients: Select[Any], key: str, kind: str, now: datetime, **columns: Any
    ) -> int:
        """One message per user id that `recipients` selects, made by the database in one
        INSERT ... SELECT (a hundred thousand recipients in a second or two); `columns` are
        constants for every row (`not_before`, `broadcast_id`). Returns how many were queued."""
        values = {
            "key": key,
            "kind": kind,
            "payload": {},
            "created_at": now,
            "not_before": now,
            "attempts": 0,
            **columns,
        }
        names = list(values)
        selected = recipients.add_columns(
            *(literal(v, OutboxMessage.__table__.c[n].type) for n, v in values.items())
        )
        return await insert_selected_ignoring_conflicts(
            self._session,
            OutboxMessage.__table__,  # type: ignore[arg-type]
            ["user_id", *names],
            selected,
        )

    async def counts_of_broadcast(self, broadcast_id: int) -> dict[str | None, int]:
        """How many of a broadcast's messages ended how (None: not yet)."""
        rows = await self._session.execute(
            select(OutboxMessage.outcome, func.count())
            .where(OutboxMessage.broadcast_id == broadcast_id)
            .group_by(OutboxMessage.outcome)
        )
        return {outcome: int(count) for outcome, count in rows}

    async def undelivered_of_broadcast(
        self, broadcast_id: int
    ) -> list[tuple[int, str, str | None]]:
        """(user id, outcome, reason) of every message of a broadcast that did not arrive."""
        rows = await self._session.execute(
            select(OutboxMessage.user_id, OutboxMessage.outcome, OutboxMessage.error)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.outcome.in_(UNDELIVERED),
            )
            .order_by(OutboxMessage.id)
        )
        return [(int(u), str(o), e) for u, o, e in rows]

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The messages sent or waiting to be sent to the user, for /mydata's file."""
        query = (
            select(
                OutboxMessage.kind,
                OutboxMessage.created_at,
                OutboxMessage.sent_at,
                OutboxMessage.outcome,
            )
            .where(OutboxMessage.user_id == user_id)
            .order_by(OutboxMessage.id)
        )
        return await personal_rows(self._session, query)


class Outcome(StrEnum):
    """How a message in the outbox ended."""

    SENT = "sent"
    #: The user blocked the bot (or deleted their account).
    BLOCKED = "blocked"
    #: Telegram refused it for good, the retries ran out, or its sending was interrupted.
    FAILED = "failed"
    #: It no longer applied when its turn came (the event began or was cancelled).
    DROPPED = "dropped"
    #: Its broadcast was cancelled.
    CANCELLED = "cancelled"
    #: The user unsubscribed before it went out.
    UNSUBSCRIBED = "unsubscribed"


UNDELIVERED = (Outcome.BLOCKED, Outcome.FAILED)
#: The reason given to a message whose sending was interrupted (see `sweep_interrupted`).
INTERRUPTED = "interrupted: the bot stopped while sending; it may have arrived"

_table: Table = OutboxMessage.__table__  # type: ignore[assignment]
_other = aliased(OutboxMessage)
_CLAIMABLE = (
    select(*_COLUMNS)
    .where(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.claimed_at.is_(None),
        OutboxMessage.not_before <= bindparam("now"),
        ~exists().where(
            _other.user_id == OutboxMessage.user_id, _other.claimed_at > bindparam("recent")
        ),
    )
    .order_by(OutboxMessage.not_before, OutboxMessage.id)
    .limit(bindparam("n"))
    .with_for_update(skip_locked=True, of=OutboxMessage)
)
_QUEUE_STATS = select(
    func.count().filter(OutboxMessage.not_before <= bindparam("now")).label("due"),
    func.count().filter(OutboxMessage.not_before > bindparam("now")).label("waiting"),
    func.min(OutboxMessage.not_before).label("oldest"),
).where(OutboxMessage.sent_at.is_(None), OutboxMessage.claimed_at.is_(None))
_FINISH = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"))
    .values(sent_at=bindparam("b_now"), outcome=bindparam("b_outcome"), error=bindparam("b_error"))
)
_RETRY = (
    update(_table)
    .where(_table.c.id == bindparam("b_id"))
    .values(
        claimed_at=None,
        not_before=bindparam("b_not_before"),
        error=bindparam("b_error"),
        attempts=_table.c.attempts - bindparam("b_back"),
    )
)
