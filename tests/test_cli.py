"""The eeo-async command: files in, report out, exit codes, journal, and no secret shown."""

from __future__ import annotations

import asyncio
import json
import os
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

from eeo_async import _cli
from eeo_async._batch.report import BatchReport
from eeo_async.testing import Faults, Sandbox

SECRET = "cli-s3cret-do-not-show"
ROOT = Path(__file__).resolve().parent.parent


class ThreadSandbox:
    """A Sandbox served from its own event loop in a thread, for in-process CLI runs."""

    def __init__(self, **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.sandbox = Sandbox(secret=SECRET, **kwargs)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Sandbox:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.sandbox.start(), self.loop).result(10)
        return self.sandbox

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.sandbox.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        yield sb


@pytest.fixture
def env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "EEO_SID": str(sandbox.sid),
        "EEO_SECRET": SECRET,
        "EEO_BASE_URL": sandbox.base_url,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def write(path: Path, lines: list[object]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _cli.main(args)
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    return code, out, err


def run_cli(
    args: list[object], sandbox: Sandbox | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m eeo_async._cli`` as a user would; check no secret nor traceback shows."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EEO_")}
    if sandbox is not None:
        environ.update(EEO_SID=str(sandbox.sid), EEO_SECRET=SECRET, EEO_BASE_URL=sandbox.base_url)
    environ.update(env)
    environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "eeo_async._cli", *map(str, args)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_enroll_end_to_end(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Enroll from a CSV and a plain file: exit 0, a summary, a report equal to the server."""
    students = sandbox.add_students(5)
    course = sandbox.add_course(lessons=3)
    sfile = write(tmp_path / "s.csv", ["student_uid,name", *(f"{s},x" for s in students)])
    lfile = write(tmp_path / "l.txt", ["# lessons", "", *course.class_ids])
    report_path = tmp_path / "r.json"
    code, out, err = run(
        [
            "enroll",
            "--course",
            str(course.course_id),
            "--students",
            str(sfile),
            "--students-column",
            "student_uid",
            "--lessons",
            str(lfile),
            "--report",
            str(report_path),
        ],
        capsys,
    )
    assert code == 0, err
    assert re.search(r"^  succeeded +15$", out, re.MULTILINE), out
    assert "progress: 15/15 items (100%)" in err  # plain lines when stderr is not a terminal
    report = BatchReport.from_json(report_path.read_text(encoding="utf-8"))
    assert report.total == 15
    for (student, lesson), item in report.items.items():
        assert item.ok == (student in sandbox.lesson_members(lesson))
    assert SECRET not in report_path.read_text(encoding="utf-8")


def test_failures_exit_1_and_only_failed_reruns_them(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Failed items give exit 1; --only-failed re-sends just those and can then succeed."""
    students = sandbox.add_students(3)
    course = sandbox.add_course(lessons=2)
    sandbox.finish_lesson(course.class_ids[1])
    sfile = write(tmp_path / "s.txt", students)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    first = tmp_path / "first.json"
    args = ["enroll", "--course", str(course.course_id)]
    code, out, _ = run(
        [*args, "--students", str(sfile), "--lessons", str(lfile), "--report", str(first)], capsys
    )
    assert code == 1
    assert re.search(r"^    145 +3  The lesson is finished\.$", out, re.MULTILINE), out
    sandbox.lessons[course.class_ids[1]].finished = False  # the school reopens the lesson
    sandbox.reset_stats()
    # 145 is a fix, not a re-run: --only-failed leaves it out, saying so, until told.
    code, out, err = run([*args, "--only-failed", str(first)], capsys)
    assert code == 1
    assert "3 items of" in err
    assert "(3 errno 145: leave finished lessons out); fix them, then add --with-fixed" in err
    assert sum(sandbox.stats.requests.values()) == 0
    code, out, _ = run(
        [*args, "--only-failed", str(first), "--with-fixed", "--report", str(tmp_path / "2.csv")],
        capsys,
    )
    assert code == 0
    # Three students into one lesson: one call by lesson (fewer calls than by student).
    assert sandbox.stats.max_items_per_call["addClassStudentMultiple"] == 3
    assert sum(sandbox.stats.requests.values()) == 1
    assert (tmp_path / "2.csv").read_text(encoding="utf-8").count("succeeded") == 3


def test_remove_and_add_lessons_and_report(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """remove and add-lessons work, and 'report' summarises a saved report."""
    students = sandbox.add_students(4)
    course = sandbox.add_course(lessons=2)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    code, _, _ = run(
        [
            "add-lessons",
            "--course",
            str(course.course_id),
            "--student",
            str(students[0]),
            "--lessons",
            str(lfile),
        ],
        capsys,
    )
    assert code == 0
    assert students[0] in sandbox.lesson_members(course.class_ids[1])
    sfile = write(tmp_path / "s.txt", students[:2])
    saved = tmp_path / "r.json"
    code, out, _ = run(
        [
            "remove",
            "--course",
            str(course.course_id),
            "--lesson",
            str(course.class_ids[1]),
            "--students",
            str(sfile),
            "--report",
            str(saved),
        ],
        capsys,
    )
    assert code == 0
    assert re.search(r"^  already +1  in place before this job$", out, re.MULTILINE), out
    assert students[0] not in sandbox.lesson_members(course.class_ids[1])
    code, out, _ = run(["report", str(saved)], capsys)
    assert code == 0
    assert "remove_students_from_lesson" in out


def test_group_from_csv(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV group file creates the course's group plan."""
    students = sandbox.add_students(4)
    course = sandbox.add_course(lessons=1)
    sandbox.enroll_directly(course.class_ids[0], students)
    gfile = write(
        tmp_path / "g.csv",
        [
            "group,student_uid,is_leader",
            f"a,{students[0]},1",
            f"a,{students[1]},0",
            f"b,{students[2]},yes",
            f"b,{students[3]},no",
        ],
    )
    code, out, err = run(
        ["group", "--course", str(course.course_id), "--name", "Teams", "--groups", str(gfile)],
        capsys,
    )
    assert code == 0, err
    plan = sandbox.course_group(course.course_id)
    assert plan is not None
    assert f"group plan {plan.group_id} created" in out
    assert [[m.student_uid for m in g] for g in plan.groups] == [students[:2], students[2:]]


def test_bad_ids_reported_with_lines_before_sending(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad line is reported as FILE:LINE with exit 2, and nothing is sent."""
    sfile = write(tmp_path / "s.csv", ["uid", "1001", "12x", "", "-4", "1002"])
    lfile = write(tmp_path / "l.txt", [5])
    code, _, err = run(
        ["enroll", "--course", "1", "--students", str(sfile), "--lessons", str(lfile)], capsys
    )
    assert code == 2
    assert f"{sfile}:3: bad ID '12x'" in err
    assert f"{sfile}:5: bad ID '-4'" in err
    assert sum(sandbox.stats.requests.values()) == 0


def test_dry_run_sends_nothing(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run prints the plan, needs no credentials, and the sandbox sees no request."""
    sfile = write(tmp_path / "s.txt", range(1, 251))
    lfile = write(tmp_path / "l.txt", range(1000, 1150))
    code, out, _ = run(
        ["enroll", "--course", "1", "--students", str(sfile), "--lessons", str(lfile), "--dry-run"],
        capsys,
    )
    assert code == 0
    assert "37500 items in 500 calls" in out
    assert sum(sandbox.stats.requests.values()) == 0


def test_credentials_errors_exit_3(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Missing credentials, or a secret the server refuses, exit 3 after at most one request."""
    students = sandbox.add_students(300)
    course = sandbox.add_course(lessons=3)
    sfile = write(tmp_path / "s.txt", students)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    args = [
        "enroll",
        "--course",
        str(course.course_id),
        "--students",
        str(sfile),
        "--lessons",
        str(lfile),
    ]
    monkeypatch.delenv("EEO_SECRET", raising=False)
    monkeypatch.setenv("EEO_SID", str(sandbox.sid))
    monkeypatch.setenv("EEO_BASE_URL", sandbox.base_url)
    code, _, err = run(args, capsys)
    assert code == 3
    assert "no secret" in err
    wrong = tmp_path / "secret"
    wrong.write_text("not-the-secret\n", encoding="utf-8")
    code, _, err = run([*args, "--secret-file", str(wrong)], capsys)
    assert code == 3
    assert "refused the credentials" in err
    assert "not-the-secret" not in err
    assert sum(sandbox.stats.requests.values()) == 1


def test_journal_skips_what_finished(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second run with the same journal sends only what had not finished well."""
    students = sandbox.add_students(4)
    course = sandbox.add_course(lessons=2)
    sandbox.finish_lesson(course.class_ids[1])
    sfile = write(tmp_path / "s.txt", students)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    journal = tmp_path / "j.db"
    args = [
        "enroll",
        "--course",
        str(course.course_id),
        "--students",
        str(sfile),
        "--lessons",
        str(lfile),
        "--journal",
        str(journal),
    ]
    assert run(args, capsys)[0] == 1
    sandbox.reset_stats()
    code, _, err = run([*args, "--report", str(tmp_path / "r.json")], capsys)
    assert code == 1
    assert "4 items already done" in err
    # Only the unfinished lesson's four students are sent again, in one call by lesson.
    assert sandbox.stats.max_items_per_call == {"addClassStudentMultiple": 4}
    report = BatchReport.from_json((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report.total == 8
    other = [
        "remove",
        "--course",
        str(course.course_id),
        "--lesson",
        "5",
        "--students",
        str(sfile),
        "--journal",
        str(journal),
    ]
    code, _, err = run(other, capsys)
    assert code == 2
    assert "journal of another job" in err
    assert SECRET.encode() not in journal.read_bytes()


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """Every subcommand's --help ends with an example."""
    for command in ("enroll", "remove", "add-lessons", "group", "report", "demo", "sandbox"):
        with pytest.raises(SystemExit) as info:
            _cli.main([command, "--help"])
        assert info.value.code == 0
        assert "example:" in capsys.readouterr().out


# ------------------------------------------------------------------ as a process


def _env(sandbox: Sandbox) -> dict[str, str]:
    env = dict(os.environ)
    env.update(EEO_SID=str(sandbox.sid), EEO_SECRET=SECRET, EEO_BASE_URL=sandbox.base_url)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _wait_for_rows(journal: Path, rows: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists():
            try:
                with sqlite3.connect(journal) as db:
                    if db.execute("SELECT COUNT(*) FROM items").fetchone()[0] >= rows:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)  # waiting on another process, bounded above
    pytest.fail("the job did not record items in time")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_killed_job_resumes_without_loss(tmp_path: Path, how: signal.Signals) -> None:
    """Killed (or Ctrl-C) mid-job, a re-run completes: each item once, nothing done twice."""
    with ThreadSandbox(faults=Faults(latency=0.02)) as sandbox:
        students = sandbox.add_students(40)
        course = sandbox.add_course(lessons=5)
        sfile = write(tmp_path / "s.txt", students)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        journal = tmp_path / "j.db"
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
            args, env=_env(sandbox), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _wait_for_rows(journal, 20, process)
        process.send_signal(how)
        out, err = process.communicate(timeout=30)
        if how == signal.SIGINT:
            assert process.returncode == 130, err
        sandbox.faults.latency = 0
        report_path = tmp_path / "r.json"
        done = subprocess.run(
            [*args, "--report", str(report_path)],
            env=_env(sandbox),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        report = BatchReport.from_json(report_path.read_text(encoding="utf-8"))
        assert report.total == 200
        assert list(report.items) == [(s, c) for s in students for c in course.class_ids]
        for (student, lesson), item in report.items.items():
            assert item.ok
            assert student in sandbox.lesson_members(lesson)
        # Each enrolment was applied by the server exactly once.
        assert set(sandbox.stats.adds.values()) == {1}
        for text in (out, err, done.stdout, done.stderr, journal.read_bytes()):
            assert SECRET.encode() not in text


def test_demo_runs_and_agrees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo (small) finishes, says the report agrees with the server, writes JSON."""
    report = tmp_path / "demo.json"
    code, out, err = run(
        ["demo", "--students", "120", "--lessons", "12", "--report", str(report), "--no-progress"],
        capsys,
    )
    assert code == 0, err
    assert "report agrees with the server item by item: yes" in out
    # The recommended integration, each step checked: one course, each lesson and
    # classroom once, and the attendance received.
    assert "courses of that name on the server: 1" in out
    assert "lessons created twice: 0" in out
    assert "classrooms created twice: 0" in out
    assert "End received and acked: 1 message(s)" in out
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["total"] == 1440
    assert "sandbox-secret" not in out + err


def test_sandbox_command_serves_until_interrupted() -> None:
    """`eeo-async sandbox` serves a seeded sandbox a client can use with the secret it prints."""
    import re

    import eeo_async as eeo

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eeo_async._cli",
            "sandbox",
            "--port",
            "0",
            "--students",
            "2",
            "--lessons",
            "3",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0])
        assert match, lines
        course = re.search(r"course (\d+): lessons (\d+)\.\.", "".join(lines))
        students = re.search(r"students (\d+)\.\.", "".join(lines))
        secret = re.search(r"EEO_SECRET=(\S+)", "".join(lines))
        assert course
        assert students
        assert secret

        async def use() -> list[eeo.ItemStatus]:
            async with eeo.Client(1234567, secret.group(1), base_url=match.group(1)) as client:
                return await client.add_course_class_student(
                    course.group(1), students.group(1), [course.group(2)]
                )

        assert asyncio.run(use())[0].errno == 1
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
        assert process.returncode == 130, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_more_usage_errors(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong --only-failed reports, unreadable files and refused groups give clear exits."""
    students = sandbox.add_students(2)
    course = sandbox.add_course(lessons=1)
    sandbox.enroll_directly(course.class_ids[0], students)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    saved = tmp_path / "r.json"
    args = ["add-lessons", "--course", str(course.course_id), "--student", str(students[0])]
    assert run([*args, "--lessons", str(lfile), "--report", str(saved)], capsys)[0] == 0
    code, out, _ = run([*args, "--only-failed", str(saved)], capsys)
    assert (code, out.strip()) == (
        0,
        f"--only-failed: {saved} has no failed or unknown items; nothing to do",
    )
    code, _, err = run(
        ["remove", "--course", "1", "--lesson", "2", "--only-failed", str(saved)], capsys
    )
    assert code == 2
    assert "the report of another" in err
    code, _, err = run(["report", str(tmp_path / "missing.json")], capsys)
    assert code == 2
    assert "cannot read" in err
    code, _, err = run(
        [*args, "--lessons", str(lfile), "--secret-file", str(tmp_path / "nope")], capsys
    )
    assert code == 3
    assert "cannot read --secret-file" in err
    gfile = write(tmp_path / "g.json", [f'[[{{"studentUid": {students[0]}, "isLeader": 1}}]]'])
    group = ["group", "--course", str(course.course_id), "--name", "T", "--groups", str(gfile)]
    code, out, _ = run([*group, "--dry-run"], capsys)
    assert (code, "nothing was sent" in out) == (0, True)
    assert run(group, capsys)[0] == 0
    code, _, err = run(group, capsys)
    assert code == 1
    assert "errno 892" in err
