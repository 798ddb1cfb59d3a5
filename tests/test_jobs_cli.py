"""The command as a process with real files: stops that say what to fix, SIGTERM, dry runs."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from test_cli import SECRET, ThreadSandbox, _env, run_cli, write

from eeo_async._batch.report import BatchReport
from eeo_async.testing import Answer, Faults, Sandbox, School


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        yield sb


def _requests(sandbox: Sandbox) -> int:
    return sum(sandbox.stats.requests.values())


def test_a_wrong_course_exits_5_with_one_line_and_the_rest_not_sent(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """--course that is no course: one request, exit 5, the line names --course, not sent."""
    students = sandbox.add_students(300)
    course = sandbox.add_course(lessons=10)
    sfile = write(tmp_path / "students.csv", ["student_uid", *students])
    lfile = write(tmp_path / "lessons.txt", course.class_ids)
    report = tmp_path / "r.json"
    done = run_cli(
        ["enroll", "--course", 176465, "--students", sfile, "--lessons", lfile, "--report", report],
        sandbox,
    )
    assert done.returncode == 5, done.stderr
    errors = [line for line in done.stderr.splitlines() if not line.startswith("progress:")]
    assert errors == [
        "error: --course 176465: there is no such course in your institution (errno 144)"
    ]
    assert _requests(sandbox) == 1
    lines = done.stdout.splitlines()
    assert lines[1].startswith("  stopped: course_id 176465: there is no such course")
    assert re.search(r"^  not sent +2,970  the job stopped first: run again$", done.stdout, re.M)
    assert re.search(r"^    144 +30  check the course ID$", done.stdout, re.M)
    assert len(lines) <= 12, done.stdout
    saved = BatchReport.load(report)
    assert (saved.stopped_by, saved.stop_errno, saved.not_sent) == ("job_wide", 144, 2970)


def test_swapped_files_stop_before_the_job_is_sent(sandbox: Sandbox, tmp_path: Path) -> None:
    """Students and lessons files swapped: a few calls, exit 5, the line names the file."""
    students = sandbox.add_students(300)
    course = sandbox.add_course(lessons=10)
    sfile = write(tmp_path / "students.txt", students)
    lfile = write(tmp_path / "lessons.txt", course.class_ids)
    args = ["enroll", "--course", course.course_id, "--students", lfile, "--lessons", sfile]
    dry = run_cli([*args, "--dry-run"])
    assert dry.returncode == 0, dry.stderr
    shown = dry.stdout.splitlines()
    first = ", ".join(map(str, course.class_ids[:3]))
    assert f"  students    10 from {lfile}: {first}, ... {course.class_ids[-1]}" in shown
    assert f"  lessons     300 from {sfile}: {students[0]}, {students[1]}, {students[2]}, ... " in (
        "\n".join(shown)
    )
    assert "  pairs       3000 (each of the first with each of the other)" in shown
    done = run_cli([*args, "--concurrency", "2"], sandbox)
    assert done.returncode == 5, done.stderr
    assert f"error: --students {lfile}: every item of the first answers was refused with " in (
        done.stderr
    )
    assert "errno 228" in done.stderr
    assert "are two lists swapped, or is it a wrong column?" in done.stderr
    assert _requests(sandbox) < 20  # of 30 calls
    assert not sandbox.stats.adds


def test_a_server_that_answers_404_stops_at_once(tmp_path: Path) -> None:
    """A proxy answering HTTP 404 to every call: one request, exit 5, check the base URL."""
    seen: list[str] = []

    async def not_found(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(status=404, text="<html>Not Found</html>")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", not_found)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        sfile = write(tmp_path / "s.txt", range(1_000_001, 1_000_301))
        done = run_cli(
            ["course-add", "--course", 5, "--students", sfile],
            EEO_SID="1234567",
            EEO_SECRET=SECRET,
            EEO_BASE_URL=f"http://127.0.0.1:{port}",
        )
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
    assert done.returncode == 5, done.stderr
    assert len(seen) == 1
    assert "answered HTTP 404 (Not Found) for addCourseStudentMultiple: check the base URL" in (
        done.stderr
    )
    assert re.search(r"^  not sent +270", done.stdout, re.M)


def test_maintenance_exits_4_saying_so(sandbox: Sandbox, tmp_path: Path) -> None:
    """Errno 901: one request, exit 4 (run again later), a line saying it is maintenance."""
    students = sandbox.add_students(40)
    course = sandbox.add_course(lessons=1)

    def maintenance(school: School, fields: dict[str, Any], rng: Any) -> dict[str, Any]:
        raise Answer(901)

    sandbox.handle("addCourseStudentMultiple", maintenance)
    sfile = write(tmp_path / "s.txt", students)
    done = run_cli(["course-add", "--course", course.course_id, "--students", sfile], sandbox)
    assert done.returncode == 4, done.stderr
    assert "error: the API is in maintenance (errno 901): run the job again after it" in (
        done.stderr
    )
    assert _requests(sandbox) == 1


def test_a_wrong_secret_prints_a_short_summary(sandbox: Sandbox, tmp_path: Path) -> None:
    """Refused credentials: a brief summary, not sent apart from failed, one error line."""
    students = sandbox.add_students(300)
    course = sandbox.add_course(lessons=1)
    sfile = write(tmp_path / "s.txt", students)
    done = run_cli(
        ["course-add", "--course", course.course_id, "--students", sfile],
        sandbox,
        EEO_SECRET="not-the-secret",
    )
    assert done.returncode == 3, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) <= 8, done.stdout
    assert re.search(r"^  failed +30  sent and refused$", done.stdout, re.M)
    assert re.search(r"^  not sent +270", done.stdout, re.M)
    assert "-3" not in done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: the server refused the credentials (errno 102): check the SID, the secret "
        "and the clock"
    ]


def test_progress_lines_fit_80_columns_with_the_failures(sandbox: Sandbox, tmp_path: Path) -> None:
    """Plain progress lines (not a terminal) are at most 80 columns and show failures."""
    students = sandbox.add_students(200)
    course = sandbox.add_course(lessons=1)
    # A stranger (not in the school) after every second student: refused as they come.
    pairs = zip(students[::2], students[1::2], range(9_000_001, 9_000_101), strict=True)
    sfile = write(tmp_path / "s.txt", [uid for three in pairs for uid in three])
    done = run_cli(["course-add", "--course", course.course_id, "--students", sfile], sandbox)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("progress:")]
    assert lines
    assert all(len(line) <= 80 for line in lines), lines
    final = r"progress: 300/300 items \(100%\) in \d+\.\d\d s: 100 failed, 200 ok$"
    assert re.match(final, lines[-1]), lines
    assert re.match(r"progress: \d+/300 items \(\d+%\), \d+ failed$", lines[-2]), lines


def _wait_for_done(journal: Path, rows: int, process: subprocess.Popen[str]) -> None:
    """Wait (bounded) until the job's journal holds ``rows`` items done."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists():
            try:
                with sqlite3.connect(journal) as db:
                    query = "SELECT COUNT(*) FROM items WHERE outcome IN (1, 2)"
                    if db.execute(query).fetchone()[0] >= rows:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)  # waiting on another process, bounded above
    pytest.fail("the job did not finish items in time")


