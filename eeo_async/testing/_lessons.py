"""Sandbox area "lessons": creating lessons, and the lesson checks every lesson action shares.

Actions addCourseClass and addCourseClassMultiple, on the core lessons plus the
``Timetable`` state (``_timetable``), and the checks the lesson handlers share (changing
lessons is ``_lesson_edits``). Read so from the pages:

- Creating (one, or each entry of ``classJson``): a unique identity (1-32 characters,
  else 100) is checked first, across every lesson of the school: a known one answers 398
  with the earlier class ID and its ``more_data`` (``"earlier_id"``) or without them
  (``"refuse"``, and always once its lesson was deleted outside the API). Then 119 (end
  not after begin), 120 (begin less than a minute ahead), 165 (not 15 minutes to 24
  hours), 268 (begin more than 3 years ahead), 136 (the teacher is not the school's),
  172/173 (a student or auditor of the course), 259 (more than 12 seats), 368 (HD with
  seats other than 1 or 6), 808 (dual camera with seats other than 1), 21316 (a
  co-teacher twice), 318 (a co-teacher not the school's), 322 (the teacher as
  co-teacher), 121601070 (past ``max_lessons_per_course``); a name is cut to 90 (one) or
  50 (``classJson``) characters. Web live, replay or scene recording without recording
  creates the lesson with recording off and answers 280. ``more_data`` holds the player
  URL when recording is on, and the pull URLs when web live is on too.
- addCourseClass: course problems (100, 144, 149, 153) and all the above are the call's
  code; ``more_data`` beside ``data`` as in the sample. addCourseClassMultiple: course
  problems are the call's, the rest per entry (``{data, className, customColumn?,
  more_data, errno, error}``), 133 for an identity repeated within the array, 114 (the
  item_busy fault); entries past 50 are cut off unanswered ("truncated and fail").
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any, Final

from .._codes import Errno
from ._live import live_urls
from ._messages import Texts
from ._route import Area, v1
from ._school import School
from ._timetable import LessonRecord, lesson_state, timetable
from ._wire import Answer, custom_column, id_value, int_field, json_items

MAX_NAME_ONE: Final = 90
MAX_NAME_MANY: Final = 50
#: Entries of ``classJson`` read; the rest are "truncated" (the page: past 50 they fail).
MAX_ENTRIES: Final = 50
LOCK_SECONDS: Final = 20 * 60
MAX_LABELS: Final = 10
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
    """A lesson answer's ``more_data``: its player URL and pull streams."""
    settings = record.settings
    url, streams = live_urls(
        record.class_id, record=bool(settings.get("record")), live=bool(settings.get("live"))
    )
    return {"live_url": url, "live_info": streams}


def times_problem(school: School, begin: int, end: int) -> int:
    """0, or the errno refusing these times: 119, 120, 165, 268."""
    moment = school.now()
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
        start = int(school.now()) + 86_400
        record = book.lessons[class_id] = LessonRecord(
            class_id, course_id, "", start, start + 3600, 0
        )
    if record.lms:
        raise Answer(Errno.LMS_LESSON)
    return record


def create_lesson(
    school: School, course_id: int, fields: Mapping[str, Any], max_name: int
) -> tuple[int, LessonRecord | None]:
    """Create one lesson from its wire fields: its errno and record (``None`` if refused)."""
    book = timetable(school)
    name = fields.get("className")
    if not isinstance(name, str) or not name.strip():
        return Errno.BAD_PARAMETERS, None
    begin, end = number(fields.get("beginTime")), number(fields.get("endTime"))
    teacher = number(fields.get("teacherUid"))
    identity = fields.get("courseUniqueIdentity")
    if begin is None or end is None or teacher is None:
        return Errno.BAD_PARAMETERS, None
    if identity is not None:
        identity = str(identity)
        if not 1 <= len(identity) <= 32:
            return Errno.BAD_PARAMETERS, None
        earlier = book.lesson_identities.get(identity)
        if earlier is not None:
            found = book.lessons.get(earlier)
            alive = found is not None and lesson_state(school, found) != "deleted"
            shown = found if alive and book.identity_repeat == "earlier_id" else None
            return Errno.IDENTITY_EXISTS, shown
    seats = number(fields.get("seatNum"), 6)
    hd, dc = number(fields.get("isHd"), 0), number(fields.get("isDc"), 0)
    assistants = uid_list(fields.get("assistantUids"))
    problem = (
        times_problem(school, begin, end)
        or people_problem(school, course_id, teacher, assistants)
        or stage_problem(seats, hd, dc)
    )
    if problem:
        return problem, None
    cap = book.max_lessons_per_course
    if cap is not None and len(school.courses[course_id].lessons) >= cap:
        return Errno.LESSONS_PER_COURSE, None
    switches = {k: number(fields.get(k), 0) == 1 for k in ("record", "live", "replay")}
    scene = number(fields.get("recordScene"), 0) == 1
    errno = Errno.OK
    if not switches["record"] and (switches["live"] or switches["replay"] or scene):
        switches = dict.fromkeys(switches, False)  # created, recording not turned on
        errno = Errno.CREATED_RECORDING_BAD
    (class_id,) = school.add_lessons(course_id, 1)
    settings: dict[str, Any] = {"seatNum": seats, "isHd": hd, "isDc": dc, **switches}
    for key in ("folderId", "teachMode", "isAutoOnstage", "classIntroduce", "watchByLogin"):
        if fields.get(key) is not None:
            settings[key] = fields[key]
    record = LessonRecord(
        class_id, course_id, name[:max_name], begin, end, teacher, tuple(assistants),
        identity, settings,
    )  # fmt: skip
    book.lessons[class_id] = record
    if identity is not None:
        book.lesson_identities[identity] = class_id
    school.courses[course_id].co_teachers.update([teacher, *assistants])
    return errno, record


