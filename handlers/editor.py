"""The event editor: a guided dialog in which a coordinator creates an event or changes one.

Its state (the step and the draft so far) lives in the FSM storage, which is the database (or
Redis): a restart midway, or another bot process, continues it where it stopped. Every step
checks the coordinator's rights in the database again; publishing checks them once more in the
same transaction as the write.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import skip
from aiogram.types import CallbackQuery, Message

from content.catalogue import INTEREST_TYPES
from db.models import EventKind, Role
from db.records import EventDraft
from handlers.callbacks import CalendarDay, CalendarMonth, EditorPick, Manage
from handlers.context import Request
from handlers.flow import organisations_of_kinds, refuse, show_outdated
from handlers.ui import Event, Row, View, deep_link, menu_row, show
from handlers.views.editor import (
    CAPACITIES,
    DEADLINES,
    DURATIONS,
    GRADE_RANGES,
    START_TIMES,
    preview_view,
    published_view,
    quit_view,
    step_view,
)
from services import coordinators
from services import events as event_service
from services.coordinators import Manager
from services.dates import parse_time, parse_when
from services.errors import NotFound, NotPermitted
from services.events import AUDIENCE_ROLES, DraftRejected, check_draft

#: The steps, in order; some are skipped (see `_skipped`).
STEPS = (
    "kind",
    "title",
    "description",
    "organisation",
    "place",
    "start",
    "start-time",
    "end",
    "capacity",
    "deadline",
    "roles",
    "grades",
    "types",
    "profession",
    "preview",
)
#: Steps answered by typing.
TYPED = {
    "title",
    "description",
    "place",
    "start",
    "start-time",
    "end",
    "end-date",
    "end-time",
    "capacity",
    "grades",
    "profession",
}
KEY = "editor"
#: Who may organise events, in the order the committee picks from.
EVENT_ORGANISERS = (
    "college",
    "school",
    "employment_centre",
    "enterprise",
    "youth_department",
    "committee",
)


# --- the dialog's state ------------------------------------------------------------------------


# The editor keeps its step and draft under one key of the chat's dialog data (no FSM state of
# its own: the data says whether a dialog is open), so each step is one read and one write.


async def _load(ctx: Request) -> dict[str, Any] | None:
    if ctx.state is None:
        return None
    editor = (await ctx.state.get_data()).get(KEY)
    return dict(editor) if isinstance(editor, dict) else None


async def _save(ctx: Request, editor: dict[str, Any]) -> None:
    await ctx.dialog.update_data({KEY: editor})


async def _clear(ctx: Request) -> None:
    await ctx.dialog.update_data({KEY: None})


def _skipped(step: str, editor: dict[str, Any]) -> bool:
    draft: dict[str, Any] = editor["draft"]
    if step == "organisation":
        return editor.get("fixed_organisation") is not None
    if step == "grades":
        return Role.STUDENT not in list(draft.get("roles") or [])
    if step == "profession":
        return bool(draft.get("kind") != EventKind.TRIAL)
    return step == "start-time" and bool(draft.get("start_has_time"))


def _advance(editor: dict[str, Any], done: str) -> None:
    """After answering `done`: the next step, or back to the preview when changing one field
    (a field with a second part, like the start's time, asks that part first)."""
    follow_ups = {"start": "start-time", "end-date": "end-time"}
    if done in follow_ups and not _skipped(follow_ups[done], editor):
        editor["step"] = follow_ups[done]
        return
    if editor.get("review"):
        editor["step"] = "preview"
        return
    if done in ("end-date", "end-time"):
        done = "end"
    index = STEPS.index(done) + 1 if done in STEPS else 0
    while STEPS[index] != "preview" and _skipped(STEPS[index], editor):
        index += 1
    editor["step"] = STEPS[index]


def _local(ctx: Request, value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(ctx.texts.tz) if value else None


def _at(ctx: Request, day: date, moment: time) -> str:
    return (
        datetime.combine(day, moment, tzinfo=ctx.texts.tz).astimezone(ctx.now().tzinfo).isoformat()
    )


def _draft(ctx: Request, editor: dict[str, Any]) -> EventDraft | None:
    """The event as filled in, once every step has an answer."""
    d = editor["draft"]
    start, end = _local(ctx, d.get("start")), _local(ctx, d.get("end"))
    if not d.get("kind") or not d.get("title") or start is None or end is None:
        return None
    if d.get("organisation_id") is None:
        return None
    days = d.get("deadline_days")
    deadline = start - timedelta(days=days) if days else None
    return EventDraft(
        kind=d["kind"],
        title=d["title"],
        organisation_id=int(d["organisation_id"]),
        starts_at=start,
        ends_at=end,
        description=d.get("description") or "",
        place=d.get("place") or "",
        link=d.get("link") or "",
        capacity=d.get("capacity"),
        signup_deadline=deadline,
        roles=tuple(d.get("roles") or ()),
        grade_min=d.get("grade_min"),
        grade_max=d.get("grade_max"),
        interest_types=tuple(d.get("types") or ()),
        profession=(d.get("profession") or "") if d.get("kind") == EventKind.TRIAL else "",
        code=d.get("code"),
    )


# --- showing the current step --------------------------------------------------------------------


async def _show_step(event: Event, ctx: Request, editor: dict[str, Any], note: str = "") -> None:
    step = editor["step"]
    if step == "preview":
        await _show_preview(event, ctx, editor, note)
        return
    organisations = []
    if step == "organisation":
        organisations = await organisations_of_kinds(ctx, EVENT_ORGANISERS)
    today = ctx.now().astimezone(ctx.texts.tz).date()
    view = step_view(ctx.texts, step, editor["draft"], today, organisations)
    await show(event, view.noted(note or None))


async def _show_preview(event: Event, ctx: Request, editor: dict[str, Any], note: str) -> None:
    draft = _draft(ctx, editor)
    if draft is None:  # something is missing: ask it
        editor["review"] = False
        editor["step"] = "kind"
        await _save(ctx, editor)
        await _show_step(event, ctx, editor, note)
        return
    existing = editor.get("existing_start")
    event_id = editor.get("event_id")
    # A change is previewed with the seats taken as they are now, not when the dialog began.
    taken = None
    if event_id is not None:
        taken = await event_service.seats_taken(ctx.uow, int(event_id))
    problems = check_draft(
        draft,
        ctx.now(),
        existing_start=datetime.fromisoformat(existing) if existing else None,
        seats_taken=taken or 0,
    )
    organisation = await ctx.uow.organisations.get(draft.organisation_id)
    await ctx.uow.end_read()
    view = preview_view(
        ctx.texts,
        draft,
        organisation.name if organisation else "",
        problems,
        taken=taken,
    )
    await show(event, view.noted(note or None))


# --- entering and leaving ----------------------------------------------------------------------


async def _manager(event: Event, ctx: Request) -> Manager | None:
    found = await coordinators.manager(ctx.uow, ctx.staff)
    if found is None:
        if ctx.state is not None:
            await _clear(ctx)
        await refuse(event, ctx)
    return found


async def start_creating(event: Event, ctx: Request) -> None:
    if (manager := await _manager(event, ctx)) is None:
        return
    editor: dict[str, Any] = {
        "step": "kind",
        "event_id": None,
        "fixed_organisation": manager.organisation_id,
        "draft": {"organisation_id": manager.organisation_id, "roles": [], "types": []},
    }
    await _save(ctx, editor)
    await _show_step(event, ctx, editor)


async def start_editing(event: Event, ctx: Request, event_id: int) -> None:
    """Open a published event in the editor, at its preview."""
    try:
        found = await event_service.event_to_manage(ctx.uow, ctx.staff, event_id)
    except NotPermitted:
        await refuse(event, ctx)
        return
    draft = event_service.draft_of(found)
    start, end = draft.starts_at.isoformat(), draft.ends_at.isoformat()
    days = None
    if draft.signup_deadline is not None:
        days = max(0, round((draft.starts_at - draft.signup_deadline) / timedelta(days=1)))
    editor = {
        "step": "preview",
        "review": True,
        "event_id": event_id,
        "existing_start": start,
        "fixed_organisation": found.organisation_id,
        "draft": {
            "kind": draft.kind,
            "title": draft.title,
            "description": draft.description,
            "organisation_id": draft.organisation_id,
            "place": draft.place,
            "link": draft.link,
            "start": start,
            "start_has_time": True,
            "end": end,
            "capacity": draft.capacity,
            "deadline_days": days,
            "roles": list(draft.roles),
            "grade_min": draft.grade_min,
            "grade_max": draft.grade_max,
            "types": list(draft.interest_types),
            "profession": draft.profession,
            "code": found.code,
        },
    }
    await _save(ctx, editor)
    await _show_step(event, ctx, editor)


async def _publish(callback: CallbackQuery, ctx: Request, editor: dict[str, Any]) -> None:
    draft = _draft(ctx, editor)
    if draft is None:
        await _show_step(callback, ctx, editor)
        return
    event_id = editor.get("event_id")
    try:
        if event_id is None:
            event = await event_service.create_event(ctx.uow, ctx.staff, draft, ctx.now())
        else:
            event, _ = await event_service.update_event(
                ctx.uow, ctx.staff, int(event_id), draft, ctx.now()
            )
    except DraftRejected as rejected:
        editor["step"] = "preview"
        await _save(ctx, editor)
        note = ctx.texts("editor-rejected", count=len(rejected.problems))
        await _show_preview(callback, ctx, editor, note)
        return
    except NotPermitted:
        await _clear(ctx)
        await refuse(callback, ctx)
        return
    except NotFound:
        await _clear(ctx)
        await show_outdated(callback, ctx)
        return
    await _clear(ctx)
    bot = callback.bot
    assert bot is not None
    link = await deep_link(bot, event.code)
    text = published_view(ctx.texts, event, link, editing=event_id is not None)
    rows: list[Row] = [[(ctx.texts("btn-manage-open"), Manage(id=event.id))], menu_row(ctx.texts)]
    await show(callback, View(text, rows))


# --- answers -------------------------------------------------------------------------------------


async def on_pick(callback: CallbackQuery, callback_data: EditorPick, ctx: Request) -> None:
    field, value = callback_data.field, callback_data.value
    if field == "new":  # checks the rights itself
        await start_creating(callback, ctx)
        return
    if await _manager(callback, ctx) is None:
        return
    editor = await _load(ctx)
    if editor is None:  # the dialog ended (published, cancelled) or never began here
        await show_outdated(callback, ctx)
        return
    if field == "quit":
        await _clear(ctx)
        await show(callback, quit_view(ctx.texts))
        return
    if field == "publish":
        await _publish(callback, ctx, editor)
        return
    if field == "goto" and value in STEPS:
        editor["review"] = True
        editor["step"] = value
        if value == "start":
            editor["draft"]["start_has_time"] = False
    elif not _apply_pick(ctx, editor, field, value):
        ctx.outdated()
    await _save(ctx, editor)
    await _show_step(callback, ctx, editor)


def _apply_pick(ctx: Request, editor: dict[str, Any], field: str, value: str) -> bool:  # noqa: PLR0911, PLR0912
    """Apply a button's choice to the draft; False if it does not belong to the current step
    (an old message's button) or is not on offer."""
    draft, step = editor["draft"], editor["step"]
    expected = {
        "kind": "kind",
        "description": "description",
        "org": "organisation",
        "start-time": "start-time",
        "end-time": "end-time",
        "duration": "end",
        "end-date": "end",
        "capacity": "capacity",
        "deadline": "deadline",
        "role": "roles",
        "roles-done": "roles",
        "grades": "grades",
        "type": "types",
        "types-done": "types",
    }
    if expected.get(field) != step:
        return False
    if field == "kind":
        if value not in set(EventKind):
            return False
        draft["kind"] = value
    elif field == "description":
        draft["description"] = ""
    elif field == "org":
        if not value.isdigit():
            return False
        draft["organisation_id"] = int(value)
    elif field in ("start-time", "end-time"):
        if value not in START_TIMES:
            return False
        return _set_time(ctx, editor, field, time(int(value[:2]), int(value[2:])))
    elif field == "duration":
        if value not in DURATIONS or not draft.get("start"):
            return False
        start = datetime.fromisoformat(draft["start"])
        draft["end"] = (start + timedelta(minutes=int(value))).isoformat()
    elif field == "end-date":
        editor["step"] = "end-date"
        return True
    elif field == "capacity":
        if value not in (*CAPACITIES, "0"):
            return False
        draft["capacity"] = int(value) or None
    elif field == "deadline":
        if value not in DEADLINES:
            return False
        draft["deadline_days"] = int(value) or None
    elif field in ("role", "type"):
        allowed = AUDIENCE_ROLES if field == "role" else INTEREST_TYPES
        if value not in allowed:
            return False
        key = "roles" if field == "role" else "types"
        chosen = list(draft.get(key) or [])
        draft[key] = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
        return True  # the same step, with the choice marked
    elif field == "roles-done":
        if not draft.get("roles"):
            ctx.toast("editor-roles-needed")
            return True
    elif field == "grades":
        if value not in GRADE_RANGES:
            return False
        _set_grades(draft, value)
    _advance(editor, step)
    return True


def _set_grades(draft: dict[str, Any], value: str) -> bool:
    value = value.replace("–", "-").replace(" ", "")
    if not value:
        draft["grade_min"] = draft["grade_max"] = None
        return True
    low, _, high = value.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return False
    draft["grade_min"], draft["grade_max"] = int(low), int(high or low)
    return True


def _set_time(ctx: Request, editor: dict[str, Any], field: str, moment: time) -> bool:
    draft = editor["draft"]
    key = "start" if field == "start-time" else "end"
    day_key = "start_day" if key == "start" else "end_day"
    day = draft.get(day_key)
    if not day:
        return False
    draft[key] = _at(ctx, date.fromisoformat(day), moment)
    if key == "start":
        draft["start_has_time"] = True
        _keep_length(draft)
    _advance(editor, field)
    return True


def _keep_length(draft: dict[str, Any]) -> None:
    """A moved start moves the end with it, keeping the event as long as it was."""
    length = draft.pop("length", None)
    if draft.get("end") and length:
        start = datetime.fromisoformat(draft["start"])
        draft["end"] = (start + timedelta(seconds=length)).isoformat()


async def on_calendar_month(
    callback: CallbackQuery, callback_data: CalendarMonth, ctx: Request
) -> None:
    if await _manager(callback, ctx) is None:
        return
    editor = await _load(ctx)
    if editor is None or editor["step"] not in ("start", "end-date"):
        await show_outdated(callback, ctx)
        return
    editor["draft"][f"{callback_data.field}_month"] = f"{callback_data.year}-{callback_data.month}"
    await _save(ctx, editor)
    await _show_step(callback, ctx, editor)


async def on_calendar_day(
    callback: CallbackQuery, callback_data: CalendarDay, ctx: Request
) -> None:
    if await _manager(callback, ctx) is None:
        return
    editor = await _load(ctx)
    step = "start" if callback_data.field == "start" else "end-date"
    if editor is None or editor["step"] != step:
        await show_outdated(callback, ctx)
        return
    try:
        day = date(callback_data.year, callback_data.month, callback_data.day)
    except ValueError:
        day = None
    if day is None or day < ctx.now().astimezone(ctx.texts.tz).date():
        ctx.toast("editor-date-past")
        await _show_step(callback, ctx, editor)
        return
    _remember_length(editor["draft"])
    editor["draft"]["start_day" if step == "start" else "end_day"] = day.isoformat()
    if step == "start":
        editor["draft"]["start_has_time"] = False
    _advance(editor, step)
    await _save(ctx, editor)
    await _show_step(callback, ctx, editor)


def _remember_length(draft: dict[str, Any]) -> None:
    if draft.get("start") and draft.get("end"):
        start, end = datetime.fromisoformat(draft["start"]), datetime.fromisoformat(draft["end"])
        draft["length"] = (end - start).total_seconds()


async def on_text(message: Message, ctx: Request) -> None:
    """Typed text while the editor waits for an answer; any other text goes on (to the
    fallback)."""
    editor = await _load(ctx)
    if editor is None:
        skip()
    if await _manager(message, ctx) is None:
        return
    step = editor["step"]
    text = (message.text or "").strip()
    if step not in TYPED or not text:
        await _show_step(message, ctx, editor, ctx.texts("editor-use-buttons"))
        return
    if not _apply_text(ctx, editor, step, text):
        await _show_step(message, ctx, editor, ctx.texts("editor-not-understood", step=step))
        return
    await _save(ctx, editor)
    await _show_step(message, ctx, editor)


def _apply_text(ctx: Request, editor: dict[str, Any], step: str, text: str) -> bool:
    draft = editor["draft"]
    today = ctx.now().astimezone(ctx.texts.tz).date()
    if step in ("title", "description", "profession"):
        draft[step] = text
    elif step == "place":
        if text.startswith(("https://", "http://")):
            draft["link"], draft["place"] = text, ""
        else:
            draft["place"], draft["link"] = text, ""
    elif step in ("start", "end", "end-date"):
        return _typed_when(ctx, editor, step, text, today)
    elif step in ("start-time", "end-time"):
        moment = parse_time(text)
        return moment is not None and _set_time(ctx, editor, step, moment)
    elif step == "capacity":
        unlimited = {w.strip().lower() for w in ctx.texts("editor-unlimited-words").split(",")}
        if text.lower() in unlimited:
            draft["capacity"] = None
        elif text.isdigit() and int(text) > 0:
            draft["capacity"] = int(text)
        else:
            return False
    elif step == "grades" and not _set_grades(draft, text):
        return False
    _advance(editor, step)
    return True


def _typed_when(ctx: Request, editor: dict[str, Any], step: str, text: str, today: date) -> bool:
    draft = editor["draft"]
    parsed = parse_when(text, today)
    if parsed is None:
        return False
    day, moment = parsed
    if step == "start":
        if day is None:
            return False
        _remember_length(draft)
        draft["start_day"] = day.isoformat()
        if moment is None:
            draft["start_has_time"] = False
        else:
            draft["start"] = _at(ctx, day, moment)
            draft["start_has_time"] = True
            _keep_length(draft)
        _advance(editor, "start")
        return True
    # The end: a time on the start's day, or a date (and time).
    start_day = draft.get("start_day")
    if day is None:
        day = date.fromisoformat(start_day) if start_day else None
    if day is None:
        return False
    if moment is None:
        draft["end_day"] = day.isoformat()
        _advance(editor, "end-date")
        return True
    draft["end"] = _at(ctx, day, moment)
    _advance(editor, "end")
    return True


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_pick, EditorPick.filter())
    router.callback_query.register(on_calendar_month, CalendarMonth.filter())
    router.callback_query.register(on_calendar_day, CalendarDay.filter())
    router.message.register(on_text, F.text, ~F.text.startswith("/"))
    return router
