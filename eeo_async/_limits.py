"""Adaptive concurrency (AIMD) and the optional rate limit: as fast as the server allows.

Two limits, both per ``Client`` (one Client signs for one school, and a school's limits
are the school's, whatever job sends):

- :class:`RateLimit` (``Client(max_per_second=...)``): requests started per second,
  shared by every call and every job of the Client. A leaky bucket from ``aiolimiter``.
- :class:`AdaptiveLimit`: requests in flight, shared by every adaptive job of the
  Client. Busy answers caused by load lower it multiplicatively, calls that go through
  raise it additively (about one more per round trip), between 1 and the sum of the
  running jobs' ``concurrency`` ceilings. Busy answers that do not grow with the load
  (a server that answers a share of calls 114 at random) are noise and leave it be.

How load is told from noise: each call notes how many requests were in flight when it
was sent (its level). Load shows as a busy share that rises with the level (a capacity:
none below it, many above); noise as the same share at every level. So a busy answer
at a level is compared with the calls sent at the level a decrease would go to, or
fewer. Where those are too few to tell, the limit is lowered as a trial, and the trial
is judged before any other: if the busy share did not fall, the trial is undone.

Why one shared limit rather than one per job with a shared "busy" signal: the server's
capacity is a number of requests in flight for the whole school, so the sum over jobs is
what must follow it. With a limit per job, two jobs would each settle near the whole
capacity and overload it together; with one limit they queue for the same slots (first
come, first served) and back off together. Each job stays capped by its own ceiling
(its worker count).

A job reads the shared limit through its :class:`Pace`, which also keeps what the report
records (start, lowest, highest, final and mean concurrency; calls answered busy). A
fixed job (``adaptive=False``) has a ``Pace`` without a limit: it only counts.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from typing import Final

import attrs
from aiolimiter import AsyncLimiter

from ._codes import BUSY
from ._constants import LOGGER_NAME
from ._errors import ApiError, HTTPStatusError, InputError, InputTypeError
from ._evidence import LOAD, NOISE, UNSURE, Evidence
from ._json import JsonReady
from ._retry import RetryPolicy

_log = logging.getLogger(LOGGER_NAME)

# The tuning of the limit (not settings a caller passes), beside the algorithm it tunes.
#: The limit falls to this fraction of itself on a call answered busy as a whole (and
#: proportionally less when only some items were): gentle enough that the limit hovers
#: just under the server's capacity, steep enough to find it in a few round trips.
DECREASE: Final = 0.8
#: Near the level of the last busy answer the limit grows this many times slower, so it
#: dwells just under the capacity it found instead of probing past it every round trip
#: (the plateau of TCP CUBIC, without the cubic).
PLATEAU_SLOWDOWN: Final = 16.0
#: HTTP statuses that mean "too much load": lower the rate.
BUSY_STATUSES: Final = frozenset({429, 503})
#: Seconds of burst a rate limit allows, as a share of one second's requests (at least 1).
RATE_BURST_SECONDS: Final = 0.1


@attrs.frozen(kw_only=True)
class ConcurrencyRecord(JsonReady):
    """How many requests a job let be in flight: the limit, noted at each of its calls.

    Attributes:
        adaptive: whether the limit followed the server (``Batcher(adaptive=True)``).
        start: the concurrency of the job's first call.
        lowest: the lowest it fell to.
        highest: the highest it reached.
        final: the concurrency of the job's last call.
        mean: the average over the job's time.
    """

    adaptive: bool
    start: int
    lowest: int
    highest: int
    final: int
    mean: float

    def text(self) -> str:
        """One line: ``adaptive concurrency 64 at the start, 8 to 64, 12 at the end ...``."""
        kind = "adaptive" if self.adaptive else "fixed"
        return (
            f"{kind} concurrency {self.start} at the start, {self.lowest} to {self.highest}, "
            f"{self.final} at the end, {self.mean:.1f} on average"
        )


def busy_weight(exc: BaseException) -> float:
    """1.0 if ``exc`` says the server is busy (errnos in ``BUSY``, HTTP 429/503), else 0."""
    if isinstance(exc, ApiError):
        return 1.0 if exc.errno in BUSY else 0.0
    if isinstance(exc, HTTPStatusError):
        return 1.0 if exc.status in BUSY_STATUSES else 0.0
    return 0.0


def check_rate(value: object) -> float | None:
    """``max_per_second`` checked: a positive finite number, or ``None``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        message = f"max_per_second must be a number or None, got {value!r}"
        raise InputTypeError(message)
    if not (math.isfinite(value) and value > 0):
        message = f"max_per_second must be a positive finite number or None, got {value!r}"
        raise InputError(message)
    return float(value)


