"""Consultation requests: a person asks the employment centre for one (topic, time, how to be
reached: through Telegram, or their own phone by the contact button or typed); the centre's
coordinators see it in their cabinet, take it (of two at once, one wins) and mark it held or
not held; the person is told of each change through the outbox; a held one is a monitoring
step; /mydata lists the requests and /forget erases them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram import methods
from aiogram.types import ReplyKeyboardMarkup, ReplyKeyboardRemove
from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import create_app, create_dispatcher
from db.calendar import Moment
from db.models import Consultation, ConsultationStatus, OutboxMessage, Step
from handlers.callbacks import Nav, Page
from services import consultations, coordinators
from services.coordinators import Staff
from services.errors import NotPermitted
from services.outbox_kinds import OutboxKind
from tests.conftest import TEXTS, World, register, send_outbox, settings_for_tests

ADMIN = 9001
CZN_COORDINATOR = 7001
SECOND_COORDINATOR = 7002
COLLEGE_COORDINATOR = 7003
TOPIC = "Хочу переучиться на сварщика"

#: A sticker sent where the bot waits for text.
STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "type": "regular",
    "width": 1,
    "height": 1,
    "is_animated": False,
    "is_video": False,
}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def admin() -> Staff:
    return Staff(ADMIN, frozenset({ADMIN}))


def staff(user_id: int) -> Staff:
    return Staff(user_id, frozenset({ADMIN}))


async def organisation_id(world: World, code: str) -> int:
    async with world.app.uow_factory() as uow:
        return next(o.id for o in await uow.organisations.list_active() if o.code == code)


async def coordinator(world: World, user_id: int, code: str = "czn") -> Conversation:
    chat = world.user(user_id, "Ольга")
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)
    async with world.app.uow_factory() as uow:
        invite = await coordinators.create_invite(
            uow, admin(), await organisation_id(world, code), world.clock()
        )
    await chat.send(f"/start {invite.code}")
    return chat


async def stored(world: World) -> list[Consultation]:
    async with world.app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Consultation).order_by(Consultation.id)))


async def told(world: World, user_id: int) -> list[dict[str, Any]]:
    async with world.app.uow_factory() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.user_id == user_id, OutboxMessage.kind == OutboxKind.CONSULTATION)
            .order_by(OutboxMessage.id)
        )
        return [row.payload for row in rows]


async def adult(world: World, user_id: int = 5001) -> Conversation:
    chat = world.user(user_id)
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)
    return chat


async def ask(chat: Conversation, topic: str = TOPIC, time: str = "morning") -> None:
    """From «Переобучение и работа» to the contact step."""
    await chat.send("/retraining")
    await chat.click(TEXTS("btn-consult"))
    await chat.click("Центр занятости")
    await chat.send(topic)
    await chat.click(TEXTS("consult-time", time=time))


def reply_keyboards(world: World, chat: Conversation) -> list[Any]:
    return [
        call.reply_markup
        for call in world.telegram.calls(methods.SendMessage)
        if call.chat_id == chat.user_id
        and isinstance(call.reply_markup, ReplyKeyboardMarkup | ReplyKeyboardRemove)
    ]


def contact(user_id: int, phone: str = "79141234567") -> dict[str, Any]:
    return {"phone_number": phone, "first_name": "Аня", "user_id": user_id}


async def test_a_request_through_telegram_is_sent_once(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    summary = TEXTS(
        "consult-summary", organisation="Центр занятости", topic=TOPIC, time="morning", phone="none"
    )
    assert summary in chat.last.text
    send = dict(chat.with_buttons().buttons)[TEXTS("btn-consult-send")]
    # Two taps at once (whichever finds the draft gone finds the request sent), then one more.
    await asyncio.gather(chat.press(send), chat.press(send))
    assert TEXTS("consult-sent", organisation="Центр занятости") in chat.last.text
    await chat.press(send)
    assert chat.last_toast == TEXTS("consult-already-sent")
    assert TEXTS("consult-sent", organisation="Центр занятости") in chat.last.text
    # Someone else sending the same button's data learns nothing of the request.
    other = await adult(world, user_id=5002)
    await other.press(send)
    assert other.last_toast == TEXTS("button-outdated")
    assert TEXTS("consult-where") in other.last.text
    [request] = await stored(world)
    assert (request.topic, request.preferred, request.phone, request.status) == (
        TOPIC,
        "morning",
        None,
        ConsultationStatus.NEW,
    )


async def test_an_empty_topic_is_refused_and_the_request_goes_on(world: World) -> None:
    chat = await adult(world)
    await chat.send("/retraining")
    await chat.click(TEXTS("btn-consult"))
    await chat.click("Центр занятости")
    await chat.send("   ")
    assert TEXTS("consult-topic-empty") in chat.last.text
    await chat.send_message(sticker=STICKER)
    assert TEXTS("consult-topic-empty") in chat.last.text
    await chat.send("x" * 501)
    assert TEXTS("consult-topic-long", max=500) in chat.last.text
    await chat.send(TOPIC)
    assert TEXTS("consult-when") in chat.last.text
    assert await stored(world) == []  # nothing stored before «Отправить»


async def test_only_ones_own_contact_card_is_accepted(world: World) -> None:
    chat = await adult(world)
    await ask(chat, time="evening")
    await chat.click(TEXTS("btn-consult-by-phone"))
    [keyboard] = reply_keyboards(world, chat)
    assert isinstance(keyboard, ReplyKeyboardMarkup)
    assert keyboard.keyboard[0][0].request_contact
    await chat.send_message(contact=contact(user_id=424242, phone="79990000000"))
    assert chat.last.text == TEXTS("consult-phone-not-yours")
    # The refusal names the button at the bottom of the screen: it comes with it.
    [_, again] = reply_keyboards(world, chat)
    assert isinstance(again, ReplyKeyboardMarkup)
    assert again.keyboard[0][0].request_contact
    await chat.send_message(contact=contact(user_id=chat.user_id))
    assert isinstance(reply_keyboards(world, chat)[-1], ReplyKeyboardRemove)
    assert "+79141234567" in chat.last.text
    await chat.click(TEXTS("btn-consult-send"))
    [request] = await stored(world)
    assert request.phone == "+79141234567"


async def test_someone_elses_card_at_the_contact_question(world: World) -> None:
    """Shared before «Оставить телефон»: refused with the question's own buttons, not a mention
    of the contact button, which is not on the screen there."""
    chat = await adult(world)
    await ask(chat)
    await chat.send_message(contact=contact(user_id=424242, phone="79990000000"))
    assert chat.last.text.startswith(TEXTS("consult-how-not-yours"))
    assert TEXTS("consult-how") in chat.last.text
    assert "внизу экрана" not in chat.last.text
    assert TEXTS("btn-consult-by-phone") in str(chat.last.buttons)
    assert reply_keyboards(world, chat) == []
    await chat.send_message(contact=contact(user_id=chat.user_id))
    assert "+79141234567" in chat.last.text
    await chat.click(TEXTS("btn-consult-send"))
    assert [r.phone for r in await stored(world)] == ["+79141234567"]


async def test_a_typed_phone_where_there_is_no_contact_button(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-phone"))
    await chat.send("позвоните мне")
    assert chat.last.text == TEXTS("consult-phone-bad")
    await chat.send("8 (914) 765-43-21")
    assert "+79147654321" in chat.last.text
    await chat.click(TEXTS("btn-consult-send"))
    assert [r.phone for r in await stored(world)] == ["+79147654321"]


async def test_a_phone_typed_before_the_button_is_taken(world: World, settings: Settings) -> None:
    chat = await adult(world)
    await ask(chat)
    # Not a number: a hint and the same question, not the main menu.
    await chat.send("позвоните мне")
    assert chat.last.text.startswith(TEXTS("consult-how-typed"))
    assert TEXTS("consult-how") in chat.last.text
    assert TEXTS("unexpected-text") not in chat.last.text
    assert TEXTS("btn-consult-by-phone") in str(chat.last.buttons)
    await chat.send_message(sticker=STICKER)
    assert chat.last.text.startswith(TEXTS("consult-how-typed"))
    # The step is in the dialog's storage: a restart keeps it, and the typed number is the phone.
    restarted = await create_app(settings, clock=world.clock)
    try:
        again = Conversation(create_dispatcher(restarted), world.bot, world.telegram, chat.user_id)
        await again.send("8 914 765-43-21")
        summary = TEXTS(
            "consult-summary",
            organisation="Центр занятости",
            topic=TOPIC,
            time="morning",
            phone="+79147654321",
        )
        assert summary in again.last.text
        await again.click(TEXTS("btn-consult-send"))
        # Typed text after the request went is not taken as a phone any more.
        await again.send("8 914 000-00-00")
        assert TEXTS("unexpected-text") in again.last.text
    finally:
        await restarted.close()
    assert [r.phone for r in await stored(world)] == ["+79147654321"]


async def test_a_typed_number_after_through_telegram_is_not_a_phone(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    await chat.send("89141234567")
    # The summary again with a hint, not the main menu; the number is not taken as a phone.
    assert chat.last.text.startswith(TEXTS("consult-summary-typed"))
    assert TEXTS("unexpected-text") not in chat.last.text
    assert "+79141234567" not in chat.last.text
    await chat.click(TEXTS("btn-consult-send"))
    assert [r.phone for r in await stored(world)] == [None]


async def test_typed_text_at_the_time_and_summary_steps_gets_a_hint(world: World) -> None:
    chat = await adult(world)
    await chat.send("/retraining")
    await chat.click(TEXTS("btn-consult"))
    await chat.click("Центр занятости")
    await chat.send(TOPIC)
    await chat.send("завтра утром")
    assert chat.last.text.startswith(TEXTS("consult-when-typed"))
    assert TEXTS("consult-when") in chat.last.text
    assert TEXTS("unexpected-text") not in chat.last.text
    await chat.click(TEXTS("consult-time", time="day"))  # the draft is kept: the topic too
    await chat.click(TEXTS("btn-consult-by-bot"))
    summary = TEXTS(
        "consult-summary", organisation="Центр занятости", topic=TOPIC, time="day", phone="none"
    )
    await chat.send("всё верно")
    assert chat.last.text.startswith(TEXTS("consult-summary-typed"))
    assert summary in chat.last.text
    assert TEXTS("unexpected-text") not in chat.last.text
    await chat.click(TEXTS("btn-consult-send"))
    [request] = await stored(world)
    assert (request.topic, request.preferred, request.phone) == (TOPIC, "day", None)
    # Sent: typed text is the main menu's again.
    await chat.send("спасибо")
    assert TEXTS("unexpected-text") in chat.last.text


async def test_leaving_a_step_by_a_command_or_the_menu_ends_its_typed_text(world: World) -> None:
    """After /menu, another command or the menu's button, typed text is not the request's phone
    or topic any more: the main menu answers it."""
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-phone"))
    await chat.send("/menu")
    await chat.send("89141234567")
    assert TEXTS("unexpected-text") in chat.last.text
    assert "+79141234567" not in chat.last.text
    await ask(chat)  # at «Как с вами связаться?»: a typed number would be the phone
    await chat.send("/help")
    await chat.send("89141234567")
    assert TEXTS("unexpected-text") in chat.last.text
    await chat.send("/retraining")
    await chat.click(TEXTS("btn-consult"))
    await chat.click("Центр занятости")
    await chat.press(Nav(to=Page.MENU).pack())  # the menu's button, as on an older screen
    await chat.send(TOPIC)
    assert TEXTS("unexpected-text") in chat.last.text
    assert TEXTS("consult-when") not in chat.last.text
    assert await stored(world) == []


def test_phone_numbers() -> None:
    assert consultations.phone_number("+7 914 123-45-67") == "+79141234567"
    assert consultations.phone_number("9141234567") == "+79141234567"
    for bad in ("12345", "+1 202 555 0100", "телефон"):
        with pytest.raises(consultations.BadPhone):
            consultations.phone_number(bad)


async def test_a_guest_is_asked_for_consent_first(world: World) -> None:
    chat = world.user()
    await chat.send("/retraining")
    await chat.click(TEXTS("btn-consult"))
    assert await stored(world) == []
    assert TEXTS("btn-consult-by-bot") not in str(chat.last.buttons)


async def test_the_centre_takes_and_holds_a_request_and_the_person_is_told(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    await chat.click(TEXTS("btn-consult-send"))
    centre = await coordinator(world, CZN_COORDINATOR)
    await centre.send("/manage")
    await centre.click(TEXTS("btn-consultations", count=1))
    assert TEXTS("consult-queue", new=1, taken=0) in centre.last.text
    await centre.click(centre.last.buttons[0][0])
    assert TOPIC in centre.last.text
    await centre.click(TEXTS("btn-consult-take"))
    [request] = await stored(world)
    assert (request.status, request.coordinator_id) == ("taken", CZN_COORDINATOR)
    await send_outbox(world)
    assert TEXTS(
        "consult-changed", status="taken", organisation="Центр занятости", topic=TOPIC
    ) in (chat.last.text)
    await centre.click(TEXTS("btn-consult-held"))
    await send_outbox(world)
    assert chat.last.text.startswith(
        TEXTS("consult-changed", status="held", organisation="Центр занятости", topic=TOPIC).split(
            "\n"
        )[0]
    )
    async with world.app.uow_factory() as uow:
        [step] = await uow.session.scalars(select(Step).where(Step.kind == "consultation"))
    assert (step.ref, step.role, step.user_id) == (str(request.id), "adult", chat.user_id)
    # Held twice (a double tap) changes nothing more.
    await centre.click(TEXTS("btn-back"))
    assert [p["status"] for p in await told(world, chat.user_id)] == ["taken", "held"]


async def test_not_held_is_told_and_logs_no_step(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    await chat.click(TEXTS("btn-consult-send"))
    [request] = await stored(world)
    await coordinator(world, CZN_COORDINATOR)
    async with world.app.uow_factory() as uow:
        await consultations.take(uow, staff(CZN_COORDINATOR), request.id, world.clock())
    async with world.app.uow_factory() as uow:
        change = await consultations.close(
            uow, staff(CZN_COORDINATOR), request.id, held=False, moment=_moment(world)
        )
    assert change.done
    assert [p["status"] for p in await told(world, chat.user_id)] == ["taken", "not_held"]
    async with world.app.uow_factory() as uow:
        assert (
            list(await uow.session.scalars(select(Step).where(Step.kind == "consultation"))) == []
        )


def _moment(world: World) -> Moment:
    return Moment(world.clock(), TEXTS.tz)


async def test_two_coordinators_take_at_once_and_one_wins(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    await chat.click(TEXTS("btn-consult-send"))
    [request] = await stored(world)
    first = await coordinator(world, CZN_COORDINATOR)
    second = await coordinator(world, SECOND_COORDINATOR)

    async def take(user_id: int) -> bool:
        async with world.app.uow_factory() as uow:
            change = await consultations.take(uow, staff(user_id), request.id, world.clock())
            return change.done

    results = await asyncio.gather(take(CZN_COORDINATOR), take(SECOND_COORDINATOR))
    assert sorted(results) == [False, True]
    assert len(await told(world, chat.user_id)) == 1
    [taken] = await stored(world)
    assert taken.coordinator_id in (first.user_id, second.user_id)


async def test_the_loser_of_a_take_is_told(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    await chat.click(TEXTS("btn-consult-send"))
    first = await coordinator(world, CZN_COORDINATOR)
    second = await coordinator(world, SECOND_COORDINATOR)
    for person in (first, second):
        await person.send("/manage")
        await person.click(TEXTS("btn-consultations", count=1))
        await person.click(person.last.buttons[0][0])
    await first.click(TEXTS("btn-consult-take"))
    await second.click(TEXTS("btn-consult-take"))
    assert second.last_toast == TEXTS("consult-taken-by-other")
    assert TEXTS("consult-taken-by-other") in second.last.text
    [request] = await stored(world)
    assert request.coordinator_id == CZN_COORDINATOR


@pytest.mark.parametrize("action", ["show", "take", "held", "not-held"])
async def test_every_coordinator_action_is_refused_to_others(world: World, action: str) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    await chat.click(TEXTS("btn-consult-send"))
    [request] = await stored(world)
    if action in ("held", "not-held"):
        async with world.app.uow_factory() as uow:
            await consultations.take(uow, admin(), request.id, world.clock())
    before = [(r.status, r.coordinator_id) for r in await stored(world)]
    stranger = await adult(world, 5002)
    college = await coordinator(world, COLLEGE_COORDINATOR, "zhdt")
    for person in (stranger, college, chat):
        await person.press(f"csa:{request.id}:{action}")
        assert person.last_toast == TEXTS("not-permitted-toast")
    await stranger.press("csq")
    assert stranger.last_toast == TEXTS("not-permitted-toast")
    assert [(r.status, r.coordinator_id) for r in await stored(world)] == before
    expected = ["taken"] if action in ("held", "not-held") else []
    assert [p["status"] for p in await told(world, chat.user_id)] == expected


async def test_the_services_check_rights_on_each_call(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-bot"))
    await chat.click(TEXTS("btn-consult-send"))
    [request] = await stored(world)
    await coordinator(world, COLLEGE_COORDINATOR, "zhdt")
    async with world.app.uow_factory() as uow:
        with pytest.raises(NotPermitted):
            await consultations.take(uow, staff(COLLEGE_COORDINATOR), request.id, world.clock())
        with pytest.raises(NotPermitted):
            await consultations.queue(uow, staff(5001))
        # The college's coordinator's queue does not show the centre's request.
        queue = await consultations.queue(uow, staff(COLLEGE_COORDINATOR))
    assert queue.new == []
    # Appointed at the centre, then revoked: nothing more.
    await coordinator(world, CZN_COORDINATOR)
    async with world.app.uow_factory() as uow:
        await coordinators.revoke(uow, admin(), CZN_COORDINATOR, world.clock())
    async with world.app.uow_factory() as uow:
        with pytest.raises(NotPermitted):
            await consultations.take(uow, staff(CZN_COORDINATOR), request.id, world.clock())
    assert (await stored(world))[0].status == ConsultationStatus.NEW


async def test_mydata_lists_requests_and_forget_erases_them(world: World) -> None:
    chat = await adult(world)
    await ask(chat)
    await chat.click(TEXTS("btn-consult-by-phone"))
    await chat.send("+7 914 123 45 67")
    await chat.click(TEXTS("btn-consult-send"))
    await chat.send("/mydata")
    assert TEXTS("mydata-consultations", count=1) in chat.last.text
    assert "+79141234567" in chat.last.text
    await chat.click(TEXTS("btn-forget"))
    await chat.click(TEXTS("btn-forget-yes"))
    assert await stored(world) == []


async def test_forged_or_stale_request_buttons(world: World) -> None:
    chat = await adult(world)
    for data in ("cs:time:morning", "cs:contact:bot", "cs:send:"):  # no request begun
        await chat.press(data)
        assert chat.last_toast == TEXTS("button-outdated")
        assert TEXTS("consult-where") in chat.last.text
    await chat.press("cs:org:999999")  # an organisation that takes no requests
    assert chat.last_toast == TEXTS("button-outdated")
    school = await organisation_id(world, "school-1")
    await chat.press(f"cs:org:{school}")
    assert chat.last_toast == TEXTS("button-outdated")
    await ask(chat)
    await chat.press("cs:contact:pigeon")
    assert chat.last_toast == TEXTS("button-outdated")
    await chat.click(TEXTS("btn-consult-cancel"))
    assert TEXTS("consult-cancelled") in chat.last.text
    await chat.press("cs:send:")
    assert chat.last_toast == TEXTS("button-outdated")
    assert await stored(world) == []


async def test_a_restart_midway_loses_nothing(world: World, settings: Settings) -> None:
    chat = await adult(world)
    await chat.send("/retraining")
    await chat.click(TEXTS("btn-consult"))
    await chat.click("Центр занятости")
    await chat.send(TOPIC)
    restarted = await create_app(settings, clock=world.clock)
    try:
        again = Conversation(create_dispatcher(restarted), world.bot, world.telegram, chat.user_id)
        await again.click(TEXTS("consult-time", time="day"))
        await again.click(TEXTS("btn-consult-by-phone"))
        await again.send("89141234567")
        await again.click(TEXTS("btn-consult-send"))
    finally:
        await restarted.close()
    [request] = await stored(world)
    assert (request.topic, request.preferred, request.phone) == (TOPIC, "day", "+79141234567")
