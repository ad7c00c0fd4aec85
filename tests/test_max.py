"""The bot in MAX: the real app and dispatcher, the MAX session and poller (bot/max/) against a
fake MAX Bot API over HTTP (tests/fake_max_api.py). The journeys are the Telegram ones:
onboarding, the questionnaire to its result (and across a restart, edited in place), signing up
for an event, a coordinator's action; then bad input, MAX's errors, and the outbox through each
user's own messenger."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.utils.backoff import BackoffConfig
from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from bot.max import create_max_bot
from bot.max.polling import MaxPoller, MaxStartError
from db.models import MaxMessage, OutboxMessage, Step, User
from handlers.callbacks import EventAction, EventStep, Manage, ManageStep
from tests.conftest import (
    KLIMOV_TITLE,
    MENU_HEAD,
    TEXTS,
    FakeClock,
    consent_text,
    question_head,
    rejected_rows,
    reminder_text,
    result_head,
    settings_for_tests,
)
from tests.conftest import (
    register as register_telegram,
)
from tests.fake_max_api import BOT_USERNAME, TOKEN, FakeMax, MaxChat, serving
from tests.test_event_import import GOOD
from tests.test_events import make_event

ALL_TECHNIC = "БАААААБАААБАААААБААА"
START = TEXTS("btn-quiz-start", title=KLIMOV_TITLE)
MAX_USER = 4_200_001


@dataclass
class MaxWorld:
    fake: FakeMax
    settings: Settings
    app: App
    dispatcher: Dispatcher
    bot: Bot
    poller: MaxPoller
    clock: FakeClock

    def user(self, max_id: int = MAX_USER, name: str = "Маша") -> MaxChat:
        return MaxChat(self.fake, self.poller, max_id, name)

    async def restart(self) -> None:
        """A new process on the same database: nothing kept in memory survives."""
        await self.bot.session.close()
        await self.app.close()
        self.app = await create_app(self.settings, clock=self.clock)
        self.dispatcher = create_dispatcher(self.app)
        self.bot = create_max_bot(self.settings, self.app.uow_factory, self.clock)
        self.poller = MaxPoller(self.dispatcher, self.bot)


@pytest.fixture
async def fake() -> AsyncIterator[FakeMax]:
    server = FakeMax()
    async with serving(server):
        yield server


@pytest.fixture
async def max_world(fake: FakeMax, database_url: str, clock: FakeClock) -> AsyncIterator[MaxWorld]:
    settings = settings_for_tests(
        database_url, max_bot_token=TOKEN, max_api_url=fake.base, admin_ids=frozenset({-9})
    )
    app = await create_app(settings, clock=clock)
    dispatcher = create_dispatcher(app)
    bot = create_max_bot(settings, app.uow_factory, clock)
    poller = MaxPoller(dispatcher, bot)
    world = MaxWorld(fake, settings, app, dispatcher, bot, poller, clock)
    yield world
    await world.bot.session.close()
    await world.app.close()


async def register(chat: MaxChat, role: str = TEXTS("role-student"), grade: bool = True) -> None:
    await chat.start()
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-agree"))
    await chat.click(role)
    await chat.click("Школа № 1")
    if grade:
        await chat.click(TEXTS("btn-grade", grade=9))


async def stored(world: MaxWorld, user_id: int) -> User | None:
    async with world.app.uow_factory() as uow:
        return await uow.session.get(User, user_id)


# --- journeys ----------------------------------------------------------------------------------


async def test_onboarding_in_max_stores_a_max_user_apart_from_telegram(
    max_world: MaxWorld,
) -> None:
    chat = max_world.user()
    await chat.start()
    welcome = chat.last
    await chat.click(TEXTS("btn-welcome-next"))
    assert chat.last.mid == welcome.mid  # edited in place
    assert consent_text() in chat.last.text
    await chat.click(TEXTS("btn-agree"))
    await chat.click(TEXTS("role-student"))
    await chat.click("Школа № 1")
    await chat.click(TEXTS("btn-grade", grade=9))
    assert MENU_HEAD in chat.last.text
    assert len(chat.messages) == 1  # the whole onboarding in one message

    user = await stored(max_world, chat.user_id)
    assert user is not None
    assert user.id == -MAX_USER
    assert user.channel == "max"
    assert user.role == "student"
    assert user.grade == 9
    # What MAX was sent is what MAX documents: HTML text and callback buttons.
    sends = max_world.fake.calls("POST", "messages")
    assert sends[0][2] == {"user_id": str(MAX_USER)}
    assert sends[0][3]["format"] == "html"
    # The public command list was set once, at start-up: not per chat (MAX has no such lists).
    assert max_world.fake.calls("PATCH", "me") == []  # the poller's start-up was not run here


async def test_the_questionnaire_in_max_to_its_result_in_one_message(
    max_world: MaxWorld,
) -> None:
    chat = max_world.user()
    await register(chat)
    await chat.click(START)
    await chat.click(TEXTS("btn-quiz-begin"))
    screen = chat.last
    assert question_head(1) in screen.text
    for letter in ALL_TECHNIC:
        await chat.click(letter)
    assert chat.last.mid == screen.mid
    assert result_head(max_world.clock()) in chat.last.text
    async with max_world.app.uow_factory() as uow:
        [step] = (await uow.session.scalars(select(Step))).all()
    assert step.kind == "quiz_finished"
    assert step.channel == "max"
    assert step.user_id == chat.user_id


async def test_a_restart_midway_resumes_at_the_same_question_edited_in_place(
    max_world: MaxWorld,
) -> None:
    chat = max_world.user()
    await register(chat)
    await chat.click(START)
    await chat.click(TEXTS("btn-quiz-begin"))
    for letter in ALL_TECHNIC[:6]:
        await chat.click(letter)
    screen = chat.last
    assert question_head(7) in screen.text
    edits = screen.edits

    await max_world.restart()
    chat = max_world.user()
    await chat.click(ALL_TECHNIC[6], on=screen)
    assert chat.last.mid == screen.mid  # the same message, after the restart
    assert screen.edits == edits + 1
    assert question_head(8) in screen.text
    async with max_world.app.uow_factory() as uow:
        ids = (await uow.session.scalars(select(MaxMessage.mid))).all()
    assert screen.mid in ids


async def test_signing_up_for_an_event_in_max(max_world: MaxWorld) -> None:
    event = await make_event(max_world)  # type: ignore[arg-type]  # the fields it uses
    chat = max_world.user()
    await register(chat)
    await chat.click(TEXTS("btn-events"))
    await chat.click(event.title)
    await chat.click(TEXTS("btn-event-sign-up"))
    assert chat.last_toast == TEXTS("event-sign-up-toast", outcome="confirmed")
    assert TEXTS("event-seats", left=19, total=20) in chat.last.text
    async with max_world.app.uow_factory() as uow:
        registration = await uow.registrations.get(event.id, chat.user_id)
    assert registration is not None
    assert registration.status == "confirmed"


async def test_a_consultation_in_max_takes_the_phone_from_maxs_contact_button(
    max_world: MaxWorld,
) -> None:
    chat = max_world.user()
    await chat.start()
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-agree"))
    await chat.click(TEXTS("role-adult"))
    await chat.send("/retraining")
    await chat.click(TEXTS("btn-consult"))
    await chat.click("Центр занятости")
    await chat.send("Хочу переучиться на сварщика")
    await chat.click(TEXTS("consult-time", time="evening"))
    await chat.click(TEXTS("btn-consult-by-phone"))
    buttons = [b for row in chat.last.keyboard for b in row]
    assert [b["type"] for b in buttons] == ["request_contact"]
    await chat.send_contact("79990000000", of=4_200_777)  # someone else's card
    assert chat.last.text == TEXTS("consult-phone-not-yours")
    await chat.send_contact("79141234567")
    assert "+79141234567" in chat.last.text
    await chat.click(TEXTS("btn-consult-send"))
    assert TEXTS("consult-sent", organisation="Центр занятости") in chat.last.text
    async with max_world.app.uow_factory() as uow:
        [request] = await uow.consultations.of_user(chat.user_id)
    assert request.phone == "+79141234567"


async def test_a_coordinator_in_max_gets_the_event_link_and_qr_for_max(
    max_world: MaxWorld,
) -> None:
    event = await make_event(max_world)  # type: ignore[arg-type]  # the fields it uses
    boss = max_world.user(9, "Админ")  # ADMIN_IDS=-9: a MAX administrator
    await register(boss, role=TEXTS("role-teacher"), grade=False)
    await boss.press(Manage(id=event.id, action=ManageStep.LINK).pack())
    [upload] = max_world.fake.uploads.values()
    assert upload.startswith(b"\x89PNG")
    photo = boss.last
    assert f"https://max.ru/{BOT_USERNAME}?start={event.code}" in photo.text
    assert photo.attachments[0]["type"] == "image"

    # The refusal: a user who is no coordinator gets nothing.
    chat = max_world.user()
    await register(chat)
    await chat.press(Manage(id=event.id, action=ManageStep.LINK).pack())
    assert len(max_world.fake.uploads) == 1

    # The list of who signed up says which messenger each is in.
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    await boss.press(Manage(id=event.id, action=ManageStep.CSV).pack())
    listed = list(max_world.fake.uploads.values())[-1].decode("utf-8-sig")
    assert TEXTS("attendee-channel-column") in listed
    assert "Маша" in listed
    assert ";MAX" in listed
    assert boss.last.attachments[0]["type"] == "file"


async def test_a_screen_max_will_not_edit_any_more_is_sent_anew(max_world: MaxWorld) -> None:
    chat = max_world.user()
    await register(chat)
    menu = chat.last
    del max_world.fake.messages[menu.mid]  # deleted by the user, or too old for MAX to edit
    await chat.click(START, on=menu)
    assert chat.last.mid != menu.mid
    assert TEXTS("btn-quiz-begin") in [label for label, _ in chat.last.buttons]


async def test_a_max_deep_link_lands_on_the_event_after_onboarding(max_world: MaxWorld) -> None:
    event = await make_event(max_world)  # type: ignore[arg-type]  # the fields it uses
    chat = max_world.user()
    await chat.start(event.code)
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-agree"))
    await chat.click(TEXTS("role-student"))
    await chat.click("Школа № 1")
    await chat.click(TEXTS("btn-grade", grade=9))
    assert event.title in chat.last.text
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    assert TEXTS("event-seats", left=19, total=20) in chat.last.text


async def test_a_coordinators_plan_sent_in_max_is_downloaded_and_imported(
    max_world: MaxWorld,
) -> None:
    boss = MaxChat(max_world.fake, max_world.poller, 9, "Админ")  # ADMIN_IDS=-9
    await register(boss, role=TEXTS("role-teacher"), grade=False)
    await boss.send_document(GOOD.encode("cp1251"), "plan.csv")
    assert TEXTS("import-report", created=2, known=0, failed=0) in boss.last.text

    stranger = max_world.user()
    await register(stranger)
    await stranger.send_document(GOOD.encode(), "plan.csv")
    assert TEXTS("unexpected-text") in stranger.last.text


# --- bad input ---------------------------------------------------------------------------------


async def test_forged_and_unparseable_callbacks_are_answered_and_change_nothing(
    max_world: MaxWorld,
) -> None:
    chat = max_world.user()
    await register(chat)
    menu = chat.last
    for forged in ("q:999999:0:А", "garbage", "", None):
        await chat.press(forged, on=menu)
    assert MENU_HEAD in chat.last.text
    user = await stored(max_world, chat.user_id)
    assert user is not None
    assert user.role == "student"


async def test_updates_of_unknown_kinds_or_shapes_are_skipped_and_the_rest_handled(
    max_world: MaxWorld, caplog: pytest.LogCaptureFixture
) -> None:
    chat = max_world.user()
    fake = max_world.fake
    fake.push({"update_type": "message_removed", "message_id": "mid.1", "chat_id": 1})
    malformed: list[dict[str, Any]] = [
        {"update_type": "message_created", "message": {"body": {}}},  # no sender
        {"no": "type"},
        {"update_type": "message_callback", "callback": {"user": {"user_id": "x"}}},
    ]
    for update in malformed:
        fake.push(update)
    fake.push({"update_type": "bot_started", "user": chat.user, "chat_id": 1})
    with caplog.at_level(logging.INFO):
        assert await max_world.poller.poll_once() == 5
    assert TEXTS("btn-welcome-next") in [label for label, _ in chat.last.buttons]
    kept = await rejected_rows(max_world.app)
    assert [(row.channel, row.update_id, row.user_id) for row in kept] == [("max", None, None)] * 3
    as_kept = sorted(row.raw for row in kept)
    assert as_kept == sorted(json.dumps(update, ensure_ascii=False) for update in malformed)
    assert all(row.problems for row in kept)
    assert "message_removed" in caplog.text


async def test_max_updates_of_any_shape_are_kept_and_neither_escape_nor_stop_polling(
    max_world: MaxWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever a MAX update holds instead of MAX's shape (not an object, a list for an object,
    a number no column holds, `Infinity`), it is kept as rejected, counted, and the rest is
    handled."""
    counted: list[str] = []
    max_world.poller = MaxPoller(
        max_world.dispatcher,
        max_world.bot,
        on_rejected=lambda: counted.append("rejected"),
        on_lost=lambda: counted.append("lost"),
    )
    chat = max_world.user()
    huge = {"user_id": 2**70, "first_name": "Огромный"}
    odd: list[Any] = [
        [1, 2],
        "a string",
        None,
        42,
        {"update_type": ["message_created"]},
        {"update_type": "message_created", "message": []},
        {
            "update_type": "message_created",
            "message": {"sender": huge, "body": {"mid": "mid.huge", "text": "привет"}},
        },
        {
            "update_type": "message_created",
            "message": {
                "sender": chat.user,
                "recipient": {"chat_id": float("inf"), "chat_type": "chat"},
                "body": {"mid": "mid.inf", "text": "привет"},
            },
        },
        {"update_type": "bot_stopped", "user": huge},
        {
            "update_type": "message_callback",
            "callback": {"user": chat.user, "callback_id": "c"},
            "message": {"body": [1]},
        },
    ]
    for update in odd:
        max_world.fake.push(update)
    max_world.fake.push({"update_type": "bot_started", "user": chat.user, "chat_id": 1})

    assert await max_world.poller.poll_once() == len(odd) + 1

    assert TEXTS("btn-welcome-next") in [label for label, _ in chat.last.buttons]
    rows = await rejected_rows(max_world.app)
    assert len(rows) == len(odd)
    assert counted == ["rejected"] * len(odd)
    assert sorted(row.user_id or 0 for row in rows) == [chat.user_id] * 2 + [0] * 8
    failed = [r for r in caplog.records if "failed" in r.getMessage()]
    assert failed == []  # each was set aside, none fell through
    shown = len(chat.messages)
    await chat.start()  # the next poll, from MAX's new marker
    assert len(chat.messages) == shown + 1
    assert len(await rejected_rows(max_world.app)) == len(odd)


