"""The sans-I/O wire layer: signing, validation, encoding and decoding."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eeo_async as eeo
from eeo_async._api import groups as group_area
from eeo_async._api import lesson_rules, lessons, registry
from eeo_async._wire import decode, v1
from eeo_async._wire import kinds as _wire
from eeo_async._wire.codecs import CODECS
from eeo_async._wire.v2 import V2Body

ADD = lessons.ADD_COURSE_CLASS_STUDENT
DEL = lessons.DEL_CLASS_STUDENT_MULTIPLE
GROUP = group_area.ADD_COURSE_GROUP

SAMPLES = Path(__file__).parent / "samples"


def _decode(row: Any, body: bytes, count: int = 0) -> Any:
    """Decode ``body`` as ``row``'s answer to ``count`` items (the client's two steps)."""
    return row.decode(row, v1.answer(row.action, body), range(count))


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def form(encoded: str | bytes) -> dict[str, str]:
    text = encoded.decode() if isinstance(encoded, bytes) else encoded
    return {k: v[0] for k, v in parse_qs(text, strict_parsing=True).items()}


def test_sign_matches_independent_vectors() -> None:
    """safeKey is md5(secret + timeStamp) in lower-case hex (vectors from md5sum)."""
    assert v1.sign("abc123456", 1484719085) == "d9d5ca1eca8ee97c19180ed5c8dd2568"
    assert v1.sign("s3cr3t", 1494410390) == "b3a2432e0634d9e396a942d0641ecc32"


def test_signed_body_puts_credentials_first() -> None:
    """The body carries SID, the key for that timestamp, the timestamp, then the params."""
    fields = form(v1.Signer(1234567, "s3cr3t").head(1494410390)[0] + "&courseId=5")
    assert fields == {
        "SID": "1234567",
        "safeKey": "b3a2432e0634d9e396a942d0641ecc32",
        "timeStamp": "1494410390",
        "courseId": "5",
    }


def test_add_course_class_student_fields() -> None:
    """classJson is a JSON array of ints, as the page's example shows."""
    params = ADD.build(
        {"course_id": 123456, "student_uid": 1001001, "class_ids": [1212131, 1212123]}
    )
    assert form(v1.encode(ADD, params)) == {
        "courseId": "123456",
        "studentUid": "1001001",
        "classJson": "[1212131,1212123]",
    }


def test_del_class_student_multiple_fields() -> None:
    """studentUidJson is a JSON array of strings and identity is 1 (students)."""
    params = DEL.build({"course_id": 442447, "class_id": 2447, "student_uids": [1001001, 1001002]})
    assert form(v1.encode(DEL, params)) == {
        "courseId": "442447",
        "classId": "2447",
        "identity": "1",
        "studentUidJson": '["1001001","1001002"]',
    }


def test_add_course_group_fields() -> None:
    """groupList is the documented JSON of studentUid/isLeader objects; names stay UTF-8."""
    groups = (
        (eeo.GroupMember(1000152, is_leader=True), eeo.GroupMember(1000109)),
        (eeo.GroupMember(1000101, is_leader=True), eeo.GroupMember(1000100)),
    )
    params = GROUP.build({"course_id": 176465, "group_name": "课程分组", "groups": groups})
    fields = form(v1.encode(GROUP, params))
    assert fields["courseId"] == "176465"
    assert fields["groupName"] == "课程分组"
    assert json.loads(fields["groupList"]) == [
        [{"studentUid": 1000152, "isLeader": 1}, {"studentUid": 1000109, "isLeader": 0}],
        [{"studentUid": 1000101, "isLeader": 1}, {"studentUid": 1000100, "isLeader": 0}],
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), ("1001001", 1001001), (" 42 ", 42), (2**63 - 1, 2**63 - 1)],
)
def test_validate_id_accepts_ints_and_digit_strings(value: object, expected: int) -> None:
    """Positive ints and digit strings (as read from a CSV) are accepted and normalised."""
    assert _wire.validate_id(value, "x") == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, eeo.InputTypeError),
        (1.0, eeo.InputTypeError),
        (None, eeo.InputTypeError),
        (b"12", eeo.InputTypeError),
        (0, eeo.InputError),
        (-5, eeo.InputError),
        ("-5", eeo.InputError),
        ("12x", eeo.InputError),
        ("", eeo.InputError),
        ("١٢", eeo.InputError),
        (2**63, eeo.InputError),
    ],
)
def test_validate_id_rejects_naming_the_value(value: object, error: type[Exception]) -> None:
    """Bools, floats, non-digit strings and non-positive numbers are refused by name."""
    with pytest.raises(error, match=r"class_ids\[3\]") as info:
        _wire.validate_id(value, "class_ids[3]")
    assert repr(value)[:20] in str(info.value)


