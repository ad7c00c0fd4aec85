"""Unit of work: the repositories of one session and the one place that commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    AsyncTransaction,
    async_sessionmaker,
)

from db.connection import forget, keep
from db.engine import LIGHT_OPTION, WRITE_OPTION
from db.repositories import (
    AttemptRepository,
    BroadcastRepository,
    ConversationRepository,
    CoordinatorRepository,
    EventRepository,
    FamilyRepository,
    MaxMessageRepository,
    OrganisationRepository,
    OutboxRepository,
    RegistrationRepository,
    StatsRepository,
    StepRepository,
    SubscriptionRepository,
    TeacherRepository,
    UserRepository,
)
from db.repositories.broadcast_files import BroadcastFileRepository
from db.repositories.consultations import ConsultationRepository
from db.repositories.content_files import ContentFileRepository
from db.repositories.rejected_updates import RejectedUpdateRepository
from db.repositories.updates import UpdateRepository
from db.sqlite_driver import OneTripConnection

R = TypeVar("R")


class _Repository(Generic[R]):
    """A unit of work's repository, made the first time it is used, in the session of the
    moment, and kept in the instance until the session changes (`UnitOfWork._bind`)."""

    def __init__(self, make: Callable[[AsyncSession], R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _Repository[R]: ...

    @overload
    def __get__(self, uow: UnitOfWork, owner: type) -> R: ...

    def __get__(self, uow: UnitOfWork | None, owner: type) -> R | _Repository[R]:
        if uow is None:
            return self
        repository = self._make(uow.session)
        uow.__dict__[self._name] = repository
        uow._made.append(self._name)
        return repository


class UnitOfWork:
    """Opened once per update. Reads run in short read transactions; every change runs in
    `async with uow.write():`, which commits at its end, so no transaction is ever held open
    while the bot talks to Telegram.
    """

    #: The repositories, each made on first use in the unit of work's session (most updates
    #: need one or two of them).
    users = _Repository(UserRepository)
    organisations = _Repository(OrganisationRepository)
    attempts = _Repository(AttemptRepository)
    steps = _Repository(StepRepository)
    coordinators = _Repository(CoordinatorRepository)
    events = _Repository(EventRepository)
    registrations = _Repository(RegistrationRepository)
    outbox = _Repository(OutboxRepository)
    broadcasts = _Repository(BroadcastRepository)
    broadcast_files = _Repository(BroadcastFileRepository)
    conversations = _Repository(ConversationRepository)
    subscriptions = _Repository(SubscriptionRepository)
    consultations = _Repository(ConsultationRepository)
    content_files = _Repository(ContentFileRepository)
    max_messages = _Repository(MaxMessageRepository)
    stats = _Repository(StatsRepository)
    teachers = _Repository(TeacherRepository)
    family = _Repository(FamilyRepository)
    updates = _Repository(UpdateRepository)
    rejected_updates = _Repository(RejectedUpdateRepository)

    def __init__(self, session: AsyncSession, writers: WriteQueue | None = None) -> None:
        self._writers = writers
        self._made: list[str] = []
        #: In an open `write()` (a nested one raises).
        self._writing = False
        self.session = session

    def _bind(self, session: AsyncSession) -> None:
        """The session the repositories work in (a group commit's member has its own for the
        length of its write). A repository is made on first use (`_Repository`)."""
        for name in self._made:
            del self.__dict__[name]
        self._made.clear()
        self.session = session

    @asynccontextmanager
    async def write(self, *, durable: bool = True) -> AsyncIterator[Self]:
        """A write transaction: SQLite takes its write lock up front (BEGIN IMMEDIATE),
        PostgreSQL relies on the repositories' row locks. Commits on success, rolls back on error.

        `durable=False` (the claim of an update, bot/middlewares.py): the commit does not wait
        for the disk — SQLite's `synchronous=NORMAL`, PostgreSQL's `synchronous_commit` off.
        It survives the process being killed, not a power cut; the next durable commit flushes
        it too.

        On SQLite the writers of this process queue on `writers` (`WriteQueue`: one writer at
        a time is all SQLite allows), and writers that find others waiting are committed in a
        group: each in a savepoint of one transaction, with one commit (one fsync) for all. A
        writer's `write()` returns only once its group is committed, so what it wrote is on
        disk as before; one that fails rolls back to its savepoint and leaves the others be.

        A write inside an open write of the same unit of work raises RuntimeError: on SQLite it
        would wait on the queue for itself for ever, on PostgreSQL its `end_read` would roll back
        the outer write's changes. On SQLite so does a write of another unit of work made in the
        task that holds the queue (`WriteQueue.enter`).
        """
        if self._writing:
            raise RuntimeError("uow.write() inside an open write of the same unit of work")
        self._writing = True
        try:
            queue = self._writers
            if queue is not None and queue.closed:
                queue = None  # after `WriteQueue.aclose`: a transaction of its own, unqueued
            group = await queue.enter(durable) if queue is not None else None
            if group is None:
                try:
                    async with self._own_transaction(durable):
                        yield self
                finally:
                    if queue is not None:
                        queue.leave()
                return
            assert queue is not None
            committed: asyncio.Future[None] | None = None
            try:
                await self.end_read()
                outer = self.session
                member = AsyncSession(
                    bind=group.connection,
                    join_transaction_mode="create_savepoint",
                    expire_on_commit=False,
                    autoflush=False,
                )
                self._bind(member)
                try:
                    try:
                        yield self
                    except BaseException:
                        await member.rollback()  # to its savepoint: the group goes on without it
                        raise
                    await member.commit()  # its savepoint released into the group
                finally:
                    await member.close()
                    self._bind(outer)
            finally:
                committed = await queue.leave_group(group)
            if committed is not None:
                await asyncio.shield(committed)
        finally:
            self._writing = False

    @asynccontextmanager
    async def _own_transaction(self, durable: bool) -> AsyncIterator[None]:
        await self.end_read()
        options = {WRITE_OPTION: True, LIGHT_OPTION: not durable}
        connection = await self.session.connection(execution_options=options)
        if not durable and connection.dialect.name == "postgresql":
            await self.session.execute(_LIGHT_COMMIT)
        keep(self.session, connection)
        try:
            try:
                yield
            except BaseException:
                await self.session.rollback()
                raise
            await self.session.commit()
        finally:
            forget(self.session)

    async def end_read(self) -> None:
        """Close a read transaction, so no snapshot or connection is held across network I/O."""
        if self.session.in_transaction():
            await self.session.rollback()

    async def close(self) -> None:
        # A session outside a transaction holds no connection: nothing to give back (and
        # AsyncSession.close costs a greenlet switch, paid by every update).
        if self.session.in_transaction():
            await self.session.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class _Group:
    """Writers committed together: one connection, one transaction (BEGIN IMMEDIATE)."""

    def __init__(self, connection: AsyncConnection, transaction: AsyncTransaction) -> None:
        self.connection = connection
        self.transaction = transaction
        self.size = 0
        self.committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # A failed commit is raised in the writer that committed; the others may be gone.
        self.committed.add_done_callback(lambda f: f.cancelled() or f.exception())


class WriteQueue:
    """SQLite: this process's writers, one at a time, in order (an asyncio lock, instead of
    each polling the database file in SQLite's busy handler; other processes still queue on
    the file lock) — and committed in groups when they come at once.

    A writer that finds nobody waiting writes in a transaction of its own, as without a queue.
    One that finds others waiting (a burst: two hundred students tapping «Записаться» when an
    event opens) opens a group, or joins the one left open; when its write is done it leaves
    the group open for the next writer if one waits and the group is under `MOST`, and
    otherwise commits it. So a burst pays one fsync per group, not per writer, and a writer
    waits for at most `MOST` others' writes before its own is committed.

    A group's commit runs to its end whatever happens to the writer that started it (`_commit`),
    and `aclose` (at shutdown, before the engine is disposed) commits what is left open.
    """

    #: Writers in one group at most.
    MOST = 32

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._lock = asyncio.Lock()
        #: The writer's task holding the lock (its own writes must not wait for it).
        self._holder: asyncio.Task[Any] | None = None
        self._waiting = 0
        self._group: _Group | None = None
        self._closers: set[asyncio.Task[None]] = set()
        #: After `aclose`: writers write in transactions of their own, outside the queue.
        self.closed = False

    async def enter(self, durable: bool) -> _Group | None:
        """Wait for this writer's turn (holding the lock on return): the group to write in, or
        None to write in a transaction of its own. A writer that will not join the group left
        open (a light one, or the group is full) commits it first.

        Raises RuntimeError in the task holding the lock (a write inside its own write would
        wait for itself for ever). A task awaiting, inside its write, another task that writes
        still waits for ever: that cannot be told from a task that merely runs meanwhile."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a write inside a write of the same task would wait for itself")
        self._waiting += 1
        try:
            await self._lock.acquire()
        except BaseException:
            self._waiting -= 1
            self._close_soon()  # a writer that left its group open for this one waits on it
            raise
        self._waiting -= 1
        self._holder = task
        try:
            group = self._group
            if group is not None and (not durable or group.size >= self.MOST):
                await self._commit(group)
                group = None
            if group is None and durable and self._waiting > 0:
                group = self._group = await self._open()
            if group is not None:
                group.size += 1
            return group
        except BaseException:
            self._release()
            raise

    def leave(self) -> None:
        """The end of a writer's own transaction."""
        self._release()

    async def leave_group(self, group: _Group) -> asyncio.Future[None] | None:
        """The end of a member's write: the group is left open for the next writer waiting
        (returns the future of its commit to wait for), or committed now (returns None)."""
        try:
            if self._waiting > 0 and group.size < self.MOST:
                return group.committed
            await self._commit(group)
            return None
        finally:
            self._release()

    def _release(self) -> None:
        self._holder = None
        self._lock.release()

    async def aclose(self) -> None:
        """At shutdown, before the engine is disposed: wait for the writers already queued,
        commit a group left open, and wait for the tasks committing one (`_close_soon`). Writers
        that come after it write in transactions of their own, outside the queue (as another
        process's writers do: SQLite's busy handler queues them), so an update still being
        handled keeps its write."""
        self.closed = True
        async with self._lock:
            if self._group is not None:
                await self._commit(self._group)
        while self._closers:
            await asyncio.gather(*self._closers, return_exceptions=True)

    async def _open(self) -> _Group:
        connection = await self._engine.connect()
        try:
            await connection.execution_options(**{WRITE_OPTION: True})
            _defer_unread(await connection.get_raw_connection(), False)
            transaction = await connection.begin()
            # BEGIN IMMEDIATE is sent now, not with the first member's statement
            # (db/sqlite_driver.py), so a lock that cannot be had fails here, before any member.
            await connection.exec_driver_sql("SELECT 1")
        except BaseException:
            await _close_group_connection(connection)
            raise
        return _Group(connection, transaction)

    async def _commit(self, group: _Group) -> None:
        """Commit the group and give its connection back, in a task of its own that this one
        waits for to its end even if cancelled meanwhile (a shutdown, a webhook request timed
        out): a COMMIT under way in aiosqlite's thread goes on anyway, so every member learns
        its real outcome, and the lock (held by the caller) is released only once SQLite is
        done. A cancelled caller gets its CancelledError after that."""
        self._group = None
        commit = asyncio.get_running_loop().create_task(_end_group(group))
        cancelled: asyncio.CancelledError | None = None
        while not commit.done():
            try:
                await asyncio.wait((commit,))
            except asyncio.CancelledError as error:
                cancelled = error
        if cancelled is not None:
            if not commit.cancelled():
                commit.exception()  # its error is the members'; this writer was cancelled
            raise cancelled
        commit.result()

    def _close_soon(self) -> None:
        """Commit the group left open, if nobody else does (its next writer went away)."""

        async def close() -> None:
            async with self._lock:
                if self._group is not None and self._waiting == 0:
                    await self._commit(self._group)

        task = asyncio.get_running_loop().create_task(close())
        self._closers.add(task)
        task.add_done_callback(self._closers.discard)


