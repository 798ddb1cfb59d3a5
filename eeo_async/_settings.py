"""The Client's checks of its settings, and how it reads an HTTP answer before decoding.

Pure functions and one value; the Client (``_client``) is their only user.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import math
import re
import time
from collections.abc import Callable

from yarl import URL

from ._constants import LOGGER_NAME
from ._errors import (
    DeadlineExceededError,
    EEOError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    ProtocolError,
)
from ._http import Response
from ._wire.endpoint import Endpoint

_log = logging.getLogger(LOGGER_NAME)


def retry_after(value: str | None) -> float | None:
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


def _shown(base_url: object) -> str:
    """``base_url`` quoted for a message, any user and password in it hidden."""
    return re.sub(r"(//)[^/?#]*@", r"\1[redacted]@", repr(base_url))


def check_base_url(base_url: object) -> str:
    """The base URL, checked: scheme and host (and port) only, without a trailing ``/``.

    It is shown in errors, logs and reports, so a user or password in it is refused
    (never quoted), as are a path, a query and a fragment.
    """
    url = URL(base_url) if isinstance(base_url, str) else None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        message = (
            f"base_url must be an http(s) URL such as 'https://api.eeo.cn', got {_shown(base_url)}"
        )
        raise InputError(message)
    if url.user is not None or url.password is not None:
        message = (
            f"base_url must not hold a user or password, got {_shown(base_url)}: the SDK "
            "signs every request, and the URL is shown in errors and reports"
        )
        raise InputError(message)
    if url.path not in ("", "/") or url.query_string or url.fragment:
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


def check_timeout(timeout: object) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        message = f"timeout must be a positive number of seconds, got {timeout!r}"
        raise InputError(message)
    return float(timeout)


class Secret:
    """The school's secret: usable, never shown, and never a traceback local by itself."""

    __slots__ = ("text",)

    def __init__(self, text: object) -> None:
        self.text = text

    def __repr__(self) -> str:
        return "'[redacted]'"

    def check(self) -> str:
        """The secret's text, checked; the errors never quote it.

        Raises:
            InputTypeError: not a str.
            InputError: empty, or with a leading or trailing space or line end.
        """
        problem = self._problem()  # returned, so that no raising frame holds the text
        if problem is not None:
            error, message = problem
            raise error(message)
        return str(self.text)

    def _problem(self) -> tuple[type[InputError], str] | None:
        text = self.text
        if not isinstance(text, str):
            return InputTypeError, f"secret must be a str, got {type(text).__name__}"
        if not text.strip():
            return InputError, "secret must not be empty"
        if text != text.strip():
            where = "a leading" if text[0].isspace() else "a trailing"
            what = "line end" if text.strip(" \t") != text.strip() else "space"
            return InputError, (
                f"secret has {where} {what} (pasted from a file?): remove it; "
                "the server would refuse every call with errno 102"
            )
        return None


def body_text(action: str, response: Response, scrub: Callable[[bytes], bytes]) -> bytes | str:
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
        wait = retry_after(response.headers.get("Retry-After"))
        raise HTTPStatusError(action, detail, response.status, wait)
    body = scrub(response.body)
    charset = response.charset
    if charset is None or charset in ("utf-8", "utf8"):
        return body
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        message = f"the answer does not decode as its declared charset {charset!r}"
        raise ProtocolError(action, message) from exc


def check_deadline(deadline: object) -> float | None:
    """Seconds of a call's deadline; ``math.inf`` (no deadline) gives ``None``."""
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or not deadline > 0:
        message = f"deadline must be a positive number of seconds, got {deadline!r}"
        raise InputError(message)
    return None if math.isinf(deadline) else float(deadline)


def past_deadline(
    endpoint: Endpoint, deadline: float | None, attempts: int, acted: bool, last: EEOError | None
) -> DeadlineExceededError:
    """The error for a call whose deadline passed (or would pass in the next wait)."""
    detail = f"the deadline of {deadline or 0:g} s passed after {attempts} attempt(s)"
    if last is not None:
        detail += f"; the last one: {last}"
    elif attempts:
        detail += ", the last one cut off in flight"
    if acted:
        detail += "; the server may have acted"
        if not endpoint.idempotent:
            detail += f": {endpoint.check_hint}"
    return DeadlineExceededError(endpoint.action, detail, attempts=attempts, acted=acted)
