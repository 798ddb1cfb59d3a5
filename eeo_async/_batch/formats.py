"""A report's files: JSON and CSV written one item at a time, and read back the same way.

JSON (``FORMAT``) is a head of job fields, then ``"items"`` with one item per line, as
:func:`write_json` lays it out; :func:`read_file` takes such a file line by line (any
other layout of the same document is parsed whole). CSV is one row per item, each text
cell escaped against spreadsheet formulas (:func:`escape_cell`), read back row by row.
Both readers fill :class:`Columns` directly: no item becomes a dict or an object on the
way, and items alike in all but their key are parsed once.

The report imports this module; this module imports no report: it writes anything shaped
like :class:`Exported`, and reads a file into job fields, keys and columns.
"""

from __future__ import annotations

import csv
import io
import json
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from os import PathLike
from typing import IO, Any, Final, Protocol

from .._errors import InputError
from .columns import Columns, Entry
from .keys import RowKeys, named_text

FORMAT: Final = "eeo-async-report/2"
READABLE: Final = ("eeo-async-report/1", FORMAT)
#: First characters a spreadsheet reads as the start of a formula (OWASP's list), and the
#: quote that marks an escaped cell, so a genuine leading quote survives a round trip.
_FORMULA_START: Final = frozenset("=+-@\t\r'")
#: The line the JSON writer puts between the head and the first item.
_ITEMS_LINE: Final = '"items": ['
#: Head lines read before a JSON file is taken for another layout.
_MAX_HEAD_LINES: Final = 1000
#: Distinct item tails remembered while reading (a register report's are all distinct).
_MAX_CACHED: Final = 4096
#: A CSV key column's header says the keys' kind after this mark (``email:text``) where
#: the field's name alone would say otherwise (:func:`~.keys.named_text`).
_KIND_MARK: Final = ":"
_KINDS: Final = {"text": True, "int": False}


def escape_cell(text: str) -> str:
    """A CSV text cell a spreadsheet shows as text: a ``'`` before a formula's first character.

    Cells starting with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or ``'``
    get a ``'`` in front; :func:`unescape_cell` takes it off again.
    """
    return "'" + text if text[:1] in _FORMULA_START else text


def unescape_cell(text: str) -> str:
    """The text :func:`escape_cell` was given."""
    return text[1:] if text[:1] == "'" else text


class Exported(Protocol):
    """What the writers read of a report (``BatchReport`` is one)."""

    key_fields: tuple[str, ...]

    @property
    def text_keys(self) -> bool: ...
    @property
    def has_uids(self) -> bool: ...
    @property
    def answer_field(self) -> str | None: ...
    def _head(self) -> dict[str, Any]: ...
    def _records(self) -> Iterator[dict[str, Any]]: ...


# ------------------------------------------------------------------------- writing


def write_json(report: Exported, handle: IO[str]) -> None:
    """Write ``report`` as JSON: the head, then one item per line (the layout read back fast)."""
    head = json.dumps(report._head(), ensure_ascii=False, indent=1)
    handle.write(head[:-2] + ",\n " + _ITEMS_LINE)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    first = True
    for record in report._records():
        handle.write(("\n  " if first else ",\n  ") + dumps(record))
        first = False
    handle.write("\n ]\n}\n")


def write_csv(report: Exported, handle: IO[str], *, only_not_done: bool = False) -> None:
    """Write ``report`` as CSV rows, every text cell escaped with :func:`escape_cell`.

    The key column's header carries the keys' kind (``email:text``) where the field's
    name alone would say otherwise, so that :func:`read_file` reads them back alike.
    """
    fields = [*report.key_fields, "errno", "error", "meaning", "attempts", "outcome"]
    if report.has_uids:
        fields.append(report.answer_field or "uid")
    keys = len(report.key_fields)
    text_key = report.text_keys
    if text_key != named_text(report.key_fields):
        fields[keys - 1] += _KIND_MARK + ("text" if text_key else "int")
    # Text columns by position: a text key, error, meaning, outcome (never the numbers).
    texts = [*([keys - 1] if text_key else []), keys + 1, keys + 2, keys + 4]
    writer = csv.writer(handle)
    writer.writerow(fields)
    for record in report._records():
        if only_not_done and record["outcome"] not in ("failed", "unknown"):
            continue
        values = list(record.values())
        for position in texts:
            values[position] = escape_cell(values[position])
        writer.writerow(values)


