"""Teachers' completed qualification courses: steps of their own kind in the monitoring log
(one step per course), read back for the teacher and counted for the committee."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Step, StepKind
from db.records import CourseRecord


class TeacherRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def courses(self, user_id: int) -> list[CourseRecord]:
        """The user's recorded courses, the latest completed first."""
        rows = await self._session.execute(
            select(Step.ref, Step.detail, Step.created_at)
            .where(Step.kind == StepKind.TEACHER_COURSE, Step.user_id == user_id)
            .order_by(Step.id.desc())
        )
        found = [
            CourseRecord(
                ref=row.ref,
                title=str(row.detail.get("title", "")),
                hours=int(row.detail.get("hours", 0)),
                completed_on=date.fromisoformat(str(row.detail.get("completed_on"))),
                recorded_at=row.created_at,
            )
            for row in rows
        ]
        found.sort(key=lambda c: c.completed_on, reverse=True)
        return found

    async def recorded(self, ref: str) -> bool:
        query = select(Step.id).where(Step.kind == StepKind.TEACHER_COURSE, Step.ref == ref)
        return (await self._session.scalar(query)) is not None

    async def count_courses(self, academic_year: int | None = None) -> int:
        """Completed courses (one step each), in an academic year (of the completion) or in
        all: the committee's indicator of trained teachers."""
        query = select(func.count()).select_from(Step).where(Step.kind == StepKind.TEACHER_COURSE)
        if academic_year is not None:
            query = query.where(Step.academic_year == academic_year)
        return int(await self._session.scalar(query) or 0)
