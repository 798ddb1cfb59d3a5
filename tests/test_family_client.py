"""The enrolment family's Client methods end to end against the sandbox, and their inputs."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eeo_async as eeo
from eeo_async._api import courses, groups
from eeo_async._api import users as user_area
from eeo_async._wire import kinds as _wire
from eeo_async._wire import v1
from eeo_async.testing import MockRequest, MockTransport, Sandbox

PASSWORD = "Pa55word-sEcret"  # a test value whose absence from outputs is checked


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


async def test_course_students_and_auditors_join_and_leave(eeo_sandbox: Sandbox) -> None:
    """Students and auditors join a course (163/164 already) and leave it (162 already)."""
    sb = eeo_sandbox
    a, b, c, d = sb.add_students(4)
    teacher = sb.add_teachers(1)[0]
    course = sb.add_course(lessons=1, teacher_uid=teacher)
    async with client_for(sb) as client:
        added = await client.add_course_student_multiple(course.course_id, [a, str(b), teacher])
        assert [s.errno for s in added] == [1, 1, 129]
        audited = await client.add_course_student_multiple(
            course.course_id, [c, a], identity="auditor"
        )
        assert [(s.errno, s.ok, s.already) for s in audited] == [
            (1, True, False),
            (163, True, True),
        ]
        again = await client.add_course_student_multiple(course.course_id, [a, c], identity=1)
        assert [(s.errno, s.already) for s in again] == [(163, True), (164, True)]
        assert sb.course_members(course.course_id) == {a, b}
        assert sb.course_members(course.course_id, identity="auditor") == {c}
        removed = await client.del_course_student_multiple(course.course_id, [a, d])
        assert [(s.errno, s.ok, s.already) for s in removed] == [
            (1, True, False),
            (162, True, True),
        ]
        gone = await client.del_course_student_multiple(course.course_id, [c], identity=2)
        assert gone[0].errno == 1
        assert sb.course_members(course.course_id) == {b}
        assert sb.course_members(course.course_id, identity=2) == frozenset()


async def test_lesson_students_added_many_at_once(eeo_sandbox: Sandbox) -> None:
    """Several students join one lesson in one call; 166 is already; a finished lesson fails."""
    sb = eeo_sandbox
    students = sb.add_students(3)
    course = sb.add_course(lessons=2)
    first, finished = course.class_ids
    sb.finish_lesson(finished)
    sb.enroll_directly(first, students[:1])
    async with client_for(sb) as client:
        statuses = await client.add_class_student_multiple(course.course_id, first, students)
        assert [(s.errno, s.already) for s in statuses] == [(166, True), (1, False), (1, False)]
        assert sb.lesson_members(first) == set(students)
        with pytest.raises(eeo.ApiError) as caught:
            await client.add_class_student_multiple(course.course_id, finished, students)
        assert caught.value.errno == 145


async def test_custom_column_comes_back_as_a_string() -> None:
    """A per-item customColumn answered as a number reaches the status as a string."""

    async def handle(request: MockRequest) -> Any:
        data = [{"customColumn": 123, "errno": 1, "error": "程序正常执行"}]
        return {"error_info": {"errno": 1, "error": "程序正常执行"}, "data": data}

    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        (status,) = await client.add_class_student_multiple(1, 2, [3])
    assert status.custom_column == "123"


async def test_group_plan_edited_and_deleted(eeo_sandbox: Sandbox) -> None:
    """A plan is edited (repeatably) and deleted; 893 names a missing plan."""
    sb = eeo_sandbox
    a, b, c = sb.add_students(3)
    course = sb.add_course(lessons=1)
    sb.enroll_directly(course.class_ids[0], [a, b, c])
    leader = eeo.GroupMember
    async with client_for(sb) as client:
        created = await client.add_course_group(course.course_id, "Teams", [[leader(a, True)]])
        groups = [[leader(b, is_leader=True), leader(a)], [leader(c, is_leader=True)]]
        for _ in range(2):  # the same edit twice is the same plan
            edited = await client.edit_course_group(
                course.course_id, created.group_id, "Teams B", groups
            )
            assert (edited.ok, edited.action) == (True, "editCourseGroup")
        plan = sb.course_group(course.course_id)
        assert plan is not None
        assert (plan.group_id, plan.name, len(plan.groups)) == (created.group_id, "Teams B", 2)
        with pytest.raises(eeo.NotFoundError) as caught:
            await client.edit_course_group(course.course_id, created.group_id + 1, "X", groups)
        assert caught.value.errno == 893
        deleted = await client.del_course_group(course.course_id, created.group_id)
        assert deleted.ok
        assert sb.course_group(course.course_id) is None
        with pytest.raises(eeo.NotFoundError):
            await client.del_course_group(course.course_id, created.group_id)


async def test_delete_group_is_not_resent_after_a_lost_answer() -> None:
    """delCourseGroup is not repeated where the server may have acted: the error is raised."""
    calls = 0

    async def handle(request: MockRequest) -> Any:
        nonlocal calls
        calls += 1
        raise eeo.RequestTimeoutError("delCourseGroup", "timed out")

    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        with pytest.raises(eeo.TransportError):
            await client.del_course_group(1, 2)
    assert calls == 1


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([], "empty"),
        ([[eeo.GroupMember(1)]], "exactly one leader"),
        ([[eeo.GroupMember(1, True)], [eeo.GroupMember(1, True)]], "again"),
    ],
)
async def test_edit_group_rules_before_sending(groups: Any, message: str) -> None:
    """edit_course_group refuses broken group rules before anything is sent."""

    async def handle(request: MockRequest) -> Any:
        raise AssertionError("nothing should be sent")

    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        with pytest.raises(eeo.InputError, match=message):
            await client.edit_course_group(1, 2, "Teams", groups)


async def test_register_gives_uids_also_when_already_registered(eeo_sandbox: Sandbox) -> None:
    """New accounts get UIDs; a known one answers 135/461 with its UID, ok and already."""
    sb = eeo_sandbox
    known = sb.register_directly("known@example.com", "whatever1")
    users = [
        eeo.NewUser(telephone="15800000001", password=PASSWORD, add_to_school="student"),
        eeo.NewUser(email="known@example.com", md5_password="e" * 32),
        eeo.NewUser(telephone="001-8006437676", password=PASSWORD, custom_column="row 3"),
    ]
    async with client_for(sb) as client:
        statuses = await client.register_multiple(users)
        assert [(s.errno, s.ok, s.already) for s in statuses] == [
            (1, True, False),
            (461, True, True),
            (1, True, False),
        ]
        assert statuses[1].uid == known
        assert statuses[2].custom_column == "row 3"
        new_uid = statuses[0].uid
        assert new_uid is not None
        assert new_uid in sb.school_students()
        assert sb.password_matches("15800000001", PASSWORD)
        again = await client.register_multiple(users[:1])
        assert (again[0].errno, again[0].uid, again[0].already) == (135, new_uid, True)


async def test_register_sends_the_password_only_in_its_field(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A plain password goes in ``password`` as given; never in logs, reprs or errors."""
    seen: list[dict[str, str]] = []

    async def handle(request: MockRequest) -> Any:
        seen.append(dict(request.form))
        data = [{"data": 7, "telephone": "15800000001", "errno": 1, "error": "ok"}]
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}

    user = eeo.NewUser(telephone="15800000001", password=PASSWORD)
    caplog.set_level(logging.DEBUG, logger="eeo_async")
    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        (status,) = await client.register_multiple([user])
    assert status.uid == 7
    (entry,) = json.loads(seen[0]["userJson"])
    assert entry == {"telephone": "15800000001", "password": PASSWORD}
    assert PASSWORD not in repr(user) + str(user) + repr(status) + caplog.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": PASSWORD}, "exactly one of telephone and email"),
        ({"telephone": "1", "email": "a@b.cn", "password": PASSWORD}, "exactly one"),
        ({"telephone": "15800000001"}, "exactly one of password and md5_password"),
        ({"telephone": "15800000001", "password": "12345"}, "6 to 20"),
        ({"telephone": "15800000001", "password": "x" * 21}, "6 to 20"),
        ({"telephone": "15800000001", "md5_password": "E" * 32}, "32 lower-case hex"),
        ({"telephone": "05800000001", "password": PASSWORD}, "telephone"),
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"email": "a@b.cn", "password": PASSWORD, "nickname": "n" * 25}, "at most 24"),
        ({"email": "a@b.cn", "password": PASSWORD, "custom_column": "c" * 51}, "at most 50"),
        ({"email": "a@b.cn", "password": PASSWORD, "add_to_school": "parent"}, "add_to_school"),
        ({"email": "a@b.cn", "password": 12345678}, "must be a str"),
    ],
)
def test_bad_new_user_is_refused_without_quoting_the_password(
    fields: dict[str, Any], message: str
) -> None:
    """A NewUser breaking a documented rule is refused, and the error never shows the password."""
    with pytest.raises(eeo.InputError, match=message) as caught:
        eeo.NewUser(**fields)
    assert PASSWORD not in str(caught.value)
    assert "12345678" not in str(caught.value)


