"""A month of days as buttons, for picking a date (the event editor).

Written here rather than taken from aiogram-calendar: that package names months through the
operating system's locale (a server without ru_RU shows English), has no step for the time of
day, and answers Telegram itself; this one is a view like the others and its words come from
the locale file.
"""

from __future__ import annotations

import calendar
from datetime import date

from handlers.callbacks import CalendarDay, CalendarMonth
from handlers.ui import Row
from locales import Texts

#: Months ahead one may page to (events are planned for the school year).
MONTHS_AHEAD = 18


def _shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_rows(texts: Texts, field: str, year: int, month: int, today: date) -> list[Row]:
    """The month's title, the weekdays, the days (those before `today` inert), and paging."""
    first = date(year, month, 1)
    noop = CalendarMonth(field=field, year=year, month=month)
    rows: list[Row] = [[(texts("calendar-month", month=texts.month_name(first)), noop)]]
    rows.append([(day, noop) for day in texts("calendar-weekdays").split()])
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        row: Row = []
        for day in week:
            if day == 0 or date(year, month, day) < today:
                row.append((" " if day == 0 else "·", noop))
            else:
                row.append((str(day), CalendarDay(field=field, year=year, month=month, day=day)))
        rows.append(row)
    paging: Row = []
    if (year, month) > (today.year, today.month):
        back = _shift(year, month, -1)
        paging.append(("‹", CalendarMonth(field=field, year=back[0], month=back[1])))
    if (year * 12 + month) - (today.year * 12 + today.month) < MONTHS_AHEAD:
        ahead = _shift(year, month, 1)
        paging.append(("›", CalendarMonth(field=field, year=ahead[0], month=ahead[1])))
    rows.append(paging)
    return rows
