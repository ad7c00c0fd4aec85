"""Last router: anything no other handler took. Nothing is lost, and the user gets a way on."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from content import Catalogue
from db.records import UserRecord
from db.uow import UnitOfWork
from handlers.quiz import question_screen
from handlers.screens import next_profile_step, send_menu
from handlers.ui import keyboard, show
from locales import Texts
from quizzes import Questionnaire
from services import quiz as quiz_service


async def on_unexpected_message(
    message: Message,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    """Typed text (or a sticker, photo...) where a button was expected."""
    if user is None:
        await send_menu(message, uow, user, texts, quizzes, note=texts("unexpected-guest"))
        return
    step = await next_profile_step(uow, texts, catalogue, user)
    if step is not None:
        text, rows = step
        await show(message, texts("unexpected-text") + "\n\n" + text, keyboard(*rows))
        return
    for quiz in quizzes.values():
        state = await quiz_service.current(uow, quiz, user.id)
        if state is not None:
            # Mid-questionnaire: repeat the question as a fresh message with its buttons.
            text, rows = question_screen(texts, quiz, state)
            await message.answer(texts("quiz-use-buttons"))
            await show(message, text, keyboard(*rows))
            return
    await send_menu(message, uow, user, texts, quizzes, note=texts("unexpected-text"))


async def on_unknown_button(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    quizzes: dict[str, Questionnaire],
) -> None:
    """A button whose data no router understands: an old bot version, or forged data."""
    callback_answer.text = texts("button-outdated")
    await send_menu(callback, uow, user, texts, quizzes)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_unexpected_message, F.chat.type == "private")
    router.callback_query.register(on_unknown_button)
    return router
