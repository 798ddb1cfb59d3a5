"""Test helpers: a fake ClassIn server (``Sandbox``), ``MockTransport``, ``set_testing``.

``Sandbox`` serves both API generations over a real loopback socket with its own wire
parsing and signature checks (it implements the docs and never imports the SDK's rows
or signing, so a wrong wire name in the SDK fails a test), state split by area like the
API, the documented codes in their situations, and faults injected from a seed::

    async with Sandbox(faults=Faults(item_busy=0.05)) as sb:
        students = sb.add_students(50)
        course = sb.add_course(lessons=10)
        async with eeo_async.Client(sb.sid, sb.secret, base_url=sb.base_url) as client:
            ...
        assert sb.lesson_members(course.class_ids[0]) == ...

``sb.handle(name, handler)`` serves one more v1 action or v2 path from a function.
``MockTransport(handler)`` answers a Client's calls from a plain function instead of a
server, and ``set_testing(True)`` turns every backoff wait off. This wing may import the
SDK's core modules (``_codes``, ``_http``, ``_retry``, ``_transport``), never its rows or
signing.
"""

from .._retry import set_testing
from ._cloud import CloudDrive
from ._double_teacher import DoubleTeacherState, SubLesson
from ._faults import Faults
from ._groups import GroupPlan, PlanMember
from ._labels import SchoolSettings
from ._live import Videos
from ._lms import LmsActivity, LmsState, LmsUnit
from ._members import Roster
from ._messages import envelope, envelope_v2
from ._mock import MockRequest, MockResponse, MockTransport
from ._pusher import Pusher, lesson_end_message, samples
from ._school import Account, Course, SandboxStats, School
from ._server import Sandbox, serve
from ._timetable import CourseRecord, LessonRecord, Timetable
from ._users import Texted
from ._wire import Answer, Upload

__all__ = [
    "Account",
    "Answer",
    "CloudDrive",
    "Course",
    "CourseRecord",
    "DoubleTeacherState",
    "Faults",
    "GroupPlan",
    "LessonRecord",
    "LmsActivity",
    "LmsState",
    "LmsUnit",
    "MockRequest",
    "MockResponse",
    "MockTransport",
    "PlanMember",
    "Pusher",
    "Roster",
    "Sandbox",
    "SandboxStats",
    "School",
    "SchoolSettings",
    "SubLesson",
    "Texted",
    "Timetable",
    "Upload",
    "Videos",
    "envelope",
    "envelope_v2",
    "lesson_end_message",
    "samples",
    "serve",
    "set_testing",
]
