"""The README's testing snippets, verbatim: ``make types`` checks them (never run)."""

from __future__ import annotations

import eeo_async


async def my_code_that_enrols(client: eeo_async.Client, course_id: int, students: list[int]) -> None:
    """Stands for the code under test."""

import eeo_async
from eeo_async.testing import Sandbox

async def test_my_enrolment(eeo_sandbox: Sandbox) -> None:
    students = eeo_sandbox.add_students(3)
    course = eeo_sandbox.add_course(lessons=2)
    eeo_sandbox.faults.item_busy = 0.2          # every kind of fault can be turned on
    async with eeo_async.Client(eeo_sandbox.sid, eeo_sandbox.secret,
                                base_url=eeo_sandbox.base_url) as client:
        await my_code_that_enrols(client, course.course_id, students)
    assert eeo_sandbox.lesson_members(course.class_ids[0]) == set(students)

from eeo_async.testing import MockRequest, MockTransport, set_testing

def handler(request: MockRequest) -> dict[str, object]:
    lessons = request.json_field("classJson")
    return {"error_info": {"errno": 1, "error": "ok"},
            "data": [{"errno": 1, "error": "ok"}] * len(lessons)}

client = eeo_async.Client(1, "secret", transport=MockTransport(handler))
set_testing(True)          # every backoff wait is 0 (also: `with set_testing(True): ...`)


def add_a_route(eeo_sandbox: Sandbox) -> None:
    """The snippet of a sandbox route of one's own."""
    import random
    from typing import Any

    from eeo_async.testing import Answer, School, envelope_v2

    def create_unit(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        if body.get("courseId") not in school.courses:
            raise Answer(147)                                  # {"code": 147, "msg": "没有此课程信息", ...}
        return envelope_v2(1, {"name": body["name"], "unitId": 7})

    eeo_sandbox.handle("/lms/unit/create", create_unit)
