"""The monitoring's indicators, computed in SQL on SQLite and PostgreSQL: coverage against the
roster (capped and flagged), the self-assessment and the destination survey (the later sheet
counts), participation by month, trial feedback, the term's figures; who may see what; the XLSX
report reads back with the same numbers."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.config import Settings
from bot.factory import App
from db.calendar import Moment
from db.models import SurveyKind
from db.repositories.stats import Cell, NewSheet, TermRecord
from services import stats, stats_files
from services.coordinators import Staff
from services.errors import NotPermitted
from tests.conftest import TEXTS, settings_for_tests
from tests.stats_data import YEAR, add_step, add_user, admin_staff, appoint, schools

ADMIN = 9001


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def moment(app: App) -> Moment:
    return Moment(app.clock(), TEXTS.tz)


async def seed(app: App) -> dict[str, int]:
    """Two schools: a roster for three classes; students with steps in four."""
    found = await schools(app)
    s1, s5 = found["school-1"].id, found["school-5"].id
    async with app.uow_factory() as uow:
        cells = [Cell(s1, 9, 10), Cell(s1, 10, 2), Cell(s5, 8, 20)]
        await stats.set_roster(uow, admin_staff(app), YEAR, cells, app.clock())
    user = 100
    for org, grade, count in ((s1, 9, 4), (s1, 10, 3), (s5, 11, 1)):
        for _ in range(count):
            user += 1
            await add_user(app, user, org, grade)
            await add_step(app, user, org, grade)
    await add_step(app, 101, s1, 9, kind="event_attended", detail={"kind": "trial"})  # twice
    await add_user(app, 200, s1, None, role="teacher")
    await add_step(app, 200, s1, None, role="teacher")  # not a student
    await add_user(app, 201, s1, 7)
    await add_step(app, 201, s1, 7)  # grade 7: not counted
    await add_step(app, 101, s1, 9, year=YEAR - 1, at=datetime(2026, 3, 1, tzinfo=UTC))
    return {"s1": s1, "s5": s5}


async def test_coverage_against_the_roster_capped_and_flagged(app: App) -> None:
    ids = await seed(app)
    async with app.uow_factory() as uow:
        report = await stats.report(uow, admin_staff(app), YEAR, moment(app))
    cells = {(c.organisation_id, c.grade): c for c in report.coverage}
    assert cells[(ids["s1"], 9)].participants == 4  # the second step of one student counts once
    assert cells[(ids["s1"], 9)].share.value == 0.4
    over = cells[(ids["s1"], 10)]
    assert (over.participants, over.students, over.share.over, over.share.value) == (3, 2, True, 1)
    assert cells[(ids["s5"], 8)].participants == 0
    assert cells[(ids["s5"], 11)].students is None
    # The town: each class capped at its roster, over the classes that have one.
    assert (report.town_coverage.part, report.town_coverage.whole) == (4 + 2 + 0, 32)
    assert report.town_participants == 8
    assert report.town_unrostered == 1
    assert report.has_data


async def test_without_a_roster_coverage_is_counts_only(app: App) -> None:
    found = await schools(app)
    await add_user(app, 300, found["school-1"].id, 9)
    await add_step(app, 300, found["school-1"].id, 9)
    async with app.uow_factory() as uow:
        report = await stats.report(uow, admin_staff(app), YEAR, moment(app))
    assert report.town_coverage.whole is None
    assert report.town_coverage.value is None
    assert report.town_participants == 1
    assert not report.roster_known


async def test_a_year_with_no_data_says_so(app: App) -> None:
    await seed(app)
    async with app.uow_factory() as uow:
        report = await stats.report(uow, admin_staff(app), 2021, moment(app))
    assert not report.has_data
    assert report.years[0] == 2020 or report.years[0] <= YEAR - 1
    assert report.years[-1] == YEAR


async def test_the_later_sheet_counts_and_every_sheet_is_kept(app: App) -> None:
    found = await schools(app)
    s1 = found["school-1"].id
    for user in (401, 402, 403, 404):
        await add_user(app, user, s1, 9 if user < 403 else 11)

    def sheet(user: int, kind: str, counts: bool, window: int = 0, answer: str = "x") -> NewSheet:
        grade = 9 if user < 403 else 11
        return NewSheet(kind, user, s1, grade, YEAR, window, answer, counts, app.clock())

    async with app.uow_factory() as uow, uow.write():
        add = uow.stats.add_sheet
        await add(sheet(401, SurveyKind.SELF_CHECK, False, 1))
        await add(sheet(401, SurveyKind.SELF_CHECK, True, 1))  # later: conscious
        await add(sheet(402, SurveyKind.SELF_CHECK, False, 1))
        await add(sheet(401, SurveyKind.SELF_CHECK, True, 2))
        await add(sheet(403, SurveyKind.DESTINATION, True, answer="college"))
        await add(sheet(403, SurveyKind.DESTINATION, False, answer="work"))  # changed mind
        await add(sheet(404, SurveyKind.DESTINATION, True, answer="college"))
    async with app.uow_factory() as uow:
        report = await stats.report(uow, admin_staff(app), YEAR, moment(app))
        kept = await uow.stats.sheet_count(401, SurveyKind.SELF_CHECK, YEAR)
    assert kept == 3
    window = report.conscious_by_window
    assert (window[1].part, window[1].whole) == (1, 2)
    assert (window[2].part, window[2].whole) == (1, 1)
    assert report.conscious_now == window[2]
    assert (report.local.part, report.local.whole) == (1, 2)
    assert report.destination_answers["work"] == 1
    assert report.destination_answers["college"] == 1


async def test_participation_by_local_month_and_trial_feedback(app: App) -> None:
    found = await schools(app)
    s1 = found["school-1"].id
    await add_user(app, 500, s1, 9)
    # 30 September 23:00 UTC is 1 October, 07:00 in Zima.
    await add_step(app, 500, s1, 9, at=datetime(2026, 9, 30, 23, 0, tzinfo=UTC))
    await add_step(app, 500, s1, 9, at=datetime(2026, 9, 30, 10, 0, tzinfo=UTC))
    trial = {"kind": "trial"}
    for kind in ("event_attended", "trial_completed"):
        await add_step(
            app, 500, s1, 9, kind=kind, detail=trial, at=datetime(2026, 10, 5, tzinfo=UTC)
        )
    await add_step(app, 500, s1, 9, kind="event_attended", detail={"kind": "open_day"})
    feedback = (({"liked": True, "helped": "yes"}), {"liked": False, "helped": "partly"})
    for detail in feedback:
        await add_step(app, 500, s1, 9, kind="trial_feedback", detail=detail)
    async with app.uow_factory() as uow:
        report = await stats.report(uow, admin_staff(app), YEAR, moment(app), full=True)
    months = {(m.month, m.kind): m.count for m in report.months}
    assert months[("2026-09", "quiz_finished")] == 1
    assert months[("2026-10", "quiz_finished")] == 1
    assert months[("2026-10", "trial_completed")] == 1
    assert report.events_by_kind == {"trial": 1, "open_day": 1}
    f = report.feedback
    assert (f.sheets, f.liked, f.helped, f.partly) == (2, 1, 1, 1)


async def test_the_terms_figures_the_latest_term_counts(app: App) -> None:
    async with app.uow_factory() as uow:
        staff = admin_staff(app)
        await stats.set_term(uow, staff, TermRecord(YEAR, 1, 5, 10, 2, app.clock()))
        await stats.set_term(uow, staff, TermRecord(YEAR, 2, 7, 12, 4, app.clock()))
        await stats.set_term(uow, staff, TermRecord(YEAR, 2, 8, 12, 4, app.clock()))  # corrected
        report = await stats.report(uow, staff, YEAR, moment(app))
    assert report.term is not None
    assert (report.term.term, report.term.agreements) == (2, 8)
    pages = report.pages
    assert pages is not None
    assert pages.part == 4
    assert pages.whole == report.school_count == 7  # the catalogue's schools, not «another»


async def test_a_school_coordinator_sees_their_school_and_the_towns_totals(app: App) -> None:
    ids = await seed(app)
    await add_user(app, 600, ids["s1"], None, role="teacher")
    await appoint(app, 600, ids["s1"])
    async with app.uow_factory() as uow:
        report = await stats.report(uow, Staff(600, frozenset({ADMIN})), YEAR, moment(app))
    assert set(report.schools) == {ids["s1"]}
    assert {c.organisation_id for c in report.coverage} == {ids["s1"]}
    assert (report.scope_coverage.part, report.scope_coverage.whole) == (6, 12)
    assert (report.town_coverage.part, report.town_coverage.whole) == (6, 32)
    with pytest.raises(NotPermitted):  # only the committee enters the roster
        async with app.uow_factory() as uow:
            await stats.set_roster(uow, Staff(600, frozenset()), YEAR, [], app.clock())


async def test_someone_who_is_not_a_coordinator_gets_nothing(app: App) -> None:
    await seed(app)
    async with app.uow_factory() as uow:
        with pytest.raises(NotPermitted):
            await stats.report(uow, Staff(101, frozenset({ADMIN})), YEAR, moment(app))


async def test_the_xlsx_report_reads_back_with_the_same_numbers(app: App) -> None:
    ids = await seed(app)
    async with app.uow_factory() as uow:
        report = await stats.report(uow, admin_staff(app), YEAR, moment(app))
    data = stats_files.report_xlsx(TEXTS, report)
    book = load_workbook(io.BytesIO(data))
    names = [TEXTS("stats-sheet", sheet=k) for k in ("coverage", "conscious", "local")]
    assert book.sheetnames[:3] == names
    page = book[names[0]]
    assert "2026/2027" in str(page["A1"].value)
    rows = {(r[0], r[1]): r for r in page.iter_rows(min_row=5, values_only=True)}
    name1 = report.schools[ids["s1"]]
    assert rows[(name1, 9)][2:5] == (4, 10, 0.4)
    assert rows[(name1, 10)][2:4] == (3, 2)
    assert rows[(name1, 10)][4] == "<3"  # a roster of two: the share would point at people
    assert rows[(report.schools[ids["s5"]], 11)][2] == "<3"  # one person
    total = rows[(TEXTS("stats-total"), None)]
    assert total[2:4] == (8, 32)
    assert total[4] == pytest.approx(6 / 32)
    chart = stats_files.chart_png(TEXTS, report)
    assert chart.startswith(b"\x89PNG")
    # A region's hundreds of schools: a dot per school and grade instead of named bars.
    many = {n: f"Школа {n}" for n in range(1, 301)}
    region = replace(report, schools=many)
    assert len(region.schools) > stats_files.BARS_UP_TO
    assert stats_files.chart_png(TEXTS, region).startswith(b"\x89PNG")
