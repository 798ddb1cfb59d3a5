"""The LMS and double-teacher rows on the wire: v2 bodies, signing, identities, decoders."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async._api import classrooms, double_teacher, lms, registry
from eeo_async._codes import ALREADY_ANY, Errno, LocalErrno
from eeo_async._wire import v2
from eeo_async.testing import MockRequest, MockTransport, set_testing

START = 1_900_000_000
HEX32 = re.compile(r"[0-9a-f]{32}")


def body(row: eeo.Endpoint, **values: Any) -> dict[str, Any]:
    """The JSON object the row sends for these values."""
    encoded = v2.encode(row, row.build(values))
    parsed: dict[str, Any] = json.loads(encoded.json)
    return parsed


def test_the_docs_signing_vector() -> None:
    """signature.txt's worked string: courseId=132323, sid 1000082, its time and key."""
    sign = v2.signature([("courseId", "132323")], 1000082, 1673949471, "Mb71234")
    assert sign == "d0d99023aa44549f97dfe9523059f0c3"


def test_every_v2_action_has_a_row() -> None:
    """The 11 LMS and 3 double-teacher actions of the docs each have a v2 row at their path."""
    paths = {
        "createUnit": "/lms/unit/create",
        "updateUnit": "/lms/unit/update",
        "deleteUnit": "/lms/unit/delete",
        "moveActivity": "/lms/unit/move",
        "createActivityNoClass": "/lms/activity/createActivityNoClass",
        "createClassroom": "/lms/activity/createClass",
        "updateClassroom": "/lms/activity/updateClass",
        "releaseActivity": "/lms/activity/release",
        "deleteActivity": "/lms/activity/delete",
        "addStudent": "/lms/activity/addStudent",
        "deleteStudent": "/lms/activity/deleteStudent",
        "addClass": "/lms/onlineDoubleTeacher/addClass",
        "editClass": "/lms/onlineDoubleTeacher/editClass",
        "deleteClass": "/lms/onlineDoubleTeacher/deleteClass",
    }
    for action, path in paths.items():
        row = registry.ROWS[action]
        assert (row.generation, row.path) == (2, path), action


def test_bodies_are_the_docs_samples() -> None:
    """Each row sends its page's sample body (the same fields, by the wire names)."""
    assert body(lms.CREATE_UNIT, course_id=414193, name="创建单元", content="单元内容描述") == {
        "courseId": 414193,
        "name": "创建单元",
        "content": "单元内容描述",
        "publishFlag": 2,
    }
    assert body(
        lms.UPDATE_UNIT,
        course_id=414193,
        unit_id=26020895,
        name="编辑单元",
        content="编辑单元内容描述",
        publish_flag=2,
    ) == {
        "courseId": 414193,
        "unitId": 26020895,
        "name": "编辑单元",
        "content": "编辑单元内容描述",
        "publishFlag": 2,
    }
    assert body(lms.DELETE_UNIT, course_id=414193, unit_id="26020898") == {
        "courseId": 414193,
        "unitId": 26020898,
    }
    assert body(lms.MOVE_ACTIVITY, course_id=414193, unit_id=26020700, to_unit_id=26020897) == {
        "courseId": 414193,
        "unitId": 26020700,
        "toUnitId": 26020897,
    }
    assert body(
        lms.CREATE_ACTIVITY_NO_CLASS,
        course_id=414193,
        unit_id=22360790,
        activity_type=2,
        name="创建作业草稿",
        teacher_uid=1006368,
        start_time=1724134581,
        end_time=1724138181,
    ) == {
        "courseId": 414193,
        "unitId": 22360790,
        "activityType": 2,
        "name": "创建作业草稿",
        "teacherUid": 1006368,
        "startTime": 1724134581,
        "endTime": 1724138181,
    }
    for action, sample in (("deleteActivity", 25096096), ("releaseActivity", 25096096)):
        row = registry.ROWS[action]
        name = "activity_ids" if row.items else "activity_id"
        value: object = [sample] if row.items else sample
        sent = body(row, course_id=414193, **{name: value})
        # releaseActivity: the table's activityIds array (its samples send one activityId).
        assert sent == {"courseId": 414193, row.params[1].wire: value}, action
    members = {"courseId": 414193, "activityId": 25096097, "studentUids": ["504026", "504028"]}
    for row in (lms.ADD_STUDENT, lms.DELETE_STUDENT):
        # The table types studentUids as array[string]; the samples send numbers.
        assert body(row, course_id=414193, activity_id=25096097, student_uids=[504026, 504028]) == (
            members
        )
    assert body(double_teacher.DELETE_CLASS, course_id=2337435, class_id=4157055) == {
        "courseId": 2337435,
        "classId": 4157055,
    }


