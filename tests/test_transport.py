"""The transport over loopback: pools, redirects, charsets, borrowed sessions, loops, echoes."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
from typing import Any

import aiohttp
import pytest

import eeo_async as eeo
from eeo_async.testing import Faults, MockRequest, MockResponse, MockTransport, Sandbox


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


async def test_waiting_for_a_borrowed_pool_is_not_a_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A pool of 2 under concurrency 16: calls wait for a connection, none times out."""
    async with Sandbox(faults=Faults(latency=0.15)) as sb:
        students = sb.add_students(16)
        course = sb.add_course(lessons=1)
        connector = aiohttp.TCPConnector(limit=2)
        async with aiohttp.ClientSession(connector=connector) as session:
            client = client_for(sb, session=session, timeout=0.5, max_attempts=1)
            with caplog.at_level(logging.WARNING, logger="eeo_async"):
                report = await eeo.Batcher(client, concurrency=16, chunk_size=1).enroll(
                    course.course_id, students, course.class_ids
                )
            await client.close()
            assert not session.closed  # borrowed: left open
    assert report.ok, report.summary()
    assert sb.stats.max_in_flight == 2
    assert "pool allows 2 connections" in caplog.text


async def test_an_owned_pool_grows_to_the_concurrency() -> None:
    """A client's own pool of 2 grows to a Batcher's concurrency of 12."""
    async with Sandbox(faults=Faults(latency=0.05)) as sb:
        students = sb.add_students(24)
        course = sb.add_course(lessons=1)
        async with client_for(sb, max_connections=2) as client:
            report = await eeo.Batcher(client, concurrency=12, chunk_size=1).enroll(
                course.course_id, students, course.class_ids
            )
    assert report.ok
    assert sb.stats.max_in_flight == 12


async def test_borrowed_session_settings_do_not_change_ours() -> None:
    """A session's raise_for_status, base URL, headers and tiny timeout do not change ours."""
    async with Sandbox(faults=Faults(rate_limited=0.5, latency=0.02)) as sb:
        (student,) = sb.add_students(1)
        course = sb.add_course(lessons=6)
        async with (
            aiohttp.ClientSession(
                base_url="http://192.0.2.1:9",
                raise_for_status=True,
                headers={"X-Other": "1"},
                timeout=aiohttp.ClientTimeout(total=0.001),
            ) as session,
            client_for(sb, session=session, max_attempts=20) as client,
        ):
            statuses = [
                status
                for lesson in course.class_ids
                for status in await client.add_course_class_student(
                    course.course_id, student, [lesson]
                )
            ]
    assert all(s.ok for s in statuses)
    assert sb.stats.faults_injected["rate_limited"] > 0


async def test_a_redirect_is_not_followed() -> None:
    """A 3xx is an HTTPStatusError naming the Location, not retried, never followed."""
    async with Sandbox(faults=Faults(redirect=1.0)) as sb:
        (student,) = sb.add_students(1)
        course = sb.add_course(lessons=1)
        async with client_for(sb, max_attempts=5) as client:
            with pytest.raises(eeo.HTTPStatusError, match="redirect to 'https://") as info:
                await client.add_course_class_student(course.course_id, student, course.class_ids)
    assert info.value.status == 302
    assert not info.value.may_have_acted
    assert sum(sb.stats.requests.values()) == 1
    assert sb.stats.bad_signatures == 0


async def test_a_body_is_read_in_its_declared_charset() -> None:
    """A GBK body with charset=gbk decodes to the same text as UTF-8 would."""
    text = "课节已结束"
    doc = {
        "error_info": {"errno": 1, "error": "程序正常执行"},
        "data": [{"errno": 145, "error": text}],
    }
    body = json.dumps(doc, ensure_ascii=False).encode("gbk")

    def answer(request: object) -> MockResponse:
        return MockResponse(body=body, headers={"Content-Type": "text/html; charset=GBK"})

    async with eeo.Client(1, "s", transport=MockTransport(answer)) as client:
        (status,) = await client.add_course_class_student(1, 2, [3])
    assert (status.errno, status.error) == (145, text)


