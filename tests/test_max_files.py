"""A broadcast's photo or document reaches both messengers (bot/broadcast_files.py): composed in
Telegram, MAX's recipients get it uploaded to MAX once; composed in MAX, Telegram's get it
uploaded to Telegram once (with the first of them); every later delivery, after a restart too,
reuses the stored file id. The real app, dispatcher and sender, against the fake Bot API
(tests/fake_bot_api.py) and the fake MAX Bot API (tests/fake_max_api.py) over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from bot.max import create_max_bot
from bot.max.polling import MaxPoller
from bot.scheduler import ScheduledJobs
from db.channels import MAX, TELEGRAM
from db.models import BroadcastFile, OutboxMessage
from db.repositories.outbox import Outcome
from services import broadcast_files
from services.broadcast_files import Carrying, FileState
from services.broadcasts import Draft
from tests.conftest import TEXTS, FakeClock, settings_for_tests
from tests.conftest import register as register_telegram
from tests.fake_bot_api import TOKEN as TELEGRAM_TOKEN
from tests.fake_bot_api import FakeBotAPI
from tests.fake_max_api import TOKEN as MAX_TOKEN
from tests.fake_max_api import FakeMax, MaxChat, MaxShown, serving
from tests.test_max import register as register_max

#: The coordinators: one in Telegram, one in MAX (both administrators).
TELEGRAM_ADMIN, MAX_ADMIN = 9101, 9
PHOTO = b"\xff\xd8\xff\xe0 the photo of the open day"
DOCUMENT = b"%PDF-1.4 the open day's programme"
CAPTION = "День открытых дверей в ЗЖДТ"


@dataclass
class Both:
    """The bot in both messengers: Telegram users talk to it through `LocalTelegram` (their
    screens), and the outbox sends through the fake Bot API over HTTP (`telegram`)."""

    max_api: FakeMax
    telegram: FakeBotAPI
    settings: Settings
    clock: FakeClock
    app: App
    dispatcher: Dispatcher
    screens: LocalTelegram
    screens_bot: Bot
    telegram_bot: Bot
    max_bot: Bot
    poller: MaxPoller

    @classmethod
    async def start(
        cls, max_api: FakeMax, telegram: FakeBotAPI, settings: Settings, clock: FakeClock
    ) -> Both:
        app = await create_app(settings, clock=clock)
        dispatcher = create_dispatcher(app)
        screens = LocalTelegram()
        max_bot = create_max_bot(settings, app.uow_factory, clock)
        return cls(
            max_api,
            telegram,
            settings,
            clock,
            app,
            dispatcher,
            screens,
            create_bot(settings, session=screens),
            create_bot(settings),
            max_bot,
            MaxPoller(dispatcher, max_bot),
        )

    def jobs(self) -> ScheduledJobs:
        return self.app.scheduled_jobs(
            self.telegram_bot, {TELEGRAM: self.telegram_bot, MAX: self.max_bot}
        )

    def telegram_user(self, user_id: int, name: str) -> Conversation:
        return Conversation(self.dispatcher, self.screens_bot, self.screens, user_id, name)

    def max_user(self, max_id: int, name: str) -> MaxChat:
        return MaxChat(self.max_api, self.poller, max_id, name)

    async def close(self) -> None:
        for bot in (self.screens_bot, self.telegram_bot, self.max_bot):
            await bot.session.close()
        await self.app.close()

    async def restart(self) -> Both:
        """A new process on the same database: nothing kept in memory survives."""
        await self.close()
        return await Both.start(self.max_api, self.telegram, self.settings, self.clock)


@pytest.fixture
async def both(database_url: str, clock: FakeClock) -> AsyncIterator[tuple[Both, list[Both]]]:
    max_api = FakeMax()
    async with serving(max_api), FakeBotAPI() as telegram:
        settings = settings_for_tests(
            database_url,
            bot_token=TELEGRAM_TOKEN,
            telegram_api_url=telegram.url,
            max_bot_token=MAX_TOKEN,
            max_api_url=max_api.base,
            admin_ids=frozenset({TELEGRAM_ADMIN, -MAX_ADMIN}),
        )
        world = await Both.start(max_api, telegram, settings, clock)
        alive = [world]  # a restart replaces it; the last one is closed
        yield world, alive
        await alive[-1].close()


async def students(world: Both, telegram: int = 0, max_users: int = 0) -> None:
    for n in range(telegram):
        await register_telegram(world.telegram_user(5001 + n, f"Ученик {n}"))
    for n in range(max_users):
        await register_max(world.max_user(4_200_001 + n, f"Маша {n}"))


async def compose_for_students(coordinator: Conversation | MaxChat, count: int) -> None:
    """From the composer's draft (the content sent): to students, sent now."""
    await coordinator.click(TEXTS("btn-broadcast-audience"))
    await coordinator.click(TEXTS("event-audience", role="student"))
    await coordinator.click(TEXTS("btn-broadcast-done"))
    await coordinator.click(TEXTS("btn-broadcast-send", count=count))
    assert TEXTS("broadcast-confirmed", scheduled="no", when="", count=count) in (
        coordinator.last.text
    )


