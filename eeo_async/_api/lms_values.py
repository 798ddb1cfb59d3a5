"""Values of the LMS and double-teacher areas: results, their kinds and decoders.

The rows and typed methods are in ``lms.py``, ``classrooms.py`` and
``double_teacher.py``; what they share (kinds, live URLs, the results, the decoders,
identities) is here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._codes import Errno, describe
from .._errors import DataMismatchError, InputError, InputTypeError
from .._json import JsonReady
from .._models import ItemStatus
from .._wire.decode import accepted
from .._wire.endpoint import Answer, Endpoint, Param
from .._wire.kinds import Kind, as_int, choice, integer, iter_ids, text

#: The recording settings the pages say go together (all four or none).
RECORDING: Final = ("record_type", "record_state", "live_state", "open_state")


# ------------------------------------------------------------------------ kinds


def _id_list(value: object, where: str) -> list[int]:
    if value is None or isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        message = f"{where} must be a list of UIDs, got {value!r:.60}"
        raise InputTypeError(message)
    ids = list(iter_ids(value, where))
    if len(set(ids)) != len(ids):
        message = f"{where} names a UID twice: {ids!r:.80}"
        raise InputError(message)
    return ids


#: A list of UIDs sent as a JSON array of numbers (``assistantUids``); ``[]`` clears it.
UID_LIST: Final = Kind(check=_id_list, json=list)
#: A unit's or an activity's name: 1 to 50 characters.
NAME: Final = text(1, 50)
#: Seats on stage, the teacher included (the server lowers it to the school's most).
SEATS: Final = integer(1, 10_000)
#: ``isHd``: 0 not HD, 1 HD, 2 full HD.
HD: Final = choice(0, 1, 2)
#: ``isDc``: 0 no second camera, 3 a full-HD second camera.
DUAL_CAMERA: Final = choice(0, 3)
#: ``recordType``: 0 the classroom, 1 the scene, 2 both.
RECORD_TYPE: Final = choice(0, 1, 2)


def one_change(names: Iterable[str]) -> Any:
    """A check refusing a call that changes nothing (the pages answer "parameters")."""
    wanted = tuple(names)

    def check(values: Mapping[str, Any], count: int) -> None:
        if all(values.get(name) is None for name in wanted):
            message = f"give at least one of {', '.join(wanted)} to change"
            raise InputError(message)

    return check


def check_end_after_start(values: Mapping[str, Any]) -> None:
    """Refuse an ``end_time`` not after its ``start_time`` (when both are given)."""
    start, end = values.get("start_time"), values.get("end_time")
    if start is not None and end is not None and end <= start:
        message = f"end_time ({end}) must be after start_time ({start})"
        raise InputError(message)


def check_fields(params: Sequence[Param], given: Mapping[str, object]) -> dict[str, Any]:
    """The value of each of ``params`` in ``given`` checked by its kind (``None`` kept).

    For a value made of parameters (``NewClassroom``); a list comes back as a tuple.

    Raises:
        InputError: a bad value (named), before anything is sent.
    """
    checked: dict[str, Any] = {}
    for param in params:
        value = given.get(param.name)
        if value is not None and isinstance(param.kind, Kind):
            value = param.kind.check(value, param.name)
        checked[param.name] = tuple(value) if isinstance(value, list) else value
    return checked


def wire_fields(params: Sequence[Param], value: object) -> dict[str, Any]:
    """The fields of ``value`` named by ``params``, by wire name, those set only."""
    doc: dict[str, Any] = {}
    for param in params:
        field = getattr(value, param.name)
        if field is not None:
            doc[param.wire] = param.kind.json(field)
    return doc


def check_recording(values: Mapping[str, Any], names: Sequence[str] = RECORDING) -> None:
    """Refuse some but not all of the recording settings that go together."""
    given = [name for name in names if values.get(name) is not None]
    if given and len(given) != len(names):
        missing = [name for name in names if name not in given]
        message = (
            f"{', '.join(names)} go together (the docs' rule): {', '.join(given)} given "
            f"without {', '.join(missing)}"
        )
        raise InputError(message)


# ---------------------------------------------------------------------- results


def nonempty_text(value: object) -> str | None:
    """A non-empty string from an answer, else ``None`` (the server sends ``""`` for none)."""
    return value if isinstance(value, str) and value else None


@attrs.frozen(kw_only=True)
class LiveInfo(JsonReady):
    """The three pull-stream addresses of a classroom with web live on (RTMP, HLS, FLV).

    Bound to the classroom for good: they stay even if its live is turned off later.
    """

    rtmp: str | None = None
    hls: str | None = None
    flv: str | None = None

    @classmethod
    def of(cls, value: object) -> LiveInfo | None:
        """Read ``liveInfo``/``live_info`` of an answer; ``None`` when it holds none."""
        if not isinstance(value, Mapping):
            return None
        info = cls(
            rtmp=nonempty_text(value.get("RTMP")),
            hls=nonempty_text(value.get("HLS")),
            flv=nonempty_text(value.get("FLV")),
        )
        return info if info != cls() else None


def live_of(data: Mapping[str, Any]) -> tuple[str | None, LiveInfo | None]:
    """The live URL and stream addresses, under either spelling the pages use."""
    url = nonempty_text(data.get("liveUrl")) or nonempty_text(data.get("live_url"))
    info = LiveInfo.of(data.get("liveInfo", data.get("live_info")))
    return url, info


class _Described(JsonReady):
    """``meaning`` and ``to_dict()``: the documented English meaning of ``errno``, JSON."""

    __slots__ = ()
    errno: int

    @property
    def meaning(self) -> str:
        """The documented English meaning of :attr:`errno`, beside the server's own words."""
        return describe(self.errno)


