"""Who may run events: administrators (the setting ADMIN_IDS) appoint coordinators of one
organisation with one-time invite links; the committee's coordinators run every organisation's
events. Every check reads the database, so a revoked coordinator loses their rights at once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from content import OrganisationKind
from db.records import CoordinatorRecord, InviteRecord, OrganisationRecord
from db.uow import UnitOfWork
from services.errors import NotFound, NotPermitted, NotRegistered
from services.outbox_kinds import OutboxKind

#: How long an invite link stays valid.
INVITE_LIFETIME = timedelta(days=7)
INVITE_PREFIX = "c-"


@dataclass(frozen=True, slots=True)
class Staff:
    """Who asks for a coordinator's or administrator's action: their id, and the administrators'
    ids from the settings. Their rights are read from the database on every call."""

    user_id: int
    admin_ids: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return self.user_id in self.admin_ids


@dataclass(frozen=True, slots=True)
class Manager:
    """Someone who may run events: of one organisation, or of all (`organisation_id` None: an
    administrator or a committee coordinator)."""

    user_id: int
    organisation_id: int | None
    is_admin: bool
    #: The name of the organisation they run ("" when they run all).
    organisation_name: str = ""

    def runs(self, organisation_id: int) -> bool:
        return self.organisation_id is None or self.organisation_id == organisation_id


async def _manager(uow: UnitOfWork, staff: Staff) -> Manager | None:
    user_id = staff.user_id
    if staff.is_admin:
        return Manager(user_id, None, is_admin=True)
    organisation = await uow.coordinators.organisation_of(user_id)
    if organisation is None:
        return None
    runs_all = organisation.kind == OrganisationKind.COMMITTEE
    if runs_all:
        return Manager(user_id, None, is_admin=False)
    return Manager(user_id, organisation.id, is_admin=False, organisation_name=organisation.name)


async def manager(uow: UnitOfWork, staff: Staff) -> Manager | None:
    """The user's rights to run events, or None (read only)."""
    found = await _manager(uow, staff)
    await uow.end_read()
    return found


async def require_manager(
    uow: UnitOfWork, staff: Staff, organisation_id: int | None = None
) -> Manager:
    """The user's rights, if they run `organisation_id` (or anything, when None); otherwise
    NotPermitted. For use inside a write transaction as well as outside it."""
    found = await _manager(uow, staff)
    if found is None or (organisation_id is not None and not found.runs(organisation_id)):
        raise NotPermitted(staff.user_id)
    return found


def _require_admin(staff: Staff) -> None:
    if not staff.is_admin:
        raise NotPermitted(staff.user_id)


async def create_invite(
    uow: UnitOfWork, staff: Staff, organisation_id: int, now: datetime
) -> InviteRecord:
    """A one-time link that makes whoever opens it a coordinator of the organisation."""
    _require_admin(staff)
    code = INVITE_PREFIX + secrets.token_urlsafe(12)
    async with uow.write():
        organisation = await uow.organisations.get(organisation_id)
        if organisation is None:
            raise NotFound(organisation_id)
        await uow.coordinators.create_invite(
            code, organisation_id, staff.user_id, now, now + INVITE_LIFETIME
        )
        invite = await uow.coordinators.get_invite(code)
    assert invite is not None
    return invite


async def redeem_invite(
    uow: UnitOfWork, code: str, user_id: int, now: datetime
) -> OrganisationRecord:
    """Appoint the user by the invite `code`; each invite works once. NotRegistered if the user
    has not given consent yet (they are asked first), NotFound for an unknown, used, revoked or
    expired invite."""
    async with uow.write():
        if await uow.users.get(user_id) is None:
            raise NotRegistered
        invite = await uow.coordinators.get_invite(code, for_update=True)
        if invite is None or invite.expires_at <= now:
            raise NotFound(code)
        if not await uow.coordinators.use_invite(invite.id, user_id, now):
            raise NotFound(code)
        await uow.coordinators.appoint(user_id, invite.organisation_id, invite.created_by, now)
        organisation = await uow.organisations.get(invite.organisation_id)
    assert organisation is not None
    return organisation


async def revoke_invite_by_id(uow: UnitOfWork, staff: Staff, invite_id: int, now: datetime) -> bool:
    """Close an invite nobody has used yet; False if it was used or closed already."""
    _require_admin(staff)
    async with uow.write():
        return await uow.coordinators.revoke_invite(invite_id, now)


async def revoke(uow: UnitOfWork, staff: Staff, user_id: int, now: datetime) -> bool:
    """Take the coordinator's rights away (their own profile stays) and tell them at once,
    through the outbox, in their own messenger. False (and no notice) if they were not a
    coordinator any more."""
    _require_admin(staff)
    async with uow.write():
        appointment = await uow.coordinators.get(user_id)
        organisation = await uow.coordinators.organisation_of(user_id)
        if appointment is None or not await uow.coordinators.revoke(user_id):
            return False
        if await uow.users.get(user_id) is not None:
            await uow.outbox.add(
                user_id,
                # One notice per appointment: a second revoke finds nothing to revoke.
                f"coordinator-revoked:{appointment.appointed_at:%Y%m%d%H%M%S}",
                OutboxKind.COORDINATOR_REVOKED,
                {"organisation": organisation.name if organisation is not None else ""},
                now,
            )
        return True


async def overview(
    uow: UnitOfWork, staff: Staff, now: datetime
) -> tuple[list[CoordinatorRecord], list[InviteRecord]]:
    """The coordinators and the invites still open (for administrators)."""
    _require_admin(staff)
    coordinators = await uow.coordinators.list_all()
    invites = await uow.coordinators.open_invites(now)
    await uow.end_read()
    return coordinators, invites
