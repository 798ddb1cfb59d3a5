"""What each fault kind of ``Faults`` does to an answer: rows of three tables.

``BEFORE`` kinds are drawn before the handler runs (nothing is applied), ``AFTER`` kinds
once it has run (the change is in place; those saying so skip a refused call), in the
order of their draws; ``CAPACITY``
holds the busy answers of a sandbox past its capacity. A row names the generations it
applies to; every answer a kind makes is in the route's own envelope.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Final, NoReturn
from urllib.parse import quote

import attrs
from aiohttp import web

from .._codes import Errno
from ._faults import Faults
from ._http import Call
from ._wire import V2_TOO_FREQUENT

Responder = Callable[[Call, Faults, dict[str, Any]], Awaitable[web.StreamResponse]]
_HTML_ERROR: Final = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
_BOTH: Final = ("v1", "v2")


@attrs.frozen
class Kind:
    """One fault kind: its ``Faults`` field, what it answers, and where it applies.

    ``acted`` marks an ``AFTER`` kind that says the change was made (then the answer is
    lost or replaced): it is not drawn on a call the handler refused, where nothing was.
    """

    name: str
    respond: Responder
    generations: tuple[str, ...] = _BOTH
    acted: bool = False


async def _close(call: Call, faults: Faults, doc: dict[str, Any]) -> NoReturn:
    if call.request.transport is not None:
        call.request.transport.close()
    # The client sees the connection closed without an answer.
    raise asyncio.CancelledError


def _page(status: int, body: bytes, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=body, content_type="text/html", headers=headers)


async def _too_many(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    return _page(429, b"Too Many Requests", {"Retry-After": "1"})


async def _bad_gateway(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    return _page(502, _HTML_ERROR)


async def _html_200(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    return _page(200, _HTML_ERROR)


async def _unavailable(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    return _page(503, b"Service Unavailable")


async def _redirect(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    request = call.request
    return _page(302, b"", {"Location": f"https://{request.host}{request.path_qs}"})


def _code(code: int) -> Responder:
    """Answers ``code`` in the call's envelope, whatever the handler answered."""

    async def respond(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
        return call.respond(call.envelope(code))

    return respond


def echo_text(pairs: list[tuple[str, str]], spelling: str) -> str:
    """The echoed fields in one spelling: ``plain``, ``url``, ``lower`` or ``json``."""
    plain = "&".join(f"{k}={v}" for k, v in pairs)
    if spelling == "url":
        return quote(plain, safe="")
    if spelling == "lower":
        return plain.lower()
    if spelling == "json":
        return json.dumps(dict(pairs), ensure_ascii=False, separators=(",", ":"))
    return plain


async def _echo(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    pairs = call.echoed()
    lines = "<br>".join(echo_text(pairs, spelling) for spelling in faults.echo_spellings)
    body = f"<html><body>upstream error; request was: {lines}</body></html>"
    return web.Response(status=200, text=body, content_type="text/html")


async def _gbk(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    return call.respond(doc, charset="gbk")


async def _bom(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    return call.respond(doc, bom=True)


async def _gzip(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    return call.respond(doc, gzip=True, inflate_to=faults.gzip_bomb_bytes or 0)


async def _answer_then_close(call: Call, faults: Faults, doc: dict[str, Any]) -> web.Response:
    # Closing right after the answer would race the client's pool (it usually sees the
    # close before reusing the connection); closing when the next request arrives on it
    # is what that race looks like when the client loses it, every time.
    call.close_next = True
    return call.respond(doc)


#: Drawn before the handler runs; nothing is applied. In the order of their draws.
BEFORE: Final[tuple[Kind, ...]] = (
    Kind("drop_before", _close),
    Kind("rate_limited", _too_many),
    Kind("http_error", _bad_gateway),
    Kind("non_json", _html_200),
    Kind("call_busy", _code(Errno.SERVER_BUSY)),
    Kind("redirect", _redirect),
    # createClassroom's documented limit answer; no v1 page documents 101003001.
    Kind("too_frequent", _code(V2_TOO_FREQUENT), ("v2",)),
)
#: The busy answers of a sandbox over its capacity (``Faults.capacity_answer``).
CAPACITY: Final[dict[str, Responder]] = {
    "114": _code(Errno.SERVER_BUSY),
    "429": _too_many,
    "503": _unavailable,
}
#: Drawn after the handler has applied the change. In the order of their draws (kinds
#: added later go last, so a seed's earlier draws stay the same).
AFTER: Final[tuple[Kind, ...]] = (
    Kind("lost_after", _close, acted=True),
    Kind("error_after", _bad_gateway, acted=True),
    Kind("busy_after", _code(Errno.OPERATION_FAILED), acted=True),
    Kind("echo_after", _echo, acted=True),
    Kind("gbk", _gbk),
    Kind("busy_acted", _code(Errno.SERVER_BUSY), acted=True),
    Kind("bom", _bom),
    Kind("gzip", _gzip),
    Kind("keepalive_close", _answer_then_close),
)
