"""The LMS verbs of the Batcher: students into and out of activities, classrooms in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Unpack

from .._api.classrooms import NewClassroom
from .report import BatchReport
from .runner import JobOptions, Runner


class ActivityVerbs(Runner):
    """LMS activity membership and classroom creation in bulk (mixed into ``Batcher``).

    Membership is v2's addStudent/deleteStudent, 100 students a call (the pages state no
    limit). v2 answers 1 for a student who already is a member, so these reports never
    count ``already``: such a student is ``succeeded``.
    """

    async def add_students_to_activity(
        self,
        course_id: int | str,
        activity_id: int | str,
        student_uids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Add any number of students to one activity; keyed by ``student_uid``.

        Sends addStudent, 100 a call; each answer entry is matched by the
        ``studentUid`` it names. A student answered 104 or 114, or left out of the
        answer, is sent again alone (pooled with others); ``unknown`` if it never comes
        back. A classroom takes any student of the school. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {
            "course_id": course_id,
            "activity_id": activity_id,
            "student_uids": student_uids,
        }
        return await self._run("add_students_to_activity", arguments, **options)

    async def remove_students_from_activity(
        self,
        course_id: int | str,
        activity_id: int | str,
        student_uids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[int]:
        """Remove any number of students from one activity; keyed by ``student_uid``.

        Sends deleteStudent, 100 a call; the answer has no per-student data, so every
        student of a call takes its code. Options as in :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {
            "course_id": course_id,
            "activity_id": activity_id,
            "student_uids": student_uids,
        }
        return await self._run("remove_students_from_activity", arguments, **options)

    async def enroll_activities(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        activity_ids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Add every student to every activity; keyed by ``(student_uid, activity_id)``.

        Sends addStudent activity by activity, 100 students a call. Options as in
        :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {
            "course_id": course_id,
            "student_uids": student_uids,
            "activity_ids": activity_ids,
        }
        return await self._run("enroll_activities", arguments, **options)

    async def enroll_activities_pairs(
        self,
        course_id: int | str,
        pairs: Iterable[Sequence[int | str]],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Add each ``(student_uid, activity_id)`` pair, e.g. to re-run an enrolment's failures.

        The report is an ``enroll_activities`` report keyed by the pairs, in input
        order. Options as in :meth:`run`.

        Raises:
            InputError: a bad pair anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "pairs": pairs}
        return await self._run("enroll_activities_pairs", arguments, **options)

    async def unenroll_activities(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        activity_ids: Iterable[int | str],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Remove every student from every activity; keyed by ``(student_uid, activity_id)``.

        Sends deleteStudent activity by activity, 100 students a call. Options as in
        :meth:`run`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {
            "course_id": course_id,
            "student_uids": student_uids,
            "activity_ids": activity_ids,
        }
        return await self._run("unenroll_activities", arguments, **options)

    async def unenroll_activities_pairs(
        self,
        course_id: int | str,
        pairs: Iterable[Sequence[int | str]],
        **options: Unpack[JobOptions],
    ) -> BatchReport[tuple[int, int]]:
        """Remove each ``(student_uid, activity_id)`` pair, e.g. to re-run a removal.

        The report is an ``unenroll_activities`` report keyed by the pairs, in input
        order. Options as in :meth:`run`.

        Raises:
            InputError: a bad pair anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "pairs": pairs}
        return await self._run("unenroll_activities_pairs", arguments, **options)

    async def create_classrooms(
        self,
        course_id: int | str,
        classrooms: Iterable[NewClassroom],
        **options: Unpack[JobOptions],
    ) -> BatchReport[str]:
        """Create any number of classrooms in a course; keyed by each one's unique identity.

        Sends createClassroom, one classroom a call, held to its documented 1000 calls a
        minute per Client. Each classroom carries its unique identity on every attempt:
        its own, or one derived from the course and its fields (see
        :class:`~eeo_async.NewClassroom`), so a retry after a lost answer, or a re-run of
        the same list, never creates one twice; two classrooms with the same identity are
        one item. ``report.items[identity].id`` (the ``activity_id`` column of
        ``to_records``, CSV and JSON) is the new classroom's activity ID. A repeated
        identity from before this job is ``already`` (without the ID when the server
        answers 398); 267 (created, live settings failed) is ``succeeded`` with the
        server's warning. Options as in :meth:`run`.

        Raises:
            InputError: a bad course ID or an item that is not a ``NewClassroom``
                (nothing is sent).
        """
        arguments = {"course_id": course_id, "classrooms": classrooms}
        return await self._run("create_classrooms", arguments, **options)
