"""The sandbox answers each documented errno in its situation, and injects faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sandbox_raw import Raw

import eeo_async as eeo
from eeo_async.testing import Faults, Sandbox

ADD = "addCourseClassStudent"
DEL = "delClassStudentMultiple"
GROUP = "addCourseGroup"


@pytest.fixture
async def raw(eeo_sandbox: Sandbox) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(eeo_sandbox, session)


async def test_signature_checks(raw: Raw) -> None:
    """A wrong key, SID or stale timestamp is answered 102 and changes nothing."""
    sb = raw.sb
    students = sb.add_students(1)
    course = sb.add_course(lessons=1)
    fields = {
        "courseId": str(course.course_id),
        "studentUid": str(students[0]),
        "classJson": list(course.class_ids),
    }
    good = raw.signed(**fields)
    for bad in (
        {**good, "safeKey": "0" * 32},
        {**good, "SID": "7"},
        {**good, "timeStamp": str(int(good["timeStamp"]) - 1300)},
    ):
        assert (await raw.post(ADD, bad))["error_info"]["errno"] == 102
    assert sb.stats.bad_signatures == 3
    assert sb.lesson_members(course.class_ids[0]) == frozenset()
    assert (await raw.post(ADD, good))["error_info"]["errno"] == 1


async def test_add_errnos(raw: Raw) -> None:
    """Adding answers 144/149/153/228/886/129/332 for a call, 142/212/145/157/166 per lesson."""
    sb = raw.sb
    student, other, gone = sb.add_students(3)
    teacher, co_teacher = sb.add_teachers(2)
    course = sb.add_course(lessons=6, teacher_uid=teacher, co_teacher_uids=[co_teacher])
    foreign = sb.add_course(lessons=1).class_ids[0]
    c = course.class_ids
    sb.delete_lesson(c[1])
    sb.finish_lesson(c[2])
    sb.set_seat_limit(c[3], 1)
    sb.enroll_directly(c[3], [other])
    sb.enroll_directly(c[4], [student])
    sb.delete_student_account(gone)

    async def add(
        uid: int, classes: list[int], course_id: int = course.course_id
    ) -> tuple[int, Any]:
        return await raw.call(ADD, courseId=str(course_id), studentUid=str(uid), classJson=classes)

    assert await add(student, [c[0], c[1], c[2], c[3], c[4], foreign]) == (
        1,
        [1, 212, 145, 157, 166, 142],
    )
    assert await add(student, [c[0]], 999) == (144, None)
    assert await add(999, [c[0]]) == (228, None)
    assert await add(gone, [c[0]]) == (886, None)
    assert await add(teacher, [c[0]]) == (129, None)
    assert await add(co_teacher, [c[0]]) == (332, None)
    assert await add(student, list(range(1, 102))) == (400, None)
    assert await raw.call(ADD, courseId="x", studentUid="1", classJson=[1]) == (100, None)
    expired = sb.add_course(lessons=1)
    sb.expire_course(expired.course_id)
    assert await add(student, list(expired.class_ids), expired.course_id) == (153, None)
    sb.delete_course(expired.course_id)
    assert await add(student, list(expired.class_ids), expired.course_id) == (149, None)
    assert sb.lesson_members(c[0]) == {student}


async def test_remove_errnos(raw: Raw) -> None:
    """Removing answers 159, 155, 143, 142, 212, 145 for the call and 167 per student."""
    sb = raw.sb
    a, b = sb.add_students(2)
    course = sb.add_course(lessons=3)
    other = sb.add_course(lessons=1).class_ids[0]
    c = course.class_ids
    sb.enroll_directly(c[0], [a])

    async def remove(class_id: int, uids: list[Any], identity: str = "1") -> tuple[int, Any]:
        return await raw.call(
            DEL,
            courseId=str(course.course_id),
            classId=str(class_id),
            identity=identity,
            studentUidJson=uids,
        )

    assert await remove(c[0], [str(a), str(b)]) == (1, [1, 167])
    assert sb.lesson_members(c[0]) == frozenset()
    assert await remove(c[0], [a], identity="2") == (159, None)
    assert await remove(c[0], []) == (155, None)
    assert await remove(424242, [a]) == (143, None)
    assert await remove(other, [a]) == (142, None)
    sb.delete_lesson(c[1])
    assert await remove(c[1], [a]) == (212, None)
    sb.finish_lesson(c[2])
    assert await remove(c[2], [a]) == (145, None)


async def test_group_errnos(raw: Raw) -> None:
    """Group creation answers 892, 895, 896, 897 and creates with 898 when some UIDs are wrong."""
    sb = raw.sb
    a, b, outsider = sb.add_students(3)
    course = sb.add_course(lessons=1)
    sb.enroll_directly(course.class_ids[0], [a, b])

    async def group(groups: list[Any], course_id: int = course.course_id) -> tuple[int, Any]:
        return await raw.call(GROUP, courseId=str(course_id), groupName="Teams", groupList=groups)

    def m(uid: int, leader: int = 0) -> dict[str, int]:
        return {"studentUid": uid, "isLeader": leader}

    assert (await group([[m(a), m(b)]]))[0] == 895
    assert (await group([[m(999, 1), m(a)]]))[0] == 895
    assert (await group([[m(outsider, 1)]]))[0] == 897
    other = sb.add_course(lessons=1)
    assert (await group([[m(a, 1), m(777)]], other.course_id))[0] == 897
    errno, group_id = await group([[m(a, 1), m(777)], [m(b, 1)]])
    assert errno == 898
    plan = sb.course_group(course.course_id)
    assert plan is not None
    assert plan.group_id == group_id
    assert [[x.student_uid for x in g] for g in plan.groups] == [[a], [b]]
    assert (await group([[m(a, 1)]]))[0] == 892


async def test_group_896_and_name_cut(raw: Raw) -> None:
    """No UID of the school is 896; a long name is stored cut to 20 characters."""
    sb = raw.sb
    (a,) = sb.add_students(1)
    course = sb.add_course(lessons=1)
    sb.enroll_directly(course.class_ids[0], [a])

    async def group(name: str, *uids: int) -> int:
        plan = [[{"studentUid": u, "isLeader": int(i == 0)} for i, u in enumerate(uids)]]
        errno, _ = await raw.call(
            GROUP, courseId=str(course.course_id), groupName=name, groupList=plan
        )
        return errno

    assert await group("x", 8, 9) == 896
    assert await group("x", 9, a) == 895  # the leader is not a student of the school
    assert await group("y" * 30, a) == 1
    plan = sb.course_group(course.course_id)
    assert plan is not None
    assert plan.name == "y" * 20


async def test_identical_requests_in_flight_are_counted_not_answered_131(raw: Raw) -> None:
    """An identical request in flight is counted; 131 is not documented for this action."""
    sb = raw.sb
    (a,) = sb.add_students(1)
    course = sb.add_course(lessons=1)
    sb.faults.latency = 0.2
    fields = {
        "courseId": str(course.course_id),
        "studentUid": str(a),
        "classJson": list(course.class_ids),
    }
    form = raw.signed(**fields)
    first = asyncio.create_task(raw.post(ADD, form))
    for _ in range(1000):
        if sb.stats.in_flight:
            break
        await asyncio.sleep(0)
    sb.faults.latency = 0
    second = await raw.post(ADD, form)
    assert second["error_info"]["errno"] == 1
    assert sb.stats.duplicates_in_flight == 1
    assert (await first)["error_info"]["errno"] == 1
    # Whichever was applied first, the lesson holds the student once.
    assert sb.lesson_members(course.class_ids[0]) == {a}


@pytest.mark.parametrize(
    ("kind", "error", "applied"),
    [
        ("call_busy", eeo.ServerBusyError, False),
        ("http_error", eeo.HTTPStatusError, False),
        ("non_json", eeo.ProtocolError, False),
        ("drop_before", eeo.TransportError, False),
        ("lost_after", eeo.TransportError, True),
        ("rate_limited", eeo.HTTPStatusError, False),
    ],
)
async def test_faults(kind: str, error: type[Exception], applied: bool) -> None:
    """Each fault shows the client its failure, and only lost_after changes the state."""
    async with Sandbox(faults=Faults(**{kind: 1.0})) as sb:
        (a,) = sb.add_students(1)
        course = sb.add_course(lessons=1)
        async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, max_attempts=1) as client:
            with pytest.raises(error):
                await client.add_course_class_student(course.course_id, a, course.class_ids)
        assert (a in sb.lesson_members(course.class_ids[0])) is applied
        assert sb.stats.faults_injected[kind] == 1


async def test_item_busy_and_determinism() -> None:
    """Per-item 114 leaves the item unapplied, and the same seed gives the same answers."""

    async def outcomes(seed: int) -> list[int]:
        async with Sandbox(seed=seed, faults=Faults(item_busy=0.5)) as sb:
            (a,) = sb.add_students(1)
            course = sb.add_course(lessons=40)
            async with eeo.Client(
                sb.sid, sb.secret, base_url=sb.base_url, max_attempts=1
            ) as client:
                statuses = await client.add_course_class_student(
                    course.course_id, a, course.class_ids
                )
            for lesson, status in zip(course.class_ids, statuses, strict=True):
                assert (a in sb.lesson_members(lesson)) == (status.errno == 1)
            return [s.errno for s in statuses]

    first = await outcomes(3)
    assert set(first) == {1, 114}
    assert await outcomes(3) == first
    assert await outcomes(4) != first


async def test_stats_count_concurrency_and_sizes(eeo_sandbox: Sandbox) -> None:
    """max_in_flight and max_items_per_call reflect what the client did."""
    sb = eeo_sandbox
    sb.faults.latency = 0.05
    students = sb.add_students(6)
    course = sb.add_course(lessons=30)
    async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
        await asyncio.gather(
            *(
                client.add_course_class_student(course.course_id, s, course.class_ids)
                for s in students
            )
        )
    assert sb.stats.max_in_flight == 6
    assert sb.stats.max_items_per_call == {ADD: 30}
    assert sb.stats.requests[ADD] == 6
    assert "sandbox-secret" not in repr(sb)