# ------------------------------------------------------------------------- reading


class _OtherLayout(Exception):  # noqa: N818 - a signal: parse the document whole instead
    pass


class _Reader:
    """Items appended one at a time from a file: their keys, and their outcome columns.

    An item's errno, message, attempts and outcome are parsed once per distinct
    combination (its "tail"), and only its key per item.
    """

    def __init__(
        self, key_fields: tuple[str, ...], answer: str | None = None, text: bool | None = None
    ) -> None:
        if not 1 <= len(key_fields) <= 2 or not all(isinstance(f, str) for f in key_fields):
            message = f"a report is keyed by one or two fields, not {list(key_fields)!r:.80}"
            raise InputError(message)
        self.key_fields = key_fields
        #: The name of the answer's ID field (``uid`` in files written before it had one).
        self.answer = answer or "uid"
        self._answer_tail = f',"{answer or "uid"}":'
        # Files written before the kind was recorded: the field's name says.
        self.text_keys = named_text(key_fields) if text is None else text
        self.item_ids: array[int] | list[str] = [] if self.text_keys else array("q")
        self.target_ids: array[int] | None = array("q") if len(key_fields) == 2 else None
        self.columns = Columns()
        # The name only: the ID column itself starts with the first item that has one.
        self.columns.answer = self.answer
        self.settled: dict[object, Entry] = {}
        self._keys = None
        if not self.text_keys:
            # The writer's own key layout, e.g. {"student_uid":12,"class_id":34
            parts = [f'"{re.escape(name)}":([0-9]+)' for name in key_fields]
            self._keys = re.compile(r"\{" + ",".join(parts) + r"\Z")

    def keys(self) -> RowKeys[Any]:
        """The keys read, as a grid where they are one."""
        return RowKeys.compact(self.item_ids, self.target_ids, text=self.text_keys)

    def remember(self, tail: object, entry: Entry) -> None:
        if len(self.settled) >= _MAX_CACHED:
            self.settled.clear()
        self.settled[tail] = entry

    def append(self, target: int, item: int | str, entry: Entry, uid: int | None) -> None:
        """Append one item: its key, its settled fields and its UID (``None``: no such field)."""
        if self.target_ids is not None:
            self.target_ids.append(target)
        self.item_ids.append(item)  # type: ignore[arg-type]
        self.columns.append(entry, uid)

    def record(self, record: Mapping[str, Any]) -> None:
        """Append an item given as a JSON object (any key order)."""
        fields = self.key_fields
        item: int | str = str(record[fields[-1]]) if self.text_keys else int(record[fields[-1]])
        target = int(record[fields[0]]) if self.target_ids is not None else 0
        uid = int(record[self.answer] or 0) if self.answer in record else None
        self.append(target, item, self._settle(record), uid)

    def _settle(self, fields: Mapping[str, Any]) -> Entry:
        return self.columns.settle(
            int(fields["errno"]),
            str(fields["error"]),
            int(fields["attempts"]),
            str(fields.get("outcome") or ""),
        )

    def json_line(self, line: str) -> None:
        """Append the item on one line of the JSON writer's layout (any other line: whole)."""
        cut = line.find(',"errno":')
        keys = self._keys.match(line, 0, cut) if self._keys is not None and cut > 0 else None
        if keys is None or not line.endswith("}"):
            record = json.loads(line)
            if not isinstance(record, dict):
                raise _OtherLayout
            self.record(record)
            return
        # ',"errno":' cannot occur inside a JSON string (its quote would be escaped), so
        # the cut is where the key ends; the tail is shared by items alike.
        tail = line[cut + 1 :]
        uid = None
        at = tail.rfind(self._answer_tail)
        if at >= 0:
            value = tail[at + len(self._answer_tail) : -1]
            uid = 0 if value == "null" else int(value)
            tail = tail[:at] + "}"
        entry = self.settled.get(tail)
        if entry is None:
            entry = self._settle(json.loads("{" + tail))
            self.remember(tail, entry)
        if self.target_ids is not None:
            self.append(int(keys[1]), int(keys[2]), entry, uid)
        else:
            self.append(0, int(keys[1]), entry, uid)


