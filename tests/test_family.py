"""Parents and children: a student's one-time link for a parent (7 days), the parent's answer,
what a linked parent sees and gets, unlinking; and a child under 14, whose parent gives the
consent, with nothing stored about the child until then."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.conversation import Conversation
from db.calendar import Moment
from db.models import ConversationState, FamilyInvite, OutboxMessage, ParentLink, User
from handlers.callbacks import (
    EventAction,
    EventStep,
    Family,
    FamilyStep,
    GuestAnswer,
    Minor,
    MinorStep,
)
from handlers.ui import LABEL
from handlers.views.family import children_view
from services import family
from tests.conftest import TEXTS, World, register, send_outbox, settings_for_tests, stored_user
from tests.test_events import ADMIN, make_event
from tests.test_privacy import finish_quiz

LINK = re.compile(r"https://t\.me/zima_prof_bot\?start=(f-[A-Za-z0-9_-]+)")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def button(chat: Conversation, label: str) -> str:
    """The data of a button on screen now (to tap it again later, as from an old screen)."""
    return next(data for text, data in chat.with_buttons().buttons if text == label)


def labels(chat: Conversation) -> list[str]:
    return [label for label, _ in chat.with_buttons().buttons]


def child_button(
    number: int, when: datetime | None, grade: str = "9 класс", school: str = "Школа № 1"
) -> str:
    """A child's button on the parent's «Мой ребёнок» (registered by `register`: grade 9 of
    Школа № 1); `when` None: the date left out."""
    date = TEXTS.date(when) if when is not None else "none"
    return TEXTS("btn-family-child", number=number, date=date, grade=grade, school=school)


async def link_for_parent(chat: Conversation) -> str:
    """The student's link for a parent, from «Мой профиль» → «Родители»."""
    await chat.send("/profile")
    await chat.click(TEXTS("btn-family"))
    await chat.click(TEXTS("btn-family-invite"))
    found = LINK.search(chat.last.text)
    assert found is not None, chat.last.text
    return found[1]


async def links(world: World) -> list[ParentLink]:
    async with world.app.uow_factory() as uow:
        return list(await uow.session.scalars(select(ParentLink).order_by(ParentLink.id)))


async def count(world: World, model: type[object]) -> int:
    async with world.app.uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


def refused(problem: str) -> str:
    return TEXTS("family-link-refused", problem=problem)


async def test_a_student_links_a_parent_who_is_new_to_the_bot(world: World) -> None:
    child = world.user(5001, "Аня")
    await register(child)
    code = await link_for_parent(child)
    assert "7" in TEXTS("family-link-refused", problem="expired")
    again = await link_for_parent(child)  # asking twice gives the same open link
    assert again == code
    assert await count(world, FamilyInvite) == 1

    await child.send(f"/start {code}")  # the child opens it themselves
    assert refused("own") in child.last.text
    assert await links(world) == []

    parent = world.user(6001, "Ольга")
    await parent.send(f"/start {code}")
    assert TEXTS("family-offer", registered="no") in parent.last.text
    assert await stored_user(world, parent.user_id) is None  # nothing stored before agreeing
    await parent.click(TEXTS("btn-family-agree"))
    assert TEXTS("family-linked") in parent.last.text
    stored = await stored_user(world, parent.user_id)
    assert stored is not None
    assert (stored.role, stored.consent_version) == ("parent", TEXTS("consent-version"))
    [link] = await links(world)
    assert (link.parent_id, link.child_id, link.parent_name) == (6001, 5001, "Ольга")
    assert not link.consent_by_parent
    assert f"chat:{parent.user_id}" in world.telegram.commands

    assert await send_outbox(world) == 1  # the child is told
    assert TEXTS("family-notice", what="linked") in child.last.text

    # The link is used: the same parent again, and a second parent.
    await parent.send(f"/start {code}")
    assert refused("used-by-you") in parent.last.text
    second = world.user(6002, "Пётр")
    await second.send(f"/start {code}")
    assert refused("used") in second.last.text
    await parent.click(TEXTS("btn-parent-children"))
    assert TEXTS("family-children", count=1) in parent.last.text
    assert len(await links(world)) == 1
    assert await stored_user(world, second.user_id) is None

    await child.send("/profile")
    await child.click(TEXTS("btn-family"))
    assert "Ольга" in child.last.text
    assert TEXTS("btn-family-unlink", name="Ольга") in labels(child)


