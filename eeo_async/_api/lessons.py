"""Lessons: their students (transfer-in members of one lesson).

Rows and typed methods of the docs' classroom area that act on lessons. The lesson
actions are "no longer updated" since 2025-05-26 (LMS classrooms replace them) but work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .._client import BaseClient
from .._codes import Errno
from .._constants import STUDENT_IDENTITY
from .._models import ItemStatus
from .._wire.decode import decode_item_details, decode_items
from .._wire.endpoint import Bulk, Endpoint, Param
from .._wire.kinds import ID, ID_STRINGS, IDS, STUDENT_OBJECTS, choice
from .base import action

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
