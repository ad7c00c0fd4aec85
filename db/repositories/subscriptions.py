"""Subscriptions to announcements of new events: one row per user, kept when they unsubscribe
(`active` off), so that «Вернуть» restores the same choice. Who gets an announcement is chosen
by `OutboxRepository.announce`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import upsert
from db.models import Subscription
from db.personal import PersonalRows, personal_rows
from db.records import SubscriptionRecord

_COLUMNS = (
    Subscription.user_id,
    Subscription.active,
    Subscription.kinds,
    Subscription.audiences,
    Subscription.grades,
    Subscription.organisation_id,
    Subscription.created_at,
    Subscription.updated_at,
)


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int, *, for_update: bool = False) -> SubscriptionRecord | None:
        query = select(*_COLUMNS).where(Subscription.user_id == user_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return SubscriptionRecord(*row) if row is not None else None

    async def save(self, subscription: SubscriptionRecord) -> None:
        """Write the user's whole choice, whether or not they had one (one statement on both
        backends; a second process writing at the same moment ends with one row). A row that
        exists keeps its `created_at`."""
        values = asdict(subscription)
        changed = {k: v for k, v in values.items() if k not in ("user_id", "created_at")}
        await self._session.execute(
            upsert(
                self._session,
                Subscription.__table__,  # type: ignore[arg-type]
                values,
                Subscription.user_id,
                changed,
            )
        )

    async def set_active(self, user_id: int, active: bool, now: datetime) -> bool:
        """Switch the subscription on or off, keeping the choice; False if the user has none."""
        result = await self._session.execute(
            update(Subscription)
            .where(Subscription.user_id == user_id)
            .values(active=active, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The subscription (bitmasks as stored), for /mydata's file."""
        query = select(*_COLUMNS[1:]).where(Subscription.user_id == user_id)
        return await personal_rows(self._session, query)
