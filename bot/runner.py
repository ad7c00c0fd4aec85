"""The runners: long polling, webhook mode, the worker (each with a clean shutdown), and the
migrate and import commands."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.demo import plain
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.max import create_max_bot
from bot.max.polling import MaxPoller
from bot.polling import Poller
from bot.rejected import RejectedUpdates
from bot.rejected_files import adopt_old_files
from bot.scheduler import ScheduledJobs, create_scheduler
from bot.webhook import WebhookServer, start_metrics_server
from db import migrate
from db.channels import MAX, TELEGRAM
from db.engine import create_engine
from services import event_import

log = logging.getLogger(__name__)


def settle_heap() -> None:
    """Once started: move everything alive (modules, aiogram's and pydantic's models, the
    texts, the catalogue — a few hundred thousand objects) out of the garbage collector's
    sight (`gc.freeze`). They live as long as the process, yet every full collection walked
    them all: a pause of 0.3–0.4 s on this machine, every few thousand messages sent. The
    youngest generation is collected every 5 000 allocations instead of 700: each update or
    message allocates a few hundred short-lived objects, nearly all freed by reference counting,
    and the collector walked the survivors over and over (3–4 % of the outbox's time). Not
    more rarely: cyclic garbage then piles up between collections (at 20 000 the outbox's
    peak memory doubled from 1 000 to 10 000 recipients)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(5_000, 10, 10)


async def _start_app(settings: Settings) -> App:
    """The application of a running bot: `create_app`, and the rejected updates an earlier
    version left in files of `data/` moved into the database (bot/rejected_files.py)."""
    app = await create_app(settings)
    await adopt_old_files(app.uow_factory, app.clock())
    return app


async def run_polling(settings: Settings) -> None:
    """Poll Telegram (BOT_TOKEN), MAX (MAX_BOT_TOKEN) or both, with one dispatcher, until
    SIGINT/SIGTERM; then finish the updates in hand and close cleanly.

    Updates that arrived while the bot was down are processed, not dropped. An update that
    aiogram cannot parse is logged, kept in the table rejected_updates and skipped, so it
    does not hold up the others (see bot/polling.py; MAX's in bot/max/polling.py).
    """
    app = await _start_app(settings)
    dispatcher = create_dispatcher(app)
    bots = _bots(settings, app)
    if len(bots) > 1:
        dispatcher["channel_bots"] = bots  # links and QR codes for each messenger
    primary = bots.get(TELEGRAM) or bots[MAX]
    jobs = app.scheduled_jobs(primary, bots if MAX in bots else None)
    settle_heap()
    scheduler = create_scheduler(
        jobs, settings.scheduler_tick_seconds, settings.outbox_poll_seconds
    )
    app.metrics.watch_scheduler(scheduler)
    metrics_server: web.AppRunner | None = None
    try:
        if settings.metrics_port is not None:
            metrics_server = await start_metrics_server(app, "polling")
        pollers: list[Poller | MaxPoller] = []
        if TELEGRAM in bots:
            # A webhook left from another deployment would make getUpdates fail; keep its queue.
            await bots[TELEGRAM].delete_webhook(drop_pending_updates=False)
            poller = Poller(
                dispatcher,
                bots[TELEGRAM],
                rejected=RejectedUpdates(app.uow_factory, app.clock),
                on_rejected=app.metrics.rejected_updates.inc,
                on_lost=app.metrics.rejected_updates_lost.inc,
            )
            pollers.append(poller)
        if MAX in bots:
            max_poller = _max_poller(app, dispatcher, bots[MAX])
            await max_poller.check_token()
            pollers.append(max_poller)
        scheduler.start()
        if len(pollers) == 1:
            await pollers[0].run(handle_signals=True)
        else:
            await _run_together(pollers)
    finally:
        await _close(app, bots, jobs, scheduler, metrics_server)


async def run_webhook(settings: Settings) -> None:
    """Webhook mode (WEBHOOK_URL): serve Telegram's updates over HTTP (bot/webhook.py), with
    the scheduler as in polling, until SIGINT/SIGTERM; then stop accepting requests, finish
    the ones in hand, stop the scheduler and close. With MAX_BOT_TOKEN as well, MAX is
    long-polled alongside (MAX webhooks are not built)."""
    app = await _start_app(settings)
    dispatcher = create_dispatcher(app)
    bots = _bots(settings, app)
    if len(bots) > 1:
        dispatcher["channel_bots"] = bots
    jobs = app.scheduled_jobs(bots[TELEGRAM], bots if MAX in bots else None)
    settle_heap()
    scheduler = create_scheduler(
        jobs, settings.scheduler_tick_seconds, settings.outbox_poll_seconds
    )
    app.metrics.watch_scheduler(scheduler)
    server = WebhookServer(app, dispatcher, bots[TELEGRAM])
    metrics_server: web.AppRunner | None = None
    max_poller: MaxPoller | None = None
    max_task: asyncio.Task[None] | None = None
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: signal.Signals) -> None:
        log.warning("%s received: finishing the updates in hand and stopping", signum.name)
        stopped.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        await server.start()
        if settings.metrics_port is not None:
            metrics_server = await start_metrics_server(app, "webhook")
        if MAX in bots:
            max_poller = _max_poller(app, dispatcher, bots[MAX])
            await max_poller.check_token()
            max_task = asyncio.create_task(max_poller.run())
            max_task.add_done_callback(lambda _task: stopped.set())
        scheduler.start()
        await stopped.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        if max_poller is not None and max_task is not None:
            max_poller.stop()
            await asyncio.gather(max_task, return_exceptions=True)
        await server.stop()
        await _close(app, bots, jobs, scheduler, metrics_server)


