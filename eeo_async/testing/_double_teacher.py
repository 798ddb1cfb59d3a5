"""Sandbox area "double_teacher": online double-teacher sub-lessons (v2).

Paths /lms/onlineDoubleTeacher/addClass, editClass and deleteClass, with the state
``DoubleTeacherState`` (each sub-lesson: its course, main lesson, name, identity). A
main lesson is any lesson of the school (a v1 lesson or an LMS classroom's); it is a
double-teacher main lesson while it has a sub-lesson. Sub-lessons are lessons of their
own courses (``School.lessons``). Read so from the pages:

- addClass: 101001001 (a bad value), 121601030 (more than 20 sub-lessons a call),
  121601037 (no such main lesson in that course), 121601042 (main lesson finished or
  deleted), 121601038 (past 100 sub-lessons a main lesson); per sub-lesson 144 (no such
  course), 122301036 (the main lesson's course), 121601020 (a course twice in one
  call, or already holding a sub-lesson of this main lesson), 121601035 (name over
  50), 114 (the ``item_busy`` fault), and for an identity it has, "this creation fails
  and the historical lesson ID is returned": 398 with the earlier ``classId``.
- editClass: 121601034 (not a double-teacher lesson), 121601042, 101001001 (nothing to
  change), 121601036 (a sub-lesson's teacher or times), 121601035.
- deleteClass: 121601034, 121601042 (also on a repeat); a main lesson goes with its
  sub-lessons; an API deletion frees the sub-lessons' identities.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from typing import Any, Final

import attrs

from .._codes import Errno
from ._live import live_urls
from ._lms import delete_lesson
from ._messages import Texts
from ._route import Area, v2
from ._school import LessonState, School
from ._wire import V2_BAD_VALUE, V2_PARAMETERS, Answer, body_id, body_text

#: Sub-lessons one addClass call creates (121601030 past it) and a main lesson holds.
PER_CALL: Final = 20
PER_MAIN: Final = 100
#: A sub-lesson's own fields besides its course, name and identity.
SETTINGS: Final = (
    "assistantUids",
    "cameraHide",
    "isAutoOnstage",
    "seatNum",
    "isHd",
    "isDc",
    "useCoMainRecord",
    "recordState",
    "recordType",
    "liveState",
    "openState",
)


@attrs.define
class SubLesson:
    """A sub-lesson: its own lesson in its course, bound to a main lesson."""

    class_id: int
    course_id: int
    main_class_id: int
    name: str
    unique_identity: str | None = None
    deleted: bool = False
    settings: dict[str, Any] = attrs.Factory(dict)


@attrs.define
class DoubleTeacherState:
    """The double-teacher area's state.

    Attributes:
        subs: sub-lessons by class ID (deleted ones stay, marked).
        identities: live sub-lesson identities to their class ID.
    """

    subs: dict[int, SubLesson] = attrs.Factory(dict)
    identities: dict[str, int] = attrs.Factory(dict)

    def subs_of(self, main_class_id: int) -> list[SubLesson]:
        """The live sub-lessons of a main lesson."""
        return [s for s in self.subs.values() if s.main_class_id == main_class_id and not s.deleted]


def _main(school: School, course_id: int, class_id: int) -> LessonState:
    lesson = school.lessons.get(class_id)
    if lesson is None or lesson.course_id != course_id:
        raise Answer(Errno.MAIN_LESSON_NOT_FOUND)
    if lesson.deleted or lesson.finished:
        raise Answer(Errno.LESSON_ENDED_OR_DELETED)
    return lesson


def _sub_lesson(
    school: School, main_course: int, main_class: int, entry: object, seen: set[int]
) -> tuple[int, dict[str, Any]]:
    """One sub-lesson entry of a call: its code and the fields answered beside it."""
    if not isinstance(entry, dict):
        raise Answer(V2_BAD_VALUE)
    course_id = body_id(entry, "courseId")
    name = entry.get("className")
    identity = body_text(entry, "uniqueIdentity", 32, required=False)
    shown: dict[str, Any] = {"courseId": course_id, "className": name, "uniqueIdentity": ""}
    state = school.state(DoubleTeacherState)
    course = school.courses.get(course_id)
    if course is None or course.deleted:
        return Errno.COURSE_NOT_FOUND, shown
    if course_id == main_course:
        return Errno.MAIN_AND_SUB_SAME_CLASS, shown
    taken = {s.course_id for s in state.subs_of(main_class)}
    if identity is not None and identity in state.identities:
        earlier = state.subs[state.identities[identity]]
        return Errno.IDENTITY_EXISTS, {**shown, "classId": earlier.class_id}
    if course_id in seen or course_id in taken:
        return Errno.BUSINESS_PARAMETERS, shown
    if not isinstance(name, str) or not name.strip():
        raise Answer(V2_BAD_VALUE)
    if len(name) > 50:
        return Errno.LESSON_NAME_TOO_LONG, shown
    seen.add(course_id)
    (class_id,) = school.add_lessons(course_id, 1)
    settings = {k: entry[k] for k in SETTINGS if k in entry}
    sub = SubLesson(class_id, course_id, main_class, name, identity, settings=settings)
    state.subs[class_id] = sub
    if identity is not None:
        state.identities[identity] = class_id
    url, streams = live_urls(
        class_id, record=settings.get("recordState") == 1, live=settings.get("liveState") == 1
    )
    return Errno.OK, {
        **shown,
        "classId": class_id,
        "liveUrl": url,
        "liveInfo": streams,
        "uniqueIdentity": identity or "",
    }


def add_class(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addClass: sub-lessons in other courses bound to a main lesson."""
    main_course = body_id(body, "mainCourseId")
    main_class = body_id(body, "mainClassId")
    entries = body.get("subClassJson")
    if not isinstance(entries, list) or not entries:
        raise Answer(V2_BAD_VALUE)
    if len(entries) > PER_CALL:
        raise Answer(V2_PARAMETERS)  # this page's "more than 20 a call"
    school.count_items("/lms/onlineDoubleTeacher/addClass", len(entries))
    _main(school, main_course, main_class)
    state = school.state(DoubleTeacherState)
    if len(state.subs_of(main_class)) + len(entries) > PER_MAIN:
        raise Answer(Errno.TOO_MANY_SUB_LESSONS)
    seen: set[int] = set()
    data = []
    for entry in entries:
        if school.item_busy(rng):
            shown = {"courseId": entry.get("courseId") if isinstance(entry, dict) else None}
            data.append(school.entry_v2(Errno.SERVER_BUSY, **shown))
            continue
        code, fields = _sub_lesson(school, main_course, main_class, entry, seen)
        data.append(school.entry_v2(code, **fields))
    answer = {"mainClassId": main_class, "mainCourseId": main_course, "subClassData": data}
    return school.envelope_v2(Errno.OK, answer)


