"""Coordinators' broadcasts: the composer (a dialog whose draft lives in the dialog state, so a
restart midway continues it), the list of broadcasts, a broadcast's card, stopping it, and its
list of failures.

Every step reads the coordinator's rights from the database again; confirming checks them once
more in the transaction that writes the delivery rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import skip
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from content import OrganisationKind
from db.channels import MAX, channel_of
from db.models import KIND_BITS, EventKind
from db.records import Audience
from handlers.callbacks import BroadcastAct, BroadcastPick, BroadcastStep, Nav, Page
from handlers.context import Request
from handlers.flow import organisations_of_kinds, refuse, show_outdated
from handlers.ui import Event, show
from handlers.views import broadcasts as views
from services import broadcasts as service
from services import coordinators, event_files
from services import events as event_service
from services.broadcasts import BroadcastRefused, Draft
from services.coordinators import Manager
from services.dates import parse_when
from services.errors import NotFound, NotPermitted
from services.events import AUDIENCE_ROLES

#: Where the composer keeps its step and draft in the dialog data.
KEY = "broadcast"
#: The editor's key: one dialog at a time (starting a broadcast closes an open event draft).
EDITOR_KEY = "editor"
#: Steps that wait for a message.
TYPED = ("content", "link", "when")
_LINK = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$")
LINK_CHARS = 300


def telegram_length(text: str) -> int:
    """A text's length as Telegram counts it for its limits (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


async def _load(ctx: Request) -> dict[str, Any] | None:
    if ctx.state is None:
        return None
    found = (await ctx.state.get_data()).get(KEY)
    return dict(found) if isinstance(found, dict) else None


async def _save(ctx: Request, step: str, draft: Draft) -> None:
    await ctx.dialog.update_data({KEY: {"step": step, "draft": draft.as_dict()}})


async def _clear(ctx: Request) -> None:
    await ctx.dialog.update_data({KEY: None})


async def _manager(event: Event, ctx: Request) -> Manager | None:
    manager = await coordinators.manager(ctx.uow, ctx.staff)
    if manager is None:
        await _clear(ctx)
        await refuse(event, ctx)
    return manager


# --- showing the draft --------------------------------------------------------------------------


async def _audience_words(ctx: Request, manager: Manager, audience: Audience) -> str:
    schools = {o.id: o.short_name for o in await organisations_of_kinds(ctx, ("school",))}
    title = None
    if audience.event_id is not None:
        found = await ctx.uow.events.get(audience.event_id)
        await ctx.uow.end_read()
        title = found.title if found else None
    own = manager.organisation_name if manager.organisation_id is not None else None
    return views.audience_text(ctx.texts, audience, schools, title, own)


async def _show_draft(
    event: Event, ctx: Request, manager: Manager, draft: Draft, **kw: Any
) -> None:
    count = await service.reach(ctx.uow, ctx.staff, draft.audience, ctx.moment())
    words = await _audience_words(ctx, manager, draft.audience)
    button_event = None
    if draft.event_id is not None:
        found = await ctx.uow.events.get(draft.event_id)
        await ctx.uow.end_read()
        button_event = found.title if found else None
    view = views.draft_view(ctx.texts, draft, count, words, button_event)
    await show(event, view.noted(kw.get("note")), new=bool(kw.get("new")))


async def _show_audience(event: Event, ctx: Request, manager: Manager, draft: Draft) -> None:
    count = await service.reach(ctx.uow, ctx.staff, draft.audience, ctx.moment())
    words = await _audience_words(ctx, manager, draft.audience)
    committee = manager.organisation_id is None
    await show(
        event, views.audience_view(ctx.texts, draft.audience, count, words, committee=committee)
    )


# --- the composer's buttons ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Turn:
    """One tap in the composer: who, on which draft, with which choice."""

    callback: CallbackQuery
    ctx: Request
    manager: Manager
    draft: Draft
    value: str


