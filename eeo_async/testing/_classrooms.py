"""Sandbox area "classrooms": LMS activities made, changed, published and deleted (v2).

Paths /lms/activity/createClass (createClassroom), /lms/activity/updateClass,
/lms/activity/createActivityNoClass, /lms/activity/release and /lms/activity/delete, on
``LmsState`` (``_lms.py``). A classroom is also a lesson of its class (``School.lessons``,
its class ID), whose members are the classroom's: every class member at first, as the
page says of new activities. That lesson is made in the LMS: the v1 lesson actions
(editCourseClass, delCourseClass, modifyCourseTeacher, addClassLabels ...) answer 466
for it; endCourse deletes it with its classroom while unstarted, and a lesson finished
(``Sandbox.lesson_end``) or deleted outside the API is a classroom finished or deleted.
Read so from the pages:

- createClassroom: 40020 (``unitId`` given but not a unit of the class), 101001001 (a
  bad value, a name over 50, an identity not 1 to 32 characters, some but not all of
  the four recording settings), 136 (teacher not of the school), 318/322 (co-teachers),
  120 (start in the past), 268 (start more than 2 years ahead), 119 (end not after
  start), 165 (under 15 minutes or over 24 hours), 110100066 (dual camera without 1v1),
  40031 (100 activities in the unit), 121601070 (``LmsState.max_classrooms``). A known
  ``uniqueIdentity`` (the page does not say what a repeat answers) is answered as
  ``LmsState.repeat_identity`` says: the earlier classroom with code 1, or 398. Live
  URLs come back as the sample spells them (``live_url``, ``live_info``).
- createActivityNoClass: 40020, 101001001, 121601020 (teacher not of the school), 40031.
  No identity: a repeat makes another draft.
- updateClassroom: 30002/29149, 101001001 (nothing to change), 145 (finished), 140 (in
  progress), 350/875 (name, time or seats within 20/5 minutes of the start), 136.
- releaseActivity: ``activityIds`` (the table) or ``activityId`` (the samples); 30002,
  29149, 29184 when every one is published already.
- deleteActivity: 30002, 29149 (also on a repeat), 40005 (in progress), 40006
  (finished); an API deletion frees the classroom's identity.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from typing import Any, Final

from .._codes import Errno
from ._live import live_urls
from ._lms import (
    ACTIVITIES_PER_UNIT,
    CLASSROOM,
    LMS_ZH,
    LmsActivity,
    LmsState,
    live_activity,
    live_unit,
    lms_course,
    progress,
    remove_activity,
)
from ._messages import Texts
from ._route import Area, v2
from ._school import School
from ._timetable import LessonRecord, timetable
from ._wire import (
    V2_BAD_VALUE,
    Answer,
    body_choice,
    body_id,
    body_text,
    optional_id,
    v2_id,
)

#: Codes of createClassroom's page that the SDK's table does not name.
END_BEFORE_START: Final = 119
BAD_START: Final = 120
START_OUT_OF_RANGE: Final = 268
CO_TEACHER_NOT_IN_SCHOOL: Final = 318
TEACHER_AS_CO_TEACHER: Final = 322
IN_PROGRESS: Final = 140
#: The four recording settings the pages send together.
RECORDING: Final = ("recordType", "recordState", "liveState", "openState")
#: Fields a classroom takes besides the required ones, with their allowed values.
OPTIONS: Final = {
    "cameraHide": (0, 1),
    "isAutoOnstage": (0, 1),
    "isHd": (0, 1, 2),
    "isDc": (0, 3),
    "recordType": (0, 1, 2),
    "recordState": (0, 1),
    "liveState": (0, 1),
    "openState": (0, 1),
    "isAllowCheck": (0, 1),
    "omoStationBroadcast": (0, 1),
}
#: Changes refused within 20 minutes of the start (350), or 5 (875).
LOCKED: Final = frozenset({"name", "startTime", "endTime", "seatNum", "cameraHide"})
TWO_YEARS: Final = 2 * 366 * 24 * 3600


def _settings(school: School, body: dict[str, Any], teacher_uid: int | None) -> dict[str, Any]:
    """The optional classroom fields, checked: flags, seats, co-teachers, recording."""
    settings: dict[str, Any] = {}
    for name, allowed in OPTIONS.items():
        value = body_choice(body, name, allowed)
        if value is not None:
            settings[name] = value
    given = [name for name in RECORDING if name in settings]
    if given and len(given) != len(RECORDING):
        raise Answer(V2_BAD_VALUE)
    seats = body.get("seatNum")
    if seats is not None:
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
            raise Answer(V2_BAD_VALUE)
        settings["seatNum"] = seats
    if settings.get("isDc") == 3 and settings.get("seatNum") != 2:
        raise Answer(Errno.NO_DUAL_CAMERA)
    if "assistantUids" in body:
        assistants = body["assistantUids"]
        if not isinstance(assistants, list):
            raise Answer(V2_BAD_VALUE)
        uids = [v2_id(uid) for uid in assistants]
        if any(uid not in school.teacher_uids for uid in uids):
            raise Answer(CO_TEACHER_NOT_IN_SCHOOL)
        if teacher_uid in uids:
            raise Answer(TEACHER_AS_CO_TEACHER)
        settings["assistantUids"] = uids
    return settings


def _times(school: School, start: int | None, end: int | None) -> None:
    """120 past start, 268 over 2 years ahead, 119 end not after start, 165 length."""
    if start is None or end is None:
        raise Answer(V2_BAD_VALUE)
    now = school.now()
    if start < now:
        raise Answer(BAD_START)
    if start > now + TWO_YEARS:
        raise Answer(START_OUT_OF_RANGE)
    if end <= start:
        raise Answer(END_BEFORE_START)
    if not 15 * 60 <= end - start <= 24 * 3600:
        raise Answer(Errno.LESSON_LENGTH)


def _teacher(school: School, body: dict[str, Any]) -> int | None:
    """The ``teacherUid`` given, a teacher of the school (136 otherwise), or ``None``."""
    uid = optional_id(body, "teacherUid")
    if uid is not None and uid not in school.teacher_uids:
        raise Answer(Errno.TEACHER_NOT_IN_SCHOOL)
    return uid


def _classroom_data(activity: LmsActivity) -> dict[str, Any]:
    """A classroom's answer: IDs, live URLs as the sample spells them, name."""
    settings = activity.settings
    url, streams = live_urls(
        activity.class_id or 0,
        record=settings.get("recordState") == 1,
        live=settings.get("liveState") == 1,
    )
    return {
        "activityId": activity.activity_id,
        "classId": activity.class_id,
        "live_url": url,
        "live_info": streams,
        "name": activity.name,
    }


