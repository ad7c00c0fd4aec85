"""Long polling with a clean shutdown, and the migrate command."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.factory import create_app, create_bot, create_dispatcher
from bot.polling import Poller
from bot.scheduler import create_scheduler
from db import migrate
from db.engine import create_engine

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
