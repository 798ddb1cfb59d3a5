"""The report of a batch: one result per input item, stored compactly, column by column.

The report is the public face of three parts: its outcome columns (``columns``), the key
of each row (``keys``) and its files (``formats``, JSON and CSV written and read item by
item).
"""

from __future__ import annotations

import io
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Final, Literal, TextIO, TypeVar

import attrs

from .._codes import RERUN, describe, label
from .._errors import EEOError, InputError
from .._limits import ConcurrencyRecord
from . import columns as _columns
from . import formats
from . import html as _html
from . import view as _view
from .columns import Columns
from .keys import RowKeys, named_text
from .store import Store

if TYPE_CHECKING:
    import pandas

K = TypeVar("K")
Key = int | tuple[int, int] | str
StopCause = Literal[
    "credentials", "unreachable", "deadline", "interrupted", "closed", "job_wide", "maintenance"
]
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
#: The job fields of a report's JSON head, each with its value where a file lacks it.
_JOB_FIELDS: Final = (
    ("calls", 0),
    ("retries", 0),
    ("elapsed", 0.0),
    ("duplicates", 0),
    ("stop_reason", None),
    ("stopped_by", None),
    ("stop_errno", None),
    ("stop_param", None),
    ("stop_value", None),
    ("busy_calls", 0),
)


