"""Sandbox area "users": accounts and passwords (register, registerMultiple, passwords).

No area state of its own beyond ``Texted`` (the accounts an SMS went to): accounts,
school students and teachers are the core ``School``'s. Read so from the pages:

- registerMultiple (``userJson`` = a JSON string of up to 10 objects): call-level 100,
  155, 450 (more than 10); per account 134 (a telephone the docs do not allow), 100 (no
  password or md5pass, or no account), 137 (password not 6-20 characters), 135/461 with
  the UID (already registered: ``addToSchoolMember`` still takes effect, nickname and
  password do not), 845 (as a teacher past ``Roster.teacher_limit``), 114 (fault), 1
  with the new UID.
- register (one account, a form; multipart when ``Filedata``, the avatar, is sent): 100
  (no account, no password where one is needed, ``isSentMessage`` not 0 or 1), 134,
  137, 877 (``isSentMessage=1`` without ``addToSchoolMember`` 1 or 2), 224 (an avatar
  that is not jpg/jpeg/gif/png), 342 (an avatar of 1 MB or more), 845 (as a teacher past
  the school's ``Roster.teacher_limit``), 135/461 with the UID, 1 with the new UID. The
  three pages disagree on ``addToSchoolMember`` for a known account (register: "always
  takes effect"; register_new: ignored on 135; Lesson_errors: answers 1): the sandbox
  follows register, the newest wording, as registerMultiple does. With
  ``isSentMessage=1`` ``md5pass`` has no effect and, without ``password``, a random one
  is made; the account is recorded in ``Texted`` (never the password).
- modifyPassword (no page in the docs mirror; fields from the INDEX): 100 (missing
  fields, an unknown UID, or ``oldMd5pass`` not the account's: the sandbox's choice, no
  errno is documented), 137, 1.
- modifyPasswordByTelephone: 100, 113 (an unknown UID), 137, 227 (a UID the school has
  not added as a student or teacher), 1.

A plain ``password`` is what the docs allow ("MD5 recommended"): the sandbox keeps only
its MD5, never the text. 131 answers a request identical to one in flight. 101003002
(same parameters within 5 s) is not simulated: a test's immediate retries would all
meet it.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
import secrets
from typing import Any, Final

import attrs

from .._codes import Errno
from ._members import NAME_CHARS, Roster
from ._messages import Texts
from ._route import Area, v1
from ._school import Account, School
from ._wire import (
    MD5,
    TELEPHONE,
    Answer,
    Upload,
    custom_column,
    int_field,
    json_field,
    md5_hex,
)

#: Most accounts one registerMultiple call takes (450 past it).
MAX_USERS: Final = 10
#: An avatar: these types, "smaller than 1 M".
AVATAR_TYPES: Final = (".jpg", ".jpeg", ".gif", ".png")
AVATAR_BYTES: Final = 1024 * 1024


@attrs.define
class Texted:
    """The accounts ClassIn texted their password to (register with ``isSentMessage=1``)."""

    accounts: list[str] = attrs.Factory(list)


def account_of(school: School, uid: int) -> str | None:
    """The telephone or email of the account with ``uid``, if it registered."""
    return next((name for name, found in school.accounts.items() if found.uid == uid), None)


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


def _account(telephone: object, email: object) -> tuple[str, bool]:
    """The account a registration names (its telephone, else its email); is it a telephone.

    100 when there is none, 134 for a telephone the docs do not allow.
    """
    by_telephone = telephone not in (None, "")
    account = str(telephone) if by_telephone else email
    if not isinstance(account, str) or not account:
        raise Answer(Errno.BAD_PARAMETERS)
    if by_telephone and not TELEPHONE.fullmatch(account):
        raise Answer(Errno.ILLEGAL_PHONE)
    return account, by_telephone


def _digest(password: object, md5pass: object) -> str:
    """The password's MD5: 137 for a password not 6-20 characters, 100 for none."""
    if password is not None:
        text = str(password)
        if not 6 <= len(text) <= 20:  # the docs' 6 to 20 characters
            raise Answer(Errno.BAD_PASSWORD_LENGTH)
        return md5_hex(text)
    if isinstance(md5pass, str) and MD5.fullmatch(md5pass):
        return md5pass
    raise Answer(Errno.BAD_PARAMETERS)


def _register_core(
    school: School, account: str, digest: str, *, by_telephone: bool, user: dict[str, Any]
) -> tuple[int, Account]:
    """Register ``account`` (or find it): its errno (1, 135/461) and account.

    ``addToSchoolMember`` takes effect every time, also for a known account; a new
    teacher past the quota is 845. register and registerMultiple both come here.
    """
    role = user.get("addToSchoolMember")
    role = None if role is None else str(role)
    roster = school.state(Roster)
    found = school.accounts.get(account)
    if role == "2" and (found is None or found.uid not in school.teacher_uids):
        roster.check_teacher_room(school)
    if found is not None:
        errno = Errno.PHONE_REGISTERED if by_telephone else Errno.EMAIL_REGISTERED
    else:
        nickname = user.get("nickname")
        nickname = None if nickname in (None, "") else str(nickname)[:NAME_CHARS]
        found = school.register_account(account, password_md5=digest, nickname=nickname)
        errno = Errno.OK
    name = found.nickname or account
    if role == "1":
        roster.add_student(school, found.uid, name)
    elif role == "2":
        roster.add_teacher(school, found.uid, name)
    return errno, found


