"""The sandbox reads both generations with its own code: names, signatures, routes, files."""

from __future__ import annotations

import ast
import random
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sandbox_raw import CLOUD, COURSE, Raw, md5

import eeo_async.testing
from eeo_async.testing import Answer, Sandbox, School, Upload, envelope, envelope_v2

TESTING = Path(eeo_async.testing.__file__).parent


@pytest.fixture
async def raw(eeo_sandbox: Sandbox) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(eeo_sandbox, session)


def echo_v2(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A v2 handler that answers the body it got (and refuses courseId 0 with 147)."""
    if body.get("courseId") == 0:
        raise Answer(147)
    return school.envelope_v2(1, body)


async def test_the_docs_worked_v2_example_is_accepted() -> None:
    """signature.txt's worked string signs to d0d99023...; the sandbox accepts that header."""
    body = {"courseId": 132323, "unitJson": [{"name": "string", "publishFlag": 0}]}
    assert md5("courseId=132323&sid=1000082&timeStamp=1673949471&key=Mb71234") == (
        "d0d99023aa44549f97dfe9523059f0c3"
    )
    headers = {
        "X-EEO-SIGN": "d0d99023aa44549f97dfe9523059f0c3",
        "X-EEO-UID": "1000082",
        "X-EEO-TS": "1673949471",
    }
    async with (
        Sandbox(sid=1000082, secret="Mb71234", clock=lambda: 1673949471.0 + 299) as sb,
        aiohttp.ClientSession() as session,
    ):
        sb.handle("/lms/unit/test", echo_v2)
        status, doc = await Raw(sb, session).post_v2("/lms/unit/test", body, headers)
    assert (status, doc) == (200, {"code": 1, "msg": "程序正常执行", "data": body})


async def test_v2_refusals_in_order(raw: Raw) -> None:
    """No/bad X-EEO-TS 101002008, stale 101002006, bad UID or sign 101002005, bad body 121601030."""
    sb = raw.sb
    calls: list[dict[str, Any]] = []

    def record(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        calls.append(body)
        return school.envelope_v2(1)

    sb.handle("/lms/activity/addStudent", record)
    path = "/lms/activity/addStudent"
    body = {"courseId": 7, "activityId": 8, "studentUids": [1, 2]}
    good = raw.headers(body)
    now = int(sb.clock())
    cases: list[tuple[dict[str, str], Any, int]] = [
        ({k: v for k, v in good.items() if k != "X-EEO-TS"}, body, 101002008),
        ({**good, "X-EEO-TS": "soon"}, body, 101002008),
        (raw.headers(body, stamp=now - 310), body, 101002006),
        (raw.headers(body, stamp=now + 310), body, 101002006),
        ({**good, "X-EEO-UID": "7"}, body, 101002005),
        ({**good, "X-EEO-SIGN": "0" * 32}, body, 101002005),
        ({k: v for k, v in good.items() if k != "X-EEO-SIGN"}, body, 101002005),
        (raw.headers({}), [1, 2], 121601030),
        (raw.headers({**body, "sid": 1}), {**body, "sid": 1}, 121601030),
        (raw.headers({**body, "timeStamp": now}), {**body, "timeStamp": now}, 121601030),
        (raw.headers({**body, "key": "x"}), {**body, "key": "x"}, 121601030),
    ]
    for headers, sent, code in cases:
        status, doc = await raw.post_v2(path, sent, headers)
        assert (status, doc["code"], doc["data"]) == (200, code, None), (headers, sent)
    assert doc["msg"] == "参数不全或者错误"
    assert sb.stats.bad_signatures == len(cases)
    assert calls == []
    # Within the 5-minute window either way is accepted.
    for stamp in (now - 290, now + 290):
        assert (await raw.post_v2(path, body, raw.headers(body, stamp=stamp)))[1]["code"] == 1
    assert calls == [body, body]
    assert sb.stats.requests[path] == len(cases) + 2


async def test_v2_body_that_is_not_json_is_refused(raw: Raw) -> None:
    """A v2 body that is not JSON, or not sent as application/json, is answered 121601030."""
    raw.sb.handle("/school/modifySchoolConf", echo_v2)
    url = f"{raw.sb.base_url}/school/modifySchoolConf"
    for data, kind in ((b"{not json", "application/json"), (b'{"a": 1}', "text/plain")):
        headers = {**raw.headers({"a": 1}), "Content-Type": kind}
        async with raw.session.post(url, data=data, headers=headers) as response:
            assert (await response.json())["code"] == 121601030


async def test_v2_signature_leaves_out_arrays_objects_and_long_values(raw: Raw) -> None:
    """Arrays, objects and values past 1024 bytes are not signed; True and None sign as text."""
    raw.sb.handle("/lms/unit/create", echo_v2)
    body = {
        "courseId": 5,
        "name": "单元" * 200,  # 1200 bytes in UTF-8: left out, though only 400 characters
        "content": "x" * 1024,  # exactly 1024 bytes: signed
        "flags": {"a": 1},
        "list": [1, 2],
        "draft": True,
        "nothing": None,
    }
    assert (await raw.post_v2("/lms/unit/create", body))[1]["code"] == 1
    stamp = int(raw.sb.clock())
    text = f"content={'x' * 1024}&courseId=5&draft=True&nothing=None&sid={raw.sb.sid}"
    headers = {**raw.headers(body), "X-EEO-TS": str(stamp)}
    headers["X-EEO-SIGN"] = md5(f"{text}&timeStamp={stamp}&key={raw.sb.secret}")
    assert (await raw.post_v2("/lms/unit/create", body, headers))[1]["code"] == 1
    # Signing the long value too (as a character count would) is refused.
    signed_long = md5(f"{text}&name={'单元' * 200}&timeStamp={stamp}&key={raw.sb.secret}")
    headers["X-EEO-SIGN"] = signed_long
    assert (await raw.post_v2("/lms/unit/create", body, headers))[1]["code"] == 101002005


async def test_a_wrong_wire_name_is_answered_100(raw: Raw) -> None:
    """A form that says courseID instead of courseId is answered 100 and changes nothing."""
    sb = raw.sb
    (student,) = sb.add_students(1)
    course = sb.add_course(lessons=1)
    fields = {"studentUid": str(student), "classJson": list(course.class_ids)}
    wrong = await raw.call("addCourseClassStudent", courseID=str(course.course_id), **fields)
    assert wrong == (100, None)
    assert sb.lesson_members(course.class_ids[0]) == frozenset()
    right = await raw.call("addCourseClassStudent", courseId=str(course.course_id), **fields)
    assert right == (1, [1])


async def test_v1_files_and_unserved_routes(raw: Raw) -> None:
    """A cloud action lives at cloud.api.php; at the other file it is errno 100; unknown is 501."""
    sb = raw.sb
    sb.handle("getTopFolderId", lambda school, form, rng: envelope(1, 42), path=CLOUD)
    assert (await raw.post("getTopFolderId", raw.signed(), CLOUD))["data"] == 42
    assert (await raw.post("getTopFolderId", raw.signed(), COURSE))["error_info"]["errno"] == 100
    wrong_file = await raw.post("delCourseGroup", raw.signed(courseId="1", groupId="2"), CLOUD)
    assert wrong_file["error_info"] == {"errno": 100, "error": "参数不全或错误"}
    url = f"{sb.base_url}{CLOUD}?action=updateTeacherCloudFolders"
    async with raw.session.post(url, data=raw.signed()) as response:
        assert response.status == 501
        assert "updateTeacherCloudFolders" in await response.text()
    async with raw.session.post(
        f"{sb.base_url}/lms/unit/nothing", json={}, headers=raw.headers({})
    ) as response:
        assert response.status == 501
        assert "/lms/unit/nothing" in await response.text()
    assert sb.stats.requests["getTopFolderId"] == 2
    assert sb.stats.requests["/lms/unit/nothing"] == 1


async def test_handlers_answer_in_their_generation(raw: Raw) -> None:
    """Answer(code) is a v1 envelope in a v1 handler and a v2 one in a v2 handler."""
    sb = raw.sb

    def v1_handler(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        if form.get("courseId") == "0":
            raise Answer(144)
        return school.envelope(1, ",".join(sorted(form)))

    sb.handle("getWebcastUrl", v1_handler)
    sb.handle("/lms/unit/update", echo_v2)
    assert await raw.call("getWebcastUrl", courseId="0") == (144, None)
    assert await raw.call("getWebcastUrl", courseId="3", classId="4") == (1, "classId,courseId")
    assert (await raw.post_v2("/lms/unit/update", {"courseId": 0}))[1] == {
        "code": 147,
        "msg": "没有此课程信息",
        "data": None,
    }
    assert sb.stats.errnos[144] == sb.stats.errnos[147] == 1
    assert envelope_v2(101003001, language="en") == {
        "code": 101003001,
        "msg": "Requests too frequent.",
        "data": None,
    }
    with pytest.raises(ValueError, match="v2 route"):
        sb.handle("/lms/unit/update", echo_v2, path=CLOUD)
    with pytest.raises(ValueError, match="v1 action"):
        sb.handle("getWebcastUrl", v1_handler, path="/partner/api/other.php")


async def test_v2_messages_in_english_on_request() -> None:
    """With language='en' the v2 codes carry English messages."""
    async with Sandbox(language="en") as sb, aiohttp.ClientSession() as session:
        sb.handle("/lms/unit/create", echo_v2)
        raw = Raw(sb, session)
        bad = {**raw.headers({}), "X-EEO-SIGN": "x"}
        assert (await raw.post_v2("/lms/unit/create", {}, bad))[1]["msg"] == (
            "Signature error (the signature is missing or wrong)."
        )
        assert (await raw.post_v2("/lms/unit/create", {}))[1]["msg"] == "Successful execution."


async def test_multipart_files_are_streamed_to_disk_and_kept_by_name_and_size(
    tmp_path: Path,
) -> None:
    """Filedata arrives as an Upload (name, size, bytes on disk); the form fields as text."""
    got: list[dict[str, Any]] = []

    def upload(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        got.append(form)
        return envelope(1, "123456")

    content = bytes(range(256)) * 1024  # 256 KiB
    async with (
        Sandbox(max_upload_bytes=300_000) as sb,
        aiohttp.ClientSession() as session,
    ):
        sb.handle("uploadFile", upload, path=CLOUD)
        raw = Raw(sb, session)
        for data in (content, content * 2):
            # quote_fields=False sends the UTF-8 name as browsers and curl do; aiohttp's
            # default percent-encodes it, and the sandbox (like PHP) keeps a name as sent.
            form = aiohttp.FormData(quote_fields=False)
            for key, value in raw.signed(folderId="9").items():
                form.add_field(key, value)
            form.add_field("Filedata", data, filename="教案 1.pdf", content_type="application/pdf")
            assert (await raw.post("uploadFile", form, CLOUD))["data"] == "123456"
        first, second = (entry["Filedata"] for entry in got)
        assert isinstance(first, Upload)
        assert (first.name, first.size, first.content_type) == (
            "教案 1.pdf",
            256 * 1024,
            "application/pdf",
        )
        assert first.path is not None
        assert first.path.read_bytes() == content
        assert (second.size, second.path) == (2 * 256 * 1024, None)
        assert got[0]["folderId"] == "9"
        assert not {"SID", "safeKey", "timeStamp"} & got[0].keys()
        assert sb.uploads() == (first, second)
    assert not first.path.exists()


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_sandbox_implements_the_docs_not_the_sdk() -> None:
    """No sandbox module imports the SDK's wire, rows or models; each is short and documented."""
    sandbox = [p for p in TESTING.glob("_*.py") if p.name not in {"_mock.py", "_pytest_plugin.py"}]
    assert len(sandbox) >= 10
    for path in sandbox:
        forbidden = {
            name
            for name in _imports(path)
            if name.startswith(("..", "eeo_async"))
            and any(part in name for part in ("_wire", "_api", "_models", "_batch", "_client"))
        }
        assert not forbidden, (path.name, forbidden)
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 500, (path.name, lines)
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), path.name


def test_every_code_the_sandbox_answers_has_production_chinese() -> None:
    """Each code an area, the core or a fault answers has a Chinese text where it answers it."""
    from eeo_async._codes import Errno
    from eeo_async.testing import _areas, _messages, _wire

    cjk = re.compile("[\u4e00-\u9fff]")
    common = _messages.Texts()
    by_module = {f"_{area.name}.py": area.texts for area in _areas.areas()}
    for path in TESTING.glob("_*.py"):
        if path.name in {"_mock.py", "_pytest_plugin.py", "_messages.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        codes = {
            int(getattr(Errno, node.attr))
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Errno"
        } | {
            int(getattr(_wire, node.id))
            for node in ast.walk(tree)
            if isinstance(node, ast.Name)
            and node.id.startswith("V2_")
            and node.id[3:].isupper()
            and isinstance(getattr(_wire, node.id, None), int)
            and node.id not in {"V2_WINDOW", "V2_SIGNED_MAX_BYTES"}
        }
        texts = by_module.get(path.name, common)
        for code in codes:
            assert cjk.search(texts.message(code, "zh")), (path.name, code)
            assert not cjk.search(texts.message(code, "en")), (path.name, code)


async def test_the_readme_handle_example(raw: Raw) -> None:
    """The README's v2 handler answers 147 for an unknown course and its data otherwise."""

    def create_unit(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        if body.get("courseId") not in school.courses:
            raise Answer(147)
        return envelope_v2(1, {"name": body["name"], "unitId": 7})

    raw.sb.handle("/lms/unit/create", create_unit)
    course = raw.sb.add_course()
    unknown = await raw.post_v2("/lms/unit/create", {"courseId": 1, "name": "Week 1"})
    assert unknown[1] == {"code": 147, "msg": "没有此课程信息", "data": None}
    known = await raw.post_v2("/lms/unit/create", {"courseId": course.course_id, "name": "Week 1"})
    assert known[1]["data"] == {"name": "Week 1", "unitId": 7}


def test_testing_all_is_sorted_complete_and_documented() -> None:
    """eeo_async.testing's __all__ is sorted, lists every public name, and each is documented."""
    import inspect

    names = eeo_async.testing.__all__
    assert names == sorted(names)
    public = {
        name
        for name, value in vars(eeo_async.testing).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(names)
    for name in names:
        value = getattr(eeo_async.testing, name)
        assert inspect.getdoc(value), name
        if inspect.isclass(value):
            for attr, member in vars(value).items():
                if not attr.startswith("_") and (
                    inspect.isfunction(member) or isinstance(member, property)
                ):
                    assert inspect.getdoc(member), f"{name}.{attr}"


def test_a_mock_request_names_the_action_where_the_server_reads_it(tmp_path: Path) -> None:
    """MockRequest.action: the query's ``action`` (v1, uploads too), the path (v2)."""
    from eeo_async._http import Request, Sealed
    from eeo_async._http import Upload as Multipart
    from eeo_async.testing import MockRequest

    def seen(label: str, path: str, body: Sealed | Multipart, **headers: str) -> MockRequest:
        return MockRequest.of(Request(action=label, path=path, headers=headers, body=body))

    form = Sealed(b"courseId=1")
    assert seen("addCourse", f"{COURSE}?action=addCourseClass", form).action == "addCourseClass"
    assert seen("addCourse", COURSE, form).action == ""
    signs = {"X-EEO-SIGN": "s", "X-EEO-UID": "1", "X-EEO-TS": "1"}
    v2 = seen("createClassroom", "/lms/activity/createClass", Sealed(b"{}"), **signs)
    assert (v2.action, v2.generation) == ("/lms/activity/createClass", 2)
    (tmp_path / "a.png").write_bytes(b"x")
    part = Multipart(
        fields={}, file_field="Filedata", path=tmp_path / "a.png", filename="a", size=1
    )
    assert seen("register", f"{CLOUD}?action=uploadFile", part).action == "uploadFile"
