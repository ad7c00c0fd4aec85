"""Fixtures. Every test that touches the database runs on SQLite and, when TEST_DATABASE_URL
names a PostgreSQL database, on PostgreSQL as well (the test ids say which).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from bot import retry as retry_module
from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from bot.sender import Pace
from db import migrate
from db.base import Base
from db.engine import create_engine
from db.models import RejectedUpdate, User
from handlers.views.catalogue import where_to_study
from locales import Texts
from quizzes import Questionnaire, load_all

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


class FakeClock:
    """The bot's notion of now; tests move it forward instead of sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def _admin(url: str, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A database of this test run's own on the server TEST_DATABASE_URL names, so parallel
    runs on one machine do not trample each other; dropped at the end."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"profnavigator_test_{os.getpid()}"
    asyncio.run(_admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def reset_postgres(url: str) -> None:
    """Drop everything: an empty database."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def clear_postgres(url: str) -> None:
    """The schema at the latest migration and no rows, ids starting from 1 again: emptied in
    one TRUNCATE when the previous test left the schema as the migrations make it (most do),
    else dropped and migrated anew (a migration test leaves it elsewhere)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            at_head = "alembic_version" in tables and (
                await connection.run_sync(migrate.current) == migrate.head()
            )
            if at_head and tables == {*Base.metadata.tables, "alembic_version"}:
                names = ", ".join(f'"{name}"' for name in Base.metadata.tables)
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                return
        await reset_postgres(url)
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per test run, copied for each test (migrating a new
    file for every test cost a third of a second each)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    with sqlite3.connect(path) as connection:  # one file to copy: no write-ahead log beside it
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set"),
    ),
]


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_url: str | None,
    sqlite_template: Path,
) -> str:
    """A database of each backend with the schema at the latest migration and no rows (the
    bot migrates at start-up, so this is what it finds on its first start)."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    assert postgres_url is not None
    await clear_postgres(postgres_url)
    return postgres_url


@pytest.fixture(params=BACKENDS)
async def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None
) -> str:
    """A database of each backend with nothing in it, not even the schema (migration tests)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    assert postgres_url is not None
    await reset_postgres(postgres_url)
    return postgres_url


@pytest.fixture
def clock() -> FakeClock:
    # A Tuesday in November, 15:00 in Zima.
    return FakeClock(datetime(2026, 11, 24, 7, 0, tzinfo=UTC))


