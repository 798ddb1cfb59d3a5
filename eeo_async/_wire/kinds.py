"""Sans-I/O wire layer: sign, validate, encode and decode, and the shape of an endpoint row.

No sockets here. An action of the API is one :class:`Endpoint` row (the rows are in
``_endpoints``): its wire name, its parameters with their wire names and kinds, which
parameter carries the items and how many one call may hold, the fixed target of a
batch, whether re-sending is safe, its "already" errnos and its decoder. The camelCase
names (``courseId``, ``classJson`` ...) live only in the rows, mapped from the
snake_case parameters by one private cattrs converter built from each row.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Final, cast
from urllib.parse import quote_plus

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from .._codes import ALREADY_ANY, TRANSIENT_ITEM, Errno, describe
from .._constants import MAX_GROUP_NAME_CHARS
from .._errors import (
    DataMismatchError,
    InputError,
    InputTypeError,
    ProtocolError,
    TooManyItemsError,
    api_error,
)
from .._models import ActionResult, GroupMember, GroupResult, ItemStatus, NewUser

_loads: Callable[[bytes | str], Any]
try:  # the "speed" extra: orjson parses answers about three times as fast
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - tests/test_wire.py runs the decoders on json too
    _loads = json.loads

#: IDs are positive and fit the server's signed 64-bit integers.
MAX_ID: Final = 2**63 - 1
#: Longest digit string read as a number: longer ones cannot be an ID (and ``int()`` of a
#: very long string raises a bare ``ValueError`` past Python's digit limit).
MAX_DIGITS: Final = 19


def sign(secret: str, timestamp: int) -> str:
    """Return ``md5(secret + str(timestamp))`` as 32 lower-case hex characters."""
    return hashlib.md5((secret + str(timestamp)).encode()).hexdigest()


def signed_body(sid: int, secret: str, timestamp: int, encoded_params: str) -> bytes:
    """Return the whole form body: ``SID``, a fresh ``safeKey``, ``timeStamp``, params."""
    head = f"SID={sid}&safeKey={sign(secret, timestamp)}&timeStamp={timestamp}"
    return f"{head}&{encoded_params}".encode() if encoded_params else head.encode()


# --------------------------------------------------------------------------- validation


def _bad_id(value: object, where: str) -> InputError:
    message = f"{where} must be a positive integer ID, got {value!r:.80}"
    return InputError(message)


def validate_id(value: object, where: str) -> int:
    """Return ``value`` as a positive int ID, or raise naming ``where`` and the value.

    Ints (and int-like objects such as numpy integers) and strings of ASCII digits
    (``"1001001"`` from a CSV) are accepted; bools, floats and other strings are not.
    """
    if type(value) is int:  # the common case first: it is hot in planning
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > MAX_DIGITS:
            raise _bad_id(value, where)
        number = int(text)
    elif isinstance(value, bool) or not hasattr(value, "__index__"):
        message = (
            f"{where} must be a positive integer ID, got {value!r:.80} of type "
            f"{type(value).__name__}"
        )
        raise InputTypeError(message)
    else:
        number = operator.index(value)  # type: ignore[call-overload,unused-ignore]
    if not 0 < number <= MAX_ID:
        raise _bad_id(value, where)
    return number


def iter_ids(values: Iterable[object], where: str) -> Iterable[int]:
    """Yield each of ``values`` validated as an ID, naming ``where[i]`` when one is bad."""
    return iter_items(values, where, validate_id)


def iter_items(
    values: Iterable[object], where: str, check: Callable[[object, str], Any]
) -> Iterable[Any]:
    """Each of ``values`` checked by ``check`` (lazily), naming ``where[i]`` when one is bad.

    Plain ints in a list, tuple or range, the common case, are checked at C speed.
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        message = (
            f"{where} must be a list (or other iterable), "
            f"got {type(values).__name__} {values!r:.60}"
        )
        raise InputTypeError(message)
    if check is validate_id and type(values) in (list, tuple, range):
        ids: Sequence[Any] = values  # type: ignore[assignment]
        if (type(ids) is range or all(type(value) is int for value in ids)) and (
            not ids or (min(ids) > 0 and max(ids) <= MAX_ID)
        ):
            return ids
    return (check(value, f"{where}[{index}]") for index, value in enumerate(values))


