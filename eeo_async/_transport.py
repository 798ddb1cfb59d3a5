"""The transport: sends ``(action, body)`` and returns ``(status, headers, body)``.

The only client module that imports aiohttp. It never follows redirects, caps the body,
and turns aiohttp's exceptions into this SDK's through one table (``_TRANSLATIONS``).
Signing, de-duplication, decoding and retries are the Client's, above it.
``eeo_async.testing.MockTransport`` stands in for it in tests.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import logging
from collections.abc import Callable, Mapping
from typing import Final

import aiohttp
import attrs
from yarl import URL

from ._constants import API_PATH, LOGGER_NAME, MAX_BODY_BYTES, USER_AGENT
from ._errors import (
    ConnectError,
    EEOError,
    EventLoopError,
    RequestTimeoutError,
    ResponseTooLargeError,
    TLSError,
    TransportError,
)

_log = logging.getLogger(LOGGER_NAME)

_HEADERS: Final = {
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Cache-Control": "no-cache",
    "User-Agent": USER_AGENT,
}


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


class Transport(abc.ABC):
    """Sends one signed form body to an action and returns the raw :class:`Response`.

    Implementations raise :class:`eeo_async.TransportError` subclasses for anything that
    gives no HTTP answer, and never follow redirects.
    """

    @abc.abstractmethod
    async def send(self, action: str, body: bytes, *, timeout: float) -> Response:  # noqa: ASYNC109 - the per-attempt timeout is the transport's contract
        """Send ``body`` to ``action``; the timeout counts from when the request starts."""

    def reserve(self, in_flight: int) -> None:  # noqa: B027 - optional hook
        """Be ready for ``in_flight`` requests at once (a Batcher's concurrency)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release what the transport holds; closing twice is harmless."""


def _connect_error(exc: BaseException, action: str) -> EEOError:
    os_error = getattr(exc, "os_error", None)
    return ConnectError(action, f"cannot connect: {os_error or exc}")


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
)


def translate(exc: BaseException, action: str) -> EEOError:
    """The SDK's exception for an aiohttp or timeout exception, keeping the action."""
    for kind, make in _TRANSLATIONS:
        if isinstance(exc, kind):
            return make(exc, action)
    return TransportError(action, f"{type(exc).__name__}: {exc}")


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
        self._url = URL(base_url + API_PATH)
        self._urls: dict[str, URL] = {}
        self._session = session
        self._owned = session is None
        self._max_body = max_body_bytes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._capacity = max_connections if self._owned else _pool_size(session)
        self._closed = False
        self._limits: dict[float, aiohttp.ClientTimeout] = {}

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

    def _ready(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if self._loop is not None and loop is not self._loop:
            if self._owned and self._session is not None and self._loop.is_closed():
                # Its loop is gone: nothing can close it now; stop it warning as well.
                self._session.detach()
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
        if self._slots is None:
            self._loop = loop
            self._slots = asyncio.Semaphore(self._capacity)
        return self._session, self._slots

    def _url_of(self, action: str) -> URL:
        url = self._urls.get(action)
        if url is None:
            url = self._urls[action] = self._url.with_query(action=action)
        return url

    async def send(self, action: str, body: bytes, *, timeout: float) -> Response:  # noqa: ASYNC109 - the per-attempt timeout is the transport's contract
        """Post ``body`` to ``action`` and read the answer (at most the body limit)."""
        session, slots = self._ready()
        limits = self._limits.get(timeout)
        if limits is None:
            limits = self._limits[timeout] = aiohttp.ClientTimeout(
                total=timeout, sock_connect=timeout
            )
        async with slots:
            try:
                async with session.post(
                    self._url_of(action),
                    data=body,
                    headers=_HEADERS,
                    timeout=limits,
                    allow_redirects=False,
                    raise_for_status=False,
                ) as response:
                    if response.status != 200:
                        return Response(response.status, response.headers)
                    return Response(200, response.headers, await self._read(response, action))
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise translate(exc, action) from exc

    async def _read(self, response: aiohttp.ClientResponse, action: str) -> bytes:
        length = response.content_length
        if length is not None and length <= self._max_body:
            return await response.read()
        if length is not None:
            message = f"the answer is {length} bytes, over the limit of {self._max_body}"
            raise ResponseTooLargeError(action, message, response.status)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > self._max_body:
                message = f"the answer is over the limit of {self._max_body} bytes"
                raise ResponseTooLargeError(action, message, response.status)
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        """Close an owned session (a borrowed one is left open)."""
        session, self._session = self._session, None
        if session is not None and self._owned:
            await session.close()


def _pool_size(session: aiohttp.ClientSession | None) -> int:
    """The connections a borrowed session's connector allows to one host (0 = no limit)."""
    connector = session.connector if session is not None else None
    sizes = (getattr(connector, "limit", 0), getattr(connector, "limit_per_host", 0))
    limits = [n for n in sizes if n]
    return min(limits) if limits else 1_000_000
