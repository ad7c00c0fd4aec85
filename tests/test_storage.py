"""Conversation state is kept in the database (or Redis): a half-filled dialog survives a restart
and concurrent updates of one chat lose nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest
import redis.asyncio
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import func, select

from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from bot.storage import DatabaseStorage, create_storage, key_builder
from db.models import ConversationState
from tests.conftest import TEXTS, FakeClock, register

REDIS_URL = "redis://127.0.0.1:6379/15"


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


async def test_the_storage_keeps_state_names_and_data_copies(app: App, clock: FakeClock) -> None:
    storage = DatabaseStorage(app.uow_factory, clock)
    assert await storage.get_state(key()) is None
    assert await storage.get_data(key()) == {}

    await storage.set_state(key(), Form.step)  # a State is stored by its name
    assert await storage.get_state(key()) == "Form:step"
    await storage.set_state(key(), "Other:name")
    await storage.set_data(key(), {"a": [1, 2], "b": {"c": "ё"}})
    assert await storage.get_state(key()) == "Other:name"
    assert await storage.get_data(key()) == {"a": [1, 2], "b": {"c": "ё"}}

    merged = await storage.update_data(key(), {"b": None, "d": 4})
    assert merged == {"a": [1, 2], "b": None, "d": 4}
    merged["e"] = 5  # the caller's copy, not the stored data
    assert await storage.get_data(key()) == {"a": [1, 2], "b": None, "d": 4}
    assert await storage.get_state(key()) == "Other:name"  # data changes keep the state

    await storage.set_state(key(), None)
    assert await rows(app) == 1  # the data is still there
    await storage.set_data(key(), {})
    assert await rows(app) == 0
    await storage.update_data(key(), {})  # an empty change of an empty chat stores nothing
    assert await rows(app) == 0


async def test_different_keys_do_not_mix(app: App, clock: FakeClock) -> None:
    storage = DatabaseStorage(app.uow_factory, clock)
    keys = [
        key(42),
        key(43),
        StorageKey(bot_id=2, chat_id=42, user_id=42),
        StorageKey(bot_id=1, chat_id=42, user_id=42, thread_id=7),
        StorageKey(bot_id=1, chat_id=42, user_id=42, business_connection_id="bc1"),
        StorageKey(bot_id=1, chat_id=42, user_id=42, destiny="other"),
    ]
    for index, one in enumerate(keys):
        await storage.set_state(one, f"S:{index}")
        await storage.update_data(one, {"index": index})
    for index, one in enumerate(keys):
        assert await storage.get_state(one) == f"S:{index}"
        assert await storage.get_data(one) == {"index": index}
    assert await rows(app) == len(keys)


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


async def test_concurrent_changes_of_two_chats_lose_nothing(app: App, clock: FakeClock) -> None:
    """Two storages (as two processes would have) change two fresh chats at once, state and data
    interleaved: every key arrives, each in its own chat, and the state survives the data
    changes."""
    first = DatabaseStorage(app.uow_factory, clock)
    second = DatabaseStorage(app.uow_factory, clock)
    changes: list[Coroutine[Any, Any, object]] = [
        storage.update_data(key(chat), {f"k{i}": i})
        for i in range(30)
        for chat, storage in ((50, first), (51, second))
    ]
    changes.insert(10, first.set_state(key(50), Form.step))
    changes.insert(40, second.set_state(key(51), "Other:name"))
    await asyncio.gather(*changes)
    assert await first.get_data(key(50)) == {f"k{i}": i for i in range(30)}
    assert await second.get_data(key(51)) == {f"k{i}": i for i in range(30)}
    assert await first.get_state(key(50)) == Form.step.state
    assert await first.get_state(key(51)) == "Other:name"


async def test_the_editor_continues_after_a_restart(settings: Settings, clock: FakeClock) -> None:
    """A coordinator's half-filled event survives the bot stopping in the middle."""
    admin = 7777
    settings = settings.model_copy(update={"admin_ids": frozenset({admin})})
    telegram = LocalTelegram()

    first = await create_app(settings, clock=clock)
    bot = create_bot(settings, session=telegram)
    chat = Conversation(create_dispatcher(first), bot, telegram, admin, "Админ")
    await register(chat, role=TEXTS("role-teacher"), grade=None)
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


async def test_without_redis_url_the_database_keeps_it(app: App) -> None:
    assert app.settings.redis_url is None
    storage = create_storage(app.settings, app.uow_factory, app.clock)
    assert isinstance(storage, DatabaseStorage)


@pytest.fixture
async def redis_storage(settings: Settings, app: App) -> AsyncIterator[BaseStorage]:
    storage = create_storage(
        settings.model_copy(update={"redis_url": REDIS_URL}), app.uow_factory, app.clock
    )
    try:
        await storage.get_state(key())
    except (OSError, redis.asyncio.ConnectionError):
        await storage.close()
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    yield storage
    await storage.close()


async def test_with_redis_url_the_state_goes_to_redis(redis_storage: BaseStorage, app: App) -> None:
    # A chat id of this test's own, so only its keys are touched (and removed) in db 15.
    chat = 10**12 + uuid.uuid4().int % 10**9
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    pattern = key_builder().build(key(chat)) + "*"
    try:
        context = FSMContext(redis_storage, key(chat))
        await context.set_state(Form.step)
        await context.update_data(title="Проба")
        assert await context.get_state() == Form.step.state
        assert await context.get_data() == {"title": "Проба"}
        assert await rows(app) == 0  # not in the database
        stored = sorted([name.decode() async for name in client.scan_iter(match=pattern)])
        assert stored == [f"fsm:1:{chat}:{chat}:default:data", f"fsm:1:{chat}:{chat}:default:state"]
        await context.clear()
        assert [name async for name in client.scan_iter(match=pattern)] == []
    finally:
        leftovers = [name async for name in client.scan_iter(match=pattern)]
        if leftovers:
            await client.delete(*leftovers)
        await client.aclose()
