"""/start (with or without a link's code), the welcome screen, and consent to data processing."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from handlers.callbacks import Consent, ConsentAction, ConsentFor, Nav, Page
from handlers.commands import update_commands
from handlers.context import Request
from handlers.family import open_family_link
from handlers.flow import continue_profile, remember_landing, show_home
from handlers.minor import show_pending_consent
from handlers.ui import Event, show
from handlers.views.consent import consent_view, declined_view, welcome_view
from services import coordinators, profile
from services.coordinators import INVITE_PREFIX
from services.errors import NotFound
from services.family import FAMILY_PREFIX


async def cmd_start(
    message: Message,
    command: CommandObject,
    bot: Bot,
    ctx: Request,
    channel_bots: dict[str, Bot] | None = None,
) -> None:
    """/start, or a link: `t.me/<bot>?start=<code>` names an event (a poster, a school chat)
    or is a coordinator's invite. A newcomer gives consent and fills in the profile first,
    then lands where the link pointed."""
    code = _link_code(command.args)
    if code.startswith(FAMILY_PREFIX):  # a child's link, opened by a parent: its own screen
        await open_family_link(message, ctx, code)
        return
    if ctx.user is None:
        if not code and await show_pending_consent(message, bot, ctx, channel_bots):  # under 14
            return
        await show(message, welcome_view(ctx.texts, code))
    elif ctx.consent_outdated:
        await show(message, consent_view(ctx, updated=True, code=code))
    else:
        await _follow(message, ctx, code, note=None if code else ctx.texts("welcome-back"))


def _link_code(args: str | None) -> str:
    """The link's payload, if it can be a code at all (anything else is ignored)."""
    code = (args or "").strip()
    plain = code.replace("-", "").replace("_", "")
    return code if 0 < len(code) <= 64 and plain.isascii() and plain.isalnum() else ""


async def _follow(event: Event, ctx: Request, code: str, *, note: str | None) -> None:
    """Where a registered user goes next: the invite or event the link named, else on."""
    if code.startswith(INVITE_PREFIX):
        await _redeem_invite(event, ctx, code)
        return
    if code:
        await remember_landing(ctx, code)
    await continue_profile(event, ctx, note=note)


async def _redeem_invite(event: Event, ctx: Request, code: str) -> None:
    """Make the user a coordinator by an administrator's invite link."""
    try:
        organisation = await coordinators.redeem_invite(ctx.uow, code, ctx.sender_id, ctx.now())
    except NotFound:
        await show_home(event, ctx, note=ctx.texts("invite-unknown"))
        return
    note = ctx.texts("invite-accepted", organisation=escape(organisation.name))
    await show_home(event, ctx, note=note)


async def on_welcome(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, welcome_view(ctx.texts))


async def _consent(callback: CallbackQuery, bot: Bot, ctx: Request, action: str, code: str) -> None:
    if action == ConsentAction.SHOW:
        await show(callback, consent_view(ctx, code=code))
    elif action == ConsentAction.DECLINE:
        await show(callback, declined_view(ctx))
    else:
        ctx.user = await profile.give_consent(
            ctx.uow, callback.from_user.id, ctx.consent_version, ctx.now()
        )
        await update_commands(bot, ctx.texts, callback.from_user.id, registered=True)
        await _follow(callback, ctx, code, note=ctx.texts("consent-thanks"))


async def on_consent(
    callback: CallbackQuery, callback_data: Consent, bot: Bot, ctx: Request
) -> None:
    await _consent(callback, bot, ctx, callback_data.action, "")


async def on_consent_for(
    callback: CallbackQuery, callback_data: ConsentFor, bot: Bot, ctx: Request
) -> None:
    """The consent screens of a newcomer who came by a link: they carry its code."""
    await _consent(callback, bot, ctx, callback_data.action, callback_data.code)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart())
    router.callback_query.register(on_welcome, Nav.filter(F.to == Page.WELCOME))
    router.callback_query.register(on_consent, Consent.filter())
    router.callback_query.register(on_consent_for, ConsentFor.filter())
    return router
