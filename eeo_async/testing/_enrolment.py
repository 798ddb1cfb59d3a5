"""Sandbox area "courses and lessons: enrolment": who is a member of a course or a lesson.

Five v1 actions on the core state (no area state of their own): addCourseClassStudent,
delClassStudentMultiple, addClassStudentMultiple (lessons) and addCourseStudentMultiple,
delCourseStudentMultiple (courses). Fields are read by the docs' wire names. Which errors
are call-level and which per item (a reading of the reference pages):

- addCourseClassStudent: call-level 100, 400, 144, 149, 153, 129, 332, 886, 228; per
  lesson 142 (not a lesson of this course), 212, 145, 166, 157, 114 (fault), 1.
- delClassStudentMultiple: call-level 100, 400, 155, 159, 144, 149, 143, 142, 212, 145;
  per student 167, 114 (fault), 1. It also takes ``studentJson=[{"uid": ...}]`` where
  ``studentUidJson`` is absent ("either one; studentUidJson wins").
- addCourseStudentMultiple: call-level 100, 155, 400, 144, 149, 153; per UID 133 (twice
  in one array), 129/174, 332, 886 (887 for an auditor), 228, 163, 164, 130 (past 20
  auditors), 464 (the item_busy fault: this page's concurrency errno), 1.
- delCourseStudentMultiple: call-level 100, 155, 144, 149, 153; per UID 162, 114, 1.
- addClassStudentMultiple: call-level 100, 155, 159 (identity not 1), 400, 144, 149,
  153, 143, 142, 212, 145; per UID 129, 332, 886, 228, 164 (a course auditor), 166,
  157, 114, 1.
- 131 (identical requests at the same time) is documented for addCourseStudentMultiple
  and addClassStudentMultiple only; the others serve an identical request (counted in
  ``stats.duplicates_in_flight``).
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import random
from typing import Any, Final

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v1
from ._school import CourseState, LessonState, School
from ._wire import Answer, id_list, int_field, student_objects

#: Most auditors a course takes (addCourseStudent, addCourseStudentMultiple: 130 past it).
MAX_AUDITORS: Final = 20
_ADD_LESSONS = "addCourseClassStudent"
_DEL_LESSON = "delClassStudentMultiple"
_ADD_LESSON = "addClassStudentMultiple"
_ADD_COURSE = "addCourseStudentMultiple"
_DEL_COURSE = "delCourseStudentMultiple"


def _join(school: School, lesson: LessonState, class_id: int, uid: int, rng: random.Random) -> int:
    """One student into an open lesson: 114 (fault), 166, 157 or 1 (applied)."""
    if school.item_busy(rng):
        return Errno.SERVER_BUSY
    if uid in lesson.members:
        return Errno.ALREADY_IN_LESSON
    if lesson.seat_limit is not None and len(lesson.members) >= lesson.seat_limit:
        return Errno.LESSON_FULL
    lesson.members.add(uid)
    school.stats.adds[(class_id, uid)] += 1
    return Errno.OK


def join_course(
    school: School, course: CourseState, uid: int, *, auditor: bool, rng: random.Random | None
) -> int:
    """One student (or auditor) into a course: its errno, 1 when it was added.

    129/174, 332, 886/887, 228 (``School.member_problem``), then with ``rng`` the
    item_busy fault (464, this action's concurrency errno), 163, 164, 130 (past 20 auditors).
    """
    problem = school.member_problem(course, uid, auditor=auditor)
    if problem:
        return problem
    if rng is not None and school.item_busy(rng):
        return Errno.STUDENT_BEING_CREATED
    if uid in course.students:
        return Errno.STUDENT_IN_COURSE
    if uid in course.auditors:
        return Errno.AUDITOR_EXISTS
    if auditor and len(course.auditors) >= MAX_AUDITORS:
        return Errno.TOO_MANY_STUDENTS
    (course.auditors if auditor else course.students).add(uid)
    return Errno.OK


def leave_course(course: CourseState, uid: int, *, auditor: bool) -> int:
    """One student (or auditor) out of a course: 162 when it is not one, else 1."""
    members = course.auditors if auditor else course.students
    if uid not in members:
        return Errno.NOT_COURSE_MEMBER
    members.discard(uid)
    return Errno.OK


def add_course_class_student(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """addCourseClassStudent: one student into several lessons of a course."""
    course_id = int_field(form, "courseId")
    uid = int_field(form, "studentUid")
    class_ids = id_list(form, "classJson", Errno.BAD_PARAMETERS)
    school.count_items(_ADD_LESSONS, len(class_ids))
    course = school.find_course(course_id, editing=True)
    problem = school.member_problem(course, uid)
    if problem:
        raise Answer(problem)
    data = []
    for class_id in class_ids:
        errno: int
        lesson = school.lessons.get(class_id)
        if lesson is None or lesson.course_id != course_id:
            errno = Errno.LESSON_NOT_IN_COURSE
        elif lesson.deleted:
            errno = Errno.LESSON_DELETED
        elif lesson.finished:
            errno = Errno.LESSON_FINISHED
        else:
            errno = _join(school, lesson, class_id, uid, rng)
        data.append(school.entry(errno))
    return school.envelope(Errno.OK, data)


def del_class_student_multiple(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """delClassStudentMultiple: several students out of one lesson."""
    course_id = int_field(form, "courseId")
    class_id = int_field(form, "classId")
    if form.get("identity") != "1":
        raise Answer(Errno.ONLY_STUDENTS)
    if "studentUidJson" in form or "studentJson" not in form:
        uids = id_list(form, "studentUidJson", Errno.STUDENTS_EMPTY)
    else:
        uids = [uid for uid, _ in student_objects(form, "studentJson")]
    school.count_items(_DEL_LESSON, len(uids))
    school.find_course(course_id, editing=False)
    lesson = school.open_lesson(course_id, class_id)
    data = []
    for uid in uids:
        if school.item_busy(rng):
            errno = Errno.SERVER_BUSY
        elif uid not in lesson.members:
            errno = Errno.NOT_IN_LESSON
        else:
            lesson.members.discard(uid)
            errno = Errno.OK
        data.append(school.entry(errno))
    return school.envelope(Errno.OK, data)


def add_class_student_multiple(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """addClassStudentMultiple: several transfer-in students into one lesson."""
    course_id = int_field(form, "courseId")
    class_id = int_field(form, "classId")
    if form.get("identity", "1") != "1":
        raise Answer(Errno.ONLY_STUDENTS)
    entries = student_objects(form, "studentJson")
    school.count_items(_ADD_LESSON, len(entries))
    course = school.find_course(course_id, editing=True)
    lesson = school.open_lesson(course_id, class_id)
    data = []
    for uid, column in entries:
        problem = school.member_problem(course, uid)
        if problem:
            errno = problem
        elif uid in course.auditors:
            errno = Errno.AUDITOR_EXISTS
        else:
            errno = _join(school, lesson, class_id, uid, rng)
        data.append(school.entry(errno, column))
    return school.envelope(Errno.OK, data)


def add_course_student_multiple(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """addCourseStudentMultiple: several students (identity 1) or auditors (2) into a course."""
    course_id = int_field(form, "courseId")
    identity = form.get("identity", "1")
    if identity not in ("1", "2"):
        raise Answer(Errno.BAD_PARAMETERS)
    entries = student_objects(form, "studentJson")
    school.count_items(_ADD_COURSE, len(entries))
    course = school.find_course(course_id, editing=True)
    auditor = identity == "2"
    data = []
    seen: set[int] = set()
    for uid, column in entries:
        errno: int
        if uid in seen:
            errno = Errno.ALREADY_EXISTS
        else:
            errno = join_course(school, course, uid, auditor=auditor, rng=rng)
        seen.add(uid)
        data.append(school.entry(errno, column))
    return school.envelope(Errno.OK, data)


def del_course_student_multiple(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """delCourseStudentMultiple: several students or auditors out of a course."""
    course_id = int_field(form, "courseId")
    identity = form.get("identity")
    if identity not in ("1", "2"):
        raise Answer(Errno.BAD_PARAMETERS)
    uids = id_list(form, "studentUidJson", Errno.STUDENTS_EMPTY)
    school.count_items(_DEL_COURSE, len(uids))
    course = school.find_course(course_id, editing=True)
    data = []
    for uid in uids:
        busy = school.item_busy(rng)
        errno = Errno.SERVER_BUSY if busy else leave_course(course, uid, auditor=identity == "2")
        data.append(school.entry(errno))
    return school.envelope(Errno.OK, data)


AREA: Final = Area(
    "enrolment",
    routes=(
        v1(_ADD_LESSONS, add_course_class_student),
        v1(_DEL_LESSON, del_class_student_multiple),
        v1(_ADD_LESSON, add_class_student_multiple, identical_code=Errno.REGISTER_FAILED),
        v1(_ADD_COURSE, add_course_student_multiple, identical_code=Errno.REGISTER_FAILED),
        v1(_DEL_COURSE, del_course_student_multiple),
    ),
    texts=Texts(
        zh={
            Errno.TOO_MANY_STUDENTS: "学生超出可添加数量",
            Errno.LESSON_FULL: "已超出课节下学生数量",
            Errno.ADD_STUDENT_FAILED: "课节下添加学生失败",
            Errno.ONLY_STUDENTS: "课节下目前只支持对学生的操作",
            Errno.NOT_COURSE_MEMBER: "课程下无此成员",
            Errno.STUDENT_IN_COURSE: "课程下已存在此学生",
            Errno.AUDITOR_EXISTS: "课程下已存在此旁听",
            Errno.ALREADY_IN_LESSON: "课节下已存在此学生",
            Errno.NOT_IN_LESSON: "课节下不存在此学生",
            Errno.STUDENT_BEING_CREATED: ("课程学生正在被其他请求创建（并发请求可能会导致该错误）"),
        }
    ),
)
