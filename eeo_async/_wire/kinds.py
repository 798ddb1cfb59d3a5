"""Value kinds: how one parameter is checked, and written as form text (v1) or JSON (v2).

A :class:`Kind` checks a value (naming where it came from when it is bad, before anything
is sent) and writes it in either generation's form; an :class:`ItemsKind` does the same
for the list of items a call carries, with the key that makes two items the same. The
kinds most actions share are here; a kind only one area needs lives in that area.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import operator
import os
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, cast
from urllib.parse import quote_plus

import attrs

from .._errors import InputError, InputTypeError
from .._models import MAX_CUSTOM_COLUMN_CHARS

#: IDs are positive and fit the server's signed 64-bit integers.
MAX_ID: Final = 2**63 - 1
#: Longest digit string read as a number: longer ones cannot be an ID (and ``int()`` of a
#: very long string raises a bare ``ValueError`` past Python's digit limit).
MAX_DIGITS: Final = 19


def compact(value: object) -> str:
    """JSON text without spaces, non-ASCII kept (what the docs' array fields hold)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- validation


def _bad_id(value: object, where: str) -> InputError:
    message = f"{where} must be a positive integer ID, got {value!r:.80}"
    return InputError(message)


def validate_id(value: object, where: str) -> int:
    """Return ``value`` as a positive int ID, or raise naming ``where`` and the value.

    Ints (and int-like objects such as numpy integers) and strings of ASCII digits
    (``"1001001"`` from a CSV) are accepted; bools, floats and other strings are not.
    """
    if type(value) is int:  # the common case first: it is hot in planning
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > MAX_DIGITS:
            raise _bad_id(value, where)
        number = int(text)
    elif isinstance(value, bool) or not hasattr(value, "__index__"):
        message = (
            f"{where} must be a positive integer ID, got {value!r:.80} of type "
            f"{type(value).__name__}"
        )
        raise InputTypeError(message)
    else:
        number = operator.index(value)  # type: ignore[call-overload,unused-ignore]
    if not 0 < number <= MAX_ID:
        raise _bad_id(value, where)
    return number


def as_int(value: object, upper: int = MAX_ID) -> int | None:
    """``value`` as an int in 1..upper (a JSON number or digit string), else ``None``."""
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text.lstrip("0")) <= MAX_DIGITS:
            value = int(text)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= upper:
        return value
    return None


def iter_ids(values: Iterable[object], where: str) -> Iterable[int]:
    """Yield each of ``values`` validated as an ID, naming ``where[i]`` when one is bad."""
    return iter_items(values, where, validate_id)


