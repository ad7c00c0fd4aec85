"""Conversation state is kept in the database (or Redis): a half-filled dialog survives a restart
and concurrent updates of one chat lose nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import func, select

from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from bot.storage import DatabaseStorage, create_storage
from db.models import ConversationState
from tests.conftest import FakeClock, register


class Form(StatesGroup):
    step = State()


def key(chat_id: int = 42) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=chat_id, user_id=chat_id)


async def rows(app: App) -> int:
    async with app.uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count(ConversationState.key))) or 0)


async def test_state_and_data_are_kept_and_cleared(app: App, clock: FakeClock) -> None:
    storage = DatabaseStorage(app.uow_factory, clock)
    context = FSMContext(storage, key())
    await context.set_state(Form.step)
    await context.update_data(title="Проба")
    await context.update_data(capacity=20)
    assert await context.get_state() == Form.step.state
    assert await context.get_data() == {"title": "Проба", "capacity": 20}
    assert await FSMContext(storage, key(43)).get_data() == {}  # another chat

    await context.set_state(None)
    await context.set_data({})
    assert await rows(app) == 0  # nothing left behind


async def test_a_restart_keeps_the_state(settings: Settings, clock: FakeClock) -> None:
    first = await create_app(settings, clock=clock)
    await FSMContext(DatabaseStorage(first.uow_factory, clock), key()).update_data(step="place")
    await first.close()
    second = await create_app(settings, clock=clock)
    try:
        context = FSMContext(DatabaseStorage(second.uow_factory, clock), key())
        assert await context.get_data() == {"step": "place"}
    finally:
        await second.close()


async def test_concurrent_updates_of_one_chat_lose_nothing(app: App, clock: FakeClock) -> None:
    storage = DatabaseStorage(app.uow_factory, clock)
    await asyncio.gather(*(storage.update_data(key(), {f"k{i}": i}) for i in range(50)))
    assert await storage.get_data(key()) == {f"k{i}": i for i in range(50)}


async def test_the_editor_continues_after_a_restart(settings: Settings, clock: FakeClock) -> None:
    """A coordinator's half-filled event survives the bot stopping in the middle."""
    admin = 7777
    settings = settings.model_copy(update={"admin_ids": frozenset({admin})})
    telegram = LocalTelegram()

    first = await create_app(settings, clock=clock)
    bot = create_bot(settings, session=telegram)
    chat = Conversation(create_dispatcher(first), bot, telegram, admin, "Админ")
    await register(chat, role="Я педагог", grade=None)
    texts = first.texts
    await chat.send("/manage")
    await chat.click(texts("btn-event-new"))
    await chat.click(texts("event-kind", kind="open_day"))
    await chat.send("День открытых дверей ЗЖДТ")
    await first.close()

    second = await create_app(settings, clock=clock)
    try:
        chat.dispatcher = create_dispatcher(second)
        await chat.click(texts("btn-editor-skip"))  # the description: the dialog goes on
        assert texts("editor-step", step="organisation") in chat.last.text
    finally:
        await second.close()


@pytest.fixture
async def redis_storage(settings: Settings, app: App) -> AsyncIterator[BaseStorage]:
    url = "redis://127.0.0.1:6379/15"
    storage = create_storage(
        settings.model_copy(update={"redis_url": url}), app.uow_factory, app.clock
    )
    try:
        await storage.get_state(key())
    except OSError:
        await storage.close()
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    yield storage
    await storage.close()


async def test_with_redis_url_the_state_goes_to_redis(redis_storage: BaseStorage, app: App) -> None:
    chat = int(uuid.uuid4().int % 10**9)
    context = FSMContext(redis_storage, key(chat))
    await context.set_state(Form.step)
    await context.update_data(title="Проба")
    assert await context.get_data() == {"title": "Проба"}
    assert await rows(app) == 0  # not in the database
    await context.clear()
