"""Pruning `max_messages` (MAX's message ids under the bot's integer ids): the rows older than
`MAX_MESSAGE_KEEP_DAYS` go, a batch per transaction, once across processes; a screen older than
that still answers its buttons, edited in place (its MAX id comes back with the tap) or sent
anew when MAX will not edit it; and an edit by an id that was pruned is the "not found" that
`show()` answers with a new message."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from aiogram.exceptions import TelegramBadRequest
from sqlalchemy import select

from bot import scheduler
from db.models import MaxMessage
from db.repositories.max_messages import MaxMessageRepository
from tests import test_max
from tests.conftest import MENU_HEAD, TEXTS, World, question_head
from tests.fake_max_api import FakeMax
from tests.test_max import START, MaxWorld, register

# The fixtures of tests/test_max.py: the fake MAX API and the bot in MAX on it.
fake = test_max.fake
max_world = test_max.max_world

KEEP = timedelta(days=7)  # the default of MAX_MESSAGE_KEEP_DAYS


async def rows(world: MaxWorld | World) -> list[MaxMessage]:
    async with world.app.uow_factory() as uow:
        return list(await uow.session.scalars(select(MaxMessage).order_by(MaxMessage.id)))


async def remember(world: MaxWorld | World, count: int, ago: timedelta, first: int = 0) -> None:
    when = world.clock() - ago
    async with world.app.uow_factory() as uow, uow.write():
        for number in range(first, first + count):
            await uow.max_messages.remember(f"mid.old.{number}", -4_200_001, when)


async def test_the_default_keeps_a_week_and_zero_keeps_for_ever(max_world: MaxWorld) -> None:
    assert max_world.settings.max_message_keep_days == 7
    jobs = max_world.app.scheduled_jobs(max_world.bot)
    assert jobs.max_messages_kept == KEEP
    max_world.app.settings = max_world.settings.model_copy(update={"max_message_keep_days": 0})
    forever = max_world.app.scheduled_jobs(max_world.bot)
    assert forever.max_messages_kept is None
    await remember(max_world, 3, timedelta(days=400))
    assert await forever.prune_max_messages() == 0
    assert len(await rows(max_world)) == 3


async def test_rows_older_than_the_retention_go_in_batches_and_newer_ones_stay(
    max_world: MaxWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "MAX_MESSAGES_BATCH", 10)
    await remember(max_world, 35, KEEP + timedelta(hours=1))
    await remember(max_world, 5, KEEP - timedelta(hours=1), first=100)
    batches: list[int] = []
    real_prune = MaxMessageRepository.prune

    async def prune(self: MaxMessageRepository, before: datetime, batch: int) -> tuple[int, bool]:
        assert self._session.in_transaction()  # inside the batch's write transaction
        result = await real_prune(self, before, batch)
        batches.append(result[0])
        return result

    monkeypatch.setattr(MaxMessageRepository, "prune", prune)
    jobs = max_world.app.scheduled_jobs(max_world.bot)

    assert await jobs.prune_max_messages() == 35
    assert batches == [10, 10, 10, 5]  # the 5 newer rows end the last batch
    left = await rows(max_world)
    assert [row.mid for row in left] == [f"mid.old.{n}" for n in range(100, 105)]
    assert await jobs.prune_max_messages() == 0


async def test_two_processes_pruning_at_once_delete_each_row_once(
    world: World, other: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "MAX_MESSAGES_BATCH", 25)
    await remember(world, 300, KEEP + timedelta(days=1))
    await remember(world, 10, timedelta(hours=1), first=1000)
    jobs = [p.app.scheduled_jobs(p.bot) for p in (world, other)]

    pruned = await asyncio.gather(*(j.prune_max_messages() for j in jobs))

    assert sum(pruned) == 300
    left = await rows(world)
    assert [row.mid for row in left] == [f"mid.old.{n}" for n in range(1000, 1010)]


async def test_a_screen_older_than_the_retention_still_answers_its_buttons(
    max_world: MaxWorld,
) -> None:
    """A questionnaire left for two weeks: its MAX id was forgotten, the tap brings it back,
    and the same message is edited (MAX edits a message with buttons at any age)."""
    chat = max_world.user()
    await register(chat)
    await chat.click(START)
    await chat.click(TEXTS("btn-quiz-begin"))
    await chat.click("А")
    screen = chat.last
    assert question_head(2) in screen.text
    max_world.clock.advance(days=14)
    jobs = max_world.app.scheduled_jobs(max_world.bot)
    assert await jobs.prune_max_messages() >= 1
    assert screen.mid not in [row.mid for row in await rows(max_world)]

    await chat.click("Б", on=screen)
    assert chat.last.mid == screen.mid
    assert question_head(3) in screen.text
    assert screen.mid in [row.mid for row in await rows(max_world)]  # remembered anew

    # MAX refuses to edit it (deleted, or too old without buttons): a new message instead.
    del max_world.fake.messages[screen.mid]
    max_world.clock.advance(days=14)
    await jobs.prune_max_messages()
    await chat.click("А", on=screen)
    assert chat.last.mid != screen.mid
    assert question_head(4) in chat.last.text


async def test_an_edit_by_a_forgotten_id_is_not_found_and_the_menu_comes_anew(
    max_world: MaxWorld, fake: FakeMax
) -> None:
    """What the bot edits by an id it kept itself (a broadcast's progress message) after that
    id was pruned: MAX is not asked, the edit fails as Telegram's "message to edit not found",
    which `show()` and the outbox's progress both take as "send anew" / "leave it"."""
    chat = max_world.user()
    await register(chat)
    menu = chat.last
    [row] = [r for r in await rows(max_world) if r.mid == menu.mid]
    max_world.clock.advance(days=8)
    await max_world.app.scheduled_jobs(max_world.bot).prune_max_messages()
    edits = len(fake.calls("PUT", "messages"))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await max_world.bot.edit_message_text("x", chat_id=chat.user_id, message_id=row.id)
    assert len(fake.calls("PUT", "messages")) == edits
    await chat.send("/menu")
    assert MENU_HEAD in chat.last.text
    assert chat.last.mid != menu.mid
