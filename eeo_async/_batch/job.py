"""One run of a batch: workers, the retry pool and the truth of each item's outcome.

A ``Job`` is given everything it uses (the endpoint row, the report, the targets, a
``send`` function, the retry policy, a sleep function): it reaches into nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from itertools import repeat
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
from .retries import Retries, Waiting, tries_of
from .stops import Stop, Stopping, Watch

_log = logging.getLogger(LOGGER_NAME)

OnItems = Callable[[Sequence[tuple[Key, ItemResult]]], None]
#: Called with a call's keys just before the call is sent (a journal commits them there).
OnSending = Callable[[Sequence[Key]], None]
Send = Callable[[Endpoint, Any, Sequence[Any], int], Awaitable[list[ItemStatus]]]
#: One unit of work: the target's index, and the rows and items of one call.
Work = tuple[int, Sequence[int], Sequence[Any]]


class Job(Retries, Stopping):
    """One run of an operation: the work queue, the retry pool, the workers.

    Outcomes are recorded truthfully: an item is ``already`` only when no earlier
    attempt of this job may have applied it, and ``unknown`` (not ``failed``) when it
    ends without success after such an attempt. Items of one target that wait for a
    retry share one timer, so that they meet in as few calls as possible. An answer no
    item of the job can escape stops it (``stops.Watch``).
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
        #: The last answer (errno, message) of each row put back for another attempt: a
        #: stop gives it to the rows still waiting.
        self.last: dict[int, tuple[int, str]] = {}
        #: Rows an attempt may have applied without our seeing the answer.
        self.maybe_applied: set[int] = set()
        self.encoders: dict[int, Callable[[Sequence[Any]], Any]] = {}
        self.unfinished = report.pending
        self.done = 0
        self.reached = False  # any HTTP answer at all from the server in this job
        self.unanswered = False  # a connection failed before any answer
        self.ready: dict[int, tuple[list[int], list[Any]]] = {}  # target -> rows, items
        self.waiting: dict[int, Waiting] = {}  # target -> rows waiting out a backoff
        self.sleepers: set[asyncio.Task[None]] = set()
        self.wake = asyncio.Event()
        self.stopped: StopCause | None = None
        self.watch = Watch(endpoint, targets, where)
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

    def _never_sent(self, rows: Sequence[int], tries: int | list[int]) -> None:
        """Take back the call and the attempts counted for a call that never left."""
        report = self.report
        report.calls -= 1
        if isinstance(tries, int):
            return  # fresh rows: no attempt was noted, and it was no retry
        report.retries -= 1
        attempts = self.attempts
        for row, count in zip(rows, tries, strict=True):
            if count > 1:
                attempts[row] = count - 1
            else:
                attempts.pop(row, None)

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
            self.on_sending(list(map(report.key, rows)))
        try:
            statuses = await self.send(self.endpoint, encoded, items, attempt)
        except EEOError as exc:
            busy = busy_weight(exc)
            self._failed_call(index, rows, items, tries, exc, busy=busy)
            return busy
        except asyncio.CancelledError:
            # Cut off in flight (deadline or cancellation): the server may have acted, and
            # an earlier answer is no longer the last word on these rows.
            self.maybe_applied.update(rows)
            last = self.last
            for row in rows:
                last.pop(row, None)
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
                again = [p for p in positions if tries_of(tries, p) < most]
                if again:
                    self._put_back(rows, again, tries, status.errno, status.error)
                    retry.extend(again)
                if len(again) == len(positions):
                    continue
                final = [p for p in positions if tries_of(tries, p) >= most]
            self._record(rows, final, status.errno, status.error, tries, self._code(status))
        # Every answer: a job-wide code may come with a message naming each item.
        stop = self.watch.answered(statuses, items, self.targets[index].fixed)
        if stop is not None:
            self._stop(stop)
        share = busy / len(rows)
        if retry:
            _log.debug(
                "retry items=%d action=%s after item errno", len(retry), self.endpoint.action
            )
            policy = self.pace.retry_policy(self.policy, share)
            self._schedule(index, rows, items, retry, delay=policy.delay(attempt))
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
            # Done with a side failure (841 ...) is this job's work, with a warning.
            return SUCCEEDED if status.errno == 1 or status.side else ALREADY
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
            # This attempt never left: the rows are as before it, and get the truth of a
            # stopped job's rows (their last answer, unknown if an earlier attempt may
            # have applied them, else not sent).
            self._never_sent(rows, tries)
            self._stop(Stop("closed", "the client was closed"))
            return
        if isinstance(exc, BadCredentialsError):
            # Every further call would fail the same way: stop at once.
            self._record(rows, positions, exc.errno, exc.error, tries, FAILED)
            reason = (
                f"the server refused the credentials (errno {exc.errno}): check the SID, "
                "the secret and the clock"
            )
            self._stop(Stop("credentials", reason, errno=exc.errno))
            return
        stop = self.watch.call_error(exc, self.targets[index].fixed)
        if stop is not None:
            # No item of the job can escape this answer: record the call's, stop.
            self._record(rows, positions, *_errno_of(exc), tries, FAILED)
            self._stop(stop)
            return
        most = self.policy.max_attempts
        if should_retry(exc, self.endpoint):
            again = [p for p in positions if tries_of(tries, p) < most]
            if again:
                self._put_back(rows, again, tries, *_errno_of(exc))
                attempt = max(tries_of(tries, p) for p in again)
                policy = self.pace.retry_policy(self.policy, busy)
                self._schedule(index, rows, items, again, delay=policy.delay_after(exc, attempt))
            positions = [p for p in positions if tries_of(tries, p) >= most]
        errno, error = _errno_of(exc)
        self._record(rows, positions, errno, error, tries, FAILED)
        if isinstance(exc, ConnectError) and not self.reached and positions:
            reason = f"the server at {self.where} cannot be reached: {exc.detail}"
            self._stop(Stop("unreachable", reason))

    def _finish(
        self, rows: Sequence[int], errno: int, error: str, tries: int | list[int], code: int
    ) -> None:
        if not rows:
            return
        report = self.report
        report.record_same(rows, errno, error, tries, code)
        if self.on_items is not None:
            # The journal commits before the items count as done. Rows alike in all but
            # their key (one count of attempts, no ID of their own) share one result.
            results: Iterable[ItemResult] = (
                repeat(report.result(rows[0]), len(rows))
                if isinstance(tries, int) and not report.has_uids
                else map(report.result, rows)
            )
            self.on_items(list(zip(map(report.key, rows), results, strict=True)))
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


def _errno_of(exc: EEOError) -> tuple[int, str]:
    if isinstance(exc, ApiError):
        return exc.errno, exc.error
    if isinstance(exc, ProtocolError):
        return LocalErrno.BAD_ANSWER, str(exc)
    return LocalErrno.TRANSPORT_FAILED, str(exc)
