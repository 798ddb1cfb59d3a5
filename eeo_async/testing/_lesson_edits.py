"""Sandbox area "lesson_edits": changing and deleting lessons, and their labels.

Actions editCourseClass, modifyClassSeatNum, delCourseClass, delEndCourseClass and
addClassLabels, on the lessons ``_lessons`` creates (the ``Timetable`` state) and the
checks it shares. Read so from the pages:

- editCourseClass: 142/143/212, 140 (running), 145 (finished), 466 (an LMS lesson), 350
  (name, time, folder, teaching mode or auto-stage within 20 minutes of the start), the
  creation checks of what changes; record, live and replay change only when all three
  are sent; turning recording on within 20 minutes of the start answers 283 (edited,
  recording unchanged). modifyClassSeatNum: 100 (neither seats nor HD), 348 (within 20
  minutes), 259, 368, 808, 466. delCourseClass: 140, 145, 466, 212 (also on a repeat);
  it frees the lesson's identity. delEndCourseClass: a lesson not finished is 100 (the
  page documents no code for it), 212 on a repeat.
- addClassLabels: call-level 100, 155, 144, 149; per lesson 142/143/212, 466, 357 (more
  than 10 labels), 358 (a label not the school's), 1.
"""

from __future__ import annotations

import random
from typing import Any, Final

from .._codes import Errno
from ._courses import label_problem
from ._lessons import (
    LESSON_TEXTS,
    LOCK_SECONDS,
    MAX_LABELS,
    MAX_NAME_MANY,
    find_lesson,
    more_data,
    number,
    number_or,
    people_problem,
    stage_problem,
    times_problem,
    uid_list,
)
from ._lms import delete_lesson
from ._messages import Texts
from ._route import Area, v1
from ._school import School
from ._timetable import lesson_state
from ._wire import Answer, custom_column, id_value, int_field, json_items


