"""The Batcher: planning, merging, retries, concurrency, cancellation and progress."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eeo_async as eeo
from eeo_async._models import ItemStatus
from eeo_async.testing import MockRequest, MockTransport

BASE = "https://api.example.test"
ADD = re.compile(
    r"^https://api\.example\.test/partner/api/course\.api\.php\?action=addCourseClassStudent$"
)
DEL = re.compile(
    r"^https://api\.example\.test/partner/api/course\.api\.php\?action=delClassStudentMultiple$"
)


class FakeClient:
    """A Client on a MockTransport whose calls ``answer`` answers and which records them."""

    def __init__(self, answer: Any = None, sleep: Any = None) -> None:
        self.answer = answer or (lambda target, items, attempt: [ItemStatus(1, "ok")] * len(items))
        self.sent: list[tuple[str, int, tuple[int, ...]]] = []
        self.in_flight = 0
        self.peak = 0
        self.gate: asyncio.Event | None = None
        self.attempts: dict[tuple[int, int], int] = {}
        extra = {"sleep": sleep} if sleep is not None else {}
        self.client = eeo.Client(
            1, "fake-secret", base_url=BASE, transport=MockTransport(self.handle), **extra
        )

    async def handle(self, request: MockRequest) -> Any:
        if request.action == "addClassStudentMultiple":
            return await self.by_lesson(request)
        if request.action == "addCourseClassStudent":
            target, items = int(request.form["studentUid"]), request.json_field("classJson")
        else:
            target = int(request.form["classId"])
            items = [int(u) for u in request.json_field("studentUidJson")]
        sent = (request.action, target, tuple(items))
        self.sent.append(sent)
        for item in items:  # the attempt of a call is its items' highest, as the job counts
            self.attempts[target, item] = self.attempts.get((target, item), 0) + 1
        attempt = max(self.attempts[target, item] for item in items)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0)
            if self.gate is not None:
                await self.gate.wait()
            result = self.answer(target, items, attempt)
            if isinstance(result, BaseException):
                raise result
            data = [{"errno": s.errno, "error": s.error} for s in result]
            return {"error_info": {"errno": 1, "error": "ok"}, "data": data}
        finally:
            self.in_flight -= 1

    async def by_lesson(self, request: MockRequest) -> Any:
        """An enrolment sent lesson by lesson, answered pair by pair as by student."""
        lesson = int(request.form["classId"])
        students = [int(entry["uid"]) for entry in request.json_field("studentJson")]
        self.sent.append((request.action, lesson, tuple(students)))
        data = []
        for student in students:
            self.attempts[student, lesson] = self.attempts.get((student, lesson), 0) + 1
        attempt = max(self.attempts[s, lesson] for s in students)
        await asyncio.sleep(0)
        for student in students:
            result = self.answer(student, [lesson], attempt)
            if isinstance(result, BaseException):
                raise result
            data.extend({"errno": s.errno, "error": s.error} for s in result)
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}


def batcher_for(fake: FakeClient | eeo.Client, **kwargs: Any) -> eeo.Batcher:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Batcher(fake.client if isinstance(fake, FakeClient) else fake, **kwargs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    students=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=8),
    lessons=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=250),
    chunk_size=st.integers(min_value=1, max_value=100),
)
def test_enroll_property_every_key_once(
    students: list[int], lessons: list[int], chunk_size: int
) -> None:
    """Every input pair appears once, no chunk is too big, and data maps to the right key."""

    def answer(target: int, items: list[int], attempt: int) -> list[ItemStatus]:
        # Item-level 114 on the first attempt for some items, then a per-key errno (157,
        # a full lesson: a failure about one pair, never one that stops the whole job).
        return [
            ItemStatus(114, "busy")
            if attempt == 1 and (target + c) % 7 == 0
            else ItemStatus(1 if (target * c) % 5 else 157, f"{target}-{c}")
            for c in items
        ]

    async def run() -> tuple[eeo.BatchReport, FakeClient]:
        client = FakeClient(answer)
        report = await batcher_for(client, chunk_size=chunk_size, concurrency=3).enroll(
            9, students, lessons
        )
        return report, client

    report, client = asyncio.run(run())
    expected = list(
        dict.fromkeys((s, c) for s in dict.fromkeys(students) for c in dict.fromkeys(lessons))
    )
    assert list(report.items) == expected
    assert report.total == len(expected)
    # Dropped input IDs, not pairs.
    assert report.duplicates == len(students) - len(set(students)) + len(lessons) - len(
        set(lessons)
    )
    assert all(len(items) <= chunk_size for _, _, items in client.sent)
    for (student, lesson), item in report.items.items():
        assert item.error == f"{student}-{lesson}"
        assert item.errno == (1 if (student * lesson) % 5 else 157)
        assert item.attempts == (2 if (student + lesson) % 7 == 0 else 1)
    # By lesson (chosen when it needs fewer calls) the target is the lesson.
    sent_pairs = [
        (t, c) if action == "addCourseClassStudent" else (c, t)
        for action, t, items in client.sent
        for c in items
    ]
    first_try = [p for p in expected if sum(p) % 7]
    assert sorted(sent_pairs) == sorted(expected + [p for p in expected if sum(p) % 7 == 0])
    assert len(first_try) + 2 * (len(expected) - len(first_try)) == len(sent_pairs)


async def test_item_114_pooled_into_new_chunks() -> None:
    """Items answered 114 are re-sent alone, pooled per student, in chunks of the limit."""
    lessons = list(range(1, 251))

    def answer(target: int, items: list[int], attempt: int) -> list[ItemStatus]:
        return [ItemStatus(114 if attempt == 1 and c % 2 else 1, "") for c in items]

    client = FakeClient(answer)
    report = await batcher_for(client, concurrency=1).add_student_to_lessons(1, 77, lessons)
    assert report.ok
    assert report.succeeded == 250
    first, retried = client.sent[:3], client.sent[3:]
    assert [len(items) for _, _, items in first] == [100, 100, 50]
    assert sorted(c for _, _, items in retried for c in items) == [c for c in lessons if c % 2]
    assert [len(items) for _, _, items in retried] == [100, 25]
    assert report.calls == 5
    assert report.retries == 2
    assert report.items[1].attempts == 2
    assert report.items[2].attempts == 1


async def test_concurrency_bound_is_reached_and_never_exceeded() -> None:
    """No more than ``concurrency`` calls are in flight, and the bound is used."""
    client = FakeClient()
    client.gate = asyncio.Event()
    batcher = batcher_for(client, concurrency=4, chunk_size=10)
    job = asyncio.create_task(batcher.enroll(1, range(1, 21), range(1, 101)))
    for _ in range(1000):
        if client.in_flight == 4:
            break
        await asyncio.sleep(0)
    assert client.in_flight == 4
    client.gate.set()
    report = await job
    assert client.peak == 4
    assert report.calls == 200


async def test_waiting_retries_do_not_hold_slots() -> None:
    """While one chunk waits out its backoff, the other chunks keep being sent."""
    release = asyncio.Event()
    slept: list[float] = []

    def answer(target: int, items: list[int], attempt: int) -> Any:
        if target == 1 and attempt == 1:
            return eeo.ServerBusyError(114, "busy", "addCourseClassStudent")
        return [ItemStatus(1, "")] * len(items)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await release.wait()

    client = FakeClient(answer, sleep=sleep)
    # chunk_size=1: by student and by lesson tie, and a tie goes by student.
    batcher = eeo.Batcher(
        client.client, concurrency=1, initial_backoff=5, max_backoff=5, chunk_size=1
    )
    job = asyncio.create_task(batcher.enroll(1, [1, 2, 3, 4], [10]))
    for _ in range(1000):
        if len(client.sent) == 4:
            break
        await asyncio.sleep(0)
    # With one slot, students 2-4 went out while student 1 waited.
    assert [t for _, t, _ in client.sent] == [1, 2, 3, 4]
    assert slept == [5]
    release.set()
    report = await job
    assert report.ok
    assert report.items[(1, 10)].attempts == 2


async def test_cancellation_leaves_no_task_and_keeps_finished_items() -> None:
    """Cancelling a job cancels its calls, leaves no task, and marks the live report true.

    The calls cut off in flight may have been applied: their items are unknown; the
    others were never sent.
    """
    finished: list[Any] = []
    reports: list[eeo.BatchReport[Any]] = []
    client = FakeClient()
    client.gate = asyncio.Event()
    before = asyncio.all_tasks()
    job = asyncio.create_task(
        batcher_for(client, concurrency=3, chunk_size=1).enroll(
            1, range(1, 10), [5], on_items=finished.extend, on_start=reports.append
        )
    )
    for _ in range(1000):
        if client.in_flight == 3:
            break
        await asyncio.sleep(0)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert asyncio.all_tasks() == before
    assert client.in_flight == 0
    (report,) = reports
    assert (report.unknown, report.failed, report.not_sent) == (3, 0, 6)
    assert report.stopped_by == "interrupted"
    assert report.items[(1, 5)].errno == eeo.LocalErrno.TRANSPORT_FAILED
    assert report.items[(9, 5)].errno == eeo.LocalErrno.NOT_SENT
    assert not any(result.ok for _, result in finished)
    assert len(finished) == 9


async def test_progress_and_on_items_add_up() -> None:
    """Progress reaches the total, on_items sees each item once, skipped ones included."""
    seen: list[tuple[int, int]] = []
    items: list[Any] = []
    client = FakeClient()
    skip = {(2, 5): eeo.ItemResult(1, "from the journal", 1)}
    batcher = batcher_for(client, on_progress=lambda done, total: seen.append((done, total)))
    report = await batcher.enroll(1, [1, 2, 3], [5, 6], skip=skip, on_items=items.extend)
    assert seen[-1] == (6, 6)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert sorted(key for key, _ in items) == [(1, 5), (1, 6), (2, 6), (3, 5), (3, 6)]
    assert report.items[(2, 5)].error == "from the journal"
    assert (2, 5) not in [(t, c) for _, t, cs in client.sent for c in cs]


async def test_bad_credentials_stop_the_job() -> None:
    """On 102 the job sends nothing more; items never answered 102 are not sent."""

    def answer(target: int, items: list[int], attempt: int) -> Any:
        return eeo.BadCredentialsError(102, "No permission", "addCourseClassStudent")

    client = FakeClient(answer)
    report = await batcher_for(client, concurrency=1, chunk_size=1).enroll(1, range(1, 51), [7])
    assert len(client.sent) == 1
    assert report.errno_counts == {102: 1, eeo.LocalErrno.NOT_SENT: 49}
    assert "102" in report.items[(50, 7)].error
    assert report.stopped_by == "credentials"
    assert not report.ok


async def test_deadline_marks_unsent_items() -> None:
    """When the deadline passes, calls in flight are unknown and the rest not sent."""
    client = FakeClient()
    client.gate = asyncio.Event()  # never set: every call hangs
    report = await batcher_for(client, deadline=0.05, concurrency=1, chunk_size=1).enroll(
        1, [1, 2], [3]
    )
    assert report.items[(1, 3)].outcome == "unknown"
    assert report.items[(2, 3)].errno == eeo.LocalErrno.NOT_SENT
    assert "deadline" in report.items[(1, 3)].error
    assert report.stopped_by == "deadline"


async def test_final_call_errors_mark_the_chunk_and_others_go_on() -> None:
    """A final call error marks its chunk; later chunks are still sent."""

    def answer(target: int, items: list[int], attempt: int) -> Any:
        if target == 2:
            return eeo.NotFoundError(228, "There is no such student", "addCourseClassStudent")
        return [ItemStatus(1, "")] * len(items)

    client = FakeClient(answer)
    report = await batcher_for(client, chunk_size=1).enroll(1, [1, 2, 3], [4, 5])
    assert [report.items[(s, 4)].errno for s in (1, 2, 3)] == [1, 228, 1]
    assert report.failed_keys == [(2, 4), (2, 5)]


async def test_transport_failures_exhaust_attempts() -> None:
    """A call that keeps failing in transport ends as TRANSPORT_FAILED after max_attempts."""

    def answer(target: int, items: list[int], attempt: int) -> Any:
        return eeo.TransportError("addCourseClassStudent", "connection reset")

    client = FakeClient(answer)
    report = await batcher_for(client, max_attempts=3).add_student_to_lessons(1, 2, [3, 4])
    assert len(client.sent) == 3
    assert report.errno_counts == {eeo.LocalErrno.TRANSPORT_FAILED: 2}
    assert report.items[3].attempts == 3
    assert report.retries == 2


async def test_data_mismatch_is_bad_answer_not_guessed() -> None:
    """A misaligned answer marks the chunk BAD_ANSWER at once."""

    def answer(target: int, items: list[int], attempt: int) -> Any:
        return eeo.DataMismatchError("addCourseClassStudent", "data should hold 2 entries")

    client = FakeClient(answer)
    report = await batcher_for(client).add_student_to_lessons(1, 2, [3, 4])
    assert len(client.sent) == 1
    assert report.errno_counts == {eeo.LocalErrno.BAD_ANSWER: 2}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.enroll(1, [1, "x"], [2]), r"student_uids\[1\]"),
        (lambda b: b.enroll(1, [1], []), "class_ids is empty"),
        (lambda b: b.add_student_to_lessons(1, True, [2]), "student_uid"),
        (lambda b: b.remove_students_from_lesson(0, 1, [2]), "course_id"),
        (lambda b: b.enroll_pairs(1, [(1, 2), (3,)]), r"pairs\[1\]"),
    ],
)
async def test_bad_input_sends_nothing(call: Any, message: str) -> None:
    """Every item is validated before the first call is made."""
    client = FakeClient()
    with pytest.raises(eeo.InputError, match=message):
        await call(batcher_for(client))
    assert client.sent == []


def test_settings_are_checked() -> None:
    """chunk_size above 100, concurrency below 1 and a bad deadline are refused."""
    client = FakeClient()
    with pytest.raises(ValueError, match="chunk_size"):
        eeo.Batcher(client.client, chunk_size=101)
    with pytest.raises(ValueError, match="concurrency"):
        eeo.Batcher(client.client, concurrency=0)
    with pytest.raises(ValueError, match="deadline"):
        eeo.Batcher(client.client, deadline=-1)
    with pytest.raises(TypeError, match="Client"):
        eeo.Batcher(object())  # type: ignore[arg-type]


def test_plan_sends_nothing_and_counts() -> None:
    """A plan counts items, duplicates and calls for a dry run."""
    client = FakeClient()
    plan = eeo.Batcher(client.client).plan(
        "enroll", course_id=1, student_uids=[1, 2, 2], class_ids=range(1, 151)
    )
    assert plan == eeo.Plan(
        items=300, duplicates=1, calls=4, max_chunk=100, action="addCourseClassStudent"
    )
    assert client.sent == []


# --------------------------------------------------------------- on aioresponses


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
async def client() -> AsyncIterator[eeo.Client]:
    ticks = iter(range(1_700_000_000, 1_800_000_000, 3))
    async with eeo.Client(
        1234567,
        "s3cret",
        base_url=BASE,
        initial_backoff=0,
        max_backoff=0,
        clock=lambda: float(next(ticks)),
    ) as c:
        yield c


def answer(errno: int, items: list[int] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"error_info": {"errno": errno, "error": f"e{errno}"}}
    if items is not None:
        doc["data"] = [{"errno": e, "error": f"e{e}"} for e in items]
    return doc


def recorded(m: aioresponses) -> list[dict[str, str]]:
    calls = [call for calls in m.requests.values() for call in calls]
    return [{k: v[0] for k, v in parse_qs(c.kwargs["data"].decode()).items()} for c in calls]


async def test_whole_call_114_then_success(mocked: aioresponses, client: eeo.Client) -> None:
    """A call answered 114 is re-sent whole with a fresh signature."""
    mocked.post(ADD, payload=answer(114))
    mocked.post(ADD, payload=answer(1, [1, 1]))
    report = await batcher_for(client).add_student_to_lessons(1, 2, [3, 4])
    assert report.ok
    first, second = recorded(mocked)
    assert first["classJson"] == second["classJson"] == "[3,4]"
    assert first["timeStamp"] != second["timeStamp"]
    assert first["safeKey"] != second["safeKey"]
    assert report.items[3].attempts == 2


async def test_item_114_on_the_wire(mocked: aioresponses, client: eeo.Client) -> None:
    """Only the item answered 114 is sent again."""
    mocked.post(ADD, payload=answer(1, [1, 114, 145]))
    mocked.post(ADD, payload=answer(1, [1]))
    report = await batcher_for(client).add_student_to_lessons(1, 2, [3, 4, 5])
    assert [f["classJson"] for f in recorded(mocked)] == ["[3,4,5]", "[4]"]
    assert [report.items[k].errno for k in (3, 4, 5)] == [1, 1, 145]


async def test_502_and_html_then_success(mocked: aioresponses, client: eeo.Client) -> None:
    """HTTP 502 and a 200 HTML page are both retried to success."""
    mocked.post(DEL, status=502, body="<html>Bad Gateway</html>")
    mocked.post(DEL, body="<html>oops</html>", content_type="text/html")
    mocked.post(DEL, payload=answer(1, [1, 167]))
    report = await batcher_for(client).remove_students_from_lesson(1, 9, [3, 4])
    # The 502 may have come after the removal was made: 167 then is not "already".
    assert (report.succeeded, report.already, report.failed) == (2, 0, 0)
    assert len(recorded(mocked)) == 3
    assert report.items[4].outcome == "succeeded"


async def test_lost_answer_then_166_counts_as_ok(mocked: aioresponses, client: eeo.Client) -> None:
    """After a lost answer, 166 means the job may have done it: succeeded, not already."""
    mocked.post(ADD, exception=aiohttp.ServerDisconnectedError())
    mocked.post(ADD, payload=answer(1, [166]))
    report = await batcher_for(client).add_student_to_lessons(1, 2, [3])
    assert report.ok
    assert report.items[3].outcome == "succeeded"
    assert report.already == 0


async def test_102_on_the_wire_stops(mocked: aioresponses, client: eeo.Client) -> None:
    """Bad credentials stop a job after the first answer; the rest is not sent."""
    seen = 0

    def reply(url: Any, **kwargs: Any) -> CallbackResult:
        nonlocal seen
        seen += 1
        return CallbackResult(payload=answer(102))

    mocked.post(ADD, callback=reply, repeat=True)
    report = await batcher_for(client, concurrency=1, chunk_size=1).enroll(1, range(1, 31), [5])
    assert seen == 1
    assert report.errno_counts == {102: 1, eeo.LocalErrno.NOT_SENT: 29}


@pytest.mark.parametrize(
    ("skip", "message"),
    [
        ({(1, 5): eeo.ItemResult(0, "zero", 1)}, "errno 0"),
        ({(9, 5): eeo.ItemResult(1, "ok", 1)}, r"\(9, 5\), which is not an item"),
        ({(1, 5): "done"}, "must be an ItemResult"),
    ],
)
async def test_bad_skip_entries_are_input_errors(skip: Any, message: str) -> None:
    """A skip entry with errno 0, a foreign key or a wrong type is refused before sending."""
    client = FakeClient()
    with pytest.raises(eeo.InputError, match=message):
        await batcher_for(client).enroll(1, [1, 2], [5], skip=skip)
    assert client.sent == []


async def test_unknown_skip_entries_are_sent_again_as_possibly_applied() -> None:
    """An unknown outcome from an earlier run is re-sent; its 166 then counts as succeeded."""

    def answer(target: int, items: list[int], attempt: int) -> list[ItemStatus]:
        return [ItemStatus(166, "already")] * len(items)

    client = FakeClient(answer)
    skip = {(1, 5): eeo.ItemResult(-1, "cut off", 1, outcome="unknown")}
    report = await batcher_for(client, chunk_size=1).enroll(1, [1, 2], [5], skip=skip)
    assert report.items[(1, 5)].outcome == "succeeded"
    assert report.items[(2, 5)].outcome == "already"
    assert len(client.sent) == 2
