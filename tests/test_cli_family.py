"""The family's bulk subcommands, run as a user would: course-add/remove, lesson-add, unenroll."""

from __future__ import annotations

from pathlib import Path

from test_cli import ThreadSandbox, run_cli, write

from eeo_async._batch.report import BatchReport
from eeo_async.testing import Faults


def test_course_add_and_remove_from_a_spreadsheet_export(tmp_path: Path) -> None:
    """course-add reads a multi-column export by its column; course-remove undoes it."""
    with ThreadSandbox() as sandbox:
        students = sandbox.add_students(45)
        course = sandbox.add_course(lessons=1)
        rows = ["Name;Student UID", *(f'"Pupil, {i}";{uid}' for i, uid in enumerate(students))]
        sfile = tmp_path / "s.csv"
        sfile.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode())
        report = tmp_path / "r.json"
        base = ["--course", course.course_id, "--students", sfile, "--column", "student uid"]
        done = run_cli(["course-add", *base, "--report", report], sandbox)
        assert done.returncode == 0, done.stderr
        assert sandbox.course_students(course.course_id) >= set(students)
        saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
        assert (saved.succeeded, saved.action) == (45, "addCourseStudentMultiple")
        done = run_cli(["course-remove", *base], sandbox)
        assert done.returncode == 0, done.stderr
        assert not sandbox.course_students(course.course_id) & set(students)


def test_lesson_add_then_unenroll_with_only_failed(tmp_path: Path) -> None:
    """lesson-add fills one lesson; unenroll's failures re-run from its report as pairs."""
    with ThreadSandbox() as sandbox:
        students = sandbox.add_students(12)
        course = sandbox.add_course(lessons=3)
        sfile = write(tmp_path / "s.txt", students)
        lfile = write(tmp_path / "l.txt", course.class_ids)
        first = course.class_ids[0]
        done = run_cli(
            ["lesson-add", "--course", course.course_id, "--lesson", first, "--students", sfile],
            sandbox,
        )
        assert done.returncode == 0, done.stderr
        assert sandbox.lesson_members(first) == set(students)
        sandbox.finish_lesson(course.class_ids[2])  # removals from it fail: 145
        report = tmp_path / "u.json"
        args = ["unenroll", "--course", course.course_id]
        done = run_cli(
            [*args, "--students", sfile, "--lessons", lfile, "--report", report], sandbox
        )
        assert done.returncode == 1
        saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
        assert saved.operation == "unenroll"
        assert saved.failed == 12
        assert not sandbox.lesson_members(first)
        # A finished lesson is a fix, not a re-run: only --with-fixed takes its items.
        done = run_cli([*args, "--only-failed", report, "--with-fixed", "--dry-run"], sandbox)
        assert done.returncode == 0, done.stderr
        assert "12 items" in done.stdout


def test_a_resumed_unknown_item_is_not_already(tmp_path: Path) -> None:
    """An item whose answer was lost is re-sent on resume and counts as succeeded, not already."""
    with ThreadSandbox(faults=Faults(lost_after=1.0)) as sandbox:
        students = sandbox.add_students(3)
        course = sandbox.add_course(lessons=1)
        sfile = write(tmp_path / "s.txt", students)
        journal = tmp_path / "j.db"
        report = tmp_path / "r.json"
        args = ["course-add", "--course", course.course_id, "--students", sfile]
        args += ["--journal", journal, "--report", report]
        done = run_cli([*args, "--max-attempts", "1"], sandbox)
        assert done.returncode == 1
        assert BatchReport.from_json(report.read_text(encoding="utf-8")).unknown == 3
        sandbox.faults.lost_after = 0
        done = run_cli(args, sandbox)
        assert done.returncode == 0, done.stderr
        saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
        assert (saved.succeeded, saved.already) == (3, 0)


def test_rate_and_adaptive_options_reach_the_job(tmp_path: Path) -> None:
    """--max-per-second and --no-adaptive are passed to the client and the batcher."""
    with ThreadSandbox() as sandbox:
        students = sandbox.add_students(5)
        course = sandbox.add_course(lessons=1)
        sfile = write(tmp_path / "s.txt", students)
        report = tmp_path / "r.json"
        done = run_cli(
            [
                *("course-add", "--course", course.course_id, "--students", sfile),
                *("--max-per-second", "20", "--no-adaptive", "--report", report),
            ],
            sandbox,
        )
        assert done.returncode == 0, done.stderr
        saved = BatchReport.from_json(report.read_text(encoding="utf-8"))
        assert saved.concurrency is not None
        assert not saved.concurrency.adaptive
        done = run_cli(
            ["course-add", "--course", "1", "--students", sfile, "--max-per-second", "0"]
        )
        assert done.returncode == 2
        assert "--max-per-second" in done.stderr


def test_register_from_a_spreadsheet_then_course_add_from_its_uids(tmp_path: Path) -> None:
    """register reads accounts as a spreadsheet writes them; its UIDs file feeds course-add."""
    accounts = tmp_path / "accounts.csv"
    rows = [
        "Telephone;Password;Nick Name;Add to school",
        "15800000001;s3cret-pass;Ann;student",
        '15800000002;s3cret-pass;"Bo, the second";student',
        "15800000003;s3cret-pass;Cy;Student",
    ]
    accounts.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode())
    with ThreadSandbox(faults=Faults(lost_after=0.3)) as sandbox:
        course = sandbox.add_course(lessons=1)
        sandbox.register_directly("15800000002", "s3cret-pass")
        uids = tmp_path / "uids.csv"
        report = tmp_path / "r.json"
        args = ["register", "--accounts", accounts, "--uids", uids, "--report", report]
        done = run_cli([*args, "--max-attempts", "10"], sandbox)
        assert done.returncode == 0, done.stderr
        assert "s3cret-pass" not in done.stdout + done.stderr + report.read_text("utf-8")
        saved = BatchReport.load(report)
        assert saved.total == 3
        assert saved.items["15800000002"].outcome in ("already", "succeeded")
        lines = uids.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "account,uid"
        found = {line.split(",")[0]: int(line.split(",")[1]) for line in lines[1:]}
        for account, uid in found.items():
            assert sandbox.account(account).uid == uid
        # Registering the same file again is safe: every account answers "already".
        sandbox.faults.lost_after = 0
        done = run_cli(args, sandbox)
        assert done.returncode == 0, done.stderr
        assert BatchReport.load(report).already == 3
        add = ["course-add", "--course", course.course_id, "--students", uids, "--column", "uid"]
        done = run_cli(add, sandbox)
        assert done.returncode == 0, done.stderr
        assert sandbox.course_students(course.course_id) >= set(found.values())


def test_register_reports_bad_accounts_by_line_without_passwords(tmp_path: Path) -> None:
    """A bad account line is FILE:LINE with the reason, before anything is sent; exit 2."""
    accounts = tmp_path / "a.csv"
    accounts.write_text(
        "email,password\nann@example.com,short\nbo@example.com,long-enough-1\n",
        encoding="utf-8",
    )
    done = run_cli(["register", "--accounts", accounts, "--dry-run"])
    assert done.returncode == 2
    assert f"{accounts}:2:" in done.stderr
    assert "short" not in done.stderr
    accounts.write_text("name\nAnn\n", encoding="utf-8")
    done = run_cli(["register", "--accounts", accounts, "--dry-run"])
    assert done.returncode == 2
    assert "the header must name telephone or email" in done.stderr
