"""Parents and children: the child's «Родители», the link to forward, what a parent sees on
opening it, the parent's «Мой ребёнок», and the notices the bot sends to either side."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import quote

from content import Catalogue
from db.models import EventStatus
from db.records import (
    AttemptRecord,
    EventRecord,
    FamilyInviteRecord,
    OutboxRecord,
    ParentLinkRecord,
    UserRecord,
)
from handlers.callbacks import (
    Family,
    FamilyAnswer,
    FamilyStep,
    GuestAnswer,
    Minor,
    MinorStep,
    Nav,
    Page,
    ShowEvent,
)
from handlers.ui import LABEL, Row, View, back_row, fit_label, menu_row
from handlers.views.events import event_text
from handlers.views.menu import public_rows
from handlers.views.quiz import LETTERS, result_text, type_rows
from locales import Texts
from quizzes import Questionnaire
from services import profile
from services import quiz as quiz_service
from services.family import CONSENT, ChildOverview, LinkedChild, LinkProblem


def _parent_label(texts: Texts, link: ParentLinkRecord) -> str:
    return texts(
        "family-parent",
        name=link.parent_name or "—",
        date=texts.date(link.created_at),
    )


def parents_view(texts: Texts, links: list[ParentLinkRecord]) -> View:
    """The child's «Родители»: who is linked (each can be unlinked) and a link for another."""
    names = "\n".join(f"• {escape(_parent_label(texts, link))}" for link in links)
    text = texts("family-parents", count=len(links), names=names)
    rows: list[Row] = [[(texts("btn-family-invite"), Family(action=FamilyStep.INVITE))]]
    rows.extend(
        [
            (
                fit_label(texts("btn-family-unlink", name=link.parent_name or "—")),
                Family(action=FamilyStep.UNLINK, id=link.parent_id),
            )
        ]
        for link in links
    )
    rows.append(back_row(texts, Nav(to=Page.PROFILE)))
    rows.append(menu_row(texts))
    return View(text, rows)


#: MAX's share screen («Отправить в MAX»), prefilled with `text` (dev.max.ru/help/deeplinks).
MAX_SHARE = "https://max.ru/:share?text="


def _share(link: str, texts: Texts) -> str:
    """A button that forwards the link in the messenger it belongs to: Telegram's share URL
    for a t.me link, MAX's for a max.ru one (Telegram's would open Telegram from MAX)."""
    text = texts("family-share-text")
    if link.startswith("https://max.ru/"):
        return MAX_SHARE + quote(f"{text}: {link}", safe="")
    return f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text)}"


def invite_view(
    texts: Texts, invite: FamilyInviteRecord, links: list[str], guest_quiz: str | None = None
) -> View:
    """The link to forward to a parent (the consent link of a child under 14 has its own,
    with the questionnaire `guest_quiz` to take meanwhile, unsaved): one per messenger the bot
    runs in, the child's own first, which the share button forwards."""
    key = "family-consent-link" if invite.purpose == CONSENT else "family-invite-link"
    link = "\n".join(escape(each) for each in links)
    text = texts(key, link=link, until=texts.when(invite.expires_at, "d MMMM, HH:mm"))
    if invite.purpose == CONSENT:
        rows: list[Row] = [
            [(texts("btn-guest-quiz"), GuestAnswer(quiz=guest_quiz))] if guest_quiz else [],
            *public_rows(texts),
            [(texts("btn-minor-cancel"), Minor(action=MinorStep.CANCEL))],
        ]
    else:
        rows = [back_row(texts, Family()), menu_row(texts)]
    return View(text, rows, links=[(texts("btn-family-share"), _share(links[0], texts))])


def unlink_confirm_view(texts: Texts, link: ParentLinkRecord) -> View:
    return View(
        texts("family-unlink-confirm", name=escape(link.parent_name or "—")),
        [
            [
                (
                    texts("btn-family-unlink-yes"),
                    Family(action=FamilyStep.UNLINK_CONFIRMED, id=link.parent_id),
                )
            ],
            back_row(texts, Family()),
        ],
    )


def offer_view(
    texts: Texts, invite: FamilyInviteRecord, *, registered: bool, rejected_days: int
) -> View:
    """What a parent sees on opening a child's link: what it means, and the consent text
    (`rejected_days`: how long a message the bot could not read is kept)."""
    if invite.purpose == CONSENT:
        text = texts("consent-child", version=texts("consent-child-version"), days=rejected_days)
    else:
        text = texts("family-offer", registered="yes" if registered else "no")
    return View(
        text,
        [
            [(texts("btn-family-agree"), FamilyAnswer(token=invite.token, agree=True))],
            [(texts("btn-family-decline"), FamilyAnswer(token=invite.token, agree=False))],
        ],
    )


def refused_view(texts: Texts, problem: LinkProblem, *, registered: bool) -> View:
    rows: list[Row] = (
        [[(texts("btn-parent-children"), Family(action=FamilyStep.CHILDREN))], menu_row(texts)]
        if problem == LinkProblem.USED_BY_YOU and registered
        else [menu_row(texts)]
    )
    return View(texts("family-link-refused", problem=problem), rows)


def grade_shown(child: UserRecord, year: int) -> int | str:
    """The child's grade or course in academic year `year` for the texts: "none" when not
    given, 0 once they have left."""
    if child.grade is None:
        return "none"
    return profile.current_grade(child, year) or 0


