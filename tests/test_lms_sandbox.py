"""The sandbox's LMS and double-teacher areas answer the pages' codes, in production's words.

Requests are made by hand and signed by ``sandbox_raw`` (neither the SDK's rows nor its
signing), so these tests show the sandbox reads the docs' wire names itself.
"""

# Production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sandbox_raw import Raw

from eeo_async.testing import DoubleTeacherState, Faults, LmsActivity, LmsState, Sandbox

HOUR = 3600


@pytest.fixture
async def raw(eeo_sandbox: Sandbox) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(eeo_sandbox, session)


async def code_of(raw: Raw, path: str, body: dict[str, Any]) -> tuple[int, str, Any]:
    """The answer's code, message and data."""
    status, doc = await raw.post_v2(path, body)
    assert status == 200
    return doc["code"], doc["msg"], doc["data"]


def world(sb: Sandbox) -> tuple[int, int, int, list[int]]:
    """A course, its teacher, a start a day ahead, and students of the course."""
    (teacher,) = sb.add_teachers(1)
    course = sb.add_course(teacher_uid=teacher).course_id
    students = sb.add_students(3)
    sb.add_course_members(course, students[:2])
    return course, teacher, int(time.time()) + 24 * HOUR, students


async def test_classroom_refusals_in_the_pages_words(raw: Raw) -> None:
    """Times, co-teachers, the dual camera, recording together: each refused with its code."""
    sb = raw.sb
    course, teacher, start, students = world(sb)
    (other,) = sb.add_teachers(1)
    room = {"courseId": course, "name": "L", "teacherUid": teacher}
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"startTime": int(time.time()) - 60, "endTime": start}, 120, "开课时间不合法"),
        ({"startTime": start + 800 * 86400, "endTime": start + 800 * 86400 + HOUR}, 268, ""),
        ({"startTime": start, "endTime": start}, 119, "结束时间是否大于开课时间"),
        ({"startTime": start, "endTime": start + 600}, 165, ""),
        ({"startTime": start, "endTime": start + HOUR, "assistantUids": [students[0]]}, 318, ""),
        ({"startTime": start, "endTime": start + HOUR, "assistantUids": [teacher]}, 322, ""),
        ({"startTime": start, "endTime": start + HOUR, "isDc": 3, "seatNum": 7}, 110100066, ""),
        ({"startTime": start, "endTime": start + HOUR, "recordState": 1}, 101001001, "参数错误"),
        ({"startTime": start, "endTime": start + HOUR, "isHd": 5}, 101001001, ""),
        ({"startTime": start, "endTime": start + HOUR, "seatNum": 0}, 101001001, ""),
        ({"startTime": start, "endTime": start + HOUR, "name": "x" * 51}, 101001001, ""),
        ({"startTime": "soon", "endTime": start + HOUR}, 101001001, ""),
        ({"startTime": start, "endTime": start + HOUR, "uniqueIdentity": "x" * 33}, 101001001, ""),
        ({"startTime": start, "endTime": start + HOUR, "teacherUid": students[0]}, 136, ""),
    ]
    for change, code, text in cases:
        answer = await code_of(raw, "/lms/activity/createClass", {**room, **change})
        assert answer[0] == code, (change, answer)
        assert not text or answer[1] == text
    made = await code_of(
        raw,
        "/lms/activity/createClass",
        {**room, "startTime": start, "endTime": start + HOUR, "assistantUids": [other]},
    )
    assert made[0] == 1
    assert made[2]["live_url"] == ""
    assert not sb.state(LmsState).identities  # no identity was sent: none is kept


