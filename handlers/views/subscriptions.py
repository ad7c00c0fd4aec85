"""«Мои подписки»: the subscription in words, its pickers (kinds, audiences, grades, school),
a parent's first choice of their child's grades and school, and the answer to «Отписаться»."""

from __future__ import annotations

from html import escape

from db.models import ALL_KINDS, AUDIENCE_BITS, GRADES, KIND_BITS, EventKind
from db.records import OrganisationRecord, SubscriptionRecord
from handlers.callbacks import (
    SetupStep,
    SubPart,
    SubSchool,
    Subscriptions,
    SubSetup,
    SubStep,
    SubToggle,
)
from handlers.ui import Row, View, back_row, menu_row
from locales import Texts
from services.subscriptions import Overview

GRADES_PER_ROW = 4


def _mark(texts: Texts, on: bool, label: str) -> str:
    """A multi-select button: ✅ when chosen."""
    return texts("subscription-toggle", on="yes" if on else "no", label=label)


def _in_rows(buttons: Row, per_row: int) -> list[Row]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def kinds_text(texts: Texts, kinds: int) -> str:
    if kinds & ALL_KINDS == ALL_KINDS:
        return texts("subscription-all-kinds")
    return ", ".join(texts("event-kind", kind=k) for k, bit in KIND_BITS.items() if kinds & bit)


def audiences_text(texts: Texts, audiences: int) -> str:
    chosen = (role for role, bit in AUDIENCE_BITS.items() if audiences & bit)
    return ", ".join(texts("event-audience", role=role) for role in chosen)


def grades_text(texts: Texts, grades: int) -> str:
    chosen = [str(grade) for grade in GRADES if grades & (1 << grade)]
    return ", ".join(chosen) if chosen else texts("subscription-any-grade")


def choice_text(texts: Texts, subscription: SubscriptionRecord, school: str | None) -> str:
    """The subscription in words: kinds, for whom, grades, school."""
    return texts(
        "subscription-choice",
        kinds=kinds_text(texts, subscription.kinds),
        audiences=audiences_text(texts, subscription.audiences),
        grades=grades_text(texts, subscription.grades),
        school=escape(school) if school else "all",
    )


def subscription_view(texts: Texts, overview: Overview, role: str) -> View:
    """«Мои подписки»: an offer to subscribe, the choice with its buttons, or, unsubscribed,
    the kept choice with «Вернуть подписку»."""
    subscription = overview.subscription
    if subscription is None:
        subscribe = (texts("btn-subscribe"), Subscriptions(action=SubStep.SUBSCRIBE))
        return View(texts("subscriptions-none", role=role), [[subscribe], menu_row(texts)])
    choice = choice_text(texts, subscription, overview.school)
    if not subscription.active:
        again = (texts("btn-resubscribe"), Subscriptions(action=SubStep.RESUBSCRIBE))
        return View(texts("subscriptions-off", choice=choice), [[again], menu_row(texts)])
    rows: list[Row] = [
        [
            (texts("btn-subscription-kinds"), Subscriptions(action=SubStep.KINDS)),
            (texts("btn-subscription-audiences"), Subscriptions(action=SubStep.AUDIENCES)),
        ],
        [
            (texts("btn-subscription-grades"), Subscriptions(action=SubStep.GRADES)),
            (texts("btn-subscription-school"), Subscriptions(action=SubStep.SCHOOLS)),
        ],
        [(texts("btn-unsubscribe"), Subscriptions(action=SubStep.UNSUBSCRIBE))],
        menu_row(texts),
    ]
    return View(texts("subscriptions-on", choice=choice), rows)


def unsubscribed_view(texts: Texts) -> View:
    """The answer to «Отписаться»."""
    rows: list[Row] = [
        [(texts("btn-resubscribe"), Subscriptions(action=SubStep.RESUBSCRIBE))],
        [(texts("btn-subscriptions"), Subscriptions())],
        menu_row(texts),
    ]
    return View(texts("unsubscribed"), rows)


def _picker(texts: Texts, text: str, buttons: Row, per_row: int = 1) -> View:
    rows = _in_rows(buttons, per_row)
    rows.append(back_row(texts, Subscriptions()))
    return View(text, rows)


def kinds_view(texts: Texts, subscription: SubscriptionRecord) -> View:
    buttons: Row = [
        (
            _mark(
                texts, bool(subscription.kinds & KIND_BITS[kind]), texts("event-kind", kind=kind)
            ),
            SubToggle(part=SubPart.KIND, value=kind),
        )
        for kind in EventKind
    ]
    return _picker(texts, texts("subscription-kinds"), buttons)


def audiences_view(texts: Texts, subscription: SubscriptionRecord) -> View:
    buttons: Row = [
        (
            _mark(texts, bool(subscription.audiences & bit), texts("event-audience", role=role)),
            SubToggle(part=SubPart.AUDIENCE, value=role),
        )
        for role, bit in AUDIENCE_BITS.items()
    ]
    return _picker(texts, texts("subscription-audiences"), buttons)


def _grade_buttons(texts: Texts, grades: int, data: dict[int, SubToggle | SubSetup]) -> Row:
    return [
        (_mark(texts, bool(grades & (1 << grade)), texts("btn-grade", grade=grade)), data[grade])
        for grade in GRADES
    ]


def grades_view(texts: Texts, subscription: SubscriptionRecord) -> View:
    data: dict[int, SubToggle | SubSetup] = {
        g: SubToggle(part=SubPart.GRADE, value=str(g)) for g in GRADES
    }
    buttons = _grade_buttons(texts, subscription.grades, data)
    return _picker(texts, texts("subscription-grades"), buttons, GRADES_PER_ROW)


def schools_view(
    texts: Texts, subscription: SubscriptionRecord, schools: list[OrganisationRecord]
) -> View:
    chosen = subscription.organisation_id
    buttons: Row = [(_mark(texts, chosen is None, texts("btn-all-schools")), SubSchool(id=0))]
    buttons.extend(
        (_mark(texts, s.id == chosen, s.short_name), SubSchool(id=s.id)) for s in schools
    )
    return _picker(texts, texts("subscription-school"), buttons, 2)


# --- a parent's first subscription: the child's grades, then the school -------------------


def setup_grades_view(texts: Texts, grades: int) -> View:
    """Each button carries the grades as they would be after the tap."""
    data: dict[int, SubToggle | SubSetup] = {
        g: SubSetup(step=SetupStep.GRADES, grades=grades ^ (1 << g)) for g in GRADES
    }
    rows = _in_rows(_grade_buttons(texts, grades, data), GRADES_PER_ROW)
    rows.append([(texts("btn-setup-next"), SubSetup(step=SetupStep.SCHOOLS, grades=grades))])
    rows.append(back_row(texts, Subscriptions()))
    return View(texts("subscription-setup-grades"), rows)


def setup_schools_view(texts: Texts, grades: int, schools: list[OrganisationRecord]) -> View:
    def done(school: int) -> SubSetup:
        return SubSetup(step=SetupStep.DONE, grades=grades, school=school)

    buttons: Row = [(s.short_name, done(s.id)) for s in schools]
    rows = _in_rows(buttons, 2)
    rows.append([(texts("btn-all-schools"), done(0))])
    rows.append(back_row(texts, SubSetup(step=SetupStep.GRADES, grades=grades)))
    return View(texts("subscription-setup-school", grades=grades_text(texts, grades)), rows)