async def test_a_double_tap_on_agree_and_two_parents_at_once_link_one(world: World) -> None:
    child = world.user(5001)
    await register(child)
    code = await link_for_parent(child)
    first, second = world.user(6001, "Ольга"), world.user(6002, "Пётр")
    await first.send(f"/start {code}")
    await second.send(f"/start {code}")
    agree = button(first, TEXTS("btn-family-agree"))
    await first.press(agree)
    await first.press(agree)
    assert first.last_toast == TEXTS("family-already-linked-toast")
    await second.click(TEXTS("btn-family-agree"))
    assert refused("used") in second.last.text
    assert [(lk.parent_id, lk.child_id) for lk in await links(world)] == [(6001, 5001)]
    assert await stored_user(world, second.user_id) is None


async def test_a_link_expires_after_seven_days(world: World) -> None:
    child = world.user(5001)
    await register(child)
    code = await link_for_parent(child)
    parent = world.user(6001, "Ольга")
    await parent.send(f"/start {code}")
    world.clock.advance(days=7, minutes=1)
    await parent.click(TEXTS("btn-family-agree"))  # agreed too late
    assert refused("expired") in parent.last.text
    await parent.send(f"/start {code}")
    assert refused("expired") in parent.last.text
    assert await links(world) == []
    assert await stored_user(world, parent.user_id) is None
    # The child makes a new one, which works.
    fresh = await link_for_parent(child)
    assert fresh != code
    await parent.send(f"/start {fresh}")
    await parent.click(TEXTS("btn-family-agree"))
    assert len(await links(world)) == 1


async def test_an_unknown_link_and_a_declined_one(world: World) -> None:
    parent = world.user(6001)
    await parent.send("/start f-nosuchlink")
    assert refused("unknown") in parent.last.text
    child = world.user(5001)
    await register(child)
    code = await link_for_parent(child)
    await parent.send(f"/start {code}")
    await parent.click(TEXTS("btn-family-decline"))
    assert TEXTS("family-declined") in parent.last.text
    assert await stored_user(world, parent.user_id) is None
    assert await links(world) == []


async def linked(world: World) -> tuple[Conversation, Conversation]:
    child = world.user(5001, "Аня")
    await register(child)
    code = await link_for_parent(child)
    parent = world.user(6001, "Ольга")
    await register(parent, role=TEXTS("role-parent"), organisation=None, grade=None)
    await parent.send(f"/start {code}")
    assert TEXTS("family-offer", registered="yes") in parent.last.text
    await parent.click(TEXTS("btn-family-agree"))
    await send_outbox(world)
    return child, parent


async def test_a_linked_parent_sees_results_and_plans_and_may_get_reminders(
    world: World,
) -> None:
    child, parent = await linked(world)
    event = await make_event(world, starts_at=world.clock() + timedelta(days=3))
    await finish_quiz(world, child)
    await child.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())

    await parent.send("/menu")
    await parent.click(TEXTS("btn-parent-children"))
    await parent.click(child_button(1, world.clock.now))
    text = parent.last.text
    assert "Школа № 1" in text or "школа № 1" in text
    assert "\n9 класс\n" in text
    assert "Класс или курс" not in text
    assert TEXTS("family-child-no-results") not in text
    assert "природа" in text  # the leading type of all-«А»
    assert event.title in text
    assert "записан(а)" in text
    assert TEXTS("btn-family-reminders-on") in labels(parent)

    # Reminders: off by default, the parent gets none.
    world.clock.now = event.starts_at - timedelta(hours=23)
    assert await send_outbox(world) == 1  # the child's own
    assert TEXTS("event-reminder", hours=24) in child.last.text
    assert TEXTS("family-child-reminder", hours=24) not in parent.last.text

    await parent.click(TEXTS("btn-family-reminders-on"))
    assert TEXTS("family-reminders-set", on="yes") in parent.last.text
    assert await send_outbox(world) == 1  # still within the day: the parent's copy of it
    assert TEXTS("family-child-reminder", hours=24) in parent.last.text
    assert await send_outbox(world) == 0
    world.clock.now = event.starts_at - timedelta(hours=1, minutes=50)
    assert await send_outbox(world) == 2  # the child's own, and the parent's copy
    assert TEXTS("event-reminder", hours=2) in child.last.text
    assert TEXTS("family-child-reminder", hours=2) in parent.last.text
    assert event.title in parent.last.text
    assert await send_outbox(world) == 0
    async with world.app.uow_factory() as uow:
        keys = set(
            await uow.session.scalars(
                select(OutboxMessage.key).where(OutboxMessage.user_id == parent.user_id)
            )
        )
    assert f"event:{event.id}:2h:child:{child.user_id}" in keys


