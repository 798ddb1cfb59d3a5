"""The command's input files: ID lists, group plans and accounts, read through one table reader.

Every file goes through :func:`~.tables.read_table` (CSV in the encodings Excel writes,
or an .xlsx sheet), so each keeps its line numbers, quoted cells exactly and whole-line
comments only. Every problem names ``FILE:LINE`` (a workbook's row number), and every
bad line is listed before anything is returned.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from .._constants import LOGGER_NAME
from .._errors import EEOError
from .._models import GroupMember
from .._wire.kinds import validate_id
from .cells import MAX_EXACT_FLOAT, Cell, InputFileError, Row, Table
from .columns import (
    GROUP,
    IS_LEADER,
    STUDENT_UID,
    Column,
    Warn,
    find_column,
    match_header,
    near_miss,
    normalise_name,
)
from .tables import is_workbook, read_table, read_text

__all__ = [
    "FILES",
    "InputFileError",
    "cell_id",
    "choose_sheets",
    "excel_number",
    "normalise_name",
    "read_groups",
    "read_ids",
]

_log = logging.getLogger(LOGGER_NAME)
#: What a file option accepts, for help texts.
FILES = "CSV or text file, or .xlsx workbook"

# What Excel makes of an ID (or a telephone) in a column formatted as a number, and how
# to undo it: the advice names the cause, since "bad ID" alone sends people hunting.
_EXCEL_NUMBERS = (
    (
        re.compile(r"\d+\.0+"),
        "Excel has turned the {what} into a number with decimals; format the column as "
        "Text (or as Number with 0 decimal places) and save again",
    ),
    (
        re.compile(r"\d(\.\d+)?E\+?\d+", re.IGNORECASE),
        "Excel has turned the {what} into a number in scientific notation, which may have "
        "lost digits; format the column as Text, enter the values again and save again",
    ),
    (
        re.compile(r"\d{1,3}(,\d{3})+"),
        "Excel's number format added thousands separators to the {what}; format the "
        "column as Text or General and save again",
    ),
)


def excel_number(text: str, what: str = "ID") -> str | None:
    """How to fix ``text`` when it is a value Excel has turned into a number, else None."""
    for pattern, advice in _EXCEL_NUMBERS:
        if pattern.fullmatch(text.strip()):
            return advice.format(what=what)
    return None


def cell_id(table: Table, row: Row, at: int, cell: Cell) -> int | str:
    """The cell's ID, or the problem to report (``FILE:LINE: bad ID ...``, with advice)."""
    value = cell.value
    if type(value) is str or type(value) is int:  # the common case first: it is hot
        try:
            return validate_id(value, "id")
        except EEOError:
            pass
    place = f" in cell {table.cell_name(row, at)}" if table.kind == "xlsx" else ""
    where = table.where(row)
    if isinstance(value, float):
        # A workbook number: Excel stores every number as a float, so 1000001.0 is the ID.
        if value.is_integer() and 0 < value < MAX_EXACT_FLOAT:
            return int(value)
        if value.is_integer() and value <= 0:
            return f"{where}: bad ID {cell.text}{place}"
        why = "has a fraction" if not value.is_integer() else "is too large to be held exactly"
        return (
            f"{where}: bad ID {cell.text}{place}: a number that {why}; format the column "
            "as Text and enter the IDs again"
        )
    if value is None or (isinstance(value, int | str) and not isinstance(value, bool)):
        advice = excel_number(cell.text)
        return f"{where}: bad ID {_shown(cell.text)}{place}" + (f": {advice}" if advice else "")
    return f"{where}: bad ID {cell.text}{place}: a {type(value).__name__} cell, not a number"


def _shown(value: str) -> str:
    """The value as quoted in messages, cut short (an unclosed quote can swallow a file)."""
    return repr(value) if len(value) <= 60 else f"{value[:60]!r}... ({len(value)} characters)"


