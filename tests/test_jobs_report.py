"""What a report says after a job: not sent apart, what to fix and what to re-run, warnings."""

# Production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import pickle
import re
from array import array
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from tqdm.std import tqdm

import eeo_async as eeo
from eeo_async._batch.progress import PlainProgress, TqdmProgress
from eeo_async._batch.report import BatchReport
from eeo_async.testing import Sandbox, School
from eeo_async.testing import set_testing as testing_mode

NICKNAME = "成员添加成功，班级昵称同步失败"


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with testing_mode(True):
        yield


def mixed() -> BatchReport[int]:
    """Ten lessons: done, already, finished (a fix), busy (a re-run), lost, not sent."""
    report: BatchReport[int] = BatchReport(
        operation="add_student_to_lessons",
        course_id=7,
        key_fields=("class_id",),
        item_ids=array("q", range(101, 111)),
        action="addCourseClassStudent",
    )
    rows = [
        (1, "程序正常执行", "succeeded"),
        (166, "课节下已存在此学生", "already"),
        (145, "该课节已经结束", "failed"),
        (145, "该课节已经结束", "failed"),
        (142, "该课程下无此课节信息", "failed"),
        (114, "服务器异常", "failed"),
        (-1, "no answer after 3 attempts", "unknown"),
        (-3, "Not sent: the job stopped (the server refused the credentials).", "failed"),
        (-3, "Not sent: the job stopped (the server refused the credentials).", "failed"),
        (841, NICKNAME, "succeeded"),
    ]
    for row, (errno, error, outcome) in enumerate(rows):
        report.record(row, errno, error, 1, outcome)  # type: ignore[arg-type]
    # 166 after an attempt that may have applied: succeeded, but no warning.
    report.record(0, 166, "课节下已存在此学生", 2, "succeeded")
    return report


def test_not_sent_is_its_own_count_never_inside_failed(tmp_path: Path) -> None:
    """Items never sent are counted in not_sent; failed holds only items the server refused."""
    report = mixed()
    assert (report.succeeded, report.already, report.failed) == (2, 1, 4)
    assert (report.unknown, report.not_sent) == (1, 2)
    counts = report.succeeded + report.already + report.failed + report.unknown
    assert counts + report.not_sent == report.total
    head = json.loads(report.to_json())
    assert head["summary"] == {
        "total": 10,
        "succeeded": 2,
        "already": 1,
        "failed": 4,
        "unknown": 1,
        "not_sent": 2,
    }
    # The files keep the four outcomes (not sent: failed, errno -3), so every version
    # reads them; the count comes back from the items.
    assert [i["outcome"] for i in head["items"][7:9]] == ["failed", "failed"]
    for path in (tmp_path / "r.json", tmp_path / "r.csv"):
        report.write_json(path) if path.suffix == ".json" else report.to_csv(path, bom=True)
        again = BatchReport.load(path)
        assert (again.failed, again.not_sent, again.unknown) == (4, 2, 1)
    assert "not_sent=2" in repr(report)
    with pytest.raises(eeo.BatchError) as info:
        report.raise_for_failures()
    message = str(info.value)
    assert message.startswith("7 of 10 items not done (4 failed, 1 unknown, 2 not sent): ")
    assert "2 not sent (Not sent:" in message
    assert "-3" not in message
    assert pickle.loads(pickle.dumps(info.value)).report.not_sent == 2  # noqa: S301


def test_keys_to_rerun_and_keys_to_fix_are_apart() -> None:
    """rerun_keys: unknown, not sent, busy; fix_keys: the rest with errnos; failed_keys: both."""
    report = mixed()
    assert report.rerun_keys == [106, 107, 108, 109]
    assert report.fix_keys == {103: 145, 104: 145, 105: 142}
    assert sorted(report.failed_keys) == sorted([*report.rerun_keys, *report.fix_keys])
    assert eeo.next_step(145) == "leave finished lessons out"
    assert eeo.next_step(142) == "fix the lesson list (this course's only)"
    assert eeo.next_step(114) == eeo.next_step(-3) == "run again"
    assert eeo.next_step(901) == "run again after the maintenance"
    assert eeo.next_step(102) == "check the SID, the secret and the clock"
    assert eeo.next_step(123456) == "see the server's message"


def test_every_next_step_fits_the_summary_line() -> None:
    """Each code's next step fits beside ``next: `` in 80 columns, documented or local."""
    for code in [*eeo.Errno, *eeo.LocalErrno]:
        step = eeo.next_step(code)
        assert 0 < len(step) <= 44, (code, step)
        assert step[0].islower()