async def test_a_max_users_unreadable_update_is_kept_under_them_and_erased_by_forget(
    max_world: MaxWorld, caplog: pytest.LogCaptureFixture
) -> None:
    chat = max_world.user()
    await register(chat)
    bad = {
        "update_type": "message_created",
        "timestamp": 1_790_000_000_000,
        "message": {
            "sender": chat.user,
            "recipient": {"chat_id": 1, "chat_type": "dialog"},
            "body": {"mid": 12345, "text": "секретный текст"},  # MAX's mid is a string
        },
    }
    max_world.fake.push(bad)
    max_world.fake.push({"update_type": "bot_started", "user": chat.user, "chat_id": 1})
    assert await max_world.poller.poll_once() == 2

    assert MENU_HEAD in chat.last.text  # the next update is answered
    [row] = await rejected_rows(max_world.app)
    assert (row.channel, row.update_id, row.user_id) == ("max", None, chat.user_id)
    assert json.loads(row.raw) == bad
    assert row.problems == ["BadUpdate: body.mid is not a string"]
    [logged] = [r for r in caplog.records if r.name == "bot.max.polling" and r.levelname == "ERROR"]
    assert f"kept as rejected update {row.id}" in logged.getMessage()
    assert "секретный текст" not in caplog.text
    assert str(chat.user["first_name"]) not in logged.getMessage()

    await chat.send("/forget")
    await chat.click(TEXTS("btn-forget-yes"))
    assert await stored(max_world, chat.user_id) is None
    assert await rejected_rows(max_world.app) == []