async def test_courses_and_units_are_checked_before_anything(raw: Raw) -> None:
    """An unknown or deleted class is 147, an expired one 121601023; units by their codes."""
    sb = raw.sb
    course, teacher, _, _ = world(sb)
    gone = sb.add_course().course_id
    sb.delete_course(gone)
    old = sb.add_course().course_id
    sb.expire_course(old)
    for course_id, code in ((424242, 147), (gone, 147), (old, 121601023), ("x", 101001001)):
        body = {"courseId": course_id, "name": "U", "publishFlag": 2}
        assert (await code_of(raw, "/lms/unit/create", body))[0] == code
    assert (await code_of(raw, "/lms/unit/create", {"courseId": course, "name": "U"}))[0] == (
        101001001  # publishFlag is required
    )
    sb.state(LmsState).max_units = 1
    first = await code_of(
        raw, "/lms/unit/create", {"courseId": course, "name": "A", "publishFlag": 0}
    )
    assert first[0] == 1
    full = await code_of(
        raw, "/lms/unit/create", {"courseId": course, "name": "B", "publishFlag": 2}
    )
    assert full[:2] == (40031, "超过班级下单元最大限制")
    unit = first[2]["unitId"]
    nothing = await code_of(raw, "/lms/unit/update", {"courseId": course, "unitId": unit})
    assert nothing[0] == 101001001
    same = await code_of(
        raw, "/lms/unit/move", {"courseId": course, "unitId": unit, "toUnitId": unit}
    )
    assert same[:2] == (29046, "当前单元与目标单元相同")
    missing = await code_of(
        raw, "/lms/unit/move", {"courseId": course, "unitId": 9, "toUnitId": unit}
    )
    assert missing[0] == 29048
    # deleteUnit's table types unitId as a string: a digit string is read the same.
    deleted = await code_of(raw, "/lms/unit/delete", {"courseId": course, "unitId": str(unit)})
    assert deleted[0] == 1
    body = {
        "courseId": course,
        "unitId": unit,
        "activityType": 2,
        "name": "H",
        "teacherUid": teacher,
    }
    assert (await code_of(raw, "/lms/activity/createActivityNoClass", body))[0] == 40020


async def test_members_of_drafts_releases_and_types(raw: Raw) -> None:
    """Homework takes no members (110100070/30008); ended activities 110100069; release by id."""
    sb = raw.sb
    course, teacher, _, students = world(sb)
    unit = (
        await code_of(raw, "/lms/unit/create", {"courseId": course, "name": "U", "publishFlag": 2})
    )[2]
    drafts = []
    for kind in (2, 6):
        body = {
            "courseId": course, "unitId": unit["unitId"], "activityType": kind, "name": f"D{kind}",
            "teacherUid": teacher, "startTime": 100, "endTime": 50,
        }  # fmt: skip
        assert (await code_of(raw, "/lms/activity/createActivityNoClass", body))[0] == 101001001
        del body["startTime"], body["endTime"]
        drafts.append((await code_of(raw, "/lms/activity/createActivityNoClass", body))[2])
    homework, talk = (d["activityId"] for d in drafts)
    add = {"courseId": course, "studentUids": [str(s) for s in students]}
    assert (await code_of(raw, "/lms/activity/addStudent", {**add, "activityId": homework}))[0] == (
        110100070
    )
    assert (await code_of(raw, "/lms/activity/deleteStudent", {**add, "activityId": homework}))[
        0
    ] == 30008
    added = await code_of(raw, "/lms/activity/addStudent", {**add, "activityId": talk})
    assert [e["code"] for e in added[2]] == [1, 1, 40030]
    assert (await code_of(raw, "/lms/activity/addStudent", {**add, "studentUids": []}))[0] == (
        101001001
    )
    # The samples' activityId is read as well as the table's activityIds.
    released = await code_of(raw, "/lms/activity/release", {"courseId": course, "activityId": talk})
    assert released[0] == 1
    assert released[2] == {"activityId": talk, "name": "D6"}
    both = {"courseId": course, "activityIds": [talk, homework]}
    assert (await code_of(raw, "/lms/activity/release", both))[0] == 1
    assert (await code_of(raw, "/lms/activity/release", both))[:2] == (29184, "活动已发布")
    assert (await code_of(raw, "/lms/activity/release", {"courseId": course}))[0] == 101001001
    sb.state(LmsState).finish(talk)
    ended = await code_of(raw, "/lms/activity/deleteStudent", {**add, "activityId": talk})
    assert ended[:2] == (110100069, "活动已结束")
    assert (await code_of(raw, "/lms/activity/delete", {"courseId": course, "activityId": 7}))[
        :2
    ] == (30002, "活动不存在")


