"""Every failure a user can cause has its exit code and one clear line, never a traceback."""

from __future__ import annotations

import csv
import os
import pty
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import ROOT, SECRET, ThreadSandbox, run_cli, write

from eeo_async.testing import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        yield sb


def _job(sandbox: Sandbox, tmp_path: Path, lessons: int = 2) -> tuple[list[object], list[int]]:
    student = sandbox.add_students(1)[0]
    course = sandbox.add_course(lessons=lessons)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    args: list[object] = ["add-lessons", "--course", course.course_id, "--student", student]
    return [*args, "--lessons", lfile], list(course.class_ids)


def test_help_has_the_exit_code_table() -> None:
    """`--help` of the command and of a job command list every exit code."""
    for args in (["--help"], ["enroll", "--help"]):
        done = run_cli(args)
        assert done.returncode == 0
        for line in ("0    every item done", "3    credentials", "4    the server cannot be"):
            assert line in done.stdout
        assert "130  interrupted" in done.stdout


def test_bad_option_values_exit_2_before_sending(sandbox: Sandbox, tmp_path: Path) -> None:
    """--max-attempts 0, --concurrency 0 and a bad --course or --lesson exit 2, nothing sent."""
    args, _ = _job(sandbox, tmp_path)
    for extra in (["--max-attempts", "0"], ["--concurrency", "0"]):
        done = run_cli([*args, *extra], sandbox)
        assert done.returncode == 2
        assert "must be a whole number from 1" in done.stderr
    report = tmp_path / "r.json"
    assert run_cli([*args, "--report", report], sandbox).returncode == 0
    done = run_cli(["remove", "--course", "1", "--lesson", "12x", "--only-failed", report], sandbox)
    assert done.returncode == 2
    assert "bad ID '12x'" in done.stderr
    assert sum(sandbox.stats.requests.values()) == 1


