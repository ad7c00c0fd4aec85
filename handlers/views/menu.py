"""The main menu, help, and the public pages' buttons."""

from __future__ import annotations

from handlers.callbacks import (
    Adults,
    Bank,
    Consent,
    ConsentAction,
    EventList,
    Family,
    FamilyStep,
    ManageList,
    Nav,
    Page,
    QuizControl,
    QuizStep,
    Subscriptions,
    Teachers,
)
from handlers.context import Request
from handlers.ui import Row, View, menu_row
from locales import Texts
from services import coordinators
from services import family as family_service
from services import quiz as quiz_service
from services.coordinators import Manager


def public_rows(texts: Texts, role: str = "none") -> list[Row]:
    """The public pages, open with or without consent: interest types and places to study.
    An adult looking for work comes for retraining and the employment centre first."""
    types: Row = [(texts("btn-types"), Nav(to=Page.TYPES))]
    places: Row = [(texts("btn-places"), Nav(to=Page.PLACES))]
    bank: Row = [(texts("btn-bank"), Bank())]
    adults: Row = [(texts("btn-adults"), Adults())]
    return [adults, places, bank, types] if role == "adult" else [types, bank, places]


async def menu_view(ctx: Request, manager: Manager | None) -> View:
    """The main menu; `manager`: the user as a coordinator, if they are one."""
    texts, user = ctx.texts, ctx.user
    if user is None:
        return View(
            texts("menu-guest"),
            [
                [(texts("btn-consent"), Consent(action=ConsentAction.SHOW))],
                [(texts("btn-events"), EventList())],
                *public_rows(texts),
                [(texts("btn-help"), Nav(to=Page.HELP))],
            ],
        )
    rows: list[Row] = []
    moment = ctx.moment()
    for quiz in ctx.quizzes.values():
        state = await quiz_service.current(ctx.uow, quiz, user.id)
        if state is None and not quiz_service.offered(quiz, user, moment):
            continue  # for other grades, or outside its weeks (the self-assessment)
        if state is None:
            label = texts("btn-quiz-start", title=quiz.title)
        else:
            label = texts(
                "btn-quiz-continue",
                title=quiz.title,
                done=state.progress.answered,
                total=quiz.length,
            )
        rows.append([(label, QuizControl(action=QuizStep.INTRO, quiz=quiz.id))])
    done = bool(await quiz_service.history(ctx.uow, user.id, limit=1))
    if done:
        rows.append([(texts("btn-results"), Nav(to=Page.RESULTS))])
    rows.append([(texts("btn-events"), EventList()), (texts("btn-plans"), Nav(to=Page.PLANS))])
    rows.append([(texts("btn-subscriptions"), Subscriptions())])
    if user.role == "teacher":
        rows.append([(texts("btn-teachers"), Teachers())])
    if not family_service.may_link_parent(user) and await family_service.children(ctx.uow, user.id):
        rows.append([(texts("btn-parent-children"), Family(action=FamilyStep.CHILDREN))])
    rows.extend(public_rows(texts, ctx.role))
    rows.append(
        [
            (texts("btn-profile"), Nav(to=Page.PROFILE)),
            (texts("btn-mydata"), Nav(to=Page.MYDATA)),
        ]
    )
    rows.append([(texts("btn-help"), Nav(to=Page.HELP))])
    if manager is not None:
        rows.append([(texts("btn-manage"), ManageList())])
    if manager is not None and manager.is_admin:
        rows.append([(texts("btn-admin"), Nav(to=Page.ADMIN))])
    return View(texts("menu", role=ctx.role, done="yes" if done else "no"), rows)


async def help_view(ctx: Request) -> View:
    """The commands this person can use: a guest's are the public ones; a coordinator's include
    the cabinet and the monitoring, an administrator's also the administration."""
    manager = await coordinators.manager(ctx.uow, ctx.staff) if ctx.user is not None else None
    coordinator = "no" if manager is None else "admin" if manager.is_admin else "yes"
    return View(ctx.texts("help", role=ctx.role, coordinator=coordinator), [menu_row(ctx.texts)])
