"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, table: Table, values: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, for idempotent writes on both backends."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing()


#: Rows per multi-row INSERT: well under SQLite's limit on bound values per statement.
INSERT_CHUNK = 500


async def insert_many_ignoring_conflicts(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]]
) -> int:
    """A multi-row INSERT ... ON CONFLICT DO NOTHING, in chunks; returns the rows inserted."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        result = await session.execute(module.insert(table).values(chunk).on_conflict_do_nothing())
        inserted += max(0, int(result.rowcount or 0))  # type: ignore[attr-defined]
    return inserted
