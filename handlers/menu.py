"""Main menu and help."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command

from handlers.callbacks import Nav, Page
from handlers.context import Request
from handlers.flow import show_home
from handlers.ui import Event, show
from handlers.views.menu import help_view


async def on_menu(event: Event, ctx: Request) -> None:
    await show_home(event, ctx)


async def on_help(event: Event, ctx: Request) -> None:
    await show(event, await help_view(ctx))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_menu, Command("menu"))
    router.callback_query.register(on_menu, Nav.filter(F.to == Page.MENU))
    router.message.register(on_help, Command("help"))
    router.callback_query.register(on_help, Nav.filter(F.to == Page.HELP))
    return router
