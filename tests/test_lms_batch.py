"""The Batcher's LMS verbs against the sandbox: every item once, with its true outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from lms_setup import lms_world

import eeo_async as eeo
from eeo_async._codes import LocalErrno
from eeo_async.testing import Faults, set_testing

CHAOS = Faults(
    lost_after=0.15, busy_after=0.1, error_after=0.05, drop_before=0.05, too_frequent=0.1
)


@pytest.fixture(autouse=True)
def _no_waits() -> object:
    with set_testing(True):
        yield


@pytest.mark.parametrize("reading", ["earlier", "refused"])
async def test_create_classrooms_under_faults_creates_each_once(reading: str) -> None:
    """Lost answers, 104 after acting and busy answers: one classroom per identity, all done."""
    async with lms_world(faults=CHAOS, seed=11) as w:
        w.lms.repeat_identity = reading
        unit = await w.client.lms.create_unit(w.course, "Week 1")
        rooms = [w.room(f"Lesson {n}", n, unit_id=unit.unit_id) for n in range(30)]
        batcher = eeo.Batcher(w.client, concurrency=8, max_attempts=25)
        report = await batcher.create_classrooms(w.course, [*rooms, rooms[0]])
    assert report.ok, report.summary()
    assert (report.total, report.duplicates, report.operation) == (30, 1, "create_classrooms")
    assert report.key_fields == ("unique_identity",)
    assert report.failed == report.unknown == report.already == 0  # no earlier run made any
    assert sorted(w.lms.created.values()) == [1] * 30
    made = {a.unique_identity: a.activity_id for a in w.lms.live_activities(w.course)}
    assert set(made) == set(report.items)
    for identity, item in report.items.items():
        if item.errno == 398:  # refused after an attempt of this job may have made it
            assert (reading, item.id) == ("refused", None)
        else:
            assert item.id == made[identity]
    assert w.sb.stats.faults_injected["lost_after"] > 0


async def test_a_rerun_of_the_same_timetable_creates_nothing() -> None:
    """Created before this job and refused (398): already, and nothing new in the course."""
    async with lms_world() as w:
        w.lms.repeat_identity = "refused"
        rooms = [w.room(f"L{n}", n) for n in range(4)]
        batcher = eeo.Batcher(w.client)
        first = await batcher.create_classrooms(w.course, rooms)
        again = await batcher.create_classrooms(w.course, rooms)
    assert first.succeeded == 4
    assert (again.already, again.succeeded) == (4, 0)
    assert [item.id for item in again.items.values()] == [None] * 4
    assert len(w.lms.live_activities(w.course)) == 4


async def test_create_classrooms_failures_are_failed_and_the_rest_done() -> None:
    """A teacher not of the school (136) and the course's cap (121601070) fail their items."""
    async with lms_world() as w:
        w.lms.max_classrooms = 3
        rooms = [w.room(f"L{n}", n) for n in range(4)]
        stranger = eeo.NewClassroom("X", w.students[0], w.start, w.start + 3600)
        report = await eeo.Batcher(w.client, concurrency=1).create_classrooms(
            w.course, [stranger, *rooms]
        )
    assert report.items[stranger.identity(w.course)].errno == 136
    assert (report.succeeded, report.failed) == (3, 2)
    assert report.errno_counts == {1: 3, 136: 1, 121601070: 1}


async def test_create_classrooms_report_keeps_activity_ids_in_every_form(tmp_path: Path) -> None:
    """The answer's column is named activity_id in records, CSV and JSON, and reads back."""
    async with lms_world() as w:
        rooms = [w.room(f"L{n}", n) for n in range(3)]
        report = await eeo.Batcher(w.client).create_classrooms(w.course, rooms)
    records = report.to_records()
    assert [r["activity_id"] for r in records] == [i.id for i in report.items.values()]
    assert all("uid" not in r for r in records)
    assert all(i.uid is None for i in report.items.values())
    report.to_csv(tmp_path / "r.csv")
    header = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "unique_identity,errno,error,meaning,attempts,outcome,activity_id"
    report.write_json(tmp_path / "r.json")
    for path in (tmp_path / "r.csv", tmp_path / "r.json"):
        loaded = eeo.BatchReport.load(path)
        assert loaded.answer_field == "activity_id"
        assert dict(loaded.items) == dict(report.items)


