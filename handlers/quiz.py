"""Taking a questionnaire: intro, one question per screen (the same message is edited), back,
pause, the result, and past results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from content import Catalogue
from db.records import AttemptRecord, UserRecord
from db.uow import UnitOfWork
from handlers.callbacks import (
    Answer,
    Back,
    Nav,
    QuizAction,
    QuizCmd,
    RestartQuiz,
    Screen,
    ShowResult,
    ShowType,
)
from handlers.results import interest_quiz, is_interest_quiz, result_text
from handlers.screens import (
    consent_version,
    next_profile_step,
    require_consent,
    send_menu,
    show_consent,
)
from handlers.ui import Clock, Event, Row, keyboard, menu_row, show
from locales import Texts
from quizzes import Questionnaire, interpret
from services import profile
from services import quiz as quiz_service
from services.errors import ConsentOutdated, NotFound, NotRegistered
from services.quiz import Outcome, QuizState

LETTERS = "АБВГДЕЖЗ"


def question_screen(texts: Texts, quiz: Questionnaire, state: QuizState) -> tuple[str, list[Row]]:
    index = state.progress.position
    question = quiz.questions[index]
    chosen = state.progress.current_answer()
    options = "\n\n".join(
        texts("quiz-option", letter=LETTERS[i], text=escape(option.text))
        for i, option in enumerate(question.options)
    )
    text = texts(
        "quiz-question",
        title=escape(quiz.title),
        number=index + 1,
        total=quiz.length,
        options=options,
    )
    attempt = state.attempt.id
    answer_row: Row = [
        (
            ("✓ " if option.key == chosen else "") + LETTERS[i],
            Answer(quiz=quiz.id, attempt=attempt, q=index, key=option.key),
        )
        for i, option in enumerate(question.options)
    ]
    nav_row: Row = []
    if index > 0:
        nav_row.append((texts("btn-quiz-back"), Back(quiz=quiz.id, attempt=attempt, q=index)))
    nav_row.append((texts("btn-quiz-pause"), QuizCmd(action=QuizAction.PAUSE, quiz=quiz.id)))
    return text, [answer_row, nav_row]


def finished_screen(
    texts: Texts, quiz: Questionnaire, catalogue: Catalogue, state: QuizState
) -> tuple[str, list[Row]]:
    return result_text(texts, quiz, catalogue, state.attempt), [
        *type_rows(texts, quiz, state.attempt),
        [(texts("btn-results"), Nav(to=Screen.RESULTS))],
        menu_row(texts),
    ]


def type_rows(texts: Texts, quiz: Questionnaire, attempt: AttemptRecord) -> list[Row]:
    """A button to the full page (all professions, all places to study) of each leading type."""
    if not is_interest_quiz(quiz):
        return []
    leading = interpret(quiz, _known_scores(quiz, attempt.scores or {})).leading
    return [
        [(texts("btn-type-more", title=quiz.scale(s).title), ShowType(scale=s))] for s in leading
    ]


def screen_for(
    texts: Texts, quiz: Questionnaire, catalogue: Catalogue, state: QuizState
) -> tuple[str, list[Row]]:
    if state.finished:
        return finished_screen(texts, quiz, catalogue, state)
    return question_screen(texts, quiz, state)


async def _ready(
    event: Event,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
) -> UserRecord | None:
    """The user if they may take a questionnaire; otherwise say what is missing first."""
    if (user := await require_consent(event, user, texts)) is None:
        return None
    step = await next_profile_step(uow, texts, catalogue, user)
    if step is not None:
        text, rows = step
        await show(event, texts("quiz-need-profile") + "\n\n" + text, keyboard(*rows))
        return None
    return user


async def show_intro(
    event: Event, uow: UnitOfWork, user: UserRecord, texts: Texts, quiz: Questionnaire
) -> None:
    state = await quiz_service.current(uow, quiz, user.id)
    if state is None:
        text = texts(
            "quiz-intro",
            title=escape(quiz.title),
            author=escape(quiz.author) or "none",
            summary=escape(quiz.summary),
            instruction=escape(quiz.instruction),
            duration=escape(quiz.duration) or "none",
            total=quiz.length,
        )
        rows: list[Row] = [
            [(texts("btn-quiz-begin"), QuizCmd(action=QuizAction.BEGIN, quiz=quiz.id))],
            menu_row(texts),
        ]
    else:
        text = texts(
            "quiz-resume",
            title=escape(quiz.title),
            number=state.progress.position + 1,
            done=state.progress.answered,
            total=quiz.length,
        )
        rows = [
            [(texts("btn-quiz-continue-short"), QuizCmd(action=QuizAction.BEGIN, quiz=quiz.id))],
            [(texts("btn-quiz-restart"), QuizCmd(action=QuizAction.ASK_RESTART, quiz=quiz.id))],
            menu_row(texts),
        ]
    await show(event, text, keyboard(*rows))


async def cmd_quiz(
    message: Message,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    if (user := await _ready(message, uow, user, texts, catalogue)) is not None:
        await show_intro(message, uow, user, texts, interest_quiz(quizzes))


async def _open(
    callback: CallbackQuery,
    quiz_id: str,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> tuple[Questionnaire, UserRecord] | None:
    """The questionnaire a button names and the user, if both are ready; otherwise the menu
    (an unknown questionnaire) or what the user must do first, and None."""
    quiz = quizzes.get(quiz_id)
    if quiz is None:
        callback_answer.text = texts("button-outdated")
        await send_menu(callback, uow, user, texts, quizzes)
        return None
    if (ready := await _ready(callback, uow, user, texts, catalogue)) is None:
        return None
    return quiz, ready


async def on_quiz_command(
    callback: CallbackQuery,
    callback_data: QuizCmd,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    opened = await _open(
        callback, callback_data.quiz, callback_answer, uow, user, texts, catalogue, quizzes
    )
    if opened is None:
        return
    quiz, user = opened
    action = callback_data.action
    if action == QuizAction.INTRO:
        await show_intro(callback, uow, user, texts, quiz)
    elif action == QuizAction.PAUSE:
        state = await quiz_service.current(uow, quiz, user.id)
        if state is None:  # finished or restarted elsewhere: this pause button is out of date
            callback_answer.text = texts("button-outdated")
            note = None
        else:
            note = texts("quiz-paused", done=state.progress.answered, total=quiz.length)
        await send_menu(callback, uow, user, texts, quizzes, note=note)
    elif action == QuizAction.ASK_RESTART:
        state = await quiz_service.current(uow, quiz, user.id)
        await show(
            callback,
            texts(
                "quiz-restart-confirm",
                done=state.progress.answered if state else 0,
                total=quiz.length,
            ),
            keyboard(
                [
                    (
                        texts("btn-quiz-restart-yes"),
                        RestartQuiz(quiz=quiz.id, attempt=state.attempt.id if state else 0),
                    )
                ],
                [(texts("btn-back"), QuizCmd(action=QuizAction.INTRO, quiz=quiz.id))],
            ),
        )
    else:
        state = await quiz_service.start(uow, quiz, user.id, clock())
        await _show_started(callback, callback_answer, texts, quiz, state)


async def on_restart(
    callback: CallbackQuery,
    callback_data: RestartQuiz,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    opened = await _open(
        callback, callback_data.quiz, callback_answer, uow, user, texts, catalogue, quizzes
    )
    if opened is None:
        return
    quiz, user = opened
    state = await quiz_service.start(uow, quiz, user.id, clock(), restart=callback_data.attempt)
    await _show_started(callback, callback_answer, texts, quiz, state)


async def _show_started(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    texts: Texts,
    quiz: Questionnaire,
    state: QuizState,
) -> None:
    if state.outcome == Outcome.STALE:  # a restart confirmed on an old message
        callback_answer.text = texts("button-outdated")
    text, rows = question_screen(texts, quiz, state)
    await show(callback, text, keyboard(*rows))


#: The answer and back buttons are the most frequent updates; their service checks that the
#: attempt is the user's, so the user middleware does not load the user for them.
NO_USER = {"user": False}


async def on_answer(
    callback: CallbackQuery,
    callback_data: Answer,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    async def change(quiz: Questionnaire) -> QuizState:
        return await quiz_service.answer(
            uow,
            quiz,
            callback.from_user.id,
            callback_data.attempt,
            callback_data.q,
            callback_data.key,
            clock(),
            texts.tz,
            consent_version=consent_version(texts),
        )

    await _step(
        callback, callback_answer, callback_data.quiz, change, uow, texts, catalogue, quizzes
    )


async def on_back(
    callback: CallbackQuery,
    callback_data: Back,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    async def change(quiz: Questionnaire) -> QuizState:
        return await quiz_service.back(
            uow,
            quiz,
            callback.from_user.id,
            callback_data.attempt,
            callback_data.q,
            clock(),
            consent_version=consent_version(texts),
        )

    await _step(
        callback, callback_answer, callback_data.quiz, change, uow, texts, catalogue, quizzes
    )


async def _step(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    quiz_id: str,
    change: Callable[[Questionnaire], Awaitable[QuizState]],
    uow: UnitOfWork,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    """One step of a questionnaire (an answer, a step back) from a question's button: carried
    out, or, for a button that no longer applies, the consent screen or the menu."""
    quiz = quizzes.get(quiz_id)
    if quiz is None:
        await _outdated(callback, callback_answer, uow, texts, quizzes)
        return
    try:
        state = await change(quiz)
    except ConsentOutdated:
        await show_consent(callback, texts, updated=True)
        return
    except (NotFound, NotRegistered):
        await _outdated(callback, callback_answer, uow, texts, quizzes)
        return
    await _show_state(callback, callback_answer, texts, quiz, catalogue, state)


async def _show_state(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    texts: Texts,
    quiz: Questionnaire,
    catalogue: Catalogue,
    state: QuizState,
) -> None:
    if state.outcome == Outcome.STALE:
        callback_answer.text = texts("quiz-stale")
    elif state.outcome == Outcome.REPEATED:
        callback_answer.text = texts("quiz-repeated")
    elif state.finished:
        callback_answer.text = texts("quiz-finished-toast")
    text, rows = screen_for(texts, quiz, catalogue, state)
    await show(callback, text, keyboard(*rows))


async def _outdated(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    texts: Texts,
    quizzes: dict[str, Questionnaire],
) -> None:
    """A button of an attempt that is gone or not this user's: say so and show the menu."""
    callback_answer.text = texts("button-outdated")
    user = await profile.get_user(uow, callback.from_user.id)
    await send_menu(callback, uow, user, texts, quizzes)


