"""The LMS (API v2): units, activities (classrooms and drafts) and activity members.

Reached as ``client.lms``: its rows and typed methods. Every action is ``POST
https://api.eeo.cn/lms/...`` with a JSON body signed in headers (``_wire/v2.py``). What
a repeat does, from the pages: unit names are unique in a course (29208 on a repeat,
without the unit's ID), a classroom carries a unique identity on every attempt, a draft
of another kind has none (never re-sent after an attempt that may have applied),
deleting answers 40020/29149 the second time, adding a member who already is one
answers 1 (so v2 membership never reports "already").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

from .._codes import TRANSIENT_ITEM, Errno, LocalErrno
from .._errors import InputError
from .._models import ActionResult, ItemStatus
from .._wire.decode import decode_done, decode_same, keyed
from .._wire.endpoint import Bulk, Endpoint, Param
from .._wire.kinds import ID, ID_STRINGS, IDS, TIME, choice, text
from .base import action

# createClassroom and updateClassroom live in ``classrooms.py``: imported here, they are
# among this module's rows, where the registry finds the LMS's.
from .classrooms import CREATE_CLASSROOM, UPDATE_CLASSROOM, ClassroomMethods  # noqa: F401
from .lms_values import (
    NAME,
    Activity,
    Unit,
    check_end_after_start,
    decode_activity,
    decode_created,
    decode_unit,
    one_change,
)

#: Students a call of addStudent/deleteStudent: the pages state no limit; 100 like the
#: v1 member actions, so that one answer stays small.
MAX_STUDENTS: Final = 100
#: Activities one releaseActivity call publishes (no limit stated; 100 like the others).
MAX_RELEASED: Final = 100
#: ``publishFlag``: 0 draft, 2 published (shown to the class).
PUBLISH_FLAG: Final = choice(0, 2)
#: ``activityType`` of createActivityNoClass: 2 homework, 3 test, 4 recorded lesson,
#: 5 material, 6 discussion, 7 answer sheet, 8 check-in.
ACTIVITY_TYPE: Final = choice(2, 3, 4, 5, 6, 7, 8)
_COURSE: Final = Param("course_id", "courseId", ID)
_CHANGES: Final = ("name", "content", "publish_flag")


def _check_move(values: Mapping[str, Any], count: int) -> None:
    if values.get("unit_id") == values.get("to_unit_id"):
        message = "unit_id and to_unit_id are the same unit (errno 29046): nothing to move"
        raise InputError(message)


CREATE_UNIT: Final = Endpoint(
    action="createUnit",
    generation=2,
    path="/lms/unit/create",
    params=(
        _COURSE,
        Param("name", "name", NAME),
        Param("publish_flag", "publishFlag", PUBLISH_FLAG, default=2),
        Param("content", "content", text(0), default=None),
    ),
    # Names are unique in a course: a repeat answers 29208 and creates nothing.
    idempotent=True,
    already=frozenset({Errno.UNIT_EXISTS}),
    side=frozenset({Errno.UNIT_CREATED}),
    decode=decode_unit,
)

UPDATE_UNIT: Final = Endpoint(
    action="updateUnit",
    generation=2,
    path="/lms/unit/update",
    params=(
        _COURSE,
        Param("unit_id", "unitId", ID),
        Param("name", "name", NAME, default=None),
        Param("content", "content", text(0), default=None),
        Param("publish_flag", "publishFlag", PUBLISH_FLAG, default=None),
    ),
    idempotent=True,
    check=one_change(_CHANGES),
    decode=decode_unit,
)

#: Deletes the unit and its activities. The page types ``unitId`` as a string, its
#: sample sends a number like every other page: sent as a number.
DELETE_UNIT: Final = Endpoint(
    action="deleteUnit",
    generation=2,
    path="/lms/unit/delete",
    params=(_COURSE, Param("unit_id", "unitId", ID)),
    idempotent=True,
    already=frozenset({Errno.UNIT_NOT_FOUND}),
    decode=decode_unit,
)

#: Every activity of one unit into another: a repeat finds nothing left to move.
MOVE_ACTIVITY: Final = Endpoint(
    action="moveActivity",
    generation=2,
    path="/lms/unit/move",
    params=(_COURSE, Param("unit_id", "unitId", ID), Param("to_unit_id", "toUnitId", ID)),
    idempotent=True,
    check=_check_move,
    decode=decode_done,
)

#: A draft of another kind. No unique identity: a repeat makes another draft, so it is
#: never re-sent after an attempt that may have applied.
CREATE_ACTIVITY_NO_CLASS: Final = Endpoint(
    action="createActivityNoClass",
    generation=2,
    path="/lms/activity/createActivityNoClass",
    params=(
        _COURSE,
        Param("unit_id", "unitId", ID),
        Param("activity_type", "activityType", ACTIVITY_TYPE),
        Param("name", "name", NAME),
        Param("teacher_uid", "teacherUid", ID),
        Param("start_time", "startTime", TIME, default=None),
        Param("end_time", "endTime", TIME, default=None),
    ),
    idempotent=False,
    check_hint="check the unit before creating again",
    check=lambda values, count: check_end_after_start(values),
    decode=decode_created,
)

#: The table types ``activityIds`` as an array (sent so); both samples send one
#: ``activityId``. Every activity takes the call's code; 29184: already published.
RELEASE_ACTIVITY: Final = Endpoint(
    action="releaseActivity",
    generation=2,
    path="/lms/activity/release",
    params=(_COURSE, Param("activity_ids", "activityIds", IDS)),
    items="activity_ids",
    max_items=MAX_RELEASED,
    idempotent=True,
    already=frozenset({Errno.ACTIVITY_PUBLISHED}),
    decode=decode_same,
)

DELETE_ACTIVITY: Final = Endpoint(
    action="deleteActivity",
    generation=2,
    path="/lms/activity/delete",
    params=(_COURSE, Param("activity_id", "activityId", ID)),
    idempotent=True,
    already=frozenset({Errno.ACTIVITY_DELETED}),
    decode=decode_activity,
)

#: Members into an activity, matched by the ``studentUid`` each entry names. A member
#: already there answers 1. A student the answer leaves out may have been added: it is
#: sent again (safe), and ``unknown`` if it never comes back.
ADD_STUDENT: Final = Endpoint(
    action="addStudent",
    generation=2,
    path="/lms/activity/addStudent",
    params=(
        _COURSE,
        Param("activity_id", "activityId", ID),
        Param("student_uids", "studentUids", ID_STRINGS),
    ),
    items="student_uids",
    max_items=MAX_STUDENTS,
    target="activity_id",
    idempotent=True,
    item_transient=TRANSIENT_ITEM | {LocalErrno.NO_ANSWER},
    bulk=Bulk(verb="add_students_to_activity", key="student_uid"),
    decode=keyed("studentUid"),
)

#: Members out of an activity. The answer has no per-student data: every student takes
#: the call's code. A repeat's answer is not documented (removing twice is harmless).
DELETE_STUDENT: Final = Endpoint(
    action="deleteStudent",
    generation=2,
    path="/lms/activity/deleteStudent",
    params=(
        _COURSE,
        Param("activity_id", "activityId", ID),
        Param("student_uids", "studentUids", ID_STRINGS),
    ),
    items="student_uids",
    max_items=MAX_STUDENTS,
    target="activity_id",
    idempotent=True,
    bulk=Bulk(verb="remove_students_from_activity", key="student_uid"),
    decode=decode_same,
)


class Lms(ClassroomMethods):
    """The LMS's typed methods, as ``client.lms`` (API v2, signed in headers).

    A course (班级, "class") holds units; a unit holds activities: classrooms (the
    successors of lessons) and drafts of other kinds. Times are aware datetimes or Unix
    seconds, IDs ints or digit strings. Each method checks its input before sending and
    retries only where repeating is safe (README: "The LMS and API v2").
    """

    @action(CREATE_UNIT)
    async def create_unit(
        self,
        course_id: int | str,
        name: str,
        *,
        publish_flag: int = 2,
        content: str | None = None,
    ) -> Unit:
        """Create a unit in a course (createUnit); published (2) unless ``publish_flag=0``.

        Safe to repeat: names are unique in a course. A unit of that name already there
        (made before, or by an earlier attempt whose answer was lost) answers 29208: the
        result is then ``already`` with ``unit_id=None`` (the server does not return it).

        Raises:
            InputError: a bad ID, or a name over 50 characters (nothing is sent).
            ApiError: the server refused, e.g. ``ApiError`` 40031 (too many units).
            TransportError: no usable answer after all attempts.
        """
        unit: Unit = await self.request(
            CREATE_UNIT, course_id=course_id, name=name, publish_flag=publish_flag, content=content
        )
        return unit

    @action(UPDATE_UNIT)
    async def update_unit(
        self,
        course_id: int | str,
        unit_id: int | str,
        *,
        name: str | None = None,
        content: str | None = None,
        publish_flag: int | None = None,
    ) -> Unit:
        """Rename, describe or publish a unit (updateUnit); give at least one change.

        A unit goes from draft (0) to published (2) only (40004 otherwise); publishing it
        does not publish its activities (``release_activity`` does). Safe to repeat.

        Raises:
            InputError: nothing to change, or a bad value (nothing is sent).
            ApiError: e.g. ``NotFoundError`` 40020 (no such unit), 50003 (name taken).
            TransportError: no usable answer after all attempts.
        """
        unit: Unit = await self.request(
            UPDATE_UNIT,
            course_id=course_id,
            unit_id=unit_id,
            name=name,
            content=content,
            publish_flag=publish_flag,
        )
        return unit

    @action(DELETE_UNIT)
    async def delete_unit(self, course_id: int | str, unit_id: int | str) -> Unit:
        """Delete a unit **and its activities** (deleteUnit); move them first to keep them.

        40020 (no such unit: deleted before, or by an earlier attempt of this call) is
        ``already``. Safe to repeat.

        Raises:
            ApiError: e.g. 40001 (it holds a running or finished classroom).
            TransportError: no usable answer after all attempts.
        """
        unit: Unit = await self.request(DELETE_UNIT, course_id=course_id, unit_id=unit_id)
        return unit

    @action(MOVE_ACTIVITY)
    async def move_activity(
        self, course_id: int | str, unit_id: int | str, to_unit_id: int | str
    ) -> ActionResult:
        """Move every activity of ``unit_id`` into ``to_unit_id`` (moveActivity).

        Safe to repeat: a second call finds nothing left to move.

        Raises:
            InputError: the two units are the same (nothing is sent).
            ApiError: e.g. ``NotFoundError`` 50004 (no target unit), 29138 (it would be
                too full).
            TransportError: no usable answer after all attempts.
        """
        result: ActionResult = await self.request(
            MOVE_ACTIVITY, course_id=course_id, unit_id=unit_id, to_unit_id=to_unit_id
        )
        return result

    @action(CREATE_ACTIVITY_NO_CLASS)
    async def create_activity_no_class(
        self,
        course_id: int | str,
        unit_id: int | str,
        activity_type: int,
        name: str,
        teacher_uid: int | str,
        *,
        start_time: dt.datetime | int | None = None,
        end_time: dt.datetime | int | None = None,
    ) -> Activity:
        """Create a draft activity of another kind than a classroom (createActivityNoClass).

        ``activity_type``: 2 homework, 3 test, 4 recorded lesson, 5 material, 6
        discussion, 7 answer sheet, 8 check-in. The action has no unique identity: it
        is sent again only where the server cannot have acted; after an attempt that
        may have applied (a timeout, 104 ...) the error says to check the unit first.

        Raises:
            InputError: a bad value (nothing is sent).
            ApiError: e.g. 40031 (the unit holds 100 activities).
            TransportError: no usable answer; the draft may exist (check the unit).
        """
        made: Activity = await self.request(
            CREATE_ACTIVITY_NO_CLASS,
            course_id=course_id,
            unit_id=unit_id,
            activity_type=activity_type,
            name=name,
            teacher_uid=teacher_uid,
            start_time=start_time,
            end_time=end_time,
        )
        return made

    @action(RELEASE_ACTIVITY)
    async def release_activity(
        self, course_id: int | str, activity_ids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Publish draft activities of any kind (releaseActivity); up to 100 a call.

        One ``ItemStatus`` per activity, each with the call's code (the answer has no
        per-activity codes): ``ok`` on 1, or 29184 (already published: ``already``).
        Safe to repeat.

        Raises:
            InputError: a bad ID, none, one twice, or more than 100 (nothing is sent).
            ApiError: a transient or credentials code after all attempts.
            TransportError: no usable answer after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            RELEASE_ACTIVITY, course_id=course_id, activity_ids=activity_ids
        )
        return statuses

    @action(DELETE_ACTIVITY)
    async def delete_activity(self, course_id: int | str, activity_id: int | str) -> Activity:
        """Delete one activity of any kind (deleteActivity).

        29149 (already deleted: before, or by an earlier attempt of this call) is
        ``already``. Safe to repeat.

        Raises:
            ApiError: e.g. 40005/40006 (a classroom in progress or finished),
                ``NotFoundError`` 30002.
            TransportError: no usable answer after all attempts.
        """
        gone: Activity = await self.request(
            DELETE_ACTIVITY, course_id=course_id, activity_id=activity_id
        )
        return gone

    @action(ADD_STUDENT)
    async def add_student(
        self, course_id: int | str, activity_id: int | str, student_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Add up to 100 students to an activity (addStudent); one status per student.

        Statuses are in the order of ``student_uids``, matched by the ``studentUid`` each
        answer entry names (never by position). A student already a member answers 1: v2
        never reports ``already``. A student the answer leaves out gets
        ``LocalErrno.NO_ANSWER`` (not ``ok``: it may or may not have been added). A
        classroom takes any student of the school (non-members join as transfer-in);
        other activities only students of the class (40030). Not homework or tests.

        Raises:
            InputError: a bad ID, none, one twice, or more than 100 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` 30002.
            DataMismatchError: an entry names a student that was not sent.
            TransportError: no usable answer after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            ADD_STUDENT, course_id=course_id, activity_id=activity_id, student_uids=student_uids
        )
        return statuses

    @action(DELETE_STUDENT)
    async def delete_student(
        self, course_id: int | str, activity_id: int | str, student_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Remove up to 100 students from an activity (deleteStudent).

        The answer has no per-student data: every student takes the call's code (1, or
        the refusal such as 30002), in the order of ``student_uids``. Safe to repeat.

        Raises:
            InputError: a bad ID, none, one twice, or more than 100 (nothing is sent).
            ApiError: a transient or credentials code after all attempts.
            TransportError: no usable answer after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            DELETE_STUDENT, course_id=course_id, activity_id=activity_id, student_uids=student_uids
        )
        return statuses
