"""Files of the monitoring: the chart (PNG, by matplotlib with its Agg backend: no display, no
GUI toolkit) and the committee's report (XLSX, by openpyxl: one sheet per indicator, the raw
counts behind every share, the year and the date it was made). Pure functions of a `Report`:
no database, no Telegram. Counts of one or two people are written as «<3»."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from db.repositories.stats import COVERAGE_GRADES
from locales import Texts
from services.stats import TARGETS, Report, Share, small

HIDDEN = "<3"
PERCENT = "0.0%"


def year_label(year: int) -> str:
    return f"{year}/{year + 1}"


def people(count: int) -> int | str:
    """A count of people as a cell shows it."""
    return HIDDEN if small(count) else count


def share_cell(share: Share) -> float | str | None:
    if share.hidden:
        return HIDDEN
    return share.value


# --- the chart ---------------------------------------------------------------------------------


#: Up to this many schools the chart draws a bar per school and grade (the town's few schools,
#: named); beyond, a dot per school in each grade's column (a region's hundreds: bars and names
#: would neither fit nor draw within a second).
BARS_UP_TO = 12


def chart_png(texts: Texts, report: Report) -> bytes:
    """Coverage by school and grade against the 80 % line (counts, when there is no roster),
    and steps per month by kind."""
    figure = Figure(figsize=(11, 8), dpi=80)
    FigureCanvasAgg(figure)  # drawn by Agg: no display, no GUI toolkit
    top, bottom = figure.subplots(2, 1)
    _coverage_chart(texts, report, top)
    _months_chart(texts, report, bottom)
    # Fixed margins: `tight_layout` measures every label twice, which costs more than drawing.
    figure.subplots_adjust(left=0.07, right=0.98, top=0.95, bottom=0.12, hspace=0.55)
    out = io.BytesIO()
    # Light compression: encoding at the default level took as long as drawing; the image is
    # flat colours and stays small.
    figure.savefig(out, format="png", pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _coverage_chart(texts: Texts, report: Report, axes: Axes) -> None:
    schools = list(report.schools.items())
    cells = {(c.organisation_id, c.grade): c for c in report.coverage}
    with_roster = report.roster_known

    def height(school_id: int, grade: int) -> float:
        cell = cells.get((school_id, grade))
        if cell is None or cell.share.hidden:
            return 0.0
        if with_roster:
            return 100 * (cell.share.value or 0.0)
        return float(cell.participants)

    if len(schools) <= BARS_UP_TO:
        width = 0.8 / len(COVERAGE_GRADES)
        for index, grade in enumerate(COVERAGE_GRADES):
            offsets = [p - 0.4 + width * (index + 0.5) for p in range(len(schools))]
            heights = [height(school_id, grade) for school_id, _ in schools]
            axes.bar(offsets, heights, width, label=texts("stats-chart-grade", grade=grade))
        axes.set_xticks(list(range(len(schools))))
        axes.set_xticklabels([name for _, name in schools], fontsize=8)
    else:
        for index, grade in enumerate(COVERAGE_GRADES):
            # A dot per school, spread across the grade's column (the same place every time).
            spread_x = [index + ((n * 37) % 61 - 30) / 100 for n in range(len(schools))]
            heights = [height(school_id, grade) for school_id, _ in schools]
            axes.scatter(spread_x, heights, s=6, label=texts("stats-chart-grade", grade=grade))
        axes.set_xticks(list(range(len(COVERAGE_GRADES))))
        axes.set_xticklabels([texts("stats-chart-grade", grade=g) for g in COVERAGE_GRADES])
        axes.set_xlabel(texts("stats-chart-dots", schools=len(schools)))
    if with_roster:
        goal = 100 * TARGETS["coverage"].goal
        axes.axhline(goal, color="red", linestyle="--", label=texts("stats-chart-target"))
        axes.set_ylim(0, 105)
        axes.set_ylabel(texts("stats-chart-share"))
    else:
        axes.set_ylabel(texts("stats-chart-count"))
    axes.set_title(texts("stats-chart-coverage", year=year_label(report.year)))
    if len(schools) <= BARS_UP_TO:  # beyond, the columns are named by grade: no legend
        axes.legend(fontsize=7, loc="upper right")


def _months_chart(texts: Texts, report: Report, axes: Axes) -> None:
    months = sorted({m.month for m in report.months})
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for count in report.months:
        by_kind[count.kind][count.month] = count.count
    base = [0] * len(months)
    for kind, counts in sorted(by_kind.items()):
        values = [counts.get(m, 0) for m in months]
        axes.bar(months, values, bottom=base, label=texts("stats-step-kind", kind=kind))
        base = [b + v for b, v in zip(base, values, strict=True)]
    axes.set_title(texts("stats-chart-months"))
    axes.set_ylabel(texts("stats-chart-steps"))
    if by_kind:
        axes.legend(fontsize=7, loc="upper left")
    axes.tick_params(axis="x", labelsize=8)


# --- the committee's report (XLSX) -------------------------------------------------------------


class _Book:
    """The workbook being written: sheets with the report's title rows and a bold header."""

    def __init__(self, texts: Texts, report: Report) -> None:
        self.texts, self.report = texts, report
        self.workbook = Workbook()
        first = self.workbook.active
        assert first is not None
        self.workbook.remove(first)
        self.made = texts.when(report.made_at, "dd.MM.yyyy HH:mm")
        self.year = year_label(report.year)

    def sheet(self, key: str, columns: Sequence[str]) -> Worksheet:
        texts = self.texts
        page: Worksheet = self.workbook.create_sheet(texts("stats-sheet", sheet=key)[:31])
        page.append([texts("stats-sheet-title", sheet=key, year=self.year)])
        page.append([texts("stats-sheet-made", date=self.made)])
        page.append([])
        page.append([self.column(c) for c in columns])
        for row in (1, 4):
            for cell in page[row]:
                cell.font = Font(bold=True)
        page.freeze_panes = "A5"
        return page

    def column(self, key: str) -> str:
        return self.texts("stats-column", column=key)

    def school(self, organisation_id: int | None) -> str:
        found = self.report.schools.get(organisation_id or 0)
        return found if found is not None else self.texts("stats-other-school")

    def save(self) -> bytes:
        for page in self.workbook.worksheets:
            _widths(page)
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def report_xlsx(texts: Texts, report: Report) -> bytes:
    """One sheet per indicator, by school and grade, with the counts behind every share."""
    book = _Book(texts, report)
    _coverage_sheet(book)
    _conscious_sheet(book)
    _local_sheet(book)
    _participation_sheet(book)
    _admin_sheet(book)
    return book.save()


