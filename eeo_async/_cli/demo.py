"""``eeo-async demo``: a school's whole integration against the sandbox, checked against it.

The docs' recommended integration (``BasicScenario``, ``APIv2Intro``) with faults on, at
the scale of a school: register accounts (UIDs back), create the course and its lessons
(each once, whatever the faults), add the students to the course, create a unit and its
classrooms and enrol students into them (API v2), enrol everyone into every lesson (the
bulk job), set and edit a group plan, unenrol some and remove them, then hold a lesson
and receive its attendance as the school's backend would. Every report is checked
against the sandbox item by item.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from typing import Any

from .._api.client import Client
from .._batch.batcher import Batcher
from .._batch.report import BatchReport
from .._errors import EEOError
from .._models import GroupMember, ItemResult, NewUser
from ..testing import Faults, Sandbox
from .demo_lms import run_lms_steps
from .demo_school import create_course_and_lessons, receive_attendance

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
#: The demo accounts' password; a throwaway, never printed.
_DEMO_PASSWORD = "demo-Passw0rd"  # noqa: S105 - a sandbox-only throwaway


def _say(text: str = "") -> None:
    """Print ``text``, its long lines wrapped to 80 columns under their own indent."""
    lines = []
    for line in text.split("\n"):
        indent = " " * (len(line) - len(line.lstrip(" ")))
        lines.append(textwrap.fill(line, 80, subsequent_indent=indent + "  ") if line else "")
    print("\n".join(lines), flush=True)


def _already_truth(report: BatchReport[Any], before: set[Any]) -> int:
    """Say how "already" compares with what was so before the job; the items it got wrong."""
    already = {key for key, item in report.items.items() if item.outcome == "already"}
    wrong = len(already - before)
    uncertain = sum(1 for key in before if report.items[key].outcome == "succeeded")
    _say(
        f"   already: {len(already)} of the {len(before)} that were so before the job"
        + (
            f"; {uncertain} met an attempt the server may have applied first, so they "
            "count as succeeded (nobody can tell)"
            if uncertain
            else ""
        )
        + (f"; {wrong} WRONGLY called already" if wrong else "")
    )
    return wrong


class _Check:
    """Counts items checked against the sandbox and those that disagree."""

    def __init__(self) -> None:
        self.checked = 0
        self.disagree = 0

    def item(self, item: ItemResult, done: bool) -> None:
        """An item agrees when ``ok`` is the server's state (``unknown`` agrees either way)."""
        self.checked += 1
        if item.outcome != "unknown":
            self.disagree += item.ok != done


async def _register(  # noqa: PLR0917 - the demo's steps read as rows
    batcher: Batcher,
    sandbox: Sandbox,
    people: list[NewUser],
    check: _Check,
    progress: bool,
    existing: set[str],
) -> list[int]:
    """Register ``people``, re-run once what is not known done; their UIDs, checked."""
    report = await batcher.register(people, progress=progress)
    _say(report.summary())
    check.disagree += _already_truth(report, existing)
    items = dict(report.items)
    if report.failed_keys:
        again = {user.account: user for user in people if user.account in report.failed_keys}
        _say(f"   re-running the {len(again)} accounts not known to be registered")
        rerun = await batcher.register(list(again.values()), progress=progress)
        _say(rerun.summary())
        items.update(rerun.items)
    uids = []
    for account, item in items.items():
        found = sandbox.account(account)
        check.item(item, found is not None and item.uid == found.uid)
        if item.ok and item.uid is not None:
            uids.append(item.uid)
    return uids


async def _group_plan(client: Client, sandbox: Sandbox, course_id: int, uids: list[int]) -> bool:
    """Create a plan of teams of 4, then edit it (leaders change); True if the server agrees."""
    teams = [
        [GroupMember(uid, is_leader=i == 0) for i, uid in enumerate(uids[t : t + 4])]
        for t in range(0, min(len(uids), 20), 4)
    ]
    edited = [
        [GroupMember(uid, is_leader=i == 0) for i, uid in enumerate(reversed(uids[t : t + 4]))]
        for t in range(0, min(len(uids), 20), 4)
    ]
    started = time.perf_counter()
    try:
        created = await client.add_course_group(course_id, "Demo teams", teams)
        await client.edit_course_group(course_id, created.group_id, "Demo teams v2", edited)
    except EEOError as exc:
        # Creating is not retried where the server may have acted: say so, honestly.
        _say(f"   group plan not settled: {exc}")
        return True
    _say(
        f"   group plan {created.group_id} created and edited in "
        f"{time.perf_counter() - started:.2f} s after {created.attempts} attempt(s)"
    )
    plan = sandbox.course_group(course_id)
    return plan is not None and plan.name == "Demo teams v2"


def _check_final(  # noqa: PLR0917 - the demo's state, read as rows
    check: _Check,
    sandbox: Sandbox,
    course_id: int,
    lessons: list[int],
    leaving: list[int],
    enrolled: BatchReport[Any],
    unenrolled: BatchReport[Any],
    removed: BatchReport[Any],
) -> None:
    """Check the last three reports against the sandbox's state, item by item, saying so."""
    items = enrolled.total + unenrolled.total + removed.total
    _say(f"\n9. checking the {items:,} items of the last three reports against the sandbox ...")
    started = time.perf_counter()
    # Each lesson's members once (a copy of the set), not once per item.
    seated = {class_id: sandbox.lesson_members(class_id) for class_id in lessons}
    leaving_set = set(leaving)
    # Row by row: no key index to build for 300,000 items.
    for row in range(enrolled.total):
        uid, class_id = enrolled.key(row)
        gone = class_id in lessons[3:6] and uid in leaving_set
        check.item(enrolled.result(row), uid in seated[class_id] or gone)
    for row in range(unenrolled.total):
        uid, class_id = unenrolled.key(row)
        check.item(unenrolled.result(row), uid not in seated[class_id])
    members = sandbox.course_members(course_id)
    for row in range(removed.total):
        check.item(removed.result(row), removed.key(row) not in members)
    _say(f"   done in {time.perf_counter() - started:.1f} s")


