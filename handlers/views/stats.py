"""The monitoring's screens: the indicators of a year against their targets, the choice of a
year, the committee's roster and term figures; the destination survey's questions."""

from __future__ import annotations

from html import escape

from content import Catalogue
from db.models import StepKind
from db.records import OrganisationRecord
from handlers.callbacks import (
    DestinationAnswer,
    DestinationStep,
    ManageList,
    Stats,
    StatsStep,
)
from handlers.ui import Row, View, back_row, fit_label, menu_row
from locales import Texts
from services.roster_import import ParsedRoster
from services.stats import TARGETS, Report, Share, small
from services.stats_files import year_label

#: Wrong roster rows listed one by one (the rest are counted).
SHOWN_ERRORS = 15


def percent(value: float) -> str:
    return f"{value * 100:.0f}\u00a0%"


def share_text(texts: Texts, share: Share) -> str:
    if share.hidden:
        return texts("stats-hidden")
    return percent(share.value or 0.0)


def people(texts: Texts, count: int) -> str:
    return texts("stats-hidden") if small(count) else str(count)


def stats_view(texts: Texts, report: Report) -> View:
    year = year_label(report.year)
    scope = report.scope
    where = (
        "all" if scope.sees_all else (escape(scope.school.short_name) if scope.school else "town")
    )
    lines = [texts("stats-head", year=year, scope=where)]
    if not report.has_data:
        lines.append(texts("stats-empty", year=year))
    else:
        lines.append(_coverage(texts, report))
        lines.append(_conscious(texts, report))
        lines.append(_local(texts, report))
        lines.append(_participation(texts, report))
        lines.append(_admin(texts, report))
        lines.append(texts("stats-footer"))
    rows: list[Row] = []
    if report.has_data:
        rows.append(
            [
                (texts("btn-stats-chart"), Stats(action=StatsStep.CHART, year=report.year)),
                (texts("btn-stats-xlsx"), Stats(action=StatsStep.XLSX, year=report.year)),
            ]
        )
    rows.append([(texts("btn-stats-years"), Stats(action=StatsStep.YEARS, year=report.year))])
    if scope.sees_all:
        rows.append([(texts("btn-stats-roster"), Stats(action=StatsStep.ROSTER, year=report.year))])
        rows.append([(texts("btn-stats-term"), Stats(action=StatsStep.TERM, year=report.year))])
    rows.append(back_row(texts, ManageList()))
    rows.append(menu_row(texts))
    return View("\n\n".join(lines), rows)


def _coverage(texts: Texts, report: Report) -> str:
    target = percent(TARGETS["coverage"].goal)
    roster = "yes" if report.town_coverage.whole is not None else "no"
    blocks = [texts("stats-coverage-head", roster=roster, target=target)]  # once, above the places
    places: list[tuple[str, Share, int]] = [
        ("town", report.town_coverage, report.town_participants)
    ]
    if report.scope.school is not None:
        places.append(
            (
                escape(report.scope.school.short_name),
                report.scope_coverage,
                report.scope_participants,
            )
        )
    for place, share, participants in places:
        label = texts("stats-where", where=place)
        if share.whole is None:
            text = texts(
                "stats-coverage-no-roster",
                where=label,
                part=people(texts, participants),
            )
        else:
            text = texts(
                "stats-coverage",
                where=label,
                share=share_text(texts, share),
                part=people(texts, share.part),
                whole=share.whole,
                met="yes" if (share.value or 0) >= TARGETS["coverage"].goal else "no",
            )
        blocks.append(text)
    if report.town_unrostered and report.roster_known:
        blocks.append(
            texts("stats-coverage-unrostered", part=people(texts, report.town_unrostered))
        )
    over = sum(c.share.over for c in report.coverage)
    if over:
        blocks.append(texts("stats-coverage-over", cells=over))
    if report.scope.sees_all and report.roster_known:
        by_school: dict[int, list[int]] = {}
        for cell in report.coverage:
            if cell.students is not None:
                entry = by_school.setdefault(cell.organisation_id, [0, 0])
                entry[0] += min(cell.participants, cell.students)
                entry[1] += cell.students
        met = sum(
            1
            for part, whole in by_school.values()
            if whole and part / whole >= TARGETS["coverage"].goal
        )
        blocks.append(texts("stats-coverage-schools", met=met, total=len(by_school)))
    return "\n".join(blocks)


def _conscious(texts: Texts, report: Report) -> str:
    target = TARGETS["conscious"]
    start, goal = percent(target.start or 0), percent(target.goal)
    if not report.conscious_by_window:
        return texts("stats-conscious-none", start=start, goal=goal)
    windows = "\n".join(
        texts(
            "stats-conscious-window",
            window=window,
            share=share_text(texts, share),
            whole=people(texts, share.whole or 0),
        )
        for window, share in report.conscious_by_window.items()
    )
    return texts("stats-conscious", start=start, goal=goal, windows=windows)


def _local(texts: Texts, report: Report) -> str:
    target = TARGETS["local"]
    start, goal = percent(target.start or 0), percent(target.goal)
    share = report.local
    if not share.whole:
        return texts("stats-local-none", start=start, goal=goal)
    return texts(
        "stats-local",
        start=start,
        goal=goal,
        share=share_text(texts, share),
        whole=people(texts, share.whole),
    )


