"""The event editor's screens: one question per step, and the preview before publishing."""

from __future__ import annotations

from datetime import date
from html import escape

from content.catalogue import INTEREST_TYPES
from db.models import EventKind
from db.records import EventDraft, EventRecord, OrganisationRecord
from handlers.callbacks import EditorPick, ManageList
from handlers.ui import Row, View, back_row
from handlers.views.calendar import month_rows
from handlers.views.events import event_text, kind_name
from locales import Texts
from services.events import AUDIENCE_ROLES, Problem

START_TIMES = ("0900", "1000", "1100", "1200", "1300", "1400", "1500", "1600", "1700", "1800")
DURATIONS = ("60", "90", "120", "180", "240", "480")
CAPACITIES = ("10", "15", "20", "25", "30", "50", "100")
DEADLINES = ("0", "1", "3", "7")
GRADE_RANGES = ("", "5-7", "8-9", "10-11", "8-11", "9", "11")
#: Steps whose preview button edits them, in the order of the form.
EDITABLE = (
    "kind",
    "title",
    "description",
    "place",
    "start",
    "end",
    "capacity",
    "deadline",
    "roles",
    "types",
    "profession",
)


def _cancel_row(texts: Texts) -> Row:
    return [(texts("btn-editor-cancel"), EditorPick(field="quit"))]


def _buttons(field: str, values: tuple[str, ...], label: dict[str, str], per_row: int) -> list[Row]:
    buttons: Row = [(label[v], EditorPick(field=field, value=v)) for v in values]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def step_view(  # noqa: PLR0911 - one screen per step
    texts: Texts,
    step: str,
    draft: dict[str, object],
    today: date,
    organisations: list[OrganisationRecord],
) -> View:
    """The question of `step`, with what was chosen so far marked."""
    head = texts("editor-step", step=step)
    cancel = _cancel_row(texts)
    if step == "kind":
        rows: list[Row] = [
            [(kind_name(texts, k), EditorPick(field="kind", value=k))] for k in EventKind
        ]
        return View(head, [*rows, cancel])
    if step in ("title", "place", "profession"):
        return View(head, [cancel])
    if step == "description":
        return View(head, [[(texts("btn-editor-skip"), EditorPick(field="description"))], cancel])
    if step == "organisation":
        rows = [[(o.short_name, EditorPick(field="org", value=str(o.id)))] for o in organisations]
        return View(head, [*rows, cancel])
    if step in ("start", "end-date"):
        field = "start" if step == "start" else "end"
        shown = draft.get(f"{field}_month")
        year, month = (today.year, today.month) if not shown else map(int, str(shown).split("-"))
        return View(head, [*month_rows(texts, field, year, month, today), cancel])
    if step in ("start-time", "end-time"):
        label = {t: f"{t[:2]}:{t[2:]}" for t in START_TIMES}
        return View(head, [*_buttons(step, START_TIMES, label, 5), cancel])
    if step == "end":
        label = {d: texts("btn-duration", minutes=int(d)) for d in DURATIONS}
        rows = _buttons("duration", DURATIONS, label, 3)
        rows.append([(texts("btn-editor-other-day"), EditorPick(field="end-date"))])
        return View(head, [*rows, cancel])
    if step == "capacity":
        label = {c: c for c in CAPACITIES}
        rows = _buttons("capacity", CAPACITIES, label, 4)
        rows.append([(texts("btn-capacity-unlimited"), EditorPick(field="capacity", value="0"))])
        return View(head, [*rows, cancel])
    if step == "deadline":
        label = {d: texts("btn-deadline", days=int(d)) for d in DEADLINES}
        return View(head, [*_buttons("deadline", DEADLINES, label, 2), cancel])
    if step == "roles":
        chosen = set(draft.get("roles") or [])  # type: ignore[call-overload]
        rows = [
            [
                (
                    texts(
                        "btn-toggle",
                        on=str(role in chosen),
                        label=texts("event-audience", role=role),
                    ),
                    EditorPick(field="role", value=role),
                )
            ]
            for role in AUDIENCE_ROLES
        ]
        rows.append([(texts("btn-editor-done"), EditorPick(field="roles-done"))])
        return View(head, [*rows, cancel])
    if step == "grades":
        label = {g: texts("btn-grades", grades=g or "all") for g in GRADE_RANGES}
        return View(head, [*_buttons("grades", GRADE_RANGES, label, 4), cancel])
    if step == "types":
        chosen = set(draft.get("types") or [])  # type: ignore[call-overload]
        rows = [
            [
                (
                    texts("btn-toggle", on=str(t in chosen), label=texts("interest-type", type=t)),
                    EditorPick(field="type", value=t),
                )
            ]
            for t in INTEREST_TYPES
        ]
        rows.append([(texts("btn-editor-done"), EditorPick(field="types-done"))])
        return View(head, [*rows, cancel])
    raise ValueError(step)


def problems_text(texts: Texts, problems: list[Problem]) -> str:
    return "\n".join("• " + texts(p.key, **p.args) for p in problems)


def preview_view(
    texts: Texts,
    draft: EventDraft,
    organiser: str,
    problems: list[Problem],
    *,
    taken: int | None,
) -> View:
    """The event as participants will see it. `taken`: when changing a published event, the
    seats its sign-ups hold now; None for a new one."""
    editing = taken is not None
    preview = EventRecord(
        id=0,
        code=draft.code or "",
        kind=draft.kind,
        status="draft",
        title=draft.title,
        description=draft.description,
        organisation_id=draft.organisation_id,
        place=draft.place,
        link=draft.link,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        capacity=draft.capacity,
        seats_taken=taken or 0,
        signup_deadline=draft.signup_deadline,
        roles=draft.roles,
        grade_min=draft.grade_min,
        grade_max=draft.grade_max,
        interest_types=draft.interest_types,
        profession=draft.profession,
        revision=0,
        created_by=None,
        created_at=draft.starts_at,
        updated_at=draft.starts_at,
    )
    parts = [texts("editor-preview", editing=str(editing)), event_text(texts, preview, organiser)]
    if draft.interest_types:
        types = ", ".join(texts("interest-type", type=t) for t in draft.interest_types)
        parts.append(texts("editor-types", types=types))
    if problems:
        parts.append(texts("editor-problems") + "\n" + problems_text(texts, problems))
    rows: list[Row] = []
    if not problems:
        rows.append(
            [(texts("btn-editor-publish", editing=str(editing)), EditorPick(field="publish"))]
        )
    edit: Row = [
        (texts("btn-editor-change", step=step), EditorPick(field="goto", value=step))
        for step in EDITABLE
        if step != "profession" or draft.kind == EventKind.TRIAL
    ]
    rows.extend(edit[i : i + 3] for i in range(0, len(edit), 3))
    rows.append(_cancel_row(texts))
    return View("\n\n".join(parts), rows)


def quit_view(texts: Texts) -> View:
    return View(texts("editor-quit"), [back_row(texts, ManageList())])


def published_view(texts: Texts, event: EventRecord, link: str, editing: bool) -> str:
    return texts("editor-published", title=escape(event.title), link=link, editing=str(editing))
