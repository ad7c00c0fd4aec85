"""Adults looking for work or retraining: the section, the retraining programmes, a programme,
the trades in demand, the employment centre. Public information: open without consent."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery

from content.retraining import Group
from handlers.callbacks import (
    Adults,
    EmploymentCentre,
    RetrainingList,
    ShowRetraining,
    Trades,
)
from handlers.context import Request
from handlers.ui import Event, Row, show
from handlers.views import consultations as consultation_views
from handlers.views.retraining import (
    adults_view,
    employment_centre_view,
    retraining_list_view,
    retraining_view,
    trades_view,
)


def consult_row(ctx: Request) -> Row:
    """The consultation button, where the adults' screens offer it."""
    return consultation_views.consult_row(ctx.texts)


async def on_adults(event: Event, ctx: Request) -> None:
    await show(event, adults_view(ctx.texts, ctx.files, consult_row(ctx)))


async def on_list(callback: CallbackQuery, callback_data: RetrainingList, ctx: Request) -> None:
    group = callback_data.group
    if group and group not in {g.value for g in Group}:
        ctx.outdated()
        group = ""
    await show(callback, retraining_list_view(ctx.texts, ctx.files, group))


async def on_programme(
    callback: CallbackQuery, callback_data: ShowRetraining, ctx: Request
) -> None:
    content = ctx.files
    programme = content.retraining.programme_by_code.get(callback_data.code)
    if programme is None:  # removed from the file since, or forged
        ctx.outdated()
        await show(callback, retraining_list_view(ctx.texts, content, ""))
        return
    group = callback_data.group if callback_data.group in {g.value for g in Group} else ""
    await show(callback, retraining_view(ctx.texts, content, programme, group))


async def on_trades(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, trades_view(ctx.texts, ctx.files))


async def on_centre(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, employment_centre_view(ctx.texts, ctx.files, consult_row(ctx)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_adults, Command("retraining"))
    router.callback_query.register(on_adults, Adults.filter())
    router.callback_query.register(on_list, RetrainingList.filter())
    router.callback_query.register(on_programme, ShowRetraining.filter())
    router.callback_query.register(on_trades, Trades.filter())
    router.callback_query.register(on_centre, EmploymentCentre.filter())
    return router
