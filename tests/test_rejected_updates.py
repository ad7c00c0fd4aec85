"""The updates the bot cannot read (bot/rejected.py, table `rejected_updates`): kept under
their sender as the update names them, listed by /mydata (for a user, and for a sender who is
no user), erased by /forget in its transaction, deleted after REJECTED_UPDATES_KEEP_DAYS by the
hourly job, a batch at a time; no more of them wait for a slow database than the queue holds.
The poller's, the webhook's and MAX's own paths into the table are in tests/test_polling.py,
tests/test_webhook.py and tests/test_max.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import Update
from pydantic import ValidationError

from bot import scheduler
from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import App, create_app
from bot.max.polling import max_sender
from bot.polling import keep_rejected, telegram_sender
from bot.rejected import RejectedKeeper, RejectedUpdates, Rejection
from bot.rejected_files import adopt_old_files
from db.channels import MAX, TELEGRAM
from db.repositories.rejected_updates import RejectedUpdateRepository
from tests.conftest import TEXTS, FakeClock, World, register, rejected_rows, stored_user
from tests.test_mydata import field, file_text, section
from tests.test_polling import HeldDatabase, eventually

Json = dict[str, Any]
DATE = 1_790_000_000


def user_json(user_id: int, name: str = "Аня") -> Json:
    return {"id": user_id, "is_bot": False, "first_name": name}


def story_reply(update_id: int, user_id: int, text: str = "смотри") -> Json:
    """A message aiogram's models reject (aiogram issue 1587: a story without its fields)."""
    chat = {"id": user_id, "type": "private"}
    origin = {"type": "user", "date": DATE - 60, "sender_user": user_json(9001, "Автор")}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": DATE,
            "chat": chat,
            "from": user_json(user_id),
            "text": text,
            "external_reply": {"origin": origin, "story": {}},
        },
    }


async def reject(app: App, raw: Json) -> int | None:
    """What the poller and the webhook do with an update aiogram cannot parse."""
    with pytest.raises(ValidationError) as refused:
        Update.model_validate(raw)
    return await keep_rejected(RejectedUpdates(app.uow_factory, app.clock), raw, refused.value)


@pytest.mark.parametrize(
    ("raw", "sender"),
    [
        (story_reply(1, 7001), 7001),
        ({"update_id": 2, "edited_message": {"from": {"id": 7002}}}, 7002),
        ({"update_id": 3, "callback_query": {"id": "q", "from": {"id": 7003}}}, 7003),
        ({"update_id": 4, "my_chat_member": {"from": {"id": 7004}, "chat": {"id": 7004}}}, 7004),
        ({"update_id": 5, "poll_answer": {"poll_id": "p", "user": {"id": 7005}}}, 7005),
        ({"update_id": 6, "channel_post": {"sender_chat": {"id": -100}}}, None),  # nobody
        ({"update_id": 7, "message": {"from": {"id": "7007"}}}, None),  # not an id
        ({"update_id": 8, "message": {"from": {"id": True}}}, None),
        ({"update_id": 9, "message": {"from": {"id": -7009}}}, None),  # no Telegram user
        ({"update_id": 10, "message": {"from": {"id": 2**70}}}, None),  # too big to store
        ({"update_id": 11, "message": "text"}, None),
        ([1, 2], None),
        ("not json", None),
    ],
)
def test_the_sender_of_a_telegram_update_is_found_where_it_is(raw: Any, sender: int | None) -> None:
    assert telegram_sender(raw) == sender


@pytest.mark.parametrize(
    ("raw", "sender"),
    [
        ({"update_type": "message_created", "message": {"sender": {"user_id": 42}}}, -42),
        (
            {
                "update_type": "message_callback",
                "callback": {"user": {"user_id": 43}},
                "message": {"sender": {"user_id": 1, "is_bot": True}},  # the bot's own message
            },
            -43,
        ),
        ({"update_type": "bot_started", "user": {"user_id": 44}}, -44),
        ({"update_type": "message_created", "message": {"body": {}}}, None),
        ({"update_type": "message_callback", "callback": {"user": {"user_id": "x"}}}, None),
        ({"update_type": "bot_started", "user": {"user_id": 0}}, None),
        (None, None),
    ],
)
def test_the_sender_of_a_max_update_is_the_bots_id_for_them(raw: Any, sender: int | None) -> None:
    assert max_sender(raw) == sender


