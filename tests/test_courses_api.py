"""Courses, course members and teachers, labels: typed methods on MockTransport."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from courses_fake import FakeCreations, answer, returning

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockTransport, set_testing


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


def client(handler: Any) -> tuple[eeo.Client, MockTransport]:
    transport = MockTransport(handler)
    return eeo.Client(1234567, "a-secret-of-a-school", transport=transport), transport


async def test_add_course_sends_an_identity_derived_from_name_and_settings() -> None:
    """The same course always sends the same identity; another name another one."""
    fake = FakeCreations()
    api, transport = client(fake.handler)
    first = await api.add_course("Physics 7A", folder_id=5, allow_add_friend=True)
    again = await api.add_course("Physics 7A", folder_id="5", allow_add_friend=1)
    other = await api.add_course("Physics 7B", folder_id=5, allow_add_friend=True)
    sent = [r.fields["courseUniqueIdentity"] for r in transport.requests]
    assert sent[0] == sent[1] != sent[2]
    assert all(len(s) == 32 and s.startswith("c") for s in sent)
    assert transport.requests[0].fields["allowAddFriend"] == "1"
    assert (first.course_id, first.already, first.ok) == (5000, False, True)
    assert (again.course_id, again.already, again.ok) == (5000, True, True)
    assert other.course_id == 5001
    assert fake.creations == [sent[0], sent[2]]


async def test_add_course_lost_answer_retries_with_the_same_identity() -> None:
    """A lost answer is retried with the same identity: one course, its ID returned."""
    fake = FakeCreations(lose=1)
    api, transport = client(fake.handler)
    result = await api.add_course("Chemistry", unique_identity=532512)
    assert [r.fields["courseUniqueIdentity"] for r in transport.requests] == ["532512"] * 2
    assert len(fake.creations) == 1
    assert result.course_id == 5000
    assert result.errno == eeo.Errno.IDENTITY_EXISTS
    assert result.ok


@pytest.mark.parametrize("repeat", ["earlier_id", "refuse", "ok"])
async def test_a_repeated_course_identity_is_never_a_failure(repeat: str) -> None:
    """398 with or without the ID, or errno 1 with the earlier ID: one course, ok."""
    fake = FakeCreations(repeat=repeat)
    api, _ = client(fake.handler)
    await api.add_course("Biology", unique_identity="bio-2026")
    again = await api.add_course("Biology", unique_identity="bio-2026")
    assert again.ok
    assert len(fake.creations) == 1
    assert again.course_id == (None if repeat == "refuse" else 5000)
    assert again.already is (repeat != "ok")


async def test_add_course_without_identity_is_not_sent_again() -> None:
    """unique_identity=False sends none; after a lost answer the error says to check."""
    fake = FakeCreations(lose=1)
    api, transport = client(fake.handler)
    with pytest.raises(eeo.RequestTimeoutError, match="check"):
        await api.add_course("History", unique_identity=False)
    assert len(transport.requests) == 1
    assert "courseUniqueIdentity" not in transport.requests[0].fields


async def test_add_course_without_identity_is_not_resent_after_104() -> None:
    """104 may have acted: without an identity the call is not sent again."""
    api, transport = client(returning(answer(104)))
    with pytest.raises(eeo.ServerBusyError, match="check before"):
        await api.add_course("Art", unique_identity=False)
    assert len(transport.requests) == 1


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"course_name": "x" * 91}, "at most 90"),
        ({"course_name": "ok", "expiry_time": int(time.time()) - 10}, "a day to 5 years"),
        ({"course_name": "ok", "expiry_time": int(time.time()) + 6 * 365 * 86400}, "5 years"),
        ({"course_name": "ok", "subject_id": 17}, "subject_id"),
        ({"course_name": "ok", "unique_identity": "x" * 33}, "1 to 32"),
        ({"course_name": "ok", "unique_identity": " lead"}, "spaces"),
        ({"course_name": "ok", "main_teacher_uid": "abc"}, "main_teacher_uid"),
        ({"course_name": "ok", "filedata": "/no/such/cover.png"}, "cannot read"),
    ],
)
async def test_add_course_refuses_bad_input_before_sending(
    kwargs: dict[str, Any], text: str
) -> None:
    """A bad value is refused naming it, and nothing is sent."""
    api, transport = client(returning(answer(1, 1)))
    with pytest.raises(eeo.InputError, match=text):
        await api.add_course(**kwargs)
    assert transport.requests == []


async def test_add_course_uploads_a_cover_and_takes_an_aware_expiry(tmp_path: Any) -> None:
    """A cover goes as the multipart file part; an aware expiry as Unix seconds."""
    cover = tmp_path / "cover.png"
    cover.write_bytes(b"\x89PNG" + b"0" * 100)
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    api, transport = client(returning(answer(1, 77)))
    result = await api.add_course("Music", filedata=cover, expiry_time=expiry)
    sent = transport.requests[0]
    assert sent.file == ("Filedata", "cover.png", 104)
    assert int(sent.form["expiryTime"]) == int(expiry.timestamp())
    assert result.course_id == 77


async def test_add_course_refuses_errno_1_without_an_id() -> None:
    """Errno 1 without a course ID is not a course: DataMismatchError."""
    api, _ = client(returning(answer(1)))
    with pytest.raises(eeo.DataMismatchError, match="course ID"):
        await api.add_course("Nothing")


async def test_edit_course_sends_only_what_is_given_and_is_retried() -> None:
    """Edits send given fields only, 0 expires never, and 114 is retried (set-to-value)."""
    api, transport = client(returning(answer(114), answer(1)))
    result = await api.edit_course(9, course_name="New", expiry_time=0, stamp=2)
    assert result.ok
    assert len(transport.requests) == 2
    assert transport.requests[1].fields == {
        "courseId": "9",
        "courseName": "New",
        "expiryTime": "0",
        "stamp": "2",
    }
    with pytest.raises(eeo.InputError, match="cat_id needs course_name"):
        await api.edit_course(9, cat_id=3)
    with pytest.raises(eeo.InputError, match="at most 40"):
        await api.edit_course(9, course_name="y" * 41)


async def test_end_course_repeat_answering_146_is_already() -> None:
    """A lost end is retried; 146 (course ended) then means it is ended: ok, already."""
    answers = iter([eeo.RequestTimeoutError("endCourse", "lost"), answer(146)])

    def handler(request: MockRequest) -> Any:
        item = next(answers)
        if isinstance(item, Exception):
            raise item
        return item

    api, _ = client(handler)
    result = await api.end_course(3)
    assert (result.ok, result.already, result.attempts) == (True, True, 2)
    api, _ = client(returning(answer(394)))
    with pytest.raises(eeo.ApiError, match="394"):
        await api.end_course(3)


async def test_one_course_member_at_a_time() -> None:
    """163 and 162 are already; 841 is a side answer; a student's name is refused."""
    api, transport = client(returning(answer(163), answer(841), answer(162)))
    added = await api.add_course_student(1, 2)
    audited = await api.add_course_student(1, 3, identity="auditor", student_name="Li")
    removed = await api.del_course_student(1, 2)
    assert (added.ok, added.already) == (True, True)
    assert (audited.ok, audited.side, audited.already) == (True, True, False)
    assert (removed.ok, removed.already) == (True, True)
    assert transport.requests[1].fields == {
        "courseId": "1",
        "identity": "2",
        "studentUid": "3",
        "studentName": "Li",
    }
    with pytest.raises(eeo.InputError, match="auditor"):
        await api.add_course_student(1, 2, student_name="Li")