async def test_a_wrong_token_at_start_names_the_setting(
    max_world: MaxWorld,
) -> None:
    max_world.fake.token = "another"
    with pytest.raises(MaxStartError, match="MAX_BOT_TOKEN"):
        await max_world.poller.check_token()


async def test_max_5xx_and_429_are_waited_out_and_the_message_sent(
    max_world: MaxWorld, waits: list[float]
) -> None:
    fake = max_world.fake
    chat = max_world.user()
    fake.fail_next("messages", 502, "<html>Bad Gateway</html>")
    fake.fail_next("messages", 503, {"code": "internal", "message": "Service unavailable"})
    fake.fail_next(
        "messages", 429, {"code": "too.many.requests", "message": "x"}, headers={"Retry-After": "3"}
    )
    await chat.start()
    assert TEXTS("btn-welcome-next") in [label for label, _ in chat.last.buttons]
    assert 3 in waits
    assert len(fake.calls("POST", "messages")) == 4


async def test_getting_updates_through_5xx_goes_on(max_world: MaxWorld) -> None:
    """The polling loop waits out MAX's server errors and handles what comes after."""
    fake = max_world.fake
    fake.fail_next("updates", 500, {"code": "internal", "message": "boom"}, times=2)
    chat = max_world.user()
    fake.push({"update_type": "bot_started", "user": chat.user, "chat_id": 1})
    poller = MaxPoller(
        max_world.dispatcher,
        max_world.bot,
        polling_timeout=0,
        backoff_config=BackoffConfig(min_delay=0.01, max_delay=0.02, factor=1.1, jitter=0),
    )
    task = asyncio.create_task(poller.run())
    for _ in range(200):
        if chat.messages:
            break
        await asyncio.sleep(0.02)
    poller.stop()
    await task
    assert TEXTS("btn-welcome-next") in [label for label, _ in chat.last.buttons]
    assert fake.commands  # the start-up set MAX's one command list


