"""The municipal monitoring in the bot: /stats (and «Мониторинг» in the coordinator's cabinet)
shows the indicators of an academic year against their targets, sends the chart and the
committee's XLSX report; the committee enters the roster (a file or typed lines) and the term's
administrative figures. Also the destination survey's answers (its question comes through the
outbox).

Every coordinator action asks the service, which reads the rights from the database on each
call: someone who is not (or no longer) a coordinator gets a polite refusal and sees nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import skip
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from db.models import Destination
from db.repositories.stats import TermRecord
from handlers import waiting
from handlers.callbacks import DestinationAnswer, DestinationStep, Stats, StatsStep
from handlers.context import Request
from handlers.flow import refuse, require_consent, show_outdated
from handlers.ui import Event, View, menu_row, show
from handlers.views.stats import (
    colleges_view,
    destination_thanks_view,
    destination_view,
    programmes_view,
    roster_ask_view,
    roster_saved_view,
    stats_view,
    term_ask_view,
    years_view,
)
from services import roster_import, stats_files, surveys
from services import stats as service
from services.errors import NotAllowed, NotFound, NotPermitted

#: The key of the committee's open input (the roster, the term's figures) in the dialog data.
KEY = "stats_input"
ROSTER_EXTENSIONS = (".csv", ".txt", ".xlsx")


async def cmd_stats(message: Message, ctx: Request) -> None:
    try:
        await _show_report(message, ctx, 0)
    except NotPermitted:
        await refuse(message, ctx)


async def on_stats(callback: CallbackQuery, callback_data: Stats, ctx: Request) -> None:
    try:
        await _stats(callback, callback_data, ctx)
    except NotPermitted:
        await close_input(ctx)
        await refuse(callback, ctx)


async def _stats(callback: CallbackQuery, data: Stats, ctx: Request) -> None:
    action, year = data.action, data.year
    if action == StatsStep.SHOW:
        await _show_report(callback, ctx, year)
        return
    moment = ctx.moment()
    year = _year(ctx, year)
    if action == StatsStep.YEARS:
        report = await service.report(ctx.uow, ctx.staff, year, moment)
        await show(callback, years_view(ctx.texts, report.years, moment.academic_year))
    elif action in (StatsStep.CHART, StatsStep.XLSX):
        await _send_file(callback, ctx, year, action)
    elif action == StatsStep.ROSTER:
        await service.require_committee(ctx.uow, ctx.staff)
        await ctx.uow.end_read()
        await _open_input(ctx, "roster", year)
        await show(callback, roster_ask_view(ctx.texts, year))
    elif action == StatsStep.TERM:
        await service.require_committee(ctx.uow, ctx.staff)
        await ctx.uow.end_read()
        await _open_input(ctx, "term", year)
        await show(callback, term_ask_view(ctx.texts, year))


def _year(ctx: Request, year: int) -> int:
    """The year asked for; the current one for 0 (and for a year outside the monitoring)."""
    current = ctx.moment().academic_year
    if year == 0:
        return current
    if not service.FIRST_YEAR <= year <= current:
        ctx.toast("stats-no-year")
        return current
    return year


async def _show_report(event: Event, ctx: Request, year: int, note: str | None = None) -> None:
    await close_input(ctx)
    moment = ctx.moment()
    report = await service.report(ctx.uow, ctx.staff, _year(ctx, year), moment)
    await show(event, stats_view(ctx.texts, report).noted(note))


async def _send_file(callback: CallbackQuery, ctx: Request, year: int, kind: StatsStep) -> None:
    full = kind == StatsStep.XLSX
    report = await service.report(ctx.uow, ctx.staff, year, ctx.moment(), full=full)
    texts, label = ctx.texts, stats_files.year_label(year)
    bot = callback.bot
    assert bot is not None
    # Drawing and writing take a noticeable moment: off the event loop, which serves others.
    if kind == StatsStep.CHART:
        png = await asyncio.to_thread(stats_files.chart_png, texts, report)
        await bot.send_photo(
            callback.from_user.id,
            BufferedInputFile(png, filename=f"monitoring-{year}.png"),
            caption=texts("stats-chart-caption", year=label),
        )
    else:
        data = await asyncio.to_thread(stats_files.report_xlsx, texts, report)
        made = texts.when(report.made_at, "dd.MM.yyyy HH:mm")
        await bot.send_document(
            callback.from_user.id,
            BufferedInputFile(data, filename=f"monitoring-{year}.xlsx"),
            caption=texts("stats-xlsx-caption", year=label, date=made),
        )
    ctx.toast("stats-file-toast")


# --- the committee's input: the roster and the term's figures -------------------------------


async def _open_input(ctx: Request, step: str, year: int) -> None:
    await ctx.dialog.update_data({KEY: {"step": step, "year": year}})


def input_closed(data: Mapping[str, Any]) -> dict[str, Any]:
    """The change of the dialog data (`waiting.settle`) that sends typed text to the other
    routers again (the cabinet closes an input left open)."""
    return {KEY: None} if data.get(KEY) is not None else {}


async def close_input(ctx: Request) -> None:
    await waiting.settle(ctx, input_closed)


async def _input(ctx: Request) -> dict[str, Any] | None:
    if ctx.state is None:
        return None
    found = (await ctx.state.get_data()).get(KEY)
    return dict(found) if isinstance(found, dict) else None


async def on_input(message: Message, bot: Bot, ctx: Request) -> None:
    """A file or typed lines while the committee's input is open; anything else goes on to
    the other routers."""
    state = await _input(ctx)
    if state is None:
        skip()
    year = int(state["year"])
    try:
        await service.require_committee(ctx.uow, ctx.staff)
        await ctx.uow.end_read()
        if state["step"] == "roster":
            await _take_roster(message, bot, ctx, year)
        else:
            await _take_term(message, ctx, year)
    except NotPermitted:
        await close_input(ctx)
        await refuse(message, ctx)


async def _take_roster(message: Message, bot: Bot, ctx: Request, year: int) -> None:
    texts = ctx.texts
    schools = roster_import.school_names(await service.schools(ctx.uow))
    document = message.document
    if document is not None:
        name = document.file_name or ""
        if not name.lower().endswith(ROSTER_EXTENSIONS):
            await show(message, roster_ask_view(texts, year).noted(texts("roster-problem-format")))
            return
        if (document.file_size or 0) > roster_import.MAX_BYTES:
            note = texts("roster-problem-too-big", rows=roster_import.MAX_ROWS)
            await show(message, roster_ask_view(texts, year).noted(note))
            return
        downloaded = await bot.download(document)
        assert downloaded is not None
        parsed = roster_import.parse_roster(downloaded.read(), name, schools)
    elif message.text:
        parsed = roster_import.parse_typed(message.text, schools)
    else:
        await show(message, roster_ask_view(texts, year).noted(texts("stats-roster-file-only")))
        return
    if parsed.cells:
        await service.set_roster(ctx.uow, ctx.staff, year, parsed.cells, ctx.now())
        if not parsed.errors:
            await close_input(ctx)
    await show(message, roster_saved_view(texts, year, parsed))


async def _take_term(message: Message, ctx: Request, year: int) -> None:
    texts = ctx.texts
    count = sum(service.is_counted_school(s) for s in await service.schools(ctx.uow))
    numbers = _numbers(message.text or "")
    if (
        numbers is None
        or len(numbers) != 4
        or numbers[0] not in service.TERMS
        or numbers[3] > count
    ):
        note = texts("stats-term-bad", schools=count)
        await show(message, term_ask_view(texts, year).noted(note))
        return
    term, agreements, teachers, pages = numbers
    record = TermRecord(year, term, agreements, teachers, pages, ctx.now())
    await service.set_term(ctx.uow, ctx.staff, record)
    await _show_report(message, ctx, year, note=texts("stats-term-saved", term=term))


def _numbers(text: str) -> list[int] | None:
    parts = [p.strip() for p in text.replace(",", ";").split(";")]
    if not all(p.isdigit() for p in parts):
        return None
    return [int(p) for p in parts]


# --- the destination survey --------------------------------------------------------------------


async def on_destination(
    callback: CallbackQuery, callback_data: DestinationAnswer, ctx: Request
) -> None:
    """A leaver's answer (or a step towards it: the colleges, a college's programmes). A
    survey that is closed, or not for this user, is said so; a stale button is outdated."""
    if (user := await require_consent(callback, ctx)) is None:
        return
    texts, moment, year = ctx.texts, ctx.moment(), callback_data.year
    if surveys.survey_year(moment) != year:
        await show(callback, View(texts("destination-closed"), [menu_row(texts)]))
        return
    try:
        if surveys.leaver_grade(user, year) is None:
            raise NotAllowed(year)
        view = await _destination_step(ctx, user.id, callback_data)
    except NotFound:
        await show_outdated(callback, ctx)
        return
    except NotAllowed:
        await show(callback, View(texts("destination-not-for-you"), [menu_row(texts)]))
        return
    await show(callback, view)


async def _destination_step(ctx: Request, user_id: int, data: DestinationAnswer) -> View:
    texts, year, step = ctx.texts, data.year, data.step
    if step == DestinationStep.ASK:
        return destination_view(texts, year)
    if step == DestinationStep.COLLEGE and data.college == 0:
        return colleges_view(texts, year, await surveys.colleges(ctx.uow))
    college = None
    if data.college:
        college = await ctx.uow.organisations.get(data.college)
        await ctx.uow.end_read()
        if college is None:
            raise NotFound(data.college)
    if step == DestinationStep.PROGRAMME:
        chosen = surveys.choice_of(ctx.catalogue, Destination.COLLEGE, college, 0)
        assert chosen.college is not None
        return programmes_view(texts, year, chosen.college, ctx.catalogue)
    choice = surveys.choice_of(ctx.catalogue, Destination(step.value), college, data.programme)
    await surveys.answer_destination(ctx.uow, user_id, year, choice, ctx.moment())
    said = texts("stats-destination", answer=choice.answer.value)
    if choice.college is not None:
        said += f" — {choice.college.short_name}"
    if choice.programme:
        said += f", {choice.programme}"
    return destination_thanks_view(texts, said)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_stats, Command("stats"))
    router.callback_query.register(on_stats, Stats.filter())
    router.callback_query.register(on_destination, DestinationAnswer.filter())
    router.message.register(on_input, ~F.text.startswith("/"))
    return router
