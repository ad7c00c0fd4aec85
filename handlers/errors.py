"""When a handler fails: log it, and tell the user plainly that nothing was lost."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from locales import Texts

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, texts: Texts) -> None:
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    chat_id = None
    if event.update.message is not None:
        chat_id = event.update.message.chat.id
    elif event.update.callback_query is not None:
        chat_id = event.update.callback_query.from_user.id
    bot = event.update.bot
    if chat_id is None or bot is None:
        return
    try:
        await bot.send_message(chat_id, texts("error"))
    except TelegramAPIError:
        log.warning("could not tell chat %s about the error", chat_id)


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
