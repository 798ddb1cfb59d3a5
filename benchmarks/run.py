"""Benchmarks of the eeo_async client against a floor, on a canned server in another process.

``make bench`` (``python benchmarks/run.py``) prints every table; ``--smoke`` runs every
code path at tiny sizes in seconds (the test suite does); ``--only NAME`` runs one
benchmark (repeatable). Each client measurement runs in a fresh process, so the CPU it
reports is its own; the server is another process and reports its own CPU too.

A new benchmark is a function ``(Sizes) -> None`` that prints its table, and a row in
``BENCHMARKS``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: Credentials for the canned server, which checks none; never printed.
SID = 1
SECRET = "benchmark-secret"
COURSE = 7_000_001
CHUNK = 100
HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
#: Every table printed and every process run, for ``--json`` (specs without credentials).
TABLES: list[dict[str, Any]] = []
RUNS: list[dict[str, Any]] = []


@dataclass(frozen=True)
class Sizes:
    """Every size of a run; ``FULL`` for ``make bench``, ``SMOKE`` for ``--smoke``."""

    reps: int = 5
    #: (a) and (b): students x lessons (chunks of 100), the in-flight counts.
    students: int = 4_000
    lessons: int = 100
    speed_in_flight: tuple[int, ...] = (16, 64)
    latency: float = 0.020
    latency_in_flight: tuple[int, ...] = (16, 64, 256)
    #: (c): calls (one per student), lessons per call, the in-flight counts.
    single_calls: int = 2_000
    single_lessons: int = 100
    single_in_flight: tuple[int, ...] = (1, 50)
    #: (d): students x lessons, 114 rates, attempts (None: the SDK's default).
    retry_students: int = 200
    retry_lessons: int = 200
    retry_rates: tuple[float, ...] = (0.05, 0.20, 0.50)
    retry_max_attempts: int | None = None
    #: (e): (students, lessons) per job.
    memory_jobs: tuple[tuple[int, int], ...] = ((10_000, 100), (50_000, 100))
    #: (e) reading back: the memory job whose report is loaded again; the command's
    #: enrolment (students, lessons) resumed from its journal, and the share of items
    #: the server answers 114 (with one attempt, those are left for the resume).
    readback_job: tuple[int, int] = (10_000, 100)
    resume_job: tuple[int, int] = (3_000, 100)
    resume_busy: float = 0.1
    #: correctness check against the sandbox: students x lessons.
    check_students: int = 20
    check_lessons: int = 150
    profile_lines: int = 15
    #: adaptive concurrency: students x lessons, the sandbox's capacity, its latency,
    #: the fixed settings, the adaptive ceiling, repetitions.
    adaptive_students: int = 2_000
    adaptive_lessons: int = 20
    adaptive_capacity: int = 12
    adaptive_latency: float = 0.020
    adaptive_fixed: tuple[int, ...] = (4, 12, 64)
    adaptive_ceiling: int = 64
    adaptive_reps: int = 3
    #: repetitions without a capacity limit, where a run is short and the noise large.
    adaptive_free_reps: int = 7
    #: also the capacity answered with HTTP 429 and Retry-After: 1 (each busy call waits 1 s).
    adaptive_429: bool = True
    #: the demo's noise: this share of calls and of items answered 114 at random, whatever
    #: the load, with no capacity limit; the fixed settings run against it.
    adaptive_noise: float = 0.02
    adaptive_noise_fixed: tuple[int, ...] = (12, 64)
    #: (g) and (h): pushes per measurement, the numbers in flight, repetitions, and the
    #: push counts after which receive's memory is read.
    receive_messages: int = 3_000
    receive_in_flight: tuple[int, ...] = (1, 16)
    receive_reps: int = 3
    receive_memory: tuple[int, ...] = (10_000, 50_000, 100_000)
    #: the upload benchmark's file, in MiB.
    upload_mib: int = 200


FULL = Sizes()
SMOKE = Sizes(
    reps=1,
    students=20,
    lessons=150,
    speed_in_flight=(2, 4),
    latency=0.002,
    latency_in_flight=(2, 4, 8),
    single_calls=20,
    single_lessons=10,
    single_in_flight=(1, 4),
    retry_students=10,
    retry_lessons=150,
    retry_rates=(0.2,),
    retry_max_attempts=2,
    memory_jobs=((50, 100),),
    readback_job=(50, 100),
    resume_job=(30, 100),
    check_students=3,
    check_lessons=120,
    profile_lines=5,
    adaptive_students=40,
    adaptive_lessons=10,
    adaptive_capacity=3,
    adaptive_latency=0.005,
    adaptive_fixed=(1, 3, 8),
    adaptive_ceiling=8,
    adaptive_reps=1,
    adaptive_free_reps=1,
    adaptive_429=False,
    adaptive_noise_fixed=(3, 8),
    receive_messages=200,
    receive_in_flight=(1, 4),
    receive_reps=1,
    receive_memory=(300, 1_000),
    upload_mib=2,
)

# ------------------------------------------------------------------------ processes


class CannedServer:
    """The canned server (``_canned.py``) in its own process: port, stats, stop."""

    def __init__(self, latency: float = 0.0, busy: float = 0.0, seed: int = 1) -> None:
        args = [sys.executable, str(HERE / "_canned.py"), "--latency", str(latency)]
        args += ["--busy", str(busy), "--seed", str(seed)]
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        first = self._read()
        self.base_url = f"http://127.0.0.1:{first['port']}"

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the canned server stopped")
        return dict(json.loads(line))

    def command(self, name: str) -> dict[str, Any]:
        """Send ``stats`` or ``reset``; ``stats`` answers with one JSON line."""
        assert self.process.stdin is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        return self._read() if name == "stats" else {}

    def close(self) -> None:
        """Close its standard input, which stops it; kill it if it lingers."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            if self.process.stdout is not None:
                self.process.stdout.close()


