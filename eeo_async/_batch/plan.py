"""Planning a batch: validate every item first, drop repeats, lay out rows and targets.

Pure: nothing here sends anything, so ``Batcher.plan`` (the command's ``--dry-run``)
and the real run share one planner. A bulk operation is a row with a bulk spec (its
verb and the report's key; every parameter but the items is fixed for the job), or a
pair operation over two rows (``enroll``: whichever row needs fewer calls).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._api.classrooms import CREATE_CLASSROOMS, NewClassroom, with_identity
from .._api.lesson_items import bind_lessons
from .._api.lessons import (
    ADD_CLASS_STUDENT_MULTIPLE,
    ADD_COURSE_CLASS_STUDENT,
    DEL_CLASS_STUDENT_MULTIPLE,
)
from .._api.lms import ADD_STUDENT, DELETE_STUDENT
from .._api.members import BULK_ROWS
from .._api.new_lessons import ADD_COURSE_CLASS_MULTIPLE
from .._api.registry import ROWS
from .._constants import MAX_CHUNK_SIZE
from .._errors import InputError, InputTypeError
from .._json import JsonReady
from .._wire.endpoint import REQUIRED, Endpoint
from .._wire.kinds import ItemsKind, iter_items, validate_id
from .report import BatchReport


@attrs.frozen(kw_only=True)
class Plan(JsonReady):
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
class PairOperation:
    """A bulk operation over every (student, lesson) pair, keyed by both.

    Each job uses whichever endpoint needs fewer calls for its counts (ties: by
    student); the report is the same either way, and ``report.action`` says which.
    "Lesson" stands for the second key: a lesson (``class_id``) or an LMS activity
    (``activity_id``).

    Attributes:
        name: the Batcher verb, e.g. ``"enroll"``.
        by_student: the endpoint that takes one student and many lessons, or ``None``.
        by_lesson: the endpoint that takes one lesson and many students, or ``None``.
        keys: the report's two key fields, the student's first; the verb's arguments
            are their plurals (``student_uids``, ``class_ids``).
    """

    name: str
    by_student: Endpoint | None = None
    by_lesson: Endpoint | None = None
    keys: tuple[str, str] = ("student_uid", "class_id")

    @property
    def arguments(self) -> tuple[str, str]:
        """The verb's arguments holding the two lists: ``("student_uids", "class_ids")``."""
        return (list_name(self.keys[0]), list_name(self.keys[1]))


def list_name(name: str | None) -> str:
    """The name of the list a parameter's values come from: ``class_id`` -> ``class_ids``."""
    if not name:
        return ""
    return name if name.endswith("s") else f"{name}s"


@attrs.define
class Target:
    """The fixed part of a series of calls and its rows; ``items[i]`` is ``rows[i]``'s item.

    ``fixed`` holds the endpoint's fixed arguments (course, target) for its encoder.
    """

    fixed: Mapping[str, object]
    rows: Sequence[int]
    items: Sequence[Any]


ENROLL: Final = PairOperation(
    name="enroll", by_student=ADD_COURSE_CLASS_STUDENT, by_lesson=ADD_CLASS_STUDENT_MULTIPLE
)
UNENROLL: Final = PairOperation(name="unenroll", by_lesson=DEL_CLASS_STUDENT_MULTIPLE)
#: LMS activity membership: addStudent/deleteStudent activity by activity.
ENROLL_ACTIVITIES: Final = PairOperation(
    name="enroll_activities", by_lesson=ADD_STUDENT, keys=("student_uid", "activity_id")
)
UNENROLL_ACTIVITIES: Final = PairOperation(
    name="unenroll_activities", by_lesson=DELETE_STUDENT, keys=("student_uid", "activity_id")
)

#: The pair operations; each also takes a list of pairs, as the verb ``<name>_pairs``.
PAIRS: Final = (ENROLL, UNENROLL, ENROLL_ACTIVITIES, UNENROLL_ACTIVITIES)
#: Pair operations that take a list of pairs, by the name of that verb.
PAIR_LISTS: Final = {f"{op.name}_pairs": op for op in PAIRS}

#: Every operation by its Batcher verb: the rows' own verbs, the bulk rows the registry
#: does not hold (it holds one row per action: createClassroom and the members' rows
#: take their items otherwise than the typed methods' rows) and the pair operations.
OPERATIONS: Final[dict[str, Endpoint | PairOperation]] = {
    **{
        row.bulk.verb: row
        for row in (*ROWS.values(), CREATE_CLASSROOMS, *BULK_ROWS.values())
        if row.bulk and row.bulk.verb
    },
    **{op.name: op for op in PAIRS},
}

