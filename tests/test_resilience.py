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
from bot.factory import create_app, create_dispatcher
from bot.local_session import blocked, retry_after, server_error
from db.models import QuizAttempt, User
from services import reminders
from tests.conftest import (
    KLIMOV_TITLE,
    TEXTS,
    World,
    question_head,
    register,
    reminder_text,
    result_head,
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
    ("failure", "times", "pauses"),
    [
        pytest.param(retry_after(1), 1, [1.0], id="429-retry-after-1"),
        pytest.param(server_error, 2, [0.5, 1.0], id="5xx-twice"),
    ],
)
async def test_answer_gets_through_a_passing_telegram_failure(
    world: World,
    chat: Conversation,
    waits: list[float],
    failure: Callable[[TelegramMethod[Any]], Exception],
    times: int,
    pauses: list[float],
) -> None:
    await register(chat)
    await open_quiz(chat)
    screen = chat.last
    toasts = len(world.telegram.toasts)
    world.telegram.fail_next(failure, methods.EditMessageText, times=times)

    await chat.click("Б")

    assert waits == pauses
    assert chat.last.message_id == screen.message_id
    assert question_head(2) in chat.last.text
    assert no_error_shown(chat)
    attempt = await the_attempt(world, chat.user_id)
    assert (attempt.answers[:2], attempt.position) == (["b", None], 1)
    assert len(world.telegram.toasts) == toasts + 1


async def test_answer_is_kept_when_telegram_stays_down_and_the_next_tap_recovers(
    world: World, chat: Conversation, waits: list[float]
) -> None:
    await register(chat)
    await open_quiz(chat)
    world.telegram.fail_next(server_error, methods.EditMessageText, times=4)

    await chat.click("Б")

    assert waits == [0.5, 1.0, 2.0]  # then the middleware gives up
    assert chat.last.text.startswith(ERROR)
    attempt = await the_attempt(world, chat.user_id)
    assert (attempt.answers[:2], attempt.position) == (["b", None], 1)
    # The screen still shows question 1; tapping it again brings the user to question 2.
    await chat.click("А")
    assert chat.last_toast == TEXTS("quiz-stale")
    assert question_head(2) in chat.with_buttons().text
    attempt = await the_attempt(world, chat.user_id)
    assert attempt.answers[:2] == ["b", None]