@contextmanager
def canned(latency: float = 0.0, busy: float = 0.0) -> Iterator[CannedServer]:
    """A canned server for the duration of the block."""
    server = CannedServer(latency, busy)
    try:
        yield server
    finally:
        server.close()


def spawn(script: str, spec: dict[str, Any], timeout: float = 900) -> dict[str, Any]:
    """Run ``script`` in a fresh process with ``spec`` on its standard input."""
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(HERE / script)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{done.stderr[-3000:]}")
    result = dict(json.loads(done.stdout.splitlines()[-1]))
    public = {k: v for k, v in spec.items() if k not in ("secret", "sid", "base_url")}
    RUNS.append({"script": script, "spec": public, "result": result})
    return result


def client_run(server: CannedServer, **spec: Any) -> dict[str, Any]:
    """One client measurement, with the server's CPU over the same time."""
    spec = {"base_url": server.base_url, "sid": SID, "secret": SECRET, "course": COURSE, **spec}
    before = server.command("stats")["cpu"]
    result = spawn("clients.py", spec)
    after = server.command("stats")
    result["server_cpu"] = after["cpu"] - before
    server.command("reset")
    if result.get("failed") or set(result.get("errnos", {})) - {"1"}:
        raise RuntimeError(f"{spec['impl']} got answers other than errno 1: {result}")
    # The server saw every call and every item: nobody skipped work.
    if (after["requests"], after["items"]) != (result["calls"], result["items"]):
        raise RuntimeError(f"{spec['impl']}: the server saw {after}, the client {result}")
    return result


# ---------------------------------------------------------------------------- output


