"""Sans-I/O wire layer: sign, validate, encode and decode. No sockets here.

The camelCase names of the API (``courseId``, ``classJson`` ...) live only in this
module, mapped from the snake_case parameter classes by one private cattrs converter.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final
from urllib.parse import quote_plus

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from ._codes import Errno, describe
from ._constants import MAX_CHUNK_SIZE, MAX_GROUP_NAME_CHARS, STUDENT_IDENTITY
from ._errors import (
    DataMismatchError,
    InputError,
    InputTypeError,
    ProtocolError,
    TooManyItemsError,
    api_error,
)
from ._models import GroupMember, GroupResult, ItemStatus

#: IDs are positive and fit the server's signed 64-bit integers.
MAX_ID: Final = 2**63 - 1


def sign(secret: str, timestamp: int) -> str:
    """Return ``md5(secret + str(timestamp))`` as 32 lower-case hex characters."""
    return hashlib.md5((secret + str(timestamp)).encode()).hexdigest()


# --------------------------------------------------------------------------- validation


def validate_id(value: object, where: str) -> int:
    """Return ``value`` as a positive int ID, or raise naming ``where`` and the value.

    Ints (and int-like objects such as numpy integers) and strings of ASCII digits
    (``"1001001"`` from a CSV) are accepted; bools, floats and other strings are not.
    """
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            message = f"{where} must be a positive integer ID, got {value!r}"
            raise InputError(message)
        number = int(text)
    elif isinstance(value, bool) or not hasattr(value, "__index__"):
        message = (
            f"{where} must be a positive integer ID, got {value!r} of type {type(value).__name__}"
        )
        raise InputTypeError(message)
    else:
        number = operator.index(value)  # type: ignore[call-overload,unused-ignore]
    if not 0 < number <= MAX_ID:
        message = f"{where} must be a positive integer ID, got {value!r}"
        raise InputError(message)
    return number


def iter_ids(values: Iterable[object], where: str) -> Iterable[int]:
    """Yield each of ``values`` validated as an ID, naming ``where[i]`` when one is bad."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        message = (
            f"{where} must be a list (or other iterable) of IDs, "
            f"got {type(values).__name__} {values!r:.60}"
        )
        raise InputTypeError(message)
    for index, value in enumerate(values):
        yield validate_id(value, f"{where}[{index}]")


def validate_call_ids(values: Iterable[object], where: str, action: Action) -> tuple[int, ...]:
    """Validate the item IDs of one call: non-empty, no duplicates, within the limit."""
    ids = tuple(iter_ids(values, where))
    if not ids:
        message = f"{where} is empty: give at least one ID"
        raise InputError(message)
    if len(ids) > action.max_items:
        message = (
            f"{where} has {len(ids)} IDs but {action.name} accepts at most "
            f"{action.max_items} per call; use eeo_async.Batcher to send any number"
        )
        raise TooManyItemsError(message)
    if len(set(ids)) != len(ids):
        twice = next(i for i, n in Counter(ids).items() if n > 1)
        message = f"{where} contains {twice} more than once"
        raise InputError(message)
    return ids


def validate_group_name(name: object) -> str:
    """Return ``name`` if it is a string of 1 to 20 characters (never cut silently)."""
    if not isinstance(name, str):
        message = f"group_name must be a str, got {type(name).__name__} {name!r:.60}"
        raise InputTypeError(message)
    if not name.strip():
        message = f"group_name must not be empty, got {name!r}"
        raise InputError(message)
    if len(name) > MAX_GROUP_NAME_CHARS:
        message = (
            f"group_name must be at most {MAX_GROUP_NAME_CHARS} characters, got "
            f"{len(name)}: {name!r} (the server would cut it; shorten it yourself)"
        )
        raise InputError(message)
    return name


