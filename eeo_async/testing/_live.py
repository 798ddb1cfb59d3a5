"""Sandbox area "live": recording, live and replay of lessons, recorded videos, player links.

Actions setClassVideoMultiple, deleteClassVideo, updateClassLockStatus, getWebcastUrl,
on the core courses and lessons; its state is ``Videos`` (each lesson's settings, its
recorded segments, locks). Read so from the pages:

- setClassVideoMultiple: call-level 100, 155 (empty ``classJson``), 144, 149; per lesson
  (by position, ``customColumn`` echoed) 100 (``classId`` missing, or not all of
  ``record``, ``live``, ``replay`` given), 142 (not a lesson of the course), 143, 212,
  251 (live, replay or the scene without recording), 252 (a finished lesson, or one of
  ``Videos.starting_soon``: less than 20 minutes before its start), 253 (the item_busy
  fault: this page's "video service problem, retry later"), 1 with ``more_data``
  (``live_url``; ``live_info`` pull streams when live is on). An empty value counts as
  0, as the sample's ``"live": ""`` suggests.
- deleteClassVideo: 100, 233 (no such lesson), 384 (not finished), 254 (never recorded),
  633 (locked), with ``fileId``: 630 (no such segment), 634 (already deleted); without:
  632 when every segment is already deleted; 1.
- updateClassLockStatus: 100, 233, 391 (not finished), 1 (``isLock`` other than 1 is 0).
- getWebcastUrl: 100, 144, 149, with ``classId``: 143, 142, 212; 1 with the player page.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from typing import Any, Final

import attrs

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v1
from ._school import LessonState, School
from ._wire import Answer, custom_column, id_value, int_field, json_field, md5_hex

#: The player page of a lesson (the pages' example host).
PLAYER: Final = "https://www.eeo.cn/live.php?lessonKey={key}"
WEBCAST: Final = "https://www.eeo.cn/webcast.php?courseKey={key}"
_FLAGS: Final = ("record", "live", "replay")


@attrs.define
class Videos:
    """The live area's state.

    Attributes:
        settings: each lesson's settings as last set (``record``, ``live``, ``replay`` ...).
        segments: each recorded lesson's segment file IDs, with whether each is deleted.
        locked: lessons whose recordings are locked.
        starting_soon: lessons less than 20 minutes before their start (252).
    """

    settings: dict[int, dict[str, int]] = attrs.Factory(dict)
    segments: dict[int, dict[str, bool]] = attrs.Factory(dict)
    locked: set[int] = attrs.Factory(set)
    starting_soon: set[int] = attrs.Factory(set)

    def record(self, class_id: int, file_ids: list[str]) -> None:
        """Seed recorded segments of a lesson (the Record messages' ``FileId``)."""
        self.segments.setdefault(class_id, {}).update(dict.fromkeys(file_ids, False))


def _key(kind: str, number: int) -> str:
    return md5_hex(f"{kind}{number}")[:16]


def live_urls(class_id: int, *, record: bool, live: bool) -> tuple[str, dict[str, str]]:
    """A lesson's player page and, with web live on too, its pull streams; none unrecorded.

    Every lesson and classroom answer builds its live URLs here, by the class ID.
    """
    if not record:
        return "", {}
    key = _key("lesson", class_id)
    if not live:
        return PLAYER.format(key=key), {}
    stream = f"liveplay.eeo.cn/eeolive/{key}"
    streams = {
        "RTMP": f"rtmp://{stream}",
        "HLS": f"https://{stream}.m3u8",
        "FLV": f"https://{stream}.flv",
    }
    return PLAYER.format(key=key), streams


def _flag(value: object) -> int | None:
    """A setting's value: 1, 0 (also for ``""``), or ``None`` when absent or not a flag."""
    if value in (1, "1"):
        return 1
    if value in (0, "0", ""):
        return 0
    return None


def _set_one(
    school: School, course_id: int, entry: object, rng: random.Random
) -> tuple[int, dict[str, Any]]:
    """One lesson of setClassVideoMultiple: its errno and its ``more_data``."""
    if not isinstance(entry, dict) or entry.get("classId") in (None, ""):
        return Errno.BAD_PARAMETERS, {}
    class_id = id_value(entry.get("classId"))
    values = {name: _flag(entry.get(name)) for name in _FLAGS}
    if any(value is None for value in values.values()):
        return Errno.BAD_PARAMETERS, {}
    scene = _flag(entry.get("recordScene")) or 0
    lesson = school.lessons.get(class_id)
    if lesson is None:
        return Errno.LESSON_NOT_FOUND, {}
    if lesson.course_id != course_id:
        return Errno.LESSON_NOT_IN_COURSE, {}
    if lesson.deleted:
        return Errno.LESSON_DELETED, {}
    if not values["record"] and (values["live"] or values["replay"] or scene):
        return Errno.RECORD_NEEDED, {}
    state = school.state(Videos)
    if lesson.finished or class_id in state.starting_soon:
        return Errno.VIDEO_LOCKED_BEFORE_START, {}
    if school.item_busy(rng):
        return Errno.VIDEO_SERVICE_PROBLEM, {}
    stored: dict[str, int] = {name: int(value or 0) for name, value in values.items()}
    stored["recordScene"] = scene
    for name in ("watchByLogin", "allowUnloggedChat"):
        flag = _flag(entry.get(name))
        if flag is not None:  # "not sent or wrong: not changed"
            stored[name] = flag
    state.settings[class_id] = {**state.settings.get(class_id, {}), **stored}
    url, streams = live_urls(class_id, record=bool(stored["record"]), live=bool(stored["live"]))
    more: dict[str, Any] = {"live_url": url} if url else {}
    if streams:
        more["live_info"] = streams
    return Errno.OK, more


def set_class_video_multiple(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """setClassVideoMultiple: recording, live and replay of lessons of one course."""
    course_id = int_field(form, "courseId")
    entries = json_field(form, "classJson")
    if not isinstance(entries, list):
        raise Answer(Errno.BAD_PARAMETERS)
    if not entries:
        raise Answer(Errno.STUDENTS_EMPTY)
    school.find_course(course_id, editing=False)
    school.count_items("setClassVideoMultiple", len(entries))
    data = []
    for entry in entries:
        errno, more = _set_one(school, course_id, entry, rng)
        column = custom_column(entry.get("customColumn") if isinstance(entry, dict) else None)
        data.append(school.entry(errno, column, more_data=more))
    return school.envelope(Errno.OK, data)


def _finished_lesson(school: School, form: dict[str, Any], unfinished: int) -> int:
    class_id = int_field(form, "classId")
    lesson: LessonState | None = school.lessons.get(class_id)
    if lesson is None or lesson.deleted:
        raise Answer(Errno.LESSON_NOT_IN_SCHOOL)
    if not lesson.finished:
        raise Answer(unfinished)
    return class_id


def delete_class_video(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """deleteClassVideo: one segment, or every segment; 634/632 on a repeat."""
    class_id = _finished_lesson(school, form, Errno.LESSON_NOT_ENDED)
    state = school.state(Videos)
    segments = state.segments.get(class_id)
    if segments is None:
        raise Answer(Errno.NO_RECORDING)
    if class_id in state.locked:
        raise Answer(Errno.VIDEO_LOCKED)
    file_id = form.get("fileId")
    if isinstance(file_id, str) and file_id:
        if file_id not in segments:
            raise Answer(Errno.VIDEO_NOT_FOUND)
        if segments[file_id]:
            raise Answer(Errno.VIDEO_DELETED)
        segments[file_id] = True
    elif all(segments.values()):
        raise Answer(Errno.VIDEOS_ALL_DELETED)
    else:
        segments.update(dict.fromkeys(segments, True))
    return school.envelope(Errno.OK)


def update_class_lock_status(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """updateClassLockStatus: lock (1) or unlock (anything else) a finished lesson's videos."""
    class_id = _finished_lesson(school, form, Errno.LOCK_NEEDS_ENDED_LESSON)
    if "isLock" not in form:
        raise Answer(Errno.BAD_PARAMETERS)
    locked = school.state(Videos).locked
    if form["isLock"] == "1":
        locked.add(class_id)
    else:
        locked.discard(class_id)
    return school.envelope(Errno.OK)


def get_webcast_url(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """getWebcastUrl: the course's player page, or the lesson's with ``classId``."""
    course_id = int_field(form, "courseId")
    school.find_course(course_id, editing=False)
    url = WEBCAST.format(key=_key("course", course_id))
    if form.get("classId"):
        class_id = int_field(form, "classId")
        lesson = school.lessons.get(class_id)
        if lesson is None:
            raise Answer(Errno.LESSON_NOT_FOUND)
        if lesson.course_id != course_id:
            raise Answer(Errno.LESSON_NOT_IN_COURSE)
        if lesson.deleted:
            raise Answer(Errno.LESSON_DELETED)
        url += f"&lessonid={class_id}"
    return school.envelope(Errno.OK, url)


AREA: Final = Area(
    "live",
    routes=(
        v1("setClassVideoMultiple", set_class_video_multiple),
        v1("deleteClassVideo", delete_class_video),
        v1("updateClassLockStatus", update_class_lock_status),
        v1("getWebcastUrl", get_webcast_url),
    ),
    texts=Texts(
        zh={
            Errno.OPERATION_FAILED: "操作失败/未知错误",
            Errno.SERVER_BUSY: "服务器异常",
            Errno.LESSON_NOT_FOUND: "没有此课节信息",
            Errno.COURSE_DELETED: "课程已删除",
            Errno.STUDENTS_EMPTY: "课节数组不可为空",
            Errno.LESSON_DELETED: "该课节已经删除",
            Errno.RECORD_NEEDED: "只有开启了录课，才能开启直播或回放",
            Errno.VIDEO_LOCKED_BEFORE_START: "录课/直播状态，只有开课前 20 分钟才可更改",
            Errno.VIDEO_SERVICE_PROBLEM: "视频服务有问题，请稍后重试",
            Errno.LESSON_NOT_IN_SCHOOL: "机构下无此课节",
            Errno.NO_RECORDING: "该课节没有开启录课，没有视频信息",
            Errno.LESSON_NOT_ENDED: "该课节还未结束",
            Errno.LOCK_NEEDS_ENDED_LESSON: "未结束的课节不支持修改锁定状态",
            Errno.VIDEO_NOT_FOUND: "视频片段文件不存在",
            Errno.RECORDING_FAILED: "录课失败未生成视频文件",
            Errno.VIDEOS_ALL_DELETED: "录课视频文件生成但已全部被删除",
            Errno.VIDEO_LOCKED: "删除失败视频文件被保护锁定",
            Errno.VIDEO_DELETED: "视频片段文件已被删除",
        }
    ),
)
