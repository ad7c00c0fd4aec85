"""A broadcast's photo or document carried to the other messenger (see services/broadcast_files.py
for the record and its rules).

A file id sends a file again only in its own messenger. For a recipient in the other one, the
file is fetched once from the messenger it was composed in (Telegram: `getFile` and a download
through the bot's session; MAX: the address the MAX session gave when the coordinator sent it)
and uploaded once to the recipient's:
- MAX takes an upload apart from any message (`POST /uploads`): the token it gives is stored,
  then this delivery and every later one send by it;
- Telegram has no upload of its own: the file is uploaded by sending it to the first recipient,
  and the file id in Telegram's answer is stored for the rest.

Within a process the deliveries of one broadcast to one messenger queue on a lock, so a round's
fifty deliveries carry the file once; across processes the database row's claim does it (the
deliveries of a process that finds it claimed elsewhere wait, uncounted). Failures never
escape as anything the sender could mistake for the recipient's own (a 403 from the source is
not the recipient blocking the bot): they are `FileNotCarried` (failed for good, or a passing
failure with the outbox's retries) or `FileNotReady` (wait, not counted as a try).

A refusal of the file itself (`refuses_file`: "wrong file identifier", "file is too big",
PHOTO_INVALID_DIMENSIONS, 413, ...), of its upload or of a message sending it by its id, in the
broadcast's own messenger too, fails the file in that messenger once: the deliveries waiting
for it fail with the reason at once (services.broadcast_files.refused), and those in hand here
without a request. A refusal about the chat (blocked, chat not found, no rights to send photos
there) stays that recipient's. So that one request finds it out, not a round's fifty, the
first message of a broadcast with its own file id in Telegram goes alone too.

What the process remembers (file ids, refusals) is a small LRU, and a lock lives only while a
delivery holds or waits for it: the database stays the record, so a forgotten entry costs one
read, and never a second carrier (the lock of a file being carried is held, so it is kept).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import aiohttp
from aiogram import Bot, methods
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InputFile, TelegramObject

from bot.max.api import MaxCall
from bot.max.session import MaxSession
from db.channels import MAX, TELEGRAM
from db.uow import UnitOfWorkFactory
from services import broadcast_files, broadcasts
from services.broadcast_files import Carrying, FileState, Taken

log = logging.getLogger(__name__)

#: How long a delivery waits when another process is carrying its file.
WAIT_FOR_CARRIER = timedelta(seconds=5)
#: Files fetched and not yet carried, kept for the next try of a carrying send (Telegram's).
KEPT_FILES = 2
#: How many (broadcast, messenger) file ids, and as many refusals, a process remembers.
KNOWN_FILES = 256
SERVER_ERROR = 500
#: How much of a failure's reason is kept on the file's row.
ERROR_CHARS = 300
#: MAX's attachment types.
MAX_KINDS = {broadcasts.PHOTO: "image", broadcasts.DOCUMENT: "file"}


#: A Bot API refusal naming any of these is about the chat or its user, whatever else it
#: names ("not enough rights to send photos to the chat", CHAT_SEND_PHOTOS_FORBIDDEN): it is
#: the recipient's, never the file's. Looked for first.
_CHAT_WORDS = (
    "chat",
    "user",
    "peer",
    "rights",
    "forbidden",
    "member",
    "thread",
    "topic",
    "blocked",
    "kicked",
    "deactivated",
    "migrated",
    "upgraded",
)
#: A Bot API refusal naming any of these is about the file itself, the same for every chat:
#: an id Telegram does not take (a sendPhoto by a wrong, foreign or expired one; getFile's
#: "wrong file_id or the file is temporarily unavailable"), its size, a photo Telegram cannot
#: process, a file of the other kind ("can't use file of type Document as Photo"), nothing in
#: it. The descriptions are the Bot API server's (tdlib/telegram-bot-api) and TDLib's own.
_FILE_WORDS = (
    "wrong file identifier",
    "wrong remote file id",
    "file_id",
    "file id",
    "file is too big",
    "file must be non-empty",
    "type of file mismatch",
    "can't use file of type",
    "photo_invalid",
    "photo_save_file_invalid",
    "photo_ext_invalid",
    "photo_file_missing",
    "photo_crop",
    "image_process_failed",
    "document_invalid",
    "file_parts_invalid",
    "file_part_",
    "file_reference",
    "media_empty",
    "media_invalid",
    "no photo in the request",
    "no document in the request",
)
#: The messengers whose refusals are told apart. MAX documents no error codes, and its
#: `proto.payload` covers the text and the buttons as well as an attachment: a MAX refusal of
#: a message is its recipient's (MAX's upload is a request of its own: a refusal there is the
#: file's, see `BroadcastFiles._step`).
REFUSALS_KNOWN = frozenset({TELEGRAM})

K = TypeVar("K")
V = TypeVar("V")


def refuses_file(error: Exception, channel: str) -> bool:
    """Whether `error`, the answer to a message with the broadcast's file in `channel`, is a
    refusal of the file itself, one that will not change and holds for every chat."""
    if channel not in REFUSALS_KNOWN:
        return False
    if isinstance(error, TelegramEntityTooLarge):  # 413: the request, so the file, is too large
        return True
    if not isinstance(error, TelegramBadRequest):
        return False
    description = error.message.lower()
    if any(word in description for word in _CHAT_WORDS):
        return False
    return any(word in description for word in _FILE_WORDS)


class Recent(Generic[K, V]):
    """At most `most` entries, the least recently used dropped first."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.most:
            self._entries.popitem(last=False)

    def pop(self, key: K) -> None:
        self._entries.pop(key, None)


