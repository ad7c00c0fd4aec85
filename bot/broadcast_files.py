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
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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
from services.broadcast_files import Carrying, FileState

log = logging.getLogger(__name__)

#: How long a delivery waits when another process is carrying its file.
WAIT_FOR_CARRIER = timedelta(seconds=5)
#: Files fetched and not yet carried, kept for the next try of a carrying send (Telegram's).
KEPT_FILES = 2
SERVER_ERROR = 500
#: How much of a failure's reason is kept on the file's row.
ERROR_CHARS = 300
#: MAX's attachment types.
MAX_KINDS = {broadcasts.PHOTO: "image", broadcasts.DOCUMENT: "file"}


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
    _known: dict[tuple[int, str], str] = field(default_factory=dict, init=False)
    _locks: dict[tuple[int, str], asyncio.Lock] = field(default_factory=dict, init=False)
    _fetched: OrderedDict[tuple[int, str], bytes] = field(default_factory=OrderedDict, init=False)

    async def deliver(self, media: Media, channel: str, target: Bot, send: Send) -> None:
        """Send the message to a recipient in `channel` (not the file's own), the file carried
        there if it is not yet."""
        key = (media.broadcast_id, channel)
        file_id = self._known.get(key)
        if file_id is None:
            lock = self._locks.setdefault(key, asyncio.Lock())
            async with lock:
                file_id = self._known.get(key)
                if file_id is None:
                    file_id = await self._carry(media, channel, target, send)
                    if file_id is None:  # this message carried it
                        return
        await send(file_id)

    async def _carry(self, media: Media, channel: str, target: Bot, send: Send) -> str | None:
        """The file's id in `channel`; None when `send` carried it (the message is sent)."""
        key = (media.broadcast_id, channel)
        now = self.clock()
        async with self.uow_factory() as uow:
            taken = await broadcast_files.take(
                uow, self._carrying(media, channel), now, now - self.lease
            )
        if taken.state is FileState.READY and taken.file_id is not None:
            self._remember(key, taken.file_id)
            return taken.file_id
        if taken.state is FileState.FAILED:
            raise FileNotCarried(taken.error or "the file could not be carried", for_good=True)
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
            self._fetched[key] = data
            while len(self._fetched) > KEPT_FILES:
                self._fetched.popitem(last=False)
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
            except TelegramEntityTooLarge as error:
                await self._failed(media, channel, f"too large for {channel}: {error.message}")
                raise FileNotCarried(
                    f"the file is too large for {channel}: {error.message}", for_good=True
                ) from error
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
            await self._failed(media, channel, reason)
            raise FileNotCarried(reason, for_good=True) from error

    async def _failed(
        self, media: Media, channel: str, reason: str, retry_at: datetime | None = None
    ) -> None:
        log.warning("broadcast %s: %s", media.broadcast_id, reason)
        if retry_at is None:
            self._fetched.pop((media.broadcast_id, channel), None)
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
        self._known[key] = file_id
        self._fetched.pop(key, None)
        self._locks.pop(key, None)


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
