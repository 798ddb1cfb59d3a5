"""Messages pushed after a lesson (the docs' page "classrelated").

The lesson summary with its attendance (``End``), ratings, recordings, uploaded
replays, multi-question answers, replay viewings on the web and in the client, and the
classroom chat archive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ._classroom import DEVICE_NAMES, IDENTITY_NAMES
from ._fields import Event, nested, to_id, to_int, to_mapping, to_str, tuple_of, wire
from ._realtime import WebViewing


@attrs.frozen(kw_only=True)
class Visit:
    """One stay in the classroom on one device: from an "In" to the next "Out".

    Attributes:
        entered: when the user came in (None: an "Out" without its "In").
        left: when they left (None: no "Out" was recorded, e.g. a dropped connection).
        device: the client they came in with (``device_name`` in words).
        client_id: 0 the main device; 1, 2, ... the deputy devices of a multi-device login.
    """

    entered: int | None = None
    left: int | None = None
    device: int | None = None
    client_id: int = 0

    @property
    def seconds(self) -> int | None:
        """How long the stay lasted, or None when it has no start or no end."""
        if self.entered is None or self.left is None:
            return None
        return max(0, self.left - self.entered)

    @property
    def device_name(self) -> str | None:
        """The device in words ("PC", "iPad", ...), or None if not documented."""
        return DEVICE_NAMES.get(self.device) if self.device is not None else None


@attrs.frozen(kw_only=True)
class MemberAttendance:
    """One member's attendance of a lesson, from ``End``'s ``inoutEnd``.

    Only people who entered are listed (the docs: nobody who never came in is pushed).

    Attributes:
        uid: the user.
        identity: 1 student, 2 auditor, 3 teacher, 4 co-teacher, 193 principal, 194
            principal's assistant (``role`` in words).
        total: ``Total``, the seconds the user spent in the classroom (main device).
        visits: every stay, main device first, then the deputy devices, each in time order.
    """

    uid: int
    identity: int | None = None
    total: int | None = None
    visits: tuple[Visit, ...] = ()

    @property
    def role(self) -> str | None:
        """The identity in words ("student", "teacher", ...), or None if not documented."""
        return IDENTITY_NAMES.get(self.identity) if self.identity is not None else None

    @property
    def first_in(self) -> int | None:
        """When the user first came in, on any device."""
        return min((v.entered for v in self.visits if v.entered is not None), default=None)

    @property
    def last_out(self) -> int | None:
        """When the user last left, on any device."""
        return max((v.left for v in self.visits if v.left is not None), default=None)

    @property
    def device(self) -> int | None:
        """The device of the first stay on the main device."""
        return next((v.device for v in self.visits if v.device is not None), None)

    @property
    def seconds(self) -> int:
        """Seconds present: ``total`` as pushed, else the main device's complete stays."""
        if self.total is not None:
            return self.total
        return sum(v.seconds or 0 for v in self.visits if v.client_id == 0)


def _visits(details: Any, client_id: int) -> list[Visit]:
    """Pair "In" and "Out" rows in time order; an unmatched one keeps a None end."""
    rows = [
        (time, str(row.get("Type", "")).lower(), to_int(row.get("Device")))
        for row in (details if isinstance(details, list) else [])
        if isinstance(row, Mapping) and (time := to_int(row.get("Time"))) is not None
    ]
    rows.sort(key=lambda row: row[0])
    visits: list[Visit] = []
    current: Visit | None = None
    for time, kind, device in rows:
        if kind == "in":
            if current is not None:
                visits.append(current)
            current = Visit(entered=time, device=device, client_id=client_id)
        elif kind == "out":
            done = current or Visit(client_id=client_id)
            visits.append(attrs.evolve(done, left=time))
            current = None
    if current is not None:
        visits.append(current)
    return visits


def _member(uid: int, value: Mapping[str, Any]) -> MemberAttendance:
    visits = _visits(value.get("Details"), 0)
    deputies = value.get("Deputies")
    for deputy in deputies if isinstance(deputies, list) else []:
        if isinstance(deputy, Mapping):
            # The table says ClientID, the example clientID.
            client = to_int(deputy.get("ClientID", deputy.get("clientID"))) or 1
            visits.extend(_visits(deputy.get("Details"), client))
    return MemberAttendance(
        uid=uid,
        identity=to_int(value.get("Identity")),
        total=to_int(value.get("Total")),
        visits=tuple(visits),
    )


def _attendance(value: Any) -> tuple[MemberAttendance, ...]:
    if not isinstance(value, Mapping):
        return ()
    members = [
        _member(uid, member)
        for key, member in value.items()
        if (uid := to_id(key)) is not None and isinstance(member, Mapping)
    ]
    return tuple(sorted(members, key=lambda m: m.uid))


