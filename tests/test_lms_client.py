"""``client.lms`` and ``client.double_teacher`` end to end against the sandbox."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import pytest
from lms_setup import HOUR, World, lms_world

import eeo_async as eeo
from eeo_async._codes import LocalErrno
from eeo_async.testing import DoubleTeacherState, Faults, Sandbox


def lose_first_answer(sb: Sandbox) -> Callable[[float], Awaitable[None]]:
    """Turn ``lost_after`` on; the client's first backoff wait turns it off again."""
    sb.faults.lost_after = 1.0

    async def sleep(seconds: float) -> None:
        sb.faults.lost_after = 0.0

    return sleep


async def test_units_are_created_renamed_published_and_deleted() -> None:
    """A unit's life: a repeated name is already, a taken name 50003, deleting twice already."""
    async with lms_world() as w:
        lms = w.client.lms
        week1 = await lms.create_unit(w.course, "Week 1", publish_flag=0, content="Intro")
        assert week1.unit_id is not None
        assert (week1.name, week1.already, week1.ok) == ("Week 1", False, True)
        again = await lms.create_unit(w.course, "Week 1")
        assert (again.already, again.unit_id, again.errno) == (True, None, 29208)
        week2 = await lms.create_unit(w.course, "Week 2")
        with pytest.raises(eeo.ApiError) as taken:
            await lms.update_unit(w.course, week1.unit_id, name="Week 2")
        assert taken.value.errno == 50003
        renamed = await lms.update_unit(w.course, week1.unit_id, name="Week 1", publish_flag=2)
        assert renamed.unit_id == week1.unit_id
        assert w.lms.units[week1.unit_id].published
        with pytest.raises(eeo.ApiError) as back:
            await lms.update_unit(w.course, week1.unit_id, publish_flag=0)
        assert back.value.errno == 40004
        gone = await lms.delete_unit(w.course, week1.unit_id)
        assert (gone.already, gone.unit_id) == (False, week1.unit_id)
        twice = await lms.delete_unit(w.course, week1.unit_id)
        assert (twice.already, twice.errno) == (True, 40020)
        with pytest.raises(eeo.NotFoundError):
            await lms.update_unit(w.course, week1.unit_id, content="x")
        with pytest.raises(eeo.NotFoundError) as course:
            await lms.create_unit(w.course + 999, "Week 1")
        assert course.value.errno == 147
        assert week2.unit_id in w.lms.units


async def test_a_unit_whose_answer_was_lost_is_reported_existing() -> None:
    """createUnit applied but unanswered: the retry answers 29208 and the unit exists, once."""
    async with lms_world() as w:
        sleep = lose_first_answer(w.sb)
        async with eeo.Client(w.sb.sid, w.sb.secret, base_url=w.sb.base_url, sleep=sleep) as c:
            unit = await c.lms.create_unit(w.course, "Week 1")
        assert (unit.ok, unit.already, unit.attempts) == (True, True, 2)
        assert [u.name for u in w.lms.live_units(w.course)] == ["Week 1"]


@pytest.mark.parametrize("reading", ["earlier", "refused"])
async def test_a_lost_answer_on_create_classroom_creates_one_classroom(reading: str) -> None:
    """The identity goes with the retry: one classroom, reported done under either reading."""
    async with lms_world() as w:
        w.lms.repeat_identity = reading
        unit = await w.client.lms.create_unit(w.course, "Week 1")
        sleep = lose_first_answer(w.sb)
        async with eeo.Client(w.sb.sid, w.sb.secret, base_url=w.sb.base_url, sleep=sleep) as c:
            room = await c.lms.create_classroom(
                w.course,
                "Lesson 1",
                w.teacher,
                w.start,
                w.start + HOUR,
                unit_id=unit.unit_id,
                record_type=0,
                record_state=1,
                live_state=1,
                open_state=1,
            )
        (made,) = w.lms.live_activities(w.course)
        assert w.lms.created[made.unique_identity or ""] == 1
        assert room.unique_identity == made.unique_identity
        assert (room.ok, room.attempts) == (True, 2)
        if reading == "earlier":
            assert (room.activity_id, room.class_id, room.already) == (
                made.activity_id,
                made.class_id,
                False,
            )
            assert room.live_url
            assert room.live_info is not None
            assert room.live_info.flv
        else:
            assert (room.activity_id, room.already, room.errno) == (None, True, 398)


async def test_create_classroom_refusals() -> None:
    """A teacher not of the school (136), an unknown unit (40020), a full course (121601070)."""
    async with lms_world() as w:
        lms = w.client.lms
        with pytest.raises(eeo.ApiError) as teacher:
            await lms.create_classroom(w.course, "L", w.students[0], w.start, w.start + HOUR)
        assert teacher.value.errno == 136
        with pytest.raises(eeo.NotFoundError) as unit:
            await lms.create_classroom(w.course, "L", w.teacher, w.start, w.start + HOUR, unit_id=9)
        assert unit.value.errno == 40020
        w.lms.max_classrooms = 1
        first = await lms.create_classroom(w.course, "L1", w.teacher, w.start, w.start + HOUR)
        assert first.live_url is None
        with pytest.raises(eeo.ApiError) as full:
            await lms.create_classroom(w.course, "L2", w.teacher, w.start, w.start + HOUR)
        assert full.value.errno == 121601070
        same = await lms.create_classroom(w.course, "L1", w.teacher, w.start, w.start + HOUR)
        assert same.activity_id == first.activity_id  # its identity: the earlier classroom


