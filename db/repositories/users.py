from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.channels import channel_of
from db.connection import connection_of
from db.dialect import insert_ignoring_conflicts
from db.models import Organisation, User
from db.personal import PersonalRows, personal_rows
from db.records import UserRecord

USER_COLUMNS = (
    User.id,
    User.role,
    User.organisation_id,
    User.grade,
    User.grade_year,
    User.consent_version,
    User.consent_at,
    User.blocked_at,
    User.created_at,
)


_BY_ID = select(*USER_COLUMNS).where(User.id == bindparam("user_id"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int, *, for_update: bool = False) -> UserRecord | None:
        connection = await connection_of(self._session)
        query = _BY_ID_FOR_UPDATE if for_update else _BY_ID
        row = (await connection.execute(query, {"user_id": user_id})).first()
        return UserRecord(*row) if row is not None else None

    async def many(self, user_ids: list[int]) -> dict[int, UserRecord]:
        """The users with these ids that exist (read in chunks of a few hundred)."""
        found: dict[int, UserRecord] = {}
        for start in range(0, len(user_ids), 500):
            chunk = user_ids[start : start + 500]
            rows = await self._session.execute(select(*USER_COLUMNS).where(User.id.in_(chunk)))
            found.update((row.id, UserRecord(*row)) for row in rows)
        return found

    async def give_consent(self, user_id: int, version: str, now: datetime) -> None:
        """Create the user with their consent, or record a newer consent version. Idempotent."""
        await self._session.execute(
            insert_ignoring_conflicts(
                self._session,
                User.__table__,  # type: ignore[arg-type]
                {
                    "id": user_id,
                    "consent_version": version,
                    "consent_at": now,
                    "created_at": now,
                    "updated_at": now,
                    "channel": channel_of(user_id),
                },
            )
        )
        await self._session.execute(
            update(User)
            .where(User.id == user_id, User.consent_version != version)
            .values(consent_version=version, consent_at=now, updated_at=now)
        )

    async def set_role(self, user_id: int, role: str, now: datetime) -> None:
        """Change the role; school and grade belong to a role, so they are cleared."""
        await self._session.execute(
            update(User)
            .where(User.id == user_id)
            .values(role=role, organisation_id=None, grade=None, grade_year=None, updated_at=now)
        )

    async def set_organisation(self, user_id: int, organisation_id: int, now: datetime) -> None:
        await self._session.execute(
            update(User)
            .where(User.id == user_id)
            .values(organisation_id=organisation_id, updated_at=now)
        )

    async def set_grade(self, user_id: int, grade: int, academic_year: int, now: datetime) -> None:
        await self._session.execute(
            update(User)
            .where(User.id == user_id)
            .values(grade=grade, grade_year=academic_year, updated_at=now)
        )

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        await self._session.execute(
            update(User).where(User.id == user_id, User.blocked_at.is_(None)).values(blocked_at=now)
        )

    async def mark_reachable(self, user_id: int) -> None:
        await self._session.execute(
            update(User)
            .where(User.id == user_id, User.blocked_at.is_not(None))
            .values(blocked_at=None)
        )

    async def delete(self, user_id: int) -> bool:
        """Erase the user and what hangs on them (attempts); anonymous steps stay."""
        result = await self._session.execute(delete(User).where(User.id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def personal_data(self, user_id: int) -> PersonalRows:
        """The profile, for /mydata's file."""
        query = select(
            User.id.label("telegram_id"),
            User.role,
            Organisation.name.label("organisation"),
            User.grade,
            User.grade_year,
            User.consent_version,
            User.consent_at,
            User.blocked_at,
            User.created_at,
            User.updated_at,
        )
        query = query.outerjoin(Organisation, Organisation.id == User.organisation_id).where(
            User.id == user_id
        )
        return await personal_rows(self._session, query)
