"""The state of the sandbox's courses-and-lessons areas: courses and lessons made by the API.

The core ``School`` holds every course and lesson (members, head teacher, teacher list,
deleted and finished flags); ``Timetable`` adds what creating and editing them needs:
names, times, teachers, settings, labels, unique identities, and the switch saying how a
repeated identity is answered. The docs disagree on that (``README``, "creating courses
and lessons"): the addCourse and addCourseClass pages say the course or lesson created
before "is returned" while their errno tables list 398 "identity already exists", and
Lesson_errors says a repeated identity "reports an error and creates nothing". The
sandbox reads the pages together by default (``identity_repeat="earlier_id"``: 398 with
the earlier ID in ``data``) and Lesson_errors with ``"refuse"`` (398 without it). Either
way nothing is created twice, and an identity whose lesson was deleted in eeo.cn or the
client (not through the API) stays taken: 398 without an ID (Lesson_errors).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

import attrs

from ._school import School

#: How a repeated unique identity is answered (see the module's docstring).
IDENTITY_REPEATS: Final = ("earlier_id", "refuse")


@attrs.define
class CourseRecord:
    """A course as created or edited through the API: its name, settings and labels."""

    course_id: int
    name: str = ""
    identity: str | None = None
    settings: dict[str, str] = attrs.Factory(dict)
    labels: tuple[int, ...] = ()
    ended: bool = False
    cover: str | None = None


@attrs.define
class LessonRecord:
    """A lesson as created or edited through the API.

    ``lms`` marks a lesson made in the LMS, a classroom (466 to the v1 lesson actions).
    """

    class_id: int
    course_id: int
    name: str
    begin: int
    end: int
    teacher_uid: int
    assistants: tuple[int, ...] = ()
    identity: str | None = None
    settings: dict[str, Any] = attrs.Factory(dict)
    labels: tuple[int, ...] = ()
    lms: bool = False


def _check_repeat(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in IDENTITY_REPEATS:
        text = f"identity_repeat must be one of {IDENTITY_REPEATS}, got {value!r}"
        raise ValueError(text)


@attrs.define
class Timetable:
    """Courses and lessons made through the API and their identities.

    Attributes:
        identity_repeat: ``"earlier_id"`` (default: 398 with the earlier course or class
            ID) or ``"refuse"`` (398 without it), for a repeated unique identity.
        courses: what the API set of each course, by course ID.
        lessons: each lesson made through the API (or seeded), by class ID.
        course_identities: the course ID of each unique identity of a course.
        lesson_identities: the class ID of each unique identity of a lesson.
        max_lessons_per_course: past this, a new lesson is refused with 121601070.
    """

    identity_repeat: str = attrs.field(default="earlier_id", validator=_check_repeat)
    courses: dict[int, CourseRecord] = attrs.Factory(dict)
    lessons: dict[int, LessonRecord] = attrs.Factory(dict)
    course_identities: dict[str, int] = attrs.Factory(dict)
    lesson_identities: dict[str, int] = attrs.Factory(dict)
    max_lessons_per_course: int | None = None

    def course(self, course_id: int) -> CourseRecord:
        """The record of a course (an empty one for a course seeded without the API)."""
        found = self.courses.get(course_id)
        if found is None:
            found = self.courses[course_id] = CourseRecord(course_id)
        return found

    def lesson_creations(self) -> Counter[tuple[int, str, int, int, int]]:
        """How many lessons exist (or existed) for each (course, name, begin, end, teacher).

        A count above 1 is a duplicate: the same lesson created twice.
        """
        return Counter(
            (r.course_id, r.name, r.begin, r.end, r.teacher_uid) for r in self.lessons.values()
        )


def timetable(school: School) -> Timetable:
    """The courses-and-lessons state of ``school``."""
    return school.state(Timetable)


def lesson_state(school: School, record: LessonRecord) -> str:
    """``"unstarted"``, ``"running"``, ``"finished"`` or ``"deleted"`` (by the flags and clock).

    Every handler that asks whether a lesson, or a classroom (its lesson), began or
    ended asks here.
    """
    core = school.lessons.get(record.class_id)
    if core is None or core.deleted:
        return "deleted"
    moment = school.now()
    if core.finished or moment >= record.end:
        return "finished"
    return "running" if core.started or moment >= record.begin else "unstarted"
