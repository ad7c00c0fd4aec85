"""The bot in MAX: an aiogram session that speaks the MAX Bot API (`session.py`, over
`api.py`) and a long-polling runner that turns MAX's updates into aiogram's (`polling.py`).
The dispatcher, handlers, services and texts are the same as in Telegram."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

from bot.config import Settings
from bot.max.api import MaxApi
from bot.max.session import STUB_TOKEN, MaxSession, now_utc
from bot.retry import RetryMiddleware
from db.uow import UnitOfWorkFactory


def create_max_bot(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    clock: Callable[[], datetime] = now_utc,
) -> Bot:
    """An aiogram Bot whose requests go to MAX (needs MAX_BOT_TOKEN)."""
    if settings.max_bot_token is None:
        raise ValueError("MAX_BOT_TOKEN is not set")
    api = MaxApi(
        settings.max_bot_token.get_secret_value(),
        settings.max_api_url,
        timeout=settings.telegram_timeout_seconds,
        ca_file=settings.max_ca_file,
    )
    session = MaxSession(api, uow_factory, clock)
    session.middleware(RetryMiddleware())
    return Bot(STUB_TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