# --- the outbox through each user's messenger --------------------------------------------------


async def test_the_outbox_sends_each_user_through_their_own_messenger_and_marks_max_blocks(
    max_world: MaxWorld,
) -> None:
    """One sender for both: a Telegram user's reminder goes to Telegram, a MAX user's to MAX;
    a MAX user who stopped the bot (MAX refuses with 403) is marked blocked, as in Telegram."""
    telegram = LocalTelegram()
    telegram_bot = create_bot(max_world.settings, session=telegram)
    anya = Conversation(max_world.dispatcher, telegram_bot, telegram, 5001, "Аня")
    await register_telegram(anya)
    await anya.click(START)
    await anya.click(TEXTS("btn-quiz-begin"))
    await anya.click("А")
    masha, petya = max_world.user(), max_world.user(MAX_USER + 1, "Петя")
    for chat in (masha, petya):
        await register(chat)
        await chat.click(START)
        await chat.click(TEXTS("btn-quiz-begin"))
        await chat.click("А")
    max_world.fake.fail_next(
        "messages", 403, {"code": "chat.denied", "message": "dialog.suspended"}
    )  # Маша's reminder (the first in the queue of MAX)
    bots = {"telegram": telegram_bot, "max": max_world.bot}
    jobs = max_world.app.scheduled_jobs(telegram_bot, bots)
    max_world.clock.advance(hours=25)
    assert await jobs.send_quiz_reminders() >= 1
    max_world.clock.advance(seconds=2)
    await jobs.drain_outbox()

    reminder = reminder_text(done=1)
    assert reminder in anya.last.text
    in_max = [m.text for m in masha.messages + petya.messages if reminder in m.text]
    assert len(in_max) == 1
    async with max_world.app.uow_factory() as uow:
        users = await uow.users.many([-MAX_USER, -(MAX_USER + 1)])
    blocked = [user_id for user_id, user in users.items() if user.blocked_at is not None]
    assert len(blocked) == 1
    delivered = next(m for m in masha.messages + petya.messages if reminder in m.text)
    assert -delivered.user_id not in blocked


