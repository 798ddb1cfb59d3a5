"""Sandbox area "users: school students": the school's students, comments, class nicknames.

Actions addSchoolStudent, editSchoolStudent, updateClassStudentComment,
modifyGroupMemberNickname (v1) and ``/schooluser/modifyCourseStudentNickName`` (v2). Its
state is ``Roster`` (names shown in eeo.cn, teacher status, relation IDs, comments,
class nicknames), shared with the teachers area (``_teachers``); who is a school student
or teacher is the core ``School``'s. Read so from the pages:

- addSchoolStudent: 100, 134 (a telephone the docs do not allow), 113 (not registered),
  128 (the school's own account, ``Roster.school_account``), 886 (account deleted), 133
  (already a school student), 1. Names are stored cut to 24 characters, as the pages say.
- editSchoolStudent: 100, 228 (not a school student), 1.
- updateClassStudentComment: 100, 233 (no such lesson); per student 228 (not a school
  student), 167 (not in the lesson: neither a student of its course nor of the lesson),
  104 (the item_busy fault: this page's busy code), 1; stars are clamped to 0-5 and
  comments cut to 1000 characters, as the page says. 369 is not simulated.
- modifyCourseStudentNickName (v2): 101001001 (``studentUids`` not a list of IDs, or
  empty), 121601060 (more than 100); per student 121601059 (not a school student),
  101004005 (the item_busy fault), 1: the school name becomes the class nickname in every
  course of the student that is neither deleted nor expired.
- modifyGroupMemberNickname: 100, 144, 149, 153; 843 when every member's nickname fails
  (deleted accounts), 842 when some do, 1.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
import random
from typing import Any, Final

import attrs

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v1, v2
from ._school import School
from ._wire import (
    TELEPHONE,
    V2_BAD_VALUE,
    Answer,
    body_uids,
    custom_column,
    id_value,
    int_field,
    json_field,
    text_field,
)

#: Names are cut to 24 characters, comments to 1000 (the pages).
NAME_CHARS: Final = 24
COMMENT_CHARS: Final = 1000
#: Most UIDs one modifyCourseStudentNickName call takes (121601060 past it).
MAX_NICKNAME_UIDS: Final = 100


@attrs.define
class Roster:
    """The members area's state: names, teacher status and quota, comments, nicknames.

    Attributes:
        student_names: the name eeo.cn shows for each school student.
        teacher_names: the name eeo.cn shows for each school teacher.
        relation_ids: the school-teacher relation ID of each teacher added.
        stopped: when each stopped teacher's stop began (the sandbox's clock).
        stop_seconds: how long a stop stays "under way" (800 on restart meanwhile).
        teacher_limit: most enabled teachers (845 past it); ``None`` for no limit.
        school_account: the school's own account (128, 386), if seeded.
        sub_accounts: UIDs made sub-accounts of the school (402; deleteSubSchoolAccount).
        teaching: teachers seeded with unfinished lessons (317).
        comments: ``(class_id, uid) -> (stars, comment)``.
        class_nicknames: ``(course_id, uid) -> nickname`` set by the nickname actions.
    """

    student_names: dict[int, str] = attrs.Factory(dict)
    teacher_names: dict[int, str] = attrs.Factory(dict)
    relation_ids: dict[int, int] = attrs.Factory(dict)
    stopped: dict[int, float] = attrs.Factory(dict)
    stop_seconds: float = 0.0
    teacher_limit: int | None = None
    school_account: str | None = None
    sub_accounts: set[int] = attrs.Factory(set)
    teaching: set[int] = attrs.Factory(set)
    comments: dict[tuple[int, int], tuple[int, str]] = attrs.Factory(dict)
    class_nicknames: dict[tuple[int, int], str] = attrs.Factory(dict)
    relations: itertools.count[int] = attrs.Factory(lambda: itertools.count(14_161))

    def add_student(self, school: School, uid: int, name: str) -> None:
        """Make ``uid`` a school student named ``name`` (cut to 24); a student keeps its name."""
        school.student_uids.add(uid)
        self.student_names.setdefault(uid, name[:NAME_CHARS])

    def add_teacher(self, school: School, uid: int, name: str) -> int:
        """Make ``uid`` a school teacher named ``name`` (kept if it has one); its relation ID."""
        school.teacher_uids.add(uid)
        self.teacher_names.setdefault(uid, name[:NAME_CHARS])
        relation = self.relation_ids.get(uid)
        if relation is None:
            relation = self.relation_ids[uid] = next(self.relations)
        return relation

    def check_teacher_room(self, school: School) -> None:
        """845 when the school's enabled teachers fill its quota."""
        enabled = len(school.teacher_uids) - len(self.stopped)
        if self.teacher_limit is not None and enabled >= self.teacher_limit:
            raise Answer(Errno.TEACHER_LIMIT)

    def is_stopped(self, uid: int) -> bool:
        """True when ``uid`` is a stopped (or stopping) teacher."""
        return uid in self.stopped


