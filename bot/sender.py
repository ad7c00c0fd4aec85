"""The outbox sender: drains the outbox at a set rate, and keeps coordinators' broadcast
progress messages current.

Each round claims a few due messages (a twentieth of a second's worth at the set rate, so that
a process killed at any moment leaves only a few in doubt, see services/outbox.py), reads what
they are about once, and sends them concurrently, each in its slot of the pace; while they are
out, the round before is recorded and the next one claimed, in one transaction. The pace is a
token bucket: never more than `rate` messages a second overall (a burst of one round at most,
after a pause), and a 429 stops every
send for the time Telegram asks. The outbox's own retry rules replace the request middleware's
for these messages (see `bot.retry.handled_by_caller`): a flood wait or a passing failure puts
the message back in the queue instead of holding a slot. A broadcast's photo or document goes
through `bot.broadcast_files`: to the other messenger's recipients fetched and uploaded once, and
a refusal of the file itself fails it once for that messenger, not once per recipient.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, methods
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.methods.base import Response
from aiogram.types import InputFile, TelegramObject

from bot.broadcast_files import (
    BroadcastFiles,
    CarryDocument,
    CarryPhoto,
    FileNotCarried,
    FileNotReady,
    Media,
    Recent,
    sources_of,
)
from bot.retry import handled_by_caller
from db.channels import channel_of
from db.records import BroadcastRecord, OutboxRecord
from db.repositories.outbox import Outcome
from db.uow import UnitOfWork, UnitOfWorkFactory
from handlers.ui import View
from handlers.views import admin as admin_views
from handlers.views import broadcasts as broadcast_views
from handlers.views import consultations as consultation_views
from handlers.views import events as events_views
from handlers.views import family as family_views
from handlers.views import quiz as quiz_views
from handlers.views import stats as stats_views
from locales import Texts
from quizzes import Questionnaire
from services import broadcasts, outbox
from services.outbox import Batch, Delivery, RetryPolicy
from services.outbox_kinds import OutboxKind

log = logging.getLogger(__name__)


class Delivered(TelegramObject):
    """What the sender reads of Telegram's answer to a message it sent: that it is a message.
    The rest of the Message is left as it came (extra fields, not parsed into objects): the
    sender never looks at it, and parsing a whole Message costs more than sending it."""

    message_id: int


class SendMessage(methods.SendMessage):
    __returning__ = Delivered  # type: ignore[assignment]


class SendPhoto(methods.SendPhoto):
    __returning__ = Delivered  # type: ignore[assignment]


class SendDocument(methods.SendDocument):
    __returning__ = Delivered  # type: ignore[assignment]


#: aiogram reads each answer of the Bot API as `Response[<the method's result>]`, a pydantic
#: generic model that pydantic caches only weakly: once the garbage collector has freed it, the
#: next answer builds it again (milliseconds, and thousands of objects). Held here for the
#: methods the sender calls, each is built once per process.
_ANSWER_MODELS = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        SendMessage,
        SendPhoto,
        SendDocument,
        methods.EditMessageText,
        CarryPhoto,
        CarryDocument,
    )
)

#: Kinds of message whose every word is in their payload.
PAYLOAD_VIEWS: dict[str, Callable[[Texts, dict[str, Any]], View]] = {
    OutboxKind.CONSULTATION: consultation_views.outbox_view,
    OutboxKind.COORDINATOR_REVOKED: admin_views.revoked_view,
    OutboxKind.DESTINATION_SURVEY: lambda texts, payload: stats_views.destination_view(
        texts, int(payload["year"])
    ),
}

#: A broadcast's progress message is edited at most this often.
PROGRESS_EVERY = timedelta(seconds=3)
#: Broadcasts whose last progress report this process remembers.
REPORTED_BROADCASTS = 256
#: A round claims at most this many messages (at 1 000 a second: a twentieth of a second's worth).
MAX_ROUND = 50
#: How many rounds a process killed at any moment may leave in doubt (see `OutboxSender.drain`).
ROUNDS_IN_DOUBT = 3


def failure_reason(error: Exception) -> str:
    """A failed send's reason, as a short label for the metrics."""
    if isinstance(error, TelegramRetryAfter):
        return "flood_wait"
    if isinstance(error, FileNotCarried | FileNotReady):
        return "file"
    if isinstance(error, TelegramForbiddenError):
        return "blocked"
    if isinstance(error, TelegramBadRequest | TelegramNotFound | TelegramEntityTooLarge):
        return "bad_request"
    if isinstance(error, TelegramAPIError):
        return "server_or_network"
    return "error"


