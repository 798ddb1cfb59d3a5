"""Lessons end to end against the sandbox: creation safe to retry, both readings, edits."""

from __future__ import annotations

import time
from typing import Any

import attrs
import pytest
from aiohttp import web

import eeo_async as eeo
from eeo_async._api.new_lessons import ADD_COURSE_CLASS_MULTIPLE
from eeo_async.testing import Faults, Sandbox, SchoolSettings, set_testing
from eeo_async.testing import _courses as courses_area
from eeo_async.testing import _lessons as lessons_area

HOUR = 3600


def soon(days: float = 2) -> int:
    return int(time.time() + days * 86400)


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


def term(teacher: int, count: int, start: int | None = None) -> list[eeo.NewLesson]:
    first = soon() if start is None else start
    return [
        eeo.NewLesson(f"第{n + 1}课", first + n * 86400, first + n * 86400 + HOUR, teacher)
        for n in range(count)
    ]


def lose_first_answer(handler: Any) -> Any:
    """The route's handler, whose first answer is lost after the change is applied."""
    calls = []

    def handle(school: Any, fields: dict[str, Any], rng: Any) -> dict[str, Any]:
        doc: dict[str, Any] = handler(school, fields, rng)
        calls.append(doc)
        if len(calls) == 1:
            raise web.HTTPBadGateway(text="<html>upstream timed out</html>")
        return doc

    return handle


@pytest.mark.parametrize("reading", ["earlier_id", "refuse"])
async def test_a_lost_answer_never_makes_a_second_course_or_lesson(reading: str) -> None:
    """Each creation's first answer is lost after it was made: retried, made once."""
    async with Sandbox() as sb:
        sb.timetable.identity_repeat = reading
        for name, handler in (
            ("addCourse", courses_area.add_course),
            ("addCourseClass", lessons_area.add_course_class),
            ("addCourseClassMultiple", lessons_area.add_course_class_multiple),
        ):
            sb.handle(name, lose_first_answer(handler))
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course()
        async with client_for(sb) as client:
            made = await client.add_course(course_name="物理", main_teacher_uid=teacher)
            one = await client.add_course_class(
                course.course_id, "单课", soon(), soon() + HOUR, teacher
            )
            many = await client.add_course_class_multiple(course.course_id, term(teacher, 20))
    assert dict(sb.stats.requests) == {
        "addCourse": 2,
        "addCourseClass": 2,
        "addCourseClassMultiple": 2,
    }
    assert len(sb.timetable.course_identities) == 1
    assert len(sb.timetable.lessons) == 21
    assert max(sb.timetable.lesson_creations().values()) == 1
    assert all(r.ok and r.errno == 398 for r in [made, one, *many])
    if reading == "earlier_id":
        assert made.course_id in sb.timetable.courses
        assert {one.class_id, *(r.class_id for r in many)} == set(sb.timetable.lessons)
    else:
        assert {made.course_id, one.class_id, *(r.class_id for r in many)} == {None}


async def test_random_lost_and_busy_answers_never_make_duplicates() -> None:
    """Under lost answers and 114-after-acting at random, every lesson is made once."""
    async with Sandbox(faults=Faults(lost_after=0.4, busy_acted=0.2), seed=7) as sb:
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course()
        async with client_for(sb) as client:
            batcher = eeo.Batcher(client, max_attempts=30, concurrency=4)
            report = await batcher.create_lessons(course.course_id, term(teacher, 200))
    assert report.ok
    assert report.already == 0
    assert len(sb.timetable.lessons) == 200
    assert max(sb.timetable.lesson_creations().values()) == 1


@pytest.mark.parametrize("reading", ["earlier_id", "refuse"])
async def test_create_lessons_twice_creates_once_and_reports_already(reading: str) -> None:
    """A second run of the same timetable creates nothing: each lesson already."""
    async with Sandbox() as sb:
        sb.timetable.identity_repeat = reading
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course()
        async with client_for(sb) as client:
            batcher = eeo.Batcher(client)
            lessons = term(teacher, 75)
            first = await batcher.create_lessons(course.course_id, lessons)
            second = await batcher.create_lessons(course.course_id, lessons)
    assert (first.succeeded, first.calls) == (75, 3)
    assert sb.stats.max_items_per_call["addCourseClassMultiple"] == 30
    assert (second.already, second.failed, second.unknown) == (75, 0, 0)
    assert len(sb.timetable.lessons) == 75
    ids = {key: item.id for key, item in first.items.items()}
    assert set(ids.values()) == set(sb.timetable.lessons)
    again = {key: item.id for key, item in second.items.items()}
    assert again == (ids if reading == "earlier_id" else dict.fromkeys(ids))


