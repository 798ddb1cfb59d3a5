"""The people verbs of the Batcher: school students and teachers in bulk, comments, videos.

addSchoolStudent and addTeacher take one account a call: their bulk rows (below) send
each account as its own two fields, so a job of thousands runs them concurrently with
the Batcher's retries, report and journal. Adding answers 133 when the account is
already a member, so these jobs are safe to re-run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Unpack

import attrs

from .._api.live import ClassVideoSetting
from .._api.members import ADD_SCHOOL_STUDENT, ADD_TEACHER, SchoolMember, members_kind
from .._api.students import StudentComment
from .._wire.decode import decode_same
from .._wire.endpoint import Bulk, Endpoint, Param
from .report import BatchReport
from .runner import JobOptions, Runner

#: addSchoolStudent one account a call, keyed by the account (133: already a student).
ADD_SCHOOL_STUDENTS: Final = attrs.evolve(
    ADD_SCHOOL_STUDENT,
    params=(Param("students", "studentAccount", members_kind("studentAccount", "studentName")),),
    items="students",
    max_items=1,
    bulk=Bulk(verb="add_school_students", key="account"),
    decode=decode_same,
)
#: addTeacher one account a call, keyed by the account (133: already in the school).
ADD_TEACHERS: Final = attrs.evolve(
    ADD_TEACHER,
    params=(Param("teachers", "teacherAccount", members_kind("teacherAccount", "teacherName")),),
    items="teachers",
    max_items=1,
    bulk=Bulk(verb="add_teachers", key="account"),
    decode=decode_same,
)
#: The bulk rows of the verbs that have no row of their own, by verb.
BULK_ROWS: Final[dict[str, Endpoint]] = {
    "add_school_students": ADD_SCHOOL_STUDENTS,
    "add_teachers": ADD_TEACHERS,
}


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
        return await self._run(ADD_SCHOOL_STUDENTS, {"students": students}, **options)

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
        return await self._run(ADD_TEACHERS, {"teachers": teachers}, **options)

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
