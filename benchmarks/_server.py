"""Serve a seeded sandbox in its own process, for the benchmarks' correctness check.

The speed tables use the canned server (``_canned.py``) instead: the sandbox checks
signatures and IDs, which is what the check wants and what a speed table must not time.

Prints one JSON line (base URL, credentials, student and course IDs) once it listens,
then serves until its standard input closes; a ``stats`` line on standard input prints
one JSON line of what it saw (requests, busy answers over capacity, most in flight) and
starts counting afresh. ``--capacity K`` answers busy to requests arriving while K are
in flight, and ``--call-busy P`` / ``--item-busy P`` answer a share P of calls / items
114 at random, whatever the load (the adaptive-concurrency benchmark); ``--max-upload-bytes
N`` keeps no uploaded file larger than N bytes (it is counted, not written: the upload
benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from eeo_async.testing import Faults, Sandbox


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, required=True)
    parser.add_argument("--lessons", type=int, required=True)
    parser.add_argument("--courses", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--call-busy", type=float, default=0.0)
    parser.add_argument("--item-busy", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--capacity", type=int, default=None)
    parser.add_argument("--capacity-answer", default="114")
    parser.add_argument("--max-upload-bytes", type=int, default=None)
    args = parser.parse_args()
    faults = Faults(
        latency=args.latency,
        call_busy=args.call_busy,
        item_busy=args.item_busy,
        capacity=args.capacity,
        capacity_answer=args.capacity_answer,
    )
    kept = {} if args.max_upload_bytes is None else {"max_upload_bytes": args.max_upload_bytes}
    async with Sandbox(seed=args.seed, faults=faults, **kept) as sandbox:
        students = sandbox.add_students(args.students)
        courses = [sandbox.add_course(lessons=args.lessons) for _ in range(args.courses)]
        info = {
            "base_url": sandbox.base_url,
            "sid": sandbox.sid,
            "secret": sandbox.secret,
            "students": students,
            "courses": [[c.course_id, list(c.class_ids)] for c in courses],
        }
        print(json.dumps(info), flush=True)
        loop = asyncio.get_running_loop()
        while await loop.run_in_executor(None, sys.stdin.readline):  # until stdin closes
            stats = sandbox.stats
            seen = {
                "requests": sum(stats.requests.values()),
                # Calls refused whole: over the capacity, or at random.
                "busy": stats.faults_injected["capacity"] + stats.faults_injected["call_busy"],
                "busy_items": stats.faults_injected["item_busy"],
                "max_in_flight": stats.max_in_flight,
            }
            print(json.dumps(seen), flush=True)
            stats.requests.clear()
            stats.faults_injected.clear()
            stats.max_in_flight = 0


if __name__ == "__main__":
    asyncio.run(main())
