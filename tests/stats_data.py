"""Test data of the monitoring: users, steps, sheets written straight to the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.factory import App
from db.models import Step, User
from db.records import OrganisationRecord
from services import coordinators
from services.coordinators import Staff

YEAR = 2026


async def schools(app: App) -> dict[str, OrganisationRecord]:
    async with app.uow_factory() as uow:
        return {o.code: o for o in await uow.organisations.list_active()}


async def add_user(
    app: App,
    user_id: int,
    organisation_id: int | None,
    grade: int | None,
    role: str = "student",
    grade_year: int = YEAR,
) -> None:
    now = app.clock()
    async with app.uow_factory() as uow, uow.write():
        uow.session.add(
            User(
                id=user_id,
                role=role,
                organisation_id=organisation_id,
                grade=grade,
                grade_year=grade_year if grade is not None else None,
                consent_version=app.texts("consent-version"),
                consent_at=now,
                created_at=now,
                updated_at=now,
            )
        )


_refs = iter(range(1, 10**9))


async def add_step(
    app: App,
    user_id: int | None,
    organisation_id: int | None,
    grade: int | None,
    *,
    kind: str = "quiz_finished",
    role: str = "student",
    year: int = YEAR,
    at: datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    async with app.uow_factory() as uow, uow.write():
        uow.session.add(
            Step(
                kind=kind,
                ref=f"test:{next(_refs)}",
                user_id=user_id,
                role=role,
                organisation_id=organisation_id,
                grade=grade,
                academic_year=year,
                detail=detail or {},
                created_at=at or app.clock() - timedelta(days=1),
            )
        )


def admin_staff(app: App) -> Staff:
    return Staff(next(iter(app.settings.admin_ids)), app.settings.admin_ids)


async def appoint(app: App, user_id: int, organisation_id: int) -> None:
    """Make the user a coordinator of the organisation (as an accepted invite does)."""
    async with app.uow_factory() as uow:
        invite = await coordinators.create_invite(
            uow, admin_staff(app), organisation_id, app.clock()
        )
    async with app.uow_factory() as uow:
        await coordinators.redeem_invite(uow, invite.code, user_id, app.clock())
