"""A made-up action from a row alone runs through the Client, the Batcher and the sandbox."""

from __future__ import annotations

import json
import random
from typing import Any

import eeo_async as eeo
from eeo_async._batch.plan import Operation
from eeo_async._codes import Errno
from eeo_async._wire.kinds import ID, ID_STRINGS, Endpoint, Param, decode_items
from eeo_async.testing import Faults, Sandbox, envelope, set_testing
from eeo_async.testing._school import School

#: An action the docs do not have: observers into one lesson, at most 7 a call.
ADD_OBSERVERS = Endpoint(
    action="addClassObserverMultiple",
    params=(
        Param("course_id", "courseId", ID),
        Param("class_id", "classId", ID),
        Param("observer_uids", "observerUidJson", ID_STRINGS),
    ),
    items="observer_uids",
    max_items=7,
    target="class_id",
    idempotent=True,
    already=frozenset({Errno.ALREADY_IN_LESSON}),
    decode=decode_items,
)
ADD_OBSERVERS_IN_BULK = Operation(
    name="add_observers",
    endpoint=ADD_OBSERVERS,
    items="observer_uids",
    key="observer_uid",
    target="class_id",
)
OBSERVERS: dict[int, set[int]] = {}
SIZES: list[int] = []


def observe(school: School, fields: dict[str, str], rng: random.Random) -> dict[str, Any]:
    """The made-up action's answer: 1 for a new observer, 166 for one already there."""
    seen = OBSERVERS.setdefault(int(fields["classId"]), set())
    uids = [int(text) for text in json.loads(fields["observerUidJson"])]
    SIZES.append(len(uids))
    data = []
    for uid in uids:
        data.append({"errno": 166 if uid in seen else 1, "error": "ok"})
        seen.add(uid)
    return envelope(1, data)


async def test_a_made_up_endpoint_runs_from_its_row_alone() -> None:
    """One row gives validation, encoding, a single call, a chunked job and a served answer."""
    OBSERVERS.clear()
    SIZES.clear()
    with set_testing(True):
        async with Sandbox(faults=Faults(call_busy=0.2, lost_after=0.1)) as sb:
            sb.handle("addClassObserverMultiple", observe)
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                statuses = await client._call(
                    ADD_OBSERVERS, course_id=1, class_id=9, observer_uids=["5", 6]
                )
                assert [s.errno for s in statuses] == [1, 1]
                batcher = eeo.Batcher(client, max_attempts=20)
                arguments = {"course_id": 1, "class_id": 9, "observer_uids": range(1, 31)}
                report = await batcher._run(
                    ADD_OBSERVERS_IN_BULK,
                    arguments,
                    progress=False,
                    skip=None,
                    on_items=None,
                    on_start=None,
                )
    assert report.ok
    assert report.key_fields == ("observer_uid",)
    assert report.action == "addClassObserverMultiple"
    assert OBSERVERS[9] == set(range(1, 31))
    # 5 and 6 were there before the job: "already" unless an attempt may have applied them.
    assert {k for k, item in report.items.items() if item.outcome == "already"} <= {5, 6}
    # Calls hold at most the row's 7 items; 28 new observers need at least 4 calls.
    assert max(SIZES) == 7
    assert report.calls >= 5
    assert sb.stats.requests["addClassObserverMultiple"] >= report.calls + 1
