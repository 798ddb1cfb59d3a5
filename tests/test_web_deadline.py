"""A whole call's deadline (``with_options(deadline=...)``) on MockTransport and a fake clock."""

from __future__ import annotations

import asyncio
import math
import pickle
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockTransport

BASE = "https://api.example.test"
OK = {"error_info": {"errno": 1, "error": "ok"}, "data": [{"errno": 1, "error": "ok"}]}
BUSY = {"error_info": {"errno": 114, "error": "服务器异常"}}


class FakeTime:
    """A clock that moves only when the client waits or a handler says time went by."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def client_for(time: FakeTime, handler: Any, **settings: Any) -> eeo.Client:
    """A client on ``handler`` whose waits and deadlines run on ``time``; backoff 0.5 s flat."""
    return eeo.Client(
        1,
        "fake-secret",
        base_url=BASE,
        transport=MockTransport(handler),
        clock=time.clock,
        sleep=time.sleep,
        initial_backoff=0.5,
        max_backoff=0.5,
        **settings,
    )


def times_out(time: FakeTime) -> Any:
    """A handler whose every attempt takes its whole timeout and gets no answer."""

    def handler(request: MockRequest) -> Any:
        time.now += request.timeout
        raise eeo.RequestTimeoutError(request.action, f"no answer in {request.timeout:g} s")

    return handler


async def test_without_a_deadline_the_timeout_bounds_each_attempt_only() -> None:
    """timeout=5, max_attempts=2 takes both timeouts and the wait: 10.5 s, as the issue saw."""
    time = FakeTime()
    client = client_for(time, times_out(time), timeout=5, max_attempts=2)
    with pytest.raises(eeo.RequestTimeoutError) as caught:
        await client.add_course_class_student(1, 2, [3])
    assert not isinstance(caught.value, eeo.DeadlineExceededError)
    assert time.now - 1_700_000_000 == pytest.approx(10.5)


async def test_the_last_attempt_gets_what_is_left_of_the_deadline() -> None:
    """With deadline=6 the second attempt's timeout is cut to 0.5 s: 6 s in all."""
    time = FakeTime()
    transport_handler = times_out(time)
    client = client_for(time, transport_handler, timeout=5, max_attempts=2)
    quick = client.with_options(deadline=6)
    with pytest.raises(eeo.DeadlineExceededError) as caught:
        await quick.add_course_class_student(1, 2, [3])
    timeouts = [r.timeout for r in client.transport.requests]  # type: ignore[attr-defined]
    assert timeouts == [5, pytest.approx(0.5)]
    assert time.now - 1_700_000_000 == pytest.approx(6)
    error = caught.value
    assert isinstance(error, eeo.RequestTimeoutError)
    assert isinstance(error.__cause__, eeo.RequestTimeoutError)
    assert error.attempts == 2
    assert error.may_have_acted
    assert "deadline of 6 s passed after 2 attempt(s)" in str(error)


async def test_a_wait_that_would_pass_the_deadline_is_not_waited() -> None:
    """When the backoff would end past the deadline, the error comes at once, unwaited."""
    time = FakeTime()
    client = client_for(time, times_out(time), timeout=5, max_attempts=3)
    with pytest.raises(eeo.DeadlineExceededError) as caught:
        await client.with_options(deadline=5.2).add_course_class_student(1, 2, [3])
    assert time.waits == []
    assert time.now - 1_700_000_000 == pytest.approx(5)
    assert len(client.transport.requests) == 1  # type: ignore[attr-defined]
    assert caught.value.attempts == 1


async def test_retries_until_the_deadline_keep_their_last_error() -> None:
    """Refused connections retried till the deadline end with the last one chained."""
    time = FakeTime()

    def refused(request: MockRequest) -> Any:
        time.now += 0.25
        raise eeo.ConnectError(request.action, "connection refused")

    client = client_for(time, refused, max_attempts=10).with_options(deadline=2)
    with pytest.raises(eeo.DeadlineExceededError) as caught:
        await client.add_course_class_student(1, 2, [3])
    error = caught.value
    assert isinstance(error.__cause__, eeo.ConnectError)
    assert error.attempts == 3  # 0 -> 0.25, 0.75 -> 1.0, 1.5 -> 1.75; a 4th wait ends at 2.25
    assert not error.may_have_acted  # no attempt reached the server
    assert "the server may have acted" not in str(error)
    assert time.now - 1_700_000_000 == pytest.approx(1.75)


async def test_busy_answers_may_have_acted() -> None:
    """114 may come after acting (the docs: see 104), so the deadline error says so."""
    time = FakeTime()

    def busy(request: MockRequest) -> Any:
        time.now += 0.25
        return BUSY

    client = client_for(time, busy, max_attempts=10).with_options(deadline=1)
    with pytest.raises(eeo.DeadlineExceededError) as caught:
        await client.add_course_class_student(1, 2, [3])
    assert isinstance(caught.value.__cause__, eeo.ServerBusyError)
    assert caught.value.may_have_acted


async def test_a_call_within_its_deadline_is_unchanged() -> None:
    """A call that is answered in time returns its result, retries and all."""
    time = FakeTime()
    answers = iter([BUSY, OK])

    def handler(request: MockRequest) -> Any:
        time.now += 1
        return next(answers)

    client = client_for(time, handler).with_options(deadline=10)
    (status,) = await client.add_course_class_student(1, 2, [3])
    assert status.ok
    assert time.now - 1_700_000_000 == pytest.approx(2.5)


async def test_a_stuck_attempt_is_cut_off_at_the_deadline() -> None:
    """An attempt that never ends (a hung server, a wait for a slot) ends at the deadline."""
    hang = asyncio.Event()

    async def handler(request: MockRequest) -> Any:
        await hang.wait()
        return OK

    async with eeo.Client(1, "fake-secret", base_url=BASE, transport=MockTransport(handler)) as c:
        with pytest.raises(eeo.DeadlineExceededError) as caught:
            await c.with_options(deadline=0.05).add_course_class_student(1, 2, [3])
    assert caught.value.may_have_acted
    assert "cut off in flight" in str(caught.value)


async def test_a_call_not_safe_to_repeat_says_to_check_first() -> None:
    """A deadline passing on group creation says the server may have acted: check first."""
    time = FakeTime()
    client = client_for(time, times_out(time), timeout=1).with_options(deadline=0.5)
    with pytest.raises(eeo.DeadlineExceededError, match="check before calling again") as caught:
        await client.add_course_group(1, "Teams", [[eeo.GroupMember(2, is_leader=True)]])
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own bytes
    assert str(copy) == str(caught.value)
    assert copy.may_have_acted
    assert copy.attempts == 1


def test_the_deadline_setting_is_checked_and_kept_by_copies() -> None:
    """deadline must be positive; copies keep it; math.inf removes it."""
    client = eeo.Client(1, "fake-secret", base_url=BASE)
    assert client.deadline is None
    bounded = client.with_options(deadline=3)
    assert bounded.deadline == 3
    assert bounded.with_options(timeout=1).deadline == 3
    assert bounded.with_options(deadline=math.inf).deadline is None
    assert client.deadline is None
    for bad in (0, -1, "5", True, math.nan):
        with pytest.raises(eeo.InputError, match="deadline"):
            client.with_options(deadline=bad)  # type: ignore[arg-type]
