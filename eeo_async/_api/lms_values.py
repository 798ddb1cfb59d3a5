"""Values of the LMS and double-teacher areas: results, new classrooms, their kinds and decoders.

The rows and typed methods are in ``lms.py`` and ``double_teacher.py``; what they share
(the classroom's parameters and checks, live URLs, the results, the decoders) is here.
Also here: ``CREATE_CLASSROOMS``, createClassroom as a bulk row (one classroom a call,
its fields at the top level of the body), which the Batcher's ``create_classrooms``
runs; the registry lists the one ``createClassroom`` row of ``lms.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._codes import BAD_CREDENTIALS, TRANSIENT, Errno
from .._errors import (
    ApiError,
    DataMismatchError,
    EEOError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    ProtocolError,
    TransportError,
)
from .._models import ItemStatus, _Meaning
from .._wire.decode import refuse, status
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import (
    FLAG,
    ID,
    TIME,
    ItemsKind,
    Kind,
    as_int,
    choice,
    integer,
    iter_ids,
    text,
)

#: createClassroom's documented rate: at most 1000 calls a minute (101003001 past it).
CREATE_CLASSROOM_PER_MINUTE: Final = 1000
#: A classroom lasts from 15 minutes to 24 hours (errno 165 on the LMS pages).
MIN_SECONDS: Final = 15 * 60
MAX_SECONDS: Final = 24 * 60 * 60
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
#: A unique identity of a classroom or sub-lesson: 1 to 32 characters.
IDENTITY: Final = text(1, 32)
#: Seats on stage, the teacher included (the server lowers it to the school's most).
SEATS: Final = integer(1, 10_000)
#: ``isHd``: 0 not HD, 1 HD, 2 full HD.
HD: Final = choice(0, 1, 2)
#: ``isDc``: 0 no second camera, 3 a full-HD second camera.
DUAL_CAMERA: Final = choice(0, 3)
#: ``recordType``: 0 the classroom, 1 the scene, 2 both.
RECORD_TYPE: Final = choice(0, 1, 2)

#: The parameters of a classroom, as createClassroom takes them (after ``courseId``).
CLASSROOM_PARAMS: Final = (
    Param("unit_id", "unitId", ID, default=None),
    Param("name", "name", NAME),
    Param("teacher_uid", "teacherUid", ID),
    Param("start_time", "startTime", TIME),
    Param("end_time", "endTime", TIME),
    Param("assistant_uids", "assistantUids", UID_LIST, default=None),
    Param("camera_hide", "cameraHide", FLAG, default=None),
    Param("is_auto_onstage", "isAutoOnstage", FLAG, default=None),
    Param("seat_num", "seatNum", SEATS, default=None),
    Param("is_hd", "isHd", HD, default=None),
    Param("is_dc", "isDc", DUAL_CAMERA, default=None),
    Param("record_type", "recordType", RECORD_TYPE, default=None),
    Param("record_state", "recordState", FLAG, default=None),
    Param("live_state", "liveState", FLAG, default=None),
    Param("open_state", "openState", FLAG, default=None),
    Param("is_allow_check", "isAllowCheck", FLAG, default=None),
    Param("unique_identity", "uniqueIdentity", IDENTITY, default=None),
    Param("omo_station_broadcast", "omoStationBroadcast", FLAG, default=None),
)


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


def check_times(values: Mapping[str, Any]) -> None:
    """Refuse an end before its start, and a classroom shorter than 15 min or over 24 h."""
    start, end = values.get("start_time"), values.get("end_time")
    if start is None or end is None:
        return
    if end <= start:
        message = f"end_time ({end}) must be after start_time ({start})"
        raise InputError(message)
    if not MIN_SECONDS <= end - start <= MAX_SECONDS:
        message = (
            f"a classroom lasts from 15 minutes to 24 hours (errno 165), "
            f"got {(end - start) / 60:.0f} minutes"
        )
        raise InputError(message)


def check_classroom(values: Mapping[str, Any], count: int = 0) -> None:
    """A classroom's own rules: its times, and the recording settings together."""
    check_times(values)
    check_recording(values)


# ---------------------------------------------------------------------- results


def nonempty_text(value: object) -> str | None:
    """A non-empty string from an answer, else ``None`` (the server sends ``""`` for none)."""
    return value if isinstance(value, str) and value else None


@attrs.frozen(kw_only=True)
class LiveInfo:
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


@attrs.frozen(kw_only=True)
class Unit(_Meaning):
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
class Activity(_Meaning):
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


# --------------------------------------------------------------- new classrooms


def _field_checker(params: Sequence[Param]) -> dict[str, Kind]:
    return {p.name: p.kind for p in params if isinstance(p.kind, Kind)}


_CLASSROOM_KINDS: Final = _field_checker(CLASSROOM_PARAMS)


