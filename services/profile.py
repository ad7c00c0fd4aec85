"""Consent, role, school and grade; erasing a user."""

from __future__ import annotations

from datetime import datetime

from content import Catalogue
from db.calendar import LAST_GRADE, Moment, grade_now
from db.models import SELF_SERVICE_ROLES, Role
from db.records import OrganisationRecord, UserRecord
from db.uow import UnitOfWork
from services.errors import NotAllowed, NotFound, NotRegistered

#: Which organisations a role chooses from, and which grades (school grades or college courses).
ORGANISATION_KINDS: dict[str, str] = {
    Role.STUDENT: "school",
    Role.COLLEGE_STUDENT: "college",
    Role.TEACHER: "school|college",
}
COLLEGE_COURSES = (1, 2, 3, 4)
#: School grades offered when the catalogue does not list a school's own.
DEFAULT_SCHOOL_GRADES = tuple(range(5, 12))


def needs_organisation(role: str | None) -> bool:
    return role in ORGANISATION_KINDS


def needs_grade(role: str | None) -> bool:
    return role in (Role.STUDENT, Role.COLLEGE_STUDENT)


def profile_complete(user: UserRecord) -> bool:
    """Role, and the organisation and grade the role needs, are all given."""
    if user.role is None:
        return False
    if needs_organisation(user.role) and user.organisation_id is None:
        return False
    return not (needs_grade(user.role) and user.grade is None)


def consent_current(user: UserRecord, version: str) -> bool:
    """Whether the user agreed to the consent text in force (`version`); until they agree to a
    changed text, nothing more is stored about them and nothing is sent to them unasked."""
    return user.consent_version == version


def current_grade(user: UserRecord, year: int) -> int | None:
    """The user's grade or course in academic year `year`; None if not given, or once they
    have left."""
    last = COLLEGE_COURSES[-1] if user.role == Role.COLLEGE_STUDENT else LAST_GRADE
    return grade_now(user.grade, user.grade_year, year, last)


async def get_user(uow: UnitOfWork, user_id: int) -> UserRecord | None:
    user = await uow.users.get(user_id)
    await uow.end_read()
    return user


async def organisation_of(uow: UnitOfWork, user: UserRecord) -> OrganisationRecord | None:
    """The user's school, college or workplace (read only)."""
    if user.organisation_id is None:
        return None
    organisation = await uow.organisations.get(user.organisation_id)
    await uow.end_read()
    return organisation


async def give_consent(uow: UnitOfWork, user_id: int, version: str, now: datetime) -> UserRecord:
    async with uow.write():
        await uow.users.give_consent(user_id, version, now)
        user = await uow.users.get(user_id)
    assert user is not None
    return user


async def _require(uow: UnitOfWork, user_id: int) -> UserRecord:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotRegistered
    return user


async def choose_role(uow: UnitOfWork, user_id: int, role: str, now: datetime) -> UserRecord:
    if role not in SELF_SERVICE_ROLES:
        raise NotAllowed(role)
    async with uow.write():
        current = await _require(uow, user_id)
        if current.role in (Role.COORDINATOR, Role.ADMIN):
            raise NotAllowed("appointed roles are changed by an administrator")
        if current.role != role:
            await uow.users.set_role(user_id, role, now)
        user = await uow.users.get(user_id)
    assert user is not None
    return user


async def _organisations(uow: UnitOfWork, role: str | None) -> list[OrganisationRecord]:
    kinds = ORGANISATION_KINDS.get(role or "", "").split("|")
    found: list[OrganisationRecord] = []
    for kind in filter(None, kinds):
        found.extend(await uow.organisations.list_active(kind))
    return found


async def organisations_for(uow: UnitOfWork, role: str | None) -> list[OrganisationRecord]:
    """The organisations a user of this role picks from, in catalogue order."""
    found = await _organisations(uow, role)
    await uow.end_read()
    return found


async def choose_organisation(
    uow: UnitOfWork, user_id: int, organisation_id: int, now: datetime
) -> tuple[UserRecord, OrganisationRecord]:
    async with uow.write():
        user = await _require(uow, user_id)
        allowed = {o.id: o for o in await _organisations(uow, user.role)}
        organisation = allowed.get(organisation_id)
        if organisation is None:
            raise NotFound(organisation_id)
        await uow.users.set_organisation(user_id, organisation_id, now)
        updated = await uow.users.get(user_id)
    assert updated is not None
    return updated, organisation


def grades_for(
    catalogue: Catalogue, organisation: OrganisationRecord | None, role: str | None
) -> tuple[int, ...]:
    """The grades (or college courses) a user of this role at this organisation picks from."""
    if role == Role.COLLEGE_STUDENT:
        return COLLEGE_COURSES
    entry = catalogue.by_code.get(organisation.code) if organisation else None
    return entry.grades if entry and entry.grades else DEFAULT_SCHOOL_GRADES


async def choose_grade(
    uow: UnitOfWork, catalogue: Catalogue, user_id: int, grade: int, moment: Moment
) -> UserRecord:
    async with uow.write():
        user = await _require(uow, user_id)
        if not needs_grade(user.role) or user.organisation_id is None:
            raise NotAllowed("no grade for this profile")
        organisation = await uow.organisations.get(user.organisation_id)
        if grade not in grades_for(catalogue, organisation, user.role):
            raise NotAllowed(grade)
        await uow.users.set_grade(user_id, grade, moment.academic_year, moment.now)
        updated = await uow.users.get(user_id)
    assert updated is not None
    return updated
