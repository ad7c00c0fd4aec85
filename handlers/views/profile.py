"""The profile: who the user is, their school or college and grade; and /mydata, which shows
the same fields with everything else stored about the user."""

from __future__ import annotations

from html import escape
from typing import Any

from db.models import SELF_SERVICE_ROLES, Role
from handlers.callbacks import (
    ChangeProfile,
    Family,
    Forget,
    Nav,
    Page,
    PickGrade,
    PickOrganisation,
    PickRole,
    ProfilePart,
)
from handlers.context import Request
from handlers.ui import Row, View, back_row, menu_row
from handlers.views import consultations as consultation_views
from handlers.views.menu import public_rows
from services import consultations, profile
from services import events as event_service
from services import quiz as quiz_service
from services.family import may_link_parent
from services.mydata import Section
from services.profile import needs_grade, needs_organisation, profile_complete

GRADE_BUTTONS_PER_ROW = 4


def role_view(ctx: Request) -> View:
    texts, user = ctx.texts, ctx.member
    rows: list[Row] = [
        [(texts(f"role-{role}"), PickRole(role=role))] for role in SELF_SERVICE_ROLES
    ]
    if profile_complete(user):
        rows.append(back_row(texts, Nav(to=Page.PROFILE)))
    return View(texts("ask-role"), rows)


async def organisation_view(ctx: Request) -> View:
    texts, user = ctx.texts, ctx.member
    options = await profile.organisations_for(ctx.uow, user.role)
    rows: list[Row] = [[(o.short_name, PickOrganisation(id=o.id))] for o in options]
    # Changing it in a complete profile goes back there; while registering, one step back.
    back = Nav(to=Page.PROFILE) if profile_complete(user) else ChangeProfile(part=ProfilePart.ROLE)
    rows.append(back_row(texts, back))
    text = texts("ask-organisation", role=ctx.role)
    if any(o.is_sample for o in options):
        text += "\n\n" + texts("sample-note", role=ctx.role)
    return View(text, rows)


async def grade_view(ctx: Request) -> View:
    texts, user = ctx.texts, ctx.member
    organisation = await profile.organisation_of(ctx.uow, user)
    college = user.role == Role.COLLEGE_STUDENT
    buttons: Row = [
        (
            texts("btn-course", grade=g) if college else texts("btn-grade", grade=g),
            PickGrade(grade=g),
        )
        for g in profile.grades_for(ctx.catalogue, organisation, user.role)
    ]
    rows: list[Row] = [
        buttons[i : i + GRADE_BUTTONS_PER_ROW]
        for i in range(0, len(buttons), GRADE_BUTTONS_PER_ROW)
    ]
    back = (
        Nav(to=Page.PROFILE)
        if profile_complete(user)
        else ChangeProfile(part=ProfilePart.ORGANISATION)
    )
    rows.append(back_row(texts, back))
    return View(texts("ask-grade", role=ctx.role), rows)


async def missing_profile_view(ctx: Request) -> View | None:
    """The question still open in the user's profile, or None when it is complete."""
    user = ctx.member
    if user.role is None:
        return role_view(ctx)
    if needs_organisation(user.role) and user.organisation_id is None:
        return await organisation_view(ctx)
    if needs_grade(user.role) and user.grade is None:
        return await grade_view(ctx)
    return None


async def profile_gap_view(ctx: Request) -> View | None:
    """The open profile question with the public pages under it (the menu opens once the
    profile is complete; the public pages stay open meanwhile)."""
    view = await missing_profile_view(ctx)
    if view is None:
        return None
    return View(view.text, [*view.rows, *public_rows(ctx.texts, ctx.role)])


async def _stored_fields(ctx: Request) -> dict[str, Any]:
    """The profile as the profile and /mydata texts show it."""
    user = ctx.member
    organisation = await profile.organisation_of(ctx.uow, user)
    grade: int | str = "none"  # the number, 0 once the student has left, "none" if not given
    if user.grade is not None:
        grade = profile.current_grade(user, ctx.moment().academic_year) or 0
    return {
        "role_name": ctx.texts("role-name", role=ctx.role),
        "organisation": escape(organisation.name) if organisation else "—",
        "grade": grade,
    }


async def profile_view(ctx: Request) -> View:
    texts, user = ctx.texts, ctx.member
    text = texts(
        "profile",
        role=ctx.role,
        has_grade="yes" if needs_grade(user.role) else "no",
        **await _stored_fields(ctx),
    )
    rows: list[Row] = [[(texts("btn-change-role"), ChangeProfile(part=ProfilePart.ROLE))]]
    if needs_organisation(user.role):
        label = texts("btn-change-organisation", role=ctx.role)
        rows.append([(label, ChangeProfile(part=ProfilePart.ORGANISATION))])
    if needs_grade(user.role):
        label = texts("btn-change-grade", role=ctx.role)
        rows.append([(label, ChangeProfile(part=ProfilePart.GRADE))])
    if may_link_parent(user):  # who is linked, a link for a parent
        rows.append([(texts("btn-family"), Family())])
    rows.append(menu_row(texts))
    return View(text, rows)


async def mydata_view(ctx: Request, stranger: list[Section] | None = None) -> View:
    """/mydata's screen; `stranger`: what is kept about a sender who is no user (nothing for
    most: updates the bot could not read)."""
    texts, user = ctx.texts, ctx.user
    days = ctx.settings.rejected_updates_keep_days
    if user is None:
        if not stranger:
            return View(texts("mydata-none"), [menu_row(texts)])
        count = sum(len(section.rows) for section in stranger)
        text = texts("mydata-stranger", count=count, days=days)
        return View(text, [[(texts("btn-forget"), Forget(confirm=False))], menu_row(texts)])
    text = texts(
        "mydata",
        days=days,
        id=str(user.id),  # as Telegram shows it, without digit grouping
        consent_date=texts.when(user.consent_at, "d MMMM y, HH:mm"),
        consent_version=user.consent_version,
        created=texts.date(user.created_at),
        quizzes=await quiz_service.count_finished(ctx.uow, user.id),
        unfinished=len(await quiz_service.unfinished(ctx.uow, user.id)),
        registrations=await event_service.count_registrations(ctx.uow, user.id),
        **await _stored_fields(ctx),
    )
    if requests := await consultations.mine(ctx.uow, user.id):
        text += "\n\n" + consultation_views.mydata_lines(texts, requests)
    return View(text, [[(texts("btn-forget"), Forget(confirm=False))], menu_row(texts)])


def forget_confirm_view(ctx: Request, stranger: list[Section] | None = None) -> View:
    """Are you sure? `stranger`: what is kept about a sender who is no user."""
    texts = ctx.texts
    if ctx.user is None and not stranger:
        return View(texts("mydata-none"), [menu_row(texts)])
    return View(
        texts("forget-confirm" if ctx.user is not None else "forget-confirm-stranger"),
        [
            [(texts("btn-forget-yes"), Forget(confirm=True))],
            [(texts("btn-forget-no"), Nav(to=Page.MYDATA))],
        ],
    )
