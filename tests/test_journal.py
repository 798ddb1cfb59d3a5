"""The journal: outcomes committed as they arrive, resumed by job, refused for another job."""

from __future__ import annotations

import sqlite3
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


def test_sent_items_come_back_possibly_applied(tmp_path: Path) -> None:
    """Items written as sent and never answered are resumed as unknown, ok ones skipped."""
    path = tmp_path / "j.db"
    with Journal(path, {"op": "enroll"}) as journal:
        journal.sending([(1, 10), (1, 11), (1, 12)])
        journal.record([((1, 10), eeo.ItemResult(1, "ok", 1))])
        journal.possibly_applied([(1, 12), (1, 13)])  # (1, 12) is already there: kept
    with Journal(path, {"op": "enroll"}) as journal:
        assert (journal.count(), journal.count(done=True)) == (1, 1)
        resumed = journal.finished(pairs=True)
        assert len(resumed) == 4
        assert {key: item.outcome for key, item in resumed.items()} == {
            (1, 10): "succeeded",
            (1, 11): "unknown",
            (1, 12): "unknown",
            (1, 13): "unknown",
        }
        assert "earlier run" in resumed[(1, 11)].error
        assert (2, 10) not in resumed


def test_each_message_is_stored_once_and_cut(tmp_path: Path) -> None:
    """A 0.5 MB message over 100 items is one row of the texts table, cut to 500 characters."""
    path = tmp_path / "j.db"
    huge = "x" * 512_000
    with Journal(path, {"op": "remove"}) as journal:
        journal.record([(uid, eeo.ItemResult(145, huge, 1)) for uid in range(100)])
    assert path.stat().st_size < 100_000
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*), MAX(LENGTH(text)) FROM texts").fetchone() == (1, 500)


def test_a_journal_of_an_earlier_version_is_refused(tmp_path: Path) -> None:
    """A journal file in an older layout is refused, saying to delete it, and is left as is."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE items (k1, k2, errno, error TEXT, attempts, outcome TEXT)")
    with pytest.raises(JournalError, match="another version of eeo-async; delete it"):
        Journal(path, {"op": "enroll"})
