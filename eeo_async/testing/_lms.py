"""Sandbox area "lms": units, and the members of activities (v2, ``/lms/...``).

Paths /lms/unit/create, /lms/unit/update, /lms/unit/delete, /lms/unit/move,
/lms/activity/addStudent and /lms/activity/deleteStudent; the activities themselves are
made in ``_classrooms.py``. The state of both is ``LmsState`` (units, activities,
identities, the reading of a repeated identity, the order of per-item answers). Bodies
are JSON by the docs' wire names; an ID may come as a number or a digit string. Read so
from the pages:

- every path: 101001001 for a missing or bad value, 147 for an unknown or deleted class
  (course), 121601023 for an expired one.
- createUnit: 29208 for a name the class has (drafts too), 40031 past ``max_units``.
- updateUnit: nothing to change 101001001, 40020, 50003 (another unit's name; its own
  name is no change), 40004 (published back to draft).
- deleteUnit: 40020 (also on a repeat), 40001 (a classroom in progress or finished);
  the unit's activities go with it (their identities are freed, as an API deletion
  frees a lesson's).
- moveActivity: 29046 (same unit), 29048, 50004, 29138 (past 100 in the target); a
  repeat finds nothing to move and answers 1.
- addStudent: 30002, 29149, 110100070 (homework, test), 110100069 (ended); per student
  1 (a member already there too), 40030 (not in the class: all but classrooms),
  121601020 (not a student of the school), 114 (the ``item_busy`` fault). Entries come
  in ``answer_order``; students in ``unanswered`` are applied but left out.
- deleteStudent: 30002, 29149, 30008 (homework, test), 110100069; ``data`` null.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
import random
from collections import Counter
from typing import Any, Final

import attrs

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v2
from ._school import LessonState, School
from ._timetable import lesson_state, timetable
from ._wire import V2_BAD_VALUE, Answer, body_choice, body_id, body_text, body_uids

#: The activity type of a classroom (the others are createActivityNoClass's 2 to 8).
CLASSROOM: Final = 1
#: Homework and tests take no members through the API (110100070, 30008).
NO_MEMBERS: Final = frozenset({2, 3})
#: Most activities a unit holds, classrooms included (40031, 29138).
ACTIVITIES_PER_UNIT: Final = 100
#: What a repeated classroom identity is answered (``LmsState.repeat_identity``).
REPEAT_READINGS: Final = ("earlier", "refused")
ANSWER_ORDERS: Final = ("sent", "reversed", "shuffled")


@attrs.define
class LmsUnit:
    """A unit of a class (course) as the server holds it."""

    unit_id: int
    course_id: int
    name: str
    content: str = ""
    published: bool = False
    deleted: bool = False


@attrs.define
class LmsActivity:
    """An activity: a classroom (type 1, with its class ID) or a draft of another type.

    A classroom is a lesson too (``lesson``, ``School.lessons``): its ``members`` are the
    lesson's, and ``deleted``, ``started`` and ``finished`` read and set the lesson's
    flags, so that v1 and v2 see one classroom whichever changed it (delCourseClass,
    ``Sandbox.lesson_end``, ``School.finish_lesson`` ...). Another activity keeps its own.
    """

    activity_id: int
    course_id: int
    unit_id: int | None
    activity_type: int
    name: str
    teacher_uid: int
    start_time: int | None = None
    end_time: int | None = None
    class_id: int | None = None
    unique_identity: str | None = None
    published: bool = False
    _deleted: bool = False
    _started: bool = False
    _finished: bool = False
    members: set[int] = attrs.Factory(set)
    settings: dict[str, Any] = attrs.Factory(dict)
    lesson: LessonState | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def deleted(self) -> bool:
        """Deleted (a classroom: its lesson is)."""
        return self.lesson.deleted if self.lesson is not None else self._deleted

    @deleted.setter
    def deleted(self, value: bool) -> None:
        if self.lesson is not None:
            self.lesson.deleted = value
        self._deleted = value

    @property
    def started(self) -> bool:
        """Marked in progress (a classroom: its lesson is)."""
        return self.lesson.started if self.lesson is not None else self._started

    @started.setter
    def started(self, value: bool) -> None:
        if self.lesson is not None:
            self.lesson.started = value
        self._started = value

    @property
    def finished(self) -> bool:
        """Marked finished (a classroom: its lesson is)."""
        return self.lesson.finished if self.lesson is not None else self._finished

    @finished.setter
    def finished(self, value: bool) -> None:
        if self.lesson is not None:
            self.lesson.finished = value
        self._finished = value


@attrs.define
class LmsState:
    """The LMS's state: units, activities, identities, and how answers are made.

    Attributes:
        units: units by ID.
        activities: activities by ID (deleted ones stay, marked).
        identities: live classroom identities (``uniqueIdentity``) to their activity.
        repeat_identity: how createClassroom answers an identity it has: ``"earlier"``
            (code 1 with the earlier classroom, as addCourse's page words it) or
            ``"refused"`` (398 without its ID, as Lesson_errors words it for lessons).
        answer_order: the order of addStudent's entries: ``"sent"``, ``"reversed"`` or
            ``"shuffled"`` (from the request's fault draws).
        unanswered: students addStudent applies but leaves out of its answer.
        max_units: units a class may hold (40031 past it).
        max_classrooms: classrooms a class may hold (121601070 past it), or ``None``.
        created: classrooms made for each identity (a duplicate shows as 2).
        adds: how many times each (activity, student) was added by a call.
        classrooms: the activity ID of each classroom's lesson, by class ID.
    """

    units: dict[int, LmsUnit] = attrs.Factory(dict)
    activities: dict[int, LmsActivity] = attrs.Factory(dict)
    identities: dict[str, int] = attrs.Factory(dict)
    repeat_identity: str = attrs.field(
        default="earlier", validator=attrs.validators.in_(REPEAT_READINGS)
    )
    answer_order: str = attrs.field(default="sent", validator=attrs.validators.in_(ANSWER_ORDERS))
    unanswered: set[int] = attrs.Factory(set)
    max_units: int = 500
    max_classrooms: int | None = None
    created: Counter[str] = attrs.Factory(Counter)
    adds: Counter[tuple[int, int]] = attrs.Factory(Counter)
    classrooms: dict[int, int] = attrs.Factory(dict)
    unit_ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(26_020_001))
    activity_ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(25_100_001))

    def live_units(self, course_id: int) -> list[LmsUnit]:
        """The class's units that are not deleted, oldest first."""
        return [u for u in self.units.values() if u.course_id == course_id and not u.deleted]

    def live_activities(self, course_id: int, unit_id: int | None = None) -> list[LmsActivity]:
        """The activities of a class (of one unit when given) that are not deleted."""
        return [
            a
            for a in self.activities.values()
            if a.course_id == course_id
            and not a.deleted
            and (unit_id is None or a.unit_id == unit_id)
        ]

    def classroom(self, activity_id: int) -> LmsActivity:
        """A classroom by activity ID (``KeyError`` if it is not one)."""
        found = self.activities[activity_id]
        if found.activity_type != CLASSROOM:
            raise KeyError(activity_id)
        return found

    def classroom_of(self, class_id: int) -> LmsActivity | None:
        """The classroom whose lesson is ``class_id``, if it is one."""
        activity_id = self.classrooms.get(class_id)
        return None if activity_id is None else self.activities[activity_id]

    def members(self, activity_id: int) -> frozenset[int]:
        """The members of an activity now."""
        return frozenset(self.activities[activity_id].members)

    def start(self, activity_id: int) -> None:
        """Mark a classroom in progress (40005 when deleted, 40001 for its unit)."""
        self.activities[activity_id].started = True

    def finish(self, activity_id: int) -> None:
        """Mark an activity finished (40006, 110100069)."""
        self.activities[activity_id].finished = True


# ---------------------------------------------------------------- class, unit, activity


def lms_course(school: School, body: dict[str, Any]) -> int:
    """The ``courseId`` of a class the school has: 147 unknown or deleted, 121601023 expired."""
    course_id = body_id(body, "courseId")
    course = school.courses.get(course_id)
    if course is None or course.deleted:
        raise Answer(Errno.NO_COURSE_INFO)
    if course.expired:
        raise Answer(Errno.LMS_COURSE_EXPIRED)
    return course_id


def live_unit(state: LmsState, course_id: int, unit_id: int | None, missing: int) -> LmsUnit:
    """The class's unit ``unit_id``, or ``missing`` answered."""
    unit = state.units.get(unit_id) if unit_id is not None else None
    if unit is None or unit.deleted or unit.course_id != course_id:
        raise Answer(missing)
    return unit


def live_activity(state: LmsState, course_id: int, activity_id: int | None) -> LmsActivity:
    """The class's activity: 30002 unknown, 29149 deleted."""
    activity = state.activities.get(activity_id) if activity_id is not None else None
    if activity is None or activity.course_id != course_id:
        raise Answer(Errno.ACTIVITY_NOT_FOUND)
    if activity.deleted:
        raise Answer(Errno.ACTIVITY_DELETED)
    return activity


def progress(school: School, activity: LmsActivity) -> str:
    """``"unstarted"``, ``"running"`` or ``"finished"``: a classroom as its lesson is.

    A classroom's lesson is read by :func:`lesson_state` (its flags, then the clock), as
    the v1 lesson actions read it; another activity by its own flags.
    """
    record = timetable(school).lessons.get(activity.class_id or 0)
    if record is not None:
        state = lesson_state(school, record)
        return "finished" if state == "deleted" else state
    if activity.finished:
        return "finished"
    return "running" if activity.started else "unstarted"


def delete_lesson(school: School, class_id: int) -> None:
    """Delete a lesson through the API (v1 or v2), its classroom with it; free its identity.

    The identity freed is the lesson's (addCourseClass) or its classroom's (createClassroom).
    """
    school.lessons[class_id].deleted = True
    book = timetable(school)
    record = book.lessons.get(class_id)
    if record is not None and record.identity is not None:
        book.lesson_identities.pop(record.identity, None)
    state = school.state(LmsState)
    activity = state.classroom_of(class_id)
    if activity is not None:
        activity.deleted = True
        if activity.unique_identity is not None:
            state.identities.pop(activity.unique_identity, None)


def remove_activity(school: School, state: LmsState, activity: LmsActivity) -> None:
    """Delete an activity through the API: its identity is free again, a classroom's lesson gone."""
    if activity.class_id is not None and activity.class_id in school.lessons:
        delete_lesson(school, activity.class_id)
        return
    activity.deleted = True
    if activity.unique_identity is not None:
        state.identities.pop(activity.unique_identity, None)


# -------------------------------------------------------------------------- units


def create_unit(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """createUnit: a unit with a name new to the class."""
    course_id = lms_course(school, body)
    name = body_text(body, "name", 50)
    flag = body_choice(body, "publishFlag", (0, 2))
    content = body.get("content", "")
    if flag is None or not isinstance(content, str):
        raise Answer(V2_BAD_VALUE)
    state = school.state(LmsState)
    units = state.live_units(course_id)
    if any(unit.name == name for unit in units):
        raise Answer(Errno.UNIT_EXISTS)
    if len(units) >= state.max_units:
        raise Answer(Errno.OVER_LIMIT)
    unit = LmsUnit(next(state.unit_ids), course_id, str(name), content, published=flag == 2)
    state.units[unit.unit_id] = unit
    return school.envelope_v2(Errno.OK, {"name": unit.name, "unitId": unit.unit_id})


def update_unit(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """updateUnit: rename, describe or publish a unit."""
    course_id = lms_course(school, body)
    unit_id = body_id(body, "unitId")
    name = body_text(body, "name", 50, required=False)
    flag = body_choice(body, "publishFlag", (0, 2))
    content = body.get("content")
    if (name, flag, content) == (None, None, None) or not isinstance(content, str | None):
        raise Answer(V2_BAD_VALUE)
    state = school.state(LmsState)
    unit = live_unit(state, course_id, unit_id, Errno.UNIT_NOT_FOUND)
    if name is not None and any(
        u.name == name and u is not unit for u in state.live_units(course_id)
    ):
        raise Answer(Errno.UNIT_NAME_TAKEN)
    if flag == 0 and unit.published:
        raise Answer(Errno.PUBLISHED_TO_DRAFT)
    unit.name = name if name is not None else unit.name
    unit.content = content if content is not None else unit.content
    unit.published = unit.published or flag == 2
    return school.envelope_v2(Errno.OK, {"unitId": unit.unit_id})


def delete_unit(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """deleteUnit: the unit and its activities."""
    course_id = lms_course(school, body)
    unit_id = body_id(body, "unitId")  # the page types it as a string; digits either way
    state = school.state(LmsState)
    unit = live_unit(state, course_id, unit_id, Errno.UNIT_NOT_FOUND)
    activities = state.live_activities(course_id, unit.unit_id)
    if any(progress(school, a) != "unstarted" for a in activities if a.activity_type == CLASSROOM):
        raise Answer(Errno.UNIT_HAS_CLASSROOMS)
    for activity in activities:
        remove_activity(school, state, activity)
    unit.deleted = True
    return school.envelope_v2(Errno.OK, {"unitId": unit.unit_id})


def move_activity(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """moveActivity: every activity of one unit into another."""
    course_id = lms_course(school, body)
    unit_id = body_id(body, "unitId")
    to_unit_id = body_id(body, "toUnitId")
    if unit_id == to_unit_id:
        raise Answer(Errno.SAME_UNIT)
    state = school.state(LmsState)
    unit = live_unit(state, course_id, unit_id, Errno.MOVE_UNIT_NOT_FOUND)
    target = live_unit(state, course_id, to_unit_id, Errno.TARGET_UNIT_NOT_FOUND)
    moving = state.live_activities(course_id, unit.unit_id)
    if len(moving) + len(state.live_activities(course_id, target.unit_id)) > ACTIVITIES_PER_UNIT:
        raise Answer(Errno.TARGET_UNIT_FULL)
    for activity in moving:
        activity.unit_id = target.unit_id
    return school.envelope_v2(Errno.OK)


# ------------------------------------------------------------------------ members


def _member_activity(school: School, body: dict[str, Any], wrong_type: int) -> LmsActivity:
    course_id = lms_course(school, body)
    activity = live_activity(school.state(LmsState), course_id, body_id(body, "activityId"))
    if activity.activity_type in NO_MEMBERS:
        raise Answer(wrong_type)
    if progress(school, activity) == "finished":
        raise Answer(Errno.ACTIVITY_ENDED)
    return activity


def add_student(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addStudent: members into an activity, each answered with its ``studentUid``."""
    uids = body_uids(body, "studentUids")
    school.count_items("/lms/activity/addStudent", len(uids))
    activity = _member_activity(school, body, Errno.ACTIVITY_TYPE_UNSUPPORTED)
    state = school.state(LmsState)
    class_members = school.course_students(activity.course_id)
    entries = []
    for uid in dict.fromkeys(uids):
        if school.item_busy(rng):
            code = Errno.SERVER_BUSY
        elif uid not in school.student_uids:
            code = Errno.BUSINESS_PARAMETERS
        elif activity.activity_type != CLASSROOM and uid not in class_members:
            code = Errno.NOT_IN_CLASS
        else:
            if uid not in activity.members:
                activity.members.add(uid)
                state.adds[(activity.activity_id, uid)] += 1
            code = Errno.OK  # already a member: 1 too (the page's note)
        if uid not in state.unanswered:
            entries.append(school.entry_v2(code, studentUid=uid))
    if state.answer_order == "reversed":
        entries.reverse()
    elif state.answer_order == "shuffled":
        rng.shuffle(entries)
    return school.envelope_v2(Errno.OK, entries)


def delete_student(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """deleteStudent: members out of an activity; no per-student answer."""
    uids = body_uids(body, "studentUids")
    school.count_items("/lms/activity/deleteStudent", len(uids))
    activity = _member_activity(school, body, Errno.WRONG_ACTIVITY_TYPE)
    activity.members.difference_update(uids)
    return school.envelope_v2(Errno.OK)


#: Production's messages of the v2 codes the LMS pages share (every LMS area uses them).
LMS_ZH: Final[dict[int, str]] = {
    Errno.BUSINESS_PARAMETERS: "业务参数错误",
    Errno.COURSE_NOT_OF_SCHOOL: "课程不属于当前机构下",
    Errno.NOT_STANDARD_COURSE: "课程不是标准课",
    Errno.LMS_COURSE_EXPIRED: "课程已过期",
    Errno.ACTIVITY_DELETED: "活动已删除",
    Errno.ACTIVITY_NOT_FOUND: "活动不存在",
    Errno.ACTIVITY_ENDED: "活动已结束",
    Errno.OVER_LIMIT: "单元活动数量超限",
}

AREA: Final = Area(
    "lms",
    routes=(
        v2("/lms/unit/create", create_unit),
        v2("/lms/unit/update", update_unit),
        v2("/lms/unit/delete", delete_unit),
        v2("/lms/unit/move", move_activity),
        v2("/lms/activity/addStudent", add_student),
        v2("/lms/activity/deleteStudent", delete_student),
    ),
    texts=Texts(
        zh={
            **LMS_ZH,
            Errno.OVER_LIMIT: "超过班级下单元最大限制",
            Errno.UNIT_EXISTS: "单元已存在",
            Errno.UNIT_CREATE_FAILED: "单元创建失败",
            Errno.UNIT_CREATED: "单元创建成功",
            Errno.PUBLISHED_TO_DRAFT: "已发布不可修改为草稿",
            Errno.UNIT_NOT_FOUND: "单元不存在",
            Errno.UNIT_NAME_TAKEN: "单元名称重复",
            Errno.SCHOOL_IN_ARREARS: "机构欠费",
            Errno.SCHOOL_STATUS_ABNORMAL: "机构状态不正常",
            Errno.UNIT_HAS_CLASSROOMS: "包含上课中或已结束课堂不可删除",
            Errno.SAME_UNIT: "当前单元与目标单元相同",
            Errno.MOVE_UNIT_NOT_FOUND: "单元不存在",
            Errno.MOVE_FAILED: "移动单元失败",
            Errno.TARGET_UNIT_FULL: "目标单元活动数量超限",
            Errno.UNIT_DELETE_FAILED: "单元删除失败",
            Errno.TARGET_UNIT_NOT_FOUND: "目标单元不存在",
            Errno.NOT_IN_CLASS: "学生没在班级中",
            Errno.WRONG_ACTIVITY_TYPE: "活动类型错误（作业，测验不支持）",
            Errno.ACTIVITY_TYPE_UNSUPPORTED: "活动类型错误（作业，测验不支持）",
        }
    ),
)
