"""The report of a batch: one result per input item, stored compactly, column by column."""

from __future__ import annotations

import csv
import html
import json
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from os import PathLike
from typing import Any, Final, Literal

import attrs

from ._codes import Errno, describe
from ._errors import BatchError, InputError
from ._models import ALREADY, ItemStatus

Key = int | tuple[int, int]
Outcome = Literal["succeeded", "already", "failed"]
FORMAT: Final = "eeo-async-report/1"


@attrs.frozen
class ItemResult(ItemStatus):
    """The final outcome of one item of a batch: its status and how many calls it took.

    Attributes:
        errno: the server's errno for the item (1 = done), or a negative
            :class:`eeo_async.LocalErrno` when the server gave none.
        error: the server's message, or the SDK's explanation.
        attempts: how many calls carried this item.
    """

    attempts: int

    @property
    def outcome(self) -> Outcome:
        """``"succeeded"``, ``"already"`` (166/167: it was so before) or ``"failed"``."""
        if self.errno == Errno.OK:
            return "succeeded"
        return "already" if self.already else "failed"


class _Items(Mapping[Key, ItemResult]):
    """Read-only view of a report's items, in input order; results are built on access."""

    def __init__(self, report: BatchReport) -> None:
        self._report = report

    def __len__(self) -> int:
        return len(self._report._errnos)

    def __iter__(self) -> Iterator[Key]:
        return self._report._iter_keys()

    def __getitem__(self, key: object) -> ItemResult:
        return self._report._result(self._report._row_of(key))

    def __repr__(self) -> str:
        return f"<{len(self)} items of {self._report!r}>"


