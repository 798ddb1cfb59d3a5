"""Named messages pushed in real time during a lesson (the docs' page "details").

The network and device reports, help requests, a lengthened lesson, recording started,
blackboard images and the live web page's logins, bookings, viewings, likes, product
clicks and chat messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ._fields import Event, to_bool, to_float, to_id, to_mapping, to_str, tuple_of, wire


@attrs.frozen(kw_only=True)
class NetworkReport(Event):
    """Cmd ``Net``: a user's network and CPU summary of the last five minutes.

    Attributes:
        uid: whose report.
        data: the whole ``Data`` object (gateway and TCP figures included).
        local_ip: the user's IP, last part hidden.
        socket: "UDP" or "TCP".
        good: UDP measurements rated good (``normal``, ``bad``, ``poor``,
            ``not_reach`` alike; ``total`` all of them).
        avg_delay: mean UDP delay (ms).
        loss: UDP packets lost.
        cpu_low: CPU samples rated low (``cpu_medium``, ``cpu_high``, ``cpu_busy``
            alike; ``cpu_total`` all of them).
    """

    CMD: ClassVar[str | int | None] = "Net"

    uid: int | None = wire("UID", convert=to_id)
    data: Mapping[str, Any] = wire("Data", convert=to_mapping, default=attrs.Factory(dict))
    local_ip: str | None = wire(("Data", "localIP"), convert=to_str)
    socket: str | None = wire(("Data", "socket"), convert=to_str)
    report_time: int | None = wire(("Data", "reportTime"))
    media_duration: int | None = wire(("Data", "mediaDuration"))
    good: int | None = wire(("Data", "good"))
    normal: int | None = wire(("Data", "normal"))
    bad: int | None = wire(("Data", "bad"))
    poor: int | None = wire(("Data", "poor"))
    not_reach: int | None = wire(("Data", "notReach"))
    total: int | None = wire(("Data", "total"))
    avg_delay: float | None = wire(("Data", "avgDelay"), convert=to_float)
    loss: int | None = wire(("Data", "loss"))
    cpu_low: int | None = wire(("Data", "cpuLow"))
    cpu_medium: int | None = wire(("Data", "cpuMedium"))
    cpu_high: int | None = wire(("Data", "cpuHigh"))
    cpu_busy: int | None = wire(("Data", "cpuBusy"))
    cpu_total: int | None = wire(("Data", "cpuTotal"))


@attrs.frozen(kw_only=True)
class DeviceReport(Event):
    """A device self-check: operating system, CPU, devices, client version, IP.

    Attributes:
        uid: whose device.
        data: the whole ``Data`` object.
        operating_system: e.g. "Windows 10 (1709)".
        cpu: the CPU (or, on phones, the model).
        network_delay: as sent ("50ms", "N/A" on a timeout).
        frame_loss: as sent ("0%").
        microphone_arbitrary: the chosen microphone's state (``camera_arbitrary``,
            ``headphone_arbitrary`` alike).
        eeo_device_list: every camera, microphone and speaker (sent as JSON text).
        class_in_version: the ClassIn client's version.
        mac: the MAC address.
        client_ip: the IP, last part hidden.
        add_time: when the check ran.
        info_source: when it was sent (3 check done, 6 logged in, 7 interrupted, ...).
        device_type: 1 Windows, 2 iPhone, 3 iPad, 4 Android phone, 5 Android pad, 6 Mac.
    """

    uid: int | None = wire("UID", convert=to_id)
    data: Mapping[str, Any] = wire("Data", convert=to_mapping, default=attrs.Factory(dict))
    operating_system: str | None = wire(("Data", "OperatingSystem"), convert=to_str)
    cpu: str | None = wire(("Data", "CPU"), convert=to_str)
    network_delay: str | None = wire(("Data", "NetworkDelay"), convert=to_str)
    frame_loss: str | None = wire(("Data", "FrameLoss"), convert=to_str)
    microphone_arbitrary: int | None = wire(("Data", "MicrophoneArbitrary"))
    headphone_arbitrary: int | None = wire(("Data", "HeadphoneArbitrary"))
    camera_arbitrary: int | None = wire(("Data", "CameraArbitrary"))
    eeo_video_device_name: str | None = wire(("Data", "EEO_VIDEO_DEVICE_NAME"), convert=to_str)
    eeo_audio_device_name: str | None = wire(("Data", "EEO_AUDIO_DEVICE_NAME"), convert=to_str)
    eeo_audio_output_name: str | None = wire(("Data", "EEO_AUDIO_OUTPUT_NAME"), convert=to_str)
    eeo_device_list: Mapping[str, Any] | None = wire(
        ("Data", "EEO_DEVICE_LIST"), convert=to_mapping
    )
    class_in_version: str | None = wire(("Data", "ClassInVersion"), convert=to_str)
    mac: str | None = wire(("Data", "Mac"), convert=to_str)
    client_ip: str | None = wire(("Data", "ClientIP"), convert=to_str)
    add_time: int | None = wire(("Data", "addTime"))
    info_source: int | None = wire(("Data", "InfoSource"), "InfoSource")
    device_type: int | None = wire(("Data", "DeviceType"))


@attrs.frozen(kw_only=True)
class DeviceCheck(DeviceReport):
    """Cmd ``Check``: a user's device check inside the classroom."""

    CMD: ClassVar[str | int | None] = "Check"


