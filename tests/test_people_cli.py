"""teachers-add and school-students-add: files in, the school's members out, a journal."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eeo_async import _cli
from eeo_async._batch.report import BatchReport
from eeo_async.testing import Faults, Roster, Sandbox

SECRET = "people-cli-s3cret"


class ThreadSandbox:
    """A Sandbox served from its own event loop in a thread, for in-process command runs."""

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
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        monkeypatch.setenv("EEO_SID", str(sb.sid))
        monkeypatch.setenv("EEO_SECRET", SECRET)
        monkeypatch.setenv("EEO_BASE_URL", sb.base_url)
        yield sb


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _cli.main(args)
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "Traceback" not in err
    return code, out, err


def registered(sb: Sandbox, count: int) -> list[str]:
    accounts = [f"1580000{i:04d}" for i in range(count)]
    for account in accounts:
        sb.register_directly(account, "123456")
    return accounts


def test_teachers_are_added_from_a_gbk_csv(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A GBK file with the docs' column names: every teacher added, exit 0, a report."""
    accounts = registered(sandbox, 4)
    rows = [
        "teacherAccount,teacherName,备注",
        *(f"{a},王老师{i},x" for i, a in enumerate(accounts)),
    ]
    path = tmp_path / "teachers.csv"
    path.write_bytes("\r\n".join(rows).encode("gbk"))
    report_path = tmp_path / "r.json"
    code, out, err = run(
        ["teachers-add", "--accounts", str(path), "--report", str(report_path)], capsys
    )
    assert code == 0, err
    assert re.search(r"^  succeeded +4$", out, re.MULTILINE), out
    assert "not reading the column(s) '备注'" in err
    assert len(sandbox.school_teachers()) == 4
    assert sorted(sandbox.state(Roster).teacher_names.values()) == [f"王老师{i}" for i in range(4)]
    report = BatchReport.load(report_path)
    assert list(report.items) == accounts
    assert report.operation == "add_teachers"


def test_bad_rows_are_all_listed_and_nothing_is_sent(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad line is reported as FILE:LINE before anything is sent; exit 2."""
    path = tmp_path / "students.csv"
    path.write_text(
        "telephone,email,name\n15800000001,,甲\n1.58E+10,,乙\n,not-an-email,丙\n15800000002,,\n",
        encoding="utf-8",
    )
    code, _, err = run(["school-students-add", "--accounts", str(path)], capsys)
    assert code == 2
    for line in (3, 4, 5):
        assert f"{path}:{line}: " in err
    assert "scientific notation" in err
    assert sum(sandbox.stats.requests.values()) == 0


def test_dry_run_needs_no_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--dry-run plans one call per account and sends nothing."""
    monkeypatch.delenv("EEO_SID", raising=False)
    monkeypatch.delenv("EEO_SECRET", raising=False)
    path = tmp_path / "t.csv"
    path.write_text("account,name\n15800000001,甲\na@b.cn,乙\n15800000001,甲\n", encoding="utf-8")
    code, out, _ = run(["teachers-add", "--accounts", str(path), "--dry-run"], capsys)
    assert code == 0
    assert "would send 2 accounts in 2 calls" in out
    assert "1 repeated" in out


def test_a_journal_resumes_and_a_rerun_reports_already(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second run with the journal sends nothing; without it, every teacher is already."""
    accounts = registered(sandbox, 5)
    path = tmp_path / "t.csv"
    path.write_text("account,name\n" + "".join(f"{a},T{a}\n" for a in accounts), encoding="utf-8")
    journal = tmp_path / "j.db"
    args = ["teachers-add", "--accounts", str(path), "--journal", str(journal)]
    assert run(args, capsys)[0] == 0
    sent = sandbox.stats.requests["addTeacher"]
    code, _, err = run(args, capsys)
    assert code == 0
    assert "5 items already done, skipped" in err
    assert sandbox.stats.requests["addTeacher"] == sent
    code, out, _ = run(["teachers-add", "--accounts", str(path)], capsys)
    assert code == 0
    assert re.search(r"^  already +5  in place before this job$", out, re.MULTILINE), out


def test_failed_accounts_exit_1_and_only_failed_reruns_them(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unregistered account fails (exit 1); --only-failed sends only it, once registered."""
    (known,) = registered(sandbox, 1)
    path = tmp_path / "s.csv"
    path.write_text(f"account,name\n{known},甲\n15899999999,乙\n", encoding="utf-8")
    report_path = tmp_path / "r.json"
    code, _, _ = run(
        ["school-students-add", "--accounts", str(path), "--report", str(report_path)], capsys
    )
    assert code == 1
    saved = json.loads(report_path.read_text(encoding="utf-8"))
    assert SECRET not in json.dumps(saved)
    sandbox.register_directly("15899999999", "123456")
    before = sandbox.stats.requests["addSchoolStudent"]
    code, out, _ = run(
        ["school-students-add", "--accounts", str(path), "--only-failed", str(report_path)],
        capsys,
    )
    assert code == 0, out
    assert sandbox.stats.requests["addSchoolStudent"] == before + 1
    assert len(sandbox.school_students()) == 2


def test_unreachable_and_refused_credentials_have_their_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrong secret: exit 3 after one request; no server: exit 4."""
    path = tmp_path / "t.csv"
    path.write_text("account,name\n15800000001,甲\n15800000002,乙\n", encoding="utf-8")
    with ThreadSandbox(faults=Faults()) as sb:
        monkeypatch.setenv("EEO_SID", str(sb.sid))
        monkeypatch.setenv("EEO_SECRET", "not-the-secret")
        monkeypatch.setenv("EEO_BASE_URL", sb.base_url)
        assert _cli.main(["teachers-add", "--accounts", str(path)]) == 3
        assert sb.stats.requests["addTeacher"] == 1
        base = sb.base_url
    monkeypatch.setenv("EEO_BASE_URL", base)
    monkeypatch.setenv("EEO_SECRET", SECRET)
    assert _cli.main(["teachers-add", "--accounts", str(path), "--max-attempts", "1"]) == 4
    capsys.readouterr()


def test_a_resume_never_claims_already_for_its_own_lost_work(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Answers lost after adding: unknown, exit 1; the resume's 133 answers count as succeeded."""
    accounts = registered(sandbox, 3)
    path = tmp_path / "t.csv"
    path.write_text("account,name\n" + "".join(f"{a},T{a}\n" for a in accounts), encoding="utf-8")
    args = ["teachers-add", "--accounts", str(path), "--journal", str(tmp_path / "j.db")]
    sandbox.faults = Faults(lost_after=1.0)
    code, out, _ = run([*args, "--max-attempts", "1"], capsys)
    assert code == 1
    assert re.search(r"^  unknown +3", out, re.MULTILINE), out
    assert len(sandbox.school_teachers()) == 3  # applied, answers lost
    sandbox.faults = Faults()
    report_path = tmp_path / "r.json"
    code, out, _ = run([*args, "--report", str(report_path)], capsys)
    assert code == 0, out
    report = BatchReport.load(report_path)
    assert [(item.errno, item.outcome) for item in report.items.values()] == [
        (133, "succeeded")
    ] * 3
