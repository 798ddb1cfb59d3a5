"""The exception tree of eeo_async.

::

    EEOError                                  root of everything this SDK raises
    ├── InputError (ValueError)               bad caller input, raised before anything is sent
    │   ├── InputTypeError (TypeError)        a value of the wrong type (bool, float, str ...)
    │   └── TooManyItemsError                 more items than one call of the action allows
    ├── ApiError                              v1 errno or v2 code != 1 (keeps errno, error, action)
    │   ├── BadCredentialsError               102, 101002005/6/8: wrong SID, secret or clock
    │   ├── BadParametersError                100, 155, 400, 121601030, 101001001
    │   ├── NotFoundError                     142, 143, 144, 212, 228, 893 ...
    │   ├── ServerBusyError                   104, 114, 131, 460, 464, ... (transient)
    │   └── GroupExistsError                  892
    ├── TransportError                        no usable HTTP answer (keeps action)
    │   ├── ConnectError                      could not connect: the server cannot have acted
    │   │   └── TLSError                      TLS failed: not retried
    │   ├── RequestNotSentError               the request never left whole: nothing applied
    │   ├── RequestTimeoutError               no answer in time: the server may have acted
    │   │   └── DeadlineExceededError         a call's whole deadline passed (``with_options``)
    │   └── HTTPStatusError                   an HTTP status other than 200 (keeps status)
    ├── ProtocolError                         a 200 answer that is not the documented JSON
    │   ├── ResponseTooLargeError             body larger than the limit, not read
    │   └── DataMismatchError                 ``data`` does not align with the items sent
    ├── ClientClosedError                     the Client was used after close()
    ├── EventLoopError                        the Client was used from a second event loop
    └── BatchError                            raised by BatchReport.raise_for_failures()

No exception text ever contains the secret or a safeKey: messages are built from the
action name, the errno and the server's message only. ``retryable`` and
``may_have_acted`` are derived from the class, the errno (``_codes``) or the HTTP status,
never set on an exception after it is built.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, Self

from ._codes import BAD_CREDENTIALS, NOT_ACTED, TRANSIENT, Errno, Family, describe


class EEOError(Exception):
    """Root of every exception raised by eeo_async.

    ``retryable`` says whether sending the same call again may succeed;
    ``may_have_acted`` whether the server may have applied the call despite the error
    (so a non-idempotent call such as creating a group must not be repeated).
    """

    _retryable: ClassVar[bool] = False
    _may_have_acted: ClassVar[bool] = False

    @property
    def retryable(self) -> bool:
        """True when sending the same call again may succeed."""
        return self._retryable

    @property
    def may_have_acted(self) -> bool:
        """True when the server may have applied the call despite this error."""
        return self._may_have_acted

    def with_hint(self, hint: str) -> Self:
        """A copy of this error whose message also says ``hint``, every other field kept.

        The copy is made by the class's own pickling (``__reduce__``), so the fields of
        any subclass (``attempts``, ``retry_after`` ...) stay as they are.
        """
        new = copy.copy(self)
        if isinstance(new, ApiError):
            new.hint = f"{new.hint}; {hint}" if new.hint else hint
            new.args = type(new)(new.errno, new.error, new.action, hint=new.hint).args
        elif isinstance(new, _ActionError):
            new.detail = f"{new.detail} ({hint})"
            new.args = (f"{new.action}: {new.detail}",)
        else:
            new.args = (f"{self} ({hint})",)
        return new


class InputError(EEOError, ValueError):
    """A bad argument, found before any request is sent."""


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type, found before any request is sent."""


class TooManyItemsError(InputError):
    """More items than one call of the action accepts; use a ``Batcher`` instead."""


class ApiError(EEOError):
    """The server answered with ``error_info.errno`` other than 1.

    The message reads in English whatever language the server answered in: the
    documented meaning of the errno first, then the server's own words (production
    answers in Chinese), e.g. ``addCourseClassStudent: errno 144: There is no such
    course in your institution. Server's message: 机构下无此课程``.

    Attributes:
        errno: the server's error code (see :class:`eeo_async.Errno`).
        error: the server's message, as it sent it.
        action: the API action, e.g. ``"addCourseClassStudent"``.
        hint: what to do about it, where the SDK knows more than the errno says.
    """

    def __init__(self, errno: int, error: str, action: str = "", *, hint: str = "") -> None:
        self.errno = errno
        self.error = error
        self.action = action
        self.hint = hint
        where = f"{action}: " if action else ""
        meaning = describe(errno)
        message = f"{where}errno {errno}: {meaning}"
        if error.strip() and error.strip() != meaning:
            message += f" Server's message: {error}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    @property
    def meaning(self) -> str:
        """The documented English meaning of :attr:`errno` (:func:`eeo_async.describe`)."""
        return describe(self.errno)

    @property
    def retryable(self) -> bool:
        """True for the errnos the docs say may succeed when sent again (``_codes``)."""
        return self.errno in TRANSIENT

    @property
    def may_have_acted(self) -> bool:
        """True where a transient errno may come after the change was made (104)."""
        return self.errno in TRANSIENT and self.errno not in NOT_ACTED

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_api_error, (type(self), self.errno, self.error, self.action, self.hint))


class BadCredentialsError(ApiError):
    """The SID, the secret or the clock is wrong (never retried).

    Errno 102 (v1), codes 101002005, 101002006 and 101002008 (v2).
    """


class BadParametersError(ApiError):
    """The server rejected the parameters: 100, 155, 400 (v1), 121601030, 101001001 (v2)."""


