"""The journal: outcomes committed as they arrive, resumed by job, refused for another job."""

from __future__ import annotations

from pathlib import Path

import pytest

import eeo_async as eeo
from eeo_async._cli.journal import Journal, JournalError, JournalMismatchError


def test_records_survive_reopening(tmp_path: Path) -> None:
    """What record() wrote is there after closing; only ok outcomes are skipped later."""
    path = tmp_path / "j.db"
    identity = {"op": "enroll", "course": "1"}
    with Journal(path, identity) as journal:
        journal.record(
            [((1, 10), eeo.ItemResult(1, "ok", 1)), ((1, 11), eeo.ItemResult(145, "finished", 1))]
        )
        journal.record([((2, 10), eeo.ItemResult(166, "already", 2, already=True))])
    with Journal(path, identity) as journal:
        assert journal.count() == 3
        assert journal.finished(pairs=True) == {
            (1, 10): eeo.ItemResult(1, "ok", 1),
            (2, 10): eeo.ItemResult(166, "already", 2, already=True),
        }


def test_single_keys(tmp_path: Path) -> None:
    """Jobs keyed by one ID store and give back plain int keys."""
    with Journal(tmp_path / "j.db", {"op": "remove"}) as journal:
        journal.record([(7, eeo.ItemResult(167, "not there", 1, already=True))])
        assert journal.finished(pairs=False) == {
            7: eeo.ItemResult(167, "not there", 1, already=True)
        }


def test_other_job_is_refused(tmp_path: Path) -> None:
    """A journal is tied to its job; another job's run is refused with a clear error."""
    path = tmp_path / "j.db"
    Journal(path, {"op": "enroll", "course": "1"}).close()
    with pytest.raises(JournalMismatchError, match="journal of another job"):
        Journal(path, {"op": "enroll", "course": "2"})


def test_mismatch_names_each_difference(tmp_path: Path) -> None:
    """The refusal names what differs, both ways, and how to start over."""
    path = tmp_path / "j.db"
    Journal(path, {"school": 1, "base_url": "http://a", "target": {"class_id": 5}}).close()
    with pytest.raises(JournalMismatchError) as info:
        Journal(path, {"school": 1, "base_url": "http://b", "target": {}})
    assert str(info.value) == (
        f"{path} is the journal of another job: base URL http://a in the journal, http://b "
        f"now; target class_id=5 in the journal, (none) now. Delete {path} to start this "
        "job over, or use another --journal file."
    )


def test_unusable_files_are_journal_errors(tmp_path: Path) -> None:
    """A path in a missing directory, or a file that is not SQLite, raises JournalError."""
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal(tmp_path / "missing" / "j.db", {})
    text = tmp_path / "notes.db"
    text.write_text("not a database, just notes\n" * 50, encoding="utf-8")
    with pytest.raises(JournalError, match="cannot use"):
        Journal(text, {})
