"""Steps of ``eeo-async demo`` around the enrolment: the course and its lessons, attendance.

The docs' recommended integration begins with a course (addCourse, with its unique
identity so that a retry cannot make a second one) and its timetable (lessons created
in bulk, each with its own identity), and ends with the attendance ClassIn pushes after
each lesson (the ``End`` message of the data subscription), received by
``eeo_async.webhooks.Receiver``. Each step is checked against the sandbox.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs
from aiohttp import web

from .._api.client import Client
from .._api.lesson_items import NewLesson
from .._batch.batcher import Batcher
from .._batch.report import BatchReport
from ..testing import Sandbox
from ..webhooks import LessonEnd, MemoryStore, Receiver

#: Lessons last 45 minutes, one a day from tomorrow.
_LESSON = 45 * 60
_DAY = 24 * 3600


@attrs.define
class CourseDemo:
    """The course and lessons the demo made, and how its checks went.

    Attributes:
        course_id: the new course.
        teacher_uid: the lessons' teacher.
        lessons: the new lessons' class IDs, in timetable order.
        report: the ``create_lessons`` report (keyed by unique identity).
        disagree: checks the sandbox contradicts (0 when all is well).
    """

    course_id: int
    teacher_uid: int
    lessons: list[int]
    report: BatchReport[Any]
    disagree: int = 0


async def create_course_and_lessons(
    client: Client,
    batcher: Batcher,
    sandbox: Sandbox,
    count: int,
    say: Callable[[str], None],
    *,
    progress: bool = False,
) -> CourseDemo:
    """Create a course (addCourse) and ``count`` lessons (addCourseClassMultiple), once each.

    Both send unique identities on every attempt, so the demo's faults (lost answers,
    5xx, busy answers) never make a second course or lesson: the sandbox is asked.
    """
    (teacher,) = sandbox.add_teachers(1)
    say("\n2. create the course (addCourse, with a unique identity on every attempt)")
    course = await client.add_course("Physics 7A", main_teacher_uid=teacher)
    book = sandbox.timetable
    course_id = course.course_id
    if course_id is None:  # 398 without the ID: the course exists, find it by identity
        course_id = next(iter(book.course_identities.values()))
    made = sum(1 for record in book.courses.values() if record.name == "Physics 7A")
    say(
        f"   course {course_id}{' (already there)' if course.already else ''}; courses of "
        f"that name on the server: {made}"
    )
    start = int(time.time()) + _DAY
    timetable = [
        NewLesson(f"Lesson {n + 1}", start + n * _DAY, start + n * _DAY + _LESSON, teacher)
        for n in range(count)
    ]
    say(f"\n3. create its {count} lessons (addCourseClassMultiple, 30 a call)")
    created = await batcher.create_lessons(course_id, timetable, progress=progress)
    say(created.summary())
    lessons = [item.id for item in created.items.values() if item.ok and item.id]
    twice = sum(1 for n in book.lesson_creations().values() if n > 1)
    say(f"   lessons with an ID: {len(lessons)}; lessons created twice: {twice}")
    demo = CourseDemo(course_id, teacher, lessons, created)
    demo.disagree = (made != 1) + twice + (len(lessons) != count)
    return demo


async def receive_attendance(
    sandbox: Sandbox,
    class_id: int,
    attended: list[int],
    say: Callable[[str], None],
) -> int:
    """Hold a lesson, and receive its ``End`` through a Receiver; 0 if attendance agrees.

    A :class:`~eeo_async.webhooks.Receiver` listens on loopback as a school's backend
    would; the sandbox pushes the lesson's ``End`` as ClassIn does (re-pushed until
    acked), built from who came in.
    """
    say(f"\n10. hold lesson {class_id} and receive its attendance (data subscription)")
    got: list[LessonEnd] = []
    receiver = Receiver(sid=sandbox.sid, secret=sandbox.secret, store=MemoryStore())

    @receiver.on("End")
    def attendance(event: LessonEnd) -> None:
        got.append(event)

    runner = web.AppRunner(receiver.aiohttp_app(path="/classin"), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        begin = int(time.time()) - _LESSON
        await sandbox.push_lesson_end(
            f"http://127.0.0.1:{port}/classin",
            class_id,
            start_time=begin,
            end_time=begin + _LESSON,
            attended=attended,
        )
    finally:
        await runner.cleanup()
    students = {m.uid for event in got for m in event.attendance if m.identity == 1}
    say(
        f"   End received and acked: {len(got)} message(s); {len(students)} students present "
        f"for {_LESSON // 60} minutes, as the sandbox held the lesson"
    )
    return int(len(got) != 1 or students != set(attended))
