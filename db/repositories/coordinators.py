"""Coordinators and the one-time invites that appoint them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import upsert
from db.models import Broadcast, Coordinator, Event, Invite, Organisation
from db.personal import PersonalRows, personal_rows
from db.records import CoordinatorRecord, InviteRecord, OrganisationRecord
from db.repositories.organisations import organisation_record

_INVITE_COLUMNS = (
    Invite.id,
    Invite.code,
    Invite.organisation_id,
    Invite.created_by,
    Invite.created_at,
    Invite.expires_at,
    Invite.used_by,
    Invite.used_at,
    Invite.revoked_at,
)
_COORDINATOR_COLUMNS = (
    Coordinator.user_id,
    Coordinator.organisation_id,
    Coordinator.appointed_by,
    Coordinator.appointed_at,
)


class CoordinatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> CoordinatorRecord | None:
        row = (
            await self._session.execute(
                select(*_COORDINATOR_COLUMNS).where(Coordinator.user_id == user_id)
            )
        ).first()
        return CoordinatorRecord(*row) if row is not None else None

    async def organisation_of(self, user_id: int) -> OrganisationRecord | None:
        """The organisation the user coordinates, or None (one query: a coordinator's
        rights are read on every action)."""
        row = (
            await self._session.execute(
                select(Organisation)
                .join(Coordinator, Coordinator.organisation_id == Organisation.id)
                .where(Coordinator.user_id == user_id)
            )
        ).scalar_one_or_none()
        return organisation_record(row) if row is not None else None

    async def appoint(
        self, user_id: int, organisation_id: int, appointed_by: int, now: datetime
    ) -> None:
        """Make the user a coordinator of the organisation (replacing an earlier one), in one
        statement, so that two invites redeemed at once leave one appointment, the later."""
        changed = {
            "organisation_id": organisation_id,
            "appointed_by": appointed_by,
            "appointed_at": now,
        }
        await self._session.execute(
            upsert(
                self._session,
                Coordinator.__table__,  # type: ignore[arg-type]
                {"user_id": user_id, **changed},
                Coordinator.user_id,
                changed,
            )
        )

    async def revoke(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(Coordinator).where(Coordinator.user_id == user_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list_all(self) -> list[CoordinatorRecord]:
        rows = await self._session.execute(
            select(*_COORDINATOR_COLUMNS).order_by(
                Coordinator.organisation_id, Coordinator.appointed_at
            )
        )
        return [CoordinatorRecord(*row) for row in rows]

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The appointment, if any, for /mydata's file."""
        query = (
            select(
                Organisation.name.label("organisation"),
                Coordinator.appointed_at,
            )
            .join(Organisation, Organisation.id == Coordinator.organisation_id)
            .where(Coordinator.user_id == user_id)
        )
        return await personal_rows(self._session, query)

    async def colleagues(self, user_id: int) -> list[CoordinatorRecord]:
        """The other coordinators of the organisation the user coordinates."""
        mine = select(Coordinator.organisation_id).where(Coordinator.user_id == user_id)
        rows = await self._session.execute(
            select(*_COORDINATOR_COLUMNS)
            .where(
                Coordinator.organisation_id == mine.scalar_subquery(),
                Coordinator.user_id != user_id,
            )
            .order_by(Coordinator.appointed_at)
        )
        return [CoordinatorRecord(*row) for row in rows]

    async def count_events_by(self, user_id: int) -> int:
        query = select(func.count()).select_from(Event).where(Event.created_by == user_id)
        return int(await self._session.scalar(query) or 0)

    async def hand_over(self, user_id: int, to: int | None) -> None:
        """Leave the role: the events and broadcasts the user made pass to the colleague `to`
        (or to nobody: they stay with their organisation) and the appointment ends."""
        await self._session.execute(
            update(Event).where(Event.created_by == user_id).values(created_by=to)
        )
        await self._session.execute(
            update(Broadcast).where(Broadcast.created_by == user_id).values(created_by=to or 0)
        )
        await self._session.execute(delete(Coordinator).where(Coordinator.user_id == user_id))

    # --- invites ---------------------------------------------------------------------------

    async def create_invite(
        self, code: str, organisation_id: int, created_by: int, now: datetime, expires: datetime
    ) -> None:
        self._session.add(
            Invite(
                code=code,
                organisation_id=organisation_id,
                created_by=created_by,
                created_at=now,
                expires_at=expires,
            )
        )
        await self._session.flush()

    async def get_invite(self, code: str, *, for_update: bool = False) -> InviteRecord | None:
        query = select(*_INVITE_COLUMNS).where(Invite.code == code)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return InviteRecord(*row) if row is not None else None

    async def use_invite(self, invite_id: int, user_id: int, now: datetime) -> bool:
        """Mark the invite used, if it still was open (one use only, even under a double tap)."""
        result = await self._session.execute(
            update(Invite)
            .where(
                Invite.id == invite_id,
                Invite.used_at.is_(None),
                Invite.revoked_at.is_(None),
            )
            .values(used_by=user_id, used_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke_invite(self, invite_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(Invite)
            .where(Invite.id == invite_id, Invite.used_at.is_(None), Invite.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def open_invites(self, now: datetime) -> list[InviteRecord]:
        rows = await self._session.execute(
            select(*_INVITE_COLUMNS)
            .where(Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now)
            .order_by(Invite.created_at)
        )
        return [InviteRecord(*row) for row in rows]
