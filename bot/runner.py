"""Long polling with a clean shutdown, and the migrate command."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.config import Settings
from bot.demo import plain
from bot.factory import create_app, create_bot, create_dispatcher
from bot.polling import Poller
from bot.scheduler import create_scheduler
from db import migrate
from db.engine import create_engine
from services import event_import

log = logging.getLogger(__name__)


async def run_polling(settings: Settings) -> None:
    """Poll Telegram until SIGINT/SIGTERM; then finish the updates in hand and close cleanly.

    Updates that arrived while the bot was down are processed, not dropped. An update that
    aiogram cannot parse is logged, kept in data/rejected_updates.jsonl and skipped, so it
    does not hold up the others (see bot/polling.py).
    """
    app = await create_app(settings)
    bot = create_bot(settings)
    dispatcher = create_dispatcher(app)
    scheduler = create_scheduler(app.scheduled_jobs(bot), settings.scheduler_tick_seconds)
    try:
        # A webhook left from another deployment would make getUpdates fail; keep its queue.
        await bot.delete_webhook(drop_pending_updates=False)
        scheduler.start()
        await Poller(dispatcher, bot).run(handle_signals=True, close_bot_session=True)
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        await app.close()
        log.info("stopped")


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
