"""The .xlsx half of ``read_table``: openpyxl, read-only, values only.

Imported only when a file is a workbook, so the command works without the ``xlsx`` extra.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from pathlib import Path
from typing import Any

from .cells import EMPTY, MAX_EXACT_FLOAT, Cell, CellValue, InputFileError, Row

INSTALL = "pip install 'eeo-async[xlsx]'"
# What openpyxl raises on a file that is a zip but no sound workbook (ParseError, from
# broken XML, is a SyntaxError).
_BROKEN = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError)


def read_workbook(path: Path, sheet: str | None) -> tuple[list[Row], str]:
    """The non-blank rows of a sheet (the first, or ``sheet``) and the sheet's name.

    Raises:
        InputFileError: openpyxl is missing, the file is no workbook, or no such sheet.
    """
    try:
        import openpyxl  # noqa: PLC0415 - an optional extra
    except ImportError:
        message = (
            f"{path}: reading .xlsx workbooks needs openpyxl: {INSTALL} "
            "(or save the sheet as CSV UTF-8)"
        )
        raise InputFileError([message]) from None
    # openpyxl warns about what it drops (styles, data validation, extensions); values
    # are all this reader takes, so those warnings say nothing to the user.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except _BROKEN as exc:
            message = f"{path}: cannot read as an .xlsx workbook: {exc}"
            raise InputFileError([message]) from None
        try:
            found = _sheet(path, book, sheet)
            return _rows(found), str(found.title)
        except _BROKEN as exc:
            message = f"{path}: cannot read the sheet: {exc} (save the workbook again from Excel)"
            raise InputFileError([message]) from None
        finally:
            book.close()  # read-only mode keeps the archive open until closed


def _rows(sheet: Any) -> list[Row]:
    """The sheet's non-blank rows, numbered as the sheet numbers them."""
    sheet.reset_dimensions()  # a writer's recorded size may be wrong: read every row
    rows = []
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell(value) for value in values]
        while cells and not cells[-1].text:
            cells.pop()
        if cells:
            texts = tuple(cell.text for cell in cells)
            rows.append(Row(line, texts, values=tuple(cell.value for cell in cells)))
    return rows


def _sheet(path: Path, book: Any, name: str | None) -> Any:
    """The sheet asked for (exact name, else the one name equal ignoring case) or the first."""
    if name is None:
        if not book.worksheets:
            message = f"{path}: the workbook has no sheet of cells"
            raise InputFileError([message])
        return book.worksheets[0]
    names = [str(title) for title in book.sheetnames]
    if name in names:
        return book[name]
    folded = [title for title in names if title.casefold() == name.strip().casefold()]
    if len(folded) == 1:
        return book[folded[0]]
    message = f"{path}: no sheet {name!r} (--sheet); sheets: {', '.join(names)}"
    raise InputFileError([message])


def _cell(value: Any) -> Cell:
    if value is None:
        return EMPTY
    if isinstance(value, str):
        # A cell of spaces is blank to the eye; any other text is kept exactly.
        return Cell(value, value=value) if value.strip() else EMPTY
    return Cell(shown(value), value=value)


def shown(value: CellValue) -> str:
    """A typed value as text: numbers as Excel's General format shows them, dates in ISO."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_EXACT_FLOAT:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return "" if value is None else str(value)
