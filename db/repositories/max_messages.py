"""MAX message ids (strings) under the integer ids the bot's code knows messages by, and the
pruning of old ones (a scheduled job: bot/scheduler.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.connection import connection_of
from db.dialect import insert_ignoring_conflicts
from db.models import MaxMessage

_BY_MID = select(MaxMessage.id).where(MaxMessage.mid == bindparam("mid"))
_BY_ID = select(MaxMessage.mid).where(
    MaxMessage.id == bindparam("id"), MaxMessage.chat_id == bindparam("chat_id")
)
#: The oldest rows by id: ids are given in the order messages are remembered, so the rows old
#: enough to prune are the first ones. Reading them in the primary key's order, a batch at a
#: time, needs no index on `created_at` and never scans the table. Rows another process is
#: deleting at the same moment are skipped (PostgreSQL; SQLite has one writer at a time).
_OLDEST = (
    select(MaxMessage.id, MaxMessage.created_at)
    .order_by(MaxMessage.id)
    .limit(bindparam("batch"))
    .with_for_update(skip_locked=True)
    .subquery("oldest")
)
_PRUNE = delete(MaxMessage).where(
    MaxMessage.id.in_(select(_OLDEST.c.id).where(_OLDEST.c.created_at < bindparam("before")))
)


class MaxMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def id_of(self, mid: str) -> int | None:
        connection = await connection_of(self._session)
        return (await connection.execute(_BY_MID, {"mid": mid})).scalar()

    async def remember(self, mid: str, chat_id: int, now: datetime) -> int:
        """The integer id of the MAX message `mid`, given it now if it has none. Idempotent."""
        await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                MaxMessage.__table__,  # type: ignore[arg-type]
                {"mid": mid, "chat_id": chat_id, "created_at": now},
            )
        )
        found = await self.id_of(mid)
        assert found is not None
        return found

    async def mid_of(self, message_id: int, chat_id: int) -> str | None:
        """The MAX message behind the bot's `message_id` in that chat, if there is one."""
        connection = await connection_of(self._session)
        return (await connection.execute(_BY_ID, {"id": message_id, "chat_id": chat_id})).scalar()

    async def prune(self, before: datetime, batch: int) -> tuple[int, bool]:
        """Forget the messages remembered before `before` among the `batch` oldest rows: how
        many were deleted, and whether the batch was old throughout (so more may follow)."""
        connection = await connection_of(self._session)
        result = await connection.execute(_PRUNE, {"before": before, "batch": batch})
        deleted = max(0, int(result.rowcount or 0))
        return deleted, deleted == batch
