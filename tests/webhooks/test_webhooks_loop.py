"""The loop closed: students enrolled through the SDK attend, and the receiver gets the End."""

from __future__ import annotations

import asyncio

import eeo_async as eeo
from eeo_async.testing import Sandbox, set_testing
from eeo_async.webhooks import LessonEnd, MemoryStore, Receiver


async def test_a_lesson_the_sandbox_ran_pushes_its_attendance_to_a_receiver() -> None:
    """Enrol through the SDK, hold the lesson, and the receiver's End lists who came."""
    from aiohttp import web

    got: list[LessonEnd] = []
    async with Sandbox() as sb:
        students = sb.add_students(4)
        course = sb.add_course(lessons=1, teacher_uid=sb.add_teachers(1)[0])
        (lesson,) = course.class_ids
        with set_testing(True):
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                await client.add_class_student_multiple(course.course_id, lesson, students[:3])
        receiver = Receiver(sid=sb.sid, secret=sb.secret, store=MemoryStore())

        @receiver.on("End")
        def attendance(event: LessonEnd) -> None:
            got.append(event)

        runner = web.AppRunner(receiver.aiohttp_app(path="/classin"))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            message = await asyncio.wait_for(
                sb.push_lesson_end(
                    f"http://127.0.0.1:{port}/classin",
                    lesson,
                    start_time=1_800_000_000,
                    end_time=1_800_002_700,
                    attended=students[:2],
                ),
                timeout=30,
            )
        finally:
            await runner.cleanup()
    (event,) = got
    assert event.id == message["_id"]
    people = {member.uid: member for member in event.attendance}
    assert set(people) == {*students[:2], course_teacher(sb, course.course_id)}
    assert all(member.seconds == 2700 for member in people.values())
    assert sb.lessons[lesson].finished


def course_teacher(sb: Sandbox, course_id: int) -> int:
    """The teacher the sandbox gave the course."""
    teacher = sb.courses[course_id].teacher_uid
    assert teacher is not None
    return teacher
