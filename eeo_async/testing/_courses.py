"""Sandbox area "courses": creating, editing and ending courses, one member, teachers, labels.

Actions addCourse, editCourse, endCourse, addCourseStudent, delCourseStudent,
modifyCourseTeacher, removeCourseTeacher, addCourseLabels and the v2
``/course/addCourseTeacher``, on the core courses plus the ``Timetable`` state. Read so
from the pages:

- addCourse: 100 (no name, a bad identity or switch), a known unique identity first (398,
  with the earlier course ID unless ``identity_repeat="refuse"``), 151/154 (an expiry
  less than a day or more than 5 years ahead; 0 never expires), 334 (a head teacher not
  the school's); the name is cut to 90 characters; a cover is kept by its file name.
- editCourse: 144/149/153, 151/154, 310 (no such head teacher), 311/312 (a student or
  auditor of the course as head teacher); sets what is sent (a name cut to 40).
- endCourse: 144/149, 146 (ended before: the page documents no code for a repeat; this
  is modifyCourseTeacher's "course ended"), 394 (a lesson running); deletes the lessons
  not yet started, and ends the course.
- addCourseStudent / delCourseStudent: as their multiple versions, one member: 129/174,
  332, 886/887, 228, 163/164, 130 (past 20 auditors) / 162.
- modifyCourseTeacher: 136, 146, 172/173; every lesson not started gets the teacher
  (``data`` = one ``{classId, errno, error}`` each; 466 for an LMS lesson), the teacher
  joins the list; 188 when there is no such lesson.
- removeCourseTeacher: 136, 316 (not on the list, also on a repeat), 317 (a lesson not
  finished names the teacher).
- addCourseTeacher (v2): 121601030 (no course or teachers), 101001001 (an ID that is
  neither a number nor a digit string), 144/149, 30031 (ended); per UID 136, 30022 (the
  head teacher), 172/173, 133 (on the list already), 1.
- addCourseLabels: call-level 100, 155; per course 144, 149, 399 (more than 10), 358 (a
  label not the school's), 1.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from typing import Any, Final

from .._codes import Errno
from ._enrolment import join_course, leave_course
from ._labels import SchoolSettings
from ._lms import delete_lesson
from ._messages import Texts
from ._route import Area, v1, v2
from ._school import School
from ._timetable import lesson_state, timetable
from ._wire import (
    V2_BAD_VALUE,
    V2_PARAMETERS,
    Answer,
    Upload,
    body_id,
    body_uids,
    custom_column,
    id_value,
    int_field,
    json_items,
)

MAX_NAME: Final = 90
MAX_EDITED_NAME: Final = 40
MAX_LABELS: Final = 10
_DAY: Final = 86_400
_FIVE_YEARS: Final = 5 * 366 * _DAY
#: Course settings kept as sent (by their wire names).
_SETTINGS: Final = (
    "folderId",
    "subjectId",
    "catId",
    "courseIntroduce",
    "classroomSettingId",
    "allowAddFriend",
    "allowStudentModifyNickname",
    "notAllowDeleteCourseStudentReplay",
    "expiryTime",
)


def _expiry(school: School, value: object) -> int | None:
    """``expiryTime`` checked: ``None`` absent, 0 never; else 151/154 or 100."""
    if value is None or value == "":
        return None
    text = str(value)
    if not text.isdigit():
        raise Answer(Errno.BAD_PARAMETERS)
    stamp = int(text)
    if stamp == 0:
        return 0
    ahead = stamp - school.now()
    if ahead < _DAY:
        raise Answer(Errno.EXPIRY_TOO_SOON)
    if ahead > _FIVE_YEARS:
        raise Answer(Errno.EXPIRY_TOO_FAR)
    return stamp


def _flags(form: dict[str, Any]) -> None:
    for key in ("allowAddFriend", "allowStudentModifyNickname"):
        if form.get(key) not in (None, "0", "1"):
            raise Answer(Errno.BAD_PARAMETERS)


def add_course(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addCourse: a course, or the one made before with the same unique identity."""
    name = form.get("courseName")
    if not isinstance(name, str) or not name.strip():
        raise Answer(Errno.BAD_PARAMETERS)
    book = timetable(school)
    identity = form.get("courseUniqueIdentity")
    if identity is not None:
        if not isinstance(identity, str) or not 1 <= len(identity) <= 32:
            raise Answer(Errno.BAD_PARAMETERS)
        earlier = book.course_identities.get(identity)
        if earlier is not None:
            shown = earlier if book.identity_repeat == "earlier_id" else None
            return school.envelope(Errno.IDENTITY_EXISTS, shown)
    _flags(form)
    _expiry(school, form.get("expiryTime"))
    head = form.get("mainTeacherUid")
    head_uid = int_field(form, "mainTeacherUid") if head not in (None, "") else None
    if head_uid is not None and head_uid not in school.teacher_uids:
        raise Answer(Errno.HEAD_TEACHER_NOT_FOUND)
    course = school.add_course(teacher_uid=head_uid)
    record = book.course(course.course_id)
    record.name, record.identity = name[:MAX_NAME], identity
    record.settings = {k: str(form[k]) for k in _SETTINGS if form.get(k) not in (None, "")}
    cover = form.get("Filedata")
    record.cover = cover.name if isinstance(cover, Upload) else None
    if identity is not None:
        book.course_identities[identity] = course.course_id
    return school.envelope(Errno.OK, course.course_id)