async def test_with_only_max_a_telegram_user_is_not_sent_through_max(
    max_world: MaxWorld,
) -> None:
    telegram = LocalTelegram()
    telegram_bot = create_bot(max_world.settings, session=telegram)
    anya = Conversation(max_world.dispatcher, telegram_bot, telegram, 5001, "Аня")
    await register_telegram(anya)
    await anya.click(START)
    await anya.click(TEXTS("btn-quiz-begin"))
    await anya.click("А")
    jobs = max_world.app.scheduled_jobs(max_world.bot, {"max": max_world.bot})
    max_world.clock.advance(hours=25)
    await jobs.send_quiz_reminders()
    assert max_world.fake.calls("POST", "messages") == []
    async with max_world.app.uow_factory() as uow:
        [row] = (await uow.session.scalars(select(OutboxMessage))).all()
    assert row.outcome == "failed"
    assert "telegram" in (row.error or "")


async def test_a_user_who_stops_the_bot_in_max_is_marked_blocked_until_they_write_again(
    max_world: MaxWorld,
) -> None:
    chat = max_world.user()
    await register(chat)
    await chat.deliver({"update_type": "bot_stopped", "user": chat.user, "chat_id": 1})
    user = await stored(max_world, chat.user_id)
    assert user is not None
    assert user.blocked_at is not None
    assert user.role == "student"  # data kept
    await chat.send("/menu")
    user = await stored(max_world, chat.user_id)
    assert user is not None
    assert user.blocked_at is None
    assert MENU_HEAD in chat.last.text