def uid_of(school: School, account: str) -> int:
    """The UID of a registered account; 113 for an unknown one."""
    found = school.accounts.get(account)
    if found is None:
        raise Answer(Errno.PHONE_NOT_REGISTERED)
    return found.uid


def add_school_student(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addSchoolStudent: a registered account into the school as a student."""
    account = text_field(form, "studentAccount").strip()
    name = text_field(form, "studentName").strip()
    if not account or not name:
        raise Answer(Errno.BAD_PARAMETERS)
    if "@" not in account and not TELEPHONE.fullmatch(account):
        raise Answer(Errno.ILLEGAL_PHONE)
    roster = school.state(Roster)
    if account == roster.school_account:
        raise Answer(Errno.SCHOOL_ACCOUNT_AS_STUDENT)
    uid = uid_of(school, account)
    if uid in school.deleted_uids:
        raise Answer(Errno.ACCOUNT_DELETED)
    if uid in school.student_uids:
        raise Answer(Errno.ALREADY_EXISTS)
    roster.add_student(school, uid, name)
    return school.envelope(Errno.OK)


def edit_school_student(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """editSchoolStudent: the name eeo.cn shows for a school student."""
    uid = int_field(form, "studentUid")
    name = text_field(form, "studentName").strip()
    if not name:
        raise Answer(Errno.BAD_PARAMETERS)
    if uid not in school.student_uids:
        raise Answer(Errno.STUDENT_NOT_IN_SCHOOL)
    school.state(Roster).student_names[uid] = name[:NAME_CHARS]
    return school.envelope(Errno.OK)


def update_class_student_comment(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """updateClassStudentComment: the teacher's rating and comment of students of a lesson."""
    class_id = int_field(form, "classId")
    comments = json_field(form, "commentJson")
    if not isinstance(comments, list) or not comments:
        raise Answer(Errno.BAD_PARAMETERS)
    lesson = school.lessons.get(class_id)
    if lesson is None or lesson.deleted:
        raise Answer(Errno.LESSON_NOT_IN_SCHOOL)
    course = school.courses[lesson.course_id]
    school.count_items("updateClassStudentComment", len(comments))
    roster = school.state(Roster)
    data = []
    for entry in comments:
        if not isinstance(entry, dict):
            raise Answer(Errno.BAD_PARAMETERS)
        uid = id_value(entry.get("studentUid"))
        stars, text = str(entry.get("starNum")), entry.get("comment")
        if not stars.lstrip("-").isdigit() or not isinstance(text, str):
            raise Answer(Errno.BAD_PARAMETERS)
        column = custom_column(entry.get("customColumn"))
        if uid not in school.student_uids:
            errno = Errno.STUDENT_NOT_IN_SCHOOL
        elif uid not in lesson.members and uid not in course.students:
            errno = Errno.NOT_IN_LESSON
        elif school.item_busy(rng):
            errno = Errno.OPERATION_FAILED
        else:
            roster.comments[class_id, uid] = (min(max(int(stars), 0), 5), text[:COMMENT_CHARS])
            errno = Errno.OK
        data.append(school.entry(errno, column, studentUid=str(uid)))
    return school.envelope(Errno.OK, data)


def _school_name(school: School, uid: int) -> str:
    return school.state(Roster).student_names.get(uid, str(uid))


def modify_course_student_nick_name(
    school: School, body: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """``/schooluser/modifyCourseStudentNickName``: school names to class nicknames (v2)."""
    given = body.get("studentUids")
    if isinstance(given, list) and len(given) > MAX_NICKNAME_UIDS:
        raise Answer(Errno.TOO_MANY_STUDENT_UIDS)
    parsed = body_uids(body, "studentUids")
    school.count_items("/schooluser/modifyCourseStudentNickName", len(parsed))
    roster = school.state(Roster)
    data = []
    for uid in parsed:
        if uid not in school.student_uids:
            code = Errno.SCHOOL_STUDENT_NOT_FOUND
        elif school.item_busy(rng):
            code = Errno.INTERNAL_CALL_FAILED
        else:
            for course_id, course in school.courses.items():
                if uid in course.students and not course.deleted and not course.expired:
                    roster.class_nicknames[course_id, uid] = _school_name(school, uid)
            code = Errno.OK
        data.append(school.entry_v2(code, studentUid=uid))
    return school.envelope_v2(Errno.OK, data)


def modify_group_member_nickname(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """modifyGroupMemberNickname: every course member's class nickname to its school name."""
    course_id = int_field(form, "courseId")
    course = school.find_course(course_id, editing=True)
    roster = school.state(Roster)
    members = sorted(course.students | course.auditors)
    failed = 0
    for uid in members:
        if uid in school.deleted_uids:
            failed += 1
            continue
        roster.class_nicknames[course_id, uid] = _school_name(school, uid)
    if members and failed == len(members):
        raise Answer(Errno.NICKNAMES_FAILED)
    return school.envelope(Errno.NICKNAMES_PARTLY_FAILED if failed else Errno.OK)


AREA: Final = Area(
    "members",
    routes=(
        v1("addSchoolStudent", add_school_student),
        v1("editSchoolStudent", edit_school_student),
        v1("updateClassStudentComment", update_class_student_comment),
        v1("modifyGroupMemberNickname", modify_group_member_nickname),
        v2("/schooluser/modifyCourseStudentNickName", modify_course_student_nick_name),
    ),
    texts=Texts(
        zh={
            Errno.ALREADY_EXISTS: "已是机构学生",
            Errno.TEACHER_LIMIT: "超出机构老师最大启用数量",
            Errno.OPERATION_FAILED: "操作失败（未知错误）",
            Errno.PHONE_NOT_REGISTERED: "手机账户未注册",
            Errno.ILLEGAL_PHONE: "手机号不合法",
            Errno.SCHOOL_ACCOUNT_AS_STUDENT: "机构账号不能添加为学生",
            Errno.NOT_IN_LESSON: "课节下不存在此学生",
            Errno.LESSON_NOT_IN_SCHOOL: "机构下无此课节",
            Errno.INTERNAL_CALL_FAILED: "服务内部调用失败",
            Errno.SCHOOL_STUDENT_NOT_FOUND: "机构下无此学生",
            Errno.TOO_MANY_STUDENT_UIDS: "学生数量超过限制100",
            V2_BAD_VALUE: "业务参数错误",
            Errno.NICKNAMES_PARTLY_FAILED: "修改成员班级昵称部分失败",
            Errno.NICKNAMES_FAILED: "修改成员班级昵称全部失败",
            Errno.COURSE_DELETED: "该课程已经删除",
            Errno.COURSE_EXPIRED: "该课程已过期",
        }
    ),
)