def iter_items(
    values: Iterable[object], where: str, check: Callable[[object, str], Any]
) -> Iterable[Any]:
    """Each of ``values`` checked by ``check`` (lazily), naming ``where[i]`` when one is bad.

    Plain ints in a list, tuple or range, the common case, are checked at C speed.
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        message = (
            f"{where} must be a list (or other iterable), "
            f"got {type(values).__name__} {values!r:.60}"
        )
        raise InputTypeError(message)
    if check is validate_id and type(values) in (list, tuple, range):
        ids: Sequence[Any] = values  # type: ignore[assignment]
        if (type(ids) is range or all(type(value) is int for value in ids)) and (
            not ids or (min(ids) > 0 and max(ids) <= MAX_ID)
        ):
            return ids
    return (check(value, f"{where}[{index}]") for index, value in enumerate(values))


# ------------------------------------------------------------------------ the two kinds


def _itself(value: Any) -> Any:
    return value


@attrs.frozen(kw_only=True)
class Kind:
    """How one parameter is checked and written on the wire.

    ``check(value, where)`` returns the normalised value or raises an ``InputError``
    naming ``where``; ``text(value)`` is the v1 form text before URL quoting and
    ``json(value)`` the v2 JSON value.
    """

    check: Callable[[object, str], Any]
    text: Callable[[Any], str] = str
    json: Callable[[Any], Any] = _itself
    #: The value is a file, sent as the file part of a multipart form (v1 uploads).
    upload: bool = False
    #: The value's text is a secret (a password or its digest): scrubbed from any
    #: answer that echoes it, never quoted in an error.
    hidden: bool = False
    #: The value is a plain password: sent only over https (or to a loopback sandbox).
    https_only: bool = False


def key_itself(item: Any) -> Hashable:
    """An item that is its own key (an ID)."""
    return cast(Hashable, item)


def _quote_text(text: Callable[[Sequence[Any]], str]) -> Callable[[Sequence[Any]], str]:
    return lambda items: quote_plus(text(items))


@attrs.frozen(kw_only=True)
class ItemsKind:
    """How a list of items is checked and written: one item's check, key and forms.

    ``key`` is what makes two items the same (the report's key); ``text`` writes a whole
    chunk as v1 form text, ``quoted`` the same already URL-quoted (the batcher's hot
    path: it must equal ``quote_plus(text(items))``, and a test holds every kind to
    that), ``json`` as the v2 JSON value.
    """

    item: Callable[[object, str], Any]
    text: Callable[[Sequence[Any]], str] = compact
    quoted: Callable[[Sequence[Any]], str] = attrs.field(
        default=attrs.Factory(lambda self: _quote_text(self.text), takes_self=True)
    )
    json: Callable[[Sequence[Any]], Any] = list
    key: Callable[[Any], Hashable] = key_itself
    #: v1: the chunk's form fields ``(wire name, text)``, written in place of the one
    #: field, for an action that takes one item a call in fields of its own (addTeacher:
    #: ``teacherAccount`` and ``teacherName``); ``None`` for the usual one field.
    fields: Callable[[Sequence[Any]], Sequence[tuple[str, str]]] | None = None
    #: The secret texts a chunk carries (its items' passwords), scrubbed from any
    #: answer that echoes them; ``None`` for items without secrets.
    hidden: Callable[[Sequence[Any]], Iterable[str]] | None = None
    #: Whether an item holds a plain password (sent only over https); ``None``: never.
    https_only: Callable[[Any], bool] | None = None


# --------------------------------------------------------------------------- the kinds


def _ids_quoted(ids: Sequence[int]) -> str:
    # quote_plus("[1,2]") is "%5B1%2C2%5D": digits need no quoting, so join directly.
    return "%5B" + "%2C".join(map(str, ids)) + "%5D"


def _id_strings_text(ids: Sequence[int]) -> str:
    return compact([str(i) for i in ids])


def _id_strings_quoted(ids: Sequence[int]) -> str:
    return "%5B%22" + "%22%2C%22".join(map(str, ids)) + "%22%5D" if ids else "%5B%5D"


def _student_objects_text(ids: Sequence[int]) -> str:
    return compact([{"uid": str(i)} for i in ids])


def _student_objects_quoted(ids: Sequence[int]) -> str:
    # quote_plus('[{"uid":"1"}]') is '%5B%7B%22uid%22%3A%221%22%7D%5D'.
    if not ids:
        return "%5B%5D"
    return "%5B%7B%22uid%22%3A%22" + "%22%7D%2C%7B%22uid%22%3A%22".join(map(str, ids)) + "%22%7D%5D"


#: A positive integer ID (a JSON number in v2).
ID: Final = Kind(check=validate_id)
#: IDs as a JSON array of numbers: ``classJson=[1212131,1212123]``.
IDS: Final = ItemsKind(item=validate_id, quoted=_ids_quoted)
#: IDs as a JSON array of strings: ``studentUidJson=["1001001","1001002"]``.
ID_STRINGS: Final = ItemsKind(
    item=validate_id,
    text=_id_strings_text,
    quoted=_id_strings_quoted,
    json=lambda ids: [str(i) for i in ids],
)
#: UIDs as a JSON array of objects with string UIDs: ``studentJson=[{"uid":"1001001"}]``.
STUDENT_OBJECTS: Final = ItemsKind(
    item=validate_id,
    text=_student_objects_text,
    quoted=_student_objects_quoted,
    json=lambda ids: [{"uid": str(i)} for i in ids],
)

#: ``identity`` of a course member: 1 (or ``"student"``), 2 (or ``"auditor"``).
IDENTITIES: Final = {"student": 1, "auditor": 2}


def _check_identity(value: object, where: str) -> int:
    if isinstance(value, str) and value in IDENTITIES:
        return IDENTITIES[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in IDENTITIES.values():
        return int(value)
    message = f"{where} must be 1 or 'student', 2 or 'auditor', got {value!r:.40}"
    raise InputError(message)


#: A course member's identity, sent as 1 (student) or 2 (auditor).
IDENTITY: Final = Kind(check=_check_identity)


def choice(*allowed: int) -> Kind:
    """A parameter that takes one of a few documented integer values (``identity`` ...)."""

    def check(value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            message = f"{where} must be one of {', '.join(map(str, allowed))}, got {value!r:.40}"
            raise InputTypeError(message)
        number = as_int(value, MAX_ID) if isinstance(value, str) else value
        if number not in allowed:
            message = f"{where} must be one of {', '.join(map(str, allowed))}, got {value!r:.40}"
            raise InputError(message)
        return number

    return Kind(check=check)


def integer(low: int, high: int) -> Kind:
    """A whole number from ``low`` to ``high`` (seats, stars, minutes ...)."""

    def check(value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            message = f"{where} must be a whole number, got {value!r:.40}"
            raise InputTypeError(message)
        if not low <= value <= high:
            message = f"{where} must be from {low} to {high}, got {value}"
            raise InputError(message)
        return value

    return Kind(check=check)


def text(low: int = 1, high: int | None = None) -> Kind:
    """A string of ``low`` to ``high`` characters; never cut silently.

    Args:
        low: fewest characters (1 or more also refuses a blank string).
        high: most characters (the docs' limit), or ``None``.
    """

    def check(value: object, where: str) -> str:
        if not isinstance(value, str):
            message = f"{where} must be a str, got {type(value).__name__} {value!r:.60}"
            raise InputTypeError(message)
        if low > 0 and not value.strip():
            message = f"{where} must not be empty or blank, got {value!r}"
            raise InputError(message)
        if len(value) < low:
            message = f"{where} must be at least {low} characters, got {len(value)}: {value!r:.60}"
            raise InputError(message)
        if high is not None and len(value) > high:
            message = (
                f"{where} must be at most {high} characters, got {len(value)}: "
                f"{value!r:.60} (the server would cut it; shorten it yourself)"
            )
            raise InputError(message)
        return value

    return Kind(check=check)


def _check_flag(value: object, where: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if value in (0, 1) and isinstance(value, int):
        return int(value)
    message = f"{where} must be True or False (or 1 or 0), got {value!r:.40}"
    raise InputTypeError(message)


#: A yes/no switch, sent as 1 or 0.
FLAG: Final = Kind(check=_check_flag)
#: ``customColumn``: the caller's own tag of an item, returned with the item's answer.
CUSTOM_COLUMN: Final = text(1, MAX_CUSTOM_COLUMN_CHARS)


def check_custom_column(value: object) -> str | None:
    """An item's ``custom_column`` checked (``None`` kept): the converter of its field."""
    return None if value is None else str(CUSTOM_COLUMN.check(value, "custom_column"))


def validate_time(value: object, where: str) -> int:
    """Return ``value`` as Unix seconds: an aware ``datetime`` or a whole number of seconds.

    A naive ``datetime`` is refused (its zone would be a guess), and so are floats with a
    fraction and bools.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            message = (
                f"{where} must be a timezone-aware datetime (e.g. with "
                f"tzinfo=ZoneInfo('Asia/Shanghai')), got the naive {value.isoformat()}"
            )
            raise InputError(message)
        return math.floor(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        message = (
            f"{where} must be an aware datetime or Unix seconds (int), "
            f"got {value!r:.60} of type {type(value).__name__}"
        )
        raise InputTypeError(message)
    if value <= 0:
        message = f"{where} must be a positive number of Unix seconds, got {value}"
        raise InputError(message)
    return value


#: A point in time, sent as Unix seconds.
TIME: Final = Kind(check=validate_time)


@attrs.frozen(kw_only=True)
class FileField:
    """A file to send as the file part of a form: its path, the name sent, its size."""

    path: Path
    filename: str
    size: int


def file_kind(max_bytes: int, max_name: int) -> Kind:
    """A file on disk, checked before sending: it exists, its size and name fit.

    The value is a path (``str`` or ``os.PathLike``); the name sent is the file's own.
    """

    def check(value: object, where: str) -> FileField:
        if isinstance(value, FileField):
            return value
        if not isinstance(value, str | os.PathLike):
            message = f"{where} must be a path to a file, got {type(value).__name__}"
            raise InputTypeError(message)
        path = Path(value)
        try:
            size = path.stat().st_size
        except OSError as exc:
            message = f"{where}: cannot read {str(path)!r}: {exc.strerror or exc}"
            raise InputError(message) from None
        if not path.is_file():
            message = f"{where}: {str(path)!r} is not a file"
            raise InputError(message)
        if size > max_bytes:
            message = f"{where}: {path.name!r} is {size} bytes, over the limit of {max_bytes}"
            raise InputError(message)
        if len(path.name) > max_name:
            message = f"{where}: the name {path.name!r} is over {max_name} characters"
            raise InputError(message)
        return FileField(path=path, filename=path.name, size=size)

    return Kind(check=check, upload=True)


# ------------------------------------------------------------- unique identities, ID arrays

#: Longest unique identity (``courseUniqueIdentity``, ``uniqueIdentity``): 1 to 32 characters.
MAX_IDENTITY_CHARS: Final = 32


def validate_identity(value: object, where: str) -> str:
    """Return a creation's unique identity: 1 to 32 characters (an int is its digits).

    The docs give only the length ("1-32 位字符", else errno 100); blanks, surrounding
    spaces and control characters are refused too, since a copied cell carries them
    unseen and the server would keep them.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if not isinstance(value, str):
        message = f"{where} must be a str of 1 to 32 characters, got {value!r:.60}"
        raise InputTypeError(message)
    if not 1 <= len(value) <= MAX_IDENTITY_CHARS:
        message = f"{where} must be 1 to {MAX_IDENTITY_CHARS} characters, got {len(value)}"
        if value:
            message += f" (at most {MAX_IDENTITY_CHARS}: the server refuses a longer one)"
        raise InputError(message)
    if value != value.strip() or not value.isprintable():
        message = f"{where} must not hold spaces at its ends or control characters: {value!r}"
        raise InputError(message)
    return value


def derive_identity(tag: str, values: Mapping[str, object]) -> str:
    """A unique identity made from ``values``: the same values always give the same one.

    32 characters: the first letter of ``tag`` (so it is never all digits) and 31 hex
    digits of the SHA-256 of the values' JSON. For a creation that the caller gave no
    identity of its own, so that a retry or a re-run finds what was made before. LMS
    classrooms and sub-lessons keep their own (``derive_lms_identity``): an algorithm
    never changes, or a re-run would not find what an earlier run made.
    """
    text = json.dumps([tag, values], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return tag[:1] + hashlib.sha256(text.encode()).hexdigest()[: MAX_IDENTITY_CHARS - 1]


#: A creation's unique identity, 1 to 32 characters.
UNIQUE_IDENTITY: Final = Kind(check=validate_identity)


def _check_id_array(value: object, where: str) -> tuple[int, ...]:
    ids = tuple(iter_ids(value, where))  # type: ignore[arg-type]
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        message = f"{where} contains {twice} more than once"
        raise InputError(message)
    return ids


#: IDs as one JSON array of numbers in a plain parameter (``assistantUids=[1,2]``); may be
#: empty (``[]`` clears, where the docs say so).
ID_ARRAY: Final = Kind(check=_check_id_array, text=compact, json=list)

#: A point in time as a caller gives it: an aware ``datetime`` or Unix seconds.
Time = dt.datetime | int
