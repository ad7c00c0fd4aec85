"""Events and professional trials through the bot: coordinators publish them, people sign up
(with a waiting list), get reminded, and attendance reaches the monitoring log."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.conversation import Conversation
from db.calendar import Moment
from db.models import (
    Event,
    EventKind,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Step,
    StepKind,
)
from db.records import EventDraft, EventRecord, RegistrationRecord
from db.repositories.outbox import INTERRUPTED, Outcome
from handlers.callbacks import (
    AdminAction,
    AdminStep,
    Attend,
    CalendarDay,
    CalendarMonth,
    EditorPick,
    EventAction,
    EventStep,
    Manage,
    ManageList,
    ManageStep,
    ShowEvent,
)
from handlers.ui import fit_label
from locales import Texts
from services import coordinators, outbox, profile
from services import events as event_service
from services.coordinators import Staff
from services.events import Applicant, DraftRejected
from tests.conftest import (
    KLIMOV_TITLE,
    TEXTS,
    FakeClock,
    World,
    register,
    send_outbox,
    settings_for_tests,
)

ADMIN = 9001
COORDINATOR = 9002


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def admin() -> Staff:
    return Staff(ADMIN, frozenset({ADMIN}))


async def college_id(world: World) -> int:
    async with world.app.uow_factory() as uow:
        [college, *_] = await uow.organisations.list_active("college")  # ЗЖДТ first
        return college.id


async def make_event(world: World, **changes: object) -> EventRecord:
    """An event published by the administrator: a trial at the college in a week, for
    students of grades 8-11, 20 seats."""
    start = world.clock() + timedelta(days=7)
    values: dict[str, object] = {
        "kind": EventKind.TRIAL,
        "title": "Проба: помощник машиниста",
        "organisation_id": await college_id(world),
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "place": "ул. Коммунистическая, 2",
        "capacity": 20,
        "roles": ("student",),
        "grade_min": 8,
        "grade_max": 11,
        "interest_types": ("technic",),
        "profession": "Помощник машиниста",
    }
    values.update(changes)
    draft = EventDraft(**values)  # type: ignore[arg-type]
    async with world.app.uow_factory() as uow:
        return await event_service.create_event(uow, admin(), draft, world.clock())


async def seats_taken(world: World, event_id: int) -> int:
    async with world.app.uow_factory() as uow:
        stored = await uow.events.get(event_id)
    assert stored is not None
    return stored.seats_taken


async def registrations(world: World, event_id: int) -> list[RegistrationRecord]:
    async with world.app.uow_factory() as uow:
        rows = await uow.session.scalars(
            select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
        )
        return [_record(row) for row in rows]


# --- finding and signing up --------------------------------------------------------------------


async def test_a_student_finds_a_trial_signs_up_and_sees_it_in_plans(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world)
    await register(chat)
    texts = world.app.texts
    await chat.click(texts("btn-events"))
    assert texts("events-list", count=1, kind="all", page=1, pages=1) in chat.last.text

    await chat.click(next(label for label, _ in chat.last.buttons if event.title in label))
    assert event.title in chat.last.text
    assert texts("event-seats", left=20, total=20) in chat.last.text
    await chat.click(texts("btn-event-sign-up"))

    assert chat.last_toast == texts("event-sign-up-toast", outcome="confirmed")
    assert texts("event-my-status", status="confirmed", position=0) in chat.last.text
    assert texts("event-seats", left=19, total=20) in chat.last.text
    [registration] = await registrations(world, event.id)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.display_name == "Аня"

    await chat.send("/plans")
    assert texts("plans", count=1) in chat.last.text
    await chat.click(texts("btn-plans-calendar"))
    [calendar] = world.telegram.files
    assert calendar.filename.endswith(".ics")
    assert b"BEGIN:VEVENT" in calendar.data


async def test_a_second_tap_on_sign_up_changes_nothing(world: World, chat: Conversation) -> None:
    event = await make_event(world)
    await register(chat)
    button = EventAction(id=event.id, action=EventStep.SIGN_UP).pack()
    await chat.press(button)
    await chat.press(button)
    assert chat.last_toast == world.app.texts("event-sign-up-toast", outcome="already")
    assert len(await registrations(world, event.id)) == 1
    assert await seats_taken(world, event.id) == 1


async def test_two_taps_on_sign_up_at_the_same_moment_take_one_seat(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world)
    await register(chat)
    button = EventAction(id=event.id, action=EventStep.SIGN_UP).pack()
    await asyncio.gather(chat.press(button), chat.press(button))
    texts = world.app.texts
    toasts = sorted(t.text or "" for t in world.telegram.toasts[-2:])
    assert toasts == sorted(
        [
            texts("event-sign-up-toast", outcome="confirmed"),
            texts("event-sign-up-toast", outcome="already"),
        ]
    )
    [registration] = await registrations(world, event.id)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert await seats_taken(world, event.id) == 1


async def test_events_not_for_the_user_are_not_listed_and_cannot_be_joined(
    world: World, chat: Conversation
) -> None:
    for_parents = await make_event(world, title="Родительское собрание", roles=("parent",))
    for_seniors = await make_event(world, title="Для 10-11", grade_min=10, grade_max=11)
    await register(chat)  # a 9th-grader
    texts = world.app.texts
    await chat.send("/events")
    assert texts("events-none", kind="all", registered="yes") in chat.last.text

    for event, reason in ((for_parents, "role"), (for_seniors, "grade")):
        await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
        assert chat.last_toast == texts("event-refused-toast", reason=reason)
        assert texts("event-refused", reason=reason) in chat.last.text
        assert await registrations(world, event.id) == []


async def test_sign_up_closes_at_the_deadline_and_for_a_cancelled_event(
    world: World, chat: Conversation
) -> None:
    soon = await make_event(world, signup_deadline=world.clock() + timedelta(days=1))
    cancelled = await make_event(world, title="Отменённая проба")
    async with world.app.uow_factory() as uow:
        await event_service.cancel_event(uow, admin(), cancelled.id, world.clock())
    await register(chat)
    world.clock.advance(days=2)
    texts = world.app.texts
    for event, reason in ((soon, "closed"), (cancelled, "cancelled")):
        await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
        assert chat.last_toast == texts("event-refused-toast", reason=reason)
        assert await registrations(world, event.id) == []


async def one_seat_and_two_waiting(
    world: World, first_id: int
) -> tuple[EventRecord, list[Conversation]]:
    """An event of one seat and three registered students who tapped «Записаться» in turn:
    the first has the seat, the other two wait in line."""
    event = await make_event(world, capacity=1)
    people = [world.user(first_id + i, f"Ученик {i}") for i in range(3)]
    for chat in people:
        await register(chat)
        await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    return event, people


async def test_a_full_event_has_a_waiting_list_and_a_freed_seat_goes_to_the_first_in_line(
    world: World,
) -> None:
    event, (first, second, third) = await one_seat_and_two_waiting(world, 6001)
    texts = world.app.texts
    assert second.last_toast == texts("event-sign-up-toast", outcome="waitlisted")
    assert texts("event-my-status", status="waitlisted", position=2) in third.last.text

    await first.press(EventAction(id=event.id, action=EventStep.CANCEL_CONFIRMED).pack())
    assert first.last_toast == texts("event-cancel-toast", done="yes")
    statuses = {r.user_id: r.status for r in await registrations(world, event.id)}
    assert statuses == {6001: "cancelled", 6002: "confirmed", 6003: "waitlisted"}

    assert await send_outbox(world) == 1
    assert texts("event-promoted") in second.last.text
    assert await send_outbox(world) == 0  # told once


async def test_a_seat_of_someone_who_erases_their_data_goes_to_the_first_in_line(
    world: World,
) -> None:
    """/forget deletes the user's sign-ups with them; their seat must not stay taken by nobody:
    the first in line gets it and is told, as if the seat had been given up."""
    event, (first, second, third) = await one_seat_and_two_waiting(world, 6101)
    texts = world.app.texts

    await first.send("/forget")
    await first.click(texts("btn-forget-yes"))
    assert texts("forget-done") in first.last.text

    statuses = {r.user_id: r.status for r in await registrations(world, event.id)}
    assert statuses == {6102: "confirmed", 6103: "waitlisted"}
    async with world.app.uow_factory() as uow:
        stored = await uow.events.get(event.id)
    assert stored is not None
    assert stored.seats_taken == 1
    assert await send_outbox(world) == 1
    assert texts("event-promoted") in second.last.text
    await third.press(ShowEvent(id=event.id).pack())
    assert texts("event-my-status", status="waitlisted", position=1) in third.last.text


async def test_more_seats_go_to_those_waiting_in_the_order_they_joined(world: World) -> None:
    event = await make_event(world, capacity=1)
    people = [world.user(6101 + i, f"Ученик {i}") for i in range(4)]
    for chat in people:
        await register(chat)
        await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    async with world.app.uow_factory() as uow:
        draft = replace(event_service.draft_of(event), capacity=3, code=None)
        await event_service.update_event(uow, admin(), event.id, draft, world.clock())
    rows = sorted(await registrations(world, event.id), key=lambda r: r.user_id)
    statuses = [r.status for r in rows]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert await seats_taken(world, event.id) == 3
    assert await send_outbox(world) == 2  # the two who moved up are told
    assert all(world.app.texts("event-promoted") in p.last.text for p in people[1:3])


async def test_cancelling_what_one_is_not_signed_up_for_changes_nothing(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world)
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.CANCEL_CONFIRMED).pack())
    assert chat.last_toast == world.app.texts("event-cancel-toast", done="no")
    assert await registrations(world, event.id) == []


# --- deep links ----------------------------------------------------------------------------------


async def test_a_newcomer_by_an_event_link_lands_on_the_event_after_consent_and_profile(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world)
    texts = world.app.texts
    await chat.send(f"/start {event.code}")
    assert texts("welcome", linked="yes") in chat.last.text
    await register_after_start(chat, texts)
    assert event.title in chat.last.text
    assert any(label == texts("btn-event-sign-up") for label, _ in chat.last.buttons)


async def register_after_start(chat: Conversation, texts: Texts) -> None:
    """The rest of `register` once /start has been sent."""
    await chat.click(texts("btn-welcome-next"))
    await chat.click(texts("btn-agree"))
    await chat.click(texts("role-student"))
    await chat.click("Школа № 1")
    await chat.click(texts("btn-grade", grade=9))


async def test_an_unknown_event_link_is_answered_politely(world: World, chat: Conversation) -> None:
    await register(chat)
    await chat.send("/start enosuchcode")
    assert world.app.texts("event-link-unknown") in chat.last.text


# --- reminders ----------------------------------------------------------------------------------


async def test_reminders_a_day_and_two_hours_before_once_each_even_across_a_restart(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world, starts_at=world.clock() + timedelta(days=3))
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    texts = world.app.texts

    assert await send_outbox(world) == 0  # three days ahead: nothing yet
    world.clock.now = event.starts_at - timedelta(hours=23)  # the day-before moment was missed
    assert await send_outbox(world) == 1
    assert texts("event-reminder", hours=24) in chat.last.text
    assert await send_outbox(world) == 0

    world.clock.now = event.starts_at - timedelta(hours=1, minutes=50)
    assert await send_outbox(world) == 1
    assert texts("event-reminder", hours=2) in chat.last.text
    assert await send_outbox(world) == 0
    world.clock.now = event.starts_at + timedelta(minutes=1)
    assert await send_outbox(world) == 0


async def test_with_event_reminder_hours_empty_nobody_is_reminded(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world, starts_at=world.clock() + timedelta(days=3))
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    signed_up = chat.last.text
    world.app.settings = world.app.settings.model_copy(update={"event_reminder_hours": ()})
    for before in (timedelta(hours=23), timedelta(hours=1, minutes=50)):
        world.clock.now = event.starts_at - before
        assert await send_outbox(world) == 0
    assert chat.last.text == signed_up


async def test_a_reminder_whose_sending_was_interrupted_is_not_sent_twice(
    world: World, chat: Conversation
) -> None:
    """A process killed while a message's request was on its way: Telegram may have delivered
    it, so it is not sent again; once the lease lapses it is recorded as interrupted."""
    event = await make_event(world, starts_at=world.clock() + timedelta(hours=20))
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    lease = timedelta(seconds=world.app.settings.outbox_lease_seconds)
    async with world.app.uow_factory() as uow:
        await outbox.queue_event_reminders(uow, (24,), world.clock())
        assert len(await outbox.claim(uow, world.clock(), 10, lease)) == 1  # ...and it dies
    assert await send_outbox(world) == 0  # still in the hands of the other process
    world.clock.advance(seconds=lease.total_seconds() + 1)
    assert await send_outbox(world) == 0
    async with world.app.uow_factory() as uow:
        rows = (await uow.session.execute(select(OutboxMessage.outcome, OutboxMessage.error))).all()
    assert rows == [(Outcome.FAILED, INTERRUPTED)]
    assert TEXTS("event-reminder", hours=24) not in chat.last.text


# --- changes and cancellation -----------------------------------------------------------------


async def test_a_change_and_a_cancellation_are_told_to_everyone_signed_up(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world)
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    texts = world.app.texts
    draft = event_service.draft_of(event)
    moved = draft.starts_at + timedelta(hours=1)
    changed = replace(draft, starts_at=moved, ends_at=moved + timedelta(hours=2))
    async with world.app.uow_factory() as uow:
        await event_service.update_event(uow, admin(), event.id, changed, world.clock())
    assert await send_outbox(world) == 1
    fields = ", ".join(texts("event-field", field=f) for f in ("starts_at", "ends_at"))
    assert texts("event-changed", fields=fields) in chat.last.text

    async with world.app.uow_factory() as uow:
        await event_service.cancel_event(uow, admin(), event.id, world.clock())
        await event_service.cancel_event(uow, admin(), event.id, world.clock())
    assert await send_outbox(world) == 1
    assert event.title in chat.last.text
    assert await send_outbox(world) == 0


# --- coordinators ---------------------------------------------------------------------------


async def appoint(world: World, user: Conversation) -> None:
    """The administrator invites `user` by a one-time link, which they open."""
    async with world.app.uow_factory() as uow:
        invite = await coordinators.create_invite(
            uow, admin(), await college_id(world), world.clock()
        )
    await user.send(f"/start {invite.code}")


async def new_event_dialog(world: World, kind: str) -> Conversation:
    """A coordinator of the college, in the editor, having chosen the kind."""
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, coordinator)
    texts = world.app.texts
    await coordinator.click(texts("btn-manage"))
    await coordinator.click(texts("btn-event-new"))
    await coordinator.click(texts("event-kind", kind=kind))
    return coordinator


async def test_an_invite_makes_a_coordinator_once(world: World) -> None:
    coordinator, stranger = world.user(COORDINATOR, "Ольга"), world.user(9003, "Пётр")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await register(stranger)
    async with world.app.uow_factory() as uow:
        invite = await coordinators.create_invite(
            uow, admin(), await college_id(world), world.clock()
        )
    await coordinator.send(f"/start {invite.code}")
    texts = world.app.texts
    assert texts("btn-manage") in [label for label, _ in coordinator.last.buttons]
    await coordinator.send("/help")  # a coordinator's help names the cabinet; others' does not
    assert texts("help", role="teacher", coordinator="yes") in coordinator.last.text
    assert "/manage" in coordinator.last.text
    await stranger.send("/help")
    assert "/manage" not in stranger.last.text
    await stranger.send(f"/start {invite.code}")
    assert texts("invite-unknown") in stranger.last.text
    async with world.app.uow_factory() as uow:
        assert await uow.coordinators.get(stranger.user_id) is None


async def test_text_typed_in_the_cabinet_is_answered_with_the_cabinet(world: World) -> None:
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, coordinator)
    event = await make_event(world)
    texts = world.app.texts
    cabinet_head = texts("manage-list", count=1, organisation="").split("—")[0].strip()
    await coordinator.send("/manage")
    await coordinator.send("что тут делать?")
    assert coordinator.last.text.startswith(texts("unexpected-text"))
    assert cabinet_head in coordinator.last.text
    assert texts("btn-event-new") in [label for label, _ in coordinator.last.buttons]
    # On an event's card too, and the dialog of a new event still takes typed text.
    await coordinator.press(Manage(id=event.id, action=ManageStep.SHOW).pack())
    await coordinator.send("а это?")
    assert cabinet_head in coordinator.last.text
    await coordinator.click(texts("btn-event-new"))
    await coordinator.click(texts("event-kind", kind="trial"))
    await coordinator.send("Проба: сварщик")
    assert texts("btn-editor-skip") in [label for label, _ in coordinator.last.buttons]
    # Once back in the main menu, typed text is answered with the main menu again.
    await coordinator.click(texts("btn-editor-cancel"))
    await coordinator.send("/menu")
    await coordinator.send("привет")
    assert texts("btn-manage") in [label for label, _ in coordinator.last.buttons]
    assert cabinet_head not in coordinator.last.text


async def test_the_administrator_invites_sees_the_coordinator_by_id_and_revokes(
    world: World,
) -> None:
    boss = world.user(ADMIN, "Админ")
    await register(boss, role=TEXTS("role-teacher"), grade=None)
    texts = world.app.texts
    await boss.send("/admin")
    await boss.click(texts("btn-admin-invite"))
    await boss.click("ЗЖДТ")
    code = boss.last.text.split("start=")[1].split()[0]
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await coordinator.send(f"/start {code}")
    await boss.send("/help")  # an administrator's help names the administration too
    assert texts("help", role="teacher", coordinator="admin") in boss.last.text
    assert "/admin" in boss.last.text
    await coordinator.send("/help")
    assert "/stats" in coordinator.last.text
    assert "/admin" not in coordinator.last.text
    await boss.send("/admin")
    line = texts(
        "admin-coordinator", user=str(COORDINATOR), channel="telegram", organisation="ЗЖДТ"
    )
    assert line in boss.last.text
    assert f"ID {COORDINATOR} в Telegram" in line
    await boss.click(texts("btn-admin-revoke", user=str(COORDINATOR)))
    assert texts("admin-revoke-confirm", user=str(COORDINATOR)) in boss.last.text
    revoke = dict(boss.last.buttons)[texts("btn-admin-revoke-yes")]
    await boss.click(texts("btn-admin-revoke-yes"))
    assert boss.last_toast == texts("admin-revoked-toast", done="True")
    async with world.app.uow_factory() as uow:
        assert await uow.coordinators.get(COORDINATOR) is None
        [college] = [o for o in await uow.organisations.list_active() if o.code == "zhdt"]
    # The coordinator is told at once, through the outbox; a second tap tells them nothing more.
    await boss.press(revoke)
    assert boss.last_toast == texts("admin-revoked-toast", done="False")
    await send_outbox(world)
    notice = texts("coordinator-revoked", organisation=college.name)
    assert coordinator.last.text == notice
    assert [m.text for m in coordinator.messages].count(notice) == 1
    assert college.name in notice


async def test_a_coordinator_creates_a_trial_in_the_guided_dialog(world: World) -> None:
    coordinator = await new_event_dialog(world, "trial")
    texts = world.app.texts
    await coordinator.send("Проба: электромонтёр")
    await coordinator.click(texts("btn-editor-skip"))
    await coordinator.send("ул. Коммунистическая, 2, мастерские")
    await coordinator.send("1.12 15:00")  # typed; the calendar is the other way
    await coordinator.click(texts("btn-duration", minutes=120))
    await coordinator.click("20")
    await coordinator.click(texts("btn-deadline", days=1))
    await coordinator.click(
        texts("btn-toggle", on="False", label=texts("event-audience", role="student"))
    )
    await coordinator.click(texts("btn-editor-done"))
    await coordinator.send("8-11")
    await coordinator.click(
        texts("btn-toggle", on="False", label=texts("interest-type", type="technic"))
    )
    await coordinator.click(texts("btn-editor-done"))
    await coordinator.send("Электромонтёр")
    assert texts("editor-preview", editing="False") in coordinator.last.text
    await coordinator.click(texts("btn-editor-publish", editing="False"))
    # Published: the way on is named (the event in the cabinet) and the menu is there too.
    assert [label for label, _ in coordinator.last.buttons] == [
        texts("btn-manage-open"),
        texts("btn-menu"),
    ]
    await coordinator.click(texts("btn-manage-open"))
    assert texts("btn-manage-people") in [label for label, _ in coordinator.last.buttons]

    async with world.app.uow_factory() as uow:
        [stored] = list(await uow.session.scalars(select(Event)))
    assert stored.title == "Проба: электромонтёр"
    assert stored.capacity == 20
    assert (stored.grade_min, stored.grade_max) == (8, 11)
    assert stored.starts_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 15:00 in Irkutsk
    assert stored.signup_deadline == stored.starts_at - timedelta(days=1)
    assert stored.profession == "Электромонтёр"


async def test_a_date_in_the_past_is_refused_in_the_dialog(world: World) -> None:
    coordinator = await new_event_dialog(world, "open_day")
    texts = world.app.texts
    await coordinator.send("День открытых дверей")
    await coordinator.click(texts("btn-editor-skip"))
    await coordinator.send("ул. Коммунистическая, 2")
    await coordinator.send("31.02 15:00")
    assert texts("editor-not-understood", step="start") in coordinator.last.text
    await coordinator.send("garbage")
    assert texts("editor-not-understood", step="start") in coordinator.last.text
    await coordinator.send("20.11 15:00")  # last week: the next 20 November is a year away
    await coordinator.click(texts("btn-duration", minutes=60))
    for seats in ("0", "-5", "много"):
        await coordinator.send(seats)
        assert texts("editor-not-understood", step="capacity") in coordinator.last.text
    await coordinator.send("без ограничения")
    assert texts("editor-step", step="deadline") in coordinator.last.text


COORDINATOR_BUTTONS = [
    *(Manage(id=1, action=step).pack() for step in ManageStep),
    Attend(event=1, user=5001, came=True).pack(),
    EditorPick(field="new").pack(),
    EditorPick(field="publish").pack(),
    ManageList(page=0).pack(),
    *(AdminAction(action=step, target=1).pack() for step in AdminStep),
]


@pytest.mark.parametrize("data", COORDINATOR_BUTTONS)
async def test_every_coordinator_action_is_refused_to_others_and_changes_nothing(
    world: World, chat: Conversation, data: str
) -> None:
    event = await make_event(world, starts_at=world.clock() + timedelta(hours=1))
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    world.clock.advance(hours=2)
    data = data.replace(":1:", f":{event.id}:")
    before = await registrations(world, event.id)

    await chat.press(data)

    texts = world.app.texts
    assert chat.last_toast == texts("not-permitted-toast")
    assert texts("not-permitted") in chat.last.text
    assert await registrations(world, event.id) == before
    assert world.telegram.files == []
    async with world.app.uow_factory() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Step)) == 0
        assert len(list(await uow.session.scalars(select(Event)))) == 1


@pytest.mark.parametrize("command", ["/manage", "/admin"])
async def test_coordinator_commands_are_refused_to_others(
    world: World, chat: Conversation, command: str
) -> None:
    await register(chat)
    await chat.send(command)
    assert world.app.texts("not-permitted") in chat.last.text


async def test_a_revoked_coordinator_loses_the_rights_at_once(world: World) -> None:
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, coordinator)
    event = await make_event(world)
    texts = world.app.texts
    await coordinator.click(texts("btn-manage"))
    async with world.app.uow_factory() as uow:
        assert await coordinators.revoke(uow, admin(), COORDINATOR, world.clock())
    await coordinator.press(Manage(id=event.id, action=ManageStep.CANCEL_CONFIRMED).pack())
    assert coordinator.last_toast == texts("not-permitted-toast")
    async with world.app.uow_factory() as uow:
        stored = await uow.events.get(event.id)
    assert stored is not None
    assert stored.status == "published"


async def test_a_coordinator_of_another_organisation_cannot_touch_the_event(world: World) -> None:
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    async with world.app.uow_factory() as uow:
        [school, *_] = await uow.organisations.list_active("school")
        invite = await coordinators.create_invite(uow, admin(), school.id, world.clock())
    await coordinator.send(f"/start {invite.code}")
    event = await make_event(world)  # the college's
    await coordinator.press(Manage(id=event.id, action=ManageStep.PEOPLE).pack())
    assert coordinator.last_toast == world.app.texts("not-permitted-toast")


# --- attendance, the monitoring log, the questions after a trial ----------------------------


async def test_attendance_goes_to_the_monitoring_log_and_the_trial_asks_two_questions(
    world: World, chat: Conversation
) -> None:
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, coordinator)
    event = await make_event(world, starts_at=world.clock() + timedelta(hours=3))
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    world.clock.advance(hours=4)
    texts = world.app.texts

    await coordinator.press(Manage(id=event.id, action=ManageStep.ALL_CAME).pack())
    assert coordinator.last_toast == texts("manage-all-came-toast", count=1)
    await coordinator.press(Manage(id=event.id, action=ManageStep.ALL_CAME).pack())

    async with world.app.uow_factory() as uow:
        steps = list(await uow.session.scalars(select(Step).order_by(Step.id)))
    assert [(s.kind, s.role, s.grade) for s in steps] == [
        (StepKind.EVENT_ATTENDED, "student", 9),
        (StepKind.TRIAL_COMPLETED, "student", 9),
    ]
    assert await send_outbox(world) == 1
    assert texts("feedback-liked", title="Помощник машиниста") in chat.last.text
    await chat.click(texts("btn-yes"))
    await chat.click(texts("btn-partly"))
    assert texts("feedback-thanks") in chat.last.text
    async with world.app.uow_factory() as uow:
        feedback = await uow.session.scalar(
            select(Step).where(Step.kind == StepKind.TRIAL_FEEDBACK)
        )
    assert feedback is not None
    assert feedback.detail["liked"] is True
    assert feedback.detail["helped"] == "partly"


async def test_an_event_that_ended_days_ago_is_still_in_the_cabinet_for_attendance(
    world: World, chat: Conversation
) -> None:
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, coordinator)
    start = world.clock() + timedelta(hours=3)
    event = await make_event(world, starts_at=start, ends_at=start + timedelta(hours=2))
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    world.clock.advance(days=3)  # it ended three days ago
    texts = world.app.texts

    await coordinator.send("/manage")
    label = texts(
        "btn-manage-item",
        status="over",
        date=texts.when(event.starts_at, "d MMM"),
        title=event.title,
    )
    await coordinator.click(fit_label(label))
    await coordinator.click(texts("btn-manage-all-came"))
    assert coordinator.last_toast == texts("manage-all-came-toast", count=1)
    [registration] = await registrations(world, event.id)
    assert registration.status == RegistrationStatus.ATTENDED

    world.clock.advance(days=14)  # past the marking window: the cabinet no longer lists it
    await coordinator.send("/manage")
    async with world.app.uow_factory() as uow:
        college = await uow.organisations.get(event.organisation_id)
    assert college is not None
    assert texts("manage-list", count=0, organisation=college.name) in coordinator.last.text


async def test_the_organiser_gets_the_list_as_csv_and_xlsx_and_a_qr_code(
    world: World, chat: Conversation
) -> None:
    event = await make_event(world)
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    boss = world.user(ADMIN, "Админ")
    await register(boss, role=TEXTS("role-teacher"), grade=None)
    for step in (ManageStep.CSV, ManageStep.XLSX, ManageStep.LINK):
        await boss.press(Manage(id=event.id, action=step).pack())
    csv_file, xlsx_file, qr = world.telegram.files
    assert "Аня".encode() in csv_file.data
    assert xlsx_file.data.startswith(b"PK")
    assert qr.data.startswith(b"\x89PNG")
    assert event.code in (qr.caption or "")


async def test_a_title_with_html_characters_is_shown_as_typed_everywhere(
    world: World, chat: Conversation
) -> None:
    """The bot speaks HTML to Telegram, which refuses a message with a stray "<" (the local Bot
    API refuses it the same way): every screen must escape the title."""
    title = "Проба <сварщик> & «электрик»"
    event = await make_event(world, title=title)
    texts = world.app.texts
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    assert "Проба &lt;сварщик&gt; &amp; «электрик»" in chat.last.text
    boss = world.user(ADMIN, "Админ")
    await register(boss, role=TEXTS("role-teacher"), grade=None)
    await boss.press(Manage(id=event.id, action=ManageStep.LINK).pack())
    [qr] = world.telegram.files
    assert "&lt;сварщик&gt;" in (qr.caption or "")
    await boss.press(Manage(id=event.id, action=ManageStep.EDIT).pack())
    await boss.click(texts("btn-editor-publish", editing="True"))
    assert texts("error") not in boss.last.text
    assert "&lt;сварщик&gt;" in boss.last.text


# --- capacity under concurrency -------------------------------------------------------------


async def test_200_simultaneous_sign_ups_for_20_seats_give_exactly_20(
    world: World, clock: FakeClock
) -> None:
    event = await make_event(world)
    moment = Moment(clock(), world.app.texts.tz)
    async with world.app.uow_factory() as uow:
        school = (await uow.organisations.list_active("school"))[0]
        for user_id in range(10_000, 10_200):
            await profile.give_consent(uow, user_id, "v", clock())
            await profile.choose_role(uow, user_id, "student", clock())
            await profile.choose_organisation(uow, user_id, school.id, clock())
            await profile.choose_grade(uow, world.app.catalogue, user_id, 9, moment)

    async def sign_up(user_id: int) -> tuple[str, int | None]:
        async with world.app.uow_factory() as uow:
            outcome, view = await event_service.sign_up(
                uow, Applicant(user_id, f"u{user_id}"), event.id, moment, consent_version="v"
            )
            return outcome, view.position

    results = await asyncio.gather(*(sign_up(u) for u in range(10_000, 10_200)))
    outcomes = [outcome for outcome, _ in results]
    assert outcomes.count("confirmed") == 20
    assert outcomes.count("waitlisted") == 180
    # Each one waiting was told their own place in line.
    told = sorted(position or 0 for outcome, position in results if outcome == "waitlisted")
    assert told == list(range(1, 181))
    rows = await registrations(world, event.id)
    assert len(rows) == 200
    assert len({r.user_id for r in rows}) == 200
    assert sum(r.status == "confirmed" for r in rows) == 20
    async with world.app.uow_factory() as uow:
        stored = await uow.events.get(event.id)
        waiting = [r for r in rows if r.status == "waitlisted"]
        positions = [await uow.registrations.waiting_position(r) for r in waiting]
    assert stored is not None
    assert stored.seats_taken == 20
    assert sorted(positions) == list(range(1, 181))


def _record(row: Registration) -> RegistrationRecord:
    return RegistrationRecord(
        row.id,
        row.event_id,
        row.user_id,
        row.status,
        row.display_name,
        row.queued_at,
        row.created_at,
        row.updated_at,
    )


async def test_a_chosen_code_that_is_taken_is_refused_and_a_made_up_one_is_unique(
    world: World,
) -> None:
    first = await make_event(world, code="den-zhdt")
    with pytest.raises(DraftRejected) as refused:
        await make_event(world, code="den-zhdt", title="Другое")
    assert [p.name for p in refused.value.problems] == ["code-taken"]
    made_up = [await make_event(world) for _ in range(3)]
    assert len({first.code, *(e.code for e in made_up)}) == 4


async def test_the_questionnaire_result_suggests_matching_trials(
    world: World, chat: Conversation
) -> None:
    technic = await make_event(world)  # interest type: technic
    await make_event(world, title="Проба: парикмахер", interest_types=("art",))
    await register(chat)
    texts = world.app.texts
    await chat.click(texts("btn-quiz-start", title=KLIMOV_TITLE))
    await chat.click(texts("btn-quiz-begin"))
    for letter in "БАААААБАААБАААААБААА":  # technic leads (see test_quiz_flow)
        await chat.click(letter)
    assert texts("result-events") in chat.last.text
    suggested = [label for label, data in chat.last.buttons if data.startswith("ev:")]
    assert len(suggested) == 1
    assert technic.title[:20] in suggested[0]


@pytest.mark.parametrize("data", ["calm:start:2026:13", "calm:start:0:1", "cald:start:2026:2:32"])
async def test_a_forged_calendar_button_leaves_the_date_step_working(
    world: World, data: str
) -> None:
    coordinator = await new_event_dialog(world, "excursion")
    texts = world.app.texts
    await coordinator.send("Экскурсия в депо")
    await coordinator.click(texts("btn-editor-skip"))
    await coordinator.send("Локомотивное депо")
    date_step = coordinator.last.text
    await coordinator.press(data)
    assert coordinator.last_toast == texts("button-outdated")
    # The dialog is where it was: the date step, its calendar still drawn, a date still taken.
    await coordinator.press(CalendarMonth(field="start", year=2026, month=12).pack())
    assert coordinator.last.text == date_step
    await coordinator.send("2.12 15:00")
    assert coordinator.last.text != date_step


async def test_the_preview_lists_what_is_wrong_and_offers_no_publishing_until_fixed(
    world: World,
) -> None:
    coordinator = await new_event_dialog(world, "excursion")
    texts = world.app.texts
    await coordinator.send("Экскурсия в депо")
    await coordinator.click(texts("btn-editor-skip"))
    await coordinator.send("Локомотивное депо")
    await coordinator.press(CalendarDay(field="start", year=2026, month=11, day=20).pack())
    assert coordinator.last_toast == texts("editor-date-past")
    await coordinator.send("2.12 15:00")
    await coordinator.send("14:00")  # the end, before the start
    await coordinator.click("20")
    await coordinator.click(texts("btn-deadline", days=0))
    await coordinator.click(texts("btn-editor-done"))
    assert coordinator.last_toast == texts("editor-roles-needed")
    await coordinator.click(
        texts("btn-toggle", on="False", label=texts("event-audience", role="parent"))
    )
    await coordinator.click(texts("btn-editor-done"))
    await coordinator.click(texts("btn-editor-done"))  # no interest types
    preview = coordinator.last
    assert texts("event-problem-end-before-start") in preview.text
    assert texts("btn-editor-publish", editing="False") not in [b for b, _ in preview.buttons]
    await coordinator.click(texts("btn-editor-change", step="end"))
    await coordinator.click(texts("btn-duration", minutes=90))
    assert texts("event-problem-end-before-start") not in coordinator.last.text
    await coordinator.click(texts("btn-editor-publish", editing="False"))
    async with world.app.uow_factory() as uow:
        [stored] = list(await uow.session.scalars(select(Event)))
    assert stored.ends_at - stored.starts_at == timedelta(minutes=90)
    assert stored.capacity == 20


async def editing_coordinator(world: World) -> Conversation:
    """A coordinator of the college, not yet in the editor."""
    coordinator = world.user(COORDINATOR, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    await appoint(world, coordinator)
    return coordinator


async def sign_up_people(world: World, event_id: int, user_ids: range) -> None:
    for user_id in user_ids:
        person = world.user(user_id, f"Ученик {user_id}")
        await register(person)
        await person.press(EventAction(id=event_id, action=EventStep.SIGN_UP).pack())


async def test_the_preview_of_a_change_shows_the_seats_left_as_they_are_now(world: World) -> None:
    event = await make_event(world)  # 20 seats
    await sign_up_people(world, event.id, range(9101, 9103))
    coordinator = await editing_coordinator(world)
    texts = world.app.texts
    await coordinator.press(Manage(id=event.id, action=ManageStep.EDIT).pack())
    preview = coordinator.last.text
    assert texts("editor-preview", editing="True") in preview
    assert texts("event-seats", left=18, total=20) in preview
    assert texts("event-seats", left=20, total=20) not in preview
    # Someone signs up while the dialog is open: the next preview counts them.
    await sign_up_people(world, event.id, range(9103, 9104))
    await coordinator.click(texts("btn-editor-change", step="capacity"))
    await coordinator.click("25")
    assert texts("event-seats", left=22, total=25) in coordinator.last.text
    await coordinator.click(texts("btn-editor-publish", editing="True"))
    assert texts("btn-manage-open") in [label for label, _ in coordinator.last.buttons]
    assert await seats_taken(world, event.id) == 3


async def test_fewer_seats_than_signed_up_are_refused_in_the_preview_and_on_saving(
    world: World,
) -> None:
    event = await make_event(world)  # 20 seats
    await sign_up_people(world, event.id, range(9101, 9103))
    coordinator = await editing_coordinator(world)
    texts = world.app.texts
    await coordinator.press(Manage(id=event.id, action=ManageStep.EDIT).pack())
    await coordinator.click(texts("btn-editor-change", step="capacity"))
    await coordinator.send("1")
    preview = coordinator.last
    assert texts("event-problem-capacity-below-taken", taken=2) in preview.text
    assert texts("btn-editor-publish", editing="True") not in [b for b, _ in preview.buttons]
    # Three seats are enough for two; two more sign up before it is saved: refused, and why.
    await coordinator.click(texts("btn-editor-change", step="capacity"))
    await coordinator.send("3")
    assert texts("event-problem-capacity-below-taken", taken=2) not in coordinator.last.text
    await sign_up_people(world, event.id, range(9103, 9105))
    await coordinator.click(texts("btn-editor-publish", editing="True"))
    refused = coordinator.last
    assert texts("editor-rejected", count=1) in refused.text
    assert texts("event-problem-capacity-below-taken", taken=4) in refused.text
    assert texts("btn-editor-publish", editing="True") not in [b for b, _ in refused.buttons]
    async with world.app.uow_factory() as uow:
        stored = await uow.events.get(event.id)
    assert stored is not None
    assert (stored.capacity, stored.seats_taken) == (20, 4)
    statuses = [r.status for r in await registrations(world, event.id)]
    assert statuses == [RegistrationStatus.CONFIRMED] * 4
    # As many seats as are taken is allowed: the event is full, nobody loses a seat.
    await coordinator.click(texts("btn-editor-change", step="capacity"))
    await coordinator.send("4")
    assert texts("event-seats", left=0, total=4) in coordinator.last.text
    await coordinator.click(texts("btn-editor-publish", editing="True"))
    async with world.app.uow_factory() as uow:
        stored = await uow.events.get(event.id)
    assert stored is not None
    assert (stored.capacity, stored.seats_taken) == (4, 4)
