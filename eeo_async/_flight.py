"""Identical requests in flight: one shared by every caller, or one at a time.

The Client keeps one :class:`Flight` per (action, body) in flight. A request of a row
safe to repeat is shared: it runs in a task of its own and every identical caller takes
its answer. Any other (a row not safe to repeat, or one that must be sent one at a time,
such as registration) is sent by its caller while identical ones wait for it to end.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from typing import Any


class Flight:
    """A request in flight, for identical ones: its shared task, or a wait for its end.

    A request safe to repeat runs in a task of its own, and each identical caller waits
    on a future of its own that the task fills in (so one caller cancelled leaves the
    others theirs; the task is cancelled only when no caller is left). Any other is
    sent by its caller, and an identical one waits for it to end, then is sent itself.
    """

    __slots__ = ("ended", "task", "waiters")

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.ended: asyncio.Event | None = None  # made only if someone waits
        self.waiters: list[asyncio.Future[Any]] = []

    async def wait(self) -> None:
        """Wait until this request has ended, whatever its outcome."""
        if self.task is not None:
            await asyncio.wait((self.task,))
            return
        if self.ended is None:
            self.ended = asyncio.Event()
        await self.ended.wait()

    def end(self) -> None:
        if self.ended is not None:
            self.ended.set()

    async def run(self, exchange: Callable[[], Awaitable[Any]]) -> None:
        """The shared task: send, then hand the answer (or the error) to every caller."""
        try:
            result = await exchange()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            for waiter in self.waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        first = True
        for waiter in self.waiters:
            if not waiter.done():
                # Each caller its own copy: a list or an envelope's data may be changed.
                waiter.set_result(result if first else copy.deepcopy(result))
                first = False

    async def join(self) -> Any:
        """The shared request's result (or its error), for one more caller."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            task = self.task
            if task is not None and not task.done() and all(w.done() for w in self.waiters):
                task.cancel()  # nobody waits for its answer any more
            raise


def land(
    in_flight: dict[tuple[str, object], Flight], key: tuple[str, object], flight: Flight
) -> None:
    """``flight`` has ended: identical requests may go (or wait for the next one)."""
    if in_flight.get(key) is flight:
        del in_flight[key]
    flight.end()


async def one_in_flight(
    in_flight: dict[tuple[str, object], Flight],
    key: tuple[str, object],
    exchange: Callable[[], Awaitable[Any]],
    *,
    share: bool,
) -> Any:
    """``exchange()``, never in flight twice for one ``key``.

    With ``share`` a caller joins the identical request in flight and takes its answer;
    otherwise it waits for that one to end, then sends its own.
    """
    flight = in_flight.get(key)
    while flight is not None:
        task = flight.task
        if share and task is not None and not task.done() and not task.cancelling():
            return await flight.join()
        await flight.wait()
        if task is not None:
            land(in_flight, key, flight)  # ended: its done callback may not have run yet
        flight = in_flight.get(key)
    if share:
        # Its own task: a caller cancelled must not cancel it for the others.
        shared = in_flight[key] = Flight()
        shared.task = asyncio.get_running_loop().create_task(shared.run(exchange))
        shared.task.add_done_callback(lambda _: land(in_flight, key, shared))
        return await shared.join()
    flight = in_flight[key] = Flight()
    try:
        return await exchange()
    finally:
        land(in_flight, key, flight)