def spread(values: Sequence[float], fmt: str = ".3f") -> str:
    """``median [min-max]`` of a few repetitions (just the value for one)."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:{fmt}}"
    return f"{median:{fmt}} [{min(values):{fmt}}-{max(values):{fmt}}]"


def ratio(sdk: Sequence[float], base: Sequence[float]) -> tuple[float, str]:
    """Ratio of the medians, and its text with the range of the per-repetition ratios."""
    value = statistics.median(sdk) / statistics.median(base)
    pairs = [s / b for s, b in zip(sdk, base, strict=True)]
    if len(pairs) == 1:
        return value, f"{value:.2f}x"
    return value, f"{value:.2f}x [{min(pairs):.2f}-{max(pairs):.2f}]"


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "not met"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], notes: str) -> None:
    TABLES.append({"title": title, "header": list(header), "rows": rows, "notes": notes})
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if notes:
        print(f"\n{notes}")
    sys.stdout.flush()


def server_share(runs: Sequence[dict[str, Any]]) -> str:
    """The server's CPU as a share of one core over the client's wall time (the maximum)."""
    return f"{max(r['server_cpu'] / r['wall'] for r in runs):.0%}"


# ------------------------------------------------------------------------ benchmarks


def bench_speed(sizes: Sizes) -> None:
    """(a) Batcher at 0 ms: client CPU per call, SDK vs the floor."""
    impls = [("sdk", "asyncio"), ("floor", "asyncio")]
    if HAS_UVLOOP:
        impls.append(("floor", "uvloop"))
    runs: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
    with canned() as server:
        for _ in range(sizes.reps):
            for in_flight in sizes.speed_in_flight:
                for impl, loop in impls:
                    runs[in_flight, impl, loop].append(
                        client_run(
                            server,
                            mode="batch",
                            impl=impl,
                            loop=loop,
                            students=sizes.students,
                            lessons=sizes.lessons,
                            concurrency=in_flight,
                        )
                    )
    rows = []
    for in_flight in sizes.speed_in_flight:
        per_call = {
            key[1:]: [1000 * r["cpu"] / r["calls"] for r in value]
            for key, value in runs.items()
            if key[0] == in_flight
        }
        value, text = ratio(per_call["sdk", "asyncio"], per_call["floor", "asyncio"])
        uv = spread(per_call["floor", "uvloop"]) if HAS_UVLOOP else "uvloop not installed"
        everything = [r for key, value in runs.items() if key[0] == in_flight for r in value]
        rows.append(
            [
                str(in_flight),
                spread(per_call["sdk", "asyncio"]),
                spread(per_call["floor", "asyncio"]),
                uv,
                text,
                "<= 0.9x",
                verdict(value, 0.9),
                spread([r["wall"] for r in runs[in_flight, "sdk", "asyncio"]], ".2f"),
                spread([r["wall"] for r in runs[in_flight, "floor", "asyncio"]], ".2f"),
                server_share(everything),
            ]
        )
    calls = sizes.students * math.ceil(sizes.lessons / CHUNK)
    table(
        f"(a) Batcher, 0 ms latency, {sizes.students * sizes.lessons:,} items ({calls:,} calls): client CPU ms per call",
        [
            "in flight",
            "SDK",
            "floor",
            "floor on uvloop",
            "SDK/floor",
            "target",
            "",
            "SDK wall s",
            "floor wall s",
            "server CPU (max)",
        ],
        rows,
        f"Median [range] of {sizes.reps} repetitions; CPU is user + system of the client process. "
        "Server CPU is the canned server's CPU over the client's wall time, in share of one core.",
    )


def bench_latency(sizes: Sizes) -> None:
    """(b) Batcher at 20 ms: wall time, SDK vs the floor."""
    runs: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    with canned(latency=sizes.latency) as server:
        for _ in range(sizes.reps):
            for in_flight in sizes.latency_in_flight:
                for impl in ("sdk", "floor"):
                    runs[in_flight, impl].append(
                        client_run(
                            server,
                            mode="batch",
                            impl=impl,
                            students=sizes.students,
                            lessons=sizes.lessons,
                            concurrency=in_flight,
                        )
                    )
    rows = []
    calls = sizes.students * math.ceil(sizes.lessons / CHUNK)
    for in_flight in sizes.latency_in_flight:
        sdk = [r["wall"] for r in runs[in_flight, "sdk"]]
        floor = [r["wall"] for r in runs[in_flight, "floor"]]
        value, text = ratio(sdk, floor)
        ideal = math.ceil(calls / in_flight) * sizes.latency
        rows.append(
            [
                str(in_flight),
                spread(sdk, ".2f"),
                spread(floor, ".2f"),
                f"{ideal:.2f}",
                text,
                "<= 1.05x",
                verdict(value, 1.05),
                server_share(runs[in_flight, "sdk"] + runs[in_flight, "floor"]),
            ]
        )
    table(
        f"(b) Batcher, {sizes.latency * 1000:.0f} ms latency, {sizes.students * sizes.lessons:,} items ({calls:,} calls): wall seconds",
        [
            "in flight",
            "SDK",
            "floor",
            "latency bound",
            "SDK/floor",
            "target",
            "",
            "server CPU (max)",
        ],
        rows,
        f"Median [range] of {sizes.reps} repetitions. The latency bound is calls / in flight x latency "
        "(no client or server time at all). "
        "The SDK's client gets max_connections=in flight where that is above its default of 100.",
    )


def bench_single(sizes: Sizes) -> None:
    """(c) single calls (the web-backend path): CPU per call, SDK vs hand-written."""
    runs: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    with canned() as server:
        for _ in range(sizes.reps):
            for in_flight in sizes.single_in_flight:
                for impl in ("sdk", "hand"):
                    runs[in_flight, impl].append(
                        client_run(
                            server,
                            mode="single",
                            impl=impl,
                            students=sizes.single_calls,
                            lessons=sizes.single_lessons,
                            concurrency=in_flight,
                        )
                    )
    rows = []
    for in_flight in sizes.single_in_flight:
        sdk = [1000 * r["cpu"] / r["calls"] for r in runs[in_flight, "sdk"]]
        hand = [1000 * r["cpu"] / r["calls"] for r in runs[in_flight, "hand"]]
        value, text = ratio(sdk, hand)
        rows.append(
            [
                str(in_flight),
                spread(sdk),
                spread(hand),
                text,
                "<= 1.1x",
                verdict(value, 1.1),
                server_share(runs[in_flight, "sdk"] + runs[in_flight, "hand"]),
            ]
        )
    table(
        f"(c) single calls, 0 ms latency, {sizes.single_calls:,} calls of {sizes.single_lessons} lessons: client CPU ms per call",
        ["in flight", "SDK", "hand-written aiohttp", "SDK/hand", "target", "", "server CPU (max)"],
        rows,
        f"Median [range] of {sizes.reps} repetitions. SDK: `await client.add_course_class_student(...)`, "
        "one call at a time per coroutine; hand-written: the same form signed and posted with aiohttp, "
        "`json.loads`, errnos counted.",
    )


def bench_v2(sizes: Sizes) -> None:
    """(j) API v2 beside v1: the client CPU of one call of each, in one run, same shape."""
    runs: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    with canned() as server:
        for _ in range(sizes.reps):
            for in_flight in sizes.single_in_flight:
                for mode in ("single", "single_v2"):
                    runs[in_flight, mode].append(
                        client_run(
                            server,
                            mode=mode,
                            impl="sdk",
                            students=sizes.single_calls,
                            lessons=sizes.single_lessons,
                            concurrency=in_flight,
                        )
                    )
    rows = []
    for in_flight in sizes.single_in_flight:
        v1 = [1000 * r["cpu"] / r["calls"] for r in runs[in_flight, "single"]]
        v2 = [1000 * r["cpu"] / r["calls"] for r in runs[in_flight, "single_v2"]]
        value, text = ratio(v2, v1)
        rows.append(
            [str(in_flight), spread(v1), spread(v2), text, "<= 1.05x", verdict(value, 1.05)]
        )
    table(
        f"(j) API v2 beside v1, 0 ms latency, {sizes.single_calls:,} calls of "
        f"{sizes.single_lessons} items: client CPU ms per call",
        ["in flight", "v1 addCourseClassStudent", "v2 lms.add_student", "v2/v1", "target", ""],
        rows,
        f"Median [range] of {sizes.reps} repetitions, alternating in one run against one canned "
        "server. v1: a form signed with safeKey, answers by position; v2: a JSON body signed "
        "in X-EEO-SIGN (md5 of the sorted scalar fields), answers matched by studentUid.",
    )


def best_retry_calls(busy_log: list[list[Any]], max_attempts: int) -> int:
    """Retry calls if every round sent all waiting items of a student together.

    ``busy_log`` rows are ``[student, attempt, items answered 114 at that attempt]``;
    items answered 114 at the last attempt are not retried.
    """
    return sum(math.ceil(n / CHUNK) for _, attempt, n in busy_log if attempt < max_attempts)


def bench_retry(sizes: Sizes) -> None:
    """(d) retry efficiency at item-level 114: retry calls vs the best possible."""
    max_attempts = sizes.retry_max_attempts or 5  # 5 is the SDK's default
    rows = []
    items = sizes.retry_students * sizes.retry_lessons
    first_pass = sizes.retry_students * math.ceil(sizes.retry_lessons / CHUNK)
    for rate in sizes.retry_rates:
        with canned(busy=rate) as server:
            for backoff, initial in (("default", None), ("none", 0.0)):
                spec = {
                    "base_url": server.base_url,
                    "sid": SID,
                    "secret": SECRET,
                    "course": COURSE,
                    "mode": "batch",
                    "impl": "sdk",
                    "students": sizes.retry_students,
                    "lessons": sizes.retry_lessons,
                    "concurrency": 16,
                    "max_attempts": sizes.retry_max_attempts,
                    "initial_backoff": initial,
                }
                result = spawn("clients.py", spec)
                stats = server.command("stats")
                server.command("reset")
                best = best_retry_calls(stats["busy_log"], max_attempts)
                assert result["calls"] == stats["requests"], (result, stats["requests"])
                assert result["calls"] - result["retries"] == first_pass
                value = result["retries"] / best if best else 1.0
                rows.append(
                    [
                        f"{rate:.0%}",
                        backoff,
                        f"{stats['busy_items']:,}",
                        f"{result['retries']:,}",
                        f"{best:,}",
                        f"{value:.2f}x",
                        "<= 1.15x",
                        verdict(value, 1.15),
                        f"{result['failed']:,}",
                        f"{result['wall']:.1f}",
                    ]
                )
    table(
        f"(d) retry efficiency, enroll of {sizes.retry_students} students x {sizes.retry_lessons} lessons = {items:,} items ({first_pass:,} first-pass calls), 16 in flight, {max_attempts} attempts",
        [
            "item 114",
            "backoff",
            "answered 114",
            "retry calls",
            "best possible",
            "ratio",
            "target",
            "",
            "failed in the end",
            "wall s",
        ],
        rows,
        "The server answers 114 for a deterministic draw of (student, lesson, attempt) and logs, per "
        "student and attempt, how many items it answered 114. Best possible: every retry round sends "
        "all waiting items of a student together, sum over students and rounds of ceil(waiting / 100). "
        "Default backoff: 0.5 s doubling, plus up to 0.5 s jitter; none: initial_backoff=0.",
    )


def _write_cell(result: dict[str, Any], kind: str) -> str:
    """Extra peak of writing the report, and its ratio to the report's own memory (<= 2)."""
    extra, own = result.get(f"{kind}_write_mb"), result.get("report_mb")
    if extra is None or not own:
        return "n/a"
    ratio = extra / own
    return f"{extra:.1f} ({ratio:.2f}x, {verdict(ratio, 2.0)})"


