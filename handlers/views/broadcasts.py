"""Screens of coordinators' broadcasts: the composer and its choices, the message as recipients
see it, the progress message, the summary, the list."""

from __future__ import annotations

import math
import re
from datetime import datetime
from html import escape

from db.models import GRADES, KIND_BITS, BroadcastStatus, EventKind
from db.records import Audience, BroadcastRecord, EventRecord, OrganisationRecord
from handlers.callbacks import (
    BroadcastAct,
    BroadcastPick,
    BroadcastStep,
    ManageList,
    Nav,
    Page,
    ShowEvent,
    Subscriptions,
    SubStep,
)
from handlers.ui import Row, View, fit_label, menu_row
from locales import Texts
from services.broadcasts import Draft, Progress
from services.events import AUDIENCE_ROLES

#: Shown of a broadcast's text in lists and buttons.
PREVIEW_CHARS = 40
_TAGS = re.compile(r"<[^>]+>")


def plain(html: str) -> str:
    """A broadcast's text without its formatting (for a list)."""
    return " ".join(_TAGS.sub("", html).replace("&lt;", "<").replace("&gt;", ">").split())


def _mark(on: bool, label: str) -> str:
    return f"✅ {label}" if on else label


# --- what recipients see ------------------------------------------------------------------------


def delivery_view(texts: Texts, broadcast: BroadcastRecord) -> View | None:
    """The broadcast as each recipient gets it; None once it is cancelled."""
    if broadcast.status == BroadcastStatus.CANCELLED:
        return None
    rows: list[Row] = []
    if broadcast.event_id is not None:
        rows.append([(texts("btn-broadcast-event-open"), ShowEvent(id=broadcast.event_id))])
    if broadcast.to_subscribers:
        rows.append(
            [(texts("btn-broadcast-unsubscribe"), Subscriptions(action=SubStep.UNSUBSCRIBE))]
        )
    links = [(texts("btn-broadcast-open-link"), broadcast.link_url)] if broadcast.link_url else []
    return View(broadcast.text, rows, links)


def draft_preview_view(texts: Texts, draft: Draft) -> View:
    """The draft as recipients will see it (sent to the coordinator as it is)."""
    rows: list[Row] = []
    if draft.event_id is not None:
        rows.append([(texts("btn-broadcast-event-open"), ShowEvent(id=draft.event_id))])
    if draft.audience.kinds:
        rows.append(
            [(texts("btn-broadcast-unsubscribe"), Subscriptions(action=SubStep.UNSUBSCRIBE))]
        )
    links = [(texts("btn-broadcast-open-link"), draft.link_url)] if draft.link_url else []
    return View(draft.text, rows, links)


# --- the composer -------------------------------------------------------------------------------


def compose_view(texts: Texts, *, again: bool = False) -> View:
    text = texts("broadcast-compose-again") if again else texts("broadcast-compose")
    return View(text, [[(texts("btn-broadcast-discard"), BroadcastPick(field="discard"))]])


def audience_text(
    texts: Texts,
    audience: Audience,
    schools: dict[int, str],
    event_title: str | None,
    own: str | None,
) -> str:
    """The audience in words: «школьники · классы: 9, 10 · школы: Школа № 1»."""
    parts: list[str] = []
    if audience.roles:
        parts.append(", ".join(texts("event-audience", role=r) for r in audience.roles))
    if audience.organisation_ids and own is None:
        names = ", ".join(schools.get(o, "?") for o in audience.organisation_ids)
        parts.append(texts("broadcast-audience-schools", schools=names))
    if audience.grades:
        grades = ", ".join(str(g) for g in sorted(audience.grades))
        parts.append(texts("broadcast-audience-grades", grades=grades))
    if audience.kinds:
        kinds = ", ".join(
            texts("event-kind", kind=k) for k, bit in KIND_BITS.items() if audience.kinds & bit
        )
        parts.append(texts("broadcast-audience-kinds", kinds=kinds))
    if audience.event_id is not None:
        parts.append(texts("broadcast-audience-event", title=escape(event_title or "?")))
    elif own is not None:
        parts.insert(0, texts("broadcast-own-people", organisation=escape(own)))
    return " · ".join(parts) if parts else texts("broadcast-everyone")


