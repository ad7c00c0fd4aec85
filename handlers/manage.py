"""The coordinator's cabinet: the events of their organisation (all, for the committee), who
signed up (on screen, CSV, XLSX), the event's link and QR code, attendance, cancelling.

Every action asks the service, which reads the coordinator's rights from the database on each
call: someone who is not (or no longer) a coordinator gets a polite refusal and changes nothing.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import skip
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from db.channels import channel_of
from handlers import cabinet, waiting
from handlers.cabinet import cabinet_rows
from handlers.callbacks import Attend, Manage, ManageList, ManageStep, Nav, Page
from handlers.context import Request
from handlers.editor import EVENT_ORGANISERS, start_editing
from handlers.flow import organisations_of_kinds, refuse, show_outdated
from handlers.stats import input_closed
from handlers.ui import Event, deep_links, show
from handlers.views.manage import (
    cancel_confirm_view,
    import_report_view,
    manage_event_view,
    manage_list_view,
    people_view,
)
from services import coordinators, event_files, event_import
from services import events as event_service
from services.coordinators import Manager
from services.errors import NotFound, NotPermitted
from services.events import Attendee

ATTENDEE_HEADER_KEYS = (
    "number",
    "name",
    "role",
    "organisation",
    "grade",
    "status",
    "signed-up",
)


async def on_manage_list(event: Event, ctx: Request, page: int = 0) -> None:
    if not await show_cabinet(event, ctx, page):
        await refuse(event, ctx)


async def show_cabinet(event: Event, ctx: Request, page: int = 0, note: str | None = None) -> bool:
    """The cabinet's list of events; False (and nothing shown) for someone who is not, or no
    longer, a coordinator. Opening it closes an input of the statistics left open."""
    manager = await coordinators.manager(ctx.uow, ctx.staff)
    if manager is None:
        return False
    listed = await event_service.managed_events(ctx.uow, manager, ctx.now(), page)
    view = manage_list_view(ctx.texts, listed, manager.organisation_name, ctx.now())
    view.rows[2:2] = await cabinet_rows(ctx, manager)
    await waiting.settle(ctx, input_closed, cabinet.entered)
    await show(event, view.noted(note))
    return True


async def on_manage_page(callback: CallbackQuery, callback_data: ManageList, ctx: Request) -> None:
    await on_manage_list(callback, ctx, callback_data.page)


async def on_manage(
    callback: CallbackQuery,
    callback_data: Manage,
    ctx: Request,
    channel_bots: dict[str, Bot] | None = None,
) -> None:
    try:
        await _manage(callback, callback_data, ctx, channel_bots)
    except NotPermitted:
        await refuse(callback, ctx)
    except NotFound:
        await show_outdated(callback, ctx)


async def _manage(
    callback: CallbackQuery,
    callback_data: Manage,
    ctx: Request,
    channel_bots: dict[str, Bot] | None,
) -> None:
    action, event_id = callback_data.action, callback_data.id
    if action == ManageStep.CANCEL_CONFIRMED:
        await event_service.cancel_event(ctx.uow, ctx.staff, event_id, ctx.now())
        ctx.toast("manage-cancelled-toast")
        action = ManageStep.SHOW
    elif action == ManageStep.ALL_CAME:
        marked = await event_service.mark_attendance(
            ctx.uow, ctx.staff, event_id, None, ctx.moment()
        )
        ctx.toast("manage-all-came-toast", count=marked)
        action = ManageStep.PEOPLE
    elif action == ManageStep.EDIT:
        await start_editing(callback, ctx, event_id)
        return
    managed = await event_service.managed_event(ctx.uow, ctx.staff, event_id, ctx.moment())
    event, attendees = managed.event, managed.attendees
    await waiting.settle(ctx, cabinet.entered)
    started = event.starts_at <= ctx.now()
    texts = ctx.texts
    if action == ManageStep.PEOPLE:
        await show(callback, people_view(texts, event, attendees, started))
    elif action == ManageStep.CANCEL:
        signed = sum(a.registration.status in event_service.SIGNED_UP for a in attendees)
        await show(callback, cancel_confirm_view(texts, event, signed))
    elif action in (ManageStep.CSV, ManageStep.XLSX):
        await _send_list(callback, ctx, event.title, attendees, action)
    elif action == ManageStep.LINK:
        await _send_link(callback, ctx, event.code, event.title, channel_bots)
    else:
        await show(callback, manage_event_view(texts, event, managed.organiser, attendees, started))


async def _send_list(
    callback: CallbackQuery,
    ctx: Request,
    title: str,
    attendees: list[Attendee],
    kind: ManageStep,
) -> None:
    texts = ctx.texts
    header = [texts("attendee-column", column=key) for key in ATTENDEE_HEADER_KEYS]
    header.append(texts("attendee-channel-column"))
    rows = [
        event_files.AttendeeRow(
            number=number,
            name=a.registration.display_name,
            role=texts("role-name", role=a.role or "none"),
            organisation=a.organisation,
            grade=str(a.grade or ""),
            status=texts("registration-status", status=a.registration.status),
            signed_up_at=texts.when(a.registration.created_at, "dd.MM.yyyy HH:mm"),
            channel=texts("channel-name", channel=channel_of(a.registration.user_id)),
        )
        for number, a in enumerate(attendees, 1)
    ]
    if kind == ManageStep.CSV:
        data, name = event_files.attendees_csv(title, header, rows), "participants.csv"
    else:
        data, name = event_files.attendees_xlsx(title, header, rows), "participants.xlsx"
    bot = callback.bot
    assert bot is not None
    await bot.send_document(
        callback.from_user.id,
        BufferedInputFile(data, filename=name),
        caption=texts("manage-file-caption", count=len(rows)),
    )
    ctx.toast("manage-file-toast")


async def _send_link(
    callback: CallbackQuery,
    ctx: Request,
    code: str,
    title: str,
    channel_bots: dict[str, Bot] | None,
) -> None:
    """The event's link and QR code, one for each messenger the bot runs in."""
    bot = callback.bot
    assert bot is not None
    for link in await deep_links(bot, code, channel_bots):
        await bot.send_photo(
            callback.from_user.id,
            BufferedInputFile(event_files.qr_png(link), filename=f"{code}.png"),
            caption=ctx.texts("manage-link", link=link, title=escape(title)),
        )
    ctx.toast("manage-file-toast")