def validate_groups(groups: object, action: Action) -> tuple[tuple[GroupMember, ...], ...]:
    """Check the group rules: groups non-empty, one leader each, no student twice."""
    if isinstance(groups, str | bytes) or not isinstance(groups, Iterable):
        message = f"groups must be a list of groups, got {type(groups).__name__}"
        raise InputTypeError(message)
    result: list[tuple[GroupMember, ...]] = []
    where_seen: dict[int, str] = {}
    for g, group in enumerate(groups):
        if isinstance(group, str | bytes | GroupMember) or not isinstance(group, Iterable):
            message = f"groups[{g}] must be a list of GroupMember, got {type(group).__name__}"
            raise InputTypeError(message)
        members: list[GroupMember] = []
        for m, member in enumerate(group):
            where = f"groups[{g}][{m}]"
            if not isinstance(member, GroupMember):
                message = f"{where} must be a GroupMember, got {member!r:.60}"
                raise InputTypeError(message)
            if not isinstance(member.is_leader, bool):
                message = f"{where}.is_leader must be a bool, got {member.is_leader!r}"
                raise InputTypeError(message)
            uid = validate_id(member.student_uid, f"{where}.student_uid")
            if uid in where_seen:
                message = f"student {uid} is in {where_seen[uid]} and again in {where}"
                raise InputError(message)
            where_seen[uid] = where
            members.append(GroupMember(uid, is_leader=member.is_leader))
        if not members:
            message = f"groups[{g}] is empty: every group needs at least one student"
            raise InputError(message)
        leaders = [m.student_uid for m in members if m.is_leader]
        if len(leaders) != 1:
            message = f"groups[{g}] must have exactly one leader, has {len(leaders)}: {leaders}"
            raise InputError(message)
        result.append(tuple(members))
    if not result:
        message = "groups is empty: give at least one group"
        raise InputError(message)
    if len(where_seen) > action.max_items:
        message = (
            f"groups hold {len(where_seen)} students but {action.name} accepts at most "
            f"{action.max_items} per call"
        )
        raise TooManyItemsError(message)
    return tuple(result)


# ------------------------------------------------------------------- parameters and actions


def _json_ints(ids: Sequence[int]) -> str:
    return json.dumps(list(ids), separators=(",", ":"))


def _json_strs(ids: Sequence[int]) -> str:
    # The page shows student UIDs as JSON strings: studentUidJson=["1001001","1001002"].
    return json.dumps([str(i) for i in ids], separators=(",", ":"))


def _json_groups(groups: Sequence[Sequence[GroupMember]]) -> str:
    doc = [
        [{"studentUid": m.student_uid, "isLeader": int(m.is_leader)} for m in group]
        for group in groups
    ]
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


@attrs.frozen
class AddCourseClassStudentParams:
    """Parameters of addCourseClassStudent (one student into up to 100 lessons)."""

    course_id: int
    student_uid: int
    class_ids: tuple[int, ...]


@attrs.frozen
class DelClassStudentMultipleParams:
    """Parameters of delClassStudentMultiple (up to 100 students out of one lesson)."""

    course_id: int
    class_id: int
    student_uids: tuple[int, ...]
    identity: int = STUDENT_IDENTITY


@attrs.frozen
class AddCourseGroupParams:
    """Parameters of addCourseGroup (one group plan for a course)."""

    course_id: int
    group_name: str
    groups: tuple[tuple[GroupMember, ...], ...]


_converter = cattrs.Converter()


def _register(cls: type, **fields: tuple[str, Callable[[Any], str]]) -> None:
    overrides: dict[str, Any] = {
        name: override(rename=wire, unstruct_hook=hook) for name, (wire, hook) in fields.items()
    }
    _converter.register_unstructure_hook(
        cls, make_dict_unstructure_fn(cls, _converter, **overrides)
    )


_register(
    AddCourseClassStudentParams,
    course_id=("courseId", str),
    student_uid=("studentUid", str),
    class_ids=("classJson", _json_ints),
)
_register(
    DelClassStudentMultipleParams,
    course_id=("courseId", str),
    class_id=("classId", str),
    identity=("identity", str),
    student_uids=("studentUidJson", _json_strs),
)
_register(
    AddCourseGroupParams,
    course_id=("courseId", str),
    group_name=("groupName", str),
    groups=("groupList", _json_groups),
)

Params = AddCourseClassStudentParams | DelClassStudentMultipleParams | AddCourseGroupParams


@attrs.frozen(kw_only=True)
class Action:
    """One documented action: its wire name, item limit and whether a retry is safe.

    ``idempotent`` actions (adding and removing answer 166/167 the second time) may be
    repeated after a lost answer; the others only where the server cannot have acted.
    """

    name: str
    max_items: int
    idempotent: bool


ADD_COURSE_CLASS_STUDENT: Final = Action(
    name="addCourseClassStudent", max_items=MAX_CHUNK_SIZE, idempotent=True
)
DEL_CLASS_STUDENT_MULTIPLE: Final = Action(
    name="delClassStudentMultiple", max_items=MAX_CHUNK_SIZE, idempotent=True
)
ADD_COURSE_GROUP: Final = Action(name="addCourseGroup", max_items=MAX_CHUNK_SIZE, idempotent=False)

