"""Per-update wiring: private chats only, a unit of work for the update, the callback answer,
and the request context (`ctx`) that handlers receive."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.config import Settings
from content.library import Library
from db.uow import UnitOfWorkFactory
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
    only the event editor's steps need it, so the answer path (every questionnaire tap) makes
    no extra trip to the database for it. (aiogram's own middleware reads it for StateFilter,
    which this project does not use.)"""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["fsm_storage"] = self.storage
        data["state"] = self.resolve_event_context(data["bot"], data)
        return await handler(event, data)


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