# --- results ----------------------------------------------------------------------------------


async def on_results(
    event: Message | CallbackQuery,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    if (user := await _ready(event, uow, user, texts, catalogue)) is None:
        return
    attempts = await quiz_service.history(uow, user.id)
    if not attempts:
        first = interest_quiz(quizzes)
        await show(
            event,
            texts("results-empty"),
            keyboard(
                [
                    (
                        texts("btn-quiz-start", title=first.title),
                        QuizCmd(action=QuizAction.INTRO, quiz=first.id),
                    )
                ],
                menu_row(texts),
            ),
        )
        return
    rows: list[Row] = []
    for attempt in attempts:
        taken = quizzes.get(attempt.quiz_id)
        if taken is None or attempt.scores is None or attempt.finished_at is None:
            continue
        leading = interpret(taken, _known_scores(taken, attempt.scores)).leading
        label = texts(
            "results-item",
            date=texts.date(attempt.finished_at),
            leading=", ".join(_short_title(taken, s) for s in leading),
        )
        rows.append([(label, ShowResult(attempt=attempt.id))])
    rows.append(menu_row(texts))
    total = await quiz_service.count_finished(uow, user.id)
    shown = "all" if total <= len(attempts) else len(attempts)
    await show(event, texts("results-list", count=total, shown=shown), keyboard(*rows))


async def on_show_result(
    callback: CallbackQuery,
    callback_data: ShowResult,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    if user is None:
        await _outdated(callback, callback_answer, uow, texts, quizzes)
        return
    try:
        attempt = await quiz_service.result(uow, user.id, callback_data.attempt)
    except NotFound:
        await _outdated(callback, callback_answer, uow, texts, quizzes)
        return
    quiz = quizzes.get(attempt.quiz_id)
    if quiz is None:
        await _outdated(callback, callback_answer, uow, texts, quizzes)
        return
    await show(
        callback,
        result_text(texts, quiz, catalogue, attempt),
        keyboard(
            *type_rows(texts, quiz, attempt),
            [(texts("btn-back"), Nav(to=Screen.RESULTS))],
            menu_row(texts),
        ),
    )


def _known_scores(quiz: Questionnaire, scores: dict[str, int]) -> dict[str, int]:
    return {s.id: scores.get(s.id, 0) for s in quiz.scales}


def _short_title(quiz: Questionnaire, scale_id: str) -> str:
    return quiz.scale(scale_id).title.split("—")[-1].strip()


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(cmd_quiz, Command("quiz"))
    router.callback_query.register(on_quiz_command, QuizCmd.filter())
    router.callback_query.register(on_restart, RestartQuiz.filter())
    router.callback_query.register(on_answer, Answer.filter(), flags=NO_USER)
    router.callback_query.register(on_back, Back.filter(), flags=NO_USER)
    router.message.register(on_results, Command("results"))
    router.callback_query.register(on_results, Nav.filter(F.to == Screen.RESULTS))
    router.callback_query.register(on_show_result, ShowResult.filter())
    return router
