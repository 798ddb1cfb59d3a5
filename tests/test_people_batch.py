"""The people verbs of the Batcher on the sandbox: members in bulk, comments, video settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest

import eeo_async as eeo
from eeo_async._api.members import BULK_ROWS
from eeo_async._wire import v1
from eeo_async.testing import Faults, Roster, Sandbox, Videos, set_testing


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


def accounts(sb: Sandbox, count: int) -> list[eeo.SchoolMember]:
    members = []
    for i in range(count):
        account = f"1580000{i:04d}" if i % 3 else f"user{i}@example.cn"
        sb.register_directly(account, "123456")
        members.append(eeo.SchoolMember(account, f"老师{i}"))
    return members


async def test_teachers_in_bulk_with_faults_then_a_rerun_is_all_already() -> None:
    """Every account becomes a teacher once despite faults; a re-run reports each as already."""
    faults = Faults(call_busy=0.1, lost_after=0.1, busy_acted=0.1, rate_limited=0.05)
    with set_testing(True):
        async with Sandbox(faults=faults, seed=7) as sb:
            members = accounts(sb, 60)
            async with client_for(sb) as client:
                batcher = eeo.Batcher(client, concurrency=8, max_attempts=30)
                report = await batcher.add_teachers([*members, members[0]])
                sb.faults = Faults()
                again = await batcher.add_teachers(members)
            roster = sb.state(Roster)
            teachers = sb.school_teachers()
    assert report.ok
    assert report.duplicates == 1
    assert report.key_fields == ("account",)
    assert (report.operation, report.action) == ("add_teachers", "addTeacher")
    assert len(teachers) == 60
    assert set(roster.teacher_names.values()) == {f"老师{i}" for i in range(60)}
    assert again.already == 60
    assert [item.errno for item in again.items.values()] == [133] * 60
    assert list(report.items)[:2] == ["user0@example.cn", "15800000001"]


async def test_school_students_in_bulk_report_each_account() -> None:
    """addSchoolStudent a call per account: unknown accounts fail (113), known ones are added."""
    with set_testing(True):
        async with Sandbox() as sb:
            members = accounts(sb, 5)
            sb.register_directly("15899999999", "123456")
            sb.add_students([sb.account("15899999999").uid])  # type: ignore[union-attr]
            members += [
                eeo.SchoolMember("15811111111", "没注册"),
                eeo.SchoolMember(15899999999, "已是学生"),
            ]
            async with client_for(sb) as client:
                report = await eeo.Batcher(client).add_school_students(members)
            students = sb.school_students()
    outcomes = {key: (item.errno, item.outcome) for key, item in report.items.items()}
    assert outcomes["15811111111"] == (113, "failed")
    assert outcomes["15899999999"] == (133, "already")
    assert all(outcomes[m.account] == (1, "succeeded") for m in members[:5])
    assert len(students) == 6
    assert report.calls == 7


def test_one_member_a_call_is_sent_in_its_own_two_fields() -> None:
    """The bulk row writes each account and name as the single call's fields would be."""
    member = eeo.SchoolMember("15800000001", "王 老师&")
    encode = v1.chunk_encoder(BULK_ROWS["add_teachers"], {})
    assert dict(parse_qsl(encode([member]))) == {
        "teacherAccount": "15800000001",
        "teacherName": "王 老师&",
    }
    with pytest.raises(eeo.InputError, match="neither a telephone"):
        eeo.SchoolMember("0158", "x")
    with pytest.raises(eeo.InputError, match="at most 24"):
        eeo.SchoolMember("15800000001", "x" * 25)


async def test_bad_members_are_refused_before_anything_is_sent() -> None:
    """An item that is not a SchoolMember is refused; nothing reaches the server."""
    async with Sandbox() as sb, client_for(sb) as client:
        with pytest.raises(eeo.InputTypeError, match="SchoolMember"):
            await eeo.Batcher(client).add_teachers([{"account": "15800000001"}])  # type: ignore[list-item]
        assert sum(sb.stats.requests.values()) == 0


async def test_comments_of_a_big_class_go_in_calls_of_a_hundred() -> None:
    """250 comments are sent in three calls, keyed by student, each student once."""
    with set_testing(True):
        async with Sandbox(faults=Faults(item_busy=0.1), seed=3) as sb:
            students = sb.add_students(250)
            course = sb.add_course(lessons=1)
            class_id = course.class_ids[0]
            sb.add_course_members(course.course_id, students)
            comments = [eeo.StudentComment(uid, uid % 6, f"评语 {uid}") for uid in students]
            async with client_for(sb) as client:
                report = await eeo.Batcher(client, max_attempts=30).update_student_comments(
                    class_id, comments
                )
            stored = sb.state(Roster).comments
    assert report.ok
    assert report.key_fields == ("student_uid",)
    assert sb.stats.max_items_per_call["updateClassStudentComment"] == 100
    assert stored == {(class_id, uid): (uid % 6, f"评语 {uid}") for uid in students}
    assert sb.stats.item_errnos[104] > 0  # 104 for one student was retried alone


async def test_video_settings_of_many_lessons_in_one_job() -> None:
    """set_class_videos sets every lesson, 253 retried per lesson; finished lessons fail."""
    with set_testing(True):
        async with Sandbox(faults=Faults(item_busy=0.2), seed=5) as sb:
            course = sb.add_course(lessons=130)
            sb.finish_lesson(course.class_ids[-1])
            settings = [
                eeo.ClassVideoSetting(class_id=c, record=True, live=True, replay=True)
                for c in course.class_ids
            ]
            async with client_for(sb) as client:
                report = await eeo.Batcher(client, max_attempts=30).set_class_videos(
                    course.course_id, settings
                )
            videos = sb.state(Videos).settings
    assert report.succeeded == 129
    assert report.items[course.class_ids[-1]].errno == 252
    assert len(videos) == 129
    assert sb.stats.item_errnos[253] > 0
