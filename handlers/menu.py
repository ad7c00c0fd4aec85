"""Main menu and help."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from content import Catalogue
from db.records import UserRecord
from db.uow import UnitOfWork
from handlers.callbacks import Nav, Screen
from handlers.screens import (
    consent_version,
    next_profile_step,
    public_rows,
    send_menu,
    show_consent,
)
from handlers.ui import Event, keyboard, menu_row, show
from locales import Texts
from quizzes import Questionnaire


async def on_menu(
    event: Event,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    if user is not None and user.consent_version != consent_version(texts):
        await show_consent(event, texts, updated=True)
        return
    step = await next_profile_step(uow, texts, catalogue, user) if user is not None else None
    if step is not None:  # the menu opens once the profile is complete; public pages stay open
        text, rows = step
        rows += public_rows(texts, user.role if user else None)
        await show(event, text, keyboard(*rows))
        return
    await send_menu(event, uow, user, texts, quizzes)


async def on_help(event: Message | CallbackQuery, texts: Texts) -> None:
    await show(event, texts("help"), keyboard(menu_row(texts)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(on_menu, Command("menu"))
    router.callback_query.register(on_menu, Nav.filter(F.to == Screen.MENU))
    router.message.register(on_help, Command("help"))
    router.callback_query.register(on_help, Nav.filter(F.to == Screen.HELP))
    return router
