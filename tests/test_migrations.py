"""Every migration goes up, down and up again, and the result matches the models."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    JSON,
    BigInteger,
    SmallInteger,
    String,
    TableClause,
    column,
    inspect,
    select,
    table,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import ColumnClause

from db import migrate
from db.base import Base, UTCDateTime
from db.engine import create_engine

TABLES = {
    "broadcasts",
    "broadcast_files",
    "max_messages",
    "subscriptions",
    "organisations",
    "users",
    "quiz_attempts",
    "steps",
    "coordinators",
    "invites",
    "events",
    "registrations",
    "outbox",
    "conversation_state",
    "consultations",
    "content_files",
    "roster",
    "term_indicators",
    "survey_answers",
    "parent_links",
    "family_invites",
    "update_claims",
    "rejected_updates",
}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == TABLES
        await migrate.downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set()
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == TABLES
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


# Tables as the migrations leave them (not as the models are now), for data tests.
USERS = table(
    "users",
    column("id", BigInteger),
    column("consent_version", String),
    column("consent_at", UTCDateTime),
    column("created_at", UTCDateTime),
    column("updated_at", UTCDateTime),
)


def _attempts(*more: ColumnClause[object]) -> TableClause:
    return table(
        "quiz_attempts",
        column("id", BigInteger),
        column("user_id", BigInteger),
        column("quiz_id", String),
        column("quiz_version", String),
        column("answers", JSON),
        column("position", SmallInteger),
        column("started_at", UTCDateTime),
        column("updated_at", UTCDateTime),
        column("reminded_at", UTCDateTime),
        *more,
    )


ATTEMPTS_0001 = _attempts()
ATTEMPTS_0002 = _attempts(column("reminder_claimed_at", UTCDateTime))
SENT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
CLAIMED = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


async def test_reminder_lease_migration_keeps_what_was_sent_and_what_was_claimed(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine, "0001")
        async with engine.begin() as connection:
            for attempt_id, reminded in ((1, SENT), (2, None)):
                await connection.execute(
                    USERS.insert().values(
                        id=attempt_id,
                        consent_version="1",
                        consent_at=SENT,
                        created_at=SENT,
                        updated_at=SENT,
                    )
                )
                await connection.execute(
                    ATTEMPTS_0001.insert().values(
                        id=attempt_id,
                        user_id=attempt_id,
                        quiz_id="klimov",
                        quiz_version="1",
                        answers=[None] * 20,
                        position=0,
                        started_at=SENT,
                        updated_at=SENT,
                        reminded_at=reminded,
                    )
                )
        await migrate.upgrade(engine, "0004")  # the last revision with the claim column
        assert await _reminders(engine, ATTEMPTS_0002) == {1: (SENT, None), 2: (None, None)}

        async with engine.begin() as connection:  # attempt 2 claimed, not yet sent
            await connection.execute(
                update(ATTEMPTS_0002)
                .where(ATTEMPTS_0002.c.id == 2)
                .values(reminder_claimed_at=CLAIMED)
            )
        await migrate.downgrade(engine, "0001")
        assert await _reminders(engine, ATTEMPTS_0001) == {1: (SENT,), 2: (CLAIMED,)}
        await migrate.upgrade(engine, "0004")  # the last revision with the claim column
        if engine.dialect.name == "sqlite":  # a rebuilt table must still never reuse an id
            async with engine.connect() as connection:
                schema = await connection.scalar(
                    text("SELECT sql FROM sqlite_master WHERE name = 'quiz_attempts'")
                )
            assert "AUTOINCREMENT" in str(schema)
    finally:
        await migrate.downgrade(engine, "base")
        await engine.dispose()


async def _reminders(engine: AsyncEngine, attempts: TableClause) -> dict[int, tuple[object, ...]]:
    reminder_columns = [c for c in attempts.c if c.name.startswith("remind")]
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(attempts.c.id, *reminder_columns).order_by(attempts.c.id)
        )
        return {row[0]: tuple(row[1:]) for row in rows}
