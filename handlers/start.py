"""/start, the welcome screen, and consent to data processing."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, Message

from handlers.callbacks import Consent, ConsentAction, Nav, Page
from handlers.commands import update_commands
from handlers.context import Request
from handlers.flow import continue_profile
from handlers.ui import show
from handlers.views.consent import consent_view, declined_view, welcome_view
from services import profile


async def cmd_start(message: Message, ctx: Request) -> None:
    if ctx.user is None:
        await show(message, welcome_view(ctx.texts))
    elif ctx.consent_outdated:
        await show(message, consent_view(ctx, updated=True))
    else:
        await continue_profile(message, ctx, note=ctx.texts("welcome-back"))


async def on_welcome(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, welcome_view(ctx.texts))


async def on_consent_show(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, consent_view(ctx))


async def on_consent_agree(callback: CallbackQuery, bot: Bot, ctx: Request) -> None:
    ctx.user = await profile.give_consent(
        ctx.uow, callback.from_user.id, ctx.consent_version, ctx.now()
    )
    await update_commands(bot, ctx.texts, callback.from_user.id, registered=True)
    await continue_profile(callback, ctx, note=ctx.texts("consent-thanks"))


async def on_consent_decline(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, declined_view(ctx))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart())
    router.callback_query.register(on_welcome, Nav.filter(F.to == Page.WELCOME))
    router.callback_query.register(on_consent_show, Consent.filter(F.action == ConsentAction.SHOW))
    router.callback_query.register(
        on_consent_agree, Consent.filter(F.action == ConsentAction.AGREE)
    )
    router.callback_query.register(
        on_consent_decline, Consent.filter(F.action == ConsentAction.DECLINE)
    )
    return router
