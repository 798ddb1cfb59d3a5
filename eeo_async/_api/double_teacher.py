"""Online double-teacher lessons (API v2): sub-lessons bound to a main lesson.

Reached as ``client.double_teacher``: its rows and typed methods. A main lesson is an
ordinary lesson or classroom of one course; ``add_class`` binds sub-lessons in other
courses to it (each in a different course, which is why an answer's entries are matched
to the sub-lessons sent by their ``courseId``). Each sub-lesson carries a unique identity
on every attempt; the page says a repeated identity "fails and returns the historical
lesson ID": read as 398 with the earlier ``classId`` (``already``). The feature must be
switched on for the school by ClassIn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._codes import Errno, LocalErrno, describe
from .._errors import DataMismatchError, InputError, InputTypeError
from .._wire.decode import item_code, refuse
from .._wire.endpoint import Answer, Endpoint, Param
from .._wire.kinds import FLAG, ID, TIME, UNIQUE_IDENTITY, ItemsKind, as_int, choice
from .base import Namespace, action
from .lms_values import (
    DUAL_CAMERA,
    HD,
    NAME,
    RECORD_TYPE,
    RECORDING,
    SEATS,
    UID_LIST,
    DoubleTeacherLesson,
    check_end_after_start,
    check_fields,
    check_recording,
    derive_lms_identity,
    live_of,
    nonempty_text,
    one_change,
    wire_fields,
)

#: Sub-lessons one addClass call creates (121601030 past it); a main lesson takes 100.
MAX_SUB_CLASSES: Final = 20
#: ``isAutoOnstage`` of double-teacher lessons: 1 not automatically, 2 automatically.
AUTO_ONSTAGE: Final = choice(1, 2)

#: A sub-lesson's own fields (``subClassJson`` entries), in the page's order.
SUB_CLASS_FIELDS: Final = (
    Param("course_id", "courseId", ID),
    Param("class_name", "className", NAME),
    Param("assistant_uids", "assistantUids", UID_LIST, default=None),
    Param("camera_hide", "cameraHide", FLAG, default=None),
    Param("is_auto_onstage", "isAutoOnstage", AUTO_ONSTAGE, default=None),
    Param("seat_num", "seatNum", SEATS, default=None),
    Param("is_hd", "isHd", HD, default=None),
    Param("is_dc", "isDc", DUAL_CAMERA, default=None),
    Param("use_co_main_record", "useCoMainRecord", FLAG, default=None),
    Param("record_state", "recordState", FLAG, default=None),
    Param("record_type", "recordType", RECORD_TYPE, default=None),
    Param("live_state", "liveState", FLAG, default=None),
    Param("open_state", "openState", FLAG, default=None),
    Param("unique_identity", "uniqueIdentity", UNIQUE_IDENTITY, default=None),
)
#: With ``use_co_main_record``, the four recording settings go together (all or none).
_SUB_RECORDING: Final = ("use_co_main_record", *RECORDING)


def _check_main_record(values: Mapping[str, Any]) -> None:
    """With the main lesson's recording (the page's rule), the four settings are 0."""
    if values.get("use_co_main_record") == 1 and any(values.get(n) for n in RECORDING):
        message = (
            "with use_co_main_record the sub-lesson uses the main lesson's recording: "
            f"{', '.join(RECORDING)} must be 0 (the docs' rule)"
        )
        raise InputError(message)


@attrs.frozen(kw_only=True, init=False)
class NewSubClass:
    """A sub-lesson to bind to a main lesson (one entry of addClass's ``subClassJson``).

    The teacher and the times are the main lesson's. ``unique_identity`` is sent on every
    attempt: yours, or one derived from the main lesson, the sub-lesson's course and its
    name, so a retry never creates the sub-lesson twice.

    Args:
        course_id: the sub-lesson's course (not the main lesson's; one sub-lesson a
            course for a main lesson).
        class_name: 1 to 50 characters.
        assistant_uids: co-teachers' UIDs.
        camera_hide, seat_num, is_hd, is_dc: as the page documents them.
        is_auto_onstage: 1 not automatically, 2 automatically (this page's values).
        use_co_main_record, record_state, record_type, live_state, open_state: the
            recording; with any of them give all five; with ``use_co_main_record`` the
            other four are 0.
        unique_identity: your own identity (1 to 32 characters), or ``None`` to derive.

    Raises:
        InputError: a value the docs refuse (named), before anything is sent.
    """

    course_id: int
    class_name: str
    assistant_uids: tuple[int, ...] | None = None
    camera_hide: int | None = None
    is_auto_onstage: int | None = None
    seat_num: int | None = None
    is_hd: int | None = None
    is_dc: int | None = None
    use_co_main_record: int | None = None
    record_state: int | None = None
    record_type: int | None = None
    live_state: int | None = None
    open_state: int | None = None
    unique_identity: str | None = None

    def __init__(
        self,
        course_id: int | str,
        class_name: str,
        *,
        assistant_uids: Iterable[int | str] | None = None,
        camera_hide: bool | int | None = None,
        is_auto_onstage: int | None = None,
        seat_num: int | None = None,
        is_hd: int | None = None,
        is_dc: int | None = None,
        use_co_main_record: bool | int | None = None,
        record_state: bool | int | None = None,
        record_type: int | None = None,
        live_state: bool | int | None = None,
        open_state: bool | int | None = None,
        unique_identity: str | None = None,
    ) -> None:
        checked = check_fields(SUB_CLASS_FIELDS, locals())
        check_recording(checked, _SUB_RECORDING)
        _check_main_record(checked)
        self.__attrs_init__(**checked)

    def identity(self, main_course_id: int, main_class_id: int) -> str:
        """The identity sent: the given one, or one derived from the main lesson and this."""
        if self.unique_identity is not None:
            return self.unique_identity
        return derive_lms_identity(
            "addClass", main_course_id, main_class_id, self.course_id, self.class_name
        )

    def to_wire(self) -> dict[str, Any]:
        """The ``subClassJson`` entry, by wire name."""
        return wire_fields(SUB_CLASS_FIELDS, self)


def _validate_sub_class(value: object, where: str) -> NewSubClass:
    if not isinstance(value, NewSubClass):
        message = f"{where} must be an eeo_async.NewSubClass, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _sub_course(sub: NewSubClass) -> int:
    return sub.course_id


#: Sub-lessons as ``subClassJson``; two are the same when they are in the same course.
SUB_CLASSES: Final = ItemsKind(
    item=_validate_sub_class,
    json=lambda subs: [s.to_wire() for s in subs],
    key=_sub_course,
)


def _lesson(endpoint: Endpoint, index: int, entry: object) -> DoubleTeacherLesson:
    code, text = item_code(endpoint.action, index, entry, "code")
    assert isinstance(entry, dict)  # noqa: S101 - item_code refuses anything else
    class_id = as_int(entry.get("classId"))
    main = entry.get("isMainClass")
    url, info = live_of(entry)
    return DoubleTeacherLesson(
        code,
        text,
        already=code in endpoint.already,
        side=code in endpoint.side,
        id=class_id,
        class_id=class_id,
        course_id=as_int(entry.get("courseId")),
        name=nonempty_text(entry.get("className")),
        is_main_class=None if main is None else main in (1, "1"),
        live_url=url,
        live_info=info,
        unique_identity=nonempty_text(entry.get("uniqueIdentity")),
    )


def decode_sub_classes(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any]
) -> list[DoubleTeacherLesson]:
    """One result per sub-lesson sent, in order, matched by the ``courseId`` each entry names.

    A sub-lesson the answer does not name is ``LocalErrno.NO_ANSWER`` (never ``ok``).

    Raises:
        ApiError: the call's code is not 1.
        DataMismatchError: an entry names no sub-lesson that was sent.
    """
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    data = answer.data if isinstance(answer.data, dict) else {}
    entries = data.get("subClassData")
    sent = {sub.course_id: sub for sub in items}
    found: dict[int, DoubleTeacherLesson] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        lesson = _lesson(endpoint, index, entry)
        if lesson.course_id is None or lesson.course_id not in sent:
            message = f"subClassData[{index}] names no sub-lesson that was sent: {entry!r:.80}"
            raise DataMismatchError(endpoint.action, message)
        found[lesson.course_id] = lesson
    missing = LocalErrno.NO_ANSWER
    return [
        found.get(sub.course_id)
        or DoubleTeacherLesson(missing, describe(missing), course_id=sub.course_id)
        for sub in items
    ]


def decode_lessons(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()
) -> list[DoubleTeacherLesson]:
    """Every lesson the answer lists (``data[i]``: classId, isMainClass?, live..., code, msg).

    Raises:
        ApiError: the call's code is not 1.
    """
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    data = answer.data if isinstance(answer.data, list) else []
    return [_lesson(endpoint, index, entry) for index, entry in enumerate(data)]


ADD_CLASS: Final = Endpoint(
    action="addClass",
    generation=2,
    path="/lms/onlineDoubleTeacher/addClass",
    params=(
        Param("main_course_id", "mainCourseId", ID),
        Param("main_class_id", "mainClassId", ID),
        Param("sub_classes", "subClassJson", SUB_CLASSES),
    ),
    items="sub_classes",
    max_items=MAX_SUB_CLASSES,
    # Each sub-lesson carries its unique identity on every attempt (a call with one
    # that has none is not repeated).
    idempotent=True,
    identity="unique_identity",
    already=frozenset({Errno.IDENTITY_EXISTS}),
    decode=decode_sub_classes,
)

#: The main lesson's teacher and time changes reach its sub-lessons; a sub-lesson's
#: own teacher and time cannot change (121601036).
_EDIT_FIELDS: Final = (
    Param("class_name", "className", NAME, default=None),
    Param("teacher_uid", "teacherUid", ID, default=None),
    Param("start_time", "startTime", TIME, default=None),
    Param("end_time", "endTime", TIME, default=None),
    *(
        attrs.evolve(p, default=None)
        for p in SUB_CLASS_FIELDS
        if p.name not in ("course_id", "class_name", "unique_identity")
    ),
)


_ONE_CHANGE: Final = one_change(p.name for p in _EDIT_FIELDS)


def _check_edit(values: Mapping[str, Any], count: int) -> None:
    _ONE_CHANGE(values, count)
    check_recording(values)
    _check_main_record(values)
    check_end_after_start(values)


EDIT_CLASS: Final = Endpoint(
    action="editClass",
    generation=2,
    path="/lms/onlineDoubleTeacher/editClass",
    params=(Param("course_id", "courseId", ID), Param("class_id", "classId", ID), *_EDIT_FIELDS),
    idempotent=True,
    check=_check_edit,
    decode=decode_lessons,
)

#: A main lesson goes with its sub-lessons; 121601042 answers a lesson finished or
#: already deleted alike, so it is a refusal (after a retry, see the method).
DELETE_CLASS: Final = Endpoint(
    action="deleteClass",
    generation=2,
    path="/lms/onlineDoubleTeacher/deleteClass",
    params=(Param("course_id", "courseId", ID), Param("class_id", "classId", ID)),
    idempotent=True,
    decode=decode_lessons,
)


def with_identities(main_course_id: object, main_class_id: object, subs: object) -> object:
    """``subs`` with each ``NewSubClass``'s identity filled in.

    Anything else is left for the row's checks to refuse.
    """
    if isinstance(subs, str | bytes | Mapping) or not isinstance(subs, Iterable):
        return subs
    course = ID.check(main_course_id, "main_course_id")
    lesson = ID.check(main_class_id, "main_class_id")
    return [
        attrs.evolve(sub, unique_identity=sub.identity(course, lesson))
        if isinstance(sub, NewSubClass)
        else sub
        for sub in subs
    ]


class DoubleTeacher(Namespace):
    """The double-teacher typed methods, as ``client.double_teacher`` (API v2)."""

    @action(ADD_CLASS)
    async def add_class(
        self,
        main_course_id: int | str,
        main_class_id: int | str,
        sub_classes: Iterable[NewSubClass],
    ) -> list[DoubleTeacherLesson]:
        """Create up to 20 sub-lessons bound to a main lesson (addClass), one result each.

        Results are in the order of ``sub_classes``, matched by the ``courseId`` each
        answer entry names. Every sub-lesson carries its unique identity on every
        attempt, so retries are safe; a repeated identity is ``already`` (398, with the
        earlier ``class_id``). A sub-lesson the answer leaves out is
        ``LocalErrno.NO_ANSWER`` (not ``ok``).

        Raises:
            InputError: not ``NewSubClass`` values, none, two in one course, or more than
                20 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` 121601037.
            TransportError: no usable answer after all attempts.
        """
        subs = with_identities(main_course_id, main_class_id, sub_classes)
        lessons: list[DoubleTeacherLesson] = await self.request(
            ADD_CLASS, main_course_id=main_course_id, main_class_id=main_class_id, sub_classes=subs
        )
        return lessons

    @action(EDIT_CLASS)
    async def edit_class(
        self,
        course_id: int | str,
        class_id: int | str,
        *,
        class_name: str | None = None,
        teacher_uid: int | str | None = None,
        start_time: dt.datetime | int | None = None,
        end_time: dt.datetime | int | None = None,
        assistant_uids: Iterable[int | str] | None = None,
        camera_hide: bool | int | None = None,
        is_auto_onstage: int | None = None,
        seat_num: int | None = None,
        is_hd: int | None = None,
        is_dc: int | None = None,
        use_co_main_record: bool | int | None = None,
        record_state: bool | int | None = None,
        record_type: int | None = None,
        live_state: bool | int | None = None,
        open_state: bool | int | None = None,
    ) -> list[DoubleTeacherLesson]:
        """Change a main lesson or a sub-lesson (editClass): only the values given.

        A main lesson's teacher and time reach its sub-lessons; one result per lesson
        changed (``is_main_class`` says which). Safe to repeat (set to a value).

        Raises:
            InputError: nothing to change, or a bad value (nothing is sent).
            ApiError: e.g. 121601036 (a sub-lesson's teacher or time), 350/875 (locked).
            TransportError: no usable answer after all attempts.
        """
        values = dict(locals())
        del values["self"]
        lessons: list[DoubleTeacherLesson] = await self.request(EDIT_CLASS, **values)
        return lessons

    @action(DELETE_CLASS)
    async def delete_class(
        self, course_id: int | str, class_id: int | str
    ) -> list[DoubleTeacherLesson]:
        """Delete a main lesson with its sub-lessons, or one sub-lesson (deleteClass).

        One result per lesson deleted. Safe to repeat, but 121601042 answers both a
        lesson already deleted and a finished one (not deleted): after a retry of this
        call it may mean the earlier attempt deleted it.

        Raises:
            ApiError: e.g. 121601042 (finished or deleted), 121601034 (not a
                double-teacher lesson).
            TransportError: no usable answer after all attempts.
        """
        lessons: list[DoubleTeacherLesson] = await self.request(
            DELETE_CLASS, course_id=course_id, class_id=class_id
        )
        return lessons