@attrs.frozen(kw_only=True)
class LessonEnd(Event):
    """Cmd ``End``: the lesson's summary, pushed up to 20 minutes after it closed.

    Not pushed when nobody entered. ``attendance`` reads ``inoutEnd`` per member (in
    and out times, devices, total, identity); the other sections (``stageEnd``,
    ``handsupEnd``, ``awardEnd``, ``answerEnd``, ``equipmentsEnd``, ...) are in ``data``.
    The lesson may be unknown to your system (created in eeo.cn, or deleted after
    people came in early): the docs advise accepting such pushes and dropping them.

    Attributes:
        start_time: the planned start (``StartTime``).
        close_time: the planned end plus the 20 minutes allowed after it (``CloseTime``).
        real_close_time: when the teacher actually closed it, if sent (0: not closed).
        data: the whole ``Data`` object.
        attendance: one entry per member who came in, by UID.
    """

    CMD: ClassVar[str | int | None] = "End"

    start_time: int | None = wire("StartTime")
    close_time: int | None = wire("CloseTime")
    real_close_time: int | None = wire("RealCloseTime")
    data: Mapping[str, Any] = wire("Data", convert=to_mapping, default=attrs.Factory(dict))
    attendance: tuple[MemberAttendance, ...] = wire(
        ("Data", "inoutEnd"), convert=_attendance, default=()
    )

    @property
    def end_time(self) -> int | None:
        """When the lesson ended, by the docs' rule.

        ``CloseTime`` when ``RealCloseTime`` is missing or 0, else the smaller of the two.
        """
        if not self.real_close_time or self.close_time is None:
            return self.close_time or self.real_close_time or None
        return min(self.real_close_time, self.close_time)

    def member(self, uid: int) -> MemberAttendance | None:
        """The attendance of ``uid``, or None when that user never came in."""
        return next((m for m in self.attendance if m.uid == uid), None)


@attrs.frozen(kw_only=True)
class RatingComment:
    """One rating inside a ``Rating`` push.

    Attributes:
        uid: the student it concerns (rated by the teacher, or rating the teacher).
        account: the student's account.
        student_email: the student's e-mail account.
        direction: "T2S" (teacher about student) or "S2T" (student about teacher).
        comment: the words.
        score: the score.
    """

    uid: int
    account: str | None = None
    student_email: str | None = None
    direction: str | None = None
    comment: str | None = None
    score: int | None = None


def _comments(value: Any) -> tuple[RatingComment, ...]:
    rows = []
    for key, entry in value.items() if isinstance(value, Mapping) else ():
        uid = to_id(key)
        if uid is None or not isinstance(entry, Mapping):
            continue
        direction = next((d for d in ("T2S", "S2T") if isinstance(entry.get(d), Mapping)), None)
        rated: Mapping[str, Any] = entry.get(direction, {}) if direction else {}
        rows.append(
            RatingComment(
                uid=uid,
                account=to_str(entry.get("Account")),
                student_email=to_str(entry.get("studentEmail")),
                direction=direction,
                comment=to_str(rated.get("Comment")),
                score=to_int(rated.get("Score")),
            )
        )
    return tuple(sorted(rows, key=lambda r: r.uid))


@attrs.frozen(kw_only=True)
class Rating(Event):
    """Cmd ``Rating``: ratings and comments given when leaving the classroom.

    The teacher's ratings of all students come as one push, each student's rating of
    the teacher as one push each. A user who leaves and rates again causes a new push
    with the latest rating: the latest wins, keyed by (ClassID, direction, UID).

    Attributes:
        teacher_uid: the lesson's teacher (``TUID``).
        comments: one entry per student, by UID.
    """

    CMD: ClassVar[str | int | None] = "Rating"

    teacher_uid: int | None = wire("TUID", convert=to_id)
    comments: tuple[RatingComment, ...] = wire("Comments", convert=_comments, default=())


@attrs.frozen(kw_only=True)
class Recording(Event):
    """Cmd ``Record``: a recorded video file, pushed as soon as a segment exists (several a lesson).

    Attributes:
        v_url: the video.
        vst: the video's start.
        vet: the video's end.
        duration: its length.
        file_id: the file's ID (text).
        size: its size.
        cid_ext: its source: "ClassRoom" the classroom, "Camera.3" the teacher's camera.
    """

    CMD: ClassVar[str | int | None] = "Record"

    v_url: str | None = wire("VUrl", convert=to_str)
    vst: int | None = wire("VST")
    vet: int | None = wire("VET")
    duration: int | None = wire("Duration")
    file_id: str | None = wire("FileId", convert=to_str)
    size: int | None = wire("Size")
    cid_ext: str | None = wire("CIDExt", convert=to_str)


