"""The LMS activity commands run as a user would: activity-add/-remove, (un)enroll-activities."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from test_cli import ThreadSandbox, run_cli, write

import eeo_async as eeo
from eeo_async._batch.report import BatchReport
from eeo_async.testing import Faults, LmsState, Sandbox


def classrooms(sandbox: Sandbox, course: int, teacher: int, count: int) -> list[int]:
    """Create ``count`` classrooms through the API (the sandbox runs in its own thread)."""

    async def create() -> list[int]:
        start = int(time.time()) + 86_400
        rooms = [
            eeo.NewClassroom(f"L{n}", teacher, start + n * 7200, start + n * 7200 + 3600)
            for n in range(count)
        ]
        async with eeo.Client(sandbox.sid, sandbox.secret, base_url=sandbox.base_url) as client:
            report = await eeo.Batcher(client).create_classrooms(course, rooms)
        return [item.id or 0 for item in report.items.values()]

    return asyncio.run(create())


def test_activity_add_and_remove_from_a_spreadsheet_export(tmp_path: Path) -> None:
    """activity-add reads a column of an export; activity-remove takes the students out."""
    with ThreadSandbox() as sandbox:
        students = sandbox.add_students(130)
        teacher = sandbox.add_teachers(1)[0]
        course = sandbox.add_course(teacher_uid=teacher).course_id
        (room,) = classrooms(sandbox, course, teacher, 1)
        lms = sandbox.state(LmsState)
        rows = ["Name,Student UID", *(f"Pupil {i},{uid}" for i, uid in enumerate(students))]
        sfile = write(tmp_path / "s.csv", rows)
        report = tmp_path / "r.csv"
        base = ["--course", course, "--activity", room, "--students", sfile]
        done = run_cli(["activity-add", *base, "--column", "student uid", "--report", report])
        assert done.returncode == 3  # no credentials: nothing sent
        done = run_cli(
            ["activity-add", *base, "--column", "student uid", "--report", report], sandbox
        )
        assert done.returncode == 0, done.stderr
        assert lms.members(room) == set(students)
        saved = BatchReport.load(report)
        assert (saved.succeeded, saved.key_fields) == (130, ("student_uid",))
        leavers = write(tmp_path / "l.txt", students[:30])
        done = run_cli(
            ["activity-remove", "--course", course, "--activity", room, "--students", leavers],
            sandbox,
        )
        assert done.returncode == 0, done.stderr
        assert lms.members(room) == set(students[30:])


def test_enroll_activities_reruns_its_failures_as_pairs(tmp_path: Path) -> None:
    """A deleted activity fails its pairs (exit 1); --only-failed re-runs just those pairs."""
    with ThreadSandbox() as sandbox:
        students = sandbox.add_students(6)
        teacher = sandbox.add_teachers(1)[0]
        course = sandbox.add_course(teacher_uid=teacher).course_id
        rooms = classrooms(sandbox, course, teacher, 3)
        lms = sandbox.state(LmsState)
        lms.activities[rooms[2]].finished = True  # adding to it answers 110100069
        sfile = write(tmp_path / "s.txt", students)
        afile = write(tmp_path / "a.csv", ["activity_id,name", *(f"{r},x" for r in rooms)])
        report = tmp_path / "e.json"
        args = ["enroll-activities", "--course", course, "--activities-column", "activityId"]
        done = run_cli([*args, "--students", sfile, "--activities", afile, "--dry-run"])
        assert done.returncode == 0, done.stderr
        assert "18 items in 3 calls" in done.stdout
        done = run_cli(
            [*args, "--students", sfile, "--activities", afile, "--report", report], sandbox
        )
        assert done.returncode == 1
        saved = BatchReport.load(report)
        assert (saved.operation, saved.key_fields) == (
            "enroll_activities",
            ("student_uid", "activity_id"),
        )
        assert saved.failed == 6
        assert {saved.items[(s, rooms[2])].errno for s in students} == {110100069}
        lms.activities[rooms[2]].finished = False
        done = run_cli([*args, "--only-failed", report, "--report", report], sandbox)
        assert done.returncode == 0, done.stderr
        assert BatchReport.load(report).total == 6
        assert all(lms.members(room) == set(students) for room in rooms)
        done = run_cli(
            ["unenroll-activities", *args[1:], "--students", sfile, "--activities", afile], sandbox
        )
        assert done.returncode == 0, done.stderr
        assert all(not lms.members(room) for room in rooms)


def test_a_resumed_activity_job_sends_only_what_is_not_done(tmp_path: Path) -> None:
    """Answers lost: unknown, journal kept; the same command again finishes them, not already."""
    with ThreadSandbox(faults=Faults(lost_after=1.0)) as sandbox:
        students = sandbox.add_students(3)
        teacher = sandbox.add_teachers(1)[0]
        course = sandbox.add_course(teacher_uid=teacher).course_id
        sandbox.faults.lost_after = 0.0
        (room,) = classrooms(sandbox, course, teacher, 1)
        sandbox.faults.lost_after = 1.0
        sfile = write(tmp_path / "s.txt", students)
        journal, report = tmp_path / "j.db", tmp_path / "r.json"
        args = ["activity-add", "--course", course, "--activity", room, "--students", sfile]
        args += ["--journal", journal, "--report", report]
        done = run_cli([*args, "--max-attempts", "1"], sandbox)
        assert done.returncode == 1
        assert BatchReport.load(report).unknown == 3
        sandbox.faults.lost_after = 0.0
        done = run_cli(args, sandbox)
        assert done.returncode == 0, done.stderr
        saved = BatchReport.load(report)
        assert (saved.succeeded, saved.already) == (3, 0)
