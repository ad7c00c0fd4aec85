"""The connection a session's statements run on, without asking the session each time.

`AsyncSession.connection()` is a trip through a greenlet and the session's transaction
machinery; a questionnaire answer's repositories asked for it twice per answer. While a unit of
work's write transaction is open (db/uow.py `UnitOfWork.write`), the connection it began with is
kept in the session's `info` and handed out from there.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

_KEY = "profnavigator_write_connection"


async def connection_of(session: AsyncSession) -> AsyncConnection:
    """The connection of the session's write transaction, else the session's own answer."""
    found = session.info.get(_KEY)
    if isinstance(found, AsyncConnection):
        return found
    return await session.connection()


def keep(session: AsyncSession, connection: AsyncConnection) -> None:
    """The write transaction began on `connection`."""
    session.info[_KEY] = connection


def forget(session: AsyncSession) -> None:
    """The write transaction ended (committed or rolled back)."""
    session.info.pop(_KEY, None)
