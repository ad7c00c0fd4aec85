"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, table: Table, values: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, for idempotent writes on both backends."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing()


def upsert(
    session: AsyncSession,
    table: Table,
    values: dict[str, Any],
    key: Any,
    changed: dict[str, Any],
) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET changed: a row written whether or not it
    exists, in one statement on both backends."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return (
        module.insert(table)
        .values(**values)
        .on_conflict_do_update(index_elements=[key], set_=changed)
    )


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


async def insert_many_returning_ids(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]]
) -> list[int]:
    """A multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING id, in chunks: the ids of the
    rows inserted (not of those skipped), for callers that act on what is new."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    ids: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        statement = module.insert(table).values(chunk).on_conflict_do_nothing()
        ids.extend(await session.scalars(statement.returning(table.c.id)))
    return ids


def json_object(session: AsyncSession, **fields: Any) -> ColumnElement[Any]:
    """A JSON object built by the database from columns or values (for INSERT ... SELECT)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    build = func.json_build_object if postgres else func.json_object
    return build(*(part for item in fields.items() for part in item), type_=JSON)


async def insert_selected_ignoring_conflicts(
    session: AsyncSession, table: Table, columns: list[str], query: Select[Any]
) -> int:
    """INSERT ... SELECT ... ON CONFLICT DO NOTHING: rows made by the database in one statement;
    returns how many were inserted."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(table).from_select(columns, query).on_conflict_do_nothing()
    result = await session.execute(statement)
    return max(0, int(result.rowcount or 0))  # type: ignore[attr-defined]
