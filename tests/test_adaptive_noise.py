"""Adaptive concurrency against busy answers that are noise, a capacity, and both.

The servers are fake (MockTransport handlers) and time is virtual: the event loop below
jumps to the next timer instead of waiting, so a job of seconds runs in a moment and
every run is the same. Wall times are the loop's virtual seconds.
"""

from __future__ import annotations

import asyncio
import random
import selectors
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

import eeo_async as eeo
from eeo_async._evidence import LOAD, MIN_EVIDENCE, NOISE, UNSURE
from eeo_async._limits import AdaptiveLimit
from eeo_async.testing import MockRequest, MockTransport

T = TypeVar("T")
#: As the demo's Batcher: quick backoffs, so a fixed job is not slowed by waiting.
RETRIES: dict[str, Any] = {"max_attempts": 8, "initial_backoff": 0.01, "max_backoff": 0.2}


class _Selector:
    """A selector that moves the loop's virtual clock instead of sleeping."""

    def __init__(self, inner: selectors.BaseSelector, loop: VirtualLoop) -> None:
        self.inner = inner
        self.loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        if timeout is not None and timeout > 0:
            self.loop.now += timeout
        return self.inner.select(0 if timeout is not None else 0.05)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop on virtual time: every wait ends at once, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self._selector = _Selector(self._selector, self)  # type: ignore[has-type]

    def time(self) -> float:
        return self.now


