"""The outbox: messages the bot sends unasked, one row per recipient and purpose, written before
anything is sent. The sender claims due rows for a lease, sends, and marks them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, exists, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import (
    insert_ignoring_conflicts,
    insert_many_ignoring_conflicts,
    insert_selected_ignoring_conflicts,
    json_object,
)
from db.models import Event, EventStatus, OutboxMessage, Registration, RegistrationStatus, User
from db.records import OutboxRecord

_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.user_id,
    OutboxMessage.key,
    OutboxMessage.kind,
    OutboxMessage.payload,
    OutboxMessage.not_before,
    OutboxMessage.attempts,
)


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

    async def add_many(self, rows: list[dict[str, Any]]) -> int:
        return await insert_many_ignoring_conflicts(
            self._session,
            OutboxMessage.__table__,  # type: ignore[arg-type]
            rows,
        )

    async def claim(self, now: datetime, lapsed: datetime, limit: int) -> list[OutboxRecord]:
        """Up to `limit` due messages, oldest first, claimed until the lease lapses (`lapsed`:
        a claim made before it is taken up again). Several processes share the work:
        PostgreSQL skips rows another one has locked; SQLite writers queue."""
        ids = list(
            await self._session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.not_before <= now,
                    or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < lapsed),
                )
                .order_by(OutboxMessage.not_before, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
        )
        rows = await self._session.execute(
            select(*_COLUMNS).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
        )
        return [OutboxRecord(*row) for row in rows]

    async def finish(self, message_id: int, outcome: str, now: datetime) -> None:
        """Sent, or given up for good: never again."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(sent_at=now, outcome=outcome)
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
