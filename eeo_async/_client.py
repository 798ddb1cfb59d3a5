"""The Client's core: settings, lifecycle, one signed attempt per generation, retries.

Every action goes through :meth:`BaseClient.request` with its row (``_wire.endpoint``):
the row's codec encodes the values once, and each attempt is signed afresh in the
row's generation (v1 ``safeKey`` in the form, v2 ``X-EEO-SIGN`` in headers) and sent by
the transport. The typed methods are the API areas' (``_api``), composed into
``eeo_async.Client``; the batch engine reaches what it needs through :func:`engine`.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import ipaddress
import itertools
import keyword
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, Self

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
    V1_COURSE_PATH,
)
from ._errors import (
    ApiError,
    ClientClosedError,
    DeadlineExceededError,
    EEOError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    ProtocolError,
    RequestTimeoutError,
)
from ._http import Request, Response
from ._limits import AdaptiveLimit, RateLimit, check_rate
from ._models import Envelope
from ._retry import RetryPolicy, should_retry
from ._transport import AiohttpTransport, Transport
from ._wire.codecs import CODECS
from ._wire.decode import decode_envelope
from ._wire.endpoint import Endpoint, Param
from ._wire.kinds import Kind, compact, validate_id
from ._wire.v1 import SIGNING as V1_SIGNING
from ._wire.v2 import RESERVED as V2_RESERVED

_log = logging.getLogger(LOGGER_NAME)
_REDACTED: Final = b"[redacted]"
#: Distinct ``call()``/``call_v2()`` shapes whose rows are kept built.
_ROWS_KEPT: Final = 128


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return None if math.isnan(seconds) else max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (a sandbox may use plain http)."""
    if host is None or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: object) -> str:
    url = URL(base_url) if isinstance(base_url, str) else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        message = f"base_url must be an http(s) URL such as 'https://api.eeo.cn', got {base_url!r}"
        raise InputError(message)
    if url.path not in ("", "/"):
        message = (
            f"base_url must be the scheme and host only, such as 'https://api.eeo.cn', "
            f"got {base_url!r}: the SDK adds each action's path itself"
        )
        raise InputError(message)
    if url.scheme == "http" and not is_loopback(url.host):
        _log.warning(
            "base_url %s is plain http to a non-loopback host: the signed requests "
            "travel unencrypted; use https",
            base_url,
        )
    return str(url).rstrip("/")


def _check_timeout(timeout: object) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        message = f"timeout must be a positive number of seconds, got {timeout!r}"
        raise InputError(message)
    return float(timeout)


def _check_deadline(deadline: object) -> float | None:
    """Seconds of a call's deadline; ``math.inf`` (no deadline) gives ``None``."""
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or not deadline > 0:
        message = f"deadline must be a positive number of seconds, got {deadline!r}"
        raise InputError(message)
    return None if math.isinf(deadline) else float(deadline)


