"""School-level messages and the scheduling sync (the docs' "schoolrelated" and "ClassInfo").

File conversions, device checks outside the classroom (which also show that a user
logged in), cancelled accounts, changed telephone numbers, sub-accounts; then the
changes to courses, lessons and their students, including those made outside your own
system (eeo.cn, the client), which the API gives no other way to learn about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ._fields import Event, nested, to_id, to_mapping, to_str, tuple_of, wire
from ._realtime import DeviceReport


@attrs.frozen(kw_only=True)
class FileConversion(Event):
    """Cmd ``FileCov``: a file uploaded by the school was converted (or failed to be).

    Attributes:
        file_id: the file (``FileID``).
        result: 2 converted, 3 failed (``succeeded``).
        add_time: when it was uploaded.
        change_time: when it was converted.
        file_name: its name.
    """

    CMD: ClassVar[str | int | None] = "FileCov"

    file_id: int | None = wire("FileID", convert=to_id)
    result: int | None = wire("Result")
    add_time: int | None = wire(("Data", "addTime"))
    change_time: int | None = wire(("Data", "changeTime"))
    file_name: str | None = wire(("Data", "fileName"), convert=to_str)

    @property
    def succeeded(self) -> bool:
        """True when the conversion succeeded (``Result`` 2)."""
        return self.result == 2


@attrs.frozen(kw_only=True)
class UserCheck(DeviceReport):
    """Cmd ``UserCheck``: a device check outside the classroom.

    Also the way to learn that a registered user logged in to ClassIn: the client
    checks itself after staying logged in for 10 seconds (``info_source`` 6).
    """

    CMD: ClassVar[str | int | None] = "UserCheck"


@attrs.frozen(kw_only=True)
class AccountCancellation(Event):
    """Cmd ``AccountCancellation``: a user cancelled their account in the client.

    A cancelled account can no longer be added as a teacher or student, nor to a
    course or lesson: update your user table.

    Attributes:
        uid: the user.
        cancellation_time: when.
        account_status: 255 cancelled.
    """

    CMD: ClassVar[str | int | None] = "AccountCancellation"

    uid: int | None = wire("UID", convert=to_id)
    cancellation_time: int | None = wire("CancellationTime")
    account_status: int | None = wire("AccountStatus")


@attrs.frozen(kw_only=True)
class ReplacePhoneNumber(Event):
    """Cmd ``ReplacePhoneNumber``: a user changed their telephone number (the UID stays).

    Attributes:
        uid: the user.
        replace_time: when.
        telephone: the new number (text, though the example sends a number).
        email: the account's e-mail.
    """

    CMD: ClassVar[str | int | None] = "ReplacePhoneNumber"

    uid: int | None = wire("UID", convert=to_id)
    replace_time: int | None = wire("ReplaceTime")
    telephone: str | None = wire("Telephone", convert=to_str)
    email: str | None = wire("Email", convert=to_str)


@attrs.frozen(kw_only=True)
class SetSubAccount(Event):
    """Cmd ``setSubAccount``: an administrator added or edited a sub-account in eeo.cn.

    Attributes:
        uid: the user made a sub-account.
        telephone: their telephone.
        email: their e-mail.
        remark_name: the name given to them.
        permission_list: the pages they may use, as sent ("1,3,3_1,4,5"; ``permissions``
            splits it).
        set_time: when.
    """

    CMD: ClassVar[str | int | None] = "setSubAccount"

    uid: int | None = wire("UID", convert=to_id)
    telephone: str | None = wire("Telephone", convert=to_str)
    email: str | None = wire("Email", convert=to_str)
    remark_name: str | None = wire("RemarkName", convert=to_str)
    permission_list: str | None = wire("PermissionList", convert=to_str)
    set_time: int | None = wire("SetTime")

    @property
    def permissions(self) -> tuple[str, ...]:
        """The permission codes, e.g. ("1", "3", "3_1")."""
        return tuple(p.strip() for p in (self.permission_list or "").split(",") if p.strip())


# ---------------------------------------------------------------- scheduling sync


@attrs.frozen(kw_only=True)
class Label:
    """A label of a course, lesson or student."""

    label_id: int | None = wire("labelId", convert=to_id)
    label_name: str | None = wire("labelName", convert=to_str)


@attrs.frozen(kw_only=True)
class TeacherInfo:
    """A teacher in a scheduling-sync message (``teacher_no`` only in K-12 back offices)."""

    teacher_uid: int | None = wire("teacherUid", convert=to_id)
    teacher_name: str | None = wire("teacherName", convert=to_str)
    teacher_no: str | None = wire("teacherNo", convert=to_str)


@attrs.frozen(kw_only=True)
class StudentInfo:
    """A student in a scheduling-sync message (``student_no`` only in K-12 back offices)."""

    student_uid: int | None = wire("studentUid", convert=to_id)
    student_name: str | None = wire("studentName", convert=to_str)
    student_no: str | None = wire("studentNo", convert=to_str)
    label_infos: tuple[Label, ...] = wire("labelInfos", convert=tuple_of(nested(Label)), default=())


@attrs.frozen(kw_only=True)
class ScheduleChange(Event):
    """A course, lesson or member change, wherever it was made (the scheduling sync).

    On an edit ``op_data`` holds only the edited fields, so the typed fields of an edit
    are None where nothing changed. ``course_id`` is the course (``CourseId``).

    Attributes:
        op_type: 1 added, 2 deleted, 3 edited.
        op_time: when.
        uid: who did it.
        op_source: 3 the back office, client or LMS API; 6 the v1 API.
        uuid: the change's identifier.
        op_data: the whole ``opData`` object.
    """

    op_type: int | None = wire("opType")
    op_time: int | None = wire("opTime")
    uid: int | None = wire("UID", convert=to_id)
    op_source: int | None = wire("opSource")
    uuid: str | None = wire("uuid", convert=to_str)
    op_data: Mapping[str, Any] = wire("opData", convert=to_mapping, default=attrs.Factory(dict))


@attrs.frozen(kw_only=True)
class CourseInfoChange(ScheduleChange):
    """Cmd ``eeoCourseInfoChange``: a course was added or edited.

    Attributes:
        course_name: its name.
        expiry_time: when it expires (0 never).
        course_type: 1 standard, 2 open, 3 double-teacher (old).
        course_status: 1 not started, 2 running, 3 finished, 4 deleted.
        category: the organisation unit (K-12 back offices; ``category_id`` its ID).
        subject_id: the subject (K-12 back offices; 1 Chinese, 2 maths, 3 English, ...).
        main_teacher_info: the class teacher.
        label_infos: the course's labels.
    """

    CMD: ClassVar[str | int | None] = "eeoCourseInfoChange"

    course_name: str | None = wire(("opData", "courseName"), convert=to_str)
    expiry_time: int | None = wire(("opData", "expiryTime"))
    course_type: int | None = wire(("opData", "courseType"))
    course_status: int | None = wire(("opData", "courseStatus"))
    category: str | None = wire(("opData", "category"), convert=to_str)
    category_id: int | None = wire(("opData", "categoryId"), convert=to_id)
    subject_id: int | None = wire(("opData", "subjectId"))
    main_teacher_info: TeacherInfo | None = wire(  # noqa: RUF009 - wire() makes an attrs field
        ("opData", "mainTeacherInfo"), convert=nested(TeacherInfo)
    )
    label_infos: tuple[Label, ...] = wire(
        ("opData", "labelInfos"), convert=tuple_of(nested(Label)), default=()
    )


@attrs.frozen(kw_only=True)
class ClassInfoChange(ScheduleChange):
    """Cmd ``eeoClassInfoChange``: a lesson was added, deleted or edited.

    Attributes:
        class_name: its name.
        course_name: its course's name.
        begin_time: its start.
        end_time: its end.
        class_status: 1 not started, 2 running, 3 finished, 4 deleted.
        class_type: 1 standard, 2 open, 3 double-teacher (old), 9 new double-teacher sub-lesson.
        seat_num: seats on stage, teacher included (9 is 1 + 8).
        is_auto_onstage: 0 students go on stage by themselves, 1 they do not.
        main_class_id: the main lesson of a new sub-lesson (0 for others; absent on edits).
        teacher_info: the teacher.
        assistant_teacher_infos: the co-teachers.
        label_infos: the lesson's labels.
    """

    CMD: ClassVar[str | int | None] = "eeoClassInfoChange"

    class_name: str | None = wire(("opData", "className"), convert=to_str)
    course_name: str | None = wire(("opData", "courseName"), convert=to_str)
    begin_time: int | None = wire(("opData", "beginTime"))
    end_time: int | None = wire(("opData", "endTime"))
    class_status: int | None = wire(("opData", "classStatus"))
    class_type: int | None = wire(("opData", "classType"))
    seat_num: int | None = wire(("opData", "seatNum"))
    is_auto_onstage: int | None = wire(("opData", "isAutoOnstage"))
    main_class_id: int | None = wire(("opData", "MainClassId"), convert=to_id)
    teacher_info: TeacherInfo | None = wire(("opData", "teacherInfo"), convert=nested(TeacherInfo))  # noqa: RUF009 - an attrs field
    assistant_teacher_infos: tuple[TeacherInfo, ...] = wire(
        ("opData", "assistantTeacherInfos"), convert=tuple_of(nested(TeacherInfo)), default=()
    )
    label_infos: tuple[Label, ...] = wire(
        ("opData", "labelInfos"), convert=tuple_of(nested(Label)), default=()
    )


@attrs.frozen(kw_only=True)
class CourseStudentChange(ScheduleChange):
    """Cmd ``eeoCourseStudentChange``: students added to, removed from or edited in a course.

    Attributes:
        course_name: the course's name.
        student_infos: the students concerned.
    """

    CMD: ClassVar[str | int | None] = "eeoCourseStudentChange"

    course_name: str | None = wire(("opData", "courseName"), convert=to_str)
    student_infos: tuple[StudentInfo, ...] = wire(
        ("opData", "studentInfos"), convert=tuple_of(nested(StudentInfo)), default=()
    )


@attrs.frozen(kw_only=True)
class ClassStudentChange(ScheduleChange):
    """Cmd ``eeoClassStudentChange``: students added to, removed from or edited in a lesson.

    Attributes:
        class_name: the lesson's name.
        student_infos: the students concerned.
    """

    CMD: ClassVar[str | int | None] = "eeoClassStudentChange"

    class_name: str | None = wire(("opData", "className"), convert=to_str)
    student_infos: tuple[StudentInfo, ...] = wire(
        ("opData", "studentInfos"), convert=tuple_of(nested(StudentInfo)), default=()
    )
