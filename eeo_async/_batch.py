"""The Batcher: any number of items, chunks of at most 100, bounded concurrency, one report."""

from __future__ import annotations

import asyncio
import logging
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs

from ._client import Client
from ._codes import TRANSIENT, LocalErrno
from ._constants import (
    DEFAULT_CONCURRENCY,
    DEFAULT_INITIAL_BACKOFF,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BACKOFF,
    LOGGER_NAME,
    MAX_CHUNK_SIZE,
)
from ._errors import (
    ApiError,
    BadCredentialsError,
    EEOError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    ProtocolError,
)
from ._report import BatchReport, ItemResult, Key
from ._retry import RetryPolicy, is_transient
from ._wire import (
    ADD_COURSE_CLASS_STUDENT,
    DEL_CLASS_STUDENT_MULTIPLE,
    Action,
    AddCourseClassStudentParams,
    DelClassStudentMultipleParams,
    encode_params,
    iter_ids,
    validate_id,
)

_log = logging.getLogger(LOGGER_NAME)

Operation = Literal["add_student_to_lessons", "remove_students_from_lesson", "enroll"]
OnItems = Callable[[Sequence[tuple[Key, ItemResult]]], None]


@attrs.frozen(kw_only=True)
class Plan:
    """What a job would send, worked out without sending anything (for ``--dry-run``).

    Attributes:
        items: distinct items to send.
        duplicates: input items dropped because they repeat an earlier one.
        calls: HTTP calls needed when nothing has to be retried.
        max_chunk: the largest number of items in one call.
    """

    items: int
    duplicates: int
    calls: int
    max_chunk: int


def _unique(values: Iterable[object], where: str) -> tuple[list[int], int]:
    """Validate every ID first (nothing is sent on a bad one); drop repeats, counting them."""
    ids = list(iter_ids(values, where))
    if not ids:
        message = f"{where} is empty: give at least one ID"
        raise InputError(message)
    unique = list(dict.fromkeys(ids))
    return unique, len(ids) - len(unique)


@attrs.define
class _Target:
    """The fixed part of a series of calls (one student, or one lesson) and its rows."""

    target_id: int
    rows: Sequence[int]