def round_size(rate: float) -> int:
    """Messages claimed in one round at `rate` messages a second."""
    return max(1, min(MAX_ROUND, math.ceil(rate / 20)))


class Pace:
    """A token bucket: slots `1 / rate` seconds apart, with up to `burst` slots taken at once
    after a pause; `hold` stops all slots for a while (Telegram's 429)."""

    #: How it waits (a test records the waits instead).
    sleep = staticmethod(asyncio.sleep)

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._next = 0.0
        self._held_until = 0.0

    async def slot(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(self._next, now - self.burst / self.rate, self._held_until)
        self._next = start + 1 / self.rate
        if start > now:
            await self.sleep(start - now)
        held = self._held_until - loop.time()
        if held > 0:  # a 429 came while this one waited
            await self.sleep(held)

    def hold(self, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        self._held_until = max(self._held_until, until)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message as it goes out: a view, and a broadcast's photo or document."""

    view: View
    media: Media | None = None


@dataclass
class OutboxSender:
    bot: Bot
    uow_factory: UnitOfWorkFactory
    texts: Texts
    quizzes: dict[str, Questionnaire]
    clock: Callable[[], datetime]
    #: Messages per second, overall.
    rate: float
    #: A claim older than this that was never finished was interrupted (the process died).
    lease: timedelta = timedelta(minutes=5)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    #: Telegram's allow_paid_broadcast: up to 1 000 messages a second, paid in Stars.
    paid_broadcast: bool = False
    #: Seconds one send may take before it is a timeout (a passing failure).
    request_timeout: int = 30
    #: The bot of each messenger ("telegram", "max") when it runs in several: each message
    #: goes through its recipient's own (db/channels.py). Empty: everything through `bot`.
    bots: dict[str, Bot] = field(default_factory=dict)
    #: Told of every message tried: its outcome ("sent", "blocked", "failed", "retry",
    #: "dropped") and the reason (bot/metrics.py counts them).
    observe: Callable[[str, str], None] = field(default=lambda _outcome, _reason: None)
    _stopping: bool = field(default=False, init=False)
    _pace: Pace = field(init=False)
    _draining: asyncio.Task[Any] | None = field(default=None, init=False)
    #: When this process last asked for each broadcast's progress report: the most recent
    #: broadcasts only (one finished or cancelled by another process is never popped here; an
    #: entry dropped only means the database is asked again, and it keeps the turns).
    _reported: Recent[int, datetime] = field(
        default_factory=lambda: Recent(REPORTED_BROADCASTS), init=False
    )
    #: Broadcasts' files carried to the other messenger (bot/broadcast_files.py).
    files: BroadcastFiles = field(init=False)

    def __post_init__(self) -> None:
        self._pace = Pace(self.rate, self.round_size)
        self.files = BroadcastFiles(
            bots=sources_of(self.bots, self.bot),
            uow_factory=self.uow_factory,
            clock=self.clock,
            lease=self.lease,
            pause=self.policy.first,
        )

    @property
    def round_size(self) -> int:
        return round_size(self.rate)

    def stop(self) -> None:
        """Claim nothing more; the round in hand finishes and is recorded."""
        self._stopping = True

    async def finish(self, within: float) -> None:
        """Stop, and wait (up to `within` seconds) for the round in hand to be recorded, so
        that a SIGTERM leaves no message in doubt."""
        self.stop()
        task = self._draining
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=within)

    async def drain(self) -> int:
        """Send what is due until nothing is (or `stop`); returns how many were sent.

        Rounds overlap: while one round's requests are out, the outcomes of the round before
        are recorded and the next round is claimed and read, in one write transaction and one
        read (so the database's disk flushes never hold the pace up). A process killed at any
        moment therefore leaves at most three rounds in doubt: the one recorded in memory only,
        the one being sent and the one claimed."""
        self._draining = asyncio.current_task()
        sent = 0
        touched: set[int] = set()
        async with self.uow_factory() as uow:
            await self._start_due_broadcasts(uow)
            claimed = [] if self._stopping else await self._claim(uow, [], touched)
            batch = await outbox.read_batch(uow, claimed) if claimed else Batch()
            done: list[Delivery] = []
            while claimed:
                sending = asyncio.create_task(self._send_round(claimed, batch))
                touched.update(m.broadcast_id for m in claimed if m.broadcast_id is not None)
                following = await self._claim(uow, done, touched)
                batch = await outbox.read_batch(uow, following) if following else Batch()
                sent += sum(d.outcome == Outcome.SENT for d in done)
                await self._report_progress(uow, touched, final=False)
                done = await sending
                claimed = following
            await outbox.record(uow, done, self.clock())
            sent += sum(d.outcome == Outcome.SENT for d in done)
            await self._report_progress(uow, touched, final=True)
        if sent:
            log.info("outbox: %d sent", sent)
        return sent

    async def _claim(
        self, uow: UnitOfWork, done: list[Delivery], touched: set[int]
    ) -> list[OutboxRecord]:
        """Record `done` and, unless stopping, claim the next round (one transaction)."""
        limit = 0 if self._stopping else self.round_size
        return await outbox.record_and_claim(
            uow, done, self.clock(), limit=limit, lease=self.lease, interrupted=touched
        )

    async def _send_round(self, claimed: list[OutboxRecord], batch: Batch) -> list[Delivery]:
        """Every message of a round, each in its slot of the pace; no database work here (the
        drain uses the unit of work meanwhile)."""
        now = self.clock()
        return list(
            await asyncio.gather(*(self._deliver(m, self._render(m, batch, now)) for m in claimed))
        )

    def _render(self, message: OutboxRecord, batch: Batch, now: datetime) -> Outgoing | None:
        if message.broadcast_id is not None:
            return self._broadcast(batch.broadcasts.get(message.broadcast_id))
        if "attempt_id" in message.payload:
            return self._quiz_reminder(message, batch)
        if message.kind in (OutboxKind.FAMILY_NOTICE, OutboxKind.CHILD_REMINDER):
            return self._family(message, batch, now)
        from_payload = PAYLOAD_VIEWS.get(message.kind)
        if from_payload is not None:
            return Outgoing(from_payload(self.texts, message.payload))
        event = batch.events.get(int(message.payload.get("event_id", 0)))
        if event is None:
            return None
        view = events_views.outbox_view(self.texts, message, event[0], event[1], now)
        return None if view is None else Outgoing(view)

    def _broadcast(self, found: BroadcastRecord | None) -> Outgoing | None:
        """None when the broadcast is gone or was stopped."""
        view = None if found is None else broadcast_views.delivery_view(self.texts, found)
        if found is None or view is None:
            return None
        if found.media_kind is None or not found.media_file_id:
            return Outgoing(view)
        media = Media(
            found.id,
            found.media_kind,
            found.media_file_id,
            found.media_channel,
            found.media_name,
            found.media_url,
        )
        return Outgoing(view, media)

    def _family(self, message: OutboxRecord, batch: Batch, now: datetime) -> Outgoing | None:
        """A notice to a parent or a child, or a copy of a child's event reminder to a parent."""
        if message.kind == OutboxKind.FAMILY_NOTICE:
            return Outgoing(family_views.notice_view(self.texts, message))
        event = batch.events.get(int(message.payload.get("event_id", 0)))
        if event is None:
            return None
        view = family_views.child_reminder_view(self.texts, message, event[0], event[1], now)
        return None if view is None else Outgoing(view)

    def _quiz_reminder(self, message: OutboxRecord, batch: Batch) -> Outgoing | None:
        """None when the questionnaire was finished since, or its version changed (the
        reminder's button would be out of date)."""
        attempt = batch.attempts.get(int(message.payload["attempt_id"]))
        quiz = self.quizzes.get(attempt.quiz_id) if attempt is not None else None
        if attempt is None or attempt.finished or quiz is None:
            return None
        if quiz.version != attempt.quiz_version:
            return None
        return Outgoing(quiz_views.reminder_view(self.texts, quiz, attempt))

    async def _deliver(self, message: OutboxRecord, outgoing: Outgoing | None) -> Delivery:
        if outgoing is None:  # the event is gone or has begun, the broadcast was cancelled
            self.observe(Outcome.DROPPED, "gone")
            return outbox.dropped(message)
        await self._pace.slot()
        handled_by_caller.set(True)  # this task's own context: the retries are the outbox's
        try:
            await self._send(message.user_id, outgoing)
        except Exception as error:
            delivery = self._failed(message, error)
            outcome = "retry" if delivery.outcome is None else str(delivery.outcome)
            self.observe(outcome, failure_reason(error))
            return delivery
        self.observe(Outcome.SENT, "")
        return outbox.sent(message)

    def _failed(self, message: OutboxRecord, error: Exception) -> Delivery:
        """What a failed send means for the message."""
        if isinstance(error, FileNotReady | FileNotCarried):
            return self._file_failed(message, error)
        if isinstance(error, TelegramRetryAfter):
            self._pace.hold(error.retry_after)
            return outbox.flood_wait(message, error.retry_after, self.clock())
        if isinstance(error, TelegramForbiddenError):
            return outbox.blocked(message)
        if isinstance(error, TelegramBadRequest | TelegramNotFound | TelegramEntityTooLarge):
            log.warning("message %s to %s refused: %s", message.key, message.user_id, error)
            return outbox.rejected(message, error.message)
        if isinstance(error, TelegramAPIError):  # 5xx, a timeout, the network, a gateway's page
            log.warning("message %s to %s failed: %s", message.key, message.user_id, error)
            return outbox.passing_failure(message, str(error), self.clock(), self.policy)
        # A bug in rendering or sending must not stop the queue.
        log.error(
            "message %s to %s could not be sent", message.key, message.user_id, exc_info=error
        )
        return outbox.rejected(message, f"{type(error).__name__}: {error}")

    def _file_failed(self, message: OutboxRecord, error: FileNotReady | FileNotCarried) -> Delivery:
        """The broadcast's file is not in the recipient's messenger (bot/broadcast_files.py)."""
        if isinstance(error, FileNotReady):
            return outbox.postponed(message, error.seconds, error.reason, self.clock())
        log.warning("message %s to %s: %s", message.key, message.user_id, error.reason)
        if error.for_good:
            return outbox.rejected(message, error.reason)
        return outbox.passing_failure(message, error.reason, self.clock(), self.policy)

    def bot_for(self, chat_id: int) -> Bot | None:
        """The bot that reaches this user: the one of their messenger."""
        if not self.bots:
            return self.bot
        return self.bots.get(channel_of(chat_id))

    def _routed(self, chat_id: int, text: str) -> Bot:
        bot = self.bot_for(chat_id)
        if bot is None:
            raise TelegramBadRequest(
                method=methods.SendMessage(chat_id=chat_id, text=text),
                message=f"Bad Request: the bot does not run in {channel_of(chat_id)} now",
            )
        return bot

    async def _send(self, chat_id: int, outgoing: Outgoing) -> None:
        view = outgoing.view
        bot = self._routed(chat_id, view.text)
        common: dict[str, Any] = {"chat_id": chat_id, "reply_markup": view.markup()}
        if self.paid_broadcast:
            common["allow_paid_broadcast"] = True
        media = outgoing.media
        if media is None:
            method = SendMessage(text=view.text, **common)
            await bot(method, request_timeout=self.request_timeout)
            return

        async def send(file: str | InputFile) -> Any:
            kind = media.kind
            method: SendPhoto | SendDocument | CarryPhoto | CarryDocument
            if isinstance(file, str):  # the file's id in this messenger
                if kind == broadcasts.PHOTO:
                    method = SendPhoto(photo=file, caption=view.text, **common)
                else:
                    method = SendDocument(document=file, caption=view.text, **common)
            elif kind == broadcasts.PHOTO:  # uploaded with this message (Telegram)
                method = CarryPhoto(photo=file, caption=view.text, **common)
            else:
                method = CarryDocument(document=file, caption=view.text, **common)
            return await bot(method, request_timeout=self.request_timeout)

        await self.files.deliver(media, channel_of(chat_id), bot, send)

    # --- broadcasts ---------------------------------------------------------------------------

    async def _start_due_broadcasts(self, uow: UnitOfWork) -> None:
        """Scheduled broadcasts whose time has come: each gets its progress message."""
        for started in await broadcasts.start_due(uow, self.clock()):
            progress = await broadcasts.progress_of(uow, started.id)
            view = broadcast_views.progress_view(self.texts, started, progress, self.rate)
            try:
                shown = await self._routed(started.created_by, view.text).send_message(
                    started.created_by, view.text, reply_markup=view.markup()
                )
            except TelegramAPIError as error:
                log.warning("progress of broadcast %s not shown: %s", started.id, error)
                continue
            await broadcasts.set_progress_message(uow, started.id, shown.message_id)

    async def _report_progress(
        self, uow: UnitOfWork, touched: Iterable[int], *, final: bool
    ) -> None:
        """Edit the progress message of each broadcast `touched` (and send the summary of one
        that is over). Between rounds (not `final`) a broadcast this process reported on less
        than PROGRESS_EVERY ago is skipped without asking the database (its turn cannot have
        come round again); at the end of a drain every one is asked."""
        now = self.clock()
        for broadcast_id in touched:
            last = self._reported.get(broadcast_id)
            if not final and last is not None and now - last < PROGRESS_EVERY:
                continue
            self._reported.put(broadcast_id, now)
            report = await broadcasts.report_due(uow, broadcast_id, now, PROGRESS_EVERY)
            if report is None:
                continue
            found, progress, finished = report
            await self._edit_progress(found, progress)
            if finished:
                self._reported.pop(broadcast_id)
                self.files.forget(broadcast_id)
                view = broadcast_views.summary_view(self.texts, found, progress)
                await self._tell(found.created_by, view)

    async def _edit_progress(self, found: BroadcastRecord, progress: broadcasts.Progress) -> None:
        if found.progress_message_id is None or found.progress_chat_id is None:
            return
        view = broadcast_views.progress_view(self.texts, found, progress, self.rate)
        try:
            await self._routed(found.progress_chat_id, view.text).edit_message_text(
                view.text,
                chat_id=found.progress_chat_id,
                message_id=found.progress_message_id,
                reply_markup=view.markup(),
            )
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                log.info("progress of broadcast %s not edited: %s", found.id, error.message)
        except TelegramAPIError as error:
            log.warning("progress of broadcast %s not edited: %s", found.id, error)

    async def _tell(self, chat_id: int, view: View) -> None:
        try:
            bot = self._routed(chat_id, view.text)
            await bot.send_message(chat_id, view.text, reply_markup=view.markup())
        except TelegramAPIError as error:
            log.warning("message to coordinator %s not sent: %s", chat_id, error)