def draft_view(
    texts: Texts, draft: Draft, count: int, audience: str, button_event: str | None
) -> View:
    if draft.link_url:
        button = texts("broadcast-button-link", url=escape(draft.link_url))
    elif draft.event_id is not None:
        button = texts("broadcast-button-event", title=escape(button_event or "?"))
    else:
        button = texts("broadcast-button-none")
    when = (
        texts("broadcast-when-at", when=texts.when(draft.send_at))
        if draft.send_at
        else texts("broadcast-when-now")
    )
    content = texts("broadcast-content", media=draft.media_kind or "text", length=draft.length)
    text = texts(
        "broadcast-draft", content=content, button=button, audience=audience, count=count, when=when
    )
    if count == 0:
        text += "\n\n" + texts("broadcast-nobody-yet")
    send_key = "btn-broadcast-schedule" if draft.send_at else "btn-broadcast-send"
    rows: list[Row] = [
        [(texts("btn-broadcast-audience"), BroadcastPick(field="audience"))],
        [
            (texts("btn-broadcast-link"), BroadcastPick(field="link")),
            (texts("btn-broadcast-event"), BroadcastPick(field="button-event")),
        ],
        [
            (texts("btn-broadcast-when"), BroadcastPick(field="when")),
            (texts("btn-broadcast-preview"), BroadcastPick(field="preview")),
        ],
        [(texts("btn-broadcast-text"), BroadcastPick(field="text"))],
    ]
    if count > 0:
        rows.append([(texts(send_key, count=count), BroadcastPick(field="confirm"))])
    rows.append([(texts("btn-broadcast-discard"), BroadcastPick(field="discard"))])
    return View(text, rows)


def _chosen(texts: Texts, count: int, *, none_key: str = "broadcast-chosen-all") -> str:
    return texts("broadcast-chosen-some", count=count) if count else texts(none_key)


def audience_view(
    texts: Texts, audience: Audience, count: int, summary: str, *, committee: bool
) -> View:
    rows: list[Row] = []
    roles = [
        (_mark(role in audience.roles, texts("event-audience", role=role)), role)
        for role in AUDIENCE_ROLES
    ]
    rows.extend(
        [(label, BroadcastPick(field="role", value=r)) for label, r in roles[start : start + 2]]
        for start in range(0, len(roles), 2)
    )
    if committee:
        schools = _chosen(texts, len(audience.organisation_ids))
        rows.append(
            [(texts("btn-broadcast-schools", chosen=schools), BroadcastPick(field="schools"))]
        )
    grades = _chosen(texts, len(audience.grades))
    rows.append([(texts("btn-broadcast-grades", chosen=grades), BroadcastPick(field="grades"))])
    kinds = _chosen(texts, bin(audience.kinds).count("1"), none_key="broadcast-chosen-none")
    rows.append([(texts("btn-broadcast-kinds", chosen=kinds), BroadcastPick(field="kinds"))])
    signed = _chosen(texts, int(audience.event_id is not None), none_key="broadcast-chosen-none")
    rows.append([(texts("btn-broadcast-signed", chosen=signed), BroadcastPick(field="signed"))])
    rows.append([(texts("btn-broadcast-done"), BroadcastPick(field="draft"))])
    text = texts(
        "broadcast-audience", audience=summary, count=count, scoped="no" if committee else "yes"
    )
    return View(text, rows)


def schools_view(texts: Texts, audience: Audience, schools: list[OrganisationRecord]) -> View:
    rows: list[Row] = [
        [
            (
                fit_label(_mark(s.id in audience.organisation_ids, s.short_name)),
                BroadcastPick(field="school", value=str(s.id)),
            )
        ]
        for s in schools
    ]
    rows.append([(texts("btn-broadcast-done"), BroadcastPick(field="audience"))])
    return View(texts("broadcast-pick-schools"), rows)


