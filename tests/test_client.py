"""The Client on aioresponses: the requests it sends, what it returns, what it retries."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import pickle
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aioresponses import aioresponses

import eeo_async as eeo

SAMPLES = Path(__file__).parent / "samples"
SECRET = "t0p-s3cret-value"
BASE = "https://api.example.test"
ADD = f"{BASE}/partner/api/course.api.php?action=addCourseClassStudent"
DEL = f"{BASE}/partner/api/course.api.php?action=delClassStudentMultiple"
GROUP = f"{BASE}/partner/api/course.api.php?action=addCourseGroup"


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self, start: int = 1_700_000_000) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1
        return float(self.now)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
async def client() -> AsyncIterator[eeo.Client]:
    async with eeo.Client(
        1234567,
        SECRET,
        base_url=BASE,
        clock=Clock(),
        max_attempts=3,
        initial_backoff=0,
        max_backoff=0,
    ) as c:
        yield c


def sent(m: aioresponses, url: str) -> list[dict[str, str]]:
    """The form fields of every request recorded for ``url``, in order."""
    from yarl import URL

    calls = m.requests.get(("POST", URL(url)), [])
    out = []
    for call in calls:
        body = call.kwargs["data"]
        out.append({k: v[0] for k, v in parse_qs(body.decode(), strict_parsing=True).items()})
    return out


def body(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def payload(errno: int, items: list[int] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"error_info": {"errno": errno, "error": f"e{errno}"}}
    if items is not None:
        doc["data"] = [{"errno": e, "error": f"e{e}"} for e in items]
    return doc


async def test_add_course_class_student_request_and_result(
    mocked: aioresponses, client: eeo.Client
) -> None:
    """One signed form POST with classJson; statuses aligned with class_ids."""
    mocked.post(ADD, body=body("add_item_errors.json"))
    statuses = await client.add_course_class_student(55, "1001001", [7, 8, 9])
    assert [s.errno for s in statuses] == [1, 166, 145]
    (fields,) = sent(mocked, ADD)
    stamp = fields["timeStamp"]
    assert fields == {
        "SID": "1234567",
        "safeKey": hashlib.md5(f"{SECRET}{stamp}".encode()).hexdigest(),
        "timeStamp": stamp,
        "courseId": "55",
        "studentUid": "1001001",
        "classJson": "[7,8,9]",
    }


async def test_del_class_student_multiple_request(mocked: aioresponses, client: eeo.Client) -> None:
    """Students go as a JSON array of strings with identity=1."""
    mocked.post(DEL, body=body("del_success.json"))
    statuses = await client.del_class_student_multiple(442447, 2447, [1001001, 1001002])
    assert [s.ok for s in statuses] == [True, True]
    (fields,) = sent(mocked, DEL)
    assert fields["studentUidJson"] == '["1001001","1001002"]'
    assert (fields["courseId"], fields["classId"], fields["identity"]) == ("442447", "2447", "1")


async def test_add_course_group_request_and_result(
    mocked: aioresponses, client: eeo.Client
) -> None:
    """The group plan goes as groupList JSON and the new id comes back."""
    mocked.post(GROUP, body=body("group_success.json"))
    created = await client.add_course_group(
        176465,
        "Teams",
        [[eeo.GroupMember(2, is_leader=True), eeo.GroupMember(5)]],
    )
    assert (created.group_id, created.partial, created.attempts) == (147667, False, 1)
    (fields,) = sent(mocked, GROUP)
    assert fields["groupList"] == '[[{"studentUid":2,"isLeader":1},{"studentUid":5,"isLeader":0}]]'
    assert fields["groupName"] == "Teams"


async def test_group_898_is_partial_not_an_error(mocked: aioresponses, client: eeo.Client) -> None:
    """Errno 898 returns the id with partial set instead of raising."""
    mocked.post(GROUP, body=body("group_partial_898.json"))
    created = await client.add_course_group(1, "g", [[eeo.GroupMember(2, is_leader=True)]])
    assert created.partial
    assert created.group_id == 147668


async def test_retry_on_114_resigns_with_new_timestamp(
    mocked: aioresponses, client: eeo.Client
) -> None:
    """Errno 114 is retried, and the retry carries a new timeStamp and its own key."""
    mocked.post(ADD, payload=payload(114))
    mocked.post(ADD, payload=payload(1, [1]))
    statuses = await client.add_course_class_student(1, 2, [3])
    assert statuses[0].ok
    first, second = sent(mocked, ADD)
    assert first["timeStamp"] != second["timeStamp"]
    assert first["safeKey"] != second["safeKey"]
    for fields in (first, second):
        expected = hashlib.md5(f"{SECRET}{fields['timeStamp']}".encode()).hexdigest()
        assert fields["safeKey"] == expected


async def test_no_retry_on_102(mocked: aioresponses, client: eeo.Client) -> None:
    """Bad credentials (102) are raised at once, after a single request."""
    mocked.post(ADD, body=body("error_102.json"), repeat=True)
    with pytest.raises(eeo.BadCredentialsError) as info:
        await client.add_course_class_student(1, 2, [3])
    assert info.value.errno == 102
    assert len(sent(mocked, ADD)) == 1


async def test_final_api_errors_are_not_retried(mocked: aioresponses, client: eeo.Client) -> None:
    """A course that does not exist (144) is raised as NotFoundError after one request."""
    mocked.post(DEL, payload=payload(144), repeat=True)
    with pytest.raises(eeo.NotFoundError, match="delClassStudentMultiple: errno 144"):
        await client.del_class_student_multiple(1, 2, [3])
    assert len(sent(mocked, DEL)) == 1


async def test_http_502_is_retried_then_raised(mocked: aioresponses, client: eeo.Client) -> None:
    """HTTP 502 is retried up to max_attempts and then raised with its status."""
    mocked.post(ADD, status=502, body=body("bad_gateway.html"), repeat=True)
    with pytest.raises(eeo.HTTPStatusError) as info:
        await client.add_course_class_student(1, 2, [3])
    assert info.value.status == 502
    assert info.value.action == "addCourseClassStudent"
    assert len(sent(mocked, ADD)) == 3


async def test_html_body_with_200_is_retried(mocked: aioresponses, client: eeo.Client) -> None:
    """A 200 answer with an HTML page is retried like any unparseable body."""
    mocked.post(ADD, body=body("bad_gateway.html"), content_type="text/html")
    mocked.post(ADD, payload=payload(1, [1]))
    assert (await client.add_course_class_student(1, 2, [3]))[0].ok
    assert len(sent(mocked, ADD)) == 2


async def test_protocol_error_after_all_attempts(mocked: aioresponses, client: eeo.Client) -> None:
    """When every answer is unparseable, a ProtocolError with the action is raised."""
    mocked.post(ADD, body="oops", repeat=True)
    with pytest.raises(eeo.ProtocolError, match="addCourseClassStudent: the answer is not JSON"):
        await client.add_course_class_student(1, 2, [3])


async def test_data_mismatch_is_final(mocked: aioresponses, client: eeo.Client) -> None:
    """A data list of the wrong length is never retried nor guessed into alignment."""
    mocked.post(ADD, payload=payload(1, [1]), repeat=True)
    with pytest.raises(eeo.DataMismatchError, match="2 entries"):
        await client.add_course_class_student(1, 2, [3, 4])
    assert len(sent(mocked, ADD)) == 1


async def test_429_honours_retry_after(mocked: aioresponses) -> None:
    """A 429's Retry-After sets the next wait (above the backoff, below its cap)."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    mocked.post(ADD, status=429, headers={"Retry-After": "7"})
    mocked.post(ADD, payload=payload(1, [1]))
    async with eeo.Client(
        1, SECRET, base_url=BASE, initial_backoff=0, max_backoff=30, sleep=sleep
    ) as client:
        assert (await client.add_course_class_student(1, 2, [3]))[0].ok
    assert waits == [7.0]