async def test_update_classroom_rules(raw: Raw) -> None:
    """Only classrooms; nothing given 101001001; finished 145, in progress 140; a new unit."""
    sb = raw.sb
    course, teacher, start, _ = world(sb)
    lms = sb.state(LmsState)
    room = {"courseId": course, "name": "L", "teacherUid": teacher, "startTime": start}
    made = (await code_of(raw, "/lms/activity/createClass", {**room, "endTime": start + HOUR}))[2]
    activity = made["activityId"]
    unit = (
        await code_of(raw, "/lms/unit/create", {"courseId": course, "name": "U", "publishFlag": 2})
    )[2]
    change = {"courseId": course, "activityId": activity}
    assert (await code_of(raw, "/lms/activity/updateClass", change))[0] == 101001001
    moved = await code_of(
        raw,
        "/lms/activity/updateClass",
        {
            **change,
            "unitId": unit["unitId"],
            "startTime": start + HOUR,
            "endTime": start + 2 * HOUR,
        },
    )
    assert moved[0] == 1
    assert lms.activities[activity].unit_id == unit["unitId"]
    assert lms.activities[activity].start_time == start + HOUR
    lms.start(activity)
    assert (await code_of(raw, "/lms/activity/updateClass", {**change, "name": "x"}))[0] == 140
    lms.finish(activity)
    assert (await code_of(raw, "/lms/activity/updateClass", {**change, "name": "x"}))[0] == 145
    body = {
        "courseId": course,
        "unitId": unit["unitId"],
        "activityType": 5,
        "name": "M",
        "teacherUid": teacher,
    }
    draft = (await code_of(raw, "/lms/activity/createActivityNoClass", body))[2]["activityId"]
    other = {"courseId": course, "activityId": draft, "name": "x"}
    assert (await code_of(raw, "/lms/activity/updateClass", other))[0] == 121601020
    assert (
        await code_of(raw, "/lms/activity/delete", {"courseId": course, "activityId": activity})
    )[0] == 40006


async def test_double_teacher_refusals(raw: Raw) -> None:
    """addClass: 20 a call, 100 a main lesson, no course 144, a course twice; edits and deletes."""
    sb = raw.sb
    course, _, _, _ = world(sb)
    main = sb.add_lessons(course, 1)[0]
    others = [sb.add_course().course_id for _ in range(3)]
    add = {"mainCourseId": course, "mainClassId": main}
    many = [{"courseId": c, "className": "S"} for c in range(1, 22)]
    assert (await code_of(raw, "/lms/onlineDoubleTeacher/addClass", {**add, "subClassJson": many}))[
        :2
    ] == (121601030, "超过单次创建最大数量（单次最多创建20节子课）")
    subs = [
        {"courseId": 999999, "className": "S"},
        {"courseId": others[0], "className": "S"},
        {"courseId": others[0], "className": "T"},
        {"courseId": others[1], "className": "x" * 51},
    ]
    made = await code_of(raw, "/lms/onlineDoubleTeacher/addClass", {**add, "subClassJson": subs})
    assert [e["code"] for e in made[2]["subClassData"]] == [144, 1, 121601020, 121601035]
    state = sb.state(DoubleTeacherState)
    state.subs.update(
        dict.fromkeys(range(10**9, 10**9 + 99), state.subs[made[2]["subClassData"][1]["classId"]])
    )  # as if the main lesson held 100 sub-lessons already
    full = await code_of(
        raw, "/lms/onlineDoubleTeacher/addClass", {**add, "subClassJson": [subs[1]]}
    )
    assert full[0] == 121601038
    plain = sb.add_lessons(others[2], 1)[0]
    edit = {"courseId": others[2], "classId": plain, "className": "x"}
    assert (await code_of(raw, "/lms/onlineDoubleTeacher/editClass", edit))[:2] == (
        121601034,
        "非在线双师课节不支持此操作",
    )
    assert (await code_of(raw, "/lms/onlineDoubleTeacher/editClass", {**edit, "classId": 7}))[
        0
    ] == 121601031
    nothing = {"courseId": course, "classId": main}
    assert (await code_of(raw, "/lms/onlineDoubleTeacher/editClass", nothing))[0] == 101001001
    long_name = {**nothing, "className": "x" * 51}
    assert (await code_of(raw, "/lms/onlineDoubleTeacher/editClass", long_name))[0] == 121601035
    sb.finish_lesson(main)
    again = await code_of(
        raw, "/lms/onlineDoubleTeacher/addClass", {**add, "subClassJson": subs[:1]}
    )
    assert again[0] == 121601042


