"""A year's plan from a spreadsheet: the good rows go in, the wrong ones come back with their
line and reason, and importing the same file twice creates nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.runner import run_import
from db.models import Event
from services import coordinators, event_import
from services.coordinators import Staff
from services.errors import NotPermitted
from services.event_import import parse_events_csv
from tests.conftest import TEXTS, World, register, settings_for_tests

ADMIN = 4242
TZ = ZoneInfo("Asia/Irkutsk")
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
ORGANISATIONS = {"zhdt": 1, "czn": 2}
GOOD = (
    "code;kind;title;organisation;place;starts;ends;capacity;roles;grades;interest_types;profession\n"
    "den-zhdt;день открытых дверей;День открытых дверей ЗЖДТ;zhdt;ул. Коммунистическая, 2;"
    "12.12.2026 15:00;12.12.2026 17:00;60;школьники, родители;8-11;техника;\n"
    ";проба;Проба: проводник;zhdt;Мастерские;15.12.2026 10:00;15.12.2026 13:00;12;"
    "школьники;9;человек;Проводник пассажирского вагона\n"
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def names(result: object) -> list[tuple[int, list[str]]]:
    return [(e.line, [p.name for p in e.problems]) for e in result.errors]  # type: ignore[attr-defined]


def test_a_good_file_in_utf8_and_in_windows_1251_gives_the_same_events() -> None:
    utf8 = parse_events_csv(GOOD.encode("utf-8-sig"), ORGANISATIONS, TZ, NOW)
    cp1251 = parse_events_csv(GOOD.encode("cp1251"), ORGANISATIONS, TZ, NOW)
    assert utf8.errors == []
    assert [d for _, d in utf8.drafts] == [d for _, d in cp1251.drafts]
    (line, open_day), (_, trial) = utf8.drafts
    assert line == 2
    assert open_day.code == "den-zhdt"
    assert open_day.kind == "open_day"
    assert open_day.starts_at == datetime(2026, 12, 12, 7, 0, tzinfo=UTC)  # 15:00 in Zima
    assert open_day.roles == ("student", "parent")
    assert (open_day.grade_min, open_day.grade_max) == (8, 11)
    assert trial.kind == "trial"
    assert trial.interest_types == ("human",)
    assert trial.code is not None  # made up from the row, the same every time
    again = parse_events_csv(GOOD.encode(), ORGANISATIONS, TZ, NOW)
    assert again.drafts[1][1].code == trial.code


def test_commas_and_english_names_work_too() -> None:
    text = (
        "kind,title,organisation,link,starts,ends,roles\n"
        "meeting,Встреча с машинистом,czn,https://example.org/meet,2026-12-20 16:00,"
        "2026-12-20 17:00,adult\n"
    )
    parsed = parse_events_csv(text.encode(), ORGANISATIONS, TZ, NOW)
    assert parsed.errors == []
    [(_, draft)] = parsed.drafts
    assert draft.link == "https://example.org/meet"
    assert draft.organisation_id == 2


def test_each_wrong_row_is_named_with_its_line_and_the_good_ones_go_through() -> None:
    header = "code;kind;title;organisation;place;starts;ends;capacity;deadline;roles\n"
    rows = [
        "a1;проба;Хорошая;zhdt;Цех;10.12.2026 10:00;10.12.2026 12:00;10;;школьники",
        "a2;проба;Плохая дата;zhdt;Цех;31.02.2026 10:00;10.12.2026 12:00;10;;школьники",
        "a3;полёт;Неизвестный вид;zhdt;Цех;10.12.2026 10:00;10.12.2026 12:00;10;;школьники",
        "a4;проба;Чужая организация;nowhere;Цех;10.12.2026 10:00;10.12.2026 12:00;10;;школьники",
        "a5;проба;Конец раньше;zhdt;Цех;10.12.2026 10:00;10.12.2026 09:00;10;;школьники",
        "a6;проба;Ноль мест;zhdt;Цех;10.12.2026 10:00;10.12.2026 12:00;0;;школьники",
        "a7;проба;Срок позже;zhdt;Цех;10.12.2026 10:00;10.12.2026 12:00;10;11.12.2026;школьники",
        "a8;проба;В прошлом;zhdt;Цех;10.11.2026 10:00;10.11.2026 12:00;10;;школьники",
        "a1;проба;Тот же код;zhdt;Цех;11.12.2026 10:00;11.12.2026 12:00;10;;школьники",
    ]
    parsed = parse_events_csv((header + "\n".join(rows)).encode(), ORGANISATIONS, TZ, NOW)
    assert [line for line, _ in parsed.drafts] == [2]
    assert names(parsed) == [
        (3, ["csv-date"]),
        (4, ["csv-kind"]),
        (5, ["csv-organisation"]),
        (6, ["end-before-start"]),
        (7, ["capacity"]),
        (8, ["deadline-after-start"]),
        (9, ["start-past"]),
        (10, ["csv-duplicate-code"]),
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "csv-header"),
        (b"kind;title\n", "csv-header"),
        (b"kind;title;organisation;starts;ends;roles;colour\n", "csv-column"),
        (bytes(range(256)) * 3, "csv-encoding"),
    ],
)
def test_a_file_that_is_not_a_plan_gets_one_clear_reason(data: bytes, problem: str) -> None:
    parsed = parse_events_csv(data, ORGANISATIONS, TZ, NOW)
    assert parsed.drafts == []
    assert [p.name for e in parsed.errors for p in e.problems] == [problem]


async def count_events(world: World) -> int:
    async with world.app.uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count(Event.id))) or 0)


async def test_the_command_line_import_creates_nothing_twice(
    world: World, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_bytes(GOOD.encode("cp1251"))
    assert await run_import(settings, plan) == 0
    assert await run_import(settings, plan) == 0
    assert await count_events(world) == 2
    out = capsys.readouterr().out
    assert (
        world.app.texts("import-report", created=2, known=0, failed=0)
        .replace("<b>", "")
        .replace("</b>", "")
        in out
    )


async def test_a_coordinator_sends_the_plan_to_the_bot_and_wrong_rows_come_back(
    world: World,
) -> None:
    boss = world.user(ADMIN, "Админ")
    await register(boss, role=TEXTS("role-teacher"), grade=None)
    broken = GOOD + "x1;проба;Без даты;zhdt;Цех;;;10;школьники;;;\n"
    texts = world.app.texts
    await boss.send_document(broken.encode("cp1251"), "plan.csv")
    assert texts("import-report", created=2, known=0, failed=1) in boss.last.text
    # The error names its line.
    assert texts("import-error", line=4, problems="") != texts("import-error", line=5, problems="")
    assert texts("import-error", line=4, problems="").rstrip() in boss.last.text
    # The empty start and end are named as not filled in, not shown as empty quotes.
    for field in ("starts", "ends"):
        empty = texts("event-problem-csv-date", field=field, value="", filled="False")
        assert empty in boss.last.text
    assert "Начало: не заполнено — нужна дата и время" in boss.last.text
    assert "«»" not in boss.last.text
    await boss.send_document(broken.encode("cp1251"), "plan.csv")
    assert texts("import-report", created=0, known=2, failed=1) in boss.last.text
    assert await count_events(world) == 2


async def test_a_file_from_someone_else_is_not_imported(world: World) -> None:
    chat = world.user(5005, "Аня")
    await register(chat)
    await chat.send_document(GOOD.encode(), "plan.csv")
    assert world.app.texts("unexpected-text") in chat.last.text
    assert await count_events(world) == 0


async def test_a_plan_for_an_organisation_the_coordinator_does_not_run_imports_nothing(
    world: World,
) -> None:
    """The rows' organisations and the sender's rights are checked in the transaction that
    writes them (a coordinator revoked while the file was read, a row for someone else)."""
    coordinator = world.user(5006, "Ольга")
    await register(coordinator, role=TEXTS("role-teacher"), grade=None)
    admin = Staff(ADMIN, frozenset({ADMIN}))
    async with world.app.uow_factory() as uow:
        ids = {o.code: o.id for o in await uow.organisations.list_active("college")}
        ids |= {o.code: o.id for o in await uow.organisations.list_active("employment_centre")}
        invite = await coordinators.create_invite(uow, admin, ids["zhdt"], NOW)
        await coordinators.redeem_invite(uow, invite.code, coordinator.user_id, NOW)
    staff = Staff(coordinator.user_id, frozenset({ADMIN}))
    everyone = parse_events_csv(GOOD.encode(), {"zhdt": ids["czn"]}, TZ, NOW)
    assert len(everyone.drafts) == 2

    async with world.app.uow_factory() as uow:
        with pytest.raises(NotPermitted):  # the rows are the employment centre's
            await event_import.import_plan(uow, staff, everyone, NOW)
        own = parse_events_csv(GOOD.encode(), {"zhdt": ids["zhdt"]}, TZ, NOW)
        await coordinators.revoke(uow, admin, coordinator.user_id, NOW)
        with pytest.raises(NotPermitted):  # no longer a coordinator
            await event_import.import_plan(uow, staff, own, NOW)
    assert await count_events(world) == 0


def test_the_same_event_gets_the_same_code_however_its_date_is_written() -> None:
    iso = GOOD.replace("15.12.2026 10:00", "2026-12-15 10:00:00").replace(
        "Проба: проводник", "Проба:  проводник"
    )
    first = parse_events_csv(GOOD.encode(), ORGANISATIONS, TZ, NOW)
    second = parse_events_csv(iso.encode(), ORGANISATIONS, TZ, NOW)
    assert second.errors == []
    assert first.drafts[1][1].code == second.drafts[1][1].code


def test_a_file_saved_with_old_mac_line_ends_or_a_broken_quote_gets_a_clear_answer() -> None:
    mac = parse_events_csv(GOOD.replace("\n", "\r").encode(), ORGANISATIONS, TZ, NOW)
    assert mac.errors == []
    assert [line for line, _ in mac.drafts] == [2, 3]
    huge = GOOD + 'x;проба;"' + "а" * 200_000 + "\n"
    broken = parse_events_csv(huge.encode(), ORGANISATIONS, TZ, NOW)
    assert [p.name for e in broken.errors for p in e.problems] == ["csv-format"]


def shown(parsed: event_import.ParsedImport) -> list[str]:
    """Each wrong row's reasons as the report shows them."""
    return [" ".join(TEXTS(p.key, **p.args) for p in e.problems) for e in parsed.errors]


