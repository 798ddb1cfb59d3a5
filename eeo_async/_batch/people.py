"""The people verbs of the Batcher: school students and teachers in bulk, comments, videos.

addSchoolStudent and addTeacher take one account a call: their bulk rows
(``eeo_async._api.members.BULK_ROWS``) send each account as its own two fields, so a job
of thousands runs them concurrently with the Batcher's retries, report and journal.
Adding answers 133 when the account is already a member, so these jobs are safe to
re-run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Unpack

from .._api.live import ClassVideoSetting
from .._api.members import BULK_ROWS, SchoolMember
from .._api.students import StudentComment
from .report import BatchReport
from .runner import JobOptions, Runner

__all__ = ["BULK_ROWS", "PeopleVerbs"]  # the command reads the rows here


class PeopleVerbs(Runner):
    """The school's members, lesson comments and video settings in bulk (mixed into ``Batcher``)."""

    async def add_school_students(
        self, students: Iterable[SchoolMember], **options: Unpack[JobOptions]
    ) -> BatchReport[str]:
        """Add any number of registered accounts to the school as students; keyed by account.

        Sends addSchoolStudent, one account a call, ``concurrency`` at a time. 133
        (already a student of the school) counts as already done; 101003002 and 131
        (the same request too soon) are waited out. An account given twice is sent
        once (the first one). Options as in :meth:`run`.

        Raises:
            InputError: an item that is not a ``SchoolMember`` (nothing is sent).
        """
        return await self._run("add_school_students", {"students": students}, **options)

    async def add_teachers(
        self, teachers: Iterable[SchoolMember], **options: Unpack[JobOptions]
    ) -> BatchReport[str]:
        """Add any number of registered accounts to the school as teachers; keyed by account.

        Sends addTeacher, one account a call, ``concurrency`` at a time. 133 (already
        in the school) counts as already done; 845 (the school's most enabled teachers)
        fails the item; 101003002 and 131 are waited out. An account given twice is
        sent once (the first one). Options as in :meth:`run`.

        Raises:
            InputError: an item that is not a ``SchoolMember`` (nothing is sent).
        """
        return await self._run("add_teachers", {"teachers": teachers}, **options)

    async def update_student_comments(
        self,
        class_id: int | str,
        comments: Iterable[StudentComment],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Set any number of students' ratings and comments in one lesson; keyed by UID.

        Sends updateClassStudentComment, 100 students a call; a comment overwrites the
        earlier one, so the job is safe to re-run. 104 for one student is retried
        alone; 167 (not in the lesson) and 228 fail that student. A student given twice
        is sent once (the first comment). Options as in :meth:`run`.

        Raises:
            InputError: a bad lesson ID or an item that is not a ``StudentComment``.
        """
        arguments = {"class_id": class_id, "comments": comments}
        return await self._run("update_student_comments", arguments, **options)

    async def set_class_videos(
        self,
        course_id: int | str,
        settings: Iterable[ClassVideoSetting],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Set recording, live and replay of any number of lessons of a course; keyed by lesson.

        Sends setClassVideoMultiple, 100 lessons a call; a set-to-value, so the job is
        safe to re-run. 253 ("video service problem, retry later") and 104 for one
        lesson are retried alone; 252 (less than 20 minutes before the start) fails
        that lesson. Options as in :meth:`run`.

        Raises:
            InputError: a bad course ID or an item that is not a ``ClassVideoSetting``.
        """
        arguments = {"course_id": course_id, "settings": settings}
        return await self._run("set_class_videos", arguments, **options)
