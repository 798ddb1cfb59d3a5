"""The sandbox's people areas read the docs' wire names themselves: hand-made requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sandbox_raw import CLOUD, Raw

import eeo_async as eeo
from eeo_async._api.documented import DOCUMENTED
from eeo_async._api.registry import NOT_SUPPORTED, ROWS
from eeo_async.testing import CloudDrive, Roster, Sandbox, SchoolSettings

#: The docs' user, school, group, cloud, broadcast and login-link actions (33).
PEOPLE_ACTIONS = frozenset(
    {
        "register",
        "registerMultiple",
        "modifyPassword",
        "modifyPasswordByTelephone",
        "addSchoolStudent",
        "editSchoolStudent",
        "modifyCourseStudentNickName",
        "addTeacher",
        "editTeacher",
        "stopUsingTeacher",
        "restartUsingTeacher",
        "updateClassStudentComment",
        "addSchoolLabel",
        "updateSchoolLabel",
        "deleteSchoolLabel",
        "editSchoolSettings",
        "deleteSubSchoolAccount",
        "modifyGroupMemberNickname",
        "getFolderList",
        "getCloudList",
        "getTopFolderId",
        "uploadFile",
        "renameFile",
        "delFile",
        "createFolder",
        "renameFolder",
        "delFolder",
        "updateTeacherCloudFolders",
        "setClassVideoMultiple",
        "deleteClassVideo",
        "updateClassLockStatus",
        "getWebcastUrl",
        "getLoginLinked",
    }
)


@pytest.fixture
async def raw(eeo_sandbox: Sandbox) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(eeo_sandbox, session)


def test_every_documented_action_of_the_people_areas_has_a_row() -> None:
    """Each live action of the user, school, group, cloud, live and link areas is a row."""
    ours = [doc for doc in DOCUMENTED if doc.action in PEOPLE_ACTIONS]
    assert {doc.action for doc in ours} == PEOPLE_ACTIONS
    for doc in ours:
        if doc.status == "deleted":
            assert doc.action in NOT_SUPPORTED
        else:
            assert (ROWS[doc.action].generation, ROWS[doc.action].path) == (
                doc.generation,
                doc.path,
            )


async def test_register_reads_the_form_and_answers_in_chinese(raw: Raw) -> None:
    """register: 877 without addToSchoolMember, 135 with the UID the second time, Chinese text."""
    sb = raw.sb
    doc = await raw.post("register", raw.signed(telephone="15800000001", isSentMessage="1"))
    assert doc["error_info"] == {"errno": 877, "error": "传参不支持发送短信"}
    first = await raw.call("register", telephone="15800000001", password="123456")
    again = await raw.post("register", raw.signed(telephone="15800000001", password="654321"))
    assert first[0] == 1
    assert again["error_info"]["errno"] == 135
    assert again["data"] == first[1]
    assert again["error_info"]["error"] == "手机号已注册"
    assert sb.password_matches("15800000001", "123456")


async def test_register_multiple_keeps_the_teacher_quota_as_register_does(raw: Raw) -> None:
    """registerMultiple answers 845 to a new teacher past the quota; a student still joins."""
    sb = raw.sb
    sb.state(Roster).teacher_limit = 1
    users = [
        {"telephone": "15800000011", "password": "123456", "addToSchoolMember": 2},
        {"telephone": "15800000012", "password": "123456", "addToSchoolMember": 2},
        {"email": "s@example.cn", "password": "123456", "addToSchoolMember": 1},
    ]
    errnos = (await raw.call("registerMultiple", userJson=users))[1]
    assert errnos == [1, 845, 1]
    assert sb.account("15800000012") is None  # refused: nothing registered
    assert len(sb.school_teachers()) == 1
    one = {"telephone": "15800000013", "password": "123456", "addToSchoolMember": "2"}
    assert (await raw.call("register", **one))[0] == 845


async def test_teachers_and_students_by_their_wire_names(raw: Raw) -> None:
    """addTeacher and addSchoolStudent take the docs' field names; a wrong one is 100."""
    sb = raw.sb
    sb.register_directly("15800000002", "123456")
    assert await raw.call("addTeacher", teacherAccount="15800000002", teacherName="王") == (
        1,
        14161,
    )
    assert (await raw.call("addTeacher", account="15800000002", teacherName="王"))[0] == 100
    doc = await raw.post("addTeacher", raw.signed(teacherAccount="15800000002", teacherName="王"))
    assert doc["error_info"] == {"errno": 133, "error": "该帐户已经在机构下存在"}
    doc = await raw.post(
        "addSchoolStudent", raw.signed(studentAccount="15800000002", studentName="王" * 30)
    )
    assert doc["error_info"]["errno"] == 1
    uid = sb.account("15800000002").uid  # type: ignore[union-attr]
    assert sb.state(Roster).student_names[uid] == "王" * 24  # cut to 24, as the page says