async def test_two_children_are_told_apart_by_grade_and_school(world: World) -> None:
    _child, parent = await linked(world)
    linked_at = world.clock.now
    student = world.user(5002, "Петя")
    await register(
        student,
        role=TEXTS("role-college_student"),
        organisation="ЗЖДТ",
        grade=TEXTS("btn-course", grade=2),
    )
    code = await link_for_parent(student)
    await parent.send(f"/start {code}")
    await parent.click(TEXTS("btn-family-agree"))
    first = child_button(1, linked_at)
    second = child_button(2, world.clock.now, grade="2 курс", school="ЗЖДТ")
    assert first == f"Ребёнок 1: 9 класс, Школа № 1 (связь с {TEXTS.date(linked_at)})"
    assert labels(parent)[:2] == [first, second]
    assert all(len(label) <= LABEL for label in labels(parent))
    await parent.click(second)
    assert "\n2 курс\n" in parent.last.text
    assert "Класс или курс" not in parent.last.text
    await parent.click(TEXTS("btn-back"))
    await parent.click(first)
    assert "\n9 класс\n" in parent.last.text


async def test_a_long_school_name_is_left_off_the_childs_button(world: World) -> None:
    _child, parent = await linked(world)
    async with world.app.uow_factory() as uow:
        [entry] = await family.children(uow, parent.user_id)
    school_1 = entry.organisation
    assert school_1 is not None
    year = Moment(world.clock(), TEXTS.tz).academic_year

    def label(school: str) -> str:
        shown = replace(entry, organisation=replace(school_1, short_name=school))
        [[(found, _)], _menu] = children_view(TEXTS, [shown], year).rows
        assert len(found) <= LABEL
        return found

    # Too long with the date: the school stays and the date goes; too long even so: the school.
    assert label("Авиатехникум (Иркутск)") == "Ребёнок 1: 9 класс, Авиатехникум (Иркутск)"
    very_long = "Колледж экономики, сервиса и туризма (Иркутск)"
    assert label(very_long) == child_button(1, world.clock.now, school="none")
    assert label(very_long) == f"Ребёнок 1: 9 класс (связь с {TEXTS.date(world.clock.now)})"


async def test_the_child_unlinks_a_parent_who_is_told(world: World) -> None:
    child, parent = await linked(world)
    await parent.send("/menu")
    await parent.click(TEXTS("btn-parent-children"))
    child_card = Family(action=FamilyStep.CHILD, id=child.user_id).pack()

    await child.send("/profile")
    await child.click(TEXTS("btn-family"))
    await child.click(TEXTS("btn-family-unlink", name="Ольга"))
    assert TEXTS("family-unlink-confirm", name="Ольга") in child.last.text
    confirm = button(child, TEXTS("btn-family-unlink-yes"))
    await child.click(TEXTS("btn-family-unlink-yes"))
    assert TEXTS("family-unlinked") in child.last.text
    assert TEXTS("family-parents", count=0, names="") in child.last.text
    await child.press(confirm)  # a second tap
    assert child.last_toast == TEXTS("button-outdated")
    assert await links(world) == []

    assert await send_outbox(world) == 1
    assert TEXTS("family-notice", what="unlinked") in parent.last.text
    await parent.press(child_card)  # an old button: no longer their child
    assert parent.last_toast == TEXTS("button-outdated")
    assert TEXTS("family-children-none") in parent.last.text
    await parent.press(Family(action=FamilyStep.REMINDERS_ON, id=child.user_id).pack())
    assert parent.last_toast == TEXTS("button-outdated")


