"""Public information, open without consent: the five interest types, their professions and
where in Zima and the region one can study them, by type and by place.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from content import Catalogue, OrganisationKind
from db.records import UserRecord
from handlers.callbacks import Nav, Screen, ShowPlace, ShowType
from handlers.results import interest_quiz, place_text, type_text
from handlers.ui import Row, keyboard, menu_row, show
from locales import Texts
from quizzes import Questionnaire


async def on_types(
    callback: CallbackQuery, texts: Texts, quizzes: dict[str, Questionnaire]
) -> None:
    quiz = interest_quiz(quizzes)
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
    quiz = interest_quiz(quizzes)
    if callback_data.scale not in {s.id for s in quiz.scales}:
        callback_answer.text = texts("button-outdated")
        callback_data = ShowType(scale=quiz.scales[0].id)
    await show(
        callback,
        type_text(texts, quiz, catalogue, callback_data.scale),
        keyboard([(texts("btn-back"), Nav(to=Screen.TYPES))], menu_row(texts)),
    )


async def on_places(
    callback: CallbackQuery, texts: Texts, catalogue: Catalogue, user: UserRecord | None
) -> None:
    role = user.role if user is not None and user.role else "none"
    places = catalogue.places()
    if role == "adult":  # retraining and job search start at the employment centre
        places.sort(key=lambda o: o.kind != OrganisationKind.EMPLOYMENT_CENTRE)
    rows: list[Row] = [
        [
            (
                texts("btn-place", name=o.short_name, in_town="yes" if o.in_town else "no"),
                ShowPlace(code=o.code),
            )
        ]
        for o in places
    ]
    rows.append(menu_row(texts))
    await show(callback, texts("places", role=role), keyboard(*rows))


async def on_place(
    callback: CallbackQuery,
    callback_data: ShowPlace,
    callback_answer: CallbackAnswer,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    user: UserRecord | None,
) -> None:
    if callback_data.code not in {o.code for o in catalogue.places()}:
        callback_answer.text = texts("button-outdated")
        await on_places(callback, texts, catalogue, user)
        return
    await show(
        callback,
        place_text(texts, interest_quiz(quizzes), catalogue, callback_data.code),
        keyboard([(texts("btn-back"), Nav(to=Screen.PLACES))], menu_row(texts)),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_types, Nav.filter(F.to == Screen.TYPES))
    router.callback_query.register(on_type, ShowType.filter())
    router.callback_query.register(on_places, Nav.filter(F.to == Screen.PLACES))
    router.callback_query.register(on_place, ShowPlace.filter())
    return router