def test_input_errors_are_value_and_type_errors() -> None:
    """Callers may catch input errors as ValueError or TypeError, as with attrs."""
    assert issubclass(eeo.InputError, ValueError)
    assert issubclass(eeo.InputTypeError, TypeError)
    assert issubclass(eeo.TooManyItemsError, ValueError)


def test_call_ids_rules() -> None:
    """One call takes 1 to 100 distinct IDs, not a bare string."""
    assert ADD.check_call_items(["1", 2], "class_ids") == (1, 2)
    with pytest.raises(eeo.InputError, match="empty"):
        ADD.check_call_items([], "class_ids")
    with pytest.raises(eeo.TooManyItemsError, match="Batcher"):
        ADD.check_call_items(range(1, 102), "class_ids")
    with pytest.raises(eeo.InputError, match="7 more than once"):
        ADD.check_call_items([7, 8, 7], "class_ids")
    with pytest.raises(eeo.InputTypeError, match="class_ids must be a list"):
        ADD.check_call_items("123", "class_ids")


def test_rows_check_missing_and_unknown_parameters() -> None:
    """A row refuses a missing parameter and an unknown one, naming them."""
    with pytest.raises(eeo.InputError, match="needs student_uid"):
        ADD.build({"course_id": 1, "class_ids": [2]})
    with pytest.raises(eeo.InputTypeError, match="no parameter colour"):
        ADD.build({"course_id": 1, "student_uid": 2, "class_ids": [3], "colour": 4})


def _sent(body: object) -> str:
    """A body as recorded: a v1 form; a v2 body's JSON; an upload's fields and its file."""
    if isinstance(body, V2Body):
        return body.json.decode()
    if isinstance(body, v1.V1Upload):
        fields = "&".join(f"{name}={value}" for name, value in body.fields)
        return f"{fields}&{body.file_field}=@{body.file.filename}"
    assert isinstance(body, str)
    return body