def _child_label(texts: Texts, number: int, entry: LinkedChild, year: int) -> str:
    """«Ребёнок 1: 9 класс, Школа № 1 (связь с …)». What tells two children apart comes first:
    when the label would not fit on a phone's button, the date of the link is left out, then
    the school; the rest is cut with «…» if even that does not fit."""
    child, organisation = entry.child, entry.organisation
    grade = grade_shown(child, year) if child is not None else "none"
    if child is not None and grade != "none":
        grade = texts("family-grade", role=str(child.role), grade=grade)

    date = texts.date(entry.link.created_at)
    school = "none"
    if organisation is not None and not organisation.code.endswith("-other"):
        school = organisation.short_name
    label = ""
    for shown_school, shown_date in ((school, date), (school, "none"), ("none", date)):
        label = texts(
            "btn-family-child", number=number, date=shown_date, grade=grade, school=shown_school
        )
        if len(label) <= LABEL:
            break
    return fit_label(label)


def children_view(texts: Texts, children: list[LinkedChild], year: int) -> View:
    if not children:
        return View(texts("family-children-none"), [menu_row(texts)])
    rows: list[Row] = [
        [
            (
                _child_label(texts, number, entry, year),
                Family(action=FamilyStep.CHILD, id=entry.link.child_id),
            )
        ]
        for number, entry in enumerate(children, 1)
    ]
    rows.append(menu_row(texts))
    return View(texts("family-children", count=len(children)), rows)


def child_view(
    texts: Texts,
    quizzes: dict[str, Questionnaire],
    overview: ChildOverview,
    organisation: str,
    year: int,
) -> View:
    """A child's results and plans, as their linked parent sees them."""
    results = []
    for attempt in overview.results:
        quiz = quizzes.get(attempt.quiz_id)
        if quiz is None or attempt.scores is None or attempt.finished_at is None:
            continue
        leading = quiz_service.interpretation(quiz, attempt).leading
        results.append(
            texts(
                "family-child-result",
                title=escape(quiz.title),
                date=texts.date(attempt.finished_at),
                leading=", ".join(escape(quiz.scale(s).title) for s in leading),
            )
        )
    plans = [
        texts(
            "family-child-plan",
            date=texts.when(event.starts_at),
            title=escape(event.title),
            status="event-cancelled" if event.status == EventStatus.CANCELLED else r.status,
        )
        for r, event in overview.plans
    ]
    text = texts(
        "family-child",
        organisation=organisation,
        role=str(overview.child.role),
        grade=grade_shown(overview.child, year),
        results="\n".join(results) or texts("family-child-no-results"),
        plans="\n".join(plans) or texts("family-child-no-plans"),
        reminders="yes" if overview.link.reminders else "no",
    )
    child_id = overview.child.id
    toggle = (
        (texts("btn-family-reminders-off"), Family(action=FamilyStep.REMINDERS_OFF, id=child_id))
        if overview.link.reminders
        else (texts("btn-family-reminders-on"), Family(action=FamilyStep.REMINDERS_ON, id=child_id))
    )
    rows: list[Row] = [
        [toggle],
        back_row(texts, Family(action=FamilyStep.CHILDREN)),
        menu_row(texts),
    ]
    return View(text, rows)


# --- what the bot sends unasked ---------------------------------------------------------------


def notice_view(texts: Texts, message: OutboxRecord) -> View:
    what = str(message.payload.get("family", ""))
    if what == "unlinked":  # to the parent
        return View(texts("family-notice", what=what), [menu_row(texts)])
    if what == "consented":  # to the child: on with the profile
        return View(
            texts("family-notice", what=what), [[(texts("btn-minor-continue"), Nav(to=Page.MENU))]]
        )
    return View(
        texts("family-notice", what=what),
        [[(texts("btn-family"), Family())], menu_row(texts)],
    )


def child_reminder_view(
    texts: Texts, message: OutboxRecord, event: EventRecord, organiser: str, now: datetime
) -> View | None:
    """A copy of the child's event reminder, to a parent; None once it no longer applies."""
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now:
        return None
    hours = int(message.payload.get("hours", 0))
    text = (
        texts("family-child-reminder", hours=hours) + "\n\n" + event_text(texts, event, organiser)
    )
    child_id = int(message.payload.get("child_id", 0))
    return View(
        text,
        [
            [(texts("btn-event-open"), ShowEvent(id=event.id))],
            [
                (
                    texts("btn-family-reminders-off"),
                    Family(action=FamilyStep.REMINDERS_OFF, id=child_id),
                )
            ],
        ],
    )


# --- the questionnaire without saving (a child waiting for a parent's consent) ---------------


def guest_question_view(texts: Texts, quiz: Questionnaire, given: str) -> View:
    index = len(given)
    question = quiz.questions[index]
    options = "\n\n".join(
        texts("quiz-option", letter=LETTERS[i], text=escape(option.text))
        for i, option in enumerate(question.options)
    )
    text = texts(
        "quiz-question",
        title=escape(quiz.title),
        number=index + 1,
        total=quiz.length,
        options=options,
    )
    answers: Row = [
        (LETTERS[i], GuestAnswer(quiz=quiz.id, given=given + option.key))
        for i, option in enumerate(question.options)
    ]
    nav: Row = (
        [(texts("btn-quiz-back"), GuestAnswer(quiz=quiz.id, given=given[:-1]))] if given else []
    )
    return View(texts("guest-quiz-note") + "\n\n" + text, [answers, nav, menu_row(texts)])


def guest_result_view(
    texts: Texts, quiz: Questionnaire, catalogue: Catalogue, attempt: AttemptRecord
) -> View:
    rows = [*type_rows(texts, quiz, attempt), menu_row(texts)]
    return View(
        result_text(texts, quiz, catalogue, attempt) + "\n\n" + texts("guest-quiz-done"), rows
    )
