"""Public information, open without consent: the five interest types, their professions and
where in Zima and the region one can study them.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from content import Catalogue
from handlers.callbacks import Nav, Screen, ShowType
from handlers.results import type_text
from handlers.ui import Row, keyboard, menu_row, show
from locales import Texts
from quizzes import Questionnaire


def _typed_quiz(quizzes: dict[str, Questionnaire]) -> Questionnaire:
    """The questionnaire whose scales are the interest types of the catalogue (Klimov's)."""
    return quizzes["klimov"]


async def on_types(
    callback: CallbackQuery, texts: Texts, quizzes: dict[str, Questionnaire]
) -> None:
    quiz = _typed_quiz(quizzes)
    rows: list[Row] = [[(s.title, ShowType(scale=s.id))] for s in quiz.scales]
    rows.append(menu_row(texts))
    await show(callback, texts("types"), keyboard(*rows))


async def on_type(
    callback: CallbackQuery,
    callback_data: ShowType,
    callback_answer: CallbackAnswer,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    quiz = _typed_quiz(quizzes)
    if callback_data.scale not in {s.id for s in quiz.scales}:
        callback_answer.text = texts("button-outdated")
        callback_data = ShowType(scale=quiz.scales[0].id)
    await show(
        callback,
        type_text(texts, quiz, catalogue, callback_data.scale),
        keyboard([(texts("btn-back"), Nav(to=Screen.TYPES))], menu_row(texts)),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_types, Nav.filter(F.to == Screen.TYPES))
    router.callback_query.register(on_type, ShowType.filter())
    return router
