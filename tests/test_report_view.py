"""The report as people read it: English meanings beside the server's words, 80 columns."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import subprocess
import sys
import unicodedata
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eeo_async as eeo
from eeo_async._batch import view as _view
from eeo_async._batch.columns import rows_of as _rows_of
from eeo_async._batch.report import BatchReport
from eeo_async.testing import Sandbox

ROOT = Path(__file__).resolve().parent.parent


def columns(line: str) -> int:
    """Terminal columns, counted independently of _view: wide characters take two."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in line
    )


def accounts_report(keys: list[str], errors: list[tuple[int, str]]) -> BatchReport[str]:
    report: BatchReport[str] = BatchReport(
        operation="register", course_id=0, key_fields=("account",), item_ids=keys, uids=True
    )
    for row, (errno, error) in enumerate(errors):
        report.record(row, errno, error, 1, "succeeded" if errno == 1 else "failed")
    return report


@settings(max_examples=150, deadline=None)
@given(
    messages=st.lists(st.text(max_size=300), min_size=1, max_size=12),
    keys=st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=12, unique=True),
    errnos=st.lists(st.sampled_from([1, 100, 145, 228, 999, -1, -3, 101003002]), min_size=12),
    width=st.sampled_from([60, 80, 120]),
)
def test_every_summary_line_fits_the_terminal(
    messages: list[str], keys: list[str], errnos: list[int], width: int
) -> None:
    """Any server text and any key: no line wider than asked, no control character."""
    errors = [(errnos[i], messages[i % len(messages)]) for i in range(len(keys))]
    report = accounts_report(keys, errors)
    report.stop_reason = messages[0]
    text = report.summary(width=width)
    for line in text.split("\n"):
        assert columns(line) <= width, (line, columns(line))
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in line)
    if report.failed:
        assert "not done, by errno" in text
    tags = {tag for _, tag in re.findall(r"<(/?)([A-Za-z][^ >]*)", report._repr_html_())}
    assert tags <= {"div", "table", "caption", "tr", "th", "td", "p"}, tags


def test_long_chinese_messages_are_cut_with_an_ellipsis() -> None:
    """A long server message ends in an ellipsis within 80 columns, never wraps."""
    message = "该课节已经结束，无法添加学生。" * 12 + "\n第二行"  # noqa: RUF001
    report = accounts_report(["13800000001", "13800000002"], [(145, message), (1, "程序正常执行")])
    lines = report.summary().split("\n")
    said = [line for line in lines if "server said:" in line]
    assert len(said) == 1
    assert said[0].endswith("\u2026")
    assert 78 <= columns(said[0]) <= 80
    assert "第二行" not in report.summary()
    assert all(columns(line) <= 80 for line in lines)
    assert "The lesson is finished." in report.summary()


