"""A job stops on an answer no item of it can escape: one line, the rest not sent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async._api.registry import ROWS
from eeo_async._codes import JOB_WIDE, NO_SUCH, Errno, Family
from eeo_async.testing import Answer, MockRequest, MockResponse, MockTransport, Sandbox, School
from eeo_async.testing import set_testing as testing_mode


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with testing_mode(True):
        yield


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox() as sandbox:
        yield sandbox


def batcher(sb: Sandbox, client: eeo.Client, **options: Any) -> eeo.Batcher:
    return eeo.Batcher(client, probe_first=True, **options)


def client_of(sb: Sandbox) -> eeo.Client:
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url)


def test_every_job_wide_code_names_a_parameter_some_row_holds() -> None:
    """Each JOB_WIDE code is about no value (901) or about a parameter rows really have."""
    params = {param.name for row in ROWS.values() for param in row.params}
    for code in JOB_WIDE:
        about = Errno(code).about
        assert about == "" or about in params, (code, about)
        # A code about a value settles an item too (a job's stop never hides an unknown).
        assert about == "" or Family.SETTLES in Errno(code).families, code
    assert Errno.MAINTENANCE.about == ""
    assert NO_SUCH <= JOB_WIDE
    assert {Errno.COURSE_NOT_FOUND, Errno.STUDENT_NOT_IN_SCHOOL} <= NO_SUCH
    assert Errno.LESSON_FULL not in JOB_WIDE  # the students added before it filled are in


async def test_a_wrong_course_stops_after_its_first_call(sb: Sandbox) -> None:
    """144 on the probe: one call, the rest not sent, the stop names the course."""
    students = sb.add_students(60)
    course = sb.add_course(lessons=4)
    async with client_of(sb) as client:
        report = await batcher(sb, client).enroll(176465, students, course.class_ids)
    assert sum(sb.stats.requests.values()) == 1
    assert report.stopped_by == "job_wide"
    assert report.stop_reason == (
        "course_id 176465: there is no such course in your institution (errno 144)"
    )
    assert (report.stop_errno, report.stop_param, report.stop_value) == (144, "course_id", 176465)
    assert report.failed == 30  # the probe's items: sent and refused
    assert report.not_sent == 240 - 30
    assert report.failed + report.not_sent == report.total
    again = eeo.BatchReport.from_json(report.to_json())
    assert (again.stop_errno, again.stop_param, again.stop_value) == (144, "course_id", 176465)
    assert (again.failed, again.not_sent) == (30, 210)


async def test_without_a_probe_the_calls_in_flight_finish_and_nothing_more_is_sent(
    sb: Sandbox,
) -> None:
    """Workers already sending finish their calls; no call leaves after the first 144."""
    students = sb.add_students(10)
    course = sb.add_course(lessons=300)
    async with client_of(sb) as client:
        report = await eeo.Batcher(client, concurrency=4).enroll(9, students, course.class_ids)
    assert report.stopped_by == "job_wide"
    assert sum(sb.stats.requests.values()) <= 4
    assert report.not_sent >= report.total - 4 * 100


async def test_the_fixed_lesson_of_a_job_stops_it_but_one_lesson_of_many_does_not(
    sb: Sandbox,
) -> None:
    """A finished lesson stops lesson-add (its one target); in an enrolment it fails alone."""
    students = sb.add_students(90)
    course = sb.add_course(lessons=3)
    sb.finish_lesson(course.class_ids[1])
    async with client_of(sb) as client:
        one = await batcher(sb, client).add_students_to_lesson(
            course.course_id, course.class_ids[1], students
        )
        many = await batcher(sb, client).enroll(course.course_id, students, course.class_ids)
    assert one.stopped_by == "job_wide"
    assert one.stop_reason == f"class_id {course.class_ids[1]}: the lesson is finished (errno 145)"
    assert (one.failed, one.not_sent) == (30, 60)
    assert many.stopped_by is None
    assert (many.succeeded, many.failed, many.not_sent) == (180, 90, 0)
    assert set(many.fix_keys.values()) == {145}


async def test_the_one_student_of_a_job_stops_it_when_the_school_lacks_it(sb: Sandbox) -> None:
    """add-lessons for a student the school does not have: 228 about the fixed student."""
    course = sb.add_course(lessons=250)
    async with client_of(sb) as client:
        report = await batcher(sb, client).add_student_to_lessons(
            course.course_id, 4242, course.class_ids
        )
    assert report.stopped_by == "job_wide"
    assert (report.stop_errno, report.stop_param, report.stop_value) == (228, "student_uid", 4242)
    assert sum(sb.stats.requests.values()) == 1


async def test_swapped_lists_stop_after_a_few_calls(sb: Sandbox) -> None:
    """Students and lessons swapped: every first answer refuses all; nothing is applied."""
    students = sb.add_students(300)
    course = sb.add_course(lessons=10)
    async with client_of(sb) as client:
        by_student = await batcher(sb, client, concurrency=2).enroll(
            course.course_id, course.class_ids, students
        )
        sb.reset_stats()
        one_lesson = await batcher(sb, client, concurrency=2).add_students_to_lesson(
            course.course_id, course.class_ids[0], [9_000_000 + n for n in range(300)]
        )
    assert by_student.stopped_by == "job_wide"
    assert by_student.stop_param == "student_uids"
    assert by_student.stop_errno == 228
    assert (by_student.stop_reason or "").startswith(
        "student_uids: every item of the first answers was refused with errno 228 (there is "
        "no such student in your institution) for 5 different values (e.g. "
    )
    assert by_student.calls < 20  # of 30: the first students' calls, then nothing
    assert by_student.not_sent > 0
    assert by_student.succeeded == 0
    assert one_lesson.stopped_by == "job_wide"
    assert (one_lesson.stop_param, one_lesson.stop_errno) == ("student_uids", 228)
    assert sum(sb.stats.requests.values()) == 1  # the probe's 30 students: all refused
    assert not sb.stats.adds


async def test_a_list_that_starts_wrong_but_is_not_is_sent_whole(sb: Sandbox) -> None:
    """Refusals mixed with successes in the first answers: the list is right; no stop."""
    students = sb.add_students(50)
    strangers = [9_000_000 + n for n in range(20)]
    course = sb.add_course(lessons=1)
    async with client_of(sb) as client:
        report = await batcher(sb, client).add_students_to_lesson(
            course.course_id, course.class_ids[0], [*strangers, *students]
        )
    assert report.stopped_by is None
    assert (report.succeeded, report.failed) == (50, 20)


async def test_maintenance_stops_any_job(sb: Sandbox) -> None:
    """901 (the quarterly maintenance) stops the job; its items are to run again."""
    students = sb.add_students(40)
    course = sb.add_course(lessons=1)

    def maintenance(school: School, fields: dict[str, Any], rng: Any) -> dict[str, Any]:
        raise Answer(901)

    sb.handle("addCourseStudentMultiple", maintenance)
    async with client_of(sb) as client:
        report = await batcher(sb, client).add_students_to_course(course.course_id, students)
    assert report.stopped_by == "maintenance"
    assert report.stop_errno == 901
    assert "maintenance" in (report.stop_reason or "")
    assert sum(sb.stats.requests.values()) == 1
    assert len(report.rerun_keys) == report.total
    assert report.fix_keys == {}


@pytest.mark.parametrize("status", [404, 405])
async def test_an_http_status_no_call_escapes_stops_the_job(status: int) -> None:
    """A proxy that answers 404 (or 405) to everything: one call, a line about the base URL."""

    def proxy(request: MockRequest) -> MockResponse:
        return MockResponse(status=status, body=b"<html>Not Found</html>")

    transport = MockTransport(proxy)
    async with eeo.Client(1, "secret", transport=transport) as client:
        report = await eeo.Batcher(client, concurrency=1).add_students_to_course(5, range(1, 200))
    assert len(transport.requests) == 1
    assert report.stopped_by == "job_wide"
    assert f"answered HTTP {status}" in (report.stop_reason or "")
    assert "check the base URL" in (report.stop_reason or "")
    assert report.not_sent == 199 - 30
