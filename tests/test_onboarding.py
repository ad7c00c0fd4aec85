"""A newcomer: /start, consent, who they are, school and grade, the menu."""

from __future__ import annotations

from sqlalchemy import select

from bot.conversation import Conversation
from db.models import Organisation
from tests.conftest import MENU_HEAD, TEXTS, World, register, stored_user


async def test_start_greets_and_asks_for_consent_as_its_own_step(
    world: World, chat: Conversation
) -> None:
    await chat.send("/start")
    assert "Профнавигатор" in chat.last.text
    assert next(label for label, _ in chat.last.buttons) == "Начать →"
    await chat.click(TEXTS("btn-welcome-next"))
    screen = chat.last
    assert "Согласие на обработку персональных данных" in screen.text
    version = world.app.texts("consent-version")
    assert f"Версия согласия: {version}" in screen.text
    assert [label for label, _ in screen.buttons] == [
        TEXTS("btn-agree"),
        TEXTS("btn-decline"),
        TEXTS("btn-back"),
    ]


async def test_consent_records_time_and_version(world: World, chat: Conversation) -> None:
    await chat.send("/start")
    await chat.click(TEXTS("btn-welcome-next"))
    assert await stored_user(world, chat.user_id) is None
    await chat.click(TEXTS("btn-agree"))
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert user.consent_version == world.app.texts("consent-version")
    assert user.consent_at == world.clock.now
    assert TEXTS("ask-role") in chat.last.text


async def test_decline_stores_nothing_but_public_info_stays_open(
    world: World, chat: Conversation
) -> None:
    await chat.send("/start")
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-decline"))
    assert "ничего о вас не сохранили" in chat.last.text
    assert await stored_user(world, chat.user_id) is None
    await chat.click("🧭 Типы профессий")
    await chat.click("Человек — техника")
    assert "Профессии:" in chat.last.text
    assert "ЗЖДТ" in chat.last.text
    assert await stored_user(world, chat.user_id) is None


async def test_student_picks_school_and_grade_and_gets_the_menu(
    world: World, chat: Conversation
) -> None:
    await register(chat, organisation="Школа № 7", grade=TEXTS("btn-grade", grade=8))
    assert MENU_HEAD in chat.last.text
    labels = [label for label, _ in chat.last.buttons]
    assert TEXTS("btn-quiz-start", title="Опросник Климова (ДДО)") in labels
    assert TEXTS("btn-results") not in labels  # nothing to show yet: only what works
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.role, user.grade, user.grade_year) == ("student", 8, 2026)
    async with world.app.uow_factory() as uow:
        school = await uow.session.scalar(
            select(Organisation).where(Organisation.id == user.organisation_id)
        )
    assert school is not None
    assert school.short_name == "Школа № 7"


async def test_commands_follow_registration(world: World, chat: Conversation) -> None:
    await world.dispatcher.emit_startup(bot=world.bot, **world.dispatcher.workflow_data)
    assert world.telegram.commands["default"] == ["start", "menu", "events", "help"]
    await register(chat)
    assert world.telegram.commands[f"chat:{chat.user_id}"] == [
        "menu",
        "quiz",
        "results",
        "events",
        "plans",
        "profile",
        "mydata",
        "help",
    ]


async def test_college_student_picks_college_and_course(world: World, chat: Conversation) -> None:
    await register(chat, role=TEXTS("role-college_student"), organisation="ЗЖДТ", grade="2 курс")
    assert MENU_HEAD in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.role, user.grade) == ("college_student", 2)


async def test_adult_needs_no_school(world: World, chat: Conversation) -> None:
    await register(chat, role="💼 Ищу работу", organisation=None, grade=None)
    assert MENU_HEAD in chat.last.text
    assert "Где переобучиться и найти работу" in chat.last.text


async def test_role_can_be_changed_from_the_profile(world: World, chat: Conversation) -> None:
    await register(chat)
    await chat.click(TEXTS("btn-profile"))
    assert "Класс: 9" in chat.last.text
    await chat.click(TEXTS("btn-change-role"))
    await chat.click(TEXTS("role-parent"))
    assert MENU_HEAD in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.role, user.organisation_id, user.grade) == ("parent", None, None)


async def test_grade_rolls_over_on_the_first_of_september(world: World, chat: Conversation) -> None:
    await register(chat, grade=TEXTS("btn-grade", grade=9))
    world.clock.advance(days=300)  # 2027-09-20
    await chat.send("/profile")
    assert "Класс: 10" in chat.last.text


async def test_a_college_course_rolls_over_up_to_the_last_course(
    world: World, chat: Conversation
) -> None:
    await register(chat, role=TEXTS("role-college_student"), organisation="ЗЖДТ", grade="3 курс")
    world.clock.advance(days=300)  # 2027-09-20
    await chat.send("/profile")
    assert "Курс: 4" in chat.last.text
    world.clock.advance(days=365)  # 2028-09-19
    await chat.send("/profile")
    assert "Курс: колледж окончен" in chat.last.text


async def test_returning_user_gets_the_menu(chat: Conversation) -> None:
    await register(chat)
    await chat.send("/start")
    assert "С возвращением" in chat.last.text
    assert MENU_HEAD in chat.last.text


async def test_a_student_whose_school_is_not_listed_can_go_on(
    world: World, chat: Conversation
) -> None:
    await register(chat, organisation="Другая школа", grade=TEXTS("btn-grade", grade=10))
    assert MENU_HEAD in chat.last.text
    await chat.send("/profile")
    assert "Другая школа (нет в списке)" in chat.last.text


async def test_a_college_student_whose_college_is_not_listed_can_go_on(
    chat: Conversation,
) -> None:
    await register(chat, role=TEXTS("role-college_student"), organisation=None, grade=None)
    assert "Если вашего колледжа в нём нет, выберите «Другой колледж»" in chat.last.text
    await chat.click("Другой колледж")
    await chat.click("1 курс")
    assert MENU_HEAD in chat.last.text
    await chat.send("/profile")
    assert "Другой колледж или техникум (нет в списке)" in chat.last.text
    assert "Изменить колледж" in [label for label, _ in chat.last.buttons]


async def test_back_from_changing_the_school_or_grade_returns_to_the_profile(
    chat: Conversation,
) -> None:
    await register(chat)
    await chat.send("/profile")
    await chat.click("Изменить школу")
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert "Мой профиль" in chat.last.text
    await chat.click("Изменить класс")
    await chat.click(TEXTS("btn-back"))
    assert "Мой профиль" in chat.last.text
    assert "Класс: 9" in chat.last.text


async def test_back_while_registering_goes_one_step_back(chat: Conversation) -> None:
    await register(chat, grade=None)
    assert TEXTS("ask-grade", role="student") in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert TEXTS("ask-role") in chat.last.text
    assert TEXTS("btn-back") not in [label for label, _ in chat.last.buttons]  # no profile to go to


async def test_a_profile_changed_halfway_says_what_is_missing(chat: Conversation) -> None:
    await register(chat)
    await chat.send("/profile")
    await chat.click(TEXTS("btn-change-role"))
    await chat.click(TEXTS("role-college_student"))
    await chat.send("/profile")
    assert "Курс: не указан" in chat.last.text
    assert "окончен" not in chat.last.text


async def test_menu_while_registering_asks_the_open_question_and_keeps_public_pages_open(
    chat: Conversation,
) -> None:
    await register(chat, role=TEXTS("role-student"), organisation=None, grade=None)
    await chat.send("/menu")
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    await chat.click(TEXTS("btn-places"))
    assert "Где учиться и переобучиться" in chat.last.text
