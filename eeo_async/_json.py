"""JSON-ready data of every result: :func:`to_jsonable`, and ``to_dict()`` on result types.

A web handler returns what a call gave (``ItemStatus``, ``GroupResult``, a ``BatchReport``
summary ...) as JSON: FastAPI's encoder and ``aiohttp.web.json_response`` take plain
dicts, lists, strings, numbers, booleans and ``None``, so every result turns into those.

The rules, one per kind of value, live in one private cattrs converter (never the global
one), so a new attrs result type gets them without a line of its own:

- an attrs instance: a dict of its fields, then its public properties (``ok``,
  ``meaning``, ``partial`` ...), each made JSON-ready in turn; a field hidden from
  ``repr`` (a password) is left out, as are names starting with ``_``;
- an object with a ``to_dict()`` method that is not attrs (``BatchReport``): what it gives;
- an enum (``Errno``): its value; a datetime or date: ISO 8601 text; a non-finite float:
  ``None`` (JSON has no NaN);
- a mapping: a dict with text keys (an int key as its digits, a tuple key such as
  ``(student_uid, class_id)`` as ``"1001/2002"``, as the summary writes it); a list,
  tuple, set or array: a list.

Anything else raises ``InputTypeError`` naming its type, rather than letting a handler
fail later with a less clear message.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from array import array
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import cattrs

from ._errors import InputTypeError

_converter: Final = cattrs.Converter()
_SCALARS: Final = (str, int, bool, type(None))


def to_jsonable(value: object) -> Any:
    """``value`` as JSON-ready data: dicts, lists, text, numbers, booleans and ``None``.

    Works on every result of the SDK (``ItemStatus``, ``ItemResult``, ``ActionResult``,
    ``Envelope``, ``GroupResult``, ``GroupMember``, ``ConcurrencyRecord``, ``Plan``, the
    area results, any attrs value), on a ``BatchReport`` (its summary: what
    ``report.to_dict()`` gives) and on lists and dicts of them. The result can be
    returned from a FastAPI or aiohttp handler or given to ``json.dumps`` as it is.

    An attrs value becomes a dict of its fields and then its public properties (so
    ``ok`` and ``meaning`` are in it); fields hidden from ``repr`` (passwords) are left
    out. Enums become their values, datetimes ISO 8601 text, mapping keys text (a
    ``(student_uid, class_id)`` key as ``"1001/2002"``), non-finite floats ``None``.

    Args:
        value: a result, a report, or plain data holding them.

    Returns:
        The JSON-ready data.

    Raises:
        InputTypeError: ``value`` holds something with no JSON form (named by its type).
    """
    return _converter.unstructure(value)


class JsonReady:
    """A result type that turns into JSON-ready data: ``to_dict()``.

    Result types of the SDK derive from it; an attrs class that does not still works
    with :func:`to_jsonable`.
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """This value as a JSON-ready dict: its fields, then its public properties.

        The same as ``eeo_async.to_jsonable(value)``: ready for ``json.dumps``, a
        FastAPI response or ``aiohttp.web.json_response``.
        """
        data: dict[str, Any] = _converter.unstructure(self)
        return data


# ------------------------------------------------------------------------ the rules
# cattrs tries the rules registered last first: the catch-all goes first, the most
# specific rules last.


def _refuse(value: object) -> Any:
    message = (
        f"a value of type {type(value).__name__} has no JSON form; "
        "give results, reports or plain data"
    )
    raise InputTypeError(message)


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, enum.Enum):
        return _key(key.value)
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    if isinstance(key, tuple) and key:
        return "/".join(_key(part) for part in key)
    message = f"a mapping key of type {type(key).__name__} has no JSON form"
    raise InputTypeError(message)


def _mapping(value: Mapping[Any, Any]) -> dict[str, Any]:
    unstructure = _converter.unstructure
    return {_key(key): unstructure(item) for key, item in value.items()}


def _sequence(value: Any) -> list[Any]:
    unstructure = _converter.unstructure
    return [unstructure(item) for item in value]


def _float(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _public_properties(cls: type) -> tuple[str, ...]:
    """Names of the public properties of ``cls`` and its bases, the bases' first."""
    names: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            if isinstance(member, property) and not name.startswith("_"):
                names[name] = None
    return tuple(names)


def _attrs_rule(cls: type) -> Callable[[Any], dict[str, Any]]:
    fields = tuple(
        field.name
        for field in attrs.fields(cls)
        if field.repr is not False and not field.name.startswith("_")
    )
    names = fields + tuple(name for name in _public_properties(cls) if name not in fields)
    unstructure = _converter.unstructure

    def rule(value: Any) -> dict[str, Any]:
        return {name: unstructure(getattr(value, name)) for name in names}

    return rule


def _has_to_dict(cls: type) -> bool:
    return callable(getattr(cls, "to_dict", None)) and not attrs.has(cls)


_converter.register_unstructure_hook_func(lambda _: True, _refuse)
_converter.register_unstructure_hook_func(lambda cls: cls in _SCALARS, lambda value: value)
_converter.register_unstructure_hook_func(lambda cls: issubclass(cls, float), _float)
_converter.register_unstructure_hook_func(lambda cls: issubclass(cls, Mapping), _mapping)
_converter.register_unstructure_hook_func(
    lambda cls: issubclass(cls, list | tuple | set | frozenset | array), _sequence
)
_converter.register_unstructure_hook_func(
    lambda cls: issubclass(cls, enum.Enum), lambda value: _converter.unstructure(value.value)
)
_converter.register_unstructure_hook_func(
    lambda cls: issubclass(cls, dt.date), lambda value: value.isoformat()
)
_converter.register_unstructure_hook_func(
    _has_to_dict, lambda value: _converter.unstructure(value.to_dict())
)
_converter.register_unstructure_hook_factory(attrs.has, _attrs_rule)
# cattrs passes bytes through by class (before any rule above): JSON has no bytes.
_converter.register_unstructure_hook(bytes, _refuse)
