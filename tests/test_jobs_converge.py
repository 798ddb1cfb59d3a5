"""Advice that settles: re-running what a report says to run again converges."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async._codes import SETTLES, Errno, Family
from eeo_async.testing import Faults, Sandbox
from eeo_async.testing import set_testing as testing_mode


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with testing_mode(True):
        yield


def test_settling_codes_are_final_answers() -> None:
    """A SETTLES code is a final answer: never transient nor "done with a warning".

    (It may be an "already" code too, e.g. 40020 for deleteUnit: a row that names it
    counts it done, and only a failure settles.)
    """
    for code in SETTLES:
        families = Errno(code).families
        assert not families & (Family.TRANSIENT | Family.SIDE), code
    # Not settling: an answer a repeat of the job's own work also gets (893 after a
    # deletion), or one that leaves the change open (104, 114, 158).
    for code in (Errno.GROUP_NOT_FOUND, 104, 114, Errno.ADD_STUDENT_FAILED):
        assert code not in SETTLES
    assert {Errno.LESSON_FINISHED, Errno.LESSON_FULL, Errno.STUDENT_NOT_IN_SCHOOL} <= SETTLES


async def test_reruns_with_finished_and_full_lessons_converge() -> None:
    """Lost answers, finished and full lessons: unknown never grows on a re-run, and ends.

    Every re-run sends only what the report says a re-run settles (``rerun_keys``), with
    its unknown items as possibly applied; items of finished and full lessons settle as
    failed at once, even after a lost answer, and each outcome agrees with the server.
    """
    faults = Faults(lost_after=0.3)
    async with Sandbox(faults=faults, seed=0) as sb:
        students = sb.add_students(40)
        course = sb.add_course(lessons=10)
        finished = course.class_ids[:3]
        full = course.class_ids[3:5]
        for lesson in finished:
            sb.finish_lesson(lesson)
        for lesson in full:
            sb.set_seat_limit(lesson, 15)
        async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
            batcher = eeo.Batcher(client, concurrency=4, max_attempts=2)
            report: eeo.BatchReport[Any] = await batcher.enroll(
                course.course_id, students, course.class_ids
            )
            unknowns = [report.unknown]
            final = dict(report.items.items())
            assert report.unknown > 0  # the faults did their part
            for _ in range(8):
                again = report.rerun_keys
                if not again:
                    break
                report = await batcher.enroll_pairs(
                    course.course_id, again, skip=report.items_with("unknown")
                )
                unknowns.append(report.unknown)
                final.update(report.items.items())
    assert unknowns == sorted(unknowns, reverse=True), unknowns
    assert unknowns[-1] == 0, unknowns
    for (student, lesson), item in final.items():
        members = sb.lesson_members(lesson)
        if lesson in finished:
            assert (item.outcome, item.errno) == ("failed", 145)
        elif item.outcome == "failed":
            assert item.errno == 157
            assert lesson in full
        assert item.outcome != "unknown"
        assert (student in members) == item.ok, (student, lesson, item)
    for lesson in full:
        assert len(sb.lesson_members(lesson)) == 15