class _Flight:
    """A request in flight, for identical ones: its shared task, or a wait for its end.

    A request safe to repeat runs in a task of its own, and each identical caller waits
    on a future of its own that the task fills in (so one caller cancelled leaves the
    others theirs; the task is cancelled only when no caller is left). Any other is
    sent by its caller, and an identical one waits for it to end, then is sent itself.
    """

    __slots__ = ("ended", "task", "waiters")

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.ended: asyncio.Event | None = None  # made only if someone waits
        self.waiters: list[asyncio.Future[Any]] = []

    async def wait(self) -> None:
        """Wait until this request has ended, whatever its outcome."""
        if self.task is not None:
            await asyncio.wait((self.task,))
            return
        if self.ended is None:
            self.ended = asyncio.Event()
        await self.ended.wait()

    def end(self) -> None:
        if self.ended is not None:
            self.ended.set()

    async def run(self, exchange: Callable[[], Awaitable[Any]]) -> None:
        """The shared task: send, then hand the answer (or the error) to every caller."""
        try:
            result = await exchange()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            for waiter in self.waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        first = True
        for waiter in self.waiters:
            if not waiter.done():
                # Each caller its own copy: a list or an envelope's data may be changed.
                waiter.set_result(result if first else copy.deepcopy(result))
                first = False

    async def join(self) -> Any:
        """The shared request's result (or its error), for one more caller."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            task = self.task
            if task is not None and not task.done() and all(w.done() for w in self.waiters):
                task.cancel()  # nobody waits for its answer any more
            raise


class _Secret:
    """The school's secret: usable, never shown, and never a traceback local by itself."""

    __slots__ = ("text",)

    def __init__(self, text: object) -> None:
        self.text = text

    def __repr__(self) -> str:
        return "'[redacted]'"

    def problem(self) -> str | None:
        """What is wrong with the secret, in words that never quote it, or ``None``."""
        text = self.text
        if not isinstance(text, str):
            return f"secret must be a str, got {type(text).__name__}"
        if not text.strip():
            return "secret must not be empty"
        if text != text.strip():
            where = "a leading" if text[0].isspace() else "a trailing"
            what = "line end" if text.strip(" \t") != text.strip() else "space"
            return (
                f"secret has {where} {what} (pasted from a file?): remove it; "
                "the server would refuse every call with errno 102"
            )
        return None


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
    in_flight: dict[tuple[str, object], _Flight] = attrs.Factory(dict)
    #: ``call()`` and ``call_v2()`` rows by their shape.
    rows: dict[tuple[object, ...], Endpoint] = attrs.Factory(dict)


