"""Engine and session factory for SQLite (default) and PostgreSQL.

SQLite is opened in WAL mode with foreign keys on and `synchronous=FULL` (a committed
registration survives a power cut). Transactions begin DEFERRED for reads and IMMEDIATE for
writes (see `UnitOfWork.write`), so a read-modify-write can never lose a concurrent update and
never fails half-way with "database is locked": writers queue on the lock (busy_timeout).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.sqlite_driver import connector

#: Execution option that marks a transaction as a writer (BEGIN IMMEDIATE on SQLite).
WRITE_OPTION = "profnavigator_write"
#: Execution option of a write whose commit need not wait for the disk (the claim of an update,
#: see `UnitOfWork.write(durable=False)`): SQLite commits it with `synchronous=NORMAL` (in WAL
#: mode it survives the process being killed, only not a power cut, and the next durable commit
#: flushes it with its own).
LIGHT_OPTION = "profnavigator_light"

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _prepare_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver: we emit BEGIN ourselves below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        writer = options.get(WRITE_OPTION, False)
        if writer:
            # Switched only when it changes (a claim, then a durable write, then a claim...).
            synchronous = "NORMAL" if options.get(LIGHT_OPTION, False) else "FULL"
            if connection.info.get("synchronous", "FULL") != synchronous:
                connection.exec_driver_sql(f"PRAGMA synchronous={synchronous}")
                connection.info["synchronous"] = synchronous
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def create_engine(url: str, *, echo: bool = False, **options: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Every unit of work ends its transaction itself (commit, or rollback on close), so the
        # pool's extra rollback when a connection comes back would only cost a thread hop.
        options.setdefault("pool_reset_on_return", None)
        # One trip to the connection's thread per statement, not four (db/sqlite_driver.py).
        options.setdefault("async_creator", connector(parsed))
        engine = create_async_engine(url, echo=echo, **options)
        _prepare_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, **options)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
