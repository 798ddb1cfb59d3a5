"""A fault soak: every fault at once, and the report still agrees with the server."""

from __future__ import annotations

import os

import pytest

import eeo_async as eeo
from eeo_async.testing import Faults, Sandbox

SEEDS = [int(s) for s in os.environ.get("EEO_SOAK_SEEDS", "7").split(",")]

ALL_FAULTS = Faults(
    call_busy=0.03,
    item_busy=0.03,
    http_error=0.02,
    non_json=0.02,
    drop_before=0.02,
    lost_after=0.02,
    rate_limited=0.01,
    latency=0.0,
    latency_jitter=0.002,
)


@pytest.mark.soak
@pytest.mark.parametrize("seed", SEEDS)
async def test_soak_enroll_and_remove(seed: int) -> None:
    """50,000+ items through enroll and remove with every fault on: each reported once, truly."""
    concurrency = 8
    async with Sandbox(seed=seed, faults=ALL_FAULTS) as sb:
        students = sb.add_students(260)
        course = sb.add_course(lessons=200)
        finished, *open_lessons = course.class_ids
        sb.finish_lesson(finished)
        async with eeo.Client(
            sb.sid, sb.secret, base_url=sb.base_url, initial_backoff=0, max_backoff=0
        ) as client:
            batcher = eeo.Batcher(
                client, concurrency=concurrency, max_attempts=8, initial_backoff=0, max_backoff=0
            )
            report = await batcher.enroll(course.course_id, students, course.class_ids)
            assert report.total == len(students) * len(course.class_ids) >= 50_000
            assert list(report.items) == [(s, c) for s in students for c in course.class_ids]
            for (student, lesson), item in report.items.items():
                member = student in sb.lesson_members(lesson)
                if lesson == finished:
                    assert (item.errno, member) == (145, False)
                elif item.outcome != "unknown":
                    assert item.ok == member, (student, lesson, item)
            # Nothing was enrolled before the job: whatever the faults, nothing is "already".
            assert report.already == 0
            not_done = report.failed + report.unknown
            assert not_done == report.errno_counts.get(145, 0) + sum(
                n for errno, n in report.errno_counts.items() if errno not in (1, 145, 166)
            )

            # A permanent failure is answered once per item and never sent again.
            assert sb.stats.item_errnos[145] == len(students)

            lesson = open_lessons[0]
            before = sb.lesson_members(lesson)
            removal = await batcher.remove_students_from_lesson(course.course_id, lesson, students)
            assert list(removal.items) == students
            after = sb.lesson_members(lesson)
            for student, item in removal.items.items():
                if item.outcome != "unknown":
                    assert item.ok == (student not in after), (student, item)
                if item.outcome == "already":  # it was so before this job
                    assert student not in before

        stats = sb.stats
        assert max(stats.max_items_per_call.values()) <= 100
        assert stats.max_in_flight <= concurrency
        assert stats.duplicates_in_flight == 0
        assert sum(stats.faults_injected.values()) > 0
