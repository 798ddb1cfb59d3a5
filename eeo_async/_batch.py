"""The Batcher: any number of items, chunks of at most 100, bounded concurrency, one report."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ._client import Client
from ._codes import LocalErrno
from ._constants import (
    DEFAULT_CONCURRENCY,
    DEFAULT_INITIAL_BACKOFF,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_BACKOFF,
    LOGGER_NAME,
    MAX_CHUNK_SIZE,
)
from ._errors import InputError, InputTypeError
from ._job import Job, OnItems
from ._plan import Plan, plan, plan_targets
from ._report import BatchReport, ItemResult, Key
from ._retry import RetryPolicy

_log = logging.getLogger(LOGGER_NAME)


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
        concurrency: most requests in flight at once (the client's connection pool,
            ``max_connections=100`` by default, bounds it too).
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

    def plan(self, operation: str, /, **arguments: Any) -> Plan:
        """Work out what ``operation`` would send with these arguments; send nothing.

        ``operation`` is ``"add_student_to_lessons"``, ``"remove_students_from_lesson"``,
        ``"enroll"`` or ``"enroll_pairs"``, with the operation's own keyword arguments.
        Input is validated exactly as the operation would.
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
        action, report, targets = plan_targets(operation, arguments)
        bar = _progress_bar(report.total, operation) if progress else None
        job = Job(
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

    async def _work(self, job: Job) -> None:
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