async def test_register_refuses_more_than_ten_and_repeats() -> None:
    """More than 10 accounts, an account twice, or a dict instead of a NewUser: nothing is sent."""

    async def handle(request: MockRequest) -> Any:
        raise AssertionError("nothing should be sent")

    users = [eeo.NewUser(telephone=f"1580000{i:04}", password=PASSWORD) for i in range(11)]
    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        with pytest.raises(eeo.TooManyItemsError, match="at most 10"):
            await client.register_multiple(users)
        with pytest.raises(eeo.InputError, match="more than once"):
            await client.register_multiple([users[0], users[0]])
        with pytest.raises(eeo.InputTypeError) as caught:
            await client.register_multiple([{"telephone": "15800000001", "password": PASSWORD}])
        assert PASSWORD not in str(caught.value)


async def test_auditors_and_students_limits_before_sending() -> None:
    """Over 20 auditors or 30 students in one call is refused before anything is sent."""

    async def handle(request: MockRequest) -> Any:
        raise AssertionError("nothing should be sent")

    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        with pytest.raises(eeo.TooManyItemsError, match="at most 20"):
            await client.add_course_student_multiple(1, range(1, 22), identity="auditor")
        with pytest.raises(eeo.TooManyItemsError, match="at most 30"):
            await client.add_course_student_multiple(1, range(1, 32))
        with pytest.raises(eeo.TooManyItemsError, match="at most 30"):
            await client.add_class_student_multiple(1, 2, range(1, 32))
        with pytest.raises(eeo.InputError, match="identity"):
            await client.add_course_student_multiple(1, [2], identity=3)