def _coverage_sheet(book: _Book) -> None:
    texts, report = book.texts, book.report
    columns = ("school", "grade", "participants", "students", "share", "target", "note")
    page = book.sheet("coverage", columns)
    target = TARGETS["coverage"].goal
    for cell in report.coverage:
        note = texts("stats-over-roster") if cell.share.over else ""
        if cell.students is None:
            note = texts("stats-no-roster-cell")
        students = cell.students if cell.students is not None else ""
        share = share_cell(cell.share)
        page.append(
            [
                book.school(cell.organisation_id),
                cell.grade,
                people(cell.participants),
                students,
                share,
                target,
                note,
            ]
        )
    total = report.scope_coverage
    page.append(
        [
            texts("stats-total"),
            "",
            people(report.scope_participants),
            total.whole if total.whole is not None else "",
            share_cell(total),
            target,
            "" if total.whole is not None else texts("stats-no-roster-cell"),
        ]
    )
    _percent(page, (5, 6))


def _conscious_sheet(book: _Book) -> None:
    texts, report = book.texts, book.report
    columns = ("window", "school", "grade", "answered", "conscious", "share", "target")
    page = book.sheet("conscious", columns)
    goal = TARGETS["conscious"].goal
    for cell in report.conscious:
        school = book.school(cell.organisation_id)
        counts = [people(cell.sheets), people(cell.counting), share_cell(cell.share)]
        page.append([cell.window, school, cell.grade, *counts, goal])
    for window, share in report.conscious_by_window.items():
        counts = [people(share.whole or 0), people(share.part), share_cell(share)]
        page.append([window, texts("stats-total"), "", *counts, goal])
    _percent(page, (6, 7))


def _local_sheet(book: _Book) -> None:
    texts, report = book.texts, book.report
    page = book.sheet("local", ("school", "grade", "answered", "local", "share", "target"))
    goal = TARGETS["local"].goal
    for cell in report.destinations:
        counts = [people(cell.sheets), people(cell.counting), share_cell(cell.share)]
        page.append([book.school(cell.organisation_id), cell.grade, *counts, goal])
    share = report.local
    counts = [people(share.whole or 0), people(share.part), share_cell(share)]
    page.append([texts("stats-total"), "", *counts, goal])
    page.append([])
    for answer, count in report.destination_answers.items():
        page.append([texts("stats-destination", answer=answer), "", people(count)])
    _percent(page, (5, 6))


def _participation_sheet(book: _Book) -> None:
    texts, report = book.texts, book.report
    kinds = sorted({m.kind for m in report.months})
    months = sorted({m.month for m in report.months})
    page = book.sheet("participation", ())
    header = [book.column("month"), *(texts("stats-step-kind", kind=k) for k in kinds)]
    for index, value in enumerate([*header, book.column("all")], 1):
        page.cell(row=4, column=index, value=value).font = Font(bold=True)
    counts = {(m.month, m.kind): m.count for m in report.months}
    for month in months:
        values = [counts.get((month, k), 0) for k in kinds]
        page.append([month, *values, sum(values)])
    page.append([])
    page.append([book.column("event-kind"), book.column("attended")])
    for kind, count in sorted(report.events_by_kind.items()):
        page.append([texts("stats-event-kind", kind=kind), count])
    feedback = report.feedback
    page.append([])
    page.append([book.column(c) for c in ("feedback", "answered", "liked", "helped", "partly")])
    answers = (feedback.sheets, feedback.liked, feedback.helped, feedback.partly)
    page.append(["", *(people(n) for n in answers)])


def _admin_sheet(book: _Book) -> None:
    texts, report = book.texts, book.report
    page = book.sheet("admin", ("indicator", "value", "of", "share", "target"))
    term, pages = report.term, report.pages
    if term is None or pages is None:
        page.append([texts("stats-term-missing")])
        return
    page.append([book.column("term"), term.term])
    page.append([book.column("agreements"), term.agreements])
    page.append([book.column("teachers"), term.teachers_trained])
    page.append(
        [
            book.column("pages"),
            term.schools_with_page,
            report.school_count,
            pages.value,
            TARGETS["pages"].goal,
        ]
    )
    _percent(page, (4, 5))


def _percent(page: Worksheet, columns: Sequence[int]) -> None:
    for row in page.iter_rows(min_row=5):
        for index in columns:
            if index <= len(row) and isinstance(row[index - 1].value, float):
                row[index - 1].number_format = PERCENT


def _widths(page: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in page.iter_rows(min_row=4):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), len(str(cell.value)))
    for index, width in widths.items():
        page.column_dimensions[get_column_letter(index)].width = min(50, max(8, width + 2))
