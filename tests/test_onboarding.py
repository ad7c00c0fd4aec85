"""A newcomer: /start, consent, who they are, school and grade, the menu."""

from __future__ import annotations

from html import escape

from sqlalchemy import select

from bot.conversation import Conversation
from db.models import Organisation
from tests.conftest import (
    KLIMOV_TITLE,
    MENU_HEAD,
    TEXTS,
    World,
    consent_text,
    register,
    stored_user,
    type_page,
)


def profile_text(
    world: World, organisation: str | None, grade: int | str, role: str = "student"
) -> str:
    """The profile screen: `organisation` is the catalogue's code (None: not chosen), `grade`
    the class or course now (0 once left, "none" when not given)."""
    name = world.app.catalogue.by_code[organisation].name if organisation else "—"
    return TEXTS(
        "profile",
        role=role,
        role_name=TEXTS("role-name", role=role),
        organisation=escape(name),
        has_grade="yes",
        grade=grade,
    )


async def test_start_greets_and_asks_for_consent_as_its_own_step(
    world: World, chat: Conversation
) -> None:
    await chat.send("/start")
    assert TEXTS("welcome", linked="no") in chat.last.text
    assert next(label for label, _ in chat.last.buttons) == TEXTS("btn-welcome-next")
    await chat.click(TEXTS("btn-welcome-next"))
    screen = chat.last
    assert consent_text() in screen.text
    assert world.app.texts("consent-version") in screen.text
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
    assert TEXTS("consent-declined") in chat.last.text
    assert await stored_user(world, chat.user_id) is None
    await chat.click(TEXTS("btn-types"))
    await chat.click("Человек — техника")  # the questionnaire's name of the type
    assert type_page(world, "technic") in chat.last.text
    assert "ЗЖДТ" in chat.last.text
    assert await stored_user(world, chat.user_id) is None


async def test_student_picks_school_and_grade_and_gets_the_menu(
    world: World, chat: Conversation
) -> None:
    await register(chat, organisation="Школа № 7", grade=TEXTS("btn-grade", grade=8))
    assert MENU_HEAD in chat.last.text
    labels = [label for label, _ in chat.last.buttons]
    assert TEXTS("btn-quiz-start", title=KLIMOV_TITLE) in labels
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
        "subscriptions",
        "profile",
        "mydata",
        "help",
    ]


async def test_college_student_picks_college_and_course(world: World, chat: Conversation) -> None:
    await register(
        chat,
        role=TEXTS("role-college_student"),
        organisation="ЗЖДТ",
        grade=TEXTS("btn-course", grade=2),
    )
    assert MENU_HEAD in chat.last.text
    user = await stored_user(world, chat.user_id)
    assert user is not None
    assert (user.role, user.grade) == ("college_student", 2)


async def test_help_fits_who_asks(world: World, chat: Conversation) -> None:
    """A guest's help says how to begin and lists what works without consent; a member's lists
    their commands, an adult's with the retraining section."""
    await chat.send("/help")
    assert TEXTS("help", role="none", coordinator="no") in chat.last.text
    assert "/start" in chat.last.text
    assert "/results" not in chat.last.text  # needs consent: not offered to a guest
    assert [label for label, _ in chat.last.buttons] == [TEXTS("btn-menu")]
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)
    await chat.send("/help")
    assert TEXTS("help", role="adult", coordinator="no") in chat.last.text
    assert "/retraining" in chat.last.text
    assert "школа и класс" not in chat.last.text
    student = world.user(5002)
    await register(student)
    await student.click(TEXTS("btn-help"))
    assert TEXTS("help", role="student", coordinator="no") in student.last.text
    assert "/retraining" not in student.last.text


async def test_adult_needs_no_school(world: World, chat: Conversation) -> None:
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)
    assert MENU_HEAD in chat.last.text
    assert TEXTS("menu", role="adult") in chat.last.text
    assert TEXTS("btn-adults").split(" ", 1)[1] in TEXTS("menu", role="adult")  # names its section


async def test_role_can_be_changed_from_the_profile(world: World, chat: Conversation) -> None:
    await register(chat)
    await chat.click(TEXTS("btn-profile"))
    assert profile_text(world, "school-1", 9) in chat.last.text
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
    assert profile_text(world, "school-1", 10) in chat.last.text


async def test_a_college_course_rolls_over_up_to_the_last_course(
    world: World, chat: Conversation
) -> None:
    await register(
        chat,
        role=TEXTS("role-college_student"),
        organisation="ЗЖДТ",
        grade=TEXTS("btn-course", grade=3),
    )
    world.clock.advance(days=300)  # 2027-09-20
    await chat.send("/profile")
    assert profile_text(world, "zhdt", 4, role="college_student") in chat.last.text
    world.clock.advance(days=365)  # 2028-09-19
    await chat.send("/profile")
    assert profile_text(world, "zhdt", 0, role="college_student") in chat.last.text


async def test_returning_user_gets_the_menu(chat: Conversation) -> None:
    await register(chat)
    await chat.send("/start")
    assert TEXTS("welcome-back") in chat.last.text
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
    assert TEXTS("sample-note", role="college_student") in chat.last.text
    await chat.click("Другой колледж")  # the catalogue's name
    await chat.click(TEXTS("btn-course", grade=1))
    assert MENU_HEAD in chat.last.text
    await chat.send("/profile")
    assert "Другой колледж или техникум (нет в списке)" in chat.last.text
    assert TEXTS("btn-change-organisation", role="college_student") in [
        label for label, _ in chat.last.buttons
    ]


async def test_back_from_changing_the_school_or_grade_returns_to_the_profile(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await chat.send("/profile")
    await chat.click(TEXTS("btn-change-organisation", role="student"))
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert profile_text(world, "school-1", 9) in chat.last.text
    await chat.click(TEXTS("btn-change-grade", role="student"))
    assert TEXTS("ask-grade", role="student") in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert profile_text(world, "school-1", 9) in chat.last.text


async def test_back_while_registering_goes_one_step_back(chat: Conversation) -> None:
    await register(chat, grade=None)
    assert TEXTS("ask-grade", role="student") in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert TEXTS("ask-role") in chat.last.text
    assert TEXTS("btn-back") not in [label for label, _ in chat.last.buttons]  # no profile to go to


async def test_a_profile_changed_halfway_says_what_is_missing(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await chat.send("/profile")
    await chat.click(TEXTS("btn-change-role"))
    await chat.click(TEXTS("role-college_student"))
    await chat.send("/profile")
    assert profile_text(world, None, "none", role="college_student") in chat.last.text
    assert profile_text(world, None, 0, role="college_student") not in chat.last.text


async def test_menu_while_registering_asks_the_open_question_and_keeps_public_pages_open(
    chat: Conversation,
) -> None:
    await register(chat, role=TEXTS("role-student"), organisation=None, grade=None)
    await chat.send("/menu")
    assert TEXTS("ask-organisation", role="student") in chat.last.text
    await chat.click(TEXTS("btn-places"))
    assert TEXTS("places", role="student") in chat.last.text
