"""Columns by name: the docs' wire names and common spellings, unused and misspelt columns.

A header cell names a :class:`Column` when, compared ignoring case, spaces, ``_`` and
``-``, it equals the column's name or one of its aliases (``studentUid`` = ``Student
UID`` = ``uid``). :func:`match_header` maps a header row onto the columns a file may
hold, refuses a header cell that looks like a misspelt column the file lacks
(``telphone``), and warns about every other column it will not read.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence

import attrs

from .cells import EMPTY, Cell, InputFileError, Row, Table

#: Where warnings go (the command prints them on stderr).
Warn = Callable[[str], None]
#: Names shorter than this are never taken for misspellings (``id`` is not ``uid``).
_NEAR_MISS_CHARS = 4
_NEAR_MISS_RATIO = 0.8


def normalise_name(name: str) -> str:
    """A column name compared ignoring case, spaces, ``_`` and ``-`` (``Student UID``)."""
    return "".join(ch for ch in name.casefold() if ch not in " _-\t\u3000")


@attrs.frozen
class Column:
    """A column a file may hold: its name in messages and the other names it goes by.

    Attributes:
        name: the name used in messages and the README (snake_case, as the SDK's keywords).
        aliases: other accepted names: the docs' wire name first, then common spellings.
    """

    name: str
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        """Every normalised name that means this column."""
        return frozenset(normalise_name(name) for name in (self.name, *self.aliases))


STUDENT_UID = Column("student_uid", ("studentUid", "uid", "学生UID"))
CLASS_ID = Column("class_id", ("classId", "lesson_id", "课节ID"))
ACTIVITY_ID = Column("activity_id", ("activityId", "活动ID"))
TELEPHONE = Column(
    "telephone",
    ("phone", "mobile", "tel", "phone number", "mobile number", "手机号", "手机号码", "电话"),
)
EMAIL = Column("email", ("e-mail", "mail", "email address", "邮箱", "电子邮箱"))
PASSWORD = Column("password", ("密码",))
MD5_PASSWORD = Column("md5_password", ("md5pass", "md5"))
NICKNAME = Column("nickname", ("nick_name", "name", "昵称", "姓名"))
ADD_TO_SCHOOL = Column("add_to_school", ("addToSchoolMember", "role"))
CUSTOM_COLUMN = Column("custom_column", ("customColumn",))
#: Columns whose values are never quoted: nor is any cell of a file holding one, since
#: a swapped column or a header-less file puts a password where another value belongs.
SECRET_COLUMNS: tuple[Column, ...] = (PASSWORD, MD5_PASSWORD)
GROUP = Column("group")
IS_LEADER = Column("is_leader", ("isLeader",))

#: Every column some file of the command reads, for `--column` names given by alias.
KNOWN: tuple[Column, ...] = (
    STUDENT_UID,
    CLASS_ID,
    ACTIVITY_ID,
    TELEPHONE,
    EMAIL,
    PASSWORD,
    MD5_PASSWORD,
    NICKNAME,
    ADD_TO_SCHOOL,
    CUSTOM_COLUMN,
    GROUP,
    IS_LEADER,
)


def same_column(name: str) -> frozenset[str]:
    """The normalised names meaning the same as ``name``: its column's, or itself alone."""
    key = normalise_name(name)
    for column in KNOWN:
        if key in column.keys:
            return column.keys
    return frozenset({key})


def find_column(names: Sequence[str], wanted: str) -> list[int]:
    """Indexes of the header names equal to ``wanted``; else of those meaning the same."""
    keys = [normalise_name(name) for name in names]
    exact = [i for i, key in enumerate(keys) if key == normalise_name(wanted)]
    if exact:
        return exact
    same = same_column(wanted)
    return [i for i, key in enumerate(keys) if key in same]


def near_miss(name: str, columns: Iterable[Column]) -> Column | None:
    """The column ``name`` looks like a misspelling of (``telphone``: telephone), if any."""
    key = normalise_name(name)
    if len(key) < _NEAR_MISS_CHARS:
        return None
    by_key = {alias: column for column in columns for alias in column.keys}
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=_NEAR_MISS_RATIO)
    return by_key[close[0]] if close else None


