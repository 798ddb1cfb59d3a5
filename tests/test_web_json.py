"""Results as JSON for web handlers: ``to_jsonable``, ``to_dict()`` and aiohttp's json_response."""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp import web

import eeo_async as eeo
from eeo_async._batch.report import BatchReport
from eeo_async._limits import ConcurrencyRecord
from eeo_async.testing import MockRequest, MockTransport, set_testing

BASE = "https://api.example.test"


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with set_testing(True):
        yield


def answer(request: MockRequest) -> dict[str, Any]:
    """Every second lesson answers 166 (already there), in the server's Chinese."""
    lessons = request.json_field("classJson")
    data = [
        {"errno": 166, "error": "在了"} if n % 2 else {"errno": 1, "error": "ok"}
        for n, _ in enumerate(lessons)
    ]
    return {"error_info": {"errno": 1, "error": "ok"}, "data": data}


def a_report() -> BatchReport[Any]:
    report: BatchReport[Any] = BatchReport(
        operation="enroll",
        course_id=9,
        key_fields=("student_uid", "class_id"),
        item_ids=array("q", [10, 11]),
        target_ids=array("q", [1, 1]),
    )
    report.record(0, 1, "ok", 1, "succeeded")
    report.record(1, 145, "该课节已经结束", 2, "failed")
    report.concurrency = ConcurrencyRecord(
        adaptive=True, start=8, lowest=2, highest=8, final=4, mean=5.5
    )
    return report


RESULTS: list[object] = [
    eeo.ItemStatus(166, "already", already=True, uid=5, id=7, custom_column="x"),
    eeo.ItemResult(145, "该课节已经结束", 2, outcome="unknown"),
    eeo.ActionResult(errno=841, error="nickname not synced", action="editCourseGroup", side=True),
    eeo.Envelope(errno=1, error="ok", data={"list": [{"id": 1}], "7": None}, action="x"),
    eeo.GroupResult(group_id=12, errno=898, error="partial"),
    eeo.GroupMember(1001, is_leader=True),
    eeo.Plan(items=10, duplicates=1, calls=2, max_chunk=5, action="addCourseClassStudent"),
    ConcurrencyRecord(adaptive=False, start=4, lowest=4, highest=4, final=4, mean=4.0),
]


@pytest.mark.parametrize("value", RESULTS, ids=lambda v: type(v).__name__)
def test_every_result_type_goes_through_json_dumps(value: object) -> None:
    """Each public result type turns into data json.dumps takes, fields and properties both."""
    data = eeo.to_jsonable(value)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert isinstance(data, dict)
    for field in attrs.fields(type(value)):
        assert field.name in data
    if hasattr(value, "ok"):
        assert data["ok"] == value.ok
    if hasattr(value, "meaning"):
        assert data["meaning"] == value.meaning
    if hasattr(value, "to_dict"):
        assert value.to_dict() == data


def test_item_result_keeps_its_outcome_and_the_servers_words() -> None:
    """An ItemResult's JSON has its outcome, errno, the server's message and the meaning."""
    data = eeo.ItemResult(145, "该课节已经结束", 2, outcome="failed").to_dict()
    assert data["outcome"] == "failed"
    assert data["errno"] == 145
    assert data["error"] == "该课节已经结束"
    assert data["meaning"] == eeo.describe(145)
    assert data["ok"] is False
    assert data["attempts"] == 2


def test_a_report_becomes_its_summary_or_its_records() -> None:
    """A BatchReport gives its summary (counts, calls, concurrency), and its items on request."""
    report = a_report()
    summary = eeo.to_jsonable(report)
    assert summary == report.to_dict()
    assert summary["summary"] == {
        "total": 2,
        "succeeded": 1,
        "already": 0,
        "failed": 1,
        "not_sent": 0,
        "unknown": 0,
    }
    assert summary["concurrency"]["mean"] == 5.5
    assert "items" not in summary
    whole = report.to_dict(items=True)
    assert whole == json.loads(report.to_json())
    assert json.loads(json.dumps(whole)) == whole
    assert eeo.to_jsonable(report.to_records()) == whole["items"]


def test_report_items_keep_their_keys_as_text() -> None:
    """A report's items mapping is keyed as the summary writes keys (student/lesson)."""
    data = eeo.to_jsonable(a_report().items)
    assert list(data) == ["1/10", "1/11"]
    assert data["1/11"]["outcome"] == "failed"
    assert json.loads(json.dumps(data)) == data


def test_passwords_never_reach_json() -> None:
    """Fields hidden from repr (a NewUser's passwords) are left out of the JSON."""
    user = eeo.NewUser(telephone="15800000001", password="secret-pass")
    text = json.dumps(eeo.to_jsonable(user))
    assert "secret-pass" not in text
    assert "password" not in text
    assert json.loads(text)["account"] == "15800000001"


