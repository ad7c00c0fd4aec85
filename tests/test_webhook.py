"""Webhook mode end to end: `python -m bot` as a real process with WEBHOOK_URL set, its Bot API
a fake over HTTP (tests/fake_bot_api.py), the updates real HTTP requests carrying Telegram's
JSON with the secret header, as Telegram sends them. A process takes seconds to start (most of
it importing aiogram), so each test walks one process through its life:

- on start it calls setWebhook with the URL, the secret and the update kinds it handles,
  keeping pending updates;
- a forged secret and a missing one get 401 and change nothing (no user, nothing sent);
- an update aiogram cannot parse gets 200, is kept in the table rejected_updates with its
  sender (the log names it, not its text), and the updates after it are answered;
- /start, the consent, the profile and a questionnaire answer come in as requests, the bot's
  screens arrive at the fake API and the database holds what the user did;
- /metrics counts the updates by kind, their handler time, the 401s, the rejected update and
  the scheduler's runs;
- SIGTERM while an update is in hand: the request is finished (200, its message delivered),
  then the process exits 0 and accepts no more;
- two processes on one PostgreSQL, one user's updates alternating between them: the whole
  questionnaire, with the right scores; then the database is dropped and both /healthz say
  503 (and an in-process check: a database port that is closed);
- in process, the webhook's handler given bodies of any shape (not an update, not JSON, nested
  too deep to decode, larger than it reads): 200 to each, each set aside, and the bot goes on.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.factory import create_app
from bot.metrics import Metrics, web_routes
from bot.rejected import RejectedUpdates
from bot.webhook import MAX_BODY, SECRET_HEADER, WebhookHandler
from db.engine import create_engine
from db.models import QuizAttempt, RejectedUpdate, User
from tests.conftest import (
    KLIMOV_TITLE,
    TEXTS,
    World,
    _admin,
    question_head,
    rejected_rows,
    result_head,
    settings_for_tests,
)
from tests.fake_bot_api import BOT_USER, DATE, OK, TOKEN, Behaviour, FakeBotAPI, held

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Token_for-the-webhook"
WEBHOOK_URL = "https://bot.example.org/telegram/webhook"
PATH = "/telegram/webhook"
START_LIMIT = 40.0
# The technic statement wherever a pair has one, "А" elsewhere: Т8 П4 Ч4 Х3 З1 (test_klimov).
ALL_TECHNIC = "БАААААБАААБАААААБААА"
SCORES = {"technic": 8, "nature": 4, "human": 4, "art": 3, "sign": 1}

Json = dict[str, Any]
_update_ids = itertools.count(10_000)
_query_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BotProcess:
    """A `python -m bot` process in webhook mode; its output goes to `log`."""

    process: asyncio.subprocess.Process
    log: Path
    port: int
    workdir: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook(self) -> str:
        return self.base + PATH

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, within: float = 20.0) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            pytest.fail(f"the bot did not exit {within} s after SIGTERM:\n{self.tail()}")
        assert code == 0, f"the bot exited {code} after SIGTERM:\n{self.tail()}"


StartBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(patience=10.0) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


@pytest.fixture
def start_bot(
    database_url: str, api: FakeBotAPI, http: aiohttp.ClientSession, tmp_path: Path
) -> Iterator[StartBot]:
    """Starts webhook processes against the fake API; waits until each answers /healthz."""
    started: list[BotProcess] = []
    settings = {name.upper() for name in Settings.model_fields}
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in settings}

    async def start(name: str = "bot", url: str | None = None, **extra: str) -> BotProcess:
        port = free_port()
        workdir = tmp_path / name
        workdir.mkdir()
        env = inherited | {
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "DATABASE_URL": url or database_url,
            "WEBHOOK_URL": WEBHOOK_URL,
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "QUIZ_REMINDER_HOURS": "0",
            "OUTBOX_POLL_SECONDS": "0.2",
            "TELEGRAM_TIMEOUT_SECONDS": "10",
            "LOG_LEVEL": "INFO",
            **extra,
        }
        log = workdir / "bot.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=workdir,  # no .env there
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        bot = BotProcess(process, log, port, workdir)
        started.append(bot)
        deadline = time.monotonic() + START_LIMIT
        while True:
            if process.returncode is not None:
                pytest.fail(f"the bot exited ({process.returncode}) at start:\n{bot.tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the bot did not answer /healthz in {START_LIMIT} s:\n{bot.tail()}")
            try:
                async with http.get(bot.base + "/healthz") as response:
                    if response.status == 200 and "webhook of @" in bot.tail():
                        return bot
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)

    yield start
    for bot in started:
        if bot.process.returncode is None:
            bot.process.kill()


# --- a user talking to the bot through the webhook --------------------------------------------


@dataclass
class Screen:
    message_id: int
    text: str
    buttons: list[tuple[str, str]]


@dataclass
class WebhookUser:
    """A Telegram user whose updates go to the bot as webhook requests (round robin over
    `targets`, as a reverse proxy might), reading the bot's screens from the fake API."""

    http: aiohttp.ClientSession
    api: FakeBotAPI
    targets: list[str]
    user_id: int
    secret: str | None = SECRET
    _turn: Iterator[str] = field(init=False)

    def __post_init__(self) -> None:
        self._turn = itertools.cycle(self.targets)

    @property
    def user(self) -> Json:
        return {"id": self.user_id, "is_bot": False, "first_name": "Аня", "language_code": "ru"}

    @property
    def chat(self) -> Json:
        return {"id": self.user_id, "type": "private", "first_name": "Аня"}

    async def post(self, update: Json, target: str | None = None) -> int:
        headers = {} if self.secret is None else {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        async with self.http.post(
            target or next(self._turn), json=update, headers=headers
        ) as response:
            await response.read()
            return response.status

    def message(self, text: str, **extra: Any) -> Json:
        fields: Json = {"text": text, **extra}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        update_id = next(_update_ids)
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": DATE,
                "chat": self.chat,
                "from": self.user,
                **fields,
            },
        }

    async def send(self, text: str) -> int:
        return await self.post(self.message(text))

    def screens(self) -> list[Screen]:
        """The bot's messages in this chat as they stand now, in the order they were sent."""
        shown: dict[int, Screen] = {}
        for request in self.api.requests:
            if request.chat_id != self.user_id or request.result is None:
                continue
            if request.method == "sendMessage":
                message_id = int(request.result["message_id"])
            elif request.method == "editMessageText":
                message_id = int(request.form["message_id"])
            else:
                continue
            markup = json.loads(request.form.get("reply_markup") or "{}")
            buttons = [
                (b["text"], b.get("callback_data", ""))
                for row in markup.get("inline_keyboard", [])
                for b in row
            ]
            shown[message_id] = Screen(message_id, request.form.get("text", ""), buttons)
        return list(shown.values())

    def last(self) -> Screen:
        return self.screens()[-1]

    async def click(self, label: str) -> int:
        screen = next(s for s in reversed(self.screens()) if s.buttons)
        data = next((d for t, d in screen.buttons if t == label or t.endswith(label)), None)
        assert data is not None, f"no button {label!r} in {screen.buttons}"
        query = {
            "id": str(next(_query_ids)),
            "from": self.user,
            "chat_instance": "webhook",
            "data": data,
            "message": {
                "message_id": screen.message_id,
                "date": DATE,
                "chat": self.chat,
                "from": BOT_USER,
                "text": screen.text,
            },
        }
        return await self.post({"update_id": next(_update_ids), "callback_query": query})