def test_an_empty_field_is_named_as_not_filled_in() -> None:
    header = "kind;title;organisation;place;starts;ends;roles\n"
    rows = [
        ";Без вида;zhdt;Цех;10.12.2026 10:00;10.12.2026 12:00;школьники",
        "проба;Без организации;;Цех;10.12.2026 10:00;10.12.2026 12:00;школьники",
        "полёт;Неизвестный вид;nowhere;Цех;10.12.2026 10:00;;школьники",
    ]
    parsed = parse_events_csv((header + "\n".join(rows)).encode(), ORGANISATIONS, TZ, NOW)
    no_kind, no_organisation, wrong = shown(parsed)
    assert no_kind.startswith("Не заполнен вид мероприятия (проба, день открытых дверей")
    assert no_organisation.startswith("Не заполнена организация: нужен код из каталога")
    assert "Неизвестный вид мероприятия «полёт»" in wrong
    assert "Неизвестная организация «nowhere»" in wrong
    assert "Окончание: не заполнено — нужна дата и время" in wrong
    assert not any("«»" in text for text in shown(parsed))


def test_the_columns_are_named_in_russian_and_unnamed_ones_are_ignored() -> None:
    [missing] = shown(parse_events_csv(b"kind;title\n", ORGANISATIONS, TZ, NOW))
    assert missing.endswith("не хватает: организация, начало, окончание, для кого.")
    [unknown] = shown(parse_events_csv("школа;класс;учащихся\n".encode(), ORGANISATIONS, TZ, NOW))
    assert unknown.startswith("Неизвестный столбец «школа». Столбцы плана мероприятий: код, вид,")
    # Excel leaves empty cells after the last column: they are no column at all.
    trailing = GOOD.replace("\n", ";;\n")
    parsed = parse_events_csv(trailing.encode(), ORGANISATIONS, TZ, NOW)
    assert parsed.errors == []
    assert len(parsed.drafts) == 2


