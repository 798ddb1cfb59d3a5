"""What is retried, and how long to wait: the one policy the Client and the Batcher share.

Every reason to send something again is in :func:`should_retry`, each with its own debug
line; the facts it reads (which errnos are transient, which come before the server
acted, the shortest waits) are the tables of ``_codes``. ``set_testing`` turns every
wait off, for this project's tests and for users' own.
"""

from __future__ import annotations

import logging
import math
import random
from types import TracebackType

import attrs

from ._codes import MIN_WAIT
from ._constants import (
    DEFAULT_INITIAL_BACKOFF,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BACKOFF,
    LOGGER_NAME,
    MAX_ATTEMPTS_LIMIT,
)
from ._errors import ApiError, EEOError, HTTPStatusError, InputError, InputTypeError
from ._wire.endpoint import Endpoint

_log = logging.getLogger(LOGGER_NAME)


class _Testing:
    """Whether test mode is on: no backoff waits at all."""

    enabled = False


class set_testing:  # noqa: N801 - used like a function, as stamina's set_testing is
    """Turn test mode on (or off): every backoff wait of every Client and Batcher is 0.

    Retries still happen, as many as configured, only without waiting, so tests of code
    that meets faults run fast and deterministically. Works as a plain call or as a
    context manager that restores the previous mode::

        eeo_async.testing.set_testing(True)        # e.g. in a conftest.py fixture
        with eeo_async.testing.set_testing(True):  # or for one block
            ...

    Args:
        enabled: ``True`` to turn waits off, ``False`` to turn them back on.
    """

    def __init__(self, enabled: bool = True) -> None:
        self._previous = _Testing.enabled
        _Testing.enabled = bool(enabled)

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _Testing.enabled = self._previous


def is_testing() -> bool:
    """True while test mode (no waits) is on."""
    return _Testing.enabled


def _check_attempts(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        message = f"{attribute.name} must be an int, got {value!r}"
        raise InputTypeError(message)
    if not 1 <= value <= MAX_ATTEMPTS_LIMIT:
        message = f"{attribute.name} must be between 1 and {MAX_ATTEMPTS_LIMIT}, got {value!r}"
        raise InputError(message)


def _check_seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        message = f"{attribute.name} must be a number of seconds, got {value!r}"
        raise InputTypeError(message)
    if not (math.isfinite(value) and value >= 0):
        message = f"{attribute.name} must be a finite number >= 0, got {value!r}"
        raise InputError(message)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How many attempts, and exponential backoff with jitter between them.

    The n-th wait is ``initial_backoff * 2**(n-1)`` plus a random jitter of up to
    ``initial_backoff``, capped at ``max_backoff``; a server's ``Retry-After`` or an
    errno's documented shortest wait raises it (capped at ``max_backoff`` too). In test
    mode (``set_testing``) every wait is 0.
    """

    max_attempts: int = attrs.field(default=DEFAULT_MAX_ATTEMPTS, validator=_check_attempts)
    initial_backoff: float = attrs.field(default=DEFAULT_INITIAL_BACKOFF, validator=_check_seconds)
    max_backoff: float = attrs.field(default=DEFAULT_MAX_BACKOFF, validator=_check_seconds)

    def delay(self, attempts: int, retry_after: float | None = None, errno: int = 0) -> float:
        """Seconds to wait after ``attempts`` failed attempts of the same work."""
        if _Testing.enabled:
            return 0.0
        exponent = min(attempts - 1, 62)  # beyond that the cap has long been reached
        wait = self.initial_backoff * 2.0**exponent + random.uniform(0, self.initial_backoff)  # noqa: S311 - jitter, not crypto
        floor = max(retry_after or 0.0, MIN_WAIT.get(errno, 0.0))
        return min(max(wait, floor), self.max_backoff)

    def delay_after(self, exc: BaseException | None, attempts: int) -> float:
        """The wait after ``exc`` ended attempt number ``attempts``."""
        retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        errno = exc.errno if isinstance(exc, ApiError) else 0
        return self.delay(attempts, retry_after, errno)


def should_retry(exc: BaseException, endpoint: Endpoint) -> bool:
    """True if sending ``endpoint``'s call again after ``exc`` is worth it and safe.

    Worth it: what the README's table marks as retried (transport faults, HTTP 5xx/429,
    unparseable bodies, transient errnos). Safe: always for an idempotent action; for
    the others only where the server cannot have acted (connection refused, 114, 429).
    """
    if not isinstance(exc, EEOError):
        return False
    if not exc.retryable:
        _log.debug("no retry action=%s: %s is final", endpoint.action, type(exc).__name__)
        return False
    if endpoint.idempotent:
        _log.debug("retry action=%s: %s is transient", endpoint.action, type(exc).__name__)
        return True
    if exc.may_have_acted:
        _log.debug(
            "no retry action=%s: not safe to repeat and the server may have acted (%s)",
            endpoint.action,
            type(exc).__name__,
        )
        return False
    _log.debug("retry action=%s: the server cannot have acted (%s)", endpoint.action, exc)
    return True
