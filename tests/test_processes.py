"""Two bot processes on one database (each its own app: engine, pool, writer lock, dispatcher,
bot; both talking to the same Telegram) give what one process gives: one user's taps split
between them, two taps at once, sign-ups for a few seats, dialog state, and the scheduled jobs
run by both at the same moment (each reminder and survey queued and sent once).

Every test runs on SQLite too (two engines on one file queue on its write lock), and on
PostgreSQL with TEST_DATABASE_URL (row locks, SKIP LOCKED, unique keys)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio
from aiogram import methods
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import func, select

from bot.config import Settings
from bot.conversation import Conversation
from bot.middlewares import IsolatedContext
from bot.storage import DatabaseStorage, create_isolation, create_storage
from db.calendar import Moment
from db.models import OutboxMessage, QuizAttempt, Registration, Step, UpdateClaim
from services import events as event_service
from services import profile
from services.events import Applicant
from tests.conftest import (
    KLIMOV,
    KLIMOV_TITLE,
    TEXTS,
    FakeClock,
    World,
    question_head,
    register,
    settings_for_tests,
)
from tests.test_events import make_event

ADMIN = 90_001
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Webhook mode: any process may get any update, each is claimed once (bot/factory.py).
    return settings_for_tests(
        database_url,
        admin_ids=frozenset({ADMIN}),
        webhook_url="https://bot.example.org/telegram/webhook",
        webhook_secret="s3cret",
    )


# --- the questionnaire -----------------------------------------------------------------------


async def open_quiz(chat: Conversation) -> None:
    await register(chat)
    await chat.click(TEXTS("btn-quiz-start", title=KLIMOV_TITLE))
    await chat.click(TEXTS("btn-quiz-begin"))
    assert question_head(1) in chat.last.text


def choices() -> list[int]:
    """Which of the two statements the user picks at each question (fixed, not all alike)."""
    return [random.Random(7).randrange(2) for _ in range(KLIMOV.length)]


async def test_one_users_taps_split_between_two_processes_and_doubled_give_one_result(
    world: World, other: World
) -> None:
    """A user answers the whole questionnaire; each tap reaches one process or the other in
    turn, and every tap is doubled (the same button pressed twice at once, each press reaching
    a different process). The answers, the result and every message are what a single
    process gives a user who taps each answer once."""
    alone, split = world.user(5001), world.user(5002)
    twin = other.user(split.user_id)
    await open_quiz(alone)
    await open_quiz(split)

    for number, choice in enumerate(choices(), start=1):
        label = alone.with_buttons().buttons[choice][0]
        await alone.click(label)
        screen = split.with_buttons()
        assert question_head(number) in screen.text
        data = screen.buttons[choice][1]
        first, second = (split, twin) if number % 2 else (twin, split)
        await asyncio.gather(first.press(data, screen), second.press(data, screen))

    async with world.app.uow_factory() as uow:
        rows = {
            a.user_id: a
            for a in await uow.session.scalars(
                select(QuizAttempt).where(QuizAttempt.user_id.in_([5001, 5002]))
            )
        }
        steps = Counter(
            await uow.session.scalars(select(Step.user_id).where(Step.kind == "quiz_finished"))
        )
    assert rows[5002].answers == rows[5001].answers
    assert rows[5002].finished_at is not None
    assert rows[5002].scores == rows[5001].scores
    assert steps == {5001: 1, 5002: 1}
    shown = [(m.text, m.buttons, m.edits) for m in split.messages]
    assert shown == [(m.text, m.buttons, m.edits) for m in alone.messages]
    # Every callback query was answered exactly once.
    answered = Counter(t.callback_query_id for t in world.telegram.toasts)
    assert set(answered.values()) == {1}


# --- sign-ups ----------------------------------------------------------------------------------


async def students(world: World, user_ids: range, grade: int = 9) -> None:
    moment = Moment(world.clock(), world.app.texts.tz)
    version = TEXTS("consent-version")
    async with world.app.uow_factory() as uow:
        school = (await uow.organisations.list_active("school"))[0]
        for user_id in user_ids:
            await profile.give_consent(uow, user_id, version, world.clock())
            await profile.choose_role(uow, user_id, "student", world.clock())
            await profile.choose_organisation(uow, user_id, school.id, world.clock())
            await profile.choose_grade(uow, world.app.catalogue, user_id, grade, moment)


async def test_sign_ups_in_two_processes_never_overbook(world: World, other: World) -> None:
    event = await make_event(world, capacity=8)
    users = range(20_000, 20_060)
    await students(world, users)
    moment = Moment(world.clock(), world.app.texts.tz)

    async def sign_up(process: World, user_id: int) -> tuple[str, int | None]:
        async with process.app.uow_factory() as uow:
            outcome, view = await event_service.sign_up(
                uow,
                Applicant(user_id, f"u{user_id}"),
                event.id,
                moment,
                consent_version=TEXTS("consent-version"),
            )
            return outcome, view.position

    results = await asyncio.gather(
        *(sign_up(world if u % 2 else other, u) for u in users),
        *(sign_up(other if u % 2 else world, u) for u in users[:10]),  # ten tapped twice
    )

    outcomes = Counter(outcome for outcome, _ in results)
    assert outcomes == {"confirmed": 8, "waitlisted": 52, "already": 10}
    told = sorted(position or 0 for outcome, position in results if outcome == "waitlisted")
    assert told == list(range(1, 53))  # each one waiting told their own place in line
    async with world.app.uow_factory() as uow:
        stored = await uow.events.get(event.id)
        rows = list(
            await uow.session.scalars(select(Registration).where(Registration.event_id == event.id))
        )
    assert stored is not None
    assert stored.seats_taken == 8
    assert len(rows) == 60
    assert sum(r.status == "confirmed" for r in rows) == 8


# --- dialog state ------------------------------------------------------------------------------


def chat_key(chat_id: int = 42) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=chat_id, user_id=chat_id)


async def test_dialog_state_written_by_two_processes_at_once_loses_nothing(
    world: World, other: World
) -> None:
    """The database storage: every change is one transaction under the row's lock, so keys
    two processes write into one chat's data at the same moment are all kept."""
    mine = DatabaseStorage(world.app.uow_factory, world.clock)
    theirs = DatabaseStorage(other.app.uow_factory, other.clock)
    await asyncio.gather(
        *((mine if n % 2 else theirs).update_data(chat_key(), {f"k{n}": n}) for n in range(40))
    )
    assert await mine.get_data(chat_key()) == {f"k{n}": n for n in range(40)}