def edit_course(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """editCourse: change what is sent of a course."""
    course_id = int_field(form, "courseId")
    course = school.find_course(course_id, editing=True)
    record = timetable(school).course(course_id)
    _flags(form)
    expiry = _expiry(school, form.get("expiryTime"))
    head = form.get("mainTeacherUid")
    if head not in (None, ""):
        uid = int_field(form, "mainTeacherUid")
        if uid not in school.teacher_uids:
            raise Answer(Errno.NEW_HEAD_TEACHER_NOT_FOUND)
        if uid in course.students or uid in course.auditors:
            student = uid in course.students
            raise Answer(Errno.STUDENT_AS_TEACHER if student else Errno.AUDITOR_AS_TEACHER)
        if course.teacher_uid is not None and form.get("stamp", "1") == "1":
            course.co_teachers.add(course.teacher_uid)  # the former one joins the list
        course.teacher_uid = uid
    name = form.get("courseName")
    if isinstance(name, str) and name.strip():
        record.name = name[:MAX_EDITED_NAME]
    record.settings.update({k: str(form[k]) for k in _SETTINGS if form.get(k) not in (None, "")})
    if expiry is not None:
        record.settings["expiryTime"] = str(expiry)
    cover = form.get("Filedata")
    if isinstance(cover, Upload):
        record.cover = cover.name
    return school.envelope(Errno.OK)


def end_course(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """endCourse: delete the lessons not yet started, then end the course."""
    course_id = int_field(form, "courseId")
    course = school.find_course(course_id, editing=False)
    book = timetable(school)
    record = book.course(course_id)
    if record.ended:
        raise Answer(Errno.COURSE_ENDED)
    states = {c: lesson_state(school, book.lessons[c]) for c in course.lessons if c in book.lessons}
    if "running" in states.values():
        raise Answer(Errno.LESSON_RUNNING)
    for class_id, state in states.items():
        if state == "unstarted":
            delete_lesson(school, class_id)  # a classroom's lesson: the classroom too
    record.ended = True
    return school.envelope(Errno.OK)


def _open_course(school: School, form: dict[str, Any]) -> Any:
    course_id = int_field(form, "courseId")
    course = school.find_course(course_id, editing=True)
    if timetable(school).course(course_id).ended:
        raise Answer(Errno.COURSE_ENDED)
    return course


def add_course_student(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addCourseStudent: one student (identity 1) or auditor (2) into a course."""
    course_id = int_field(form, "courseId")
    identity = form.get("identity")
    if identity not in ("1", "2"):
        raise Answer(Errno.BAD_PARAMETERS)
    uid = int_field(form, "studentUid")
    course = school.find_course(course_id, editing=True)
    errno = join_course(school, course, uid, auditor=identity == "2", rng=None)
    if errno != Errno.OK:
        raise Answer(errno)
    return school.envelope(Errno.OK)


def del_course_student(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """delCourseStudent: one student or auditor out of a course."""
    course_id = int_field(form, "courseId")
    identity = form.get("identity")
    if identity not in ("1", "2"):
        raise Answer(Errno.BAD_PARAMETERS)
    uid = int_field(form, "studentUid")
    course = school.find_course(course_id, editing=True)
    errno = leave_course(course, uid, auditor=identity == "2")
    if errno != Errno.OK:
        raise Answer(errno)
    return school.envelope(Errno.OK)


def _teacher_problem(school: School, course: Any, uid: int) -> int:
    if uid not in school.teacher_uids:
        return Errno.TEACHER_NOT_IN_SCHOOL
    if uid in course.students:
        return Errno.STUDENT_AS_TEACHER
    if uid in course.auditors:
        return Errno.AUDITOR_AS_TEACHER
    return 0


def modify_course_teacher(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """modifyCourseTeacher: the teacher of every lesson of the course not yet started."""
    course = _open_course(school, form)
    uid = int_field(form, "teacherUid")
    problem = _teacher_problem(school, course, uid)
    if problem:
        raise Answer(problem)
    book = timetable(school)
    data = []
    for class_id in course.lessons:
        record = book.lessons.get(class_id)
        if record is None or lesson_state(school, record) != "unstarted":
            continue
        if record.lms:
            data.append(school.entry(Errno.LMS_LESSON, classId=class_id))
            continue
        record.teacher_uid = uid
        data.append(school.entry(Errno.OK, classId=class_id))
    if not data:
        raise Answer(Errno.NO_UNSTARTED_LESSON)
    course.co_teachers.add(uid)
    return school.envelope(Errno.OK, data)


def remove_course_teacher(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """removeCourseTeacher: take a teacher off the course's list."""
    course_id = int_field(form, "courseId")
    uid = int_field(form, "teacherUid")
    course = school.find_course(course_id, editing=True)
    if uid not in school.teacher_uids:
        raise Answer(Errno.TEACHER_NOT_IN_SCHOOL)
    if uid not in course.co_teachers:
        raise Answer(Errno.TEACHER_NOT_LISTED)
    book = timetable(school)
    for class_id in course.lessons:
        record = book.lessons.get(class_id)
        if record is None or lesson_state(school, record) in ("finished", "deleted"):
            continue
        if uid == record.teacher_uid or uid in record.assistants:
            raise Answer(Errno.TEACHER_HAS_LESSONS)
    course.co_teachers.discard(uid)
    return school.envelope(Errno.OK)


def add_course_teacher(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """/course/addCourseTeacher (v2): teachers onto a course's list, each answered by UID."""
    if body.get("courseId") is None or body.get("teacherUids") in (None, []):
        raise Answer(V2_PARAMETERS)  # "缺少必传参数"
    course_id, uids = body_id(body, "courseId"), body_uids(body, "teacherUids")
    course = school.find_course(course_id, editing=False)
    if timetable(school).course(course_id).ended:
        raise Answer(Errno.COURSE_FINISHED)
    school.count_items("/course/addCourseTeacher", len(uids))
    data = []
    for uid in uids:
        code = _teacher_problem(school, course, uid)
        if not code and uid == course.teacher_uid:
            code = Errno.ALREADY_HEAD_TEACHER
        if not code and school.item_busy(rng):
            code = Errno.OPERATION_FAILED
        if not code:
            code = Errno.ALREADY_EXISTS if uid in course.co_teachers else Errno.OK
            course.co_teachers.add(uid)
        data.append(school.entry_v2(code, teacherUid=uid))
    return school.envelope_v2(Errno.OK, data)


def label_problem(school: School, labels: set[int]) -> int:
    """0, or the per-item code refusing these label IDs: 359 (another school's), 358.

    The school's labels are ``SchoolSettings.labels`` (addSchoolLabel's, and seeded ones).
    """
    settings = school.state(SchoolSettings)
    if labels & settings.foreign_labels:
        return Errno.LABELS_NOT_OURS
    if not labels <= settings.labels.keys():
        return Errno.LABELS_NOT_FOUND
    return 0


def add_course_labels(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addCourseLabels: replace the labels of several courses."""
    entries = json_items(form, "courseList", Errno.STUDENTS_EMPTY)
    school.count_items("addCourseLabels", len(entries))
    book = timetable(school)
    data = []
    for entry in entries:
        course_id = id_value(entry.get("courseId") if isinstance(entry, dict) else None)
        column = custom_column(entry.get("customColumn"))
        labels = entry.get("labelIds", [])
        shown = {"customColumn": column or "", "courseId": course_id}
        course = school.courses.get(course_id)
        errno: int
        if course is None or course.deleted:
            errno = Errno.COURSE_NOT_FOUND if course is None else Errno.COURSE_DELETED
        elif not isinstance(labels, list):
            errno = Errno.BAD_PARAMETERS
        elif len({id_value(v) for v in labels}) > MAX_LABELS:
            errno = Errno.COURSE_LABELS_LIMIT
        elif problem := label_problem(school, {id_value(v) for v in labels}):
            errno = problem
        elif school.item_busy(rng):
            errno = Errno.OPERATION_FAILED
        else:
            book.course(course_id).labels = tuple(dict.fromkeys(id_value(v) for v in labels))
            errno = Errno.OK
        data.append({**shown, "errno": errno, "error": school.message(errno)})
    return school.envelope(Errno.OK, data)


AREA: Final = Area(
    "courses",
    routes=(
        v1("addCourse", add_course),
        v1("editCourse", edit_course),
        v1("endCourse", end_course),
        v1("addCourseStudent", add_course_student),
        v1("delCourseStudent", del_course_student),
        v1("modifyCourseTeacher", modify_course_teacher),
        v1("removeCourseTeacher", remove_course_teacher),
        v1("addCourseLabels", add_course_labels),
        v2("/course/addCourseTeacher", add_course_teacher),
    ),
    texts=Texts(
        zh={
            Errno.OPERATION_FAILED: "操作失败",
            Errno.TOO_MANY_STUDENTS: "超过能添加的帐号数量",
            Errno.ALREADY_EXISTS: "老师或学生已经存在",
            Errno.TEACHER_NOT_IN_SCHOOL: "机构下面没有该老师，请在机构下添加该老师",
            Errno.COURSE_ENDED: "课程已结束",
            Errno.EXPIRY_TOO_SOON: "过期时间至少要一天以后",
            Errno.EXPIRY_TOO_FAR: "过期时间只能是5年以内的时间",
            Errno.NOT_COURSE_MEMBER: "课程下无此成员",
            Errno.STUDENT_IN_COURSE: "课程下已存在此学生",
            Errno.AUDITOR_EXISTS: "课程下已存在此旁听",
            Errno.STUDENT_AS_TEACHER: "课程下的学生不能添加为老师",
            Errno.AUDITOR_AS_TEACHER: "课程下的旁听不能添加为老师",
            Errno.NO_UNSTARTED_LESSON: "没有未开课的课节",
            Errno.NEW_HEAD_TEACHER_NOT_FOUND: "新班主任不存在",
            Errno.TEACHER_NOT_LISTED: "教师列表不存在该老师",
            Errno.TEACHER_HAS_LESSONS: "教师有未结束的课节",
            Errno.HEAD_TEACHER_NOT_FOUND: "班主任不存在",
            Errno.LESSON_RUNNING: "课程下有正在上的课节，不能结束",
            Errno.IDENTITY_EXISTS: "数据已经存在（唯一标识已存在）",
            Errno.COURSE_LABELS_LIMIT: "超出课程标签数量上限",
            Errno.LABELS_NOT_FOUND: "部分标签不存在或已删除",
            Errno.LABELS_NOT_OURS: "部分标签不属于本机构",
            Errno.LMS_LESSON: "通过客户端-创建课堂产生的课节只能在客户端编辑",
            Errno.NICKNAME_SYNC_FAILED: "成员添加成功，班级昵称同步失败",
            Errno.ALREADY_HEAD_TEACHER: "该成员已经是课程班主任",
            Errno.COURSE_FINISHED: "课程已结课",
            V2_PARAMETERS: "缺少必传参数",
            V2_BAD_VALUE: "业务参数错误",
        }
    ),
)
