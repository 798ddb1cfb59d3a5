"""A school's integration as ClassIn's docs recommend it: ``make types`` checks it (mypy --strict).

register (v1) -> add the course (v1) -> create a unit (v2) -> create the term's classrooms
in bulk (v2) -> enrol students into them (v2) -> remove some. Never run by the tests (it
would need a server); type-checked so that the README's LMS example keeps working.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import eeo_async as eeo

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def term(sid: int, secret: str, telephones: list[str], teacher_uid: int) -> dict[str, int]:
    """Set up a term; return each classroom's activity ID by its unique identity."""
    async with eeo.Client(sid, secret) as client:
        batcher = eeo.Batcher(client, concurrency=16)
        users = [
            eeo.NewUser(telephone=t, md5_password="0" * 32, add_to_school="student")
            for t in telephones
        ]
        registered = await batcher.register(users)
        uids = [item.uid for item in registered.items.values() if item.uid is not None]

        # addCourse is v1; any action without a typed method goes through call().
        made = await client.call("addCourse", {"courseName": "Physics 7A"})
        made.raise_for_errno()
        course_id = int(made.data)

        unit: eeo.Unit = await client.lms.create_unit(course_id, "Term 1")
        if unit.unit_id is None:  # 29208: a unit of that name exists; its ID is ours to keep
            raise SystemExit("unit 'Term 1' exists already: use its stored ID")

        first = dt.datetime(2030, 9, 1, 9, 0, tzinfo=SHANGHAI)
        rooms = [
            eeo.NewClassroom(
                f"Lesson {week + 1}",
                teacher_uid,
                first + dt.timedelta(weeks=week),
                first + dt.timedelta(weeks=week, hours=1),
                unit_id=unit.unit_id,
                record_type=0,
                record_state=True,
                live_state=True,
                open_state=False,
            )
            for week in range(16)
        ]
        created = await batcher.create_classrooms(course_id, rooms)
        activity_ids: dict[str, int] = {
            identity: item.id for identity, item in created.items.items() if item.id is not None
        }
        if not created.ok:
            print(created.summary())

        enrolled = await batcher.enroll_activities(course_id, uids, list(activity_ids.values()))
        if not enrolled.ok:
            keys: list[tuple[int, int]] = enrolled.failed_keys
            again = await batcher.enroll_activities_pairs(course_id, keys)
            again.raise_for_failures()

        first_room = next(iter(activity_ids.values()))
        removed = await batcher.remove_students_from_activity(course_id, first_room, uids[:2])
        outcome: eeo.Outcome = removed.items[uids[0]].outcome
        assert outcome in ("succeeded", "already", "failed", "unknown")

        one: eeo.Activity = await client.lms.create_classroom(
            course_id,
            "Extra lesson",
            teacher_uid,
            first + dt.timedelta(days=2),
            first + dt.timedelta(days=2, hours=1),
            unit_id=unit.unit_id,
        )
        live: eeo.LiveInfo | None = one.live_info
        assert live is None or isinstance(live.hls, str | None)
        statuses: list[eeo.ItemStatus] = await client.lms.add_student(
            course_id, one.activity_id or 0, uids[:3]
        )
        assert all(isinstance(s.ok, bool) for s in statuses)
        envelope: eeo.Envelope = await client.call_v2(
            "/lms/activity/release", {"courseId": course_id, "activityIds": [1]}
        )
        assert isinstance(envelope.ok, bool)
        subs: list[eeo.DoubleTeacherLesson] = await client.double_teacher.add_class(
            course_id, one.class_id or 0, [eeo.NewSubClass(course_id + 1, "Sub lesson")]
        )
        assert all(isinstance(s.class_id, int | None) for s in subs)
        return activity_ids
