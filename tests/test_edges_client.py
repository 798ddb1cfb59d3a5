"""The client's edges: answers as servers really misbehave, secrets out of reach, closing, stops."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import subprocess
import sys
import time
import traceback
import warnings
from typing import Any

import aiohttp
import pytest
from locals_support import shown_locals

import eeo_async as eeo
from eeo_async._transport import attempt_timeout
from eeo_async.testing import Faults, MockRequest, MockResponse, MockTransport, Sandbox, set_testing

SECRET = "edge-secret-0123456789"
PASSWORD = "Pa55-edge-word"


def safe_keys(secret: str, around: float, spread: int = 120) -> set[str]:
    """Every v1 safeKey this secret gives for timestamps within ``spread`` s of ``around``."""
    now = int(around)
    return {
        hashlib.md5(f"{secret}{stamp}".encode()).hexdigest()
        for stamp in range(now - spread, now + spread)
    }


async def test_a_bom_before_the_json_is_read_like_plain_json() -> None:
    """An answer starting with a UTF-8 BOM (a PHP fault) decodes; nothing ends unknown."""
    with set_testing(True):
        async with Sandbox(faults=Faults(bom=1.0)) as sb:
            students = sb.add_students(5)
            course = sb.add_course(lessons=3)
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                report = await eeo.Batcher(client).enroll(
                    course.course_id, students, course.class_ids
                )
    assert report.ok
    assert report.succeeded == 15


def test_a_bom_answer_decodes_without_orjson_too() -> None:
    """The json fallback (orjson not installed) reads a BOM answer as orjson does."""
    script = """
import sys, asyncio
sys.modules["orjson"] = None  # as if the speed extra were not installed
import eeo_async as eeo
from eeo_async.testing import MockTransport, set_testing
body = b'\\xef\\xbb\\xbf{"error_info": {"errno": 1, "error": "ok"}, '
body += b'"data": [{"errno": 1, "error": "ok"}]}'
async def main():
    async with eeo.Client(1, "secret-123456", transport=MockTransport(lambda r: body)) as c:
        (status,) = await c.add_course_class_student(1, 2, [3])
        print(status.errno)
asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


async def test_a_gzip_answer_is_capped_after_decompression() -> None:
    """A small gzip answer that inflates past the body limit is refused, not read whole."""
    limit = 200_000
    faults = Faults(gzip=1.0, gzip_bomb_bytes=20_000_000)
    with set_testing(True):
        async with Sandbox(faults=faults) as sb:
            course = sb.add_course(lessons=1)
            async with eeo.Client(
                sb.sid, sb.secret, base_url=sb.base_url, max_body_bytes=limit, max_attempts=1
            ) as client:
                with pytest.raises(eeo.ResponseTooLargeError, match=f"limit of {limit}"):
                    await client.add_course_class_student(course.course_id, 1, course.class_ids)


async def test_an_ordinary_gzip_answer_is_read() -> None:
    """A gzip-compressed answer within the limit is decompressed and decoded."""
    with set_testing(True):
        async with Sandbox(faults=Faults(gzip=1.0)) as sb:
            (student,) = sb.add_students(1)
            course = sb.add_course(lessons=2)
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                statuses = await client.add_course_class_student(
                    course.course_id, student, course.class_ids
                )
    assert [s.errno for s in statuses] == [1, 1]


@pytest.mark.parametrize(
    "spell",
    [
        lambda key: f"safeKey={key}",
        lambda key: f"safeKey%3D{key}%26timeStamp",
        lambda key: f"safekey={key.upper()}",
        lambda key: f'{{"safeKey":"{key}"}}',
    ],
    ids=["plain", "url", "lower", "json"],
)
async def test_an_echoed_safekey_is_scrubbed_in_any_spelling(spell: Any) -> None:
    """A proxy page echoing the request never brings the safeKey into an error."""
    keys: list[str] = []

    def echo(request: MockRequest) -> MockResponse:
        keys.append(request.form["safeKey"])
        page = f"<html>bad gateway; request was {spell(keys[-1])} {SECRET}</html>"
        return MockResponse(status=502, body=page.encode())

    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=MockTransport(echo), max_attempts=1) as client:
            with pytest.raises(eeo.HTTPStatusError) as info:
                await client.add_course_class_student(1, 2, [3])
            report = await eeo.Batcher(client, max_attempts=1).add_student_to_lessons(1, 2, [3])
    shown = str(info.value) + report.items[3].error
    assert "[redacted]" in shown
    assert keys[0] not in shown.lower()
    assert keys[-1] not in shown.lower()
    assert SECRET not in shown


