"""Periodic jobs (APScheduler). Each reads the database, records what it did, and is safe
to repeat: a second process sends nothing twice, and a restart loses nothing (a reminder claimed
by a process that stopped before sending it is sent once its claim lapses).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from db.records import AttemptRecord, OutboxRecord
from db.uow import UnitOfWork, UnitOfWorkFactory
from handlers.ui import View
from handlers.views import events as events_views
from handlers.views.quiz import reminder_view
from locales import Texts
from quizzes import Questionnaire
from services import outbox, reminders

log = logging.getLogger(__name__)

#: Local hours in which reminders are sent (from 09:00 to 20:59).
REMINDER_HOURS = (9, 21)


@dataclass
class ScheduledJobs:
    """The periodic jobs the scheduler runs; each is one method, safe to run again."""

    bot: Bot
    uow_factory: UnitOfWorkFactory
    texts: Texts
    quizzes: dict[str, Questionnaire]
    clock: Callable[[], datetime]
    #: Idle time after which an unfinished questionnaire is reminded of; None: never.
    reminder_after: timedelta | None
    #: Upper bound of the messages these jobs send per second.
    rate_per_second: float
    #: Hours before an event at which everyone confirmed is reminded.
    event_reminder_hours: tuple[int, ...] = (24, 2)

    @property
    def pause(self) -> float:
        return 1.0 / self.rate_per_second

    async def send_quiz_reminders(self) -> int:
        """Remind each user once about a questionnaire left unfinished; returns how many sent.

        Claims a batch at a time until none is due, so a long queue never holds a claim for
        long. When Telegram fails for a passing reason (a long flood wait, a server error that
        outlasted the retries), the rest of the batch is released at once for the next tick.
        """
        if self.reminder_after is None:
            return 0
        sent = 0
        async with self.uow_factory() as uow:
            while self._daytime():
                claimed = await reminders.claim(
                    uow, self.reminder_after, self.texts("consent-version"), self.clock()
                )
                for index, attempt in enumerate(claimed):
                    outcome = await self._remind(uow, attempt)
                    if outcome is _Outcome.RETRY:
                        await reminders.release(uow, [a.id for a in claimed[index:]])
                        return sent
                    if outcome is _Outcome.SENT:
                        sent += 1
                    await asyncio.sleep(self.pause)
                if len(claimed) < reminders.BATCH:
                    break
        return sent

    def _daytime(self) -> bool:
        """Nobody is woken up: what falls due at night goes out in the morning."""
        local_hour = self.clock().astimezone(self.texts.tz).hour
        return REMINDER_HOURS[0] <= local_hour < REMINDER_HOURS[1]

    async def _remind(self, uow: UnitOfWork, attempt: AttemptRecord) -> _Outcome:
        quiz = self.quizzes.get(attempt.quiz_id)
        if quiz is None or quiz.version != attempt.quiz_version:
            await reminders.done(uow, attempt.id, self.clock())  # its buttons are out of date
            return _Outcome.DROPPED
        view = reminder_view(self.texts, quiz, attempt)
        try:
            await self.bot.send_message(attempt.user_id, view.text, reply_markup=view.markup())
        except TelegramForbiddenError:
            await reminders.user_blocked_bot(uow, attempt.id, attempt.user_id, self.clock())
            return _Outcome.DROPPED
        except TelegramBadRequest as error:
            log.warning("reminder to %s rejected: %s", attempt.user_id, error.message)
            await reminders.done(uow, attempt.id, self.clock())
            return _Outcome.DROPPED
        except TelegramAPIError as error:
            log.warning("reminder to %s failed, will retry: %s", attempt.user_id, error)
            return _Outcome.RETRY
        await reminders.done(uow, attempt.id, self.clock())
        return _Outcome.SENT

    async def send_outbox(self) -> int:
        """Queue the event reminders that are due, then send what the outbox holds, a claimed
        batch at a time; returns how many were sent. A passing failure puts the rest of the
        batch back for a minute later."""
        sent = 0
        async with self.uow_factory() as uow:
            await outbox.queue_event_reminders(uow, self.event_reminder_hours, self.clock())
            while claimed := await outbox.claim(uow, self.clock()):
                for index, message in enumerate(claimed):
                    outcome = await self._deliver(uow, message)
                    if outcome is _Outcome.RETRY:
                        await outbox.later(uow, [m.id for m in claimed[index:]], self.clock())
                        return sent
                    sent += outcome is _Outcome.SENT
                    await asyncio.sleep(self.pause)
                if len(claimed) < outbox.BATCH:
                    break
        return sent

    async def _deliver(self, uow: UnitOfWork, message: OutboxRecord) -> _Outcome:
        view = await self._outbox_view(uow, message)
        if view is None:  # the event is gone, has begun, or the message no longer applies
            await outbox.done(uow, message.id, "dropped", self.clock())
            return _Outcome.DROPPED
        try:
            await self.bot.send_message(message.user_id, view.text, reply_markup=view.markup())
        except TelegramForbiddenError:
            await outbox.blocked(uow, message, self.clock())
            return _Outcome.DROPPED
        except TelegramBadRequest as error:
            log.warning("message %s to %s rejected: %s", message.key, message.user_id, error)
            await outbox.done(uow, message.id, "failed", self.clock())
            return _Outcome.DROPPED
        except TelegramAPIError as error:
            log.warning(
                "message %s to %s failed, will retry: %s", message.key, message.user_id, error
            )
            return _Outcome.RETRY
        await outbox.done(uow, message.id, "sent", self.clock())
        return _Outcome.SENT

    async def _outbox_view(self, uow: UnitOfWork, message: OutboxRecord) -> View | None:
        found = await outbox.event_of(uow, message)
        if found is None:
            return None
        event, organiser = found
        return events_views.outbox_view(self.texts, message, event, organiser, self.clock())


class _Outcome(Enum):
    SENT = "sent"
    DROPPED = "dropped"
    RETRY = "retry"


def create_scheduler(jobs: ScheduledJobs, every_seconds: int) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        jobs.send_outbox,
        "interval",
        seconds=every_seconds,
        id="outbox",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        jobs.send_quiz_reminders,
        "interval",
        seconds=every_seconds,
        id="quiz_reminders",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
