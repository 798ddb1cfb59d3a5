"""The command's journal: each item's state in SQLite, committed before it counts.

An item is written as *sent* (possibly applied) before its call goes out, and with its
final outcome when the answer comes; each message is stored once, in a table of texts.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from .._batch.columns import OUTCOME_CODES, cap_text
from .._batch.report import Key
from .._codes import LocalErrno
from .._errors import InputError
from .._models import OUTCOMES, ItemResult

#: The schema's version (``PRAGMA user_version``); 0 is a new file.
_VERSION: Final = 2
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS job (id INTEGER PRIMARY KEY CHECK (id = 1), identity TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS items (
    k1 INTEGER NOT NULL,
    k2 INTEGER NOT NULL,
    errno INTEGER NOT NULL,
    text INTEGER NOT NULL REFERENCES texts (id),
    attempts INTEGER NOT NULL,
    outcome INTEGER NOT NULL,
    PRIMARY KEY (k1, k2)
) WITHOUT ROWID;
"""
#: Outcome code of an item sent without an answer yet: the server may have applied it.
SENT: Final = 0
_SENT_TEXT: Final = (
    "Sent by an earlier run that stopped before its answer: the server may have acted."
)
_UNSURE_TEXT: Final = "Unknown in the report re-run: the server may have acted."
#: Items a resume skips (succeeded 1, already 2) or sends again as possibly applied
#: (sent 0, unknown 4); failed ones (3) are sent again as fresh.
_RESUMED: Final = "FROM items JOIN texts ON texts.id = items.text WHERE outcome IN (0, 1, 2, 4)"
#: Distinct texts whose row id is remembered (messages naming each item are all distinct).
_MAX_CACHED: Final = 4096
_INSERT: Final = "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?)"


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


