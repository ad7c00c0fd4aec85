"""Personal data (152-ФЗ): /mydata shows what is stored, /forget erases it, withdrawing consent
leads there. Anonymous monitoring steps outlive the user, unlinked from them.
"""

from __future__ import annotations

from html import escape

from sqlalchemy import func, select

from bot.conversation import Conversation
from db.models import QuizAttempt, Step
from handlers.callbacks import Consent, ConsentAction
from tests.conftest import TEXTS, World, register, result_head, stored_user

FORGET_CONFIRM = TEXTS("forget-confirm")
NOTHING_STORED = TEXTS("mydata-none")


async def finish_quiz(world: World, chat: Conversation) -> None:
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-begin"))
    for _ in range(20):
        await chat.click("А")
    assert result_head(world.clock.now) in chat.last.text


async def mydata_text(
    world: World,
    chat: Conversation,
    *,
    organisation: str = "school-1",
    grade: int = 9,
    quizzes: int = 0,
    unfinished: int = 0,
) -> str:
    """/mydata of a registered student with no sign-ups; `organisation`: the catalogue's code."""
    user = await stored_user(world, chat.user_id)
    assert user is not None
    return TEXTS(
        "mydata",
        id=str(chat.user_id),
        role_name=TEXTS("role-name", role="student"),
        organisation=escape(world.app.catalogue.by_code[organisation].name),
        grade=grade,
        quizzes=quizzes,
        registrations=0,
        unfinished=unfinished,
        created=TEXTS.date(user.created_at),
        consent_date=TEXTS.when(user.consent_at, "d MMMM y, HH:mm"),
        consent_version=world.app.texts("consent-version"),
        days=world.app.settings.rejected_updates_keep_days,
    )


async def attempt_count(world: World, user_id: int) -> int:
    async with world.app.uow_factory() as uow:
        query = select(func.count()).select_from(QuizAttempt)
        return int(await uow.session.scalar(query.where(QuizAttempt.user_id == user_id)) or 0)


async def steps(world: World) -> list[Step]:
    async with world.app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Step).order_by(Step.id)))


def labels(chat: Conversation) -> list[str]:
    return [label for label, _ in chat.last.buttons]


async def test_mydata_lists_what_is_stored(world: World, chat: Conversation) -> None:
    await register(chat, organisation="Школа № 7", grade=TEXTS("btn-grade", grade=8))
    await finish_quiz(world, chat)

    await chat.send("/mydata")

    text = chat.last.text
    assert await mydata_text(world, chat, organisation="school-7", grade=8, quizzes=1) in text
    assert "МБОУ «Средняя общеобразовательная школа № 7»" in text  # the catalogue's name
    assert world.app.texts("consent-version") in text
    assert "Аня" not in text  # the first name Telegram sent is not kept
    assert labels(chat) == [TEXTS("btn-forget"), TEXTS("btn-menu")]


async def test_mydata_shows_the_telegram_id_as_telegram_does(world: World) -> None:
    chat = world.user(123456789)
    await register(chat)
    await chat.send("/mydata")
    assert "123456789" in chat.last.text  # no digit grouping
    assert await mydata_text(world, chat) in chat.last.text


async def test_mydata_counts_only_finished_questionnaires(world: World, chat: Conversation) -> None:
    await register(chat)
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-begin"))
    await chat.click("А")
    await chat.send("/mydata")
    assert await mydata_text(world, chat, quizzes=0, unfinished=1) in chat.last.text


async def test_forget_asks_first_and_no_keeps_everything(world: World, chat: Conversation) -> None:
    await register(chat)
    await finish_quiz(world, chat)

    await chat.send("/forget")
    assert FORGET_CONFIRM in chat.last.text
    assert labels(chat) == [TEXTS("btn-forget-yes"), TEXTS("btn-forget-no")]
    await chat.click(TEXTS("btn-forget-no"))

    assert await mydata_text(world, chat, quizzes=1) in chat.last.text
    assert await stored_user(world, chat.user_id) is not None
    assert await attempt_count(world, chat.user_id) == 1
    assert f"chat:{chat.user_id}" in world.telegram.commands


async def test_forget_erases_the_user_and_answers_but_keeps_anonymous_steps(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await finish_quiz(world, chat)
    await chat.send("/quiz")  # a second, unfinished attempt goes too
    await chat.click(TEXTS("btn-quiz-begin"))
    await chat.click("Б")
    assert await attempt_count(world, chat.user_id) == 2
    [step] = await steps(world)
    assert step.user_id == chat.user_id
    assert f"chat:{chat.user_id}" in world.telegram.commands

    await chat.send("/mydata")
    await chat.click(TEXTS("btn-forget"))
    assert FORGET_CONFIRM in chat.last.text
    await chat.click(TEXTS("btn-forget-yes"))

    assert TEXTS("forget-done") in chat.last.text
    assert "/start" in chat.last.text
    assert await stored_user(world, chat.user_id) is None
    assert await attempt_count(world, chat.user_id) == 0
    [kept] = await steps(world)
    assert kept.id == step.id
    assert kept.user_id is None
    assert (kept.kind, kept.role, kept.grade) == ("quiz_finished", "student", 9)
    assert f"chat:{chat.user_id}" not in world.telegram.commands

    await chat.send("/mydata")
    assert NOTHING_STORED in chat.last.text


async def test_forget_also_erases_an_unfinished_questionnaire(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-begin"))
    await chat.click("Б")
    assert await attempt_count(world, chat.user_id) == 1

    await chat.send("/forget")
    await chat.click(TEXTS("btn-forget-yes"))

    assert await stored_user(world, chat.user_id) is None
    assert await attempt_count(world, chat.user_id) == 0
    assert await steps(world) == []


async def test_after_forget_the_user_is_a_newcomer_again(world: World, chat: Conversation) -> None:
    await register(chat)
    await chat.send("/forget")
    await chat.click(TEXTS("btn-forget-yes"))

    await chat.send("/start")
    assert TEXTS("welcome", linked="no") in chat.last.text
    await chat.send("/quiz")
    assert TEXTS("need-consent") in chat.last.text
    assert await stored_user(world, chat.user_id) is None


async def test_forget_by_a_guest_says_nothing_is_stored(world: World, chat: Conversation) -> None:
    await chat.send("/forget")
    assert NOTHING_STORED in chat.last.text
    assert await stored_user(world, chat.user_id) is None


async def test_declining_after_agreeing_points_to_forget_and_keeps_the_data(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await finish_quiz(world, chat)
    # An old consent screen still in the chat: its TEXTS("btn-decline") button.
    await chat.press(Consent(action=ConsentAction.DECLINE).pack())

    text = chat.last.text
    assert TEXTS("consent-decline-registered") in text
    assert "/forget" in text
    assert labels(chat) == [TEXTS("btn-mydata"), TEXTS("btn-menu")]
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.role, user.consent_version) == ("student", world.app.texts("consent-version"))
    assert await attempt_count(world, chat.user_id) == 1
    await chat.click(TEXTS("btn-mydata"))
    assert TEXTS("btn-forget") in labels(chat)
