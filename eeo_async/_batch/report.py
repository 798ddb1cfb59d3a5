"""The report of a batch: one result per input item, stored compactly, column by column."""

from __future__ import annotations

import csv
import io
import itertools
import json
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TextIO, TypeVar, cast, overload

import attrs

from .._codes import LocalErrno, describe
from .._errors import EEOError, InputError
from .._limits import ConcurrencyRecord
from .._models import OUTCOMES, ItemResult, Outcome
from . import view as _view

if TYPE_CHECKING:
    import pandas

K = TypeVar("K")
T = TypeVar("T")
Key = int | tuple[int, int] | str
StopCause = Literal["credentials", "unreachable", "deadline", "interrupted", "closed"]
FORMAT: Final = "eeo-async-report/2"
_READABLE: Final = ("eeo-async-report/1", FORMAT)
#: Outcome codes in a report's outcome column: 0 means no outcome yet.
PENDING, SUCCEEDED, ALREADY, FAILED, UNKNOWN = range(5)
OUTCOME_CODES: Final = {name: code for code, name in enumerate(OUTCOMES, start=1)}
#: Outcome code -> 1 where the item is not done (pending, failed, unknown), for a C-speed
#: mask of the outcome column.
_NOT_DONE: Final = bytes([1, 0, 0, 1, 1]) + bytes(251)
_UNKNOWN: Final = bytes([0, 0, 0, 0, 1]) + bytes(251)
#: Key fields whose values are text, never read as numbers (a telephone is digits).
TEXT_KEY_FIELDS: Final = frozenset({"account"})


class ReportItems(Mapping[K, ItemResult]):
    """Read-only view of a report's items, in input order; results are built on access.

    A key may be given as the report holds it or with digit strings for its IDs
    (``items["1001001"]``, ``items[("1001001", "1212131")]``), so lookups take any object
    (an absent key is a ``KeyError``, or ``get``'s default).
    """

    def __init__(self, report: BatchReport[K]) -> None:
        self._report: BatchReport[K] = report

    def __len__(self) -> int:
        return self._report.total

    def __iter__(self) -> Iterator[K]:
        return self._report._iter_keys()

    def __getitem__(self, key: object) -> ItemResult:
        return self._report.result(self._report.row_of(key))

    def __contains__(self, key: object) -> bool:
        try:
            self._report.row_of(key)
        except KeyError:
            return False
        return True

    @overload
    def get(self, key: object, /) -> ItemResult | None: ...
    @overload
    def get(self, key: object, default: ItemResult | T, /) -> ItemResult | T: ...
    def get(self, key: object, default: object = None, /) -> object:
        """The result of ``key`` (digit strings accepted), or ``default`` if it is absent."""
        try:
            return self[key]
        except KeyError:
            return default

    def __repr__(self) -> str:
        return f"<{len(self)} items of {self._report!r}>"


