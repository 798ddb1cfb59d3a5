"""A school's term setup as the README shows it: ``make types`` checks it with mypy --strict.

Creates a course, schedules its lessons, adds teachers and labels, and returns the class
IDs; never run by the tests (it would need a server), only type-checked.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import eeo_async as eeo

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def set_up_term(sid: int, secret: str, teacher: int, assistant: int) -> dict[str, int]:
    """Create a course and a term of weekly lessons; give back each lesson's class ID."""
    async with eeo.Client(sid, secret) as client:
        course: eeo.CourseResult = await client.add_course(
            "Physics 7A", main_teacher_uid=teacher, unique_identity="physics-7a-2026"
        )
        if course.course_id is None:  # 398 without the ID: the course exists already
            message = "find the course made before in eeo.cn"
            raise RuntimeError(message)
        first = dt.datetime(2026, 9, 7, 8, 0, tzinfo=SHANGHAI)
        lessons = [
            eeo.NewLesson(
                f"Week {n + 1}",
                first + dt.timedelta(weeks=n),
                first + dt.timedelta(weeks=n, minutes=45),
                teacher,
                assistant_uids=[assistant],
                record=True,
                replay=True,
            )
            for n in range(18)
        ]
        batcher = eeo.Batcher(client, concurrency=4)
        report = await batcher.create_lessons(course.course_id, lessons)
        report.raise_for_failures()
        class_ids = {key: item.id for key, item in report.items.items() if item.id is not None}
        one: eeo.LessonResult = await client.add_course_class(
            course.course_id, "Revision", first + dt.timedelta(weeks=19),
            first + dt.timedelta(weeks=19, hours=1), teacher,
        )  # fmt: skip
        if one.class_id is not None:
            class_ids["revision"] = one.class_id
        teachers: list[eeo.ItemStatus] = await client.add_course_teacher(
            course.course_id, [assistant]
        )
        assert all(status.ok for status in teachers)
        labels = await batcher.set_lesson_labels(
            course.course_id, {i: [7] for i in class_ids.values()}
        )
        outcome: eeo.Outcome = labels.items[one.class_id or 0].outcome
        assert outcome in ("succeeded", "already", "failed", "unknown")
        ended: eeo.ActionResult = await client.end_course(course.course_id)
        assert ended.ok or ended.already
        return class_ids