def test_digest_looks_only_at_the_items_it_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1,000,000-item report: the text and HTML stay small; few keys are ever built."""
    size = 1_000_000
    report: BatchReport[int] = BatchReport(
        operation="remove_students_from_lesson",
        course_id=7,
        key_fields=("student_uid",),
        item_ids=array("q", range(1, size + 1)),
    )
    report.record_same(range(size), 1, "程序正常执行", 1, 1)
    errnos = [100 + n for n in range(25)]
    failing = [(row, errnos[row % 25], f"错误 {row % 25}", 2, 3) for row in range(0, size, 997)]
    report.record_many(failing)
    report.record(size - 1, -1, "no answer", 3, "unknown")
    built = []
    real_key = BatchReport.key

    def counting_key(self: BatchReport[int], row: int) -> int:
        built.append(row)
        return real_key(self, row)

    monkeypatch.setattr(BatchReport, "key", counting_key)
    text = report.summary()
    html = report._repr_html_()
    # Examples for the ten errnos listed, and the first items, in each drawing.
    assert len(built) <= 2 * (_view.ERRNOS * _view.EXAMPLES + _view.FIRST)
    assert len(html) < 12_000
    assert len(text.split("\n")) < 60
    counts = report.not_done_by_errno()
    assert sum(counts.values()) == report.failed + report.unknown == len(failing) + 1
    listed = sorted(counts.values(), reverse=True)[: _view.ERRNOS]
    others = sum(counts.values()) - sum(listed)
    assert re.search(rf"^    others +{others:,}  other errnos$", text, re.M), text
    assert f"{others:,} more items not done with other errnos" in html
    assert "succeeded" in html
    assert f"{report.succeeded:,}" in html


async def test_a_sandbox_run_reads_in_english_everywhere(tmp_path: Path) -> None:
    """Default (Chinese) sandbox: every place a person reads has the English meaning."""
    async with Sandbox() as sb:
        assert sb.language == "zh"
        students = sb.add_students(3)
        course = sb.add_course(lessons=2)
        sb.finish_lesson(course.class_ids[1])
        async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
            report = await eeo.Batcher(client).enroll(
                course.course_id, [*students, 4242], course.class_ids
            )
            with pytest.raises(eeo.ApiError) as info:
                await client.add_class_student_multiple(course.course_id, 77777, students)
    finished = eeo.describe(145)
    stranger = eeo.describe(228)
    assert finished == "The lesson is finished."
    # The exception of a single call: English first, then the server's own words.
    message = str(info.value)
    assert eeo.describe(143) in message
    assert "没有此单课信息" in message
    assert info.value.meaning == eeo.describe(143)

    text = report.summary()
    for expected in (finished, "该课节已经结束", stranger, "机构下无此学生", "e.g. 4242/"):
        assert expected in text
    html = report._repr_html_()
    for expected in (finished, stranger, "该课节已经结束", f"4242/{course.class_ids[0]}"):
        assert expected in html
    records = report.to_records()
    failed = [r for r in records if r["outcome"] == "failed"]
    assert {r["meaning"] for r in failed} == {finished, stranger}
    assert {r["error"] for r in failed} == {"该课节已经结束", "机构下无此学生"}
    path = tmp_path / "r.csv"
    report.to_csv(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {row["meaning"] for row in rows if row["outcome"] == "failed"} == {finished, stranger}
    assert BatchReport.load(path).to_records() == records
    report.to_csv(path, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert BatchReport.load(path).to_records() == records
    items = json.loads(report.to_json())["items"]
    assert {i["meaning"] for i in items if i["outcome"] == "failed"} == {finished, stranger}
    if importlib.util.find_spec("pandas") is not None:
        frame = report.to_dataframe()
        assert set(frame[frame["outcome"] == "failed"]["meaning"]) == {finished, stranger}
    with pytest.raises(eeo.BatchError) as batch_info:
        report.raise_for_failures()
    assert finished in str(batch_info.value)
    assert stranger in str(batch_info.value)


def test_item_status_has_its_meaning() -> None:
    """ItemStatus and ItemResult carry the errno's English meaning beside the server's text."""
    item = eeo.ItemResult(166, "学生已在课节中", 1, already=True)
    assert item.meaning == eeo.describe(166)
    assert eeo.ItemStatus(999_999, "?").meaning == "Undocumented errno 999999."
    assert not hasattr(item, "__dict__")  # still slotted: millions of them stay small
    assert eeo.GroupResult(group_id=5, errno=898).meaning == eeo.describe(898)
    assert eeo.ActionResult().meaning == eeo.describe(1)
    assert eeo.Envelope(errno=144, error="课程不存在").meaning == eeo.describe(144)


def test_to_dataframe_has_the_meaning_column() -> None:
    """to_dataframe: one row per item, the key fields, the server's message and the meaning."""
    pd = pytest.importorskip("pandas")
    report = accounts_report(["a@b.c", "13800000001"], [(1, "程序正常执行"), (135, "手机号已注册")])
    frame = report.to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    expected = ["account", "errno", "error", "meaning", "attempts", "outcome", "uid"]
    assert list(frame.columns) == expected
    assert frame.loc[1, "meaning"] == eeo.describe(135)
    assert frame.loc[1, "error"] == "手机号已注册"
    assert list(frame["account"]) == ["a@b.c", "13800000001"]