async def test_update_classroom_and_its_locks() -> None:
    """A classroom is changed until 20 minutes before its start (350), 5 minutes (875)."""
    async with lms_world() as w:
        lms = w.client.lms
        room = await lms.create_classroom(w.course, "L1", w.teacher, w.start, w.start + HOUR)
        assert room.activity_id is not None
        changed = await lms.update_classroom(
            w.course, room.activity_id, name="Lesson 1", seat_num=2, assistant_uids=[]
        )
        assert (changed.activity_id, changed.name) == (room.activity_id, "Lesson 1")
        soon = int(time.time()) + 10 * 60
        for begin, code in ((soon, 350), (int(time.time()) + 3 * 60, 875)):
            near = await lms.create_classroom(w.course, f"N{code}", w.teacher, begin, begin + HOUR)
            assert near.activity_id is not None
            with pytest.raises(eeo.ApiError) as locked:
                await lms.update_classroom(w.course, near.activity_id, name="late")
            assert locked.value.errno == code
        with pytest.raises(eeo.NotFoundError):
            await lms.update_classroom(w.course, 424242, name="x")


async def test_drafts_are_released_and_activities_deleted() -> None:
    """A draft is published once (29184 already), deleted once (29149 already)."""
    async with lms_world() as w:
        lms = w.client.lms
        unit = await lms.create_unit(w.course, "Week 1")
        assert unit.unit_id is not None
        draft = await lms.create_activity_no_class(w.course, unit.unit_id, 6, "Talk", w.teacher)
        assert draft.activity_id is not None
        assert not w.lms.activities[draft.activity_id].published
        released = await lms.release_activity(w.course, [draft.activity_id])
        assert [(s.errno, s.ok, s.already) for s in released] == [(1, True, False)]
        again = await lms.release_activity(w.course, [draft.activity_id])
        assert [(s.errno, s.ok, s.already) for s in again] == [(29184, True, True)]
        gone = await lms.delete_activity(w.course, draft.activity_id)
        assert (gone.activity_id, gone.already) == (draft.activity_id, False)
        twice = await lms.delete_activity(w.course, draft.activity_id)
        assert (twice.already, twice.errno) == (True, 29149)
        room = await lms.create_classroom(
            w.course, "L1", w.teacher, w.start, w.start + HOUR, unit_id=unit.unit_id
        )
        assert room.activity_id is not None
        w.lms.start(room.activity_id)
        with pytest.raises(eeo.ApiError) as running:
            await lms.delete_activity(w.course, room.activity_id)
        assert running.value.errno == 40005
        with pytest.raises(eeo.ApiError) as unit_held:
            await lms.delete_unit(w.course, unit.unit_id)
        assert unit_held.value.errno == 40001


async def test_activities_move_between_units() -> None:
    """moveActivity moves every activity; a repeat finds nothing to move."""
    async with lms_world() as w:
        lms = w.client.lms
        a = await lms.create_unit(w.course, "A")
        b = await lms.create_unit(w.course, "B")
        assert a.unit_id is not None
        assert b.unit_id is not None
        for slot in range(3):
            begin = w.start + slot * 7200
            await lms.create_classroom(
                w.course, f"L{slot}", w.teacher, begin, begin + HOUR, unit_id=a.unit_id
            )
        moved = await lms.move_activity(w.course, a.unit_id, b.unit_id)
        assert moved.ok
        assert len(w.lms.live_activities(w.course, b.unit_id)) == 3
        assert (await lms.move_activity(w.course, a.unit_id, b.unit_id)).ok
        with pytest.raises(eeo.NotFoundError) as missing:
            await lms.move_activity(w.course, a.unit_id, 77)
        assert missing.value.errno == 50004


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
async def test_add_student_results_follow_the_student_uids_not_the_positions(order: str) -> None:
    """Answers in another order are matched by studentUid; a left-out student is not done."""
    async with lms_world(students=8) as w:
        w.lms.answer_order = order
        outsider = w.sb.add_students(1)[0]
        room = await w.client.lms.create_classroom(
            w.course, "L1", w.teacher, w.start, w.start + HOUR
        )
        assert room.activity_id is not None
        w.lms.unanswered.add(w.students[3])
        statuses = await w.client.lms.add_student(w.course, room.activity_id, w.students)
        assert [s.errno for s in statuses] == [1, 1, 1, LocalErrno.NO_ANSWER, 1, 1, 1, 1]
        assert w.lms.members(room.activity_id) == set(w.students)
        again = await w.client.lms.add_student(w.course, room.activity_id, [w.students[0]])
        assert [(s.errno, s.already) for s in again] == [(1, False)]  # v2 never says "already"
        unit = await w.client.lms.create_unit(w.course, "U")
        assert unit.unit_id is not None
        talk = await w.client.lms.create_activity_no_class(
            w.course, unit.unit_id, 6, "Talk", w.teacher
        )
        assert talk.activity_id is not None
        w.sb.add_course_members(w.course, w.students[:2])
        mixed = await w.client.lms.add_student(
            w.course, talk.activity_id, [outsider, w.students[0]]
        )
        assert [s.errno for s in mixed] == [40030, 1]  # only a classroom takes non-members
        removed = await w.client.lms.delete_student(w.course, room.activity_id, w.students[:5])
        assert [s.errno for s in removed] == [1] * 5
        assert w.lms.members(room.activity_id) == set(w.students[5:])
        assert w.sb.lesson_members(room.class_id or 0) == set(w.students[5:])


