"""The journal: outcomes committed as they arrive, resumed by job, refused for another job."""

from __future__ import annotations

from pathlib import Path

import pytest

import eeo_async as eeo
from eeo_async._journal import Journal, JournalMismatchError


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