class RateLimit:
    """At most ``per_second`` requests started per second, over every call of a Client.

    A leaky bucket (``aiolimiter.AsyncLimiter``) whose bucket holds a tenth of a
    second's requests (at least one): in any window of ``t`` seconds at most
    ``per_second * (t + 0.1)`` requests start (at least ``per_second * t + 1``).

    ``AsyncLimiter`` binds to the event loop of its first use and warns when reused on
    another; a Client may outlive a loop (pytest-asyncio gives each test its own), so
    there is one bucket per running loop, made on first use in that loop.
    """

    def __init__(self, per_second: float) -> None:
        self.per_second = per_second
        self._burst = max(1.0, per_second * RATE_BURST_SECONDS)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bucket: AsyncLimiter | None = None

    def __repr__(self) -> str:
        return f"<RateLimit {self.per_second:g}/s>"

    async def acquire(self) -> None:
        """Wait until one more request may start."""
        loop = asyncio.get_running_loop()
        if self._bucket is None or self._loop is not loop:
            self._loop = loop
            self._bucket = AsyncLimiter(self._burst, self._burst / self.per_second)
        await self._bucket.acquire()


class AdaptiveLimit:
    """How many requests the adaptive jobs of one Client may have in flight (AIMD).

    ``limit`` starts at the ceiling (the sum of the running jobs' ``concurrency``), so a
    server that never answers busy costs nothing. Each call notes the number of
    requests in flight when it was sent (its level) and how busy its answer was (the
    evidence, by level, with ``LEVEL_MEMORY`` calls a level).

    A busy answer is judged by :meth:`verdict`: load, noise, or unsure. Load lowers the
    limit to ``DECREASE`` of itself (weighted by the share of busy items when only
    items were busy), at most once per round trip (signals from calls that started
    before the last decrease are ignored, as TCP does). Unsure lowers it the same way
    as a trial, which :meth:`trial` judges on the next busy answers before anything
    else: it stands if the busy share fell, it is undone (a step per busy answer) if
    not, and until then the limit is not lowered again. Up to the level where a trial
    proved noise, unsure busy answers are noise. Noise counts as a call that went
    through.

    A call that goes through raises the limit by ``1 / limit`` (one per round trip; a
    call with some busy items by the share that went through) while the limit is in
    use, ``PLATEAU_SLOWDOWN`` times slower within 1 of where the last call refused whole
    came. It never goes below 1 or above the ceiling. Waiters are served first come,
    first served; a waiter holds no slot. When the last job leaves, the limit and its
    evidence are forgotten: the next job starts at its ceiling.
    """

    def __init__(self) -> None:
        self.limit = 0.0
        self.ceiling = 0
        self.in_flight = 0
        #: Counts decreases: a busy answer lowers the limit only if its call started
        #: in the current epoch.
        self.epoch = 0
        #: The limit when the last busy answer lowered it (0: none yet).
        self.peak = 0.0
        #: Tickets of the calls in flight -> (the epoch they started in, their level).
        self._sent: dict[int, tuple[int, int]] = {}
        self._next = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        #: Calls and their busy shares by level (requests in flight when sent).
        self._evidence = Evidence()
        #: The limit before decreases made without evidence (0: none to undo).
        self._undo = 0.0
        #: Up to this level, a trial showed busy answers to be noise (0: none yet).
        self._quiet = 0

    def __repr__(self) -> str:
        return (
            f"<AdaptiveLimit limit={self.limit:.2f} ceiling={self.ceiling} "
            f"in_flight={self.in_flight}>"
        )

    @property
    def allowed(self) -> int:
        """Requests that may be in flight now (at least 1)."""
        return max(1, int(self.limit))

    def join(self, ceiling: int) -> None:
        """A job with this ceiling starts sharing the limit."""
        unconstrained = self.limit >= self.ceiling
        self.ceiling += ceiling
        if unconstrained:
            # No busy answer held the limit down: the new job brings its whole ceiling.
            self.limit = float(self.ceiling)
        self._wake()

    def leave(self, ceiling: int) -> None:
        """A job with this ceiling stopped sharing the limit."""
        self.ceiling -= ceiling
        self.limit = min(self.limit, float(self.ceiling))
        if not self.ceiling:
            self.peak = 0.0
            self._evidence = Evidence()
            self._undo = 0.0
            self._quiet = 0

    async def acquire(self) -> int:
        """Wait for a slot; the ticket to give back to :meth:`release`."""
        if self.in_flight < self.allowed and not self._waiters:
            self.in_flight += 1
            return self._ticket()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.in_flight -= 1  # granted just as it was cancelled: pass it on
                self._wake()
            elif waiter in self._waiters:  # else _wake already dropped it
                self._waiters.remove(waiter)
            raise
        return self._ticket()

    def _ticket(self) -> int:
        ticket = self._next
        self._next += 1
        self._sent[ticket] = (self.epoch, self.in_flight)
        return ticket

    def release(self, ticket: int, busy: float | None) -> None:
        """Give a slot back with what the call said: busy share (0 to 1), or ``None``."""
        in_use = self.in_flight >= self.allowed
        self.in_flight -= 1
        epoch, level = self._sent.pop(ticket, (-1, 0))
        if busy is not None and level:
            self._evidence.note(level, busy)
        decreased = False
        verdict = self._judge(level) if busy and epoch == self.epoch else None
        if verdict in (LOAD, UNSURE):
            assert busy is not None  # noqa: S101 - a verdict is asked for busy calls only
            self._lower(busy, verdict)
            decreased = True
        elif verdict == NOISE:
            busy = 0.0  # busy answers that do not grow with the load: it went through
            self._undo_step()
        if not decreased and busy is not None and busy < 1.0 and in_use:
            # The share of the call that went through counts towards growing back.
            step = (1.0 - busy) / self.limit
            if abs(self.limit - self.peak) < 1.0:
                step /= PLATEAU_SLOWDOWN
            self.limit = min(float(self.ceiling), self.limit + step)
        self._wake()

    def _judge(self, level: int) -> int | None:
        """The verdict on a busy answer at ``level``; ``None``: wait for more evidence."""
        verdict = self.verdict(level)
        if verdict == LOAD:
            self._quiet = 0
        if verdict != UNSURE:
            return verdict
        if self._undo > self.limit:
            # A trial decrease is under way: judge it (did the busy share fall?) rather
            # than lower the limit again on as little evidence.
            trial = self.trial(level)
            if trial == NOISE:
                # Proven noise up to where the trial began: no new trial below it.
                self._quiet = max(self._quiet, int(self._undo))
                return NOISE
            if trial == LOAD:
                self._undo = 0.0  # it did help: the decrease stands
            return None
        return NOISE if level <= self._quiet else UNSURE

    def _lower(self, busy: float, verdict: int) -> None:
        """Lower the limit after a busy answer: for load, or as a trial (``UNSURE``)."""
        if verdict == LOAD:
            self._undo = 0.0
        elif self._undo <= self.limit:
            self._undo = self.limit  # a trial: undone if the evidence says noise
        if busy >= 1.0:
            # A call refused whole marks the level to grow back to slowly; a few busy
            # items are no such mark (else small dips would slow growth for good).
            self.peak = self.limit
        limit = self.limit * (1.0 - (1.0 - DECREASE) * busy)
        _log.debug("concurrency limit %.1f -> %.1f after a busy answer", self.limit, limit)
        self.limit = max(1.0, limit)
        self.epoch += 1

    def _undo_step(self) -> None:
        """Undo trial decreases that were not about load, a step per busy answer of noise."""
        if self._undo > self.limit:
            limit = min(self._undo, float(self.ceiling), self.limit / DECREASE)
            _log.debug("concurrency limit %.1f -> %.1f: busy answers are noise", self.limit, limit)
            self.limit = limit
            self.peak = 0.0
            if limit >= self._undo:
                self._undo = 0.0

    def verdict(self, level: int) -> int:
        """What busy answers at ``level`` in flight say (:meth:`Evidence.verdict`)."""
        return self._evidence.verdict(level, int(level * DECREASE) + 1)

    def trial(self, level: int) -> int:
        """The trial decrease under way, judged at ``level`` (:meth:`Evidence.trial`)."""
        return self._evidence.trial(level, int(self._undo))

    def _wake(self) -> None:
        waiters = self._waiters
        while waiters and self.in_flight < self.allowed:
            waiter = waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)


