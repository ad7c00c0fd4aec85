"""Long polling that one update aiogram cannot parse does not stall.

aiogram's own polling asks for a batch of updates as `list[Update]`; when a single update in
it fails aiogram's models (Telegram has sent such: a story in `external_reply` without its
fields, aiogram issue 1587), the whole answer is rejected, and the same batch is asked for
again and again, with a growing pause, while everybody's messages wait behind it.

`Poller` asks for the batch as raw JSON and parses each update on its own. The updates that
parse are handled as aiogram does it (each in its own task, through `Dispatcher.feed_update`);
one that does not is logged (its id and problems), kept in the database for inspection
(bot/rejected.py: table `rejected_updates`) and skipped: the offset moves past it, so the
updates behind it are processed. Its row is written by a task of its own (`RejectedKeeper`),
so a slow or failing database holds up none of the updates behind it; a stop waits for it.

Whatever shape an update has (not an object, no `update_id`, one that is not a number…), the
offset moves past it: Telegram sends the updates from the offset on in the order of their
ids, so an update without a usable id has a higher one than the update before it (or than the
offset asked with), and the offset goes one past that at least. Only a first batch after the
start in which no update has an id cannot be passed that way; it is asked for again after a
pause (set aside once) until an update with an id arrives behind it.

The rest is as in `Dispatcher.start_polling`: the dispatcher's startup and shutdown hooks,
`allowed_updates` resolved from the handlers in use, pending updates kept (nothing dropped),
aiogram's back-off when getUpdates fails, and SIGINT/SIGTERM stop it cleanly: the updates in
hand are finished and confirmed to Telegram, so that they are not delivered again.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig
from pydantic import BaseModel, Field

from bot.rejected import RejectedKeeper, RejectedUpdates, Rejection, column_int, dig
from db.channels import TELEGRAM

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

log = logging.getLogger(__name__)

T = TypeVar("T")


class GetRawUpdates(TelegramMethod[list[Any]]):
    """getUpdates with the result left as raw JSON, so that each update is parsed on its own."""

    __returning__ = list[Any]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class Poller:
    """Long polling for one bot and one dispatcher. Run it once with `run()`; `stop()` (or
    SIGINT/SIGTERM with `handle_signals=True`) ends it.
    """

    #: How long a stop waits for the updates in hand; what is left then is cut short.
    shutdown_timeout = 30.0

    def __init__(  # noqa: PLR0913 - keyword options
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        rejected: RejectedUpdates,
        polling_timeout: int = 10,
        backoff_config: BackoffConfig = DEFAULT_BACKOFF_CONFIG,
        on_rejected: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        #: Where the updates that cannot be parsed are kept.
        self.rejected = rejected
        #: Writes their rows without holding up the batch; `on_rejected` is called for each
        #: update set aside, `on_lost` for each whose row was not kept (the metrics count them).
        self.keeper = telegram_keeper(rejected, on_rejected=on_rejected, on_lost=on_lost)
        self.polling_timeout = polling_timeout
        self.backoff_config = backoff_config
        #: The offset of the next getUpdates: one past the highest update_id received.
        self.offset: int | None = None
        #: The offset of the last getUpdates Telegram answered: what it knows is handled.
        self._confirmed: int | None = None
        self._stop = asyncio.Event()
        self._in_hand: dict[asyncio.Task[None], int] = {}
        #: How many updates at the head of Telegram's queue are set aside already while the
        #: offset is still unknown (a batch in which none had an id: asked for again).
        self._set_aside_ahead = 0

    def stop(self) -> None:
        """Stop polling: `run()` finishes the updates in hand and returns."""
        self._stop.set()

    async def run(
        self, *, handle_signals: bool = False, close_bot_session: bool = False, **kwargs: Any
    ) -> None:
        """Poll until `stop()`; `kwargs` are passed to the hooks and handlers like the keyword
        arguments of `Dispatcher.start_polling`.
        """
        data: dict[str, Any] = {
            "dispatcher": self.dispatcher,
            "bots": (self.bot,),
            **self.dispatcher.workflow_data,
            **kwargs,
        }
        data.pop("bot", None)
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with suppress(NotImplementedError):  # no signal handlers on Windows
                    loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            await self.dispatcher.emit_startup(bot=self.bot, **data)
            try:
                await self._poll(data)
            finally:
                await self._finish()
                await self.dispatcher.emit_shutdown(bot=self.bot, **data)
        finally:
            if handle_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    with suppress(NotImplementedError):
                        loop.remove_signal_handler(sig)
            if close_bot_session:
                await self.bot.session.close()

    def _on_signal(self, sig: signal.Signals) -> None:
        log.warning("%s received: finishing the updates in hand and stopping", sig.name)
        self.stop()

    # --- polling -------------------------------------------------------------------------------

    async def _poll(self, data: dict[str, Any]) -> None:
        me = await self.bot.me()
        allowed_updates = self.dispatcher.resolve_used_update_types()
        log.info("polling as @%s for %s", me.username, ", ".join(allowed_updates))
        backoff = Backoff(config=self.backoff_config)
        # Wait longer than the long poll itself, or every quiet poll would end in a timeout.
        request_timeout = int(self.bot.session.timeout + self.polling_timeout)
        while not self._stop.is_set():
            request = GetRawUpdates(
                offset=self.offset, timeout=self.polling_timeout, allowed_updates=allowed_updates
            )
            try:
                batch = await self._unless_stopped(self.bot(request, request_timeout))
            except Exception as error:
                delay = next(backoff)
                log.error(
                    "getUpdates failed %d time(s) in a row (%s: %s); next try in %.1f s",
                    backoff.counter,
                    type(error).__name__,
                    error,
                    delay,
                )
                await self._pause(delay)
                continue
            if batch is None:
                break  # stopped while waiting for updates
            self._confirmed = request.offset
            if backoff.counter:
                log.info("getUpdates works again after %d failed tries", backoff.counter)
                backoff.reset()
            if not self._take(batch, data):
                # Nothing in the batch had an update_id: asking again brings the same batch.
                await self._pause(next(backoff))
        log.info("polling stopped")

    async def _unless_stopped(self, request: Awaitable[T]) -> T | None:
        """The request's result, or None if `stop()` came first (the request is then cancelled).
        An answer that arrives together with the stop is still taken: its updates are in hand.
        """
        fetch = asyncio.ensure_future(request)
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (fetch, stopped):
                if not task.done():
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
        if fetch.cancelled():
            return None
        return fetch.result()

    async def _pause(self, delay: float) -> None:
        """Sleep, but wake up at once on `stop()`."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=delay)

    def _take(self, batch: list[Any], data: dict[str, Any]) -> bool:
        """Start handling each update of the batch that parses and set the others aside,
        without waiting for either, and move the offset past all of them. False if the batch
        was not empty but the offset could not move (no update in it had an id to go by).
        """
        offset = self.offset
        ahead = self._set_aside_ahead if offset is None else 0
        # An id the update at hand has at least (Telegram sends the updates from the offset on,
        # each with a higher id than the one before it); the offset goes one past it.
        floor = None if offset is None else offset - 1
        for index, raw in enumerate(batch):
            try:
                update: Update | None = read_update(raw, self.bot)
                error: Exception | None = None
            except Exception as refused:  # a ValidationError, or a bug in a validator
                update, error = None, refused
            update_id = update.update_id if update is not None else raw_update_id(raw)
            if update_id is not None and (floor is None or update_id > floor):
                floor = update_id
            elif floor is not None:
                floor += 1  # no id to go by (or one out of order): one above the last at least
            if floor is not None:
                self.offset = floor + 1
            if index < ahead:
                continue  # set aside when the same batch came before
            try:
                if update is not None:
                    self._start(update, data)
                elif error is not None:
                    self.keeper.keep_later(Rejection(raw, error, update_id))
            except Exception:  # nothing of one update may stop the others or the polling
                log.exception("update %s could not be taken; skipped", update_id)
        self._set_aside_ahead = len(batch) if self.offset is None else 0
        return not batch or self.offset != offset

    def _start(self, update: Update, data: dict[str, Any]) -> None:
        task = asyncio.create_task(self._handle(update, data))
        self._in_hand[task] = update.update_id
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._in_hand.pop(task, None)

    async def _handle(self, update: Update, data: dict[str, Any]) -> None:
        try:
            response = await self.dispatcher.feed_update(self.bot, update, **data)
            if isinstance(response, TelegramMethod):  # a handler's answer meant for a webhook
                await self.dispatcher.silent_call_request(self.bot, response)
        except Exception:
            log.exception("update %d failed", update.update_id)

    # --- shutdown ------------------------------------------------------------------------------

    async def _finish(self) -> None:
        """Let the updates in hand finish and the rejected ones be written (for
        `shutdown_timeout` seconds at most), then confirm to Telegram the ones handled, so that a
        restart does not deliver them again.
        """
        await asyncio.gather(self._finish_in_hand(), self.keeper.drain(self.shutdown_timeout))

    async def _finish_in_hand(self) -> None:
        unfinished: list[int] = []
        if self._in_hand:
            log.info("finishing %d update(s) in hand", len(self._in_hand))
            tasks = dict(self._in_hand)
            _, pending = await asyncio.wait(tasks, timeout=self.shutdown_timeout)
            for task in pending:
                task.cancel()
            if pending:
                unfinished = [tasks[task] for task in pending]
                log.warning(
                    "%d update(s) cut short; Telegram will deliver them again", len(pending)
                )
                await asyncio.gather(*pending, return_exceptions=True)
        offset = min(unfinished) if unfinished else self.offset
        if offset is None or (self._confirmed is not None and offset <= self._confirmed):
            return  # Telegram knows already
        try:
            # Only updates below the offset are confirmed; the one this returns (if any) is not.
            await self.bot(GetRawUpdates(offset=offset, limit=1, timeout=0))
        except Exception as error:
            log.warning(
                "could not confirm the handled updates (%s: %s)", type(error).__name__, error
            )
        else:
            self._confirmed = offset


