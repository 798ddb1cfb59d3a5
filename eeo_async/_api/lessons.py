"""Lessons: editing and deleting them, and their students (transfer-in members).

Rows and typed methods of the docs' classroom area that act on existing lessons
(creating them is ``new_lessons.py``). The lesson actions are "no longer updated" since
2025-05-26 (LMS classrooms replace them) but work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from .._client import BaseClient
from .._codes import Errno
from .._constants import STUDENT_IDENTITY
from .._errors import InputError
from .._models import ActionResult, ItemStatus
from .._wire.decode import decode_done, decode_item_details, decode_items
from .._wire.endpoint import Bulk, Endpoint, Param
from .._wire.kinds import (
    ID,
    ID_STRINGS,
    IDS,
    STUDENT_OBJECTS,
    TIME,
    Time,
    choice,
    text,
    validate_id,
)
from . import lesson_rules as rules
from .base import action
from .lesson_items import lesson_settings
from .new_lessons import LessonResult, decode_lesson

#: One student into up to 100 lessons of a course ("recommended <= 100 lessons").
ADD_COURSE_CLASS_STUDENT: Final = Endpoint(
    action="addCourseClassStudent",
    params=(
        Param("course_id", "courseId", ID),
        Param("student_uid", "studentUid", ID),
        Param("class_ids", "classJson", IDS),
    ),
    items="class_ids",
    max_items=100,
    target="student_uid",
    idempotent=True,
    already=frozenset({Errno.ALREADY_IN_LESSON}),
    bulk=Bulk(verb="add_student_to_lessons", key="class_id"),
    decode=decode_items,
)

#: Several students out of one lesson (no limit stated; 100 like its counterpart).
DEL_CLASS_STUDENT_MULTIPLE: Final = Endpoint(
    action="delClassStudentMultiple",
    params=(
        Param("course_id", "courseId", ID),
        Param("class_id", "classId", ID),
        Param("student_uids", "studentUidJson", ID_STRINGS),
        Param("identity", "identity", choice(STUDENT_IDENTITY), default=STUDENT_IDENTITY),
    ),
    items="student_uids",
    max_items=100,
    target="class_id",
    idempotent=True,
    already=frozenset({Errno.NOT_IN_LESSON}),
    bulk=Bulk(verb="remove_students_from_lesson", key="student_uid"),
    decode=decode_items,
)

#: Several transfer-in students into one lesson ("recommended <= 30").
ADD_CLASS_STUDENT_MULTIPLE: Final = Endpoint(
    action="addClassStudentMultiple",
    params=(
        Param("course_id", "courseId", ID),
        Param("class_id", "classId", ID),
        Param("identity", "identity", choice(STUDENT_IDENTITY), default=STUDENT_IDENTITY),
        Param("student_uids", "studentJson", STUDENT_OBJECTS),
    ),
    items="student_uids",
    max_items=30,
    target="class_id",
    idempotent=True,
    already=frozenset({Errno.ALREADY_IN_LESSON}),
    bulk=Bulk(verb="add_students_to_lesson", key="student_uid"),
    decode=decode_item_details,
)


# ----------------------------------------------------------- editing and deleting

#: The recording switches editCourseClass takes only together (changing one of record,
#: live and replay needs the other two; ``record_scene`` needs all three).
_RECORDING: Final = ("record", "live", "replay")


def _check_edit(values: Mapping[str, Any], count: int) -> None:
    begin, end = values.get("begin_time"), values.get("end_time")
    if (begin is None) != (end is None):
        message = "give begin_time and end_time together (the docs: an end with a begin)"
        raise InputError(message)
    if begin is not None and end is not None:
        rules.check_times(begin, end)
        rules.check_begin(begin)
    given = [name for name in _RECORDING if values.get(name) is not None]
    if (given or values.get("record_scene") is not None) and len(given) != len(_RECORDING):
        message = (
            "record, live and replay are changed together: give all three (the docs: "
            "otherwise the change has no effect)"
        )
        raise InputError(message)
    rules.check_recording(values)
    rules.check_assistants(values.get("teacher_uid"), values.get("assistant_uids") or ())


#: Change a lesson: set-to-value, safe to repeat. 282/283/284/825: edited, with the
#: recording or the introduction not set (a warning). Refused within 20 minutes of the
#: start for its name, time, folder, seats, auto-stage and mode (350), once it runs
#: (140) or ends (145), and for LMS lessons (466).
EDIT_COURSE_CLASS: Final = Endpoint(
    action="editCourseClass",
    params=(
        Param("course_id", "courseId", ID),
        Param("class_id", "classId", ID),
        Param("class_name", "className", text(1, 50), default=None),
        Param("begin_time", "beginTime", TIME, default=None),
        Param("end_time", "endTime", TIME, default=None),
        Param("teacher_uid", "teacherUid", ID, default=None),
        *lesson_settings(
            "folder_id",
            "record",
            "record_scene",
            "live",
            "replay",
            "assistant_uids",
            "teach_mode",
            "is_auto_onstage",
            "class_introduce",
            "watch_by_login",
            "allow_unlogged_chat",
            "omo_station_broadcast",
        ),
    ),
    idempotent=True,
    side=frozenset(
        {
            Errno.EDITED_RECORDING_BAD,
            Errno.EDITED_RECORDING_LOCKED,
            Errno.EDITED_RECORDING_FAILED,
            Errno.EDITED_INTRO_FAILED,
        }
    ),
    check=_check_edit,
    decode=decode_lesson,
)


def _check_seats(values: Mapping[str, Any], count: int) -> None:
    if values.get("seat_num") is None and values.get("is_hd") is None:
        message = "give seat_num or is_hd (the docs: at least one of them)"
        raise InputError(message)
    rules.check_stage(values)


#: Seats on stage, HD and the dual camera of a lesson: set-to-value, safe to repeat;
#: refused within 20 minutes of the start (348).
MODIFY_CLASS_SEAT_NUM: Final = Endpoint(
    action="modifyClassSeatNum",
    params=(
        Param("course_id", "courseId", ID),
        Param("class_id", "classId", ID),
        *lesson_settings("seat_num", "is_hd", "is_dc"),
    ),
    idempotent=True,
    check=_check_seats,
    decode=decode_done,
)

#: Delete a lesson not yet started, and its unique identity. 212 (already deleted) is
#: "already", so a repeat is safe; 823: deleted, but its identity stays taken (a warning:
#: creating it again answers 398). 140/145: it runs or has ended.
DEL_COURSE_CLASS: Final = Endpoint(
    action="delCourseClass",
    params=(Param("course_id", "courseId", ID), Param("class_id", "classId", ID)),
    idempotent=True,
    already=frozenset({Errno.LESSON_DELETED}),
    side=frozenset({Errno.DELETED_IDENTITY_KEPT}),
    decode=decode_done,
)

#: Delete a lesson that has ended (and its identity); as delCourseClass otherwise.
DEL_END_COURSE_CLASS: Final = Endpoint(
    action="delEndCourseClass",
    params=(Param("course_id", "courseId", ID), Param("class_id", "classId", ID)),
    idempotent=True,
    already=frozenset({Errno.LESSON_DELETED}),
    side=frozenset({Errno.DELETED_IDENTITY_KEPT}),
    decode=decode_done,
)


class Lessons(BaseClient):
    """The typed methods of lessons (mixed into ``eeo_async.Client``)."""

    @action(ADD_COURSE_CLASS_STUDENT)
    async def add_course_class_student(
        self, course_id: int | str, student_uid: int | str, class_ids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Add one student to up to 100 lessons of a course (addCourseClassStudent).

        Returns one ``ItemStatus`` per lesson, in the order of ``class_ids``; an item is
        ``ok`` on errno 1 or 166 (already in the lesson; ``already`` is then true).
        Per-lesson errors such as 145 (lesson finished) are statuses, not exceptions.

        Raises:
            InputError: a bad ID, no lessons, a lesson twice, or more than 100 lessons
                (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            ADD_COURSE_CLASS_STUDENT,
            course_id=course_id,
            student_uid=student_uid,
            class_ids=class_ids,
        )
        return statuses

    @action(DEL_CLASS_STUDENT_MULTIPLE)
    async def del_class_student_multiple(
        self, course_id: int | str, class_id: int | str, student_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Remove up to 100 students from one lesson (delClassStudentMultiple).

        Sends ``identity=1`` (students). Returns one ``ItemStatus`` per student, in the
        order of ``student_uids``; an item is ``ok`` on errno 1 or 167 (was not in the
        lesson; ``already`` is then true).

        Raises:
            InputError: a bad ID, no students, a student twice, or more than 100
                students (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 143.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            DEL_CLASS_STUDENT_MULTIPLE,
            course_id=course_id,
            class_id=class_id,
            student_uids=student_uids,
        )
        return statuses

    @action(ADD_CLASS_STUDENT_MULTIPLE)
    async def add_class_student_multiple(
        self, course_id: int | str, class_id: int | str, student_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Add up to 30 students to one lesson as transfer-in students (addClassStudentMultiple).

        Returns one ``ItemStatus`` per UID in input order; ``ok`` on errno 1 or 166
        (already in the lesson; ``already`` is then true). Lesson problems (145
        finished, 212 deleted ...) fail the whole call.

        Raises:
            InputError: a bad ID, none, one twice, or more than 30 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 142.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            ADD_CLASS_STUDENT_MULTIPLE,
            course_id=course_id,
            class_id=class_id,
            student_uids=student_uids,
        )
        return statuses

    @action(EDIT_COURSE_CLASS)
    async def edit_course_class(
        self,
        course_id: int | str,
        class_id: int | str,
        *,
        class_name: str | None = None,
        begin_time: Time | None = None,
        end_time: Time | None = None,
        teacher_uid: int | str | None = None,
        folder_id: int | str | None = None,
        record: bool | None = None,
        record_scene: bool | None = None,
        live: bool | None = None,
        replay: bool | None = None,
        assistant_uids: Iterable[int | str] | None = None,
        teach_mode: int | None = None,
        is_auto_onstage: int | None = None,
        class_introduce: str | None = None,
        watch_by_login: bool | None = None,
        allow_unlogged_chat: bool | None = None,
        omo_station_broadcast: bool | None = None,
    ) -> LessonResult:
        """Change a lesson (editCourseClass); only what is given changes.

        ``begin_time`` and ``end_time`` go together, and so do ``record``, ``live`` and
        ``replay`` (the docs: otherwise no effect); ``assistant_uids=[]`` removes the
        co-teachers. The result is ``ok`` on 1 and on 282/283/284/825 (edited, with the
        recording or the introduction not set: ``side`` true, the message says what);
        its ``class_id`` is the lesson's and ``live_url`` its player. Setting values is
        safe to repeat, so transient failures are retried.

        Raises:
            InputError: a bad value, named, a rule of :class:`NewLesson` broken, or a
                time or switch without its partners (nothing is sent).
            ApiError: the server refused, e.g. 350 (within 20 minutes of the start), 140
                (in progress), 466 (an LMS lesson), ``NotFoundError`` for 142.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        values = {k: v for k, v in locals().items() if k != "self"}
        result: LessonResult = await self.request(EDIT_COURSE_CLASS, **values)
        return attrs.evolve(result, id=validate_id(class_id, "class_id"))

    @action(MODIFY_CLASS_SEAT_NUM)
    async def modify_class_seat_num(
        self,
        course_id: int | str,
        class_id: int | str,
        *,
        seat_num: int | None = None,
        is_hd: int | None = None,
        is_dc: int | None = None,
    ) -> ActionResult:
        """Change a lesson's seats on stage, HD or dual camera (modifyClassSeatNum).

        Give ``seat_num`` (0 to 12), ``is_hd`` (0, 1 HD, 2 full HD) or both; HD takes 1
        or 6 seats and ``is_dc=3`` (second camera) 1. Safe to repeat.

        Raises:
            InputError: a bad value or combination (nothing is sent).
            ApiError: the server refused, e.g. 348 (within 20 minutes of the start), 259
                (more than the school's most seats).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            MODIFY_CLASS_SEAT_NUM,
            course_id=course_id,
            class_id=class_id,
            seat_num=seat_num,
            is_hd=is_hd,
            is_dc=is_dc,
        )
        return result

    @action(DEL_COURSE_CLASS)
    async def del_course_class(self, course_id: int | str, class_id: int | str) -> ActionResult:
        """Delete a lesson that has not started (delCourseClass), and its unique identity.

        ``ok`` on 1, on 212 (already deleted: ``already`` true) and on 823 (deleted, but
        its identity stays taken: ``side`` true; creating it again answers 398). Safe to
        repeat.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the server refused, e.g. 140 (in progress), 145 (ended: use
                :meth:`del_end_course_class`), ``NotFoundError`` for 142/143.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            DEL_COURSE_CLASS, course_id=course_id, class_id=class_id
        )
        return result

    @action(DEL_END_COURSE_CLASS)
    async def del_end_course_class(self, course_id: int | str, class_id: int | str) -> ActionResult:
        """Delete a lesson that has ended (delEndCourseClass), and its unique identity.

        ``ok`` on 1, 212 (already deleted: ``already`` true) and 823 (deleted, its
        identity kept: ``side`` true). Safe to repeat.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the server refused, e.g. 140 (in progress), ``NotFoundError`` for
                142/143.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            DEL_END_COURSE_CLASS, course_id=course_id, class_id=class_id
        )
        return result