async def on_new(callback: CallbackQuery, ctx: Request) -> None:
    if await _manager(callback, ctx) is None:
        return
    await ctx.dialog.update_data({EDITOR_KEY: None})
    await _save(ctx, "content", Draft())
    await show(callback, views.compose_view(ctx.texts))


async def on_pick(callback: CallbackQuery, callback_data: BroadcastPick, ctx: Request) -> None:
    if callback_data.field == "new":
        await on_new(callback, ctx)
        return
    if (manager := await _manager(callback, ctx)) is None:
        return
    state = await _load(ctx)
    if state is None:
        await show_outdated(callback, ctx)
        return
    draft = Draft.from_dict(state["draft"])
    try:
        await _pick(callback, ctx, manager, draft, callback_data)
    except NotPermitted:
        await refuse(callback, ctx)
    except NotFound:
        await show_outdated(callback, ctx)


async def _pick(
    callback: CallbackQuery, ctx: Request, manager: Manager, draft: Draft, pick: BroadcastPick
) -> None:
    field = pick.field
    turn = Turn(callback, ctx, manager, draft, pick.value)
    if field in _AUDIENCE_TOGGLES:
        changed = await _AUDIENCE_TOGGLES[field](turn)
        if changed is None:
            await show_outdated(callback, ctx)
            return
        draft = replace(draft, audience=changed)
        await _save(ctx, "audience", draft)
        await _show_choice(callback, ctx, manager, draft, _BACK_TO[field])
    elif field in _SCREENS:
        await _save(ctx, _SCREENS[field], draft)
        await _show_choice(callback, ctx, manager, draft, field)
    elif field in _ACTIONS:
        await _ACTIONS[field](turn)
    else:
        await show_outdated(callback, ctx)


async def _show_choice(
    callback: CallbackQuery, ctx: Request, manager: Manager, draft: Draft, screen: str
) -> None:
    texts, audience = ctx.texts, draft.audience
    if screen == "draft":
        await _show_draft(callback, ctx, manager, draft)
    elif screen == "audience":
        await _show_audience(callback, ctx, manager, draft)
    elif screen == "schools":
        schools = await organisations_of_kinds(ctx, (OrganisationKind.SCHOOL,))
        await show(callback, views.schools_view(texts, audience, schools))
    elif screen == "grades":
        await show(callback, views.grades_view(texts, audience))
    elif screen == "kinds":
        await show(callback, views.kinds_view(texts, audience))
    elif screen in ("signed", "button-event"):
        listed = await event_service.managed_events(ctx.uow, manager, ctx.now(), 0)
        upcoming = [e for e in listed.events if e.ends_at > ctx.now()]
        field = "event" if screen == "signed" else "with-event"
        chosen = audience.event_id if screen == "signed" else draft.event_id
        await show(callback, views.events_pick_view(texts, upcoming, chosen, field=field))
    elif screen == "link":
        await show(callback, views.link_view(texts))
    elif screen == "when":
        await show(callback, views.when_view(texts))
    elif screen == "text":
        await show(callback, views.compose_view(texts, again=True))


#: Buttons that open a screen, and the step the dialog is then at.
_SCREENS = {
    "draft": "draft",
    "audience": "audience",
    "schools": "audience",
    "grades": "audience",
    "kinds": "audience",
    "signed": "audience",
    "button-event": "draft",
    "link": "link",
    "when": "when",
    "text": "content",
}


async def _toggle_role(turn: Turn) -> Audience | None:
    audience, value = turn.draft.audience, turn.value
    if value not in AUDIENCE_ROLES:
        return None
    roles = set(audience.roles) ^ {value}
    return replace(audience, roles=tuple(r for r in AUDIENCE_ROLES if r in roles))


async def _toggle_school(turn: Turn) -> Audience | None:
    audience, value = turn.draft.audience, turn.value
    if turn.manager.organisation_id is not None:
        raise NotPermitted(turn.manager.user_id)
    schools = [o.id for o in await organisations_of_kinds(turn.ctx, (OrganisationKind.SCHOOL,))]
    if not value.isdigit() or int(value) not in schools:
        return None
    chosen = set(audience.organisation_ids) ^ {int(value)}
    return replace(audience, organisation_ids=tuple(o for o in schools if o in chosen))


