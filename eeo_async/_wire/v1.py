"""API v1 on the wire: form fields signed with ``safeKey``, answers in ``error_info``.

``POST https://api.eeo.cn/partner/api/course.api.php?action=X`` (the cloud-drive actions
at ``cloud.api.php``), URL-encoded form fields (multipart when a file is sent), arrays as
one JSON string in a field. Signing: ``SID``, ``timeStamp`` (Unix seconds, within 20
minutes of the server's clock) and ``safeKey = md5(SECRET + timeStamp)``; nothing else
is signed. The answer is ``{"error_info": {"errno", "error"}, "data"?}``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote_plus

import attrs

from .._codes import describe
from .._constants import USER_AGENT
from .._errors import ProtocolError
from .._http import Request, Sealed, SealedText, Upload
from .decode import MAX_CODE, parse_json, snippet
from .endpoint import REQUIRED, Answer, Endpoint
from .kinds import FileField, ItemsKind, as_int

#: The fields v1 signs with; an action's own fields never use these names.
SIGNING: Final = frozenset({"SID", "safeKey", "timeStamp"})
HEADERS: Final = {
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Cache-Control": "no-cache",
    "User-Agent": USER_AGENT,
}
UPLOAD_HEADERS: Final = {"Cache-Control": "no-cache", "User-Agent": USER_AGENT}


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


def encode(endpoint: Endpoint, params: Any) -> V1Body:
    """The action's own fields (without the signing fields), URL-encoded, in row order.

    Each value is written by its kind; optional parameters not given are left out. A
    row with a file gives a :class:`V1Upload` instead (sent as ``multipart/form-data``).
    The form carries the secrets it holds (``hidden``), for the scrub of any answer.
    """
    parts: list[str] = []
    texts: list[tuple[str, str]] = []
    hidden: list[str] = []
    file: tuple[str, FileField] | None = None
    for param in endpoint.params:
        value = getattr(params, param.name)
        if value is None:
            continue
        kind = param.kind
        if isinstance(kind, ItemsKind):
            if kind.hidden is not None:
                hidden.extend(kind.hidden(value))
            spread = kind.fields
            if spread is not None:
                parts.append(_form(spread(value)))
            else:
                parts.append(f"{param.wire}={kind.quoted(value)}")
            continue
        if kind.upload:
            file = (param.wire, value)
            continue
        text = kind.text(value)
        if kind.hidden:
            hidden.append(text)
        texts.append((param.wire, text))
        parts.append(f"{param.wire}={quote_plus(text)}")
    if file is not None:
        return V1Upload(fields=tuple(texts), file_field=file[0], file=file[1])
    return _sealed("&".join(part for part in parts if part), hidden)


def _sealed(form: str, hidden: Sequence[str]) -> SealedText:
    text = SealedText(form)
    if hidden:
        text.hidden = tuple(hidden)
    return text


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
    fixed_hidden: list[str] = []
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
        text = kind.text(value)
        if kind.hidden:
            fixed_hidden.append(text)
        (after if wire else before).append(f"{param.wire}={quote_plus(text)}")
    head = "&".join([*before, ""])
    tail = "".join(f"&{field}" for field in after)
    kind_of_items = endpoint.items_kind
    spread = kind_of_items.fields
    form: Callable[[Sequence[Any]], str]
    if spread is not None:
        # The items' own fields take the place of the one ``wire=...`` field.
        form = lambda chunk: head + _form(spread(chunk)) + tail  # noqa: E731
    else:
        head += f"{wire}="
        quoted = kind_of_items.quoted
        form = lambda chunk: head + quoted(chunk) + tail  # noqa: E731
    secrets = kind_of_items.hidden
    if secrets is None and not fixed_hidden:
        return lambda chunk: SealedText(form(chunk))
    return lambda chunk: _sealed(
        form(chunk), [*fixed_hidden, *(secrets(chunk) if secrets is not None else ())]
    )


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
        hidden=getattr(body, "hidden", ()),
    )


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