def validate_group_name(name: object, where: str = "group_name") -> str:
    """Return ``name`` if it is a string of 1 to 20 characters (never cut silently)."""
    if not isinstance(name, str):
        message = f"{where} must be a str, got {type(name).__name__} {name!r:.60}"
        raise InputTypeError(message)
    if not name.strip():
        message = f"{where} must not be empty, got {name!r}"
        raise InputError(message)
    if len(name) > MAX_GROUP_NAME_CHARS:
        message = (
            f"{where} must be at most {MAX_GROUP_NAME_CHARS} characters, got "
            f"{len(name)}: {name!r} (the server would cut it; shorten it yourself)"
        )
        raise InputError(message)
    return name


def validate_groups(groups: object, where: str = "groups") -> tuple[tuple[GroupMember, ...], ...]:
    """Check the group rules: groups non-empty, one leader each, no student twice.

    The docs state no limit on the number of members of a plan (a course has one plan),
    so none is imposed here.
    """
    if isinstance(groups, str | bytes) or not isinstance(groups, Iterable):
        message = f"{where} must be a list of groups, got {type(groups).__name__}"
        raise InputTypeError(message)
    result: list[tuple[GroupMember, ...]] = []
    where_seen: dict[int, str] = {}
    for g, group in enumerate(groups):
        if isinstance(group, str | bytes | GroupMember) or not isinstance(group, Iterable):
            message = f"{where}[{g}] must be a list of GroupMember, got {type(group).__name__}"
            raise InputTypeError(message)
        members: list[GroupMember] = []
        for m, member in enumerate(group):
            place = f"{where}[{g}][{m}]"
            if not isinstance(member, GroupMember):
                message = f"{place} must be a GroupMember, got {member!r:.60}"
                raise InputTypeError(message)
            if not isinstance(member.is_leader, bool):
                message = f"{place}.is_leader must be a bool, got {member.is_leader!r}"
                raise InputTypeError(message)
            uid = validate_id(member.student_uid, f"{place}.student_uid")
            if uid in where_seen:
                message = f"student {uid} is in {where_seen[uid]} and again in {place}"
                raise InputError(message)
            where_seen[uid] = place
            members.append(GroupMember(uid, is_leader=member.is_leader))
        if not members:
            message = f"{where}[{g}] is empty: every group needs at least one student"
            raise InputError(message)
        leaders = [m.student_uid for m in members if m.is_leader]
        if len(leaders) != 1:
            message = f"{where}[{g}] must have exactly one leader, has {len(leaders)}: {leaders}"
            raise InputError(message)
        result.append(tuple(members))
    if not result:
        message = f"{where} is empty: give at least one group"
        raise InputError(message)
    return tuple(result)


# ------------------------------------------------------------------------ parameter kinds


@attrs.frozen(kw_only=True)
class Kind:
    """How one parameter is checked and written on the wire.

    ``check(value, where)`` returns the normalised value or raises an ``InputError``
    naming ``where``; ``text(value)`` is the wire text before URL quoting.
    """

    check: Callable[[object, str], Any]
    text: Callable[[Any], str] = str


def _itself(item: Any) -> Hashable:
    """An item that is its own key (an ID)."""
    return cast(Hashable, item)


@attrs.frozen(kw_only=True)
class ItemsKind:
    """How a list of items is checked and written: one item's check, key and form.

    ``key`` is what makes two items the same (the report's key); ``quoted`` writes a
    whole chunk already URL-quoted, the batcher's hot path, and must equal
    ``quote_plus(text(items))`` (a test holds every kind to that).
    """

    item: Callable[[object, str], Any]
    text: Callable[[Sequence[Any]], str]
    quoted: Callable[[Sequence[Any]], str]
    key: Callable[[Any], Hashable] = _itself


def _ids_text(ids: Sequence[int]) -> str:
    return json.dumps(list(ids), separators=(",", ":"))


def _ids_quoted(ids: Sequence[int]) -> str:
    # quote_plus("[1,2]") is "%5B1%2C2%5D": digits need no quoting, so join directly.
    return "%5B" + "%2C".join(map(str, ids)) + "%5D"


def _id_strings_text(ids: Sequence[int]) -> str:
    return json.dumps([str(i) for i in ids], separators=(",", ":"))


