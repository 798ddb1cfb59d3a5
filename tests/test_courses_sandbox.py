"""Courses, one member, teachers and course labels end to end against the sandbox."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest
from sandbox_raw import Raw

import eeo_async as eeo
from eeo_async.testing import Sandbox, set_testing
from eeo_async.testing._labels import SchoolSettings

HOUR = 3600


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


def client_for(sb: Sandbox) -> eeo.Client:
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url)


async def test_a_course_is_created_edited_and_ended(tmp_path: Any) -> None:
    """A course keeps its name, settings and cover; ending it deletes unstarted lessons."""
    cover = tmp_path / "封面.png"
    cover.write_bytes(b"\x89PNG....")
    start = int(time.time()) + 86400
    async with Sandbox() as sb:
        head, other, teacher = sb.add_teachers(3)
        async with client_for(sb) as client:
            made = await client.add_course(
                "高一物理",
                main_teacher_uid=head,
                filedata=cover,
                course_introduce="力学",
                allow_add_friend=False,
                expiry_time=int(time.time()) + 30 * 86400,
            )
            again = await client.add_course(
                "高一物理",
                main_teacher_uid=head,
                filedata=cover,
                course_introduce="力学",
                allow_add_friend=False,
                expiry_time=made_expiry(sb, made),
            )
            assert made.course_id is not None
            cid = made.course_id
            edited = await client.edit_course(
                cid, course_name="高一物理(A)", main_teacher_uid=other
            )
            lesson = await client.add_course_class(cid, "L1", start, start + HOUR, teacher)
            ended = await client.end_course(cid)
            repeat = await client.end_course(cid)
            with pytest.raises(eeo.ApiError, match="146"):
                await client.modify_course_teacher(cid, teacher)
    record = sb.timetable.courses[cid]
    assert (record.name, record.cover, record.settings["courseIntroduce"]) == (
        "高一物理(A)",
        "封面.png",
        "力学",
    )
    assert record.settings["allowAddFriend"] == "0"
    assert (again.already, again.course_id) == (True, cid)
    assert edited.ok
    assert sb.courses[cid].teacher_uid == other
    assert head in sb.courses[cid].co_teachers  # stamp 1: the former head joins the list
    assert (ended.ok, repeat.already, repeat.error) == (True, True, "课程已结束")
    assert lesson.class_id is not None
    assert sb.lessons[lesson.class_id].deleted


def made_expiry(sb: Sandbox, made: eeo.CourseResult) -> int:
    """The expiry the sandbox kept for a course (so a repeat sends the same settings)."""
    assert made.course_id is not None
    return int(sb.timetable.courses[made.course_id].settings["expiryTime"])


async def test_course_refusals_come_back_in_chinese() -> None:
    """A head teacher not of the school is 334; a lesson running stops endCourse (394)."""
    now = int(time.time())
    async with Sandbox() as sb:
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course()
        async with client_for(sb) as client:
            with pytest.raises(eeo.ApiError, match="班主任不存在"):
                await client.add_course("化学", main_teacher_uid=999)
            lesson = await client.add_course_class(
                course.course_id, "L", now + 120, now + 120 + HOUR, teacher
            )
            assert lesson.class_id is not None
            sb.timetable.lessons[lesson.class_id].begin = now - 60  # it has started
            with pytest.raises(eeo.ApiError, match="394"):
                await client.end_course(course.course_id)


async def test_one_member_at_a_time_in_the_sandbox() -> None:
    """addCourseStudent and delCourseStudent: new, already (163/162), refused (129)."""
    async with Sandbox() as sb:
        (student,) = sb.add_students(1)
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course(teacher_uid=teacher)
        cid = course.course_id
        async with client_for(sb) as client:
            added = await client.add_course_student(cid, student)
            again = await client.add_course_student(cid, student)
            auditor = await client.add_course_student(
                cid, sb.add_students(1)[0], identity=2, student_name="旁听生"
            )
            with pytest.raises(eeo.ApiError, match="129"):
                await client.add_course_student(cid, teacher)
            removed = await client.del_course_student(cid, student)
            gone = await client.del_course_student(cid, student)
    assert (added.errno, again.already, auditor.ok) == (1, True, True)
    assert (removed.errno, gone.already) == (1, True)
    assert sb.course_members(cid) == frozenset()


async def test_course_teachers_are_added_changed_and_removed() -> None:
    """v2 addCourseTeacher, modifyCourseTeacher per unstarted lesson, removeCourseTeacher."""
    start = int(time.time()) + 86400
    async with Sandbox() as sb:
        first, second, stopped = sb.add_teachers(3)
        course = sb.add_course(teacher_uid=first)
        cid = course.course_id
        async with client_for(sb) as client:
            added = await client.add_course_teacher(cid, [second, first, 4242])
            again = await client.add_course_teacher(cid, [second])
            lessons = await client.add_course_class_multiple(
                cid,
                [
                    eeo.NewLesson("A", start, start + HOUR, first),
                    eeo.NewLesson("B", start + 7200, start + 3 * HOUR, first),
                ],
            )
            changed = await client.modify_course_teacher(cid, second)
            with pytest.raises(eeo.ApiError, match="317"):
                await client.remove_course_teacher(cid, second)
            removed = await client.remove_course_teacher(cid, first)
            not_listed = await client.remove_course_teacher(cid, stopped)
            batcher = eeo.Batcher(client)
            report = await batcher.add_teachers_to_course(cid, [stopped, second])
    assert [s.errno for s in added] == [1, 30022, 136]
    assert again[0].already
    assert [s.id for s in changed] == [r.class_id for r in lessons]
    assert {sb.timetable.lessons[r.class_id or 0].teacher_uid for r in lessons} == {second}
    assert (removed.ok, not_listed.already) == (True, True)
    assert (report.succeeded, report.already) == (1, 1)
    assert stopped in sb.courses[cid].co_teachers


async def test_course_labels_and_many_of_them() -> None:
    """addCourseLabels per course (399, 358, 144), and set_course_labels for 150 courses."""
    async with Sandbox() as sb:
        labels = sb.state(SchoolSettings).add_labels(12)
        courses = [sb.add_course().course_id for _ in range(150)]
        async with client_for(sb) as client:
            statuses = await client.add_course_labels(
                {courses[0]: labels[:2], courses[1]: [1], 77: []}
            )
            batcher = eeo.Batcher(client)
            report = await batcher.set_course_labels(dict.fromkeys(courses, labels[:3]))
            cleared = await client.add_course_labels({courses[0]: []})
    assert [s.errno for s in statuses] == [1, 358, 144]
    assert statuses[1].error == "部分标签不存在或已删除"
    assert (report.ok, report.calls) == (True, 2)
    assert sb.timetable.courses[courses[5]].labels == tuple(labels[:3])
    assert cleared[0].ok
    assert sb.timetable.courses[courses[0]].labels == ()


async def test_labels_made_with_add_school_label_label_courses_and_lessons() -> None:
    """A label made with addSchoolLabel labels courses and lessons; another school's is 359."""
    start = int(time.time()) + 86400
    async with Sandbox() as sb:
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course()
        async with client_for(sb) as client:
            label = await client.add_school_label("高一")
            lesson = await client.add_course_class(
                course.course_id, "L", start, start + HOUR, teacher
            )
            assert lesson.class_id is not None
            on_course = await client.add_course_labels({course.course_id: [label.label_id]})
            on_lesson = await client.add_class_labels(
                course.course_id, {lesson.class_id: [label.label_id]}
            )
            sb.state(SchoolSettings).foreign_labels.add(4242)
            foreign = await client.add_course_labels({course.course_id: [4242]})
    assert (on_course[0].errno, on_lesson[0].errno, foreign[0].errno) == (1, 1, 359)
    assert sb.timetable.courses[course.course_id].labels == (label.label_id,)


