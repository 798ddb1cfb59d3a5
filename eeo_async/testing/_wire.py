"""The sandbox's side of the wire: reading forms, and the server's messages and answers.

No state here (that is ``_sandbox_school``): how the fake server parses the fields the
documented actions send, and how it words an answer (the production's Chinese messages
from the reference pages' PART 2 tables, or English ones).
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .._codes import Errno
from .._constants import MAX_CHUNK_SIZE
from .._models import GroupMember
from .._wire.endpoint import Endpoint

#: The production's Chinese messages, from the PART 2 tables of the reference pages.
ZH: dict[int, str] = {
    Errno.OK: "程序正常执行",
    Errno.BAD_PARAMETERS: "参数不全或错误",
    Errno.NO_PERMISSION: "无权限（安全验证没通过）",
    Errno.OPERATION_FAILED: "操作失败（未知错误）",
    Errno.PHONE_NOT_REGISTERED: "手机号码未注册",
    Errno.SERVER_BUSY: "服务器异常",
    Errno.ILLEGAL_STUDENT_PHONE: "学生手机号不合法",
    Errno.TEACHER_AS_STUDENT: "老师不能添加为学生",
    Errno.TOO_MANY_STUDENTS: "学生超出可添加数量",
    Errno.REGISTER_FAILED: "注册失败",
    Errno.ALREADY_EXISTS: "已经存在",
    Errno.ILLEGAL_PHONE: "手机号不合法",
    Errno.PHONE_REGISTERED: "手机号已注册",
    Errno.BAD_PASSWORD_LENGTH: "密码长度不合法(6-20位)",
    Errno.LESSON_NOT_IN_COURSE: "该课程下无此课节信息",
    Errno.LESSON_NOT_FOUND: "没有此单课信息",
    Errno.COURSE_NOT_FOUND: "机构下无此课程",
    Errno.LESSON_FINISHED: "该课节已经结束",
    Errno.NO_COURSE_INFO: "没有此课程信息",
    Errno.COURSE_DELETED: "课程已删除",
    Errno.COURSE_EXPIRED: "课程已过期",
    Errno.STUDENTS_EMPTY: "数据数组不可为空",
    Errno.LESSON_FULL: "已超出课节下学生数量",
    Errno.ADD_STUDENT_FAILED: "课节下添加学生失败",
    Errno.ONLY_STUDENTS: "课节下目前只支持对学生的操作",
    Errno.NOT_COURSE_MEMBER: "课程下无此成员",
    Errno.STUDENT_IN_COURSE: "课程下已存在此学生",
    Errno.AUDITOR_EXISTS: "课程下已存在此旁听",
    Errno.ALREADY_IN_LESSON: "课节下已存在此学生",
    Errno.TEACHER_AS_AUDITOR: "老师不能添加为旁听",
    Errno.LESSON_DELETED: "该课节已删除",
    Errno.STUDENT_NOT_IN_SCHOOL: "机构下无此学生",
    Errno.ILLEGAL_NUMBER_RANGE: "此号码段不合法",
    Errno.COTEACHER_AS_STUDENT: "课程老师或联席教师不能添加为课程学生或旁听",
    Errno.ADVISOR_AS_STUDENT: "班主任不能添加为课程学生",
    Errno.PUBLIC_COURSE: "该课程/课节类型暂不支持该操作",
    Errno.ILLEGAL_DATA: "请求数据不合法",
    Errno.TOO_MANY_USERS: "数量超出限制（一次最多注册10名）",
    Errno.EMAIL_REGISTERED: "邮箱已注册",
    Errno.STUDENT_BEING_CREATED: "课程学生正在被其他请求创建（并发请求可能会导致该错误）",
    Errno.SCHOOL_STUDENT_FAILED: "注册成功，加为机构学生失败",
    Errno.SCHOOL_TEACHER_FAILED: "注册成功，加为机构老师失败",
    Errno.ACCOUNT_DELETED: "学生帐号已注销",
    Errno.AUDITOR_ACCOUNT_DELETED: "旁听帐号已注销",
    Errno.GROUP_SET_FAILED: "设置课程分组信息失败",
    Errno.GROUP_DELETE_FAILED: "删除课程分组信息失败",
    Errno.GROUP_NOT_FOUND: "操作失败，此课程分组不存在",
    Errno.REPEATED_REQUEST: "重复请求（请勿在5s内发送相同参数的请求）",
}
#: The languages of the sandbox's messages.
LANGUAGES = ("zh", "en")
TELEPHONE = re.compile(r"(?:[1-9][0-9]{4,19}|00[1-9][0-9]{0,3}-[0-9]{4,20})")
MD5 = re.compile(r"[0-9a-f]{32}")


def message(errno: int, language: str = "zh") -> str:
    """The server's message for ``errno``: Chinese as in production, or English."""
    if language == "zh" and errno in ZH:
        return ZH[errno]
    return Errno(errno).meaning


