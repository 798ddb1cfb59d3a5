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

from .._api.rows import (
    ADD_CLASS_STUDENT_MULTIPLE,
    ADD_COURSE_CLASS_STUDENT,
    ADD_COURSE_STUDENT_MULTIPLE,
    DEL_CLASS_STUDENT_MULTIPLE,
    DEL_COURSE_STUDENT_MULTIPLE,
    REGISTER_MULTIPLE,
    check_auditors,
)
from .._constants import MAX_CHUNK_SIZE
from .._errors import InputError, InputTypeError
from .._wire.kinds import Endpoint, ItemsKind, Kind, iter_items, validate_id
from .report import BatchReport


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
        course: whether the operation is on a course (``register`` is not).
        options: optional arguments passed on as fixed parameters (``identity``).
        uids: the answers carry a UID per item, kept in the report.
        check: called as ``check(fixed, count)`` to refuse input the server would.
    """

    name: str
    endpoint: Endpoint
    items: str
    key: str
    target: str | None
    course: bool = True
    options: tuple[str, ...] = ()
    uids: bool = False
    check: Callable[[Mapping[str, object], int], None] | None = None


@attrs.frozen(kw_only=True)
class PairOperation:
    """A bulk operation over every (student, lesson) pair, keyed by both.

    Each job uses whichever endpoint needs fewer calls for its counts (ties: by
    student); the report is the same either way, and ``report.action`` says which.

    Attributes:
        name: the Batcher verb, e.g. ``"enroll"``.
        by_student: the endpoint that takes one student and many lessons, or ``None``.
        by_lesson: the endpoint that takes one lesson and many students, or ``None``.
    """

    name: str
    by_student: Endpoint | None = None
    by_lesson: Endpoint | None = None


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
ENROLL: Final = PairOperation(
    name="enroll", by_student=ADD_COURSE_CLASS_STUDENT, by_lesson=ADD_CLASS_STUDENT_MULTIPLE
)


def _auditors(fixed: Mapping[str, object], count: int) -> None:
    check_auditors(fixed.get("identity"), count)


ADD_STUDENTS_TO_COURSE: Final = Operation(
    name="add_students_to_course",
    endpoint=ADD_COURSE_STUDENT_MULTIPLE,
    items="student_uids",
    key="student_uid",
    target=None,
    options=("identity",),
    check=_auditors,
)
REMOVE_STUDENTS_FROM_COURSE: Final = Operation(
    name="remove_students_from_course",
    endpoint=DEL_COURSE_STUDENT_MULTIPLE,
    items="student_uids",
    key="student_uid",
    target=None,
    options=("identity",),
)
ADD_STUDENTS_TO_LESSON: Final = Operation(
    name="add_students_to_lesson",
    endpoint=ADD_CLASS_STUDENT_MULTIPLE,
    items="student_uids",
    key="student_uid",
    target="class_id",
)
REGISTER: Final = Operation(
    name="register",
    endpoint=REGISTER_MULTIPLE,
    items="users",
    key="account",
    target=None,
    course=False,
    uids=True,
)
UNENROLL: Final = PairOperation(name="unenroll", by_lesson=DEL_CLASS_STUDENT_MULTIPLE)

#: Every operation by its Batcher verb (``enroll_pairs`` is ``enroll`` from pairs).
OPERATIONS: Final[dict[str, Operation | PairOperation]] = {
    op.name: op
    for op in (
        ADD_STUDENT_TO_LESSONS,
        REMOVE_STUDENTS_FROM_LESSON,
        ENROLL,
        ADD_STUDENTS_TO_COURSE,
        REMOVE_STUDENTS_FROM_COURSE,
        ADD_STUDENTS_TO_LESSON,
        UNENROLL,
        REGISTER,
    )
}


def _unique(
    values: Iterable[object],
    where: str,
    check: Callable[[object, str], Any] = validate_id,
    key: Callable[[Any], Any] | None = None,
) -> tuple[list[Any], int]:
    """Check every item first (nothing is sent on a bad one); drop repeats, counting them.

    Two items repeat when their ``key`` is equal (the first one is kept).
    """
    items = list(iter_items(values, where, check))
    if not items:
        message = f"{where} is empty: give at least one"
        raise InputError(message)
    if key is None:
        unique = list(dict.fromkeys(items))
    else:
        first: dict[Any, Any] = {}
        for item in items:
            first.setdefault(key(item), item)
        unique = list(first.values())
    return unique, len(items) - len(unique)


def _items_check(endpoint: Endpoint) -> Callable[[object, str], Any]:
    return endpoint.items_kind.item


def plan_one_target(
    operation: Operation, arguments: Mapping[str, Any]
) -> tuple[BatchReport[Any], list[Target]]:
    """Check an operation's input and lay out its report and its one target."""
    endpoint = operation.endpoint
    fixed: dict[str, object] = {}
    course_id = 0
    if operation.course:
        course_id = validate_id(arguments["course_id"], "course_id")
        fixed["course_id"] = course_id
    target: dict[str, int] = {}
    if operation.target is not None:
        fixed[operation.target] = target[operation.target] = validate_id(
            arguments[operation.target], operation.target
        )
    params = {p.name: p for p in endpoint.params}
    for name in operation.options:
        if arguments.get(name) is not None:
            option = params[name].kind
            assert isinstance(option, Kind)  # noqa: S101 - options are plain parameters
            fixed[name] = option.check(arguments[name], name)
    kind: ItemsKind = endpoint.items_kind
    key = None if kind.item is validate_id else kind.key  # IDs are their own keys
    items, dups = _unique(arguments[operation.items], operation.items, kind.item, key)
    if operation.check is not None:
        operation.check(fixed, len(items))
    keys: Sequence[Any] = array("q", items) if key is None else [key(i) for i in items]
    report: BatchReport[Any] = BatchReport(
        operation=operation.name,
        course_id=course_id,
        key_fields=(operation.key,),
        target=target,
        item_ids=keys,
        action=endpoint.action,
        uids=operation.uids,
    )
    report.duplicates = dups
    return report, [Target(fixed, range(len(items)), items)]


