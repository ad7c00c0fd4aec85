"""Request middleware: obey Telegram's flood control and ride out its brief server errors."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


class RetryMiddleware(BaseRequestMiddleware):
    """429: wait the `retry_after` Telegram asks for, then send again. 5xx and network errors:
    retry with a growing pause. Gives up after `attempts` tries or when a single wait would be
    longer than `max_wait` seconds (a user waiting on a screen should not wait minutes).
    """

    def __init__(self, attempts: int = 4, max_wait: float = 30.0, base_delay: float = 0.5) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self.base_delay = base_delay

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                delay = float(error.retry_after)
                if attempt == self.attempts or delay > self.max_wait:
                    raise
                log.warning("flood control on %s: waiting %.0f s", type(method).__name__, delay)
            except (TelegramServerError, TelegramNetworkError) as error:
                delay = self.base_delay * 2 ** (attempt - 1)
                if attempt == self.attempts:
                    raise
                log.warning("%s failed (%s), retry in %.1f s", type(method).__name__, error, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
