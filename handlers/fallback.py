"""Last router: anything no other handler took. Nothing is lost, and the user gets a way on."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from handlers import cabinet
from handlers.context import Request
from handlers.flow import show_menu, show_outdated
from handlers.manage import show_cabinet
from handlers.ui import show
from handlers.views.profile import missing_profile_view
from handlers.views.quiz import question_view
from services import quiz as quiz_service


async def on_unexpected_message(message: Message, ctx: Request) -> None:
    """Typed text (or a sticker, photo...) where a button was expected."""
    texts = ctx.texts
    if ctx.user is None:
        await show_menu(message, ctx, note=texts("unexpected-guest"))
        return
    view = await missing_profile_view(ctx)
    if view is not None:
        await show(message, view.noted(texts("unexpected-text")))
        return
    for quiz in ctx.quizzes.values():
        state = await quiz_service.current(ctx.uow, quiz, ctx.user.id)
        if state is not None:
            # Mid-questionnaire: repeat the question as a fresh message with its buttons.
            await message.answer(texts("quiz-use-buttons"))
            await show(message, question_view(texts, quiz, state))
            return
    note = texts("unexpected-text")
    if await cabinet.inside(ctx) and await show_cabinet(message, ctx, note=note):
        return  # typed in the coordinator's cabinet: the cabinet again, not the main menu
    await show_menu(message, ctx, note=note)


async def on_unknown_button(callback: CallbackQuery, ctx: Request) -> None:
    """A button whose data no router understands: an old bot version, or forged data."""
    await show_outdated(callback, ctx)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_unexpected_message)
    router.callback_query.register(on_unknown_button)
    return router