async def _end_group(group: _Group) -> None:
    """`WriteQueue._commit`'s task: the commit, its outcome to every member, the connection
    back to the pool."""
    try:
        raw = await group.connection.get_raw_connection()
        if not raw.driver_connection._conn.in_transaction:  # type: ignore[union-attr]
            # SQLite ended the transaction itself (a full disk, an I/O error): what the
            # members wrote is gone, and committing now would report it as saved.
            raise OperationalError("group commit", None, RuntimeError("transaction lost"))
        await group.transaction.commit()
    except BaseException as error:
        if isinstance(error, asyncio.CancelledError):
            group.committed.cancel()  # the event loop is being torn down
        else:
            group.committed.set_exception(error)
        with suppress(Exception):
            await _close_group_connection(group.connection)
        raise
    group.committed.set_result(None)
    await _close_group_connection(group.connection)


def _defer_unread(raw: Any, on: bool) -> None:
    """Whether the connection's writes marked RESULT_UNREAD wait for its next trip
    (db/sqlite_driver.py): not on a group's connection, where the next statement may be
    another member's."""
    driver = getattr(raw, "driver_connection", None)
    if isinstance(driver, OneTripConnection):
        driver.defer_unread = on


async def _close_group_connection(connection: AsyncConnection) -> None:
    """Back to the pool as a connection of its own transactions again."""
    try:
        _defer_unread(await connection.get_raw_connection(), True)
    finally:
        await connection.close()


_LIGHT_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


class UnitOfWorkFactory:
    """Units of work on one database; `serialize_writes` (SQLite) queues this process's
    writers and commits them in groups (`WriteQueue`, see `UnitOfWork.write`)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, serialize_writes: bool = False
    ) -> None:
        self._sessions = sessions
        engine = sessions.kw.get("bind")
        self._writers = (
            WriteQueue(engine) if serialize_writes and isinstance(engine, AsyncEngine) else None
        )

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessions(), self._writers)

    async def aclose(self) -> None:
        """At shutdown, before the engine is disposed: the writers queued and the group left
        open committed (`WriteQueue.aclose`)."""
        if self._writers is not None:
            await self._writers.aclose()
