"""Per-update wiring: a unit of work for the update, and the current user loaded from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from db.uow import UnitOfWorkFactory

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

    A user who writes to the bot can be reached again: a recorded block is cleared.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
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
