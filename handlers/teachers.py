"""The teachers' section: seminars and qualification courses, and recording a completed
course (title typed; hours and date by button or typed), kept in the dialog state until saved."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import skip
from aiogram.types import CallbackQuery, Message

from handlers.callbacks import CoursePick, Teachers, TeacherStep
from handlers.context import Request
from handlers.flow import require_consent, show_home, show_outdated
from handlers.ui import Event, show
from handlers.views.teachers import course_step_view, courses_view, teachers_view
from services import teachers
from services.errors import NotAllowed, NotRegistered

#: The course being recorded, under one key of the chat's dialog data.
KEY = "course"


async def _load(ctx: Request) -> dict[str, Any] | None:
    if ctx.state is None:
        return None
    course = (await ctx.state.get_data()).get(KEY)
    return dict(course) if isinstance(course, dict) else None


async def _save(ctx: Request, course: dict[str, Any] | None) -> None:
    await ctx.dialog.update_data({KEY: course})


def _today(ctx: Request) -> date:
    return ctx.now().astimezone(ctx.texts.tz).date()


async def show_section(event: Event, ctx: Request, *, note: str | None = None) -> None:
    user = ctx.member
    found = await teachers.courses(ctx.uow, user.id) if teachers.is_teacher(user.role) else None
    await show(event, teachers_view(ctx.texts, found).noted(note))


async def _show_courses(event: Event, ctx: Request, *, note: str | None = None) -> None:
    found = await teachers.courses(ctx.uow, ctx.member.id)
    await show(event, courses_view(ctx.texts, found).noted(note))


async def _show_step(
    event: Event, ctx: Request, course: dict[str, Any], note: str | None = None
) -> None:
    await show(event, course_step_view(ctx.texts, course, _today(ctx)).noted(note))


async def on_teachers(callback: CallbackQuery, callback_data: Teachers, ctx: Request) -> None:
    if (user := await require_consent(callback, ctx)) is None:
        return
    action = callback_data.action
    if action == TeacherStep.SHOW:
        await show_section(callback, ctx)
        return
    if not teachers.is_teacher(user.role):
        await show_section(callback, ctx, note=ctx.texts("teachers-only"))
        return
    if action == TeacherStep.COURSES:
        await _show_courses(callback, ctx)
    elif action == TeacherStep.RECORD:
        course = {"step": "title", "token": teachers.new_token()}
        await _save(ctx, course)
        await _show_step(callback, ctx, course)
    else:  # CANCEL
        await _save(ctx, None)
        await show_section(callback, ctx, note=ctx.texts("course-cancelled"))


async def on_course_pick(callback: CallbackQuery, callback_data: CoursePick, ctx: Request) -> None:
    if await require_consent(callback, ctx) is None:
        return
    course = await _load(ctx)
    if course is None or course.get("token") != callback_data.token:
        await _stale(callback, ctx, course, callback_data)
        return
    field, value = callback_data.field, callback_data.value
    if field == "hours" and course["step"] == "hours":
        hours = teachers.parse_hours(value)
        if hours is None:
            await show_outdated(callback, ctx)
            return
        course.update(hours=hours, step="date")
    elif field == "date" and course["step"] == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or not teachers.valid_completed(day, _today(ctx)):
            ctx.outdated()
            await _show_step(callback, ctx, course)
            return
        course.update(completed_on=day.isoformat(), step="confirm")
    elif field == "save" and course["step"] == "confirm":
        await _record(callback, ctx, course)
        return
    else:  # a button of another step (an old screen)
        ctx.outdated()
        await _show_step(callback, ctx, course)
        return
    await _save(ctx, course)
    await _show_step(callback, ctx, course)


async def _stale(
    callback: CallbackQuery, ctx: Request, course: dict[str, Any] | None, data: CoursePick
) -> None:
    """A button of an entry that is no longer open: a second tap on «Сохранить» (saved
    already), or an old screen's button (the open step, or where the user stands)."""
    if data.field == "save" and await teachers.was_recorded(ctx.uow, ctx.member.id, data.token):
        ctx.toast("course-already-saved")
        await _show_courses(callback, ctx)
    elif course is None:
        await show_outdated(callback, ctx)
    else:
        ctx.outdated()
        await _show_step(callback, ctx, course)


async def _record(callback: CallbackQuery, ctx: Request, course: dict[str, Any]) -> None:
    entry = teachers.CourseEntry(
        title=str(course["title"]),
        hours=int(course["hours"]),
        completed_on=date.fromisoformat(course["completed_on"]),
    )
    try:
        new = await teachers.record_course(
            ctx.uow, ctx.member.id, course["token"], entry, ctx.moment()
        )
    except (NotAllowed, NotRegistered):
        await _save(ctx, None)
        await show_home(callback, ctx, note=ctx.texts("teachers-only"))
        return
    await _save(ctx, None)
    await _show_courses(
        callback, ctx, note=ctx.texts("course-saved" if new else "course-already-saved")
    )


async def on_text(message: Message, ctx: Request) -> None:
    """Typed text while a course is being recorded; any other text goes on."""
    course = await _load(ctx)
    if course is None or ctx.user is None:
        skip()
    texts, text = ctx.texts, (message.text or "").strip()
    step = course["step"]
    if step == "title":
        title = teachers.parse_title(text)
        if title is None:
            await _show_step(message, ctx, course, texts("course-title-bad"))
            return
        course.update(title=title, step="hours")
    elif step == "hours":
        hours = teachers.parse_hours(text)
        if hours is None:
            await _show_step(message, ctx, course, texts("course-hours-bad"))
            return
        course.update(hours=hours, step="date")
    elif step == "date":
        day = teachers.parse_completed(text, _today(ctx))
        if day is None:
            await _show_step(message, ctx, course, texts("course-date-bad"))
            return
        course.update(completed_on=day.isoformat(), step="confirm")
    else:
        await _show_step(message, ctx, course, texts("course-use-buttons"))
        return
    await _save(ctx, course)
    await _show_step(message, ctx, course)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_teachers, Teachers.filter())
    router.callback_query.register(on_course_pick, CoursePick.filter())
    router.message.register(on_text, F.text, ~F.text.startswith("/"))
    return router
