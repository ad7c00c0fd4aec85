from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_ignoring_conflicts
from db.models import Step


class StepRepository:
    """The monitoring log. Writing the same (kind, ref) twice records it once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def log(
        self,
        *,
        kind: str,
        ref: str,
        user_id: int | None,
        role: str | None,
        organisation_id: int | None,
        grade: int | None,
        academic_year: int,
        now: datetime,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                Step.__table__,  # type: ignore[arg-type]
                {
                    "kind": kind,
                    "ref": ref,
                    "user_id": user_id,
                    "role": role,
                    "organisation_id": organisation_id,
                    "grade": grade,
                    "academic_year": academic_year,
                    "detail": detail or {},
                    "created_at": now,
                },
            )
        )

    async def count(self, kind: str, *, user_id: int | None = None) -> int:
        query = select(func.count()).select_from(Step).where(Step.kind == kind)
        if user_id is not None:
            query = query.where(Step.user_id == user_id)
        return int(await self._session.scalar(query) or 0)
