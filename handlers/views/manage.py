"""The coordinator's cabinet: their events, one event with who signed up, attendance."""

from __future__ import annotations

from datetime import datetime
from html import escape

from db.models import EventStatus, RegistrationStatus
from db.records import EventRecord
from handlers.callbacks import (
    Attend,
    BroadcastPick,
    EditorPick,
    Manage,
    ManageList,
    ManageStep,
    Nav,
    Page,
    Stats,
)
from handlers.ui import Row, View, back_row, fit_label, menu_row
from handlers.views.events import event_text
from locales import Texts
from services.event_import import ImportReport
from services.events import PAGE_SIZE, Attendee, EventPage

#: People listed by name on the attendance screen (the file has everyone).
SHOWN_PEOPLE = 30


def manage_list_view(texts: Texts, listed: EventPage, organisation: str, now: datetime) -> View:
    rows: list[Row] = [
        [(texts("btn-event-new"), EditorPick(field="new"))],
        [
            (texts("btn-broadcast-new"), BroadcastPick(field="new")),
            (texts("btn-broadcasts"), Nav(to=Page.BROADCASTS)),
        ],
        [(texts("btn-stats"), Stats())],
    ]
    page, total = listed.page, listed.total
    for event in listed.events:
        over = event.status == EventStatus.PUBLISHED and event.ends_at <= now
        label = texts(
            "btn-manage-item",
            status="over" if over else event.status,
            date=texts.when(event.starts_at, "d MMM"),
            title=event.title,
        )
        rows.append([(fit_label(label), Manage(id=event.id))])
    paging: Row = []
    if page > 0:
        paging.append((texts("btn-page-back"), ManageList(page=page - 1)))
    if (page + 1) * PAGE_SIZE < total:
        paging.append((texts("btn-page-next"), ManageList(page=page + 1)))
    rows.append(paging)
    rows.append(menu_row(texts))
    text = texts("manage-list", count=total, organisation=escape(organisation) or "all")
    return View(text, rows)


def _counts(attendees: list[Attendee]) -> dict[str, int]:
    counts = {status.value: 0 for status in RegistrationStatus}
    for attendee in attendees:
        counts[attendee.registration.status] += 1
    return counts


def manage_event_view(
    texts: Texts, event: EventRecord, organiser: str, attendees: list[Attendee], started: bool
) -> View:
    counts = _counts(attendees)
    text = "\n\n".join(
        [
            texts("manage-event-head", status=event.status, code=event.code),
            event_text(texts, event, organiser),
            texts(
                "manage-event-counts",
                confirmed=counts["confirmed"],
                waitlisted=counts["waitlisted"],
                attended=counts["attended"],
                no_show=counts["no_show"],
                cancelled=counts["cancelled"],
            ),
        ]
    )

    def action(step: ManageStep) -> Manage:
        return Manage(id=event.id, action=step)

    rows: list[Row] = [
        [(texts("btn-manage-people"), action(ManageStep.PEOPLE))],
        [
            (texts("btn-manage-csv"), action(ManageStep.CSV)),
            (texts("btn-manage-xlsx"), action(ManageStep.XLSX)),
        ],
        [(texts("btn-manage-link"), action(ManageStep.LINK))],
    ]
    if event.status != EventStatus.CANCELLED:
        if started:
            rows.append([(texts("btn-manage-all-came"), action(ManageStep.ALL_CAME))])
        else:
            rows.append([(texts("btn-manage-edit"), action(ManageStep.EDIT))])
        rows.append([(texts("btn-manage-cancel"), action(ManageStep.CANCEL))])
    rows.append(back_row(texts, ManageList()))
    return View(text, rows)


def attendee_line(texts: Texts, number: int, attendee: Attendee) -> str:
    return texts(
        "manage-person",
        number=number,
        name=escape(attendee.registration.display_name) or "—",
        role=attendee.role or "none",
        organisation=escape(attendee.organisation) or "—",
        grade=attendee.grade or 0,
        status=attendee.registration.status,
    )


def people_view(texts: Texts, event: EventRecord, attendees: list[Attendee], started: bool) -> View:
    """Who signed up; once the event has begun, a button per person to mark attendance."""
    listed = [a for a in attendees if a.registration.status != RegistrationStatus.CANCELLED]
    lines = [texts("manage-people-head", title=escape(event.title), count=len(listed))]
    lines += [attendee_line(texts, i, a) for i, a in enumerate(listed[:SHOWN_PEOPLE], 1)]
    if len(listed) > SHOWN_PEOPLE:
        lines.append(texts("manage-people-more", more=len(listed) - SHOWN_PEOPLE))
    rows: list[Row] = []
    if started and event.status == EventStatus.PUBLISHED:
        lines.append(texts("manage-attendance-hint"))
        for number, attendee in enumerate(listed[:SHOWN_PEOPLE], 1):
            registration = attendee.registration
            if registration.status == RegistrationStatus.WAITLISTED:
                continue
            came = registration.status == RegistrationStatus.ATTENDED
            label = texts(
                "btn-attend", number=number, name=registration.display_name[:24], came=str(came)
            )
            rows.append([(label, Attend(event=event.id, user=registration.user_id, came=not came))])
    rows.append(back_row(texts, Manage(id=event.id)))
    return View("\n".join(lines), rows)


def cancel_confirm_view(texts: Texts, event: EventRecord, signed: int) -> View:
    return View(
        texts("manage-cancel-confirm", title=escape(event.title), signed=signed),
        [
            [
                (
                    texts("btn-manage-cancel-yes"),
                    Manage(id=event.id, action=ManageStep.CANCEL_CONFIRMED),
                )
            ],
            back_row(texts, Manage(id=event.id)),
        ],
    )


#: Wrong rows listed one by one in the import report (the rest are counted).
SHOWN_ERRORS = 15


def import_report_view(texts: Texts, report: ImportReport) -> View:
    lines = [
        texts(
            "import-report",
            created=report.created,
            known=report.known,
            failed=len(report.errors),
        )
    ]
    for error in report.errors[:SHOWN_ERRORS]:
        problems = escape(" ".join(texts(p.key, **p.args) for p in error.problems))
        # Line 0: the file as a whole (unreadable, too big), not one of its lines.
        lines.append(
            texts("import-error", line=error.line, problems=problems) if error.line else problems
        )
    if len(report.errors) > SHOWN_ERRORS:
        lines.append(texts("import-more-errors", more=len(report.errors) - SHOWN_ERRORS))
    return View("\n".join(lines), [back_row(texts, ManageList())])
