"""A made-up action from its area module and its sandbox area alone runs through the SDK.

The area (``made_up/observers.py``: a row and a typed method) and the sandbox's area
(``made_up/observers_sandbox.py``: a handler reading the wire names) are the only code
the action has: the Client, the Batcher and the sandbox need nothing else.
"""

from __future__ import annotations

import pytest
from made_up import observers, observers_sandbox

import eeo_async as eeo
from eeo_async.testing import Faults, Sandbox, set_testing


async def test_a_made_up_action_runs_from_its_area_alone() -> None:
    """One row gives validation, encoding, a typed call, a chunked job and a served answer."""
    observers_sandbox.OBSERVERS.clear()
    observers_sandbox.SIZES.clear()
    with set_testing(True):
        async with Sandbox(faults=Faults(call_busy=0.2, lost_after=0.1)) as sb:
            sb.handle("addClassObserverMultiple", observers_sandbox.add_class_observer_multiple)
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                area = observers.Observers(client)
                statuses = await area.add_class_observer_multiple(1, 9, ["5", 6])
                assert [s.errno for s in statuses] in ([1, 1], [7001, 7001])
                assert all(s.ok for s in statuses)
                with pytest.raises(eeo.TooManyItemsError, match="at most 7"):
                    await area.add_class_observer_multiple(1, 9, range(1, 9))
                batcher = eeo.Batcher(client, max_attempts=20)
                report = await batcher.run(
                    observers.ADD_CLASS_OBSERVER_MULTIPLE,
                    course_id=1,
                    class_id=9,
                    observer_uids=range(1, 31),
                )
    assert report.ok
    assert report.key_fields == ("observer_uid",)
    assert report.operation == report.action == "addClassObserverMultiple"
    assert observers_sandbox.OBSERVERS[9] == set(range(1, 31))
    # 5 and 6 were there before the job: "already" unless an attempt may have applied them.
    assert {k for k, item in report.items.items() if item.outcome == "already"} <= {5, 6}
    # Calls hold at most the row's 7 items; 28 new observers need at least 4 calls.
    assert max(observers_sandbox.SIZES) == 7
    assert report.calls >= 5


def test_a_method_that_differs_from_its_row_is_refused_at_import() -> None:
    """The guard refuses a typed method whose parameters are not its row's."""
    from eeo_async._api.base import action

    with pytest.raises(TypeError, match="observer_ids is not a parameter"):

        @action(observers.ADD_CLASS_OBSERVER_MULTIPLE)
        async def wrong(
            self: object, course_id: int, class_id: int, observer_ids: list[int]
        ) -> None:
            """Named wrong."""

    with pytest.raises(TypeError, match="required class_id is missing"):

        @action(observers.ADD_CLASS_OBSERVER_MULTIPLE)
        async def short(self: object, course_id: int, observer_uids: list[int]) -> None:
            """Lacks the lesson."""


async def test_a_made_up_v2_action_runs_from_its_area_alone() -> None:
    """A JSON row signed in headers goes through the Client, the Batcher and the sandbox."""
    from made_up import tags, tags_sandbox

    tags_sandbox.TAGS.clear()
    tags_sandbox.SIZES.clear()
    with set_testing(True):
        async with Sandbox(faults=Faults(call_busy=0.2, lost_after=0.1)) as sb:
            sb.handle("/lms/activity/tagStudents", tags_sandbox.tag_students)
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                statuses = await tags.Tags(client).tag_students(1, 77, "blue", [3, 4])
                assert all(s.ok for s in statuses)
                batcher = eeo.Batcher(client, max_attempts=20)
                report = await batcher.run(
                    tags.TAG_STUDENTS,
                    course_id=1,
                    activity_id=77,
                    tag="blue",
                    student_uids=range(1, 21),
                )
            assert sb.stats.bad_signatures == 0
    assert report.ok
    assert report.key_fields == ("student_uid",)
    assert {uid for (activity, uid) in tags_sandbox.TAGS if activity == 77} == set(range(1, 21))
    # Answers come in reverse order: matched by studentUid, 3 and 4 were tagged before.
    assert {k for k, item in report.items.items() if item.outcome == "already"} <= {3, 4}
    assert max(tags_sandbox.SIZES) == 5
