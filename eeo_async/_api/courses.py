"""Courses: creating, editing and ending them, and their members (students and auditors).

Rows and typed methods of the docs' classroom area that act on a course as a whole.
Creating a course sends a unique identity on every attempt (``_api/identity.py``), so a
retry after a timeout or a lost answer never makes a second course.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from typing import Any, Final

import attrs

from .._client import BaseClient
from .._codes import Errno
from .._constants import STUDENT_IDENTITY
from .._errors import DataMismatchError, InputError, TooManyItemsError
from .._models import ActionResult, ItemStatus
from .._wire.decode import accepted, decode_done, decode_item_details, decode_items, status
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import (
    FLAG,
    ID,
    ID_STRINGS,
    IDENTITIES,
    IDENTITY,
    STUDENT_OBJECTS,
    UNIQUE_IDENTITY,
    Kind,
    Time,
    as_int,
    choice,
    text,
    validate_time,
)
from .base import action
from .files import UPLOAD
from .identity import GivenIdentity, derived, identity_of

#: Most auditors a course may have (addCourseStudentMultiple: "旁听人数最多可添加20人").
MAX_AUDITORS: Final = 20


def check_auditors(values: Mapping[str, Any], count: int) -> None:
    """Refuse more auditors than a course may have, before anything is sent."""
    if values.get("identity") == IDENTITIES["auditor"] and count > MAX_AUDITORS:
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


# ---------------------------------------------------------------- creating courses

#: A course expires at most 5 years ahead (154) and at least a day ahead (151).
MAX_EXPIRY_SECONDS: Final = 5 * 365 * 86_400
MIN_EXPIRY_SECONDS: Final = 86_400
#: No size limit is documented for a course cover; uploadFile's 500 MB and 128-character
#: name are the only upload limits the docs give.
COVER: Final = UPLOAD
#: ``subjectId``: 0 none, 1-16 the school subjects, 99 other (primary and secondary only).
SUBJECT: Final = choice(*range(17), 99)


def validate_expiry(value: object, where: str) -> int:
    """``expiryTime``: 0 (never expires), or a time a day to 5 years from now (151, 154)."""
    if value == 0 and not isinstance(value, bool):
        return 0
    seconds = validate_time(value, where)
    ahead = seconds - time.time()
    if not MIN_EXPIRY_SECONDS <= ahead <= MAX_EXPIRY_SECONDS:
        message = (
            f"{where} must be from a day to 5 years from now (or 0: never), got {seconds} "
            f"({ahead / 86_400:.1f} days from now)"
        )
        raise InputError(message)
    return seconds


#: When a course expires, as a time or Unix seconds; 0 means never.
EXPIRY: Final = Kind(check=validate_expiry)


@attrs.frozen
class CourseResult(ItemStatus):
    """The answer to ``add_course``: the course's ID, new or made before.

    ``already`` is true when the server answered that the unique identity was used
    before (398): the course exists (after a retry, possibly made by this call's own
    earlier attempt). ``course_id`` is then the earlier course's ID where the server
    gives it, else ``None``: look it up in eeo.cn by its name.
    """

    @property
    def course_id(self) -> int | None:
        """The course's ID (``None`` only for a 398 answer without it)."""
        return self.id


def decode_new_course(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()
) -> CourseResult:
    """The answer of addCourse: the new course ID (1), or the earlier one's if given (398).

    Raises:
        ApiError: any other code.
        DataMismatchError: errno 1 without a course ID.
    """
    code = accepted(endpoint, answer)
    course_id = as_int(answer.data)
    if course_id is None and code == Errno.OK:
        message = f"data should be the new course ID, got {answer.data!r:.60}"
        raise DataMismatchError(endpoint.action, message)
    made = status(endpoint, code, answer.message, id=course_id)
    return CourseResult(made.errno, made.error, already=made.already, id=course_id)


def _check_new_course(values: Mapping[str, Any], count: int) -> None:
    if values.get("cat_id") is not None and values.get("course_name") is None:
        message = "cat_id needs course_name too (the docs' rule for editCourse)"
        raise InputError(message)


#: The settings of a course, both when it is created and when it is edited.
_COURSE_SETTINGS: Final = (
    Param("folder_id", "folderId", ID, default=None),
    Param("filedata", "Filedata", COVER, default=None),
    Param("expiry_time", "expiryTime", EXPIRY, default=None),
    Param("main_teacher_uid", "mainTeacherUid", ID, default=None),
    Param("subject_id", "subjectId", SUBJECT, default=None),
    Param("cat_id", "catId", ID, default=None),
    Param("course_introduce", "courseIntroduce", text(0, 400), default=None),
    Param("classroom_setting_id", "classroomSettingId", ID, default=None),
    Param("allow_add_friend", "allowAddFriend", FLAG, default=None),
    Param("allow_student_modify_nickname", "allowStudentModifyNickname", FLAG, default=None),
    Param(
        "not_allow_delete_course_student_replay",
        "notAllowDeleteCourseStudentReplay",
        FLAG,
        default=None,
    ),
)

#: A course. Safe to repeat with its unique identity (always sent unless the caller
#: says ``unique_identity=False``): a repeat answers the earlier ID or 398, read as
#: "already made". 460 (being created by another request) is retried with it.
ADD_COURSE: Final = Endpoint(
    action="addCourse",
    params=(
        Param("course_name", "courseName", text(1, 90)),
        *_COURSE_SETTINGS,
        Param("unique_identity", "courseUniqueIdentity", UNIQUE_IDENTITY, default=None),
    ),
    idempotent=True,
    identity="unique_identity",
    already=frozenset({Errno.IDENTITY_EXISTS}),
    decode=decode_new_course,
)

