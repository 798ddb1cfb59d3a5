"""Planning a batch: validate every item first, drop repeats, lay out rows and targets.

Pure: nothing here sends anything, so ``Batcher.plan`` (the command's ``--dry-run``)
and the real run share one planner. Each bulk operation is a row (:class:`Operation`)
naming its endpoint row and which argument is the target and which the items.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from ._endpoints import ADD_COURSE_CLASS_STUDENT, DEL_CLASS_STUDENT_MULTIPLE
from ._errors import InputError, InputTypeError
from ._report import BatchReport
from ._wire import Endpoint, iter_items, validate_id


@attrs.frozen(kw_only=True)
class Plan:
    """What a job would send, worked out without sending anything (for ``--dry-run``).

    Attributes:
        items: distinct items to send.
        duplicates: input items dropped because they repeat an earlier one.
        calls: HTTP calls needed when nothing has to be retried.
        max_chunk: the largest number of items in one call.
        action: the API action the job would send.
    """

    items: int
    duplicates: int
    calls: int
    max_chunk: int
    action: str = ""


@attrs.frozen(kw_only=True)
class Operation:
    """A bulk operation on one fixed target (or the course alone), as a row.

    Attributes:
        name: the Batcher verb, e.g. ``"add_student_to_lessons"``.
        endpoint: the endpoint row it sends.
        items: the argument holding the items (the endpoint's items parameter).
        key: the report's key field for an item.
        target: the argument held fixed besides the course, or ``None``.
    """

    name: str
    endpoint: Endpoint
    items: str
    key: str
    target: str | None


@attrs.frozen(kw_only=True)
class PairOperation:
    """A bulk operation over every (student, lesson) pair, keyed by both.

    Attributes:
        name: the Batcher verb, e.g. ``"enroll"``.
        by_student: the endpoint that takes one student and many lessons.
    """

    name: str
    by_student: Endpoint


@attrs.define
class Target:
    """The fixed part of a series of calls and its rows; ``items[i]`` is ``rows[i]``'s item.

    ``fixed`` holds the endpoint's fixed arguments (course, target) for its encoder.
    """

    fixed: Mapping[str, object]
    rows: Sequence[int]
    items: Sequence[Any]


ADD_STUDENT_TO_LESSONS: Final = Operation(
    name="add_student_to_lessons",
    endpoint=ADD_COURSE_CLASS_STUDENT,
    items="class_ids",
    key="class_id",
    target="student_uid",
)
REMOVE_STUDENTS_FROM_LESSON: Final = Operation(
    name="remove_students_from_lesson",
    endpoint=DEL_CLASS_STUDENT_MULTIPLE,
    items="student_uids",
    key="student_uid",
    target="class_id",
)
ENROLL: Final = PairOperation(name="enroll", by_student=ADD_COURSE_CLASS_STUDENT)

#: Every operation by its Batcher verb (``enroll_pairs`` is ``enroll`` from pairs).
OPERATIONS: Final[dict[str, Operation | PairOperation]] = {
    op.name: op for op in (ADD_STUDENT_TO_LESSONS, REMOVE_STUDENTS_FROM_LESSON, ENROLL)
}


def _unique(
    values: Iterable[object], where: str, check: Callable[[object, str], Any] = validate_id
) -> tuple[list[Any], int]:
    """Check every item first (nothing is sent on a bad one); drop repeats, counting them."""
    items = list(iter_items(values, where, check))
    if not items:
        message = f"{where} is empty: give at least one"
        raise InputError(message)
    unique = list(dict.fromkeys(items))
    return unique, len(items) - len(unique)


def _items_check(endpoint: Endpoint) -> Callable[[object, str], Any]:
    return endpoint.items_kind.item


def plan_one_target(
    operation: Operation, arguments: Mapping[str, Any]
) -> tuple[BatchReport[Any], list[Target]]:
    """Check an operation's input and lay out its report and its one target."""
    course_id = validate_id(arguments["course_id"], "course_id")
    fixed: dict[str, object] = {"course_id": course_id}
    target: dict[str, int] = {}
    if operation.target is not None:
        fixed[operation.target] = target[operation.target] = validate_id(
            arguments[operation.target], operation.target
        )
    items, dups = _unique(
        arguments[operation.items], operation.items, _items_check(operation.endpoint)
    )
    report: BatchReport[Any] = BatchReport(
        operation=operation.name,
        course_id=course_id,
        key_fields=(operation.key,),
        target=target,
        item_ids=array("q", items),
        action=operation.endpoint.action,
    )
    report.duplicates = dups
    return report, [Target(fixed, range(len(items)), items)]


def plan_pairs(
    operation: PairOperation, course: object, students: Iterable[object], lessons: Iterable[object]
) -> tuple[BatchReport[Any], list[Target]]:
    """Every student with every lesson: one target per student (its lessons are the items)."""
    course_id = validate_id(course, "course_id")
    students_list, student_dups = _unique(students, "student_uids")
    classes, class_dups = _unique(lessons, "class_ids")
    n = len(classes)
    report: BatchReport[Any] = BatchReport(
        operation=operation.name,
        course_id=course_id,
        key_fields=("student_uid", "class_id"),
        item_ids=array("q", classes) * len(students_list),
        target_ids=array("q", (s for s in students_list for _ in range(n))),
        action=operation.by_student.action,
    )
    # Dropped input IDs, not pairs: one repeated student row is one duplicate.
    report.duplicates = student_dups + class_dups
    endpoint = operation.by_student
    targets = [
        Target(
            {"course_id": course_id, endpoint.target or "": s}, range(i * n, (i + 1) * n), classes
        )
        for i, s in enumerate(students_list)
    ]
    return report, targets


def plan_pair_list(
    operation: PairOperation, course: object, pairs: Iterable[Sequence[object]]
) -> tuple[BatchReport[Any], list[Target]]:
    """Given (student, lesson) pairs, in input order: one target per student."""
    course_id = validate_id(course, "course_id")
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
    endpoint = operation.by_student
    report: BatchReport[Any] = BatchReport(
        operation=operation.name,
        course_id=course_id,
        key_fields=("student_uid", "class_id"),
        item_ids=array("q", (c for _, c in seen)),
        target_ids=array("q", (s for s, _ in seen)),
        action=endpoint.action,
    )
    report.duplicates = count - len(seen)
    by_student: dict[int, tuple[list[int], list[int]]] = {}
    for row, (student, lesson) in enumerate(seen):
        rows, lessons = by_student.setdefault(student, ([], []))
        rows.append(row)
        lessons.append(lesson)
    targets = [
        Target({"course_id": course_id, endpoint.target or "": s}, rows, lessons)
        for s, (rows, lessons) in by_student.items()
    ]
    return report, targets


def plan_operation(
    name: str, arguments: Mapping[str, Any]
) -> tuple[Endpoint, BatchReport[Any], list[Target]]:
    """Check and lay out the operation ``name`` (a Batcher verb) with its arguments."""
    operation = OPERATIONS.get("enroll" if name == "enroll_pairs" else name)
    if operation is None:
        message = f"unknown operation {name!r}; known: {', '.join([*OPERATIONS, 'enroll_pairs'])}"
        raise InputError(message)
    if isinstance(operation, Operation):
        report, targets = plan_one_target(operation, arguments)
        return operation.endpoint, report, targets
    if name == "enroll_pairs":
        report, targets = plan_pair_list(operation, arguments["course_id"], arguments["pairs"])
    else:
        report, targets = plan_pairs(
            operation, arguments["course_id"], arguments["student_uids"], arguments["class_ids"]
        )
    return operation.by_student, report, targets


def plan(operation: str, arguments: Mapping[str, Any], chunk_size: int) -> Plan:
    """What ``operation`` would send with ``arguments`` in calls of ``chunk_size``."""
    endpoint, report, targets = plan_operation(operation, arguments)
    size = min(chunk_size, endpoint.max_items)
    calls = sum(-(-len(t.rows) // size) for t in targets)
    biggest = max(min(len(t.rows), size) for t in targets)
    return Plan(
        items=report.total,
        duplicates=report.duplicates,
        calls=calls,
        max_chunk=biggest,
        action=endpoint.action,
    )