async def test_course_takes_at_most_twenty_auditors(eeo_sandbox: Sandbox) -> None:
    """The sandbox answers 130 for an auditor past the course's 20."""
    sb = eeo_sandbox
    people = sb.add_students(21)
    course = sb.add_course(lessons=1)
    async with client_for(sb) as client:
        first = await client.add_course_student_multiple(
            course.course_id, people[:20], identity="auditor"
        )
        assert all(s.errno == 1 for s in first)
        (last,) = await client.add_course_student_multiple(
            course.course_id, people[20:], identity="auditor"
        )
        assert last.errno == 130


def test_student_objects_and_users_forms() -> None:
    """studentJson carries string UIDs; userJson keys an account by telephone or email."""
    assert _wire.STUDENT_OBJECTS.text([1001001, 2]) == '[{"uid":"1001001"},{"uid":"2"}]'
    user = eeo.NewUser(email="a@b.cn", md5_password="0" * 32)
    assert user_area.USERS.key(user) == "a@b.cn"
    assert user_area.REGISTER_MULTIPLE.max_items == 10


def _decode(row: Any, body: bytes, count: int = 0) -> Any:
    """Decode ``body`` as ``row``'s answer to ``count`` items (the client's two steps)."""
    return row.decode(row, v1.answer(row.action, body), range(count))


