"""The Batcher: any number of items, chunks within each action's limit, one true report."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .._client import Client
from .._constants import DEFAULT_CONCURRENCY, LOGGER_NAME, MAX_CHUNK_SIZE
from .._errors import InputError, InputTypeError
from .._limits import Pace
from .._models import ItemResult, NewUser
from .._retry import RetryPolicy
from .job import Job, OnItems, OnSending
from .plan import Operation, Plan, plan, plan_operation
from .progress import open_progress
from .report import OUTCOME_CODES, BatchReport

_log = logging.getLogger(LOGGER_NAME)

OnStart = Callable[[BatchReport[Any]], None]
#: Outcomes given by ``skip=`` recorded at a time.
_SKIP_BLOCK = 4096


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        message = f"{name} must be an int, got {value!r}"
        raise InputTypeError(message)
    if not low <= value <= high:
        message = f"{name} must be between {low} and {high}, got {value}"
        raise InputError(message)
    return value


class Batcher:
    """Runs any number of items through a ``Client`` in chunks, concurrently, with retries.

    Items are validated (all of them, before anything is sent) and de-duplicated, split
    into calls within the action's item limit (and ``chunk_size``) and sent by
    ``concurrency`` workers, so never more than ``concurrency`` requests are in flight.
    Each call is signed afresh.

    Retries follow the README's errno table: a call that fails transiently is retried
    whole; an item whose own errno is transient (114, 464) is retried alone, pooled with
    other retried items of the same target. Waits back off exponentially with jitter
    (``Retry-After`` is honoured) and hold no concurrency slot. Each item's outcome is
    true: ``already`` only when no earlier attempt of this job could have applied it,
    ``unknown`` when an attempt may have been applied but no answer said so.

    A job stops early, sends nothing more and waits for nothing, on errno 102
    (``report.stopped_by == "credentials"``), when the server cannot be reached and
    nothing was answered yet (``"unreachable"``), or at its ``deadline``; items never
    sent are ``LocalErrno.NOT_SENT``. A job never raises because items failed: read
    the report, or call ``report.raise_for_failures()``.

    With ``adaptive`` (the default), ``concurrency`` is a ceiling and the number of
    requests in flight follows the server: busy answers (114, 104, 460, 464, HTTP 429
    and 503 for a call; 114 and 464 for items, weighted by their share) lower it, calls
    that go through raise it back, one more per round trip. The limit is the Client's,
    shared by every adaptive job on it, so jobs running at once back off together.
    While the limit (above 1) is what holds the job back, a busy answer's retry waits
    only as long as the server asked (``Retry-After``): the lowered limit keeps the load
    down. Without busy answers it stays at the ceiling. ``report.concurrency`` and
    ``report.busy_calls`` say how the job ran; :attr:`current_concurrency` is the limit
    now (e.g. from ``on_progress``).

    Args:
        client: the ``Client`` to send with.
        concurrency: most requests in flight at once (the client's own connection pool
            grows to it; a borrowed session's pool is the caller's); with ``adaptive``,
            the ceiling of the limit.
        adaptive: let the limit follow the server's busy answers (``False``: always
            ``concurrency`` in flight, as long as there is work).
        chunk_size: most items in one call (1 to 100; the action's own limit applies).
        max_attempts: attempts per item, the first one included (default: the client's).
        initial_backoff: first wait before a retry in seconds (default: the client's).
        max_backoff: longest wait before a retry in seconds (default: the client's).
        on_progress: called as ``on_progress(done, total)`` whenever items finish.
        deadline: seconds for a whole job; when it passes, in-flight calls are cancelled
            and items without an outcome are reported ``LocalErrno.NOT_SENT`` (or
            ``unknown`` if they were in flight).
        probe_first: send the first call alone and only then the rest, so wrong
            credentials cost one request (the command does this).

    Raises:
        InputError: a setting out of range.
    """

    def __init__(
        self,
        client: Client,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        chunk_size: int = MAX_CHUNK_SIZE,
        max_attempts: int | None = None,
        initial_backoff: float | None = None,
        max_backoff: float | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        deadline: float | None = None,
        probe_first: bool = False,
        adaptive: bool = True,
    ) -> None:
        if not isinstance(client, Client):
            message = f"client must be an eeo_async.Client, got {type(client).__name__}"
            raise InputTypeError(message)
        self.concurrency = _check_int("concurrency", concurrency, 1, 10_000)
        self.chunk_size = _check_int("chunk_size", chunk_size, 1, MAX_CHUNK_SIZE)
        if deadline is not None and not (
            isinstance(deadline, int | float) and not isinstance(deadline, bool) and deadline > 0
        ):
            message = f"deadline must be a positive number of seconds or None, got {deadline!r}"
            raise InputError(message)
        self.client = client
        base = client.retry_policy
        self.retry_policy = RetryPolicy(
            max_attempts=base.max_attempts if max_attempts is None else max_attempts,
            initial_backoff=base.initial_backoff if initial_backoff is None else initial_backoff,
            max_backoff=base.max_backoff if max_backoff is None else max_backoff,
        )
        self.on_progress = on_progress
        self.deadline = deadline
        self.probe_first = probe_first
        if not isinstance(adaptive, bool):
            message = f"adaptive must be True or False, got {adaptive!r}"
            raise InputTypeError(message)
        self.adaptive = adaptive
        self._paces: list[Pace] = []

    @property
    def current_concurrency(self) -> int:
        """Requests this batcher's running job may have in flight now.

        Its ``concurrency`` when no job runs or for ``adaptive=False``; otherwise the
        Client's adaptive limit, capped by ``concurrency``.
        """
        if self._paces:
            return self._paces[-1].current
        return self.concurrency

    def __repr__(self) -> str:
        return (
            f"<eeo_async.Batcher concurrency={self.concurrency} adaptive={self.adaptive} "
            f"chunk_size={self.chunk_size} "
            f"max_attempts={self.retry_policy.max_attempts} client={self.client!r}>"
        )

    def plan(self, operation: str, /, **arguments: Any) -> Plan:
        """Work out what ``operation`` would send with these arguments; send nothing.

        ``operation`` is a verb of this class (``"enroll"``, ``"enroll_pairs"``,
        ``"add_student_to_lessons"``, ...) with its own keyword arguments. Input is
        validated exactly as the operation would.
        """
        return plan(operation, arguments, self.chunk_size)

    # --------------------------------------------------------------- operations

    async def add_student_to_lessons(
        self,
        course_id: int | str,
        student_uid: int | str,
        class_ids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[int, ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[int]:
        """Add one student to any number of lessons; the report is keyed by ``class_id``.

        Args:
            course_id: the course.
            student_uid: the student.
            class_ids: the lessons, any iterable of IDs.
            progress: show the job's progress: in a Jupyter notebook, a line updated in
                place that ends on the outcome counts; elsewhere a tqdm bar on stderr
                (plain lines on stderr without tqdm).
            skip: outcomes already known (e.g. from a journal): not sent, reported as
                given; an ``unknown`` one is sent again, as possibly applied already.
            on_items: called with each group of items as their outcome becomes final,
                before they count as done.
            on_sending: called with the keys of each call just before it is sent (a
                journal commits them as possibly applied there, so that a resume after
                a kill never counts its own work ``already``).
            on_start: called once with the job's live report before anything is sent;
                if the job is cancelled, items without an outcome are marked in it first.

        Raises:
            InputError: a bad ID anywhere in the input, or a bad ``skip`` (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uid": student_uid, "class_ids": class_ids}
        return await self._run(
            "add_student_to_lessons",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def remove_students_from_lesson(
        self,
        course_id: int | str,
        class_id: int | str,
        student_uids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[int, ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[int]:
        """Remove any number of students from one lesson; keyed by ``student_uid``.

        167 ("not in the lesson") counts as already done. Arguments as in
        :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "class_id": class_id, "student_uids": student_uids}
        return await self._run(
            "remove_students_from_lesson",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def enroll(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        class_ids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[tuple[int, int], ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[tuple[int, int]]:
        """Add every student to every lesson; keyed by ``(student_uid, class_id)``.

        166 ("already in the lesson") counts as already done. Arguments as in
        :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "class_ids": class_ids}
        return await self._run(
            "enroll",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def enroll_pairs(
        self,
        course_id: int | str,
        pairs: Iterable[Sequence[int | str]],
        *,
        progress: bool = False,
        skip: Mapping[tuple[int, int], ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[tuple[int, int]]:
        """Add each ``(student_uid, class_id)`` pair, e.g. to re-run an enrolment's failures.

        The report is an ``enroll`` report keyed by the pairs, in input order. Arguments
        as in :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad pair anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "pairs": pairs}
        return await self._run(
            "enroll_pairs",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def unenroll_pairs(
        self,
        course_id: int | str,
        pairs: Iterable[Sequence[int | str]],
        *,
        progress: bool = False,
        skip: Mapping[tuple[int, int], ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[tuple[int, int]]:
        """Remove each ``(student_uid, class_id)`` pair, e.g. to re-run an unenrolment.

        The report is an ``unenroll`` report keyed by the pairs, in input order.
        Arguments as in :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad pair anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "pairs": pairs}
        return await self._run(
            "unenroll_pairs",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def add_students_to_course(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
        progress: bool = False,
        skip: Mapping[int, ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[int]:
        """Add any number of students (or auditors) to a course; keyed by ``student_uid``.

        Sends addCourseStudentMultiple, 30 a call. 163/164 (already a student/auditor
        of the course) count as already done; 464 (being created by another request) is
        retried per item. ``identity`` is 1/``"student"`` or 2/``"auditor"`` (a course
        takes at most 20 auditors: more are refused before sending). Other arguments as
        in :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad ID anywhere in the input, or too many auditors (nothing
                is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "identity": identity}
        return await self._run(
            "add_students_to_course",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def remove_students_from_course(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        *,
        identity: int | str = 1,
        progress: bool = False,
        skip: Mapping[int, ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[int]:
        """Remove any number of students (or auditors) from a course; keyed by ``student_uid``.

        Sends delCourseStudentMultiple, 100 a call; 162 (not a member) counts as
        already done. Arguments as in :meth:`add_students_to_course`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "identity": identity}
        return await self._run(
            "remove_students_from_course",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def add_students_to_lesson(
        self,
        course_id: int | str,
        class_id: int | str,
        student_uids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[int, ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[int]:
        """Add any number of students to one lesson; keyed by ``student_uid``.

        Sends addClassStudentMultiple, 30 a call; 166 (already in the lesson) counts as
        already done. Arguments as in :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "class_id": class_id, "student_uids": student_uids}
        return await self._run(
            "add_students_to_lesson",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def unenroll(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        class_ids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[tuple[int, int], ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[tuple[int, int]]:
        """Remove every student from every lesson; keyed by ``(student_uid, class_id)``.

        The removal counterpart of :meth:`enroll`: delClassStudentMultiple lesson by
        lesson, 100 students a call; 167 (not in the lesson) counts as already done.
        Arguments as in :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        arguments = {"course_id": course_id, "student_uids": student_uids, "class_ids": class_ids}
        return await self._run(
            "unenroll",
            arguments,
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    async def register(
        self,
        users: Iterable[NewUser],
        *,
        progress: bool = False,
        skip: Mapping[str, ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_sending: OnSending | None = None,
        on_start: OnStart | None = None,
    ) -> BatchReport[str]:
        """Register any number of accounts; keyed by telephone or email, each with its UID.

        Sends registerMultiple, 10 a call. ``report.items[account].uid`` is the UID the
        server gave, also for 135/461 (already registered, counted as already done), so
        the UIDs can feed the next job (``[i.uid for i in report.items.values()]``). An
        account given twice is sent once (the first one). Passwords are never in the
        report, and a plain password is sent only over https (or to a loopback sandbox).
        Other arguments as in :meth:`add_student_to_lessons`.

        Raises:
            InputError: an item that is not a ``NewUser``, or a plain password for a
                plain-http server (nothing is sent).
        """
        if isinstance(users, Iterable) and not isinstance(users, str | bytes | Mapping):
            users = list(users)
            self.client._check_plain_passwords(u for u in users if isinstance(u, NewUser))
        return await self._run(
            "register",
            {"users": users},
            progress=progress,
            skip=skip,
            on_items=on_items,
            on_sending=on_sending,
            on_start=on_start,
        )

    # ------------------------------------------------------------------ running

    async def _run(
        self,
        operation: str | Operation,
        arguments: dict[str, Any],
        *,
        progress: bool,
        skip: Mapping[Any, ItemResult] | None,
        on_items: OnItems | None,
        on_start: OnStart | None,
        on_sending: OnSending | None = None,
    ) -> BatchReport[Any]:
        endpoint, report, targets = plan_operation(operation, arguments, self.chunk_size)
        known, maybe = _skipped(report, skip) if skip else (0, [])
        bar = open_progress(report.total, report.operation) if progress else None
        shared = self.client._concurrency if self.adaptive else None
        pace = Pace(self.concurrency, shared)
        job = Job(
            endpoint=endpoint,
            report=report,
            targets=targets,
            send=self.client._attempt,
            policy=self.retry_policy,
            chunk_size=self.chunk_size,
            sleep=self.client._sleep,
            where=self.client.base_url,
            on_items=on_items,
            on_sending=on_sending,
            on_progress=self.on_progress,
            bar=bar,
            pace=pace,
        )
        job.maybe_applied.update(maybe)
        if known:
            job.progress(known)
        if on_start is not None:
            on_start(report)
        self.client.transport.reserve(self.concurrency)
        started = time.perf_counter()
        if shared is not None:
            shared.join(self.concurrency)
        self._paces.append(pace)
        try:
            await self._work(job)
        except asyncio.CancelledError:
            job.finish_unsent("interrupted", "the job was cancelled")
            raise
        finally:
            self._paces.remove(pace)
            if shared is not None:
                shared.leave(self.concurrency)
            report.busy_calls = pace.busy_calls
            report.concurrency = pace.record()
            report.elapsed = time.perf_counter() - started
            if bar is not None:
                bar.close(report)
        if _log.isEnabledFor(logging.INFO):
            _log.info("%r", report)
        return report

    async def _work(self, job: Job) -> None:
        timeout = asyncio.timeout(self.deadline)
        try:
            async with timeout, asyncio.TaskGroup() as group:
                job.group = group
                if self.probe_first:
                    await job.probe()
                for _ in range(min(self.concurrency, job.unfinished)):
                    group.create_task(job.worker())
        except BaseExceptionGroup as group_error:
            # A failing on_items (say, a full disk under the journal) ends the job; raise
            # it as itself rather than wrapped in a group.
            raise group_error.exceptions[0] from None
        except TimeoutError:
            if not timeout.expired():
                raise
            job.finish_unsent("deadline", f"its deadline of {self.deadline} s passed")
        if job.stopped is not None:
            job.finish_unsent(job.stopped, job.report.stop_reason or job.stopped)


def _skipped(report: BatchReport[Any], skip: Mapping[Any, ItemResult]) -> tuple[int, list[int]]:
    """Record the outcomes ``skip`` gives; how many, and the rows of unknown ones to send again.

    An ``unknown`` outcome is not final: the item is sent again, as one an earlier
    attempt may have applied (so a later "already" answer counts as succeeded).
    ``skip`` is read once, in order, and recorded a block at a time, so a journal's
    hundreds of thousands of items are never all held at once.

    Raises:
        InputError: a bad entry (not an ItemResult, errno 0, a key not in the job).
    """
    known = 0
    maybe = []
    block: list[tuple[int, int, str, int, int]] = []
    for key, result in skip.items():
        if not isinstance(result, ItemResult):
            message = f"skip[{key!r}] must be an ItemResult, got {result!r:.60}"
            raise InputTypeError(message)
        if result.errno == 0:
            message = f"skip[{key!r}] has errno 0, which no outcome has"
            raise InputError(message)
        try:
            row = report.row_of(key)
        except KeyError:
            message = f"skip has {key!r}, which is not an item of this job"
            raise InputError(message) from None
        if result.uid is not None:
            report.set_uid(row, result.uid)
        if result.outcome == "unknown":
            maybe.append(row)
            continue
        block.append(
            (row, result.errno, result.error, result.attempts, OUTCOME_CODES[result.outcome])
        )
        if len(block) >= _SKIP_BLOCK:
            report.record_many(block)
            known += len(block)
            block.clear()
    report.record_many(block)
    return known + len(block), maybe
