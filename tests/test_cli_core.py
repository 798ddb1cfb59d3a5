"""Command behaviour that needs the core's stop reasons (``report.stopped_by``) and ``on_start``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from test_cli import ROOT, SECRET, ThreadSandbox, run_cli, write

from eeo_async import LocalErrno
from eeo_async._batch.report import BatchReport
from eeo_async.testing import Faults


def _unreachable_job(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], str, Path]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    sfile = write(tmp_path / "s.txt", range(1000, 1300))
    lfile = write(tmp_path / "l.txt", range(5000, 5010))
    report = tmp_path / "r.json"
    done = run_cli(
        [
            "enroll",
            "--course",
            "1",
            "--students",
            sfile,
            "--lessons",
            lfile,
            "--no-progress",
            "--max-attempts",
            "2",
            "--report",
            report,
        ],
        EEO_SID="1234567",
        EEO_SECRET=SECRET,
        EEO_BASE_URL=url,
    )
    return done, url, report


def test_unreachable_server_exits_4_with_one_line(tmp_path: Path) -> None:
    """A job against a server nobody listens on exits 4 with one line naming the URL and cause."""
    done, url, report = _unreachable_job(tmp_path)
    assert done.returncode == 4, done.stderr
    assert done.stderr.count("\n") == 1
    assert url in done.stderr
    assert "cannot connect" in done.stderr
    saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
    assert saved.stopped_by == "unreachable"


def test_unreachable_server_costs_one_calls_attempts(tmp_path: Path) -> None:
    """An unreachable server costs one call's attempts (here 2), not one attempt per chunk."""
    _, _, report = _unreachable_job(tmp_path)
    assert BatchReport.from_json(report.read_text(encoding="utf-8")).calls <= 2


def test_ctrl_c_writes_the_partial_report(tmp_path: Path) -> None:
    """Ctrl-C with --report exits 130 and writes every item, those never answered as not sent."""
    with ThreadSandbox(faults=Faults(latency=0.02)) as sandbox:
        students = sandbox.add_students(40)
        course = sandbox.add_course(lessons=5)
        sfile = write(tmp_path / "s.txt", students)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        report = tmp_path / "partial.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EEO_")}
        env.update(EEO_SID=str(sandbox.sid), EEO_SECRET=SECRET, EEO_BASE_URL=sandbox.base_url)
        env["PYTHONPATH"] = str(ROOT)
        command = [sys.executable, "-m", "eeo_async._cli", "enroll"]
        command += ["--course", str(course.course_id), "--students", str(sfile)]
        command += ["--lessons", str(lfile), "--concurrency", "2", "--progress"]
        command += ["--report", str(report)]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert process.stderr is not None
        assert process.stderr.readline().startswith("progress:")  # some items are done
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 130, err
        assert "Traceback" not in err
        assert SECRET not in out + err
        saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
        assert saved.total == 200
        assert saved.stopped_by == "interrupted"
        not_sent = [k for k, item in saved.items.items() if item.errno == LocalErrno.NOT_SENT]
        assert not_sent
        for (student, lesson), item in saved.items.items():
            if item.ok:
                assert student in sandbox.lesson_members(lesson)
        assert json.loads(report.read_text(encoding="utf-8"))["summary"]["total"] == 200


def test_resuming_with_a_wrong_secret_exits_3(tmp_path: Path) -> None:
    """A resumed job whose secret the server refuses exits 3, not 1, after one request."""
    with ThreadSandbox() as sandbox:
        students = sandbox.add_students(3)
        course = sandbox.add_course(lessons=2)
        sandbox.finish_lesson(course.class_ids[1])
        sfile = write(tmp_path / "s.txt", students)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        args = ["enroll", "--course", course.course_id, "--students", sfile, "--lessons", lfile]
        args += ["--journal", tmp_path / "j.db"]
        assert run_cli(args, sandbox).returncode == 1
        sandbox.reset_stats()
        done = run_cli(args, sandbox, EEO_SECRET="not-the-secret")
        assert done.returncode == 3, done.stderr
        assert "refused the credentials" in done.stderr
        assert "not-the-secret" not in done.stdout + done.stderr
        assert sum(sandbox.stats.requests.values()) == 1


def test_unknown_outcomes_exit_1_and_rerun(tmp_path: Path) -> None:
    """Items whose answer was lost are unknown: exit 1, and --only-failed settles them."""
    with ThreadSandbox(faults=Faults(lost_after=1.0)) as sandbox:
        student = sandbox.add_students(1)[0]
        course = sandbox.add_course(lessons=2)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        report = tmp_path / "r.json"
        args = ["add-lessons", "--course", course.course_id, "--student", student]
        done = run_cli(
            [*args, "--lessons", lfile, "--max-attempts", "1", "--report", report], sandbox
        )
        assert done.returncode == 1
        saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
        assert saved.unknown == 2
        sandbox.faults.lost_after = 0
        done = run_cli([*args, "--only-failed", report], sandbox)
        assert done.returncode == 0, done.stderr
