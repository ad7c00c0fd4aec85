"""The municipal statistics and the family links through MAX (the real app and dispatcher, the
MAX session and poller against the fake MAX API of tests/fake_max_api.py): a committee
coordinator in MAX gets the chart as a MAX image and the report as a MAX file; a parent in MAX
links to a child in MAX, and across messengers (a MAX parent to a Telegram child and the other
way round: the child's link is given in every messenger the bot runs in), and sees the child's
results and plans; each side is told through its own messenger. And a coordinator in MAX
marks a MAX student present (a button that names a person carries a negative id)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

from aiogram import Bot
from sqlalchemy import select

from bot.conversation import Conversation
from bot.factory import create_bot
from bot.local_session import LocalTelegram
from db.models import ParentLink, Step, StepKind
from handlers.callbacks import AdminAction, AdminStep, EventAction, EventStep, Manage, ManageStep
from tests import test_max
from tests.conftest import TEXTS, result_head, stored_user
from tests.conftest import register as register_telegram
from tests.fake_max_api import BOT_USERNAME, MaxChat
from tests.stats_data import YEAR, add_step, add_user, appoint, schools
from tests.test_events import make_event
from tests.test_family import child_button
from tests.test_max import ALL_TECHNIC, MAX_USER, START, MaxWorld, register

# The fixtures of tests/test_max.py: the fake MAX API and the bot in MAX on it.
fake = test_max.fake
max_world = test_max.max_world

MAX_LINK = re.compile(rf"https://max\.ru/{BOT_USERNAME}\?start=(f-[A-Za-z0-9_-]+)")
TELEGRAM_LINK = re.compile(
    rf"https://t\.me/{LocalTelegram.BOT_USER.username}\?start=(f-[A-Za-z0-9_-]+)"
)
PARENT = 4_300_001


# --- the statistics ----------------------------------------------------------------------------


async def test_a_committee_coordinator_in_max_gets_the_chart_image_and_the_report(
    max_world: MaxWorld,
) -> None:
    app = max_world.app
    found = await schools(app)
    for user in range(101, 106):
        await add_user(app, user, found["school-1"].id, 9)
        await add_step(app, user, found["school-1"].id, 9)
    boss = max_world.user(4_400_001, "Ольга")
    await register(boss, role=TEXTS("role-teacher"), grade=False)
    await appoint(app, boss.user_id, found["committee"].id)
    await boss.send("/menu")
    await boss.click(TEXTS("btn-manage"))
    await boss.click(TEXTS("btn-stats"))
    assert TEXTS("stats-head", year="2026/2027", scope="all") in boss.last.text
    shown = boss.last

    await boss.click(TEXTS("btn-stats-chart"), on=shown)
    chart = boss.last
    assert chart.mid != shown.mid  # a message of its own, the screen stays
    assert chart.attachments[0]["type"] == "image"
    token = chart.attachments[0]["payload"]["token"]
    assert max_world.fake.files[token].startswith(b"\x89PNG")  # what MAX got is the PNG
    assert chart.text == TEXTS("stats-chart-caption", year="2026/2027")
    assert boss.last_toast == TEXTS("stats-file-toast")
    uploads = [q for _, path, q, _ in max_world.fake.requests if path == "uploads"]
    assert {"type": "image"} in uploads

    await boss.click(TEXTS("btn-stats-xlsx"), on=shown)
    report = boss.last
    assert report.attachments[0]["type"] == "file"
    assert max_world.fake.files[report.attachments[0]["payload"]["token"]].startswith(b"PK")
    assert f"{YEAR}" in report.text or "2026/2027" in report.text


async def test_a_student_in_max_asking_for_the_statistics_is_refused(max_world: MaxWorld) -> None:
    chat = max_world.user()
    await register(chat)
    await chat.send("/stats")
    assert TEXTS("not-permitted") in chat.last.text
    assert max_world.fake.uploads == {}


# --- the family links --------------------------------------------------------------------------


def share_button(chat: MaxChat | Conversation) -> str:
    """The address of «Переслать ссылку» on the screen now."""
    label = TEXTS("btn-family-share")
    if isinstance(chat, MaxChat):
        return next(url for text, url in chat.with_buttons().buttons if text == label)
    markup = chat.with_buttons().markup
    assert markup is not None
    return next(b.url or "" for row in markup.inline_keyboard for b in row if b.text == label)


async def invite_text(chat: MaxChat | Conversation) -> str:
    """The child's link for a parent, from «Мой профиль» → «Родители»."""
    await chat.send("/profile")
    await chat.click(TEXTS("btn-family"))
    await chat.click(TEXTS("btn-family-invite"))
    return chat.last.text


