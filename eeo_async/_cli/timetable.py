"""The timetable of ``schedule``: a CSV file or workbook of lessons, one a row.

Columns by name (any order; names match ignoring case, spaces, ``_`` and ``-``, the docs'
wire names and Chinese headers count): ``name``, ``date``, ``start`` and ``end`` (times
of day in the school's time zone; a ``start``/``end`` cell may also hold the date and
time, then ``date`` may be left out), ``teacher_uid``; optionally ``assistant_uids``
(several separated by spaces, commas, semicolons or ``、``), ``seat_num``, ``record``,
``live`` and ``replay`` (yes/no, 1/0, true/false, 是/否). A date is year first
(``2026-03-02``, ``2026/3/2``, ``2026年3月2日``) or a workbook date; a time is ``8:00``,
``08:00:00``, ``8:00 PM`` or a workbook time. Every bad row is a problem ``FILE:LINE:
...``, all listed before anything is returned.
"""

# Chinese punctuation, as a Chinese keyboard types it, is read like its ASCII twin.
# ruff: noqa: RUF001

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from .._api.lesson_items import NewLesson
from .._errors import EEOError
from .cells import Cell, InputFileError, Row, Table
from .columns import Column, Header, Warn, match_header
from .files import cell_id
from .tables import read_table

NAME = Column("name", ("class_name", "className", "lesson", "lesson_name", "课节名称", "课节"))
DATE = Column("date", ("day", "lesson_date", "日期", "上课日期"))
START = Column("start", ("start_time", "begin", "begin_time", "beginTime", "开始时间", "上课时间"))
END = Column("end", ("end_time", "endTime", "finish", "结束时间", "下课时间"))
TEACHER = Column("teacher_uid", ("teacherUid", "teacher", "老师UID", "教师UID", "老师"))
ASSISTANTS = Column(
    "assistant_uids", ("assistantUids", "assistants", "co_teachers", "联席教师", "助教")
)
SEATS = Column("seat_num", ("seatNum", "seats", "上台人数"))
RECORD = Column("record", ("recording", "录课"))
LIVE = Column("live", ("直播",))
REPLAY = Column("replay", ("回放",))
COLUMNS = (NAME, DATE, START, END, TEACHER, ASSISTANTS, SEATS, RECORD, LIVE, REPLAY)

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?\s*([AaPp][Mm])?")
_SPLIT = re.compile(r"[\s,;、，；|]+")
_YES = {"1", "yes", "y", "true", "on", "是", "开", "开启", "√"}
_NO = {"0", "no", "n", "false", "off", "否", "关", "关闭", ""}
#: Excel's day numbers of dates (1954 to 2119), for a date column formatted as a number.
_EXCEL_DAYS = range(20_000, 80_000)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@attrs.frozen
class TimetableRow:
    """One lesson of a timetable: its line, its cells as written, and the lesson."""

    line: int
    texts: tuple[str, ...]
    lesson: NewLesson


@attrs.frozen
class TimetableFile:
    """A timetable read: its header's cells as written, its lessons, its bad rows.

    Attributes:
        path: the file.
        header: the header row's cells as written.
        rows: one per good row, in file order.
        problems: ``(line, "FILE:LINE: ...")`` per bad row (the caller adds its own
            and refuses them all at once, in line order).
    """

    path: Path
    header: tuple[str, ...]
    rows: tuple[TimetableRow, ...]
    problems: tuple[tuple[int, str], ...] = ()


class _Bad(Exception):  # noqa: N818 - a row's problem, turned into "FILE:LINE: ..."
    pass


def _date(cell: Cell) -> dt.date:
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and int(value) in _EXCEL_DAYS:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    found = _DATE.fullmatch(cell.text.strip())
    if found is None:
        message = f"bad date {cell.text!r}: write the year first, as 2026-03-02"
        raise _Bad(message)
    try:
        return dt.date(*map(int, found.groups()))
    except ValueError as exc:
        message = f"bad date {cell.text!r}: {exc}"
        raise _Bad(message) from None


