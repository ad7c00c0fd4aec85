"""Per-update wiring: each update handled once across processes, private chats only, a unit of
work for the update, the callback answer, and the request context (`ctx`) that handlers
receive."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StateType, StorageKey
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.config import Settings
from content.library import Library
from db.channels import TELEGRAM, channel_of
from db.repositories.updates import Claim
from db.uow import UnitOfWork, UnitOfWorkFactory
from handlers.context import Clock, Request
from locales import Texts
from quizzes import Questionnaire
from services import content_files

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class PrivateChatsOnly(BaseMiddleware):
    """The bot works in private chats. A message elsewhere (the bot added to a group) is left
    alone; a button pressed on a message elsewhere (forged, or an inline message) is answered
    with a short notice and changes nothing."""

    def __init__(self, texts: Texts) -> None:
        self._texts = texts

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Message):
            if event.chat.type == ChatType.PRIVATE:
                return await handler(event, data)
            return None
        if isinstance(event, CallbackQuery):
            if event.message is not None and event.message.chat.type == ChatType.PRIVATE:
                return await handler(event, data)
            await _answer_quietly(event, event.answer(self._texts("private-only")))
            return None
        return await handler(event, data)


class DialogState(FSMContextMiddleware):
    """aiogram's FSM context for the update (`state`), without reading the state up front:
    only the dialogs' steps need it, so the answer path (every questionnaire tap) makes no
    extra trip to the database for it. (aiogram's own middleware reads it for StateFilter,
    which this project does not use.)

    With an events isolation (Redis: bot/storage.py `create_isolation`), the chat's lock is
    taken when the update first touches its state and held until the update ends, so two
    updates of one chat that both use the dialog state — in one process or two — run one
    after the other; updates that never touch it (the questionnaire) take no lock.
    """

    def __init__(self, storage: BaseStorage, events_isolation: BaseEventIsolation | None) -> None:
        super().__init__(storage, events_isolation)  # type: ignore[arg-type]
        self._isolation = events_isolation

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["fsm_storage"] = self.storage
        context = self.resolve_event_context(data["bot"], data)
        if context is None or self._isolation is None:
            data["state"] = context
            return await handler(event, data)
        isolated = IsolatedContext(self.storage, context.key, self._isolation)
        data["state"] = isolated
        try:
            return await handler(event, data)
        finally:
            await isolated.release()


class IsolatedContext(FSMContext):
    """A chat's FSM context that takes the chat's lock (`isolation`) on first use; `release()`
    at the end of the update lets the next one in."""

    def __init__(
        self, storage: BaseStorage, key: StorageKey, isolation: BaseEventIsolation
    ) -> None:
        super().__init__(storage, key)
        self._isolation = isolation
        self._held: AbstractAsyncContextManager[None] | None = None

    async def _lock(self) -> None:
        if self._held is None:
            held = self._isolation.lock(self.key)
            await held.__aenter__()
            self._held = held

    async def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await held.__aexit__(None, None, None)

    async def set_state(self, state: StateType = None) -> None:
        await self._lock()
        await super().set_state(state)

    async def get_state(self) -> str | None:
        await self._lock()
        return await super().get_state()

    async def set_data(self, data: Mapping[str, Any]) -> None:
        await self._lock()
        await super().set_data(data)

    async def get_data(self) -> dict[str, Any]:
        await self._lock()
        return await super().get_data()

    async def update_data(
        self, data: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        await self._lock()
        return await super().update_data(data, **kwargs)


class DatabaseMiddleware(BaseMiddleware):
    """Opens one unit of work per update (`uow`) and closes it afterwards. Writes commit inside
    the services; whatever is left open at the end (a read) is rolled back.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._uow_factory() as uow:
            data["uow"] = uow
            return await handler(event, data)


