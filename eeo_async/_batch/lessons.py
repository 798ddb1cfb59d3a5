"""The Batcher's verbs of courses and lessons: new lessons, labels, course teachers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Unpack

from .._api.labels import LabelsInput, pairs_of
from .._api.lesson_items import NewLesson
from .report import BatchReport
from .runner import JobOptions, Runner


class LessonVerbs(Runner):
    """Lessons and course teachers and labels in bulk (mixed into ``Batcher``)."""

    async def create_lessons(
        self, course_id: int | str, lessons: Iterable[NewLesson], **options: Unpack[JobOptions]
    ) -> BatchReport[str]:
        """Create any number of lessons of a course; keyed by each lesson's unique identity.

        Sends addCourseClassMultiple, 30 lessons a call. Each lesson carries its unique
        identity (derived from the course, name, begin, end and teacher when it has
        none: ``report.items[lesson.for_course(course_id).key]``), so a retried call or
        a second run of the same lessons creates nothing twice: a lesson made before is
        ``already`` (made by an earlier attempt of this job: ``succeeded``), with its
        class ID where the server gives it (``report.items[key].id``). 280/281/824
        (created, recording or introduction not set) are succeeded with a warning; a
        lesson's own 104/114/460 is sent again alone. Two lessons with the same identity
        are one (counted in ``duplicates``). Lessons with ``unique_identity=False`` make
        the job send nothing again after an attempt that may have applied (their outcome
        is then ``unknown``). Options as in :meth:`run`.

        Raises:
            InputError: a lesson breaking a rule (named by its place: an end before its
                begin, a length outside 15 minutes to 24 hours, a begin in the past or
                less than a minute or more than 3 years ahead, a name too long, a bad
                UID), or not a ``NewLesson`` (nothing is sent).
        """
        arguments = {"course_id": course_id, "lessons": lessons}
        return await self._run("create_lessons", arguments, **options)

    async def set_course_labels(
        self, course_list: LabelsInput, **options: Unpack[JobOptions]
    ) -> BatchReport[int]:
        """Set the labels of any number of courses; keyed by ``course_id``.

        ``course_list`` maps each course ID to the label IDs it is to have (at most 10;
        ``[]`` removes them all), as a dict or as pairs. Sends addCourseLabels, 100
        courses a call; set-to-value, so every failure is retried that may pass.
        Options as in :meth:`run`.

        Raises:
            InputError: a bad ID or more than 10 labels anywhere (nothing is sent).
        """
        arguments = {"course_list": pairs_of(course_list)}
        return await self._run("set_course_labels", arguments, **options)

    async def set_lesson_labels(
        self, course_id: int | str, class_list: LabelsInput, **options: Unpack[JobOptions]
    ) -> BatchReport[int]:
        """Set the labels of any number of lessons of a course; keyed by ``class_id``.

        ``class_list`` maps each class ID to its label IDs (at most 10; ``[]`` removes
        them all). Sends addClassLabels, 100 lessons a call. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID or more than 10 labels anywhere (nothing is sent).
        """
        arguments = {"course_id": course_id, "class_list": pairs_of(class_list)}
        return await self._run("set_lesson_labels", arguments, **options)

    async def add_teachers_to_course(
        self,
        course_id: int | str,
        teacher_uids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Add any number of teachers to a course's teacher list; keyed by ``teacher_uid``.

        Sends the v2 addCourseTeacher, 100 a call; 133 (already a teacher of the course)
        counts as already done. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "teacher_uids": teacher_uids}
        return await self._run("add_teachers_to_course", arguments, **options)