def _a_real_timetable(sandbox: Sandbox, lessons: list[int], uids: list[int]) -> set[Any]:
    """Two lessons finish, one is short of seats, some students sit in one already.

    Returns the (student, lesson) pairs in place before the enrolment.
    """
    for class_id in lessons[:2]:
        sandbox.finish_lesson(class_id)
    sandbox.set_seat_limit(lessons[2], len(uids) // 2)
    sandbox.enroll_directly(lessons[3], uids[:100])
    return {(uid, lessons[3]) for uid in uids[:100]}


def _people(sandbox: Sandbox, count: int) -> tuple[list[NewUser], set[str]]:
    """The accounts to register, and those of them the school has already (135 + UID)."""
    people = [
        NewUser(
            telephone=f"138{i:08}",
            password=_DEMO_PASSWORD,
            nickname=f"Student {i}",
            add_to_school="student",
        )
        for i in range(count)
    ]
    existing = {user.account for user in people[: len(people) // 20]}
    for account in existing:
        sandbox.register_directly(account, _DEMO_PASSWORD)
    return people, existing


async def run_demo(args: argparse.Namespace) -> int:
    """Run the demo; returns 0 when every report agrees with the sandbox item by item."""
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    check = _Check()
    async with Sandbox(seed=args.seed, faults=DEMO_FAULTS) as sandbox:
        people, existing = _people(sandbox, args.students)
        _say(
            f"sandbox at {sandbox.base_url}; faults on: 114, 464, 5xx, HTML bodies, dropped "
            "connections, lost answers, 429"
        )
        async with Client(
            sandbox.sid, sandbox.secret, base_url=sandbox.base_url, initial_backoff=0.01
        ) as client:
            batcher = Batcher(
                client, concurrency=16, max_attempts=8, initial_backoff=0.01, max_backoff=0.2
            )
            _say(f"\n1. register {len(people)} accounts as school students (10 a call)")
            uids = await _register(batcher, sandbox, people, check, progress, existing)

            made = await create_course_and_lessons(
                client, batcher, sandbox, args.lessons, _say, progress=progress
            )
            check.checked += 2 + args.lessons
            check.disagree += made.disagree
            course_id, lessons = made.course_id, made.lessons

            _say(f"\n4. add the {len(uids)} accounts to course {course_id} (30 a call)")
            joined = await batcher.add_students_to_course(course_id, uids, progress=progress)
            _say(joined.summary())
            members = sandbox.course_members(course_id)
            for uid, item in joined.items.items():
                check.item(item, uid in members)

            _say("\n5. the LMS (API v2): a unit, its classrooms, their members")
            lms = await run_lms_steps(
                client, batcher, sandbox, course_id, uids, say=_say, progress=progress
            )
            check.checked += lms.checked
            check.disagree += lms.disagree

            before = _a_real_timetable(sandbox, lessons, uids)
            pairs = len(uids) * len(lessons)
            _say(
                f"\n6. enrol them into every lesson ({pairs} items; 2 lessons finished, "
                f"1 with {len(uids) // 2} seats, {len(before)} pairs in already)"
            )
            enrolled = await batcher.enroll(course_id, uids, lessons, progress=progress)
            _say(enrolled.summary())
            _say(f"   chosen action: {enrolled.action} (the one needing fewer calls)")
            check.disagree += _already_truth(enrolled, before)

            _say("\n7. set a group plan of teams of 4, then edit it")
            check.checked += 1
            check.disagree += not await _group_plan(client, sandbox, course_id, uids)

            leaving = uids[: len(uids) // 4]
            _say(f"\n8. unenrol {len(leaving)} students from lessons 4 to 6, remove from course")
            unenrolled = await batcher.unenroll(course_id, leaving, lessons[3:6], progress=progress)
            _say(unenrolled.summary())
            removed = await batcher.remove_students_from_course(
                course_id, leaving, progress=progress
            )
            _say(removed.summary())

        _check_final(check, sandbox, course_id, lessons, leaving, enrolled, unenrolled, removed)
        present = sorted(sandbox.lesson_members(lessons[-1]))[: len(uids) // 2]
        check.checked += 1
        check.disagree += await receive_attendance(sandbox, lessons[-1], present, _say)
        stats = sandbox.stats
        _say(
            f"\nserver saw {sum(stats.requests.values())} requests, at most "
            f"{stats.max_in_flight} at once and {max(stats.max_items_per_call.values())} "
            f"items in one; faults injected: {sum(stats.faults_injected.values())}"
        )
        verdict = "yes" if not check.disagree else f"NO ({check.disagree} items differ)"
        _say(
            f"report agrees with the server item by item: {verdict} ({check.checked} items checked)"
        )
    args.report.write_text(enrolled.to_json(), encoding="utf-8")
    _say(f"enrolment report written to {args.report}")
    return 0 if not check.disagree else 1
