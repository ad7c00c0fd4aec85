"""A broadcast's photo or document in the other messenger (`broadcast_files`): one row per
(broadcast, messenger), claimed by the process that carries the file over, then holding the
file id there or why it could not be carried (a row for the broadcast's own messenger exists
only when that messenger refused the file)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_ignoring_conflicts
from db.models import BroadcastFile
from db.records import BroadcastFileRecord

_COLUMNS = (
    BroadcastFile.broadcast_id,
    BroadcastFile.channel,
    BroadcastFile.file_id,
    BroadcastFile.holder,
    BroadcastFile.claimed_at,
    BroadcastFile.error,
    BroadcastFile.failed,
    BroadcastFile.retry_at,
)


class BroadcastFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, broadcast_id: int, channel: str) -> BroadcastFileRecord | None:
        row = (
            await self._session.execute(
                select(*_COLUMNS).where(
                    BroadcastFile.broadcast_id == broadcast_id, BroadcastFile.channel == channel
                )
            )
        ).first()
        return None if row is None else BroadcastFileRecord(*row)

    async def lock(self, broadcast_id: int, channel: str) -> BroadcastFileRecord | None:
        """The row, locked for this transaction (PostgreSQL; SQLite's write lock is taken)."""
        row = (
            await self._session.execute(
                select(*_COLUMNS)
                .where(BroadcastFile.broadcast_id == broadcast_id, BroadcastFile.channel == channel)
                .with_for_update()
            )
        ).first()
        return None if row is None else BroadcastFileRecord(*row)

    async def insert_claimed(
        self, broadcast_id: int, channel: str, holder: str, now: datetime
    ) -> bool:
        """The row, new and claimed by `holder`; False when it exists already."""
        result = await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                BroadcastFile.__table__,  # type: ignore[arg-type]
                {
                    "broadcast_id": broadcast_id,
                    "channel": channel,
                    "holder": holder,
                    "claimed_at": now,
                    "failed": False,
                    "updated_at": now,
                },
            ).returning(BroadcastFile.broadcast_id)
        )
        return result.scalar_one_or_none() is not None

    async def claim(self, broadcast_id: int, channel: str, holder: str, now: datetime) -> None:
        """`holder` carries it now (the caller checked, under the row's lock, that it may)."""
        await self._session.execute(
            update(BroadcastFile)
            .where(BroadcastFile.broadcast_id == broadcast_id, BroadcastFile.channel == channel)
            .values(holder=holder, claimed_at=now, updated_at=now)
        )

    async def store(
        self, broadcast_id: int, channel: str, holder: str, file_id: str, now: datetime
    ) -> None:
        """The file's id in `channel`, carried by `holder`."""
        await self._settle(
            broadcast_id,
            channel,
            holder,
            now,
            file_id=file_id,
            error=None,
            failed=False,
            retry_at=None,
        )

    async def release(  # noqa: PLR0913
        self,
        broadcast_id: int,
        channel: str,
        holder: str,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
        failed: bool = False,
    ) -> None:
        """`holder` no longer carries it: it failed (`error`; for good when `failed`, else
        tried again from `retry_at`), or someone else may try at once (no error)."""
        await self._settle(
            broadcast_id, channel, holder, now, error=error, retry_at=retry_at, failed=failed
        )

    async def refuse(
        self, broadcast_id: int, channel: str, error: str, now: datetime, *, file_id: str | None
    ) -> bool:
        """The messenger refused the file for good (`error`): whoever holds the row, unless
        the file was carried there meanwhile under another id than the one refused (`file_id`;
        None: the refusal came while carrying it). True when the row says failed now."""
        inserted = await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                BroadcastFile.__table__,  # type: ignore[arg-type]
                {
                    "broadcast_id": broadcast_id,
                    "channel": channel,
                    "error": error,
                    "failed": True,
                    "updated_at": now,
                },
            ).returning(BroadcastFile.broadcast_id)
        )
        if inserted.scalar_one_or_none() is not None:
            return True
        refused: ColumnElement[bool] = BroadcastFile.file_id.is_(None)
        if file_id is not None:
            refused = or_(refused, BroadcastFile.file_id == file_id)
        result = await self._session.execute(
            update(BroadcastFile)
            .where(
                BroadcastFile.broadcast_id == broadcast_id,
                BroadcastFile.channel == channel,
                refused,
            )
            .values(
                file_id=None,
                holder=None,
                claimed_at=None,
                error=error,
                failed=True,
                retry_at=None,
                updated_at=now,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def failures(self, broadcast_id: int) -> list[tuple[str, str]]:
        """(messenger, reason) of each messenger the broadcast's file could not reach for good."""
        rows = await self._session.execute(
            select(BroadcastFile.channel, BroadcastFile.error)
            .where(BroadcastFile.broadcast_id == broadcast_id, BroadcastFile.failed.is_(True))
            .order_by(BroadcastFile.channel)
        )
        return [(str(channel), error or "") for channel, error in rows]

    async def _settle(
        self, broadcast_id: int, channel: str, holder: str, now: datetime, **values: Any
    ) -> None:
        """End `holder`'s claim with `values` (a claim taken over meanwhile is left alone)."""
        await self._session.execute(
            update(BroadcastFile)
            .where(
                BroadcastFile.broadcast_id == broadcast_id,
                BroadcastFile.channel == channel,
                BroadcastFile.holder == holder,
            )
            .values(holder=None, claimed_at=None, updated_at=now, **values)
        )