def test_plain_values_enums_times_and_keys() -> None:
    """Enums become values, datetimes ISO text, int and tuple keys text, NaN None."""
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    data = eeo.to_jsonable(
        {"errno": eeo.Errno(166), "at": when, 7: (1, 2), (1, 2): {3}, "x": float("nan")}
    )
    assert data == {
        "errno": 166,
        "at": "2026-03-01T09:30:00+00:00",
        "7": [1, 2],
        "1/2": [3],
        "x": None,
    }
    assert type(data["errno"]) is int


def test_a_new_attrs_result_type_needs_nothing_of_its_own() -> None:
    """An attrs class the SDK has never seen is made JSON-ready field by field."""

    @attrs.frozen
    class Unit:
        unit_id: int
        statuses: tuple[eeo.ItemStatus, ...]
        starts: dt.datetime

        @property
        def count(self) -> int:
            return len(self.statuses)

    unit = Unit(3, (eeo.ItemStatus(1, "ok"),), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    data = eeo.to_jsonable(unit)
    assert data["unit_id"] == 3
    assert data["count"] == 1
    assert data["statuses"][0]["ok"] is True
    assert data["starts"] == "2026-01-01T00:00:00+00:00"


def test_what_has_no_json_form_is_refused_by_name() -> None:
    """A value with no JSON form raises InputTypeError naming its type."""
    with pytest.raises(eeo.InputTypeError, match="Client"):
        eeo.to_jsonable({"client": eeo.Client(1, "fake-secret", base_url=BASE)})
    with pytest.raises(eeo.InputTypeError, match="bytes"):
        eeo.to_jsonable(b"raw")


@pytest.fixture
async def backend() -> AsyncIterator[str]:
    """An aiohttp app whose handlers return SDK results as JSON, on loopback."""
    client = eeo.Client(1, "fake-secret", base_url=BASE, transport=MockTransport(answer))
    routes = web.RouteTableDef()

    @routes.post("/enrol")
    async def enrol(request: web.Request) -> web.Response:
        statuses = await client.add_course_class_student(176465, 1001, [1, 2])
        return web.json_response(eeo.to_jsonable(statuses))

    @routes.post("/job")
    async def job(request: web.Request) -> web.Response:
        report = await eeo.Batcher(client).enroll(176465, [1001, 1002], [1, 2])
        return web.json_response(report.to_dict(items=True))

    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        await client.close()


async def test_an_aiohttp_handler_returns_results_with_json_response(backend: str) -> None:
    """Statuses from a call go out through web.json_response and read back the same."""
    async with aiohttp.ClientSession() as session, session.post(f"{backend}/enrol") as response:
        assert response.status == 200
        body = await response.json()
    assert [item["errno"] for item in body] == [1, 166]
    assert [item["ok"] for item in body] == [True, True]
    assert body[1]["already"] is True
    assert body[1]["error"] == "在了"


async def test_an_aiohttp_handler_returns_a_report(backend: str) -> None:
    """A Batcher's report goes out as JSON with its summary and every item."""
    async with aiohttp.ClientSession() as session, session.post(f"{backend}/job") as response:
        assert response.status == 200
        body = await response.json()
    assert body["summary"]["total"] == 4
    assert body["summary"]["succeeded"] + body["summary"]["already"] == 4
    assert len(body["items"]) == 4
    assert {item["outcome"] for item in body["items"]} <= {"succeeded", "already"}


#: Exported attrs types that are input or plumbing, not results (to_jsonable takes them too).
NOT_RESULTS = {
    "Bulk",
    "ClassVideoSetting",
    "Endpoint",
    "NewClassroom",
    "NewLesson",
    "NewSubClass",
    "NewUser",
    "Param",
    "SchoolMember",
    "StudentComment",
}
#: A value for each required field of an exported result type, by field name.
SAMPLE_FIELDS: dict[str, object] = {
    "errno": 1,
    "error": "程序正常执行",
    "file_id": 11,
    "folder_id": 12,
    "group_id": 13,
    "label_id": 14,
    "uid": 15,
    "student_uid": 16,
    "name": "Week 1",
    "items": 3,
    "duplicates": 0,
    "calls": 1,
    "max_chunk": 3,
    "adaptive": True,
    "start": 64,
    "lowest": 8,
    "highest": 64,
    "final": 12,
    "mean": 20.5,
}


def exported_results() -> list[type]:
    return [
        value
        for name in eeo.__all__
        if isinstance(value := getattr(eeo, name), type)
        and attrs.has(value)
        and name not in NOT_RESULTS
    ]


@pytest.mark.parametrize("cls", exported_results(), ids=lambda c: c.__name__)
def test_every_exported_result_type_has_to_dict(cls: type) -> None:
    """Each exported result type, the areas' too, has to_dict() and goes through json.dumps."""
    required = {
        field.name: SAMPLE_FIELDS[field.name]
        for field in attrs.fields(cls)
        if field.init and field.default is attrs.NOTHING
    }
    value = cls(**required)
    data = value.to_dict()  # type: ignore[attr-defined]
    assert data == eeo.to_jsonable(value)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    for name, sample in required.items():
        assert data[name] == sample