async def photo_from_telegram(world: Both, count: int) -> None:
    """The Telegram coordinator sends a photo (on Telegram's servers) to the students."""
    world.telegram.add_file("AgACtg-photo", PHOTO)
    coordinator = world.telegram_user(TELEGRAM_ADMIN, "Ольга")
    await register_telegram(coordinator, role=TEXTS("role-teacher"), grade=None)
    await coordinator.send("/manage")
    await coordinator.click(TEXTS("btn-broadcast-new"))
    size = {"width": 1280, "height": 853, "file_size": len(PHOTO)}
    small = {"file_id": "AgACtg-small", "file_unique_id": "s", "width": 90, "height": 60}
    await coordinator.send_message(
        photo=[small, {"file_id": "AgACtg-photo", "file_unique_id": "p", **size}],
        caption=CAPTION,
    )
    await compose_for_students(coordinator, count)


async def document_from_max(world: Both, count: int) -> MaxChat:
    coordinator = world.max_user(MAX_ADMIN, "Админ")
    await register_max(coordinator, role=TEXTS("role-teacher"), grade=False)
    await coordinator.send("/manage")
    await coordinator.click(TEXTS("btn-broadcast-new"))
    await coordinator.send_document(DOCUMENT, "Программа дня открытых дверей.pdf", CAPTION)
    await compose_for_students(coordinator, count)
    return coordinator


def max_files(world: Both, shown: MaxShown) -> list[tuple[str, bytes]]:
    """The image and file attachments of a MAX message: their type and the bytes MAX holds
    under their token."""
    return [
        (attachment["type"], world.max_api.files[attachment["payload"]["token"]])
        for attachment in shown.attachments
        if attachment["type"] in ("image", "file")
    ]


def got_in_max(world: Both, max_id: int) -> list[MaxShown]:
    """The broadcast's messages a MAX user got (their caption is the broadcast's)."""
    return [m for m in world.max_api.dialog(max_id) if CAPTION in m.text]


async def outcomes(world: Both) -> list[tuple[int, str | None, str | None, int]]:
    async with world.app.uow_factory() as uow:
        rows = (
            await uow.session.execute(
                select(
                    OutboxMessage.user_id,
                    OutboxMessage.outcome,
                    OutboxMessage.error,
                    OutboxMessage.attempts,
                )
                .where(OutboxMessage.broadcast_id.is_not(None))
                .order_by(OutboxMessage.user_id)
            )
        ).all()
    return [(int(u), o, e, int(a)) for u, o, e, a in rows]


async def file_rows(world: Both) -> list[BroadcastFile]:
    async with world.app.uow_factory() as uow:
        return list((await uow.session.scalars(select(BroadcastFile))).all())


# --- composed in Telegram ------------------------------------------------------------------------


async def test_a_photo_composed_in_telegram_reaches_max_and_telegram_uploaded_to_max_once(
    both: tuple[Both, list[Both]],
) -> None:
    world, _ = both
    await students(world, telegram=1, max_users=3)
    await photo_from_telegram(world, count=4)

    await world.jobs().drain_outbox()

    # Telegram's recipient: the photo by its own file id, nothing uploaded.
    [telegram_send] = [r for r in world.telegram.sends(5001) if r.method == "sendPhoto"]
    assert telegram_send.form["photo"] == "AgACtg-photo"
    assert telegram_send.form["caption"] == CAPTION
    assert world.telegram.uploads() == []
    # MAX's three: the same photo, fetched from Telegram once and uploaded to MAX once.
    assert world.telegram.methods().count("getFile") == 1
    [(address, uploaded)] = world.max_api.uploads.items()
    assert address.startswith("upload/image/")
    assert uploaded == PHOTO
    for n in range(3):
        [message] = got_in_max(world, 4_200_001 + n)
        assert max_files(world, message) == [("image", PHOTO)]
    assert {outcome for _, outcome, _, _ in await outcomes(world)} == {Outcome.SENT}
    [row] = await file_rows(world)
    assert (row.channel, row.file_id, row.holder) == (MAX, f"tok-{address.rsplit('/', 1)[1]}", None)


