"""Readers for the command's input files: ID lists and group plans, with line numbers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ._errors import EEOError, InputError
from ._models import GroupMember
from ._wire import validate_id


class InputFileError(InputError):
    """One or more bad lines in an input file; ``problems`` holds one text per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _is_id(text: str) -> bool:
    try:
        validate_id(text, "id")
    except EEOError:
        return False
    return True


def _content_lines(path: Path) -> list[tuple[int, str]]:
    """(physical line number, text) of lines that are not blank nor ``#`` comments."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"{path}: cannot read: {exc}"
        raise InputFileError([message]) from exc
    return [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _row(line: str) -> list[str]:
    return next(csv.reader(io.StringIO(line)), [])


def read_ids(path: str | Path, column: str | None = None) -> list[int]:
    """Read IDs: one per line, or a CSV whose first line is a header.

    A first line that is not an ID is the header: with one column it is used, with
    several ``column`` picks one (a file without a header ignores ``column``). Blank
    lines and ``#`` comments are skipped. Every bad line is reported as
    ``FILE:LINE: bad ID '12x'`` before anything is returned.

    Raises:
        InputFileError: unreadable file, unknown column or bad IDs (all listed).
    """
    path = Path(path)
    lines = _content_lines(path)
    if not lines:
        message = f"{path}: no IDs in the file"
        raise InputFileError([message])
    first_number, first = lines[0]
    names = [name.strip() for name in _row(first)]
    index: int | None = None  # the column to read; None: the whole line is one ID
    if len(names) > 1 or not _is_id(first):
        lines = lines[1:]
        if column is not None and column in names:
            index = names.index(column)
        elif column is not None:
            message = f"{path}:{first_number}: no column {column!r}; columns: {', '.join(names)}"
            raise InputFileError([message])
        elif len(names) > 1:
            message = (
                f"{path}:{first_number}: several columns ({', '.join(names)}); "
                "choose one with --column"
            )
            raise InputFileError([message])
    ids: list[int] = []
    problems: list[str] = []
    for number, line in lines:
        fields = _row(line)
        if index is not None:
            value = fields[index].strip() if index < len(fields) else ""
        else:
            value = fields[0].strip() if len(fields) == 1 else line.strip()
        try:
            ids.append(validate_id(value, "id"))
        except EEOError:
            problems.append(f"{path}:{number}: bad ID {value!r}")
    if problems:
        raise InputFileError(problems)
    if not ids:
        message = f"{path}: no IDs in the file"
        raise InputFileError([message])
    return ids


_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n", ""}


def read_groups(path: str | Path) -> list[list[GroupMember]]:
    """Read a group plan: the documented JSON, or CSV ``group,student_uid,is_leader``.

    Raises:
        InputFileError: unreadable file or bad lines (all listed, with line numbers).
    """
    path = Path(path)
    lines = _content_lines(path)
    if lines and lines[0][1].lstrip().startswith("["):
        return _groups_from_json(path)
    if not lines:
        message = f"{path}: no groups in the file"
        raise InputFileError([message])
    number, first = lines[0]
    names = [name.strip().lower() for name in _row(first)]
    if names != ["group", "student_uid", "is_leader"]:
        message = f"{path}:{number}: the header must be group,student_uid,is_leader"
        raise InputFileError([message])
    groups: dict[str, list[GroupMember]] = {}
    problems: list[str] = []
    for number, line in lines[1:]:
        fields = [field.strip() for field in _row(line)]
        if len(fields) != 3:
            problems.append(f"{path}:{number}: expected 3 fields, got {len(fields)}")
            continue
        label, uid, leader = fields
        if not _is_id(uid):
            problems.append(f"{path}:{number}: bad ID {uid!r}")
            continue
        if leader.lower() not in _TRUE | _FALSE:
            problems.append(f"{path}:{number}: bad is_leader {leader!r} (use 1/0)")
            continue
        member = GroupMember(validate_id(uid, "id"), is_leader=leader.lower() in _TRUE)
        groups.setdefault(label, []).append(member)
    if problems:
        raise InputFileError(problems)
    return list(groups.values())


def _groups_from_json(path: Path) -> list[list[GroupMember]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        message = f"{path}: not valid JSON: {exc}"
        raise InputFileError([message]) from exc
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