def bench_memory(sizes: Sizes) -> None:
    """(e) memory: bytes per item above the job process's own baseline; reading back."""
    with tempfile.TemporaryDirectory() as folder:
        job = memory_jobs(sizes, folder)
        bench_readback(sizes, Path(folder), job)


def memory_jobs(sizes: Sizes, keep: str) -> dict[str, Any]:
    """The (e) table; the result of the job whose report is kept in ``keep`` for reading."""
    rows = []
    methods: set[str] = set()
    kept: dict[str, Any] = {}
    with canned() as server:
        for students, lessons in sizes.memory_jobs:
            spec = {
                "base_url": server.base_url,
                "sid": SID,
                "secret": SECRET,
                "course": COURSE,
                "students": students,
                "lessons": lessons,
                "concurrency": 64,
            }
            if (students, lessons) == sizes.readback_job:
                spec["keep"] = keep
            result = spawn("memory.py", spec)
            if (students, lessons) == sizes.readback_job:
                kept = result
            server.command("reset")
            per_item = result["bytes_per_item"]
            methods.add(result["method"])
            rows.append(
                [
                    f"{result['items']:,}",
                    f"{result['calls']:,}",
                    f"{result['baseline_mb']:.1f}",
                    f"{result['peak_mb']:.1f}",
                    f"{result['above_mb']:.1f}",
                    f"{per_item:.1f}",
                    "<= 30",
                    verdict(per_item, 30),
                    f"{result['wall']:.1f}",
                    _write_cell(result, "json"),
                    _write_cell(result, "csv"),
                ]
            )
    table(
        "(e) memory of an enroll job (Batcher, 64 in flight, canned server at 0 ms)",
        [
            "items",
            "calls",
            "baseline MB",
            "peak MB",
            "above baseline MB",
            "bytes per item",
            "target",
            "",
            "wall s",
            "writing JSON: extra MB (x report)",
            "writing CSV: extra MB (x report)",
        ],
        rows,
        "Each job runs in a fresh process that imports the SDK, builds its input lists, resets its "
        "peak RSS (`echo 5 > /proc/self/clear_refs`) and reads VmRSS as the baseline; the peak is "
        "VmHWM from /proc/self/status after the job (the report included, still alive). "
        "Writing: the extra peak of `report.write_json(path)` and `report.to_csv(path)` from a "
        "reset peak, and its ratio to the report's own memory (RSS above the baseline once the "
        f"job has ended; target <= 2x). Peak measured by: {', '.join(sorted(methods))}.",
    )
    return kept