def test_create_classroom_sends_the_sample_and_an_identity() -> None:
    """createClassroom's sample body goes out as is, with a derived 32-character identity."""
    room = eeo.NewClassroom(
        "api创建课堂",
        409864,
        START,
        START + 6000,
        unit_id=26020897,
        live_state=1,
        open_state=1,
        record_state=1,
        record_type=0,
    )
    sent = body(lms.CREATE_CLASSROOM, course_id=414193, **room.values(414193))
    identity = sent.pop("uniqueIdentity")
    assert HEX32.fullmatch(identity)
    assert sent == {
        "courseId": 414193,
        "unitId": 26020897,
        "name": "api创建课堂",
        "teacherUid": 409864,
        "startTime": START,
        "endTime": START + 6000,
        "recordType": 0,
        "recordState": 1,
        "liveState": 1,
        "openState": 1,
    }


def test_the_bulk_row_spreads_one_classroom_at_the_top_level_and_signs_it() -> None:
    """createClassroom in bulk: the classroom's scalar fields are top-level and signed."""
    room = classrooms.with_identity(
        eeo.NewClassroom("L1", 9, START, START + 3600, assistant_uids=[7]), 5
    )
    encode = v2.chunk_encoder(classrooms.CREATE_CLASSROOMS, {"course_id": 5})
    made = encode([room])
    sent = json.loads(made.json)
    assert list(sent)[:2] == ["courseId", "name"]
    assert sent["assistantUids"] == [7]
    signed = dict(made.signed)
    assert signed == {
        "courseId": "5",
        "name": "L1",
        "teacherUid": "9",
        "startTime": str(START),
        "endTime": str(START + 3600),
        "uniqueIdentity": room.unique_identity,
    }
    single = lms.CREATE_CLASSROOM.build({"course_id": 5, **room.values(5)})
    assert made == v2.encode(lms.CREATE_CLASSROOM, single)


def test_double_teacher_sub_lessons_carry_identities_derived_from_the_main_lesson() -> None:
    """addClass's sample sub-lessons go out with identities of the main lesson and course."""
    sub = eeo.NewSubClass(
        2337436,
        "2337436-subClassName",
        seat_num=7,
        is_hd=2,
        is_dc=0,
        camera_hide=0,
        is_auto_onstage=1,
        live_state=1,
        open_state=1,
        record_state=1,
        record_type=0,
        use_co_main_record=0,
    )
    subs = double_teacher.with_identities(2337435, 4157055, [sub])
    assert isinstance(subs, list)
    sent = body(
        double_teacher.ADD_CLASS, main_course_id=2337435, main_class_id=4157055, sub_classes=subs
    )
    entry = sent["subClassJson"][0]
    assert HEX32.fullmatch(entry.pop("uniqueIdentity"))
    assert entry == {
        "courseId": 2337436,
        "className": "2337436-subClassName",
        "cameraHide": 0,
        "isAutoOnstage": 1,
        "seatNum": 7,
        "isHd": 2,
        "isDc": 0,
        "useCoMainRecord": 0,
        "recordState": 1,
        "recordType": 0,
        "liveState": 1,
        "openState": 1,
    }
    again = double_teacher.with_identities(2337435, 4157055, [sub])
    other = double_teacher.with_identities(2337435, 4157056, [sub])
    assert isinstance(again, list)
    assert isinstance(other, list)
    assert again[0].unique_identity == subs[0].unique_identity != other[0].unique_identity
    with pytest.raises(eeo.InputError, match="use_co_main_record"):
        eeo.NewSubClass(1, "x", use_co_main_record=1, record_state=1, record_type=0,
                        live_state=0, open_state=0)  # fmt: skip


def test_classroom_identities_are_the_same_for_the_same_classroom_only() -> None:
    """The derived identity depends on the course and the classroom's fields, not settings."""
    room = eeo.NewClassroom("L1", 9, START, START + 3600)
    assert room.identity(1) == eeo.NewClassroom("L1", "9", START, START + 3600).identity(1)
    assert room.identity(1) == eeo.NewClassroom("L1", 9, START, START + 3600, seat_num=2).identity(
        1
    )
    assert room.identity(1) != room.identity(2)
    assert room.identity(1) != eeo.NewClassroom("L2", 9, START, START + 3600).identity(1)
    own = eeo.NewClassroom("L1", 9, START, START + 3600, unique_identity="term-1-L1")
    assert own.identity(1) == own.identity(2) == "term-1-L1"
    aware = dt.datetime.fromtimestamp(START, dt.UTC)
    assert eeo.NewClassroom("L1", 9, aware, START + 3600).start_time == START


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"end_time": START + 600}, "15 minutes"),
        ({"end_time": START - 1}, "after start_time"),
        ({"end_time": START + 25 * 3600}, "24 hours"),
        ({"record_state": 1}, "go together"),
        ({"name": "x" * 51}, "at most 50"),
        ({"start_time": dt.datetime(2030, 1, 1)}, "timezone-aware"),
        ({"unique_identity": "x" * 33}, "at most 32"),
        ({"assistant_uids": [1, 1]}, "twice"),
        ({"is_dc": 2}, "one of 0, 3"),
    ],
)
def test_a_new_classroom_refuses_what_the_docs_refuse(change: dict[str, Any], match: str) -> None:
    """Bad times, a partial recording group, long names and bad values are refused by name."""
    values: dict[str, Any] = {
        "name": "L1",
        "teacher_uid": 9,
        "start_time": START,
        "end_time": START + 3600,
    }
    values.update(change)
    with pytest.raises(eeo.InputError, match=match):
        eeo.NewClassroom(**values)