def _id_strings_quoted(ids: Sequence[int]) -> str:
    return "%5B%22" + "%22%2C%22".join(map(str, ids)) + "%22%5D" if ids else "%5B%5D"


def _groups_text(groups: Sequence[Sequence[GroupMember]]) -> str:
    doc = [
        [{"studentUid": m.student_uid, "isLeader": int(m.is_leader)} for m in group]
        for group in groups
    ]
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


#: A positive integer ID.
ID: Final = Kind(check=validate_id)
#: A group plan's name, 1 to 20 characters.
GROUP_NAME: Final = Kind(check=validate_group_name)
#: A list of groups of ``GroupMember``.
GROUPS: Final = Kind(check=validate_groups, text=_groups_text)
#: IDs as a JSON array of numbers: ``classJson=[1212131,1212123]``.
IDS: Final = ItemsKind(item=validate_id, text=_ids_text, quoted=_ids_quoted)
#: IDs as a JSON array of strings: ``studentUidJson=["1001001","1001002"]``.
ID_STRINGS: Final = ItemsKind(item=validate_id, text=_id_strings_text, quoted=_id_strings_quoted)


def _student_objects_text(ids: Sequence[int]) -> str:
    return json.dumps([{"uid": str(i)} for i in ids], separators=(",", ":"))


def _student_objects_quoted(ids: Sequence[int]) -> str:
    # quote_plus('[{"uid":"1"}]') is '%5B%7B%22uid%22%3A%221%22%7D%5D'.
    if not ids:
        return "%5B%5D"
    return "%5B%7B%22uid%22%3A%22" + "%22%7D%2C%7B%22uid%22%3A%22".join(map(str, ids)) + "%22%7D%5D"


def validate_user(value: object, where: str) -> NewUser:
    """Return ``value`` if it is a :class:`NewUser` (checked when it was made)."""
    if not isinstance(value, NewUser):
        # The type only: a dict here might hold a password.
        message = f"{where} must be an eeo_async.NewUser, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _users_text(users: Sequence[NewUser]) -> str:
    return json.dumps([u.to_wire() for u in users], separators=(",", ":"), ensure_ascii=False)


def _users_quoted(users: Sequence[NewUser]) -> str:
    return quote_plus(_users_text(users))


def _account(user: NewUser) -> Hashable:
    return user.account


#: UIDs as a JSON array of objects with string UIDs: ``studentJson=[{"uid":"1001001"}]``.
STUDENT_OBJECTS: Final = ItemsKind(
    item=validate_id, text=_student_objects_text, quoted=_student_objects_quoted
)
#: Accounts to register as ``userJson``; two items are the same account when their
#: telephone or email is.
USERS: Final = ItemsKind(item=validate_user, text=_users_text, quoted=_users_quoted, key=_account)

#: ``identity`` of a course member: 1 (or ``"student"``), 2 (or ``"auditor"``).
IDENTITIES: Final = {"student": 1, "auditor": 2}