async def test_cloud_list_beside_error_info_and_actions_on_the_other_file(raw: Raw) -> None:
    """getCloudList answers folder_list and file_list at the top; course.api.php refuses it."""
    sb = raw.sb
    top = sb.state(CloudDrive).top
    await raw.post("createFolder", raw.signed(folderId=str(top), folderName="教材"), CLOUD)
    doc = await raw.post("getCloudList", raw.signed(), CLOUD)
    assert doc["folder_list"][0]["folder_name"] == "教材"
    assert doc["file_list"] == []
    assert "data" not in doc
    wrong = await raw.post("getCloudList", raw.signed())
    assert wrong["error_info"]["errno"] == 100


async def test_a_multipart_upload_is_stored_once_per_request(raw: Raw, tmp_path: Path) -> None:
    """uploadFile reads the Filedata part; the same file twice is two files (no dedup)."""
    sb = raw.sb
    top = sb.state(CloudDrive).top
    for _ in range(2):
        form = aiohttp.FormData(quote_fields=False)
        for name, value in raw.signed(folderId=str(top)).items():
            form.add_field(name, value)
        form.add_field("Filedata", b"hello", filename="讲义.txt")
        doc = await raw.post("uploadFile", form, CLOUD)
        assert doc["error_info"]["errno"] == 1
    names = [f.name for f in sb.state(CloudDrive).files.values()]
    assert names == ["讲义.txt", "讲义.txt"]


async def test_v2_school_settings_and_nicknames_are_signed_in_headers(raw: Raw) -> None:
    """modifySchoolConf and modifyCourseStudentNickName take JSON signed as the docs say."""
    sb = raw.sb
    status, doc = await raw.post_v2("/school/modifySchoolConf", {"allowViewReplay": 1})
    assert (status, doc["code"], doc["data"]) == (200, 1, {})
    assert sb.state(SchoolSettings).settings == {"allowViewReplay": 1}
    _, doc = await raw.post_v2("/school/modifySchoolConf", {})
    assert doc["code"] == 121601030
    (student,) = sb.add_students(1)
    _, doc = await raw.post_v2(
        "/schooluser/modifyCourseStudentNickName", {"studentUids": [student]}
    )
    assert doc["data"] == [{"studentUid": student, "code": 1, "msg": "程序正常执行"}]
    _, doc = await raw.post_v2(
        "/schooluser/modifyCourseStudentNickName", {"studentUids": list(range(1, 102))}
    )
    assert (doc["code"], doc["msg"]) == (121601060, "学生数量超过限制100")


async def test_english_answers_on_request() -> None:
    """With language='en' the sandbox answers the SDK's documented meanings."""
    async with Sandbox(language="en") as sb, aiohttp.ClientSession() as session:
        raw = Raw(sb, session)
        doc = await raw.post("deleteSchoolLabel", raw.signed(labelId="5"))
    assert doc["error_info"] == {"errno": 356, "error": eeo.describe(356)}