def _in_step(activity: LmsActivity, record: LessonRecord) -> None:
    """A classroom's lesson record as the classroom is: name, times, teachers."""
    record.name, record.teacher_uid = activity.name, activity.teacher_uid
    record.begin, record.end = activity.start_time or 0, activity.end_time or 0
    record.assistants = tuple(activity.settings.get("assistantUids", ()))


def _room_for(state: LmsState, course_id: int, unit_id: int | None) -> None:
    """40031 when the unit (the class's "no topic" unit without one) holds 100 activities."""
    held = [a for a in state.live_activities(course_id) if a.unit_id == unit_id]
    if len(held) >= ACTIVITIES_PER_UNIT:
        raise Answer(Errno.OVER_LIMIT)


def create_classroom(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """createClassroom: a published classroom, or the earlier one of its identity."""
    course_id = lms_course(school, body)
    state = school.state(LmsState)
    unit_id = optional_id(body, "unitId")
    if unit_id is not None:
        live_unit(state, course_id, unit_id, Errno.UNIT_NOT_FOUND)
    name = body_text(body, "name", 50)
    identity = body_text(body, "uniqueIdentity", 32, required=False)
    teacher_uid = body_id(body, "teacherUid")
    _teacher(school, body)
    start = body_id(body, "startTime")
    end = body_id(body, "endTime")
    settings = _settings(school, body, teacher_uid)
    if identity is not None and identity in state.identities:
        earlier = state.activities[state.identities[identity]]
        # Deleted outside the API (School.delete_lesson): taken for ever, as a lesson's.
        if state.repeat_identity == "refused" or earlier.deleted:
            raise Answer(Errno.IDENTITY_EXISTS)
        return school.envelope_v2(Errno.OK, _classroom_data(earlier))
    _times(school, start, end)
    _room_for(state, course_id, unit_id)
    made = [a for a in state.live_activities(course_id) if a.activity_type == CLASSROOM]
    if state.max_classrooms is not None and len(made) >= state.max_classrooms:
        raise Answer(Errno.LESSONS_PER_COURSE)
    (class_id,) = school.add_lessons(course_id, 1)
    lesson = school.lessons[class_id]
    lesson.members.update(school.courses[course_id].students)
    activity = LmsActivity(
        next(state.activity_ids),
        course_id,
        unit_id,
        CLASSROOM,
        str(name),
        teacher_uid,
        start,
        end,
        class_id=class_id,
        unique_identity=identity,
        published=True,
        members=lesson.members,
        settings=settings,
        lesson=lesson,
    )
    state.activities[activity.activity_id] = activity
    state.classrooms[class_id] = activity.activity_id
    # A lesson made in the LMS: v1 lesson actions answer 466 (LessonRecord.lms).
    record = timetable(school).lessons[class_id] = LessonRecord(
        class_id, course_id, activity.name, start, end, teacher_uid, lms=True
    )
    _in_step(activity, record)
    if identity is not None:
        state.identities[identity] = activity.activity_id
        state.created[identity] += 1
    return school.envelope_v2(Errno.OK, _classroom_data(activity))


def create_activity_no_class(
    school: School, body: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """createActivityNoClass: a draft activity of type 2 to 8 (no identity)."""
    course_id = lms_course(school, body)
    state = school.state(LmsState)
    unit = live_unit(state, course_id, body_id(body, "unitId"), Errno.UNIT_NOT_FOUND)
    kind = body_choice(body, "activityType", (2, 3, 4, 5, 6, 7, 8))
    name = body_text(body, "name", 50)
    teacher_uid = body_id(body, "teacherUid")
    start = optional_id(body, "startTime")
    end = optional_id(body, "endTime")
    if kind is None or (start is not None and end is not None and end <= start):
        raise Answer(V2_BAD_VALUE)
    if teacher_uid not in school.teacher_uids:
        raise Answer(Errno.BUSINESS_PARAMETERS)
    _room_for(state, course_id, unit.unit_id)
    activity = LmsActivity(
        next(state.activity_ids),
        course_id,
        unit.unit_id,
        kind,
        str(name),
        teacher_uid,
        start,
        end,
        members=set(school.courses[course_id].students),
    )
    state.activities[activity.activity_id] = activity
    return school.envelope_v2(Errno.OK, {"name": activity.name, "activityId": activity.activity_id})


def update_classroom(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """updateClassroom: change the fields given of a classroom."""
    course_id = lms_course(school, body)
    state = school.state(LmsState)
    activity = live_activity(state, course_id, body_id(body, "activityId"))
    if activity.activity_type != CLASSROOM:
        raise Answer(Errno.BUSINESS_PARAMETERS)
    changed = set(body) - {"courseId", "activityId"}
    if not changed:
        raise Answer(V2_BAD_VALUE)
    stage = progress(school, activity)
    if stage != "unstarted":
        raise Answer(Errno.LESSON_FINISHED if stage == "finished" else IN_PROGRESS)
    unit_id = optional_id(body, "unitId")
    if unit_id is not None:
        live_unit(state, course_id, unit_id, Errno.UNIT_NOT_FOUND)
    name = body_text(body, "name", 50, required=False)
    teacher_uid = _teacher(school, body)
    start = optional_id(body, "startTime") or activity.start_time
    end = optional_id(body, "endTime") or activity.end_time
    settings = _settings(school, body, teacher_uid or activity.teacher_uid)
    left = (activity.start_time or 0) - school.now()
    if changed & LOCKED and left < 5 * 60:
        raise Answer(Errno.LOCKED_5_MINUTES)
    if changed & LOCKED and left < 20 * 60:
        raise Answer(Errno.LOCKED_20_MINUTES)
    if {"startTime", "endTime"} & changed:
        _times(school, start, end)
    activity.unit_id = unit_id if unit_id is not None else activity.unit_id
    activity.name = name if name is not None else activity.name
    activity.teacher_uid = teacher_uid or activity.teacher_uid
    activity.start_time, activity.end_time = start, end
    activity.settings.update(settings)
    record = timetable(school).lessons.get(activity.class_id or 0)
    if record is not None:  # a classroom seeded by hand may have none
        _in_step(activity, record)
    return school.envelope_v2(Errno.OK, {"activityId": activity.activity_id, "name": activity.name})


def release_activity(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """releaseActivity: publish drafts (``activityIds``, or the samples' ``activityId``)."""
    course_id = lms_course(school, body)
    state = school.state(LmsState)
    given = body.get("activityIds", [body["activityId"]] if "activityId" in body else None)
    if not isinstance(given, list) or not given:
        raise Answer(V2_BAD_VALUE)
    activities = [live_activity(state, course_id, v2_id(i)) for i in given]
    if all(activity.published for activity in activities):
        raise Answer(Errno.ACTIVITY_PUBLISHED)
    for activity in activities:
        activity.published = True
    shown = [{"activityId": a.activity_id, "name": a.name} for a in activities]
    return school.envelope_v2(Errno.OK, shown[0] if len(shown) == 1 else shown)


def delete_activity(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """deleteActivity: one activity of any type."""
    course_id = lms_course(school, body)
    state = school.state(LmsState)
    activity = live_activity(state, course_id, body_id(body, "activityId"))
    stage = progress(school, activity) if activity.activity_type == CLASSROOM else "unstarted"
    if stage != "unstarted":
        finished = stage == "finished"
        raise Answer(Errno.CLASSROOM_FINISHED if finished else Errno.CLASSROOM_IN_PROGRESS)
    remove_activity(school, state, activity)
    return school.envelope_v2(Errno.OK, {"activityId": activity.activity_id, "name": activity.name})


AREA: Final = Area(
    "classrooms",
    routes=(
        v2("/lms/activity/createClass", create_classroom),
        v2("/lms/activity/createActivityNoClass", create_activity_no_class),
        v2("/lms/activity/updateClass", update_classroom),
        v2("/lms/activity/release", release_activity),
        v2("/lms/activity/delete", delete_activity),
    ),
    texts=Texts(
        zh={
            **LMS_ZH,
            Errno.UNIT_NOT_FOUND: "单元不存在",
            Errno.TEACHER_NOT_IN_SCHOOL: "机构下面没有该老师,请在机构下添加该老师",
            Errno.LESSON_LENGTH: "单节课不能少于15分钟且不能超过24小时",
            Errno.CREATED_LIVE_FAILED: "课节创建成功,直播信息设置失败",
            Errno.IDENTITY_EXISTS: "数据已经存在（唯一标识已存在）",
            Errno.NO_DUAL_CAMERA: "该设置不支持双摄",
            Errno.LESSONS_PER_COURSE: "单个课程下课堂数量超过限制",
            Errno.MONTHLY_QUOTA_UPGRADE: (
                "您当月累计创建课节已达当月上限,无法继续创建,升级账号获取更多权益"
            ),
            Errno.MONTHLY_QUOTA: "您当月累计创建课节已达当月上限,无法继续创建",
            Errno.LESSON_FINISHED: "该单课已经结束",
            Errno.LOCKED_20_MINUTES: (
                "开课前20分钟内不能修改课节名称、上课时间、云盘资源、台上人数等"
            ),
            Errno.LOCKED_5_MINUTES: (
                "开课前5分钟内不能修改课节名称、上课时间、云盘资源、台上人数、教室模式等"
            ),
            Errno.ACTIVITY_PUBLISHED: "活动已发布",
            Errno.UNLOCK_CONDITION_DRAFT: "活动解锁条件存在草稿",
            Errno.CLASSROOM_IN_PROGRESS: "课堂活动进行中不可删除",
            Errno.CLASSROOM_FINISHED: "课堂活动已结束，不可删除",
            END_BEFORE_START: "结束时间是否大于开课时间",
            BAD_START: "开课时间不合法",
            START_OUT_OF_RANGE: "课节开始时间超出允许范围",
            CO_TEACHER_NOT_IN_SCHOOL: "联席教师不是本机构老师",
            TEACHER_AS_CO_TEACHER: "课节老师不能添加为联席教师",
            IN_PROGRESS: "该课堂正在上课，不能编辑和删除",
        },
        en={
            END_BEFORE_START: "The end time must be after the start time.",
            BAD_START: "The start time is not valid.",
            START_OUT_OF_RANGE: "The start time is out of the allowed range.",
            CO_TEACHER_NOT_IN_SCHOOL: "A co-teacher is not a teacher of the school.",
            TEACHER_AS_CO_TEACHER: "The lesson's teacher cannot be its co-teacher.",
            IN_PROGRESS: "The classroom is in progress: it cannot be edited or deleted.",
        },
    ),
)