async def test_call_v2_sends_any_path() -> None:
    """call_v2 signs any path and returns the envelope whatever its code."""
    async with lms_world() as w:
        made = await w.client.call_v2(
            "/lms/unit/create", {"courseId": w.course, "name": "U", "publishFlag": 2}
        )
        assert made.ok
        assert made.data["name"] == "U"
        repeated = await w.client.call_v2(
            "/lms/unit/create", {"courseId": w.course, "name": "U", "publishFlag": 2}
        )
        assert (repeated.errno, repeated.error) == (29208, "单元已存在")
        assert repeated.meaning.startswith("The unit already exists")


async def test_too_frequent_answers_are_waited_out() -> None:
    """101003001 (createClassroom's limit) is busy and re-sent, even for a draft."""
    async with lms_world(faults=Faults(too_frequent=0.5), seed=4, max_attempts=20) as w:
        unit = await w.client.lms.create_unit(w.course, "U")
        assert unit.unit_id is not None
        for n in range(6):
            draft = await w.client.lms.create_activity_no_class(
                w.course, unit.unit_id, 5, f"D{n}", w.teacher
            )
            assert draft.activity_id is not None
        assert w.sb.stats.faults_injected["too_frequent"] > 0
        assert len(w.lms.live_activities(w.course)) == 6


def _main_and_subs(w: World, sb: Sandbox) -> tuple[int, list[int]]:
    others = [sb.add_course(teacher_uid=w.teacher).course_id for _ in range(3)]
    return w.course, others


async def test_double_teacher_sub_lessons_are_made_once_edited_and_deleted() -> None:
    """addClass with a lost answer makes each sub-lesson once; edits and deletes follow."""
    async with lms_world() as w:
        _, others = _main_and_subs(w, w.sb)
        room = await w.client.lms.create_classroom(
            w.course, "Main", w.teacher, w.start, w.start + HOUR
        )
        assert room.class_id is not None
        subs = [eeo.NewSubClass(course, f"Sub {course}") for course in others]
        sleep = lose_first_answer(w.sb)
        async with eeo.Client(w.sb.sid, w.sb.secret, base_url=w.sb.base_url, sleep=sleep) as c:
            made = await c.double_teacher.add_class(w.course, room.class_id, subs)
        state = w.sb.state(DoubleTeacherState)
        live = state.subs_of(room.class_id)
        assert len(live) == 3
        assert [m.course_id for m in made] == others
        assert [(m.ok, m.already, m.errno) for m in made] == [(True, True, 398)] * 3
        assert {m.class_id for m in made} == {s.class_id for s in live}
        dt = w.client.double_teacher
        edited = await dt.edit_class(w.course, room.class_id, class_name="Main!", seat_num=7)
        assert [e.is_main_class for e in edited] == [True, False, False, False]
        with pytest.raises(eeo.ApiError) as follows:
            await dt.edit_class(others[0], made[0].class_id or 0, teacher_uid=w.teacher)
        assert follows.value.errno == 121601036
        one = await dt.delete_class(others[0], made[0].class_id or 0)
        assert [d.class_id for d in one] == [made[0].class_id]
        rest = await dt.delete_class(w.course, room.class_id)
        assert [d.class_id for d in rest][-1] == room.class_id
        assert not state.subs_of(room.class_id)
        with pytest.raises(eeo.ApiError) as twice:
            await dt.delete_class(w.course, room.class_id)
        assert twice.value.errno == 121601042
        with pytest.raises(eeo.NotFoundError) as main:
            await dt.add_class(w.course, 31337, subs[:1])
        assert main.value.errno == 121601037


async def test_double_teacher_sub_lessons_in_the_main_course_are_refused_each() -> None:
    """A sub-lesson in the main lesson's course is refused alone (122301036), in its place."""
    async with lms_world() as w:
        _, others = _main_and_subs(w, w.sb)
        room = await w.client.lms.create_classroom(
            w.course, "Main", w.teacher, w.start, w.start + HOUR
        )
        assert room.class_id is not None
        subs = [eeo.NewSubClass(w.course, "Same"), eeo.NewSubClass(others[0], "S")]
        made = await w.client.double_teacher.add_class(w.course, room.class_id, subs)
        assert [(m.errno, m.ok) for m in made] == [(122301036, False), (1, True)]
