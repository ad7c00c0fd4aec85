"""The updates a messenger sent that the bot could not read (`rejected_updates`): kept for
inspection, erased with their sender, deleted after a while (bot/rejected.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RejectedUpdate
from db.personal import PersonalRows, personal_rows


class RejectedUpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(  # noqa: PLR0913 - the row's columns
        self,
        *,
        channel: str,
        update_id: int | None,
        user_id: int | None,
        raw: str,
        problems: Sequence[str],
        now: datetime,
    ) -> int:
        """Keep one update; its row's id."""
        statement = (
            insert(RejectedUpdate)
            .values(
                channel=channel,
                update_id=update_id,
                user_id=user_id,
                raw=raw,
                problems=list(problems),
                rejected_at=now,
            )
            .returning(RejectedUpdate.id)
        )
        return int((await self._session.execute(statement)).scalar_one())

    async def forget(self, user_id: int) -> int:
        """Delete every update the user sent that was kept (/forget)."""
        result = await self._session.execute(
            delete(RejectedUpdate).where(RejectedUpdate.user_id == user_id)
        )
        return max(0, int(result.rowcount or 0))  # type: ignore[attr-defined]

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` of the updates kept since before `before`, oldest first; how
        many. A batch at a time, so that a long backlog never holds the write lock long."""
        oldest = (
            select(RejectedUpdate.id)
            .where(RejectedUpdate.rejected_at < before)
            .order_by(RejectedUpdate.rejected_at, RejectedUpdate.id)
            .limit(limit)
        )
        result = await self._session.execute(
            delete(RejectedUpdate).where(RejectedUpdate.id.in_(oldest.scalar_subquery()))
        )
        return max(0, int(result.rowcount or 0))  # type: ignore[attr-defined]

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The user's updates the bot could not read, as they came, for /mydata's file."""
        query = (
            select(
                RejectedUpdate.channel,
                RejectedUpdate.rejected_at,
                RejectedUpdate.update_id,
                RejectedUpdate.problems,
                RejectedUpdate.raw,
            )
            .where(RejectedUpdate.user_id == user_id)
            .order_by(RejectedUpdate.id)
        )
        return await personal_rows(self._session, query)
