"""Teachers: their seminars and qualification courses in a section of their own, and recording a
completed course, which is a monitoring step of its own kind (one per course)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Conversation
from db.models import EventKind, Step, StepKind
from handlers.callbacks import CoursePick, Teachers, TeacherStep
from services import teachers
from tests.conftest import TEXTS, World, register, settings_for_tests
from tests.test_events import ADMIN, make_event


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


async def register_teacher(chat: Conversation) -> None:
    await register(chat, role=TEXTS("role-teacher"), organisation="Школа № 1", grade=None)


async def course_steps(world: World) -> list[Step]:
    async with world.app.uow_factory() as uow:
        query = select(Step).where(Step.kind == StepKind.TEACHER_COURSE).order_by(Step.id)
        return list(await uow.session.scalars(query))


def labels(chat: Conversation) -> list[str]:
    return [label for label, _ in chat.with_buttons().buttons]


async def test_teachers_see_their_section_with_seminars_and_courses(world: World) -> None:
    seminar = await make_event(
        world,
        kind=EventKind.TEACHER_SEMINAR,
        title="Семинар: профориентация в 8 классе",
        roles=("teacher",),
        grade_min=None,
        grade_max=None,
        interest_types=(),
        profession="",
    )
    course = await make_event(
        world,
        kind=EventKind.TEACHER_COURSE,
        title="КПК «Навигатор профессий»",
        roles=("teacher",),
        grade_min=None,
        grade_max=None,
        interest_types=(),
        profession="",
    )
    student = world.user(5002)
    await register(student)
    assert TEXTS("btn-teachers") not in labels(student)  # a student's menu has no such section

    chat = world.user()
    await register_teacher(chat)
    await chat.click(TEXTS("btn-teachers"))
    assert TEXTS("teachers", teacher="yes", count=0, hours=0) in chat.last.text
    await chat.click(TEXTS("btn-teacher-courses"))
    assert any(course.title in label for label in labels(chat))
    assert not any(seminar.title in label for label in labels(chat))
    await chat.click(TEXTS("btn-back"))  # from the list back to the section, not the menu
    assert TEXTS("teachers", teacher="yes", count=0, hours=0) in chat.last.text
    await chat.click(TEXTS("btn-teacher-seminars"))
    assert any(seminar.title in label for label in labels(chat))
    await chat.click(TEXTS("btn-menu"))
    await chat.send("/events")  # the whole list is not the section's: no way back to it
    assert TEXTS("btn-back") not in labels(chat)


async def test_a_teacher_records_a_course_with_buttons_and_typed_input(world: World) -> None:
    chat = world.user()
    await register_teacher(chat)
    await chat.click(TEXTS("btn-teachers"))
    await chat.click(TEXTS("btn-course-record"))
    assert TEXTS("course-ask-title") in chat.last.text

    await chat.send("ab")  # too short: asked again, nothing lost
    assert TEXTS("course-title-bad") in chat.last.text
    await chat.send("  Профориентация   школьников  ")
    assert TEXTS("course-ask-hours", title="Профориентация школьников") in chat.last.text
    await chat.send("сто")
    assert TEXTS("course-hours-bad") in chat.last.text
    await chat.click(TEXTS("btn-course-hours", hours=72))
    assert "72" in chat.last.text
    await chat.send("31.02.2026")
    assert TEXTS("course-date-bad") in chat.last.text
    future = (world.clock.now + timedelta(days=3)).astimezone(TEXTS.tz).strftime("%d.%m.%Y")
    await chat.send(future)
    assert TEXTS("course-date-bad") in chat.last.text
    await chat.send("12.11")  # the last 12 November: this year's
    assert (
        TEXTS("course-confirm", title="Профориентация школьников", hours=72, date="12.11.2026")
        in chat.last.text
    )
    await chat.send("ещё текст")
    assert TEXTS("course-use-buttons") in chat.last.text

    [save] = [data for label, data in chat.last.buttons if label == TEXTS("btn-course-save")]
    await chat.click(TEXTS("btn-course-save"))
    assert TEXTS("course-saved") in chat.last.text
    assert "Профориентация школьников — 72 ч, окончен 12.11.2026" in chat.last.text
    await chat.press(save)  # a second tap: counted once
    assert chat.last_toast == TEXTS("course-already-saved")

    [step] = await course_steps(world)
    assert step.user_id == chat.user_id
    assert step.role == "teacher"
    assert step.organisation_id is not None
    assert step.academic_year == 2026
    assert step.detail == {
        "title": "Профориентация школьников",
        "hours": 72,
        "completed_on": "2026-11-12",
    }

    # A second course, by buttons, completed last academic year.
    await chat.click(TEXTS("btn-course-record"))
    await chat.send("Современные профессии")
    await chat.click(TEXTS("btn-course-hours", hours=16))
    await chat.send("20.05.2026")
    await chat.click(TEXTS("btn-course-save"))
    second = (await course_steps(world))[1]
    assert second.academic_year == 2025
    async with world.app.uow_factory() as uow:
        assert await uow.teachers.count_courses() == 2
        assert await uow.teachers.count_courses(2026) == 1
    await chat.click(TEXTS("btn-back"))
    assert TEXTS("teachers", teacher="yes", count=2, hours=88) in chat.last.text


async def test_today_button_cancel_and_stale_buttons(world: World) -> None:
    chat = world.user()
    await register_teacher(chat)
    await chat.click(TEXTS("btn-teachers"))
    await chat.click(TEXTS("btn-course-record"))
    await chat.send("Курс по профориентации")
    [old] = [data for label, data in chat.last.buttons if label.startswith("16")]
    await chat.click(TEXTS("btn-course-hours", hours=36))
    await chat.press(old)  # a button of a step already done
    assert chat.last_toast == TEXTS("button-outdated")
    await chat.click(TEXTS("btn-course-today"))
    today = world.clock.now.astimezone(TEXTS.tz).strftime("%d.%m.%Y")
    assert TEXTS("course-confirm", title="Курс по профориентации", hours=36, date=today) in (
        chat.last.text
    )
    # A forged date button (in the future) is refused; the step stays.
    await chat.press(CoursePick(field="date", value="2099-01-01", token="x").pack())
    assert chat.last_toast == TEXTS("button-outdated")
    await chat.click(TEXTS("btn-course-cancel"))
    assert TEXTS("course-cancelled") in chat.last.text
    assert await course_steps(world) == []
    await chat.send("просто текст")  # no dialog open any more: the usual answer
    assert TEXTS("unexpected-text") in chat.last.text


async def test_only_teachers_record_courses(world: World) -> None:
    chat = world.user()
    await register(chat)
    await chat.press(Teachers(action=TeacherStep.RECORD).pack())
    assert TEXTS("teachers-only") in chat.last.text
    await chat.press(Teachers().pack())
    assert TEXTS("teachers", teacher="no", count=0, hours=0) in chat.last.text
    assert TEXTS("btn-course-record") not in labels(chat)
    assert await course_steps(world) == []


def test_typed_course_fields() -> None:
    today = date(2026, 11, 24)
    assert teachers.parse_hours("72") == 72
    assert teachers.parse_hours("72 ч") == 72
    assert teachers.parse_hours("0") is None
    assert teachers.parse_hours("3000") is None
    assert teachers.parse_completed("25.12", today) == date(2025, 12, 25)
    assert teachers.parse_completed("24.11", today) == today
    assert teachers.parse_completed("01.01.2010", today) is None
    assert teachers.parse_title("x" * 201) is None
