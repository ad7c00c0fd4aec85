"""A broadcast's photo or document reaches both messengers (bot/broadcast_files.py): composed in
Telegram, MAX's recipients get it uploaded to MAX once; composed in MAX, Telegram's get it
uploaded to Telegram once (with the first of them); every later delivery, after a restart too,
reuses the stored file id. A file a messenger refuses (its upload, or a message by its id) fails
there once: the upload is not tried again for every recipient, the deliveries waiting fail at
once with the reason, and an error about a chat (blocked, chat not found) stays that recipient's.
What the sender remembers of the files is bounded, and forgetting costs a read, not an upload.
The real app, dispatcher and sender, against the fake Bot API (tests/fake_bot_api.py) and the
fake MAX Bot API (tests/fake_max_api.py) over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from aiogram import Bot, Dispatcher, methods
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramServerError,
)
from sqlalchemy import select, update

from bot.broadcast_files import refuses_file
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
from tests.fake_bot_api import FakeBotAPI, blocked, chat_not_found, telegram_error
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


async def photo_from_max(world: Both, count: int) -> MaxChat:
    coordinator = world.max_user(MAX_ADMIN, "Админ")
    await register_max(coordinator, role=TEXTS("role-teacher"), grade=False)
    await coordinator.send("/manage")
    await coordinator.click(TEXTS("btn-broadcast-new"))
    await coordinator.send_photo(PHOTO, CAPTION)
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


async def turns_first(world: Both, *user_ids: int) -> None:
    """The broadcast's messages to `user_ids` come before the others, in that order (the
    outbox takes the oldest `not_before` first)."""
    async with world.app.uow_factory() as uow, uow.write():
        for place, user_id in enumerate(user_ids):
            early = world.clock() - timedelta(minutes=len(user_ids) - place)
            await uow.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.user_id == user_id)
                .values(not_before=early)
            )


def summary(
    sent: int, failed: int, blocked: int = 0, files: tuple[tuple[str, str], ...] = ()
) -> str:
    """The coordinator's summary of broadcast 1, with a line for each messenger its file could
    not reach."""
    total = sent + failed + blocked
    text = TEXTS(
        "broadcast-summary", id=1, total=total, sent=sent, blocked=blocked, failed=failed, stopped=0
    )
    for channel, reason in files:
        name = TEXTS("channel-name", channel=channel)
        text += "\n" + TEXTS("broadcast-file-failed", channel=name, reason=reason)
    return text


def telegram_texts(world: Both, chat_id: int) -> list[str]:
    """The texts of the messages the bot sent a Telegram chat through the fake Bot API."""
    return [r.form.get("text", "") for r in world.telegram.sends(chat_id) if r.delivered]


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


# --- a file the messenger refuses ------------------------------------------------------------

#: Telegram's answer to a photo it cannot take, whatever the chat.
DIMENSIONS = "Bad Request: PHOTO_INVALID_DIMENSIONS"
WRONG_ID = "Bad Request: wrong file identifier/HTTP URL specified"


async def test_a_photo_telegram_refuses_is_uploaded_once_and_fails_every_telegram_delivery(
    both: tuple[Both, list[Both]],
) -> None:
    """A photo from MAX that Telegram refuses (its dimensions): one upload, refused; every
    Telegram recipient fails with the reason, those still waiting without being tried; MAX's
    recipient gets it; the coordinator's summary says why."""
    world, _ = both
    await students(world, telegram=5, max_users=1)
    coordinator = await photo_from_max(world, count=6)
    world.telegram.refuse_file(telegram_error(400, DIMENSIONS))
    jobs = world.jobs()

    await jobs.drain_outbox()

    [upload] = world.telegram.uploads()
    assert upload.answer.error() == DIMENSIONS
    telegram_users = range(5001, 5006)
    assert sum(len(world.telegram.sends(user)) for user in telegram_users) == 1
    by_user = {user_id: (o, e, a) for user_id, o, e, a in await outcomes(world)}
    reason = f"telegram refused the file: {DIMENSIONS}"
    for user in telegram_users:
        assert by_user[user][:2] == (Outcome.FAILED, reason)
    # The round after the refusal was claimed already (failed without a request); the rest
    # were never claimed: they failed with the refusal, in its transaction.
    assert max(by_user[user][2] for user in telegram_users) == 1
    assert min(by_user[user][2] for user in telegram_users) == 0
    [message] = got_in_max(world, 4_200_001)
    assert max_files(world, message) == [("image", PHOTO)]
    [row] = await file_rows(world)
    assert (row.channel, row.failed, row.error, row.holder) == (TELEGRAM, True, reason, None)
    assert coordinator.last.text == summary(sent=1, failed=5, files=((TELEGRAM, reason),))
    assert jobs.sender is not None
    assert jobs.sender.files.remembered() == {"known": 0, "refused": 0, "locks": 0, "fetched": 0}


