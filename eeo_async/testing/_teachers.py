"""Sandbox area "users: teachers": the school's teachers and their status.

Actions addTeacher, editTeacher, stopUsingTeacher and restartUsingTeacher, on the
members' ``Roster`` (``_members``). Read so from the pages:

- addTeacher: 100, 122 (an account that is neither a telephone the docs allow nor an
  email), 113 (not registered), 884 (account cancelled), 133 (already a teacher of the
  school), 845 (past ``Roster.teacher_limit`` enabled teachers), 1 with the relation ID.
  131 answers a request identical to one in flight (the page lists it).
- editTeacher: 100, 219 (not a teacher of the school), 1.
- stopUsingTeacher: 100, 136 (not a teacher of the school), 386 (the school's account),
  402 (a sub-account, ``Roster.sub_accounts``), 339 (head or co-teacher of a course that
  is neither deleted nor expired), 317 (``Roster.teaching``: teachers seeded with
  unfinished lessons), 1. Stopping a stopped teacher answers 1 (the docs document no
  "already stopped" code).
- restartUsingTeacher: 100, 136, 800 while a stop is under way (it completes after
  ``Roster.stop_seconds`` on the sandbox's clock, 0 by default), 1 (an active teacher
  too).
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
import re
from typing import Any, Final

from .._codes import Errno
from ._members import NAME_CHARS, Roster, uid_of
from ._messages import Texts
from ._route import Area, v1
from ._school import School
from ._wire import TELEPHONE, Answer, int_field, text_field

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def add_teacher(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addTeacher: a registered account into the school as a teacher; the relation ID."""
    account = text_field(form, "teacherAccount").strip()
    name = text_field(form, "teacherName").strip()
    if not account or not name:
        raise Answer(Errno.BAD_PARAMETERS)
    if not (TELEPHONE.fullmatch(account) or _EMAIL.fullmatch(account)):
        raise Answer(Errno.ILLEGAL_TEACHER_ACCOUNT)
    uid = uid_of(school, account)
    if uid in school.deleted_uids:
        raise Answer(Errno.TEACHER_ACCOUNT_CANCELLED)
    if uid in school.teacher_uids:
        raise Answer(Errno.ALREADY_EXISTS)
    roster = school.state(Roster)
    roster.check_teacher_room(school)
    return school.envelope(Errno.OK, roster.add_teacher(school, uid, name))


def edit_teacher(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """editTeacher: the name (and avatar) of a school teacher."""
    uid = int_field(form, "teacherUid")
    name = text_field(form, "teacherName").strip()
    if not name:
        raise Answer(Errno.BAD_PARAMETERS)
    if uid not in school.teacher_uids:
        raise Answer(Errno.TEACHER_NOT_FOUND)
    school.state(Roster).teacher_names[uid] = name[:NAME_CHARS]
    return school.envelope(Errno.OK)


def stop_using_teacher(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """stopUsingTeacher: no new lessons, no school drive; answers 1 when already stopped."""
    uid = int_field(form, "teacherUid")
    roster = school.state(Roster)
    if uid not in school.teacher_uids:
        raise Answer(Errno.TEACHER_NOT_IN_SCHOOL)
    own = school.accounts.get(roster.school_account or "")
    if own is not None and own.uid == uid:
        raise Answer(Errno.SCHOOL_ACCOUNT_NOT_STOPPABLE)
    if uid in roster.sub_accounts:
        raise Answer(Errno.SUB_ACCOUNT_NOT_STOPPABLE)
    if roster.is_stopped(uid):
        return school.envelope(Errno.OK)
    courses = (c for c in school.courses.values() if not c.deleted and not c.expired)
    if any(uid == c.teacher_uid or uid in c.co_teachers for c in courses):
        raise Answer(Errno.TEACHER_HAS_COURSES)
    if uid in roster.teaching:
        raise Answer(Errno.TEACHER_HAS_LESSONS)
    roster.stopped[uid] = school.now()
    return school.envelope(Errno.OK)


def restart_using_teacher(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """restartUsingTeacher: 800 while a stop is under way; 1 for an active teacher too."""
    uid = int_field(form, "teacherUid")
    roster = school.state(Roster)
    if uid not in school.teacher_uids:
        raise Answer(Errno.TEACHER_NOT_IN_SCHOOL)
    since = roster.stopped.get(uid)
    if since is not None:
        if school.now() - since < roster.stop_seconds:
            raise Answer(Errno.TEACHER_BEING_STOPPED)
        del roster.stopped[uid]
    return school.envelope(Errno.OK)


AREA: Final = Area(
    "teachers",
    routes=(
        v1("addTeacher", add_teacher, identical_code=Errno.REGISTER_FAILED),
        v1("editTeacher", edit_teacher),
        v1("stopUsingTeacher", stop_using_teacher),
        v1("restartUsingTeacher", restart_using_teacher),
    ),
    texts=Texts(
        zh={
            Errno.ALREADY_EXISTS: "该帐户已经在机构下存在",
            Errno.IMAGE_UPLOAD_FAILED: "图片放入服务器失败",
            Errno.PHONE_NOT_REGISTERED: "手机账户未注册",
            Errno.ILLEGAL_TEACHER_ACCOUNT: "老师账号不合法",
            Errno.TEACHER_LIMIT: "超出机构老师最大启用数量",
            Errno.TEACHER_ACCOUNT_CANCELLED: "老师帐号已注销",
            Errno.TEACHER_NOT_FOUND: "老师信息不存在",
            Errno.TEACHER_NOT_IN_SCHOOL: "机构下面没有该老师，请在机构下添加该老师",
            Errno.TEACHER_HAS_LESSONS: "教师有未结束的课节",
            Errno.TEACHER_HAS_COURSES: "教师有未结束的课程",
            Errno.SCHOOL_ACCOUNT_NOT_STOPPABLE: "机构账号作为老师不能被停用",
            Errno.SUB_ACCOUNT_NOT_STOPPABLE: (
                "机构子账号不能被停用（该账号在 eeo.cn 后台已被加成为子账号）"
            ),
            Errno.TEACHER_BEING_STOPPED: "老师被停用中",
        }
    ),
)
