"""How every job command runs and ends: shared options, outputs, exit codes, secrets kept."""

from __future__ import annotations

import asyncio
import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from test_cli import env, run, sandbox, write  # noqa: F401 - fixtures
from test_cli_schedule import ThreadSandbox as ScheduleSandbox
from test_cli_schedule import environ, timetable

from eeo_async import BatchReport, Client, _cli
from eeo_async._errors import ApiError, ConnectError, HTTPStatusError, RequestTimeoutError
from eeo_async.testing import Faults, Sandbox

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "S3cretPw!x"


# ------------------------------------------------------------ passwords never shown


@pytest.mark.parametrize(
    "text",
    [
        # Columns swapped: the password sits under telephone (and an email under it).
        f"telephone,password\n{PASSWORD},13800000001\n",
        f"email,password\n{PASSWORD}@x,13800000001\n",
        # No header: the first row is data.
        f"13800000001,{PASSWORD}\n13800000002,other-Pw1\n",
        # No header, and a password that looks like a misspelt column.
        "13800000001,passw0rd\n",
        # Role swapped with the password.
        f"telephone,password,add_to_school\n13800000001,student,{PASSWORD}\n",
    ],
)
def test_an_accounts_file_problem_never_quotes_a_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    """Whatever is wrong with the file, no message shows a value that may be a password."""
    path = tmp_path / "accounts.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["register", "--accounts", str(path), "--dry-run"], capsys)
    assert code == 2
    assert f"{path}:" in err  # the problem is still named, by its line
    for secret in (PASSWORD, "passw0rd", "other-Pw1"):
        assert secret not in out + err


def test_a_header_that_names_columns_is_still_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real header (it names a column) is quoted, and a bad value is named by its cell."""
    path = write(tmp_path / "a.csv", ["telephone,secret", "13800000001,x"])
    code, _, err = run(["register", "--accounts", str(path), "--dry-run"], capsys)
    assert code == 2
    assert "cannot use the header 'telephone, secret'" in err
    bad = write(tmp_path / "b.csv", ["telephone,password", f"{PASSWORD},x"])
    code, _, err = run(["register", "--accounts", str(bad), "--dry-run"], capsys)
    assert code == 2
    assert f"{bad}:2: telephone (column 1) is not a number" in err


# ------------------------------------------------------------ options and outputs


def test_register_checks_its_outputs_before_reading_the_accounts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unwritable --report or --uids is refused first, as for every other job."""
    missing = tmp_path / "missing.csv"
    for flag in ("--report", "--uids"):
        args = ["register", "--accounts", str(missing), flag, str(tmp_path / "no" / "x.csv")]
        code, _, err = run([*args, "--dry-run"], capsys)
        assert code == 2
        assert f"{flag} {tmp_path / 'no' / 'x.csv'}: the directory" in err
        assert "missing.csv" not in err


@pytest.mark.parametrize("command", ["register", "schedule"])
def test_every_job_takes_the_pace_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """--max-per-second and --adaptive/--no-adaptive, as the bulk jobs take them."""
    if command == "register":
        accounts = write(tmp_path / "a.csv", ["telephone,password", "13800000001,Start2026"])
        args = ["register", "--accounts", str(accounts)]
    else:
        table = timetable(tmp_path / "t.csv", 1000001, 2)
        args = ["schedule", "--course", "5", "--timetable", str(table)]
    for extra in (["--max-per-second", "5", "--no-adaptive"], ["--adaptive"]):
        code, out, err = run([*args, *extra, "--dry-run", "--encoding", "utf-8"], capsys)
        assert code == 0, err
        assert "dry run" in out


def test_schedule_with_classrooms_warns_of_the_settings_it_drops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """createClassroom has no record, live or replay: a timetable's are named, not lost silently."""
    table = timetable(tmp_path / "t.csv", 1000001, 2)  # its 录课 (record) column says 是
    args = ["schedule", "--course", "5", "--timetable", str(table), "--dry-run"]
    code, _, err = run([*args, "--classrooms", "--unit", "7"], capsys)
    assert code == 0, err
    assert "warning:" in err
    assert "record are not sent with --classrooms" in err
    code, _, err = run(args, capsys)
    assert code == 0, err
    assert "--classrooms" not in err


