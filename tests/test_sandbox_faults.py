"""The sandbox's fault kinds, on both generations, each answering in the route's envelope."""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import re
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
import attrs
import pytest
from sandbox_raw import Raw

from eeo_async.testing import Faults, Sandbox, School

V2_PATH = "/lms/activity/addStudent"
ADD = "addCourseClassStudent"


def add_members(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A v2 handler that puts ``studentUids`` into the lesson ``activityId`` (a seeded one)."""
    lesson = school.lessons[body["activityId"]]
    lesson.members.update(body["studentUids"])
    return school.envelope_v2(1, [{"studentUid": u, "code": 1} for u in body["studentUids"]])


@attrs.define
class Setup:
    """A started sandbox with one student, one lesson, and a raw client on it."""

    sb: Sandbox
    raw: Raw
    student: int
    course_id: int
    class_id: int

    async def v1(self) -> dict[str, Any]:
        form = self.raw.signed(
            courseId=str(self.course_id), studentUid=str(self.student), classJson=[self.class_id]
        )
        return await self.raw.post(ADD, form)

    async def v2(self) -> tuple[int, dict[str, Any]]:
        body = {
            "courseId": self.course_id,
            "activityId": self.class_id,
            "studentUids": [self.student],
        }
        return await self.raw.post_v2(V2_PATH, body)

    @property
    def applied(self) -> bool:
        return self.student in self.sb.lesson_members(self.class_id)


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    async with Sandbox() as sb, aiohttp.ClientSession() as session:
        sb.handle(V2_PATH, add_members)
        (student,) = sb.add_students(1)
        course = sb.add_course(lessons=1)
        yield Setup(sb, Raw(sb, session), student, course.course_id, course.class_ids[0])


@pytest.mark.parametrize(
    ("kind", "code", "applied"),
    [
        ("call_busy", 114, False),
        ("busy_after", 104, True),
        ("busy_acted", 114, True),
        ("too_frequent", 101003001, False),
    ],
)
async def test_busy_kinds_answer_in_the_v2_envelope(
    setup: Setup, kind: str, code: int, applied: bool
) -> None:
    """call_busy, busy_after, busy_acted and too_frequent answer {code, msg, data} on v2."""
    setattr(setup.sb.faults, kind, 1.0)
    status, doc = await setup.v2()
    assert (status, doc["code"], doc["data"]) == (200, code, None)
    assert re.search("[\u4e00-\u9fff]", doc["msg"]), doc
    assert setup.applied is applied
    assert setup.sb.stats.faults_injected[kind] == 1
    assert setup.sb.stats.errnos[code] == 1


@pytest.mark.parametrize(
    ("kind", "errno", "applied"),
    [("call_busy", 114, False), ("busy_after", 104, True), ("busy_acted", 114, True)],
)
async def test_busy_kinds_answer_in_the_v1_envelope(
    setup: Setup, kind: str, errno: int, applied: bool
) -> None:
    """The same kinds answer error_info on v1; busy_acted has applied the change first."""
    setattr(setup.sb.faults, kind, 1.0)
    doc = await setup.v1()
    assert doc == {"error_info": {"errno": errno, "error": doc["error_info"]["error"]}}
    assert setup.applied is applied


@pytest.mark.parametrize(
    "kind", ["lost_after", "error_after", "busy_after", "echo_after", "busy_acted"]
)
async def test_a_refused_call_gets_no_fault_saying_a_change_was_made(
    setup: Setup, kind: str
) -> None:
    """A call the server refused changed nothing: an "after" kind would lie, so none comes."""
    setattr(setup.sb.faults, kind, 1.0)
    form = setup.raw.signed(courseId="999", studentUid=str(setup.student), classJson=[1])
    doc = await setup.raw.post(ADD, form)
    assert doc["error_info"]["errno"] == 144  # no such course: the refusal itself
    assert setup.sb.stats.faults_injected[kind] == 0
    setup.sb.faults.gzip = 1.0  # an encoding fault still comes: it claims no change
    assert (await setup.raw.post(ADD, setup.raw.signed(courseId="999")))["error_info"]
    assert setup.sb.stats.faults_injected["gzip"] == 1


async def test_too_frequent_is_a_v2_answer_only(setup: Setup) -> None:
    """too_frequent leaves v1 routes alone: no v1 page documents 101003001."""
    setup.sb.faults.too_frequent = 1.0
    assert (await setup.v1())["error_info"]["errno"] == 1
    assert setup.applied
    assert setup.sb.stats.faults_injected["too_frequent"] == 0


async def test_capacity_answers_in_the_route_generation() -> None:
    """Past its capacity the sandbox answers 114 in the envelope of the route called."""
    async with Sandbox(faults=Faults(capacity=1, latency=0.05)) as sb:
        sb.handle(V2_PATH, add_members)
        (student,) = sb.add_students(1)
        (lesson,) = sb.add_course(lessons=1).class_ids
        async with aiohttp.ClientSession() as session:
            raw = Raw(sb, session)
            body = {"activityId": lesson, "studentUids": [student]}
            first = asyncio.ensure_future(raw.post_v2(V2_PATH, body))
            await wait_for(lambda: sb.stats.in_flight == 1)
            status, doc = await raw.post_v2(V2_PATH, {**body, "studentUids": []})
            assert (status, doc["code"], doc["data"]) == (200, 114, None)
            v1 = await raw.post(ADD, raw.signed(courseId="1"))
            assert v1["error_info"]["errno"] == 114
            assert (await first)[1]["code"] == 1
    assert sb.stats.faults_injected["capacity"] == 2


async def test_keepalive_close_fails_the_next_request_on_that_connection() -> None:
    """The answer comes, then the pooled connection's next request fails unapplied."""
    async with (
        Sandbox(faults=Faults(keepalive_close=1.0)) as sb,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session,
    ):
        a, b, c = sb.add_students(3)
        course = sb.add_course(lessons=1)
        raw = Raw(sb, session)

        async def add(uid: int) -> dict[str, Any]:
            form = raw.signed(
                courseId=str(course.course_id), studentUid=str(uid), classJson=[*course.class_ids]
            )
            return await raw.post(ADD, form)

        assert (await add(a))["error_info"]["errno"] == 1
        with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
            await add(b)
        # A new connection serves the next request; b was never applied.
        assert (await add(c))["error_info"]["errno"] == 1
        assert sb.lesson_members(course.class_ids[0]) == {a, c}
        assert sb.stats.requests[ADD] == 2
        assert sb.stats.faults_injected["keepalive_close"] == 2


async def test_bom_starts_the_answer_with_a_byte_order_mark(setup: Setup) -> None:
    """bom: the JSON answer (v1 and v2) starts with EF BB BF; the change is applied."""
    setup.sb.faults.bom = 1.0
    form = setup.raw.signed(
        courseId=str(setup.course_id), studentUid=str(setup.student), classJson=[setup.class_id]
    )
    url = f"{setup.sb.base_url}/partner/api/course.api.php?action={ADD}"
    async with setup.raw.session.post(url, data=form) as response:
        body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    assert json.loads(body[3:])["error_info"]["errno"] == 1
    assert setup.applied
    body_v2 = {"activityId": setup.class_id, "studentUids": [setup.student]}
    url = f"{setup.sb.base_url}{V2_PATH}"
    async with setup.raw.session.post(
        url, json=body_v2, headers=setup.raw.headers(body_v2)
    ) as response:
        assert (await response.read()).startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("bomb", [None, 5_000_000])
async def test_gzip_answers_compressed_with_the_compressed_length(bomb: int | None) -> None:
    """gzip: Content-Encoding gzip, Content-Length of the compressed bytes, a bomb on request."""
    async with (
        Sandbox(faults=Faults(gzip=1.0, gzip_bomb_bytes=bomb)) as sb,
        aiohttp.ClientSession(auto_decompress=False) as session,
    ):
        sb.handle(V2_PATH, add_members)
        (student,) = sb.add_students(1)
        course = sb.add_course(lessons=1)
        raw = Raw(sb, session)
        body = {"activityId": course.class_ids[0], "studentUids": [student]}
        async with session.post(
            f"{sb.base_url}{V2_PATH}", json=body, headers=raw.headers(body)
        ) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            compressed = await response.read()
            assert int(response.headers["Content-Length"]) == len(compressed)
    inflated = gzip.decompress(compressed)
    assert json.loads(inflated)["code"] == 1
    if bomb is not None:
        assert len(compressed) < 50_000
        assert len(inflated) > bomb
    assert student in sb.lesson_members(course.class_ids[0])


async def test_echo_spellings_v1_show_the_safekey_each_way(setup: Setup) -> None:
    """echo_after with every spelling: safeKey=, safeKey%3D, safekey= and "safeKey":"..."."""
    setup.sb.faults.echo_after = 1.0
    setup.sb.faults.echo_spellings = "plain,url,lower,json"  # type: ignore[assignment]
    form = setup.raw.signed(
        courseId=str(setup.course_id), studentUid=str(setup.student), classJson=[setup.class_id]
    )
    key = form["safeKey"]
    url = f"{setup.sb.base_url}/partner/api/course.api.php?action={ADD}"
    async with setup.raw.session.post(url, data=form) as response:
        page = await response.text()
    for spelling in (f"safeKey={key}", f"safeKey%3D{key}", f"safekey={key}", f'"safeKey":"{key}"'):
        assert spelling in page
    assert setup.applied


async def test_echo_spellings_v2_show_the_sign_header(setup: Setup) -> None:
    """On v2 the echo holds the X-EEO-SIGN value in the spellings asked for."""
    setup.sb.faults = Faults(echo_after=1.0, echo_spellings=("url", "json"))
    body = {"activityId": setup.class_id, "studentUids": [setup.student]}
    headers = setup.raw.headers(body)
    sign = headers["X-EEO-SIGN"]
    async with setup.raw.session.post(
        f"{setup.sb.base_url}{V2_PATH}", json=body, headers=headers
    ) as response:
        page = await response.text()
    assert quote(f"X-EEO-SIGN={sign}", safe="") in page
    assert f'"X-EEO-SIGN":"{sign}"' in page
    assert f"X-EEO-SIGN={sign}" not in page
    assert setup.applied


def test_echo_spellings_are_checked() -> None:
    """echo_spellings takes a comma-separated text or a sequence, and refuses unknown ones."""
    assert Faults(echo_spellings="url, json").echo_spellings == ("url", "json")
    with pytest.raises(ValueError, match="echo_spellings"):
        Faults(echo_spellings=("upper",))
    with pytest.raises(ValueError, match="gzip_bomb_bytes"):
        Faults(gzip_bomb_bytes=0)


def test_faults_docstring_describes_every_field() -> None:
    """Each Faults field has its line in the docstring's Attributes (the CLI's flag help)."""
    doc = Faults.__doc__ or ""
    section = doc.split("Attributes:", 1)[1]
    described = set(re.findall(r"^ {8}(\w+): ", section, flags=re.MULTILINE))
    assert described == set(attrs.fields_dict(Faults))


async def wait_for(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition()`` holds (no sleeping)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def test_v2_fault_draws_follow_the_seed() -> None:
    """The same seed gives the same v2 answers; another seed gives others."""

    async def codes(seed: int) -> list[int]:
        async with (
            Sandbox(seed=seed, faults=Faults(call_busy=0.5)) as sb,
            aiohttp.ClientSession() as session,
        ):
            sb.handle(V2_PATH, lambda school, body, rng: school.envelope_v2(1))
            raw = Raw(sb, session)
            return [(await raw.post_v2(V2_PATH, {"activityId": i}))[1]["code"] for i in range(24)]

    first = await codes(5)
    assert set(first) == {1, 114}
    assert await codes(5) == first
    assert await codes(6) != first
