"""Identical calls in flight: shared where safe to repeat, one at a time for registration."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockTransport, set_testing

BASE = "https://api.example.test"
ERRNO_144 = {"error_info": {"errno": 144, "error": "机构下无此课程"}}


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with set_testing(True):
        yield


class Gate:
    """A handler that holds every request until released, counting them and their ends."""

    def __init__(self, answer: Any = None) -> None:
        self.answer = answer
        self.open = asyncio.Event()
        self.started = 0
        self.finished = 0
        self.cancelled = 0
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, request: MockRequest) -> Any:
        self.started += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await self.open.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
        self.finished += 1
        if self.answer is not None:
            return self.answer
        items = request.json_field(_items_field(request))
        data = [{"errno": 1, "error": "ok", "uid": n + 10} for n, _ in enumerate(items)]
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}

    async def until_started(self, count: int) -> None:
        for _ in range(1000):
            if self.started >= count:
                return
            await asyncio.sleep(0)
        raise AssertionError(f"{self.started} requests started, {count} expected")


def _items_field(request: MockRequest) -> str:
    return "userJson" if request.action == "registerMultiple" else "classJson"


def client_on(gate: Gate) -> eeo.Client:
    return eeo.Client(1, "fake-secret", base_url=BASE, transport=MockTransport(gate))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_three_identical_calls_share_one_request() -> None:
    """Three identical calls in flight send one request and each gets the same answer."""
    gate = Gate()
    client = client_on(gate)
    calls = [asyncio.create_task(client.add_course_class_student(1, 2, [3, 4])) for _ in range(3)]
    await gate.until_started(1)
    await settle()
    gate.open.set()
    results = await asyncio.gather(*calls)
    assert gate.started == 1
    assert results[0] == results[1] == results[2]
    assert results[0] is not results[1]  # each caller has its own list
    assert [s.ok for s in results[0]] == [True, True]


async def test_different_calls_are_not_shared() -> None:
    """Calls that differ in any value are separate requests, in flight together."""
    gate = Gate()
    client = client_on(gate)
    calls = [
        asyncio.create_task(client.add_course_class_student(1, 2, [3])),
        asyncio.create_task(client.add_course_class_student(1, 2, [4])),
        asyncio.create_task(client.add_course_class_student(1, 5, [3])),
    ]
    await gate.until_started(3)
    gate.open.set()
    await asyncio.gather(*calls)
    assert gate.peak == 3


async def test_a_shared_error_reaches_every_caller() -> None:
    """An error answer of the shared request is raised to each identical caller."""
    gate = Gate(answer=ERRNO_144)
    client = client_on(gate)
    calls = [asyncio.create_task(client.add_course_class_student(1, 2, [3])) for _ in range(2)]
    await gate.until_started(1)
    await settle()
    gate.open.set()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert gate.started == 1
    assert all(isinstance(r, eeo.NotFoundError) and r.errno == 144 for r in results)


async def test_one_caller_cancelled_leaves_the_others_their_answer() -> None:
    """Cancelling a caller that joined neither cancels the request nor the others."""
    gate = Gate()
    client = client_on(gate)
    first, second, third = (
        asyncio.create_task(client.add_course_class_student(1, 2, [3])) for _ in range(3)
    )
    await gate.until_started(1)
    await settle()
    second.cancel()
    await settle()
    gate.open.set()
    assert (await first)[0].ok
    assert (await third)[0].ok
    assert second.cancelled()
    assert (gate.started, gate.finished, gate.cancelled) == (1, 1, 0)


async def test_the_owner_cancelled_leaves_the_others_their_answer() -> None:
    """The caller that sent the shared request may go: a joiner then sends its own."""
    gate = Gate()
    client = client_on(gate)
    owner = asyncio.create_task(client.add_course_class_student(1, 2, [3]))
    await gate.until_started(1)
    joiner = asyncio.create_task(client.add_course_class_student(1, 2, [3]))
    await settle()
    owner.cancel()
    await settle()
    gate.open.set()
    assert (await joiner)[0].ok
    assert owner.cancelled()
    # The sender's request went with it (no task is kept for it); the joiner sent anew.
    assert (gate.started, gate.cancelled) == (2, 1)


async def test_when_every_caller_is_cancelled_the_request_is_too() -> None:
    """With no caller left the shared request is cancelled, and no task is left behind."""
    gate = Gate()
    client = client_on(gate)
    before = asyncio.all_tasks()
    calls = [asyncio.create_task(client.add_course_class_student(1, 2, [3])) for _ in range(2)]
    await gate.until_started(1)
    await settle()
    for call in calls:
        call.cancel()
    await asyncio.gather(*calls, return_exceptions=True)
    await settle()
    assert gate.cancelled == 1
    assert asyncio.all_tasks() == before
    # The next identical call sends afresh.
    gate.open.set()
    (status,) = await client.add_course_class_student(1, 2, [3])
    assert status.ok
    assert gate.started == 2


async def test_a_finished_request_is_not_an_answer_for_later_calls() -> None:
    """An identical call after the shared request ended sends its own request."""
    gate = Gate()
    gate.open.set()
    client = client_on(gate)
    await client.add_course_class_student(1, 2, [3])
    await client.add_course_class_student(1, 2, [3])
    assert gate.started == 2


async def test_registration_keeps_one_identical_call_at_a_time() -> None:
    """Identical registerMultiple calls are each sent, one after the other (131 otherwise)."""
    gate = Gate()
    client = client_on(gate)
    digest = hashlib.md5(b"pass-word", usedforsecurity=False).hexdigest()
    users = [eeo.NewUser(telephone="15800000001", md5_password=digest)]
    calls = [asyncio.create_task(client.register_multiple(users)) for _ in range(2)]
    await gate.until_started(1)
    await settle()
    assert gate.started == 1  # the second waits, it does not share
    gate.open.set()
    await asyncio.gather(*calls)
    assert gate.started == 2
    assert gate.peak == 1


async def test_single_registration_keeps_one_identical_call_at_a_time() -> None:
    """Identical register calls are each sent, one after the other, never shared."""
    gate = Gate()
    gate.answer = {"error_info": {"errno": 1, "error": "ok"}, "data": 1000001}
    client = client_on(gate)
    digest = hashlib.md5(b"pass-word", usedforsecurity=False).hexdigest()
    calls = [
        asyncio.create_task(client.register(telephone="15800000001", md5pass=digest))
        for _ in range(2)
    ]
    await gate.until_started(1)
    await settle()
    assert gate.started == 1
    gate.open.set()
    await asyncio.gather(*calls)
    assert (gate.started, gate.peak) == (2, 1)


async def test_a_call_not_safe_to_repeat_is_never_shared() -> None:
    """Identical group creations are sent one after the other, each with its own answer."""
    answer = {"error_info": {"errno": 1, "error": "ok"}, "data": 77}
    gate = Gate(answer=answer)
    client = client_on(gate)
    groups = [[eeo.GroupMember(2, is_leader=True)]]
    calls = [asyncio.create_task(client.add_course_group(1, "Teams", groups)) for _ in range(2)]
    await gate.until_started(1)
    await settle()
    assert gate.started == 1
    gate.open.set()
    await asyncio.gather(*calls)
    assert gate.started == 2
    assert gate.peak == 1


async def test_envelopes_of_a_shared_call_have_their_own_data() -> None:
    """call(..., safe_to_repeat=True) shares the request; each envelope's data is its own."""
    gate = Gate(answer={"error_info": {"errno": 1, "error": "ok"}, "data": {"list": [1]}})
    client = client_on(gate)
    calls = [
        asyncio.create_task(client.call("getCourseList", {"courseId": 1}, safe_to_repeat=True))
        for _ in range(2)
    ]
    await gate.until_started(1)
    await settle()
    gate.open.set()
    first, second = await asyncio.gather(*calls)
    assert gate.started == 1
    first.data["list"].append(2)
    assert second.data == {"list": [1]}


async def test_a_joiner_past_its_deadline_leaves_the_request_to_the_others() -> None:
    """A caller whose deadline passes stops waiting; the shared request goes on for the rest."""
    gate = Gate()
    client = client_on(gate)
    patient = asyncio.create_task(client.add_course_class_student(1, 2, [3]))
    await gate.until_started(1)
    with pytest.raises(eeo.DeadlineExceededError):
        await client.with_options(deadline=0.02).add_course_class_student(1, 2, [3])
    gate.open.set()
    assert (await patient)[0].ok
    assert (gate.started, gate.cancelled) == (1, 0)