def _calls(groups: Iterable[int], endpoint: Endpoint | None, chunk_size: int) -> float:
    """Calls needed to send groups of these sizes through ``endpoint`` (inf without one)."""
    if endpoint is None:
        return float("inf")
    size = min(chunk_size, endpoint.max_items)
    return sum(-(-n // size) for n in groups)


def _choose(
    operation: PairOperation,
    by_student: Iterable[int],
    by_lesson: Iterable[int],
    chunk_size: int,
) -> Endpoint:
    """The endpoint needing fewer calls for these group sizes (ties: by student)."""
    student_calls = _calls(by_student, operation.by_student, chunk_size)
    lesson_calls = _calls(by_lesson, operation.by_lesson, chunk_size)
    chosen = operation.by_student if student_calls <= lesson_calls else operation.by_lesson
    assert chosen is not None  # noqa: S101 - a pair operation has at least one endpoint
    return chosen


def plan_pairs(
    operation: PairOperation,
    course: object,
    students: Iterable[object],
    lessons: Iterable[object],
    chunk_size: int = MAX_CHUNK_SIZE,
) -> tuple[BatchReport[Any], list[Target]]:
    """Every student with every lesson, by student or by lesson (fewer calls wins).

    Rows are laid out student by student either way (row ``i * lessons + j``), so the
    report's keys and their order do not depend on the endpoint chosen.
    """
    course_id = validate_id(course, "course_id")
    students_list, student_dups = _unique(students, "student_uids")
    classes, class_dups = _unique(lessons, "class_ids")
    n, m = len(classes), len(students_list)
    endpoint = _choose(operation, [n] * m, [m] * n, chunk_size)
    report: BatchReport[Any] = BatchReport(
        operation=operation.name,
        course_id=course_id,
        key_fields=("student_uid", "class_id"),
        grid=(array("q", students_list), array("q", classes)),
        action=endpoint.action,
    )
    # Dropped input IDs, not pairs: one repeated student row is one duplicate.
    report.duplicates = student_dups + class_dups
    if endpoint is operation.by_student:
        targets = [
            Target(
                {"course_id": course_id, endpoint.target or "": s},
                range(i * n, (i + 1) * n),
                classes,
            )
            for i, s in enumerate(students_list)
        ]
    else:
        targets = [
            Target(
                {"course_id": course_id, endpoint.target or "": c},
                range(j, n * m, n),
                students_list,
            )
            for j, c in enumerate(classes)
        ]
    return report, targets


def plan_pair_list(
    operation: PairOperation,
    course: object,
    pairs: Iterable[Sequence[object]],
    chunk_size: int = MAX_CHUNK_SIZE,
) -> tuple[BatchReport[Any], list[Target]]:
    """Given (student, lesson) pairs, in input order: by student or by lesson."""
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
    by_student: dict[int, tuple[list[int], list[int]]] = {}
    by_lesson: dict[int, tuple[list[int], list[int]]] = {}
    for row, (student, lesson) in enumerate(seen):
        rows, lessons = by_student.setdefault(student, ([], []))
        rows.append(row)
        lessons.append(lesson)
        rows, students = by_lesson.setdefault(lesson, ([], []))
        rows.append(row)
        students.append(student)
    endpoint = _choose(
        operation,
        (len(r) for r, _ in by_student.values()),
        (len(r) for r, _ in by_lesson.values()),
        chunk_size,
    )
    report: BatchReport[Any] = BatchReport(
        operation=operation.name,
        course_id=course_id,
        key_fields=("student_uid", "class_id"),
        item_ids=array("q", (c for _, c in seen)),
        target_ids=array("q", (s for s, _ in seen)),
        action=endpoint.action,
    )
    report.duplicates = count - len(seen)
    groups = by_student if endpoint is operation.by_student else by_lesson
    targets = [
        Target({"course_id": course_id, endpoint.target or "": fixed}, rows, items)
        for fixed, (rows, items) in groups.items()
    ]
    return report, targets


#: Pair operations that also take a list of pairs, by the name of that verb.
PAIR_LISTS: Final = {"enroll_pairs": "enroll", "unenroll_pairs": "unenroll"}


def plan_operation(
    name: str | Operation, arguments: Mapping[str, Any], chunk_size: int = MAX_CHUNK_SIZE
) -> tuple[Endpoint, BatchReport[Any], list[Target]]:
    """Check and lay out the operation ``name`` (a Batcher verb, or a row) with its arguments.

    ``chunk_size`` (the Batcher's) counts in choosing the endpoint of a pair operation.
    """
    if isinstance(name, Operation):
        report, targets = plan_one_target(name, arguments)
        return name.endpoint, report, targets
    operation = OPERATIONS.get(PAIR_LISTS.get(name, name))
    if operation is None:
        known = ", ".join([*OPERATIONS, *PAIR_LISTS])
        message = f"unknown operation {name!r}; known: {known}"
        raise InputError(message)
    if isinstance(operation, Operation):
        report, targets = plan_one_target(operation, arguments)
        return operation.endpoint, report, targets
    if name in PAIR_LISTS:
        report, targets = plan_pair_list(
            operation, arguments["course_id"], arguments["pairs"], chunk_size
        )
    else:
        report, targets = plan_pairs(
            operation,
            arguments["course_id"],
            arguments["student_uids"],
            arguments["class_ids"],
            chunk_size,
        )
    endpoint = next(
        e for e in (operation.by_student, operation.by_lesson) if e and e.action == report.action
    )
    return endpoint, report, targets


def plan(operation: str, arguments: Mapping[str, Any], chunk_size: int) -> Plan:
    """What ``operation`` would send with ``arguments`` in calls of ``chunk_size``."""
    endpoint, report, targets = plan_operation(operation, arguments, chunk_size)
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
