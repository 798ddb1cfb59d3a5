"""The values between the wire layer and a transport: one request out, one response back.

No I/O here. A request is built fresh for every attempt by the generation's codec and
signer (``_wire``); a transport sends it and returns a :class:`Response`. The body and
the headers are wrapped so that no ``repr`` (a log line, ``pytest --showlocals``, an
error tracker's traceback locals) ever shows a signature, a safeKey or a password.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs

#: What the repr of a secret-bearing value shows.
REDACTED: Final = "[redacted]"


class Sealed:
    """Bytes that may hold a safeKey or a password: usable, never shown in a ``repr``."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"<{len(self.data)} bytes {REDACTED}>"

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.data == self.data

    def __hash__(self) -> int:
        return hash(self.data)


class SealedText(str):
    """An action's encoded form (it may hold a password): a ``str`` whose ``repr`` shows none of it.

    Used as the form wherever it travels (a call's arguments, a job's locals), so that no
    traceback local shows it; it compares and hashes as its text. ``hidden`` holds the
    secret texts it carries (passwords), for the scrub of an answer that echoes them.
    """

    hidden: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<form of {len(self)} characters {REDACTED}>"


@attrs.frozen(kw_only=True)
class Upload:
    """A multipart body: form fields and one file streamed from disk (never read whole).

    Attributes:
        fields: the form fields (signing fields included), in order.
        file_field: the file's field name (``Filedata``).
        path: the file on disk.
        filename: the name the server is told.
        size: the file's size in bytes when the request was built.
    """

    fields: Mapping[str, str] = attrs.field(repr=False)
    file_field: str
    path: Path
    filename: str
    size: int


@attrs.frozen(kw_only=True)
class Request:
    """One signed attempt, ready to send: where, which headers, which body.

    Attributes:
        action: the docs' action name (for errors and logs).
        path: the path and query, e.g. ``/partner/api/course.api.php?action=addCourse``
            or ``/lms/unit/create``.
        headers: the headers to send (``X-EEO-SIGN`` for v2); never shown in a repr.
        body: the form or JSON bytes, sealed, or an :class:`Upload`.
        signature: the attempt's safeKey or ``X-EEO-SIGN`` (scrubbed from any answer
            that echoes it); never shown in a repr.
        hidden: the secret texts the body carries (passwords and their digests),
            scrubbed like the signature; never shown in a repr.
    """

    action: str
    path: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: Sealed | Upload = attrs.field(repr=False)
    signature: str = attrs.field(default="", repr=False)
    hidden: tuple[str, ...] = attrs.field(default=(), repr=False)


@attrs.frozen
class Response:
    """One raw answer: HTTP status, headers and body (empty unless the status is 200)."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    body: bytes = attrs.field(default=b"", repr=False)

    @property
    def charset(self) -> str | None:
        """The charset the ``Content-Type`` header declares, lower-cased, if any."""
        content_type = self.headers.get("Content-Type") or self.headers.get("content-type")
        return _charset(content_type) if content_type else None


@functools.lru_cache(maxsize=64)
def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower() or None
    return None
