"""/stats through the bot: the committee sees the town's indicators, gets the chart and the XLSX
report, picks a past year, enters the roster (a file, typed lines) and the term's figures; a
school's coordinator sees their school; anyone else is refused, however they ask."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Conversation
from db.models import Roster, TermIndicators
from handlers.callbacks import Stats, StatsStep
from tests.conftest import TEXTS, World, register, settings_for_tests
from tests.stats_data import YEAR, add_step, add_user, appoint, schools

ADMIN = 9001
COMMITTEE = 9002
SCHOOL_COORDINATOR = 9003


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


async def coordinator(world: World, user_id: int, code: str) -> Conversation:
    chat = world.user(user_id, "Ольга")
    await register(chat, role=TEXTS("role-teacher"), grade=None)
    found = await schools(world.app)
    await appoint(world.app, user_id, found[code].id)
    await chat.send("/menu")
    return chat


async def roster(world: World) -> dict[tuple[int, int], int]:
    async with world.app.uow_factory() as uow:
        rows = await uow.session.execute(
            select(Roster.organisation_id, Roster.grade, Roster.students).where(
                Roster.academic_year == YEAR
            )
        )
        return {(o, g): n for o, g, n in rows}


def head(scope: str) -> str:
    return TEXTS("stats-head", year="2026/2027", scope=scope)


async def test_the_committee_sees_the_town_gets_the_chart_and_the_report(world: World) -> None:
    found = await schools(world.app)
    s1 = found["school-1"].id
    for user in range(101, 106):
        await add_user(world.app, user, s1, 9)
        await add_step(world.app, user, s1, 9)
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.click(TEXTS("btn-manage"))
    await boss.click(TEXTS("btn-stats"))  # the cabinet's button
    assert head("all") in boss.last.text
    coverage = TEXTS(
        "stats-coverage-no-roster",
        where=TEXTS("stats-where", where="town"),
        part="5",
    )
    assert TEXTS("stats-coverage-head", roster="no", target="80\u00a0%") in boss.last.text
    assert coverage in boss.last.text
    await boss.click(TEXTS("btn-stats-chart"))
    await boss.click(TEXTS("btn-stats-xlsx"))
    chart, report = world.telegram.files
    assert chart.data.startswith(b"\x89PNG")
    assert report.filename == f"monitoring-{YEAR}.xlsx"
    assert report.data.startswith(b"PK")
    assert boss.last_toast == TEXTS("stats-file-toast")


async def test_a_past_year_is_chosen_and_a_year_with_no_data_says_so(world: World) -> None:
    found = await schools(world.app)
    await add_user(world.app, 101, found["school-1"].id, 9)
    await add_step(world.app, 101, found["school-1"].id, 8, year=YEAR - 2)
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-years"))
    labels = [label for label, _ in boss.last.buttons]
    assert TEXTS("btn-stats-year", year="2026/2027", current="yes") in labels
    await boss.click(TEXTS("btn-stats-year", year="2025/2026", current="no"))
    assert TEXTS("stats-empty", year="2025/2026") in boss.last.text
    await boss.click(TEXTS("btn-stats-years"))
    await boss.click(TEXTS("btn-stats-year", year="2024/2025", current="no"))
    assert TEXTS("stats-head", year="2024/2025", scope="all") in boss.last.text
    assert TEXTS("stats-empty", year="2024/2025") not in boss.last.text
    await boss.press(Stats(year=2099).pack())  # a forged year: the current one, said so
    assert boss.last_toast == TEXTS("stats-no-year")
    assert head("all") in boss.last.text


async def test_the_roster_from_a_windows_1251_file_with_bad_rows_reported_by_line(
    world: World,
) -> None:
    found = await schools(world.app)
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-roster"))
    assert TEXTS("stats-roster-ask", year="2026/2027") in boss.last.text
    rows = [
        "Школа;Класс;Учащихся",
        "Школа № 1;9;54",
        "school-5;8;30",
        "Школа № 99;9;20",  # unknown school
        "Школа № 1;12;20",  # grade out of range
        "Школа № 1;10;-3",  # negative
        "Школа № 1;11;много",  # not a number
        "Школа № 1;9;55",  # repeated
    ]
    await boss.send_document("\r\n".join(rows).encode("cp1251"), "контингент.csv")
    text = boss.last.text
    assert TEXTS("stats-roster-saved", saved=2, failed=5).split(":")[0] in text
    for line, problem, value in (
        (4, "school", "Школа № 99"),
        (5, "grade", "12"),
        (6, "students", "-3"),
        (7, "students", "много"),
    ):
        message = TEXTS(f"roster-problem-{problem}", value=value, filled="True")
        assert TEXTS("stats-roster-error", line=line, problems=message) in text
    repeated = TEXTS("roster-problem-repeated", line="2")
    assert TEXTS("stats-roster-error", line=8, problems=repeated) in text
    assert "Строка 5: Класс «12» — нужен от 1 до 11." in text
    assert await roster(world) == {
        (found["school-1"].id, 9): 54,
        (found["school-5"].id, 8): 30,
    }
    # Typed lines, while the input is still open (there were wrong rows): the value is replaced.
    await boss.send("Школа № 1; 9; 50\nschool-7; 10; 25")
    assert TEXTS("stats-roster-saved", saved=2, failed=0) in boss.last.text
    saved = await roster(world)
    assert saved[(found["school-1"].id, 9)] == 50
    assert saved[(found["school-7"].id, 10)] == 25


async def test_the_roster_from_an_xlsx_file(world: World) -> None:
    found = await schools(world.app)
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-roster"))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["school", "grade", "students"])
    sheet.append(["Школа № 1", 11, 40])
    out = io.BytesIO()
    book.save(out)
    await boss.send_document(out.getvalue(), "roster.xlsx")
    assert TEXTS("stats-roster-saved", saved=1, failed=0) in boss.last.text
    assert await roster(world) == {(found["school-1"].id, 11): 40}
    await boss.click(TEXTS("btn-stats-back"))
    assert "54" not in boss.last.text
    assert head("all") in boss.last.text


async def test_empty_cells_are_named_as_not_filled_in_and_each_reason_is_a_sentence(
    world: World,
) -> None:
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-roster"))
    rows = ["Школа;Класс;Учащихся", ";;", "Школа № 99;0;", "Школа № 1;9;54"]
    await boss.send_document("\n".join(rows).encode(), "контингент.csv")
    text = boss.last.text
    assert TEXTS("stats-roster-saved", saved=1, failed=1).split(":")[0] in text
    assert (
        "Строка 3: Неизвестная школа «Школа № 99» — нужен код из каталога (school-1), короткое"
        " или полное название. Класс «0» — нужен от 1 до 11. Число учащихся не заполнено —"
        " нужно целое число, не меньше 0."
    ) in text
    assert "«»" not in text
    assert not any(line.endswith(";") for line in text.split("\n"))
    await boss.send("Школа № 1; ; 20")
    assert "Строка 1: Класс не заполнен — нужен от 1 до 11." in boss.last.text
    await boss.send("; 9; 20")
    assert "Строка 1: Не заполнена школа — нужен код из каталога" in boss.last.text
    await boss.send_document("Школа;Учащихся\nШкола № 1;54".encode(), "контингент.csv")
    assert "Нет нужных столбцов в первой строке: класс." in boss.last.text


async def test_a_file_that_is_not_a_roster_is_answered_and_changes_nothing(world: World) -> None:
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-roster"))
    await boss.send_document(b"\x00\x01 binary", "roster.xlsx")
    assert TEXTS("stats-roster-nothing") in boss.last.text
    assert TEXTS("roster-problem-format") in boss.last.text
    assert "трока 0" not in boss.last.text  # the file as a whole, not a line of it
    await boss.send_document(b"a", "photo.jpg")
    assert TEXTS("roster-problem-format") in boss.last.text
    assert await roster(world) == {}


async def test_the_terms_figures_typed_with_a_mistake_first(world: World) -> None:
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-term"))
    await boss.send("вторая четверть")
    assert TEXTS("stats-term-bad", schools=7) in boss.last.text
    await boss.send("2; 14; 35; 99")  # more schools than the town has
    assert TEXTS("stats-term-bad", schools=7) in boss.last.text
    await boss.send("2; 14; 35; 6")
    assert TEXTS("stats-term-saved", term=2) in boss.last.text
    assert "6 из 7" in boss.last.text
    async with world.app.uow_factory() as uow:
        stored = (await uow.session.scalars(select(TermIndicators))).one()
    assert (stored.term, stored.agreements, stored.teachers_trained) == (2, 14, 35)
    await boss.send("1; 1; 1; 1")  # the input is closed: a typed line goes on to the fallback
    async with world.app.uow_factory() as uow:
        assert len((await uow.session.scalars(select(TermIndicators))).all()) == 1


async def test_an_input_left_open_is_closed_by_the_cabinet(world: World) -> None:
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-term"))
    await boss.send("/manage")  # left without entering the figures
    await boss.send("2; 14; 35; 6")
    assert TEXTS("stats-term-saved", term=2) not in boss.last.text
    assert TEXTS("stats-term-bad", schools=7) not in boss.last.text
    assert boss.last.text.startswith(TEXTS("unexpected-text"))
    assert TEXTS("btn-stats") in [label for label, _ in boss.last.buttons]  # the cabinet
    async with world.app.uow_factory() as uow:
        assert (await uow.session.scalars(select(TermIndicators))).all() == []


async def test_a_school_coordinator_sees_only_their_school(world: World) -> None:
    found = await schools(world.app)
    s1, s5 = found["school-1"].id, found["school-5"].id
    for user, school in ((101, s1), (102, s1), (103, s1), (104, s5)):
        await add_user(world.app, user, school, 10)
        await add_step(world.app, user, school, 10)
    teacher = await coordinator(world, SCHOOL_COORDINATOR, "school-1")
    await teacher.send("/stats")
    assert head(found["school-1"].short_name) in teacher.last.text
    # The town's line and the school's under one heading of the indicator, not two.
    heading = TEXTS("stats-coverage-head", roster="no", target="80\u00a0%")
    assert teacher.last.text.count(heading) == 1
    where = TEXTS("stats-where", where=found["school-1"].short_name)
    assert TEXTS("stats-coverage-no-roster", where=where, part="3") in teacher.last.text
    labels = [label for label, _ in teacher.last.buttons]
    assert TEXTS("btn-stats-roster") not in labels
    await teacher.click(TEXTS("btn-stats-xlsx"))
    [report] = world.telegram.files
    book = load_workbook(io.BytesIO(report.data))
    page = book[TEXTS("stats-sheet", sheet="coverage")]
    named = {row[0] for row in page.iter_rows(min_row=5, values_only=True)}
    assert named == {found["school-1"].short_name, TEXTS("stats-total")}
    assert page.cell(row=5, column=3).value == 3  # its three students, not the fourth
    await teacher.press(Stats(action=StatsStep.ROSTER).pack())  # the committee's, forged
    assert TEXTS("not-permitted") in teacher.last.text
    assert teacher.last_toast == TEXTS("not-permitted-toast")


async def test_a_non_coordinator_is_refused_however_they_ask(world: World) -> None:
    student = world.user(5001)
    await register(student)
    await student.send("/stats")
    assert TEXTS("not-permitted") in student.last.text
    for action in StatsStep:
        await student.press(Stats(action=action).pack())
        assert TEXTS("not-permitted") in student.last.text
        assert student.last_toast == TEXTS("not-permitted-toast")
    assert world.telegram.files == []


async def test_a_revoked_coordinator_loses_the_stats_at_once(world: World) -> None:
    boss = await coordinator(world, COMMITTEE, "committee")
    await boss.send("/stats")
    await boss.click(TEXTS("btn-stats-roster"))
    async with world.app.uow_factory() as uow, uow.write():
        await uow.coordinators.revoke(COMMITTEE)
    await boss.send("Школа № 1; 9; 50")
    assert TEXTS("not-permitted") in boss.last.text
    assert await roster(world) == {}
    await boss.press(Stats(action=StatsStep.CHART).pack())
    assert TEXTS("not-permitted") in boss.last.text
    assert world.telegram.files == []