def fingerprint(inputs: object) -> str:
    """A short fingerprint of a job's inputs (JSON-ready, normalised), for its identity."""
    text = json.dumps(inputs, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Journal:
    """A SQLite file that remembers each item of one job, for resuming.

    The journal belongs to the job described by ``identity`` (for the command: school
    ID, base URL, operation, course, target and a fingerprint of the inputs, all
    normalised); opening it for any other job raises :class:`JournalMismatchError`
    naming what differs, before anything is sent.

    ``sending`` is the Batcher's ``on_sending`` hook: it commits a call's items as sent
    (possibly applied) before the request goes out, so after a kill at any moment a
    resume sends them again as possibly applied and never calls its own work
    ``already``. ``record`` is the ``on_items`` hook: it commits final outcomes before
    they count as done. Only outcomes are stored, each message once and cut to 500
    characters: never the secret, a safeKey or a request.

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
            row = self._open(text)
        except sqlite3.Error as exc:
            self._db.close()
            message = f"cannot use {self.path} as a journal: {exc}"
            raise JournalError(message) from None
        except JournalError:
            self._db.close()
            raise
        if row is not None and row[0] != text:
            self._db.close()
            message = (
                f"{self.path} is the journal of another job: {_differences(row[0], identity)}. "
                f"Delete {self.path} to start this job over, or use another --journal file."
            )
            raise JournalMismatchError(message)
        self._texts: dict[str, int] = {}

    def _open(self, identity: str) -> tuple[str] | None:
        """Set the file up; the stored identity, or ``None`` for a new journal."""
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        # Commits survive a killed process (WAL); only a power cut may lose the last ones.
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
        if version != _VERSION and tables:
            message = (
                f"{self.path} is a journal of another version of eeo-async; delete it to "
                "start this job over"
            )
            raise JournalError(message)
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version = {_VERSION}")
        row: tuple[str] | None = db.execute("SELECT identity FROM job").fetchone()
        if row is None:
            db.execute("INSERT INTO job (id, identity) VALUES (1, ?)", (identity,))
        db.commit()
        return row

    def _text(self, text: str) -> int:
        """The row id of ``text`` (cut to 500 characters) in the texts table, added if new."""
        text = cap_text(text)
        found = self._texts.get(text)
        if found is None:
            self._db.execute("INSERT OR IGNORE INTO texts (text) VALUES (?)", (text,))
            found = self._db.execute("SELECT id FROM texts WHERE text = ?", (text,)).fetchone()[0]
            if len(self._texts) >= _MAX_CACHED:
                self._texts.clear()
            self._texts[text] = found
        return found

    def sending(self, keys: Sequence[Key]) -> None:
        """Commit ``keys`` as sent (possibly applied) before their call goes out: ``on_sending``."""
        text = self._text(_SENT_TEXT)
        errno = int(LocalErrno.TRANSPORT_FAILED)
        rows = [(*_split(key), errno, text, 1, SENT) for key in keys]
        self._db.executemany(_INSERT, rows)
        self._db.commit()

    def possibly_applied(self, keys: Iterable[Key]) -> None:
        """Commit ``keys`` as possibly applied by an earlier run, unless they have a state here.

        For ``--only-failed``: a saved report's unknown items stay possibly applied in
        this job's journal, so a resume of it sends them as such too.
        """
        text = self._text(_UNSURE_TEXT)
        errno = int(LocalErrno.TRANSPORT_FAILED)
        rows = ((*_split(key), errno, text, 1, SENT) for key in keys)
        self._db.executemany("INSERT OR IGNORE INTO items VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._db.commit()

    def record(self, results: Sequence[tuple[Key, ItemResult]]) -> None:
        """Write and commit final outcomes (the Batcher's ``on_items`` hook)."""
        text = self._text
        rows = [
            (*_split(key), r.errno, text(r.error), r.attempts, OUTCOME_CODES[r.outcome])
            for key, r in results
        ]
        self._db.executemany(_INSERT, rows)
        self._db.commit()

    def finished(self, *, pairs: bool) -> Mapping[Key, ItemResult]:
        """Items to skip or to send again, for ``skip=`` on the next run; read as used.

        Ok items are skipped; unknown ones, and those sent without an answer, are sent
        again as possibly applied already. The mapping reads the file as it is iterated
        (no item is held), so it is good while the journal is open.
        """
        return _Resumed(self._db, pairs=pairs)

    def count(self, *, done: bool = False) -> int:
        """Number of items with a final outcome; with ``done``, of those done (ok)."""
        if done:
            query = "SELECT COUNT(*) FROM items WHERE outcome IN (1, 2)"  # succeeded, already
        else:
            query = "SELECT COUNT(*) FROM items WHERE outcome != 0"  # 0: sent, no answer yet
        return int(self._db.execute(query).fetchone()[0])

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


def _split(key: Key) -> tuple[Any, Any]:
    return key if isinstance(key, tuple) else (key, 0)


class _Resumed(Mapping[Key, ItemResult]):
    """The journal's items a resume skips or sends again, streamed from the file.

    Results alike (most of a job's) are one shared object, so iterating holds no more
    than one row at a time and a few distinct results.
    """

    _QUERY: Final = "SELECT k1, k2, errno, items.text, texts.text, attempts, outcome " + _RESUMED

    def __init__(self, db: sqlite3.Connection, *, pairs: bool) -> None:
        self._db = db
        self._pairs = pairs
        self._results: dict[tuple[int, int, int, int], ItemResult] = {}

    def _result(self, errno: int, text_id: int, text: str, attempts: int, code: int) -> ItemResult:
        cache = (errno, text_id, attempts, code)
        result = self._results.get(cache)
        if result is None:
            outcome = "unknown" if code == SENT else OUTCOMES[code - 1]
            result = ItemResult(
                errno, text, attempts, already=outcome == "already", outcome=outcome
            )
            if len(self._results) >= _MAX_CACHED:
                self._results.clear()
            self._results[cache] = result
        return result

    def _rows(self) -> Iterator[tuple[Key, ItemResult]]:
        for k1, k2, errno, text_id, text, attempts, code in self._db.execute(self._QUERY):
            key: Key = (k1, k2) if self._pairs else k1
            yield key, self._result(errno, text_id, text, attempts, code)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) " + _RESUMED).fetchone()[0])

    def __iter__(self) -> Iterator[Key]:
        return (key for key, _ in self._rows())

    def __getitem__(self, key: object) -> ItemResult:
        parts = key if isinstance(key, tuple) else (key, 0)
        found = self._db.execute(
            self._QUERY + " AND k1 = ? AND k2 = ?", parts if len(parts) == 2 else (None, None)
        ).fetchone()
        if found is None:
            raise KeyError(key)
        return self._result(*found[2:])

    def items(self) -> ItemsView[Key, ItemResult]:
        """(key, result) pairs, streamed from the file."""
        return _StreamedItems(self)

    def values(self) -> ValuesView[ItemResult]:
        """Results, streamed from the file."""
        return _StreamedValues(self)


class _StreamedItems(ItemsView[Key, ItemResult]):
    _mapping: _Resumed

    def __iter__(self) -> Iterator[tuple[Key, ItemResult]]:
        return self._mapping._rows()


class _StreamedValues(ValuesView[ItemResult]):
    _mapping: _Resumed

    def __iter__(self) -> Iterator[ItemResult]:
        return (result for _, result in self._mapping._rows())


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