@attrs.frozen(kw_only=True)
class Engine:
    """What the batch engine uses of a client: its send function, waits and limits.

    Attributes:
        send: ``send(endpoint, body, items, attempt)``: one signed attempt, decoded.
        sleep: the client's wait (``set_testing`` turns waits off).
        concurrency: the adaptive limit shared by the client's batch jobs.
        transport: the transport (a job reserves its concurrency there).
        base_url: where requests go (named when a server cannot be reached).
        policy: the client's retry policy.
        check: ``check(endpoint, values)`` refuses values the client never sends
            (plain passwords over http); ``values`` are the items and other values.
    """

    send: Callable[[Endpoint, Any, Sequence[Any], int], Awaitable[Any]]
    sleep: Callable[[float], Awaitable[None]]
    concurrency: AdaptiveLimit
    transport: Transport
    base_url: str
    policy: RetryPolicy
    check: Callable[[Endpoint, Iterable[object]], None]


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
        held = _Secret(secret)
        del secret
        self._sid = validate_id(sid, "sid")
        problem = held.problem()
        if problem is not None:
            raise (InputTypeError if "must be a str" in problem else InputError)(problem)
        text: str = held.text  # type: ignore[assignment]
        self._signers = {
            generation: codec.signer(self._sid, text) for generation, codec in CODECS.items()
        }
        # Too short a "secret" (a test's "s") would cut every letter out of answers.
        self._secret_bytes = text.encode() if len(text) >= 8 else b"\x00no-secret\x00"
        del text
        self._base_url = _check_base_url(base_url)
        self._timeout = _check_timeout(timeout)
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
        pool: ``client.with_options(deadline=5)`` gives each call at most 5 seconds in
        all, its retries and the waits between them included (``timeout`` bounds one
        attempt only). Closing either closes the shared session.

        Args:
            timeout: seconds for one HTTP attempt.
            max_attempts: attempts per call, the first one included.
            initial_backoff: first wait between attempts in seconds.
            max_backoff: longest wait between attempts in seconds.
            deadline: seconds for a whole call from its start: attempts, waits for a
                connection, a rate limit or an identical call, and backoff waits. An
                attempt's timeout is cut to what is left; when the deadline passes, or
                the next wait would pass it, ``DeadlineExceededError`` (a
                ``RequestTimeoutError``) is raised, chained to the last attempt's error.
                ``math.inf`` removes a deadline. Single calls only: a ``Batcher`` job
                takes its own ``deadline``.

        Raises:
            InputError: a setting out of range.
        """
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        if timeout is not None:
            clone._timeout = _check_timeout(timeout)
        if deadline is not None:
            clone._deadline = _check_deadline(deadline)
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
        state = " closed" if self.closed else ""
        return f"<eeo_async.Client sid={self._sid} base_url={self._base_url!r}{state}>"

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
        ``share`` (a row safe to repeat) a caller joins the one in flight and takes its
        answer; otherwise it waits for that one to end, then sends its own. ``seconds``
        bounds the attempt (the client's timeout when ``None``).
        """
        self._check_open()
        in_flight = self._shared.in_flight
        key = (endpoint.action, body)
        flight = in_flight.get(key)
        while flight is not None:
            task = flight.task
            if share and task is not None and not task.done() and not task.cancelling():
                return await flight.join()
            await flight.wait()
            if task is not None:
                _land(in_flight, key, flight)  # ended: its done callback may not have run yet
            flight = in_flight.get(key)
        if share:
            # Its own task: a caller cancelled must not cancel it for the others.
            shared = in_flight[key] = _Flight()
            shared.task = asyncio.get_running_loop().create_task(
                shared.run(
                    lambda: self._exchange(endpoint, body, items, attempt, seconds or self._timeout)
                )
            )
            shared.task.add_done_callback(lambda _: _land(in_flight, key, shared))
            return await shared.join()
        flight = in_flight[key] = _Flight()
        try:
            return await self._exchange(endpoint, body, items, attempt, seconds or self._timeout)
        finally:
            _land(in_flight, key, flight)

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
            text = _body_text(action, response, lambda data: self._scrub(data, request))
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
        """``data`` without the secret or this attempt's signature, in any spelling.

        Some proxies echo the request in an error page (URL-encoded, lower-cased, as
        JSON, a header line); whatever the server sends may end in an exception, a
        report or a journal, so it never carries them. The checks are substring
        searches for the exact values, so a normal answer costs next to nothing.
        """
        keys = [self._secret_bytes, *(_signature_of(request))]
        hits = [key for key in keys if key in data or key.upper() in data]
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
                raise self._past_deadline(endpoint, attempt - 1, acted, None)
            timeout = self._timeout if left is None else min(self._timeout, left)
            bound = asyncio.timeout(left)
            try:
                async with bound:
                    result = await self._attempt(
                        endpoint, body, items, attempt, seconds=timeout, share=share
                    )
            except TimeoutError as exc:
                if not bound.expired():
                    raise
                raise self._past_deadline(endpoint, attempt, True, None) from exc
            except EEOError as exc:
                acted = acted or exc.may_have_acted
                cut = isinstance(exc, RequestTimeoutError) and timeout < self._timeout
                if cut or (end is not None and self._monotonic() >= end):
                    raise self._past_deadline(endpoint, attempt, acted, exc) from exc
                if attempt >= policy.max_attempts or not should_retry(exc, endpoint):
                    raise
                wait = policy.delay_after(exc, attempt)
                if end is not None and self._monotonic() + wait >= end:
                    raise self._past_deadline(endpoint, attempt, acted, exc) from exc
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

    def _past_deadline(
        self, endpoint: Endpoint, attempts: int, acted: bool, last: EEOError | None
    ) -> DeadlineExceededError:
        """The error for a call whose deadline passed (or would pass in the next wait)."""
        detail = f"the deadline of {self._deadline:g} s passed after {attempts} attempt(s)"
        if last is not None:
            detail += f"; the last one: {last}"
        elif attempts:
            detail += ", the last one cut off in flight"
        if acted:
            detail += "; the server may have acted"
            if not endpoint.idempotent:
                detail += ": check before calling again"
        return DeadlineExceededError(endpoint.action, detail, attempts=attempts, acted=acted)

    def _check_values(self, endpoint: Endpoint, values: Iterable[object]) -> None:
        """Refuse what this client never sends: a plain password over plain http."""
        url = URL(self._base_url)
        if url.scheme == "https" or is_loopback(url.host):
            return
        for value in values:
            if getattr(value, "password", None) is not None:
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
        given = attrs.asdict(params, recurse=False).values()
        self._check_values(
            endpoint, itertools.chain(*(v if isinstance(v, tuple) else (v,) for v in given))
        )
        body = CODECS[endpoint.generation].encode(endpoint, params)
        try:
            result, attempts = await self._with_retries(endpoint, body, endpoint.items_of(params))
        except ApiError as exc:
            if endpoint.idempotent or not exc.may_have_acted:
                raise
            hint = (
                "the server may have acted although it answered this errno, so the call was "
                "not sent again (repeating it is not safe): check before calling again"
            )
            raise type(exc)(exc.errno, exc.error, exc.action, hint=hint) from exc
        if attrs.has(type(result)) and "attempts" in attrs.fields_dict(type(result)):
            result = attrs.evolve(result, attempts=attempts)
        return result

    # -------------------------------------------------------------------- any action

    async def call(
        self,
        action: str,
        fields: Mapping[str, object],
        *,
        safe_to_repeat: bool = False,
        path: str = V1_COURSE_PATH,
    ) -> Envelope:
        """Send any v1 action, signed, and return its decoded envelope (errno, error, data).

        For actions without a typed method. ``fields`` are the action's form fields by
        their wire names; lists and dicts are sent as the JSON string the API expects,
        numbers as text. Whatever the errno, the envelope is returned (``ok`` is true
        for errno 1; ``raise_for_errno()`` raises the ``ApiError``). The cloud-drive
        actions take ``path="/partner/api/cloud.api.php"``.

        Retries: transport faults and transient errnos are retried only where the server
        cannot have acted (connection refused, 131, HTTP 429), unless
        ``safe_to_repeat=True`` says that sending the action twice does no harm.

        Raises:
            InputError: a bad action name, path or field (nothing is sent).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        if not isinstance(action, str) or not action.isidentifier():
            message = f"action must be an action name such as 'addCourseStudent', got {action!r}"
            raise InputError(message)
        if not isinstance(path, str) or not re.fullmatch(r"/[\w./-]*\.php", path):
            message = f"path must be a v1 file such as {V1_COURSE_PATH!r}, got {path!r}"
            raise InputError(message)
        names = _field_names(fields, V1_SIGNING, "the client signs")
        row = self._any_row(
            generation=1, action=action, path=path, names=names, safe=safe_to_repeat
        )
        envelope: Envelope = await self.request(row, **_by_slot(fields))
        return envelope

    async def call_v2(
        self, path: str, body: Mapping[str, object], *, safe_to_repeat: bool = False
    ) -> Envelope:
        """Send any v2 path, signed in headers, and return its decoded envelope.

        For v2 actions without a typed method. ``body`` is the JSON object to send
        (without ``sid`` or ``timeStamp``: the signature carries them); ``errno`` of the
        envelope is the answer's ``code`` and ``error`` its ``msg``. Whatever the code,
        the envelope is returned. Retries as for :meth:`call`.

        Raises:
            InputError: a bad path or body (nothing is sent).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        if (
            not isinstance(path, str)
            or not re.fullmatch(r"(/[A-Za-z0-9_.-]+)+", path)
            or path.endswith(".php")
        ):
            message = f"path must be a v2 path such as '/lms/unit/create', got {path!r}"
            raise InputError(message)
        names = _field_names(body, V2_RESERVED, "the signature carries them")
        row = self._any_row(generation=2, action=path, path=path, names=names, safe=safe_to_repeat)
        envelope: Envelope = await self.request(row, **_by_slot(body))
        return envelope

    def _any_row(
        self, *, generation: int, action: str, path: str, names: tuple[str, ...], safe: bool
    ) -> Endpoint:
        key = (generation, action, path, names, safe)
        rows = self._shared.rows
        row = rows.get(key)
        if row is None:
            if len(rows) >= _ROWS_KEPT:
                rows.clear()
            row = rows[key] = Endpoint(
                action=action,
                params=tuple(Param(slot, name, _ANY_FIELD) for slot, name in _slots(names)),
                generation=generation,  # type: ignore[arg-type]
                path=path,
                idempotent=safe,
                decode=_decode_envelope,
            )
        return row

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