class BatchReport(Generic[K]):
    """Every item of a batch job with its final outcome; nothing lost, nothing twice.

    ``items`` maps each input key (``class_id``, ``student_uid``,
    ``(student_uid, class_id)`` ..., see ``key_fields``) to an :class:`ItemResult`, in
    input order; keys given as digit strings are found too. Counts are properties kept
    as items are recorded (reading them costs nothing); methods export or act. Results
    are stored column-wise, so a report of millions of items is cheap. The report never
    holds the secret, a safeKey or a password.

    Outcomes: ``succeeded`` and ``already`` are done (``ok``); ``failed`` is known not
    done; ``unknown`` means an attempt the server may have applied got no answer, so
    only a re-run can tell. ``failed_keys`` lists both of the last two.
    """

    def __init__(
        self,
        *,
        operation: str,
        course_id: int,
        key_fields: tuple[str, ...],
        target: Mapping[str, int] | None = None,
        item_ids: array[int] | Sequence[Any] = (),
        target_ids: array[int] | None = None,
        grid: tuple[array[int], array[int]] | None = None,
        action: str = "",
        uids: bool = False,
    ) -> None:
        self.operation = operation
        self.course_id = course_id
        self.key_fields = key_fields
        self.target: dict[str, int] = dict(target or {})
        #: The API action the job sent (an enrolment may choose between two).
        self.action = action
        self._item_ids = item_ids
        self._target_ids = target_ids
        # Every (target, item) pair in row order, row = i * len(items) + j: the keys of an
        # enrolment are computed, not stored (16 bytes an item fewer).
        self._grid = grid
        size = len(grid[0]) * len(grid[1]) if grid is not None else len(item_ids)
        self._errnos = array("i", bytes(4 * size))
        self._attempts = array("H", bytes(2 * size))
        self._texts = array("I", bytes(4 * size))
        self._outcomes = array("B", bytes(size))
        #: The UID of each item (0 = none), only for operations whose answers carry one.
        self._uids: array[int] | None = array("q", bytes(8 * size)) if uids else None
        self._text_keys = bool(set(key_fields) & TEXT_KEY_FIELDS)
        self._counts = [size, 0, 0, 0, 0]  # by outcome code, PENDING first
        self._text_table: list[str] = []
        self._text_index: dict[str, int] = {}
        self._rows: dict[Any, int] | None = None
        #: HTTP calls made for this job.
        self.calls = 0
        #: Calls that re-sent items after a transient failure.
        self.retries = 0
        #: Seconds the job took.
        self.elapsed = 0.0
        #: Input items dropped because they repeated an earlier one.
        self.duplicates = 0
        #: Why the job stopped before every item was sent, in words; ``None`` if it did not.
        self.stop_reason: str | None = None
        #: What stopped it: ``"credentials"`` (errno 102), ``"unreachable"``,
        #: ``"deadline"`` or ``"interrupted"`` (cancelled); ``None`` if nothing did.
        self.stopped_by: StopCause | None = None
        #: Calls answered busy, as a whole (114, 104, 460, 464, HTTP 429/503) or for
        #: some of their items (114, 464); each counts once.
        self.busy_calls = 0
        #: The concurrency the job ran at; ``None`` for a report read from CSV or from
        #: a file written before it was recorded.
        self.concurrency: ConcurrencyRecord | None = None

    # ------------------------------------------------------------------ recording

    def record(self, row: int, errno: int, error: str, attempts: int, outcome: Outcome) -> None:
        """Record the final outcome of the item in ``row`` (once; a later one replaces it)."""
        self.record_many([(row, errno, error, attempts, OUTCOME_CODES[outcome])])

    def record_many(self, entries: Iterable[tuple[int, int, str, int, int]]) -> None:
        """Record ``(row, errno, error, attempts, outcome code)`` entries in one pass."""
        errnos, texts, attempts, outcomes = (
            self._errnos,
            self._texts,
            self._attempts,
            self._outcomes,
        )
        index, table, counts = self._text_index, self._text_table, self._counts
        for row, errno, error, tries, code in entries:
            position = index.get(error)
            if position is None:
                position = index[error] = len(table)
                table.append(error)
            counts[outcomes[row]] -= 1
            counts[code] += 1
            errnos[row] = errno
            texts[row] = position
            attempts[row] = tries if tries < 0xFFFF else 0xFFFF
            outcomes[row] = code

    def record_same(
        self,
        rows: Sequence[int],
        errno: int,
        error: str,
        attempts: int | Sequence[int],
        code: int,
    ) -> None:
        """Record one outcome for many rows (the batcher's hot path: calls share answers).

        ``attempts`` is one count for all rows or a count per row; ``code`` an outcome code.
        """
        position = self._text_index.get(error)
        if position is None:
            position = self._text_index[error] = len(self._text_table)
            self._text_table.append(error)
        count = len(rows)
        outcomes, counts = self._outcomes, self._counts
        tries = attempts if isinstance(attempts, int) else 0
        if (
            type(rows) is range
            and rows.step > 0
            and isinstance(attempts, int)
            and outcomes[rows.start : rows.stop : rows.step].count(0) == count
        ):
            # Fresh rows in a regular run (a student's lessons, or a lesson's students in
            # an enrolment): whole slices at C speed.
            where = slice(rows.start, rows.stop, rows.step)
            self._errnos[where] = array("i", [errno]) * count
            self._texts[where] = array("I", [position]) * count
            self._attempts[where] = array("H", [min(tries, 0xFFFF)]) * count
            outcomes[where] = array("B", [code]) * count
            counts[PENDING] -= count
            counts[code] += count
            return
        errnos, texts, column = self._errnos, self._texts, self._attempts
        for index, row in enumerate(rows):
            counts[outcomes[row]] -= 1
            counts[code] += 1
            errnos[row] = errno
            texts[row] = position
            value = tries or attempts[index]  # type: ignore[index]
            column[row] = value if value < 0xFFFF else 0xFFFF
            outcomes[row] = code

    @property
    def pending(self) -> int:
        """Items without an outcome yet (0 once a job has returned)."""
        return self._counts[PENDING]

    def set_uid(self, row: int, uid: int) -> None:
        """Record the UID the server gave for the item in ``row``."""
        if self._uids is not None:
            self._uids[row] = uid

    @property
    def has_uids(self) -> bool:
        """True when the operation's answers carry a UID per item (``register``)."""
        return self._uids is not None

    def _uid(self, row: int) -> int | None:
        return (self._uids[row] or None) if self._uids is not None else None

    def is_pending(self, row: int) -> bool:
        """True while the item in ``row`` has no outcome."""
        return not self._outcomes[row]

    def pending_rows(self) -> list[int]:
        """Rows without an outcome yet, in input order."""
        return [row for row, code in enumerate(self._outcomes) if not code]

    def key(self, row: int) -> K:
        """The input key of ``row``."""
        if self._grid is not None:
            targets, items = self._grid
            high, low = divmod(row, len(items))
            return cast(K, (targets[high], items[low]))
        if self._target_ids is None:
            return cast(K, self._item_ids[row])
        return cast(K, (self._target_ids[row], self._item_ids[row]))

    def _iter_keys(self) -> Iterator[K]:
        if self._grid is not None:
            return cast(Iterator[K], itertools.product(*self._grid))
        if self._target_ids is None:
            return cast(Iterator[K], iter(self._item_ids))
        return cast(Iterator[K], zip(self._target_ids, self._item_ids, strict=True))

    def row_of(self, key: object) -> int:
        """The row of an input key (digit strings accepted); ``KeyError`` if absent."""
        if self._rows is None:
            # Built on the first lookup only: iterating and counting never need it.
            self._rows = {k: row for row, k in enumerate(self._iter_keys())}
        try:
            return self._rows[key if self._text_keys else _normal_key(key)]
        except (KeyError, TypeError, ValueError):
            raise KeyError(key) from None

    def result(self, row: int) -> ItemResult:
        """The :class:`ItemResult` of ``row`` (``NOT_SENT`` while it has none)."""
        code = self._outcomes[row]
        if not code:
            return ItemResult(
                LocalErrno.NOT_SENT, "No outcome yet.", 0, outcome="failed", uid=self._uid(row)
            )
        outcome = OUTCOMES[code - 1]
        return ItemResult(
            self._errnos[row],
            self._text_table[self._texts[row]],
            self._attempts[row],
            already=outcome == "already",
            outcome=outcome,
            uid=self._uid(row),
        )

    # -------------------------------------------------------------------- reading

    @property
    def items(self) -> ReportItems[K]:
        """Each input key mapped to its :class:`ItemResult`, in input order.

        Keys may be given with digit strings for their IDs, as the docs say
        (``report.items[("1001001", "1212131")]``).
        """
        return ReportItems(self)

    @property
    def total(self) -> int:
        """Number of distinct items in the job."""
        return len(self._errnos)

    @property
    def errno_counts(self) -> dict[int, int]:
        """How many items ended with each errno."""
        return dict(Counter(self._errnos))

    @property
    def succeeded(self) -> int:
        """Items in the target state that this job may have put there."""
        return self._counts[SUCCEEDED]

    @property
    def already(self) -> int:
        """Items that were in the target state before this job (166 adding, 167 removing ...)."""
        return self._counts[ALREADY]

    @property
    def failed(self) -> int:
        """Items known not to be in the target state at the end of the job."""
        return self._counts[FAILED]

    @property
    def unknown(self) -> int:
        """Items whose state nobody can know: an attempt may have applied them, unanswered."""
        return self._counts[UNKNOWN]

    @property
    def ok(self) -> bool:
        """True when every item is known to be in the target state."""
        return self._counts[SUCCEEDED] + self._counts[ALREADY] == self.total

    @property
    def failed_keys(self) -> list[K]:
        """Keys of the items not known to be done (failed and unknown): the ones to re-run."""
        return [self.key(row) for row, code in enumerate(self._outcomes) if code not in (1, 2)]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per item: key fields, errno, error, meaning, attempts, outcome (uid).

        ``error`` is the server's own message (Chinese in production); ``meaning`` the
        documented English meaning of the errno (:func:`eeo_async.describe`).
        """
        return list(self._records())

    def _records(self) -> Iterator[dict[str, Any]]:
        fields = self.key_fields
        table, errnos, texts, attempts, outcomes = (
            self._text_table,
            self._errnos,
            self._texts,
            self._attempts,
            self._outcomes,
        )
        meanings: dict[int, str] = {}
        for row, key in enumerate(self._iter_keys()):
            keys = key if isinstance(key, tuple) else (key,)
            record: dict[str, Any] = dict(zip(fields, keys, strict=True))
            code = outcomes[row]
            errno = errnos[row] if code else int(LocalErrno.NOT_SENT)
            meaning = meanings.get(errno)
            if meaning is None:
                meaning = meanings[errno] = describe(errno)
            if code:
                record.update(
                    errno=errno,
                    error=table[texts[row]],
                    meaning=meaning,
                    attempts=attempts[row],
                    outcome=OUTCOMES[code - 1],
                )
            else:
                record.update(
                    errno=errno,
                    error="No outcome yet.",
                    meaning=meaning,
                    attempts=0,
                    outcome="failed",
                )
            if self._uids is not None:
                record["uid"] = self._uids[row] or None
            yield record

    def to_dict(self, *, items: bool = False) -> dict[str, Any]:
        """The report as JSON-ready data: its summary, and with ``items=True`` every item.

        What a web handler returns (``eeo_async.to_jsonable(report)`` gives the same):
        operation, action, course, key fields, calls, retries, time, why it stopped, the
        concurrency record and ``summary`` (the outcome counts). With ``items=True`` it
        is the document :meth:`to_json` writes, ``items`` holding :meth:`to_records`
        (build it only for reports small enough to hold in memory twice).
        """
        doc = self._head()
        if items:
            doc["items"] = self.to_records()
        return doc

    def to_dataframe(self) -> pandas.DataFrame:
        """The items as a pandas ``DataFrame``, one row each (pandas must be installed).

        Columns as in :meth:`to_records`: the key fields, ``errno``, ``error`` (the
        server's message), ``meaning`` (its documented English meaning), ``attempts``,
        ``outcome`` and, for ``register``, ``uid``.

        Raises:
            ImportError: pandas is not installed.
        """
        import pandas as pd  # noqa: PLC0415 - optional dependency

        columns = [*self.key_fields, "errno", "error", "meaning", "attempts", "outcome"]
        if self._uids is not None:
            columns.append("uid")
        return pd.DataFrame.from_records(self._records(), columns=columns)

    def raise_for_failures(self) -> None:
        """Raise :class:`eeo_async.BatchError` (holding this report) unless it is ``ok``."""
        if not self.ok:
            raise BatchError(self)

    # ----------------------------------------------------------------- exporting

    def _head(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "operation": self.operation,
            "action": self.action,
            "course_id": self.course_id,
            "target": self.target,
            "key_fields": list(self.key_fields),
            "calls": self.calls,
            "retries": self.retries,
            "elapsed": self.elapsed,
            "duplicates": self.duplicates,
            "stop_reason": self.stop_reason,
            "stopped_by": self.stopped_by,
            "busy_calls": self.busy_calls,
            "concurrency": None if self.concurrency is None else attrs.asdict(self.concurrency),
            "summary": {
                "total": self.total,
                "succeeded": self.succeeded,
                "already": self.already,
                "failed": self.failed,
                "unknown": self.unknown,
            },
        }

    def write_json(self, path: str | PathLike[str]) -> None:
        """Write the report as JSON to ``path``, one item at a time (any size).

        The file is what :meth:`to_json` returns; :meth:`load` reads it back.
        """
        with open(path, "w", encoding="utf-8") as handle:
            self._write_json(handle)

    def _write_json(self, handle: io.TextIOBase | Any) -> None:
        head = json.dumps(self._head(), ensure_ascii=False, indent=1)
        handle.write(head[:-2] + ',\n "items": [')
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        first = True
        for record in self._records():
            handle.write(("\n  " if first else ",\n  ") + dumps(record))
            first = False
        handle.write("\n ]\n}\n")

    def to_json(self) -> str:
        """The whole report as JSON text (for large reports prefer :meth:`write_json`)."""
        buffer = io.StringIO()
        self._write_json(buffer)
        return buffer.getvalue()

    @classmethod
    def from_json(cls, text: str | bytes) -> BatchReport[Any]:
        """Read a report written by :meth:`to_json` or :meth:`write_json`.

        Raises:
            InputError: the text is not such a report.
        """
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict) or doc.get("format") not in _READABLE:
                found = doc.get("format") if isinstance(doc, dict) else None
                message = f"not an eeo-async report (format {found!r})"
                raise InputError(message)
            report = cls._from_records(doc, doc["items"])
            report.calls = doc["calls"]
            report.retries = doc["retries"]
            report.elapsed = doc["elapsed"]
            report.duplicates = doc["duplicates"]
            report.stop_reason = doc.get("stop_reason")
            report.stopped_by = doc.get("stopped_by")
            report.busy_calls = int(doc.get("busy_calls") or 0)
            if doc.get("concurrency") is not None:
                report.concurrency = ConcurrencyRecord(**doc["concurrency"])
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            if isinstance(exc, InputError):
                raise
            message = f"not a readable eeo-async report: {type(exc).__name__}: {exc}"
            raise InputError(message) from exc
        return report

    @classmethod
    def _from_records(
        cls, doc: Mapping[str, Any], records: list[dict[str, Any]]
    ) -> BatchReport[Any]:
        key_fields = tuple(doc["key_fields"])
        pairs = len(key_fields) == 2
        text = key_fields[-1] in TEXT_KEY_FIELDS
        with_uids = any("uid" in r for r in records)
        report: BatchReport[Any] = cls(
            operation=doc["operation"],
            course_id=int(doc["course_id"]),
            key_fields=key_fields,
            target={k: int(v) for k, v in dict(doc.get("target") or {}).items()},
            item_ids=(
                [str(r[key_fields[-1]]) for r in records]
                if text
                else array("q", (int(r[key_fields[-1]]) for r in records))
            ),
            target_ids=array("q", (int(r[key_fields[0]]) for r in records)) if pairs else None,
            action=str(doc.get("action") or ""),
            uids=with_uids,
        )
        entries = []
        for row, record in enumerate(records):
            if with_uids and record.get("uid"):
                report.set_uid(row, int(record["uid"]))
            errno = int(record["errno"])
            outcome = record.get("outcome") or ItemResult(errno, "").outcome
            if outcome not in OUTCOME_CODES:
                message = f"item {row + 1} has an unknown outcome {outcome!r}"
                raise InputError(message)
            code = OUTCOME_CODES[outcome]
            entries.append((row, errno, str(record["error"]), int(record["attempts"]), code))
        report.record_many(entries)
        return report

    def to_csv(self, path: str | PathLike[str], *, bom: bool = False) -> None:
        """Write one CSV row per item: key fields, errno, error, meaning, attempts, outcome.

        (And ``uid`` for ``register``.) Rows are written one at a time, so any size
        fits; :meth:`load` reads it back.

        Args:
            path: the file to write (UTF-8).
            bom: start the file with a byte-order mark, which Excel needs to show the
                server's Chinese messages right (scripts then read it with
                ``encoding="utf-8-sig"``).
        """
        with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
            self.write_csv(handle)

    def write_csv(self, handle: TextIO, *, only_not_done: bool = False) -> None:
        """Write the CSV rows of :meth:`to_csv` to an open text ``handle``.

        Args:
            handle: a text stream, e.g. ``sys.stdout``.
            only_not_done: write only the items not done (failed and unknown).
        """
        fields = [*self.key_fields, "errno", "error", "meaning", "attempts", "outcome"]
        if self._uids is not None:
            fields.append("uid")
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        records = self._records()
        if only_not_done:
            records = (r for r in records if r["outcome"] in ("failed", "unknown"))
        writer.writerows(records)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> BatchReport[Any]:
        """Read a report file written by :meth:`write_json`/:meth:`to_json` or :meth:`to_csv`.

        A CSV report holds the items only: the operation, course and counts of calls
        are not in it, so they come back empty.

        Raises:
            InputError: the file cannot be read or is not such a report.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            message = f"cannot read report {path}: {exc}"
            raise InputError(message) from exc
        if text.lstrip().startswith("{"):
            return cls.from_json(text)
        rows = list(csv.DictReader(io.StringIO(text)))
        tail = ("errno", "error", "attempts", "outcome")
        names = list(rows[0]) if rows else []
        if names and names[-1] == "uid":
            names.pop()
        if "meaning" in names[-4:]:
            names.remove("meaning")  # written since the meaning column came; read again
        if len(names) < 5 or tuple(names[-4:]) != tail:
            message = f"{path} is neither a JSON nor a CSV report of eeo-async"
            raise InputError(message)
        doc = {"operation": "", "course_id": 0, "key_fields": names[:-4]}
        try:
            report: BatchReport[Any] = cls._from_records(doc, rows)
        except (ValueError, KeyError, TypeError) as exc:
            message = f"{path}: not a readable CSV report: {exc}"
            raise InputError(message) from exc
        return report

    def summary(self, width: int = _view.WIDTH) -> str:
        """The report as aligned text, no line wider than ``width`` terminal columns.

        Lists every outcome count, duplicates, calls, retries and time; each errno that
        left items not done, with its count, documented English meaning, the server's
        own message and example keys; then the first items not done. Long or multi-line
        server messages are cut with an ellipsis, never wrapped.

        Raises:
            InputError: ``width`` is not a whole number of at least 40.
        """
        return _view.text(self, width)

    def not_done_by_errno(self) -> dict[int, int]:
        """How many items not done (failed, unknown, not sent) ended with each errno."""
        return self._not_done_counts(self._outcomes.tobytes().translate(_NOT_DONE))

    def _not_done_counts(self, mask: bytes) -> dict[int, int]:
        counts = Counter(itertools.compress(self._errnos, mask))
        pending = counts.pop(0, 0)  # rows with no outcome yet hold errno 0
        if pending:
            counts[LocalErrno.NOT_SENT] += pending
        return dict(counts)

    def _unknown_by_errno(self) -> Counter[int]:
        """How many items of unknown outcome ended with each errno."""
        mask = self._outcomes.tobytes().translate(_UNKNOWN)
        return Counter(itertools.compress(self._errnos, mask)) if self.unknown else Counter()

    def _not_done_digest(
        self, examples: int, first: int
    ) -> tuple[dict[int, int], dict[int, list[int]], list[int]]:
        """Counts by errno, up to ``examples`` rows per errno and the ``first`` rows.

        Rows are found by C-speed searches of the columns, not visited one by one.
        """
        mask = self._outcomes.tobytes().translate(_NOT_DONE)
        counts = self._not_done_counts(mask)
        rows: list[int] = []
        at = mask.find(1)
        while at >= 0 and len(rows) < first:
            rows.append(at)
            at = mask.find(1, at + 1)
        column = self._errnos.tobytes()
        found = {}
        for errno in counts:
            # Rows not yet answered hold errno 0 and count as not sent.
            values = (0, errno) if errno == LocalErrno.NOT_SENT else (errno,)
            hits = [row for value in values for row in _rows_of(column, mask, value, examples)]
            found[errno] = sorted(hits)[:examples]
        return counts, found, rows

    def error_text(self, row: int) -> str:
        """The message recorded for ``row`` (the server's own words, or the SDK's)."""
        if not self._outcomes[row]:
            return "No outcome yet."
        return self._text_table[self._texts[row]]

    def __repr__(self) -> str:
        return (
            f"<BatchReport {self.operation} course={self.course_id} total={self.total} "
            f"succeeded={self.succeeded} already={self.already} failed={self.failed} "
            f"unknown={self.unknown} calls={self.calls}>"
        )

    def _repr_html_(self) -> str:
        """The same as :meth:`summary`, as escaped HTML tables (shown by notebooks)."""
        return _view.to_html(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (BatchReport.from_json, (self.to_json(),))


def _rows_of(column: bytes, mask: bytes, value: int, limit: int) -> list[int]:
    """Up to ``limit`` rows, in order, whose errno is ``value`` and whose mask byte is 1.

    ``column`` is the errno column's bytes (4 a row): a byte search finds candidates at
    C speed, and only matches are looked at here.
    """
    pattern = array("i", [value]).tobytes()
    size = len(pattern)
    rows: list[int] = []
    at = column.find(pattern)
    while at >= 0 and len(rows) < limit:
        if at % size:  # straddles two rows: look again from the next row
            at = column.find(pattern, at + size - at % size)
            continue
        if mask[at // size]:
            rows.append(at // size)
        at = column.find(pattern, at + size)
    return rows


def _normal_key(key: object) -> Any:
    """Keys as the report holds them: ints, or tuples of ints; digit strings read as ints."""
    if isinstance(key, tuple):
        return tuple(_normal_key(part) for part in key)
    if isinstance(key, str) and key.strip().isascii() and key.strip().isdigit():
        return int(key)
    if isinstance(key, bool):
        raise TypeError(key)
    return key


class BatchError(EEOError):
    """Some items of a batch failed; ``.report`` holds the whole :class:`BatchReport`."""

    def __init__(self, report: BatchReport[Any]) -> None:
        self.report = report
        message = (
            f"{report.failed + report.unknown} of {report.total} items not done "
            f"({report.failed} failed, {report.unknown} unknown)"
        )
        counts = report.not_done_by_errno()
        if counts:
            top = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
            parts = [f"{n} with errno {errno} ({describe(errno)})" for errno, n in top[:3]]
            if len(top) > 3:
                parts.append(f"{sum(n for _, n in top[3:])} with {len(top) - 3} other errnos")
            message += ": " + "; ".join(parts)
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report,))