def settings_for_tests(database_url: str, **changes: Any) -> Settings:
    """The settings tests run with (no token, no .env file); `changes` override a setting."""
    return Settings(
        **{
            "_env_file": None,
            "database_url": database_url,
            "bot_token": None,
            "quiz_reminder_hours": 24,
            "send_rate_per_second": 30,
            **changes,
        }
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the retry middleware and the outbox's pace take, recorded instead of slept
    through."""
    waited: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        waited.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(retry_module, "asyncio", SimpleNamespace(sleep=sleep))
    monkeypatch.setattr(Pace, "sleep", staticmethod(sleep))
    return waited


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    application = await create_app(settings, clock=clock)
    yield application
    await application.close()


@pytest.fixture
def telegram() -> LocalTelegram:
    return LocalTelegram()


@pytest.fixture
def bot(settings: Settings, telegram: LocalTelegram) -> Bot:
    return create_bot(settings, session=telegram)


@pytest.fixture
def dispatcher(app: App) -> Dispatcher:
    return create_dispatcher(app)


@dataclass
class World:
    app: App
    dispatcher: Dispatcher
    bot: Bot
    telegram: LocalTelegram
    clock: FakeClock

    def user(self, user_id: int = 5001, name: str = "Аня") -> Conversation:
        return Conversation(self.dispatcher, self.bot, self.telegram, user_id, name)


@pytest.fixture
def world(
    app: App, dispatcher: Dispatcher, bot: Bot, telegram: LocalTelegram, clock: FakeClock
) -> World:
    return World(app, dispatcher, bot, telegram, clock)


@pytest.fixture
async def other(
    settings: Settings, clock: FakeClock, telegram: LocalTelegram
) -> AsyncIterator[World]:
    """A second bot process on the same database: an app of its own (engine, connection pool,
    writer lock, content library), its own dispatcher and bot, talking to the same Telegram
    (`telegram`) as `world`. `world.user(7)` and `other.user(7)` are one person whose updates
    reach either process."""
    application = await create_app(settings, clock=clock)
    try:
        bot = create_bot(settings, session=telegram)
        yield World(application, create_dispatcher(application), bot, telegram, clock)
    finally:
        await application.close()


@pytest.fixture
def chat(world: World) -> Conversation:
    return world.user()


async def rejected_rows(app: App) -> list[RejectedUpdate]:
    """The updates kept as unreadable (bot/rejected.py), in the order they were kept."""
    async with app.uow_factory() as uow:
        query = select(RejectedUpdate).order_by(RejectedUpdate.id)
        return list((await uow.session.scalars(query)).all())


async def stored_user(world: World, user_id: int) -> User | None:
    async with world.app.uow_factory() as uow:
        return await uow.session.get(User, user_id)


#: The bot's texts, to build what a test expects from the same locale file the bot reads (so a
#: coordinator's rewording does not break the suite; tests/test_reworded_texts.py proves it).
TEXTS = Texts()


#: The first line of the main menu (a guest's and a member's alike).
MENU_HEAD = TEXTS("menu", role="student", done="no").split("\n")[0]
KLIMOV_TITLE = "Опросник Климова (ДДО)"
#: The questionnaire as the app loads it (its statements and scales are data, not locale texts).
KLIMOV = load_all()["klimov"]


def quiz_intro(quiz: Questionnaire = KLIMOV) -> str:
    """The screen before a questionnaire's first question."""
    return TEXTS(
        "quiz-intro",
        title=escape(quiz.title),
        author=escape(quiz.author) or "none",
        summary=escape(quiz.summary),
        instruction=escape(quiz.instruction),
        duration=escape(quiz.duration) or "none",
        total=quiz.length,
    )


def question_head(number: int, total: int = 20, title: str = KLIMOV_TITLE) -> str:
    """The line above a question: its questionnaire and «вопрос N / M»."""
    return TEXTS("quiz-question", title=title, number=number, total=total, options="").split("\n")[
        0
    ]


def consent_text(updated: bool = False) -> str:
    """The consent screen; `updated`: the version asked again after the text changed."""
    version = TEXTS("consent-version")
    return TEXTS("consent", updated="yes" if updated else "no", version=version, days=30)


def type_page(world: World, scale_id: str) -> str:
    """The public page of an interest type: all its professions and where to study them."""
    scale = world.app.quizzes["klimov"].scale(scale_id)
    catalogue = world.app.catalogue
    return TEXTS(
        "type-page",
        title=escape(scale.title),
        description=escape(scale.description),
        qualities=escape(scale.qualities),
        professions=", ".join(escape(p.title) for p in catalogue.professions_for(scale_id)),
        study=where_to_study(TEXTS, catalogue, scale_id, None),
    )


def result_head(finished: datetime, title: str = KLIMOV_TITLE) -> str:
    """The first line of a questionnaire's result, finished at `finished`."""
    return TEXTS("result-head", title=title, date=TEXTS.date(finished))


def reminder_text(done: int, total: int = 20, title: str = KLIMOV_TITLE) -> str:
    return TEXTS("reminder-quiz", title=title, done=done, total=total)


async def register(
    chat: Conversation,
    role: str = TEXTS("role-student"),
    organisation: str | None = "Школа № 1",  # the catalogue's name
    grade: str | None = TEXTS("btn-grade", grade=9),
) -> None:
    """/start, consent, role, school and grade, tapping the buttons a user would tap."""
    await chat.send("/start")
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-agree"))
    await chat.click(role, on=chat.with_buttons())
    if organisation is not None:
        await chat.click(organisation)
    if grade is not None:
        await chat.click(grade)


async def send_outbox(world: World) -> int:
    """One tick of the outbox a second after the last (a chat gets at most one message a
    second, so what waits for the same person goes out a tick later)."""
    world.clock.advance(seconds=1)
    return await world.app.scheduled_jobs(world.bot).send_outbox()
