"""From a push to a typed event: the table of every documented ``Cmd``, and ``parse``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from .._errors import InputError
from ._activities import (
    AnswerSheetScore,
    DiscussionChange,
    ExamScore,
    HomeworkScore,
    HomeworkSubmit,
)
from ._after_class import (
    ChatArchive,
    ClientPlaybackDataDetail,
    EduAnswers,
    LessonEnd,
    Rating,
    Recording,
    ReplayDataDetail,
    ReplayUpload,
)
from ._classroom import (
    Authorize,
    ClassroomTool,
    EnterClassroom,
    KickOut,
    LeaveClassroom,
    Mute,
    MuteAll,
    Stage,
)
from ._fields import Event, UnknownEvent, build, to_str, utf8_safe, wire
from ._realtime import (
    BlackboardImage,
    DeviceCheck,
    HelpRequest,
    LessonExtended,
    LiveChatMessage,
    LiveDataDetail,
    LiveGoodsClick,
    LiveLike,
    LiveReserve,
    LiveWebLogin,
    NetworkReport,
    RecordingStarted,
)
from ._school import (
    AccountCancellation,
    ClassInfoChange,
    ClassStudentChange,
    CourseInfoChange,
    CourseStudentChange,
    FileConversion,
    ReplacePhoneNumber,
    SetSubAccount,
    UserCheck,
)
from ._verify import Payload, load

#: Keys that prove origin but are no part of the message; never kept, never hashed.
_SIGNATURE = frozenset({"SafeKey", "TimeStamp"})


@attrs.frozen(kw_only=True)
class RegistrationTest(Event):
    """Cmd ``Test``: the message ClassIn sends once to a URL being registered.

    The URL is accepted only if it answers the success JSON; a ``Receiver`` does so for
    a signed test without calling handlers or recording it.

    Attributes:
        msg: "Register test."
    """

    CMD: ClassVar[str | int | None] = "Test"

    msg: str | None = wire("Msg", convert=to_str)


#: Every documented ``Cmd`` (as text) -> its event class; one row each.
EVENT_TYPES: Mapping[str, type[Event]] = MappingProxyType(
    {
        str(cls.CMD): cls
        for cls in (
            RegistrationTest,
            # in the lesson, real time (details)
            ClassroomTool,
            Authorize,
            EnterClassroom,
            LeaveClassroom,
            KickOut,
            Mute,
            MuteAll,
            Stage,
            NetworkReport,
            DeviceCheck,
            HelpRequest,
            LessonExtended,
            RecordingStarted,
            BlackboardImage,
            LiveWebLogin,
            LiveReserve,
            LiveDataDetail,
            LiveLike,
            LiveGoodsClick,
            LiveChatMessage,
            # after the lesson (classrelated)
            LessonEnd,
            Rating,
            Recording,
            ReplayUpload,
            EduAnswers,
            ReplayDataDetail,
            ClientPlaybackDataDetail,
            ChatArchive,
            # LMS activities (coursedata)
            HomeworkSubmit,
            HomeworkScore,
            ExamScore,
            AnswerSheetScore,
            DiscussionChange,
            # school level (schoolrelated)
            FileConversion,
            UserCheck,
            AccountCancellation,
            ReplacePhoneNumber,
            SetSubAccount,
            # scheduling sync (ClassInfo)
            CourseInfoChange,
            ClassInfoChange,
            CourseStudentChange,
            ClassStudentChange,
        )
    }
)


def dedup_key(doc: Mapping[str, Any]) -> str:
    """The ``_id`` of a push, or ``"sha256:"`` + the digest of its content.

    Pushes without an ``_id`` (some of the docs' examples have none) are identified by
    their canonical JSON (sorted keys, no spaces) without ``SafeKey`` and ``TimeStamp``,
    since a re-push may be stamped afresh; two pushes saying exactly the same thing are
    then one message, which is the right answer for a re-push.
    """
    message_id = doc.get("_id")
    # An _id with a lone surrogate (JSON "\ud800") cannot be stored as it is: hashed instead.
    if isinstance(message_id, str) and message_id and utf8_safe(message_id) == message_id:
        return message_id
    content = {k: v for k, v in doc.items() if k not in _SIGNATURE}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def parse(body: Payload) -> Event:
    """Read a push into the typed, frozen event of its ``Cmd``.

    Never raises for a JSON object: an unknown or missing ``Cmd`` gives an
    :class:`UnknownEvent`, and a value in a shape the docs do not show leaves its field
    None (the value stays in ``raw``). The push's ``SafeKey`` is dropped from ``raw``.
    Call :func:`verify` first (a ``Receiver`` does): parsing proves nothing.

    Args:
        body: the request body (bytes or text) or its decoded JSON object.

    Returns:
        The event: an instance of ``EVENT_TYPES[str(cmd)]`` (or of a variant of it, for
        Cmd 67375105), else an :class:`UnknownEvent`.

    Raises:
        InputError: the body is not a JSON object (a ``ValueError``).
    """
    doc = load(body)
    if doc is None:
        raise InputError("a data-subscription push must be a JSON object")
    cmd = doc.get("Cmd")
    cls = EVENT_TYPES.get(str(cmd), UnknownEvent) if isinstance(cmd, str | int) else UnknownEvent
    raw = {k: v for k, v in doc.items() if k != "SafeKey"}
    return build(cls.variant(doc), doc, key=dedup_key(doc), raw=raw)
