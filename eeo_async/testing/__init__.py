"""A sandbox: a faithful in-process fake of the ClassIn partner API, for tests and demos.

``Sandbox`` serves the whole enrolment family over a real loopback socket with real
state (students, teachers, courses, lessons, members, group plans), checks the SID, the
safeKey and the timestamp window like the server, answers each documented errno in its
situation, and injects faults deterministically from a seed::

    async with Sandbox(faults=Faults(item_busy=0.05)) as sb:
        students = sb.add_students(50)
        course = sb.add_course(lessons=10)
        async with eeo_async.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
            ...
        assert sb.lesson_members(course.class_ids[0]) == ...

Which errors are call-level and which per item (a reading of the reference pages):

- addCourseClassStudent: call-level 100, 102, 400, 144, 149, 153, 129, 332, 886, 228;
  per lesson 142 (not a lesson of this course), 212, 145, 166, 157, 114 (fault), 1.
- delClassStudentMultiple: call-level 100, 102, 400, 155, 159, 144, 149, 143, 142, 212,
  145; per student 167, 114 (fault), 1.
- addCourseGroup: 100, 102, 892, 895, 896, 897; 898 creates the plan with the valid UIDs.
- 131 ("identical requests at the same time") is documented only for the registration
  family (register, registerMultiple, addCourseStudentMultiple, addClassStudentMultiple);
  only those answer it. An identical request to any action is still counted in
  ``stats.duplicates_in_flight``, so tests can show that the client never sends one.
- The docs state no hard item limit for the lesson actions ("recommended <= 100"); the
  sandbox answers 400 past 100 items so that a chunking mistake shows.
- An action the sandbox does not implement is answered HTTP 501 with a text saying so,
  not with an errno a real server would give.
- A group plan has no member limit (the docs state none).

``MockTransport(handler)`` answers a Client's calls from a plain function instead of a
server, and ``set_testing(True)`` turns every backoff wait off.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .._codes import Errno
from .._constants import API_PATH, SERVER_TIMESTAMP_WINDOW
from .._retry import set_testing
from .._wire.kinds import sign
from ._mock import MockRequest, MockResponse, MockTransport
from ._pusher import Pusher, lesson_end_message, samples
from ._school import (
    Account,
    Course,
    Faults,
    GroupPlan,
    NotImplementedAction,
    SandboxStats,
    School,
    envelope,
)

__all__ = [
    "Account",
    "Course",
    "Faults",
    "GroupPlan",
    "MockRequest",
    "MockResponse",
    "MockTransport",
    "Pusher",
    "Sandbox",
    "SandboxStats",
    "envelope",
    "lesson_end_message",
    "samples",
    "serve",
    "set_testing",
]

_HTML_ERROR = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
_SIGNING = frozenset({"SID", "safeKey", "timeStamp"})
#: The actions whose pages document 131 for identical requests at the same time.
_ANSWERS_131 = frozenset(
    {"register", "registerMultiple", "addCourseStudentMultiple", "addClassStudentMultiple"}
)


class Sandbox(School):
    """A fake ClassIn API server on a real loopback socket, with state and faults.

    Use ``async with Sandbox() as sb:`` (or ``await sb.start()`` / ``await sb.close()``),
    seed it with the ``add_*`` helpers (they return the new IDs), point a ``Client`` at
    ``sb.base_url`` with ``sb.sid`` and ``sb.secret``, and read the state back with
    ``lesson_members``, ``course_students`` and ``course_group``. ``stats`` counts what
    was seen. The secret is a throwaway sandbox credential and not shown in ``repr``.

    Args:
        sid: the school ID the sandbox accepts.
        secret: the secret the sandbox checks safeKeys against.
        host: the address to bind (loopback).
        port: the port; 0 picks a free one.
        seed: the seed of every fault decision.
        faults: fault probabilities; none by default.
        time_window: seconds a ``timeStamp`` may be off the sandbox's clock (else 102).
        clock: the sandbox's clock, for tests.
        language: ``"zh"`` answers the production's Chinese messages; ``"en"`` the
            English meanings.
    """

    def __init__(
        self,
        *,
        sid: int = 1234567,
        secret: str = "sandbox-secret",  # noqa: S107 - a throwaway sandbox credential
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        faults: Faults | None = None,
        time_window: float = SERVER_TIMESTAMP_WINDOW,
        clock: Callable[[], float] = time.time,
        language: str = "zh",
    ) -> None:
        super().__init__(faults=faults, language=language)
        self.sid = sid
        self.secret = secret
        self.host = host
        self.port = port
        self.seed = seed
        self.time_window = time_window
        self.clock = clock
        self._seen: Counter[str] = Counter()
        self._handling: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._runner is not None else "not started"
        return f"<eeo_async.testing.Sandbox sid={self.sid} {where}>"

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Start serving; with ``port=0`` the bound port is then in ``port``."""
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(API_PATH, self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Stop serving; closing twice is harmless."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------- serving

    def _rng(self, key: str) -> random.Random:
        digest = hashlib.blake2b(f"{self.seed}|{key}".encode(), digest_size=8).digest()
        return random.Random(int.from_bytes(digest))  # noqa: S311 - fault draws, not crypto

    def _signed(self, form: dict[str, str]) -> bool:
        stamp = form.get("timeStamp", "")
        if form.get("SID") != str(self.sid) or not stamp.isdigit():
            return False
        if abs(int(stamp) - self.clock()) > self.time_window:
            return False
        return form.get("safeKey") == sign(self.secret, int(stamp))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        stats = self.stats
        action = request.query.get("action", "")
        stats.requests[action] += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            capacity = self.faults.capacity
            if capacity is not None and stats.in_flight > capacity:
                # Over capacity: answered busy at once, before anything is read or applied.
                stats.faults_injected["capacity"] += 1
                await request.read()
                return await _CAPACITY[self.faults.capacity_answer](self, request, {})
            form = {k: str(v) for k, v in (await request.post()).items()}
            content = json.dumps(
                [action, sorted((k, v) for k, v in form.items() if k not in _SIGNING)]
            )
            self._seen[content] += 1
            rng = self._rng(f"{content}|{self._seen[content]}")
            if not self._signed(form):
                stats.bad_signatures += 1
                return self._json(self.envelope(Errno.NO_PERMISSION))
            if self._handling[content]:
                stats.duplicates_in_flight += 1
                if action in _ANSWERS_131:
                    return self._json(self.envelope(Errno.REGISTER_FAILED))
            self._handling[content] += 1
            try:
                faults = self.faults
                if faults.latency or faults.latency_jitter:
                    await asyncio.sleep(faults.latency + rng.uniform(0, faults.latency_jitter))
                return await self._answer(request, action, form, rng)
            finally:
                self._handling[content] -= 1
                if not self._handling[content]:
                    del self._handling[content]
        finally:
            stats.in_flight -= 1

    async def _answer(
        self, request: web.Request, action: str, form: dict[str, str], rng: random.Random
    ) -> web.StreamResponse:
        faults = self.faults
        for kind, responder in _BEFORE:
            if rng.random() < getattr(faults, kind):
                self.stats.faults_injected[kind] += 1
                return await responder(self, request, {})
        try:
            doc = self.answer(action, form, rng)
        except NotImplementedAction:
            text = f"the eeo_async sandbox does not implement the action {action!r}"
            return web.Response(status=501, text=text)
        for kind, responder in _AFTER:
            if rng.random() < getattr(faults, kind):
                self.stats.faults_injected[kind] += 1
                return await responder(self, request, doc)
        return self._json(doc)

    def _count(self, doc: dict[str, Any]) -> None:
        self.stats.errnos[doc["error_info"]["errno"]] += 1
        data = doc.get("data")
        if isinstance(data, list):
            self.stats.item_errnos.update(entry["errno"] for entry in data)

    def _json(self, doc: dict[str, Any]) -> web.Response:
        self._count(doc)
        return web.json_response(doc)


Responder = Callable[[Sandbox, web.Request, dict[str, Any]], Awaitable[web.StreamResponse]]


async def _close(sandbox: Sandbox, request: web.Request, doc: dict[str, Any]) -> web.Response:
    if request.transport is not None:
        request.transport.close()
    # The client sees the connection closed without an answer.
    raise asyncio.CancelledError


async def _status(status: int, body: bytes, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=body, content_type="text/html", headers=headers)


async def _echo(sandbox: Sandbox, request: web.Request, doc: dict[str, Any]) -> web.Response:
    form = await request.post()
    echoed = "&".join(f"{k}={v!s}" for k, v in form.items() if isinstance(v, str))
    body = f"<html><body>upstream error; request was: {echoed}</body></html>"
    return web.Response(status=200, text=body, content_type="text/html")


async def _gbk(sandbox: Sandbox, request: web.Request, doc: dict[str, Any]) -> web.Response:
    sandbox._count(doc)
    body = json.dumps(doc, ensure_ascii=False).encode("gbk", errors="replace")
    return web.Response(body=body, headers={"Content-Type": "application/json; charset=gbk"})


async def _as_json(doc: dict[str, Any], sandbox: Sandbox) -> web.Response:
    return sandbox._json(doc)


#: Faults drawn before the change is applied (nothing applied): kind -> responder, in
#: the order of their draws.
_BEFORE: tuple[tuple[str, Responder], ...] = (
    ("drop_before", _close),
    ("rate_limited", lambda sb, rq, doc: _status(429, b"Too Many Requests", {"Retry-After": "1"})),
    ("http_error", lambda sb, rq, doc: _status(502, _HTML_ERROR)),
    ("non_json", lambda sb, rq, doc: _status(200, _HTML_ERROR)),
    ("call_busy", lambda sb, rq, doc: _as_json(sb.envelope(Errno.SERVER_BUSY), sb)),
    (
        "redirect",
        lambda sb, rq, doc: _status(302, b"", {"Location": f"https://{rq.host}{rq.path_qs}"}),
    ),
)
#: Busy answers of a sandbox over its capacity (``Faults.capacity_answer``): kind -> responder.
_CAPACITY: dict[str, Responder] = {
    "114": lambda sb, rq, doc: _as_json(envelope(Errno.SERVER_BUSY), sb),
    "429": lambda sb, rq, doc: _status(429, b"Too Many Requests", {"Retry-After": "1"}),
    "503": lambda sb, rq, doc: _status(503, b"Service Unavailable"),
}
#: Faults drawn after the change is applied: kind -> responder, in the order of draws.
_AFTER: tuple[tuple[str, Responder], ...] = (
    ("lost_after", _close),
    ("error_after", lambda sb, rq, doc: _status(502, _HTML_ERROR)),
    ("busy_after", lambda sb, rq, doc: _as_json(sb.envelope(Errno.OPERATION_FAILED), sb)),
    ("echo_after", _echo),
    ("gbk", _gbk),
)


async def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    seed: int = 0,
    sid: int = 1234567,
    secret: str = "sandbox-secret",  # noqa: S107 - a throwaway sandbox credential
    students: int = 0,
    lessons: int = 0,
    faults: Faults | None = None,
    on_ready: Callable[[Sandbox, Course | None, list[int]], Awaitable[None] | None] | None = None,
) -> None:
    """Run a sandbox until cancelled, seeded with ``students`` and a course of ``lessons``.

    ``on_ready(sandbox, course, student_uids)`` is called once it listens (the course is
    ``None`` when ``lessons`` is 0). Nothing is printed here.
    """
    async with Sandbox(
        sid=sid, secret=secret, host=host, port=port, seed=seed, faults=faults
    ) as sandbox:
        uids = sandbox.add_students(students) if students else []
        course = sandbox.add_course(lessons=lessons) if lessons else None
        if on_ready is not None:
            result = on_ready(sandbox, course, uids)
            if result is not None:
                await result
        await asyncio.Event().wait()