async def register_and_open_quiz(user: WebhookUser) -> None:
    """/start, consent, role, school and grade, then the questionnaire's first question."""
    for step in (
        user.send("/start"),
        user.click(TEXTS("btn-welcome-next")),
        user.click(TEXTS("btn-agree")),
        user.click(TEXTS("role-student")),
        user.click("Школа № 1"),
        user.click(TEXTS("btn-grade", grade=9)),
        user.click(TEXTS("btn-quiz-start", title=KLIMOV_TITLE)),
        user.click(TEXTS("btn-quiz-begin")),
    ):
        assert await step == 200


async def metric(http: aiohttp.ClientSession, bot: BotProcess) -> dict[tuple[str, str], float]:
    """Every sample of /metrics: (name, labels as k=v joined by ",") -> value."""
    async with http.get(bot.base + "/metrics") as response:
        assert response.status == 200
        body = await response.text()
    samples: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[sample.name, labels] = sample.value
    return samples


async def user_row(database_url: str, user_id: int) -> User | None:
    app = await create_app(settings_for_tests(database_url))
    try:
        async with app.uow_factory() as uow:
            return await uow.session.get(User, user_id)
    finally:
        await app.close()


async def rejected_of(database_url: str) -> list[RejectedUpdate]:
    app = await create_app(settings_for_tests(database_url))
    try:
        return await rejected_rows(app)
    finally:
        await app.close()


