"""Conversation state (aiogram's FSM) per chat: the state's name and its data, one row a key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_ignoring_conflicts, upsert
from db.models import ConversationState


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(
        self, key: str, *, for_update: bool = False
    ) -> tuple[str | None, dict[str, Any]] | None:
        query = select(ConversationState.state, ConversationState.data).where(
            ConversationState.key == key
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return (row[0], dict(row[1] or {})) if row is not None else None

    async def reserve(self, key: str, now: datetime) -> None:
        """Make sure the row exists, so that a following `get(for_update=True)` locks it even for
        the first change of a chat (two first changes at once then queue instead of both
        reading nothing)."""
        await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                ConversationState.__table__,  # type: ignore[arg-type]
                {"key": key, "state": None, "data": {}, "updated_at": now},
            )
        )

    async def put(
        self, key: str, state: str | None, data: Mapping[str, Any], now: datetime
    ) -> None:
        """Store the state and data of `key` (an empty one is deleted: nothing to keep)."""
        if state is None and not data:
            await self._session.execute(
                delete(ConversationState).where(ConversationState.key == key)
            )
            return
        changed = {"state": state, "data": dict(data), "updated_at": now}
        await self._session.execute(
            upsert(
                self._session,
                ConversationState.__table__,  # type: ignore[arg-type]
                {"key": key, **changed},
                ConversationState.key,
                changed,
            )
        )
