"""A lesson to create (``eeo_async.NewLesson``) and ``classJson``, the kind of a list of them.

A lesson's identity is derived from its course, name, begin, end and teacher when the
caller gives none, so the same lesson always gets the same identity, through
addCourseClass or addCourseClassMultiple. The documented rules of a lesson are checked
when it is made (``lesson_rules``); whether it begins far enough ahead, when it is sent.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Final, Literal

import attrs

from .._errors import InputError, InputTypeError
from .._wire.endpoint import Param
from .._wire.kinds import (
    CUSTOM_COLUMN,
    FLAG,
    ID,
    ID_ARRAY,
    ItemsKind,
    Kind,
    choice,
    compact,
    derive_identity,
    integer,
    text,
    validate_id,
    validate_identity,
    validate_time,
)
from . import lesson_rules as rules

#: Longest lesson name in a ``classJson`` entry (addCourseClass alone takes 90).
MAX_NAME_MULTIPLE: Final = 50

#: The settings of a lesson, optional wherever they are taken: addCourseClass,
#: editCourseClass, modifyClassSeatNum, a ``classJson`` entry of
#: addCourseClassMultiple (``NewLesson``) and of setClassVideoMultiple (``customColumn``
#: only in entries). Each row takes the ones it documents, in its own order
#: (:func:`lesson_settings`).
LESSON_SETTINGS: Final = (
    Param("folder_id", "folderId", ID, default=None),
    Param("teach_mode", "teachMode", choice(1, 2), default=None),
    Param("is_auto_onstage", "isAutoOnstage", choice(0, 1), default=None),
    Param("seat_num", "seatNum", integer(0, rules.MAX_SEATS), default=None),
    Param("is_hd", "isHd", choice(0, 1, 2), default=None),
    Param("is_dc", "isDc", choice(0, rules.DUAL_CAMERA), default=None),
    Param("assistant_uids", "assistantUids", ID_ARRAY, default=None),
    Param("record", "record", FLAG, default=None),
    Param("record_scene", "recordScene", FLAG, default=None),
    Param("live", "live", FLAG, default=None),
    Param("replay", "replay", FLAG, default=None),
    Param("watch_by_login", "watchByLogin", FLAG, default=None),
    Param("allow_unlogged_chat", "allowUnloggedChat", FLAG, default=None),
    Param("class_introduce", "classIntroduce", text(0, 1000), default=None),
    Param("omo_station_broadcast", "omoStationBroadcast", FLAG, default=None),
    Param("custom_column", "customColumn", CUSTOM_COLUMN, default=None),
)
_BY_NAME: Final = {param.name: param for param in LESSON_SETTINGS}


def lesson_settings(*names: str) -> tuple[Param, ...]:
    """The lesson settings of these names, in this order (a row's wire order)."""
    return tuple(_BY_NAME[name] for name in names)


#: The settings of a ``classJson`` entry of addCourseClassMultiple, in its order (the
#: co-teachers are written beside the teacher).
_ENTRY: Final = tuple(p for p in LESSON_SETTINGS if p.name != "assistant_uids")


def lesson_identity(course_id: int, name: str, begin: int, end: int, teacher: int) -> str:
    """The identity derived for a lesson: the same lesson always gets the same one."""
    values = {"course": course_id, "name": name, "begin": begin, "end": end, "teacher": teacher}
    return derive_identity("lesson", values)


def _flag(value: object) -> int | None:
    return None if value is None else FLAG.check(value, "flag")


def _begin(value: object) -> int:
    return validate_time(value, "begin_time")


def _end(value: object) -> int:
    return validate_time(value, "end_time")


def _teacher(value: object) -> int:
    return validate_id(value, "teacher_uid")


def _folder(value: object) -> int | None:
    return None if value is None else validate_id(value, "folder_id")


def _assistants(value: object) -> tuple[int, ...]:
    checked: tuple[int, ...] = ID_ARRAY.check(value, "assistant_uids")
    return checked


def _given_identity(value: object) -> str | Literal[False] | None:
    if value is None or value is False:
        return value
    return validate_identity(value, "unique_identity")


@attrs.frozen
class NewLesson:
    """A lesson to create with ``batcher.create_lessons`` or ``add_course_class_multiple``.

    Checked when made, naming the value: the name (1 to 50 characters, never cut), an
    end after the begin, a length of 15 minutes to 24 hours, the teacher's and
    co-teachers' UIDs, seats (0 to 12; 1 or 6 with HD, 1 with the dual camera),
    web live, replay and scene recording only with ``record`` on. When it is sent, its
    begin must be at least a minute ahead and within 3 years. Times are aware
    datetimes or Unix seconds (kept as Unix seconds); ``None`` leaves a setting to the
    server's default.

    Args:
        name: the lesson's name (``className``).
        begin_time: when it begins.
        end_time: when it ends.
        teacher_uid: the teacher's UID (a teacher of the school).
        assistant_uids: the co-teachers' UIDs.
        seat_num: students on stage, 0 to 12 (the server's default is 6).
        is_hd: 0 standard, 1 HD, 2 full HD.
        is_dc: 3 turns the second camera on (1 seat only), 0 off.
        record: record the lesson (needed by ``live``, ``replay``, ``record_scene``).
        record_scene: record the teacher's camera scene too.
        live: web live broadcast.
        replay: web replay.
        watch_by_login: only signed-in ClassIn users may watch.
        allow_unlogged_chat: viewers not signed in may chat and like.
        folder_id: the cloud folder of the lesson (default: the course's).
        teach_mode: 1 online classroom, 2 smart classroom.
        is_auto_onstage: the docs' values: 0 students go on stage by themselves, 1 not.
        class_introduce: up to 1000 characters.
        omo_station_broadcast: OMO broadcast (a paid option of the school).
        custom_column: your own tag (1 to 50 characters), returned with the answer.
        unique_identity: 1 to 32 characters; ``None`` derives one from the course, name,
            begin, end and teacher when it is sent; ``False`` sends none (then it is
            never re-sent after an attempt that may have applied).

    Raises:
        InputError: a rule above is broken.
    """

    name: str
    begin_time: int = attrs.field(converter=_begin)
    end_time: int = attrs.field(converter=_end)
    teacher_uid: int = attrs.field(converter=_teacher)
    assistant_uids: tuple[int, ...] = attrs.field(default=(), converter=_assistants, kw_only=True)
    seat_num: int | None = attrs.field(default=None, kw_only=True)
    is_hd: int | None = attrs.field(default=None, kw_only=True)
    is_dc: int | None = attrs.field(default=None, kw_only=True)
    record: int | None = attrs.field(default=None, converter=_flag, kw_only=True)
    record_scene: int | None = attrs.field(default=None, converter=_flag, kw_only=True)
    live: int | None = attrs.field(default=None, converter=_flag, kw_only=True)
    replay: int | None = attrs.field(default=None, converter=_flag, kw_only=True)
    watch_by_login: int | None = attrs.field(default=None, converter=_flag, kw_only=True)
    allow_unlogged_chat: int | None = attrs.field(default=None, converter=_flag, kw_only=True)
    folder_id: int | None = attrs.field(default=None, converter=_folder, kw_only=True)
    teach_mode: int | None = attrs.field(default=None, kw_only=True)
    is_auto_onstage: int | None = attrs.field(default=None, kw_only=True)
    class_introduce: str | None = attrs.field(default=None, kw_only=True)
    omo_station_broadcast: int | None = attrs.field(default=None, converter=_flag, kw_only=True)
    custom_column: str | None = attrs.field(default=None, kw_only=True)
    unique_identity: str | Literal[False] | None = attrs.field(
        default=None, converter=_given_identity, kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        text(1, MAX_NAME_MULTIPLE).check(self.name, "name")
        rules.check_times(self.begin_time, self.end_time)
        for param in _ENTRY:
            value = getattr(self, param.name)
            if value is not None and isinstance(param.kind, Kind):
                param.kind.check(value, param.name)
        values = attrs.asdict(self, recurse=False)
        rules.check_stage(values)
        rules.check_recording(values)
        rules.check_assistants(self.teacher_uid, self.assistant_uids)

    @property
    def key(self) -> str:
        """What tells this lesson apart in a job: its identity, or its fields' fingerprint."""
        if isinstance(self.unique_identity, str):
            return self.unique_identity
        values = {"name": self.name, "begin": self.begin_time, "end": self.end_time}
        return derive_identity("key", {**values, "teacher": self.teacher_uid})

    def for_course(self, course_id: int) -> NewLesson:
        """This lesson with the identity derived for ``course_id`` if it has none yet."""
        if self.unique_identity is not None:
            return self
        identity = lesson_identity(
            course_id, self.name, self.begin_time, self.end_time, self.teacher_uid
        )
        return attrs.evolve(self, unique_identity=identity)

    def to_wire(self) -> dict[str, object]:
        """This lesson as an entry of ``classJson``."""
        doc: dict[str, object] = {
            "className": self.name,
            "beginTime": self.begin_time,
            "endTime": self.end_time,
            "teacherUid": str(self.teacher_uid),  # a string in the docs' samples
        }
        if self.assistant_uids:
            doc["assistantUids"] = list(self.assistant_uids)
        for param in _ENTRY:
            value = getattr(self, param.name)
            if value is not None:
                doc[param.wire] = value
        if isinstance(self.unique_identity, str):
            doc["courseUniqueIdentity"] = self.unique_identity
        return doc


def _planned(value: object, where: str) -> NewLesson:
    if not isinstance(value, NewLesson):
        message = f"{where} must be an eeo_async.NewLesson, got {type(value).__name__}"
        raise InputTypeError(message)
    if value.unique_identity is None:
        message = (
            f"{where} ({value.name!r}) has no unique identity: give one, or send it with "
            "batcher.create_lessons or add_course_class_multiple, which derive it"
        )
        raise InputError(message)
    rules.check_begin(value.begin_time, f"{where} ({value.name!r}): ")
    return value


def _lessons_text(lessons: Sequence[NewLesson]) -> str:
    return compact([lesson.to_wire() for lesson in lessons])


def _key(lesson: NewLesson) -> Hashable:
    return lesson.key


#: ``classJson``: lessons, each with its unique identity or ``unique_identity=False``
#: (none: the call is then not safe to repeat, see ``Endpoint.identity``).
NEW_LESSONS: Final = ItemsKind(
    item=_planned,
    text=_lessons_text,
    json=lambda lessons: [lesson.to_wire() for lesson in lessons],
    key=_key,
)


def bind_lessons(course_id: object, lessons: object) -> tuple[int, list[object]]:
    """The course ID checked, and each lesson with its identity derived for the course.

    Anything that is not a ``NewLesson`` is kept, for the kind to refuse by its place.
    """
    course = validate_id(course_id, "course_id")
    if isinstance(lessons, str | bytes | Mapping) or not isinstance(lessons, Iterable):
        message = f"lessons must be a list of eeo_async.NewLesson, got {lessons!r:.60}"
        raise InputTypeError(message)
    return course, [x.for_course(course) if isinstance(x, NewLesson) else x for x in lessons]
