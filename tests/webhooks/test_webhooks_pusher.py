"""eeo_async.testing's Pusher, samples and lesson_end_message: ClassIn's side, for tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from webhooks_support import SECRET, SID, free_port, net, until

from eeo_async.testing import Pusher, lesson_end_message, samples
from eeo_async.webhooks import EVENT_TYPES, LessonEnd, MemoryStore, Receiver, parse, verify

Answer = Callable[[dict[str, Any], int], web.Response]


class Server:
    """A loopback server recording each push's (_id, attempt) and answering with ``answer``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.seen: list[tuple[str, int]] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""

    async def post(self, request: web.Request) -> web.Response:
        doc = json.loads(await request.read())
        attempt = sum(1 for key, _ in self.seen if key == doc["_id"]) + 1
        self.seen.append((doc["_id"], attempt))
        self.headers.append(dict(request.headers))
        return self.answer(doc, attempt)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Answer], Any]]:
    runners: list[web.AppRunner] = []

    async def start(answer: Answer) -> Server:
        server = Server(answer)
        app = web.Application()
        app.router.add_post("/", server.post)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        server.url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        return server

    yield start
    for runner in runners:
        await runner.cleanup()


def _ok(doc: dict[str, Any], attempt: int) -> web.Response:
    return web.json_response({"error_info": {"errno": 1, "error": "程序正常执行"}})


async def test_pushes_in_order_and_a_failing_one_blocks_the_queue(serve: Any) -> None:
    """A message answered not-ok is pushed again every interval, later ones waiting behind it."""

    def answer(doc: dict[str, Any], attempt: int) -> web.Response:
        if doc["_id"] == net(2)["_id"] and attempt < 3:
            return web.Response(status=500, text="busy")
        return _ok(doc, attempt)

    server = await serve(answer)
    loop = asyncio.get_running_loop()
    async with Pusher(server.url, interval=0.05) as pusher:
        started = loop.time()
        pusher.push(net(1), net(2), net(3))
        await asyncio.wait_for(pusher.join(), 10)
        elapsed = loop.time() - started
    ids = [net(i)["_id"] for i in (1, 2, 3)]
    assert server.seen == [(ids[0], 1), (ids[1], 1), (ids[1], 2), (ids[1], 3), (ids[2], 1)]
    assert elapsed >= 2 * 0.05  # two waits of one interval each
    assert [m["_id"] for m in pusher.acked] == ids  # type: ignore[index]
    assert (pusher.attempts, pusher.failures, pusher.pending) == (5, 2, 0)
    assert server.headers[0]["Origin"] == "http://www.eeo.cn"
    assert server.headers[0]["Content-Type"] == "application/json"


async def test_only_errno_the_integer_one_acks(serve: Any) -> None:
    """errno "1" as text, errno 1 with HTTP 500, or a non-JSON 200 are all failures."""
    wrong = [
        web.json_response({"error_info": {"errno": "1", "error": "ok"}}),
        web.json_response({"error_info": {"errno": 1, "error": "ok"}}, status=500),
        web.Response(text="OK"),
        web.json_response({"errno": 1}),
    ]

    def answer(doc: dict[str, Any], attempt: int) -> web.Response:
        return wrong[attempt - 1] if attempt <= len(wrong) else _ok(doc, attempt)

    server = await serve(answer)
    async with Pusher(server.url, interval=0.01) as pusher:
        pusher.push(net(1))
        await asyncio.wait_for(pusher.join(), 10)
    assert (pusher.attempts, pusher.failures) == (5, 4)


async def test_a_refused_connection_is_retried_until_a_receiver_listens(serve: Any) -> None:
    """Nothing listening counts as a failure; pointing url at a receiver then delivers."""
    server = await serve(_ok)
    async with Pusher(f"http://127.0.0.1:{free_port()}/", interval=0.01, timeout=2) as pusher:
        pusher.push(net(1))
        await until(lambda: pusher.failures >= 2)
        assert pusher.acked == []
        assert pusher.last_failure
        pusher.url = server.url
        await asyncio.wait_for(pusher.join(), 10)
    assert len(pusher.acked) == 1


async def test_a_failing_handler_is_re_pushed_then_handled_once(serve: Any) -> None:
    """Through the aiohttp app: a handler error is re-pushed by the Pusher and handled once."""
    store = MemoryStore()
    receiver = Receiver(SID, SECRET, store=store)
    attempts: list[str] = []

    @receiver.on("Net")
    def flaky(event: Any) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise ConnectionError("the school's database is restarting")

    runner = web.AppRunner(receiver.aiohttp_app("/classin"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/classin"
    try:
        async with Pusher(url, interval=0.02) as pusher:
            pusher.push(net(1), net(2), net(1))  # the last: a lost ack, sent again
            await asyncio.wait_for(pusher.join(), 10)
    finally:
        await runner.cleanup()
    assert attempts == [net(1)["_id"], net(1)["_id"], net(2)["_id"]]
    assert pusher.failures == 1
    assert [e.id for e in store.events] == [net(1)["_id"], net(2)["_id"]]
    assert receiver.stats.duplicates == 1


def test_samples_cover_every_documented_cmd_signed() -> None:
    """samples() has every Cmd of EVENT_TYPES, each signed for the given school."""
    signed = samples(SID, SECRET)
    assert {str(doc["Cmd"]) for doc in signed.values()} == set(EVENT_TYPES)
    for doc in signed.values():
        assert doc["SID"] == SID
        assert verify(doc, sid=SID, secret=SECRET)
    # Fresh copies each time, and a stamp for all on request.
    signed["End"]["Cmd"] = "changed"
    assert samples(SID, SECRET)["End"]["Cmd"] == "End"
    assert {d["TimeStamp"] for d in samples(SID, SECRET, time_stamp=5).values()} == {5}


def test_lesson_end_message_builds_attendance_from_who_came_in() -> None:
    """lesson_end_message gives a signed End whose attendance parses back as built."""
    doc = lesson_end_message(
        sid=SID,
        secret=SECRET,
        course_id=176465,
        class_id=1212131,
        members={1001: 1, 1002: (1, [(1000, 1600), (1700, 3000)]), 9: (3, [(900, None)])},
        start_time=1000,
        end_time=4600,
        real_close_time=4000,
    )
    assert verify(doc, sid=SID, secret=SECRET)
    event = parse(doc)
    assert isinstance(event, LessonEnd)
    assert (event.course_id, event.class_id, event.close_time, event.end_time) == (
        176465,
        1212131,
        5800,
        4000,
    )
    assert [(m.uid, m.role, m.seconds, m.first_in, m.last_out) for m in event.attendance] == [
        (9, "teacher", 0, 900, None),
        (1001, "student", 3600, 1000, 4600),
        (1002, "student", 1900, 1000, 3000),
    ]
    again = lesson_end_message(
        sid=SID,
        secret=SECRET,
        course_id=1,
        class_id=1212131,
        members={1: 1},
        start_time=0,
        end_time=1,
    )
    assert again["_id"] == doc["_id"]  # the same lesson, the same _id: re-pushes dedup
    with pytest.raises(ValueError, match="before"):
        lesson_end_message(
            sid=SID,
            secret=SECRET,
            course_id=1,
            class_id=2,
            members={1: (1, [(5, 4)])},
            start_time=0,
            end_time=9,
        )
    with pytest.raises(ValueError, match="before"):
        lesson_end_message(
            sid=SID, secret=SECRET, course_id=1, class_id=2, members={}, start_time=9, end_time=0
        )
