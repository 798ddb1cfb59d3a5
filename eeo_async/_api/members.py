"""The school's members: students and teachers of the school (part of the docs' user area).

addSchoolStudent, editSchoolStudent, addTeacher, editTeacher, stopUsingTeacher and
restartUsingTeacher. An account must be a student (or teacher) of the school before a
course or lesson can name it. Adding answers 133 when the account is already one, so
it is safe to repeat; editing, stopping and restarting set a value.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from os import PathLike
from typing import Any, Final

import attrs

from .._client import BaseClient
from .._codes import Errno
from .._errors import InputTypeError
from .._models import ActionResult
from .._wire.decode import decode_done, decode_same
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import ID, ItemsKind, as_int, compact
from .accounts import ACCOUNT, AVATAR, NAME, validate_account
from .base import action, done_as


def _account(value: object) -> str:
    return validate_account(value, "account")


def _name(value: object) -> str:
    checked: str = NAME.check(value, "name")
    return checked


@attrs.frozen
class SchoolMember:
    """An account to add to the school as a student or a teacher, with the name shown.

    Attributes:
        account: the account's telephone (a mainland number, or ``00<country>-<number>``;
            an int is read as its digits) or email; the report's key.
        name: the name shown in eeo.cn (1 to 24 characters, never cut silently).

    Raises:
        InputError: a bad account or name.
    """

    account: str = attrs.field(converter=_account)
    name: str = attrs.field(converter=_name)


def validate_member(value: object, where: str) -> SchoolMember:
    """Return ``value`` if it is a :class:`SchoolMember` (checked when it was made)."""
    if not isinstance(value, SchoolMember):
        message = f"{where} must be an eeo_async.SchoolMember, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _member_key(member: SchoolMember) -> Hashable:
    return member.account


def members_kind(account_wire: str, name_wire: str) -> ItemsKind:
    """Members sent one a call as two fields of their own (``teacherAccount``, ``teacherName``)."""

    def fields(members: Sequence[SchoolMember]) -> tuple[tuple[str, str], ...]:
        (member,) = members
        return (account_wire, member.account), (name_wire, member.name)

    def shown(members: Sequence[SchoolMember]) -> str:
        return compact([{account_wire: m.account, name_wire: m.name} for m in members])

    return ItemsKind(item=validate_member, text=shown, key=_member_key, fields=fields)


@attrs.frozen(kw_only=True)
class TeacherAdded(ActionResult):
    """The answer to ``add_teacher``.

    ``ok`` on errno 1, and on 133 (already a member of the school: ``already`` is true).

    Attributes:
        relation_id: the ID of the school-teacher relation the server answers on errno 1
            (the docs: it "can be ignored"; it is not the teacher's UID), else ``None``.
    """

    relation_id: int | None = None


def decode_teacher(endpoint: Endpoint, answer: Answer, items: Any = ()) -> TeacherAdded:
    """The answer of addTeacher: done or already, with the relation ID when given.

    Raises:
        ApiError: any other code.
    """
    done = decode_done(endpoint, answer)
    return done_as(TeacherAdded, done, relation_id=as_int(answer.data))


#: An account into the school as a student (name 1-24). 133: already a school student.
ADD_SCHOOL_STUDENT: Final = Endpoint(
    action="addSchoolStudent",
    params=(
        Param("student_account", "studentAccount", ACCOUNT),
        Param("student_name", "studentName", NAME),
    ),
    idempotent=True,
    already=frozenset({Errno.ALREADY_EXISTS}),
    decode=decode_done,
)

#: A student's name in eeo.cn (not the teacher name): a set-to-value.
EDIT_SCHOOL_STUDENT: Final = Endpoint(
    action="editSchoolStudent",
    params=(Param("student_uid", "studentUid", ID), Param("student_name", "studentName", NAME)),
    idempotent=True,
    decode=decode_done,
)

#: An account into the school as a teacher, optionally with an avatar (multipart then).
#: 133: already in the school; 845: the school's teacher quota; 884: account cancelled.
ADD_TEACHER: Final = Endpoint(
    action="addTeacher",
    params=(
        Param("teacher_account", "teacherAccount", ACCOUNT),
        Param("teacher_name", "teacherName", NAME),
        Param("filedata", "Filedata", AVATAR, default=None),
    ),
    idempotent=True,
    already=frozenset({Errno.ALREADY_EXISTS}),
    decode=decode_teacher,
)

#: A teacher's name and avatar: a set-to-value.
EDIT_TEACHER: Final = Endpoint(
    action="editTeacher",
    params=(
        Param("teacher_uid", "teacherUid", ID),
        Param("teacher_name", "teacherName", NAME),
        Param("filedata", "Filedata", AVATAR, default=None),
    ),
    idempotent=True,
    decode=decode_done,
)

#: Stop a teacher (no new lessons, no school drive). It sets a state, so a repeat
#: leaves the teacher stopped; the docs give no "already stopped" code.
STOP_USING_TEACHER: Final = Endpoint(
    action="stopUsingTeacher",
    params=(Param("teacher_uid", "teacherUid", ID),),
    idempotent=True,
    decode=decode_done,
)

#: Restart a stopped teacher: sets a state too (800 while a stop is still under way).
RESTART_USING_TEACHER: Final = Endpoint(
    action="restartUsingTeacher",
    params=(Param("teacher_uid", "teacherUid", ID),),
    idempotent=True,
    decode=decode_done,
)

Avatar = str | PathLike[str]


class Members(BaseClient):
    """The typed methods of the school's students and teachers (mixed into ``eeo_async.Client``)."""

    @action(ADD_SCHOOL_STUDENT)
    async def add_school_student(
        self, student_account: str | int, student_name: str
    ) -> ActionResult:
        """Add a registered account to the school as a student (addSchoolStudent).

        ``student_account`` is the telephone or email it was registered with;
        ``student_name`` (1 to 24 characters) is shown in eeo.cn. ``ok`` on errno 1 and
        on 133 (already a student of the school: ``already`` is true), so it is safe
        to repeat and transient failures are retried.

        Raises:
            InputError: a bad account or name (nothing is sent).
            ApiError: the call failed, e.g. 113 (not registered), 128 (the school's own
                account), 886 (account cancelled).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            ADD_SCHOOL_STUDENT, student_account=student_account, student_name=student_name
        )
        return result

    @action(EDIT_SCHOOL_STUDENT)
    async def edit_school_student(self, student_uid: int | str, student_name: str) -> ActionResult:
        """Change a student's name in eeo.cn (editSchoolStudent); not the teacher name.

        A set-to-value, retried on transient failures. The class nicknames follow only
        after ``modify_course_student_nick_name`` or ``modify_group_member_nickname``.

        Raises:
            InputError: a bad ID or name (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 228 (no such student).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            EDIT_SCHOOL_STUDENT, student_uid=student_uid, student_name=student_name
        )
        return result

    @action(ADD_TEACHER)
    async def add_teacher(
        self, teacher_account: str | int, teacher_name: str, *, filedata: Avatar | None = None
    ) -> TeacherAdded:
        """Add a registered account to the school as a teacher (addTeacher).

        A teacher must be one of the school's before a lesson can name it.
        ``teacher_name`` (1 to 24 characters) is shown in eeo.cn; ``filedata`` is an
        optional avatar image (jpg, jpeg, gif or png under 1 MB), streamed from disk.
        ``ok`` on errno 1 and on 133 (already in the school: ``already`` is true), so it
        is safe to repeat and transient failures are retried (131 and 101003002 are
        waited out).

        Raises:
            InputError: a bad account, name or image (nothing is sent).
            ApiError: the call failed, e.g. 113 (not registered), 845 (the school's most
                enabled teachers), 884 (account cancelled).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: TeacherAdded = await self.request(
            ADD_TEACHER,
            teacher_account=teacher_account,
            teacher_name=teacher_name,
            filedata=filedata,
        )
        return result

    @action(EDIT_TEACHER)
    async def edit_teacher(
        self, teacher_uid: int | str, teacher_name: str, *, filedata: Avatar | None = None
    ) -> ActionResult:
        """Change a teacher's name, and avatar if ``filedata`` is given (editTeacher).

        A set-to-value, retried on transient failures.

        Raises:
            InputError: a bad ID, name or image (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 219 (no such teacher).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            EDIT_TEACHER, teacher_uid=teacher_uid, teacher_name=teacher_name, filedata=filedata
        )
        return result

    @action(STOP_USING_TEACHER)
    async def stop_using_teacher(self, teacher_uid: int | str) -> ActionResult:
        """Stop a teacher: no new lessons, no school drive (stopUsingTeacher).

        Sets a state, so it is retried on transient failures (the teacher ends stopped
        either way; the docs give no "already stopped" code).

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. 317/339 (unfinished lessons or courses),
                ``NotFoundError`` for 136, 386/402 (the school's account or a sub-account).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(STOP_USING_TEACHER, teacher_uid=teacher_uid)
        return result

    @action(RESTART_USING_TEACHER)
    async def restart_using_teacher(self, teacher_uid: int | str) -> ActionResult:
        """Restart a stopped teacher (restartUsingTeacher).

        Sets a state, so it is retried on transient failures. Right after a stop the
        server answers 800 ("still being stopped") for a few minutes: that is raised,
        not waited out.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. 800, ``NotFoundError`` for 136.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(RESTART_USING_TEACHER, teacher_uid=teacher_uid)
        return result


def _by_account(row: Endpoint, verb: str, items: str, account: str, name: str) -> Endpoint:
    """``row`` sent one account a call, the item its account and name fields."""
    return attrs.evolve(
        row,
        params=(Param(items, account, members_kind(account, name)),),
        items=items,
        max_items=1,
        bulk=Bulk(verb=verb, key="account"),
        decode=decode_same,
    )


#: The bulk rows of the Batcher's ``add_school_students`` and ``add_teachers``, by verb:
#: addSchoolStudent and addTeacher one account a call, each as its own two fields, keyed
#: by the account (133: already a member). A table rather than rows of this module: the
#: registry holds one row per action.
BULK_ROWS: Final[dict[str, Endpoint]] = {
    "add_school_students": _by_account(
        ADD_SCHOOL_STUDENT, "add_school_students", "students", "studentAccount", "studentName"
    ),
    "add_teachers": _by_account(
        ADD_TEACHER, "add_teachers", "teachers", "teacherAccount", "teacherName"
    ),
}
