"""The sandbox's words: production's messages for each code, and the two answer envelopes.

Chinese texts are production's, from the PART 2 tables of the reference pages (without
the tables' leading "表示", which production does not send). This module holds the texts
of the codes every area may answer (success, signing, busy, common refusals); each area
module carries the texts of its own codes in its ``Texts``, so that a page's wording of a
code (104 is "操作失败" on one page and "服务端调用失败" on another) stays with its area.
English texts are the SDK's documented meanings, or this module's own for codes the SDK's
table lacks.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from .._codes import Errno, describe
from ._wire import (
    V2_BAD_VALUE,
    V2_NO_TIMESTAMP,
    V2_PARAMETERS,
    V2_SIGNATURE,
    V2_STALE,
    V2_TOO_FREQUENT,
)

#: The languages of the sandbox's messages.
LANGUAGES: Final = ("zh", "en")

#: Production's Chinese messages of the codes any area may answer.
ZH: Final[Mapping[int, str]] = {
    Errno.OK: "程序正常执行",
    Errno.BAD_PARAMETERS: "参数不全或错误",
    Errno.NO_PERMISSION: "无权限（安全验证没通过）",
    Errno.OPERATION_FAILED: "操作失败（未知错误）",
    Errno.SERVER_BUSY: "服务器异常",
    Errno.REGISTER_FAILED: "注册失败",
    Errno.ALREADY_EXISTS: "已经存在",
    Errno.COURSE_NOT_FOUND: "机构下无此课程",
    Errno.NO_COURSE_INFO: "没有此课程信息",
    Errno.COURSE_DELETED: "课程已删除",
    Errno.COURSE_EXPIRED: "课程已过期",
    Errno.STUDENTS_EMPTY: "数据数组不可为空",
    Errno.STUDENT_NOT_IN_SCHOOL: "机构下无此学生",
    Errno.ILLEGAL_DATA: "请求数据不合法",
    Errno.ACCOUNT_DELETED: "学生帐号已注销",
    Errno.TEACHER_AS_STUDENT: "老师不能添加为学生",
    Errno.LESSON_NOT_IN_COURSE: "该课程下无此课节信息",
    Errno.LESSON_NOT_FOUND: "没有此单课信息",
    Errno.LESSON_FINISHED: "该课节已经结束",
    Errno.TEACHER_AS_AUDITOR: "老师不能添加为旁听",
    Errno.LESSON_DELETED: "该课节已删除",
    Errno.COTEACHER_AS_STUDENT: "课程老师或联席教师不能添加为课程学生或旁听",
    Errno.AUDITOR_ACCOUNT_DELETED: "旁听帐号已注销",
    Errno.REPEATED_REQUEST: "重复请求（请勿在5s内发送相同参数的请求）",
    Errno.PHONE_NOT_REGISTERED: "手机号码未注册",
    Errno.ILLEGAL_STUDENT_PHONE: "学生手机号不合法",
    Errno.ILLEGAL_NUMBER_RANGE: "此号码段不合法",
    Errno.ADVISOR_AS_STUDENT: "班主任不能添加为课程学生",
    Errno.PUBLIC_COURSE: "该课程/课节类型暂不支持该操作",
    # v2, signature.txt and the LMS pages' tables.
    V2_SIGNATURE: "签名异常",
    V2_STALE: "时间戳过期",
    V2_NO_TIMESTAMP: "时间戳不存在",
    V2_PARAMETERS: "参数不全或者错误",
    V2_BAD_VALUE: "参数错误",
    V2_TOO_FREQUENT: "请求频次过快",
}
#: English texts of codes the SDK's errno table does not describe.
EN: Final[Mapping[int, str]] = {
    V2_SIGNATURE: "Signature error (the signature is missing or wrong).",
    V2_STALE: "The timestamp has expired (not within 5 minutes of the server's time).",
    V2_NO_TIMESTAMP: "The timestamp is missing.",
    V2_PARAMETERS: "Incomplete or incorrect parameters.",
    V2_TOO_FREQUENT: "Requests too frequent.",
}


def message(code: int, language: str = "zh") -> str:
    """Production's message for ``code`` (Chinese), or its English meaning with ``"en"``."""
    if language == "zh" and code in ZH:
        return ZH[code]
    if code in EN:
        return EN[code]
    return describe(code)


@attrs.frozen
class Texts:
    """An area's own messages: Chinese texts from its pages, English ones where needed.

    A code an area does not word itself is worded by the common table.
    """

    zh: Mapping[int, str] = attrs.Factory(dict)
    en: Mapping[int, str] = attrs.Factory(dict)

    def message(self, code: int, language: str) -> str:
        """This area's message for ``code`` in ``language``."""
        if language == "zh" and code in self.zh:
            return self.zh[code]
        if language == "en" and code in self.en:
            return self.en[code]
        return message(code, language)


#: The texts of a route that words nothing itself (a user's ``Sandbox.handle``).
COMMON: Final = Texts()


def document(code: int, text: str, data: object = None, *, v2: bool = False) -> dict[str, Any]:
    """An answer of either generation, worded ``text``: every envelope is built here.

    v1 is ``{"error_info": {"errno", "error"}, "data"?}``, ``data`` left out when it is
    ``None`` (as the documented samples of actions without data show); v2 is ``{"code",
    "msg", "data"}``, ``data`` always present (``null`` when ``None``), as in the v2
    pages' samples.
    """
    if v2:
        return {"code": code, "msg": text, "data": data}
    doc: dict[str, Any] = {"error_info": {"errno": code, "error": text}}
    if data is not None:
        doc["data"] = data
    return doc


def envelope(errno: int, data: object = None, language: str = "zh") -> dict[str, Any]:
    """A v1 answer: ``{"error_info": {"errno", "error"}, "data"?}`` with production's message.

    Args:
        errno: the call's errno (1 is success).
        data: the answer's ``data`` (left out when ``None``): an ID, per-item entries, ...
        language: ``"zh"`` for production's Chinese message, ``"en"`` for English.
    """
    return document(errno, message(errno, language), data)


def envelope_v2(code: int, data: object = None, language: str = "zh") -> dict[str, Any]:
    """A v2 answer: ``{"code", "msg", "data"}`` with production's message; ``code`` 1 is success.

    Args:
        code: the call's code.
        data: the answer's ``data`` (``null`` when ``None``): an object, per-item entries ...
        language: ``"zh"`` for production's Chinese message, ``"en"`` for English.
    """
    return document(code, message(code, language), data, v2=True)