@attrs.frozen(kw_only=True)
class ReplayUpload(Event):
    """Cmd ``Upload``: a replay video uploaded by hand in eeo.cn has finished uploading.

    Attributes:
        v_url: the video.
        duration: its length.
        file_id: the file's ID (text).
        size: its size.
    """

    CMD: ClassVar[str | int | None] = "Upload"

    v_url: str | None = wire("VUrl", convert=to_str)
    duration: int | None = wire("Duration")
    file_id: str | None = wire("FileId", convert=to_str)
    size: int | None = wire("Size")


@attrs.frozen(kw_only=True)
class EduStudentAnswer:
    """A student's answer to one question of an EduDt quiz."""

    nickname: str | None = wire("nickname", convert=to_str)
    answer: str | None = wire("answer", convert=to_str)


@attrs.frozen(kw_only=True)
class EduQuestion:
    """One question of an EduDt quiz and its answers."""

    index: int | None = wire("index")
    right_answer: str | None = wire("rightAnswer", convert=to_str)
    student_answers: tuple[EduStudentAnswer, ...] = wire(
        "studentAnswers", convert=tuple_of(nested(EduStudentAnswer)), default=()
    )


@attrs.frozen(kw_only=True)
class EduAnswers(Event):
    """Cmd ``EduDt``: the statistics of a multi-person, multi-question quiz.

    The lesson is ``CID`` in the docs' example, read into ``class_id``.

    Attributes:
        exam_type: "QRExam" (answered by scanning a code) or "clientExam" (in the classroom).
        start_time_ms: when it started, in milliseconds (as sent; hence the name).
        end_time_ms: when it ended, in milliseconds.
        questions: the questions in order.
    """

    CMD: ClassVar[str | int | None] = "EduDt"

    exam_type: str | None = wire(("Data", "type"), convert=to_str)
    start_time_ms: int | None = wire(("Data", "startTime"))
    end_time_ms: int | None = wire(("Data", "endTime"))
    questions: tuple[EduQuestion, ...] = wire(
        ("Data", "questionList"), convert=tuple_of(nested(EduQuestion)), default=()
    )


@attrs.frozen(kw_only=True)
class ReplayDataDetail(WebViewing):
    """Cmd ``ReplayDataDetail``: someone watched the lesson's replay on the web page.

    Several rows per viewing by design: keep the largest ``look_time`` per
    ``viewing_key`` (see :class:`WebViewing`).
    """

    CMD: ClassVar[str | int | None] = "ReplayDataDetail"


@attrs.frozen(kw_only=True)
class ClientPlaybackDataDetail(Event):
    """Cmd ``ClientPlaybackDataDetail``: replay watching in the ClassIn client.

    Two shapes are documented and both parse: since 2024-08 a push carries
    ``total_duration``, ``valid_watch_count`` and ``trigger_type`` (1 opened, 3 closed,
    4 timed out); the earlier one ``total_look_count``, ``total_look_time`` and
    ``top_process`` (``legacy`` is True). ``total_look_valid_time`` is in both.

    Attributes:
        uid: the viewer (sent as a number or, in the old example, as text).
        total_duration: the videos' total length, in seconds.
        valid_watch_count: viewings that covered 75% of the length.
        total_look_valid_time: seconds of video actually covered (the wire name is
            ``TotalLookVaildTime``, misspelt in the docs and on the wire).
        trigger_type: 1 replay opened, 3 closed, 4 timed out (``LatestDetails``).
        total_look_count: viewings (old shape).
        total_look_time: seconds watched, repeats included (old shape).
        top_process: the furthest point reached, as sent ("89%"; old shape).
    """

    CMD: ClassVar[str | int | None] = "ClientPlaybackDataDetail"

    uid: int | None = wire(("Data", "UID"), convert=to_id)
    total_duration: int | None = wire(("Data", "TotalDuration"))
    valid_watch_count: int | None = wire(("Data", "ValidWatchCount"))
    total_look_valid_time: int | None = wire(
        ("Data", "TotalLookVaildTime"), ("Data", "TotalLookValidTime")
    )
    trigger_type: int | None = wire(("Data", "LatestDetails", "TriggerType"))
    total_look_count: int | None = wire(("Data", "TotalLookCount"))
    total_look_time: int | None = wire(("Data", "TotalLookTime"))
    top_process: str | None = wire(("Data", "TopProcess"), convert=to_str)

    @property
    def legacy(self) -> bool:
        """True for the shape used before 2024-08 (no ``TotalDuration``)."""
        return self.total_duration is None and (
            self.total_look_count is not None
            or self.total_look_time is not None
            or self.top_process is not None
        )


@attrs.frozen(kw_only=True)
class ChatArchive(Event):
    """Cmd ``ChatContent``: the lesson's classroom chat, packed as a zip after the lesson.

    ``time_stamp`` is both the signed stamp and, as the docs say, the packing time.

    Attributes:
        url: where to download the zip.
    """

    CMD: ClassVar[str | int | None] = "ChatContent"

    url: str | None = wire("Url", convert=to_str)
