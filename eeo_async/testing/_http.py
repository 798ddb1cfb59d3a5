"""The sandbox's HTTP side: reading a request of either generation, and writing answers.

``read_v1`` takes a url-encoded or multipart form (a file part is streamed to disk and
counted, never held whole), ``read_v2`` the JSON body; ``Call`` is one request as read,
with the answer helpers the server and the fault kinds share (counted JSON answers, in
plain UTF-8, GBK, with a BOM, or gzip-compressed with an optional inflating tail).
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import attrs
from aiohttp import BodyPartReader, web

from .._codes import Errno
from ._messages import Texts, document
from ._route import Route
from ._wire import Answer, Upload

#: A text part of a multipart form larger than this is refused (errno 100).
MAX_TEXT_PART: Final = 1024 * 1024
_CHUNK: Final = 64 * 1024
_BOM: Final = b"\xef\xbb\xbf"


async def read_v1(
    request: web.Request, *, upload_dir: Path, max_upload_bytes: int
) -> dict[str, str | Upload]:
    """The form of a v1 request: url-encoded, or multipart with files streamed to disk.

    Raises:
        Answer: errno 100 for a text part past 1 MB.
    """
    if request.content_type != "multipart/form-data":
        form = await request.post()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    fields: dict[str, str | Upload] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue  # nested multipart: no documented action sends one
        if part.filename is not None:
            fields[part.name] = await _stream(part, upload_dir, max_upload_bytes)
            continue
        data = bytearray()
        while chunk := await part.read_chunk(_CHUNK):
            data += chunk
            if len(data) > MAX_TEXT_PART:
                raise Answer(Errno.BAD_PARAMETERS)
        fields[part.name] = data.decode(part.get_charset("utf-8"), errors="replace")
    return fields


async def _stream(part: BodyPartReader, upload_dir: Path, limit: int) -> Upload:
    """Write a file part to a new file under ``upload_dir``, counting its bytes."""
    handle, name = tempfile.mkstemp(dir=upload_dir, prefix="upload-")
    path: Path | None = Path(name)
    size = 0
    with os.fdopen(handle, "wb") as out:
        while chunk := await part.read_chunk(_CHUNK):
            size += len(chunk)
            if size <= limit:
                out.write(chunk)
    if size > limit:
        _discard(name)
        path = None
    content_type = part.headers.get("Content-Type", "application/octet-stream")
    return Upload(part.filename or "", size, path, content_type)


def _discard(name: str) -> None:
    """Remove a kept upload that turned out too large (a quick local unlink)."""
    Path(name).unlink()


async def read_v2(request: web.Request) -> object:
    """The parsed JSON body of a v2 request, or ``None`` when it is not JSON at all."""
    raw = await request.read()
    if request.content_type != "application/json":
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _scalar_text(value: object) -> str | None:
    return None if isinstance(value, (list, dict)) else str(value)


@attrs.define(kw_only=True)
class Call:
    """One request as the sandbox read it, with the helpers that answer it.

    Attributes:
        request: the aiohttp request.
        generation: ``"v1"`` or ``"v2"``.
        name: the v1 action or the v2 path.
        fields: the v1 form (signing fields included) or the v2 JSON object.
        route: the route that serves it, if any.
        texts: how the route's area words its codes.
        language: the sandbox's language.
        count: records an answer document in the stats.
        close_next: set by ``keepalive_close``: close the connection at its next request.
    """

    request: web.Request
    generation: str
    name: str
    fields: dict[str, Any] = attrs.field(repr=False)
    route: Route | None = None
    texts: Texts = attrs.Factory(Texts)
    language: str = "zh"
    count: Callable[[dict[str, Any]], None] = attrs.field(repr=False)
    close_next: bool = False

    def envelope(self, code: int, data: object = None) -> dict[str, Any]:
        """An answer for ``code`` in this call's generation and the route's words."""
        text = self.texts.message(code, self.language)
        return document(code, text, data, v2=self.generation == "v2")

    def echoed(self) -> list[tuple[str, str]]:
        """What a proxy page would echo: the v1 form, or the v2 signing headers and body."""
        if self.generation == "v1":
            return [(k, v) for k, v in self.fields.items() if isinstance(v, str)]
        headers = self.request.headers
        pairs = [(h, headers[h]) for h in ("X-EEO-UID", "X-EEO-TS", "X-EEO-SIGN") if h in headers]
        scalars = ((k, _scalar_text(v)) for k, v in self.fields.items())
        return pairs + [(k, v) for k, v in scalars if v is not None]

    def respond(
        self,
        doc: dict[str, Any],
        *,
        charset: str = "utf-8",
        bom: bool = False,
        gzip: bool = False,
        inflate_to: int = 0,
    ) -> web.Response:
        """Count ``doc`` and answer it as JSON (HTTP 200), encoded as asked.

        Args:
            doc: the answer document.
            charset: the encoding of the body and of ``Content-Type``'s charset.
            bom: start the body with a UTF-8 byte order mark.
            gzip: compress the body (``Content-Encoding: gzip``).
            inflate_to: with ``gzip``, spaces after the JSON inside the compressed body.
        """
        self.count(doc)
        body = json.dumps(doc, ensure_ascii=False).encode(charset, errors="replace")
        if bom:
            body = _BOM + body
        headers = {"Content-Type": f"application/json; charset={charset}"}
        if gzip:
            body = _gzip(body, inflate_to)
            headers["Content-Encoding"] = "gzip"
        return web.Response(body=body, headers=headers)


def _gzip(body: bytes, padding: int) -> bytes:
    """``body`` then ``padding`` spaces, gzip-compressed piece by piece (never held whole)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [packer.compress(body)]
    spaces = b" " * min(padding, 1024 * 1024)
    while padding > 0:
        out.append(packer.compress(spaces[:padding]))
        padding -= len(spaces)
    out.append(packer.flush())
    return b"".join(out)
