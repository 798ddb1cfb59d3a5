"""The clients the benchmarks compare, each run as its own process by ``run.py``.

Reads one JSON spec on standard input (so credentials never appear on a command line),
runs one job, and prints one JSON line: wall seconds, this process's CPU seconds
(``getrusage(RUSAGE_SELF)``, user + system, of the job alone: imports, input lists and
the event loop's start are outside), calls and errno counts.

Spec keys: ``impl`` (``sdk``, ``floor`` or ``hand``), ``mode`` (``batch``: an
enrolment of every student into every lesson; ``single``: one call per student, the
web-backend path; ``single_v2``: the same calls through API v2, LMS addStudent with as
many students as ``lessons`` into one activity per call), ``loop`` (``asyncio`` or ``uvloop``), ``base_url``, ``sid``,
``secret``, ``course``, ``students`` and ``lessons`` (lists of IDs, or counts of made-up
IDs), ``concurrency``; optionally ``max_attempts``, ``initial_backoff``, ``max_backoff``
(passed to the SDK only when given), ``adaptive`` (the Batcher's, when given) and
``profile`` (a path for cProfile stats).

Only the SDK's public API is used: ``eeo.Client``, ``eeo.Batcher.enroll``,
``client.add_course_class_student`` and ``client.lms.add_student``.
"""

from __future__ import annotations

import asyncio
import cProfile
import hashlib
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

import eeo_async as eeo

PATH = "/partner/api/course.api.php?action=addCourseClassStudent"
HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
CHUNK = 100
FIRST_STUDENT = 1_000_001
FIRST_LESSON = 5_000_001

Spec = dict[str, Any]
Result = dict[str, Any]


def ids(value: int | list[int], first: int) -> list[int]:
    """A list of IDs as given, or ``value`` made-up consecutive IDs from ``first``."""
    return list(range(first, first + value)) if isinstance(value, int) else list(value)


def class_json(lessons: list[int]) -> str:
    """``classJson`` URL-encoded by hand: the bytes the SDK sends for the same list."""
    return "%5B" + "%2C".join(map(str, lessons)) + "%5D"


def form(sid: str, secret: str, course: str, student: int, encoded_lessons: str) -> bytes:
    """The signed form of one addCourseClassStudent call, built with one ``str.join``."""
    stamp = str(int(time.time()))
    key = hashlib.md5((secret + stamp).encode()).hexdigest()
    parts = ("SID=", sid, "&safeKey=", key, "&timeStamp=", stamp, "&courseId=", course)
    return "".join((*parts, "&studentUid=", str(student), "&classJson=", encoded_lessons)).encode()


async def post(session: aiohttp.ClientSession, url: str, body: bytes, errnos: Counter[int]) -> None:
    """Post one form, ``json.loads`` the answer and count its item errnos; nothing else.

    A call-level errno other than 1 has no ``data`` and counts as a negative key.
    """
    async with session.post(url, data=body, headers=HEADERS) as response:
        raw = await response.read()
    doc = json.loads(raw)
    errno = doc["error_info"]["errno"]
    if errno != 1:
        errnos[-errno] += 1
        return
    for entry in doc["data"]:
        errnos[entry["errno"]] += 1


# ----------------------------------------------------------------------------- batch


async def floor_batch(spec: Spec, students: list[int], lessons: list[int]) -> Result:
    """The floor: a fixed number of workers pull (student, chunk) from one iterator.

    The worker count is the bound on requests in flight (what a semaphore would do,
    without its cost); one session; no task per call, no validation, no retries.
    """
    url = spec["base_url"] + PATH
    sid, secret, course = str(spec["sid"]), spec["secret"], str(spec["course"])
    chunks = [class_json(lessons[i : i + CHUNK]) for i in range(0, len(lessons), CHUNK)]
    work = ((student, chunk) for student in students for chunk in chunks)
    errnos: Counter[int] = Counter()
    calls = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal calls
        for student, chunk in work:
            await post(session, url, form(sid, secret, course, student, chunk), errnos)
            calls += 1

    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(spec["concurrency"])))
    return {"calls": calls, "items": len(students) * len(lessons), "errnos": errnos}


def sdk_settings(spec: Spec) -> dict[str, Any]:
    """The retry settings the spec gives (the SDK's defaults for the others)."""
    keys = ("max_attempts", "initial_backoff", "max_backoff")
    return {key: spec[key] for key in keys if spec.get(key) is not None}


def sdk_client(spec: Spec) -> eeo.Client:
    """The SDK's client; its pool (100 by default) is raised to the concurrency if smaller."""
    extra = {"max_connections": spec["concurrency"]} if spec["concurrency"] > 100 else {}
    return eeo.Client(
        spec["sid"], spec["secret"], base_url=spec["base_url"], **sdk_settings(spec), **extra
    )