Read = tuple[dict[str, Any], RowKeys[Any], Columns]


def read_file(path: str | PathLike[str]) -> Read:
    """Read a JSON or CSV report file (told apart by content) into its head and columns.

    Raises:
        InputError: the file cannot be read or is not such a report.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            while first and not first.strip():
                first = handle.readline()
            if first.lstrip().startswith("{"):
                try:
                    return _read_json(handle, first)
                except _OtherLayout:
                    handle.seek(0)
                    return _whole_json(handle.read())
            return _read_csv(handle, first, path)
    except OSError as exc:
        message = f"cannot read report {path}: {exc.strerror or exc}"
        raise InputError(message) from exc
    except UnicodeDecodeError as exc:
        message = f"cannot read report {path}: {exc}"
        raise InputError(message) from exc


def parse_json(text: str | bytes) -> Read:
    """Read a JSON report given as text.

    Raises:
        InputError: the text is not such a report.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            message = f"not a readable eeo-async report: {exc}"
            raise InputError(message) from exc
    lines = io.StringIO(text, newline="")
    first = lines.readline()
    while first and not first.strip():
        first = lines.readline()
    try:
        return _read_json(lines, first)
    except _OtherLayout:
        return _whole_json(text)


def _failing(exc: Exception) -> InputError:
    if isinstance(exc, InputError):
        return exc
    message = f"not a readable eeo-async report: {type(exc).__name__}: {exc}"
    return InputError(message)


def _read_json(lines: Iterable[str], first: str) -> Read:
    """The writer's layout, line by line; :class:`_OtherLayout` if the file has another."""
    stream = iter(lines)
    head_lines = [first]
    for line in stream:
        if line.strip() == _ITEMS_LINE:
            break
        head_lines.append(line)
        if len(head_lines) > _MAX_HEAD_LINES:
            raise _OtherLayout
    else:
        raise _OtherLayout
    text = "".join(head_lines).rstrip()
    if not text.endswith(","):
        raise _OtherLayout
    try:
        doc = json.loads(text[:-1] + "}")
    except ValueError as exc:
        raise _OtherLayout from exc
    head = check_head(doc)
    reader = _Reader(head["key_fields"], head["answer"], head["text_keys"])
    closed = False
    try:
        for line in stream:
            item = line.strip()
            if item == "]":
                closed = True
                break
            try:
                reader.json_line(item.removesuffix(","))
            except json.JSONDecodeError:
                if not len(reader.columns):
                    raise _OtherLayout from None  # items laid out otherwise
                raise
        rest = "".join(stream).strip()
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise _failing(exc) from exc
    if not closed or rest != "}":
        raise _OtherLayout
    return head, reader.keys(), reader.columns


def _whole_json(text: str) -> Read:
    """Any layout of the JSON document, parsed at once (costs the whole document)."""
    try:
        doc = json.loads(text)
        head = check_head(doc)
        reader = _Reader(head["key_fields"], head["answer"], head["text_keys"])
        for record in doc["items"]:
            reader.record(record)
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise _failing(exc) from exc
    return head, reader.keys(), reader.columns