async def test_an_echoed_v2_signature_is_scrubbed() -> None:
    """A v2 answer echoing the X-EEO-SIGN header (upper- or lower-cased) never shows it."""
    signs: list[str] = []

    def echo(request: MockRequest) -> MockResponse:
        sign = request.headers["X-EEO-SIGN"]
        signs.append(sign)
        page = f"<pre>x-eeo-sign: {sign.upper()}\nX-EEO-SIGN={sign}</pre>"
        return MockResponse(status=502, body=page.encode())

    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=MockTransport(echo), max_attempts=1) as client:
            with pytest.raises(eeo.HTTPStatusError) as info:
                await client.call_v2("/lms/unit/create", {"courseId": 1, "name": "u"})
    assert signs
    assert signs[0] not in str(info.value).lower()


async def test_passwords_and_keys_are_not_traceback_locals() -> None:
    """After a failed registration no frame's locals show a password or a safeKey."""

    def lost(request: MockRequest) -> dict[str, Any]:
        raise eeo.RequestTimeoutError(request.action, "no complete answer within the timeout")

    users = [eeo.NewUser(telephone=f"1580000{n:04}", password=PASSWORD) for n in range(3)]
    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=MockTransport(lost), max_attempts=2) as client:
            with pytest.raises(eeo.TransportError) as info:
                await client.register_multiple(users)
            report = await eeo.Batcher(client, max_attempts=2).register(users)
    shown = shown_locals(info.value)
    assert "register_multiple" in "".join(traceback.format_exception(info.value))
    assert PASSWORD not in shown
    assert SECRET not in shown
    assert not any(key in shown for key in safe_keys(SECRET, time.time()))
    assert report.unknown == 3


async def test_a_request_that_never_left_is_sent_again_for_any_action() -> None:
    """aiohttp's "Can not write request body" is not "may have acted": a group is re-sent."""
    from aioresponses import aioresponses

    url = "https://api.eeo.cn/partner/api/course.api.php?action=addCourseGroup"
    group = [[eeo.GroupMember(2, is_leader=True)]]
    with aioresponses() as mocked, set_testing(True):
        mocked.post(
            url, exception=aiohttp.ClientOSError(32, f"Can not write request body for {url}")
        )
        mocked.post(url, payload={"error_info": {"errno": 1, "error": "ok"}, "data": 7})
        async with eeo.Client(1, SECRET) as client:
            created = await client.add_course_group(1, "g", group)
    assert (created.group_id, created.attempts) == (7, 2)


async def test_114_that_acted_is_not_resent_for_a_group() -> None:
    """A 114 that came after the plan was made is raised with a note, never re-sent as 892."""
    with set_testing(True):
        async with Sandbox(faults=Faults(busy_acted=1.0)) as sb:
            students = sb.add_students(2)
            course = sb.add_course(lessons=1)
            sb.add_course_members(course.course_id, students)
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                with pytest.raises(eeo.ServerBusyError, match="may have acted") as info:
                    await client.add_course_group(
                        course.course_id, "g", [[eeo.GroupMember(students[0], is_leader=True)]]
                    )
            assert sb.course_group(course.course_id) is not None
            assert sb.stats.requests["addCourseGroup"] == 1
    assert info.value.errno == 114


async def test_a_job_never_calls_its_own_work_already_after_114_that_acted() -> None:
    """Items a 114-after-acting applied are succeeded, never already; pre-seeded may be."""
    with set_testing(True):
        async with Sandbox(seed=5, faults=Faults(busy_acted=0.5)) as sb:
            students = sb.add_students(30)
            course = sb.add_course(lessons=12)
            before = {(s, c) for s in students[:10] for c in course.class_ids[:2]}
            for s, c in before:
                sb.enroll_directly(c, [s])
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                batcher = eeo.Batcher(client, concurrency=4, max_attempts=30)
                report = await batcher.enroll(course.course_id, students, course.class_ids)
            assert sb.stats.faults_injected["busy_acted"] > 0
    already = {k for k, item in report.items.items() if item.outcome == "already"}
    assert already <= before
    assert report.ok


async def test_an_item_answered_104_then_1_succeeds() -> None:
    """Item-level 104 is retried where the action is safe to repeat, and ends succeeded."""
    answers = iter([[104, 1], [1]])

    def handler(request: MockRequest) -> dict[str, Any]:
        codes = next(answers)
        return {
            "error_info": {"errno": 1, "error": "ok"},
            "data": [{"errno": code, "error": "x"} for code in codes],
        }

    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=MockTransport(handler)) as client:
            report = await eeo.Batcher(client).add_student_to_lessons(1, 2, [10, 11])
    first = report.items[10]
    assert (first.outcome, first.errno, first.attempts) == ("succeeded", 1, 2)
    assert report.items[11].outcome == "succeeded"


async def test_a_stopped_job_waits_for_no_backoff_scheduled_after_the_stop() -> None:
    """102 stops the job; a Retry-After answered later is not waited out."""
    stopped = asyncio.Event()
    waits: list[float] = []

    async def handler(request: MockRequest) -> MockResponse:
        lesson = json.loads(request.form["classJson"])[0]
        if lesson == 1:
            await stopped.wait()
            return MockResponse(status=429, headers={"Retry-After": "8"})
        stopped.set()
        return MockResponse(json={"error_info": {"errno": 102, "error": "no"}})

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.Event().wait()  # a backoff that would never end

    client = eeo.Client(1, SECRET, transport=MockTransport(handler), sleep=sleep)
    async with client, asyncio.timeout(10):
        report = await eeo.Batcher(client, chunk_size=1, concurrency=2).add_student_to_lessons(
            1, 2, [1, 2, 3]
        )
    assert report.stopped_by == "credentials"
    assert waits == []


async def test_closing_while_calls_wait_for_a_connection_raises_client_closed() -> None:
    """Calls waiting for a pooled connection when the client closes raise ClientClosedError."""
    async with Sandbox(faults=Faults(latency=0.3)) as sb:
        course = sb.add_course(lessons=1)
        client = eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, max_connections=1)
        calls = [
            asyncio.create_task(client.add_course_class_student(course.course_id, n, [1]))
            for n in (1, 2, 3)
        ]
        await asyncio.sleep(0.1)  # the first call holds the only connection
        await client.close()
        results = await asyncio.gather(*calls, return_exceptions=True)
    waiting = results[1:]
    assert all(isinstance(r, eeo.ClientClosedError) for r in waiting), results


async def test_a_job_whose_borrowed_session_closes_returns_its_report() -> None:
    """The owner closing a borrowed session mid-job: the report says what was not sent."""
    async with Sandbox(faults=Faults(latency=0.05)) as sb:
        students = sb.add_students(1)
        course = sb.add_course(lessons=20)
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))
        client = eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, session=session)

        def on_progress(done: int, total: int) -> None:
            if done >= 6 and not session.closed:
                asyncio.get_running_loop().create_task(session.close())

        batcher = eeo.Batcher(client, chunk_size=2, concurrency=1, on_progress=on_progress)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the borrowed pool is smaller than asked
            report = await batcher.add_student_to_lessons(
                course.course_id, students[0], course.class_ids
            )
        await client.close()
        await session.close()
    assert report.stopped_by == "closed"
    assert report.total == 20
    assert report.pending == 0
    assert 6 <= report.succeeded < 20
    assert report.errno_counts.get(eeo.LocalErrno.NOT_SENT, 0) >= 1


def test_a_client_from_another_loop_leaves_nothing_unclosed() -> None:
    """Used from a second event loop: EventLoopError, and no unclosed connector warning."""

    async def first(client: eeo.Client, sb: Sandbox) -> None:
        course = sb.add_course(lessons=1)
        await client.add_course_class_student(course.course_id, sb.add_students(1)[0], [1])

    async def run() -> None:
        async with Sandbox() as sb:
            client = eeo.Client(sb.sid, sb.secret, base_url=sb.base_url)
            # The first use in another loop, which asyncio.run shuts down and closes.
            await asyncio.get_running_loop().run_in_executor(None, asyncio.run, first(client, sb))
            with pytest.raises(eeo.EventLoopError):
                await client.add_course_class_student(1, 1, [1])
            await client.close()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(run())
        gc.collect()
    assert not [w for w in caught if "Unclosed" in str(w.message)]


def test_distinct_timeouts_do_not_grow_the_transport() -> None:
    """with_options(timeout=deadline - now) in every call keeps a bounded set of timeouts."""
    for step in range(5000):
        attempt_timeout(1.0 + step / 1000)
    assert attempt_timeout.cache_info().currsize <= 16


def test_a_secret_with_surrounding_space_is_refused_without_showing_it() -> None:
    """A secret pasted with a line end is refused at construction, naming the problem only."""
    for pasted, word in ((SECRET + "\n", "trailing line end"), (" " + SECRET, "leading space")):
        with pytest.raises(eeo.InputError, match=word) as info:
            eeo.Client(1, pasted)
        assert SECRET not in str(info.value)
        assert SECRET not in shown_locals(info.value)


def test_a_base_url_with_the_docs_path_is_refused() -> None:
    """Pasting the docs' full endpoint as base_url is refused before anything is sent."""
    with pytest.raises(eeo.InputError, match="scheme and host only"):
        eeo.Client(1, SECRET, base_url="https://api.eeo.cn/partner/api/course.api.php")