async def test_item_busy_answers_114_per_item_in_both_areas() -> None:
    """The item_busy fault answers a student, or a sub-lesson, 114 and applies nothing."""
    async with Sandbox(faults=Faults(item_busy=1.0)) as sb, aiohttp.ClientSession() as session:
        raw = Raw(sb, session)
        course, teacher, start, students = world(sb)
        room = {"courseId": course, "name": "L", "teacherUid": teacher, "startTime": start}
        made = (await code_of(raw, "/lms/activity/createClass", {**room, "endTime": start + HOUR}))[
            2
        ]
        added = await code_of(
            raw,
            "/lms/activity/addStudent",
            {"courseId": course, "activityId": made["activityId"], "studentUids": students[2:]},
        )
        assert [e["code"] for e in added[2]] == [114]
        assert sb.state(LmsState).members(made["activityId"]) == set(students[:2])
        other = sb.add_course().course_id
        subs = {"mainCourseId": course, "mainClassId": made["classId"]}
        busy = await code_of(
            raw,
            "/lms/onlineDoubleTeacher/addClass",
            {**subs, "subClassJson": [{"courseId": other, "className": "S"}]},
        )
        assert [e["code"] for e in busy[2]["subClassData"]] == [114]
        assert not sb.state(DoubleTeacherState).subs


async def test_a_classroom_is_an_lms_lesson_to_the_v1_actions(raw: Raw) -> None:
    """v1 edits and deletes of a classroom's lesson answer 466; ending one ends the other."""
    sb = raw.sb
    course, teacher, start, _ = world(sb)
    lms = sb.state(LmsState)
    room = {"courseId": course, "name": "L", "teacherUid": teacher, "endTime": start + HOUR}
    first = (await code_of(raw, "/lms/activity/createClass", {**room, "startTime": start}))[2]
    lesson = {"courseId": course, "classId": first["classId"]}
    assert (await raw.call("editCourseClass", **lesson, className="x"))[0] == 466
    assert (await raw.call("delCourseClass", **lesson))[0] == 466
    labels = [{"classId": first["classId"], "classLabelId": []}]
    assert (await raw.call("addClassLabels", courseId=course, classList=labels))[1] == [466]
    (other,) = sb.add_teachers(1)
    assert (await raw.call("modifyCourseTeacher", courseId=course, teacherUid=other))[1] == [466]
    assert lms.activities[first["activityId"]].name == "L"
    assert not lms.activities[first["activityId"]].deleted
    sb.lesson_end(first["classId"], start_time=start, end_time=start + HOUR)
    change = {"courseId": course, "activityId": first["activityId"]}
    assert (await code_of(raw, "/lms/activity/updateClass", {**change, "name": "x"}))[0] == 145
    assert (await code_of(raw, "/lms/activity/delete", change))[0] == 40006
    later = {**room, "startTime": start + 2 * HOUR, "endTime": start + 3 * HOUR}
    second = (await code_of(raw, "/lms/activity/createClass", later))[2]
    assert (await raw.call("endCourse", courseId=course))[0] == 1
    assert lms.activities[second["activityId"]].deleted
    gone = {"courseId": course, "activityId": second["activityId"]}
    assert (await code_of(raw, "/lms/activity/delete", gone))[0] == 29149


async def test_an_identity_of_a_classroom_deleted_outside_the_api_stays_taken(raw: Raw) -> None:
    """A classroom whose lesson was deleted in eeo.cn is not answered as the earlier one."""
    sb = raw.sb
    course, teacher, start, _ = world(sb)
    room = {"courseId": course, "name": "L", "teacherUid": teacher, "startTime": start}
    body = {**room, "endTime": start + HOUR, "uniqueIdentity": "one"}
    made = (await code_of(raw, "/lms/activity/createClass", body))[2]
    assert (await code_of(raw, "/lms/activity/createClass", body))[:1] == (1,)
    sb.delete_lesson(made["classId"])
    assert sb.state(LmsState).activities[made["activityId"]].deleted
    assert (await code_of(raw, "/lms/activity/createClass", body))[0] == 398


async def test_a_classroom_seeded_by_hand_is_updated(raw: Raw) -> None:
    """A classroom put into LmsState without createClassroom (no lesson record) is updated."""
    sb = raw.sb
    course, teacher, start, _ = world(sb)
    lms = sb.state(LmsState)
    (class_id,) = sb.add_lessons(course, 1)
    room = LmsActivity(9, course, None, 1, "L", teacher, start, start + HOUR, class_id=class_id)
    lms.activities[9] = room
    change = {"courseId": course, "activityId": 9, "name": "M"}
    assert (await code_of(raw, "/lms/activity/updateClass", change))[0] == 1
    assert room.name == "M"
