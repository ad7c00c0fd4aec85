"""The teachers' section, their completed courses, and the steps of recording one."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any

from db.models import EventKind
from db.records import CourseRecord
from handlers.callbacks import CoursePick, EventList, Teachers, TeacherStep
from handlers.ui import Row, View, back_row, menu_row
from locales import Texts
from services.teachers import HOURS_CHOICES


def teachers_view(texts: Texts, courses: list[CourseRecord] | None) -> View:
    """`courses`: the teacher's recorded courses; None for someone who is not a teacher."""
    teacher = courses is not None
    found = courses or []
    text = texts(
        "teachers",
        teacher="yes" if teacher else "no",
        count=len(found),
        hours=sum(c.hours for c in found),
    )
    rows: list[Row] = [
        [(texts("btn-teacher-seminars"), EventList(kind=EventKind.TEACHER_SEMINAR))],
        [(texts("btn-teacher-courses"), EventList(kind=EventKind.TEACHER_COURSE))],
    ]
    if teacher:
        rows.append([(texts("btn-course-record"), Teachers(action=TeacherStep.RECORD))])
        rows.append(
            [(texts("btn-my-courses", count=len(found)), Teachers(action=TeacherStep.COURSES))]
        )
    rows.append(menu_row(texts))
    return View(text, rows)


def course_line(texts: Texts, course: CourseRecord) -> str:
    return texts(
        "course-line",
        title=escape(course.title),
        hours=course.hours,
        date=course.completed_on.strftime("%d.%m.%Y"),
    )


def courses_view(texts: Texts, courses: list[CourseRecord]) -> View:
    if courses:
        text = texts("my-courses", list="\n".join(course_line(texts, c) for c in courses[:40]))
    else:
        text = texts("my-courses-none")
    return View(
        text,
        [
            [(texts("btn-course-record"), Teachers(action=TeacherStep.RECORD))],
            back_row(texts, Teachers()),
            menu_row(texts),
        ],
    )


def course_step_view(texts: Texts, course: dict[str, Any], today: date) -> View:
    """The open step of a course being recorded (its state: step, token, what is filled)."""
    step, token = course["step"], course["token"]
    cancel: Row = [(texts("btn-course-cancel"), Teachers(action=TeacherStep.CANCEL))]
    title = escape(str(course.get("title", "")))
    if step == "title":
        return View(texts("course-ask-title"), [cancel])
    if step == "hours":
        buttons: Row = [
            (
                texts("btn-course-hours", hours=h),
                CoursePick(field="hours", value=str(h), token=token),
            )
            for h in HOURS_CHOICES
        ]
        return View(texts("course-ask-hours", title=title), [buttons, cancel])
    if step == "date":
        days: Row = [
            (
                texts("btn-course-today"),
                CoursePick(field="date", value=today.isoformat(), token=token),
            ),
            (
                texts("btn-course-yesterday"),
                CoursePick(
                    field="date", value=(today - timedelta(days=1)).isoformat(), token=token
                ),
            ),
        ]
        return View(texts("course-ask-date", title=title, hours=course["hours"]), [days, cancel])
    completed = date.fromisoformat(course["completed_on"])
    return View(
        texts(
            "course-confirm",
            title=title,
            hours=course["hours"],
            date=completed.strftime("%d.%m.%Y"),
        ),
        [[(texts("btn-course-save"), CoursePick(field="save", token=token))], cancel],
    )