def test_retry_policy_delay() -> None:
    """Backoff doubles with jitter below one initial step, is capped, honours Retry-After."""
    from eeo_async._retry import RetryPolicy

    policy = RetryPolicy(initial_backoff=0.5, max_backoff=30.0)
    for attempts, low in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0)]:
        assert low <= policy.delay(attempts) <= low + 0.5
    assert policy.delay(30) == 30.0
    assert policy.delay(1, retry_after=12.0) == 12.0
    assert policy.delay(1, retry_after=100.0) == 30.0
    with pytest.raises(eeo.InputError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(eeo.InputError, match="between 1 and 1000"):
        RetryPolicy(max_attempts=100_000)
    with pytest.raises(eeo.InputError, match="initial_backoff"):
        RetryPolicy(initial_backoff=float("nan"))


async def test_group_not_retried_after_lost_answer(
    mocked: aioresponses, client: eeo.Client
) -> None:
    """Creating a group is not repeated when the server may have acted."""
    mocked.post(GROUP, exception=aiohttp.ServerDisconnectedError(), repeat=True)
    with pytest.raises(eeo.TransportError, match="closed the connection"):
        await client.add_course_group(1, "g", [[eeo.GroupMember(2, is_leader=True)]])
    assert len(sent(mocked, GROUP)) == 1


async def test_group_retried_when_the_request_never_left(
    mocked: aioresponses, client: eeo.Client
) -> None:
    """Creating a group is re-sent when the request could not even be written."""
    failure = aiohttp.ClientOSError(32, "Can not write request body for http://x")
    mocked.post(GROUP, exception=failure)
    mocked.post(GROUP, body=body("group_success.json"))
    created = await client.add_course_group(1, "g", [[eeo.GroupMember(2, is_leader=True)]])
    assert created.attempts == 2


async def test_lost_answer_retried_for_idempotent_actions(
    mocked: aioresponses, client: eeo.Client
) -> None:
    """Adding is retried after a dropped connection; the retry's 166 counts as ok."""
    mocked.post(ADD, exception=aiohttp.ServerDisconnectedError())
    mocked.post(ADD, payload=payload(1, [166]))
    (status,) = await client.add_course_class_student(1, 2, [3])
    assert status.ok
    assert status.already


async def test_connection_error_raised_after_attempts(
    mocked: aioresponses, client: eeo.Client
) -> None:
    """Connection failures are retried, then raised as TransportError with the action."""
    mocked.post(ADD, exception=aiohttp.ClientConnectionError("refused"), repeat=True)
    with pytest.raises(eeo.TransportError) as info:
        await client.add_course_class_student(1, 2, [3])
    assert info.value.action == "addCourseClassStudent"
    assert len(sent(mocked, ADD)) == 3


async def test_timeout_is_request_timeout_error(mocked: aioresponses, client: eeo.Client) -> None:
    """A timed-out attempt surfaces as RequestTimeoutError (a TransportError)."""
    mocked.post(ADD, exception=TimeoutError(), repeat=True)
    with pytest.raises(eeo.RequestTimeoutError):
        await client.add_course_class_student(1, 2, [3])


async def test_body_over_limit_is_refused(mocked: aioresponses) -> None:
    """An answer larger than max_body_bytes is refused rather than read."""
    async with eeo.Client(1, SECRET, base_url=BASE, max_body_bytes=10, max_attempts=1) as c:
        mocked.post(ADD, payload=payload(1, [1]))
        with pytest.raises(eeo.ResponseTooLargeError):
            await c.add_course_class_student(1, 2, [3])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.add_course_class_student(0, 2, [3]), "course_id"),
        (lambda c: c.add_course_class_student(1, True, [3]), "student_uid"),
        (lambda c: c.add_course_class_student(1, 2, []), "class_ids is empty"),
        (lambda c: c.add_course_class_student(1, 2, [3, "x"]), r"class_ids\[1\]"),
        (lambda c: c.add_course_class_student(1, 2, [3, 3.0]), r"class_ids\[1\]"),
        (lambda c: c.add_course_class_student(1, 2, list(range(1, 102))), "Batcher"),
        (lambda c: c.del_class_student_multiple(1, -1, [3]), "class_id"),
        (lambda c: c.del_class_student_multiple(1, 2, [3, 3]), "more than once"),
        (lambda c: c.del_class_student_multiple(1, 2, "123"), "must be a list"),
        (lambda c: c.add_course_group(1, "x" * 21, [[eeo.GroupMember(2, is_leader=True)]]), "21"),
        (lambda c: c.add_course_group(1, "", [[eeo.GroupMember(2, is_leader=True)]]), "empty"),
        (lambda c: c.add_course_group(1, "g", []), "groups is empty"),
        (lambda c: c.add_course_group(1, "g", [[eeo.GroupMember(2)]]), "one leader"),
    ],
)
async def test_bad_input_sends_nothing(
    mocked: aioresponses, client: eeo.Client, call: Any, message: str
) -> None:
    """Every validation error is raised before a single request is made."""
    with pytest.raises(eeo.InputError, match=message):
        await call(client)
    assert mocked.requests == {}


