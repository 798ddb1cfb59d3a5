"""A sandbox school with a course, a teacher and students, and a client of it, for LMS tests."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs

import eeo_async as eeo
from eeo_async.testing import Faults, LmsState, Sandbox

#: A day from now: classrooms start here (the sandbox refuses a start in the past).
HOUR = 3600


@attrs.define
class World:
    """What an LMS test works with."""

    sb: Sandbox
    client: eeo.Client
    course: int
    teacher: int
    students: list[int]
    start: int

    @property
    def lms(self) -> LmsState:
        """The sandbox's LMS state."""
        return self.sb.state(LmsState)

    def room(self, name: str, slot: int = 0, **options: Any) -> eeo.NewClassroom:
        """A one-hour classroom of the teacher in hour ``slot`` after the start."""
        begin = self.start + slot * 2 * HOUR
        return eeo.NewClassroom(name, self.teacher, begin, begin + HOUR, **options)


@asynccontextmanager
async def lms_world(
    *, students: int = 5, faults: Faults | None = None, seed: int = 0, **client: Any
) -> AsyncIterator[World]:
    """A started sandbox with one course, one teacher and ``students``, and a client."""
    client.setdefault("initial_backoff", 0)
    client.setdefault("max_backoff", 0)
    async with Sandbox(faults=faults, seed=seed) as sb:
        uids = sb.add_students(students)
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course(teacher_uid=teacher)
        async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **client) as c:
            yield World(sb, c, course.course_id, teacher, uids, int(time.time()) + 24 * HOUR)
