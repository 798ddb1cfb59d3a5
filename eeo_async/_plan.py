"""Planning a batch: validate every item first, drop repeats, lay out rows and targets.

Pure: nothing here sends anything, so ``Batcher.plan`` (the command's ``--dry-run``)
and the real run share one planner.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ._errors import InputError, InputTypeError
from ._report import BatchReport
from ._wire import (
    ADD_COURSE_CLASS_STUDENT,
    DEL_CLASS_STUDENT_MULTIPLE,
    Action,
    iter_ids,
    validate_id,
)


@attrs.frozen(kw_only=True)
class Plan:
    """What a job would send, worked out without sending anything (for ``--dry-run``).

    Attributes:
        items: distinct items to send.
        duplicates: input items dropped because they repeat an earlier one.
        calls: HTTP calls needed when nothing has to be retried.
        max_chunk: the largest number of items in one call.
    """

    items: int
    duplicates: int
    calls: int
    max_chunk: int


def _unique(values: Iterable[object], where: str) -> tuple[list[int], int]:
    """Validate every ID first (nothing is sent on a bad one); drop repeats, counting them."""
    ids = list(iter_ids(values, where))
    if not ids:
        message = f"{where} is empty: give at least one ID"
        raise InputError(message)
    unique = list(dict.fromkeys(ids))
    return unique, len(ids) - len(unique)


@attrs.define
class Target:
    """The fixed part of a series of calls (one student, or one lesson) and its rows."""

    target_id: int
    rows: Sequence[int]


#: Operations on one fixed student or lesson: (target field, items field, key, action).
_ONE_TARGET: dict[str, tuple[str, str, str, Action]] = {
    "add_student_to_lessons": ("student_uid", "class_ids", "class_id", ADD_COURSE_CLASS_STUDENT),
    "remove_students_from_lesson": (
        "class_id",
        "student_uids",
        "student_uid",
        DEL_CLASS_STUDENT_MULTIPLE,
    ),
}


def plan_targets(
    operation: str, arguments: dict[str, Any]
) -> tuple[Action, BatchReport, list[Target]]:
    """Validate and de-duplicate an operation's input; lay out its report and targets."""
    course_id = validate_id(arguments["course_id"], "course_id")
    if operation in _ONE_TARGET:
        target_field, items_field, key_field, action = _ONE_TARGET[operation]
        target = validate_id(arguments[target_field], target_field)
        items, dups = _unique(arguments[items_field], items_field)
        report = BatchReport(
            operation=operation,
            course_id=course_id,
            key_fields=(key_field,),
            target={target_field: target},
            item_ids=array("q", items),
        )
        targets = [Target(target, range(len(items)))]
    elif operation == "enroll":
        students, student_dups = _unique(arguments["student_uids"], "student_uids")
        classes, class_dups = _unique(arguments["class_ids"], "class_ids")
        n = len(classes)
        total_in = (len(students) + student_dups) * (n + class_dups)
        report = BatchReport(
            operation=operation,
            course_id=course_id,
            key_fields=("student_uid", "class_id"),
            item_ids=array("q", classes) * len(students),
            target_ids=array("q", (s for s in students for _ in range(n))),
        )
        dups = total_in - report.total
        targets = [Target(s, range(i * n, (i + 1) * n)) for i, s in enumerate(students)]
        action = ADD_COURSE_CLASS_STUDENT
    elif operation == "enroll_pairs":
        report, targets, dups = _plan_pairs(course_id, arguments["pairs"])
        action = ADD_COURSE_CLASS_STUDENT
    else:
        message = f"unknown operation {operation!r}"
        raise InputError(message)
    report.duplicates = dups
    return action, report, targets


def _plan_pairs(
    course_id: int, pairs: Iterable[Sequence[object]]
) -> tuple[BatchReport, list[Target], int]:
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
        message = f"pairs must be an iterable of (student_uid, class_id), got {pairs!r:.60}"
        raise InputTypeError(message)
    seen: dict[tuple[int, int], None] = {}
    count = 0
    for index, pair in enumerate(pairs):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            message = f"pairs[{index}] must be a (student_uid, class_id) pair, got {pair!r:.60}"
            raise InputTypeError(message)
        student = validate_id(pair[0], f"pairs[{index}][0]")
        lesson = validate_id(pair[1], f"pairs[{index}][1]")
        seen[(student, lesson)] = None
        count += 1
    if not seen:
        message = "pairs is empty: give at least one (student_uid, class_id) pair"
        raise InputError(message)
    report = BatchReport(
        operation="enroll",
        course_id=course_id,
        key_fields=("student_uid", "class_id"),
        item_ids=array("q", (c for _, c in seen)),
        target_ids=array("q", (s for s, _ in seen)),
    )
    by_student: dict[int, list[int]] = {}
    for row, (student, _) in enumerate(seen):
        by_student.setdefault(student, []).append(row)
    targets = [Target(s, rows) for s, rows in by_student.items()]
    return report, targets, count - len(seen)


def plan(operation: str, arguments: dict[str, Any], chunk_size: int) -> Plan:
    """What ``operation`` would send with ``arguments`` in calls of ``chunk_size``."""
    _, report, targets = plan_targets(operation, arguments)
    calls = sum(-(-len(t.rows) // chunk_size) for t in targets)
    biggest = max(min(len(t.rows), chunk_size) for t in targets)
    return Plan(items=report.total, duplicates=report.duplicates, calls=calls, max_chunk=biggest)