def _max_poller(app: App, dispatcher: Dispatcher, bot: Bot) -> MaxPoller:
    return MaxPoller(
        dispatcher,
        bot,
        on_rejected=app.metrics.rejected_updates.inc,
        on_lost=app.metrics.rejected_updates_lost.inc,
    )


def _bots(settings: Settings, app: App) -> dict[str, Bot]:
    """The bot of each messenger that has a token."""
    bots: dict[str, Bot] = {}
    if settings.bot_token is not None:
        bots[TELEGRAM] = create_bot(settings)
    if settings.max_bot_token is not None:
        bots[MAX] = create_max_bot(settings, app.uow_factory, app.clock)
    return bots


async def _run_together(pollers: list[Poller | MaxPoller]) -> None:
    """Both messengers in one process: a signal stops both; one ending stops the other."""
    loop = asyncio.get_running_loop()

    def stop_all() -> None:
        log.warning("stop requested: finishing the updates in hand and stopping")
        for poller in pollers:
            poller.stop()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_all)
    tasks = [asyncio.create_task(poller.run()) for poller in pollers]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop_all()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            error = task.exception()
            if error is not None:
                raise error
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def run_worker(settings: Settings) -> None:
    """Only the scheduled jobs (reminders, the outbox), no polling: an extra process that
    shares the sending with the bot on one PostgreSQL database. Stops on SIGINT/SIGTERM after
    recording the messages in hand."""
    app = await _start_app(settings)
    bots = _bots(settings, app)
    jobs = app.scheduled_jobs(bots.get(TELEGRAM) or bots[MAX], bots if MAX in bots else None)
    settle_heap()
    scheduler = create_scheduler(
        jobs, settings.scheduler_tick_seconds, settings.outbox_poll_seconds
    )
    app.metrics.watch_scheduler(scheduler)
    metrics_server: web.AppRunner | None = None
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        if settings.metrics_port is not None:
            metrics_server = await start_metrics_server(app, "worker")
        scheduler.start()
        log.info("worker started")
        await stopped.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await _close(app, bots, jobs, scheduler, metrics_server)


async def _stop(jobs: ScheduledJobs, scheduler: AsyncIOScheduler) -> None:
    """Let the outbox record what it is sending, then stop the scheduler."""
    await jobs.stop()
    if scheduler.running:
        scheduler.shutdown(wait=False)


async def _close(
    app: App,
    bots: dict[str, Bot],
    jobs: ScheduledJobs,
    scheduler: AsyncIOScheduler,
    metrics_server: web.AppRunner | None,
) -> None:
    """The end of every mode: the metrics server, the scheduled work, the bots' sessions,
    the database."""
    if metrics_server is not None:
        await metrics_server.cleanup()
    await _stop(jobs, scheduler)
    for each in bots.values():
        await each.session.close()
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
        line = texts("import-error", line=error.line, problems=problems) if error.line else problems
        print(plain(line))  # noqa: T201
    return 1 if report.errors else 0