def edit_course_class(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """editCourseClass: change what is sent of a lesson not yet finished."""
    course_id, class_id = int_field(form, "courseId"), int_field(form, "classId")
    school.find_course(course_id, editing=True)
    record = find_lesson(school, course_id, class_id)
    state = lesson_state(school, record)
    if state in ("running", "finished"):
        raise Answer(Errno.LESSON_IN_PROGRESS if state == "running" else Errno.LESSON_FINISHED)
    locked = record.begin - school.now() < LOCK_SECONDS
    timed = ("className", "beginTime", "endTime", "folderId", "teachMode", "isAutoOnstage")
    if locked and any(form.get(k) is not None for k in timed):
        raise Answer(Errno.LOCKED_20_MINUTES)
    begin = number_or(form.get("beginTime"), record.begin)
    end = number_or(form.get("endTime"), record.end)
    teacher = number_or(form.get("teacherUid"), record.teacher_uid)
    assistants = (
        uid_list(form["assistantUids"]) if "assistantUids" in form else list(record.assistants)
    )
    changed_times = (begin, end) != (record.begin, record.end)
    problem = (times_problem(school, begin, end) if changed_times else 0) or people_problem(
        school, course_id, teacher, assistants
    )
    if problem:
        raise Answer(problem)
    errno = Errno.OK
    switches = ("record", "live", "replay")
    if all(form.get(k) is not None for k in switches):  # else the docs: no effect
        wanted = {k: number(form.get(k), 0) == 1 for k in switches}
        if wanted["record"] and not record.settings.get("record") and locked:
            errno = Errno.EDITED_RECORDING_LOCKED
        elif not wanted["record"] and (wanted["live"] or wanted["replay"]):
            errno = Errno.EDITED_RECORDING_BAD
        else:
            record.settings.update(wanted)
    name = form.get("className")
    if isinstance(name, str) and name.strip():
        record.name = name[:MAX_NAME_MANY]
    record.begin, record.end, record.teacher_uid = begin, end, teacher
    record.assistants = tuple(assistants)
    for key in ("folderId", "teachMode", "isAutoOnstage", "classIntroduce", "watchByLogin"):
        if form.get(key) is not None:
            record.settings[key] = form[key]
    school.courses[course_id].co_teachers.update([teacher, *assistants])
    doc = school.envelope(errno)
    doc["more_data"] = more_data(record)
    return doc


def modify_class_seat_num(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """modifyClassSeatNum: seats on stage, HD and the dual camera of a lesson."""
    course_id, class_id = int_field(form, "courseId"), int_field(form, "classId")
    school.find_course(course_id, editing=True)
    record = find_lesson(school, course_id, class_id)
    seats, hd = number(form.get("seatNum")), number(form.get("isHd"))
    if seats is None and hd is None:
        raise Answer(Errno.BAD_PARAMETERS)
    state = lesson_state(school, record)
    if state in ("running", "finished"):
        raise Answer(Errno.LESSON_IN_PROGRESS if state == "running" else Errno.LESSON_FINISHED)
    if record.begin - school.now() < LOCK_SECONDS:
        raise Answer(Errno.SEATS_LOCKED)
    seats = record.settings.get("seatNum", 6) if seats is None else seats
    hd = record.settings.get("isHd", 0) if hd is None else hd
    dc = number(form.get("isDc"), 0)
    problem = stage_problem(seats, hd, dc)
    if problem:
        raise Answer(problem)
    record.settings.update(seatNum=seats, isHd=hd, isDc=dc)
    return school.envelope(Errno.OK)


def _delete(school: School, form: dict[str, Any], *, ended: bool) -> dict[str, Any]:
    course_id, class_id = int_field(form, "courseId"), int_field(form, "classId")
    school.find_course(course_id, editing=False)
    record = find_lesson(school, course_id, class_id)
    state = lesson_state(school, record)
    if state == "running":
        raise Answer(Errno.LESSON_IN_PROGRESS)
    if ended != (state == "finished"):
        raise Answer(Errno.BAD_PARAMETERS if ended else Errno.LESSON_FINISHED)
    # Deleting through the API frees the identity (delCourseClass's note).
    delete_lesson(school, class_id)
    return school.envelope(Errno.OK)


def del_course_class(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """delCourseClass: delete a lesson not yet started, and free its identity."""
    return _delete(school, form, ended=False)


def del_end_course_class(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """delEndCourseClass: delete a finished lesson, and free its identity."""
    return _delete(school, form, ended=True)


def _label_ids(values: object) -> list[int] | None:
    if values is None:
        return []
    if not isinstance(values, list):
        return None
    return [id_value(v) for v in values]


def add_class_labels(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addClassLabels: replace the labels of several lessons of a course."""
    course_id = int_field(form, "courseId")
    entries = json_items(form, "classList", Errno.STUDENTS_EMPTY)
    school.count_items("addClassLabels", len(entries))
    school.find_course(course_id, editing=False)
    data = []
    for entry in entries:
        class_id = id_value(entry.get("classId") if isinstance(entry, dict) else None)
        column = custom_column(entry.get("customColumn"))
        labels = _label_ids(entry.get("classLabelId"))
        errno: int
        try:
            record = find_lesson(school, course_id, class_id)
        except Answer as answer:
            data.append(school.entry(answer.code, column, classId=class_id))
            continue
        if labels is None:
            errno = Errno.BAD_PARAMETERS
        elif len(set(labels)) > MAX_LABELS:
            errno = Errno.LESSON_LABELS_LIMIT
        elif problem := label_problem(school, set(labels)):
            errno = problem
        elif school.item_busy(rng):
            errno = Errno.SERVER_BUSY
        else:
            record.labels = tuple(dict.fromkeys(labels))
            errno = Errno.OK
        data.append(school.entry(errno, column, classId=class_id))
    return school.envelope(Errno.OK, data)


AREA: Final = Area(
    "lesson_edits",
    routes=(
        v1("editCourseClass", edit_course_class),
        v1("modifyClassSeatNum", modify_class_seat_num),
        v1("delCourseClass", del_course_class),
        v1("delEndCourseClass", del_end_course_class),
        v1("addClassLabels", add_class_labels),
    ),
    texts=Texts(zh=LESSON_TEXTS),
)
