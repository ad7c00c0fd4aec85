"""The SQLite engine's connections (db/sqlite_driver.py: a statement in one trip to the
connection's thread) give what SQLAlchemy and the repositories rely on: rows, row counts,
RETURNING, many rows at once, errors as SQLAlchemy's, and a connection that still works after
one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.sqlite_driver import OneTripConnection


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE pupils (id INTEGER PRIMARY KEY, name TEXT UNIQUE, grade INT)")
        )
    yield engine
    await engine.dispose()


async def test_the_engine_runs_on_one_trip_connections(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)


async def test_rows_counts_and_returning(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(
            text("INSERT INTO pupils (name, grade) VALUES (:name, :grade) RETURNING id"),
            {"name": "Аня", "grade": 9},
        )
        assert inserted.scalar_one() == 1
        many = await connection.execute(
            text("INSERT INTO pupils (name, grade) VALUES (:name, :grade)"),
            [{"name": f"Ученик {i}", "grade": 8 + i % 4} for i in range(50)],
        )
        assert many.rowcount == 50
        moved = await connection.execute(
            text("UPDATE pupils SET grade = grade + 1 WHERE grade = 9")
        )
        assert moved.rowcount == 14  # Аня and the 13 of the 50 in grade 9
        nobody = await connection.execute(text("SELECT name FROM pupils WHERE grade > 100"))
        assert nobody.all() == []
        assert await connection.scalar(text("SELECT count(*) FROM pupils")) == 51
        names = (await connection.execute(text("SELECT name FROM pupils ORDER BY id"))).scalars()
        assert names.all()[:2] == ["Аня", "Ученик 0"]


async def test_an_error_is_sqlalchemys_and_the_connection_goes_on(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO pupils (name) VALUES ('Аня')"))
        await connection.commit()
        with pytest.raises(exc.IntegrityError):
            await connection.execute(text("INSERT INTO pupils (name) VALUES ('Аня')"))
        await connection.rollback()
        with pytest.raises(exc.OperationalError):
            await connection.execute(text("SELECT no_such_column FROM pupils"))
        await connection.rollback()
        await connection.execute(text("INSERT INTO pupils (name) VALUES ('Боря')"))
        await connection.commit()
        assert await connection.scalar(text("SELECT count(*) FROM pupils")) == 2