class BatchReport(Store[K]):
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
    only a re-run can tell. Items never sent because the job stopped have the outcome
    ``failed`` and errno ``LocalErrno.NOT_SENT``, but are counted apart, in
    ``not_sent``, never in ``failed``. ``rerun_keys`` are the items a re-run settles
    as they are, ``fix_keys`` those that need a fix first (``failed_keys``: both).
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
        text_keys: bool | None = None,
    ) -> None:
        self.operation = operation
        self.course_id = course_id
        self.key_fields = key_fields
        self.target: dict[str, int] = dict(target or {})
        #: The API action the job sent (an enrolment may choose between two).
        self.action = action
        # An enrolment's keys are a grid, computed, not stored (16 bytes an item fewer).
        text = named_text(key_fields) if text_keys is None else text_keys
        keys: RowKeys[K] = RowKeys(item_ids, target_ids, grid, text=text)
        super().__init__(keys, Columns(len(keys), uids=uids, answer=answer))
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
        #: ``"job_wide"`` (an answer no item of the job can escape: no such course, a
        #: path the server lacks ...), ``"maintenance"`` (errno 901), ``"deadline"``,
        #: ``"interrupted"`` (cancelled) or ``"closed"``; ``None`` if nothing did.
        self.stopped_by: StopCause | None = None
        #: The errno that stopped the job (102, 144, 901 ...), if an errno did.
        self.stop_errno: int | None = None
        #: The parameter whose value the stopping answer refused (``"course_id"``,
        #: or a list such as ``"student_uids"``), if it named one.
        self.stop_param: str | None = None
        #: That parameter's value, when the job held it fixed (the course ID ...).
        self.stop_value: int | None = None
        #: Calls answered busy, as a whole (114, 104, 460, 464, HTTP 429/503) or for
        #: some of their items (114, 464); each counts once.
        self.busy_calls = 0
        #: The concurrency the job ran at; ``None`` for a report read from CSV or from
        #: a file written before it was recorded.
        self.concurrency: ConcurrencyRecord | None = None

    @property
    def text_keys(self) -> bool:
        """True when the keys are text (an account, an identity), never read as numbers."""
        return self._keys.text

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
        """Items sent and known not to be in the target state (never sent ones: ``not_sent``)."""
        return self._columns.counts[FAILED] - self._columns.unsent

    @property
    def not_sent(self) -> int:
        """Items never sent because the job stopped (outcome ``failed``, errno ``NOT_SENT``)."""
        return self._columns.unsent

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
        """Keys of every item not done (failed, not sent, unknown): re-run and fix keys both."""
        return [key for key, _ in self._keys_and_rows(frozenset({PENDING, FAILED, UNKNOWN}))]

    @property
    def rerun_keys(self) -> list[K]:
        """Keys of the items a re-run settles as they are, in input order.

        Unknown items, items never sent, and failures that ran out of attempts on a
        busy server (114, 104 ...), without a usable answer, or in the API's maintenance
        (901): :func:`eeo_async.next_step` says "run again" for their errnos. Re-run them
        with ``skip=report.items_with("unknown")`` so the unknown ones stay possibly
        applied.
        """
        rerun = {row for row, _ in self._rows_failed(fix=False)}
        codes = frozenset({PENDING, FAILED, UNKNOWN})
        return [
            key
            for key, row in self._keys_and_rows(codes)
            if self._code(row) != FAILED or row in rerun
        ]

    @property
    def fix_keys(self) -> dict[K, int]:
        """Keys of the failed items that need a fix first, each with its errno, in input order.

        Sending them again as they are gets the same answer (no such lesson, a finished
        lesson, a student the school lacks ...): ``summary()`` says the next step per
        errno (:func:`eeo_async.next_step`).
        """
        fix = dict(self._rows_failed(fix=True))
        if not fix:
            return {}
        rows = self._keys_and_rows(frozenset({FAILED}))
        return {key: fix[row] for key, row in rows if row in fix}

    def _rows_failed(self, *, fix: bool) -> Iterator[tuple[int, int]]:
        """(row, errno) of the failed items to fix (or, without ``fix``, to re-run)."""
        return (
            (row, errno)
            for row, errno in self._columns.failed_rows()
            if (errno not in RERUN) is fix
        )

    @property
    def warnings(self) -> dict[int, int]:
        """Items done with a warning (a side code such as 841), counted by errno."""
        return self._columns.side_digest()[0]

    def _side_digest(self) -> tuple[dict[int, int], dict[int, int]]:
        return self._columns.side_digest()

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per item: key fields, errno, error, meaning, attempts, outcome (an ID).

        ``error`` is the server's own message (Chinese in production); ``meaning`` the
        documented English meaning of the errno (:func:`eeo_async.describe`). Where the
        answers carry an ID per item, it follows, named by :attr:`answer_field` (``uid``
        for ``register``, ``activity_id`` for ``create_classrooms``).
        """
        return list(self._records())

    def _records(self) -> Iterator[dict[str, Any]]:
        return self._records_keyed(self.key_fields)

    def to_dict(self, *, items: bool = False) -> dict[str, Any]:
        """The report as JSON-ready data: its summary, and with ``items=True`` every item.

        What a web handler returns (``eeo_async.to_jsonable(report)`` gives the same):
        operation, action, course, key fields (``text_keys``: whether keys are text),
        calls, retries, time, why it stopped, the
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
            "text_keys": self.text_keys,
            "answer": self.answer_field,
            **{name: getattr(self, name) for name, _ in _JOB_FIELDS},
            "concurrency": None if self.concurrency is None else attrs.asdict(self.concurrency),
            "summary": {
                "total": self.total,
                "succeeded": self.succeeded,
                "already": self.already,
                "failed": self.failed,
                "unknown": self.unknown,
                "not_sent": self.not_sent,
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
        for name, default in _JOB_FIELDS:
            setattr(report, name, head.get(name, default))
        if head.get("concurrency") is not None:
            try:
                report.concurrency = ConcurrencyRecord(**head["concurrency"])
            except (TypeError, ValueError) as exc:
                message = f"not a readable eeo-async report: concurrency: {exc}"
                raise InputError(message) from exc
        return report

    def summary(self, width: int = _view.WIDTH, *, brief: bool = False) -> str:
        """The report as aligned text, no line wider than ``width`` terminal columns.

        Lists every outcome count, duplicates, calls, retries and time; the warnings
        (items done with a side failure, by errno); each errno that left items not
        done, with its count, documented English meaning, the server's own message,
        example keys and the next step ("run again", "fix the lesson list" ...); then
        the first items not done. Long or multi-line server messages are cut with an
        ellipsis, never wrapped. With ``brief``, only what stopped the job, the counts
        that are not zero and the next steps (what the command prints after a stop).

        Raises:
            InputError: ``width`` is not a whole number of at least 40.
        """
        return _view.text(self, width, brief=brief)

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
            f"unknown={self.unknown} not_sent={self.not_sent} calls={self.calls}>"
        )

    def _repr_html_(self) -> str:
        """The same as :meth:`summary`, as escaped HTML tables (shown by notebooks)."""
        return _html.to_html(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (BatchReport.from_json, (self.to_json(),))


class BatchError(EEOError):
    """Some items of a batch failed; ``.report`` holds the whole :class:`BatchReport`."""

    def __init__(self, report: BatchReport[Any]) -> None:
        self.report = report
        unsent = f", {report.not_sent} not sent" if report.not_sent else ""
        message = (
            f"{report.total - report.succeeded - report.already} of {report.total} items not "
            f"done ({report.failed} failed, {report.unknown} unknown{unsent})"
        )
        counts = report.not_done_by_errno()
        if counts:
            top = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
            parts = [
                f"{n} with errno {errno} ({describe(errno)})"
                if errno > 0
                else f"{n} {label(errno)} ({describe(errno)})"
                for errno, n in top[:3]
            ]
            if len(top) > 3:
                parts.append(f"{sum(n for _, n in top[3:])} with {len(top) - 3} other errnos")
            message += ": " + "; ".join(parts)
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report,))
