"""The sandbox's school: state, seeding, read-back and the documented answers.

No sockets here: ``eeo_async.testing.Sandbox`` serves this state over HTTP and adds
signature checks and faults. Call-level and per-item errnos follow the reading of the
reference pages given in ``eeo_async.testing``; the family of issue 14 is read so:

- addCourseStudentMultiple: call-level 100, 155, 400 (past 100), 144, 149, 153; per
  UID 133 (twice in one array), 129/174 (course teacher as student/auditor), 332, 886
  (887 for an auditor), 228 (not a school student), 163 (already a student), 164
  (already an auditor), 130 (past 20 auditors), 464 (the item_busy fault: this page's
  concurrency errno), 1.
- delCourseStudentMultiple: call-level 100, 155, 144, 149, 153; per UID 162, 114, 1.
- addClassStudentMultiple: call-level 100, 155, 159 (identity not 1), 400, 144, 149,
  153, 143, 142, 212, 145; per UID 129, 332, 886, 228, 164 (a course auditor), 166,
  157, 114, 1.
- delClassStudentMultiple also takes ``studentJson=[{"uid": ...}]`` where
  ``studentUidJson`` is absent ("either one; studentUidJson wins").
- editCourseGroup: 100, 893 (no plan with that id), 890 (no student of the plan is a
  school student attending the course); delCourseGroup: 100, 893.
- registerMultiple: call-level 100, 155, 450 (more than 10); per account 134 (telephone
  the docs do not allow), 100 (no password or md5pass, or no account), 137 (password not
  6-20 characters), 135/461 with the UID (already registered: ``addToSchoolMember``
  still takes effect, nickname and password do not), 114, 1 with the new UID. A plain
  ``password`` is what the docs allow (6-20 characters, "MD5 recommended"): the sandbox
  keeps only its MD5, never the text. 101003002 (same parameters within 5 s) is not
  simulated: a test's immediate retries would all meet it.

Messages are the production's Chinese texts from the pages' PART 2 tables by default
(``language="en"`` gives the English meanings); an errno without a Chinese text in the
pages is answered in English.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from .._api.courses import (
    ADD_COURSE_STUDENT_MULTIPLE,
    DEL_COURSE_STUDENT_MULTIPLE,
    MAX_AUDITORS,
)
from .._api.groups import ADD_COURSE_GROUP, DEL_COURSE_GROUP, EDIT_COURSE_GROUP
from .._api.lessons import (
    ADD_CLASS_STUDENT_MULTIPLE,
    ADD_COURSE_CLASS_STUDENT,
    DEL_CLASS_STUDENT_MULTIPLE,
)
from .._api.users import REGISTER_MULTIPLE
from .._codes import Errno
from .._constants import MAX_GROUP_NAME_CHARS
from .._models import GroupMember
from .._wire.endpoint import Endpoint
from ._wire import (
    ALTERNATIVES,
    LANGUAGES,
    MD5,
    TELEPHONE,
    Answer,
    NotImplementedAction,
    envelope,
    group_list,
    id_list,
    int_field,
    md5_hex,
    message,
    read_form,
    student_objects,
)

__all__ = [
    "Account",
    "Course",
    "Faults",
    "GroupPlan",
    "NotImplementedAction",
    "SandboxStats",
    "School",
    "envelope",
    "read_form",
]


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
    students: set[int] = attrs.Factory(set)
    auditors: set[int] = attrs.Factory(set)


@attrs.frozen
class Account:
    """A registered account: its UID and nickname; the password only as an MD5 digest."""

    uid: int
    nickname: str | None = None
    password_md5: str = attrs.field(default="", repr=False)


@attrs.define
class _Lesson:
    course_id: int
    seat_limit: int | None = None
    finished: bool = False
    deleted: bool = False
    members: set[int] = attrs.Factory(set)


class School:
    """A school as the server holds it: students, teachers, courses, lessons, groups."""

    def __init__(self, *, faults: Faults | None = None, language: str = "zh") -> None:
        if language not in LANGUAGES:
            text = f"language must be one of {LANGUAGES}, got {language!r}"
            raise ValueError(text)
        #: ``"zh"`` answers the production's Chinese messages, ``"en"`` English ones.
        self.language = language
        self.faults = faults if faults is not None else Faults()
        self._accounts: dict[str, Account] = {}
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
        self._handlers: dict[str, tuple[Endpoint | None, Handler]] = dict(_HANDLERS)

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

    def add_course_members(
        self, course_id: int, uids: Iterable[int], *, identity: int | str = 1
    ) -> None:
        """Make students (identity 1) or auditors (2) course members without a request."""
        course = self._courses[course_id]
        members = course.auditors if identity in (2, "auditor") else course.students
        members.update(uids)

    def register_directly(self, account: str, password: str) -> int:
        """Register an account without a request (for 135/461 situations); its UID."""
        uid = next(self._uids)
        self._accounts[account] = Account(uid, password_md5=md5_hex(password))
        return uid

    # -------------------------------------------------------------------- reading

    def course_members(self, course_id: int, *, identity: int | str = 1) -> frozenset[int]:
        """The course's students (identity 1) or auditors (2) now (not lesson-only ones)."""
        course = self._courses[course_id]
        return frozenset(course.auditors if identity in (2, "auditor") else course.students)

    def account(self, account: str) -> Account | None:
        """The registered account with this telephone or email, if any."""
        return self._accounts.get(account)

    def password_matches(self, account: str, password: str) -> bool:
        """True when ``password`` (plain, or its MD5) is the account's (by MD5 only)."""
        found = self._accounts.get(account)
        if found is None:
            return False
        digest = password if MD5.fullmatch(password) else md5_hex(password)
        return found.password_md5 == digest

    def school_students(self) -> frozenset[int]:
        """The UIDs bound to the school as students."""
        return frozenset(self._students)

    def school_teachers(self) -> frozenset[int]:
        """The UIDs bound to the school as teachers."""
        return frozenset(self._teachers)

    def lesson_members(self, class_id: int) -> frozenset[int]:
        """The students in a lesson now."""
        return frozenset(self._lessons[class_id].members)

    def course_students(self, course_id: int) -> frozenset[int]:
        """The students of a course now: its course students and those of any lesson."""
        course = self._courses[course_id]
        lessons = (self._lessons[c].members for c in course.lessons)
        return frozenset(course.students).union(*lessons)

    def course_group(self, course_id: int) -> GroupPlan | None:
        """The group plan of a course, if one was created."""
        return self._groups.get(course_id)

    def reset_stats(self) -> None:
        """Start counting afresh."""
        self.stats = SandboxStats()

    # ------------------------------------------------------------------- answers

    def envelope(self, errno: int, data: object = None) -> dict[str, Any]:
        """The answer document for ``errno`` in the sandbox's language, with ``data``."""
        return envelope(errno, data, self.language)

    def handle(self, name: str, handler: Handler) -> None:
        """Serve the v1 action ``name`` with ``handler(school, fields, rng)`` (for new actions).

        ``fields`` is the form by its wire names (signing fields left out); the handler
        returns the JSON document to answer (see :func:`envelope`).
        """
        self._handlers[name] = (None, handler)

    def answer(self, action: str, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        """The JSON document the server answers ``action`` with, applying its change.

        Raises:
            NotImplementedAction: the sandbox does not implement ``action``.
        """
        found = self._handlers.get(action)
        if found is None:
            raise NotImplementedAction(action)
        row, handler = found
        alternative = ALTERNATIVES.get(action)
        if alternative is not None:
            form = alternative(form)
        signing = ("SID", "safeKey", "timeStamp")
        fields = {k: v for k, v in form.items() if k not in signing}
        try:
            return handler(self, fields if row is None else read_form(row, form), rng)
        except Answer as answer:
            return self.envelope(answer.errno)

    def _count_items(self, action: str, count: int) -> None:
        stats = self.stats.max_items_per_call
        stats[action] = max(stats.get(action, 0), count)

    def _course(self, course_id: int, *, editing: bool) -> _Course:
        course = self._courses.get(course_id)
        if course is None:
            raise Answer(Errno.COURSE_NOT_FOUND)
        if course.deleted:
            raise Answer(Errno.COURSE_DELETED)
        if editing and course.expired:
            raise Answer(Errno.COURSE_EXPIRED)
        return course

    def _join_lesson(self, lesson: _Lesson, class_id: int, uid: int, rng: random.Random) -> int:
        """One student into an open lesson: 114 (fault), 166, 157 or 1 (applied)."""
        if self._item_busy(rng):
            return Errno.SERVER_BUSY
        if uid in lesson.members:
            return Errno.ALREADY_IN_LESSON
        if lesson.seat_limit is not None and len(lesson.members) >= lesson.seat_limit:
            return Errno.LESSON_FULL
        lesson.members.add(uid)
        self.stats.adds[(class_id, uid)] += 1
        return Errno.OK

    def _item_busy(self, rng: random.Random) -> bool:
        busy = rng.random() < self.faults.item_busy
        if busy:
            self.stats.faults_injected["item_busy"] += 1
        return busy

    def _add_course_class_student(self, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        uid = int_field(form, "student_uid")
        class_ids = id_list(form, "class_ids", Errno.BAD_PARAMETERS)
        self._count_items("addCourseClassStudent", len(class_ids))
        course = self._course(course_id, editing=True)
        if uid == course.teacher_uid:
            raise Answer(Errno.TEACHER_AS_STUDENT)
        if uid in course.co_teachers:
            raise Answer(Errno.COTEACHER_AS_STUDENT)
        if uid in self._deleted_accounts:
            raise Answer(Errno.ACCOUNT_DELETED)
        if uid not in self._students:
            raise Answer(Errno.STUDENT_NOT_IN_SCHOOL)
        data = []
        for class_id in class_ids:
            errno: int
            lesson = self._lessons.get(class_id)
            if lesson is None or lesson.course_id != course_id:
                errno = Errno.LESSON_NOT_IN_COURSE
            elif lesson.deleted:
                errno = Errno.LESSON_DELETED
            elif lesson.finished:
                errno = Errno.LESSON_FINISHED
            else:
                errno = self._join_lesson(lesson, class_id, uid, rng)
            data.append({"errno": errno, "error": message(errno, self.language)})
        return self.envelope(Errno.OK, data)

    def _open_lesson(self, course_id: int, class_id: int) -> _Lesson:
        """The lesson a one-lesson call names, or the call-level errno that refuses it."""
        lesson = self._lessons.get(class_id)
        if lesson is None:
            raise Answer(Errno.LESSON_NOT_FOUND)
        if lesson.course_id != course_id:
            raise Answer(Errno.LESSON_NOT_IN_COURSE)
        if lesson.deleted:
            raise Answer(Errno.LESSON_DELETED)
        if lesson.finished:
            raise Answer(Errno.LESSON_FINISHED)
        return lesson

    def _del_class_student_multiple(
        self, form: dict[str, str], rng: random.Random
    ) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        class_id = int_field(form, "class_id")
        if form.get("identity") != "1":
            raise Answer(Errno.ONLY_STUDENTS)
        uids = id_list(form, "student_uids", Errno.STUDENTS_EMPTY)
        self._count_items("delClassStudentMultiple", len(uids))
        self._course(course_id, editing=False)
        lesson = self._open_lesson(course_id, class_id)
        data = []
        for uid in uids:
            if self._item_busy(rng):
                errno = Errno.SERVER_BUSY
            elif uid not in lesson.members:
                errno = Errno.NOT_IN_LESSON
            else:
                lesson.members.discard(uid)
                errno = Errno.OK
            data.append({"errno": errno, "error": message(errno, self.language)})
        return self.envelope(Errno.OK, data)

    def _add_course_group(self, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        name = form.get("group_name", "")
        parsed = group_list(form)
        if not name:
            raise Answer(Errno.BAD_PARAMETERS)
        uids = [m.student_uid for g in parsed for m in g]
        if len(uids) != len(set(uids)):
            raise Answer(Errno.BAD_PARAMETERS)
        self._count_items("addCourseGroup", len(uids))
        course = self._courses.get(course_id)
        if course is None or course.deleted:
            raise Answer(Errno.BAD_PARAMETERS)
        if course_id in self._groups:
            raise Answer(Errno.GROUP_EXISTS)
        leaders = [[m.student_uid for m in group if m.is_leader] for group in parsed]
        if any(len(found) != 1 for found in leaders):
            raise Answer(Errno.LEADER_UID_ERROR)
        in_school = [u for u in uids if u in self._students]
        if not in_school:
            raise Answer(Errno.STUDENTS_NOT_IN_SCHOOL)
        if any(found[0] not in self._students for found in leaders):
            raise Answer(Errno.LEADER_UID_ERROR)
        attending = self.course_students(course_id)
        valid = {u for u in in_school if u in attending}
        if not valid:
            raise Answer(Errno.STUDENTS_NOT_IN_COURSE)
        kept = tuple(
            tuple(m for m in group if m.student_uid in valid)
            for group in parsed
            if any(m.student_uid in valid for m in group)
        )
        plan = GroupPlan(next(self._group_ids), name[:MAX_GROUP_NAME_CHARS], kept)
        self._groups[course_id] = plan
        errno = Errno.OK if len(valid) == len(uids) else Errno.GROUP_PARTIAL
        return self.envelope(errno, plan.group_id)

    def _member_problem(self, course: _Course, uid: int, *, auditor: bool = False) -> int:
        """The errno that refuses ``uid`` as a member of ``course``, or 0."""
        if uid == course.teacher_uid:
            return Errno.TEACHER_AS_AUDITOR if auditor else Errno.TEACHER_AS_STUDENT
        if uid in course.co_teachers:
            return Errno.COTEACHER_AS_STUDENT
        if uid in self._deleted_accounts:
            return Errno.AUDITOR_ACCOUNT_DELETED if auditor else Errno.ACCOUNT_DELETED
        if uid not in self._students:
            return Errno.STUDENT_NOT_IN_SCHOOL
        return 0

    def _entry(self, errno: int, column: str | None = None, **extra: object) -> dict[str, Any]:
        entry: dict[str, Any] = dict(extra)
        if column:
            entry["customColumn"] = column
        entry.update(errno=errno, error=message(errno, self.language))
        return entry

    def _add_course_student_multiple(
        self, form: dict[str, str], rng: random.Random
    ) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        identity = form.get("identity", "1")
        if identity not in ("1", "2"):
            raise Answer(Errno.BAD_PARAMETERS)
        entries = student_objects(form, "student_uids")
        self._count_items("addCourseStudentMultiple", len(entries))
        course = self._course(course_id, editing=True)
        auditor = identity == "2"
        data = []
        seen: set[int] = set()
        for uid, column in entries:
            problem = self._member_problem(course, uid, auditor=auditor)
            errno: int
            if uid in seen:
                errno = Errno.ALREADY_EXISTS
            elif problem:
                errno = problem
            elif self._item_busy(rng):
                errno = Errno.STUDENT_BEING_CREATED
            elif uid in course.students:
                errno = Errno.STUDENT_IN_COURSE
            elif uid in course.auditors:
                errno = Errno.AUDITOR_EXISTS
            elif auditor and len(course.auditors) >= MAX_AUDITORS:
                errno = Errno.TOO_MANY_STUDENTS
            else:
                (course.auditors if auditor else course.students).add(uid)
                errno = Errno.OK
            seen.add(uid)
            data.append(self._entry(errno, column))
        return self.envelope(Errno.OK, data)

    def _del_course_student_multiple(
        self, form: dict[str, str], rng: random.Random
    ) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        identity = form.get("identity")
        if identity not in ("1", "2"):
            raise Answer(Errno.BAD_PARAMETERS)
        uids = id_list(form, "student_uids", Errno.STUDENTS_EMPTY)
        self._count_items("delCourseStudentMultiple", len(uids))
        course = self._course(course_id, editing=True)
        members = course.auditors if identity == "2" else course.students
        data = []
        for uid in uids:
            if self._item_busy(rng):
                errno = Errno.SERVER_BUSY
            elif uid not in members:
                errno = Errno.NOT_COURSE_MEMBER
            else:
                members.discard(uid)
                errno = Errno.OK
            data.append(self._entry(errno))
        return self.envelope(Errno.OK, data)

    def _add_class_student_multiple(
        self, form: dict[str, str], rng: random.Random
    ) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        class_id = int_field(form, "class_id")
        if form.get("identity", "1") != "1":
            raise Answer(Errno.ONLY_STUDENTS)
        entries = student_objects(form, "student_uids")
        self._count_items("addClassStudentMultiple", len(entries))
        course = self._course(course_id, editing=True)
        lesson = self._open_lesson(course_id, class_id)
        data = []
        for uid, column in entries:
            problem = self._member_problem(course, uid)
            if problem:
                errno = problem
            elif uid in course.auditors:
                errno = Errno.AUDITOR_EXISTS
            else:
                errno = self._join_lesson(lesson, class_id, uid, rng)
            data.append(self._entry(errno, column))
        return self.envelope(Errno.OK, data)

    def _edit_course_group(self, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        group_id = int_field(form, "group_id")
        name = form.get("group_name", "")
        parsed = group_list(form)
        uids = [m.student_uid for g in parsed for m in g]
        leaders = [[m for m in group if m.is_leader] for group in parsed]
        if not name or len(uids) != len(set(uids)) or any(len(x) != 1 for x in leaders):
            raise Answer(Errno.BAD_PARAMETERS)
        self._count_items("editCourseGroup", len(uids))
        plan = self._groups.get(course_id)
        if plan is None or plan.group_id != group_id:
            raise Answer(Errno.GROUP_NOT_FOUND)
        attending = self.course_students(course_id)
        if not all(u in self._students and u in attending for u in uids):
            raise Answer(Errno.GROUP_SET_FAILED)
        groups = tuple(tuple(group) for group in parsed)
        self._groups[course_id] = GroupPlan(group_id, name[:MAX_GROUP_NAME_CHARS], groups)
        return self.envelope(Errno.OK)

    def _del_course_group(self, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        course_id = int_field(form, "course_id")
        group_id = int_field(form, "group_id")
        plan = self._groups.get(course_id)
        if plan is None or plan.group_id != group_id:
            raise Answer(Errno.GROUP_NOT_FOUND)
        del self._groups[course_id]
        return self.envelope(Errno.OK)

    def _register_multiple(self, form: dict[str, str], rng: random.Random) -> dict[str, Any]:
        try:
            users = json.loads(form["users"])
        except (KeyError, ValueError):
            raise Answer(Errno.BAD_PARAMETERS) from None
        if not isinstance(users, list):
            raise Answer(Errno.BAD_PARAMETERS)
        if not users:
            raise Answer(Errno.STUDENTS_EMPTY)
        if len(users) > 10:  # the docs' hard limit, answered as 450
            raise Answer(Errno.TOO_MANY_USERS)
        self._count_items("registerMultiple", len(users))
        return self.envelope(Errno.OK, [self._register_one(user, rng) for user in users])

    def _register_one(self, user: object, rng: random.Random) -> dict[str, Any]:
        if not isinstance(user, dict):
            return self._entry(Errno.BAD_PARAMETERS)
        telephone, email = user.get("telephone"), user.get("email")
        column = user.get("customColumn")
        column = None if column in (None, "") else str(column)[:50]
        shown = {"telephone": str(telephone)} if telephone is not None else {}
        account = str(telephone) if telephone is not None else email
        if not isinstance(account, str) or not account:
            return self._entry(Errno.BAD_PARAMETERS, column)
        if telephone is not None and not TELEPHONE.fullmatch(account):
            return self._entry(Errno.ILLEGAL_PHONE, column, **shown)
        password, md5pass = user.get("password"), user.get("md5pass")
        if password is not None:
            text = str(password)
            if not 6 <= len(text) <= 20:  # the docs' 6 to 20 characters
                return self._entry(Errno.BAD_PASSWORD_LENGTH, column, **shown)
            digest = md5_hex(text)
        elif isinstance(md5pass, str) and MD5.fullmatch(md5pass):
            digest = md5pass
        else:
            return self._entry(Errno.BAD_PARAMETERS, column, **shown)
        if self._item_busy(rng):
            return self._entry(Errno.SERVER_BUSY, column, **shown)
        found = self._accounts.get(account)
        if found is not None:
            errno = Errno.PHONE_REGISTERED if telephone is not None else Errno.EMAIL_REGISTERED
        else:
            nickname = user.get("nickname")
            found = Account(
                next(self._uids),
                None if nickname is None else str(nickname)[:24],
                password_md5=digest,
            )
            self._accounts[account] = found
            errno = Errno.OK
        # addToSchoolMember takes effect every time, also for an account already known.
        role = user.get("addToSchoolMember")
        if role in (1, "1"):
            self._students.add(found.uid)
        elif role in (2, "2"):
            self._teachers.add(found.uid)
        return self._entry(errno, column, data=found.uid, **shown)


Handler = Callable[["School", dict[str, str], random.Random], dict[str, Any]]

#: What the sandbox implements: each endpoint row with the handler of its answers. A
#: handler gets the form read through the row (Python parameter names -> wire text).
_HANDLERS: dict[str, tuple[Endpoint | None, Handler]] = {
    row.action: (row, handler)
    for row, handler in (
        (ADD_COURSE_CLASS_STUDENT, School._add_course_class_student),
        (DEL_CLASS_STUDENT_MULTIPLE, School._del_class_student_multiple),
        (ADD_COURSE_GROUP, School._add_course_group),
        (EDIT_COURSE_GROUP, School._edit_course_group),
        (DEL_COURSE_GROUP, School._del_course_group),
        (ADD_COURSE_STUDENT_MULTIPLE, School._add_course_student_multiple),
        (DEL_COURSE_STUDENT_MULTIPLE, School._del_course_student_multiple),
        (ADD_CLASS_STUDENT_MULTIPLE, School._add_class_student_multiple),
        (REGISTER_MULTIPLE, School._register_multiple),
    )
}
