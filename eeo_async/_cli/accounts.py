"""``register``'s accounts file: a CSV file or workbook whose header names its columns."""

from __future__ import annotations

import logging
from pathlib import Path

from .._constants import LOGGER_NAME
from .._errors import EEOError
from .._models import NewUser
from .cells import InputFileError, Row, Table
from .columns import (
    ADD_TO_SCHOOL,
    CUSTOM_COLUMN,
    EMAIL,
    MD5_PASSWORD,
    NICKNAME,
    PASSWORD,
    TELEPHONE,
    Header,
    Warn,
    match_header,
)
from .files import excel_number
from .tables import read_table

_log = logging.getLogger(LOGGER_NAME)

ACCOUNT_COLUMNS = (
    TELEPHONE,
    EMAIL,
    PASSWORD,
    MD5_PASSWORD,
    NICKNAME,
    ADD_TO_SCHOOL,
    CUSTOM_COLUMN,
)
#: Values this short are hidden only where quoted: bare, they are words of the message.
_SHORTEST_HIDDEN = 4
#: ``add_to_school`` as people write it: the role, the docs' ``addToSchoolMember`` values.
_ROLES: dict[str, str | None] = {
    "student": "student",
    "teacher": "teacher",
    "0": None,
    "1": "student",
    "2": "teacher",
    "学生": "student",
    "老师": "teacher",
    "教师": "teacher",
}


def read_accounts(
    path: str | Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    warn: Warn | None = None,
) -> list[NewUser]:
    """Read accounts to register: a CSV file or workbook with a header naming its columns.

    Columns (any order; names match ignoring case, spaces, ``_`` and ``-``, and the
    docs' wire names count): ``telephone`` or ``email``, ``password`` or
    ``md5_password`` (``md5pass``), and optionally ``nickname``, ``add_to_school``
    (``addToSchoolMember``: ``student``/``teacher`` or 1/2) and ``custom_column``
    (``customColumn``). Another column is named in a warning, or refused when it looks
    like a misspelt one (``telphone``). A quoted cell is kept exactly (a password's
    spaces too); a line is a comment only when an unquoted ``#`` cell is all it holds,
    so ``#Start2026`` in a row of values is a password. Every data row becomes an
    account or a problem ``FILE:LINE: ...``, all listed before anything is returned; a
    problem never quotes a password.

    Raises:
        InputFileError: unreadable file, an unusable header or bad lines (all listed).
    """
    table = read_table(path, sheet=sheet, encoding=encoding)
    header = match_header(
        table,
        ACCOUNT_COLUMNS,
        warn=warn or _log.warning,
        required=[[TELEPHONE, EMAIL], [PASSWORD, MD5_PASSWORD]],
        empty="no accounts in the file",
    )
    users: list[NewUser] = []
    problems: list[str] = []
    for row in header.rows:
        values: dict[str, str | None] = {
            column.name: cell.text
            for column in ACCOUNT_COLUMNS
            if (cell := header.cell(row, column)).text
        }
        role = values.get(ADD_TO_SCHOOL.name)
        if role is not None:  # "Student" as a spreadsheet capitalises it, or 1 as the docs
            values[ADD_TO_SCHOOL.name] = _ROLES.get(role.strip().casefold(), role)
        try:
            users.append(NewUser(**values))
        except (EEOError, TypeError) as exc:
            problem = f"{table.where(row)}: {_unquoted(str(exc), table, row, header)}"
            advice = excel_number(values.get(TELEPHONE.name) or "", "telephone")
            if advice and "telephone" in str(exc):
                problem += f": {advice}"
            if row.hashed:
                problem += " (a line starting with # is a comment only when nothing else is on it)"
            problems.append(problem)
    if problems:
        raise InputFileError(problems)
    if not users:
        message = f"{table.path}: no accounts in the file"
        raise InputFileError([message])
    return users


def _unquoted(message: str, table: Table, row: Row, header: Header) -> str:
    """``message`` without any value of the row: each named by its cell instead.

    Any cell may hold a password (columns swapped, a password under ``telephone``), so
    none is quoted, whichever column's check failed.
    """
    cells = sorted(
        ((at, row[at].text) for at in header.index.values() if at < len(row) and row[at].text),
        key=lambda cell: -len(cell[1]),
    )
    for n, (_, text) in enumerate(cells):  # marks first, so no cell name is replaced again
        message = message.replace(repr(text), f"\0{n}\0")
        if len(text) >= _SHORTEST_HIDDEN:
            message = message.replace(text, f"\0{n}\0")
    for n, (at, _) in enumerate(cells):
        message = message.replace(f"\0{n}\0", f"({table.cell_name(row, at)})")
    return message
