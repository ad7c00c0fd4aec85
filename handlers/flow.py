"""Steps that several routers take on the way to a screen: the menu, the next open question of
the profile, and the checks before anything is stored (consent, a complete profile)."""

from __future__ import annotations

from db.records import UserRecord
from handlers.context import Request
from handlers.ui import Event, show
from handlers.views.consent import consent_needed_view, consent_view
from handlers.views.menu import menu_view
from handlers.views.profile import missing_profile_view, profile_gap_view


async def show_menu(event: Event, ctx: Request, *, note: str | None = None) -> None:
    await show(event, (await menu_view(ctx)).noted(note))


async def show_home(event: Event, ctx: Request) -> None:
    """Where the user stands: the changed consent text to agree to, the open question of their
    profile (with the public pages), or the main menu."""
    if ctx.consent_outdated:
        await show(event, consent_view(ctx, updated=True))
        return
    gap = await profile_gap_view(ctx) if ctx.user is not None else None
    if gap is not None:
        await show(event, gap)
        return
    await show_menu(event, ctx)


async def show_outdated(event: Event, ctx: Request) -> None:
    """A button that no longer applies (or never did): say so, and show where the user stands."""
    ctx.outdated()
    await show_home(event, ctx)


async def continue_profile(event: Event, ctx: Request, *, note: str | None = None) -> None:
    """Ask the next open question of the profile, or show the menu when nothing is missing."""
    view = await missing_profile_view(ctx)
    if view is None:
        await show_menu(event, ctx, note=note)
        return
    await show(event, view.noted(note))


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
