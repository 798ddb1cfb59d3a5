"""The enrolment family's Batcher verbs end to end against the sandbox, and their plans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eeo_async as eeo
from eeo_async.testing import Sandbox

PASSWORD = "Pa55word-sEcret"  # a test value whose absence from outputs is checked


def batcher_for(sb: Sandbox, **kwargs: Any) -> tuple[eeo.Client, eeo.Batcher]:
    client = eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, initial_backoff=0, max_backoff=0)
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return client, eeo.Batcher(client, **kwargs)


def users(count: int, start: int = 0) -> list[eeo.NewUser]:
    return [
        eeo.NewUser(telephone=f"1390000{i:04}", password=PASSWORD, add_to_school="student")
        for i in range(start, start + count)
    ]


async def test_register_keys_by_account_and_feeds_uids_on(eeo_sandbox: Sandbox) -> None:
    """register reports each account's UID (also when already registered) for the next job."""
    sb = eeo_sandbox
    new = users(23)
    known_uid = sb.register_directly(new[5].account, "old-password")
    client, batcher = batcher_for(sb)
    async with client:
        report = await batcher.register([*new, new[0]])
        assert report.duplicates == 1
        assert list(report.items) == [u.account for u in new]
        assert report.calls == 3  # 10 a call
        assert (report.succeeded, report.already) == (22, 1)
        assert report.items[new[5].account].uid == known_uid
        for user in new:
            account = sb.account(user.account)
            assert account is not None
            assert report.items[user.account].uid == account.uid
        uids = [item.uid for item in report.items.values()]
        course = sb.add_course(lessons=1)
        joined = await batcher.add_students_to_course(course.course_id, uids)
        assert joined.ok
        assert sb.course_members(course.course_id) == set(uids)
    text = report.to_json()
    assert PASSWORD not in text
    again = eeo.BatchReport.from_json(text)
    assert again.items[new[0].account].uid == report.items[new[0].account].uid
    assert [r["uid"] for r in again.to_records()] == uids


async def test_register_report_as_csv_keeps_digit_accounts_and_uids(
    eeo_sandbox: Sandbox, tmp_path: Path
) -> None:
    """A CSV register report reads back with telephone keys as text and each UID."""
    client, batcher = batcher_for(eeo_sandbox)
    async with client:
        report = await batcher.register(users(3))
    path = tmp_path / "register.csv"
    report.to_csv(path)
    assert PASSWORD not in path.read_text(encoding="utf-8")
    loaded = eeo.BatchReport.load(path)
    assert list(loaded.items) == list(report.items)
    assert loaded.items["13900000001"].uid == report.items["13900000001"].uid


async def test_course_students_added_and_removed_in_chunks(eeo_sandbox: Sandbox) -> None:
    """Students join a course 30 a call and leave 100 a call; 163 and 162 are already."""
    sb = eeo_sandbox
    students = sb.add_students(130)
    course = sb.add_course(lessons=1)
    sb.add_course_members(course.course_id, students[:5])
    client, batcher = batcher_for(sb)
    async with client:
        added = await batcher.add_students_to_course(course.course_id, students)
        assert (added.succeeded, added.already, added.calls) == (125, 5, 5)
        assert sb.stats.max_items_per_call["addCourseStudentMultiple"] == 30
        leaving = students[:110] + sb.add_students(2)
        removed = await batcher.remove_students_from_course(course.course_id, leaving)
        assert (removed.succeeded, removed.already, removed.calls) == (110, 2, 2)
        assert removed.action == "delCourseStudentMultiple"
    assert sb.course_members(course.course_id) == set(students[110:])


async def test_auditors_through_the_batcher(eeo_sandbox: Sandbox) -> None:
    """Auditors join with identity 'auditor'; more than 20 are refused before sending."""
    sb = eeo_sandbox
    people = sb.add_students(21)
    course = sb.add_course(lessons=1)
    client, batcher = batcher_for(sb)
    async with client:
        with pytest.raises(eeo.TooManyItemsError, match="at most 20"):
            await batcher.add_students_to_course(course.course_id, people, identity="auditor")
        assert sum(sb.stats.requests.values()) == 0
        report = await batcher.add_students_to_course(
            course.course_id, people[:20], identity="auditor"
        )
        assert report.ok
        out = await batcher.remove_students_from_course(course.course_id, people[:3], identity=2)
        assert out.ok
    assert sb.course_members(course.course_id, identity="auditor") == set(people[3:20])