def bench_readback(sizes: Sizes, folder: Path, job: dict[str, Any]) -> None:
    """(e) reading back: a report loaded, a journal resumed, against the job's own memory."""
    rows = []
    for name, what in (("report.json", "JSON"), ("report.csv", "CSV (with a BOM)")):
        loaded = spawn("memory.py", {"mode": "load", "path": str(folder / name)})
        times = loaded["above_mb"] / job["above_mb"]
        rows.append(
            [
                f"`BatchReport.load`, {what}",
                f"{loaded['items']:,}",
                "",
                f"{job['above_mb']:.1f}",
                f"{loaded['above_mb']:.1f}",
                f"{times:.2f}x",
                "<= 2x",
                verdict(times, 2.0),
                f"{loaded['wall']:.1f}",
            ]
        )
    students, lessons = sizes.resume_job
    items = students * lessons
    sfile, lfile, journal = folder / "students.txt", folder / "lessons.txt", folder / "j.db"
    sfile.write_text("".join(f"{1_000_001 + i}\n" for i in range(students)))
    lfile.write_text("".join(f"{5_000_001 + i}\n" for i in range(lessons)))
    args = ["enroll", "--course", str(COURSE), "--students", str(sfile), "--lessons", str(lfile)]
    args += ["--journal", str(journal), "--max-attempts", "1", "--no-progress"]
    runs = []
    with canned(busy=sizes.resume_busy) as server:
        spec = {"mode": "command", "base_url": server.base_url, "sid": SID, "secret": SECRET}
        for _ in ("first run", "resumed"):
            result = spawn("memory.py", {**spec, "args": args, "items": items})
            result["sent"] = server.command("stats")["items"]
            server.command("reset")
            runs.append(result)
    first, again = runs
    for label, result in (("first run", first), ("resumed from its journal", again)):
        times = result["above_mb"] / first["above_mb"]
        rows.append(
            [
                f"`eeo-async enroll --journal`, {label}",
                f"{items:,}",
                f"{result['sent']:,}",
                f"{first['above_mb']:.1f}",
                f"{result['above_mb']:.1f}",
                f"{times:.2f}x",
                "<= 2x",
                verdict(times, 2.0),
                f"{result['wall']:.1f}",
            ]
        )
    table(
        "(e) reading back: a report loaded, a journal resumed, against the job's own memory",
        [
            "what",
            "items",
            "items sent",
            "job's own MB",
            "MB above baseline",
            "x job",
            "target",
            "",
            "wall s",
        ],
        rows,
        "Each row is a fresh process (`memory.py`), its peak RSS above its own baseline as in "
        "(e). Loads read the report of the (e) job of the same size, written by "
        "`write_json` and `to_csv(bom=True)`; the job's own MB is that job's. The journal rows "
        "run the command's entry point in-process: an enrolment with `--journal` and "
        f"`--max-attempts 1` against the canned server answering {sizes.resume_busy:.0%} of "
        "the items 114, then the same command again, which skips what the journal holds as "
        "done and re-sends the rest; its job's own MB is the first run's.",
    )


def bench_upload(sizes: Sizes) -> None:
    """(i) an upload's memory: the peak above the baseline, beside the file's size."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        _sandbox_process(0, 0, 0, "--max-upload-bytes", "0") as (info, _),
    ):
        path = Path(tmp) / f"lesson-{sizes.upload_mib}MiB.mp4"
        block = os.urandom(1024 * 1024)
        with path.open("wb") as out:
            for _ in range(sizes.upload_mib):
                out.write(block)
        spec = {k: info[k] for k in ("base_url", "sid", "secret")} | {"path": str(path)}
        result = spawn("upload.py", spec)
    target = 32.0
    table(
        "(i) memory of an upload_file (cloud drive, multipart streamed from disk, sandbox)",
        ["file MB", "server listed", "baseline MB", "peak MB", "above baseline MB",
         "tracemalloc peak MB", "target", "", "wall s"],
        [[
            f"{result['file_mb']:.0f}",
            result["listed"],
            f"{result['baseline_mb']:.1f}",
            f"{result['peak_mb']:.1f}",
            f"{result['above_mb']:.1f}",
            f"{result['traced_peak_mb']:.2f}",
            f"<= {target:.0f} (flat)",
            verdict(result["above_mb"], target),
            f"{result['wall']:.1f}",
        ]],
        "One upload of a file of random bytes in a fresh process that imports the SDK, resets "
        "its peak RSS and reads VmRSS as the baseline; the peak is VmHWM after the upload (the "
        f"file is {result['file_mb']:.0f} MB: a process that read it whole would peak above "
        "that). The tracemalloc peak is a second upload's Python allocations. The sandbox runs "
        "in its own process and counts the bytes without keeping them; its listing gives the "
        f"size it received. Peak measured by: {result['method']}.",
    )  # fmt: skip


def bench_check(sizes: Sizes) -> None:
    """Correctness: the SDK and the floor enrol for real into the sandbox (checked)."""
    rows = []
    with _sandbox_process(sizes.check_students, sizes.check_lessons, 2) as (info, _):
        for impl in ("sdk", "floor"):
            course, lessons = info["courses"].pop()
            spec = {
                "base_url": info["base_url"],
                "sid": info["sid"],
                "secret": info["secret"],
                "course": course,
                "mode": "batch",
                "impl": impl,
                "students": info["students"],
                "lessons": lessons,
                "concurrency": 4,
            }
            result = spawn("clients.py", spec)
            items = len(info["students"]) * len(lessons)
            if impl == "sdk":
                ok = result["items"] == result["succeeded"] == items
            else:
                ok = result["errnos"] == {"1": items}
            rows.append(
                [impl, f"{result['items']:,}", f"{result['calls']:,}", "ok" if ok else "FAILED"]
            )
            if not ok:
                raise RuntimeError(f"{impl} did not enrol everything in the sandbox: {result}")
    table(
        "correctness: the same clients against the sandbox (signatures and IDs checked)",
        ["client", "items", "calls", "every item answered 1"],
        rows,
        "",
    )


@contextmanager
def _sandbox_process(
    students: int, lessons: int, courses: int, *extra: str
) -> Iterator[tuple[dict[str, Any], Callable[[], dict[str, Any]]]]:
    """The seeded sandbox in its own process (``_server.py``).

    Yields what it printed and a function that asks it for its stats (and resets them).
    """
    args = [sys.executable, str(HERE / "_server.py")]
    args += ["--students", str(students), "--lessons", str(lessons)]
    args += ["--courses", str(courses), *extra]
    process = subprocess.Popen(  # noqa: S603 - our own script
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )

    def stats() -> dict[str, Any]:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write("stats\n")
        process.stdin.flush()
        return dict(json.loads(process.stdout.readline()))

    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox process did not start")
        yield json.loads(line), stats
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _where(path: str, line: int, name: str) -> str:
    """A profile entry as ``package/module.py:line(name)``, without the site's directories."""
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{short}:{line}({name})"


