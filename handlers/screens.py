"""Screens shared by several routers: the main menu and the steps of the profile."""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from content import Catalogue
from db.calendar import academic_year
from db.models import SELF_SERVICE_ROLES
from db.records import OrganisationRecord, UserRecord
from db.uow import UnitOfWork
from handlers.callbacks import (
    ChangeProfile,
    Consent,
    ConsentAction,
    Nav,
    PickGrade,
    PickOrganisation,
    PickRole,
    QuizAction,
    QuizCmd,
    Screen,
)
from handlers.ui import Event, Row, keyboard, menu_row, show
from locales import Texts
from quizzes import Questionnaire
from services import profile
from services import quiz as quiz_service
from services.profile import (
    COLLEGE_COURSES,
    needs_grade,
    needs_organisation,
    organisations_for,
    profile_complete,
)

log = logging.getLogger(__name__)

PUBLIC_COMMANDS = ("start", "menu", "help")
MEMBER_COMMANDS = ("menu", "quiz", "results", "profile", "mydata", "help")
DEFAULT_SCHOOL_GRADES = tuple(range(5, 12))


def commands_for(texts: Texts, registered: bool) -> list[BotCommand]:
    names = MEMBER_COMMANDS if registered else PUBLIC_COMMANDS
    return [BotCommand(command=name, description=texts(f"cmd-{name}")) for name in names]


