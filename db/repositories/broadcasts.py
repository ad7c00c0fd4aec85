"""Coordinators' broadcasts: who they reach (one query for the count, the same for the delivery
rows), and their way from scheduled to sent (or cancelled)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_ignoring_conflicts
from db.models import (
    Broadcast,
    BroadcastStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Subscription,
    User,
)
from db.records import Audience, BroadcastRecord

_COLUMNS = (
    Broadcast.id,
    Broadcast.token,
    Broadcast.organisation_id,
    Broadcast.created_by,
    Broadcast.status,
    Broadcast.text,
    Broadcast.media_kind,
    Broadcast.media_file_id,
    Broadcast.link_url,
    Broadcast.event_id,
    Broadcast.to_subscribers,
    Broadcast.audience,
    Broadcast.recipients,
    Broadcast.send_at,
    Broadcast.created_at,
    Broadcast.started_at,
    Broadcast.finished_at,
    Broadcast.progress_chat_id,
    Broadcast.progress_message_id,
    Broadcast.media_channel,
    Broadcast.media_name,
    Broadcast.media_url,
)
#: Whose sign-up for an event counts as "signed up for it" in an audience.
SIGNED_UP = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.ATTENDED,
)
#: Still to be sent, or being sent.
UNFINISHED = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)


def recipients(audience: Audience, academic_year: int) -> Select[Any]:
    """The ids of the users an audience reaches now (who have not blocked the bot)."""
    query = select(User.id).where(User.blocked_at.is_(None))
    if audience.roles:
        query = query.where(User.role.in_(audience.roles))
    if audience.organisation_ids:
        query = query.where(User.organisation_id.in_(audience.organisation_ids))
    if audience.grades:
        grade_now = User.grade + (academic_year - User.grade_year)
        query = query.where(User.grade_year.is_not(None), grade_now.in_(audience.grades))
    if audience.kinds:
        query = query.where(
            exists().where(
                Subscription.user_id == User.id,
                Subscription.active.is_(True),
                Subscription.kinds.op("&")(audience.kinds) != 0,
            )
        )
    if audience.event_id is not None:
        query = query.where(
            exists().where(
                Registration.user_id == User.id,
                Registration.event_id == audience.event_id,
                Registration.status.in_(SIGNED_UP),
            )
        )
    return query


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def count(self, audience: Audience, academic_year: int) -> int:
        found = await self._session.scalar(
            select(func.count()).select_from(recipients(audience, academic_year).subquery())
        )
        return int(found or 0)

    async def create(self, values: dict[str, Any]) -> int | None:
        """A new broadcast; None when one was made from the same draft (`token`) already."""
        result = await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                Broadcast.__table__,  # type: ignore[arg-type]
                values,
            ).returning(Broadcast.id)
        )
        return result.scalar_one_or_none()

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        row = (
            await self._session.execute(select(*_COLUMNS).where(Broadcast.id == broadcast_id))
        ).first()
        return None if row is None else BroadcastRecord(*row)

    async def by_token(self, token: str) -> BroadcastRecord | None:
        row = (
            await self._session.execute(select(*_COLUMNS).where(Broadcast.token == token))
        ).first()
        return None if row is None else BroadcastRecord(*row)

    async def lock(self, broadcast_id: int) -> BroadcastRecord | None:
        row = (
            await self._session.execute(
                select(*_COLUMNS).where(Broadcast.id == broadcast_id).with_for_update()
            )
        ).first()
        return None if row is None else BroadcastRecord(*row)

    async def many(self, ids: set[int]) -> dict[int, BroadcastRecord]:
        if not ids:
            return {}
        rows = await self._session.execute(select(*_COLUMNS).where(Broadcast.id.in_(ids)))
        return {row.id: BroadcastRecord(*row) for row in rows}

    async def set_recipients(self, broadcast_id: int, count: int) -> None:
        await self._session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id).values(recipients=count)
        )

    async def start_due(self, now: datetime) -> list[BroadcastRecord]:
        """Scheduled broadcasts whose time has come, now sending (each started by one process)."""
        ids = list(
            await self._session.scalars(
                select(Broadcast.id)
                .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.send_at <= now)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id.in_(ids), Broadcast.status == BroadcastStatus.SCHEDULED)
            .values(status=BroadcastStatus.SENDING, started_at=now)
        )
        return list((await self.many(set(ids))).values())

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(progress_chat_id=chat_id, progress_message_id=message_id)
        )

    async def take_progress_turn(self, broadcast_id: int, now: datetime, every: timedelta) -> bool:
        """Whether this process edits the progress message now (at most once per `every`,
        whichever process sends)."""
        result = await self._session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                Broadcast.status == BroadcastStatus.SENDING,
                or_(Broadcast.progress_at.is_(None), Broadcast.progress_at <= now - every),
            )
            .values(progress_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def finish_if_done(self, broadcast_id: int, now: datetime) -> bool:
        """Mark a sending broadcast done once none of its messages waits; True for the one
        caller that did it (who then sends the summary)."""
        waiting = exists().where(
            OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.sent_at.is_(None)
        )
        result = await self._session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                Broadcast.status == BroadcastStatus.SENDING,
                ~waiting,
            )
            .values(status=BroadcastStatus.DONE, finished_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def cancel(self, broadcast_id: int, now: datetime) -> bool:
        """Stop a broadcast that is scheduled or sending; False if it was over already."""
        result = await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(UNFINISHED))
            .values(status=BroadcastStatus.CANCELLED, finished_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def recent(self, organisation_id: int | None, limit: int) -> list[BroadcastRecord]:
        """The latest broadcasts of an organisation (None: everyone's), newest first."""
        query = select(*_COLUMNS).order_by(Broadcast.id.desc()).limit(limit)
        if organisation_id is not None:
            query = query.where(Broadcast.organisation_id == organisation_id)
        return [BroadcastRecord(*row) for row in await self._session.execute(query)]
