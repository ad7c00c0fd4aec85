"""Long polling (bot/polling.py) against a fake Bot API server over HTTP, with the real app:
one update aiogram cannot parse is logged, kept and skipped, and does not hold up the others;
good batches are handled as before; a failing getUpdates is waited out; SIGTERM finishes the
updates in hand and confirms them; and `python -m bot`'s run_polling does all of it. Then the
rejected rows: a slow database's write of one holds up none of the updates behind it (nor does
one that then fails: logged and counted), a stop waits for it (and logs it when it cannot);
updates of any shape are set aside once each and the offset moves past them, also in a first
batch without any id; and a bug in reading a rejected update stops nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import signal
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, cast

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import GetUpdates
from aiogram.types import TelegramObject, Update
from aiogram.utils.backoff import BackoffConfig
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr, ValidationError

from bot import polling as polling_module
from bot.config import Settings
from bot.factory import App, create_bot
from bot.polling import Poller
from bot.rejected import RejectedUpdates
from bot.runner import run_polling
from db.engine import create_engine, create_session_factory
from db.models import RejectedUpdate
from db.uow import UnitOfWork, UnitOfWorkFactory
from tests.conftest import rejected_rows
from tests.fake_bot_api import request_fields

TOKEN = "123456:TEST"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Профнавигатор", "username": "prof_bot"}
QUICK_BACKOFF = BackoffConfig(min_delay=0.01, max_delay=0.05, factor=1.5, jitter=0.0)
DATE = 1_790_000_000

Json = dict[str, Any]


def message(update_id: int, user_id: int, text: str, **extra: Any) -> Json:
    user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}", "language_code": "ru"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": DATE,
            "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
            "from": user,
            "text": text,
            **extra,
        },
    }


def start(update_id: int, user_id: int) -> Json:
    command = [{"type": "bot_command", "offset": 0, "length": 6}]
    return message(update_id, user_id, "/start", entities=command)


def reply_to_a_story(update_id: int, user_id: int) -> Json:
    """A reply to a story as Telegram has sent it (aiogram issue 1587): the story in
    `external_reply` comes without the `chat` and `id` that aiogram's Story requires."""
    origin = {
        "type": "user",
        "date": DATE - 60,
        "sender_user": {"id": 9001, "is_bot": False, "first_name": "Story author"},
    }
    return message(update_id, user_id, "смотри", external_reply={"origin": origin, "story": {}})


class FakeBotAPI:
    """Just enough of the Bot API over HTTP: getUpdates with Telegram's offset semantics (and
    a short long poll), getMe, sendMessage and editMessageText answering with a message, and
    True for everything else. Records every call as (method, form)."""

    def __init__(self) -> None:
        self.url = ""
        self.calls: list[tuple[str, dict[str, str]]] = []
        #: The updates not confirmed yet, each with the id Telegram knows it by.
        self.queue: list[tuple[int, Any]] = []
        self.get_updates_failures: deque[tuple[int, str]] = deque()
        self.send_delay = 0.0
        self._arrived = asyncio.Event()
        self._message_ids = itertools.count(1)

    def add(self, *updates: Json) -> None:
        for update in updates:
            self.add_raw(update["update_id"], update)

    def add_raw(self, update_id: int, raw: Any) -> None:
        """An update sent as `raw`, whatever its shape, known to Telegram as `update_id`."""
        self.queue.append((update_id, raw))
        self._arrived.set()

    @property
    def unconfirmed(self) -> list[Any]:
        return [raw for _, raw in self.queue]

    def offsets(self) -> list[int | None]:
        """The offset of each getUpdates, in order (None: none given)."""
        return [
            int(form["offset"]) if "offset" in form else None
            for method, form in self.calls
            if method == "getUpdates"
        ]

    def sent_to(self, chat_id: int) -> list[str]:
        return [
            form["text"]
            for method, form in self.calls
            if method == "sendMessage" and form["chat_id"] == str(chat_id)
        ]

    async def handle(self, request: web.Request) -> web.Response:
        assert request.match_info["token"] == TOKEN
        method = request.match_info["method"]
        form = await request_fields(request)
        self.calls.append((method, form))
        if method == "getUpdates" and self.get_updates_failures:
            status, description = self.get_updates_failures.popleft()
            body = {"ok": False, "error_code": status, "description": description}
            return web.json_response(body, status=status)
        answer: Callable[[dict[str, str]], Awaitable[Any]] = {
            "getUpdates": self._get_updates,
            "getMe": self._get_me,
            "sendMessage": self._message,
            "editMessageText": self._message,
        }.get(method, self._true)
        return web.json_response({"ok": True, "result": await answer(form)})

    async def _get_updates(self, form: dict[str, str]) -> list[Json]:
        if "offset" in form:  # confirms every update below it
            offset = int(form["offset"])
            self.queue = [(number, raw) for number, raw in self.queue if number >= offset]
        if not self.queue:
            self._arrived.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(float(form.get("timeout", 0)), 1))
        return self.unconfirmed[: int(form.get("limit", 100))]

    async def _get_me(self, _form: dict[str, str]) -> Json:
        return BOT_USER

    async def _message(self, form: dict[str, str]) -> Json:
        await asyncio.sleep(self.send_delay)
        chat = {"id": int(form["chat_id"]), "type": "private"}
        number = int(form.get("message_id") or next(self._message_ids))
        return {"message_id": number, "date": DATE, "chat": chat, "from": BOT_USER, "text": "…"}

    async def _true(self, _form: dict[str, str]) -> bool:
        return True


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    fake = FakeBotAPI()
    application = web.Application()
    application.router.add_post("/bot{token}/{method}", fake.handle)
    async with TestServer(application) as server:
        fake.url = str(server.make_url("/"))
        yield fake


