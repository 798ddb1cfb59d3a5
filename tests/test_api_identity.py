"""Creations safe to repeat only with their unique identity, and the "check first" hint.

A row whose safety rests on a unique identity (``Endpoint.identity``) is sent as not safe
to repeat when the call lacks it, by ``Client.request`` itself: through the typed
methods, ``client.request(ROW, ...)`` and the Batcher alike. An error of a call that may
have been applied and was not re-sent says so once, keeping every field of the error.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from courses_fake import FakeCreations, answer
from test_web_deadline import FakeTime, client_for, times_out

import eeo_async as eeo
from eeo_async._api import classrooms, double_teacher, lms, new_lessons
from eeo_async._api.courses import ADD_COURSE
from eeo_async.testing import MockRequest, MockTransport, set_testing

SOON = int(time.time()) + 30 * 86_400  # a month ahead: within the server's 3 years
HOUR = 3600


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


def client(handler: Any) -> eeo.Client:
    return eeo.Client(1234567, "a-secret-of-a-school", transport=MockTransport(handler))


def lost_after_applying(sent: list[MockRequest], data: object) -> Any:
    """A v2 handler that applies each call, then loses the answer of the first."""

    def handler(request: MockRequest) -> dict[str, Any]:
        sent.append(request)
        if len(sent) == 1:
            raise eeo.RequestTimeoutError(request.action, "no answer in 30 s")
        return {"code": 1, "msg": "ok", "data": data}

    return handler


# ------------------------------------------------------------- rows with a parameter


@pytest.mark.parametrize(
    ("row", "values"),
    [
        (ADD_COURSE, {"course_name": "History"}),
        (
            new_lessons.ADD_COURSE_CLASS,
            {
                "course_id": 7,
                "class_name": "A",
                "begin_time": SOON,
                "end_time": SOON + HOUR,
                "teacher_uid": 9001,
            },
        ),
    ],
)
async def test_request_re_sends_a_v1_creation_only_with_its_identity(
    row: eeo.Endpoint, values: dict[str, Any]
) -> None:
    """Without ``unique_identity`` a lost answer is not re-sent: one creation, an error."""
    fake = FakeCreations(lose=1)
    api = client(fake.handler)
    with pytest.raises(eeo.RequestTimeoutError, match="without a unique identity"):
        await api.request(row, **values)
    assert len(fake.calls) == len(fake.creations) == 1
    fake.lose = 1
    made = await api.request(row, **values, unique_identity="id-1")
    assert made.ok
    assert [c.fields.get("courseUniqueIdentity") for c in fake.calls[1:]] == ["id-1"] * 2
    assert fake.creations == [None, "id-1"]


async def test_request_re_sends_a_classroom_only_with_its_identity() -> None:
    """createClassroom through client.request: re-sent after a lost answer only with one."""
    sent: list[MockRequest] = []
    data = {"activityId": 7, "classId": 8}
    values = {"course_id": 1, "name": "L1", "teacher_uid": 2, "start_time": SOON}
    async with client(lost_after_applying(sent, data)) as api:
        with pytest.raises(eeo.RequestTimeoutError, match="check before creating it again"):
            await api.request(classrooms.CREATE_CLASSROOM, **values, end_time=SOON + HOUR)
        assert len(sent) == 1
        made = await api.request(
            classrooms.CREATE_CLASSROOM, **values, end_time=SOON + HOUR, unique_identity="r1"
        )
    assert made.activity_id == 7
    assert len(sent) == 2  # the second call: its first attempt answered


async def test_a_classroom_with_its_identity_is_re_sent_after_a_lost_answer() -> None:
    """The same call with its identity is sent again, the identity on both attempts."""
    sent: list[MockRequest] = []
    async with client(lost_after_applying(sent, {"activityId": 7})) as api:
        await api.request(
            lms.CREATE_CLASSROOM,
            course_id=1,
            name="L1",
            teacher_uid=2,
            start_time=SOON,
            end_time=SOON + HOUR,
            unique_identity="r1",
        )
    assert [r.fields["uniqueIdentity"] for r in sent] == ["r1", "r1"]


# ---------------------------------------------------------------- rows with items


def sub_class(course: int, **more: Any) -> eeo.NewSubClass:
    return eeo.NewSubClass(course, f"sub-{course}", **more)


def sub_answer(sent: list[MockRequest]) -> Any:
    def handler(request: MockRequest) -> dict[str, Any]:
        sent.append(request)
        if len(sent) == 1:
            raise eeo.RequestTimeoutError(request.action, "no answer in 30 s")
        entries = [
            {"courseId": s["courseId"], "classId": 90 + n, "code": 1, "msg": "ok"}
            for n, s in enumerate(request.fields["subClassJson"])
        ]
        return {"code": 1, "msg": "ok", "data": {"subClassData": entries}}

    return handler


async def test_sub_lessons_without_identity_are_not_re_sent() -> None:
    """addClass through client.request: one sub-lesson without identity makes it unsafe."""
    sent: list[MockRequest] = []
    subs = [sub_class(11, unique_identity="s11"), sub_class(12)]
    async with client(sub_answer(sent)) as api:
        with pytest.raises(eeo.RequestTimeoutError, match="without a unique identity"):
            await api.request(
                double_teacher.ADD_CLASS, main_course_id=1, main_class_id=2, sub_classes=subs
            )
    assert len(sent) == 1


async def test_sub_lessons_of_the_typed_method_are_re_sent_with_their_identities() -> None:
    """add_class derives every identity, so a lost answer is sent again, the same ones."""
    sent: list[MockRequest] = []
    async with client(sub_answer(sent)) as api:
        lessons = await api.double_teacher.add_class(1, 2, [sub_class(11), sub_class(12)])
    assert [lesson.class_id for lesson in lessons] == [90, 91]
    first, second = ([s["uniqueIdentity"] for s in r.fields["subClassJson"]] for r in sent)
    assert first == second
    assert all(first)


def lesson(n: int, **more: Any) -> eeo.NewLesson:
    return eeo.NewLesson(f"L{n}", SOON + n * HOUR, SOON + n * HOUR + HOUR, 9001, **more)


async def test_lessons_without_identity_are_sent_through_request_but_not_re_sent() -> None:
    """addCourseClassMultiple through client.request takes ``unique_identity=False``."""
    fake = FakeCreations(lose=1)
    api = client(fake.handler)
    row = new_lessons.ADD_COURSE_CLASS_MULTIPLE
    with pytest.raises(eeo.RequestTimeoutError, match="without a unique identity"):
        await api.request(row, course_id=7, lessons=[lesson(1, unique_identity=False)])
    assert len(fake.calls) == 1
    fake.lose = 1
    made = await api.request(row, course_id=7, lessons=[lesson(2, unique_identity="l2")])
    assert [m.class_id for m in made] == [5001]
    assert len(fake.calls) == 3
    assert fake.creations == [None, "l2"]


async def test_a_batch_run_of_the_row_with_lessons_without_identity_is_not_re_sent() -> None:
    """Batcher.run with the row itself: such a job sends nothing again either."""
    fake = FakeCreations(lose=1)
    api = client(fake.handler)
    batcher = eeo.Batcher(api)
    lessons = [lesson(1, unique_identity="l1"), lesson(2, unique_identity=False)]
    report = await batcher.run(new_lessons.ADD_COURSE_CLASS_MULTIPLE, course_id=7, lessons=lessons)
    assert len(fake.calls) == 1
    assert report.unknown == 2


# ------------------------------------------------------------------ the hint, once


async def test_the_hint_is_said_once_and_the_error_kept() -> None:
    """A course without identity after a lost answer: one hint, the same error class."""
    api = client(FakeCreations(lose=1).handler)
    with pytest.raises(eeo.RequestTimeoutError) as caught:
        await api.add_course("History", unique_identity=False)
    text = str(caught.value)
    assert text.count("sent again") == text.count("check") == 1
    assert type(caught.value) is eeo.RequestTimeoutError


async def test_an_http_error_keeps_its_retry_after() -> None:
    """A 503 with Retry-After on a creation without identity keeps ``retry_after``."""

    def handler(request: MockRequest) -> dict[str, Any]:
        raise eeo.HTTPStatusError(request.action, "HTTP 503", 503, retry_after=7.0)

    api = client(handler)
    with pytest.raises(eeo.HTTPStatusError) as caught:
        await api.add_course("History", unique_identity=False)
    assert (caught.value.status, caught.value.retry_after) == (503, 7.0)
    assert str(caught.value).count("check") == 1


async def test_a_deadline_keeps_its_attempts_and_says_what_to_check() -> None:
    """A deadline passing on a course without identity: attempts kept, the hint once."""
    time = FakeTime()
    api = client_for(time, times_out(time), timeout=1).with_options(deadline=0.5)
    with pytest.raises(eeo.DeadlineExceededError) as caught:
        await api.add_course("History", unique_identity=False)
    assert caught.value.attempts == 1
    assert str(caught.value).count("check") == 1
    assert "without a unique identity" in str(caught.value)


async def test_a_draft_says_to_check_its_unit_once() -> None:
    """createActivityNoClass after a lost answer: the row's own hint, once."""
    sent: list[MockRequest] = []
    async with client(lost_after_applying(sent, {"activityId": 4})) as api:
        with pytest.raises(eeo.RequestTimeoutError) as caught:
            await api.lms.create_activity_no_class(1, 2, 2, "Homework", 3)
    text = str(caught.value)
    assert text.count("sent again") == text.count("check") == 1
    assert "check the unit before creating again" in text
    assert len(sent) == 1


