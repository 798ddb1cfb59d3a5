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
        value: the typed value: ``text`` for CSV; the workbook's int, float, bool,
            ``datetime``, ``time``, ``timedelta`` or str; None for an empty cell.
    """

    text: str
    quoted: bool = False
    value: CellValue = attrs.field(default=attrs.Factory(lambda self: self.text, takes_self=True))


EMPTY = Cell("", value=None)


@attrs.frozen
class Row:
    """A record that is not blank: its line (or sheet row) and its cells, trailing empties cut."""

    line: int
    cells: tuple[Cell, ...]

    def __getitem__(self, index: int) -> Cell:
        return self.cells[index] if index < len(self.cells) else EMPTY

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def texts(self) -> list[str]:
        """Every cell's text."""
        return [cell.text for cell in self.cells]

    @property
    def hashed(self) -> bool:
        """The first cell is unquoted text starting with ``#`` (a comment, if alone)."""
        first = self.cells[0]
        return not first.quoted and isinstance(first.value, str) and first.text.startswith("#")

    @property
    def comment(self) -> bool:
        """A whole-line comment: an unquoted ``#`` first cell and nothing else on the line."""
        return self.hashed and len(self.cells) == 1


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
