"""The school calendar: academic years start on 1 September (local time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

FIRST_MONTH = 9
LAST_GRADE = 11


def academic_year(moment: datetime, tz: ZoneInfo) -> int:
    """The calendar year in which the academic year containing `moment` began."""
    local = moment.astimezone(tz)
    return local.year if local.month >= FIRST_MONTH else local.year - 1


@dataclass(frozen=True, slots=True)
class Moment:
    """Now (UTC, as stored) together with the town's time zone, which decides the date."""

    now: datetime
    tz: ZoneInfo

    @property
    def academic_year(self) -> int:
        return academic_year(self.now, self.tz)


def grade_now(
    grade: int | None, given_in: int | None, current_year: int, last: int = LAST_GRADE
) -> int | None:
    """The grade (or college course) a student is in now, counting the 1 September roll-overs
    since it was given.

    Above `last` (11 at school, the last course at college) the student has left: None.
    """
    if grade is None or given_in is None:
        return None
    now = grade + max(0, current_year - given_in)
    return now if now <= last else None
