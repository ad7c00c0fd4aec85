"""Per-update wiring: a unit of work for the update, and the current user loaded from it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, TelegramObject, User
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from db.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DatabaseMiddleware(BaseMiddleware):
    """Opens one unit of work per update (`uow`) and closes it afterwards. Writes commit inside
    the services; whatever is left open at the end (a read) is rolled back.
    """

    def __init__(self, units: UnitOfWorkFactory) -> None:
        self._units = units

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._units() as uow:
            data["uow"] = uow
            return await handler(event, data)


class UserMiddleware(BaseMiddleware):
    """Puts the stored user (`user`, or None before consent) into the handler data.

    An inner middleware, so it sees the handler's flags: a handler registered with
    `flags={"user": False}` loads what it needs itself (the questionnaire's answer path).
    A user who writes to the bot can be reached again: a recorded block is cleared.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if get_flag(data, "user", default=True) is False:
            return await handler(event, data)
        sender: User | None = data.get("event_from_user")
        uow = data["uow"]
        user = await uow.users.get(sender.id) if sender is not None and not sender.is_bot else None
        if user is not None and user.blocked_at is not None:
            async with uow.write():
                await uow.users.mark_reachable(user.id)
                user = await uow.users.get(user.id)
        await uow.end_read()
        data["user"] = user
        return await handler(event, data)


class AnswerCallbacks(CallbackAnswerMiddleware):
    """Answers every callback query once, after its handler (which may set a toast text on the
    injected `callback_answer`).

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
                try:
                    await self.answer(event, callback_answer)
                except TelegramBadRequest as error:
                    if not any(reason in error.message for reason in _EXPIRED):
                        raise
                    log.info("callback query %s was already answered or expired", event.id)


_EXPIRED = ("query is too old", "query ID is invalid")