async def finished_scores(database_url: str, user_id: int) -> list[dict[str, int] | None]:
    """The scores of each finished questionnaire of the user."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.scalars(
                select(QuizAttempt.scores).where(
                    QuizAttempt.user_id == user_id, QuizAttempt.finished_at.is_not(None)
                )
            )
            return list(rows)
    finally:
        await engine.dispose()


async def answers_of(database_url: str, user_id: int) -> list[str | None] | None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(
                select(QuizAttempt.answers).where(QuizAttempt.user_id == user_id)
            )
    finally:
        await engine.dispose()


def reply_to_a_story(user: WebhookUser) -> Json:
    """A reply to a story as Telegram has sent it (aiogram issue 1587): the story in
    `external_reply` lacks the `chat` and `id` aiogram's Story requires."""
    origin = {"type": "user", "date": DATE - 60, "sender_user": BOT_USER | {"is_bot": False}}
    return user.message("смотри", external_reply={"origin": origin, "story": {}})


# --- the tests ---------------------------------------------------------------------------------


async def test_webhook_mode_end_to_end(
    start_bot: StartBot, api: FakeBotAPI, http: aiohttp.ClientSession, database_url: str
) -> None:
    """One process through its life: registered, refusing forged requests, skipping an
    update it cannot parse, serving a user, counting, and stopping with an update in hand."""
    bot = await start_bot()
    (registered,) = [r for r in api.requests if r.method == "setWebhook"]
    assert registered.form["url"] == WEBHOOK_URL
    assert registered.form["secret_token"] == SECRET
    assert registered.form["drop_pending_updates"] == "false"
    assert {"message", "callback_query"} <= set(json.loads(registered.form["allowed_updates"]))
    assert "deleteWebhook" not in api.methods()  # polling's start, not webhook mode's

    # A forged secret and a missing one: 401, nothing read, written or sent.
    for secret in ("not-the-secret", None):
        intruder = WebhookUser(http, api, [bot.webhook], 7201, secret=secret)
        assert await intruder.send("/start") == 401
    assert api.sends(7201) == []
    assert await user_row(database_url, 7201) is None

    # An update aiogram cannot parse: 200 (Telegram would send it forever), kept, skipped.
    user = WebhookUser(http, api, [bot.webhook], 7101)
    story = reply_to_a_story(user)
    assert await user.post(story) == 200
    [row] = await rejected_of(database_url)
    assert (row.channel, row.update_id, row.user_id) == ("telegram", story["update_id"], 7101)
    assert json.loads(row.raw) == story
    assert "message.external_reply.story.id: Field required" in row.problems
    assert "cannot parse it (message.external_reply.story.chat: Field required" in bot.tail()
    assert f"kept as rejected update {row.id}" in bot.tail()
    assert "смотри" not in bot.tail()  # the message's text stays out of the log

    # The user's updates are answered; what they did is in the database.
    await register_and_open_quiz(user)
    assert question_head(1) in user.last().text
    assert await user.click("Б") == 200
    assert question_head(2) in user.last().text
    stored = await user_row(database_url, 7101)
    assert stored is not None
    assert (stored.role, stored.grade) == ("student", 9)
    assert await answers_of(database_url, 7101) == ["b", *[None] * 19]

    samples = await metric(http, bot)
    assert samples["profnavigator_updates_total", "kind=message"] == 1
    assert samples["profnavigator_updates_total", "kind=callback_query"] == 8
    assert samples["profnavigator_handler_seconds_count", "kind=callback_query"] == 8
    assert samples["profnavigator_update_errors_total", "kind=callback_query"] == 0
    assert samples["profnavigator_webhook_requests_total", "status=200"] == 10
    assert samples["profnavigator_webhook_requests_total", "status=401"] == 2
    assert samples["profnavigator_rejected_updates_total", ""] == 1
    assert samples["profnavigator_outbox_read_ok", ""] == 1
    assert samples["profnavigator_outbox_due_messages", ""] == 0
    # The scheduler started with the server; its first outbox run may come after the requests
    # above on a loaded machine: wait for it (a few seconds at most).
    lag = ("profnavigator_scheduler_lag_seconds_count", "job=outbox")
    for _ in range(50):
        if samples.get(lag, 0) >= 1:
            break
        await asyncio.sleep(0.1)
        samples = await metric(http, bot)
    assert samples.get(lag, 0) >= 1, "the outbox job never ran"

    # SIGTERM with an update in hand: it is finished and answered, then the process exits.
    sent_before = len(api.sends(7101))
    api.script(7101, Behaviour("slow", (OK,) * sent_before + (held(1.5),)))
    request = asyncio.create_task(user.send("/menu"))
    while len(api.sends(7101)) == sent_before:
        assert not request.done(), "answered before the bot sent its message"
        await asyncio.sleep(0.02)
    bot.process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(request, 20) == 200
    assert api.sends(7101)[-1].delivered
    assert await asyncio.wait_for(bot.process.wait(), 20) == 0, bot.tail()
    with pytest.raises(aiohttp.ClientConnectionError):
        await user.send("/menu")