@dataclass(slots=True)
class _Gate:
    """The lock of one (broadcast, messenger), and how many deliveries hold or wait for it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class FileNotCarried(Exception):
    """The file could not be carried to the recipient's messenger: for good (the message
    fails with `reason`), or not now (a passing failure, tried again by the outbox's rules)."""

    def __init__(self, reason: str, *, for_good: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.for_good = for_good


class FileNotReady(Exception):
    """The file is on its way (another process carries it, or a messenger asked to wait): the
    message waits `seconds`, and the wait is not a try."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Media:
    """A broadcast's file as the sender has it."""

    broadcast_id: int
    kind: str
    file_id: str
    channel: str
    name: str | None = None
    url: str | None = None


class FileRef(TelegramObject):
    file_id: str


class Carried(TelegramObject):
    """What a carrying send reads of Telegram's answer: the message and the file's new id."""

    message_id: int
    photo: list[FileRef] | None = None
    document: FileRef | None = None


class CarryPhoto(methods.SendPhoto):
    __returning__ = Carried  # type: ignore[assignment]


class CarryDocument(methods.SendDocument):
    __returning__ = Carried  # type: ignore[assignment]


#: Sends the message with the file given (an id, or the bytes to upload); Telegram's answer.
Send = Callable[[str | InputFile], Awaitable[Any]]


def file_id_in(answer: Any) -> str | None:
    """The file id in the answer to a send that uploaded a photo or document."""
    photo = getattr(answer, "photo", None)
    if photo:
        return str(photo[-1].file_id)
    document = getattr(answer, "document", None)
    return None if document is None else str(document.file_id)


@dataclass
class BroadcastFiles:
    bots: dict[str, Bot]
    uow_factory: UnitOfWorkFactory
    clock: Callable[[], datetime]
    #: A carrier's claim older than this lapsed (its process died).
    lease: timedelta
    #: The pause after a passing failure before the file is carried again.
    pause: timedelta
    #: This process, in the claims.
    holder: str = field(default_factory=lambda: secrets.token_hex(8))
    #: How many file ids (and refusals) it remembers.
    most: int = KNOWN_FILES
    #: The file's id in each (broadcast, messenger) it was carried to, or sent by there.
    _known: Recent[tuple[int, str], str] = field(init=False)
    #: The reason a messenger refused each (broadcast, messenger)'s file for good.
    _refused: Recent[tuple[int, str], str] = field(init=False)
    _locks: dict[tuple[int, str], _Gate] = field(default_factory=dict, init=False)
    _fetched: Recent[tuple[int, str], bytes] = field(init=False)

    def __post_init__(self) -> None:
        self._known = Recent(self.most)
        self._refused = Recent(self.most)
        self._fetched = Recent(KEPT_FILES)

    async def deliver(self, media: Media, channel: str, target: Bot, send: Send) -> None:
        """Send the message to a recipient in `channel`: by the file's own id in its own
        messenger, else with the file carried there if it is not yet."""
        if channel == media.channel and channel not in REFUSALS_KNOWN:
            await send(media.file_id)
            return
        key = (media.broadcast_id, channel)
        file_id = self._usable(key)
        if file_id is None:
            async with self._gate(key):
                file_id = self._usable(key)
                if file_id is None:
                    file_id = await self._first(media, channel, target, send)
                    if file_id is None:  # this message carried it, or was the first to go
                        return
        await self._send_by_id(media, channel, file_id, send)

    def forget(self, broadcast_id: int) -> None:
        """The broadcast is over: nothing of it is needed in memory any more."""
        for channel in (TELEGRAM, MAX):
            key = (broadcast_id, channel)
            self._known.pop(key)
            self._refused.pop(key)
            self._fetched.pop(key)

    def remembered(self) -> dict[str, int]:
        """How many entries each of its memories holds now."""
        return {
            "known": len(self._known),
            "refused": len(self._refused),
            "locks": len(self._locks),
            "fetched": len(self._fetched),
        }

    def _usable(self, key: tuple[int, str]) -> str | None:
        """The file's id in the messenger if known here; FileNotCarried if it was refused."""
        reason = self._refused.get(key)
        if reason is not None:
            raise FileNotCarried(reason, for_good=True)
        return self._known.get(key)

    @asynccontextmanager
    async def _gate(self, key: tuple[int, str]) -> AsyncIterator[None]:
        """The deliveries of one (broadcast, messenger) one at a time. The lock is kept only
        while someone holds or waits for it, so a delivery always finds the one in use."""
        gate = self._locks.get(key)
        if gate is None:
            gate = self._locks[key] = _Gate()
        gate.users += 1
        try:
            async with gate.lock:
                yield
        finally:
            gate.users -= 1
            if gate.users == 0:
                del self._locks[key]

    async def _first(self, media: Media, channel: str, target: Bot, send: Send) -> str | None:
        """The first delivery here to `channel` (under its lock): what the database says, else
        the broadcast's own file id tried with this message, or the file carried. The id to
        send by, or None when this message went (FileNotCarried when the file cannot)."""
        key = (media.broadcast_id, channel)
        async with self.uow_factory() as uow:
            found = await broadcast_files.settled(uow, media.broadcast_id, channel)
        if found is not None:
            return self._settled(key, found)
        if channel == media.channel:
            await self._send_by_id(media, channel, media.file_id, send)
            self._known.put(key, media.file_id)
            return None
        return await self._carry(media, channel, target, send)

    def _settled(self, key: tuple[int, str], found: Taken) -> str:
        if found.state is FileState.FAILED:
            reason = found.error or "the file could not be carried"
            self._refused.put(key, reason)
            raise FileNotCarried(reason, for_good=True)
        assert found.file_id is not None  # READY
        self._remember(key, found.file_id)
        return found.file_id

    async def _send_by_id(self, media: Media, channel: str, file_id: str, send: Send) -> None:
        try:
            await send(file_id)
        except (TelegramBadRequest, TelegramEntityTooLarge) as error:
            if not refuses_file(error, channel):
                raise
            reason = f"{channel} refused the file: {error.message}"
            raise await self._refusal(media, channel, reason, file_id) from error

    async def _refusal(
        self, media: Media, channel: str, reason: str, file_id: str | None = None
    ) -> FileNotCarried:
        """`channel` refused the file for good: remembered here at once (the deliveries in
        hand fail without a request), then recorded (those waiting fail at once). The error
        that fails this delivery with the reason."""
        key = (media.broadcast_id, channel)
        first = self._refused.get(key) is None
        self._refused.put(key, reason)
        self._known.pop(key)
        self._fetched.pop(key)
        if first:
            log.warning("broadcast %s: %s", media.broadcast_id, reason)
            try:
                async with self.uow_factory() as uow:
                    closed = await broadcast_files.refused(
                        uow,
                        media.broadcast_id,
                        channel,
                        reason[:ERROR_CHARS],
                        self.clock(),
                        file_id=file_id,
                    )
            except Exception:
                # Each delivery still fails by what this process remembers, or by the row.
                log.exception(
                    "broadcast %s: could not record its file's refusal", media.broadcast_id
                )
            else:
                if closed is None:  # carried there meanwhile, by another process
                    self._refused.pop(key)
                elif closed:
                    log.info(
                        "broadcast %s: %d deliveries to %s failed with its file",
                        media.broadcast_id,
                        closed,
                        channel,
                    )
        return FileNotCarried(reason, for_good=True)

    async def _carry(self, media: Media, channel: str, target: Bot, send: Send) -> str | None:
        """The file's id in `channel`; None when `send` carried it (the message is sent)."""
        key = (media.broadcast_id, channel)
        now = self.clock()
        async with self.uow_factory() as uow:
            taken = await broadcast_files.take(
                uow, self._carrying(media, channel), now, now - self.lease
            )
        if taken.state in (FileState.READY, FileState.FAILED):
            return self._settled(key, taken)
        if taken.state is FileState.FAILING:
            raise FileNotCarried(taken.error or "the file could not be carried", for_good=False)
        if taken.state is FileState.ELSEWHERE:
            raise FileNotReady(WAIT_FOR_CARRIER.total_seconds(), "the file is being carried")
        try:
            return await self._transfer(media, channel, target, send)
        except BaseException:
            # Whatever happened, the claim is not left to lapse (the cases that record a
            # failure released it already: this release then changes nothing).
            async with self.uow_factory() as uow:
                await broadcast_files.not_carried(uow, self._carrying(media, channel), self.clock())
            raise

    async def _transfer(self, media: Media, channel: str, target: Bot, send: Send) -> str | None:
        key = (media.broadcast_id, channel)
        data = self._fetched.get(key)
        if data is None:
            data = await self._step(
                media, channel, f"taken from {media.channel}", lambda: self._fetch(media)
            )
            self._fetched.put(key, data)
        name = media.name or _default_name(media)
        session = target.session
        if isinstance(session, MaxSession):

            def upload() -> Awaitable[str]:
                method = MaxCall(path="uploads")
                return session.upload(MAX_KINDS[media.kind], data, name, method)

            file_id = await self._step(media, channel, f"uploaded to {channel}", upload)
            carried_by_this = False
        else:  # Telegram: uploaded by sending it to this recipient
            try:
                answer = await send(BufferedInputFile(data, filename=name))
            except (TelegramBadRequest, TelegramEntityTooLarge) as error:
                if not refuses_file(error, channel):
                    raise  # this recipient's (chat not found): the next one carries it
                reason = f"{channel} refused the file: {error.message}"
                raise await self._refusal(media, channel, reason) from error
            file_id = file_id_in(answer)
            carried_by_this = True
            if file_id is None:  # sent, but nothing to reuse: the next one uploads again
                log.warning("broadcast %s: no file id in the answer", media.broadcast_id)
                return None
        self._remember(key, file_id)
        try:
            async with self.uow_factory() as uow:
                await broadcast_files.carried(
                    uow, self._carrying(media, channel), file_id, self.clock()
                )
        except Exception:
            if not carried_by_this:
                raise
            # The message with the file has reached this recipient: it must not count as failed
            # (it would be sent again). The id is kept in this process; another one uploads again.
            log.exception("broadcast %s: could not record its file's id", media.broadcast_id)
        log.info("broadcast %s: its file is in %s now", media.broadcast_id, channel)
        return None if carried_by_this else file_id

    async def _step(
        self,
        media: Media,
        channel: str,
        what: str,
        step: Callable[[], Awaitable[Any]],
    ) -> Any:
        """One step of carrying (fetching, uploading), its failure recorded on the row and
        raised as FileNotCarried / FileNotReady."""
        try:
            return await step()
        except TelegramRetryAfter as error:
            raise FileNotReady(error.retry_after, f"{what}: flood control") from error
        except (TelegramServerError, TelegramNetworkError) as error:
            reason = f"the file could not be {what}: {error.message}"
            await self._failed(media, channel, reason, retry_at=self.clock() + self.pause)
            raise FileNotCarried(reason, for_good=False) from error
        except (
            TelegramBadRequest,
            TelegramNotFound,
            TelegramEntityTooLarge,
            TelegramForbiddenError,
            TelegramUnauthorizedError,
        ) as error:
            reason = f"the file could not be {what}: {error.message}"
            raise await self._refusal(media, channel, reason) from error

    async def _failed(self, media: Media, channel: str, reason: str, retry_at: datetime) -> None:
        """A passing failure: kept on the row until `retry_at`."""
        log.warning("broadcast %s: %s", media.broadcast_id, reason)
        async with self.uow_factory() as uow:
            await broadcast_files.not_carried(
                uow,
                self._carrying(media, channel),
                self.clock(),
                error=reason[:ERROR_CHARS],
                retry_at=retry_at,
            )

    async def _fetch(self, media: Media) -> bytes:
        """The file's bytes, from the messenger it was composed in."""
        source = self.bots.get(media.channel)
        if source is None:
            raise TelegramBadRequest(
                method=methods.GetFile(file_id=media.file_id),
                message=f"Bad Request: the bot does not run in {media.channel} now",
            )
        if media.channel == MAX:
            if not media.url:
                raise TelegramBadRequest(
                    method=methods.GetFile(file_id=media.file_id),
                    message="Bad Request: MAX gave no address for the file",
                )
            path = media.url
        else:
            found = await source.get_file(media.file_id)
            if not found.file_path:
                raise TelegramBadRequest(
                    method=methods.GetFile(file_id=media.file_id),
                    message="Bad Request: Telegram gave no path for the file",
                )
            path = found.file_path
        return await _download(source, path, media)

    def _carrying(self, media: Media, channel: str) -> Carrying:
        return Carrying(media.broadcast_id, channel, self.holder)

    def _remember(self, key: tuple[int, str], file_id: str) -> None:
        self._known.put(key, file_id)
        self._fetched.pop(key)


async def _download(bot: Bot, path: str, media: Media) -> bytes:
    """A download through the bot's own session, its failures as aiogram's errors."""
    method = methods.GetFile(file_id=media.file_id)
    try:
        got = await bot.download_file(path)
    except aiohttp.ClientResponseError as error:
        if error.status >= SERVER_ERROR:
            raise TelegramServerError(
                method=method, message=f"download: HTTP {error.status}"
            ) from error
        raise TelegramBadRequest(method=method, message=f"download: HTTP {error.status}") from error
    except (aiohttp.ClientError, TimeoutError) as error:
        raise TelegramNetworkError(method=method, message=f"download: {error!r}") from error
    if got is None:  # pragma: no cover - download_file returns the stream it made
        raise TelegramNetworkError(method=method, message="download: nothing")
    return got.read()


def _default_name(media: Media) -> str:
    return "photo.jpg" if media.kind == broadcasts.PHOTO else "document"


def sources_of(bots: dict[str, Bot], bot: Bot) -> dict[str, Bot]:
    """The bot of each messenger: `bots`, or the one bot (Telegram's) when only it runs."""
    return dict(bots) if bots else {TELEGRAM: bot}
