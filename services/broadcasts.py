"""Coordinators' broadcasts: a message (text, a photo or a document, a link or an event's
button) to an audience they choose, now or at a set time. Confirming writes one outbox row per
recipient before anything is sent; the outbox sender does the rest (bot/sender.py).

A school's coordinator reaches their own school's people (or those signed up for their
events); the committee and administrators reach anyone. Rights are read on every call."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from db.calendar import Moment, grade_now
from db.channels import CHANNELS, TELEGRAM
from db.models import BroadcastStatus
from db.records import Audience, BroadcastRecord
from db.repositories.broadcasts import recipients
from db.repositories.outbox import Outcome
from db.uow import UnitOfWork
from services.coordinators import Manager, Staff, require_manager
from services.errors import NotFound, NotPermitted, ServiceError
from services.outbox_kinds import OutboxKind

PHOTO = "photo"
DOCUMENT = "document"
#: Telegram's limits: a message's text, a caption, a photo and a document sent by a bot.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PHOTO_LIMIT_BYTES = 10 * 1024 * 1024
DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024
#: A broadcast that may still send.
OPEN = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)
#: How far ahead a broadcast may be scheduled.
LONGEST_DELAY = timedelta(days=92)


class BroadcastRefused(ServiceError):
    """The broadcast cannot go as it is; `key` names the locale text that says why."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


@dataclass(frozen=True, slots=True)
class Draft:
    """What the coordinator has composed so far (kept in the dialog's state)."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    text: str = ""
    #: The length Telegram counts (the text without its formatting).
    length: int = 0
    media_kind: str | None = None
    media_file_id: str | None = None
    #: The messenger the file id belongs to: the one the coordinator composes in.
    media_channel: str = TELEGRAM
    #: A document's name; where a MAX file can be downloaded (for Telegram's recipients).
    media_name: str | None = None
    media_url: str | None = None
    link_url: str = ""
    event_id: int | None = None
    audience: Audience = field(default_factory=Audience)
    send_at: datetime | None = None

    @property
    def has_content(self) -> bool:
        return bool(self.text.strip()) or self.media_file_id is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "text": self.text,
            "length": self.length,
            "media_kind": self.media_kind,
            "media_file_id": self.media_file_id,
            "media_channel": self.media_channel,
            "media_name": self.media_name,
            "media_url": self.media_url,
            "link_url": self.link_url,
            "event_id": self.event_id,
            "audience": self.audience.as_dict(),
            "send_at": self.send_at.isoformat() if self.send_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        send_at = data.get("send_at")
        event_id = data.get("event_id")
        # A draft kept from before files went to both messengers is Telegram's.
        channel = data.get("media_channel")
        return cls(
            token=str(data.get("token") or secrets.token_urlsafe(12)),
            text=str(data.get("text", "")),
            length=int(data.get("length", 0)),
            media_kind=data.get("media_kind"),
            media_file_id=data.get("media_file_id"),
            media_channel=channel if channel in CHANNELS else TELEGRAM,
            media_name=data.get("media_name"),
            media_url=data.get("media_url"),
            link_url=str(data.get("link_url", "")),
            event_id=None if event_id is None else int(event_id),
            audience=Audience.from_dict(data.get("audience") or {}),
            send_at=datetime.fromisoformat(send_at) if send_at else None,
        )


def content_problem(length: int, media_kind: str | None, media_bytes: int | None) -> str | None:
    """Why a composed message cannot go (a locale key), or None. `length`: its text's length
    as Telegram counts it."""
    if media_kind is None:
        return "broadcast-too-long" if length > TEXT_LIMIT else None
    if length > CAPTION_LIMIT:
        return "broadcast-caption-too-long"
    limit = PHOTO_LIMIT_BYTES if media_kind == PHOTO else DOCUMENT_LIMIT_BYTES
    if media_bytes is not None and media_bytes > limit:
        return "broadcast-file-too-large"
    return None


def scoped(manager: Manager, audience: Audience) -> Audience:
    """The audience as this coordinator may reach it: anyone for the committee; otherwise
    their own organisation's people, or those signed up for one of their events."""
    if manager.organisation_id is None or audience.event_id is not None:
        return audience
    return replace(audience, organisation_ids=(manager.organisation_id,))


