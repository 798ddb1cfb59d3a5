"""The async Client: one signed HTTP request per call, retried where safe.

This is the only module that imports aiohttp; :func:`_translate` is the one place where
aiohttp's exceptions become this SDK's.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
import attrs
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt
from yarl import URL

from ._constants import (
    API_PATH,
    DEFAULT_BASE_URL,
    DEFAULT_INITIAL_BACKOFF,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BACKOFF,
    DEFAULT_TIMEOUT,
    LOGGER_NAME,
    MAX_BODY_BYTES,
    USER_AGENT,
)
from ._errors import (
    ApiError,
    ClientClosedError,
    ConnectError,
    EEOError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    RequestTimeoutError,
    ResponseTooLargeError,
    TransportError,
)
from ._models import GroupMember, GroupResult, ItemStatus
from ._retry import RetryPolicy, is_transient
from ._wire import (
    ADD_COURSE_CLASS_STUDENT,
    ADD_COURSE_GROUP,
    DEL_CLASS_STUDENT_MULTIPLE,
    Action,
    AddCourseClassStudentParams,
    AddCourseGroupParams,
    DelClassStudentMultipleParams,
    decode_group,
    decode_items,
    encode_params,
    signed_body,
    validate_call_ids,
    validate_group_name,
    validate_groups,
    validate_id,
)

_log = logging.getLogger(LOGGER_NAME)
_T = TypeVar("_T")
_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "Cache-Control": "no-cache",
    "User-Agent": USER_AGENT,
}


def _translate(exc: BaseException, action: str) -> EEOError:
    """Turn an aiohttp or timeout exception into this SDK's transport errors."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectError(action, "timed out while connecting")
    if isinstance(exc, TimeoutError):
        return RequestTimeoutError(action, "no complete answer within the timeout")
    if isinstance(exc, aiohttp.ClientSSLError):
        error = ConnectError(action, f"TLS failure: {exc}")
        error.retryable = False  # a certificate does not get better by asking again
        return error
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectError(action, f"cannot connect: {exc.os_error or exc}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return TransportError(action, "the server closed the connection without answering")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return TransportError(action, f"the answer was cut off: {exc}")
    return TransportError(action, f"{type(exc).__name__}: {exc}")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_loopback(host: str | None) -> bool:
    if host is None or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Client:
    """An async client for the ClassIn partner API that signs every call.

    Use it as ``async with Client(sid, secret) as client:``, or keep one per process
    and ``await client.close()`` at shutdown. Each HTTP attempt is signed afresh:
    ``timeStamp`` from the clock and ``safeKey = md5(secret + timeStamp)``, so a retry
    never reuses a key. The secret never appears in ``repr``, logs or exceptions.

    Each endpoint method sends one request (retried as a whole where safe: connection
    errors, timeouts, HTTP 5xx/429, unparseable bodies, errno 114/131) and checks its
    input before sending anything. Identical requests are never in flight at once.

    Args:
        sid: the school ID (positive int, or a string of digits).
        secret: the school's API secret.
        base_url: scheme and host of the API, ``https://api.eeo.cn`` by default.
        timeout: seconds for one HTTP attempt.
        session: an ``aiohttp.ClientSession`` to borrow; it is not closed by ``close``.
        max_attempts: attempts per call, the first one included (1 = no retry).
        initial_backoff: first wait between attempts in seconds; doubles each time.
        max_backoff: longest wait between attempts in seconds.
        clock: returns the current Unix time; for tests.
        max_body_bytes: larger answers are refused rather than read into memory.
        max_connections: connection pool size of the session the client creates.

    Raises:
        InputError: a bad ``sid``, ``secret``, ``base_url`` or retry setting.
    """

    def __init__(
        self,
        sid: int | str,
        secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        session: aiohttp.ClientSession | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        initial_backoff: float = DEFAULT_INITIAL_BACKOFF,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        clock: Callable[[], float] = time.time,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_connections: int = 100,
    ) -> None:
        self._sid = validate_id(sid, "sid")
        if not isinstance(secret, str):
            message = f"secret must be a str, got {type(secret).__name__}"
            raise InputTypeError(message)
        if not secret:
            message = "secret must not be empty"
            raise InputError(message)
        self._secret = secret
        self._base_url = self._check_base_url(base_url)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            message = f"timeout must be a positive number of seconds, got {timeout!r}"
            raise InputError(message)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._policy = RetryPolicy(
            max_attempts=max_attempts, initial_backoff=initial_backoff, max_backoff=max_backoff
        )
        self._clock = clock
        self._max_body = max_body_bytes
        self._max_connections = max_connections
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._urls: dict[str, URL] = {}
        # (action, params) -> [lock, users]: identical requests never run at once (errno 131).
        self._in_flight: dict[tuple[str, str], list[Any]] = {}

    @staticmethod
    def _check_base_url(base_url: str) -> str:
        url = URL(base_url) if isinstance(base_url, str) else None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            message = (
                f"base_url must be an http(s) URL such as 'https://api.eeo.cn', got {base_url!r}"
            )
            raise InputError(message)
        if url.scheme == "http" and not _is_loopback(url.host):
            _log.warning(
                "base_url %s is plain http to a non-loopback host: the signed requests "
                "travel unencrypted; use https",
                base_url,
            )
        return str(url).rstrip("/")

    @property
    def sid(self) -> int:
        """The school ID this client signs for."""
        return self._sid

    @property
    def base_url(self) -> str:
        """Scheme and host the requests go to."""
        return self._base_url

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<eeo_async.Client sid={self._sid} base_url={self._base_url!r}{state}>"

    async def __aenter__(self) -> Self:
        self._session_or_raise()
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

        Closing twice is harmless; any call after closing raises ``ClientClosedError``.
        """
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def _session_or_raise(self) -> aiohttp.ClientSession:
        if self._closed:
            message = f"{self!r} is closed; create a new Client"
            raise ClientClosedError(message)
        if self._session is None:
            # Created lazily, inside the running loop, on first use.
            connector = aiohttp.TCPConnector(limit=self._max_connections)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    def _url(self, action: str) -> URL:
        url = self._urls.get(action)
        if url is None:
            url = self._urls[action] = URL(self._base_url + API_PATH).with_query(action=action)
        return url

    # ------------------------------------------------------------------ one attempt

    async def _attempt(
        self, action: str, encoded: str, items: int, attempt: int, decode: Callable[[bytes], _T]
    ) -> _T:
        """Send one signed attempt, decode its answer, and log it at DEBUG."""
        session = self._session_or_raise()
        key = (action, encoded)
        entry = self._in_flight.get(key)
        if entry is None:
            entry = self._in_flight[key] = [asyncio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0]:
                # Signed only now, after any wait, so the timeStamp is current.
                body = signed_body(self._sid, self._secret, int(self._clock()), encoded)
                started = time.perf_counter()
                outcome: object = "?"
                try:
                    result = decode(await self._exchange(session, action, body))
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
                            items,
                            attempt,
                            outcome,
                            (time.perf_counter() - started) * 1000,
                        )
        finally:
            entry[1] -= 1
            if not entry[1]:
                del self._in_flight[key]

    async def _exchange(self, session: aiohttp.ClientSession, action: str, body: bytes) -> bytes:
        try:
            async with session.post(
                self._url(action), data=body, headers=_HEADERS, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    detail = f"HTTP {response.status} {response.reason or ''}".rstrip()
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    raise HTTPStatusError(action, detail, response.status, retry_after)
                return await self._read_body(response, action)
        except EEOError:
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _translate(exc, action) from exc

    async def _read_body(self, response: aiohttp.ClientResponse, action: str) -> bytes:
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

    async def _attempt_items(
        self, action: Action, encoded: str, count: int, attempt: int = 1
    ) -> list[ItemStatus]:
        """One attempt of an item action: the statuses aligned with the items sent."""
        name = action.name
        return await self._attempt(
            name, encoded, count, attempt, lambda body: decode_items(name, body, count)
        )

    async def _with_retries(
        self, action: Action, attempt: Callable[[int], Any], on_result: Callable[[Any, int], _T]
    ) -> _T:
        """Run ``attempt(n)`` until it succeeds or fails for good, per the retry policy."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._policy.max_attempts),
            wait=self._policy.tenacity_wait,
            retry=retry_if_exception(lambda exc: is_transient(exc, action)),
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for trial in retrying:
            with trial:
                number = trial.retry_state.attempt_number
                result = await attempt(number)
        return on_result(result, number)

    @staticmethod
    def _log_retry(state: Any) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        _log.debug(
            "retry action=%s after attempt=%d error=%s wait_s=%.2f",
            getattr(exc, "action", "?"),
            state.attempt_number,
            exc,
            state.upcoming_sleep,
        )

    async def _call_items(self, action: Action, params: Any, count: int) -> list[ItemStatus]:
        encoded = encode_params(params)
        return await self._with_retries(
            action,
            lambda n: self._attempt_items(action, encoded, count, n),
            lambda result, _: result,
        )

    # -------------------------------------------------------------------- endpoints

    async def add_course_class_student(
        self, course_id: int | str, student_uid: int | str, class_ids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Add one student to up to 100 lessons of a course (addCourseClassStudent).

        Returns one ``ItemStatus`` per lesson, in the order of ``class_ids``; an item is
        ``ok`` on errno 1 or 166 (already in the lesson; ``already`` is then true).
        Per-lesson errors such as 145 (lesson finished) are statuses, not exceptions.

        Raises:
            InputError: a bad ID, no lessons, a lesson twice, or more than 100 lessons
                (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        action = ADD_COURSE_CLASS_STUDENT
        params = AddCourseClassStudentParams(
            validate_id(course_id, "course_id"),
            validate_id(student_uid, "student_uid"),
            validate_call_ids(class_ids, "class_ids", action),
        )
        return await self._call_items(action, params, len(params.class_ids))

    async def del_class_student_multiple(
        self, course_id: int | str, class_id: int | str, student_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Remove up to 100 students from one lesson (delClassStudentMultiple).

        Sends ``identity=1`` (students). Returns one ``ItemStatus`` per student, in the
        order of ``student_uids``; an item is ``ok`` on errno 1 or 167 (was not in the
        lesson; ``already`` is then true).

        Raises:
            InputError: a bad ID, no students, a student twice, or more than 100
                students (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 143.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        action = DEL_CLASS_STUDENT_MULTIPLE
        params = DelClassStudentMultipleParams(
            validate_id(course_id, "course_id"),
            validate_id(class_id, "class_id"),
            validate_call_ids(student_uids, "student_uids", action),
        )
        return await self._call_items(action, params, len(params.student_uids))

    async def add_course_group(
        self,
        course_id: int | str,
        group_name: str,
        groups: Sequence[Sequence[GroupMember]],
    ) -> GroupResult:
        """Create the group plan of a course (addCourseGroup).

        ``groups`` is a list of groups, each a list of ``GroupMember``; each group needs
        exactly one leader and no student may appear twice. Errno 898 (created, but some
        UIDs were wrong) returns a result with ``partial`` true, not an exception.

        Creating a group is not idempotent (a second call answers 892), so it is
        retried only where the server cannot have acted: connection refused, errno
        114/131, HTTP 429. After a timeout or a lost answer the error is raised: check
        the course before trying again.

        Raises:
            InputError: bad ID, name longer than 20 characters or empty, or broken
                group rules (nothing is sent).
            ApiError: the call failed, e.g. ``GroupExistsError`` for 892.
            TransportError: no usable answer; the group may have been created.
            ProtocolError: the answer was not the documented JSON.
        """
        action = ADD_COURSE_GROUP
        params = AddCourseGroupParams(
            validate_id(course_id, "course_id"),
            validate_group_name(group_name),
            validate_groups(groups, action),
        )
        encoded = encode_params(params)
        members = sum(len(g) for g in params.groups)

        async def attempt(number: int) -> GroupResult:
            return await self._attempt(
                action.name, encoded, members, number, lambda body: decode_group(action.name, body)
            )

        return await self._with_retries(
            action, attempt, lambda result, number: attrs.evolve(result, attempts=number)
        )