def run_report(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eeo_async._cli", "report", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )


def saved_report(tmp_path: Path) -> Path:
    report: BatchReport[tuple[int, int]] = BatchReport(
        operation="enroll",
        course_id=9,
        key_fields=("student_uid", "class_id"),
        item_ids=array("q", [10, 11, 12, 13]),
        target_ids=array("q", [1, 1, 2, 2]),
        action="addClassStudentMultiple",
    )
    long = "该课节已经结束，请联系机构管理员重新开放课节后再试。" * 6  # noqa: RUF001
    for row, (errno, error, outcome) in enumerate(
        [
            (1, "程序正常执行", "succeeded"),
            (145, long, "failed"),
            (-1, "no answer after 3 attempts", "unknown"),
            (166, "学生已在课节中", "already"),
        ]
    ):
        report.record(row, errno, error, 1, outcome)  # type: ignore[arg-type]
    path = tmp_path / "saved.json"
    report.write_json(path)
    return path


def test_report_command_prints_the_summary(tmp_path: Path) -> None:
    """`eeo-async report FILE`: the summary within 80 columns, exit 1 when not all done."""
    done = run_report(saved_report(tmp_path))
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    lines = done.stdout.rstrip("\n").split("\n")
    assert all(columns(line) <= 80 for line in lines), lines
    assert lines[0] == "enroll (course 9) via addClassStudentMultiple"
    assert lines[1] == "  items                    4"
    assert re.search(r"^    145 +1  The lesson is finished\.$", done.stdout, re.M)
    assert re.search(r"^  unknown +1  may be applied: run again$", done.stdout, re.M)
    assert "e.g. 1/11" in done.stdout
    assert any(line.endswith("\u2026") for line in lines)


def test_report_failed_prints_csv_to_pipe(tmp_path: Path) -> None:
    """`report FILE --failed`: only the failed and unknown items, as CSV on stdout."""
    done = run_report(saved_report(tmp_path), "--failed")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["student_uid"], r["class_id"], r["outcome"]) for r in rows] == [
        ("1", "11", "failed"),
        ("2", "12", "unknown"),
    ]
    assert rows[0]["meaning"] == "The lesson is finished."
    assert rows[0]["error"].startswith("该课节已经结束")
    assert rows[1]["meaning"] == eeo.describe(-1)
    # Piped into a reader that stops at once: no traceback.
    with subprocess.Popen(
        [sys.executable, "-m", "eeo_async._cli", "report", str(saved_report(tmp_path)), "--failed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    ) as process:
        assert process.stdout is not None
        process.stdout.close()
        _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err


def test_report_failed_of_a_clean_report_is_a_header_and_exit_0(tmp_path: Path) -> None:
    """All done: --failed prints the header only, and the exit code is 0."""
    report = accounts_report(["13800000001"], [(1, "程序正常执行")])
    path = tmp_path / "ok.csv"
    report.to_csv(path)
    done = run_report(path, "--failed")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["account,errno,error,meaning,attempts,outcome,uid"]
    done = run_report(path)
    assert done.returncode == 0
    assert done.stdout.startswith("1 item keyed by account (from CSV)\n")


def test_a_bad_width_is_refused_and_pending_items_are_shown() -> None:
    """summary(width=) names a bad width; a report read mid-job shows its pending items."""
    report = accounts_report(["13800000001", "13800000002"], [(1, "程序正常执行")])
    for bad in (39, 0, -5, True, 80.0, "80"):
        with pytest.raises(eeo.InputError, match=f"got {re.escape(repr(bad))}"):
            report.summary(width=bad)  # type: ignore[arg-type]
    assert all(columns(line) <= 40 for line in report.summary(width=40).split("\n"))
    text = report.summary()
    assert re.search(r"^  pending +1  no outcome yet$", text, re.M), text
    assert re.search(rf"^    {int(eeo.LocalErrno.NOT_SENT)} +1  Not sent", text, re.M), text
    assert "e.g. 13800000002" in text


@settings(max_examples=300, deadline=None)
@given(
    errnos=st.lists(
        st.sampled_from([0, 1, 145, 256, 65_536, 16_777_216, -1, -3, 0x01000100]), max_size=60
    ),
    data=st.data(),
)
def test_example_rows_are_found_exactly(errnos: list[int], data: st.DataObject) -> None:
    """The byte search finds the same rows as a plain scan, misaligned look-alikes too."""
    mask = bytes(data.draw(st.lists(st.integers(0, 1), min_size=len(errnos), max_size=len(errnos))))
    column = array("i", errnos).tobytes()
    for value in set(errnos) | {7}:
        expected = [row for row, errno in enumerate(errnos) if errno == value and mask[row]]
        assert _rows_of(column, mask, value, 3) == expected[:3]
        assert _rows_of(column, mask, value, len(errnos) + 1) == expected
