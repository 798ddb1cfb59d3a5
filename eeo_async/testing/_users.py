"""Sandbox area "users": registering accounts (registerMultiple), on the core accounts.

No area state: accounts, school students and teachers are the core ``School``'s.
registerMultiple (``userJson`` = a JSON string of up to 10 objects) is read so:
call-level 100, 155, 450 (more than 10); per account 134 (a telephone the docs do not
allow), 100 (no password or md5pass, or no account), 137 (password not 6-20
characters), 135/461 with the UID (already registered: ``addToSchoolMember`` still
takes effect, nickname and password do not), 114 (fault), 1 with the new UID. A plain
``password`` is what the docs allow ("MD5 recommended"): the sandbox keeps only its MD5,
never the text. 131 answers a request identical to one in flight. 101003002 (same
parameters within 5 s) is not simulated: a test's immediate retries would all meet it.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from typing import Any, Final

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v1
from ._school import School
from ._wire import MD5, TELEPHONE, Answer, json_field, md5_hex

#: Most accounts one registerMultiple call takes (450 past it).
MAX_USERS: Final = 10


def register_multiple(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """registerMultiple: register up to 10 accounts, each answered on its own."""
    users = json_field(form, "userJson")
    if not isinstance(users, list):
        raise Answer(Errno.BAD_PARAMETERS)
    if not users:
        raise Answer(Errno.STUDENTS_EMPTY)
    if len(users) > MAX_USERS:
        raise Answer(Errno.TOO_MANY_USERS)
    school.count_items("registerMultiple", len(users))
    return school.envelope(Errno.OK, [_register_one(school, user, rng) for user in users])


def _register_one(school: School, user: object, rng: random.Random) -> dict[str, Any]:
    if not isinstance(user, dict):
        return school.entry(Errno.BAD_PARAMETERS)
    telephone, email = user.get("telephone"), user.get("email")
    column = user.get("customColumn")
    column = None if column in (None, "") else str(column)[:50]
    shown = {"telephone": str(telephone)} if telephone is not None else {}
    account = str(telephone) if telephone is not None else email
    if not isinstance(account, str) or not account:
        return school.entry(Errno.BAD_PARAMETERS, column)
    if telephone is not None and not TELEPHONE.fullmatch(account):
        return school.entry(Errno.ILLEGAL_PHONE, column, **shown)
    password, md5pass = user.get("password"), user.get("md5pass")
    if password is not None:
        text = str(password)
        if not 6 <= len(text) <= 20:  # the docs' 6 to 20 characters
            return school.entry(Errno.BAD_PASSWORD_LENGTH, column, **shown)
        digest = md5_hex(text)
    elif isinstance(md5pass, str) and MD5.fullmatch(md5pass):
        digest = md5pass
    else:
        return school.entry(Errno.BAD_PARAMETERS, column, **shown)
    if school.item_busy(rng):
        return school.entry(Errno.SERVER_BUSY, column, **shown)
    found = school.accounts.get(account)
    if found is not None:
        errno = Errno.PHONE_REGISTERED if telephone is not None else Errno.EMAIL_REGISTERED
    else:
        nickname = user.get("nickname")
        nickname = None if nickname is None else str(nickname)[:24]
        found = school.register_account(account, password_md5=digest, nickname=nickname)
        errno = Errno.OK
    # addToSchoolMember takes effect every time, also for an account already known.
    role = user.get("addToSchoolMember")
    if role in (1, "1"):
        school.student_uids.add(found.uid)
    elif role in (2, "2"):
        school.teacher_uids.add(found.uid)
    return school.entry(errno, column, data=found.uid, **shown)


AREA: Final = Area(
    "users",
    routes=(v1("registerMultiple", register_multiple, identical_code=Errno.REGISTER_FAILED),),
    texts=Texts(
        zh={
            Errno.ILLEGAL_PHONE: "手机号不合法",
            Errno.PHONE_REGISTERED: "手机号已注册",
            Errno.BAD_PASSWORD_LENGTH: "密码长度不合法(6-20位)",
            Errno.TOO_MANY_USERS: "数量超出限制（一次最多注册10名）",
            Errno.EMAIL_REGISTERED: "邮箱已注册",
            Errno.SCHOOL_STUDENT_FAILED: "注册成功，加为机构学生失败",
            Errno.SCHOOL_TEACHER_FAILED: "注册成功，加为机构老师失败",
        }
    ),
)