#: Event-loop plumbing, left out of the cumulative view (it holds everything).
LOOP_PLUMBING = ("runners.py", "base_events.py", "events.py", "_contextvars")


def profile_rows(path: str, sort: str, limit: int, only: str = "") -> list[list[str]]:
    """The top ``limit`` entries of a cProfile dump by ``sort``, optionally one package's."""
    stats = pstats.Stats(path).stats  # type: ignore[attr-defined]  # not in typeshed
    entries = [
        (where, calls, own, total)
        for where, (_, calls, own, total, _) in stats.items()
        if only in where[0]
        and not (sort == "cumulative" and any(p in _where(*where) for p in LOOP_PLUMBING))
    ]
    index = 2 if sort == "tottime" else 3
    entries.sort(key=lambda entry: entry[index], reverse=True)
    return [
        [_where(*where), f"{calls:,}", f"{own:.3f}", f"{total:.3f}"]
        for where, calls, own, total in entries[:limit]
    ]


def bench_profile(sizes: Sizes) -> None:
    """cProfile of the SDK in (a) at the largest in-flight count: the top entries."""
    in_flight = max(sizes.speed_in_flight)
    with tempfile.TemporaryDirectory() as tmp, canned() as server:
        path = str(Path(tmp) / "sdk.prof")
        result = client_run(
            server,
            mode="batch",
            impl="sdk",
            students=sizes.students,
            lessons=sizes.lessons,
            concurrency=in_flight,
            profile=path,
        )
        header = ["function", "calls", "own s", "cumulative s"]
        n = sizes.profile_lines
        what = f"the SDK in (a), {sizes.students * sizes.lessons:,} items at {in_flight} in flight"
        note = (
            f"Under cProfile the job took {result['wall']:.2f} s of wall time. A coroutine counts "
            "one call per resumption; the event loop's own frames (which hold everything) are left out "
            "of the cumulative view."
        )
        table(
            f"cProfile of {what}: top {n} by cumulative time",
            header,
            profile_rows(path, "cumulative", n),
            note,
        )
        table(
            f"cProfile of {what}: top {n} by own time", header, profile_rows(path, "tottime", n), ""
        )
        table(
            f"cProfile of {what}: the SDK's own functions (eeo_async), top {n} by own time",
            header,
            profile_rows(path, "tottime", n, only=f"eeo_async{os.sep}"),
            "",
        )


def _adaptive_runs(
    sizes: Sizes, where: str, settings: list[tuple[str, int]], reps: int, extra: list[str]
) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
    """(f): ``reps`` runs of each setting against one sandbox process started with ``extra``."""
    runs: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    courses = reps * len(settings)
    with _sandbox_process(sizes.adaptive_students, sizes.adaptive_lessons, courses, *extra) as (
        info,
        server_stats,
    ):
        for _ in range(reps):
            for mode, concurrency in settings:
                course, lessons = info["courses"].pop()
                spec = {
                    "base_url": info["base_url"],
                    "sid": info["sid"],
                    "secret": info["secret"],
                    "course": course,
                    "mode": "batch",
                    "impl": "sdk",
                    "students": info["students"],
                    "lessons": lessons,
                    "concurrency": concurrency,
                    "adaptive": mode == "adaptive",
                }
                result = spawn("clients.py", spec)
                seen = server_stats()
                if seen["requests"] != result["calls"]:
                    raise RuntimeError(f"the sandbox saw {seen}, the client {result}")
                result["server_busy"] = seen["busy"]
                result["server_max_in_flight"] = seen["max_in_flight"]
                runs[where, mode, concurrency].append(result)
    return runs


