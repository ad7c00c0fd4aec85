"""/forget by a coordinator: the role is handed over (or dropped) first."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from handlers.callbacks import HandOver
from handlers.context import Request
from handlers.ui import Event, show
from handlers.views.mydata import handover_view
from handlers.views.profile import forget_confirm_view
from services import leaving
from services.errors import NotFound


async def handover_needed(event: Event, ctx: Request, *, note: str | None = None) -> bool:
    """If the user still coordinates an organisation, show the hand-over screen (True)."""
    if ctx.user is None:
        return False
    found = await leaving.coordinator_leaving(ctx.uow, ctx.user.id)
    if found is None:
        return False
    await show(event, handover_view(ctx.texts, found).noted(note))
    return True


async def on_hand_over(callback: CallbackQuery, callback_data: HandOver, ctx: Request) -> None:
    if ctx.user is None:
        await show(callback, forget_confirm_view(ctx))
        return
    to = callback_data.to or None
    try:
        left = await leaving.hand_over(ctx.uow, ctx.user.id, to)
    except NotFound:
        await handover_needed(callback, ctx, note=ctx.texts("colleague-gone"))
        return
    if not left:  # a second tap, or the role was taken away meanwhile: on to the question
        ctx.outdated()
        await show(callback, forget_confirm_view(ctx))
        return
    note = ctx.texts("role-handed-over" if to else "role-dropped")
    await show(callback, forget_confirm_view(ctx).noted(note))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_hand_over, HandOver.filter())
    return router