class _Job:
    """One run of an operation: the work queue, the retry pool, the workers."""

    def __init__(
        self,
        batcher: Batcher,
        *,
        action: Action,
        report: BatchReport,
        targets: list[_Target],
        on_items: OnItems | None,
        progress: Any,
    ) -> None:
        self.batcher = batcher
        self.client = batcher.client
        self.action = action
        self.report = report
        self.targets = targets
        self.on_items = on_items
        self.bar = progress
        self.policy = batcher._policy
        self.unfinished = report.total
        self.done = 0
        self.ready: dict[int, list[int]] = {}  # target index -> rows waiting for a retry call
        self.sleepers: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()
        self.stopped: ApiError | None = None
        self.fresh = self._fresh_chunks()
        self.group: asyncio.TaskGroup

    def _fresh_chunks(self) -> Iterator[tuple[int, list[int]]]:
        size = self.batcher.chunk_size
        errnos = self.report._errnos
        for index, target in enumerate(self.targets):
            rows = [row for row in target.rows if not errnos[row]]  # skipped rows are final
            for start in range(0, len(rows), size):
                yield index, rows[start : start + size]

    def _next_work(self) -> tuple[int, list[int]] | None:
        if self.stopped is not None:
            return None
        # Fresh chunks first: retried items meanwhile pool up into fuller calls.
        work = next(self.fresh, None)
        if work is not None or not self.ready:
            return work
        index = next(iter(self.ready))
        rows = self.ready[index]
        size = self.batcher.chunk_size
        if len(rows) <= size:
            del self.ready[index]
            return index, rows
        self.ready[index] = rows[size:]
        return index, rows[:size]

    async def worker(self) -> None:
        while True:
            work = self._next_work()
            if work is None:
                if self.unfinished == 0 or self.stopped is not None:
                    return
                self.wake.clear()
                await self.wake.wait()
                continue
            await self._send(*work)

    def _encode(self, target: _Target, rows: list[int]) -> str:
        items = tuple(self.report._item_ids[row] for row in rows)
        course = self.report.course_id
        if self.action is ADD_COURSE_CLASS_STUDENT:
            return encode_params(AddCourseClassStudentParams(course, target.target_id, items))
        return encode_params(DelClassStudentMultipleParams(course, target.target_id, items))

    async def _send(self, index: int, rows: list[int]) -> None:
        report = self.report
        attempts = report._attempts
        for row in rows:
            attempts[row] += 1
        attempt = max(attempts[row] for row in rows)
        report.calls += 1
        if attempt > 1:
            report.retries += 1
        encoded = self._encode(self.targets[index], rows)
        try:
            statuses = await self.client._attempt_items(self.action, encoded, len(rows), attempt)
        except EEOError as exc:
            self._failed_call(index, rows, exc)
            return
        retry: list[int] = []
        final: list[tuple[int, int, str]] = []
        for row, status in zip(rows, statuses, strict=True):
            if status.errno in TRANSIENT and attempts[row] < self.policy.max_attempts:
                retry.append(row)
            else:
                final.append((row, status.errno, status.error))
        self._finish(final)
        if retry:
            _log.debug("retry items=%d of action=%s after item errno", len(retry), self.action.name)
            self._schedule(index, retry, self.policy.delay(attempt))

    def _failed_call(self, index: int, rows: list[int], exc: EEOError) -> None:
        if isinstance(exc, BadCredentialsError):
            # Every further call would fail the same way: stop, mark what is left as 102.
            self._finish([(row, exc.errno, exc.error) for row in rows])
            self._stop(exc)
            return
        attempts = self.report._attempts
        if is_transient(exc, self.action):
            retry = [row for row in rows if attempts[row] < self.policy.max_attempts]
            if retry:
                after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
                attempt = max(attempts[row] for row in retry)
                self._schedule(index, retry, self.policy.delay(attempt, after))
            rows = [row for row in rows if attempts[row] >= self.policy.max_attempts]
        errno, error = _errno_of(exc)
        self._finish([(row, errno, error) for row in rows])

    def _schedule(self, index: int, rows: list[int], delay: float) -> None:
        if delay <= 0:
            self.ready.setdefault(index, []).extend(rows)
            self.wake.set()
            return

        async def later() -> None:
            await self.batcher._sleep(delay)
            self.ready.setdefault(index, []).extend(rows)
            self.wake.set()

        task = self.group.create_task(later())
        self.sleepers.add(task)
        task.add_done_callback(self.sleepers.discard)

    def _stop(self, exc: ApiError) -> None:
        self.stopped = exc
        for task in list(self.sleepers):
            task.cancel()
        self.wake.set()

    def _finish(self, final: list[tuple[int, int, str]]) -> None:
        if not final:
            return
        report = self.report
        attempts = report._attempts
        report._record_many(final)
        if self.on_items is not None:
            # The journal commits before the items count as done.
            self.on_items(
                [
                    (report._key(row), ItemResult(errno, error, attempts[row]))
                    for row, errno, error in final
                ]
            )
        self.unfinished -= len(final)
        self._progress(len(final))
        if self.unfinished == 0:
            self.wake.set()

    def _progress(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        if self.batcher.on_progress is not None:
            self.batcher.on_progress(self.done, self.report.total)

    def finish_unsent(self, errno: int, error: str) -> None:
        """Give every item without an outcome yet ``errno`` (after a stop or deadline)."""
        errnos = self.report._errnos
        self._finish([(row, errno, error) for row in range(len(errnos)) if not errnos[row]])


def _errno_of(exc: EEOError) -> tuple[int, str]:
    if isinstance(exc, ApiError):
        return exc.errno, exc.error
    if isinstance(exc, ProtocolError):
        return LocalErrno.BAD_ANSWER, str(exc)
    return LocalErrno.TRANSPORT_FAILED, str(exc)


class Batcher:
    """Runs any number of items through a ``Client`` in chunks, concurrently, with retries.

    Items are validated (all of them, before anything is sent) and de-duplicated, split
    into calls of at most ``chunk_size`` items and sent by ``concurrency`` workers, so
    never more than ``concurrency`` requests are in flight. Each call is signed afresh.

    Retries follow the design's rules: a call that fails transiently (connection error,
    timeout, HTTP 5xx/429, an unparseable body, errno 114/131) is retried whole; an item
    whose own errno is 114 is retried alone, pooled with other retried items of the same
    student or lesson. Waits back off exponentially with jitter (``Retry-After`` is
    honoured) and do not hold a concurrency slot. Other errnos are final: 1 succeeded,
    166/167 "already" (counted ok), anything else failed with its errno and message.

    On errno 102 (bad credentials) the job stops sending at once and every item without
    an outcome is reported with 102; nothing is raised. A job never raises because items
    failed: read the report, or call ``report.raise_for_failures()``.

    Args:
        client: the ``Client`` to send with.
        concurrency: most requests in flight at once.
        chunk_size: most items in one call (1 to 100).
        max_attempts: attempts per item, the first one included.
        initial_backoff: first wait before a retry, in seconds.
        max_backoff: longest wait before a retry, in seconds.
        on_progress: called as ``on_progress(done, total)`` whenever items finish.
        deadline: seconds for a whole job; when it passes, in-flight calls are cancelled
            and items without an outcome are reported ``LocalErrno.NOT_SENT``.
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
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        initial_backoff: float = DEFAULT_INITIAL_BACKOFF,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
        on_progress: Callable[[int, int], None] | None = None,
        deadline: float | None = None,
        probe_first: bool = False,
    ) -> None:
        if not isinstance(client, Client):
            message = f"client must be an eeo_async.Client, got {type(client).__name__}"
            raise InputTypeError(message)
        for name, value, low, high in (
            ("concurrency", concurrency, 1, 10_000),
            ("chunk_size", chunk_size, 1, MAX_CHUNK_SIZE),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                message = f"{name} must be an int, got {value!r}"
                raise InputTypeError(message)
            if not low <= value <= high:
                message = f"{name} must be between {low} and {high}, got {value}"
                raise InputError(message)
        if deadline is not None and not (
            isinstance(deadline, int | float) and not isinstance(deadline, bool) and deadline > 0
        ):
            message = f"deadline must be a positive number of seconds or None, got {deadline!r}"
            raise InputError(message)
        self.client = client
        self.concurrency = concurrency
        self.chunk_size = chunk_size
        self._policy = RetryPolicy(
            max_attempts=max_attempts, initial_backoff=initial_backoff, max_backoff=max_backoff
        )
        self.on_progress = on_progress
        self.deadline = deadline
        self.probe_first = probe_first
        # Tests replace this to run backoffs without waiting.
        self._sleep: Callable[[float], Any] = asyncio.sleep

    def __repr__(self) -> str:
        return (
            f"<eeo_async.Batcher concurrency={self.concurrency} chunk_size={self.chunk_size} "
            f"max_attempts={self._policy.max_attempts} client={self.client!r}>"
        )

    # ----------------------------------------------------------------- planning

    def _plan_targets(
        self, operation: str, arguments: dict[str, Any]
    ) -> tuple[Action, BatchReport, list[_Target]]:
        course_id = validate_id(arguments["course_id"], "course_id")
        if operation == "add_student_to_lessons":
            student = validate_id(arguments["student_uid"], "student_uid")
            classes, dups = _unique(arguments["class_ids"], "class_ids")
            report = BatchReport(
                operation=operation,
                course_id=course_id,
                key_fields=("class_id",),
                target={"student_uid": student},
                item_ids=array("q", classes),
            )
            targets = [_Target(student, range(len(classes)))]
            action = ADD_COURSE_CLASS_STUDENT
        elif operation == "remove_students_from_lesson":
            lesson = validate_id(arguments["class_id"], "class_id")
            students, dups = _unique(arguments["student_uids"], "student_uids")
            report = BatchReport(
                operation=operation,
                course_id=course_id,
                key_fields=("student_uid",),
                target={"class_id": lesson},
                item_ids=array("q", students),
            )
            targets = [_Target(lesson, range(len(students)))]
            action = DEL_CLASS_STUDENT_MULTIPLE
        elif operation == "enroll":
            students, student_dups = _unique(arguments["student_uids"], "student_uids")
            classes, class_dups = _unique(arguments["class_ids"], "class_ids")
            n = len(classes)
            total_in = (len(students) + student_dups) * (n + class_dups)
            report = BatchReport(
                operation=operation,
                course_id=course_id,
                key_fields=("student_uid", "class_id"),
                item_ids=array("q", classes) * len(students),
                target_ids=array("q", (s for s in students for _ in range(n))),
            )
            dups = total_in - report.total
            targets = [_Target(s, range(i * n, (i + 1) * n)) for i, s in enumerate(students)]
            action = ADD_COURSE_CLASS_STUDENT
        elif operation == "enroll_pairs":
            report, targets, dups = self._plan_pairs(course_id, arguments["pairs"])
            action = ADD_COURSE_CLASS_STUDENT
        else:
            message = f"unknown operation {operation!r}"
            raise InputError(message)
        report.duplicates = dups
        return action, report, targets

    @staticmethod
    def _plan_pairs(
        course_id: int, pairs: Iterable[Sequence[object]]
    ) -> tuple[BatchReport, list[_Target], int]:
        if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
            message = f"pairs must be an iterable of (student_uid, class_id), got {pairs!r:.60}"
            raise InputTypeError(message)
        seen: dict[tuple[int, int], None] = {}
        count = 0
        for index, pair in enumerate(pairs):
            if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
                message = f"pairs[{index}] must be a (student_uid, class_id) pair, got {pair!r:.60}"
                raise InputTypeError(message)
            student = validate_id(pair[0], f"pairs[{index}][0]")
            lesson = validate_id(pair[1], f"pairs[{index}][1]")
            seen[(student, lesson)] = None
            count += 1
        if not seen:
            message = "pairs is empty: give at least one (student_uid, class_id) pair"
            raise InputError(message)
        report = BatchReport(
            operation="enroll",
            course_id=course_id,
            key_fields=("student_uid", "class_id"),
            item_ids=array("q", (c for _, c in seen)),
            target_ids=array("q", (s for s, _ in seen)),
        )
        by_student: dict[int, list[int]] = {}
        for row, (student, _) in enumerate(seen):
            by_student.setdefault(student, []).append(row)
        targets = [_Target(s, rows) for s, rows in by_student.items()]
        return report, targets, count - len(seen)

    def plan(self, operation: str, /, **arguments: Any) -> Plan:
        """Work out what ``operation`` would send with these arguments; send nothing.

        ``operation`` is ``"add_student_to_lessons"``, ``"remove_students_from_lesson"``,
        ``"enroll"`` or ``"enroll_pairs"``, with the operation's own keyword arguments.
        Input is validated exactly as the operation would.
        """
        _, report, targets = self._plan_targets(operation, arguments)
        size = self.chunk_size
        calls = sum(-(-len(t.rows) // size) for t in targets)
        biggest = max(min(len(t.rows), size) for t in targets)
        return Plan(
            items=report.total, duplicates=report.duplicates, calls=calls, max_chunk=biggest
        )

    # --------------------------------------------------------------- operations

    async def add_student_to_lessons(
        self,
        course_id: int | str,
        student_uid: int | str,
        class_ids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[Key, ItemResult] | None = None,
        on_items: OnItems | None = None,
    ) -> BatchReport:
        """Add one student to any number of lessons; the report is keyed by ``class_id``.

        Args:
            course_id: the course.
            student_uid: the student.
            class_ids: the lessons, any iterable of IDs.
            progress: show a tqdm progress bar.
            skip: outcomes already known (e.g. from a journal): not sent, reported as given.
            on_items: called with each group of items as their outcome becomes final,
                before they count as done.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        return await self._run(
            "add_student_to_lessons",
            {"course_id": course_id, "student_uid": student_uid, "class_ids": class_ids},
            progress,
            skip,
            on_items,
        )

    async def remove_students_from_lesson(
        self,
        course_id: int | str,
        class_id: int | str,
        student_uids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[Key, ItemResult] | None = None,
        on_items: OnItems | None = None,
    ) -> BatchReport:
        """Remove any number of students from one lesson; keyed by ``student_uid``.

        167 ("not in the lesson") counts as already done. Arguments as in
        :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        return await self._run(
            "remove_students_from_lesson",
            {"course_id": course_id, "class_id": class_id, "student_uids": student_uids},
            progress,
            skip,
            on_items,
        )

    async def enroll(
        self,
        course_id: int | str,
        student_uids: Iterable[int | str],
        class_ids: Iterable[int | str],
        *,
        progress: bool = False,
        skip: Mapping[Key, ItemResult] | None = None,
        on_items: OnItems | None = None,
    ) -> BatchReport:
        """Add every student to every lesson; keyed by ``(student_uid, class_id)``.

        Sends one addCourseClassStudent call per student per chunk of lessons, all under
        the one concurrency bound. 166 ("already in the lesson") counts as already done.
        Arguments as in :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad ID anywhere in the input (nothing is sent).
        """
        return await self._run(
            "enroll",
            {"course_id": course_id, "student_uids": student_uids, "class_ids": class_ids},
            progress,
            skip,
            on_items,
        )

    async def enroll_pairs(
        self,
        course_id: int | str,
        pairs: Iterable[Sequence[int | str]],
        *,
        progress: bool = False,
        skip: Mapping[Key, ItemResult] | None = None,
        on_items: OnItems | None = None,
    ) -> BatchReport:
        """Add each ``(student_uid, class_id)`` pair, e.g. to re-run an enrolment's failures.

        The report is an ``enroll`` report keyed by the pairs, in input order. Arguments
        as in :meth:`add_student_to_lessons`.

        Raises:
            InputError: a bad pair anywhere in the input (nothing is sent).
        """
        return await self._run(
            "enroll_pairs", {"course_id": course_id, "pairs": pairs}, progress, skip, on_items
        )

    async def _run(
        self,
        operation: str,
        arguments: dict[str, Any],
        progress: bool,
        skip: Mapping[Key, ItemResult] | None,
        on_items: OnItems | None,
    ) -> BatchReport:
        action, report, targets = self._plan_targets(operation, arguments)
        bar = _progress_bar(report.total, operation) if progress else None
        job = _Job(
            self, action=action, report=report, targets=targets, on_items=on_items, progress=bar
        )
        started = time.perf_counter()
        try:
            if skip:
                known = [
                    (row, result)
                    for row, key in enumerate(report._iter_keys())
                    if (result := skip.get(key)) is not None
                ]
                for row, result in known:
                    report._record(row, result.errno, result.error, result.attempts)
                job.unfinished -= len(known)
                job._progress(len(known))
            await self._work(job)
        finally:
            report.elapsed = time.perf_counter() - started
            if bar is not None:
                bar.close()
        _log.info(
            "%s course=%s items=%d succeeded=%d already=%d failed=%d calls=%d retries=%d",
            operation,
            report.course_id,
            report.total,
            report.succeeded,
            report.already,
            report.failed,
            report.calls,
            report.retries,
        )
        return report

    async def _work(self, job: _Job) -> None:
        timeout = asyncio.timeout(self.deadline)
        try:
            async with timeout, asyncio.TaskGroup() as group:
                job.group = group
                if self.probe_first and (first := job._next_work()) is not None:
                    await job._send(*first)
                for _ in range(min(self.concurrency, job.unfinished)):
                    group.create_task(job.worker())
        except BaseExceptionGroup as group_error:
            # A failing on_items (say, a full disk under the journal) ends the job; raise
            # it as itself rather than wrapped in a group.
            raise group_error.exceptions[0] from None
        except TimeoutError:
            if not timeout.expired():
                raise
            job.finish_unsent(
                LocalErrno.NOT_SENT,
                "Not sent, or cut off in flight: the job's deadline passed "
                "(the server may have acted on calls that were in flight).",
            )
        if job.stopped is not None:
            job.finish_unsent(job.stopped.errno, job.stopped.error)


def _progress_bar(total: int, operation: str) -> Any:
    try:
        from tqdm.auto import tqdm  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        message = "progress=True needs tqdm: pip install 'eeo-async[progress]'"
        raise ModuleNotFoundError(message) from exc
    return tqdm(total=total, desc=operation, unit="item")
