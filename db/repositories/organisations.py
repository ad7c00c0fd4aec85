from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Organisation
from db.records import OrganisationRecord


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """What the catalogue file says of an organisation."""

    code: str
    kind: str
    name: str
    short_name: str
    in_town: bool
    is_sample: bool


def organisation_record(row: Organisation) -> OrganisationRecord:
    return OrganisationRecord(
        id=row.id,
        code=row.code,
        kind=row.kind,
        name=row.name,
        short_name=row.short_name,
        in_town=row.in_town,
        is_sample=row.is_sample,
    )


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def sync(self, entries: Iterable[CatalogueEntry]) -> None:
        """Make the table match the catalogue: add, update, and hide what was removed."""
        existing = {o.code: o for o in (await self._session.scalars(select(Organisation))).all()}
        seen: set[str] = set()
        for position, entry in enumerate(entries):
            seen.add(entry.code)
            row = existing.get(entry.code)
            if row is None:
                row = Organisation(code=entry.code)
                self._session.add(row)
            row.kind = entry.kind
            row.name = entry.name
            row.short_name = entry.short_name
            row.in_town = entry.in_town
            row.is_sample = entry.is_sample
            row.active = True
            row.position = position
        gone = set(existing) - seen
        if gone:
            await self._session.execute(
                update(Organisation).where(Organisation.code.in_(gone)).values(active=False)
            )
        await self._session.flush()

    async def get(self, organisation_id: int) -> OrganisationRecord | None:
        row = await self._session.get(Organisation, organisation_id)
        return organisation_record(row) if row is not None else None

    async def list_active(self, kind: str | None = None) -> list[OrganisationRecord]:
        """The organisations in the catalogue (of one kind, or all), in catalogue order."""
        query = select(Organisation).where(Organisation.active.is_(True))
        if kind is not None:
            query = query.where(Organisation.kind == kind)
        rows = await self._session.scalars(query.order_by(Organisation.position, Organisation.id))
        return [organisation_record(r) for r in rows]
