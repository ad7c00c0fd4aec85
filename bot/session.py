"""The bot's HTTP session with the Bot API: aiogram's aiohttp session, sending requests as JSON.

aiogram's `AiohttpSession` sends every request as a form: each field of the method is prepared
in Python (nested objects walked and JSON-encoded one by one), then the form is URL-encoded
character by character — about 170 µs of the event loop's time for a message with two buttons,
more than the rest of sending it. The Bot API takes the same request as a JSON body
("application/json (except for uploading files)"), which pydantic's serializer writes in about
25 µs. So a request without a file to upload goes as JSON; one that uploads a file (a QR code,
a list of sign-ups, an .ics file), or carries a date for Telegram to read as a Unix time, goes
as aiogram sends it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout
from pydantic_core import PydanticSerializationError

if TYPE_CHECKING:
    from aiogram import Bot

JSON_HEADERS = {"Content-Type": "application/json"}
#: Fields of a method that are the client's own, not the Bot API's.
CLIENT_FIELDS = frozenset({"request_timeout"})


class TelegramSession(AiohttpSession):
    """`AiohttpSession` that sends requests without files as a JSON body."""

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> str | None:
        """The request as JSON, or None when it must go as a form (a file to upload, a date)."""
        defaults: set[str] = set()
        for name, value in method:
            if isinstance(value, Default):
                defaults.add(name)
            elif isinstance(value, datetime.datetime | datetime.timedelta):
                return None  # aiogram turns these into the Unix times Telegram expects
        try:
            payload: dict[str, Any] = method.model_dump(
                mode="json", exclude_none=True, exclude=defaults | CLIENT_FIELDS, warnings=False
            )
        except PydanticSerializationError:  # an InputFile (an upload) somewhere in it
            return None
        for name in defaults:
            value = bot.default[cast(Default, getattr(method, name)).name]
            if value is not None:
                payload[name] = self.prepare_value(value, bot=bot, files={}, _dumps_json=False)
        return self.json_dumps(payload)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=body.encode(),
                headers=JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)