async def test_an_echoed_request_never_reaches_errors_or_reports() -> None:
    """A proxy page echoing the request has the secret and every safeKey removed."""
    secret = "echo-me-not-secret"
    async with Sandbox(secret=secret, faults=Faults(echo_after=1.0)) as sb:
        students = sb.add_students(3)
        course = sb.add_course(lessons=2)
        async with client_for(sb, max_attempts=2) as client:
            with pytest.raises(eeo.ProtocolError) as info:
                await client.add_course_class_student(
                    course.course_id, students[0], course.class_ids
                )
            report = await eeo.Batcher(client, max_attempts=2).enroll(
                course.course_id, students, course.class_ids
            )
    texts = [str(info.value), repr(info.value), report.to_json(), report.summary()]
    blob = "\n".join(texts)
    assert "safeKey" in blob
    assert secret not in blob
    assert not re.search(r"[0-9a-f]{32}", blob)
    assert report.unknown == report.total


async def test_secret_and_keys_are_cut_from_any_server_text() -> None:
    """Whatever part of an answer quotes the request, the secret and keys are redacted."""
    secret = "another-secret-42"

    def echo(request: MockRequest) -> bytes:
        key = request.form["safeKey"]
        return f"safeKey={key}&secret={secret}<html>".encode()

    async with eeo.Client(1, secret, transport=MockTransport(echo), max_attempts=1) as client:
        with pytest.raises(eeo.ProtocolError) as info:
            await client.add_course_class_student(1, 2, [3])
    assert "safeKey=[redacted]&secret=[redacted]" in str(info.value)


def test_a_second_event_loop_gets_a_clear_error() -> None:
    """A module-level client used from a second asyncio.run raises EventLoopError, not a crash."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = eeo.Client(1, "s", base_url=f"http://127.0.0.1:{port}", max_attempts=1)

    async def use() -> None:
        await client.add_course_class_student(1, 2, [3])

    with pytest.raises(eeo.ConnectError):
        asyncio.run(use())
    with pytest.raises(eeo.EventLoopError, match="another event loop"):
        asyncio.run(use())


async def test_with_options_shares_the_session_and_changes_only_its_settings() -> None:
    """with_options bounds one call's attempts and timeout; the base client is unchanged."""
    async with Sandbox(faults=Faults(latency=0.2)) as sb:
        (student,) = sb.add_students(1)
        course = sb.add_course(lessons=1)
        async with client_for(sb) as client:
            quick = client.with_options(timeout=0.05, max_attempts=1)
            assert quick.transport is client.transport
            with pytest.raises(eeo.RequestTimeoutError):
                await quick.add_course_class_student(course.course_id, student, course.class_ids)
            (status,) = await client.add_course_class_student(
                course.course_id, student, course.class_ids
            )
            assert status.ok
            assert (client.timeout, client.retry_policy.max_attempts) == (30.0, 5)
        assert quick.closed


@pytest.mark.parametrize("text", ["1" * 30, "9" * 5000])
async def test_long_digit_strings_are_input_and_protocol_errors(text: str) -> None:
    """A digit string of any length is an InputError in input and a ProtocolError in an answer."""
    answers = MockTransport(lambda r: '{"error_info":{"errno":' + text + ',"error":"x"}}')
    async with eeo.Client(1, "s", transport=answers, max_attempts=1) as client:
        with pytest.raises(eeo.InputError, match="positive integer ID"):
            await client.add_course_class_student(1, text, [3])
        with pytest.raises(eeo.ProtocolError):
            await client.add_course_class_student(1, 2, [3])


@pytest.mark.parametrize(("probe_first", "most_calls"), [(True, 3), (False, 8 * 3)])
async def test_an_unreachable_server_stops_the_job(probe_first: bool, most_calls: int) -> None:
    """Nothing listening: the job stops after one call's attempts and says why."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with eeo.testing.set_testing(True):
        async with eeo.Client(1, "s", base_url=url, max_attempts=3) as client:
            batcher = eeo.Batcher(client, concurrency=8, probe_first=probe_first)
            report = await batcher.enroll(1, range(1, 301), range(1, 101))
    assert report.calls <= most_calls
    assert report.stopped_by == "unreachable"
    assert report.stop_reason is not None
    assert url in report.stop_reason
    assert "cannot connect" in report.stop_reason
    assert report.failed + report.not_sent == report.total
    assert report.errno_counts[eeo.LocalErrno.NOT_SENT] >= report.total - 800
