"""Periodic jobs (APScheduler): queue the reminders that have fallen due, and drain the
outbox (bot/sender.py). Each is safe to repeat and to run in several processes at once: what is
queued is queued once (unique keys), and what is sent is claimed first.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.sender import OutboxSender
from db.calendar import Moment
from db.uow import UnitOfWorkFactory
from locales import Texts
from services import family, outbox, reminders, surveys

log = logging.getLogger(__name__)

#: Local hours in which reminders are sent (from 09:00 to 20:59).
REMINDER_HOURS = (9, 21)
#: How long the claims of handled updates are kept (Telegram redelivers for a day at most).
UPDATE_CLAIMS_KEPT = timedelta(days=2)
#: How often they are pruned (and MAX's message ids, and the rejected updates).
PRUNE_EVERY_SECONDS = 3600
#: Rows of `max_messages` deleted per transaction, so that pruning a big table never holds the
#: write lock (SQLite) or many row locks (PostgreSQL) for long.
MAX_MESSAGES_BATCH = 1000
#: Rejected updates deleted per transaction (a backlog goes in several, each short).
PRUNE_BATCH = 500


@dataclass
class ScheduledJobs:
    """The periodic jobs the scheduler runs; each is one method, safe to run again."""

    bot: Bot
    uow_factory: UnitOfWorkFactory
    texts: Texts
    clock: Callable[[], datetime]
    #: Idle time after which an unfinished questionnaire is reminded of; None: never.
    reminder_after: timedelta | None
    #: Hours before an event at which everyone confirmed is reminded.
    event_reminder_hours: tuple[int, ...] = (24, 2)
    #: Sends what the outbox holds.
    sender: OutboxSender | None = None
    #: How long MAX's message ids are kept (`MAX_MESSAGE_KEEP_DAYS`); None: for ever.
    max_messages_kept: timedelta | None = None
    #: How long an update the bot could not read is kept (REJECTED_UPDATES_KEEP_DAYS).
    rejected_updates_kept: timedelta = timedelta(days=30)

    async def queue_quiz_reminders(self) -> int:
        """Queue the reminders about questionnaires left unfinished (in the daytime only:
        nobody is woken up; what falls due at night goes out in the morning)."""
        if self.reminder_after is None or not self._daytime():
            return 0
        async with self.uow_factory() as uow:
            return await reminders.queue(
                uow, self.reminder_after, self.texts("consent-version"), self.clock()
            )

    async def send_quiz_reminders(self) -> int:
        """Queue the questionnaire reminders that are due and send what the outbox holds."""
        await self.queue_quiz_reminders()
        return await self.drain_outbox()

    def _daytime(self) -> bool:
        local_hour = self.clock().astimezone(self.texts.tz).hour
        return REMINDER_HOURS[0] <= local_hour < REMINDER_HOURS[1]

    async def queue_event_reminders(self) -> int:
        """Queue the event reminders that have fallen due (the outbox job sends them)."""
        async with self.uow_factory() as uow:
            return await outbox.queue_event_reminders(uow, self.event_reminder_hours, self.clock())

    async def queue_destination_surveys(self) -> int:
        """From June to September, in the daytime: queue the destination survey for the
        school leavers who have not had it this year (services/surveys.py)."""
        if not self._daytime():
            return 0
        moment = Moment(self.clock(), self.texts.tz)
        async with self.uow_factory() as uow:
            return await surveys.queue_destination_surveys(
                uow, moment, self.texts("consent-version")
            )

    async def expire_family_links(self) -> int:
        """Delete the links for parents that expired a while ago (see services.family)."""
        async with self.uow_factory() as uow:
            return await family.expire_links(uow, self.clock())

    async def prune_update_claims(self) -> int:
        """Forget the updates handled more than `UPDATE_CLAIMS_KEPT` ago (bot/middlewares.py
        `OncePerUpdate`); Telegram no longer delivers those again."""
        async with self.uow_factory() as uow, uow.write():
            return await uow.updates.prune(self.clock() - UPDATE_CLAIMS_KEPT)

    async def prune_max_messages(self) -> int:
        """Forget the MAX message ids remembered more than `max_messages_kept` ago, a batch per
        transaction (bot/max/session.py keeps them so that a screen is edited in place). A
        screen older than that still works: a tap on it brings its MAX id again, which is
        remembered anew; a message the bot would edit by its old id alone is sent anew
        (handlers.ui.show)."""
        if self.max_messages_kept is None:
            return 0
        before, pruned, more = self.clock() - self.max_messages_kept, 0, True
        while more:
            async with self.uow_factory() as uow, uow.write():
                deleted, more = await uow.max_messages.prune(before, MAX_MESSAGES_BATCH)
            pruned += deleted
        if pruned:
            log.info("forgot %s MAX message ids older than %s", pruned, before)
        return pruned

    async def prune_rejected_updates(self) -> int:
        """Delete the updates the bot could not read (bot/rejected.py) kept longer than
        `rejected_updates_kept`, `PRUNE_BATCH` rows per transaction; how many."""
        before = self.clock() - self.rejected_updates_kept
        deleted = 0
        while True:
            async with self.uow_factory() as uow, uow.write():
                batch = await uow.rejected_updates.prune(before, PRUNE_BATCH)
            deleted += batch
            if batch < PRUNE_BATCH:
                break
        if deleted:
            log.info("deleted %d rejected update(s) kept since before %s", deleted, before)
        return deleted

    async def drain_outbox(self) -> int:
        """Send what the outbox holds (see bot/sender.py); returns how many were sent."""
        if self.sender is None:
            return 0
        return await self.sender.drain()

    async def stop(self, within: float = 15.0) -> None:
        """Before the scheduler shuts down: let the outbox record the round it is sending."""
        if self.sender is not None:
            await self.sender.finish(within)

    async def send_outbox(self) -> int:
        """Queue what has fallen due and send everything the outbox holds."""
        await self.queue_event_reminders()
        return await self.drain_outbox()


def create_scheduler(
    jobs: ScheduledJobs, every_seconds: int, outbox_every_seconds: float = 2
) -> AsyncIOScheduler:
    """Every job on an interval; a run that is late is run once (`coalesce`), never two at a
    time (`max_instances`)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    intervals: list[tuple[str, Callable[[], Awaitable[Any]], float]] = [
        ("event_reminders", jobs.queue_event_reminders, every_seconds),
        ("outbox", jobs.drain_outbox, outbox_every_seconds),
        ("family_links", jobs.expire_family_links, every_seconds),
        ("quiz_reminders", jobs.queue_quiz_reminders, every_seconds),
        ("update_claims", jobs.prune_update_claims, PRUNE_EVERY_SECONDS),
        ("max_messages", jobs.prune_max_messages, PRUNE_EVERY_SECONDS),
        ("rejected_updates", jobs.prune_rejected_updates, PRUNE_EVERY_SECONDS),
        ("destination_surveys", jobs.queue_destination_surveys, every_seconds),
    ]
    for job_id, job, seconds in intervals:
        scheduler.add_job(
            job, "interval", seconds=seconds, id=job_id, max_instances=1, coalesce=True
        )
    return scheduler
