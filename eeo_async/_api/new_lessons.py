"""New lessons: addCourseClass (one) and addCourseClassMultiple (several), safe to retry.

Every lesson is sent with a unique identity (``courseUniqueIdentity``): the caller's, or
one derived from the course and the lesson's name, begin, end and teacher, so the same
lesson always gets the same identity, through either action. The server checks it
across every lesson of the school: a repeat is answered with the earlier lesson's ID or
refused with 398 (the pages disagree); both are read as "already made", never as a
failure and never as a second lesson. 280/281/824 mean the lesson WAS created with a
side failure (recording or introduction not set): a success with a warning, never to be
created again (Lesson_errors). The lesson actions are "no longer updated" since
2025-05-26 (LMS classrooms replace them) but work.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._client import BaseClient
from .._codes import TRANSIENT_ITEM, Errno
from .._errors import DataMismatchError
from .._models import ItemStatus
from .._wire.decode import accepted, item_code, item_data, status
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import (
    ID,
    TIME,
    UNIQUE_IDENTITY,
    Time,
    as_int,
    text,
    validate_id,
    validate_time,
)
from . import lesson_rules as rules
from .base import action
from .identity import GivenIdentity, identity_of
from .lesson_items import NEW_LESSONS, NewLesson, bind_lessons, lesson_identity, lesson_settings

#: Longest lesson name: 90 characters for addCourseClass, 50 in a classJson.
MAX_NAME: Final = 90
#: Lessons a call should carry ("建议一次性创建课节不超过30个"; past 50 "truncated").
MAX_LESSONS: Final = 30
#: Side answers of a creation: the lesson exists, something beside it failed.
CREATED_WITH_WARNING: Final = frozenset(
    {
        Errno.CREATED_RECORDING_BAD,
        Errno.CREATED_RECORDING_FAILED,
        Errno.CREATED_INTRO_FAILED,
        Errno.CREATED_OVER_QUOTA,
    }
)


@attrs.frozen(kw_only=True)
class LessonResult(ItemStatus):
    """A new lesson: its class ID and player links, new or made before.

    ``already`` is true when the server answered that the unique identity was used
    before (398): the lesson exists (after a retry, possibly made by this call's own
    earlier attempt); ``class_id`` is then its ID where the server gives it, else
    ``None`` (find it in eeo.cn). ``side`` is true for 280/281/824/121601002: the
    lesson was created, and ``error`` says what failed beside it (never create it
    again: change the settings instead). ``uid`` repeats ``id`` (the class ID) for the
    Batcher's report column.

    Attributes:
        live_url: the lesson's live/replay player page, when recording is on.
        live_info: the pull-stream URLs by protocol (``RTMP``, ``HLS``, ``FLV``), when
            web live is on.
    """

    live_url: str | None = None
    live_info: Mapping[str, str] = attrs.field(factory=dict, hash=False)

    @property
    def class_id(self) -> int | None:
        """The lesson's class ID (``None`` only for a 398 answer without it)."""
        return self.id


def _more_data(
    endpoint: Endpoint, code: int, text: str, number: int | None, more: object
) -> LessonResult:
    made = status(endpoint, code, text)
    url = more.get("live_url") if isinstance(more, dict) else None
    info = more.get("live_info") if isinstance(more, dict) else None
    return LessonResult(
        made.errno,
        made.error,
        already=made.already,
        side=made.side,
        uid=number,
        id=number,
        live_url=url if isinstance(url, str) and url else None,
        live_info={k: v for k, v in info.items() if isinstance(v, str)}
        if isinstance(info, dict)
        else {},
    )


def decode_lesson(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> LessonResult:
    """A lesson action's answer (1, a side or an already code), with its ``more_data``.

    ``more_data`` is beside ``data`` in the samples and under it in the table: both are
    read. The class ID is ``data`` where the answer has one.

    Raises:
        ApiError: any other code.
    """
    code = accepted(endpoint, answer)
    data = answer.data
    more = answer.doc.get("more_data")
    if isinstance(data, dict):
        more = data.get("more_data", more)
        data = data.get("data", data.get("classId"))
    return _more_data(endpoint, code, answer.message, as_int(data), more)


def decode_new_lesson(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()
) -> LessonResult:
    """The answer of addCourseClass: the new class ID and the lesson's links.

    Raises:
        ApiError: a code other than 1, a side code or 398.
        DataMismatchError: errno 1 without a class ID.
    """
    result = decode_lesson(endpoint, answer, items)
    if result.id is None and result.errno == Errno.OK:
        message = f"data should be the new class ID, got {answer.data!r:.60}"
        raise DataMismatchError(endpoint.action, message)
    return result


def decode_new_lessons(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any]
) -> list[LessonResult]:
    """The answer of addCourseClassMultiple: one ``LessonResult`` per lesson, by position.

    Raises:
        ApiError: the call's code is not 1.
        DataMismatchError: ``data`` is not one entry per lesson sent.
    """
    data = item_data(endpoint, answer, len(items))
    results = []
    for index, entry in enumerate(data):
        code, message = item_code(endpoint.action, index, entry)
        column = entry.get("customColumn")
        made = _more_data(
            endpoint, code, message, as_int(entry.get("data")), entry.get("more_data")
        )
        results.append(attrs.evolve(made, custom_column=None if column is None else str(column)))
    return results


def _check_lesson(values: Mapping[str, Any], count: int) -> None:
    rules.check_times(values["begin_time"], values["end_time"])
    rules.check_begin(values["begin_time"])
    rules.check_stage(values)
    rules.check_recording(values)
    rules.check_assistants(values["teacher_uid"], values.get("assistant_uids") or ())


