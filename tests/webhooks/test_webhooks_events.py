"""parse(): a typed, frozen event for every documented Cmd; unknown ones never raise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webhooks_support import SID, sign

from eeo_async import InputError
from eeo_async.webhooks import (
    EVENT_TYPES,
    AnswerTool,
    Award,
    CameraPosition,
    ClassroomTool,
    ClientPlaybackDataDetail,
    EnterClassroom,
    Event,
    FileConversion,
    HandsUp,
    LeaveClassroom,
    LessonEnd,
    LiveDataDetail,
    Rating,
    ResponderTool,
    SetSubAccount,
    UnknownEvent,
    Visit,
    parse,
)

INDEX = Path(__file__).resolve().parents[3] / "shared" / "reference" / "api" / "INDEX.md"
#: Each sample's class (a Cmd with variants has one row per variant).
EXPECTED = {
    "67375105-hands-up": HandsUp,
    "67375105-award": Award,
    "67375105-webcam-position": CameraPosition,
    "67375105-answer-tool-question": AnswerTool,
    "67375105-answer-tool-answer": AnswerTool,
    "67375105-responder-tool": ResponderTool,
}


def _documented_cmds() -> set[str]:
    """The Cmd column of INDEX.md's data-subscription table."""
    text = INDEX.read_text(encoding="utf-8")
    section = text[text.index("**Every event type**") : text.index("Withdrawn (deprecated)")]
    cmds: set[str] = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4:
            for name, number in re.findall(r"`([A-Za-z]+)`|\b(\d{8})\b", cells[3]):
                cmds.add(name or number)
    return cmds


#: Every Cmd of the data-subscription table of the docs' index, as the project keeps it
#: (a user's clone has no copy of the docs).
DOCUMENTED_CMDS = frozenset(
    {
        "67371107", "67371111", "67371520", "67371521", "67371522", "67371523", "67371586",
        "67375105", "AccountCancellation", "AnswerSheetScore", "ChatContent", "Check",
        "ClassLen", "ClientPlaybackDataDetail", "DiscussionChangeInfo", "EdbImg", "EduDt",
        "End", "ExamScore", "FileCov", "HelpInfo", "HomeworkScore", "HomeworkSubmit",
        "LiveChatMsgDetail", "LiveDataDetail", "LiveDetail", "LiveGoodsClickDetail",
        "LiveLike", "LiveReserve", "LiveWebLogin", "Net", "Rating", "Record",
        "ReplacePhoneNumber", "ReplayDataDetail", "Test", "Upload", "UserCheck",
        "eeoClassInfoChange", "eeoClassStudentChange", "eeoCourseInfoChange",
        "eeoCourseStudentChange", "setSubAccount",
    }
)  # fmt: skip


def test_every_documented_cmd_has_a_row() -> None:
    """Each documented Cmd has its event class in EVENT_TYPES, and no other is there."""
    assert set(EVENT_TYPES) == DOCUMENTED_CMDS
    if INDEX.exists():  # beside the docs, the project's list is theirs
        assert _documented_cmds() == DOCUMENTED_CMDS


def test_every_sample_parses_into_its_class(docs_samples: dict[str, dict[str, Any]]) -> None:
    """Every documented example, signed, parses into its Cmd's class; none is unknown."""
    seen = set()
    for name, doc in docs_samples.items():
        event = parse(doc)
        expected = EXPECTED.get(name, EVENT_TYPES[str(doc["Cmd"])])
        assert type(event) is expected, name
        assert event.cmd == doc["Cmd"]
        assert event.sid == SID
        assert event.id == doc.get("_id")
        seen.add(str(event.cmd))
    assert seen == set(EVENT_TYPES)


def test_events_are_frozen_and_keep_raw_without_the_safekey(docs_samples: dict[str, Any]) -> None:
    """An event cannot be changed, and neither raw nor repr holds the SafeKey."""
    doc = docs_samples["HomeworkSubmit"]
    event = parse(doc)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.cmd = "End"  # type: ignore[misc]
    assert "SafeKey" not in event.raw
    assert event.raw["Data"] == doc["Data"]
    assert doc["SafeKey"] not in repr(event)
    assert "raw" not in repr(event)


def test_an_unknown_cmd_is_an_unknown_event_never_an_error() -> None:
    """A Cmd the SDK does not know, or none at all, gives an UnknownEvent with its raw."""
    for doc in (
        sign({"Cmd": "SomethingNew", "_id": "abc", "X": 1}),
        sign({"Cmd": 12345678}),
        sign({"Msg": "no Cmd"}),
        sign({"Cmd": ["odd"]}),
    ):
        event = parse(doc)
        assert type(event) is UnknownEvent
        assert event.raw == {k: v for k, v in doc.items() if k != "SafeKey"}