async def test_modify_course_teacher_gives_one_status_per_lesson_changed() -> None:
    """Each changed lesson is a status with its class ID; 188 is an empty list."""
    data = [{"classId": "1395045", "errno": 1, "error": "ok"}, {"classId": 7, "errno": 189}]
    api, _ = client(returning(answer(1, data), answer(188)))
    statuses = await api.modify_course_teacher(1, 2)
    assert [(s.id, s.errno, s.ok) for s in statuses] == [(1395045, 1, True), (7, 189, False)]
    assert await api.modify_course_teacher(1, 2) == []


async def test_remove_course_teacher_316_is_already_and_317_refused() -> None:
    """316 (not on the list) is already; 317 (unfinished lessons) is an ApiError."""
    api, _ = client(returning(answer(316), answer(317)))
    removed = await api.remove_course_teacher(1, 2)
    assert (removed.ok, removed.already) == (True, True)
    with pytest.raises(eeo.ApiError, match="unfinished lessons"):
        await api.remove_course_teacher(1, 2)


async def test_add_course_teacher_is_v2_and_matched_by_teacher_uid() -> None:
    """The v2 body holds string UIDs; answers in any order are matched by teacherUid."""
    data = [
        {"teacherUid": 504028, "code": 133, "msg": "exists"},
        {"teacherUid": 504026, "code": 387, "msg": "stopped"},
    ]
    api, transport = client(lambda r: {"code": 1, "msg": "ok", "data": data})
    statuses = await api.add_course_teacher(414193, [504026, "504028"])
    sent = transport.requests[0]
    assert sent.generation == 2
    assert sent.path == "/course/addCourseTeacher"
    assert sent.json == {"courseId": 414193, "teacherUids": ["504026", "504028"]}
    assert [(s.errno, s.ok, s.already) for s in statuses] == [
        (387, False, False),
        (133, True, True),
    ]


