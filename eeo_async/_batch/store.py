"""A report's items as rows: their keys and outcome columns, recorded and read by row.

:class:`Store` is the base of ``BatchReport``: what a job records into (one row per input
item) and what views of the items read back, with no counts, advice or files.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, Generic, TypeVar

from .._errors import InputError
from .._models import OUTCOMES, ItemResult, Outcome
from . import columns as _columns
from .columns import Columns
from .keys import Items, RowKeys

K = TypeVar("K")
#: Outcome name -> its code in the outcome column (0 there means no outcome yet).
OUTCOME_CODES: Final = _columns.OUTCOME_CODES
_PENDING: Final = _columns.PENDING


class Store(Generic[K]):
    """The rows of a report: each input item's key and outcome columns.

    Args:
        keys: the key of each row.
        columns: the outcome columns, one entry per row.
    """

    def __init__(self, keys: RowKeys[K], columns: Columns) -> None:
        self._keys = keys
        self._columns = columns

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
        return self._columns.counts[_PENDING]

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

    # -------------------------------------------------------------------- reading

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

    @property
    def total(self) -> int:
        """Number of distinct items in the job."""
        return len(self._columns)

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

        ``skip=report.items_with("unknown")`` re-runs a report's ``rerun_keys``
        truthfully: its unknown items are sent as possibly applied, so an "already"
        answer for one counts as ``succeeded``, never ``already``. Items never sent
        have the outcome ``failed`` (errno ``LocalErrno.NOT_SENT``).

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

    def _records_keyed(self, fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        return self._columns.records(fields, self._keys)