async def test_a_restart_between_deliveries_does_not_upload_again(
    both: tuple[Both, list[Both]],
) -> None:
    world, alive = both
    await students(world, max_users=2)
    await photo_from_telegram(world, count=2)
    # The first message MAX is asked to deliver fails (a passing failure): tried again later.
    world.max_api.fail_next("messages", 502, {"code": "internal", "message": "try later"})

    await world.jobs().drain_outbox()
    delivered = [n for n in range(2) if got_in_max(world, 4_200_001 + n)]
    assert len(delivered) == 1
    assert len(world.max_api.uploads) == 1

    world = await world.restart()
    alive.append(world)
    world.clock.advance(seconds=world.settings.outbox_retry_seconds + 1)
    await world.jobs().drain_outbox()

    for n in range(2):
        [message] = got_in_max(world, 4_200_001 + n)
        assert max_files(world, message) == [("image", PHOTO)]
    assert len(world.max_api.uploads) == 1  # the new process reused the stored token
    assert world.telegram.methods().count("getFile") == 1
    assert [o for _, o, _, _ in await outcomes(world)] == [Outcome.SENT, Outcome.SENT]


async def test_an_upload_failing_with_5xx_is_tried_again_and_each_gets_it_once(
    both: tuple[Both, list[Both]],
) -> None:
    world, _ = both
    await students(world, max_users=2)
    await photo_from_telegram(world, count=2)
    world.max_api.fail_next("upload", 502, "<html><body>502 Bad Gateway</body></html>")

    await world.jobs().drain_outbox()
    assert got_in_max(world, 4_200_001) == []
    assert got_in_max(world, 4_200_002) == []
    waiting = await outcomes(world)
    assert [o for _, o, _, _ in waiting] == [None, None]  # to be tried again, not failed
    assert all("could not be uploaded to max" in (e or "") for _, _, e, _ in waiting)

    world.clock.advance(seconds=world.settings.outbox_retry_seconds + 1)
    await world.jobs().drain_outbox()

    for n in range(2):
        [message] = got_in_max(world, 4_200_001 + n)  # once each
        assert max_files(world, message) == [("image", PHOTO)]
    assert list(world.max_api.uploads.values()) == [PHOTO]
    assert [(o, a) for _, o, _, a in await outcomes(world)] == [(Outcome.SENT, 2)] * 2


async def test_a_file_telegram_will_not_give_fails_for_max_with_the_reason_and_telegram_gets_it(
    both: tuple[Both, list[Both]],
) -> None:
    """Telegram lets a bot download files up to 20 MB: a larger one cannot reach MAX. Each
    MAX delivery fails at once with the reason (the file is asked for once), Telegram's
    recipients get it."""
    world, _ = both
    await students(world, telegram=1, max_users=2)
    await photo_from_telegram(world, count=3)
    world.telegram.add_file("AgACtg-photo", b"x" * (20 * 1024 * 1024 + 1))

    await world.jobs().drain_outbox()

    assert world.telegram.deliveries(5001) == 1
    assert world.max_api.uploads == {}
    assert world.telegram.methods().count("getFile") == 1
    by_user = {user_id: (o, e) for user_id, o, e, _ in await outcomes(world)}
    assert by_user[5001] == (Outcome.SENT, None)
    for max_user in (-4_200_001, -4_200_002):
        outcome, reason = by_user[max_user]
        assert outcome == Outcome.FAILED
        assert "file is too big" in (reason or "")
    [row] = await file_rows(world)
    assert row.failed


# --- composed in MAX ----------------------------------------------------------------------------


async def test_a_document_composed_in_max_reaches_telegram_uploaded_once_with_its_name(
    both: tuple[Both, list[Both]],
) -> None:
    world, _ = both
    await students(world, telegram=2, max_users=1)
    await document_from_max(world, count=3)

    await world.jobs().drain_outbox()

    # Telegram: the first recipient's message carried the upload, the second reused its id.
    sends = [r for user in (5001, 5002) for r in world.telegram.sends(user)]
    documents = [r for r in sends if r.method == "sendDocument"]
    assert len(documents) == 2
    [carrier] = world.telegram.uploads()
    assert carrier.uploaded["document"] == ("Программа дня открытых дверей.pdf", DOCUMENT)
    [other] = [r for r in documents if r is not carrier]
    assert other.form["document"] == carrier.result["document"]["file_id"]
    assert all(r.delivered and r.form["caption"] == CAPTION for r in documents)
    # MAX's recipient: the document by MAX's own token, nothing uploaded.
    [message] = got_in_max(world, 4_200_001)
    assert max_files(world, message) == [("file", DOCUMENT)]
    assert world.max_api.uploads == {}
    [row] = await file_rows(world)
    assert (row.channel, row.file_id) == (TELEGRAM, carrier.result["document"]["file_id"])


