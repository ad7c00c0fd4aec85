"""`python -m bot`'s run_polling with MAX: Telegram and MAX in one process (a fake Bot API and a
fake MAX API over HTTP), each user answered in their own messenger, both stopped by one SIGTERM;
a wrong MAX token stops the start with the setting named; and the coordinator's CSV plan sent
in MAX is downloaded and imported."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.max.polling import MaxStartError
from bot.runner import run_polling
from tests.conftest import TEXTS
from tests.fake_max_api import TOKEN as MAX_TOKEN
from tests.fake_max_api import FakeMax, serving
from tests.test_polling import TOKEN, FakeBotAPI, eventually, start


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    application = web.Application()
    application.router.add_post("/bot{token}/{method}", fake.handle)
    async with TestServer(application) as server:
        fake.url = str(server.make_url("/"))
        yield fake


@pytest.fixture
async def max_api() -> AsyncIterator[FakeMax]:
    fake = FakeMax()
    async with serving(fake):
        yield fake


async def test_one_process_serves_telegram_and_max_and_one_sigterm_stops_both(
    telegram_api: FakeBotAPI,
    max_api: FakeMax,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    changed = {
        "bot_token": SecretStr(TOKEN),
        "telegram_api_url": telegram_api.url,
        "max_bot_token": SecretStr(MAX_TOKEN),
        "max_api_url": max_api.base,
    }
    telegram_api.add(start(601, 7001))
    masha = {"user_id": 4242, "first_name": "Маша", "is_bot": False}
    max_api.push({"update_type": "bot_started", "user": masha, "chat_id": 1, "payload": None})

    process = asyncio.create_task(run_polling(settings.model_copy(update=changed)))
    try:
        await eventually(
            lambda: bool(telegram_api.sent_to(7001)) and bool(max_api.dialog(4242)), seconds=10
        )
    finally:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            process.cancel()
        else:
            os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(process, timeout=10)

    welcome = TEXTS("btn-welcome-next")
    assert welcome in max_api.dialog(4242)[0].buttons[0][0]
    # Each messenger got its own command list at start-up.
    assert "setMyCommands" in [method for method, _ in telegram_api.calls]
    assert [c["name"] for c in max_api.commands] == ["start", "menu", "events", "help"]
    # Nothing went across: the Telegram user's chat id never reached MAX.
    assert all(
        query.get("user_id") == "4242" for _, _, query, _ in max_api.calls("POST", "messages")
    )


async def test_a_wrong_max_token_stops_the_start_naming_the_setting(
    max_api: FakeMax, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    changed = {"max_bot_token": SecretStr("expired"), "max_api_url": max_api.base}
    with pytest.raises(MaxStartError, match="MAX_BOT_TOKEN is wrong or expired"):
        await asyncio.wait_for(run_polling(settings.model_copy(update=changed)), timeout=10)


async def test_an_unreachable_max_address_stops_the_start_naming_the_setting(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    changed = {"max_bot_token": SecretStr(MAX_TOKEN), "max_api_url": "http://127.0.0.1:9"}
    with pytest.raises(MaxStartError, match="MAX_API_URL"):
        await asyncio.wait_for(run_polling(settings.model_copy(update=changed)), timeout=30)
