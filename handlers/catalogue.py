"""Public information, open without consent: the five interest types, their professions and
where in Zima and the region one can study them, by type and by place.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from handlers.callbacks import Nav, Page, ShowPlace, ShowType
from handlers.context import Request
from handlers.ui import show
from handlers.views.catalogue import place_view, places_view, type_view, types_view


async def on_types(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, types_view(ctx.texts, ctx.interest_quiz))


async def on_type(callback: CallbackQuery, callback_data: ShowType, ctx: Request) -> None:
    quiz = ctx.interest_quiz
    scale = callback_data.scale
    if scale not in {s.id for s in quiz.scales}:
        ctx.outdated()
        scale = quiz.scales[0].id
    await show(callback, type_view(ctx.texts, quiz, ctx.catalogue, scale))


async def on_places(callback: CallbackQuery, ctx: Request) -> None:
    await show(callback, places_view(ctx.texts, ctx.catalogue, ctx.role))


async def on_place(callback: CallbackQuery, callback_data: ShowPlace, ctx: Request) -> None:
    if callback_data.code not in {o.code for o in ctx.catalogue.places()}:
        ctx.outdated()
        await on_places(callback, ctx)
        return
    await show(
        callback, place_view(ctx.texts, ctx.interest_quiz, ctx.catalogue, callback_data.code)
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_types, Nav.filter(F.to == Page.TYPES))
    router.callback_query.register(on_type, ShowType.filter())
    router.callback_query.register(on_places, Nav.filter(F.to == Page.PLACES))
    router.callback_query.register(on_place, ShowPlace.filter())
    return router