def test_every_encoded_form_is_the_bytes_sent_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row encodes, whole and chunk by chunk, to the bytes recorded before the rows."""
    # The lesson forms were recorded at this moment: their lessons begin a week after it.
    monkeypatch.setattr(lesson_rules, "time", SimpleNamespace(time=lambda: 1_780_000_000))
    cases = json.loads(sample("encoded_forms.json"))
    assert {case["action"] for case in cases} == set(registry.ROWS)
    for case in cases:
        row = registry.ROWS[case["action"]]
        codec = CODECS[row.generation]
        values = dict(case["values"])
        if "groups" in values:
            values["groups"] = [
                [M(uid, is_leader=lead) for uid, lead in g] for g in values["groups"]
            ]
        if "users" in values:
            values["users"] = [eeo.NewUser(**user) for user in values["users"]]
        if "lessons" in values:
            values["lessons"] = [eeo.NewLesson(**lesson) for lesson in values["lessons"]]
        if "comments" in values:
            values["comments"] = [eeo.StudentComment(**c) for c in values["comments"]]
        if "settings" in values:
            values["settings"] = [eeo.ClassVideoSetting(**c) for c in values["settings"]]
        if "filedata" in values:
            values["filedata"] = SAMPLES / values["filedata"]
        if "sub_classes" in values:
            values["sub_classes"] = [eeo.NewSubClass(**sub) for sub in values["sub_classes"]]
        params = row.build(values)
        assert _sent(codec.encode(row, params)) == case["encoded"], case["action"]
        if row.items is not None:
            items = values.pop(row.items)
            assert _sent(codec.chunk_encoder(row, values)(items)) == case["encoded"]


@given(st.lists(st.integers(min_value=1, max_value=2**63 - 1), max_size=120))
def test_quoted_item_forms_equal_quote_plus(ids: list[int]) -> None:
    """The fast chunk forms equal quote_plus of the JSON text for every kind of ID list."""
    from urllib.parse import quote_plus

    for kind in (_wire.IDS, _wire.ID_STRINGS, _wire.STUDENT_OBJECTS):
        assert kind.quoted(ids) == quote_plus(kind.text(ids))


def test_group_name_rules() -> None:
    """Names of 1 to 20 characters (not bytes) pass; longer or blank names are refused."""
    assert group_area.validate_group_name("课" * 20) == "课" * 20
    with pytest.raises(eeo.InputError, match="21"):
        group_area.validate_group_name("x" * 21)
    with pytest.raises(eeo.InputError, match="empty"):
        group_area.validate_group_name("  ")
    with pytest.raises(eeo.InputTypeError):
        group_area.validate_group_name(5)


M = eeo.GroupMember


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([], "groups is empty"),
        ([[]], r"groups\[0\] is empty"),
        ([[M(1), M(2)]], r"groups\[0\] must have exactly one leader, has 0"),
        ([[M(1, is_leader=True), M(2, is_leader=True)]], "has 2"),
        ([[M(1, is_leader=True)], [M(1, is_leader=True)]], r"student 1 is in groups\[0\]\[0\]"),
        ([[M(1, is_leader=True), M(1)]], r"again in groups\[0\]\[1\]"),
        ([[M(0, is_leader=True)]], r"groups\[0\]\[0\].student_uid"),
        ([[(1, True)]], "must be a GroupMember"),
        ([M(1, is_leader=True)], "must be a list of GroupMember"),
        ([[M(1, is_leader=1)]], "is_leader must be a bool"),  # type: ignore[arg-type]
    ],
)
def test_group_rules(groups: object, message: str) -> None:
    """Group plans need groups, one leader each, and each student once."""
    with pytest.raises(eeo.InputError, match=message):
        group_area.validate_groups(groups)


def test_group_plans_have_no_member_limit() -> None:
    """A plan of more than 100 students is accepted: the docs state no limit."""
    groups = [[M(g * 10 + m + 1, is_leader=m == 0) for m in range(10)] for g in range(30)]
    assert sum(len(g) for g in group_area.validate_groups(groups)) == 300


def test_decode_documented_samples() -> None:
    """The documented success bodies decode into aligned statuses and a group id."""
    for name in ("add_success.json", "del_success.json"):
        statuses = _decode(ADD, sample(name), 2)
        assert [s.errno for s in statuses] == [1, 1]
        assert all(s.ok for s in statuses)
    result = _decode(GROUP, sample("group_success.json"))
    assert result.group_id == 147667
    assert not result.partial


def test_decode_per_item_errors() -> None:
    """Per-item errnos stay with their item; 166 counts as ok and already."""
    statuses = _decode(ADD, sample("add_item_errors.json"), 3)
    assert [(s.errno, s.ok, s.already) for s in statuses] == [
        (1, True, False),
        (166, True, True),
        (145, False, False),
    ]


def test_decode_partial_group() -> None:
    """Errno 898 still returns the new group id, marked partial."""
    result = _decode(GROUP, sample("group_partial_898.json"))
    assert (result.group_id, result.partial) == (147668, True)


@pytest.mark.parametrize(
    ("name", "error", "errno"),
    [
        ("error_102.json", eeo.BadCredentialsError, 102),
        ("error_114.json", eeo.ServerBusyError, 114),
    ],
)
def test_decode_error_only_bodies(name: str, error: type[eeo.ApiError], errno: int) -> None:
    """A body with only error_info raises the family's ApiError with errno and action."""
    with pytest.raises(error) as info:
        _decode(ADD, sample(name), 2)
    assert info.value.errno == errno
    assert info.value.action == "addCourseClassStudent"


