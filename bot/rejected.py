"""Where the updates the bot cannot read are set aside: an update from Telegram that aiogram's
models reject (bot/polling.py, bot/webhook.py) or a MAX update without the shape MAX documents
(bot/max/polling.py) is skipped, so it holds up nothing, and kept as a row of
`rejected_updates` for inspection.

The raw update holds personal data (the sender's name, the message's text), so the row names
its sender where the update says who that is (erased by /forget, listed by /mydata) and is
deleted `REJECTED_UPDATES_KEEP_DAYS` later (bot/scheduler.py); the log line names the update,
its problems and the row, never the update's content. One table for every process of a
deployment, instead of a file on each machine.

Keeping it must never stop the bot: a database that cannot take the row is logged, and the
poller goes on with the next update.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from db.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RejectedUpdates:
    """The app's `rejected_updates` table, for the pollers and the webhook."""

    uow_factory: UnitOfWorkFactory
    clock: Callable[[], datetime]

    async def keep(
        self,
        channel: str,
        raw: Any,
        *,
        update_id: Any,
        user_id: Any,
        problems: Sequence[str],
    ) -> int | None:
        """Write the row; its id, or None (logged) when the database would not take it.
        `update_id` and `user_id` are kept when they are integers (the update may be wrong
        there too)."""
        text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
        try:
            async with self.uow_factory() as uow, uow.write():
                return await uow.rejected_updates.add(
                    channel=channel,
                    update_id=column_int(update_id),
                    user_id=column_int(user_id),
                    raw=text,
                    problems=problems,
                    now=self.clock(),
                )
        except Exception:  # the database is down or refuses: the bot goes on regardless
            log.exception(
                "could not keep the rejected %s update %s in the database", channel, update_id
            )
            return None


def dig(raw: Any, *keys: str) -> Any:
    """The value at the path `keys` in nested dicts of `raw`, None where the path breaks."""
    value = raw
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def column_int(value: Any) -> int | None:
    """`value` if it is an integer a BIGINT column holds (an update's id, a user's), else None:
    a rejected update may carry anything there."""
    if isinstance(value, int) and not isinstance(value, bool) and -_BIGINT < value < _BIGINT:
        return value
    return None


_BIGINT = 2**63


def problems_of(error: Exception) -> list[str]:
    """What is wrong with an update, one line per field, without the values (they are in the
    raw update)."""
    if not isinstance(error, ValidationError):
        return [f"{type(error).__name__}: {error}"]
    return [
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    ]
