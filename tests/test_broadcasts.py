"""Coordinators' broadcasts, through the bot as a coordinator uses it: compose, choose who,
preview, confirm (once, however often tapped), schedule, stop, follow the progress, download the
failures; and every bad input the issue lists gets a clear answer and sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram import methods
from sqlalchemy import func, select

from bot.config import Settings
from bot.conversation import Conversation
from bot.local_session import blocked
from db.calendar import Moment
from db.models import Broadcast, BroadcastStatus, OutboxMessage
from db.repositories.outbox import Outcome
from handlers.callbacks import BroadcastAct, BroadcastPick, BroadcastStep
from services import broadcasts, coordinators, outbox
from services.broadcasts import Draft
from services.coordinators import Staff
from tests.conftest import TEXTS, World, register, send_outbox, settings_for_tests

ADMIN = 9101
SCHOOL_COORDINATOR = 9102
#: A parent, a 9th-grader at Школа № 1, a 9th-grader at Школа № 5.
PARENT, STUDENT, OTHER_SCHOOL = 5101, 5102, 5103


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def staff(user_id: int = ADMIN) -> Staff:
    return Staff(user_id, frozenset({ADMIN}))


async def people(world: World) -> dict[int, Conversation]:
    found = {
        PARENT: world.user(PARENT, "Мама"),
        STUDENT: world.user(STUDENT, "Петя"),
        OTHER_SCHOOL: world.user(OTHER_SCHOOL, "Вася"),
    }
    await register(found[PARENT], role=TEXTS("role-parent"), organisation=None, grade=None)
    await register(found[STUDENT])
    await register(found[OTHER_SCHOOL], organisation="Школа № 5")
    return found


async def composer(world: World, user_id: int = ADMIN) -> Conversation:
    """A coordinator at the composer's first step."""
    coordinator = world.user(user_id, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await coordinator.send("/manage")
    await coordinator.click(TEXTS("btn-broadcast-new"))
    assert TEXTS("broadcast-compose").splitlines()[0] in coordinator.last.text
    return coordinator


def bold(text: str) -> dict[str, object]:
    """A message whose whole text is bold, as Telegram delivers it (entities)."""
    return {"text": text, "entities": [{"type": "bold", "offset": 0, "length": len(text)}]}


async def count(world: World, model: type[object], *where: object) -> int:
    async with world.app.uow_factory() as uow:
        found = await uow.session.scalar(select(func.count()).select_from(model).where(*where))  # type: ignore[arg-type]
        await uow.end_read()
    return int(found or 0)


def texts_to(world: World, chat_id: int) -> list[str]:
    return [m.text for m in world.telegram.messages(chat_id)]


# --- the whole way --------------------------------------------------------------------------


async def test_a_formatted_message_to_parents_reaches_them_with_progress_and_summary(
    world: World,
) -> None:
    await people(world)
    coordinator = await composer(world)
    await coordinator.send_message(**bold("Собрание для родителей девятиклассников"))
    draft = coordinator.last.text
    assert TEXTS("broadcast-everyone") in draft
    await coordinator.click(TEXTS("btn-broadcast-audience"))
    await coordinator.click(TEXTS("event-audience", role="parent"))
    assert "<b>1</b>" in coordinator.last.text  # one parent among everyone
    await coordinator.click(TEXTS("btn-broadcast-done"))
    await coordinator.click(TEXTS("btn-broadcast-preview"))
    preview = coordinator.messages[-2]
    assert preview.text == "<b>Собрание для родителей девятиклассников</b>"
    await coordinator.click(TEXTS("btn-broadcast-send", count=1))
    assert TEXTS("broadcast-confirmed", scheduled="no", when="", count=1) in coordinator.last.text

    assert await send_outbox(world) == 1
    assert texts_to(world, PARENT)[-1] == "<b>Собрание для родителей девятиклассников</b>"
    assert "Собрание" not in texts_to(world, STUDENT)[-1]
    assert "Собрание" not in texts_to(world, OTHER_SCHOOL)[-1]
    progress = next(m for m in coordinator.messages if "📣" in m.text and "№1" in m.text)
    assert progress.edits >= 1
    assert (
        TEXTS(
            "broadcast-progress",
            id=1,
            status="done",
            sent=1,
            blocked=0,
            failed=0,
            left=0,
            stopped=0,
            eta="none",
        )
        == progress.text
    )
    summary = coordinator.last.text
    assert summary.startswith(
        TEXTS("broadcast-summary", id=1, total=1, sent=1, blocked=0, failed=0, stopped=0).split(
            "\n"
        )[0]
    )


async def test_a_link_or_an_event_button_goes_with_the_message(world: World) -> None:
    await people(world)
    coordinator = await composer(world)
    await coordinator.send("Приглашаем на день открытых дверей")
    await coordinator.click(TEXTS("btn-broadcast-link"))
    await coordinator.send("не ссылка")
    assert TEXTS("broadcast-bad-link") in coordinator.last.text
    await coordinator.send("https://zgdt.ru/abiturient")
    await coordinator.click(TEXTS("btn-broadcast-audience"))
    await coordinator.click(TEXTS("event-audience", role="parent"))
    await coordinator.click(TEXTS("btn-broadcast-done"))
    await coordinator.click(TEXTS("btn-broadcast-send", count=1))
    await send_outbox(world)
    got = world.telegram.messages(PARENT)[-1]
    assert got.markup is not None
    [[link]] = got.markup.inline_keyboard
    assert (link.text, link.url) == (TEXTS("btn-broadcast-open-link"), "https://zgdt.ru/abiturient")


async def test_a_photo_with_a_caption_is_sent_as_a_photo(world: World) -> None:
    await people(world)
    coordinator = await composer(world)
    await coordinator.send_photo(caption="Фото с профпробы")
    await coordinator.click(TEXTS("btn-broadcast-audience"))
    await coordinator.click(TEXTS("event-audience", role="student"))
    await coordinator.click(TEXTS("btn-broadcast-done"))
    await coordinator.click(TEXTS("btn-broadcast-send", count=2))
    assert await send_outbox(world) == 2
    photos = world.telegram.calls(methods.SendPhoto)
    assert sorted(int(p.chat_id) for p in photos if p.caption == "Фото с профпробы") == [
        STUDENT,
        OTHER_SCHOOL,
    ]


async def test_the_draft_survives_a_restart(world: World) -> None:
    """The composer's state is in the database: a new dispatcher (a restarted bot) goes on."""
    from bot.factory import create_dispatcher  # noqa: PLC0415 - the restart is the point

    coordinator = await composer(world)
    await coordinator.send("Текст до перезапуска")
    coordinator.dispatcher = create_dispatcher(world.app)
    await coordinator.click(TEXTS("btn-broadcast-audience"))
    assert TEXTS("btn-broadcast-done") in [label for label, _ in coordinator.last.buttons]
    await coordinator.click(TEXTS("btn-broadcast-done"))
    assert TEXTS("broadcast-content", media="text", length=20) in coordinator.last.text


# --- who may reach whom -----------------------------------------------------------------------


async def test_a_schools_coordinator_reaches_only_their_own_schools_people(world: World) -> None:
    await people(world)
    async with world.app.uow_factory() as uow:
        school = next(
            o for o in await uow.organisations.list_active("school") if o.short_name == "Школа № 1"
        )
        invite = await coordinators.create_invite(uow, staff(), school.id, world.clock())
    coordinator = world.user(SCHOOL_COORDINATOR, "Завуч")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await coordinator.send(f"/start {invite.code}")
    await coordinator.send("/manage")
    await coordinator.click(TEXTS("btn-broadcast-new"))
    await coordinator.send("Для нашей школы")
    await coordinator.click(TEXTS("btn-broadcast-audience"))
    assert TEXTS("btn-broadcast-schools", chosen=TEXTS("broadcast-chosen-all")) not in [
        label for label, _ in coordinator.last.buttons
    ]
    await coordinator.click(TEXTS("event-audience", role="student"))
    assert "<b>1</b>" in coordinator.last.text  # the student of Школа № 1, not of № 5
    await coordinator.press(BroadcastPick(field="school", value=str(school.id + 1)).pack())
    assert TEXTS("not-permitted") in coordinator.last.text
    await coordinator.click(TEXTS("btn-manage"))
    await coordinator.click(TEXTS("btn-broadcast-new"))
    await coordinator.send("Для нашей школы")
    await coordinator.click(TEXTS("btn-broadcast-send", count=2))  # its teacher and student
    await send_outbox(world)
    assert texts_to(world, OTHER_SCHOOL)[-1] != "Для нашей школы"
    assert texts_to(world, STUDENT)[-1] == "Для нашей школы"


async def test_someone_who_is_not_a_coordinator_is_refused_every_broadcast_action(
    world: World,
) -> None:
    reached = await people(world)
    async with world.app.uow_factory() as uow:
        confirmed = await broadcasts.confirm(
            uow, staff(), Draft(text="Тест", length=4), Moment(world.clock(), world.app.texts.tz)
        )
    stranger = reached[STUDENT]
    forged = [
        BroadcastPick(field="new").pack(),
        BroadcastPick(field="confirm").pack(),
        *(BroadcastAct(id=confirmed.broadcast.id, action=a).pack() for a in BroadcastStep),
    ]
    for data in forged:
        await stranger.press(data)
        assert TEXTS("not-permitted") in stranger.last.text, data
    assert await count(world, Broadcast) == 1
    async with world.app.uow_factory() as uow:
        found = await uow.broadcasts.get(confirmed.broadcast.id)
    assert found is not None
    assert found.status == BroadcastStatus.SCHEDULED


# --- bad input ----------------------------------------------------------------------------------


async def test_what_cannot_be_sent_is_refused_with_the_reason(world: World) -> None:
    coordinator = await composer(world)
    await coordinator.send("   ")
    assert TEXTS("broadcast-empty") in coordinator.last.text
    sticker = {
        "file_id": "s1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    await coordinator.send_message(sticker=sticker)
    assert TEXTS("broadcast-unsupported") in coordinator.last.text
    await coordinator.send_photo(caption="я" * 1025)
    assert TEXTS("broadcast-caption-too-long") in coordinator.last.text
    await coordinator.send_photo(caption="Большое фото", size=11 * 1024 * 1024)
    assert TEXTS("broadcast-file-too-large") in coordinator.last.text
    await coordinator.click(TEXTS("btn-broadcast-discard"))
    assert TEXTS("broadcast-discarded") in coordinator.last.text
    assert await count(world, Broadcast) == 0


async def test_an_audience_of_nobody_offers_no_sending(world: World) -> None:
    coordinator = await composer(world)
    await coordinator.send("Никому")
    await coordinator.click(TEXTS("btn-broadcast-audience"))
    await coordinator.click(TEXTS("btn-broadcast-grades", chosen=TEXTS("broadcast-chosen-all")))
    await coordinator.click("3")  # nobody is in the 3rd grade here
    await coordinator.click(TEXTS("btn-broadcast-done"))
    await coordinator.click(TEXTS("btn-broadcast-done"))
    assert TEXTS("broadcast-nobody-yet") in coordinator.last.text
    labels = [label for label, _ in coordinator.last.buttons]
    assert not any(label.startswith(TEXTS("btn-broadcast-send", count=0)[:5]) for label in labels)
    await coordinator.press(BroadcastPick(field="confirm").pack())  # a forged tap
    assert TEXTS("broadcast-nobody") in coordinator.last.text
    assert await count(world, Broadcast) == 0


async def test_a_double_tap_on_send_makes_one_broadcast(world: World) -> None:
    await people(world)
    coordinator = await composer(world)
    await coordinator.send("Один раз")
    draft = coordinator.last
    send = next(d for label, d in draft.buttons if label.startswith("✅"))
    await coordinator.press(send, draft)
    await coordinator.press(send, draft)
    assert await count(world, Broadcast) == 1
    await send_outbox(world)
    assert [t for t in texts_to(world, PARENT) if t == "Один раз"] == ["Один раз"]


async def test_a_time_in_the_past_is_refused_and_a_later_one_waits(world: World) -> None:
    await people(world)
    coordinator = await composer(world)
    await coordinator.send("Позже")
    await coordinator.click(TEXTS("btn-broadcast-when"))
    earlier = (world.clock() - timedelta(hours=2)).astimezone(world.app.texts.tz)
    await coordinator.send(earlier.strftime("%d.%m %H:%M"))
    assert TEXTS("broadcast-time-past") in coordinator.last.text
    await coordinator.click(TEXTS("btn-broadcast-in-hour"))
    await coordinator.click(TEXTS("btn-broadcast-schedule", count=4))
    assert "🕒" in coordinator.last.text
    assert await send_outbox(world) == 0
    world.clock.advance(hours=1)
    assert await send_outbox(world) == 4
    assert texts_to(world, PARENT)[-1] == "Позже"


# --- stopping, failures -------------------------------------------------------------------------


async def test_a_scheduled_broadcast_stopped_before_its_time_sends_nothing(world: World) -> None:
    await people(world)
    coordinator = await composer(world)
    await coordinator.send("Отменим")
    await coordinator.click(TEXTS("btn-broadcast-when"))
    await coordinator.click(TEXTS("btn-broadcast-tomorrow"))
    await coordinator.click(TEXTS("btn-broadcast-schedule", count=4))
    await coordinator.click(TEXTS("btn-broadcast-stop"))
    await coordinator.click(TEXTS("btn-broadcast-stop-yes"))
    assert coordinator.last_toast == TEXTS("broadcast-stopped-toast")
    world.clock.advance(days=2)
    assert await send_outbox(world) == 0
    assert await count(world, OutboxMessage, OutboxMessage.outcome == Outcome.CANCELLED) == 4


async def test_a_broadcast_stopped_while_sending_sends_no_more(world: World) -> None:
    await people(world)
    moment = Moment(world.clock(), world.app.texts.tz)
    async with world.app.uow_factory() as uow:
        confirmed = await broadcasts.confirm(uow, staff(), Draft(text="Стоп", length=4), moment)
        lease = timedelta(minutes=5)
        in_flight = await outbox.claim(uow, world.clock(), 1, lease)  # one is on its way...
        await broadcasts.cancel(uow, staff(), confirmed.broadcast.id, world.clock())  # ...stop
        await outbox.record(uow, [outbox.sent(m) for m in in_flight], world.clock())
    assert await send_outbox(world) == 0
    async with world.app.uow_factory() as uow:
        _, progress = await broadcasts.get(uow, staff(), confirmed.broadcast.id)
    assert (progress.sent, progress.stopped, progress.left) == (1, 2, 0)


async def test_who_blocked_the_bot_is_counted_and_listed_in_the_failures_file(
    world: World,
) -> None:
    await people(world)
    world.telegram.fail_next(blocked, methods.SendMessage, chat_id=OTHER_SCHOOL)
    coordinator = await composer(world)
    await coordinator.send("Всем")
    await coordinator.click(TEXTS("btn-broadcast-send", count=4))
    assert await send_outbox(world) == 3
    summary = coordinator.last
    assert (
        TEXTS("broadcast-summary", id=1, total=4, sent=3, blocked=1, failed=0, stopped=0)
        == summary.text
    )
    await coordinator.click(TEXTS("btn-broadcast-failures"), on=summary)
    sent = world.telegram.files[-1]
    table = sent.data.decode("utf-8-sig").splitlines()
    assert table[0] == TEXTS("broadcast-failure-header")
    assert table[1].startswith(f"{OTHER_SCHOOL};")
    assert TEXTS("broadcast-outcome", outcome="blocked") in table[1]
    async with world.app.uow_factory() as uow:
        user = await uow.users.get(OTHER_SCHOOL)
    assert user is not None
    assert user.blocked_at is not None