#: Every supported action by wire name; other actions of the family allow 30 or 10 items.
ACTIONS: Final = {
    a.name: a for a in (ADD_COURSE_CLASS_STUDENT, DEL_CLASS_STUDENT_MULTIPLE, ADD_COURSE_GROUP)
}


def encode_params(params: Params) -> str:
    """Return the action's own form fields, URL-encoded (without SID and signature)."""
    fields: dict[str, str] = _converter.unstructure(params)
    return "&".join(f"{name}={quote_plus(value)}" for name, value in fields.items())


def signed_body(sid: int, secret: str, timestamp: int, encoded_params: str) -> bytes:
    """Return the whole form body: ``SID``, a fresh ``safeKey``, ``timeStamp``, params."""
    head = f"SID={sid}&safeKey={sign(secret, timestamp)}&timeStamp={timestamp}"
    return f"{head}&{encoded_params}".encode() if encoded_params else head.encode()


# ---------------------------------------------------------------------------- decoding


def _as_int(value: object, upper: int = MAX_ID) -> int | None:
    """``value`` as an int in 1..upper (JSON number or digit string), else ``None``."""
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= upper:
        return value
    return None


#: Server errnos are small positive numbers; anything else is not the documented JSON.
MAX_ERRNO: Final = 2**31 - 1


def _snippet(body: bytes) -> str:
    return repr(body[:60]) + ("..." if len(body) > 60 else "")


def decode_envelope(action: str, body: bytes) -> tuple[int, str, object]:
    """Parse a body into ``(errno, error, data)``; ``data`` is ``None`` when absent.

    Raises:
        ProtocolError: the body is not a JSON object with an ``error_info.errno``.
    """
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        message = f"the answer is not JSON ({len(body)} bytes): {_snippet(body)}"
        raise ProtocolError(action, message) from exc
    info = doc.get("error_info") if isinstance(doc, dict) else None
    errno = _as_int(info.get("errno"), MAX_ERRNO) if isinstance(info, dict) else None
    if errno is None:
        message = f"the answer has no error_info.errno: {_snippet(body)}"
        raise ProtocolError(action, message)
    assert isinstance(info, dict)  # noqa: S101 - narrowed above, for the type checker
    error = info.get("error")
    return errno, error if isinstance(error, str) else describe(errno), doc.get("data")


def decode_items(action: str, body: bytes, count: int) -> list[ItemStatus]:
    """Decode an item action's answer into one ``ItemStatus`` per item sent, in order.

    Raises:
        ApiError: ``error_info.errno`` is not 1 (a subclass chosen by the errno).
        DataMismatchError: ``data`` is not a list of ``count`` status objects.
        ProtocolError: the body is not the documented JSON.
    """
    errno, error, data = decode_envelope(action, body)
    if errno != Errno.OK:
        raise api_error(errno, error, action)
    if not isinstance(data, list) or len(data) != count:
        got = f"{len(data)} entries" if isinstance(data, list) else type(data).__name__
        message = f"data should hold {count} entries, one per item sent, but holds {got}"
        raise DataMismatchError(action, message)
    statuses: list[ItemStatus] = []
    known: dict[tuple[int, str], ItemStatus] = {}  # statuses are values: share equal ones
    for index, entry in enumerate(data):
        item_errno = entry.get("errno") if type(entry) is dict else None
        if type(item_errno) is not int or not 0 < item_errno <= MAX_ERRNO:
            item_errno = _as_int(item_errno, MAX_ERRNO)
            if item_errno is None:
                message = f"data[{index}] has no valid errno: {entry!r:.60}"
                raise DataMismatchError(action, message)
        assert isinstance(entry, dict)  # noqa: S101 - narrowed above, for the type checker
        text = entry.get("error")
        if type(text) is not str:
            text = describe(item_errno)
        status = known.get((item_errno, text))
        if status is None:
            status = known[item_errno, text] = ItemStatus(item_errno, text)
        statuses.append(status)
    return statuses


def decode_group(action: str, body: bytes) -> GroupResult:
    """Decode addCourseGroup's answer: the new group id (errno 1, or 898 = partial).

    Raises:
        ApiError: any other errno.
        DataMismatchError: ``data`` is not a positive group id.
        ProtocolError: the body is not the documented JSON.
    """
    errno, error, data = decode_envelope(action, body)
    if errno not in (Errno.OK, Errno.GROUP_PARTIAL):
        raise api_error(errno, error, action)
    group_id = _as_int(data)
    if group_id is None:
        message = f"data should be the new group id, got {data!r:.60}"
        raise DataMismatchError(action, message)
    return GroupResult(group_id=group_id, errno=errno, error=error)
