"""The SQLite engine's connections (db/sqlite_driver.py: a statement in one trip to the
connection's thread) give what SQLAlchemy and the repositories rely on: rows, row counts,
RETURNING, many rows at once, errors as SQLAlchemy's, and a connection that still works after
one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.engine import create_engine
from db.sqlite_driver import RESULT_UNREAD, OneTripConnection


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


def _unread(sql: str) -> str:
    """The statement as `.prefix_with(RESULT_UNREAD, dialect="sqlite")` writes it."""
    word, rest = sql.split(" ", 1)
    return f"{word} {RESULT_UNREAD} {rest}"


async def _trips(connection: AsyncConnection) -> list[str]:
    """Every trip the connection's thread makes from now on, by its first statement."""
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, OneTripConnection)
    trips: list[str] = []
    execute: Any = driver._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(fn.__name__)
        return await execute(fn, *args, **kwargs)

    driver._execute = counted  # type: ignore[method-assign]
    return trips


async def test_an_unread_write_goes_with_the_commit(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO pupils (name, grade) VALUES ('Аня', 9)"))
        await connection.commit()
        trips = await _trips(connection)
        await connection.execute(text("SELECT grade FROM pupils"))  # BEGIN goes with it
        await connection.execute(text(_unread("UPDATE pupils SET grade = :g")), {"g": 10})
        await connection.commit()
        assert trips == ["_run", "_commit"]  # the UPDATE went with the commit
    async with engine.connect() as other:
        assert await other.scalar(text("SELECT grade FROM pupils")) == 10


async def test_an_unread_write_is_seen_by_the_next_statement_and_undone_by_rollback(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO pupils (name, grade) VALUES ('Аня', 9)"))
        await connection.commit()
        await connection.execute(text(_unread("UPDATE pupils SET grade = :g")), {"g": 11})
        assert await connection.scalar(text("SELECT grade FROM pupils")) == 11
        await connection.execute(text(_unread("UPDATE pupils SET grade = :g")), {"g": 5})
        await connection.rollback()
        assert await connection.scalar(text("SELECT grade FROM pupils")) == 9


async def test_an_unread_write_that_fails_fails_the_commit_and_keeps_nothing(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO pupils (name, grade) VALUES ('Аня', 9)"))
        await connection.execute(text("INSERT INTO pupils (name, grade) VALUES ('Боря', 9)"))
        await connection.commit()
        await connection.execute(text("UPDATE pupils SET grade = 10 WHERE name = 'Аня'"))
        # Боря renamed to Аня: a unique name taken, found only when the commit sends it.
        await connection.execute(
            text(_unread("UPDATE pupils SET name = :n WHERE name = 'Боря'")), {"n": "Аня"}
        )
        with pytest.raises(exc.IntegrityError):
            await connection.commit()
        await connection.rollback()
        rows = (await connection.execute(text("SELECT name, grade FROM pupils"))).all()
        assert sorted(rows) == [("Аня", 9), ("Боря", 9)]  # neither UPDATE kept
        await connection.rollback()
        await connection.execute(text("UPDATE pupils SET grade = 8"))
        await connection.commit()
        assert await connection.scalar(text("SELECT sum(grade) FROM pupils")) == 16


async def test_an_unread_write_is_not_put_off_where_told_not_to(engine: AsyncEngine) -> None:
    """A group commit's shared connection (db/uow.py) sends it at once: its error is its own
    writer's, not that of whoever sends the next statement."""
    async with engine.connect() as connection:
        await connection.execute(text("INSERT INTO pupils (name, grade) VALUES ('Аня', 9)"))
        await connection.execute(text("INSERT INTO pupils (name, grade) VALUES ('Боря', 9)"))
        await connection.commit()
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)
        raw.driver_connection.defer_unread = False
        with pytest.raises(exc.IntegrityError):
            await connection.execute(
                text(_unread("UPDATE pupils SET name = :n WHERE name = 'Боря'")), {"n": "Аня"}
            )
        await connection.rollback()