def _time(cell: Cell, what: str) -> dt.time | dt.datetime:
    """A time of day, or a date and time when the cell holds both."""
    value = cell.value
    if isinstance(value, dt.datetime):
        return value if value.date() > _EXCEL_EPOCH else value.time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, dt.timedelta) and value < dt.timedelta(days=1):
        return (dt.datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:  # Excel's fraction of a day
        return (dt.datetime.min + dt.timedelta(days=value)).time().replace(microsecond=0)
    text = cell.text.strip()
    date = _DATE.match(text)
    day = None
    if date is not None:
        day = _date(Cell(date.group(0)))
        text = text[date.end() :].strip(" T")
    found = _TIME.fullmatch(text)
    if not text or found is None:
        message = f"bad {what} time {cell.text!r}: write it as 8:00 or 14:30"
        raise _Bad(message)
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    if found[4]:
        if not 1 <= hour <= 12:
            message = f"bad {what} time {cell.text!r}: {hour} o'clock with AM/PM"
            raise _Bad(message)
        hour = hour % 12 + (12 if found[4].lower() == "pm" else 0)
    try:
        moment = dt.time(hour, minute, second)
    except ValueError:
        message = f"bad {what} time {cell.text!r}: no such time of day"
        raise _Bad(message) from None
    return moment if day is None else dt.datetime.combine(day, moment)


def _flag(cell: Cell, what: str) -> bool | None:
    if not cell.text:
        return None
    key = cell.text.strip().casefold()
    if key in _YES:
        return True
    if key in _NO:
        return False
    message = f"bad {what} {cell.text!r}: write yes or no (or 1 or 0)"
    raise _Bad(message)


def _uid(table: Table, row: Row, at: int | None, cell: Cell, what: str) -> int:
    found = cell_id(table, row, at or 0, cell)
    if isinstance(found, str):
        # cell_id's message reads "FILE:LINE: bad ID 'x'"; keep the part after the place.
        message = f"bad {what} " + found.split(": bad ID ", 1)[-1]
        raise _Bad(message)
    return found


#: Makes a naive date and time aware in the school's zone; ``ValueError`` if it does not exist.
Localise = Callable[[dt.datetime], dt.datetime]


def _moment(day: dt.date | None, value: dt.time | dt.datetime, what: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if day is None:
        message = f"the {what} time {value.isoformat('minutes')} has no date: fill the date column"
        raise _Bad(message)
    return dt.datetime.combine(day, value)


def _lesson(table: Table, header: Header, row: Row, localise: Localise) -> NewLesson:
    def cell(column: Column) -> Cell:
        return header.cell(row, column)

    name = cell(NAME).text
    if not name.strip():
        raise _Bad("no lesson name")
    day = _date(cell(DATE)) if cell(DATE).text else None
    for column in (START, END, TEACHER):
        if not cell(column).text:
            message = f"no {column.name}"
            raise _Bad(message)
    try:
        begin = localise(_moment(day, _time(cell(START), "start"), "start"))
        end = localise(_moment(day, _time(cell(END), "end"), "end"))
    except ValueError as exc:  # a time the school's zone skips (clocks going forward)
        raise _Bad(str(exc)) from None
    if end <= begin:
        message = (
            f"the end {cell(END).text} is not after the start {cell(START).text} (a lesson "
            "past midnight: write the end with its date)"
        )
        raise _Bad(message)
    teacher = _uid(table, row, header.index.get(TEACHER.name), cell(TEACHER), "teacher UID")
    assistants = [
        _uid(table, row, header.index.get(ASSISTANTS.name), Cell(part, value=part), "assistant UID")
        for part in _SPLIT.split(cell(ASSISTANTS).text.strip())
        if part
    ]
    settings: dict[str, Any] = {
        "record": _flag(cell(RECORD), "record"),
        "live": _flag(cell(LIVE), "live"),
        "replay": _flag(cell(REPLAY), "replay"),
    }
    seats = cell(SEATS).text.strip()
    if seats:
        if not seats.isdigit():
            message = f"bad seat_num {seats!r}: a whole number from 0 to 12"
            raise _Bad(message)
        settings["seat_num"] = int(seats)
    try:
        return NewLesson(name, begin, end, teacher, assistant_uids=assistants, **settings)
    except EEOError as exc:
        raise _Bad(str(exc)) from None


def read_timetable(
    path: str | Path,
    *,
    localise: Localise,
    sheet: str | None = None,
    encoding: str | None = None,
    warn: Warn,
) -> TimetableFile:
    """Read a timetable: one ``NewLesson`` per row, its times made aware by ``localise``.

    ``localise`` turns a naive date and time into an aware one in the school's time
    zone (and refuses a time that does not exist there). Bad rows are in ``problems``.

    Raises:
        InputFileError: unreadable file, an unusable header, or no row at all.
    """
    table = read_table(path, sheet=sheet, encoding=encoding)
    header = match_header(
        table,
        COLUMNS,
        warn=warn,
        required=[[NAME], [START], [END], [TEACHER]],
        empty="no lessons in the timetable",
    )
    rows: list[TimetableRow] = []
    problems: list[tuple[int, str]] = []
    for row in header.rows:
        try:
            rows.append(TimetableRow(row.line, row.texts, _lesson(table, header, row, localise)))
        except _Bad as exc:
            problems.append((row.line, f"{table.where(row)}: {exc}"))
    if not rows and not problems:
        message = f"{table.path}: no lessons in the timetable"
        raise InputFileError([message])
    return TimetableFile(Path(path), header.row.texts, tuple(rows), tuple(problems))
