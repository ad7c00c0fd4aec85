"""Subscriptions to announcements of new events: a parent chooses their child's grade and
school, hears of each fitting new event once (with «Записаться», «Подробнее» and «Отписаться»),
unsubscribes with one tap (what is queued is dropped) and gets the same choice back with
«Вернуть подписку»; a student is subscribed for their own grade and school."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Conversation
from bot.local_session import Shown
from db.models import ALL_KINDS, AUDIENCE_BITS, KIND_BITS, EventKind, OutboxMessage
from db.records import EventDraft, EventRecord, SubscriptionRecord
from locales import Texts
from services import event_import
from services import events as event_service
from services.coordinators import Staff
from services.outbox_kinds import OutboxKind
from tests.conftest import TEXTS, World, register, settings_for_tests

ADMIN = 9001
PARENT_AUDIENCES = AUDIENCE_BITS["student"] | AUDIENCE_BITS["parent"]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def admin() -> Staff:
    return Staff(ADMIN, frozenset({ADMIN}))


async def organisation_ids(world: World) -> dict[str, int]:
    async with world.app.uow_factory() as uow:
        return {o.code: o.id for o in await uow.organisations.list_active()}


async def publish(world: World, title: str, **changes: object) -> EventRecord:
    """An event published through the coordinators' service: by default an open day at the
    college (not a school: every school's subscribers may hear of it) in a week, for school
    students of grades 8-11 and their parents."""
    start = world.clock() + timedelta(days=7)
    values: dict[str, object] = {
        "kind": EventKind.OPEN_DAY,
        "title": title,
        "organisation_id": (await organisation_ids(world))["zhdt"],
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "place": "ул. Коммунистическая, 2",
        "capacity": 30,
        "roles": ("student", "parent"),
        "grade_min": 8,
        "grade_max": 11,
    }
    values.update(changes)
    draft = EventDraft(**values)  # type: ignore[arg-type]
    async with world.app.uow_factory() as uow:
        return await event_service.create_event(uow, admin(), draft, world.clock())


async def send_outbox(world: World) -> int:
    return await world.app.scheduled_jobs(world.bot).send_outbox()


async def subscription_of(world: World, user_id: int) -> SubscriptionRecord | None:
    async with world.app.uow_factory() as uow:
        return await uow.subscriptions.get(user_id)


async def outbox_of(world: World, user_id: int) -> list[OutboxMessage]:
    async with world.app.uow_factory() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == user_id).order_by(OutboxMessage.id)
        )
        return list(rows)


def toggle(label: str, *, on: bool) -> str:
    """A multi-select button as the user sees it (✅ when chosen)."""
    return TEXTS("subscription-toggle", on="yes" if on else "no", label=label)


def grade(number: int) -> str:
    return TEXTS("btn-grade", grade=number)


def announcements(chat: Conversation) -> list[Shown]:
    return [m for m in chat.messages if m.text.startswith(TEXTS("announcement"))]


def choice(
    texts: Texts,
    *,
    kinds: str | None = None,
    roles: tuple[str, ...] = ("student", "parent"),
    grades: str = "9",
    school: str = "Школа № 1",
) -> str:
    """A subscription in words, as «Мои подписки» shows it."""
    return texts(
        "subscription-choice",
        kinds=kinds or texts("subscription-all-kinds"),
        audiences=", ".join(texts("event-audience", role=role) for role in roles),
        grades=grades,
        school=school,
    )


async def subscribe_parent(chat: Conversation, school: str = "Школа № 1") -> None:
    """A parent registers, opens «Мои подписки» and subscribes for a 9th-grader of `school`."""
    await register(chat, role=TEXTS("role-parent"), organisation=None, grade=None)
    await chat.click(TEXTS("btn-subscriptions"))
    assert TEXTS("subscriptions-none", role="parent") in chat.last.text
    await chat.click(TEXTS("btn-subscribe"))
    assert TEXTS("subscription-setup-grades") in chat.last.text
    await chat.click(toggle(grade(9), on=False))
    await chat.click(TEXTS("btn-setup-next"))
    await chat.click(school)


# --- a parent ----------------------------------------------------------------------------------


async def test_a_parent_hears_once_of_a_fitting_new_event_and_signs_up_from_the_announcement(
    world: World, chat: Conversation
) -> None:
    texts = world.app.texts
    await subscribe_parent(chat)
    assert chat.last_toast == texts("subscribed-toast")
    assert texts("subscriptions-on", choice=choice(texts)) in chat.last.text
    schools = await organisation_ids(world)
    stored = await subscription_of(world, chat.user_id)
    assert stored is not None
    assert (stored.active, stored.kinds, stored.audiences) == (True, ALL_KINDS, PARENT_AUDIENCES)
    assert (stored.grades, stored.organisation_id) == (1 << 9, schools["school-1"])

    # Competitions are not wanted.
    await chat.click(texts("btn-subscription-kinds"))
    await chat.click(toggle(texts("event-kind", kind=EventKind.COMPETITION), on=True))
    assert toggle(texts("event-kind", kind=EventKind.COMPETITION), on=False) in [
        label for label, _ in chat.last.buttons
    ]

    fitting = await publish(world, "День открытых дверей техникума")
    await publish(world, "Только для 10–11 классов", grade_min=10, grade_max=11)
    await publish(world, "Экскурсия школы № 5", organisation_id=schools["school-5"])
    await publish(world, "Конкурс профмастерства", kind=EventKind.COMPETITION)
    await publish(world, "Встреча для взрослых", roles=("adult",), grade_min=None, grade_max=None)

    assert await send_outbox(world) == 1
    [announcement] = announcements(chat)
    assert fitting.title in announcement.text
    assert [label for label, _ in announcement.buttons] == [
        texts("btn-event-sign-up"),
        texts("btn-event-more"),
        texts("btn-unsubscribe"),
    ]

    # An edit announces nothing more (those signed up hear of changes, not subscribers).
    async with world.app.uow_factory() as uow:
        draft = event_service.draft_of(fitting)
        changed = replace(draft, title="День открытых дверей ЗЖДТ", code=None)
        await event_service.update_event(uow, admin(), fitting.id, changed, world.clock())
    assert await send_outbox(world) == 0
    keys = [m.key for m in await outbox_of(world, chat.user_id)]
    assert keys == [f"announce:{fitting.id}"]

    await chat.click(texts("btn-event-sign-up"), on=announcement)
    assert chat.last_toast == texts("event-sign-up-toast", outcome="confirmed")
    assert texts("event-my-status", status="confirmed", position=0) in chat.last.text


async def test_more_opens_the_card_of_the_announced_event(world: World, chat: Conversation) -> None:
    await subscribe_parent(chat)
    event = await publish(world, "День открытых дверей")
    await send_outbox(world)
    await chat.click(world.app.texts("btn-event-more"), on=announcements(chat)[0])
    assert event.title in chat.last.text
    assert not chat.last.text.startswith(TEXTS("announcement"))
    assert world.app.texts("btn-event-sign-up") in [label for label, _ in chat.last.buttons]


async def test_one_tap_unsubscribes_drops_what_is_queued_and_vernut_restores_the_choice(
    world: World, chat: Conversation
) -> None:
    texts = world.app.texts
    await subscribe_parent(chat)
    before = await subscription_of(world, chat.user_id)
    await publish(world, "День открытых дверей")
    assert await send_outbox(world) == 1
    [announcement] = announcements(chat)
    queued = await publish(world, "Экскурсия в депо", kind=EventKind.EXCURSION)
    [_, pending] = await outbox_of(world, chat.user_id)
    assert (pending.key, pending.sent_at) == (f"announce:{queued.id}", None)

    await chat.click(texts("btn-unsubscribe"), on=announcement)
    assert chat.last_toast == texts("unsubscribed-toast")
    assert chat.last.text == texts("unsubscribed")
    assert [label for label, _ in chat.last.buttons] == [
        texts("btn-resubscribe"),
        texts("btn-subscriptions"),
        texts("btn-menu"),
    ]
    [_, dropped] = await outbox_of(world, chat.user_id)
    assert (dropped.kind, dropped.outcome) == (OutboxKind.ANNOUNCEMENT, "unsubscribed")
    assert await send_outbox(world) == 0
    await publish(world, "Ещё одна экскурсия", kind=EventKind.EXCURSION)
    assert len(await outbox_of(world, chat.user_id)) == 2  # nothing queued any more
    off = await subscription_of(world, chat.user_id)
    assert off is not None
    assert not off.active

    await chat.click(texts("btn-resubscribe"))
    assert chat.last_toast == texts("resubscribed-toast")
    assert texts("subscriptions-on", choice=choice(texts)) in chat.last.text
    again = await subscription_of(world, chat.user_id)
    assert before is not None
    assert again is not None
    assert again.active
    assert (again.kinds, again.audiences, again.grades, again.organisation_id) == (
        before.kinds,
        before.audiences,
        before.grades,
        before.organisation_id,
    )


async def test_an_imported_plan_is_announced_once(world: World, chat: Conversation) -> None:
    await subscribe_parent(chat)
    plan = (
        "code;kind;title;organisation;place;starts;ends;capacity;roles;grades\n"
        "den-zhdt;день открытых дверей;День открытых дверей ЗЖДТ;zhdt;ул. Коммунистическая, 2;"
        "12.12.2026 15:00;12.12.2026 17:00;60;школьники, родители;8-11\n"
        "semin;семинар;Семинар для педагогов;zhdt;Актовый зал;"
        "13.12.2026 15:00;13.12.2026 17:00;30;педагоги;\n"
    ).encode()
    organisations = await organisation_ids(world)
    for _ in range(2):  # the same file twice creates, and announces, nothing twice
        parsed = event_import.parse_events_csv(
            plan, organisations, world.app.texts.tz, world.clock()
        )
        async with world.app.uow_factory() as uow:
            await event_import.import_events(uow, parsed, None, world.clock())
    [queued] = await outbox_of(world, chat.user_id)
    assert queued.kind == OutboxKind.ANNOUNCEMENT
    assert await send_outbox(world) == 1
    assert "День открытых дверей ЗЖДТ" in announcements(chat)[0].text


# --- a student; changing the choice -----------------------------------------------------------


async def test_a_student_is_subscribed_for_their_grade_and_school_and_keeps_one_kind_and_group(
    world: World, chat: Conversation
) -> None:
    texts = world.app.texts
    await register(chat)  # a 9th-grader of school № 1
    await chat.send("/subscriptions")
    assert texts("subscriptions-none", role="student") in chat.last.text
    await chat.click(texts("btn-subscribe"))
    mine = choice(texts, roles=("student",))
    assert texts("subscriptions-on", choice=mine) in chat.last.text
    stored = await subscription_of(world, chat.user_id)
    assert stored is not None
    assert (stored.audiences, stored.grades) == (AUDIENCE_BITS["student"], 1 << 9)

    await chat.click(texts("btn-subscription-kinds"))
    *others, last = list(EventKind)
    for kind in others:
        await chat.click(toggle(texts("event-kind", kind=kind), on=True))
    await chat.click(toggle(texts("event-kind", kind=last), on=True))
    assert chat.last_toast == texts("subscription-keep-one", part="kind")
    stored = await subscription_of(world, chat.user_id)
    assert stored is not None
    assert stored.kinds == KIND_BITS[last]

    await chat.click(texts("btn-back"))
    await chat.click(texts("btn-subscription-audiences"))
    await chat.click(toggle(texts("event-audience", role="student"), on=True))
    assert chat.last_toast == texts("subscription-keep-one", part="audience")
    await chat.click(toggle(texts("event-audience", role="parent"), on=False))

    await chat.click(texts("btn-back"))
    await chat.click(texts("btn-subscription-grades"))
    await chat.click(toggle(grade(9), on=True))
    await chat.click(toggle(grade(10), on=False))
    await chat.click(texts("btn-back"))
    await chat.click(texts("btn-subscription-school"))
    await chat.click(toggle(texts("btn-all-schools"), on=False))
    assert chat.last_toast == texts("subscription-saved-toast")
    narrowed = choice(
        texts,
        kinds=texts("event-kind", kind=last),
        grades="10",
        school="all",
    )
    assert texts("subscriptions-on", choice=narrowed) in chat.last.text

    await chat.click(texts("btn-unsubscribe"))
    assert chat.last.text == texts("unsubscribed")
    await chat.send("/subscriptions")
    assert texts("subscriptions-off", choice=narrowed) in chat.last.text
    await chat.click(texts("btn-resubscribe"))
    assert texts("subscriptions-on", choice=narrowed) in chat.last.text


async def test_someone_without_consent_is_asked_for_it_first(
    world: World, chat: Conversation
) -> None:
    await chat.send("/subscriptions")
    assert world.app.texts("need-consent") in chat.last.text
    await chat.press("sub:on")
    assert world.app.texts("need-consent") in chat.last.text
    assert await subscription_of(world, chat.user_id) is None


# --- bad buttons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("subt:kind:nonsense", id="unknown-kind"),
        pytest.param("subt:audience:admin", id="unknown-audience"),
        pytest.param("subt:grade:12", id="grade-out-of-range"),
        pytest.param("subt:grade:" + "9" * 41, id="grade-too-long"),
        pytest.param("subo:999999", id="unknown-school"),
        pytest.param(f"subo:{2**31}", id="school-overflow"),
        pytest.param("subp:done:1:0", id="setup-no-such-grade"),
        pytest.param("subp:done:4096:0", id="setup-mask-overflow"),
        pytest.param("sub:nowhere", id="unknown-step"),
    ],
)
async def test_forged_subscription_buttons_are_refused_politely(
    world: World, chat: Conversation, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await subscribe_parent(chat)
    before = await subscription_of(world, chat.user_id)
    caplog.set_level(logging.WARNING)

    await chat.press(data)

    assert chat.last_toast == world.app.texts("button-outdated")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await subscription_of(world, chat.user_id) == before


async def test_a_picker_of_a_subscription_switched_off_is_out_of_date(
    world: World, chat: Conversation
) -> None:
    texts = world.app.texts
    await subscribe_parent(chat)
    await chat.click(texts("btn-subscription-grades"))
    picker = chat.last
    await chat.send("/subscriptions")
    await chat.click(texts("btn-unsubscribe"))
    await chat.click(toggle(grade(10), on=False), on=picker)
    assert chat.last_toast == texts("button-outdated")
    stored = await subscription_of(world, chat.user_id)
    assert stored is not None
    assert (stored.active, stored.grades) == (False, 1 << 9)
