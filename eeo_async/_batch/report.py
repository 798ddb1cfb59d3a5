"""The report of a batch: one result per input item, stored compactly, column by column.

The report is the public face of three parts: its outcome columns (``columns``), the key
of each row (``keys``) and its files (``formats``, JSON and CSV written and read item by
item).
"""

from __future__ import annotations

import io
import itertools
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TextIO, TypeVar

import attrs

from .._codes import describe
from .._errors import EEOError, InputError
from .._limits import ConcurrencyRecord
from .._models import OUTCOMES, ItemResult, Outcome
from . import columns as _columns
from . import formats
from . import view as _view
from .columns import Columns
from .keys import TEXT_KEY_FIELDS, Items, RowKeys

if TYPE_CHECKING:
    import pandas

K = TypeVar("K")
Key = int | tuple[int, int] | str
StopCause = Literal["credentials", "unreachable", "deadline", "interrupted", "closed"]
#: Outcome name -> its code in the outcome column (0 there means no outcome yet).
OUTCOME_CODES: Final = _columns.OUTCOME_CODES
#: The longest message kept per item, in characters (longer ones end in an ellipsis).
MAX_TEXT_CHARS: Final = _columns.MAX_TEXT_CHARS
#: Outcome codes of the outcome column, PENDING (0) meaning no outcome yet.
PENDING, SUCCEEDED, ALREADY, FAILED, UNKNOWN = (
    _columns.PENDING,
    _columns.SUCCEEDED,
    _columns.ALREADY,
    _columns.FAILED,
    _columns.UNKNOWN,
)


