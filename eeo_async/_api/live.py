"""Live broadcast and recordings of lessons (the docs' broadcast area).

setClassVideoMultiple (per-lesson results by position), deleteClassVideo,
updateClassLockStatus and getWebcastUrl. Settings are set-to-value and a deleted video
answers 634/632 the second time, so every action here is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._client import BaseClient
from .._codes import TRANSIENT_ITEM, Errno
from .._errors import DataMismatchError, InputError, InputTypeError
from .._models import ActionResult, ItemStatus
from .._wire.decode import decode_done, item_code, item_data, refuse, status
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import FLAG, ID, ItemsKind, Kind, check_custom_column, compact, validate_id
from .base import action
from .lesson_items import lesson_settings
from .lms_values import live_of


def _is_flag(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        FLAG.check(value, attribute.name)


def _class_id(value: object) -> int:
    return validate_id(value, "class_id")


@attrs.frozen(kw_only=True)
class ClassVideoSetting:
    """Recording, live and replay of one lesson (an item of setClassVideoMultiple).

    The docs want recording, live and replay sent together; live, replay and recording
    the scene need recording on (the server answers 251 otherwise: refused here first).

    Attributes:
        class_id: the lesson; the report's key.
        record: record the lesson.
        live: broadcast it live.
        replay: offer the replay.
        record_scene: also record the classroom scene (needs ``record``), or ``None``.
        watch_by_login: only signed-in ClassIn users may watch, or ``None`` to leave it.
        allow_unlogged_chat: viewers not signed in may chat and like, or ``None``.
        custom_column: your own tag (1 to 50 characters), returned with the answer.

    Raises:
        InputError: a bad ID or value, or live/replay/scene without recording.
    """

    class_id: int = attrs.field(converter=_class_id)
    record: bool = attrs.field(validator=_is_flag)
    live: bool = attrs.field(validator=_is_flag)
    replay: bool = attrs.field(validator=_is_flag)
    record_scene: bool | None = attrs.field(default=None, validator=_is_flag)
    watch_by_login: bool | None = attrs.field(default=None, validator=_is_flag)
    allow_unlogged_chat: bool | None = attrs.field(default=None, validator=_is_flag)
    custom_column: str | None = attrs.field(default=None, converter=check_custom_column)

    def __attrs_post_init__(self) -> None:
        wanted = [name for name in ("live", "replay", "record_scene") if getattr(self, name)]
        if wanted and not self.record:
            message = (
                f"lesson {self.class_id}: {' and '.join(wanted)} need record=True "
                "(the server answers 251 otherwise)"
            )
            raise InputError(message)

    def to_wire(self) -> dict[str, object]:
        """The entry of ``classJson`` for this lesson."""
        doc: dict[str, object] = {"classId": str(self.class_id)}
        for param in _ENTRY:
            value = getattr(self, param.name)
            if value is not None and isinstance(param.kind, Kind):
                doc[param.wire] = param.kind.json(param.kind.check(value, param.name))
        return doc


#: The settings of a ``classJson`` entry of setClassVideoMultiple, in its order.
_ENTRY: Final = lesson_settings(
    "record",
    "live",
    "replay",
    "record_scene",
    "watch_by_login",
    "allow_unlogged_chat",
    "custom_column",
)


@attrs.frozen
class ClassVideoStatus(ItemStatus):
    """The answer for one lesson of ``set_class_video_multiple``, with its player links.

    Attributes:
        live_url: the lesson's live player page, where the answer gives it.
        rtmp: the RTMP pull stream (given when live is on).
        hls: the HLS pull stream.
        flv: the FLV pull stream.
    """

    live_url: str | None = attrs.field(default=None, kw_only=True)
    rtmp: str | None = attrs.field(default=None, kw_only=True)
    hls: str | None = attrs.field(default=None, kw_only=True)
    flv: str | None = attrs.field(default=None, kw_only=True)


def validate_setting(value: object, where: str) -> ClassVideoSetting:
    """Return ``value`` if it is a :class:`ClassVideoSetting` (checked when it was made)."""
    if not isinstance(value, ClassVideoSetting):
        message = f"{where} must be an eeo_async.ClassVideoSetting, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _setting_key(setting: ClassVideoSetting) -> Hashable:
    return setting.class_id


def decode_video_statuses(
    endpoint: Endpoint, answer: Answer, items: Sequence[Any]
) -> list[ClassVideoStatus]:
    """One status per lesson sent, by position, with the player links of ``more_data``.

    Raises:
        ApiError: the call's code is not 1.
        DataMismatchError: ``data`` is not one entry per lesson sent.
    """
    data = item_data(endpoint, answer, len(items))
    statuses = []
    for index, entry in enumerate(data):
        code, message = item_code(endpoint.action, index, entry)
        base = status(endpoint, code, message)
        more = entry.get("more_data")
        url, streams = live_of(more if isinstance(more, Mapping) else {})
        column = entry.get("customColumn")
        statuses.append(
            ClassVideoStatus(
                base.errno,
                base.error,
                already=base.already,
                side=base.side,
                custom_column=None if column is None else str(column),
                live_url=url,
                rtmp=None if streams is None else streams.rtmp,
                hls=None if streams is None else streams.hls,
                flv=None if streams is None else streams.flv,
            )
        )
    return statuses


def decode_url(endpoint: Endpoint, answer: Answer, items: Any = ()) -> str:
    """An action whose ``data`` is a URL (getWebcastUrl, getLoginLinked).

    Raises:
        ApiError: the code is not 1.
        DataMismatchError: ``data`` is not a non-empty string.
    """
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    if not isinstance(answer.data, str) or not answer.data.strip():
        message = f"data should be a URL, got {answer.data!r:.60}"
        raise DataMismatchError(endpoint.action, message)
    return answer.data


#: ``classJson`` of setClassVideoMultiple: one object per lesson.
VIDEO_SETTINGS: Final = ItemsKind(
    item=validate_setting,
    text=lambda settings: compact([s.to_wire() for s in settings]),
    json=lambda settings: [s.to_wire() for s in settings],
    key=_setting_key,
)


def _check_file_id(value: object, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(validate_id(value, where))
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        message = f"{where} must be a recorded segment's file ID (FileId), got {value!r:.40}"
        raise InputError(message)
    return value


#: A recorded segment's file ID: the Record message's ``FileId`` (a string, digits in the
#: docs' samples).
FILE_ID: Final = Kind(check=_check_file_id)

#: Recording, live and replay of lessons of one course: set-to-value. No limit per call
#: is documented; 100 like the other lesson actions. 253 ("video service problem, retry
#: later") is retried, for the call and per lesson.
SET_CLASS_VIDEO_MULTIPLE: Final = Endpoint(
    action="setClassVideoMultiple",
    params=(Param("course_id", "courseId", ID), Param("settings", "classJson", VIDEO_SETTINGS)),
    items="settings",
    max_items=100,
    idempotent=True,
    item_transient=TRANSIENT_ITEM | {Errno.VIDEO_SERVICE_PROBLEM},
    bulk=Bulk(verb="set_class_videos", key="class_id"),
    decode=decode_video_statuses,
)

#: Delete one recorded segment, or all of a finished lesson (irreversible). A repeat
#: answers 634 (segment already deleted) or 632 (all deleted): already done.
DELETE_CLASS_VIDEO: Final = Endpoint(
    action="deleteClassVideo",
    params=(Param("class_id", "classId", ID), Param("file_id", "fileId", FILE_ID, default=None)),
    idempotent=True,
    already=frozenset({Errno.VIDEO_DELETED, Errno.VIDEOS_ALL_DELETED}),
    decode=decode_done,
)

#: Lock or unlock a finished lesson's recordings against automatic deletion: set-to-value.
UPDATE_CLASS_LOCK_STATUS: Final = Endpoint(
    action="updateClassLockStatus",
    params=(Param("class_id", "classId", ID), Param("is_lock", "isLock", FLAG)),
    idempotent=True,
    decode=decode_done,
)

#: The course's (or a lesson's) live/replay player page: a read; the link never changes.
GET_WEBCAST_URL: Final = Endpoint(
    action="getWebcastUrl",
    params=(Param("course_id", "courseId", ID), Param("class_id", "classId", ID, default=None)),
    idempotent=True,
    decode=decode_url,
)


class Live(BaseClient):
    """The typed methods of live broadcast and recordings (mixed into ``eeo_async.Client``)."""

    @action(SET_CLASS_VIDEO_MULTIPLE)
    async def set_class_video_multiple(
        self, course_id: int | str, settings: Iterable[ClassVideoSetting]
    ) -> list[ClassVideoStatus]:
        """Set recording, live and replay of up to 100 lessons of a course (setClassVideoMultiple).

        Returns one ``ClassVideoStatus`` per setting, in input order (the answer is by
        position), with the lesson's player links when recording is on; ``ok`` on
        errno 1. Per-lesson errors are statuses: 252 (less than 20 minutes before the
        start), 212, 142. A set-to-value, so transient failures are retried, 253
        ("video service problem, retry later") too; a ``Batcher`` retries a lesson
        answering 253 alone.

        Raises:
            InputError: not ``ClassVideoSetting`` values, none, a lesson twice, or more
                than 100 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ClassVideoStatus] = await self.request(
            SET_CLASS_VIDEO_MULTIPLE, course_id=course_id, settings=settings
        )
        return statuses

    @action(DELETE_CLASS_VIDEO)
    async def delete_class_video(
        self, class_id: int | str, *, file_id: int | str | None = None
    ) -> ActionResult:
        """Delete one recorded segment (``file_id``), or all videos of a finished lesson.

        (deleteClassVideo.) Irreversible. ``ok`` on errno 1 and on 634/632 (the segment,
        or every video, is already deleted: ``already`` is true), so transient failures
        are retried.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. 633 (locked), 384 (not ended), 254 (never
                recorded), ``NotFoundError`` for 233 or 630.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            DELETE_CLASS_VIDEO, class_id=class_id, file_id=file_id
        )
        return result

    @action(UPDATE_CLASS_LOCK_STATUS)
    async def update_class_lock_status(self, class_id: int | str, is_lock: bool) -> ActionResult:
        """Lock (or unlock) a finished lesson's recordings against automatic deletion.

        (updateClassLockStatus.) A set-to-value, retried on transient failures.

        Raises:
            InputError: a bad ID or flag (nothing is sent).
            ApiError: the call failed, e.g. 391 (not finished), ``NotFoundError`` for 233.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            UPDATE_CLASS_LOCK_STATUS, class_id=class_id, is_lock=is_lock
        )
        return result

    @action(GET_WEBCAST_URL)
    async def get_webcast_url(
        self, course_id: int | str, *, class_id: int | str | None = None
    ) -> str:
        """The live/replay player page of a course, or of one of its lessons (getWebcastUrl).

        The link never changes: fetch it once. A read, retried on transient failures.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 144 or 143.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        url: str = await self.request(GET_WEBCAST_URL, course_id=course_id, class_id=class_id)
        return url
