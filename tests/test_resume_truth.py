"""A resume never claims its own work: what an earlier run may have applied is never `already`."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from test_cli import ROOT, SECRET, ThreadSandbox, run_cli, write

import eeo_async as eeo
from eeo_async._batch.report import BatchReport
from eeo_async._cli.journal import Journal
from eeo_async.testing import Faults, MockRequest, MockTransport, Sandbox

OK = {"errno": 1, "error": "程序正常执行"}
ALREADY = {"errno": 166, "error": "学生已在课节中"}


def _answer_all(entry: dict[str, Any]) -> Any:
    async def answer(request: MockRequest) -> Any:
        lessons = request.json_field("classJson")
        return {"error_info": {"errno": 1, "error": "ok"}, "data": [entry] * len(lessons)}

    return answer


async def test_on_sending_gets_each_calls_keys_before_it_is_sent() -> None:
    """The on_sending hook is called with a call's keys before the server sees the call."""
    hooked: list[int] = []
    seen_before: list[bool] = []

    async def answer(request: MockRequest) -> Any:
        lessons = [int(x) for x in request.json_field("classJson")]
        seen_before.append(set(lessons) <= set(hooked))
        return {"error_info": {"errno": 1, "error": "ok"}, "data": [OK] * len(lessons)}

    async with eeo.Client(1, "s", transport=MockTransport(answer)) as client:
        report = await eeo.Batcher(client).add_student_to_lessons(
            1, 2, range(10, 260), on_sending=hooked.extend
        )
    assert report.succeeded == 250
    assert sorted(hooked) == list(range(10, 260))
    assert seen_before == [True, True, True]


async def test_items_sent_before_a_kill_come_back_succeeded(tmp_path: Path) -> None:
    """Items the journal holds as sent (no answer before a kill) are never `already` on resume."""
    lessons = list(range(10, 20))
    with Journal(tmp_path / "j.db", {"job": 1}) as journal:
        journal.record([(10, eeo.ItemResult(1, "ok", 1))])
        journal.sending(lessons[1:6])  # the call in flight when the process was killed
    async with eeo.Client(1, "s", transport=MockTransport(_answer_all(ALREADY))) as client:
        with Journal(tmp_path / "j.db", {"job": 1}) as journal:
            report = await eeo.Batcher(client).add_student_to_lessons(
                1, 2, lessons, skip=journal.finished(pairs=False), on_items=journal.record
            )
    outcomes = {lesson: item.outcome for lesson, item in report.items.items()}
    assert [outcomes[lesson] for lesson in lessons[:6]] == ["succeeded"] * 6
    assert [outcomes[lesson] for lesson in lessons[6:]] == ["already"] * 4


async def test_resume_of_a_big_journal_holds_no_item_objects(tmp_path: Path) -> None:
    """Resuming 30,000 done items costs tens of bytes an item, not a dict of results."""
    students, lessons = list(range(1_000_001, 1_000_301)), list(range(5_000_001, 5_000_101))
    with Journal(tmp_path / "j.db", {"job": 1}) as journal:
        done = eeo.ItemResult(1, "程序正常执行", 1)
        journal.record([((s, c), done) for s in students for c in lessons])

    async def refuse(request: MockRequest) -> Any:
        raise AssertionError("nothing is left to send")

    async with eeo.Client(1, "s", transport=MockTransport(refuse)) as client:
        with Journal(tmp_path / "j.db", {"job": 1}) as journal:
            tracemalloc.start()
            try:
                report = await eeo.Batcher(client).enroll(
                    1, students, lessons, skip=journal.finished(pairs=True)
                )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert report.succeeded == 30_000
    assert peak / report.total < 120


