"""One run of a batch: workers, the retry pool and the truth of each item's outcome.

A ``Job`` is given everything it uses (the endpoint row, the report, the targets, a
``send`` function, the retry policy, a sleep function): it reaches into nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from array import array
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from ._adaptive import Pace, busy_weight
from ._codes import LocalErrno
from ._constants import LOGGER_NAME
from ._errors import ApiError, BadCredentialsError, ConnectError, EEOError, ProtocolError
from ._models import ItemResult, ItemStatus
from ._plan import Target
from ._report import ALREADY, FAILED, SUCCEEDED, UNKNOWN, BatchReport, Key, StopCause
from ._retry import RetryPolicy, should_retry
from ._wire import Endpoint

_log = logging.getLogger(LOGGER_NAME)

OnItems = Callable[[Sequence[tuple[Key, ItemResult]]], None]
Send = Callable[[Endpoint, str, int, int], Awaitable[list[ItemStatus]]]
#: One unit of work: the target's index and the (row, item) pairs of one call.
Work = tuple[int, list[tuple[int, Any]]]


class Job:
    """One run of an operation: the work queue, the retry pool, the workers.

    Outcomes are recorded truthfully: an item is ``already`` only when no earlier
    attempt of this job may have applied it, and ``unknown`` (not ``failed``) when it
    ends without success after such an attempt.
    """

    def __init__(
        self,
        *,
        endpoint: Endpoint,
        report: BatchReport[Any],
        targets: list[Target],
        send: Send,
        policy: RetryPolicy,
        chunk_size: int,
        sleep: Callable[[float], Awaitable[None]],
        where: str,
        on_items: OnItems | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        bar: Any = None,
        pace: Pace | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.report = report
        self.targets = targets
        self.send = send
        self.policy = policy
        self.chunk_size = min(chunk_size, endpoint.max_items)
        self.sleep = sleep
        self.where = where
        self.on_items = on_items
        self.on_progress = on_progress
        self.bar = bar
        #: The concurrency limit the workers wait on (adaptive) and its record.
        self.pace = pace if pace is not None else Pace(0)
        self.attempts = array("H", bytes(2 * report.total))
        #: Rows an attempt may have applied without our seeing the answer.
        self.maybe_applied: set[int] = set()
        self.encoders: dict[int, Callable[[Sequence[Any]], str]] = {}
        self.unfinished = sum(1 for row in range(report.total) if report.is_pending(row))
        self.done = report.total - self.unfinished
        self.reached = False  # any HTTP answer at all from the server in this job
        self.ready: dict[int, list[tuple[int, Any]]] = {}  # target -> waiting (row, item)
        self.sleepers: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()
        self.stopped: StopCause | None = None
        self.fresh = self._fresh_chunks()
        self.group: asyncio.TaskGroup | None = None

    def _fresh_chunks(self) -> Iterator[Work]:
        size = self.chunk_size
        pending = self.report.is_pending
        for index, target in enumerate(self.targets):
            work = [(row, item) for row, item in zip(target.rows, target.items, strict=True)]
            if self.done:
                work = [(row, item) for row, item in work if pending(row)]  # skipped are final
            for start in range(0, len(work), size):
                yield index, work[start : start + size]

    def next_work(self) -> Work | None:
        """The next call to make, fresh chunks first; ``None`` when nothing is ready."""
        if self.stopped is not None:
            return None
        # Fresh chunks first: retried items meanwhile pool up into fuller calls.
        work = next(self.fresh, None)
        if work is not None or not self.ready:
            return work
        index = next(iter(self.ready))
        waiting = self.ready[index]
        size = self.chunk_size
        if len(waiting) <= size:
            del self.ready[index]
            return index, waiting
        self.ready[index] = waiting[size:]
        return index, waiting[:size]

    async def worker(self) -> None:
        """Send work until every item has an outcome or the job stops.

        Over the concurrency limit a worker parks in ``pace.acquire`` holding no slot
        and no work; the call's busy share goes back to the limit when it ends.
        """
        pace = self.pace
        while True:
            ticket = await pace.acquire()
            work = self.next_work()
            if work is None:
                pace.release(ticket, None)
                if self.unfinished == 0 or self.stopped is not None:
                    return
                self.wake.clear()
                await self.wake.wait()
                continue
            busy: float | None = None
            try:
                busy = await self.run(*work)
            finally:
                pace.release(ticket, busy)

    def _encoder(self, index: int) -> Callable[[Sequence[Any]], str]:
        encoder = self.encoders.get(index)
        if encoder is None:
            fixed = self.targets[index].fixed
            encoder = self.encoders[index] = self.endpoint.chunk_encoder(fixed)
        return encoder

    async def run(self, index: int, work: list[tuple[int, Any]]) -> float:
        """Send one call of ``work``, record or reschedule its items; the busy share."""
        attempts = self.attempts
        rows = [row for row, _ in work]
        for row in rows:
            attempts[row] += 1
        attempt = max(attempts[row] for row in rows)
        report = self.report
        report.calls += 1
        if attempt > 1:
            report.retries += 1
        encoded = self._encoder(index)([item for _, item in work])
        try:
            statuses = await self.send(self.endpoint, encoded, len(work), attempt)
        except EEOError as exc:
            busy = busy_weight(exc)
            self._failed_call(index, work, exc, busy)
            return busy
        except asyncio.CancelledError:
            # Cut off in flight (deadline or cancellation): the server may have acted.
            self.maybe_applied.update(rows)
            raise
        self.reached = True
        retry: list[tuple[int, Any]] = []
        final: list[tuple[int, int, str, int]] = []
        transient = self.endpoint.item_transient
        most = self.policy.max_attempts
        busy = 0
        for pair, status in zip(work, statuses, strict=True):
            row = pair[0]
            if status.errno in transient:
                busy += 1
                if attempts[row] < most:
                    retry.append(pair)
                    continue
            final.append((row, status.errno, status.error, self._outcome(row, status)))
        self._finish(final)
        share = busy / len(work)
        if retry:
            _log.debug(
                "retry items=%d action=%s after item errno", len(retry), self.endpoint.action
            )
            policy = self.pace.retry_policy(self.policy, share)
            self._schedule(index, retry, policy.delay(attempt))
        return share

    def _outcome(self, row: int, status: ItemStatus) -> int:
        if status.ok:
            return SUCCEEDED if (status.errno == 1 or row in self.maybe_applied) else ALREADY
        return UNKNOWN if row in self.maybe_applied else FAILED

    def _failed_call(
        self, index: int, work: list[tuple[int, Any]], exc: EEOError, busy: float = 0.0
    ) -> None:
        if not isinstance(exc, ConnectError):
            self.reached = True
        rows = [row for row, _ in work]
        if exc.may_have_acted:
            self.maybe_applied.update(rows)
        if isinstance(exc, BadCredentialsError):
            # Every further call would fail the same way: stop at once.
            self._finish([(row, exc.errno, exc.error, FAILED) for row in rows])
            reason = f"the server refused the credentials (errno {exc.errno}: {exc.error})"
            self._stop("credentials", reason)
            return
        attempts = self.attempts
        most = self.policy.max_attempts
        if should_retry(exc, self.endpoint):
            retry = [pair for pair in work if attempts[pair[0]] < most]
            if retry:
                attempt = max(attempts[row] for row, _ in retry)
                policy = self.pace.retry_policy(self.policy, busy)
                self._schedule(index, retry, policy.delay_after(exc, attempt))
            work = [pair for pair in work if attempts[pair[0]] >= most]
        errno, error = _errno_of(exc)
        self._finish([(row, errno, error, self._failure(row)) for row, _ in work])
        if isinstance(exc, ConnectError) and not self.reached and work:
            reason = f"the server at {self.where} cannot be reached: {exc.detail}"
            self._stop("unreachable", reason)

    def _failure(self, row: int) -> int:
        return UNKNOWN if row in self.maybe_applied else FAILED

    def _schedule(self, index: int, work: list[tuple[int, Any]], delay: float) -> None:
        if delay <= 0 or self.group is None:
            self.ready.setdefault(index, []).extend(work)
            self.wake.set()
            return

        async def later() -> None:
            await self.sleep(delay)
            self.ready.setdefault(index, []).extend(work)
            self.wake.set()

        task = self.group.create_task(later())
        self.sleepers.add(task)
        task.add_done_callback(self.sleepers.discard)

    def _stop(self, cause: StopCause, reason: str) -> None:
        if self.stopped is not None:
            return
        self.stopped = cause
        self.report.stopped_by = cause
        self.report.stop_reason = reason
        _log.warning("job stopped: %s", reason)
        for task in list(self.sleepers):
            task.cancel()
        self.wake.set()

    def _finish(self, final: list[tuple[int, int, str, int]]) -> None:
        if not final:
            return
        report = self.report
        attempts = self.attempts
        report.record_many(
            (row, errno, error, attempts[row], code) for row, errno, error, code in final
        )
        if self.on_items is not None:
            # The journal commits before the items count as done.
            self.on_items([(report.key(row), report.result(row)) for row, _, _, _ in final])
        self.unfinished -= len(final)
        self.progress(len(final))
        if self.unfinished == 0:
            self.wake.set()

    def progress(self, count: int) -> None:
        """Count ``count`` more items done, for the bar and ``on_progress``."""
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        if self.on_progress is not None:
            self.on_progress(self.done, self.report.total)

    def finish_unsent(self, cause: StopCause, reason: str) -> None:
        """Give every item without an outcome its truth after a stop: not sent, or unknown."""
        if self.report.stopped_by is None:
            self.report.stopped_by = cause
            self.report.stop_reason = reason
        unsent = (LocalErrno.NOT_SENT, f"Not sent: the job stopped ({reason}).")
        cut = (
            LocalErrno.TRANSPORT_FAILED,
            f"Cut off in flight: the job stopped ({reason}); the server may have acted.",
        )
        self._finish(
            [
                (row, *(cut if row in self.maybe_applied else unsent), self._failure(row))
                for row in self.report.pending_rows()
            ]
        )


def _errno_of(exc: EEOError) -> tuple[int, str]:
    if isinstance(exc, ApiError):
        return exc.errno, exc.error
    if isinstance(exc, ProtocolError):
        return LocalErrno.BAD_ANSWER, str(exc)
    return LocalErrno.TRANSPORT_FAILED, str(exc)
