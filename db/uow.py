"""Unit of work: the repositories of one session and the one place that commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from types import TracebackType
from typing import Any, Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


class UnitOfWork:
    """Opened once per update. Reads run in short read transactions; every change runs in
    `async with uow.write():`, which commits at its end, so no transaction is ever held open
    while the bot talks to Telegram.
    """

    def __init__(self, session: AsyncSession, writers: asyncio.Lock | None = None) -> None:
        self.session = session
        self._writers: AbstractAsyncContextManager[Any] = writers or nullcontext()
        self.users = UserRepository(session)
        self.organisations = OrganisationRepository(session)
        self.attempts = AttemptRepository(session)
        self.steps = StepRepository(session)
        self.coordinators = CoordinatorRepository(session)
        self.events = EventRepository(session)
        self.registrations = RegistrationRepository(session)
        self.outbox = OutboxRepository(session)
        self.broadcasts = BroadcastRepository(session)
        self.broadcast_files = BroadcastFileRepository(session)
        self.conversations = ConversationRepository(session)
        self.subscriptions = SubscriptionRepository(session)
        self.consultations = ConsultationRepository(session)
        self.content_files = ContentFileRepository(session)
        self.max_messages = MaxMessageRepository(session)
        self.stats = StatsRepository(session)
        self.teachers = TeacherRepository(session)
        self.family = FamilyRepository(session)
        self.updates = UpdateRepository(session)
        self.rejected_updates = RejectedUpdateRepository(session)

    @asynccontextmanager
    async def write(self, *, durable: bool = True) -> AsyncIterator[Self]:
        """A write transaction: SQLite takes its write lock up front (BEGIN IMMEDIATE),
        PostgreSQL relies on the repositories' row locks. Commits on success, rolls back on error.

        `durable=False` (the claim of an update, bot/middlewares.py): the commit does not wait
        for the disk — SQLite's `synchronous=NORMAL`, PostgreSQL's `synchronous_commit` off.
        It survives the process being killed, not a power cut; the next durable commit flushes
        it too.

        On SQLite the writers of this process first queue on `writers` (one writer at a time
        is all SQLite allows): they are woken in order the moment the lock is free, instead of
        each polling the database file in SQLite's busy handler. Other processes still queue on
        the file lock.
        """
        async with self._writers:
            await self.end_read()
            options = {WRITE_OPTION: True, LIGHT_OPTION: not durable}
            connection = await self.session.connection(execution_options=options)
            if not durable and connection.dialect.name == "postgresql":
                await self.session.execute(_LIGHT_COMMIT)
            try:
                yield self
            except BaseException:
                await self.session.rollback()
                raise
            await self.session.commit()

    async def end_read(self) -> None:
        """Close a read transaction, so no snapshot or connection is held across network I/O."""
        if self.session.in_transaction():
            await self.session.rollback()

    async def close(self) -> None:
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


_LIGHT_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


class UnitOfWorkFactory:
    """Units of work on one database; `serialize_writes` (SQLite) queues this process's
    writers on one lock (see `UnitOfWork.write`)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, serialize_writes: bool = False
    ) -> None:
        self._sessions = sessions
        self._writers = asyncio.Lock() if serialize_writes else None

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self._sessions(), self._writers)
