"""``eeo-async demo``: a bulk enrolment, a removal and a group plan against the sandbox."""

from __future__ import annotations

import argparse
import sys
import time

from ._batch import Batcher
from ._client import Client
from ._models import GroupMember
from .testing import Faults, Sandbox

#: Faults of a bad day: every kind, a few percent each, and a little latency.
DEMO_FAULTS = Faults(
    call_busy=0.02,
    item_busy=0.02,
    http_error=0.01,
    non_json=0.01,
    drop_before=0.01,
    lost_after=0.01,
    rate_limited=0.005,
    latency=0.002,
    latency_jitter=0.004,
)


def _say(text: str = "") -> None:
    print(text, flush=True)


async def run_demo(args: argparse.Namespace) -> int:
    """Run the demo; returns 0 when the report agrees with the sandbox item by item."""
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    async with Sandbox(seed=args.seed, faults=DEMO_FAULTS) as sandbox:
        students = sandbox.add_students(args.students)
        course = sandbox.add_course(lessons=args.lessons)
        lessons = list(course.class_ids)
        # Permanent failures a real school has: finished lessons, a full lesson, and
        # some students already enrolled (reported as "already", not as failures).
        for class_id in lessons[:2]:
            sandbox.finish_lesson(class_id)
        sandbox.set_seat_limit(lessons[2], len(students) // 2)
        sandbox.enroll_directly(lessons[3], students[:100])
        _say(
            f"sandbox at {sandbox.base_url}: {len(students)} students, course "
            f"{course.course_id} with {len(lessons)} lessons (2 finished, 1 with "
            f"{len(students) // 2} seats), faults on: 114, 5xx, HTML bodies, dropped "
            "connections, lost answers, 429"
        )
        async with Client(
            sandbox.sid, sandbox.secret, base_url=sandbox.base_url, initial_backoff=0.01
        ) as client:
            batcher = Batcher(
                client, concurrency=16, max_attempts=8, initial_backoff=0.01, max_backoff=0.2
            )
            _say(
                f"\n1. enrol every student into every lesson ({len(students) * len(lessons)} items)"
            )
            report = await batcher.enroll(course.course_id, students, lessons, progress=progress)
            _say(report.summary())

            leaving = students[: len(students) // 4]
            _say(f"\n2. remove {len(leaving)} students from lesson {lessons[4]}")
            removal = await batcher.remove_students_from_lesson(
                course.course_id, lessons[4], leaving, progress=progress
            )
            _say(removal.summary())

            _say("\n3. create a group plan of 5 teams of 4")
            teams = [
                [
                    GroupMember(uid, is_leader=i == 0)
                    for i, uid in enumerate(students[t * 4 : t * 4 + 4])
                ]
                for t in range(5)
            ]
            started = time.perf_counter()
            created = await client.add_course_group(course.course_id, "Demo teams", teams)
            _say(
                f"group plan {created.group_id} created in {time.perf_counter() - started:.2f} s "
                f"after {created.attempts} attempt(s)"
            )

        checked, disagree = 0, 0
        for key, item in report.items.items():
            student, class_id = key if isinstance(key, tuple) else (0, key)
            member = student in sandbox.lesson_members(class_id)
            expected = member or (class_id == lessons[4] and student in leaving)
            checked += 1
            disagree += item.ok != expected
        removed_from = sandbox.lesson_members(lessons[4])
        for uid, item in removal.items.items():
            checked += 1
            disagree += item.ok != (uid not in removed_from)
        stats = sandbox.stats
        _say(
            f"\nserver saw {sum(stats.requests.values())} requests, at most "
            f"{stats.max_in_flight} at once and {max(stats.max_items_per_call.values())} "
            f"items in one; faults injected: {sum(stats.faults_injected.values())}"
        )
        verdict = "yes" if not disagree else f"NO ({disagree} items differ)"
        _say(f"report agrees with the server item by item: {verdict} ({checked} items checked)")
    args.report.write_text(report.to_json(), encoding="utf-8")
    _say(f"enrolment report written to {args.report}")
    return 0 if not disagree else 1
