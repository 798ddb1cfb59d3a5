"""``eeo-async group`` run again: the plan's ID is kept, 892 says what next, --replace edits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli import SECRET, ThreadSandbox, run_cli, write

import eeo_async as eeo
from eeo_async.testing import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        yield sb


def groups_csv(path: Path, students: list[int], size: int) -> Path:
    """A group file: teams of ``size``, the first of each the leader."""
    lines: list[object] = ["group,student_uid,is_leader"]
    for n, uid in enumerate(students):
        lines.append(f"T{n // size},{uid},{1 if n % size == 0 else 0}")
    return write(path, lines)


def seeded(sandbox: Sandbox, count: int) -> tuple[list[int], int]:
    """``count`` students, and a course they belong to (a plan needs course members)."""
    students = sandbox.add_students(count)
    course = sandbox.add_course(lessons=1).course_id
    sandbox.add_course_members(course, students)
    return students, course


def command(course: int, name: str, groups: Path, *extra: object) -> list[object]:
    return ["group", "--course", course, "--name", name, "--groups", groups, *extra]


def test_a_second_run_names_the_plan_and_replace_edits_it(sandbox: Sandbox, tmp_path: Path) -> None:
    """Run 1 creates and keeps the ID; run 2 says to use --replace; --replace edits that plan."""
    students, course = seeded(sandbox, 4)
    gfile = groups_csv(tmp_path / "groups.csv", students, 2)

    first = run_cli(command(course, "Teams", gfile), sandbox)
    assert first.returncode == 0, first.stderr
    plan = sandbox.course_group(course)
    assert plan is not None
    assert f"group plan {plan.group_id} created" in first.stdout
    kept = json.loads((tmp_path / "groups.csv.plans.json").read_text(encoding="utf-8"))
    assert kept["plans"][0]["group_id"] == plan.group_id
    assert kept["plans"][0]["course_id"] == course
    assert SECRET not in json.dumps(kept)

    again = run_cli(command(course, "Teams", gfile), sandbox)
    assert again.returncode == 1
    assert "errno 892" in again.stderr
    assert f"plan {plan.group_id}, made by an earlier run" in again.stderr
    assert f"--groups {gfile} --replace" in again.stderr

    groups_csv(gfile, students, 4)  # one team of four now
    dry = run_cli(command(course, "Teams v2", gfile, "--replace", "--dry-run"), sandbox)
    assert f"one editCourseGroup call replacing plan {plan.group_id}" in dry.stdout
    replaced = run_cli(command(course, "Teams v2", gfile, "--replace"), sandbox)
    assert replaced.returncode == 0, replaced.stderr
    assert f"group plan {plan.group_id} of course {course} replaced" in replaced.stdout
    now = sandbox.course_group(course)
    assert now is not None
    assert (now.group_id, now.name) == (plan.group_id, "Teams v2")
    assert [[m.student_uid for m in g] for g in now.groups] == [students]
    assert sandbox.stats.requests["addCourseGroup"] == 2  # the first, and the refused one


def test_a_plan_made_elsewhere_needs_its_id(sandbox: Sandbox, tmp_path: Path) -> None:
    """A plan this groups file did not make: 892 says to pass --plan-id, which then edits it."""
    students, course = seeded(sandbox, 2)
    other = run_cli(command(course, "Old", groups_csv(tmp_path / "old.csv", students, 1)), sandbox)
    assert other.returncode == 0
    plan = sandbox.course_group(course)
    assert plan is not None

    gfile = groups_csv(tmp_path / "groups.csv", students, 2)
    for extra in ((), ("--replace",)):
        done = run_cli(command(course, "New", gfile, *extra), sandbox)
        assert done.returncode == 1
        assert "made elsewhere" in done.stderr
        assert "--replace --plan-id ID" in done.stderr
    done = run_cli(command(course, "New", gfile, "--plan-id", plan.group_id), sandbox)
    assert done.returncode == 2
    assert "--plan-id goes with --replace" in done.stderr

    done = run_cli(command(course, "New", gfile, "--replace", "--plan-id", plan.group_id), sandbox)
    assert done.returncode == 0, done.stderr
    now = sandbox.course_group(course)
    assert now is not None
    assert (now.group_id, now.name) == (plan.group_id, "New")
    assert f"{gfile}.plans.json" in done.stdout  # kept now, for the next --replace


def test_replace_after_the_plan_was_deleted_creates_a_new_one(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """--replace on a kept plan deleted since (893) creates a new plan and keeps its ID."""
    students, course = seeded(sandbox, 2)
    gfile = groups_csv(tmp_path / "groups.csv", students, 2)
    assert run_cli(command(course, "Teams", gfile), sandbox).returncode == 0
    old = sandbox.course_group(course)
    assert old is not None

    async def delete() -> None:
        async with eeo.Client(sandbox.sid, SECRET, base_url=sandbox.base_url) as client:
            await client.del_course_group(course, old.group_id)

    asyncio.run(delete())
    done = run_cli(command(course, "Teams", gfile, "--replace"), sandbox)
    assert done.returncode == 0, done.stderr
    assert "no longer exists (errno 893)" in done.stderr
    new = sandbox.course_group(course)
    assert new is not None
    assert new.group_id != old.group_id
    kept = json.loads((tmp_path / "groups.csv.plans.json").read_text(encoding="utf-8"))
    assert [p["group_id"] for p in kept["plans"]] == [new.group_id]