async def test_only_students_link_parents_and_a_stranger_sees_no_child(world: World) -> None:
    adult = world.user(7001)
    await register(adult, role=TEXTS("role-adult"), organisation=None, grade=None)
    await adult.press(Family(action=FamilyStep.INVITE).pack())
    assert TEXTS("family-students-only") in adult.last.text
    assert await count(world, FamilyInvite) == 0
    child, _ = await linked(world)
    await adult.press(Family(action=FamilyStep.CHILD, id=child.user_id).pack())
    assert adult.last_toast == TEXTS("button-outdated")
    assert str(child.user_id) not in adult.last.text


async def test_mydata_lists_the_link_and_forget_ends_it(world: World) -> None:
    child, parent = await linked(world)
    await child.send("/mydata")
    [*_, sent] = [f for f in world.telegram.files if f.chat_id == child.user_id]
    text = sent.data.decode()
    assert f"== {TEXTS('mydata-section', section='family')} ==" in text
    assert f"{TEXTS('mydata-field', field='parent_id')}: {parent.user_id}" in text
    await child.send("/forget")
    await child.click(TEXTS("btn-forget-yes"))
    assert await links(world) == []
    assert await count(world, FamilyInvite) == 0
    assert await stored_user(world, parent.user_id) is not None
    async with world.app.uow_factory() as uow:
        assert await uow.session.get(User, child.user_id) is None


# --- a child under 14 ---------------------------------------------------------------------------


async def minor_asks_for_consent(child: Conversation) -> str:
    await child.send("/start")
    await child.click(TEXTS("btn-minor"))
    found = LINK.search(child.last.text)
    assert found is not None, child.last.text
    return found[1]


async def what_is_stored_about(world: World, user_id: int) -> dict[str, int]:
    """Rows naming the user in any table (the consent link excepted)."""
    async with world.app.uow_factory() as uow:
        tables = {
            "users": select(func.count()).select_from(User).where(User.id == user_id),
            "links": select(func.count())
            .select_from(ParentLink)
            .where(ParentLink.child_id == user_id),
            "outbox": select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.user_id == user_id),
            "invites": select(func.count())
            .select_from(FamilyInvite)
            .where(FamilyInvite.child_id == user_id),
        }
        return {name: int(await uow.session.scalar(q) or 0) for name, q in tables.items()}


async def test_a_child_under_14_gets_a_parents_consent_with_nothing_stored_before(
    world: World,
) -> None:
    child = world.user(5001, "Аня")
    code = await minor_asks_for_consent(child)
    assert TEXTS("btn-guest-quiz") in labels(child)
    # Only the link is kept: the child's Telegram id, the token and its times.
    assert await what_is_stored_about(world, child.user_id) == {
        "users": 0,
        "links": 0,
        "outbox": 0,
        "invites": 1,
    }
    async with world.app.uow_factory() as uow:
        [invite] = await uow.session.scalars(select(FamilyInvite))
    assert (invite.child_id, invite.purpose, invite.used_by) == (5001, "consent", None)
    assert invite.expires_at - invite.created_at == timedelta(days=7)

    # Coming back later shows the same link; the child cannot use it themselves.
    await child.send("/start")
    assert code in child.last.text
    await child.send(f"/start {code}")
    assert refused("own") in child.last.text
    assert (await what_is_stored_about(world, child.user_id))["users"] == 0

    parent = world.user(6001, "Ольга")
    await parent.send(f"/start {code}")
    consent = TEXTS(
        "consent-child",
        version=TEXTS("consent-child-version"),
        days=world.app.settings.rejected_updates_keep_days,
    )
    assert consent in parent.last.text
    await parent.click(TEXTS("btn-family-agree"))
    assert TEXTS("family-linked") in parent.last.text
    [link] = await links(world)
    assert (link.parent_id, link.child_id) == (6001, 5001)
    assert link.consent_by_parent
    assert link.consent_version == TEXTS("consent-child-version")
    stored_child = await stored_user(world, child.user_id)
    assert stored_child is not None
    assert stored_child.consent_version == TEXTS("consent-version")
    assert stored_child.role is None  # the child tells the rest themselves
    stored_parent = await stored_user(world, parent.user_id)
    assert stored_parent is not None
    assert stored_parent.role == "parent"

    assert await send_outbox(world) == 1
    assert TEXTS("family-notice", what="consented") in child.last.text
    await child.click(TEXTS("btn-minor-continue"))
    assert TEXTS("ask-role") in child.last.text
    await child.click(TEXTS("role-student"))
    await child.click("Школа № 1")
    await child.click(TEXTS("btn-grade", grade=7))
    await finish_quiz(world, child)  # now saved
    async with world.app.uow_factory() as uow:
        assert await uow.attempts.count_finished(child.user_id) == 1

    # The used link: opened again, by a second parent.
    second = world.user(6002, "Пётр")
    await second.send(f"/start {code}")
    assert refused("used") in second.last.text
    await parent.send(f"/start {code}")
    assert refused("used-by-you") in parent.last.text
    assert len(await links(world)) == 1


