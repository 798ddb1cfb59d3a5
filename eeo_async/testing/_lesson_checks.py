"""What the sandbox's lesson handlers share: reading a lesson's fields and the docs' checks.

Numbers and UID lists as a form or a ``classJson`` entry holds them, the checks of times
(119, 120, 165, 268), seats (259, 368, 808) and people (136, 172/173, 21316, 318, 322),
a lesson's ``more_data`` (player and pull URLs), and the lookup of the lesson a one-lesson
call names (143, 142, 212, 466).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from .._codes import Errno
from ._school import School
from ._timetable import LessonRecord, now, timetable
from ._wire import Answer, id_value

MAX_SEATS: Final = 12
_THREE_YEARS: Final = 3 * 366 * 86_400


def number(value: object, default: int | None = None) -> int | None:
    """A whole number from a form text or a JSON value; absent is ``default``; bad is 100."""
    if value is None or value == "":
        return default
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("-").isdigit():
        raise Answer(Errno.BAD_PARAMETERS)
    return int(text)


def number_or(value: object, default: int) -> int:
    """A whole number, or ``default`` when absent."""
    found = number(value)
    return default if found is None else found


def uid_list(value: object) -> list[int]:
    """``assistantUids``: a JSON array (or its text) of UIDs."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise Answer(Errno.BAD_PARAMETERS) from None
    if not isinstance(value, list):
        raise Answer(Errno.BAD_PARAMETERS)
    return [id_value(v) for v in value]


def more_data(record: LessonRecord) -> dict[str, Any]:
    if not record.settings.get("record"):
        return {"live_url": "", "live_info": {}}
    key = hashlib.md5(str(record.class_id).encode()).hexdigest()[:16]
    more: dict[str, Any] = {"live_url": f"https://www.eeo.cn/live.php?lessonKey={key}"}
    stream = f"liveplay.eeo.cn/eeolive/{key}"
    live = record.settings.get("live")
    more["live_info"] = (
        {
            "RTMP": f"rtmp://{stream}",
            "HLS": f"https://{stream}.m3u8",
            "FLV": f"https://{stream}.flv",
        }
        if live
        else {}
    )
    return more


def times_problem(school: School, begin: int, end: int) -> int:
    """0, or the errno refusing these times: 119, 120, 165, 268."""
    moment = now(school)
    if end <= begin:
        return Errno.END_BEFORE_BEGIN
    if begin < moment + 60:
        return Errno.BEGINS_TOO_SOON
    if not 15 * 60 <= end - begin <= 24 * 3600:
        return Errno.LESSON_LENGTH
    if begin > moment + _THREE_YEARS:
        return Errno.BEGINS_TOO_LATE
    return 0


def stage_problem(seats: int | None, hd: int | None, dc: int | None) -> int:
    """0, or the errno refusing these seats: 259, 368, 808."""
    if seats is not None and not 0 <= seats <= MAX_SEATS:
        return Errno.TOO_MANY_SEATS
    if hd in (1, 2) and seats not in (1, 6):
        return Errno.NOT_HD_SEATS
    if dc == 3 and seats != 1:
        return Errno.DUAL_CAMERA_SEATS
    return 0


def people_problem(school: School, course_id: int, teacher: int, assistants: list[int]) -> int:
    """0, or the errno refusing the teacher or co-teachers."""
    course = school.courses[course_id]
    if teacher not in school.teacher_uids:
        return Errno.TEACHER_NOT_IN_SCHOOL
    if teacher in course.students:
        return Errno.STUDENT_AS_TEACHER
    if teacher in course.auditors:
        return Errno.AUDITOR_AS_TEACHER
    if len(set(assistants)) != len(assistants):
        return Errno.COTEACHERS_REPEATED
    if any(a not in school.teacher_uids for a in assistants):
        return Errno.COTEACHER_NOT_IN_SCHOOL
    if teacher in assistants:
        return Errno.TEACHER_AS_COTEACHER
    return 0


def find_lesson(school: School, course_id: int, class_id: int) -> LessonRecord:
    """The lesson a one-lesson call names, or its refusal: 143, 142, 212, 466, 140, 145."""
    core = school.lessons.get(class_id)
    if core is None:
        raise Answer(Errno.LESSON_NOT_FOUND)
    if core.course_id != course_id:
        raise Answer(Errno.LESSON_NOT_IN_COURSE)
    if core.deleted:
        raise Answer(Errno.LESSON_DELETED)
    book = timetable(school)
    record = book.lessons.get(class_id)
    if record is None:  # a lesson seeded without times: an hour, a day from now
        start = int(now(school)) + 86_400
        record = book.lessons[class_id] = LessonRecord(
            class_id, course_id, "", start, start + 3600, 0
        )
    if record.lms:
        raise Answer(Errno.LMS_LESSON)
    return record