async def test_screen_that_cannot_be_edited_comes_as_a_new_message(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    screen = chat.last
    world.telegram.fail_next(edit_not_found, methods.EditMessageText)

    await chat.click("А")

    assert chat.last.message_id != screen.message_id
    assert question_head(2) in chat.last.text
    assert labels(chat) == ["А", "Б", TEXTS("btn-quiz-back"), TEXTS("btn-quiz-pause")]
    assert no_error_shown(chat)
    attempt = await the_attempt(world, chat.user_id)
    assert (attempt.answers[:2], attempt.position) == (["a", None], 1)
    await chat.click("Б")
    assert question_head(3) in chat.last.text


# --- a restart ---------------------------------------------------------------------------------


async def test_restart_loses_no_quiz_progress(world: World, chat: Conversation) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АБАБААБ")
    await world.app.close()  # the process goes down...

    app = await create_app(world.app.settings, clock=world.clock)  # ...and comes back
    try:
        again = Conversation(create_dispatcher(app), world.bot, world.telegram, chat.user_id)
        await again.send("/quiz")
        resume = TEXTS("quiz-resume", title=KLIMOV_TITLE, number=8, done=7, total=20)
        assert resume in again.last.text
        await again.click(CONTINUE)
        assert question_head(8) in again.last.text
        await again.click("А")
        assert question_head(9) in again.last.text
        async with app.uow_factory() as uow:
            [attempt] = await uow.session.scalars(select(QuizAttempt))
        assert attempt.answers[:9] == ["a", "b", "a", "b", "a", "a", "b", "a", None]
        assert attempt.position == 8
    finally:
        await app.close()


# --- reminders ---------------------------------------------------------------------------------


async def test_one_reminder_a_day_after_leaving_the_questionnaire(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АААА")  # on question 5 now
    jobs = world.app.scheduled_jobs(world.bot)

    world.clock.advance(hours=23)
    assert await jobs.send_quiz_reminders() == 0
    world.clock.advance(hours=2)
    before = len(chat.messages)
    assert await jobs.send_quiz_reminders() == 1

    assert len(chat.messages) == before + 1
    reminder = chat.last
    assert reminder_text(4) in reminder.text
    assert KLIMOV_TITLE in reminder.text
    assert labels(chat) == [TEXTS("btn-quiz-continue-short")]
    assert await jobs.send_quiz_reminders() == 0  # once only
    world.clock.advance(hours=48)
    assert await jobs.send_quiz_reminders() == 0
    assert len(chat.messages) == before + 1

    await chat.click(CONTINUE, on=reminder)
    resume = TEXTS("quiz-resume", title=KLIMOV_TITLE, number=5, done=4, total=20)
    assert resume in chat.last.text
    await chat.click(CONTINUE)
    assert question_head(5) in chat.last.text
    await chat.click("Б")
    attempt = await the_attempt(world, chat.user_id)
    assert (attempt.answers[:5], attempt.position) == (["a", "a", "a", "a", "b"], 5)


async def test_no_reminder_for_finished_or_never_started_questionnaires(world: World) -> None:
    finished = world.user(5001, "Аня")
    idle = world.user(5002, "Борис")
    halfway = world.user(5003, "Вера")
    for chat in (finished, idle, halfway):
        await register(chat)
    await open_quiz(finished)
    await answer(finished, "А" * 20)
    assert result_head(world.clock.now) in finished.last.text
    await open_quiz(halfway)
    await answer(halfway, "ББ")
    world.clock.advance(hours=25)
    seen = {chat.user_id: len(chat.messages) for chat in (finished, idle, halfway)}

    assert await world.app.scheduled_jobs(world.bot).send_quiz_reminders() == 1

    assert len(finished.messages) == seen[finished.user_id]
    assert len(idle.messages) == seen[idle.user_id]
    assert reminder_text(2) in halfway.last.text


async def test_user_who_blocked_the_bot_is_marked_and_not_retried(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АААА")
    world.clock.advance(hours=25)
    jobs = world.app.scheduled_jobs(world.bot)
    world.telegram.fail_next(blocked, methods.SendMessage, chat_id=chat.user_id)
    attempts_to_send = sent_to(world, chat)

    assert await jobs.send_quiz_reminders() == 0

    assert (await stored(world, chat.user_id)).blocked_at == world.clock.now
    assert sent_to(world, chat) == attempts_to_send + 1  # one try, no retries on 403
    world.clock.advance(hours=25)
    assert await jobs.send_quiz_reminders() == 0
    assert sent_to(world, chat) == attempts_to_send + 1

    await chat.send("/start")  # unblocked and back
    assert TEXTS("welcome-back") in chat.last.text
    assert (await stored(world, chat.user_id)).blocked_at is None
    attempt = await the_attempt(world, chat.user_id)
    assert attempt.answers[:5] == ["a", "a", "a", "a", None]  # their data was kept


async def test_one_user_who_blocked_the_bot_does_not_hold_up_the_others(
    world: World,
) -> None:
    gone = world.user(5001, "Аня")
    staying = world.user(5002, "Борис")
    for chat in (gone, staying):
        await register(chat)
        await open_quiz(chat)
        await answer(chat, "А")
        world.clock.advance(minutes=1)  # Аня left first, so her reminder is sent first
    world.clock.advance(hours=25)
    world.telegram.fail_next(blocked, methods.SendMessage, chat_id=gone.user_id)

    assert await world.app.scheduled_jobs(world.bot).send_quiz_reminders() == 1

    assert reminder_text(1) in staying.last.text
    assert (await stored(world, gone.user_id)).blocked_at == world.clock.now
    assert (await stored(world, staying.user_id)).blocked_at is None


@pytest.mark.parametrize(
    ("failure", "times", "pauses"),
    [
        pytest.param(server_error, 4, [0.5, 1.0, 2.0], id="5xx-until-the-middleware-gives-up"),
        pytest.param(retry_after(120), 1, [], id="429-longer-than-the-middleware-waits"),
    ],
)
async def test_reminder_that_failed_for_a_passing_reason_goes_out_on_the_next_tick(
    world: World,
    chat: Conversation,
    waits: list[float],
    failure: Callable[[TelegramMethod[Any]], Exception],
    times: int,
    pauses: list[float],
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АААА")
    world.clock.advance(hours=25)
    jobs = world.app.scheduled_jobs(world.bot)
    before = len(chat.messages)
    world.telegram.fail_next(failure, methods.SendMessage, chat_id=chat.user_id, times=times)

    assert await jobs.send_quiz_reminders() == 0

    assert waits == pauses
    assert len(chat.messages) == before
    released = await the_attempt(world, chat.user_id)
    assert (released.reminder_claimed_at, released.reminded_at) == (None, None)
    assert (await stored(world, chat.user_id)).blocked_at is None

    assert await jobs.send_quiz_reminders() == 1
    assert reminder_text(4) in chat.last.text
    assert (await the_attempt(world, chat.user_id)).reminded_at == world.clock.now
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


async def test_a_reminder_claimed_by_a_process_that_stopped_is_sent_once_its_claim_lapses(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer(chat, "АА")
    world.clock.advance(hours=25)
    async with world.app.uow_factory() as uow:  # another process claims it, then is killed
        [claimed] = await reminders.claim(
            uow, timedelta(hours=24), world.app.texts("consent-version"), world.clock.now
        )
    before = len(chat.messages)
    jobs = world.app.scheduled_jobs(world.bot)

    assert await jobs.send_quiz_reminders() == 0  # the claim may still be in hand
    world.clock.advance(minutes=29)
    assert await jobs.send_quiz_reminders() == 0
    world.clock.advance(minutes=2)
    assert await jobs.send_quiz_reminders() == 1

    assert len(chat.messages) == before + 1
    assert reminder_text(2) in chat.last.text
    attempt = await the_attempt(world, chat.user_id)
    assert (attempt.id, attempt.reminded_at) == (claimed.id, world.clock.now)
    world.clock.advance(hours=1)
    assert await jobs.send_quiz_reminders() == 0


async def test_a_long_queue_of_reminders_goes_out_in_one_tick(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "BATCH", 3)
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


async def test_a_flood_wait_mid_batch_leaves_the_rest_for_the_next_tick(
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

    assert await jobs.send_quiz_reminders() == 1
    assert reminder_text(1) in first.last.text
    for chat in (second, third):
        attempt = await the_attempt(world, chat.user_id)
        assert (attempt.reminder_claimed_at, attempt.reminded_at) == (None, None)

    assert await jobs.send_quiz_reminders() == 2
    assert all(reminder_text(1) in chat.last.text for chat in (second, third))
