"""Long polling with a clean shutdown, and the migrate command."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.demo import plain
from bot.factory import create_app, create_bot, create_dispatcher
from bot.polling import Poller
from bot.scheduler import ScheduledJobs, create_scheduler
from db import migrate
from db.engine import create_engine
from services import event_import

log = logging.getLogger(__name__)


def settle_heap() -> None:
    """Once started: move everything alive (modules, aiogram's and pydantic's models, the
    texts, the catalogue — a few hundred thousand objects) out of the garbage collector's
    sight (`gc.freeze`). They live as long as the process, yet every full collection walked
    them all: a pause of 0.3–0.4 s on this machine, every few thousand messages sent."""
    gc.collect()
    gc.freeze()


async def run_polling(settings: Settings) -> None:
    """Poll Telegram until SIGINT/SIGTERM; then finish the updates in hand and close cleanly.

    Updates that arrived while the bot was down are processed, not dropped. An update that
    aiogram cannot parse is logged, kept in data/rejected_updates.jsonl and skipped, so it
    does not hold up the others (see bot/polling.py).
    """
    app = await create_app(settings)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(app)
    jobs = app.scheduled_jobs(bot)
    settle_heap()
    scheduler = create_scheduler(
        jobs, settings.scheduler_tick_seconds, settings.outbox_poll_seconds
    )
    try:
        # A webhook left from another deployment would make getUpdates fail; keep its queue.
        await bot.delete_webhook(drop_pending_updates=False)
        scheduler.start()
        await Poller(dispatcher, bot).run(handle_signals=True, close_bot_session=False)
    finally:
        await _stop(jobs, scheduler)
        await bot.session.close()
        await app.close()
        log.info("stopped")


async def run_worker(settings: Settings) -> None:
    """Only the scheduled jobs (reminders, the outbox), no polling: an extra process that
    shares the sending with the bot on one PostgreSQL database. Stops on SIGINT/SIGTERM after
    recording the messages in hand."""
    app = await create_app(settings)
    bot = create_bot(settings)
    jobs = app.scheduled_jobs(bot)
    settle_heap()
    scheduler = create_scheduler(
        jobs, settings.scheduler_tick_seconds, settings.outbox_poll_seconds
    )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        scheduler.start()
        log.info("worker started")
        await stopped.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await _stop(jobs, scheduler)
        await bot.session.close()
        await app.close()
        log.info("stopped")


async def _stop(jobs: ScheduledJobs, scheduler: AsyncIOScheduler) -> None:
    """Let the outbox record what it is sending, then stop the scheduler."""
    await jobs.stop()
    if scheduler.running:
        scheduler.shutdown(wait=False)


async def run_migrations(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def run_import(settings: Settings, path: Path) -> int:
    """Publish the events of a CSV file (seeding a year's plan from the server); print what was
    added and every wrong row with its line. Exit code 1 if any row was wrong."""
    app = await create_app(settings)
    try:
        async with app.uow_factory() as uow:
            organisations = {o.code: o.id for o in await uow.organisations.list_active()}
        data = await asyncio.to_thread(path.read_bytes)
        parsed = event_import.parse_events_csv(data, organisations, app.texts.tz, app.clock())
        async with app.uow_factory() as uow:
            report = await event_import.import_events(uow, parsed, None, app.clock())
    finally:
        await app.close()
    texts = app.texts
    counts = {"created": report.created, "known": report.known, "failed": len(report.errors)}
    print(plain(texts("import-report", **counts)))  # noqa: T201 - the command's output
    for error in report.errors:
        problems = " ".join(texts(p.key, **p.args) for p in error.problems)
        print(plain(texts("import-error", line=error.line, problems=problems)))  # noqa: T201
    return 1 if report.errors else 0
