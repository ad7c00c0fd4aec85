"""What users (and forged clients) send that the bot did not ask for: typed text mid-flow,
stale and doubled taps, re-delivered updates, callback data that was never on a button.

Every callback query must get exactly one answer (Telegram spins the button until it does),
and nothing a user did not ask for may change what is stored.
"""

from __future__ import annotations

import asyncio
import random
import string
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import Update
from sqlalchemy import func, select

from bot.conversation import Conversation
from db.models import Organisation, QuizAttempt, User
from handlers.callbacks import (
    Answer,
    Back,
    PickOrganisation,
    PickRole,
    QuizControl,
    QuizStep,
    RestartQuiz,
)
from tests.conftest import (
    KLIMOV_TITLE,
    TEXTS,
    World,
    consent_text,
    question_head,
    register,
    stored_user,
)

OUTDATED = TEXTS("button-outdated")
STALE = TEXTS("quiz-stale")
REPEATED = TEXTS("quiz-repeated")
USE_BUTTONS = TEXTS("quiz-use-buttons")
ERROR = TEXTS("error")
MENU = TEXTS("menu", role="student", done="no")


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def delivered(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of every callback query delivered to the dispatcher in this test, in order."""
    ids: list[str] = []
    feed = world.dispatcher.feed_update

    async def counting(bot: Bot, update: Update, **kwargs: Any) -> Any:
        if update.callback_query is not None:
            ids.append(update.callback_query.id)
        return await feed(bot, update, **kwargs)

    monkeypatch.setattr(world.dispatcher, "feed_update", counting)
    return ids


def assert_answered_once_each(world: World, delivered: list[str], *chats: Conversation) -> None:
    """Every callback query got exactly one answer that Telegram accepted (a second try on a
    re-delivered query is refused by Telegram and ignored by the bot); nobody saw the
    "something went wrong" message."""
    answered = [toast.callback_query_id for toast in world.telegram.toasts]
    assert sorted(answered) == sorted(set(delivered))
    for chat in chats:
        assert not [m.text for m in chat.messages if ERROR in m.text]


async def open_quiz(chat: Conversation) -> None:
    await chat.click(TEXTS("btn-quiz-start", title=KLIMOV_TITLE))
    await chat.click(TEXTS("btn-quiz-begin"))
    assert question_head(1) in chat.last.text


async def attempts(world: World, user_id: int | None = None) -> list[QuizAttempt]:
    query = select(QuizAttempt).order_by(QuizAttempt.id)
    if user_id is not None:
        query = query.where(QuizAttempt.user_id == user_id)
    async with world.app.uow_factory() as uow:
        return list(await uow.session.scalars(query))


async def progress(world: World, user_id: int) -> tuple[list[str | None], int]:
    [attempt] = await attempts(world, user_id)
    return list(attempt.answers), attempt.position


async def count_users(world: World) -> int:
    async with world.app.uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(User)) or 0)


async def organisation_id(world: World, code: str) -> int:
    async with world.app.uow_factory() as uow:
        found = await uow.session.scalar(select(Organisation.id).where(Organisation.code == code))
    assert found is not None
    return found


def data_of(chat: Conversation, label: str) -> str:
    """The callback data of the button `label` on the screen the user acts on."""
    return next(data for text, data in chat.with_buttons().buttons if text == label)


def labels(chat: Conversation) -> list[str]:
    return [label for label, _ in chat.last.buttons]


# --- typed text -------------------------------------------------------------------------------


async def test_text_mid_questionnaire_repeats_the_current_question_with_its_buttons(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await register(chat)
    await open_quiz(chat)
    await chat.click("А")
    await chat.click("Б")
    before = await progress(world, chat.user_id)
    quiz_message = chat.last.message_id

    await chat.send("а можно я просто напишу ответ?")

    hint, question = chat.messages[-2:]
    assert hint.text == USE_BUTTONS
    assert question.message_id != quiz_message  # a new message, below the user's text
    assert question_head(3) in question.text
    assert [label for label, _ in question.buttons] == [
        "А",
        "Б",
        TEXTS("btn-quiz-back"),
        TEXTS("btn-quiz-pause"),
    ]
    assert await progress(world, chat.user_id) == before
    # The repeated question works like the original.
    await chat.click("А", on=question)
    assert question_head(4) in chat.last.text
    assert_answered_once_each(world, delivered, chat)


async def test_text_from_a_guest_points_to_start_and_stores_nothing(
    world: World, chat: Conversation
) -> None:
    await chat.send("Здравствуйте, хочу узнать про профессии")
    assert TEXTS("unexpected-guest") in chat.last.text
    assert TEXTS("btn-consent") in labels(chat)
    assert await count_users(world) == 0
    assert await attempts(world) == []


async def test_text_from_a_registered_user_outside_any_flow_shows_the_menu_with_a_hint(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await chat.send("спасибо")
    text = chat.last.text
    assert text.startswith(TEXTS("unexpected-text"))
    assert MENU in text
    assert TEXTS("btn-quiz-start", title=KLIMOV_TITLE) in labels(chat)
    assert await attempts(world, chat.user_id) == []


async def test_text_while_the_profile_is_unfinished_repeats_the_open_question(
    world: World, chat: Conversation
) -> None:
    await register(chat, grade=None)
    await chat.send("9")
    assert chat.last.text.startswith(TEXTS("unexpected-text"))
    assert TEXTS("ask-grade", role="student") in chat.last.text
    assert TEXTS("btn-grade", grade=9) in labels(chat)
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert user.grade is None


# --- stale, doubled and re-delivered taps ------------------------------------------------------


async def test_button_of_an_answered_question_shows_the_current_one_and_changes_nothing(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await register(chat)
    await open_quiz(chat)
    old_a = data_of(chat, "А")
    await chat.click("Б")
    assert question_head(2) in chat.last.text

    await chat.press(old_a)

    assert chat.last_toast == STALE
    assert question_head(2) in chat.last.text
    assert labels(chat)[:2] == ["А", "Б"]
    answers, position = await progress(world, chat.user_id)
    assert (answers[:2], position) == (["b", None], 1)
    assert_answered_once_each(world, delivered, chat)


async def test_double_tap_records_the_answer_once(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await register(chat)
    await open_quiz(chat)
    tap = data_of(chat, "А")

    await chat.press(tap)
    await chat.press(tap)

    assert chat.last_toast == REPEATED
    assert question_head(2) in chat.last.text
    answers, position = await progress(world, chat.user_id)
    assert (answers[:2], position) == (["a", None], 1)
    assert_answered_once_each(world, delivered, chat)


async def test_simultaneous_double_tap_records_the_answer_once(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await register(chat)
    await open_quiz(chat)
    tap = data_of(chat, "А")
    toasts_before = len(world.telegram.toasts)

    await asyncio.gather(chat.press(tap), chat.press(tap))

    assert sorted(str(t.text) for t in world.telegram.toasts[toasts_before:]) == [
        "None",
        REPEATED,
    ]
    assert question_head(2) in chat.last.text
    answers, position = await progress(world, chat.user_id)
    assert (answers[:2], position) == (["a", None], 1)
    assert_answered_once_each(world, delivered, chat)


async def deliver_the_same_tap_twice(world: World, chat: Conversation) -> None:
    """Telegram sends one update again (the bot went down before confirming it): the same
    update id, the same callback query id, the same data."""
    screen = chat.with_buttons()
    payload = {
        "update_id": 987_654_321,
        "callback_query": {
            "id": "redelivered-query",
            "from": {"id": chat.user_id, "is_bot": False, "first_name": "Аня"},
            "chat_instance": "local",
            "data": data_of(chat, "А"),
            "message": {
                "message_id": screen.message_id,
                "date": 1_795_000_000,
                "chat": {"id": chat.user_id, "type": "private"},
                "from": {"id": world.bot.id, "is_bot": True, "first_name": "Профнавигатор"},
                "text": screen.text,
            },
        },
    }
    await chat.feed(payload)
    await chat.feed(payload)


async def test_redelivered_update_stores_the_answer_once(world: World, chat: Conversation) -> None:
    await register(chat)
    await open_quiz(chat)

    await deliver_the_same_tap_twice(world, chat)

    answers, position = await progress(world, chat.user_id)
    assert (answers[:2], position) == (["a", None], 1)
    assert question_head(2) in chat.with_buttons().text


async def test_redelivered_update_is_answered_once_and_shows_no_error(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await register(chat)
    await open_quiz(chat)
    messages_before = len(chat.messages)

    await deliver_the_same_tap_twice(world, chat)

    assert question_head(2) in chat.last.text
    assert len(chat.messages) == messages_before  # the same screen, edited; nothing added
    assert_answered_once_each(world, delivered, chat)


# --- forged callback data ---------------------------------------------------------------------


def _random_64_bytes() -> str:
    """Printable noise of the most Telegram allows in callback data (a few colons included)."""
    alphabet = string.ascii_letters + string.digits + ":_-"
    noise = "".join(random.Random(64).choices(alphabet, k=64))
    assert len(noise.encode()) == 64
    return noise


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("ans:klimov:notanint:0:a", id="non-numeric-attempt"),
        pytest.param("ans:klimov", id="truncated-answer"),
        pytest.param("xyz", id="unknown-prefix"),
        pytest.param("", id="empty"),
        pytest.param(_random_64_bytes(), id="random-64-bytes"),
        pytest.param("quiz:intro:no-such-quiz", id="unknown-quiz"),
        pytest.param("quiz:launch:klimov", id="unknown-quiz-action"),
    ],
)
async def test_garbage_callback_data_gets_a_polite_toast_and_the_menu(
    world: World, chat: Conversation, delivered: list[str], data: str
) -> None:
    await register(chat)
    await open_quiz(chat)
    await chat.click("А")
    before = await progress(world, chat.user_id)

    await chat.press(data)

    assert chat.last_toast == OUTDATED
    assert MENU in chat.last.text
    assert TEXTS("btn-quiz-continue", title=KLIMOV_TITLE, done=1, total=20) in labels(chat)
    assert await progress(world, chat.user_id) == before
    assert_answered_once_each(world, delivered, chat)


@pytest.mark.parametrize("button", ["answer", "back"])
async def test_button_for_another_users_attempt_leaves_it_untouched(
    world: World, delivered: list[str], button: str
) -> None:
    anna = world.user(5001, "Аня")
    boris = world.user(5002, "Борис")
    await register(anna)
    await register(boris)
    await open_quiz(anna)
    await anna.click("А")
    await anna.click("А")
    [annas] = await attempts(world, anna.user_id)
    before = await progress(world, anna.user_id)
    annas_messages = [(m.message_id, m.text) for m in anna.messages]
    forged = (
        Answer(quiz="klimov", attempt=annas.id, question=2, key="b")
        if button == "answer"
        else Back(quiz="klimov", attempt=annas.id, question=2)
    )

    await boris.press(forged.pack())

    assert boris.last_toast == OUTDATED
    assert MENU in boris.last.text
    assert await progress(world, anna.user_id) == before
    assert await attempts(world, boris.user_id) == []
    assert [(m.message_id, m.text) for m in anna.messages] == annas_messages
    assert_answered_once_each(world, delivered, anna, boris)


@pytest.mark.parametrize(
    ("q", "key"),
    [
        pytest.param(2, "z", id="key-not-in-the-question"),
        pytest.param(99, "a", id="question-99"),
        pytest.param(-1, "a", id="question-minus-1"),
        pytest.param(20, "a", id="question-past-the-end"),
    ],
)
async def test_answer_outside_the_questionnaire_changes_nothing(
    world: World, chat: Conversation, delivered: list[str], q: int, key: str
) -> None:
    await register(chat)
    await open_quiz(chat)
    await chat.click("А")
    await chat.click("А")
    [attempt] = await attempts(world, chat.user_id)
    before = await progress(world, chat.user_id)

    # Packed by hand: the callback data class itself refuses a negative question number.
    await chat.press(f"ans:klimov:{attempt.id}:{q}:{key}")

    assert chat.last_toast == OUTDATED
    assert MENU in chat.last.text
    assert await progress(world, chat.user_id) == before
    assert_answered_once_each(world, delivered, chat)


@pytest.mark.parametrize("role", ["admin", "coordinator", "superuser"])
async def test_forged_role_is_not_granted(
    world: World, chat: Conversation, delivered: list[str], role: str
) -> None:
    await register(chat)

    await chat.press(PickRole(role=role).pack())

    assert chat.last_toast == OUTDATED
    assert MENU in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.role, user.grade) == ("student", 9)
    assert_answered_once_each(world, delivered, chat)


async def test_forged_role_at_the_role_question_asks_again(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await chat.send("/start")
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-agree"))
    assert TEXTS("ask-role") in chat.last.text

    await chat.press(PickRole(role="admin").pack())

    assert chat.last_toast == OUTDATED
    assert TEXTS("ask-role") in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert user.role is None
    assert_answered_once_each(world, delivered, chat)


async def test_student_cannot_pick_the_employment_centre_as_a_school(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await register(chat, organisation=None, grade=None)
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    assert "Центр занятости" not in labels(chat)

    await chat.press(PickOrganisation(id=await organisation_id(world, "czn")).pack())

    assert chat.last_toast == OUTDATED
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.role, user.organisation_id) == ("student", None)
    assert_answered_once_each(world, delivered, chat)


async def test_registered_student_keeps_the_school_after_a_forged_organisation(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await register(chat)
    school = await organisation_id(world, "school-1")

    await chat.press(PickOrganisation(id=await organisation_id(world, "czn")).pack())
    await chat.press(PickOrganisation(id=987654).pack())

    assert chat.last_toast == OUTDATED
    assert MENU in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.organisation_id, user.grade) == (school, 9)
    assert_answered_once_each(world, delivered, chat)


@pytest.mark.parametrize("grade", [42, 0, -9])
async def test_grade_not_on_offer_is_refused(
    world: World, chat: Conversation, delivered: list[str], grade: int
) -> None:
    await register(chat, grade=None)
    assert TEXTS("ask-grade", role="student") in chat.last.text

    await chat.press(f"grade:{grade}")  # by hand: PickGrade itself refuses a negative grade

    assert chat.last_toast == OUTDATED
    assert TEXTS("ask-grade", role="student") in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert user.grade is None
    assert_answered_once_each(world, delivered, chat)


# --- no consent yet ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        pytest.param("/quiz", id="command"),
        pytest.param(QuizControl(action=QuizStep.INTRO, quiz="klimov").pack(), id="intro-button"),
        pytest.param(QuizControl(action=QuizStep.BEGIN, quiz="klimov").pack(), id="begin-button"),
        pytest.param(RestartQuiz(quiz="klimov", attempt=0).pack(), id="restart"),
    ],
)
async def test_quiz_without_consent_asks_for_it_and_stores_nothing(
    world: World, chat: Conversation, delivered: list[str], action: str
) -> None:
    await chat.send("/start")  # the welcome screen, declined nothing, agreed to nothing
    if action.startswith("/"):
        await chat.send(action)
    else:
        await chat.press(action)

    assert chat.last.text.startswith(TEXTS("need-consent"))
    assert labels(chat) == [TEXTS("btn-consent"), TEXTS("btn-menu")]
    assert await count_users(world) == 0
    assert await attempts(world) == []
    await chat.click(TEXTS("btn-consent"))
    assert consent_text() in chat.last.text
    assert await count_users(world) == 0
    assert_answered_once_each(world, delivered, chat)


async def test_answer_button_without_consent_is_outdated_and_stores_nothing(
    world: World, chat: Conversation, delivered: list[str]
) -> None:
    await chat.send("/start")

    await chat.press(Answer(quiz="klimov", attempt=1, question=0, key="a").pack())

    assert chat.last_toast == OUTDATED
    assert TEXTS("menu-guest") in chat.last.text
    assert await count_users(world) == 0
    assert await attempts(world) == []
    assert_answered_once_each(world, delivered, chat)
