"""The Batcher's engine: settings, one public run for any bulk row, and a job's life.

The named verbs are a few lines each in their areas' modules, composed into
``eeo_async.Batcher`` (``batcher.py``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, TypedDict

from .._client import BaseClient, engine
from .._codes import LocalErrno
from .._constants import DEFAULT_CONCURRENCY, LOGGER_NAME, MAX_CHUNK_SIZE
from .._errors import InputError, InputTypeError
from .._limits import Pace
from .._models import ItemResult
from .._retry import RetryPolicy
from .._wire.endpoint import Endpoint
from .job import Job, OnItems, OnSending
from .plan import Plan, plan, plan_operation
from .progress import open_progress
from .report import OUTCOME_CODES, BatchReport

_log = logging.getLogger(LOGGER_NAME)

OnStart = Callable[[BatchReport[Any]], None]
#: Outcomes given by ``skip=`` recorded at a time.
_SKIP_BLOCK = 4096


class JobOptions(TypedDict, total=False):
    """The options every job takes (see :meth:`Batcher.run`)."""

    progress: bool
    skip: Mapping[Any, ItemResult] | None
    on_items: OnItems | None
    on_start: OnStart | None
    on_sending: OnSending | None


_OPTIONS: Final = tuple(JobOptions.__annotations__)


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        message = f"{name} must be an int, got {value!r}"
        raise InputTypeError(message)
    if not low <= value <= high:
        message = f"{name} must be between {low} and {high}, got {value}"
        raise InputError(message)
    return value


class Runner:
    """The engine under every verb of ``eeo_async.Batcher``: settings, ``run`` and a job's life."""

    def __init__(
        self,
        client: BaseClient,
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
        if not isinstance(client, BaseClient):
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
        self._engine = engine(client)
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

    def plan(self, operation: str | Endpoint, /, **arguments: Any) -> Plan:
        """Work out what ``operation`` would send with these arguments; send nothing.

        ``operation`` is a verb of this class (``"enroll"``, ``"enroll_pairs"``,
        ``"add_student_to_lessons"``, ...) or a bulk row, with its own keyword arguments.
        Input is validated exactly as the operation would.
        """
        return plan(operation, arguments, self.chunk_size)

    # ------------------------------------------------------------- any bulk row

    async def run(self, endpoint: Endpoint | str, /, **arguments: Any) -> BatchReport[Any]:
        """Run any bulk row (or verb) over any number of items: the engine of every verb.

        ``endpoint`` is a row with a bulk spec (``eeo_async.Endpoint(..., bulk=Bulk(
        key=...))``, e.g. an action that has no named verb yet) or a verb's name
        (``"add_students_to_course"``). ``arguments`` are the row's parameters by their
        Python names: the items parameter takes any number of items, every other one is
        held fixed for the whole job; and the job options below.

        Args:
            endpoint: the row, or a verb of this class.
            arguments: the row's parameters, and these options:
                ``progress``: show the job's progress: in a Jupyter notebook, a line
                updated in place that ends on the outcome counts; elsewhere a tqdm bar
                on stderr (plain lines on stderr without tqdm).
                ``skip``: outcomes already known (e.g. from a journal): not sent,
                reported as given; an ``unknown`` one is sent again, as possibly
                applied already, and a "not sent" one is sent.
                ``on_items``: called with each group of items as their outcome becomes
                final, before they count as done.
                ``on_start``: called once with the job's live report before anything is
                sent; if the job is cancelled, items without an outcome are marked in
                it first.
                ``on_sending``: called with a call's keys just before the call is sent,
                on every attempt (a journal records them as possibly applied there).

        Returns:
            The report: every item once, with its outcome.

        Raises:
            InputError: a bad value anywhere in the input, or a bad ``skip`` (nothing is
                sent).
        """
        options = {name: arguments.pop(name) for name in _OPTIONS if name in arguments}
        return await self._run(endpoint, arguments, **options)

    # ------------------------------------------------------------------ running

    async def _run(
        self,
        operation: str | Endpoint,
        arguments: dict[str, Any],
        *,
        progress: bool = False,
        skip: Mapping[Any, ItemResult] | None = None,
        on_items: OnItems | None = None,
        on_start: OnStart | None = None,
        on_sending: OnSending | None = None,
    ) -> BatchReport[Any]:
        if not isinstance(operation, str | Endpoint):
            message = f"operation must be a verb's name or an Endpoint row, got {operation!r:.60}"
            raise InputTypeError(message)
        endpoint, report, targets = plan_operation(operation, arguments, self.chunk_size)
        # Items without their unique identity make the job not safe to repeat.
        endpoint = endpoint.carried_by(itertools.chain.from_iterable(t.items for t in targets))
        self._engine.check(endpoint, itertools.chain.from_iterable(t.items for t in targets))
        known, maybe = _skipped(report, skip) if skip else (0, [])
        bar = open_progress(report.total, report.operation, report) if progress else None
        engine = self._engine
        shared = engine.concurrency if self.adaptive else None
        pace = Pace(self.concurrency, shared)
        job = Job(
            endpoint=endpoint,
            report=report,
            targets=targets,
            send=engine.send,
            policy=self.retry_policy,
            chunk_size=self.chunk_size,
            sleep=engine.sleep,
            where=engine.base_url,
            on_items=on_items,
            on_sending=on_sending,
            on_progress=self.on_progress,
            bar=bar,
            pace=pace,
        )
        job.maybe_applied.update(maybe)
        if known:
            job.progress(known)
            if report.succeeded or report.already:
                job.watch.looking = False  # an earlier run did items: no list is wrong
        if on_start is not None:
            on_start(report)
        engine.transport.reserve(self.concurrency)
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
    attempt may have applied (so a later "already" answer counts as succeeded). Nor is
    "not sent" (``failed`` with ``LocalErrno.NOT_SENT``): the item is sent as new.
    The count is of rows, however many spellings of a key ``skip`` holds.
    ``skip`` is read once, in order, and recorded a block at a time, so a journal's
    hundreds of thousands of items are never all held at once.

    Raises:
        InputError: a bad entry (not an ItemResult, errno 0, a key not in the job).
    """
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
        found = result.id if result.id is not None else result.uid
        if found is not None:
            report.set_uid(row, found)
        if result.outcome == "unknown":
            maybe.append(row)
            continue
        if result.outcome == "failed" and result.errno == LocalErrno.NOT_SENT:
            continue  # never sent: this run sends it
        block.append(
            (row, result.errno, result.error, result.attempts, OUTCOME_CODES[result.outcome])
        )
        if len(block) >= _SKIP_BLOCK:
            report.record_many(block)
            block.clear()
    report.record_many(block)
    # Per row: two spellings of one key ("1001" and 1001) record one item.
    return report.total - report.pending, maybe