def test_decode_the_documented_family_samples() -> None:
    """The docs' sample answers decode: registerMultiple's UID, the customColumn string."""
    samples = Path(__file__).parent / "samples"
    body = (samples / "register_multiple_success.json").read_bytes()
    (status,) = _decode(user_area.REGISTER_MULTIPLE, body, 1)
    assert (status.errno, status.uid, status.ok) == (1, 19820374, True)
    row = courses.ADD_COURSE_STUDENT_MULTIPLE
    body = (samples / "course_student_multiple_success.json").read_bytes()
    (status,) = _decode(row, body, 1)
    assert (status.errno, status.custom_column) == (1, "123")
    done = _decode(groups.DEL_COURSE_GROUP, b'{"error_info":{"errno":1,"error":"ok"}}')
    assert done.ok
    with pytest.raises(eeo.NotFoundError):
        _decode(groups.DEL_COURSE_GROUP, b'{"error_info":{"errno":893,"error":"x"}}')


@given(
    st.lists(
        st.builds(
            eeo.NewUser,
            email=st.from_regex(r"[a-z0-9.+_-]{1,10}@[a-z]{1,8}\.[a-z]{2,4}", fullmatch=True),
            password=st.text(min_size=6, max_size=20),
            nickname=st.none() | st.text(min_size=1, max_size=24).filter(str.strip),
        ),
        max_size=10,
    )
)
def test_users_quoted_form_equals_quote_plus(users: list[eeo.NewUser]) -> None:
    """userJson's chunk form equals quote_plus of its JSON text, whatever the characters."""
    from urllib.parse import quote_plus

    assert user_area.USERS.quoted(users) == quote_plus(user_area.USERS.text(users))
    assert [json.loads(user_area.USERS.text(users))] == [[u.to_wire() for u in users]]


async def test_plain_password_is_not_sent_over_plain_http() -> None:
    """A plain password is refused for a non-loopback http server; an MD5 one is sent."""
    sent: list[str] = []

    async def handle(request: MockRequest) -> Any:
        sent.append(request.action)
        data = [{"data": 9, "errno": 1, "error": "ok"}]
        return {"error_info": {"errno": 1, "error": "ok"}, "data": data}

    transport = MockTransport(handle)
    async with eeo.Client(1, "s", base_url="http://api.example.test", transport=transport) as c:
        with pytest.raises(eeo.InputError, match="only over https") as caught:
            await c.register_multiple([eeo.NewUser(email="a@b.cn", password=PASSWORD)])
        assert PASSWORD not in str(caught.value)
        assert sent == []
        (status,) = await c.register_multiple([eeo.NewUser(email="a@b.cn", md5_password="a" * 32)])
    assert (status.uid, sent) == (9, ["registerMultiple"])


def test_new_user_reads_the_docs_wire_values() -> None:
    """A numeric telephone reads as its digits; addToSchoolMember's 1/2/0 as the roles."""
    user = eeo.NewUser(telephone=18516900101, password="123456", add_to_school=1)
    assert (user.telephone, user.add_to_school) == ("18516900101", "student")
    assert eeo.NewUser(email="a@b.cn", password="123456", add_to_school=2).add_to_school == (
        "teacher"
    )
    assert eeo.NewUser(email="a@b.cn", password="123456", add_to_school=0).add_to_school is None
    with pytest.raises(eeo.InputError, match="add_to_school"):
        eeo.NewUser(email="a@b.cn", password="123456", add_to_school=3)