def bench_adaptive(sizes: Sizes) -> None:
    """Adaptive concurrency against the sandbox with a capacity, and without one."""
    items = sizes.adaptive_students * sizes.adaptive_lessons
    ceiling = sizes.adaptive_ceiling
    limited = [*(("fixed", n) for n in sizes.adaptive_fixed), ("adaptive", ceiling)]
    unlimited = [("fixed", ceiling), ("adaptive", ceiling)]
    # The same capacity answered with HTTP 429 and Retry-After: 1 (no target: for reading).
    best_guess = sizes.adaptive_capacity
    with_429 = [("fixed", best_guess), ("adaptive", ceiling)]
    # The demo's noise: random 114s to calls and items, whatever the load, no capacity.
    noisy = [*(("fixed", n) for n in sizes.adaptive_noise_fixed), ("adaptive", ceiling)]
    noise = f"{sizes.adaptive_noise:g}"
    noisy_where = f"random 114, {sizes.adaptive_noise:.0%} of calls and items"
    runs: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    groups = [
        (sizes.adaptive_capacity, "114", limited, sizes.adaptive_reps),
        (None, "114", unlimited, sizes.adaptive_free_reps),
        (None, "noise", noisy, sizes.adaptive_reps),
    ]
    if sizes.adaptive_429:
        groups.append((sizes.adaptive_capacity, "429", with_429, sizes.adaptive_reps))
    for capacity, answer, settings, reps in groups:
        extra = ["--latency", str(sizes.adaptive_latency)]
        if capacity is not None:
            extra += ["--capacity", str(capacity), "--capacity-answer", answer]
        where = f"capacity {capacity}" if capacity else "no capacity limit"
        if answer == "noise":
            extra += ["--call-busy", noise, "--item-busy", noise]
            where = noisy_where
        elif answer != "114":
            where += f", HTTP {answer}"
        runs.update(_adaptive_runs(sizes, where, settings, reps, extra))
    rows = []
    for (where, mode, concurrency), results in runs.items():
        rows.append(
            [
                where,
                f"{mode} {concurrency}",
                spread([r["wall"] for r in results], ".2f"),
                spread([r["calls"] for r in results], ".0f"),
                spread([r["busy_calls"] for r in results], ".0f"),
                spread([r["server_busy"] for r in results], ".0f"),
                spread([r["failed"] + r["unknown"] for r in results], ".0f"),
                spread([r["final"] for r in results], ".0f"),
                spread([r["mean"] for r in results], ".1f"),
                spread([r["server_max_in_flight"] for r in results], ".0f"),
            ]
        )
    table(
        f"(f) adaptive concurrency, enroll of {sizes.adaptive_students:,} students x "
        f"{sizes.adaptive_lessons} lessons = {items:,} items, sandbox at "
        f"{sizes.adaptive_latency * 1000:.0f} ms latency",
        [
            "server",
            "concurrency",
            "wall s",
            "calls",
            "busy answers",
            "busy (server count)",
            "not done in the end",
            "final",
            "mean",
            "server max in flight",
        ],
        rows,
        f"Median [range] of {sizes.adaptive_reps} repetitions ({sizes.adaptive_free_reps} without "
        "a capacity limit, where a run is short), settings interleaved. The sandbox runs in its own "
        "process and answers 114 at once to a request arriving while `capacity` are in flight "
        "(HTTP 429 with `Retry-After: 1` in the last rows, which every busy call then waits out). "
        "The random-114 rows have no capacity: the sandbox answers 114 to that share of calls and "
        "of items at random, whatever the load (the demo's noise). "
        "Busy answers: calls the client's report counts as answered busy (whole, or some of their "
        "items); the server's own count of calls refused whole beside it. Final and mean: the "
        "report's concurrency record (a fixed setting is its own). "
        "Default retry settings (5 attempts, 0.5 s initial backoff).",
    )
    limited_where = f"capacity {sizes.adaptive_capacity}"

    def median(where: str, mode: str, concurrency: int, key: str) -> float:
        return float(statistics.median(r[key] for r in runs[where, mode, concurrency]))

    best = min(sizes.adaptive_fixed, key=lambda n: median(limited_where, "fixed", n, "wall"))
    adaptive_wall = median(limited_where, "adaptive", ceiling, "wall")
    best_wall = median(limited_where, "fixed", best, "wall")
    busy = median(limited_where, "adaptive", ceiling, "busy_calls")
    fixed_busy = median(limited_where, "fixed", ceiling, "busy_calls")
    free_runs = [runs["no capacity limit", mode, ceiling] for mode in ("adaptive", "fixed")]
    free, free_text = ratio(*([r["wall"] for r in group] for group in free_runs))
    adaptive_wall_free = median("no capacity limit", "adaptive", ceiling, "wall")
    time_ratio = adaptive_wall / best_wall
    busy_share = busy / fixed_busy if fixed_busy else 0.0
    noisy_best = min(
        sizes.adaptive_noise_fixed, key=lambda n: median(noisy_where, "fixed", n, "wall")
    )
    noisy_ratio = median(noisy_where, "adaptive", ceiling, "wall") / median(
        noisy_where, "fixed", noisy_best, "wall"
    )
    noisy_mean = median(noisy_where, "adaptive", ceiling, "mean")
    table(
        "(f) adaptive concurrency: against the targets",
        ["target", "measured", "", "goal"],
        [
            [
                f"{limited_where}: wall time, adaptive {ceiling} / best fixed ({best})",
                f"{time_ratio:.2f}x",
                verdict(time_ratio, 1.1),
                "<= 1.1x",
            ],
            [
                f"{noisy_where}: wall time, adaptive {ceiling} / best fixed ({noisy_best})",
                f"{noisy_ratio:.2f}x (mean concurrency {noisy_mean:.1f})",
                verdict(noisy_ratio, 1.1),
                "<= 1.1x",
            ],
            [
                f"busy answers, adaptive {ceiling} / fixed {ceiling}",
                f"{busy:.0f} / {fixed_busy:.0f} = {busy_share:.3f}",
                verdict(busy_share, 0.1),
                "<= 0.1",
            ],
            [
                f"no capacity limit: wall time, adaptive {ceiling} / fixed {ceiling}",
                f"{adaptive_wall_free:.2f} s, {free_text}",
                verdict(free, 1.05),
                "<= 1.05x",
            ],
        ],
        "Ratios of the medians (and the range of the per-repetition ratios).",
    )


