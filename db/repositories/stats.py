"""The municipal monitoring's figures: counts grouped in SQL (the same statements on SQLite and
PostgreSQL), and the committee's own figures (the roster, the term's indicators, survey sheets).

Every query takes the academic year and, optionally, one organisation (a school coordinator's
scope); none returns anything about a person, only counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import INSERT_CHUNK
from db.models import Role, Roster, Step, StepKind, SurveyAnswer, TermIndicators

#: The grades whose coverage the town's programme counts.
COVERAGE_GRADES = (8, 9, 10, 11)
#: The grades whose students are school leavers (the self-assessment, the destination survey).
LEAVER_GRADES = (9, 11)


@dataclass(frozen=True, slots=True)
class Cell:
    """A count for one school and grade."""

    organisation_id: int | None
    grade: int | None
    count: int


@dataclass(frozen=True, slots=True)
class SheetCount:
    """Answer sheets (the latest of each person) of one school and grade: how many, and how
    many count for the indicator."""

    window: int
    organisation_id: int | None
    grade: int | None
    answer: str
    sheets: int
    counting: int


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str  # "2026-11"
    kind: str
    count: int


@dataclass(frozen=True, slots=True)
class FeedbackCount:
    sheets: int
    liked: int
    helped: int
    partly: int


@dataclass(frozen=True, slots=True)
class TermRecord:
    academic_year: int
    term: int
    agreements: int
    teachers_trained: int
    schools_with_page: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewSheet:
    kind: str
    user_id: int
    organisation_id: int | None
    grade: int | None
    academic_year: int
    window: int
    answer: str
    counts: bool
    created_at: datetime
    college: str = ""
    programme: str = ""


def _scope(column: Any, organisation_id: int | None) -> ColumnElement[bool]:
    """One organisation's rows (None: the whole town)."""
    return true() if organisation_id is None else column == organisation_id


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    # --- steps ------------------------------------------------------------------------------

    async def participants(self, year: int, organisation_id: int | None = None) -> list[Cell]:
        """School students of grades 8-11 with at least one step in the year, by school and
        grade (the school and grade each step was logged with)."""
        # SQLite: `+ 0` keeps the grade's condition off the index. Once ANALYZE has seen one
        # year and one role, SQLite would skip-scan the index by grade, then group and count
        # through temporary B-trees (three times slower); this way it reads the year's and
        # role's range in the index's order, grouping as it goes. PostgreSQL needs the plain
        # column: for an expression it guesses a few rows, and sorts half a million on disk.
        grade = Step.grade if self._postgres else Step.grade + 0
        query = (
            select(Step.organisation_id, Step.grade, func.count(distinct(Step.user_id)))
            .where(
                Step.academic_year == year,
                Step.role == Role.STUDENT,
                grade.between(COVERAGE_GRADES[0], COVERAGE_GRADES[-1]),
            )
            .group_by(Step.organisation_id, Step.grade)
        )
        query = query.where(_scope(Step.organisation_id, organisation_id))
        rows = await self._session.execute(query)
        return [Cell(org, grade, int(count)) for org, grade, count in rows]

    async def steps_by_month(
        self,
        year: int,
        kinds: Sequence[str],
        months: Sequence[tuple[str, datetime, datetime]],
        organisation_id: int | None = None,
    ) -> list[MonthCount]:
        """Steps of each kind in each month (a name and its start and end in UTC): one count of
        an index range per kind and month, all in one statement. (Grouping by a month computed
        from each row costs a function call and a temporary B-tree per row: six times
        slower with a million steps.)"""
        counts = [
            select(func.count())
            .where(
                Step.academic_year == year,
                Step.kind == kind,
                Step.created_at >= start,
                Step.created_at < end,
                _scope(Step.organisation_id, organisation_id),
            )
            .scalar_subquery()
            for kind in kinds
            for _, start, end in months
        ]
        if not counts:
            return []
        values = list((await self._session.execute(select(*counts))).one())
        found = []
        for index, kind in enumerate(kinds):
            for offset, (month, _, _) in enumerate(months):
                count = int(values[index * len(months) + offset] or 0)
                if count:
                    found.append(MonthCount(month, kind, count))
        return found

    async def events_by_kind(self, year: int, organisation_id: int | None = None) -> dict[str, int]:
        """Event attendances of the year by the event's kind."""
        kind = Step.detail["kind"].as_string()
        query = (
            select(kind, func.count())
            .where(Step.academic_year == year, Step.kind == StepKind.EVENT_ATTENDED)
            .group_by(kind)
        )
        query = query.where(_scope(Step.organisation_id, organisation_id))
        rows = await self._session.execute(query)
        return {str(k): int(count) for k, count in rows}

    async def feedback(self, year: int, organisation_id: int | None = None) -> FeedbackCount:
        """The answers after trials: how many, liked it, helped to choose (yes / partly)."""
        liked = Step.detail["liked"].as_boolean()
        helped = Step.detail["helped"].as_string()
        query = select(
            func.count(),
            func.count().filter(liked == true()),
            func.count().filter(helped == "yes"),
            func.count().filter(helped == "partly"),
        ).where(Step.academic_year == year, Step.kind == StepKind.TRIAL_FEEDBACK)
        query = query.where(_scope(Step.organisation_id, organisation_id))
        row = (await self._session.execute(query)).one()
        return FeedbackCount(*(int(value or 0) for value in row))

    async def years(self) -> tuple[int, int] | None:
        """The first and last academic year with any step, roster or answer sheet."""
        found: list[int] = []
        for column in (Step.academic_year, Roster.academic_year, SurveyAnswer.academic_year):
            # One min() or max() a statement: each is then one probe of an index.
            for edge in (func.min(column), func.max(column)):
                value = await self._session.scalar(select(edge))
                if value is not None:
                    found.append(int(value))
        return (min(found), max(found)) if found else None

    # --- the roster -------------------------------------------------------------------------

    async def roster(self, year: int, organisation_id: int | None = None) -> list[Cell]:
        query = select(Roster.organisation_id, Roster.grade, Roster.students).where(
            Roster.academic_year == year
        )
        query = query.where(_scope(Roster.organisation_id, organisation_id))
        rows = await self._session.execute(query)
        return [Cell(org, grade, int(students)) for org, grade, students in rows]

    async def set_roster(
        self, year: int, cells: Sequence[Cell], updated_by: int, now: datetime
    ) -> None:
        """Write these cells of the year's roster (each replaces what was there), in
        multi-row statements."""
        rows = [
            {
                "academic_year": year,
                "organisation_id": cell.organisation_id,
                "grade": cell.grade,
                "students": cell.count,
                "updated_by": updated_by,
                "updated_at": now,
            }
            for cell in cells
        ]
        module = _dialect(self._session)
        for start in range(0, len(rows), INSERT_CHUNK):
            statement = module.insert(Roster.__table__).values(rows[start : start + INSERT_CHUNK])
            excluded = statement.excluded
            await self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=[Roster.academic_year, Roster.organisation_id, Roster.grade],
                    set_={
                        "students": excluded.students,
                        "updated_by": excluded.updated_by,
                        "updated_at": excluded.updated_at,
                    },
                )
            )

    # --- the term's indicators --------------------------------------------------------------

    async def term(self, year: int) -> TermRecord | None:
        """The year's latest term figures."""
        row = (
            await self._session.execute(
                select(
                    TermIndicators.academic_year,
                    TermIndicators.term,
                    TermIndicators.agreements,
                    TermIndicators.teachers_trained,
                    TermIndicators.schools_with_page,
                    TermIndicators.updated_at,
                )
                .where(TermIndicators.academic_year == year)
                .order_by(TermIndicators.term.desc())
                .limit(1)
            )
        ).first()
        return TermRecord(*row) if row is not None else None

    async def set_term(self, record: TermRecord, updated_by: int) -> None:
        changed = {
            "agreements": record.agreements,
            "teachers_trained": record.teachers_trained,
            "schools_with_page": record.schools_with_page,
            "updated_by": updated_by,
            "updated_at": record.updated_at,
        }
        values = {"academic_year": record.academic_year, "term": record.term, **changed}
        module = _dialect(self._session)
        statement = (
            module.insert(TermIndicators.__table__)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[TermIndicators.academic_year, TermIndicators.term], set_=changed
            )
        )
        await self._session.execute(statement)

    # --- answer sheets ----------------------------------------------------------------------

    async def add_sheet(self, sheet: NewSheet) -> None:
        """Keep the sheet; it replaces the user's earlier one of the year (and window) as the
        one that counts."""
        await self._session.execute(
            update(SurveyAnswer)
            .where(
                SurveyAnswer.user_id == sheet.user_id,
                SurveyAnswer.kind == sheet.kind,
                SurveyAnswer.academic_year == sheet.academic_year,
                SurveyAnswer.window == sheet.window,
                SurveyAnswer.latest == true(),
            )
            .values(latest=False)
        )
        self._session.add(
            SurveyAnswer(
                kind=sheet.kind,
                user_id=sheet.user_id,
                organisation_id=sheet.organisation_id,
                grade=sheet.grade,
                academic_year=sheet.academic_year,
                window=sheet.window,
                answer=sheet.answer,
                college=sheet.college,
                programme=sheet.programme,
                counts=sheet.counts,
                latest=True,
                created_at=sheet.created_at,
            )
        )
        await self._session.flush()

    async def sheets(
        self, kind: str, year: int, organisation_id: int | None = None
    ) -> list[SheetCount]:
        """The latest sheet of each person, counted by window, school, grade and answer."""
        query = (
            select(
                SurveyAnswer.window,
                SurveyAnswer.organisation_id,
                SurveyAnswer.grade,
                SurveyAnswer.answer,
                func.count(),
                func.count().filter(SurveyAnswer.counts == true()),
            )
            .where(
                and_(
                    SurveyAnswer.academic_year == year,
                    SurveyAnswer.kind == kind,
                    SurveyAnswer.latest == true(),
                    SurveyAnswer.grade.in_(LEAVER_GRADES),
                )
            )
            .group_by(
                SurveyAnswer.window,
                SurveyAnswer.organisation_id,
                SurveyAnswer.grade,
                SurveyAnswer.answer,
            )
        )
        query = query.where(_scope(SurveyAnswer.organisation_id, organisation_id))
        rows = await self._session.execute(query)
        return [SheetCount(w, o, g, str(a), int(n), int(c)) for w, o, g, a, n, c in rows]

    async def sheet_count(self, user_id: int, kind: str, year: int) -> int:
        """How many sheets the user has sent this year (all kept)."""
        query = select(func.count()).where(
            SurveyAnswer.user_id == user_id,
            SurveyAnswer.kind == kind,
            SurveyAnswer.academic_year == year,
        )
        return int(await self._session.scalar(query) or 0)


def _dialect(session: AsyncSession) -> ModuleType:
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