def _check_identity(value: object, where: str) -> int:
    if isinstance(value, str) and value in IDENTITIES:
        return IDENTITIES[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in IDENTITIES.values():
        return int(value)
    message = f"{where} must be 1 or 'student', 2 or 'auditor', got {value!r:.40}"
    raise InputError(message)


#: A course member's identity, sent as 1 (student) or 2 (auditor).
IDENTITY: Final = Kind(check=_check_identity)


def choice(*allowed: int) -> Kind:
    """A parameter that takes one of a few documented integer values (``identity``)."""

    def check(value: object, where: str) -> int:
        number = validate_id(value, where) if not isinstance(value, bool) else 0
        if number not in allowed:
            message = f"{where} must be one of {', '.join(map(str, allowed))}, got {value!r}"
            raise InputError(message)
        return number

    return Kind(check=check)


# ------------------------------------------------------------------------ endpoint rows


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a parameter that must be given.
REQUIRED: Final = _Required()


@attrs.frozen
class Param:
    """One parameter of an action: Python name, wire name, kind, and default if optional."""

    name: str
    wire: str
    kind: Kind | ItemsKind
    default: object = REQUIRED


Decoder = Callable[["Endpoint", bytes | str, int], Any]

_converter = cattrs.Converter()


class _Slot:
    """Stands for a parameter's value while a row's form is laid out once."""

    def __init__(self, name: str) -> None:
        self.mark = f"\x00slot:{name}\x00"


@attrs.frozen(kw_only=True)
class Endpoint:
    """One action of the API as data; the Client, Batcher and sandbox all read it.

    Attributes:
        action: the wire name, e.g. ``"addCourseClassStudent"``.
        params: the parameters in wire order.
        items: the name of the parameter carrying the items, or ``None``.
        max_items: the most items one call may carry (the docs' limit or advice).
        target: the parameter a batch holds fixed besides the course (the student of
            addCourseClassStudent, the lesson of delClassStudentMultiple), or ``None``.
        idempotent: re-sending after a lost answer is safe (adding and removing answer
            "already" the second time); otherwise only where the server cannot have acted.
        already: item errnos meaning "already in the target state" (counted as success).
        decode: ``decode(endpoint, body, item_count)`` gives the result or raises.
    """

    action: str
    params: tuple[Param, ...]
    items: str | None = None
    max_items: int = 1
    target: str | None = None
    idempotent: bool = False
    already: frozenset[int] = frozenset()
    item_transient: frozenset[int] = TRANSIENT_ITEM
    decode: Decoder
    params_class: type = attrs.field(init=False, eq=False, repr=False)

    @params_class.default
    def _params_class(self) -> type:
        if not self.already <= ALREADY_ANY:
            message = f"{self.action}: unknown 'already' errnos {set(self.already) - ALREADY_ANY}"
            raise ValueError(message)
        names = [p.name for p in self.params]
        if self.items is not None and self.items not in names:
            message = f"{self.action}: items parameter {self.items!r} is not a parameter"
            raise ValueError(message)
        cls = attrs.make_class(
            f"{self.action}Params",
            {
                p.name: attrs.field() if p.default is REQUIRED else attrs.field(default=p.default)
                for p in self.params
            },
            frozen=True,
            kw_only=True,
        )
        overrides: dict[str, Any] = {
            p.name: override(rename=p.wire, unstruct_hook=self._text_hook(p)) for p in self.params
        }
        _converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, _converter, **overrides)
        )
        return cls

    @staticmethod
    def _text_hook(param: Param) -> Callable[[Any], str]:
        text = param.kind.text
        return lambda value: value.mark if isinstance(value, _Slot) else text(value)

    @property
    def items_param(self) -> Param | None:
        """The row's items parameter, if it has one."""
        return next((p for p in self.params if p.name == self.items), None)

    @property
    def items_kind(self) -> ItemsKind:
        """The kind of the row's items parameter (``TypeError`` for a row without items)."""
        param = self.items_param
        if param is None or not isinstance(param.kind, ItemsKind):
            message = f"{self.action} has no items parameter"
            raise TypeError(message)
        return param.kind

    def build(self, values: Mapping[str, object]) -> Any:
        """Check every value by its kind and return the row's params instance.

        Raises:
            InputTypeError: an unknown parameter.
            InputError: a missing or bad value (named), before anything is sent.
        """
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            message = f"{self.action} has no parameter {', '.join(sorted(unknown))}"
            raise InputTypeError(message)
        checked: dict[str, Any] = {}
        for param in self.params:
            if param.name not in values:
                if param.default is REQUIRED:
                    message = f"{self.action} needs {param.name}"
                    raise InputError(message)
                continue
            value = values[param.name]
            if isinstance(param.kind, ItemsKind):
                checked[param.name] = self.check_call_items(value, param.name)
            else:
                checked[param.name] = param.kind.check(value, param.name)
        return self.params_class(**checked)

    def check_call_items(self, values: object, where: str) -> tuple[Any, ...]:
        """Check the items of one call: non-empty, none twice, within the row's limit."""
        kind = self.items_kind
        items = tuple(iter_items(values, where, kind.item))  # type: ignore[arg-type]
        if not items:
            message = f"{where} is empty: give at least one"
            raise InputError(message)
        if len(items) > self.max_items:
            message = (
                f"{where} has {len(items)} items but {self.action} accepts at most "
                f"{self.max_items} per call; use eeo_async.Batcher to send any number"
            )
            raise TooManyItemsError(message)
        keys = items if kind.key is _itself else [kind.key(item) for item in items]
        if len(set(keys)) != len(keys):
            twice = next(k for k, n in Counter(keys).items() if n > 1)
            message = f"{where} contains {twice} more than once"
            raise InputError(message)
        return items

    def count(self, params: Any) -> int:
        """How many items ``params`` carries (0 for an action without items)."""
        return len(getattr(params, self.items)) if self.items is not None else 0

    def encode(self, params: Any) -> str:
        """The action's own form fields, URL-encoded (without SID and signature).

        The fields' order and wire names come from the row's converter (laid out once);
        each value is written by its kind.
        """
        texts: dict[str, str] = {}
        for param in self.params:
            value = getattr(params, param.name)
            kind = param.kind
            if isinstance(kind, ItemsKind):
                texts[param.name] = kind.quoted(value)
            else:
                texts[param.name] = quote_plus(kind.text(value))
        return "".join(
            texts[part] if index % 2 else part for index, part in enumerate(self._layout)
        )

    def _convert(self, params: Any) -> str:
        """The form through the converter: renames and order, each value quoted."""
        fields: dict[str, str] = _converter.unstructure(params)
        return "&".join(f"{name}={quote_plus(value)}" for name, value in fields.items())

    def chunk_encoder(self, fixed: Mapping[str, object]) -> Callable[[Sequence[Any]], str]:
        """An encoder of chunks of items for fixed values of the other parameters.

        The row's form is laid out once (through the same converter as :meth:`encode`)
        with a slot per parameter; each target fills its fixed values in, and each chunk
        is then one join, giving the same bytes as :meth:`encode`.
        """
        quoted = self.items_kind.quoted
        parts = self._layout
        texts = {
            p.name: quote_plus(cast(Kind, p.kind).text(fixed.get(p.name, p.default)))
            for p in self.params
            if p.name != self.items
        }
        filled = [texts.get(part, part) if index % 2 else part for index, part in enumerate(parts)]
        marker = filled.index(str(self.items))
        head, tail = "".join(filled[:marker]), "".join(filled[marker + 1 :])
        return lambda items: head + quoted(items) + tail

    @functools.cached_property
    def _layout(self) -> list[str]:
        """The form as literal text and parameter names, alternating (names at odd places)."""
        form = self._convert(self.params_class(**{p.name: _Slot(p.name) for p in self.params}))
        return re.split(r"%00slot%3A([A-Za-z_][A-Za-z0-9_]*)%00", form)


