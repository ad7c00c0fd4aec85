"""Administrators (the setting ADMIN_IDS): appoint coordinators with one-time invite links,
revoke an invite or a coordinator. Every action is checked again by the service."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery

from db.records import OrganisationRecord
from handlers.callbacks import AdminAction, AdminStep, Nav, Page
from handlers.context import Request
from handlers.flow import organisations_of_kinds, refuse
from handlers.ui import Event, deep_links, show
from handlers.views.admin import (
    admin_view,
    invite_for_view,
    invite_made_view,
    revoke_confirm_view,
)
from services import coordinators
from services.errors import NotFound, NotPermitted

#: Organisations that may have coordinators, in this order.
COORDINATED_KINDS = (
    "committee",
    "school",
    "college",
    "employment_centre",
    "youth_department",
    "enterprise",
)


async def _organisations(ctx: Request) -> list[OrganisationRecord]:
    return await organisations_of_kinds(ctx, COORDINATED_KINDS)


async def on_admin(event: Event, ctx: Request, note: str | None = None) -> None:
    try:
        appointed, invites = await coordinators.overview(ctx.uow, ctx.staff, ctx.now())
    except NotPermitted:
        await refuse(event, ctx)
        return
    names = {o.id: o.short_name for o in await _organisations(ctx)}
    await show(event, admin_view(ctx.texts, appointed, invites, names).noted(note))


async def on_admin_action(
    callback: CallbackQuery,
    callback_data: AdminAction,
    ctx: Request,
    channel_bots: dict[str, Bot] | None = None,
) -> None:
    if not ctx.staff.is_admin:
        await refuse(callback, ctx)
        return
    action, target = callback_data.action, callback_data.target
    texts = ctx.texts
    try:
        if action == AdminStep.INVITE:
            await show(callback, invite_for_view(texts, await _organisations(ctx)))
            return
        if action == AdminStep.INVITE_FOR:
            invite = await coordinators.create_invite(ctx.uow, ctx.staff, target, ctx.now())
            organisation = await ctx.uow.organisations.get(target)
            await ctx.uow.end_read()
            bot = callback.bot
            assert bot is not None
            link = "\n".join(await deep_links(bot, invite.code, channel_bots))
            name = organisation.name if organisation else ""
            await show(callback, invite_made_view(texts, name, link, invite))
            return
        if action == AdminStep.REVOKE:
            await show(callback, revoke_confirm_view(texts, target))
            return
        if action == AdminStep.REVOKE_CONFIRMED:
            done = await coordinators.revoke(ctx.uow, ctx.staff, target, ctx.now())
            ctx.toast("admin-revoked-toast", done=str(done))
        else:
            done = await coordinators.revoke_invite_by_id(ctx.uow, ctx.staff, target, ctx.now())
            ctx.toast("admin-invite-revoked-toast", done=str(done))
    except NotPermitted:
        await refuse(callback, ctx)
        return
    except NotFound:
        ctx.outdated()
    await on_admin(callback, ctx)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_admin, Command("admin"))
    router.callback_query.register(on_admin, Nav.filter(F.to == Page.ADMIN))
    router.callback_query.register(on_admin_action, AdminAction.filter())
    return router
