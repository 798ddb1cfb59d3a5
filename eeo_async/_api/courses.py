"""Courses: their members (students and auditors).

Rows and typed methods of the docs' classroom area that act on a course as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from .._client import BaseClient
from .._codes import Errno
from .._constants import STUDENT_IDENTITY
from .._errors import TooManyItemsError
from .._models import ItemStatus
from .._wire.decode import decode_item_details, decode_items
from .._wire.endpoint import Bulk, Endpoint, Param
from .._wire.kinds import ID, ID_STRINGS, IDENTITY, STUDENT_OBJECTS
from .base import action

#: Most auditors a course may have (addCourseStudentMultiple: "旁听人数最多可添加20人").
MAX_AUDITORS: Final = 20
#: ``identity`` of an auditor.
AUDITOR_IDENTITY: Final = 2


def check_auditors(values: Mapping[str, Any], count: int) -> None:
    """Refuse more auditors than a course may have, before anything is sent."""
    if values.get("identity") in (AUDITOR_IDENTITY, "auditor") and count > MAX_AUDITORS:
        message = (
            f"{count} auditors, but a course takes at most {MAX_AUDITORS} "
            "(addCourseStudentMultiple's rule)"
        )
        raise TooManyItemsError(message)


#: Students or auditors into a course ("recommended <= 30 students"; auditors <= 20 a
#: course). 163/164: already a student/auditor of the course; 464 is retried per item.
ADD_COURSE_STUDENT_MULTIPLE: Final = Endpoint(
    action="addCourseStudentMultiple",
    params=(
        Param("course_id", "courseId", ID),
        Param("identity", "identity", IDENTITY, default=STUDENT_IDENTITY),
        Param("student_uids", "studentJson", STUDENT_OBJECTS),
    ),
    items="student_uids",
    max_items=30,
    idempotent=True,
    already=frozenset({Errno.STUDENT_IN_COURSE, Errno.AUDITOR_EXISTS}),
    side=frozenset({Errno.NICKNAME_SYNC_FAILED}),
    check=check_auditors,
    bulk=Bulk(verb="add_students_to_course", key="student_uid"),
    decode=decode_item_details,
)

#: Students or auditors out of a course (no limit stated; 100 like the lesson actions).
DEL_COURSE_STUDENT_MULTIPLE: Final = Endpoint(
    action="delCourseStudentMultiple",
    params=(
        Param("course_id", "courseId", ID),
        Param("identity", "identity", IDENTITY, default=STUDENT_IDENTITY),
        Param("student_uids", "studentUidJson", ID_STRINGS),
    ),
    items="student_uids",
    max_items=100,
    idempotent=True,
    already=frozenset({Errno.NOT_COURSE_MEMBER}),
    bulk=Bulk(verb="remove_students_from_course", key="student_uid"),
    decode=decode_items,
)


class Courses(BaseClient):
    """The typed methods of courses (mixed into ``eeo_async.Client``)."""

    @action(ADD_COURSE_STUDENT_MULTIPLE)
    async def add_course_student_multiple(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
    ) -> list[ItemStatus]:
        """Add up to 30 students, or up to 20 auditors, to a course (addCourseStudentMultiple).

        ``identity`` is 1 or ``"student"`` (the default), 2 or ``"auditor"``. Returns one
        ``ItemStatus`` per UID in input order; ``ok`` on errno 1, 841 (added, but the class
        nickname was not synced: ``side`` is true and the message is a warning), or
        163/164 (already a student/auditor of the course; ``already`` is then true). An
        item answering 464 (being created by another request) is a status here; the
        Batcher retries it. A student of the course answers 163 also when added as an
        auditor, and an auditor 164 when added as a student: the account is a member
        either way.

        Raises:
            InputError: a bad ID, none, one twice, more than 30, or more than 20
                auditors (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            ADD_COURSE_STUDENT_MULTIPLE,
            course_id=course_id,
            student_uids=student_uids,
            identity=identity,
        )
        return statuses

    @action(DEL_COURSE_STUDENT_MULTIPLE)
    async def del_course_student_multiple(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
    ) -> list[ItemStatus]:
        """Remove up to 100 students (or auditors) from a course (delCourseStudentMultiple).

        Returns one ``ItemStatus`` per UID in input order; ``ok`` on errno 1 or 162 (not a
        member of the course; ``already`` is then true).

        Raises:
            InputError: a bad ID, none, one twice, or more than 100 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            DEL_COURSE_STUDENT_MULTIPLE,
            course_id=course_id,
            student_uids=student_uids,
            identity=identity,
        )
        return statuses
