"""Files the bot hands out about events: a calendar file (.ics, RFC 5545, by `icalendar`), a QR
code of an event's link (PNG, by `segno`, pure Python), and the organiser's list of who signed
up as CSV (for any spreadsheet) or XLSX (by `openpyxl`). Pure functions: no database, no
Telegram."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta

import segno
from icalendar import Alarm, Calendar
from icalendar import Event as CalendarEvent
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

PRODUCT_ID = "-//Profnavigator Zima//Events//RU"
#: Excel's limit on a sheet's name, and the characters it refuses in one.
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    id: int
    title: str
    description: str
    place: str
    link: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    organiser: str


def calendar_file(entries: Sequence[CalendarEntry], now: datetime) -> bytes:
    """One VEVENT per entry, times in UTC, a reminder two hours before; a cancelled event is
    marked so (a calendar that has it already shows it as cancelled)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for entry in entries:
        event = CalendarEvent()
        event.add("uid", f"event-{entry.id}@profnavigator")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", entry.starts_at.astimezone(UTC))
        event.add("dtend", entry.ends_at.astimezone(UTC))
        event.add("summary", entry.title)
        event.add("location", entry.place or entry.link)
        description = "\n\n".join(part for part in (entry.description, entry.organiser) if part)
        if description:
            event.add("description", description)
        if entry.link:
            event.add("url", entry.link)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        if not entry.cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", entry.title)
            alarm.add("trigger", timedelta(hours=-2))
            event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def qr_png(url: str) -> bytes:
    """A QR code of the link, large enough to print on a poster."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class AttendeeRow:
    """One line of the organiser's list, already in words."""

    number: int
    name: str
    role: str
    organisation: str
    grade: str
    status: str
    signed_up_at: str
    #: The messenger they signed up in ("Telegram", "MAX").
    channel: str = ""


#: What makes a spreadsheet treat a cell as a formula. A Telegram name is whatever its owner
#: typed: the organiser's spreadsheet must show it, never run it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def attendees_csv(title: str, header: Sequence[str], rows: Sequence[AttendeeRow]) -> bytes:
    """UTF-8 with a BOM and `;` between columns, as a Russian Excel opens it directly."""
    return csv_bytes([[title], header, *(astuple(row) for row in rows)])


def csv_bytes(table: Iterable[Sequence[object]]) -> bytes:
    """A table as CSV: UTF-8 with a BOM and `;` between columns, as a Russian Excel opens it
    directly; no cell is taken for a formula."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows([_as_text(value) for value in row] for row in table)
    return out.getvalue().encode("utf-8-sig")


def attendees_xlsx(title: str, header: Sequence[str], rows: Sequence[AttendeeRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _SHEET_FORBIDDEN.sub(" ", title).strip()[:SHEET_NAME_MAX] or "list"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(astuple(row)))
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text that looks like a formula stays text
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, 1):
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(6, width + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