class BatchReport:
    """Every item of a batch job with its final outcome; nothing lost, nothing twice.

    ``items`` maps each input key (``class_id``, ``student_uid`` or
    ``(student_uid, class_id)``, see ``key_fields``) to an :class:`ItemResult`, in
    input order. Counts are properties; methods export or act. Results are stored
    column-wise (at most 26 bytes an item), so a report of millions of items is cheap;
    looking items up by key builds an index on first use (iterating does not).
    The report never holds the secret or a safeKey.
    """

    def __init__(
        self,
        *,
        operation: str,
        course_id: int,
        key_fields: tuple[str, ...],
        target: Mapping[str, int] | None = None,
        item_ids: array[int],
        target_ids: array[int] | None = None,
    ) -> None:
        self.operation = operation
        self.course_id = course_id
        self.key_fields = key_fields
        self.target: dict[str, int] = dict(target or {})
        self._item_ids = item_ids
        self._target_ids = target_ids
        size = len(item_ids)
        self._errnos = array("i", bytes(4 * size))
        self._attempts = array("H", bytes(2 * size))
        self._texts = array("I", bytes(4 * size))
        self._text_table: list[str] = []
        self._text_index: dict[str, int] = {}
        self._rows: dict[Key, int] | None = None
        #: HTTP calls made for this job.
        self.calls = 0
        #: Calls that re-sent items after a transient failure.
        self.retries = 0
        #: Seconds the job took.
        self.elapsed = 0.0
        #: Input items dropped because they repeated an earlier one.
        self.duplicates = 0

    # ------------------------------------------------------------------ recording

    def _record(self, row: int, errno: int, error: str, attempts: int) -> None:
        index = self._text_index.get(error)
        if index is None:
            index = self._text_index[error] = len(self._text_table)
            self._text_table.append(error)
        self._errnos[row] = errno
        self._texts[row] = index
        self._attempts[row] = min(attempts, 0xFFFF)

    def _record_many(self, final: Iterable[tuple[int, int, str]]) -> None:
        """Record ``(row, errno, error)`` outcomes; attempts are already counted."""
        errnos, texts, index, table = self._errnos, self._texts, self._text_index, self._text_table
        for row, errno, error in final:
            position = index.get(error)
            if position is None:
                position = index[error] = len(table)
                table.append(error)
            errnos[row] = errno
            texts[row] = position

    def _key(self, row: int) -> Key:
        if self._target_ids is None:
            return self._item_ids[row]
        return (self._target_ids[row], self._item_ids[row])

    def _iter_keys(self) -> Iterator[Key]:
        if self._target_ids is None:
            return iter(self._item_ids)
        return zip(self._target_ids, self._item_ids, strict=True)

    def _row_of(self, key: object) -> int:
        if self._rows is None:
            # Built on the first lookup only: iterating and counting never need it.
            self._rows = {k: row for row, k in enumerate(self._iter_keys())}
        try:
            return self._rows[key]  # type: ignore[index]
        except (KeyError, TypeError):
            raise KeyError(key) from None

    def _result(self, row: int) -> ItemResult:
        return ItemResult(
            self._errnos[row], self._text_table[self._texts[row]], self._attempts[row]
        )

    # -------------------------------------------------------------------- reading

    @property
    def items(self) -> Mapping[Key, ItemResult]:
        """Each input key mapped to its :class:`ItemResult`, in input order."""
        return _Items(self)

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
        """Items done by this job (errno 1)."""
        return self._errnos.count(Errno.OK)

    @property
    def already(self) -> int:
        """Items that were already in the target state (166 when adding, 167 removing)."""
        return sum(self._errnos.count(errno) for errno in ALREADY)

    @property
    def failed(self) -> int:
        """Items not in the target state at the end of the job."""
        return self.total - self.succeeded - self.already

    @property
    def ok(self) -> bool:
        """True when no item failed."""
        return self.failed == 0

    @property
    def failed_keys(self) -> list[Key]:
        """Keys of the failed items, in input order: the ones to re-run."""
        ok = {Errno.OK, *ALREADY}
        return [self._key(row) for row, errno in enumerate(self._errnos) if errno not in ok]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per item: the key fields, errno, error, attempts and outcome."""
        return list(self._records())

    def _records(self) -> Iterator[dict[str, Any]]:
        for row, key in enumerate(self._iter_keys()):
            result = self._result(row)
            keys = key if isinstance(key, tuple) else (key,)
            record: dict[str, Any] = dict(zip(self.key_fields, keys, strict=True))
            record.update(
                errno=result.errno,
                error=result.error,
                attempts=result.attempts,
                outcome=result.outcome,
            )
            yield record

    def to_dataframe(self) -> Any:
        """The records as a pandas ``DataFrame`` (pandas must be installed)."""
        import pandas as pd  # noqa: PLC0415 - optional dependency

        return pd.DataFrame.from_records(self.to_records())

    def raise_for_failures(self) -> None:
        """Raise :class:`eeo_async.BatchError` (holding this report) if any item failed."""
        if not self.ok:
            raise BatchError(self)

    # ----------------------------------------------------------------- exporting

    def to_json(self) -> str:
        """The whole report as JSON; :meth:`from_json` reads it back exactly."""
        doc = {
            "format": FORMAT,
            "operation": self.operation,
            "course_id": self.course_id,
            "target": self.target,
            "key_fields": list(self.key_fields),
            "calls": self.calls,
            "retries": self.retries,
            "elapsed": self.elapsed,
            "duplicates": self.duplicates,
            "summary": {
                "total": self.total,
                "succeeded": self.succeeded,
                "already": self.already,
                "failed": self.failed,
            },
            "items": list(self._records()),
        }
        return json.dumps(doc, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes) -> BatchReport:
        """Read a report written by :meth:`to_json`.

        Raises:
            InputError: the text is not such a report.
        """
        try:
            doc = json.loads(text)
            if doc.get("format") != FORMAT:
                message = f"not an eeo-async report (format {doc.get('format')!r})"
                raise InputError(message)
            key_fields = tuple(doc["key_fields"])
            records = doc["items"]
            pairs = len(key_fields) == 2
            report = cls(
                operation=doc["operation"],
                course_id=doc["course_id"],
                key_fields=key_fields,
                target=doc["target"],
                item_ids=array("q", (r[key_fields[-1]] for r in records)),
                target_ids=array("q", (r[key_fields[0]] for r in records)) if pairs else None,
            )
            for row, record in enumerate(records):
                report._record(row, record["errno"], record["error"], record["attempts"])
            report.calls = doc["calls"]
            report.retries = doc["retries"]
            report.elapsed = doc["elapsed"]
            report.duplicates = doc["duplicates"]
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            if isinstance(exc, InputError):
                raise
            message = f"not a readable eeo-async report: {type(exc).__name__}: {exc}"
            raise InputError(message) from exc
        return report

    def to_csv(self, path: str | PathLike[str]) -> None:
        """Write one CSV row per item: key fields, errno, error, attempts, outcome."""
        fields = [*self.key_fields, "errno", "error", "attempts", "outcome"]
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(self._records())

    def summary(self) -> str:
        """A short plain-text table: items by outcome, failures by errno, calls, time."""
        lines = [
            f"{self.operation} (course {self.course_id}): {self.total} items in "
            f"{self.elapsed:.2f} s, {self.calls} calls ({self.retries} retries)",
            f"  succeeded  {self.succeeded:>9}",
            f"  already    {self.already:>9}",
            f"  failed     {self.failed:>9}",
        ]
        if self.duplicates:
            lines.append(f"  duplicates dropped from the input: {self.duplicates}")
        failures = sorted(
            (errno, n)
            for errno, n in self.errno_counts.items()
            if errno != Errno.OK and errno not in ALREADY
        )
        if failures:
            lines.append("  failures by errno:")
            lines.extend(f"    {errno:>5} x{n:<8} {describe(errno)}" for errno, n in failures)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<BatchReport {self.operation} course={self.course_id} total={self.total} "
            f"succeeded={self.succeeded} already={self.already} failed={self.failed} "
            f"calls={self.calls}>"
        )

    def _repr_html_(self) -> str:
        rows = [
            ("items", self.total),
            ("succeeded", self.succeeded),
            ("already", self.already),
            ("failed", self.failed),
            ("calls", self.calls),
            ("retries", self.retries),
            ("seconds", f"{self.elapsed:.2f}"),
        ]
        rows.extend(
            (f"errno {errno}: {describe(errno)}", n)
            for errno, n in sorted(self.errno_counts.items())
            if errno != Errno.OK and errno not in ALREADY
        )
        body = "".join(
            f"<tr><th>{html.escape(str(name))}</th><td>{html.escape(str(value))}</td></tr>"
            for name, value in rows
        )
        title = html.escape(f"{self.operation} (course {self.course_id})")
        return f"<table><caption>{title}</caption>{body}</table>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (BatchReport.from_json, (self.to_json(),))
