"""The demo's LMS steps under the demo's faults: every report agrees with the sandbox."""

from __future__ import annotations

import attrs

import eeo_async as eeo
from eeo_async._cli.demo import DEMO_FAULTS
from eeo_async._cli.demo_lms import run_lms_steps
from eeo_async.testing import Sandbox, set_testing


async def test_the_lms_steps_agree_with_the_sandbox_under_faults() -> None:
    """Unit, classrooms, enrolment and removal under faults: no item contradicts the server."""
    faults = attrs.evolve(DEMO_FAULTS, too_frequent=0.05, busy_after=0.02)
    lines: list[str] = []
    with set_testing(True):
        async with Sandbox(seed=7, faults=faults) as sb:
            students = sb.add_students(60)
            course = sb.add_course()
            async with eeo.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
                batcher = eeo.Batcher(client, concurrency=8, max_attempts=10)
                demo = await run_lms_steps(
                    client, batcher, sb, course.course_id, students, lines.append, classrooms=12
                )
    assert (demo.disagree, demo.checked) == (0, 12 + 60 * 12 + 15 * 6)
    assert demo.created.ok
    assert demo.enrolled.total == 720
    assert any("agree with the server item by item: yes" in line for line in lines)
    assert sb.stats.faults_injected["too_frequent"] > 0