async def _toggle_grade(turn: Turn) -> Audience | None:
    audience, value = turn.draft.audience, turn.value
    if not value.isdigit() or not 1 <= int(value) <= 11:
        return None
    return replace(audience, grades=tuple(sorted(set(audience.grades) ^ {int(value)})))


async def _toggle_kind(turn: Turn) -> Audience | None:
    audience, value = turn.draft.audience, turn.value
    if value not in KIND_BITS:
        return None
    return replace(audience, kinds=audience.kinds ^ KIND_BITS[EventKind(value)])


async def _pick_event(turn: Turn) -> Audience | None:
    audience, value = turn.draft.audience, turn.value
    if value == "0":
        return replace(audience, event_id=None)
    if not value.isdigit():
        return None
    found = await event_service.event_to_manage(turn.ctx.uow, turn.ctx.staff, int(value))
    return replace(audience, event_id=found.id)


_AUDIENCE_TOGGLES = {
    "role": _toggle_role,
    "school": _toggle_school,
    "grade": _toggle_grade,
    "kind": _toggle_kind,
    "event": _pick_event,
}
#: The screen a toggle returns to.
_BACK_TO = {
    "role": "audience",
    "school": "schools",
    "grade": "grades",
    "kind": "kinds",
    "event": "audience",
}


async def _with_event(turn: Turn) -> None:
    callback, ctx, manager, draft, value = (
        turn.callback,
        turn.ctx,
        turn.manager,
        turn.draft,
        turn.value,
    )
    if value == "0":
        draft = replace(draft, event_id=None)
    elif value.isdigit():
        found = await event_service.event_to_manage(ctx.uow, ctx.staff, int(value))
        draft = replace(draft, event_id=found.id, link_url="")
    else:
        await show_outdated(callback, ctx)
        return
    await _save(ctx, "draft", draft)
    await _show_draft(callback, ctx, manager, draft)


async def _no_link(turn: Turn) -> None:
    draft = replace(turn.draft, link_url="")
    await _save(turn.ctx, "draft", draft)
    await _show_draft(turn.callback, turn.ctx, turn.manager, draft)


async def _at(turn: Turn) -> None:
    callback, ctx, manager, draft, value = (
        turn.callback,
        turn.ctx,
        turn.manager,
        turn.draft,
        turn.value,
    )
    now = ctx.now()
    local = now.astimezone(ctx.texts.tz)
    moments = {
        "now": None,
        "hour": now + timedelta(hours=1),
        "tomorrow": datetime.combine(local.date() + timedelta(days=1), time(10), ctx.texts.tz),
    }
    if value not in moments:
        await show_outdated(callback, ctx)
        return
    draft = replace(draft, send_at=moments[value])
    await _save(ctx, "draft", draft)
    await _show_draft(callback, ctx, manager, draft)


async def _preview(turn: Turn) -> None:
    """Send the message as recipients will get it, then the draft again below it."""
    callback, ctx, manager, draft = turn.callback, turn.ctx, turn.manager, turn.draft
    bot = callback.bot
    assert bot is not None
    await _send_as_recipients_will(bot, callback.from_user.id, draft, ctx)
    await _show_draft(
        callback, ctx, manager, draft, new=True, note=ctx.texts("broadcast-preview-note")
    )


async def _send_as_recipients_will(bot: Bot, chat_id: int, draft: Draft, ctx: Request) -> None:
    view = views.draft_preview_view(ctx.texts, draft)
    markup = view.markup()
    if draft.media_kind == service.PHOTO and draft.media_file_id:
        await bot.send_photo(chat_id, draft.media_file_id, caption=view.text, reply_markup=markup)
    elif draft.media_kind == service.DOCUMENT and draft.media_file_id:
        await bot.send_document(
            chat_id, draft.media_file_id, caption=view.text, reply_markup=markup
        )
    else:
        await bot.send_message(chat_id, view.text, reply_markup=markup)