async def test_a_carrying_send_that_fails_for_its_chat_fails_that_recipient_only(
    both: tuple[Both, list[Both]],
) -> None:
    """The first Telegram recipient, whose message would carry MAX's photo to Telegram, blocked
    the bot; the next one's chat is not found (a 400, like a refusal of the file): each fails
    alone, and the third carries the file for the rest."""
    world, _ = both
    await students(world, telegram=4)
    await photo_from_max(world, count=4)
    world.telegram.script(5001, blocked())
    world.telegram.script(5002, chat_not_found())
    await turns_first(world, 5001, 5002, 5003)

    await world.jobs().drain_outbox()

    assert [r.chat_id for r in world.telegram.uploads()] == [5001, 5002, 5003]
    by_user = {user_id: (o, e) for user_id, o, e, _ in await outcomes(world)}
    assert by_user == {
        5001: (Outcome.BLOCKED, None),
        5002: (Outcome.FAILED, "Bad Request: chat not found"),
        5003: (Outcome.SENT, None),
        5004: (Outcome.SENT, None),
    }
    [carrier] = [r for r in world.telegram.uploads() if r.delivered]
    [reuse] = world.telegram.sends(5004)
    assert reuse.form["photo"] == carrier.result["photo"][-1]["file_id"]
    [row] = await file_rows(world)
    assert (row.failed, row.file_id) == (False, reuse.form["photo"])


async def test_an_upload_max_refuses_fails_every_max_delivery_and_a_blocked_one_stays_blocked(
    both: tuple[Both, list[Both]],
) -> None:
    """A photo from Telegram that MAX refuses to take: one upload; every MAX recipient fails
    with the reason; in Telegram the one who blocked the bot is blocked, the other gets it."""
    world, _ = both
    await students(world, telegram=2, max_users=3)
    await photo_from_telegram(world, count=5)
    world.telegram.script(5001, blocked())
    world.max_api.fail_next(
        "upload", 400, {"code": "proto.payload", "message": "Unsupported image"}
    )

    await world.jobs().drain_outbox()

    assert len(world.max_api.calls("POST", "uploads")) == 1
    assert world.max_api.uploads == {}
    by_user = {user_id: (o, e) for user_id, o, e, _ in await outcomes(world)}
    reason = (
        "the file could not be uploaded to max: "
        "Bad Request: MAX 400 proto.payload: Unsupported image"
    )
    for n in range(3):
        assert by_user[-(4_200_001 + n)] == (Outcome.FAILED, reason)
        assert got_in_max(world, 4_200_001 + n) == []
    assert by_user[5001] == (Outcome.BLOCKED, None)
    assert by_user[5002] == (Outcome.SENT, None)
    assert world.telegram.deliveries(5002) == 1
    [row] = await file_rows(world)
    assert (row.channel, row.failed) == (MAX, True)
    [shown] = telegram_texts(world, TELEGRAM_ADMIN)[-1:]
    assert shown == summary(sent=1, failed=3, blocked=1, files=((MAX, reason),))


async def test_a_file_id_telegram_refuses_fails_the_broadcast_there_with_one_request(
    both: tuple[Both, list[Both]],
) -> None:
    """The broadcast's own photo id, refused by Telegram (a wrong file identifier): one request
    finds it out, not one per recipient; MAX's recipients fail too, Telegram giving no file."""
    world, _ = both
    await students(world, telegram=4, max_users=2)
    await photo_from_telegram(world, count=6)
    world.telegram.refuse_file(telegram_error(400, WRONG_ID), "AgACtg-photo")
    del world.telegram.files["AgACtg-photo"]

    await world.jobs().drain_outbox()

    assert world.telegram.methods().count("sendPhoto") == 1
    assert world.telegram.methods().count("getFile") == 1
    assert world.max_api.calls("POST", "uploads") == []
    by_user = {user_id: (o, e) for user_id, o, e, _ in await outcomes(world)}
    refused = f"telegram refused the file: {WRONG_ID}"
    not_taken = "the file could not be taken from telegram: Bad Request: invalid file_id"
    assert by_user == {
        **dict.fromkeys(range(5001, 5005), (Outcome.FAILED, refused)),
        **{-(4_200_001 + n): (Outcome.FAILED, not_taken) for n in range(2)},
    }
    [shown] = telegram_texts(world, TELEGRAM_ADMIN)[-1:]
    assert shown == summary(sent=0, failed=6, files=((MAX, not_taken), (TELEGRAM, refused)))