def test_the_summary_says_the_next_step_per_errno_and_the_warnings() -> None:
    """Each errno line ends with its next step; side codes are warnings; no negative errno."""
    report = mixed()
    assert report.warnings == {841: 1}
    text = report.summary()
    assert re.search(r"^  not sent +2  the job stopped first: run again$", text, re.M), text
    assert re.search(r"^  done with a warning +items  meaning$", text, re.M)
    assert re.search(r"^    841 +1  Member added, but syncing the class nickname", text, re.M)
    assert f"server said: {NICKNAME}" in text
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    145 "))
    assert lines[at + 3].strip() == "next: leave finished lessons out"
    assert re.search(r"^    not sent +2  Not sent", text, re.M)
    assert re.search(r"^ +next: run again$", text, re.M)
    assert not re.search(r"(?<![\d/])-\d", text), text  # no -1, -3 anywhere
    html = report._repr_html_()
    assert "Done with a warning, by errno" in html
    assert "<th" in html
    assert ">not sent<" in html
    assert ">-3<" not in html


def test_the_notebook_table_has_a_headline_and_left_aligned_text() -> None:
    """A headline of the counts, failures first and marked; text left, numbers right."""
    html = mixed()._repr_html_()
    head = html.split("</p>")[0]
    assert head.index("4 failed") < head.index("2 succeeded")
    assert '<span style="color:#b00020;font-weight:bold">2 not sent</span>' in head
    assert '<td style="text-align:left">The lesson is finished.</td>' in html
    assert '<td style="text-align:right">2</td>' in html  # 145's count
    assert '<td style="text-align:right;color:#b00020;font-weight:bold">4</td>' in html
    clean = BatchReport(
        operation="x", course_id=1, key_fields=("class_id",), item_ids=array("q", [5])
    )
    clean.record(0, 1, "ok", 1, "succeeded")
    assert "#b00020" not in clean._repr_html_()


def test_progress_lines_show_failures_within_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """tqdm at 80 columns and the plain line keep the failure counts; neither wraps."""
    report: BatchReport[int] = BatchReport(
        operation="add_students_to_course",
        course_id=7,
        key_fields=("student_uid",),
        item_ids=array("q", range(1, 180_001)),
    )
    bar = TqdmProgress(180_000, report.operation, partial(tqdm, ncols=80), report)
    report.record_same(range(0, 1_000), 228, "机构下无此学生", 1, 3)
    bar.update(1_000)
    assert bar._bar.desc == "add_students_to_course (1000 failed)"  # while it runs
    report.record_same(range(1_000, 1_020), -1, "no answer", 3, 4)
    report.record_same(range(1_020, 180_000), 1, "程序正常执行", 1, 1)
    bar.update(179_000)
    report.elapsed = 123.45
    bar.close(report)
    drawn = capsys.readouterr().err.rstrip("\n").split("\r")
    last = drawn[-1]
    assert len(last) <= 80, last
    assert last.startswith("add_students_to_course (1000 failed, 20 unknown): 100%|")
    plain = PlainProgress(180_000, report.operation, report)
    plain.update(90_000)
    plain.close(report)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "progress: 90000/180000 items (50%), 1000 failed, 20 unknown"
    assert lines[-1].startswith(
        "progress: 180000/180000 items (100%) in 123.45 s: 1000 failed, 20 unknown, "
    )
    assert all(len(line) <= 80 for line in lines), lines


async def test_a_side_answer_is_a_success_with_a_warning_in_the_summary() -> None:
    """841 for every student: all succeeded, ok, and the summary and HTML show the warning."""
    async with Sandbox() as sb:
        students = sb.add_students(12)
        course = sb.add_course(lessons=1)

        def nickname_fails(school: School, fields: dict[str, Any], rng: Any) -> dict[str, Any]:
            entries = json.loads(fields["studentJson"])
            return {
                "error_info": {"errno": 1, "error": "程序正常执行"},
                "data": [{"errno": 841, "error": NICKNAME} for _ in entries],
            }

        sb.handle("addCourseStudentMultiple", nickname_fails)
        async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
            report = await eeo.Batcher(client).add_students_to_course(course.course_id, students)
    assert report.ok
    assert report.succeeded == 12
    assert report.warnings == {841: 12}
    text = report.summary()
    assert re.search(r"^    841 +12  Member added, but syncing the class nickname", text, re.M)
    assert "not done, by errno" not in text
    assert NICKNAME in report._repr_html_()


async def test_a_wrong_secret_reads_in_a_few_lines() -> None:
    """A refused secret: a brief summary (what stopped it, failed, not sent), no internal errno."""
    async with Sandbox() as sb:
        students = sb.add_students(300)
        course = sb.add_course(lessons=1)
        async with eeo.Client(sb.sid, "wrong-secret", base_url=sb.base_url) as client:
            report = await eeo.Batcher(client, probe_first=True).add_students_to_course(
                course.course_id, students
            )
    assert report.stopped_by == "credentials"
    assert (report.failed, report.not_sent) == (30, 270)
    text = report.summary(brief=True)
    lines = text.split("\n")
    assert len(lines) <= 10, text
    assert lines[1].startswith("  stopped: the server refused the credentials (errno 102)")
    assert re.search(r"^  failed +30  sent and refused$", text, re.M)
    assert re.search(r"^  not sent +270  the job stopped first: run again$", text, re.M)
    assert re.search(r"^    102 +30  check the SID, the secret and the clock$", text, re.M)
    assert "-3" not in text
    assert text.count("refused the credentials") == 1
