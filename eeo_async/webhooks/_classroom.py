"""In-classroom actions pushed in real time with a numeric ``Cmd`` (the docs' page "details").

Hands up, rewards, camera position, the answer and responder tools, authorising,
entering and leaving, kicking out, muting and the stage; they carry the common
``SourceUID`` and ``TargetUID``. The code tables (identity, device, leave reason) are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ._fields import Event, nested, to_bool, to_id, to_int, to_str, tuple_of, wire

#: ``Identity`` codes of the docs (publicfield): who a user is in the lesson.
IDENTITY_NAMES: Mapping[int, str] = {
    1: "student",
    2: "auditor",
    3: "teacher",
    4: "co-teacher",
    193: "principal",
    194: "principal's assistant",
}
#: ``Device`` codes of the docs (entering the classroom): the client a user came in with.
DEVICE_NAMES: Mapping[int, str] = {
    0: "PC",
    1: "iPhone",
    2: "iPad",
    3: "web client",
    4: "Android phone",
    5: "Android tablet",
    6: "Android TV",
    7: "PC-TV",
    8: "Android Chromebook",
    9: "PC x64",
    10: "PC-TV x64",
    11: "PC ARM",
    12: "Harmony tablet",
    13: "Harmony phone",
    14: "web page",
}
#: ``Reason`` codes of leaving the classroom.
LEAVE_REASONS: Mapping[int, str] = {
    0: "unknown error",
    1: "left normally",
    2: "classroom closed",
    3: "exited abnormally",
    4: "kicked out",
    5: "service closed",
    6: "disconnected",
    7: "lesson cancelled",
    8: "role changed",
    54: "logged in twice on this device",
    56: "server lost the connection",
    60: "replaced by a newer login",
    101: "back key (Android)",
    102: "phone call",
    111: "app went to the background",
}


# ------------------------------------------------------------------ value classes


@attrs.frozen(kw_only=True)
class Area:
    """A window or camera rectangle: top-left (x1, y1) to bottom-right (x2, y2)."""

    x1: int | None = wire("X1")
    y1: int | None = wire("Y1")
    x2: int | None = wire("X2")
    y2: int | None = wire("Y2")


@attrs.frozen(kw_only=True)
class Point:
    """A position (x, y)."""

    x: int | None = wire("X")
    y: int | None = wire("Y")


@attrs.frozen(kw_only=True)
class Participant:
    """Someone taking part in an answer or responder tool."""

    uid: int | None = wire("Uid", "UID", convert=to_id)
    show_name: str | None = wire("ShowName", convert=to_str)
    identity: int | None = wire("Identity")


# ---------------------------------------------------------- numeric commands


@attrs.frozen(kw_only=True)
class ClassroomEvent(Event):
    """An in-classroom action pushed with a numeric ``Cmd``.

    Attributes:
        source_uid: ``SourceUID``, who did it (0 or None: the service itself).
        target_uid: ``TargetUID``, whom it was done to (0: everyone in the classroom).
    """

    source_uid: int | None = wire("SourceUID")
    target_uid: int | None = wire("TargetUID")


def _color_uid(value: Any) -> int | None:
    # The digits at the end, read in one pass (a regex would backtrack over a long run).
    text = (to_str(value) or "").rstrip()
    digits = text[len(text.rstrip("0123456789")) :]
    return to_int(digits) if digits else None


@attrs.frozen(kw_only=True)
class ClassroomTool(ClassroomEvent):
    """Cmd 67375105: a classroom tool's state; its ``Color`` says which tool and whose.

    A known ``Color`` gives a subclass (:class:`HandsUp`, :class:`Award`,
    :class:`CameraPosition`, :class:`AnswerTool`, :class:`ResponderTool`); any other is
    read as this class. ``receiver.on(67375105)`` gets them all, ``receiver.on(HandsUp)``
    only hands.

    Attributes:
        color: ``Color`` as sent (the tool's name and, for a person's state, the UID).
        uid: the UID at the end of ``Color``, or None (a tool's global state).
    """

    CMD: ClassVar[str | int | None] = 67375105

    color: str | None = wire("Color", convert=to_str)
    uid: int | None = wire("Color", convert=_color_uid)

    @classmethod
    def variant(cls, doc: Mapping[str, Any]) -> type[Event]:
        """The subclass named by the push's ``Color`` prefix (rows of ``_TOOLS``)."""
        color = (to_str(doc.get("Color")) or "").replace(" ", "").lower()
        return next((tool for prefix, tool in _TOOLS if color.startswith(prefix)), cls)


@attrs.frozen(kw_only=True)
class HandsUp(ClassroomTool):
    """A hand raised or lowered (``Color`` "hands up" + UID).

    Attributes:
        handsup: True when raised, False when lowered.
    """

    handsup: bool | None = wire("Handsup", convert=to_bool)


@attrs.frozen(kw_only=True)
class Award(ClassroomTool):
    """A reward given (``Color`` "award" + UID).

    Attributes:
        times: how many rewards the user has.
    """

    times: int | None = wire("Times")


@attrs.frozen(kw_only=True)
class CameraPosition(ClassroomTool):
    """A camera window moved (``Color`` "webcamPosition" + UID).

    Attributes:
        area: the camera's rectangle.
        on_top: True when in the seat area.
        channel: 0 the main camera, 1 the second one.
    """

    area: Area | None = wire("Area", convert=nested(Area))  # noqa: RUF009 - an attrs field
    on_top: bool | None = wire("OnTop", convert=to_bool)
    channel: int | None = wire("Channel")


@attrs.frozen(kw_only=True)
class AnswerTool(ClassroomTool):
    """The answer tool (答题器): a question sent (``uid`` None) or a student's answer.

    Attributes:
        area: the window's rectangle.
        q_sent_time: when the question was sent.
        cur_state: 0 start, 1 sent, 2 collected.
        q_collect_time: when the answers were collected.
        correct_items: the right answer.
        commited: the student's state: 0 start, 1 answering, 2 submitted.
        selected_item: the student's answer.
        all_items: every choice offered.
        participants: who takes part.
        recv_question_time: when the student got the question.
        last_commit_time: when the student submitted.
    """

    area: Area | None = wire("Area", convert=nested(Area))  # noqa: RUF009 - an attrs field
    q_sent_time: int | None = wire("QSentTime")
    cur_state: int | None = wire("CurState")
    q_collect_time: int | None = wire("QCollectTime")
    correct_items: str | None = wire("CorrectItems", convert=to_str)
    commited: int | None = wire("Commited")
    selected_item: str | None = wire("SelectedItem", convert=to_str)
    all_items: str | None = wire("AllItems", convert=to_str)
    participants: tuple[Participant, ...] = wire(
        "Participants", convert=tuple_of(nested(Participant)), default=()
    )
    recv_question_time: int | None = wire("RecvQuestionTime")
    last_commit_time: int | None = wire("LastCommitTime")


@attrs.frozen(kw_only=True)
class ResponderTool(ClassroomTool):
    """The responder tool (抢答器): a round started (``uid`` None) or a student's buzz.

    Attributes:
        area: the window's rectangle.
        random_top_left: the random position shown.
        participants: who takes part.
        end_time: when the round ended.
        cur_state: 0 initial, 1 started, 2 a student buzzed, 3 waiting, 4 over.
        n_id: the fastest student's UID.
        fastest_guy_time: the fastest buzz's time.
        fastest_guy_name: the fastest student's name.
    """

    area: Area | None = wire("Area", convert=nested(Area))  # noqa: RUF009 - an attrs field
    random_top_left: Point | None = wire("RandomTopLeft", convert=nested(Point))  # noqa: RUF009 - an attrs field
    participants: tuple[Participant, ...] = wire(
        "Participants", convert=tuple_of(nested(Participant)), default=()
    )
    end_time: int | None = wire("EndTime")
    cur_state: int | None = wire("CurState")
    n_id: int | None = wire("nId")
    fastest_guy_time: int | None = wire("FastestGuyTime")
    fastest_guy_name: str | None = wire("FastestGuyName", convert=to_str)


#: ``Color`` prefixes (lowercase, without spaces) -> tool class; the longest first.
_TOOLS: tuple[tuple[str, type[ClassroomTool]], ...] = (
    ("standaloneselectortool", AnswerTool),
    ("standalonerespondertool", ResponderTool),
    ("webcamposition", CameraPosition),
    ("handsup", HandsUp),
    ("award", Award),
)


@attrs.frozen(kw_only=True)
class Authorize(ClassroomEvent):
    """Cmd 67371520: a user authorised (to draw and write) or not.

    Attributes:
        operation: True when authorised, False when taken back (``TargetUID`` is whom).
    """

    CMD: ClassVar[str | int | None] = 67371520

    operation: bool | None = wire("Operation", convert=to_bool)


@attrs.frozen(kw_only=True)
class EnterClassroom(ClassroomEvent):
    """Cmd 67371107: a user entered the classroom.

    Attributes:
        uid: who entered.
        nick_name: their nickname.
        login_mobile: their telephone.
        login_email: their e-mail account.
        identity: 1 student, 2 auditor, 3 teacher, 4 co-teacher, 193 principal, 194
            principal's assistant (``role`` in words).
        device: the client (``device_name`` in words).
        client_id: 0 for the first device of a dual-device login, 1 for the second.
        allow_enter_time: when a kicked-out user may enter again.
    """

    CMD: ClassVar[str | int | None] = 67371107

    uid: int | None = wire("UID", convert=to_id)
    nick_name: str | None = wire("NickName", convert=to_str)
    login_mobile: str | None = wire("LoginMobile", convert=to_str)
    login_email: str | None = wire("LoginEmail", convert=to_str)
    identity: int | None = wire("Identity")
    device: int | None = wire("Device")
    client_id: int | None = wire("ClientID")
    allow_enter_time: int | None = wire("AllowEnterTime")

    @property
    def role(self) -> str | None:
        """The identity in words ("student", "teacher", ...), or None if not documented."""
        return IDENTITY_NAMES.get(self.identity) if self.identity is not None else None

    @property
    def device_name(self) -> str | None:
        """The device in words ("PC", "iPad", ...), or None if not documented."""
        return DEVICE_NAMES.get(self.device) if self.device is not None else None


@attrs.frozen(kw_only=True)
class LeaveClassroom(ClassroomEvent):
    """Cmd 67371111: a user left the classroom.

    Attributes:
        uid: who left.
        identity: their identity code.
        client_id: 0 for the first device of a dual-device login, 1 for the second.
        reason: why (``reason_text`` in words).
    """

    CMD: ClassVar[str | int | None] = 67371111

    uid: int | None = wire("UID", convert=to_id)
    identity: int | None = wire("Identity")
    client_id: int | None = wire("ClientID")
    reason: int | None = wire("Reason")

    @property
    def reason_text(self) -> str | None:
        """The reason in words ("left normally", "disconnected", ...), or None."""
        return LEAVE_REASONS.get(self.reason) if self.reason is not None else None


@attrs.frozen(kw_only=True)
class KickOut(ClassroomEvent):
    """Cmd 67371523: a user kicked out (``TargetUID``).

    Attributes:
        duration: how long the user is kept out.
        operation: 1 kicked out.
    """

    CMD: ClassVar[str | int | None] = 67371523

    duration: int | None = wire("Duration")
    operation: int | None = wire("Operation")


@attrs.frozen(kw_only=True)
class Mute(ClassroomEvent):
    """Cmd 67371522: one user muted or unmuted (``TargetUID``).

    Attributes:
        operation: 1 muted, 0 unmuted.
    """

    CMD: ClassVar[str | int | None] = 67371522

    operation: int | None = wire("Operation")


@attrs.frozen(kw_only=True)
class MuteAll(ClassroomEvent):
    """Cmd 67371586: everyone muted or unmuted.

    Attributes:
        operation: 1 muted, 0 unmuted.
    """

    CMD: ClassVar[str | int | None] = 67371586

    operation: int | None = wire("Operation")


@attrs.frozen(kw_only=True)
class Stage(ClassroomEvent):
    """Cmd 67371521: a user brought on stage or taken off it (``TargetUID``).

    Attributes:
        operation: 1 on stage, 0 off stage.
    """

    CMD: ClassVar[str | int | None] = 67371521

    operation: int | None = wire("Operation")
