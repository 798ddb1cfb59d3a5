"""A stopped job's items keep what is known of them; a re-run sends what was never sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockTransport

BASE = "https://api.example.test"
#: An answer for one call: (student, lesson) -> (errno, error) of each item.
Answer = Callable[[int, int], tuple[int, str]]


def ok(student: int, lesson: int) -> tuple[int, str]:
    return 1, "ok"


class Server:
    """Answers addCourseClassStudent item by item and records the (student, lesson) sent."""

    def __init__(self, answer: Answer = ok, *, close_after: int = 0) -> None:
        self.answer = answer
        self.close_after = close_after  # close the client on answering this call (0: never)
        self.sent: list[tuple[int, int]] = []
        self.calls = 0
        self.client = eeo.Client(1, "fake-secret", base_url=BASE, transport=MockTransport(self))

    async def __call__(self, request: MockRequest) -> Any:
        student = int(request.form["studentUid"])
        lessons = [int(c) for c in request.json_field("classJson")]
        self.calls += 1
        self.sent.extend((student, lesson) for lesson in lessons)
        if self.calls == self.close_after:
            await self.client.close()
        data = []
        for lesson in lessons:
            answer = self.answer(student, lesson)
            if answer[0] == 102:
                return {"error_info": {"errno": 102, "error": answer[1]}}
            data.append({"errno": answer[0], "error": answer[1]})
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}


def batcher(server: Server, **options: Any) -> eeo.Batcher:
    options.setdefault("concurrency", 1)
    options.setdefault("chunk_size", 1)
    return eeo.Batcher(server.client, initial_backoff=0, max_backoff=0, **options)


async def test_items_waiting_for_a_retry_keep_their_attempts_and_answer_on_a_stop() -> None:
    """An item put back after 114 ends with that answer and its attempts, not as cut off."""

    def answer(student: int, lesson: int) -> tuple[int, str]:
        if student == 1:
            return 114, "server busy"
        return (102, "No permission") if student == 2 else (1, "ok")

    server = Server(answer)
    report = await batcher(server).enroll(1, [1, 2, 3], [5])
    assert report.stopped_by == "credentials"
    waiting = report.items[(1, 5)]
    assert (waiting.errno, waiting.attempts, waiting.outcome) == (114, 1, "unknown")
    assert waiting.error.startswith("server busy (not sent again: the job stopped")
    assert report.items[(3, 5)].errno == eeo.LocalErrno.NOT_SENT
    assert report.items[(3, 5)].attempts == 0


async def test_a_retry_meeting_a_closed_client_keeps_the_last_answer() -> None:
    """The client closed before a retry left: the item keeps its 114, one attempt, one call."""

    def answer(student: int, lesson: int) -> tuple[int, str]:
        return (114, "server busy") if student == 1 else (1, "ok")

    server = Server(answer, close_after=1)
    report = await batcher(server).enroll(1, [1, 2], [5])
    assert server.sent == [(1, 5)]
    assert report.stopped_by == "closed"
    first = report.items[(1, 5)]
    assert (first.errno, first.attempts, first.outcome) == (114, 1, "unknown")
    never = report.items[(2, 5)]
    assert (never.errno, never.attempts, never.outcome) == (eeo.LocalErrno.NOT_SENT, 0, "failed")
    assert (report.calls, report.retries, report.not_sent) == (1, 0, 1)


async def test_a_closed_client_on_a_retry_alone_is_not_a_new_attempt() -> None:
    """Only a retry left to send when the client closes: its attempts are the ones made."""
    server = Server(lambda student, lesson: (114, "server busy"), close_after=1)
    report = await batcher(server).enroll(1, [1], [5])
    result = report.items[(1, 5)]
    assert (result.errno, result.attempts, result.outcome) == (114, 1, "unknown")
    assert (report.calls, report.retries) == (1, 0)


async def test_a_job_wide_code_with_a_message_per_item_stops_the_job() -> None:
    """901 on every item of a later call, each in its own words, stops the job."""

    def answer(student: int, lesson: int) -> tuple[int, str]:
        return (1, "ok") if student == 1 else (901, f"maintenance (lesson {lesson})")

    server = Server(answer)
    report = await batcher(server, chunk_size=2).enroll(1, [1, 2, 3], [5, 6])
    assert report.stopped_by == "maintenance"
    assert report.succeeded == 2
    assert report.not_sent == 2
    assert (3, 5) not in server.sent


async def test_items_not_sent_by_an_earlier_run_are_sent_by_the_next() -> None:
    """skip=report.items of a stopped run skips what was done and sends what was not sent."""

    def refused(student: int, lesson: int) -> tuple[int, str]:
        return (102, "No permission") if student == 2 else (1, "ok")

    first = await batcher(Server(refused)).enroll(1, [1, 2, 3], [5])
    assert first.not_sent == 1
    server = Server()
    again = await batcher(server).enroll(1, [1, 2, 3], [5], skip=first.items)
    assert server.sent == [(3, 5)]
    assert again.items[(3, 5)].outcome == "succeeded"
    assert again.items[(2, 5)].errno == 102
    assert again.not_sent == 0


async def test_skip_counts_rows_not_spellings_of_a_key() -> None:
    """Two spellings of one key in skip are one item done: progress never passes the total."""
    seen: list[tuple[int, int]] = []
    server = Server()
    done = eeo.ItemResult(1, "from the journal", 1)
    skip = {(1, 5): done, ("1", "5"): done}
    report = await batcher(server, on_progress=lambda n, total: seen.append((n, total))).enroll(
        1, [1, 2], [5], skip=skip
    )
    assert server.sent == [(2, 5)]
    assert report.succeeded == 2
    assert seen == [(1, 2), (2, 2)]


async def test_on_items_gives_each_item_its_reported_result() -> None:
    """Items recorded together (first answers, retries, a stop) reach on_items as reported."""

    def answer(student: int, lesson: int) -> tuple[int, str]:
        if student == 3:
            return 102, "No permission"
        return (114, "server busy") if lesson == 6 else (1, "ok")

    seen: list[tuple[Any, eeo.ItemResult]] = []
    server = Server(answer)
    report = await batcher(server, chunk_size=2, concurrency=1).enroll(
        1, [1, 2, 3, 4], [5, 6], on_items=seen.extend
    )
    assert report.stopped_by == "credentials"
    assert sorted(seen) == sorted(report.items.items())
    assert len(seen) == report.total == 8