def test_a_body_that_is_not_an_object_is_an_input_error() -> None:
    """parse() refuses what is not a JSON object with InputError (a ValueError)."""
    for body in (b"not json", b"[]", b"1", "{'single': 'quotes'}"):
        with pytest.raises(InputError):
            parse(body)


def test_the_attendance_of_end_reads_per_member(docs_samples: dict[str, Any]) -> None:
    """The docs' End example: in and out times, devices, total, identity per member."""
    event = parse(docs_samples["End"])
    assert isinstance(event, LessonEnd)
    assert [m.uid for m in event.attendance] == [1002646, 1002647, 1002648]
    teacher = event.member(1002647)
    assert teacher is not None
    assert (teacher.role, teacher.total, teacher.device) == ("teacher", 964, 0)
    assert (teacher.first_in, teacher.last_out) == (1499673094, 1499674058)
    assert teacher.visits == (Visit(entered=1499673094, left=1499674058, device=0),)
    student = event.member(1002646)
    assert student is not None
    # The main device, then two deputies (clientID 1 and 2, one of them an iPhone).
    assert [v.client_id for v in student.visits] == [0, 1, 2]
    assert student.visits[2].device_name == "iPhone"
    assert event.member(42) is None
    assert event.end_time == event.close_time == 1499718000


def test_attendance_survives_odd_details() -> None:
    """An In without Out stays open, an Out without In has no start, and a bad row is skipped."""
    details = [
        {"Type": "Out", "Time": 50},
        {"Type": "In", "Device": 2, "Time": 100},
        {"Type": "In", "Device": 2, "Time": 200},
        {"Type": "Out", "Time": 260},
        {"Type": "In", "Time": "later"},
        "garbage",
        {"Type": "In", "Device": 1, "Time": 300},
    ]
    doc = sign(
        {"Cmd": "End", "Data": {"inoutEnd": {"7": {"Details": details, "Identity": 1}, "x": {}}}}
    )
    (member,) = parse(doc).attendance  # type: ignore[attr-defined]
    assert [(v.entered, v.left) for v in member.visits] == [
        (None, 50),
        (100, None),
        (200, 260),
        (300, None),
    ]
    assert member.total is None
    assert member.seconds == 60
    assert (member.first_in, member.last_out) == (100, 260)


def test_the_end_time_follows_the_docs_rule() -> None:
    """RealCloseTime absent or 0 means CloseTime; otherwise the smaller of the two."""
    base = {"Cmd": "End", "CloseTime": 2000}
    cases = [
        ({}, 2000),
        ({"RealCloseTime": 0}, 2000),
        ({"RealCloseTime": 1500}, 1500),
        ({"RealCloseTime": 2500}, 2000),
    ]
    for extra, expected in cases:
        event = parse(sign({**base, **extra}))
        assert isinstance(event, LessonEnd)
        assert event.end_time == expected


def test_client_playback_parses_in_both_documented_shapes(docs_samples: dict[str, Any]) -> None:
    """The shape before 2024-08 and the one after both parse, told apart by ``legacy``."""
    old = parse(docs_samples["ClientPlaybackDataDetail"])
    new = parse(docs_samples["ClientPlaybackDataDetail-2024-08"])
    assert isinstance(old, ClientPlaybackDataDetail)
    assert isinstance(new, ClientPlaybackDataDetail)
    assert (old.legacy, old.uid, old.total_look_count, old.top_process) == (True, 1341438, 6, "89%")
    assert (new.legacy, new.uid, new.total_duration, new.valid_watch_count) == (
        False,
        1000082,
        1238,
        2,
    )
    assert (old.total_look_valid_time, new.total_look_valid_time, new.trigger_type) == (23, 883, 1)


def test_tool_pushes_are_told_apart_by_color(docs_samples: dict[str, Any]) -> None:
    """Cmd 67375105's Color picks the tool; its trailing digits are the UID."""
    hands = parse(docs_samples["67375105-hands-up"])
    assert isinstance(hands, HandsUp)
    assert (hands.uid, hands.handsup) == (1002647, True)
    question = parse(docs_samples["67375105-answer-tool-question"])
    assert isinstance(question, AnswerTool)
    assert question.uid is None
    assert [p.uid for p in question.participants] == [1002647, 1002648]
    other = parse(sign({"Cmd": 67375105, "Color": "newTool42"}))
    assert type(other) is ClassroomTool
    assert other.uid == 42