async def links(world: MaxWorld) -> list[tuple[int, int]]:
    async with world.app.uow_factory() as uow:
        found = await uow.session.scalars(select(ParentLink).order_by(ParentLink.id))
        return [(link.parent_id, link.child_id) for link in found]


async def drain(world: MaxWorld, bots: dict[str, Bot]) -> int:
    world.clock.advance(seconds=2)
    jobs = world.app.scheduled_jobs(bots.get("telegram", world.bot), bots)
    return await jobs.send_outbox()


async def test_a_parent_in_max_links_to_a_child_in_max_and_sees_results_and_plans(
    max_world: MaxWorld,
) -> None:
    event = await make_event(max_world, starts_at=max_world.clock() + timedelta(days=3))  # type: ignore[arg-type]
    child = max_world.user()
    await register(child)
    await child.click(START)
    await child.click(TEXTS("btn-quiz-begin"))
    for letter in ALL_TECHNIC:
        await child.click(letter)
    assert result_head(max_world.clock()) in child.last.text
    await child.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())

    text = await invite_text(child)
    assert TELEGRAM_LINK.search(text) is None  # only MAX runs: only MAX's link
    found = MAX_LINK.search(text)
    assert found is not None, text
    code = found[1]
    # «Переслать ссылку» opens MAX's own share screen with the link, not Telegram's.
    share = share_button(child)
    assert share.startswith("https://max.ru/:share?text=")
    assert f"https://max.ru/{BOT_USERNAME}?start={code}" in unquote(share)

    parent = max_world.user(PARENT, "Ольга")
    await parent.start(code)
    assert TEXTS("family-offer", registered="no") in parent.last.text
    await parent.click(TEXTS("btn-family-agree"))
    assert TEXTS("family-linked") in parent.last.text
    assert await links(max_world) == [(-PARENT, -MAX_USER)]
    stored = await stored_user(max_world, -PARENT)  # type: ignore[arg-type]
    assert stored is not None
    assert (stored.role, stored.channel) == ("parent", "max")

    assert await drain(max_world, {"max": max_world.bot}) == 1
    assert TEXTS("family-notice", what="linked") in child.last.text  # told in MAX

    await parent.send("/menu")
    await parent.click(TEXTS("btn-parent-children"))
    await parent.click(child_button(1, max_world.clock()))
    seen = parent.last.text
    assert TEXTS("family-child-no-results") not in seen
    assert TEXTS("family-child-no-plans") not in seen
    assert "техника" in seen  # the leading type of the child's answers
    assert event.title in seen

    # The copies of the child's reminders reach the parent in MAX too.
    await parent.click(TEXTS("btn-family-reminders-on"))
    max_world.clock.now = event.starts_at - timedelta(hours=23)
    assert await drain(max_world, {"max": max_world.bot}) == 2  # the child's, the parent's copy
    assert TEXTS("event-reminder", hours=24) in child.last.text
    assert TEXTS("family-child-reminder", hours=24) in parent.last.text


