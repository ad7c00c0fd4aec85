"""Parents and children. A student gives a parent a one-time link (valid 7 days) to forward;
the parent opens it, agrees, and is linked: they see the child's results and plans and may get
the child's event reminders. The child sees who is linked and can unlink them.

A child under 14 cannot consent alone: their link asks the parent for the consent (`CONSENT`);
until the parent agrees the bot keeps nothing about the child but that link (the child's
Telegram id, a token and its times)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from db.models import Role
from db.records import (
    AttemptRecord,
    EventRecord,
    FamilyInviteRecord,
    OrganisationRecord,
    ParentLinkRecord,
    RegistrationRecord,
    UserRecord,
)
from db.uow import UnitOfWork
from services.errors import NotAllowed, NotFound, NotRegistered
from services.outbox_kinds import OutboxKind

LINK_LIFETIME = timedelta(days=7)
#: How long an expired (or used) link is kept after its expiry, so that a parent who opens it
#: late is told it expired (or was used) rather than that it never existed; then it goes.
KEEP_EXPIRED = timedelta(days=7)
FAMILY_PREFIX = "f-"
#: What a link asks of the parent.
LINK = "link"
CONSENT = "consent"
#: Who may link a parent.
CHILD_ROLES = (Role.STUDENT, Role.COLLEGE_STUDENT)
NAME_CHARS = 130


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    #: The child opened their own link.
    OWN = "own"
    #: This parent accepted it already.
    USED_BY_YOU = "used-by-you"
    #: Another parent accepted it.
    USED = "used"
    EXPIRED = "expired"
    #: The child deleted their data since.
    CHILD_GONE = "child-gone"


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem)
        self.problem = problem


def new_token() -> str:
    return secrets.token_urlsafe(12)


def may_link_parent(user: UserRecord) -> bool:
    return user.role in CHILD_ROLES


def _notice(user_id: int, link_id: int, what: str, now: datetime) -> dict[str, object]:
    return {
        "user_id": user_id,
        "key": f"family:{link_id}:{what}",
        "kind": OutboxKind.FAMILY_NOTICE,
        "payload": {"family": what},
        "created_at": now,
        "not_before": now,
        "attempts": 0,
    }


async def _open_link(
    uow: UnitOfWork, child_id: int, purpose: str, now: datetime
) -> FamilyInviteRecord:
    """The child's open link of this purpose, or a new one (a second tap makes no second)."""
    found = await uow.family.open_invite(child_id, purpose, now)
    if found is not None:
        return found
    token = new_token()
    await uow.family.create_invite(token, child_id, purpose, now, now + LINK_LIFETIME)
    created = await uow.family.get_invite(token)
    assert created is not None
    return created


async def invite_parent(uow: UnitOfWork, child_id: int, now: datetime) -> FamilyInviteRecord:
    """A link for a student to forward to a parent."""
    async with uow.write():
        child = await uow.users.get(child_id)
        if child is None:
            raise NotRegistered
        if not may_link_parent(child):
            raise NotAllowed("only students link parents")
        return await _open_link(uow, child_id, LINK, now)


async def ask_consent(uow: UnitOfWork, child_id: int, now: datetime) -> FamilyInviteRecord:
    """A link for a child under 14 (not a user yet) to forward to a parent for the consent."""
    async with uow.write():
        if await uow.users.get(child_id) is not None:
            raise NotAllowed("the consent is on record already")
        return await _open_link(uow, child_id, CONSENT, now)


async def consent_link(uow: UnitOfWork, child_id: int, now: datetime) -> FamilyInviteRecord | None:
    """The child's open consent link, if they are waiting for a parent's consent."""
    found = await uow.family.open_invite(child_id, CONSENT, now)
    await uow.end_read()
    return found


async def expire_links(uow: UnitOfWork, now: datetime) -> int:
    """Delete the links that expired more than `KEEP_EXPIRED` ago (a scheduled job)."""
    async with uow.write():
        return await uow.family.drop_stale_invites(now - KEEP_EXPIRED)


async def cancel_consent(uow: UnitOfWork, child_id: int) -> int:
    """Drop a child's consent links (they changed their mind, or asked to be forgotten)."""
    async with uow.write():
        return await uow.family.drop_invites(child_id, purpose=CONSENT)


def _problem(invite: FamilyInviteRecord | None, opener: int, now: datetime) -> LinkProblem | None:
    if invite is None:
        return LinkProblem.UNKNOWN
    if invite.child_id == opener:
        return LinkProblem.OWN
    if invite.used_at is not None:
        return LinkProblem.USED_BY_YOU if invite.used_by == opener else LinkProblem.USED
    if invite.expires_at <= now:
        return LinkProblem.EXPIRED
    return None


async def check_link(
    uow: UnitOfWork, token: str, opener_id: int, now: datetime
) -> FamilyInviteRecord:
    """The link a parent opened, if they may accept it; else LinkRefused saying why."""
    invite = await uow.family.get_invite(token)
    problem = _problem(invite, opener_id, now)
    if (
        problem is None
        and invite is not None
        and invite.purpose == LINK
        and await uow.users.get(invite.child_id) is None
    ):
        problem = LinkProblem.CHILD_GONE
    await uow.end_read()
    if problem is not None:
        raise LinkRefused(problem)
    assert invite is not None
    return invite