async def test_a_file_that_is_not_a_csv_gets_the_columns_and_an_example_that_works(
    world: World,
) -> None:
    boss = world.user(ADMIN, "Админ")
    await register(boss, role=TEXTS("role-teacher"), grade=None)
    await boss.send_document(b"PK\x03\x04", "план.xlsx")
    answer = boss.last.text
    assert "инструкци" not in answer
    assert "Обязательные: вид, название, организация, начало, окончание, для кого" in answer
    assert "а также место или ссылка" in answer
    assert "Можно добавить: код, описание, места, запись до, классы, типы, профессия" in answer
    example = "\n".join(answer.split("<code>")[i].split("</code>")[0] for i in (1, 2))
    parsed = parse_events_csv(example.encode(), {"zhdt": 1}, TZ, NOW)
    assert parsed.errors == []
    assert len(parsed.drafts) == 1


async def test_a_file_that_cannot_be_read_is_answered_without_a_line_number(
    world: World,
) -> None:
    boss = world.user(ADMIN, "Админ")
    await register(boss, role=TEXTS("role-teacher"), grade=None)
    await boss.send_document(bytes(range(256)) * 3, "plan.csv")
    texts = world.app.texts
    assert texts("event-problem-csv-encoding") in boss.last.text
    assert texts("import-error", line=0, problems="").rstrip() not in boss.last.text