def test_sigterm_keeps_the_report_and_the_journal(tmp_path: Path) -> None:
    """SIGTERM mid-job: exit 143, the partial report and journal kept; a re-run completes."""
    with ThreadSandbox(faults=Faults(latency=0.02)) as sandbox:
        students = sandbox.add_students(40)
        course = sandbox.add_course(lessons=5)
        sfile = write(tmp_path / "s.txt", students)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        journal = tmp_path / "j.db"
        report = tmp_path / "r.json"
        args = [
            sys.executable,
            "-m",
            "eeo_async._cli",
            "enroll",
            "--course",
            str(course.course_id),
            "--students",
            str(sfile),
            "--lessons",
            str(lfile),
            "--journal",
            str(journal),
            "--concurrency",
            "2",
            "--no-progress",
        ]
        process = subprocess.Popen(
            [*args, "--report", str(report)],
            env=_env(sandbox),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for_done(journal, 20, process)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 143, err
        assert "Traceback" not in err
        assert "terminated (SIGTERM): finished items are in the journal" in err
        assert re.search(r"^  stopped: terminated \(SIGTERM\)$", out, re.M), out
        assert re.search(r"^  not sent +\d+", out, re.M), out
        saved = BatchReport.load(report)
        assert saved.stopped_by == "interrupted"
        assert saved.total == 200
        assert saved.succeeded >= 20
        assert saved.not_sent > 0
        assert saved.succeeded + saved.unknown + saved.not_sent == 200
        sandbox.faults.latency = 0
        final = tmp_path / "final.json"
        done = subprocess.run(
            [*args, "--report", str(final)],
            env=_env(sandbox),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        again = json.loads(final.read_text(encoding="utf-8"))
        assert again["summary"]["succeeded"] + again["summary"]["already"] == 200
        assert set(sandbox.stats.adds.values()) == {1}