@pytest.fixture
async def live_bot(settings: Settings, api: FakeBotAPI) -> AsyncIterator[Bot]:
    """The production bot (create_bot, with its retry middleware) talking to the fake API."""
    changed = {"bot_token": SecretStr(TOKEN), "telegram_api_url": api.url}
    bot = create_bot(settings.model_copy(update=changed))
    yield bot
    await bot.session.close()


@pytest.fixture
def handled(dispatcher: Dispatcher) -> list[int]:
    """update_id of every update the dispatcher has finished handling."""
    done: list[int] = []

    async def record(
        handler: Callable[[TelegramObject, Json], Awaitable[Any]],
        event: TelegramObject,
        data: Json,
    ) -> Any:
        result = await handler(event, data)
        assert isinstance(event, Update)
        done.append(event.update_id)
        return result

    dispatcher.update.outer_middleware(record)
    return done


@pytest.fixture
def poller(app: App, dispatcher: Dispatcher, live_bot: Bot) -> Poller:
    return Poller(
        dispatcher,
        live_bot,
        rejected=RejectedUpdates(app.uow_factory, app.clock),
        polling_timeout=1,
        backoff_config=QUICK_BACKOFF,
    )


@asynccontextmanager
async def polling(poller: Poller, **kwargs: Any) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(poller.run(**kwargs))
    try:
        yield task
    finally:
        poller.stop()
        await asyncio.wait_for(task, timeout=5)


async def eventually(condition: Callable[[], bool], seconds: float = 3.0) -> None:
    """Return as soon as `condition()` holds; fail if it does not within `seconds`."""
    step = 0.01
    for _ in range(int(seconds / step)):
        if condition():
            return
        await asyncio.sleep(step)
    pytest.fail(f"not so after {seconds} s")


