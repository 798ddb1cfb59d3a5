"""Report files: read back item by item, messages capped, CSV safe for spreadsheets, BOM or not."""

from __future__ import annotations

import csv
import json
import tracemalloc
from array import array
from pathlib import Path

import pytest
from test_cli import ThreadSandbox, run_cli, write

import eeo_async as eeo
from eeo_async._batch.report import MAX_TEXT_CHARS, BatchReport
from eeo_async.testing import MockRequest, MockTransport

#: A server message of half a megabyte (an HTML page, a stack trace...).
HUGE = "服务器错误 " + "x" * 512_000


def grid_report(students: int = 200, lessons: int = 100) -> BatchReport:
    report = BatchReport(
        operation="enroll",
        course_id=9,
        key_fields=("student_uid", "class_id"),
        grid=(
            array("q", range(1_000_001, 1_000_001 + students)),
            array("q", range(5_000_001, 5_000_001 + lessons)),
        ),
        action="addCourseClassStudent",
    )
    report.record_same(range(report.total), 1, "程序正常执行", 1, 1)
    report.record_same(range(0, report.total, 7), 145, "该课节已结束", 2, 3)
    report.record_same(range(3, report.total, 11), -1, "Read timed out.", 5, 4)
    return report


def peak_bytes_per_item(path: Path, total: int) -> float:
    tracemalloc.start()
    try:
        BatchReport.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / total


def test_load_streams_json_and_csv_into_columns(tmp_path: Path) -> None:
    """Loading a 20,000-item report costs tens of bytes an item, not a kilobyte (no dicts)."""
    report = grid_report()
    report.write_json(tmp_path / "r.json")
    report.to_csv(tmp_path / "r.csv", bom=True)
    for name in ("r.json", "r.csv"):
        assert peak_bytes_per_item(tmp_path / name, report.total) < 100, name
        clone = BatchReport.load(tmp_path / name)
        assert clone.to_records() == report.to_records()
    assert BatchReport.load(tmp_path / "r.json").to_json() == report.to_json()


def test_other_json_layouts_and_cut_files(tmp_path: Path) -> None:
    """A report re-indented by another tool still loads; a file cut short is an InputError."""
    report = grid_report(3, 4)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(json.loads(report.to_json()), indent=4), encoding="utf-8")
    assert BatchReport.load(other).to_json() == report.to_json()
    one_line = tmp_path / "one-line.json"
    one_line.write_text(json.dumps(json.loads(report.to_json())), encoding="utf-8")
    assert BatchReport.load(one_line).to_json() == report.to_json()
    cut = tmp_path / "cut.json"
    cut.write_text(report.to_json()[:-400], encoding="utf-8")
    with pytest.raises(eeo.InputError, match="not a readable eeo-async report"):
        BatchReport.load(cut)


def test_loaded_items_are_looked_up_and_streamed() -> None:
    """A loaded enrolment finds items by key; items_with gives the unknown ones in order."""
    report = BatchReport.from_json(grid_report(30, 10).to_json())
    assert report.items[(1_000_001, 5_000_001)].outcome == "failed"
    assert report.items[("1000030", "5000010")].ok
    unknown = report.items_with("unknown")
    assert len(unknown) == report.unknown
    assert list(unknown) == [k for k, item in report.items.items() if item.outcome == "unknown"]
    assert (1_000_001, 5_000_002) not in unknown
    with pytest.raises(eeo.InputError, match="no such outcome"):
        report.items_with("lost")  # type: ignore[arg-type]


async def test_a_huge_server_message_is_capped_in_report_and_journal(tmp_path: Path) -> None:
    """0.5 MB of error text over 100 items is stored cut to 500 characters, never 50 MB."""
    from eeo_async._cli.journal import Journal

    async def answer(request: MockRequest) -> object:
        return {"error_info": {"errno": 145, "error": HUGE}}

    students = list(range(1_000_001, 1_000_101))
    async with eeo.Client(1, "fake-secret", transport=MockTransport(answer)) as client:
        with Journal(tmp_path / "j.db", {"job": 1}) as journal:
            report = await eeo.Batcher(client).remove_students_from_lesson(
                7, 8, students, on_items=journal.record
            )
    assert report.failed == 100
    error = report.items[students[0]].error
    assert len(error) == MAX_TEXT_CHARS
    assert error.startswith("服务器错误 xxx")
    assert error.endswith("…")
    report.write_json(tmp_path / "r.json")
    report.to_csv(tmp_path / "r.csv")
    for name in ("r.json", "r.csv", "j.db"):
        assert (tmp_path / name).stat().st_size < 200_000, name
    assert BatchReport.load(tmp_path / "r.csv").items[students[-1]].error == error


