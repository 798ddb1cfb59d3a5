"""Serving a receiver: an aiohttp application and an ASGI one, both thin over ``handle``.

Both cap the body while it streams in, so an oversized push is refused (413) without
being read whole, and answer with the receiver's reply as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from aiohttp import web

from ._reply import Reply

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _Handles(Protocol):
    max_body: int

    async def handle(self, body: bytes) -> Reply: ...

    def too_large(self, size: int | None = None) -> Reply: ...

    async def close(self) -> None: ...


def aiohttp_app(receiver: _Handles, path: str) -> web.Application:
    """An aiohttp application serving ``receiver`` at ``path`` (POST)."""

    async def post(request: web.Request) -> web.Response:
        length = request.content_length
        reply = receiver.too_large(length) if length and length > receiver.max_body else None
        if reply is None:
            chunks, size = [], 0
            async for chunk in request.content.iter_any():
                size += len(chunk)
                if size > receiver.max_body:
                    reply = receiver.too_large()
                    break
                chunks.append(chunk)
            else:
                reply = await receiver.handle(b"".join(chunks))
        return web.Response(
            status=reply.status, body=reply.body, content_type="application/json", charset="utf-8"
        )

    async def cleanup(app: web.Application) -> None:
        await receiver.close()

    # aiohttp's own cap, one byte above ours so that ours answers first.
    app = web.Application(client_max_size=receiver.max_body + 1)
    app.router.add_post(path, post)
    app.on_cleanup.append(cleanup)
    return app


class _Disconnected(Exception):  # noqa: N818 - a control-flow signal
    pass


class ASGIApp:
    """An ASGI 3 application serving a receiver: POST bodies to ``handle``, 405 otherwise.

    A class, not a function, so that Starlette's ``Route`` treats it as an ASGI app.
    """

    def __init__(self, receiver: _Handles) -> None:
        self.receiver = receiver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection (``http``; ``lifespan`` closes the store at shutdown)."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets are not ClassIn's; closing the scope refuses them
        if scope.get("method") != "POST":
            await _answer(send, 405, b'{"error":"POST only"}', [(b"allow", b"POST")])
            return
        try:
            body = await self._body(scope, receive)
        except _Disconnected:
            return  # nobody to answer; ClassIn pushes it again
        if body is None:
            reply = self.receiver.too_large(_length(scope))
        else:
            reply = await self.receiver.handle(body)
        await _answer(send, reply.status, reply.body)

    async def _body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The body, or None as soon as it passes the cap (the rest is never read)."""
        cap = self.receiver.max_body
        length = _length(scope)
        if length is not None and length > cap:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.receiver.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, or None when it has none (or a bad one)."""
    value = dict(scope.get("headers") or ()).get(b"content-length", b"")
    # Longer than any real body's: unknown (int() would refuse thousands of digits).
    return int(value) if value.isdigit() and len(value) <= 18 else None


async def _answer(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    headers = [(b"content-type", Reply.content_type.encode()), *(extra or [])]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