def test_schedule_ids_cells_are_never_formulas(
    sandbox: Sandbox,  # noqa: F811 - the fixture
    env: dict[str, str],  # noqa: F811 - the fixture
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A name a spreadsheet would run as a formula is written as text in --ids."""
    (teacher,) = sandbox.add_teachers(1)
    course = sandbox.add_course()
    table = timetable(tmp_path / "t.csv", teacher, 2)
    text = table.read_text(encoding="utf-8").replace("第1课", "=HYPERLINK(x)", 1)
    table.write_text(text, encoding="utf-8")
    ids = tmp_path / "ids.csv"
    args = ["schedule", "--course", str(course.course_id), "--timetable", str(table)]
    code, _, err = run([*args, "--ids", str(ids), "--no-progress"], capsys)
    assert code == 0, err
    with ids.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0] == "'=HYPERLINK(x)"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_schedule_writes_its_report_when_an_earlier_run_did_everything(
    sandbox: Sandbox,  # noqa: F811 - the fixture
    env: dict[str, str],  # noqa: F811 - the fixture
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nothing left to send: --report still holds every lesson, as the earlier run left it."""
    (teacher,) = sandbox.add_teachers(1)
    course = sandbox.add_course()
    table = timetable(tmp_path / "t.csv", teacher, 3)
    journal, report = tmp_path / "t.db", tmp_path / "r.json"
    args = ["schedule", "--course", str(course.course_id), "--timetable", str(table),
            "--journal", str(journal), "--no-progress"]  # fmt: skip
    assert run(args, capsys)[0] == 0
    sandbox.reset_stats()
    code, out, err = run([*args, "--report", str(report)], capsys)
    assert code == 0, err
    assert "created by an earlier run" in out
    assert not sandbox.stats.requests
    saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
    assert saved.total == 3
    assert saved.ok
    assert {item.id for item in saved.items.values()} == set(sandbox.timetable.lessons)


def test_a_report_that_cannot_be_written_keeps_the_exit_code(
    sandbox: Sandbox,  # noqa: F811 - the fixture
    env: dict[str, str],  # noqa: F811 - the fixture
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A disk that fills after the job: said on stderr, the exit code is the job's."""

    def full(self: Any, path: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(BatchReport, "write_json", full)
    students = sandbox.add_students(3)
    course = sandbox.add_course(lessons=1)
    sfile = write(tmp_path / "s.txt", students)
    args = ["course-add", "--course", str(course.course_id), "--students", str(sfile)]
    code, _, err = run([*args, "--report", str(tmp_path / "r.json"), "--no-progress"], capsys)
    assert code == 0, err
    assert "cannot write the report" in err
    assert "No space left on device" in err
    assert "the exit code is the job's own" in err


# ------------------------------------------------------------------ ends and exits


def test_a_sigterm_before_a_schedule_starts_exits_143(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled before its client is up: one line and 143, as for the bulk jobs."""

    def cancelled(args: Any) -> Any:
        raise asyncio.CancelledError

    monkeypatch.setattr("eeo_async._cli.running._client", cancelled)
    table = timetable(tmp_path / "t.csv", 1000001, 2)
    code, _, err = run(["schedule", "--course", "5", "--timetable", str(table)], capsys)
    assert code == 143
    assert "terminated (SIGTERM) before anything was sent" in err


def test_an_interrupted_schedule_prints_its_last_progress_line(tmp_path: Path) -> None:
    """Ctrl-C mid-job: 130, the last plain progress line, the partial report and --ids."""
    with ScheduleSandbox(faults=Faults(latency=0.2)) as served:
        (teacher,) = served.add_teachers(1)
        course = served.add_course()
        table = timetable(tmp_path / "t.csv", teacher, 150)
        report, ids = tmp_path / "r.json", tmp_path / "ids.csv"
        args = [sys.executable, "-m", "eeo_async._cli", "schedule", "--course",
                str(course.course_id), "--timetable", str(table), "--report", str(report),
                "--ids", str(ids), "--concurrency", "1"]  # fmt: skip
        environment = {**environ(served), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        process = subprocess.Popen(
            args, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 30
        while served.stats.requests["addCourseClassMultiple"] < 2 and process.poll() is None:
            assert time.monotonic() < deadline, "the job did not start in time"
            time.sleep(0.01)  # polling another process, bounded by the deadline
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    last = [line for line in err.splitlines() if line.startswith("progress:")][-1]
    assert "not sent" in last  # the final line, with what the stop left
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["stopped_by"] == "interrupted"
    assert ids.exists()


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ApiError(901, "维护中", "addCourseGroup"), 4),
        (ApiError(144, "机构下无此课程", "addCourseGroup"), 5),
        (RequestTimeoutError("addCourseGroup", "no answer in 20 s"), 4),
        (HTTPStatusError("addCourseGroup", "Service Unavailable", 503), 4),
        (HTTPStatusError("addCourseGroup", "Not Found", 404), 5),
        (ConnectError("addCourseGroup", "connection refused"), 4),
        (ApiError(100, "参数错误", "addCourseGroup"), 1),
    ],
)
def test_a_commands_own_call_exits_as_a_job_would(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    code: int,
) -> None:
    """The exit codes of the table: 901, timeouts and 5xx 4; 144 and a wrong URL 5."""

    async def refused(self: Client, *args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(Client, "add_course_group", refused)
    monkeypatch.setenv("EEO_SID", "1234567")
    monkeypatch.setenv("EEO_SECRET", "not-used")
    monkeypatch.setenv("EEO_BASE_URL", "http://127.0.0.1:9")
    groups = write(tmp_path / "g.csv", ["group,student_uid,is_leader", "A,1001,1", "A,1002,0"])
    args = ["group", "--course", "176465", "--name", "Teams", "--groups", str(groups)]
    got, _, err = run(args, capsys)
    assert got == code, err
    assert "error:" in err


def test_the_help_names_the_bulk_jobs_and_the_demo_right(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No class name in the command's words; the demo's help says what it runs."""
    with pytest.raises(SystemExit):
        _cli.main(["--help"])
    out = capsys.readouterr().out
    assert "Bulk jobs for the ClassIn" in out
    assert "BulkJob" not in out
    assert "whole integration against the sandbox" in out
    with pytest.raises(SystemExit):
        _cli.main(["schedule", "--help"])
    out = capsys.readouterr().out
    assert "--max-per-second" in out
    assert "activity ID" in out