async def test_an_errno_that_may_have_acted_says_so_once() -> None:
    """104 on a course without identity: the ApiError's hint says to check, once."""
    api = client(lambda request: answer(104))
    with pytest.raises(eeo.ServerBusyError) as caught:
        await api.add_course("Art", unique_identity=False)
    assert str(caught.value).count("check") == 1
    assert caught.value.errno == 104


# -------------------------------------------------------- what a row says by itself


def test_a_v2_identity_follows_the_same_rule_as_v1() -> None:
    """A classroom's or sub-lesson's identity with spaces at its ends is refused."""
    with pytest.raises(eeo.InputError, match="spaces"):
        eeo.NewClassroom("L1", 2, SOON, SOON + HOUR, unique_identity=" r1")
    with pytest.raises(eeo.InputError, match="spaces"):
        eeo.NewSubClass(11, "sub", unique_identity="s1\n")


def test_a_row_with_an_identity_must_name_a_parameter_of_an_idempotent_row() -> None:
    """``identity`` names the row's parameter (or, with items, the items' attribute)."""
    with pytest.raises(ValueError, match="identity"):
        eeo.Endpoint(
            action="x",
            params=(eeo.Param("a", "a", classrooms.ID),),
            idempotent=True,
            identity="unique_identity",
            decode=lambda endpoint, answer, items: None,
        )