#: ``prepare(fixed, items)``: a verb's items bound to the job's fixed values, and the
#: row that sends them.
Prepare = Callable[[Mapping[str, Any], Any], tuple[Endpoint, Any]]


def _lessons_in_course(fixed: Mapping[str, Any], lessons: Any) -> tuple[Endpoint, Any]:
    """Each lesson with its identity derived in the course.

    The runner sends the row as not safe to repeat if a lesson has none.
    """
    _, bound = bind_lessons(fixed["course_id"], lessons)
    return ADD_COURSE_CLASS_MULTIPLE, bound


def _classrooms_in_course(fixed: Mapping[str, Any], classrooms: Any) -> tuple[Endpoint, Any]:
    """Each classroom with its identity (its own, or derived in the course)."""
    course = fixed["course_id"]

    def bind(value: object, where: str) -> object:
        return with_identity(value, course) if isinstance(value, NewClassroom) else value

    return CREATE_CLASSROOMS, iter_items(classrooms, "classrooms", bind)


#: What a verb does before its row checks the items, by verb; the one place the verb,
#: ``Batcher.run`` and ``Batcher.plan`` all go through (:func:`plan_one_target`).
PREPARE: Final[dict[str, Prepare]] = {
    "create_lessons": _lessons_in_course,
    "create_classrooms": _classrooms_in_course,
}


def _unique(
    values: Iterable[object],
    where: str,
    check: Callable[[object, str], Any] = validate_id,
    key: Callable[[Any], Any] | None = None,
) -> tuple[list[Any], list[Any], int]:
    """Check every item first (nothing is sent on a bad one); drop repeats, counting them.

    Two items repeat when their ``key`` is equal (the first one is kept). Returns the
    items kept, their keys and the number dropped.
    """
    items = list(iter_items(values, where, check))
    if not items:
        message = f"{where} is empty: give at least one"
        raise InputError(message)
    if key is None:
        unique = list(dict.fromkeys(items))
        return unique, unique, len(items) - len(unique)
    first: dict[Any, Any] = {}
    for item in items:
        first.setdefault(key(item), item)
    return list(first.values()), list(first), len(items) - len(first)


def _check_names(name: str, arguments: Mapping[str, Any], known: Iterable[str]) -> None:
    unknown = set(arguments).difference(known)
    if unknown:
        message = f"{name} has no parameter {', '.join(sorted(unknown))}"
        raise InputTypeError(message)


def _needed(name: str, arguments: Mapping[str, Any], param: str) -> Any:
    value = arguments.get(param)
    if value is None:
        message = f"{name} needs {param}"
        raise InputError(message)
    return value


def operation_name(endpoint: Endpoint) -> str:
    """The report's operation for a bulk row: its Batcher verb, or its action's name."""
    bulk = endpoint.bulk
    return bulk.verb if bulk is not None and bulk.verb else endpoint.action