@attrs.frozen(kw_only=True)
class HelpRequest(Event):
    """Cmd ``HelpInfo``: a teacher or student asked eeo.cn for help during the lesson.

    Attributes:
        uid: who asked.
        message: the request.
        user_list: the users it concerns.
    """

    CMD: ClassVar[str | int | None] = "HelpInfo"

    uid: int | None = wire(("Data", "UID"), convert=to_id)
    message: str | None = wire(("Data", "Message"), convert=to_str)
    user_list: tuple[int, ...] = wire(("Data", "UserList"), convert=tuple_of(to_id), default=())


@attrs.frozen(kw_only=True)
class LessonExtended(Event):
    """Cmd ``ClassLen``: the teacher lengthened the lesson (3 to 8 minutes before its end).

    Attributes:
        start_time: the lesson's start.
        prelect_time_length: its new length, in seconds.
        close_class_delay: the time allowed after it, in seconds.
    """

    CMD: ClassVar[str | int | None] = "ClassLen"

    start_time: int | None = wire("StartTime")
    prelect_time_length: int | None = wire("PrelectTimeLength")
    close_class_delay: int | None = wire("CloseClassDelay")


@attrs.frozen(kw_only=True)
class RecordingStarted(Event):
    """Cmd ``LiveDetail``: recording (or live streaming) started, with its settings.

    Attributes:
        audio_mode: "ClassIn Audio" or "System Audio".
        high_bit_rate: "High" or "Standard".
        ip: where it is pushed.
        micphone_is_recorded: whether the microphone is recorded ("Yes"/"No").
        video_scope: "Desktop" or "Classroom".
        video_size: "HD(1280*720)" or "FHD(1920*1080)".
    """

    CMD: ClassVar[str | int | None] = "LiveDetail"

    audio_mode: str | None = wire(("Data", "Audio mode"), convert=to_str)
    high_bit_rate: str | None = wire(("Data", "HighBitRate"), convert=to_str)
    ip: str | None = wire(("Data", "IP"), convert=to_str)
    micphone_is_recorded: bool | None = wire(("Data", "Micphone is recorded"), convert=to_bool)
    video_scope: str | None = wire(("Data", "Video Scope"), convert=to_str)
    video_size: str | None = wire(("Data", "Video Size"), convert=to_str)


@attrs.frozen(kw_only=True)
class BlackboardImage(Event):
    """Cmd ``EdbImg``: the blackboard as an image (when cleared, and two at the lesson's end).

    Attributes:
        url: the image.
        group_id: the group whose board it is (0 the main classroom).
    """

    CMD: ClassVar[str | int | None] = "EdbImg"

    url: str | None = wire("Url", convert=to_str)
    group_id: int | None = wire("GroupId")


@attrs.frozen(kw_only=True)
class LiveWebLogin(Event):
    """Cmd ``LiveWebLogin``: someone logged in on the live web page.

    Attributes:
        telephone: the account (telephone or e-mail).
        login_time: when.
        nickname: their nickname.
    """

    CMD: ClassVar[str | int | None] = "LiveWebLogin"

    telephone: str | None = wire(("Data", "Telephone"), convert=to_str)
    login_time: int | None = wire(("Data", "LoginTime"))
    nickname: str | None = wire(("Data", "Nickname"), convert=to_str)


@attrs.frozen(kw_only=True)
class LiveReserve(Event):
    """Cmd ``LiveReserve``: someone booked the live lesson.

    Attributes:
        telephone: the account (telephone or e-mail).
        reserve_time: when they booked.
    """

    CMD: ClassVar[str | int | None] = "LiveReserve"

    telephone: str | None = wire(("Data", "Telephone"), convert=to_str)
    reserve_time: int | None = wire(("Data", "ReserveTime"))


