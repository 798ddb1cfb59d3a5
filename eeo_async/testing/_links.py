"""Sandbox area "links": getLoginLinked, a link that opens the client into a lesson.

No state of its own: membership is the core courses' and lessons'. Read so from the page
and Lesson_errors:

- 100 (``uid``, ``courseId`` or ``classId`` missing; ``deviceType`` other than 1, 2, 3;
  ``lifeTime`` not a positive number), 144, 149, 143, 142, 212, 145 (finished), 888 (the
  account was cancelled: the core's deleted accounts), 150 (not a student, auditor,
  teacher or co-teacher of the course, nor a student of the lesson), 467 (an email
  account: the page's "telephone accounts only"), 1 with the link.
- The link holds no key (none since 2021-06): ``classin://www.eeo.cn/enterclass?
  telephone=..&classId=..&courseId=..&schoolId=<SID>`` for 1 (Windows/Mac) and 3
  (Android); ``https://www.eeo.cn/client/mobile/ios/enterclass/?...`` for 2 (iOS).
  ``lifeTime`` (default 86400) changes nothing. A UID seeded without an account (the
  ``add_students`` helpers) gets the made-up telephone ``1`` + its UID.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from typing import Any, Final
from urllib.parse import urlencode

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v1
from ._school import School
from ._users import account_of
from ._wire import Answer, int_field

LINKS: Final = {
    "1": "classin://www.eeo.cn/enterclass?",
    "2": "https://www.eeo.cn/client/mobile/ios/enterclass/?",
    "3": "classin://www.eeo.cn/enterclass?",
}


def get_login_linked(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """getLoginLinked: the link of a member of the lesson, for the device type."""
    uid = int_field(form, "uid")
    course_id = int_field(form, "courseId")
    class_id = int_field(form, "classId")
    device = form.get("deviceType") or "1"
    life = form.get("lifeTime") or "86400"
    if device not in LINKS or not (life.isascii() and life.isdigit() and int(life) > 0):
        raise Answer(Errno.BAD_PARAMETERS)
    course = school.find_course(course_id, editing=False)
    lesson = school.open_lesson(course_id, class_id)
    if uid in school.deleted_uids:
        raise Answer(Errno.ACCOUNT_CANCELLED)
    members = course.students | course.auditors | course.co_teachers | lesson.members
    if uid not in members and uid != course.teacher_uid:
        raise Answer(Errno.NOT_LESSON_MEMBER)
    account = account_of(school, uid) or f"1{uid}"
    if "@" in account:
        raise Answer(Errno.TELEPHONE_ACCOUNT_ONLY)
    sid = getattr(school, "sid", 0)
    query = urlencode(
        {"telephone": account, "classId": class_id, "courseId": course_id, "schoolId": sid}
    )
    return school.envelope(Errno.OK, LINKS[device] + query)


AREA: Final = Area(
    "links",
    routes=(v1("getLoginLinked", get_login_linked),),
    texts=Texts(
        zh={
            Errno.OPERATION_FAILED: "操作失败（未知错误）",
            Errno.ILLEGAL_PHONE: "手机号码格式错误",
            Errno.LESSON_NOT_IN_COURSE: "该课程下无此课节信息",
            Errno.LESSON_NOT_FOUND: "无此课节信息",
            Errno.LESSON_DELETED: "该课节已经删除",
            Errno.NOT_LESSON_MEMBER: "此用户不属于该机构下学生、老师和旁听，或者不属于该课节成员",
            Errno.TELEPHONE_ACCOUNT_ONLY: "免密登录仅支持手机账号，请先绑定手机号",
            Errno.ACCOUNT_CANCELLED: "用户帐号已注销",
        }
    ),
)
