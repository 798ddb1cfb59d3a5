"""The sandbox's own reading of the wire, from the docs, never from the SDK's rows or signing.

Pure functions, no sockets: the paths of both generations, the v1 ``safeKey`` check
(``md5(SECRET + timeStamp)``, Gettingstartedguide and Basic_errors), the v2
``X-EEO-SIGN`` check exactly as ``signature.txt`` words it, readers for the v1 form
fields the documented actions send (IDs, JSON strings of IDs or objects, answered 100)
and for v2 bodies (IDs as numbers or digit strings, texts, choices, answered 101001001),
and ``Answer``, which ends a handler with a call-level code. Because the sandbox reads
the docs' wire names with its own code, an SDK that sends a wrong name is answered 100,
not mirrored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from .._codes import Errno

#: The v1 endpoint of every documented action but the cloud ones.
COURSE_API: Final = "/partner/api/course.api.php"
#: The v1 endpoint of the 9 live cloud-drive actions (getFolderList ... delFolder).
CLOUD_API: Final = "/partner/api/cloud.api.php"
V1_PATHS: Final = (COURSE_API, CLOUD_API)
#: Seconds a v1 ``timeStamp`` may be off the server's clock (Basic_errors: 20 minutes).
V1_WINDOW: Final = 20 * 60
#: Seconds an ``X-EEO-TS`` may be off the server's clock, either way (signature: 5 minutes).
V2_WINDOW: Final = 5 * 60
#: The v1 signing fields, sent with every action.
V1_SIGNING: Final = frozenset({"SID", "safeKey", "timeStamp"})
#: Names a v2 body must not carry: the signing values go in headers, ``key`` is forbidden.
V2_FORBIDDEN: Final = frozenset({"sid", "timeStamp", "key"})
#: A v2 body value longer than this many bytes is left out of the signature.
V2_SIGNED_MAX_BYTES: Final = 1024
#: The sandbox answers 400 past this many items in one call, though the docs state no
#: hard limit for most actions ("recommended <= 30/100"), so that a chunking mistake shows.
MAX_ITEMS: Final = 100
#: A ``customColumn`` is echoed cut to this many characters (the pages: 1-50, "cut").
COLUMN_CHARS: Final = 50

#: v2 codes of the signature page and the LMS pages (not all are in the SDK's table).
V2_OK: Final = 1
V2_SIGNATURE: Final = 101002005
V2_STALE: Final = 101002006
V2_NO_TIMESTAMP: Final = 101002008
#: The answer to a body that is not a JSON object or carries ``sid``/``timeStamp``/``key``:
#: signature.txt's own table of signing failures lists 121601030 for this, so it is used
#: here rather than the LMS pages' 101001001 (which they give for bad business values).
V2_PARAMETERS: Final = 121601030
#: The LMS pages' (and addCourseTeacher's, modifyCourseStudentNickName's ...) code for a
#: missing or bad value in a v2 body (参数错误, 业务参数错误).
V2_BAD_VALUE: Final = 101001001
V2_TOO_FREQUENT: Final = 101003001

TELEPHONE: Final = re.compile(r"(?:[1-9][0-9]{4,19}|00[1-9][0-9]{0,3}-[0-9]{4,20})")
MD5: Final = re.compile(r"[0-9a-f]{32}")


class Answer(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a handler to answer a call-level error in its route's generation.

    ``raise Answer(144)`` in a v1 handler answers ``{"error_info": {"errno": 144, ...}}``;
    in a v2 handler, ``{"code": 144, "msg": ..., "data": null}``. Nothing the handler
    changed before raising is undone.

    Args:
        code: the errno (v1) or code (v2) to answer.
    """

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(code)


@attrs.frozen
class Upload:
    """A file sent as a multipart part (``Filedata``), as the sandbox received it.

    The bytes were streamed to ``path`` (under the sandbox's own temporary folder,
    removed when it closes), never held whole in memory; ``path`` is ``None`` when the
    file was larger than the sandbox's ``max_upload_bytes`` (``size`` still counts it).

    Attributes:
        name: the file name the client gave (may be empty).
        size: how many bytes the part held.
        path: where its bytes are kept while the sandbox runs, or ``None``.
        content_type: the part's ``Content-Type``.
    """

    name: str
    size: int
    path: Path | None = attrs.field(default=None, repr=False)
    content_type: str = "application/octet-stream"