class Answer(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Ends a request early with a call-level errno (the handler's answer)."""

    def __init__(self, errno: int) -> None:
        self.errno = errno
        super().__init__(errno)


def envelope(errno: int, data: object = None, language: str = "zh") -> dict[str, Any]:
    """The answer document for ``errno`` (with the server's message) and ``data``."""
    doc: dict[str, Any] = {"error_info": {"errno": errno, "error": message(errno, language)}}
    if data is not None:
        doc["data"] = data
    return doc


def int_field(form: dict[str, str], name: str) -> int:
    text = form.get(name, "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) <= 0:
        raise Answer(Errno.BAD_PARAMETERS)
    return int(text)


def _items(form: dict[str, str], name: str, empty_errno: int) -> list[Any]:
    """The JSON list in field ``name``, refused as the server does: not a list, empty, too long."""
    try:
        values = json.loads(form[name])
    except (KeyError, ValueError):
        raise Answer(Errno.BAD_PARAMETERS) from None
    if not isinstance(values, list):
        raise Answer(Errno.BAD_PARAMETERS)
    if not values:
        raise Answer(empty_errno)
    if len(values) > MAX_CHUNK_SIZE:
        raise Answer(Errno.ILLEGAL_DATA)
    return values


def _uid(value: object) -> int:
    """A UID given as digits (a number or a digit string); anything else is errno 100."""
    text = str(value)
    if value is None or isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        raise Answer(Errno.BAD_PARAMETERS)
    return int(text)


def id_list(form: dict[str, str], name: str, empty_errno: int) -> list[int]:
    """A JSON list of IDs in field ``name``."""
    return [_uid(value) for value in _items(form, name, empty_errno)]


def student_objects(form: dict[str, str], name: str) -> list[tuple[int, str | None]]:
    """``studentJson=[{"uid": "1001001", "customColumn"?: ...}]`` as (UID, column) pairs."""
    entries = []
    for value in _items(form, name, Errno.STUDENTS_EMPTY):
        uid = _uid(value.get("uid") if isinstance(value, dict) else None)
        column = value.get("customColumn")
        entries.append((uid, None if column in (None, "") else str(column)[:50]))
    return entries


def md5_hex(text: str) -> str:
    """The MD5 hex digest of ``text`` (how the sandbox keeps passwords)."""
    return hashlib.md5(text.encode()).hexdigest()


def student_json_for_uids(form: dict[str, str]) -> dict[str, str]:
    """delClassStudentMultiple: ``studentJson`` stands in when ``studentUidJson`` is absent."""
    if "studentUidJson" in form or "studentJson" not in form:
        return form
    try:
        entries = json.loads(form["studentJson"])
        uids = [str(entry["uid"]) for entry in entries]
    except (ValueError, TypeError, KeyError):
        return form
    return {**form, "studentUidJson": json.dumps(uids)}


#: Documented alternative forms of an action's fields, rewritten to the row's form.
ALTERNATIVES: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    "delClassStudentMultiple": student_json_for_uids,
}


def group_list(form: dict[str, str]) -> list[list[GroupMember]]:
    try:
        groups = json.loads(form["groups"])
    except (KeyError, ValueError):
        raise Answer(Errno.BAD_PARAMETERS) from None
    if not isinstance(groups, list) or not groups:
        raise Answer(Errno.BAD_PARAMETERS)
    parsed: list[list[GroupMember]] = []
    for group in groups:
        if not isinstance(group, list) or not group:
            raise Answer(Errno.BAD_PARAMETERS)
        members = []
        for entry in group:
            uid = entry.get("studentUid") if isinstance(entry, dict) else None
            leader = entry.get("isLeader") if isinstance(entry, dict) else None
            if not isinstance(uid, int) or leader not in (0, 1):
                raise Answer(Errno.BAD_PARAMETERS)
            members.append(GroupMember(uid, is_leader=leader == 1))
        parsed.append(members)
    return parsed


class NotImplementedAction(Exception):  # noqa: N818 - a signal to the HTTP layer
    """The sandbox has no handler for this action (answered as HTTP 501, not an errno)."""


def read_form(row: Endpoint, form: Mapping[str, str]) -> dict[str, str]:
    """The form's fields by the row's Python names (absent ones are left out)."""
    return {p.name: form[p.wire] for p in row.params if p.wire in form}
