"""The documented refusals of the people areas, each in its situation on the sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async.testing import CloudDrive, Roster, Sandbox, Videos

Case = Callable[[Sandbox, eeo.Client, Path], Awaitable[Any]]


async def _teacher_is_the_school(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    uid = sb.register_directly("15800000009", "123456")
    sb.add_teachers([uid])
    sb.state(Roster).school_account = "15800000009"
    return await client.stop_using_teacher(uid)


async def _teacher_is_a_sub_account(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (uid,) = sb.add_teachers(1)
    sb.state(Roster).sub_accounts.add(uid)
    return await client.stop_using_teacher(uid)


async def _teacher_has_lessons(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (uid,) = sb.add_teachers(1)
    sb.state(Roster).teaching.add(uid)
    return await client.stop_using_teacher(uid)


async def _cancelled_teacher(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    uid = sb.register_directly("15800000008", "123456")
    sb.deleted_uids.add(uid)
    return await client.add_teacher("15800000008", "x")


async def _cancelled_student(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    uid = sb.register_directly("15800000007", "123456")
    sb.delete_student_account(uid)
    return await client.add_school_student("15800000007", "x")


async def _school_account_as_student(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    sb.register_directly("15800000006", "123456")
    sb.state(Roster).school_account = "15800000006"
    return await client.add_school_student("15800000006", "x")


async def _edit_unknown_teacher(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    return await client.edit_teacher(4242, "x")


async def _too_deep(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    folder = sb.state(CloudDrive).top
    for level in range(15):
        folder = (await client.create_folder(folder, f"L{level}")).folder_id
    return await client.create_folder(folder, "L15")


async def _storage_full(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    sb.state(CloudDrive).capacity_bytes = 3
    (tmp / "a.txt").write_text("four")
    return await client.upload_file(sb.state(CloudDrive).top, tmp / "a.txt")


async def _foreign_folder(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    sb.state(CloudDrive).foreign.add(999)
    return await client.del_folder(999)


async def _top_folder(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    return await client.rename_folder(sb.state(CloudDrive).top, "x")


async def _foreign_file(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    sb.state(CloudDrive).foreign.add(998)
    return await client.rename_file(998, "x")


async def _upload_into_nothing(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (tmp / "a.txt").write_text("x")
    return await client.upload_file(12345, tmp / "a.txt")


async def _never_recorded(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (lesson,) = sb.add_course(lessons=1).class_ids
    sb.finish_lesson(lesson)
    return await client.delete_class_video(lesson)


async def _no_such_segment(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (lesson,) = sb.add_course(lessons=1).class_ids
    sb.finish_lesson(lesson)
    sb.state(Videos).record(lesson, ["1"])
    return await client.delete_class_video(lesson, file_id=2)


async def _link_of_a_finished_lesson(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (student,) = sb.add_students(1)
    course = sb.add_course(lessons=1)
    sb.add_course_members(course.course_id, [student])
    sb.finish_lesson(course.class_ids[0])
    return await client.get_login_linked(student, course.course_id, course.class_ids[0])


async def _link_of_a_cancelled_account(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (student,) = sb.add_students(1)
    course = sb.add_course(lessons=1)
    sb.add_course_members(course.course_id, [student])
    sb.deleted_uids.add(student)
    return await client.get_login_linked(student, course.course_id, course.class_ids[0])


async def _label_of_another_school(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    from eeo_async.testing import SchoolSettings

    sb.state(SchoolSettings).foreign_labels.add(77)
    return await client.delete_school_label(77)


async def _labels_used_up(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    from eeo_async.testing import SchoolSettings

    sb.state(SchoolSettings).labels.update({i: f"L{i}" for i in range(1, 101)})
    return await client.add_school_label("one more")


async def _nicknames_all_failed(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    (gone,) = sb.add_students(1)
    course = sb.add_course()
    sb.add_course_members(course.course_id, [gone])
    sb.delete_student_account(gone)
    return await client.modify_group_member_nickname(course.course_id)


async def _teacher_of_a_course_restarted_unknown(sb: Sandbox, client: eeo.Client, tmp: Path) -> Any:
    return await client.stop_using_teacher(31337)


CASES: list[tuple[Case, int, str]] = [
    (_teacher_is_the_school, 386, "机构账号作为老师不能被停用"),
    (_teacher_is_a_sub_account, 402, "机构子账号不能被停用"),
    (_teacher_has_lessons, 317, "教师有未结束的课节"),
    (_cancelled_teacher, 884, "老师帐号已注销"),
    (_cancelled_student, 886, "学生帐号已注销"),
    (_school_account_as_student, 128, "机构账号不能添加为学生"),
    (_edit_unknown_teacher, 219, "老师信息不存在"),
    (_too_deep, 207, "文件夹层级超出限制"),
    (_storage_full, 31000, "存储已满"),
    (_foreign_folder, 194, "文件夹不属于该机构"),
    (_top_folder, 196, "文件夹无操作权限"),
    (_foreign_file, 199, "文件不属于该机构"),
    (_upload_into_nothing, 193, "文件夹不存在"),
    (_never_recorded, 254, "没有开启录课"),
    (_no_such_segment, 630, "视频片段文件不存在"),
    (_link_of_a_finished_lesson, 145, "该课节已经结束"),
    (_link_of_a_cancelled_account, 888, "用户帐号已注销"),
    (_label_of_another_school, 355, "标签不属于该机构"),
    (_labels_used_up, 354, "超过标签库的数量上限"),
    (_nicknames_all_failed, 843, "修改成员班级昵称全部失败"),
    (_teacher_of_a_course_restarted_unknown, 136, "机构下面没有该老师"),
]


@pytest.mark.parametrize(("case", "errno", "text"), CASES, ids=[c[0].__name__ for c in CASES])
async def test_each_refusal_in_its_situation(
    eeo_sandbox: Sandbox, tmp_path: Path, case: Case, errno: int, text: str
) -> None:
    """The call is refused with the page's errno, in production's Chinese, as an ApiError."""
    async with eeo.Client(
        eeo_sandbox.sid, eeo_sandbox.secret, base_url=eeo_sandbox.base_url, max_attempts=1
    ) as client:
        with pytest.raises(eeo.ApiError) as caught:
            await case(eeo_sandbox, client, tmp_path)
    assert caught.value.errno == errno
    assert text in caught.value.error
    assert eeo.describe(errno) in str(caught.value)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("telephone", 12.5, "must be a str"),
        ("telephone", "+8615800000001", "docs allow"),
        ("email", "no-at-sign", "not an email"),
        ("email", 5, "must be a str"),
        ("md5pass", "A" * 32, "lower-case hex"),
        ("md5pass", 5, "must be a str"),
        ("password", 123456, "must be a str"),
        ("add_to_school_member", "parent", "'student'"),
    ],
)
async def test_register_names_the_bad_value(kind: str, value: object, message: str) -> None:
    """Each bad value of register is refused naming its parameter, before anything is sent."""
    values: dict[str, Any] = {"telephone": "15800000001", "md5pass": "a" * 32}
    if kind == "email":
        values.pop("telephone")
    if kind == "password":
        values.pop("md5pass")
    values[kind] = value
    async with eeo.Client(1, "secret-value", transport=_refusing()) as client:
        with pytest.raises(eeo.InputError, match=message) as caught:
            await client.register(**values)
    assert kind in str(caught.value)


def test_accounts_of_school_members_are_telephones_or_emails() -> None:
    """A SchoolMember takes a telephone (an int too) or an email; anything else is refused."""
    assert eeo.SchoolMember(15800000001, "x").account == "15800000001"
    assert eeo.SchoolMember("001-8006437676", "x").account == "001-8006437676"
    assert eeo.SchoolMember("a@b.cn", "x").account == "a@b.cn"
    with pytest.raises(eeo.InputTypeError):
        eeo.SchoolMember(None, "x")  # type: ignore[arg-type]
    with pytest.raises(eeo.InputError, match="not an email"):
        eeo.SchoolMember("a@b", "x")


def _refusing() -> Any:
    from eeo_async.testing import MockTransport

    def handle(request: object) -> Any:
        raise AssertionError("nothing may be sent")

    return MockTransport(handle)