async def sdk_batch(spec: Spec, students: list[int], lessons: list[int]) -> Result:
    """The SDK: ``Batcher(client, concurrency=N).enroll(course, students, lessons)``."""
    async with sdk_client(spec) as client:
        extra = {"adaptive": spec["adaptive"]} if spec.get("adaptive") is not None else {}
        batcher = eeo.Batcher(
            client, concurrency=spec["concurrency"], **sdk_settings(spec), **extra
        )
        report = await batcher.enroll(spec["course"], students, lessons)
    concurrency = report.concurrency
    return {
        "calls": report.calls,
        "retries": report.retries,
        "items": report.total,
        "succeeded": report.succeeded,
        "failed": report.failed,
        "unknown": report.unknown,
        "busy_calls": report.busy_calls,
        "final": concurrency.final if concurrency else None,
        "mean": concurrency.mean if concurrency else None,
        "lowest": concurrency.lowest if concurrency else None,
    }


# ---------------------------------------------------------------------------- single


async def hand_single(spec: Spec, students: list[int], lessons: list[int]) -> Result:
    """A hand-written aiohttp call per student, awaited one at a time per coroutine."""
    url = spec["base_url"] + PATH
    sid, secret, course = str(spec["sid"]), spec["secret"], str(spec["course"])
    errnos: Counter[int] = Counter()
    work = iter(students)

    async def add(session: aiohttp.ClientSession, student: int) -> None:
        await post(session, url, form(sid, secret, course, student, class_json(lessons)), errnos)

    async def worker(session: aiohttp.ClientSession) -> None:
        for student in work:
            await add(session, student)

    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(spec["concurrency"])))
    return {"calls": len(students), "items": len(students) * len(lessons), "errnos": errnos}


async def sdk_single(spec: Spec, students: list[int], lessons: list[int]) -> Result:
    """``await client.add_course_class_student(...)`` per student, one at a time per coroutine."""
    errnos: Counter[int] = Counter()
    work = iter(students)
    course = spec["course"]

    async with sdk_client(spec) as client:

        async def worker() -> None:
            for student in work:
                statuses = await client.add_course_class_student(
                    course_id=course, student_uid=student, class_ids=lessons
                )
                for status in statuses:
                    errnos[status.errno] += 1

        await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    return {"calls": len(students), "items": len(students) * len(lessons), "errnos": errnos}


async def sdk_single_v2(spec: Spec, students: list[int], lessons: list[int]) -> Result:
    """``await client.lms.add_student(...)`` per call: v2's signing, JSON and keyed answers.

    As many calls as ``students`` (each into its own activity, so no two are identical)
    with as many students as ``lessons``: the shape of the v1 single calls.
    """
    errnos: Counter[int] = Counter()
    work = iter(students)
    course = spec["course"]
    members = ids(len(lessons), FIRST_STUDENT)

    async with sdk_client(spec) as client:

        async def worker() -> None:
            for activity in work:
                statuses = await client.lms.add_student(
                    course_id=course, activity_id=activity, student_uids=members
                )
                for status in statuses:
                    errnos[status.errno] += 1

        await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    return {"calls": len(students), "items": len(students) * len(lessons), "errnos": errnos}


JOBS: dict[tuple[str, str], Callable[[Spec, list[int], list[int]], Awaitable[Result]]] = {
    ("batch", "sdk"): sdk_batch,
    ("batch", "floor"): floor_batch,
    ("single", "sdk"): sdk_single,
    ("single", "hand"): hand_single,
    ("single_v2", "sdk"): sdk_single_v2,
}


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(spec: Spec) -> Result:
    """Run the spec's job on the spec's event loop; measure it alone."""
    job = JOBS[spec["mode"], spec["impl"]]
    students = ids(spec["students"], FIRST_STUDENT)
    lessons = ids(spec["lessons"], FIRST_LESSON)

    async def measured() -> Result:
        wall, cpu = time.perf_counter(), cpu_seconds()
        result = await job(spec, students, lessons)
        result["cpu"] = cpu_seconds() - cpu
        result["wall"] = time.perf_counter() - wall
        return result

    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    if spec.get("loop", "asyncio") == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        if not spec.get("profile"):
            return runner.run(measured())
        profiler = cProfile.Profile()
        result = profiler.runcall(runner.run, measured())
        profiler.dump_stats(spec["profile"])
        return result


def main() -> None:
    """Run the spec read from standard input; print the result as one JSON line."""
    result = run(json.load(sys.stdin))
    result["errnos"] = {str(k): v for k, v in result.get("errnos", {}).items()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