@attrs.define
class Pace:
    """One job's view of the concurrency limit, and the record of how the job ran.

    ``shared`` is the Client's :class:`AdaptiveLimit` for an adaptive job, ``None`` for a
    fixed one (whose workers are its only limit). ``ceiling`` is the job's
    ``concurrency``.
    """

    ceiling: int
    shared: AdaptiveLimit | None = None
    busy_calls: int = 0
    _lowest: int = 0
    _highest: int = 0
    _last: int = 0
    _samples: int = 0
    _start: int = 0
    _began: float = 0.0
    _since: float = 0.0
    _area: float = 0.0

    @property
    def current(self) -> int:
        """The job's concurrency now: the shared limit, capped by the job's ceiling."""
        shared = self.shared
        return self.ceiling if shared is None else min(shared.allowed, self.ceiling)

    @property
    def paced(self) -> bool:
        """True while the limit (above 1) is what holds the requests in flight down.

        Then lowering it lowers the load at once, and a busy answer needs no backoff
        wait on top; when the work runs short of the limit, or the limit is 1, it does.
        """
        shared = self.shared
        return shared is not None and shared.in_flight >= shared.allowed > 1

    async def acquire(self) -> int:
        """Wait for a slot (adaptive) and note the concurrency; the ticket for release."""
        shared = self.shared
        ticket = 0 if shared is None else await shared.acquire()
        current = self.current
        now = time.monotonic()
        if not self._samples:
            self._start = self._lowest = self._highest = current
            self._began = now
        elif current < self._lowest:
            self._lowest = current
        elif current > self._highest:
            self._highest = current
        self._area += self._last * (now - self._since)
        self._last = current
        self._since = now
        self._samples += 1
        return ticket

    def release(self, ticket: int, busy: float | None) -> None:
        """The call ended: ``busy`` share of it answered busy, ``None`` if cut off."""
        if busy:
            self.busy_calls += 1
        if self.shared is not None:
            self.shared.release(ticket, busy)

    def retry_policy(self, policy: RetryPolicy, busy: float) -> RetryPolicy:
        """The policy for retrying after ``busy``: without backoff while the limit paces.

        While the limit is what bounds the job (:attr:`paced`), the busy answer lowers
        it, and the lowered limit (not a blind wait) keeps the load down; ``Retry-After``
        and documented shortest waits are still honoured.
        """
        if busy and self.paced:
            return attrs.evolve(policy, initial_backoff=0.0)
        return policy

    def record(self) -> ConcurrencyRecord:
        """What the report keeps: start, lowest, highest, final and mean concurrency."""
        if not self._samples:
            current = self.current
            return ConcurrencyRecord(
                adaptive=self.shared is not None,
                start=current,
                lowest=current,
                highest=current,
                final=current,
                mean=float(current),
            )
        return ConcurrencyRecord(
            adaptive=self.shared is not None,
            start=self._start,
            lowest=self._lowest,
            highest=self._highest,
            final=self._last,
            mean=self._mean(),
        )

    def _mean(self) -> float:
        """The concurrency averaged over the job's time (its last call's till now)."""
        now = time.monotonic()
        span = now - self._began
        if span <= 0:
            return float(self._last)
        return (self._area + self._last * (now - self._since)) / span