#: A course's name and settings: set-to-value, safe to repeat. The head teacher cannot
#: be removed once set; ``stamp`` says whether the former one joins the teacher list.
EDIT_COURSE: Final = Endpoint(
    action="editCourse",
    params=(
        Param("course_id", "courseId", ID),
        Param("course_name", "courseName", text(1, 40), default=None),
        *_COURSE_SETTINGS,
        Param("stamp", "stamp", choice(1, 2), default=None),
    ),
    idempotent=True,
    check=_check_new_course,
    decode=decode_done,
)

#: End a course; its unstarted lessons are deleted (the page: "use with caution").
#: Safe to repeat: ending is a state, and a repeat finds nothing more to delete (an ended
#: course takes no new lessons). The page documents no answer for a course already
#: ended; 146 "course ended" (modifyCourseTeacher's table) is read as "already".
END_COURSE: Final = Endpoint(
    action="endCourse",
    params=(Param("course_id", "courseId", ID),),
    idempotent=True,
    already=frozenset({Errno.COURSE_ENDED}),
    decode=decode_done,
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

    @action(ADD_COURSE)
    async def add_course(
        self,
        course_name: str,
        *,
        folder_id: int | str | None = None,
        filedata: str | PathLike[str] | None = None,
        expiry_time: Time | None = None,
        main_teacher_uid: int | str | None = None,
        subject_id: int | None = None,
        cat_id: int | str | None = None,
        course_introduce: str | None = None,
        classroom_setting_id: int | str | None = None,
        allow_add_friend: bool | None = None,
        allow_student_modify_nickname: bool | None = None,
        not_allow_delete_course_student_replay: bool | None = None,
        unique_identity: GivenIdentity = None,
    ) -> CourseResult:
        """Create a course (addCourse); a retry never makes a second one.

        Every attempt sends a unique identity (``courseUniqueIdentity``): yours, or one
        derived from the name and settings given (the cover aside), so the same call
        always sends the same identity. Give your own when two courses share a name and
        settings, or the second call answers with the first course. A repeated identity
        is answered with the earlier course's ID or refused with 398; either way the
        result says ``already`` (with ``course_id`` when the server gives it), never a
        failure and never a second course. Transient failures (104, 114, 460, timeouts)
        are retried with the same identity. ``unique_identity=False`` sends none: the
        call is then never re-sent after an attempt that may have applied, and the error
        says to check before creating again.

        Args:
            course_name: 1 to 90 characters (never cut: a longer one is refused).
            folder_id: the cloud folder the course may use.
            filedata: a path to the cover image, sent as a multipart upload.
            expiry_time: when the course expires (a day to 5 years ahead; 0 or
                ``None``: never).
            main_teacher_uid: the head teacher (course advisor).
            subject_id: 0-16 or 99 (primary and secondary school courses).
            cat_id: the school's organisation-structure ID.
            course_introduce: up to 400 characters.
            classroom_setting_id: the classroom setting (skin, switches) to use.
            allow_add_friend: members may add each other as friends in the class group.
            allow_student_modify_nickname: students may change their class nickname.
            not_allow_delete_course_student_replay: students who left may not watch.
            unique_identity: 1 to 32 characters, ``None`` to derive one, ``False`` for
                none.

        Raises:
            InputError: a bad value, named (nothing is sent).
            ApiError: the server refused, e.g. 334 (no such head teacher).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        # Every argument but self and the identity, by name: the row names them alike.
        values = {k: v for k, v in locals().items() if k not in ("self", "unique_identity")}
        identity = identity_of(
            unique_identity, lambda: derived(ADD_COURSE, "course", values, ("filedata",))
        )
        result: CourseResult = await self.request(ADD_COURSE, **values, unique_identity=identity)
        return result

    @action(EDIT_COURSE)
    async def edit_course(
        self,
        course_id: int | str,
        *,
        course_name: str | None = None,
        folder_id: int | str | None = None,
        filedata: str | PathLike[str] | None = None,
        expiry_time: Time | None = None,
        main_teacher_uid: int | str | None = None,
        subject_id: int | None = None,
        cat_id: int | str | None = None,
        stamp: int | None = None,
        course_introduce: str | None = None,
        classroom_setting_id: int | str | None = None,
        allow_add_friend: bool | None = None,
        allow_student_modify_nickname: bool | None = None,
        not_allow_delete_course_student_replay: bool | None = None,
    ) -> ActionResult:
        """Change a course's name and settings (editCourse); only what is given changes.

        Setting values is safe to repeat, so transient failures are retried.
        ``expiry_time=0`` makes the course never expire. A head teacher, once set, can be
        changed but not removed; ``stamp`` 1 (the default) puts the former head teacher
        on the teacher list, 2 does not.

        Raises:
            InputError: a bad value, named; ``cat_id`` without ``course_name`` (nothing
                is sent).
            ApiError: the server refused, e.g. ``NotFoundError`` for 144, 314 (the head
                teacher has unfinished lessons).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        values = {k: v for k, v in locals().items() if k != "self"}
        result: ActionResult = await self.request(EDIT_COURSE, **values)
        return result

    @action(END_COURSE)
    async def end_course(self, course_id: int | str) -> ActionResult:
        """End a course (endCourse); its lessons not yet started are DELETED.

        Refused with 394 while a lesson is in progress. Safe to repeat: a repeat finds the
        course ended and nothing left to delete; 146 (already ended) is ``ok`` with
        ``already`` true.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the server refused, e.g. ``NotFoundError`` for 144, 394.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(END_COURSE, course_id=course_id)
        return result