def virtually(make: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    """Run ``make()`` on virtual time; its result and the virtual seconds it took."""
    loop = VirtualLoop()
    try:
        result = loop.run_until_complete(make())
        return result, loop.now
    finally:
        loop.close()


class Server:
    """A fake school server: latency, a capacity, random busy calls and items, seeded."""

    def __init__(
        self,
        *,
        capacity: int | None = None,
        call_busy: float = 0.0,
        item_busy: float = 0.0,
        latency: float = 0.02,
        seed: int = 1,
    ) -> None:
        self.capacity = capacity
        self.call_busy = call_busy
        self.item_busy = item_busy
        self.latency = latency
        self.random = random.Random(seed)
        self.in_flight = 0
        self.peak = 0
        self.refused = 0

    async def __call__(self, request: MockRequest) -> Any:
        if self.capacity is not None and self.in_flight >= self.capacity:
            self.refused += 1
            await asyncio.sleep(0.001)  # refused at once
            return {"error_info": {"errno": 114, "error": "服务器异常"}}
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
            if self.random.random() < self.call_busy:
                return {"error_info": {"errno": 114, "error": "服务器异常"}}
            data = [
                {"errno": 114 if self.random.random() < self.item_busy else 1, "error": "x"}
                for _ in request.json_field("classJson")
            ]
            return {"error_info": {"errno": 1, "error": "ok"}, "data": data}
        finally:
            self.in_flight -= 1


def job(server: Server, concurrency: int, *, adaptive: bool, students: int = 400) -> Any:
    """Enrol ``students`` into 100 lessons (one call a student); the report and its time."""
    random.seed(7)  # the backoff jitter

    async def run() -> eeo.BatchReport[Any]:
        transport = MockTransport(server, record=False)
        async with eeo.Client(1, "fake-secret", transport=transport) as client:
            batcher = eeo.Batcher(client, concurrency=concurrency, adaptive=adaptive, **RETRIES)
            return await batcher.enroll(1, range(1000, 1000 + students), range(1, 101))

    return virtually(run)


def test_random_busy_answers_do_not_hold_the_limit_down() -> None:
    """The demo's noise (2% of calls and of items answer 114, whatever the load) costs nothing."""
    fixed, fixed_time = job(Server(call_busy=0.02, item_busy=0.02), 16, adaptive=False)
    adaptive, adaptive_time = job(Server(call_busy=0.02, item_busy=0.02), 16, adaptive=True)
    assert adaptive.ok
    assert fixed.ok
    assert adaptive_time <= 1.1 * fixed_time
    assert adaptive.concurrency is not None
    assert adaptive.concurrency.final == 16
    assert adaptive.concurrency.lowest >= 12


def test_random_whole_call_refusals_keep_a_high_ceiling() -> None:
    """5% of calls refused at random: a ceiling of 64 stays near 64, as fast as fixed 64."""
    fixed, fixed_time = job(Server(call_busy=0.05), 64, adaptive=False)
    adaptive, adaptive_time = job(Server(call_busy=0.05), 64, adaptive=True)
    assert fixed.ok
    assert adaptive.ok
    assert adaptive_time <= 1.1 * fixed_time
    assert adaptive.concurrency is not None
    assert adaptive.concurrency.final >= 60


def test_a_capacity_is_still_found() -> None:
    """A server taking 12 at once: adaptive 64 runs as fast as fixed 12, with few refusals."""
    best, best_time = job(Server(capacity=12), 12, adaptive=False)
    server = Server(capacity=12)
    adaptive, adaptive_time = job(server, 64, adaptive=True)
    assert best.ok
    assert adaptive.ok
    assert adaptive_time <= 1.1 * best_time
    assert adaptive.busy_calls <= 0.5 * adaptive.calls
    assert adaptive.concurrency is not None
    assert 10 <= adaptive.concurrency.final <= 14


def test_a_capacity_behind_random_busy_answers_is_found_too() -> None:
    """Capacity 12 and the demo's noise together: adaptive 64 is within 1.1x of fixed 12."""
    best, best_time = job(Server(capacity=12, call_busy=0.02, item_busy=0.02), 12, adaptive=False)
    adaptive, adaptive_time = job(
        Server(capacity=12, call_busy=0.02, item_busy=0.02), 64, adaptive=True
    )
    assert best.ok
    assert adaptive.ok
    assert adaptive_time <= 1.1 * best_time
    assert adaptive.concurrency is not None
    assert adaptive.concurrency.final <= 16


# -------------------------------------------------------------------- the verdicts alone


async def calls_at(
    limit: AdaptiveLimit, level: int, busy: list[float], *, lift: bool = True
) -> None:
    """Send ``len(busy)`` calls at ``level`` in flight, answered with these busy shares.

    With ``lift`` the limit is first put back to its ceiling, so that ``level`` calls
    may be in flight whatever the answers before did to it.
    """
    for share in busy:
        if lift:
            limit.limit = float(limit.ceiling)
        held = [await limit.acquire() for _ in range(level - 1)]
        ticket = await limit.acquire()
        limit.release(ticket, share)
        for other in held:
            limit.release(other, None)


async def test_a_busy_share_that_rises_with_the_load_is_load() -> None:
    """No busy answers at 1 to 10 in flight, three of eight busy at 12: the verdict is load."""
    limit = AdaptiveLimit()
    limit.join(64)
    for level in range(1, 11):
        await calls_at(limit, level, [0.0] * 4)
    await calls_at(limit, 12, [0.0] * 5 + [1.0] * 3)
    assert limit.verdict(12) == LOAD


async def test_a_busy_share_that_stays_put_is_noise() -> None:
    """One call in twenty busy at every level: the verdict is noise, the limit stays."""
    limit = AdaptiveLimit()
    limit.join(16)
    pattern = ([0.0] * 9 + [1.0] + [0.0] * 10) * 2
    for level in (4, 8, 12, 16):
        await calls_at(limit, level, pattern)
    assert limit.verdict(12) == NOISE
    assert limit.verdict(16) == NOISE
    limit.limit = 16.0
    await calls_at(limit, 16, [1.0], lift=False)  # one more refusal at 16, with that history
    assert limit.allowed == 16


async def test_without_evidence_a_decrease_is_tried_and_undone_on_noise() -> None:
    """A busy answer with nothing to compare lowers the limit; noise later restores it."""
    limit = AdaptiveLimit()
    limit.join(16)
    await calls_at(limit, 16, [1.0])
    assert limit.verdict(16) == UNSURE
    assert limit.allowed == 12
    for level in range(1, 12):
        await calls_at(limit, level, [0.0] * (MIN_EVIDENCE // 2), lift=False)
    assert limit.allowed == 12
    await calls_at(limit, 12, [0.0] * 10 + [0.1], lift=False)  # a few busy items
    assert limit.verdict(12) == NOISE
    assert limit.allowed == 16


async def test_most_calls_refused_is_load_whatever_lies_below() -> None:
    """Most calls near a level refused: load, even when lower levels refused too."""
    limit = AdaptiveLimit()
    limit.join(64)
    for level in range(1, 64, 4):
        await calls_at(limit, level, [1.0, 1.0, 0.0])
    await calls_at(limit, 60, [1.0] * 8)
    assert limit.verdict(60) == LOAD


@pytest.mark.parametrize("level", [1, 2, 5])
async def test_the_lowest_levels_have_nothing_below(level: int) -> None:
    """At the lowest levels there is nothing to compare with: unsure, never an error."""
    limit = AdaptiveLimit()
    limit.join(8)
    await calls_at(limit, level, [1.0])
    assert limit.verdict(level) in (UNSURE, LOAD)
    assert limit.allowed >= 1


async def test_growth_slows_near_the_last_refusal_for_load() -> None:
    """After a refusal for load the limit climbs back fast, then slowly near that level."""
    limit = AdaptiveLimit()
    limit.join(20)
    for level in range(1, 20):
        await calls_at(limit, level, [0.0] * 2)
    await calls_at(limit, 20, [0.0, 1.0])  # refused at 20: load (none below)
    assert limit.peak == 20.0
    assert limit.allowed == 16

    async def rounds_until(target: float) -> int:
        rounds = 0
        while limit.limit < target:
            rounds += 1
            await calls_at(limit, limit.allowed, [0.0] * limit.allowed, lift=False)
        return rounds

    far = await rounds_until(19.0)  # three units, far from the refusal
    near = await rounds_until(20.0)  # the last unit, next to it
    assert far <= 5
    assert near >= 3 * far