@dataclass(frozen=True, slots=True)
class Accepted:
    invite: FamilyInviteRecord
    parent: UserRecord
    #: The parent was new to the bot (now a registered parent).
    new_parent: bool


@dataclass(frozen=True, slots=True)
class Agreement:
    """Who agrees (their Telegram id and first name) and to which texts: the consent in force
    and the consent for a child."""

    parent_id: int
    parent_name: str
    consent_version: str
    child_consent_version: str


async def accept(uow: UnitOfWork, token: str, agreement: Agreement, now: datetime) -> Accepted:
    """The parent agrees: they are linked to the child, in one transaction with the link's
    use (so a double tap, or two parents at once, links one). A parent new to the bot is
    registered as a parent with their consent (the text they read covers their own data too).
    For a consent link the child becomes a user, with the consent the parent gave."""
    parent_id, consent_version = agreement.parent_id, agreement.consent_version
    async with uow.write():
        invite = await uow.family.get_invite(token, for_update=True)
        problem = _problem(invite, parent_id, now)
        if problem is not None:
            raise LinkRefused(problem)
        assert invite is not None
        child_id = invite.child_id
        if invite.purpose == CONSENT:
            await uow.users.give_consent(child_id, consent_version, now)
        elif await uow.users.get(child_id) is None:
            raise LinkRefused(LinkProblem.CHILD_GONE)
        existing = await uow.users.get(parent_id)
        await uow.users.give_consent(parent_id, consent_version, now)
        if existing is None or existing.role is None:
            await uow.users.set_role(parent_id, Role.PARENT, now)
        if not await uow.family.use_invite(invite.id, parent_id, now):
            raise LinkRefused(LinkProblem.USED)
        await uow.family.link(
            parent_id,
            child_id,
            agreement.parent_name[:NAME_CHARS],
            now,
            consent_version=agreement.child_consent_version if invite.purpose == CONSENT else None,
        )
        link = await uow.family.get_link(parent_id, child_id)
        assert link is not None
        what = "consented" if invite.purpose == CONSENT else "linked"
        await uow.outbox.add_many([_notice(child_id, link.id, what, now)])
        parent = await uow.users.get(parent_id)
    assert parent is not None
    return Accepted(invite, parent, new_parent=existing is None)


async def parents(uow: UnitOfWork, child_id: int) -> list[ParentLinkRecord]:
    found = await uow.family.parents_of(child_id)
    await uow.end_read()
    return found


@dataclass(frozen=True, slots=True)
class LinkedChild:
    """A child on a parent's «Мой ребёнок»: the link, and the child's profile and school or
    college (None: not given), so that two children can be told apart."""

    link: ParentLinkRecord
    child: UserRecord | None
    organisation: OrganisationRecord | None


async def children(uow: UnitOfWork, parent_id: int) -> list[LinkedChild]:
    links = await uow.family.children_of(parent_id)
    profiles = await uow.users.many([link.child_id for link in links])  # one query for all
    places = {p.organisation_id for p in profiles.values() if p.organisation_id is not None}
    organisations = {key: await uow.organisations.get(key) for key in places}  # one a school
    found = []
    for link in links:
        child = profiles.get(link.child_id)
        place = child.organisation_id if child is not None else None
        found.append(LinkedChild(link, child, organisations.get(place) if place else None))
    await uow.end_read()
    return found


async def unlink(uow: UnitOfWork, child_id: int, parent_id: int, now: datetime) -> bool:
    """The child ends the link; the parent is told. False if it was gone already."""
    async with uow.write():
        link = await uow.family.get_link(parent_id, child_id)
        if link is None or not await uow.family.unlink(parent_id, child_id):
            return False
        await uow.outbox.add_many([_notice(parent_id, link.id, "unlinked", now)])
    return True


async def set_reminders(uow: UnitOfWork, parent_id: int, child_id: int, on: bool) -> bool:
    async with uow.write():
        if not await uow.family.set_reminders(parent_id, child_id, on):
            raise NotFound(child_id)
    return on


@dataclass(frozen=True, slots=True)
class ChildOverview:
    """What a linked parent sees of their child."""

    child: UserRecord
    link: ParentLinkRecord
    results: list[AttemptRecord]
    plans: list[tuple[RegistrationRecord, EventRecord]]


async def child_overview(
    uow: UnitOfWork, parent_id: int, child_id: int, now: datetime
) -> ChildOverview:
    """The child's latest results and their plans (events signed up for, with the status);
    NotFound unless this parent is linked to this child."""
    link = await uow.family.get_link(parent_id, child_id)
    child = await uow.users.get(child_id) if link is not None else None
    if link is None or child is None:
        await uow.end_read()
        raise NotFound(child_id)
    results = await uow.attempts.list_finished(child_id, 3)
    plans = await uow.registrations.plans(child_id, now - timedelta(days=7))
    await uow.end_read()
    return ChildOverview(child, link, results, plans)