async def test_a_lesson_deleted_through_the_api_frees_its_identity() -> None:
    """Deleted by delCourseClass: made again; deleted outside the API: 398 without an ID."""
    async with Sandbox() as sb:
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course()
        cid = course.course_id
        async with client_for(sb) as client:
            first = await client.add_course_class(cid, "A", soon(), soon() + HOUR, teacher)
            assert first.class_id is not None
            assert (await client.del_course_class(cid, first.class_id)).errno == 1
            assert (await client.del_course_class(cid, first.class_id)).already
            second = await client.add_course_class(cid, "A", soon(), soon() + HOUR, teacher)
            assert second.class_id is not None
            sb.delete_lesson(second.class_id)  # as eeo.cn would: the identity stays taken
            third = await client.add_course_class(cid, "A", soon(), soon() + HOUR, teacher)
    assert (second.already, second.class_id != first.class_id) == (False, True)
    assert (third.ok, third.already, third.class_id) == (True, True, None)


async def test_lesson_refusals_and_side_answers_from_the_sandbox() -> None:
    """The server's own refusals come back per lesson; a lesson past the cap is refused."""
    async with Sandbox() as sb:
        (teacher, student) = sb.add_teachers(2)
        course = sb.add_course()
        sb.add_course_members(course.course_id, [student])  # a teacher enrolled as a student
        sb.timetable.max_lessons_per_course = 2
        lessons = [*term(teacher, 2), *term(student, 1, start=soon(9)), *term(teacher, 1, soon(12))]
        async with client_for(sb) as client:
            results = await client.add_course_class_multiple(course.course_id, lessons)
            with pytest.raises(eeo.NotFoundError, match="136"):
                await client.add_course_class(course.course_id, "X", soon(), soon() + HOUR, 42)
    assert [r.errno for r in results] == [1, 1, 172, 121601070]
    assert results[2].error == "课程下的学生不能添加为老师"


async def test_edit_seats_and_labels_of_lessons() -> None:
    """A lesson is edited (283 within 20 minutes), re-seated, labelled and deleted after it ends."""
    now = int(time.time())
    async with Sandbox() as sb:
        (teacher, other) = sb.add_teachers(2)
        course = sb.add_course()
        cid = course.course_id
        labels = sb.state(SchoolSettings).add_labels(3)
        async with client_for(sb) as client:
            far = await client.add_course_class(cid, "远", soon(), soon() + HOUR, teacher)
            near = await client.add_course_class(cid, "近", now + 600, now + 600 + HOUR, teacher)
            assert far.class_id
            assert near.class_id
            edited = await client.edit_course_class(
                cid, far.class_id, class_name="新名字", teacher_uid=other, record=True, live=True,
                replay=False,
            )  # fmt: skip
            late = await client.edit_course_class(
                cid, near.class_id, record=True, live=False, replay=False
            )
            with pytest.raises(eeo.ApiError, match="350"):
                await client.edit_course_class(cid, near.class_id, class_name="太晚")
            seated = await client.modify_class_seat_num(cid, far.class_id, seat_num=1, is_dc=3)
            with pytest.raises(eeo.ApiError, match="348"):
                await client.modify_class_seat_num(cid, near.class_id, seat_num=2)
            labelled = await client.add_class_labels(cid, {far.class_id: labels, 999: []})
            sb.finish_lesson(near.class_id)
            ended = await client.del_end_course_class(cid, near.class_id)
    record = sb.timetable.lessons[far.class_id]
    assert (edited.ok, edited.class_id, edited.live_url is not None) == (True, far.class_id, True)
    assert (record.name, record.teacher_uid, record.settings["seatNum"]) == ("新名字", other, 1)
    assert (late.ok, late.side, late.errno) == (True, True, 283)
    assert seated.ok
    assert [s.errno for s in labelled] == [1, 143]
    assert record.labels == tuple(labels)
    assert ended.ok
    assert sb.lessons[near.class_id].deleted


async def test_more_than_50_lessons_in_one_call_fail_as_truncated() -> None:
    """Sent by hand past the docs' 50, the answer is cut: never read as done."""
    async with Sandbox() as sb:
        (teacher,) = sb.add_teachers(1)
        course = sb.add_course()
        lessons = [x.for_course(course.course_id) for x in term(teacher, 51)]
        row = attrs.evolve(ADD_COURSE_CLASS_MULTIPLE, max_items=60)
        async with client_for(sb) as client:
            with pytest.raises(eeo.DataMismatchError, match="51 entries"):
                await client.request(row, course_id=course.course_id, lessons=lessons)
    assert len(sb.timetable.lessons) == 50
