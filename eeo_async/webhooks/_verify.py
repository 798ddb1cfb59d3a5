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
from typing import Any, Final

from .._errors import InputError, InputTypeError

#: What a receiver can be given: the raw body, its text, or the decoded JSON object.
Payload = bytes | bytearray | memoryview | str | Mapping[str, Any]
#: The longest text read as a number: more than any Int64 has digits, and far below the
#: length past which ``int(text)`` raises (Python's limit on int-string conversion).
_LONGEST_NUMBER: Final = 32
_LARGEST: Final = 10**_LONGEST_NUMBER
#: The deepest nesting of objects and lists a push may have (the docs' deepest is 5): a
#: deeper one could be read here and still exhaust the stack when written back as JSON.
_DEEPEST: Final = 64


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
        if len(text) <= _LONGEST_NUMBER and text.isascii() and text.removeprefix("-").isdigit():
            return int(text)
    return None


def load(payload: Payload) -> Mapping[str, Any] | None:
    """The JSON object of a payload, or None when it is not one (or nests too deep)."""
    if isinstance(payload, Mapping):
        return payload
    text = payload if isinstance(payload, str) else bytes(payload)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past the stack
        return None
    if not isinstance(doc, dict):
        return None
    # Only a body with that many brackets can nest that deep: most are never walked.
    if isinstance(text, str):
        brackets = text.count("[") + text.count("{")
    else:
        brackets = text.count(b"[") + text.count(b"{")
    return None if brackets > _DEEPEST and _too_deep(doc) else doc


def _too_deep(doc: dict[str, Any]) -> bool:
    """True when ``doc`` nests objects and lists more than ``_DEEPEST`` levels."""
    level: list[dict[str, Any] | list[Any]] = [doc]
    for _ in range(_DEEPEST):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def safe_key(secret: str, time_stamp: int | str) -> str:
    """``md5(secret + str(TimeStamp))`` as lowercase hex, as the docs define the SafeKey."""
    # surrogatepass: no text makes it raise (with the secret in hand); no real key has one.
    return hashlib.md5(f"{secret}{time_stamp}".encode("utf-8", "surrogatepass")).hexdigest()


class Secret:
    """A school's API secret: checked once, never shown, read only to check a SafeKey.

    Verification holds this rather than the text, so that a traceback with its locals
    (``pytest --showlocals``, Sentry) of any frame reading a push shows ``<secret>``.

    Raises:
        InputError: ``secret`` is not a non-empty string.
    """

    __slots__ = ("_text",)

    def __init__(self, secret: object) -> None:
        if not isinstance(secret, str) or not secret:
            raise InputError("secret must be a non-empty string")
        self._text = secret

    def __repr__(self) -> str:
        return "<secret>"

    def signed(self, stamp: str, given: bytes) -> bool:
        """Whether ``given`` is ``md5(secret + stamp)``, compared in constant time."""
        # The one frame that holds the secret and the expected key; nothing in it can raise.
        return hmac.compare_digest(safe_key(self._text, stamp).encode("ascii"), given)


def check(
    doc: Mapping[str, Any],
    *,
    sid: int,
    secret: Secret,
    max_age: float | None = None,
    now: Callable[[], float] = time.time,
    allow_unsigned: bool = False,
) -> Refusal | None:
    """None when ``doc`` is a push of school ``sid`` signed with ``secret``, else why not.

    Never raises for a JSON object, whatever its values: an odd one is a refusal.
    """
    if as_int(doc.get("SID")) != sid:
        return Refusal.OTHER_SID
    given, stamp = doc.get("SafeKey"), _stamp_text(doc.get("TimeStamp"))
    if given is None or stamp is None:
        # A SafeKey without a usable TimeStamp (LiveChatMsgDetail's example) cannot be
        # checked either: it proves nothing, and is accepted only where asked for.
        return None if allow_unsigned else Refusal.UNSIGNED
    # A SafeKey is 32 hex digits: one that is no ASCII text was not made by md5.
    if not isinstance(given, str) or not given.isascii():
        return Refusal.FORGED
    # Constant time: the answer must not tell how many leading characters were right.
    if not secret.signed(stamp, given.strip().lower().encode("ascii")):
        return Refusal.FORGED
    if max_age is not None and now() - int(stamp) > max_age:
        return Refusal.STALE
    return None


def _stamp_text(stamp: object) -> str | None:
    """The TimeStamp as it was hashed: an int's digits, or a digit string as sent."""
    if isinstance(stamp, str):
        return stamp if stamp.isascii() and as_int(stamp) is not None else None
    number = as_int(stamp)
    return None if number is None or not -_LARGEST < number < _LARGEST else str(number)


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
    key = Secret(secret)
    del secret  # from here on only ``key`` holds it, and its repr hides it
    school = school_id(sid)
    doc = load(payload)
    if doc is None:
        return False
    return check(doc, sid=school, secret=key, max_age=max_age, now=now) is None