def test_values_past_int_or_the_stack_read_as_none_never_an_error() -> None:
    """Thousands of digits (past int()'s limit), "--5", or a JSON text nested past the stack."""
    digits = "1" * 5000
    end = parse(sign({"Cmd": "End", "ClassID": digits, "CourseID": "--5"}))
    assert (end.class_id, end.course_id) == (None, None)
    tool = parse(sign({"Cmd": 67375105, "Color": "newTool" + digits}))
    assert (type(tool), tool.uid) == (ClassroomTool, None)
    assert parse(sign({"Cmd": 67375105, "Color": "newTool42 "})).uid == 42
    net = parse(sign({"Cmd": "Net", "Data": "[" * 5000 + "]" * 5000}))
    assert net.data == {}


def test_codes_read_in_words(docs_samples: dict[str, Any]) -> None:
    """Identity, device, leave reason, conversion result and permissions read as documented."""
    enter = parse(docs_samples["67371107"])
    assert isinstance(enter, EnterClassroom)
    assert (enter.uid, enter.role, enter.device_name) == (1002647, "student", "PC")
    leave = parse(docs_samples["67371111"])
    assert isinstance(leave, LeaveClassroom)
    assert leave.reason_text == "left normally"
    assert parse(sign({"Cmd": 67371107})).role is None  # type: ignore[attr-defined]
    converted = parse(docs_samples["FileCov"])
    assert isinstance(converted, FileConversion)
    assert (converted.succeeded, converted.file_name) == (True, "origin")
    sub = parse(docs_samples["setSubAccount"])
    assert isinstance(sub, SetSubAccount)
    assert sub.permissions == ("1", "3", "3_1", "4", "5")


def test_facts_for_messages_sent_more_than_once(docs_samples: dict[str, Any]) -> None:
    """LiveDataDetail rows share a viewing_key; Rating names each rating's direction."""
    live = parse(docs_samples["LiveDataDetail"])
    assert isinstance(live, LiveDataDetail)
    assert live.viewing_key == ("LiveDataDetail", 10086, "15201114553", 1625108250)
    assert (live.ip, live.guest) == ("127.0.0.1", False)
    rating = parse(docs_samples["Rating-T2S"])
    assert isinstance(rating, Rating)
    assert [(c.uid, c.direction, c.score) for c in rating.comments] == [
        (1044040, "T2S", 3),
        (1044042, "T2S", 5),
    ]


def test_the_key_is_the_id_or_a_digest_without_the_signature() -> None:
    """Without an _id, the same content stamped afresh has the same key; other content not."""
    with_id = parse(sign({"Cmd": "Net", "_id": "5ab0f87aa3251e6e49b9e892"}))
    assert with_id.key == "5ab0f87aa3251e6e49b9e892"
    first = parse(sign({"Cmd": "Rating", "TUID": 1}, stamp=100))
    again = parse(sign({"TUID": 1, "Cmd": "Rating"}, stamp=200))
    other = parse(sign({"Cmd": "Rating", "TUID": 2}, stamp=100))
    assert first.key == again.key
    assert first.key.startswith("sha256:")
    assert other.key != first.key


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def _wire_keys(cls: type[Any]) -> list[str]:
    return sorted(
        {
            key
            for f in attrs.fields(cls)
            for path in f.metadata.get("eeo_async.webhooks.wire", ((),))[0]
            for key in path
        }
    )


@settings(max_examples=100, deadline=None)
@given(cmd=st.sampled_from(sorted(EVENT_TYPES)), values=st.lists(_JSON, min_size=1, max_size=40))
def test_parse_never_raises_on_any_values(cmd: str, values: list[Any]) -> None:
    """Whatever JSON sits where a known Cmd's fields are read, parse() gives its event."""
    cls = EVENT_TYPES[cmd]
    keys = _wire_keys(cls)
    doc: dict[str, Any] = {"Cmd": int(cmd) if cmd.isdigit() else cmd}
    data: dict[str, Any] = {}
    for i, key in enumerate(keys):
        value = values[i % len(values)]
        doc.setdefault(key, value)
        data.setdefault(key, value)
    doc["Data"] = data if len(values) % 2 else values[0]
    doc["opData"] = data
    event = parse(doc)
    assert isinstance(event, Event)
    assert isinstance(event, cls)
