"""Where a receiver records the messages it handled: SQLite on disk, or memory for tests.

A store answers two questions for the receiver: was this message handled already
(``seen``), and record that it was (``record``, durable when it returns). The receiver
acks a push only after ``record`` returned, so a crash at any moment loses nothing that
was acked: an unacked message is pushed again by ClassIn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs

from ._events import parse
from ._fields import Event, utf8_safe

#: ``PRAGMA application_id`` of a receiver store ("EEOW"), so that another SQLite file
#: (a bulk job's journal, say) is refused rather than written into.
_APPLICATION_ID = 0x45454F57
_SCHEMA_VERSION = 1
# seq is the rowid: rows are never deleted, so it grows in the order handled (without
# AUTOINCREMENT's extra write per row). No index on cmd or time: every push pays for an
# index, while reading by Cmd (the events and attendance commands) is rare and scans.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS handled (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    cmd TEXT NOT NULL,
    message_id TEXT,
    received REAL NOT NULL,
    body TEXT
);
"""
_INSERT = (
    "INSERT OR IGNORE INTO handled (key, cmd, message_id, received, body) VALUES (?, ?, ?, ?, ?)"
)
_SYNCHRONOUS = frozenset({"FULL", "NORMAL", "EXTRA"})
#: Commits between two checkpoints with synchronous=NORMAL (SQLite's own default is
#: 1000 pages; a commit here is a page or a few).
_CHECKPOINT_EVERY = 500


@runtime_checkable
class Store(Protocol):
    """What a :class:`Receiver` needs from a store; implement it to record elsewhere.

    ``record`` must be durable when it returns (the push is acked next) and must record
    a key once however often it is called; ``seen`` must see what ``record`` recorded,
    also after a restart.
    """

    async def seen(self, key: str) -> bool:
        """True when a message with this key was recorded."""
        ...

    async def record(self, event: Event) -> bool:
        """Record ``event`` as handled under ``event.key``; True when it was new."""
        ...

    async def close(self) -> None:
        """Release what the store holds; recorded messages stay recorded."""
        ...


@attrs.define
class MemoryStore:
    """A store in memory, for tests: it forgets everything when the process ends.

    Attributes:
        keys: the keys recorded.
        events: the events recorded, in order.
    """

    keys: set[str] = attrs.field(factory=set)
    events: list[Event] = attrs.field(factory=list)

    async def seen(self, key: str) -> bool:
        """True when a message with this key was recorded."""
        return key in self.keys

    async def record(self, event: Event) -> bool:
        """Record ``event`` under its key; True when it was new."""
        if event.key in self.keys:
            return False
        self.keys.add(event.key)
        self.events.append(event)
        return True

    async def close(self) -> None:
        """Nothing to release."""


@attrs.frozen(kw_only=True)
class StoredEvent:
    """A message as an :class:`SQLiteStore` kept it (with ``events=True``).

    Attributes:
        seq: its position in the store, in the order handled.
        received: when it was recorded, Unix seconds.
        cmd: its ``Cmd`` as text.
        id: its ``_id``, or None.
        key: its dedup key (see :attr:`Event.key`).
        raw: the push without its ``SafeKey`` (empty when the store kept keys only).
    """

    seq: int
    received: float
    cmd: str
    id: str | None
    key: str
    raw: Mapping[str, Any] = attrs.field(repr=False)

    @property
    def event(self) -> Event:
        """The typed event, parsed again from ``raw``."""
        return parse(self.raw)

    @property
    def text(self) -> str:
        r"""``raw`` as JSON text, Chinese as it is, a lone surrogate as its escape ("\ud800")."""
        return _json(self.raw)


