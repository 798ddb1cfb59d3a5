"""Adaptive concurrency and the rate limit, on MockTransport and the limit itself."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async._client import engine
from eeo_async._limits import DECREASE, AdaptiveLimit, ConcurrencyRecord, busy_weight
from eeo_async.testing import MockRequest, MockResponse, MockTransport, set_testing

BASE = "https://api.example.test"
BUSY = {"error_info": {"errno": 114, "error": "busy"}}


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with set_testing(True):
        yield


def ok(request: MockRequest) -> dict[str, Any]:
    items = request.json_field("classJson")
    data = [{"errno": 1, "error": "ok"} for _ in items]
    return {"error_info": {"errno": 1, "error": "ok"}, "data": data}


class Server:
    """A MockTransport handler that answers ``busy(n)`` to the n-th call and counts."""

    def __init__(self, busy: Callable[[int, MockRequest], Any] = lambda n, r: None) -> None:
        self.busy = busy
        self.calls = 0
        self.busy_answers = 0
        self.in_flight = 0
        self.peak = 0
        self.times: list[float] = []
        self.client = eeo.Client(1, "fake-secret", base_url=BASE, transport=self.transport())

    def transport(self) -> MockTransport:
        return MockTransport(self.handle)

    async def handle(self, request: MockRequest) -> Any:
        self.times.append(asyncio.get_running_loop().time())
        self.calls += 1
        number = self.calls
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0)
            answer = self.busy(number, request)
            if answer is not None:
                self.busy_answers += 1
                return answer
            await asyncio.sleep(0)
            return ok(request)
        finally:
            self.in_flight -= 1


# --------------------------------------------------------------------- the limit alone


async def test_a_burst_of_busy_answers_lowers_the_limit_once_per_round_trip() -> None:
    """Busy answers from calls sent before the last decrease do not lower it again."""
    limit = AdaptiveLimit()
    limit.join(64)
    assert limit.allowed == 64
    tickets = [await limit.acquire() for _ in range(64)]
    for ticket in tickets:
        limit.release(ticket, 1.0)
    assert limit.limit == pytest.approx(64 * DECREASE)
    # A round trip of calls sent after the decrease, all refused, lowers it once more.
    tickets = [await limit.acquire() for _ in range(limit.allowed)]
    for ticket in tickets:
        limit.release(ticket, 1.0)
    assert limit.limit == pytest.approx(64 * DECREASE * DECREASE)


async def test_one_busy_answer_lowers_the_limit_once_and_by_its_share() -> None:
    """A refusal lowers the limit by DECREASE once per round trip; busy items by their share."""
    limit = AdaptiveLimit()
    limit.join(64)
    tickets = [await limit.acquire() for _ in range(64)]
    for ticket in tickets[12:]:
        limit.release(ticket, 1.0)  # one round trip of refusals: one decrease
    assert limit.limit == pytest.approx(64 * DECREASE)
    for ticket in tickets[:12]:
        limit.release(ticket, 0.0)
    shared = AdaptiveLimit()
    shared.join(64)
    shared.release(await shared.acquire(), 0.5)  # half the items of a call busy
    assert shared.limit == pytest.approx(64 * (1 - (1 - DECREASE) * 0.5))


async def test_a_few_busy_items_in_every_call_do_not_wear_the_limit_down() -> None:
    """Calls with 2% busy items, round after round, keep the limit near its ceiling."""
    limit = AdaptiveLimit()
    limit.join(16)
    for _ in range(500):
        tickets = [await limit.acquire() for _ in range(limit.allowed)]
        for ticket in tickets:
            limit.release(ticket, 0.02)
    assert limit.allowed >= 14


async def test_the_limit_recovers_and_stays_between_one_and_the_ceiling() -> None:
    """Busy answers take the limit down to 1 at the lowest; calls that go through bring it back."""
    limit = AdaptiveLimit()
    limit.join(16)
    for _ in range(40):
        limit.release(await limit.acquire(), 1.0)
        assert limit.limit >= 1.0
    assert limit.allowed == 1
    seen = []
    for _ in range(2000):  # one at a time, always using the whole limit of 1.. 16
        tickets = [await limit.acquire() for _ in range(limit.allowed)]
        for ticket in tickets:
            limit.release(ticket, 0.0)
        seen.append(limit.limit)
        if limit.limit == 16:
            break
    assert max(seen) == 16
    assert seen == sorted(seen)


async def test_item_busy_lowers_the_limit_by_its_share() -> None:
    """A call with a quarter of its items busy lowers the limit a quarter as much."""
    limit = AdaptiveLimit()
    limit.join(20)
    limit.release(await limit.acquire(), 0.25)
    assert limit.limit == pytest.approx(20 * (1 - (1 - DECREASE) * 0.25))


async def test_an_unused_limit_does_not_grow() -> None:
    """Calls that go through while the limit is not all in use leave it where it is."""
    limit = AdaptiveLimit()
    limit.join(10)
    limit.release(await limit.acquire(), 1.0)
    lowered = limit.limit
    for _ in range(50):
        limit.release(await limit.acquire(), 0.0)  # one in flight of 8 allowed
    assert limit.limit == lowered


async def test_a_waiter_holds_no_slot_and_cancelling_it_frees_nothing() -> None:
    """Over the limit a caller waits; cancelled, it leaves the count as it was."""
    limit = AdaptiveLimit()
    limit.join(1)
    ticket = await limit.acquire()
    waiter = asyncio.create_task(limit.acquire())
    await asyncio.sleep(0)
    assert not waiter.done()
    assert limit.in_flight == 1
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    limit.release(ticket, 0.0)
    assert limit.in_flight == 0
    second = asyncio.create_task(limit.acquire())
    await second
    assert limit.in_flight == 1


async def test_a_slot_granted_to_a_cancelled_waiter_is_passed_on() -> None:
    """A waiter cancelled just after it was given a slot hands the slot to the next one."""
    limit = AdaptiveLimit()
    limit.join(1)
    ticket = await limit.acquire()
    first = asyncio.create_task(limit.acquire())
    second = asyncio.create_task(limit.acquire())
    await asyncio.sleep(0)
    limit.release(ticket, 0.0)  # the slot goes to ``first`` ...
    first.cancel()  # ... which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await second
    assert limit.in_flight == 1


async def test_a_job_joining_a_lowered_limit_does_not_raise_it() -> None:
    """A second job joins the limit as the busy answers left it; its ceiling caps the sum."""
    limit = AdaptiveLimit()
    limit.join(10)
    limit.release(await limit.acquire(), 1.0)
    lowered = limit.limit
    limit.join(10)
    assert (limit.limit, limit.ceiling) == (lowered, 20)
    limit.leave(10)
    limit.leave(10)
    assert (limit.limit, limit.ceiling) == (0.0, 0)
    limit.join(4)  # the next job starts afresh at its ceiling
    assert limit.allowed == 4


def test_busy_answers_are_the_documented_ones() -> None:
    """114, 104, 460, 464 and HTTP 429/503 lower the rate; 102, 131 and HTTP 502 do not."""
    for errno in (114, 104, 460, 464):
        assert busy_weight(eeo.ApiError(errno, "x", "a")) == 1.0
    for errno in (102, 131, 145):
        assert busy_weight(eeo.ApiError(errno, "x", "a")) == 0.0
    assert busy_weight(eeo.HTTPStatusError("a", "x", 429, 1.0)) == 1.0
    assert busy_weight(eeo.HTTPStatusError("a", "x", 503)) == 1.0
    assert busy_weight(eeo.HTTPStatusError("a", "x", 502)) == 0.0
    assert busy_weight(eeo.ConnectError("a", "refused")) == 0.0


# ------------------------------------------------------------------------ in a Batcher


def burst(first: int, last: int) -> Callable[[int, MockRequest], Any]:
    return lambda n, request: BUSY if first <= n <= last else None


async def test_the_limit_falls_under_a_burst_and_recovers_after() -> None:
    """A burst of 114s lowers the concurrency; after it the job climbs back to its ceiling."""
    server = Server(burst(20, 60))
    seen: list[int] = []
    progress: list[tuple[int, int]] = []
    batcher: eeo.Batcher

    def on_progress(done: int, total: int) -> None:
        progress.append((done, total))
        seen.append(batcher.current_concurrency)

    batcher = eeo.Batcher(server.client, concurrency=16, chunk_size=1, on_progress=on_progress)
    report = await batcher.enroll(1, range(1, 801), [10])
    assert report.ok
    assert progress[-1] == (800, 800)
    assert report.busy_calls == server.busy_answers > 0
    assert report.calls == 800 + server.busy_answers
    record = report.concurrency
    assert record is not None
    assert record.adaptive
    assert (record.start, record.highest, record.final) == (16, 16, 16)
    assert 1 <= record.lowest < 16
    assert record.lowest <= record.mean < 16
    assert min(seen) == record.lowest
    assert seen[-1] == 16
    # Never more in flight than the ceiling, and the batcher is back at rest.
    assert server.peak <= 16
    assert batcher.current_concurrency == 16
    assert engine(server.client).concurrency.in_flight == 0
    assert "adaptive, on average; 16 first" in report.summary()


async def test_fixed_concurrency_stays_put() -> None:
    """``adaptive=False`` keeps every worker sending through the same burst."""
    server = Server(burst(20, 60))
    batcher = eeo.Batcher(server.client, concurrency=16, chunk_size=1, adaptive=False)
    report = await batcher.enroll(1, range(1, 401), [10])
    assert report.ok
    assert report.busy_calls == server.busy_answers == 41
    assert report.concurrency == ConcurrencyRecord(
        adaptive=False, start=16, lowest=16, highest=16, final=16, mean=16.0
    )
    assert server.peak == 16


async def test_item_level_busy_lowers_the_limit() -> None:
    """Calls whose items answer 114 count as busy and lower the limit by their share."""

    def some_items_busy(n: int, request: MockRequest) -> Any:
        if not 10 <= n <= 40:
            return None
        items = request.json_field("classJson")
        data = [{"errno": 114 if i % 2 else 1, "error": "x"} for i, _ in enumerate(items)]
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}

    server = Server(some_items_busy)
    batcher = eeo.Batcher(server.client, concurrency=8, chunk_size=2)  # 2 lessons a call
    report = await batcher.enroll(1, range(1, 201), [10, 11])
    assert report.ok
    assert report.busy_calls == server.busy_answers
    assert report.concurrency is not None
    assert report.concurrency.lowest < 8


async def test_two_jobs_on_one_client_back_off_together() -> None:
    """Busy answers to one job lower the other's concurrency too: they share the limit."""
    server = Server(lambda n, request: BUSY if request.form["courseId"] == "1" and n < 80 else None)
    first = eeo.Batcher(server.client, concurrency=12, chunk_size=1)
    second = eeo.Batcher(server.client, concurrency=12, chunk_size=1)
    a, b = await asyncio.gather(
        first.enroll(1, range(1, 301), [10]), second.enroll(2, range(1, 301), [10])
    )
    assert a.ok
    assert b.ok
    assert a.busy_calls > 0
    assert b.busy_calls == 0
    assert b.concurrency is not None
    assert b.concurrency.lowest < 12
    assert server.peak <= 24
    shared = engine(server.client).concurrency
    assert (shared.ceiling, shared.in_flight) == (0, 0)


