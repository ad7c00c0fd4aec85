"""/mydata sends everything stored about the user as a readable file; /forget by a coordinator
first hands the role over (or drops it), and their events stay with their organisation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.config import Settings
from bot.conversation import Conversation
from db.models import Coordinator, Event
from db.records import EventRecord
from handlers.callbacks import Forget, HandOver
from services import consultations
from tests import test_consultations
from tests.conftest import TEXTS, World, register, settings_for_tests, stored_user
from tests.test_events import ADMIN, COORDINATOR, appoint, make_event
from tests.test_privacy import finish_quiz


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def file_text(world: World, chat: Conversation) -> str:
    [*_, sent] = [f for f in world.telegram.files if f.chat_id == chat.user_id]
    assert sent.filename == f"mydata-{chat.user_id}.txt"
    assert sent.caption == TEXTS("mydata-file-caption")
    return sent.data.decode("utf-8")


def section(name: str) -> str:
    return f"== {TEXTS('mydata-section', section=name)} =="


def field(name: str) -> str:
    return TEXTS("mydata-field", field=name)


async def test_mydata_sends_everything_stored_as_a_file(world: World, chat: Conversation) -> None:
    await register(chat)
    await finish_quiz(world, chat)
    event = await make_event(world)
    await chat.click(TEXTS("btn-menu"))
    await chat.click(TEXTS("btn-events"))
    await chat.click(next(label for label, _ in chat.last.buttons if event.title in label))
    await chat.click(TEXTS("btn-event-sign-up"))

    await chat.send("/mydata")
    assert TEXTS("btn-forget") in [label for label, _ in chat.last.buttons]  # the screen stays
    text = file_text(world, chat)
    assert text.startswith(
        TEXTS("mydata-file-head", date=TEXTS.when(world.clock.now, "d MMMM y, HH:mm"))
    )
    for name in ("profile", "attempts", "registrations", "subscription", "steps", "coordinator"):
        assert section(name) in text
    assert f"{field('telegram_id')}: {chat.user_id}" in text
    assert f"{field('role')}: {TEXTS('role-name', role='student')}" in text
    assert f"{field('grade')}: 9" in text
    assert f'{field("answers")}: ["a", "a"' in text  # the answers, as given
    assert f"{field('event')}: {event.title}" in text
    assert f"{field('display_name')}: Аня" in text  # the name kept with the sign-up
    assert f"{field('status')}: {TEXTS('mydata-status', status='confirmed')}" in text
    assert f"{field('organisation')}: {world.app.catalogue.by_code['school-1'].name}" in text
    assert f"{section('subscription')}\n{TEXTS('mydata-section-empty')}" in text

    # The menu's «Мои данные» sends it too; a guest gets no file.
    files = len(world.telegram.files)
    await chat.click(TEXTS("btn-menu"))
    await chat.click(TEXTS("btn-mydata"))
    assert len(world.telegram.files) == files + 1
    guest = world.user(5009)
    await guest.send("/mydata")
    assert TEXTS("mydata-none") in guest.last.text
    assert not [f for f in world.telegram.files if f.chat_id == guest.user_id]


async def test_the_file_holds_the_users_consultation_requests(
    world: World, chat: Conversation
) -> None:
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)
    centre = world.app.catalogue.by_code["czn"]
    organisation_id = await test_consultations.organisation_id(world, centre.code)
    async with world.app.uow_factory() as uow:
        draft = consultations.Draft(
            organisation_id, "Переобучение на сварщика", "morning", "+79001234567", "t1"
        )
        await consultations.submit(uow, chat.user_id, draft, world.clock())

    await chat.send("/mydata")
    text = file_text(world, chat)
    assert section("consultations") in text
    assert f"{field('topic')}: Переобучение на сварщика" in text
    assert f"{field('phone')}: +79001234567" in text
    assert f"{field('organisation')}: {centre.name}" in text


async def coordinators_of_the_college(world: World) -> tuple[Conversation, Conversation]:
    first = world.user(COORDINATOR, "Ольга")
    await register(first, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, first)
    second = world.user(COORDINATOR + 1, "Пётр")
    await register(second, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, second)
    return first, second


async def event_by(world: World, coordinator: Conversation, **changes: object) -> EventRecord:
    """An event the coordinator made (made by the administrator's helper, then credited)."""
    event = await make_event(world, **changes)
    async with world.app.uow_factory() as uow, uow.write():
        await uow.session.execute(
            update(Event).where(Event.id == event.id).values(created_by=coordinator.user_id)
        )
    return event


async def event_creators(world: World) -> list[int | None]:
    async with world.app.uow_factory() as uow:
        return list(await uow.session.scalars(select(Event.created_by).order_by(Event.id)))


async def is_coordinator(world: World, user_id: int) -> bool:
    async with world.app.uow_factory() as uow:
        return await uow.session.get(Coordinator, user_id) is not None


async def test_a_coordinator_hands_the_role_over_before_being_forgotten(world: World) -> None:
    first, second = await coordinators_of_the_college(world)
    await event_by(world, first, title="Проба первая")
    await event_by(world, first, title="Проба вторая")

    await first.send("/forget")
    text = first.last.text
    assert TEXTS("btn-forget-yes") not in [label for label, _ in first.last.buttons]
    assert "(2)" in text
    # The «yes» of an old confirmation is not enough while the role is held.
    await first.press(Forget(confirm=True).pack())
    assert await stored_user(world, first.user_id) is not None
    assert TEXTS("btn-drop-role") in [label for label, _ in first.last.buttons]

    await first.click(TEXTS("btn-hand-over", id=str(second.user_id), date="")[:30])
    assert TEXTS("role-handed-over") in first.last.text
    assert TEXTS("forget-confirm") in first.last.text
    assert await event_creators(world) == [second.user_id, second.user_id]
    assert not await is_coordinator(world, first.user_id)
    assert await is_coordinator(world, second.user_id)
    await first.press(HandOver(to=second.user_id).pack())  # a second tap: nothing more
    assert first.last_toast == TEXTS("button-outdated")

    await first.click(TEXTS("btn-forget-yes"))
    assert TEXTS("forget-done") in first.last.text
    assert await stored_user(world, first.user_id) is None
    assert await event_creators(world) == [second.user_id, second.user_id]


async def test_a_coordinator_drops_the_role_and_the_events_stay_with_the_organisation(
    world: World,
) -> None:
    first, second = await coordinators_of_the_college(world)
    event = await event_by(world, first)
    # The colleague loses the role before the button is tapped: told, nothing changes.
    async with world.app.uow_factory() as uow, uow.write():
        await uow.coordinators.revoke(second.user_id)
    await first.send("/forget")
    await first.press(HandOver(to=second.user_id).pack())
    assert TEXTS("colleague-gone") in first.last.text
    assert await is_coordinator(world, first.user_id)

    await first.click(TEXTS("btn-drop-role"))
    assert TEXTS("role-dropped") in first.last.text
    await first.click(TEXTS("btn-forget-yes"))
    assert await stored_user(world, first.user_id) is None
    assert await event_creators(world) == [None]
    async with world.app.uow_factory() as uow:
        kept = await uow.events.get(event.id)
    assert kept is not None
    assert kept.organisation_id == event.organisation_id
    assert kept.status == "published"


async def test_forget_of_someone_who_is_no_coordinator_is_as_before(world: World) -> None:
    chat = world.user()
    await register(chat)
    await chat.press(HandOver(to=0).pack())  # a forged hand-over: nothing to hand over
    assert chat.last_toast == TEXTS("button-outdated")
    assert TEXTS("forget-confirm") in chat.last.text
    await chat.click(TEXTS("btn-forget-yes"))
    assert await stored_user(world, chat.user_id) is None