def test_csv_text_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    """Messages and text keys starting with = + - @ tab CR get a ' in CSV, and load back exact."""
    messages = ["=HYPERLINK(1)", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "'quoted", "a=b"]
    report = BatchReport(
        operation="register",
        course_id=0,
        key_fields=("account",),
        item_ids=["+8613800000000", "=cmd|' /C calc'!A0", "a@b.c", *"defgh"],
        uids=True,
    )
    for row, message in enumerate(messages):
        report.record(row, -1 if row % 2 else 135, message, 1, "failed")
    report.set_uid(0, 77)
    path = tmp_path / "r.csv"
    report.to_csv(path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [row[2] for row in rows] == [
        "'=HYPERLINK(1)",
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "''quoted",
        "a=b",
    ]
    assert [row[0] for row in rows[:3]] == ["'+8613800000000", "'=cmd|' /C calc'!A0", "a@b.c"]
    assert [row[1] for row in rows[:2]] == ["135", "-1"]  # numbers are never escaped
    assert BatchReport.load(path).to_records() == report.to_records()


def test_load_reads_csv_with_and_without_bom(tmp_path: Path) -> None:
    """A CSV report with a BOM (as Excel wants it) and one without both load the same."""
    report = grid_report(4, 5)
    report.to_csv(tmp_path / "bom.csv", bom=True)
    report.to_csv(tmp_path / "plain.csv")
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbfstudent_uid,")
    assert (tmp_path / "plain.csv").read_bytes().startswith(b"student_uid,")
    for name in ("bom.csv", "plain.csv"):
        assert BatchReport.load(tmp_path / name).to_records() == report.to_records()


def test_command_csv_report_opens_in_excel_and_reads_back(tmp_path: Path) -> None:
    """`--report x.csv` starts with a BOM (Excel shows Chinese right); `report` reads it back."""
    with ThreadSandbox() as sandbox:
        student = sandbox.add_students(1)[0]
        course = sandbox.add_course(lessons=2)
        sandbox.finish_lesson(course.class_ids[1])
        lessons = write(tmp_path / "l.txt", course.class_ids)
        path = tmp_path / "x.csv"
        args: list[object] = ["add-lessons", "--course", course.course_id, "--student", student]
        assert run_cli([*args, "--lessons", lessons, "--report", path], sandbox).returncode == 1
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfclass_id,errno,error,meaning,attempts,outcome\r\n")
    assert "程序正常执行".encode() in data
    with path.open(encoding="utf-8-sig", newline="") as handle:  # as the CHANGELOG says
        assert [row["outcome"] for row in csv.DictReader(handle)] == ["succeeded", "failed"]
    done = run_cli(["report", path])
    assert done.returncode == 1
    assert "failed" in done.stdout
    assert BatchReport.load(path).failed == 1


def test_uids_round_trip_through_both_files(tmp_path: Path) -> None:
    """A report whose items carry UIDs (none for some) reads back the same from JSON and CSV."""
    report = BatchReport(
        operation="x", course_id=1, key_fields=("student_uid",), item_ids=[5, 6, 7], uids=True
    )
    for row in range(3):
        report.record(row, 1 if row else 135, "ok", 1, "succeeded")
    report.set_uid(0, 9_000_001)
    report.set_uid(2, 9_000_003)
    report.write_json(tmp_path / "r.json")
    report.to_csv(tmp_path / "r.csv")
    for name in ("r.json", "r.csv"):
        clone = BatchReport.load(tmp_path / name)
        assert [item.uid for item in clone.items.values()] == [9_000_001, None, 9_000_003]
        assert clone.to_records() == report.to_records()


def test_unreadable_report_files_are_input_errors(tmp_path: Path) -> None:
    """A missing, binary, misshapen or foreign file is an InputError naming it, never a crash."""
    report = grid_report(2, 2)
    good = tmp_path / "good.csv"
    report.to_csv(good)
    lines = good.read_text(encoding="utf-8").splitlines()
    cases = {
        "missing.json": None,
        "binary.csv": b"\xff\xfe\x00garbage",
        "short-row.csv": "\n".join([lines[0], "", "1000001,5000001,1"]).encode(),
        "other.csv": b"name,email\nAda,ada@example.com\n",
        "other.json": b'\n\n{"format": "something-else"}\n',
        "bad-outcome.csv": "\n".join(
            [lines[0], lines[1][: lines[1].rindex(",")] + ",maybe"]
        ).encode(),
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(eeo.InputError) as info:
            BatchReport.load(path)
        assert name in str(info.value) or "not an eeo-async report" in str(info.value), name
