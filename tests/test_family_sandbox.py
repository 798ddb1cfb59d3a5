"""The sandbox's family actions: each errno in its situation, forms, messages, unknown actions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sandbox_raw import Raw

from eeo_async.testing import Sandbox


@pytest.fixture
async def raw(eeo_sandbox: Sandbox) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(eeo_sandbox, session)


async def test_messages_are_chinese_by_default_and_english_on_request() -> None:
    """Answers carry the production's Chinese messages; language='en' gives English ones."""
    for language, expected in (("zh", "课节下已存在此学生"), ("en", "already exists")):
        async with Sandbox(language=language) as sb, aiohttp.ClientSession() as session:
            (student,) = sb.add_students(1)
            course = sb.add_course(lessons=1)
            sb.enroll_directly(course.class_ids[0], [student])
            raw = Raw(sb, session)
            form = raw.signed(
                courseId=str(course.course_id),
                classId=str(course.class_ids[0]),
                identity="1",
                studentJson=[{"uid": str(student)}],
            )
            doc = await raw.post("addClassStudentMultiple", form)
            assert expected in doc["data"][0]["error"]
            ok = "程序正常执行" if language == "zh" else "Successful execution."
            assert doc["error_info"]["error"] == ok


async def test_del_class_student_multiple_takes_student_json(raw: Raw) -> None:
    """delClassStudentMultiple accepts studentJson where studentUidJson is absent."""
    sb = raw.sb
    a, b = sb.add_students(2)
    course = sb.add_course(lessons=1)
    (lesson,) = course.class_ids
    sb.enroll_directly(lesson, [a, b])
    errno, data = await raw.call(
        "delClassStudentMultiple",
        courseId=str(course.course_id),
        classId=str(lesson),
        identity="1",
        studentJson=[{"uid": str(a)}],
    )
    assert (errno, data) == (1, [1])
    assert sb.lesson_members(lesson) == {b}
    # studentUidJson wins when both are given.
    errno, data = await raw.call(
        "delClassStudentMultiple",
        courseId=str(course.course_id),
        classId=str(lesson),
        identity="1",
        studentUidJson=[str(b)],
        studentJson=[{"uid": str(a)}],
    )
    assert (errno, data) == (1, [1])
    assert sb.lesson_members(lesson) == frozenset()


async def test_course_student_errnos(raw: Raw) -> None:
    """addCourseStudentMultiple: 133 twice in one array, 228, 886, 332, 155, 144."""
    sb = raw.sb
    a, gone, co = sb.add_students(3)
    stranger = 9_999_999
    sb.delete_student_account(gone)
    course = sb.add_course(lessons=1, co_teacher_uids=[co])
    cid = str(course.course_id)
    entries = [{"uid": str(u)} for u in (a, a, stranger, gone, co)]
    errno, data = await raw.call(
        "addCourseStudentMultiple", courseId=cid, identity="1", studentJson=entries
    )
    assert (errno, data) == (1, [1, 133, 228, 886, 332])
    assert await raw.call("addCourseStudentMultiple", courseId=cid, studentJson=[]) == (155, None)
    assert (await raw.call("addCourseStudentMultiple", courseId="1", studentJson=entries[:1]))[
        0
    ] == 144
    errno, data = await raw.call(
        "delCourseStudentMultiple", courseId=cid, identity="1", studentUidJson=[str(a), "5"]
    )
    assert (errno, data) == (1, [1, 162])


async def test_lesson_student_errnos(raw: Raw) -> None:
    """addClassStudentMultiple: 159 for identity 2, 142 another course's lesson, 157 full."""
    sb = raw.sb
    a, b = sb.add_students(2)
    course = sb.add_course(lessons=1, seat_limit=1)
    other = sb.add_course(lessons=1)
    cid, lesson = str(course.course_id), str(course.class_ids[0])
    one = [{"uid": str(a)}]
    assert (
        await raw.call(
            "addClassStudentMultiple", courseId=cid, classId=lesson, identity="2", studentJson=one
        )
    )[0] == 159
    assert (
        await raw.call(
            "addClassStudentMultiple",
            courseId=cid,
            classId=str(other.class_ids[0]),
            identity="1",
            studentJson=one,
        )
    )[0] == 142
    errno, data = await raw.call(
        "addClassStudentMultiple",
        courseId=cid,
        classId=lesson,
        identity="1",
        studentJson=[{"uid": str(a), "customColumn": 7}, {"uid": str(b)}],
    )
    assert (errno, data) == (1, [1, 157])


async def test_register_errnos(raw: Raw) -> None:
    """registerMultiple: 450 past 10, 155 empty, per account 134, 137, 100, 135 with UID."""
    sb = raw.sb
    uid = sb.register_directly("15800000009", "secret-9")
    eleven = [{"telephone": f"158000000{i:02}", "password": "secret-1"} for i in range(11)]
    assert await raw.call("registerMultiple", userJson=eleven) == (450, None)
    assert await raw.call("registerMultiple", userJson=[]) == (155, None)
    doc = await raw.post(
        "registerMultiple",
        raw.signed(
            userJson=[
                {"telephone": "0123", "password": "secret-1"},
                {"telephone": "15800000001", "password": "12345"},
                {"telephone": "15800000002"},
                {"telephone": 15800000009, "password": "secret-1", "customColumn": 5},
                {"email": "new@example.com", "md5pass": "e10adc3949ba59abbe56e057f20f883e"},
            ],
        ),
    )
    assert [e["errno"] for e in doc["data"]] == [134, 137, 100, 135, 1]
    assert doc["data"][3]["data"] == uid
    assert doc["data"][3]["customColumn"] == "5"
    assert sb.password_matches("new@example.com", "123456")
    assert "123456" not in repr(sb.account("new@example.com"))


async def test_group_edit_and_delete_errnos(raw: Raw) -> None:
    """editCourseGroup answers 893 for no plan and 890 for students not in the course."""
    sb = raw.sb
    a, b = sb.add_students(2)
    course = sb.add_course(lessons=1)
    sb.add_course_members(course.course_id, [a])
    cid = str(course.course_id)
    plan = [[{"studentUid": a, "isLeader": 1}]]
    edit = {"courseId": cid, "groupId": "5", "groupName": "T", "groupList": plan}
    assert (await raw.call("editCourseGroup", **edit))[0] == 893
    assert (await raw.call("delCourseGroup", courseId=cid, groupId="5"))[0] == 893
    errno, group_id = await raw.call("addCourseGroup", courseId=cid, groupName="T", groupList=plan)
    assert errno == 1
    outsider = [[{"studentUid": b, "isLeader": 1}]]
    edit.update(groupId=str(group_id), groupList=outsider)
    assert (await raw.call("editCourseGroup", **edit))[0] == 890


async def test_an_unimplemented_action_says_so(raw: Raw) -> None:
    """An action the sandbox lacks is answered 501 with a text saying so, not an errno."""
    url = f"{raw.sb.base_url}/partner/api/course.api.php?action=updateTeacherCloudFolders"
    form = raw.signed()
    async with raw.session.post(url, data=form) as response:
        assert response.status == 501
        text = await response.text()
    assert "does not implement" in text
    assert "updateTeacherCloudFolders" in text
