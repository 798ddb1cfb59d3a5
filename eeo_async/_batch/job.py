"""One run of a batch: workers, the retry pool and the truth of each item's outcome.

A ``Job`` is given everything it uses (the endpoint row, the report, the targets, a
``send`` function, the retry policy, a sleep function): it reaches into nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from .._codes import MAY_HAVE_ACTED_ITEM, NOT_ACTED, SETTLES, LocalErrno
from .._constants import LOGGER_NAME
from .._errors import (
    ApiError,
    BadCredentialsError,
    ClientClosedError,
    ConnectError,
    EEOError,
    ProtocolError,
)
from .._limits import Pace, busy_weight
from .._models import ItemResult, ItemStatus
from .._retry import RetryPolicy, should_retry
from .._wire.codecs import CODECS
from .._wire.endpoint import Endpoint
from .plan import Target
from .progress import Progress
from .report import ALREADY, FAILED, SUCCEEDED, UNKNOWN, BatchReport, Key, StopCause

_log = logging.getLogger(LOGGER_NAME)

OnItems = Callable[[Sequence[tuple[Key, ItemResult]]], None]
#: Called with a call's keys just before the call is sent (a journal commits them there).
OnSending = Callable[[Sequence[Key]], None]
Send = Callable[[Endpoint, Any, Sequence[Any], int], Awaitable[list[ItemStatus]]]
#: One unit of work: the target's index, and the rows and items of one call.
Work = tuple[int, Sequence[int], Sequence[Any]]


class _Waiting:
    """Rows of one target waiting out a backoff together: one timer, one due time."""

    __slots__ = ("due", "items", "rows")

    def __init__(self, due: float) -> None:
        self.due = due
        self.rows: list[int] = []
        self.items: list[Any] = []


class Job:
    """One run of an operation: the work queue, the retry pool, the workers.

    Outcomes are recorded truthfully: an item is ``already`` only when no earlier
    attempt of this job may have applied it, and ``unknown`` (not ``failed``) when it
    ends without success after such an attempt. Items of one target that wait for a
    retry share one timer, so that they meet in as few calls as possible.
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
        bar: Progress | None = None,
        pace: Pace | None = None,
        on_sending: OnSending | None = None,
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
        self.on_sending = on_sending
        self.on_progress = on_progress
        self.bar = bar
        #: The concurrency limit the workers wait on (adaptive) and its record.
        self.pace = pace if pace is not None else Pace(0)
        #: Attempts made so far, only for rows sent more than once (most are sent once).
        self.attempts: dict[int, int] = {}
        #: Rows an attempt may have applied without our seeing the answer.
        self.maybe_applied: set[int] = set()
        self.encoders: dict[int, Callable[[Sequence[Any]], Any]] = {}
        self.unfinished = report.pending
        self.done = 0
        self.reached = False  # any HTTP answer at all from the server in this job
        self.unanswered = False  # a connection failed before any answer
        self.ready: dict[int, tuple[list[int], list[Any]]] = {}  # target -> rows, items
        self.waiting: dict[int, _Waiting] = {}  # target -> rows waiting out a backoff
        self.sleepers: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()
        self.stopped: StopCause | None = None
        self.fresh = self._fresh_chunks(skipped=self.unfinished < report.total)
        self.group: asyncio.TaskGroup | None = None

    def _fresh_chunks(self, *, skipped: bool) -> Iterator[Work]:
        size = self.chunk_size
        pending = self.report.is_pending
        for index, target in enumerate(self.targets):
            rows, items = target.rows, target.items
            if skipped:  # outcomes given through skip= are final: leave those rows out
                kept = [(row, item) for row, item in zip(rows, items, strict=True) if pending(row)]
                rows, items = [row for row, _ in kept], [item for _, item in kept]
            for start in range(0, len(rows), size):
                yield index, rows[start : start + size], items[start : start + size]

    def next_work(self) -> Work | None:
        """The next call to make, fresh chunks first; ``None`` when nothing is ready."""
        if self.stopped is not None:
            return None
        # Fresh chunks first: retried items meanwhile pool up into fuller calls. But when
        # connections failed and nothing was answered yet, the server may be unreachable:
        # retry what failed before sending anything new.
        work = None if self.unanswered and not self.reached else next(self.fresh, None)
        if work is not None or not self.ready:
            return work
        index = next(iter(self.ready))
        rows, items = self.ready[index]
        size = self.chunk_size
        if len(rows) <= size:
            del self.ready[index]
            return index, rows, items
        self.ready[index] = rows[size:], items[size:]
        return index, rows[:size], items[:size]

    async def probe(self) -> None:
        """Send the first call alone, with its retries, until the server answers or we stop.

        So wrong credentials cost one request, and an unreachable server one call's
        attempts, before the workers start.
        """
        work = next(self.fresh, None)
        while work is not None:
            ticket, busy = await self.pace.acquire(), None
            try:
                busy = await self.run(*work)
            finally:
                self.pace.release(ticket, busy)
            work = None
            while not self.reached and self.stopped is None and (self.ready or self.waiting):
                if self.ready:
                    index = next(iter(self.ready))
                    work = (index, *self.ready.pop(index))
                    break
                self.wake.clear()
                await self.wake.wait()

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

    def _encoder(self, index: int) -> Callable[[Sequence[Any]], Any]:
        encoder = self.encoders.get(index)
        if encoder is None:
            fixed = self.targets[index].fixed
            codec = CODECS[self.endpoint.generation]
            encoder = self.encoders[index] = codec.chunk_encoder(self.endpoint, fixed)
        return encoder

    def _count_attempt(self, rows: Sequence[int]) -> int | list[int]:
        """Count one more attempt of each row: 1 for fresh rows, else a list per row."""
        attempts = self.attempts
        if not attempts or not any(row in attempts for row in rows):
            return 1
        counts = [attempts.get(row, 0) + 1 for row in rows]
        for row, count in zip(rows, counts, strict=True):
            attempts[row] = count
        return counts

    async def run(self, index: int, rows: Sequence[int], items: Sequence[Any]) -> float:
        """Send one call of ``rows``, record or reschedule its items; the busy share."""
        tries = self._count_attempt(rows)
        attempt = tries if isinstance(tries, int) else max(tries)
        report = self.report
        report.calls += 1
        if attempt > 1:
            report.retries += 1
        encoded = self._encoder(index)(items)
        if self.on_sending is not None:
            # Before the request leaves: a kill from here on finds these items "possibly
            # applied" in the journal, so a resume never calls its own work "already".
            key = report.key
            self.on_sending([key(row) for row in rows])
        try:
            statuses = await self.send(self.endpoint, encoded, items, attempt)
        except EEOError as exc:
            busy = busy_weight(exc)
            self._failed_call(index, rows, items, tries, exc, busy=busy)
            return busy
        except asyncio.CancelledError:
            # Cut off in flight (deadline or cancellation): the server may have acted.
            self.maybe_applied.update(rows)
            raise
        self.reached = True
        if self.report.has_uids:
            self._keep_uids(rows, statuses)
        return self._answered(index, rows, items, tries, attempt, statuses)

    def _answered(  # noqa: PLR0917 - one call site, the parts of one call
        self,
        index: int,
        rows: Sequence[int],
        items: Sequence[Any],
        tries: int | list[int],
        attempt: int,
        statuses: Sequence[ItemStatus],
    ) -> float:
        """Record or reschedule each item of an answered call; the call's busy share."""
        # Statuses are shared values: group the rows by status and record each group once.
        groups: list[tuple[ItemStatus, Sequence[int]]]
        if statuses and statuses.count(statuses[0]) == len(statuses):
            groups = [(statuses[0], range(len(statuses)))]  # all alike: the usual answer
        else:
            by_id: dict[int, list[int]] = {}
            for position, status in enumerate(statuses):
                by_id.setdefault(id(status), []).append(position)
            groups = [(statuses[positions[0]], positions) for positions in by_id.values()]
        endpoint = self.endpoint
        transient = endpoint.item_transient
        most = self.policy.max_attempts
        retry: list[int] = []
        busy = 0
        for status, positions in groups:
            final = positions
            if status.errno in MAY_HAVE_ACTED_ITEM:
                # Item-level 104/114 may come after the item was applied (Basic_errors).
                self.maybe_applied.update(rows[p] for p in positions)
            if status.errno in transient and (endpoint.idempotent or status.errno in NOT_ACTED):
                busy += len(positions)
                again = [p for p in positions if _tries(tries, p) < most]
                retry.extend(again)
                if len(again) == len(positions):
                    continue
                final = [p for p in positions if _tries(tries, p) >= most]
            self._record(rows, final, status.errno, status.error, tries, self._code(status))
        share = busy / len(rows)
        if retry:
            _log.debug(
                "retry items=%d action=%s after item errno", len(retry), self.endpoint.action
            )
            policy = self.pace.retry_policy(self.policy, share)
            self._schedule(index, rows, items, tries, retry, delay=policy.delay(attempt))
        return share

    def _keep_uids(self, rows: Sequence[int], statuses: Sequence[ItemStatus]) -> None:
        """Keep the ID each answered item carries (a UID, a new activity's ID ...)."""
        for row, status in zip(rows, statuses, strict=True):
            found = status.id if status.id is not None else status.uid
            if found is not None:
                self.report.set_uid(row, found)

    def _code(self, status: ItemStatus) -> int:
        """The outcome code of ``status`` for rows no attempt may have applied."""
        if status.ok:
            return SUCCEEDED if status.errno == 1 else ALREADY
        return FAILED

    def _record(  # noqa: PLR0917 - one call site each, read as a row of the outcome
        self,
        rows: Sequence[int],
        positions: Sequence[int],
        errno: int,
        error: str,
        tries: int | list[int],
        code: int,
    ) -> None:
        """Record one outcome for ``rows[p]`` of each position, truthfully per row."""
        whole = len(positions) == len(rows)
        picked = rows if whole else [rows[p] for p in positions]
        counts = tries if isinstance(tries, int) or whole else [tries[p] for p in positions]
        maybe = self.maybe_applied
        if maybe and not maybe.isdisjoint(picked):
            # An earlier attempt may have applied these: "already" is then "succeeded",
            # and a failure is "unknown", unless its code shows the item cannot be in
            # the target state (a finished lesson, a student the school lacks ...).
            truer = {ALREADY: SUCCEEDED, FAILED: FAILED if errno in SETTLES else UNKNOWN}.get(
                code, code
            )
            sure = [i for i, row in enumerate(picked) if row not in maybe]
            unsure = [i for i, row in enumerate(picked) if row in maybe]
            for chosen, outcome in ((sure, code), (unsure, truer)):
                if chosen:
                    self._finish(
                        [picked[i] for i in chosen],
                        errno,
                        error,
                        counts if isinstance(counts, int) else [counts[i] for i in chosen],
                        outcome,
                    )
            return
        self._finish(picked, errno, error, counts, code)

    def _failed_call(
        self,
        index: int,
        rows: Sequence[int],
        items: Sequence[Any],
        tries: int | list[int],
        exc: EEOError,
        *,
        busy: float = 0.0,
    ) -> None:
        if isinstance(exc, ConnectError):
            self.unanswered = True
        else:
            self.reached = True
        if exc.may_have_acted:
            self.maybe_applied.update(rows)
        positions: Sequence[int] = range(len(rows))
        if isinstance(exc, ClientClosedError):
            self._record(rows, positions, LocalErrno.NOT_SENT, str(exc), tries, FAILED)
            self._stop("closed", "the client was closed")
            return
        if isinstance(exc, BadCredentialsError):
            # Every further call would fail the same way: stop at once.
            self._record(rows, positions, exc.errno, exc.error, tries, FAILED)
            reason = f"the server refused the credentials (errno {exc.errno}: {exc.error})"
            self._stop("credentials", reason)
            return
        most = self.policy.max_attempts
        if should_retry(exc, self.endpoint):
            again = [p for p in positions if _tries(tries, p) < most]
            if again:
                attempt = max(_tries(tries, p) for p in again)
                policy = self.pace.retry_policy(self.policy, busy)
                self._schedule(
                    index, rows, items, tries, again, delay=policy.delay_after(exc, attempt)
                )
            positions = [p for p in positions if _tries(tries, p) >= most]
        errno, error = _errno_of(exc)
        self._record(rows, positions, errno, error, tries, FAILED)
        if isinstance(exc, ConnectError) and not self.reached and positions:
            reason = f"the server at {self.where} cannot be reached: {exc.detail}"
            self._stop("unreachable", reason)

    def _schedule(
        self,
        index: int,
        sent_rows: Sequence[int],
        sent_items: Sequence[Any],
        tries: int | list[int],
        positions: list[int],
        *,
        delay: float,
    ) -> None:
        """Put the items at ``positions`` of a call back for another after ``delay``.

        They join the target's other waiters where those go soon enough.
        """
        if self.stopped is not None:
            return  # a stopped job waits for nothing: these rows end not sent or unknown
        rows = [sent_rows[p] for p in positions]
        items = [sent_items[p] for p in positions]
        attempts = self.attempts
        for p, row in zip(positions, rows, strict=True):
            attempts[row] = _tries(tries, p)
        if delay <= 0 or self.group is None:
            self._ready(index, rows, items)
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        waiting = self.waiting.get(index)
        # Join the target's waiters if they go no sooner than half of our own wait:
        # retries of one student or lesson then meet in one call.
        if waiting is not None and waiting.due >= now + delay / 2:
            waiting.rows.extend(rows)
            waiting.items.extend(items)
            return
        waiting = self.waiting[index] = _Waiting(now + delay)
        waiting.rows.extend(rows)
        waiting.items.extend(items)

        async def later() -> None:
            await self.sleep(delay)
            if self.waiting.get(index) is waiting:
                del self.waiting[index]
            self._ready(index, waiting.rows, waiting.items)

        task = self.group.create_task(later())
        self.sleepers.add(task)
        task.add_done_callback(self.sleepers.discard)

    def _ready(self, index: int, rows: list[int], items: list[Any]) -> None:
        ready = self.ready.get(index)
        if ready is None:
            self.ready[index] = (list(rows), list(items))
        else:
            ready[0].extend(rows)
            ready[1].extend(items)
        self.wake.set()

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

    def _finish(
        self, rows: Sequence[int], errno: int, error: str, tries: int | list[int], code: int
    ) -> None:
        if not rows:
            return
        report = self.report
        report.record_same(rows, errno, error, tries, code)
        if self.on_items is not None:
            # The journal commits before the items count as done.
            self.on_items([(report.key(row), report.result(row)) for row in rows])
        self.unfinished -= len(rows)
        self.progress(len(rows))
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
        pending = self.report.pending_rows()
        cut = [row for row in pending if row in self.maybe_applied]
        unsent = [row for row in pending if row not in self.maybe_applied]
        attempts = self.attempts
        self._finish(
            cut,
            LocalErrno.TRANSPORT_FAILED,
            f"Cut off in flight: the job stopped ({reason}); the server may have acted.",
            [attempts.get(row, 1) for row in cut],
            UNKNOWN,
        )
        self._finish(
            unsent,
            LocalErrno.NOT_SENT,
            f"Not sent: the job stopped ({reason}).",
            [attempts.get(row, 0) for row in unsent],
            FAILED,
        )


def _tries(tries: int | list[int], position: int) -> int:
    return tries if isinstance(tries, int) else tries[position]


def _errno_of(exc: EEOError) -> tuple[int, str]:
    if isinstance(exc, ApiError):
        return exc.errno, exc.error
    if isinstance(exc, ProtocolError):
        return LocalErrno.BAD_ANSWER, str(exc)
    return LocalErrno.TRANSPORT_FAILED, str(exc)
