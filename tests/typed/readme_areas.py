"""The README's area snippets (LMS, school members, courses), verbatim; ``make types`` checks them."""

from __future__ import annotations

import datetime

import eeo_async as eeo


async def lms(
    course_id: int,
    teacher_uid: int,
    start: datetime.datetime,
    end: datetime.datetime,
    student_uids: list[int],
    classrooms: list[eeo.NewClassroom],
) -> None:
    """The LMS snippet."""
    async with eeo.Client(sid=1234567, secret="...") as client:
        unit = await client.lms.create_unit(course_id, "Week 1")                  # .unit_id
        room = await client.lms.create_classroom(course_id, "Lesson 1", teacher_uid, start, end,
                                                 unit_id=unit.unit_id, record_type=0,
                                                 record_state=True, live_state=True, open_state=True)
        room.activity_id, room.class_id, room.live_url, room.live_info   # LiveInfo(rtmp, hls, flv)
        assert room.activity_id is not None   # None only for a repeat whose answer had no ID
        statuses = await client.lms.add_student(course_id, room.activity_id, [1001, 1002])
        envelope = await client.call_v2("/any/v2/path", {"courseId": course_id})  # no typed method
        batcher = eeo.Batcher(client, concurrency=16)
        created = await batcher.create_classrooms(course_id, classrooms)  # eeo.NewClassroom values
        ids = [item.id for item in created.items.values() if item.id is not None]  # activity IDs
        await batcher.enroll_activities(course_id, student_uids, ids)     # (student_uid, activity_id)
        await batcher.remove_students_from_activity(course_id, ids[0], student_uids[:5])


async def members(
    client: eeo.Client,
    members: list[eeo.SchoolMember],
    class_id: int,
    comments: list[eeo.StudentComment],
    settings: list[eeo.ClassVideoSetting],
    course_id: int,
) -> None:
    """The school members snippet."""
    batcher = eeo.Batcher(client, concurrency=8)
    teachers = await batcher.add_teachers([eeo.SchoolMember("15800000001", "王老师")])        # keyed by account
    students = await batcher.add_school_students(members)                                   # keyed by account
    commented = await batcher.update_student_comments(class_id, comments)                   # keyed by student_uid
    videos = await batcher.set_class_videos(course_id, settings)                            # keyed by class_id


async def courses(
    client: eeo.Client, batcher: eeo.Batcher, teacher: int, assistant: int, label: int
) -> None:
    """The courses and lessons snippet."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    course = await client.add_course("Physics 7A", main_teacher_uid=teacher)     # .course_id
    assert course.course_id is not None    # None only for a repeat (398) whose answer had no ID
    start = dt.datetime(2026, 9, 7, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    lessons = [eeo.NewLesson(f"Week {n + 1}", start + dt.timedelta(weeks=n),
                             start + dt.timedelta(weeks=n, minutes=45), teacher,
                             assistant_uids=[assistant], record=True, replay=True)
               for n in range(18)]
    report = await batcher.create_lessons(course.course_id, lessons)   # 30 a call
    class_ids = {key: item.id for key, item in report.items.items() if item.id is not None}
    await client.add_course_teacher(course.course_id, [assistant])     # v2, matched by teacherUid
    await batcher.set_lesson_labels(course.course_id, {c: [label] for c in class_ids.values()})