@attrs.frozen
class Header:
    """A header row mapped onto columns: where each found column is, and the data rows.

    Attributes:
        row: the header row.
        index: the position of each column found, by its name.
        rows: the data rows after the header, whole-line comments left out.
    """

    row: Row
    index: dict[str, int]
    rows: tuple[Row, ...]

    def __contains__(self, column: Column) -> bool:
        return column.name in self.index

    def cell(self, row: Row, column: Column) -> Cell:
        """The row's cell in ``column`` (empty when the file lacks the column)."""
        at = self.index.get(column.name)
        return EMPTY if at is None else row[at]


def match_header(
    table: Table,
    columns: Sequence[Column],
    *,
    warn: Warn,
    required: Sequence[Sequence[Column]] = (),
    empty: str = "no rows",
) -> Header:
    """Take the first row that is not a comment as the header and map it onto ``columns``.

    A header cell naming no column is named in a warning, or refused when it looks
    like a misspelling of a column the header lacks; two cells naming one column are
    refused; values under a column without a header are warned about too. In a file
    that may hold passwords (``columns`` has one of :data:`SECRET_COLUMNS`) a first row
    that names no column at all is data (a file without a header): its cells are named
    by their place, never quoted.

    Args:
        table: the file read.
        columns: the columns the file may hold.
        warn: called with each warning's text.
        required: groups of columns of which the header must name one each
            (``[[TELEPHONE, EMAIL], [PASSWORD, MD5_PASSWORD]]``).
        empty: the message's end when the file has no header row.

    Raises:
        InputFileError: no header row, a required column missing, a misspelt or
            repeated column (all listed).
    """
    rows = [row for row in table.rows if not row.comment]
    if not rows:
        message = f"{table.path}: {empty}"
        raise InputFileError([message])
    head = rows[0]

    def shown(at: int) -> str:
        """A header cell naming no column: its text, or where it may be a password its place."""
        return repr(head.texts[at]) if quoted else table.cell_name(head, at)

    index: dict[str, int] = {}
    problems: list[str] = []
    unused: list[int] = []
    for at, text in enumerate(head.texts):
        key = normalise_name(text)
        column = next((c for c in columns if key in c.keys), None)
        if column is not None and column.name in index:
            first = head.texts[index[column.name]]
            problems.append(
                f"{table.where(head)}: columns {first!r} and {text!r} both name "
                f"{column.name}; keep one"
            )
        elif column is not None:
            index[column.name] = at
        elif key:
            unused.append(at)
    quoted = bool(index) or not any(column in columns for column in SECRET_COLUMNS)
    lacking = [group for group in required if not any(c.name in index for c in group)]
    if lacking:
        needs = _listed([" or ".join(c.name for c in group) for group in required], ", and ")
        missing = _listed([" or ".join(c.name for c in group) for group in lacking], ", ")
        header = repr(", ".join(head.texts)) if quoted else "(its first row, not shown)"
        problems.append(
            f"{table.where(head)}: cannot use the header {header}: the header must name "
            f"{needs} (missing: {missing})"
        )
    missing_columns = [column for column in columns if column.name not in index]
    for at in unused:
        guess = near_miss(head.texts[at], missing_columns)
        if guess is not None:
            problems.append(
                f"{table.where(head)}: column {shown(at)} is not one the command reads: "
                f"did you mean {guess.name!r}? (rename it in the header)"
            )
    if problems:
        raise InputFileError(problems)
    if unused:
        names = ", ".join(shown(at) for at in unused)
        reads = ", ".join(column.name for column in columns)
        warn(
            f"{table.where(head)}: not reading the column(s) {names} (this file's columns: {reads})"
        )
    body = tuple(rows[1:])
    _warn_unnamed(table, head, body, warn)
    return Header(head, index, body)


def _listed(names: list[str], last: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + last + names[-1]


def _warn_unnamed(table: Table, head: Row, rows: Sequence[Row], warn: Warn) -> None:
    """Warn once about values in columns without a header (never read)."""
    unnamed = {at for at, text in enumerate(head.texts) if not text}
    for row in rows:
        stray = [
            at for at in range(len(row)) if (at >= len(head) or at in unnamed) and row[at].text
        ]
        if stray:
            warn(
                f"{table.where(row)}: not reading {table.cell_name(row, stray[0])}: its "
                "column has no header (and so no meaning); name it or clear it"
            )
            return