async def test_students_added_to_one_lesson(eeo_sandbox: Sandbox) -> None:
    """add_students_to_lesson is keyed by student, 30 a call; 166 is already."""
    sb = eeo_sandbox
    students = sb.add_students(70)
    course = sb.add_course(lessons=1)
    (lesson,) = course.class_ids
    sb.enroll_directly(lesson, students[:2])
    client, batcher = batcher_for(sb)
    async with client:
        report = await batcher.add_students_to_lesson(course.course_id, lesson, students)
    assert list(report.items) == students
    assert (report.succeeded, report.already, report.calls) == (68, 2, 3)
    assert report.target == {"class_id": lesson}
    assert sb.lesson_members(lesson) == set(students)


async def test_unenroll_removes_every_pair(eeo_sandbox: Sandbox) -> None:
    """unenroll is keyed by (student, lesson), sent lesson by lesson; 167 is already."""
    sb = eeo_sandbox
    students = sb.add_students(5)
    course = sb.add_course(lessons=3)
    for lesson in course.class_ids:
        sb.enroll_directly(lesson, students[1:])
    client, batcher = batcher_for(sb)
    async with client:
        report = await batcher.unenroll(course.course_id, students, course.class_ids)
    assert list(report.items) == [(s, c) for s in students for c in course.class_ids]
    assert report.action == "delClassStudentMultiple"
    assert (report.succeeded, report.already, report.calls) == (12, 3, 3)
    for (student, lesson), item in report.items.items():
        assert item.already == (student == students[0])
        assert student not in sb.lesson_members(lesson)


@pytest.mark.parametrize(
    ("students", "lessons", "action", "calls"),
    [
        (3, 5, "addCourseClassStudent", 3),  # fewer lessons than students: by student
        (60, 2, "addClassStudentMultiple", 4),  # many students, few lessons: by lesson
        (4, 4, "addCourseClassStudent", 4),  # a tie goes by student
    ],
)
async def test_enroll_chooses_fewer_calls_and_reports_the_same(
    eeo_sandbox: Sandbox, students: int, lessons: int, action: str, calls: int
) -> None:
    """enroll picks the action needing fewer calls, says which, and reports the same keys."""
    sb = eeo_sandbox
    uids = sb.add_students(students)
    course = sb.add_course(lessons=lessons)
    finished = course.class_ids[-1]
    sb.finish_lesson(finished)
    sb.enroll_directly(course.class_ids[0], uids[:1])
    client, batcher = batcher_for(sb)
    planned = batcher.plan(
        "enroll", course_id=course.course_id, student_uids=uids, class_ids=course.class_ids
    )
    assert (planned.action, planned.calls) == (action, calls)
    async with client:
        report = await batcher.enroll(course.course_id, uids, course.class_ids)
    assert report.action == action
    assert f"via {action}" in report.summary()
    assert list(report.items) == [(s, c) for s in uids for c in course.class_ids]
    for (student, lesson), item in report.items.items():
        assert item.ok == (student in sb.lesson_members(lesson))
        assert item.already == (lesson == course.class_ids[0] and student == uids[0])
        if lesson == finished:
            assert item.errno == 145


async def test_enroll_pairs_choose_by_lesson_too(eeo_sandbox: Sandbox) -> None:
    """Pairs sharing one lesson go by lesson, in input order."""
    sb = eeo_sandbox
    uids = sb.add_students(40)
    course = sb.add_course(lessons=1)
    (lesson,) = course.class_ids
    pairs = [(s, lesson) for s in reversed(uids)]
    client, batcher = batcher_for(sb)
    async with client:
        report = await batcher.enroll_pairs(course.course_id, pairs)
    assert list(report.items) == pairs
    assert (report.action, report.calls, report.ok) == ("addClassStudentMultiple", 2, True)
    assert sb.lesson_members(lesson) == set(uids)


