"""A fault soak of the whole onboarding: every fault on, and each report agrees with the server."""

from __future__ import annotations

import os

import pytest

import eeo_async as eeo
from eeo_async.testing import Faults, Sandbox

SEEDS = [int(s) for s in os.environ.get("EEO_SOAK_SEEDS", "7,8").split(",")]

ALL_FAULTS = Faults(
    call_busy=0.04,
    item_busy=0.04,
    http_error=0.03,
    non_json=0.03,
    drop_before=0.03,
    lost_after=0.03,
    rate_limited=0.01,
    latency=0.0,
    latency_jitter=0.001,
)


def agrees(item: eeo.ItemResult, done: bool, before: bool) -> None:
    """An item agrees with the server: ok is the state, and 'already' only if so before."""
    if item.outcome != "unknown":
        assert item.ok == done, item
    if item.outcome == "already":
        assert before, item


@pytest.mark.soak
@pytest.mark.parametrize("seed", SEEDS)
async def test_soak_onboarding(seed: int) -> None:
    """Register, join the course, enrol, unenrol, leave: with every fault, every item true."""
    concurrency = 6
    async with Sandbox(seed=seed, faults=ALL_FAULTS) as sb:
        people = [
            eeo.NewUser(telephone=f"1370000{i:04}", password="secret-1", add_to_school="student")
            for i in range(150)
        ]
        for user in people[:10]:  # registered before the job: 135 with the UID
            sb.register_directly(user.account, "secret-1")
        course = sb.add_course(lessons=4)
        finished = course.class_ids[-1]
        sb.finish_lesson(finished)
        async with eeo.Client(
            sb.sid, sb.secret, base_url=sb.base_url, initial_backoff=0, max_backoff=0
        ) as client:
            batcher = eeo.Batcher(
                client, concurrency=concurrency, max_attempts=10, initial_backoff=0, max_backoff=0
            )
            registered = await batcher.register(people)
            uids = []
            for user in people:
                item = registered.items[user.account]
                account = sb.account(user.account)
                agrees(item, account is not None, user in people[:10])
                if item.ok:
                    assert account is not None
                    assert item.uid == account.uid
                    uids.append(item.uid)
            assert len(uids) > 100

            sb.add_course_members(course.course_id, uids[:7])
            members_before = sb.course_members(course.course_id)
            joined = await batcher.add_students_to_course(course.course_id, uids)
            members = sb.course_members(course.course_id)
            for uid, item in joined.items.items():
                agrees(item, uid in members, uid in members_before)

            enrolled = await batcher.enroll(course.course_id, uids, course.class_ids)
            assert enrolled.action == "addClassStudentMultiple"
            for (uid, lesson), item in enrolled.items.items():
                if lesson == finished:
                    assert (item.errno, item.ok) == (145, False)
                agrees(item, uid in sb.lesson_members(lesson), False)

            leaving = uids[::3]
            lessons_before = {c: sb.lesson_members(c) for c in course.class_ids}
            unenrolled = await batcher.unenroll(course.course_id, leaving, course.class_ids[:2])
            for (uid, lesson), item in unenrolled.items.items():
                before = uid not in lessons_before[lesson]
                agrees(item, uid not in sb.lesson_members(lesson), before)

            removed = await batcher.remove_students_from_course(course.course_id, leaving)
            after = sb.course_members(course.course_id)
            for uid, item in removed.items.items():
                agrees(item, uid not in after, uid not in members)

            await rejoin_and_group(batcher, sb, course.course_id, leaving, uids)

        stats = sb.stats
        assert stats.max_items_per_call["registerMultiple"] <= 10
        assert stats.max_items_per_call["addCourseStudentMultiple"] <= 30
        assert stats.max_items_per_call["addClassStudentMultiple"] <= 30
        assert stats.max_in_flight <= concurrency
        assert stats.duplicates_in_flight == 0
        assert sum(stats.faults_injected.values()) > 0


async def rejoin_and_group(
    batcher: eeo.Batcher,
    sb: Sandbox,
    course_id: int,
    leaving: list[int],
    uids: list[int],
) -> None:
    """Students rejoin one lesson, and a group plan lives its life, under the same faults."""
    lesson = sb.add_lessons(course_id, 1)[0]
    before = sb.lesson_members(lesson)
    rejoined = await batcher.add_students_to_lesson(course_id, lesson, leaving)
    for uid, item in rejoined.items.items():
        agrees(item, uid in sb.lesson_members(lesson), uid in before)
    await group_plan_survives_faults(batcher.client, sb, course_id, uids[1::3][:8])


async def group_plan_survives_faults(
    client: eeo.Client, sb: Sandbox, course_id: int, uids: list[int]
) -> None:
    """Create, edit and delete a plan under faults: each answer is what the server holds."""
    team = [eeo.GroupMember(uids[0], is_leader=True), *map(eeo.GroupMember, uids[1:])]
    for _ in range(20):  # creating is not repeated where it may have acted: try afresh
        try:
            created = await client.add_course_group(course_id, "Soak", [team])
            break
        except eeo.TransportError:
            if sb.course_group(course_id) is not None:
                return  # created by an attempt whose answer was lost: honest, and done
        except eeo.ProtocolError:
            if sb.course_group(course_id) is not None:
                return
    else:
        pytest.fail("no group plan after 20 tries")
    edited = await client.edit_course_group(course_id, created.group_id, "Soak 2", [team[::-1]])
    assert edited.ok
    plan = sb.course_group(course_id)
    assert plan is not None
    assert plan.name == "Soak 2"
    try:
        await client.del_course_group(course_id, created.group_id)
    except (eeo.TransportError, eeo.ProtocolError):
        pass  # the server may have deleted it: a second call says which
    else:
        assert sb.course_group(course_id) is None
    while sb.course_group(course_id) is None:  # deleted: asking again answers 893
        try:
            await client.del_course_group(course_id, created.group_id)
        except eeo.NotFoundError:
            break
        except (eeo.TransportError, eeo.ProtocolError):
            continue  # not repeated by the client where the server may have acted
        pytest.fail("a deleted plan was deleted again")
