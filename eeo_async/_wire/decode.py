"""Decoders shared by many rows: per-item statuses (by position or by key), done, an envelope.

A decoder is ``decode(endpoint, answer, items)``: ``answer`` is the generation's envelope
already parsed (code, message, data), ``items`` the items the call carried. It returns
the typed result or raises the ``ApiError`` of the code. Decoders only one area needs
live in that area.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Final

from .._codes import BAD_CREDENTIALS, TRANSIENT, Errno, LocalErrno, describe
from .._errors import ApiError, DataMismatchError, ProtocolError, api_error
from .._models import ActionResult, Envelope, ItemStatus
from .endpoint import Answer, Endpoint
from .kinds import as_int, validate_id

_loads: Callable[[bytes | str], Any]
try:  # the "speed" extra: orjson parses answers about three times as fast
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - tests/test_wire.py runs the decoders on json too
    _loads = json.loads

#: Server codes (of a call or an item) are positive numbers below this; anything else
#: is not the documented JSON.
MAX_CODE: Final = 2**31 - 1
_BOM: Final = b"\xef\xbb\xbf"


def snippet(body: bytes | str) -> str:
    """The start of a body, quoted, for an error message."""
    return repr(body[:60]) + ("..." if len(body) > 60 else "")


def parse_json(action: str, body: bytes | str) -> Any:
    """The JSON document of an answer of either generation; a leading UTF-8 BOM is skipped.

    (A byte-order mark before the JSON is a classic PHP fault; orjson refuses it.)

    Raises:
        ProtocolError: the body is not JSON.
    """
    if isinstance(body, bytes):
        if body.startswith(_BOM):
            body = body[3:]
    elif body.startswith("\ufeff"):
        body = body[1:]
    try:
        return _loads(body)
    except (ValueError, RecursionError) as exc:
        message = f"the answer is not JSON ({len(body)} bytes): {snippet(body)}"
        raise ProtocolError(action, message) from exc


def refuse(endpoint: Endpoint, answer: Answer, hint: str = "") -> ApiError:
    """The ``ApiError`` (subclass chosen by the code) for a call-level failure."""
    return api_error(answer.code, answer.message, endpoint.action, hint=hint)


def accepted(endpoint: Endpoint, answer: Answer) -> int:
    """The answer's code if it is 1 or one of the row's "already" or side codes, else raise.

    Raises:
        ApiError: any other code (a subclass chosen by the code).
    """
    code = answer.code
    if code != Errno.OK and code not in endpoint.already and code not in endpoint.side:
        raise refuse(endpoint, answer)
    return code


def item_data(endpoint: Endpoint, answer: Answer, count: int) -> list[Any]:
    """``data`` of an item action's answer: code 1 and one entry per item sent, or raise."""
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    data = answer.data
    if not isinstance(data, list) or len(data) != count:
        got = f"{len(data)} entries" if isinstance(data, list) else type(data).__name__
        message = f"data should hold {count} entries, one per item sent, but holds {got}"
        raise DataMismatchError(endpoint.action, message)
    return data


def item_code(action: str, index: int, entry: object, field: str = "errno") -> tuple[int, str]:
    """``(code, message)`` of ``data[index]``; ``DataMismatchError`` if it has none."""
    code = entry.get(field) if type(entry) is dict else None
    if type(code) is not int or not 0 < code <= MAX_CODE:
        code = as_int(code, MAX_CODE)
        if code is None:
            message = f"data[{index}] has no valid {field}: {entry!r:.60}"
            raise DataMismatchError(action, message)
    assert isinstance(entry, dict)  # noqa: S101 - narrowed above, for the type checker
    text = entry.get("error" if field == "errno" else "msg")
    return code, text if type(text) is str else describe(code)


def status(endpoint: Endpoint, code: int, text: str, **extra: Any) -> ItemStatus:
    """An item's status, marked "already" or "side" by the row's codes."""
    return ItemStatus(
        code, text, already=code in endpoint.already, side=code in endpoint.side, **extra
    )


def decode_items(endpoint: Endpoint, answer: Answer, items: Sequence[Any]) -> list[ItemStatus]:
    """One ``ItemStatus`` per item sent, in order, from a v1 ``data`` list of ``{errno, error}``.

    Raises:
        ApiError: the call's code is not 1 (a subclass chosen by the code).
        DataMismatchError: ``data`` is not a list of one status object per item.
    """
    count = len(items)
    data = item_data(endpoint, answer, count)
    first = data[0] if data else None
    if (
        type(first) is dict
        and all(type(value) in (int, str) for value in first.values())  # no deep compares
        and data.count(first) == count
    ):
        # Every entry is the same (all done, typically): one status for all, at C speed.
        return [status(endpoint, *item_code(endpoint.action, 0, first))] * count
    statuses: list[ItemStatus] = []
    append = statuses.append
    known: dict[tuple[int, str], ItemStatus] = {}  # statuses are values: share equal ones
    for index, entry in enumerate(data):
        if type(entry) is dict:
            key = (entry.get("errno"), entry.get("error"))
            if type(key[0]) is int and type(key[1]) is str:
                found = known.get(key)  # type: ignore[arg-type]
                if found is not None:
                    append(found)
                    continue
        code, text = item_code(endpoint.action, index, entry)
        made = status(endpoint, code, text)
        if (
            type(entry) is dict
            and type(entry.get("errno")) is int
            and type(entry.get("error")) is str
        ):
            known[entry["errno"], entry["error"]] = made
        append(made)
    return statuses