async def _confirm(turn: Turn) -> None:
    callback, ctx, manager, draft = turn.callback, turn.ctx, turn.manager, turn.draft
    try:
        confirmed = await service.confirm(ctx.uow, ctx.staff, draft, ctx.moment())
    except BroadcastRefused as refused:
        await _show_draft(callback, ctx, manager, draft, note=ctx.texts(refused.key))
        return
    await _clear(ctx)
    view = views.confirmed_view(ctx.texts, confirmed.broadcast, ctx.now())
    if not confirmed.created:
        view = view.noted(ctx.texts("broadcast-already"))
    await show(callback, view)


async def _discard(turn: Turn) -> None:
    await _clear(turn.ctx)
    await _show_list(turn.callback, turn.ctx, note=turn.ctx.texts("broadcast-discarded"))


_ACTIONS = {
    "with-event": _with_event,
    "no-link": _no_link,
    "at": _at,
    "preview": _preview,
    "confirm": _confirm,
    "discard": _discard,
}


# --- typed input --------------------------------------------------------------------------------


async def on_message(message: Message, ctx: Request) -> None:
    """A message while the composer waits for one (the content, a link, a time); anything
    else goes on to the other routers."""
    state = await _load(ctx)
    if state is None:
        skip()
    if (manager := await _manager(message, ctx)) is None:
        return
    step, draft = state["step"], Draft.from_dict(state["draft"])
    if step == "content":
        await _take_content(message, ctx, manager, draft)
    elif step == "link" and message.text:
        await _take_link(message, ctx, manager, draft, message.text.strip())
    elif step == "when" and message.text:
        await _take_time(message, ctx, manager, draft, message.text.strip())
    else:
        await _show_draft(message, ctx, manager, draft, note=ctx.texts("broadcast-use-buttons"))


async def _take_content(message: Message, ctx: Request, manager: Manager, draft: Draft) -> None:
    media_kind, file_id, size, name = None, None, None, None
    if message.photo:
        media_kind, file_id, size = (
            service.PHOTO,
            message.photo[-1].file_id,
            message.photo[-1].file_size,
        )
    elif message.document:
        media_kind, file_id, size, name = (
            service.DOCUMENT,
            message.document.file_id,
            message.document.file_size,
            message.document.file_name,
        )
    elif message.text is None:
        await show(message, views.compose_view(ctx.texts).noted(ctx.texts("broadcast-unsupported")))
        return
    text = message.html_text if (message.text or message.caption) else ""
    length = telegram_length(message.text or message.caption or "")
    if not text.strip() and file_id is None:
        await show(message, views.compose_view(ctx.texts).noted(ctx.texts("broadcast-empty")))
        return
    problem = service.content_problem(length, media_kind, size)
    if problem is not None:
        await show(message, views.compose_view(ctx.texts).noted(ctx.texts(problem)))
        return
    channel = channel_of(message.chat.id)
    draft = replace(
        draft,
        text=text,
        length=length,
        media_kind=media_kind,
        media_file_id=file_id,
        media_channel=channel,
        media_name=name,
        media_url=await _download_address(message, channel, file_id),
    )
    await _save(ctx, "draft", draft)
    await _show_draft(message, ctx, manager, draft)


async def _download_address(message: Message, channel: str, file_id: str | None) -> str | None:
    """Where a MAX file can be downloaded later, for the recipients in Telegram: MAX's token
    sends it again in MAX only, and its address is known while its message is (the MAX
    session's `getFile` gives it). A Telegram file is found by its id (`getFile` at sending)."""
    if channel != MAX or file_id is None or message.bot is None:
        return None
    return (await message.bot.get_file(file_id)).file_path


