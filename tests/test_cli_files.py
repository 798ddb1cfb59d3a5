"""The command reads files the way spreadsheets write them: BOM, CRLF, quotes, delimiters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import SECRET, ThreadSandbox, run_cli

from eeo_async.testing import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        yield sb


def sheet(path: Path, rows: list[str], *, bom: bool = True, newline: str = "\r\n") -> Path:
    """Write rows as Excel's "CSV UTF-8" does: a BOM and CRLF line ends."""
    text = ("\ufeff" if bom else "") + "".join(row + newline for row in rows)
    path.write_bytes(text.encode("utf-8"))
    return path


def planned(out: str) -> int:
    match = re.search(r"would send (\d+) items", out)
    assert match, out
    return int(match.group(1))


def test_quoted_cell_with_a_line_break_is_one_record(sandbox: Sandbox, tmp_path: Path) -> None:
    """An address cell with a line break inside quotes never becomes an ID of its own."""
    students = sandbox.add_students(2)
    course = sandbox.add_course(lessons=2)
    sfile = sheet(
        tmp_path / "students.csv",
        [
            "Name,Address,Student UID,,",
            f'Ann,"Flat 3\r\n1200 Main St",{students[0]},,',
            f'"Lee, Bo","2 Hill Rd",{students[1]},,',
        ],
    )
    lfile = sheet(tmp_path / "lessons.csv", [str(c) for c in course.class_ids])
    args = ["enroll", "--course", course.course_id, "--students", sfile, "--lessons", lfile]
    report = tmp_path / "r.csv"
    done = run_cli([*args, "--students-column", "student_uid", "--report", report], sandbox)
    assert done.returncode == 0, done.stderr
    for lesson in course.class_ids:
        assert sandbox.lesson_members(lesson) == set(students)
    assert "1200" not in report.read_text(encoding="utf-8")


def test_bad_value_is_reported_at_the_line_its_record_starts(tmp_path: Path) -> None:
    """A bad ID after a multi-line record is reported at its own physical line."""
    sfile = sheet(
        tmp_path / "s.csv",
        ["name,note,uid", 'ann,"two\r\nlines",1001', "bo,x,12x", "cy,,1003"],
    )
    lfile = sheet(tmp_path / "l.txt", ["5"])
    done = run_cli(
        [
            "enroll",
            "--course",
            "1",
            "--students",
            sfile,
            "--lessons",
            lfile,
            "--students-column",
            "uid",
            "--dry-run",
        ]
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"{sfile}:4: bad ID '12x'"


@pytest.mark.parametrize("first", ['"2000001"', "2000001,,"])
def test_a_first_id_is_never_taken_for_a_header(tmp_path: Path, first: str) -> None:
    """A first line holding an ID (quoted, or with empty columns) is data: the plan counts it."""
    lfile = sheet(tmp_path / "l.csv", [first, '"2000002"', "2000003"])
    done = run_cli(
        ["add-lessons", "--course", "1", "--student", "7", "--lessons", lfile, "--dry-run"]
    )
    assert done.returncode == 0, done.stderr
    assert planned(done.stdout) == 3


def test_a_bad_first_line_is_reported_not_dropped(tmp_path: Path) -> None:
    """A bad first line (it has digits, so it is not a header) is a bad ID at line 1: exit 2."""
    lfile = sheet(tmp_path / "l.csv", ["1000x01", "2000002"], bom=False)
    done = run_cli(
        ["add-lessons", "--course", "1", "--student", "7", "--lessons", lfile, "--dry-run"]
    )
    assert done.returncode == 2
    assert f"{lfile}:1: bad ID '1000x01'" in done.stderr
    assert "would send" not in done.stdout


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files(tmp_path: Path, delimiter: str) -> None:
    """Semicolon (European Excel) and tab files are read by column, with header names loose."""
    rows = [delimiter.join(["Name", "Student UID", "Note"])]
    rows += [delimiter.join([f"n{i}", str(1000 + i), "a,b"]) for i in range(4)]
    sfile = sheet(tmp_path / "s.csv", rows)
    lfile = sheet(tmp_path / "l.csv", ["Lesson ID", "5", "6", ""])
    done = run_cli(
        [
            "enroll",
            "--course",
            "1",
            "--students",
            sfile,
            "--lessons",
            lfile,
            "--students-column",
            "studentUid",
            "--dry-run",
        ]
    )
    assert done.returncode == 0, done.stderr
    assert planned(done.stdout) == 8


def test_each_file_has_its_own_column(sandbox: Sandbox, tmp_path: Path) -> None:
    """A many-column students export and a one-column lessons file with a header work together."""
    students = sandbox.add_students(3)
    course = sandbox.add_course(lessons=2)
    sfile = sheet(
        tmp_path / "s.csv",
        ["student_name,student_uid,class_name", *(f"s{u},{u},x" for u in students)],
    )
    lfile = sheet(tmp_path / "l.csv", ["class_id", *map(str, course.class_ids)])
    done = run_cli(
        [
            "enroll",
            "--course",
            course.course_id,
            "--students",
            sfile,
            "--lessons",
            lfile,
            "--students-column",
            "Student UID",
        ],
        sandbox,
    )
    assert done.returncode == 0, done.stderr
    assert sandbox.lesson_members(course.class_ids[1]) == set(students)
    many = run_cli(["enroll", "--course", "1", "--students", sfile, "--lessons", lfile])
    assert many.returncode == 2
    assert "choose one with --students-column" in many.stderr


def test_secret_file_from_notepad(sandbox: Sandbox, tmp_path: Path) -> None:
    """A secret file with a BOM and CRLF works; a file others can read is warned about."""
    students = sandbox.add_students(1)
    course = sandbox.add_course(lessons=1)
    secret = sheet(tmp_path / "secret.txt", [SECRET])
    secret.chmod(0o644)
    lfile = sheet(tmp_path / "l.txt", [str(course.class_ids[0])])
    done = run_cli(
        [
            "add-lessons",
            "--course",
            course.course_id,
            "--student",
            students[0],
            "--lessons",
            lfile,
            "--secret-file",
            secret,
        ],
        EEO_SID=str(sandbox.sid),
        EEO_BASE_URL=sandbox.base_url,
    )
    assert done.returncode == 0, done.stderr
    assert f"--secret-file {secret} can be read by other users" in done.stderr
    secret.chmod(0o600)
    quiet = run_cli(
        [
            "add-lessons",
            "--course",
            course.course_id,
            "--student",
            students[0],
            "--lessons",
            lfile,
            "--secret-file",
            secret,
        ],
        EEO_SID=str(sandbox.sid),
        EEO_BASE_URL=sandbox.base_url,
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "warning" not in quiet.stderr
