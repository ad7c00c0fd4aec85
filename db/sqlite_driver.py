"""aiosqlite connections that run a whole statement in one trip to their thread.

aiosqlite runs each sqlite3 call of a connection in that connection's own thread, and SQLAlchemy's
aiosqlite adapter makes four such calls per statement: create a cursor, execute, fetch all rows,
close the cursor. Each call is a trip: a future, a queue, the thread woken, the event loop woken
back through its self-pipe — 30-60 µs of the event loop's CPU per trip on this project's
machines, a quarter of a questionnaire answer's CPU (bench/bench_answer.py `--profile`).

`OneTripConnection.cursor()` gives a cursor that does the four in one trip: `execute` runs the
statement, fetches every row and closes the sqlite3 cursor in the thread, and hands back the rows,
the description, `rowcount` and `lastrowid`; `fetchall` and `close` then cost nothing. The
semantics are sqlite3's own (SQLAlchemy fetches every row of a non-streamed result anyway); a
streamed result (`Connection.stream`, not used by this project) would be held in memory whole.

It relies on `aiosqlite.Connection._execute` (queue a callable for the connection's thread),
which aiosqlite has had since its first release; the version is pinned in constraints.txt and
the whole test suite runs on this driver.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import URL

#: What one statement leaves behind: description, rowcount, lastrowid, rows.
_Outcome = tuple[Any, int, int | None, list[Any]]


#: Statements that return nothing and are sent with the next one, in its trip (`_DEFERRED`).
_DEFERRED = ("BEGIN", "SAVEPOINT ", "RELEASE SAVEPOINT ")

#: A write whose result (rows, rowcount) its caller never reads carries this comment, put in by
#: `.prefix_with(RESULT_UNREAD, dialect="sqlite")`: it is sent with the next statement or the
#: commit (`OneTripConnection.defer_unread`), so that a transaction ending with it costs one
#: trip less. Its error, if any, is raised by the statement or the commit it went with.
RESULT_UNREAD = "/* result unread */"
#: Where the comment is looked for: right after the statement's first word.
_UNREAD_WITHIN = 16 + len(RESULT_UNREAD)

#: A statement put off, and its parameters.
_Pending = tuple[str, Any]


def _run(
    connection: sqlite3.Connection,
    pending: list[_Pending],
    sql: str,
    parameters: Any,
    many: bool,
) -> _Outcome:
    """In the connection's thread: the statements put off, then this one, all its rows, and
    its cursor closed."""
    cursor = connection.cursor()
    try:
        for earlier, earlier_parameters in pending:
            cursor.execute(earlier, earlier_parameters)
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description is not None else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The cursor SQLAlchemy's adapter drives (`__aenter__`, `execute`, `fetchall`, `close`,
    `description`, `rowcount`, `lastrowid`), one trip per statement."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._rows = []

    async def _trip(self, sql: str, parameters: Any, many: bool) -> OneTripCursor:
        connection = self._connection
        if not many and (
            (not parameters and sql.startswith(_DEFERRED))
            or (connection.defer_unread and sql.find(RESULT_UNREAD, 0, _UNREAD_WITHIN) > 0)
        ):
            connection.pending.append((sql, parameters))
            self.description, self.rowcount, self.lastrowid, self._rows = None, -1, None, []
            return self
        pending, connection.pending = connection.pending, []
        trip: Callable[..., Awaitable[_Outcome]] = connection._execute
        outcome = await trip(_run, connection._conn, pending, sql, parameters, many)
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        return await self._trip(sql, () if parameters is None else parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        return await self._trip(sql, parameters, True)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        size = self.arraysize if size is None else size
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    """Also puts off the statements that open a transaction or a savepoint, or release one
    (`_DEFERRED`), and sends them with the next statement, or with the commit: a read is one
    trip (BEGIN and its SELECT), and a writer in a group commit (db/uow.py) does not pay two
    trips for its savepoint. An error of such a statement (BEGIN IMMEDIATE waiting longer than
    busy_timeout for another process's write) is raised by the statement it was sent with.
    A rollback drops them: it undoes what they would have begun.

    So are writes marked `RESULT_UNREAD` while `defer_unread` is set (a connection of its own
    transaction). A group commit's shared connection clears it: there the next statement may
    be another writer's, which must not get this one's error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: list[_Pending] = []
        self.defer_unread = True

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def commit(self) -> None:
        pending, self.pending = self.pending, []
        trip: Callable[..., Awaitable[None]] = self._execute
        await trip(_commit, self._conn, pending)

    async def rollback(self) -> None:
        self.pending = []
        await super().rollback()


def _commit(connection: sqlite3.Connection, pending: list[_Pending]) -> None:
    """The statements put off, then COMMIT. One of them failing ends the transaction undone
    (SQLAlchemy takes a failed commit for an ended transaction, as PostgreSQL's is)."""
    try:
        for earlier, parameters in pending:
            connection.execute(earlier, parameters)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def connector(url: URL) -> Callable[[], Coroutine[Any, Any, OneTripConnection]]:
    """`async_creator` for `create_async_engine`: the file and options SQLAlchemy's own
    aiosqlite dialect would open for `url`, on a `OneTripConnection`."""
    dialect = url.get_dialect()()
    args, options = dialect.create_connect_args(url)

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, *args, **options), 64)
        # As SQLAlchemy does for aiosqlite: the thread never keeps the process alive.
        connection._thread.daemon = True
        await connection
        return connection

    return connect
