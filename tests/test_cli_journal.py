"""A journal belongs to one job: school, server, operation, course, target and inputs."""

from __future__ import annotations

from pathlib import Path

from test_cli import SECRET, ThreadSandbox, run_cli, write

from eeo_async.testing import Sandbox


def _enroll(sandbox: Sandbox, tmp_path: Path) -> tuple[list[object], list[int], Path]:
    students = sandbox.add_students(3)
    course = sandbox.add_course(lessons=2)
    sfile = write(tmp_path / "s.txt", students)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    journal = tmp_path / "enroll.db"
    args: list[object] = ["enroll", "--course", course.course_id, "--students", sfile]
    args += ["--lessons", lfile, "--journal", journal]
    return args, list(course.class_ids), journal


def test_another_server_is_refused(tmp_path: Path) -> None:
    """The same command against another EEO_BASE_URL is refused (exit 2) and sends nothing."""
    with ThreadSandbox() as rehearsal, ThreadSandbox() as production:
        args, lessons, journal = _enroll(rehearsal, tmp_path)
        production.add_students(3)
        production.add_course(lessons=2)
        assert run_cli(args, rehearsal).returncode == 0
        done = run_cli(args, production)
        assert done.returncode == 2
        assert f"base URL {rehearsal.base_url} in the journal, {production.base_url} now" in (
            done.stderr
        )
        assert f"Delete {journal} to start this job over" in done.stderr
        assert sum(production.stats.requests.values()) == 0
        assert not production.lesson_members(lessons[0])
        assert SECRET.encode() not in journal.read_bytes()


def test_other_inputs_or_school_are_refused(tmp_path: Path) -> None:
    """Another students file, or another school ID, is another job: refused, naming what differs."""
    with ThreadSandbox() as sandbox:
        args, _, _ = _enroll(sandbox, tmp_path)
        assert run_cli(args, sandbox).returncode == 0
        sandbox.reset_stats()
        others = write(tmp_path / "others.txt", sandbox.add_students(2))
        changed = [others if a == tmp_path / "s.txt" else a for a in args]
        done = run_cli(changed, sandbox)
        assert done.returncode == 2
        assert "inputs (fingerprint of the IDs)" in done.stderr
        done = run_cli([*args, "--sid", "7654321"], sandbox)
        assert done.returncode == 2
        assert f"school ID {sandbox.sid} in the journal, 7654321 now" in done.stderr
        assert sum(sandbox.stats.requests.values()) == 0


def test_same_values_written_differently_are_the_same_job(tmp_path: Path) -> None:
    """--course 0100001 resumes the journal of --course 100001, and the IDs' order is no matter."""
    with ThreadSandbox() as sandbox:
        args, _, _ = _enroll(sandbox, tmp_path)
        assert run_cli(args, sandbox).returncode == 0
        sandbox.reset_stats()
        students = (tmp_path / "s.txt").read_text(encoding="utf-8").split()
        write(tmp_path / "s.txt", list(reversed(students)))
        padded = ["0" + str(a) if i == 2 else a for i, a in enumerate(args)]
        done = run_cli(padded, sandbox)
        assert done.returncode == 0, done.stderr
        assert "6 items already done, skipped" in done.stderr
        assert sum(sandbox.stats.requests.values()) == 0


def test_journal_in_a_missing_directory_or_not_a_journal(tmp_path: Path) -> None:
    """A journal path in a missing directory, or a file that is not a journal, exits 2 unsent."""
    with ThreadSandbox() as sandbox:
        args, _, _ = _enroll(sandbox, tmp_path)
        missing = [tmp_path / "no" / "j.db" if str(a).endswith(".db") else a for a in args]
        done = run_cli(missing, sandbox)
        assert done.returncode == 2
        assert f"the directory {tmp_path / 'no'} does not exist" in done.stderr
        not_db = write(tmp_path / "notes.db", ["my notes"])
        done = run_cli([not_db if str(a).endswith(".db") else a for a in args], sandbox)
        assert done.returncode == 2
        assert f"cannot use {not_db} as a journal" in done.stderr
        assert sum(sandbox.stats.requests.values()) == 0
