"""«Мои результаты»: the finished questionnaires, newest first, and each result again."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery

from handlers.callbacks import Nav, Page, ShowResult
from handlers.context import Request
from handlers.flow import require_profile, show_outdated
from handlers.ui import Event, show
from handlers.views.quiz import no_results_view, result_view, results_view
from services import quiz as quiz_service
from services.errors import NotFound


async def on_results(event: Event, ctx: Request) -> None:
    if (user := await require_profile(event, ctx)) is None:
        return
    attempts = await quiz_service.history(ctx.uow, user.id)
    if not attempts:
        await show(event, no_results_view(ctx.texts, ctx.interest_quiz))
        return
    total = await quiz_service.count_finished(ctx.uow, user.id)
    await show(event, results_view(ctx.texts, ctx.quizzes, attempts, total))


async def on_show_result(callback: CallbackQuery, callback_data: ShowResult, ctx: Request) -> None:
    if ctx.user is None:
        await show_outdated(callback, ctx)
        return
    try:
        attempt = await quiz_service.result(ctx.uow, ctx.user.id, callback_data.attempt)
    except NotFound:
        await show_outdated(callback, ctx)
        return
    quiz = ctx.quizzes.get(attempt.quiz_id)
    if quiz is None:
        await show_outdated(callback, ctx)
        return
    adult = ctx.content if ctx.role == "adult" else None
    await show(callback, result_view(ctx.texts, quiz, ctx.catalogue, attempt, adult=adult))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_results, Command("results"))
    router.callback_query.register(on_results, Nav.filter(F.to == Page.RESULTS))
    router.callback_query.register(on_show_result, ShowResult.filter())
    return router