def add_course_class(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addCourseClass: one lesson; ``more_data`` beside ``data`` as in the sample."""
    course_id = int_field(form, "courseId")
    school.find_course(course_id, editing=True)
    errno, record = create_lesson(school, course_id, form, MAX_NAME_ONE)
    if record is None and errno != Errno.IDENTITY_EXISTS:
        raise Answer(errno)
    doc = school.envelope(errno, None if record is None else record.class_id)
    if record is not None:
        doc["more_data"] = more_data(record)
    return doc


def add_course_class_multiple(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """addCourseClassMultiple: up to 50 lessons, each answered on its own."""
    course_id = int_field(form, "courseId")
    entries = json_items(form, "classJson", Errno.STUDENTS_EMPTY)
    school.count_items("addCourseClassMultiple", len(entries))
    school.find_course(course_id, editing=True)
    data = []
    seen: set[str] = set()
    for entry in entries[:MAX_ENTRIES]:
        if not isinstance(entry, dict):
            data.append(school.entry(Errno.BAD_PARAMETERS))
            continue
        column = custom_column(entry.get("customColumn"))
        shown = {"className": str(entry.get("className", ""))[:MAX_NAME_MANY]}
        identity = entry.get("courseUniqueIdentity")
        if identity is not None and str(identity) in seen:
            data.append(school.entry(Errno.ALREADY_EXISTS, column, **shown))
            continue
        if identity is not None:
            seen.add(str(identity))
        if school.item_busy(rng):
            data.append(school.entry(Errno.SERVER_BUSY, column, **shown))
            continue
        try:
            errno, record = create_lesson(school, course_id, entry, MAX_NAME_MANY)
        except Answer as answer:
            errno, record = answer.code, None
        extra: dict[str, Any] = {"data": record.class_id} if record is not None else {}
        if record is not None:
            extra["more_data"] = more_data(record)
        data.append(school.entry(errno, column, **extra, **shown))
    return school.envelope(Errno.OK, data)


#: Production's Chinese messages of the lesson codes (both lesson areas answer them).
LESSON_TEXTS: Final[Mapping[int, str]] = {
    Errno.STUDENTS_EMPTY: "数据数组不可为空",
    Errno.LESSON_NOT_FOUND: "无此课节信息",
    Errno.LESSON_NOT_IN_COURSE: "该课程下无此课节信息",
    Errno.LESSON_DELETED: "该课节已经删除",
    Errno.LESSON_FINISHED: "该课节已经结束",
    Errno.END_BEFORE_BEGIN: "结束时间须晚于开课时间",
    Errno.BEGINS_TOO_SOON: "开课时间至少一分钟以后",
    Errno.TEACHER_NOT_IN_SCHOOL: "机构下面没有该老师，请在机构下添加该老师",
    Errno.LESSON_IN_PROGRESS: "该课节正在上课，不能编辑和删除",
    Errno.LESSON_LENGTH: "单节课不能少于15分钟且不能超过24小时",
    Errno.STUDENT_AS_TEACHER: "课程下的学生不能添加为老师",
    Errno.AUDITOR_AS_TEACHER: "课程下的旁听不能添加为老师",
    Errno.TOO_MANY_SEATS: "上台人数设置超出最大限制",
    Errno.BEGINS_TOO_LATE: "课节开始时间超出允许范围（课节开始时间须在3年以内）",
    Errno.CREATED_RECORDING_BAD: "课节创建成功，录课参数设置错误，录课开启失败",
    Errno.EDITED_RECORDING_BAD: "课节修改成功，录课参数设置错误，录课修改失败",
    Errno.EDITED_RECORDING_LOCKED: "课节修改成功，开课前20分钟内不能开启录课，录课修改失败",
    Errno.COTEACHER_NOT_IN_SCHOOL: "联席教师不是本机构老师",
    Errno.TEACHER_AS_COTEACHER: "课节老师不能添加为联席教师",
    Errno.SEATS_LOCKED: "开课前20分钟内不能修改上台人数",
    Errno.LOCKED_20_MINUTES: (
        "开课前20分钟内不能修改课节名称、上课时间、云盘资源、台上人数、是否自动上台、教学模式"
    ),
    Errno.LESSON_LABELS_LIMIT: "超出课节下允许添加数量上限",
    Errno.LABELS_NOT_FOUND: "部分标签不存在或已删除",
    Errno.LABELS_NOT_OURS: "部分标签不属于本机构",
    Errno.NOT_HD_SEATS: "当前学生上台数不支持高清",
    Errno.IDENTITY_EXISTS: "数据已经存在（唯一标识已存在）",
    Errno.LMS_LESSON: "通过客户端-创建课堂产生的课节只能在客户端编辑",
    Errno.DUAL_CAMERA_SEATS: "该设置不支持双摄",
    Errno.COTEACHERS_REPEATED: "联席教师数据有重复",
    Errno.LESSONS_PER_COURSE: "单个课程下课节数量超过限制",
    Errno.ALREADY_EXISTS: "已经存在（传过来的 classJson 中唯一标识有重复）",
}

AREA: Final = Area(
    "lessons",
    routes=(
        v1("addCourseClass", add_course_class),
        v1("addCourseClassMultiple", add_course_class_multiple),
    ),
    texts=Texts(zh=LESSON_TEXTS),
)