def _participation(texts: Texts, report: Report) -> str:
    kinds: dict[str, int] = {}
    for month in report.months:
        kinds[month.kind] = kinds.get(month.kind, 0) + month.count
    feedback = report.feedback
    return texts(
        "stats-participation",
        total=sum(kinds.values()),
        quiz=kinds.get(StepKind.QUIZ_FINISHED, 0),
        events=kinds.get(StepKind.EVENT_ATTENDED, 0),
        trials=kinds.get(StepKind.TRIAL_COMPLETED, 0),
        answered=people(texts, feedback.sheets),
        liked=people(texts, feedback.liked),
        helped=people(texts, feedback.helped),
        partly=people(texts, feedback.partly),
    )


def _admin(texts: Texts, report: Report) -> str:
    term, pages = report.term, report.pages
    if term is None or pages is None:
        return texts("stats-admin-none")
    return texts(
        "stats-admin",
        term=term.term,
        agreements=term.agreements,
        teachers=term.teachers_trained,
        pages=term.schools_with_page,
        schools=report.school_count,
        share=percent(pages.value or 0.0),
        goal=percent(TARGETS["pages"].goal),
    )


def years_view(texts: Texts, years: list[int], current: int) -> View:
    rows: list[Row] = [
        [
            (
                texts(
                    "btn-stats-year",
                    year=year_label(year),
                    current="yes" if year == current else "no",
                ),
                Stats(year=year),
            )
        ]
        for year in reversed(years)
    ]
    rows.append(back_row(texts, Stats()))
    return View(texts("stats-years"), rows)


def roster_ask_view(texts: Texts, year: int) -> View:
    return View(
        texts("stats-roster-ask", year=year_label(year)),
        [[(texts("btn-stats-back"), Stats(year=year))]],
    )


def roster_saved_view(texts: Texts, year: int, parsed: ParsedRoster) -> View:
    if parsed.cells:
        lines = [texts("stats-roster-saved", saved=len(parsed.cells), failed=len(parsed.errors))]
    else:
        lines = [texts("stats-roster-nothing")]
    for error in parsed.errors[:SHOWN_ERRORS]:
        problems = escape(" ".join(texts(p.key, **p.args) for p in error.problems))
        # Line 0: the file as a whole (unreadable, too big), not one of its lines.
        lines.append(
            texts("stats-roster-error", line=error.line, problems=problems)
            if error.line
            else problems
        )
    if len(parsed.errors) > SHOWN_ERRORS:
        lines.append(texts("stats-roster-more", more=len(parsed.errors) - SHOWN_ERRORS))
    return View("\n".join(lines), [[(texts("btn-stats-back"), Stats(year=year))], menu_row(texts)])


def term_ask_view(texts: Texts, year: int) -> View:
    return View(
        texts("stats-term-ask", year=year_label(year)),
        [[(texts("btn-stats-back"), Stats(year=year))]],
    )


# --- the destination survey --------------------------------------------------------------------


def destination_view(texts: Texts, year: int) -> View:
    def answer(step: DestinationStep) -> tuple[str, DestinationAnswer]:
        return (
            texts("btn-destination", answer=step.value),
            DestinationAnswer(year=year, step=step),
        )

    return View(
        texts("destination-ask"),
        [
            [answer(DestinationStep.COLLEGE)],
            [answer(DestinationStep.SCHOOL)],
            [answer(DestinationStep.WORK), answer(DestinationStep.OTHER)],
        ],
    )


def colleges_view(texts: Texts, year: int, colleges: list[OrganisationRecord]) -> View:
    rows: list[Row] = [
        [
            (
                fit_label(college.short_name),
                DestinationAnswer(year=year, step=DestinationStep.PROGRAMME, college=college.id),
            )
        ]
        for college in colleges
    ]
    rows.append(
        [(texts("btn-destination-back"), DestinationAnswer(year=year, step=DestinationStep.ASK))]
    )
    return View(texts("destination-college"), rows)


def programmes_view(
    texts: Texts, year: int, college: OrganisationRecord, catalogue: Catalogue
) -> View:
    rows: list[Row] = [
        [
            (
                fit_label(programme.title),
                DestinationAnswer(
                    year=year,
                    step=DestinationStep.COLLEGE,
                    college=college.id,
                    programme=index + 1,
                ),
            )
        ]
        for index, programme in enumerate(catalogue.programmes_of(college.code))
    ]
    rows.append(
        [
            (
                texts("btn-destination-no-programme"),
                DestinationAnswer(
                    year=year, step=DestinationStep.COLLEGE, college=college.id, programme=0
                ),
            )
        ]
    )
    rows.append(
        [
            (
                texts("btn-destination-back"),
                DestinationAnswer(year=year, step=DestinationStep.COLLEGE),
            )
        ]
    )
    return View(texts("destination-programme", college=escape(college.short_name)), rows)


def destination_thanks_view(texts: Texts, answer: str) -> View:
    return View(texts("destination-thanks", answer=escape(answer)), [menu_row(texts)])