#: One lesson. Safe to repeat with its unique identity (always sent unless the caller
#: says ``unique_identity=False``); 460 is retried with it.
ADD_COURSE_CLASS: Final = Endpoint(
    action="addCourseClass",
    params=(
        Param("course_id", "courseId", ID),
        Param("class_name", "className", text(1, MAX_NAME)),
        Param("begin_time", "beginTime", TIME),
        Param("end_time", "endTime", TIME),
        Param("teacher_uid", "teacherUid", ID),
        *lesson_settings(
            "folder_id",
            "teach_mode",
            "is_auto_onstage",
            "seat_num",
            "is_hd",
            "is_dc",
            "assistant_uids",
            "record",
            "record_scene",
            "live",
            "replay",
            "watch_by_login",
            "allow_unlogged_chat",
        ),
        Param("unique_identity", "courseUniqueIdentity", UNIQUE_IDENTITY, default=None),
        *lesson_settings("class_introduce", "omo_station_broadcast"),
    ),
    idempotent=True,
    identity="unique_identity",
    already=frozenset({Errno.IDENTITY_EXISTS}),
    side=CREATED_WITH_WARNING,
    check=_check_lesson,
    decode=decode_new_lesson,
)

#: Several lessons of a course: 30 a call (the docs' advice; past 50 "truncated and
#: fail"). Each lesson carries its identity, so the call is safe to repeat (not if one
#: has ``unique_identity=False``); a lesson's own 104/114/460 is sent again alone. The
#: report holds each new class ID.
ADD_COURSE_CLASS_MULTIPLE: Final = Endpoint(
    action="addCourseClassMultiple",
    params=(Param("course_id", "courseId", ID), Param("lessons", "classJson", NEW_LESSONS)),
    items="lessons",
    max_items=MAX_LESSONS,
    idempotent=True,
    identity="unique_identity",
    already=frozenset({Errno.IDENTITY_EXISTS}),
    side=CREATED_WITH_WARNING,
    item_transient=TRANSIENT_ITEM | {Errno.BEING_CREATED},
    bulk=Bulk(verb="create_lessons", key="unique_identity", answer="class_id"),
    decode=decode_new_lessons,
)


class NewLessons(BaseClient):
    """The typed methods that create lessons (mixed into ``eeo_async.Client``)."""

    @action(ADD_COURSE_CLASS)
    async def add_course_class(
        self,
        course_id: int | str,
        class_name: str,
        begin_time: Time,
        end_time: Time,
        teacher_uid: int | str,
        *,
        folder_id: int | str | None = None,
        teach_mode: int | None = None,
        is_auto_onstage: int | None = None,
        seat_num: int | None = None,
        is_hd: int | None = None,
        is_dc: int | None = None,
        assistant_uids: Iterable[int | str] | None = None,
        record: bool | None = None,
        record_scene: bool | None = None,
        live: bool | None = None,
        replay: bool | None = None,
        watch_by_login: bool | None = None,
        allow_unlogged_chat: bool | None = None,
        unique_identity: GivenIdentity = None,
        class_introduce: str | None = None,
        omo_station_broadcast: bool | None = None,
    ) -> LessonResult:
        """Create one lesson of a course (addCourseClass); a retry never makes a second one.

        Every attempt sends a unique identity: yours, or one derived from the course,
        name, begin, end and teacher (the one ``create_lessons`` derives for the same
        lesson). A repeated identity is answered with the earlier lesson's ID or refused
        with 398: the result then says ``already`` (with ``class_id`` where the server
        gives it), never a failure. 280/281/824/121601002 are ``ok`` with ``side`` true:
        the lesson exists, something beside it failed (the message says what). Transient
        failures (104, 114, 460, timeouts) are retried with the same identity;
        ``unique_identity=False`` sends none, and the call is then never re-sent after
        an attempt that may have applied. The settings are those of :class:`NewLesson`
        (the name here may have 90 characters).

        Raises:
            InputError: a bad value, named: a name over 90 characters, an end before
                the begin, a length outside 15 minutes to 24 hours, a begin in the
                past, less than a minute or more than 3 years ahead, a bad UID
                (nothing is sent).
            ApiError: the server refused, e.g. ``NotFoundError`` for 136 (no such
                teacher), 121601070 (the course holds its most lessons).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        # Every argument but self and the identity, by name: the row names them alike.
        values = {k: v for k, v in locals().items() if k not in ("self", "unique_identity")}
        identity = identity_of(
            unique_identity,
            lambda: lesson_identity(
                validate_id(course_id, "course_id"),
                class_name,
                validate_time(begin_time, "begin_time"),
                validate_time(end_time, "end_time"),
                validate_id(teacher_uid, "teacher_uid"),
            ),
        )
        result: LessonResult = await self.request(
            ADD_COURSE_CLASS, **values, unique_identity=identity
        )
        return result

    @action(ADD_COURSE_CLASS_MULTIPLE)
    async def add_course_class_multiple(
        self, course_id: int | str, lessons: Iterable[NewLesson]
    ) -> list[LessonResult]:
        """Create up to 30 lessons of a course (addCourseClassMultiple), safe to retry.

        Each lesson is sent with its unique identity (derived from the course, name,
        begin, end and teacher when it has none), so a retried call makes nothing
        twice. Returns one ``LessonResult`` per lesson, in input order: ``ok`` on 1, a
        side code (created, with a warning) or 398 (``already``: made before, its
        ``class_id`` where the server gives it); a lesson's own failure is its status.
        Two lessons with the same identity are refused. For more than 30, use
        ``Batcher.create_lessons``.

        Raises:
            InputError: a bad lesson (named by its place), none, one twice, or more
                than 30 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        course, bound = bind_lessons(course_id, lessons)
        results: list[LessonResult] = await self.request(
            ADD_COURSE_CLASS_MULTIPLE, course_id=course, lessons=bound
        )
        return results
