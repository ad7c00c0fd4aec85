"""Taking a questionnaire: intro, one question per screen (the same message is edited), back,
pause, restart, and the result after the last answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from db.records import EventRecord
from handlers.callbacks import Answer, Back, QuizControl, QuizStep, RestartQuiz
from handlers.context import NO_USER, Request
from handlers.flow import require_profile, show_menu, show_outdated
from handlers.ui import show
from handlers.views.consent import consent_view
from handlers.views.quiz import finished_view, intro_view, question_view, restart_confirm_view
from quizzes import Questionnaire
from services import events as event_service
from services import profile
from services import quiz as quiz_service
from services.errors import ConsentOutdated, NotFound, NotRegistered
from services.quiz import Outcome, QuizState, Tap


async def cmd_quiz(message: Message, ctx: Request) -> None:
    if (user := await require_profile(message, ctx)) is not None:
        quiz = ctx.interest_quiz
        state = await quiz_service.current(ctx.uow, quiz, user.id)
        await show(message, intro_view(ctx.texts, quiz, state))


async def _quiz_of_button(
    callback: CallbackQuery, quiz_id: str, ctx: Request
) -> tuple[Questionnaire, int] | None:
    """The questionnaire a button names and the user's id, if both are ready; otherwise the
    menu (a questionnaire that no longer exists) or what the user must do first, and None."""
    quiz = ctx.quizzes.get(quiz_id)
    if quiz is None:
        await show_outdated(callback, ctx)
        return None
    if (user := await require_profile(callback, ctx)) is None:
        return None
    # Not for this user's grade, or outside its weeks: only an attempt begun may go on.
    offered = quiz_service.offered(quiz, user, ctx.moment())
    if not offered and await quiz_service.current(ctx.uow, quiz, user.id) is None:
        await show_outdated(callback, ctx)
        return None
    return quiz, user.id


async def on_quiz_control(
    callback: CallbackQuery, callback_data: QuizControl, ctx: Request
) -> None:
    if (found := await _quiz_of_button(callback, callback_data.quiz, ctx)) is None:
        return
    quiz, user_id = found
    action = callback_data.action
    if action == QuizStep.BEGIN:
        started = await quiz_service.start(ctx.uow, quiz, user_id, ctx.now())
        await _show_started(callback, ctx, quiz, started)
        return
    state = await quiz_service.current(ctx.uow, quiz, user_id)
    if action == QuizStep.INTRO:
        await show(callback, intro_view(ctx.texts, quiz, state))
    elif action == QuizStep.ASK_RESTART:
        await show(callback, restart_confirm_view(ctx.texts, quiz, state))
    elif state is None:  # pause, but finished or restarted elsewhere: the button is out of date
        await show_outdated(callback, ctx)
    else:
        note = ctx.texts("quiz-paused", done=state.progress.answered, total=quiz.length)
        await show_menu(callback, ctx, note=note)


async def on_restart(callback: CallbackQuery, callback_data: RestartQuiz, ctx: Request) -> None:
    if (found := await _quiz_of_button(callback, callback_data.quiz, ctx)) is None:
        return
    quiz, user_id = found
    state = await quiz_service.start(
        ctx.uow, quiz, user_id, ctx.now(), restart=callback_data.attempt
    )
    await _show_started(callback, ctx, quiz, state)


async def _show_started(
    callback: CallbackQuery, ctx: Request, quiz: Questionnaire, state: QuizState
) -> None:
    if state.outcome == Outcome.STALE:  # a restart confirmed on an old message
        ctx.outdated()
    await show(callback, question_view(ctx.texts, quiz, state))


async def on_answer(callback: CallbackQuery, callback_data: Answer, ctx: Request) -> None:
    async def record(quiz: Questionnaire) -> QuizState:
        tap = Tap(
            callback.from_user.id, callback_data.attempt, callback_data.question, callback_data.key
        )
        return await quiz_service.answer(
            ctx.uow, quiz, tap, ctx.moment(), consent_version=ctx.consent_version
        )

    await _take_step(callback, ctx, callback_data.quiz, record)


async def on_back(callback: CallbackQuery, callback_data: Back, ctx: Request) -> None:
    async def step_back(quiz: Questionnaire) -> QuizState:
        tap = Tap(callback.from_user.id, callback_data.attempt, callback_data.question)
        return await quiz_service.back(
            ctx.uow, quiz, tap, ctx.now(), consent_version=ctx.consent_version
        )

    await _take_step(callback, ctx, callback_data.quiz, step_back)


async def _take_step(
    callback: CallbackQuery,
    ctx: Request,
    quiz_id: str,
    take: Callable[[Questionnaire], Awaitable[QuizState]],
) -> None:
    """One step of a questionnaire (an answer, a step back) from a question's button: carried
    out, or, for a button that no longer applies, the consent screen or the menu."""
    quiz = ctx.quizzes.get(quiz_id)
    try:
        if quiz is None:
            raise NotFound(quiz_id)
        state = await take(quiz)
    except ConsentOutdated:
        await show(callback, consent_view(ctx, updated=True))
        return
    except (NotFound, NotRegistered):
        # The attempt is gone or not this user's. This path did not load the user: do it now.
        await ctx.load_user()
        await show_outdated(callback, ctx)
        return
    if state.outcome == Outcome.STALE:
        ctx.toast("quiz-stale")
    elif state.outcome == Outcome.REPEATED:
        ctx.toast("quiz-repeated")
    if not state.finished:
        await show(callback, question_view(ctx.texts, quiz, state))
        return
    if state.outcome == Outcome.DONE:
        ctx.toast("quiz-finished-toast")
    suggested = await _matching_events(ctx, quiz, state)
    adult = ctx.content if ctx.role == "adult" else None
    view = finished_view(ctx.texts, quiz, ctx.catalogue, state.attempt, suggested, adult=adult)
    await show(callback, view)


async def _matching_events(
    ctx: Request, quiz: Questionnaire, state: QuizState
) -> list[EventRecord]:
    """Upcoming trials and events for the leading interest types (this path loaded no user)."""
    if not quiz_service.is_interest_quiz(quiz):
        return []
    user = ctx.user = await profile.get_user(ctx.uow, ctx.sender_id)
    if user is None:
        return []
    leading = quiz_service.interpretation(quiz, state.attempt).leading
    return await event_service.suggestions(ctx.uow, user, ctx.moment(), leading)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_quiz, Command("quiz"))
    # The most frequent updates, first (no other filter tried before them): their service
    # checks that the attempt is the user's and their consent current, so the user is not
    # loaded for them.
    router.callback_query.register(on_answer, Answer.filter(), flags=NO_USER)
    router.callback_query.register(on_back, Back.filter(), flags=NO_USER)
    router.callback_query.register(on_quiz_control, QuizControl.filter())
    router.callback_query.register(on_restart, RestartQuiz.filter())
    return router
