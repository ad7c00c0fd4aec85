"""When Telegram or the bot itself has a bad moment: flood control, server errors, a message
that cannot be edited, a restart, and the reminder tick with users who blocked the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from aiogram import methods
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from sqlalchemy import select

from bot.conversation import Conversation
from bot.local_session import retry_after, server_error
from db.models import QuizAttempt, User
from services import reminders
from tests.conftest import (
    TEXTS,
    World,
    question_head,
    register,
    reminder_text,
    stored_user,
)

ERROR = TEXTS("error")
CONTINUE = TEXTS("btn-quiz-continue-short")


def edit_not_found(method: TelegramMethod[Any]) -> Exception:
    return TelegramBadRequest(method=method, message="Bad Request: message to edit not found")


async def open_quiz(chat: Conversation) -> None:
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-begin"))
    assert question_head(1) in chat.last.text


async def answer(chat: Conversation, letters: str) -> None:
    for letter in letters:
        await chat.click(letter)


async def the_attempt(world: World, user_id: int) -> QuizAttempt:
    async with world.app.uow_factory() as uow:
        [attempt] = await uow.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == user_id)
        )
    return attempt


async def stored(world: World, user_id: int) -> User:
    user = await stored_user(world, user_id)
    assert user is not None
    return user


def no_error_shown(chat: Conversation) -> bool:
    return not any(ERROR in m.text for m in chat.messages)


def labels(chat: Conversation) -> list[str]:
    return [label for label, _ in chat.last.buttons]


def sent_to(world: World, chat: Conversation) -> int:
    return sum(
        1 for call in world.telegram.calls(methods.SendMessage) if call.chat_id == chat.user_id
    )


# --- Telegram hiccups while answering ----------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "later"),
    [
        pytest.param(server_error, 5, id="5xx-again-after-the-outbox-pause"),
        pytest.param(retry_after(120), 120, id="429-again-after-the-flood-wait"),
    ],
)
async def test_reminder_that_failed_for_a_passing_reason_goes_out_later(
    world: World,
    chat: Conversation,
    waits: list[float],
    failure: Callable[[TelegramMethod[Any]], Exception],
    later: int,
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АААА")
    world.clock.advance(hours=25)
    jobs = world.app.scheduled_jobs(world.bot)
    before = len(chat.messages)
    world.telegram.fail_next(failure, methods.SendMessage, chat_id=chat.user_id)

    assert await jobs.send_quiz_reminders() == 0

    assert len(chat.messages) == before
    assert (await stored(world, chat.user_id)).blocked_at is None
    world.clock.advance(seconds=later - 1)
    assert await jobs.send_quiz_reminders() == 0  # not yet
    world.clock.advance(seconds=2)
    assert await jobs.send_quiz_reminders() == 1
    assert reminder_text(4) in chat.last.text
    world.clock.advance(hours=25)
    assert await jobs.send_quiz_reminders() == 0


async def test_reminders_wait_for_the_morning(world: World, chat: Conversation) -> None:
    world.clock.now = world.clock.now.replace(hour=14)  # 22:00 in Zima
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АА")
    jobs = world.app.scheduled_jobs(world.bot)
    world.clock.advance(hours=25)  # 23:00 the next day
    assert await jobs.send_quiz_reminders() == 0
    world.clock.advance(hours=9)  # 08:00
    assert await jobs.send_quiz_reminders() == 0
    world.clock.advance(hours=1)  # 09:00
    assert await jobs.send_quiz_reminders() == 1


async def test_a_reminder_queued_before_a_restart_goes_out_after_it(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АА")
    world.clock.advance(hours=25)
    async with world.app.uow_factory() as uow:  # queued, then the process stops
        assert (
            await reminders.queue(
                uow, timedelta(hours=24), world.app.texts("consent-version"), world.clock.now
            )
            == 1
        )
    before = len(chat.messages)
    jobs = world.app.scheduled_jobs(world.bot)  # the next process

    assert await jobs.send_quiz_reminders() == 1
    assert len(chat.messages) == before + 1
    assert reminder_text(2) in chat.last.text
    world.clock.advance(hours=1)
    assert await jobs.send_quiz_reminders() == 0


async def test_a_long_queue_of_reminders_goes_out_in_one_tick(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "BATCH", 3)  # queued three at a time
    chats = [world.user(6000 + n, f"Ученик {n}") for n in range(8)]
    for chat in chats:
        await register(chat)
        await open_quiz(chat)
        await answer(chat, "Б")
    world.clock.advance(hours=25)
    jobs = world.app.scheduled_jobs(world.bot)

    assert await jobs.send_quiz_reminders() == 8
    assert all(reminder_text(1) in chat.last.text for chat in chats)
    assert await jobs.send_quiz_reminders() == 0


async def test_no_reminder_until_a_changed_consent_text_is_agreed_to(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "А")
    async with world.app.uow_factory() as uow, uow.write():
        await uow.session.execute(User.__table__.update().values(consent_version="2020-01"))  # type: ignore[attr-defined]
    world.clock.advance(hours=25)
    jobs = world.app.scheduled_jobs(world.bot)

    assert await jobs.send_quiz_reminders() == 0

    await chat.send("/menu")
    await chat.click(TEXTS("btn-agree"))
    assert await jobs.send_quiz_reminders() == 1
    assert reminder_text(1) in chat.last.text


async def test_a_flood_wait_holds_every_send_and_the_message_goes_out_after_it(
    world: World, waits: list[float]
) -> None:
    chats = [world.user(7000 + n, f"Ученик {n}") for n in range(3)]
    for chat in chats:
        await register(chat)
        await open_quiz(chat)
        await answer(chat, "А")
        world.clock.advance(minutes=1)  # they left in this order
    world.clock.advance(hours=25)
    first, second, third = chats
    world.telegram.fail_next(retry_after(120), methods.SendMessage, chat_id=second.user_id)
    jobs = world.app.scheduled_jobs(world.bot)

    assert await jobs.send_quiz_reminders() == 2  # the others, after the wait
    assert any(wait > 100 for wait in waits)  # nothing was sent during the flood wait
    assert reminder_text(1) in first.last.text
    assert reminder_text(1) in third.last.text
    assert reminder_text(1) not in second.last.text

    world.clock.advance(seconds=121)
    assert await jobs.send_quiz_reminders() == 1
    assert reminder_text(1) in second.last.text