async def test_a_download_from_max_failing_with_5xx_is_tried_again_and_each_gets_it_once(
    both: tuple[Both, list[Both]],
) -> None:
    world, _ = both
    await students(world, telegram=2)
    await document_from_max(world, count=2)
    world.max_api.fail_next("files", 503, "Service Unavailable")

    await world.jobs().drain_outbox()
    assert world.telegram.uploads() == []
    waiting = await outcomes(world)
    assert [o for _, o, _, _ in waiting] == [None, None]
    assert all("could not be taken from max" in (e or "") for _, _, e, _ in waiting)

    world.clock.advance(seconds=world.settings.outbox_retry_seconds + 1)
    await world.jobs().drain_outbox()

    assert len(world.telegram.uploads()) == 1
    assert [world.telegram.deliveries(user) for user in (5001, 5002)] == [1, 1]
    assert [(o, a) for _, o, _, a in await outcomes(world)] == [(Outcome.SENT, 2)] * 2


async def test_two_senders_at_once_carry_the_file_once(
    both: tuple[Both, list[Both]],
) -> None:
    """Two outbox workers on one database: one carries the file, the other's deliveries wait
    for it (not counted as a try) and then reuse it."""
    world, _ = both
    await students(world, max_users=4)
    await photo_from_telegram(world, count=4)
    second = await Both.start(world.max_api, world.telegram, world.settings, world.clock)
    try:
        await asyncio.gather(world.jobs().drain_outbox(), second.jobs().drain_outbox())
        for _ in range(3):  # what waited for the file goes out when its wait is over
            world.clock.advance(seconds=6)
            await asyncio.gather(world.jobs().drain_outbox(), second.jobs().drain_outbox())
    finally:
        await second.close()

    assert len(world.max_api.uploads) == 1
    for n in range(4):
        [message] = got_in_max(world, 4_200_001 + n)
        assert max_files(world, message) == [("image", PHOTO)]
    assert [(o, a) for _, o, _, a in await outcomes(world)] == [(Outcome.SENT, 1)] * 4


# --- the record ---------------------------------------------------------------------------------


async def test_a_carrier_that_died_is_taken_over_once_its_claim_lapses(
    both: tuple[Both, list[Both]],
) -> None:
    world, _ = both
    await students(world, max_users=1)
    await photo_from_telegram(world, count=1)
    now = world.clock()
    lease = timedelta(seconds=world.settings.outbox_lease_seconds)
    first, second = Carrying(1, MAX, "first"), Carrying(1, MAX, "second")
    async with world.app.uow_factory() as uow:
        assert (await broadcast_files.take(uow, first, now, now - lease)).state is FileState.TAKEN
        taken = await broadcast_files.take(uow, second, now, now - lease)
        assert taken.state is FileState.ELSEWHERE
        later = now + lease + timedelta(seconds=1)
        taken = await broadcast_files.take(uow, second, later, later - lease)
        assert taken.state is FileState.TAKEN
        # The first one comes back too late: what it stores is not taken.
        await broadcast_files.carried(uow, first, "stale", later)
        assert await broadcast_files.known(uow, 1, MAX) is None
        await broadcast_files.carried(uow, second, "tok-1", later)
        assert await broadcast_files.known(uow, 1, MAX) == "tok-1"
        taken = await broadcast_files.take(uow, first, later, later - lease)
        assert (taken.state, taken.file_id) == (FileState.READY, "tok-1")


def test_a_draft_kept_from_before_is_telegrams() -> None:
    """Drafts in the dialog state from before a file's messenger was kept load as Telegram's;
    a new one keeps its messenger and MAX's download address."""
    old = Draft.from_dict({"media_kind": "photo", "media_file_id": "AgAC", "text": "Фото"})
    assert old.media_channel == TELEGRAM
    made = Draft(media_kind="document", media_file_id="tok", media_channel=MAX, media_url="u")
    again = Draft.from_dict(made.as_dict())
    assert (again.media_channel, again.media_url) == (MAX, "u")