# ---------------------------------------------------------------------- signing


def md5_hex(text: str) -> str:
    """The MD5 hex digest of ``text`` (lowercase), as both generations use it."""
    return hashlib.md5(text.encode()).hexdigest()


def safe_key(secret: str, stamp: str) -> str:
    """The v1 ``safeKey``: ``md5(SECRET + timeStamp)`` in lowercase hex."""
    return md5_hex(secret + stamp)


def v1_signed(
    form: Mapping[str, object], *, sid: int, secret: str, now: float, window: float
) -> bool:
    """True when a v1 form's ``SID``, ``timeStamp`` (within ``window``) and ``safeKey`` hold."""
    stamp, key = form.get("timeStamp"), form.get("safeKey")
    if form.get("SID") != str(sid) or not isinstance(stamp, str) or not isinstance(key, str):
        return False
    if not (stamp.isascii() and stamp.isdigit()) or abs(int(stamp) - now) > window:
        return False
    return hmac.compare_digest(key.encode(), safe_key(secret, stamp).encode())


def _signed_text(value: object) -> str | None:
    """How a top-level body value enters the v2 signature, or ``None`` when it is left out.

    Arrays and objects are left out, and so is a value longer than 1024 bytes
    (signature.txt counts bytes; its Python demo counts characters). Integers sign as
    their decimal text and strings as they are; booleans, null and floats follow the
    docs' Python demo (``str(v)``: ``True``, ``None``, ``1.5``), since the page is silent.
    """
    if isinstance(value, (list, dict)):
        return None
    text = str(value)
    return text if len(text.encode()) <= V2_SIGNED_MAX_BYTES else None


def v2_string_to_sign(body: Mapping[str, object], *, sid: int | str, stamp: str) -> str:
    """The v2 string before ``&key=SECRET``: signed fields plus sid and timeStamp, sorted."""
    pairs = {k: text for k, v in body.items() if (text := _signed_text(v)) is not None}
    pairs["sid"] = str(sid)
    pairs["timeStamp"] = stamp
    # Sorted by name in ASCII (code point) order: uppercase before lowercase.
    return "&".join(f"{k}={v}" for k, v in sorted(pairs.items()))


def v2_sign(body: Mapping[str, object], *, sid: int | str, stamp: str, secret: str) -> str:
    """The v2 ``X-EEO-SIGN``: md5 of the signed string followed by ``&key=SECRET``."""
    return md5_hex(f"{v2_string_to_sign(body, sid=sid, stamp=stamp)}&key={secret}")


def v2_check(
    headers: Mapping[str, str],
    body: object,
    *,
    sid: int,
    secret: str,
    now: float,
    window: float,
) -> int:
    """The v2 code that refuses a request's headers and parsed body, or 1 when they hold.

    Checked in this order: ``X-EEO-TS`` missing or not an integer (101002008), off the
    clock by more than ``window`` (101002006), ``X-EEO-UID`` not the SID (101002005), a
    body that is not a JSON object or carries ``sid``, ``timeStamp`` or ``key``
    (121601030), a missing or wrong ``X-EEO-SIGN`` (101002005). ``body`` is ``None``
    when the bytes were not JSON.
    """
    stamp = headers.get("X-EEO-TS", "").strip()
    if not (stamp.isascii() and stamp.isdigit()):
        return V2_NO_TIMESTAMP
    if abs(int(stamp) - now) > window:
        return V2_STALE
    if headers.get("X-EEO-UID", "").strip() != str(sid):
        return V2_SIGNATURE
    if not isinstance(body, dict) or V2_FORBIDDEN & body.keys():
        return V2_PARAMETERS
    expected = v2_sign(body, sid=sid, stamp=stamp, secret=secret)
    given = headers.get("X-EEO-SIGN", "").strip()
    return V2_OK if hmac.compare_digest(given.encode(), expected.encode()) else V2_SIGNATURE


# ------------------------------------------------------------------ form fields


def text_field(form: Mapping[str, object], name: str) -> str:
    """The text of v1 field ``name``; absent (or a file) is errno 100."""
    value = form.get(name)
    if not isinstance(value, str):
        raise Answer(Errno.BAD_PARAMETERS)
    return value


