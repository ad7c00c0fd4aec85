"""How fast is the monitoring with a region's data: the indicators of /stats, the chart, the XLSX?

Run from the repository root:

    .venv/bin/python bench/bench_stats.py [--students 100000] [--steps 2000000] [--schools 300]
                                          [--years 4] [--repeat 3] [--postgres URL]

On SQLite (a file of its own, WAL) and on PostgreSQL (a database of its own on the server that
`--postgres` names; default $TEST_DATABASE_URL, else the local server; `--postgres none` skips
it) it seeds, untimed and in the database itself (multi-row inserts, INSERT ... SELECT):
`--schools` schools besides the catalogue's, `--students` students of grades 8-11 spread over
them, `--steps` monitoring steps over `--years` academic years (the current one and those
before; kinds and months spread over the passes; one student in ten takes no step), the roster
of every school and grade of the current year (a few classes smaller than those who took part),
the self-assessment and the destination survey of every grade-9 and grade-11 student, and the
term's figures. Then, `--repeat` times, it times what /stats does for the committee (every
school) for the current year:

  (a) the indicators: `services.stats.report` in a fresh unit of work (every query);
  (b) the chart: `services.stats_files.chart_png` (matplotlib, Agg);
  (c) the XLSX report: its own read (`report(..., full=True)`, which adds the attendances by
      event kind from each step's JSON detail) and `services.stats_files.report_xlsx`.

Targets: (a) < 1 s, (b) < 1 s, (c) < 5 s on each backend. Checked: the report's counts equal
those counted from the seed. Exits 1 if the work was not really done, 2 if a target is missed in
any run.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import (  # noqa: E402
    JSON,
    Integer,
    String,
    cast,
    distinct,
    func,
    insert,
    literal,
    select,
    text,
)

from bench.bench_answer import check, execute, machine, spread  # noqa: E402
from bench.bench_outbox import postgres_database  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.factory import App, create_app  # noqa: E402
from db.calendar import Moment  # noqa: E402
from db.dialect import insert_selected_ignoring_conflicts  # noqa: E402
from db.models import (  # noqa: E402
    Organisation,
    Step,
    StepKind,
    SurveyAnswer,
    SurveyKind,
    User,
)
from db.repositories.stats import Cell, TermRecord  # noqa: E402
from services import stats, stats_files  # noqa: E402
from services.coordinators import Staff  # noqa: E402

ADMIN = 9001
TARGET_REPORT_S = 1.0
TARGET_CHART_S = 1.0
TARGET_XLSX_S = 5.0
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
#: The clock of the run: a Tuesday in November.
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
#: The kinds of the passes in turn: of ten steps, three questionnaires, four events, two
#: trials, one answer after a trial.
KINDS = (
    StepKind.QUIZ_FINISHED,
    StepKind.EVENT_ATTENDED,
    StepKind.TRIAL_COMPLETED,
    StepKind.EVENT_ATTENDED,
    StepKind.QUIZ_FINISHED,
    StepKind.EVENT_ATTENDED,
    StepKind.TRIAL_FEEDBACK,
    StepKind.QUIZ_FINISHED,
    StepKind.EVENT_ATTENDED,
    StepKind.TRIAL_COMPLETED,
)
DETAILS: dict[str, dict[str, Any]] = {
    StepKind.QUIZ_FINISHED: {"quiz": "klimov"},
    StepKind.EVENT_ATTENDED: {"kind": "trial"},
    StepKind.TRIAL_COMPLETED: {"kind": "trial"},
    StepKind.TRIAL_FEEDBACK: {"liked": True, "helped": "yes"},
}
CHUNK = 1000


@dataclass
class Seeded:
    year: int
    schools: int
    steps: int
    steps_this_year: int
    participants: int
    seconds: float


@dataclass
class Timing:
    report_s: float
    chart_s: float
    xlsx_s: float

    @property
    def held(self) -> bool:
        return (
            self.report_s < TARGET_REPORT_S
            and self.chart_s < TARGET_CHART_S
            and self.xlsx_s < TARGET_XLSX_S
        )


def settings_for(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, bot_token=None, admin_ids=frozenset({ADMIN}))


async def seed(app: App, args: argparse.Namespace) -> Seeded:
    started = time.perf_counter()
    moment = Moment(NOW, app.texts.tz)
    year = moment.academic_year
    async with app.uow_factory() as uow, uow.write():
        session = uow.session
        await session.execute(
            insert(Organisation),
            [
                {
                    "code": f"bench-school-{n}",
                    "kind": "school",
                    "name": f"Школа № {n} (район)",
                    "short_name": f"Школа {n}",
                    "in_town": False,
                    "is_sample": True,
                    "active": True,
                    "position": 1000 + n,
                }
                for n in range(1, args.schools + 1)
            ],
        )
    async with app.uow_factory() as uow:
        school_ids = [o.id for o in await uow.organisations.list_active("school")]
    cells: dict[tuple[int, int], int] = {}
    async with app.uow_factory() as uow, uow.write():
        rows = []
        for number in range(1, args.students + 1):
            school = school_ids[number % len(school_ids)]
            grade = 8 + (number // len(school_ids)) % 4
            cells[(school, grade)] = cells.get((school, grade), 0) + 1
            rows.append(
                {
                    "id": 10_000_000 + number,
                    "role": "student",
                    "organisation_id": school,
                    "grade": grade,
                    "grade_year": year,
                    "consent_version": app.texts("consent-version"),
                    "consent_at": NOW,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            if len(rows) == CHUNK:
                await uow.session.execute(insert(User).values(rows))
                rows = []
        if rows:
            await uow.session.execute(insert(User).values(rows))
    # Steps: pass after pass over the students (one in ten takes none), one kind and month a
    # pass, the years taking turns; each pass one INSERT ... SELECT.
    takers = args.students - args.students // 10
    passes = -(-args.steps // takers)
    year_start = datetime(year, 9, 1, 4, 0, tzinfo=UTC)
    total = 0
    this_year = 0
    for number in range(passes):
        kind = KINDS[number % len(KINDS)]
        step_year = year - (number % args.years)
        months = 3 if step_year == year else 9  # the current year is under way
        at = year_start.replace(year=step_year) + timedelta(days=30 * (number // 4 % months) + 3)
        limit = min(takers, args.steps - total)
        query = (
            select(
                literal(kind, String),
                literal(f"b{number}:") + cast(User.id, String),
                User.id,
                User.role,
                User.organisation_id,
                User.grade - (year - step_year),
                literal(step_year, Integer),
                literal(DETAILS[kind], JSON),
                literal(at, Step.created_at.type),
            )
            .where(User.id % 10 != 0, User.role == "student")
            .order_by(User.id)
            .limit(limit)
        )
        async with app.uow_factory() as uow, uow.write():
            inserted = await insert_selected_ignoring_conflicts(
                uow.session,
                Step.__table__,  # type: ignore[arg-type]
                [
                    "kind",
                    "ref",
                    "user_id",
                    "role",
                    "organisation_id",
                    "grade",
                    "academic_year",
                    "detail",
                    "created_at",
                ],
                query,
            )
        total += inserted
        if step_year == year:
            this_year += inserted
        if total >= args.steps:
            break
    # The roster: every class of the current year, a few smaller than those who took part.
    roster = [
        Cell(school, grade, count if (school + grade) % 50 else count // 2)
        for (school, grade), count in cells.items()
    ]
    staff = Staff(ADMIN, frozenset({ADMIN}))
    async with app.uow_factory() as uow:
        await stats.set_roster(uow, staff, year, roster, NOW)
        await stats.set_term(uow, staff, TermRecord(year, 2, 40, 120, len(school_ids) // 2, NOW))
    # The surveys: a sheet of every grade-9 and grade-11 student (the self-assessment in the
    # autumn window; the destination survey of the year before, as they answered in summer).
    for survey, survey_year, window in (
        (SurveyKind.SELF_CHECK, year, 1),
        (SurveyKind.DESTINATION, year - 1, 0),
    ):
        sheets: Any = select(
            literal(survey, String),
            User.id,
            User.organisation_id,
            User.grade,
            literal(survey_year, Integer),
            literal(window, Integer),
            literal("x", String),
            literal("", String),
            literal("", String),
            User.id % 3 == 0,
            literal(True),
            literal(NOW, SurveyAnswer.created_at.type),
        ).where(User.grade.in_((9, 11)))
        async with app.uow_factory() as uow, uow.write():
            await insert_selected_ignoring_conflicts(
                uow.session,
                SurveyAnswer.__table__,  # type: ignore[arg-type]
                [
                    "kind",
                    "user_id",
                    "organisation_id",
                    "grade",
                    "academic_year",
                    "window",
                    "answer",
                    "college",
                    "programme",
                    "counts",
                    "latest",
                    "created_at",
                ],
                sheets,
            )
    async with app.engine.connect() as connection:
        if app.engine.dialect.name == "postgresql":
            await connection.execute(text("COMMIT"))
            await connection.execute(text("VACUUM ANALYZE"))
        else:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    async with app.uow_factory() as uow:
        participants = await uow.session.scalar(
            select(func.count(distinct(Step.user_id))).where(
                Step.academic_year == year, Step.grade.between(8, 11)
            )
        )
    return Seeded(
        year,
        len(school_ids),
        total,
        this_year,
        int(participants or 0),
        time.perf_counter() - started,
    )


async def measure(app: App, seeded: Seeded) -> Timing:
    staff = Staff(ADMIN, frozenset({ADMIN}))
    moment = Moment(NOW, app.texts.tz)
    started = time.perf_counter()
    async with app.uow_factory() as uow:
        report = await stats.report(uow, staff, seeded.year, moment)
    report_s = time.perf_counter() - started
    check(report.town_participants == seeded.participants, "participants differ from the seed")
    months = sum(m.count for m in report.months)
    check(months == seeded.steps_this_year, f"steps by month {months} != {seeded.steps_this_year}")
    check(len(report.schools) == seeded.schools, "not every school is in the report")
    check(report.town_coverage.whole is not None, "the roster was not read")
    started = time.perf_counter()
    png = stats_files.chart_png(app.texts, report)
    chart_s = time.perf_counter() - started
    check(png.startswith(b"\x89PNG"), "the chart is not a PNG")
    started = time.perf_counter()
    async with app.uow_factory() as uow:  # the report's own read: with the event kinds
        full = await stats.report(uow, staff, seeded.year, moment, full=True)
    data = stats_files.report_xlsx(app.texts, full)
    xlsx_s = time.perf_counter() - started
    book = load_workbook(io.BytesIO(data), read_only=True)
    page = book[app.texts("stats-sheet", sheet="coverage")]
    lines = sum(1 for _ in page.iter_rows(min_row=5))
    check(lines == len(report.coverage) + 1, "the report's coverage sheet lacks rows")
    timing = Timing(report_s, chart_s, xlsx_s)
    print(
        f"    (a) indicators {report_s:6.3f} s   (b) chart {chart_s:6.3f} s   "
        f"(c) XLSX {xlsx_s:6.3f} s ({len(data) // 1024} KB)   "
        f"{'PASS' if timing.held else 'FAIL'}",
        flush=True,
    )
    return timing


async def bench_database(name: str, url: str, args: argparse.Namespace) -> list[Timing]:
    app = await create_app(settings_for(url), clock=lambda: NOW)
    try:
        print(f"{name}: seeding ...", flush=True)
        seeded = await seed(app, args)
        print(
            f"{name}: {seeded.schools} schools, {args.students:,} students, "
            f"{seeded.steps:,} steps ({seeded.steps_this_year:,} this year, "
            f"{seeded.participants:,} students took part); seeded in {seeded.seconds:.1f} s",
            flush=True,
        )
        timings = []
        for number in range(1, args.repeat + 1):
            print(f"  run {number} of {args.repeat}:", flush=True)
            timings.append(await measure(app, seeded))
        return timings
    finally:
        await app.close()


async def run(args: argparse.Namespace) -> int:
    print(machine())
    print(
        f"targets: (a) indicators < {TARGET_REPORT_S:.0f} s, (b) chart < {TARGET_CHART_S:.0f} s, "
        f"(c) XLSX < {TARGET_XLSX_S:.0f} s, on each backend\n"
    )
    results: dict[str, list[Timing]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'stats.sqlite3'}"
        results["SQLite"] = await bench_database("SQLite", url, args)
    async with postgres_database(args.postgres) as postgres:
        if postgres is not None:
            results["PostgreSQL"] = await bench_database("PostgreSQL", postgres.url, args)
    print()
    held = True
    for name, timings in results.items():
        print(f"{name} over {len(timings)} runs:")
        print(f"  (a) indicators, s: {spread([t.report_s for t in timings])}")
        print(f"  (b) chart, s:      {spread([t.chart_s for t in timings])}")
        print(f"  (c) XLSX, s:       {spread([t.xlsx_s for t in timings])}")
        held = held and all(t.held for t in timings)
    print(f"every target in every run: {'yes' if held else 'NO'}")
    return 0 if held else 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=2_000_000)
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument(
        "--years", type=int, default=4, help="academic years the steps span (1: all this year)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs on each backend; the spread is printed"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES,
        help="a PostgreSQL server (a database of the benchmark's own is made); 'none' skips it",
    )
    args = parser.parse_args()
    for name in ("students", "steps", "schools", "years", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.students < 20:
        parser.error("--students must be at least 20")
    return execute(run(args))


if __name__ == "__main__":
    sys.exit(main())
