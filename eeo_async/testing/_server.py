"""``Sandbox``: the fake ClassIn server on a loopback socket, and ``serve`` for a process.

Every POST path is served: the two v1 files (``course.api.php``, ``cloud.api.php``,
``?action=X``, url-encoded or multipart forms, ``safeKey`` checks) and every other path
as v2 (JSON bodies, ``X-EEO-*`` header checks). A request is read with the sandbox's own
wire code, checked, drawn for faults, and answered by its route's handler from the route
table the areas make (``_areas``); ``Sandbox.handle`` adds or replaces a route.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import web

from .._codes import Errno
from ._areas import route_table
from ._faults import Faults
from ._groups import GroupPlan, course_group
from ._http import Call, read_v1, read_v2
from ._messages import COMMON
from ._pusher import Pusher, lesson_end_message
from ._responders import AFTER, BEFORE, CAPACITY
from ._route import Handler, v1, v2
from ._school import Course, School
from ._timetable import Timetable, timetable
from ._wire import (
    COURSE_API,
    V1_PATHS,
    V1_SIGNING,
    V1_WINDOW,
    V2_OK,
    V2_WINDOW,
    Answer,
    Upload,
    v1_signed,
    v2_check,
)

#: The largest upload the docs allow (uploadFile: 500 MB); larger ones are only counted.
MAX_UPLOAD_BYTES: Final = 500 * 1024 * 1024
_ROUTES: Final = route_table()


class Sandbox(School):
    """A fake ClassIn API server on a real loopback socket, with state and faults.

    Use ``async with Sandbox() as sb:`` (or ``await sb.start()`` / ``await sb.close()``),
    seed it with the ``add_*`` helpers (they return the new IDs), point a ``Client`` at
    ``sb.base_url`` with ``sb.sid`` and ``sb.secret``, and read the state back with
    ``lesson_members``, ``course_students``, ``course_group`` and the others. ``stats``
    counts what was seen. The secret is a throwaway sandbox credential and not shown in
    ``repr``.

    v1 actions are posted to ``/partner/api/course.api.php?action=X`` (the cloud ones to
    ``cloud.api.php``); an action sent to the other file is answered errno 100, as a
    production PHP file that has no such action would; one the sandbox does not
    implement at all, and a v2 path it does not serve, get HTTP 501 with a text saying so.

    Args:
        sid: the school ID the sandbox accepts (``SID``, ``X-EEO-UID``).
        secret: the secret the sandbox checks safeKeys and X-EEO-SIGNs against.
        host: the address to bind (loopback).
        port: the port; 0 picks a free one.
        seed: the seed of every fault decision.
        faults: fault probabilities; none by default.
        time_window: seconds a v1 ``timeStamp`` may be off the sandbox's clock (else 102).
        time_window_v2: seconds an ``X-EEO-TS`` may be off it, either way (else 101002006).
        clock: the sandbox's clock, for tests.
        language: ``"zh"`` answers the production's Chinese messages; ``"en"`` the
            English meanings.
        max_upload_bytes: a file part larger than this is counted but not kept.
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
        time_window: float = V1_WINDOW,
        time_window_v2: float = V2_WINDOW,
        clock: Callable[[], float] = time.time,
        language: str = "zh",
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
    ) -> None:
        super().__init__(faults=faults, language=language, clock=clock)
        self.sid = sid
        self.secret = secret
        self.host = host
        self.port = port
        self.seed = seed
        self.time_window = time_window
        self.time_window_v2 = time_window_v2
        self.max_upload_bytes = max_upload_bytes
        self._routes = dict(_ROUTES)
        self._seen: Counter[str] = Counter()
        self._handling: Counter[str] = Counter()
        # Connections to close at their next request (keepalive_close): id -> protocol.
        self._closing: dict[int, object] = {}
        self._runner: web.AppRunner | None = None
        self._upload_dir: Path | None = None

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
        self._upload_dir = Path(tempfile.mkdtemp(prefix="eeo-sandbox-"))
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Stop serving and remove the uploads kept; closing twice is harmless."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        upload_dir, self._upload_dir = self._upload_dir, None
        if upload_dir is not None:
            shutil.rmtree(upload_dir, ignore_errors=True)
        self._closing.clear()

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

    # ------------------------------------------------------------ routes, state

    def handle(self, name: str, handler: Handler, *, path: str | None = None) -> None:
        """Serve ``name`` with ``handler(school, fields, rng)``, adding or replacing a route.

        ``name`` is a v1 action (served at ``course.api.php``, or at
        ``path="/partner/api/cloud.api.php"``) or a v2 path starting with ``/``. The
        handler gets the v1 form by its wire names (text values, the signing fields
        removed, files as :class:`Upload`) or the v2 JSON object, and returns the answer
        document: :func:`envelope` for v1, :func:`envelope_v2` for v2 (or the school's
        ``envelope``/``envelope_v2`` methods, in the sandbox's language). Raising
        :class:`Answer` answers a call-level error in the route's generation. The
        signature checks and every fault kind apply as to the sandbox's own routes.

        Raises:
            ValueError: a v2 path was given a ``path``, or ``path`` is not a v1 file.
        """
        if name.startswith("/"):
            if path is not None:
                text = f"a v2 route is served at its own path {name!r}; path= is for v1 actions"
                raise ValueError(text)
            route = v2(name, handler)
        else:
            route = v1(name, handler, path=path or COURSE_API)
        self._routes[route.key] = route

    def course_group(self, course_id: int) -> GroupPlan | None:
        """The group plan of a course, if one was created."""
        return course_group(self, course_id)

    @property
    def timetable(self) -> Timetable:
        """Courses and lessons made through the API, and the switch of repeated identities.

        Names, times, teachers, identities and labels of what the API made, and
        ``identity_repeat``: how a repeated unique identity is answered. The school's
        labels are ``state(SchoolSettings).labels`` (seed some with ``add_labels``).
        """
        return timetable(self)

    def lesson_end(
        self,
        class_id: int,
        *,
        start_time: int,
        end_time: int,
        attended: Iterable[int] | None = None,
    ) -> dict[str, Any]:
        """The signed ``End`` message of a lesson this sandbox ran, from its own state.

        Who came in: the lesson's students and its course's students (course students
        may enter every lesson), and its teacher, or only ``attended`` of them; each is
        present from ``start_time`` to ``end_time``. The lesson is marked finished.

        Raises:
            KeyError: no such lesson.
        """
        lesson = self.lessons[class_id]
        course = self.courses[lesson.course_id]
        could = dict.fromkeys(sorted(lesson.members | course.students), 1)
        if attended is not None:
            wanted = set(attended)
            could = {uid: identity for uid, identity in could.items() if uid in wanted}
        if course.teacher_uid is not None:
            could[course.teacher_uid] = 3
        lesson.finished = True
        return lesson_end_message(
            sid=self.sid,
            secret=self.secret,
            course_id=lesson.course_id,
            class_id=class_id,
            members=could,
            start_time=start_time,
            end_time=end_time,
        )

    async def push_lesson_end(
        self,
        url: str,
        class_id: int,
        *,
        start_time: int,
        end_time: int,
        attended: Iterable[int] | None = None,
        interval: float = 0.05,
    ) -> dict[str, Any]:
        """Push :meth:`lesson_end` to ``url`` as ClassIn does, until acked; the message.

        Re-pushed every ``interval`` seconds until the answer is the documented success
        JSON (ClassIn waits 10 s).
        """
        message = self.lesson_end(
            class_id, start_time=start_time, end_time=end_time, attended=attended
        )
        async with Pusher(url, interval=interval) as pusher:
            pusher.push(message)
            await pusher.join()
        return message

    # ------------------------------------------------------------------- serving

    def _rng(self, key: str) -> random.Random:
        digest = hashlib.blake2b(f"{self.seed}|{key}".encode(), digest_size=8).digest()
        return random.Random(int.from_bytes(digest))  # noqa: S311 - fault draws, not crypto

    def _count(self, doc: dict[str, Any]) -> None:
        code = doc["code"] if "code" in doc else (doc.get("error_info") or {}).get("errno")
        if isinstance(code, int):
            self.stats.errnos[code] += 1
        data = doc.get("data")
        if isinstance(data, list):
            for entry in data:
                item = entry.get("errno", entry.get("code")) if isinstance(entry, dict) else None
                if isinstance(item, int):
                    self.stats.item_errnos[item] += 1

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if self._closing.pop(id(request.protocol), None) is not None:
            # keepalive_close: the connection's next request is dropped unread, unapplied.
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError
        stats = self.stats
        generation = "v1" if request.path in V1_PATHS else "v2"
        name = request.query.get("action", "") if generation == "v1" else request.path
        stats.requests[name] += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        route = self._routes.get((request.path, name if generation == "v1" else ""))
        call = Call(
            request=request,
            generation=generation,
            name=name,
            fields={},
            route=route,
            texts=route.texts if route is not None else COMMON,
            language=self.language,
            count=self._count,
        )
        try:
            capacity = self.faults.capacity
            if capacity is not None and stats.in_flight > capacity:
                # Over capacity: answered busy at once, before anything is read or applied.
                stats.faults_injected["capacity"] += 1
                await request.read()
                return await CAPACITY[self.faults.capacity_answer](call, self.faults, {})
            response = await self._checked(call)
            if call.close_next:
                self._closing[id(request.protocol)] = request.protocol
            return response
        finally:
            stats.in_flight -= 1

    async def _checked(self, call: Call) -> web.StreamResponse:
        """Read and check the request, then answer it unless a same one is in flight."""
        if call.generation == "v1":
            assert self._upload_dir is not None  # noqa: S101 - set by start()
            try:
                form = await read_v1(
                    call.request,
                    upload_dir=self._upload_dir,
                    max_upload_bytes=self.max_upload_bytes,
                )
            except Answer as answer:
                return call.respond(call.envelope(answer.code))
            self.received_files += [v for v in form.values() if isinstance(v, Upload)]
            call.fields = form
            shown = {k: _shown(v) for k, v in form.items() if k not in V1_SIGNING}
            content = json.dumps([call.name, sorted(shown.items())])
            signed = v1_signed(
                form, sid=self.sid, secret=self.secret, now=self.now(), window=self.time_window
            )
            refusal = 0 if signed else Errno.NO_PERMISSION
        else:
            body = await read_v2(call.request)
            call.fields = body if isinstance(body, dict) else {}
            content = json.dumps([call.name, body], sort_keys=True, default=str)
            code = v2_check(
                call.request.headers,
                body,
                sid=self.sid,
                secret=self.secret,
                now=self.now(),
                window=self.time_window_v2,
            )
            refusal = 0 if code == V2_OK else code
        self._seen[content] += 1
        rng = self._rng(f"{content}|{self._seen[content]}")
        if refusal:
            self.stats.bad_signatures += 1
            return call.respond(call.envelope(refusal))
        if self._handling[content]:
            self.stats.duplicates_in_flight += 1
            if call.route is not None and call.route.identical_code is not None:
                return call.respond(call.envelope(call.route.identical_code))
        self._handling[content] += 1
        try:
            faults = self.faults
            if faults.latency or faults.latency_jitter:
                await asyncio.sleep(faults.latency + rng.uniform(0, faults.latency_jitter))
            return await self._answer(call, rng)
        finally:
            self._handling[content] -= 1
            if not self._handling[content]:
                del self._handling[content]

    async def _answer(self, call: Call, rng: random.Random) -> web.StreamResponse:
        """Draw the faults before, run the handler, draw the faults after, answer."""
        faults = self.faults
        for kind in BEFORE:
            if call.generation in kind.generations and rng.random() < getattr(faults, kind.name):
                self.stats.faults_injected[kind.name] += 1
                return await kind.respond(call, faults, {})
        route = call.route
        if route is None:
            return self._unserved(call)
        fields = call.fields
        if call.generation == "v1":
            fields = {k: v for k, v in fields.items() if k not in V1_SIGNING}
        before = self.speaking(route.texts)
        refused = False
        try:
            doc = route.handler(self, dict(fields), rng)
        except Answer as answer:
            doc, refused = call.envelope(answer.code), True
        finally:
            self.speaking(before)
        for kind in AFTER:
            # Drawn before the refusal is looked at: a seed's draws stay in their order.
            chance = getattr(faults, kind.name)
            drawn = call.generation in kind.generations and rng.random() < chance
            if drawn and not (refused and kind.acted):
                self.stats.faults_injected[kind.name] += 1
                return await kind.respond(call, faults, doc)
        return call.respond(doc)

    def _unserved(self, call: Call) -> web.Response:
        if call.generation == "v1" and any(
            (path, call.name) in self._routes for path in V1_PATHS if path != call.request.path
        ):
            # Production's PHP file answers an action it does not have as a bad
            # parameter; so does the sandbox for an action sent to the other v1 file.
            return call.respond(call.envelope(Errno.BAD_PARAMETERS))
        what = f"the action {call.name!r}" if call.generation == "v1" else f"the path {call.name!r}"
        return web.Response(status=501, text=f"the eeo_async sandbox does not implement {what}")


def _shown(value: str | Upload) -> str:
    """A field as it enters a request's identity (a file by its name and size)."""
    return value if isinstance(value, str) else f"<file {value.name!r} {value.size}>"


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
