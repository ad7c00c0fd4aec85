"""/mydata shows everything stored about the user; /forget erases it (152-ФЗ)."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery

from db.calendar import academic_year
from db.records import UserRecord
from db.uow import UnitOfWork
from handlers.callbacks import Forget, Nav, Screen
from handlers.screens import grade_arg, send_menu, update_commands
from handlers.ui import Clock, Event, keyboard, menu_row, show
from locales import Texts
from quizzes import Questionnaire
from services import profile
from services import quiz as quiz_service


async def on_mydata(
    event: Event,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    clock: Clock,
) -> None:
    if user is None:
        await show(event, texts("mydata-none"), keyboard(menu_row(texts)))
        return
    organisation = await profile.organisation_of(uow, user)
    finished = await quiz_service.count_finished(uow, user.id)
    unfinished = len(await quiz_service.unfinished(uow, user.id))
    text = texts(
        "mydata",
        id=str(user.id),  # as Telegram shows it, without digit grouping
        role_name=texts("role-name", role=user.role or "none"),
        organisation=escape(organisation.name) if organisation else "—",
        grade=grade_arg(user, academic_year(clock(), texts.tz)),
        consent_date=texts.when(user.consent_at, "d MMMM y, HH:mm"),
        consent_version=user.consent_version,
        created=texts.date(user.created_at),
        quizzes=finished,
        unfinished=unfinished,
    )
    await show(
        event,
        text,
        keyboard([(texts("btn-forget"), Forget(confirm=False))], menu_row(texts)),
    )


async def on_forget_ask(event: Event, user: UserRecord | None, texts: Texts) -> None:
    if user is None:
        await show(event, texts("mydata-none"), keyboard(menu_row(texts)))
        return
    await show(
        event,
        texts("forget-confirm"),
        keyboard(
            [(texts("btn-forget-yes"), Forget(confirm=True))],
            [(texts("btn-forget-no"), Nav(to=Screen.MYDATA))],
        ),
    )


async def on_forget(
    callback: CallbackQuery,
    bot: Bot,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    quizzes: dict[str, Questionnaire],
) -> None:
    if user is not None:
        await profile.forget(uow, user.id)
        await update_commands(bot, texts, callback.from_user.id, registered=False)
    await send_menu(callback, uow, None, texts, quizzes, note=texts("forget-done"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(on_mydata, Command("mydata"))
    router.callback_query.register(on_mydata, Nav.filter(F.to == Screen.MYDATA))
    router.message.register(on_forget_ask, Command("forget"))
    router.callback_query.register(on_forget_ask, Forget.filter(F.confirm.is_(False)))
    router.callback_query.register(on_forget, Forget.filter(F.confirm.is_(True)))
    return router
