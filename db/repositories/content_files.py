"""Accepted versions of the content files: the newest of each kind is in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ContentFile
from db.records import ContentFileRecord

_COLUMNS = (
    ContentFile.id,
    ContentFile.kind,
    ContentFile.entries,
    ContentFile.uploaded_by,
    ContentFile.restored_from,
    ContentFile.created_at,
)


def _record(row: Any) -> ContentFileRecord:
    return ContentFileRecord(*row)


class ContentFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(  # noqa: PLR0913 - the version's fields
        self,
        *,
        kind: str,
        text: str,
        entries: int,
        uploaded_by: int | None,
        restored_from: int | None,
        now: datetime,
    ) -> int:
        result = await self._session.execute(
            insert(ContentFile)
            .values(
                kind=kind,
                text=text,
                entries=entries,
                uploaded_by=uploaded_by,
                restored_from=restored_from,
                created_at=now,
            )
            .returning(ContentFile.id)
        )
        return int(result.scalar_one())

    async def newest_ids(self) -> dict[str, int]:
        """The version in force of each kind that has one."""
        rows = await self._session.execute(
            select(ContentFile.kind, func.max(ContentFile.id)).group_by(ContentFile.kind)
        )
        return {kind: int(newest) for kind, newest in rows}

    async def text(self, version_id: int) -> tuple[str, str] | None:
        """The kind and text of a version."""
        row = (
            await self._session.execute(
                select(ContentFile.kind, ContentFile.text).where(ContentFile.id == version_id)
            )
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    async def versions(self, kind: str, limit: int) -> list[ContentFileRecord]:
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(ContentFile.kind == kind)
            .order_by(ContentFile.id.desc())
            .limit(limit)
        )
        return [_record(row) for row in rows]
