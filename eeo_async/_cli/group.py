"""``eeo-async group``: a course's group plan from a file, made once, then replaced.

The API cannot read a course's plan back: a second addCourseGroup answers 892 ("the
course already has a group") without the plan's ID, and editCourseGroup needs that ID.
So the command keeps the ID of every plan it makes or edits in a small JSON file beside
the groups file (``groups.csv`` -> ``groups.csv.plans.json``), one entry per school,
server and course; ``--replace`` edits the plan kept there (or the one given with
``--plan-id``), and a run that meets 892 says what to run next.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from .._api.client import Client
from .._api.groups import validate_group_name, validate_groups
from .._errors import ConnectError, GroupExistsError, NotFoundError
from .._models import GroupMember
from .base import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    _client,
    _credential_options,
    _err,
    _file_options,
    _id,
    _Usage,
    _warn,
)
from .files import read_groups

#: The format tag of a plans file (``groups.csv.plans.json``).
PLANS_FORMAT: Final = "eeo-async-group-plans/1"


def group_options(sub: argparse.ArgumentParser) -> None:
    """The options of ``group``."""
    _credential_options(sub)
    sub.add_argument("--name", required=True, help="group plan name, 1 to 20 characters")
    sub.add_argument(
        "--groups",
        type=Path,
        required=True,
        metavar="FILE",
        help="group file: the documented JSON, CSV or .xlsx",
    )
    _file_options(sub)
    sub.add_argument(
        "--replace",
        action="store_true",
        help="replace the course's plan with this file (editCourseGroup) instead of creating "
        "one; the plan's ID is the one an earlier run kept in FILE.plans.json, or --plan-id",
    )
    sub.add_argument(
        "--plan-id",
        type=_id,
        metavar="ID",
        help="with --replace: the ID of the plan to replace, when this command did not make it",
    )


def plans_file(groups: Path) -> Path:
    """Where the IDs of the plans made from ``groups`` are kept: ``<groups>.plans.json``."""
    return groups.with_name(groups.name + ".plans.json")


def _entries(path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        _err(f"warning: {path} cannot be read ({exc}); no plan ID is known from it")
        return []
    plans = doc.get("plans") if isinstance(doc, dict) else None
    return [p for p in plans if isinstance(p, dict)] if isinstance(plans, list) else []


def known_plan(path: Path, course_id: int, sid: int | None, base_url: str | None) -> int | None:
    """The plan ID kept for this course (of this school and server, when they are known)."""
    for entry in reversed(_entries(path)):
        if entry.get("course_id") != course_id:
            continue
        if sid is not None and entry.get("sid") != sid:
            continue
        if base_url is not None and entry.get("base_url") != base_url:
            continue
        group_id = entry.get("group_id")
        if isinstance(group_id, int) and not isinstance(group_id, bool) and group_id > 0:
            return group_id
    return None


def keep_plan(path: Path, client: Client, course_id: int, group_id: int, name: str) -> None:
    """Keep ``group_id`` as the plan of ``course_id`` (a warning if the file cannot be written)."""
    entry = {
        "sid": client.sid,
        "base_url": client.base_url,
        "course_id": course_id,
        "group_id": group_id,
        "name": name,
    }
    plans = [
        p
        for p in _entries(path)
        if (p.get("sid"), p.get("base_url"), p.get("course_id"))
        != (client.sid, client.base_url, course_id)
    ]
    doc = {"format": PLANS_FORMAT, "plans": [*plans, entry]}
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        _err(
            f"warning: the plan's ID {group_id} could not be kept in {path} "
            f"({exc.strerror or exc}): note it for --replace --plan-id {group_id}"
        )
        return
    print(f"plan ID kept in {path} (for group --replace)")


def run_group(args: argparse.Namespace) -> int:
    """``group``: create the course's plan, or replace it (``--replace``)."""
    if args.plan_id is not None and not args.replace:
        message = "--plan-id goes with --replace (it names the plan to replace)"
        raise _Usage(message)
    groups = read_groups(args.groups, sheet=args.sheet, encoding=args.encoding, warn=_warn)
    name = validate_group_name(args.name)
    checked = validate_groups(groups)
    if args.dry_run:
        members = sum(len(g) for g in checked)
        plan = args.plan_id or known_plan(plans_file(args.groups), args.course, None, None)
        if args.replace and plan is not None:
            what = f"one editCourseGroup call replacing plan {plan}"
        else:
            what = "one addCourseGroup call"
        print(
            f"dry run: {what}, {len(checked)} groups, {members} students, "
            f"name {name!r}; nothing was sent"
        )
        return EXIT_OK
    return asyncio.run(_send(args, name, checked))


async def _send(
    args: argparse.Namespace, name: str, groups: Sequence[Sequence[GroupMember]]
) -> int:
    course: int = args.course
    kept = plans_file(args.groups)
    async with _client(args) as client:
        plan = args.plan_id or known_plan(kept, course, client.sid, client.base_url)
        try:
            if args.replace and plan is not None:
                try:
                    await client.edit_course_group(course, plan, name, groups)
                except NotFoundError as exc:
                    if exc.errno != 893:
                        raise
                    _err(f"plan {plan} no longer exists (errno 893): creating a new one")
                else:
                    keep_plan(kept, client, course, plan, name)
                    print(f"group plan {plan} of course {course} replaced from {args.groups}")
                    return EXIT_OK
            result = await client.add_course_group(course, name, groups)
        except ConnectError as exc:
            _err(f"error: the server cannot be reached ({client.base_url}): {exc}")
            return EXIT_UNREACHABLE
        except GroupExistsError:
            _exists(args, course, name, plan)
            return EXIT_FAILED
        keep_plan(kept, client, course, result.group_id, name)
    if result.partial:
        print(f"group plan {result.group_id} created for course {course}, incomplete")
        _err(
            "error: some student UIDs were wrong (errno 898) and left out; the server did "
            "not say which: compare the plan with the file, fix it and run again with --replace"
        )
        return EXIT_FAILED
    print(f"group plan {result.group_id} created for course {course}")
    return EXIT_OK


def _exists(args: argparse.Namespace, course: int, name: str, plan: int | None) -> None:
    """Say what to do when the course has a plan already (errno 892)."""
    again = f"eeo-async group --course {course} --name {name!r} --groups {args.groups} --replace"
    if plan is not None:
        _err(
            f"error: course {course} already has a group plan (errno 892): plan {plan}, "
            f"made by an earlier run (its ID is kept in {plans_file(args.groups)}).\n"
            f"To replace it with this file, run:\n  {again}"
        )
        return
    _err(
        f"error: course {course} already has a group plan (errno 892), made elsewhere (in "
        "ClassIn, by another groups file, or by a run whose answer was lost); the API gives "
        "no way to read its ID.\n"
        f"To replace it, give its ID:\n  {again} --plan-id ID\n"
        "or delete the plan in ClassIn and run again."
    )
