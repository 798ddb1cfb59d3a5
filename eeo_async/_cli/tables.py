"""One reader for every file the command takes: CSV in the encodings Excel writes, and .xlsx.

:func:`read_table` turns a file into :class:`Row` values that keep their line (CSV: the
physical line a record starts on; a workbook: the sheet's row number), and cells that
keep what a reader must know: the text as the file says it, whether it was quoted (a
quoted CSV cell is kept exactly; an unquoted one is stripped of its padding), and for a
workbook the typed value (an int, a float, a ``datetime`` for a date cell, ...).
Every problem is an :class:`InputFileError` naming ``FILE:LINE``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import io
from collections.abc import Iterator
from pathlib import Path

from .cells import InputFileError, Row, Table
from .workbook import read_workbook

_DELIMITERS = (",", ";", "\t")
_BOMS = (  # longest first: UTF-32-LE's BOM starts with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ZIP = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls
#: The csv module's default field limit: a longer quoted cell is an unclosed quote.
MAX_CELL_CHARS = 131_072


def is_workbook(path: str | Path) -> bool:
    """True when the file is an .xlsx workbook (told by its content, not its name)."""
    try:
        with Path(path).open("rb") as file:
            return file.read(4) == _ZIP
    except OSError:
        return False


def read_table(path: str | Path, *, sheet: str | None = None, encoding: str | None = None) -> Table:
    """Read a CSV or text file, or an .xlsx workbook's sheet, into rows.

    Workbooks are told by their content and read with openpyxl (the ``xlsx`` extra),
    values only, the cached result of formulas included. Text is decoded with
    ``encoding`` or, without it, by its BOM (UTF-8, UTF-16, UTF-32), then as UTF-8,
    then as GB18030 (GBK's superset, what Chinese Excel writes) when the text reads
    as Chinese. CSV records follow Excel's rules: comma, semicolon or tab (the one
    giving the first record most fields), quotes doubled inside quotes, line breaks
    inside quotes.

    Args:
        path: the file.
        sheet: the sheet of a workbook to read (default: the first); refused for text.
        encoding: the text's encoding, any Python codec name; ignored for a workbook.

    Raises:
        InputFileError: the file cannot be read, decoded or parsed; a sheet is missing.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        message = f"{path}: cannot read: {exc.strerror or exc}"
        raise InputFileError([message]) from None
    if raw.startswith(_ZIP):
        with _collector_paused():
            rows, name = read_workbook(path, sheet)
        return Table(path, tuple(rows), "xlsx", sheet=name)
    if raw.startswith(_OLE):
        message = f"{path}: an old .xls workbook: save it as .xlsx or as CSV UTF-8"
        raise InputFileError([message])
    if sheet is not None:
        message = f"{path}: --sheet {sheet!r} applies to .xlsx workbooks; this is a text file"
        raise InputFileError([message])
    text, used = decode(path, raw, encoding)
    delimiter = _delimiter(text)
    with _collector_paused():
        records = tuple(_records(path, text, delimiter))
    return Table(path, records, "csv", used, delimiter)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file's rows are built.

    A million rows are a million new objects, none in a cycle; the collector would walk
    them over and over as they pile up (it doubled the time to read such a file).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_text(path: Path, encoding: str | None = None) -> str:
    """A text file's content, decoded as :func:`read_table` decodes it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        message = f"{path}: cannot read: {exc.strerror or exc}"
        raise InputFileError([message]) from None
    return decode(path, raw, encoding)[0]


def decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was read with (given, by BOM, UTF-8 or GB18030)."""
    if encoding is not None:
        try:
            # A BOM is no text, whatever the encoding named (`--encoding utf-8` on Excel's
            # "CSV UTF-8" would glue it to the first header otherwise).
            return raw.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            message = (
                f"{path}:{line}: not {encoding} text (byte {raw[exc.start]:#04x}); check --encoding"
            )
            raise InputFileError([message]) from None
        except LookupError:
            message = f"unknown encoding {encoding!r} (--encoding)"
            raise InputFileError([message]) from None
    found = _detect(path, raw)
    if found is None:
        message = (
            f"{path}: cannot read: not UTF-8 text, nor UTF-16 or GBK/GB18030 as Excel writes "
            "them; save it as 'CSV UTF-8', or name its encoding with --encoding (e.g. cp1252)"
        )
        raise InputFileError([message])
    return found