async def test_with_both_messengers_the_coordinator_gets_a_link_and_qr_for_each(
    max_world: MaxWorld,
) -> None:
    telegram_bot = create_bot(max_world.settings, session=LocalTelegram())
    max_world.dispatcher["channel_bots"] = {"telegram": telegram_bot, "max": max_world.bot}
    event = await make_event(max_world)  # type: ignore[arg-type]  # the fields it uses
    boss = max_world.user(9, "Админ")
    await register(boss, role=TEXTS("role-teacher"), grade=False)
    await boss.press(Manage(id=event.id, action=ManageStep.LINK).pack())
    photos = [m for m in boss.messages if m.attachments and m.attachments[0]["type"] == "image"]
    captions = [m.text for m in photos]
    assert len(captions) == 2
    assert f"https://t.me/{LocalTelegram.BOT_USER.username}?start={event.code}" in captions[0]
    assert f"https://max.ru/{BOT_USERNAME}?start={event.code}" in captions[1]


def test_max_settings_default_to_the_current_address_and_an_empty_token_is_unset() -> None:
    settings = Settings(_env_file=None, max_bot_token="", max_ca_file="")
    assert settings.max_bot_token is None
    assert settings.max_ca_file is None
    assert settings.max_api_url == "https://platform-api2.max.ru"