async def test_with_options_copies_share_the_limits() -> None:
    """A ``with_options`` copy of a Client shares its adaptive limit and its rate limit."""
    client = eeo.Client(1, "s", base_url=BASE, transport=MockTransport(ok), max_per_second=5)
    copy = client.with_options(timeout=3)
    assert engine(copy).concurrency is engine(client).concurrency
    assert copy.max_per_second == client.max_per_second == 5.0


def test_settings_are_checked() -> None:
    """``adaptive`` must be a bool; ``max_per_second`` a positive finite number or None."""
    client = eeo.Client(1, "s", base_url=BASE, transport=MockTransport(ok))
    assert client.max_per_second is None
    with pytest.raises(eeo.InputTypeError):
        eeo.Batcher(client, adaptive="yes")  # type: ignore[arg-type]
    for bad in (0, -1, math.inf, math.nan):
        with pytest.raises(eeo.InputError, match="max_per_second"):
            eeo.Client(1, "s", base_url=BASE, max_per_second=bad)
    for wrong in ("5", True):
        with pytest.raises(eeo.InputTypeError, match="max_per_second"):
            eeo.Client(1, "s", base_url=BASE, max_per_second=wrong)  # type: ignore[arg-type]
    assert "adaptive=True" in repr(eeo.Batcher(client))


