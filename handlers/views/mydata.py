"""`/mydata`'s file: everything stored about the user as readable UTF-8 text, a section per
feature, with the labels from the locale (`mydata-section`, `mydata-field`)."""

from __future__ import annotations

import json
from datetime import date, datetime
from html import escape
from typing import Any

from handlers.callbacks import HandOver, Nav, Page
from handlers.ui import Row, View
from locales import Texts
from services.leaving import Leaving
from services.mydata import Section


def _value(texts: Texts, field: str, value: Any) -> str:
    if isinstance(value, bool):
        text = texts("mydata-bool", value="yes" if value else "no")
    elif isinstance(value, datetime):
        text = texts.when(value, "d MMMM y, HH:mm")
    elif isinstance(value, date):
        text = value.strftime("%d.%m.%Y")
    elif isinstance(value, list | dict | tuple):
        text = json.dumps(value, ensure_ascii=False)
    elif value is None:
        text = "—"
    else:
        text = _word(texts, field, str(value))
    return text


def _word(texts: Texts, field: str, value: str) -> str:
    if field == "role":
        return texts("role-name", role=value)
    if field == "status":
        return texts("mydata-status", status=value)
    if field == "channel":
        return texts("channel-name", channel=value)
    return value


def mydata_file(texts: Texts, sections: list[Section], now: datetime) -> bytes:
    lines = [texts("mydata-file-head", date=texts.when(now, "d MMMM y, HH:mm")), ""]
    for section in sections:
        lines.append(f"== {texts('mydata-section', section=section.name)} ==")
        if not section.rows:
            lines.append(texts("mydata-section-empty"))
        for number, row in enumerate(section.rows, 1):
            indent = ""
            if len(section.rows) > 1:
                lines.append(f"{number}.")
                indent = "   "
            for field, value in row.items():
                label = texts("mydata-field", field=field)
                lines.append(f"{indent}{label}: {_value(texts, field, value)}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def handover_view(texts: Texts, leaving: Leaving) -> View:
    """/forget by a coordinator: first hand the role over to a colleague, or drop it."""
    rows: list[Row] = [
        [
            (
                texts(
                    "btn-hand-over",
                    id=str(c.user_id),
                    date=texts.when(c.appointed_at, "d MMM y"),
                ),
                HandOver(to=c.user_id),
            )
        ]
        for c in leaving.colleagues[:20]
    ]
    rows.append([(texts("btn-drop-role"), HandOver(to=0))])
    rows.append([(texts("btn-forget-no"), Nav(to=Page.MYDATA))])
    text = texts(
        "forget-coordinator",
        organisation=escape(leaving.organisation.name),
        events=leaving.events,
        colleagues=len(leaving.colleagues),
    )
    return View(text, rows)
