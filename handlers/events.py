"""Events for everyone: the upcoming ones that fit, an event's card, signing up (or joining the
waiting list) and cancelling, «Мои планы», calendar files, and the questions after a trial."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery

from db.models import EventKind
from handlers.callbacks import (
    EventAction,
    EventList,
    EventStep,
    Feedback,
    Nav,
    Page,
    PlansFile,
    ShowEvent,
)
from handlers.context import NO_USER, Request
from handlers.flow import require_profile, show_event, show_outdated
from handlers.ui import Event, View, back_row, menu_row, show
from handlers.views.events import (
    event_card_view,
    events_list_view,
    feedback_view,
    kinds_view,
    plans_view,
    signed_up_note,
)
from services import event_files
from services import events as event_service
from services.errors import ConsentOutdated, NotFound, NotRegistered, ProfileIncomplete
from services.events import Applicant, SignUp, SignUpRefused


async def _show_list(event: Event, ctx: Request, kind: str = "", page: int = 0) -> None:
    found = await event_service.upcoming(
        ctx.uow, ctx.user, ctx.moment(), kind=kind or None, page=page
    )
    await show(event, events_list_view(ctx.texts, found, kind, registered=ctx.user is not None))


async def on_events(event: Event, ctx: Request) -> None:
    await _show_list(event, ctx)


async def on_event_list(callback: CallbackQuery, callback_data: EventList, ctx: Request) -> None:
    kind = callback_data.kind if callback_data.kind in set(EventKind) else ""
    await _show_list(callback, ctx, kind, callback_data.page)


async def on_event_kinds(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, kinds_view(ctx.texts))


async def on_show_event(callback: CallbackQuery, callback_data: ShowEvent, ctx: Request) -> None:
    back = EventList(kind=callback_data.kind, page=callback_data.page)
    await show_event(callback, ctx, callback_data.id, back)


async def on_event_action(
    callback: CallbackQuery, callback_data: EventAction, ctx: Request
) -> None:
    action = callback_data.action
    if action == EventStep.CALENDAR:
        await _send_calendar(callback, ctx, [callback_data.id])
        return
    if (user := await require_profile(callback, ctx)) is None:
        return
    event_id = callback_data.id
    texts = ctx.texts
    if action == EventStep.CANCEL:
        await show(
            callback,
            View(
                texts("event-cancel-confirm"),
                [
                    [
                        (
                            texts("btn-event-cancel-yes"),
                            EventAction(id=event_id, action=EventStep.CANCEL_CONFIRMED),
                        )
                    ],
                    back_row(texts, ShowEvent(id=event_id)),
                ],
            ),
        )
        return
    try:
        cancelled = await event_service.cancel_sign_up(ctx.uow, user.id, event_id, ctx.now())
    except SignUpRefused as refused:
        ctx.toast("event-refused-toast", reason=refused.reason)
        cancelled = False
    except (NotFound, NotRegistered):
        await show_outdated(callback, ctx)
        return
    else:
        ctx.toast("event-cancel-toast", done="yes" if cancelled else "no")
    note = texts("event-cancel-done") if cancelled else ""
    await show_event(callback, ctx, event_id, note=note)


async def on_sign_up(callback: CallbackQuery, callback_data: EventAction, ctx: Request) -> None:
    """«Записаться»: the busiest tap of all (everyone at once when an event opens), so this path
    loads nothing before the service, which checks the user in its own transaction."""
    event_id = callback_data.id
    try:
        outcome, view = await event_service.sign_up(
            ctx.uow,
            Applicant(callback.from_user.id, callback.from_user.full_name),
            event_id,
            ctx.moment(),
            consent_version=ctx.consent_version,
        )
    except (NotRegistered, ConsentOutdated, ProfileIncomplete):
        # Not loaded on this path: load the user now, and ask for what is missing.
        await ctx.load_user()
        if await require_profile(callback, ctx) is not None:
            await show_event(callback, ctx, event_id)
        return
    except SignUpRefused as refused:
        await ctx.load_user()
        ctx.toast("event-refused-toast", reason=refused.reason)
        await show_event(callback, ctx, event_id)
        return
    except NotFound:
        await ctx.load_user()
        await show_outdated(callback, ctx)
        return
    ctx.toast("event-sign-up-toast", outcome=outcome)
    note = "" if outcome == SignUp.ALREADY else signed_up_note(ctx.texts, outcome)
    await show(callback, event_card_view(ctx.texts, view, None).noted(note or None))


async def _send_calendar(callback: CallbackQuery, ctx: Request, event_ids: list[int]) -> None:
    entries = await event_service.calendar_entries(ctx.uow, event_ids)
    if not entries:
        await show_outdated(callback, ctx)
        return
    data = event_files.calendar_file(entries, ctx.now())
    bot = callback.bot
    assert bot is not None
    name = "profnavigator.ics" if len(entries) > 1 else f"event-{entries[0].id}.ics"
    await bot.send_document(
        callback.from_user.id,
        BufferedInputFile(data, filename=name),
        caption=ctx.texts("calendar-file-caption", count=len(entries)),
    )
    ctx.toast("calendar-file-toast")


async def on_plans(event: Event, ctx: Request) -> None:
    if (user := await require_profile(event, ctx)) is None:
        return
    plans = await event_service.plans(ctx.uow, user.id, ctx.now())
    await show(event, plans_view(ctx.texts, plans))


async def on_plans_file(callback: CallbackQuery, ctx: Request) -> None:
    if (user := await require_profile(callback, ctx)) is None:
        return
    plans = await event_service.plans(ctx.uow, user.id, ctx.now())
    await _send_calendar(callback, ctx, [event.id for _, event in plans])


async def on_feedback(callback: CallbackQuery, callback_data: Feedback, ctx: Request) -> None:
    if ctx.user is None:
        await show_outdated(callback, ctx)
        return
    if callback_data.helped == 0:  # the first answer: ask the second question
        try:
            view = await event_service.event_for(
                ctx.uow, ctx.user, callback_data.event, ctx.moment()
            )
        except NotFound:
            await show_outdated(callback, ctx)
            return
        await show(callback, feedback_view(ctx.texts, view.event, callback_data.liked))
        return
    helped = {1: "yes", 2: "no", 3: "partly"}[callback_data.helped]
    answers = {"liked": callback_data.liked == 1, "helped": helped}
    try:
        await event_service.record_feedback(
            ctx.uow, ctx.user.id, callback_data.event, answers, ctx.moment()
        )
    except NotFound:
        await show_outdated(callback, ctx)
        return
    await show(callback, View(ctx.texts("feedback-thanks"), [menu_row(ctx.texts)]))


def create_router() -> Router:
    router = Router(name=__name__)
    # The busiest of them first (a class signing up at once), so it passes the fewest filters.
    router.callback_query.register(
        on_sign_up, EventAction.filter(F.action == EventStep.SIGN_UP), flags=NO_USER
    )
    router.message.register(on_events, Command("events"))
    router.callback_query.register(on_event_list, EventList.filter())
    router.callback_query.register(on_event_kinds, Nav.filter(F.to == Page.EVENT_KINDS))
    router.callback_query.register(on_show_event, ShowEvent.filter())
    router.callback_query.register(on_event_action, EventAction.filter())
    router.message.register(on_plans, Command("plans"))
    router.callback_query.register(on_plans, Nav.filter(F.to == Page.PLANS))
    router.callback_query.register(on_plans_file, PlansFile.filter())
    router.callback_query.register(on_feedback, Feedback.filter())
    return router