# ---------------------------------------------------------------------- the rate limit


def most_in_window(times: list[float], window: float) -> int:
    """The most requests that started within any ``window`` seconds."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times))


async def test_the_rate_limit_holds_over_every_call_and_job_of_a_client() -> None:
    """At 40 a second, single calls and two jobs together never start more than 44 in a second."""
    server = Server()
    client = eeo.Client(1, "s", base_url=BASE, transport=server.transport(), max_per_second=40)

    async def singles() -> None:
        for student in range(20):
            await client.add_course_class_student(1, 1000 + student, [10])

    jobs = [
        eeo.Batcher(client, concurrency=8, chunk_size=1).enroll(c, range(1, 21), [10])
        for c in (1, 2)
    ]
    await asyncio.gather(singles(), *jobs)
    assert server.calls == 60
    # One second's 40 plus the bucket of a tenth of a second (4); without the limit all
    # 60 would start at once.
    assert most_in_window(server.times, 1.0) <= 44


def test_the_rate_limit_works_on_a_second_event_loop() -> None:
    """A Client used on one loop and then another (as in per-test loops) limits on both."""
    server = Server()
    client = eeo.Client(1, "s", base_url=BASE, transport=server.transport(), max_per_second=1000)

    async def call() -> None:
        await client.add_course_class_student(1, 2, [10])

    asyncio.run(call())
    asyncio.run(call())  # warnings are errors: a limiter reused across loops would warn
    assert server.calls == 2


async def test_busy_answers_are_paced_by_the_limit_not_by_waits() -> None:
    """While the limit bounds the job, a 114's retry does not wait; a Retry-After still does."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    def answer(n: int, request: MockRequest) -> Any:
        if n == 5:
            return BUSY
        if n == 30:
            return MockResponse(status=429, body=b"slow down", headers={"Retry-After": "3"})
        return None

    server = Server(answer)
    client = eeo.Client(1, "s", base_url=BASE, transport=server.transport(), sleep=sleep)
    with set_testing(False):
        batcher = eeo.Batcher(
            client, concurrency=8, chunk_size=1, initial_backoff=1, max_backoff=10
        )
        report = await batcher.enroll(1, range(1, 101), [10])
    assert report.ok
    assert report.busy_calls == 2
    assert waits == [3.0]


async def test_the_probe_call_counts_like_any_other() -> None:
    """With ``probe_first`` the first call goes alone, and its busy answer is counted too."""
    server = Server(burst(1, 1))
    batcher = eeo.Batcher(server.client, concurrency=4, chunk_size=1, probe_first=True)
    report = await batcher.enroll(1, range(1, 11), [10])
    assert report.ok
    assert report.busy_calls == 1
    assert server.calls == 11
