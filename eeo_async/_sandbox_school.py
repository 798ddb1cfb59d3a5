"""The sandbox's school: state, seeding, read-back and the documented answers.

No sockets here: ``eeo_async.testing.Sandbox`` serves this state over HTTP and adds
signature checks and faults. Call-level and per-item errnos follow the reading of the
reference pages given in ``eeo_async.testing``.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ._codes import Errno
from ._constants import MAX_CHUNK_SIZE, MAX_GROUP_NAME_CHARS
from ._endpoints import ADD_COURSE_CLASS_STUDENT, ADD_COURSE_GROUP, DEL_CLASS_STUDENT_MULTIPLE
from ._models import GroupMember
from ._wire import Endpoint


def _check_capacity(_: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        message = f"{attribute.name} must be a positive int or None, got {value!r}"
        raise ValueError(message)


@attrs.define(kw_only=True)
class Faults:
    """Fault probabilities (0 to 1) and added latency; may be changed while running.

    Each decision is drawn from the seed, the request's content and how many times that
    same content was seen, so a run is the same whatever order requests arrive in.

    Attributes:
        call_busy: the whole call answers errno 114; nothing is applied.
        item_busy: each item answers 114 on its own and is not applied.
        http_error: HTTP 502 with an HTML body; nothing is applied.
        non_json: HTTP 200 with an HTML body; nothing is applied.
        drop_before: the connection is closed before anything is applied.
        rate_limited: HTTP 429 with ``Retry-After: 1``; nothing is applied.
        redirect: HTTP 302 to another URL (a misconfigured proxy); nothing is applied.
        lost_after: the change is applied, then the connection is closed unanswered.
        error_after: the change is applied, then HTTP 502 with an HTML body.
        busy_after: the change is applied, then the call answers errno 104.
        echo_after: the change is applied, then an HTML page echoing the request (as
            some proxies do: the safeKey is in it).
        gbk: the answer is encoded in GBK and says ``charset=gbk``; nothing else changes.
        latency: seconds added to every request.
        latency_jitter: up to this many seconds more, at random.
        capacity: requests the server handles at once; one that arrives while this
            many are in flight is answered busy at once, nothing applied (``None``: no
            limit). Counted in ``stats.faults_injected["capacity"]``.
        capacity_answer: the busy answer: ``"114"`` (errno 114), ``"429"`` (HTTP 429
            with ``Retry-After: 1``) or ``"503"`` (HTTP 503).
    """

    call_busy: float = 0.0
    item_busy: float = 0.0
    http_error: float = 0.0
    non_json: float = 0.0
    drop_before: float = 0.0
    rate_limited: float = 0.0
    redirect: float = 0.0
    lost_after: float = 0.0
    error_after: float = 0.0
    busy_after: float = 0.0
    echo_after: float = 0.0
    gbk: float = 0.0
    latency: float = 0.0
    latency_jitter: float = 0.0
    capacity: int | None = attrs.field(default=None, validator=_check_capacity)
    capacity_answer: str = attrs.field(
        default="114", validator=attrs.validators.in_(("114", "429", "503"))
    )


@attrs.define
class SandboxStats:
    """What the sandbox saw: requests, errnos, sizes, concurrency and faults."""

    requests: Counter[str] = attrs.Factory(Counter)
    errnos: Counter[int] = attrs.Factory(Counter)
    item_errnos: Counter[int] = attrs.Factory(Counter)
    max_items_per_call: dict[str, int] = attrs.Factory(dict)
    in_flight: int = 0
    max_in_flight: int = 0
    duplicates_in_flight: int = 0
    faults_injected: Counter[str] = attrs.Factory(Counter)
    bad_signatures: int = 0
    #: How many times each (class_id, student_uid) was added by a call: 1 means once.
    adds: Counter[tuple[int, int]] = attrs.Factory(Counter)


@attrs.frozen
class Course:
    """A seeded course and its lessons."""

    course_id: int
    class_ids: tuple[int, ...]


@attrs.frozen
class GroupPlan:
    """The group plan of a course, as the server stored it (name cut to 20 characters)."""

    group_id: int
    name: str
    groups: tuple[tuple[GroupMember, ...], ...]


@attrs.define
class _Course:
    teacher_uid: int | None
    co_teachers: set[int]
    deleted: bool = False
    expired: bool = False
    lessons: list[int] = attrs.Factory(list)


@attrs.define
class _Lesson:
    course_id: int
    seat_limit: int | None = None
    finished: bool = False
    deleted: bool = False
    members: set[int] = attrs.Factory(set)


class _Answer(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Ends a request early with a call-level errno."""

    def __init__(self, errno: int) -> None:
        self.errno = errno
        super().__init__(errno)