def _land(
    in_flight: dict[tuple[str, object], _Flight], key: tuple[str, object], flight: _Flight
) -> None:
    """``flight`` has ended: identical requests may go (or wait for the next one)."""
    if in_flight.get(key) is flight:
        del in_flight[key]
    flight.end()


def engine(client: BaseClient) -> Engine:
    """What the batch engine uses of ``client`` (see :class:`Engine`)."""
    return client._engine()


def _signature_of(request: Request) -> tuple[bytes, ...]:
    """This attempt's signature (v2 ``X-EEO-SIGN`` or v1 ``safeKey``), to scrub from answers."""
    sign = request.headers.get("X-EEO-SIGN")
    if sign:
        return (sign.encode(),)
    body = getattr(request.body, "data", None)
    if isinstance(body, bytes):
        found = re.search(rb"safeKey=([0-9a-f]{32})", body)
        if found:
            return (found.group(1),)
    fields = getattr(request.body, "fields", None)
    if isinstance(fields, Mapping) and "safeKey" in fields:
        return (str(fields["safeKey"]).encode(),)
    return ()


def _body_text(action: str, response: Response, scrub: Callable[[bytes], bytes]) -> bytes | str:
    """The body as the server declared it: bytes for UTF-8, text for another charset."""
    if response.status != 200:
        detail = f"HTTP {response.status}"
        if 300 <= response.status < 400:
            location = scrub((response.headers.get("Location") or "").encode()).decode()
            detail += f" redirect to {location!r} (not followed: it would drop the signed form)"
        elif response.body:
            detail += f": {scrub(response.body[:200]).decode(errors='replace')!r}"
        if response.status == 404:
            detail += " (check base_url: it must be the scheme and host only)"
        retry_after = _retry_after(response.headers.get("Retry-After"))
        raise HTTPStatusError(action, detail, response.status, retry_after)
    body = scrub(response.body)
    charset = response.charset
    if charset is None or charset in ("utf-8", "utf8"):
        return body
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        message = f"the answer does not decode as its declared charset {charset!r}"
        raise ProtocolError(action, message) from exc