def test_rows_name_their_already_codes_from_the_pages() -> None:
    """Each "already" code of a v2 row is of the ALREADY family, and the pages' pairs hold."""
    expected = {
        "createUnit": {Errno.UNIT_EXISTS},
        "deleteUnit": {Errno.UNIT_NOT_FOUND},
        "createClassroom": {Errno.IDENTITY_EXISTS},
        "releaseActivity": {Errno.ACTIVITY_PUBLISHED},
        "deleteActivity": {Errno.ACTIVITY_DELETED},
        "addClass": {Errno.IDENTITY_EXISTS},
    }
    for action, row in registry.ROWS.items():
        if row.generation == 2 and row.path.startswith("/lms/"):
            assert row.already == expected.get(action, set()), action
            assert row.already <= ALREADY_ANY
    assert not lms.CREATE_ACTIVITY_NO_CLASS.idempotent
    assert lms.CREATE_CLASSROOM.per_minute == classrooms.CREATE_CLASSROOMS.per_minute == 1000
    assert classrooms.CREATE_CLASSROOMS.action == lms.CREATE_CLASSROOM.action  # one limit


def _client(handler: Any, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    return eeo.Client(1, "secret-secret", transport=MockTransport(handler), **kwargs)


async def test_add_student_matches_answers_by_student_uid() -> None:
    """Entries in another order go to their student; a student left out is NO_ANSWER."""

    def handler(request: MockRequest) -> dict[str, Any]:
        uids = request.json["studentUids"]
        entries = [{"studentUid": int(uid), "code": 1, "msg": "ok"} for uid in uids[1:]]
        entries[0].update(code=40030, msg="学生没在班级中")
        return {"code": 1, "msg": "ok", "data": list(reversed(entries))}

    async with _client(handler) as client:
        statuses = await client.lms.add_student(5, 6, [10, 11, 12, 13])
    assert [s.errno for s in statuses] == [LocalErrno.NO_ANSWER, 40030, 1, 1]
    assert not statuses[0].ok
    assert [s.ok for s in statuses[1:]] == [False, True, True]


async def test_an_entry_naming_a_student_not_sent_is_a_mismatch() -> None:
    """An answer about a student that was not sent is never guessed."""

    def handler(request: MockRequest) -> dict[str, Any]:
        return {"code": 1, "msg": "ok", "data": [{"studentUid": 99, "code": 1, "msg": "ok"}]}

    async with _client(handler) as client:
        with pytest.raises(eeo.DataMismatchError, match="names no item"):
            await client.lms.add_student(5, 6, [10])


async def test_created_classroom_reads_live_urls_under_either_spelling() -> None:
    """The sample's live_url/live_info and the notes' liveUrl/liveInfo both come back typed."""
    answers = iter(
        [
            {"activityId": 7, "classId": 8, "live_url": "https://l/1", "live_info": {"HLS": "h"}},
            {"activityId": 9, "classId": 10, "liveUrl": "https://l/2", "liveInfo": {"RTMP": "r"}},
            {"activityId": 11, "classId": 12, "live_url": "", "live_info": {}},
        ]
    )

    def handler(request: MockRequest) -> dict[str, Any]:
        return {"code": 1, "msg": "ok", "data": next(answers)}

    async with _client(handler) as client:
        rooms = [
            await client.lms.create_classroom(1, f"L{i}", 2, START, START + 3600) for i in range(3)
        ]
    assert [(r.activity_id, r.class_id, r.live_url) for r in rooms] == [
        (7, 8, "https://l/1"),
        (9, 10, "https://l/2"),
        (11, 12, None),
    ]
    assert rooms[0].live_info == eeo.LiveInfo(hls="h")
    assert rooms[1].live_info == eeo.LiveInfo(rtmp="r")
    assert rooms[2].live_info is None
    assert all(HEX32.fullmatch(r.unique_identity or "") for r in rooms)


async def test_a_draft_is_not_sent_again_after_a_timeout_and_the_error_says_check() -> None:
    """createActivityNoClass has no identity: one attempt after a timeout, and a hint."""
    sent: list[MockRequest] = []

    def handler(request: MockRequest) -> dict[str, Any]:
        sent.append(request)
        raise eeo.RequestTimeoutError(request.action, "no answer in 30 s")

    async with _client(handler) as client:
        with pytest.raises(eeo.RequestTimeoutError, match="check the unit before creating again"):
            await client.lms.create_activity_no_class(1, 2, 2, "Homework", 3)
    assert len(sent) == 1


async def test_a_draft_is_sent_again_after_too_frequent() -> None:
    """101003001 is answered before acting, so even a draft is sent again after it."""
    answers = iter(
        [
            {"code": 101003001, "msg": "请求频次过快", "data": None},
            {"code": 1, "msg": "ok", "data": {"name": "Homework", "activityId": 44}},
        ]
    )
    async with _client(lambda request: next(answers)) as client:
        with set_testing(True):
            draft = await client.lms.create_activity_no_class(1, 2, 2, "Homework", 3)
    assert (draft.activity_id, draft.attempts) == (44, 2)


async def test_a_draft_answered_without_its_id_says_it_may_exist() -> None:
    """The sample's answer lacks activityId: the error says the draft was probably made."""

    def handler(request: MockRequest) -> dict[str, Any]:
        return {"code": 1, "msg": "ok", "data": {"name": "Homework", "unitId": 26020895}}

    async with _client(handler) as client:
        with pytest.raises(eeo.DataMismatchError, match="check before creating it again"):
            await client.lms.create_activity_no_class(1, 2, 2, "Homework", 3)


@pytest.mark.parametrize("code", [101002005, 101002006, 101002008])
async def test_v2_signing_codes_are_bad_credentials(code: int) -> None:
    """A v2 signing refusal is BadCredentialsError and is not retried."""
    sent: list[MockRequest] = []

    def handler(request: MockRequest) -> dict[str, Any]:
        sent.append(request)
        return {"code": code, "msg": "签名异常", "data": None}

    async with _client(handler) as client:
        with pytest.raises(eeo.BadCredentialsError):
            await client.lms.delete_student(1, 2, [3])
    assert len(sent) == 1


async def test_refusals_and_inputs_before_sending() -> None:
    """Nothing to change, the same unit twice, and a partial recording group send nothing."""
    sent: list[MockRequest] = []
    async with _client(sent.append) as client:
        with pytest.raises(eeo.InputError, match="at least one"):
            await client.lms.update_unit(1, 2)
        with pytest.raises(eeo.InputError, match="same unit"):
            await client.lms.move_activity(1, 2, "2")
        with pytest.raises(eeo.InputError, match="go together"):
            await client.lms.update_classroom(1, 2, live_state=True)
        with pytest.raises(eeo.InputError, match="at least one"):
            await client.double_teacher.edit_class(1, 2)
        with pytest.raises(eeo.TooManyItemsError, match="at most 100"):
            await client.lms.add_student(1, 2, range(1, 102))
        with pytest.raises(eeo.TooManyItemsError, match="at most 20"):
            await client.double_teacher.add_class(
                1, 2, [eeo.NewSubClass(c, "S") for c in range(10, 31)]
            )
        with pytest.raises(eeo.InputError, match="more than once"):
            await client.double_teacher.add_class(
                1, 2, [eeo.NewSubClass(10, "S"), eeo.NewSubClass(10, "T")]
            )
    assert sent == []


async def test_an_answer_naming_a_student_twice_leaves_the_other_unanswered() -> None:
    """As many entries as students sent, but one named twice: the other is NO_ANSWER."""

    def handler(request: MockRequest) -> dict[str, Any]:
        entry = {"studentUid": 10, "code": 1, "msg": "ok"}
        return {"code": 1, "msg": "ok", "data": [entry, entry]}

    async with _client(handler) as client:
        statuses = await client.lms.add_student(5, 6, [10, 11])
    assert [s.errno for s in statuses] == [1, LocalErrno.NO_ANSWER]


async def test_digit_string_uids_in_the_answer_are_matched_too() -> None:
    """studentUid given as a digit string (the table types it string) matches its student."""

    def handler(request: MockRequest) -> dict[str, Any]:
        uids = request.json["studentUids"]
        return {
            "code": 1,
            "msg": "ok",
            "data": [{"studentUid": u, "code": 1, "msg": "ok"} for u in uids],
        }

    async with _client(handler) as client:
        statuses = await client.lms.add_student(5, 6, [10, 11])
    assert [s.ok for s in statuses] == [True, True]