def grades_view(texts: Texts, audience: Audience) -> View:
    buttons: Row = [
        (_mark(g in audience.grades, str(g)), BroadcastPick(field="grade", value=str(g)))
        for g in GRADES
    ]
    rows: list[Row] = [list(buttons[:6]), list(buttons[6:])]
    rows.append([(texts("btn-broadcast-done"), BroadcastPick(field="audience"))])
    return View(texts("broadcast-pick-grades"), rows)


def kinds_view(texts: Texts, audience: Audience) -> View:
    rows: list[Row] = [
        [
            (
                _mark(bool(audience.kinds & KIND_BITS[kind]), texts("event-kind", kind=kind)),
                BroadcastPick(field="kind", value=kind),
            )
        ]
        for kind in EventKind
    ]
    rows.append([(texts("btn-broadcast-done"), BroadcastPick(field="audience"))])
    return View(texts("broadcast-pick-kinds"), rows)


def events_pick_view(
    texts: Texts, events: list[EventRecord], chosen: int | None, *, field: str
) -> View:
    """The coordinator's upcoming events, to pick one: whose signed-up people get it
    (`field` "event") or whose card its button opens ("with-event")."""
    rows: list[Row] = [
        [
            (
                fit_label(_mark(e.id == chosen, f"{texts.when(e.starts_at, 'd MMM')} · {e.title}")),
                BroadcastPick(field=field, value=str(e.id)),
            )
        ]
        for e in events
    ]
    back = "audience" if field == "event" else "draft"
    rows.append([(texts("btn-broadcast-no-event"), BroadcastPick(field=field, value="0"))])
    rows.append([(texts("btn-broadcast-done"), BroadcastPick(field=back))])
    key = "broadcast-pick-event" if field == "event" else "broadcast-pick-button-event"
    text = texts(key) if events else f"{texts(key)}\n\n{texts('broadcast-no-events')}"
    return View(text, rows)


def link_view(texts: Texts) -> View:
    return View(
        texts("broadcast-ask-link"),
        [
            [(texts("btn-broadcast-no-link"), BroadcastPick(field="no-link"))],
            [(texts("btn-broadcast-done"), BroadcastPick(field="draft"))],
        ],
    )


def when_view(texts: Texts) -> View:
    return View(
        texts("broadcast-ask-when"),
        [
            [(texts("btn-broadcast-now"), BroadcastPick(field="at", value="now"))],
            [
                (texts("btn-broadcast-in-hour"), BroadcastPick(field="at", value="hour")),
                (texts("btn-broadcast-tomorrow"), BroadcastPick(field="at", value="tomorrow")),
            ],
            [(texts("btn-broadcast-done"), BroadcastPick(field="draft"))],
        ],
    )


def confirmed_view(texts: Texts, broadcast: BroadcastRecord, now: datetime) -> View:
    scheduled = broadcast.send_at > now
    text = texts(
        "broadcast-confirmed",
        scheduled="yes" if scheduled else "no",
        when=texts.when(broadcast.send_at),
        count=broadcast.recipients,
    )
    return View(text, _card_rows(texts, broadcast))


# --- progress and summary -----------------------------------------------------------------------


def _eta(texts: Texts, progress: Progress, rate: float) -> str:
    if progress.left == 0:
        return "none"
    return texts("broadcast-eta", minutes=math.floor(progress.left / rate / 60))


def _file_failures(texts: Texts, progress: Progress) -> str:
    """A line for each messenger that refused the broadcast's file (empty when none did)."""
    return "".join(
        "\n"
        + texts(
            "broadcast-file-failed",
            channel=texts("channel-name", channel=channel),
            reason=escape(reason),
        )
        for channel, reason in progress.file_failures
    )


