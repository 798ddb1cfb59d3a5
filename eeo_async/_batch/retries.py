"""A job's retry pool: items put back for another call after a backoff, by target.

Items of one target (a student, or a lesson) that wait for a retry share one timer, so
that they meet in as few calls as possible; waits hold no concurrency slot, and a stopped
job schedules nothing (its waiting items end with their last answer, or unknown).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .report import StopCause


class Waiting:
    """Rows of one target waiting out a backoff together: one timer, one due time."""

    __slots__ = ("due", "items", "rows")

    def __init__(self, due: float) -> None:
        self.due = due
        self.rows: list[int] = []
        self.items: list[Any] = []


class Retries:
    """The part of a job that puts items back for another call (mixed into ``Job``)."""

    stopped: StopCause | None
    attempts: dict[int, int]
    last: dict[int, tuple[int, str]]
    group: asyncio.TaskGroup | None
    waiting: dict[int, Waiting]
    ready: dict[int, tuple[list[int], list[Any]]]
    sleepers: set[asyncio.Task[None]]
    wake: asyncio.Event
    sleep: Callable[[float], Awaitable[None]]

    def _put_back(
        self,
        rows: Sequence[int],
        positions: Sequence[int],
        tries: int | list[int],
        errno: int,
        error: str,
    ) -> None:
        """Note the attempts and the answer of ``rows[p]`` for each position, to be retried.

        Noted whether or not the retry is ever sent: a job that stops first reports
        these rows with this answer and their attempts, not as never sent.
        """
        attempts, last = self.attempts, self.last
        answer = (errno, error)
        for p in positions:
            row = rows[p]
            attempts[row] = tries_of(tries, p)
            last[row] = answer

    def _schedule(
        self,
        index: int,
        sent_rows: Sequence[int],
        sent_items: Sequence[Any],
        positions: list[int],
        *,
        delay: float,
    ) -> None:
        """Put the items at ``positions`` of a call back for another after ``delay``.

        They join the target's other waiters where those go soon enough.
        """
        if self.stopped is not None:
            return  # a stopped job waits for nothing: these rows end with their last answer
        rows = [sent_rows[p] for p in positions]
        items = [sent_items[p] for p in positions]
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
        waiting = self.waiting[index] = Waiting(now + delay)
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


def tries_of(tries: int | list[int], position: int) -> int:
    return tries if isinstance(tries, int) else tries[position]
