"""The request retry middleware against a real HTTP server standing in for a proxy in front of
the Bot API: its 502/504 pages (HTML, empty, or its own JSON) are server errors, retried with
back-off, and reported as TelegramServerError when they do not pass.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import ClientDecodeError, TelegramAPIError, TelegramServerError
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.factory import create_bot
from bot.retry import RetryMiddleware
from tests.fake_bot_api import request_fields

TOKEN = "123456:TEST"

BAD_GATEWAY_PAGE = """<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.24.0</center>
</body>
</html>
"""


@dataclass
class Page:
    status: int
    body: str
    content_type: str = "text/html"


BAD_GATEWAY = Page(502, BAD_GATEWAY_PAGE)
EMPTY_GATEWAY_TIMEOUT = Page(504, "", "text/plain")
PROXY_JSON_ERROR = Page(503, '{"message": "no healthy upstream"}', "application/json")


def sent(chat_id: int, text: str) -> Page:
    message = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": 123456, "is_bot": True, "first_name": "Профнавигатор"},
        "text": text,
    }
    return Page(200, json.dumps({"ok": True, "result": message}), "application/json")


class Gateway:
    """Answers each request with the next scripted page; records what it was asked."""

    def __init__(self) -> None:
        self.pages: deque[Page] = deque()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        assert request.match_info["token"] == TOKEN
        self.requests.append((request.match_info["method"], await request_fields(request)))
        page = self.pages.popleft() if self.pages else BAD_GATEWAY
        return web.Response(status=page.status, text=page.body, content_type=page.content_type)


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    gateway = Gateway()
    application = web.Application()
    application.router.add_post("/bot{token}/{method}", gateway.handle)
    async with TestServer(application) as server:
        gateway.url = str(server.make_url("/"))
        yield gateway


@pytest.fixture
async def bot(gateway: Gateway) -> AsyncIterator[Bot]:
    """The production bot (create_bot and its retry middleware) talking to the gateway."""
    settings = Settings(_env_file=None, bot_token=SecretStr(TOKEN), telegram_api_url=gateway.url)
    production_bot = create_bot(settings)
    yield production_bot
    await production_bot.session.close()


@pytest.fixture
async def quick_bot(gateway: Gateway) -> AsyncIterator[Bot]:
    """A bot with a retry middleware of its own: three tries, a hundredth of a second apart."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(gateway.url))
    session.middleware(RetryMiddleware(attempts=3, base_delay=0.01))
    quick = Bot(TOKEN, session=session)
    yield quick
    await session.close()


async def test_gateway_error_pages_are_retried_until_the_bot_api_answers(
    gateway: Gateway, bot: Bot, waits: list[float]
) -> None:
    gateway.pages.extend(
        [BAD_GATEWAY, EMPTY_GATEWAY_TIMEOUT, PROXY_JSON_ERROR, sent(42, "Здравствуйте!")]
    )

    message = await bot.send_message(42, "Здравствуйте!")

    assert (message.chat.id, message.text) == (42, "Здравствуйте!")
    assert waits == [0.5, 1.0, 2.0]
    assert len(gateway.requests) == 4
    assert {method for method, _ in gateway.requests} == {"sendMessage"}
    assert all(
        (form["chat_id"], form["text"]) == ("42", "Здравствуйте!") for _, form in gateway.requests
    )


async def test_a_gateway_that_stays_down_ends_in_a_server_error(
    gateway: Gateway, quick_bot: Bot
) -> None:
    gateway.pages.extend([BAD_GATEWAY, EMPTY_GATEWAY_TIMEOUT, BAD_GATEWAY])

    with pytest.raises(TelegramServerError) as raised:
        await quick_bot.send_message(42, "Здравствуйте!")

    assert len(gateway.requests) == 3  # the configured attempts, no more
    error = raised.value
    assert isinstance(error, TelegramAPIError)  # what the scheduler's ticks catch
    assert isinstance(error.__cause__, ClientDecodeError)
    assert "502 Bad Gateway" in error.message
    assert error.method is not None
    assert error.method.__api_method__ == "sendMessage"


async def test_an_empty_gateway_page_is_reported_as_empty(gateway: Gateway, quick_bot: Bot) -> None:
    gateway.pages.extend([EMPTY_GATEWAY_TIMEOUT] * 3)

    with pytest.raises(TelegramServerError, match="was empty"):
        await quick_bot.get_me()

    assert len(gateway.requests) == 3


async def test_a_bot_api_answer_that_does_not_fit_the_models_is_not_retried(
    gateway: Gateway, quick_bot: Bot
) -> None:
    # JSON from the Bot API itself: asking again brings the same answer.
    gateway.pages.append(Page(200, '{"ok": true, "result": {"id": "x"}}', "application/json"))

    with pytest.raises(ClientDecodeError):
        await quick_bot.get_me()

    assert len(gateway.requests) == 1