async def test_activity_members_under_item_busy_are_added_once_each() -> None:
    """250 students, 100 a call, 114 per student retried alone: each added once, all done."""
    async with lms_world(students=250, faults=Faults(item_busy=0.3), seed=5) as w:
        room = await w.client.lms.create_classroom(
            w.course, "L", w.teacher, w.start, w.start + 3600
        )
        assert room.activity_id is not None
        batcher = eeo.Batcher(w.client, max_attempts=30)
        report = await batcher.add_students_to_activity(w.course, room.activity_id, w.students)
        assert report.ok
        assert report.key_fields == ("student_uid",)
        assert w.lms.members(room.activity_id) == set(w.students)
        assert set(w.lms.adds.values()) == {1}
        assert w.sb.stats.max_items_per_call["/lms/activity/addStudent"] == 100
        assert report.retries > 0
        removed = await batcher.remove_students_from_activity(
            w.course, room.activity_id, w.students[:120]
        )
        assert removed.ok
        assert w.lms.members(room.activity_id) == set(w.students[120:])


async def test_a_student_never_answered_is_unknown_not_failed() -> None:
    """A student the answers always leave out is sent again, then unknown (it was applied)."""
    async with lms_world(students=4) as w:
        room = await w.client.lms.create_classroom(
            w.course, "L", w.teacher, w.start, w.start + 3600
        )
        assert room.activity_id is not None
        w.lms.unanswered.add(w.students[1])
        report = await eeo.Batcher(w.client, max_attempts=3).add_students_to_activity(
            w.course, room.activity_id, w.students
        )
        item = report.items[w.students[1]]
        assert (item.outcome, item.errno, item.attempts) == ("unknown", LocalErrno.NO_ANSWER, 3)
        assert report.succeeded == 3
        assert w.students[1] in w.lms.members(room.activity_id)


async def test_enroll_and_unenroll_activities_by_pairs() -> None:
    """Every student into every activity, then out; a deleted activity fails its pairs."""
    async with lms_world(students=7, faults=Faults(busy_after=0.2), seed=2) as w:
        rooms = [w.room(f"L{n}", n) for n in range(3)]
        batcher = eeo.Batcher(w.client, max_attempts=20)
        created = await batcher.create_classrooms(w.course, rooms)
        ids = [item.id or 0 for item in created.items.values()]
        await w.client.lms.delete_activity(w.course, ids[2])
        report = await batcher.enroll_activities(w.course, w.students, ids)
        assert report.key_fields == ("student_uid", "activity_id")
        assert report.total == 21
        assert report.failed == 7
        assert {report.items[(s, ids[2])].errno for s in w.students} == {29149}
        for activity in ids[:2]:
            assert w.lms.members(activity) == set(w.students)
        again = await batcher.enroll_activities_pairs(w.course, report.failed_keys)
        assert (again.operation, again.failed, again.total) == ("enroll_activities", 7, 7)
        out = await batcher.unenroll_activities(w.course, w.students[:3], ids[:2])
        assert out.ok
        assert out.action == "deleteStudent"
        assert w.lms.members(ids[0]) == set(w.students[3:])
        pairs = await batcher.unenroll_activities_pairs(w.course, [(w.students[3], ids[1])])
        assert pairs.ok
        assert w.lms.members(ids[1]) == set(w.students[4:])
        assert batcher.plan("enroll_activities", course_id=w.course, student_uids=w.students,
                            activity_ids=ids).calls == 3  # fmt: skip


async def test_create_classrooms_refuses_bad_input_before_sending() -> None:
    """Not a NewClassroom, or a bad course: nothing is sent."""
    async with lms_world() as w:
        batcher = eeo.Batcher(w.client)
        with pytest.raises(eeo.InputTypeError, match=r"classrooms\[1\] must be an eeo_async"):
            await batcher.create_classrooms(w.course, [w.room("L"), {"name": "x"}])  # type: ignore[list-item]
        with pytest.raises(eeo.InputError, match="course_id"):
            await batcher.create_classrooms(0, [w.room("L")])
        with pytest.raises(eeo.InputError, match="create_classrooms has no parameter classroom"):
            await batcher.run("create_classrooms", course_id=w.course, classroom=[w.room("L")])
        assert sum(w.sb.stats.requests.values()) == 0