class OncePerUpdate(BaseMiddleware):
    """An update Telegram delivers twice — to this process or to another one on the same
    database — is handled once (`update_claims`, db/repositories/updates.py).

    Before the handlers, one INSERT … ON CONFLICT claims (channel, update_id) for this process;
    after them it is marked done, by one UPDATE for all the updates that ended within
    `COMPLETE_AFTER` (so the answer path pays for the claim only; a process killed in that
    window leaves claims that merely lapse: Telegram had its answer and sends them no more).
    A later delivery of a done update is skipped (the webhook answers it with 200, nothing is
    sent). A delivery that finds the update in hand
    elsewhere waits until that handling ends (then it is skipped) or its claim lapses — the
    process holding it renews its claims every third of `lease` while it works, so a claim
    lapses only when its process died midway — and then handles it. A handling that fails or
    is cut short (a stop that could not wait) gives the claim up, so Telegram's next delivery
    is handled at once.

    Both writes are commits that do not wait for the disk (`UnitOfWork.write(durable=False)`):
    the handler's own durable commit flushes the claim with it.

    Only Telegram's updates: MAX's have no ids of their own (bot/max/polling.py numbers them
    per process), and MAX is long-polled by one process that confirms what it got.
    """

    #: How long a redelivery waits at most for the handling in hand elsewhere (in leases).
    WAIT_LEASES = 2
    #: Completions are recorded together, at most this long after the first of them (seconds).
    COMPLETE_AFTER = 0.05

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, lease: timedelta) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._lease = lease
        #: This process's claims (a random 63-bit number per dispatcher).
        self.token = secrets.randbits(63)
        self._in_hand: set[int] = set()
        self._renewal: asyncio.TimerHandle | None = None
        self._renewing: set[asyncio.Task[None]] = set()
        self._completed: list[int] = []
        self._completion: asyncio.TimerHandle | None = None
        self._completing: set[asyncio.Task[None]] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update) or _channel(data) != TELEGRAM:
            return await handler(event, data)
        update_id = event.update_id
        uow: UnitOfWork = data["uow"]
        if not await self._take(uow, update_id):
            return None
        self._in_hand.add(update_id)
        self._renew_later()
        try:
            result = await handler(event, data)
        except BaseException:
            self._in_hand.discard(update_id)
            await self._give_up(update_id)
            raise
        self._in_hand.discard(update_id)
        self._completed.append(update_id)
        if self._completion is None:
            loop = asyncio.get_running_loop()
            self._completion = loop.call_later(self.COMPLETE_AFTER, self._complete_soon)
        return result

    def _complete_soon(self) -> None:
        self._completion = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._completing.add(task)
        task.add_done_callback(self._completing.discard)

    async def flush(self) -> None:
        """Record the completions not recorded yet (what is done meanwhile waits for the next
        flush)."""
        if self._completion is not None:
            self._completion.cancel()
            self._completion = None
        update_ids, self._completed = self._completed, []
        if not update_ids:
            return
        try:
            async with self._uow_factory() as uow, uow.write(durable=False):
                await uow.updates.complete(TELEGRAM, update_ids, self.token, self._clock())
        except Exception:
            # Handled all the same: only a redelivery after the lease would be handled again.
            log.exception("could not mark %d update(s) as handled", len(update_ids))

    async def close(self) -> None:
        """At shutdown (the dispatcher's hook): every completion recorded."""
        await self.flush()
        await asyncio.gather(*self._completing)

    async def _take(self, uow: UnitOfWork, update_id: int) -> bool:
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.WAIT_LEASES * self._lease.total_seconds()
        pause = 0.05
        while True:
            now = self._clock()
            async with uow.write(durable=False):
                found = await uow.updates.claim(
                    TELEGRAM, update_id, self.token, now, now - self._lease
                )
            if found is Claim.TAKEN:
                return True
            if found is Claim.DONE:
                log.info("update %d was handled already: skipped", update_id)
                return False
            if loop.time() >= give_up_at:
                log.warning(
                    "update %d is still in hand in another process after %.0f s: skipped",
                    update_id,
                    self.WAIT_LEASES * self._lease.total_seconds(),
                )
                return False
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)

    async def _give_up(self, update_id: int) -> None:
        try:
            async with self._uow_factory() as uow, uow.write(durable=False):
                await uow.updates.release(TELEGRAM, update_id, self.token)
        except Exception:
            log.exception("could not give up the claim of update %d", update_id)

    def _renew_later(self) -> None:
        """One timer per process, not per update: it fires every third of the lease while
        anything is in hand, and renews all of it with one statement."""
        if self._renewal is None:
            delay = self._lease.total_seconds() / 3
            self._renewal = asyncio.get_running_loop().call_later(delay, self._renew_now)

    def _renew_now(self) -> None:
        self._renewal = None
        if not self._in_hand:
            return
        task = asyncio.get_running_loop().create_task(self._renew(set(self._in_hand)))
        self._renewing.add(task)
        task.add_done_callback(self._renewing.discard)
        self._renew_later()

    async def _renew(self, update_ids: set[int]) -> None:
        try:
            async with self._uow_factory() as uow, uow.write(durable=False):
                await uow.updates.renew(TELEGRAM, update_ids, self.token, self._clock())
        except Exception:
            log.exception("could not renew the claims of %d update(s)", len(update_ids))


