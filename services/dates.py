"""Dates and times as people type them: «25.12 15:00», «25.12.2026», «15:00», «15.30»."""

from __future__ import annotations

import re
from datetime import date, time

_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$")
_TIME = re.compile(r"^(\d{1,2})[:.\-]?(\d{2})(?::\d{2})?$")


def parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_date(text: str, today: date) -> date | None:
    """A day; without a year, the next such day from `today` on."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    day, month = int(match[1]), int(match[2])
    year_text = match[3]
    try:
        if year_text is not None:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, month, day)
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def parse_when(text: str, today: date) -> tuple[date | None, time | None] | None:
    """«25.12 15:00» -> both; «25.12» -> the date; «15:00» -> the time; None if neither."""
    parts = text.replace(",", " ").replace(" в ", " ").split()
    if len(parts) == 1:
        day = parse_date(parts[0], today)
        if day is not None:
            return day, None
        moment = parse_time(parts[0])
        return (None, moment) if moment is not None else None
    if len(parts) == 2:  # a date and a time
        day, moment = parse_date(parts[0], today), parse_time(parts[1])
        if day is not None and moment is not None:
            return day, moment
    return None