async def _take_link(
    message: Message, ctx: Request, manager: Manager, draft: Draft, text: str
) -> None:
    if len(text) > LINK_CHARS or not _LINK.match(text):
        await show(message, views.link_view(ctx.texts).noted(ctx.texts("broadcast-bad-link")))
        return
    draft = replace(draft, link_url=text, event_id=None)
    await _save(ctx, "draft", draft)
    await _show_draft(message, ctx, manager, draft)


async def _take_time(
    message: Message, ctx: Request, manager: Manager, draft: Draft, text: str
) -> None:
    local_now = ctx.now().astimezone(ctx.texts.tz)
    parsed = parse_when(text, local_now.date())
    if parsed is None or parsed[1] is None:
        await show(message, views.when_view(ctx.texts).noted(ctx.texts("broadcast-bad-time")))
        return
    day: date = parsed[0] or local_now.date()
    moment = datetime.combine(day, parsed[1], ctx.texts.tz)
    if moment <= ctx.now():
        await show(message, views.when_view(ctx.texts).noted(ctx.texts("broadcast-time-past")))
        return
    draft = replace(draft, send_at=moment.astimezone(ctx.now().tzinfo))
    await _save(ctx, "draft", draft)
    await _show_draft(message, ctx, manager, draft)


# --- the list, a card, stopping, failures -------------------------------------------------------


async def _show_list(event: Event, ctx: Request, note: str | None = None) -> None:
    try:
        found = await service.recent(ctx.uow, ctx.staff)
    except NotPermitted:
        await refuse(event, ctx)
        return
    await show(event, views.list_view(ctx.texts, found).noted(note))


async def on_list(callback: CallbackQuery, ctx: Request) -> None:
    await _show_list(callback, ctx)


async def on_act(callback: CallbackQuery, callback_data: BroadcastAct, ctx: Request) -> None:
    try:
        await _act(callback, callback_data, ctx)
    except NotPermitted:
        await refuse(callback, ctx)
    except NotFound:
        await show_outdated(callback, ctx)


async def _act(callback: CallbackQuery, act: BroadcastAct, ctx: Request) -> None:
    rate = ctx.settings.send_rate_per_second
    if act.action == BroadcastStep.STOP_CONFIRMED:
        await service.cancel(ctx.uow, ctx.staff, act.id, ctx.now())
        ctx.toast("broadcast-stopped-toast")
    found, progress = await service.get(ctx.uow, ctx.staff, act.id)
    if act.action == BroadcastStep.STOP:
        if progress.left == 0 and found.status not in service.OPEN:
            ctx.toast("broadcast-over-toast")
        else:
            await show(callback, views.stop_confirm_view(ctx.texts, found, progress))
            return
    if act.action == BroadcastStep.FAILURES:
        await _send_failures(callback, ctx, act.id)
        return
    await show(callback, views.card_view(ctx.texts, found, progress, rate))


async def _send_failures(callback: CallbackQuery, ctx: Request, broadcast_id: int) -> None:
    found, listed = await service.undelivered(ctx.uow, ctx.staff, broadcast_id, ctx.moment())
    if not listed:
        ctx.toast("broadcast-failures-none")
        return
    texts = ctx.texts
    table = [texts("broadcast-failure-header").split(";")]
    table.extend(
        [
            str(row.user_id),
            texts("role-name", role=row.role or "none"),
            row.organisation,
            "" if row.grade is None else str(row.grade),
            texts("broadcast-outcome", outcome=row.outcome),
            row.reason,
        ]
        for row in listed
    )
    data = event_files.csv_bytes(table)
    bot = callback.bot
    assert bot is not None
    await bot.send_document(
        callback.from_user.id,
        BufferedInputFile(data, f"broadcast-{found.id}-undelivered.csv"),
        caption=texts("broadcast-failures-caption", id=found.id, count=len(listed)),
    )
    ctx.toast("manage-file-toast")


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_pick, BroadcastPick.filter())
    router.callback_query.register(on_act, BroadcastAct.filter())
    router.callback_query.register(on_list, Nav.filter(F.to == Page.BROADCASTS))
    router.message.register(on_message, ~F.text.startswith("/"))
    return router
