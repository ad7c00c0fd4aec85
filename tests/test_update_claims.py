"""An update Telegram delivers twice is handled once, in one process or across two on the same
database (bot/middlewares.py `OncePerUpdate`, `update_claims`); one whose handling died midway
is handled again when it comes back; the claims are pruned after two days."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import pytest
from aiogram import methods
from aiogram.types import Update
from sqlalchemy import func, select, update

from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from bot.middlewares import OncePerUpdate
from db.channels import TELEGRAM
from db.models import QuizAttempt, UpdateClaim
from tests.conftest import (
    KLIMOV_TITLE,
    TEXTS,
    World,
    question_head,
    register,
    settings_for_tests,
)

_ids = itertools.count(3_000_000_000)
#: Webhook mode, where every update is claimed once across processes (bot/factory.py).
WEBHOOK = {"webhook_url": "https://bot.example.org/telegram/webhook", "webhook_secret": "s3cret"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, **WEBHOOK)


def start_update(chat: Conversation, text: str = "/start") -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids),
            "date": 1_795_000_000,
            "chat": chat.chat_payload,
            "from": chat.user_payload,
            "text": text,
        },
    }


def tap_update(chat: Conversation, label: str) -> dict[str, Any]:
    """A tap on the button `label` of the screen the user looks at, as one update."""
    screen = chat.with_buttons()
    data = next(d for t, d in screen.buttons if t == label)
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": f"q{next(_ids)}",
            "from": chat.user_payload,
            "chat_instance": "local",
            "data": data,
            "message": {
                "message_id": screen.message_id,
                "date": 1_795_000_000,
                "chat": chat.chat_payload,
                "from": {"id": 1000000001, "is_bot": True, "first_name": "Профнавигатор"},
                "text": screen.text,
            },
        },
    }


async def claims(world: World, *others: World) -> list[tuple[int, int, bool]]:
    """Every claim (update id, token, done), once each process recorded its completions."""
    for process in (world, *others):
        await process.dispatcher["update_claims"].flush()
    async with world.app.uow_factory() as uow:
        rows = await uow.session.execute(
            select(UpdateClaim.update_id, UpdateClaim.token, UpdateClaim.done_at.is_not(None))
        )
        return sorted((int(u), int(t), bool(d)) for u, t, d in rows)


async def answers_of(world: World, user_id: int) -> tuple[list[str | None], int]:
    async with world.app.uow_factory() as uow:
        query = select(QuizAttempt).where(QuizAttempt.user_id == user_id)
        attempt = await uow.session.scalar(query)
        assert attempt is not None
        return list(attempt.answers), attempt.position


async def open_quiz(chat: Conversation) -> None:
    await register(chat)
    await chat.click(TEXTS("btn-quiz-start", title=KLIMOV_TITLE))
    await chat.click(TEXTS("btn-quiz-begin"))
    assert question_head(1) in chat.last.text


def sent_to(world: World, chat: Conversation) -> int:
    return len([m for m in world.telegram.calls(methods.SendMessage) if m.chat_id == chat.user_id])


async def test_a_message_delivered_again_is_answered_once(world: World) -> None:
    chat = world.user()
    payload = start_update(chat)
    await chat.feed(payload)
    sent = sent_to(world, chat)
    assert sent >= 1

    await chat.feed(payload)

    assert sent_to(world, chat) == sent
    assert [done for _, _, done in await claims(world)] == [True]


async def test_a_tap_delivered_to_both_processes_at_once_counts_once(
    world: World, other: World
) -> None:
    """The same update reaches two processes at the same moment (a proxy retried it): one
    handles it, the other waits for that and skips it; the answer is stored once, the
    screen edited once, the query answered once."""
    chat = world.user()
    await open_quiz(chat)
    twin = other.user(chat.user_id)
    screen = chat.with_buttons()
    edits = screen.edits
    payload = tap_update(chat, screen.buttons[0][0])

    await asyncio.gather(chat.feed(payload), twin.feed(payload))

    answers, position = await answers_of(world, chat.user_id)
    assert (answers[0], position) == ("a", 1)
    assert screen.edits == edits + 1
    assert question_head(2) in screen.text
    query_id = payload["callback_query"]["id"]
    assert [t.callback_query_id for t in world.telegram.toasts].count(query_id) == 1
    [(_, _, done)] = [c for c in await claims(world, other) if c[0] == payload["update_id"]]
    assert done


async def test_a_redelivery_waits_for_the_process_handling_it(world: World, other: World) -> None:
    """Another process holds the update (its claim is fresh); the redelivery is not handled
    while it does, and is skipped once it has finished."""
    chat = world.user()
    payload = start_update(chat)
    async with other.app.uow_factory() as uow, uow.write():
        now = world.clock()
        await uow.updates.claim(TELEGRAM, payload["update_id"], 42, now, now)

    redelivery = asyncio.create_task(chat.feed(payload))
    await asyncio.sleep(0.3)
    assert not redelivery.done()
    assert sent_to(world, chat) == 0
    async with other.app.uow_factory() as uow, uow.write():
        await uow.updates.complete(TELEGRAM, [payload["update_id"]], 42, world.clock())
    await asyncio.wait_for(redelivery, timeout=10)

    assert sent_to(world, chat) == 0  # the other process answered it


async def test_an_update_whose_process_died_is_handled_on_redelivery(world: World) -> None:
    """A claim nobody renewed for longer than the lease (its process was killed midway) is
    taken over: the redelivered /start is answered."""
    chat = world.user()
    payload = start_update(chat)
    lease = timedelta(seconds=world.app.settings.update_lease_seconds)
    async with world.app.uow_factory() as uow, uow.write():
        before = world.clock() - lease - timedelta(seconds=1)
        await uow.updates.claim(TELEGRAM, payload["update_id"], 42, before, before)

    await asyncio.wait_for(chat.feed(payload), timeout=10)

    assert sent_to(world, chat) >= 1
    [(_, token, done)] = await claims(world)
    assert token != 42
    assert done


async def test_an_update_that_failed_is_handled_again_when_delivered_again(
    world: World,
) -> None:
    chat = world.user()
    payload = start_update(chat)
    world.telegram.fail_next(lambda _: RuntimeError("connection reset"), methods.SendMessage)
    await chat.feed(payload)  # the errors router tells the user; the claim is given up
    assert await claims(world) == []
    sent = sent_to(world, chat)

    await chat.feed(payload)

    assert sent_to(world, chat) > sent
    assert [done for _, _, done in await claims(world)] == [True]


async def test_a_long_handling_keeps_its_claim(world: World) -> None:
    """While a process works on an update for longer than the lease, it renews its claim, so a
    redelivery in the meantime is not handled a second time."""
    lease = timedelta(seconds=1.2)
    first = OncePerUpdate(world.app.uow_factory, world.clock, lease)
    second = OncePerUpdate(world.app.uow_factory, world.clock, lease)
    update_obj = Update.model_validate(start_update(world.user()))
    handled: list[str] = []

    async def slow(_event: Any, _data: dict[str, Any]) -> None:
        handled.append("first")
        for _ in range(25):  # the bot's clock keeps up with the real one
            world.clock.advance(seconds=0.1)
            await asyncio.sleep(0.1)

    async def quick(_event: Any, _data: dict[str, Any]) -> None:
        handled.append("second")

    async def through(middleware: OncePerUpdate, handler: Any) -> None:
        async with world.app.uow_factory() as uow:
            await middleware(handler, update_obj, {"uow": uow, "event_chat": None})

    task = asyncio.create_task(through(first, slow))
    await asyncio.sleep(1.5)  # past the lease: without a renewal the claim would have lapsed
    await asyncio.wait_for(through(second, quick), timeout=10)
    await task

    assert handled == ["first"]


async def test_long_polling_claims_nothing(database_url: str, clock: Any) -> None:
    """One process polls a bot at a time and confirms what it handled: no claim is written."""
    app = await create_app(settings_for_tests(database_url), clock=clock)
    try:
        dispatcher = create_dispatcher(app)
        assert "update_claims" not in dispatcher.workflow_data
        telegram = LocalTelegram()
        polling = World(
            app, dispatcher, create_bot(app.settings, session=telegram), telegram, clock
        )
        chat = polling.user(5001)
        await chat.feed(start_update(chat))
        assert chat.messages  # answered
        async with app.uow_factory() as uow:
            assert (await uow.session.scalars(select(UpdateClaim))).all() == []
    finally:
        await app.close()


async def test_updates_from_max_are_not_claimed(world: World) -> None:
    """MAX's updates carry ids this process made up (bot/max/polling.py): they are not
    claimed, so two MAX users' first updates never shadow each other."""
    chat = world.user(-7001)
    await chat.feed(start_update(chat))
    assert sent_to(world, chat) >= 1
    assert await claims(world) == []


async def test_claims_are_pruned_after_two_days(world: World) -> None:
    chat = world.user()
    old, recent = start_update(chat), start_update(chat, "/help")
    await chat.feed(old)
    async with world.app.uow_factory() as uow, uow.write():
        await uow.session.execute(
            update(UpdateClaim)
            .where(UpdateClaim.update_id == old["update_id"])
            .values(claimed_at=world.clock() - timedelta(days=2, seconds=1))
        )
    await chat.feed(recent)

    pruned = await world.app.scheduled_jobs(world.bot).prune_update_claims()

    assert pruned == 1
    assert [u for u, _, _ in await claims(world)] == [recent["update_id"]]
    async with world.app.uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(UpdateClaim)) == 1