class SQLiteStore:
    """A durable store in one SQLite file (WAL), safe across restarts and concurrent requests.

    Each handled message is one row (its key unique, so it is recorded once however
    often it is pushed), committed before :meth:`record` returns. With
    ``synchronous="FULL"`` (the default) each commit waits for the disk, so an ack
    survives a power cut, not only a killed process; those commits run on one thread of
    the store's own, so the event loop never waits for a disk, and requests that arrive
    together share one commit. ``"NORMAL"`` survives a killed process but may lose the
    last acks on a power cut or an OS crash; its commits only hand pages to the OS, so
    they run on the caller's thread, and the WAL is checkpointed (synced) on the store's
    thread. ClassIn never re-pushes an acked message, so only FULL loses nothing at all.
    With ``events=True`` (what ``eeo-async receive``
    uses) the message itself is kept too, without its ``SafeKey``, for
    ``eeo-async events`` and ``attendance``; otherwise only keys, ``Cmd`` and ``_id``.

    One receiving process per store is the intended use (ClassIn sends one message at a
    time per school). Several processes may share one file: a message is still recorded
    once, but two pushes of one message arriving at two processes at the same moment
    could each run the handlers.

    Args:
        path: the file, created if missing.
        events: also keep each message's JSON.
        synchronous: SQLite's ``synchronous`` setting: "FULL" (default), "EXTRA" or "NORMAL".
            With NORMAL, use one process per store: a write waiting for another
            process's lock would wait on the event loop.

    Raises:
        sqlite3.Error: the file cannot be opened or is not a receiver store.
        ValueError: ``synchronous`` is not one of the three.
    """

    def __init__(
        self, path: str | Path, *, events: bool = False, synchronous: str = "FULL"
    ) -> None:
        if synchronous.upper() not in _SYNCHRONOUS:
            message = f"synchronous must be FULL, EXTRA or NORMAL, not {synchronous!r}"
            raise ValueError(message)
        self.path = Path(path)
        self.keep_events = events
        self._synchronous = synchronous.upper()
        # Reads happen on the caller's thread (a primary-key lookup, microseconds, never
        # blocked by the writer under WAL); commits that wait for the disk on the store's.
        self._reader = self._connect()
        self._writer = self._connect()
        self._setup(self._writer)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="eeo-async-store")
        self._lock = threading.Lock()
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[bool]]] = []
        self._draining = False
        self._closed = False
        # NORMAL: commits inline, and the checkpoints (which sync) on the store's thread.
        self._inline = self._synchronous == "NORMAL"
        self._uncheckpointed = 0
        if self._inline:
            self._writer.execute("PRAGMA wal_autocheckpoint = 0")

    def __repr__(self) -> str:
        return f"<eeo_async.webhooks.SQLiteStore {str(self.path)!r}>"

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    def _setup(self, conn: sqlite3.Connection) -> None:
        (app_id,) = conn.execute("PRAGMA application_id").fetchone()
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != _APPLICATION_ID and (app_id != 0 or tables):
            conn.close()
            self._reader.close()
            message = f"{self.path} is an SQLite file, but not a receiver store"
            raise sqlite3.DatabaseError(message)
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        if app_id != _APPLICATION_ID:  # a new file; an existing store is only read here
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    async def seen(self, key: str) -> bool:
        """True when a message with this key was recorded (by any process, before any restart)."""
        row = self._reader.execute("SELECT 1 FROM handled WHERE key = ?", (key,)).fetchone()
        return row is not None

    async def record(self, event: Event) -> bool:
        """Record ``event`` and commit; True when it was new, False when already recorded.

        Raises:
            sqlite3.Error: the commit failed (the receiver then does not ack).
        """
        message_id = None if event.id is None else utf8_safe(event.id)
        body = _json(event.raw) if self.keep_events else None
        row = (event.key, utf8_safe(str(event.cmd)), message_id, time.time(), body)
        if self._inline:
            return self._record_inline(row)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            self._pending.append((row, future))
            start, self._draining = not self._draining, True
        if start:
            self._executor.submit(self._drain)
        return await future

    def _record_inline(self, row: tuple[Any, ...]) -> bool:
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            (new,) = self._write([row])
            self._uncheckpointed += 1
            if self._uncheckpointed >= _CHECKPOINT_EVERY:
                self._uncheckpointed = 0
                self._executor.submit(self._checkpoint)
        return new

    def _checkpoint(self) -> None:
        """On the store's thread: move the WAL into the database (syncing both)."""
        with contextlib.closing(self._connect()) as conn:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _drain(self) -> None:
        """On the store's thread: commit what is pending, in batches, until nothing is."""
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch:
                    self._draining = False
                    return
            try:
                outcomes: list[bool | BaseException] = [*self._write([row for row, _ in batch])]
            except Exception as exc:  # every waiting request must get an answer
                outcomes = [exc] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                # RuntimeError: its event loop is closed, so nobody waits any more.
                with contextlib.suppress(RuntimeError):
                    future.get_loop().call_soon_threadsafe(_settle, future, outcome)

    def _write(self, rows: list[tuple[Any, ...]]) -> list[bool]:
        conn = self._writer
        if len(rows) == 1:  # one statement is its own transaction: no BEGIN and COMMIT
            return [conn.execute(_INSERT, rows[0]).rowcount == 1]
        conn.execute("BEGIN IMMEDIATE")
        try:
            new = [conn.execute(_INSERT, row).rowcount == 1 for row in rows]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return new

    def count(self, cmd: str | None = None) -> int:
        """How many messages are recorded (of one ``Cmd``, given as text)."""
        if cmd is None:
            return int(self._reader.execute("SELECT count(*) FROM handled").fetchone()[0])
        sql = "SELECT count(*) FROM handled WHERE cmd = ?"
        return int(self._reader.execute(sql, (cmd,)).fetchone()[0])

    def read(
        self, *, cmds: tuple[str, ...] = (), since: float | None = None
    ) -> Iterator[StoredEvent]:
        """The recorded messages in the order handled, optionally of some ``Cmd`` and since a time.

        Args:
            cmds: keep only these ``Cmd`` values (as text); all when empty.
            since: keep only messages recorded at or after this Unix time.
        """
        where: list[str] = ["1"]
        args: list[str | float] = []
        if cmds:
            where.append(f"cmd IN ({', '.join('?' * len(cmds))})")
            args.extend(cmds)
        if since is not None:
            where.append("received >= ?")
            args.append(since)
        # Only placeholders are joined in; the values travel as parameters.
        sql = f"SELECT seq, received, cmd, message_id, key, body FROM handled WHERE {' AND '.join(where)} ORDER BY seq"  # noqa: S608, E501
        # A cursor of its own: reading a large store streams rather than loading it whole.
        for seq, received, cmd, message_id, key, body in self._reader.execute(sql, args):
            raw = json.loads(body) if body else {}
            yield StoredEvent(seq=seq, received=received, cmd=cmd, id=message_id, key=key, raw=raw)

    async def close(self) -> None:
        """Finish pending commits, then close the file; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        await asyncio.get_running_loop().run_in_executor(None, self._shutdown)

    def _shutdown(self) -> None:
        self._executor.shutdown(wait=True)
        self._writer.close()
        self._reader.close()


def _json(raw: Mapping[str, Any]) -> str:
    """A message as JSON text a store (or a terminal) can hold, Chinese as it is."""
    return utf8_safe(json.dumps(raw, ensure_ascii=False))


def _settle(future: asyncio.Future[bool], outcome: bool | BaseException) -> None:
    if future.done():  # the request was cancelled; the row is committed all the same
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
