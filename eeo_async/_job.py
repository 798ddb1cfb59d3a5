"""One run of a batch: workers, the retry pool and the bookkeeping of outcomes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ._codes import TRANSIENT, LocalErrno
from ._constants import LOGGER_NAME
from ._errors import ApiError, BadCredentialsError, EEOError, HTTPStatusError, ProtocolError
from ._plan import Target
from ._report import BatchReport, ItemResult, Key
from ._retry import is_transient
from ._wire import (
    ADD_COURSE_CLASS_STUDENT,
    Action,
    AddCourseClassStudentParams,
    DelClassStudentMultipleParams,
    encode_params,
)

if TYPE_CHECKING:
    from ._batch import Batcher

_log = logging.getLogger(LOGGER_NAME)

OnItems = Callable[[Sequence[tuple[Key, ItemResult]]], None]


class Job:
    """One run of an operation: the work queue, the retry pool, the workers."""

    def __init__(
        self,
        batcher: Batcher,
        *,
        action: Action,
        report: BatchReport,
        targets: list[Target],
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

    def _encode(self, target: Target, rows: list[int]) -> str:
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
