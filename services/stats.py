"""The municipal monitoring: the town's indicators against the targets of its programme, computed
from what really happened (the monitoring log `steps`, the survey sheets) and the committee's own
figures (the roster, the term's administrative indicators).

Who sees what: the committee's coordinators and the administrators see every school; a school's
coordinator sees their own school (and the town's totals); any other coordinator the town's
totals. Rights are read from the database on every call. Nothing here names a person: every
figure is a count, and a count of one or two people is shown as «<3» (`SMALL`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from content import OrganisationKind
from db.calendar import FIRST_MONTH, Moment
from db.models import Destination, StepKind, SurveyKind
from db.records import OrganisationRecord
from db.repositories.stats import (
    COVERAGE_GRADES,
    Cell,
    FeedbackCount,
    MonthCount,
    SheetCount,
    TermRecord,
)
from db.uow import UnitOfWork
from services import coordinators
from services.coordinators import Staff
from services.errors import NotPermitted

#: Fewer people than this in a cell are shown as «<3».
SMALL = 3
#: The oldest academic year one can ask for.
FIRST_YEAR = 2020
#: Terms of an academic year for the administrative indicators.
TERMS = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Target:
    """A target of the town's programme: from `start` (the baseline) to `goal`."""

    goal: float
    start: float | None = None


TARGETS = {
    "coverage": Target(0.80),
    "conscious": Target(0.80, start=0.40),
    "local": Target(0.12, start=0.02),
    "pages": Target(1.00),
}


def small(count: int) -> bool:
    """A count of people too small to show (it could point at someone)."""
    return 0 < count < SMALL


@dataclass(frozen=True, slots=True)
class Share:
    """`part` of `whole` people; None for `whole` when there is no denominator (no roster).
    `over`: the part is larger than the whole (a roster smaller than those who took part),
    so the share is capped at 100 %."""

    part: int
    whole: int | None

    @property
    def over(self) -> bool:
        return self.whole is not None and self.part > self.whole

    @property
    def value(self) -> float | None:
        if not self.whole:
            return None
        return min(1.0, self.part / self.whole)

    @property
    def hidden(self) -> bool:
        """The share would reveal a count of one or two people."""
        return small(self.part) or (self.whole is not None and small(self.whole))


@dataclass(frozen=True, slots=True)
class CoverageCell:
    organisation_id: int
    grade: int
    participants: int
    students: int | None

    @property
    def share(self) -> Share:
        return Share(self.participants, self.students)


@dataclass(frozen=True, slots=True)
class SheetCell:
    """Answer sheets of one school and grade (window): how many, and how many count."""

    window: int
    organisation_id: int | None
    grade: int | None
    sheets: int
    counting: int

    @property
    def share(self) -> Share:
        return Share(self.counting, self.sheets)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a coordinator may see: every school (`organisation_id` None and `sees_all`), one
    school, or the town's totals alone."""

    user_id: int
    sees_all: bool
    school: OrganisationRecord | None = None

    @property
    def organisation_id(self) -> int | None:
        return self.school.id if self.school is not None else None


@dataclass(frozen=True, slots=True)
class Report:
    year: int
    made_at: datetime
    scope: Scope
    #: The schools shown, by id (every school for the committee; one for a school).
    schools: dict[int, str]
    #: By school and grade (of the schools shown).
    coverage: list[CoverageCell]
    #: The town's coverage over the cells that have a roster, and those who took part in cells
    #: without one.
    town_coverage: Share
    town_participants: int
    town_unrostered: int
    #: Coverage of the schools shown (the school's own, for a school coordinator).
    scope_coverage: Share
    scope_participants: int
    roster_known: bool
    #: The self-assessment by window; the destination survey.
    conscious: list[SheetCell]
    conscious_by_window: dict[int, Share]
    destinations: list[SheetCell]
    destination_answers: dict[str, int]
    local: Share
    months: list[MonthCount]
    events_by_kind: dict[str, int]
    feedback: FeedbackCount
    term: TermRecord | None
    school_count: int
    years: list[int] = field(default_factory=list)

    @property
    def pages(self) -> Share | None:
        if self.term is None:
            return None
        return Share(self.term.schools_with_page, self.school_count)

    @property
    def conscious_now(self) -> Share | None:
        """The latest window with answers (the one that shows where the year stands)."""
        if not self.conscious_by_window:
            return None
        return self.conscious_by_window[max(self.conscious_by_window)]

    @property
    def has_data(self) -> bool:
        return bool(
            self.town_participants
            or self.roster_known
            or self.conscious
            or self.destinations
            or self.months
            or self.term is not None
        )


