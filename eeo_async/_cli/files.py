"""Readers for the command's input files: ID lists and group plans, as spreadsheets write them.

Every file is parsed by the ``csv`` module over its whole text, so BOMs, CRLF, quoted
fields and line breaks inside quotes are read right; the delimiter (comma, semicolon or
tab) is taken from the first record. Every problem names ``FILE:LINE``, LINE being the
physical line the record starts on (1-based, header counted).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .._errors import EEOError, InputError
from .._models import GroupMember, NewUser
from .._wire.kinds import validate_id

_DELIMITERS = (",", ";", "\t")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

Record = tuple[int, list[str]]


class InputFileError(InputError):
    """One or more bad lines in an input file; ``problems`` holds one text per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def normalise_name(name: str) -> str:
    """A column name compared ignoring case, spaces, ``_`` and ``-`` (``Student UID``)."""
    return "".join(ch for ch in name.casefold() if ch not in " _-\t")


def _is_id(text: str) -> bool:
    try:
        validate_id(text, "id")
    except EEOError:
        return False
    return True


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        message = f"{path}: cannot read: {exc.strerror or exc}"
        raise InputFileError([message]) from None
    try:
        # Excel's "Unicode text" export is UTF-16 with a BOM; everything else is UTF-8.
        return raw.decode("utf-16" if raw.startswith(_UTF16_BOMS) else "utf-8-sig")
    except UnicodeDecodeError:
        message = f"{path}: cannot read: not UTF-8 text (save it as 'CSV UTF-8')"
        raise InputFileError([message]) from None


