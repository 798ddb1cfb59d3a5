"""The command's option checks and report reading, run in-process for speed."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import env, run, sandbox, write

from eeo_async import _cli
from eeo_async.testing import Sandbox

__all__ = ["env", "sandbox"]  # fixtures shared with test_cli


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["enroll", "--course", "1x"], "bad ID '1x'"),
        (["remove", "--course", "1", "--lesson", "0", "--students", "s.txt"], "bad ID '0'"),
        (["add-lessons", "--course", "1", "--student", "2", "--concurrency", "0"], "from 1 to"),
        (["enroll", "--course", "1", "--max-attempts", "1001"], "from 1 to 1000"),
        (["sandbox", "--latency", "nan"], "must be a number from 0 to 60"),
        (["sandbox", "--http-error", "often"], "must be a number from 0 to 1"),
        (["enroll", "--course", "1", "--column", "uid"], "unrecognized arguments: --column"),
    ],
)
def test_bad_option_values_are_usage_errors(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad IDs, counts, probabilities and options a command lacks exit 2 naming the problem."""
    with pytest.raises(SystemExit) as info:
        _cli.main(args)
    assert info.value.code == 2
    assert says in capsys.readouterr().err


def test_credential_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad school ID or unreadable secret file exits 3; a malformed base URL exits 2."""
    lfile = write(tmp_path / "l.txt", [5])
    job = ["add-lessons", "--course", "1", "--student", "2", "--lessons", str(lfile)]
    monkeypatch.setenv("EEO_SECRET", "x")
    code, _, err = run([*job, "--sid", "12ab"], capsys)
    assert (code, "bad school ID '12ab'" in err) == (3, True)
    code, _, err = run([*job, "--sid", "1", "--base-url", "api.eeo.cn"], capsys)
    assert (code, "base_url must be an http(s) URL" in err) == (2, True)
    latin = tmp_path / "secret.txt"
    latin.write_bytes("s\xe9cret\n".encode("latin-1"))
    latin.chmod(0o600)
    code, _, err = run([*job, "--sid", "1", "--secret-file", str(latin)], capsys)
    assert (code, "not UTF-8 text" in err) == (3, True)


def test_csv_report_summary_and_kind(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report` reads a CSV report by content, even renamed; another kind of job is refused."""
    student = sandbox.add_students(1)[0]
    course = sandbox.add_course(lessons=2)
    lfile = write(tmp_path / "l.txt", course.class_ids)
    saved = tmp_path / "r.CSV"
    job = ["add-lessons", "--course", str(course.course_id), "--student", str(student)]
    assert run([*job, "--lessons", str(lfile), "--report", str(saved)], capsys)[0] == 0
    renamed = tmp_path / "report-copy.txt"
    renamed.write_bytes(saved.read_bytes())
    code, out, _ = run(["report", str(renamed)], capsys)
    assert code == 0
    assert "2 items keyed by class_id" in out
    remove = ["remove", "--course", str(course.course_id), "--lesson", str(course.class_ids[0])]
    code, _, err = run([*remove, "--only-failed", str(saved)], capsys)
    assert code == 2
    assert "keyed by class_id, not student_uid" in err
    code, out, _ = run([*job, "--only-failed", str(saved)], capsys)
    assert (code, "has no failed or unknown items" in out) == (0, True)


def test_output_path_that_is_a_directory(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --report path that is a directory is refused before anything is sent."""
    lfile = write(tmp_path / "l.txt", [5])
    job = ["add-lessons", "--course", "1", "--student", "2", "--lessons", str(lfile)]
    code, _, err = run([*job, "--report", str(tmp_path)], capsys)
    assert code == 2
    assert "cannot write there" in err
    assert sum(sandbox.stats.requests.values()) == 0


def test_missing_input_files_are_listed_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing --lessons and a bad students file are reported in one go."""
    sfile = write(tmp_path / "s.txt", ["5", "x"])
    code, _, err = run(["enroll", "--course", "1", "--students", str(sfile), "--dry-run"], capsys)
    assert code == 2
    assert err.splitlines() == [
        f"{sfile}:2: bad ID 'x'",
        "--lessons is required (or --only-failed REPORT)",
    ]
