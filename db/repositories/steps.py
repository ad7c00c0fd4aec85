from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.channels import TELEGRAM, channel_of
from db.dialect import insert_ignoring_conflicts
from db.models import Step
from db.personal import PersonalRows, personal_rows
from db.records import NewStep


class StepRepository:
    """The monitoring log. Writing the same (kind, ref) twice records it once."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def log(self, step: NewStep) -> bool:
        """Record the step; False if it was recorded already (unique per kind and ref)."""
        result = await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                Step.__table__,  # type: ignore[arg-type]
                {
                    "kind": step.kind,
                    "ref": step.ref,
                    "user_id": step.user_id,
                    "role": step.role,
                    "organisation_id": step.organisation_id,
                    "grade": step.grade,
                    "academic_year": step.academic_year,
                    "detail": step.detail,
                    "created_at": step.created_at,
                    "channel": TELEGRAM if step.user_id is None else channel_of(step.user_id),
                },
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def count(self, kind: str, *, user_id: int | None = None) -> int:
        query = select(func.count()).select_from(Step).where(Step.kind == kind)
        if user_id is not None:
            query = query.where(Step.user_id == user_id)
        return int(await self._session.scalar(query) or 0)

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The monitoring steps still linked to the user (unlinked when they are forgotten)."""
        query = (
            select(Step.kind, Step.created_at, Step.role, Step.grade, Step.detail)
            .where(Step.user_id == user_id)
            .order_by(Step.id)
        )
        return await personal_rows(self._session, query)