def _delimiter(text: str) -> str:
    """The delimiter giving the first content record the most fields (comma on a tie)."""
    first = next(
        (line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")),
        "",
    )
    counts = [len(next(csv.reader([first], delimiter=d), [])) for d in _DELIMITERS]
    return _DELIMITERS[counts.index(max(counts))]


def read_records(path: Path) -> tuple[list[Record], str]:
    """``(line, fields)`` of every non-blank record, and the delimiter found.

    Fields are stripped of spaces; trailing empty fields (a spreadsheet's unused
    columns) are dropped, and records left empty are skipped as blank lines.
    """
    text = _text(path)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = f"{path}:{start}: not readable as CSV: {exc}"
            raise InputFileError([message]) from None
        fields = [field.strip() for field in row]
        while fields and not fields[-1]:
            fields.pop()
        if fields:
            records.append((start, fields))
    return records, delimiter


def _is_comment(fields: list[str]) -> bool:
    return fields[0].startswith("#")


def read_ids(path: str | Path, column: str | None = None, *, option: str = "--column") -> list[int]:
    """Read IDs: one per line, or a CSV column; repeats are kept (the planner drops them).

    The first record is a header only when it names ``column`` or cannot be an ID at all
    (it has no digit); anything else is data, checked like every other line. With a
    header, ``column`` picks the column (names match ignoring case, spaces, ``_`` and
    ``-``); a one-column header needs none. Blank lines and ``#`` comments are skipped.
    Every bad line is reported as ``FILE:LINE: bad ID '12x'`` before anything is returned.

    Args:
        path: the file.
        column: the header name of the column holding the IDs.
        option: the command option that names the column, for messages.

    Raises:
        InputFileError: unreadable file, unknown column or bad IDs (all listed).
    """
    path = Path(path)
    records, delimiter = read_records(path)
    records = _drop_leading_comments(records)
    if not records:
        message = f"{path}: no IDs in the file"
        raise InputFileError([message])
    index = _header_index(path, records[0], column, option)
    if index is not None:
        if len(records[0][1]) == 1:
            index = None  # one column: a record with more fields is a bad line
        records = records[1:]
    ids: list[int] = []
    problems: list[str] = []
    for number, fields in records:
        if _is_comment(fields) and (not index or len(fields) == 1):
            continue
        if index is None:
            value = fields[0] if len(fields) == 1 else delimiter.join(fields)
        else:
            value = fields[index] if index < len(fields) else ""
        if _is_id(value):
            ids.append(validate_id(value, "id"))
        else:
            problems.append(f"{path}:{number}: bad ID {_shown(value)}")
    if problems:
        raise InputFileError(problems)
    if not ids:
        message = f"{path}: no IDs in the file"
        raise InputFileError([message])
    return ids


def _shown(value: str) -> str:
    """The value as quoted in messages, cut short (an unclosed quote can swallow a file)."""
    return repr(value) if len(value) <= 60 else f"{value[:60]!r}... ({len(value)} characters)"


def _drop_leading_comments(records: list[Record]) -> list[Record]:
    for position, (_, fields) in enumerate(records):
        if not _is_comment(fields):
            return records[position:]
    return []


def _header_index(path: Path, first: Record, column: str | None, option: str) -> int | None:
    """The ID column's index when ``first`` is a header; None when it is data."""
    number, names = first
    wanted = normalise_name(column) if column is not None else None
    normalised = [normalise_name(name) for name in names]
    if wanted is not None and wanted in normalised:
        return normalised.index(wanted)
    if any(ch.isdigit() for name in names for ch in name):
        return None  # could be an ID: data, never silently dropped
    shown = ", ".join(names)
    if column is not None:
        message = f"{path}:{number}: no column {column!r} in the header; columns: {shown}"
        raise InputFileError([message])
    if len(names) > 1:
        message = f"{path}:{number}: several columns ({shown}); choose one with {option}"
        raise InputFileError([message])
    return 0


_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n", ""}
#: The group CSV's columns (normalised names); other columns are ignored.
_GROUP_COLUMNS = ("group", "studentuid", "isleader")


def read_groups(path: str | Path) -> list[list[GroupMember]]:
    """Read a group plan: the documented JSON, or CSV with ``group,student_uid,is_leader``.

    CSV headers match like ID files' (``Group,Student UID,Is Leader,Name`` works; other
    columns are ignored). Rows are grouped by their group label, in order of appearance.

    Raises:
        InputFileError: unreadable file, an unusable header or bad lines (all listed,
            with line numbers).
    """
    path = Path(path)
    if _text(path).lstrip().startswith("["):
        return _groups_from_json(path)
    records, _ = read_records(path)
    records = _drop_leading_comments(records)
    if not records:
        message = f"{path}: no groups in the file"
        raise InputFileError([message])
    number, names = records[0]
    normalised = [normalise_name(name) for name in names]
    missing = [name for name in _GROUP_COLUMNS if name not in normalised]
    if missing:
        message = (
            f"{path}:{number}: cannot use the header {', '.join(names)!r}: it needs the "
            "columns group, student_uid and is_leader (other columns are ignored)"
        )
        raise InputFileError([message])
    where = [normalised.index(name) for name in _GROUP_COLUMNS]
    groups, problems = _group_rows(path, records[1:], where)
    if problems:
        raise InputFileError(problems)
    if not groups:
        message = f"{path}: no groups in the file"
        raise InputFileError([message])
    return list(groups.values())


def _group_rows(
    path: Path, records: list[Record], where: list[int]
) -> tuple[dict[str, list[GroupMember]], list[str]]:
    """Members by group label, and every problem: bad rows, repeats, leader counts."""
    groups: dict[str, list[GroupMember]] = {}
    leaders: dict[str, list[int]] = {}  # group label -> lines of its leaders
    seen: dict[int, int] = {}  # student -> line
    problems: list[str] = []
    for number, fields in records:
        if _is_comment(fields) and len(fields) == 1:
            continue
        label, uid, leader = (fields[i] if i < len(fields) else "" for i in where)
        if not label:
            problems.append(f"{path}:{number}: no group label")
        elif not _is_id(uid):
            problems.append(f"{path}:{number}: bad ID {uid!r}")
        elif leader.lower() not in _TRUE | _FALSE:
            problems.append(f"{path}:{number}: bad is_leader {leader!r} (use 1/0)")
        elif (student := validate_id(uid, "id")) in seen:
            problems.append(
                f"{path}:{number}: student {student} is already on line {seen[student]}"
            )
        else:
            seen[student] = number
            groups.setdefault(label, []).append(
                GroupMember(student, is_leader=leader.lower() in _TRUE)
            )
            leaders.setdefault(label, [])
            if leader.lower() in _TRUE:
                leaders[label].append(number)
    for label, lines in leaders.items():
        if len(lines) != 1:
            shown = f"lines {', '.join(map(str, lines))}" if lines else "none"
            problems.append(
                f"{path}: group {label!r} needs exactly one leader, has {len(lines)} ({shown})"
            )
    return groups, problems


def _groups_from_json(path: Path) -> list[list[GroupMember]]:
    try:
        doc = json.loads(_text(path))
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
            if not _is_id(str(uid)) or isinstance(uid, bool):
                problems.append(f"{where}: bad ID {uid!r}")
            elif leader not in (0, 1, True, False):
                problems.append(f"{where}: bad isLeader {leader!r}")
            else:
                members.append(GroupMember(validate_id(str(uid), "id"), is_leader=bool(leader)))
        groups.append(members)
    if problems:
        raise InputFileError(problems)
    return groups


#: Account file columns, by their normalised header names.
_ACCOUNT_COLUMNS: dict[str, str] = {
    "telephone": "telephone",
    "phone": "telephone",
    "mobile": "telephone",
    "email": "email",
    "password": "password",
    "md5password": "md5_password",
    "md5pass": "md5_password",
    "nickname": "nickname",
    "name": "nickname",
    "addtoschool": "add_to_school",
    "role": "add_to_school",
}


def read_accounts(path: str | Path) -> list[NewUser]:
    """Read accounts to register: a CSV with a header naming its columns.

    Columns (any order and spelling: case, spaces, ``_`` and ``-`` ignored): ``telephone``
    or ``email``, ``password`` or ``md5_password``, and optionally ``nickname`` and
    ``add_to_school`` (``student`` or ``teacher``). Every bad line is reported as
    ``FILE:LINE: ...`` before anything is returned; a problem never quotes a password.

    Raises:
        InputFileError: unreadable file, an unusable header or bad lines (all listed).
    """
    path = Path(path)
    records, _ = read_records(path)
    records = [record for record in records if not _is_comment(record[1])]
    if not records:
        message = f"{path}: no accounts in the file"
        raise InputFileError([message])
    first_line, header = records[0]
    columns = [_ACCOUNT_COLUMNS.get(normalise_name(name)) for name in header]
    named = {column for column in columns if column}
    if not named & {"telephone", "email"} or not named & {"password", "md5_password"}:
        message = (
            f"{path}:{first_line}: the header must name telephone or email, and password "
            f"or md5_password (found: {', '.join(header)})"
        )
        raise InputFileError([message])
    users: list[NewUser] = []
    problems: list[str] = []
    for line, fields in records[1:]:
        values = {
            column: value
            for column, value in zip(columns, fields, strict=False)
            if column and value
        }
        if "add_to_school" in values:  # "Student" as a spreadsheet capitalises it
            values["add_to_school"] = values["add_to_school"].casefold()
        try:
            users.append(NewUser(**values))
        except (EEOError, TypeError) as exc:
            problems.append(f"{path}:{line}: {exc}")
    if problems:
        raise InputFileError(problems)
    if not users:
        message = f"{path}: no accounts in the file"
        raise InputFileError([message])
    return users
