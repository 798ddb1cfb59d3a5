"""A report's keys are text or numbers by the kind of the job's key, not by its field's name."""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async._batch.report import BatchReport
from eeo_async._wire.decode import decode_items
from eeo_async._wire.kinds import ItemsKind, compact
from eeo_async.testing import MockRequest, MockTransport

#: A made-up row keyed by an email: text, though no name rule knows "email".
EMAILS = ItemsKind(item=lambda value, where: str(value), text=compact)
INVITE: eeo.Endpoint = eeo.Endpoint(
    action="inviteMultiple",
    params=(eeo.Param("emails", "emailJson", EMAILS),),
    items="emails",
    max_items=10,
    idempotent=True,
    bulk=eeo.Bulk(key="email"),
    decode=decode_items,
)
KEYS = ["a@b.c", "0123", "x@y.z"]


async def invited() -> BatchReport[Any]:
    def answer(request: MockRequest) -> dict[str, Any]:
        sent = request.json_field("emailJson")
        return {"error_info": {"errno": 1, "error": "ok"}, "data": [{"errno": 1}] * len(sent)}

    async with eeo.Client(1, "secret-of-a-school", transport=MockTransport(answer)) as client:
        return await eeo.Batcher(client).run(INVITE, emails=KEYS)


async def test_a_text_key_of_any_name_is_found_and_read_back(tmp_path: Path) -> None:
    """Keyed ("email",): "0123" is found as given, and JSON and CSV files read back alike."""
    report = await invited()
    assert report.text_keys
    assert list(report.items) == KEYS
    assert report.items.get("0123") is not None
    again = BatchReport.from_json(report.to_json())
    assert again.text_keys
    assert list(again.items) == KEYS
    assert again.items["0123"].outcome == "succeeded"
    report.to_csv(tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_text().splitlines()[0].startswith("email:text,errno,")
    loaded = BatchReport.load(tmp_path / "r.csv")
    assert loaded.key_fields == ("email",)
    assert list(loaded.items) == KEYS
    assert loaded.items["0123"].outcome == "succeeded"
    assert list(BatchReport.load(tmp_path / "r.csv").items) == KEYS


def test_numbers_keyed_by_a_text_name_stay_numbers(tmp_path: Path) -> None:
    """A row keyed "account" by IDs: the kind says numbers, and the files keep saying it."""
    report = BatchReport(
        operation="x",
        course_id=0,
        key_fields=("account",),
        item_ids=array("q", [7, 8]),
        text_keys=False,
    )
    report.record_same(range(2), 1, "ok", 1, 1)
    assert BatchReport.from_json(report.to_json()).items["7"].errno == 1
    report.to_csv(tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_text().startswith("account:int,errno,")
    assert list(BatchReport.load(tmp_path / "r.csv").items) == [7, 8]


@pytest.mark.parametrize(("field", "keys"), [("account", ["0123"]), ("class_id", [123])])
def test_files_without_the_kind_fall_back_to_the_name(field: str, keys: list[Any]) -> None:
    """A file written before the kind was recorded: "account" is text, "class_id" numbers."""
    report = BatchReport(operation="x", course_id=0, key_fields=(field,), item_ids=keys)
    report.record_same(range(1), 1, "ok", 1, 1)
    doc = json.loads(report.to_json())
    del doc["text_keys"]
    old = BatchReport.from_json(json.dumps(doc))
    assert list(old.items) == keys
    assert old.text_keys is (field == "account")