@pytest.fixture
async def redis_storages(
    settings: Settings, world: World, other: World
) -> AsyncIterator[tuple[BaseStorage, BaseStorage]]:
    """RedisStorage in two processes (a connection pool each), on a database of its own."""
    with_redis = settings.model_copy(update={"redis_url": REDIS_URL})
    pair = (
        create_storage(with_redis, world.app.uow_factory, world.clock),
        create_storage(with_redis, other.app.uow_factory, other.clock),
    )
    try:
        await pair[0].get_data(chat_key())
    except (OSError, redis.asyncio.ConnectionError):
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield pair
    for storage in pair:
        await storage.close()


async def test_with_redis_one_chats_dialog_updates_in_two_processes_run_in_turn(
    redis_storages: tuple[BaseStorage, BaseStorage],
) -> None:
    """RedisStorage's update_data is a read and a write: two processes at once would lose a
    key. With the chat's Redis lock (RedisEventIsolation, taken when an update first touches
    its state and held until the update ends) every key is kept."""
    storages = redis_storages
    isolations = [create_isolation(s) for s in storages]
    assert all(i is not None for i in isolations)
    key = chat_key(int(uuid.uuid4().int % 1_000_000_000))

    async def one_update(n: int) -> None:
        storage, isolation = storages[n % 2], isolations[n % 2]
        assert isolation is not None
        context = IsolatedContext(storage, key, isolation)
        try:
            found = await context.get_data()
            await asyncio.sleep(0)  # a handler's work between reading and writing
            await context.update_data({**found, f"k{n}": n})
        finally:
            await context.release()

    try:
        await asyncio.gather(*(one_update(n) for n in range(30)))
        assert await storages[0].get_data(key) == {f"k{n}": n for n in range(30)}
    finally:
        await storages[0].set_data(key, {})


