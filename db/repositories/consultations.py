"""Consultation requests: written by the person, taken and closed by a coordinator of their
organisation. Taking and closing are conditional updates, so of two coordinators who take one
request at the same moment exactly one wins, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.dialect import insert_ignoring_conflicts
from db.models import Consultation, ConsultationStatus, Organisation
from db.personal import PersonalRows, personal_rows
from db.records import ConsultationRecord

_COLUMNS = (
    Consultation.id,
    Consultation.user_id,
    Consultation.organisation_id,
    Organisation.short_name,
    Consultation.topic,
    Consultation.preferred,
    Consultation.phone,
    Consultation.status,
    Consultation.coordinator_id,
    Consultation.created_at,
    Consultation.taken_at,
    Consultation.closed_at,
)


def _select() -> Any:
    return select(*_COLUMNS).join(Organisation, Organisation.id == Consultation.organisation_id)


def _record(row: Any) -> ConsultationRecord:
    return ConsultationRecord(*row)


class ConsultationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(  # noqa: PLR0913 - the request's fields
        self,
        *,
        user_id: int,
        organisation_id: int,
        topic: str,
        preferred: str,
        phone: str | None,
        token: str,
        now: datetime,
    ) -> ConsultationRecord:
        """Write the request; the same draft (`token`) twice is written once."""
        await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                Consultation.__table__,  # type: ignore[arg-type]
                {
                    "user_id": user_id,
                    "organisation_id": organisation_id,
                    "topic": topic,
                    "preferred": preferred,
                    "phone": phone,
                    "status": ConsultationStatus.NEW,
                    "token": token,
                    "created_at": now,
                },
            )
        )
        row = (await self._session.execute(_select().where(Consultation.token == token))).one()
        return _record(row)

    async def by_token(self, user_id: int, token: str) -> ConsultationRecord | None:
        """The user's request written from the draft `token`, if it was."""
        query = _select().where(Consultation.token == token, Consultation.user_id == user_id)
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _record(row)

    async def get(self, consultation_id: int) -> ConsultationRecord | None:
        row = (
            await self._session.execute(_select().where(Consultation.id == consultation_id))
        ).one_or_none()
        return None if row is None else _record(row)

    async def queue(
        self, organisation_id: int | None, statuses: Sequence[str], limit: int
    ) -> list[ConsultationRecord]:
        """Requests of one organisation (None: all) in these states, oldest first."""
        query = _select().where(Consultation.status.in_(list(statuses)))
        if organisation_id is not None:
            query = query.where(Consultation.organisation_id == organisation_id)
        rows = await self._session.execute(query.order_by(Consultation.id).limit(limit))
        return [_record(row) for row in rows]

    async def count_new(self, organisation_id: int | None) -> int:
        query = select(func.count()).where(Consultation.status == ConsultationStatus.NEW)
        if organisation_id is not None:
            query = query.where(Consultation.organisation_id == organisation_id)
        return int((await self._session.execute(query)).scalar_one())

    async def of_user(self, user_id: int) -> list[ConsultationRecord]:
        rows = await self._session.execute(
            _select().where(Consultation.user_id == user_id).order_by(Consultation.id)
        )
        return [_record(row) for row in rows]

    async def take(self, consultation_id: int, coordinator_id: int | None, now: datetime) -> bool:
        """Take a new request; False if someone took it first (or it is not new)."""
        result = await self._session.execute(
            update(Consultation)
            .where(
                Consultation.id == consultation_id,
                Consultation.status == ConsultationStatus.NEW,
            )
            .values(status=ConsultationStatus.TAKEN, coordinator_id=coordinator_id, taken_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def close(self, consultation_id: int, status: str, now: datetime) -> bool:
        """Mark a taken request held or not held; False if it is not taken (any more)."""
        result = await self._session.execute(
            update(Consultation)
            .where(
                Consultation.id == consultation_id,
                Consultation.status == ConsultationStatus.TAKEN,
            )
            .values(status=status, closed_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The user's consultation requests, for /mydata's file."""
        query = (
            select(
                Organisation.name.label("organisation"),
                Consultation.topic,
                Consultation.preferred,
                Consultation.phone,
                Consultation.status,
                Consultation.created_at,
                Consultation.closed_at,
            )
            .join(Organisation, Organisation.id == Consultation.organisation_id)
            .where(Consultation.user_id == user_id)
            .order_by(Consultation.id)
        )
        return await personal_rows(self._session, query)
