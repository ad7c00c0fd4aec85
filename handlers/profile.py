"""The profile: who the user is, their school or college, their grade; changeable any time."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery

from handlers.callbacks import (
    ChangeProfile,
    Nav,
    Page,
    PickGrade,
    PickOrganisation,
    PickRole,
    ProfilePart,
)
from handlers.context import Request
from handlers.flow import continue_profile, require_consent
from handlers.ui import Event, show
from handlers.views.profile import grade_view, organisation_view, profile_view, role_view
from services import profile
from services.errors import NotAllowed, NotFound, NotRegistered


async def on_profile(event: Event, ctx: Request) -> None:
    if await require_consent(event, ctx) is not None:
        await show(event, await profile_view(ctx))


async def on_change_profile(
    callback: CallbackQuery, callback_data: ChangeProfile, ctx: Request
) -> None:
    if (user := await require_consent(callback, ctx)) is None:
        return
    part = callback_data.part
    if part == ProfilePart.ORGANISATION and profile.needs_organisation(user.role):
        view = await organisation_view(ctx)
    elif (
        part == ProfilePart.GRADE
        and profile.needs_grade(user.role)
        and user.organisation_id is not None
    ):
        view = await grade_view(ctx)
    else:
        view = role_view(ctx)
    await show(callback, view)


async def _not_on_offer(callback: CallbackQuery, ctx: Request) -> None:
    """A choice that is not (or no longer) on offer: say so, and show the current question."""
    ctx.outdated()
    await continue_profile(callback, ctx)


async def on_pick_role(callback: CallbackQuery, callback_data: PickRole, ctx: Request) -> None:
    if (user := await require_consent(callback, ctx)) is None:
        return
    try:
        ctx.user = await profile.choose_role(ctx.uow, user.id, callback_data.role, ctx.now())
    except NotAllowed:
        await _not_on_offer(callback, ctx)
        return
    await continue_profile(callback, ctx, note=ctx.texts("profile-saved"))


async def on_pick_organisation(
    callback: CallbackQuery, callback_data: PickOrganisation, ctx: Request
) -> None:
    if (user := await require_consent(callback, ctx)) is None:
        return
    try:
        ctx.user, _ = await profile.choose_organisation(
            ctx.uow, user.id, callback_data.id, ctx.now()
        )
    except (NotFound, NotRegistered):
        await _not_on_offer(callback, ctx)
        return
    if profile.needs_grade(ctx.member.role):  # a student picks the grade next
        await show(callback, await grade_view(ctx))
        return
    await continue_profile(callback, ctx, note=ctx.texts("profile-saved"))


async def on_pick_grade(callback: CallbackQuery, callback_data: PickGrade, ctx: Request) -> None:
    if (user := await require_consent(callback, ctx)) is None:
        return
    try:
        ctx.user = await profile.choose_grade(
            ctx.uow, ctx.catalogue, user.id, callback_data.grade, ctx.moment()
        )
    except (NotAllowed, NotRegistered):
        await _not_on_offer(callback, ctx)
        return
    await continue_profile(callback, ctx, note=ctx.texts("profile-saved"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_profile, Command("profile"))
    router.callback_query.register(on_profile, Nav.filter(F.to == Page.PROFILE))
    router.callback_query.register(on_change_profile, ChangeProfile.filter())
    router.callback_query.register(on_pick_role, PickRole.filter())
    router.callback_query.register(on_pick_organisation, PickOrganisation.filter())
    router.callback_query.register(on_pick_grade, PickGrade.filter())
    return router
