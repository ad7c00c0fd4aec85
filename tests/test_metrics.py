"""The metrics an operator reads, in process: what the outbox sent and why it failed, its
queue read from the database, a failing update counted, the scheduler's lag; and the JSON
log lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import methods
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiohttp import web
from aiohttp.test_utils import TestServer
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.config import Settings
from bot.local_session import blocked, server_error
from bot.logs import JsonFormatter
from bot.metrics import Metrics
from bot.runner import run_polling
from db.calendar import Moment
from services import broadcasts
from services.broadcasts import Draft
from services.coordinators import Staff
from tests.conftest import TEXTS, World, send_outbox
from tests.test_polling import TOKEN, FakeBotAPI, eventually, reply_to_a_story, start

ADMIN = 9_000_001
OK_CHAT, BLOCKED_CHAT, REFUSED_CHAT, FLAKY_CHAT = 8101, 8102, 8103, 8104


def samples(body: bytes) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            found[sample.name, labels] = sample.value
    return found


def chat_not_found(m: TelegramMethod[Any]) -> Exception:
    return TelegramBadRequest(method=m, message="Bad Request: chat not found")


async def test_the_outbox_is_counted_by_outcome_and_its_queue_read_at_scrape(
    world: World,
) -> None:
    app, clock = world.app, world.clock
    version = app.texts("consent-version")
    chats = (OK_CHAT, BLOCKED_CHAT, REFUSED_CHAT, FLAKY_CHAT)
    async with app.uow_factory() as uow:
        async with uow.write():
            for chat in chats:
                await uow.users.give_consent(chat, version, clock())
                await uow.users.set_role(chat, "student", clock())
        text = "Ярмарка профессий в субботу"
        await broadcasts.confirm(
            uow,
            Staff(ADMIN, frozenset({ADMIN})),
            Draft(text=text, length=len(text)),
            Moment(clock(), app.texts.tz),
        )
    clock.advance(seconds=30)
    before = samples(await app.metrics.scrape(app.uow_factory, clock()))
    assert before["profnavigator_outbox_due_messages", ""] == 4
    assert before["profnavigator_outbox_waiting_messages", ""] == 0
    assert before["profnavigator_outbox_oldest_due_seconds", ""] == 30
    assert before["profnavigator_outbox_read_ok", ""] == 1

    telegram = world.telegram
    telegram.fail_next(blocked, methods.SendMessage, chat_id=BLOCKED_CHAT)
    telegram.fail_next(chat_not_found, methods.SendMessage, chat_id=REFUSED_CHAT)
    telegram.fail_next(server_error, methods.SendMessage, chat_id=FLAKY_CHAT)
    await send_outbox(world)

    after = samples(await app.metrics.scrape(app.uow_factory, clock()))
    counted = {
        labels: value
        for (name, labels), value in after.items()
        if name == "profnavigator_outbox_messages_total"
    }
    assert counted == {
        "outcome=sent,reason=": 1,
        "outcome=blocked,reason=blocked": 1,
        "outcome=failed,reason=bad_request": 1,
        "outcome=retry,reason=server_or_network": 1,
    }
    # The flaky one waits for its next try: not due now, waiting.
    assert after["profnavigator_outbox_due_messages", ""] == 0
    assert after["profnavigator_outbox_waiting_messages", ""] == 1
    assert after["profnavigator_outbox_oldest_due_seconds", ""] == 0


async def test_an_update_that_fails_is_counted_and_the_user_told(world: World) -> None:
    async def fail_on_boom(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        if getattr(event, "text", None) == "boom":
            raise RuntimeError("a bug")
        return await handler(event, data)

    world.dispatcher.message.middleware(fail_on_boom)
    chat = world.user()
    await chat.send("/start")
    await chat.send("boom")
    assert chat.last.text == TEXTS("error")
    found = samples(await world.app.metrics.scrape(world.app.uow_factory, world.clock()))
    assert found["profnavigator_updates_total", "kind=message"] == 2
    assert found["profnavigator_update_errors_total", "kind=message"] == 1
    assert found["profnavigator_handler_seconds_count", "kind=message"] == 2


async def test_the_scheduler_lag_and_skipped_runs_are_counted() -> None:
    metrics = Metrics()
    scheduler = AsyncIOScheduler(timezone="UTC")
    release = asyncio.Event()

    async def quick() -> None:
        return None

    async def stuck() -> None:
        await release.wait()

    scheduler.add_job(quick, "interval", seconds=0.1, id="quick")
    scheduler.add_job(stuck, "interval", seconds=0.1, id="stuck", max_instances=1)
    metrics.watch_scheduler(scheduler)
    scheduler.start()
    await asyncio.sleep(0.55)
    release.set()
    await asyncio.sleep(0.05)
    scheduler.shutdown(wait=False)
    quick_runs = metrics.scheduler_lag.labels("quick")
    lags = {s.name: s.value for s in next(iter(quick_runs.collect())).samples}
    assert lags["profnavigator_scheduler_lag_seconds_count"] >= 3
    assert lags["profnavigator_scheduler_lag_seconds_sum"] < 1.0
    skipped = metrics.scheduler_skipped.labels("stuck", "still_running")
    assert next(iter(skipped.collect())).samples[0].value >= 2


def test_json_logs_are_one_object_per_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json_logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("ответ %s принят\nвторая строка", 7)
        try:
            raise ValueError("сломалось")
        except ValueError:
            logger.exception("update %d failed", 42)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "WARNING"
    assert first["logger"] == "tests.json_logs"
    assert first["message"] == "ответ 7 принят\nвторая строка"
    assert first["time"].endswith("+00:00")
    assert "exception" not in first
    assert second["message"] == "update 42 failed"
    assert "ValueError: сломалось" in second["exception"]


async def test_polling_serves_health_and_metrics_at_metrics_port(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # whatever a run writes by itself goes here
    fake = FakeBotAPI()
    application = web.Application()
    application.router.add_post("/bot{token}/{method}", fake.handle)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with TestServer(application) as server:
        fake.url = str(server.make_url("/"))
        changed = {
            "bot_token": SecretStr(TOKEN),
            "telegram_api_url": fake.url,
            "metrics_port": port,
        }
        fake.add(reply_to_a_story(501, 7001), start(502, 7002))
        running = asyncio.create_task(run_polling(settings.model_copy(update=changed)))
        try:
            await eventually(lambda: bool(fake.sent_to(7002)), seconds=10)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert response.status == 200
                    health = await response.json()
                async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                    found = samples(await response.read())
        finally:
            if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
                running.cancel()
            else:
                os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.wait_for(running, timeout=10)
    assert (health["status"], health["database"], health["mode"]) == ("ok", "ok", "polling")
    assert found["profnavigator_rejected_updates_total", ""] == 1
    assert found["profnavigator_rejected_updates_lost_total", ""] == 0  # the row was kept
    assert found["profnavigator_updates_total", "kind=message"] == 1
