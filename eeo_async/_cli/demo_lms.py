"""The LMS steps of ``eeo-async demo``: a unit, classrooms in bulk, members in and out.

The docs' recommended integration after register and addCourse (``BasicScenario``,
``Solutions_CreateClassroom``): createUnit, createClassroom for a term's timetable,
addStudent into the classrooms and deleteStudent for some, each report then checked
against the sandbox item by item. The demo calls :func:`run_lms_steps` with its client,
its sandbox (faults on) and the course and students it made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs

from .._api.classrooms import NewClassroom
from .._api.client import Client
from .._batch.batcher import Batcher
from .._batch.report import BatchReport
from .._models import ItemResult
from ..testing import LmsState, Sandbox

#: A classroom lasts an hour, one a day from tomorrow.
_HOUR = 3600
_DAY = 24 * _HOUR


@attrs.define
class LmsDemo:
    """What the LMS steps did: their reports, and how many items agreed with the sandbox.

    Attributes:
        unit_id: the unit the classrooms were created in.
        created: the ``create_classrooms`` report (keyed by unique identity).
        enrolled: the ``enroll_activities`` report.
        removed: the ``unenroll_activities`` report.
        checked: items compared with the sandbox.
        disagree: items whose outcome the sandbox contradicts (0 when all is well).
    """

    unit_id: int
    created: BatchReport[Any]
    enrolled: BatchReport[Any]
    removed: BatchReport[Any]
    checked: int = 0
    disagree: int = 0

    def item(self, item: ItemResult, done: bool) -> None:
        """Count one item; it agrees when ``ok`` is the server's state (or it is unknown)."""
        self.checked += 1
        if item.outcome != "unknown":
            self.disagree += item.ok != done


async def run_lms_steps(  # noqa: PLR0917 - the demo's own values, in its order
    client: Client,
    batcher: Batcher,
    sandbox: Sandbox,
    course_id: int,
    student_uids: list[int],
    say: Callable[[str], None] = print,
    classrooms: int = 20,
    progress: bool = False,
) -> LmsDemo:
    """Create a unit and ``classrooms`` classrooms, enrol the students, remove a quarter.

    Every report is checked against the sandbox item by item; a classroom counts as
    created twice if the sandbox made two for one identity.

    Returns:
        The reports and the counts of items checked and disagreeing.
    """
    (teacher,) = sandbox.add_teachers(1)
    say(f"\nLMS 1. create a unit in course {course_id} (API v2, signed in headers)")
    unit = await client.lms.create_unit(course_id, "Term 1")
    lms = sandbox.state(LmsState)
    if unit.unit_id is None:  # created by an attempt whose answer was lost: find it by name
        unit_id = next(u.unit_id for u in lms.live_units(course_id) if u.name == "Term 1")
    else:
        unit_id = unit.unit_id
    say(f"   unit {unit_id} after {unit.attempts} attempt(s){' (already there)' * unit.already}")

    start = int(time.time()) + _DAY
    rooms = [
        NewClassroom(
            f"Lesson {n + 1}",
            teacher,
            start + n * _DAY,
            start + n * _DAY + _HOUR,
            unit_id=unit_id,
            record_type=0,
            record_state=1,
            live_state=1,
            open_state=1,
        )
        for n in range(classrooms)
    ]
    say(f"\nLMS 2. create {len(rooms)} classrooms, one a call, each with its unique identity")
    created = await batcher.create_classrooms(course_id, rooms, progress=progress)
    say(created.summary())
    activities = [item.id for item in created.items.values() if item.ok and item.id]

    say(f"\nLMS 3. enrol {len(student_uids)} students into the {len(activities)} classrooms")
    enrolled = await batcher.enroll_activities(
        course_id, student_uids, activities, progress=progress
    )
    say(enrolled.summary())
    leaving = student_uids[: len(student_uids) // 4]
    say(f"\nLMS 4. remove {len(leaving)} of them from the first half of the classrooms")
    half = activities[: len(activities) // 2]
    removed = await batcher.unenroll_activities(course_id, leaving, half, progress=progress)
    say(removed.summary())

    demo = LmsDemo(unit_id, created, enrolled, removed)
    made = {a.unique_identity: a for a in lms.live_activities(course_id)}
    for identity, item in created.items.items():
        found = made.get(identity)
        same = found is not None and item.id in (None, found.activity_id)
        demo.item(item, same and lms.created[identity] == 1)
    gone = {(uid, activity) for uid in leaving for activity in half}
    for (uid, activity), item in enrolled.items.items():
        demo.item(item, uid in lms.members(activity) or (uid, activity) in gone)
    for (uid, activity), item in removed.items.items():
        demo.item(item, uid not in lms.members(activity))
    twice = sum(1 for count in lms.created.values() if count > 1)
    demo.disagree += twice
    verdict = "yes" if not demo.disagree else f"NO ({demo.disagree} items differ)"
    say(
        f"   LMS reports agree with the server item by item: {verdict} "
        f"({demo.checked} items checked; classrooms created twice: {twice})"
    )
    return demo
