"""Course members one at a time, and course teachers.

Rows and typed methods of the docs' classroom area for one student or auditor of a
course (addCourseStudent, delCourseStudent) and for its teachers (modifyCourseTeacher,
removeCourseTeacher, and the v2 addCourseTeacher). Every one of them is safe to repeat:
adding answers "already a member" (163/164, 133) and removing "not a member" (162, 316)
the second time, and changing the teacher of the unstarted lessons sets a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from .._client import BaseClient
from .._codes import Errno
from .._constants import STUDENT_IDENTITY
from .._errors import DataMismatchError, InputError
from .._models import ActionResult, ItemStatus
from .._wire.decode import decode_done, item_code, keyed, refuse, status
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import ID, ID_STRINGS, IDENTITY, as_int, text
from .base import action

#: ``identity`` of an auditor (``studentName`` is for auditors only).
_AUDITOR: Final = 2


def _check_auditor_name(values: Mapping[str, Any], count: int) -> None:
    if values.get("student_name") is not None and values.get("identity") != _AUDITOR:
        message = "student_name is the name of an auditor: give it with identity=2 only"
        raise InputError(message)


#: One student (1) or auditor (2) into a course. 163/164: already a student/auditor;
#: 841: added, the class nickname not synced (a warning).
ADD_COURSE_STUDENT: Final = Endpoint(
    action="addCourseStudent",
    params=(
        Param("course_id", "courseId", ID),
        Param("identity", "identity", IDENTITY, default=STUDENT_IDENTITY),
        Param("student_uid", "studentUid", ID),
        Param("student_name", "studentName", text(1, 24), default=None),
    ),
    idempotent=True,
    already=frozenset({Errno.STUDENT_IN_COURSE, Errno.AUDITOR_EXISTS}),
    side=frozenset({Errno.NICKNAME_SYNC_FAILED}),
    check=_check_auditor_name,
    decode=decode_done,
)

#: One student or auditor out of a course; 162 (not a member) is "already".
DEL_COURSE_STUDENT: Final = Endpoint(
    action="delCourseStudent",
    params=(
        Param("course_id", "courseId", ID),
        Param("identity", "identity", IDENTITY, default=STUDENT_IDENTITY),
        Param("student_uid", "studentUid", ID),
    ),
    idempotent=True,
    already=frozenset({Errno.NOT_COURSE_MEMBER}),
    decode=decode_done,
)


def decode_lessons_changed(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()
) -> list[ItemStatus]:
    """The answer of modifyCourseTeacher: one status per lesson changed (``id``: its class).

    188 (no lesson not yet started) is an empty list: every unstarted lesson has the
    teacher, there being none.

    Raises:
        ApiError: any other call-level code.
        DataMismatchError: ``data`` is not a list of ``{classId, errno, error}``.
    """
    if answer.code in endpoint.already:
        return []
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    data = answer.data if answer.data is not None else []
    if not isinstance(data, list):
        message = f"data should be a list of lessons, got {type(data).__name__}"
        raise DataMismatchError(endpoint.action, message)
    statuses = []
    for index, entry in enumerate(data):
        code, message = item_code(endpoint.action, index, entry)
        class_id = as_int(entry.get("classId"))
        if class_id is None:
            detail = f"data[{index}] names no classId: {entry!r:.60}"
            raise DataMismatchError(endpoint.action, detail)
        statuses.append(status(endpoint, code, message, id=class_id))
    return statuses


#: The teacher of every lesson of a course that has not started (not double-teacher
#: lessons): set-to-value, safe to repeat. One status per lesson changed comes back.
MODIFY_COURSE_TEACHER: Final = Endpoint(
    action="modifyCourseTeacher",
    params=(Param("course_id", "courseId", ID), Param("teacher_uid", "teacherUid", ID)),
    idempotent=True,
    already=frozenset({Errno.NO_UNSTARTED_LESSON}),
    decode=decode_lessons_changed,
)

#: A teacher off a course's teacher list; 316 (not on the list) is "already"; 317:
#: the teacher still has unfinished lessons of the course.
REMOVE_COURSE_TEACHER: Final = Endpoint(
    action="removeCourseTeacher",
    params=(Param("course_id", "courseId", ID), Param("teacher_uid", "teacherUid", ID)),
    idempotent=True,
    already=frozenset({Errno.TEACHER_NOT_LISTED}),
    decode=decode_done,
)

#: Teachers onto a course's teacher list (API v2, ``teacherUids`` an array of strings).
#: Each answer names its ``teacherUid``; 133 (already a teacher of it) is "already".
#: No limit is documented; 100 a call like the other member lists.
ADD_COURSE_TEACHER: Final = Endpoint(
    action="addCourseTeacher",
    generation=2,
    path="/course/addCourseTeacher",
    params=(Param("course_id", "courseId", ID), Param("teacher_uids", "teacherUids", ID_STRINGS)),
    items="teacher_uids",
    max_items=100,
    idempotent=True,
    already=frozenset({Errno.ALREADY_EXISTS}),
    bulk=Bulk(verb="add_teachers_to_course", key="teacher_uid"),
    decode=keyed("teacherUid"),
)


class CourseMembers(BaseClient):
    """The typed methods of one course member and of course teachers (in ``eeo_async.Client``)."""

    @action(ADD_COURSE_STUDENT)
    async def add_course_student(
        self,
        course_id: int | str,
        student_uid: int | str,
        *,
        identity: int | str = 1,
        student_name: str | None = None,
    ) -> ActionResult:
        """Add one student, or one auditor, to a course (addCourseStudent).

        ``identity`` is 1 or ``"student"`` (the default), 2 or ``"auditor"``;
        ``student_name`` (1 to 24 characters) is an auditor's name in eeo.cn (the docs:
        their phone number if not given). ``ok`` on errno 1, 841 (added, the class
        nickname not synced: ``side`` true, the message a warning) and 163/164 (already
        a student/auditor: ``already`` true). Safe to repeat: transient failures are
        retried.

        Raises:
            InputError: a bad ID or name, or a name for a student (nothing is sent).
            ApiError: the server refused, e.g. ``NotFoundError`` for 228 (not a student
                of the school), 129 (a teacher of the course).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            ADD_COURSE_STUDENT,
            course_id=course_id,
            identity=identity,
            student_uid=student_uid,
            student_name=student_name,
        )
        return result

    @action(DEL_COURSE_STUDENT)
    async def del_course_student(
        self, course_id: int | str, student_uid: int | str, *, identity: int | str = 1
    ) -> ActionResult:
        """Remove one student, or one auditor, from a course (delCourseStudent).

        ``ok`` on errno 1 and 162 (not a member: ``already`` true). Safe to repeat.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the server refused, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            DEL_COURSE_STUDENT, course_id=course_id, identity=identity, student_uid=student_uid
        )
        return result

    @action(MODIFY_COURSE_TEACHER)
    async def modify_course_teacher(
        self, course_id: int | str, teacher_uid: int | str
    ) -> list[ItemStatus]:
        """Make ``teacher_uid`` the teacher of every lesson of a course not yet started.

        modifyCourseTeacher. Returns one ``ItemStatus`` per lesson the server changed
        (``id`` is its class ID), in the server's order; a lesson's own failure (189,
        466 ...) is its status, not an exception. A course without such lessons (188) is
        an empty list. Double-teacher lessons are not changed (use their own actions).
        Setting a value is safe to repeat: transient failures are retried.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the server refused, e.g. ``NotFoundError`` for 136 (no such
                teacher), 146 (the course has ended).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            MODIFY_COURSE_TEACHER, course_id=course_id, teacher_uid=teacher_uid
        )
        return statuses

    @action(REMOVE_COURSE_TEACHER)
    async def remove_course_teacher(
        self, course_id: int | str, teacher_uid: int | str
    ) -> ActionResult:
        """Take a teacher off a course's teacher list (removeCourseTeacher).

        ``ok`` on errno 1 and 316 (not on the list: ``already`` true). A teacher who
        still has unfinished lessons of the course is refused (317). Safe to repeat.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the server refused, e.g. 317, ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            REMOVE_COURSE_TEACHER, course_id=course_id, teacher_uid=teacher_uid
        )
        return result

    @action(ADD_COURSE_TEACHER)
    async def add_course_teacher(
        self, course_id: int | str, teacher_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Add up to 100 teachers to a course's teacher list (API v2 addCourseTeacher).

        Returns one ``ItemStatus`` per UID in input order, matched by the ``teacherUid``
        each answer names: ``ok`` on code 1 and 133 (already a teacher: ``already``
        true); 387 (deactivated), 30022 (the head teacher) ... are statuses. A teacher
        the answer does not name is ``LocalErrno.NO_ANSWER``, never reported done. Safe
        to repeat: transient failures are retried.

        Raises:
            InputError: a bad ID, none, one twice or more than 100 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            ADD_COURSE_TEACHER, course_id=course_id, teacher_uids=teacher_uids
        )
        return statuses