async def test_course_labels_are_matched_by_course_and_checked_first() -> None:
    """A dict of labels goes as courseList; answers match by courseId; >10 labels refused."""
    data = [
        {"customColumn": "", "courseId": 2, "errno": 399, "error": "too many"},
        {"customColumn": "", "courseId": 1, "errno": 1, "error": "ok"},
    ]
    api, transport = client(returning(answer(1, data)))
    statuses = await api.add_course_labels({1: [5, 6], "2": []})
    assert transport.requests[0].json_field("courseList") == [
        {"courseId": 1, "labelIds": [5, 6]},
        {"courseId": 2, "labelIds": []},
    ]
    assert [(s.errno, s.ok) for s in statuses] == [(1, True), (399, False)]
    with pytest.raises(eeo.InputError, match="at most 10"):
        await api.add_course_labels({1: range(1, 12)})
    with pytest.raises(eeo.InputError, match="twice"):
        await api.add_course_labels([(1, [5, 5])])
    assert len(transport.requests) == 1


async def test_lesson_labels_go_as_class_list() -> None:
    """Lesson labels go as classList entries {classId, classLabelId}."""
    data = [{"classId": 8, "errno": 357, "error": "x"}, {"classId": 9, "errno": 1, "error": "y"}]
    api, transport = client(returning(answer(1, data)))
    statuses = await api.add_class_labels(1, [(8, [1] * 1), (9, [])])
    assert transport.requests[0].json_field("classList") == [
        {"classId": 8, "classLabelId": [1]},
        {"classId": 9, "classLabelId": []},
    ]
    assert [s.errno for s in statuses] == [357, 1]


async def test_label_verbs_take_any_number() -> None:
    """set_course_labels sends 100 courses a call; set_lesson_labels keys by class_id."""

    def handler(request: MockRequest) -> Any:
        if request.generation == 2:
            uids = request.json["teacherUids"]
            return {"code": 1, "msg": "", "data": [{"teacherUid": u, "code": 1} for u in uids]}
        field = "courseList" if request.action == "addCourseLabels" else "classList"
        key = "courseId" if field == "courseList" else "classId"
        entries = request.json_field(field)
        return answer(1, [{key: e[key], "errno": 1, "error": "ok"} for e in entries])

    api, transport = client(handler)
    batcher = eeo.Batcher(api)
    report = await batcher.set_course_labels({c: [1, 2] for c in range(1, 251)})
    assert report.ok
    assert report.key_fields == ("course_id",)
    assert sorted(len(r.json_field("courseList")) for r in transport.requests) == [50, 100, 100]
    lessons = await batcher.set_lesson_labels(7, [(c, []) for c in range(10, 20)])
    assert lessons.ok
    assert list(lessons.items)[:2] == [10, 11]
    teachers = await batcher.add_teachers_to_course(7, [1, 2, 2])
    assert (teachers.total, teachers.duplicates) == (2, 1)


async def test_label_answers_without_an_id_are_read_by_position() -> None:
    """An entry naming no course is its position's; one naming a course not sent is refused."""
    data = [{"errno": 144, "error": "x"}, {"courseId": 1, "errno": 1, "error": "ok"}]
    api, _ = client(returning(answer(1, data), answer(1, [{"courseId": 9, "errno": 1}] * 2)))
    statuses = await api.add_course_labels([(2, []), (1, [3])])
    assert [s.errno for s in statuses] == [144, 1]
    with pytest.raises(eeo.DataMismatchError, match="names 9"):
        await api.add_course_labels([(2, []), (1, [3])])