def _double_teacher_lesson(school: School, body: dict[str, Any]) -> tuple[int, SubLesson | None]:
    """The lesson an edit or delete names: a main lesson with subs, or a sub-lesson."""
    course_id = body_id(body, "courseId")
    class_id = body_id(body, "classId")
    state = school.state(DoubleTeacherState)
    lesson = school.lessons.get(class_id)
    if lesson is None or lesson.course_id != course_id:
        raise Answer(Errno.LESSON_NOT_OF_SCHOOL)
    sub = state.subs.get(class_id)
    if lesson.deleted or lesson.finished:
        raise Answer(Errno.LESSON_ENDED_OR_DELETED)
    if (sub is None or sub.deleted) and not state.subs_of(class_id):
        raise Answer(Errno.NOT_DOUBLE_TEACHER)
    return class_id, sub


def _lesson_entry(school: School, class_id: int, *, main: bool) -> dict[str, Any]:
    fields = {"isMainClass": int(main), "classId": class_id, "liveUrl": "", "liveInfo": {}}
    return school.entry_v2(Errno.OK, **fields)


def edit_class(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """editClass: change a main lesson (its subs follow) or one sub-lesson."""
    class_id, sub = _double_teacher_lesson(school, body)
    changes = set(body) - {"courseId", "classId"}
    if not changes:
        raise Answer(V2_BAD_VALUE)
    if sub is not None and changes & {"teacherUid", "startTime", "endTime"}:
        raise Answer(Errno.SUB_LESSON_FOLLOWS_MAIN)
    name = body.get("className")
    if name is not None and (not isinstance(name, str) or len(name) > 50):
        raise Answer(Errno.LESSON_NAME_TOO_LONG)
    state = school.state(DoubleTeacherState)
    if sub is not None:
        sub.name = name if name is not None else sub.name
        sub.settings.update({k: body[k] for k in SETTINGS if k in body})
        return school.envelope_v2(Errno.OK, [_lesson_entry(school, class_id, main=False)])
    data = [_lesson_entry(school, class_id, main=True)]
    data += [_lesson_entry(school, s.class_id, main=False) for s in state.subs_of(class_id)]
    return school.envelope_v2(Errno.OK, data)


def _drop(school: School, state: DoubleTeacherState, sub: SubLesson) -> None:
    sub.deleted = True
    school.lessons[sub.class_id].deleted = True
    if sub.unique_identity is not None:
        state.identities.pop(sub.unique_identity, None)


def delete_class(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """deleteClass: a main lesson with its sub-lessons, or one sub-lesson."""
    class_id, sub = _double_teacher_lesson(school, body)
    state = school.state(DoubleTeacherState)
    if sub is not None:
        _drop(school, state, sub)
        return school.envelope_v2(Errno.OK, [school.entry_v2(Errno.OK, classId=class_id)])
    data = []
    for each in state.subs_of(class_id):
        _drop(school, state, each)
        data.append(school.entry_v2(Errno.OK, classId=each.class_id))
    delete_lesson(school, class_id)  # a classroom's lesson: the classroom too
    data.append(school.entry_v2(Errno.OK, classId=class_id))
    return school.envelope_v2(Errno.OK, data)


AREA: Final = Area(
    "double_teacher",
    routes=(
        v2("/lms/onlineDoubleTeacher/addClass", add_class),
        v2("/lms/onlineDoubleTeacher/editClass", edit_class),
        v2("/lms/onlineDoubleTeacher/deleteClass", delete_class),
    ),
    texts=Texts(
        zh={
            Errno.OPERATION_FAILED: "未知错误",
            Errno.BUSINESS_PARAMETERS: "业务参数错误",
            Errno.IDENTITY_EXISTS: "数据已经存在（唯一标识已存在）",
            V2_PARAMETERS: "超过单次创建最大数量（单次最多创建20节子课）",
            Errno.OVER_DELETE_LIMIT: "删除超过最大数量限制",
            Errno.LESSON_NOT_OF_SCHOOL: "课节不属于该机构",
            Errno.DOUBLE_TEACHER_NO_PERMISSION: "无权限操作",
            Errno.LESSON_PROCESSING_FAILED: "课堂处理失败",
            Errno.NOT_DOUBLE_TEACHER: "非在线双师课节不支持此操作",
            Errno.LESSON_NAME_TOO_LONG: "课节名称长度不能超过50",
            Errno.SUB_LESSON_FOLLOWS_MAIN: "子课节不允许修改授课老师信息和上课时间",
            Errno.MAIN_LESSON_NOT_FOUND: "主课节不存在",
            Errno.TOO_MANY_SUB_LESSONS: "主课节下最多支持子课节数100",
            Errno.LESSON_ENDED_OR_DELETED: "已结束、已删除课节不支持此操作",
            Errno.NOT_SCHOOL_TEACHER: "非本机构老师",
            Errno.MAIN_AND_SUB_SAME_CLASS: "主课堂和子课堂需分布在不同的班级",
        }
    ),
)
