"""Fuzzed decoding: any body gives a valid result or an EEOError, never misalignment."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import eeo_async as eeo
from eeo_async._api.groups import ADD_COURSE_GROUP
from eeo_async._api.lessons import ADD_COURSE_CLASS_STUDENT
from eeo_async._wire import v1

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
errnos = st.one_of(
    st.sampled_from([1, 102, 114, 144, 166, 898]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)
entries = st.one_of(
    st.fixed_dictionaries({"errno": errnos, "error": st.one_of(st.text(max_size=5), scalars)}),
    st.fixed_dictionaries({"errno": errnos}),
    json_values,
)
envelopes = st.fixed_dictionaries(
    {
        "error_info": st.one_of(
            st.fixed_dictionaries({"errno": errnos, "error": scalars}), json_values
        )
    },
    optional={"data": st.one_of(st.lists(entries, max_size=6), json_values)},
)


def _decode(row: Any, body: bytes, count: int = 0) -> Any:
    """Decode ``body`` as ``row``'s answer to ``count`` items (the client's two steps)."""
    return row.decode(row, v1.answer(row.action, body), range(count))


def _decode_items(body: bytes, count: int) -> list[eeo.ItemStatus] | None:
    try:
        return _decode(ADD_COURSE_CLASS_STUDENT, body, count)
    except eeo.EEOError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=5))
def test_any_bytes(body: bytes, count: int) -> None:
    """Arbitrary bytes decode to exactly ``count`` statuses or raise an EEOError."""
    statuses = _decode_items(body, count)
    assert statuses is None or len(statuses) == count


@settings(max_examples=600, deadline=None)
@given(envelopes, st.integers(min_value=1, max_value=6))
def test_any_json_shape(doc: dict[str, Any], count: int) -> None:
    """Any JSON envelope either aligns item for item with what was sent, or raises."""
    body = json.dumps(doc).encode()
    statuses = _decode_items(body, count)
    if statuses is None:
        return
    data = doc["data"]
    assert isinstance(data, list)
    assert len(statuses) == len(data) == count
    for status, entry in zip(statuses, data, strict=True):
        assert status.errno == int(entry["errno"])
        assert 0 < status.errno < 2**31
        assert isinstance(status.error, str)


@settings(max_examples=300, deadline=None)
@given(envelopes)
def test_any_group_answer(doc: dict[str, Any]) -> None:
    """A group answer is a positive id with errno 1 or 898, or an EEOError."""
    try:
        result = _decode(ADD_COURSE_GROUP, json.dumps(doc).encode())
    except eeo.EEOError:
        return
    assert result.group_id > 0
    assert result.errno in (1, 898)


def test_deeply_nested_json_is_a_protocol_error() -> None:
    """A body nested past the parser's recursion limit is refused, not a crash."""
    body = b"[" * 100_000 + b"]" * 100_000
    assert _decode_items(body, 1) is None


def test_invalid_utf8_is_a_protocol_error() -> None:
    """Bytes that are not UTF-8 are a ProtocolError, not a UnicodeDecodeError."""
    assert _decode_items(b'{"error_info": {"errno": 1, "error": "\xff"}}', 1) is None