@pytest.mark.parametrize(
    ("name", "arguments", "action", "items", "calls"),
    [
        ("add_students_to_course", {"course_id": 1, "student_uids": range(1, 62)}, None, 61, 3),
        ("remove_students_from_course", {"course_id": 1, "student_uids": [1, 1, 2]}, None, 2, 1),
        (
            "add_students_to_lesson",
            {"course_id": 1, "class_id": 2, "student_uids": [3]},
            None,
            1,
            1,
        ),
        ("unenroll", {"course_id": 1, "student_uids": [1, 2], "class_ids": [3, 4]}, None, 4, 2),
        ("register", {"users": users(25)}, "registerMultiple", 25, 3),
    ],
)
def test_every_new_verb_plans_a_dry_run(
    name: str, arguments: dict[str, Any], action: str | None, items: int, calls: int
) -> None:
    """Batcher.plan works out each new verb's calls without sending anything."""
    client = eeo.Client(1, "s", transport=eeo.testing.MockTransport(_refuse))
    planned = eeo.Batcher(client).plan(name, **arguments)
    assert (planned.items, planned.calls) == (items, calls)
    if action is not None:
        assert planned.action == action


async def _refuse(request: Any) -> Any:
    raise AssertionError("a dry run sends nothing")


async def test_new_verbs_take_skip_on_items_on_start_and_progress(
    eeo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    """skip, on_items, on_start and progress work for the new verbs as for the others."""
    sb = eeo_sandbox
    accounts = users(4)
    seen: list[Any] = []
    starts: list[Any] = []
    skip = {accounts[0].account: eeo.ItemResult(1, "from the journal", 1, uid=42)}
    client, batcher = batcher_for(sb)
    async with client:
        report = await batcher.register(
            accounts, skip=skip, on_items=seen.extend, on_start=starts.append, progress=True
        )
    assert starts == [report]
    assert report.items[accounts[0].account].uid == 42
    assert sb.account(accounts[0].account) is None  # skipped: never sent
    assert sorted(key for key, _ in seen) == sorted(u.account for u in accounts[1:])
    assert all(result.uid for _, result in seen)
    assert "4/4" in capsys.readouterr().err


def test_unknown_operation_lists_the_new_verbs() -> None:
    """An unknown operation's error lists every verb, the new ones included."""
    client = eeo.Client(1, "s", transport=eeo.testing.MockTransport(_refuse))
    with pytest.raises(eeo.InputError, match=r"register.*enroll_pairs"):
        eeo.Batcher(client).plan("enrol")


async def test_register_refuses_plain_passwords_over_plain_http() -> None:
    """The register verb, like the Client, sends a plain password only over https."""
    client = eeo.Client(
        1, "s", base_url="http://api.example.test", transport=eeo.testing.MockTransport(_refuse)
    )
    with pytest.raises(eeo.InputError, match="only over https"):
        await eeo.Batcher(client).register(iter(users(2)))


@settings(max_examples=50, deadline=None)
@given(
    students=st.integers(min_value=1, max_value=400),
    lessons=st.integers(min_value=1, max_value=400),
    chunk_size=st.integers(min_value=1, max_value=100),
)
def test_enroll_plans_the_fewer_calls(students: int, lessons: int, chunk_size: int) -> None:
    """The planned calls are the fewer of by student and by lesson; a tie goes by student."""
    client = eeo.Client(1, "s", transport=eeo.testing.MockTransport(_refuse))
    planned = eeo.Batcher(client, chunk_size=chunk_size).plan(
        "enroll", course_id=1, student_uids=range(1, students + 1), class_ids=range(1, lessons + 1)
    )
    by_student = students * -(-lessons // min(chunk_size, 100))
    by_lesson = lessons * -(-students // min(chunk_size, 30))
    assert planned.calls == min(by_student, by_lesson)
    expected = "addCourseClassStudent" if by_student <= by_lesson else "addClassStudentMultiple"
    assert planned.action == expected
    assert planned.items == students * lessons
