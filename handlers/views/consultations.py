"""Consultation requests: the person's steps (where, topic, time, how to be reached, the
summary), the coordinator's queue and a request's card, the messages the person gets."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from db.models import ConsultationStatus
from db.records import ConsultationRecord, OrganisationRecord
from handlers.callbacks import (
    Adults,
    Consult,
    ConsultAct,
    ConsultAction,
    ConsultQueue,
    ConsultStep,
    ManageList,
)
from handlers.ui import Row, View, back_row, fit_label, menu_row
from locales import Texts
from services.consultations import MAX_TOPIC, TIMES, Queue


def consult_row(texts: Texts) -> Row:
    return [(texts("btn-consult"), Consult(step=ConsultStep.START))]


def cancel_row(texts: Texts) -> Row:
    return [(texts("btn-consult-cancel"), Consult(step=ConsultStep.CANCEL))]


def places_view(texts: Texts, places: list[OrganisationRecord]) -> View:
    rows: list[Row] = [
        [(o.short_name, Consult(step=ConsultStep.ORG, value=str(o.id)))] for o in places
    ]
    return View(texts("consult-where"), [*rows, back_row(texts, Adults()), menu_row(texts)])


def topic_view(texts: Texts, organisation: str, note: str = "") -> View:
    text = texts("consult-topic", organisation=escape(organisation), max=MAX_TOPIC)
    return View(text, [cancel_row(texts)]).noted(note or None)


def time_view(texts: Texts) -> View:
    rows: list[Row] = [
        [(texts("consult-time", time=t), Consult(step=ConsultStep.TIME, value=t))] for t in TIMES
    ]
    return View(texts("consult-when"), [*rows, cancel_row(texts)])


def contact_view(texts: Texts) -> View:
    rows: list[Row] = [
        [(texts("btn-consult-by-bot"), Consult(step=ConsultStep.CONTACT, value="bot"))],
        [(texts("btn-consult-by-phone"), Consult(step=ConsultStep.CONTACT, value="phone"))],
        cancel_row(texts),
    ]
    return View(texts("consult-how"), rows)


def phone_keyboard(texts: Texts) -> ReplyKeyboardMarkup:
    """Telegram's contact button (the person's own number, shared only if they tap it)."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts("btn-share-contact"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def summary_view(texts: Texts, draft: dict[str, Any], organisation: str) -> View:
    text = texts(
        "consult-summary",
        organisation=escape(organisation),
        topic=escape(draft["topic"]),
        time=draft["time"],
        phone=escape(draft.get("phone") or "") or "none",
    )
    rows: list[Row] = [
        [(texts("btn-consult-send"), Consult(step=ConsultStep.SEND, value=draft["token"]))],
        cancel_row(texts),
    ]
    return View(text, rows)


def sent_view(texts: Texts, found: ConsultationRecord) -> View:
    text = texts("consult-sent", organisation=escape(found.organisation_name))
    return View(text, [menu_row(texts)])


def mydata_lines(texts: Texts, found: list[ConsultationRecord]) -> str:
    lines = [texts("mydata-consultations", count=len(found))]
    lines.extend(
        texts(
            "mydata-consultation",
            date=texts.date(c.created_at),
            organisation=escape(c.organisation_name),
            topic=escape(fit_label(c.topic, 60)),
            state=texts("consult-status", status=c.status),
            phone=escape(c.phone or "") or "none",
        )
        for c in found
    )
    return "\n".join(lines)


# --- coordinators -------------------------------------------------------------------------------


def cabinet_row(texts: Texts, new: int) -> Row:
    return [(texts("btn-consultations", count=new), ConsultQueue())]


def queue_view(texts: Texts, queue: Queue) -> View:
    rows: list[Row] = []
    for c in [*queue.new, *queue.taken]:
        label = texts(
            "btn-consultation-item",
            status=c.status,
            date=texts.when(c.created_at, "d MMM"),
            topic=c.topic,
        )
        rows.append([(fit_label(label), ConsultAct(id=c.id))])
    text = texts("consult-queue", new=len(queue.new), taken=len(queue.taken))
    return View(text, [*rows, back_row(texts, ManageList()), menu_row(texts)])


def card_view(texts: Texts, found: ConsultationRecord) -> View:
    text = texts(
        "consult-card",
        id=found.id,
        organisation=escape(found.organisation_name),
        date=texts.when(found.created_at, "d MMMM, HH:mm"),
        topic=escape(found.topic),
        time=found.preferred,
        phone=escape(found.phone or "") or "none",
        user=str(found.user_id),
        status=found.status,
    )
    rows: list[Row] = []
    if found.status == ConsultationStatus.NEW:
        rows.append(
            [(texts("btn-consult-take"), ConsultAct(id=found.id, action=ConsultAction.TAKE))]
        )
    elif found.status == ConsultationStatus.TAKEN:
        rows.append(
            [
                (texts("btn-consult-held"), ConsultAct(id=found.id, action=ConsultAction.HELD)),
                (
                    texts("btn-consult-not-held"),
                    ConsultAct(id=found.id, action=ConsultAction.NOT_HELD),
                ),
            ]
        )
    rows += [back_row(texts, ConsultQueue()), menu_row(texts)]
    return View(text, rows)


def outbox_view(texts: Texts, payload: dict[str, Any]) -> View:
    """What the person is told when their request changes."""
    text = texts(
        "consult-changed",
        status=str(payload.get("status", "")),
        organisation=escape(str(payload.get("organisation", ""))),
        topic=escape(str(payload.get("topic", ""))),
    )
    return View(text, [menu_row(texts)])
