"""batcher.create_lessons on MockTransport: chunks, identities, re-runs and lost answers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from courses_fake import FakeCreations

import eeo_async as eeo
from eeo_async.testing import MockTransport, set_testing

HOUR = 3600
SOON = int(time.time()) + 2 * 86400


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


def term(count: int, **kwargs: Any) -> list[eeo.NewLesson]:
    return [
        eeo.NewLesson(f"Week {n}", SOON + n * 86400, SOON + n * 86400 + HOUR, 9001, **kwargs)
        for n in range(count)
    ]


def batcher_for(fake: FakeCreations, **kwargs: Any) -> tuple[eeo.Batcher, MockTransport]:
    transport = MockTransport(fake.handler)
    client = eeo.Client(1234567, "a-secret-of-a-school", transport=transport)
    return eeo.Batcher(client, **kwargs), transport


async def test_create_lessons_sends_30_a_call_and_reports_each_class_id() -> None:
    """70 lessons go in calls of at most 30, keyed by identity, each with its class ID."""
    fake = FakeCreations()
    batcher, transport = batcher_for(fake)
    lessons = term(70)
    report = await batcher.create_lessons(7, lessons)
    assert report.ok
    assert (report.succeeded, report.calls) == (70, 3)
    assert sorted(len(r.json_field("classJson")) for r in transport.requests) == [10, 30, 30]
    assert report.key_fields == ("unique_identity",)
    assert report.operation == "create_lessons"
    keys = [lesson.for_course(7).key for lesson in lessons]
    assert list(report.items) == keys
    assert sorted(report.items[k].id or 0 for k in keys) == list(range(5000, 5070))
    assert fake.creations == [fake.creations[i] for i in range(70)]
    assert len(set(fake.creations)) == 70


@pytest.mark.parametrize(("repeat", "with_ids"), [("earlier_id", True), ("refuse", False)])
async def test_a_second_run_creates_nothing_and_reports_already(
    repeat: str, with_ids: bool
) -> None:
    """The same lessons again: nothing made, each already, with its ID if the server gives it."""
    fake = FakeCreations(repeat=repeat)
    batcher, _ = batcher_for(fake)
    first = await batcher.create_lessons(7, term(40))
    second = await batcher.create_lessons("7", term(40))
    assert len(fake.creations) == 40
    assert (second.already, second.failed, second.unknown) == (40, 0, 0)
    ids = {key: item.id for key, item in second.items.items()}
    if with_ids:
        assert ids == {key: item.id for key, item in first.items.items()}
    else:
        assert set(ids.values()) == {None}


async def test_lost_answers_make_no_duplicates_and_are_not_called_already() -> None:
    """Calls whose answers were lost after applying are retried: one lesson each, succeeded."""
    fake = FakeCreations(lose=2)
    batcher, transport = batcher_for(fake, concurrency=1)
    report = await batcher.create_lessons(7, term(60))
    assert len(fake.creations) == 60
    assert report.ok
    assert (report.succeeded, report.already) == (60, 0)
    assert len(transport.requests) == 4
    assert all(item.id is not None for item in report.items.values())


async def test_a_lessons_own_busy_code_sends_it_again_alone() -> None:
    """A lesson answering 460 is sent again by itself; the others are done once."""
    fake = FakeCreations()
    fake.item_answers[3] = 460
    batcher, transport = batcher_for(fake)
    report = await batcher.create_lessons(7, term(5))
    assert report.ok
    assert [len(r.json_field("classJson")) for r in transport.requests] == [5, 1]
    assert len(fake.creations) == 5


async def test_the_same_lesson_twice_is_one_item() -> None:
    """Two equal lessons are one (a duplicate), not two lessons."""
    fake = FakeCreations()
    batcher, _ = batcher_for(fake)
    lessons = term(3)
    report = await batcher.create_lessons(7, [*lessons, lessons[0]])
    assert (report.total, report.duplicates, len(fake.creations)) == (3, 1, 3)


async def test_a_bad_lesson_anywhere_sends_nothing() -> None:
    """A lesson beginning in the past is refused by its place before any call."""
    fake = FakeCreations()
    batcher, transport = batcher_for(fake)
    past = eeo.NewLesson("Gone", int(time.time()) - HOUR, int(time.time()), 9001)
    with pytest.raises(eeo.InputError, match=r"lessons\[50\] \('Gone'\).*in the past"):
        await batcher.create_lessons(7, [*term(50), past])
    with pytest.raises(eeo.InputTypeError, match="NewLesson"):
        await batcher.create_lessons(7, "lessons")  # type: ignore[arg-type]
    assert transport.requests == []


async def test_lessons_without_identity_are_unknown_after_a_lost_answer() -> None:
    """unique_identity=False: a lost call is not re-sent; its lessons end unknown."""
    fake = FakeCreations(lose=1)
    batcher, transport = batcher_for(fake, concurrency=1)
    report = await batcher.create_lessons(7, term(35, unique_identity=False))
    assert len(transport.requests) == 2
    assert (report.unknown, report.succeeded) == (30, 5)
    assert len(fake.creations) == 35


async def test_plan_of_create_lessons_counts_calls_without_sending() -> None:
    """Batcher.plan works out the calls of a timetable, deriving identities as the verb does."""
    fake = FakeCreations()
    batcher, transport = batcher_for(fake)
    lessons = [lesson.for_course(7) for lesson in term(65)]
    planned = batcher.plan("create_lessons", course_id=7, lessons=lessons)
    assert (planned.items, planned.calls, planned.max_chunk) == (65, 3, 30)
    assert batcher.plan("create_lessons", course_id=7, lessons=term(2)).items == 2
    with pytest.raises(eeo.InputError, match=r"lessons\[1\] must be an eeo_async\.NewLesson"):
        batcher.plan("create_lessons", course_id=7, lessons=[*term(1), "Week 2"])
    assert transport.requests == []