async def update_commands(bot: Bot, texts: Texts, chat_id: int, registered: bool) -> None:
    """The command list of one chat follows the user's registration. A failure here must not
    spoil the screen the user is waiting for, so it is only logged.
    """
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if registered:
            await bot.set_my_commands(commands_for(texts, registered=True), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramAPIError as error:
        log.warning("could not update the commands of chat %s: %s", chat_id, error)


# --- consent ----------------------------------------------------------------------------------


def consent_version(texts: Texts) -> str:
    return texts("consent-version")


async def show_consent(event: Event, texts: Texts, *, updated: bool = False) -> None:
    text = texts("consent", version=consent_version(texts), updated="yes" if updated else "no")
    await show(
        event,
        text,
        keyboard(
            [(texts("btn-agree"), Consent(action=ConsentAction.AGREE))],
            [(texts("btn-decline"), Consent(action=ConsentAction.DECLINE))],
            [(texts("btn-back"), Nav(to=Screen.WELCOME))],
        ),
    )


async def require_consent(event: Event, user: UserRecord | None, texts: Texts) -> UserRecord | None:
    """The user if their consent is on record in its current version; otherwise ask for it
    (nothing more may be stored about them until they agree) and return None."""
    if user is None:
        await show(
            event,
            texts("need-consent"),
            keyboard(
                [(texts("btn-consent"), Consent(action=ConsentAction.SHOW))],
                menu_row(texts),
            ),
        )
        return None
    if user.consent_version != consent_version(texts):
        await show_consent(event, texts, updated=True)
        return None
    return user


# --- main menu --------------------------------------------------------------------------------


def public_rows(texts: Texts, role: str | None = None) -> list[Row]:
    """The public pages, open with or without consent: interest types and places to study.
    An adult looking for work comes for retraining and the employment centre first."""
    types: Row = [(texts("btn-types"), Nav(to=Screen.TYPES))]
    places: Row = [(texts("btn-places"), Nav(to=Screen.PLACES))]
    return [places, types] if role == "adult" else [types, places]


async def menu_screen(
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    quizzes: dict[str, Questionnaire],
) -> tuple[str, list[Row]]:
    if user is None:
        return texts("menu-guest"), [
            [(texts("btn-consent"), Consent(action=ConsentAction.SHOW))],
            *public_rows(texts),
            [(texts("btn-help"), Nav(to=Screen.HELP))],
        ]
    rows: list[Row] = []
    for quiz in quizzes.values():
        state = await quiz_service.current(uow, quiz, user.id)
        if state is None:
            label = texts("btn-quiz-start", title=quiz.title)
        else:
            label = texts(
                "btn-quiz-continue",
                title=quiz.title,
                done=state.progress.answered,
                total=quiz.length,
            )
        rows.append([(label, QuizCmd(action=QuizAction.INTRO, quiz=quiz.id))])
    if await quiz_service.history(uow, user.id, limit=1):
        rows.append([(texts("btn-results"), Nav(to=Screen.RESULTS))])
    rows.extend(public_rows(texts, user.role))
    rows.append(
        [
            (texts("btn-profile"), Nav(to=Screen.PROFILE)),
            (texts("btn-mydata"), Nav(to=Screen.MYDATA)),
        ]
    )
    rows.append([(texts("btn-help"), Nav(to=Screen.HELP))])
    return texts("menu", role=user.role or "none"), rows


async def send_menu(
    event: Event,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    quizzes: dict[str, Questionnaire],
    *,
    new: bool = False,
    note: str | None = None,
) -> None:
    text, rows = await menu_screen(uow, user, texts, quizzes)
    if note:
        text = f"{note}\n\n{text}"
    await show(event, text, keyboard(*rows), new=new)


# --- profile ----------------------------------------------------------------------------------


def role_screen(texts: Texts, user: UserRecord) -> tuple[str, list[Row]]:
    rows: list[Row] = [
        [(texts(f"role-{role}"), PickRole(role=role))] for role in SELF_SERVICE_ROLES
    ]
    if profile_complete(user):
        rows.append([(texts("btn-back"), Nav(to=Screen.PROFILE))])
    return texts("ask-role"), rows


async def organisation_screen(
    uow: UnitOfWork, texts: Texts, user: UserRecord
) -> tuple[str, list[Row]]:
    options = await organisations_for(uow, user.role)
    rows: list[Row] = [[(o.short_name, PickOrganisation(id=o.id))] for o in options]
    # Changing it in a complete profile goes back there; while registering, one step back.
    back = Nav(to=Screen.PROFILE) if profile_complete(user) else ChangeProfile(part="role")
    rows.append([(texts("btn-back"), back)])
    text = texts("ask-organisation", role=user.role or "none")
    if any(o.is_sample for o in options):
        text += "\n\n" + texts("sample-note", role=user.role or "none")
    return text, rows


def grades_of(
    catalogue: Catalogue, organisation: OrganisationRecord | None, role: str
) -> tuple[int, ...]:
    if role == "college_student":
        return COLLEGE_COURSES
    entry = catalogue.by_code.get(organisation.code) if organisation else None
    return entry.grades if entry and entry.grades else DEFAULT_SCHOOL_GRADES


async def grade_screen(
    uow: UnitOfWork, texts: Texts, catalogue: Catalogue, user: UserRecord
) -> tuple[str, list[Row]]:
    organisation = await profile.organisation_of(uow, user)
    role = user.role or ""
    grades = grades_of(catalogue, organisation, role)
    buttons: Row = [
        (
            texts("btn-course", grade=g)
            if role == "college_student"
            else texts("btn-grade", grade=g),
            PickGrade(grade=g),
        )
        for g in grades
    ]
    rows: list[Row] = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    back = Nav(to=Screen.PROFILE) if profile_complete(user) else ChangeProfile(part="organisation")
    rows.append([(texts("btn-back"), back)])
    return texts("ask-grade", role=role), rows


async def next_profile_step(
    uow: UnitOfWork, texts: Texts, catalogue: Catalogue, user: UserRecord
) -> tuple[str, list[Row]] | None:
    """The question still open in the user's profile, or None when it is complete."""
    if user.role is None:
        return role_screen(texts, user)
    if needs_organisation(user.role) and user.organisation_id is None:
        return await organisation_screen(uow, texts, user)
    if needs_grade(user.role) and user.grade is None:
        return await grade_screen(uow, texts, catalogue, user)
    return None


def grade_arg(user: UserRecord, year: int) -> int | str:
    """The grade for the texts: the number, 0 once the student has left, "none" if not given."""
    if user.grade is None:
        return "none"
    return profile.current_grade(user, year) or 0


async def profile_screen(
    uow: UnitOfWork, texts: Texts, user: UserRecord, now: datetime
) -> tuple[str, list[Row]]:
    organisation = await profile.organisation_of(uow, user)
    text = texts(
        "profile",
        role=user.role or "none",
        role_name=texts("role-name", role=user.role or "none"),
        organisation=escape(organisation.name) if organisation else "—",
        grade=grade_arg(user, academic_year(now, texts.tz)),
        has_grade="yes" if needs_grade(user.role) else "no",
    )
    rows: list[Row] = [[(texts("btn-change-role"), ChangeProfile(part="role"))]]
    if needs_organisation(user.role):
        rows.append(
            [
                (
                    texts("btn-change-organisation", role=user.role or ""),
                    ChangeProfile(part="organisation"),
                )
            ]
        )
    if needs_grade(user.role):
        rows.append(
            [(texts("btn-change-grade", role=user.role or ""), ChangeProfile(part="grade"))]
        )
    rows.append(menu_row(texts))
    return text, rows
