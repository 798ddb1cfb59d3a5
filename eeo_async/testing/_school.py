"""The sandbox's core state: the school's accounts, members, courses and lessons.

No sockets and no actions here: ``School`` holds what every area reads (registered
accounts, school students and teachers, courses with their students and auditors,
lessons with their students), the seeding and read-back helpers tests use, and the small
helpers handlers share (find a course or an open lesson or refuse with the documented
code, draw a per-item busy fault, word an answer). An area with state of its own (group
plans, units ...) keeps it in a class of its module, reached with ``school.state(Kind)``.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import attrs

from .._codes import Errno
from ._faults import Faults
from ._messages import COMMON, LANGUAGES, Texts, document
from ._wire import MD5, Answer, Upload, md5_hex

S = TypeVar("S")


@attrs.define
class SandboxStats:
    """What the sandbox saw: requests, answer codes, sizes, concurrency and faults.

    Attributes:
        requests: requests received, by v1 action name or by v2 path.
        errnos: answer codes of the calls (v1 errnos and v2 codes).
        item_errnos: codes of the per-item entries of the answers.
        max_items_per_call: the most items one call held, by action name or path.
        in_flight: requests being handled now.
        max_in_flight: the most requests handled at once.
        duplicates_in_flight: requests that arrived while an identical one was in flight.
        faults_injected: faults injected, by kind.
        bad_signatures: requests refused for their signature or timestamp.
        adds: how many times each (class_id, student_uid) was added by a call.
    """

    requests: Counter[str] = attrs.Factory(Counter)
    errnos: Counter[int] = attrs.Factory(Counter)
    item_errnos: Counter[int] = attrs.Factory(Counter)
    max_items_per_call: dict[str, int] = attrs.Factory(dict)
    in_flight: int = 0
    max_in_flight: int = 0
    duplicates_in_flight: int = 0
    faults_injected: Counter[str] = attrs.Factory(Counter)
    bad_signatures: int = 0
    adds: Counter[tuple[int, int]] = attrs.Factory(Counter)


@attrs.frozen
class Course:
    """A seeded course and its lessons."""

    course_id: int
    class_ids: tuple[int, ...]


@attrs.frozen
class Account:
    """A registered account: its UID and nickname; the password only as an MD5 digest."""

    uid: int
    nickname: str | None = None
    password_md5: str = attrs.field(default="", repr=False)


@attrs.define
class CourseState:
    """A course as the server holds it (head teacher, co-teachers, members, lessons)."""

    teacher_uid: int | None
    co_teachers: set[int]
    deleted: bool = False
    expired: bool = False
    lessons: list[int] = attrs.Factory(list)
    students: set[int] = attrs.Factory(set)
    auditors: set[int] = attrs.Factory(set)


@attrs.define
class LessonState:
    """A lesson as the server holds it: its course, seats, whether it began or ended, its students.

    ``started`` marks a lesson in progress whatever the clock says (``LmsState.start``).
    """

    course_id: int
    seat_limit: int | None = None
    finished: bool = False
    started: bool = False
    deleted: bool = False
    members: set[int] = attrs.Factory(set)


def _identity_is_auditor(identity: int | str) -> bool:
    return identity in (2, "2", "auditor")


class School:
    """A school as the server holds it, with the helpers the handlers of every area share.

    A handler (``handler(school, fields, rng)``) reads and changes these attributes and
    the area states it gets with :meth:`state`.

    Attributes:
        accounts: registered accounts by telephone or email.
        student_uids: UIDs bound to the school as students.
        teacher_uids: UIDs bound to the school as teachers.
        deleted_uids: accounts their users deleted (errno 886/887 when added).
        courses: courses by course ID.
        lessons: lessons by class ID.
        received_files: every file a request carried, in order.
        faults: the fault probabilities in force.
        stats: what the sandbox saw.
        language: ``"zh"`` answers production's Chinese messages, ``"en"`` English ones.
        clock: the school's clock (Unix seconds), read by :meth:`now`.
    """

    def __init__(
        self,
        *,
        faults: Faults | None = None,
        language: str = "zh",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if language not in LANGUAGES:
            text = f"language must be one of {LANGUAGES}, got {language!r}"
            raise ValueError(text)
        self.language = language
        self.clock = clock
        self.faults = faults if faults is not None else Faults()
        self.stats = SandboxStats()
        self.accounts: dict[str, Account] = {}
        self.student_uids: set[int] = set()
        self.teacher_uids: set[int] = set()
        self.deleted_uids: set[int] = set()
        self.courses: dict[int, CourseState] = {}
        self.lessons: dict[int, LessonState] = {}
        self.received_files: list[Upload] = []
        self._states: dict[type[Any], Any] = {}
        self._uids = itertools.count(1_000_001)
        self._course_ids = itertools.count(100_001)
        self._class_ids = itertools.count(2_000_001)
        # The texts of the area whose handler runs now (handlers run without awaiting).
        self._texts = COMMON

    def state(self, kind: type[S]) -> S:
        """The area state of class ``kind`` (made with ``kind()`` on first use)."""
        found = self._states.get(kind)
        if found is None:
            found = self._states[kind] = kind()
        return found

    # -------------------------------------------------------------------- seeding

    def _take(self, what: int | Iterable[int], ids: Iterator[int]) -> list[int]:
        return list(itertools.islice(ids, what)) if isinstance(what, int) else list(what)

    def add_students(self, students: int | Iterable[int]) -> list[int]:
        """Register ``n`` new students (or the given UIDs) with the school; return UIDs."""
        uids = self._take(students, self._uids)
        self.student_uids.update(uids)
        return uids

    def add_teachers(self, teachers: int | Iterable[int]) -> list[int]:
        """Register ``n`` new teachers (or the given UIDs); return their UIDs."""
        uids = self._take(teachers, self._uids)
        self.teacher_uids.update(uids)
        return uids

    def delete_student_account(self, uid: int) -> None:
        """Mark a student's account deleted by its user (errno 886 when added)."""
        self.deleted_uids.add(uid)

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
        self.courses[cid] = CourseState(teacher_uid, set(co_teacher_uids))
        class_ids = self.add_lessons(cid, lessons, seat_limit=seat_limit)
        return Course(cid, tuple(class_ids))

    def add_lessons(
        self, course_id: int, lessons: int | Iterable[int], *, seat_limit: int | None = None
    ) -> list[int]:
        """Add lessons to a course; return their class IDs."""
        class_ids = self._take(lessons, self._class_ids)
        for class_id in class_ids:
            self.lessons[class_id] = LessonState(course_id, seat_limit)
        self.courses[course_id].lessons.extend(class_ids)
        return class_ids

    def finish_lesson(self, class_id: int) -> None:
        """Mark a lesson finished (errno 145)."""
        self.lessons[class_id].finished = True

    def delete_lesson(self, class_id: int) -> None:
        """Mark a lesson deleted (errno 212)."""
        self.lessons[class_id].deleted = True

    def delete_course(self, course_id: int) -> None:
        """Mark a course deleted (errno 149)."""
        self.courses[course_id].deleted = True

    def expire_course(self, course_id: int) -> None:
        """Mark a course expired (errno 153 when adding)."""
        self.courses[course_id].expired = True

    def set_seat_limit(self, class_id: int, seats: int | None) -> None:
        """Limit how many students a lesson takes (errno 157 past it)."""
        self.lessons[class_id].seat_limit = seats

    def enroll_directly(self, class_id: int, uids: Iterable[int]) -> None:
        """Put students in a lesson without a request (for 166/167 situations)."""
        self.lessons[class_id].members.update(uids)

    def add_course_members(
        self, course_id: int, uids: Iterable[int], *, identity: int | str = 1
    ) -> None:
        """Make students (identity 1) or auditors (2) course members without a request."""
        course = self.courses[course_id]
        members = course.auditors if _identity_is_auditor(identity) else course.students
        members.update(uids)

    def register_directly(self, account: str, password: str) -> int:
        """Register an account without a request (for 135/461 situations); its UID."""
        return self.register_account(account, password_md5=md5_hex(password)).uid

    # -------------------------------------------------------------------- reading

    def course_members(self, course_id: int, *, identity: int | str = 1) -> frozenset[int]:
        """The course's students (identity 1) or auditors (2) now (not lesson-only ones)."""
        course = self.courses[course_id]
        return frozenset(course.auditors if _identity_is_auditor(identity) else course.students)

    def account(self, account: str) -> Account | None:
        """The registered account with this telephone or email, if any."""
        return self.accounts.get(account)

    def password_matches(self, account: str, password: str) -> bool:
        """True when ``password`` (plain, or its MD5) is the account's (by MD5 only)."""
        found = self.accounts.get(account)
        if found is None:
            return False
        digest = password if MD5.fullmatch(password) else md5_hex(password)
        return found.password_md5 == digest

    def school_students(self) -> frozenset[int]:
        """The UIDs bound to the school as students."""
        return frozenset(self.student_uids)

    def school_teachers(self) -> frozenset[int]:
        """The UIDs bound to the school as teachers."""
        return frozenset(self.teacher_uids)

    def lesson_members(self, class_id: int) -> frozenset[int]:
        """The students in a lesson now."""
        return frozenset(self.lessons[class_id].members)

    def course_students(self, course_id: int) -> frozenset[int]:
        """The students of a course now: its course students and those of any lesson."""
        course = self.courses[course_id]
        lessons = (self.lessons[c].members for c in course.lessons)
        return frozenset(course.students).union(*lessons)

    def uploads(self) -> tuple[Upload, ...]:
        """Every file a request carried so far, in order (name, size, path while running)."""
        return tuple(self.received_files)

    def reset_stats(self) -> None:
        """Start counting afresh."""
        self.stats = SandboxStats()

    # ---------------------------------------------------- helpers for the handlers

    def now(self) -> float:
        """The school's clock now: every time a handler compares with is read here."""
        return float(self.clock())

    def message(self, code: int) -> str:
        """Production's message for ``code``, as the area answering now words it."""
        return self._texts.message(code, self.language)

    def envelope(self, errno: int, data: object = None) -> dict[str, Any]:
        """A v1 answer for ``errno`` with ``data``, in the sandbox's language."""
        return document(errno, self.message(errno), data)

    def envelope_v2(self, code: int, data: object = None) -> dict[str, Any]:
        """A v2 answer for ``code`` with ``data``, in the sandbox's language."""
        return document(code, self.message(code), data, v2=True)

    def speaking(self, texts: Texts) -> Texts:
        """Word answers with ``texts`` from now on; returns the texts used before."""
        before, self._texts = self._texts, texts
        return before

    def entry(self, errno: int, column: str | None = None, **extra: object) -> dict[str, Any]:
        """A v1 per-item entry: ``extra`` fields, ``customColumn`` if any, errno and error."""
        item: dict[str, Any] = dict(extra)
        if column:
            item["customColumn"] = column
        item.update(errno=errno, error=self.message(errno))
        return item

    def entry_v2(self, code: int, **fields: object) -> dict[str, Any]:
        """A v2 per-item entry: ``fields`` (``studentUid`` ...), code and msg."""
        return {**fields, "code": code, "msg": self.message(code)}

    def count_items(self, name: str, count: int) -> None:
        """Record that a call of ``name`` held ``count`` items (``stats.max_items_per_call``)."""
        sizes = self.stats.max_items_per_call
        sizes[name] = max(sizes.get(name, 0), count)

    def item_busy(self, rng: random.Random) -> bool:
        """Draw the ``item_busy`` fault for one item (counted when it hits)."""
        busy = rng.random() < self.faults.item_busy
        if busy:
            self.stats.faults_injected["item_busy"] += 1
        return busy

    def new_uid(self) -> int:
        """A UID no account has yet."""
        return next(self._uids)

    def register_account(
        self, account: str, *, password_md5: str, nickname: str | None = None
    ) -> Account:
        """Store a new account under its telephone or email, with a new UID."""
        found = self.accounts[account] = Account(self.new_uid(), nickname, password_md5)
        return found

    def find_course(self, course_id: int, *, editing: bool) -> CourseState:
        """The course, or the call-level errno that refuses it: 144, 149, 153 (editing)."""
        course = self.courses.get(course_id)
        if course is None:
            raise Answer(Errno.COURSE_NOT_FOUND)
        if course.deleted:
            raise Answer(Errno.COURSE_DELETED)
        if editing and course.expired:
            raise Answer(Errno.COURSE_EXPIRED)
        return course

    def open_lesson(self, course_id: int, class_id: int) -> LessonState:
        """The lesson a one-lesson call names, or the errno that refuses it: 143, 142, 212, 145."""
        lesson = self.lessons.get(class_id)
        if lesson is None:
            raise Answer(Errno.LESSON_NOT_FOUND)
        if lesson.course_id != course_id:
            raise Answer(Errno.LESSON_NOT_IN_COURSE)
        if lesson.deleted:
            raise Answer(Errno.LESSON_DELETED)
        if lesson.finished:
            raise Answer(Errno.LESSON_FINISHED)
        return lesson

    def member_problem(self, course: CourseState, uid: int, *, auditor: bool = False) -> int:
        """The errno refusing ``uid`` as a member: 129/174, 332, 886/887, 228; 0 if none."""
        if uid == course.teacher_uid:
            return Errno.TEACHER_AS_AUDITOR if auditor else Errno.TEACHER_AS_STUDENT
        if uid in course.co_teachers:
            return Errno.COTEACHER_AS_STUDENT
        if uid in self.deleted_uids:
            return Errno.AUDITOR_ACCOUNT_DELETED if auditor else Errno.ACCOUNT_DELETED
        if uid not in self.student_uids:
            return Errno.STUDENT_NOT_IN_SCHOOL
        return 0
