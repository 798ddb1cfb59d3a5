"""The school's students and teachers, comments and class nicknames, on the sandbox."""

from __future__ import annotations

import time
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockTransport, Roster, Sandbox

MD5 = "e10adc3949ba59abbe56e057f20f883e"


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


async def test_school_students_are_added_once_and_renamed(eeo_sandbox: Sandbox) -> None:
    """addSchoolStudent answers 133 (already) the second time; editSchoolStudent renames."""
    sb = eeo_sandbox
    uid = sb.register_directly("15800000001", "123456")
    async with client_for(sb) as client:
        first = await client.add_school_student("15800000001", "李雷")
        again = await client.add_school_student(15800000001, "李雷")
        renamed = await client.edit_school_student(uid, "韩梅梅")
        with pytest.raises(eeo.ApiError) as unknown:
            await client.add_school_student("15800000009", "无名")
        with pytest.raises(eeo.NotFoundError) as missing:
            await client.edit_school_student(uid + 99, "无名")
    assert (first.errno, first.already, again.errno, again.ok, again.already) == (
        1,
        False,
        133,
        True,
        True,
    )
    assert renamed.ok
    assert sb.state(Roster).student_names[uid] == "韩梅梅"
    assert uid in sb.school_students()
    assert (unknown.value.errno, missing.value.errno) == (113, 228)
    assert missing.value.error == "机构下无此学生"


async def test_teachers_are_added_with_their_relation_and_a_quota(eeo_sandbox: Sandbox) -> None:
    """addTeacher answers its relation ID, 133 when already a teacher, 845 past the quota."""
    sb = eeo_sandbox
    sb.state(Roster).teacher_limit = 1
    uid = sb.register_directly("15800000002", "123456")
    sb.register_directly("t@example.cn", "123456")
    async with client_for(sb) as client:
        added = await client.add_teacher("15800000002", "王老师")
        again = await client.add_teacher("15800000002", "王老师")
        with pytest.raises(eeo.ApiError) as full:
            await client.add_teacher("t@example.cn", "Ms Li")
        edited = await client.edit_teacher(uid, "王二老师")
    assert (added.errno, added.relation_id, added.already) == (1, 14161, False)
    assert (again.errno, again.already, again.relation_id) == (133, True, None)
    assert full.value.errno == 845
    assert edited.ok
    assert sb.state(Roster).teacher_names[uid] == "王二老师"


async def test_teachers_stop_and_restart_with_the_pages_refusals(eeo_sandbox: Sandbox) -> None:
    """A teacher of a running course is refused (339); a stop is set, repeated, and undone."""
    sb = eeo_sandbox
    busy, free = sb.add_teachers(2)
    sb.add_course(teacher_uid=busy)
    now = [time.time()]  # the sandbox's clock, moved by hand (it signs within 20 minutes)
    sb.clock = lambda: now[0]  # type: ignore[method-assign]
    sb.state(Roster).stop_seconds = 120
    async with client_for(sb) as client:
        with pytest.raises(eeo.ApiError) as running:
            await client.stop_using_teacher(busy)
        assert running.value.errno == 339
        assert (await client.stop_using_teacher(free)).ok
        assert (await client.stop_using_teacher(free)).ok  # setting a state: harmless
        with pytest.raises(eeo.ApiError, match="a few minutes later") as stopping:
            await client.restart_using_teacher(free)
        assert stopping.value.errno == 800
        now[0] += 121
        assert (await client.restart_using_teacher(free)).ok
        with pytest.raises(eeo.NotFoundError):
            await client.restart_using_teacher(busy + 1000)
    assert not sb.state(Roster).is_stopped(free)


async def test_comments_come_back_matched_by_student(eeo_sandbox: Sandbox) -> None:
    """Each comment's status is its student's: 167 not in the lesson, 228 not in the school."""
    sb = eeo_sandbox
    a, b, outsider_of_lesson = sb.add_students(3)
    course = sb.add_course(lessons=1)
    class_id = course.class_ids[0]
    sb.add_course_members(course.course_id, [a])
    sb.enroll_directly(class_id, [b])
    comments = [
        eeo.StudentComment(a, 5, "很好", custom_column="row 1"),
        eeo.StudentComment(999, 3),
        eeo.StudentComment(outsider_of_lesson, 4, "ok"),
        eeo.StudentComment(str(b), 0),
    ]
    async with client_for(sb) as client:
        statuses = await client.update_class_student_comment(class_id, comments)
        with pytest.raises(eeo.NotFoundError) as missing:
            await client.update_class_student_comment(class_id + 99, comments[:1])
    assert [s.errno for s in statuses] == [1, 228, 167, 1]
    assert sb.state(Roster).comments == {(class_id, a): (5, "很好"), (class_id, b): (0, "")}
    assert missing.value.errno == 233


async def test_comment_statuses_follow_the_named_student_not_the_position() -> None:
    """An answer in another order is matched by studentUid; a student left out is not done."""

    def handle(request: MockRequest) -> Any:
        entries = request.json_field("commentJson")
        data = [{"studentUid": e["studentUid"], "errno": 1, "error": "ok"} for e in entries[1:]]
        data.reverse()
        data[0]["errno"] = 167
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}

    comments = [eeo.StudentComment(uid, 5) for uid in (11, 12, 13)]
    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        statuses = await client.update_class_student_comment(7, comments)
    assert [s.errno for s in statuses] == [eeo.LocalErrno.NO_ANSWER, 1, 167]
    assert not statuses[0].ok


def test_comments_are_checked_when_made() -> None:
    """Stars out of 0-5, a comment over 1000 characters or a bad UID are refused at once."""
    for args, message in (
        ((1, 6), "from 0 to 5"),
        ((1, 5, "x" * 1001), "at most 1000"),
        ((0, 5), "positive integer"),
    ):
        with pytest.raises(eeo.InputError, match=message):
            eeo.StudentComment(*args)


async def test_class_nicknames_follow_the_school_names(eeo_sandbox: Sandbox) -> None:
    """The v2 sync and the course-wide v1 action copy school names; 842 is done, with a warning."""
    sb = eeo_sandbox
    a, b, gone = sb.add_students(3)
    roster = sb.state(Roster)
    roster.student_names.update({a: "甲", b: "乙", gone: "丙"})
    course = sb.add_course(lessons=1)
    sb.add_course_members(course.course_id, [a, gone])
    sb.delete_student_account(gone)
    async with client_for(sb) as client:
        statuses = await client.modify_course_student_nick_name([b, a, 424242])
        partly = await client.modify_group_member_nickname(course.course_id)
        with pytest.raises(eeo.TooManyItemsError):
            await client.modify_course_student_nick_name(range(1, 102))
    assert [(s.errno, s.ok) for s in statuses] == [(1, True), (1, True), (121601059, False)]
    assert (partly.errno, partly.ok, partly.side) == (842, True, True)
    assert partly.error == "修改成员班级昵称部分失败"
    assert roster.class_nicknames == {(course.course_id, a): "甲"}
