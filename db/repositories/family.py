"""Parents linked to their children, and the one-time links a student forwards to a parent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, exists, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_ignoring_conflicts, insert_selected_ignoring_conflicts, json_object
from db.models import (
    Event,
    EventStatus,
    FamilyInvite,
    OutboxMessage,
    ParentLink,
    Registration,
    RegistrationStatus,
    User,
)
from db.personal import PersonalRows, personal_rows
from db.records import FamilyInviteRecord, ParentLinkRecord

_INVITE_COLUMNS = (
    FamilyInvite.id,
    FamilyInvite.token,
    FamilyInvite.child_id,
    FamilyInvite.purpose,
    FamilyInvite.created_at,
    FamilyInvite.expires_at,
    FamilyInvite.used_by,
    FamilyInvite.used_at,
)
_LINK_COLUMNS = (
    ParentLink.id,
    ParentLink.parent_id,
    ParentLink.child_id,
    ParentLink.parent_name,
    ParentLink.reminders,
    ParentLink.consent_by_parent,
    ParentLink.created_at,
)


class FamilyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- links to forward ------------------------------------------------------------------

    async def create_invite(
        self, token: str, child_id: int, purpose: str, now: datetime, expires: datetime
    ) -> None:
        self._session.add(
            FamilyInvite(
                token=token, child_id=child_id, purpose=purpose, created_at=now, expires_at=expires
            )
        )
        await self._session.flush()

    async def get_invite(
        self, token: str, *, for_update: bool = False
    ) -> FamilyInviteRecord | None:
        query = select(*_INVITE_COLUMNS).where(FamilyInvite.token == token)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return FamilyInviteRecord(*row) if row is not None else None

    async def open_invite(
        self, child_id: int, purpose: str, now: datetime
    ) -> FamilyInviteRecord | None:
        """The child's latest link of this purpose that is neither used nor expired."""
        row = (
            await self._session.execute(
                select(*_INVITE_COLUMNS)
                .where(
                    FamilyInvite.child_id == child_id,
                    FamilyInvite.purpose == purpose,
                    FamilyInvite.used_at.is_(None),
                    FamilyInvite.expires_at > now,
                )
                .order_by(FamilyInvite.id.desc())
                .limit(1)
            )
        ).first()
        return FamilyInviteRecord(*row) if row is not None else None

    async def use_invite(self, invite_id: int, parent_id: int, now: datetime) -> bool:
        """Mark the link used, if it still was open (once only, even under a double tap)."""
        result = await self._session.execute(
            update(FamilyInvite)
            .where(FamilyInvite.id == invite_id, FamilyInvite.used_at.is_(None))
            .values(used_by=parent_id, used_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def drop_invites(self, user_id: int, *, purpose: str | None = None) -> int:
        """Delete the links made for this child (or used by this person)."""
        query = delete(FamilyInvite).where(
            or_(FamilyInvite.child_id == user_id, FamilyInvite.used_by == user_id)
        )
        if purpose is not None:
            query = query.where(FamilyInvite.purpose == purpose)
        result = await self._session.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def drop_stale_invites(self, before: datetime) -> int:
        """Links that expired before `before`, used or not: nothing about them is kept."""
        result = await self._session.execute(
            delete(FamilyInvite).where(FamilyInvite.expires_at < before)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- links between parent and child ----------------------------------------------------

    async def link(
        self,
        parent_id: int,
        child_id: int,
        parent_name: str,
        now: datetime,
        *,
        consent_version: str | None = None,
    ) -> bool:
        """Link the parent to the child; False if they were linked already."""
        result = await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                ParentLink.__table__,  # type: ignore[arg-type]
                {
                    "parent_id": parent_id,
                    "child_id": child_id,
                    "parent_name": parent_name,
                    "reminders": False,
                    "consent_by_parent": consent_version is not None,
                    "consent_version": consent_version,
                    "created_at": now,
                },
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get_link(self, parent_id: int, child_id: int) -> ParentLinkRecord | None:
        row = (
            await self._session.execute(
                select(*_LINK_COLUMNS).where(
                    ParentLink.parent_id == parent_id, ParentLink.child_id == child_id
                )
            )
        ).first()
        return ParentLinkRecord(*row) if row is not None else None

    async def unlink(self, parent_id: int, child_id: int) -> bool:
        result = await self._session.execute(
            delete(ParentLink).where(
                ParentLink.parent_id == parent_id, ParentLink.child_id == child_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def parents_of(self, child_id: int) -> list[ParentLinkRecord]:
        rows = await self._session.execute(
            select(*_LINK_COLUMNS).where(ParentLink.child_id == child_id).order_by(ParentLink.id)
        )
        return [ParentLinkRecord(*row) for row in rows]

    async def children_of(self, parent_id: int) -> list[ParentLinkRecord]:
        rows = await self._session.execute(
            select(*_LINK_COLUMNS).where(ParentLink.parent_id == parent_id).order_by(ParentLink.id)
        )
        return [ParentLinkRecord(*row) for row in rows]

    async def set_reminders(self, parent_id: int, child_id: int, on: bool) -> bool:
        result = await self._session.execute(
            update(ParentLink)
            .where(ParentLink.parent_id == parent_id, ParentLink.child_id == child_id)
            .values(reminders=on)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def queue_child_reminders(self, hours: int, now: datetime, kind: str) -> int:
        """Queue a copy of each event reminder due (see `OutboxRepository.queue_event_reminders`)
        for the parents who asked for their child's: one INSERT ... SELECT, once per parent,
        child and event (the key names all three)."""
        window_end = now + timedelta(hours=hours)
        key = (
            literal("event:")
            + cast(Registration.event_id, String)
            + literal(f":{hours}h:child:")
            + cast(Registration.user_id, String)
        )
        queued = OutboxMessage.__table__.alias("queued")
        due = (
            select(
                ParentLink.parent_id,
                key,
                literal(kind),
                json_object(
                    self._session,
                    event_id=Registration.event_id,
                    hours=hours,
                    child_id=Registration.user_id,
                ),
                literal(now, OutboxMessage.created_at.type),
                literal(now, OutboxMessage.created_at.type),
                literal(0),
            )
            .join(ParentLink, ParentLink.child_id == Registration.user_id)
            .join(Event, Event.id == Registration.event_id)
            .join(User, User.id == ParentLink.parent_id)
            .where(
                ParentLink.reminders.is_(True),
                Event.status == EventStatus.PUBLISHED,
                Event.starts_at > now,
                Event.starts_at <= window_end,
                Registration.status == RegistrationStatus.CONFIRMED,
                User.blocked_at.is_(None),
                ~exists().where(queued.c.user_id == ParentLink.parent_id, queued.c.key == key),
            )
        )
        return await insert_selected_ignoring_conflicts(
            self._session,
            OutboxMessage.__table__,  # type: ignore[arg-type]
            ["user_id", "key", "kind", "payload", "created_at", "not_before", "attempts"],
            due,
        )

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The links the user is in (as parent or child), for /mydata's file."""
        query = (
            select(
                ParentLink.parent_id,
                ParentLink.child_id,
                ParentLink.parent_name.label("display_name"),
                ParentLink.reminders,
                ParentLink.consent_by_parent,
                ParentLink.created_at.label("linked_at"),
            )
            .where(or_(ParentLink.parent_id == user_id, ParentLink.child_id == user_id))
            .order_by(ParentLink.id)
        )
        return await personal_rows(self._session, query)
