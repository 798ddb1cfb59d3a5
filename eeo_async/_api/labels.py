"""Labels of courses and lessons: addCourseLabels and addClassLabels.

Each replaces the labels of several courses (or lessons of one course) with the ones
given (``[]`` removes them all): set-to-value, safe to repeat. Each answer entry names
its ``courseId`` (``classId``), and the SDK matches it by that name (by position where an
entry names none), so the statuses line up with the input whatever the order. The docs
give no limit per call; 100 a call, any number through the Batcher
(``set_course_labels``, ``set_lesson_labels``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Final

from .._client import BaseClient
from .._errors import DataMismatchError, InputError, InputTypeError
from .._models import ItemStatus
from .._wire.decode import item_code, item_data, status
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import ID, ItemsKind, as_int, compact, iter_ids, validate_id
from .base import action

#: Most labels a course (399) or a lesson (357) may have.
MAX_LABELS: Final = 10
#: Items one call carries (the docs state no limit).
MAX_LABEL_ITEMS: Final = 100

#: One course's (or lesson's) labels: its ID and the label IDs it is to have.
Labelled = tuple[int, tuple[int, ...]]
#: Labels as the label methods take them: ``{id: label_ids}`` or ``(id, label_ids)`` pairs
#: (a mapping's key type is spelt out: ``Mapping`` is invariant in it).
LabelsInput = (
    Mapping[int, Iterable[int | str]]
    | Mapping[str, Iterable[int | str]]
    | Mapping[int | str, Iterable[int | str]]
    | Iterable[tuple[int | str, Iterable[int | str]]]
)


def validate_labelled(value: object, where: str) -> Labelled:
    """``(id, label_ids)``: a positive ID and at most 10 distinct label IDs (or none)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        message = f"{where} must be an (id, label_ids) pair, got {value!r:.60}"
        raise InputTypeError(message)
    owner = validate_id(value[0], f"{where}[0]")
    labels = tuple(iter_ids(value[1], f"{where}[1]"))
    if len(labels) > MAX_LABELS:
        message = f"{where} gives {owner} {len(labels)} labels, but at most {MAX_LABELS} fit"
        raise InputError(message)
    if len(set(labels)) != len(labels):
        message = f"{where} gives {owner} a label twice: {list(labels)}"
        raise InputError(message)
    return owner, labels


def pairs_of(labels: object) -> object:
    """A mapping of IDs to label IDs as its pairs; anything else as given."""
    return list(labels.items()) if isinstance(labels, Mapping) else labels


def _owner(item: Labelled) -> Hashable:
    return item[0]


def _labels_kind(id_field: str, labels_field: str) -> ItemsKind:
    def wire(items: Sequence[Labelled]) -> list[dict[str, Any]]:
        return [{id_field: owner, labels_field: list(labels)} for owner, labels in items]

    return ItemsKind(
        item=validate_labelled,
        text=lambda items: compact(wire(items)),
        json=wire,
        key=_owner,
    )


def by_named_id(field: str) -> Callable[[Endpoint, Answer, Sequence[Any]], list[ItemStatus]]:
    """A decoder of ``data[i]``, matched by the ID each entry names, else by position.

    The docs give one entry per item, in order, each naming its ID; an entry naming an
    ID that was not sent is a ``DataMismatchError``, one naming none is taken as the
    item at its position.
    """

    def decode(endpoint: Endpoint, answer: Answer, items: Sequence[Any]) -> list[ItemStatus]:
        data = item_data(endpoint, answer, len(items))
        owners = [_owner(item) for item in items]
        found: dict[Hashable, ItemStatus] = {}
        for index, entry in enumerate(data):
            code, text = item_code(endpoint.action, index, entry)
            named = as_int(entry.get(field)) if field in entry else owners[index]
            if named not in owners or named in found:
                message = f"data[{index}] names {named!r}, not an item of the call (or twice)"
                raise DataMismatchError(endpoint.action, message)
            found[named] = status(endpoint, code, text)
        return [found[owner] for owner in owners]

    return decode


#: ``courseList``: ``[{"courseId": 1, "labelIds": [5, 6]}]``.
COURSE_LABELS: Final = _labels_kind("courseId", "labelIds")
#: ``classList``: ``[{"classId": 1, "classLabelId": [5, 6]}]``.
LESSON_LABELS: Final = _labels_kind("classId", "classLabelId")

#: The labels of several courses: set-to-value, safe to repeat. Per course: 399 (more
#: than 10), 358/359 (a label missing or another school's), 144 (no such course).
ADD_COURSE_LABELS: Final = Endpoint(
    action="addCourseLabels",
    params=(Param("course_list", "courseList", COURSE_LABELS),),
    items="course_list",
    max_items=MAX_LABEL_ITEMS,
    idempotent=True,
    bulk=Bulk(verb="set_course_labels", key="course_id"),
    decode=by_named_id("courseId"),
)

#: The labels of several lessons of one course: set-to-value, safe to repeat. Per
#: lesson: 357 (more than 10), 358/359, 142/143/212 (no such lesson), 466 (an LMS lesson).
ADD_CLASS_LABELS: Final = Endpoint(
    action="addClassLabels",
    params=(
        Param("course_id", "courseId", ID),
        Param("class_list", "classList", LESSON_LABELS),
    ),
    items="class_list",
    max_items=MAX_LABEL_ITEMS,
    idempotent=True,
    bulk=Bulk(verb="set_lesson_labels", key="class_id"),
    decode=by_named_id("classId"),
)


class Labels(BaseClient):
    """The typed methods of course and lesson labels (mixed into ``eeo_async.Client``)."""

    @action(ADD_COURSE_LABELS)
    async def add_course_labels(
        self,
        course_list: LabelsInput,
    ) -> list[ItemStatus]:
        """Set the labels of up to 100 courses (addCourseLabels); ``[]`` removes them all.

        ``course_list`` maps each course ID to the label IDs it is to have (at most 10),
        as a dict or as ``(course_id, label_ids)`` pairs; they replace its labels.
        Returns one ``ItemStatus`` per course, in input order (matched by the course ID
        each answer names); a course's own failure (399, 358, 144 ...) is its status.
        Safe to repeat: transient failures are retried.

        Raises:
            InputError: a bad ID, more than 10 labels, a label or course twice, none or
                more than 100 courses (nothing is sent).
            ApiError: the whole call failed, e.g. ``BadParametersError`` for 100.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            ADD_COURSE_LABELS, course_list=pairs_of(course_list)
        )
        return statuses

    @action(ADD_CLASS_LABELS)
    async def add_class_labels(
        self,
        course_id: int | str,
        class_list: LabelsInput,
    ) -> list[ItemStatus]:
        """Set the labels of up to 100 lessons of a course (addClassLabels).

        ``class_list`` maps each class ID to the label IDs it is to have (at most 10;
        ``[]`` removes them all), as a dict or as ``(class_id, label_ids)`` pairs.
        Returns one ``ItemStatus`` per lesson, in input order; a lesson's own failure
        (357, 358, 212, 466 ...) is its status. Safe to repeat.

        Raises:
            InputError: a bad ID, more than 10 labels, a label or lesson twice, none or
                more than 100 lessons (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            ADD_CLASS_LABELS, course_id=course_id, class_list=pairs_of(class_list)
        )
        return statuses
