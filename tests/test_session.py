"""The bot's HTTP session (bot/session.py): requests without files go to the Bot API as JSON,
with the bot's defaults filled in; uploads and dates go as aiogram's forms."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiogram import Bot, methods
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.factory import create_bot
from bot.session import TelegramSession
from tests.conftest import settings_for_tests


def bot_and_session() -> tuple[Bot, TelegramSession]:
    bot = create_bot(settings_for_tests("sqlite+aiosqlite://"))
    assert isinstance(bot.session, TelegramSession)
    return bot, bot.session


def test_a_message_with_buttons_goes_as_json_with_the_bots_parse_mode() -> None:
    bot, session = bot_and_session()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Записаться", callback_data="e:1")]]
    )
    method = methods.SendMessage(chat_id=5, text="<b>День открытых дверей</b>", reply_markup=markup)
    body = session.json_body(bot, method)
    assert body is not None
    assert json.loads(body) == {
        "chat_id": 5,
        "text": "<b>День открытых дверей</b>",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Записаться", "callback_data": "e:1"}]]},
    }


def test_an_upload_or_a_date_goes_as_a_form() -> None:
    bot, session = bot_and_session()
    upload = methods.SendDocument(chat_id=5, document=BufferedInputFile(b"a;b", "list.csv"))
    assert session.json_body(bot, upload) is None
    dated = methods.BanChatMember(chat_id=5, user_id=6, until_date=datetime(2027, 1, 1, tzinfo=UTC))
    assert session.json_body(bot, dated) is None
    by_file_id = methods.SendPhoto(chat_id=5, photo="AgACAgIAAxkBAAI")
    assert json.loads(session.json_body(bot, by_file_id) or "{}")["photo"] == "AgACAgIAAxkBAAI"