def decode_item_details(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any]
) -> list[ItemStatus]:
    """Like :func:`decode_items`, keeping each item's ``customColumn`` and ``data`` ID.

    ``customColumn`` comes back as a string (the docs' samples send a number and get a
    string); ``data[i].data`` is the item's ID where the action answers one (the UID of
    registerMultiple, given for 135/461 "already registered" too).

    Raises:
        ApiError: the call's code is not 1 (a subclass chosen by the code).
        DataMismatchError: ``data`` is not a list of one status object per item.
    """
    data = item_data(endpoint, answer, len(items))
    statuses: list[ItemStatus] = []
    for index, entry in enumerate(data):
        code, text = item_code(endpoint.action, index, entry)
        column = entry.get("customColumn")
        number = as_int(entry.get("data"))
        statuses.append(
            status(
                endpoint,
                code,
                text,
                uid=number,
                id=number,
                custom_column=None if column is None else str(column),
            )
        )
    return statuses


def _all_alike(
    data: list[Any], fields: tuple[str, str, str], sent: set[Any], count: int
) -> tuple[int, str] | None:
    """``(code, message)`` when ``data`` names each item sent once, all with one status.

    The usual answer, checked with set comprehensions (C speed); ``None`` sends the
    caller to the entry-by-entry reading, which also explains what is wrong.
    """
    field, code_field, text_field = fields
    try:
        named = {entry[field] for entry in data}
        codes = [entry[code_field] for entry in data]
        texts = [entry[text_field] for entry in data]
    except (TypeError, KeyError):
        return None
    if len(data) != count or not count or named != sent:
        return None
    # list.count compares at C speed; a set of (code, text) would hash every new string.
    code, text = codes[0], texts[0]
    if codes.count(code) != count or texts.count(text) != count:
        return None
    if type(code) is not int or not 0 < code <= MAX_CODE or type(text) is not str:
        return None
    return code, text


def keyed(
    field: str, code_field: str = "code"
) -> Callable[[Endpoint, Answer, Sequence[Any]], list[ItemStatus]]:
    """A decoder matching each entry of ``data`` to the item it names by ``field``.

    For v2's per-item answers (``[{"studentUid", "code", "msg"}]``): entries may come in
    any order; an item the answer does not name is ``LocalErrno.NO_ANSWER`` (never
    reported as done), and an entry naming an item not sent is a ``DataMismatchError``.
    """
    fields = (field, code_field, "msg" if code_field == "code" else "error")

    def decode(endpoint: Endpoint, answer: Answer, items: Sequence[Any]) -> list[ItemStatus]:
        if answer.code != Errno.OK:
            raise refuse(endpoint, answer)
        data = answer.data if isinstance(answer.data, list) else []
        kind = endpoint.items_kind
        # IDs are their own keys: no call per item.
        keys = items if kind.item is validate_id else [kind.key(item) for item in items]
        sent = set(keys)
        alike = _all_alike(data, fields, sent, len(keys))
        if alike is not None:
            return [status(endpoint, *alike)] * len(keys)
        by_key: dict[Any, ItemStatus] = {}
        known: dict[tuple[int, str], ItemStatus] = {}  # statuses are values: share them
        for index, entry in enumerate(data):
            named = as_int(entry.get(field)) if isinstance(entry, dict) else None
            if named is None or named not in sent:
                message = f"data[{index}] names no item that was sent: {entry!r:.80}"
                raise DataMismatchError(endpoint.action, message)
            code, text = item_code(endpoint.action, index, entry, code_field)
            found = known.get((code, text))
            if found is None:
                found = known[code, text] = status(endpoint, code, text)
            by_key[named] = found
        missing = ItemStatus(LocalErrno.NO_ANSWER, describe(LocalErrno.NO_ANSWER))
        return [by_key.get(key, missing) for key in keys]

    return decode


def decode_same(endpoint: Endpoint, answer: Answer, items: Sequence[Any]) -> list[ItemStatus]:
    """Every item takes the call's code (an action that answers without per-item data).

    A failing code is the status of every item, not an exception, so a batch records it
    per item; a transient one is raised so that the call is retried, and refused
    credentials so that a job stops at once.
    """
    if answer.code in TRANSIENT or answer.code in BAD_CREDENTIALS:
        raise refuse(endpoint, answer)
    return [status(endpoint, answer.code, answer.message)] * len(items)


def decode_done(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> ActionResult:
    """The answer of an action without data: code 1, or one of the row's side or "already" codes.

    Raises:
        ApiError: any other code.
    """
    code = accepted(endpoint, answer)
    return ActionResult(
        errno=code,
        error=answer.message,
        action=endpoint.action,
        side=code in endpoint.side,
        already=code in endpoint.already,
    )


def decode_envelope(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> Envelope:
    """Any code is returned as an ``Envelope``, but a transient one is raised to be retried."""
    if answer.code in TRANSIENT:
        raise refuse(endpoint, answer)
    return Envelope(
        errno=answer.code, error=answer.message, data=answer.data, action=endpoint.action
    )
