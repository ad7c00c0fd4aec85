"""A broadcast's photo or document for the recipients in the other messenger than the one it
was composed in. A file id is one messenger's: the file is fetched once from the source
messenger, uploaded once to the other, and its id there is kept (`broadcast_files`), so every
later delivery of the broadcast to that messenger, in any process and after a restart, reuses it.

One process carries a file at a time: it claims the row first (a claim whose process died
lapses); the others' deliveries wait meanwhile without counting a try. A failure is kept on the
row: for good (the file is too large, refused), every delivery to that messenger fails with it;
passing (a server error), deliveries until `retry_at` count a failed try with it, as if they
had tried themselves, and the first one after carries the file again. A messenger's refusal of
the file itself (`refused`: of its upload, or of a message sending it by its id, in the
broadcast's own messenger too) fails it there for good at once: the row, and every delivery
waiting for that messenger's recipients, in one transaction. The carrying itself is the bot's
(bot/broadcast_files.py); this module keeps the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from db.uow import UnitOfWork
from services.outbox import ERROR_CHARS as OUTBOX_ERROR_CHARS


class FileState(StrEnum):
    #: Uploaded: send by `file_id`.
    READY = "ready"
    #: Ours to carry now.
    TAKEN = "taken"
    #: Another process is carrying it.
    ELSEWHERE = "elsewhere"
    #: Carrying it failed a moment ago (`error`), to be tried again from `retry_at`.
    FAILING = "failing"
    #: It cannot be carried (`error`).
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Taken:
    state: FileState
    file_id: str | None = None
    error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Carrying:
    """One process (`holder`) carrying one broadcast's file to one messenger (`channel`)."""

    broadcast_id: int
    channel: str
    holder: str


async def known(uow: UnitOfWork, broadcast_id: int, channel: str) -> str | None:
    """The file's id in `channel`, if it was carried there."""
    found = await uow.broadcast_files.get(broadcast_id, channel)
    await uow.end_read()
    return None if found is None else found.file_id


async def settled(uow: UnitOfWork, broadcast_id: int, channel: str) -> Taken | None:
    """Where the file stands in `channel` if that is settled (READY with its id, or FAILED
    with the reason); None when it is still to be carried. A read: what a process that does
    not remember the file (a restart, an entry dropped from its memory) pays to learn it."""
    found = await uow.broadcast_files.get(broadcast_id, channel)
    await uow.end_read()
    if found is None:
        return None
    if found.failed:
        return Taken(FileState.FAILED, error=found.error)
    if found.file_id is not None:
        return Taken(FileState.READY, file_id=found.file_id)
    return None


async def take(uow: UnitOfWork, carrying: Carrying, now: datetime, lapsed: datetime) -> Taken:
    """Where the file stands in the messenger, claiming it for this process when nobody has
    carried it yet, the last try's pause is over, or its carrier's claim lapsed (made before
    `lapsed`)."""
    broadcast_id, channel, holder = carrying.broadcast_id, carrying.channel, carrying.holder
    async with uow.write():
        files = uow.broadcast_files
        if await files.insert_claimed(broadcast_id, channel, holder, now):
            return Taken(FileState.TAKEN)
        found = await files.lock(broadcast_id, channel)
        assert found is not None  # it conflicted, and rows are deleted only with the broadcast
        if found.failed:
            return Taken(FileState.FAILED, error=found.error)
        if found.file_id is not None:
            return Taken(FileState.READY, file_id=found.file_id)
        if found.holder not in (None, holder) and (found.claimed_at or now) >= lapsed:
            return Taken(FileState.ELSEWHERE)
        if found.retry_at is not None and found.retry_at > now:
            return Taken(FileState.FAILING, error=found.error, retry_at=found.retry_at)
        await files.claim(broadcast_id, channel, holder, now)
    return Taken(FileState.TAKEN)


async def carried(uow: UnitOfWork, carrying: Carrying, file_id: str, now: datetime) -> None:
    """The file is in the messenger now, under `file_id`."""
    async with uow.write():
        await uow.broadcast_files.store(
            carrying.broadcast_id, carrying.channel, carrying.holder, file_id, now
        )


async def not_carried(
    uow: UnitOfWork,
    carrying: Carrying,
    now: datetime,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Carrying it failed: for good (`error` and no `retry_at`), for a while (`retry_at`), or
    for a reason of one delivery only (no `error`: the next delivery tries at once)."""
    async with uow.write():
        await uow.broadcast_files.release(
            carrying.broadcast_id,
            carrying.channel,
            carrying.holder,
            now,
            error=error,
            retry_at=retry_at,
            failed=error is not None and retry_at is None,
        )


async def refused(  # noqa: PLR0913
    uow: UnitOfWork,
    broadcast_id: int,
    channel: str,
    reason: str,
    now: datetime,
    *,
    file_id: str | None = None,
) -> int | None:
    """`channel` refused the file itself for good (`reason`): its upload (`file_id` None), or a
    message sending it by `file_id`. The row says so, and the broadcast's deliveries waiting for
    that messenger's recipients fail with the reason, untried, in one transaction: how many.
    None when the file was carried there meanwhile under another id (a carrier whose claim
    lapsed, refused after another one carried it): nothing is failed but the one delivery."""
    async with uow.write():
        if not await uow.broadcast_files.refuse(
            broadcast_id, channel, reason, now, file_id=file_id
        ):
            return None
        return await uow.outbox.fail_pending_of_broadcast(
            broadcast_id, channel, reason[:OUTBOX_ERROR_CHARS], now
        )