@attrs.frozen(kw_only=True)
class WebViewing(Event):
    """Someone watched a lesson on the web page, live or its replay, and closed the page.

    Sent several times by design: a bad network, a page refresh or a phone going to
    sleep pushes rows with the same ``intime`` and a growing ``look_time``. Keep one row
    per ``viewing_key`` (Cmd, ClassID, Telephone, Intime) with the largest
    ``look_time``, as the docs say.

    Attributes:
        telephone: the account, or a guest's "yk_..." name (``guest``).
        nickname: their nickname.
        intime: when they opened the page.
        look_time: seconds on the page.
        ip: their IP (sent as ``IP`` or ``Ip``).
        client_type: 1 PC browser, 2 mobile browser, 3 mini program.
    """

    telephone: str | None = wire(("Data", "Telephone"), convert=to_str)
    nickname: str | None = wire(("Data", "Nickname"), convert=to_str)
    intime: int | None = wire(("Data", "Intime"), ("Data", "InTime"))
    look_time: int | None = wire(("Data", "LookTime"))
    ip: str | None = wire(("Data", "IP"), ("Data", "Ip"), convert=to_str)
    client_type: int | None = wire(("Data", "ClientType"))

    @property
    def viewing_key(self) -> tuple[str | int | None, int | None, str | None, int | None]:
        """(Cmd, ClassID, Telephone, Intime): the rows of one viewing; keep the longest."""
        return (self.cmd, self.class_id, self.telephone, self.intime)

    @property
    def guest(self) -> bool:
        """True for a viewer who did not log in (a "yk_" account)."""
        return (self.telephone or "").startswith("yk_")


@attrs.frozen(kw_only=True)
class LiveDataDetail(WebViewing):
    """Cmd ``LiveDataDetail``: someone watched the live lesson on the web page.

    Several rows per viewing by design: keep the largest ``look_time`` per
    ``viewing_key`` (see :class:`WebViewing`).
    """

    CMD: ClassVar[str | int | None] = "LiveDataDetail"


@attrs.frozen(kw_only=True)
class LiveLike(Event):
    """Cmd ``LiveLike``: a like on the live page.

    Attributes:
        telephone: the account, or a guest's "yk_..." name.
        time: when.
    """

    CMD: ClassVar[str | int | None] = "LiveLike"

    telephone: str | None = wire(("Data", "Telephone"), convert=to_str)
    time: int | None = wire(("Data", "Time"))


@attrs.frozen(kw_only=True)
class LiveGoodsClick(Event):
    """Cmd ``LiveGoodsClickDetail``: a click on a product shown in the live lesson.

    Attributes:
        telephone: the account, or a guest's "yk_..." name.
        nickname: their nickname.
        time: when.
        good_num: the product's number.
        good_name: the product's name.
    """

    CMD: ClassVar[str | int | None] = "LiveGoodsClickDetail"

    telephone: str | None = wire(("Data", "Telephone"), convert=to_str)
    nickname: str | None = wire(("Data", "Nickname"), convert=to_str)
    time: int | None = wire(("Data", "Time"))
    good_num: int | None = wire(("Data", "GoodNum"))
    good_name: str | None = wire(("Data", "GoodName"), convert=to_str)


@attrs.frozen(kw_only=True)
class LiveChatMessage(Event):
    """Cmd ``LiveChatMsgDetail``: a chat message on the live web page (since 2025-02).

    Attributes:
        account: the account, or a guest's "yk_..." name.
        nickname: their nickname.
        sent_at: when it was sent (``Data.TimeStamp``; renamed, since ``time_stamp`` is
            the push's own stamp).
        ip: the sender's IP.
        msg: the text, or the image's address when ``msg_type`` is 2.
        msg_type: 1 text, 2 image (``MsgDetail.type``).
        ext: extra information, which the docs say may be ignored.
    """

    CMD: ClassVar[str | int | None] = "LiveChatMsgDetail"

    account: str | None = wire(("Data", "Account"), convert=to_str)
    nickname: str | None = wire(("Data", "Nickname"), convert=to_str)
    sent_at: int | None = wire(("Data", "TimeStamp"))
    ip: str | None = wire(("Data", "IP"), ("Data", "Ip"), convert=to_str)
    msg: str | None = wire(("Data", "MsgDetail", "msg"), convert=to_str)
    msg_type: int | None = wire(("Data", "MsgDetail", "type"))
    ext: Mapping[str, Any] | None = wire(("Data", "MsgDetail", "ext"), convert=to_mapping)
