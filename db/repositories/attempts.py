from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import UTCDateTime
from db.connection import connection_of
from db.dialect import insert_ignoring_conflicts
from db.models import QuizAttempt, User
from db.personal import PersonalRows, personal_rows
from db.records import AttemptRecord
from db.sqlite_driver import RESULT_UNREAD

_COLUMNS = (
    QuizAttempt.id,
    QuizAttempt.user_id,
    QuizAttempt.quiz_id,
    QuizAttempt.quiz_version,
    QuizAttempt.answers,
    QuizAttempt.position,
    QuizAttempt.started_at,
    QuizAttempt.updated_at,
    QuizAttempt.finished_at,
    QuizAttempt.scores,
)


def _record(row: Sequence[Any]) -> AttemptRecord:
    values = list(row)
    values[4] = tuple(values[4])
    return AttemptRecord(*values)


# The questionnaire's hot path (one read and one write per answer) runs prebuilt Core statements
# on the session's connection: the same SQL as the ORM would send, without rebuilding it per call.
_BY_ID = select(*_COLUMNS).where(QuizAttempt.id == bindparam("attempt_id"))
# The attempt to change, locked, with the consent version its owner agreed to.
_FOR_CHANGE = (
    select(*_COLUMNS, User.consent_version)
    .join(User, User.id == QuizAttempt.user_id)
    .where(QuizAttempt.id == bindparam("attempt_id"))
    .with_for_update(of=QuizAttempt)
)
_SAVE_PROGRESS = (
    update(QuizAttempt)
    .where(QuizAttempt.id == bindparam("attempt_id"))
    .values(
        answers=bindparam("new_answers", type_=JSON()),
        position=bindparam("new_position"),
        updated_at=bindparam("now", type_=UTCDateTime()),
    )
    # The answer's last statement before its commit: on SQLite it goes with the commit, one
    # trip to the database's thread for both.
    .prefix_with(RESULT_UNREAD, dialect="sqlite")
)


class AttemptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(
        self, query: Select[*tuple[Any, ...]], *, for_update: bool
    ) -> AttemptRecord | None:
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return _record(row) if row is not None else None

    async def get(self, attempt_id: int) -> AttemptRecord | None:
        connection = await connection_of(self._session)
        row = (await connection.execute(_BY_ID, {"attempt_id": attempt_id})).first()
        return _record(row) if row is not None else None

    async def get_for_change(self, attempt_id: int) -> tuple[AttemptRecord, str] | None:
        """The attempt, locked, and the version of its owner's consent."""
        connection = await connection_of(self._session)
        row = (await connection.execute(_FOR_CHANGE, {"attempt_id": attempt_id})).first()
        if row is None:
            return None
        *attempt, consent_version = row
        return _record(attempt), str(consent_version)

    async def get_open(
        self, user_id: int, quiz_id: str, *, for_update: bool = False
    ) -> AttemptRecord | None:
        query = select(*_COLUMNS).where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.finished_at.is_(None),
        )
        return await self._one(query, for_update=for_update)

    async def list_open(self, user_id: int) -> list[AttemptRecord]:
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.finished_at.is_(None))
            .order_by(QuizAttempt.updated_at.desc())
        )
        return [_record(r) for r in rows]

    async def start(
        self, user_id: int, quiz_id: str, version: str, length: int, now: datetime
    ) -> AttemptRecord:
        """The user's open attempt at this questionnaire, created if there is none."""
        await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                QuizAttempt.__table__,  # type: ignore[arg-type]
                {
                    "user_id": user_id,
                    "quiz_id": quiz_id,
                    "quiz_version": version,
                    "answers": [None] * length,
                    "position": 0,
                    "started_at": now,
                    "updated_at": now,
                },
            )
        )
        attempt = await self.get_open(user_id, quiz_id, for_update=True)
        assert attempt is not None  # just inserted, or there already was one
        return attempt

    async def delete(self, attempt_id: int) -> None:
        await self._session.execute(delete(QuizAttempt).where(QuizAttempt.id == attempt_id))

    async def save_progress(
        self, attempt_id: int, answers: Sequence[str | None], position: int, now: datetime
    ) -> None:
        connection = await connection_of(self._session)
        await connection.execute(
            _SAVE_PROGRESS,
            {
                "attempt_id": attempt_id,
                "new_answers": list(answers),
                "new_position": position,
                "now": now,
            },
        )

    async def finish(
        self,
        attempt_id: int,
        answers: Sequence[str | None],
        scores: dict[str, int],
        now: datetime,
    ) -> None:
        await self._session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id)
            .values(
                answers=list(answers),
                position=len(answers),
                scores=scores,
                finished_at=now,
                updated_at=now,
            )
        )

    async def list_finished(self, user_id: int, limit: int) -> list[AttemptRecord]:
        """The user's finished attempts, newest first."""
        query = select(*_COLUMNS).where(
            QuizAttempt.user_id == user_id, QuizAttempt.finished_at.is_not(None)
        )
        rows = await self._session.execute(
            query.order_by(QuizAttempt.finished_at.desc(), QuizAttempt.id.desc()).limit(limit)
        )
        return [_record(r) for r in rows]

    async def count_finished(self, user_id: int) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(QuizAttempt)
                .where(QuizAttempt.user_id == user_id, QuizAttempt.finished_at.is_not(None))
            )
            or 0
        )

    async def take_due_reminders(
        self, idle_since: datetime, consent_version: str, now: datetime, limit: int
    ) -> list[tuple[int, int]]:
        """(attempt id, user id) of up to `limit` unfinished attempts untouched since
        `idle_since` whose reminder was never queued, of users who agreed to the current
        consent and have not blocked the bot; marked as reminded (queued in the outbox) now, so
        that each attempt gets one reminder. PostgreSQL skips rows another process holds."""
        query = (
            select(QuizAttempt.id, QuizAttempt.user_id)
            .join(User, User.id == QuizAttempt.user_id)
            .where(
                QuizAttempt.finished_at.is_(None),
                QuizAttempt.reminded_at.is_(None),
                QuizAttempt.updated_at < idle_since,
                User.blocked_at.is_(None),
                User.consent_version == consent_version,
            )
            .order_by(QuizAttempt.updated_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=QuizAttempt)
        )
        due = [(int(a), int(u)) for a, u in await self._session.execute(query)]
        if due:
            await self._session.execute(
                update(QuizAttempt)
                .where(QuizAttempt.id.in_([a for a, _ in due]))
                .values(reminded_at=now)
            )
        return due

    async def personal_data(self, user_id: int) -> PersonalRows:
        """Every questionnaire attempt with its answers and scores, for /mydata's file."""
        query = (
            select(
                QuizAttempt.quiz_id,
                QuizAttempt.quiz_version,
                QuizAttempt.started_at,
                QuizAttempt.finished_at,
                QuizAttempt.answers,
                QuizAttempt.scores,
            )
            .where(QuizAttempt.user_id == user_id)
            .order_by(QuizAttempt.id)
        )
        return await personal_rows(self._session, query)