def _refusal(description: str, status: int = 400) -> Exception:
    method = methods.SendPhoto(chat_id=1, photo="x")
    if status == 413:
        return TelegramEntityTooLarge(method=method, message=description)
    if status == 403:
        return TelegramForbiddenError(method=method, message=description)
    if status >= 500:
        return TelegramServerError(method=method, message=description)
    return TelegramBadRequest(method=method, message=description)


@pytest.mark.parametrize(
    ("description", "status", "channel", "of_the_file"),
    [
        (DIMENSIONS, 400, TELEGRAM, True),
        (WRONG_ID, 400, TELEGRAM, True),
        ("Bad Request: wrong remote file identifier specified: Wrong padding", 400, TELEGRAM, True),
        ("Bad Request: file is too big", 400, TELEGRAM, True),
        ("Request Entity Too Large", 413, TELEGRAM, True),
        ("Bad Request: can't use file of type Document as Photo", 400, TELEGRAM, True),
        ("Bad Request: type of file mismatch", 400, TELEGRAM, True),
        ("Bad Request: IMAGE_PROCESS_FAILED", 400, TELEGRAM, True),
        ("Bad Request: PHOTO_SAVE_FILE_INVALID", 400, TELEGRAM, True),
        ("Bad Request: FILE_REFERENCE_EXPIRED", 400, TELEGRAM, True),
        # About the chat or its user, though a photo is named: that recipient's only.
        ("Bad Request: chat not found", 400, TELEGRAM, False),
        ("Bad Request: user not found", 400, TELEGRAM, False),
        ("Bad Request: not enough rights to send photos to the chat", 400, TELEGRAM, False),
        ("Bad Request: CHAT_SEND_PHOTOS_FORBIDDEN", 400, TELEGRAM, False),
        ("Bad Request: PEER_ID_INVALID", 400, TELEGRAM, False),
        ("Forbidden: bot was blocked by the user", 403, TELEGRAM, False),
        # About neither (the caption, the markup), or passing.
        ("Bad Request: can't parse entities: unsupported start tag", 400, TELEGRAM, False),
        ("Bad Request: message caption is too long", 400, TELEGRAM, False),
        ("Internal Server Error: file upload failed", 500, TELEGRAM, False),
        # MAX's refusals of a message are not told apart (it documents no codes).
        ("Bad Request: MAX 400 proto.payload: attachment token 'x' is not known", 400, MAX, False),
    ],
)
def test_which_refusals_are_the_files(
    description: str, status: int, channel: str, of_the_file: bool
) -> None:
    assert refuses_file(_refusal(description, status), channel) is of_the_file


# --- what the sender remembers ------------------------------------------------------------------


async def test_a_sender_that_remembers_nothing_still_uploads_the_file_once(
    both: tuple[Both, list[Both]],
) -> None:
    """With no room for file ids at all, every delivery asks the database for the file's id
    (a read), and no delivery uploads it again, not even those that waited for the carrier."""
    world, _ = both
    await students(world, max_users=4)
    await photo_from_telegram(world, count=4)
    jobs = world.jobs()
    assert jobs.sender is not None
    jobs.sender.files = replace(jobs.sender.files, most=0)

    await jobs.drain_outbox()

    assert len(world.max_api.uploads) == 1
    assert world.telegram.methods().count("getFile") == 1
    for n in range(4):
        [message] = got_in_max(world, 4_200_001 + n)
        assert max_files(world, message) == [("image", PHOTO)]
    assert [o for _, o, _, _ in await outcomes(world)] == [Outcome.SENT] * 4
    assert jobs.sender.files.remembered() == {"known": 0, "refused": 0, "locks": 0, "fetched": 0}


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