def derive_identity(*parts: object) -> str:
    """A unique identity from values that make an item itself: 32 hex characters.

    The same values always give the same identity, so a re-run (or a retry after a
    lost answer) sends the identity of the first attempt.
    """
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.md5(text.encode()).hexdigest()


@attrs.frozen(kw_only=True, init=False)
class NewClassroom:
    """A classroom to create (createClassroom), checked when made; the report's key.

    ``Batcher.create_classrooms`` sends one a call with ``unique_identity``: yours, or one
    derived from the course and the classroom's own fields (unit, name, teacher, start
    and end), so the same classroom always gets the same identity and a retry or a
    re-run never creates it twice. Settings (seats, recording ...) are not part of a
    derived identity: changing them does not make another classroom.

    Args:
        name: 1 to 50 characters.
        teacher_uid: the teacher's UID (a teacher of the school).
        start_time: an aware ``datetime`` or Unix seconds (within 2 years).
        end_time: the same; 15 minutes to 24 hours after the start.
        unit_id: the unit (since 2025-10-30 optional: without it the classroom goes to
            the course's "no topic" unit).
        assistant_uids: co-teachers' UIDs.
        camera_hide, is_auto_onstage, seat_num, is_hd, is_dc, is_allow_check,
            omo_station_broadcast: as createClassroom documents them (flags as bools).
        record_type, record_state, live_state, open_state: recording, web live and
            public replay; all four or none.
        unique_identity: your own identity (1 to 32 characters), or ``None`` to derive.

    Raises:
        InputError: a value the docs refuse (named), before anything is sent.
    """

    name: str
    teacher_uid: int
    start_time: int
    end_time: int
    unit_id: int | None = None
    assistant_uids: tuple[int, ...] | None = None
    camera_hide: int | None = None
    is_auto_onstage: int | None = None
    seat_num: int | None = None
    is_hd: int | None = None
    is_dc: int | None = None
    record_type: int | None = None
    record_state: int | None = None
    live_state: int | None = None
    open_state: int | None = None
    is_allow_check: int | None = None
    unique_identity: str | None = None
    omo_station_broadcast: int | None = None

    def __init__(
        self,
        name: str,
        teacher_uid: int | str,
        start_time: dt.datetime | int,
        end_time: dt.datetime | int,
        *,
        unit_id: int | str | None = None,
        assistant_uids: Iterable[int | str] | None = None,
        camera_hide: bool | int | None = None,
        is_auto_onstage: bool | int | None = None,
        seat_num: int | None = None,
        is_hd: int | None = None,
        is_dc: int | None = None,
        record_type: int | None = None,
        record_state: bool | int | None = None,
        live_state: bool | int | None = None,
        open_state: bool | int | None = None,
        is_allow_check: bool | int | None = None,
        unique_identity: str | None = None,
        omo_station_broadcast: bool | int | None = None,
    ) -> None:
        given = {
            "name": name,
            "teacher_uid": teacher_uid,
            "start_time": start_time,
            "end_time": end_time,
            "unit_id": unit_id,
            "assistant_uids": assistant_uids,
            "camera_hide": camera_hide,
            "is_auto_onstage": is_auto_onstage,
            "seat_num": seat_num,
            "is_hd": is_hd,
            "is_dc": is_dc,
            "record_type": record_type,
            "record_state": record_state,
            "live_state": live_state,
            "open_state": open_state,
            "is_allow_check": is_allow_check,
            "unique_identity": unique_identity,
            "omo_station_broadcast": omo_station_broadcast,
        }
        checked: dict[str, Any] = {}
        for field, value in given.items():
            if value is None:
                checked[field] = None
                continue
            normal = _CLASSROOM_KINDS[field].check(value, field)
            checked[field] = tuple(normal) if isinstance(normal, list) else normal
        check_classroom(checked)
        self.__attrs_init__(**checked)

    def identity(self, course_id: int) -> str:
        """The unique identity sent for this classroom in ``course_id``.

        The given one, or one derived from the course and the classroom's own fields.
        """
        if self.unique_identity is not None:
            return self.unique_identity
        return derive_identity(
            "createClassroom",
            course_id,
            self.unit_id,
            self.name,
            self.teacher_uid,
            self.start_time,
            self.end_time,
        )

    def values(self, course_id: int) -> dict[str, Any]:
        """The classroom's parameters by Python name, its identity filled in."""
        values = attrs.asdict(self, recurse=False)
        values["unique_identity"] = self.identity(course_id)
        return values

    def to_wire(self) -> dict[str, Any]:
        """The classroom's fields of a createClassroom body, by wire name, in the docs' order."""
        doc: dict[str, Any] = {}
        for param in CLASSROOM_PARAMS:
            value = getattr(self, param.name)
            if value is not None:
                doc[param.wire] = param.kind.json(value)
        return doc


