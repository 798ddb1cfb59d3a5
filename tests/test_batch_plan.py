"""Batcher.plan and Batcher.run by a verb's name do what the verb does: one preparation."""

from __future__ import annotations

import time
from typing import Any

import pytest
from courses_fake import FakeCreations
from lms_setup import lms_world

import eeo_async as eeo
from eeo_async.testing import MockTransport, Sandbox, set_testing

SOON = int(time.time()) + 2 * 86400


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


def same(planned: eeo.Plan, report: eeo.BatchReport[Any]) -> None:
    """What the plan says is what the job did (no retries: each call sent once)."""
    assert (planned.items, planned.duplicates, planned.calls, planned.action) == (
        report.total,
        report.duplicates,
        report.calls,
        report.action,
    )


def lessons(count: int, **kwargs: Any) -> list[eeo.NewLesson]:
    return [
        eeo.NewLesson(f"Week {n}", SOON + n * 86400, SOON + n * 86400 + 3600, 9001, **kwargs)
        for n in range(count)
    ]


async def test_add_teachers_by_name_plans_and_runs_as_the_verb() -> None:
    """add_teachers (a bulk row outside the registry) is planned and run by its name."""
    async with Sandbox() as sb:
        members = []
        for i in range(4):
            sb.register_directly(f"1580000{i:04d}", "123456")
            members.append(eeo.SchoolMember(f"1580000{i:04d}", f"老师{i}"))
        async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
            batcher = eeo.Batcher(client)
            planned = batcher.plan("add_teachers", teachers=[*members, members[0]])
            report = await batcher.add_teachers([*members, members[0]])
            by_name = await batcher.run("add_school_students", students=members[:2])
            assert batcher.plan("add_school_students", students=members).items == 4
    same(planned, report)
    assert (planned.calls, planned.duplicates) == (4, 1)
    assert (by_name.operation, by_name.action, by_name.succeeded) == (
        "add_school_students",
        "addSchoolStudent",
        2,
    )


async def test_create_lessons_by_name_derives_identities_and_chooses_the_row() -> None:
    """plan and run("create_lessons") bind the course and pick the row as the verb does."""
    fake = FakeCreations()
    client = eeo.Client(1, "secret-of-a-school", transport=MockTransport(fake.handler))
    batcher = eeo.Batcher(client)
    term = lessons(35)
    planned = batcher.plan("create_lessons", course_id="7", lessons=[*term, term[0]])
    report = await batcher.create_lessons(7, [*term, term[0]])
    same(planned, report)
    again = await batcher.run("create_lessons", course_id=7, lessons=term)
    assert list(again.items) == list(report.items) == [x.for_course(7).key for x in term]
    assert again.already == 35  # the same identities: nothing made twice
    assert len(fake.creations) == 35
    # Without identities the row is the one never re-sent after a lost answer.
    lost = FakeCreations(lose=1)
    unsafe = eeo.Batcher(
        eeo.Client(1, "secret-of-a-school", transport=MockTransport(lost.handler)), concurrency=1
    )
    blind = lessons(3, unique_identity=False)
    assert unsafe.plan("create_lessons", course_id=7, lessons=blind).items == 3
    unsure = await unsafe.run("create_lessons", course_id=7, lessons=blind)
    assert (unsure.unknown, len(lost.creations)) == (3, 3)


async def test_create_classrooms_by_name_derives_identities_as_the_verb() -> None:
    """plan and run("create_classrooms") derive each identity in the course, once."""
    async with lms_world() as w:
        w.lms.repeat_identity = "refused"
        rooms = [w.room(f"L{n}", n) for n in range(3)]
        batcher = eeo.Batcher(w.client)
        planned = batcher.plan("create_classrooms", course_id=w.course, classrooms=rooms)
        report = await batcher.run("create_classrooms", course_id=w.course, classrooms=rooms)
        again = await batcher.create_classrooms(w.course, rooms)
        with pytest.raises(eeo.InputTypeError, match=r"classrooms\[1\] must be an eeo_async"):
            batcher.plan("create_classrooms", course_id=w.course, classrooms=[rooms[0], "x"])
    same(planned, report)
    assert report.succeeded == 3
    assert list(again.items) == list(report.items)
    assert again.already == 3
    assert len(w.lms.live_activities(w.course)) == 3


@pytest.mark.parametrize(
    ("name", "arguments", "error"),
    [
        ("enroll", {"course_id": 1, "student_uids": [2], "class_id": [3]}, "no parameter class_id"),
        ("enroll", {"course_id": 1, "student_uids": [2]}, "enroll needs class_ids"),
        (
            "enroll_pairs",
            {"course_id": 1, "pairs": [(2, 3)], "identity": 2},
            "enroll_pairs has no parameter identity",
        ),
        ("unenroll_activities_pairs", {"pairs": [(2, 3)]}, "needs course_id"),
        ("create_lessons", {"course_id": 1}, "create_lessons needs lessons"),
    ],
)
async def test_a_verbs_arguments_are_checked_by_name(
    name: str, arguments: dict[str, Any], error: str
) -> None:
    """An argument a verb does not take, or one it lacks, is named; nothing is sent."""
    transport = MockTransport(lambda request: {"error_info": {"errno": 1, "error": "ok"}})
    async with eeo.Client(1, "secret-of-a-school", transport=transport) as client:
        batcher = eeo.Batcher(client)
        with pytest.raises(eeo.InputError, match=error):
            batcher.plan(name, **arguments)
        with pytest.raises(eeo.InputError, match=error):
            await batcher.run(name, **arguments)
    assert transport.requests == []
