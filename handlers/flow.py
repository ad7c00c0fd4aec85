"""Steps that several routers take on the way to a screen: the menu, the next open question of
the profile, and the checks before anything is stored (consent, a complete profile)."""

from __future__ import annotations

from db.records import OrganisationRecord, UserRecord
from handlers import cabinet, waiting
from handlers.callbacks import EventList
from handlers.context import Request
from handlers.ui import Event, show
from handlers.views.consent import consent_needed_view, consent_view
from handlers.views.events import event_card_view
from handlers.views.menu import menu_view
from handlers.views.profile import missing_profile_view, profile_gap_view
from services import coordinators
from services import events as event_service
from services.errors import NotFound


async def show_menu(event: Event, ctx: Request, *, note: str | None = None) -> None:
    manager = await coordinators.manager(ctx.uow, ctx.staff) if ctx.user is not None else None
    if manager is not None:
        await waiting.settle(ctx, waiting.consultation_left, cabinet.left)
    else:
        await waiting.settle(ctx, waiting.consultation_left)
    await show(event, (await menu_view(ctx, manager)).noted(note))


async def show_home(event: Event, ctx: Request, *, note: str | None = None) -> None:
    """Where the user stands: the changed consent text to agree to, the open question of their
    profile (with the public pages), or the main menu."""
    if ctx.consent_outdated:
        await show(event, consent_view(ctx, updated=True).noted(note))
        return
    gap = await profile_gap_view(ctx) if ctx.user is not None else None
    if gap is not None:
        await show(event, gap.noted(note))
        return
    await show_menu(event, ctx, note=note)


async def show_outdated(event: Event, ctx: Request) -> None:
    """A button that no longer applies (or never did): say so, and show where the user stands."""
    ctx.outdated()
    await show_home(event, ctx)


async def continue_profile(event: Event, ctx: Request, *, note: str | None = None) -> None:
    """Ask the next open question of the profile; when nothing is missing, the event the user
    came for by a link (see `remember_landing`), or the menu."""
    view = await missing_profile_view(ctx)
    if view is not None:
        await show(event, view.noted(note))
        return
    landing = await take_landing(ctx)
    if landing is not None:
        await show_event_by_code(event, ctx, landing, note=note or "")
        return
    await show_menu(event, ctx, note=note)


LANDING = "landing"


async def remember_landing(ctx: Request, code: str) -> None:
    """The event a link pointed to, shown once consent and the profile are done. Kept with the
    dialog state (the database or Redis), so a restart in between loses nothing."""
    if ctx.state is not None:
        await ctx.state.update_data({LANDING: code})


async def take_landing(ctx: Request) -> str | None:
    if ctx.state is None:
        return None
    data = await ctx.state.get_data()
    code = data.get(LANDING)
    if code is None:
        return None
    await ctx.state.update_data({LANDING: None})
    return str(code)


async def show_event(
    event: Event,
    ctx: Request,
    event_id: int,
    back: EventList | None = None,
    *,
    note: str = "",
) -> None:
    """An event's card, as this user sees it; an unknown event: the outdated answer."""
    try:
        view = await event_service.event_for(ctx.uow, ctx.user, event_id, ctx.moment())
    except NotFound:
        await show_outdated(event, ctx)
        return
    await show(event, event_card_view(ctx.texts, view, back).noted(note or None))


async def show_event_by_code(event: Event, ctx: Request, code: str, *, note: str = "") -> None:
    """The event a link names; an unknown code: say so, and show where the user stands."""
    try:
        view = await event_service.event_by_code(ctx.uow, ctx.user, code, ctx.moment())
    except NotFound:
        await show_home(event, ctx, note=ctx.texts("event-link-unknown"))
        return
    await show(event, event_card_view(ctx.texts, view, None).noted(note or None))


async def require_consent(event: Event, ctx: Request) -> UserRecord | None:
    """The user if their consent is on record in its current version; otherwise ask for it
    (nothing more may be stored about them until they agree) and return None."""
    view = consent_needed_view(ctx)
    if view is not None:
        await show(event, view)
        return None
    return ctx.user


async def require_profile(event: Event, ctx: Request) -> UserRecord | None:
    """The user if they may take a questionnaire (consent, complete profile); otherwise say
    what is missing first and return None."""
    if (user := await require_consent(event, ctx)) is None:
        return None
    view = await missing_profile_view(ctx)
    if view is not None:
        await show(event, view.noted(ctx.texts("quiz-need-profile")))
        return None
    return user


async def refuse(event: Event, ctx: Request) -> None:
    """Someone without the rights (any more) sent a coordinator's or administrator's button or
    command: a polite refusal, and nothing changes."""
    ctx.toast("not-permitted-toast")
    await show_home(event, ctx, note=ctx.texts("not-permitted"))


async def organisations_of_kinds(ctx: Request, kinds: tuple[str, ...]) -> list[OrganisationRecord]:
    """The catalogue's organisations of these kinds, kind by kind, in catalogue order (one
    query)."""
    everything = await ctx.uow.organisations.list_active()
    await ctx.uow.end_read()
    order = {kind: index for index, kind in enumerate(kinds)}
    found = [o for o in everything if o.kind in order]
    found.sort(key=lambda o: order[o.kind])  # stable: catalogue order within a kind
    return found