class NotFoundError(ApiError):
    """A course, lesson, student, group ... does not exist (142, 143, 144, 212, 228, 893 ...)."""


class ServerBusyError(ApiError):
    """A transient errno: 114, 104, 131, 460, 464, 101003001 or 101003002; retried.

    Whether a retry is also *safe* depends on the action: adding and removing are; creating
    a group is not after 104, which may come after the group was made.
    """


class GroupExistsError(ApiError):
    """Errno 892: the course already has a group plan."""


#: The exception class of each code, from its families (``_codes``); the first match wins.
_FAMILIES: dict[int, type[ApiError]] = {
    **dict.fromkeys(TRANSIENT, ServerBusyError),
    **{code: NotFoundError for code in Errno if Family.NOT_FOUND in code.families},
    **{code: BadParametersError for code in Errno if Family.BAD_PARAMETERS in code.families},
    **dict.fromkeys(BAD_CREDENTIALS, BadCredentialsError),
    Errno.GROUP_EXISTS: GroupExistsError,
}


def api_error(errno: int, error: str, action: str, *, hint: str = "") -> ApiError:
    """Build the ``ApiError`` subclass that stands for ``errno``."""
    return _FAMILIES.get(errno, ApiError)(errno, error, action, hint=hint)


def _rebuild_api_error(
    cls: type[ApiError], errno: int, error: str, action: str, hint: str
) -> ApiError:
    return cls(errno, error, action, hint=hint)


class _ActionError(EEOError):
    """An error about one action's exchange: keeps the action, a detail and the status."""

    def __init__(self, action: str, detail: str, status: int | None = None) -> None:
        self.action = action
        self.detail = detail
        self.status = status
        message = f"{action}: {detail}"
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.action, self.detail, self.status))


class TransportError(_ActionError):
    """No usable HTTP answer: connection failure, timeout or an HTTP error status.

    Attributes:
        action: the API action.
        status: the HTTP status when there was one, else ``None``.
        detail: what went wrong, in words.
    """

    _retryable = True
    _may_have_acted = True


class ConnectError(TransportError):
    """The connection could not be made, so the server cannot have acted."""

    _may_have_acted = False


class RequestNotSentError(TransportError):
    """The request never reached the server whole (a kept-alive connection it had closed).

    Nothing can have been applied, so it is sent again whatever the action.
    """

    _may_have_acted = False


class TLSError(ConnectError):
    """The TLS handshake failed (a certificate, say): asking again will not help."""

    _retryable = False


class RequestTimeoutError(TransportError):
    """No complete answer within the timeout; the server may have acted."""


class DeadlineExceededError(RequestTimeoutError):
    """The call's deadline (``with_options(deadline=...)``) passed before a usable answer.

    The deadline covers every attempt and every wait between them; the error is
    raised when it passes during an attempt, or as soon as the next wait would pass it
    (nothing waits in vain). It is chained (``__cause__``) to the last attempt's error,
    if an attempt ended before.

    Attributes:
        action: the API action.
        detail: the deadline, the attempts made and the last error, in words.
        attempts: attempts started before the deadline passed.
        may_have_acted: whether an attempt may have been applied (a timeout, a lost
            answer, a 5xx; or an attempt cut off by the deadline).
    """

    def __init__(
        self,
        action: str,
        detail: str,
        status: int | None = None,
        *,
        attempts: int = 0,
        acted: bool = True,
    ) -> None:
        super().__init__(action, detail, status)
        self.attempts = attempts
        self._acted = acted

    @property
    def may_have_acted(self) -> bool:
        """True when an attempt may have been applied before the deadline passed."""
        return self._acted

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_deadline_error,
            (type(self), self.action, self.detail, self.status, self.attempts, self._acted),
        )


def _rebuild_deadline_error(  # noqa: PLR0917 - the pickled fields, in order
    cls: type[DeadlineExceededError],
    action: str,
    detail: str,
    status: int | None,
    attempts: int,
    acted: bool,
) -> DeadlineExceededError:
    return cls(action, detail, status, attempts=attempts, acted=acted)


class HTTPStatusError(TransportError):
    """An HTTP status other than 200; 5xx and 429 are retried, ``Retry-After`` honoured.

    Attributes:
        retry_after: seconds the server asked to wait (``Retry-After``), if it did.
    """

    def __init__(
        self,
        action: str,
        detail: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(action, detail, status)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """5xx (but 501 Not Implemented) and 429 are worth another try; 3xx and 4xx are not."""
        status = self.status
        return status is not None and ((status >= 500 and status != 501) or status == 429)

    @property
    def may_have_acted(self) -> bool:
        """A 5xx may come after the work was done; 3xx and 4xx refuse before acting."""
        return self.status is None or self.status >= 500

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.action, self.detail, self.status, self.retry_after))


class ProtocolError(_ActionError):
    """A 200 answer whose body is not the documented JSON envelope.

    Attributes:
        action: the API action.
        status: the HTTP status of the answer.
        detail: what was wrong with the body.
    """

    _retryable = True
    _may_have_acted = True

    def __init__(self, action: str, detail: str, status: int | None = 200) -> None:
        super().__init__(action, detail, status)


class ResponseTooLargeError(ProtocolError):
    """The answer was larger than the body limit and was not read into memory."""

    _retryable = False


class DataMismatchError(ProtocolError):
    """``data`` has another length or shape than the items sent; it is never guessed."""

    _retryable = False


class ClientClosedError(EEOError, RuntimeError):
    """The ``Client`` was used after it was closed."""


class EventLoopError(EEOError, RuntimeError):
    """The ``Client`` was used from another event loop than the one it first ran in."""
