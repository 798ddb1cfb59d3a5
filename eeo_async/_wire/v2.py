"""API v2 on the wire: a JSON body signed in headers, answers in ``{code, msg, data}``.

``POST https://api.eeo.cn/<path>`` with a JSON body that carries neither ``sid`` nor
``timeStamp``. The signature (``signature.txt``): take the body's top-level fields whose
value is a scalar of at most 1024 bytes, add ``sid`` and ``timeStamp``, sort them by
name, join them as ``k=v&...``, append ``&key=SECRET`` and send the lower-case hex MD5
as ``X-EEO-SIGN``, with ``X-EEO-UID`` (the SID) and ``X-EEO-TS`` (the timestamp, within
5 minutes of the server's clock). Integers are sent as JSON numbers and signed as their
decimal text; the SDK never sends a boolean or ``null`` at the top level (the docs'
demos render them differently).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._codes import describe
from .._constants import USER_AGENT, V2_SIGNED_VALUE_BYTES
from .._errors import ProtocolError
from .._http import Request, Sealed
from .decode import MAX_CODE, parse_json, snippet
from .endpoint import REQUIRED, Answer, Endpoint
from .kinds import ItemsKind, as_int, compact

#: Body fields the v2 server refuses: it signs them itself, from the headers.
RESERVED: Final = frozenset({"sid", "timeStamp", "key"})


@attrs.frozen(kw_only=True)
class V2Body:
    """A v2 action's JSON body and the fields it signs (sorted, without sid and timeStamp).

    Equal bodies are equal values (identical calls are recognised by them).
    """

    json: bytes = attrs.field(repr=False)
    signed: tuple[tuple[str, str], ...] = attrs.field(repr=False)


def _dumps(value: Any) -> bytes:
    return compact(value).encode()


def _scalar_text(value: object) -> str | None:
    """The text a top-level value is signed as, or ``None`` if it is not signed."""
    if isinstance(value, list | dict) or value is None:
        return None
    text = str(value)
    return text if len(text.encode()) <= V2_SIGNED_VALUE_BYTES else None


def signed_fields(doc: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The body's fields that the signature covers, as ``(name, text)`` sorted by name."""
    pairs = ((name, _scalar_text(value)) for name, value in doc.items())
    return tuple(sorted((name, text) for name, text in pairs if text is not None))


def signature(signed: Sequence[tuple[str, str]], sid: int, timestamp: int, secret: str) -> str:
    """``X-EEO-SIGN`` for these signed fields: md5 of the sorted ``k=v&...&key=SECRET``."""
    pairs = sorted([*signed, ("sid", str(sid)), ("timeStamp", str(timestamp))])
    text = "&".join(f"{name}={value}" for name, value in pairs) + f"&key={secret}"
    return hashlib.md5(text.encode()).hexdigest()


class Signer:
    """Signs v2 attempts for one school; the secret is never shown in a ``repr``."""

    __slots__ = ("_secret", "sid")

    def __init__(self, sid: int, secret: str) -> None:
        self.sid = sid
        self._secret = secret

    def __repr__(self) -> str:
        return f"<v2 Signer sid={self.sid}>"

    def headers(self, body: V2Body, timestamp: int) -> dict[str, str]:
        """The request's headers, ``X-EEO-SIGN`` computed afresh for ``timestamp``."""
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-EEO-SIGN": signature(body.signed, self.sid, timestamp, self._secret),
            "X-EEO-UID": str(self.sid),
            "X-EEO-TS": str(timestamp),
        }


def _document(endpoint: Endpoint, values: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object of ``values`` by wire name, each in its kind's JSON form, in row order."""
    doc: dict[str, Any] = {}
    for param in endpoint.params:
        value = values.get(param.name)
        if value is None:
            continue
        doc[param.wire] = param.kind.json(value)
    return doc


def encode(endpoint: Endpoint, params: Any) -> V2Body:
    """The action's JSON body (without ``sid`` and ``timeStamp``) and its signed fields."""
    doc = _document(endpoint, attrs.asdict(params, recurse=False))
    return V2Body(json=_dumps(doc), signed=signed_fields(doc))


def chunk_encoder(
    endpoint: Endpoint, fixed: Mapping[str, object]
) -> Callable[[Sequence[Any]], V2Body]:
    """An encoder of chunks of items for fixed values of the other parameters.

    The body is laid out once for the target; the items (an array, so never signed) go
    in its place for each chunk. An items kind whose JSON form is an object (one item a
    call) spreads the item's fields at the top level instead.
    """
    items = endpoint.items
    assert items is not None  # noqa: S101 - only rows with items are chunked
    mark = "\x00items\x00"
    doc: dict[str, Any] = {}
    for param in endpoint.params:
        value: Any = fixed.get(param.name, None if param.default is REQUIRED else param.default)
        if param.name == items:
            doc[param.wire] = mark
        elif value is not None:
            doc[param.wire] = param.kind.json(value)
    head, _, tail = _dumps(doc).partition(_dumps(mark))
    fields = {wire: value for wire, value in doc.items() if value is not mark}
    signed = signed_fields(fields)
    kind: ItemsKind = endpoint.items_kind

    def encode(chunk: Sequence[Any]) -> V2Body:
        items = kind.json(chunk)
        if isinstance(items, dict):
            # One item a call whose fields are the body's own (createClassroom): they go
            # at the top level, after the fixed ones, and are signed like them.
            body = {**fields, **items}
            return V2Body(json=_dumps(body), signed=signed_fields(body))
        return V2Body(json=head + _dumps(items) + tail, signed=signed)

    return encode


def request(endpoint: Endpoint, body: V2Body, signer: Signer, timestamp: int) -> Request:
    """The attempt's request, signed for ``timestamp``."""
    headers = signer.headers(body, timestamp)
    return Request(
        action=endpoint.action,
        path=endpoint.path,
        headers=headers,
        body=Sealed(body.json),
        signature=headers["X-EEO-SIGN"],
    )


def answer(action: str, body: bytes | str) -> Answer:
    """Parse a v2 body into its code, message and data (a leading BOM is skipped).

    Raises:
        ProtocolError: the body is not a JSON object with a numeric ``code``.
    """
    doc = parse_json(action, body)
    code = as_int(doc.get("code"), MAX_CODE) if isinstance(doc, dict) else None
    if code is None:
        message = f"the answer has no code: {snippet(body)}"
        raise ProtocolError(action, message)
    assert isinstance(doc, dict)  # noqa: S101 - narrowed above, for the type checker
    msg = doc.get("msg")
    text = msg if isinstance(msg, str) else describe(code)
    return Answer(code=code, message=text, data=doc.get("data"), doc=doc)
