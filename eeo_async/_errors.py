"""The exception tree of eeo_async.

::

    EEOError                                  root of everything this SDK raises
    ├── InputError (ValueError)               bad caller input, raised before anything is sent
    │   ├── InputTypeError (TypeError)        a value of the wrong type (bool, float, str ...)
    │   └── TooManyItemsError                 more items than one call of the action allows
    ├── ApiError                              error_info.errno != 1 (keeps errno, error, action)
    │   ├── BadCredentialsError               102: wrong SID, secret or clock
    │   ├── BadParametersError                100, 155, 400
    │   ├── NotFoundError                     142, 143, 144, 212, 228
    │   ├── ServerBusyError                   114, 131 (transient)
    │   └── GroupExistsError                  892
    ├── TransportError                        no usable HTTP answer (keeps action)
    │   ├── ConnectError                      could not connect: the server cannot have acted
    │   ├── RequestTimeoutError               no answer in time: the server may have acted
    │   └── HTTPStatusError                   an HTTP status other than 200 (keeps status)
    ├── ProtocolError                         a 200 answer that is not the documented JSON
    │   ├── ResponseTooLargeError             body larger than the limit, not read
    │   └── DataMismatchError                 ``data`` does not align with the items sent
    ├── ClientClosedError                     the Client was used after close()
    └── BatchError                            raised by BatchReport.raise_for_failures()

No exception text ever contains the secret or a safeKey: messages are built from the
action name, the errno and the server's message only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._codes import Errno, describe

if TYPE_CHECKING:
    from ._report import BatchReport


class EEOError(Exception):
    """Root of every exception raised by eeo_async.

    ``retryable`` says whether sending the same call again may succeed;
    ``may_have_acted`` whether the server may have applied the call despite the error
    (so a non-idempotent call such as creating a group must not be repeated).
    """

    retryable: bool = False
    may_have_acted: bool = False


class InputError(EEOError, ValueError):
    """A bad argument, found before any request is sent."""


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type, found before any request is sent."""


class TooManyItemsError(InputError):
    """More items than one call of the action accepts; use a ``Batcher`` instead."""


class ApiError(EEOError):
    """The server answered with ``error_info.errno`` other than 1.

    Attributes:
        errno: the server's error code (see :class:`eeo_async.Errno`).
        error: the server's message.
        action: the API action, e.g. ``"addCourseClassStudent"``.
    """

    def __init__(self, errno: int, error: str, action: str = "") -> None:
        self.errno = errno
        self.error = error
        self.action = action
        where = f"{action}: " if action else ""
        message = f"{where}errno {errno}: {error or describe(errno)}"
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.errno, self.error, self.action))


class BadCredentialsError(ApiError):
    """Errno 102: the SID, the secret or the clock is wrong (never retried)."""


class BadParametersError(ApiError):
    """Errno 100, 155 or 400: the server rejected the parameters."""


class NotFoundError(ApiError):
    """Errno 142, 143, 144, 212 or 228: a course, lesson or student does not exist."""


class ServerBusyError(ApiError):
    """Errno 114 (server exception) or 131 (identical request in progress): retried."""

    retryable = True


class GroupExistsError(ApiError):
    """Errno 892: the course already has a group plan."""


_FAMILIES: dict[int, type[ApiError]] = {
    Errno.NO_PERMISSION: BadCredentialsError,
    Errno.BAD_PARAMETERS: BadParametersError,
    Errno.STUDENTS_EMPTY: BadParametersError,
    Errno.ILLEGAL_DATA: BadParametersError,
    Errno.LESSON_NOT_IN_COURSE: NotFoundError,
    Errno.LESSON_NOT_FOUND: NotFoundError,
    Errno.COURSE_NOT_FOUND: NotFoundError,
    Errno.LESSON_DELETED: NotFoundError,
    Errno.STUDENT_NOT_IN_SCHOOL: NotFoundError,
    Errno.SERVER_BUSY: ServerBusyError,
    Errno.DUPLICATE_REQUEST: ServerBusyError,
    Errno.GROUP_EXISTS: GroupExistsError,
}


def api_error(errno: int, error: str, action: str) -> ApiError:
    """Build the ``ApiError`` subclass that stands for ``errno``."""
    return _FAMILIES.get(errno, ApiError)(errno, error, action)


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

    retryable = True
    may_have_acted = True


class ConnectError(TransportError):
    """The connection could not be made, so the server cannot have acted."""

    may_have_acted = False


class RequestTimeoutError(TransportError):
    """No complete answer within the timeout; the server may have acted."""


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
        # 5xx and 429 are worth another try; a 429 says the call was refused, while a
        # 5xx may come after the work was done.
        self.retryable = status is not None and (status >= 500 or status == 429)
        self.may_have_acted = status != 429

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.action, self.detail, self.status, self.retry_after))


class ProtocolError(_ActionError):
    """A 200 answer whose body is not the documented JSON envelope.

    Attributes:
        action: the API action.
        status: the HTTP status of the answer.
        detail: what was wrong with the body.
    """

    retryable = True
    may_have_acted = True

    def __init__(self, action: str, detail: str, status: int | None = 200) -> None:
        super().__init__(action, detail, status)


class ResponseTooLargeError(ProtocolError):
    """The answer was larger than the body limit and was not read into memory."""

    retryable = False


class DataMismatchError(ProtocolError):
    """``data`` has another length or shape than the items sent; it is never guessed."""

    retryable = False


class ClientClosedError(EEOError, RuntimeError):
    """The ``Client`` was used after it was closed."""


class BatchError(EEOError):
    """Some items of a batch failed; ``.report`` holds the whole :class:`BatchReport`."""

    def __init__(self, report: BatchReport) -> None:
        self.report = report
        message = f"{report.failed} of {report.total} items failed"
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.report,))
