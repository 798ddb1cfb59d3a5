"""Which item each row of a report is: its keys in input order, found again by key.

An enrolment's keys are a grid (every lesson of every student), computed from two short
columns rather than stored; other jobs keep one or two key columns. Lookups by key build
their index on first use only, and for a grid one entry per student and per lesson.
Also the read-only views of a report's items (``report.items``, ``report.items_with``).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from typing import Any, Final, Generic, Protocol, TypeVar, cast, overload

from .._models import ItemResult

K = TypeVar("K")
T = TypeVar("T")
K_co = TypeVar("K_co", covariant=True)
#: Key fields whose values are text, never read as numbers (a telephone is digits): the
#: rule for report files that do not say whether their keys are text.
TEXT_KEY_FIELDS: Final = frozenset({"account", "unique_identity"})


def named_text(key_fields: Sequence[str]) -> bool:
    """Whether keys of these fields are text, by the field's name (for files that do not say)."""
    return bool(key_fields) and key_fields[-1] in TEXT_KEY_FIELDS


class RowKeys(Generic[K]):
    """The input key of each row: a grid, one key column, or a target and an item column.

    Args:
        item_ids: the item of each row (IDs, or text for a text key).
        target_ids: the target of each row, for keys that are pairs.
        grid: (targets, items): every item of every target, row = i * len(items) + j.
        text: the keys are text, never read as numbers.
    """

    def __init__(
        self,
        item_ids: array[int] | Sequence[Any] = (),
        target_ids: array[int] | None = None,
        grid: tuple[array[int], array[int]] | None = None,
        *,
        text: bool = False,
    ) -> None:
        self._item_ids = item_ids
        self._target_ids = target_ids
        self._grid = grid
        self._text = text
        self._rows: dict[Any, int] | None = None
        self._grid_index: tuple[dict[int, int], dict[int, int]] | None = None

    @classmethod
    def compact(
        cls, item_ids: array[int] | Sequence[Any], target_ids: array[int] | None, *, text: bool
    ) -> RowKeys[Any]:
        """Keys read back from a file: a grid when the pairs are one (their columns dropped)."""
        if target_ids is not None and isinstance(item_ids, array):
            grid = as_grid(target_ids, item_ids)
            if grid is not None:
                return cls(grid=grid)
        return cls(item_ids, target_ids, text=text)

    @property
    def text(self) -> bool:
        """True when the keys are text, never read as numbers."""
        return self._text

    def __len__(self) -> int:
        if self._grid is not None:
            return len(self._grid[0]) * len(self._grid[1])
        return len(self._item_ids)

    def key(self, row: int) -> K:
        """The input key of ``row``."""
        if self._grid is not None:
            targets, items = self._grid
            high, low = divmod(row, len(items))
            return cast(K, (targets[high], items[low]))
        if self._target_ids is None:
            return cast(K, self._item_ids[row])
        return cast(K, (self._target_ids[row], self._item_ids[row]))

    def __iter__(self) -> Iterator[K]:
        if self._grid is not None:
            return cast(Iterator[K], itertools.product(*self._grid))
        if self._target_ids is None:
            return cast(Iterator[K], iter(self._item_ids))
        return cast(Iterator[K], zip(self._target_ids, self._item_ids, strict=True))

    def row_of(self, key: object) -> int:
        """The row of an input key (digit strings accepted); ``KeyError`` if absent."""
        try:
            wanted = key if self._text else normal_key(key)
            if self._grid is not None:
                if self._grid_index is None:
                    targets, items = self._grid
                    self._grid_index = (
                        {value: i for i, value in enumerate(targets)},
                        {value: j for j, value in enumerate(items)},
                    )
                by_target, by_item = self._grid_index
                first, second = cast(tuple[int, int], wanted)
                return by_target[first] * len(by_item) + by_item[second]
            if self._rows is None:
                # Built on the first lookup only: iterating and counting never need it.
                self._rows = {k: row for row, k in enumerate(self)}
            return self._rows[wanted]
        except (KeyError, TypeError, ValueError):
            raise KeyError(key) from None


def as_grid(targets: array[int], items: array[int]) -> tuple[array[int], array[int]] | None:
    """(targets, items) when the pairs are every item of every target in row order, else None.

    Checked by C-speed comparisons of strided slices, one per column of the grid.
    """
    size = len(items)
    width = targets.count(targets[0]) if size else 0
    if not width or size % width:
        return None
    height = size // width
    firsts, columns = targets[::width], items[:width]
    for j in range(width):
        if targets[j::width] != firsts or items[j::width].count(columns[j]) != height:
            return None
    return firsts, columns


def normal_key(key: object) -> Any:
    """Keys as the report holds them: ints, or tuples of ints; digit strings read as ints."""
    if isinstance(key, tuple):
        return tuple(normal_key(part) for part in key)
    if isinstance(key, str) and key.strip().isascii() and key.strip().isdigit():
        return int(key)
    if isinstance(key, bool):
        raise TypeError(key)
    return key


class Outcomes(Protocol[K_co]):
    """What a view of the items reads of a report (``BatchReport`` is one)."""

    @property
    def total(self) -> int: ...
    def result(self, row: int) -> ItemResult: ...
    def row_of(self, key: object) -> int: ...
    def _keys_and_rows(self, codes: frozenset[int] | None) -> Iterator[tuple[K_co, int]]: ...
    def _count_of(self, codes: frozenset[int]) -> int: ...
    def _code(self, row: int) -> int: ...


class Items(Mapping[K, ItemResult]):
    """Read-only view of a report's items, in input order; results are built on access.

    With ``codes``, only the items whose outcome code is one of them. ``items()`` and
    ``values()`` stream in input order, with no lookup per key.
    """

    def __init__(self, report: Outcomes[K], codes: frozenset[int] | None = None) -> None:
        self._report = report
        self._codes = codes

    def __len__(self) -> int:
        if self._codes is None:
            return self._report.total
        return self._report._count_of(self._codes)

    def __iter__(self) -> Iterator[K]:
        return (key for key, _ in self._report._keys_and_rows(self._codes))

    def __getitem__(self, key: object) -> ItemResult:
        row = self._report.row_of(key)
        if self._codes is not None and self._report._code(row) not in self._codes:
            raise KeyError(key)
        return self._report.result(row)

    def __contains__(self, key: object) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    # Keys with digit strings for their IDs are found too, so lookups take any object.
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

    def items(self) -> ItemsView[K, ItemResult]:
        """(key, result) pairs, streamed in input order."""
        return _StreamedItems(self)

    def values(self) -> ValuesView[ItemResult]:
        """Results, streamed in input order."""
        return _StreamedValues(self)

    def __repr__(self) -> str:
        return f"<{len(self)} items of {self._report!r}>"


class _StreamedItems(ItemsView[K, ItemResult]):
    _mapping: Items[K]

    def __iter__(self) -> Iterator[tuple[K, ItemResult]]:
        report = self._mapping._report
        result = report.result
        return ((key, result(row)) for key, row in report._keys_and_rows(self._mapping._codes))


class _StreamedValues(ValuesView[ItemResult]):
    _mapping: Items[Any]

    def __iter__(self) -> Iterator[ItemResult]:
        report = self._mapping._report
        result = report.result
        return (result(row) for _, row in report._keys_and_rows(self._mapping._codes))
