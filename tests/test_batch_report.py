"""BatchReport: counts, lookups, exports and the error it raises."""

from __future__ import annotations

import csv
import pickle
import re
from array import array
from pathlib import Path

import pytest

import eeo_async as eeo
from eeo_async._batch.report import BatchReport


def make_report() -> BatchReport:
    report = BatchReport(
        operation="enroll",
        course_id=9,
        key_fields=("student_uid", "class_id"),
        item_ids=array("q", [10, 11, 10, 11]),
        target_ids=array("q", [1, 1, 2, 2]),
    )
    for row, (errno, error, attempts, outcome) in enumerate(
        [
            (1, "ok", 1, "succeeded"),
            (166, "already", 2, "already"),
            (145, "The lesson is finished.", 1, "failed"),
            (-1, "<b>x</b>", 5, "unknown"),
        ]
    ):
        report.record(row, errno, error, attempts, outcome)
    report.calls, report.retries, report.elapsed, report.duplicates = 3, 1, 1.5, 2
    return report


def test_counts_and_lookup() -> None:
    """Counts split items by outcome, and items are found by their key in input order."""
    report = make_report()
    counts = (report.total, report.succeeded, report.already, report.failed, report.unknown)
    assert counts == (4, 1, 1, 1, 1)
    assert not report.ok
    assert list(report.items) == [(1, 10), (1, 11), (2, 10), (2, 11)]
    assert report.items[(1, 11)] == eeo.ItemResult(166, "already", 2, already=True)
    assert report.items[("1", "11")] == report.items[(1, 11)]
    assert report.items[(2, 11)].outcome == "unknown"
    assert not report.items[(2, 11)].ok
    assert report.items[(1, 11)].outcome == "already"
    assert report.items[(1, 11)].ok
    assert report.failed_keys == [(2, 10), (2, 11)]
    assert report.errno_counts == {1: 1, 166: 1, 145: 1, -1: 1}
    with pytest.raises(KeyError):
        report.items[(3, 10)]
    assert (3, 10) not in report.items


def test_json_round_trip() -> None:
    """from_json(to_json()) gives back every item and count."""
    report = make_report()
    clone = BatchReport.from_json(report.to_json())
    assert list(clone.items.items()) == list(report.items.items())
    assert (clone.calls, clone.retries, clone.elapsed, clone.duplicates) == (3, 1, 1.5, 2)
    assert clone.to_json() == report.to_json()


def test_write_json_streams_the_same_document(tmp_path: Path) -> None:
    """write_json writes what to_json returns, and load reads both JSON and CSV."""
    report = make_report()
    report.stop_reason, report.stopped_by = "the job was cancelled", "interrupted"
    path = tmp_path / "r.json"
    report.write_json(path)
    assert path.read_text(encoding="utf-8") == report.to_json()
    clone = BatchReport.load(path)
    assert clone.to_json() == report.to_json()
    assert clone.stopped_by == "interrupted"


def test_from_json_refuses_other_text() -> None:
    """Text that is not a report is an InputError, not a crash."""
    with pytest.raises(eeo.InputError, match="not an eeo-async report"):
        BatchReport.from_json('{"format": "x"}')
    with pytest.raises(eeo.InputError, match="not a readable"):
        BatchReport.from_json("[1, 2")


def test_csv_and_records(tmp_path: Path) -> None:
    """CSV rows and records carry the key fields, errno, error, attempts and outcome."""
    report = make_report()
    path = tmp_path / "r.csv"
    report.to_csv(path)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert BatchReport.load(path).to_records() == report.to_records()
    assert rows[2] == {
        "student_uid": "2",
        "class_id": "10",
        "errno": "145",
        "error": "The lesson is finished.",
        "meaning": "The lesson is finished.",
        "attempts": "1",
        "outcome": "failed",
    }
    assert report.to_records()[1]["outcome"] == "already"


def test_summary_repr_and_html() -> None:
    """The summary and the HTML list counts, failures by errno with meanings and keys."""
    report = make_report()
    text = report.summary()
    assert re.search(r"^    145 +1  The lesson is finished\.$", text, re.M), text
    assert re.search(r"^  failed +1  sent and refused$", text, re.M)
    assert re.search(r"^  unknown +1  may be applied: run again$", text, re.M)
    assert re.search(r"^  duplicates +2  dropped from input$", text, re.M)
    assert re.search(r"^  calls +3  0 answered busy$", text, re.M)
    assert "e.g. 2/10" in text
    # The SDK's own codes are shown as words, never as negative numbers.
    unknown = text.split("\n    no answer ")[1].split("\n")[:5]
    assert "next: run again" in " ".join(unknown)
    assert " -1 " not in text
    assert "1 of them unknown: may be applied" in " ".join(unknown)
    assert text.count("of them unknown") == 1
    assert "total=4" in repr(report)
    html = report._repr_html_()
    assert "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    for expected in ("The lesson is finished.", "2/10", "2/11", "No usable HTTP answer"):
        assert expected in html


def test_raise_for_failures_is_picklable() -> None:
    """BatchError carries the report and survives pickling; a clean report raises nothing."""
    report = make_report()
    with pytest.raises(
        eeo.BatchError,
        match=r"2 of 4 items not done \(1 failed, 1 unknown\): 1 no answer \(No usable",
    ) as info:
        report.raise_for_failures()
    clone = pickle.loads(pickle.dumps(info.value))  # noqa: S301 - our own object
    assert clone.report.failed_keys == report.failed_keys
    ok = BatchReport(operation="x", course_id=1, key_fields=("class_id",), item_ids=array("q", [5]))
    ok.record(0, 1, "ok", 1, "succeeded")
    ok.raise_for_failures()