def _register_one(school: School, user: object, rng: random.Random) -> dict[str, Any]:
    if not isinstance(user, dict):
        return school.entry(Errno.BAD_PARAMETERS)
    telephone = user.get("telephone")
    column = custom_column(user.get("customColumn"))
    shown = {"telephone": str(telephone)} if telephone not in (None, "") else {}
    try:
        account, by_telephone = _account(telephone, user.get("email"))
        digest = _digest(user.get("password"), user.get("md5pass"))
        if school.item_busy(rng):
            return school.entry(Errno.SERVER_BUSY, column, **shown)
        errno, found = _register_core(school, account, digest, by_telephone=by_telephone, user=user)
    except Answer as refused:
        return school.entry(refused.code, column, **shown)
    return school.entry(errno, column, data=found.uid, **shown)


def _check_avatar(avatar: object) -> None:
    """224 for an image type the page does not list, 342 for 1 MB or more."""
    if isinstance(avatar, Upload):
        if not avatar.name.lower().endswith(AVATAR_TYPES):
            raise Answer(Errno.BAD_IMAGE_TYPE)
        if avatar.size >= AVATAR_BYTES:
            raise Answer(Errno.IMAGE_TOO_LARGE)


def register(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Register: one account, optionally with an avatar and a password SMS."""
    account, by_telephone = _account(form.get("telephone"), form.get("email"))
    texting = form.get("isSentMessage", "0")
    if texting not in ("0", "1", ""):
        raise Answer(Errno.BAD_PARAMETERS)
    if texting == "1" and form.get("addToSchoolMember") not in ("1", "2"):
        raise Answer(Errno.SMS_NOT_ALLOWED)
    password, md5pass = form.get("password"), form.get("md5pass")
    if texting == "1" and password is None:
        password, md5pass = secrets.token_urlsafe(9)[:12], None  # made up, then texted
    digest = _digest(password, md5pass)
    _check_avatar(form.get("Filedata"))
    errno, found = _register_core(school, account, digest, by_telephone=by_telephone, user=form)
    if errno == Errno.OK and texting == "1":
        school.state(Texted).accounts.append(account)
    return school.envelope(errno, found.uid)


def _new_digest(form: dict[str, Any]) -> str:
    """The new password's MD5 from ``password`` or ``md5pass``: 137 or 100 otherwise."""
    password, md5pass = form.get("password"), form.get("md5pass")
    if isinstance(md5pass, str) and md5pass:
        if not MD5.fullmatch(md5pass):
            raise Answer(Errno.BAD_PARAMETERS)
        return md5pass
    if isinstance(password, str) and password:
        if not 6 <= len(password) <= 20:
            raise Answer(Errno.BAD_PASSWORD_LENGTH)
        return md5_hex(password)
    raise Answer(Errno.BAD_PARAMETERS)


def _set_password(school: School, uid: int, digest: str) -> None:
    account = account_of(school, uid)
    if account is not None:
        school.accounts[account] = attrs.evolve(school.accounts[account], password_md5=digest)


def modify_password(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """modifyPassword: a new password, given the old one's MD5 (no page: the INDEX's fields)."""
    uid = int_field(form, "uid")
    old = form.get("oldMd5pass")
    digest = _new_digest(form)
    account = account_of(school, uid)
    if account is None or old != school.accounts[account].password_md5:
        raise Answer(Errno.BAD_PARAMETERS)
    _set_password(school, uid, digest)
    return school.envelope(Errno.OK)


def modify_password_by_telephone(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """modifyPasswordByTelephone: a new password without the old one, for the school's users."""
    uid = int_field(form, "uid")
    digest = _new_digest(form)
    if account_of(school, uid) is None:
        raise Answer(Errno.PHONE_NOT_REGISTERED)
    if uid not in school.student_uids and uid not in school.teacher_uids:
        raise Answer(Errno.PASSWORD_NOT_ALLOWED)
    _set_password(school, uid, digest)
    return school.envelope(Errno.OK)


AREA: Final = Area(
    "users",
    routes=(
        v1("registerMultiple", register_multiple, identical_code=Errno.REGISTER_FAILED),
        v1("register", register, identical_code=Errno.REGISTER_FAILED),
        v1("modifyPassword", modify_password),
        v1("modifyPasswordByTelephone", modify_password_by_telephone),
    ),
    texts=Texts(
        zh={
            Errno.ILLEGAL_PHONE: "手机号不合法",
            Errno.PHONE_REGISTERED: "手机号已注册",
            Errno.BAD_PASSWORD_LENGTH: "密码长度不合法(6-20位)",
            Errno.TOO_MANY_USERS: "数量超出限制（一次最多注册10名）",
            Errno.EMAIL_REGISTERED: "邮箱已注册",
            Errno.SCHOOL_STUDENT_FAILED: "注册成功，加为机构学生失败",
            Errno.SCHOOL_TEACHER_FAILED: "注册成功，加为机构老师失败",
            Errno.BAD_IMAGE_TYPE: "上传图片类型错误",
            Errno.AVATAR_FAILED: "注册成功，用户头像设置失败",
            Errno.BAD_IMAGE_SIZE: "上传图片尺寸错误（300*300）",
            Errno.IMAGE_TOO_LARGE: "上传图片大小超出限制（1M）",
            Errno.TEACHER_LIMIT: "超出机构老师最大启用数量",
            Errno.SMS_NOT_ALLOWED: "传参不支持发送短信",
            Errno.PHONE_NOT_REGISTERED: "手机号码未注册",
            Errno.PASSWORD_NOT_ALLOWED: (
                "没有修改该此用户登录密码的权限（需要调用添加学生或者添加老师接口）"
            ),
        }
    ),
)