def int_field(form: Mapping[str, object], name: str) -> int:
    """A positive ID in v1 field ``name`` (digits); anything else is errno 100."""
    text = form.get(name)
    if not isinstance(text, str):
        raise Answer(Errno.BAD_PARAMETERS)
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) <= 0:
        raise Answer(Errno.BAD_PARAMETERS)
    return int(text)


def id_value(value: object) -> int:
    """An ID given as digits (a JSON number or a digit string); anything else is 100."""
    text = str(value)
    if value is None or isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        raise Answer(Errno.BAD_PARAMETERS)
    return int(text)


def json_field(form: Mapping[str, object], name: str) -> Any:
    """The JSON value held in v1 field ``name`` (a JSON string); absent or bad is 100."""
    text = form.get(name)
    if not isinstance(text, str):
        raise Answer(Errno.BAD_PARAMETERS)
    try:
        return json.loads(text)
    except ValueError:
        raise Answer(Errno.BAD_PARAMETERS) from None


def json_items(form: Mapping[str, object], name: str, empty_code: int) -> list[Any]:
    """The JSON list in field ``name``: not a list is 100, empty ``empty_code``, too long 400."""
    values = json_field(form, name)
    if not isinstance(values, list):
        raise Answer(Errno.BAD_PARAMETERS)
    if not values:
        raise Answer(empty_code)
    if len(values) > MAX_ITEMS:
        raise Answer(Errno.ILLEGAL_DATA)
    return values


def id_list(form: Mapping[str, object], name: str, empty_code: int) -> list[int]:
    """A JSON list of IDs in field ``name`` (numbers or digit strings)."""
    return [id_value(value) for value in json_items(form, name, empty_code)]


def custom_column(value: object) -> str | None:
    """An item's ``customColumn`` as answers echo it: ``None`` absent or empty, else cut to 50."""
    return None if value in (None, "") else str(value)[:COLUMN_CHARS]


def student_objects(form: Mapping[str, object], name: str) -> list[tuple[int, str | None]]:
    """``studentJson=[{"uid": "1001001", "customColumn"?: ...}]`` as (UID, column) pairs."""
    entries = []
    for value in json_items(form, name, Errno.STUDENTS_EMPTY):
        uid = id_value(value.get("uid") if isinstance(value, dict) else None)
        entries.append((uid, custom_column(value.get("customColumn"))))
    return entries


# -------------------------------------------------------------------- v2 bodies


def v2_id(value: object) -> int:
    """A positive ID in a v2 body: a JSON number or a digit string; anything else is 101001001.

    ``true`` is not 1, nor ``1.0`` an ID: production's pages type IDs as integers or strings.
    """
    text = str(value).strip()
    if isinstance(value, bool | float) or not (text.isascii() and text.isdigit()):
        raise Answer(V2_BAD_VALUE)
    if len(text) > 19 or int(text) <= 0:
        raise Answer(V2_BAD_VALUE)
    return int(text)


def optional_id(body: Mapping[str, object], name: str) -> int | None:
    """The ID in ``name`` (:func:`v2_id`), ``None`` when absent."""
    value = body.get(name)
    return None if value is None else v2_id(value)


def body_id(body: Mapping[str, object], name: str) -> int:
    """The ID in ``name`` (:func:`v2_id`), required: absent is 101001001."""
    found = optional_id(body, name)
    if found is None:
        raise Answer(V2_BAD_VALUE)
    return found


def body_uids(body: Mapping[str, object], name: str) -> list[int]:
    """A non-empty JSON array of IDs (:func:`v2_id`) in ``name``; else 101001001."""
    values = body.get(name)
    if not isinstance(values, list) or not values:
        raise Answer(V2_BAD_VALUE)
    return [v2_id(value) for value in values]


def body_text(
    body: Mapping[str, object], name: str, most: int, *, required: bool = True
) -> str | None:
    """A string of 1 to ``most`` characters in ``name``; else 101001001."""
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > most:
        raise Answer(V2_BAD_VALUE)
    return value


def body_choice(body: Mapping[str, object], name: str, allowed: tuple[int, ...]) -> int | None:
    """One of ``allowed`` in ``name`` (absent: ``None``); else 101001001."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or value not in allowed:
        raise Answer(V2_BAD_VALUE)
    return int(value)
