"""Events as people see them: the list of upcoming events, an event's card, «Мои планы», and
the messages the bot sends about an event (reminders, changes, a seat that came free)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from db.models import EventKind, EventStatus, RegistrationStatus, Role
from db.records import EventRecord, OutboxRecord, RegistrationRecord
from handlers.callbacks import (
    EventAction,
    EventList,
    EventProfessions,
    EventStep,
    Feedback,
    Nav,
    Page,
    PlansFile,
    ShowEvent,
    Subscriptions,
    SubStep,
    Teachers,
)
from handlers.ui import Row, View, back_row, fit_label, menu_row
from locales import Texts
from services.events import PAGE_SIZE, EventPage, EventView, Refusal
from services.outbox_kinds import OutboxKind

#: The kinds the teachers' section lists (its «Семинары» and «Курсы» buttons).
TEACHER_KINDS = frozenset({EventKind.TEACHER_SEMINAR, EventKind.TEACHER_COURSE})


def kind_name(texts: Texts, kind: str) -> str:
    return texts("event-kind", kind=kind)


def audience_text(texts: Texts, event: EventRecord) -> str:
    parts = []
    for role in event.roles:
        if role == Role.STUDENT and (event.grade_min is not None or event.grade_max is not None):
            low = event.grade_min or 1
            high = event.grade_max or 11
            parts.append(texts("event-audience-grades", low=low, high=high))
        else:
            parts.append(texts("event-audience", role=role))
    return ", ".join(parts)


def seats_text(texts: Texts, event: EventRecord) -> str:
    if event.seats_left is None:
        return texts("event-seats-unlimited")
    return texts("event-seats", left=event.seats_left, total=event.capacity or 0)


def event_text(texts: Texts, event: EventRecord, organiser: str) -> str:
    """The card: what, where, when (local time), organiser, who for, seats, deadline."""
    where = []
    if event.place:
        where.append(texts("event-place", place=escape(event.place)))
    if event.link:
        where.append(texts("event-link", link=escape(event.link)))
    lines = [
        texts("event-head", title=escape(event.title), kind=kind_name(texts, event.kind)),
        texts(
            "event-when",
            start=texts.when(event.starts_at),
            end=texts.when(event.ends_at, "HH:mm")
            if event.starts_at.astimezone(texts.tz).date()
            == event.ends_at.astimezone(texts.tz).date()
            else texts.when(event.ends_at),
        ),
        *where,
        texts("event-organiser", name=escape(organiser)),
        texts("event-for", audience=audience_text(texts, event)),
    ]
    if event.profession:
        lines.append(texts("event-profession", profession=escape(event.profession)))
    lines.append(seats_text(texts, event))
    if event.signup_deadline is not None and event.signup_deadline < event.starts_at:
        lines.append(texts("event-deadline", deadline=texts.when(event.closes_at)))
    text = "\n".join(lines)
    if event.description:
        text += "\n\n" + escape(event.description)
    return text


def status_text(texts: Texts, view: EventView) -> str | None:
    registration = view.registration
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return None
    return texts("event-my-status", status=registration.status, position=view.position or 0)


def event_card_view(texts: Texts, view: EventView, back: EventList | None) -> View:
    event = view.event
    parts = [event_text(texts, event, view.organiser)]
    if (status := status_text(texts, view)) is not None:
        parts.append(status)
    signed = view.registration is not None and view.registration.status in (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )
    rows: list[Row] = []
    if view.refusal is not None and not signed:
        parts.append(texts("event-refused", reason=view.refusal))
    elif signed:
        if view.refusal not in (Refusal.STARTED, Refusal.CANCELLED):
            rows.append(
                [(texts("btn-event-cancel"), EventAction(id=event.id, action=EventStep.CANCEL))]
            )
    else:
        full = event.seats_left == 0
        label = texts("btn-event-waitlist") if full else texts("btn-event-sign-up")
        rows.append([(label, EventAction(id=event.id, action=EventStep.SIGN_UP))])
    rows.append(
        [(texts("btn-event-calendar"), EventAction(id=event.id, action=EventStep.CALENDAR))]
    )
    if event.profession or event.interest_types:
        rows.append([(texts("btn-event-professions"), EventProfessions(id=event.id))])
    rows.append(back_row(texts, back or EventList()))
    rows.append(menu_row(texts))
    return View("\n\n".join(parts), rows)


def events_list_view(texts: Texts, page: EventPage, kind: str, registered: bool) -> View:
    if page.total == 0:
        text = texts("events-none", kind=kind or "all", registered="yes" if registered else "no")
    else:
        text = texts(
            "events-list",
            count=page.total,
            kind=kind_name(texts, kind) if kind else "all",
            page=page.page + 1,
            pages=page.pages,
        )
    rows: list[Row] = []
    for event in page.events:
        status = page.statuses.get(event.id)
        mark = texts("event-mark", status=status or "none")
        label = texts(
            "btn-event-item", date=texts.when(event.starts_at, "d MMM"), title=event.title
        )
        rows.append([(fit_label(mark + label), ShowEvent(id=event.id, kind=kind, page=page.page))])
    paging: Row = []
    if page.page > 0:
        paging.append((texts("btn-page-back"), EventList(kind=kind, page=page.page - 1)))
    if (page.page + 1) * PAGE_SIZE < page.total:
        paging.append((texts("btn-page-next"), EventList(kind=kind, page=page.page + 1)))
    rows.append(paging)
    rows.append([(texts("btn-event-kinds", kind=kind or "all"), Nav(to=Page.EVENT_KINDS))])
    rows.append([(texts("btn-plans"), Nav(to=Page.PLANS))] if registered else [])
    if kind in TEACHER_KINDS:  # opened from «Педагогам»: the way back to it
        rows.append(back_row(texts, Teachers()))
    rows.append(menu_row(texts))
    return View(text, rows)


def kinds_view(texts: Texts) -> View:
    rows: list[Row] = [[(texts("btn-event-kind-all"), EventList())]]
    rows.extend([(kind_name(texts, kind), EventList(kind=kind))] for kind in EventKind)
    rows.append(menu_row(texts))
    return View(texts("event-kinds"), rows)


def plans_view(texts: Texts, plans: list[tuple[RegistrationRecord, EventRecord]]) -> View:
    if not plans:
        return View(
            texts("plans-none"),
            [[(texts("btn-events"), EventList())], menu_row(texts)],
        )
    rows: list[Row] = []
    for registration, event in plans:
        status = "event-cancelled" if event.status == "cancelled" else registration.status
        label = texts(
            "btn-plan-item",
            status=status,
            date=texts.when(event.starts_at, "d MMM"),
            title=event.title,
        )
        rows.append([(fit_label(label), ShowEvent(id=event.id))])
    rows.append([(texts("btn-plans-calendar"), PlansFile())])
    rows.append([(texts("btn-events"), EventList())])
    rows.append(menu_row(texts))
    return View(texts("plans", count=len(plans)), rows)


def signed_up_note(texts: Texts, outcome: str) -> str:
    return texts("event-signed-up", outcome=outcome)


# --- what the bot sends about an event ----------------------------------------------------------


def reminder_view(texts: Texts, event: EventRecord, organiser: str, hours: int) -> View:
    text = texts("event-reminder", hours=hours) + "\n\n" + event_text(texts, event, organiser)
    return View(text, [[(texts("btn-event-open"), ShowEvent(id=event.id))]])


def changed_view(texts: Texts, event: EventRecord, organiser: str, changed: list[str]) -> View:
    names = ", ".join(texts("event-field", field=name) for name in changed)
    text = texts("event-changed", fields=names) + "\n\n" + event_text(texts, event, organiser)
    return View(text, [[(texts("btn-event-open"), ShowEvent(id=event.id))]])


def cancelled_view(texts: Texts, event: EventRecord) -> View:
    text = texts(
        "event-cancelled-notice",
        title=escape(event.title),
        start=texts.when(event.starts_at),
    )
    return View(text, [[(texts("btn-events"), EventList())]])


def promoted_view(texts: Texts, event: EventRecord, organiser: str) -> View:
    text = texts("event-promoted") + "\n\n" + event_text(texts, event, organiser)
    return View(text, [[(texts("btn-event-open"), ShowEvent(id=event.id))]])


def announcement_view(texts: Texts, event: EventRecord, organiser: str) -> View:
    """A new event, to a subscriber it fits: its card, sign up, more, and unsubscribe at once."""
    text = texts("announcement") + "\n\n" + event_text(texts, event, organiser)
    sign_up = texts("btn-event-waitlist") if event.seats_left == 0 else texts("btn-event-sign-up")
    rows: list[Row] = [
        [(sign_up, EventAction(id=event.id, action=EventStep.SIGN_UP))],
        [(texts("btn-event-more"), ShowEvent(id=event.id))],
        [(texts("btn-unsubscribe"), Subscriptions(action=SubStep.UNSUBSCRIBE))],
    ]
    return View(text, rows)


def feedback_view(texts: Texts, event: EventRecord, liked: int = 0) -> View:
    """The two questions after a trial, one at a time."""
    title = escape(event.profession or event.title)
    if liked == 0:
        answers: Row = [
            (texts("btn-yes"), Feedback(event=event.id, liked=1)),
            (texts("btn-no"), Feedback(event=event.id, liked=2)),
        ]
        return View(texts("feedback-liked", title=title), [answers])
    answers = [
        (texts("btn-yes"), Feedback(event=event.id, liked=liked, helped=1)),
        (texts("btn-partly"), Feedback(event=event.id, liked=liked, helped=3)),
        (texts("btn-no"), Feedback(event=event.id, liked=liked, helped=2)),
    ]
    return View(texts("feedback-helped", title=title), [answers])


def outbox_view(
    texts: Texts, message: OutboxRecord, event: EventRecord, organiser: str, now: datetime
) -> View | None:
    """What an outbox message about `event` says when it goes out (the event as it is now);
    None when it no longer applies: the event was cancelled or has begun (a trial's questions
    come after it, though)."""
    kind = message.kind
    if kind == OutboxKind.CANCELLED:
        return cancelled_view(texts, event)
    published = event.status == EventStatus.PUBLISHED
    if kind == OutboxKind.TRIAL_FEEDBACK:
        return feedback_view(texts, event) if published else None
    if not published or event.starts_at <= now:
        return None
    if kind == OutboxKind.ANNOUNCEMENT:  # pointless once sign-up has closed
        return announcement_view(texts, event, organiser) if event.closes_at > now else None
    return _before_start_view(texts, message, event, organiser)


def _before_start_view(
    texts: Texts, message: OutboxRecord, event: EventRecord, organiser: str
) -> View | None:
    """A message to those signed up for a published event that has not begun."""
    kind = message.kind
    if kind == OutboxKind.REMINDER:
        return reminder_view(texts, event, organiser, int(message.payload.get("hours", 0)))
    if kind == OutboxKind.CHANGED:
        changed = [str(c) for c in message.payload.get("changed", [])]
        return changed_view(texts, event, organiser, changed)
    return promoted_view(texts, event, organiser) if kind == OutboxKind.PROMOTED else None
