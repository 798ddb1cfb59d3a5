"""The enrolment verbs of the Batcher: students into and out of courses and lessons; accounts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Unpack

from .._models import NewUser
from .report import BatchReport
from .runner import JobOptions, Runner


class EnrolmentVerbs(Runner):
    """Course and lesson membership, and registration, in bulk (mixed into ``Batcher``)."""

    async def add_student_to_lessons(
        self,
        course_id: int | str,
        student_uid: int | str,
        class_ids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Add one student to any number of lessons; the report is keyed by ``class_id``.

        Sends addCourseClassStudent, 100 lessons a call; 166 (already in the lesson)
        counts as already done. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input, or a bad ``skip`` (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uid": student_uid, "class_ids": class_ids}
        return await self._run("add_student_to_lessons", arguments, **options)

    async def remove_students_from_lesson(
        self,
        course_id: int | str,
        class_id: int | str,
        student_uids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Remove any number of students from one lesson; keyed by ``student_uid``.

        Sends delClassStudentMultiple, 100 a call; 167 ("not in the lesson") counts as
        already done. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "class_id": class_id, "student_uids": student_uids}
        return await self._run("remove_students_from_lesson", arguments, **options)

    async def enroll(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        class_ids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Add every student to every lesson; keyed by ``(student_uid, class_id)``.

        Sends addCourseClassStudent or addClassStudentMultiple, whichever needs fewer
        calls; 166 ("already in the lesson") counts as already done. Options as in
        :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "class_ids": class_ids}
        return await self._run("enroll", arguments, **options)

    async def enroll_pairs(
        self,
        course_id: int | str,
        pairs: Iterable[Sequence[int | str]],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Add each ``(student_uid, class_id)`` pair, e.g. to re-run an enrolment's failures.

        The report is an ``enroll`` report keyed by the pairs, in input order. Options as
        in :meth:`run`.

        Raises:
            InputError: a bad pair anywhere in the input (nothing is sent).
        """
        return await self._run("enroll_pairs", {"course_id": course_id, "pairs": pairs}, **options)

    async def unenroll(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        class_ids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Remove every student from every lesson; keyed by ``(student_uid, class_id)``.

        The removal counterpart of :meth:`enroll`: delClassStudentMultiple lesson by
        lesson, 100 students a call; 167 (not in the lesson) counts as already done.
        Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "class_ids": class_ids}
        return await self._run("unenroll", arguments, **options)

    async def unenroll_pairs(
        self,
        course_id: int | str,
        pairs: Iterable[Sequence[int | str]],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Remove each ``(student_uid, class_id)`` pair, e.g. to re-run an unenrolment.

        The report is an ``unenroll`` report keyed by the pairs, in input order. Options
        as in :meth:`run`.

        Raises:
            InputError: a bad pair anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "pairs": pairs}
        return await self._run("unenroll_pairs", arguments, **options)

    async def add_students_to_course(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Add any number of students (or auditors) to a course; keyed by ``student_uid``.

        Sends addCourseStudentMultiple, 30 a call. 163/164 (already a student/auditor
        of the course) count as already done, 841 (added, nickname not synced) as
        succeeded with a warning; 464 (being created by another request) is retried per
        item. ``identity`` is 1/``"student"`` or 2/``"auditor"`` (a course takes at
        most 20 auditors: more are refused before sending). Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input, or too many auditors (nothing
                is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "identity": identity}
        return await self._run("add_students_to_course", arguments, **options)

    async def remove_students_from_course(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Remove any number of students (or auditors) from a course; keyed by ``student_uid``.

        Sends delCourseStudentMultiple, 100 a call; 162 (not a member) counts as
        already done. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "identity": identity}
        return await self._run("remove_students_from_course", arguments, **options)

    async def add_students_to_lesson(
        self,
        course_id: int | str,
        class_id: int | str,
        student_uids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Add any number of students to one lesson; keyed by ``student_uid``.

        Sends addClassStudentMultiple, 30 a call; 166 (already in the lesson) counts as
        already done. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "class_id": class_id, "student_uids": student_uids}
        return await self._run("add_students_to_lesson", arguments, **options)

    async def register(
        self, users: Iterable[NewUser], **options: Unpack[JobOptions]
    ) -> BatchReport[str]:
        """Register any number of accounts; keyed by telephone or email, each with its UID.

        Sends registerMultiple, 10 a call. ``report.items[account].uid`` is the UID the
        server gave, also for 135/461 (already registered, counted as already done), so
        the UIDs can feed the next job (``[i.uid for i in report.items.values()]``). An
        account given twice is sent once (the first one). Passwords are never in the
        report, and a plain password is sent only over https (or to a loopback sandbox).
        Options as in :meth:`run`.

        Raises:
            InputError: an item that is not a ``NewUser``, or a plain password for a
                plain-http server (nothing is sent).
        """
        return await self._run("register", {"users": users}, **options)
