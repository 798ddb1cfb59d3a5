"""The Client's core: settings, lifecycle, one signed attempt per generation, retries.

Every action goes through :meth:`BaseClient.request` with its row (``_wire.endpoint``):
the row's codec encodes the values once, and each attempt is signed afresh in the
row's generation (v1 ``safeKey`` in the form, v2 ``X-EEO-SIGN`` in headers) and sent by
the transport. The typed methods are the API areas' (``_api``), composed into
``eeo_async.Client``; the batch engine reaches what it needs through :func:`engine`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import quote, quote_plus

import attrs
from yarl import URL

from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_INITIAL_BACKOFF,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BACKOFF,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_TIMEOUT,
    LOGGER_NAME,
    MAX_BODY_BYTES,
)
from ._engine import Engine
from ._errors import (
    ApiError,
    ClientClosedError,
    DeadlineExceededError,
    EEOError,
    InputError,
    InputTypeError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
)
from ._flight import Flight, one_in_flight
from ._http import Request
from ._limits import AdaptiveLimit, RateLimit, check_rate
from ._retry import RetryPolicy, should_retry
from ._settings import (
    Secret,
    body_text,
    check_base_url,
    check_deadline,
    check_timeout,
    is_loopback,
    past_deadline,
)
from ._transport import AiohttpTransport, Transport
from ._wire.codecs import CODECS
from ._wire.endpoint import Endpoint
from ._wire.kinds import ItemsKind, validate_id

_log = logging.getLogger(LOGGER_NAME)
_REDACTED: Final = b"[redacted]"
#: Distinct ``call()``/``call_v2()`` shapes whose rows are kept built.


def _spellings(text: str) -> set[bytes]:
    """A secret text as an echo may show it: itself, URL-quoted, escaped in JSON."""
    forms = {text, quote_plus(text), quote(text, safe=""), json.dumps(text)[1:-1]}
    forms.add(json.dumps(text, ensure_ascii=False)[1:-1])
    return {form.encode() for form in forms}


@attrs.define
class _Shared:
    """What a Client and its ``with_options`` copies share: transport, limits, in flight."""

    transport: Transport
    closed: bool = False
    #: ``max_per_second``, over every call of the client and its copies.
    rate: RateLimit | None = None
    #: Documented rates of rows (createClassroom: 1000 calls a minute), by action.
    row_rates: dict[str, RateLimit] = attrs.Factory(dict)
    #: Requests in flight for the client's adaptive batch jobs, shared by all of them.
    concurrency: AdaptiveLimit = attrs.Factory(AdaptiveLimit)
    #: (action, body) -> the request in flight: identical ones share it or wait for it.
    in_flight: dict[tuple[str, object], Flight] = attrs.Factory(dict)


class BaseClient:
    """The core every ``eeo_async.Client`` is made of (its typed methods are the areas').

    See :class:`eeo_async.Client` for the arguments.
    """

    def __init__(
        self,
        sid: int | str,
        secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        session: Any = None,
        transport: Transport | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        initial_backoff: float = DEFAULT_INITIAL_BACKOFF,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_per_second: float | None = None,
    ) -> None:
        # The secret is wrapped first, so that no frame of a later error holds it.
        held = Secret(secret)
        del secret
        self._sid = validate_id(sid, "sid")
        text = held.check()
        self._signers = {
            generation: codec.signer(self._sid, text) for generation, codec in CODECS.items()
        }
        # Too short a "secret" (a test's "s") would cut every letter out of answers.
        self._secret_bytes = text.encode() if len(text) >= 8 else b"\x00no-secret\x00"
        del text
        self._base_url = check_base_url(base_url)
        url = URL(self._base_url)
        #: Plain http to a host that is not loopback: no plain password is sent there.
        self._insecure = url.scheme != "https" and not is_loopback(url.host)
        self._timeout = check_timeout(timeout)
        self._policy = RetryPolicy(
            max_attempts=max_attempts, initial_backoff=initial_backoff, max_backoff=max_backoff
        )
        self._clock = clock
        # Deadlines are measured on a monotonic clock, or on the test's own clock.
        self._monotonic = time.monotonic if clock is time.time else clock
        self._deadline: float | None = None
        self._sleep = sleep
        if transport is None:
            transport = AiohttpTransport(
                self._base_url,
                session=session,
                max_connections=max_connections,
                max_body_bytes=max_body_bytes,
            )
        elif not isinstance(transport, Transport):
            message = f"transport must be an eeo_async Transport, got {type(transport).__name__}"
            raise InputTypeError(message)
        rate = check_rate(max_per_second)
        self._shared = _Shared(transport, rate=None if rate is None else RateLimit(rate))

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_attempts: int | None = None,
        initial_backoff: float | None = None,
        max_backoff: float | None = None,
        deadline: float | None = None,
    ) -> Self:
        """A client that shares this one's session and differs only in these settings.

        For a request handler that must bound one call without a second connection
        pool. ``deadline`` bounds a whole single call from its start in seconds: attempts,
        waits (for a connection, a rate limit, an identical call) and backoffs; an
        attempt gets what is left, and past it, or when the next wait would pass it,
        ``DeadlineExceededError`` (a ``RequestTimeoutError``) is raised, chained to the
        last error (``math.inf`` removes it). ``timeout`` bounds one attempt only.
        Closing either client closes the shared session.

        Raises:
            InputError: a setting out of range.
        """
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        if timeout is not None:
            clone._timeout = check_timeout(timeout)
        if deadline is not None:
            clone._deadline = check_deadline(deadline)
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("max_attempts", max_attempts),
                ("initial_backoff", initial_backoff),
                ("max_backoff", max_backoff),
            )
            if value is not None
        }
        clone._policy = attrs.evolve(self._policy, **changes)
        return clone

    @property
    def sid(self) -> int:
        """The school ID this client signs for."""
        return self._sid

    @property
    def base_url(self) -> str:
        """Scheme and host the requests go to."""
        return self._base_url

    @property
    def timeout(self) -> float:
        """Seconds for one HTTP attempt."""
        return self._timeout

    @property
    def deadline(self) -> float | None:
        """Seconds a whole call may take, retries and waits included; ``None``: no bound."""
        return self._deadline

    @property
    def retry_policy(self) -> RetryPolicy:
        """Attempts and backoff of this client (a ``Batcher`` uses them by default)."""
        return self._policy

    @property
    def transport(self) -> Transport:
        """What sends the bytes: the aiohttp transport, or the one given."""
        return self._shared.transport

    @property
    def max_per_second(self) -> float | None:
        """The rate limit of this client in requests per second, or ``None``."""
        rate = self._shared.rate
        return None if rate is None else rate.per_second

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._shared.closed

    def __repr__(self) -> str:
        shared = getattr(self, "_shared", None)  # a client whose __init__ raised has none
        state = " closed" if shared is not None and shared.closed else ""
        sid, url = getattr(self, "_sid", "?"), getattr(self, "_base_url", "?")
        return f"<eeo_async.Client sid={sid} base_url={url!r}{state}>"

    async def __aenter__(self) -> Self:
        self._check_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session the client created (a borrowed one is left open).

        Closing twice is harmless; any call after closing raises ``ClientClosedError``,
        and so do calls still waiting for a connection when it closes.
        """
        self._shared.closed = True
        await self._shared.transport.aclose()

    def _check_open(self) -> None:
        if self._shared.closed:
            message = f"{self!r} is closed; create a new Client"
            raise ClientClosedError(message)

    # ------------------------------------------------------------------ one attempt

    async def _attempt(
        self,
        endpoint: Endpoint,
        body: Any,
        items: Sequence[Any],
        attempt: int = 1,
        *,
        seconds: float | None = None,
        share: bool = False,
    ) -> Any:
        """Send one signed attempt of ``endpoint``, decode its answer, log it at DEBUG.

        Identical requests (same action, same body) are never in flight at once: with
        ``share`` (a row safe to repeat) a caller of the same row joins the one in flight
        and takes its answer; otherwise it waits for that one to end, then sends its own.
        ``seconds`` bounds the attempt (the client's timeout when ``None``).
        """
        self._check_open()
        return await one_in_flight(
            self._shared.in_flight,
            (endpoint.action, body),
            lambda: self._exchange(endpoint, body, items, attempt, seconds or self._timeout),
            share=share,
            row=endpoint,
        )

    async def _exchange(
        self, endpoint: Endpoint, body: Any, items: Sequence[Any], attempt: int, seconds: float
    ) -> Any:
        action = endpoint.action
        shared = self._shared
        if shared.rate is not None:
            await shared.rate.acquire()
        if endpoint.per_minute is not None:
            await self._row_rate(endpoint).acquire()
        codec = CODECS[endpoint.generation]
        # Signed only now, after any wait, so the timestamp is current.
        request = codec.request(
            endpoint, body, self._signers[endpoint.generation], int(self._clock())
        )
        started = time.perf_counter()
        outcome: object = "?"
        try:
            response = await shared.transport.send(request, timeout=seconds)
            text = body_text(action, response, lambda data: self._scrub(data, request))
            result = endpoint.decode(endpoint, codec.answer(action, text), items)
        except ApiError as exc:
            outcome = exc.errno
            raise
        except EEOError as exc:
            outcome = type(exc).__name__
            raise
        else:
            outcome = getattr(result, "errno", 1)
            return result
        finally:
            if _log.isEnabledFor(logging.DEBUG):
                _log.debug(
                    "action=%s items=%d attempt=%d errno=%s latency_ms=%.1f",
                    action,
                    len(items),
                    attempt,
                    outcome,
                    (time.perf_counter() - started) * 1000,
                )

    def _row_rate(self, endpoint: Endpoint) -> RateLimit:
        limit = self._shared.row_rates.get(endpoint.action)
        if limit is None:
            assert endpoint.per_minute is not None  # noqa: S101 - checked by the caller
            limit = self._shared.row_rates[endpoint.action] = RateLimit(endpoint.per_minute / 60)
        return limit

    def _scrub(self, data: bytes, request: Request) -> bytes:
        """``data`` without the secret, this attempt's signature or its passwords, in any spelling.

        Some proxies echo the request in an error page (URL-encoded, lower-cased, as
        JSON, a header line); whatever the server sends may end in an exception, a
        report or a journal, so it never carries them. The checks are substring
        searches for the exact values, so a normal answer costs next to nothing.
        """
        keys = [self._secret_bytes, request.signature.encode()]
        for text in request.hidden:
            keys.extend(_spellings(text))
        hits = [key for key in keys if key and (key in data or key.upper() in data)]
        for key in hits:
            data = re.sub(re.escape(key), _REDACTED, data, flags=re.IGNORECASE)
        return data

    async def _with_retries(
        self, endpoint: Endpoint, body: Any, items: Sequence[Any]
    ) -> tuple[Any, int]:
        """Attempt until success or a final failure; the result and the attempts made.

        Every reason to try again is :func:`~eeo_async._retry.should_retry`; waits come
        from the retry policy (backoff with jitter, ``Retry-After``, documented waits).
        With a deadline, each attempt (waits for a connection or a rate limit included)
        gets only what is left of it, and a wait that would pass it is not waited.
        """
        policy = self._policy
        share = endpoint.idempotent and not endpoint.one_at_a_time
        end = None if self._deadline is None else self._monotonic() + self._deadline
        acted = False
        attempt = 1
        while True:
            left = None if end is None else end - self._monotonic()
            if left is not None and left <= 0:
                raise past_deadline(endpoint, self._deadline, attempt - 1, acted, None)
            timeout = self._timeout if left is None else min(self._timeout, left)
            bound = None if left is None else asyncio.timeout(left)
            try:
                if bound is None:  # no deadline: no timer to arm (the common case)
                    result = await self._attempt(
                        endpoint, body, items, attempt, seconds=timeout, share=share
                    )
                else:
                    async with bound:
                        result = await self._attempt(
                            endpoint, body, items, attempt, seconds=timeout, share=share
                        )
            except TimeoutError as exc:
                if bound is None or not bound.expired():
                    raise
                raise past_deadline(endpoint, self._deadline, attempt, True, None) from exc
            except EEOError as exc:
                acted = acted or exc.may_have_acted
                cut = isinstance(exc, RequestTimeoutError) and timeout < self._timeout
                if cut or (end is not None and self._monotonic() >= end):
                    raise past_deadline(endpoint, self._deadline, attempt, acted, exc) from exc
                if attempt >= policy.max_attempts or not should_retry(exc, endpoint):
                    raise
                wait = policy.delay_after(exc, attempt)
                if end is not None and self._monotonic() + wait >= end:
                    raise past_deadline(endpoint, self._deadline, attempt, acted, exc) from exc
                _log.debug(
                    "retry action=%s after attempt=%d error=%s wait_s=%.2f",
                    endpoint.action,
                    attempt,
                    type(exc).__name__,
                    wait,
                )
            else:
                return result, attempt
            await self._sleep(wait)
            attempt += 1

    def _check_values(self, endpoint: Endpoint, items: Iterable[object]) -> None:
        """Refuse what this client never sends: a plain password over plain http.

        ``items`` are the row's items (a batch's, or a call's); whether one holds a
        plain password is its items kind's to say.
        """
        if not self._insecure:
            return
        holds = endpoint.items_kind.https_only if endpoint.items is not None else None
        if holds is not None and any(holds(item) for item in items):
            self._refuse_plain_password()

    def _refuse_plain_password(self) -> None:
        message = (
            f"a plain password is sent only over https, not to {self._base_url}; "
            "use https or give md5_password"
        )
        raise InputError(message)

    async def request(self, endpoint: Endpoint, /, **values: object) -> Any:
        """Send any row with these values: check, encode, sign each attempt, decode.

        What every typed method does; for an action of your own, build its
        :class:`~eeo_async.Endpoint` row and call this. Retries follow the README's
        table: only where the row says repeating is safe, or the server cannot have
        acted.

        Raises:
            InputError: a bad value (named), before anything is sent.
            ApiError: the server refused the call (a subclass chosen by the code).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        params = endpoint.build(values)
        endpoint = endpoint.as_sent(params)  # a creation without its identity: not repeated
        if self._insecure:
            if any(
                p.kind.https_only and getattr(params, p.name) is not None
                for p in endpoint.params
                if not isinstance(p.kind, ItemsKind)
            ):
                self._refuse_plain_password()
            self._check_values(endpoint, endpoint.items_of(params))
        body = CODECS[endpoint.generation].encode(endpoint, params)
        try:
            result, attempts = await self._with_retries(endpoint, body, endpoint.items_of(params))
        except (ApiError, TransportError, ProtocolError) as exc:
            # A deadline's message already says whether the server may have acted.
            if (
                endpoint.idempotent
                or not exc.may_have_acted
                or isinstance(exc, DeadlineExceededError)
            ):
                raise
            hint = (
                "the server may have acted, so the call was not sent again (repeating it is "
                f"not safe): {endpoint.check_hint}"
            )
            raise exc.with_hint(hint) from exc
        if attrs.has(type(result)) and "attempts" in attrs.fields_dict(type(result)):
            result = attrs.evolve(result, attempts=attempts)
        return result

    def _engine(self) -> Engine:
        return Engine(
            send=self._attempt,
            sleep=self._sleep,
            concurrency=self._shared.concurrency,
            transport=self._shared.transport,
            base_url=self._base_url,
            policy=self._policy,
            check=self._check_values,
        )


def engine(client: BaseClient) -> Engine:
    """What the batch engine uses of ``client`` (see :class:`Engine`)."""
    return client._engine()
