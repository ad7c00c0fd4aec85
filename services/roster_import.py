"""The roster from a spreadsheet: how many students each school has in each grade, as the
committee keeps it. CSV as Excel saves it (UTF-8 or Windows-1251, `;` or `,`) or XLSX (the first
sheet), one school and grade a row, checked row by row: the good rows are written, the wrong ones
come back with their line number and every reason.

Columns (the first line names them, in any order, English or Russian): school (the catalogue's
code, its short or full name), grade (1-11), students (a whole number, 0 or more). See README.md,
«The roster».
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import load_workbook

from db.records import OrganisationRecord
from db.repositories.stats import Cell

MAX_BYTES = 1_000_000
MAX_ROWS = 5000
LAST_GRADE = 11
COLUMNS = ("school", "grade", "students")
COLUMN_NAMES = {
    "школа": "school",
    "оо": "school",
    "класс": "grade",
    "параллель": "grade",
    "учащихся": "students",
    "учащиеся": "students",
    "количество": "students",
    "число учащихся": "students",
    "обучающихся": "students",
}


#: The name each column is shown by (in the bot's answers, which are in Russian).
SHOWN_NAMES = {"school": "школа", "grade": "класс", "students": "учащихся"}


def _given(value: str) -> dict[str, str]:
    """A problem's arguments with the value as found: `filled` says whether there was one, so
    that an empty cell reads «не заполнено», not empty quotes."""
    return {"value": value, "filled": str(bool(value))}


def _shown(columns: Iterable[str]) -> str:
    return ", ".join(SHOWN_NAMES[column] for column in columns)


@dataclass(frozen=True, slots=True)
class RosterIssue:
    """Why a row was refused: a locale key and its arguments."""

    key: str
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RosterError:
    line: int
    problems: list[RosterIssue]


@dataclass
class ParsedRoster:
    cells: list[Cell] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)


def school_names(schools: Iterable[OrganisationRecord]) -> dict[str, int]:
    """Every way a row may name a school (code, short name, full name; any case)."""
    names: dict[str, int] = {}
    for school in schools:
        for name in (school.code, school.short_name, school.name):
            names[_norm(name)] = school.id
    return names


def _norm(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).casefold()


def parse_roster(data: bytes, filename: str, schools: Mapping[str, int]) -> ParsedRoster:
    """Every row of the file as a cell, or its line and reasons. Never raises on bad input."""
    result = ParsedRoster()
    if len(data) > MAX_BYTES:
        result.errors.append(
            RosterError(0, [RosterIssue("roster-problem-too-big", {"rows": str(MAX_ROWS)})])
        )
        return result
    rows = _xlsx_rows(data) if filename.lower().endswith(".xlsx") else _csv_rows(data)
    if rows is None:
        result.errors.append(RosterError(0, [RosterIssue("roster-problem-format")]))
        return result
    return _cells(rows, schools, result)


def parse_typed(text: str, schools: Mapping[str, int]) -> ParsedRoster:
    """Lines typed in the chat («Школа № 1; 9; 54»), without a header; line numbers count the
    typed lines."""
    header = ";".join(COLUMNS) + "\n"
    rows = _csv_rows(header.encode() + text.encode())
    if rows is None:
        return ParsedRoster([], [RosterError(0, [RosterIssue("roster-problem-format")])])
    result = _cells(rows, schools, ParsedRoster())
    result.errors = [RosterError(e.line - 1, e.problems) for e in result.errors]
    return result


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]] | None:
    text = None
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        return None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error:
        return None


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]] | None:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        return None
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        rows.append((number, ["" if v is None else _cell_text(v) for v in values]))
        if number > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cells(
    rows: Sequence[tuple[int, list[str]]], schools: Mapping[str, int], result: ParsedRoster
) -> ParsedRoster:
    if not rows:
        problem = RosterIssue("roster-problem-header", {"columns": _shown(COLUMNS)})
        result.errors.append(RosterError(1, [problem]))
        return result
    header: list[str] = []
    for raw in rows[0][1]:
        name = raw.strip().lower()
        header.append(COLUMN_NAMES.get(name, name))
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        problem = RosterIssue("roster-problem-header", {"columns": _shown(missing)})
        result.errors.append(RosterError(rows[0][0], [problem]))
        return result
    seen: dict[tuple[int, int], int] = {}
    for line, values in rows[1:]:
        if not any(v.strip() for v in values):
            continue
        if len(result.cells) + len(result.errors) >= MAX_ROWS:
            problem = RosterIssue("roster-problem-too-big", {"rows": str(MAX_ROWS)})
            result.errors.append(RosterError(line, [problem]))
            break
        row = dict(zip(header, (v.strip() for v in values), strict=False))
        problems: list[RosterIssue] = []
        school = schools.get(_norm(row.get("school", "")))
        if school is None:
            problems.append(
                RosterIssue("roster-problem-school", _given(row.get("school", "")[:60]))
            )
        grade = _whole(row.get("grade", ""))
        if grade is None or not 1 <= grade <= LAST_GRADE:
            problems.append(RosterIssue("roster-problem-grade", _given(row.get("grade", "")[:20])))
        students = _whole(row.get("students", ""))
        if students is None or students < 0:
            problems.append(
                RosterIssue("roster-problem-students", _given(row.get("students", "")[:20]))
            )
        if problems:
            result.errors.append(RosterError(line, problems))
            continue
        assert school is not None
        assert grade is not None
        assert students is not None
        if (school, grade) in seen:
            problem = RosterIssue("roster-problem-repeated", {"line": str(seen[(school, grade)])})
            result.errors.append(RosterError(line, [problem]))
            continue
        seen[(school, grade)] = line
        result.cells.append(Cell(school, grade, students))
    return result


def _whole(text: str) -> int | None:
    """A whole number as typed («25», « 25 », «-3»); None for anything else («25,5», «много»)."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if cleaned.startswith("-") and cleaned[1:].isdigit():
        return -int(cleaned[1:])
    return int(cleaned) if cleaned.isdigit() else None
