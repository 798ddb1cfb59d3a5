"""Benchmarks: the SDK against the floor and the sequential way, memory, retry efficiency.

Run with ``make bench`` (a few minutes) or ``python benchmarks/run.py --smoke`` (seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clients

import eeo_async as eeo
from eeo_async.testing import Faults, Sandbox

HERE = Path(__file__).resolve().parent


@contextmanager
def server(students: int, lessons: int, courses: int, latency: float) -> Iterator[dict[str, Any]]:
    """A sandbox in its own process; yields what it printed (URL, credentials, IDs)."""
    args = [
        sys.executable,
        str(HERE / "_server.py"),
        "--students",
        str(students),
        "--lessons",
        str(lessons),
        "--courses",
        str(courses),
        "--latency",
        str(latency),
    ]
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox process did not start")
        yield json.loads(line)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(run: Callable[[], int]) -> tuple[float, float, int]:
    """Wall seconds, client CPU seconds and calls of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    calls = run()
    return time.perf_counter() - wall, time.process_time() - cpu, calls


def speed(
    latencies: list[float],
    students: int,
    lessons: int,
    reps: int,
    concurrency: int,
    sequential_students: int,
) -> list[dict[str, Any]]:
    rows = []
    for latency in latencies:
        courses = 2 * reps + 1
        with server(students, lessons, courses, latency) as info:
            ids = info["students"]
            course_list = iter(info["courses"])
            results: dict[str, list[tuple[float, float, int]]] = {"sdk": [], "floor": []}
            for _ in range(reps):
                for name in ("sdk", "floor"):
                    course, lesson_ids = next(course_list)
                    method = getattr(clients, name)
                    results[name].append(
                        measure(
                            lambda m=method, c=course, ls=lesson_ids: asyncio.run(
                                m(info, c, ls, ids, concurrency)
                            )
                        )
                    )
            course, lesson_ids = next(course_list)
            subset = ids[:sequential_students]
            seq_wall, _, seq_calls = measure(
                lambda: clients.sequential(info, course, lesson_ids, subset)
            )
        sdk_wall = statistics.median(r[0] for r in results["sdk"])
        floor_wall = statistics.median(r[0] for r in results["floor"])
        calls = results["sdk"][0][2]
        scale = calls / seq_calls
        rows.append(
            {
                "latency_ms": latency * 1000,
                "calls": calls,
                "sdk_s": sdk_wall,
                "floor_s": floor_wall,
                "sequential_s": seq_wall * scale,
                "sequential_measured_calls": seq_calls,
                "sdk_cpu_ms_per_call": 1000
                * statistics.median(r[1] for r in results["sdk"])
                / calls,
                "floor_cpu_ms_per_call": 1000
                * statistics.median(r[1] for r in results["floor"])
                / calls,
                "sdk_calls_per_s": calls / sdk_wall,
            }
        )
    return rows


def memory(students: int, lessons: int) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(HERE / "memory.py"),
            "--students",
            str(students),
            "--lessons",
            str(lessons),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return dict(json.loads(done.stdout))


async def retry_efficiency(students: int, lessons: int, item_busy: float) -> dict[str, Any]:
    async with Sandbox(seed=11, faults=Faults(item_busy=item_busy)) as sb:
        ids = sb.add_students(students)
        course = sb.add_course(lessons=lessons)
        async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
            batcher = eeo.Batcher(
                client, concurrency=16, max_attempts=8, initial_backoff=0, max_backoff=0
            )
            report = await batcher.enroll(course.course_id, ids, course.class_ids)
        retried_items = sb.stats.faults_injected["item_busy"]
    first = -(-lessons // 100) * students
    return {
        "items": report.total,
        "first_pass_calls": first,
        "retry_calls": report.calls - first,
        "items_answered_114": retried_items,
        "failed": report.failed,
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {platform.machine()}, {cpu}, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition (CI)")
    args = parser.parse_args()
    if args.smoke:
        sizes = {
            "latencies": [0.0],
            "students": 6,
            "lessons": 150,
            "reps": 1,
            "concurrency": 4,
            "sequential_students": 2,
        }
        mem = (20, 50)
        retry = (10, 150)
    else:
        sizes = {
            "latencies": [0.0, 0.02, 0.05],
            "students": 200,
            "lessons": 200,
            "reps": 3,
            "concurrency": 16,
            "sequential_students": 20,
        }
        mem = (1000, 1000)
        retry = (200, 200)
    print(f"eeo_async benchmarks, {time.strftime('%Y-%m-%d')}, {machine()}")
    rows = speed(
        sizes["latencies"],
        sizes["students"],
        sizes["lessons"],
        sizes["reps"],
        sizes["concurrency"],
        sizes["sequential_students"],
    )
    print()
    print(
        f"enroll {sizes['students']} students x {sizes['lessons']} lessons, concurrency {sizes['concurrency']}, median of {sizes['reps']}"
    )
    print(
        "| latency | calls | SDK s | floor s | sequential s* | SDK/floor | seq/SDK | SDK calls/s | CPU ms/call SDK | CPU ms/call floor | CPU SDK/floor |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['latency_ms']:.0f} ms | {r['calls']} | {r['sdk_s']:.2f} | {r['floor_s']:.2f} | {r['sequential_s']:.2f} | "
            f"{r['sdk_s'] / r['floor_s']:.2f}x | {r['sequential_s'] / r['sdk_s']:.1f}x | {r['sdk_calls_per_s']:.0f} | "
            f"{r['sdk_cpu_ms_per_call']:.2f} | {r['floor_cpu_ms_per_call']:.2f} | {r['sdk_cpu_ms_per_call'] / r['floor_cpu_ms_per_call']:.2f}x |"
        )
    print(
        f"* sequential measured on {rows[0]['sequential_measured_calls']} calls and scaled to the same call count"
    )
    m = memory(*mem)
    print()
    print(
        f"memory: enroll of {m['items']} items ({m['calls']} calls, fake transport) in {m['seconds']:.1f} s: "
        f"peak RSS {m['peak_mb']:.0f} MB ({m['baseline_mb']:.0f} MB before the job), {m['bytes_per_item']:.0f} bytes per item"
    )
    e = asyncio.run(retry_efficiency(*retry, 0.05))
    print()
    print(
        f"retries: {e['items']} items with 5% per-item 114: {e['items_answered_114']} items answered 114, "
        f"retried in {e['retry_calls']} calls (one call per failed item would be {e['items_answered_114']}); "
        f"{e['first_pass_calls']} first-pass calls, {e['failed']} failed in the end"
    )


if __name__ == "__main__":
    main()