def _detect(path: Path, raw: bytes) -> tuple[str, str] | None:
    """Text by its BOM, else strict UTF-8, else GB18030 if it reads as Chinese; or None."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), codec
            except UnicodeDecodeError:
                return None  # a BOM, then bytes of another encoding
    if b"\x00" in raw[:4096]:
        # Valid UTF-8, but no spreadsheet's text: UTF-16 that lost its BOM, say.
        message = (
            f"{path}: cannot read: NUL bytes in the text (UTF-16 without a BOM?); name "
            "its encoding with --encoding (e.g. utf-16-le), or save it as 'CSV UTF-8'"
        )
        raise InputFileError([message])
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return (text, "gb18030") if _reads_as_chinese(text) else None


def _reads_as_chinese(text: str) -> bool:
    """Few characters came from a byte pair whose second byte is below 0xA1.

    Western text (cp1252's "Müller") also decodes as GB18030, but each accented letter
    and the ASCII letter after it become one rare character; Chinese text is almost all
    in GB2312, whose pairs have both bytes from 0xA1 on (or GB18030's four-byte forms).
    """
    wide = [ch for ch in text[:200_000] if ord(ch) > 0x7F]
    odd = 0
    for ch in wide:
        encoded = ch.encode("gb18030")
        odd += len(encoded) == 2 and encoded[1] < 0xA1
    return odd <= 0.2 * len(wide)


def _delimiter(text: str) -> str:
    """The delimiter giving the first content record the most fields (comma on a tie)."""
    first = next(
        (
            line
            for line in io.StringIO(text, newline=None)
            if line.strip() and not line.lstrip().startswith("#")
        ),
        "",
    )
    counts = [len(next(csv.reader([first], delimiter=d), [])) for d in _DELIMITERS]
    return _DELIMITERS[counts.index(max(counts))]


def _records(path: Path, text: str, delimiter: str) -> Iterator[Row]:
    """Every non-blank record; a line without quotes takes the fast path (a plain split)."""
    # Excel for Mac's "CSV (Macintosh)" ends lines with CR alone; Windows with CRLF.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    used = 0  # lines taken by a record with line breaks inside quotes
    quoted: list[bool] | None
    for number, line in enumerate(lines, start=1):
        if number <= used:
            continue
        if '"' not in line:
            texts = [field.strip() for field in line.split(delimiter)]
            quoted = None
        else:
            record = _Record(path, lines, number, delimiter)
            texts, quoted, used = record.fields()
        while texts and not texts[-1]:
            texts.pop()  # a spreadsheet's unused columns (and a blank line: no cells)
        if texts:
            yield Row(number, tuple(texts), tuple(quoted[: len(texts)]) if quoted else None)


class _Record:
    """A record with quotes, read as Excel writes it.

    Quotes are doubled inside quotes and line breaks may be; a quote elsewhere in a cell
    is a character, as the csv module reads it (spaces before an opening quote aside).
    """

    def __init__(self, path: Path, lines: list[str], number: int, delimiter: str) -> None:
        self.path, self.lines, self.number, self.delimiter = path, lines, number, delimiter
        self.text = lines[number - 1]
        self.last = number  # the number of the last line in self.text

    def fields(self) -> tuple[list[str], list[bool], int]:
        """The texts, which were quoted, and the number of the record's last line."""
        texts: list[str] = []
        quoted: list[bool] = []
        pos = 0
        while True:
            start = pos
            # `a, "b"` as people type it: spaces before the quote do not unquote the cell.
            while self.text.startswith((" ", "\t"), start) and self.text[start] != self.delimiter:
                start += 1
            if self.text.startswith('"', start):
                value, pos = self._quoted(start + 1)
                stop = self._field_end(pos)
                texts.append(value + self.text[pos:stop].rstrip())  # after the quote: as csv
                quoted.append(True)
            else:
                stop = self._field_end(pos)
                texts.append(self.text[pos:stop].strip())
                quoted.append(False)
            if stop >= len(self.text):
                return texts, quoted, self.last
            pos = stop + 1

    def _quoted(self, pos: int) -> tuple[str, int]:
        """A quoted cell's content (``""`` read as ``"``) and the position after its quote."""
        parts: list[str] = []
        start = pos
        while True:
            close = self.text.find('"', pos)
            while close < 0 and self._more():
                close = self.text.find('"', pos)
            if close < 0 or close - start > MAX_CELL_CHARS:
                why = (
                    "a quote opened on this line is never closed"
                    if close < 0
                    else f"a quoted cell of over {MAX_CELL_CHARS} characters (an unclosed quote?)"
                )
                message = f"{self.path}:{self.number}: not readable as CSV: {why}"
                raise InputFileError([message])
            parts.append(self.text[pos:close])
            if self.text.startswith('"', close + 1):
                parts.append('"')
                pos = close + 2
            else:
                return "".join(parts), close + 1

    def _more(self) -> bool:
        """Take the following lines, up to one with a quote (no other can close a cell)."""
        if self.last >= len(self.lines) or len(self.text) > MAX_CELL_CHARS:
            return False
        end = self.last
        while end < len(self.lines) - 1 and '"' not in self.lines[end]:
            end += 1
        self.text += "\n" + "\n".join(self.lines[self.last : end + 1])
        self.last = end + 1
        return True

    def _field_end(self, pos: int) -> int:
        stop = self.text.find(self.delimiter, pos)
        return len(self.text) if stop < 0 else stop