def envelope(errno: int, data: object = None) -> dict[str, Any]:
    """The answer document for ``errno`` (with its documented meaning) and ``data``."""
    doc: dict[str, Any] = {"error_info": {"errno": errno, "error": Errno(errno).meaning}}
    if data is not None:
        doc["data"] = data
    return doc


def _int_field(form: dict[str, str], name: str) -> int:
    text = form.get(name, "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) <= 0:
        raise _Answer(Errno.BAD_PARAMETERS)
    return int(text)


def _id_list(form: dict[str, str], name: str, empty_errno: int) -> list[int]:
    try:
        values = json.loads(form[name])
    except (KeyError, ValueError):
        raise _Answer(Errno.BAD_PARAMETERS) from None
    if not isinstance(values, list):
        raise _Answer(Errno.BAD_PARAMETERS)
    if not values:
        raise _Answer(empty_errno)
    if len(values) > MAX_CHUNK_SIZE:
        raise _Answer(Errno.ILLEGAL_DATA)
    ids = []
    for value in values:
        text = str(value)
        if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
            raise _Answer(Errno.BAD_PARAMETERS)
        ids.append(int(text))
    return ids


class School:
    """A school as the server holds it: students, teachers, courses, lessons, groups."""

    def __init__(self, *, faults: Faults | None = None) -> None:
        self.faults = faults if faults is not None else Faults()
        self.stats = SandboxStats()
        self._students: set[int] = set()
        self._teachers: set[int] = set()
        self._deleted_accounts: set[int] = set()
        self._courses: dict[int, _Course] = {}
        self._lessons: dict[int, _Lesson] = {}
        self._groups: dict[int, GroupPlan] = {}
        self._uids = itertools.count(1_000_001)
        self._course_ids = itertools.count(100_001)
        self._class_ids = itertools.count(2_000_001)
        self._group_ids = itertools.count(147_667)
        self._handlers = dict(_HANDLERS)

    # -------------------------------------------------------------------- seeding

    def _take(self, what: int | Iterable[int], ids: Iterable[int]) -> list[int]:
        return list(itertools.islice(ids, what)) if isinstance(what, int) else list(what)

    def add_students(self, students: int | Iterable[int]) -> list[int]:
        """Register ``n`` new students (or the given UIDs) with the school; return UIDs."""
        uids = self._take(students, self._uids)
        self._students.update(uids)
        return uids

    def add_teachers(self, teachers: int | Iterable[int]) -> list[int]:
        """Register ``n`` new teachers (or the given UIDs); return their UIDs."""
        uids = self._take(teachers, self._uids)
        self._teachers.update(uids)
        return uids

    def delete_student_account(self, uid: int) -> None:
        """Mark a student's account deleted by its user (errno 886 when added)."""
        self._deleted_accounts.add(uid)

    def add_course(
        self,
        *,
        lessons: int | Iterable[int] = 0,
        teacher_uid: int | None = None,
        co_teacher_uids: Iterable[int] = (),
        course_id: int | None = None,
        seat_limit: int | None = None,
    ) -> Course:
        """Create a course with ``lessons`` new lessons (or the given class IDs)."""
        cid = course_id if course_id is not None else next(self._course_ids)
        self._courses[cid] = _Course(teacher_uid, set(co_teacher_uids))
        class_ids = self.add_lessons(cid, lessons, seat_limit=seat_limit)
        return Course(cid, tuple(class_ids))

    def add_lessons(
        self, course_id: int, lessons: int | Iterable[int], *, seat_limit: int | None = None
    ) -> list[int]:
        """Add lessons to a course; return their class IDs."""
        class_ids = self._take(lessons, self._class_ids)
        for class_id in class_ids:
            self._lessons[class_id] = _Lesson(course_id, seat_limit)
        self._courses[course_id].lessons.extend(class_ids)
        return class_ids

    def finish_lesson(self, class_id: int) -> None:
        """Mark a lesson finished (errno 145)."""
        self._lessons[class_id].finished = True

    def delete_lesson(self, class_id: int) -> None:
        """Mark a lesson deleted (errno 212)."""
        self._lessons[class_id].deleted = True

    def delete_course(self, course_id: int) -> None:
        """Mark a course deleted (errno 149)."""
        self._courses[course_id].deleted = True

    def expire_course(self, course_id: int) -> None:
        """Mark a course expired (errno 153 when adding)."""
        self._courses[course_id].expired = True

    def set_seat_limit(self, class_id: int, seats: int | None) -> None:
        """Limit how many students a lesson takes (errno 157 past it)."""
        self._lessons[class_id].seat_limit = seats

    def enroll_directly(self, class_id: int, uids: Iterable[int]) -> None:
        """Put students in a lesson without a request (for 166/167 situations)."""
        self._lessons[class_id].members.update(uids)

    # -------------------------------------------------------------------- reading

    def lesson_members(self, class_id: int) -> frozenset[int]:
        """The students in a lesson now."""
        return frozenset(self._lessons[class_id].members)

    def course_students(self, course_id: int) -> frozenset[int]:
        """The students of any lesson of a course now."""
        lessons = self._courses[course_id].lessons
        return frozenset().union(*(self._lessons[c].members for c in lessons))

    def course_group(self, course_id: int) -> GroupPlan | None:
        """The group plan of a course, if one was created."""
        return self._groups.get(course_id)

    def reset_stats(self) -> None:
        """Start counting afresh."""
        self.stats = SandboxStats()

    # ------------------------------------------------------------------- answers

    def handle(self, row: Endpoint, handler: Handler) -> None:
        """Serve ``row``'s action with ``handler(school, fields, rng)`` (for new rows).

        ``fields`` maps the row's Python parameter names to the wire text; the handler
        returns the JSON document to answer (see :func:`envelope`).
        """
        self._handlers[row.action] = (row, handler)

    def answer(self, action: str, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        """The JSON document the server answers ``action`` with, applying its change.

        Raises:
            NotImplementedAction: the sandbox does not implement ``action``.
        """
        found = self._handlers.get(action)
        if found is None:
            raise NotImplementedAction(action)
        row, handler = found
        try:
            return handler(self, read_form(row, form), rng)
        except _Answer as answer:
            return envelope(answer.errno)

    def _count_items(self, action: str, count: int) -> None:
        stats = self.stats.max_items_per_call
        stats[action] = max(stats.get(action, 0), count)

    def _course(self, course_id: int, *, editing: bool) -> _Course:
        course = self._courses.get(course_id)
        if course is None:
            raise _Answer(Errno.COURSE_NOT_FOUND)
        if course.deleted:
            raise _Answer(Errno.COURSE_DELETED)
        if editing and course.expired:
            raise _Answer(Errno.COURSE_EXPIRED)
        return course

    def _item_busy(self, rng: random.Random) -> bool:
        busy = rng.random() < self.faults.item_busy
        if busy:
            self.stats.faults_injected["item_busy"] += 1
        return busy

    def _add_course_class_student(self, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        course_id = _int_field(form, "course_id")
        uid = _int_field(form, "student_uid")
        class_ids = _id_list(form, "class_ids", Errno.BAD_PARAMETERS)
        self._count_items("addCourseClassStudent", len(class_ids))
        course = self._course(course_id, editing=True)
        if uid == course.teacher_uid:
            raise _Answer(Errno.TEACHER_AS_STUDENT)
        if uid in course.co_teachers:
            raise _Answer(Errno.COTEACHER_AS_STUDENT)
        if uid in self._deleted_accounts:
            raise _Answer(Errno.ACCOUNT_DELETED)
        if uid not in self._students:
            raise _Answer(Errno.STUDENT_NOT_IN_SCHOOL)
        data = []
        for class_id in class_ids:
            lesson = self._lessons.get(class_id)
            if lesson is None or lesson.course_id != course_id:
                errno = Errno.LESSON_NOT_IN_COURSE
            elif lesson.deleted:
                errno = Errno.LESSON_DELETED
            elif lesson.finished:
                errno = Errno.LESSON_FINISHED
            elif self._item_busy(rng):
                errno = Errno.SERVER_BUSY
            elif uid in lesson.members:
                errno = Errno.ALREADY_IN_LESSON
            elif lesson.seat_limit is not None and len(lesson.members) >= lesson.seat_limit:
                errno = Errno.LESSON_FULL
            else:
                lesson.members.add(uid)
                self.stats.adds[(class_id, uid)] += 1
                errno = Errno.OK
            data.append({"errno": errno, "error": Errno(errno).meaning})
        return envelope(Errno.OK, data)

    def _del_class_student_multiple(
        self, form: dict[str, str], rng: random.Random
    ) -> dict[str, Any]:
        course_id = _int_field(form, "course_id")
        class_id = _int_field(form, "class_id")
        if form.get("identity") != "1":
            raise _Answer(Errno.ONLY_STUDENTS)
        uids = _id_list(form, "student_uids", Errno.STUDENTS_EMPTY)
        self._count_items("delClassStudentMultiple", len(uids))
        self._course(course_id, editing=False)
        lesson = self._lessons.get(class_id)
        if lesson is None:
            raise _Answer(Errno.LESSON_NOT_FOUND)
        if lesson.course_id != course_id:
            raise _Answer(Errno.LESSON_NOT_IN_COURSE)
        if lesson.deleted:
            raise _Answer(Errno.LESSON_DELETED)
        if lesson.finished:
            raise _Answer(Errno.LESSON_FINISHED)
        data = []
        for uid in uids:
            if self._item_busy(rng):
                errno = Errno.SERVER_BUSY
            elif uid not in lesson.members:
                errno = Errno.NOT_IN_LESSON
            else:
                lesson.members.discard(uid)
                errno = Errno.OK
            data.append({"errno": errno, "error": Errno(errno).meaning})
        return envelope(Errno.OK, data)

    def _add_course_group(self, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        course_id = _int_field(form, "course_id")
        name = form.get("group_name", "")
        parsed = _group_list(form)
        if not name:
            raise _Answer(Errno.BAD_PARAMETERS)
        uids = [m.student_uid for g in parsed for m in g]
        if len(uids) != len(set(uids)):
            raise _Answer(Errno.BAD_PARAMETERS)
        self._count_items("addCourseGroup", len(uids))
        course = self._courses.get(course_id)
        if course is None or course.deleted:
            raise _Answer(Errno.BAD_PARAMETERS)
        if course_id in self._groups:
            raise _Answer(Errno.GROUP_EXISTS)
        leaders = [[m.student_uid for m in group if m.is_leader] for group in parsed]
        if any(len(found) != 1 for found in leaders):
            raise _Answer(Errno.LEADER_UID_ERROR)
        in_school = [u for u in uids if u in self._students]
        if not in_school:
            raise _Answer(Errno.STUDENTS_NOT_IN_SCHOOL)
        if any(found[0] not in self._students for found in leaders):
            raise _Answer(Errno.LEADER_UID_ERROR)
        attending = self.course_students(course_id)
        valid = {u for u in in_school if u in attending}
        if not valid:
            raise _Answer(Errno.STUDENTS_NOT_IN_COURSE)
        kept = tuple(
            tuple(m for m in group if m.student_uid in valid)
            for group in parsed
            if any(m.student_uid in valid for m in group)
        )
        plan = GroupPlan(next(self._group_ids), name[:MAX_GROUP_NAME_CHARS], kept)
        self._groups[course_id] = plan
        errno = Errno.OK if len(valid) == len(uids) else Errno.GROUP_PARTIAL
        return envelope(errno, plan.group_id)


def _group_list(form: dict[str, str]) -> list[list[GroupMember]]:
    try:
        groups = json.loads(form["groups"])
    except (KeyError, ValueError):
        raise _Answer(Errno.BAD_PARAMETERS) from None
    if not isinstance(groups, list) or not groups:
        raise _Answer(Errno.BAD_PARAMETERS)
    parsed: list[list[GroupMember]] = []
    for group in groups:
        if not isinstance(group, list) or not group:
            raise _Answer(Errno.BAD_PARAMETERS)
        members = []
        for entry in group:
            uid = entry.get("studentUid") if isinstance(entry, dict) else None
            leader = entry.get("isLeader") if isinstance(entry, dict) else None
            if not isinstance(uid, int) or leader not in (0, 1):
                raise _Answer(Errno.BAD_PARAMETERS)
            members.append(GroupMember(uid, is_leader=leader == 1))
        parsed.append(members)
    return parsed


Handler = Callable[["School", dict[str, str], random.Random], dict[str, Any]]

#: What the sandbox implements: each endpoint row with the handler of its answers. A
#: handler gets the form read through the row (Python parameter names -> wire text).
_HANDLERS: dict[str, tuple[Endpoint, Handler]] = {
    row.action: (row, handler)
    for row, handler in (
        (ADD_COURSE_CLASS_STUDENT, School._add_course_class_student),
        (DEL_CLASS_STUDENT_MULTIPLE, School._del_class_student_multiple),
        (ADD_COURSE_GROUP, School._add_course_group),
    )
}


class NotImplementedAction(Exception):  # noqa: N818 - a signal to the HTTP layer
    """The sandbox has no handler for this action (answered as HTTP 501, not an errno)."""


def read_form(row: Endpoint, form: Mapping[str, str]) -> dict[str, str]:
    """The form's fields by the row's Python names (absent ones are left out)."""
    return {p.name: form[p.wire] for p in row.params if p.wire in form}
