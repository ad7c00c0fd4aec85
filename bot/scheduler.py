"""Periodic ticks (APScheduler). Each tick reads the database, records what it did, and is safe
to repeat: a restart or a second process sends nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from db.uow import UnitOfWorkFactory
from handlers.callbacks import QuizAction, QuizCmd
from handlers.ui import keyboard
from locales import Texts
from quizzes import Questionnaire
from services import reminders

log = logging.getLogger(__name__)

#: Local hours in which reminders are sent (from 09:00 to 20:59).
REMINDER_HOURS = (9, 21)


class Ticks:
    def __init__(
        self,
        bot: Bot,
        units: UnitOfWorkFactory,
        texts: Texts,
        quizzes: dict[str, Questionnaire],
        clock: Callable[[], datetime],
        reminder_after: timedelta | None,
        rate_per_second: float,
    ) -> None:
        self.bot = bot
        self.units = units
        self.texts = texts
        self.quizzes = quizzes
        self.clock = clock
        self.reminder_after = reminder_after
        self.pause = 1.0 / rate_per_second

    async def send_quiz_reminders(self) -> int:
        """Remind each user once about a questionnaire left unfinished; returns how many sent."""
        if self.reminder_after is None:
            return 0
        local_hour = self.clock().astimezone(self.texts.tz).hour
        if not REMINDER_HOURS[0] <= local_hour < REMINDER_HOURS[1]:
            return 0  # nobody is woken up: what is due now goes out in the morning
        sent = 0
        async with self.units() as uow:
            claimed = await reminders.claim(uow, self.reminder_after, self.clock())
            for attempt in claimed:
                quiz = self.quizzes.get(attempt.quiz_id)
                if quiz is None or quiz.version != attempt.quiz_version:
                    continue
                text = self.texts(
                    "reminder-quiz",
                    title=quiz.title,
                    done=sum(a is not None for a in attempt.answers),
                    total=quiz.length,
                )
                markup = keyboard(
                    [
                        (
                            self.texts("btn-quiz-continue-short"),
                            QuizCmd(action=QuizAction.INTRO, quiz=quiz.id),
                        )
                    ]
                )
                try:
                    await self.bot.send_message(attempt.user_id, text, reply_markup=markup)
                    sent += 1
                except TelegramForbiddenError:
                    await reminders.user_blocked_bot(uow, attempt.user_id, self.clock())
                except TelegramBadRequest as error:
                    log.warning("reminder to %s rejected: %s", attempt.user_id, error.message)
                except TelegramAPIError as error:
                    log.warning("reminder to %s failed, will retry: %s", attempt.user_id, error)
                    await reminders.release(uow, attempt.id)
                await asyncio.sleep(self.pause)
        return sent


def create_scheduler(ticks: Ticks, every_seconds: int) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        ticks.send_quiz_reminders,
        "interval",
        seconds=every_seconds,
        id="quiz_reminders",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