def test_bad_client_settings() -> None:
    """A bad sid, secret, base URL or timeout is refused when the Client is built."""
    with pytest.raises(eeo.InputError, match="sid"):
        eeo.Client(0, SECRET)
    with pytest.raises(eeo.InputTypeError, match="sid"):
        eeo.Client(1.5, SECRET)  # type: ignore[arg-type]
    with pytest.raises(eeo.InputError, match="secret"):
        eeo.Client(1, "")
    with pytest.raises(eeo.InputError, match="base_url"):
        eeo.Client(1, SECRET, base_url="ftp://x")
    with pytest.raises(eeo.InputError, match="timeout"):
        eeo.Client(1, SECRET, timeout=0)


def test_plain_http_to_remote_host_warns(caplog: pytest.LogCaptureFixture) -> None:
    """Plain http to a non-loopback host logs a warning; loopback does not."""
    with caplog.at_level(logging.WARNING, logger="eeo_async"):
        eeo.Client(1, SECRET, base_url="http://127.0.0.1:8080")
        assert not caplog.records
        eeo.Client(1, SECRET, base_url="http://api.eeo.cn")
    assert "unencrypted" in caplog.text


async def test_repr_and_errors_never_show_secret(
    mocked: aioresponses, client: eeo.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """The secret and safeKeys appear in no repr, exception or DEBUG log record."""
    mocked.post(ADD, payload=payload(114))
    mocked.post(ADD, body="<html>", repeat=True)
    with caplog.at_level(logging.DEBUG, logger="eeo_async"), pytest.raises(eeo.EEOError) as info:
        await client.add_course_class_student(1, 2, [3])
    keys = [f["safeKey"] for f in sent(mocked, ADD)]
    texts = [repr(client), str(info.value), repr(info.value), caplog.text]
    assert "sid=1234567" in texts[0]
    assert "attempt=1 errno=114 latency_ms=" in caplog.text
    assert "attempt=2 errno=ProtocolError" in caplog.text
    for text in texts:
        assert SECRET not in text
        for key in keys:
            assert key not in text


def test_exceptions_pickle() -> None:
    """Exceptions survive pickling with their fields (for multiprocessing users)."""
    for exc in (
        eeo.NotFoundError(144, "no course", "addCourseClassStudent"),
        eeo.HTTPStatusError("a", "HTTP 502", 502, 3.0),
        eeo.ProtocolError("a", "not JSON"),
    ):
        clone = pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own object
        assert type(clone) is type(exc)
        assert str(clone) == str(exc)
    assert pickle.loads(pickle.dumps(eeo.HTTPStatusError("a", "x", 429, 2.0))).retry_after == 2.0  # noqa: S301


async def test_borrowed_session_is_left_open(mocked: aioresponses) -> None:
    """A session passed in is used and not closed by the Client."""
    async with aiohttp.ClientSession() as session:
        async with eeo.Client(1, SECRET, base_url=BASE, session=session) as c:
            mocked.post(ADD, payload=payload(1, [1]))
            await c.add_course_class_student(1, 2, [3])
        assert not session.closed


async def test_close_twice_and_use_after_close() -> None:
    """Closing twice is harmless; a call after close is a ClientClosedError."""
    c = eeo.Client(1, SECRET, base_url=BASE)
    await c.close()
    await c.close()
    assert c.closed
    with pytest.raises(eeo.ClientClosedError, match="closed"):
        await c.add_course_class_student(1, 2, [3])


async def test_identical_requests_never_overlap(mocked: aioresponses, client: eeo.Client) -> None:
    """Two identical calls at once (safe to repeat) share one request, never send two."""
    in_flight = 0
    peak = 0
    release = asyncio.Event()

    async def answer(url: Any, **kwargs: Any) -> Any:
        from aioresponses import CallbackResult

        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await release.wait()
        in_flight -= 1
        return CallbackResult(payload=payload(1, [1]))

    mocked.post(ADD, callback=answer, repeat=True)
    first = asyncio.create_task(client.add_course_class_student(1, 2, [3]))
    second = asyncio.create_task(client.add_course_class_student(1, 2, [3]))
    other = asyncio.create_task(client.add_course_class_student(1, 2, [4]))
    for _ in range(1000):  # let the loop run until both distinct calls are in flight
        if in_flight == 2:
            break
        await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(first, second, other)
    assert peak == 2  # [3] and [4] together, never the two [3] calls
    assert len(sent(mocked, ADD)) == 2  # the two [3] calls shared one request
    assert results[0] == results[1]


async def test_cancellation_is_not_retried(mocked: aioresponses, client: eeo.Client) -> None:
    """Cancelling a call propagates CancelledError at once, with no further attempt."""
    started = asyncio.Event()

    async def hang(url: Any, **kwargs: Any) -> Any:
        started.set()
        await asyncio.Event().wait()

    mocked.post(ADD, callback=hang, repeat=True)
    task = asyncio.create_task(client.add_course_class_student(1, 2, [3]))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(sent(mocked, ADD)) == 1


async def test_connection_refused_is_connect_error_and_retried_even_for_groups(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing listening: ConnectError (the server cannot have acted), so groups retry too."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with eeo.Client(
        1,
        SECRET,
        base_url=f"http://127.0.0.1:{port}",
        max_attempts=3,
        initial_backoff=0,
        max_backoff=0,
    ) as c:
        with (
            caplog.at_level(logging.DEBUG, logger="eeo_async"),
            pytest.raises(eeo.ConnectError, match="cannot connect") as info,
        ):
            await c.add_course_group(1, "g", [[eeo.GroupMember(2, is_leader=True)]])
    assert not info.value.may_have_acted
    tries = [r for r in caplog.records if r.getMessage().startswith("action=addCourseGroup")]
    assert len(tries) == 3


@pytest.mark.parametrize(
    ("raised", "expected", "retryable"),
    [
        (aiohttp.ConnectionTimeoutError(), eeo.ConnectError, True),
        (aiohttp.ServerTimeoutError(), eeo.RequestTimeoutError, True),
        (aiohttp.ClientPayloadError("cut"), eeo.TransportError, True),
        (aiohttp.ClientOSError(104, "reset"), eeo.TransportError, True),
    ],
)
def test_translate_transport_errors(raised: BaseException, expected: type, retryable: bool) -> None:
    """aiohttp's exceptions become this SDK's, keeping the action and never the request."""
    from eeo_async._transport import translate

    error = translate(raised, "addCourseClassStudent")
    assert type(error) is expected
    assert error.retryable is retryable
    assert str(error).startswith("addCourseClassStudent: ")


def test_retry_after_forms() -> None:
    """Retry-After is read as seconds or as an HTTP date; nonsense is ignored."""
    import email.utils
    import time as clock

    from eeo_async._settings import retry_after as _retry_after

    assert _retry_after("7") == 7.0
    assert _retry_after("-3") == 0.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    later = email.utils.formatdate(clock.time() + 60, usegmt=True)
    assert 50 < (_retry_after(later) or 0) <= 60


@pytest.mark.parametrize(("errno", "sent"), [(104, 1), (114, 1), (131, 3)])
async def test_group_creation_after_104_is_raised_with_a_note(errno: int, sent: int) -> None:
    """104 and 114 may follow the creation: raised at once with a note; 131 is retried."""
    from eeo_async.testing import MockTransport, set_testing

    answers = MockTransport(lambda r: {"error_info": {"errno": errno, "error": "x"}})
    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=answers, max_attempts=3) as client:
            with pytest.raises(eeo.ServerBusyError) as info:
                await client.add_course_group(1, "g", [[eeo.GroupMember(2, is_leader=True)]])
    assert len(answers.requests) == sent
    assert ("check before calling again" in str(info.value)) == (errno in (104, 114))


async def test_adding_after_104_is_retried() -> None:
    """104 ("re-sending is recommended") is retried for adding, which is safe to repeat."""
    from eeo_async.testing import MockTransport, set_testing

    answers = iter([{"error_info": {"errno": 104, "error": "x"}}, payload(1, [1])])
    transport = MockTransport(lambda r: next(answers))
    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=transport) as client:
            (status,) = await client.add_course_class_student(1, 2, [3])
    assert status.ok
    assert len(transport.requests) == 2
