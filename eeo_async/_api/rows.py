"""The endpoint table: one :class:`~eeo_async._wire.Endpoint` row per supported action.

Adding an action of the family is a row here and a short typed method on the Client
(and, for bulk work, an operation row in ``_plan``). The item limits are the docs'
limits or recommendations, in this one place.
"""

from __future__ import annotations

from typing import Final

from .._codes import Errno
from .._constants import STUDENT_IDENTITY
from .._errors import TooManyItemsError
from .._wire.kinds import (
    GROUP_NAME,
    GROUPS,
    ID,
    ID_STRINGS,
    IDENTITY,
    IDS,
    STUDENT_OBJECTS,
    USERS,
    Endpoint,
    Param,
    choice,
    decode_done,
    decode_group,
    decode_item_details,
    decode_items,
)

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
    decode=decode_items,
)

#: The one group plan of a course: not idempotent (a second call answers 892).
ADD_COURSE_GROUP: Final = Endpoint(
    action="addCourseGroup",
    params=(
        Param("course_id", "courseId", ID),
        Param("group_name", "groupName", GROUP_NAME),
        Param("groups", "groupList", GROUPS),
    ),
    idempotent=False,
    decode=decode_group,
)

#: Replace a course's group plan: repeatable (editing to the same plan twice is harmless).
EDIT_COURSE_GROUP: Final = Endpoint(
    action="editCourseGroup",
    params=(
        Param("course_id", "courseId", ID),
        Param("group_id", "groupId", ID),
        Param("group_name", "groupName", GROUP_NAME),
        Param("groups", "groupList", GROUPS),
    ),
    idempotent=True,
    decode=decode_done,
)

#: Delete a course's group plan. A repeat answers 893 ("no such group"), which cannot be
#: told apart from a wrong id, so it is re-sent only where the server cannot have acted.
DEL_COURSE_GROUP: Final = Endpoint(
    action="delCourseGroup",
    params=(Param("course_id", "courseId", ID), Param("group_id", "groupId", ID)),
    idempotent=False,
    decode=decode_done,
)

#: Most auditors a course may have (addCourseStudentMultiple: "旁听人数最多可添加20人").
MAX_AUDITORS: Final = 20
#: ``identity`` of an auditor.
AUDITOR_IDENTITY: Final = 2


def check_auditors(identity: object, count: int) -> None:
    """Refuse more auditors than a course may have, before anything is sent."""
    if identity in (AUDITOR_IDENTITY, "auditor") and count > MAX_AUDITORS:
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
    decode=decode_item_details,
)

#: Up to 10 accounts (450 past it). Safe to repeat: an account registered by a lost
#: attempt answers 135/461 with its UID. 131 (identical requests at once) is retried
#: per item too.
REGISTER_MULTIPLE: Final = Endpoint(
    action="registerMultiple",
    params=(Param("users", "userJson", USERS),),
    items="users",
    max_items=10,
    idempotent=True,
    already=frozenset({Errno.PHONE_REGISTERED, Errno.EMAIL_REGISTERED}),
    item_transient=frozenset({Errno.SERVER_BUSY, Errno.REGISTER_FAILED}),
    decode=decode_item_details,
)

#: Every row by wire name.
ENDPOINTS: Final = {
    row.action: row
    for row in (
        ADD_COURSE_CLASS_STUDENT,
        DEL_CLASS_STUDENT_MULTIPLE,
        ADD_COURSE_GROUP,
        EDIT_COURSE_GROUP,
        DEL_COURSE_GROUP,
        ADD_COURSE_STUDENT_MULTIPLE,
        DEL_COURSE_STUDENT_MULTIPLE,
        ADD_CLASS_STUDENT_MULTIPLE,
        REGISTER_MULTIPLE,
    )
}