def progress_view(
    texts: Texts, broadcast: BroadcastRecord, progress: Progress, rate: float
) -> View:
    text = texts(
        "broadcast-progress",
        id=broadcast.id,
        status=broadcast.status,
        sent=progress.sent,
        blocked=progress.blocked,
        failed=progress.failed,
        left=progress.left,
        stopped=progress.stopped,
        eta=_eta(texts, progress, rate) if broadcast.status == BroadcastStatus.SENDING else "none",
    ) + _file_failures(texts, progress)
    rows: list[Row] = []
    if broadcast.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        rows.append(
            [
                (
                    texts("btn-broadcast-stop"),
                    BroadcastAct(id=broadcast.id, action=BroadcastStep.STOP),
                )
            ]
        )
    return View(text, rows)


def summary_view(texts: Texts, broadcast: BroadcastRecord, progress: Progress) -> View:
    text = texts(
        "broadcast-summary",
        id=broadcast.id,
        total=progress.total,
        sent=progress.sent,
        blocked=progress.blocked,
        failed=progress.failed,
        stopped=progress.stopped,
    ) + _file_failures(texts, progress)
    rows: list[Row] = []
    if progress.blocked or progress.failed:
        rows.append(
            [
                (
                    texts("btn-broadcast-failures"),
                    BroadcastAct(id=broadcast.id, action=BroadcastStep.FAILURES),
                )
            ]
        )
    rows.append([(texts("btn-broadcasts"), Nav(to=Page.BROADCASTS))])
    return View(text, rows)


# --- the list and a card ------------------------------------------------------------------------


def list_view(texts: Texts, broadcasts: list[BroadcastRecord]) -> View:
    rows: list[Row] = [[(texts("btn-broadcast-new"), BroadcastPick(field="new"))]]
    for b in broadcasts:
        preview = plain(b.text)[:PREVIEW_CHARS] or "📎"
        label = texts(
            "btn-broadcast-item",
            status=b.status,
            id=b.id,
            date=texts.when(b.send_at, "d MMM HH:mm"),
            preview=preview,
        )
        rows.append([(fit_label(label), BroadcastAct(id=b.id))])
    rows.append([(texts("btn-manage"), ManageList())])
    rows.append(menu_row(texts))
    text = (
        texts("broadcasts-list", count=len(broadcasts))
        if broadcasts
        else texts("broadcasts-list-empty")
    )
    return View(text, rows)


def _card_rows(texts: Texts, broadcast: BroadcastRecord) -> list[Row]:
    rows: list[Row] = []
    if broadcast.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        rows.append(
            [
                (
                    texts("btn-broadcast-stop"),
                    BroadcastAct(id=broadcast.id, action=BroadcastStep.STOP),
                )
            ]
        )
    rows.append([(texts("btn-broadcasts-back"), Nav(to=Page.BROADCASTS))])
    return rows


def card_view(texts: Texts, broadcast: BroadcastRecord, progress: Progress, rate: float) -> View:
    view = progress_view(texts, broadcast, progress, rate)
    preview = escape(plain(broadcast.text)[: PREVIEW_CHARS * 3]) or "📎"
    text = f"{view.text}\n\n{texts('broadcast-card-text', preview=preview)}"
    rows = _card_rows(texts, broadcast)
    if progress.blocked or progress.failed:
        rows.insert(
            0,
            [
                (
                    texts("btn-broadcast-failures"),
                    BroadcastAct(id=broadcast.id, action=BroadcastStep.FAILURES),
                )
            ],
        )
    return View(text, rows)


def stop_confirm_view(texts: Texts, broadcast: BroadcastRecord, progress: Progress) -> View:
    return View(
        texts("broadcast-stop-confirm", id=broadcast.id, left=progress.left),
        [
            [
                (
                    texts("btn-broadcast-stop-yes"),
                    BroadcastAct(id=broadcast.id, action=BroadcastStep.STOP_CONFIRMED),
                )
            ],
            [(texts("btn-broadcasts-back"), BroadcastAct(id=broadcast.id))],
        ],
    )
