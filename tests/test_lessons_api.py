"""Lessons: creating one or several, editing, seats, deleting; on MockTransport."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from courses_fake import FakeCreations, answer, returning

import eeo_async as eeo
from eeo_async.testing import MockTransport, set_testing

HOUR = 3600
SOON = int(time.time()) + 2 * 86400  # a begin two days ahead


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


def client(handler: Any) -> tuple[eeo.Client, MockTransport]:
    transport = MockTransport(handler)
    return eeo.Client(1234567, "a-secret-of-a-school", transport=transport), transport


def lesson(n: int = 0, **kwargs: Any) -> eeo.NewLesson:
    begin = SOON + n * 2 * HOUR
    return eeo.NewLesson(f"Lesson {n}", begin, begin + HOUR, 9001, **kwargs)


async def test_one_lesson_and_a_lesson_of_many_get_the_same_identity() -> None:
    """addCourseClass derives the identity create_lessons derives for the same lesson."""
    fake = FakeCreations()
    api, transport = client(fake.handler)
    begin = dt.datetime.fromtimestamp(SOON, dt.UTC)
    one = await api.add_course_class(7, "Lesson 0", begin, SOON + HOUR, "9001", record=True)
    many = await api.add_course_class_multiple(7, [lesson(0), lesson(1)])
    first = transport.requests[0].fields["courseUniqueIdentity"]
    entries = transport.requests[1].json_field("classJson")
    assert entries[0]["courseUniqueIdentity"] == first == lesson(0).for_course(7).key
    assert first.startswith("l")
    assert (one.class_id, one.live_url, one.live_info) == (5000, "https://live/5000", {"HLS": "h"})
    assert [(r.class_id, r.already, r.ok) for r in many] == [
        (5000, True, True),
        (5001, False, True),
    ]
    assert fake.creations == [first, entries[1]["courseUniqueIdentity"]]
    assert transport.requests[0].fields["record"] == "1"


async def test_a_lost_lesson_answer_never_makes_two() -> None:
    """A timeout after the lesson was made is retried with its identity: one lesson."""
    fake = FakeCreations(lose=1, repeat="refuse")
    api, transport = client(fake.handler)
    result = await api.add_course_class(7, "Once", SOON, SOON + HOUR, 9001)
    assert len(transport.requests) == 2
    assert len(fake.creations) == 1
    assert (result.ok, result.errno, result.class_id) == (True, 398, None)
    fake = FakeCreations(lose=1)
    api, transport = client(fake.handler)
    many = await api.add_course_class_multiple(7, [lesson(n) for n in range(5)])
    assert len(fake.creations) == 5
    assert [r.class_id for r in many] == [5000, 5001, 5002, 5003, 5004]


async def test_more_data_is_read_beside_and_under_data() -> None:
    """The sample's top-level more_data and the table's nested one both give the links."""
    nested = answer(1, {"data": 41, "more_data": {"live_url": "u", "live_info": {"RTMP": "r"}}})
    api, _ = client(returning(answer(1, 40, more_data={"live_url": "t"}), nested))
    top = await api.add_course_class(7, "A", SOON, SOON + HOUR, 9001)
    under = await api.add_course_class(7, "B", SOON, SOON + HOUR, 9001)
    assert (top.class_id, top.live_url) == (40, "t")
    assert (under.class_id, under.live_url, under.live_info) == (41, "u", {"RTMP": "r"})


@pytest.mark.parametrize("errno", [280, 281, 824, 121601002])
async def test_created_with_a_side_failure_is_a_success_with_a_warning(errno: int) -> None:
    """280/281/824/121601002: the lesson exists; ok, side, and the message kept."""
    api, _ = client(returning(answer(errno, 55)))
    result = await api.add_course_class(7, "A", SOON, SOON + HOUR, 9001)
    assert (result.ok, result.side, result.class_id, result.error) == (True, True, 55, f"e{errno}")


async def test_a_lesson_without_identity_is_not_sent_again() -> None:
    """unique_identity=False: no identity on the wire, no retry after a lost answer."""
    fake = FakeCreations(lose=1)
    api, transport = client(fake.handler)
    with pytest.raises(eeo.RequestTimeoutError, match="check"):
        await api.add_course_class(7, "A", SOON, SOON + HOUR, 9001, unique_identity=False)
    fake.lose = 1
    with pytest.raises(eeo.TransportError, match="check"):
        await api.add_course_class_multiple(7, [lesson(1, unique_identity=False)])
    assert len(transport.requests) == 2
    assert "courseUniqueIdentity" not in transport.requests[0].fields
    assert "courseUniqueIdentity" not in transport.requests[1].json_field("classJson")[0]


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: eeo.NewLesson("x", SOON, SOON - 60, 9001), "not after begin_time"),
        (lambda: eeo.NewLesson("x", SOON, SOON + 14 * 60, 9001), "15 minutes to 24 hours"),
        (lambda: eeo.NewLesson("x", SOON, SOON + 25 * HOUR, 9001), "15 minutes to 24 hours"),
        (lambda: eeo.NewLesson("x" * 51, SOON, SOON + HOUR, 9001), "at most 50"),
        (lambda: eeo.NewLesson("", SOON, SOON + HOUR, 9001), "name must not be empty"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, "t-1"), "teacher_uid"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 0), "teacher_uid"),
        (lambda: eeo.NewLesson("x", dt.datetime(2030, 1, 1), SOON, 1), "timezone-aware"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, seat_num=13), "seat_num"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, seat_num=4, is_hd=1), "1 or 6"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, seat_num=6, is_dc=3), "dual camera"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, live=True), "need record"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, assistant_uids=[1]), "322"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, assistant_uids=[2, 2]), "more than once"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, is_auto_onstage=True), "0, 1"),
        (lambda: eeo.NewLesson("x", SOON, SOON + HOUR, 1, unique_identity="y" * 33), "1 to 32"),
    ],
)
def test_a_new_lesson_breaking_a_rule_is_refused_naming_it(make: Any, text: str) -> None:
    """NewLesson checks the documented rules when it is made."""
    with pytest.raises(eeo.InputError, match=text):
        make()


@pytest.mark.parametrize(
    ("ahead", "text"),
    [(-HOUR, "in the past"), (20, "less than a minute"), (4 * 365 * 86400, "more than 3 years")],
)
async def test_a_begin_too_soon_or_too_late_is_refused_when_sent(ahead: int, text: str) -> None:
    """The clock rules are checked before sending, naming the lesson; nothing is sent."""
    begin = int(time.time()) + ahead
    api, transport = client(returning(answer(1, 1)))
    late = eeo.NewLesson("Late", begin, begin + HOUR, 9001)
    with pytest.raises(eeo.InputError, match=rf"lessons\[1\] \('Late'\): begin_time .*{text}"):
        await api.add_course_class_multiple(7, [lesson(0), late])
    with pytest.raises(eeo.InputError, match=text):
        await api.add_course_class(7, "Late", begin, begin + HOUR, 9001)
    assert transport.requests == []


async def test_many_lessons_are_checked_as_a_call() -> None:
    """More than 30, the same lesson twice, or not a NewLesson is refused before sending."""
    api, transport = client(returning(answer(1, [])))
    with pytest.raises(eeo.TooManyItemsError, match="at most 30"):
        await api.add_course_class_multiple(7, [lesson(n) for n in range(31)])
    with pytest.raises(eeo.InputError, match="more than once"):
        await api.add_course_class_multiple(7, [lesson(1), lesson(1)])
    with pytest.raises(eeo.InputTypeError, match=r"lessons\[0\] must be an eeo_async.NewLesson"):
        await api.add_course_class_multiple(7, [{"className": "x"}])  # type: ignore[list-item]
    assert transport.requests == []


async def test_lesson_wire_entry_follows_the_docs() -> None:
    """A classJson entry: names, times, string teacher, int co-teachers, switches as 0/1."""
    api, transport = client(lambda r: answer(1, [{"data": 1, "errno": 1, "error": "ok"}]))
    new = lesson(0, assistant_uids=["12", 13], record=True, live=True, seat_num=6, is_hd=2)
    await api.add_course_class_multiple(7, [attrs_evolve(new, custom_column="row 2")])
    (entry,) = transport.requests[0].json_field("classJson")
    assert entry == {
        "className": "Lesson 0",
        "beginTime": SOON,
        "endTime": SOON + HOUR,
        "teacherUid": "9001",
        "assistantUids": [12, 13],
        "seatNum": 6,
        "isHd": 2,
        "record": 1,
        "live": 1,
        "customColumn": "row 2",
        "courseUniqueIdentity": new.for_course(7).key,
    }


def attrs_evolve(value: eeo.NewLesson, **changes: Any) -> eeo.NewLesson:
    import attrs

    return attrs.evolve(value, **changes)


async def test_edit_course_class_rules_and_result() -> None:
    """Times and recording switches go together; 283 is a warning; the class ID is kept."""
    api, transport = client(returning(answer(283, more_data={"live_url": "u"})))
    result = await api.edit_course_class(
        7, "88", record=True, live=False, replay=True, assistant_uids=[]
    )
    assert (result.ok, result.side, result.class_id, result.live_url) == (True, True, 88, "u")
    assert transport.requests[0].fields["assistantUids"] == "[]"
    with pytest.raises(eeo.InputError, match="together"):
        await api.edit_course_class(7, 88, begin_time=SOON)
    with pytest.raises(eeo.InputError, match="all three"):
        await api.edit_course_class(7, 88, record=True)
    with pytest.raises(eeo.InputError, match="15 minutes"):
        await api.edit_course_class(7, 88, begin_time=SOON, end_time=SOON + 60)
    assert len(transport.requests) == 1


async def test_seats_and_deleting_lessons() -> None:
    """Seats need seat_num or is_hd; 212 is already deleted; 823 deleted with a warning."""
    api, transport = client(returning(answer(1), answer(212), answer(823)))
    assert (await api.modify_class_seat_num(7, 8, seat_num=1, is_dc=3)).ok
    with pytest.raises(eeo.InputError, match="seat_num or is_hd"):
        await api.modify_class_seat_num(7, 8)
    deleted = await api.del_course_class(7, 8)
    assert (deleted.ok, deleted.already) == (True, True)
    ended = await api.del_end_course_class(7, 9)
    assert (ended.ok, ended.side) == (True, True)
    assert [r.action for r in transport.requests] == [
        "modifyClassSeatNum",
        "delCourseClass",
        "delEndCourseClass",
    ]
