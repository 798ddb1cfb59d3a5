"""``eeo_async.Client``: the core composed with every API area's typed methods."""

from __future__ import annotations

from .calls import Calls
from .course_members import CourseMembers
from .courses import Courses
from .double_teacher import DoubleTeacher
from .files import Files
from .groups import Groups
from .labels import Labels
from .lessons import Lessons
from .links import Links
from .live import Live
from .lms import Lms
from .members import Members
from .new_lessons import NewLessons
from .school import School
from .students import Students
from .users import Users


class Client(
    Users,
    Members,
    Students,
    Courses,
    CourseMembers,
    Lessons,
    NewLessons,
    Labels,
    Groups,
    School,
    Files,
    Live,
    Links,
    Calls,
):
    """An async client for the ClassIn partner API that signs every call.

    Use it as ``async with Client(sid, secret) as client:``, or keep one per process
    (in a web app, create it in the lifespan) and ``await client.close()`` at shutdown.
    Each HTTP attempt is signed afresh: ``timeStamp`` from the clock and
    ``safeKey = md5(secret + timeStamp)``, so a retry never reuses a key. The secret
    never appears in ``repr``, logs or exceptions.

    Each typed method (named after the docs' action: ``add_course_student_multiple``;
    the v2 LMS under ``client.lms``) sends one request, checks its input before sending
    anything, and retries as the README's errno table says (only where repeating is
    safe). v1 actions are signed with ``safeKey`` in the form, v2 actions with
    ``X-EEO-SIGN`` in headers, afresh for every attempt. ``call()`` and ``call_v2()``
    send any other action; ``request()`` any row. Identical requests are never in
    flight at once: identical calls of an action safe to repeat share one request and
    its answer, others wait for each other. ``with_options(deadline=...)`` bounds a
    whole call, retries included; every result turns into JSON with
    :func:`eeo_async.to_jsonable` (or its ``to_dict()``).

    Args:
        sid: the school ID (positive int, or a string of digits).
        secret: the school's API secret.
        base_url: scheme and host of the API, ``https://api.eeo.cn`` by default.
        timeout: seconds for one HTTP attempt, from when it gets a connection.
        session: an ``aiohttp.ClientSession`` to borrow; it is not closed by ``close``,
            and its pool size bounds this client's requests in flight.
        transport: a :class:`~eeo_async.testing.MockTransport` (or another transport)
            to send with instead of HTTP; ``base_url`` and ``session`` are then unused.
        max_attempts: attempts per call, the first one included (1 = no retry).
        initial_backoff: first wait between attempts in seconds; doubles each time.
        max_backoff: longest wait between attempts in seconds.
        clock: returns the current Unix time; for tests (a clock given here also
            measures deadlines, which otherwise use a monotonic clock).
        sleep: awaited for every backoff wait of this client and its batches; for tests
            (``eeo_async.testing.set_testing`` turns the waits off altogether).
        max_body_bytes: larger answers are refused rather than read into memory.
        max_connections: connections the client's own session opens at first (a
            ``Batcher`` with a higher concurrency grows it).
        max_per_second: at most this many requests start per second, over every call
            and every job of this client and its ``with_options`` copies (a school's
            limit is the school's); ``None`` (the default) for no limit. A burst of a
            tenth of a second's requests (at least one) is allowed.

    Raises:
        InputError: a bad ``sid``, ``secret``, ``base_url``, timeout or retry setting.
    """

    @property
    def lms(self) -> Lms:
        """The LMS (API v2): units, classrooms and other activities, activity members."""
        return Lms(self)

    @property
    def double_teacher(self) -> DoubleTeacher:
        """Online double-teacher lessons (API v2): sub-lessons bound to a main lesson."""
        return DoubleTeacher(self)