@pytest.mark.parametrize(
    ("errno", "family"),
    [
        (100, eeo.BadParametersError),
        (400, eeo.BadParametersError),
        (142, eeo.NotFoundError),
        (143, eeo.NotFoundError),
        (144, eeo.NotFoundError),
        (212, eeo.NotFoundError),
        (228, eeo.NotFoundError),
        (131, eeo.ServerBusyError),
        (104, eeo.ServerBusyError),
        (464, eeo.ServerBusyError),
        (893, eeo.NotFoundError),
        (892, eeo.GroupExistsError),
        (145, eeo.ApiError),
    ],
)
def test_errno_families(errno: int, family: type[eeo.ApiError]) -> None:
    """Each errno maps to its family class, all under ApiError and EEOError."""
    body = json.dumps({"error_info": {"errno": errno, "error": "e"}}).encode()
    with pytest.raises(family) as info:
        _decode(ADD, body, 1)
    assert type(info.value) is family
    assert isinstance(info.value, eeo.EEOError)


def test_decode_html_body_is_protocol_error() -> None:
    """An HTML page where JSON was expected is a ProtocolError quoting its start."""
    with pytest.raises(eeo.ProtocolError, match="not JSON") as info:
        _decode(ADD, sample("bad_gateway.html"), 1)
    assert "<html>" in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        b'{"error_info": {"errno": 1, "error": ""}, "data": [{"errno": 1, "error": ""}]}',
        b'{"error_info": {"errno": 1, "error": ""}}',
        b'{"error_info": {"errno": 1, "error": ""}, "data": {"errno": 1}}',
        b'{"error_info": {"errno": 1, "error": ""}, "data": [1, 2]}',
    ],
)
def test_decode_misaligned_data(body: bytes) -> None:
    """Data of the wrong length or shape is a DataMismatchError, never guessed."""
    with pytest.raises(eeo.DataMismatchError):
        _decode(ADD, body, 2)


@given(st.binary(max_size=200))
def test_decode_any_bytes_gives_result_or_eeo_error(body: bytes) -> None:
    """Any bytes decode to statuses or raise an EEOError, nothing else."""
    try:
        statuses = _decode(ADD, body, 1)
    except eeo.EEOError:
        return
    assert len(statuses) == 1


def test_describe_known_and_unknown() -> None:
    """Known errnos read as the documents say; unknown ones still read as text."""
    assert eeo.describe(145) == "The lesson is finished."
    assert eeo.Errno(898).meaning.startswith("Group setting succeeded")
    assert "999" in eeo.describe(999)
    assert eeo.describe(eeo.LocalErrno.NOT_SENT).startswith("Not sent")


def _outcome(body: bytes, count: int) -> object:
    try:
        return _decode(ADD, body, count)
    except eeo.ApiError as exc:
        return ("api", exc.errno)
    except eeo.EEOError:
        return "bad"


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "errno": st.sampled_from([1, 114, 166, 145, 0, -1, True, 1.0, "1", None]),
                "error": st.sampled_from(["ok", "", None, 5, ["x"]]),
            }
        ),
        min_size=1,
        max_size=6,
    )
)
def test_decoding_with_json_equals_decoding_with_orjson(entries: list[dict[str, object]]) -> None:
    """The json fallback and orjson decode every answer to the same statuses or errors."""
    import orjson

    body = json.dumps({"error_info": {"errno": 1, "error": "ok"}, "data": entries}).encode()
    with_orjson = _outcome(body, len(entries))
    original = decode._loads
    try:
        decode._loads = json.loads
        with_json = _outcome(body, len(entries))
    finally:
        decode._loads = original
    assert original is orjson.loads
    assert with_json == with_orjson
