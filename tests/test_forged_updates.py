"""Updates no honest client sends: callback data with numbers beyond what the database can
hold, and buttons pressed on messages outside the user's private chat with the bot."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from aiogram import methods

from bot.conversation import Conversation
from db.models import QuizAttempt
from tests.conftest import World, register

BIG = 2**63  # one past the largest 64-bit id
INT32 = 2**31  # one past the largest organisation id (a 32-bit column on PostgreSQL)

_ids = itertools.count(900_000)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(f"res:{BIG}", id="result"),
        pytest.param(f"res:{BIG * 10**5}", id="result-huge"),
        pytest.param(f"ans:klimov:{BIG}:0:a", id="answer-attempt"),
        pytest.param("ans:klimov:1:99999999999999999999:a", id="answer-question"),
        pytest.param(f"back:klimov:{BIG}:1", id="back-attempt"),
        pytest.param(f"restart:klimov:{BIG}", id="restart-attempt"),
        pytest.param(f"org:{INT32}", id="organisation"),
        pytest.param(f"grade:{BIG}", id="grade"),
        pytest.param("type:" + "x" * 60, id="long-code"),
        pytest.param("fb:1:0:9", id="feedback-out-of-range"),
    ],
)
async def test_numbers_out_of_range_get_the_outdated_answer(
    world: World, chat: Conversation, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await register(chat)
    sent = len(world.telegram.calls(methods.SendMessage))
    caplog.set_level(logging.WARNING)

    await chat.press(data)

    texts = world.app.texts
    assert chat.last_toast == texts("button-outdated")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(world.telegram.calls(methods.SendMessage)) == sent  # no «что-то пошло не так»
    assert chat.last.text.endswith(texts("menu", role="student", done="no"))
    async with world.app.uow_factory() as uow:
        assert await uow.session.get(QuizAttempt, 1) is None


def _group_callback(chat: Conversation, data: str, chat_type: str) -> dict[str, Any]:
    group = {"id": -100_123, "type": chat_type, "title": "9 «А» класс"}
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": chat.user_payload,
            "chat_instance": "group",
            "data": data,
            "message": {
                "message_id": 77,
                "date": 1_764_000_000,
                "chat": group,
                "from": {"id": 1, "is_bot": True, "first_name": "Профнавигатор"},
                "text": "Сообщение в группе",
            },
        },
    }


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "channel"])
@pytest.mark.parametrize("data", ["nav:menu", "consent:agree", "forget:1", "junk"])
async def test_a_button_on_a_message_outside_the_private_chat_changes_nothing(
    world: World, chat: Conversation, chat_type: str, data: str
) -> None:
    before = len(world.telegram.requests)

    await chat.feed(_group_callback(chat, data, chat_type))

    new = world.telegram.requests[before:]
    assert [type(r) for r in new] == [methods.AnswerCallbackQuery]
    assert chat.last_toast == world.app.texts("private-only")
    async with world.app.uow_factory() as uow:
        assert await uow.users.get(chat.user_id) is None  # consent:agree stored nothing


async def test_an_inline_message_button_changes_nothing(world: World, chat: Conversation) -> None:
    update = {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": chat.user_payload,
            "chat_instance": "inline",
            "inline_message_id": "AAAA",
            "data": "consent:agree",
        },
    }
    await chat.feed(update)

    assert [type(r) for r in world.telegram.requests] == [methods.AnswerCallbackQuery]
    async with world.app.uow_factory() as uow:
        assert await uow.users.get(chat.user_id) is None


async def test_messages_in_a_group_are_left_alone(world: World, chat: Conversation) -> None:
    for text in ("/start", "/forget", "привет"):
        update = {
            "update_id": next(_ids),
            "message": {
                "message_id": next(_ids),
                "date": 1_764_000_000,
                "chat": {"id": -100_123, "type": "supergroup", "title": "Родители 9 «А»"},
                "from": chat.user_payload,
                "text": text,
            },
        }
        await chat.feed(update)

    assert world.telegram.requests == []
