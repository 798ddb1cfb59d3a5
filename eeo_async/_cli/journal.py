"""The command's journal: each item's final outcome in SQLite, committed as it arrives."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from .._batch.report import Key
from .._errors import InputError
from .._models import ItemResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS job (id INTEGER PRIMARY KEY CHECK (id = 1), identity TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    k1 INTEGER NOT NULL,
    k2 INTEGER NOT NULL,
    errno INTEGER NOT NULL,
    error TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (k1, k2)
);
"""


class JournalError(InputError):
    """The journal file cannot be opened or is not a journal."""


class JournalMismatchError(JournalError):
    """The journal belongs to another job (school, server, operation, course, target, inputs)."""


#: How each identity field is named in messages.
_LABELS = {
    "school": "school ID",
    "base_url": "base URL",
    "operation": "operation",
    "course": "course",
    "target": "target",
    "inputs": "inputs (fingerprint of the IDs)",
}


class Journal:
    """A SQLite file that remembers each finished item of one job, for resuming.

    The journal belongs to the job described by ``identity`` (for the command: school
    ID, base URL, operation, course, target and a fingerprint of the inputs, all
    normalised); opening it for any other job raises :class:`JournalMismatchError`
    naming what differs, before anything is sent.

    ``record`` is the Batcher's ``on_items`` hook: it writes and commits each group of
    final outcomes before they count as done, so a kill loses at most the calls in
    flight. Only outcomes are stored: never the secret, a safeKey or a request.

    Raises:
        JournalError: the file cannot be opened or is not a journal.
        JournalMismatchError: the journal is another job's.
    """

    def __init__(self, path: str | Path, identity: dict[str, Any]) -> None:
        self.path = Path(path)
        text = json.dumps(identity, sort_keys=True)
        try:
            self._db = sqlite3.connect(self.path)
        except sqlite3.Error as exc:
            message = f"cannot open the journal {self.path}: {exc}"
            raise JournalError(message) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT identity FROM job").fetchone()
            if row is None:
                self._db.execute("INSERT INTO job (id, identity) VALUES (1, ?)", (text,))
                self._db.commit()
        except sqlite3.Error as exc:
            self._db.close()
            message = f"cannot use {self.path} as a journal: {exc}"
            raise JournalError(message) from None
        if row is not None and row[0] != text:
            self._db.close()
            message = (
                f"{self.path} is the journal of another job: {_differences(row[0], identity)}. "
                f"Delete {self.path} to start this job over, or use another --journal file."
            )
            raise JournalMismatchError(message)

    def record(self, results: Sequence[tuple[Key, ItemResult]]) -> None:
        """Write and commit final outcomes (the Batcher's ``on_items`` hook)."""
        rows = [
            (
                *(key if isinstance(key, tuple) else (key, 0)),
                r.errno,
                r.error,
                r.attempts,
                r.outcome,
            )
            for key, r in results
        ]
        self._db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._db.commit()

    def finished(self, *, pairs: bool) -> dict[Key, ItemResult]:
        """Items whose recorded outcome is ok or unknown, for ``skip=`` on the next run.

        Ok items are skipped; unknown ones are sent again as possibly applied already.
        """
        found: dict[Key, ItemResult] = {}
        query = "SELECT k1, k2, errno, error, attempts, outcome FROM items"
        for k1, k2, errno, error, attempts, outcome in self._db.execute(query):
            result = ItemResult(
                errno, error, attempts, already=outcome == "already", outcome=outcome
            )
            if result.ok or result.outcome == "unknown":
                found[(k1, k2) if pairs else k1] = result
        return found

    def count(self) -> int:
        """Number of items recorded."""
        return int(self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def close(self) -> None:
        """Close the file; closing twice is harmless."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _differences(stored: str, identity: dict[str, Any]) -> str:
    """What differs between the stored identity and this job's, in words."""
    try:
        before = json.loads(stored)
    except ValueError:
        before = None
    if not isinstance(before, dict):
        return "it was written in another format"
    # Through JSON, so both sides compare as stored (tuples become lists).
    now = json.loads(json.dumps(identity))
    parts = []
    for key in sorted(before.keys() | now.keys(), key=lambda k: (k not in _LABELS, k)):
        if before.get(key) != now.get(key):
            label = _LABELS.get(key, key)
            parts.append(
                f"{label} {_show(before.get(key))} in the journal, {_show(now.get(key))} now"
            )
    return "; ".join(parts)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "(none)"
    return str(value)
