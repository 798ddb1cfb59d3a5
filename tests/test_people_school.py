"""School labels, the replay settings and sub-accounts on the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

import eeo_async as eeo
from eeo_async.testing import Faults, MockRequest, MockTransport, Roster, Sandbox, SchoolSettings


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


async def test_adding_a_label_twice_answers_its_id(eeo_sandbox: Sandbox) -> None:
    """addSchoolLabel answers 353 with the existing label's ID: already, never a second label."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        first = await client.add_school_label("数学")
        again = await client.add_school_label("数学")
        with pytest.raises(eeo.InputError, match="at most 20"):
            await client.add_school_label("长" * 21)
    assert (first.errno, first.already) == (1, False)
    assert (again.errno, again.ok, again.already, again.label_id) == (
        353,
        True,
        True,
        first.label_id,
    )
    assert sb.state(SchoolSettings).labels == {first.label_id: "数学"}


async def test_a_lost_label_answer_never_makes_a_second_label() -> None:
    """With answers lost after the label was made, the retry gets the same ID."""
    async with Sandbox(faults=Faults(lost_after=0.4), seed=1) as sb:
        async with client_for(sb, max_attempts=20) as client:
            results = [await client.add_school_label(f"标签{i}") for i in range(10)]
        labels = sb.state(SchoolSettings).labels
        assert sb.stats.faults_injected["lost_after"] > 0
    assert sorted(labels.values()) == sorted(f"标签{i}" for i in range(10))
    assert {r.label_id for r in results} == set(labels)


async def test_labels_are_renamed_and_deleted_once(eeo_sandbox: Sandbox) -> None:
    """A rename to a taken name is 353; a second delete answers 356, counted as already."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        maths = (await client.add_school_label("数学")).label_id
        art = (await client.add_school_label("美术")).label_id
        assert (await client.update_school_label(maths, "代数")).ok
        with pytest.raises(eeo.ApiError) as taken:
            await client.update_school_label(maths, "美术")
        deleted = await client.delete_school_label(art)
        again = await client.delete_school_label(art)
        with pytest.raises(eeo.NotFoundError):
            await client.update_school_label(art, "x")
    assert taken.value.errno == 353
    assert (deleted.already, again.errno, again.ok, again.already) == (False, 356, True, True)
    assert sb.state(SchoolSettings).labels == {maths: "代数"}


async def test_label_rename_is_not_resent_after_a_lost_answer() -> None:
    """updateSchoolLabel is sent once when its answer may be lost: a repeat would say 353."""
    calls = 0

    def handle(request: MockRequest) -> Any:
        nonlocal calls
        calls += 1
        raise eeo.RequestTimeoutError(request.action, "timed out")

    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        with pytest.raises(eeo.RequestTimeoutError):
            await client.update_school_label(5, "代数")
    assert calls == 1


async def test_sub_accounts_are_deleted_once(eeo_sandbox: Sandbox) -> None:
    """deleteSubSchoolAccount answers 22101 on a repeat: already, not a failure."""
    sb = eeo_sandbox
    sb.state(Roster).sub_accounts.add(1008970)
    async with client_for(sb) as client:
        first = await client.delete_sub_school_account(1008970)
        again = await client.delete_sub_school_account("1008970")
    assert (first.errno, again.errno, again.already, again.ok) == (1, 22101, True, True)


async def test_replay_settings_are_set_through_v2(eeo_sandbox: Sandbox) -> None:
    """editSchoolSettings posts JSON to /school/modifySchoolConf; a setting left out stays."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        await client.edit_school_settings(allow_view_replay=True, allow_new_student_view_replay=0)
        await client.edit_school_settings(allow_view_replay=False)
        with pytest.raises(eeo.InputError, match="allow_view_replay"):
            await client.edit_school_settings()
    assert sb.state(SchoolSettings).settings == {
        "allowViewReplay": 0,
        "allowNewStudentViewReplay": 0,
    }
    assert sb.stats.requests["/school/modifySchoolConf"] == 2
