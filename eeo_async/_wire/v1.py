"""API v1 on the wire: form fields signed with ``safeKey``, answers in ``error_info``.

``POST https://api.eeo.cn/partner/api/course.api.php?action=X`` (the cloud-drive actions
at ``cloud.api.php``), URL-encoded form fields (multipart when a file is sent), arrays as
one JSON string in a field. Signing: ``SID``, ``timeStamp`` (Unix seconds, within 20
minutes of the server's clock) and ``safeKey = md5(SECRET + timeStamp)``; nothing else
is signed. The answer is ``{"error_info": {"errno", "error"}, "data"?}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote_plus

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from .._codes import describe
from .._constants import USER_AGENT
from .._errors import ProtocolError
from .._http import Request, Sealed, SealedText, Upload
from .endpoint import REQUIRED, Answer, Endpoint, Param
from .kinds import FileField, ItemsKind, as_int

_loads: Callable[[bytes | str], Any]
try:  # the "speed" extra: orjson parses answers about three times as fast
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - tests/test_wire.py runs the decoders on json too
    _loads = json.loads

#: The fields v1 signs with; an action's own fields never use these names.
SIGNING: Final = frozenset({"SID", "safeKey", "timeStamp"})
HEADERS: Final = {
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Cache-Control": "no-cache",
    "User-Agent": USER_AGENT,
}
UPLOAD_HEADERS: Final = {"Cache-Control": "no-cache", "User-Agent": USER_AGENT}
#: Server codes are positive numbers below this; anything else is not the documented JSON.
MAX_CODE: Final = 2**31 - 1
_BOM: Final = b"\xef\xbb\xbf"


def sign(secret: str, timestamp: int) -> str:
    """Return ``md5(secret + str(timestamp))`` as 32 lower-case hex characters."""
    return hashlib.md5((secret + str(timestamp)).encode()).hexdigest()


class Signer:
    """Signs v1 attempts for one school: one md5 a second, however many calls.

    The secret is kept inside and never shown in a ``repr``.
    """

    __slots__ = ("_heads", "_secret", "sid")

    def __init__(self, sid: int, secret: str) -> None:
        self.sid = sid
        self._secret = secret
        self._heads: dict[int, tuple[str, str]] = {}

    def __repr__(self) -> str:
        return f"<v1 Signer sid={self.sid}>"

    def head(self, timestamp: int) -> tuple[str, str]:
        """``SID=..&safeKey=..&timeStamp=..`` for ``timestamp``, and its key (cached)."""
        found = self._heads.get(timestamp)
        if found is None:
            if len(self._heads) > 4:
                self._heads.clear()
            key = sign(self._secret, timestamp)
            head = f"SID={self.sid}&safeKey={key}&timeStamp={timestamp}"
            found = self._heads[timestamp] = (head, key)
        return found

    def fields(self, timestamp: int) -> dict[str, str]:
        """The signing fields for ``timestamp`` as a mapping (for a multipart form)."""
        key = sign(self._secret, timestamp)
        return {"SID": str(self.sid), "safeKey": key, "timeStamp": str(timestamp)}


@attrs.frozen(kw_only=True)
class V1Upload:
    """A v1 action's own fields and its file, before signing (a multipart body)."""

    fields: tuple[tuple[str, str], ...] = attrs.field(repr=False)
    file_field: str
    file: FileField


V1Body = str | V1Upload


class _Slot:
    """Stands for the items while a batch's form is laid out once per target."""


_MARK: Final = "\x00items\x00"
_QUOTED_MARK: Final = quote_plus(_MARK)


def _converter(endpoint: Endpoint) -> Callable[[Any], dict[str, Any]]:
    """The row's private cattrs converter: snake_case -> wire names, values as text."""
    found = endpoint.cache.get("v1_converter")
    if found is None:
        converter = cattrs.Converter()
        overrides: dict[str, Any] = {
            p.name: override(rename=p.wire, unstruct_hook=_text_hook(p)) for p in endpoint.params
        }
        cls = endpoint.params_class
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, **overrides)
        )
        found = endpoint.cache["v1_converter"] = converter.unstructure
    return found


@attrs.frozen
class _Fields:
    """Items written as form fields of their own (``ItemsKind.fields``), not as one field."""

    pairs: Sequence[tuple[str, str]]


@attrs.frozen
class _Quoted:
    """Items already URL-quoted by their kind's fast form (``ItemsKind.quoted``)."""

    text: str


def _text_hook(param: Param) -> Callable[[Any], Any]:
    kind = param.kind
    if isinstance(kind, ItemsKind):
        spread = kind.fields
        if spread is not None:
            return lambda value: _MARK if isinstance(value, _Slot) else _Fields(spread(value))
        quoted = kind.quoted
        return lambda value: _MARK if isinstance(value, _Slot) else _Quoted(quoted(value))
    if kind.upload:
        return lambda value: value  # a FileField, sent as the multipart file part
    write = kind.text
    return lambda value: None if value is None else write(value)


