"""A child under 14: «Мне меньше 14 лет» on the consent screen gives them a link for a parent's
consent instead (nothing is stored about them but that link until the parent agrees); while
they wait they can read the public pages and take the questionnaire without saving."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from handlers.callbacks import GuestAnswer, Minor, MinorStep
from handlers.context import Request
from handlers.family import family_links
from handlers.flow import show_home, show_outdated
from handlers.ui import Event, show
from handlers.views.consent import consent_view
from handlers.views.family import guest_question_view, guest_result_view, invite_view
from services import family, guest_quiz
from services.errors import NotAllowed


def _guest_quiz(ctx: Request) -> str | None:
    quiz = ctx.interest_quiz
    return quiz.id if guest_quiz.supports(quiz) else None


async def show_pending_consent(
    event: Event, bot: Bot, ctx: Request, channel_bots: dict[str, Bot] | None = None
) -> bool:
    """A newcomer who is waiting for a parent's consent: their link again (True)."""
    invite = await family.consent_link(ctx.uow, ctx.sender_id, ctx.now())
    if invite is None:
        return False
    links = await family_links(bot, invite.token, channel_bots)
    await show(event, invite_view(ctx.texts, invite, links, _guest_quiz(ctx)))
    return True


async def on_minor(
    callback: CallbackQuery,
    callback_data: Minor,
    bot: Bot,
    ctx: Request,
    channel_bots: dict[str, Bot] | None = None,
) -> None:
    if ctx.user is not None:  # the consent is on record: nothing to ask a parent for
        await show_outdated(callback, ctx)
        return
    if callback_data.action == MinorStep.CANCEL:
        await family.cancel_consent(ctx.uow, ctx.sender_id)
        await show(callback, consent_view(ctx))
        return
    try:
        invite = await family.ask_consent(ctx.uow, ctx.sender_id, ctx.now())
    except NotAllowed:
        await show_outdated(callback, ctx)
        return
    links = await family_links(bot, invite.token, channel_bots)
    await show(callback, invite_view(ctx.texts, invite, links, _guest_quiz(ctx)))


async def on_guest_answer(
    callback: CallbackQuery, callback_data: GuestAnswer, ctx: Request
) -> None:
    """A question of the unsaved questionnaire; the button carries every answer so far."""
    quiz = ctx.quizzes.get(callback_data.quiz)
    if ctx.user is not None:  # with consent on record the questionnaire is saved as usual
        await show_home(callback, ctx, note=ctx.texts("guest-quiz-registered"))
        return
    found = guest_quiz.progress(quiz, callback_data.given) if quiz is not None else None
    if quiz is None or found is None or not guest_quiz.supports(quiz):
        await show_outdated(callback, ctx)
        return
    if found.position < quiz.length:
        await show(callback, guest_question_view(ctx.texts, quiz, callback_data.given))
        return
    attempt = guest_quiz.result(quiz, found.answers, ctx.now())
    await show(callback, guest_result_view(ctx.texts, quiz, ctx.catalogue, attempt))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_minor, Minor.filter())
    router.callback_query.register(on_guest_answer, GuestAnswer.filter())
    return router