# ---------------------------------------------------------------------------- decoding


def _as_int(value: object, upper: int = MAX_ID) -> int | None:
    """``value`` as an int in 1..upper (JSON number or digit string), else ``None``."""
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text.lstrip("0")) <= MAX_DIGITS:
            value = int(text)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= upper:
        return value
    return None


#: Server errnos are positive numbers below this; anything else is not the documented JSON.
MAX_ERRNO: Final = 2**31 - 1


def _snippet(body: bytes | str) -> str:
    return repr(body[:60]) + ("..." if len(body) > 60 else "")


def decode_envelope(action: str, body: bytes | str) -> tuple[int, str, object]:
    """Parse a body into ``(errno, error, data)``; ``data`` is ``None`` when absent.

    Raises:
        ProtocolError: the body is not a JSON object with an ``error_info.errno``.
    """
    try:
        doc = _loads(body)
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


def _item_data(action: str, body: bytes | str, count: int) -> list[Any]:
    """``data`` of an item action's answer: errno 1 and one entry per item sent, or raise."""
    errno, error, data = decode_envelope(action, body)
    if errno != Errno.OK:
        raise api_error(errno, error, action)
    if not isinstance(data, list) or len(data) != count:
        got = f"{len(data)} entries" if isinstance(data, list) else type(data).__name__
        message = f"data should hold {count} entries, one per item sent, but holds {got}"
        raise DataMismatchError(action, message)
    return data