class BatchReport(Generic[K]):
    """Every item of a batch job with its final outcome; nothing lost, nothing twice.

    ``items`` maps each input key (``class_id``, ``student_uid``,
    ``(student_uid, class_id)`` ..., see ``key_fields``) to an :class:`ItemResult`, in
    input order; keys given as digit strings are found too. Counts are properties kept
    as items are recorded (reading them costs nothing); methods export or act. Results
    are stored column-wise, so a report of millions of items is cheap. The report never
    holds the secret, a safeKey or a password, and keeps each message once, cut to
    ``MAX_TEXT_CHARS`` (500) characters.

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
        answer: str | None = None,
    ) -> None:
        self.operation = operation
        self.course_id = course_id
        self.key_fields = key_fields
        self.target: dict[str, int] = dict(target or {})
        #: The API action the job sent (an enrolment may choose between two).
        self.action = action
        # An enrolment's keys are a grid, computed, not stored (16 bytes an item fewer).
        text = bool(set(key_fields) & TEXT_KEY_FIELDS)
        self._keys: RowKeys[K] = RowKeys(item_ids, target_ids, grid, text=text)
        self._columns = Columns(len(self._keys), uids=uids, answer=answer)
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
        self._columns.record_many([(row, errno, error, attempts, OUTCOME_CODES[outcome])])

    def record_many(self, entries: Iterable[tuple[int, int, str, int, int]]) -> None:
        """Record ``(row, errno, error, attempts, outcome code)`` entries in one pass."""
        self._columns.record_many(entries)

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
        self._columns.record_same(rows, errno, error, attempts, code)

    @property
    def pending(self) -> int:
        """Items without an outcome yet (0 once a job has returned)."""
        return self._columns.counts[PENDING]

    def set_uid(self, row: int, uid: int) -> None:
        """Record the ID the server gave for the item in ``row`` (its UID, activity ID ...)."""
        if self._columns.uids is not None:
            self._columns.uids[row] = uid

    @property
    def has_uids(self) -> bool:
        """True when the operation's answers carry an ID per item (``register`` ...)."""
        return self._columns.uids is not None

    @property
    def answer_field(self) -> str | None:
        """The name of the ID each item's answer carries, the column after ``outcome``.

        ``"uid"`` for ``register``, ``"activity_id"`` for ``create_classrooms``, ``None``
        where answers carry none. ``items[key].id`` is that ID (and ``.uid`` for a UID).
        """
        return self._columns.answer if self.has_uids else None

    def is_pending(self, row: int) -> bool:
        """True while the item in ``row`` has no outcome."""
        return not self._columns.outcomes[row]

    def pending_rows(self) -> list[int]:
        """Rows without an outcome yet, in input order."""
        return self._columns.pending_rows()

    def key(self, row: int) -> K:
        """The input key of ``row``."""
        return self._keys.key(row)

    def row_of(self, key: object) -> int:
        """The row of an input key (digit strings accepted); ``KeyError`` if absent."""
        return self._keys.row_of(key)

    def result(self, row: int) -> ItemResult:
        """The :class:`ItemResult` of ``row`` (``NOT_SENT`` while it has none)."""
        return self._columns.result(row)

    def error_text(self, row: int) -> str:
        """The message recorded for ``row`` (the server's own words, or the SDK's)."""
        return self._columns.error_text(row)

    # -------------------------------------------------------------------- reading

    @property
    def items(self) -> Items[K]:
        """Each input key mapped to its :class:`ItemResult`, in input order.

        Keys may be given with digit strings for their IDs, as the docs say
        (``report.items[("1001001", "1212131")]``), in the types too.

        ``items.items()`` and ``items.values()`` stream in input order, so a loop over
        millions of items costs no index of them.
        """
        return Items(self)

    def items_with(self, *outcomes: Outcome) -> Items[K]:
        """The items whose outcome is one of ``outcomes``, in input order (built on access).

        ``skip=report.items_with("unknown")`` re-runs a report's ``failed_keys`` truthfully:
        its unknown items are sent as possibly applied, so an "already" answer for one
        counts as ``succeeded``, never ``already``.

        Raises:
            InputError: an outcome that is none of the four.
        """
        wrong = [o for o in outcomes if o not in OUTCOME_CODES]
        if wrong:
            message = f"no such outcome {wrong[0]!r}; outcomes: {', '.join(OUTCOMES)}"
            raise InputError(message)
        return Items(self, frozenset(OUTCOME_CODES[o] for o in outcomes))

    def _keys_and_rows(self, codes: frozenset[int] | None) -> Iterator[tuple[K, int]]:
        """(key, row) of each item in input order; with ``codes``, a C-speed filter."""
        pairs = zip(self._keys, range(self.total), strict=True)
        if codes is None:
            return pairs
        return itertools.compress(pairs, self._columns.mask(codes))

    def _count_of(self, codes: frozenset[int]) -> int:
        return sum(self._columns.counts[code] for code in codes)

    def _code(self, row: int) -> int:
        return self._columns.outcomes[row]

    @property
    def total(self) -> int:
        """Number of distinct items in the job."""
        return len(self._columns)

    @property
    def errno_counts(self) -> dict[int, int]:
        """How many items ended with each errno."""
        return dict(Counter(self._columns.errnos))

    @property
    def succeeded(self) -> int:
        """Items in the target state that this job may have put there."""
        return self._columns.counts[SUCCEEDED]

    @property
    def already(self) -> int:
        """Items that were in the target state before this job (166 adding, 167 removing ...)."""
        return self._columns.counts[ALREADY]

    @property
    def failed(self) -> int:
        """Items known not to be in the target state at the end of the job."""
        return self._columns.counts[FAILED]

    @property
    def unknown(self) -> int:
        """Items whose state nobody can know: an attempt may have applied them, unanswered."""
        return self._columns.counts[UNKNOWN]

    @property
    def ok(self) -> bool:
        """True when every item is known to be in the target state."""
        return self.succeeded + self.already == self.total

    @property
    def failed_keys(self) -> list[K]:
        """Keys of the items not known to be done (failed and unknown): the ones to re-run."""
        return [key for key, _ in self._keys_and_rows(frozenset({PENDING, FAILED, UNKNOWN}))]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per item: key fields, errno, error, meaning, attempts, outcome (an ID).

        ``error`` is the server's own message (Chinese in production); ``meaning`` the
        documented English meaning of the errno (:func:`eeo_async.describe`). Where the
        answers carry an ID per item, it follows, named by :attr:`answer_field` (``uid``
        for ``register``, ``activity_id`` for ``create_classrooms``).
        """
        return list(self._records())

    def _records(self) -> Iterator[dict[str, Any]]:
        return self._columns.records(self.key_fields, self._keys)

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
        ``outcome`` and the answer's ID column if any (``uid`` for ``register``).

        Raises:
            ImportError: pandas is not installed.
        """
        import pandas as pd  # noqa: PLC0415 - optional dependency

        names = [*self.key_fields, "errno", "error", "meaning", "attempts", "outcome"]
        if self.answer_field is not None:
            names.append(self.answer_field)
        return pd.DataFrame.from_records(self._records(), columns=names)

    def raise_for_failures(self) -> None:
        """Raise :class:`eeo_async.BatchError` (holding this report) unless it is ``ok``."""
        if not self.ok:
            raise BatchError(self)

    # ----------------------------------------------------------------- exporting

    def _head(self) -> dict[str, Any]:
        return {
            "format": formats.FORMAT,
            "operation": self.operation,
            "action": self.action,
            "course_id": self.course_id,
            "target": self.target,
            "key_fields": list(self.key_fields),
            "answer": self.answer_field,
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

        The file is what :meth:`to_json` returns: a head of job fields, then one item
        per line; :meth:`load` reads it back the same way, item by item.
        """
        with open(path, "w", encoding="utf-8") as handle:
            formats.write_json(self, handle)

    def to_json(self) -> str:
        """The whole report as JSON text (for large reports prefer :meth:`write_json`)."""
        buffer = io.StringIO()
        formats.write_json(self, buffer)
        return buffer.getvalue()

    @classmethod
    def from_json(cls, text: str | bytes) -> BatchReport[Any]:
        """Read a report written by :meth:`to_json` or :meth:`write_json`.

        Raises:
            InputError: the text is not such a report.
        """
        return cls._assemble(*formats.parse_json(text))

    def to_csv(self, path: str | PathLike[str], *, bom: bool = False) -> None:
        """Write one CSV row per item: key fields, errno, error, meaning, attempts, outcome.

        (And the answer's ID column, ``uid`` for ``register``.) Rows are written one at a
        time, so any size fits; :meth:`load` reads it back. A text cell that a spreadsheet
        would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
        carriage return) is written with a ``'`` in front, as is one starting with ``'``;
        numbers never are, and :meth:`load` takes the ``'`` off again.

        Args:
            path: the file to write (UTF-8).
            bom: start the file with a byte-order mark, which Excel needs to show the
                server's Chinese messages right (scripts then read it with
                ``encoding="utf-8-sig"``, which reads files with and without one).
        """
        with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
            formats.write_csv(self, handle)

    def write_csv(self, handle: TextIO, *, only_not_done: bool = False) -> None:
        """Write the CSV rows of :meth:`to_csv` to an open text ``handle``.

        Args:
            handle: a text stream, e.g. ``sys.stdout``.
            only_not_done: write only the items not done (failed and unknown).
        """
        formats.write_csv(self, handle, only_not_done=only_not_done)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> BatchReport[Any]:
        """Read a report file written by :meth:`write_json`/:meth:`to_json` or :meth:`to_csv`.

        The file is read item by item (JSON in the layout the writers use; any other
        layout of the same document is parsed whole), with or without a byte-order
        mark, straight into the report's columns. A CSV report holds the items only:
        the operation, course and counts of calls are not in it, so they come back empty.

        Raises:
            InputError: the file cannot be read or is not such a report.
        """
        return cls._assemble(*formats.read_file(path))

    @classmethod
    def _assemble(
        cls, head: Mapping[str, Any], keys: RowKeys[Any], columns: Columns
    ) -> BatchReport[Any]:
        """A report of the job fields in ``head`` that takes over the read keys and columns."""
        report: BatchReport[Any] = cls(
            operation=head["operation"],
            course_id=head["course_id"],
            key_fields=head["key_fields"],
            target=head.get("target"),
            action=head.get("action", ""),
        )
        report._keys, report._columns = keys, columns
        report.calls = head.get("calls", 0)
        report.retries = head.get("retries", 0)
        report.elapsed = head.get("elapsed", 0.0)
        report.duplicates = head.get("duplicates", 0)
        report.stop_reason = head.get("stop_reason")
        report.stopped_by = head.get("stopped_by")
        report.busy_calls = head.get("busy_calls", 0)
        if head.get("concurrency") is not None:
            try:
                report.concurrency = ConcurrencyRecord(**head["concurrency"])
            except (TypeError, ValueError) as exc:
                message = f"not a readable eeo-async report: concurrency: {exc}"
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
        return self._columns.not_done_by_errno()

    def _unknown_by_errno(self) -> Counter[int]:
        return self._columns.unknown_by_errno()

    def _not_done_digest(
        self, examples: int, first: int
    ) -> tuple[dict[int, int], dict[int, list[int]], list[int]]:
        return self._columns.not_done_digest(examples, first)

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
