"""Request middleware: obey Telegram's flood control and ride out its brief server errors."""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from pydantic import ValidationError

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

#: How much of a gateway's error page goes into the error message.
PAGE_CHARS = 200
#: Set in a task whose caller retries by its own rules (the outbox sender): requests made in it
#: are tried once, errors go straight to the caller (a gateway's page still as a server error).
handled_by_caller: ContextVar[bool] = ContextVar("handled_by_caller", default=False)


class RetryMiddleware(BaseRequestMiddleware):
    """429: wait the `retry_after` Telegram asks for, then send again. 5xx and network errors:
    retry with a growing pause. Gives up after `attempts` tries or when a single wait would be
    longer than `max_wait` seconds (a user waiting on a screen should not wait minutes).

    An answer that is not the Bot API's JSON at all (the HTML or empty 502/504 page of a proxy
    in front of the Bot API) counts as the 5xx it almost always is: see `gateway_error`.
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
        if handled_by_caller.get():
            return await _gateway_errors_as_server_errors(make_request, bot, method)
        for attempt in range(1, self.attempts + 1):
            try:
                return await _gateway_errors_as_server_errors(make_request, bot, method)
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


async def _gateway_errors_as_server_errors(
    make_request: NextRequestMiddlewareType[TelegramType],
    bot: Bot,
    method: TelegramMethod[TelegramType],
) -> Response[TelegramType]:
    try:
        return await make_request(bot, method)
    except ClientDecodeError as error:
        server_error = gateway_error(method, error)
        if server_error is None:
            raise
        raise server_error from error


def gateway_error(
    method: TelegramMethod[Any], error: ClientDecodeError
) -> TelegramServerError | None:
    """The TelegramServerError that an undecodable answer stands for, or None if it is not one.

    aiogram raises ClientDecodeError (which is not a TelegramAPIError) for two different things:

    - the body is not JSON at all (`error.data` is the raw text). The Bot API answers JSON
      whatever the status, errors included, so such a body comes from something in between:
      the HTML or empty page of a proxy or load balancer whose upstream failed (502/504), or a
      body cut off on the way. The HTTP status is not kept in the exception, so every non-JSON
      answer is taken for the passing gateway failure that it almost always is: retried, and in
      the end reported as a server error. (A permanently wrong TELEGRAM_API_URL that answers
      HTML is then reported as a server error after a few retries, with the page quoted.)
    - the body is JSON but not a Bot API response (no "ok" field): a proxy's own JSON error.
      Treated the same way.

    A Bot API response whose result aiogram's models reject (`{"ok": true, "result": ...}`
    that fails validation) is not a server error: sending it again brings the same answer, so
    it is left as it is (the poller in bot/polling.py deals with such updates).
    """
    data = error.data
    if isinstance(error.original, ValidationError) and isinstance(data, dict) and "ok" in data:
        return None
    if isinstance(data, str | bytes):
        text = data.decode(errors="replace") if isinstance(data, bytes) else data
        page = " ".join(text.split())
        if len(page) > PAGE_CHARS:
            page = page[:PAGE_CHARS] + "…"
        shown = f"not JSON: {page!r}" if page else "empty"
    else:
        shown = f"not a Bot API response: {str(data)[:PAGE_CHARS]!r}"
    return TelegramServerError(
        method=method, message=f"Bad Gateway: the answer from the Bot API server was {shown}"
    )