async def test_two_processes_share_one_users_questionnaire_then_the_database_goes(
    start_bot: StartBot,
    api: FakeBotAPI,
    http: aiohttp.ClientSession,
    database_url: str,
    postgres_url: str | None,
) -> None:
    """Two processes on one PostgreSQL database, the user's updates alternating between them
    (a reverse proxy's round robin): the questionnaire to its result. Then the database is
    dropped: both say so on /healthz."""
    if postgres_url is None or not database_url.startswith("postgresql"):
        pytest.skip("several processes are for PostgreSQL")
    name = f"profnavigator_webhook_{os.getpid()}"
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    await _admin(postgres_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    try:
        await (await create_app(settings_for_tests(url))).close()  # migrated once, before both
        first, second = await asyncio.gather(
            start_bot("first", url=url), start_bot("second", url=url)
        )
        user = WebhookUser(http, api, [first.webhook, second.webhook], 7501)
        await register_and_open_quiz(user)
        for letter in ALL_TECHNIC:
            assert await user.click(letter) == 200
        assert result_head(datetime.now(UTC)) in user.last().text
        assert await finished_scores(url, 7501) == [SCORES]
        counts = []
        for bot in (first, second):
            samples = await metric(http, bot)
            kinds = ("message", "callback_query")
            counts.append([samples["profnavigator_updates_total", f"kind={k}"] for k in kinds])
        assert counts == [[1, 13], [0, 14]]  # /start and 27 taps, every other one to each

        await _admin(postgres_url, f"DROP DATABASE {name} WITH (FORCE)")
        for bot in (first, second):
            async with http.get(bot.base + "/healthz") as response:
                assert response.status == 503
                body = await response.json()
            assert body["status"] == "unavailable"
            assert "does not exist" in body["database"]
            samples = await metric(http, bot)  # the rest is served; the outbox figures say so
            assert samples["profnavigator_outbox_read_ok", ""] == 0
        await asyncio.gather(first.stop(), second.stop())
    finally:
        await _admin(postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def test_healthz_is_503_when_the_database_port_is_closed(settings: Settings) -> None:
    """In process: the health route of an app whose engine points at a closed port."""
    app = await create_app(settings)
    closed = create_engine(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none")
    web_app = web.Application()
    web_app.add_routes(web_routes(Metrics(), closed, app.uow_factory, app.clock, "test"))
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as r,
        ):
            assert r.status == 503
            assert (await r.json())["status"] == "unavailable"
    finally:
        await runner.cleanup()
        await closed.dispose()
        await app.close()


def test_the_settings_refuse_a_webhook_without_a_proper_secret() -> None:
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        Settings(_env_file=None, webhook_url=WEBHOOK_URL)
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        Settings(_env_file=None, webhook_url=WEBHOOK_URL, webhook_secret="has spaces")
    with pytest.raises(ValueError, match="https"):
        Settings(_env_file=None, webhook_url="http://bot.example.org/", webhook_secret=SECRET)
    ok = Settings(_env_file=None, webhook_url=WEBHOOK_URL, webhook_secret=SECRET)
    assert ok.webhook_listen_path == PATH
    moved = Settings(
        _env_file=None, webhook_url=WEBHOOK_URL, webhook_secret=SECRET, webhook_path="/hook"
    )
    assert moved.webhook_listen_path == "/hook"


async def test_a_webhook_request_of_any_shape_gets_200_and_the_bot_goes_on(world: World) -> None:
    """In process: the webhook's handler, with the real app and dispatcher, given bodies no
    Telegram update has; each is answered 200 (Telegram would send it again and again
    otherwise), set aside, counted, and the update after them is answered."""
    app = world.app
    rejected = RejectedUpdates(app.uow_factory, app.clock)
    handler = WebhookHandler(world.dispatcher, world.bot, SECRET, app.metrics, rejected)
    web_app = web.Application(client_max_size=MAX_BODY)
    handler.register(web_app, path=PATH)
    deep = b"[" * 100_000 + b"]" * 100_000  # more than the JSON decoder's recursion takes
    odd: list[bytes] = [
        b"[1, 2]",
        b'"a string"',
        b"{not json",
        deep,
        json.dumps({"update_id": "x", "message": "text"}).encode(),
        json.dumps({"update_id": 5, "message": {"from": [[{"id": [None]}]]}}).encode(),
        b"{" + b" " * MAX_BODY + b"}",  # larger than any update Telegram sends
    ]
    start = {
        "update_id": 6,
        "message": {
            "message_id": 1,
            "date": DATE,
            "chat": {"id": 7301, "type": "private", "first_name": "Аня"},
            "from": {"id": 7301, "is_bot": False, "first_name": "Аня"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with TestServer(web_app) as server, aiohttp.ClientSession() as http:
        url = str(server.make_url(PATH))
        for body in [*odd, json.dumps(start).encode()]:
            async with http.post(url, data=body, headers=headers) as response:
                assert response.status == 200, body[:40]

    assert world.telegram.messages(7301)  # the update after them is answered
    rows = await rejected_rows(app)
    kept_as = [body.decode() for body in odd[:6]]
    kept_as[1] = "a string"  # a JSON string is kept as the text it holds
    assert [row.raw for row in rows[:6]] == kept_as
    assert [row.update_id for row in rows] == [None, None, None, None, None, 5, None]
    assert rows[3].problems[0].startswith("RecursionError")
    assert rows[6].raw == ""  # not read
    assert rows[6].problems == [
        f"ValueError: the body ({len(odd[6])} bytes) is larger than {MAX_BODY} bytes"
    ]
    assert app.metrics.registry.get_sample_value("profnavigator_rejected_updates_total") == 7
