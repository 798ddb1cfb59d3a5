"""What is retried, and how long to wait: shared by the Client and the Batcher."""

from __future__ import annotations

import math
import random

import attrs
from tenacity import RetryCallState

from ._constants import DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_BACKOFF
from ._errors import EEOError, HTTPStatusError, InputError, InputTypeError
from ._wire import Action


def _check_attempts(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        message = f"{attribute.name} must be an int, got {value!r}"
        raise InputTypeError(message)
    if not 1 <= value <= 1000:
        message = f"{attribute.name} must be between 1 and 1000, got {value!r}"
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
    ``initial_backoff``, capped at ``max_backoff``; a server's ``Retry-After`` raises
    the wait to what it asked for (capped at ``max_backoff`` too). With both backoffs 0
    nothing waits, which is what tests want.
    """

    max_attempts: int = attrs.field(default=DEFAULT_MAX_ATTEMPTS, validator=_check_attempts)
    initial_backoff: float = attrs.field(default=DEFAULT_INITIAL_BACKOFF, validator=_check_seconds)
    max_backoff: float = attrs.field(default=DEFAULT_MAX_BACKOFF, validator=_check_seconds)

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after ``attempts`` failed attempts of the same work."""
        exponent = min(attempts - 1, 62)  # beyond that the cap has long been reached
        wait = self.initial_backoff * 2.0**exponent + random.uniform(0, self.initial_backoff)  # noqa: S311 - jitter, not crypto
        if retry_after is not None and retry_after > wait:
            wait = retry_after
        return min(wait, self.max_backoff)

    def tenacity_wait(self, state: RetryCallState) -> float:
        """The wait for tenacity: :meth:`delay`, honouring ``Retry-After``."""
        exc = state.outcome.exception() if state.outcome is not None else None
        retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        return self.delay(state.attempt_number, retry_after)


def is_transient(exc: BaseException, action: Action) -> bool:
    """True if repeating ``action`` after ``exc`` is worth it and safe.

    Transport faults, HTTP 5xx/429, unparseable bodies and errno 114/131 are worth it;
    for an action that is not idempotent only where the server cannot have acted.
    """
    if not isinstance(exc, EEOError) or not exc.retryable:
        return False
    return action.idempotent or not exc.may_have_acted