# --- scheduled jobs ------------------------------------------------------------------------------


async def both_drain(world: World, other: World) -> None:
    """Both processes drain the outbox at the same moment, a second apart each round, until
    nothing is left."""
    for _ in range(20):
        world.clock.advance(seconds=1)
        sent = await asyncio.gather(
            world.app.scheduled_jobs(world.bot).drain_outbox(),
            other.app.scheduled_jobs(other.bot).drain_outbox(),
        )
        if sum(sent) == 0:
            return


def messages_per_chat(world: World) -> Counter[int]:
    return Counter(int(m.chat_id) for m in world.telegram.calls(methods.SendMessage))


async def queued(world: World, like: str) -> Counter[int]:
    async with world.app.uow_factory() as uow:
        return Counter(
            await uow.session.scalars(
                select(OutboxMessage.user_id).where(OutboxMessage.key.like(like))
            )
        )


async def test_event_reminders_by_two_processes_at_once_go_out_once(
    world: World, other: World, waits: list[float]
) -> None:
    event = await make_event(world, capacity=None, starts_at=world.clock() + timedelta(hours=20))
    users = range(30_000, 30_040)
    await students(world, users)
    moment = Moment(world.clock(), world.app.texts.tz)
    async with world.app.uow_factory() as uow:
        for user_id in users:
            await event_service.sign_up(
                uow,
                Applicant(user_id, "u"),
                event.id,
                moment,
                consent_version=TEXTS("consent-version"),
            )
    jobs = [p.app.scheduled_jobs(p.bot) for p in (world, other)]

    for _ in range(3):  # the ticks of both, at the same moment, three times over
        await asyncio.gather(*(j.queue_event_reminders() for j in jobs))

    assert await queued(world, "event:%") == dict.fromkeys(users, 1)
    await both_drain(world, other)
    assert messages_per_chat(world) == dict.fromkeys(users, 1)


async def test_quiz_reminders_by_two_processes_at_once_go_out_once(
    world: World, other: World, waits: list[float]
) -> None:
    chats = [world.user(40_000 + n) for n in range(6)]
    for chat in chats:
        await open_quiz(chat)
    sent_before = messages_per_chat(world)
    world.clock.advance(hours=25)  # 16:00 the next day in Zima: reminders may go out
    jobs = [p.app.scheduled_jobs(p.bot) for p in (world, other)]

    for _ in range(3):
        await asyncio.gather(*(j.queue_quiz_reminders() for j in jobs))

    ids = [c.user_id for c in chats]
    assert await queued(world, "quiz:%") == dict.fromkeys(ids, 1)
    await both_drain(world, other)
    assert messages_per_chat(world) - sent_before == dict.fromkeys(ids, 1)


async def test_destination_surveys_by_two_processes_at_once_go_out_once(
    world: World, other: World, clock: FakeClock, waits: list[float]
) -> None:
    leavers = range(50_000, 50_030)
    await students(world, leavers, grade=9)
    await students(world, range(50_100, 50_110), grade=8)  # not leavers
    clock.now = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)  # 11:00 in Zima, the survey's season
    jobs = [p.app.scheduled_jobs(p.bot) for p in (world, other)]

    for _ in range(3):
        await asyncio.gather(*(j.queue_destination_surveys() for j in jobs))

    assert await queued(world, "destination:%") == dict.fromkeys(leavers, 1)
    await both_drain(world, other)
    assert messages_per_chat(world) == dict.fromkeys(leavers, 1)


async def test_pruning_in_two_processes_at_once_deletes_each_claim_once(
    world: World, other: World
) -> None:
    old = world.clock() - timedelta(days=3)
    async with world.app.uow_factory() as uow, uow.write():
        for update_id in range(100):
            await uow.updates.claim("telegram", update_id, 1, old, old)
    jobs = [p.app.scheduled_jobs(p.bot) for p in (world, other)]

    pruned = await asyncio.gather(*(j.prune_update_claims() for j in jobs))

    assert sum(pruned) == 100
    async with world.app.uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(UpdateClaim)) == 0