async def scope_of(uow: UnitOfWork, staff: Staff) -> Scope:
    """What the user may see, read from the database now; NotPermitted for anyone who is not
    (or no longer) a coordinator or an administrator."""
    manager = await coordinators.require_manager(uow, staff)
    if manager.organisation_id is None:
        return Scope(staff.user_id, sees_all=True)
    organisation = await uow.organisations.get(manager.organisation_id)
    if organisation is not None and organisation.kind == OrganisationKind.SCHOOL:
        return Scope(staff.user_id, sees_all=False, school=organisation)
    return Scope(staff.user_id, sees_all=False)


async def require_committee(uow: UnitOfWork, staff: Staff) -> Scope:
    """The committee's (or an administrator's) rights: to enter the roster and the term's
    figures."""
    scope = await scope_of(uow, staff)
    if not scope.sees_all:
        raise NotPermitted(staff.user_id)
    return scope


def is_counted_school(school: OrganisationRecord) -> bool:
    """A real school of the town (not the catalogue's «another school» entry)."""
    return school.kind == OrganisationKind.SCHOOL and not school.code.endswith("-other")


def year_months(year: int, tz: ZoneInfo) -> list[tuple[str, datetime, datetime]]:
    """The twelve local months of academic year `year` (September to August): each one's name
    («2026-09») and its start and end in UTC."""
    starts = [
        datetime(year + (FIRST_MONTH - 1 + n) // 12, (FIRST_MONTH - 1 + n) % 12 + 1, 1, tzinfo=tz)
        for n in range(13)
    ]
    return [
        (f"{start:%Y-%m}", start.astimezone(UTC), end.astimezone(UTC))
        for start, end in pairwise(starts)
    ]


async def report(
    uow: UnitOfWork, staff: Staff, year: int, moment: Moment, *, full: bool = False
) -> Report:
    """The indicators of academic year `year` as this coordinator may see them; `full` adds
    what only the XLSX report shows (attendances by event kind)."""
    scope = await scope_of(uow, staff)
    stats = uow.stats
    schools = await uow.organisations.list_active(OrganisationKind.SCHOOL)
    participants = await stats.participants(year)
    roster = await stats.roster(year)
    own = scope.organisation_id
    narrowed = own if not scope.sees_all else None
    months = await stats.steps_by_month(
        year, list(StepKind), year_months(year, moment.tz), narrowed
    )
    # Attendances by event kind read each step's JSON detail: for the XLSX report only.
    events = await stats.events_by_kind(year, narrowed) if full else {}
    feedback = await stats.feedback(year, narrowed)
    self_check = await stats.sheets(SurveyKind.SELF_CHECK, year, narrowed)
    destinations = await stats.sheets(SurveyKind.DESTINATION, year, narrowed)
    term = await stats.term(year)
    span = await stats.years()
    await uow.end_read()

    names = {s.id: s.short_name for s in schools}
    cells = _coverage_cells(participants, roster, set(names))
    town, town_part, unrostered = _total(cells)
    if scope.sees_all:
        shown = names
    elif scope.school is not None:
        shown = {scope.school.id: scope.school.short_name}
    else:
        shown = {}
    scoped = [c for c in cells if c.organisation_id in shown]
    scope_share, scope_part, _ = _total(scoped)
    if not scope.sees_all and scope.school is None:  # the town's totals alone
        scope_share, scope_part = town, town_part
    conscious = _sheet_cells(self_check)
    by_window: dict[int, list[SheetCell]] = defaultdict(list)
    for cell in conscious:
        by_window[cell.window].append(cell)
    answers: dict[str, int] = {d.value: 0 for d in Destination}
    for sheet in destinations:
        answers[sheet.answer] = answers.get(sheet.answer, 0) + sheet.sheets
    dest_cells = _sheet_cells(destinations)
    current = moment.academic_year
    first = min(span[0], current) if span is not None else current
    return Report(
        year=year,
        made_at=moment.now,
        scope=scope,
        schools=shown,
        coverage=scoped if (scope.sees_all or scope.school is not None) else [],
        town_coverage=town,
        town_participants=sum(c.count for c in participants),
        town_unrostered=unrostered,
        scope_coverage=scope_share,
        scope_participants=scope_part,
        roster_known=bool(roster),
        conscious=conscious,
        conscious_by_window={w: _sum(found) for w, found in sorted(by_window.items())},
        destinations=dest_cells,
        destination_answers=answers,
        local=_sum(dest_cells),
        months=months,
        events_by_kind=events,
        feedback=feedback,
        term=term,
        school_count=sum(is_counted_school(s) for s in schools),
        years=list(range(max(first, FIRST_YEAR), current + 1)),
    )


def _coverage_cells(
    participants: Sequence[Cell], roster: Sequence[Cell], schools: set[int]
) -> list[CoverageCell]:
    taking: dict[tuple[int, int], int] = {}
    for cell in participants:
        if cell.organisation_id in schools and cell.grade in COVERAGE_GRADES:
            taking[(cell.organisation_id, cell.grade)] = cell.count
    counted: dict[tuple[int, int], int] = {}
    for cell in roster:
        if cell.organisation_id in schools and cell.grade in COVERAGE_GRADES:
            counted[(cell.organisation_id, cell.grade)] = cell.count
    keys = sorted(set(taking) | set(counted))
    return [CoverageCell(o, g, taking.get((o, g), 0), counted.get((o, g))) for o, g in keys]


def _total(cells: Sequence[CoverageCell]) -> tuple[Share, int, int]:
    """The share over the cells with a roster (each capped at its roster), everyone who took
    part, and those of them in cells without a roster."""
    rostered = [c for c in cells if c.students is not None]
    part = sum(min(c.participants, c.students or 0) for c in rostered)
    whole = sum(c.students or 0 for c in rostered) if rostered else None
    everyone = sum(c.participants for c in cells)
    unrostered = sum(c.participants for c in cells if c.students is None)
    return Share(part, whole), everyone, unrostered


def _sheet_cells(counts: Sequence[SheetCount]) -> list[SheetCell]:
    merged: dict[tuple[int, int | None, int | None], list[int]] = defaultdict(lambda: [0, 0])
    for count in counts:
        entry = merged[(count.window, count.organisation_id, count.grade)]
        entry[0] += count.sheets
        entry[1] += count.counting
    return [
        SheetCell(w, o, g, sheets, counting)
        for (w, o, g), (sheets, counting) in sorted(
            merged.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or 0)
        )
    ]


def _sum(cells: Sequence[SheetCell]) -> Share:
    return Share(sum(c.counting for c in cells), sum(c.sheets for c in cells))


# --- the committee's figures -------------------------------------------------------------------


async def set_roster(
    uow: UnitOfWork, staff: Staff, year: int, cells: Sequence[Cell], now: datetime
) -> int:
    """Write roster cells (the committee only); returns how many."""
    async with uow.write():
        await require_committee(uow, staff)
        await uow.stats.set_roster(year, cells, staff.user_id, now)
    return len(cells)


async def set_term(uow: UnitOfWork, staff: Staff, record: TermRecord) -> None:
    """The term's administrative indicators (the committee only)."""
    async with uow.write():
        await require_committee(uow, staff)
        await uow.stats.set_term(record, staff.user_id)


async def schools(uow: UnitOfWork) -> list[OrganisationRecord]:
    """The town's schools, in catalogue order."""
    found = await uow.organisations.list_active(OrganisationKind.SCHOOL)
    await uow.end_read()
    return found