def decode_items(endpoint: Endpoint, body: bytes | str, count: int) -> list[ItemStatus]:
    """Decode an item action's answer into one ``ItemStatus`` per item sent, in order.

    Statuses whose errno is one of the row's "already" errnos have ``already`` set.

    Raises:
        ApiError: ``error_info.errno`` is not 1 (a subclass chosen by the errno).
        DataMismatchError: ``data`` is not a list of ``count`` status objects.
        ProtocolError: the body is not the documented JSON.
    """
    data = _item_data(endpoint.action, body, count)
    first = data[0] if data else None
    if (
        type(first) is dict
        and all(type(value) in (int, str) for value in first.values())  # no deep compares
        and data.count(first) == count
    ):
        # Every entry is the same (all done, typically): one status for all, at C speed.
        return [_status(endpoint, 0, first)] * count
    statuses: list[ItemStatus] = []
    append = statuses.append
    known: dict[tuple[int, str], ItemStatus] = {}  # statuses are values: share equal ones
    for entry in data:
        if type(entry) is dict:
            key = (entry.get("errno"), entry.get("error"))
            if type(key[0]) is int and type(key[1]) is str:
                status = known.get(key)  # type: ignore[arg-type]
                if status is not None:
                    append(status)
                    continue
        status = _status(endpoint, len(statuses), entry)
        if type(entry) is dict and type(entry.get("errno")) is int:
            text = entry.get("error")
            if type(text) is str:
                known[entry["errno"], text] = status
        append(status)
    return statuses


def _status(endpoint: Endpoint, index: int, entry: object) -> ItemStatus:
    """The status of ``data[index]``, checked; ``DataMismatchError`` if it has no errno."""
    item_errno, text = _item_errno(endpoint.action, index, entry)
    return ItemStatus(item_errno, text, already=item_errno in endpoint.already)


def _item_errno(action: str, index: int, entry: object) -> tuple[int, str]:
    item_errno = entry.get("errno") if type(entry) is dict else None
    if type(item_errno) is not int or not 0 < item_errno <= MAX_ERRNO:
        item_errno = _as_int(item_errno, MAX_ERRNO)
        if item_errno is None:
            message = f"data[{index}] has no valid errno: {entry!r:.60}"
            raise DataMismatchError(action, message)
    assert isinstance(entry, dict)  # noqa: S101 - narrowed above, for the type checker
    text = entry.get("error")
    return item_errno, text if type(text) is str else describe(item_errno)


def decode_item_details(endpoint: Endpoint, body: bytes | str, count: int) -> list[ItemStatus]:
    """Like :func:`decode_items`, keeping each item's ``customColumn`` and UID.

    ``customColumn`` comes back as a string (the docs' samples send a number and get a
    string); the UID is registerMultiple's ``data[i].data``, given for 135/461
    ("already registered") too.

    Raises:
        ApiError: ``error_info.errno`` is not 1 (a subclass chosen by the errno).
        DataMismatchError: ``data`` is not a list of ``count`` status objects.
        ProtocolError: the body is not the documented JSON.
    """
    data = _item_data(endpoint.action, body, count)
    statuses: list[ItemStatus] = []
    for index, entry in enumerate(data):
        item_errno, text = _item_errno(endpoint.action, index, entry)
        column = entry.get("customColumn")
        statuses.append(
            ItemStatus(
                item_errno,
                text,
                already=item_errno in endpoint.already,
                uid=_as_int(entry.get("data")),
                custom_column=None if column is None else str(column),
            )
        )
    return statuses


def decode_done(endpoint: Endpoint, body: bytes | str, count: int = 0) -> ActionResult:
    """Decode the answer of an action without data (editCourseGroup, delCourseGroup).

    Raises:
        ApiError: ``error_info.errno`` is not 1.
        ProtocolError: the body is not the documented JSON.
    """
    action = endpoint.action
    errno, error, _ = decode_envelope(action, body)
    if errno != Errno.OK:
        raise api_error(errno, error, action)
    return ActionResult(errno=errno, error=error, action=action)


def decode_group(endpoint: Endpoint, body: bytes | str, count: int = 0) -> GroupResult:
    """Decode addCourseGroup's answer: the new group id (errno 1, or 898 = partial).

    Raises:
        ApiError: any other errno.
        DataMismatchError: ``data`` is not a positive group id.
        ProtocolError: the body is not the documented JSON.
    """
    action = endpoint.action
    errno, error, data = decode_envelope(action, body)
    if errno not in (Errno.OK, Errno.GROUP_PARTIAL):
        raise api_error(errno, error, action)
    group_id = _as_int(data)
    if group_id is None:
        message = f"data should be the new group id, got {data!r:.60}"
        raise DataMismatchError(action, message)
    return GroupResult(group_id=group_id, errno=errno, error=error)
