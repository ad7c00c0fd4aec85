"""A year's plan of events from a spreadsheet: CSV as Excel saves it (UTF-8 or Windows-1251,
`;` or `,`), one event a row, checked row by row. Good rows go in, wrong rows come back with
their line number and every reason; importing the same file again creates nothing twice (an
event is known by its `code`, made up from the row when the file has none).

Columns (the first line names them, in any order; English or Russian names):
code, kind, title, description, organisation, place, link, starts, ends, capacity, deadline,
roles, grades, interest_types, profession. See README.md, «Importing events».
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from content.catalogue import INTEREST_TYPES
from db.models import EventKind, EventStatus
from db.records import EventDraft
from db.uow import UnitOfWork
from services import subscriptions
from services.coordinators import Staff, require_manager
from services.dates import parse_date, parse_time
from services.errors import NotPermitted
from services.events import AUDIENCE_ROLES, Problem, check_draft

MAX_BYTES = 1_000_000
MAX_ROWS = 2000
COLUMNS = (
    "code",
    "kind",
    "title",
    "description",
    "organisation",
    "place",
    "link",
    "starts",
    "ends",
    "capacity",
    "deadline",
    "roles",
    "grades",
    "interest_types",
    "profession",
)
REQUIRED = ("kind", "title", "organisation", "starts", "ends", "roles")
#: Besides `place` or `link` (one of them is needed).
OPTIONAL = ("code", "description", "capacity", "deadline", "grades", "interest_types", "profession")
#: Russian column names, as a coordinator may head the spreadsheet.
COLUMN_NAMES = {
    "код": "code",
    "вид": "kind",
    "название": "title",
    "описание": "description",
    "организация": "organisation",
    "место": "place",
    "ссылка": "link",
    "начало": "starts",
    "окончание": "ends",
    "мест": "capacity",
    "места": "capacity",
    "запись до": "deadline",
    "для кого": "roles",
    "классы": "grades",
    "типы": "interest_types",
    "профессия": "profession",
}
#: The name each column is shown by (in the bot's answers, which are in Russian).
SHOWN_NAMES = {column: name for name, column in COLUMN_NAMES.items() if name != "мест"}
KIND_NAMES = {
    "проба": EventKind.TRIAL,
    "профпроба": EventKind.TRIAL,
    "профессиональная проба": EventKind.TRIAL,
    "день открытых дверей": EventKind.OPEN_DAY,
    "экскурсия": EventKind.EXCURSION,
    "встреча": EventKind.MEETING,
    "конкурс": EventKind.COMPETITION,
    "месячник": EventKind.PROFESSION_MONTH,
    "игра": EventKind.GAME,
    "центр занятости": EventKind.EMPLOYMENT_CENTRE,
    "семинар": EventKind.TEACHER_SEMINAR,
    "курсы": EventKind.TEACHER_COURSE,
    "курсы повышения квалификации": EventKind.TEACHER_COURSE,
}
ROLE_NAMES = {
    "школьники": "student",
    "студенты": "college_student",
    "родители": "parent",
    "взрослые": "adult",
    "педагоги": "teacher",
}
TYPE_NAMES = {
    "природа": "nature",
    "техника": "technic",
    "человек": "human",
    "знаковая система": "sign",
    "знак": "sign",
    "художественный образ": "art",
    "искусство": "art",
}


def shown_columns(columns: tuple[str, ...]) -> str:
    """Columns by their Russian names, as a coordinator heads the spreadsheet."""
    return ", ".join(SHOWN_NAMES[column] for column in columns)


def _given(value: str, **args: str) -> dict[str, str]:
    """A problem's arguments with the value as found: `filled` says whether there was one, so
    that an empty field reads «не заполнено», not empty quotes."""
    return {**args, "value": value, "filled": str(bool(value))}


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    problems: list[Problem]


@dataclass
class ParsedImport:
    drafts: list[tuple[int, EventDraft]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return None


def _list(value: str, names: Mapping[str, str], allowed: tuple[str, ...]) -> list[str] | None:
    found = []
    for part in value.replace(";", ",").split(","):
        item = part.strip().lower()
        if not item:
            continue
        item = names.get(item, item)
        if item not in allowed:
            return None
        found.append(item)
    return found


def _when(value: str, tz: ZoneInfo, today: date) -> datetime | None:
    """`DD.MM.YYYY HH:MM` or `YYYY-MM-DD HH:MM`, local time."""
    text = value.strip().replace("T", " ")
    day_text, _, time_text = text.partition(" ")
    if "-" in day_text:
        try:
            day: date | None = date.fromisoformat(day_text)
        except ValueError:
            day = None
    else:
        day = parse_date(day_text, today)
    moment = parse_time(time_text) if time_text else time(0, 0)
    if day is None or moment is None:
        return None
    return datetime.combine(day, moment, tzinfo=tz)


def _code_for(organisation: str, kind: str, starts: datetime, title: str) -> str:
    """The same event always gets the same code, however the file writes its date."""
    name = " ".join(title.lower().split())
    key = f"{organisation.lower()}|{kind}|{starts.isoformat()}|{name}"
    return "i" + hashlib.sha1(key.encode()).hexdigest()[:7]


@dataclass(frozen=True, slots=True)
class _Context:
    organisations: Mapping[str, int]
    tz: ZoneInfo
    now: datetime


def _row(row: dict[str, str], context: _Context) -> EventDraft | list[Problem]:
    problems: list[Problem] = []
    get = {key: (row.get(key) or "").strip() for key in COLUMNS}
    kind = KIND_NAMES.get(get["kind"].lower(), get["kind"].lower())
    if kind not in set(EventKind):
        problems.append(Problem("csv-kind", _given(get["kind"])))
    organisation = context.organisations.get(get["organisation"].lower())
    if organisation is None:
        problems.append(Problem("csv-organisation", _given(get["organisation"])))
    today = context.now.astimezone(context.tz).date()
    times: dict[str, datetime | None] = {}
    for name in ("starts", "ends", "deadline"):
        times[name] = _when(get[name], context.tz, today) if get[name] else None
        if (get[name] and times[name] is None) or (name != "deadline" and not get[name]):
            problems.append(Problem("csv-date", _given(get[name], field=name)))
    capacity = None
    if get["capacity"]:
        if not get["capacity"].lstrip("-").isdigit():
            problems.append(Problem("csv-number", _given(get["capacity"], field="capacity")))
        else:
            capacity = int(get["capacity"])
    roles = _list(get["roles"], ROLE_NAMES, tuple(AUDIENCE_ROLES))
    if roles is None:
        problems.append(Problem("csv-role", _given(get["roles"])))
    types = _list(get["interest_types"], TYPE_NAMES, INTEREST_TYPES)
    if types is None:
        problems.append(Problem("csv-type", _given(get["interest_types"])))
    grades = _grades(get["grades"])
    if grades is None:
        problems.append(Problem("csv-number", _given(get["grades"], field="grades")))
    if problems:
        return problems
    assert organisation is not None
    assert roles is not None
    assert types is not None
    assert grades is not None
    starts, ends = times["starts"], times["ends"]
    assert starts is not None
    assert ends is not None
    starts, ends = starts.astimezone(UTC), ends.astimezone(UTC)
    code = get["code"].lower() or _code_for(get["organisation"], kind, starts, get["title"])
    draft = EventDraft(
        kind=kind,
        title=get["title"],
        organisation_id=organisation,
        starts_at=starts,
        ends_at=ends,
        description=get["description"],
        place=get["place"],
        link=get["link"],
        capacity=capacity,
        signup_deadline=times["deadline"].astimezone(UTC) if times["deadline"] else None,
        roles=tuple(roles),
        grade_min=grades[0],
        grade_max=grades[1],
        interest_types=tuple(types),
        profession=get["profession"],
        code=code,
    )
    return check_draft(draft, context.now) or draft


def _grades(value: str) -> tuple[int | None, int | None] | None:
    text = value.replace("–", "-").replace(" ", "")
    if not text:
        return None, None
    low, _, high = text.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return None
    return int(low), int(high or low)


def _header(names: list[str]) -> list[str] | Problem:
    """The columns of the first line; a column without a name (the empty cells Excel leaves
    after the last one) is ignored."""
    columns = []
    for raw in names:
        name = raw.strip().lower()
        name = COLUMN_NAMES.get(name, name)
        if name and name not in COLUMNS:
            return Problem("csv-column", {"column": raw.strip(), "known": shown_columns(COLUMNS)})
        columns.append(name)
    missing = tuple(name for name in REQUIRED if name not in columns)
    if missing:
        return Problem("csv-header", {"columns": shown_columns(missing)})
    return columns


def parse_events_csv(
    data: bytes, organisations: Mapping[str, int], tz: ZoneInfo, now: datetime
) -> ParsedImport:
    """Every row of the file as a draft, or its line and reasons. Never raises on bad input."""
    result = ParsedImport()
    if len(data) > MAX_BYTES:
        result.errors.append(RowError(0, [Problem("csv-too-big", {"rows": MAX_ROWS})]))
        return result
    text = _decode(data)
    if text is None:
        result.errors.append(RowError(0, [Problem("csv-encoding")]))
        return result
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        missing = Problem("csv-header", {"columns": shown_columns(REQUIRED)})
        result.errors.append(RowError(1, [missing]))
        return result
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _rows(reader, organisations, tz, now, result)
    except csv.Error:  # a broken quote, a field longer than the csv module takes
        result.errors.append(RowError(reader.line_num, [Problem("csv-format")]))
        return result


def _rows(
    reader: Iterator[list[str]],
    organisations: Mapping[str, int],
    tz: ZoneInfo,
    now: datetime,
    result: ParsedImport,
) -> ParsedImport:
    header = _header(next(reader))
    if isinstance(header, Problem):
        result.errors.append(RowError(1, [header]))
        return result
    context = _Context(organisations, tz, now)
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num  # type: ignore[attr-defined]
        if not any(v.strip() for v in values):
            continue
        if len(result.drafts) + len(result.errors) >= MAX_ROWS:
            result.errors.append(RowError(line, [Problem("csv-too-big", {"rows": MAX_ROWS})]))
            break
        parsed = _row(dict(zip(header, values, strict=False)), context)
        if isinstance(parsed, list):
            result.errors.append(RowError(line, parsed))
            continue
        assert parsed.code is not None
        if parsed.code in seen:
            first = seen[parsed.code]
            problem = Problem("csv-duplicate-code", {"code": parsed.code, "line": first})
            result.errors.append(RowError(line, [problem]))
            continue
        seen[parsed.code] = line
        result.drafts.append((line, parsed))
    return result


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    known: int
    errors: list[RowError]


async def import_events(
    uow: UnitOfWork,
    parsed: ParsedImport,
    created_by: int | None,
    now: datetime,
    *,
    staff: Staff | None = None,
) -> ImportReport:
    """Publish the good rows whose code is new (and announce them to the subscribers they
    fit, in the same transaction); those already known are left as they are.
    With `staff` (a coordinator's upload), their rights are checked in the same transaction:
    every row must be for an organisation they run, or nothing is imported (NotPermitted)."""
    drafts = [draft for _, draft in parsed.drafts]
    async with uow.write():
        if staff is not None:
            manager = await require_manager(uow, staff)
            if not all(manager.runs(draft.organisation_id) for draft in drafts):
                raise NotPermitted(staff.user_id)
        created = await uow.events.create_many(drafts, EventStatus.PUBLISHED, created_by, now)
        new_events = [event for event, _ in await uow.events.many_with_organisers(created)]
        await subscriptions.announce(uow, new_events, now)
    return ImportReport(len(created), len(drafts) - len(created), parsed.errors)


async def import_plan(
    uow: UnitOfWork, staff: Staff, parsed: ParsedImport, now: datetime
) -> ImportReport:
    """Publish an imported plan's good rows, for a coordinator (their rights and the
    organisations of the rows checked in the transaction that writes them)."""
    return await import_events(uow, parsed, staff.user_id, now, staff=staff)
