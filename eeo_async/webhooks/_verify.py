"""Whether a data-subscription push came from ClassIn: the SID and the SafeKey, nothing else.

The docs define the proof as ``SafeKey == md5(SECRET + TimeStamp)`` (publicfield,
Datasubs_errors) and no freshness window; their own examples are stamped about ten
minutes after the event, so no window is enforced unless the caller asks for one.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from .._errors import InputError, InputTypeError

#: What a receiver can be given: the raw body, its text, or the decoded JSON object.
Payload = bytes | bytearray | memoryview | str | Mapping[str, Any]


class Refusal(enum.Enum):
    """Why a push is not accepted as ClassIn's; the value is the line a log shows."""

    NOT_JSON = "the body is not a JSON object"
    OTHER_SID = "the SID is not this school's"
    UNSIGNED = "no SafeKey and TimeStamp to check"
    FORGED = "the SafeKey does not match md5(secret + TimeStamp)"
    STALE = "the TimeStamp is older than max_age"


def school_id(sid: object) -> int:
    """The school ID as an int, from an int or a string of digits; anything else is refused."""
    if isinstance(sid, bool) or not isinstance(sid, int | str):
        message = f"sid must be an int or a string of digits, not {type(sid).__name__}"
        raise InputTypeError(message)
    value = as_int(sid)
    if value is None or value <= 0:
        message = f"bad school ID {sid!r}: a positive whole number"
        raise InputError(message)
    return value


def as_int(value: object) -> int | None:
    """An int from an int or a string of digits (the docs show both); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.lstrip("-").isdigit():
            return int(text)
    return None


def load(payload: Payload) -> Mapping[str, Any] | None:
    """The JSON object of a payload, or None when it is not one."""
    if isinstance(payload, Mapping):
        return payload
    try:
        doc = json.loads(bytes(payload) if not isinstance(payload, str) else payload)
    except (ValueError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def safe_key(secret: str, time_stamp: int | str) -> str:
    """``md5(secret + str(TimeStamp))`` as lowercase hex, as the docs define the SafeKey."""
    return hashlib.md5(f"{secret}{time_stamp}".encode()).hexdigest()


def check(
    doc: Mapping[str, Any],
    *,
    sid: int,
    secret: str,
    max_age: float | None = None,
    now: Callable[[], float] = time.time,
    allow_unsigned: bool = False,
) -> Refusal | None:
    """None when ``doc`` is a push of school ``sid`` signed with ``secret``, else why not."""
    if as_int(doc.get("SID")) != sid:
        return Refusal.OTHER_SID
    given, stamp = doc.get("SafeKey"), doc.get("TimeStamp")
    # The text that was hashed: an int's digits, or a string's own text as sent.
    stamp_text = str(stamp) if as_int(stamp) is not None else None
    if not isinstance(given, str) or stamp_text is None:
        # A SafeKey without a usable TimeStamp (LiveChatMsgDetail's example) cannot be
        # checked either: it proves nothing, and is accepted only where asked for.
        return None if allow_unsigned else Refusal.UNSIGNED
    expected = safe_key(secret, stamp_text).encode("ascii")
    # Constant time: the answer must not tell how many leading characters were right.
    if not hmac.compare_digest(expected, given.strip().lower().encode("utf-8")):
        return Refusal.FORGED
    if max_age is not None and now() - int(stamp_text) > max_age:
        return Refusal.STALE
    return None


def verify(
    payload: Payload,
    *,
    sid: int | str,
    secret: str,
    max_age: float | None = None,
    now: Callable[[], float] = time.time,
) -> bool:
    """Tell whether a push came from ClassIn for school ``sid``.

    True when the payload is a JSON object whose ``SID`` is ``sid`` and whose
    ``SafeKey`` equals ``md5(secret + str(TimeStamp))``, compared in constant time. A
    push without ``SafeKey`` or ``TimeStamp`` is not proven and gives False. Only the
    timestamp is signed, never the body: a SafeKey seen once can be replayed on another
    body, so a receiver must also deduplicate by ``_id`` and run behind TLS (SECURITY.md).

    The docs define no freshness window, and their examples are stamped about ten
    minutes after the event, so none is enforced by default. With ``max_age`` a push
    stamped more than that many seconds before ``now()`` gives False; stamps in the
    future are accepted. Beware that a re-pushed message may keep its first stamp, so
    a window shorter than an outage would refuse it forever and block the queue.

    Args:
        payload: the request body (bytes or text) or its decoded JSON object.
        sid: the school ID the push must name.
        secret: the school's API secret (never logged).
        max_age: optional oldest accepted age of ``TimeStamp``, in seconds.
        now: the clock ``max_age`` is measured with.

    Returns:
        True when the push is proven to come from ClassIn for this school.

    Raises:
        InputError: ``sid`` is not a positive whole number or ``secret`` is empty.
    """
    school = school_id(sid)
    if not isinstance(secret, str) or not secret:
        raise InputError("secret must be a non-empty string")
    doc = load(payload)
    if doc is None:
        return False
    return check(doc, sid=school, secret=secret, max_age=max_age, now=now) is None
