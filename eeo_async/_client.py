"""The async Client: signs every attempt, never sends identical requests at once, decodes.

Each typed method is a few lines over one ``_call(endpoint, ...)``; the endpoint rows
(``_endpoints``) say how to encode, decode and retry. The transport below sends bytes.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

import attrs
from yarl import URL

from ._api.rows import (
    ADD_CLASS_STUDENT_MULTIPLE,
    ADD_COURSE_CLASS_STUDENT,
    ADD_COURSE_GROUP,
    ADD_COURSE_STUDENT_MULTIPLE,
    DEL_CLASS_STUDENT_MULTIPLE,
    DEL_COURSE_GROUP,
    DEL_COURSE_STUDENT_MULTIPLE,
    EDIT_COURSE_GROUP,
    REGISTER_MULTIPLE,
    check_auditors,
)
from ._codes import TRANSIENT
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
from ._errors import (
    ApiError,
    ClientClosedError,
    EEOError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    ProtocolError,
    api_error,
)
from ._limits import AdaptiveLimit, RateLimit, check_rate
from ._models import ActionResult, Envelope, GroupMember, GroupResult, ItemStatus, NewUser
from ._retry import RetryPolicy, should_retry
from ._transport import AiohttpTransport, Response, Transport
from ._wire.kinds import Endpoint, Kind, Param, decode_envelope, signed_body, validate_id

_log = logging.getLogger(LOGGER_NAME)
_T = TypeVar("_T")
_REDACTED = b"[redacted]"
#: A token shaped like a safeKey (32 hex digits), to redact from echoed requests.
_HEX32 = re.compile(rb"(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])")
_SIGNING = frozenset({"SID", "safeKey", "timeStamp"})


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


def _is_loopback(host: str | None) -> bool:
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
    if url.scheme == "http" and not _is_loopback(url.host):
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


@attrs.define
class _Shared:
    """What a Client and its ``with_options`` copies share: transport and in-flight set."""

    transport: Transport
    closed: bool = False
    #: ``max_per_second``, over every call of the client and its copies.
    rate: RateLimit | None = None
    #: Requests in flight for the client's adaptive batch jobs, shared by all of them.
    concurrency: AdaptiveLimit = attrs.Factory(AdaptiveLimit)
    # (action, params) -> [lock, users]: identical requests never run at once (131).
    in_flight: dict[tuple[str, str], asyncio.Event | None] = attrs.Factory(dict)


class Client:
    """An async client for the ClassIn partner API that signs every call.

    Use it as ``async with Client(sid, secret) as client:``, or keep one per process
    (in a web app, create it in the lifespan) and ``await client.close()`` at shutdown.
    Each HTTP attempt is signed afresh: ``timeStamp`` from the clock and
    ``safeKey = md5(secret + timeStamp)``, so a retry never reuses a key. The secret
    never appears in ``repr``, logs or exceptions.

    Each endpoint method sends one request, checks its input before sending anything,
    and retries as the README's errno table says (only where repeating is safe).
    Identical requests are never in flight at once.

    Args:
        sid: the school ID (positive int, or a string of digits).
        secret: the school's API secret.
        base_url: scheme and host of the API, ``https://api.eeo.cn`` by default.
        timeout: seconds for one HTTP attempt, from when it gets a connection.
        session: an ``aiohttp.ClientSession`` to borrow; it is not closed by ``close``,
            and its pool size bounds this client's requests in flight.
        transport: a :class:`~eeo_async.testing.MockTransport` (or another transport)
            to send with instead of HTTP; ``base_url`` and ``session`` are then unused.
        max_attempts: attempts per call, the first one included (1 = no retry).
        initial_backoff: first wait between attempts in seconds; doubles each time.
        max_backoff: longest wait between attempts in seconds.
        clock: returns the current Unix time; for tests.
        sleep: awaited for every backoff wait of this client and its batches; for tests
            (``eeo_async.testing.set_testing`` turns the waits off altogether).
        max_body_bytes: larger answers are refused rather than read into memory.
        max_connections: connections the client's own session opens at first (a
            ``Batcher`` with a higher concurrency grows it).
        max_per_second: at most this many requests start per second, over every call
            and every job of this client and its ``with_options`` copies (a school's
            limit is the school's); ``None`` (the default) for no limit. A burst of a
            tenth of a second's requests (at least one) is allowed.

    Raises:
        InputError: a bad ``sid``, ``secret``, ``base_url``, timeout or retry setting.
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
        self._sid = validate_id(sid, "sid")
        if not isinstance(secret, str):
            message = f"secret must be a str, got {type(secret).__name__}"
            raise InputTypeError(message)
        if not secret.strip():
            message = "secret must not be empty"
            raise InputError(message)
        self._secret = secret
        # Too short a "secret" (a test's "s") would cut every letter out of answers.
        self._secret_bytes = secret.encode() if len(secret) >= 8 else b"\x00no-secret\x00"
        self._base_url = _check_base_url(base_url)
        self._timeout = _check_timeout(timeout)
        self._policy = RetryPolicy(
            max_attempts=max_attempts, initial_backoff=initial_backoff, max_backoff=max_backoff
        )
        self._clock = clock
        self._heads: dict[int, str] = {}  # timeStamp -> signed head of the form
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
    ) -> Client:
        """A client that shares this one's session and differs only in these settings.

        For a request handler that must bound one call (``client.with_options(
        timeout=2, max_attempts=1)``) without a second connection pool. Closing either
        closes the shared session.

        Raises:
            InputError: a setting out of range.
        """
        clone = object.__new__(Client)
        clone.__dict__.update(self.__dict__)
        if timeout is not None:
            clone._timeout = _check_timeout(timeout)
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
    def _concurrency(self) -> AdaptiveLimit:
        """The adaptive limit the client's batch jobs share."""
        return self._shared.concurrency

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

        Closing twice is harmless; any call after closing raises ``ClientClosedError``.
        """
        self._shared.closed = True
        await self._shared.transport.aclose()

    def _check_open(self) -> None:
        if self._shared.closed:
            message = f"{self!r} is closed; create a new Client"
            raise ClientClosedError(message)

    # ------------------------------------------------------------------ one attempt

    async def _attempt(self, endpoint: Endpoint, encoded: str, count: int, attempt: int = 1) -> Any:
        """Send one signed attempt of ``endpoint``, decode its answer, log it at DEBUG."""
        self._check_open()
        in_flight = self._shared.in_flight
        key = (endpoint.action, encoded)
        while key in in_flight:
            # An identical request is in flight: wait for its answer, then send ours.
            waiter = in_flight[key]
            if waiter is None:
                waiter = in_flight[key] = asyncio.Event()
            await waiter.wait()
        in_flight[key] = None  # an Event is made only if another identical request comes
        try:
            return await self._exchange(endpoint, encoded, count, attempt)
        finally:
            waiter = in_flight.pop(key, None)
            if waiter is not None:
                waiter.set()

    async def _exchange(self, endpoint: Endpoint, encoded: str, count: int, attempt: int) -> Any:
        action = endpoint.action
        if self._shared.rate is not None:
            await self._shared.rate.acquire()
        # Signed only now, after any wait, so the timeStamp is current.
        body = self._signed(int(self._clock()), encoded)
        started = time.perf_counter()
        outcome: object = "?"
        try:
            response = await self._shared.transport.send(action, body, timeout=self._timeout)
            result = endpoint.decode(endpoint, _body_text(action, response, self._scrub), count)
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
                    count,
                    attempt,
                    outcome,
                    (time.perf_counter() - started) * 1000,
                )

    def _signed(self, timestamp: int, encoded: str) -> bytes:
        """The form body signed for ``timestamp`` (one md5 a second, however many calls)."""
        head = self._heads.get(timestamp)
        if head is None:
            if len(self._heads) > 4:
                self._heads.clear()
            head = signed_body(self._sid, self._secret, timestamp, "").decode()
            self._heads[timestamp] = head
        return f"{head}&{encoded}".encode() if encoded else head.encode()

    def _scrub(self, data: bytes) -> bytes:
        """``data`` without the secret or any key-like token, if it may echo a request.

        Some proxies echo the request in an error page; whatever the server sends may
        end in an exception, a report or a journal, so it never carries them. The checks
        are substring searches, so a normal answer costs next to nothing.
        """
        if self._secret_bytes not in data and b"safeKey" not in data:
            return data
        return _HEX32.sub(_REDACTED, data.replace(self._secret_bytes, _REDACTED))

    async def _with_retries(self, endpoint: Endpoint, encoded: str, count: int) -> tuple[Any, int]:
        """Attempt until success or a final failure; the result and the attempts made.

        Every reason to try again is :func:`~eeo_async._retry.should_retry`; waits come
        from the retry policy (backoff with jitter, ``Retry-After``, documented waits).
        """
        policy = self._policy
        attempt = 1
        while True:
            try:
                return await self._attempt(endpoint, encoded, count, attempt), attempt
            except EEOError as exc:
                if attempt >= policy.max_attempts or not should_retry(exc, endpoint):
                    raise
                wait = policy.delay_after(exc, attempt)
                _log.debug(
                    "retry action=%s after attempt=%d error=%s wait_s=%.2f",
                    endpoint.action,
                    attempt,
                    type(exc).__name__,
                    wait,
                )
            await self._sleep(wait)
            attempt += 1

    async def _call(self, endpoint: Endpoint, /, **values: object) -> Any:
        """Check ``values`` by the row, send with retries, return the decoded result."""
        params = endpoint.build(values)
        try:
            result, attempts = await self._with_retries(
                endpoint, endpoint.encode(params), endpoint.count(params)
            )
        except ApiError as exc:
            if endpoint.idempotent or not exc.may_have_acted:
                raise
            hint = (
                "the server may have acted although it answered this errno, so the call was "
                "not sent again (repeating it is not safe): check the course first"
            )
            raise api_error(exc.errno, exc.error, exc.action, hint=hint) from exc
        if attrs.has(type(result)) and "attempts" in attrs.fields_dict(type(result)):
            result = attrs.evolve(result, attempts=attempts)
        return result

    def _check_plain_passwords(self, users: Iterable[NewUser]) -> None:
        """Refuse to send a plain password anywhere but https (or a loopback sandbox)."""
        url = URL(self._base_url)
        insecure = url.scheme != "https" and not _is_loopback(url.host)
        if insecure and any(user.password is not None for user in users):
            message = (
                f"a plain password is sent only over https, not to {self._base_url}; "
                "use https or give md5_password"
            )
            raise InputError(message)

    # -------------------------------------------------------------------- any action

    async def call(
        self, action: str, fields: Mapping[str, object], *, safe_to_repeat: bool = False
    ) -> Envelope:
        """Send any action, signed, and return its decoded envelope (errno, error, data).

        For actions without a typed method. ``fields`` are the action's form fields by
        their wire names; lists and dicts are sent as the JSON string the API expects,
        numbers as text. Whatever the errno, the envelope is returned (``ok`` is true
        for errno 1; ``raise_for_errno()`` raises the ``ApiError``).

        Retries: transport faults and transient errnos are retried only where the server
        cannot have acted (connection refused, 114, HTTP 429), unless
        ``safe_to_repeat=True`` says that sending the action twice does no harm.

        Raises:
            InputError: a bad action name or field (nothing is sent).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON.
        """
        if not isinstance(action, str) or not action.isidentifier():
            message = f"action must be an action name such as 'addCourseStudent', got {action!r}"
            raise InputError(message)
        if not isinstance(fields, Mapping):
            message = f"fields must be a mapping of wire names to values, got {fields!r:.60}"
            raise InputTypeError(message)
        signing = _SIGNING.intersection(fields)
        if signing:
            message = f"fields must not hold {', '.join(sorted(signing))}: the client signs"
            raise InputError(message)
        row = Endpoint(
            action=action,
            params=tuple(Param(str(name), str(name), _ANY_FIELD) for name in fields),
            idempotent=safe_to_repeat,
            decode=_decode_envelope,
        )
        envelope: Envelope = await self._call(
            row, **{str(name): value for name, value in fields.items()}
        )
        return envelope

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
        statuses: list[ItemStatus] = await self._call(
            ADD_COURSE_CLASS_STUDENT,
            course_id=course_id,
            student_uid=student_uid,
            class_ids=class_ids,
        )
        return statuses

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
        statuses: list[ItemStatus] = await self._call(
            DEL_CLASS_STUDENT_MULTIPLE,
            course_id=course_id,
            class_id=class_id,
            student_uids=student_uids,
        )
        return statuses

    async def add_course_group(
        self, course_id: int | str, group_name: str, groups: Sequence[Sequence[GroupMember]]
    ) -> GroupResult:
        """Create the group plan of a course (addCourseGroup).

        ``groups`` is a list of groups, each a list of ``GroupMember``; each group needs
        exactly one leader and no student may appear twice. Errno 898 (created, but some
        UIDs were wrong) returns a result with ``partial`` true, not an exception.

        Creating a group is not idempotent (a second call answers 892), so it is
        retried only where the server cannot have acted: connection refused, errno
        114, HTTP 429. After a timeout, a lost answer, a 5xx or errno 104 the error is
        raised: check the course before trying again.

        Raises:
            InputError: bad ID, name longer than 20 characters or empty, or broken
                group rules (nothing is sent).
            ApiError: the call failed, e.g. ``GroupExistsError`` for 892.
            TransportError: no usable answer; the group may have been created.
            ProtocolError: the answer was not the documented JSON.
        """
        result: GroupResult = await self._call(
            ADD_COURSE_GROUP, course_id=course_id, group_name=group_name, groups=groups
        )
        return result

    async def edit_course_group(
        self,
        course_id: int | str,
        group_id: int | str,
        group_name: str,
        groups: Sequence[Sequence[GroupMember]],
    ) -> ActionResult:
        """Replace the group plan ``group_id`` of a course (editCourseGroup).

        The same group rules as :meth:`add_course_group`. Editing is repeatable (the
        same plan twice is the same plan), so transient failures are retried.

        Raises:
            InputError: bad ID, name or group rules (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 893 (no such group).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self._call(
            EDIT_COURSE_GROUP,
            course_id=course_id,
            group_id=group_id,
            group_name=group_name,
            groups=groups,
        )
        return result

    async def del_course_group(self, course_id: int | str, group_id: int | str) -> ActionResult:
        """Delete the group plan ``group_id`` of a course (delCourseGroup).

        Deleting answers 893 ("no such group") when repeated, the same errno as for a
        wrong id, so a retry could not tell "deleted by my lost attempt" from "never
        existed". It is therefore re-sent only where the server cannot have acted
        (connection refused, errno 114, HTTP 429), and 893 always means the group did not
        exist when asked. After a timeout, a lost answer, a 5xx or errno 104 the error is
        raised: the group may be deleted; calling again then answers 893 if it is.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 893.
            TransportError: no usable answer; the group may have been deleted.
            ProtocolError: the answer was not the documented JSON.
        """
        result: ActionResult = await self._call(
            DEL_COURSE_GROUP, course_id=course_id, group_id=group_id
        )
        return result

    async def add_course_student_multiple(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
    ) -> list[ItemStatus]:
        """Add up to 30 students, or up to 20 auditors, to a course (addCourseStudentMultiple).

        ``identity`` is 1 or ``"student"`` (the default), 2 or ``"auditor"``. Returns one
        ``ItemStatus`` per UID in input order; ``ok`` on errno 1, or 163/164 (already a
        student/auditor of the course; ``already`` is then true). An item answering 464
        (being created by another request) is a status here; the Batcher retries it.
        A student of the course answers 163 also when added as an auditor, and an
        auditor 164 when added as a student: the account is a member either way.

        Raises:
            InputError: a bad ID, none, one twice, more than 30, or more than 20
                auditors (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        params = ADD_COURSE_STUDENT_MULTIPLE.build(
            {"course_id": course_id, "student_uids": student_uids, "identity": identity}
        )
        check_auditors(params.identity, len(params.student_uids))
        statuses: list[ItemStatus] = await self._call(
            ADD_COURSE_STUDENT_MULTIPLE,
            course_id=params.course_id,
            student_uids=params.student_uids,
            identity=params.identity,
        )
        return statuses

    async def del_course_student_multiple(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
    ) -> list[ItemStatus]:
        """Remove up to 100 students (or auditors) from a course (delCourseStudentMultiple).

        Returns one ``ItemStatus`` per UID in input order; ``ok`` on errno 1 or 162 (not a
        member of the course; ``already`` is then true).

        Raises:
            InputError: a bad ID, none, one twice, or more than 100 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self._call(
            DEL_COURSE_STUDENT_MULTIPLE,
            course_id=course_id,
            student_uids=student_uids,
            identity=identity,
        )
        return statuses

    async def add_class_student_multiple(
        self, course_id: int | str, class_id: int | str, student_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Add up to 30 students to one lesson as transfer-in students (addClassStudentMultiple).

        Returns one ``ItemStatus`` per UID in input order; ``ok`` on errno 1 or 166
        (already in the lesson; ``already`` is then true). Lesson problems (145
        finished, 212 deleted ...) fail the whole call.

        Raises:
            InputError: a bad ID, none, one twice, or more than 30 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 142.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self._call(
            ADD_CLASS_STUDENT_MULTIPLE,
            course_id=course_id,
            class_id=class_id,
            student_uids=student_uids,
        )
        return statuses

    async def register_multiple(self, users: Iterable[NewUser]) -> list[ItemStatus]:
        """Register up to 10 accounts (registerMultiple); each status carries its UID.

        Returns one ``ItemStatus`` per user in input order with ``uid`` set whenever the
        server gave one: on errno 1 and on 135/461 (already registered: ``ok`` and
        ``already`` are true, and the UID is still given). Safe to repeat, so transient
        failures are retried (a lost registration answers 135/461 the second time); 131
        and 101003002 (an identical request in progress or within 5 s) are waited out.
        Passwords are never logged, shown or put in an error, and a plain ``password``
        is sent only over https (or to a loopback sandbox).

        Raises:
            InputError: not ``NewUser`` values, none, an account twice, more than 10, or
                a plain password for a plain-http server (nothing is sent).
            ApiError: the whole call failed, e.g. ``BadParametersError`` for 100.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        params = REGISTER_MULTIPLE.build({"users": users})
        self._check_plain_passwords(params.users)
        statuses: list[ItemStatus] = await self._call(REGISTER_MULTIPLE, users=params.users)
        return statuses


def _body_text(action: str, response: Response, scrub: Callable[[bytes], bytes]) -> bytes | str:
    """The body as the server declared it: bytes for UTF-8, text for another charset."""
    if response.status != 200:
        detail = f"HTTP {response.status}"
        if 300 <= response.status < 400:
            location = scrub((response.headers.get("Location") or "").encode()).decode()
            detail += f" redirect to {location!r} (not followed: it would drop the signed form)"
        elif response.body:
            detail += f": {scrub(response.body[:200]).decode(errors='replace')!r}"
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


def _any_field(value: object, where: str) -> object:
    if isinstance(value, bool) or value is None:
        message = f"fields[{where!r}] must be a str, int, list or dict, got {value!r}"
        raise InputTypeError(message)
    if not isinstance(value, str | int | list | tuple | dict):
        message = f"fields[{where!r}] must be a str, int, list or dict, got {value!r:.60}"
        raise InputTypeError(message)
    return value


def _field_text(value: object) -> str:
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


_ANY_FIELD = Kind(check=_any_field, text=_field_text)


def _decode_envelope(endpoint: Endpoint, body: bytes | str, count: int) -> Envelope:
    """Any errno is returned, but a transient one is raised so that it can be retried."""
    errno, error, data = decode_envelope(endpoint.action, body)
    if errno in TRANSIENT:
        raise api_error(errno, error, endpoint.action)
    return Envelope(errno=errno, error=error, data=data, action=endpoint.action)
