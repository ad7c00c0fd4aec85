"""The monitoring log: one row per completed step, with the user's role, organisation and grade
as they were then. Every feature that completes a step for someone logs it through here."""

from __future__ import annotations

from typing import Any

from db.calendar import Moment
from db.records import NewStep, UserRecord
from services import profile


def step_of(
    user: UserRecord,
    kind: str,
    ref: str,
    moment: Moment,
    detail: dict[str, Any] | None = None,
) -> NewStep:
    """The step `kind` (`ref` names what it was: the attempt, the event...) that `user` has just
    completed. Logged with `uow.steps.log`, inside the write transaction that completes it; the
    same (kind, ref) twice counts once, so a repeated update logs nothing more."""
    year = moment.academic_year
    return NewStep(
        kind=kind,
        ref=ref,
        user_id=user.id,
        role=user.role,
        organisation_id=user.organisation_id,
        grade=profile.current_grade(user, year),
        academic_year=year,
        created_at=moment.now,
        detail=detail or {},
    )
