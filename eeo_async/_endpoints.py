"""The endpoint table: one :class:`~eeo_async._wire.Endpoint` row per supported action.

Adding an action of the family is a row here and a short typed method on the Client
(and, for bulk work, an operation row in ``_plan``). The item limits are the docs'
limits or recommendations, in this one place.
"""

from __future__ import annotations

from typing import Final

from ._codes import Errno
from ._constants import STUDENT_IDENTITY
from ._wire import (
    GROUP_NAME,
    GROUPS,
    ID,
    ID_STRINGS,
    IDS,
    Endpoint,
    Param,
    choice,
    decode_group,
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

#: Every row by wire name.
ENDPOINTS: Final = {
    row.action: row
    for row in (ADD_COURSE_CLASS_STUDENT, DEL_CLASS_STUDENT_MULTIPLE, ADD_COURSE_GROUP)
}
