"""Serve a seeded sandbox in its own process, for the benchmarks' correctness check.

The speed tables use the canned server (``_canned.py``) instead: the sandbox checks
signatures and IDs, which is what the check wants and what a speed table must not time.

Prints one JSON line (base URL, credentials, student and course IDs) once it listens,
then serves until its standard input closes.
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
    parser.add_argument("--item-busy", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    faults = Faults(latency=args.latency, item_busy=args.item_busy)
    async with Sandbox(seed=args.seed, faults=faults) as sandbox:
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
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin


if __name__ == "__main__":
    asyncio.run(main())