async def on_attend(callback: CallbackQuery, callback_data: Attend, ctx: Request) -> None:
    marks = {callback_data.user: callback_data.came}
    try:
        await event_service.mark_attendance(
            ctx.uow, ctx.staff, callback_data.event, marks, ctx.moment()
        )
        managed = await event_service.managed_event(
            ctx.uow, ctx.staff, callback_data.event, ctx.moment()
        )
    except NotPermitted:
        await refuse(callback, ctx)
        return
    except NotFound:
        await show_outdated(callback, ctx)
        return
    attendees = managed.attendees
    person = next((a for a in attendees if a.registration.user_id == callback_data.user), None)
    if person is not None:
        name = person.registration.display_name[:60]
        ctx.toast("manage-marked-toast", came=str(callback_data.came), name=name)
    await show(callback, people_view(ctx.texts, managed.event, attendees, started=True))


async def on_document(message: Message, bot: Bot, ctx: Request) -> None:
    """A coordinator sends a year's plan as a CSV file: the good rows are published, the wrong
    ones listed with their line and reasons. Anyone else's file goes on to the fallback."""
    manager = await coordinators.manager(ctx.uow, ctx.staff)
    if manager is None:
        skip()
    document = message.document
    assert document is not None
    if not (document.file_name or "").lower().endswith((".csv", ".txt")):
        await message.answer(
            ctx.texts(
                "import-not-csv",
                required=event_import.shown_columns(event_import.REQUIRED),
                optional=event_import.shown_columns(event_import.OPTIONAL),
            )
        )
        return
    if (document.file_size or 0) > event_import.MAX_BYTES:
        await message.answer(ctx.texts("event-problem-csv-too-big", rows=event_import.MAX_ROWS))
        return
    downloaded = await bot.download(document)
    assert downloaded is not None
    organisations = await _organisations_of(ctx, manager)
    parsed = event_import.parse_events_csv(
        downloaded.read(), organisations, ctx.texts.tz, ctx.now()
    )
    try:
        report = await event_import.import_plan(ctx.uow, ctx.staff, parsed, ctx.now())
    except NotPermitted:  # the rights were revoked while the file was being read
        await refuse(message, ctx)
        return
    await show(message, import_report_view(ctx.texts, report))


async def _organisations_of(ctx: Request, manager: Manager) -> dict[str, int]:
    """The catalogue codes of the organisations whose events this coordinator runs."""
    everything = await organisations_of_kinds(ctx, EVENT_ORGANISERS)
    return {o.code: o.id for o in everything if manager.runs(o.id)}


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_manage_list, Command("manage"))
    router.callback_query.register(on_manage_list, Nav.filter(F.to == Page.MANAGE))
    router.callback_query.register(on_manage_page, ManageList.filter())
    router.callback_query.register(on_manage, Manage.filter())
    router.callback_query.register(on_attend, Attend.filter())
    router.message.register(on_document, F.document)
    return router
