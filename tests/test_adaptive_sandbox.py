"""Adaptive concurrency against the sandbox's capacity over loopback, and its report."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import eeo_async as eeo
from eeo_async.testing import Faults, Sandbox, set_testing


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with set_testing(True):
        yield


def client_for(sb: Sandbox) -> eeo.Client:
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url)


@pytest.mark.parametrize("answer", ["114", "429", "503"])
async def test_a_job_follows_the_sandbox_capacity(answer: str) -> None:
    """Over capacity the sandbox answers busy; the job lowers its limit and still enrols all."""
    faults = Faults(capacity=4, capacity_answer=answer, latency=0.002)
    async with Sandbox(faults=faults) as sb:
        students = sb.add_students(60)
        course = sb.add_course(lessons=5)
        async with client_for(sb) as client:
            batcher = eeo.Batcher(client, concurrency=32, max_attempts=30)
            report = await batcher.enroll(course.course_id, students, course.class_ids)
        assert report.ok
        for lesson in course.class_ids:
            assert sb.lesson_members(lesson) == set(students)
        busy = sb.stats.faults_injected["capacity"]
        assert report.busy_calls == busy > 0
        planned = batcher.plan(
            "enroll", course_id=course.course_id, student_uids=students, class_ids=course.class_ids
        )
        assert report.calls == planned.calls + busy
        assert report.concurrency is not None
        assert report.concurrency.lowest < 32
        assert sb.stats.max_in_flight <= 32


async def test_a_sandbox_without_capacity_never_answers_busy() -> None:
    """With no capacity set the adaptive job stays at its ceiling and meets no busy answer."""
    async with Sandbox(faults=Faults(latency=0.001)) as sb:
        students = sb.add_students(40)
        course = sb.add_course(lessons=3)
        async with client_for(sb) as client:
            report = await eeo.Batcher(client, concurrency=8).enroll(
                course.course_id, students, course.class_ids
            )
        assert report.ok
        assert report.busy_calls == 0
        assert sb.stats.faults_injected["capacity"] == 0
        assert report.concurrency is not None
        assert (report.concurrency.lowest, report.concurrency.final) == (8, 8)


async def test_faults_and_capacity_together_keep_the_report_true() -> None:
    """Every fault at once plus a capacity: each item reported once, as the server holds it."""
    faults = Faults(
        capacity=5,
        call_busy=0.03,
        item_busy=0.03,
        http_error=0.02,
        drop_before=0.02,
        lost_after=0.02,
        latency_jitter=0.002,
    )
    async with Sandbox(seed=3, faults=faults) as sb:
        students = sb.add_students(80)
        course = sb.add_course(lessons=40)
        async with client_for(sb) as client:
            batcher = eeo.Batcher(client, concurrency=24, max_attempts=12)
            report = await batcher.enroll(course.course_id, students, course.class_ids)
        assert list(report.items) == [(s, c) for s in students for c in course.class_ids]
        for (student, lesson), item in report.items.items():
            if item.outcome != "unknown":
                assert item.ok == (student in sb.lesson_members(lesson)), (student, lesson)
        assert report.already == 0
        assert sb.stats.faults_injected["capacity"] > 0
        assert sb.stats.duplicates_in_flight == 0
        assert sb.stats.max_in_flight <= 24


def test_capacity_settings_are_checked() -> None:
    """A capacity is a positive int or None; the busy answer one of 114, 429 and 503."""
    assert Faults().capacity is None
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="capacity"):
            Faults(capacity=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="capacity_answer"):
        Faults(capacity_answer="500")
    faults = Faults(capacity=3)
    faults.capacity = 7  # may be changed while running
    assert faults.capacity == 7


async def test_the_report_keeps_the_concurrency_record() -> None:
    """``busy_calls`` and ``concurrency`` survive JSON; older reports without them still load."""
    async with Sandbox(faults=Faults(capacity=2, latency=0.002)) as sb:
        students = sb.add_students(20)
        course = sb.add_course(lessons=2)
        async with client_for(sb) as client:
            batcher = eeo.Batcher(client, concurrency=6, chunk_size=1, max_attempts=30)
            report = await batcher.enroll(course.course_id, students, course.class_ids)
    again = eeo.BatchReport.from_json(report.to_json())
    assert again.busy_calls == report.busy_calls > 0
    assert again.concurrency == report.concurrency
    busy = f"{report.busy_calls:,} answered busy"
    assert busy in report.summary()
    assert busy in report._repr_html_()
    doc = json.loads(report.to_json())
    del doc["busy_calls"], doc["concurrency"]
    older = eeo.BatchReport.from_json(json.dumps(doc))
    assert (older.busy_calls, older.concurrency) == (0, None)
    assert "concurrency" not in older.summary()