def encode(endpoint: Endpoint, params: Any) -> V1Body:
    """The action's own fields (without the signing fields), URL-encoded, in row order.

    Optional parameters not given are left out. A row with a file gives a
    :class:`V1Upload` instead (sent as ``multipart/form-data``).
    """
    fields: dict[str, Any] = _converter(endpoint)(params)
    files = [(name, value) for name, value in fields.items() if isinstance(value, FileField)]
    if files:
        ((name, file),) = files
        rest = tuple((k, v) for k, v in fields.items() if v is not None and k != name)
        return V1Upload(fields=rest, file_field=name, file=file)
    parts: list[str] = []
    for name, text in fields.items():
        if isinstance(text, _Fields):
            parts.append(_form(text.pairs))
        elif isinstance(text, _Quoted):
            parts.append(f"{name}={text.text}")
        elif text is not None:
            parts.append(f"{name}={quote_plus(text)}")
    return SealedText("&".join(part for part in parts if part))


def _form(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{name}={quote_plus(text)}" for name, text in pairs)


def chunk_encoder(
    endpoint: Endpoint, fixed: Mapping[str, object]
) -> Callable[[Sequence[Any]], str]:
    """An encoder of chunks of items for fixed values of the other parameters.

    The form is laid out once for the target: its fixed fields (each written by its
    kind, in row order, those not given left out) before and after the items' place;
    each chunk is then one join, giving the bytes :func:`encode` gives (a test holds
    every row to that).
    """
    items = endpoint.items
    assert items is not None  # noqa: S101 - only rows with items are chunked
    before: list[str] = []
    after: list[str] = []
    wire = ""
    for param in endpoint.params:
        if param.name == items:
            wire = param.wire
            continue
        value = fixed.get(param.name, None if param.default is REQUIRED else param.default)
        if value is None:
            continue
        kind = param.kind
        assert not isinstance(kind, ItemsKind)  # noqa: S101 - a row has one items parameter
        (after if wire else before).append(f"{param.wire}={quote_plus(kind.text(value))}")
    head = "&".join([*before, ""])
    tail = "".join(f"&{field}" for field in after)
    kind_of_items = endpoint.items_kind
    spread = kind_of_items.fields
    if spread is not None:
        # The items' own fields take the place of the one ``wire=...`` field.
        return lambda chunk: SealedText(head + _form(spread(chunk)) + tail)
    head += f"{wire}="
    quoted = kind_of_items.quoted
    return lambda chunk: SealedText(head + quoted(chunk) + tail)


def _present(values: Mapping[str, object]) -> dict[str, object]:
    return {name: value for name, value in values.items() if value is not None}


def path_of(endpoint: Endpoint) -> str:
    """The row's path with its ``?action=`` query."""
    found = endpoint.cache.get("v1_path")
    if found is None:
        found = endpoint.cache["v1_path"] = f"{endpoint.path}?action={quote_plus(endpoint.action)}"
    return str(found)


def request(endpoint: Endpoint, body: V1Body, signer: Signer, timestamp: int) -> Request:
    """The attempt's request, signed for ``timestamp``: the signing fields, then the action's."""
    head, key = signer.head(timestamp)
    if isinstance(body, V1Upload):
        upload = Upload(
            fields={**signer.fields(timestamp), **dict(body.fields)},
            file_field=body.file_field,
            path=body.file.path,
            filename=body.file.filename,
            size=body.file.size,
        )
        return Request(
            action=endpoint.action,
            path=path_of(endpoint),
            headers=UPLOAD_HEADERS,
            body=upload,
            signature=key,
        )
    data = f"{head}&{body}".encode() if body else head.encode()
    return Request(
        action=endpoint.action,
        path=path_of(endpoint),
        headers=HEADERS,
        body=Sealed(data),
        signature=key,
    )


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


def answer(action: str, body: bytes | str) -> Answer:
    """Parse a v1 body into its code, message and data.

    Raises:
        ProtocolError: the body is not a JSON object with an ``error_info.errno``.
    """
    doc = parse_json(action, body)
    info = doc.get("error_info") if isinstance(doc, dict) else None
    errno = as_int(info.get("errno"), MAX_CODE) if isinstance(info, dict) else None
    if errno is None:
        message = f"the answer has no error_info.errno: {snippet(body)}"
        raise ProtocolError(action, message)
    assert isinstance(info, dict)  # noqa: S101 - narrowed above, for the type checker
    error = info.get("error")
    text = error if isinstance(error, str) else describe(errno)
    return Answer(code=errno, message=text, data=doc.get("data"), doc=doc)