def check_head(doc: object) -> dict[str, Any]:
    """The job fields of a JSON report, typed; ``InputError`` if it is not a report."""
    if not isinstance(doc, dict) or doc.get("format") not in READABLE:
        found = doc.get("format") if isinstance(doc, dict) else None
        message = f"not an eeo-async report (format {found!r:.60})"
        raise InputError(message)
    try:
        return {
            "operation": str(doc["operation"]),
            "course_id": int(doc["course_id"]),
            "key_fields": tuple(doc["key_fields"]),
            "text_keys": None if doc.get("text_keys") is None else bool(doc["text_keys"]),
            "answer": None if doc.get("answer") is None else str(doc["answer"]),
            "target": {str(k): int(v) for k, v in dict(doc.get("target") or {}).items()},
            "action": str(doc.get("action") or ""),
            "calls": int(doc["calls"]),
            "retries": int(doc["retries"]),
            "elapsed": float(doc["elapsed"]),
            "duplicates": int(doc["duplicates"]),
            "stop_reason": doc.get("stop_reason"),
            "stopped_by": doc.get("stopped_by"),
            "stop_errno": _int_or_none(doc.get("stop_errno")),
            "stop_param": None if doc.get("stop_param") is None else str(doc["stop_param"]),
            "stop_value": _int_or_none(doc.get("stop_value")),
            "busy_calls": int(doc.get("busy_calls") or 0),
            "concurrency": doc.get("concurrency"),
        }
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise _failing(exc) from exc


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


_CSV_TAIL: Final = ("errno", "error", "attempts", "outcome")


def _read_csv(lines: Iterable[str], first: str, path: str | PathLike[str]) -> Read:
    """A CSV report row by row: key fields, errno, error, meaning, attempts, outcome (uid)."""
    rows = csv.reader(_chain(first, lines))
    header = next(rows, [])
    names = list(header)
    width = len(names)
    # The answer's ID column follows the outcome (``uid``, ``activity_id`` ...).
    with_uid = len(names) > 5 and names[-2] == "outcome"
    answer = names.pop() if with_uid else None
    with_meaning = "meaning" in names[-4:]
    if with_meaning:
        names.remove("meaning")  # written since the meaning column came; read again
    if len(names) < 5 or tuple(names[-4:]) != _CSV_TAIL:
        message = f"{path} is neither a JSON nor a CSV report of eeo-async"
        raise InputError(message)
    key_fields, text = _key_kind(names[:-4])
    try:
        reader = _Reader(key_fields, answer, text)
        _csv_rows(rows, reader, width, with_meaning=with_meaning, with_uid=with_uid)
    except (ValueError, KeyError, TypeError, OverflowError, csv.Error) as exc:
        where = f" (line {rows.line_num})" if not isinstance(exc, InputError) else ""
        message = f"{path}: not a readable CSV report{where}: {exc}"
        raise InputError(message) from exc
    head = {"operation": "", "course_id": 0, "key_fields": key_fields}
    return head, reader.keys(), reader.columns


def _key_kind(names: list[str]) -> tuple[tuple[str, ...], bool | None]:
    """The key fields of a CSV header, and the keys' kind if the header says it."""
    field, mark, kind = names[-1].rpartition(_KIND_MARK) if names else ("", "", "")
    if not mark or kind not in _KINDS:
        return tuple(names), None
    return (*names[:-1], field), _KINDS[kind]


def _csv_rows(
    rows: Iterator[list[str]],
    reader: _Reader,
    width: int,
    *,
    with_meaning: bool,
    with_uid: bool,
) -> None:
    keys = len(reader.key_fields)
    end = width - 1 if with_uid else width
    at_attempts = keys + (3 if with_meaning else 2)
    pairs, text_keys = reader.target_ids is not None, reader.text_keys
    settled, settle = reader.settled, reader.columns.settle
    for row in rows:
        if not row:
            continue  # a blank line
        if len(row) != width:
            message = f"{len(row)} fields where the header names {width}"
            raise ValueError(message)
        tail = tuple(row[keys:end])
        entry = settled.get(tail)
        if entry is None:
            entry = settle(
                int(row[keys]),
                unescape_cell(row[keys + 1]),
                int(row[at_attempts]),
                row[at_attempts + 1],
            )
            reader.remember(tail, entry)
        item: int | str = unescape_cell(row[keys - 1]) if text_keys else int(row[keys - 1])
        uid = int(row[-1] or 0) if with_uid else None
        reader.append(int(row[0]) if pairs else 0, item, entry, uid)


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest
