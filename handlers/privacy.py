"""/mydata shows everything stored about the user; /forget erases it (152-ФЗ)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery

from handlers.callbacks import Forget, Nav, Page
from handlers.commands import update_commands
from handlers.context import Request
from handlers.flow import show_menu
from handlers.handover import handover_needed
from handlers.ui import Event, show
from handlers.views.mydata import mydata_file
from handlers.views.profile import forget_confirm_view, mydata_view
from services import mydata


async def on_mydata(event: Event, bot: Bot, ctx: Request) -> None:
    if ctx.user is not None:
        await show(event, await mydata_view(ctx))
        sections = await mydata.collect(ctx.uow, ctx.user.id)
    else:  # no user; yet an update from them the bot could not read may be kept
        sections = await mydata.collect_stranger(ctx.uow, ctx.sender_id)
        await show(event, await mydata_view(ctx, sections))
    if sections:  # and everything stored, as a file
        data = mydata_file(ctx.texts, sections, ctx.now())
        await bot.send_document(
            ctx.sender_id,
            BufferedInputFile(data, filename=f"mydata-{ctx.sender_id}.txt"),
            caption=ctx.texts("mydata-file-caption"),
        )


async def on_forget_ask(event: Event, ctx: Request) -> None:
    if await handover_needed(event, ctx):
        return
    stranger = None
    if ctx.user is None:
        stranger = await mydata.collect_stranger(ctx.uow, ctx.sender_id)
    await show(event, forget_confirm_view(ctx, stranger))


async def on_forget(callback: CallbackQuery, bot: Bot, ctx: Request) -> None:
    if await handover_needed(callback, ctx):  # still a coordinator: the role first
        return
    # A sender who is no user may still have left something: an update the bot could not
    # read, a child's link for the parent's consent.
    await mydata.forget(ctx.uow, ctx.sender_id, ctx.now())
    if ctx.user is not None:
        await update_commands(bot, ctx.texts, callback.from_user.id, registered=False)
        ctx.user = None
    await show_menu(callback, ctx, note=ctx.texts("forget-done"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_mydata, Command("mydata"))
    router.callback_query.register(on_mydata, Nav.filter(F.to == Page.MYDATA))
    router.message.register(on_forget_ask, Command("forget"))
    router.callback_query.register(on_forget_ask, Forget.filter(F.confirm.is_(False)))
    router.callback_query.register(on_forget, Forget.filter(F.confirm.is_(True)))
    return router