def _channel(data: dict[str, Any]) -> str:
    """The messenger an update came from: a MAX user's (and chat's) id is negative."""
    chat: Chat | None = data.get("event_chat")
    user: User | None = data.get("event_from_user")
    if chat is not None:
        return channel_of(chat.id)
    return channel_of(user.id) if user is not None else TELEGRAM


class RequestMiddleware(BaseMiddleware):
    """Builds the request context (`ctx`) from the application's objects, the update's unit of
    work and the stored user (None before consent).

    An inner middleware, so it sees the handler's flags: a handler registered with
    `flags={"user": False}` (the questionnaire's answer path) gets no user loaded; its service
    checks the user itself. A user who writes to the bot can be reached again: a recorded
    block is cleared.
    """

    def __init__(
        self,
        settings: Settings,
        texts: Texts,
        library: Library,
        quizzes: dict[str, Questionnaire],
        clock: Clock,
    ) -> None:
        self._settings = settings
        self._texts = texts
        self._library = library
        self._quizzes = quizzes
        self._clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        uow = data["uow"]
        user = None
        sender: User | None = data.get("event_from_user")
        if get_flag(data, "user", default=True) is not False:
            if sender is not None and not sender.is_bot:
                user = await uow.users.get(sender.id)
            if user is not None and user.blocked_at is not None:
                async with uow.write():
                    await uow.users.mark_reachable(user.id)
                    user = await uow.users.get(user.id)
            await uow.end_read()
        await content_files.refresh_if_due(uow, self._library)  # another process's upload
        content = self._library.content  # one snapshot for the whole update
        data["ctx"] = Request(
            uow=uow,
            user=user,
            texts=self._texts,
            catalogue=content.catalogue,
            quizzes=self._quizzes,
            clock=self._clock,
            settings=self._settings,
            sender_id=sender.id if sender is not None else 0,
            callback_answer=data.get("callback_answer"),
            state=data.get("state"),
            content=content,
            library=self._library,
        )
        return await handler(event, data)


class AnswerCallbacks(CallbackAnswerMiddleware):
    """Answers every callback query once, after its handler (which may set a toast text through
    `ctx.toast`).

    Telegram refuses an answer to a query it already has one for, or one older than about
    15 seconds (a re-delivered update, a long flood-control wait). The user's action has been
    carried out by then, so that refusal is logged, not shown to the user as an error.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        callback_answer = self.construct_callback_answer(get_flag(data, "callback_answer"))
        data["callback_answer"] = callback_answer
        try:
            return await handler(event, data)
        finally:
            if not callback_answer.disabled and not callback_answer.answered:
                await _answer_quietly(event, self.answer(event, callback_answer))


async def _answer_quietly(query: CallbackQuery, answer: Awaitable[Any]) -> None:
    """Send the answer to a callback query; a query that Telegram no longer takes an answer for
    is only logged."""
    try:
        await answer
    except TelegramBadRequest as error:
        if not any(reason in error.message for reason in _EXPIRED):
            raise
        log.info("callback query %s was already answered or expired", query.id)


_EXPIRED = ("query is too old", "query ID is invalid")
