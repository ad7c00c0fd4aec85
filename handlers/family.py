"""Parents and children: a student's link for a parent, the parent's answer to it, who is
linked (and unlinking), and what a linked parent sees of the child."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from handlers.callbacks import Family, FamilyAnswer, FamilyStep
from handlers.commands import update_commands
from handlers.context import Request
from handlers.flow import require_consent, show_home, show_outdated
from handlers.ui import Event, deep_link, deep_links, show
from handlers.views.family import (
    child_view,
    children_view,
    invite_view,
    offer_view,
    parents_view,
    refused_view,
    unlink_confirm_view,
)
from services import family, profile
from services.errors import NotAllowed, NotFound, NotRegistered
from services.family import FAMILY_PREFIX, Agreement, LinkRefused


async def family_links(
    bot: Bot, token: str, channel_bots: Mapping[str, Bot] | None = None
) -> list[str]:
    """The child's link for a parent: in the child's own messenger first, then in every other
    one the bot runs in (`channel_bots`), since a parent may use another messenger than the
    child. The token is the same in all of them: whichever the parent opens links the two."""
    code = FAMILY_PREFIX + token
    own = await deep_link(bot, code)
    return [own, *(link for link in await deep_links(bot, code, channel_bots) if link != own)]


async def open_family_link(event: Event, ctx: Request, code: str) -> None:
    """A parent (or anyone) opened a child's link: what it asks, or why it cannot be used."""
    token = code.removeprefix(FAMILY_PREFIX)
    try:
        invite = await family.check_link(ctx.uow, token, ctx.sender_id, ctx.now())
    except LinkRefused as refused:
        await show(event, refused_view(ctx.texts, refused.problem, registered=ctx.user is not None))
        return
    view = offer_view(
        ctx.texts,
        invite,
        registered=ctx.user is not None,
        rejected_days=ctx.settings.rejected_updates_keep_days,
    )
    await show(event, view)


async def on_answer(
    callback: CallbackQuery, callback_data: FamilyAnswer, bot: Bot, ctx: Request
) -> None:
    if not callback_data.agree:
        await show_home(callback, ctx, note=ctx.texts("family-declined"))
        return
    agreement = Agreement(
        parent_id=callback.from_user.id,
        parent_name=callback.from_user.first_name,
        consent_version=ctx.consent_version,
        child_consent_version=ctx.texts("consent-child-version"),
    )
    try:
        accepted = await family.accept(ctx.uow, callback_data.token, agreement, ctx.now())
    except LinkRefused as refused:
        if refused.problem == family.LinkProblem.USED_BY_YOU:
            ctx.toast("family-already-linked-toast")
        await show(
            callback, refused_view(ctx.texts, refused.problem, registered=ctx.user is not None)
        )
        return
    ctx.user = accepted.parent
    if accepted.new_parent:
        await update_commands(bot, ctx.texts, callback.from_user.id, registered=True)
    links = await family.children(ctx.uow, accepted.parent.id)
    view = children_view(ctx.texts, links, ctx.moment().academic_year)
    await show(callback, view.noted(ctx.texts("family-linked")))


async def on_family(
    callback: CallbackQuery,
    callback_data: Family,
    bot: Bot,
    ctx: Request,
    channel_bots: dict[str, Bot] | None = None,
) -> None:
    if (user := await require_consent(callback, ctx)) is None:
        return
    action, other = callback_data.action, callback_data.id
    if action in (
        FamilyStep.CHILDREN,
        FamilyStep.CHILD,
        FamilyStep.REMINDERS_ON,
        FamilyStep.REMINDERS_OFF,
    ):
        await _parent_side(callback, ctx, action, other)
        return
    if not family.may_link_parent(user):
        await show_home(callback, ctx, note=ctx.texts("family-students-only"))
        return
    if action == FamilyStep.INVITE:
        try:
            invite = await family.invite_parent(ctx.uow, user.id, ctx.now())
        except (NotAllowed, NotRegistered):
            await show_outdated(callback, ctx)
            return
        urls = await family_links(bot, invite.token, channel_bots)
        await show(callback, invite_view(ctx.texts, invite, urls))
        return
    if action == FamilyStep.UNLINK:
        links = {link.parent_id: link for link in await family.parents(ctx.uow, user.id)}
        if other not in links:
            ctx.outdated()
        else:
            await show(callback, unlink_confirm_view(ctx.texts, links[other]))
            return
    note = None
    if action == FamilyStep.UNLINK_CONFIRMED:
        if await family.unlink(ctx.uow, user.id, other, ctx.now()):
            note = ctx.texts("family-unlinked")
        else:  # a second tap, or gone meanwhile
            ctx.outdated()
    await show(
        callback, parents_view(ctx.texts, await family.parents(ctx.uow, user.id)).noted(note)
    )


async def _parent_side(callback: CallbackQuery, ctx: Request, action: str, child_id: int) -> None:
    parent = ctx.member
    year = ctx.moment().academic_year
    if action == FamilyStep.CHILDREN:
        children = await family.children(ctx.uow, parent.id)
        await show(callback, children_view(ctx.texts, children, year))
        return
    note = None
    try:
        if action in (FamilyStep.REMINDERS_ON, FamilyStep.REMINDERS_OFF):
            on = await family.set_reminders(
                ctx.uow, parent.id, child_id, action == FamilyStep.REMINDERS_ON
            )
            note = ctx.texts("family-reminders-set", on="yes" if on else "no")
        overview = await family.child_overview(ctx.uow, parent.id, child_id, ctx.now())
    except NotFound:  # not (any more) their child
        ctx.outdated()
        children = await family.children(ctx.uow, parent.id)
        await show(callback, children_view(ctx.texts, children, year))
        return
    organisation = await profile.organisation_of(ctx.uow, overview.child)
    view = child_view(
        ctx.texts,
        ctx.quizzes,
        overview,
        escape(organisation.name) if organisation else "—",
        year,
    )
    await show(callback, view.noted(note))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_answer, FamilyAnswer.filter())
    router.callback_query.register(on_family, Family.filter())
    return router