def _field_names(fields: object, reserved: frozenset[str], why: str) -> tuple[str, ...]:
    if not isinstance(fields, Mapping):
        message = f"fields must be a mapping of wire names to values, got {fields!r:.60}"
        raise InputTypeError(message)
    names = tuple(str(name) for name in fields)
    taken = reserved.intersection(names)
    if taken:
        message = f"fields must not hold {', '.join(sorted(taken))}: {why}"
        raise InputError(message)
    return names


def _slots(names: Sequence[str]) -> list[tuple[str, str]]:
    """A Python name for each wire name: itself where it can be one (for messages)."""
    return [
        (
            name
            if name.isidentifier()
            and not keyword.iskeyword(name)
            and name[0] != "_"
            and name not in names[:index]
            else f"field_{index}_",
            name,
        )
        for index, name in enumerate(names)
    ]


def _by_slot(fields: Mapping[str, object]) -> dict[str, object]:
    names = [str(name) for name in fields]
    return {slot: value for (slot, _), value in zip(_slots(names), fields.values(), strict=True)}


def _any_field(value: object, where: str) -> object:
    if isinstance(value, bool) or value is None:
        message = f"fields[{where!r}] must be a str, int, list or dict, got {value!r}"
        raise InputTypeError(message)
    if not isinstance(value, str | int | list | tuple | dict):
        message = f"fields[{where!r}] must be a str, int, list or dict, got {value!r:.60}"
        raise InputTypeError(message)
    return list(value) if isinstance(value, tuple) else value


def _field_text(value: object) -> str:
    return compact(value) if isinstance(value, list | dict) else str(value)


_ANY_FIELD: Final = Kind(check=_any_field, text=_field_text)


def _decode_envelope(endpoint: Endpoint, answer: Any, items: Sequence[Any]) -> Envelope:
    """Any code is returned, but a transient one is raised so that it can be retried."""
    return decode_envelope(endpoint, answer, items)
