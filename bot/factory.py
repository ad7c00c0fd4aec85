"""One factory for production, the demo chat, the benchmarks and the tests."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommandScopeDefault
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.metrics import Metrics
from bot.middlewares import (
    AnswerCallbacks,
    DatabaseMiddleware,
    DialogState,
    OncePerUpdate,
    PrivateChatsOnly,
    RequestMiddleware,
)
from bot.retry import RetryMiddleware
from bot.scheduler import ScheduledJobs
from bot.sender import OutboxSender
from bot.session import TelegramSession
from bot.storage import create_isolation, create_storage
from content import Catalogue, load_catalogue
from content.library import Content, Library
from content.professions import load_professions
from content.retraining import load_retraining
from db import migrate
from db.base import utcnow
from db.engine import create_engine, create_session_factory
from db.uow import UnitOfWorkFactory
from handlers import get_routers
from handlers.commands import commands_for
from locales import Texts
from quizzes import Questionnaire, load_all
from services import content_files
from services.outbox import RetryPolicy
from services.quiz import interest_quiz

log = logging.getLogger(__name__)

#: A syntactically valid token for runs that never reach Telegram (demo, tests, benchmarks).
OFFLINE_TOKEN = "1000000001:offline-demo-token-not-for-telegram"


@dataclass
class App:
    """Everything built once per process and shared by every update."""

    settings: Settings
    engine: AsyncEngine
    uow_factory: UnitOfWorkFactory
    texts: Texts
    quizzes: dict[str, Questionnaire]
    catalogue: Catalogue
    clock: Callable[[], datetime]
    #: The content in force (the catalogue above is the one the process started with).
    library: Library = field(init=False)
    initial_library: Library | None = None
    #: The process's Prometheus metrics (a registry per app: bot/metrics.py).
    metrics: Metrics = field(default_factory=Metrics)

    def __post_init__(self) -> None:
        self.library = self.initial_library or Library(
            Content(self.catalogue, load_professions(), load_retraining())
        )

    def outbox_sender(self, bot: Bot, bots: dict[str, Bot] | None = None) -> OutboxSender:
        """`bots`: the bot of each messenger when it runs in several (the outbox routes)."""
        settings = self.settings
        return OutboxSender(
            bot=bot,
            uow_factory=self.uow_factory,
            texts=self.texts,
            quizzes=self.quizzes,
            clock=self.clock,
            rate=settings.send_rate_per_second,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            policy=RetryPolicy(
                attempts=settings.outbox_attempts,
                first=timedelta(seconds=settings.outbox_retry_seconds),
            ),
            paid_broadcast=settings.allow_paid_broadcast,
            request_timeout=settings.telegram_timeout_seconds,
            bots=dict(bots or {}),
            observe=self.metrics.outbox_delivery,
        )

    def scheduled_jobs(self, bot: Bot, bots: dict[str, Bot] | None = None) -> ScheduledJobs:
        hours = self.settings.quiz_reminder_hours
        keep = self.settings.max_message_keep_days
        return ScheduledJobs(
            bot=bot,
            uow_factory=self.uow_factory,
            texts=self.texts,
            clock=self.clock,
            reminder_after=timedelta(hours=hours) if hours else None,
            event_reminder_hours=self.settings.event_reminder_hours,
            sender=self.outbox_sender(bot, bots),
            max_messages_kept=timedelta(days=keep) if keep else None,
            rejected_updates_kept=timedelta(days=self.settings.rejected_updates_keep_days),
        )

    async def close(self) -> None:
        # The writers still queued and a group commit left open (SQLite) first: the engine
        # disposed under them would lose what they wrote.
        await self.uow_factory.aclose()
        await self.engine.dispose()


async def create_app(
    settings: Settings, clock: Callable[[], datetime] = utcnow, texts: Texts | None = None
) -> App:
    """Open the database (migrating it to the latest schema) and load the data files.
    `texts` replaces the locale files of `settings.language` (a test of reworded texts)."""
    quizzes = load_all()
    interest_quiz(quizzes)  # the type pages and /quiz need it: fail at start-up, not on a tap
    catalogue = load_catalogue()
    texts = texts or Texts(settings.language, settings.tz)
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        uow_factory = UnitOfWorkFactory(
            create_session_factory(engine), serialize_writes=engine.dialect.name == "sqlite"
        )
        # The newest content files coordinators uploaded replace the shipped ones.
        library = content_files.initial(Content(catalogue, load_professions(), load_retraining()))
        async with uow_factory() as uow:
            await content_files.load(uow, library)
        catalogue = library.content.catalogue
        async with uow_factory() as uow, uow.write():
            await uow.organisations.sync(content_files.catalogue_entries(catalogue))
    except BaseException:
        await engine.dispose()
        raise
    return App(
        settings, engine, uow_factory, texts, quizzes, catalogue, clock, initial_library=library
    )


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = TelegramSession(
            api=TelegramAPIServer.from_base(settings.telegram_api_url),
            timeout=settings.telegram_timeout_seconds,
        )
    session.middleware(RetryMiddleware())
    token = settings.bot_token.get_secret_value() if settings.bot_token else OFFLINE_TOKEN
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def create_dispatcher(app: App) -> Dispatcher:
    storage = create_storage(app.settings, app.uow_factory, app.clock)
    isolation = create_isolation(storage)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        disable_fsm=True,  # replaced by DialogState, which reads the state only when asked
        texts=app.texts,
    )
    # First of the outer middlewares (inside aiogram's errors middleware): counts and times
    # every update, and the ones that fail.
    dispatcher.update.outer_middleware(app.metrics.middleware())
    dispatcher.update.outer_middleware(DialogState(dispatcher.fsm.storage, isolation))
    # Outer middlewares run before the filters: every update gets its unit of work (a session
    # that connects only when used), and updates from other chats are turned away.
    private_only = PrivateChatsOnly(app.texts)
    dispatcher.message.outer_middleware(private_only)
    dispatcher.callback_query.outer_middleware(private_only)
    dispatcher.update.outer_middleware(DatabaseMiddleware(app.uow_factory))
    # In webhook mode an update delivered twice (to this process or another) is handled once.
    # Long polling needs no claims: Telegram lets one process poll a bot at a time, and the
    # poller confirms an update only once it is handled; a claim would cost each update a
    # write of its own (on SQLite 1.5-3.5 ms, about as much as a questionnaire answer).
    if app.settings.webhook_url is not None:
        lease = timedelta(seconds=app.settings.update_lease_seconds)
        once = OncePerUpdate(app.uow_factory, app.clock, lease)
        dispatcher.update.outer_middleware(once)
        dispatcher.shutdown.register(once.close)
        dispatcher["update_claims"] = once  # tests and benchmarks flush its completions
    # Inner ones see the chosen handler's flags; AnswerCallbacks is the outermost of them, so
    # every callback query is answered, even when its handler fails.
    dispatcher.callback_query.middleware(AnswerCallbacks())
    request = RequestMiddleware(app.settings, app.texts, app.library, app.quizzes, app.clock)
    dispatcher.message.middleware(request)
    dispatcher.callback_query.middleware(request)
    dispatcher.include_routers(*get_routers())
    dispatcher.startup.register(_on_startup)
    return dispatcher


async def _on_startup(bot: Bot, texts: Texts) -> None:
    await bot.set_my_commands(commands_for(texts, registered=False), scope=BotCommandScopeDefault())