def read_ids(
    path: str | Path,
    column: str | None = None,
    *,
    option: str = "--column",
    known: Column | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> list[int]:
    """Read IDs: one per line, or a column of a CSV file or workbook; repeats are kept.

    The first record is a header only when it names ``column`` or cannot be an ID at all
    (it has no digit); anything else is data, checked like every other line. With a
    header, ``column`` picks the column (names match ignoring case, spaces, ``_`` and
    ``-``, and a column's other names count: ``uid`` finds ``studentUid``); a
    one-column header needs none. Blank lines and unquoted ``#`` comments are skipped.
    A workbook's number cells are IDs when whole; every bad line is reported as
    ``FILE:LINE: bad ID '12x'`` (with advice when Excel made the ID a number) before
    anything is returned.

    Args:
        path: the file.
        column: the header name of the column holding the IDs.
        option: the command option that names the column, for messages.
        known: the column the file is for (``STUDENT_UID``), to hint at it in messages.
        sheet: the workbook's sheet (default: the first).
        encoding: the text file's encoding (default: detected).

    Raises:
        InputFileError: unreadable file, unknown column or bad IDs (all listed).
    """
    table = read_table(path, sheet=sheet, encoding=encoding)
    rows = list(table.rows)
    while rows and rows[0].hashed:
        rows.pop(0)  # comments above the header (or the first ID)
    if not rows:
        message = f"{table.path}: no IDs in the file"
        raise InputFileError([message])
    index = _header_index(table, rows[0], column, option, known)
    if index is not None:
        if len(rows[0]) == 1:
            index = None  # one column: a record with more fields is a bad line
        rows = rows[1:]
    ids, problems = _ids(table, rows, index)
    if problems:
        raise InputFileError(problems)
    if not ids:
        message = f"{table.path}: no IDs in the file"
        raise InputFileError([message])
    return ids


def _ids(table: Table, rows: list[Row], index: int | None) -> tuple[list[int], list[str]]:
    """The IDs of the data rows (``index``: their column; None: one ID a row), and problems."""
    ids: list[int] = []
    problems: list[str] = []
    joiner = table.delimiter or ","
    for row in rows:
        if row.hashed and (not index or len(row) == 1):
            continue
        if index is None and len(row) > 1:
            problems.append(f"{table.where(row)}: bad ID {_shown(joiner.join(row.texts))}")
            continue
        at = index or 0
        value = row.value(at)
        # The common case, at the speed of a million lines: plain digits (0 goes below).
        if type(value) is str and value.isdigit() and value.isascii() and len(value) < 19:
            ids.append(int(value))
            if ids[-1]:
                continue
            ids.pop()
        found = cell_id(table, row, at, row[at])
        if isinstance(found, int):
            ids.append(found)
        else:
            problems.append(found)
    return ids, problems


def choose_sheets(
    paths: dict[str, Path | None], own: dict[str, str | None], common: str | None
) -> dict[str, str]:
    """The sheet to read in each file (by option): its own option, else ``common``.

    ``common`` (``--sheet``) goes to the workbooks among the files, so a lessons list in
    CSV beside a students workbook is fine; where no file is a workbook it goes to all,
    so the reader says why it means nothing.
    """
    sheets = {flag: name for flag, name in own.items() if name is not None}
    if common is not None:
        books = {flag for flag, path in paths.items() if path is not None and is_workbook(path)}
        for flag in books or set(paths):
            sheets.setdefault(flag, common)
    return sheets


def _header_index(
    table: Table, first: Row, column: str | None, option: str, known: Column | None
) -> int | None:
    """The ID column's index when ``first`` is a header; None when it is data."""
    names = first.texts
    where = table.where(first)
    if column is not None:
        found = find_column(names, column)
        if len(found) == 1:
            return found[0]
        if found:
            shown = ", ".join(names[i] for i in found)
            message = f"{where}: several columns name {column!r} ({shown}); keep one"
            raise InputFileError([message])
    if any(ch.isdigit() for name in names for ch in name):
        return None  # could be an ID: data, never silently dropped
    shown = ", ".join(names)
    if column is not None:
        message = f"{where}: no column {column!r} in the header; columns: {shown}"
        guess = [name for name in names if near_miss(name, [Column(column)])]
        if guess:
            message += f" (did you mean {guess[0]!r}?)"
        raise InputFileError([message])
    if len(names) > 1:
        message = f"{where}: several columns ({shown}); choose one with {option}"
        likely = [name for name in names if known and normalise_name(name) in known.keys]
        if len(likely) == 1:
            message += f" (e.g. {option} {likely[0]!r})"
        raise InputFileError([message])
    return 0


_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n", ""}
_GROUP_COLUMNS = (GROUP, STUDENT_UID, IS_LEADER)


def read_groups(
    path: str | Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    warn: Warn | None = None,
) -> list[list[GroupMember]]:
    """Read a group plan: the documented JSON, or a table with ``group,student_uid,is_leader``.

    Headers match loosely (``Group,Student UID,Is Leader`` and the docs' ``studentUid``,
    ``isLeader`` work); another column is named in a warning, or refused when it looks
    like a misspelt needed one. Rows are grouped by their group label, in order.

    Raises:
        InputFileError: unreadable file, an unusable header or bad lines (all listed,
            with line numbers).
    """
    path = Path(path)
    if not is_workbook(path):
        text = read_text(path, encoding)
        if text.lstrip().startswith("["):
            return _groups_from_json(path, text)
    table = read_table(path, sheet=sheet, encoding=encoding)
    header = match_header(
        table,
        _GROUP_COLUMNS,
        warn=warn or _log.warning,
        required=[[column] for column in _GROUP_COLUMNS],
        empty="no groups in the file",
    )
    groups, problems = _group_rows(
        table, header.rows, [header.index[c.name] for c in _GROUP_COLUMNS]
    )
    if problems:
        raise InputFileError(problems)
    if not groups:
        message = f"{path}: no groups in the file"
        raise InputFileError([message])
    return list(groups.values())


def _group_rows(
    table: Table, rows: tuple[Row, ...], where: list[int]
) -> tuple[dict[str, list[GroupMember]], list[str]]:
    """Members by group label, and every problem: bad rows, repeats, leader counts."""
    groups: dict[str, list[GroupMember]] = {}
    leaders: dict[str, list[int]] = {}  # group label -> lines of its leaders
    seen: dict[int, int] = {}  # student -> line
    problems: list[str] = []
    for row in rows:
        number = row.line
        label, uid, leader = (row[i] for i in where)
        flag = leader.text.casefold()
        student = cell_id(table, row, where[1], uid) if uid.text else None
        if not label.text:
            problems.append(f"{table.where(row)}: no group label")
        elif not isinstance(student, int):
            problems.append(student or f"{table.where(row)}: bad ID ''")
        elif flag not in _TRUE | _FALSE:
            problems.append(f"{table.where(row)}: bad is_leader {leader.text!r} (use 1/0)")
        elif student in seen:
            problems.append(
                f"{table.where(row)}: student {student} is already on line {seen[student]}"
            )
        else:
            seen[student] = number
            groups.setdefault(label.text, []).append(GroupMember(student, is_leader=flag in _TRUE))
            leaders.setdefault(label.text, [])
            if flag in _TRUE:
                leaders[label.text].append(number)
    for name, lines in leaders.items():
        if len(lines) != 1:
            shown = f"lines {', '.join(map(str, lines))}" if lines else "none"
            problems.append(
                f"{table.path}: group {name!r} needs exactly one leader, has {len(lines)} ({shown})"
            )
    return groups, problems


def _groups_from_json(path: Path, text: str) -> list[list[GroupMember]]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        message = f"{path}: not valid JSON: {exc}"
        raise InputFileError([message]) from None
    problems: list[str] = []
    groups: list[list[GroupMember]] = []
    if not isinstance(doc, list):
        doc = [doc]
        problems.append(f"{path}: expected a list of groups")
    for g, group in enumerate(doc):
        members = []
        for m, entry in enumerate(group if isinstance(group, list) else [group]):
            where = f"{path}: groups[{g}][{m}]"
            if not isinstance(entry, dict):
                problems.append(f"{where}: expected {{'studentUid': ..., 'isLeader': 0/1}}")
                continue
            uid, leader = entry.get("studentUid"), entry.get("isLeader", 0)
            if isinstance(uid, bool) or not isinstance(uid, int | str) or not _is_id(str(uid)):
                problems.append(f"{where}: bad ID {uid!r}")
            elif leader not in (0, 1, True, False):
                problems.append(f"{where}: bad isLeader {leader!r}")
            else:
                members.append(GroupMember(validate_id(str(uid), "id"), is_leader=bool(leader)))
        groups.append(members)
    if problems:
        raise InputFileError(problems)
    return groups


def _is_id(text: str) -> bool:
    try:
        validate_id(text, "id")
    except EEOError:
        return False
    return True
