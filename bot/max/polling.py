"""Long polling of MAX (`GET /updates` with its `marker`): each MAX update becomes the aiogram
`Update` Telegram would have sent, fed to the same dispatcher as Telegram's.

- `message_created` in a dialog: a message (its text, a file, a photo, a shared contact);
- `message_callback`: a callback query, its payload the button's callback data, on the message
  the button was on;
- `bot_started` (the user opened the bot, perhaps by a link `max.ru/<bot>?start=<code>`):
  the message `/start <code>`, as Telegram's deep links arrive;
- `bot_stopped`: the user is marked as blocked (services/channels.py), as after a refused send.

Other kinds are logged and skipped; an update that does not have the shape MAX documents
(whatever shape it has instead: not an object, fields of other types, numbers no column
holds…) is logged, kept in the table `rejected_updates` (bot/rejected.py) and skipped, so it
holds up nothing. Each update is handled in its own task, and nothing raised while one is read
or handled leaves that task (it is logged): the next batch is asked for with MAX's new marker
whatever the updates held. A stop finishes the ones in hand.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.max.session import MaxSession
from bot.rejected import RejectedKeeper, RejectedUpdates, Rejection, column_int, dig
from db import channels
from services import channels as channels_service

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

log = logging.getLogger(__name__)

#: The update kinds the bot handles (asked for with `types`).
HANDLED = ("message_created", "message_callback", "bot_started", "bot_stopped")
_update_ids = itertools.count(1)


class MaxStartError(RuntimeError):
    """MAX cannot be used as configured (a wrong token, an address that cannot be reached):
    the message names the setting to fix. `python -m bot` prints it and exits with 1."""


class BadUpdate(ValueError):
    """A MAX update without the fields MAX documents for its kind."""


#: What reading a MAX update raises when it does not have the shape MAX documents: a field
#: missing, of another type (a list for an object: TypeError, AttributeError), a number a
#: column or `int()` cannot take (ValueError, OverflowError for `Infinity`).
MISSHAPEN = (BadUpdate, LookupError, TypeError, ValueError, AttributeError, OverflowError)


class MaxPoller:
    shutdown_timeout = 30.0

    def __init__(  # noqa: PLR0913 - keyword options
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        polling_timeout: int = 30,
        backoff_config: BackoffConfig = DEFAULT_BACKOFF_CONFIG,
        on_rejected: Callable[[], None] | None = None,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        if not isinstance(bot.session, MaxSession):
            raise TypeError("MaxPoller needs a bot with a MaxSession")
        self.dispatcher = dispatcher
        self.bot = bot
        self.session: MaxSession = bot.session
        self.polling_timeout = polling_timeout
        #: Where the updates that cannot be read are kept: the app's database, which the
        #: session has too (MAX's message ids).
        self.rejected = RejectedUpdates(self.session.uow_factory, self.session.clock)
        #: Keeps them, in the update's own task; `on_rejected` and `on_lost` count them.
        self.keeper = RejectedKeeper(
            self.rejected,
            channels.MAX,
            reason="it does not have MAX's documented shape",
            name=_max_name,
            sender=max_sender,
            on_rejected=on_rejected,
            on_lost=on_lost,
            logger=log,
        )
        self.backoff_config = backoff_config
        self.marker: int | None = None
        self._stop = asyncio.Event()
        self._in_hand: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        self._stop.set()

    async def check_token(self) -> None:
        """Fail at start, with the setting's name, if MAX does not know the token."""
        try:
            me = await self.bot.me()
        except TelegramUnauthorizedError as error:
            raise MaxStartError(
                f"MAX_BOT_TOKEN is wrong or expired: MAX answered {error.message}"
            ) from error
        except TelegramNetworkError as error:
            raise MaxStartError(
                f"MAX_API_URL ({self.session.max.base_url}) cannot be reached: {error.message}"
            ) from error
        log.info("MAX: polling as %s", me.username or me.first_name)

    async def run(self, *, handle_signals: bool = False, **kwargs: Any) -> None:
        data = self._data(kwargs)
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with suppress(NotImplementedError):
                    loop.add_signal_handler(sig, self.stop)
        try:
            await self.check_token()
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

    def _data(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "dispatcher": self.dispatcher,
            "bots": (self.bot,),
            **self.dispatcher.workflow_data,
            **kwargs,
        }
        data.pop("bot", None)
        return data

    async def poll_once(self, timeout: int = 0, **kwargs: Any) -> int:
        """One `GET /updates`, every update in it handled to the end; how many it held."""
        batch = await self._fetch(timeout)
        tasks = self._take(batch, self._data(kwargs))
        if tasks:
            await asyncio.gather(*tasks)
        return len(batch)

    async def _fetch(self, timeout: int) -> list[Any]:
        params = {
            "marker": self.marker,
            "timeout": timeout,
            "limit": 100,
            "types": ",".join(HANDLED),
        }
        answer = await self.session.max.request(
            "GET", "updates", params=params, timeout=timeout + self.session.timeout
        )
        if not isinstance(answer, dict):
            return []
        marker = column_int(answer.get("marker"))
        if marker is not None:
            self.marker = marker
        updates = answer.get("updates")
        return updates if isinstance(updates, list) else []

    async def _poll(self, data: dict[str, Any]) -> None:
        backoff = Backoff(config=self.backoff_config)
        while not self._stop.is_set():
            fetch = asyncio.ensure_future(self._fetch(self.polling_timeout))
            stopped = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            for task in (fetch, stopped):
                if not task.done():
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
            if fetch.cancelled():
                break
            error = fetch.exception()
            if error is not None:
                if isinstance(error, TelegramUnauthorizedError):
                    raise MaxStartError(f"MAX_BOT_TOKEN is no longer valid: {error.message}")
                delay = next(backoff)
                log.error(
                    "MAX: GET /updates failed %d time(s) in a row (%s: %s); next try in %.1f s",
                    backoff.counter,
                    type(error).__name__,
                    error,
                    delay,
                )
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=delay)
                continue
            backoff.reset()
            self._take(fetch.result(), data)
        log.info("MAX polling stopped")

    def _take(self, batch: list[Any], data: dict[str, Any]) -> list[asyncio.Task[None]]:
        tasks = []
        for raw in batch:
            task = asyncio.create_task(self._handle(raw, data))
            self._in_hand.add(task)
            task.add_done_callback(self._in_hand.discard)
            tasks.append(task)
        return tasks

    async def _handle(self, raw: Any, data: dict[str, Any]) -> None:
        try:
            await self._read_and_feed(raw, data)
        except Exception:  # the database, a handler, a bug: this update only
            log.exception("MAX update %s failed", _kind(raw))

    async def _read_and_feed(self, raw: Any, data: dict[str, Any]) -> None:
        try:
            payload = await self.to_telegram(raw)
            if payload is None:
                if dig(raw, "update_type") not in HANDLED:
                    log.info("MAX update %s is not handled; skipped", _kind(raw))
                return
            update = Update.model_validate(payload, context={"bot": self.bot})
        except MISSHAPEN as error:
            await self.keeper.keep(Rejection(raw, error))
            return
        await self.dispatcher.feed_update(self.bot, update, **data)

    # --- MAX → Telegram's shapes ---------------------------------------------------------------

    async def to_telegram(self, raw: Any) -> dict[str, Any] | None:
        """The Telegram update a MAX update stands for; None for a kind the bot does not use."""
        if not isinstance(raw, dict) or not isinstance(raw.get("update_type"), str):
            raise BadUpdate("no update_type")
        kind = raw["update_type"]
        update_id = next(_update_ids)
        if kind == "message_created":
            message = await self._message(raw["message"])
            return None if message is None else {"update_id": update_id, "message": message}
        if kind == "message_callback":
            return {"update_id": update_id, "callback_query": await self._callback(raw)}
        if kind == "bot_stopped":
            user = _user(raw["user"])
            async with self.session.uow_factory() as uow:
                await channels_service.user_stopped_the_bot(uow, user["id"], self.session.clock())
            log.info("MAX user %s stopped the bot: marked as blocked", user["id"])
            return None
        if kind == "bot_started":
            user = _user(raw["user"])
            payload = raw.get("payload")
            text = f"/start {payload}" if isinstance(payload, str) and payload else "/start"
            return {
                "update_id": update_id,
                "message": {
                    "message_id": 0,
                    "date": _seconds(raw.get("timestamp")),
                    "chat": {"id": user["id"], "type": "private"},
                    "from": user,
                    "text": text,
                },
            }
        return None

    async def _message(self, message: dict[str, Any]) -> dict[str, Any] | None:
        sender, body = message["sender"], message["body"]
        if sender.get("is_bot"):
            return None
        user = _user(sender)
        recipient = message.get("recipient") or {}
        private = recipient.get("chat_type", "dialog") == "dialog"
        chat = {"id": user["id"], "type": "private"}
        mid = body["mid"]
        if not isinstance(mid, str):
            raise BadUpdate("body.mid is not a string")
        if private:
            message_id = await self.session.message_id(mid, user["id"])
        else:  # the bot works in private chats; a group's message goes no further
            chat = {"id": -abs(int(recipient.get("chat_id") or 1)), "type": "group", "title": "MAX"}
            message_id = 0
        result: dict[str, Any] = {
            "message_id": message_id,
            "date": _seconds(message.get("timestamp")),
            "chat": chat,
            "from": user,
        }
        text = body.get("text")
        if isinstance(text, str) and text:
            result["text"] = text
        for attachment in body.get("attachments") or []:
            self._attachment(attachment, result)
        return result

    def _attachment(self, attachment: dict[str, Any], result: dict[str, Any]) -> None:
        kind, payload = attachment.get("type"), attachment.get("payload") or {}
        token = payload.get("token")
        if kind in ("file", "image") and isinstance(token, str) and payload.get("url"):
            self.session.file_urls[token] = str(payload["url"])
            if "text" in result:
                result["caption"] = result.pop("text")
        if kind == "file" and isinstance(token, str):
            result["document"] = {
                "file_id": token,
                "file_unique_id": token,
                "file_name": attachment.get("filename"),
                "file_size": attachment.get("size"),
            }
        elif kind == "image" and isinstance(token, str):
            size = {"file_id": token, "file_unique_id": token, "width": 0, "height": 0}
            result["photo"] = [size]
        elif kind == "contact":
            phone = str(payload.get("vcf_phone") or _vcf_phone(payload.get("vcf_info")) or "")
            name = str(payload.get("name") or result["from"]["first_name"])
            result["contact"] = {"phone_number": phone, "first_name": name}
            # The MAX user the card is of (`max_info`; `tam_info` in older answers): a card
            # shared by the contact button is the sender's own, as Telegram's `user_id` says.
            owner = payload.get("max_info") or payload.get("tam_info") or {}
            owner_id = owner.get("user_id") if isinstance(owner, dict) else None
            if isinstance(owner_id, int) and not isinstance(owner_id, bool):
                result["contact"]["user_id"] = channels.from_max(owner_id)

    async def _callback(self, raw: dict[str, Any]) -> dict[str, Any]:
        callback = raw["callback"]
        user = _user(callback["user"])
        callback_id = callback["callback_id"]
        if not isinstance(callback_id, str) or not callback_id:
            raise BadUpdate("callback.callback_id")
        query: dict[str, Any] = {
            "id": callback_id,
            "from": user,
            "chat_instance": "max",
        }
        payload = callback.get("payload")
        if isinstance(payload, str):
            query["data"] = payload
        message = raw.get("message")
        if isinstance(message, dict):
            body = message["body"]
            recipient = message.get("recipient") or {}
            if recipient.get("chat_type", "dialog") == "dialog":
                chat = {"id": user["id"], "type": "private"}
                message_id = await self.session.message_id(str(body["mid"]), user["id"])
            else:
                chat = {"id": -abs(int(recipient.get("chat_id") or 1)), "type": "group"}
                message_id = 0
            me = self.session.me
            query["message"] = {
                "message_id": message_id,
                "date": _seconds(message.get("timestamp")),
                "chat": chat,
                "from": {
                    "id": me.id if me else self.bot.id,
                    "is_bot": True,
                    "first_name": me.first_name if me else "bot",
                },
                "text": body.get("text") or "",
            }
        return query

    # --- shutdown ------------------------------------------------------------------------------

    async def _finish(self) -> None:
        if not self._in_hand:
            return
        log.info("MAX: finishing %d update(s) in hand", len(self._in_hand))
        _, pending = await asyncio.wait(set(self._in_hand), timeout=self.shutdown_timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


def _user(user: dict[str, Any]) -> dict[str, Any]:
    """A MAX user as Telegram's User, under the bot's id for them."""
    max_id = column_int(user["user_id"])
    if max_id is None or max_id <= 0:
        raise BadUpdate("user_id is not a MAX user id")
    first = user.get("first_name") or user.get("name") or "—"
    result: dict[str, Any] = {
        "id": channels.from_max(max_id),
        "is_bot": bool(user.get("is_bot")),
        "first_name": str(first),
    }
    if user.get("last_name"):
        result["last_name"] = str(user["last_name"])
    if user.get("username"):
        result["username"] = str(user["username"])
    return result


def _kind(raw: Any) -> str:
    """How the log names a MAX update's kind (not more of it: it may be anything)."""
    kind = dig(raw, "update_type")
    return repr(kind[:40]) if isinstance(kind, str) else f"<{type(kind).__name__}>"


def _max_name(rejection: Rejection) -> str:
    """How the log names a rejected MAX update: by its kind (MAX's updates have no id)."""
    return f"MAX update {_kind(rejection.raw)}"


def max_sender(raw: Any) -> int | None:
    """The bot's id of the MAX user an update comes from, where it says (best effort, for an
    update that could not be read): the user who pressed a button, started or stopped the bot,
    or sent the message. None when it names nobody, or not as a MAX user id."""
    for path in (("callback", "user"), ("user",), ("message", "sender")):
        max_id = column_int(dig(raw, *path, "user_id"))
        if max_id is not None and max_id > 0:
            return channels.from_max(max_id)
    return None


def _seconds(timestamp: Any) -> int:
    """MAX's times are milliseconds since the epoch."""
    if isinstance(timestamp, int) and timestamp > 0:
        return timestamp // 1000
    return int(datetime.now(UTC).timestamp())


def _vcf_phone(vcf: Any) -> str | None:
    if not isinstance(vcf, str):
        return None
    for line in vcf.splitlines():
        if line.upper().startswith("TEL"):
            return line.split(":", 1)[-1].strip()
    return None
