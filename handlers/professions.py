"""The profession bank: browse by interest type, open a profession, search by typed text. Open
to everyone, with or without consent (nothing is stored but what the chat waits for)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from handlers import waiting
from handlers.callbacks import Bank, BankSearch, EventProfessions, ShowProfession
from handlers.context import Request
from handlers.ui import Event, show
from handlers.views.professions import (
    bank_view,
    profession_view,
    search_prompt_view,
    search_results_view,
    type_list_view,
)
from handlers.views.retraining import retraining_rows
from services import professions as bank_service
from services.professions import MIN_QUERY

SEARCH = "bank-search"


async def on_bank(callback: CallbackQuery, callback_data: Bank, ctx: Request) -> None:
    quiz = ctx.interest_quiz
    if not callback_data.scale:
        await show(callback, bank_view(ctx.texts, quiz, ctx.professions))
        return
    if callback_data.scale not in {s.id for s in quiz.scales}:
        ctx.outdated()
        await show(callback, bank_view(ctx.texts, quiz, ctx.professions))
        return
    view = type_list_view(ctx.texts, quiz, ctx.professions, callback_data.scale, callback_data.page)
    await show(callback, view)


async def on_profession(
    callback: CallbackQuery, callback_data: ShowProfession, ctx: Request
) -> None:
    profession = ctx.professions.by_code.get(callback_data.code)
    if profession is None:  # removed from the bank since the button was sent, or forged
        ctx.outdated()
        await show(callback, bank_view(ctx.texts, ctx.interest_quiz, ctx.professions))
        return
    view = profession_view(
        ctx.texts, ctx.interest_quiz, ctx.catalogue, profession, back=callback_data
    )
    view.rows[:0] = retraining_rows(ctx.texts, ctx.files, profession.code)
    await show(callback, view)


async def on_search(event: Event, ctx: Request) -> None:
    if ctx.user is None:  # nothing is stored for a guest, not even what the chat waits for
        await show(event, search_prompt_view(ctx.texts, guest=True))
        return
    await waiting.wait_for(ctx, SEARCH)
    await show(event, search_prompt_view(ctx.texts))


async def on_find_command(message: Message, command: CommandObject, ctx: Request) -> None:
    """/find сварщик: search at once; /find alone asks for the name."""
    if not command.args:
        await on_search(message, ctx)
        return
    await _search(message, ctx, command.args)


async def on_text(message: Message, ctx: Request) -> None:
    """Typed text while the bank waits for a profession's name; other text goes on."""
    found = await waiting.load(ctx)
    if found is None or found.get("for") != SEARCH:
        raise SkipHandler
    if await _search(message, ctx, message.text or ""):
        await waiting.clear(ctx)  # the next text is not a search unless asked again


async def _search(message: Message, ctx: Request, text: str) -> bool:
    """Show what the text finds; False if it is too short to search (asked again)."""
    if len(bank_service.normalise(text)) < MIN_QUERY:
        note = ctx.texts("bank-search-short")
        await show(message, search_prompt_view(ctx.texts, note, guest=ctx.user is None))
        return False
    result = bank_service.search(ctx.professions, text)
    await show(message, search_results_view(ctx.texts, result))
    return True


async def on_event_professions(
    callback: CallbackQuery, callback_data: EventProfessions, ctx: Request
) -> None:
    """From an event's card: its profession (a trial's) found in the bank, or the professions
    of its first interest type."""
    event = await ctx.uow.events.get(callback_data.id)
    await ctx.uow.end_read()
    quiz = ctx.interest_quiz
    if event is None:
        ctx.outdated()
        await show(callback, bank_view(ctx.texts, quiz, ctx.professions))
        return
    if event.profession:
        result = bank_service.search(ctx.professions, event.profession)
        if result.found and not result.fuzzy:
            view = profession_view(
                ctx.texts, quiz, ctx.catalogue, result.found[0], back=ShowProfession(code="")
            )
            await show(callback, view, new=True)
            return
    scales = [t for t in event.interest_types if t in {s.id for s in quiz.scales}]
    if scales:
        await show(
            callback, type_list_view(ctx.texts, quiz, ctx.professions, scales[0], 0), new=True
        )
        return
    await show(callback, bank_view(ctx.texts, quiz, ctx.professions), new=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_bank, Bank.filter())
    router.callback_query.register(on_profession, ShowProfession.filter())
    router.callback_query.register(on_search, BankSearch.filter())
    router.callback_query.register(on_event_professions, EventProfessions.filter())
    router.message.register(on_find_command, Command("find"))
    router.message.register(on_text, F.text, ~F.text.startswith("/"))
    return router