def test_missing_files_and_directories_exit_2_before_sending(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A missing --only-failed report or a --report in a missing directory exits 2, unsent."""
    args, _ = _job(sandbox, tmp_path)
    remove = ["remove", "--course", "1", "--lesson", "2"]
    done = run_cli([*remove, "--only-failed", tmp_path / "gone.json"], sandbox)
    assert done.returncode == 2
    assert f"cannot read --only-failed {tmp_path / 'gone.json'}" in done.stderr
    done = run_cli([*args, "--report", tmp_path / "out" / "r.json"], sandbox)
    assert done.returncode == 2
    assert done.stderr.strip().endswith(f"the directory {tmp_path / 'out'} does not exist")
    assert sum(sandbox.stats.requests.values()) == 0


def test_only_failed_with_input_files_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    """--only-failed given with an input file is refused rather than silently ignoring it."""
    args, lessons = _job(sandbox, tmp_path)
    sandbox.finish_lesson(lessons[1])
    report = tmp_path / "r.json"
    assert run_cli([*args, "--report", report], sandbox).returncode == 1
    sandbox.reset_stats()
    done = run_cli([*args, "--only-failed", report], sandbox)
    assert done.returncode == 2
    assert "--only-failed takes the items from the report; drop --lessons" in done.stderr
    assert sum(sandbox.stats.requests.values()) == 0


def test_csv_reports_are_read_back(sandbox: Sandbox, tmp_path: Path) -> None:
    """`report` and `--only-failed` read the CSV reports the command writes."""
    args, lessons = _job(sandbox, tmp_path, lessons=3)
    sandbox.finish_lesson(lessons[2])
    report = tmp_path / "r.csv"
    assert run_cli([*args, "--report", report], sandbox).returncode == 1
    done = run_cli(["report", report])
    assert done.returncode == 1
    assert re.search(r"succeeded\s+2\n\s+already\s+0\n\s+failed\s+1", done.stdout), done.stdout
    sandbox.lessons[lessons[2]].finished = False  # the school reopens the lesson
    sandbox.reset_stats()
    rerun = [a for a in args if a != args[-1] and a != "--lessons"]
    done = run_cli([*rerun, "--only-failed", report, "--report", tmp_path / "again.csv"], sandbox)
    assert done.returncode == 0, done.stderr
    assert sandbox.stats.max_items_per_call["addCourseClassStudent"] == 1
    # The command writes a BOM for Excel; utf-8-sig reads files with and without one.
    with (tmp_path / "again.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(int(r["class_id"]), r["outcome"]) for r in rows] == [(lessons[2], "succeeded")]


def test_duplicates_count_input_ids(tmp_path: Path) -> None:
    """One repeated student row is one duplicate, not one per lesson."""
    sfile = write(tmp_path / "s.txt", [1001, 1002, 1001])
    lfile = write(tmp_path / "l.txt", range(5000, 5030))
    done = run_cli(
        ["enroll", "--course", "1", "--students", sfile, "--lessons", lfile, "--dry-run"]
    )
    assert done.returncode == 0, done.stderr
    assert "would send 60 items" in done.stdout
    assert "1 duplicate IDs dropped" in done.stdout


def test_duplicates_in_the_summary_count_input_ids(sandbox: Sandbox, tmp_path: Path) -> None:
    """The summary and the report of a run count input IDs dropped, not (student, lesson) pairs."""
    students = sandbox.add_students(2)
    course = sandbox.add_course(lessons=30)
    sfile = write(tmp_path / "s.txt", [*students, students[0]])
    lfile = write(tmp_path / "l.txt", course.class_ids)
    done = run_cli(
        ["enroll", "--course", course.course_id, "--students", sfile, "--lessons", lfile],
        sandbox,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"^  duplicates +1  dropped from input$", done.stdout, re.M), done.stdout


def test_without_tqdm_a_terminal_gets_plain_progress(sandbox: Sandbox, tmp_path: Path) -> None:
    """On a terminal without tqdm installed, a job shows plain progress lines and succeeds."""
    args, lessons = _job(sandbox, tmp_path)
    blocker = tmp_path / "blocked"
    (blocker / "tqdm").mkdir(parents=True)
    (blocker / "tqdm" / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EEO_")}
    env.update(EEO_SID=str(sandbox.sid), EEO_SECRET=SECRET, EEO_BASE_URL=sandbox.base_url)
    env["PYTHONPATH"] = os.pathsep.join([str(blocker), str(ROOT)])
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "eeo_async._cli", *map(str, args)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=60,
            check=False,
        )
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0, seen
    assert b"progress: 2/2 items (100%)" in seen
    assert b"Traceback" not in seen
    assert sandbox.lesson_members(lessons[1])


# ------------------------------------------------------------------------- group


def _members(sandbox: Sandbox, count: int) -> tuple[int, list[int]]:
    students = sandbox.add_students(count)
    course = sandbox.add_course(lessons=1)
    sandbox.enroll_directly(course.class_ids[0], students)
    return course.course_id, students


def test_group_csv_as_a_spreadsheet_writes_it(sandbox: Sandbox, tmp_path: Path) -> None:
    """A group CSV with a loose header, extra columns, a BOM, CRLF and quotes creates the plan."""
    course, students = _members(sandbox, 3)
    rows = ["Group,Student UID,Is Leader,Name"]
    rows += [
        f'Red,{students[0]},1,"Ann, A"',
        f'Red,{students[1]},0,"Bo\r\nB"',
        f"Blue,{students[2]},1,",
    ]
    gfile = tmp_path / "g.csv"
    gfile.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode())
    done = run_cli(["group", "--course", course, "--name", "Teams", "--groups", gfile], sandbox)
    assert done.returncode == 0, done.stderr
    plan = sandbox.course_group(course)
    assert plan is not None
    assert [[m.student_uid for m in g] for g in plan.groups] == [students[:2], students[2:]]


def test_group_header_it_cannot_use_is_named(tmp_path: Path) -> None:
    """A group CSV whose header lacks a needed column is refused, naming that header."""
    gfile = write(tmp_path / "g.csv", ["team,uid,leader", "A,1,1"])
    done = run_cli(["group", "--course", "1", "--name", "T", "--groups", gfile, "--dry-run"])
    assert done.returncode == 2
    assert f"{gfile}:1: cannot use the header 'team, uid, leader'" in done.stderr


def test_group_dry_run_validates_fully_without_credentials(tmp_path: Path) -> None:
    """The group dry run needs no credentials, and checks the leaders and the name."""
    good = write(tmp_path / "g.csv", ["group,student_uid,is_leader", "A,11,1", "A,12,0"])
    base = ["group", "--course", "1", "--groups"]
    done = run_cli([*base, good, "--name", "Teams", "--dry-run"])
    assert done.returncode == 0, done.stderr
    assert "1 groups, 2 students" in done.stdout
    no_leader = write(tmp_path / "n.csv", ["group,student_uid,is_leader", "A,11,0"])
    done = run_cli([*base, no_leader, "--name", "Teams", "--dry-run"])
    assert done.returncode == 2
    assert "exactly one leader" in done.stderr
    done = run_cli([*base, good, "--name", "x" * 21, "--dry-run"])
    assert done.returncode == 2
    assert "at most 20 characters" in done.stderr


@pytest.mark.parametrize(
    "option",
    [
        ["--report", "r.json"],
        ["--journal", "j.db"],
        ["--only-failed", "r.json"],
        ["--concurrency", "4"],
    ],
)
def test_group_refuses_options_that_mean_nothing_for_it(tmp_path: Path, option: list[str]) -> None:
    """`group` does not accept the bulk jobs' options."""
    gfile = write(tmp_path / "g.csv", ["group,student_uid,is_leader", "A,11,1"])
    done = run_cli(
        ["group", "--course", "1", "--name", "T", "--groups", gfile, "--dry-run", *option]
    )
    assert done.returncode == 2
    assert f"unrecognized arguments: {' '.join(option)}" in done.stderr


def test_partial_group_exits_1_and_says_so(sandbox: Sandbox, tmp_path: Path) -> None:
    """A plan made without some wrong UIDs (898) exits 1 and says the server did not say which."""
    course, students = _members(sandbox, 2)
    outsider = sandbox.add_students(1)[0]
    gfile = write(
        tmp_path / "g.csv",
        ["group,student_uid,is_leader", f"A,{students[0]},1", f"A,{outsider},0"],
    )
    done = run_cli(["group", "--course", course, "--name", "T", "--groups", gfile], sandbox)
    assert done.returncode == 1
    assert "some student UIDs were wrong (errno 898)" in done.stderr
    assert "the server did not say which" in done.stderr


def test_group_on_an_unreachable_server_exits_4(tmp_path: Path) -> None:
    """Creating a group on a server nobody listens on exits 4 with one line naming the URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    gfile = write(tmp_path / "g.csv", ["group,student_uid,is_leader", "A,11,1"])
    done = run_cli(
        ["group", "--course", "1", "--name", "T", "--groups", gfile, "--max-attempts", "1"],
        EEO_SID="1234567",
        EEO_SECRET=SECRET,
        EEO_BASE_URL=url,
    )
    assert done.returncode == 4
    assert len(done.stderr.strip().splitlines()) == 1
    assert f"cannot be reached ({url})" in done.stderr


# ----------------------------------------------------------------------- sandbox


def test_sandbox_has_a_flag_for_every_fault(tmp_path: Path) -> None:
    """`sandbox --help` offers a flag per Faults field, and a bad probability exits 2."""
    import attrs

    from eeo_async.testing import Faults

    done = run_cli(["sandbox", "--help"])
    for field in attrs.fields(Faults):
        assert f"--{field.name.replace('_', '-')}" in done.stdout
    done = run_cli(["sandbox", "--item-busy", "1.5"])
    assert done.returncode == 2
    assert "must be a number from 0 to 1" in done.stderr


def test_sandbox_faults_reach_a_job(tmp_path: Path) -> None:
    """A sandbox started with --item-busy 1 makes every item of a job fail with 114."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EEO_")}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "eeo_async._cli", "sandbox", "--port", "0"]
    command += ["--students", "1", "--lessons", "2", "--item-busy", "1", "--seed", "3"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        lines = "".join(server.stdout.readline() for _ in range(5))
        exports = dict(re.findall(r"(EEO_\w+)=(\S+)", lines))
        assert set(exports) == {"EEO_SID", "EEO_SECRET", "EEO_BASE_URL"}, lines
        assert "item_busy=1.0" in lines
        course, first = re.findall(r"course (\d+): lessons (\d+)", lines)[0]
        student = re.findall(r"students (\d+)", lines)[0]
        lfile = write(tmp_path / "l.txt", [first])
        job = ["add-lessons", "--course", course, "--student", student, "--lessons", str(lfile)]
        done = subprocess.run(
            [sys.executable, "-m", "eeo_async._cli", *job, "--max-attempts", "2"],
            env={**env, **exports},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        assert re.search(r"^    114 +1  Server exception\.$", done.stdout, re.M), done.stdout
    finally:
        server.terminate()
        server.communicate(timeout=30)