def with_identity(room: NewClassroom, course_id: int) -> NewClassroom:
    """``room`` with its unique identity set (its own, or derived in ``course_id``)."""
    if room.unique_identity is not None:
        return room
    return attrs.evolve(room, unique_identity=room.identity(course_id))


def validate_classroom(value: object, where: str) -> NewClassroom:
    """Return ``value`` if it is a :class:`NewClassroom` with a unique identity."""
    if not isinstance(value, NewClassroom):
        message = f"{where} must be an eeo_async.NewClassroom, got {type(value).__name__}"
        raise InputTypeError(message)
    if value.unique_identity is None:
        message = (
            f"{where} has no unique_identity: give one, or use Batcher.create_classrooms, "
            "which derives it from the course and the classroom"
        )
        raise InputError(message)
    return value


def _classroom_key(room: NewClassroom) -> str:
    assert room.unique_identity is not None  # noqa: S101 - validate_classroom saw to it
    return room.unique_identity


def _spread(rooms: Sequence[NewClassroom]) -> dict[str, Any]:
    """One classroom's fields, spread at the top level of the body (one a call)."""
    (room,) = rooms
    return room.to_wire()


#: Classrooms as the items of createClassroom's bulk row: one a call, at the top level.
CLASSROOMS: Final = ItemsKind(
    item=validate_classroom,
    text=lambda rooms: json.dumps([r.to_wire() for r in rooms], ensure_ascii=False),
    json=_spread,
    key=_classroom_key,
)


# --------------------------------------------------------------------- decoders


def _object(answer: Answer) -> Mapping[str, Any]:
    data = answer.data
    if isinstance(data, list) and len(data) == 1:
        data = data[0]  # some pages type ``data`` as an array of one object
    return data if isinstance(data, Mapping) else {}


def _accepted(endpoint: Endpoint, answer: Answer) -> None:
    """Raise unless the code is 1, one of the row's "already" codes or its side codes."""
    code = answer.code
    if code != Errno.OK and code not in endpoint.already and code not in endpoint.side:
        raise refuse(endpoint, answer)


def decode_unit(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> Unit:
    """A :class:`Unit` from ``{unitId, name?}``, or ``already`` for the row's "already" codes.

    Raises:
        ApiError: any other code.
    """
    _accepted(endpoint, answer)
    data = _object(answer)
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
    _accepted(endpoint, answer)
    data = _object(answer)
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


def decode_created_items(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any]
) -> list[ItemStatus]:
    """The one item of a creation call, with the new activity's ID as ``id``.

    Any code is the item's status (a batch records it), but a transient or credentials
    code is raised, so the call is retried or the job stops.
    """
    if answer.code in TRANSIENT or answer.code in BAD_CREDENTIALS:
        raise refuse(endpoint, answer)
    made = as_int(_object(answer).get("activityId"))
    if answer.code == Errno.OK and made is None:
        message = "the answer names no activityId for the new classroom"
        raise DataMismatchError(endpoint.action, message)
    return [status(endpoint, answer.code, answer.message, id=made)] * len(items)


#: createClassroom for bulk jobs: one classroom (a ``NewClassroom`` with its identity) a
#: call, its fields at the top level of the body; keyed by the identity, answering the
#: activity ID. Safe to repeat: the identity goes with every attempt.
CREATE_CLASSROOMS: Final = Endpoint(
    action="createClassroom",
    generation=2,
    path="/lms/activity/createClass",
    params=(
        Param("course_id", "courseId", ID),
        Param("classrooms", "classroom", CLASSROOMS),
    ),
    items="classrooms",
    max_items=1,
    idempotent=True,
    already=frozenset({Errno.IDENTITY_EXISTS}),
    side=frozenset({Errno.CREATED_LIVE_FAILED}),
    per_minute=CREATE_CLASSROOM_PER_MINUTE,
    bulk=Bulk(verb="create_classrooms", key="unique_identity", answer="activity_id"),
    decode=decode_created_items,
)


def check_first(exc: EEOError, what: str) -> EEOError:
    """``exc`` saying that the server may have acted and what to check before trying again.

    For creations that have no unique identity: they are never re-sent after an attempt
    that may have applied, and the caller must look before creating again.
    """
    hint = f"the server may have acted, so it was not sent again: {what}"
    if isinstance(exc, ApiError):
        return type(exc)(exc.errno, exc.error, exc.action, hint=hint)
    if isinstance(exc, HTTPStatusError):
        return HTTPStatusError(exc.action, f"{exc.detail} ({hint})", exc.status, exc.retry_after)
    if isinstance(exc, TransportError | ProtocolError):
        return type(exc)(exc.action, f"{exc.detail} ({hint})", exc.status)
    return exc