class UpdateId(BaseModel):
    """The update ids the bot takes: those a BIGINT column (and getUpdates' offset) holds."""

    update_id: Annotated[int, Field(gt=-(2**63), lt=2**63)]


def read_update(raw: Any, bot: Bot) -> Update:
    """The update in `raw` as aiogram reads it; a ValidationError if it cannot, or if its
    update_id is out of range. The poller and the webhook (bot/webhook.py) read them so."""
    update = Update.model_validate(raw, context={"bot": bot})
    UpdateId.model_validate({"update_id": update.update_id})
    return update


def raw_update_id(raw: Any) -> int | None:
    """The update_id of an update that could not be read, where it has one to go by: an
    integer a column holds, or one written as a string of digits (as aiogram would read it)."""
    value = dig(raw, "update_id")
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        value = int(value)
    return column_int(value)


def telegram_keeper(
    rejected: RejectedUpdates,
    *,
    on_rejected: Callable[[], None] | None = None,
    on_lost: Callable[[], None] | None = None,
) -> RejectedKeeper:
    """Where Telegram's updates that aiogram cannot parse are set aside: kept in
    `rejected_updates` with their sender (best effort, see `telegram_sender`) and problems,
    and logged with their id, the problems and the row's id (not their content: names and
    texts stay out of the logs). Used by the poller and by the webhook (bot/webhook.py)."""
    return RejectedKeeper(
        rejected,
        TELEGRAM,
        reason="aiogram cannot parse it",
        name=_telegram_name,
        sender=telegram_sender,
        on_rejected=on_rejected,
        on_lost=on_lost,
        logger=log,
    )


def _telegram_name(rejection: Rejection) -> str:
    if rejection.update_id is None:
        return "an update without a usable update_id"
    return f"update {rejection.update_id}"


async def keep_rejected(rejected: RejectedUpdates, raw: Any, error: Exception) -> int | None:
    """Set aside an update from Telegram that aiogram cannot parse, now (`telegram_keeper`):
    the row's id, or None if the database would not take it."""
    return await telegram_keeper(rejected).keep(Rejection(raw, error, raw_update_id(raw)))


def telegram_sender(raw: Any) -> int | None:
    """The Telegram user an update comes from, whatever its kind: the `from` of a message, an
    edited message, a callback query, a chat member change, a join request, an inline or
    shipping query…, or the `user` of a poll answer, a reaction, a business connection. None
    when it names nobody (a channel post, a poll) or not as a user id."""
    if not isinstance(raw, dict):
        return None
    for kind, event in raw.items():
        if kind == "update_id" or not isinstance(event, dict):
            continue
        for key in ("from", "user"):
            found = column_int(dig(event, key, "id"))
            if found is not None and found > 0:
                return found
    return None