def _env(sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EEO_")}
    env.update(EEO_SID=str(sandbox.sid), EEO_SECRET=SECRET, EEO_BASE_URL=sandbox.base_url)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _journal_counts(journal: Path) -> tuple[int, int]:
    """(items sent without an answer, items with a final outcome) in the journal now."""
    try:
        with sqlite3.connect(journal) as db:
            sent = db.execute("SELECT COUNT(*) FROM items WHERE outcome = 0").fetchone()[0]
            final = db.execute("SELECT COUNT(*) FROM items WHERE outcome != 0").fetchone()[0]
    except sqlite3.OperationalError:
        return 0, 0
    return sent, final


def test_sigkill_then_resume_never_reports_the_first_runs_work_already(tmp_path: Path) -> None:
    """After kill -9 mid-job, no item the first run applied is reported `already` on resume."""
    with ThreadSandbox(faults=Faults(latency=0.3)) as sandbox:
        students = sandbox.add_students(120)
        course = sandbox.add_course(lessons=4)
        sfile = write(tmp_path / "s.txt", students)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        journal = tmp_path / "j.db"
        command = [sys.executable, "-m", "eeo_async._cli", "enroll", "--course"]
        command += [str(course.course_id), "--students", str(sfile), "--lessons", str(lfile)]
        command += ["--journal", str(journal), "--concurrency", "2", "--no-progress"]
        process = subprocess.Popen(
            command, env=_env(sandbox), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            # Killed while the server holds a call (it applies it 0.3 s after arrival)
            # and after some outcomes were recorded.
            if sandbox.stats.in_flight and _journal_counts(journal)[1]:
                break
            time.sleep(0.02)  # waiting on another process, bounded above
        else:
            pytest.fail("the job did not reach a call in flight after a recorded one")
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        deadline = time.monotonic() + 10
        while sandbox.stats.in_flight and time.monotonic() < deadline:
            time.sleep(0.02)  # the server finishes (and applies) what was in flight
        applied = {(student, lesson) for (lesson, student) in sandbox.stats.adds}
        in_flight, final = _journal_counts(journal)
        assert in_flight, "the kill should leave a call in flight"
        assert len(applied) > final, "the server applied more than the journal saw answered"
        sandbox.faults.latency = 0
        report_path = tmp_path / "r.json"
        done = run_cli([*command[3:], "--report", report_path], sandbox)
        assert done.returncode == 0, done.stderr
        report = BatchReport.load(report_path)
        assert report.total == 480
        claimed = [key for key in applied if report.items[key].outcome == "already"]
        assert claimed == []
        assert set(sandbox.stats.adds.values()) == {1}


def test_only_failed_resends_unknown_items_as_possibly_applied(tmp_path: Path) -> None:
    """--only-failed REPORT: its unknown items come back succeeded, its failed ones fresh."""
    with ThreadSandbox() as sandbox:
        student = sandbox.add_students(1)[0]
        course = sandbox.add_course(lessons=6)
        lessons = list(course.class_ids)
        # The first run's calls for lessons 0-2 were applied but their answers lost
        # (unknown); lessons 3-5 failed (finished), and someone else then enrolled the
        # student in 3 and 4 after the school reopened them.
        sandbox.enroll_directly(lessons[0], [student])
        sandbox.enroll_directly(lessons[1], [student])
        sandbox.enroll_directly(lessons[2], [student])
        saved = BatchReport(
            operation="add_student_to_lessons",
            course_id=course.course_id,
            key_fields=("class_id",),
            target={"student_uid": student},
            item_ids=lessons,
            action="addCourseClassStudent",
        )
        for row in range(6):
            if row < 3:
                saved.record(row, -1, "Server disconnected", 1, "unknown")
            else:
                saved.record(row, 145, "该课节已结束", 1, "failed")
        sandbox.enroll_directly(lessons[3], [student])
        sandbox.enroll_directly(lessons[4], [student])
        args: list[object] = ["add-lessons", "--course", saved.course_id, "--student", student]
        saved.write_json(tmp_path / "first.json")
        saved.to_csv(tmp_path / "first.csv")
        # The second re-run finds lesson 5 done by the first: failed items are fresh.
        for name, last in (("first.json", "succeeded"), ("first.csv", "already")):
            again = tmp_path / f"again-{name}"
            done = run_cli([*args, "--only-failed", tmp_path / name, "--report", again], sandbox)
            assert done.returncode == 0, done.stderr
            report = BatchReport.load(again)
            outcomes = [report.items[lesson].outcome for lesson in lessons]
            assert outcomes == ["succeeded"] * 3 + ["already"] * 2 + [last], name


def test_only_failed_with_a_journal_keeps_unknown_items_possibly_applied(tmp_path: Path) -> None:
    """--only-failed with --journal records the report's unknown items, so its resume agrees."""
    with ThreadSandbox(faults=Faults(lost_after=1.0)) as sandbox:
        student = sandbox.add_students(1)[0]
        course = sandbox.add_course(lessons=3)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        args: list[object] = ["add-lessons", "--course", course.course_id, "--student", student]
        first = tmp_path / "first.json"
        run_cli([*args, "--lessons", lfile, "--max-attempts", "1", "--report", first], sandbox)
        sandbox.faults.lost_after = 0
        journal = tmp_path / "j.db"
        again = tmp_path / "again.json"
        rerun = [*args, "--only-failed", first, "--journal", journal, "--report", again]
        done = run_cli(rerun, sandbox)
        assert done.returncode == 0, done.stderr
        assert {i.outcome for i in BatchReport.load(again).items.values()} == {"succeeded"}
        with sqlite3.connect(journal) as db:
            assert db.execute("SELECT DISTINCT outcome FROM items").fetchall() == [(1,)]