async def _require_audience(uow: UnitOfWork, manager: Manager, audience: Audience) -> Audience:
    if audience.event_id is not None:
        event = await uow.events.get(audience.event_id)
        if event is None:
            raise NotFound(audience.event_id)
        if not manager.runs(event.organisation_id):
            raise NotPermitted(manager.user_id)
    return scoped(manager, audience)


async def reach(uow: UnitOfWork, staff: Staff, audience: Audience, moment: Moment) -> int:
    """How many people the audience reaches now (checked against the coordinator's rights)."""
    manager = await require_manager(uow, staff)
    audience = await _require_audience(uow, manager, audience)
    count = await uow.broadcasts.count(audience, moment.academic_year)
    await uow.end_read()
    return count


@dataclass(frozen=True, slots=True)
class Confirmed:
    broadcast: BroadcastRecord
    #: False when this draft had been confirmed already (a double tap).
    created: bool


async def confirm(uow: UnitOfWork, staff: Staff, draft: Draft, moment: Moment) -> Confirmed:
    """Make the broadcast and write its delivery rows, in one transaction. The same draft
    confirmed twice makes one broadcast. Refused: nothing to send, nobody to send it to, a
    time in the past, or beyond the rights of the coordinator."""
    now = moment.now
    if not draft.has_content:
        raise BroadcastRefused("broadcast-empty")
    problem = content_problem(draft.length, draft.media_kind, None)
    if problem is not None:
        raise BroadcastRefused(problem)
    send_at = draft.send_at or now
    if send_at < now - timedelta(minutes=1):
        raise BroadcastRefused("broadcast-time-past")
    if send_at > now + LONGEST_DELAY:
        raise BroadcastRefused("broadcast-time-far")
    async with uow.write():
        manager = await require_manager(uow, staff)
        audience = await _require_audience(uow, manager, draft.audience)
        if draft.event_id is not None:
            event = await uow.events.get(draft.event_id)
            if event is None or not manager.runs(event.organisation_id):
                raise BroadcastRefused("broadcast-event-gone")
        created = await uow.broadcasts.create(_values(draft, manager, audience, send_at, now))
        if created is None:
            existing = await uow.broadcasts.by_token(draft.token)
            if existing is None:  # pragma: no cover - the token's row exists: it conflicted
                raise NotFound(draft.token)
            return Confirmed(existing, created=False)
        kind = OutboxKind.BROADCAST_TO_SUBSCRIBERS if audience.kinds else OutboxKind.BROADCAST
        count = await uow.outbox.queue_selected(
            recipients(audience, moment.academic_year),
            f"broadcast:{created}",
            kind,
            now,
            not_before=send_at,
            broadcast_id=created,
        )
        if count == 0:
            raise BroadcastRefused("broadcast-nobody")
        await uow.broadcasts.set_recipients(created, count)
        found = await uow.broadcasts.get(created)
    assert found is not None
    return Confirmed(found, created=True)


def _values(
    draft: Draft, manager: Manager, audience: Audience, send_at: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "token": draft.token,
        "organisation_id": manager.organisation_id,
        "created_by": manager.user_id,
        "status": BroadcastStatus.SCHEDULED,
        "text": draft.text,
        "media_kind": draft.media_kind,
        "media_file_id": draft.media_file_id,
        "media_channel": draft.media_channel,
        "media_name": draft.media_name,
        "media_url": draft.media_url,
        "link_url": draft.link_url,
        "event_id": draft.event_id,
        "to_subscribers": bool(audience.kinds),
        "audience": audience.as_dict(),
        "recipients": 0,
        "send_at": send_at,
        "created_at": now,
    }


async def _managed(uow: UnitOfWork, staff: Staff, broadcast_id: int) -> BroadcastRecord:
    manager = await require_manager(uow, staff)
    found = await uow.broadcasts.get(broadcast_id)
    if found is None:
        raise NotFound(broadcast_id)
    if manager.organisation_id is not None and found.organisation_id != manager.organisation_id:
        raise NotPermitted(staff.user_id)
    return found


async def get(uow: UnitOfWork, staff: Staff, broadcast_id: int) -> tuple[BroadcastRecord, Progress]:
    found = await _managed(uow, staff, broadcast_id)
    progress = await progress_of(uow, broadcast_id)
    await uow.end_read()
    return found, progress


