"""Identical requests in flight: one shared by every caller, or one at a time.

The Client keeps one :class:`Flight` per (action, body) in flight. A request of a row
safe to repeat is shared: its first caller sends it, and every identical caller of the
same row takes its answer. Any other (a row not safe to repeat, one that must be sent one
at a time, such as registration, or an identical body sent by another row, which would
decode the answer its own way) waits for it to end, then is sent by its own caller.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from typing import Any


class _Abandoned(Exception):  # noqa: N818 - a signal between callers, never raised out
    """The caller that sent the shared request was cancelled: send your own."""


class Flight:
    """A request in flight, for identical ones: its answer shared, or a wait for its end.

    The first caller sends the request itself (no task of its own: most calls never meet
    an identical one). Of a row safe to repeat, an identical caller joins it and takes a
    copy of its answer (or its error); if the sender is cancelled, the joiners send their
    own. Of any other row, an identical caller waits for it to end, then sends its own.
    """

    __slots__ = ("ended", "row", "shared", "waiters")

    def __init__(self, *, shared: bool, row: object) -> None:
        self.shared = shared
        self.row = row  # only callers of the same row take its answer
        self.ended: asyncio.Event | None = None  # made only if someone waits
        self.waiters: list[asyncio.Future[Any]] = []

    async def wait(self) -> None:
        """Wait until this request has ended, whatever its outcome."""
        if self.ended is None:
            self.ended = asyncio.Event()
        await self.ended.wait()

    def end(self) -> None:
        if self.ended is not None:
            self.ended.set()

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        """Hand the sender's answer (a copy each), its error, or its cancellation on."""
        for waiter in self.waiters:
            if waiter.done():
                continue
            if error is not None:
                waiter.set_exception(error)
            else:
                # Each caller its own copy: a list or an envelope's data may be changed.
                waiter.set_result(copy.deepcopy(result))

    async def join(self) -> Any:
        """The shared request's result (or its error), for one more caller."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return await waiter


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
    row: object,
) -> Any:
    """``exchange()``, never in flight twice for one ``key``.

    With ``share`` a caller joins the identical request in flight of the same ``row``
    and takes its answer (sending its own if that one's sender was cancelled); otherwise
    it waits for that one to end, then sends its own.
    """
    flight = in_flight.get(key)
    while flight is not None:
        if share and flight.shared and flight.row is row:
            try:
                return await flight.join()
            except _Abandoned:
                pass
        else:
            await flight.wait()
        flight = in_flight.get(key)
    flight = in_flight[key] = Flight(shared=share, row=row)
    try:
        result = await exchange()
    except asyncio.CancelledError:
        flight.settle(error=_Abandoned())
        raise
    except BaseException as exc:
        flight.settle(error=exc)
        raise
    else:
        if flight.waiters:
            flight.settle(result)
        return result
    finally:
        land(in_flight, key, flight)
