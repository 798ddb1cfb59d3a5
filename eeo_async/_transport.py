"""The transport: sends one :class:`~eeo_async._http.Request` and returns a ``Response``.

The only client module that imports aiohttp. It never follows redirects, caps the body
(counting the bytes after decompression), and turns aiohttp's exceptions into this SDK's
through one table (``_TRANSLATIONS``), which tells a request that never left (safe to
send again) from one that left and got no answer (the server may have acted). Signing,
de-duplication, decoding and retries are the Client's, above it.
``eeo_async.testing.MockTransport`` stands in for it in tests.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Final

import aiohttp
from yarl import URL

from ._constants import LOGGER_NAME, MAX_BODY_BYTES
from ._errors import (
    ClientClosedError,
    ConnectError,
    EEOError,
    EventLoopError,
    RequestNotSentError,
    RequestTimeoutError,
    ResponseTooLargeError,
    TLSError,
    TransportError,
)
from ._http import Request, Response, Sealed, Upload

_log = logging.getLogger(LOGGER_NAME)

#: Distinct request paths whose URL is kept built (the rows' paths, and some others).
_URLS_KEPT: Final = 256


class Transport(abc.ABC):
    """Sends one signed :class:`Request` and returns the raw ``Response``.

    Implementations raise :class:`eeo_async.TransportError` subclasses for anything that
    gives no HTTP answer (:class:`eeo_async.RequestNotSentError` when the request
    certainly never reached the server), and never follow redirects.
    """

    @abc.abstractmethod
    async def send(self, request: Request, *, timeout: float) -> Response:  # noqa: ASYNC109 - the per-attempt timeout is the transport's contract
        """Send ``request``; the timeout counts from when the request starts."""

    def reserve(self, in_flight: int) -> None:  # noqa: B027 - optional hook
        """Be ready for ``in_flight`` requests at once (a Batcher's concurrency)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release what the transport holds; closing twice is harmless."""


def _connect_error(exc: BaseException, action: str) -> EEOError:
    os_error = getattr(exc, "os_error", None)
    return ConnectError(action, f"cannot connect: {os_error or exc}")


def _os_error(exc: BaseException, action: str) -> EEOError:
    # aiohttp words a failure to write the request as "Can not write request body":
    # a kept-alive connection the server had closed. The server got no whole request.
    if "Can not write request body" in str(exc):
        return RequestNotSentError(action, f"the request could not be written: {exc}")
    return TransportError(action, f"connection failed: {exc}")


def _connection_error(exc: BaseException, action: str) -> EEOError:
    if "Failed to send bytes into the underlying connection" in str(exc):
        return RequestNotSentError(action, "the request could not be written: connection closed")
    return TransportError(action, f"connection failed: {exc}")


#: aiohttp's exceptions and ours, most specific first; the first match is raised.
_Translation = tuple[type[BaseException], Callable[[BaseException, str], EEOError]]
_TRANSLATIONS: Final[tuple[_Translation, ...]] = (
    (aiohttp.ConnectionTimeoutError, lambda e, a: ConnectError(a, "timed out while connecting")),
    (TimeoutError, lambda e, a: RequestTimeoutError(a, "no complete answer within the timeout")),
    (aiohttp.ClientSSLError, lambda e, a: TLSError(a, f"TLS failure: {e}")),
    (aiohttp.ClientConnectorError, _connect_error),
    (
        aiohttp.ServerDisconnectedError,
        lambda e, a: TransportError(a, "the server closed the connection without answering"),
    ),
    (aiohttp.ClientPayloadError, lambda e, a: TransportError(a, f"the answer was cut off: {e}")),
    (aiohttp.InvalidURL, lambda e, a: ConnectError(a, f"invalid URL: {e}")),
    (aiohttp.ClientOSError, _os_error),
    (aiohttp.ClientConnectionError, _connection_error),
)


def translate(exc: BaseException, action: str) -> EEOError:
    """The SDK's exception for an aiohttp or timeout exception, keeping the action."""
    for kind, make in _TRANSLATIONS:
        if isinstance(exc, kind):
            return make(exc, action)
    return TransportError(action, f"{type(exc).__name__}: {exc}")


@functools.lru_cache(maxsize=16)
def attempt_timeout(seconds: float) -> aiohttp.ClientTimeout:
    """Aiohttp's timeout for one attempt (a few distinct values are kept, not every one)."""
    return aiohttp.ClientTimeout(total=seconds, sock_connect=seconds)


@contextlib.contextmanager
def _form(upload: Upload) -> Iterator[aiohttp.FormData]:
    """A multipart form streaming the upload's file from disk (never read whole)."""
    # Names are sent as given (as browsers and PHP clients do), not percent-encoded.
    form = aiohttp.FormData(quote_fields=False)
    for name, value in upload.fields.items():
        form.add_field(name, value)
    with upload.path.open("rb") as handle:
        form.add_field(upload.file_field, handle, filename=upload.filename)
        yield form


class AiohttpTransport(Transport):
    """The default transport: one ``aiohttp.ClientSession``, owned or borrowed.

    An owned session is created on first use inside the running loop, with a pool that
    grows to the concurrency asked of it (``max_connections`` at first). A borrowed
    session keeps its own settings for its owner's other requests, but never changes
    ours: redirects are not followed, ``raise_for_status`` and its timeout are
    overridden per request, and its pool size is respected (with a warning when a
    Batcher asks for more). Time spent waiting for a pooled connection never counts
    against a request's timeout.
    """

    def __init__(
        self,
        base_url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        max_connections: int = 100,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self._base = base_url
        self._urls: dict[str, URL] = {}
        self._session = session
        self._owned = session is None
        self._max_body = max_body_bytes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._capacity = max_connections if self._owned else _pool_size(session)
        self._closed = False
        # Suspended for the owned session's life, so that the loop's shutdown (asyncio.run
        # and pytest-asyncio finalize async generators before closing) closes it.
        self._watch: AsyncGenerator[None, None] | None = None
        self._watching = False

    def reserve(self, in_flight: int) -> None:
        """Grow an owned pool to ``in_flight``; warn when a borrowed one is smaller."""
        if self._owned:
            if self._slots is not None:
                for _ in range(in_flight - self._capacity):
                    self._slots.release()  # a Semaphore grows by releasing past its start
            self._capacity = max(self._capacity, in_flight)
        elif in_flight > self._capacity:
            _log.warning(
                "the borrowed aiohttp session's pool allows %d connections but %d requests "
                "were asked for at once: the others wait for a connection (the wait does not "
                "count against the timeout); give the session a larger connector limit",
                self._capacity,
                in_flight,
            )

    def _ready(self, action: str) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self._closed:
            message = f"{action}: the client was closed"
            raise ClientClosedError(message)
        loop = asyncio.get_running_loop()
        if self._loop is not None and loop is not self._loop:
            if self._owned and self._session is not None and self._loop.is_closed():
                # Its loop is gone: nothing can be awaited there any more; drop its
                # connections now so that nothing is left unclosed.
                _abandon(self._session)
                self._session = None
            message = (
                "this Client was first used in another event loop "
                f"({'closed' if self._loop.is_closed() else 'still running'}); an aiohttp "
                "session belongs to one loop. Create the Client inside the loop that uses "
                "it (in your app's lifespan, or with 'async with Client(...)' inside each "
                "asyncio.run), and close it before that loop ends"
            )
            raise EventLoopError(message)
        if self._session is None:
            # Unlimited at the connector: the slots are the pool's bound, so that waiting
            # for a connection happens before a request's timeout starts.
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector)
            self._watch = self._close_with_loop(self._session)
            self._watching = False
        if self._slots is None:
            self._loop = loop
            self._slots = asyncio.Semaphore(self._capacity)
        return self._session, self._slots

    def _url_of(self, path: str) -> URL:
        url = self._urls.get(path)
        if url is None:
            if len(self._urls) >= _URLS_KEPT:
                self._urls.clear()
            url = self._urls[path] = URL(self._base + path, encoded=True)
        return url

    async def send(self, request: Request, *, timeout: float) -> Response:  # noqa: ASYNC109 - the per-attempt timeout is the transport's contract
        """Post ``request`` and read the answer (at most the body limit, decompressed)."""
        action = request.action
        session, slots = self._ready(action)
        if self._watch is not None and not self._watching:
            self._watching = True
            await anext(self._watch)  # registers it with this loop's async generators
        async with slots:
            if self._closed or session.closed:
                # Closed while this request waited for a pooled connection.
                message = f"{action}: the client was closed before this request was sent"
                raise ClientClosedError(message)
            # No frame of ours holds the signed body unwrapped: ``_post`` takes it sealed
            # and opens it in the call to aiohttp, whose frames never reach a traceback.
            try:
                if isinstance(request.body, Upload):
                    with _form(request.body) as form:
                        return await self._post(session, request, form, timeout)
                return await self._post(session, request, request.body, timeout)
            except (aiohttp.ClientError, TimeoutError) as exc:
                # The cause keeps its type and message but not its traceback: aiohttp's
                # frames hold the signed body in their locals.
                raise translate(exc, action) from exc.with_traceback(None)
            except RuntimeError as exc:
                if session.closed:
                    message = f"{action}: the client was closed while this request was sent"
                    raise ClientClosedError(message) from None
                raise exc.with_traceback(None) from None

    async def _post(
        self,
        session: aiohttp.ClientSession,
        request: Request,
        body: Sealed | aiohttp.FormData,
        timeout: float,  # noqa: ASYNC109 - one attempt's
    ) -> Response:
        async with session.post(
            self._url_of(request.path),
            data=body.data if isinstance(body, Sealed) else body,
            headers=request.headers,
            timeout=attempt_timeout(timeout),
            allow_redirects=False,
            raise_for_status=False,
        ) as response:
            if response.status != 200:
                return Response(response.status, response.headers)
            return Response(200, response.headers, await self._read(response, request.action))

    async def _read(self, response: aiohttp.ClientResponse, action: str) -> bytes:
        length = response.content_length
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        if length is not None and not encoded:
            if length > self._max_body:
                message = f"the answer is {length} bytes, over the limit of {self._max_body}"
                raise ResponseTooLargeError(action, message, response.status)
            return await response.read()
        # Compressed or of unknown length: count what arrives, after decompression.
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > self._max_body:
                message = f"the answer is over the limit of {self._max_body} bytes"
                raise ResponseTooLargeError(action, message, response.status)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _close_with_loop(self, session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
        """Wait, suspended, for the end of the loop or of the client; then close ``session``."""
        try:
            yield
        finally:
            if not session.closed:
                await session.close()

    async def aclose(self) -> None:
        """Close an owned session (a borrowed one is left open)."""
        self._closed = True
        session, self._session = self._session, None
        watch, self._watch = self._watch, None
        if session is not None and self._owned:
            await session.close()
        if watch is not None and self._watching:
            with contextlib.suppress(RuntimeError):  # another loop's generator
                await watch.aclose()


def _abandon(session: aiohttp.ClientSession) -> None:
    """Drop a session whose loop is closed: close its connections without awaiting."""
    connector = session.connector
    if connector is not None:
        with contextlib.suppress(RuntimeError):  # transports of a closed loop
            connector._close()
    session.detach()


def _pool_size(session: aiohttp.ClientSession | None) -> int:
    """The connections a borrowed session's connector allows to one host (0 = no limit)."""
    connector = session.connector if session is not None else None
    sizes = (getattr(connector, "limit", 0), getattr(connector, "limit_per_host", 0))
    limits = [n for n in sizes if n]
    return min(limits) if limits else 1_000_000