async def cancel(
    uow: UnitOfWork, staff: Staff, broadcast_id: int, now: datetime
) -> BroadcastRecord:
    """Stop a broadcast before or while it sends: what has not gone out, never will.
    Cancelling one that is over changes nothing."""
    async with uow.write():
        await _managed(uow, staff, broadcast_id)
        if await uow.broadcasts.cancel(broadcast_id, now):
            await uow.outbox.drop_pending_of_broadcast(broadcast_id, now)
        found = await uow.broadcasts.get(broadcast_id)
    assert found is not None
    return found


async def recent(uow: UnitOfWork, staff: Staff, limit: int = 10) -> list[BroadcastRecord]:
    manager = await require_manager(uow, staff)
    found = await uow.broadcasts.recent(manager.organisation_id, limit)
    await uow.end_read()
    return found


@dataclass(frozen=True, slots=True)
class Undelivered:
    user_id: int
    role: str | None
    organisation: str
    grade: int | None
    outcome: str
    reason: str


async def undelivered(
    uow: UnitOfWork, staff: Staff, broadcast_id: int, moment: Moment
) -> tuple[BroadcastRecord, list[Undelivered]]:
    """Who did not get a broadcast, and why (the list a coordinator downloads)."""
    found = await _managed(uow, staff, broadcast_id)
    rows = await uow.outbox.undelivered_of_broadcast(broadcast_id)
    people = await uow.users.many([user_id for user_id, _, _ in rows])
    names = {o.id: o.short_name for o in await uow.organisations.list_active()}
    await uow.end_read()
    listed = []
    for user_id, outcome, reason in rows:
        person = people.get(user_id)
        listed.append(
            Undelivered(
                user_id,
                person.role if person else None,
                names.get(person.organisation_id or 0, "") if person else "",
                grade_now(person.grade, person.grade_year, moment.academic_year)
                if person
                else None,
                outcome,
                reason or "",
            )
        )
    return found, listed


# --- for the sender -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    #: Not yet sent.
    left: int = 0
    #: Cancelled, unsubscribed, or no longer applicable.
    stopped: int = 0
    #: (messenger, reason) of each messenger that refused the broadcast's photo or document
    #: for good: its recipients there are among `failed`.
    file_failures: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls,
        counts: dict[str | None, int],
        file_failures: Sequence[tuple[str, str]] = (),
    ) -> Progress:
        return cls(
            file_failures=tuple(file_failures),
            total=sum(counts.values()),
            sent=counts.get(Outcome.SENT, 0),
            blocked=counts.get(Outcome.BLOCKED, 0),
            failed=counts.get(Outcome.FAILED, 0),
            left=counts.get(None, 0),
            stopped=sum(
                counts.get(o, 0) for o in (Outcome.CANCELLED, Outcome.UNSUBSCRIBED, Outcome.DROPPED)
            ),
        )


async def progress_of(uow: UnitOfWork, broadcast_id: int) -> Progress:
    counts = await uow.outbox.counts_of_broadcast(broadcast_id)
    progress = Progress.of(counts, await uow.broadcast_files.failures(broadcast_id))
    await uow.end_read()
    return progress


async def start_due(uow: UnitOfWork, now: datetime) -> list[BroadcastRecord]:
    async with uow.write():
        return await uow.broadcasts.start_due(now)


async def set_progress_message(uow: UnitOfWork, broadcast_id: int, message_id: int) -> None:
    async with uow.write():
        found = await uow.broadcasts.get(broadcast_id)
        if found is not None:
            await uow.broadcasts.set_progress_message(broadcast_id, found.created_by, message_id)


async def report_due(
    uow: UnitOfWork, broadcast_id: int, now: datetime, every: timedelta
) -> tuple[BroadcastRecord, Progress, bool] | None:
    """The broadcast and its progress when its message is due for an edit (at most once per
    `every` across processes), or when it has just finished (True: send the summary; one
    process does)."""
    async with uow.write():
        finished = await uow.broadcasts.finish_if_done(broadcast_id, now)
        if not finished and not await uow.broadcasts.take_progress_turn(broadcast_id, now, every):
            return None
        found = await uow.broadcasts.get(broadcast_id)
        counts = await uow.outbox.counts_of_broadcast(broadcast_id)
        refused = (
            []
            if found is None or found.media_kind is None
            else (await uow.broadcast_files.failures(broadcast_id))
        )
    if found is None:
        return None
    return found, Progress.of(counts, refused), finished