@attrs.frozen(kw_only=True)
class Unit(_Described):
    """The answer about one unit of a course's LMS (create, update or delete).

    Attributes:
        unit_id: the unit's ID; ``None`` when ``already`` is true for a creation (the
            server answers 29208 "unit already exists" without the ID).
        name: the unit's name, where the server echoes it.
        already: the server answered that the unit already was so: 29208 when creating
            (a unit of that name exists: made before this call, or by an earlier
            attempt of it whose answer was lost), 40020 when deleting (no such unit:
            deleted before, or by an earlier attempt).
        errno: 1, or the "already" code.
        error: the server's message.
        attempts: HTTP attempts made.
    """

    unit_id: int | None = None
    name: str | None = None
    already: bool = False
    errno: int = Errno.OK
    error: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """True: the unit is in the state asked for (every other answer is raised)."""
        return True


@attrs.frozen(kw_only=True)
class Activity(_Described):
    """The answer about one activity (a classroom or a draft of another kind).

    Attributes:
        activity_id: the activity's ID; ``None`` only when ``already`` is true and the
            server did not return it (a repeated unique identity refused with 398).
        class_id: the classroom's class (lesson) ID, for createClassroom.
        name: the activity's name, where the server echoes it.
        live_url: the classroom's live and replay page (recording on), else ``None``.
        live_info: the pull-stream addresses (recording and web live on), else ``None``.
        unique_identity: the identity createClassroom sent (the caller's or derived).
        already: the server answered "already": 398 for a repeated identity, 29149 when
            deleting (deleted before, or by an earlier attempt of this call).
        side: done with a side failure (267: created, live settings not set).
        errno: 1, the "already" code or the side code.
        error: the server's message (a warning when ``side``).
        attempts: HTTP attempts made.
    """

    activity_id: int | None = None
    class_id: int | None = None
    name: str | None = None
    live_url: str | None = None
    live_info: LiveInfo | None = None
    unique_identity: str | None = None
    already: bool = False
    side: bool = False
    errno: int = Errno.OK
    error: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """True: the activity is in the state asked for (every other answer is raised)."""
        return True


@attrs.frozen(kw_only=True)
class DoubleTeacherLesson(ItemStatus):
    """One main lesson or sub-lesson in a double-teacher answer, with its own code.

    ``ok`` as for any :class:`~eeo_async.ItemStatus`; ``already`` for a sub-lesson
    whose unique identity was used before (398: the earlier lesson, ``class_id`` is
    its ID).

    Attributes:
        class_id: the lesson's class ID (also ``id``).
        course_id: the course (class) the lesson is in, where the answer says.
        name: the lesson's name, where the answer says.
        is_main_class: for editClass: true for the main lesson, false for a sub-lesson.
        live_url: the live and replay page, else ``None``.
        live_info: the pull-stream addresses, else ``None``.
        unique_identity: the identity sent for a new sub-lesson.
    """

    class_id: int | None = None
    course_id: int | None = None
    name: str | None = None
    is_main_class: bool | None = None
    live_url: str | None = None
    live_info: LiveInfo | None = None
    unique_identity: str | None = None


def derive_lms_identity(*parts: object) -> str:
    """A unique identity from values that make an LMS item itself: 32 hex characters.

    The same values always give the same identity, so a re-run (or a retry after a
    lost answer) sends the identity of the first attempt. Not ``kinds.derive_identity``
    (a tag's letter and SHA-256, for courses and lessons): classrooms and sub-lessons
    have been sent with this MD5 of their parts from the first, and a re-run must derive
    the identities an earlier run sent, or it would create them again. So each keeps
    its algorithm, under a name of its own.
    """
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.md5(text.encode()).hexdigest()


# --------------------------------------------------------------------- decoders


def object_of(answer: Answer) -> Mapping[str, Any]:
    data = answer.data
    if isinstance(data, list) and len(data) == 1:
        data = data[0]  # some pages type ``data`` as an array of one object
    return data if isinstance(data, Mapping) else {}


def decode_unit(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> Unit:
    """A :class:`Unit` from ``{unitId, name?}``, or ``already`` for the row's "already" codes.

    Raises:
        ApiError: any other code.
    """
    accepted(endpoint, answer)
    data = object_of(answer)
    return Unit(
        unit_id=as_int(data.get("unitId")),
        name=nonempty_text(data.get("name")),
        already=answer.code in endpoint.already,
        errno=answer.code,
        error=answer.message,
    )


def decode_activity(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> Activity:
    """An :class:`Activity` from ``{activityId, classId?, name?, live...}``.

    Raises:
        ApiError: a code other than 1, the row's "already" or side codes.
    """
    accepted(endpoint, answer)
    data = object_of(answer)
    url, info = live_of(data)
    return Activity(
        activity_id=as_int(data.get("activityId")),
        class_id=as_int(data.get("classId")),
        name=nonempty_text(data.get("name")),
        live_url=url,
        live_info=info,
        already=answer.code in endpoint.already,
        side=answer.code in endpoint.side,
        errno=answer.code,
        error=answer.message,
    )


def decode_created(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> Activity:
    """Like :func:`decode_activity`, but a success must name the new activity's ID.

    Raises:
        ApiError: a code other than 1, the row's "already" or side codes.
        DataMismatchError: code 1 without an ``activityId`` (the activity may exist).
    """
    activity = decode_activity(endpoint, answer, items)
    if activity.activity_id is None and not activity.already:
        message = (
            "the answer names no activityId: the activity was probably created; "
            "check before creating it again"
        )
        raise DataMismatchError(endpoint.action, message)
    return activity