def bench_receive(sizes: Sizes) -> None:
    """(g) acks per second of ``eeo-async receive`` beside a bare aiohttp ack; (h) its memory."""
    import receive

    runs = receive.throughput(sizes.receive_messages, sizes.receive_in_flight, sizes.receive_reps)
    rows = []
    for in_flight in sizes.receive_in_flight:
        rates = {kind: [r["acks_per_s"] for r in runs[in_flight, kind]] for kind in receive.KINDS}
        cpu = {kind: [r["cpu_ms_per_ack"] for r in runs[in_flight, kind]] for kind in receive.KINDS}
        for kind in receive.KINDS[1:]:
            value, text = ratio(rates[kind], rates["bare"])
            rows.append(
                [
                    str(in_flight),
                    "receive" + (" --sync normal" if kind.endswith("normal") else ""),
                    spread(rates[kind], ".0f"),
                    spread(rates["bare"], ".0f"),
                    text,
                    ">= 0.5x",
                    "met" if value >= 0.5 else "not met",
                    spread(cpu[kind], ".3f"),
                    spread(cpu["bare"], ".3f"),
                ]
            )
    table(
        f"(g) receive: acks per second, {sizes.receive_messages:,} signed pushes per run, beside a bare aiohttp ack",
        [
            "in flight",
            "server",
            "acks/s",
            "bare acks/s",
            "ratio",
            "target",
            "",
            "server CPU ms/ack",
            "bare CPU ms/ack",
        ],
        rows,
        f"Median [range] of {sizes.receive_reps} repetitions, the three servers interleaved. Each server "
        "is its own process; one aiohttp client here pushes the docs' samples, each with a new `_id`. "
        "1 in flight is ClassIn's own pattern (one ordered queue). `receive` verifies, parses, "
        "deduplicates and commits each push (WAL, synchronous=FULL: a disk sync per commit, shared by "
        "pushes in flight together) before it acks; `--sync normal` survives a kill but not a power cut. "
        "The bare server reads the body and answers the ack.",
    )
    points = receive.memory(sizes.receive_memory)
    first = points[0]
    mem_rows = [
        [f"{n:,}", f"{rss:.1f}", f"{peak:.1f}", f"{peak - first[2]:+.1f}", f"{size:.1f}"]
        for n, rss, peak, size in points
    ]
    table(
        f"(h) receive memory: one process, {sizes.receive_memory[-1]:,} pushes (16 in flight)",
        ["pushes so far", "RSS MB", "peak RSS MB", "peak since the first row", "store on disk MB"],
        mem_rows,
        "VmRSS and VmHWM of the `eeo-async receive` process after each count; the store keeps every "
        "message (`events=True`), on disk, not in memory.",
    )


@dataclass(frozen=True)
class Benchmark:
    """A named benchmark: the function printing its table; run by default or not."""

    run: Callable[[Sizes], None]
    default: bool = True


BENCHMARKS: dict[str, Benchmark] = {
    "speed": Benchmark(bench_speed),
    "latency": Benchmark(bench_latency),
    "single": Benchmark(bench_single),
    "retry": Benchmark(bench_retry),
    "memory": Benchmark(bench_memory),
    "check": Benchmark(bench_check),
    "adaptive": Benchmark(bench_adaptive),
    "receive": Benchmark(bench_receive),
    "upload": Benchmark(bench_upload),
    "v2": Benchmark(bench_v2),
    "profile": Benchmark(bench_profile, default=False),
}


# --------------------------------------------------------------------------- machine


def machine() -> str:
    """nproc, CPU model, Python, aiohttp (and uvloop) versions."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = [f"Python {platform.python_version()}"]
    for package in ("aiohttp", "uvloop"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    return f"{os.cpu_count()} cores ({platform.machine()}, {cpu}), {', '.join(versions)}"


def load() -> str:
    """The load averages: other work on the machine skews the numbers."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        help="run only this benchmark (repeatable; 'profile' runs only when named)",
    )
    parser.add_argument(
        "--json", metavar="PATH", help="also write every table and every run's numbers here"
    )
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    # A smoke run goes through every code path, the benchmarks off by default included.
    names = args.only or [name for name, b in BENCHMARKS.items() if b.default or args.smoke]
    started = time.perf_counter()
    header_date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# eeo_async benchmarks, {header_date}")
    print(f"\n{machine()}; {'smoke sizes' if args.smoke else 'full sizes'}; {load()} at the start")
    for name in names:
        BENCHMARKS[name].run(sizes)
    print(f"\n{time.perf_counter() - started:.0f} s in all; {load()} at the end")
    if args.json:
        doc = {"date": header_date, "machine": machine(), "smoke": args.smoke}
        doc |= {"tables": TABLES, "runs": RUNS}
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
