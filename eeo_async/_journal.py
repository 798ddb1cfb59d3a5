"""The command's journal: each item's final outcome in SQLite, committed as it arrives."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ._errors import InputError
from ._models import ItemResult
from ._report import Key

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


class JournalMismatchError(InputError):
    """The journal belongs to another job (operation, course or target)."""


class Journal:
    """A SQLite file that remembers each finished item of one job, for resuming.

    ``record`` is the Batcher's ``on_items`` hook: it writes and commits each group of
    final outcomes before they count as done, so a kill loses at most the calls in
    flight. Only outcomes are stored: never the secret, a safeKey or a request.
    """

    def __init__(self, path: str | Path, identity: dict[str, Any]) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        text = json.dumps(identity, sort_keys=True)
        row = self._db.execute("SELECT identity FROM job").fetchone()
        if row is None:
            self._db.execute("INSERT INTO job (id, identity) VALUES (1, ?)", (text,))
            self._db.commit()
        elif row[0] != text:
            self._db.close()
            message = (
                f"{self.path} is the journal of another job ({row[0]}), not of this one "
                f"({text}); use another --journal file"
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
        """Items whose recorded outcome is ok: skipped when the job runs again."""
        found: dict[Key, ItemResult] = {}
        query = "SELECT k1, k2, errno, error, attempts, outcome FROM items"
        for k1, k2, errno, error, attempts, outcome in self._db.execute(query):
            result = ItemResult(
                errno, error, attempts, already=outcome == "already", outcome=outcome
            )
            if result.ok:
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
