"""The command list (the «Меню» button beside the input field): public before consent, the
member's list after it, per chat."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from locales import Texts

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = ("start", "menu", "events", "help")
MEMBER_COMMANDS = (
    "menu",
    "quiz",
    "results",
    "events",
    "plans",
    "subscriptions",
    "profile",
    "mydata",
    "help",
)


def commands_for(texts: Texts, registered: bool) -> list[BotCommand]:
    names = MEMBER_COMMANDS if registered else PUBLIC_COMMANDS
    return [BotCommand(command=name, description=texts(f"cmd-{name}")) for name in names]


async def update_commands(bot: Bot, texts: Texts, chat_id: int, registered: bool) -> None:
    """The command list of one chat follows the user's registration. A failure here must not
    spoil the screen the user is waiting for, so it is only logged.
    """
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if registered:
            await bot.set_my_commands(commands_for(texts, registered=True), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramAPIError as error:
        log.warning("could not update the commands of chat %s: %s", chat_id, error)
