"""Where conversation state lives: the database by default, Redis when `REDIS_URL` is set;
never only in one process's memory, so a half-filled dialog survives a restart and any process
can continue it.

No maintained SQL-backed FSM storage exists for aiogram, so `DatabaseStorage` is the project's
own: each call is one short transaction of its own, and `update_data` reads and writes in the
same transaction under the row's lock (SQLite: the write lock), so concurrent updates of one
chat lose nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    StateType,
    StorageKey,
)

from bot.config import Settings
from db.uow import UnitOfWorkFactory


def key_builder() -> DefaultKeyBuilder:
    """One key per bot, business connection, chat, thread, user and destiny, as aiogram builds it
    (a key without a business connection or thread reads `fsm:<bot>:<chat>:<user>:<destiny>`)."""
    return DefaultKeyBuilder(with_bot_id=True, with_business_connection_id=True, with_destiny=True)


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


class DatabaseStorage(BaseStorage):
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime]) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._keys = key_builder()

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def _read(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        async with self._uow_factory() as uow:
            found = await uow.conversations.get(self._key(key))
            await uow.end_read()
        return found if found is not None else (None, {})

    async def _change(
        self,
        key: StorageKey,
        change: Callable[[str | None, dict[str, Any]], tuple[str | None, dict[str, Any]]],
    ) -> dict[str, Any]:
        name = self._key(key)
        async with self._uow_factory() as uow, uow.write():
            await uow.conversations.reserve(name, self._clock())
            found = await uow.conversations.get(name, for_update=True)
            state, data = change(*(found if found is not None else (None, {})))
            await uow.conversations.put(name, state, data, self._clock())
        return data

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._change(key, lambda _, data: (_state_name(state), data))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._change(key, lambda state, _: (state, dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self._read(key))[1]

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        updated = await self._change(key, lambda state, current: (state, {**current, **data}))
        return dict(updated)

    async def close(self) -> None:
        return None


def create_isolation(storage: BaseStorage) -> BaseEventIsolation | None:
    """What serialises the dialog-state work of one chat across processes (bot/middlewares.py
    `DialogState` takes it when an update first touches the chat's state).

    With Redis, aiogram's `RedisEventIsolation` (a Redis lock per chat), since RedisStorage's
    `update_data` is a read and a write that two processes could interleave, losing a key the
    other wrote. The database storage needs none: each of its calls is one transaction and
    `update_data` changes the row under its lock, so no key written is lost whichever process
    writes it (and holding a lock per chat would hold a connection for the whole update).
    """
    from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage  # noqa: PLC0415

    if isinstance(storage, RedisStorage):
        return RedisEventIsolation(storage.redis, key_builder=key_builder())
    return None


def create_storage(
    settings: Settings, uow_factory: UnitOfWorkFactory, clock: Callable[[], datetime]
) -> BaseStorage:
    """Redis (aiogram's RedisStorage) when REDIS_URL is set, else the database."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage  # noqa: PLC0415 - needs redis

        return RedisStorage.from_url(settings.redis_url, key_builder=key_builder())
    return DatabaseStorage(uow_factory, clock)
