"""LMS classrooms (API v2): createClassroom and updateClassroom, and ``NewClassroom``.

Part of ``client.lms`` (its methods are mixed into the ``Lms`` namespace of ``lms.py``,
which also holds these rows for the registry). A classroom carries a unique identity on
every attempt, so creating one is safe to repeat. Also here: ``CREATE_CLASSROOMS``,
createClassroom as a bulk row (one classroom a call, its fields at the top level of the
body), which the Batcher's ``create_classrooms`` runs; the registry lists the one
``createClassroom`` row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._codes import BAD_CREDENTIALS, TRANSIENT, Errno
from .._errors import DataMismatchError, InputError, InputTypeError
from .._models import ItemStatus
from .._wire.decode import refuse, status
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import FLAG, ID, TIME, UNIQUE_IDENTITY, ItemsKind, as_int
from .base import Namespace, action
from .lms_values import (
    DUAL_CAMERA,
    HD,
    NAME,
    RECORD_TYPE,
    SEATS,
    UID_LIST,
    Activity,
    check_end_after_start,
    check_fields,
    check_recording,
    decode_activity,
    decode_created,
    derive_lms_identity,
    object_of,
    one_change,
    wire_fields,
)

#: createClassroom's documented rate: at most 1000 calls a minute (101003001 past it).
CREATE_CLASSROOM_PER_MINUTE: Final = 1000
#: A classroom lasts from 15 minutes to 24 hours (errno 165 on the LMS pages).
MIN_SECONDS: Final = 15 * 60
MAX_SECONDS: Final = 24 * 60 * 60

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
    Param("unique_identity", "uniqueIdentity", UNIQUE_IDENTITY, default=None),
    Param("omo_station_broadcast", "omoStationBroadcast", FLAG, default=None),
)


def check_times(values: Mapping[str, Any]) -> None:
    """Refuse an end before its start, and a classroom shorter than 15 min or over 24 h."""
    check_end_after_start(values)
    start, end = values.get("start_time"), values.get("end_time")
    if start is None or end is None:
        return
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
        checked = check_fields(CLASSROOM_PARAMS, given)
        check_classroom(checked)
        self.__attrs_init__(**checked)

    def identity(self, course_id: int) -> str:
        """The unique identity sent for this classroom in ``course_id``.

        The given one, or one derived from the course and the classroom's own fields.
        """
        if self.unique_identity is not None:
            return self.unique_identity
        return derive_lms_identity(
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
        return wire_fields(CLASSROOM_PARAMS, self)


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


def decode_created_items(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any]
) -> list[ItemStatus]:
    """The one item of a creation call, with the new activity's ID as ``id``.

    Any code is the item's status (a batch records it), but a transient or credentials
    code is raised, so the call is retried or the job stops.
    """
    if answer.code in TRANSIENT or answer.code in BAD_CREDENTIALS:
        raise refuse(endpoint, answer)
    made = as_int(object_of(answer).get("activityId"))
    if answer.code == Errno.OK and made is None:
        message = "the answer names no activityId for the new classroom"
        raise DataMismatchError(endpoint.action, message)
    return [status(endpoint, answer.code, answer.message, id=made)] * len(items)


_COURSE: Final = Param("course_id", "courseId", ID)


_CLASSROOM_CHANGES: Final = tuple(p.name for p in CLASSROOM_PARAMS if p.name != "unique_identity")


def _check_update_classroom(values: Mapping[str, Any], count: int) -> None:
    one_change(_CLASSROOM_CHANGES)(values, count)
    check_classroom(values)


#: A published classroom, with a unique identity on every attempt (so safe to repeat).
#: A repeated identity: the earlier activity comes back with code 1 (addCourse's
#: reading), or is refused with 398 (Lesson_errors' reading): "already" either way.
CREATE_CLASSROOM: Final = Endpoint(
    action="createClassroom",
    generation=2,
    path="/lms/activity/createClass",
    params=(_COURSE, *CLASSROOM_PARAMS),
    idempotent=True,
    identity="unique_identity",
    already=frozenset({Errno.IDENTITY_EXISTS}),
    side=frozenset({Errno.CREATED_LIVE_FAILED}),
    per_minute=CREATE_CLASSROOM_PER_MINUTE,
    check=lambda values, count: check_classroom(values),
    decode=decode_created,
)

#: createClassroom for bulk jobs: one classroom (a ``NewClassroom`` with its identity) a
#: call, its fields at the top level of the body; keyed by the identity, answering the
#: activity ID. Safe to repeat: the identity goes with every attempt.
CREATE_CLASSROOMS: Final = attrs.evolve(
    CREATE_CLASSROOM,
    params=(_COURSE, Param("classrooms", "classroom", CLASSROOMS)),
    items="classrooms",
    max_items=1,
    bulk=Bulk(verb="create_classrooms", key="unique_identity", answer="activity_id"),
    check=None,
    decode=decode_created_items,
)

UPDATE_CLASSROOM: Final = Endpoint(
    action="updateClassroom",
    generation=2,
    path="/lms/activity/updateClass",
    params=(
        _COURSE,
        Param("activity_id", "activityId", ID),
        *(
            Param(p.name, p.wire, p.kind, default=None)
            for p in CLASSROOM_PARAMS
            if p.name != "unique_identity"
        ),
    ),
    idempotent=True,
    check=_check_update_classroom,
    decode=decode_activity,
)


class ClassroomMethods(Namespace):
    """The classroom methods of ``client.lms`` (mixed into its ``Lms`` namespace)."""

    @action(CREATE_CLASSROOM)
    async def create_classroom(
        self,
        course_id: int | str,
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
    ) -> Activity:
        """Create a published classroom (createClassroom): activity ID, class ID, live URLs.

        Sends ``unique_identity`` on every attempt: yours, or one derived from the course
        and the classroom (see :class:`~eeo_async.NewClassroom`), so a retry after a lost
        answer never makes a second classroom. A repeated identity is ``already``: the
        earlier classroom comes back, or (398) the server refuses it without its ID
        (``activity_id`` is then ``None``). 267 (created, live settings failed) is
        ``side``. Held to the documented 1000 calls a minute per Client.

        Raises:
            InputError: a bad value, times apart by under 15 minutes or over 24 hours,
                or some but not all of the four recording settings (nothing is sent).
            ApiError: e.g. ``ApiError`` 121601070 (the course holds the most classrooms).
            TransportError: no usable answer after all attempts.
        """
        room = NewClassroom(
            name,
            teacher_uid,
            start_time,
            end_time,
            unit_id=unit_id,
            assistant_uids=assistant_uids,
            camera_hide=camera_hide,
            is_auto_onstage=is_auto_onstage,
            seat_num=seat_num,
            is_hd=is_hd,
            is_dc=is_dc,
            record_type=record_type,
            record_state=record_state,
            live_state=live_state,
            open_state=open_state,
            is_allow_check=is_allow_check,
            unique_identity=unique_identity,
            omo_station_broadcast=omo_station_broadcast,
        )
        course = ID.check(course_id, "course_id")
        values = room.values(course)
        made: Activity = await self.request(CREATE_CLASSROOM, course_id=course, **values)
        return attrs.evolve(made, unique_identity=values["unique_identity"])

    @action(UPDATE_CLASSROOM)
    async def update_classroom(
        self,
        course_id: int | str,
        activity_id: int | str,
        *,
        unit_id: int | str | None = None,
        name: str | None = None,
        teacher_uid: int | str | None = None,
        start_time: dt.datetime | int | None = None,
        end_time: dt.datetime | int | None = None,
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
        omo_station_broadcast: bool | int | None = None,
    ) -> Activity:
        """Change a classroom (updateClassroom): only the values given; at least one.

        Not for drafts or double-teacher sub-classrooms. ``assistant_uids=[]`` removes
        the co-teachers. Safe to repeat (set to a value). 350/875: locked 20/5 minutes
        before the start.

        Raises:
            InputError: nothing to change, a bad value, or some but not all of the four
                recording settings (nothing is sent).
            ApiError: e.g. 350 or 875 (locked), ``NotFoundError`` 30002.
            TransportError: no usable answer after all attempts.
        """
        changes = {
            "unit_id": unit_id,
            "name": name,
            "teacher_uid": teacher_uid,
            "start_time": start_time,
            "end_time": end_time,
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
            "omo_station_broadcast": omo_station_broadcast,
        }
        changed: Activity = await self.request(
            UPDATE_CLASSROOM, course_id=course_id, activity_id=activity_id, **changes
        )
        return changed
