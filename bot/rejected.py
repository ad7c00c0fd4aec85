"""Where the updates the bot cannot read are set aside: an update from Telegram that aiogram's
models reject (bot/polling.py, bot/webhook.py) or a MAX update without the shape MAX documents
(bot/max/polling.py) is skipped, so it holds up nothing, and kept as a row of
`rejected_updates` for inspection.

The raw update holds personal data (the sender's name, the message's text), so the row names
its sender where the update says who that is (erased by /forget, listed by /mydata) and is
deleted `REJECTED_UPDATES_KEEP_DAYS` later (bot/scheduler.py); the log line names the update,
its problems and the row, never the update's content. One table for every process of a
deployment, instead of a file on each machine.

Keeping it must never stop the bot: a database that cannot take the row is logged and counted
(the row is "not kept"), and the poller goes on with the next update. `RejectedKeeper` does it
for one channel: it works out the sender and the problems, writes the row and logs the line,
and nothing it does raises. The Telegram poller hands the rows to it without waiting
(`keep_later`): one task writes them, a bounded queue at a time, and a clean stop waits for what
is queued; the webhook and MAX, whose updates are each in a task of their own, write at once
(`keep`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from db.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

T = TypeVar("T")


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
        try:
            text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
            async with self.uow_factory() as uow, uow.write():
                return await uow.rejected_updates.add(
                    channel=channel,
                    update_id=column_int(update_id),
                    user_id=column_int(user_id),
                    raw=text,
                    problems=problems,
                    now=self.clock(),
                )
        except Exception:  # the database is down or refuses (or JSON cannot hold it): go on
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


#: How many rejected updates may wait for the database (`RejectedKeeper.keep_later`); more are
#: logged and counted as not kept instead of piling up while the database is slow or down.
QUEUE_SIZE = 100
#: How many of an update's problems the log line names.
LOGGED_PROBLEMS = 5


@dataclass(frozen=True, slots=True)
class Rejection:
    """An update the bot cannot read, as it came, with what is wrong and its id (when it has one
    that a column holds)."""

    raw: Any
    error: Exception
    update_id: int | None = None


class RejectedKeeper:
    """The rejected updates of one channel on their way to `rejected_updates`. For each: its
    sender (`sender(raw)`), its problems (`problems_of`), the row, and one log line, e.g.
    `update 101 skipped: aiogram cannot parse it (message.text: …); kept as rejected update 7`,
    which names the update (`name(rejection)`) but never its content. Nothing here raises: a
    part that fails is logged and left out, a row the database does not take is "not kept"
    (and `on_lost` counts it); `on_rejected` counts every update set aside. The lines go to
    `logger`.
    """

    def __init__(  # noqa: PLR0913 - keyword options
        self,
        rejected: RejectedUpdates,
        channel: str,
        *,
        reason: str,
        name: Callable[[Rejection], str],
        sender: Callable[[Any], int | None],
        on_rejected: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
        logger: logging.Logger = log,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.rejected = rejected
        self.channel = channel
        self.reason = reason
        self.name = name
        self.sender = sender
        self.on_rejected = on_rejected
        self.on_lost = on_lost
        #: Where the lines go (the channel's poller's logger).
        self.log = logger
        self._queue: asyncio.Queue[Rejection] = asyncio.Queue(queue_size)
        self._writer: asyncio.Task[None] | None = None

    async def keep(self, rejection: Rejection) -> int | None:
        """Set the update aside now: the row's id, or None when it was not kept."""
        self._count(self.on_rejected)
        return await self._write(rejection)

    def keep_later(self, rejection: Rejection) -> None:
        """Set the update aside without waiting for the database: the row is written by this
        keeper's task, in the order given. When `QUEUE_SIZE` of them are waiting already, it
        is logged and counted as not kept instead. Call `drain()` before the database closes.
        """
        self._count(self.on_rejected)
        try:
            self._queue.put_nowait(rejection)
        except asyncio.QueueFull:
            count = self._queue.maxsize
            self._not_kept(rejection, f"{count} rejected updates wait for the database already")
            return
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._work(), name=f"rejected {self.channel}")

    async def drain(self, seconds: float) -> None:
        """Wait for the rows queued by `keep_later` to be written, `seconds` at most;
        the ones still waiting then are logged and counted as not kept. Ends the task."""
        writer, self._writer = self._writer, None
        if writer is not None:
            if not writer.done():
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._queue.join(), seconds)
                writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        while not self._queue.empty():
            rejection = self._queue.get_nowait()
            self._queue.task_done()
            self._not_kept(rejection, "the bot stopped before the database took it")

    async def _work(self) -> None:
        while True:
            rejection = await self._queue.get()
            try:
                await self._write(rejection)
            except asyncio.CancelledError:
                raise
            except Exception:  # `_write` does not raise; if it did, the next row is written
                self.log.exception("could not set aside a rejected %s update", self.channel)
            finally:
                self._queue.task_done()

    async def _write(self, rejection: Rejection) -> int | None:
        name, problems = self._describe(rejection)
        sender = self._safely("sender", self.sender, rejection.raw, None)
        try:
            row = await self.rejected.keep(
                self.channel,
                rejection.raw,
                update_id=rejection.update_id,
                user_id=sender,
                problems=problems,
            )
        except asyncio.CancelledError:  # a stop that would not wait any longer
            self._log(name, problems, "not kept: the bot stopped before the database took it")
            self._count(self.on_lost)
            raise
        if row is None:
            self._log(name, problems, "not kept")
            self._count(self.on_lost)
        else:
            self._log(name, problems, f"kept as rejected update {row}")
        return row

    def _not_kept(self, rejection: Rejection, why: str) -> None:
        name, problems = self._describe(rejection)
        self._log(name, problems, f"not kept: {why}")
        self._count(self.on_lost)

    def _describe(self, rejection: Rejection) -> tuple[str, list[str]]:
        name = self._safely("name", self.name, rejection, "an update")
        problems = self._safely(
            "problems", problems_of, rejection.error, [type(rejection.error).__name__]
        )
        return name, problems

    def _log(self, name: str, problems: list[str], outcome: str) -> None:
        more = len(problems) - LOGGED_PROBLEMS
        self.log.error(
            "%s skipped: %s (%s%s); %s",
            name,
            self.reason,
            "; ".join(problems[:LOGGED_PROBLEMS]),
            f"; and {more} more" if more > 0 else "",
            outcome,
        )

    def _safely(self, what: str, part: Callable[[Any], T], argument: Any, otherwise: T) -> T:
        """`part(argument)`, or `otherwise` (logged) if it raises: a rejected update may be any
        shape, and a part that trips over it must not cost the rest."""
        try:
            return part(argument)
        except Exception:
            self.log.exception(
                "the %s of a rejected %s update could not be worked out", what, self.channel
            )
            return otherwise

    def _count(self, counter: Callable[[], None] | None) -> None:
        if counter is None:
            return
        try:
            counter()
        except Exception:
            self.log.exception("could not count a rejected %s update", self.channel)