async def test_mydata_lists_a_users_unreadable_updates(world: World, chat: Conversation) -> None:
    await register(chat)
    raw = story_reply(501, chat.user_id, text="моё сообщение")
    row_id = await reject(world.app, raw)
    assert row_id is not None
    await reject(world.app, story_reply(502, 8002, text="чужое"))  # someone else's

    await chat.send("/mydata")
    text = file_text(world, chat)
    part = text.split(section("rejected"), 1)[1]
    assert f"{field('channel')}: {TEXTS('channel-name', channel=TELEGRAM)}" in part
    assert f"{field('update_id')}: 501" in part
    assert "message.external_reply.story.id: Field required" in part
    assert f"{field('raw')}: {json.dumps(raw, ensure_ascii=False)}" in part
    assert "чужое" not in text


async def test_forget_erases_the_users_unreadable_updates_and_no_one_elses(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await reject(world.app, story_reply(601, chat.user_id))
    await reject(world.app, story_reply(602, chat.user_id))
    await reject(world.app, story_reply(603, 8003))

    await chat.send("/forget")
    await chat.click(TEXTS("btn-forget-yes"))

    assert TEXTS("forget-done") in chat.last.text
    assert await stored_user(world, chat.user_id) is None
    assert [(row.update_id, row.user_id) for row in await rejected_rows(world.app)] == [(603, 8003)]


async def test_a_sender_who_is_no_user_sees_and_erases_what_was_kept(world: World) -> None:
    guest = world.user(8101)
    await reject(world.app, story_reply(701, guest.user_id, text="привет"))

    await guest.send("/mydata")
    assert TEXTS("mydata-stranger", count=1, days=30) in guest.last.text
    assert "привет" in file_text(world, guest)
    await guest.send("/forget")
    assert TEXTS("forget-confirm-stranger") in guest.last.text
    await guest.click(TEXTS("btn-forget-yes"))

    assert TEXTS("forget-done") in guest.last.text
    assert await rejected_rows(world.app) == []
    await guest.send("/mydata")
    assert TEXTS("mydata-none") in guest.last.text
    assert await stored_user(world, guest.user_id) is None  # still nobody: nothing registered


async def test_old_rejected_updates_are_pruned_in_batches_and_recent_ones_kept(
    settings: Settings, clock: FakeClock, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "PRUNE_BATCH", 2)  # five old rows: three transactions
    app = await create_app(settings.model_copy(update={"rejected_updates_keep_days": 7}), clock)
    try:
        rejected = RejectedUpdates(app.uow_factory, app.clock)
        for age in (30, 20, 10, 8, 7.5, 6.9, 1, 0):  # days ago
            clock.now = clock.now - timedelta(days=age)
            await rejected.keep(MAX, {"age": age}, update_id=None, user_id=-5, problems=["x"])
            clock.now = clock.now + timedelta(days=age)
        jobs = app.scheduled_jobs(bot)

        assert await jobs.prune_rejected_updates() == 5
        assert [json.loads(row.raw)["age"] for row in await rejected_rows(app)] == [6.9, 1, 0]
        assert await jobs.prune_rejected_updates() == 0  # nothing more: repeatable

        clock.advance(days=1)  # a day later the one of 6.9 days is older than a week
        assert await jobs.prune_rejected_updates() == 1
        assert [json.loads(row.raw)["age"] for row in await rejected_rows(app)] == [1, 0]
    finally:
        await app.close()


def test_the_prune_job_is_scheduled_hourly(world: World) -> None:
    jobs = world.app.scheduled_jobs(world.bot)
    job = scheduler.create_scheduler(jobs, 60).get_job("rejected_updates")
    assert job is not None
    assert job.trigger.interval == timedelta(seconds=scheduler.PRUNE_EVERY_SECONDS)
    assert jobs.rejected_updates_kept == timedelta(days=30)  # REJECTED_UPDATES_KEEP_DAYS


async def test_rejected_updates_beyond_the_queue_are_logged_and_counted_not_kept(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """While the database keeps the writer waiting, no more than the queue's size pile up in
    memory: the next one is logged (its id and problems) and counted as not kept."""
    held = HeldDatabase(app.uow_factory)
    lost: list[int] = []
    keeper = RejectedKeeper(
        held.rejected(app),
        TELEGRAM,
        reason="aiogram cannot parse it",
        name=lambda rejection: f"update {rejection.update_id}",
        sender=telegram_sender,
        on_lost=lambda: lost.append(1),
        queue_size=2,
    )

    def rejection(update_id: int) -> Rejection:
        raw = story_reply(update_id, 7000 + update_id)
        with pytest.raises(ValidationError) as refused:
            Update.model_validate(raw)
        return Rejection(raw, refused.value, update_id)

    keeper.keep_later(rejection(1))
    await eventually(lambda: held.waiting == 1)  # the writer has it, the database waits
    for update_id in (2, 3, 4):
        keeper.keep_later(rejection(update_id))

    assert lost == [1]
    [line] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert line.startswith("update 4 skipped: aiogram cannot parse it (message.external_reply")
    assert line.endswith("; not kept: 2 rejected updates wait for the database already")
    held.release()
    await keeper.drain(5)
    assert [(row.update_id, row.user_id) for row in await rejected_rows(app)] == [
        (1, 7001),
        (2, 7002),
        (3, 7003),
    ]
    assert lost == [1]


async def test_an_earlier_versions_files_of_rejected_updates_move_into_the_table(
    world: World, chat: Conversation, tmp_path: Path
) -> None:
    """Before the table, rejected updates went to JSON-lines files in data/. At start their
    lines become rows under their senders with their own times, so /forget erases them and the
    pruning job deletes them on time, and the files are gone."""
    await register(chat)
    then = world.app.clock() - timedelta(days=3)
    mine = story_reply(801, chat.user_id, text="старое сообщение")
    lines = [
        {"rejected_at": then.isoformat(), "update_id": 801, "errors": ["x: y"], "update": mine},
        {
            "rejected_at": "not a time",
            "update_id": 802,
            "errors": [],
            "update": story_reply(802, 8802),
        },
    ]
    telegram_file = tmp_path / "rejected_updates.jsonl"
    telegram_file.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + '\n{"cut sh',
        encoding="utf-8",
    )
    max_file = tmp_path / "rejected_max_updates.jsonl"
    max_update = {"update_type": "message_created", "message": {"sender": {"user_id": 77}}}
    max_file.write_text(
        json.dumps({"update": max_update, "errors": ["e"]}) + "\n", encoding="utf-8"
    )
    files = {TELEGRAM: telegram_file, MAX: max_file}

    assert await adopt_old_files(world.app.uow_factory, world.app.clock(), files) == 4
    assert not telegram_file.exists()
    assert not max_file.exists()
    rows = await rejected_rows(world.app)
    assert [(row.channel, row.update_id, row.user_id) for row in rows] == [
        (TELEGRAM, 801, chat.user_id),
        (TELEGRAM, 802, 8802),
        (TELEGRAM, None, None),  # the line cut short, kept as it is
        (MAX, None, -77),
    ]
    assert rows[0].rejected_at == then
    assert rows[1].rejected_at == world.app.clock()  # no usable time: taken as now
    assert rows[2].raw == '{"cut sh'
    assert await adopt_old_files(world.app.uow_factory, world.app.clock(), files) == 0

    await chat.send("/forget")
    await chat.click(TEXTS("btn-forget-yes"))
    assert chat.user_id not in {row.user_id for row in await rejected_rows(world.app)}


async def test_old_files_the_database_refuses_stay_for_the_next_start(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rejected_updates.jsonl"
    path.write_text(json.dumps({"update": story_reply(901, 9901)}) + "\n" * 2 + "{}\n")

    async def refuse(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("the database is full")

    with monkeypatch.context() as patched:
        patched.setattr(RejectedUpdateRepository, "add", refuse)
        assert (
            await adopt_old_files(world.app.uow_factory, world.app.clock(), {TELEGRAM: path}) == 0
        )
    assert path.exists()
    assert await rejected_rows(world.app) == []
    assert await adopt_old_files(world.app.uow_factory, world.app.clock(), {TELEGRAM: path}) == 2
    assert not path.exists()