async def test_seeded_labels_are_the_school_labels_the_label_actions_see() -> None:
    """One store: a seeded label has a name (353), is deleted by deleteSchoolLabel, then 358."""
    async with Sandbox() as sb:
        course = sb.add_course()
        (seeded,) = sb.state(SchoolSettings).add_labels(1)
        async with client_for(sb) as client:
            named = await client.add_school_label(f"label {seeded}")
            before = await client.add_course_labels({course.course_id: [seeded]})
            await client.delete_school_label(seeded)
            after = await client.add_course_labels({course.course_id: [seeded]})
    assert (named.errno, named.label_id) == (353, seeded)
    assert (before[0].errno, after[0].errno) == (1, 358)


async def test_add_course_teacher_reads_ids_as_the_lms_paths_do() -> None:
    """v2 codes in a v2 envelope: a digit-string courseId is read, true and "abc" are 101001001."""
    async with Sandbox() as sb, aiohttp.ClientSession() as session:
        raw = Raw(sb, session)
        first, second = sb.add_teachers(2)
        cid = sb.add_course(teacher_uid=first).course_id
        path = "/course/addCourseTeacher"
        answers = [
            await raw.post_v2(path, body)
            for body in (
                {"courseId": cid, "teacherUids": ["abc"]},
                {"courseId": True, "teacherUids": [second]},
                {"courseId": cid, "teacherUids": [True]},
                {"courseId": cid},
                {"courseId": str(cid), "teacherUids": [str(second)]},
            )
        ]
    assert [status for status, _ in answers] == [200] * 5
    docs = [doc for _, doc in answers]
    assert all("error_info" not in doc for doc in docs)  # never a v1 answer
    assert [doc["code"] for doc in docs] == [101001001, 101001001, 101001001, 121601030, 1]
    assert docs[0]["msg"] == "业务参数错误"
    assert docs[4]["data"] == [{"teacherUid": second, "code": 1, "msg": "程序正常执行"}]
    assert second in sb.courses[cid].co_teachers
    assert 1 not in sb.courses  # true was never read as course 1


async def test_add_course_labels_echoes_custom_column_as_every_action_does() -> None:
    """customColumn is echoed cut to 50 characters, "" when none was sent."""
    async with Sandbox() as sb, aiohttp.ClientSession() as session:
        raw = Raw(sb, session)
        cid = sb.add_course().course_id
        items = [{"courseId": cid, "labelIds": [], "customColumn": "x" * 60}, {"courseId": cid}]
        doc = await raw.post("addCourseLabels", raw.signed(courseList=items))
    assert [e["customColumn"] for e in doc["data"]] == ["x" * 50, ""]