async def test_a_consent_link_expires_after_seven_days_and_a_new_one_can_be_made(
    world: World,
) -> None:
    child = world.user(5001)
    code = await minor_asks_for_consent(child)
    world.clock.advance(days=7, seconds=1)
    parent = world.user(6001)
    await parent.send(f"/start {code}")
    assert refused("expired") in parent.last.text
    assert await stored_user(world, child.user_id) is None
    assert await stored_user(world, parent.user_id) is None
    await child.send("/start")  # no open link any more: the welcome again
    assert TEXTS("welcome", linked="no") in child.last.text
    fresh = await minor_asks_for_consent(child)
    assert fresh != code
    await parent.send(f"/start {fresh}")
    await parent.click(TEXTS("btn-family-agree"))
    assert await stored_user(world, child.user_id) is not None


async def test_the_child_takes_the_questionnaire_unsaved_while_waiting(world: World) -> None:
    child = world.user(5001)
    await minor_asks_for_consent(child)
    await child.click(TEXTS("btn-guest-quiz"))
    assert TEXTS("guest-quiz-note") in child.last.text
    for _ in range(3):
        await child.click("А")
    await child.click(TEXTS("btn-quiz-back"))
    assert "3 / 20" in child.last.text
    for _ in range(18):
        await child.click("Б")
    assert TEXTS("guest-quiz-done") in child.last.text
    assert TEXTS(
        "result-head", title="Опросник Климова (ДДО)", date=TEXTS.date(world.clock.now)
    ) in (child.last.text)
    # Nothing about the answers was stored: no user, no attempt, no dialog state.
    assert (await what_is_stored_about(world, child.user_id))["users"] == 0
    async with world.app.uow_factory() as uow:
        states = list(
            await uow.session.execute(select(ConversationState.state, ConversationState.data))
        )
    assert all(state is None and not data for state, data in states)
    # A forged button (an answer that is no option) is refused politely.
    await child.press(GuestAnswer(quiz="klimov", given="zz").pack())
    assert child.last_toast == TEXTS("button-outdated")


async def test_a_child_who_is_14_after_all_cancels_the_link(world: World) -> None:
    child = world.user(5001)
    code = await minor_asks_for_consent(child)
    await child.click(TEXTS("btn-minor-cancel"))
    assert TEXTS("btn-agree") in labels(child)  # the consent screen again
    assert await count(world, FamilyInvite) == 0
    parent = world.user(6001)
    await parent.send(f"/start {code}")
    assert refused("unknown") in parent.last.text
    await child.click(TEXTS("btn-agree"))
    assert await stored_user(world, child.user_id) is not None
    await child.press(Minor(action=MinorStep.ASK).pack())  # an old button: consent is on record
    assert child.last_toast == TEXTS("button-outdated")
    assert await count(world, FamilyInvite) == 0


async def test_expired_links_are_deleted_a_week_after_they_expire(world: World) -> None:
    child = world.user(5001)
    code = await minor_asks_for_consent(child)
    jobs = world.app.scheduled_jobs(world.bot)
    world.clock.advance(days=7, hours=1)  # expired: kept a while, so a parent is told so
    assert await jobs.expire_family_links() == 0
    parent = world.user(6001)
    await parent.send(f"/start {code}")
    assert refused("expired") in parent.last.text
    world.clock.advance(days=7)
    assert await jobs.expire_family_links() == 1
    assert await what_is_stored_about(world, child.user_id) == {
        "users": 0,
        "links": 0,
        "outbox": 0,
        "invites": 0,
    }
