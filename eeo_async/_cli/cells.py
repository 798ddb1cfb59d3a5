"""The values every input file is read into: cells, rows, tables, and the error naming lines.

Shared by the text reader (:mod:`.tables`) and the workbook reader (:mod:`.workbook`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import attrs

from .._errors import InputError

#: A cell's typed value: text from a CSV file; what the workbook holds in an .xlsx one.
CellValue = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None
#: Exact integers end here in a float (and so in Excel, which keeps 15 digits).
MAX_EXACT_FLOAT = 2**53


class InputFileError(InputError):
    """One or more bad lines in an input file; ``problems`` holds one text per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@attrs.frozen
class Cell:
    """One cell: its text, whether it was quoted, and its typed value.

    Attributes:
        text: the cell as text. A quoted CSV cell is kept exactly; an unquoted one is
            stripped of spaces. A workbook's text cell is kept exactly; its numbers read
            as Excel shows them in General format (``1000001.0`` as ``1000001``), dates
            and times in ISO form.
        quoted: the CSV cell was written in quotes (never true in a workbook).
        value: the typed value: the text itself in CSV; the workbook's int, float,
            bool, ``datetime``, ``time``, ``timedelta`` or str; None for an empty cell.
    """

    text: str
    quoted: bool = False
    value: CellValue = None


EMPTY = Cell("")


class Row:
    """A record that is not blank: its line (or sheet row) and its cells, trailing empties cut.

    ``row[i]`` is the i-th :class:`Cell` (an empty one past the end). Cells are made on
    demand from the texts: a file of a million lines would otherwise make millions of
    objects, so this is a plain slotted class (read-only by its properties), not attrs.
    """

    __slots__ = ("_line", "_quoted", "_texts", "_values")

    def __init__(
        self,
        line: int,
        texts: tuple[str, ...],
        quoted: tuple[bool, ...] | None = None,
        values: tuple[CellValue, ...] | None = None,
    ) -> None:
        self._line = line
        self._texts = texts
        self._quoted = quoted  # None: no cell was quoted
        self._values = values  # None: the values are the texts (CSV)

    @property
    def line(self) -> int:
        """The physical line the record starts on (CSV) or the sheet's row number."""
        return self._line

    @property
    def texts(self) -> tuple[str, ...]:
        """Every cell's text."""
        return self._texts

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every cell."""
        return tuple(self[index] for index in range(len(self._texts)))

    def __getitem__(self, index: int) -> Cell:
        if index >= len(self._texts):
            return EMPTY
        text = self._texts[index]
        quoted = bool(self._quoted and self._quoted[index])
        return Cell(text, quoted, text if self._values is None else self._values[index])

    def __len__(self) -> int:
        return len(self._texts)

    def value(self, index: int) -> CellValue:
        """The typed value of the cell at ``index`` (None past the end), without a Cell."""
        if index >= len(self._texts):
            return None
        return self._texts[index] if self._values is None else self._values[index]

    def __repr__(self) -> str:
        return f"Row({self._line}, {self.cells!r})"

    @property
    def hashed(self) -> bool:
        """The first cell is unquoted text starting with ``#`` (a comment, if alone)."""
        return (
            self._texts[0].startswith("#")
            and not (self._quoted and self._quoted[0])
            and (self._values is None or isinstance(self._values[0], str))
        )

    @property
    def comment(self) -> bool:
        """A whole-line comment: an unquoted ``#`` first cell and nothing else on the line."""
        return len(self._texts) == 1 and self.hashed


@attrs.frozen
class Table:
    """A file's non-blank rows (comments included: readers decide) and how it was read.

    Attributes:
        path: the file.
        rows: every non-blank record, in file order.
        kind: ``"csv"`` for text files, ``"xlsx"`` for workbooks.
        encoding: the text encoding used (None for a workbook).
        delimiter: the CSV delimiter found (None for a workbook).
        sheet: the workbook sheet read (None for text files).
    """

    path: Path
    rows: tuple[Row, ...]
    kind: Literal["csv", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def where(self, row: Row | int) -> str:
        """``FILE:LINE`` of a row (its sheet row number in a workbook)."""
        line = row.line if isinstance(row, Row) else row
        return f"{self.path}:{line}"

    def cell_name(self, row: Row, index: int) -> str:
        """The cell's name as the user sees it: ``B3`` in a workbook, ``column 2`` in CSV."""
        if self.kind == "xlsx":
            return f"{_column_letters(index)}{row.line}"
        return f"column {index + 1}"


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
