"""Claims of the updates a process handles (`update_claims`): one update, one handling, across
every process on the database (see bot/middlewares.py `OncePerUpdate`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import UpdateClaim


class Claim(StrEnum):
    """What `claim` found."""

    #: Ours now: a new update, or one whose claim lapsed (its process died midway).
    TAKEN = "taken"
    #: Handled already, by this process or another.
    DONE = "done"
    #: Another delivery of it is being handled (its claim is being renewed).
    IN_HAND = "in_hand"


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, channel: str, update_id: int, token: int, now: datetime, lapsed: datetime
    ) -> Claim:
        """Take the update in hand for `token`: one INSERT … ON CONFLICT that inserts the claim,
        or takes over a claim that was never finished and not renewed since `lapsed`. Only when
        neither happened (a redelivery) is the row read, to tell done from in hand."""
        dialect = self._session.get_bind().dialect.name
        if dialect not in _CLAIMS:
            _CLAIMS[dialect] = _claim(dialect)
        statement = _CLAIMS[dialect]
        params = {"channel": channel, "update_id": update_id, "token": token}
        params |= {"now": now, "lapsed": lapsed}
        if (await self._session.execute(statement, params)).first() is not None:
            return Claim.TAKEN
        done_at = await self._session.scalar(
            select(UpdateClaim.done_at).where(
                UpdateClaim.channel == channel, UpdateClaim.update_id == update_id
            )
        )
        return Claim.DONE if done_at is not None else Claim.IN_HAND

    async def renew(
        self, channel: str, update_ids: Collection[int], token: int, now: datetime
    ) -> None:
        """Keep the claims of updates still in hand from lapsing."""
        await self._session.execute(
            update(UpdateClaim)
            .where(
                UpdateClaim.channel == channel,
                UpdateClaim.update_id.in_(list(update_ids)),
                UpdateClaim.token == token,
                UpdateClaim.done_at.is_(None),
            )
            .values(claimed_at=now)
        )

    async def complete(
        self, channel: str, update_ids: Collection[int], token: int, now: datetime
    ) -> None:
        """Their handling ended: a later delivery is skipped."""
        await self._session.execute(
            update(UpdateClaim)
            .where(
                UpdateClaim.channel == channel,
                UpdateClaim.update_id.in_(list(update_ids)),
                UpdateClaim.token == token,
            )
            .values(done_at=now)
        )

    async def release(self, channel: str, update_id: int, token: int) -> None:
        """The handling failed or was cut short: a redelivery is handled again at once."""
        await self._session.execute(
            delete(UpdateClaim).where(
                UpdateClaim.channel == channel,
                UpdateClaim.update_id == update_id,
                UpdateClaim.token == token,
                UpdateClaim.done_at.is_(None),
            )
        )

    async def prune(self, before: datetime) -> int:
        """Forget the claims made before `before` (Telegram no longer redelivers those)."""
        result = await self._session.execute(
            delete(UpdateClaim).where(UpdateClaim.claimed_at < before)
        )
        return max(0, int(result.rowcount or 0))  # type: ignore[attr-defined]


#: The claim's statement of each dialect, built once (it runs for every update).
_CLAIMS: dict[str, Any] = {}


def _claim(dialect: str) -> Any:
    table = UpdateClaim.__table__
    stamp = UpdateClaim.claimed_at.type
    module = postgresql if dialect == "postgresql" else sqlite
    insert = module.insert(table).values(
        channel=bindparam("channel"),
        update_id=bindparam("update_id"),
        token=bindparam("token"),
        claimed_at=bindparam("now", type_=stamp),
        done_at=None,
    )
    return insert.on_conflict_do_update(
        index_elements=[table.c.channel, table.c.update_id],
        set_={"token": insert.excluded.token, "claimed_at": insert.excluded.claimed_at},
        where=table.c.done_at.is_(None) & (table.c.claimed_at < bindparam("lapsed", type_=stamp)),
    ).returning(table.c.token)