def plan_one_target(
    endpoint: Endpoint, arguments: Mapping[str, Any]
) -> tuple[Endpoint, BatchReport[Any], list[Target]]:
    """Check a bulk row's input; the row to send, its report and its one target.

    Every parameter but the items is fixed for the whole job (the course, the target,
    options such as ``identity``); the verb's :data:`PREPARE` binds them to the items
    and chooses the row; the items are then checked all first and de-duplicated.
    """
    bulk = endpoint.bulk
    if bulk is None or endpoint.items is None:
        message = f"{endpoint.action} is not a bulk action (its row has no items or no bulk spec)"
        raise InputTypeError(message)
    name = operation_name(endpoint)
    _check_names(name, arguments, (p.name for p in endpoint.params))
    fixed: dict[str, object] = {}
    for param in endpoint.params:
        if param.name == endpoint.items or (
            arguments.get(param.name) is None and param.default is not REQUIRED
        ):
            continue
        kind = param.kind
        assert not isinstance(kind, ItemsKind)  # noqa: S101 - a row has one items parameter
        fixed[param.name] = kind.check(_needed(name, arguments, param.name), param.name)
    values = _needed(name, arguments, endpoint.items)
    prepare = PREPARE.get(name)
    if prepare is not None:
        endpoint, values = prepare(fixed, values)
    kind_of_items: ItemsKind = endpoint.items_kind
    key = None if kind_of_items.item is validate_id else kind_of_items.key  # IDs are their own keys
    items, keys, dups = _unique(values, endpoint.items or "", kind_of_items.item, key)
    if endpoint.check is not None:
        endpoint.check(fixed, len(items))
    course_id = fixed.get("course_id", 0)
    report: BatchReport[Any] = BatchReport(
        operation=name,
        course_id=course_id if isinstance(course_id, int) else 0,
        key_fields=(bulk.key,),
        target={endpoint.target: fixed[endpoint.target]} if endpoint.target else {},  # type: ignore[dict-item]
        item_ids=array("q", keys) if key is None else keys,
        action=endpoint.action,
        answer=bulk.answer,
        # The key's kind, not its name, says whether keys are text (an email, an identity).
        text_keys=isinstance(keys[0], str),
    )
    report.duplicates = dups
    return endpoint, report, [Target(fixed, range(len(items)), items)]


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
) -> tuple[Endpoint, BatchReport[Any], list[Target]]:
    """Every student with every lesson, by student or by lesson (fewer calls wins).

    Rows are laid out student by student either way (row ``i * lessons + j``), so the
    report's keys and their order do not depend on the endpoint chosen.
    """
    course_id = validate_id(course, "course_id")
    student_arg, lesson_arg = operation.arguments
    students_list, _, student_dups = _unique(students, student_arg)
    classes, _, class_dups = _unique(lessons, lesson_arg)
    n, m = len(classes), len(students_list)
    endpoint = _choose(operation, [n] * m, [m] * n, chunk_size)
    report: BatchReport[Any] = BatchReport(
        operation=operation.name,
        course_id=course_id,
        key_fields=operation.keys,
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
    return endpoint, report, targets


def plan_pair_list(
    operation: PairOperation,
    course: object,
    pairs: Iterable[Sequence[object]],
    chunk_size: int = MAX_CHUNK_SIZE,
) -> tuple[Endpoint, BatchReport[Any], list[Target]]:
    """Given (student, lesson) pairs, in input order: by student or by lesson."""
    course_id = validate_id(course, "course_id")
    shape = f"({', '.join(operation.keys)})"
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
        message = f"pairs must be an iterable of {shape}, got {pairs!r:.60}"
        raise InputTypeError(message)
    seen: dict[tuple[int, int], None] = {}
    count = 0
    for index, pair in enumerate(pairs):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            message = f"pairs[{index}] must be a {shape} pair, got {pair!r:.60}"
            raise InputTypeError(message)
        student = validate_id(pair[0], f"pairs[{index}][0]")
        lesson = validate_id(pair[1], f"pairs[{index}][1]")
        seen[(student, lesson)] = None
        count += 1
    if not seen:
        message = f"pairs is empty: give at least one {shape} pair"
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
        key_fields=operation.keys,
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
    return endpoint, report, targets


def plan_operation(
    name: str | Endpoint, arguments: Mapping[str, Any], chunk_size: int = MAX_CHUNK_SIZE
) -> tuple[Endpoint, BatchReport[Any], list[Target]]:
    """Check and lay out the operation ``name`` (a Batcher verb, or a row) with its arguments.

    Returns the row to send, the report and the targets. ``chunk_size`` (the Batcher's)
    counts in choosing the endpoint of a pair operation.

    Raises:
        InputError: an unknown operation, an argument it does not take or lacks, or a
            bad value in the input (nothing is sent).
    """
    if isinstance(name, Endpoint):
        return plan_one_target(name, arguments)
    pairs = PAIR_LISTS.get(name)
    operation = pairs or OPERATIONS.get(name)
    if operation is None and name in ROWS and ROWS[name].bulk is not None:
        operation = ROWS[name]  # a bulk row by its action's name, verb or not
    if operation is None:
        known = ", ".join([*OPERATIONS, *PAIR_LISTS])
        message = f"unknown operation {name!r}; known: {known}"
        raise InputError(message)
    if isinstance(operation, Endpoint):
        return plan_one_target(operation, arguments)
    first, second = ("pairs", "") if pairs is not None else operation.arguments
    _check_names(name, arguments, ("course_id", first, second))
    course, listed = _needed(name, arguments, "course_id"), _needed(name, arguments, first)
    if pairs is not None:
        return plan_pair_list(operation, course, listed, chunk_size)
    return plan_pairs(operation, course, listed, _needed(name, arguments, second), chunk_size)


def plan(operation: str | Endpoint, arguments: Mapping[str, Any], chunk_size: int) -> Plan:
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