async def test_a_parent_in_max_links_to_a_child_in_telegram_and_the_other_way_round(
    max_world: MaxWorld,
) -> None:
    telegram = LocalTelegram()
    telegram_bot = create_bot(max_world.settings, session=telegram)
    bots = {"telegram": telegram_bot, "max": max_world.bot}
    max_world.dispatcher["channel_bots"] = bots  # as the runner sets it with both tokens
    anya = Conversation(max_world.dispatcher, telegram_bot, telegram, 5001, "Аня")
    await register_telegram(anya)
    await anya.send("/quiz")
    await anya.click(TEXTS("btn-quiz-begin"))
    for letter in ALL_TECHNIC:
        await anya.click(letter)

    # The Telegram child's link is given for both messengers, Telegram's first (and shared).
    text = await invite_text(anya)
    in_telegram, in_max = TELEGRAM_LINK.search(text), MAX_LINK.search(text)
    assert in_telegram is not None, text
    assert in_max is not None, text
    assert in_telegram[1] == in_max[1]
    assert text.index(in_telegram[0]) < text.index(in_max[0])
    assert share_button(anya).startswith("https://t.me/share/url?")

    parent = max_world.user(PARENT, "Ольга")
    await parent.start(in_max[1])
    await parent.click(TEXTS("btn-family-agree"))
    assert TEXTS("family-linked") in parent.last.text
    assert await links(max_world) == [(-PARENT, 5001)]
    assert await drain(max_world, bots) == 1
    assert TEXTS("family-notice", what="linked") in anya.last.text  # told in Telegram
    await parent.click(child_button(1, max_world.clock()))
    assert "техника" in parent.last.text

    # A MAX child, a Telegram parent: MAX's link first, Telegram's too.
    child = max_world.user(MAX_USER + 1, "Петя")
    await register(child)
    text = await invite_text(child)
    in_telegram, in_max = TELEGRAM_LINK.search(text), MAX_LINK.search(text)
    assert in_telegram is not None, text
    assert in_max is not None, text
    assert text.index(in_max[0]) < text.index(in_telegram[0])
    assert share_button(child).startswith("https://max.ru/:share?text=")
    dad = Conversation(max_world.dispatcher, telegram_bot, telegram, 6001, "Пётр")
    await dad.send(f"/start {in_telegram[1]}")
    await dad.click(TEXTS("btn-family-agree"))
    assert TEXTS("family-linked") in dad.last.text
    assert (6001, -(MAX_USER + 1)) in await links(max_world)
    assert await drain(max_world, bots) == 1
    assert TEXTS("family-notice", what="linked") in child.last.text  # told in MAX
    await dad.click(child_button(1, max_world.clock()))
    assert TEXTS("family-child-no-results") in dad.last.text


# --- a MAX user's id in a button ---------------------------------------------------------------


async def test_a_coordinator_in_max_marks_a_max_student_present_person_by_person(
    max_world: MaxWorld,
) -> None:
    """The buttons that name a person carry the bot's id of the user, which is negative for a
    MAX user: the attendance screen, like a parent's «Ребёнок 1», must accept it."""
    event = await make_event(max_world, starts_at=max_world.clock() + timedelta(hours=3))  # type: ignore[arg-type]
    boss = max_world.user(9, "Админ")  # ADMIN_IDS=-9: a MAX administrator
    await register(boss, role=TEXTS("role-teacher"), grade=False)
    chat = max_world.user()
    await register(chat)
    await chat.press(EventAction(id=event.id, action=EventStep.SIGN_UP).pack())
    max_world.clock.advance(hours=4)

    await boss.press(Manage(id=event.id, action=ManageStep.PEOPLE).pack())
    assert TEXTS("manage-attendance-hint") in boss.last.text
    await boss.click(TEXTS("btn-attend", number=1, name="Маша", came="False"))
    assert TEXTS("btn-attend", number=1, name="Маша", came="True") in [
        label for label, _ in boss.last.buttons
    ]
    async with max_world.app.uow_factory() as uow:
        registration = await uow.registrations.get(event.id, chat.user_id)
        kinds = list(
            await uow.session.scalars(select(Step.kind).where(Step.user_id == chat.user_id))
        )
    assert registration is not None
    assert registration.status == "attended"
    assert StepKind.EVENT_ATTENDED in kinds


async def test_a_coordinator_in_max_whose_rights_are_taken_is_told_in_max(
    max_world: MaxWorld,
) -> None:
    app = max_world.app
    found = await schools(app)
    olga = max_world.user(4_400_002, "Ольга")
    await register(olga, role=TEXTS("role-teacher"), grade=False)
    await appoint(app, olga.user_id, found["school-1"].id)
    boss = max_world.user(9, "Админ")  # ADMIN_IDS=-9: a MAX administrator
    await register(boss, role=TEXTS("role-teacher"), grade=False)
    await boss.press(AdminAction(action=AdminStep.REVOKE_CONFIRMED, target=olga.user_id).pack())
    assert boss.last_toast == TEXTS("admin-revoked-toast", done="True")
    assert await drain(max_world, {"max": max_world.bot}) == 1
    assert olga.last.text == TEXTS("coordinator-revoked", organisation=found["school-1"].name)