async def test_an_update_aiogram_cannot_parse_is_kept_and_skipped_and_the_next_is_answered(
    app: App,
    api: FakeBotAPI,
    live_bot: Bot,
    poller: Poller,
    handled: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad, good = reply_to_a_story(101, 7001), start(102, 7002)
    with pytest.raises(ValidationError):  # still so in this aiogram version
        Update.model_validate(bad)
    api.add(bad, good)
    with pytest.raises(ClientDecodeError):  # what stalls aiogram's own polling: the whole batch
        await live_bot(GetUpdates())

    async with polling(poller):
        await eventually(lambda: bool(api.sent_to(7002)) and 103 in api.offsets())

    assert handled == [102]
    assert api.sent_to(7001) == []
    assert 101 not in api.offsets()
    assert "setMyCommands" in [method for method, _ in api.calls]  # the startup hook ran
    [logged] = [r for r in caplog.records if r.name == "bot.polling" and r.levelno >= logging.ERROR]
    [row] = await rejected_rows(app)
    assert (row.channel, row.update_id, row.user_id) == ("telegram", 101, 7001)
    assert json.loads(row.raw) == bad
    assert "message.external_reply.story.id: Field required" in row.problems
    assert row.rejected_at == app.clock()
    line = logged.getMessage()
    assert "update 101 skipped" in line
    assert "external_reply.story.chat: Field required" in line
    assert f"kept as rejected update {row.id}" in line
    assert "смотри" not in line  # the message's text and the sender's name stay out of the log
    assert "User 7001" not in line


async def test_good_batches_are_handled_once_each_and_confirmed(
    app: App, api: FakeBotAPI, poller: Poller, handled: list[int]
) -> None:
    api.add(start(201, 7001), start(202, 7002), start(203, 7003))

    async with polling(poller):
        await eventually(lambda: len(handled) == 3)
        api.add(start(204, 7001))
        await eventually(lambda: len(handled) == 4 and api.offsets()[-1] == 205)

    assert Counter(handled) == {201: 1, 202: 1, 203: 1, 204: 1}
    assert all(api.sent_to(user) for user in (7001, 7002, 7003))
    offsets = api.offsets()
    assert offsets[0] is None  # the first poll takes what waited while the bot was down
    assert set(offsets[1:]) <= {204, 205}
    assert await rejected_rows(app) == []


async def test_a_failing_get_updates_is_waited_out(
    api: FakeBotAPI, poller: Poller, handled: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.polling")
    conflict = "Conflict: terminated by other getUpdates request"
    api.get_updates_failures.extend([(409, conflict), (409, conflict)])
    api.add(start(301, 7001))

    async with polling(poller):
        await eventually(lambda: handled == [301])

    assert api.offsets()[:3] == [None, None, None]
    failures = [r for r in caplog.records if "getUpdates failed" in r.getMessage()]
    assert len(failures) == 2
    assert "works again" in caplog.text


async def test_sigterm_finishes_the_update_in_hand_and_confirms_it(
    api: FakeBotAPI, poller: Poller, handled: list[int]
) -> None:
    api.send_delay = 0.3  # the answer is on its way when the signal comes
    api.add(start(401, 7001))

    async with polling(poller, handle_signals=True) as task:
        await eventually(lambda: bool(api.sent_to(7001)))
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(task, timeout=3)

    assert handled == [401]
    confirmations = [form for method, form in api.calls if form.get("limit") == "1"]
    assert [form["offset"] for form in confirmations] == ["402"]
    assert api.unconfirmed == []  # a restart does not get /start again


async def test_the_bot_process_gets_past_an_update_aiogram_cannot_parse(
    app: App,
    api: FakeBotAPI,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing is written to the working directory
    changed = {"bot_token": SecretStr(TOKEN), "telegram_api_url": api.url}
    api.add(reply_to_a_story(501, 7001), start(502, 7002))

    process = asyncio.create_task(run_polling(settings.model_copy(update=changed)))
    try:
        await eventually(lambda: bool(api.sent_to(7002)) and 503 in api.offsets())
    finally:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:  # not polling: SIGTERM would kill
            process.cancel()
        else:
            os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(process, timeout=5)

    methods = [method for method, _ in api.calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    assert "setMyCommands" in methods
    assert [(row.update_id, row.user_id) for row in await rejected_rows(app)] == [(501, 7001)]


async def test_a_database_that_cannot_keep_the_rejected_update_does_not_stop_polling(
    app: App,
    api: FakeBotAPI,
    dispatcher: Dispatcher,
    live_bot: Bot,
    handled: list[int],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = create_engine(f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/bot.sqlite3")
    broken = RejectedUpdates(UnitOfWorkFactory(create_session_factory(gone)), app.clock)
    poller = Poller(
        dispatcher, live_bot, rejected=broken, polling_timeout=1, backoff_config=QUICK_BACKOFF
    )
    api.add(reply_to_a_story(601, 7001), start(602, 7002))
    try:
        async with polling(poller):
            await eventually(lambda: bool(api.sent_to(7002)) and 603 in api.offsets())
    finally:
        await gone.dispose()

    assert handled == [602]
    assert "could not keep the rejected telegram update 601" in caplog.text
    assert "update 601 skipped: aiogram cannot parse it" in caplog.text
    assert "not kept" in caplog.text
    assert await rejected_rows(app) == []  # and the bot's own database has nothing either


# --- the rows of rejected updates are written without holding up the batch ---------------------


class HeldDatabase:
    """The database as the writer of rejected rows finds it when it is slow (SQLite's write lock
    held by another process, PostgreSQL under load): each unit of work waits until `release()`,
    then goes to `units` (the app's database, or one that fails)."""

    def __init__(self, units: UnitOfWorkFactory) -> None:
        self.units = units
        self.released = asyncio.Event()
        self.waiting = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        self.waiting += 1
        await self.released.wait()
        async with self.units() as uow:
            yield uow

    def release(self) -> None:
        self.released.set()

    def rejected(self, app: App) -> RejectedUpdates:
        return RejectedUpdates(cast(UnitOfWorkFactory, self), app.clock)


async def rows_eventually(app: App, count: int, seconds: float = 3.0) -> list[RejectedUpdate]:
    """The rejected rows once there are `count` of them; fail if not within `seconds`."""
    for _ in range(int(seconds / 0.02)):
        rows = await rejected_rows(app)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.02)
    pytest.fail(f"not {count} rejected row(s) after {seconds} s")


def lines(caplog: pytest.LogCaptureFixture, logger: str = "bot.polling") -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == logger and r.levelno >= logging.ERROR
    ]


async def test_a_slow_write_of_a_rejected_update_holds_up_none_of_the_updates_behind_it(
    app: App, api: FakeBotAPI, dispatcher: Dispatcher, live_bot: Bot, handled: list[int]
) -> None:
    held = HeldDatabase(app.uow_factory)
    poller = Poller(
        dispatcher,
        live_bot,
        rejected=held.rejected(app),
        polling_timeout=1,
        backoff_config=QUICK_BACKOFF,
    )
    api.add(reply_to_a_story(701, 7001), start(702, 7002), start(703, 7003))

    async with polling(poller):
        # The row of 701 waits for the database; the two behind it are answered meanwhile.
        await eventually(
            lambda: (
                sorted(handled) == [702, 703]
                and bool(api.sent_to(7002) and api.sent_to(7003))
                and 704 in api.offsets()
            )
        )
        assert held.waiting == 1
        assert await rejected_rows(app) == []
        held.release()
        [row] = await rows_eventually(app, 1)

    assert (row.update_id, row.user_id) == (701, 7001)
    assert api.unconfirmed == []


async def test_a_rejected_update_the_slow_database_then_refuses_is_logged_and_counted(
    app: App,
    api: FakeBotAPI,
    dispatcher: Dispatcher,
    live_bot: Bot,
    handled: list[int],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = create_engine(f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/bot.sqlite3")
    held = HeldDatabase(UnitOfWorkFactory(create_session_factory(gone)))
    counted: list[str] = []
    poller = Poller(
        dispatcher,
        live_bot,
        rejected=held.rejected(app),
        polling_timeout=1,
        backoff_config=QUICK_BACKOFF,
        on_rejected=lambda: counted.append("rejected"),
        on_lost=lambda: counted.append("lost"),
    )
    api.add(reply_to_a_story(801, 7001), start(802, 7002), start(803, 7003))
    try:
        async with polling(poller):
            await eventually(lambda: sorted(handled) == [802, 803] and 804 in api.offsets())
            assert counted == ["rejected"]
            held.release()
            await eventually(lambda: counted == ["rejected", "lost"])
            api.add(start(804, 7004))  # and polling goes on
            await eventually(lambda: bool(api.sent_to(7004)))
    finally:
        await gone.dispose()

    assert "could not keep the rejected telegram update 801" in caplog.text
    [line] = lines(caplog)
    assert line.startswith("update 801 skipped: aiogram cannot parse it (")
    assert line.endswith("; not kept")
    assert await rejected_rows(app) == []


async def test_a_stop_waits_for_the_rejected_rows_in_hand_and_logs_those_it_cannot(
    app: App,
    api: FakeBotAPI,
    dispatcher: Dispatcher,
    live_bot: Bot,
    handled: list[int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    held = HeldDatabase(app.uow_factory)
    poller = Poller(
        dispatcher,
        live_bot,
        rejected=held.rejected(app),
        polling_timeout=1,
        backoff_config=QUICK_BACKOFF,
    )
    api.add(reply_to_a_story(901, 7001), start(902, 7002))
    task = asyncio.create_task(poller.run())
    await eventually(lambda: handled == [902] and held.waiting == 1)
    poller.stop()
    await asyncio.sleep(0.2)
    assert not task.done()  # the row of 901 is still on its way
    held.release()
    await asyncio.wait_for(task, timeout=5)
    [row] = await rejected_rows(app)
    assert row.update_id == 901

    # A database that does not answer within the stop's patience: the row is logged as lost.
    held = HeldDatabase(app.uow_factory)
    counted: list[str] = []
    poller = Poller(
        dispatcher,
        live_bot,
        rejected=held.rejected(app),
        polling_timeout=1,
        backoff_config=QUICK_BACKOFF,
        on_lost=lambda: counted.append("lost"),
    )
    poller.shutdown_timeout = 0.3
    api.add(reply_to_a_story(903, 7001))
    task = asyncio.create_task(poller.run())
    await eventually(lambda: held.waiting == 1 and 904 in api.offsets())
    poller.stop()
    await asyncio.wait_for(task, timeout=3)

    assert counted == ["lost"]
    assert lines(caplog)[-1].endswith("; not kept: the bot stopped before the database took it")
    assert [row.update_id for row in await rejected_rows(app)] == [901]


# --- updates of any shape ------------------------------------------------------------------------


def as_json(raw: Any) -> str:
    return json.dumps(raw, ensure_ascii=False)


def nested(depth: int) -> Any:
    value: Any = {"text": "глубоко"}
    for level in range(depth):
        value = [value, {"level": level}]
    return value


async def test_updates_of_any_shape_are_set_aside_once_and_the_offset_moves_past_them(
    app: App, api: FakeBotAPI, poller: Poller, handled: list[int]
) -> None:
    garbage: list[tuple[int, Any]] = [
        (1002, [1, 2]),
        (1003, "not an update"),
        (1004, {"message": message(1004, 7001, "нет update_id")["message"]}),
        (1005, {"update_id": "x", "message": "text"}),
        (1006, {"update_id": 1006, "message": {"from": nested(50), "chat": [None]}}),
        (1007, start(1007, 7001) | {"update_id": 2**70}),  # no id a column or offset holds
    ]
    async with polling(poller):
        api.add(start(1001, 7001))  # the offset is known: 1002
        await eventually(lambda: handled == [1001])
        for update_id, raw in garbage:
            api.add_raw(update_id, raw)
        # A /start whose update_id is written as a string: read as aiogram reads it, once.
        as_string = start(1008, 7002) | {"update_id": "1008"}
        api.add_raw(1008, as_string)
        api.add_raw(1009, None)  # and nothing behind the last one to go by
        await eventually(lambda: 1010 in api.offsets())
        await asyncio.sleep(0.3)  # a few more polls: nothing is fetched again
        api.add(start(1010, 7003))
        await eventually(lambda: bool(api.sent_to(7003)))

    assert handled == [1001, 1008, 1010]
    assert len(api.sent_to(7002)) == 1
    rows = await rejected_rows(app)
    kept = [(row.update_id, row.raw) for row in rows]
    assert kept == [
        (None, "[1, 2]"),
        (None, "not an update"),  # a string is kept as it came
        (None, as_json(garbage[2][1])),
        (None, as_json(garbage[3][1])),
        (1006, as_json(garbage[4][1])),
        (None, as_json(garbage[5][1])),  # an id no column holds is no id
        (None, "null"),
    ]
    assert "update_id: Input should be less than 9223372036854775808" in rows[5].problems
    assert api.unconfirmed == []
    offsets = [offset for offset in api.offsets() if offset is not None]
    assert offsets == sorted(offsets)


async def test_a_first_batch_without_any_update_id_is_kept_once_and_passed_once_one_comes(
    app: App, api: FakeBotAPI, poller: Poller, handled: list[int]
) -> None:
    api.add_raw(1101, ["not", "an", "update"])
    async with polling(poller):
        await eventually(lambda: api.offsets().count(None) >= 3)  # asked for again…
        assert len(await rows_eventually(app, 1)) == 1  # …but set aside once
        api.add(start(1102, 7001))
        await eventually(lambda: handled == [1102] and 1103 in api.offsets())

    assert [json.loads(row.raw) for row in await rejected_rows(app)] == [["not", "an", "update"]]
    assert api.unconfirmed == []


async def test_a_bug_in_reading_a_rejected_update_neither_stops_polling_nor_loses_the_row(
    app: App,
    api: FakeBotAPI,
    dispatcher: Dispatcher,
    live_bot: Bot,
    handled: list[int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(raw: Any) -> int | None:
        raise RuntimeError("a bug in finding the sender")

    monkeypatch.setattr(polling_module, "telegram_sender", broken)
    poller = Poller(
        dispatcher,
        live_bot,
        rejected=RejectedUpdates(app.uow_factory, app.clock),
        polling_timeout=1,
        backoff_config=QUICK_BACKOFF,
    )
    api.add(reply_to_a_story(1201, 7001), start(1202, 7002))

    async with polling(poller) as task:
        await eventually(lambda: handled == [1202] and 1203 in api.offsets())
        [row] = await rows_eventually(app, 1)
        api.add(start(1203, 7003))
        await eventually(lambda: handled == [1202, 1203])
        assert not task.done()

    assert (row.update_id, row.user_id) == (1201, None)  # kept, without its sender
    assert "the sender of a rejected telegram update could not be worked out" in caplog.text
    assert f"kept as rejected update {row.id}" in lines(caplog)[-1]
