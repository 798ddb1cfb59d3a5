"""How an event's fields are read from a push: wire paths and converters that never raise.

Every event field names the wire path(s) it comes from (``wire("Data", "UID")``) and a
converter. Converters accept what the docs' tables and examples show (an ``Int64`` sent
as a string, a boolean as 0/1) and give None, never an exception, for anything else, so
a push with an odd value still parses; the value as sent stays in ``event.raw``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import attrs

from ._verify import as_int

T = TypeVar("T")
Convert = Callable[[Any], Any]
_WIRE = "eeo_async.webhooks.wire"
_MISSING = object()


def to_int(value: Any) -> int | None:
    """An int from an int, a whole float, a bool (0/1) or a string of digits."""
    if type(value) is int:  # the common case first: pushes arrive by the thousand
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return as_int(value)


def to_id(value: Any) -> int | None:
    """An ID: as :func:`to_int`, with 0 (the docs' "none") as None."""
    number = to_int(value)
    return number or None


def to_float(value: Any) -> float | None:
    """A float from a number or a numeric string (the docs send some delays as text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return None


def to_str(value: Any) -> str | None:
    """Text from a string or a number (a telephone number is sometimes sent as a number)."""
    if type(value) is str or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def utf8_safe(text: str) -> str:
    r"""``text`` as UTF-8 can hold it: a lone surrogate (JSON's "\ud800") becomes that escape.

    Inside JSON text the escape reads back as the same surrogate, so a message written
    through this loses nothing; every other character, Chinese included, stays as it is.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def to_bool(value: Any) -> bool | None:
    """A bool from a JSON boolean, 0/1, or "true"/"false"/"yes"/"no"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
    return None


def to_mapping(value: Any) -> Mapping[str, Any] | None:
    """A JSON object, also when sent as JSON text (``EEO_DEVICE_LIST`` is)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: nested past the stack
            return None
    return value if isinstance(value, Mapping) else None


def tuple_of(convert: Callable[[Any], T | None]) -> Callable[[Any], tuple[T, ...]]:
    """A tuple of the convertible elements of a list (a lone value counts as a list of one)."""

    def read(value: Any) -> tuple[T, ...]:
        items = value if isinstance(value, list) else [value]
        return tuple(x for x in map(convert, items) if x is not None)

    return read


def nested(cls: type[T]) -> Callable[[Any], T | None]:
    """A value class built from a JSON object with its own wire fields."""

    def read(value: Any) -> T | None:
        return build(cls, value) if isinstance(value, Mapping) else None

    return read


def wire(*paths: str | tuple[str, ...], convert: Convert = to_int, default: Any = None) -> Any:
    """An attrs field read from the first of ``paths`` present in the message.

    A path is a key or a tuple of keys into nested objects; a field whose paths are all
    missing gets ``default``. Typed ``Any`` so that ``x: int | None = wire("X")`` reads
    as a field with a default to type checkers.
    """
    spec = tuple((p,) if isinstance(p, str) else p for p in paths)
    return attrs.field(default=default, metadata={_WIRE: (spec, convert)})


_Spec = tuple[str, tuple[tuple[str, ...], ...], Convert]
_SPECS: dict[type[Any], tuple[_Spec, ...]] = {}


def _specs(cls: type[Any]) -> tuple[_Spec, ...]:
    specs = _SPECS.get(cls)
    if specs is None:
        wired = (f for f in attrs.fields(cls) if _WIRE in f.metadata)
        specs = _SPECS[cls] = tuple((f.name, *f.metadata[_WIRE]) for f in wired)
    return specs


def _lookup(doc: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = doc
    for key in path:
        # dict first: JSON gives dicts, and the ABC check costs ten times more.
        if type(value) is not dict and not isinstance(value, Mapping):
            return _MISSING
        value = value.get(key, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


def build(cls: type[T], doc: Mapping[str, Any], **extra: Any) -> T:
    """An instance of ``cls`` with each wire field read from ``doc`` (``extra`` as given)."""
    for name, paths, convert in _specs(cls):
        for path in paths:
            value = _lookup(doc, path)
            if value is not _MISSING:
                converted = convert(value)
                if converted is not None:
                    extra[name] = converted
                break
    return cls(**extra)


def _cmd(value: Any) -> str | int | None:
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def _message_id(value: Any) -> str | None:
    # An ``_id`` is a 24-hex string in every example; an empty one identifies nothing.
    return value if isinstance(value, str) and value else None


@attrs.frozen(kw_only=True)
class Event:
    """A data-subscription push, read: the fields every push may carry.

    Each documented ``Cmd`` has a subclass with its own fields in snake_case
    (:data:`~eeo_async.webhooks.EVENT_TYPES`); a field the push does not carry, or
    carries in a shape the docs do not show, is None (or empty). ``raw`` is the push
    as received, except its ``SafeKey``, which is dropped so that no event, log or
    store ever holds one.

    Attributes:
        cmd: the ``Cmd`` as sent (an int for the in-class numeric commands).
        id: the ``_id`` (message identifier), or None when the push has none.
        key: what the receiver deduplicates on: the ``_id``, or for a push without one
            ``"sha256:"`` and the digest of its canonical JSON without ``SafeKey`` and
            ``TimeStamp`` (a re-push may be stamped afresh).
        sid: the school ID (``SID``).
        course_id: ``CourseID`` (``CourseId`` in the scheduling-sync pushes).
        class_id: the lesson, ``ClassID`` (``CID`` in EduDt; ``Data.ClassId`` in test and
            answer-sheet scores, where 0 means none and reads None).
        action_time: ``ActionTime``, Unix seconds.
        time_stamp: ``TimeStamp``, Unix seconds, the signed stamp (ChatContent's packing
            time too).
        raw: the push's JSON object without ``SafeKey`` (read it, do not change it: the
            store records it after the handlers ran).
    """

    CMD: ClassVar[str | int | None] = None

    cmd: str | int | None = wire("Cmd", convert=_cmd)
    id: str | None = wire("_id", convert=_message_id)
    key: str = ""
    sid: int | None = wire("SID")
    course_id: int | None = wire("CourseID", "CourseId", convert=to_id)
    class_id: int | None = wire("ClassID", "CID", ("Data", "ClassId"), convert=to_id)
    action_time: int | None = wire("ActionTime")
    time_stamp: int | None = wire("TimeStamp")
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @classmethod
    def variant(cls, doc: Mapping[str, Any]) -> type[Event]:
        """The class a push of this ``Cmd`` is read as (a few ``Cmd`` have variants)."""
        del doc
        return cls


@attrs.frozen(kw_only=True)
class UnknownEvent(Event):
    """A push whose ``Cmd`` the SDK does not know (or that has none): acked, kept in ``raw``.

    ClassIn may add message types; a receiver accepts them rather than blocking the
    queue. ``receiver.on_any`` handlers see them, as does ``receiver.on("ThatCmd")``.
    """
