"""Teachers: their events (seminars, qualification courses) and the courses they completed.

A completed course is recorded as a step of its own kind (`StepKind.TEACHER_COURSE`), one step
per course, so the committee's indicator of trained teachers is a count of those steps.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from db.calendar import Moment
from db.models import EventKind, Role, StepKind
from db.records import CourseRecord
from db.uow import UnitOfWork
from services import steps
from services.dates import parse_date
from services.errors import NotAllowed, NotRegistered

#: The event kinds of the teachers' section.
TEACHER_KINDS = (EventKind.TEACHER_SEMINAR, EventKind.TEACHER_COURSE)
TITLE_MIN, TITLE_MAX = 3, 200
HOURS_MAX = 2000
#: Hours offered as buttons (the usual lengths of such courses).
HOURS_CHOICES = (16, 24, 36, 72, 144)
#: A course completed longer ago than this is refused (a typo in the year, most likely).
OLDEST_YEARS = 10


def is_teacher(role: str | None) -> bool:
    return role == Role.TEACHER


def new_token() -> str:
    """Names one course being entered, so that saving it twice records it once."""
    return secrets.token_hex(8)


def parse_title(text: str) -> str | None:
    title = " ".join(text.split())
    return title if TITLE_MIN <= len(title) <= TITLE_MAX else None


def parse_hours(text: str) -> int | None:
    digits = text.strip().removesuffix("ч").removesuffix("часов").removesuffix("ч.").strip()
    if not digits.isdigit():
        return None
    hours = int(digits)
    return hours if 1 <= hours <= HOURS_MAX else None


def parse_completed(text: str, today: date) -> date | None:
    """The day a course ended, as typed: «12.11» (the last such day), «12.11.2026». Not in
    the future, not more than ten years ago."""
    found = parse_date(text, today)
    if found is None:
        return None
    if found > today and text.count(".") + text.count("/") == 1:  # no year typed
        try:
            found = found.replace(year=found.year - 1)
        except ValueError:  # 29 February
            return None
    return found if valid_completed(found, today) else None


def valid_completed(day: date, today: date) -> bool:
    return date(today.year - OLDEST_YEARS, 1, 1) <= day <= today


@dataclass(frozen=True, slots=True)
class CourseEntry:
    title: str
    hours: int
    completed_on: date


def course_ref(user_id: int, token: str) -> str:
    return f"course:{user_id}:{token}"


async def record_course(
    uow: UnitOfWork, user_id: int, token: str, entry: CourseEntry, moment: Moment
) -> bool:
    """Log the completed course as a step (in the academic year it was completed in); False if
    this entry (`token`) was saved already."""
    today = moment.now.astimezone(moment.tz).date()
    if parse_title(entry.title) is None or not 1 <= entry.hours <= HOURS_MAX:
        raise NotAllowed("course entry is not valid")
    if not valid_completed(entry.completed_on, today):
        raise NotAllowed("completion date is not valid")
    async with uow.write():
        user = await uow.users.get(user_id)
        if user is None:
            raise NotRegistered
        if not is_teacher(user.role):
            raise NotAllowed("only teachers record courses")
        ended = datetime.combine(entry.completed_on, time(12), moment.tz)
        step = steps.step_of(
            user,
            StepKind.TEACHER_COURSE,
            course_ref(user_id, token),
            Moment(ended, moment.tz),
            {
                "title": entry.title,
                "hours": entry.hours,
                "completed_on": entry.completed_on.isoformat(),
            },
        )
        # Recorded now; counted in the academic year the course was completed in.
        return await uow.steps.log(replace(step, created_at=moment.now))


async def courses(uow: UnitOfWork, user_id: int) -> list[CourseRecord]:
    found = await uow.teachers.courses(user_id)
    await uow.end_read()
    return found


async def was_recorded(uow: UnitOfWork, user_id: int, token: str) -> bool:
    found = await uow.teachers.recorded(course_ref(user_id, token))
    await uow.end_read()
    return found
