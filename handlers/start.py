"""/start, consent to data processing, and the profile: who the user is, school, grade."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from content import Catalogue
from db.records import UserRecord
from db.uow import UnitOfWork
from handlers.callbacks import (
    ChangeProfile,
    Consent,
    ConsentAction,
    Nav,
    PickGrade,
    PickOrganisation,
    PickRole,
    Screen,
)
from handlers.screens import (
    consent_version,
    grade_screen,
    grades_of,
    next_profile_step,
    organisation_screen,
    profile_screen,
    public_rows,
    require_consent,
    role_screen,
    send_menu,
    show_consent,
    update_commands,
)
from handlers.ui import Clock, Event, keyboard, show
from locales import Texts
from quizzes import Questionnaire
from services import profile
from services.errors import NotAllowed, NotFound, NotRegistered


async def show_welcome(event: Event, texts: Texts) -> None:
    await show(
        event,
        texts("welcome"),
        keyboard(
            [(texts("btn-welcome-next"), Consent(action=ConsentAction.SHOW))],
            *public_rows(texts),
        ),
    )


async def continue_profile(
    event: Event,
    uow: UnitOfWork,
    user: UserRecord,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    *,
    note: str | None = None,
) -> None:
    """Ask the next open question of the profile, or show the menu when nothing is missing."""
    step = await next_profile_step(uow, texts, catalogue, user)
    if step is None:
        await send_menu(event, uow, user, texts, quizzes, note=note)
        return
    text, rows = step
    await show(event, f"{note}\n\n{text}" if note else text, keyboard(*rows))


async def cmd_start(
    message: Message,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    if user is None:
        await show_welcome(message, texts)
        return
    if user.consent_version != consent_version(texts):
        await show_consent(message, texts, updated=True)
        return
    await continue_profile(
        message, uow, user, texts, catalogue, quizzes, note=texts("welcome-back")
    )


async def on_welcome(callback: CallbackQuery, texts: Texts) -> None:
    await show_welcome(callback, texts)


async def on_consent_show(callback: CallbackQuery, texts: Texts) -> None:
    await show_consent(callback, texts)


async def on_consent_agree(
    callback: CallbackQuery,
    bot: Bot,
    uow: UnitOfWork,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    user = await profile.give_consent(uow, callback.from_user.id, consent_version(texts), clock())
    await update_commands(bot, texts, callback.from_user.id, registered=True)
    await continue_profile(
        callback, uow, user, texts, catalogue, quizzes, note=texts("consent-thanks")
    )


async def on_consent_decline(
    callback: CallbackQuery, user: UserRecord | None, texts: Texts
) -> None:
    if user is not None:
        # Declining after agreeing is a withdrawal: that is what /forget is for.
        await show(
            callback,
            texts("consent-decline-registered"),
            keyboard(
                [(texts("btn-mydata"), Nav(to=Screen.MYDATA))],
                [(texts("btn-menu"), Nav(to=Screen.MENU))],
            ),
        )
        return
    await show(
        callback,
        texts("consent-declined"),
        keyboard(
            *public_rows(texts),
            [(texts("btn-consent-again"), Consent(action=ConsentAction.SHOW))],
        ),
    )


async def on_profile(
    event: Message | CallbackQuery,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    clock: Clock,
) -> None:
    if (user := await require_consent(event, user, texts)) is None:
        return
    text, rows = await profile_screen(uow, texts, user, clock())
    await show(event, text, keyboard(*rows))


async def on_change_profile(
    callback: CallbackQuery,
    callback_data: ChangeProfile,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
) -> None:
    if (user := await require_consent(callback, user, texts)) is None:
        return
    if callback_data.part == "organisation" and profile.needs_organisation(user.role):
        text, rows = await organisation_screen(uow, texts, user)
    elif (
        callback_data.part == "grade"
        and profile.needs_grade(user.role)
        and user.organisation_id is not None
    ):
        text, rows = await grade_screen(uow, texts, catalogue, user)
    else:
        text, rows = role_screen(texts, user)
    await show(callback, text, keyboard(*rows))


async def _outdated(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    uow: UnitOfWork,
    user: UserRecord,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
) -> None:
    """A choice that is not (or no longer) on offer: say so, and show the current question."""
    callback_answer.text = texts("button-outdated")
    await continue_profile(callback, uow, user, texts, catalogue, quizzes)


async def on_pick_role(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: PickRole,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    if (user := await require_consent(callback, user, texts)) is None:
        return
    try:
        user = await profile.choose_role(uow, user.id, callback_data.role, clock())
    except NotAllowed:
        await _outdated(callback, callback_answer, uow, user, texts, catalogue, quizzes)
        return
    await continue_profile(
        callback, uow, user, texts, catalogue, quizzes, note=texts("profile-saved")
    )


async def on_pick_organisation(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: PickOrganisation,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    if (user := await require_consent(callback, user, texts)) is None:
        return
    try:
        user, _ = await profile.choose_organisation(uow, user.id, callback_data.id, clock())
    except (NotFound, NotRegistered):
        await _outdated(callback, callback_answer, uow, user, texts, catalogue, quizzes)
        return
    if profile.needs_grade(user.role):
        text, rows = await grade_screen(uow, texts, catalogue, user)
        await show(callback, text, keyboard(*rows))
        return
    await continue_profile(
        callback, uow, user, texts, catalogue, quizzes, note=texts("profile-saved")
    )


async def on_pick_grade(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: PickGrade,
    uow: UnitOfWork,
    user: UserRecord | None,
    texts: Texts,
    catalogue: Catalogue,
    quizzes: dict[str, Questionnaire],
    clock: Clock,
) -> None:
    if (user := await require_consent(callback, user, texts)) is None:
        return
    organisation = await profile.organisation_of(uow, user)
    allowed = grades_of(catalogue, organisation, user.role or "")
    try:
        user = await profile.choose_grade(
            uow, user.id, callback_data.grade, allowed, clock(), texts.tz
        )
    except (NotAllowed, NotRegistered):
        await _outdated(callback, callback_answer, uow, user, texts, catalogue, quizzes)
        return
    await continue_profile(
        callback, uow, user, texts, catalogue, quizzes, note=texts("profile-saved")
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(cmd_start, CommandStart())
    router.callback_query.register(on_welcome, Nav.filter(F.to == Screen.WELCOME))
    router.callback_query.register(on_consent_show, Consent.filter(F.action == ConsentAction.SHOW))
    router.callback_query.register(
        on_consent_agree, Consent.filter(F.action == ConsentAction.AGREE)
    )
    router.callback_query.register(
        on_consent_decline, Consent.filter(F.action == ConsentAction.DECLINE)
    )
    router.message.register(on_profile, Command("profile"))
    router.callback_query.register(on_profile, Nav.filter(F.to == Screen.PROFILE))
    router.callback_query.register(on_change_profile, ChangeProfile.filter())
    router.callback_query.register(on_pick_role, PickRole.filter())
    router.callback_query.register(on_pick_organisation, PickOrganisation.filter())
    router.callback_query.register(on_pick_grade, PickGrade.filter())
    return router
